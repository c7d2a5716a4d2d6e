//! The platform registry (阵地, Art.4(4), Art.4(6)): every website and account an org runs,
//! with its portfolio (which gives the responsible leader by Art.3), its operators, how it is
//! registered, and every step of its life — the pages and the JSON API.
//!
//! Reading needs `ReadOrg` on the platform's org; entering and changing platforms needs
//! `ManagePlatforms` there (secretary, branch, office staff, roster keepers). A platform outside
//! the viewer's scope answers exactly like a missing one (404). Each change is one
//! transaction that also brings the platform's and its operators' obligations in step at once.

use crate::AppState;
use crate::shared::access::{Refusal, read_gate};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::error::ApiError;
use crate::shared::extract::{JsonBody, Path, Query, Rejected, nonempty};
use crate::shared::format::{date, minute, person_name, platform_kind_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::pager::page_number;
use crate::shared::refused::Refused;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{
    encode, form_all, form_first, href_with, posted_pairs, posted_version, with_lang,
};
use askama::Template;
use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::Permission;
use zeren_core::obligation::{ObligationStatus, SubjectKind, status_on};
use zeren_core::org::Platform;
use zeren_core::platforms::{
    PlatformDraft, PlatformFields, PlatformTerms, RegistrationDraft, TransitionDraft,
    check_platform, check_registration, check_transition,
};
use zeren_core::records::FieldErrors;
use zeren_core::responsibility::{Target, resolve};
use zeren_core::vocab::{PlatformKind, PlatformState};
use zeren_storage::repo::platforms::PlatformLifecycle;
use zeren_storage::{StorageError, StoredObligation};

mod api;
mod catalog;
mod detail;
mod forms;
mod index;
mod leaders;
mod list;
mod review;
mod website;

use api::*;
use detail::*;
use forms::*;
use list::*;
use review::*;
use website::*;

pub use catalog::CATALOG;

/// Rows per page of the registry.
pub const PER_PAGE: usize = 50;

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: platforms of its subtree (default: every org in scope)",
    ),
    (
        "kind",
        "Platform kind (website, wechat-official, …, or one the policy declares)",
    ),
    (
        "state",
        "planned | registered | active | suspended | closed",
    ),
    ("q", "Words in the name or code"),
    ("page", "Page number, from 1; 50 rows a page"),
    (
        "print",
        "1: every row on one page (at most 5 000), titled for printing: the 阵地台账",
    ),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/platforms",
            Describe::auth("platforms", "The platform registry within the caller's scope")
                .query(LIST_QUERY),
            registry_page,
        )
        .get(
            "/platforms/new",
            Describe::auth("platforms", "Form to enter a new platform")
                .query(&[("org", "Owning org code or id")]),
            new_platform_form,
        )
        .post(
            "/platforms/new",
            Describe::auth(
                "platforms",
                "Enter a platform (its registration duty is owed at once)",
            ),
            create_platform_page,
        )
        .get(
            "/platforms/{id}",
            Describe::auth(
                "platforms",
                "A platform: its fields, registration, operators, responsible leader, every step of its life and its obligations",
            ),
            platform_page,
        )
        .get(
            "/platforms/{id}/edit",
            Describe::auth("platforms", "Form to edit a platform"),
            edit_platform_form,
        )
        .post(
            "/platforms/{id}/edit",
            Describe::auth(
                "platforms",
                "Edit a platform: name, portfolio, news functions, operators (409 on a stale version)",
            ),
            edit_platform_page,
        )
        .post(
            "/platforms/{id}/steps",
            Describe::auth(
                "platforms",
                "Move a platform one step of its life: to, on, reason, version",
            ),
            step_platform_page,
        )
        .post(
            "/platforms/{id}/registration",
            Describe::auth(
                "platforms",
                "Record how a platform is registered: ICP number or account id, day, registering body, version",
            ),
            registration_page,
        )
        .get(
            "/platforms/{id}/review",
            Describe::auth(
                "platforms",
                "Form of a platform's annual review: the pack's checklist, outcome, rectification tasks",
            ),
            new_review_form,
        )
        .post(
            "/platforms/{id}/review",
            Describe::auth(
                "platforms",
                "Record an annual review (年审): date, reviewer, item.<id>=met|not-met, note.<id>, outcome, summary, task.<n>.title|owner|deadline|item",
            ),
            review_page,
        )
        .post(
            "/platforms/{id}/content",
            Describe::auth(
                "platforms",
                "A website's content arrangements: approver, reviewer1..3 (三审), version",
            ),
            content_page,
        )
        .post(
            "/platforms/{id}/maintenance",
            Describe::auth(
                "platforms",
                "Add a website maintenance log entry: date, kind (update|check|fix|security), note",
            ),
            maintenance_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/platforms",
            Describe::auth("platforms", "The platform registry within the caller's scope")
                .query(LIST_QUERY),
            api_platforms,
        )
        .post(
            "/platforms",
            Describe::auth(
                "platforms",
                "Enter a platform: {code, name, kind, org, portfolio, news_function, opened_on, operators, state: planned|active}",
            ),
            api_create_platform,
        )
        .get(
            "/platforms/{id}",
            Describe::auth(
                "platforms",
                "One platform with its registration, operators, steps and obligations",
            ),
            api_platform,
        )
        .patch(
            "/platforms/{id}",
            Describe::auth(
                "platforms",
                "Edit a platform: {version, name?, portfolio?, news_function?, operators?}; 409 on a stale version",
            ),
            api_edit_platform,
        )
        .post(
            "/platforms/{id}/steps",
            Describe::auth(
                "platforms",
                "One step of a platform's life: {version, to, on, reason}",
            ),
            api_step_platform,
        )
        .put(
            "/platforms/{id}/registration",
            Describe::auth(
                "platforms",
                "How a platform is registered: {version, icp, account_id, registered_on, registering_body}",
            ),
            api_registration,
        )
        .get(
            "/platforms/{id}/reviews",
            Describe::auth(
                "platforms",
                "A platform's annual reviews and the rectification tasks they opened, with their status",
            ),
            api_reviews,
        )
        .post(
            "/platforms/{id}/reviews",
            Describe::auth(
                "platforms",
                "Record an annual review: {date, reviewer, items: {<item id>: {result: met|not-met, note}}, outcome: pass|rectify|close, summary, rectifications: [{item, title, owner, deadline}]}; 201 with the record",
            ),
            api_create_review,
        )
        .get(
            "/platforms/{id}/maintenance",
            Describe::auth(
                "platforms",
                "A website's content arrangements and maintenance log, and the days since its last entry when that is too long",
            ),
            api_maintenance,
        )
        .post(
            "/platforms/{id}/maintenance",
            Describe::auth(
                "platforms",
                "Add a website maintenance log entry: {date, kind: update|check|fix|security, note}",
            ),
            api_add_log,
        )
        .put(
            "/platforms/{id}/content",
            Describe::auth(
                "platforms",
                "A website's content arrangements: {version, approver, reviewers: [first, second, third]}; 409 on a stale version",
            ),
            api_content,
        )
}

// ------------------------------------------------------------------------------------------
// Access
// ------------------------------------------------------------------------------------------

/// The platform `id` (or code) if the viewer may read its org; else 404, as if missing.
fn readable<'a>(v: &'a Viewer, id: &str) -> Result<&'a Platform, Refusal> {
    read_gate(v)?;
    let m = &v.snap.model;
    m.find_platform(id.trim())
        .filter(|p| v.can(Permission::ReadOrg, Some(&p.org)))
        .ok_or_else(|| {
            Refusal::not_found(v.tr, "platforms.not_found", id).titled("platforms.not_found.title")
        })
}

/// The platform `id` if the viewer may change it: 404 when they may not read it, 403 when
/// they may read but not keep the registry there.
fn writable<'a>(v: &'a Viewer, id: &str) -> Result<&'a Platform, Refusal> {
    let p = readable(v, id)?;
    if v.can(Permission::ManagePlatforms, Some(&p.org)) {
        Ok(p)
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// 403 for anyone who keeps no registry anywhere.
fn write_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::ManagePlatforms) {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// The open orgs where the viewer keeps the registry, as (id, name), parents first.
fn managed_orgs(v: &Viewer, today: NaiveDate) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = Vec::new();
    for root in v.principal.scopes(Permission::ManagePlatforms) {
        for o in m.subtree(root) {
            if o.closed_on.is_none_or(|c| c > today) && !out.iter().any(|(id, _)| *id == o.id) {
                out.push((o.id.clone(), o.name.clone()));
            }
        }
    }
    out
}

/// The portfolio ids and names of the policy, in its order.
fn portfolios(v: &Viewer) -> Vec<(String, String)> {
    let tr = v.tr;
    v.snap
        .pack
        .portfolios
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                tr.lang().pick(&p.name, &p.name_en).to_string(),
            )
        })
        .collect()
}

/// A storage failure as a refusal: a stale version 409, a missing platform 404.
fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "platforms.error.conflict", || {
        Refusal::not_found(tr, "platforms.not_found", id).titled("platforms.not_found.title")
    })
}

/// The link of a platform's page.
fn platform_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/platforms/{}", encode(id)), tr)
}

/// Every kind of platform the policies have, as (id, name in the user's language), for a
/// form's or a filter's choices.
fn kind_choices(v: &Viewer) -> Vec<(String, String)> {
    v.snap
        .pack
        .platform_kinds()
        .into_iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                platform_kind_name(v.tr, &v.snap.pack, k),
            )
        })
        .collect()
}

/// A state's name in the user's language.
fn state_name(tr: Tr, s: PlatformState) -> String {
    tr.t(&format!("platforms.state.{}", s.as_str())).to_string()
}

/// Who answers for the platform on `day` (Art.3, 一岗双责), as the responsibility engine
/// finds it: the holder of its portfolio in its org, or — when the org has none (a branch), the
/// portfolio is vacant or the platform is in none — the person the chain passes to; as (person
/// id, name, post title).
fn responsible_leader(
    v: &Viewer,
    p: &Platform,
    day: NaiveDate,
) -> Option<(String, String, String)> {
    let m = &v.snap.model;
    let org = m.org(&p.org)?;
    let target = match p.portfolio.as_deref() {
        Some(portfolio) => Target::Portfolio(portfolio),
        None => Target::Duty {
            duty: v
                .snap
                .pack
                .duties
                .iter()
                .find(|d| matches!(d.subject, zeren_core::policy::Subject::Platform { .. }))?,
            platform: Some(p),
        },
    };
    let answer = resolve(&v.snap.pack, m, org, target, day).ok()?;
    let person = answer.person?;
    Some((
        person.id,
        person.name,
        answer.post.map(|p| p.name).unwrap_or_default(),
    ))
}

/// An obligation's status today.
fn status_of(v: &Viewer, o: &StoredObligation, today: NaiveDate) -> ObligationStatus {
    status_on(
        o.discharge(),
        o.due,
        today,
        v.snap.pack.reminders.due_soon_days,
    )
}
