//! Record drafts read from urlencoded forms with repeated keys.

use super::*;

/// The body of a form; an unreadable one reads as empty (its fields are then reported missing).
pub(super) fn raw(form: Result<RawForm, RawFormRejection>) -> Bytes {
    form.map(|RawForm(b)| b).unwrap_or_default()
}

pub(super) use crate::shared::urls::{form_all as all_of, form_first as first};

/// A record draft from a form.
pub(super) fn draft_from_form(pairs: &[(String, String)]) -> RecordDraft {
    let mut agenda: BTreeMap<usize, AgendaDraft> = BTreeMap::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix("agenda.") else {
            continue;
        };
        let Some((n, what)) = rest.split_once('.') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else {
            continue;
        };
        if n == 0 || n > AGENDA_MAX {
            continue;
        }
        let item = agenda.entry(n).or_default();
        match what {
            "title" => item.title = v.clone(),
            "topics" if !v.trim().is_empty() => item.topics.push(v.trim().to_string()),
            _ => {}
        }
    }
    let rows = agenda.keys().max().copied().unwrap_or(0);
    let agenda = (1..=rows)
        .map(|n| agenda.remove(&n).unwrap_or_default())
        .collect();
    RecordDraft {
        kind: first(pairs, "kind").into(),
        org: first(pairs, "org").into(),
        date: first(pairs, "date").into(),
        title: first(pairs, "title").into(),
        attendees: all_of(pairs, "attendees"),
        absentees: all_of(pairs, "absentees"),
        agenda,
        minutes: first(pairs, "minutes").into(),
        decisions: first(pairs, "decisions").into(),
        covers: first(pairs, "covers").into(),
        author: first(pairs, "author").into(),
        findings: first(pairs, "findings").into(),
        measures: first(pairs, "measures").into(),
        trainer: first(pairs, "trainer").into(),
        hours: first(pairs, "hours").into(),
        audience: first(pairs, "audience").into(),
        count: first(pairs, "count").into(),
        content: first(pairs, "content").into(),
        directive: first(pairs, "directive").into(),
        rectification: first(pairs, "rectification").into(),
        text: first(pairs, "text").into(),
        values: values_from_form(pairs),
        files: 0,
    }
}
