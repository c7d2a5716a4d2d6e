//! The JSON API under `/api/v1`.

use crate::AppState;
use crate::auth::{ApiViewer, Viewer};
use crate::error::{ApiError, ErrorCode};
use crate::i18n::Tr;
use crate::routes::{Describe, Routes};
use crate::views::anchor;
use axum::extract::rejection::PathRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;
use zeren_core::access::Permission;
use zeren_core::policy::{
    Article, AssessmentScheme, Duty, Ground, PolicyMeta, PolicyPack, Portfolio, PostKind,
    ReminderRules, Topic,
};
use zeren_storage::StoredPolicy;

/// The API's route table (paths relative to `/api/v1`).
pub fn routes() -> Routes {
    Routes::api("/api/v1")
        .get(
            "/health",
            Describe::public("system", "Liveness and database engine"),
            health,
        )
        .get(
            "/openapi.json",
            Describe::public("system", "This OpenAPI document"),
            openapi_doc,
        )
        .get(
            "/me",
            Describe::auth("identity", "The caller, with roles and their org scopes"),
            me,
        )
        .get(
            "/policies",
            Describe::auth("policies", "Loaded policy versions"),
            list_policies,
        )
        .get(
            "/policies/{id}",
            Describe::auth(
                "policies",
                "One policy version: articles, duties, grounds, indicators",
            ),
            get_policy,
        )
        .merge(crate::orgs::api_routes())
        .merge(crate::admin::api_routes())
        .merge(crate::obligations::api_routes())
        .merge(crate::records::api_routes())
        .merge(crate::notify::api_routes())
        .merge(crate::feeds::api_routes())
}

/// The API router with its fallbacks, to nest under `/api/v1`.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().into_parts();
    router
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// `GET /api/v1/openapi.json` — generated from the route table.
async fn openapi_doc() -> Response {
    static DOC: std::sync::LazyLock<serde_json::Value> =
        std::sync::LazyLock::new(|| crate::routes::openapi(&crate::route_table()));
    Json(&*DOC).into_response()
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
    database: &'static str,
}

/// `GET /api/v1/health` — no auth: load balancers and monitors call it.
async fn health(State(state): State<AppState>) -> Response {
    let database = state.db.backend().as_str();
    let (status, code) = match state.db.ping().await {
        Ok(_) => ("ok", StatusCode::OK),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database query failed");
            ("unavailable", StatusCode::SERVICE_UNAVAILABLE)
        }
    };
    let body = Health {
        status,
        version: env!("CARGO_PKG_VERSION"),
        database,
    };
    (
        code,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}

/// One loaded policy version in a list.
#[derive(Serialize)]
struct PolicySummary<'a> {
    id: &'a str,
    series: &'a str,
    version: u32,
    document_number: &'a str,
    title: &'a str,
    title_en: &'a str,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    in_force: bool,
    builtin: bool,
}

#[derive(Serialize)]
struct PolicyList<'a> {
    policies: Vec<PolicySummary<'a>>,
}

/// `GET /api/v1/policies`
async fn list_policies(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    require(&v, Permission::ReadPolicy, None)?;
    let today = state.clock.today();
    let stored = &v.snap.policies;
    let policies = stored
        .iter()
        .map(|p| {
            let m = &p.pack.meta;
            PolicySummary {
                id: &m.id,
                series: &m.series,
                version: m.version,
                document_number: &m.document_number,
                title: &m.title,
                title_en: &m.title_en,
                effective_from: m.effective_from,
                effective_until: m.effective_until,
                in_force: p.pack.in_force_on(today),
                builtin: p.builtin,
            }
        })
        .collect();
    Ok(Json(PolicyList { policies }).into_response())
}

/// An article with both citation forms and its anchor on the policy page.
#[derive(Serialize)]
struct ArticleDoc<'a> {
    number: u32,
    citation: String,
    citation_zh: String,
    anchor: String,
    text: &'a str,
    items: Vec<ItemDoc<'a>>,
}

#[derive(Serialize)]
struct ItemDoc<'a> {
    number: u32,
    citation: String,
    citation_zh: String,
    anchor: String,
    text: &'a str,
}

impl<'a> ArticleDoc<'a> {
    fn new(a: &'a Article) -> ArticleDoc<'a> {
        let c = zeren_core::Citation::article(a.number);
        ArticleDoc {
            number: a.number,
            citation: c.to_string(),
            citation_zh: c.to_zh(),
            anchor: anchor(c),
            text: &a.text,
            items: a
                .items
                .iter()
                .map(|i| {
                    let c = zeren_core::Citation::item(a.number, i.number);
                    ItemDoc {
                        number: i.number,
                        citation: c.to_string(),
                        citation_zh: c.to_zh(),
                        anchor: anchor(c),
                        text: &i.text,
                    }
                })
                .collect(),
        }
    }
}

/// A whole policy version: the pack as parsed, with articles carrying both citation forms.
#[derive(Serialize)]
struct PolicyDoc<'a> {
    meta: &'a PolicyMeta,
    builtin: bool,
    in_force: bool,
    reminders: &'a ReminderRules,
    topics: &'a [Topic],
    post_kinds: &'a [PostKind],
    portfolios: &'a [Portfolio],
    articles: Vec<ArticleDoc<'a>>,
    duties: &'a [Duty],
    grounds: &'a [Ground],
    assessment: Option<&'a AssessmentScheme>,
}

impl<'a> PolicyDoc<'a> {
    fn new(stored: &'a StoredPolicy, today: NaiveDate) -> PolicyDoc<'a> {
        let PolicyPack {
            meta,
            reminders,
            topics,
            post_kinds,
            portfolios,
            articles,
            duties,
            grounds,
            assessment,
        } = &stored.pack;
        PolicyDoc {
            meta,
            builtin: stored.builtin,
            in_force: stored.pack.in_force_on(today),
            reminders,
            topics,
            post_kinds,
            portfolios,
            articles: articles.iter().map(ArticleDoc::new).collect(),
            duties,
            grounds,
            assessment: assessment.as_ref(),
        }
    }
}

/// `GET /api/v1/policies/{id}`
async fn get_policy(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ReadPolicy, None)?;
    let Path(id) = id.map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            tr.tf("error.bad_request", &[("detail", &e.body_text())]),
        )
    })?;
    let stored = v
        .snap
        .policy(&id)
        .map_err(|e| ApiError::from_storage(e, tr, ErrorCode::PolicyNotFound, &id))?;
    let today = state.clock.today();
    // The document changes only with the snapshot (a new policy version) and the day.
    let body = v
        .snap
        .rendered(&format!("policy:{id}:{today}"), || {
            serde_json::to_vec(&PolicyDoc::new(stored, today))
        })
        .map_err(|e| {
            tracing::error!(error = %e, "policy serialisation failed");
            ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
        })?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// Any other path under `/api/v1`.
pub(crate) async fn route_not_found(tr: Tr, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorCode::RouteNotFound,
        tr.tf("error.route_not_found", &[("path", uri.path())]),
    )
}

/// A known path with a method it does not take.
async fn method_not_allowed(tr: Tr, method: Method) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        tr.tf("error.method_not_allowed", &[("method", method.as_str())]),
    )
}

/// Refuses with 403 unless the viewer may do `p` (on `org`, when given). For records in an org
/// outside the viewer's scope, handlers answer 404 instead, so nothing leaks about other orgs.
pub fn require(v: &Viewer, p: Permission, org: Option<&str>) -> Result<(), ApiError> {
    let allowed = match org {
        Some(o) => v.can(p, Some(o)),
        None => v.principal.can_somewhere(p),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            v.tr.t("error.forbidden").to_string(),
        ))
    }
}

#[derive(Serialize)]
struct Me<'a> {
    id: &'a str,
    username: &'a str,
    display_name: &'a str,
    person: Option<&'a str>,
    admin_role: Option<&'static str>,
    roles: Vec<MeRole<'a>>,
    lang: &'static str,
    must_change_password: bool,
    totp_enabled: bool,
    /// The session's CSRF token, for scripts that post with the session cookie (absent with a bearer token).
    csrf: Option<&'a str>,
    /// The person's calendar feed (iCalendar): its address while one is live.
    calendar_feed: crate::feeds::FeedStatus,
}

#[derive(Serialize)]
struct MeRole<'a> {
    role: &'static str,
    org: &'a str,
    org_code: &'a str,
    org_name: &'a str,
    source: &'a str,
}

/// `GET /api/v1/me` — who the caller is, and their roles with scopes.
async fn me(State(state): State<AppState>, ApiViewer(v): ApiViewer) -> Response {
    let calendar_feed = crate::feeds::feed_status(&state, &v.user).await;
    let roles = v
        .principal
        .roles
        .iter()
        .map(|g| {
            let org = v.snap.model.org(&g.org);
            MeRole {
                role: g.role.as_str(),
                org: &g.org,
                org_code: org.map(|o| o.code.as_str()).unwrap_or(""),
                org_name: org.map(|o| o.name.as_str()).unwrap_or(""),
                source: &g.source,
            }
        })
        .collect();
    Json(Me {
        id: &v.user.id,
        username: &v.user.username,
        display_name: &v.user.display_name,
        person: v.user.person.as_deref(),
        admin_role: v.principal.admin.map(|a| a.as_str()),
        roles,
        lang: v.tr.tag(),
        must_change_password: v.user.must_change_password,
        totp_enabled: v.user.totp_enabled,
        csrf: v.session.as_ref().map(|s| s.csrf.as_str()),
        calendar_feed,
    })
    .into_response()
}
