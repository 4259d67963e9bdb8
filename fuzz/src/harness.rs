//! What each fuzz target does with one input, and the laws it checks.
//!
//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, through the
//! `decree-fuzz` library) and by the stable regression test
//! `tests/fuzz_corpus.rs` of the root crate (through `#[path]`), so a saved
//! input is replayed by `cargo test` exactly as the fuzzer ran it. It must
//! therefore compile on stable, under the root crate's lints.
//!
//! Targets:
//!
//! * [`parse_check_eval`] — raw bytes as a policy file;
//! * [`structured`] — bytes read by `arbitrary` as a [`ProgramDesc`], rendered
//!   to decree text that is well-formed most of the time, with facts,
//!   settings and an evaluation date;
//! * [`facts`] — bytes as a JSON, TOML or YAML facts file for the bundled
//!   draft;
//! * [`plan_vs_interpreter`] — bytes read as a [`PopulationDesc`]: a
//!   generated policy and a generated CSV population (cells of every
//!   spelling, missing, odd and unreadable ones) through `population::run`
//!   lean (the compiled plan where it compiles) and full (the interpreter);
//! * [`reparse`] — the [`structured`] target's program, edited three
//!   times as its bytes say, each edit read again by `syntax::reparse`
//!   (the language server's parse after a keystroke) and by a whole parse.
//!
//! The laws, all of which hold for every input:
//!
//! * nothing panics; every error comes back as a [`Diagnostic`], and every
//!   label of a diagnostic lies on character boundaries inside its source;
//!   a failed stage reports at least one error;
//! * a program that parses, formatted in either keyword surface, parses to
//!   the same AST, formats to the same text again (idempotence), checks
//!   exactly when the original checks (with the same messages), evaluates to
//!   the same results, and has no semantic difference from the original;
//! * a reparse after an edit is the whole parse of the new text, every
//!   span included, or the same errors, the program then left as it was;
//! * when the compiled plan takes a policy, its result for an enterprise is
//!   the interpreter's, digit for digit; over a whole CSV population, the
//!   lean run's rows, rejected rows and totals are the full run's.
#![allow(dead_code)]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use decree::ast::Program;
use decree::diagnostic::Diagnostic;
use decree::eval::{Evaluation, Facts, Options};
use decree::facts::Raw;
use decree::population::{Collect, RowResult, Settings};
use decree::syntax::keywords::Surface;
use decree::value::Unit;
use decree::{Limits, Policy, RenderStyle, SourceFile};

// ================================================================ laws

/// Every label of every diagnostic lies inside its source, on character
/// boundaries; rendering them does not panic.
fn diagnostics_are_sound(ds: &[Diagnostic]) {
    for d in ds {
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
        if let Some(src) = &d.source {
            let text: &str = &src.text;
            for l in &d.labels {
                assert!(
                    l.span.start <= l.span.end
                        && l.span.end <= text.len()
                        && text.is_char_boundary(l.span.start)
                        && text.is_char_boundary(l.span.end),
                    "label {:?} ({}) outside its source of {} bytes: {}",
                    l.span,
                    l.text,
                    text.len(),
                    d.message
                );
            }
        }
        let _ = d.to_data();
    }
    let _ = decree::Diagnostics(ds.to_vec()).render(RenderStyle::Plain);
}

/// A failed stage says why: at least one error, all of them sound.
fn failure_is_reported(d: &decree::Diagnostics) {
    assert!(d.has_errors(), "a stage failed without an error: {d:?}");
    diagnostics_are_sound(&d.0);
}

/// The errors of a load, as (code, message): what must not change when
/// only the layout changes.
fn messages(d: &decree::Diagnostics) -> Vec<(String, String)> {
    d.iter()
        .map(|d| (d.code.as_str().to_string(), d.message.clone()))
        .collect()
}

/// An evaluation with what depends on source positions taken out.
fn positionless(e: &Evaluation) -> (Evaluation, Vec<(String, String)>) {
    let mut e = e.clone();
    let errors = e
        .errors
        .drain(..)
        .map(|d| (d.code.as_str().to_string(), d.message))
        .collect();
    e.hits.clear();
    (e, errors)
}

/// Evaluates, checks the result's shape and renders every report.
fn evaluate(policy: &Policy, facts: &Facts, options: &Options) -> Evaluation {
    let e = decree::evaluate(policy, facts, options);
    diagnostics_are_sound(&e.errors);
    assert!(
        e.errors.iter().all(Diagnostic::is_error),
        "a warning among evaluation errors"
    );
    let items: usize = e.measures.iter().map(|m| m.items.len()).sum();
    assert_eq!(
        items,
        policy.items.len(),
        "an item is missing from the results"
    );
    let _ = decree::report::to_table(&e);
    let _ = decree::report::to_json(&e, &[]);
    for item in e.measures.iter().flat_map(|m| &m.items) {
        let _ = decree::report::explain(&e, item);
    }
    e
}

/// The compiled plan, when it takes the policy, agrees with the interpreter.
fn plan_agrees(policy: &Policy, facts: &Facts, options: &Options) {
    if decree::plan::Plan::compile(policy, options).is_none() {
        return;
    }
    let mut source = decree::population::read::Typed::new(policy, [facts.clone()]);
    let mut fast = Collect::default();
    let settings = Settings::lean(options.clone());
    if let Err(d) = decree::population::run(&mut source, &mut fast, &settings, |_| {}) {
        panic!("a population run failed: {d:?}");
    }
    let mut slow = RowResult::from_evaluation(policy, 1, &decree::evaluate(policy, facts, options));
    if slow.name.is_empty() {
        // A run names a row without a name of its own by its place.
        slow.name = "row 1".into();
    }
    let (fast, slow) = (fast.rows, vec![slow]);
    assert_eq!(fast, slow, "the plan and the interpreter disagree");
}

/// Runs the `test` blocks of a program, and coverage.
fn run_tests(policy: &Policy, source: &SourceFile, program: &Program) {
    let tests = decree::testing::tests_in(program);
    if tests.is_empty() {
        return;
    }
    let mut reached = decree::testing::Reached::default();
    for r in decree::testing::run(policy, source, &tests, &mut reached) {
        diagnostics_are_sound(&r.failures);
    }
    let cov = decree::testing::coverage(policy, &reached);
    let _ = decree::testing::render_coverage(policy, &cov);
}

/// One run of a policy: evaluate with each (facts, options), compare with
/// the plan, and check the formatter's laws against the same runs.
fn whole_pipeline(text: &str, make_runs: impl Fn(&Policy) -> Vec<(Facts, Options)>) {
    let source = SourceFile::new("fuzz.decree", text);
    let program = match decree::syntax::parse(&source, &Limits::default()) {
        Ok(p) => p,
        Err(d) => {
            failure_is_reported(&d);
            return;
        }
    };
    let checked = decree::check::check(&source, &program);
    let mut runs = vec![(Facts::default(), Options::default())];
    let results: Vec<Evaluation> = match &checked {
        Ok(policy) => {
            runs.extend(make_runs(policy));
            diagnostics_are_sound(&policy.warnings);
            run_tests(policy, &source, &program);
            runs.iter()
                .map(|(facts, options)| {
                    plan_agrees(policy, facts, options);
                    evaluate(policy, facts, options)
                })
                .collect()
        }
        Err(d) => {
            failure_is_reported(d);
            Vec::new()
        }
    };
    for surface in [Surface::English, Surface::Chinese] {
        let once = decree::fmt::format(&source, &program, surface);
        let once_src = SourceFile::new("formatted.decree", once.as_str());
        let reparsed = match decree::syntax::parse(&once_src, &Limits::default()) {
            Ok(p) => p,
            Err(d) => panic!(
                "the formatted text ({surface:?}) does not parse: {}\n--- original\n{text}\n--- formatted\n{once}",
                d.render(RenderStyle::Plain)
            ),
        };
        assert!(
            reparsed == program,
            "formatting ({surface:?}) changed the program\n--- original\n{text}\n--- formatted\n{once}"
        );
        let twice = decree::fmt::format(&once_src, &reparsed, surface);
        assert!(
            once == twice,
            "formatting ({surface:?}) is not idempotent\n--- once\n{once}\n--- twice\n{twice}"
        );
        let rechecked = decree::check::check(&once_src, &reparsed);
        match (&checked, &rechecked) {
            (Ok(policy), Ok(again)) => {
                assert!(
                    decree::diff::diff(policy, again).is_empty(),
                    "formatting ({surface:?}) made a semantic difference\n--- original\n{text}\n--- formatted\n{once}"
                );
                for ((facts, options), before) in runs.iter().zip(&results) {
                    let after = decree::evaluate(again, facts, options);
                    assert!(
                        positionless(before) == positionless(&after),
                        "formatting ({surface:?}) changed the evaluation\n--- original\n{text}\n--- formatted\n{once}"
                    );
                }
            }
            (Err(a), Err(b)) => assert_eq!(
                messages(a),
                messages(b),
                "formatting ({surface:?}) changed the errors\n--- original\n{text}\n--- formatted\n{once}"
            ),
            (a, b) => panic!(
                "formatting ({surface:?}) changed whether the program checks: {} → {}\n--- original\n{text}\n--- formatted\n{once}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
}

// ================================================================ target: parse_check_eval

/// Values tried for facts in [`parse_check_eval`], one per fact, chosen by
/// the input's bytes; most fit some unit.
const FACT_TEXTS: &[&str] = &[
    "0",
    "1.2亿",
    "20%",
    "-3.5%",
    "5",
    "2025-01-01",
    "3 years",
    "18个月",
    "100 km2",
    "true",
    "false",
    "5000万元",
    "0.0000001",
    "99999999999999999999999999",
    "文本",
];

/// Raw bytes as a policy: parse, check, and when it checks evaluate with no
/// facts and with facts picked by the bytes.
pub fn parse_check_eval(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    whole_pipeline(text, |policy| {
        let mut facts = Facts::default();
        let mut bytes = data.iter().cycle();
        for (id, f) in policy.fact_ids() {
            let b = usize::from(bytes.next().copied().unwrap_or(0));
            let value: String = match f.unit {
                Unit::Enum(e) | Unit::Set(e) => policy
                    .enums
                    .get(e)
                    .and_then(|en| en.variants.get(b % en.variants.len().max(1)))
                    .map(|v| v.0.clone())
                    .unwrap_or_default(),
                _ => FACT_TEXTS
                    .get(b % FACT_TEXTS.len())
                    .copied()
                    .unwrap_or("0")
                    .to_string(),
            };
            let raw = match (f.unit, value.as_str()) {
                (Unit::Bool, "true") => Raw::Bool(true),
                (Unit::Bool, "false") => Raw::Bool(false),
                (Unit::Set(_), v) => Raw::List(vec![Raw::Str(v.to_string())]),
                (_, v) => Raw::Str(v.to_string()),
            };
            if let Ok(Some(v)) = decree::facts::convert(policy, f.unit, &raw) {
                facts.set(id, v);
            }
        }
        let at = jiff::civil::Date::new(2026, 1, 1).ok();
        vec![(
            facts,
            Options {
                at,
                ..Options::default()
            },
        )]
    });
}

// ================================================================ target: facts

fn draft() -> &'static Policy {
    static DRAFT: OnceLock<Policy> = OnceLock::new();
    DRAFT.get_or_init(|| {
        let src = SourceFile::new(
            "shenzhen-manufacturing-2020.decree",
            include_str!("../../policies/shenzhen-manufacturing-2020.decree"),
        );
        match decree::load(&src) {
            Ok(p) => p,
            Err(d) => panic!("the bundled draft does not check: {d:?}"),
        }
    })
}

/// Bytes as a facts file for the bundled draft: the first byte picks the
/// format (JSON, TOML, YAML), the rest is the file.
pub fn facts(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = match first % 3 {
        0 => "enterprise.json",
        1 => "enterprise.toml",
        _ => "enterprise.yaml",
    };
    let policy = draft();
    let source = SourceFile::new(name, text);
    match decree::facts::load(policy, &source) {
        Ok((facts, warnings)) => {
            diagnostics_are_sound(&warnings);
            assert!(
                warnings.iter().all(|w| !w.is_error()),
                "an error among the warnings"
            );
            let options = Options {
                at: jiff::civil::Date::new(2026, 1, 1).ok(),
                ..Options::default()
            };
            let e = evaluate(policy, &facts, &options);
            let _ = decree::report::to_json(&e, &warnings);
            plan_agrees(policy, &facts, &options);
        }
        Err(d) => failure_is_reported(&d),
    }
}

// ================================================================ target: structured

/// A policy to generate: declarations, measures, tests, and one evaluation.
#[derive(Arbitrary, Debug, Clone)]
pub struct ProgramDesc {
    /// Spelling choices (keyword surface, punctuation, comments).
    pub style: Style,
    /// The policy header.
    pub header: Option<HeaderDesc>,
    /// Enumerations.
    pub enums: Vec<EnumDesc>,
    /// Facts.
    pub facts: Vec<FactDesc>,
    /// Params.
    pub params: Vec<ParamDesc>,
    /// Chapters, each with measures.
    pub chapters: Vec<ChapterDesc>,
    /// Measures at the top level.
    pub measures: Vec<MeasureDesc>,
    /// Tests written in the language.
    pub tests: Vec<TestDesc>,
    /// Facts given to the evaluation, by fact index.
    pub values: Vec<Option<ValueDesc>>,
    /// The evaluation date.
    pub at: Option<DateDesc>,
    /// `--set` settings.
    pub settings: Vec<SettingDesc>,
}

/// Spelling choices.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct Style {
    /// Seeds the choices made per keyword and per punctuation mark.
    pub seed: u64,
    /// 0: English keywords; 1: Chinese; otherwise mixed.
    pub surface: u8,
    /// Use full-width punctuation sometimes.
    pub full_width: bool,
    /// Add comments.
    pub comments: bool,
    /// Parenthesize only where precedence needs it (else everywhere).
    pub lean: bool,
}

/// `policy "title" { issued … valid … }`
#[derive(Arbitrary, Debug, Clone)]
pub struct HeaderDesc {
    /// Title.
    pub title: u8,
    /// `issued DATE`, or `issued tbd`.
    pub issued: Option<DateDesc>,
    /// `valid N UNIT`.
    pub valid: Option<(u8, u8)>,
}

/// `enum name { v "label", … }`
#[derive(Arbitrary, Debug, Clone)]
pub struct EnumDesc {
    /// Labels of its values (their count is the number of values).
    pub variants: Vec<Option<u8>>,
}

/// A declared type.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TyDesc {
    /// `money`
    Money,
    /// `rate`
    Rate,
    /// `count`
    Count,
    /// `area`
    Area,
    /// `duration`
    Duration,
    /// `date`
    Date,
    /// `bool`
    Bool,
    /// `text`
    Text,
    /// An enumeration.
    Enum(u8),
    /// `set of` an enumeration.
    Set(u8),
}

/// `fact name: type "label"`
#[derive(Arbitrary, Debug, Clone)]
pub struct FactDesc {
    /// Type.
    pub ty: TyDesc,
    /// Label.
    pub label: Option<u8>,
    /// Use a Chinese name.
    pub chinese: bool,
}

/// `param name: type = value "label"`
#[derive(Arbitrary, Debug, Clone)]
pub struct ParamDesc {
    /// Type.
    pub ty: TyDesc,
    /// The value, or `tbd`.
    pub value: Option<ExprDesc>,
    /// Label.
    pub label: Option<u8>,
}

/// `chapter N "title" { cite … measure … }`
#[derive(Arbitrary, Debug, Clone)]
pub struct ChapterDesc {
    /// Title.
    pub title: u8,
    /// Cites.
    pub cites: Vec<u8>,
    /// Measures.
    pub measures: Vec<MeasureDesc>,
}

/// `measure N "title" { … }`
#[derive(Arbitrary, Debug, Clone)]
pub struct MeasureDesc {
    /// Added to the previous measure's number (0: the same number again).
    pub step: u8,
    /// Title.
    pub title: u8,
    /// Items, each with the cites written before it.
    pub items: Vec<(Vec<u8>, ItemDesc)>,
}

/// An item kind.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindDesc {
    /// `subsidy`
    Subsidy,
    /// `award`
    Award,
    /// `interest_subsidy`
    InterestSubsidy,
    /// `matching`
    Matching,
    /// `benefit` of some type.
    Benefit(TyDesc),
    /// `eligibility`
    Eligibility,
    /// `target`
    Target,
    /// `commitment`
    Commitment,
}

/// `KIND name "label" = BODY when … by … concerns …`
#[derive(Arbitrary, Debug, Clone)]
pub struct ItemDesc {
    /// Kind.
    pub kind: KindDesc,
    /// Label.
    pub label: Option<u8>,
    /// 0..=3: `at most` (benefits), 4..=7: `at least`, else a value.
    pub bound: u8,
    /// Bound is soft.
    pub soft_bound: bool,
    /// The value.
    pub body: ExprDesc,
    /// `when`.
    pub when: Option<ExprDesc>,
    /// `by` (targets).
    pub by: Option<DateDesc>,
    /// `concerns` (commitments).
    pub concerns: Option<u8>,
    /// Below 4: reuse the previous item's name.
    pub dup: u8,
}

/// A literal: its number, and a byte choosing its spelling.
#[derive(Arbitrary, Debug, Clone, Copy, Default)]
pub struct LitDesc {
    /// Integer part.
    pub int: u32,
    /// Fraction digits.
    pub frac: u16,
    /// Spelling: magnitude, unit word, decimals, odd forms.
    pub form: u8,
}

/// A date; out-of-calendar days are possible, rarely.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct DateDesc {
    /// Year offset from 1990 (odd years rarely).
    pub year: u16,
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
}

/// An expression; its unit is decided when it is rendered, from where it
/// stands, so most renderings check.
#[derive(Arbitrary, Debug, Clone)]
pub enum ExprDesc {
    /// A literal of the wanted unit.
    Lit(LitDesc),
    /// A fact, param or item of the wanted unit (a literal when there is none).
    Ref(u8),
    /// `-x`
    Neg(Box<ExprDesc>),
    /// `(x)`
    Paren(Box<ExprDesc>),
    /// An arithmetic operation producing the wanted unit.
    Binary(u8, Box<ExprDesc>, Box<ExprDesc>),
    /// `min`, `max`, `clamp`, `round`.
    Call(u8, Vec<ExprDesc>),
    /// `if c then a else b`
    If(Box<ExprDesc>, Box<ExprDesc>, Box<ExprDesc>),
    /// `tiers x CMP { t => v, … else => v }`: comparator, subject unit.
    Tiers(
        u8,
        u8,
        Box<ExprDesc>,
        Vec<(LitDesc, ExprDesc)>,
        Option<Box<ExprDesc>>,
    ),
    /// `first reaching x over p { t => v … }`
    Reaching(
        Box<ExprDesc>,
        Box<ExprDesc>,
        Vec<(LitDesc, ExprDesc)>,
        Option<Box<ExprDesc>>,
    ),
    /// `schedule b { bound => rate … above => rate }`
    Schedule(Box<ExprDesc>, Vec<(LitDesc, LitDesc)>, Option<LitDesc>),
    /// `lo..hi`
    Range(Box<ExprDesc>, Box<ExprDesc>),
    /// `soft x`
    Soft(Box<ExprDesc>),
    /// A comparison (op, operand unit) or membership.
    Cmp(u8, u8, Box<ExprDesc>, Box<ExprDesc>),
    /// `and` / `or`
    Logic(bool, Box<ExprDesc>, Box<ExprDesc>),
    /// `not x`
    Not(Box<ExprDesc>),
    /// Below 12 of 256: the inner expression rendered with another unit.
    Chaos(u8, u8, Box<ExprDesc>),
}

/// A value given to a fact, typed by the facts reader.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct ValueDesc {
    /// The literal.
    pub lit: LitDesc,
    /// Spelling as a facts file writes it.
    pub form: u8,
}

/// `--set NAME=VALUE`
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct SettingDesc {
    /// Which param (or `issued`).
    pub target: u8,
    /// The value.
    pub value: ValueDesc,
}

/// `test "name" { facts {…} set … at … expect … }`
#[derive(Arbitrary, Debug, Clone)]
pub struct TestDesc {
    /// Facts, by fact index.
    pub facts: Vec<(u8, LitDesc)>,
    /// Settings, by param index.
    pub sets: Vec<(u8, LitDesc)>,
    /// `at`
    pub at: Option<DateDesc>,
    /// Expectations, by item index.
    pub expects: Vec<(u8, u8, LitDesc)>,
}

/// The unit an expression is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Money,
    Rate,
    Count,
    Number,
    Area,
    Duration,
    Date,
    Bool,
    Text,
    Enum(usize),
    Set(usize),
}

impl Default for ExprDesc {
    fn default() -> Self {
        ExprDesc::Lit(LitDesc::default())
    }
}

impl Ty {
    fn numeric(self) -> bool {
        matches!(
            self,
            Ty::Money | Ty::Rate | Ty::Count | Ty::Number | Ty::Area
        )
    }
}

/// Units a comparison, tier table or chaos may pick.
const ORDERED: [Ty; 7] = [
    Ty::Money,
    Ty::Rate,
    Ty::Count,
    Ty::Number,
    Ty::Area,
    Ty::Duration,
    Ty::Date,
];
const NUMERIC: [Ty; 5] = [Ty::Money, Ty::Rate, Ty::Count, Ty::Number, Ty::Area];

/// Expressions deeper than this are cut to a literal.
const MAX_DEPTH: u32 = 7;

const LABELS: &[&str] = &[
    "技术改造项目投资额",
    "年度产值",
    "label",
    "with \\\"quotes\\\" and a \\\\ backslash",
    "一个 # 不是注释",
    "tab\\tand\\nnewline",
    "",
    "（全角）：，",
    "emoji 🎉",
];

/// A rendered case: the policy text and the evaluation's inputs.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// The decree source.
    pub source: String,
    /// Fact values, as the facts reader gets them.
    pub facts: Vec<(String, Raw)>,
    /// `--set` settings.
    pub settings: Vec<String>,
    /// The evaluation date.
    pub at: Option<(i16, i8, i8)>,
}

struct Gen {
    style: Style,
    rng: u64,
    out: String,
    enums: Vec<(String, Vec<String>)>,
    facts: Vec<(String, Ty)>,
    params: Vec<(String, Ty)>,
    items: Vec<(String, Ty)>,
    /// Items that an expression may name: those before the one rendered.
    visible_items: usize,
    /// Rendering a param's value: only params and literals.
    in_param: bool,
}

/// Precedence levels, as in docs/LANGUAGE.md §10 (0: an operand).
const ATOM: u8 = 0;
const NEG: u8 = 1;
const RANGE: u8 = 2;
const MUL: u8 = 3;
const ADD: u8 = 4;
const CMP: u8 = 5;
const PREFIX: u8 = 6;
const AND: u8 = 7;
const OR: u8 = 8;
const IF: u8 = 9;

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32
    }

    fn coin(&mut self, one_in: u64) -> bool {
        self.next().is_multiple_of(one_in.max(1))
    }

    fn kw(&mut self, en: &'static str, zh: &'static str) -> &'static str {
        let zh_now = match self.style.surface % 3 {
            0 => false,
            1 => true,
            _ => self.coin(2),
        };
        if zh_now { zh } else { en }
    }

    fn punct(&mut self, ascii: &'static str, wide: &'static str) -> &'static str {
        if self.style.full_width && self.coin(2) {
            wide
        } else {
            ascii
        }
    }

    fn text(&mut self, i: u8) -> String {
        let t = LABELS
            .get(usize::from(i) % LABELS.len())
            .copied()
            .unwrap_or("");
        if self.style.full_width && !t.contains('\\') && self.coin(2) {
            format!("“{t}”")
        } else {
            format!("\"{t}\"")
        }
    }

    fn comment(&mut self) -> &'static str {
        if self.style.comments && self.coin(3) {
            if self.coin(2) {
                "  # 注释 \"not a string"
            } else {
                "  # note"
            }
        } else {
            ""
        }
    }

    fn own_line_comment(&mut self) {
        if self.style.comments && self.coin(4) {
            self.out.push_str("# a comment on its own line\n");
        }
    }

    fn paren(&mut self, s: String) -> String {
        let (l, r) = if self.style.full_width && self.coin(2) {
            ("（", "）")
        } else {
            ("(", ")")
        };
        format!("{l}{s}{r}")
    }

    /// `s` as an operand needing at most level `max`.
    fn operand(&mut self, (s, level): (String, u8), max: u8) -> String {
        if level > max || (!self.style.lean && level != ATOM) {
            self.paren(s)
        } else {
            s
        }
    }

    // ------------------------------------------------------------ literals

    fn number(&mut self, l: LitDesc) -> String {
        let int = l.int % 10_000;
        match l.form >> 4 {
            0..=9 => int.to_string(),
            10 | 11 => format!("{int}.{}", l.frac % 1000 + 1),
            12 => format!("{}_{:03}", int % 100 + 1, l.frac % 1000),
            13 => format!("{}e{}", int % 100, l.frac % 8),
            14 => match l.frac % 4 {
                0 => "99999999999999999999999999999".to_string(),
                1 => "0.00000000000000000000000000001".to_string(),
                2 => "79228162514264337593543950335".to_string(),
                _ => format!("{}", l.int),
            },
            _ => format!("0.{:04}", l.frac),
        }
    }

    fn date(&mut self, d: DateDesc) -> String {
        let (y, m, day) = date_parts(d);
        format!("{y:04}-{m:02}-{day:02}")
    }

    fn literal(&mut self, ty: Ty, l: LitDesc) -> String {
        let n = self.number(l);
        let pick = usize::from(l.form & 0x0f);
        match ty {
            Ty::Money => {
                const MAG: [&str; 16] = [
                    "万", "亿", "元", "万元", "千", "万亿", "千亿", "百亿", "十亿", "千万", "百万",
                    "十万", "K", "M", "B", "亿元",
                ];
                format!("{n}{}", MAG.get(pick).copied().unwrap_or("元"))
            }
            Ty::Rate => match pick {
                0..=9 => format!("{n}{}", self.punct("%", "％")),
                10 | 11 => format!(
                    "{}{}{}",
                    l.int % 10 + 1,
                    self.punct(":", "："),
                    l.frac % 4 + 1
                ),
                12 => format!("1{}{}", self.punct(":", "："), l.frac % 9 + 1),
                _ => format!("0.{}", l.frac % 100),
            },
            Ty::Count => (l.int % 1000).to_string(),
            Ty::Number => n,
            Ty::Area => {
                const AREA: [&str; 5] = [" km2", "平方米", "㎡", " m2", "平方公里"];
                format!("{n}{}", AREA.get(pick % 5).copied().unwrap_or(" m2"))
            }
            Ty::Duration => {
                const DUR: [&str; 11] = [
                    " years", " year", " months", " month", " days", " day", "个月", "年", "月",
                    "天", "日",
                ];
                format!(
                    "{} {}",
                    l.int % 40,
                    DUR.get(pick % 11).copied().unwrap_or("年").trim_start()
                )
                .replace(" 个月", "个月")
                .replace(" 年", "年")
                .replace(" 月", "月")
                .replace(" 天", "天")
                .replace(" 日", "日")
            }
            Ty::Date => self.date(DateDesc {
                year: (l.int % 65_536) as u16,
                month: l.form,
                day: (l.frac % 256) as u8,
            }),
            Ty::Bool => match pick % 4 {
                0 => "true".into(),
                1 => "false".into(),
                2 => "是".into(),
                _ => "否".into(),
            },
            Ty::Text => self.text(l.form),
            Ty::Enum(e) => self
                .enums
                .get(e)
                .and_then(|(_, vs)| vs.get(l.int as usize % vs.len().max(1)))
                .cloned()
                .unwrap_or_else(|| "true".into()),
            // No literal is a set: name a set fact, or (wrongly) a value.
            Ty::Set(e) => self
                .facts
                .iter()
                .find(|(_, t)| *t == Ty::Set(e))
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| self.literal(Ty::Enum(e), l)),
        }
    }

    /// Literals of one unit in strictly monotone order (`descending` or not),
    /// so tier tables and schedules are well ordered.
    fn ordered_literals(&mut self, ty: Ty, lits: &[LitDesc], descending: bool) -> Vec<String> {
        let mut values: Vec<u32> = lits.iter().map(|l| l.int % 900 + 1).collect();
        values.sort_unstable();
        values.dedup();
        // Keep the count: fill gaps above the largest.
        let mut next = values.last().copied().unwrap_or(0);
        while values.len() < lits.len() {
            next += 7;
            values.push(next);
        }
        if descending {
            values.reverse();
        }
        // One spelling for every row: plain integers with the same unit word.
        let form = match ty {
            Ty::Rate => lits.first().map_or(0, |l| l.form & 0x0f) % 10,
            _ => lits.first().map_or(0, |l| l.form & 0x0f),
        };
        values
            .into_iter()
            .map(|v| match ty {
                // (year, month, day) grows with v.
                Ty::Date => format!(
                    "{:04}-{:02}-{:02}",
                    2000 + v / 336,
                    v % 336 / 28 + 1,
                    v % 28 + 1
                ),
                Ty::Duration => format!("{v} days"),
                _ => self.literal(
                    ty,
                    LitDesc {
                        int: v,
                        frac: 0,
                        form,
                    },
                ),
            })
            .collect()
    }

    // ------------------------------------------------------------ names

    fn names_of(&self, ty: Ty) -> Vec<String> {
        let fits = |t: Ty| t == ty || (ty == Ty::Rate && t == Ty::Number);
        let mut out: Vec<String> = self
            .params
            .iter()
            .filter(|(_, t)| fits(*t))
            .map(|(n, _)| n.clone())
            .collect();
        if !self.in_param {
            out.extend(
                self.facts
                    .iter()
                    .filter(|(_, t)| fits(*t))
                    .map(|(n, _)| n.clone()),
            );
            out.extend(
                self.items
                    .iter()
                    .take(self.visible_items)
                    .filter(|(_, t)| fits(*t))
                    .map(|(n, _)| n.clone()),
            );
        }
        out
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, e: &ExprDesc, want: Ty, depth: u32) -> (String, u8) {
        if depth > MAX_DEPTH {
            return (
                self.literal(
                    want,
                    LitDesc {
                        int: depth,
                        frac: 0,
                        form: 0,
                    },
                ),
                ATOM,
            );
        }
        let d = depth + 1;
        match e {
            ExprDesc::Lit(l) => (self.literal(want, *l), ATOM),
            ExprDesc::Ref(i) => {
                let names = self.names_of(want);
                match names.get(usize::from(*i) % names.len().max(1)) {
                    Some(n) => (n.clone(), ATOM),
                    None => (
                        self.literal(
                            want,
                            LitDesc {
                                int: u32::from(*i),
                                frac: 0,
                                form: *i,
                            },
                        ),
                        ATOM,
                    ),
                }
            }
            ExprDesc::Neg(x) if want.numeric() || want == Ty::Duration => {
                let inner = self.expr(x, want, d);
                let s = self.operand(inner, NEG);
                let minus = self.punct("-", "−");
                (format!("{minus}{s}"), NEG)
            }
            ExprDesc::Paren(x) => {
                let (s, _) = self.expr(x, want, d);
                (self.paren(s), ATOM)
            }
            ExprDesc::Binary(op, a, b) => self.binary(*op, a, b, want, d),
            ExprDesc::Call(f, args) if want.numeric() => self.call(*f, args, want, d),
            ExprDesc::If(c, a, b) => {
                let (c, _) = self.expr(c, Ty::Bool, d);
                let (a, _) = self.expr(a, want, d);
                let (b, _) = self.expr(b, want, d);
                let (i, t, el) = (
                    self.kw("if", "如果"),
                    self.kw("then", "则"),
                    self.kw("else", "否则"),
                );
                (format!("{i} {c} {t} {a} {el} {b}"), IF)
            }
            ExprDesc::Tiers(cmp, subj, x, rows, other) => {
                self.tiers(*cmp, *subj, x, rows, other.as_deref(), want, d)
            }
            ExprDesc::Reaching(x, p, rows, other) => {
                self.reaching(x, p, rows, other.as_deref(), want, d)
            }
            ExprDesc::Schedule(base, rows, above) if want.numeric() => {
                self.schedule(base, rows, *above, want, d)
            }
            ExprDesc::Range(lo, hi) if want.numeric() => {
                let lo = self.expr(lo, want, d);
                let lo = self.operand(lo, RANGE);
                let hi = self.expr(hi, want, d);
                let hi = self.operand(hi, NEG);
                let dots = match self.next() % 4 {
                    0 if self.style.full_width => "～",
                    1 if self.style.full_width => "~",
                    _ => "..",
                };
                (format!("{lo}{dots}{hi}"), RANGE)
            }
            ExprDesc::Soft(x) if want.numeric() => {
                let inner = self.expr(x, want, d);
                let s = self.operand(inner, PREFIX);
                (format!("{} {s}", self.kw("soft", "原则上")), PREFIX)
            }
            ExprDesc::Cmp(op, ty, a, b) if want == Ty::Bool => self.compare(*op, *ty, a, b, d),
            ExprDesc::Logic(or, a, b) if want == Ty::Bool => {
                let level = if *or { OR } else { AND };
                let a = self.expr(a, Ty::Bool, d);
                let a = self.operand(a, level);
                let b = self.expr(b, Ty::Bool, d);
                let b = self.operand(b, level - 1);
                let word = if *or {
                    self.kw("or", "或")
                } else {
                    self.kw("and", "且")
                };
                (format!("{a} {word} {b}"), level)
            }
            ExprDesc::Not(x) if want == Ty::Bool => {
                let inner = self.expr(x, Ty::Bool, d);
                let s = self.operand(inner, PREFIX);
                (format!("{} {s}", self.kw("not", "非")), PREFIX)
            }
            ExprDesc::Chaos(p, t, x) if *p < 12 => {
                let other = match t % 10 {
                    0..=6 => ORDERED
                        .get(usize::from(t % 7))
                        .copied()
                        .unwrap_or(Ty::Money),
                    7 => Ty::Bool,
                    8 => Ty::Text,
                    _ => match self.enums.len() {
                        0 => Ty::Money,
                        n => Ty::Enum(usize::from(*t) % n),
                    },
                };
                self.expr(x, other, d)
            }
            ExprDesc::Chaos(_, _, x) => self.expr(x, want, d),
            // A form that does not produce the wanted unit: its first part
            // rendered as the wanted unit.
            ExprDesc::Neg(x)
            | ExprDesc::Soft(x)
            | ExprDesc::Not(x)
            | ExprDesc::Range(x, _)
            | ExprDesc::Schedule(x, _, _)
            | ExprDesc::Cmp(_, _, x, _)
            | ExprDesc::Logic(_, x, _) => self.expr(x, want, d),
            ExprDesc::Call(_, args) => match args.first() {
                Some(x) => self.expr(x, want, d),
                None => (
                    self.literal(
                        want,
                        LitDesc {
                            int: 1,
                            frac: 0,
                            form: 0,
                        },
                    ),
                    ATOM,
                ),
            },
        }
    }

    fn binary(&mut self, op: u8, a: &ExprDesc, b: &ExprDesc, want: Ty, d: u32) -> (String, u8) {
        // (left unit, operator, right unit) forms giving `want`.
        let forms: &[(Ty, &str, Ty)] = match want {
            Ty::Money => &[
                (Ty::Money, "+", Ty::Money),
                (Ty::Money, "-", Ty::Money),
                (Ty::Rate, "*", Ty::Money),
                (Ty::Money, "*", Ty::Rate),
                (Ty::Money, "*", Ty::Count),
                (Ty::Money, "*", Ty::Number),
                (Ty::Money, "/", Ty::Number),
                (Ty::Money, "/", Ty::Rate),
            ],
            Ty::Rate => &[
                (Ty::Rate, "+", Ty::Rate),
                (Ty::Rate, "-", Ty::Rate),
                (Ty::Rate, "*", Ty::Rate),
                (Ty::Money, "/", Ty::Money),
                (Ty::Rate, "/", Ty::Number),
                (Ty::Area, "/", Ty::Area),
                (Ty::Count, "/", Ty::Count),
                (Ty::Rate, "*", Ty::Number),
            ],
            Ty::Count => &[
                (Ty::Count, "+", Ty::Count),
                (Ty::Count, "-", Ty::Number),
                (Ty::Count, "*", Ty::Count),
                (Ty::Rate, "*", Ty::Count),
                (Ty::Count, "/", Ty::Number),
            ],
            Ty::Number => &[
                (Ty::Number, "+", Ty::Number),
                (Ty::Number, "-", Ty::Number),
                (Ty::Number, "*", Ty::Number),
                (Ty::Number, "/", Ty::Number),
            ],
            Ty::Area => &[
                (Ty::Area, "+", Ty::Area),
                (Ty::Area, "-", Ty::Area),
                (Ty::Area, "*", Ty::Rate),
                (Ty::Area, "/", Ty::Number),
            ],
            Ty::Duration => &[
                (Ty::Duration, "+", Ty::Duration),
                (Ty::Duration, "-", Ty::Duration),
                (Ty::Date, "-", Ty::Date),
                (Ty::Duration, "*", Ty::Count),
                (Ty::Duration, "/", Ty::Number),
            ],
            Ty::Date => &[
                (Ty::Date, "+", Ty::Duration),
                (Ty::Date, "-", Ty::Duration),
                (Ty::Duration, "+", Ty::Date),
            ],
            Ty::Bool => {
                return self.compare(op, op >> 3, a, b, d);
            }
            _ => return self.expr(a, want, d),
        };
        let Some(&(lt, sym, rt)) = forms.get(usize::from(op) % forms.len()) else {
            return self.expr(a, want, d);
        };
        let level = if sym == "+" || sym == "-" { ADD } else { MUL };
        let l = self.expr(a, lt, d);
        let l = self.operand(l, level);
        let r = self.expr(b, rt, d);
        let r = self.operand(r, level - 1);
        let sym = match sym {
            "-" => self.punct("-", "−"),
            "*" => self.punct("*", "×"),
            "/" => self.punct("/", "÷"),
            s => s,
        };
        (format!("{l} {sym} {r}"), level)
    }

    fn compare(&mut self, op: u8, ty: u8, a: &ExprDesc, b: &ExprDesc, d: u32) -> (String, u8) {
        let kinds = 3 + usize::from(!self.enums.is_empty()) * 2;
        let sort = usize::from(ty) % (ORDERED.len() + kinds);
        let (lt, rt, sym): (Ty, Ty, &str) = if let Some(t) = ORDERED.get(sort) {
            const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
            (
                *t,
                *t,
                OPS.get(usize::from(op) % 6).copied().unwrap_or(">="),
            )
        } else {
            let e = usize::from(op) % self.enums.len().max(1);
            match sort - ORDERED.len() {
                0 => (
                    Ty::Bool,
                    Ty::Bool,
                    if op.is_multiple_of(2) { "==" } else { "!=" },
                ),
                1 => (Ty::Text, Ty::Text, "=="),
                2 => (Ty::Bool, Ty::Bool, "=="),
                3 => (
                    Ty::Enum(e),
                    Ty::Enum(e),
                    if op.is_multiple_of(2) { "==" } else { "!=" },
                ),
                _ => (Ty::Enum(e), Ty::Set(e), "in"),
            }
        };
        let l = self.expr(a, lt, d);
        let l = self.operand(l, CMP - 1);
        let r = self.expr(b, rt, d);
        let r = self.operand(r, CMP - 1);
        let sym = match sym {
            "<=" => self.punct("<=", "≤"),
            ">=" => self.punct(">=", "≥"),
            "!=" => self.punct("!=", "≠"),
            "in" => self.kw("in", "属于"),
            s => s,
        };
        (format!("{l} {sym} {r}"), CMP)
    }

    fn call(&mut self, f: u8, args: &[ExprDesc], want: Ty, d: u32) -> (String, u8) {
        let (name, count) = match f % 4 {
            0 => (self.kw("min", "取小"), args.len().clamp(1, 4)),
            1 => (self.kw("max", "取大"), args.len().clamp(1, 4)),
            2 => (self.kw("clamp", "限定"), 3),
            _ => (self.kw("round", "取整"), 2),
        };
        // Rarely, the wrong number of arguments.
        let count = if f >= 248 { args.len().min(5) } else { count };
        let mut parts = Vec::new();
        for i in 0..count {
            let s = match args.get(i) {
                Some(a) => self.expr(a, want, d).0,
                None => self.literal(
                    want,
                    LitDesc {
                        int: i as u32 + 1,
                        frac: 0,
                        form: f,
                    },
                ),
            };
            parts.push(s);
        }
        let comma = self.punct(", ", "，");
        let joined = parts.join(comma);
        (format!("{name}{}", self.paren(joined)), ATOM)
    }

    fn rows_end(&mut self) -> &'static str {
        if self.coin(2) {
            self.punct(",", "；")
        } else {
            ""
        }
    }

    fn arrow_rows(&mut self, thresholds: Vec<String>, values: Vec<String>) -> String {
        let mut s = String::new();
        for (t, v) in thresholds.into_iter().zip(values) {
            // A row after a value must not start with `-` (read as a
            // subtraction); every threshold here is a literal.
            let end = self.rows_end();
            s.push_str(&format!("\n    {t} => {v}{end}"));
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn tiers(
        &mut self,
        cmp: u8,
        subj: u8,
        x: &ExprDesc,
        rows: &[(LitDesc, ExprDesc)],
        other: Option<&ExprDesc>,
        want: Ty,
        d: u32,
    ) -> (String, u8) {
        let st = ORDERED
            .get(usize::from(subj) % ORDERED.len())
            .copied()
            .unwrap_or(Ty::Money);
        let rows = table_rows(rows, cmp >= 250);
        let (head, descending) = match cmp % 6 {
            0 | 1 => ("", true),
            2 => (" >=", true),
            3 => (" >", true),
            4 => (" <=", false),
            _ => (" <", false),
        };
        let lits: Vec<LitDesc> = rows.iter().map(|r| r.0).collect();
        let thresholds = if cmp >= 250 {
            // Unordered thresholds, rarely.
            lits.iter().map(|l| self.literal(st, *l)).collect()
        } else {
            self.ordered_literals(st, &lits, descending)
        };
        let values: Vec<String> = rows.iter().map(|r| self.expr(&r.1, want, d).0).collect();
        let (subject, _) = self.expr(x, st, d);
        let mut s = format!("{} {subject}{head} {{", self.kw("tiers", "分档"));
        s.push_str(&self.arrow_rows(thresholds, values));
        if let Some(o) = other {
            let (v, _) = self.expr(o, want, d);
            s.push_str(&format!("\n    {} => {v}", self.kw("else", "否则")));
        }
        s.push_str("\n  }");
        (s, ATOM)
    }

    fn reaching(
        &mut self,
        x: &ExprDesc,
        p: &ExprDesc,
        rows: &[(LitDesc, ExprDesc)],
        other: Option<&ExprDesc>,
        want: Ty,
        d: u32,
    ) -> (String, u8) {
        let rows = table_rows(rows, false);
        let lits: Vec<LitDesc> = rows.iter().map(|r| r.0).collect();
        let thresholds = self.ordered_literals(Ty::Money, &lits, true);
        let values: Vec<String> = rows.iter().map(|r| self.expr(&r.1, want, d).0).collect();
        let (x, _) = self.expr(x, Ty::Money, d);
        let (p, _) = self.expr(p, Ty::Money, d);
        let mut s = format!(
            "{} {x} {} {p} {{",
            self.kw("first reaching", "首次达到"),
            self.kw("over", "相对")
        );
        s.push_str(&self.arrow_rows(thresholds, values));
        if let Some(o) = other {
            let (v, _) = self.expr(o, want, d);
            s.push_str(&format!("\n    {} => {v}", self.kw("else", "否则")));
        }
        s.push_str("\n  }");
        (s, ATOM)
    }

    fn schedule(
        &mut self,
        base: &ExprDesc,
        rows: &[(LitDesc, LitDesc)],
        above: Option<LitDesc>,
        want: Ty,
        d: u32,
    ) -> (String, u8) {
        let rows = table_rows(rows, false);
        let lits: Vec<LitDesc> = rows.iter().map(|r| r.0).collect();
        let bounds = self.ordered_literals(want, &lits, false);
        let rates: Vec<String> = rows.iter().map(|r| self.literal(Ty::Rate, r.1)).collect();
        let (b, _) = self.expr(base, want, d);
        let mut s = format!("{} {b} {{", self.kw("schedule", "累进"));
        s.push_str(&self.arrow_rows(bounds, rates));
        if let Some(a) = above {
            let r = self.literal(Ty::Rate, a);
            s.push_str(&format!("\n    {} => {r}", self.kw("above", "以上")));
        }
        s.push_str("\n  }");
        (s, ATOM)
    }

    // ------------------------------------------------------------ declarations

    fn ty(&self, t: TyDesc) -> Ty {
        let n = self.enums.len();
        match t {
            TyDesc::Money => Ty::Money,
            TyDesc::Rate => Ty::Rate,
            TyDesc::Count => Ty::Count,
            TyDesc::Area => Ty::Area,
            TyDesc::Duration => Ty::Duration,
            TyDesc::Date => Ty::Date,
            TyDesc::Bool => Ty::Bool,
            TyDesc::Text => Ty::Text,
            TyDesc::Enum(e) if n > 0 => Ty::Enum(usize::from(e) % n),
            TyDesc::Set(e) if n > 0 => Ty::Set(usize::from(e) % n),
            TyDesc::Enum(_) | TyDesc::Set(_) => Ty::Money,
        }
    }

    fn type_name(&mut self, t: Ty) -> String {
        match t {
            Ty::Money => self.kw("money", "金额").into(),
            Ty::Rate => self.kw("rate", "比率").into(),
            Ty::Count => self.kw("count", "数量").into(),
            Ty::Number => self.kw("rate", "比率").into(),
            Ty::Area => self.kw("area", "面积").into(),
            Ty::Duration => self.kw("duration", "期限").into(),
            Ty::Date => self.kw("date", "日期").into(),
            Ty::Bool => self.kw("bool", "布尔").into(),
            Ty::Text => self.kw("text", "文本").into(),
            Ty::Enum(e) => self.enums.get(e).map(|x| x.0.clone()).unwrap_or_default(),
            Ty::Set(e) => {
                let name = self.enums.get(e).map(|x| x.0.clone()).unwrap_or_default();
                format!("{} {name}", self.kw("set of", "集合"))
            }
        }
    }

    fn label(&mut self, l: Option<u8>) -> String {
        match l {
            Some(i) => format!(" {}", self.text(i)),
            None => String::new(),
        }
    }

    fn item_ty(&self, k: KindDesc) -> Ty {
        match k {
            KindDesc::Subsidy
            | KindDesc::Award
            | KindDesc::InterestSubsidy
            | KindDesc::Matching => Ty::Money,
            KindDesc::Benefit(t) => match self.ty(t) {
                Ty::Set(e) => Ty::Enum(e),
                t => t,
            },
            KindDesc::Eligibility | KindDesc::Target => Ty::Bool,
            KindDesc::Commitment => Ty::Text,
        }
    }

    fn item(&mut self, it: &ItemDesc, index: usize) {
        let (name, ty) = self.items.get(index).cloned().unwrap_or_default_item();
        let kind = match it.kind {
            KindDesc::Subsidy => self.kw("subsidy", "资助"),
            KindDesc::Award => self.kw("award", "奖励"),
            KindDesc::InterestSubsidy => self.kw("interest_subsidy", "贴息"),
            KindDesc::Matching => self.kw("matching", "配套"),
            KindDesc::Benefit(_) => self.kw("benefit", "待遇"),
            KindDesc::Eligibility => self.kw("eligibility", "资格"),
            KindDesc::Target => self.kw("target", "目标"),
            KindDesc::Commitment => self.kw("commitment", "承诺"),
        };
        let label = self.label(it.label);
        self.visible_items = index;
        let body = if it.kind == KindDesc::Commitment && it.bound < 250 {
            self.text(it.bound)
        } else {
            let bound = match (it.kind, it.bound) {
                (KindDesc::Benefit(_), 0..=39) | (_, 255) => Some(self.kw("at most", "不超过")),
                (KindDesc::Benefit(_), 40..=79) | (_, 254) => Some(self.kw("at least", "不少于")),
                _ => None,
            };
            let (v, level) = self.expr(&it.body, ty, 0);
            match bound {
                Some(b) => {
                    let soft = if it.soft_bound {
                        format!("{} ", self.kw("soft", "原则上"))
                    } else {
                        String::new()
                    };
                    let v = if level >= PREFIX && !soft.is_empty() {
                        self.paren(v)
                    } else {
                        v
                    };
                    format!("{b} {soft}{v}")
                }
                None => v,
            }
        };
        let c = self.comment();
        self.out
            .push_str(&format!("  {kind} {name}{label} = {body}{c}\n"));
        if let Some(w) = &it.when {
            let (w, _) = self.expr(w, Ty::Bool, 0);
            let kw = self.kw("when", "条件");
            self.out.push_str(&format!("    {kw} {w}\n"));
        }
        if let Some(by) = it
            .by
            .filter(|_| it.kind == KindDesc::Target || it.dup == 255)
        {
            let date = self.date(by);
            let kw = self.kw("by", "截至");
            self.out.push_str(&format!("    {kw} {date}\n"));
        }
        if let Some(c) = it
            .concerns
            .filter(|_| it.kind == KindDesc::Commitment || it.dup == 254)
        {
            let t = self.text(c);
            let kw = self.kw("concerns", "涉及");
            self.out.push_str(&format!("    {kw} {t}\n"));
        }
    }

    fn measure(&mut self, m: &MeasureDesc, number: &mut u32, first_item: &mut usize) {
        *number += u32::from(m.step % 4);
        if m.step.is_multiple_of(4) && m.step != 0 {
            *number += 1;
        }
        let title = self.text(m.title);
        let (mw, lb, rb) = (
            self.kw("measure", "措施"),
            self.punct("{", "｛"),
            self.punct("}", "｝"),
        );
        let c = self.comment();
        self.own_line_comment();
        self.out
            .push_str(&format!("{mw} {number} {title} {lb}{c}\n"));
        for (cites, it) in m.items.iter().take(6) {
            for cite in cites.iter().take(2) {
                let t = self.text(*cite);
                let kw = self.kw("cite", "原文");
                self.out.push_str(&format!("  {kw} {t}\n"));
            }
            self.own_line_comment();
            self.item(it, *first_item);
            *first_item += 1;
        }
        self.out.push_str(&format!("{rb}\n"));
    }
}

trait OrDefaultItem {
    fn unwrap_or_default_item(self) -> (String, Ty);
}

impl OrDefaultItem for Option<(String, Ty)> {
    fn unwrap_or_default_item(self) -> (String, Ty) {
        self.unwrap_or_else(|| ("missing".into(), Ty::Money))
    }
}

/// At most six rows of a table, and at least one unless `empty_ok`.
fn table_rows<T: Clone + Default>(rows: &[T], empty_ok: bool) -> Vec<T> {
    let mut rows: Vec<T> = rows.iter().take(6).cloned().collect();
    if rows.is_empty() && !empty_ok {
        rows.push(T::default());
    }
    rows
}

fn date_parts(d: DateDesc) -> (u32, u32, u32) {
    let year = match d.year {
        0..=65_000 => 1990 + u32::from(d.year) % 60,
        65_001..=65_300 => u32::from(d.year) % 10_000,
        _ => 9999,
    };
    let (month, day) = if d.month >= 250 {
        (u32::from(d.month) % 14, u32::from(d.day) % 33)
    } else {
        (u32::from(d.month) % 12 + 1, u32::from(d.day) % 28 + 1)
    };
    (year, month, day)
}

/// The facts reader's form of a value.
fn raw_value(g: &mut Gen, ty: Ty, v: ValueDesc) -> Raw {
    match (ty, v.form % 8) {
        (Ty::Bool, f) => Raw::Bool(f % 2 == 0),
        (Ty::Set(e), _) => {
            let vs = g.enums.get(e).map(|x| x.1.clone()).unwrap_or_default();
            let picked = vs
                .iter()
                .enumerate()
                .filter(|(i, _)| v.lit.int >> (i % 32) & 1 == 1)
                .map(|(_, n)| Raw::Str(n.clone()))
                .collect();
            Raw::List(picked)
        }
        (Ty::Money | Ty::Count | Ty::Area | Ty::Rate, 0) => Raw::Number(g.number(v.lit)),
        (_, 7) if v.form > 200 => Raw::Str(g.literal(Ty::Money, v.lit)),
        (Ty::Text, _) => Raw::Str(format!("text {}", v.lit.int)),
        (t, _) => Raw::Str(g.literal(t, v.lit).trim_matches('"').to_string()),
    }
}

/// Renders a description to decree text and the evaluation's inputs.
fn render_desc(p: &ProgramDesc) -> Case {
    let mut g = Gen {
        style: p.style,
        rng: p.style.seed,
        out: String::new(),
        enums: Vec::new(),
        facts: Vec::new(),
        params: Vec::new(),
        items: Vec::new(),
        visible_items: 0,
        in_param: false,
    };
    // Names first, so any declaration may name any other.
    for (i, e) in p.enums.iter().take(3).enumerate() {
        let variants = (0..e.variants.len().clamp(1, 5))
            .map(|j| format!("v{i}_{j}"))
            .collect();
        g.enums.push((format!("e{i}"), variants));
    }
    for (i, f) in p.facts.iter().take(10).enumerate() {
        let name = if f.chinese {
            format!("产值{i}")
        } else {
            format!("f{i}")
        };
        let ty = g.ty(f.ty);
        g.facts.push((name, ty));
    }
    for (i, pd) in p.params.iter().take(6).enumerate() {
        let ty = match g.ty(pd.ty) {
            Ty::Set(e) => Ty::Enum(e),
            t => t,
        };
        g.params.push((format!("p{i}"), ty));
    }
    let all_measures: Vec<&MeasureDesc> = p
        .chapters
        .iter()
        .take(2)
        .flat_map(|c| c.measures.iter().take(3))
        .chain(p.measures.iter().take(4))
        .collect();
    for m in &all_measures {
        for (_, it) in m.items.iter().take(6) {
            let n = g.items.len();
            let name = match (it.dup < 4, g.items.last()) {
                (true, Some((prev, _))) => prev.clone(),
                _ if n % 3 == 2 => format!("项目{n}"),
                _ => format!("i{n}"),
            };
            let ty = g.item_ty(it.kind);
            g.items.push((name, ty));
        }
    }

    g.out
        .push_str("# generated by the structured fuzz target\n");
    if let Some(h) = &p.header {
        let title = g.text(h.title);
        let (pw, lb, rb) = (
            g.kw("policy", "政策"),
            g.punct("{", "｛"),
            g.punct("}", "｝"),
        );
        g.out.push_str(&format!("{pw} {title} {lb}\n"));
        let issued = match h.issued {
            Some(d) => g.date(d),
            None => g.kw("tbd", "待定").to_string(),
        };
        let iw = g.kw("issued", "印发");
        g.out.push_str(&format!("  {iw} {issued}\n"));
        if let Some((n, u)) = h.valid {
            let unit = match u % 4 {
                0 => "years",
                1 => "年",
                2 => "months",
                _ => "days",
            };
            let n = if u >= 250 {
                u32::from(n)
            } else {
                u32::from(n % 10) + 1
            };
            let n = if unit == "年" {
                format!("{n}年")
            } else {
                format!("{n} {unit}")
            };
            let vw = g.kw("valid", "有效期");
            g.out.push_str(&format!("  {vw} {n}\n"));
        }
        g.out.push_str(&format!("{rb}\n"));
    }
    for (i, e) in p.enums.iter().take(3).enumerate() {
        let (name, variants) = g.enums.get(i).cloned().unwrap_or_default();
        let kw = g.kw("enum", "枚举");
        let mut parts = Vec::new();
        for (j, v) in variants.iter().enumerate() {
            let l = g.label(e.variants.get(j).copied().flatten());
            parts.push(format!("{v}{l}"));
        }
        let comma = g.punct(", ", "，");
        g.out
            .push_str(&format!("{kw} {name} {{ {} }}\n", parts.join(comma)));
    }
    for (i, f) in p.facts.iter().take(10).enumerate() {
        let (name, ty) = g.facts.get(i).cloned().unwrap_or_default_item();
        let (kw, colon) = (g.kw("fact", "事实"), g.punct(":", "："));
        let t = g.type_name(ty);
        let l = g.label(f.label);
        let c = g.comment();
        g.out.push_str(&format!("{kw} {name}{colon} {t}{l}{c}\n"));
    }
    g.in_param = true;
    for (i, pd) in p.params.iter().take(6).enumerate() {
        let (name, ty) = g.params.get(i).cloned().unwrap_or_default_item();
        let (kw, colon) = (g.kw("param", "参数"), g.punct(":", "："));
        let t = g.type_name(ty);
        // A param names only params before it (in a circle, rarely).
        let saved = std::mem::take(&mut g.params);
        let upto = if pd.label == Some(255) {
            saved.len()
        } else {
            i
        };
        g.params = saved.iter().take(upto).cloned().collect();
        let value = match &pd.value {
            Some(e) => g.expr(e, ty, 0).0,
            None => g.kw("tbd", "待定").to_string(),
        };
        g.params = saved;
        let l = g.label(pd.label);
        g.out
            .push_str(&format!("{kw} {name}{colon} {t} = {value}{l}\n"));
    }
    g.in_param = false;

    let mut number = 0u32;
    let mut first_item = 0usize;
    for (ci, ch) in p.chapters.iter().take(2).enumerate() {
        let title = g.text(ch.title);
        let kw = g.kw("chapter", "章");
        g.out.push_str(&format!("{kw} {} {title} {{\n", ci + 1));
        for cite in ch.cites.iter().take(2) {
            let t = g.text(*cite);
            let kw = g.kw("cite", "原文");
            g.out.push_str(&format!("  {kw} {t}\n"));
        }
        for m in ch.measures.iter().take(3) {
            g.measure(m, &mut number, &mut first_item);
        }
        g.out.push_str("}\n");
    }
    for m in p.measures.iter().take(4) {
        g.measure(m, &mut number, &mut first_item);
    }

    g.visible_items = g.items.len();
    for (ti, t) in p.tests.iter().take(2).enumerate() {
        let kw = g.kw("test", "测试");
        g.out.push_str(&format!("{kw} \"test {ti}\" {{\n"));
        if !t.facts.is_empty() {
            let kw = g.kw("facts", "事实为");
            g.out.push_str(&format!("  {kw} {{\n"));
            for (f, l) in t.facts.iter().take(6) {
                let Some((name, ty)) = g.facts.get(usize::from(*f) % g.facts.len().max(1)).cloned()
                else {
                    continue;
                };
                let v = match ty {
                    Ty::Set(e) => {
                        let vs = g.enums.get(e).map(|x| x.1.clone()).unwrap_or_default();
                        let n = (l.int as usize) % (vs.len() + 1);
                        format!(
                            "[{}]",
                            vs.iter().take(n).cloned().collect::<Vec<_>>().join(", ")
                        )
                    }
                    _ => g.literal(ty, *l),
                };
                g.out.push_str(&format!("    {name} = {v}\n"));
            }
            g.out.push_str("  }\n");
        }
        for (pi, l) in t.sets.iter().take(2) {
            let Some((name, ty)) = g
                .params
                .get(usize::from(*pi) % g.params.len().max(1))
                .cloned()
            else {
                continue;
            };
            let v = g.literal(ty, *l);
            let kw = g.kw("set", "设定");
            g.out.push_str(&format!("  {kw} {name} = {v}\n"));
        }
        if let Some(at) = t.at {
            let d = g.date(at);
            let kw = g.kw("at", "评估日");
            g.out.push_str(&format!("  {kw} {d}\n"));
        }
        for (ii, how, l) in t.expects.iter().take(4) {
            let Some((name, ty)) = g
                .items
                .get(usize::from(*ii) % g.items.len().max(1))
                .cloned()
            else {
                continue;
            };
            const STATUS: [(&str, &str); 7] = [
                ("granted", "给予"),
                ("ineligible", "不符合"),
                ("undetermined", "未定"),
                ("not_in_force", "未生效"),
                ("met", "已达成"),
                ("not_met", "未达成"),
                ("listed", "列明"),
            ];
            let what = match STATUS.get(usize::from(*how % 16)) {
                Some((en, zh)) => {
                    let s = g.kw(en, zh).to_string();
                    if *en == "undetermined" && !g.facts.is_empty() && how % 32 < 16 {
                        let f = g
                            .facts
                            .get(l.int as usize % g.facts.len())
                            .map(|x| x.0.clone())
                            .unwrap_or_default();
                        format!("{s} {} {f}", g.kw("by", "截至"))
                    } else {
                        s
                    }
                }
                None if *how % 16 == 7 && ty.numeric() => {
                    format!("{} {}", g.kw("at most", "不超过"), g.literal(ty, *l))
                }
                None if *how % 16 == 8 && ty.numeric() => {
                    format!("{} {}", g.kw("soft", "原则上"), g.literal(ty, *l))
                }
                None if *how % 16 == 9 && ty.numeric() => {
                    let a = g.literal(ty, *l);
                    let b = g.literal(
                        ty,
                        LitDesc {
                            int: l.int.wrapping_add(7),
                            ..*l
                        },
                    );
                    format!("{a}..{b}")
                }
                None => g.literal(ty, *l),
            };
            let kw = g.kw("expect", "预期");
            g.out.push_str(&format!("  {kw} {name} = {what}\n"));
        }
        g.out.push_str("}\n");
    }

    let mut case = Case {
        source: std::mem::take(&mut g.out),
        ..Case::default()
    };
    let facts = g.facts.clone();
    for ((name, ty), v) in facts.iter().zip(&p.values) {
        if let Some(v) = v {
            let raw = raw_value(&mut g, *ty, *v);
            case.facts.push((name.clone(), raw));
        }
    }
    for s in p.settings.iter().take(3) {
        let params = g.params.clone();
        let text = match params.get(usize::from(s.target) % (params.len() + 1)) {
            Some((name, ty)) => {
                let v = match raw_value(&mut g, *ty, s.value) {
                    Raw::Bool(b) => b.to_string(),
                    Raw::Number(n) | Raw::Str(n) => n,
                    _ => String::new(),
                };
                format!("{name}={v}")
            }
            None => format!(
                "issued={}",
                g.date(DateDesc {
                    year: s.value.lit.frac,
                    month: s.value.form,
                    day: (s.value.lit.int % 256) as u8,
                })
            ),
        };
        case.settings.push(text);
    }
    case.at = p.at.map(|d| {
        let (y, m, day) = date_parts(d);
        (
            i16::try_from(y).unwrap_or(9999),
            i8::try_from(m).unwrap_or(1),
            i8::try_from(day).unwrap_or(1),
        )
    });
    case
}

/// What the `structured` target makes of an input (for reading reproducers).
pub fn render(data: &[u8]) -> Case {
    let mut u = Unstructured::new(data);
    match ProgramDesc::arbitrary(&mut u) {
        Ok(p) => render_desc(&p),
        Err(_) => Case::default(),
    }
}

/// Bytes read as a [`ProgramDesc`]: the rendered policy through the whole
/// pipeline, evaluated with the rendered facts, settings and date (and with
/// no facts at all), under every law of [`whole_pipeline`].
pub fn structured(data: &[u8]) {
    let case = render(data);
    if case.source.is_empty() {
        return;
    }
    whole_pipeline(&case.source, |policy| {
        let mut facts = Facts::default();
        for (name, raw) in &case.facts {
            let fact = policy.fact_named(name).map(|(id, f)| (id, f.unit));
            if let Some((id, unit)) = fact {
                if let Ok(Some(v)) = decree::facts::convert(policy, unit, raw) {
                    facts.set(id, v);
                }
            }
        }
        vec![(facts, case_options(policy, &case))]
    });
}

/// The evaluation options a rendered case asks for: its date and its
/// `--set` settings (a setting the policy refuses is a sound diagnostic,
/// and left out).
fn case_options(policy: &Policy, case: &Case) -> Options {
    let mut options = Options {
        at: case
            .at
            .and_then(|(y, m, d)| jiff::civil::Date::new(y, m, d).ok()),
        ..Options::default()
    };
    for s in &case.settings {
        if let Err(d) = decree::facts::apply_setting(policy, s, &mut options) {
            diagnostics_are_sound(&[d]);
        }
    }
    options
}

/// How many inputs of `data` chunks render to a policy that checks, out of
/// how many rendered (used to tune the generator).
pub fn well_formed(inputs: &[Vec<u8>]) -> (usize, usize) {
    let mut ok = 0;
    let mut all = 0;
    for data in inputs {
        let case = render(data);
        if case.source.is_empty() {
            continue;
        }
        all += 1;
        let source = SourceFile::new("structured.decree", case.source.as_str());
        if decree::load_with(&source, &Limits::default()).is_ok() {
            ok += 1;
        }
    }
    (ok, all)
}

// ================================================================ target: plan_vs_interpreter

/// A generated policy and a generated population for it.
#[derive(Arbitrary, Debug, Clone)]
pub struct PopulationDesc {
    /// The policy (its own facts' values are the population's first row).
    pub program: ProgramDesc,
    /// Further rows: one cell choice per fact, in declaration order (a
    /// short row leaves the rest of its cells empty).
    pub rows: Vec<Vec<CellDesc>>,
    /// Add a column that names no fact (a warning, read past).
    pub unknown_column: bool,
}

/// How one CSV cell is spelt for its fact's type.
#[derive(Arbitrary, Debug, Clone, Copy, Default)]
pub struct CellDesc {
    /// Which spelling (empty, plain, with a unit, odd, wrong, …).
    pub form: u8,
    /// The number it spells.
    pub n: u32,
}

/// Rows of a population after the first (the fuzzer's budget is better
/// spent on many small populations).
const MAX_ROWS: usize = 24;

/// One cell of a fact of unit `unit`, as a register might write it: most
/// forms read as a value of the fact's type; some are empty (the fact is
/// missing), some carry more decimals than a fixed-point column holds,
/// some are huge or negative, and some cannot be read at all (the row is
/// rejected, in its place).
fn cell(policy: &Policy, unit: Unit, c: CellDesc) -> String {
    let n = c.n;
    let variants = |e: usize| {
        policy
            .enums
            .get(e)
            .map(|e| e.variants.clone())
            .unwrap_or_default()
    };
    match (c.form % 10, unit) {
        (0, _) => String::new(),
        (9, _) => pick(
            &["abc", "1e5", "--", "１２", "99999999999999999999999999999"],
            n,
        ),
        (_, Unit::Bool) => pick(
            &["true", "false", "是", "否", "TRUE", "False", "yes", "0"],
            n,
        ),
        (f, Unit::Money) => match f {
            1 => n.to_string(),
            2 => format!("{}.{:02}", n / 100, n % 100),
            3 => format!("{}万", n % 100_000),
            4 => format!("{}.{:03}", n / 1000, n % 1000),
            5 => format!("-{}", n % 1000),
            6 => format!("{}.{}亿", n % 3000, n % 10),
            7 => format!("{}元", n),
            _ => format!("{n}{n:09}"),
        },
        (f, Unit::Rate) => match f {
            1 | 2 => format!("{}%", n % 200),
            3 => format!("0.{:03}", n % 1000),
            4 => format!("{}.{:03}%", n % 100, n % 1000),
            5 => format!("-{}%", n % 50),
            _ => format!("{}", n % 3),
        },
        (f, Unit::Duration) => match f {
            1 | 2 => format!("{} years", n % 20),
            3 | 4 => format!("{} months", n % 240),
            5 => format!("{} days", n % 900),
            _ => format!("{}年", n % 20),
        },
        (f, Unit::Date) => match f {
            1..=4 => format!("{}-{:02}-{:02}", 2018 + n % 10, 1 + n % 12, 1 + n % 28),
            5 => "2024-02-30".into(),
            _ => format!("{}年{}月{}日", 2018 + n % 10, 1 + n % 12, 1 + n % 28),
        },
        (f, Unit::Text) => match f {
            1..=4 => format!("name {n}"),
            5 => "a, \"quoted\" name".into(),
            _ => "名称".into(),
        },
        (f, Unit::Enum(e)) => {
            let vs = variants(e);
            match vs.get(n as usize % vs.len().max(1)) {
                Some((_, Some(label))) if f % 2 == 0 => label.clone(),
                Some((name, _)) => name.clone(),
                None => "none".into(),
            }
        }
        (f, Unit::Set(e)) => {
            let vs = variants(e);
            let picked: Vec<&str> = vs
                .iter()
                .enumerate()
                .filter(|(i, _)| n >> (i % 32) & 1 == 1)
                .map(|(_, (name, label))| match label {
                    Some(l) if f % 2 == 0 => l.as_str(),
                    _ => name.as_str(),
                })
                .collect();
            if picked.is_empty() {
                "[]".into()
            } else {
                picked.join(if f % 3 == 0 { "；" } else { ";" })
            }
        }
        (f, _) => match f {
            1..=3 => (n % 1000).to_string(),
            4 => format!("{}.{}", n % 100, n % 10),
            5 => format!("-{}", n % 100),
            _ => format!("{}.{:04}", n % 100, n % 10_000),
        },
    }
}

/// The `n`th of `spellings`, round and round.
fn pick(spellings: &[&str], n: u32) -> String {
    let i = n as usize % spellings.len().max(1);
    spellings.get(i).copied().unwrap_or_default().to_string()
}

/// A generated fact value (the rendered case's own) as a CSV cell.
fn raw_cell(raw: &Raw) -> String {
    match raw {
        Raw::Bool(b) => b.to_string(),
        Raw::Number(t) | Raw::Str(t) => t.clone(),
        Raw::List(items) => {
            let texts: Vec<String> = items.iter().map(raw_cell).collect();
            if texts.is_empty() {
                "[]".into()
            } else {
                texts.join(";")
            }
        }
        _ => String::new(),
    }
}

/// A cell quoted as CSV needs it.
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The population as CSV text: a column per fact (but list facts, which a
/// CSV gives as record columns), the case's own values first, then the
/// generated rows.
fn population_csv(policy: &Policy, case: &Case, desc: &PopulationDesc) -> String {
    let facts: Vec<_> = policy
        .facts
        .iter()
        .filter(|f| !matches!(f.unit, Unit::List(_)))
        .collect();
    let mut header: Vec<String> = facts.iter().map(|f| f.name.clone()).collect();
    if desc.unknown_column {
        header.push("not_a_fact".into());
    }
    let mut text = header.join(",");
    text.push('\n');
    let own: Vec<String> = facts
        .iter()
        .map(|f| {
            case.facts
                .iter()
                .find(|(name, _)| *name == f.name)
                .map_or(String::new(), |(_, raw)| quoted(&raw_cell(raw)))
        })
        .collect();
    let mut lines = vec![own];
    for cells in desc.rows.iter().take(MAX_ROWS) {
        let row = facts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                quoted(&cell(
                    policy,
                    f.unit,
                    cells.get(i).copied().unwrap_or_default(),
                ))
            })
            .collect();
        lines.push(row);
    }
    for mut line in lines {
        if desc.unknown_column {
            line.push("x".into());
        }
        text.push_str(&line.join(","));
        text.push('\n');
    }
    text
}

/// `text` through the population loop with `settings`: the rows, the
/// rejected rows, or the run's error.
fn population_run(
    policy: &Policy,
    text: &str,
    settings: &Settings,
) -> Option<Result<Collect, Diagnostic>> {
    let read = decree::population::read::ReadOptions {
        name: "fuzz.csv".into(),
        ..Default::default()
    };
    let (mut csv, _) = decree::population::read::Csv::new(policy, text.as_bytes(), &read).ok()?;
    let mut sink = Collect::default();
    Some(decree::population::run(&mut csv, &mut sink, settings, |_| {}).map(|_| sink))
}

/// Bytes read as a [`PopulationDesc`]: the rendered policy, when it checks,
/// over a generated CSV population through `population::run` twice — lean
/// (the compiled plan for what it compiles, the interpreter for the rest)
/// and full (every row through the interpreter, explanations built) — must
/// give the same rows digit for digit: every status, amount, range, cause,
/// error and total, the same rejected rows in the same places, or the same
/// error.
pub fn plan_vs_interpreter(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(desc) = PopulationDesc::arbitrary(&mut u) else {
        return;
    };
    let case = render_desc(&desc.program);
    let source = SourceFile::new("fuzz.decree", case.source.as_str());
    let Ok(policy) = decree::load_with(&source, &Limits::default()) else {
        return;
    };
    let options = case_options(&policy, &case);
    let text = population_csv(&policy, &case, &desc);
    // DECREE_FUZZ_SHOW=1: print the rendered policy, to read a finding.
    if std::env::var_os("DECREE_FUZZ_SHOW").is_some() {
        eprintln!("{}", case.source);
    }
    let lean = population_run(&policy, &text, &Settings::lean(options.clone()));
    let full = population_run(&policy, &text, &Settings::full(options));
    match (lean, full) {
        (None, None) => {}
        (Some(Ok(lean)), Some(Ok(full))) => {
            assert_eq!(lean.rejected, full.rejected, "rejected rows differ\n{text}");
            assert_eq!(
                lean.rows.len(),
                full.rows.len(),
                "row counts differ\n{text}"
            );
            for (i, (l, f)) in lean.rows.iter().zip(&full.rows).enumerate() {
                assert_eq!(
                    l, f,
                    "row {i}: the plan and the interpreter disagree\n{text}"
                );
                // Digit for digit, not only equal as numbers (2.50 ≠ 2.5).
                let digits = |r: &RowResult| {
                    let items: Vec<String> = r
                        .items
                        .iter()
                        .map(|o| format!("{:?} {:?}", o.min, o.max))
                        .collect();
                    (items, r.total_min.to_string(), r.total_max.to_string())
                };
                assert_eq!(digits(l), digits(f), "row {i}: digits differ\n{text}");
            }
        }
        (Some(Err(l)), Some(Err(f))) => assert_eq!(l.message, f.message, "{text}"),
        (l, f) => panic!("the runs end differently: lean {l:?}, full {f:?}\n{text}"),
    }
}

/// Of `inputs` read as [`PopulationDesc`]s: how many render, how many of
/// those check, and how many of those the plan compiles (used to see that
/// `plan_vs_interpreter` reaches the plan).
pub fn population_reach(inputs: &[Vec<u8>]) -> (usize, usize, usize) {
    let (mut all, mut checked, mut planned) = (0, 0, 0);
    for data in inputs {
        let mut u = Unstructured::new(data);
        let Ok(desc) = PopulationDesc::arbitrary(&mut u) else {
            continue;
        };
        let case = render_desc(&desc.program);
        all += 1;
        let source = SourceFile::new("fuzz.decree", case.source.as_str());
        let Ok(policy) = decree::load_with(&source, &Limits::default()) else {
            continue;
        };
        checked += 1;
        let mut options = case_options(&policy, &case);
        options.skip_explanations = true;
        if decree::plan::Plan::compile(&policy, &options).is_some() {
            planned += 1;
        }
    }
    (all, checked, planned)
}

/// What an edit of the [`reparse`] target may insert.
const EDIT_SNIPPETS: &[&str] = &[
    " ",
    "\n",
    "# note\n",
    "#",
    "0",
    "5",
    "万",
    "%",
    " + 1",
    " * 2",
    "\"标签\"",
    "x",
    "(",
    ")",
    "{",
    "}",
    ",",
    "，",
    "measure",
    " when true",
    "fact extra: money\n",
    "\nmeasure 97 \"新\" { subsidy extra_item = 1万 }\n",
    "subsidy more = 2万\n",
    "“",
    "”",
];

/// The program of the [`structured`] target, edited three times (where,
/// how and what from the input's last bytes): each edit is read again by
/// `syntax::reparse` from the last text that parsed, and must give what a
/// whole `syntax::parse` of the new text gives, spans included (compared
/// by debug text: the AST's equality ignores spans), or the same errors
/// with the program left as it was.
pub fn reparse(data: &[u8]) {
    let case = render(data);
    let limits = Limits::default();
    let parse = |text: &str| decree::syntax::parse(&SourceFile::new("fuzz.decree", text), &limits);
    let Ok(mut program) = parse(&case.source) else {
        return;
    };
    let mut good = case.source.clone();
    let mut text = case.source.clone();
    let spec: Vec<u8> = data.iter().rev().take(12).copied().collect();
    for edit in spec.chunks(4) {
        text = edited(&text, edit);
        let source = SourceFile::new("fuzz.decree", text.as_str());
        let before = format!("{program:?}");
        let got = decree::syntax::reparse(&mut program, &good, &source, &limits);
        match (got, parse(&text)) {
            (Ok(()), Ok(whole)) => {
                assert!(
                    format!("{program:?}") == format!("{whole:?}"),
                    "reparse differs from the whole parse after {edit:?} of {good:?} into {text:?}"
                );
                good = text.clone();
            }
            (Err(got), Err(whole)) => {
                assert_eq!(format!("{got:?}"), format!("{whole:?}"), "different errors");
                assert_eq!(
                    format!("{program:?}"),
                    before,
                    "a failed reparse changed the program"
                );
            }
            (got, whole) => panic!(
                "reparse and the whole parse disagree on {text:?}: {:?} against {:?}",
                got.is_ok(),
                whole.is_ok()
            ),
        }
    }
}

/// `text` after one edit read from four bytes: where (two bytes, a
/// fraction of the text), what (insert a snippet, delete, or copy a stretch
/// elsewhere) and how much.
fn edited(text: &str, edit: &[u8]) -> String {
    let byte = |i: usize| usize::from(edit.get(i).copied().unwrap_or(0));
    let boundary = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let at = boundary(((byte(0) << 8) | byte(1)) * text.len() / 65536);
    let mut out = text.to_string();
    match byte(2) % 3 {
        0 => {
            let snippet = EDIT_SNIPPETS.get(byte(3) % EDIT_SNIPPETS.len()).copied();
            out.insert_str(at, snippet.unwrap_or(" "));
        }
        1 => {
            let to = boundary(at + byte(3) % 40 + 1);
            out.replace_range(at..to.max(at), "");
        }
        _ => {
            let to = boundary(at + byte(3) * 2 + 1);
            let piece = text.get(at..to.max(at)).unwrap_or_default().to_string();
            let into = boundary(byte(3) * text.len() / 256);
            out.insert_str(into, &piece);
        }
    }
    out
}
