//! Records of the kinds a pack defines (`[[record_kinds]]`, e.g. 廉政谈话记录, 安全检查记录):
//! the values as typed in, checked field by field against the definition the record is made
//! under, and what the evidence rule reads of them.

use super::validate::Errors;
use super::{RecordDraft, TEXT_MAX, TITLE_MAX, unique};
use crate::Lang;
use crate::evidence::{DefinedFacts, FieldFacts};
use crate::org::OrgModel;
use crate::policy::{FieldType, RecordField, RecordKind};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The most people one people field names.
pub const PEOPLE_MAX: usize = 1000;

/// A record of a pack-defined kind: the definition it was made under (kept with the record, so
/// a later version of the pack never reinterprets it) and its values by field id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefinedRecord {
    /// The pack version whose definition the record was made under.
    pub policy: String,
    /// That definition.
    pub definition: RecordKind,
    /// Values by field id, each as its type reads: text for text and long text, `YYYY-MM-DD`
    /// for dates, `YYYY-MM-DDTHH:MM` for date-times, the id of a choice, person, org or
    /// platform, a number for numbers and a list of ids for people. An attachment field holds
    /// nothing here: it stands for the record's files.
    pub values: BTreeMap<String, Value>,
}

/// One field of a defined record as shown: its label and its value as text (ids are left to
/// the caller to name).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownField<'a> {
    /// The field.
    pub field: &'a RecordField,
    /// The stored value (`Value::Null` when left empty).
    pub value: &'a Value,
}

impl DefinedRecord {
    /// The record's fields in form order, with their values.
    pub fn shown(&self) -> Vec<ShownField<'_>> {
        self.definition
            .fields
            .iter()
            .map(|f| ShownField {
                field: f,
                value: self.values.get(&f.id).unwrap_or(&Value::Null),
            })
            .collect()
    }

    /// People named in person and people fields, each once.
    pub fn people(&self) -> Vec<String> {
        unique(self.definition.fields.iter().flat_map(|f| {
            match (&f.kind, self.values.get(&f.id)) {
                (FieldType::Person, Some(Value::String(s))) => vec![s.clone()],
                (FieldType::People, Some(Value::Array(list))) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }
        }))
    }

    /// Platforms named in platform fields.
    pub fn platforms(&self) -> Vec<String> {
        unique(self.definition.fields.iter().filter_map(|f| {
            match (&f.kind, self.values.get(&f.id)) {
                (FieldType::Platform, Some(Value::String(s))) => Some(s.clone()),
                _ => None,
            }
        }))
    }

    /// The text of every text field, for search.
    pub fn text(&self) -> String {
        self.definition
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldType::Text | FieldType::LongText))
            .filter_map(|f| self.values.get(&f.id).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What the evidence rule reads: the kind's checks, each field's day and count. `files` is
    /// the number of files attached to the record (what an attachment field holds).
    pub fn facts(&self, files: usize) -> DefinedFacts {
        let fields = self
            .definition
            .fields
            .iter()
            .map(|f| {
                let v = self.values.get(&f.id);
                let date = v.and_then(Value::as_str).and_then(day_of);
                let count = match (&f.kind, v) {
                    (FieldType::Attachment, _) => files,
                    (_, Some(Value::Array(list))) => list.len(),
                    (_, None | Some(Value::Null)) => 0,
                    (_, Some(Value::String(s))) if s.is_empty() => 0,
                    (_, Some(_)) => 1,
                };
                FieldFacts {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    label_en: f.label_en.clone(),
                    date: matches!(f.kind, FieldType::Date | FieldType::DateTime)
                        .then_some(date)
                        .flatten(),
                    count,
                }
            })
            .collect();
        DefinedFacts {
            checks: self.definition.checks.clone(),
            fields,
        }
    }
}

/// The day of a stored date or date-time value.
fn day_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// A value as typed in, as text (numbers given as numbers are written out).
fn as_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A list as typed in: a list of ids, or one id.
fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(list)) => list
            .iter()
            .map(|x| as_text(Some(x)).trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        other => {
            let s = as_text(other);
            let s = s.trim();
            if s.is_empty() {
                Vec::new()
            } else {
                vec![s.to_string()]
            }
        }
    }
}

/// Checks the values of a draft against `kind`; the record's day (its date field) and the valid
/// values. Problems are told per field as `values.<field id>`.
pub(super) fn defined_values(
    e: &mut Errors,
    kind: &RecordKind,
    d: &RecordDraft,
    model: &OrgModel,
    org: Option<&str>,
    today: NaiveDate,
) -> (Option<NaiveDate>, BTreeMap<String, Value>) {
    let lang = e.lang();
    for id in d.values.keys().filter(|id| kind.field(id).is_none()) {
        e.push(
            format!("values.{id}"),
            format!("「{}」没有字段「{id}」", kind.name),
            format!("{} has no field `{id}`", kind.name_en),
        );
    }
    let mut day = None;
    let mut out = BTreeMap::new();
    for f in &kind.fields {
        let key = format!("values.{}", f.id);
        let label = lang.pick(&f.label, &f.label_en).to_string();
        let raw = d.values.get(&f.id);
        let text = as_text(raw);
        let text = text.trim();
        let empty = match &f.kind {
            FieldType::People => as_list(raw).is_empty(),
            FieldType::Attachment => d.files == 0,
            _ => text.is_empty(),
        };
        if empty {
            if f.required {
                e.push(
                    &key,
                    format!("{label}不能为空"),
                    format!("{label} is required"),
                );
            }
            continue;
        }
        let value = match &f.kind {
            FieldType::Text | FieldType::LongText => {
                let max = if f.kind == FieldType::Text {
                    TITLE_MAX
                } else {
                    TEXT_MAX
                };
                if text.chars().count() > max {
                    e.push(
                        &key,
                        format!("{label}不能超过 {max} 个字符"),
                        format!("{label} must be at most {max} characters"),
                    );
                }
                Some(Value::String(text.to_string()))
            }
            FieldType::Date => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => {
                    if f.id == kind.date_field {
                        day = not_after(e, &key, &label, d, today);
                    }
                    Some(Value::String(d.format("%Y-%m-%d").to_string()))
                }
                Err(_) => {
                    e.push(
                        &key,
                        format!("{label}「{text}」不是有效日期，请按 YYYY-MM-DD 填写"),
                        format!("{label} `{text}` is not a date; write YYYY-MM-DD"),
                    );
                    None
                }
            },
            FieldType::DateTime => match date_time(text) {
                Some(t) => {
                    if f.id == kind.date_field {
                        day = not_after(e, &key, &label, t.date(), today);
                    }
                    Some(Value::String(t.format("%Y-%m-%dT%H:%M").to_string()))
                }
                None => {
                    e.push(
                        &key,
                        format!("{label}「{text}」不是有效的日期时间，请按 YYYY-MM-DD HH:MM 填写"),
                        format!("{label} `{text}` is not a date and time; write YYYY-MM-DD HH:MM"),
                    );
                    None
                }
            },
            FieldType::Number { min, max } => number(e, &key, &label, text, *min, *max),
            FieldType::Choice { choices } => {
                if choices.iter().any(|c| c.id == text) {
                    Some(Value::String(text.to_string()))
                } else {
                    let names: Vec<String> = choices
                        .iter()
                        .map(|c| format!("{}（{}）", c.id, c.name))
                        .collect();
                    let ids: Vec<&str> = choices.iter().map(|c| c.id.as_str()).collect();
                    e.push(
                        &key,
                        format!("{label}「{text}」不是可选项，可选：{}", names.join("、")),
                        format!(
                            "{label} `{text}` is not a choice; use one of: {}",
                            ids.join(", ")
                        ),
                    );
                    None
                }
            }
            FieldType::Person => {
                e.person_as(&key, &label, text, model, org);
                Some(Value::String(text.to_string()))
            }
            FieldType::People => {
                let list = unique(as_list(raw));
                if list.len() > PEOPLE_MAX {
                    e.push(
                        &key,
                        format!("{label}最多 {PEOPLE_MAX} 人"),
                        format!("{label} names at most {PEOPLE_MAX} people"),
                    );
                }
                for p in &list {
                    e.person_as(&key, &label, p, model, org);
                }
                Some(Value::Array(list.into_iter().map(Value::String).collect()))
            }
            FieldType::Org => match model.find_org(text) {
                Some(o) => Some(Value::String(o.id.clone())),
                None => {
                    e.push(
                        &key,
                        format!("{label}：找不到组织「{text}」"),
                        format!("{label}: there is no org `{text}`"),
                    );
                    None
                }
            },
            FieldType::Platform => {
                let known = org.is_none_or(|o| model.platforms_of(o).any(|p| p.id == text));
                if known {
                    Some(Value::String(text.to_string()))
                } else {
                    e.push(
                        &key,
                        format!("{label}：找不到本组织的平台「{text}」"),
                        format!("{label}: the org has no platform `{text}`"),
                    );
                    None
                }
            }
            FieldType::Attachment => None,
        };
        if let Some(v) = value {
            out.insert(f.id.clone(), v);
        }
    }
    (day, out)
}

/// A day that is not after today.
fn not_after(
    e: &mut Errors,
    key: &str,
    label: &str,
    d: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if d > today {
        e.push(
            key,
            format!("{label} {d} 晚于今天（{today}），不能登记尚未发生的事项"),
            format!(
                "{label} {d} is after today ({today}); nothing can be recorded before it happens"
            ),
        );
        return None;
    }
    Some(d)
}

/// A day and time as a form or the API writes it.
fn date_time(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

fn number(
    e: &mut Errors,
    key: &str,
    label: &str,
    text: &str,
    min: Option<f64>,
    max: Option<f64>,
) -> Option<Value> {
    let Some(n) = text.parse::<f64>().ok().filter(|n| n.is_finite()) else {
        e.push(
            key,
            format!("{label}「{text}」不是数字"),
            format!("{label} `{text}` is not a number"),
        );
        return None;
    };
    if let Some(lo) = min.filter(|lo| n < *lo) {
        e.push(
            key,
            format!("{label}不能小于 {lo}"),
            format!("{label} must be at least {lo}"),
        );
        return None;
    }
    if let Some(hi) = max.filter(|hi| n > *hi) {
        e.push(
            key,
            format!("{label}不能大于 {hi}"),
            format!("{label} must be at most {hi}"),
        );
        return None;
    }
    serde_json::Number::from_f64(n).map(Value::Number)
}

/// The value of a field as it reads, with ids as given (the caller names people and orgs).
pub fn value_text(f: &RecordField, v: &Value, lang: Lang) -> String {
    match (&f.kind, v) {
        (FieldType::Choice { choices }, Value::String(id)) => choices
            .iter()
            .find(|c| &c.id == id)
            .map(|c| lang.pick(&c.name, &c.name_en).to_string())
            .unwrap_or_else(|| id.clone()),
        (FieldType::DateTime, Value::String(s)) => s.replacen('T', " ", 1),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n
            .as_f64()
            .map(super::format_hours)
            .unwrap_or_else(|| n.to_string()),
        (_, Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
        _ => String::new(),
    }
}
