//! Renaming a name everywhere it is written, refused when the new name
//! could not be written or would clash.

use super::navigate::{Location, Word, word_at};
use super::{Document, Position};
use crate::syntax::keywords::KEYWORDS;

impl Document {
    /// The places to rewrite as `new_name` to rename the name at `at`: its
    /// declaration and every use, in this document and the policy it
    /// includes.
    ///
    /// # Errors
    /// Why not, in a sentence: nothing to rename there, no checked policy
    /// yet, a new name that is no identifier or is a keyword, or one the
    /// policy already declares.
    pub fn rename(&self, at: Position, new_name: &str) -> Result<Vec<Location>, String> {
        let Some(checked) = self.policy.as_ref() else {
            return Err("the file has not checked yet: fix its errors first".to_string());
        };
        let Some(Word::Name(old, _)) = word_at(self.text(), self.index.offset(at)) else {
            return Err("there is no name here to rename".to_string());
        };
        if checked.policy.lookup(old).is_none() {
            return Err(format!("`{old}` is declared nowhere"));
        }
        valid_name(new_name)?;
        if new_name != old && checked.policy.lookup(new_name).is_some() {
            return Err(format!(
                "`{new_name}` already names something in this policy"
            ));
        }
        Ok(self.references(at, true))
    }
}

/// Whether `name` can be written as a name: an identifier that is no
/// keyword and does not start with a Chinese keyword (which would be read
/// as the keyword: `不超过x`).
fn valid_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c));
    if !starts || !chars.all(unicode_ident::is_xid_continue) {
        return Err(format!(
            "`{name}` is not a name: use letters, digits and `_`, not a digit first"
        ));
    }
    // A contextual keyword (`cap`, `met` …) is not reserved: it may name.
    let keyword = KEYWORDS
        .iter()
        .filter(|k| !crate::syntax::keywords::CONTEXTUAL.contains(&k.rule))
        .find(|k| k.english == name || name.starts_with(k.chinese));
    match keyword {
        Some(k) => Err(format!(
            "`{name}` would be read as the keyword `{}` ({})",
            k.english, k.chinese
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Included;

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    const POLICY: &str = "fact investment: money \"投资额\"\nfact other: money\nmeasure 8 \"技改\" {\n  subsidy tech = min(20% * investment, 5000万)\n}\n# investment in a comment stays\n";

    #[test]
    fn renames_the_declaration_and_every_use() {
        let doc = Document::new("p.decree", POLICY, &none);
        let places = doc.rename(Position::new(3, 30), "capex").expect("renamed");
        let lines: Vec<u32> = places.iter().map(|l| l.range.start.line).collect();
        assert_eq!(lines, [0, 3]);
    }

    #[test]
    fn refuses_clashes_keywords_and_non_names() {
        let doc = Document::new("p.decree", POLICY, &none);
        let at = Position::new(0, 6);
        assert!(
            doc.rename(at, "other")
                .unwrap_err()
                .contains("already names")
        );
        assert!(
            doc.rename(at, "tech")
                .unwrap_err()
                .contains("already names")
        );
        assert!(doc.rename(at, "subsidy").unwrap_err().contains("keyword"));
        assert!(doc.rename(at, "不超过额").unwrap_err().contains("keyword"));
        assert!(doc.rename(at, "9lives").unwrap_err().contains("not a name"));
        assert!(doc.rename(at, "").unwrap_err().contains("not a name"));
        assert!(
            doc.rename(Position::new(0, 1), "x").is_err(),
            "a keyword is no name"
        );
        assert!(doc.rename(Position::new(40, 0), "x").is_err());
        assert!(doc.rename(at, "投资").is_ok());
    }
}
