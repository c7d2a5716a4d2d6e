//! `GET /api/v1/me`: who the caller is.

use crate::AppState;
use crate::shared::auth::ApiViewer;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

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
    /// The person's calendar feed (iCalendar): whether one is live, made and last read when
    /// (never its address, which is shown once, when it is made).
    calendar_feed: crate::areas::feeds::FeedStatus,
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
pub(super) async fn me(State(state): State<AppState>, ApiViewer(v): ApiViewer) -> Response {
    let calendar_feed = crate::areas::feeds::feed_status(&state, &v.user).await;
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
