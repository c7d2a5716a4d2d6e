//! Online events held through a platform (报告会、讲座、论坛、直播 …, Art.4(4)): the event
//! ledger, registration before the event, approval by the person who answers for it (the
//! leader of the platform's portfolio; the first responsible person when the pack makes it
//! major), the record after it — pages and the JSON API `/api/v1/events`.
//!
//! Reading needs `ReadOrg` on the event's org (404 outside, as if missing). Registering,
//! editing and recording need `ManagePlatforms` there. Approving needs to be the person the
//! rules name on the day, before the event starts (403 with the rule's message otherwise).

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
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::Permission;
use zeren_core::clock::shanghai;
use zeren_core::events::{
    EventDraft, EventFields, HeldDraft, Speaker, approval_due, approver, check_approval,
    check_decision, check_event, check_held, shown,
};
use zeren_core::records::FieldErrors;
use zeren_core::vocab::EventForm;
use zeren_storage::StorageError;
use zeren_storage::repo::events::{EventFilter, EventState, OnlineEvent};

mod api;
mod catalog;
pub(crate) mod pages;

use api::*;
use pages::*;

pub use catalog::CATALOG;

/// Rows per page of the event ledger.
pub const PER_PAGE: i64 = 50;

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: events of its subtree (default: every org in scope)",
    ),
    ("state", "registered | approved | rejected"),
    ("from", "First day, YYYY-MM-DD"),
    ("to", "Last day, YYYY-MM-DD"),
    ("page", "Page number, from 1; 50 rows a page"),
    (
        "print",
        "1: every row on one page (at most 5 000), titled for printing",
    ),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/events",
            Describe::auth("events", "The online event ledger within the caller's scope")
                .query(LIST_QUERY),
            events_page,
        )
        .get(
            "/events/new",
            Describe::auth("events", "Form to register an online event")
                .query(&[("org", "Org code or id")]),
            new_event_form,
        )
        .post(
            "/events/new",
            Describe::auth("events", "Register an online event (its duty is owed at once)"),
            create_event_page,
        )
        .get(
            "/events/{id}",
            Describe::auth(
                "events",
                "An online event: its fields, who approves it, the decision, the record after it",
            ),
            event_page,
        )
        .get(
            "/events/{id}/edit",
            Describe::auth("events", "Form to change an online event"),
            edit_event_form,
        )
        .post(
            "/events/{id}/edit",
            Describe::auth(
                "events",
                "Change an online event (an approved event waits for approval again); 409 on a stale version",
            ),
            edit_event_page,
        )
        .post(
            "/events/{id}/decision",
            Describe::auth(
                "events",
                "Approve or reject an online event: decision=approve|reject, note, version",
            ),
            decision_page,
        )
        .post(
            "/events/{id}/held",
            Describe::auth(
                "events",
                "Record an online event after it began: outcome=held|cancelled, audience, summary, version",
            ),
            held_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/events",
            Describe::auth("events", "The online event ledger within the caller's scope")
                .query(LIST_QUERY),
            api_events,
        )
        .post(
            "/events",
            Describe::auth(
                "events",
                "Register an online event: {title, form, org, organiser, responsible, speakers: [{name, affiliation}], starts_at, ends_at, platform, audience, outline, major}",
            ),
            api_create_event,
        )
        .get(
            "/events/{id}",
            Describe::auth("events", "One online event with its approver and obligations"),
            api_event,
        )
        .patch(
            "/events/{id}",
            Describe::auth(
                "events",
                "Change an online event: {version, …fields}; 409 on a stale version",
            ),
            api_edit_event,
        )
        .post(
            "/events/{id}/decision",
            Describe::auth(
                "events",
                "Approve or reject an online event: {version, decision: approve|reject, note}",
            ),
            api_decide_event,
        )
        .post(
            "/events/{id}/held",
            Describe::auth(
                "events",
                "Record an online event after it began: {version, outcome: held|cancelled, audience, summary}",
            ),
            api_held_event,
        )
}

// ------------------------------------------------------------------------------------------
// Access and shared helpers
// ------------------------------------------------------------------------------------------

/// The event `id` if the viewer may read its org; else 404, as if missing.
async fn readable(state: &AppState, v: &Viewer, id: &str) -> Result<OnlineEvent, Refusal> {
    read_gate(v)?;
    let missing =
        || Refusal::not_found(v.tr, "events.not_found", id).titled("events.not_found.title");
    match state.db.online_event(id).await {
        Ok(e) if v.can(Permission::ReadOrg, Some(&e.fields.org)) => Ok(e),
        Ok(_) | Err(StorageError::NotFound { .. }) => Err(missing()),
        Err(e) => Err(Refusal::storage(v.tr, e, "events.error.conflict", missing)),
    }
}

/// The event `id` if the viewer may change it: 404 when they may not read it, 403 when they
/// may read but not keep events there.
async fn writable(state: &AppState, v: &Viewer, id: &str) -> Result<OnlineEvent, Refusal> {
    let e = readable(state, v, id).await?;
    if v.can(Permission::ManagePlatforms, Some(&e.fields.org)) {
        Ok(e)
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// A storage failure as a refusal: a stale version 409, a missing event 404.
fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "events.error.conflict", || {
        Refusal::not_found(tr, "events.not_found", id).titled("events.not_found.title")
    })
}

/// The instant now, in Asia/Shanghai.
fn now_local(state: &AppState) -> NaiveDateTime {
    state.clock.now().with_timezone(&shanghai()).naive_local()
}

/// A form's name in the user's language.
fn form_name(tr: Tr, f: EventForm) -> String {
    tr.t(&format!("events.form.{}", f.as_str())).to_string()
}

/// A state's name in the user's language.
fn state_name(tr: Tr, s: EventState) -> String {
    tr.t(&format!("events.state.{}", s.as_str())).to_string()
}

/// The link of an event's page.
fn event_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/events/{}", encode(id)), tr)
}

/// Checks a draft against the model and the pack's rules.
fn checked(v: &Viewer, d: &EventDraft) -> Result<EventFields, Refused> {
    let rules = v.snap.pack.online_events.clone().unwrap_or_default();
    check_event(d, &v.snap.model, &rules, v.tr.lang()).map_err(Refused::Fields)
}

/// Registers an event for an org the viewer keeps events of.
async fn register(state: &AppState, v: &Viewer, d: &EventDraft) -> Result<OnlineEvent, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    write_org(
        v,
        &d.org,
        Permission::ManagePlatforms,
        "events.org_not_found",
    )
    .map_err(Refused::Other)?;
    let fields = checked(v, d)?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let e = tx.register_event(fields, &v.snap.set, m).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(e)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, "")))?;
    let _ = state.caught_up().await;
    Ok(out)
}

/// Changes an event the viewer keeps.
async fn edit(
    state: &AppState,
    v: &Viewer,
    e: &OnlineEvent,
    version: i64,
    d: &EventDraft,
) -> Result<OnlineEvent, Refused> {
    let tr = v.tr;
    let mut d = d.clone();
    d.org = e.fields.org.clone();
    let fields = checked(v, &d)?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let e = tx
            .edit_event(&e.id, version, fields, &v.snap.set, &v.snap.model)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(e)
    }
    .await
    .map_err(|err| Refused::Other(storage_refusal(tr, err, &e.id)))?;
    let _ = state.caught_up().await;
    Ok(out)
}

/// Approves or rejects an event as the viewer's person, if the rules name them.
async fn decide(
    state: &AppState,
    v: &Viewer,
    e: &OnlineEvent,
    version: i64,
    decision: &str,
    note: &str,
) -> Result<OnlineEvent, Refused> {
    let tr = v.tr;
    let approve = check_decision(decision, note, tr.lang()).map_err(Refused::Fields)?;
    let Some(person) = v.user.person.clone() else {
        return Err(Refused::Other(Refusal::forbidden(tr)));
    };
    let now = now_local(state);
    check_approval(&v.snap.pack, &v.snap.model, &e.fields, &person, now).map_err(|err| {
        Refused::Other(Refusal::new(ErrorCode::Forbidden, err.message(tr.lang())))
    })?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let e = tx
            .decide_event(&e.id, version, approve, &person, now.date(), note)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(e)
    }
    .await
    .map_err(|err| Refused::Other(storage_refusal(tr, err, &e.id)))?;
    let _ = state.caught_up().await;
    Ok(out)
}

/// Records how an event went.
async fn record_held(
    state: &AppState,
    v: &Viewer,
    e: &OnlineEvent,
    version: i64,
    d: &HeldDraft,
) -> Result<OnlineEvent, Refused> {
    let tr = v.tr;
    let held = check_held(d, &e.fields, now_local(state), tr.lang()).map_err(Refused::Fields)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let e = tx.record_held(&e.id, version, held).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(e)
    }
    .await
    .map_err(|err| Refused::Other(storage_refusal(tr, err, &e.id)))
}

/// Who approves `e` today, as (person id, name).
fn approver_of(state: &AppState, v: &Viewer, e: &EventFields) -> Option<(String, String)> {
    approver(
        &v.snap.pack,
        &v.snap.model,
        &e.org,
        &e.platform,
        e.major,
        state.today(),
    )
}

/// Whether the event took place (or began) without approval, or stands changed after one.
fn unapproved_indicator(e: &OnlineEvent, now: NaiveDateTime) -> bool {
    now >= e.fields.starts_at && e.state != EventState::Approved
}

/// The last day an approval is on time.
fn approve_by(v: &Viewer, day: NaiveDate) -> NaiveDate {
    approval_due(&v.snap.pack.online_events.clone().unwrap_or_default(), day)
}
