//! CSV with records (issue 16): one row per record of an enterprise's
//! list facts, the enterprise named by its key column.
//!
//! The convention: columns named `LIST.FIELD` (`projects.investment`) give
//! one record of the list fact `LIST` per row; the first `--key` column
//! names the enterprise, and consecutive rows with the same key are one
//! enterprise. A row whose `LIST.*` cells are all blank adds no record to
//! `LIST` (an enterprise with no projects is one row of blanks there).
//! The enterprise's own facts (the other columns) are given on its first
//! row; on later rows each is blank or the same value. Refused, each as a
//! rejected enterprise at a line: a key met again after other rows (its
//! rows must be consecutive), an enterprise cell that differs from the one
//! before, and any cell that is no value of its column.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use super::RowError;
use super::csv::{Column, Csv, cell_value, rate_doubt};
use super::read::{Chunk, RowHead};
use crate::check::{FactId, Policy};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::Facts;
use crate::plan::Plan;
use crate::span::{SourceFile, Span};
use crate::value::{Record, Unit, Value};

/// The enterprises read so far from a CSV with record columns.
pub(super) struct Groups {
    /// Each key's first line, once its run of rows has ended.
    seen: HashMap<String, u64>,
    /// The first record of the next enterprise, read past the end of the
    /// one before.
    pending: Option<(::csv::ByteRecord, u64)>,
}

impl Groups {
    /// The grouped reading, when the columns hold record fields: then a
    /// key must name the enterprise.
    pub(super) fn for_columns(
        columns: &[Column],
        keys: &[(usize, String)],
        header: &SourceFile,
    ) -> Result<Option<Groups>, Diagnostics> {
        let Some(field) = columns.iter().find_map(|c| match c {
            Column::Field(_, _, name, _) => Some(name),
            _ => None,
        }) else {
            return Ok(None);
        };
        if keys.is_empty() {
            return Err(Diagnostic::error(
                Code::Facts,
                format!("the column `{field}` gives records, one per row: the rows of one enterprise need a key"),
            )
            .label(Span::new(0, header.text.len()), "the header")
            .help("name the enterprise's column with --key (e.g. --key id): consecutive rows with the same key are one enterprise")
            .in_source(header)
            .into());
        }
        Ok(Some(Groups {
            seen: HashMap::new(),
            pending: None,
        }))
    }
}

/// The column a header name `LIST.FIELD` stands for, or why it stands for
/// none; `None` for a name without a dot before a list fact.
pub(super) fn field_column(policy: &Policy, name: &str) -> Option<Result<Column, String>> {
    let (list, field) = name.split_once('.')?;
    let (id, fact) = policy.fact_named(list)?;
    let Unit::List(r) = fact.unit else {
        return None;
    };
    let info = policy.records.get(r)?;
    Some(
        crate::facts::field_named(info, field)
            .map(|(i, f)| Column::Field(id, i, name.to_string(), f.unit)),
    )
}

/// One enterprise being read: its facts, its records, where it began.
struct Group<'a> {
    policy: &'a Policy,
    input: &'a str,
    columns: &'a [Column],
    line: u64,
    facts: Facts,
    /// Where each enterprise fact was first given.
    given_at: BTreeMap<FactId, u64>,
    lists: BTreeMap<FactId, Vec<Record>>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Group<'a> {
    fn new(policy: &'a Policy, input: &'a str, columns: &'a [Column], line: u64) -> Self {
        let mut lists = BTreeMap::new();
        for c in columns {
            if let Column::Field(list, ..) = c {
                lists.insert(*list, Vec::new());
            }
        }
        Group {
            policy,
            input,
            columns,
            line,
            facts: Facts::new(format!("row {line}")),
            given_at: BTreeMap::new(),
            lists,
            warnings: Vec::new(),
        }
    }

    /// One row of the enterprise: its enterprise cells, its records.
    fn add(&mut self, record: &::csv::ByteRecord, line: u64) -> Result<(), RowError> {
        let mut records: BTreeMap<FactId, Record> = BTreeMap::new();
        for (col, cell) in self.columns.iter().zip(record.iter()) {
            match col {
                Column::Fact(id, name, unit) => {
                    self.enterprise_cell(*id, (name, *unit), cell, line)?
                }
                Column::Field(list, f, name, unit) => {
                    if *unit == Unit::Rate {
                        self.warnings
                            .extend(rate_doubt(self.input, line, name, cell));
                    }
                    let Some(v) = cell_value(self.policy, self.input, line, (name, *unit), cell)?
                    else {
                        continue;
                    };
                    let width = self.width(*list);
                    let rec = records.entry(*list).or_insert_with(|| Record {
                        fields: vec![None; width],
                    });
                    if let Some(slot) = rec.fields.get_mut(*f) {
                        *slot = Some(v);
                    }
                }
                Column::Other => {}
            }
        }
        for (list, rec) in records {
            self.lists.entry(list).or_default().push(rec);
        }
        Ok(())
    }

    /// How many fields a record of list fact `list` has.
    fn width(&self, list: FactId) -> usize {
        match self.policy.fact(list).map(|f| f.unit) {
            Some(Unit::List(r)) => self.policy.records.get(r).map_or(0, |x| x.fields.len()),
            _ => 0,
        }
    }

    /// An enterprise fact's cell: given once, then blank or the same.
    fn enterprise_cell(
        &mut self,
        id: FactId,
        (name, unit): (&str, Unit),
        cell: &[u8],
        line: u64,
    ) -> Result<(), RowError> {
        let Some(v) = cell_value(self.policy, self.input, line, (name, unit), cell)? else {
            return Ok(());
        };
        if unit == Unit::Rate && !self.given_at.contains_key(&id) {
            self.warnings
                .extend(rate_doubt(self.input, line, name, cell));
        }
        match (self.facts.get(id), self.given_at.get(&id)) {
            (Some(before), Some(at)) if *before != v => Err(RowError {
                line,
                diagnostics: vec![Diagnostic::error(
                    Code::Facts,
                    format!(
                        "{}:{line}: column `{name}`: {v} differs from {before}, given for the same enterprise on line {at}",
                        self.input
                    ),
                )
                .help("the enterprise's own facts stand on its first row; on its other rows leave them blank or repeat them")],
            }),
            (Some(_), _) => Ok(()),
            (None, _) => {
                self.facts.set(id, v);
                self.given_at.insert(id, line);
                Ok(())
            }
        }
    }

    /// The enterprise's facts, its lists among them.
    fn finish(mut self, keys: Vec<String>) -> (RowHead, Facts) {
        for (list, records) in std::mem::take(&mut self.lists) {
            self.facts.set(list, Value::Records(records));
        }
        let head = RowHead {
            keys,
            warnings: self.warnings,
            ..RowHead::at(self.line)
        };
        (head, self.facts)
    }
}

impl<R: BufRead + Send> Csv<'_, R> {
    /// A chunk of up to `max` enterprises, each a run of rows.
    pub(super) fn next_groups(&mut self, plan: Option<&Plan>, max: usize) -> Option<Chunk> {
        let (mut heads, mut facts, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        while heads.len() < max {
            let Some(group) = self.next_group() else {
                break;
            };
            match group {
                Ok((h, f)) => {
                    heads.push(h);
                    facts.push(f);
                }
                Err(e) => errors.push(e),
            }
            if errors.len() >= max {
                break;
            }
        }
        if heads.is_empty() && errors.is_empty() {
            return None;
        }
        Some(Chunk::typed(plan, heads, facts, errors))
    }

    /// The next enterprise, `None` at the end of the input.
    fn next_group(&mut self) -> Option<Result<(RowHead, Facts), RowError>> {
        let pending = self.groups_mut().as_mut().and_then(|g| g.pending.take());
        let (first, line) = match pending {
            Some(p) => p,
            None => match self.next_record()? {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            },
        };
        let keys = match self.keys_of(&first, line) {
            Ok(k) => k,
            Err(e) => return Some(Err(e)),
        };
        let key = keys.first().cloned().unwrap_or_default();
        // The rest of the run is read whatever happens, so that one bad
        // row rejects its enterprise and nothing else.
        let mut rows = vec![(first, line)];
        loop {
            match self.next_record() {
                None => break,
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok((r, l))) => {
                    let same = self.keys_of(&r, l).ok().and_then(|k| k.first().cloned())
                        == Some(key.clone());
                    if same {
                        rows.push((r, l));
                    } else {
                        if let Some(g) = self.groups_mut().as_mut() {
                            g.pending = Some((r, l));
                        }
                        break;
                    }
                }
            }
        }
        let earlier = self.groups_mut().as_mut().and_then(|g| {
            let before = g.seen.get(&key).copied();
            g.seen.entry(key.clone()).or_insert(line);
            before
        });
        if let Some(at) = earlier {
            let (_, input, _) = self.parts();
            return Some(Err(RowError {
                line,
                diagnostics: vec![Diagnostic::error(
                    Code::Facts,
                    format!("{input}:{line}: the enterprise `{key}` began on line {at}, and other rows came between"),
                )
                .help("the rows of one enterprise must be consecutive: sort the file by its key")],
            }));
        }
        let (policy, input, columns) = self.parts();
        let mut group = Group::new(policy, input, columns, line);
        for (r, l) in &rows {
            if let Err(e) = group.add(r, *l) {
                return Some(Err(e));
            }
        }
        Some(Ok(group.finish(keys)))
    }
}
