//! Printing the constructs of records: `record` declarations (one field a
//! line, labels in a column as an enum's), the `for each` clause of an
//! item, and a test's records (one record a line).

use super::layout::Column;
use super::{Printer, labelled};
use crate::ast::*;

impl Printer<'_> {
    /// `record name "label" {` then `field: type "label",` a line.
    pub(super) fn record(&mut self, r: &RecordDecl) {
        let mut head = format!("{} {}", self.kw("record"), r.name.node);
        if let Some(l) = &r.label {
            head.push(' ');
            head.push_str(&super::quote(l));
        }
        head.push_str(" {");
        let head_end = r.label.as_ref().map_or(r.name.span.end, |l| l.span.end);
        self.open(r.span.0.start, head_end, &head);
        self.indent += 1;
        for f in &r.fields {
            let name = format!("{}: {}", f.name.node, self.type_ref(&f.ty.node));
            let mut t = labelled(name, f.label.as_ref(), &self.cell(Column::VariantLabel));
            t.push(',');
            let end = f.label.as_ref().map_or(f.ty.span.end, |l| l.span.end);
            self.entry(f.name.span.start, end, &t);
        }
        self.indent -= 1;
        self.close(r.span.0.end);
    }

    /// `for each p in projects`, in the file's surface.
    pub(super) fn each_clause(&self, e: &ForEach) -> String {
        format!(
            "{} {} {} {}",
            self.kw("for_each"),
            e.var.node,
            self.kw("in"),
            e.list.node
        )
    }

    /// A test's records: `[`, one `{ field = value, … },` a line, `]`.
    pub(super) fn records_input(
        &mut self,
        records: &[crate::span::Spanned<Vec<(Ident, FactInput)>>],
    ) -> String {
        let mut out = String::from("[");
        for r in records {
            let fields: Vec<String> = r
                .node
                .iter()
                .map(|(name, v)| format!("{} = {}", name.node, self.field_input(v)))
                .collect();
            if fields.is_empty() {
                out.push_str("\n  {},");
            } else {
                out.push_str(&format!("\n  {{ {} }},", fields.join(", ")));
            }
        }
        out.push_str("\n]");
        out
    }

    /// A record field's value in a test.
    fn field_input(&mut self, v: &FactInput) -> String {
        match v {
            FactInput::Value(e) => self.expr(e, None).0,
            FactInput::List(items) => {
                let names: Vec<&str> = items.iter().map(|i| i.node.as_str()).collect();
                format!("[{}]", names.join(", "))
            }
            FactInput::Records(rs) => self.records_input(rs),
        }
    }
}
