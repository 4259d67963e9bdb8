//! The records of a `list of` fact as facts files give them: a list of
//! tables, one per record, each field by its name (`[{"investment":
//! "3000万", "kind": "upgrade"}]`), each value typed by the field's type
//! through [`super::convert`], the one reader of values. A field not given
//! (or `null`) is not known: what uses it is undetermined.

use super::{Raw, convert};
use crate::check::{Policy, RecordInfo};
use crate::value::{Record, Value};

/// The records of record type `r` in `items`.
///
/// # Errors
/// The first record that is no table, names a field the record type has
/// not (with a "did you mean"), names one twice, or gives a value of the
/// wrong type — each with the record's number and the field.
pub fn records(policy: &Policy, r: usize, items: &[Raw]) -> Result<Value, String> {
    let info = policy.records.get(r).ok_or("unknown record type")?;
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let Raw::Table(entries) = item else {
            return Err(format!(
                "record {} is not a table of fields (name: value) of `{}`",
                n + 1,
                info.name
            ));
        };
        out.push(record(policy, info, entries).map_err(|why| format!("record {}: {why}", n + 1))?);
    }
    Ok(Value::Records(out))
}

/// One record from its entries.
fn record(policy: &Policy, info: &RecordInfo, entries: &[(String, Raw)]) -> Result<Record, String> {
    let mut rec = Record {
        fields: vec![None; info.fields.len()],
    };
    let mut given = vec![false; info.fields.len()];
    for (key, raw) in entries {
        if key.starts_with('_') {
            continue;
        }
        let (i, field) = field_named(info, key)?;
        if given.get(i).copied().unwrap_or(false) {
            return Err(format!("the field `{key}` is given twice"));
        }
        if let Some(g) = given.get_mut(i) {
            *g = true;
        }
        let value =
            convert(policy, field.unit, raw).map_err(|why| format!("field `{key}`: {why}"))?;
        if let Some(slot) = rec.fields.get_mut(i) {
            *slot = value;
        }
    }
    Ok(rec)
}

/// The field of `info` called `key`, by name or label, or why there is
/// none (with the one "did you mean").
pub fn field_named<'i>(
    info: &'i RecordInfo,
    key: &str,
) -> Result<(usize, &'i crate::check::FieldInfo), String> {
    let found = info
        .fields
        .iter()
        .enumerate()
        .find(|(_, f)| f.name == key || f.label.as_deref() == Some(key));
    if let Some(f) = found {
        return Ok(f);
    }
    let names = info.fields.iter().map(|f| f.name.as_str());
    let hint = crate::check::suggest(key, names)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    let all: Vec<&str> = info.fields.iter().map(|f| f.name.as_str()).collect();
    Err(format!(
        "`{}` has no field `{key}`{hint}; its fields are {}",
        info.name,
        all.join(", ")
    ))
}
