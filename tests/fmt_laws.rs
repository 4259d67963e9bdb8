//! Laws of the formatter, over every decree file of the repository and over
//! generated programs: formatting is idempotent, keeps the AST (spans and
//! literal spellings aside), keeps every comment, and converts between the
//! English and Chinese keyword surfaces without loss.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use decree::ast::Program;
use decree::syntax::keywords::Surface;
use decree::syntax::scan::{TokenKind, scan};
use decree::{Limits, SourceFile};
use proptest::prelude::*;

fn parse(name: &str, text: &str) -> Option<Program> {
    decree::syntax::parse(&SourceFile::new(name, text), &Limits::default()).ok()
}

fn fmt(name: &str, text: &str, surface: Surface) -> String {
    let src = SourceFile::new(name, text);
    let program = decree::syntax::parse(&src, &Limits::default()).unwrap();
    decree::fmt::format(&src, &program, surface)
}

/// Comment texts, sorted: the formatter moves comments but keeps each one.
/// They are found by the scanner the parser's rules are tested against
/// (`syntax::scan`), so a `#` inside a text is not taken for a comment.
fn comments(text: &str) -> Vec<String> {
    let mut out: Vec<String> = scan(text)
        .filter(|t| matches!(t.kind, TokenKind::Comment { .. }))
        .map(|t| text[t.span.start..t.span.end].trim_end().to_string())
        .collect();
    out.sort();
    out
}

/// Checks every law for one text that parses.
fn laws(name: &str, text: &str) {
    let Some(original) = parse(name, text) else {
        return;
    };
    for surface in [Surface::English, Surface::Chinese] {
        let once = fmt(name, text, surface);
        let reparsed = parse(name, &once)
            .unwrap_or_else(|| panic!("{name}: formatted text does not parse:\n{once}"));
        assert_eq!(
            reparsed, original,
            "{name}: formatting changed the program ({surface:?})"
        );
        let twice = fmt(name, &once, surface);
        assert_eq!(
            once, twice,
            "{name}: formatting is not idempotent ({surface:?})"
        );
        assert_eq!(
            comments(&once),
            comments(text),
            "{name}: comments changed ({surface:?})"
        );
    }
    // English → Chinese → English is the English form.
    let en = fmt(name, text, Surface::English);
    let zh = fmt(name, &en, Surface::Chinese);
    assert_eq!(
        fmt(name, &zh, Surface::English),
        en,
        "{name}: surfaces do not round-trip"
    );
}

#[test]
fn every_file_in_the_repository_obeys_the_laws() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in [
        "policies",
        "tests/cases",
        "examples/revisions",
        "examples/first-come",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "decree") {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                laws(&path.display().to_string(), &text);
                n += 1;
            }
        }
    }
    assert!(n > 50, "only {n} files");
}

// ---------------------------------------------------------------- generated programs
//
// The generator writes what the layout rules act on: names short and long
// (so expressions pass the width and wrap), Chinese labels of any length
// (columns), parentheses the author wrote (kept, dropped or doubled),
// comments on their own lines and at the end of any line of an entry
// (the first, a `when` line, a table row), runs of blank lines anywhere,
// and declarations of every kind in runs.

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b",
        "x",
        "投资额",
        "产值",
        "rate_x",
        "national_innovation_centre_funds",
        "is_above_scale_industrial_enterprise",
        "项目固定资产实际投资额",
    ])
    .prop_map(str::to_string)
}

fn literal() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "5000万",
        "1.2亿",
        "50M",
        "20%",
        "1:1",
        "0元",
        "3",
        "2%..3%",
        "true",
        "3 years",
        "\"文本\"",
        "2025-12-31",
    ])
    .prop_map(str::to_string)
}

/// What stands between two tokens: a blank, or a line break with a
/// comment or blank lines.
fn between() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        " ",
        " ",
        " ",
        " ",
        " ",
        "\n      ",
        "  # 行中\n      ",
        "\n\n      ",
    ])
    .prop_map(str::to_string)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![name(), literal()];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                between(),
                prop::sample::select(vec!["+", "-", "*", "/", "and", "or", ">=", "<", "==", ".."]),
                inner.clone()
            )
                .prop_map(|(a, gap, op, b)| format!("{a}{gap}{op} {b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("(({a}))")),
            inner.clone().prop_map(|a| format!("（{a}）")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("soft {a}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("if {a} then {b} else {c}")),
            (
                inner.clone(),
                inner.clone(),
                inner.clone(),
                comment(),
                blank()
            )
                .prop_map(|(a, b, c, note, gap)| format!(
                    "tiers {a} {{\n {b} => {c}{note}\n{gap} else => 0元 }}"
                )),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("schedule {a} {{ {b} => 10% above => 5% }}")),
            // issue 16, dates and rounding:
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("round_down({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("进一({a}, {b})")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("years_between({a}, today - {b})")),
            inner.clone().prop_map(|a| format!("评估日期 - {a}")),
        ]
    })
}

fn comment() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "", "  # 注释", "  # note: keep me", " #x"])
        .prop_map(str::to_string)
}

/// Nothing, a blank line, or several, or an own-line comment.
fn blank() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "",
        "",
        "\n",
        "\n\n\n",
        "  # 独占一行\n",
        "\n  # 空行后\n",
    ])
    .prop_map(str::to_string)
}

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        " \"标签\"",
        " \"一个很长很长的中文标签，用来检验对齐\"",
        " \"label\"",
    ])
    .prop_map(str::to_string)
}

fn item() -> impl Strategy<Value = String> {
    (
        blank(),
        prop::sample::select(vec![
            "subsidy",
            "award",
            "matching",
            "benefit",
            "eligibility",
            "资助",
            "奖励",
        ]),
        0u32..1000,
        label(),
        expr(),
        comment(),
        prop::option::of((expr(), comment())),
    )
        .prop_map(|(gap, kind, n, label, body, c, when)| {
            let when = when
                .map(|(w, c)| format!("\n    when {w}{c}"))
                .unwrap_or_default();
            format!("{gap}  {kind} item{n}{label} = {body}{c}{when}")
        })
}

fn declaration() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            blank(),
            name(),
            prop::sample::select(vec!["money", "rate", "bool", "金额"]),
            label(),
            comment()
        )
            .prop_map(|(gap, n, ty, l, c)| format!("{gap}fact {n}: {ty}{l}{c}\n")),
        (
            blank(),
            name(),
            prop::option::of(expr()),
            label(),
            comment()
        )
            .prop_map(|(gap, n, v, l, c)| {
                let v = v.unwrap_or_else(|| "tbd".to_string());
                format!("{gap}param p_{n}: money = {v}{l}{c}\n")
            }),
        (
            blank(),
            prop::collection::vec((name(), label(), comment(), blank()), 1..4)
        )
            .prop_map(|(gap, variants)| {
                let mut s = format!("{gap}enum e {{\n");
                for (i, (n, l, c, g)) in variants.into_iter().enumerate() {
                    s.push_str(&format!("{g}  v{i}_{n}{l},{c}\n"));
                }
                s.push_str("}\n");
                s
            }),
    ]
}

fn test_decl() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((name(), literal(), comment(), blank()), 0..3),
        prop::collection::vec((0u32..1000, literal(), comment(), blank()), 0..3),
    )
        .prop_map(|(facts, expects)| {
            let mut s = "test \"测试\" {\n".to_string();
            if !facts.is_empty() {
                s.push_str("  facts {\n");
                for (n, v, c, g) in facts {
                    s.push_str(&format!("{g}    {n} = {v}{c}\n"));
                }
                s.push_str("  }\n");
            }
            for (n, v, c, g) in expects {
                s.push_str(&format!("{g}  expect item{n} = {v}{c}\n"));
            }
            s.push_str("}\n");
            s
        })
}

fn program() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(declaration(), 0..5),
        prop::collection::vec(
            (
                1u32..30,
                prop::collection::vec(item(), 0..4),
                comment(),
                blank(),
            ),
            0..3,
        ),
        prop::option::of(test_decl()),
        comment(),
        blank(),
    )
        .prop_map(|(decls, measures, test, head, gap)| {
            let mut s = format!("# generated{head}\n# header block\n{gap}");
            for d in decls {
                s.push_str(&d);
            }
            for (n, items, c, g) in measures {
                s.push_str(&format!("measure {n} \"措施\" {{{c}\n{g}  cite \"原文\"\n"));
                for i in items {
                    s.push_str(&i);
                    s.push('\n');
                }
                s.push_str("}\n");
            }
            if let Some(t) = test {
                s.push_str(&t);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn generated_programs_obey_the_laws(text in program()) {
        prop_assert!(parse("generated.decree", &text).is_some(), "the generator made a text that does not parse:\n{}", text);
        laws("generated.decree", &text);
    }
}
