//! Stacking groups and caps written `per RECORD` (每个 RECORD), checked:
//! 同一项目就高不重复 and 单个项目累计不超过 decide record by record, so
//! every member must be an item evaluated `for each` record of one and the
//! same list fact of that record type — the members' results for record
//! *i* are then the same project's, lined up by index.

use super::{Checker, PerRecord};
use crate::ast::{Ident, ItemId};
use crate::diagnostic::{Code, Diagnostic};

impl Checker<'_> {
    /// What a group or cap (`what`, named `name`) written `per RECORD`
    /// goes through, or `None` — for one of the enterprise, or after
    /// saying why its members cannot be decided record by record.
    pub(super) fn per_record(
        &mut self,
        per: Option<&Ident>,
        members: &[ItemId],
        what: &str,
        name: &str,
    ) -> Option<PerRecord> {
        let per = per?;
        let Some(record) = self.policy.records.iter().position(|r| r.name == per.node) else {
            self.unknown_record(per);
            return None;
        };
        let mut list: Option<(crate::ast::FactId, ItemId)> = None;
        let mut ok = true;
        for &m in members {
            let Some(item) = self.policy.item(m) else {
                continue;
            };
            let (item_name, at) = (item.name().to_string(), item.ast.name.span);
            let Some(each) = item.each.clone() else {
                // An item whose `for each` could not be resolved is
                // reported already.
                if item.ast.each.is_none() {
                    self.error(
                        Diagnostic::error(
                            Code::Stacking,
                            format!(
                                "`{item_name}` is decided once for the enterprise, so it cannot stand in the {what} `{name}` per {}",
                                per.node
                            ),
                        )
                        .label(per.span, format!("decided for each {}", per.node))
                        .label(at, "not evaluated `for each` record")
                        .help(format!(
                            "write `for each p in LIST` on `{item_name}`, or drop `per {}` to decide the {what} for the enterprise",
                            per.node
                        )),
                    );
                }
                ok = false;
                continue;
            };
            if each.record != record {
                let of = self
                    .policy
                    .records
                    .get(each.record)
                    .map_or("?", |r| r.name.as_str());
                self.error(
                    Diagnostic::error(
                        Code::Stacking,
                        format!(
                            "`{item_name}` goes through records of type `{of}`, not `{}`",
                            per.node
                        ),
                    )
                    .label(per.span, format!("decided for each {}", per.node))
                    .label(at, format!("evaluated for each {of}"))
                    .help(format!(
                        "a {what} per record takes items `for each` record of the type it names: write `per {of}`, or take `{item_name}` out"
                    )),
                );
                ok = false;
                continue;
            }
            match list {
                None => list = Some((each.fact, m)),
                Some((fact, first)) if fact != each.fact => {
                    self.other_list(per, what, (first, fact), (m, each.fact));
                    ok = false;
                }
                Some(_) => {}
            }
        }
        let (fact, _) = list?;
        ok.then_some(PerRecord { record, fact })
    }

    /// `per RECORD` naming no record type.
    fn unknown_record(&mut self, per: &Ident) {
        let names = self.policy.records.iter().map(|r| r.name.as_str());
        let d = Diagnostic::error(
            Code::UnknownName,
            format!("unknown record type `{}`", per.node),
        )
        .label(per.span, "no record type of this name");
        let d = match super::suggest(&per.node, names) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(
                "`per` names a record type declared with `record NAME { … }`, e.g. `per project`",
            ),
        };
        self.error(d);
    }

    /// Two members going through two lists: record *i* of one is not
    /// record *i* of the other.
    fn other_list(
        &mut self,
        per: &Ident,
        what: &str,
        (a, a_list): (ItemId, crate::ast::FactId),
        (b, b_list): (ItemId, crate::ast::FactId),
    ) {
        let fact = |f| {
            self.policy
                .fact(f)
                .map_or("?", |x| x.name.as_str())
                .to_string()
        };
        let item = |i| {
            self.policy
                .item(i)
                .map(|it| (it.name().to_string(), it.ast.name.span))
                .unwrap_or_default()
        };
        let ((a_name, a_at), (b_name, b_at)) = (item(a), item(b));
        let (a_list, b_list) = (fact(a_list), fact(b_list));
        self.error(
            Diagnostic::error(
                Code::Stacking,
                format!(
                    "`{a_name}` goes through `{a_list}` and `{b_name}` through `{b_list}`: the {what} per {} cannot pair their records",
                    per.node
                ),
            )
            .label(b_at, format!("for each record of `{b_list}`"))
            .label(a_at, format!("for each record of `{a_list}`"))
            .help(format!(
                "record 1 of `{a_list}` is not record 1 of `{b_list}`: a {what} per record takes items over one list"
            )),
        );
    }
}
