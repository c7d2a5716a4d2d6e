//! Sweep: a session that has given its password but not yet its second-factor code reaches only
//! the code form (`GET`/`POST /login/totp`), sign-out (`POST /logout`) and the static assets.
//! Every other route refuses it — the API with 401/403, pages by sending it back to the code
//! form (or to sign in) — and nothing changes. Public routes (`auth: false` in the table) give it
//! no more than a visitor: the visitor's answer or a refusal, and nothing changes.

use super::fixture::{
    FormIndex, SWEEPERS, Snapshot, ids, routes_with_paths, sign_in_all, snapshot,
};
use super::writes::{Token, plan};
use crate::common::{PASSWORD, TestApp, hidden, location, route_table};
use zeren_core::clock::Clock;
use zeren_storage::Actor;

/// The routes a pending session may use.
const ALLOWED: &[(&str, &str)] = &[
    ("GET", "/login/totp"),
    ("POST", "/login/totp"),
    ("POST", "/logout"),
];

/// The account whose second factor is switched on for the sweep.
const USER: &str = "staff";

/// Switches the second factor on for `username` (through the storage layer: the sweep never
/// gives a code, so any secret does).
async fn enable_totp(app: &TestApp, username: &str) {
    let user = app.db.user_by_username(username).await.unwrap().unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let secret = zeren_core::totp::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").unwrap();
    tx.set_totp(&user, Some((&secret, 0)), "").await.unwrap();
    tx.commit().await.unwrap();
}

/// Whether an answer refuses the request: 401/403, or a page sending it to the code form or to
/// sign in.
fn refuses(status: u16, to: &str) -> bool {
    matches!(status, 401 | 403) || (status == 303 && to.starts_with("/login"))
}

/// A session that gave its password but not yet its code reaches the code form, sign-out and
/// the assets, and nothing else: no page, no API route, no write (issue 10, defect 1).
#[tokio::test]
async fn a_pending_second_factor_reaches_only_the_code_form_and_sign_out() {
    let app = TestApp::demo().await;
    let ids = ids(&app).await;
    let roles = SWEEPERS;
    let sessions = sign_in_all(&app, &roles).await;
    let visitor = app.client();
    let mut clients: Vec<&reqwest::Client> = sessions.iter().map(|s| &s.client).collect();
    clients.push(&visitor);
    let forms = FormIndex::gather(&app, &clients, &ids).await;
    enable_totp(&app, USER).await;

    // The password step: the session now owes its code.
    let pending = app.client();
    let resp = app.try_sign_in(&pending, USER, PASSWORD).await;
    assert_eq!(resp.status(), 303);
    assert!(
        location(&resp).starts_with("/login/totp"),
        "{}",
        location(&resp)
    );
    let form = pending.get(app.url("/login/totp")).send().await.unwrap();
    assert_eq!(
        form.status(),
        200,
        "the code form answers a pending session"
    );
    let csrf = hidden(&form.text().await.unwrap(), "csrf");
    assert!(
        !csrf.is_empty(),
        "the code form carries the session's token"
    );

    let mut failures = Vec::new();
    for (m, p) in ALLOWED {
        if !route_table().iter().any(|r| r.method == *m && r.path == *p) {
            failures.push(format!(
                "{m} {p}: allowed to a pending session but not in the table"
            ));
        }
    }
    let mut routes = routes_with_paths(&["GET"], &ids, &mut failures);
    routes.extend(routes_with_paths(
        &["POST", "PUT", "PATCH", "DELETE"],
        &ids,
        &mut failures,
    ));
    let mut before: Snapshot = snapshot(&app).await;
    let mut tried = 0;
    for (route, path) in &routes {
        if ALLOWED.contains(&(route.method, route.path.as_str())) {
            continue;
        }
        let (status, to, visitor_status) = if route.method == "GET" {
            let resp = pending.get(app.url(path)).send().await.unwrap();
            let got = (resp.status().as_u16(), location(&resp));
            let v = visitor.get(app.url(path)).send().await.unwrap();
            (got.0, got.1, v.status().as_u16())
        } else {
            let plan = match plan(route, path, &forms, &ids) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            let resp = plan.send(&app, &pending, Token::Right(&csrf), None).await;
            // A visitor's write has no session token to bring: 403 (or 401 from the API).
            (resp.status().as_u16(), location(&resp), 403)
        };
        tried += 1;
        let after = snapshot(&app).await;
        let changed = before.changes(&after);
        let ok = refuses(status, &to)
            || (!route.auth && (status == visitor_status || (400..500).contains(&status)));
        if !ok || !changed.is_empty() {
            failures.push(format!(
                "{} {} ({path}) reached by a pending session: answered {status}{}{}",
                route.method,
                route.path,
                if to.is_empty() {
                    String::new()
                } else {
                    format!(" → {to}")
                },
                if changed.is_empty() {
                    String::new()
                } else {
                    format!("; changed {}", changed.join("; "))
                }
            ));
            before = after;
        }
    }
    // The static assets, and sign-out, which ends the session.
    let css = pending
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        css.status(),
        200,
        "the stylesheet answers a pending session"
    );
    let out = pending
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303, "sign-out answers a pending session");
    let again = pending.get(app.url("/login/totp")).send().await.unwrap();
    assert!(
        refuses(again.status().as_u16(), &location(&again)),
        "after sign-out the code form is gone: {}",
        again.status()
    );
    eprintln!("pending: {} routes, {tried} requests", routes.len());
    assert!(
        failures.is_empty(),
        "a pending second factor must reach only the code form, sign-out and the assets; {} \
         failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}
