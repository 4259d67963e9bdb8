//! The embedding contract: limits that stop hostile policies with a
//! diagnostic (not a stack overflow or a hang), facts from serializable
//! values and from text, diagnostics as data, and a library that never
//! prints, exits or reads files on its own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use decree::facts::Format;
use decree::{Code, Limits, Options, SourceFile};

fn policy(text: &str) -> decree::Policy {
    decree::load(&SourceFile::new("t.decree", text)).unwrap()
}

/// A policy of `n` items, each adding one to the previous.
fn long_policy(n: usize) -> String {
    let mut s = String::from("fact x: money\nmeasure 1 \"长\" {\n  subsidy a0 = x\n");
    for i in 1..n {
        s.push_str(&format!("  subsidy a{i} = a{} + 1元\n", i - 1));
    }
    s.push_str("}\n");
    s
}

#[test]
fn the_step_limit_stops_an_evaluation_with_one_diagnostic() {
    let p = policy(&long_policy(200));
    let facts = decree::facts_from_pairs(&p, &[("x", "1万")]).unwrap();
    let generous = decree::evaluate(&p, &facts, &Options::default());
    assert!(generous.errors.is_empty());
    let options = Options {
        limits: Limits::default().with_max_steps(50),
        ..Options::default()
    };
    let e = decree::evaluate(&p, &facts, &options);
    let limits: Vec<_> = e.errors.iter().filter(|d| d.code == Code::Limit).collect();
    assert_eq!(limits.len(), 1, "{:?}", e.errors);
    assert!(limits[0].message.contains("more than 50 steps"));
    assert!(
        limits[0].span().is_some(),
        "the diagnostic points at the source"
    );
    assert!(!e.total.complete || e.total.min < generous.total.min);
}

#[test]
fn a_long_chain_of_params_is_a_diagnostic_not_a_stack_overflow() {
    // Each param defined by the next: evaluating the first nests 3,000
    // deep. On a small stack (rayon's workers have 2 MiB) the evaluation
    // must stop at the depth limit.
    let n = 3000;
    let mut text = String::from("fact x: money\n");
    for i in 0..n {
        text.push_str(&format!("param p{i}: money = p{} + 1元\n", i + 1));
    }
    text.push_str(&format!("param p{n}: money = 1元\n"));
    text.push_str("measure 1 \"链\" {\n  subsidy s = p0 + x\n}\n");
    let result = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let p = policy(&text);
            let facts = decree::facts_from_pairs(&p, &[("x", "1")]).unwrap();
            decree::evaluate(&p, &facts, &Options::default())
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    let d = result
        .errors
        .iter()
        .find(|d| d.code == Code::Limit)
        .expect("a limit diagnostic");
    assert!(
        d.message.contains("nested more than 128 deep"),
        "{}",
        d.message
    );
    assert!(d.help.is_some());
}

#[test]
fn source_limits_are_builder_settings() {
    let src = SourceFile::new("t.decree", long_policy(50));
    let small = Limits::default().with_max_source_bytes(100);
    let err = decree::load_with(&src, &small).unwrap_err();
    assert_eq!(err.0[0].code, Code::Limit);
    let shallow = Limits::default().with_max_depth(2);
    let nested = SourceFile::new(
        "n.decree",
        "fact x: money\nmeasure 1 \"a\" { subsidy s = min(min(min(x, 1元), 2元), 3元) }\n",
    );
    let err = decree::load_with(&nested, &shallow).unwrap_err();
    assert_eq!(err.0[0].code, Code::Limit);
    assert!(err.0[0].span().is_some());
    assert!(decree::load_with(&nested, &Limits::default()).is_ok());
    let tiers = "fact x: money\nmeasure 1 \"a\" { award s = tiers x { 3元 => 3元\n 2元 => 2元\n 1元 => 1元 } }\n";
    let err = decree::load_with(
        &SourceFile::new("t.decree", tiers),
        &Limits::default().with_max_table_rows(2),
    )
    .unwrap_err();
    assert_eq!(err.0[0].code, Code::Limit);
}

#[test]
fn facts_come_from_serializable_values_and_from_text() {
    let p = policy(
        "fact investment: money\nfact industrial: bool\nmeasure 8 \"技改\" {\n  subsidy s = min(20% * investment, 5000万) when industrial\n}\n",
    );
    #[derive(serde::Serialize)]
    struct Firm {
        investment: rust_decimal::Decimal,
        industrial: bool,
    }
    let firm = Firm {
        investment: "123456789.01".parse().unwrap(),
        industrial: true,
    };
    let (facts, warnings) = decree::facts_from_serialize(&p, "firm", &firm).unwrap();
    assert!(warnings.is_empty());
    let e = decree::evaluate(&p, &facts, &Options::default());
    assert_eq!(
        e.item("s").unwrap().amount.unwrap().to_string(),
        "24691357.802"
    );

    let mut map = BTreeMap::new();
    map.insert("investment", "1亿");
    let (facts, _) = decree::facts_from_serialize(&p, "map", &map).unwrap();
    assert_eq!(facts.len(), 1);

    for (text, format) in [
        (r#"{"investment": "1亿", "industrial": true}"#, Format::Json),
        ("investment = \"1亿\"\nindustrial = true\n", Format::Toml),
        ("investment: 1亿\nindustrial: true\n", Format::Yaml),
    ] {
        let (facts, _) = decree::facts_from_str(&p, "t", text, format).unwrap();
        let e = decree::evaluate(&p, &facts, &Options::default());
        assert_eq!(
            e.item("s").unwrap().amount.unwrap().to_string(),
            "20000000",
            "{format:?}"
        );
    }
    // A wrong type is a diagnostic, with the help a host can show.
    let err =
        decree::facts_from_str(&p, "bad", r#"{"investment": true}"#, Format::Json).unwrap_err();
    assert_eq!(err.0[0].code, Code::Facts);
}

#[test]
fn diagnostics_come_back_as_data() {
    let src = SourceFile::new(
        "t.decree",
        "fact x: money\nmeasure 1 \"a\" { subsidy s = y }\n",
    );
    let err = decree::load(&src).unwrap_err();
    let data = err.0[0].to_data();
    assert_eq!(data.code, Code::UnknownName);
    assert_eq!(data.start.map(|p| (p.line, p.column)), Some((2, 29)));
    assert_eq!(data.file.as_deref(), Some("t.decree"));
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["code"], "decree::unknown_name");
}

/// The library never prints, exits or touches the file system on its own:
/// only the binary (`src/cli/`) does. Test modules are exempt.
#[test]
fn the_library_never_prints_exits_or_reads_files() {
    let forbidden = [
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "dbg!(",
        "process::exit",
        "std::fs::",
        "File::open",
        "File::create",
    ];
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("cli") {
                    stack.push(path);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let library = text.split("#[cfg(test)]").next().unwrap();
            for f in forbidden {
                assert!(!library.contains(f), "{} uses {f}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked > 10);
}

/// The default limits leave real policies far from them: the bundled draft
/// evaluates every example enterprise in under a thousandth of the default
/// step limit.
#[test]
fn the_draft_is_far_below_the_default_limits() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!(
        "{root}/policies/shenzhen-manufacturing-2020.decree"
    ))
    .unwrap();
    let p = decree::load(&SourceFile::new("draft", text)).unwrap();
    let steps = Limits::default().max_steps / 1000;
    let options = Options {
        limits: Limits::default().with_max_steps(steps),
        ..Options::default()
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(format!("{root}/examples/enterprises")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let src = SourceFile::new(path.display().to_string(), text);
        let Ok((facts, _)) = decree::facts::load(&p, &src) else {
            continue;
        };
        let e = decree::evaluate(&p, &facts, &options);
        assert!(
            e.errors.iter().all(|d| d.code != Code::Limit),
            "{}: {:?}",
            path.display(),
            e.errors
        );
        seen += 1;
    }
    assert!(seen >= 20);
}

#[test]
fn sums_too_large_for_exact_decimals_are_errors_never_saturated() {
    // A fact keeps to 28 digits; the items multiply it beyond.
    let p = policy(
        "fact g: money\nmeasure 13 \"配套\" {\n  matching a = 8 * g\n  matching b = 8 * g\n}\n",
    );
    // One item fits; the enterprise's total does not.
    let huge = decree::facts_from_pairs(&p, &[("g", "5000000000000000万亿")]).unwrap();
    let e = decree::evaluate(&p, &huge, &Options::default());
    assert_eq!(e.item("b").unwrap().status, decree::eval::Status::Granted);
    assert!(!e.total.complete);
    assert_eq!(e.total.failed, vec!["b".to_string()]);
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].code, Code::Overflow);

    // Each enterprise's total fits; the population's does not.
    let big = decree::facts_from_pairs(&p, &[("g", "1250000000000000万亿")]).unwrap();
    let one = decree::evaluate(&p, &big, &Options::default());
    assert!(one.total.complete && one.errors.is_empty());
    let mut fits = decree::population::Summary::new(&p);
    for _ in 0..2 {
        fits.add_evaluation(&one).unwrap();
    }
    assert_eq!(
        fits.total().min,
        "40000000000000000000000000000".parse().unwrap()
    );
    let mut summary = decree::population::Summary::new(&p);
    let err = (0..4)
        .try_for_each(|_| summary.add_evaluation(&one))
        .unwrap_err();
    assert_eq!(err.code, Code::Overflow);
    // The fourth enterprise does not fit, and nothing of it is counted.
    assert_eq!(summary.enterprises(), 3);
    assert_eq!(
        summary.total().min,
        "60000000000000000000000000000".parse().unwrap()
    );
}

/// Facts from text are read in the format given, not one guessed from a
/// made-up file name: diagnostics name what the host named.
#[test]
fn facts_from_text_are_named_as_the_host_names_them() {
    let p = policy(
        "fact investment: money\nmeasure 8 \"技改\" { subsidy s = min(20% * investment, 5000万) }\n",
    );
    let err = decree::facts_from_str(&p, "applicant 7", r#"{"investment": true}"#, Format::Json)
        .unwrap_err();
    let message = &err.0[0].message;
    assert!(message.contains("in applicant 7:"), "{message}");
    assert!(!message.contains(".json"), "{message}");
    let (facts, _) =
        decree::facts_from_str(&p, "acme.co", "investment: 1亿", Format::Yaml).unwrap();
    assert_eq!(facts.name, "acme.co");
    // A name that is no facts file's is not one: the caller says the format.
    let (facts, _) = decree::facts::load_as(
        &p,
        &SourceFile::new("<form>", "investment = 5"),
        Format::Toml,
    )
    .unwrap();
    assert_eq!(facts.len(), 1);
}

/// Every "did you mean" is the one of `check::suggest`: unknown facts in
/// pairs too.
#[test]
fn unknown_fact_names_in_pairs_get_a_suggestion() {
    let p = policy(
        "fact investment: money\nmeasure 8 \"技改\" { subsidy s = min(20% * investment, 5000万) }\n",
    );
    let err = decree::facts_from_pairs(&p, &[("investmnet", "1亿")]).unwrap_err();
    assert_eq!(err.0[0].help.as_deref(), Some("did you mean `investment`?"));
}
