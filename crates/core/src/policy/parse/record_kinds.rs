//! `[[record_kinds]]`: kinds of record a pack defines for its own duties, with their fields and
//! the checks the evidence rule applies. Every problem is located like the rest of the pack.

use super::{Reader, Span, Tab};
use crate::policy::model::{Choice, FieldType, RecordCheck, RecordField, RecordKind};
use crate::policy::problem::{Problem, Thing};
use crate::vocab::EvidenceKind;
use std::collections::HashSet;

/// Keys of a `[[record_kinds]]` entry.
const KIND_KEYS: &[&str] = &["id", "name", "name_en", "date_field", "fields", "checks"];
/// Keys of a field.
const FIELD_KEYS: &[&str] = &[
    "id", "type", "label", "label_en", "help", "help_en", "required", "choices", "min", "max",
];
/// Keys of a check.
const CHECK_KEYS: &[&str] = &["check", "field", "count"];

impl Reader<'_> {
    /// The pack's record kinds, each checked; a kind with problems is left out (and reported).
    pub(super) fn record_kinds(&mut self, root: &Tab<'_>) -> Vec<RecordKind> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in self.tables(root, "record_kinds", false) {
            let before = self.diags.len();
            self.keys(&t, KIND_KEYS);
            let id = self.id(&t, "id");
            if let Some((id, span)) = &id {
                self.unique(&mut seen, Thing::RecordKind, id, span);
                if EvidenceKind::parse(id).is_some() {
                    self.at(span, Problem::BuiltinKind { id: id.clone() });
                }
            }
            let name = self.text(&t, "name");
            let name_en = self.text(&t, "name_en");
            let fields = self.record_fields(&t);
            let date_field = self.string(&t, "date_field", true);
            if let Some((f, span)) = &date_field {
                match fields.iter().find(|x| &x.id == f) {
                    Some(x)
                        if matches!(x.kind, FieldType::Date | FieldType::DateTime)
                            && x.required => {}
                    Some(_) => self.at(
                        span,
                        Problem::FieldUse {
                            field: f.clone(),
                            wanted: "a required date or date-time field",
                        },
                    ),
                    None => self.at(
                        span,
                        Problem::UnknownRef {
                            what: Thing::Field,
                            id: f.clone(),
                        },
                    ),
                }
            }
            let checks = self.record_checks(&t, &fields);
            if let (Some((id, _)), Some((date_field, _))) = (id, date_field)
                && self.diags.len() == before
            {
                out.push(RecordKind {
                    id,
                    name,
                    name_en,
                    date_field,
                    fields,
                    checks,
                });
            }
        }
        out
    }

    fn record_fields(&mut self, kind: &Tab<'_>) -> Vec<RecordField> {
        let tables = self.tables(kind, "fields", true);
        if tables.is_empty()
            && let Some(item) = kind.t.get("fields")
        {
            self.at(
                &item.span(),
                Problem::Empty {
                    key: "fields".into(),
                },
            );
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for f in tables {
            self.keys(&f, FIELD_KEYS);
            let id = self.id(&f, "id");
            if let Some((id, span)) = &id {
                self.unique(&mut seen, Thing::Field, id, span);
            }
            let label = self.text(&f, "label");
            let label_en = self.text(&f, "label_en");
            let help = self.string(&f, "help", false).map(|(s, _)| s);
            let help_en = self.string(&f, "help_en", false).map(|(s, _)| s);
            let required = self.boolean(&f, "required");
            let kind = self.field_type(&f);
            if kind == Some(FieldType::Attachment)
                && out
                    .iter()
                    .any(|x: &RecordField| x.kind == FieldType::Attachment)
                && let Some((id, span)) = &id
            {
                // The files attached to a record are what its attachment field holds.
                self.at(
                    span,
                    Problem::FieldUse {
                        field: id.clone(),
                        wanted: "the kind's only attachment field",
                    },
                );
            }
            if let (Some((id, _)), Some(kind)) = (id, kind) {
                out.push(RecordField {
                    id,
                    label,
                    label_en,
                    help,
                    help_en,
                    required,
                    kind,
                });
            }
        }
        out
    }

    fn field_type(&mut self, f: &Tab<'_>) -> Option<FieldType> {
        let (ty, span) = self.string(f, "type", true)?;
        let only = |r: &mut Self, key: &str, allowed: bool| {
            if !allowed && let Some(item) = f.t.get(key) {
                r.at(
                    &item.span(),
                    Problem::KeyForType {
                        key: key.into(),
                        field_type: ty.clone(),
                    },
                );
            }
        };
        only(self, "choices", ty == "choice");
        only(self, "min", ty == "number");
        only(self, "max", ty == "number");
        Some(match ty.as_str() {
            "text" => FieldType::Text,
            "long-text" => FieldType::LongText,
            "date" => FieldType::Date,
            "date-time" => FieldType::DateTime,
            "number" => {
                let min = self.number(f, "min");
                let max = self.number(f, "max");
                if let (Some(lo), Some(hi)) = (min, max)
                    && lo > hi
                {
                    let span = f.t.get("max").and_then(|i| i.span());
                    self.at(
                        &span,
                        Problem::DateOrder {
                            earlier: "min".into(),
                            later: "max".into(),
                        },
                    );
                }
                FieldType::Number { min, max }
            }
            "choice" => FieldType::Choice {
                choices: self.choices(f),
            },
            "person" => FieldType::Person,
            "people" => FieldType::People,
            "org" => FieldType::Org,
            "platform" => FieldType::Platform,
            "attachment" => FieldType::Attachment,
            _ => {
                self.at(
                    &span,
                    Problem::BadValue {
                        key: "type".into(),
                        value: ty,
                        expected: FieldType::NAMES.into(),
                    },
                );
                return None;
            }
        })
    }

    /// An optional number (integer or float).
    fn number(&mut self, t: &Tab<'_>, key: &str) -> Option<f64> {
        let item = t.t.get(key)?;
        match (item.as_float(), item.as_integer()) {
            (Some(x), _) if x.is_finite() => Some(x),
            (_, Some(n)) => Some(n as f64),
            _ => {
                self.wrong(item, key, "a number");
                None
            }
        }
    }

    fn choices(&mut self, f: &Tab<'_>) -> Vec<Choice> {
        let tables = self.tables(f, "choices", true);
        if tables.is_empty()
            && let Some(item) = f.t.get("choices")
        {
            self.at(
                &item.span(),
                Problem::Empty {
                    key: "choices".into(),
                },
            );
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for c in tables {
            self.keys(&c, &["id", "name", "name_en"]);
            let id = self.id(&c, "id");
            let name = self.text(&c, "name");
            let name_en = self.text(&c, "name_en");
            if let Some((id, span)) = id {
                self.unique(&mut seen, Thing::Choice, &id, &span);
                out.push(Choice { id, name, name_en });
            }
        }
        out
    }

    fn record_checks(&mut self, kind: &Tab<'_>, fields: &[RecordField]) -> Vec<RecordCheck> {
        let mut out = Vec::new();
        for c in self.tables(kind, "checks", false) {
            self.keys(&c, CHECK_KEYS);
            let Some((check, cspan)) = self.string(&c, "check", true) else {
                continue;
            };
            let Some((field, fspan)) = self.string(&c, "field", true) else {
                continue;
            };
            let Some(f) = fields.iter().find(|x| x.id == field) else {
                self.at(
                    &fspan,
                    Problem::UnknownRef {
                        what: Thing::Field,
                        id: field,
                    },
                );
                continue;
            };
            let count_allowed = check == "at-least";
            if !count_allowed && let Some(item) = c.t.get("count") {
                self.at(
                    &item.span(),
                    Problem::KeyForType {
                        key: "count".into(),
                        field_type: check.clone(),
                    },
                );
            }
            let fits = |r: &mut Self, ok: bool, wanted: &'static str, span: &Span| {
                if !ok {
                    r.at(
                        span,
                        Problem::FieldUse {
                            field: f.id.clone(),
                            wanted,
                        },
                    );
                }
                ok
            };
            match check.as_str() {
                "date-in-period" => {
                    if fits(
                        self,
                        matches!(f.kind, FieldType::Date | FieldType::DateTime),
                        "a date or date-time field",
                        &fspan,
                    ) {
                        out.push(RecordCheck::DateInPeriod { field });
                    }
                }
                "at-least" => {
                    let count = self.int(&c, "count", true, 1, 10_000);
                    let ok = fits(
                        self,
                        matches!(f.kind, FieldType::People | FieldType::Attachment),
                        "a people or attachment field",
                        &fspan,
                    );
                    if let (true, Some(n)) = (ok, count) {
                        out.push(RecordCheck::AtLeast {
                            field,
                            count: n as u32,
                        });
                    }
                }
                "present" => out.push(RecordCheck::Present { field }),
                _ => self.at(
                    &cspan,
                    Problem::BadValue {
                        key: "check".into(),
                        value: check,
                        expected: "date-in-period, at-least, present".into(),
                    },
                ),
            }
        }
        out
    }
}
