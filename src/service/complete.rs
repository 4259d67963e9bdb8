//! Completion and folding: what may be typed at a place, and which
//! bracketed blocks an editor may fold.

use super::Document;
use super::position::Position;
use crate::ast::Symbol as Sym;
use crate::syntax::keywords::{CONTEXTUAL, KEYWORDS, Keyword, Surface};
use crate::syntax::literal::UNITS;
use crate::syntax::scan::{TokenKind, scan};

/// What a completion offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A fact.
    Fact,
    /// A param.
    Param,
    /// An item.
    Item,
    /// An enumeration.
    Enum,
    /// A value of an enumeration.
    EnumValue,
    /// A keyword of the file's surface (in a test, one of its commands).
    Keyword,
    /// A unit or magnitude after a number.
    Unit,
}

/// One thing that may be typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What is inserted.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// Its label (an item's, a fact's…) or, for an enumeration value, its
    /// enumeration.
    pub detail: Option<String>,
}

/// A block an editor may fold: from one line to another (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// The line of the opening bracket.
    pub start_line: u32,
    /// The line of the closing bracket.
    pub end_line: u32,
}

impl Document {
    /// What may be typed at `at`: after a number, its units and
    /// magnitudes; after `in` (属于), the values of the enumerations and the
    /// set-valued facts; inside a test, its commands (`facts`, `expect`,
    /// `set`, `at`), the items after `expect`, the statuses after
    /// `expect item =`, the params after `set` and the facts inside
    /// `facts { }`; elsewhere every name of the last checked policy (with
    /// its label) and the keywords of the surface the file is written in.
    /// Sorted by label, so the answer does not depend on hashing. Nothing
    /// past the size limit (see [`super::too_large`]).
    pub fn completions(&self, at: Position) -> Vec<Completion> {
        let offset = self.index.offset(at);
        let text = self.text();
        if super::too_large(text) {
            return Vec::new();
        }
        let surface = crate::fmt::detect_surface(text);
        let mut out = match place(text, offset) {
            Place::AfterNumber => units(surface),
            Place::Test(line) => self.in_test(line, surface),
            Place::TestFacts => self.names(|s| matches!(s, Sym::Fact(_))),
            Place::Code => self.in_code(text, offset, surface),
        };
        out.sort_by(|a, b| a.label.cmp(&b.label).then(a.detail.cmp(&b.detail)));
        out.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
        out
    }

    /// Outside tests: enumeration values after `in`, else names and keywords.
    fn in_code(&self, text: &str, offset: usize, surface: Surface) -> Vec<Completion> {
        if let Some(fields) = self.fields_after_dot(text, offset) {
            return fields;
        }
        let after_in = previous_word(text, offset).is_some_and(|w| is_keyword("in", w));
        if after_in {
            let policy = self.policy();
            return self.names(|s| match s {
                Sym::Variant(..) => true,
                // `x in s` also takes a set-valued fact.
                Sym::Fact(f) => policy
                    .and_then(|p| p.fact(f))
                    .is_some_and(|f| matches!(f.unit, crate::units::Unit::Set(_))),
                _ => false,
            });
        }
        let mut out = self.names(|_| true);
        out.extend(keywords(surface, |k| !test_only(k.rule)));
        out
    }

    /// Inside a test, by what its line holds before the cursor.
    fn in_test(&self, line: TestLine, surface: Surface) -> Vec<Completion> {
        match line {
            TestLine::Start => keywords(surface, |k| TEST_COMMANDS.contains(&k.rule)),
            TestLine::Expect => self.names(|s| matches!(s, Sym::Item(_))),
            TestLine::Status => keywords(surface, |k| is_status(k.rule)),
            TestLine::Set => self.names(|s| matches!(s, Sym::Param(_))),
            TestLine::Other => self.names(|s| !matches!(s, Sym::Enum(_))),
        }
    }

    /// The names of the last checked policy that `keep` keeps, with their
    /// labels (an enumeration value's detail is its enumeration).
    fn names(&self, keep: impl Fn(Sym) -> bool) -> Vec<Completion> {
        let Some(policy) = self.policy() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, &symbol) in &policy.names {
            if !keep(symbol) {
                continue;
            }
            let kind = match symbol {
                Sym::Variant(..) => CompletionKind::EnumValue,
                Sym::Fact(_) => CompletionKind::Fact,
                Sym::Param(_) => CompletionKind::Param,
                Sym::Item(_) => CompletionKind::Item,
                // A record type is a type, as an enumeration is.
                Sym::Enum(_) | Sym::Record(_) => CompletionKind::Enum,
                // Fields are no policy-wide names (see `fields_after_dot`).
                Sym::Field(..) => continue,
            };
            let detail = match symbol {
                Sym::Variant(e, _) => policy.enums.get(e).map(|e| e.name.clone()),
                s => policy.label_of(s).map(str::to_string),
            };
            out.push(Completion {
                label: name.clone(),
                kind,
                detail,
            });
        }
        out
    }

    /// After `p.`, where `p` is the record variable of an item written
    /// `for each p in LIST`: the fields of its record type, with their
    /// labels. `None` anywhere else.
    fn fields_after_dot(&self, text: &str, offset: usize) -> Option<Vec<Completion>> {
        let before = text.get(..current_word_start(text.get(..offset)?))?;
        let before = before.strip_suffix('.')?;
        let var_start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map(|(i, _)| i)?;
        let var = before.get(var_start..)?;
        let policy = self.policy()?;
        let each = policy
            .items
            .iter()
            .find_map(|i| i.each.as_ref().filter(|e| e.var == var))?;
        let record = policy.records.get(each.record)?;
        Some(
            record
                .fields
                .iter()
                .map(|f| Completion {
                    label: f.name.clone(),
                    kind: CompletionKind::Fact,
                    detail: f.label.clone(),
                })
                .collect(),
        )
    }

    /// The bracketed blocks of the current text that span more than one
    /// line, by the one scanner (so brackets in texts and comments do not
    /// count); an unclosed bracket folds nothing. None past the size limit
    /// (see [`super::too_large`]).
    pub fn folds(&self) -> Vec<Fold> {
        if super::too_large(self.text()) {
            return Vec::new();
        }
        let mut open = Vec::new();
        let mut out = Vec::new();
        for t in scan(self.text()) {
            match t.kind {
                TokenKind::Open => open.push(t.span.start),
                TokenKind::Close => {
                    let Some(start) = open.pop() else { continue };
                    let (a, b) = (
                        self.index.position(start).line,
                        self.index.position(t.span.start).line,
                    );
                    if b > a {
                        out.push(Fold {
                            start_line: a,
                            end_line: b,
                        });
                    }
                }
                _ => {}
            }
        }
        out.sort_by_key(|f| (f.start_line, f.end_line));
        out
    }
}

/// The keywords of a test's body.
const TEST_COMMANDS: &[&str] = &["facts", "expect", "set", "at"];

/// Whether `rule` is a status an `expect` may name: the contextual
/// keywords other than a test's commands.
fn is_status(rule: &str) -> bool {
    CONTEXTUAL.contains(&rule)
        && !TEST_COMMANDS.contains(&rule)
        && !DECLARATIONS.contains(&rule)
        && !CLAUSES.contains(&rule)
}

/// Contextual keywords inside a declaration (a budget's `against`):
/// neither a status nor a test's word.
const CLAUSES: &[&str] = &["against"];

/// Contextual keywords that start a declaration (`cap`, which may still
/// name a param), or stand inside one (`per` of a group or cap per
/// record): offered outside tests, never as a status.
const DECLARATIONS: &[&str] = &["cap", "budget", "per"];

/// Whether `rule` means something only inside a test.
fn test_only(rule: &str) -> bool {
    (CONTEXTUAL.contains(&rule) && !DECLARATIONS.contains(&rule) && !CLAUSES.contains(&rule))
        || TEST_COMMANDS.contains(&rule)
}

/// The keywords `keep` keeps, spelled for `surface`, the other spelling
/// as their detail.
fn keywords(surface: Surface, keep: impl Fn(&Keyword) -> bool) -> Vec<Completion> {
    let kept = KEYWORDS.iter().filter(|k| keep(k));
    kept.map(|k| Completion {
        label: k.spelling(surface).to_string(),
        kind: CompletionKind::Keyword,
        detail: Some(match surface {
            Surface::English => k.chinese.to_string(),
            Surface::Chinese => k.english.to_string(),
        }),
    })
    .collect()
}

/// The units and magnitudes a number may take, for `surface`'s readers.
fn units(surface: Surface) -> Vec<Completion> {
    let offered = UNITS.iter().filter(|(_, s, _)| *s == surface);
    offered
        .map(|(unit, _, meaning)| Completion {
            label: unit.trim_start().to_string(),
            kind: CompletionKind::Unit,
            detail: Some((*meaning).to_string()),
        })
        .collect()
}

/// Whether `word` spells the keyword of `rule` in either surface.
fn is_keyword(rule: &str, word: &str) -> bool {
    crate::syntax::keywords::keyword(rule).is_some_and(|k| k.english == word || k.chinese == word)
}

/// Where the cursor stands, as completion sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Just after a number (or a number and a blank), where a unit goes.
    AfterNumber,
    /// In a test's body, on a line that holds this before the cursor.
    Test(TestLine),
    /// Inside a test's `facts { }`.
    TestFacts,
    /// Anywhere else in the code.
    Code,
}

/// What a test's line holds before the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestLine {
    /// Nothing yet: a command goes here.
    Start,
    /// `expect`: an item's name goes here.
    Expect,
    /// `expect item =`: a status (or a value) goes here.
    Status,
    /// `set`: a param's name goes here.
    Set,
    /// Something else (a value).
    Other,
}

/// Where byte `offset` of `text` stands: after a number, or in which part
/// of a test, by the brackets the one scanner finds open there.
fn place(text: &str, offset: usize) -> Place {
    let before = text.get(..offset).unwrap_or("");
    let word_start = current_word_start(before);
    let word = before.get(word_start..).unwrap_or("");
    let ahead = before.get(..word_start).unwrap_or("");
    let glued_to_number = word.starts_with(|c: char| c.is_ascii_digit());
    let after_blank_number = ahead.ends_with([' ', '\t'])
        && ahead
            .trim_end_matches([' ', '\t'])
            .ends_with(|c: char| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_alphanumeric());
    if glued_to_number || (after_blank_number && !word.is_empty()) {
        return Place::AfterNumber;
    }
    match innermost_block(text, offset) {
        Block::Test => {
            let line = before.rsplit('\n').next().unwrap_or("");
            let words: Vec<&str> = line
                .get(..line.len().saturating_sub(word.len()))
                .unwrap_or("")
                .split_whitespace()
                .collect();
            Place::Test(match words.as_slice() {
                [] => TestLine::Start,
                [w] if is_keyword("expect", w) => TestLine::Expect,
                [w, ..] if is_keyword("expect", w) && line.contains('=') => TestLine::Status,
                [w] if is_keyword("set", w) => TestLine::Set,
                _ => TestLine::Other,
            })
        }
        Block::Facts => Place::TestFacts,
        Block::Other => Place::Code,
    }
}

/// What a bracketed block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// `test "name" { … }`.
    Test,
    /// A test's `facts { … }`.
    Facts,
    /// Any other (or none).
    Other,
}

/// The innermost block open at `offset`, by the one scanner (brackets in
/// texts and comments do not count).
fn innermost_block(text: &str, offset: usize) -> Block {
    let mut open: Vec<Block> = Vec::new();
    // The last two tokens that are not comments, most recent last.
    let mut last: [Option<crate::syntax::scan::Token>; 2] = [None, None];
    let code = |t: Option<crate::syntax::scan::Token>| {
        t.filter(|t| t.kind == TokenKind::Code)
            .and_then(|t| text.get(t.span.start..t.span.end))
    };
    for t in scan(text).take_while(|t| t.span.start < offset) {
        match t.kind {
            TokenKind::Open => {
                let [before_text, just_before] = last;
                let block = match just_before.map(|t| t.kind) {
                    Some(TokenKind::Text)
                        if code(before_text).is_some_and(|w| is_keyword("test", w)) =>
                    {
                        Block::Test
                    }
                    Some(TokenKind::Code)
                        if code(just_before).is_some_and(|w| is_keyword("facts", w)) =>
                    {
                        Block::Facts
                    }
                    _ => Block::Other,
                };
                open.push(block);
            }
            TokenKind::Close => {
                open.pop();
            }
            _ => {}
        }
        if !matches!(t.kind, TokenKind::Comment { .. }) {
            last = [last[1], Some(t)];
        }
    }
    open.last().copied().unwrap_or(Block::Other)
}

/// Where the word being typed at the end of `before` starts.
fn current_word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .find(|&(_, c)| !unicode_ident::is_xid_continue(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The word before the one being typed at `offset` (the last code token
/// that ends before the current word starts).
fn previous_word(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let current_start = current_word_start(before);
    scan(text)
        .filter(|t| t.kind == TokenKind::Code && t.span.end <= current_start)
        .last()
        .and_then(|t| text.get(t.span.start..t.span.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Included;

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    const POLICY: &str = "enum size { small \"小型\", large \"大型\" }\nfact s: set of size \"规模\"\nfact investment: money \"投资额\"\nmeasure 8 \"技改\" {\n  subsidy tech \"技改资助\" = min(20% * investment, 5000万)\n  eligibility e = small in s\n}\n";

    #[test]
    fn names_with_labels_and_keywords_of_the_surface() {
        let doc = Document::new("p.decree", POLICY, &none);
        let all = doc.completions(Position::new(4, 40));
        let investment = all
            .iter()
            .find(|c| c.label == "investment")
            .expect("the fact");
        assert_eq!(investment.kind, CompletionKind::Fact);
        assert_eq!(investment.detail.as_deref(), Some("投资额"));
        assert!(
            all.iter()
                .any(|c| c.label == "tech" && c.kind == CompletionKind::Item)
        );
        assert!(
            all.iter()
                .any(|c| c.label == "subsidy" && c.kind == CompletionKind::Keyword)
        );
        assert!(!all.iter().any(|c| c.label == "资助"));
    }

    #[test]
    fn after_a_record_variable_its_fields_and_a_hover_on_one() {
        let text = "record project \"项目\" { investment: money \"投资额\", name: text }\nfact projects: list of project\nmeasure 1 \"m\" {\n  subsidy x = 10% * p.investment for each p in projects\n}\n";
        let doc = Document::new("p.decree", text, &none);
        // Just after `p.` of `p.investment`.
        let fields = doc.completions(Position::new(3, 22));
        let labels: Vec<&str> = fields.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["investment", "name"]);
        assert_eq!(fields[0].detail.as_deref(), Some("投资额"));
        let hover = doc.hover(Position::new(3, 25), None).expect("a hover");
        assert_eq!(
            hover.markdown,
            "field `investment` of record `project`: money — 投资额"
        );
    }

    #[test]
    fn after_in_only_enumeration_values() {
        let doc = Document::new("p.decree", POLICY, &none);
        // At the end of `small in s`.
        let after = doc.completions(Position::new(5, 28));
        let labels: Vec<&str> = after.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["large", "s", "small"]);
        assert_eq!(after[0].detail.as_deref(), Some("size"));
        assert_eq!(after[1].kind, CompletionKind::Fact);
    }

    #[test]
    fn after_a_number_its_units() {
        let doc = Document::new("p.decree", POLICY, &none);
        // Just after `5000` in `min(20% * investment, 5000万)`.
        let line = POLICY.lines().nth(4).expect("line 4");
        let col = line.find("5000").expect("5000") + 4;
        let col = u32::try_from(line[..col].encode_utf16().count()).expect("short");
        let units = doc.completions(Position::new(4, col));
        let labels: Vec<&str> = units.iter().map(|c| c.label.as_str()).collect();
        assert!(labels.contains(&"万") && labels.contains(&"亿") && labels.contains(&"%"));
        assert!(
            units.iter().all(|c| c.kind == CompletionKind::Unit),
            "{labels:?}"
        );
        let chinese = Document::new("c.decree", "事实 投资: 金额\n参数 上限: 金额 = 5万", &none);
        let labels: Vec<String> = chinese
            .completions(Position::new(1, 13))
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert!(labels.contains(&"亿元".to_string()) && labels.contains(&"个月".to_string()));
        assert!(!labels.contains(&"years".to_string()), "{labels:?}");
        // Names written in Chinese are offered like any other, after a
        // blank, with the Chinese keywords.
        let names = chinese.completions(Position::new(1, 11));
        let fact = names
            .iter()
            .find(|c| c.label == "投资")
            .expect("the fact 投资");
        assert_eq!(fact.kind, CompletionKind::Fact);
        assert!(
            names
                .iter()
                .any(|c| c.label == "上限" && c.kind == CompletionKind::Param)
        );
        assert!(
            names
                .iter()
                .any(|c| c.label == "取小" && c.kind == CompletionKind::Keyword)
        );
    }

    #[test]
    fn inside_a_test_its_commands_items_statuses_params_and_facts() {
        let policy = format!("{POLICY}param cap: money = 5000万\n");
        let include = move |_: &str| Ok(crate::span::SourceFile::new("p.decree", policy.as_str()));
        let tests = "include \"p.decree\"\ntest \"t\" {\n  facts {\n    \n  }\n  \n  expect \n  expect tech = \n  set \n}\n";
        // The file checked once; while a line is being typed it does not
        // parse, and the policy it included last answers.
        let whole = tests
            .replace("expect \n", "expect tech = granted\n")
            .replace("= \n", "= granted\n")
            .replace("set \n", "set cap = 1万\n");
        let mut doc = Document::new("p.test.decree", &whole, &include);
        assert!(doc.policy().is_some(), "{:?}", doc.problems());
        doc.update(tests, &include);
        let labels = |line, col| -> Vec<String> {
            doc.completions(Position::new(line, col))
                .into_iter()
                .map(|c| c.label)
                .collect()
        };
        assert_eq!(labels(5, 2), ["at", "expect", "facts", "set"]);
        assert_eq!(labels(3, 4), ["investment", "s"]);
        assert_eq!(labels(6, 9), ["e", "tech"]);
        assert_eq!(
            labels(7, 16),
            [
                "granted",
                "ineligible",
                "listed",
                "met",
                "not_in_force",
                "not_met",
                "superseded",
                "undetermined"
            ]
        );
        assert_eq!(labels(8, 6), ["cap"]);
        // Outside tests no test command is offered.
        let outside = labels(0, 0);
        assert!(
            outside.contains(&"measure".to_string()) && !outside.contains(&"expect".to_string())
        );
    }

    #[test]
    fn folds_multi_line_brackets_only() {
        let doc = Document::new("p.decree", POLICY, &none);
        assert_eq!(
            doc.folds(),
            [Fold {
                start_line: 3,
                end_line: 6
            }]
        );
        let broken = Document::new("p.decree", "measure 1 \"t\" {\n  (\n# }\n", &none);
        assert_eq!(broken.folds(), []);
        let garbage = Document::new("p.decree", "}}))\n{", &none);
        assert!(
            garbage
                .completions(Position::new(99, 99))
                .iter()
                .all(|c| c.kind == CompletionKind::Keyword)
        );
    }
}
