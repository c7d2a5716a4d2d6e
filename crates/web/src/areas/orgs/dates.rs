//! The days of a recorded span — a holding, a portfolio assignment — ended or corrected: the
//! one body `PATCH /api/v1/holdings/{id}` and `PATCH /api/v1/portfolio-assignments/{id}` read,
//! and the fields of the pages' forms that do the same. Whether a change is an end or a
//! correction (which says why) is the core's rule (`zeren_core::org::DatesEdit::change`),
//! applied by storage in the transaction that writes.

use super::*;
use zeren_core::org::DatesEdit;

/// The longest reason kept for a correction, in characters.
const REASON_MAX: usize = 500;

/// Body of `PATCH /api/v1/holdings/{id}` and `PATCH /api/v1/portfolio-assignments/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatesPatch {
    pub(super) version: i64,
    #[serde(default)]
    start: Option<String>,
    /// A day ends the span (or corrects its end); `null` makes it open again.
    #[serde(default, deserialize_with = "double_option")]
    end: Option<Option<String>>,
    #[serde(default)]
    reason: Option<String>,
}

impl DatesPatch {
    /// The edit asked for, or a 422 naming the first bad field.
    pub(super) fn edit(&self, tr: Tr) -> Result<DatesEdit, ApiError> {
        let day = |field: &'static str, s: &str| {
            parse_day(s).ok_or_else(|| {
                invalid(tr, field, &tr.tf("orgs.error.date", &[("value", s.trim())]))
            })
        };
        let start = self.start.as_deref().map(|s| day("start", s)).transpose()?;
        let end = match &self.end {
            None => None,
            Some(None) => Some(None),
            Some(Some(s)) => Some(Some(day("end", s)?)),
        };
        if let Some((field, message)) = reason_error(tr, self.reason.as_deref().unwrap_or("")) {
            return Err(invalid(tr, field, &message));
        }
        Ok(DatesEdit {
            start,
            end,
            reason: self.reason.clone(),
        })
    }
}

/// A reason too long to keep.
fn reason_error(tr: Tr, reason: &str) -> Option<FieldError> {
    (reason.chars().count() > REASON_MAX).then(|| {
        (
            "reason",
            tr.t("orgs.error.assignment.reason_long").to_string(),
        )
    })
}

/// The fields of a form ending a span or correcting its days: `start` (empty: unchanged),
/// `end` (a day; empty: open — a correction when the span had ended) and `reason`. Every
/// message at once.
pub(super) fn dates_from_form(
    tr: Tr,
    start: &str,
    end: &str,
    reason: &str,
) -> Result<DatesEdit, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut day = |field: &'static str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let d = parse_day(value);
        if d.is_none() {
            errors.push((field, tr.tf("orgs.error.date", &[("value", value)])));
        }
        d
    };
    let start = day("start", start);
    let end = day("end", end);
    errors.extend(reason_error(tr, reason));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DatesEdit {
        start,
        end: Some(end),
        reason: Some(reason.to_string()),
    })
}

/// The version a form carried, or the message of a form that lost it.
pub(super) fn form_version(tr: Tr, value: &str) -> Result<i64, FieldError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| ("form", tr.t("orgs.form.error.version").to_string()))
}
