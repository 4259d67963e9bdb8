//! Completion and folding: what may be typed at a place, and which
//! bracketed blocks an editor may fold.

use super::Document;
use super::position::Position;
use crate::ast::Symbol as Sym;
use crate::syntax::keywords::{KEYWORDS, Surface};
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
    /// A keyword of the file's surface.
    Keyword,
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
    /// What may be typed at `at`: after `in` (属于), the values of the
    /// enumerations and the set-valued facts; elsewhere every name of the last checked policy (with
    /// its label) and the keywords of the surface the file is written in.
    /// Sorted by label, so the answer does not depend on hashing.
    pub fn completions(&self, at: Position) -> Vec<Completion> {
        let offset = self.index.offset(at);
        let text = self.text();
        let mut out = Vec::new();
        if let Some(checked) = &self.policy {
            let policy = &checked.policy;
            let after_in = previous_word(text, offset).is_some_and(|w| {
                KEYWORDS
                    .iter()
                    .any(|k| k.rule == "in" && (k.english == w || k.chinese == w))
            });
            for (name, &symbol) in &policy.names {
                let kind = match symbol {
                    Sym::Variant(..) => CompletionKind::EnumValue,
                    // `x in s` also takes a set-valued fact.
                    Sym::Fact(f)
                        if after_in
                            && policy
                                .fact(f)
                                .is_some_and(|f| matches!(f.unit, crate::units::Unit::Set(_))) =>
                    {
                        CompletionKind::Fact
                    }
                    _ if after_in => continue,
                    Sym::Fact(_) => CompletionKind::Fact,
                    Sym::Param(_) => CompletionKind::Param,
                    Sym::Item(_) => CompletionKind::Item,
                    Sym::Enum(_) => CompletionKind::Enum,
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
            if after_in {
                out.sort_by(|a, b| a.label.cmp(&b.label));
                return out;
            }
        }
        let surface = crate::fmt::detect_surface(text);
        out.extend(KEYWORDS.iter().map(|k| Completion {
            label: k.spelling(surface).to_string(),
            kind: CompletionKind::Keyword,
            detail: Some(match surface {
                Surface::English => k.chinese.to_string(),
                Surface::Chinese => k.english.to_string(),
            }),
        }));
        out.sort_by(|a, b| a.label.cmp(&b.label).then(a.detail.cmp(&b.detail)));
        out.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
        out
    }

    /// The bracketed blocks of the current text that span more than one
    /// line, by the one scanner (so brackets in texts and comments do not
    /// count); an unclosed bracket folds nothing.
    pub fn folds(&self) -> Vec<Fold> {
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

/// The word before the one being typed at `offset` (the last code token
/// that ends before the current word starts).
fn previous_word(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let current_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !unicode_ident::is_xid_continue(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
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
