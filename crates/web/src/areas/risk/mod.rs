//! Major policies and projects and their public-opinion risk assessments (重大政策、项目舆情
//! 风险评估, Art.4(4)): the ledger of projects with where their assessment and launch stand, the
//! form a project is registered with, one project's page with its assessments, their approval by
//! the leader the rules name, and its launch — refused for a major project without an approved
//! assessment unless the first responsible person passes the gate with a reason — pages and the
//! JSON API `/api/v1/risk-assessments`.
//!
//! Reading needs `ReadOrg` on the project's org (404 outside). Registering, assessing, launching
//! and cancelling need `KeepRecords` there. Deciding an assessment needs to be the person the
//! rules name (403 with the rule's message otherwise).

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
use crate::shared::urls::{
    encode, form_all, form_first, href_with, posted_pairs, posted_version, with_lang,
};
use askama::Template;
use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::Permission;
use zeren_core::events::check_decision as check_verdict;
use zeren_core::incidents::first_responsible;
use zeren_core::projects::{
    AssessmentDraft, DecisionError, LaunchDraft, LaunchError, ProjectDraft, RiskRules, approver,
    check_assessment, check_cancel, check_decision, check_launch, check_project,
};
use zeren_core::records::FieldErrors;
use zeren_core::responsibility::NamedRef;
use zeren_storage::StorageError;
use zeren_storage::repo::projects::{
    AssessmentState, Project, ProjectFilter, ProjectState, RiskAssessment,
};

mod api;
mod catalog;
mod pages;

use api::*;
use pages::*;

pub use catalog::CATALOG;

/// Rows per page of the ledger.
pub const PER_PAGE: i64 = 50;

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: projects of its subtree (default: every org in scope)",
    ),
    ("state", "planned | launched | cancelled"),
    ("major", "1: major projects only"),
    ("page", "Page number, from 1; 50 rows a page"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/risk-assessments",
            Describe::auth(
                "risk-assessments",
                "Major policies and projects with their risk assessments and launch, within the caller's scope",
            )
            .query(LIST_QUERY),
            projects_page,
        )
        .get(
            "/risk-assessments/new",
            Describe::auth("risk-assessments", "Form to register a policy or project")
                .query(&[("org", "Org code or id")]),
            new_project_form,
        )
        .post(
            "/risk-assessments/new",
            Describe::auth(
                "risk-assessments",
                "Register a policy or project (a major one owes its assessment before launch)",
            ),
            create_project_page,
        )
        .get(
            "/risk-assessments/{id}",
            Describe::auth(
                "risk-assessments",
                "A project: its assessments, who approves them, its launch",
            ),
            project_page,
        )
        .get(
            "/risk-assessments/{id}/edit",
            Describe::auth("risk-assessments", "Form to change a planned project"),
            edit_project_form,
        )
        .post(
            "/risk-assessments/{id}/edit",
            Describe::auth(
                "risk-assessments",
                "Change a planned project; 409 on a stale version",
            ),
            edit_project_page,
        )
        .post(
            "/risk-assessments/{id}/assessments",
            Describe::auth(
                "risk-assessments",
                "Submit a risk assessment: planned, affected, risks, level, measures, assessors, assessed_on",
            ),
            assess_page,
        )
        .post(
            "/risk-assessments/{id}/assessments/{assessment}/decision",
            Describe::auth(
                "risk-assessments",
                "Approve or reject an assessment (the leader the rules name): decision=approve|reject, note",
            ),
            decision_page,
        )
        .post(
            "/risk-assessments/{id}/launch",
            Describe::auth(
                "risk-assessments",
                "Record the launch: launched_on, version; a major project needs an approved assessment, or the first responsible person with override and a reason",
            ),
            launch_page,
        )
        .post(
            "/risk-assessments/{id}/cancel",
            Describe::auth(
                "risk-assessments",
                "Cancel a planned project: reason, version",
            ),
            cancel_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/risk-assessments",
            Describe::auth(
                "risk-assessments",
                "Major policies and projects with their risk assessments and launch",
            )
            .query(LIST_QUERY),
            api_projects,
        )
        .post(
            "/risk-assessments",
            Describe::auth(
                "risk-assessments",
                "Register a policy or project: {title, org, description, portfolio, major, launch_on}",
            ),
            api_create_project,
        )
        .get(
            "/risk-assessments/{id}",
            Describe::auth(
                "risk-assessments",
                "One project with its assessments, approver, launch and obligations",
            ),
            api_project,
        )
        .patch(
            "/risk-assessments/{id}",
            Describe::auth(
                "risk-assessments",
                "Change a planned project: {version, …fields}; 409 on a stale version",
            ),
            api_edit_project,
        )
        .post(
            "/risk-assessments/{id}/assessments",
            Describe::auth(
                "risk-assessments",
                "Submit an assessment: {planned, affected, risks, level, measures, assessors: [person id], assessed_on}",
            ),
            api_assess,
        )
        .post(
            "/risk-assessments/{id}/assessments/{assessment}/decision",
            Describe::auth(
                "risk-assessments",
                "Approve or reject an assessment: {decision: approve|reject, note}",
            ),
            api_decide,
        )
        .post(
            "/risk-assessments/{id}/launch",
            Describe::auth(
                "risk-assessments",
                "Record the launch: {version, launched_on, override_gate, reason}",
            ),
            api_launch,
        )
        .post(
            "/risk-assessments/{id}/cancel",
            Describe::auth(
                "risk-assessments",
                "Cancel a planned project: {version, reason}",
            ),
            api_cancel,
        )
}

// ------------------------------------------------------------------------------------------
// Access and operations
// ------------------------------------------------------------------------------------------

/// The project `id` if the viewer may read its org; else 404, as if missing.
async fn readable(state: &AppState, v: &Viewer, id: &str) -> Result<Project, Refusal> {
    read_gate(v)?;
    let missing = || Refusal::not_found(v.tr, "risk.not_found", id).titled("risk.not_found.title");
    match state.db.project(id).await {
        Ok(p) if v.can(Permission::ReadOrg, Some(&p.fields.org)) => Ok(p),
        Ok(_) | Err(StorageError::NotFound { .. }) => Err(missing()),
        Err(e) => Err(Refusal::storage(v.tr, e, "risk.error.conflict", missing)),
    }
}

/// The project `id` if the viewer may keep it: 404 when they may not read it, 403 when they may
/// read but not keep records there.
async fn writable(state: &AppState, v: &Viewer, id: &str) -> Result<Project, Refusal> {
    let p = readable(state, v, id).await?;
    if v.can(Permission::KeepRecords, Some(&p.fields.org)) {
        Ok(p)
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// A storage failure as a refusal: a stale version 409, a missing project 404.
fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "risk.error.conflict", || {
        Refusal::not_found(tr, "risk.not_found", id).titled("risk.not_found.title")
    })
}

/// The pack's levels of risk.
fn rules(v: &Viewer) -> RiskRules {
    v.snap.pack.risk_assessment.clone().unwrap_or_default()
}

/// The portfolios of the policies in force.
fn portfolios(v: &Viewer) -> Vec<&str> {
    v.snap
        .pack
        .portfolios
        .iter()
        .map(|p| p.id.as_str())
        .collect()
}

/// The link of a project's page.
fn project_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/risk-assessments/{}", encode(id)), tr)
}

/// The first responsible person of `org` today.
fn first_of(state: &AppState, v: &Viewer, org: &str) -> Option<NamedRef> {
    first_responsible(&v.snap.pack, &v.snap.model, org, state.today())
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

/// Registers a project for an org the viewer keeps records of.
async fn register(state: &AppState, v: &Viewer, d: &ProjectDraft) -> Result<Project, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    write_org(v, &d.org, Permission::KeepRecords, "risk.org_not_found").map_err(Refused::Other)?;
    let fields = check_project(d, m, &portfolios(v), tr.lang()).map_err(Refused::Fields)?;
    in_tx(state, v, "", async |tx| {
        tx.register_project(fields, &v.snap.set, m).await
    })
    .await
}

/// Changes a planned project (its org stays).
async fn edit(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    version: i64,
    d: &ProjectDraft,
) -> Result<Project, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    if p.state != ProjectState::Planned {
        return Err(Refused::Other(Refusal::new(
            ErrorCode::Conflict,
            LaunchError::NotPlanned.message(tr.lang()),
        )));
    }
    let mut d = d.clone();
    d.org = p.fields.org.clone();
    let fields = check_project(&d, m, &portfolios(v), tr.lang()).map_err(Refused::Fields)?;
    in_tx(state, v, &p.id, async |tx| {
        tx.edit_project(&p.id, version, fields, &v.snap.set, m)
            .await
    })
    .await
}

/// Submits an assessment of a planned project.
async fn assess(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    d: &AssessmentDraft,
) -> Result<RiskAssessment, Refused> {
    let tr = v.tr;
    if p.state == ProjectState::Cancelled {
        return Err(Refused::Other(cancelled(tr)));
    }
    let fields = check_assessment(
        d,
        &p.fields,
        &v.snap.model,
        &rules(v),
        state.today(),
        tr.lang(),
    )
    .map_err(Refused::Fields)?;
    in_tx(state, v, &p.id, async |tx| {
        tx.submit_assessment(&p.id, fields).await
    })
    .await
}

/// Approves or rejects an assessment as the viewer's person, if the rules name them.
async fn decide(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    assessment: &str,
    decision: &str,
    note: &str,
) -> Result<RiskAssessment, Refused> {
    let tr = v.tr;
    if p.state == ProjectState::Cancelled {
        return Err(Refused::Other(cancelled(tr)));
    }
    let a = match state.db.risk_assessment(assessment).await {
        Ok(a) if a.project == p.id => a,
        Ok(_) | Err(StorageError::NotFound { .. }) => {
            return Err(Refused::Other(Refusal::not_found(
                tr,
                "risk.assessment_not_found",
                assessment,
            )));
        }
        Err(e) => return Err(Refused::Other(storage_refusal(tr, e, assessment))),
    };
    let approve = check_verdict(decision, note, tr.lang()).map_err(Refused::Fields)?;
    let refuse = |e: DecisionError| {
        let code = match e {
            DecisionError::Decided => ErrorCode::Conflict,
            _ => ErrorCode::Forbidden,
        };
        Refused::Other(Refusal::new(code, e.message(tr.lang())))
    };
    if a.state != AssessmentState::Submitted {
        return Err(refuse(DecisionError::Decided));
    }
    let Some(person) = v.user.person.clone() else {
        return Err(Refused::Other(Refusal::forbidden(tr)));
    };
    let today = state.today();
    check_decision(
        &v.snap.pack,
        &v.snap.model,
        &rules(v),
        &p.fields,
        &a.fields,
        &person,
        today,
    )
    .map_err(refuse)?;
    in_tx(state, v, &p.id, async |tx| {
        tx.decide_assessment(&a.id, approve, &person, today, note)
            .await
    })
    .await
}

/// Records a project as launched, through the gate.
async fn launch(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    version: i64,
    d: &LaunchDraft,
) -> Result<Project, Refused> {
    let tr = v.tr;
    let approved = state
        .db
        .assessments_of(&p.id)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?
        .iter()
        .any(|a| a.state == AssessmentState::Approved);
    let first = first_of(state, v, &p.fields.org);
    let person = v.user.person.as_deref();
    let checked = check_launch(
        &p.fields,
        p.state == ProjectState::Planned,
        approved,
        d,
        person,
        first.as_ref(),
        state.today(),
        tr.lang(),
    )
    .map_err(|e| {
        let code = match e {
            LaunchError::OverrideNotFirstResponsible { .. } => ErrorCode::Forbidden,
            _ => ErrorCode::Conflict,
        };
        Refused::Other(Refusal::new(code, e.message(tr.lang())))
    })?
    .map_err(Refused::Fields)?;
    in_tx(state, v, &p.id, async |tx| {
        tx.launch_project(&p.id, version, &checked, person).await
    })
    .await
}

/// Cancels a planned project.
async fn cancel(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    version: i64,
    reason: &str,
) -> Result<Project, Refused> {
    if p.state != ProjectState::Planned {
        return Err(Refused::Other(Refusal::new(
            ErrorCode::Conflict,
            LaunchError::NotPlanned.message(v.tr.lang()),
        )));
    }
    let reason = check_cancel(reason, v.tr.lang()).map_err(Refused::Fields)?;
    in_tx(state, v, &p.id, async |tx| {
        tx.cancel_project(&p.id, version, &reason, &v.snap.set, &v.snap.model)
            .await
    })
    .await
}

/// The refusal of a change to a cancelled project.
fn cancelled(tr: Tr) -> Refusal {
    Refusal::new(
        ErrorCode::Conflict,
        tr.t("risk.error.cancelled").to_string(),
    )
}

/// A state's name in the user's language.
fn state_name(tr: Tr, s: ProjectState) -> String {
    tr.t(&format!("risk.state.{}", s.as_str())).to_string()
}

/// An assessment state's name in the user's language.
fn assessment_state_name(tr: Tr, s: AssessmentState) -> String {
    tr.t(&format!("risk.assessment_state.{}", s.as_str()))
        .to_string()
}

/// Who approves an assessment of `level` for `p` today.
fn approver_of(state: &AppState, v: &Viewer, p: &Project, level: &str) -> Option<NamedRef> {
    approver(
        &v.snap.pack,
        &v.snap.model,
        &rules(v),
        &p.fields,
        level,
        state.today(),
    )
}
