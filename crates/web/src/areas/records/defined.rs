//! Records of the kinds a pack defines: the form generated from the definition, and the fields
//! a record page shows.

use super::*;
use zeren_core::policy::FieldType;
use zeren_storage::repo::records::{DefinedRecord, value_text};

/// The definition a new record of `kind` is made under (the version in force today), or the
/// record's own for an amendment: (pack version id, definition).
pub(super) fn definition_of(
    v: &Viewer,
    kind: Option<&EvidenceOf>,
    record: Option<&Record>,
    today: NaiveDate,
) -> Option<(String, RecordKind)> {
    if let Some(d) = record.and_then(|r| r.details.defined()) {
        return Some((d.policy.clone(), d.definition.clone()));
    }
    match kind? {
        EvidenceOf::Pack(id) => v
            .snap
            .set
            .record_kind(id, today)
            .map(|(p, k)| (p.meta.id.clone(), k.clone())),
        EvidenceOf::Builtin(_) => None,
    }
}

/// One input of a generated form.
pub struct DefinedInput {
    /// The form name (`values.<field id>`), also the key of its error.
    pub name: String,
    /// The element id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Help, if the pack gives one.
    pub help: Option<String>,
    /// Whether it must be filled.
    pub required: bool,
    /// How it is typed in: `text`, `textarea`, `date`, `datetime`, `number`, `select`,
    /// `checks` or `file`.
    pub widget: &'static str,
    /// The value typed (text widgets).
    pub value: String,
    /// Options (select and checks): (value, name, chosen).
    pub options: Vec<(String, String, bool)>,
    /// Bounds of a number, as written.
    pub min: Option<String>,
    /// Upper bound.
    pub max: Option<String>,
}

/// The inputs of the form of a pack-defined kind, filled from `draft`.
pub(super) fn inputs(
    tr: Tr,
    m: &OrgModel,
    kind: &RecordKind,
    org: &str,
    draft: &RecordDraft,
) -> Vec<DefinedInput> {
    let lang = tr.lang();
    let given = |id: &str| -> Vec<String> {
        match draft.values.get(id) {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Number(n)) => vec![n.to_string()],
            _ => Vec::new(),
        }
    };
    kind.fields
        .iter()
        .map(|f| {
            let chosen = given(&f.id);
            let value = chosen.first().cloned().unwrap_or_default();
            let mark = |list: Vec<(String, String)>| -> Vec<(String, String, bool)> {
                list.into_iter()
                    .map(|(id, name)| {
                        let on = chosen.contains(&id);
                        (id, name, on)
                    })
                    .collect()
            };
            let (widget, options) = match &f.kind {
                FieldType::Text => ("text", Vec::new()),
                FieldType::LongText => ("textarea", Vec::new()),
                FieldType::Date => ("date", Vec::new()),
                FieldType::DateTime => ("datetime", Vec::new()),
                FieldType::Number { .. } => ("number", Vec::new()),
                FieldType::Choice { choices } => (
                    "select",
                    mark(
                        choices
                            .iter()
                            .map(|c| (c.id.clone(), lang.pick(&c.name, &c.name_en).to_string()))
                            .collect(),
                    ),
                ),
                FieldType::Person => ("select", mark(people_of(m, org))),
                FieldType::People => ("checks", mark(people_of(m, org))),
                FieldType::Org => (
                    "select",
                    mark(
                        m.subtree(org)
                            .iter()
                            .map(|o| (o.id.clone(), o.name.clone()))
                            .collect(),
                    ),
                ),
                FieldType::Platform => (
                    "select",
                    mark(
                        m.platforms_of(org)
                            .map(|p| (p.id.clone(), p.name.clone()))
                            .collect(),
                    ),
                ),
                FieldType::Attachment => ("file", Vec::new()),
            };
            let (min, max) = match &f.kind {
                FieldType::Number { min, max } => (min.map(format_hours), max.map(format_hours)),
                _ => (None, None),
            };
            DefinedInput {
                name: format!("values.{}", f.id),
                id: format!("field-{}", f.id),
                label: lang.pick(&f.label, &f.label_en).to_string(),
                help: match lang {
                    zeren_core::Lang::Zh => f.help.clone(),
                    zeren_core::Lang::En => f.help_en.clone().or_else(|| f.help.clone()),
                },
                required: f.required,
                widget,
                value: if f.kind == FieldType::DateTime {
                    value.replacen('T', " ", 1)
                } else {
                    value
                },
                options,
                min,
                max,
            }
        })
        .collect()
}

/// The values of a generated form: every `values.<field id>` pair, a people field as a list.
pub(super) fn values_from_form(pairs: &[(String, String)]) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in pairs {
        let Some(id) = k.strip_prefix("values.") else {
            continue;
        };
        match out.get_mut(id) {
            Some(Value::Array(list)) => list.push(Value::String(v.clone())),
            Some(first) => {
                let was = first.take();
                *first = Value::Array(vec![was, Value::String(v.clone())]);
            }
            None => {
                out.insert(id.to_string(), Value::String(v.clone()));
            }
        }
    }
    out
}

/// The fields a record page shows for a pack-defined record, people, orgs and platforms named.
pub(super) fn defined_fields(
    tr: Tr,
    m: &OrgModel,
    d: &DefinedRecord,
    files: usize,
) -> Vec<FieldView> {
    let lang = tr.lang();
    d.shown()
        .into_iter()
        .map(|s| {
            let f = s.field;
            let ids = |v: &Value| -> Vec<String> {
                match v {
                    Value::Array(list) => list
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect(),
                    Value::String(x) => vec![x.clone()],
                    _ => Vec::new(),
                }
            };
            let value = match &f.kind {
                FieldType::Person | FieldType::People => ids(s.value)
                    .iter()
                    .map(|p| person_name(m, p))
                    .collect::<Vec<_>>()
                    .join(lang.pick("、", ", ")),
                FieldType::Org => ids(s.value)
                    .iter()
                    .map(|o| org_name(m, o))
                    .collect::<Vec<_>>()
                    .join(""),
                FieldType::Platform => ids(s.value)
                    .iter()
                    .map(|p| {
                        m.platforms()
                            .iter()
                            .find(|x| &x.id == p)
                            .map(|x| x.name.clone())
                            .unwrap_or_else(|| p.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(""),
                FieldType::Attachment => {
                    tr.tf("records.defined.files", &[("n", &files.to_string())])
                }
                _ => value_text(f, s.value, lang),
            };
            FieldView {
                label: lang.pick(&f.label, &f.label_en).to_string(),
                value: if value.is_empty() {
                    tr.t("records.none").to_string()
                } else {
                    value
                },
            }
        })
        .collect()
}
