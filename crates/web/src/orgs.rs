//! Orgs, people, posts and handovers, and "who was responsible" (Art.3): the pages and the
//! JSON API.
//!
//! Reads come from the viewer's in-memory snapshot of the org model, so scope checks are
//! nearly free; writes go through storage, which audits them. Every org, post or person that
//! lies outside the viewer's scope answers exactly like one that does not exist (404), so
//! nothing leaks about other orgs; administrators hold no business permission (403).

use crate::AppState;
use crate::api::require;
use crate::auth::{ApiViewer, PageViewer, Viewer, encode, redirect};
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
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use zeren_core::Citation;
use zeren_core::access::Permission;
use zeren_core::org::{
    Holding, HoldingError, Org, OrgModel, Person, Platform, Post, plan_handover,
};
use zeren_core::period::sub_days;
use zeren_core::policy::PolicyPack;
use zeren_core::responsibility::{Answer, Reason, ResolveError, Target, resolve};
use zeren_core::vocab::{OrgKind, PlatformKind};
use zeren_storage::{NewOrg, StorageError};

/// Rows per page of every list, on pages and in the API.
pub const PER_PAGE: usize = 50;

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

const LIST_QUERY: &[(&str, &str)] = &[
    ("sort", "name | code (default code)"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const PEOPLE_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id: people of its subtree"),
    ("q", "Part of the name"),
    ("sort", "name (default) | code (org code)"),
    ("page", "Page number, from 1; 50 rows a page"),
];

const WHO_QUERY: &[(&str, &str)] = &[
    ("org", "Org code or id"),
    ("duty", "Duty id of the policy pack"),
    ("portfolio", "Portfolio id (instead of a duty)"),
    ("platform", "Platform code, for duties owed per platform"),
    ("at", "Day, YYYY-MM-DD (default today)"),
];

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/orgs",
            Describe::auth("orgs", "The org tree within the caller's scope").query(LIST_QUERY),
            orgs_page,
        )
        .get(
            "/orgs/{code}",
            Describe::auth(
                "orgs",
                "One org: posts, holders past and present, platforms",
            )
            .query(LIST_QUERY),
            org_page,
        )
        .get(
            "/orgs/{code}/posts/{post_id}/handover",
            Describe::auth("orgs", "Handover form of a single-holder post"),
            handover_form,
        )
        .post(
            "/orgs/{code}/posts/{post_id}/handover",
            Describe::auth("orgs", "Hand a post over"),
            handover_submit,
        )
        .get(
            "/people",
            Describe::auth("people", "People within the caller's scope").query(PEOPLE_QUERY),
            people_page,
        )
        .get(
            "/who",
            Describe::auth("responsibility", "Who was responsible: form and answer")
                .query(WHO_QUERY),
            who_page,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/orgs",
            Describe::auth("orgs", "Orgs within the caller's scope, parents before children")
                .query(&[
                    ("q", "Part of the name or code"),
                    ("sort", "name | code (default code)"),
                    ("page", "Page number, from 1; 50 rows a page"),
                ]),
            api_orgs,
        )
        .post(
            "/orgs",
            Describe::auth(
                "orgs",
                "Create an org under a parent the caller manages: {code, name, kind, parent}",
            ),
            api_create_org,
        )
        .get(
            "/orgs/{id}",
            Describe::auth(
                "orgs",
                "One org (id or code) with its version, children, posts and current holders",
            ),
            api_org,
        )
        .patch(
            "/orgs/{id}",
            Describe::auth(
                "orgs",
                "Rename or close an org: {version, name?, closed_on?}; 409 on a stale version",
            ),
            api_update_org,
        )
        .get(
            "/people",
            Describe::auth("people", "People within the caller's scope").query(PEOPLE_QUERY),
            api_people,
        )
        .post(
            "/people",
            Describe::auth("people", "Add a person to an org the caller manages: {name, org}"),
            api_create_person,
        )
        .get(
            "/posts",
            Describe::auth("orgs", "Posts with their current holders").query(&[
                ("org", "Org code or id (default: every org in scope)"),
                ("page", "Page number, from 1; 50 rows a page"),
            ]),
            api_posts,
        )
        .get(
            "/holdings",
            Describe::auth("orgs", "The holding history of a post, oldest first").query(&[
                ("post", "Post id (required)"),
                ("page", "Page number, from 1; 50 rows a page"),
            ]),
            api_holdings,
        )
        .post(
            "/posts/{id}/handover",
            Describe::auth(
                "orgs",
                "Hand a single-holder post over: {person, on}; answers both holdings",
            ),
            api_handover,
        )
        .get(
            "/responsibility",
            Describe::auth(
                "responsibility",
                "Who was responsible for a duty or portfolio in an org on a day, with the chain of reasons",
            )
            .query(WHO_QUERY),
            api_responsibility,
        )
}

// ------------------------------------------------------------------------------------------
// Scope, sorting, paging
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

/// A post, if it exists and its org is within the viewer's scope.
fn find_visible_post<'a>(v: &'a Viewer, id: &str) -> Option<(&'a Post, &'a Org)> {
    let m = &v.snap.model;
    let post = m.post(id.trim())?;
    let org = m.org(&post.org)?;
    visible(v, &org.id).then_some((post, org))
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    Code,
}

impl Sort {
    fn parse(s: Option<&str>) -> Option<Sort> {
        match s.map(str::trim) {
            Some("name") => Some(Sort::Name),
            Some("code") => Some(Sort::Code),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Code => "code",
        }
    }
}

fn sort_orgs(orgs: &mut [&Org], sort: Sort) {
    match sort {
        Sort::Name => orgs.sort_by(|a, b| (&a.name, &a.code).cmp(&(&b.name, &b.code))),
        Sort::Code => orgs.sort_by(|a, b| a.code.cmp(&b.code)),
    }
}

/// The tops of the viewer's read scope: role orgs not inside another role's org.
fn scope_roots(v: &Viewer) -> Vec<&Org> {
    let m = &v.snap.model;
    let mut roots: Vec<&Org> = v
        .principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .filter_map(|id| m.org(id))
        .collect();
    roots.sort_by(|a, b| a.id.cmp(&b.id));
    roots.dedup_by(|a, b| a.id == b.id);
    let ids: Vec<&str> = roots.iter().map(|o| o.id.as_str()).collect();
    roots
        .iter()
        .filter(|o| !ids.iter().any(|r| *r != o.id && m.is_within(&o.id, r)))
        .copied()
        .collect()
}

/// Every org the viewer may read, parents before children, with its depth in the shown tree.
fn visible_tree(v: &Viewer, sort: Sort) -> Vec<(usize, &Org)> {
    let m = &v.snap.model;
    let mut roots = scope_roots(v);
    sort_orgs(&mut roots, sort);
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &Org)> = roots.into_iter().rev().map(|o| (0, o)).collect();
    while let Some((depth, o)) = stack.pop() {
        out.push((depth, o));
        // A damaged tree (a cycle) must not loop for ever.
        if out.len() > m.orgs().len() {
            break;
        }
        let mut kids: Vec<&Org> = m.children(&o.id).collect();
        sort_orgs(&mut kids, sort);
        stack.extend(kids.into_iter().rev().map(|k| (depth + 1, k)));
    }
    out
}

/// The 1-based page asked for; `None` when it is not a positive number.
fn parse_page(s: Option<&str>) -> Option<usize> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(1),
        Some(s) => s.parse::<usize>().ok().filter(|n| *n >= 1),
    }
}

/// The rows of one page.
fn page_of<T>(all: &[T], page: usize) -> &[T] {
    let start = page
        .saturating_sub(1)
        .saturating_mul(PER_PAGE)
        .min(all.len());
    let end = start.saturating_add(PER_PAGE).min(all.len());
    &all[start..end]
}

/// Builds `path?k=v&…` from the non-empty parameters, keeping an explicit language choice.
fn href_with(path: &str, params: &[(&str, &str)], tr: Tr) -> String {
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

/// The link to an org's page.
fn org_href(code: &str, tr: Tr) -> String {
    format!("/orgs/{}{}", encode(code), tr.qs())
}

/// Page navigation under a list.
pub struct Pager {
    /// This page, from 1.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Rows in the whole list.
    pub total: usize,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    fn new(path: &str, params: &[(&str, &str)], page: usize, total: usize, tr: Tr) -> Pager {
        let pages = total.div_ceil(PER_PAGE).max(1);
        let link = |n: usize| {
            let n = n.to_string();
            let mut p: Vec<(&str, &str)> = params.to_vec();
            p.push(("page", &n));
            href_with(path, &p, tr)
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn several(&self) -> bool {
        self.pages > 1
    }

    /// "Page 2 of 3, 120 rows".
    pub fn label(&self, tr: &Tr) -> String {
        tr.tf(
            "orgs.page",
            &[
                ("page", &self.page.to_string()),
                ("pages", &self.pages.to_string()),
                ("total", &self.total.to_string()),
            ],
        )
    }
}

// ------------------------------------------------------------------------------------------
// Names in the user's language
// ------------------------------------------------------------------------------------------

fn org_kind_name(tr: Tr, k: OrgKind) -> String {
    tr.t(&format!("orgs.kind.{}", k.as_str())).to_string()
}

fn platform_kind_name(tr: Tr, k: PlatformKind) -> String {
    tr.t(&format!("orgs.platform_kind.{}", k.as_str()))
        .to_string()
}

fn post_kind_name(tr: Tr, pack: &PolicyPack, kind: &str) -> String {
    pack.post_kind(kind)
        .map(|k| tr.lang().pick(&k.name, &k.name_en).to_string())
        .unwrap_or_else(|| kind.to_string())
}

fn portfolio_name(tr: Tr, pack: &PolicyPack, id: &str) -> String {
    pack.portfolio(id)
        .map(|p| tr.lang().pick(&p.name, &p.name_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

fn person_name(m: &OrgModel, id: &str) -> String {
    m.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn single_holder(pack: &PolicyPack, post: &Post) -> bool {
    pack.post_kind(&post.kind).is_some_and(|k| k.single_holder)
}

/// Posts of an org in the pack's order of post kinds, then by title.
fn posts_in_order<'a>(m: &'a OrgModel, pack: &PolicyPack, org: &str) -> Vec<&'a Post> {
    let rank = |kind: &str| {
        pack.post_kinds
            .iter()
            .position(|k| k.id == kind)
            .unwrap_or(usize::MAX)
    };
    let mut posts: Vec<&Post> = m.posts_of(org).collect();
    posts.sort_by(|a, b| (rank(&a.kind), &a.title, &a.id).cmp(&(rank(&b.kind), &b.title, &b.id)));
    posts
}

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

fn forbidden_page(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::Forbidden,
        "error.forbidden.title",
        tr.t("error.forbidden").to_string(),
    )
}

/// The same page for an org that does not exist and one outside the viewer's scope.
fn org_not_found_page(tr: Tr, code: &str) -> Response {
    error_page(
        tr,
        ErrorCode::NotFound,
        "orgs.not_found.title",
        tr.tf("orgs.not_found", &[("id", code)]),
    )
}

fn post_not_found_page(tr: Tr, id: &str) -> Response {
    error_page(
        tr,
        ErrorCode::NotFound,
        "orgs.not_found.title",
        tr.tf("orgs.post_not_found", &[("id", id)]),
    )
}

fn storage_page(tr: Tr, err: &StorageError) -> Response {
    let code = classify(err, ErrorCode::NotFound);
    let title = match code {
        ErrorCode::DatabaseUnavailable => "error.database_unavailable.title",
        _ => "error.internal.title",
    };
    error_page(tr, code, title, generic_message(tr, code))
}

/// The 403 page for anyone who may read no org at all (the administrators, among others).
fn read_gate_page(v: &Viewer) -> Option<Response> {
    (!v.principal.can_somewhere(Permission::ReadOrg)).then(|| forbidden_page(v.tr))
}

fn invalid(tr: Tr, field: &str, message: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Validation,
        tr.tf(
            "orgs.error.field",
            &[("field", field), ("message", message)],
        ),
    )
}

fn not_found(tr: Tr, field: &str, id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        tr.tf("orgs.error.not_found", &[("field", field), ("id", id)]),
    )
}

/// A storage failure, with the domain's conflicts told in the user's language.
fn from_storage(tr: Tr, err: StorageError, id: &str) -> ApiError {
    match err {
        StorageError::Conflict {
            expected, actual, ..
        } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf(
                "orgs.error.conflict",
                &[
                    ("expected", &expected.to_string()),
                    ("actual", &actual.to_string()),
                ],
            ),
        ),
        StorageError::Duplicate { key, .. } => ApiError::new(
            ErrorCode::Conflict,
            tr.tf("orgs.error.duplicate", &[("key", &key)]),
        ),
        err => ApiError::from_storage(err, tr, ErrorCode::NotFound, id),
    }
}

/// The field a body rejection is about, read from serde's message
/// (`missing field `x``, or `x: invalid type …` with the path first).
fn rejected_field(text: &str) -> String {
    if let Some(rest) = text.split("field `").nth(1)
        && let Some(name) = rest.split('`').next()
    {
        return name.to_string();
    }
    if let Some(rest) = text.split("target type: ").nth(1)
        && let Some((path, _)) = rest.split_once(": ")
        && !path.contains(' ')
    {
        return path.to_string();
    }
    "body".to_string()
}

fn json_body<T>(tr: Tr, body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    match body {
        Ok(Json(b)) => Ok(b),
        Err(e) => {
            let text = e.body_text();
            let field = rejected_field(&text);
            Err(ApiError::new(
                ErrorCode::Validation,
                tr.tf("orgs.error.body", &[("field", &field), ("detail", &text)]),
            ))
        }
    }
}

fn query_of<T: Default>(tr: Tr, q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf(
                "orgs.error.body",
                &[("field", "query"), ("detail", &e.body_text())],
            ),
        )
    })
}

fn path_of<T>(tr: Tr, p: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    p.map(|Path(p)| p).map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", &e.body_text())]),
        )
    })
}

fn api_page(tr: Tr, s: Option<&str>) -> Result<usize, ApiError> {
    parse_page(s).ok_or_else(|| invalid(tr, "page", tr.t("orgs.error.page")))
}

fn api_sort(tr: Tr, s: Option<&str>, default: Sort) -> Result<Sort, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(x) => Sort::parse(Some(x)).ok_or_else(|| invalid(tr, "sort", tr.t("orgs.error.sort"))),
    }
}

/// Reads a `YYYY-MM-DD` day.
fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

// ------------------------------------------------------------------------------------------
// Pages: the org tree
// ------------------------------------------------------------------------------------------

/// One org in the nested tree. The counts say which list tags come before it, so a page that
/// starts deep in the tree still nests correctly.
pub struct TreeRow {
    /// Close the previous item's `<li>`.
    pub close_li: bool,
    /// Levels to close (`</ul></li>`) after that.
    pub up: usize,
    /// Open a child list inside the previous item.
    pub open_ul: bool,
    /// Levels to open with an empty item, for a page starting below its first level.
    pub cont: usize,
    /// Org name.
    pub name: String,
    /// Org code.
    pub code: String,
    /// Kind, in the user's language.
    pub kind: String,
    /// Link to the org's page.
    pub href: String,
    /// Closed on, if it was.
    pub closed: Option<String>,
}

/// How the nested lists open and close around each row, for rows at these depths.
fn nesting(depths: &[usize]) -> (Vec<(bool, usize, bool, usize)>, usize) {
    let base = depths.iter().copied().min().unwrap_or(0);
    let mut cur = 0usize;
    let mut li_open = false;
    let mut out = Vec::with_capacity(depths.len());
    for d in depths {
        let r = d - base;
        let (mut close_li, mut up, mut open_ul, mut cont) = (false, 0, false, 0);
        if li_open && r > cur {
            open_ul = true;
            cur += 1;
        } else if li_open {
            close_li = true;
            while cur > r {
                up += 1;
                cur -= 1;
            }
        }
        while cur < r {
            cont += 1;
            cur += 1;
        }
        li_open = true;
        out.push((close_li, up, open_ul, cont));
    }
    (out, cur)
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    frame: Frame,
    tr: Tr,
    rows: Vec<TreeRow>,
    tail: usize,
    sort: &'static str,
    sort_name_href: String,
    sort_code_href: String,
    pager: Pager,
}

/// Query of the list pages.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    sort: Option<String>,
    page: Option<String>,
    q: Option<String>,
    org: Option<String>,
}

/// `GET /orgs` — the org tree within the viewer's scope.
async fn orgs_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Code);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let tree = visible_tree(&v, sort);
    let shown = page_of(&tree, page_no);
    let depths: Vec<usize> = shown.iter().map(|(d, _)| *d).collect();
    let (marks, tail) = nesting(&depths);
    let rows = shown
        .iter()
        .zip(marks)
        .map(|((_, o), (close_li, up, open_ul, cont))| TreeRow {
            close_li,
            up,
            open_ul,
            cont,
            name: o.name.clone(),
            code: o.code.clone(),
            kind: org_kind_name(tr, o.kind),
            href: org_href(&o.code, tr),
            closed: o.closed_on.map(date),
        })
        .collect();
    page(
        StatusCode::OK,
        &OrgsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows,
            tail,
            sort: sort.as_str(),
            sort_name_href: href_with("/orgs", &[("sort", "name")], tr),
            sort_code_href: href_with("/orgs", &[("sort", "code")], tr),
            pager: Pager::new("/orgs", &[("sort", sort.as_str())], page_no, tree.len(), tr),
        },
    )
}

// ------------------------------------------------------------------------------------------
// Pages: one org
// ------------------------------------------------------------------------------------------

/// A link with a label.
pub struct Link {
    /// Label.
    pub label: String,
    /// Target.
    pub href: String,
    /// A second line (code, kind).
    pub sub: String,
}

/// One holding as shown.
pub struct HolderView {
    /// Person.
    pub name: String,
    /// From.
    pub start: String,
    /// To, if ended.
    pub end: Option<String>,
}

/// One post of the org.
pub struct PostView {
    /// Post id (the `id` attribute of its row).
    pub id: String,
    /// Title as the org writes it.
    pub title: String,
    /// Kind from the pack.
    pub kind: String,
    /// Portfolios, names from the pack.
    pub portfolios: Vec<String>,
    /// Holders today.
    pub current: Vec<HolderView>,
    /// Earlier (and later) holders, newest first.
    pub history: Vec<HolderView>,
    /// The handover form, for viewers who manage the org.
    pub handover: Option<String>,
}

/// One platform of the org.
pub struct PlatformView {
    /// Name.
    pub name: String,
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: String,
    /// Portfolio.
    pub portfolio: Option<String>,
    /// Operators' names.
    pub operators: Vec<String>,
    /// Has news/opinion functions.
    pub news: bool,
    /// Closed on, if it was.
    pub closed: Option<String>,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    frame: Frame,
    tr: Tr,
    name: String,
    code: String,
    kind: String,
    established: Option<String>,
    closed: Option<String>,
    parent: Option<Link>,
    children: Vec<Link>,
    pager: Pager,
    posts: Vec<PostView>,
    platforms: Vec<PlatformView>,
    today: String,
    who_href: String,
    people_href: String,
}

fn holder_view(m: &OrgModel, h: &Holding) -> HolderView {
    HolderView {
        name: person_name(m, &h.person),
        start: date(h.start),
        end: h.end.map(date),
    }
}

/// `GET /orgs/{code}` — one org.
async fn org_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let Some(org) = find_visible(&v, &code) else {
        return org_not_found_page(tr, &code);
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Code);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let manage = v.can(Permission::ManageOrg, Some(&org.id));
    let parent = m.parent(org).filter(|p| visible(&v, &p.id)).map(|p| Link {
        label: p.name.clone(),
        href: org_href(&p.code, tr),
        sub: p.code.clone(),
    });
    let mut kids: Vec<&Org> = m.children(&org.id).collect();
    sort_orgs(&mut kids, sort);
    let children = page_of(&kids, page_no)
        .iter()
        .map(|c| Link {
            label: c.name.clone(),
            href: org_href(&c.code, tr),
            sub: format!("{} · {}", c.code, org_kind_name(tr, c.kind)),
        })
        .collect();
    let posts = posts_in_order(m, pack, &org.id)
        .into_iter()
        .map(|p| {
            let (current, mut history): (Vec<&Holding>, Vec<&Holding>) =
                m.holdings_of(&p.id).partition(|h| h.covers(today));
            history.reverse();
            let handover = (manage && single_holder(pack, p) && !current.is_empty()).then(|| {
                format!(
                    "/orgs/{}/posts/{}/handover{}",
                    encode(&org.code),
                    encode(&p.id),
                    tr.qs()
                )
            });
            PostView {
                id: p.id.clone(),
                title: p.title.clone(),
                kind: post_kind_name(tr, pack, &p.kind),
                portfolios: p
                    .portfolios
                    .iter()
                    .map(|x| portfolio_name(tr, pack, x))
                    .collect(),
                current: current.into_iter().map(|h| holder_view(m, h)).collect(),
                history: history.into_iter().map(|h| holder_view(m, h)).collect(),
                handover,
            }
        })
        .collect();
    let platforms = m
        .platforms_of(&org.id)
        .map(|p| PlatformView {
            name: p.name.clone(),
            code: p.code.clone(),
            kind: platform_kind_name(tr, p.kind),
            portfolio: p.portfolio.as_deref().map(|x| portfolio_name(tr, pack, x)),
            operators: p.operators.iter().map(|o| person_name(m, o)).collect(),
            news: p.news_function,
            closed: p.closed_on.map(date),
        })
        .collect();
    let path = format!("/orgs/{}", encode(&org.code));
    page(
        StatusCode::OK,
        &OrgPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            name: org.name.clone(),
            code: org.code.clone(),
            kind: org_kind_name(tr, org.kind),
            established: org.established_on.map(date),
            closed: org.closed_on.map(date),
            parent,
            children,
            pager: Pager::new(&path, &[("sort", sort.as_str())], page_no, kids.len(), tr),
            posts,
            platforms,
            today: date(today),
            who_href: href_with("/who", &[("org", &org.code)], tr),
            people_href: href_with("/people", &[("org", &org.code)], tr),
        },
    )
}

// ------------------------------------------------------------------------------------------
// Pages: people
// ------------------------------------------------------------------------------------------

/// One person in the list.
pub struct PersonRow {
    /// Name.
    pub name: String,
    /// Org name.
    pub org: String,
    /// Org link.
    pub org_href: String,
    /// Posts held today: (title, org name).
    pub posts: Vec<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    frame: Frame,
    tr: Tr,
    rows: Vec<PersonRow>,
    q: String,
    org: String,
    org_name: Option<String>,
    sort: &'static str,
    sort_name_href: String,
    sort_code_href: String,
    pager: Pager,
}

/// People the viewer may see (in `within`'s subtree when given), filtered by `q`, sorted.
fn people_in_scope<'a>(
    v: &'a Viewer,
    within: Option<&Org>,
    q: &str,
    sort: Sort,
) -> Vec<(&'a Person, &'a Org)> {
    let m = &v.snap.model;
    let needle = q.trim().to_lowercase();
    let mut visible_cache: HashMap<&str, bool> = HashMap::new();
    let mut rows: Vec<(&Person, &Org)> = m
        .people()
        .iter()
        .filter(|p| needle.is_empty() || p.name.to_lowercase().contains(&needle))
        .filter_map(|p| {
            let org = m.org(&p.org)?;
            let ok = *visible_cache
                .entry(org.id.as_str())
                .or_insert_with(|| visible(v, &org.id));
            let inside = within.is_none_or(|w| m.is_within(&org.id, &w.id));
            (ok && inside).then_some((p, org))
        })
        .collect();
    match sort {
        Sort::Name => rows
            .sort_by(|a, b| (&a.0.name, &a.1.code, &a.0.id).cmp(&(&b.0.name, &b.1.code, &b.0.id))),
        Sort::Code => rows
            .sort_by(|a, b| (&a.1.code, &a.0.name, &a.0.id).cmp(&(&b.1.code, &b.0.name, &b.0.id))),
    }
    rows
}

/// Posts each person holds on `day`: person id → [(post, org)].
fn posts_held(m: &OrgModel, day: NaiveDate) -> HashMap<&str, Vec<(&Post, &Org)>> {
    let mut out: HashMap<&str, Vec<(&Post, &Org)>> = HashMap::new();
    for h in m.holdings().iter().filter(|h| h.covers(day)) {
        if let Some(post) = m.post(&h.post)
            && let Some(org) = m.org(&post.org)
        {
            out.entry(h.person.as_str()).or_default().push((post, org));
        }
    }
    out
}

/// `GET /people` — people within scope.
async fn people_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Name);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let text = q.q.unwrap_or_default().trim().to_string();
    let org_param = q.org.unwrap_or_default().trim().to_string();
    let within = if org_param.is_empty() {
        None
    } else {
        match find_visible(&v, &org_param) {
            Some(o) => Some(o),
            None => return org_not_found_page(tr, &org_param),
        }
    };
    let m = &v.snap.model;
    let all = people_in_scope(&v, within, &text, sort);
    let held = posts_held(m, state.today());
    let rows = page_of(&all, page_no)
        .iter()
        .map(|(p, o)| PersonRow {
            name: p.name.clone(),
            org: o.name.clone(),
            org_href: org_href(&o.code, tr),
            posts: held
                .get(p.id.as_str())
                .map(|list| {
                    list.iter()
                        .map(|(post, org)| {
                            if org.id == o.id {
                                post.title.clone()
                            } else {
                                format!("{} · {}", org.name, post.title)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let org_code = within.map(|o| o.code.clone()).unwrap_or_default();
    page(
        StatusCode::OK,
        &PeoplePage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows,
            org_name: within.map(|o| o.name.clone()),
            sort: sort.as_str(),
            sort_name_href: href_with(
                "/people",
                &[("q", &text), ("org", &org_code), ("sort", "name")],
                tr,
            ),
            sort_code_href: href_with(
                "/people",
                &[("q", &text), ("org", &org_code), ("sort", "code")],
                tr,
            ),
            pager: Pager::new(
                "/people",
                &[("q", &text), ("org", &org_code), ("sort", sort.as_str())],
                page_no,
                all.len(),
                tr,
            ),
            q: text,
            org: org_code,
        },
    )
}

// ------------------------------------------------------------------------------------------
// Handover (page and API share the checks)
// ------------------------------------------------------------------------------------------

/// People who may take a post over: those of its org and of the org's parent.
fn candidates<'a>(m: &'a OrgModel, org: &Org) -> Vec<(&'a Person, &'a Org)> {
    let mut out: Vec<(&Person, &Org)> = m
        .people()
        .iter()
        .filter(|p| p.org == org.id || org.parent.as_deref() == Some(p.org.as_str()))
        .filter_map(|p| m.org(&p.org).map(|o| (p, o)))
        .collect();
    // The org's own people first, then the parent's; by name within each.
    out.sort_by(|a, b| {
        (a.1.id != org.id, &a.0.name, &a.0.id).cmp(&(b.1.id != org.id, &b.0.name, &b.0.id))
    });
    out
}

/// A handover problem: the field it is about and the message.
type FieldError = (&'static str, String);

fn holding_error(tr: Tr, e: &HoldingError) -> FieldError {
    match e {
        HoldingError::NothingToHandOver(eve) => (
            "on",
            tr.tf("handover.error.nothing", &[("day", &date(*eve))]),
        ),
        HoldingError::HandoverOutside { start, .. } => (
            "on",
            tr.tf(
                "handover.error.not_after_start",
                &[("start", &date(*start))],
            ),
        ),
        HoldingError::SamePerson { start, .. } => (
            "person",
            tr.tf("handover.error.same_person", &[("start", &date(*start))]),
        ),
        HoldingError::Overlap { start, end, .. } => (
            "on",
            tr.tf(
                "handover.error.overlap",
                &[
                    ("start", &date(*start)),
                    (
                        "end",
                        &end.map(date)
                            .unwrap_or_else(|| tr.t("handover.now").to_string()),
                    ),
                ],
            ),
        ),
        HoldingError::EndBeforeStart { start, end } => (
            "on",
            tr.tf(
                "handover.error.end_before_start",
                &[("start", &date(*start)), ("end", &date(*end))],
            ),
        ),
    }
}

/// Checks a handover against the snapshot: the day, the person, and the core's rules.
/// `person_ok` says whether the person may be chosen at all.
fn check_handover(
    tr: Tr,
    m: &OrgModel,
    post: &Post,
    person: &str,
    person_ok: bool,
    on: &str,
) -> Result<NaiveDate, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    if person.trim().is_empty() {
        errors.push(("person", tr.t("handover.error.person_missing").to_string()));
    } else if !person_ok {
        errors.push(("person", tr.t("handover.error.person_unknown").to_string()));
    }
    let day = if on.trim().is_empty() {
        errors.push(("on", tr.t("handover.error.date_missing").to_string()));
        None
    } else {
        match parse_day(on) {
            Some(d) => Some(d),
            None => {
                errors.push((
                    "on",
                    tr.tf("handover.error.date_malformed", &[("value", on.trim())]),
                ));
                None
            }
        }
    };
    let Some(day) = day else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let holdings: Vec<Holding> = m.holdings_of(&post.id).cloned().collect();
    // The latest holding is the one handed over (or, ended, the one there is nothing after).
    if let Some(latest) = holdings.iter().max_by_key(|h| h.start) {
        if latest.person == person.trim() && latest.end.is_none_or(|e| e >= sub_days(day, 1)) {
            return Err(vec![(
                "person",
                tr.tf(
                    "handover.error.already_holds",
                    &[("start", &date(latest.start))],
                ),
            )]);
        }
        if day <= latest.start {
            return Err(vec![(
                "on",
                tr.tf(
                    "handover.error.not_after_start",
                    &[("start", &date(latest.start))],
                ),
            )]);
        }
    }
    match plan_handover(&holdings, &post.id, person.trim(), day, String::new()) {
        Ok(_) => Ok(day),
        Err(e) => Err(vec![holding_error(tr, &e)]),
    }
}

/// Records the handover; storage audits it.
async fn do_handover(
    state: &AppState,
    v: &Viewer,
    post: &str,
    person: &str,
    on: NaiveDate,
) -> Result<(Holding, Holding), StorageError> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let done = tx.handover(post, person, on).await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    action: String,
    org_name: String,
    org_href: String,
    post_title: String,
    post_kind: String,
    current: Option<HolderView>,
    people: Vec<(String, String)>,
    person: String,
    on: String,
    errors: Vec<FieldError>,
}

impl HandoverPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }

    /// Errors not tied to a field of the form.
    fn general_errors(&self) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|(f, _)| *f != "person" && *f != "on")
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// The form of a handover.
#[derive(Deserialize, Default)]
pub struct HandoverForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    on: String,
}

/// Why a handover route refuses.
enum Refusal {
    /// No business role at all, or no ManageOrg on the org.
    Forbidden,
    /// The org does not exist or lies outside the viewer's scope.
    Org,
    /// The post does not exist or is not the org's.
    Post,
    /// The post has several holders; it is not handed over.
    NotSingle,
}

impl Refusal {
    fn page(self, tr: Tr, code: &str, post_id: &str) -> Response {
        match self {
            Refusal::Forbidden => forbidden_page(tr),
            Refusal::Org => org_not_found_page(tr, code),
            Refusal::Post => post_not_found_page(tr, post_id),
            Refusal::NotSingle => error_page(
                tr,
                ErrorCode::Validation,
                "handover.title",
                tr.t("handover.error.not_single").to_string(),
            ),
        }
    }
}

/// The org and post of a handover route, after the checks every handover route makes:
/// 403 for no business role, 404 out of scope, 403 without ManageOrg, 422 for a post that is
/// not single-holder.
fn handover_target<'a>(
    v: &'a Viewer,
    code: &str,
    post_id: &str,
) -> Result<(&'a Org, &'a Post), Refusal> {
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refusal::Forbidden);
    }
    let org = find_visible(v, code).ok_or(Refusal::Org)?;
    let post = v
        .snap
        .model
        .post(post_id)
        .filter(|p| p.org == org.id)
        .ok_or(Refusal::Post)?;
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return Err(Refusal::Forbidden);
    }
    if !single_holder(&v.snap.pack, post) {
        return Err(Refusal::NotSingle);
    }
    Ok((org, post))
}

fn handover_page(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    post: &Post,
    form: HandoverForm,
    errors: Vec<FieldError>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    let current = m
        .holders_on(&post.id, today)
        .first()
        .map(|h| holder_view(m, h));
    let people = candidates(m, org)
        .into_iter()
        .map(|(p, o)| (p.id.clone(), format!("{}（{}）", p.name, o.name)))
        .collect();
    page(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &HandoverPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: format!(
                "/orgs/{}/posts/{}/handover{}",
                encode(&org.code),
                encode(&post.id),
                tr.qs()
            ),
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            post_title: post.title.clone(),
            post_kind: post_kind_name(tr, &v.snap.pack, &post.kind),
            current,
            people,
            person: form.person,
            on: form.on,
            errors,
        },
    )
}

/// `GET /orgs/{code}/posts/{post_id}/handover` — the form.
async fn handover_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
) -> Response {
    let (org, post) = match handover_target(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refusal) => return refusal.page(v.tr, &code, &post_id),
    };
    let form = HandoverForm {
        person: String::new(),
        on: date(state.today()),
    };
    handover_page(&state, &v, org, post, form, Vec::new())
}

/// `POST /orgs/{code}/posts/{post_id}/handover` — checks, records, and goes back to the org.
async fn handover_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path((code, post_id)): Path<(String, String)>,
    form: Result<Form<HandoverForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    let (org, post) = match handover_target(&v, &code, &post_id) {
        Ok(t) => t,
        Err(refusal) => return refusal.page(v.tr, &code, &post_id),
    };
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            tracing::debug!(error = %e.body_text(), "handover form unreadable");
            let errors = vec![("form", tr.t("handover.error.form").to_string())];
            return handover_page(&state, &v, org, post, HandoverForm::default(), errors);
        }
    };
    let m = &v.snap.model;
    let person_ok = candidates(m, org)
        .iter()
        .any(|(p, _)| p.id == form.person.trim());
    let day = match check_handover(tr, m, post, &form.person, person_ok, &form.on) {
        Ok(d) => d,
        Err(errors) => return handover_page(&state, &v, org, post, form, errors),
    };
    match do_handover(&state, &v, &post.id, form.person.trim(), day).await {
        Ok(_) => redirect(&format!("{}#post-{}", org_href(&org.code, tr), post.id)),
        Err(StorageError::Invalid(msg)) => {
            handover_page(&state, &v, org, post, form, vec![("form", msg)])
        }
        Err(e) => storage_page(tr, &e),
    }
}

// ------------------------------------------------------------------------------------------
// Who was responsible (page and API share the question)
// ------------------------------------------------------------------------------------------

/// The question, as asked in the query string.
#[derive(Deserialize, Default, Clone)]
pub struct WhoQuery {
    org: Option<String>,
    duty: Option<String>,
    portfolio: Option<String>,
    platform: Option<String>,
    at: Option<String>,
}

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

/// Why a question has no answer: the HTTP code, the field and the message.
struct WhoError {
    code: ErrorCode,
    field: &'static str,
    message: String,
}

impl WhoError {
    fn new(code: ErrorCode, field: &'static str, message: String) -> WhoError {
        WhoError {
            code,
            field,
            message,
        }
    }

    fn api(self, tr: Tr) -> ApiError {
        ApiError::new(
            self.code,
            tr.tf(
                "orgs.error.field",
                &[("field", self.field), ("message", &self.message)],
            ),
        )
    }
}

fn resolve_error(tr: Tr, e: &ResolveError, org: &Org) -> WhoError {
    match e {
        ResolveError::DutyNotForOrg { expected, .. } => {
            let kinds: Vec<String> = expected
                .split(", ")
                .map(|k| match OrgKind::parse(k) {
                    Some(k) => org_kind_name(tr, k),
                    None => k.to_string(),
                })
                .collect();
            WhoError::new(
                ErrorCode::Validation,
                "duty",
                tr.tf(
                    "who.error.duty_not_for_org",
                    &[
                        ("kinds", &kinds.join("、")),
                        ("org", &org.name),
                        ("kind", &org_kind_name(tr, org.kind)),
                    ],
                ),
            )
        }
        ResolveError::PlatformNeeded { platforms, .. } => WhoError::new(
            ErrorCode::Validation,
            "platform",
            tr.tf("who.error.platform_needed", &[("platforms", platforms)]),
        ),
        ResolveError::PlatformNotInOrg { platform, .. } => WhoError::new(
            ErrorCode::Validation,
            "platform",
            tr.tf(
                "who.error.platform_not_in_org",
                &[("platform", platform), ("org", &org.name)],
            ),
        ),
    }
}

/// Answers the question; `Ok(None)` when no org was asked about yet.
async fn ask<'a>(
    state: &AppState,
    v: &'a Viewer,
    q: &WhoQuery,
) -> Result<Option<(Answer, Cow<'a, PolicyPack>)>, WhoError> {
    let tr = v.tr;
    let org_param = trimmed(&q.org);
    if org_param.is_empty() {
        return Ok(None);
    }
    let org = find_visible(v, org_param).ok_or_else(|| {
        WhoError::new(
            ErrorCode::NotFound,
            "org",
            tr.tf("who.error.org_unknown", &[("org", org_param)]),
        )
    })?;
    let at = match trimmed(&q.at) {
        "" => state.today(),
        s => parse_day(s).ok_or_else(|| {
            WhoError::new(
                ErrorCode::Validation,
                "at",
                tr.tf("who.error.at", &[("value", s)]),
            )
        })?,
    };
    // Conduct is judged by the rules in force on the day asked about.
    let pack: Cow<'a, PolicyPack> = if v.snap.pack.in_force_on(at) {
        Cow::Borrowed(&v.snap.pack)
    } else {
        match state.db.policy_in_force(&v.snap.pack.meta.series, at).await {
            Ok(Some(p)) => Cow::Owned(p),
            Ok(None) => Cow::Borrowed(&v.snap.pack),
            Err(e) => {
                let code = classify(&e, ErrorCode::Internal);
                return Err(WhoError::new(code, "at", generic_message(tr, code)));
            }
        }
    };
    let m = &v.snap.model;
    let platform: Option<&Platform> = match trimmed(&q.platform) {
        "" => None,
        code => Some(
            m.find_platform(code)
                .filter(|p| visible(v, &p.org))
                .ok_or_else(|| {
                    WhoError::new(
                        ErrorCode::NotFound,
                        "platform",
                        tr.tf("who.error.platform_unknown", &[("platform", code)]),
                    )
                })?,
        ),
    };
    let duty_id = trimmed(&q.duty);
    let portfolio_id = trimmed(&q.portfolio);
    let answer = if !duty_id.is_empty() {
        let duty = pack.duty(duty_id).ok_or_else(|| {
            WhoError::new(
                ErrorCode::Validation,
                "duty",
                tr.tf(
                    "who.error.duty_unknown",
                    &[("duty", duty_id), ("policy", &pack.meta.id)],
                ),
            )
        })?;
        resolve(&pack, m, org, Target::Duty { duty, platform }, at)
    } else if !portfolio_id.is_empty() {
        if pack.portfolio(portfolio_id).is_none() {
            return Err(WhoError::new(
                ErrorCode::Validation,
                "portfolio",
                tr.tf(
                    "who.error.portfolio_unknown",
                    &[("portfolio", portfolio_id)],
                ),
            ));
        }
        resolve(&pack, m, org, Target::Portfolio(portfolio_id), at)
    } else {
        return Err(WhoError::new(
            ErrorCode::Validation,
            "duty",
            tr.t("who.error.nothing_asked").to_string(),
        ));
    };
    let answer = answer.map_err(|e| resolve_error(tr, &e, org))?;
    Ok(Some((answer, pack)))
}

/// An option of a select.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// One line of the chain of reasons.
pub struct ChainRow {
    /// The reason in words.
    pub text: String,
    /// For a duty: its article on the policy page.
    pub href: Option<String>,
    /// For a duty: the citation.
    pub cite: Option<String>,
}

/// The answer as shown.
pub struct AnswerView {
    /// Org asked about.
    pub org: String,
    /// Day asked about.
    pub at: String,
    /// The responsible person.
    pub person: Option<String>,
    /// Through this post.
    pub post: Option<String>,
    /// The direct post was vacant.
    pub vacant: bool,
    /// The first responsible person, when someone else.
    pub first: Option<String>,
    /// The chain of reasons.
    pub chain: Vec<ChainRow>,
    /// The policy version that was applied.
    pub policy: String,
    /// This question's shareable link.
    pub share: String,
}

#[derive(Template)]
#[template(path = "who.html")]
struct WhoPage {
    frame: Frame,
    tr: Tr,
    orgs: Vec<Opt>,
    duties: Vec<Opt>,
    portfolios: Vec<Opt>,
    platforms: Vec<Opt>,
    at: String,
    errors: Vec<(String, String)>,
    answer: Option<AnswerView>,
}

impl WhoPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::views::field_error(&self.errors, field)
    }
}

fn answer_view(tr: Tr, answer: &Answer, pack: &PolicyPack, share: String) -> AnswerView {
    let chain = answer
        .chain
        .iter()
        .map(|r| {
            let (href, cite) = match r {
                Reason::Duty { citation, .. } => match citation.parse::<Citation>() {
                    Ok(c) => (
                        Some(format!(
                            "/policies/{}{}#{}",
                            encode(&pack.meta.id),
                            tr.qs(),
                            anchor(c)
                        )),
                        Some(if tr.is_en() { c.to_string() } else { c.to_zh() }),
                    ),
                    Err(_) => (None, None),
                },
                _ => (None, None),
            };
            ChainRow {
                text: r.describe(tr.lang()),
                href,
                cite,
            }
        })
        .collect();
    AnswerView {
        org: answer.org.name.clone(),
        at: date(answer.at),
        person: answer.person.as_ref().map(|p| p.name.clone()),
        post: answer.post.as_ref().map(|p| p.name.clone()),
        vacant: answer.vacant,
        first: answer.first_responsible.as_ref().map(|p| p.name.clone()),
        chain,
        policy: format!("{} {}", pack.meta.document_number, pack.meta.id),
        share,
    }
}

/// `GET /who` — the question's form, and its answer when asked.
async fn who_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<WhoQuery>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let result = ask(&state, &v, &q).await;
    let (status, answer, errors) = match result {
        Ok(Some((a, pack))) => {
            let share = href_with(
                "/who",
                &[
                    ("org", trimmed(&q.org)),
                    ("duty", trimmed(&q.duty)),
                    (
                        "portfolio",
                        if trimmed(&q.duty).is_empty() {
                            trimmed(&q.portfolio)
                        } else {
                            ""
                        },
                    ),
                    ("platform", trimmed(&q.platform)),
                    ("at", &date(a.at)),
                ],
                tr,
            );
            (
                StatusCode::OK,
                Some(answer_view(tr, &a, &pack, share)),
                Vec::new(),
            )
        }
        Ok(None) => (StatusCode::OK, None, Vec::new()),
        Err(e) => (
            e.code.status(),
            None,
            vec![(e.field.to_string(), e.message)],
        ),
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let chosen_org = m.find_org(trimmed(&q.org)).map(|o| o.id.clone());
    let tree = visible_tree(&v, Sort::Code);
    let orgs = tree
        .iter()
        .map(|(depth, o)| Opt {
            value: o.code.clone(),
            label: format!("{}{}（{}）", "\u{3000}".repeat(*depth), o.name, o.code),
            selected: chosen_org.as_deref() == Some(o.id.as_str()),
        })
        .collect();
    let duties = pack
        .duties
        .iter()
        .map(|d| Opt {
            value: d.id.clone(),
            label: format!(
                "{}（{}）",
                tr.lang().pick(&d.title, &d.title_en),
                if tr.is_en() {
                    d.citation().to_string()
                } else {
                    d.citation().to_zh()
                }
            ),
            selected: trimmed(&q.duty) == d.id,
        })
        .collect();
    let portfolios = pack
        .portfolios
        .iter()
        .map(|p| Opt {
            value: p.id.clone(),
            label: tr.lang().pick(&p.name, &p.name_en).to_string(),
            selected: trimmed(&q.portfolio) == p.id,
        })
        .collect();
    let platforms = tree
        .iter()
        .flat_map(|(_, o)| m.platforms_of(&o.id).map(move |p| (p, *o)))
        .map(|(p, o)| Opt {
            value: p.code.clone(),
            label: format!("{}（{}）", p.name, o.name),
            selected: m.find_platform(trimmed(&q.platform)).map(|x| &x.id) == Some(&p.id),
        })
        .collect();
    let at = match trimmed(&q.at) {
        "" => date(state.today()),
        s => s.to_string(),
    };
    page(
        status,
        &WhoPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            orgs,
            duties,
            portfolios,
            platforms,
            at,
            errors,
            answer,
        },
    )
}

// ------------------------------------------------------------------------------------------
// API: shapes
// ------------------------------------------------------------------------------------------

/// A page of a list.
#[derive(Serialize)]
struct ListOut<T: Serialize> {
    items: Vec<T>,
    page: usize,
    per_page: usize,
    total: usize,
}

fn list<S, T: Serialize>(all: &[S], page: usize, f: impl Fn(&S) -> T) -> Json<ListOut<T>> {
    Json(ListOut {
        items: page_of(all, page).iter().map(f).collect(),
        page,
        per_page: PER_PAGE,
        total: all.len(),
    })
}

#[derive(Serialize)]
struct OrgOut<'a> {
    id: &'a str,
    code: &'a str,
    name: &'a str,
    kind: OrgKind,
    /// Parent org id (`null` at the root).
    parent: Option<&'a str>,
    /// Parent org code, when the caller may read the parent.
    parent_code: Option<&'a str>,
    established_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
}

fn org_out<'a>(v: &'a Viewer, o: &'a Org) -> OrgOut<'a> {
    OrgOut {
        id: &o.id,
        code: &o.code,
        name: &o.name,
        kind: o.kind,
        parent: o.parent.as_deref(),
        parent_code: v
            .snap
            .model
            .parent(o)
            .filter(|p| visible(v, &p.id))
            .map(|p| p.code.as_str()),
        established_on: o.established_on,
        closed_on: o.closed_on,
    }
}

#[derive(Serialize)]
struct HolderOut<'a> {
    holding: &'a str,
    person: &'a str,
    person_name: String,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

fn holder_out<'a>(m: &OrgModel, h: &'a Holding) -> HolderOut<'a> {
    HolderOut {
        holding: &h.id,
        person: &h.person,
        person_name: person_name(m, &h.person),
        start: h.start,
        end: h.end,
    }
}

#[derive(Serialize)]
struct PostOut<'a> {
    id: &'a str,
    org: &'a str,
    org_code: &'a str,
    kind: &'a str,
    kind_name: String,
    title: &'a str,
    portfolios: &'a [String],
    single_holder: bool,
    /// Holders today.
    holders: Vec<HolderOut<'a>>,
}

fn post_out<'a>(v: &'a Viewer, today: NaiveDate, p: &'a Post, org: &'a Org) -> PostOut<'a> {
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    PostOut {
        id: &p.id,
        org: &org.id,
        org_code: &org.code,
        kind: &p.kind,
        kind_name: post_kind_name(v.tr, pack, &p.kind),
        title: &p.title,
        portfolios: &p.portfolios,
        single_holder: single_holder(pack, p),
        holders: m
            .holders_on(&p.id, today)
            .into_iter()
            .map(|h| holder_out(m, h))
            .collect(),
    }
}

#[derive(Serialize)]
struct PlatformOut<'a> {
    id: &'a str,
    code: &'a str,
    name: &'a str,
    kind: PlatformKind,
    portfolio: Option<&'a str>,
    news_function: bool,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    operators: &'a [String],
}

#[derive(Serialize)]
struct OrgDetail<'a> {
    #[serde(flatten)]
    org: OrgOut<'a>,
    version: i64,
    children: Vec<OrgOut<'a>>,
    posts: Vec<PostOut<'a>>,
    platforms: Vec<PlatformOut<'a>>,
}

#[derive(Serialize)]
struct PersonOut<'a> {
    id: &'a str,
    name: &'a str,
    org: &'a str,
    org_code: &'a str,
    org_name: &'a str,
    /// Posts held today.
    posts: Vec<PersonPostOut<'a>>,
}

#[derive(Serialize)]
struct PersonPostOut<'a> {
    post: &'a str,
    title: &'a str,
    org: &'a str,
    org_code: &'a str,
}

#[derive(Serialize)]
struct HoldingOut<'a> {
    id: &'a str,
    post: &'a str,
    person: &'a str,
    person_name: String,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

fn holding_out<'a>(m: &OrgModel, h: &'a Holding) -> HoldingOut<'a> {
    HoldingOut {
        id: &h.id,
        post: &h.post,
        person: &h.person,
        person_name: person_name(m, &h.person),
        start: h.start,
        end: h.end,
    }
}

// ------------------------------------------------------------------------------------------
// API: handlers
// ------------------------------------------------------------------------------------------

fn read_gate(v: &Viewer) -> Result<(), ApiError> {
    require(v, Permission::ReadOrg, None)
}

/// Query of the org list.
#[derive(Deserialize, Default)]
pub struct OrgListQuery {
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// `GET /api/v1/orgs`
async fn api_orgs(
    ApiViewer(v): ApiViewer,
    q: Result<Query<OrgListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = query_of(tr, q)?;
    let page = api_page(tr, q.page.as_deref())?;
    let sort = api_sort(tr, q.sort.as_deref(), Sort::Code)?;
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let tree: Vec<&Org> = visible_tree(&v, sort)
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| {
            needle.is_empty() || o.name.to_lowercase().contains(&needle) || o.code.contains(&needle)
        })
        .collect();
    Ok(list(&tree, page, |o| org_out(&v, o)).into_response())
}

/// Body of `POST /api/v1/orgs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrgBody {
    code: String,
    name: String,
    kind: String,
    parent: String,
    #[serde(default)]
    established_on: Option<String>,
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `POST /api/v1/orgs`
async fn api_create_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<NewOrgBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageOrg, None)?;
    let b = json_body(tr, body)?;
    let parent =
        find_visible(&v, &b.parent).ok_or_else(|| not_found(tr, "parent", b.parent.trim()))?;
    require(&v, Permission::ManageOrg, Some(&parent.id))?;
    let code = b.code.trim();
    if !is_code(code) {
        return Err(invalid(
            tr,
            "code",
            &tr.tf("orgs.error.code", &[("code", code)]),
        ));
    }
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(invalid(tr, "name", tr.t("orgs.error.name")));
    }
    let kind = OrgKind::parse(b.kind.trim()).ok_or_else(|| {
        invalid(
            tr,
            "kind",
            &tr.tf("orgs.error.kind", &[("expected", &OrgKind::expected())]),
        )
    })?;
    let fits = match kind {
        OrgKind::University => false,
        OrgKind::College => parent.kind == OrgKind::University,
        OrgKind::Branch => parent.kind != OrgKind::Branch,
        OrgKind::Unit => true,
    };
    if !fits {
        return Err(invalid(
            tr,
            "kind",
            &tr.tf(
                "orgs.error.kind_under",
                &[
                    ("kind", &org_kind_name(tr, kind)),
                    ("parent", &org_kind_name(tr, parent.kind)),
                ],
            ),
        ));
    }
    let established_on = match b.established_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(parse_day(s).ok_or_else(|| {
            invalid(
                tr,
                "established_on",
                &tr.tf("orgs.error.date", &[("value", s)]),
            )
        })?),
    };
    let created = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let org = tx
            .create_org(NewOrg {
                code: code.to_string(),
                name: name.to_string(),
                kind,
                parent: Some(parent.id.clone()),
                established_on,
            })
            .await?;
        tx.commit().await?;
        Ok::<Org, StorageError>(org)
    }
    .await
    .map_err(|e| from_storage(tr, e, code))?;
    let out = OrgDetail {
        org: OrgOut {
            parent_code: Some(&parent.code),
            ..org_out(&v, &created)
        },
        version: 1,
        children: Vec::new(),
        posts: Vec::new(),
        platforms: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// An org with its version, children, posts (with today's holders) and platforms.
fn org_detail<'a>(
    v: &'a Viewer,
    today: NaiveDate,
    org: &'a Org,
    head: OrgOut<'a>,
    version: i64,
) -> OrgDetail<'a> {
    let m = &v.snap.model;
    let mut kids: Vec<&Org> = m.children(&org.id).collect();
    sort_orgs(&mut kids, Sort::Code);
    OrgDetail {
        org: head,
        version,
        children: kids.into_iter().map(|c| org_out(v, c)).collect(),
        posts: posts_in_order(m, &v.snap.pack, &org.id)
            .into_iter()
            .map(|p| post_out(v, today, p, org))
            .collect(),
        platforms: m
            .platforms_of(&org.id)
            .map(|p| PlatformOut {
                id: &p.id,
                code: &p.code,
                name: &p.name,
                kind: p.kind,
                portfolio: p.portfolio.as_deref(),
                news_function: p.news_function,
                opened_on: p.opened_on,
                closed_on: p.closed_on,
                operators: &p.operators,
            })
            .collect(),
    }
}

/// `GET /api/v1/orgs/{id}` — by id or code.
async fn api_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = path_of(tr, id)?;
    let org = find_visible(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    // Everything in the answer comes from the snapshot (org edits move the model generation,
    // so its versions are the stored ones), the viewer's rights and the day: it is rendered
    // once per snapshot for each viewer and day.
    let today = state.today();
    let key = format!("org:{}:{}:{today}:{}", org.id, v.user.id, tr.tag());
    let body = v
        .snap
        .rendered(&key, || {
            let version = v.snap.org_versions.get(&org.id).copied().unwrap_or(1);
            serde_json::to_vec(&org_detail(&v, today, org, org_out(&v, org), version))
        })
        .map_err(|e| {
            tracing::error!(error = %e, "org serialisation failed");
            ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
        })?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// `null` and absent told apart: `Some(None)` for `null`.
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Body of `PATCH /api/v1/orgs/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    version: i64,
    #[serde(default)]
    name: Option<String>,
    /// A day closes the org; `null` reopens it; absent leaves it.
    #[serde(default, deserialize_with = "double_option")]
    closed_on: Option<Option<String>>,
}

/// `PATCH /api/v1/orgs/{id}`
async fn api_update_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<OrgPatch>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = path_of(tr, id)?;
    let org = find_visible(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = json_body(tr, body)?;
    let name = match b.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > 200 => {
            return Err(invalid(tr, "name", tr.t("orgs.error.name")));
        }
        other => other,
    };
    let closed_on = match b.closed_on {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => match parse_day(&s) {
            Some(d) => Some(Some(d)),
            None => {
                return Err(invalid(
                    tr,
                    "closed_on",
                    &tr.tf("orgs.error.date", &[("value", s.trim())]),
                ));
            }
        },
    };
    let updated = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let org = tx.update_org(&org.id, b.version, name, closed_on).await?;
        tx.commit().await?;
        Ok::<Org, StorageError>(org)
    }
    .await
    .map_err(|e| from_storage(tr, e, &id))?;
    // The snapshot predates the change: the org's own fields come from storage.
    let out = org_detail(&v, state.today(), org, org_out(&v, &updated), b.version + 1);
    Ok(Json(out).into_response())
}

/// `GET /api/v1/people`
async fn api_people(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = query_of(tr, q)?;
    let page = api_page(tr, q.page.as_deref())?;
    let sort = api_sort(tr, q.sort.as_deref(), Sort::Name)?;
    let within = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Some(find_visible(&v, o).ok_or_else(|| not_found(tr, "org", o))?),
    };
    let all = people_in_scope(&v, within, q.q.as_deref().unwrap_or(""), sort);
    let m = &v.snap.model;
    let held = posts_held(m, state.today());
    Ok(list(&all, page, |(p, o)| PersonOut {
        id: &p.id,
        name: &p.name,
        org: &o.id,
        org_code: &o.code,
        org_name: &o.name,
        posts: held
            .get(p.id.as_str())
            .map(|l| {
                l.iter()
                    .map(|(post, org)| PersonPostOut {
                        post: &post.id,
                        title: &post.title,
                        org: &org.id,
                        org_code: &org.code,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
    .into_response())
}

/// Body of `POST /api/v1/people`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPersonBody {
    name: String,
    org: String,
}

/// `POST /api/v1/people`
async fn api_create_person(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<Json<NewPersonBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageOrg, None)?;
    let b = json_body(tr, body)?;
    let org = find_visible(&v, &b.org).ok_or_else(|| not_found(tr, "org", b.org.trim()))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid(tr, "name", tr.t("people.error.name")));
    }
    let person = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let p = tx.create_person(name, &org.id).await?;
        tx.commit().await?;
        Ok::<Person, StorageError>(p)
    }
    .await
    .map_err(|e| from_storage(tr, e, &org.id))?;
    let out = PersonOut {
        id: &person.id,
        name: &person.name,
        org: &org.id,
        org_code: &org.code,
        org_name: &org.name,
        posts: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Query of the post list.
#[derive(Deserialize, Default)]
pub struct PostsQuery {
    org: Option<String>,
    post: Option<String>,
    page: Option<String>,
}

/// `GET /api/v1/posts`
async fn api_posts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<PostsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = query_of(tr, q)?;
    let page = api_page(tr, q.page.as_deref())?;
    let m = &v.snap.model;
    let orgs: Vec<&Org> = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => vec![find_visible(&v, o).ok_or_else(|| not_found(tr, "org", o))?],
        None => visible_tree(&v, Sort::Code)
            .into_iter()
            .map(|(_, o)| o)
            .collect(),
    };
    let posts: Vec<(&Post, &Org)> = orgs
        .into_iter()
        .flat_map(|o| {
            posts_in_order(m, &v.snap.pack, &o.id)
                .into_iter()
                .map(move |p| (p, o))
        })
        .collect();
    let today = state.today();
    Ok(list(&posts, page, |(p, o)| post_out(&v, today, p, o)).into_response())
}

/// `GET /api/v1/holdings?post=`
async fn api_holdings(
    ApiViewer(v): ApiViewer,
    q: Result<Query<PostsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = query_of(tr, q)?;
    let page = api_page(tr, q.page.as_deref())?;
    let post_id = q.post.as_deref().map(str::trim).unwrap_or("");
    if post_id.is_empty() {
        return Err(invalid(tr, "post", tr.t("orgs.error.post_missing")));
    }
    let (post, _) = find_visible_post(&v, post_id).ok_or_else(|| not_found(tr, "post", post_id))?;
    let m = &v.snap.model;
    let all: Vec<&Holding> = m.holdings_of(&post.id).collect();
    Ok(list(&all, page, |h| holding_out(m, h)).into_response())
}

/// Body of `POST /api/v1/posts/{id}/handover`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverBody {
    person: String,
    on: String,
}

#[derive(Serialize)]
struct HandoverOut<'a> {
    outgoing: HoldingOut<'a>,
    incoming: HoldingOut<'a>,
}

/// `POST /api/v1/posts/{id}/handover`
async fn api_handover(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
    body: Result<Json<HandoverBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = path_of(tr, id)?;
    let (post, org) = find_visible_post(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = json_body(tr, body)?;
    if !single_holder(&v.snap.pack, post) {
        return Err(invalid(tr, "id", tr.t("handover.error.not_single")));
    }
    let m = &v.snap.model;
    let person_id = b.person.trim();
    // A person out of the caller's scope answers like one that does not exist.
    let known = person_id.is_empty()
        || m.person(person_id)
            .is_some_and(|p| visible(&v, &p.org) || org.parent.as_deref() == Some(p.org.as_str()));
    if !known {
        return Err(not_found(tr, "person", person_id));
    }
    let day = check_handover(tr, m, post, person_id, true, &b.on).map_err(|errors| {
        let (field, message) = errors.into_iter().next().unwrap_or_default();
        invalid(tr, field, &message)
    })?;
    let (outgoing, incoming) = do_handover(&state, &v, &post.id, person_id, day)
        .await
        .map_err(|e| from_storage(tr, e, &id))?;
    // The snapshot predates the change: names come from it, holdings from storage.
    Ok(Json(HandoverOut {
        outgoing: holding_out(m, &outgoing),
        incoming: holding_out(m, &incoming),
    })
    .into_response())
}

/// `GET /api/v1/responsibility`
async fn api_responsibility(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<WhoQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = query_of(tr, q)?;
    if trimmed(&q.org).is_empty() {
        return Err(invalid(tr, "org", tr.t("who.error.org_missing")));
    }
    match ask(&state, &v, &q).await {
        Ok(Some((answer, _))) => Ok(Json(answer).into_response()),
        Ok(None) => Err(invalid(tr, "org", tr.t("who.error.org_missing"))),
        Err(e) => Err(e.api(tr)),
    }
}

// ------------------------------------------------------------------------------------------
// UI strings
// ------------------------------------------------------------------------------------------

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("orgs.title", "组织"),
    ("orgs.lead", "您有权查看的组织，按上下级排列。"),
    ("orgs.empty", "您的权限范围内没有组织。"),
    ("orgs.total", "共 {n} 个组织"),
    ("orgs.sort", "排序"),
    ("orgs.sort.name", "按名称"),
    ("orgs.sort.code", "按代码"),
    ("orgs.closed", "已撤销（{day}）"),
    ("orgs.closed_on", "撤销日期"),
    ("orgs.code", "代码"),
    ("orgs.kind", "类型"),
    ("orgs.parent", "上级组织"),
    ("orgs.established", "成立日期"),
    ("orgs.children", "下级组织"),
    ("orgs.no_children", "没有下级组织。"),
    ("orgs.posts", "职务与任职"),
    ("orgs.no_posts", "本组织尚未设置职务。"),
    ("orgs.post", "职务"),
    ("orgs.post_kind", "职务类别"),
    ("orgs.portfolios", "分管领域"),
    ("orgs.holder", "现任（{day}）"),
    ("orgs.history", "其他任职记录"),
    ("orgs.vacant", "空缺"),
    ("orgs.handover", "交接"),
    ("orgs.platforms", "新媒体平台"),
    ("orgs.no_platforms", "本组织没有登记平台。"),
    ("orgs.platform", "平台"),
    ("orgs.platform_kind", "平台类型"),
    ("orgs.operators", "管理员"),
    ("orgs.news", "具有新闻、舆论功能"),
    ("orgs.ask_who", "查询谁负责"),
    ("orgs.see_people", "本组织人员"),
    ("orgs.not_found.title", "未找到"),
    ("orgs.not_found", "未找到“{id}”对应的组织。"),
    ("orgs.post_not_found", "未找到编号为“{id}”的职务。"),
    ("orgs.kind.university", "学校"),
    ("orgs.kind.college", "学院"),
    ("orgs.kind.branch", "党支部"),
    ("orgs.kind.unit", "单位"),
    ("orgs.platform_kind.website", "网站"),
    ("orgs.platform_kind.wechat-official", "微信公众号"),
    ("orgs.platform_kind.weibo", "微博"),
    ("orgs.platform_kind.video", "视频号"),
    ("orgs.platform_kind.livestream", "直播账号"),
    ("orgs.platform_kind.app", "客户端"),
    ("orgs.platform_kind.other", "其他"),
    ("orgs.page", "第 {page} / {pages} 页，共 {total} 条"),
    ("orgs.prev", "上一页"),
    ("orgs.next", "下一页"),
    ("orgs.pages", "分页"),
    ("orgs.error.field", "{field}：{message}"),
    ("orgs.error.not_found", "{field}：未找到“{id}”。"),
    ("orgs.error.body", "请求内容有误（{field}）：{detail}"),
    (
        "orgs.error.conflict",
        "该组织已被他人修改（当前版本 {actual}，您编辑的是版本 {expected}），请重新读取后再试。",
    ),
    ("orgs.error.duplicate", "代码“{key}”已被使用。"),
    ("orgs.error.page", "页码应为从 1 开始的整数。"),
    ("orgs.error.sort", "排序方式应为 name 或 code。"),
    (
        "orgs.error.code",
        "代码“{code}”无效：只能使用小写字母、数字和单个连字符，最长 64 个字符。",
    ),
    ("orgs.error.name", "名称不能为空，且不超过 200 个字符。"),
    ("orgs.error.kind", "组织类型应为以下之一：{expected}。"),
    ("orgs.error.kind_under", "{kind}不能设在{parent}之下。"),
    (
        "orgs.error.date",
        "日期“{value}”无效，应为 YYYY-MM-DD 格式。",
    ),
    ("orgs.error.post_missing", "请指定职务（post）。"),
    ("people.title", "人员"),
    ("people.lead", "您有权查看的组织中的人员及其现任职务。"),
    ("people.in_org", "{org}及其下级组织"),
    ("people.all_orgs", "查看全部"),
    ("people.search", "姓名"),
    ("people.search_submit", "查找"),
    ("people.name", "姓名"),
    ("people.org", "所在组织"),
    ("people.posts", "现任职务"),
    ("people.no_posts", "—"),
    ("people.empty", "没有符合条件的人员。"),
    ("people.sort.code", "按组织"),
    ("people.error.name", "姓名不能为空，且不超过 100 个字符。"),
    ("handover.title", "职务交接"),
    (
        "handover.lead",
        "交接自生效日期起算：现任者的任职截至生效日期前一天，接任者自生效日期起任职。交接记入审计日志。",
    ),
    ("handover.org", "组织"),
    ("handover.post", "职务"),
    ("handover.current", "现任"),
    ("handover.none", "当前无人任职"),
    ("handover.since", "{day} 起"),
    ("handover.person", "接任人"),
    ("handover.choose", "请选择"),
    ("handover.on", "生效日期"),
    ("handover.on_hint", "格式：YYYY-MM-DD"),
    ("handover.submit", "确认交接"),
    ("handover.cancel", "返回"),
    ("handover.now", "至今"),
    ("handover.error.person_missing", "请选择接任人。"),
    ("handover.error.person_unknown", "请从列表中选择接任人。"),
    ("handover.error.date_missing", "请填写生效日期。"),
    (
        "handover.error.date_malformed",
        "生效日期“{value}”格式不正确，应为 YYYY-MM-DD，例如 2026-07-01。",
    ),
    (
        "handover.error.not_after_start",
        "生效日期必须晚于现任者的任职开始日期（{start}）。",
    ),
    (
        "handover.error.already_holds",
        "此人自 {start} 起已任该职务。",
    ),
    (
        "handover.error.same_person",
        "此人已有该职务的任职记录（自 {start} 起），不能重复任职。",
    ),
    (
        "handover.error.nothing",
        "{day}（生效日期前一天）该职务无人任职，没有可交接的任职。",
    ),
    (
        "handover.error.overlap",
        "与该职务已有的任职（{start} 至 {end}）重叠，一个职务同一天只能有一人任职。",
    ),
    (
        "handover.error.end_before_start",
        "任职结束日期（{end}）早于开始日期（{start}）。",
    ),
    (
        "handover.error.not_single",
        "只有单人任职的职务才能办理交接。",
    ),
    ("handover.error.form", "表单内容无法读取，请重新填写。"),
    ("who.title", "谁负责"),
    (
        "who.lead",
        "查询某一天某个组织的某项职责（或分管领域）由谁负责，并给出理由链。链接可直接分享。",
    ),
    ("who.org", "组织"),
    ("who.duty", "职责"),
    ("who.portfolio", "或分管领域"),
    ("who.platform", "平台（按平台落实的职责）"),
    ("who.at", "日期"),
    ("who.none", "—"),
    ("who.submit", "查询"),
    ("who.answer", "答复"),
    ("who.person", "责任人"),
    ("who.post", "职务"),
    ("who.nobody", "无人在岗"),
    (
        "who.vacant",
        "直接负责的职务当日空缺或未设置，责任按规定上移。",
    ),
    ("who.first", "第一责任人"),
    ("who.chain", "理由链"),
    ("who.policy", "所依据的责任制"),
    ("who.share", "本次查询的链接"),
    ("who.error.org_missing", "请选择组织（org）。"),
    ("who.error.org_unknown", "未找到组织“{org}”。"),
    (
        "who.error.at",
        "日期“{value}”格式不正确，应为 YYYY-MM-DD，例如 2026-07-01。",
    ),
    (
        "who.error.duty_unknown",
        "责任制 {policy} 中没有职责“{duty}”。",
    ),
    ("who.error.portfolio_unknown", "没有分管领域“{portfolio}”。"),
    ("who.error.platform_unknown", "未找到平台“{platform}”。"),
    ("who.error.nothing_asked", "请选择一项职责或一个分管领域。"),
    (
        "who.error.duty_not_for_org",
        "该职责适用于{kinds}，{org}是{kind}，不承担此职责。",
    ),
    (
        "who.error.platform_needed",
        "该职责按平台落实，请选择平台（本组织的平台：{platforms}）。",
    ),
    (
        "who.error.platform_not_in_org",
        "平台“{platform}”不属于{org}。",
    ),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("orgs.title", "Organisations"),
    (
        "orgs.lead",
        "The organisations you may see, parents before children.",
    ),
    ("orgs.empty", "There is no organisation within your scope."),
    ("orgs.total", "{n} organisations"),
    ("orgs.sort", "Sort"),
    ("orgs.sort.name", "by name"),
    ("orgs.sort.code", "by code"),
    ("orgs.closed", "closed ({day})"),
    ("orgs.closed_on", "Closed on"),
    ("orgs.code", "Code"),
    ("orgs.kind", "Kind"),
    ("orgs.parent", "Parent"),
    ("orgs.established", "Established"),
    ("orgs.children", "Sub-organisations"),
    ("orgs.no_children", "No sub-organisations."),
    ("orgs.posts", "Posts and holders"),
    ("orgs.no_posts", "This organisation has no posts yet."),
    ("orgs.post", "Post"),
    ("orgs.post_kind", "Post kind"),
    ("orgs.portfolios", "Portfolios"),
    ("orgs.holder", "Holder ({day})"),
    ("orgs.history", "Other holdings"),
    ("orgs.vacant", "vacant"),
    ("orgs.handover", "Handover"),
    ("orgs.platforms", "Platforms"),
    (
        "orgs.no_platforms",
        "No platform is registered for this organisation.",
    ),
    ("orgs.platform", "Platform"),
    ("orgs.platform_kind", "Kind"),
    ("orgs.operators", "Operators"),
    ("orgs.news", "news/opinion functions"),
    ("orgs.ask_who", "Who is responsible?"),
    ("orgs.see_people", "People of this organisation"),
    ("orgs.not_found.title", "Not found"),
    ("orgs.not_found", "There is no organisation “{id}”."),
    ("orgs.post_not_found", "There is no post with id “{id}”."),
    ("orgs.kind.university", "University"),
    ("orgs.kind.college", "College"),
    ("orgs.kind.branch", "Party branch"),
    ("orgs.kind.unit", "Unit"),
    ("orgs.platform_kind.website", "Website"),
    (
        "orgs.platform_kind.wechat-official",
        "WeChat official account",
    ),
    ("orgs.platform_kind.weibo", "Weibo"),
    ("orgs.platform_kind.video", "Video account"),
    ("orgs.platform_kind.livestream", "Livestream account"),
    ("orgs.platform_kind.app", "App"),
    ("orgs.platform_kind.other", "Other"),
    ("orgs.page", "Page {page} of {pages}, {total} rows"),
    ("orgs.prev", "Previous"),
    ("orgs.next", "Next"),
    ("orgs.pages", "Pages"),
    ("orgs.error.field", "{field}: {message}"),
    ("orgs.error.not_found", "{field}: “{id}” not found."),
    (
        "orgs.error.body",
        "The request body is invalid ({field}): {detail}",
    ),
    (
        "orgs.error.conflict",
        "Someone else changed this organisation (it is at version {actual}; you edited version {expected}). Reload it and try again.",
    ),
    ("orgs.error.duplicate", "The code “{key}” is already taken."),
    ("orgs.error.page", "The page must be a whole number from 1."),
    ("orgs.error.sort", "Sort by name or code."),
    (
        "orgs.error.code",
        "The code “{code}” is invalid: use lower-case letters, digits and single hyphens, at most 64 characters.",
    ),
    (
        "orgs.error.name",
        "The name must not be empty and has at most 200 characters.",
    ),
    ("orgs.error.kind", "The kind must be one of: {expected}."),
    (
        "orgs.error.kind_under",
        "A {kind} cannot sit under a {parent}.",
    ),
    (
        "orgs.error.date",
        "The date “{value}” is invalid: use YYYY-MM-DD.",
    ),
    ("orgs.error.post_missing", "Name the post (post)."),
    ("people.title", "People"),
    (
        "people.lead",
        "People of the organisations you may see, with the posts they hold today.",
    ),
    ("people.in_org", "{org} and its sub-organisations"),
    ("people.all_orgs", "show all"),
    ("people.search", "Name"),
    ("people.search_submit", "Search"),
    ("people.name", "Name"),
    ("people.org", "Organisation"),
    ("people.posts", "Posts held"),
    ("people.no_posts", "—"),
    ("people.empty", "Nobody matches."),
    ("people.sort.code", "by organisation"),
    (
        "people.error.name",
        "The name must not be empty and has at most 100 characters.",
    ),
    ("handover.title", "Handover"),
    (
        "handover.lead",
        "The handover takes effect on the day given: the outgoing holder holds the post until the day before, the incoming one from that day. It is recorded in the audit log.",
    ),
    ("handover.org", "Organisation"),
    ("handover.post", "Post"),
    ("handover.current", "Current holder"),
    ("handover.none", "Nobody holds the post"),
    ("handover.since", "since {day}"),
    ("handover.person", "Incoming holder"),
    ("handover.choose", "Choose"),
    ("handover.on", "Effective date"),
    ("handover.on_hint", "Format: YYYY-MM-DD"),
    ("handover.submit", "Hand over"),
    ("handover.cancel", "Back"),
    ("handover.now", "now"),
    (
        "handover.error.person_missing",
        "Choose the incoming holder.",
    ),
    (
        "handover.error.person_unknown",
        "Choose the incoming holder from the list.",
    ),
    ("handover.error.date_missing", "Enter the effective date."),
    (
        "handover.error.date_malformed",
        "The effective date “{value}” is not in the form YYYY-MM-DD, e.g. 2026-07-01.",
    ),
    (
        "handover.error.not_after_start",
        "The effective date must be after the day the current holder started ({start}).",
    ),
    (
        "handover.error.already_holds",
        "This person already holds the post, since {start}.",
    ),
    (
        "handover.error.same_person",
        "This person already has a holding of this post (from {start}); it cannot be held twice.",
    ),
    (
        "handover.error.nothing",
        "Nobody holds the post on {day} (the day before the effective date): there is nothing to hand over.",
    ),
    (
        "handover.error.overlap",
        "This overlaps a holding of the post ({start} to {end}); a post has one holder a day.",
    ),
    (
        "handover.error.end_before_start",
        "The holding would end ({end}) before it starts ({start}).",
    ),
    (
        "handover.error.not_single",
        "Only posts with a single holder are handed over.",
    ),
    (
        "handover.error.form",
        "The form could not be read; please fill it in again.",
    ),
    ("who.title", "Who is responsible"),
    (
        "who.lead",
        "Who was responsible for a duty (or a portfolio) in an organisation on a day, with the chain of reasons. The link can be shared.",
    ),
    ("who.org", "Organisation"),
    ("who.duty", "Duty"),
    ("who.portfolio", "or portfolio"),
    ("who.platform", "Platform (for duties owed per platform)"),
    ("who.at", "Day"),
    ("who.none", "—"),
    ("who.submit", "Ask"),
    ("who.answer", "Answer"),
    ("who.person", "Responsible person"),
    ("who.post", "Post"),
    ("who.nobody", "nobody in post"),
    (
        "who.vacant",
        "The directly responsible post was vacant or missing that day; responsibility passed up.",
    ),
    ("who.first", "First responsible person"),
    ("who.chain", "Chain of reasons"),
    ("who.policy", "Policy applied"),
    ("who.share", "Link to this question"),
    ("who.error.org_missing", "Choose an organisation (org)."),
    ("who.error.org_unknown", "There is no organisation “{org}”."),
    (
        "who.error.at",
        "The date “{value}” is not in the form YYYY-MM-DD, e.g. 2026-07-01.",
    ),
    (
        "who.error.duty_unknown",
        "The policy {policy} has no duty “{duty}”.",
    ),
    (
        "who.error.portfolio_unknown",
        "There is no portfolio “{portfolio}”.",
    ),
    (
        "who.error.platform_unknown",
        "There is no platform “{platform}”.",
    ),
    ("who.error.nothing_asked", "Choose a duty or a portfolio."),
    (
        "who.error.duty_not_for_org",
        "This duty applies to {kinds}; {org} is a {kind} and does not owe it.",
    ),
    (
        "who.error.platform_needed",
        "This duty is owed per platform: choose one (platforms of the organisation: {platforms}).",
    ),
    (
        "who.error.platform_not_in_org",
        "The platform “{platform}” does not belong to {org}.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_opens_and_closes_lists() {
        // 0, 1, 2, 1, 0: open twice, close one level, then another.
        let (marks, tail) = nesting(&[0, 1, 2, 1, 0]);
        assert_eq!(
            marks,
            vec![
                (false, 0, false, 0),
                (false, 0, true, 0),
                (false, 0, true, 0),
                (true, 1, false, 0),
                (true, 1, false, 0),
            ]
        );
        assert_eq!(tail, 0);
        // A page starting deep in the tree opens container items.
        let (marks, tail) = nesting(&[2, 3, 1]);
        assert_eq!(
            marks,
            vec![
                (false, 0, false, 1),
                (false, 0, true, 0),
                (true, 2, false, 0)
            ]
        );
        assert_eq!(tail, 0);
        let (_, tail) = nesting(&[0, 1, 2]);
        assert_eq!(tail, 2);
    }

    #[test]
    fn pages_and_links() {
        let rows: Vec<usize> = (0..120).collect();
        assert_eq!(page_of(&rows, 1).len(), 50);
        assert_eq!(page_of(&rows, 3), &rows[100..]);
        assert!(page_of(&rows, 9).is_empty());
        assert_eq!(parse_page(None), Some(1));
        assert_eq!(parse_page(Some("0")), None);
        assert_eq!(parse_page(Some("x")), None);
        let tr = Tr::preferred(zeren_core::Lang::Zh);
        let p = Pager::new("/people", &[("q", "王"), ("sort", "name")], 2, 120, tr);
        assert_eq!(p.pages, 3);
        assert_eq!(
            p.prev.as_deref(),
            Some("/people?q=%E7%8E%8B&sort=name&page=1")
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/people?q=%E7%8E%8B&sort=name&page=3")
        );
    }

    #[test]
    fn vocabulary_keys_exist() {
        let zh: std::collections::HashSet<&str> = ZH.iter().map(|(k, _)| *k).collect();
        for k in OrgKind::ALL {
            assert!(
                zh.contains(format!("orgs.kind.{}", k.as_str()).as_str()),
                "{k}"
            );
        }
        for k in PlatformKind::ALL {
            assert!(
                zh.contains(format!("orgs.platform_kind.{}", k.as_str()).as_str()),
                "{k}"
            );
        }
    }

    #[test]
    fn rejections_name_their_field() {
        assert_eq!(
            rejected_field(
                "Failed to deserialize the JSON body into the target type: missing field `version` at line 1 column 2"
            ),
            "version"
        );
        assert_eq!(
            rejected_field(
                "Failed to deserialize the JSON body into the target type: version: invalid type: string \"x\", expected i64 at line 1 column 15"
            ),
            "version"
        );
        assert_eq!(
            rejected_field("Expected request with `Content-Type: application/json`"),
            "body"
        );
    }

    #[test]
    fn days_are_strict() {
        assert!(parse_day("2026-07-01").is_some());
        assert!(parse_day("2026-7-1").is_none());
        assert!(parse_day("2026-13-01").is_none());
        assert!(parse_day("").is_none());
    }
}
