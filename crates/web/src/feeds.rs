//! Calendar feeds, search and the ledger export: the ways the ledger leaves Zeren.
//!
//! - `GET /calendar/{token}.ics` — a person's obligations (those they are responsible for on the
//!   due date, this year and next) as all-day events with alarms. No session: the secret token
//!   in the URL is the credential; only its hash is stored, so the address is shown once, when
//!   it is made (`/calendar`, or `POST /api/v1/calendar/token`). Rotating revokes the old one.
//! - `GET /search` and `GET /api/v1/search` — records and obligations within the viewer's read
//!   scope (trigram index; LIKE for one- and two-character words).
//! - `GET /orgs/{code}/ledger.xlsx?year=` — the ledger (台账) of an org subtree.

use crate::AppState;
use crate::auth::{ApiViewer, PageViewer, Viewer, encode};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Tr;
use crate::pages::{Frame, error_page, page};
use crate::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;
use zeren_core::Lang;
use zeren_core::access::Permission;
use zeren_core::clock::shanghai;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::OrgModel;
use zeren_core::policy::PolicyPack;
use zeren_core::responsibility::{Target, resolve};
use zeren_exports::ics;
use zeren_storage::User;
use zeren_storage::repo::feeds::{SearchHit, SearchQuery, search_terms};

/// Results per page of a search.
pub const SEARCH_PER_PAGE: i64 = 20;
/// Alarms of every feed event, in days before the due date.
pub const ALARM_DAYS: [u32; 2] = [7, 1];

const SEARCH_QUERY: &[(&str, &str)] = &[
    (
        "q",
        "Words to find (all must match; 1–2 characters use LIKE, 3+ the trigram index)",
    ),
    ("page", "Page number, from 1; 20 results a page"),
];

// ------------------------------------------------------------------------------------------
// Routes
// ------------------------------------------------------------------------------------------

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/calendar",
            Describe::auth("feeds", "My calendar feed: whether it is on, how to subscribe"),
            calendar_page,
        )
        .post(
            "/calendar",
            Describe::auth(
                "feeds",
                "Make a new calendar feed address (shown once; the old one stops working)",
            ),
            calendar_rotate,
        )
        .get(
            "/calendar/{feed}",
            Describe::public(
                "feeds",
                "A person's obligations as iCalendar: /calendar/{token}.ics (the token is the credential)",
            ),
            calendar_feed,
        )
        .get(
            "/search",
            Describe::auth("search", "Search records and obligations within the caller's scope")
                .query(SEARCH_QUERY),
            search_page,
        )
        .get(
            "/orgs/{code}/ledger.xlsx",
            Describe::auth("ledger", "The ledger (台账) of an org subtree for a year, as xlsx")
                .query(&[("year", "Year (default: this year)")]),
            ledger_download,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/search",
            Describe::auth(
                "search",
                "Search records and obligations within the caller's scope",
            )
            .query(SEARCH_QUERY),
            api_search,
        )
        .post(
            "/calendar/token",
            Describe::auth(
                "feeds",
                "Make a new calendar feed address for the caller (returned once; the old one stops working)",
            ),
            api_rotate,
        )
}

/// Builds the search index at start (and brings it up to date after an upgrade).
pub fn spawn_jobs(state: &AppState) {
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = db.ensure_search_index().await {
            tracing::error!(error = %e, "cannot build the search index");
        }
    });
}

// ------------------------------------------------------------------------------------------
// Shared helpers
// ------------------------------------------------------------------------------------------

fn forbidden_page(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::Forbidden,
        "error.forbidden.title",
        tr.t("error.forbidden").to_string(),
    )
}

fn not_found_page(tr: Tr) -> Response {
    error_page(
        tr,
        ErrorCode::PageNotFound,
        "error.not_found.title",
        tr.t("error.not_found.text").to_string(),
    )
}

fn internal_page(tr: Tr, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "feeds: request failed");
    error_page(
        tr,
        ErrorCode::Internal,
        "error.internal.title",
        tr.t("error.internal").to_string(),
    )
}

fn internal_api(tr: Tr, e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "feeds: request failed");
    ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
}

/// `https://host` (or `http://`) of the request, from its Host header.
fn origin_of(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn feed_path(secret: &str) -> String {
    format!("/calendar/{secret}.ics")
}

fn ms_to_local(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Every org the viewer may read: `None` when that is every org (no filter needed).
fn readable_orgs(v: &Viewer) -> Option<Vec<String>> {
    let m = &v.snap.model;
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for root in v.principal.scopes(Permission::ReadOrg) {
        for o in m.subtree(root) {
            ids.insert(o.id.clone());
        }
    }
    if ids.len() >= m.orgs().len() {
        None
    } else {
        Some(ids.into_iter().collect())
    }
}

fn status_key(s: ObligationStatus) -> &'static str {
    match s {
        ObligationStatus::Upcoming => "feeds.status.upcoming",
        ObligationStatus::DueSoon => "feeds.status.due_soon",
        ObligationStatus::Overdue => "feeds.status.overdue",
        ObligationStatus::Done => "feeds.status.done",
        ObligationStatus::Waived => "feeds.status.waived",
    }
}

// ------------------------------------------------------------------------------------------
// Calendar feed
// ------------------------------------------------------------------------------------------

/// The calendar feed of an account, for the home page and `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedStatus {
    /// Whether a feed address exists.
    pub active: bool,
    /// The feed address (path; the page adds the host), while one is live.
    pub url: Option<String>,
    /// When the current address was made (Asia/Shanghai, `YYYY-MM-DD HH:MM`).
    pub created_at: Option<String>,
    /// When a calendar last fetched it.
    pub last_used_at: Option<String>,
    /// The page that explains it and makes a new address.
    pub manage: &'static str,
    /// The API call that makes a new address (returned once).
    pub rotate: &'static str,
}

/// The account's calendar feed: its address while one is live, and when it was made and read.
pub async fn feed_status(state: &AppState, user: &User) -> FeedStatus {
    let recent = &state.recent;
    let token = recent
        .get_or_read(
            &recent.feeds,
            &user.id,
            |_| true,
            || state.db.calendar_token_of(&user.id),
        )
        .await
        .ok()
        .flatten();
    FeedStatus {
        active: token.is_some(),
        url: token.as_ref().map(|t| format!("/calendar/{}.ics", t.token)),
        created_at: token.as_ref().map(|t| ms_to_local(t.created_at)),
        last_used_at: token.as_ref().and_then(|t| t.last_used_at).map(ms_to_local),
        manage: "/calendar",
        rotate: "/api/v1/calendar/token",
    }
}

/// One obligation of a person's feed.
struct FeedItem {
    id: String,
    duty: String,
    org_code: String,
    due: NaiveDate,
    title: String,
    org: String,
    subject: Option<String>,
    citation: String,
    status: ObligationStatus,
}

/// The obligations of `years` for which `person` is the responsible person on the due date.
/// Candidates come from the subtrees of the orgs where the person holds (or held) a post in
/// those years: responsibility never reaches outside them.
async fn person_obligations(
    state: &AppState,
    model: &OrgModel,
    pack: &PolicyPack,
    person: &str,
    years: &[i32],
    lang: Lang,
) -> zeren_storage::Result<Vec<FeedItem>> {
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return Ok(Vec::new());
    };
    let from = NaiveDate::from_ymd_opt(*first, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(*last, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut orgs: BTreeSet<String> = BTreeSet::new();
    for h in model
        .holdings()
        .iter()
        .filter(|h| h.person == person && h.overlaps(from, Some(to)))
    {
        if let Some(post) = model.post(&h.post) {
            for o in model.subtree(&post.org) {
                orgs.insert(o.id.clone());
            }
        }
    }
    let today = state.today();
    let mut out = Vec::new();
    for org_id in &orgs {
        let Some(org) = model.org(org_id) else {
            continue;
        };
        for year in years {
            for o in state.db.obligations(org_id, *year).await? {
                let Some(duty) = pack.duty(&o.duty) else {
                    continue;
                };
                let platform = (o.subject_kind == "platform")
                    .then(|| model.find_platform(&o.subject))
                    .flatten();
                let Ok(answer) = resolve(pack, model, org, Target::Duty { duty, platform }, o.due)
                else {
                    continue;
                };
                if answer.person.as_ref().is_none_or(|p| p.id != person) {
                    continue;
                }
                let citation = duty.citation();
                out.push(FeedItem {
                    id: o.id.clone(),
                    duty: duty.id.clone(),
                    org_code: org.code.clone(),
                    due: o.due,
                    title: lang.pick(&duty.title, &duty.title_en).to_string(),
                    org: org.name.clone(),
                    subject: platform.map(|p| p.name.clone()),
                    citation: match lang {
                        Lang::Zh => citation.to_zh(),
                        Lang::En => citation.to_string(),
                    },
                    status: status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    Ok(out)
}

/// `GET /calendar/{token}.ics`
async fn calendar_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(feed): Path<String>,
) -> Response {
    let tr = Tr::new(Lang::Zh);
    let Some(secret) = feed.strip_suffix(".ics").filter(|s| !s.is_empty()) else {
        return not_found_page(tr);
    };
    let (user, token) = match state.db.calendar_token_user(secret).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found_page(tr),
        Err(e) => return internal_page(tr, &e),
    };
    let lang = user.lang.as_deref().map(Lang::from_tag).unwrap_or_default();
    let tr = Tr::preferred(lang);
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return internal_page(tr, &e),
    };
    let year = state.today().year();
    let items = match &user.person {
        Some(person) if user.admin_role.is_none() => {
            match person_obligations(
                &state,
                &snap.model,
                &snap.pack,
                person,
                &[year, year + 1],
                lang,
            )
            .await
            {
                Ok(items) => items,
                Err(e) => return internal_page(tr, &e),
            }
        }
        _ => Vec::new(),
    };
    let origin = origin_of(&state, &headers);
    let now = state.clock.now();
    let policy = &snap.pack.meta;
    let events = items
        .into_iter()
        .map(|it| {
            let status = tr.t(status_key(it.status));
            let summary = match (&it.subject, it.status) {
                (Some(s), ObligationStatus::Done | ObligationStatus::Waived) => {
                    format!("[{status}] {}（{s}）", it.title)
                }
                (Some(s), _) => format!("{}（{s}）", it.title),
                (None, ObligationStatus::Done | ObligationStatus::Waived) => {
                    format!("[{status}] {}", it.title)
                }
                (None, _) => it.title.clone(),
            };
            let description = [
                tr.tf(
                    "feeds.ics.citation",
                    &[
                        ("citation", &it.citation),
                        ("number", &policy.document_number),
                    ],
                ),
                tr.tf("feeds.ics.org", &[("org", &it.org)]),
                tr.tf("feeds.ics.status", &[("status", status)]),
                tr.tf("feeds.ics.due", &[("due", &it.due.to_string())]),
            ]
            .join("\n");
            let open = matches!(
                it.status,
                ObligationStatus::Upcoming | ObligationStatus::DueSoon | ObligationStatus::Overdue
            );
            ics::Event {
                uid: format!("obligation-{}@zeren", it.id),
                stamp: now,
                day: it.due,
                summary,
                description,
                url: Some(format!(
                    "{origin}/who?org={}&duty={}&at={}",
                    encode(&it.org_code),
                    encode(&it.duty),
                    it.due
                )),
                categories: vec![it.citation.clone()],
                // Done or waived obligations stay in the calendar (the summary says so); they are
                // not "cancelled" events.
                status: Some("CONFIRMED"),
                alarms_days_before: if open && it.due >= state.today() {
                    ALARM_DAYS.to_vec()
                } else {
                    Vec::new()
                },
                alarm_text: tr.tf(
                    "feeds.ics.alarm",
                    &[("title", &it.title), ("due", &it.due.to_string())],
                ),
            }
        })
        .collect();
    let cal = ics::Calendar {
        prodid: format!("-//Zeren//Zeren {}//ZH", env!("CARGO_PKG_VERSION")),
        name: tr.tf("feeds.ics.name", &[("name", &user.display_name)]),
        description: Some(policy.title.clone()),
        refresh: chrono::Duration::hours(4),
        events,
    };
    let _ = state
        .db
        .touch_calendar_token(&token.id, state.now_ms())
        .await;
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"zeren.ics\""),
            ),
        ],
        cal.to_ics(),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "feeds_calendar.html")]
struct CalendarPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    status: FeedStatus,
    /// The new address, shown once right after it is made.
    new_url: Option<String>,
    webcal_url: Option<String>,
    count: usize,
    year: i32,
}

async fn render_calendar(
    state: &AppState,
    v: &Viewer,
    fresh: Option<String>,
    status: StatusCode,
) -> Response {
    let year = state.today().year();
    let count = match &v.user.person {
        Some(p) => person_obligations(
            state,
            &v.snap.model,
            &v.snap.pack,
            p,
            &[year, year + 1],
            v.tr.lang(),
        )
        .await
        .map(|l| l.len())
        .unwrap_or(0),
        None => 0,
    };
    let webcal_url = fresh.as_ref().map(|u| {
        u.replacen("https://", "webcal://", 1)
            .replacen("http://", "webcal://", 1)
    });
    page(
        status,
        &CalendarPage {
            frame: Frame::of(state, Some(v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            status: feed_status(state, &v.user).await,
            new_url: fresh,
            webcal_url,
            count,
            year,
        },
    )
}

/// `GET /calendar`
async fn calendar_page(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    if v.principal.admin.is_some() {
        return forbidden_page(v.tr);
    }
    render_calendar(&state, &v, None, StatusCode::OK).await
}

async fn rotate(state: &AppState, v: &Viewer) -> zeren_storage::Result<String> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let (secret, _) = tx.rotate_calendar_token(&v.user).await?;
    tx.commit().await?;
    Ok(secret)
}

/// `POST /calendar` — a new address, shown once on the page that answers.
async fn calendar_rotate(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    headers: HeaderMap,
) -> Response {
    if v.principal.admin.is_some() {
        return forbidden_page(v.tr);
    }
    match rotate(&state, &v).await {
        Ok(secret) => {
            let url = format!("{}{}", origin_of(&state, &headers), feed_path(&secret));
            render_calendar(&state, &v, Some(url), StatusCode::OK).await
        }
        Err(e) => internal_page(v.tr, &e),
    }
}

#[derive(Serialize)]
struct RotateAnswer {
    url: String,
    webcal: String,
    created_at: String,
    note: String,
}

/// `POST /api/v1/calendar/token`
async fn api_rotate(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    if v.principal.admin.is_some() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            tr.t("error.forbidden").to_string(),
        ));
    }
    let secret = rotate(&state, &v).await.map_err(|e| internal_api(tr, &e))?;
    let url = format!("{}{}", origin_of(&state, &headers), feed_path(&secret));
    let webcal = url
        .replacen("https://", "webcal://", 1)
        .replacen("http://", "webcal://", 1);
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(RotateAnswer {
            url,
            webcal,
            created_at: ms_to_local(state.now_ms()),
            note: tr.t("feeds.calendar.once").to_string(),
        }),
    )
        .into_response())
}

// ------------------------------------------------------------------------------------------
// Search
// ------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct SearchParams {
    q: Option<String>,
    page: Option<String>,
}

/// A search result as shown and as the API returns it.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    /// `obligation`, `record`, `directive` or `task`.
    pub kind: String,
    /// Duty id, record kind or task status.
    pub sub: String,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind in words.
    #[serde(skip)]
    pub kind_label: String,
    /// Text around the first match.
    pub snippet: String,
    /// Snippet split around the match, for highlighting.
    #[serde(skip)]
    pub parts: (String, String, String),
    /// Title split around the match, for highlighting.
    #[serde(skip)]
    pub title_parts: (String, String, String),
    /// Its day.
    pub date: NaiveDate,
    /// Year.
    pub year: i64,
    /// Org.
    pub org: OrgRef,
    /// Where to open it.
    pub href: Option<String>,
}

/// An org in a result.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRef {
    /// Id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Paths of every page route, to link only to pages that exist.
static PAGE_PATHS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    crate::route_table()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path)
        .collect()
});

fn href_for(hit: &SearchHit, org_code: &str) -> Option<String> {
    let exists = |p: &str| PAGE_PATHS.contains(p);
    match hit.kind.as_str() {
        "obligation" if exists("/obligations/{id}") => Some(format!("/obligations/{}", hit.id)),
        "obligation" => Some(format!(
            "/who?org={}&duty={}&at={}",
            encode(org_code),
            encode(&hit.sub),
            hit.day
        )),
        "record" if exists("/records/{id}") => Some(format!("/records/{}", hit.id)),
        "directive" if exists("/directives/{id}") => Some(format!("/directives/{}", hit.id)),
        "task" if exists("/tasks/{id}") => Some(format!("/tasks/{}", hit.id)),
        _ => None,
    }
}

/// Readable text of a stored body (records keep JSON): the string values, ids left out.
fn plain_text(body: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => {
                let looks_like_id = s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4;
                if !looks_like_id
                    && !s.is_empty()
                    && !s.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    out.push(s.clone());
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            let mut out = Vec::new();
            walk(&v, &mut out);
            out.join(" · ")
        }
        _ => body.to_string(),
    }
}

/// Up to ~90 characters of `text` around the first term found, split for highlighting.
fn snippet(text: &str, terms: &[String]) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    let found = (lower.len() == chars.len())
        .then(|| {
            terms.iter().find_map(|t| {
                let t: Vec<char> = t.chars().collect();
                (0..=lower.len().saturating_sub(t.len()))
                    .find(|i| lower[*i..].starts_with(&t))
                    .map(|i| (i, t.len()))
            })
        })
        .flatten();
    let (start, len) = found.unwrap_or((0, 0));
    let from = start.saturating_sub(30);
    let to = (start + len + 60).min(chars.len());
    let pre: String = chars[from..start].iter().collect();
    let hit: String = chars[start..start + len].iter().collect();
    let post: String = chars[start + len..to].iter().collect();
    (
        format!("{}{pre}", if from > 0 { "…" } else { "" }),
        hit,
        format!("{post}{}", if to < chars.len() { "…" } else { "" }),
    )
}

/// `text` split around the first term found (whole, for titles).
fn whole_split(text: &str, terms: &[String]) -> (String, String, String) {
    let lower = text.to_lowercase();
    if lower.len() == text.len() {
        for t in terms {
            if let Some(i) = lower.find(t.as_str()) {
                let end = i + t.len();
                if text.is_char_boundary(i) && text.is_char_boundary(end) {
                    return (text[..i].into(), text[i..end].into(), text[end..].into());
                }
            }
        }
    }
    (text.to_string(), String::new(), String::new())
}

fn kind_label(tr: Tr, hit: &SearchHit) -> String {
    match hit.kind.as_str() {
        "obligation" => tr.t("feeds.kind.obligation").to_string(),
        "record" => match hit.sub.as_str() {
            "committee-meeting" => tr.t("feeds.kind.committee-meeting").to_string(),
            "situation-analysis" => tr.t("feeds.kind.situation-analysis").to_string(),
            "training-session" => tr.t("feeds.kind.training-session").to_string(),
            "education-activity" => tr.t("feeds.kind.education-activity").to_string(),
            _ => tr.t("feeds.kind.record").to_string(),
        },
        "directive" => tr.t("feeds.kind.directive").to_string(),
        "task" => tr.t("feeds.kind.task").to_string(),
        _ => hit.kind.clone(),
    }
}

/// What a search asked and found.
struct Found {
    terms: Vec<String>,
    page: i64,
    total: i64,
    mode: &'static str,
    results: Vec<ResultView>,
}

/// Why a search request is refused.
enum SearchRefusal {
    Field(&'static str, String),
    Failed(zeren_storage::StorageError),
}

async fn run_search(
    state: &AppState,
    v: &Viewer,
    params: &SearchParams,
) -> Result<Found, SearchRefusal> {
    let tr = v.tr;
    let q = params.q.as_deref().unwrap_or("").trim();
    let terms = search_terms(q);
    if terms.is_empty() {
        return Err(SearchRefusal::Field(
            "q",
            tr.t("feeds.search.need_q").to_string(),
        ));
    }
    let page = match params
        .page
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => 1,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=10_000).contains(&n) => n,
            _ => {
                return Err(SearchRefusal::Field(
                    "page",
                    tr.t("feeds.search.bad_page").to_string(),
                ));
            }
        },
    };
    if !state.db.search_index_ready().await
        && let Err(e) = state.db.ensure_search_index().await
        // Another request (or instance) may have built it meanwhile.
        && !state.db.search_index_ready().await
    {
        return Err(SearchRefusal::Failed(e));
    }
    let found = state
        .db
        .search(&SearchQuery {
            terms: terms.clone(),
            orgs: readable_orgs(v),
            offset: (page - 1) * SEARCH_PER_PAGE,
            limit: SEARCH_PER_PAGE,
        })
        .await
        .map_err(SearchRefusal::Failed)?;
    let m = &v.snap.model;
    let results = found
        .hits
        .iter()
        // The scope is also checked here, so a stale org list can never leak a result.
        .filter(|h| v.can(Permission::ReadOrg, Some(&h.org)))
        .map(|h| {
            let org = m.org(&h.org);
            let code = org.map(|o| o.code.clone()).unwrap_or_default();
            let duty = (h.kind == "obligation")
                .then(|| v.snap.pack.duty(&h.sub))
                .flatten();
            let text = match (h.kind.as_str(), duty) {
                ("record", _) => plain_text(&h.body),
                // The index keeps the citation as `Art.4(2)`; show it as the reader reads it.
                ("obligation", Some(d)) if !tr.is_en() => h
                    .body
                    .replace(&d.citation().to_string(), &d.citation().to_zh()),
                _ => h.body.clone(),
            };
            let parts = snippet(&text, &terms);
            let title = match duty {
                Some(d) if tr.is_en() => d.title_en.clone(),
                _ => h.title.clone(),
            };
            let title_parts = whole_split(&title, &terms);
            ResultView {
                kind: h.kind.clone(),
                sub: h.sub.clone(),
                id: h.id.clone(),
                kind_label: kind_label(tr, h),
                snippet: format!("{}{}{}", parts.0, parts.1, parts.2),
                parts,
                title_parts,
                date: h.day,
                year: h.year,
                href: href_for(h, &code),
                org: OrgRef {
                    id: h.org.clone(),
                    code,
                    name: org.map(|o| o.name.clone()).unwrap_or_default(),
                },
                title,
            }
        })
        .collect();
    Ok(Found {
        terms,
        page,
        total: found.total,
        mode: found.mode,
        results,
    })
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    tr: Tr,
    q: String,
    error: Option<String>,
    found: Option<FoundView>,
}

struct FoundView {
    total: i64,
    page: i64,
    pages: i64,
    mode_key: &'static str,
    results: Vec<ResultView>,
    prev: Option<String>,
    next: Option<String>,
}

/// `GET /search`
async fn search_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return forbidden_page(tr);
    }
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let q = params.q.clone().unwrap_or_default();
    let mut tpl = SearchPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        q: q.clone(),
        error: None,
        found: None,
    };
    if params.q.is_none() && params.page.is_none() {
        return page(StatusCode::OK, &tpl);
    }
    match run_search(&state, &v, &params).await {
        Ok(f) => {
            let pages = (f.total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
            let link = |n: i64| {
                let mut s = format!("/search?q={}&page={n}", encode(&f.terms.join(" ")));
                if tr.is_explicit() {
                    s.push_str(if tr.is_en() { "&lang=en" } else { "&lang=zh" });
                }
                s
            };
            tpl.found = Some(FoundView {
                total: f.total,
                page: f.page,
                pages: pages.max(1),
                mode_key: if f.mode == "trigram" {
                    "feeds.search.mode.trigram"
                } else {
                    "feeds.search.mode.like"
                },
                prev: (f.page > 1).then(|| link(f.page - 1)),
                next: (f.page < pages).then(|| link(f.page + 1)),
                results: f.results,
            });
            page(StatusCode::OK, &tpl)
        }
        Err(SearchRefusal::Field(_, msg)) => {
            tpl.error = Some(msg);
            page(StatusCode::UNPROCESSABLE_ENTITY, &tpl)
        }
        Err(SearchRefusal::Failed(e)) => internal_page(tr, &e),
    }
}

#[derive(Serialize)]
struct SearchAnswer {
    q: String,
    terms: Vec<String>,
    page: i64,
    per_page: i64,
    total: i64,
    pages: i64,
    /// `trigram` when a trigram index answered, `like` otherwise (1–2 character words).
    mode: &'static str,
    results: Vec<ResultView>,
}

/// `GET /api/v1/search`
async fn api_search(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    crate::api::require(&v, Permission::ReadOrg, None)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    match run_search(&state, &v, &params).await {
        Ok(f) => Ok(Json(SearchAnswer {
            q: params.q.unwrap_or_default(),
            pages: ((f.total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE).max(1),
            terms: f.terms,
            page: f.page,
            per_page: SEARCH_PER_PAGE,
            total: f.total,
            mode: f.mode,
            results: f.results,
        })
        .into_response()),
        Err(SearchRefusal::Field(field, msg)) => Err(ApiError::new(
            ErrorCode::Validation,
            format!("{field}: {msg}"),
        )),
        Err(SearchRefusal::Failed(e)) => Err(internal_api(tr, &e)),
    }
}

// ------------------------------------------------------------------------------------------
// Ledger export
// ------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct LedgerParams {
    year: Option<String>,
}

/// Parses a ledger year: 2000–2100.
pub fn parse_year(s: &str) -> Option<i32> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
}

/// `GET /orgs/{code}/ledger.xlsx?year=`
async fn ledger_download(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    params: Result<Query<LedgerParams>, QueryRejection>,
) -> Response {
    let tr = v.tr;
    if v.principal.admin.is_some() {
        return forbidden_page(tr);
    }
    let Some(org) = v.snap.model.find_org(code.trim()) else {
        return not_found_page(tr);
    };
    if !(v.can(Permission::KeepRecords, Some(&org.id)) || v.can(Permission::ReadOrg, Some(&org.id)))
    {
        return not_found_page(tr);
    }
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let year = match params.year.as_deref().filter(|s| !s.trim().is_empty()) {
        None => state.today().year(),
        Some(s) => match parse_year(s) {
            Some(y) => y,
            None => {
                return error_page(
                    tr,
                    ErrorCode::Validation,
                    "feeds.ledger.bad_year_title",
                    tr.tf("feeds.ledger.bad_year", &[("value", s)]),
                );
            }
        },
    };
    let req = zeren_exports::ledger::LedgerRequest {
        db: &state.db,
        model: &v.snap.model,
        pack: &v.snap.pack,
        org,
        year,
        now: state.clock.now(),
        exported_by: &v.user.display_name,
        tempdir: None,
    };
    // Written to an unnamed temporary file (gone when closed) and streamed from there: the
    // server holds neither the rows nor the workbook in memory.
    let spool = match tempfile::tempfile() {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => return internal_page(tr, &e),
    };
    let (summary, spool) = match zeren_exports::ledger::write_ledger(&req, spool).await {
        Ok(done) => done,
        Err(e) => return internal_page(tr, &e),
    };
    let workbook = match rewound(spool) {
        Ok(f) => f,
        Err(e) => return internal_page(tr, &e),
    };
    // Exports of business data are audited (who took which ledger, when, from where).
    let audited = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let rows: HashMap<&str, u32> = summary.iter().map(|(n, r)| (n.as_str(), *r)).collect();
        tx.audit(
            "ledger.export",
            "org",
            &org.id,
            None,
            Some(&serde_json::json!({"year": year, "rows": rows})),
        )
        .await?;
        tx.commit().await
    };
    if let Err(e) = audited.await {
        return internal_page(tr, &e);
    }
    let ascii = format!("{}-{year}-ledger.xlsx", org.code);
    let utf8 = format!("{}{year}年度台账.xlsx", org.name);
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(&utf8)
    );
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (CONTENT_LENGTH, HeaderValue::from(workbook.1)),
        ],
        crate::pages::file_body(tokio::fs::File::from_std(workbook.0)),
    )
        .into_response()
}

/// The spooled workbook, flushed and rewound for reading, with its length.
fn rewound(spool: std::io::BufWriter<std::fs::File>) -> std::io::Result<(std::fs::File, u64)> {
    use std::io::{Seek, SeekFrom};
    let mut file = spool.into_inner().map_err(|e| e.into_error())?;
    let len = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    Ok((file, len))
}

// ------------------------------------------------------------------------------------------
// Catalogs
// ------------------------------------------------------------------------------------------

/// Chinese UI strings of this area.
pub const ZH: &[(&str, &str)] = &[
    ("feeds.nav.search", "搜索"),
    ("feeds.nav.calendar", "日历订阅"),
    ("feeds.status.upcoming", "未到期"),
    ("feeds.status.due_soon", "即将到期"),
    ("feeds.status.overdue", "已逾期"),
    ("feeds.status.done", "已完成"),
    ("feeds.status.waived", "已豁免"),
    ("feeds.ics.name", "{name}的责任清单（Zeren）"),
    ("feeds.ics.citation", "依据：{number} {citation}"),
    ("feeds.ics.org", "组织：{org}"),
    ("feeds.ics.status", "状态：{status}"),
    ("feeds.ics.due", "截止日期：{due}"),
    ("feeds.ics.alarm", "{title} 将于 {due} 到期"),
    ("feeds.calendar.title", "日历订阅"),
    (
        "feeds.calendar.lead",
        "把您作为责任人的各项规定动作（截止日当天由您负责的，{year} 年及次年）订阅到手机或电脑日历：每项在截止日显示为全天事件，并提前 7 天和 1 天提醒。",
    ),
    ("feeds.calendar.count", "目前共 {n} 项。"),
    ("feeds.calendar.active", "订阅地址已于 {since} 生成。"),
    ("feeds.calendar.last_used", "日历最近一次读取：{at}。"),
    ("feeds.calendar.never_used", "尚未有日历读取过。"),
    ("feeds.calendar.inactive", "您还没有订阅地址。"),
    (
        "feeds.calendar.once",
        "这是您的私密订阅地址，只显示这一次：请现在复制到日历应用中。地址本身就是凭据，请勿转发；如已泄露，重新生成即可使旧地址失效。",
    ),
    ("feeds.calendar.new", "新的订阅地址"),
    ("feeds.calendar.webcal", "用日历应用打开"),
    ("feeds.calendar.create", "生成订阅地址"),
    ("feeds.calendar.rotate", "重新生成订阅地址"),
    (
        "feeds.calendar.rotate_note",
        "重新生成后，旧地址立即失效，已订阅的日历需要换用新地址。",
    ),
    (
        "feeds.calendar.howto",
        "在 Outlook、苹果日历、Google 日历等应用中选择“通过网址订阅日历”，粘贴地址即可；日历会定期自动刷新。",
    ),
    ("feeds.search.title", "搜索"),
    (
        "feeds.search.lead",
        "在您有权查看的组织范围内，搜索会议记录、分析研判报告、培训记录、上级部署、督办任务和责任清单。",
    ),
    ("feeds.search.label", "关键词"),
    ("feeds.search.placeholder", "例如：研判、网络意识形态"),
    ("feeds.search.submit", "搜索"),
    ("feeds.search.need_q", "请输入要搜索的词。"),
    ("feeds.search.bad_page", "页码须为 1 至 10000 的整数。"),
    ("feeds.search.total", "共找到 {n} 项"),
    ("feeds.search.none", "没有找到匹配的内容。"),
    ("feeds.search.page", "第 {page} / {pages} 页"),
    ("feeds.search.prev", "上一页"),
    ("feeds.search.next", "下一页"),
    ("feeds.search.mode.trigram", "全文索引"),
    ("feeds.search.mode.like", "逐条匹配（一至两个字的词）"),
    ("feeds.search.col.kind", "类别"),
    ("feeds.search.col.title", "标题"),
    ("feeds.search.col.org", "组织"),
    ("feeds.search.col.date", "日期"),
    ("feeds.kind.obligation", "责任清单"),
    ("feeds.kind.record", "记录"),
    ("feeds.kind.committee-meeting", "党委会"),
    ("feeds.kind.situation-analysis", "分析研判"),
    ("feeds.kind.training-session", "教育培训"),
    ("feeds.kind.education-activity", "青年教育"),
    ("feeds.kind.directive", "上级部署"),
    ("feeds.kind.task", "督办任务"),
    ("feeds.ledger.download", "导出台账（Excel）"),
    ("feeds.ledger.bad_year_title", "年度有误"),
    (
        "feeds.ledger.bad_year",
        "year：“{value}” 不是 2000 至 2100 之间的年份。",
    ),
];

/// English UI strings of this area.
pub const EN: &[(&str, &str)] = &[
    ("feeds.nav.search", "Search"),
    ("feeds.nav.calendar", "Calendar feed"),
    ("feeds.status.upcoming", "Upcoming"),
    ("feeds.status.due_soon", "Due soon"),
    ("feeds.status.overdue", "Overdue"),
    ("feeds.status.done", "Done"),
    ("feeds.status.waived", "Waived"),
    ("feeds.ics.name", "{name}'s duties (Zeren)"),
    ("feeds.ics.citation", "Required by: {number} {citation}"),
    ("feeds.ics.org", "Org: {org}"),
    ("feeds.ics.status", "Status: {status}"),
    ("feeds.ics.due", "Due: {due}"),
    ("feeds.ics.alarm", "{title} is due on {due}"),
    ("feeds.calendar.title", "Calendar feed"),
    (
        "feeds.calendar.lead",
        "Subscribe your phone or desktop calendar to the duties you are responsible for on their due dates ({year} and the next year): each shows as an all-day event on its due date, with reminders 7 days and 1 day before.",
    ),
    ("feeds.calendar.count", "{n} at the moment."),
    (
        "feeds.calendar.active",
        "Your feed address was made on {since}.",
    ),
    ("feeds.calendar.last_used", "Last read by a calendar: {at}."),
    ("feeds.calendar.never_used", "No calendar has read it yet."),
    ("feeds.calendar.inactive", "You have no feed address yet."),
    (
        "feeds.calendar.once",
        "This is your private feed address and it is shown only this once: copy it into your calendar app now. The address itself is the credential; do not share it. If it leaks, make a new one and the old one stops working.",
    ),
    ("feeds.calendar.new", "New feed address"),
    ("feeds.calendar.webcal", "Open in a calendar app"),
    ("feeds.calendar.create", "Make a feed address"),
    ("feeds.calendar.rotate", "Make a new feed address"),
    (
        "feeds.calendar.rotate_note",
        "The old address stops working at once; calendars subscribed to it need the new one.",
    ),
    (
        "feeds.calendar.howto",
        "In Outlook, Apple Calendar, Google Calendar and others choose “subscribe to calendar from URL” and paste the address; the calendar refreshes it by itself.",
    ),
    ("feeds.search.title", "Search"),
    (
        "feeds.search.lead",
        "Search meeting minutes, situation analyses, trainings, directives, supervised tasks and obligations in the orgs you may read.",
    ),
    ("feeds.search.label", "Words"),
    ("feeds.search.placeholder", "e.g. 研判, 网络意识形态"),
    ("feeds.search.submit", "Search"),
    ("feeds.search.need_q", "Enter a word to search for."),
    (
        "feeds.search.bad_page",
        "The page must be a whole number from 1 to 10000.",
    ),
    ("feeds.search.total", "{n} found"),
    ("feeds.search.none", "Nothing matches."),
    ("feeds.search.page", "Page {page} of {pages}"),
    ("feeds.search.prev", "Previous"),
    ("feeds.search.next", "Next"),
    ("feeds.search.mode.trigram", "full-text index"),
    (
        "feeds.search.mode.like",
        "row by row (one- or two-character words)",
    ),
    ("feeds.search.col.kind", "Kind"),
    ("feeds.search.col.title", "Title"),
    ("feeds.search.col.org", "Org"),
    ("feeds.search.col.date", "Date"),
    ("feeds.kind.obligation", "Obligation"),
    ("feeds.kind.record", "Record"),
    ("feeds.kind.committee-meeting", "Committee meeting"),
    ("feeds.kind.situation-analysis", "Situation analysis"),
    ("feeds.kind.training-session", "Training"),
    ("feeds.kind.education-activity", "Youth education"),
    ("feeds.kind.directive", "Directive"),
    ("feeds.kind.task", "Supervised task"),
    ("feeds.ledger.download", "Export the ledger (Excel)"),
    ("feeds.ledger.bad_year_title", "Wrong year"),
    (
        "feeds.ledger.bad_year",
        "year: “{value}” is not a year from 2000 to 2100.",
    ),
];
