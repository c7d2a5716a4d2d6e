//! Incidents (舆情事件, Art.4(4), Art.3): the incident ledger with each incident's clocks, the
//! form a person records one with (or the organisation's own systems, through the JSON API
//! `/api/v1/incidents`), one incident's page with its timeline, its clocks, the first
//! responsible person's handling and sign-off, pauses, and the closure review; the statistics.
//! Zeren watches no one: an incident enters because someone records it.
//!
//! Reading needs `ReadOrg` on the incident's org (404 outside, as if missing). Recording and
//! handling need `KeepRecords` there. An instruction and the sign-off are the first responsible
//! person's own (403 with the rule's message otherwise); closing is refused with the rule while
//! a clock is open or Art.3's handling is missing (409).

use crate::AppState;
use crate::shared::access::{
    Refusal, form_org, read_gate, readable_orgs, unless_every_org, write_org,
};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{JsonBody, Path, Query, Rejected, nonempty};
use crate::shared::format::{date, person_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::pager::page_number;
use crate::shared::refused::Refused;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{encode, form_first, href_with, posted_pairs, posted_version, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{DefaultBodyLimit, RawForm, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::Permission;
use zeren_core::clock::shanghai;
use zeren_core::events::shown;
use zeren_core::incidents::{
    ClockState, ClosureDraft, EntryDraft, IncidentDraft, IncidentError, IncidentFields,
    IncidentRules, PersonalHandling, check_close, check_entry, check_incident, check_note,
    check_pause, check_severity_change, check_sign_off, clocks, first_responsible,
    personal_handling,
};
use zeren_core::records::FieldErrors;
use zeren_core::responsibility::NamedRef;
use zeren_core::vocab::IncidentClock;
use zeren_storage::StorageError;
use zeren_storage::repo::incidents::{ClosedFacts, Incident, RecordedBy, TimelineEntry, recorded};

mod api;
mod attachments;
mod catalog;
mod detail;
mod pages;
mod stats;

use api::*;
use attachments::*;
use detail::*;
use pages::*;
use stats::*;

pub use catalog::CATALOG;
pub use stats::month_chart;

/// Rows per page of the incident ledger.
pub const PER_PAGE: i64 = 50;

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: incidents of its subtree (default: every org in scope)",
    ),
    (
        "state",
        "open | closed | overdue (open with a clock run out)",
    ),
    ("severity", "A severity id of the policy's scale"),
    ("platform", "Platform code or id"),
    ("from", "First day noticed, YYYY-MM-DD"),
    ("to", "Last day noticed, YYYY-MM-DD"),
    ("page", "Page number, from 1; 50 rows a page"),
    (
        "print",
        "1: every row on one page (at most 5 000), titled for printing",
    ),
];

const STATS_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id (default: every org in scope)"),
    ("year", "Year, e.g. 2026 (default: this year)"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/incidents",
            Describe::auth(
                "incidents",
                "The incident ledger within the caller's scope, each with its clocks",
            )
            .query(LIST_QUERY),
            incidents_page,
        )
        .get(
            "/incidents/stats",
            Describe::auth(
                "incidents",
                "Incidents by month, severity, platform and time to close, as charts",
            )
            .query(STATS_QUERY),
            stats_page,
        )
        .get(
            "/incidents/new",
            Describe::auth("incidents", "Form to record an incident")
                .query(&[("org", "Org code or id")]),
            new_incident_form,
        )
        .post(
            "/incidents/new",
            Describe::auth(
                "incidents",
                "Record an incident (its duty is owed at once, due by its closure clock)",
            ),
            create_incident_page,
        )
        .get(
            "/incidents/{id}",
            Describe::auth(
                "incidents",
                "An incident: its facts, clocks, timeline, the first responsible person's handling, the closure review",
            ),
            incident_page,
        )
        .get(
            "/incidents/{id}/edit",
            Describe::auth("incidents", "Form to change an open incident"),
            edit_incident_form,
        )
        .post(
            "/incidents/{id}/edit",
            Describe::auth(
                "incidents",
                "Change an open incident (a new handler is put on its timeline); 409 on a stale version",
            ),
            edit_incident_page,
        )
        .post(
            "/incidents/{id}/severity",
            Describe::auth(
                "incidents",
                "Change the severity: severity, note (required when lowering), version; raising it to a level handled personally tells the first responsible person at once",
            ),
            severity_page,
        )
        .post(
            "/incidents/{id}/entries",
            Describe::auth(
                "incidents",
                "Add to the timeline: kind=response|assessment|action|instruction|note, at, detail; multipart/form-data to bring its files too (field `file`, repeatable; type sniffed from the content)",
            )
            .multipart(),
            entry_page.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/incidents/{id}/entries/{seq}/attachments",
            Describe::auth(
                "incidents",
                "Attach files to a timeline entry of an open incident (multipart/form-data, field `file`, repeatable; type sniffed from the content)",
            )
            .multipart(),
            attach_page.layer(DefaultBodyLimit::disable()),
        )
        .get(
            "/incidents/{id}/attachments/{sha}",
            Describe::auth(
                "incidents",
                "Download a file of the incident's timeline (access as the incident's)",
            ),
            download_page,
        )
        .post(
            "/incidents/{id}/sign-off",
            Describe::auth(
                "incidents",
                "The first responsible person signs off their handling (Art.3): detail",
            ),
            sign_off_page,
        )
        .post(
            "/incidents/{id}/pause",
            Describe::auth(
                "incidents",
                "Stop the clocks for a reason the policy allows: reason, note, version",
            ),
            pause_page,
        )
        .post(
            "/incidents/{id}/resume",
            Describe::auth("incidents", "Restart the clocks: note, version"),
            resume_page,
        )
        .post(
            "/incidents/{id}/close",
            Describe::auth(
                "incidents",
                "Close with the review: handled, prevention, rectification tasks, version; refused while a clock is open or Art.3's sign-off is missing",
            ),
            close_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/incidents",
            Describe::auth(
                "incidents",
                "The incident ledger within the caller's scope, each with its clocks",
            )
            .query(LIST_QUERY),
            api_incidents,
        )
        .post(
            "/incidents",
            Describe::auth(
                "incidents",
                "Record an incident: {title, org, platform, noticed_at, channel, source, facts, severity, handler}",
            ),
            api_create_incident,
        )
        .get(
            "/incidents/stats",
            Describe::auth(
                "incidents",
                "Incidents by month, severity, platform and time to close",
            )
            .query(STATS_QUERY),
            api_stats,
        )
        .get(
            "/incidents/{id}",
            Describe::auth(
                "incidents",
                "One incident with its clocks, timeline, rectification tasks and obligations",
            ),
            api_incident,
        )
        .patch(
            "/incidents/{id}",
            Describe::auth(
                "incidents",
                "Change an open incident: {version, note, …fields but severity}; 409 on a stale version",
            ),
            api_edit_incident,
        )
        .post(
            "/incidents/{id}/severity",
            Describe::auth(
                "incidents",
                "Change the severity: {version, severity, note}",
            ),
            api_severity,
        )
        .post(
            "/incidents/{id}/entries",
            Describe::auth(
                "incidents",
                "Add to the timeline: {kind, at, detail}",
            ),
            api_entry,
        )
        .post(
            "/incidents/{id}/entries/{seq}/attachments",
            Describe::auth(
                "incidents",
                "Attach files to a timeline entry of an open incident (multipart/form-data, field `file`, repeatable); type sniffed from the content; 413 over the limit, 409 once closed",
            )
            .multipart(),
            api_attach.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/incidents/{id}/sign-off",
            Describe::auth(
                "incidents",
                "The first responsible person signs off: {detail}",
            ),
            api_sign_off,
        )
        .post(
            "/incidents/{id}/pause",
            Describe::auth(
                "incidents",
                "Stop the clocks: {version, reason, note}",
            ),
            api_pause,
        )
        .post(
            "/incidents/{id}/resume",
            Describe::auth("incidents", "Restart the clocks: {version, note}"),
            api_resume,
        )
        .post(
            "/incidents/{id}/close",
            Describe::auth(
                "incidents",
                "Close: {version, handled, prevention, rectifications: [{title, owner, deadline}]}",
            ),
            api_close,
        )
}

// ------------------------------------------------------------------------------------------
// Access and shared helpers
// ------------------------------------------------------------------------------------------

/// The incident `id` if the viewer may read its org; else 404, as if missing.
async fn readable(state: &AppState, v: &Viewer, id: &str) -> Result<Incident, Refusal> {
    read_gate(v)?;
    let missing =
        || Refusal::not_found(v.tr, "incidents.not_found", id).titled("incidents.not_found.title");
    match state.db.incident(id).await {
        Ok(i) if v.can(Permission::ReadOrg, Some(&i.fields.org)) => Ok(i),
        Ok(_) | Err(StorageError::NotFound { .. }) => Err(missing()),
        Err(e) => Err(Refusal::storage(
            v.tr,
            e,
            "incidents.error.conflict",
            missing,
        )),
    }
}

/// The incident `id` if the viewer may handle it: 404 when they may not read it, 403 when they
/// may read but not keep records there, 409 when it is closed.
async fn writable(state: &AppState, v: &Viewer, id: &str) -> Result<Incident, Refusal> {
    let i = readable(state, v, id).await?;
    if !v.can(Permission::KeepRecords, Some(&i.fields.org)) {
        return Err(Refusal::forbidden(v.tr));
    }
    if i.closed {
        return Err(rule(v.tr, &IncidentError::Closed));
    }
    Ok(i)
}

/// A rule's refusal: 403 where it names who may act, 409 where the incident's state does not
/// allow it.
fn rule(tr: Tr, e: &IncidentError) -> Refusal {
    let code = match e {
        IncidentError::NotFirstResponsible { .. } => ErrorCode::Forbidden,
        _ => ErrorCode::Conflict,
    };
    Refusal::new(code, e.message(tr.lang()))
}

/// A storage failure as a refusal: a stale version 409, a missing incident 404.
fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "incidents.error.conflict", || {
        Refusal::not_found(tr, "incidents.not_found", id).titled("incidents.not_found.title")
    })
}

/// The instant now, in Asia/Shanghai.
fn now_local(state: &AppState) -> NaiveDateTime {
    state.clock.now().with_timezone(&shanghai()).naive_local()
}

/// The pack's scale of severity and clocks.
fn rules(v: &Viewer) -> &IncidentRules {
    /// The product's rules, for a pack that gives none.
    static DEFAULT: std::sync::LazyLock<IncidentRules> =
        std::sync::LazyLock::new(IncidentRules::default);
    v.snap.pack.incidents.as_ref().unwrap_or(&DEFAULT)
}

/// The first responsible person of `org` today.
fn first_of(state: &AppState, v: &Viewer, org: &str) -> Option<NamedRef> {
    first_responsible(&v.snap.pack, &v.snap.model, org, state.today())
}

/// Who records: the viewer's person, and whether they are the org's first responsible person.
fn recorded_by<'a>(v: &'a Viewer, first: Option<&NamedRef>) -> RecordedBy<'a> {
    let person = v.user.person.as_deref();
    RecordedBy {
        person,
        first_responsible: matches!((person, first), (Some(p), Some(f)) if p == f.id),
    }
}

/// The link of an incident's page.
fn incident_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/incidents/{}", encode(id)), tr)
}

/// A severity's name in the user's language.
fn severity_name(v: &Viewer, id: &str) -> String {
    rules(v).severity_name(id, v.tr.lang())
}

/// A clock's name in the user's language.
fn clock_name(tr: Tr, c: IncidentClock) -> String {
    tr.t(&format!("incidents.clock.{}", c.as_str())).to_string()
}

/// An incident's clocks now.
fn clocks_of(
    v: &Viewer,
    i: &Incident,
    line: &[TimelineEntry],
    now: NaiveDateTime,
) -> Vec<ClockState> {
    clocks(rules(v), i.fields.noticed_at, &recorded(line), now)
}

/// Runs `f` in one transaction as the viewer, mapping a storage failure to a refusal.
async fn in_tx<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    f: impl AsyncFnOnce(&mut zeren_storage::Tx) -> zeren_storage::Result<T>,
) -> Result<T, Refused> {
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = f(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await;
    out.map_err(|e| Refused::Other(storage_refusal(v.tr, e, id)))
}

/// Records an incident for an org the viewer keeps records of.
async fn record(state: &AppState, v: &Viewer, d: &IncidentDraft) -> Result<Incident, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    write_org(
        v,
        &d.org,
        Permission::KeepRecords,
        "incidents.org_not_found",
    )
    .map_err(Refused::Other)?;
    let rules = rules(v);
    let fields =
        check_incident(d, m, rules, now_local(state), tr.lang()).map_err(Refused::Fields)?;
    let first = first_of(state, v, &fields.org);
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, "", async |tx| {
        tx.record_incident(fields, by, rules, &v.snap.set, m).await
    })
    .await
}

/// Changes an open incident's fields; its severity stays (it moves by [`change_severity`]).
async fn edit(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    version: i64,
    d: &IncidentDraft,
    note: &str,
) -> Result<Incident, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    let mut d = d.clone();
    d.org = i.fields.org.clone();
    d.severity = i.fields.severity.clone();
    let rules = rules(v);
    let fields =
        check_incident(&d, m, rules, now_local(state), tr.lang()).map_err(Refused::Fields)?;
    let note = check_note(note, false, tr.lang()).map_err(Refused::Fields)?;
    let first = first_of(state, v, &i.fields.org);
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        tx.edit_incident(&i.id, version, fields, &note, by, rules, &v.snap.set, m)
            .await
    })
    .await
}

/// Changes the severity. Raising it to a level the first responsible person handles
/// personally tells them at once (in the same transaction).
async fn change_severity(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    version: i64,
    to: &str,
    note: &str,
) -> Result<Incident, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    let rules = rules(v);
    let raises = check_severity_change(rules, &i.fields.severity, to, note, tr.lang())
        .map_err(Refused::Fields)?;
    let mut fields: IncidentFields = i.fields.clone();
    fields.severity = to.trim().to_string();
    let first = first_of(state, v, &i.fields.org);
    let by = recorded_by(v, first.as_ref());
    let personal_now = rules
        .severity(&fields.severity)
        .is_some_and(|s| s.personal_handling);
    let personal_before = rules
        .severity(&i.fields.severity)
        .is_some_and(|s| s.personal_handling);
    let tell = match (&first, raises && personal_now && !personal_before) {
        (Some(f), true) => Some(
            crate::jobs::incident_clocks::raised_notice(
                state,
                v.snap.as_ref(),
                i,
                &fields.severity,
                f,
            )
            .await
            .map_err(|e| Refused::Other(storage_refusal(tr, e, &i.id)))?,
        ),
        _ => None,
    };
    in_tx(state, v, &i.id, async |tx| {
        let after = tx
            .edit_incident(&i.id, version, fields, note, by, rules, &v.snap.set, m)
            .await?;
        if let Some(notice) = tell {
            crate::jobs::incident_clocks::record_notice(tx, &i.id, notice).await?;
        }
        Ok(after)
    })
    .await
}

/// Adds a timeline entry the viewer recorded.
async fn add_entry(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    d: &EntryDraft,
) -> Result<TimelineEntry, Refused> {
    let tr = v.tr;
    let first = first_of(state, v, &i.fields.org);
    let entry = check_entry(
        d,
        &i.fields,
        v.user.person.as_deref(),
        first.as_ref(),
        now_local(state),
        tr.lang(),
    )
    .map_err(Refused::Fields)?;
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        tx.add_incident_entry(&i.id, &entry, by).await
    })
    .await
}

/// The first responsible person signs their handling off.
async fn sign_off(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    detail: &str,
) -> Result<TimelineEntry, Refused> {
    let tr = v.tr;
    let first = first_of(state, v, &i.fields.org);
    let line = state
        .db
        .timeline(&i.id)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &i.id)))?;
    check_sign_off(v.user.person.as_deref(), first.as_ref(), &recorded(&line))
        .map_err(|e| Refused::Other(rule(tr, &e)))?;
    let detail = check_note(detail, false, tr.lang()).map_err(Refused::Fields)?;
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        tx.sign_off_incident(&i.id, &detail, by).await
    })
    .await
}

/// Stops the clocks (`reason` given) or restarts them.
async fn pause(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    version: i64,
    reason: Option<&str>,
    note: &str,
) -> Result<Incident, Refused> {
    let tr = v.tr;
    let rules = rules(v);
    let reason = match reason {
        Some(r) => Some(
            check_pause(rules, i.paused, r, tr.lang())
                .map_err(|e| Refused::Other(rule(tr, &e)))?
                .map_err(Refused::Fields)?,
        ),
        None if !i.paused => {
            return Err(Refused::Other(rule(
                tr,
                &IncidentError::PauseState { paused: false },
            )));
        }
        None => None,
    };
    let note = check_note(note, false, tr.lang()).map_err(Refused::Fields)?;
    let first = first_of(state, v, &i.fields.org);
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        tx.pause_incident(&i.id, version, reason.as_deref(), &note, by)
            .await
    })
    .await
}

/// Closes an incident with its review.
async fn close(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    version: i64,
    d: &ClosureDraft,
) -> Result<Incident, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    let rules = rules(v);
    let first = first_of(state, v, &i.fields.org);
    let line = state
        .db
        .timeline(&i.id)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &i.id)))?;
    let now = now_local(state);
    let states = clocks_of(v, i, &line, now);
    let closure = check_close(
        rules,
        &i.fields,
        &states,
        &recorded(&line),
        first.as_ref(),
        m,
        d,
        now,
        tr.lang(),
    )
    .map_err(|e| Refused::Other(rule(tr, &e)))?
    .map_err(Refused::Fields)?;
    let facts = ClosedFacts {
        late: states
            .iter()
            .filter(|c| c.late())
            .map(|c| c.clock)
            .collect(),
        personal_done: personal_handling(rules, &i.fields.severity, &recorded(&line))
            == PersonalHandling::Done,
    };
    let by = recorded_by(v, first.as_ref());
    in_tx(state, v, &i.id, async |tx| {
        tx.close_incident(&i.id, version, closure, facts, by, &v.snap.set, m)
            .await
    })
    .await
}

/// The date and time as shown, or an empty text.
fn when(t: Option<NaiveDateTime>) -> String {
    t.map(shown).unwrap_or_default()
}

/// Reads a `YYYY-MM-DD` filter, refusing it with 422 naming the field.
fn day_param(tr: Tr, field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, Refusal> {
    s.map(|s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            Refusal::invalid(tr, field, &tr.tf("incidents.error.day", &[("value", s)]))
        })
    })
    .transpose()
}
