//! The annual assessment (年度考核, Art.7): the supervising office draws up the year's scheme
//! from the pack (content, method, procedure) and publishes it; each college's secretary writes
//! the self-assessment; the office reviews, scores the manual indicators and adjusts computed
//! ones, each with a reason; publishing the results freezes them with the ranking. Every
//! computed score drills down to the obligations behind it. The secretary drafts the duty report
//! (述职报告) from the ledger and submits it. Word files in the official layout (the assessment
//! report, the duty report) and the score sheet as Excel with its formulas. Pages and the JSON
//! API `/api/v1/assessments`.
//!
//! Who sees what: the supervising office (`Permission::RunAssessment` on the round's org) sees
//! and runs everything; anyone who may read a college of the round sees that college's scores
//! once the scheme is published, and every college's total and rank once the results are; the
//! college's secretary writes its self-assessment and duty report. A draft round is the
//! office's alone (404 to anyone else).

use crate::AppState;
use crate::shared::access::{Refusal, read_gate};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{JsonBody, Path, Rejected};
use crate::shared::format::date;
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::refused::Refused;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{encode, form_first, posted_pairs, posted_version, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::{Permission, Role};
use zeren_core::assessments::{
    MarkDraft, OrgScore, Procedure, Scheme, SchemeDraft, Stage, StageError, check_mark,
    check_scheme, check_text, points_text,
};
use zeren_core::org::Org;
use zeren_core::policy::AssessmentStep;
use zeren_core::records::FieldErrors;
use zeren_core::vocab::OrgKind;
use zeren_storage::StorageError;
use zeren_storage::repo::assessments::{
    AssessmentEntry, AssessmentResult, AssessmentRound, EntryText, StoredMark,
};

mod api;
mod asked;
mod catalog;
mod college;
mod documents;
mod ops;
mod pages;
mod scores;

use api::*;
use college::*;
use documents::*;
use ops::*;
use pages::*;
use scores::*;

pub use asked::{Asked, asked_of};
pub use catalog::CATALOG;
pub use documents::{Export, MadeFile, export};

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/assessments",
            Describe::auth(
                "assessments",
                "The annual assessments the viewer may see, by year; the supervising office starts a year's",
            ),
            rounds_page,
        )
        .post(
            "/assessments",
            Describe::auth(
                "assessments",
                "Start a year's assessment for an org (the supervising office): year, org; the scheme is drafted from the pack",
            ),
            create_round_page,
        )
        .get(
            "/assessments/{id}",
            Describe::auth(
                "assessments",
                "A year's assessment: its procedure and where it stands, each college's scores, total and rank (the office; a college its own until the results are published)",
            ),
            round_page,
        )
        .post(
            "/assessments/{id}/advance",
            Describe::auth(
                "assessments",
                "Move to the next step (the office): version, to; to=publication publishes the results and freezes them, with document_number (发文字号, optional)",
            ),
            advance_page,
        )
        .get(
            "/assessments/{id}/scheme",
            Describe::auth(
                "assessments",
                "The scheme: indicators with weights and methods, the procedure's days; the draft as a form (the office)",
            ),
            scheme_page,
        )
        .post(
            "/assessments/{id}/scheme",
            Describe::auth(
                "assessments",
                "Save the draft scheme (do=save), publish it (do=publish) or start a new version of a published one (do=revise): version, id_N, title_N, title_en_N, weight_N, method_N, duties_N, until_STEP",
            ),
            scheme_post,
        )
        .get(
            "/assessments/{id}/scores.xlsx",
            Describe::auth(
                "assessments",
                "The score sheet as Excel, formulas visible (the office: every college; others: the colleges they may see)",
            ),
            scores_xlsx,
        )
        .get(
            "/assessments/{id}/report.docx",
            Describe::auth(
                "assessments",
                "The assessment report of every college with the ranking, as Word in the official layout (the office)",
            ),
            round_docx,
        )
        .get(
            "/assessments/{id}/orgs/{org}",
            Describe::auth(
                "assessments",
                "One college: each indicator's score with its counts and adjustments, the self-assessment, the review opinion, the marks with their reasons",
            ),
            college_page,
        )
        .post(
            "/assessments/{id}/orgs/{org}",
            Describe::auth(
                "assessments",
                "Write for one college: do=self-assessment (its secretary, text), do=review (the office, text), do=mark (the office: indicator, kind=score|adjustment, points, reason); version",
            ),
            college_post,
        )
        .get(
            "/assessments/{id}/orgs/{org}/indicators/{indicator}",
            Describe::auth(
                "assessments",
                "The obligations behind one computed indicator of a college, each with its status and evidence link",
            ),
            indicator_page,
        )
        .get(
            "/assessments/{id}/orgs/{org}/duty-report",
            Describe::auth(
                "assessments",
                "The secretary's duty report (述职报告): drafted from the ledger, editable until submitted",
            ),
            duty_report_page,
        )
        .post(
            "/assessments/{id}/orgs/{org}/duty-report",
            Describe::auth(
                "assessments",
                "Save (do=save) or submit (do=submit) the duty report (the college's secretary): version, text",
            ),
            duty_report_post,
        )
        .get(
            "/assessments/{id}/orgs/{org}/duty-report.docx",
            Describe::auth(
                "assessments",
                "The duty report as Word in the official layout (the college's secretary and the office)",
            ),
            duty_report_docx,
        )
        .get(
            "/assessments/{id}/orgs/{org}/report.docx",
            Describe::auth(
                "assessments",
                "The college's assessment report (scores, self-assessment, review, rank once published) as Word in the official layout",
            ),
            college_docx,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/assessments",
            Describe::auth("assessments", "The annual assessments the caller may see"),
            api_rounds,
        )
        .post(
            "/assessments",
            Describe::auth(
                "assessments",
                "Start a year's assessment (the office): {year, org}; the scheme is drafted from the pack",
            ),
            api_create,
        )
        .get(
            "/assessments/{id}",
            Describe::auth(
                "assessments",
                "A year's assessment: stage, scheme in force, colleges with totals and ranks as the caller may see them",
            ),
            api_round,
        )
        .put(
            "/assessments/{id}/scheme",
            Describe::auth(
                "assessments",
                "Save the draft scheme: {version, scheme: {indicators: [{id, title, title_en, weight, method, duties}], steps: [{step, until}]}}; a published scheme is refused (409)",
            ),
            api_save_scheme,
        )
        .post(
            "/assessments/{id}/scheme/revise",
            Describe::auth(
                "assessments",
                "Start a new version of the published scheme: {version, scheme}",
            ),
            api_revise_scheme,
        )
        .post(
            "/assessments/{id}/scheme/publish",
            Describe::auth(
                "assessments",
                "Publish the draft scheme: {version}; the first publication opens the first step",
            ),
            api_publish_scheme,
        )
        .post(
            "/assessments/{id}/advance",
            Describe::auth(
                "assessments",
                "Move to the next step: {version, to}; to=publication publishes the results, frozen, under {document_number} (optional, 重大委〔2027〕3号)",
            ),
            api_advance,
        )
        .get(
            "/assessments/{id}/orgs/{org}",
            Describe::auth(
                "assessments",
                "One college's scores with their counts, drill-down links, marks, self-assessment and review",
            ),
            api_college,
        )
        .post(
            "/assessments/{id}/orgs/{org}/marks",
            Describe::auth(
                "assessments",
                "Score a manual indicator or adjust a computed one (the office, in the scoring step): {indicator, kind: score|adjustment, points, reason}",
            ),
            api_mark,
        )
        .put(
            "/assessments/{id}/orgs/{org}/self-assessment",
            Describe::auth(
                "assessments",
                "Submit the college's self-assessment (its secretary, in the self-assessment step): {version, text}",
            ),
            api_self_assessment,
        )
        .put(
            "/assessments/{id}/orgs/{org}/review",
            Describe::auth(
                "assessments",
                "The review opinion of a college (the office, in the review step): {version, text}",
            ),
            api_review,
        )
        .get(
            "/assessments/{id}/orgs/{org}/duty-report",
            Describe::auth(
                "assessments",
                "The duty report: as saved, or drafted from the ledger",
            ),
            api_duty_report,
        )
        .put(
            "/assessments/{id}/orgs/{org}/duty-report",
            Describe::auth(
                "assessments",
                "Save or submit the duty report (the college's secretary): {version, text, submit}",
            ),
            api_save_duty_report,
        )
}

// ------------------------------------------------------------------------------------------
// Who sees what
// ------------------------------------------------------------------------------------------

/// Whether `v` runs the assessment of `r` (the supervising office).
pub(super) fn office(v: &Viewer, r: &AssessmentRound) -> bool {
    v.can(Permission::RunAssessment, Some(&r.scope_org))
}

/// Whether `v` may read anything under `r`'s org (a scope inside it, or around it).
fn reads_within(v: &Viewer, r: &AssessmentRound) -> bool {
    let m = &v.snap.model;
    v.principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .any(|s| m.is_within(s, &r.scope_org) || m.is_within(&r.scope_org, s))
}

/// Whether `v` is the secretary (first responsible person) of `college` itself.
pub(super) fn secretary_of(v: &Viewer, college: &str) -> bool {
    v.principal
        .roles
        .iter()
        .any(|g| g.role == Role::Secretary && g.org == college)
}

/// The round `id` if the viewer may see it: the office always; anyone who may read an org of
/// it once its scheme is published. Otherwise 404, as if missing.
pub(super) async fn readable(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<AssessmentRound, Refusal> {
    read_gate(v)?;
    let r = state
        .db
        .assessment_round(id)
        .await
        .map_err(|e| storage_refusal(v.tr, e, id))?;
    if office(v, &r) || (r.stage != Stage::Draft && reads_within(v, &r)) {
        Ok(r)
    } else {
        Err(not_found(v.tr, id))
    }
}

/// The round `id` for the office: 403 for someone who may see it but not run it.
pub(super) async fn run_by_office(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<AssessmentRound, Refusal> {
    let r = readable(state, v, id).await?;
    if office(v, &r) {
        Ok(r)
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// The college `org` (id or code) of round `r`, if the viewer may see it: 404 otherwise.
pub(super) fn college_of<'a>(
    v: &'a Viewer,
    r: &AssessmentRound,
    org: &str,
) -> Result<&'a Org, Refusal> {
    let m = &v.snap.model;
    match m.find_org(org) {
        Some(o)
            if is_college(o, r, m) && (office(v, r) || v.can(Permission::ReadOrg, Some(&o.id))) =>
        {
            Ok(o)
        }
        _ => Err(
            Refusal::not_found(v.tr, "assessments.college_not_found", org)
                .titled("assessments.not_found.title"),
        ),
    }
}

/// The round `id` and its college `org`, if the viewer may see them (else 404).
pub(super) async fn round_and_college<'a>(
    state: &AppState,
    v: &'a Viewer,
    id: &str,
    org: &str,
) -> Result<(AssessmentRound, &'a Org), Refusal> {
    let r = readable(state, v, id).await?;
    let o = college_of(v, &r, org)?;
    Ok((r, o))
}

/// Whether `o` is one of the colleges `r` assesses: a college under its org that existed in the
/// year.
pub(super) fn is_college(o: &Org, r: &AssessmentRound, m: &zeren_core::org::OrgModel) -> bool {
    let (from, to) = year_bounds(r.year);
    o.kind == OrgKind::College && m.is_within(&o.id, &r.scope_org) && o.exists_during(from, to)
}

/// The colleges `r` assesses, by code.
pub(super) fn colleges<'a>(v: &'a Viewer, r: &AssessmentRound) -> Vec<&'a Org> {
    let m = &v.snap.model;
    let mut out: Vec<&Org> = m
        .subtree(&r.scope_org)
        .into_iter()
        .filter(|o| is_college(o, r, m))
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}

/// The colleges of `r` the viewer may see the scores of: all for the office, else those they
/// may read.
pub(super) fn visible_colleges<'a>(v: &'a Viewer, r: &AssessmentRound) -> Vec<&'a Org> {
    let all = office(v, r);
    colleges(v, r)
        .into_iter()
        .filter(|o| all || v.can(Permission::ReadOrg, Some(&o.id)))
        .collect()
}

/// The first and last day of `year`.
pub(super) fn year_bounds(year: i32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(chrono::NaiveDate::MIN),
        chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(chrono::NaiveDate::MAX),
    )
}

/// 404 for a round.
pub(super) fn not_found(tr: Tr, id: &str) -> Refusal {
    Refusal::not_found(tr, "assessments.not_found", id).titled("assessments.not_found.title")
}

/// A storage failure as a refusal: a stale version 409, a missing round 404.
pub(super) fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "assessments.error.conflict", || not_found(tr, id))
}

/// A rule of the procedure as a refusal (409, the rule in words).
pub(super) fn stage_refusal(tr: Tr, e: StageError) -> Refused {
    Refused::Other(Refusal::new(ErrorCode::Conflict, e.message(tr.lang())))
}

/// The stage's name.
pub(super) fn stage_name(tr: Tr, s: Stage) -> &'static str {
    s.name(tr.lang())
}

/// The link of a round's page.
pub(super) fn round_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/assessments/{}", encode(id)), tr)
}

/// The link of a college's page in a round.
pub(super) fn college_href(id: &str, org: &Org, tr: Tr) -> String {
    with_lang(
        &format!("/assessments/{}/orgs/{}", encode(id), encode(&org.code)),
        tr,
    )
}

/// The names people know the accounts `logins` by (not their sign-in names); a login with no
/// account stands for itself.
pub(super) async fn display_names<'a>(
    state: &AppState,
    logins: impl IntoIterator<Item = &'a str>,
) -> impl Fn(&str) -> String {
    let logins: Vec<&str> = logins.into_iter().collect();
    let names = state.db.display_names(&logins).await.unwrap_or_default();
    move |login: &str| {
        names
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_string())
    }
}

/// Points as shown (two decimals).
pub(super) fn pts(p: i64) -> String {
    points_text(p)
}
