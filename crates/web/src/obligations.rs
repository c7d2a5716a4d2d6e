//! The duties ledger: obligations with their status and the person responsible on the due date,
//! waivers decided by the first responsible person, the dashboard of an org subtree (charts drawn
//! as SVG here, no chart library), and the background sync that keeps the obligations in step
//! with the policy and the org model.
//!
//! Statuses are computed, never stored: the database filters and counts by state and due date
//! with the same day bounds as `zeren_core::obligation::status_on`, so lists filter before they
//! page and the dashboard counts with one grouped query instead of row by row. The person
//! responsible is resolved in memory from the viewer's snapshot of the org model. An obligation
//! of an org outside the viewer's scope answers 404 like a missing one; administrators get 403.

use crate::AppState;
use crate::auth::{ApiViewer, PageViewer, Snapshot, Viewer, encode, redirect};
use crate::error::{ApiError, ErrorCode, classify, generic_message};
use crate::i18n::Tr;
use crate::pages::{Frame, error_page, page};
use crate::routes::{Describe, Routes};
use crate::views::{anchor, date};
use askama::Template;
use axum::Json;
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use zeren_core::Citation;
use zeren_core::access::{Permission, Role};
use zeren_core::clock::shanghai;
use zeren_core::obligation::ObligationStatus;
use zeren_core::org::Org;
use zeren_core::policy::PolicyPack;
use zeren_core::responsibility::{Answer, NamedRef, Target, resolve};
use zeren_storage::repo::obligations::{
    ObligationFilter, ObligationSort, OrgAggregate, Rollup, STATUSES, StatusClock, StatusCounts,
    Waiver, WaiverState, YearRows, parse_status,
};
use zeren_storage::{Actor, StorageError, StoredObligation, ledger};

/// Rows per page of the obligation lists, on pages and in the API.
pub const PER_PAGE: usize = 50;
/// Overdue obligations listed on the dashboard (the rest are a click away).
const OVERDUE_LIST: usize = 20;
/// Seconds between two rounds of the background sync.
const SYNC_EVERY_SECS: u64 = 60;

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id: obligations of its subtree (default: every org in the caller's scope)",
    ),
    (
        "own",
        "1: only the org's own obligations, not those below it",
    ),
    ("year", "Year (default: this year in Asia/Shanghai)"),
    (
        "status",
        "upcoming | due_soon | overdue | done | waived (several separated by commas)",
    ),
    ("duty", "Duty id of the policy pack"),
    ("month", "Due in this month, YYYY-MM"),
    ("done_month", "Done in this month, YYYY-MM"),
    ("sort", "due (default) | -due | org | duty | status"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const DASHBOARD_QUERY: &[(&str, &str)] = &[
    (
        "org",
        "Org code or id (default: the widest org of the caller's scope)",
    ),
    ("year", "Year (default: this year in Asia/Shanghai)"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/obligations",
            Describe::auth(
                "obligations",
                "Obligations of an org subtree: filters, sorting, pages",
            )
            .query(LIST_QUERY),
            list_page,
        )
        .get(
            "/obligations/{id}",
            Describe::auth(
                "obligations",
                "One obligation: duty, article, due date, status, who is responsible and why, evidence, waiver",
            ),
            item_page,
        )
        .post(
            "/obligations/{id}/waiver",
            Describe::auth(
                "obligations",
                "Ask for a waiver (the first responsible person's request takes effect at once)",
            ),
            waiver_form,
        )
        .post(
            "/obligations/{id}/waiver/approve",
            Describe::auth(
                "obligations",
                "Approve the pending waiver (first responsible person)",
            ),
            approve_form,
        )
        .post(
            "/obligations/{id}/waiver/reject",
            Describe::auth(
                "obligations",
                "Reject the pending waiver (first responsible person)",
            ),
            reject_form,
        )
        .get(
            "/dashboard",
            Describe::auth(
                "dashboard",
                "Dashboard of an org subtree: completion, overdue, org x duty heat map, monthly trend",
            )
            .query(DASHBOARD_QUERY),
            dashboard_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/obligations",
            Describe::auth(
                "obligations",
                "Obligations of an org subtree with status, due date, citation and the person responsible on the due date",
            )
            .query(LIST_QUERY),
            api_list,
        )
        .get(
            "/obligations/{id}",
            Describe::auth(
                "obligations",
                "One obligation (id or key) with the chain of reasons, waivers and evidence",
            ),
            api_item,
        )
        .post(
            "/obligations/{id}/waiver",
            Describe::auth(
                "obligations",
                "Ask for a waiver: {version, reason}; by the first responsible person it is approved at once; 409 on a stale version",
            ),
            api_waiver,
        )
        .post(
            "/obligations/{id}/waiver/approve",
            Describe::auth(
                "obligations",
                "Approve the pending waiver: {version, note?}; first responsible person only",
            ),
            api_approve,
        )
        .post(
            "/obligations/{id}/waiver/reject",
            Describe::auth(
                "obligations",
                "Reject the pending waiver: {version, note?}; first responsible person only",
            ),
            api_reject,
        )
        .get(
            "/dashboard",
            Describe::auth(
                "dashboard",
                "Roll-up of an org subtree for a year: counts by status, completion rate, overdue list, org x duty matrix, monthly trend",
            )
            .query(DASHBOARD_QUERY),
            api_dashboard,
        )
}

// ------------------------------------------------------------------------------------------
// Background sync
// ------------------------------------------------------------------------------------------

/// The background sync: brings the obligations of the years kept (this year, and the next one
/// from 1 December) in step with the model generation. Each round reads the generation (one
/// small query) and does nothing more when neither it nor the years changed since the last round;
/// a year another instance already brought in step is skipped too (noted in the database).
#[derive(Debug, Default)]
pub struct Syncer {
    last: Option<(i64, Vec<i32>)>,
}

impl Syncer {
    /// A syncer that has not run yet.
    pub fn new() -> Syncer {
        Syncer::default()
    }

    /// One round; returns how many obligations were added.
    pub async fn tick(&mut self, state: &AppState) -> zeren_storage::Result<usize> {
        let years = ledger::years_kept(state.today());
        let generation = state.db.model_generation().await?;
        if self.last.as_ref() == Some(&(generation, years.clone())) {
            return Ok(0);
        }
        let mut added = 0;
        for year in &years {
            if let Some(n) =
                ledger::sync_year(&state.db, &Actor::system(), *year, state.clock.now()).await?
            {
                added += n;
            }
        }
        self.last = Some((generation, years));
        Ok(added)
    }
}

/// Background work of this area, started once by `zeren serve`: the obligation sync, once at
/// start and then every minute.
pub fn spawn_jobs(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let mut syncer = Syncer::new();
        let mut every = tokio::time::interval(std::time::Duration::from_secs(SYNC_EVERY_SECS));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match syncer.tick(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(added = n, "obligations brought in step"),
                Err(e) => tracing::warn!(error = %e, "obligation sync failed; retrying next round"),
            }
        }
    });
}

// ------------------------------------------------------------------------------------------
// Scope and parameters
// ------------------------------------------------------------------------------------------

/// Whether the viewer may read `org_id`.
fn visible(v: &Viewer, org_id: &str) -> bool {
    v.can(Permission::ReadOrg, Some(org_id))
}

/// An org by code or id, if it exists and the viewer may read it.
fn find_visible<'a>(v: &'a Viewer, code_or_id: &str) -> Option<&'a Org> {
    v.snap
        .model
        .find_org(code_or_id.trim())
        .filter(|o| visible(v, &o.id))
}

/// The tops of the viewer's read scope: role orgs not inside another role's org, by code.
fn scope_roots(v: &Viewer) -> Vec<&Org> {
    let m = &v.snap.model;
    let mut roots: Vec<&Org> = v
        .principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .filter_map(|id| m.org(id))
        .collect();
    roots.sort_by(|a, b| a.code.cmp(&b.code));
    roots.dedup_by(|a, b| a.id == b.id);
    let ids: Vec<&str> = roots.iter().map(|o| o.id.as_str()).collect();
    roots
        .iter()
        .filter(|o| !ids.iter().any(|r| *r != o.id && m.is_within(&o.id, r)))
        .copied()
        .collect()
}

/// Whether the subtrees of `roots` hold every org: one of them is the only root of the tree.
fn covers_all(v: &Viewer, roots: &[&Org]) -> bool {
    let m = &v.snap.model;
    let mut tops = m.orgs().iter().filter(|o| o.parent.is_none());
    match (tops.next(), tops.next()) {
        (Some(top), None) => roots.iter().any(|r| r.id == top.id),
        _ => false,
    }
}

/// The widest org of the viewer's scope (the dashboard's default).
fn default_org(v: &Viewer) -> Option<&Org> {
    let m = &v.snap.model;
    let depth = |o: &Org| {
        let mut d = 0usize;
        let mut cur = m.parent(o);
        while let Some(p) = cur {
            d += 1;
            if d > m.orgs().len() {
                break;
            }
            cur = m.parent(p);
        }
        d
    };
    scope_roots(v)
        .into_iter()
        .min_by(|a, b| (depth(a), &a.code).cmp(&(depth(b), &b.code)))
}

/// Whether the viewer is the first responsible person of `org` (or of an org above it): holds
/// the secretary role over it (a branch secretary over their branch).
fn first_responsible(v: &Viewer, org: &str) -> bool {
    v.principal.roles.iter().any(|g| {
        matches!(g.role, Role::Secretary | Role::Branch) && v.snap.model.is_within(org, &g.org)
    })
}

/// A refusal with its code and message, answered as JSON or as a page.
#[derive(Debug)]
struct Refusal {
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: String) -> Refusal {
        Refusal { code, message }
    }

    fn field(tr: Tr, field: &str, key: &str) -> Refusal {
        Refusal::new(
            ErrorCode::Validation,
            tr.tf(
                "obligations.error.field",
                &[("field", field), ("message", tr.t(key))],
            ),
        )
    }

    fn forbidden(tr: Tr) -> Refusal {
        Refusal::new(ErrorCode::Forbidden, tr.t("error.forbidden").to_string())
    }

    fn not_found(tr: Tr, id: &str) -> Refusal {
        Refusal::new(
            ErrorCode::NotFound,
            tr.tf("obligations.error.not_found", &[("id", id)]),
        )
    }

    fn org_not_found(tr: Tr, id: &str) -> Refusal {
        Refusal::new(
            ErrorCode::NotFound,
            tr.tf("obligations.error.org_not_found", &[("id", id)]),
        )
    }

    fn storage(tr: Tr, err: StorageError, id: &str) -> Refusal {
        match err {
            StorageError::Conflict {
                expected, actual, ..
            } => Refusal::new(
                ErrorCode::Conflict,
                tr.tf(
                    "obligations.error.conflict",
                    &[
                        ("expected", &expected.to_string()),
                        ("actual", &actual.to_string()),
                    ],
                ),
            ),
            StorageError::NotFound { .. } => Refusal::not_found(tr, id),
            // A rule checked again inside the transaction (a race with another change).
            StorageError::Invalid(_) => Refusal::new(
                ErrorCode::Validation,
                tr.t("obligations.error.changed").to_string(),
            ),
            err => {
                let code = classify(&err, ErrorCode::Internal);
                Refusal::new(code, generic_message(tr, code))
            }
        }
    }

    fn api(self) -> ApiError {
        ApiError::new(self.code, self.message)
    }

    fn page(self, tr: Tr) -> Response {
        let title = match self.code {
            ErrorCode::NotFound => "obligations.error.not_found.title",
            ErrorCode::Forbidden => "error.forbidden.title",
            ErrorCode::Validation | ErrorCode::BadRequest => "obligations.error.input.title",
            ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
            _ => "error.internal.title",
        };
        error_page(tr, self.code, title, self.message)
    }
}

/// The 403 for anyone who may read no org (the administrators among others).
fn read_gate(v: &Viewer) -> Result<(), Refusal> {
    if v.principal.can_somewhere(Permission::ReadOrg) {
        Ok(())
    } else {
        Err(Refusal::forbidden(v.tr))
    }
}

/// Query of the lists and the dashboard; every value is read by hand so a bad one is named.
#[derive(Deserialize, Default, Debug)]
pub struct ListQuery {
    org: Option<String>,
    own: Option<String>,
    year: Option<String>,
    status: Option<String>,
    duty: Option<String>,
    month: Option<String>,
    done_month: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A list's parameters, read and checked.
struct ListParams<'a> {
    org: Option<&'a Org>,
    own: bool,
    year: i32,
    statuses: Vec<ObligationStatus>,
    duty: Option<String>,
    month: Option<String>,
    done_month: Option<String>,
    sort: ObligationSort,
    page: usize,
}

fn parse_year(tr: Tr, s: Option<&str>, today: NaiveDate) -> Result<i32, Refusal> {
    match s {
        None => Ok(today.year()),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| Refusal::field(tr, "year", "obligations.error.year")),
    }
}

fn parse_month(tr: Tr, field: &str, s: Option<&str>) -> Result<Option<String>, Refusal> {
    match s {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 7)
            .map(|_| Some(s.to_string()))
            .ok_or_else(|| Refusal::field(tr, field, "obligations.error.month")),
    }
}

fn parse_list<'a>(
    v: &'a Viewer,
    q: &ListQuery,
    today: NaiveDate,
) -> Result<ListParams<'a>, Refusal> {
    let tr = v.tr;
    let org = match opt(&q.org) {
        None => None,
        Some(o) => Some(find_visible(v, o).ok_or_else(|| Refusal::org_not_found(tr, o))?),
    };
    let own = match opt(&q.own) {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") | Some("on") => true,
        Some(_) => return Err(Refusal::field(tr, "own", "obligations.error.own")),
    };
    let year = parse_year(tr, opt(&q.year), today)?;
    let mut statuses = Vec::new();
    if let Some(s) = opt(&q.status) {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let st = parse_status(part)
                .ok_or_else(|| Refusal::field(tr, "status", "obligations.error.status"))?;
            if !statuses.contains(&st) {
                statuses.push(st);
            }
        }
    }
    let duty = match opt(&q.duty) {
        None => None,
        Some(d) if v.snap.pack.duty(d).is_some() => Some(d.to_string()),
        Some(_) => return Err(Refusal::field(tr, "duty", "obligations.error.duty")),
    };
    let sort = match opt(&q.sort) {
        None => ObligationSort::Due,
        Some(s) => ObligationSort::parse(s)
            .ok_or_else(|| Refusal::field(tr, "sort", "obligations.error.sort"))?,
    };
    let page = match opt(&q.page) {
        None => 1,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| Refusal::field(tr, "page", "obligations.error.page"))?,
    };
    Ok(ListParams {
        org,
        own,
        year,
        statuses,
        duty,
        month: parse_month(tr, "month", opt(&q.month))?,
        done_month: parse_month(tr, "done_month", opt(&q.done_month))?,
        sort,
        page,
    })
}

impl ListParams<'_> {
    /// The orgs the list covers: `None` for every org of the model.
    fn orgs<'v>(&self, v: &'v Viewer) -> Option<Vec<&'v Org>> {
        let m = &v.snap.model;
        let roots: Vec<&Org> = match self.org {
            Some(o) if self.own => return Some(m.org(&o.id).into_iter().collect()),
            Some(o) => m.org(&o.id).into_iter().collect(),
            None => scope_roots(v),
        };
        if covers_all(v, &roots) {
            return None;
        }
        let orgs: Vec<&Org> = roots.iter().flat_map(|r| m.subtree(&r.id)).collect();
        (orgs.len() < m.orgs().len()).then_some(orgs)
    }

    fn filter(&self, orgs: Option<&[&Org]>, few: bool) -> ObligationFilter {
        ObligationFilter {
            roots: None,
            org_ids: orgs.map(|orgs| orgs.iter().map(|o| o.id.clone()).collect()),
            few,
            own_only: false,
            year: self.year,
            statuses: self.statuses.clone(),
            duties: self.duty.iter().cloned().collect(),
            due_month: self.month.clone(),
            done_month: self.done_month.clone(),
        }
    }

    /// The parameters as a query, for links (page and sort added by the caller).
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(o) = self.org {
            p.push(("org", o.code.clone()));
        }
        if self.own {
            p.push(("own", "1".into()));
        }
        p.push(("year", self.year.to_string()));
        if !self.statuses.is_empty() {
            p.push((
                "status",
                self.statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if let Some(d) = &self.duty {
            p.push(("duty", d.clone()));
        }
        if let Some(m) = &self.month {
            p.push(("month", m.clone()));
        }
        if let Some(m) = &self.done_month {
            p.push(("done_month", m.clone()));
        }
        p
    }
}

fn status_clock(state: &AppState, v: &Viewer) -> StatusClock {
    StatusClock {
        today: state.today(),
        due_soon_days: v.snap.pack.reminders.due_soon_days,
    }
}

/// Builds `path?k=v&…` from the non-empty parameters, keeping an explicit language choice.
fn href_with(path: &str, params: &[(&str, String)], tr: Tr) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if tr.is_explicit() {
        parts.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// A drill-down link to the list.
fn list_href(org: &Org, own: bool, year: i32, extra: &[(&'static str, String)], tr: Tr) -> String {
    let mut p: Vec<(&str, String)> = vec![("org", org.code.clone())];
    if own {
        p.push(("own", "1".into()));
    }
    p.push(("year", year.to_string()));
    p.extend(extra.iter().cloned());
    href_with("/obligations", &p, tr)
}

fn shanghai_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------------
// Obligations as the API and the pages show them
// ------------------------------------------------------------------------------------------

/// An org as obligations name it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRef {
    /// Storage id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

impl OrgRef {
    fn of(o: &Org) -> OrgRef {
        OrgRef {
            id: o.id.clone(),
            code: o.code.clone(),
            name: o.name.clone(),
        }
    }
}

/// What an obligation is about.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectRef {
    /// org, platform, person or event.
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// One obligation with its status and who is responsible.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Storage id.
    pub id: String,
    /// Stable key (duty/subject kind/subject/period).
    pub key: String,
    /// Duty id.
    pub duty: String,
    /// Duty title (Chinese).
    pub duty_title: String,
    /// Duty title (English).
    pub duty_title_en: String,
    /// upcoming, due_soon, overdue, done or waived.
    pub status: &'static str,
    /// Due date.
    pub due: String,
    /// `Art.4(2)`.
    pub citation: String,
    /// 第四条第（二）项.
    pub citation_zh: String,
    /// What it is about.
    pub subject: SubjectRef,
    /// The org that owes it.
    pub org: OrgRef,
    /// Period key.
    pub period: String,
    /// Policy version that requires it.
    pub policy: String,
    /// Day it was done.
    pub completed_on: Option<String>,
    /// No longer required (its subject closed, a holding corrected…): kept with its history,
    /// out of every list and count. Only an obligation asked for by id can be withdrawn.
    pub withdrawn: bool,
    /// Edit version (send it back with changes).
    pub version: i64,
    /// The person responsible on the due date (for an overdue one: when it fell due).
    pub responsible: Option<NamedRef>,
    /// The post through which they are responsible.
    pub responsible_post: Option<NamedRef>,
    /// The directly responsible post was vacant on the due date.
    pub responsible_vacant: bool,
    /// For an overdue obligation: the person responsible today.
    pub responsible_today: Option<NamedRef>,
    /// Its page.
    pub href: String,
    /// The article on the policy page.
    pub article_href: String,
}

impl Item {
    /// Duty title in the UI language.
    pub fn title(&self, tr: &Tr) -> &str {
        tr.lang().pick(&self.duty_title, &self.duty_title_en)
    }

    /// Citation in the UI language.
    pub fn cite(&self, tr: &Tr) -> &str {
        tr.lang().pick(&self.citation_zh, &self.citation)
    }

    /// Name of the person responsible on the due date.
    pub fn responsible_name(&self) -> &str {
        self.responsible
            .as_ref()
            .map(|p| p.name.as_str())
            .unwrap_or("")
    }

    /// Name of the person responsible today, when it differs (overdue obligations).
    pub fn today_name(&self) -> Option<&str> {
        match (&self.responsible_today, &self.responsible) {
            (Some(t), Some(r)) if t.id == r.id => None,
            (Some(t), _) => Some(t.name.as_str()),
            _ => None,
        }
    }
}

/// The policy versions obligations name, besides the one in force (loaded once per request).
struct Packs<'a> {
    current: &'a PolicyPack,
    others: HashMap<String, PolicyPack>,
}

impl<'a> Packs<'a> {
    async fn load(state: &AppState, v: &'a Viewer, rows: &[&StoredObligation]) -> Packs<'a> {
        let current = &v.snap.pack;
        let mut others = HashMap::new();
        for o in rows {
            if o.policy != current.meta.id && !others.contains_key(&o.policy) {
                match state.db.policy(&o.policy).await {
                    Ok(p) => {
                        others.insert(o.policy.clone(), p.pack);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, policy = %o.policy, "policy of an obligation not loaded")
                    }
                }
            }
        }
        Packs { current, others }
    }

    fn of(&self, id: &str) -> &PolicyPack {
        self.others.get(id).unwrap_or(self.current)
    }
}

/// Who was responsible for an obligation on `at`.
fn answer_for(
    v: &Viewer,
    pack: &PolicyPack,
    o: &StoredObligation,
    at: NaiveDate,
) -> Option<Answer> {
    let m = &v.snap.model;
    let org = m.org(&o.org)?;
    let duty = pack.duty(&o.duty)?;
    let platform = (o.subject_kind == "platform")
        .then(|| m.find_platform(&o.subject))
        .flatten();
    resolve(pack, m, org, Target::Duty { duty, platform }, at).ok()
}

/// Who was responsible for an obligation on a day, without the chain of reasons.
#[derive(Debug, Clone, Default)]
struct Resp {
    person: Option<NamedRef>,
    post: Option<NamedRef>,
    vacant: bool,
}

/// Answers remembered for one snapshot of the org model: an answer depends only on the
/// snapshot, the obligation (its policy version, duty, org and subject never change) and the day.
/// The weak reference keeps the snapshot's address from being reused while the entry lives.
struct RespMemo {
    snap: Weak<Snapshot>,
    answers: HashMap<(String, NaiveDate), Resp>,
}

static RESP_MEMO: LazyLock<Mutex<Vec<RespMemo>>> = LazyLock::new(|| Mutex::new(Vec::new()));
/// Answers kept per snapshot before the memo starts afresh.
const RESP_MEMO_MAX: usize = 200_000;

/// The answers for `asks` (obligation, day), from the memo or resolved and remembered.
fn responsible_many(
    v: &Viewer,
    packs: &Packs<'_>,
    asks: &[(&StoredObligation, NaiveDate)],
) -> Vec<Resp> {
    let mut out: Vec<Option<Resp>> = vec![None; asks.len()];
    {
        let mut memo = RESP_MEMO.lock().unwrap_or_else(|e| e.into_inner());
        memo.retain(|m| m.snap.strong_count() > 0);
        if let Some(m) = memo
            .iter()
            .find(|m| std::ptr::eq(m.snap.as_ptr(), Arc::as_ptr(&v.snap)))
        {
            for (slot, (o, day)) in out.iter_mut().zip(asks) {
                *slot = m.answers.get(&(o.id.clone(), *day)).cloned();
            }
        }
    }
    let mut fresh = Vec::new();
    for (slot, (o, day)) in out.iter_mut().zip(asks) {
        if slot.is_none() {
            let r = answer_for(v, packs.of(&o.policy), o, *day)
                .map(|a| Resp {
                    person: a.person,
                    post: a.post,
                    vacant: a.vacant,
                })
                .unwrap_or_default();
            fresh.push(((o.id.clone(), *day), r.clone()));
            *slot = Some(r);
        }
    }
    if !fresh.is_empty() {
        let mut memo = RESP_MEMO.lock().unwrap_or_else(|e| e.into_inner());
        let i = match memo
            .iter()
            .position(|m| std::ptr::eq(m.snap.as_ptr(), Arc::as_ptr(&v.snap)))
        {
            Some(i) => i,
            None => {
                memo.push(RespMemo {
                    snap: Arc::downgrade(&v.snap),
                    answers: HashMap::new(),
                });
                memo.len() - 1
            }
        };
        let answers = &mut memo[i].answers;
        if answers.len() + fresh.len() > RESP_MEMO_MAX {
            answers.clear();
        }
        answers.extend(fresh);
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

fn item(
    v: &Viewer,
    packs: &Packs<'_>,
    clock: StatusClock,
    o: &StoredObligation,
    at_due: Resp,
    today: Option<Resp>,
) -> Item {
    let m = &v.snap.model;
    let pack = packs.of(&o.policy);
    let duty = pack.duty(&o.duty);
    let status = o.status(clock);
    let citation: Option<Citation> = o.citation.parse().ok();
    let org = m.org(&o.org);
    let subject_name = match o.subject_kind.as_str() {
        "org" => m.org(&o.subject).map(|x| x.name.clone()),
        "platform" => m.find_platform(&o.subject).map(|x| x.name.clone()),
        "person" => m.person(&o.subject).map(|x| x.name.clone()),
        _ => None,
    }
    .unwrap_or_else(|| o.subject.clone());
    let today = today.and_then(|a| a.person);
    Item {
        id: o.id.clone(),
        key: o.key.clone(),
        duty: o.duty.clone(),
        duty_title: duty
            .map(|d| d.title.clone())
            .unwrap_or_else(|| o.duty.clone()),
        duty_title_en: duty
            .map(|d| d.title_en.clone())
            .unwrap_or_else(|| o.duty.clone()),
        status: status.as_str(),
        due: date(o.due),
        citation: o.citation.clone(),
        citation_zh: citation
            .map(|c| c.to_zh())
            .unwrap_or_else(|| o.citation.clone()),
        subject: SubjectRef {
            kind: o.subject_kind.clone(),
            id: o.subject.clone(),
            name: subject_name,
        },
        org: org.map(OrgRef::of).unwrap_or_else(|| OrgRef {
            id: o.org.clone(),
            code: o.org.clone(),
            name: o.org.clone(),
        }),
        period: o.period.clone(),
        policy: o.policy.clone(),
        completed_on: o.completed_on.map(date),
        withdrawn: o.withdrawn(),
        version: o.version,
        responsible_vacant: at_due.vacant,
        responsible_post: at_due.post,
        responsible: at_due.person,
        responsible_today: today,
        href: format!("/obligations/{}{}", encode(&o.id), v.tr.qs()),
        article_href: format!(
            "/policies/{}{}#{}",
            encode(&o.policy),
            v.tr.qs(),
            citation.map(anchor).unwrap_or_default()
        ),
    }
}

async fn items(
    state: &AppState,
    v: &Viewer,
    clock: StatusClock,
    rows: &[&StoredObligation],
) -> Vec<Item> {
    let packs = Packs::load(state, v, rows).await;
    // The day each is asked about: the due date, and today for the overdue ones.
    let overdue: Vec<bool> = rows
        .iter()
        .map(|o| o.status(clock) == ObligationStatus::Overdue)
        .collect();
    let mut asks: Vec<(&StoredObligation, NaiveDate)> = rows.iter().map(|o| (*o, o.due)).collect();
    asks.extend(
        rows.iter()
            .zip(&overdue)
            .filter(|(_, od)| **od)
            .map(|(o, _)| (*o, clock.today)),
    );
    let mut answers = responsible_many(v, &packs, &asks).into_iter();
    let at_due: Vec<Resp> = answers.by_ref().take(rows.len()).collect();
    rows.iter()
        .zip(at_due)
        .zip(&overdue)
        .map(|((o, due), od)| {
            let today = if *od { answers.next() } else { None };
            item(v, &packs, clock, o, due, today)
        })
        .collect()
}

/// An obligation by id or key, if the viewer may read its org.
async fn find_item_row(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<StoredObligation, Refusal> {
    let tr = v.tr;
    match state.db.obligation(id.trim()).await {
        Ok(o) if visible(v, &o.org) => Ok(o),
        Ok(_) => Err(Refusal::not_found(tr, id)),
        Err(e) => Err(Refusal::storage(tr, e, id)),
    }
}

// ------------------------------------------------------------------------------------------
// API: lists and one obligation
// ------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct ListOut {
    year: i32,
    today: String,
    org: Option<OrgRef>,
    items: Vec<Item>,
    page: usize,
    per_page: usize,
    total: usize,
}

fn query_of<T: Default>(tr: Tr, q: Result<Query<T>, QueryRejection>) -> Result<T, Refusal> {
    q.map(|Query(q)| q).map_err(|e| {
        Refusal::new(
            ErrorCode::Validation,
            tr.tf(
                "obligations.error.field",
                &[("field", "query"), ("message", &e.body_text())],
            ),
        )
    })
}

fn path_of(tr: Tr, p: Result<Path<String>, PathRejection>) -> Result<String, Refusal> {
    p.map(|Path(p)| p).map_err(|e| {
        Refusal::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", &e.body_text())]),
        )
    })
}

/// The page of a list as the API and the list page use it.
async fn load_list(
    state: &AppState,
    v: &Viewer,
    p: &ListParams<'_>,
    stamp: &(i64, String),
) -> Result<(Vec<Item>, usize), Refusal> {
    let tr = v.tr;
    let clock = status_clock(state, v);
    let ledger = ledger_at(state, stamp, p.year, clock)
        .await
        .map_err(|e| Refusal::storage(tr, e, ""))?;
    let orgs = p.orgs(v);
    let offset = (p.page - 1).saturating_mul(PER_PAGE);
    if let Some(year) = year_rows_at(state, stamp, p.year, ledger.total())
        .await
        .map_err(|e| Refusal::storage(tr, e, ""))?
    {
        let m = &v.snap.model;
        let picked = year.select(&p.filter(orgs.as_deref(), false), clock, p.sort, |id| {
            m.org(id).map(|o| o.code.clone()).unwrap_or_default()
        });
        let page: Vec<&StoredObligation> =
            picked.iter().skip(offset).take(PER_PAGE).copied().collect();
        return Ok((items(state, v, clock, &page).await, picked.len()));
    }
    // A year too big to hold in memory: the database filters, sorts and pages.
    let total = count(&ledger, orgs.as_deref(), p);
    let rows = if offset >= total {
        Vec::new()
    } else {
        // Fewer than a quarter of the year's rows: found by org and sorted, not walked in due order.
        let few = orgs.is_some() && total.saturating_mul(4) < ledger.total();
        state
            .db
            .list_obligations(
                &p.filter(orgs.as_deref(), few),
                clock,
                p.sort,
                PER_PAGE,
                offset,
            )
            .await
            .map_err(|e| Refusal::storage(tr, e, ""))?
    };
    let refs: Vec<&StoredObligation> = rows.iter().collect();
    Ok((items(state, v, clock, &refs).await, total))
}

/// The year's obligations of the orgs in `orgs` (ids) as of the change stamp `stamp`, in due
/// order: from the copy held in memory when the year fits there (no query once it is up to
/// date), else from the database.
pub(crate) async fn obligations_of(
    state: &AppState,
    v: &Viewer,
    stamp: &(i64, String),
    year: i32,
    orgs: &std::collections::HashSet<&str>,
) -> zeren_storage::Result<Vec<Arc<StoredObligation>>> {
    let stamp = stamp.clone();
    let ledger = ledger_at(state, &stamp, year, status_clock(state, v)).await?;
    if let Some(rows) = year_rows_at(state, &stamp, year, ledger.total()).await? {
        return Ok(rows
            .rows()
            .iter()
            .filter(|o| orgs.contains(o.org.as_str()))
            .cloned()
            .collect());
    }
    let mut out = Vec::new();
    for org in orgs {
        out.extend(
            state
                .db
                .obligations(org, year)
                .await?
                .into_iter()
                .map(Arc::new),
        );
    }
    out.sort_by(|a, b| (a.due, &a.key).cmp(&(b.due, &b.key)));
    Ok(out)
}

/// Years of obligations held in memory (a few: several databases live in one test process).
static YEAR_ROWS: LazyLock<tokio::sync::Mutex<Vec<Arc<YearRows>>>> =
    LazyLock::new(|| tokio::sync::Mutex::new(Vec::new()));
const YEARS_KEPT: usize = 8;
/// A year with more obligations than this is paged by the database instead of in memory.
const ROWS_IN_MEMORY_MAX: usize = 300_000;

/// The year's obligations in memory, as of the audit head `stamp` (or later): a copy already up
/// to date, else one brought up to date by following the audit chain, else read afresh. `None`
/// when the year is too big to hold.
async fn year_rows_at(
    state: &AppState,
    stamp: &(i64, String),
    year: i32,
    size: usize,
) -> zeren_storage::Result<Option<Arc<YearRows>>> {
    if size > ROWS_IN_MEMORY_MAX {
        return Ok(None);
    }
    let mut cache = YEAR_ROWS.lock().await;
    if let Some(hit) = cache
        .iter()
        .find(|r| r.year() == year && r.stamp() == stamp)
    {
        return Ok(Some(hit.clone()));
    }
    // A copy read earlier from this database follows the audit chain up to now (a copy already
    // past `stamp` is simply newer); a copy from another database (tests run several) refuses to.
    for i in 0..cache.len() {
        if cache[i].year() != year {
            continue;
        }
        let mut copy = (*cache[i]).clone();
        if copy.catch_up(&state.db).await? {
            let fresh = Arc::new(copy);
            cache.remove(i);
            cache.insert(0, fresh.clone());
            return Ok(Some(fresh));
        }
    }
    let fresh = Arc::new(YearRows::load(&state.db, year).await?);
    cache.insert(0, fresh.clone());
    cache.truncate(YEARS_KEPT);
    Ok(Some(fresh))
}

// ------------------------------------------------------------------------------------------
// The year's figures, counted by the database and reused until it changes
// ------------------------------------------------------------------------------------------

/// A year's obligations counted per org, duty, status, month due and month done (for one day),
/// indexed by org. Every count of a list and every roll-up of a dashboard is summed from it in
/// memory, over the snapshot's org tree.
pub struct Ledger {
    aggregates: Vec<OrgAggregate>,
    by_org: HashMap<String, Vec<usize>>,
    /// Roll-ups summed from it, by (root org, model generation of the tree walked).
    rollups: Mutex<HashMap<(String, i64), Arc<Rollup>>>,
}

impl Ledger {
    /// All obligations of the year.
    fn total(&self) -> usize {
        usize::try_from(self.aggregates.iter().map(|a| a.count).sum::<i64>()).unwrap_or(0)
    }

    fn of_org<'a>(&'a self, org: &str) -> impl Iterator<Item = &'a OrgAggregate> + 'a {
        self.by_org
            .get(org)
            .into_iter()
            .flatten()
            .map(|i| &self.aggregates[*i])
    }
}

/// What a cached ledger was counted from: the audit head (seq, hash), the year, the day and the
/// due-soon window. The audit head moves with every committed change on any instance.
type LedgerKey = (i64, String, i32, NaiveDate, u32);

/// Ledgers counted recently (several databases live in one test process; one in a server).
/// Ledgers computed recently, by key.
type LedgerCache = Mutex<Vec<(LedgerKey, Arc<Ledger>)>>;

static LEDGERS: LazyLock<LedgerCache> = LazyLock::new(|| Mutex::new(Vec::new()));
const LEDGERS_KEPT: usize = 16;

/// The ledger of `year` on `clock`'s day as of the audit head `stamp`: the grouped count runs
/// only when the database changed since it was last counted.
pub async fn ledger_at(
    state: &AppState,
    stamp: &(i64, String),
    year: i32,
    clock: StatusClock,
) -> zeren_storage::Result<Arc<Ledger>> {
    let key: LedgerKey = (
        stamp.0,
        stamp.1.clone(),
        year,
        clock.today,
        clock.due_soon_days,
    );
    {
        let cache = LEDGERS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, l)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(l.clone());
        }
    }
    let aggregates = state.db.obligation_aggregates(year, clock).await?;
    let mut by_org: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in aggregates.iter().enumerate() {
        by_org.entry(a.org.clone()).or_default().push(i);
    }
    let fresh = Arc::new(Ledger {
        aggregates,
        by_org,
        rollups: Mutex::default(),
    });
    let mut cache = LEDGERS.lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(k, _)| *k != key);
    cache.insert(0, (key, fresh.clone()));
    cache.truncate(LEDGERS_KEPT);
    Ok(fresh)
}

/// How many obligations a list covers, from the ledger.
fn count(ledger: &Ledger, orgs: Option<&[&Org]>, p: &ListParams<'_>) -> usize {
    let matches = |a: &OrgAggregate| {
        (p.statuses.is_empty() || p.statuses.contains(&a.status))
            && p.duty.as_ref().is_none_or(|d| *d == a.duty)
            && p.month.as_ref().is_none_or(|m| *m == a.due_month)
            && p.done_month
                .as_ref()
                .is_none_or(|m| a.done_month.as_ref() == Some(m))
    };
    let sum = |aggs: &mut dyn Iterator<Item = &OrgAggregate>| -> i64 {
        aggs.filter(|a| matches(a)).map(|a| a.count).sum()
    };
    let n = match orgs {
        None => sum(&mut ledger.aggregates.iter()),
        Some(orgs) => orgs.iter().map(|o| sum(&mut ledger.of_org(&o.id))).sum(),
    };
    usize::try_from(n).unwrap_or(0)
}

/// Roll-ups kept per ledger before they start over.
const ROLLUPS_KEPT: usize = 4096;

/// The roll-up of `root`'s subtree: its own obligations under its own row, each child's
/// subtree under the child's row. Summed once per ledger and org tree.
fn rollup(ledger: &Ledger, v: &Viewer, root: &Org, year: i32) -> Arc<Rollup> {
    let key = (root.id.clone(), v.snap.generation);
    if let Some(r) = ledger
        .rollups
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
    {
        return r.clone();
    }
    let fresh = Arc::new(sum_rollup(ledger, v, root, year));
    let mut kept = ledger.rollups.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= ROLLUPS_KEPT {
        kept.clear();
    }
    kept.insert(key, fresh.clone());
    fresh
}

fn sum_rollup(ledger: &Ledger, v: &Viewer, root: &Org, year: i32) -> Rollup {
    let m = &v.snap.model;
    let mut r = Rollup::default();
    for a in ledger.of_org(&root.id) {
        r.add(&root.id, a, year);
    }
    for child in m.children(&root.id) {
        for o in m.subtree(&child.id) {
            for a in ledger.of_org(&o.id) {
                r.add(&child.id, a, year);
            }
        }
    }
    r
}

/// `GET /api/v1/obligations`
async fn api_list(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    uri: axum::http::Uri,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = query_of(v.tr, q).map_err(Refusal::api)?;
    let today = state.today();
    let p = parse_list(&v, &q, today).map_err(Refusal::api)?;
    // A page of the list depends on the ledger (the change stamp), the day, the viewer's
    // rights and language and the query: the same page is answered from the snapshot's memo
    // until one of them moves (a write anywhere moves the stamp).
    let stamp = state
        .change_stamp()
        .await
        .map_err(|e| Refusal::api(Refusal::storage(v.tr, e, "")))?;
    let key = format!(
        "obligations:{}:{}:{}:{today}:{}:{}",
        v.user.id,
        stamp.0,
        stamp.1,
        v.tr.tag(),
        uri.query().unwrap_or_default()
    );
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    if let Some(body) = v.snap.rendered_doc(&key) {
        return Ok((json, body).into_response());
    }
    let (items, total) = load_list(&state, &v, &p, &stamp)
        .await
        .map_err(Refusal::api)?;
    let out = ListOut {
        year: p.year,
        today: date(today),
        org: p.org.map(OrgRef::of),
        items,
        page: p.page,
        per_page: PER_PAGE,
        total,
    };
    let body = serde_json::to_vec(&out).map_err(|e| {
        tracing::error!(error = %e, "obligation list serialisation failed");
        ApiError::new(ErrorCode::Internal, v.tr.t("error.internal").to_string())
    })?;
    Ok((json, v.snap.keep_rendered(&key, body)).into_response())
}

/// One obligation in full.
#[derive(Serialize)]
struct ItemDetail {
    #[serde(flatten)]
    item: Item,
    /// The first responsible person of the org on the due date, when not the one responsible.
    first_responsible: Option<NamedRef>,
    /// The chain of reasons for `responsible`, in the caller's language.
    chain: Vec<String>,
    waivers: Vec<WaiverOut>,
    evidence: Vec<EvidenceOut>,
    /// Record forms that can discharge it.
    record_forms: Vec<RecordForm>,
    /// What the caller may do.
    can_request_waiver: bool,
    can_decide_waiver: bool,
    /// The caller is the first responsible person: a waiver they ask for takes effect at once.
    direct_waiver: bool,
    /// Today (Asia/Shanghai).
    today: String,
}

#[derive(Serialize)]
struct WaiverOut {
    id: String,
    state: WaiverState,
    reason: String,
    requested_by: String,
    requested_by_name: String,
    requested_at: String,
    decided_by_name: Option<String>,
    decided_at: Option<String>,
    decision_note: Option<String>,
}

impl WaiverOut {
    fn of(w: &Waiver) -> WaiverOut {
        WaiverOut {
            id: w.id.clone(),
            state: w.state,
            reason: w.reason.clone(),
            requested_by: w.requested_by.clone(),
            requested_by_name: w.requested_by_name.clone(),
            requested_at: shanghai_time(w.requested_at),
            decided_by_name: w.decided_by_name.clone(),
            decided_at: w.decided_at.map(shanghai_time),
            decision_note: w.decision_note.clone(),
        }
    }
}

#[derive(Serialize)]
struct EvidenceOut {
    record: String,
    kind: String,
    title: String,
    date: String,
    linked_at: String,
    /// The account that linked it.
    linked_by: String,
    /// That account's display name.
    linked_by_name: String,
    href: String,
    /// The record's attachments.
    attachments: Vec<EvidenceFile>,
}

/// An attachment of a record linked as evidence.
#[derive(Serialize)]
struct EvidenceFile {
    sha256: String,
    filename: String,
    size: i64,
    /// Type, sniffed from the content when it was uploaded.
    mime: String,
    /// Where it is downloaded (access checked like its record).
    href: String,
}

#[derive(Serialize)]
struct RecordForm {
    kind: String,
    name: String,
    href: String,
}

async fn detail(state: &AppState, v: &Viewer, o: &StoredObligation) -> Result<ItemDetail, Refusal> {
    let tr = v.tr;
    let clock = status_clock(state, v);
    let it = items(state, v, clock, &[o])
        .await
        .pop()
        .ok_or_else(|| Refusal::not_found(tr, &o.id))?;
    let packs = Packs::load(state, v, &[o]).await;
    let pack = packs.of(&o.policy);
    let answer = answer_for(v, pack, o, o.due);
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    let links = state
        .db
        .evidence_of(&o.id)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    let mut evidence = Vec::with_capacity(links.len());
    for e in links {
        let attachments = state
            .db
            .record_attachments(&e.record.id)
            .await
            .map_err(|err| Refusal::storage(tr, err, &o.id))?
            .iter()
            .map(|a| EvidenceFile {
                href: format!(
                    "/attachments/{}?record={}",
                    encode(&a.sha256),
                    encode(&e.record.id)
                ),
                sha256: a.sha256.clone(),
                filename: a.filename.clone(),
                size: a.size,
                mime: a.mime.clone(),
            })
            .collect();
        evidence.push(EvidenceOut {
            href: format!("/records/{}{}", encode(&e.record.id), tr.qs()),
            record: e.record.id,
            kind: e.record.kind.as_str().to_string(),
            title: e.record.title,
            date: date(e.record.date),
            linked_at: shanghai_time(e.linked_at),
            linked_by: e.linked_by,
            linked_by_name: e.linked_by_name,
            attachments,
        });
    }
    let open = it.status != "done" && it.status != "waived" && !it.withdrawn;
    let record_forms = match pack.duty(&o.duty) {
        Some(duty) if it.status != "waived" && !it.withdrawn => duty
            .evidence
            .iter()
            .map(|r| RecordForm {
                kind: r.kind.as_str().to_string(),
                name: tr.t(&format!("evidence.{}", r.kind.as_str())).to_string(),
                href: href_with(
                    "/records/new",
                    &[
                        ("kind", r.kind.as_str().to_string()),
                        ("obligation", o.id.clone()),
                    ],
                    tr,
                ),
            })
            .collect(),
        _ => Vec::new(),
    };
    let pending = waivers.iter().any(|w| w.state == WaiverState::Pending);
    Ok(ItemDetail {
        first_responsible: answer.as_ref().and_then(|a| a.first_responsible.clone()),
        chain: answer
            .map(|a| a.chain.iter().map(|r| r.describe(tr.lang())).collect())
            .unwrap_or_default(),
        waivers: waivers.iter().map(WaiverOut::of).collect(),
        evidence,
        record_forms,
        can_request_waiver: open && !pending && v.can(Permission::KeepRecords, Some(&o.org)),
        can_decide_waiver: open && pending && first_responsible(v, &o.org),
        direct_waiver: first_responsible(v, &o.org),
        today: date(clock.today),
        item: it,
    })
}

/// `GET /api/v1/obligations/{id}`
async fn api_item(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let id = path_of(v.tr, id).map_err(Refusal::api)?;
    let o = find_item_row(&state, &v, &id).await.map_err(Refusal::api)?;
    let d = detail(&state, &v, &o).await.map_err(Refusal::api)?;
    Ok(Json(d).into_response())
}

// ------------------------------------------------------------------------------------------
// Waivers
// ------------------------------------------------------------------------------------------

/// Body of a waiver request.
#[derive(Deserialize, Debug)]
pub struct WaiverBody {
    version: i64,
    reason: String,
}

/// Body of a waiver decision.
#[derive(Deserialize, Debug)]
pub struct DecisionBody {
    version: i64,
    #[serde(default)]
    note: Option<String>,
}

/// Form of a waiver request (strings, so a bad value is named instead of refused wholesale).
#[derive(Deserialize, Debug, Default)]
pub struct WaiverFormBody {
    version: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct WaiverResult {
    obligation: Item,
    waiver: WaiverOut,
}

/// Who may act on an obligation's waiver, checked before any body is read.
enum WaiverAct {
    Request,
    Decide,
}

async fn waiver_target(
    state: &AppState,
    v: &Viewer,
    id: &str,
    act: WaiverAct,
) -> Result<StoredObligation, Refusal> {
    let tr = v.tr;
    if v.principal.admin.is_some() || !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refusal::forbidden(tr));
    }
    let o = find_item_row(state, v, id).await?;
    let allowed = match act {
        WaiverAct::Request => v.can(Permission::KeepRecords, Some(&o.org)),
        WaiverAct::Decide => first_responsible(v, &o.org),
    };
    if !allowed {
        return Err(Refusal::forbidden(tr));
    }
    Ok(o)
}

fn check_text(tr: Tr, field: &str, s: &str, required: bool) -> Result<(), Refusal> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(Refusal::field(tr, field, "obligations.error.reason_empty"));
    }
    if t.chars().count() > zeren_storage::repo::obligations::WAIVER_TEXT_MAX {
        return Err(Refusal::field(tr, field, "obligations.error.too_long"));
    }
    Ok(())
}

/// The rules a waiver request must meet, in the user's language (storage checks them again in
/// the transaction).
async fn check_request(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    reason: &str,
) -> Result<(), Refusal> {
    let tr = v.tr;
    check_text(tr, "reason", reason, true)?;
    if version != o.version {
        return Err(Refusal::storage(
            tr,
            StorageError::Conflict {
                what: "obligation",
                id: o.id.clone(),
                expected: version,
                actual: o.version,
            },
            &o.id,
        ));
    }
    if o.discharge() != zeren_core::obligation::Discharge::Open {
        return Err(Refusal::field(
            tr,
            "obligation",
            "obligations.error.not_open",
        ));
    }
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    if waivers.iter().any(|w| w.state == WaiverState::Pending) {
        return Err(Refusal::field(
            tr,
            "obligation",
            "obligations.error.pending",
        ));
    }
    Ok(())
}

async fn check_decision(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    note: Option<&str>,
) -> Result<(), Refusal> {
    let tr = v.tr;
    check_text(tr, "note", note.unwrap_or(""), false)?;
    if version != o.version {
        return Err(Refusal::storage(
            tr,
            StorageError::Conflict {
                what: "obligation",
                id: o.id.clone(),
                expected: version,
                actual: o.version,
            },
            &o.id,
        ));
    }
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    if !waivers.iter().any(|w| w.state == WaiverState::Pending) {
        return Err(Refusal::field(
            tr,
            "obligation",
            "obligations.error.no_pending",
        ));
    }
    Ok(())
}

async fn do_request(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    reason: &str,
) -> Result<WaiverResult, Refusal> {
    let tr = v.tr;
    check_request(state, v, o, version, reason).await?;
    let approve = first_responsible(v, &o.org);
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    let out = tx
        .request_waiver(&o.id, version, reason, &v.user.id, approve)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    tx.commit()
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    result(state, v, out).await
}

async fn do_decide(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    version: i64,
    approve: bool,
    note: Option<&str>,
) -> Result<WaiverResult, Refusal> {
    let tr = v.tr;
    check_decision(state, v, o, version, note).await?;
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    let out = tx
        .decide_waiver(&o.id, version, &v.user.id, approve, note)
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    tx.commit()
        .await
        .map_err(|e| Refusal::storage(tr, e, &o.id))?;
    result(state, v, out).await
}

async fn result(
    state: &AppState,
    v: &Viewer,
    out: zeren_storage::repo::obligations::WaiverOutcome,
) -> Result<WaiverResult, Refusal> {
    let clock = status_clock(state, v);
    let mut list = items(state, v, clock, &[&out.obligation]).await;
    let obligation = list
        .pop()
        .ok_or_else(|| Refusal::not_found(v.tr, &out.obligation.id))?;
    Ok(WaiverResult {
        obligation,
        waiver: WaiverOut::of(&out.waiver),
    })
}

fn json_body<T>(tr: Tr, body: Result<Json<T>, JsonRejection>) -> Result<T, Refusal> {
    match body {
        Ok(Json(b)) => Ok(b),
        Err(e) => {
            let text = e.body_text();
            let field = ["version", "reason", "note"]
                .into_iter()
                .find(|f| text.contains(&format!("`{f}`")) || text.contains(&format!("{f}:")))
                .unwrap_or("body");
            Err(Refusal::new(
                ErrorCode::Validation,
                tr.tf(
                    "obligations.error.field",
                    &[("field", field), ("message", &text)],
                ),
            ))
        }
    }
}

/// `POST /api/v1/obligations/{id}/waiver`
async fn api_waiver(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<WaiverBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = path_of(v.tr, id).map_err(Refusal::api)?;
    let o = waiver_target(&state, &v, &id, WaiverAct::Request)
        .await
        .map_err(Refusal::api)?;
    let b = json_body(v.tr, body).map_err(Refusal::api)?;
    let out = do_request(&state, &v, &o, b.version, &b.reason)
        .await
        .map_err(Refusal::api)?;
    Ok(Json(out).into_response())
}

async fn api_decide(
    state: AppState,
    v: Viewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<DecisionBody>, JsonRejection>,
    approve: bool,
) -> Result<Response, ApiError> {
    let id = path_of(v.tr, id).map_err(Refusal::api)?;
    let o = waiver_target(&state, &v, &id, WaiverAct::Decide)
        .await
        .map_err(Refusal::api)?;
    let b = json_body(v.tr, body).map_err(Refusal::api)?;
    let out = do_decide(&state, &v, &o, b.version, approve, b.note.as_deref())
        .await
        .map_err(Refusal::api)?;
    Ok(Json(out).into_response())
}

/// `POST /api/v1/obligations/{id}/waiver/approve`
async fn api_approve(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    api_decide(state, v, id, body, true).await
}

/// `POST /api/v1/obligations/{id}/waiver/reject`
async fn api_reject(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<DecisionBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    api_decide(state, v, id, body, false).await
}

fn form_version(tr: Tr, f: &WaiverFormBody) -> Result<i64, Refusal> {
    f.version
        .as_deref()
        .map(str::trim)
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| Refusal::field(tr, "version", "obligations.error.version"))
}

/// `POST /obligations/{id}/waiver`
async fn waiver_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    let o = match waiver_target(&state, &v, &id, WaiverAct::Request).await {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let reason = f.reason.clone().unwrap_or_default();
    let outcome = match form_version(tr, &f) {
        Ok(version) => do_request(&state, &v, &o, version, &reason).await,
        Err(r) => Err(r),
    };
    match outcome {
        Ok(_) => redirect(&format!("/obligations/{}{}", encode(&o.id), tr.qs())),
        Err(r) => item_page_with(&state, &v, &o, Some((r, reason))).await,
    }
}

async fn decide_form(
    state: AppState,
    v: Viewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
    approve: bool,
) -> Response {
    let tr = v.tr;
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    let o = match waiver_target(&state, &v, &id, WaiverAct::Decide).await {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let outcome = match form_version(tr, &f) {
        Ok(version) => do_decide(&state, &v, &o, version, approve, f.note.as_deref()).await,
        Err(r) => Err(r),
    };
    match outcome {
        Ok(_) => redirect(&format!("/obligations/{}{}", encode(&o.id), tr.qs())),
        Err(r) => item_page_with(&state, &v, &o, Some((r, String::new()))).await,
    }
}

/// `POST /obligations/{id}/waiver/approve`
async fn approve_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    decide_form(state, v, id, form, true).await
}

/// `POST /obligations/{id}/waiver/reject`
async fn reject_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<WaiverFormBody>, FormRejection>,
) -> Response {
    decide_form(state, v, id, form, false).await
}

// ------------------------------------------------------------------------------------------
// Pages: the list and one obligation
// ------------------------------------------------------------------------------------------

/// The values of the filter form as typed.
pub struct FilterForm {
    /// Org code.
    pub org: String,
    /// Only the org itself.
    pub own: bool,
    /// Year.
    pub year: String,
    /// Status.
    pub status: String,
    /// Duty id.
    pub duty: String,
    /// Sort.
    pub sort: String,
    /// Due month.
    pub month: String,
    /// Done month.
    pub done_month: String,
}

/// A sortable column header.
pub struct SortLink {
    /// Link.
    pub href: String,
    /// This column orders the list now.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "obligations.html")]
struct ListPage {
    frame: Frame,
    tr: Tr,
    lead: String,
    form: FilterForm,
    duties: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    sorts: Vec<(&'static str, String)>,
    orgs: Vec<(String, String)>,
    rows: Vec<Item>,
    pager: Pager,
    sort_due: SortLink,
    sort_org: SortLink,
    sort_duty: SortLink,
    sort_status: SortLink,
    error: Option<String>,
    dashboard_href: String,
}

/// Page navigation under a list.
pub struct Pager {
    /// This page, from 1.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    fn new(
        path: &str,
        params: &[(&'static str, String)],
        page: usize,
        total: usize,
        tr: Tr,
    ) -> Pager {
        let pages = total.div_ceil(PER_PAGE).max(1);
        let link = |n: usize| {
            let mut p = params.to_vec();
            p.push(("page", n.to_string()));
            href_with(path, &p, tr)
        };
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn several(&self) -> bool {
        self.pages > 1
    }
}

/// The orgs offered in the filter: all of the scope when it is small, else the roots and the
/// chosen org's children.
fn org_options(v: &Viewer, chosen: Option<&Org>) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = Vec::new();
    let roots = scope_roots(v);
    let total: usize = roots.iter().map(|r| m.subtree(&r.id).len()).sum();
    if total <= 300 {
        for r in roots {
            for o in m.subtree(&r.id) {
                out.push((o.code.clone(), o.name.clone()));
            }
        }
    } else {
        for r in roots {
            out.push((r.code.clone(), r.name.clone()));
        }
        if let Some(c) = chosen {
            out.push((c.code.clone(), c.name.clone()));
            for k in m.children(&c.id) {
                out.push((k.code.clone(), k.name.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn duty_options(v: &Viewer) -> Vec<(String, String)> {
    let tr = v.tr;
    v.snap
        .pack
        .duties
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                tr.lang().pick(&d.title, &d.title_en).to_string(),
            )
        })
        .collect()
}

fn status_name(tr: Tr, s: &str) -> String {
    tr.t(&format!("status.{s}")).to_string()
}

/// `GET /obligations`
async fn list_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = state.today();
    let form = FilterForm {
        org: opt(&q.org).unwrap_or("").to_string(),
        own: matches!(opt(&q.own), Some("1" | "true" | "on")),
        year: opt(&q.year).unwrap_or("").to_string(),
        status: opt(&q.status).unwrap_or("").to_string(),
        duty: opt(&q.duty).unwrap_or("").to_string(),
        sort: opt(&q.sort).unwrap_or("due").to_string(),
        month: opt(&q.month).unwrap_or("").to_string(),
        done_month: opt(&q.done_month).unwrap_or("").to_string(),
    };
    let (status, error, p) = match parse_list(&v, &q, today) {
        Ok(p) => (StatusCode::OK, None, Some(p)),
        Err(r) if r.code == ErrorCode::NotFound => return r.page(tr),
        Err(r) => (r.code.status(), Some(r.message), None),
    };
    let stamp = match state.change_stamp().await {
        Ok(s) => s,
        Err(e) => return Refusal::storage(tr, e, "").page(tr),
    };
    let (rows, total) = match &p {
        Some(p) => match load_list(&state, &v, p, &stamp).await {
            Ok(x) => x,
            Err(r) => return r.page(tr),
        },
        None => (Vec::new(), 0),
    };
    let params = p.as_ref().map(|p| p.params()).unwrap_or_default();
    let current_sort = p.as_ref().map(|p| p.sort).unwrap_or_default();
    let sort_link = |s: ObligationSort| {
        // The due column toggles between earliest and latest first.
        let target = match (s, current_sort) {
            (ObligationSort::Due, ObligationSort::Due) => ObligationSort::DueDesc,
            (x, _) => x,
        };
        let mut ps = params.clone();
        ps.push(("sort", target.as_str().to_string()));
        SortLink {
            href: href_with("/obligations", &ps, tr),
            current: current_sort == s
                || (s == ObligationSort::Due && current_sort == ObligationSort::DueDesc),
        }
    };
    let year = p.as_ref().map(|p| p.year).unwrap_or(today.year());
    let chosen = p.as_ref().and_then(|p| p.org);
    let scope_name = match chosen {
        Some(o) if p.as_ref().is_some_and(|p| p.own) => {
            tr.tf("obligations.lead.own", &[("org", &o.name)])
        }
        Some(o) => tr.tf("obligations.lead.subtree", &[("org", &o.name)]),
        None => tr.t("obligations.lead.scope").to_string(),
    };
    let lead = tr.tf(
        "obligations.lead",
        &[
            ("year", &year.to_string()),
            ("scope", &scope_name),
            ("total", &total.to_string()),
        ],
    );
    let dashboard_href = href_with(
        "/dashboard",
        &[
            ("org", chosen.map(|o| o.code.clone()).unwrap_or_default()),
            ("year", year.to_string()),
        ],
        tr,
    );
    let mut pager_params = params.clone();
    pager_params.push(("sort", current_sort.as_str().to_string()));
    let tpl = ListPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        lead,
        duties: duty_options(&v),
        statuses: STATUSES
            .iter()
            .map(|s| (s.as_str(), status_name(tr, s.as_str())))
            .collect(),
        sorts: ObligationSort::ALL
            .iter()
            .map(|(_, n)| (*n, tr.t(&format!("obligations.sort.{n}")).to_string()))
            .collect(),
        orgs: org_options(&v, chosen),
        pager: Pager::new(
            "/obligations",
            &pager_params,
            p.as_ref().map(|p| p.page).unwrap_or(1),
            total,
            tr,
        ),
        sort_due: sort_link(ObligationSort::Due),
        sort_org: sort_link(ObligationSort::Org),
        sort_duty: sort_link(ObligationSort::Duty),
        sort_status: sort_link(ObligationSort::Status),
        rows,
        error,
        dashboard_href,
        form,
    };
    page(status, &tpl)
}

#[derive(Template)]
#[template(path = "obligations_item.html")]
struct ItemPage {
    frame: Frame,
    tr: Tr,
    d: ItemDetail,
    csrf: String,
    list_href: String,
    error: Option<String>,
    reason: String,
}

/// `GET /obligations/{id}`
async fn item_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match path_of(tr, id) {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    match find_item_row(&state, &v, &id).await {
        Ok(o) => item_page_with(&state, &v, &o, None).await,
        Err(r) => r.page(tr),
    }
}

/// The obligation's page, with a form error (and what was typed) after a refused change.
async fn item_page_with(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    refused: Option<(Refusal, String)>,
) -> Response {
    let tr = v.tr;
    // Show the obligation as it is now (a refused change may have met a newer version).
    let current = state
        .db
        .obligation(&o.id)
        .await
        .unwrap_or_else(|_| o.clone());
    let d = match detail(state, v, &current).await {
        Ok(d) => d,
        Err(r) => return r.page(tr),
    };
    let (status, error, reason) = match refused {
        Some((r, reason)) => (r.code.status(), Some(r.message), reason),
        None => (StatusCode::OK, None, String::new()),
    };
    let list_href = match v.snap.model.org(&o.org) {
        Some(org) => list_href(org, false, o.due.year(), &[], tr),
        None => "/obligations".into(),
    };
    page(
        status,
        &ItemPage {
            frame: Frame::of(state, Some(v)),
            tr,
            d,
            csrf: v.csrf().to_string(),
            list_href,
            error,
            reason,
        },
    )
}

// ------------------------------------------------------------------------------------------
// Dashboard
// ------------------------------------------------------------------------------------------

#[derive(Deserialize, Default, Debug)]
pub struct DashboardQuery {
    org: Option<String>,
    year: Option<String>,
}

/// One duty column of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct DutyCol {
    /// Duty id.
    pub id: String,
    /// Title (Chinese).
    pub title: String,
    /// Title (English).
    pub title_en: String,
    /// `Art.4(2)`.
    pub citation: String,
}

/// One cell of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Duty id.
    pub duty: String,
    /// Counts by status.
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// One row of the matrix: the org itself (its own obligations) or one of its children (with
/// everything below it).
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// The org.
    pub org: OrgRef,
    /// True for the row of the dashboard's org itself.
    pub own: bool,
    /// Counts by status over the row.
    pub counts: StatusCounts,
    /// Cells with obligations, in the order of `duties`.
    pub cells: Vec<Cell>,
}

/// One month of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct MonthOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Obligations due that month.
    pub due: i64,
    /// Obligations done that month.
    pub done: i64,
    /// Of those due that month: still overdue.
    pub overdue: i64,
    /// Of those due that month: by status.
    pub due_by_status: StatusCounts,
}

/// The dashboard's figures, as the API answers and the page draws them.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    org: OrgRef,
    year: i32,
    today: String,
    total: i64,
    upcoming: i64,
    due_soon: i64,
    overdue: i64,
    done: i64,
    waived: i64,
    /// Done as a share of what is owed (waived ones are not owed); null when nothing is.
    completion_rate: Option<f64>,
    overdue_list: Vec<Item>,
    /// Earlier years with obligations still overdue in the subtree (they stay owed after their
    /// year ends), newest first; not part of this year's counts.
    earlier_overdue: Vec<EarlierYear>,
    duties: Vec<DutyCol>,
    matrix: Vec<MatrixRow>,
    months: Vec<MonthOut>,
}

/// Obligations of an earlier year still overdue.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierYear {
    /// The year they belong to.
    pub year: i32,
    /// How many are overdue.
    pub overdue: i64,
}

/// Years before the dashboard's that are looked at for obligations still overdue.
const EARLIER_YEARS: i32 = 3;

/// The earlier years (at most [`EARLIER_YEARS`]) whose obligations in `org`'s subtree are still
/// overdue, from the cached yearly ledgers; stops at the first year with no obligations at all.
async fn earlier_overdue(
    state: &AppState,
    v: &Viewer,
    stamp: &(i64, String),
    org: &Org,
    year: i32,
    clock: StatusClock,
) -> zeren_storage::Result<Vec<EarlierYear>> {
    let mut out = Vec::new();
    for y in (year - EARLIER_YEARS..year).rev() {
        let ledger = ledger_at(state, stamp, y, clock).await?;
        if ledger.total() == 0 {
            break;
        }
        let overdue = rollup(&ledger, v, org, y).totals.overdue;
        if overdue > 0 {
            out.push(EarlierYear { year: y, overdue });
        }
    }
    Ok(out)
}

fn parse_dashboard<'a>(
    v: &'a Viewer,
    q: &DashboardQuery,
    today: NaiveDate,
) -> Result<(&'a Org, i32), Refusal> {
    let tr = v.tr;
    let org = match opt(&q.org) {
        Some(o) => find_visible(v, o).ok_or_else(|| Refusal::org_not_found(tr, o))?,
        None => default_org(v).ok_or_else(|| Refusal::forbidden(tr))?,
    };
    Ok((org, parse_year(tr, opt(&q.year), today)?))
}

async fn dashboard(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    year: i32,
) -> Result<Dashboard, Refusal> {
    let tr = v.tr;
    let clock = status_clock(state, v);
    let stamp = state
        .change_stamp()
        .await
        .map_err(|e| Refusal::storage(tr, e, &org.id))?;
    let ledger = ledger_at(state, &stamp, year, clock)
        .await
        .map_err(|e| Refusal::storage(tr, e, &org.id))?;
    let rollup = rollup(&ledger, v, org, year);
    let earlier = earlier_overdue(state, v, &stamp, org, year, clock)
        .await
        .map_err(|e| Refusal::storage(tr, e, &org.id))?;
    if rollup.totals.overdue > 0
        && let Some(rows) = year_rows_at(state, &stamp, year, ledger.total())
            .await
            .map_err(|e| Refusal::storage(tr, e, &org.id))?
    {
        let set: Option<std::collections::HashSet<&str>> = (!covers_all(v, &[org])).then(|| {
            v.snap
                .model
                .subtree(&org.id)
                .into_iter()
                .map(|o| o.id.as_str())
                .collect()
        });
        let overdue: Vec<&StoredObligation> = rows
            .rows()
            .iter()
            .map(|o| o.as_ref())
            .filter(|o| set.as_ref().is_none_or(|s| s.contains(o.org.as_str())))
            .filter(|o| o.status(clock) == ObligationStatus::Overdue)
            .take(OVERDUE_LIST)
            .collect();
        let overdue_list = items(state, v, clock, &overdue).await;
        return Ok(assemble(
            v,
            org,
            year,
            clock.today,
            &rollup,
            overdue_list,
            earlier,
        ));
    }
    let m = &v.snap.model;
    let org_ids: Option<Vec<String>> =
        (!covers_all(v, &[org])).then(|| m.subtree(&org.id).iter().map(|o| o.id.clone()).collect());
    let overdue = usize::try_from(rollup.totals.overdue).unwrap_or(0);
    let overdue_rows = if overdue > 0 {
        state
            .db
            .list_obligations(
                &ObligationFilter {
                    few: org_ids.is_some() && overdue.saturating_mul(4) < ledger.total(),
                    org_ids,
                    year,
                    statuses: vec![ObligationStatus::Overdue],
                    ..Default::default()
                },
                clock,
                ObligationSort::Due,
                OVERDUE_LIST,
                0,
            )
            .await
            .map_err(|e| Refusal::storage(tr, e, &org.id))?
    } else {
        Vec::new()
    };
    let refs: Vec<&StoredObligation> = overdue_rows.iter().collect();
    let overdue_list = items(state, v, clock, &refs).await;
    Ok(assemble(
        v,
        org,
        year,
        clock.today,
        &rollup,
        overdue_list,
        earlier,
    ))
}

fn assemble(
    v: &Viewer,
    org: &Org,
    year: i32,
    today: NaiveDate,
    r: &Rollup,
    overdue_list: Vec<Item>,
    earlier_overdue: Vec<EarlierYear>,
) -> Dashboard {
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    // Duties with obligations, in the pack's order (unknown ones after, by id).
    let mut duty_ids: Vec<&str> = r.cells.keys().map(|(_, d)| d.as_str()).collect();
    duty_ids.sort();
    duty_ids.dedup();
    let rank = |id: &str| {
        pack.duties
            .iter()
            .position(|d| d.id == id)
            .unwrap_or(usize::MAX)
    };
    duty_ids.sort_by(|a, b| (rank(a), *a).cmp(&(rank(b), *b)));
    let duties: Vec<DutyCol> = duty_ids
        .iter()
        .map(|id| {
            let d = pack.duty(id);
            DutyCol {
                id: id.to_string(),
                title: d.map(|d| d.title.clone()).unwrap_or_else(|| id.to_string()),
                title_en: d
                    .map(|d| d.title_en.clone())
                    .unwrap_or_else(|| id.to_string()),
                citation: d.map(|d| d.citation().to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    let mut tops: Vec<&str> = r.cells.keys().map(|(o, _)| o.as_str()).collect();
    tops.dedup();
    let mut tops: Vec<&Org> = tops.into_iter().filter_map(|id| m.org(id)).collect();
    tops.sort_by(|a, b| ((a.id != org.id), &a.code).cmp(&((b.id != org.id), &b.code)));
    tops.dedup_by(|a, b| a.id == b.id);
    for t in tops {
        let mut counts = StatusCounts::default();
        let cells = duties
            .iter()
            .filter_map(|d| {
                r.cells.get(&(t.id.clone(), d.id.clone())).map(|c| {
                    counts.merge(c);
                    Cell {
                        duty: d.id.clone(),
                        counts: *c,
                    }
                })
            })
            .collect();
        rows.push(MatrixRow {
            org: OrgRef::of(t),
            own: t.id == org.id,
            counts,
            cells,
        });
    }
    let months = (0..12)
        .map(|i| MonthOut {
            month: format!("{year:04}-{:02}", i + 1),
            due: r.due_by_month[i].total,
            done: r.done_by_month[i],
            overdue: r.due_by_month[i].overdue,
            due_by_status: r.due_by_month[i],
        })
        .collect();
    let t = r.totals;
    Dashboard {
        org: OrgRef::of(org),
        year,
        today: date(today),
        total: t.total,
        upcoming: t.upcoming,
        due_soon: t.due_soon,
        overdue: t.overdue,
        done: t.done,
        waived: t.waived,
        completion_rate: t.completion_rate(),
        overdue_list,
        earlier_overdue,
        duties,
        matrix: rows,
        months,
    }
}

/// `GET /api/v1/dashboard`
async fn api_dashboard(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = query_of(v.tr, q).map_err(Refusal::api)?;
    let (org, year) = parse_dashboard(&v, &q, state.today()).map_err(Refusal::api)?;
    let d = dashboard(&state, &v, org, year)
        .await
        .map_err(Refusal::api)?;
    Ok(Json(d).into_response())
}

// ---- Charts, drawn as SVG ----------------------------------------------------------------

/// A rectangle of a chart, a link when `href` is set.
pub struct Bar {
    /// Left.
    pub x: String,
    /// Top.
    pub y: String,
    /// Width.
    pub w: String,
    /// Height.
    pub h: String,
    /// CSS class (its fill).
    pub class: String,
    /// Drill-down link.
    pub href: String,
    /// Tooltip.
    pub title: String,
}

/// A text of a chart.
pub struct Text {
    /// Anchor x.
    pub x: String,
    /// Baseline y.
    pub y: String,
    /// The text.
    pub text: String,
    /// start, middle or end.
    pub anchor: &'static str,
    /// CSS class.
    pub class: &'static str,
    /// Link, if any.
    pub href: Option<String>,
    /// SVG transform, if any.
    pub transform: Option<String>,
    /// Tooltip (the full text of a shortened label).
    pub title: Option<String>,
}

/// A chart: its size, rectangles and texts.
pub struct Chart {
    /// Width of the view box.
    pub width: String,
    /// Height of the view box.
    pub height: String,
    /// Rectangles.
    pub bars: Vec<Bar>,
    /// Texts.
    pub texts: Vec<Text>,
}

fn n1(x: f64) -> String {
    format!("{:.1}", x)
}

impl Text {
    fn new(
        x: f64,
        y: f64,
        text: impl Into<String>,
        anchor: &'static str,
        class: &'static str,
    ) -> Text {
        Text {
            x: n1(x),
            y: n1(y),
            text: text.into(),
            anchor,
            class,
            href: None,
            transform: None,
            title: None,
        }
    }

    fn link(mut self, href: String) -> Text {
        self.href = Some(href);
        self
    }
}

/// A label cut to `n` characters, with the full text when cut.
fn short(s: &str, n: usize) -> (String, Option<String>) {
    if s.chars().count() <= n {
        (s.to_string(), None)
    } else {
        (
            format!(
                "{}…",
                s.chars().take(n.saturating_sub(1)).collect::<String>()
            ),
            Some(s.to_string()),
        )
    }
}

/// The status order of stacked bars: done first, then waived, overdue, due soon, upcoming.
const STACK: [ObligationStatus; 5] = [
    ObligationStatus::Done,
    ObligationStatus::Waived,
    ObligationStatus::Overdue,
    ObligationStatus::DueSoon,
    ObligationStatus::Upcoming,
];

/// The completion bar: one stacked bar of the whole subtree by status.
fn completion_chart(d: &Dashboard, org: &Org, tr: Tr) -> Chart {
    let width = 600.0;
    let counts = StatusCounts {
        total: d.total,
        upcoming: d.upcoming,
        due_soon: d.due_soon,
        overdue: d.overdue,
        done: d.done,
        waived: d.waived,
    };
    let mut bars = Vec::new();
    let mut x = 0.0;
    for s in STACK {
        let n = counts.get(s);
        if n == 0 || d.total == 0 {
            continue;
        }
        let w = width * n as f64 / d.total as f64;
        bars.push(Bar {
            x: n1(x),
            y: "0.0".into(),
            w: n1(w),
            h: "28.0".into(),
            class: format!("seg seg-{}", s.as_str()),
            href: list_href(
                org,
                false,
                d.year,
                &[("status", s.as_str().to_string())],
                tr,
            ),
            title: format!("{}：{n}", status_name(tr, s.as_str())),
        });
        x += w;
    }
    if bars.is_empty() {
        bars.push(Bar {
            x: "0.0".into(),
            y: "0.0".into(),
            w: n1(width),
            h: "28.0".into(),
            class: "seg seg-empty".into(),
            href: list_href(org, false, d.year, &[], tr),
            title: tr.t("obligations.dashboard.nothing").to_string(),
        });
    }
    Chart {
        width: n1(width),
        height: "28.0".into(),
        bars,
        texts: Vec::new(),
    }
}

/// The heat class of a cell: red by the share overdue, else green by the share done.
fn heat_class(c: &StatusCounts) -> &'static str {
    let owed = c.total - c.waived;
    if c.total == 0 || owed <= 0 {
        return "hm hm-none";
    }
    if c.overdue > 0 {
        let share = c.overdue as f64 / owed as f64;
        return if share > 0.5 {
            "hm hm-bad3"
        } else if share > 0.2 {
            "hm hm-bad2"
        } else {
            "hm hm-bad1"
        };
    }
    let done = c.done as f64 / owed as f64;
    if done >= 0.999 {
        "hm hm-ok4"
    } else if done >= 0.75 {
        "hm hm-ok3"
    } else if done >= 0.5 {
        "hm hm-ok2"
    } else if done > 0.0 {
        "hm hm-ok1"
    } else {
        "hm hm-ok0"
    }
}

fn counts_title(tr: Tr, c: &StatusCounts) -> String {
    STATUSES
        .iter()
        .filter(|s| c.get(**s) > 0)
        .map(|s| format!("{} {}", status_name(tr, s.as_str()), c.get(*s)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The org × duty heat map: a row per org (the org itself, then its children), a column per duty.
fn heat_map(d: &Dashboard, org: &Org, v: &Viewer) -> Chart {
    let tr = v.tr;
    let m = &v.snap.model;
    let (label_w, head_h, cell_w, cell_h) = (190.0, 130.0, 64.0, 28.0);
    let width = label_w + cell_w * d.duties.len() as f64 + 40.0;
    let height = head_h + cell_h * d.matrix.len() as f64 + 4.0;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (j, duty) in d.duties.iter().enumerate() {
        let x = label_w + cell_w * j as f64 + cell_w / 2.0;
        let (label, full) = short(tr.lang().pick(&duty.title, &duty.title_en), 12);
        let mut t = Text::new(x, head_h - 6.0, label, "start", "hm-head").link(list_href(
            org,
            false,
            d.year,
            &[("duty", duty.id.clone())],
            tr,
        ));
        t.transform = Some(format!("rotate(-40 {} {})", n1(x), n1(head_h - 6.0)));
        t.title =
            Some(full.unwrap_or_else(|| tr.lang().pick(&duty.title, &duty.title_en).to_string()));
        texts.push(t);
    }
    for (i, row) in d.matrix.iter().enumerate() {
        let y = head_h + cell_h * i as f64;
        let name = if row.own {
            tr.tf("obligations.dashboard.own_row", &[("org", &row.org.name)])
        } else {
            row.org.name.clone()
        };
        let (label, full) = short(&name, 11);
        let href = if row.own {
            list_href(org, true, d.year, &[], tr)
        } else {
            href_with(
                "/dashboard",
                &[("org", row.org.code.clone()), ("year", d.year.to_string())],
                tr,
            )
        };
        let mut t =
            Text::new(label_w - 8.0, y + cell_h * 0.68, label, "end", "hm-label").link(href);
        t.title = full.or(Some(name));
        texts.push(t);
        let row_org = m.org(&row.org.id).unwrap_or(org);
        for (j, duty) in d.duties.iter().enumerate() {
            let Some(cell) = row.cells.iter().find(|c| c.duty == duty.id) else {
                continue;
            };
            let x = label_w + cell_w * j as f64;
            let href = list_href(row_org, row.own, d.year, &[("duty", duty.id.clone())], tr);
            bars.push(Bar {
                x: n1(x + 1.0),
                y: n1(y + 1.0),
                w: n1(cell_w - 2.0),
                h: n1(cell_h - 2.0),
                class: heat_class(&cell.counts).to_string(),
                href: href.clone(),
                title: format!(
                    "{} · {} · {}",
                    row.org.name,
                    tr.lang().pick(&duty.title, &duty.title_en),
                    counts_title(tr, &cell.counts)
                ),
            });
            let text = if cell.counts.overdue > 0 {
                format!("{}/{}", cell.counts.overdue, cell.counts.total)
            } else {
                format!(
                    "{}/{}",
                    cell.counts.done,
                    cell.counts.total - cell.counts.waived
                )
            };
            let class = if heat_class(&cell.counts).ends_with('3')
                || heat_class(&cell.counts).ends_with('4')
            {
                "hm-text hm-text-light"
            } else {
                "hm-text"
            };
            texts.push(
                Text::new(x + cell_w / 2.0, y + cell_h * 0.68, text, "middle", class).link(href),
            );
        }
    }
    Chart {
        width: n1(width),
        height: n1(height),
        bars,
        texts,
    }
}

/// The monthly trend: per month a bar of what fell due (by status) and a bar of what was done.
fn trend_chart(d: &Dashboard, org: &Org, tr: Tr) -> Chart {
    let (left, top, plot_h, group_w, bar_w) = (8.0, 16.0, 160.0, 50.0, 18.0);
    let max = d
        .months
        .iter()
        .map(|m| m.due.max(m.done))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = left * 2.0 + group_w * 12.0;
    let height = top + plot_h + 24.0;
    let base = top + plot_h;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (i, month) in d.months.iter().enumerate() {
        let gx = left + group_w * i as f64 + 6.0;
        // What fell due this month, stacked by status.
        let mut y = base;
        for s in STACK {
            let n = month.due_by_status.get(s);
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / max;
            y -= h;
            bars.push(Bar {
                x: n1(gx),
                y: n1(y),
                w: n1(bar_w),
                h: n1(h),
                class: format!("seg seg-{}", s.as_str()),
                href: list_href(
                    org,
                    false,
                    d.year,
                    &[
                        ("month", month.month.clone()),
                        ("status", s.as_str().to_string()),
                    ],
                    tr,
                ),
                title: tr.tf(
                    "obligations.dashboard.due_in_month",
                    &[
                        ("month", &month.month),
                        ("status", &status_name(tr, s.as_str())),
                        ("n", &n.to_string()),
                    ],
                ),
            });
        }
        if month.due > 0 {
            texts.push(
                Text::new(
                    gx + bar_w / 2.0,
                    y - 3.0,
                    month.due.to_string(),
                    "middle",
                    "chart-value",
                )
                .link(list_href(
                    org,
                    false,
                    d.year,
                    &[("month", month.month.clone())],
                    tr,
                )),
            );
        }
        // What was done this month.
        if month.done > 0 {
            let h = plot_h * month.done as f64 / max;
            let href = list_href(
                org,
                false,
                d.year,
                &[
                    ("done_month", month.month.clone()),
                    ("status", "done".into()),
                ],
                tr,
            );
            bars.push(Bar {
                x: n1(gx + bar_w + 2.0),
                y: n1(base - h),
                w: n1(bar_w),
                h: n1(h),
                class: "seg seg-completed".into(),
                href: href.clone(),
                title: tr.tf(
                    "obligations.dashboard.done_in_month",
                    &[("month", &month.month), ("n", &month.done.to_string())],
                ),
            });
            texts.push(
                Text::new(
                    gx + bar_w * 1.5 + 2.0,
                    base - h - 3.0,
                    month.done.to_string(),
                    "middle",
                    "chart-value",
                )
                .link(href),
            );
        }
        texts.push(Text::new(
            gx + bar_w + 1.0,
            base + 16.0,
            tr.t(&format!("month.{}", i + 1)),
            "middle",
            "chart-label",
        ));
    }
    Chart {
        width: n1(width),
        height: n1(height),
        bars,
        texts,
    }
}

/// A figure with its drill-down link.
pub struct Figure {
    /// Status key.
    pub status: &'static str,
    /// Label.
    pub label: String,
    /// Count.
    pub count: i64,
    /// Link to the list.
    pub href: String,
}

/// A row of the numbers table under the heat map.
pub struct CountRow {
    /// Org name.
    pub name: String,
    /// Link to the org's dashboard (children) or list (own row).
    pub href: String,
    /// The numbers with their links, total first.
    pub figures: Vec<Figure>,
}

/// A link with a label.
pub struct Link {
    /// Label.
    pub label: String,
    /// Href.
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    frame: Frame,
    tr: Tr,
    d: Dashboard,
    org_name: String,
    rate: String,
    figures: Vec<Figure>,
    total_href: String,
    completion: Chart,
    heat: Chart,
    trend: Chart,
    count_rows: Vec<CountRow>,
    parent: Option<Link>,
    prev_year: String,
    next_year: String,
    list_href: String,
    overdue_href: String,
    /// Earlier years still overdue: (text, link to their overdue list).
    earlier: Vec<Link>,
    statuses: Vec<&'static str>,
}

fn figures(
    org: &Org,
    own: bool,
    year: i32,
    c: &StatusCounts,
    tr: Tr,
    extra: &[(&'static str, String)],
) -> Vec<Figure> {
    let mut out = vec![Figure {
        status: "total",
        label: tr.t("obligations.dashboard.total").to_string(),
        count: c.total,
        href: list_href(org, own, year, extra, tr),
    }];
    for s in STATUSES {
        let mut e = extra.to_vec();
        e.push(("status", s.as_str().to_string()));
        out.push(Figure {
            status: s.as_str(),
            label: status_name(tr, s.as_str()),
            count: c.get(s),
            href: list_href(org, own, year, &e, tr),
        });
    }
    out
}

/// `GET /dashboard`
async fn dashboard_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DashboardQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (org, year) = match parse_dashboard(&v, &q, state.today()) {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let d = match dashboard(&state, &v, org, year).await {
        Ok(d) => d,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let totals = StatusCounts {
        total: d.total,
        upcoming: d.upcoming,
        due_soon: d.due_soon,
        overdue: d.overdue,
        done: d.done,
        waived: d.waived,
    };
    let count_rows = d
        .matrix
        .iter()
        .map(|r| {
            let row_org = m.org(&r.org.id).unwrap_or(org);
            CountRow {
                name: if r.own {
                    tr.tf("obligations.dashboard.own_row", &[("org", &r.org.name)])
                } else {
                    r.org.name.clone()
                },
                href: if r.own {
                    list_href(org, true, year, &[], tr)
                } else {
                    href_with(
                        "/dashboard",
                        &[("org", r.org.code.clone()), ("year", year.to_string())],
                        tr,
                    )
                },
                figures: figures(row_org, r.own, year, &r.counts, tr, &[]),
            }
        })
        .collect();
    let parent = m.parent(org).filter(|p| visible(&v, &p.id)).map(|p| Link {
        label: p.name.clone(),
        href: href_with(
            "/dashboard",
            &[("org", p.code.clone()), ("year", year.to_string())],
            tr,
        ),
    });
    let year_href = |y: i32| {
        href_with(
            "/dashboard",
            &[("org", org.code.clone()), ("year", y.to_string())],
            tr,
        )
    };
    let tpl = DashboardPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        org_name: org.name.clone(),
        rate: d
            .completion_rate
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_else(|| "—".into()),
        figures: figures(org, false, year, &totals, tr, &[])
            .into_iter()
            .skip(1)
            .collect(),
        total_href: list_href(org, false, year, &[], tr),
        completion: completion_chart(&d, org, tr),
        heat: heat_map(&d, org, &v),
        trend: trend_chart(&d, org, tr),
        count_rows,
        parent,
        prev_year: year_href(year - 1),
        next_year: year_href(year + 1),
        list_href: list_href(org, false, year, &[], tr),
        overdue_href: list_href(org, false, year, &[("status", "overdue".into())], tr),
        earlier: d
            .earlier_overdue
            .iter()
            .map(|e| Link {
                href: list_href(org, false, e.year, &[("status", "overdue".into())], tr),
                label: tr.tf(
                    "obligations.dashboard.earlier_overdue",
                    &[("year", &e.year.to_string()), ("n", &e.overdue.to_string())],
                ),
            })
            .collect(),
        statuses: STATUSES.iter().map(|s| s.as_str()).collect(),
        d,
    };
    page(StatusCode::OK, &tpl)
}

// ------------------------------------------------------------------------------------------
// UI strings
// ------------------------------------------------------------------------------------------

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("obligations.title", "待办事项"),
    ("obligations.lead", "{year} 年 · {scope} · 共 {total} 项"),
    ("obligations.lead.scope", "权限范围内全部组织"),
    ("obligations.lead.subtree", "{org}及下级组织"),
    ("obligations.lead.own", "仅{org}本级"),
    ("obligations.filter", "筛选"),
    ("obligations.filter.org", "组织代码"),
    ("obligations.filter.own", "仅本级"),
    ("obligations.filter.year", "年度"),
    ("obligations.filter.status", "状态"),
    ("obligations.filter.duty", "规定动作"),
    ("obligations.filter.month", "到期月份"),
    ("obligations.filter.sort", "排序"),
    ("obligations.filter.any", "全部"),
    ("obligations.filter.apply", "筛选"),
    ("obligations.filter.reset", "清除条件"),
    ("obligations.sort.due", "按期限（最早在前）"),
    ("obligations.sort.-due", "按期限（最晚在前）"),
    ("obligations.sort.org", "按组织"),
    ("obligations.sort.duty", "按规定动作"),
    ("obligations.sort.status", "按状态"),
    ("obligations.col.item", "事项"),
    ("obligations.col.subject", "对象"),
    ("obligations.col.org", "组织"),
    ("obligations.col.article", "条款"),
    ("obligations.col.due", "期限"),
    ("obligations.col.status", "状态"),
    ("obligations.col.responsible", "责任人（到期日）"),
    ("obligations.empty", "没有符合条件的事项。"),
    ("obligations.pages", "分页"),
    ("obligations.prev", "上一页"),
    ("obligations.next", "下一页"),
    ("obligations.page", "第 {page} 页，共 {pages} 页"),
    ("obligations.now", "现由{name}负责"),
    ("obligations.vacant", "空缺"),
    ("obligations.nobody", "无人任职"),
    ("obligations.to_dashboard", "统计看板"),
    ("obligations.item.subject", "对象"),
    ("obligations.item.org", "责任组织"),
    ("obligations.item.article", "依据条款"),
    ("obligations.item.period", "周期"),
    ("obligations.item.due", "期限"),
    ("obligations.item.status", "状态"),
    ("obligations.item.completed", "完成日期"),
    ("obligations.item.key", "编号"),
    ("obligations.item.version", "版本"),
    ("obligations.item.responsible", "谁负责"),
    (
        "obligations.item.responsible_at",
        "{due}（到期日）由{name}负责",
    ),
    ("obligations.item.post", "职务：{post}"),
    (
        "obligations.item.vacant",
        "当日直接负责的职务空缺，责任上移。",
    ),
    (
        "obligations.item.overdue_note",
        "该事项已逾期：到期时的责任人为{name}。",
    ),
    ("obligations.item.today", "现在（{today}）由{name}负责。"),
    ("obligations.item.first", "第一责任人：{name}"),
    ("obligations.item.chain", "理由"),
    (
        "obligations.item.nobody",
        "到期日无人负责（职务空缺，且无第一责任人）。",
    ),
    ("obligations.item.evidence", "佐证材料"),
    ("obligations.item.no_evidence", "尚未挂接佐证材料。"),
    (
        "obligations.item.withdrawn",
        "该事项已撤销：制度已不再要求它（例如对象已关闭、任职已更正）。记录保留备查，不计入统计、提醒和日历。",
    ),
    ("obligations.item.linked", "{by} 于 {at} 挂接"),
    ("obligations.item.record", "登记佐证材料"),
    (
        "obligations.item.record_lead",
        "登记下列材料之一即可完成本事项：",
    ),
    (
        "obligations.item.record_more",
        "本事项已完成；如有补充材料，可继续登记：",
    ),
    ("obligations.waiver", "免于履行"),
    (
        "obligations.waiver.lead",
        "确因客观原因无需履行的，写明理由，经第一责任人批准后免于履行。",
    ),
    ("obligations.waiver.reason", "理由"),
    ("obligations.waiver.request", "提交免于履行申请"),
    ("obligations.waiver.direct", "批准免于履行"),
    (
        "obligations.waiver.direct_note",
        "您是本组织的第一责任人，提交后立即生效。",
    ),
    ("obligations.waiver.note", "批示意见（可不填）"),
    ("obligations.waiver.approve", "批准"),
    ("obligations.waiver.reject", "不批准"),
    (
        "obligations.waiver.pending_note",
        "有一项待第一责任人审批的申请。",
    ),
    ("obligations.waiver.history", "申请记录"),
    ("obligations.waiver.requested", "{name} 于 {at} 申请"),
    ("obligations.waiver.decided", "{name} 于 {at} 决定"),
    ("obligations.waiver.state.pending", "待审批"),
    ("obligations.waiver.state.approved", "已批准"),
    ("obligations.waiver.state.rejected", "未批准"),
    ("obligations.error.field", "{field}：{message}"),
    ("obligations.error.not_found", "未找到编号为“{id}”的事项。"),
    ("obligations.error.not_found.title", "未找到"),
    (
        "obligations.error.org_not_found",
        "未找到“{id}”对应的组织。",
    ),
    ("obligations.error.input.title", "输入有误"),
    ("obligations.error.year", "请填写 2000 至 2100 之间的年份"),
    ("obligations.error.month", "请按 YYYY-MM 填写月份"),
    ("obligations.error.own", "只能是 1 或 0"),
    (
        "obligations.error.status",
        "状态只能是 upcoming、due_soon、overdue、done、waived",
    ),
    ("obligations.error.duty", "现行制度中没有这项规定动作"),
    (
        "obligations.error.sort",
        "排序只能是 due、-due、org、duty、status",
    ),
    ("obligations.error.page", "页码须为正整数"),
    ("obligations.error.version", "缺少版本号"),
    ("obligations.error.reason_empty", "请填写理由"),
    ("obligations.error.too_long", "不能超过 2000 字"),
    ("obligations.error.not_open", "该事项已完成或已免于履行"),
    ("obligations.error.pending", "已有待审批的免于履行申请"),
    ("obligations.error.no_pending", "没有待审批的免于履行申请"),
    (
        "obligations.error.conflict",
        "该事项已被他人修改（您看到的是第 {expected} 版，当前为第 {actual} 版），请刷新后重试。",
    ),
    (
        "obligations.error.changed",
        "该事项刚刚发生了变化，请刷新后重试。",
    ),
    ("obligations.dashboard.title", "统计看板"),
    ("obligations.dashboard.heading", "{org} · {year} 年"),
    (
        "obligations.dashboard.lead",
        "截至 {today}，本组织及下级组织的规定动作完成情况。",
    ),
    ("obligations.dashboard.up", "上级"),
    ("obligations.dashboard.prev_year", "上一年"),
    ("obligations.dashboard.next_year", "下一年"),
    ("obligations.dashboard.total", "合计"),
    ("obligations.dashboard.rate", "完成率"),
    (
        "obligations.dashboard.rate_note",
        "已完成 ÷（合计 − 免于履行）",
    ),
    ("obligations.dashboard.completion", "完成情况"),
    ("obligations.dashboard.heat", "组织 × 规定动作"),
    (
        "obligations.dashboard.heat_lead",
        "每格为“已完成/应完成”，有逾期时为“逾期/合计”并标红。点击查看明细。",
    ),
    ("obligations.dashboard.trend", "逐月情况"),
    (
        "obligations.dashboard.trend_lead",
        "左柱为当月到期的事项（按状态着色），右柱为当月完成的事项。",
    ),
    ("obligations.dashboard.overdue", "逾期事项"),
    (
        "obligations.dashboard.overdue_more",
        "查看全部 {n} 项逾期事项",
    ),
    ("obligations.dashboard.no_overdue", "没有逾期事项。"),
    (
        "obligations.dashboard.earlier_overdue",
        "{year} 年度仍有 {n} 项逾期未完成（跨年度继续追办）",
    ),
    ("obligations.dashboard.numbers", "分组织数字"),
    ("obligations.dashboard.own_row", "{org}（本级）"),
    ("obligations.dashboard.nothing", "本年度没有事项"),
    ("obligations.dashboard.list", "查看全部事项"),
    (
        "obligations.dashboard.due_in_month",
        "{month} 到期、{status}：{n} 项",
    ),
    (
        "obligations.dashboard.done_in_month",
        "{month} 完成：{n} 项",
    ),
    ("obligations.dashboard.legend.completed", "当月完成"),
    ("obligations.dashboard.legend", "图例"),
    ("obligations.dashboard.col.org", "组织"),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("obligations.title", "Obligations"),
    ("obligations.lead", "{year} · {scope} · {total} in all"),
    ("obligations.lead.scope", "every org in your scope"),
    ("obligations.lead.subtree", "{org} and the orgs below it"),
    ("obligations.lead.own", "{org} itself only"),
    ("obligations.filter", "Filter"),
    ("obligations.filter.org", "Org code"),
    ("obligations.filter.own", "This org only"),
    ("obligations.filter.year", "Year"),
    ("obligations.filter.status", "Status"),
    ("obligations.filter.duty", "Duty"),
    ("obligations.filter.month", "Due month"),
    ("obligations.filter.sort", "Order"),
    ("obligations.filter.any", "All"),
    ("obligations.filter.apply", "Filter"),
    ("obligations.filter.reset", "Clear"),
    ("obligations.sort.due", "Due date, earliest first"),
    ("obligations.sort.-due", "Due date, latest first"),
    ("obligations.sort.org", "Org"),
    ("obligations.sort.duty", "Duty"),
    ("obligations.sort.status", "Status"),
    ("obligations.col.item", "Obligation"),
    ("obligations.col.subject", "Subject"),
    ("obligations.col.org", "Org"),
    ("obligations.col.article", "Article"),
    ("obligations.col.due", "Due"),
    ("obligations.col.status", "Status"),
    (
        "obligations.col.responsible",
        "Responsible (on the due date)",
    ),
    ("obligations.empty", "No obligation matches."),
    ("obligations.pages", "Pages"),
    ("obligations.prev", "Previous"),
    ("obligations.next", "Next"),
    ("obligations.page", "Page {page} of {pages}"),
    ("obligations.now", "now {name}"),
    ("obligations.vacant", "vacant"),
    ("obligations.nobody", "nobody"),
    ("obligations.to_dashboard", "Dashboard"),
    ("obligations.item.subject", "Subject"),
    ("obligations.item.org", "Owed by"),
    ("obligations.item.article", "Article"),
    ("obligations.item.period", "Period"),
    ("obligations.item.due", "Due"),
    ("obligations.item.status", "Status"),
    ("obligations.item.completed", "Done on"),
    ("obligations.item.key", "Key"),
    ("obligations.item.version", "Version"),
    ("obligations.item.responsible", "Who is responsible"),
    (
        "obligations.item.responsible_at",
        "On {due} (the due date): {name}",
    ),
    ("obligations.item.post", "Post: {post}"),
    (
        "obligations.item.vacant",
        "The directly responsible post was vacant that day; responsibility passed up.",
    ),
    (
        "obligations.item.overdue_note",
        "This obligation is overdue: {name} was responsible when it fell due.",
    ),
    (
        "obligations.item.today",
        "Now ({today}) {name} is responsible.",
    ),
    ("obligations.item.first", "First responsible person: {name}"),
    ("obligations.item.chain", "Why"),
    (
        "obligations.item.nobody",
        "Nobody was responsible on the due date (the post was vacant and there was no first responsible person).",
    ),
    ("obligations.item.evidence", "Evidence"),
    (
        "obligations.item.withdrawn",
        "Withdrawn: the policy no longer requires this obligation (its subject closed, a holding was corrected…). It is kept for the record and left out of counts, reminders and calendars.",
    ),
    ("obligations.item.no_evidence", "No evidence linked yet."),
    ("obligations.item.linked", "linked by {by} on {at}"),
    ("obligations.item.record", "Record evidence"),
    (
        "obligations.item.record_lead",
        "Recording one of these discharges this obligation:",
    ),
    (
        "obligations.item.record_more",
        "This obligation is done; further evidence can still be recorded:",
    ),
    ("obligations.waiver", "Waiver"),
    (
        "obligations.waiver.lead",
        "When an obligation truly need not be met, give the reason; it is waived once the first responsible person approves.",
    ),
    ("obligations.waiver.reason", "Reason"),
    ("obligations.waiver.request", "Ask for a waiver"),
    ("obligations.waiver.direct", "Waive"),
    (
        "obligations.waiver.direct_note",
        "You are the org's first responsible person: it takes effect at once.",
    ),
    ("obligations.waiver.note", "Note (optional)"),
    ("obligations.waiver.approve", "Approve"),
    ("obligations.waiver.reject", "Reject"),
    (
        "obligations.waiver.pending_note",
        "A request awaits the first responsible person's decision.",
    ),
    ("obligations.waiver.history", "Requests"),
    ("obligations.waiver.requested", "asked by {name} on {at}"),
    ("obligations.waiver.decided", "decided by {name} on {at}"),
    ("obligations.waiver.state.pending", "pending"),
    ("obligations.waiver.state.approved", "approved"),
    ("obligations.waiver.state.rejected", "rejected"),
    ("obligations.error.field", "{field}: {message}"),
    (
        "obligations.error.not_found",
        "There is no obligation “{id}”.",
    ),
    ("obligations.error.not_found.title", "Not found"),
    (
        "obligations.error.org_not_found",
        "There is no organisation “{id}”.",
    ),
    ("obligations.error.input.title", "Invalid input"),
    ("obligations.error.year", "give a year from 2000 to 2100"),
    ("obligations.error.month", "give the month as YYYY-MM"),
    ("obligations.error.own", "must be 1 or 0"),
    (
        "obligations.error.status",
        "the status is one of upcoming, due_soon, overdue, done, waived",
    ),
    (
        "obligations.error.duty",
        "the policy in force has no such duty",
    ),
    (
        "obligations.error.sort",
        "the order is one of due, -due, org, duty, status",
    ),
    ("obligations.error.page", "the page is a positive number"),
    ("obligations.error.version", "the version is missing"),
    ("obligations.error.reason_empty", "give the reason"),
    ("obligations.error.too_long", "at most 2000 characters"),
    (
        "obligations.error.not_open",
        "the obligation is already done or waived",
    ),
    (
        "obligations.error.pending",
        "a waiver request is already pending",
    ),
    (
        "obligations.error.no_pending",
        "there is no pending waiver request",
    ),
    (
        "obligations.error.conflict",
        "Someone changed this obligation (you saw version {expected}, it is now {actual}); reload and try again.",
    ),
    (
        "obligations.error.changed",
        "The obligation has just changed; reload and try again.",
    ),
    ("obligations.dashboard.title", "Dashboard"),
    ("obligations.dashboard.heading", "{org} · {year}"),
    (
        "obligations.dashboard.lead",
        "How the duties of this org and the orgs below it stand on {today}.",
    ),
    ("obligations.dashboard.up", "Up"),
    ("obligations.dashboard.prev_year", "Previous year"),
    ("obligations.dashboard.next_year", "Next year"),
    ("obligations.dashboard.total", "Total"),
    ("obligations.dashboard.rate", "Completion"),
    ("obligations.dashboard.rate_note", "done ÷ (total − waived)"),
    ("obligations.dashboard.completion", "Completion"),
    ("obligations.dashboard.heat", "Org × duty"),
    (
        "obligations.dashboard.heat_lead",
        "Each cell shows done/owed, or overdue/total in red when any is overdue. Click for the list.",
    ),
    ("obligations.dashboard.trend", "Month by month"),
    (
        "obligations.dashboard.trend_lead",
        "Left bar: obligations due that month, by status. Right bar: obligations done that month.",
    ),
    ("obligations.dashboard.overdue", "Overdue"),
    (
        "obligations.dashboard.overdue_more",
        "See all {n} overdue obligations",
    ),
    ("obligations.dashboard.no_overdue", "Nothing is overdue."),
    (
        "obligations.dashboard.earlier_overdue",
        "{n} obligations of {year} are still overdue (they stay owed after the year ends)",
    ),
    ("obligations.dashboard.numbers", "Numbers by org"),
    ("obligations.dashboard.own_row", "{org} (itself)"),
    ("obligations.dashboard.nothing", "No obligations this year"),
    ("obligations.dashboard.list", "See every obligation"),
    (
        "obligations.dashboard.due_in_month",
        "{month}, due, {status}: {n}",
    ),
    ("obligations.dashboard.done_in_month", "{month}, done: {n}"),
    ("obligations.dashboard.legend.completed", "Done that month"),
    ("obligations.dashboard.legend", "Legend"),
    ("obligations.dashboard.col.org", "Org"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_with_the_full_text_kept() {
        assert_eq!(short("短", 5), ("短".to_string(), None));
        let (s, full) = short("党员领导干部网络意识形态工作教育培训", 6);
        assert_eq!(s, "党员领导干…");
        assert_eq!(
            full.as_deref(),
            Some("党员领导干部网络意识形态工作教育培训")
        );
    }

    #[test]
    fn heat_classes() {
        let mut c = StatusCounts::default();
        assert_eq!(heat_class(&c), "hm hm-none");
        c.add(ObligationStatus::Done, 4);
        assert_eq!(heat_class(&c), "hm hm-ok4");
        c.add(ObligationStatus::Overdue, 1);
        assert_eq!(heat_class(&c), "hm hm-bad1");
        c.add(ObligationStatus::Overdue, 5);
        assert_eq!(heat_class(&c), "hm hm-bad3");
    }

    #[test]
    fn links_keep_the_language() {
        let tr = Tr::new(zeren_core::Lang::En);
        assert_eq!(
            href_with(
                "/obligations",
                &[("org", "cqu-mse".into()), ("duty", String::new())],
                tr
            ),
            "/obligations?org=cqu-mse&lang=en"
        );
    }
}
