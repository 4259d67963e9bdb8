//! The example enterprise: one enterprise's facts (a facts file the host
//! reads) evaluated on the document's policy by the one evaluator, and
//! what the editor shows of it — each item's value as an inlay hint, an
//! item's value explained in its hover, a measure's items in a lens.

use super::{Document, Position};
use crate::eval::{Cause, Evaluation, ItemResult, Status};
use crate::report::tables::{remarks, shown_value};
use crate::span::SourceFile;

/// A hint to show at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// Where (just after an item's name).
    pub position: Position,
    /// What it says: `= 2,400万元`, `= 5,000万元 · capped`,
    /// `= tbd: 一定增速`, `= needs 研发投入`, `= ineligible` …
    pub label: String,
}

impl Document {
    /// The last checked policy evaluated on the enterprise of `facts` (a
    /// facts file's text under its name, whose extension says its format),
    /// at the date the host set ([`Document::set_example_date`]), otherwise
    /// with the default options; `None` when no policy has checked yet.
    ///
    /// # Errors
    /// The facts file's format or contents, in a sentence.
    pub fn evaluate(&self, facts: &SourceFile) -> Result<Option<Evaluation>, String> {
        let Some(checked) = self.policy.as_ref() else {
            return Ok(None);
        };
        let policy = &checked.policy;
        let format = crate::facts::format_of(facts).map_err(|d| d.message)?;
        let (values, _) = crate::facts_from_str(policy, &facts.name, &facts.text, format)
            .map_err(|ds| ds.0.first().map_or(String::new(), |d| d.message.clone()))?;
        let options = crate::Options {
            at: self.example_date,
            ..crate::Options::default()
        };
        Ok(Some(crate::evaluate(policy, &values, &options)))
    }

    /// Every item's value for the enterprise of `facts` (see
    /// [`Document::evaluate`]). Empty when the current text is not the
    /// policy that last checked (a file of tests, or a text being edited),
    /// so no hint stands at a stale place.
    ///
    /// # Errors
    /// The facts file's format or contents, in a sentence.
    pub fn amounts(&self, facts: &SourceFile) -> Result<Vec<Hint>, String> {
        let Some(checked) = self.current_policy() else {
            return Ok(Vec::new());
        };
        let policy = &checked.policy;
        let Some(result) = self.evaluate(facts)? else {
            return Ok(Vec::new());
        };
        let hints = policy.items.iter().filter_map(|item| {
            Some(Hint {
                position: checked.index.position(item.ast.name.span.end),
                label: hint_label(result.item(item.name())?),
            })
        });
        Ok(hints.collect())
    }

    /// The measures of the current text where lenses may stand ("evaluate
    /// on the example"); empty unless the current text is the policy that
    /// last checked, as for [`Document::amounts`].
    pub fn measures(&self) -> Vec<MeasureMark> {
        let Some(checked) = self.current_policy() else {
            return Vec::new();
        };
        let marks = checked.policy.measures.iter().map(|m| MeasureMark {
            number: m.number,
            title: m.title.clone(),
            range: checked.index.range(m.span),
        });
        marks.collect()
    }

    /// The items of measure `number` for the enterprise of `facts`: `None`
    /// when no policy has checked or it has no such measure.
    ///
    /// # Errors
    /// The facts file's format or contents, in a sentence.
    pub fn measure_on(
        &self,
        number: u32,
        facts: &SourceFile,
    ) -> Result<Option<Vec<ItemValue>>, String> {
        let Some(result) = self.evaluate(facts)? else {
            return Ok(None);
        };
        let Some(m) = result.measures.iter().find(|m| m.number == number) else {
            return Ok(None);
        };
        let items = m.items.iter().map(|i| ItemValue {
            name: i.name.clone(),
            label: i.label.clone(),
            status: i.status,
            value: shown_value(i),
            why: remarks(i),
        });
        Ok(Some(items.collect()))
    }

    /// The last checked policy, when it is the current text (not an older
    /// text, nor the policy a file of tests includes), so that what stands
    /// at its positions stands at the right place.
    fn current_policy(&self) -> Option<&super::Checked> {
        let checked = self.policy.as_ref()?;
        let policy = &checked.policy;
        (policy.source.name == self.source.name && policy.source.text == self.source.text)
            .then_some(checked)
    }

    /// The hover's part about the example enterprise: item `name`'s value
    /// there, why, and how it was reached; or why the facts could not be
    /// read.
    pub(super) fn on_example(&self, name: &str, facts: &SourceFile) -> String {
        let example = example_name(facts);
        let result = match self.evaluate(facts) {
            Ok(Some(result)) => result,
            Ok(None) => return String::new(),
            Err(why) => return format!("\n\n---\n\n{example}: {why}"),
        };
        let Some(item) = result.item(name) else {
            return String::new();
        };
        let mut out = format!("\n\n---\n\n**{example}**: {}", item.status.as_str());
        let value = shown_value(item);
        if !value.is_empty() {
            out.push_str(&format!(" · {value}"));
        }
        let why = remarks(item);
        if !why.is_empty() {
            out.push_str(&format!("\n\n{why}"));
        }
        if let Some(t) = &item.explanation {
            out.push_str(&format!("\n\n```text\n{}\n```", t.render().trim_end()));
        }
        out
    }
}

/// A measure, where its lens stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureMark {
    /// Its number.
    pub number: u32,
    /// Its title.
    pub title: String,
    /// The whole measure.
    pub range: super::Range,
}

/// An item's value for the example enterprise, as a table row shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemValue {
    /// The item's name.
    pub name: String,
    /// Its label.
    pub label: Option<String>,
    /// Its status.
    pub status: Status,
    /// Its value as drafters read it (empty when it has none).
    pub value: String,
    /// What decided it, or what would.
    pub why: String,
}

/// How the example enterprise is called: its facts file's name, without
/// the folders.
pub fn example_name(facts: &SourceFile) -> &str {
    let name: &str = &facts.name;
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// The most terminal columns a hint takes (a Chinese character takes
/// two): a hint stands at the end of a line of code, and the hover has the
/// whole of it.
const HINT_COLUMNS: usize = 36;

/// An item's hint: its value (said to be capped when a cap bound it), or
/// what would decide it, or its status; cut to [`HINT_COLUMNS`].
fn hint_label(r: &ItemResult) -> String {
    use unicode_width::UnicodeWidthChar;
    let label = whole_hint(r);
    let mut cut = String::new();
    let mut width = 0;
    for c in label.chars() {
        width += c.width().unwrap_or(0);
        if width > HINT_COLUMNS - 1 {
            cut.push('…');
            return cut;
        }
        cut.push(c);
    }
    cut
}

/// Whether `hint` is shown whole, within [`HINT_COLUMNS`].
fn fits(hint: &str) -> bool {
    unicode_width::UnicodeWidthStr::width(hint) <= HINT_COLUMNS
}

/// An item's hint, however long.
fn whole_hint(r: &ItemResult) -> String {
    match (&r.value, r.status) {
        (Some(v), Status::Granted) => {
            // The one wording of a cap that bound is the explanation's.
            let capped = r.notes.iter().any(|n| n.starts_with("capped at"));
            let soft = if r.soft_cap { " (soft)" } else { "" };
            let mut hint = if let Some(c) = &r.capped {
                // A cumulative cap (累计上限) cut it: before → after, and
                // which when that fits (the hover names it anyway).
                let before = crate::value::format_money(c.before);
                let named = format!("= {before} → {v} · cut by {}{soft}", c.cap);
                if fits(&named) {
                    named
                } else {
                    format!("= {before} → {v} (cap){soft}")
                }
            } else if capped {
                format!("= {v} · capped{soft}")
            } else {
                format!("= {v}{soft}")
            };
            hint.push_str(&records_word(r));
            hint
        }
        (_, Status::Undetermined) => {
            let causes: Vec<String> = r.undetermined_by.iter().map(cause_word).collect();
            if causes.is_empty() {
                "= undetermined".to_string()
            } else {
                format!("= {}", causes.join(", "))
            }
        }
        (_, Status::Superseded) => match &r.superseded_by {
            Some(by) => format!("= superseded by {by}"),
            None => "= superseded".to_string(),
        },
        _ => format!("= {}", r.status.as_str()),
    }
}

/// For an item decided per record (`for each`), how many of its records
/// are granted: ` · 2 of 3 records`; empty for any other item.
fn records_word(r: &ItemResult) -> String {
    if r.records.is_empty() {
        return String::new();
    }
    let granted = r
        .records
        .iter()
        .filter(|x| x.status == Status::Granted)
        .count();
    format!(" · {granted} of {} records", r.records.len())
}

/// What left an item undetermined, in a hint's few words.
fn cause_word(c: &Cause) -> String {
    match c {
        Cause::Param { name, label } => format!("tbd: {}", label.as_deref().unwrap_or(name)),
        Cause::Fact { name, label } => format!("needs {}", label.as_deref().unwrap_or(name)),
        Cause::Discretion => "left to discretion".to_string(),
        Cause::EvaluationDate => "needs the evaluation date".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Included;

    fn none(_: &str) -> Included {
        Err("none".to_string())
    }

    const POLICY: &str = "fact investment: money\nparam growth: rate = tbd \"一定增速\"\nmeasure 8 \"技改\" {\n  subsidy tech = min(20% * investment, 5000万)\n  subsidy other = 1万\n    when investment > 1亿\n  award faster = 10万\n    when growth > 5%\n}\n";

    fn labels(doc: &Document, facts: &str) -> Vec<(u32, String)> {
        let facts = SourceFile::new("e.json", facts);
        let hints = doc.amounts(&facts).expect("hints");
        hints
            .into_iter()
            .map(|h| (h.position.line, h.label))
            .collect()
    }

    #[test]
    fn each_item_shows_its_value_or_status() {
        let doc = Document::new("p.decree", POLICY, &none);
        assert_eq!(
            labels(&doc, r#"{"investment": "1000万"}"#),
            [
                (3, "= 200万元".to_string()),
                (4, "= ineligible".to_string()),
                (6, "= tbd: 一定增速".to_string())
            ]
        );
        let capped = labels(&doc, r#"{"investment": "10亿"}"#);
        assert_eq!(capped[0], (3, "= 5,000万元 · capped".to_string()));
        let missing = labels(&doc, "{}");
        assert_eq!(missing[0], (3, "= needs investment".to_string()));
        let long = Document::new(
            "l.decree",
            &POLICY.replace(
                "\"一定增速\"",
                "\"一个很长很长很长很长很长很长很长很长的参数名称\"",
            ),
            &none,
        );
        let cut = &labels(&long, r#"{"investment": "1000万"}"#)[2].1;
        assert!(
            cut.starts_with("= tbd: 一个很长") && cut.ends_with('…'),
            "{cut}"
        );
        assert!(
            unicode_width::UnicodeWidthStr::width(cut.as_str()) <= HINT_COLUMNS,
            "{cut}"
        );
        let facts = SourceFile::new("e.json", "{}");
        assert_eq!(
            doc.amounts(&facts).expect("hints")[0].position.character,
            14
        );
        let bad = SourceFile::new("e.json", "{");
        assert!(doc.amounts(&bad).is_err());
        let unknown = SourceFile::new("e.txt", "");
        assert!(doc.amounts(&unknown).is_err());
    }

    #[test]
    fn a_per_record_item_says_how_many_records_are_granted_and_today_is_the_hosts() {
        let text = "record project { investment: money }\nfact projects: list of project\nfact founded: date\nmeasure 1 \"m\" {\n  subsidy x = 10% * p.investment for each p in projects\n    when p.investment > 100万\n  award young = 1万\n    when years_between(founded, today) < 5\n}\n";
        let mut doc = Document::new("p.decree", text, &none);
        let facts = r#"{"projects": [{"investment": "300万"}, {"investment": "50万"}], "founded": "2020-05-01"}"#;
        assert_eq!(
            labels(&doc, facts),
            [
                (4, "= 30万元 · 1 of 2 records".to_string()),
                (6, "= needs the evaluation date".to_string())
            ]
        );
        doc.set_example_date(Some(jiff::civil::date(2024, 3, 1)));
        assert_eq!(labels(&doc, facts)[1], (6, "= 1万元".to_string()));
    }

    #[test]
    fn hints_name_the_member_that_supersedes_and_the_cap_that_cut() {
        let text = "fact x: money\nmeasure 1 \"m\" {\n  subsidy a = 10% * x\n  subsidy b = 20% * x\n  subsidy c = 30% * x\n}\nexclusive g \"就高\" { a, b }\ncap k \"累计\" = 40万 over { b, c } pro rata\n";
        let doc = Document::new("p.decree", text, &none);
        let facts = SourceFile::new("e.json", r#"{"x": "100万"}"#);
        let labels: Vec<String> = doc
            .amounts(&facts)
            .expect("hints")
            .into_iter()
            .map(|h| h.label)
            .collect();
        assert_eq!(
            labels,
            [
                "= superseded by b",
                "= 20万元 → 16万元 · cut by k",
                "= 30万元 → 24万元 · cut by k"
            ]
        );
    }

    #[test]
    fn a_measure_evaluates_on_the_example() {
        let doc = Document::new("p.decree", POLICY, &none);
        let marks = doc.measures();
        assert_eq!(marks.len(), 1);
        assert_eq!((marks[0].number, marks[0].range.start.line), (8, 2));
        let facts = SourceFile::new("e.json", r#"{"investment": "10亿"}"#);
        let items = doc
            .measure_on(8, &facts)
            .expect("facts")
            .expect("measure 8");
        let rows: Vec<(&str, Status, &str)> = items
            .iter()
            .map(|i| (i.name.as_str(), i.status, i.value.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("tech", Status::Granted, "5,000万元"),
                ("other", Status::Granted, "1万元"),
                ("faster", Status::Undetermined, "")
            ]
        );
        assert!(doc.measure_on(9, &facts).expect("facts").is_none());
        // A text being edited has no lens at stale places.
        let mut edited = doc.clone();
        edited.update(&POLICY.replace("min(", "min(("), &none);
        assert!(edited.measures().is_empty());
    }

    #[test]
    fn a_hover_on_an_item_explains_its_value_for_the_example() {
        let doc = Document::new("p.decree", POLICY, &none);
        let facts = SourceFile::new("/x/acme.json", r#"{"investment": "10亿"}"#);
        let at = Position::new(3, 11);
        let plain = doc.hover(at, None).expect("a hover").markdown;
        assert!(!plain.contains("acme"), "{plain}");
        let md = doc.hover(at, Some(&facts)).expect("a hover").markdown;
        assert!(md.contains("**acme.json**: granted · 5,000万元"), "{md}");
        assert!(md.contains("capped at 5,000万元"), "{md}");
        assert!(md.contains("```text"), "{md}");
        let bad = SourceFile::new("acme.json", "{");
        let md = doc.hover(at, Some(&bad)).expect("a hover").markdown;
        assert!(md.contains("acme.json: "), "{md}");
    }
}
