//! `[accountability]`: how accountability cases run — the deciding body (Art.6), the steps of the
//! procedure in order (the ones a fair procedure needs are required), the days to state one's
//! case and to appeal, and the forms of accountability with the kinds of subject each applies
//! to. Every problem is located like the rest of the pack.

use super::{Reader, Tab};
use crate::cases::{CaseRules, Form, Procedure, Step, SubjectKind};
use crate::policy::problem::{Problem, Thing};
use std::collections::HashSet;

/// Keys of `[accountability]`.
const KEYS: &[&str] = &[
    "deciding_body",
    "deciding_body_en",
    "procedure",
    "statement_days",
    "appeal_days",
    "forms",
];

impl Reader<'_> {
    /// `[accountability]`: a step or form with problems is left out (and reported).
    pub(super) fn accountability(&mut self, t: &Tab<'_>) -> CaseRules {
        self.keys(t, KEYS);
        let defaults = CaseRules::default();
        let deciding_body = self
            .string(t, "deciding_body", false)
            .map_or(defaults.deciding_body, |(s, _)| s);
        let deciding_body_en = self
            .string(t, "deciding_body_en", false)
            .map_or(defaults.deciding_body_en, |(s, _)| s);
        let mut steps: Vec<Step> = Vec::new();
        let listed = self.strings(t, "procedure", false);
        for (s, span) in &listed {
            match Step::parse(s) {
                Some(step) => {
                    if steps.last().is_some_and(|last| *last >= step) {
                        self.at(
                            span,
                            Problem::Order {
                                key: "procedure".into(),
                            },
                        );
                    }
                    steps.push(step);
                }
                None => self.at(
                    span,
                    Problem::UnknownRef {
                        what: Thing::CaseStep,
                        id: s.clone(),
                    },
                ),
            }
        }
        if listed.is_empty() {
            steps = Step::ALL.to_vec();
        } else {
            for required in Step::REQUIRED {
                if !steps.contains(&required) {
                    self.at(
                        &t.span,
                        Problem::Missing {
                            key: format!("procedure: {}", required.as_str()),
                            table: "[accountability]".into(),
                        },
                    );
                }
            }
        }
        let statement_days = self
            .int(t, "statement_days", false, 1, 366)
            .map_or(defaults.procedure.statement_days, |n| n as u32);
        let appeal_days = self
            .int(t, "appeal_days", false, 1, 366)
            .map_or(defaults.procedure.appeal_days, |n| n as u32);
        let mut seen = HashSet::new();
        let mut forms = Vec::new();
        let declared = self.tables(t, "forms", false);
        for f in &declared {
            let before = self.diags.len();
            self.keys(f, &["id", "name", "name_en", "subjects"]);
            let id = self.id(f, "id");
            let name = self.text(f, "name");
            let name_en = self.text(f, "name_en");
            let mut subjects = Vec::new();
            for (s, span) in self.strings(f, "subjects", true) {
                match SubjectKind::parse(&s) {
                    Some(k) if !subjects.contains(&k) => subjects.push(k),
                    Some(_) => {}
                    None => self.at(
                        &span,
                        Problem::BadValue {
                            key: "subjects".into(),
                            value: s,
                            expected: "org or cadre".into(),
                        },
                    ),
                }
            }
            if let Some((id, span)) = id {
                self.unique(&mut seen, Thing::Form, &id, &span);
                if self.diags.len() == before {
                    forms.push(Form {
                        id,
                        name,
                        name_en,
                        subjects,
                    });
                }
            }
        }
        CaseRules {
            deciding_body,
            deciding_body_en,
            procedure: Procedure {
                steps,
                statement_days,
                appeal_days,
            },
            forms: if declared.is_empty() {
                defaults.forms
            } else {
                forms
            },
        }
    }
}
