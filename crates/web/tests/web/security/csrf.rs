//! Sweep: every state-changing route (POST, PUT, PATCH, DELETE) refuses a cookie-authenticated
//! request whose CSRF token is missing or another session's — urlencoded forms, JSON and
//! multipart uploads alike — with 403, and stores nothing.

use super::fixture::{
    FormIndex, SWEEPERS, ids, role_for, routes_with_paths, sign_in_all, snapshot,
};
use super::writes::{Token, plan};
use crate::common::TestApp;
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_web::shared::i18n::t;

/// Posted by another server, with no browser, cookie or token (`shared::csrf::SERVER_POSTS`):
/// the 统一身份认证 portal's single logout. It acts only on a ticket's digest (tests/web/directory.rs).
const SERVER_POSTS: &[&str] = zeren_web::shared::csrf::SERVER_POSTS;

#[tokio::test]
async fn every_write_refuses_a_missing_or_wrong_csrf_token() {
    let app = TestApp::demo().await;
    let ids = ids(&app).await;
    let roles = SWEEPERS;
    let sessions = sign_in_all(&app, &roles).await;
    let visitor = app.client();
    let mut clients: Vec<&reqwest::Client> = sessions.iter().map(|s| &s.client).collect();
    clients.push(&visitor);
    let forms = FormIndex::gather(&app, &clients, &ids).await;
    // The wrong token: a live session's, of another sign-in of the same account.
    let others = sign_in_all(&app, &roles).await;
    let by_role: HashMap<&str, usize> = roles.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut failures = Vec::new();
    let routes = routes_with_paths(&["POST", "PUT", "PATCH", "DELETE"], &ids, &mut failures);
    let mut tried = 0;
    let mut before = snapshot(&app).await;
    for (route, path) in &routes {
        if SERVER_POSTS.contains(&route.path.as_str()) {
            continue;
        }
        let plan = match plan(route, path, &forms, &ids) {
            Ok(p) => p,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let i = by_role[role_for(path)];
        let (session, other) = (&sessions[i], &others[i]);
        for (what, token) in [
            ("no token", Token::Missing),
            ("another session's token", Token::Wrong(&other.csrf)),
        ] {
            let resp = plan.send(&app, &session.client, token, None).await;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            // Refused by the CSRF check itself, not by something after it.
            let by_csrf = text.contains("csrf_failed")
                || [Lang::Zh, Lang::En]
                    .iter()
                    .any(|l| text.contains(t(*l, "auth.error.csrf")));
            tried += 1;
            let after = snapshot(&app).await;
            let changed = before.changes(&after);
            if status != 403 || !by_csrf || !changed.is_empty() {
                failures.push(format!(
                    "{} {} ({path}, {} body from {}) with {what}: answered {status}, want 403 \
                     from the CSRF check{}",
                    route.method,
                    route.path,
                    match plan.body {
                        super::writes::Encoding::Form(_) => "form",
                        super::writes::Encoding::Json(_) => "JSON",
                        super::writes::Encoding::Multipart(_) => "multipart",
                    },
                    plan.source,
                    if changed.is_empty() {
                        String::new()
                    } else {
                        format!("; changed {}", changed.join("; "))
                    }
                ));
                before = after;
            }
        }
    }
    eprintln!("csrf: {} write routes, {tried} requests", routes.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}
