//! temp
fn main() {
    let t = std::fs::read_to_string(std::env::args().nth(1).unwrap_or_default()).unwrap_or_default();
    println!("{}", decree::debug_parse(&t));
}
