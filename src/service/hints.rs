//! Inlay hints: each item's value for one enterprise, shown after the
//! item's name, by the one evaluator.

use super::{Document, Position};
use crate::eval::Status;
use crate::span::SourceFile;

/// A hint to show at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Where (just after an item's name).
    pub position: Position,
    /// What it says: `= 2,400万元`, `= ineligible` …
    pub label: String,
}

impl Document {
    /// Every item's value for the enterprise of `facts` (a facts file's text
    /// under its name, whose extension says its format), evaluated today's
    /// way (`Options::default()`). Empty when the current text is not the
    /// policy that last checked (a file of tests, or a text being edited),
    /// so no hint stands at a stale place.
    ///
    /// # Errors
    /// The facts file's format or contents, in a sentence.
    pub fn amounts(&self, facts: &SourceFile) -> Result<Vec<Hint>, String> {
        let Some(checked) = self.policy.as_ref() else {
            return Ok(Vec::new());
        };
        let policy = &checked.policy;
        if policy.source.name != self.source.name || policy.source.text != self.source.text {
            return Ok(Vec::new());
        }
        let format = crate::facts::format_of(facts).map_err(|d| d.message)?;
        let (values, _) = crate::facts_from_str(policy, &facts.name, &facts.text, format)
            .map_err(|ds| ds.0.first().map_or(String::new(), |d| d.message.clone()))?;
        let result = crate::evaluate(policy, &values, &crate::Options::default());
        let hints = policy.items.iter().filter_map(|item| {
            let r = result.item(item.name())?;
            let label = match (&r.value, r.status) {
                (Some(v), Status::Granted) => format!("= {v}"),
                _ => format!("= {}", r.status.as_str()),
            };
            Some(Hint {
                position: checked.index.position(item.ast.name.span.end),
                label,
            })
        });
        Ok(hints.collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Included;

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    const POLICY: &str = "fact investment: money\nmeasure 8 \"技改\" {\n  subsidy tech = min(20% * investment, 5000万)\n  subsidy other = 1万\n    when investment > 1亿\n}\n";

    #[test]
    fn each_item_shows_its_value_or_status() {
        let doc = Document::new("p.decree", POLICY, &none);
        let facts = SourceFile::new("e.json", r#"{"investment": "1000万"}"#);
        let hints = doc.amounts(&facts).expect("hints");
        let labels: Vec<(u32, &str)> = hints
            .iter()
            .map(|h| (h.position.line, h.label.as_str()))
            .collect();
        assert_eq!(labels, [(2, "= 200万元"), (3, "= ineligible")]);
        assert_eq!(hints[0].position.character, 14);
        let bad = SourceFile::new("e.json", "{");
        assert!(doc.amounts(&bad).is_err());
        let unknown = SourceFile::new("e.txt", "");
        assert!(doc.amounts(&unknown).is_err());
    }
}
