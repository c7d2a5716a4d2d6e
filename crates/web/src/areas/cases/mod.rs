//! Accountability cases (问责, Art.5–6): the discipline commission's case files and their
//! procedure — opened by the commission (from an indicator with its evidence, or by hand) or
//! referred by a college secretary and accepted or declined; facts linked to the ledger; the
//! respondent invited to state their case, and stating it here; the decision with findings per
//! ground and the pack's forms of accountability, as a Word document; the appeal and its
//! decision; remediation reported by its owner and verified by someone else; closing, and
//! addenda after. Pages and the JSON API `/api/v1/cases`.
//!
//! Confidential: a case is seen whole only by the commission in scope (`Permission::Cases` on
//! its org); its respondent sees what is asked of them, their statement, the decision and their
//! appeal; a remediation task's owner sees the task; a secretary who referred it sees only
//! whether it was accepted or declined. Anyone else gets 404, as if it did not exist. Every view
//! and every refused attempt is audited.

use crate::AppState;
use crate::shared::access::{Refusal, read_gate, readable_orgs, unless_every_org};
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{JsonBody, Path, Query, Rejected, nonempty};
use crate::shared::format::{date, person_name};
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::pager::page_number;
use crate::shared::refused::Refused;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::{encode, form_all, form_first, href_with, posted_pairs, with_lang};
use askama::Template;
use axum::Json;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use zeren_core::access::{Permission, Role};
use zeren_core::cases::{
    Action, AppealDecisionDraft, CaseDraft, CaseRules, CaseState, DecisionDraft, Fact, FactDraft,
    FactKind, FindingDraft, InquiryDraft, ProcedureError, SubjectKind, TaskDraft, TaskError,
    check_appeal_decision, check_case, check_decision, check_fact, check_inquiry, check_report,
    check_task, check_text, check_verification,
};
use zeren_core::records::FieldErrors;
use zeren_storage::StorageError;
use zeren_storage::repo::cases::{Case, CaseEntry, CaseFilter, CaseTask, EntryKind, StepChange};

mod api;
mod catalog;
mod detail;
mod document;
mod files;
mod pages;
mod steps;

use api::*;
use detail::*;
use document::*;
use files::*;
use pages::*;
use steps::*;

pub use catalog::CATALOG;
pub use pages::{Asked, asked_of};

/// Rows per page of the commission's list.
pub const PER_PAGE: i64 = 50;

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: cases of its subtree (default: every org in the commission's scope)",
    ),
    (
        "state",
        "referred | declined | opened | investigating | statement-invited | statement-received | statement-lapsed | decided | notified | appealed | appeal-decided | closed | open (every state still in hand)",
    ),
    ("page", "Page number, from 1; 50 rows a page"),
];

const NEW_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id"),
    (
        "fact",
        "Evidence to attach, `kind:id` (obligation, event, incident, project, platform, record)",
    ),
    (
        "indicator",
        "The indicator it came from (e.g. review-overdue)",
    ),
    ("ground", "The ground the indicator touches (e.g. art5-6)"),
    (
        "person",
        "Person id of the subject (who answered for it then)",
    ),
    ("day", "The day the indicator concerns, YYYY-MM-DD"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/cases",
            Describe::auth(
                "cases",
                "The discipline commission's cases by state with their deadlines, referrals waiting and indicators in scope; for anyone else, what cases ask of them and their referrals",
            )
            .query(LIST_QUERY),
            cases_page,
        )
        .get(
            "/cases/new",
            Describe::auth(
                "cases",
                "Form to open a case (the commission) or refer one (a college secretary), prefilled from an indicator",
            )
            .query(NEW_QUERY),
            new_case_form,
        )
        .post(
            "/cases/new",
            Describe::auth(
                "cases",
                "Open a case (the commission) or refer one (a college secretary)",
            ),
            create_case_page,
        )
        .get(
            "/cases/{id}",
            Describe::auth(
                "cases",
                "A case: whole for the commission; what is asked of the respondent; a task for its owner; the outcome for its referrer. Audited",
            ),
            case_page,
        )
        .post(
            "/cases/{id}/steps",
            Describe::auth(
                "cases",
                "Take a step of the procedure: action=accept|decline|investigate|invite-statement|submit-statement|record-lapse|decide|notify|appeal|decide-appeal|close, version, and the step's fields; the statement and the appeal may bring files (multipart)",
            )
            .multipart(),
            step_page,
        )
        .post(
            "/cases/{id}/entries/{seq}/attachments",
            Describe::auth(
                "cases",
                "Attach files to an entry of the case file (the commission: any; the respondent: their statement and appeal); multipart, until the case is closed",
            )
            .multipart(),
            attach_page,
        )
        .get(
            "/cases/{id}/attachments/{sha}",
            Describe::auth(
                "cases",
                "A file of the case, for whoever may see its entry. Audited",
            ),
            download_page,
        )
        .post(
            "/cases/{id}/facts",
            Describe::auth(
                "cases",
                "Add a fact to the case file: kind, reference, ground, note (the commission)",
            ),
            fact_page,
        )
        .post(
            "/cases/{id}/notes",
            Describe::auth(
                "cases",
                "Add an investigation note (text); an investigation task (text, assignee, due); a task's report (text, answers: its seq); or an addendum to a closed case (text) — the commission",
            ),
            note_page,
        )
        .post(
            "/cases/{id}/tasks",
            Describe::auth(
                "cases",
                "Set a remediation task: title, owner, deadline (the commission, after the decision)",
            ),
            task_page,
        )
        .post(
            "/cases/{id}/tasks/{task}",
            Describe::auth(
                "cases",
                "Report a remediation task done (its owner: do=report, evidence) or verify or return it (the commission, not the owner: do=verify|return, note); version",
            ),
            task_step_page,
        )
        .get(
            "/cases/{id}/decision.docx",
            Describe::auth(
                "cases",
                "The decision document (问责决定书) as Word, GB/T 9704 layout (the commission and the respondent). Audited",
            ),
            decision_docx,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/cases",
            Describe::auth(
                "cases",
                "The commission's cases in scope, newest first (403 for anyone else)",
            )
            .query(LIST_QUERY),
            api_cases,
        )
        .get(
            "/cases/mine",
            Describe::auth(
                "cases",
                "What cases ask of the caller (statements, appeals, remediation) and the outcome of their referrals",
            ),
            api_mine,
        )
        .post(
            "/cases",
            Describe::auth(
                "cases",
                "Open a case (the commission) or refer one (a college secretary): {title, subject_kind: org|person, org, person, post, period_from, period_to, grounds: [id], background, facts: [{kind, reference, ground, note, indicator}]}",
            ),
            api_open,
        )
        .get(
            "/cases/{id}",
            Describe::auth(
                "cases",
                "One case as the caller may see it (whole for the commission). Audited",
            ),
            api_case,
        )
        .post(
            "/cases/{id}/steps",
            Describe::auth(
                "cases",
                "Take a step: {action, version, reason, invitation, respondent, statement, appeal, notified_on, findings: [{ground, finding: upheld|not-upheld, reason}], forms, deciding_body, document_number, decided_on, decision_text, outcome}",
            ),
            api_step,
        )
        .post(
            "/cases/{id}/entries/{seq}/attachments",
            Describe::auth(
                "cases",
                "Attach files to an entry of the case file (multipart: csrf for a session, then the files); the commission to any entry, the respondent to their statement and appeal",
            )
            .multipart(),
            api_attach,
        )
        .post(
            "/cases/{id}/facts",
            Describe::auth(
                "cases",
                "Add facts: {facts: [{kind, reference, ground, note, indicator}]}",
            ),
            api_facts,
        )
        .post(
            "/cases/{id}/notes",
            Describe::auth(
                "cases",
                "Add an investigation note {text}, an investigation task {text, assignee: person id, due}, a task's report {text, answers: seq}, or an addendum to a closed case {text}",
            ),
            api_note,
        )
        .post(
            "/cases/{id}/tasks",
            Describe::auth(
                "cases",
                "Set a remediation task: {title, owner: person id, deadline}",
            ),
            api_task,
        )
        .post(
            "/cases/{id}/tasks/{task}",
            Describe::auth(
                "cases",
                "Report a task done {do: report, version, evidence} (its owner) or verify or return it {do: verify|return, version, note} (the commission, not the owner)",
            ),
            api_task_step,
        )
}

// ------------------------------------------------------------------------------------------
// Who sees what
// ------------------------------------------------------------------------------------------

/// How the viewer stands to a case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Part {
    /// The discipline commission in scope: the whole case.
    pub commission: bool,
    /// The respondent: what is asked of them, the decision, their appeal.
    pub respondent: bool,
    /// The owner of one of its remediation tasks: their tasks.
    pub owner: bool,
    /// The secretary who referred it: the outcome of the referral.
    pub referrer: bool,
}

impl Part {
    fn any(self) -> bool {
        self.commission || self.respondent || self.owner || self.referrer
    }

    /// What the audit calls this view.
    fn name(self) -> &'static str {
        if self.commission {
            "commission"
        } else if self.respondent {
            "respondent"
        } else if self.owner {
            "task-owner"
        } else {
            "referrer"
        }
    }
}

/// How `v` stands to `c` (with its tasks).
pub(super) fn part_of(v: &Viewer, c: &Case, tasks: &[CaseTask]) -> Part {
    let person = v.user.person.as_deref();
    Part {
        commission: v.can(Permission::Cases, Some(&c.fields.org)),
        respondent: person.is_some() && c.respondent.as_deref() == person && c.state.accepted(),
        owner: person.is_some_and(|p| tasks.iter().any(|t| t.fields.owner == p)),
        referrer: c.referred_by.as_deref() == Some(v.user.username.as_str()),
    }
}

/// The case `id` as the viewer may see it, with its tasks and how they stand to it; the view is
/// audited (`what`: the page, the API, the document). Anyone with no part in it gets 404, as if
/// it were missing, and the attempt is audited.
pub(super) async fn seen(
    state: &AppState,
    v: &Viewer,
    id: &str,
    what: &str,
) -> Result<(Case, Vec<CaseTask>, Part), Refusal> {
    let (c, tasks, part) = look(state, v, id).await?;
    judge(state, v, &c, what, part, part.any()).await?;
    Ok((c, tasks, part))
}

/// The case `id`, its tasks and how the viewer stands to it — not yet audited: the caller
/// settles what the viewer may see of it and then [`judge`]s the look.
pub(super) async fn look(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<(Case, Vec<CaseTask>, Part), Refusal> {
    read_gate(v)?;
    let tr = v.tr;
    let c = match state.db.case(id).await {
        Ok(c) => c,
        Err(e) => return Err(storage_refusal(tr, e, id)),
    };
    let tasks = state
        .db
        .case_tasks(&c.id)
        .await
        .map_err(|e| storage_refusal(tr, e, id))?;
    let part = part_of(v, &c, &tasks);
    Ok((c, tasks, part))
}

/// Audits a look at `c` (`what`): a view when `allowed`, else a refused one, answered 404.
pub(super) async fn judge(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    what: &str,
    part: Part,
    allowed: bool,
) -> Result<(), Refusal> {
    let view = if part.any() {
        format!("{what}:{}", part.name())
    } else {
        what.to_string()
    };
    audit_view(state, v, &c.id, &view, !allowed).await?;
    if allowed {
        Ok(())
    } else {
        Err(not_found(v.tr, &c.id))
    }
}

/// Writes the audit entry of a view of a case (or of a refused one).
async fn audit_view(
    state: &AppState,
    v: &Viewer,
    id: &str,
    what: &str,
    refused: bool,
) -> Result<(), Refusal> {
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.audit_case_view(id, what, refused).await?;
        tx.commit().await
    }
    .await;
    done.map_err(|e| storage_refusal(v.tr, e, id))
}

/// Writes the audit entry of a refused change to a case (`id` empty for a case not opened).
async fn audit_refusal(state: &AppState, v: &Viewer, id: &str, action: &str, why: &str) {
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.audit(
            "case.refused",
            "case",
            if id.is_empty() { "-" } else { id },
            None,
            Some(&json!({"action": action, "why": why})),
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "the refused attempt on a case could not be audited");
    }
}

/// What a refusal says, for the audit.
fn why(r: &Refused) -> String {
    match r {
        Refused::Fields(e) => e
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        Refused::Other(r) => r.message.clone(),
    }
}

/// Audits a refused change, then passes the refusal on.
async fn audited<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    action: &str,
    out: Result<T, Refused>,
) -> Result<T, Refused> {
    if let Err(r) = &out {
        audit_refusal(state, v, id, action, &why(r)).await;
    }
    out
}

/// 404 for a case, whether missing or out of the viewer's part.
pub(super) fn not_found(tr: Tr, id: &str) -> Refusal {
    Refusal::not_found(tr, "cases.not_found", id).titled("cases.not_found.title")
}

/// A storage failure as a refusal: a stale version 409, a missing case 404.
pub(super) fn storage_refusal(tr: Tr, e: StorageError, id: &str) -> Refusal {
    Refusal::storage(tr, e, "cases.error.conflict", || not_found(tr, id))
}

/// 403 with the rule's message.
fn forbidden(msg: String) -> Refused {
    Refused::Other(Refusal::new(ErrorCode::Forbidden, msg))
}

/// 409 with the procedure's message.
fn procedure_refusal(e: ProcedureError, tr: Tr) -> Refused {
    Refused::Other(Refusal::new(ErrorCode::Conflict, e.message(tr.lang())))
}

/// The pack's case rules.
pub(super) fn rules(v: &Viewer) -> CaseRules {
    v.snap.pack.accountability.clone().unwrap_or_default()
}

/// The link of a case's page.
pub(super) fn case_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/cases/{}", encode(id)), tr)
}

/// Whether the viewer is the first responsible person (secretary) of `org` or an org above it:
/// a college secretary refers cases to the commission.
pub(super) fn refers_for(v: &Viewer, org: &str) -> bool {
    v.principal
        .roles
        .iter()
        .any(|g| g.role == Role::Secretary && v.snap.model.is_within(org, &g.org))
}

/// Runs `f` in one transaction as the viewer, mapping a storage failure to a refusal.
pub(super) async fn in_tx<T>(
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

// ------------------------------------------------------------------------------------------
// Facts: what they link to
// ------------------------------------------------------------------------------------------

/// Where a fact's evidence is, and what it is called: its org (for the scope check), a title and
/// the link to its page. `None` when there is no such thing.
pub(super) async fn evidence_of(
    state: &AppState,
    v: &Viewer,
    kind: FactKind,
    reference: &str,
) -> Option<(String, String, String)> {
    let db = &state.db;
    let tr = v.tr;
    let href = |path: &str| with_lang(&format!("/{path}/{}", encode(reference)), tr);
    match kind {
        FactKind::Obligation => {
            let o = db.obligation(reference).await.ok()?;
            let title = v
                .snap
                .set
                .get(&o.policy)
                .unwrap_or(&v.snap.pack)
                .duty(&o.duty)
                .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                .unwrap_or_else(|| o.duty.clone());
            Some((
                o.org.clone(),
                format!("{title}（{} {}）", tr.t("cases.due"), date(o.due)),
                href("obligations"),
            ))
        }
        FactKind::Event => {
            let e = db.online_event(reference).await.ok()?;
            Some((e.fields.org.clone(), e.fields.title.clone(), href("events")))
        }
        FactKind::Incident => {
            let i = db.incident(reference).await.ok()?;
            Some((
                i.fields.org.clone(),
                i.fields.title.clone(),
                href("incidents"),
            ))
        }
        FactKind::Project => {
            let p = db.project(reference).await.ok()?;
            Some((
                p.fields.org.clone(),
                p.fields.title.clone(),
                href("risk-assessments"),
            ))
        }
        FactKind::Platform => {
            let p = v.snap.model.find_platform(reference)?;
            Some((
                p.org.clone(),
                p.name.clone(),
                with_lang(&format!("/platforms/{}", encode(&p.id)), tr),
            ))
        }
        FactKind::Record => {
            let r = db.record(reference).await.ok()?;
            Some((r.org.clone(), r.title.clone(), href("records")))
        }
        FactKind::Document => None,
    }
}

/// Checks that each fact's evidence exists within `org`'s subtree (a platform by code becomes
/// its id); every fact that does not is named.
async fn check_evidence(
    state: &AppState,
    v: &Viewer,
    org: &str,
    facts: &mut [Fact],
) -> Result<(), FieldErrors> {
    let tr = v.tr;
    let mut errors = Vec::new();
    for f in facts.iter_mut() {
        let Some(r) = f.reference.clone() else {
            continue;
        };
        match evidence_of(state, v, f.kind, &r).await {
            Some((o, ..)) if v.snap.model.is_within(&o, org) => {
                if f.kind == FactKind::Platform
                    && let Some(p) = v.snap.model.find_platform(&r)
                {
                    f.reference = Some(p.id.clone());
                }
            }
            _ => errors.push((
                "fact".to_string(),
                tr.tf(
                    "cases.error.evidence",
                    &[
                        ("kind", tr.t(&format!("cases.fact.{}", f.kind.as_str()))),
                        ("id", &r),
                    ],
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

// ------------------------------------------------------------------------------------------
// Opening, facts, notes
// ------------------------------------------------------------------------------------------

/// Opens a case (the commission in the org's scope) or refers one (a secretary of the org).
pub(super) async fn open(state: &AppState, v: &Viewer, d: &CaseDraft) -> Result<Case, Refused> {
    let out = open_unaudited(state, v, d).await;
    audited(state, v, "", "open", out).await
}

async fn open_unaudited(state: &AppState, v: &Viewer, d: &CaseDraft) -> Result<Case, Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    read_gate(v).map_err(Refused::Other)?;
    let org = m.find_org(d.org.trim()).map(|o| o.id.clone());
    let (commission, referring) = match &org {
        Some(o) => (v.can(Permission::Cases, Some(o)), refers_for(v, o)),
        None => (
            v.principal.can_somewhere(Permission::Cases),
            v.principal.roles.iter().any(|g| g.role == Role::Secretary),
        ),
    };
    if !commission && !referring {
        return Err(Refused::Other(match &org {
            Some(o) if !v.can(Permission::ReadOrg, Some(o)) => {
                Refusal::not_found(tr, "cases.org_not_found", d.org.trim())
            }
            _ => Refusal::forbidden(tr),
        }));
    }
    let grounds: Vec<&str> = v.snap.pack.grounds.iter().map(|g| g.id.as_str()).collect();
    let today = state.today();
    let (fields, mut facts) =
        check_case(d, m, &grounds, today, tr.lang()).map_err(Refused::Fields)?;
    check_evidence(state, v, &fields.org, &mut facts)
        .await
        .map_err(Refused::Fields)?;
    let person = v.user.person.clone();
    in_tx(state, v, "", async |tx| {
        tx.open_case(fields, &facts, !commission, today, person.as_deref())
            .await
    })
    .await
}

/// Adds facts to a case (the commission).
pub(super) async fn add_facts(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    drafts: &[FactDraft],
) -> Result<Vec<CaseEntry>, Refused> {
    let out = async {
        let tr = v.tr;
        if !part.commission {
            return Err(forbidden(tr.t("cases.error.commission_only").into()));
        }
        if !c.state.open() {
            return Err(procedure_refusal(ProcedureError::Closed, tr));
        }
        let mut facts = Vec::new();
        let mut errors = Vec::new();
        if drafts.is_empty() || drafts.len() > zeren_core::cases::FACTS_MAX {
            errors.push((
                "fact".to_string(),
                tr.t("cases.error.facts_count").to_string(),
            ));
        }
        for d in drafts.iter().take(zeren_core::cases::FACTS_MAX) {
            match check_fact(d, &c.fields.grounds, tr.lang()) {
                Ok(f) => facts.push(f),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(Refused::Fields(errors));
        }
        check_evidence(state, v, &c.fields.org, &mut facts)
            .await
            .map_err(Refused::Fields)?;
        let today = state.today();
        let person = v.user.person.clone();
        in_tx(state, v, &c.id, async |tx| {
            tx.add_case_facts(&c.id, &facts, today, person.as_deref())
                .await
        })
        .await
    }
    .await;
    audited(state, v, &c.id, "facts", out).await
}

/// A note as typed in: an investigation note (or, to a closed case, an addendum); with an
/// `assignee` and a `due` day, an investigation task; `answers` a task's `seq` to report it
/// done.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteDraft {
    /// The note, the task, or what the task found.
    pub text: String,
    /// For a task: who does it (person id).
    pub assignee: String,
    /// For a task: by when, `YYYY-MM-DD`.
    pub due: String,
    /// The task this reports done.
    pub answers: Option<i64>,
}

/// Adds an investigation note, task or task's report to a case in hand, or an addendum to a
/// closed one (the commission).
pub(super) async fn add_note(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    d: &NoteDraft,
) -> Result<CaseEntry, Refused> {
    let out = async {
        let tr = v.tr;
        if !part.commission {
            return Err(forbidden(tr.t("cases.error.commission_only").into()));
        }
        let today = state.today();
        let person = v.user.person.clone();
        let task = !d.assignee.trim().is_empty() || !d.due.trim().is_empty();
        if c.state.open() && d.answers.is_none() && task {
            let i = check_inquiry(
                &InquiryDraft {
                    text: d.text.clone(),
                    assignee: d.assignee.clone(),
                    due: d.due.clone(),
                },
                &v.snap.model,
                today,
                tr.lang(),
            )
            .map_err(Refused::Fields)?;
            return in_tx(state, v, &c.id, async |tx| {
                tx.add_case_inquiry(&c.id, &i.text, &i.assignee, i.due, today, person.as_deref())
                    .await
            })
            .await;
        }
        let kind = match c.state {
            CaseState::Closed => EntryKind::Addendum,
            s if s.open() => EntryKind::Note,
            s => {
                return Err(procedure_refusal(
                    ProcedureError::NotNow {
                        action: Action::Close,
                        state: s,
                    },
                    tr,
                ));
            }
        };
        let field = if kind == EntryKind::Addendum {
            "addendum"
        } else {
            "note"
        };
        let text = check_text(field, &d.text, tr.lang()).map_err(Refused::Fields)?;
        in_tx(state, v, &c.id, async |tx| match (kind, d.answers) {
            (EntryKind::Note, Some(seq)) => {
                tx.answer_case_inquiry(&c.id, seq, &text, today, person.as_deref())
                    .await
            }
            _ => {
                tx.add_case_note(&c.id, kind, &text, today, person.as_deref())
                    .await
            }
        })
        .await
    }
    .await;
    audited(state, v, &c.id, "note", out).await
}

// ------------------------------------------------------------------------------------------
// Remediation
// ------------------------------------------------------------------------------------------

/// Sets a remediation task on a decided case (the commission).
pub(super) async fn add_task(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    d: &TaskDraft,
) -> Result<CaseTask, Refused> {
    let out = async {
        let tr = v.tr;
        if !part.commission {
            return Err(forbidden(tr.t("cases.error.commission_only").into()));
        }
        if c.state == CaseState::Closed {
            return Err(procedure_refusal(ProcedureError::Closed, tr));
        }
        if !c.state.decided() {
            return Err(Refused::Other(Refusal::new(
                ErrorCode::Conflict,
                tr.t("cases.error.task_before_decision").into(),
            )));
        }
        let fields = check_task(d, &c.fields.org, &v.snap.model, state.today(), tr.lang())
            .map_err(Refused::Fields)?;
        in_tx(state, v, &c.id, async |tx| {
            tx.add_case_task(&c.id, fields, v.user.person.as_deref())
                .await
        })
        .await
    }
    .await;
    audited(state, v, &c.id, "task", out).await
}

/// What is done to a remediation task.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskStep {
    /// `report` (the owner), `verify` or `return` (the commission, not the owner).
    #[serde(rename = "do")]
    pub act: String,
    /// The version seen.
    pub version: i64,
    /// What shows it done (report).
    pub evidence: String,
    /// The verification's note, or why it is returned.
    pub note: String,
}

/// Reports a task done (its owner), or verifies or returns it (the commission, someone else).
pub(super) async fn task_step(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    part: Part,
    task: &str,
    s: &TaskStep,
) -> Result<CaseTask, Refused> {
    let out = async {
        let tr = v.tr;
        let t = match state.db.case_task(task).await {
            Ok(t) if t.case == c.id => t,
            Ok(_) | Err(StorageError::NotFound { .. }) => {
                return Err(Refused::Other(
                    Refusal::not_found(tr, "cases.task_not_found", task)
                        .titled("cases.not_found.title"),
                ));
            }
            Err(e) => return Err(Refused::Other(storage_refusal(tr, e, task))),
        };
        if c.state == CaseState::Closed {
            return Err(procedure_refusal(ProcedureError::Closed, tr));
        }
        let person = v.user.person.clone();
        let task_refusal = |e: TaskError| {
            let code = match e {
                TaskError::NotTheOwner | TaskError::OwnTask => ErrorCode::Forbidden,
                _ => ErrorCode::Conflict,
            };
            Refused::Other(Refusal::new(code, e.message(tr.lang())))
        };
        let today = state.today();
        match s.act.trim() {
            "report" => {
                check_report(&t.fields.owner, person.as_deref(), t.verified_on.is_some())
                    .map_err(task_refusal)?;
                let evidence =
                    check_text("evidence", &s.evidence, tr.lang()).map_err(Refused::Fields)?;
                in_tx(state, v, &c.id, async |tx| {
                    tx.report_case_task(&t.id, s.version, &evidence, today)
                        .await
                })
                .await
            }
            act @ ("verify" | "return") => {
                if !part.commission {
                    return Err(forbidden(tr.t("cases.error.commission_only").into()));
                }
                check_verification(
                    &t.fields.owner,
                    person.as_deref(),
                    t.awaiting_verification(),
                )
                .map_err(task_refusal)?;
                let verified = act == "verify";
                let note = if verified {
                    s.note.trim().to_string()
                } else {
                    check_text("note", &s.note, tr.lang()).map_err(Refused::Fields)?
                };
                in_tx(state, v, &c.id, async |tx| {
                    tx.verify_case_task(&t.id, s.version, verified, &note, person.as_deref(), today)
                        .await
                })
                .await
            }
            other => Err(Refused::Fields(vec![(
                "do".into(),
                tr.tf("cases.error.task_do", &[("value", other)]),
            )])),
        }
    }
    .await;
    audited(state, v, &c.id, "task-step", out).await
}

// ------------------------------------------------------------------------------------------
// Names
// ------------------------------------------------------------------------------------------

/// A state's name in the user's language.
pub(super) fn state_name(tr: Tr, s: CaseState) -> String {
    zeren_core::cases::state_name(s, tr.lang()).to_string()
}

/// A ground's title with its article, in the user's language (`第五条第（六）项 网络阵地领导和管理不力`,
/// `Art.5(6) Weak leadership or management of online platforms`).
pub(super) fn ground_title(v: &Viewer, id: &str) -> String {
    let lang = v.tr.lang();
    v.snap
        .pack
        .grounds
        .iter()
        .find(|g| g.id == id)
        .map(|g| {
            let article = match lang {
                zeren_core::Lang::Zh => g.article.to_zh(),
                zeren_core::Lang::En => g.article.to_string(),
            };
            format!("{article} {}", lang.pick(&g.title, &g.title_en))
        })
        .unwrap_or_else(|| id.to_string())
}

/// Whom the case is about, in words: the org, or the person and their post.
pub(super) fn subject_text(v: &Viewer, c: &Case) -> String {
    let m = &v.snap.model;
    let org = m
        .org(&c.fields.org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    match (c.fields.subject_kind, &c.fields.person) {
        (SubjectKind::Person, Some(p)) => {
            let post = c
                .fields
                .post
                .as_deref()
                .and_then(|p| m.post(p))
                .map(|p| p.title.clone())
                .unwrap_or_default();
            format!("{}（{org} {post}）", person_name(m, p))
        }
        _ => org,
    }
}
