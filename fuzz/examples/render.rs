//! Prints what the `structured` target makes of saved inputs: the decree
//! source text, the facts and settings, and whether it checked.
//! `cargo run --release --example render -- FILE…`

fn main() {
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let case = decree_fuzz::harness::render(&bytes);
                println!("==> {path}");
                println!("{}", case.source);
                for (name, raw) in &case.facts {
                    println!("# fact {name} = {raw:?}");
                }
                for s in &case.settings {
                    println!("# --set {s}");
                }
                println!("# at: {:?}", case.at);
                let src = decree::SourceFile::new("structured.decree", case.source.as_str());
                match decree::load(&src) {
                    Ok(_) => println!("# checks"),
                    Err(d) => println!("{}", d.render(decree::RenderStyle::Plain)),
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
