//! Sweep: every text value of every body is bounded. Every POST, PUT and PATCH route, given a
//! 1 MB value in a field its form (or JSON body) really has, answers 413 or 422; given a value
//! just over `limits::FIELD_MAX` (far under the body limit) it answers 422 naming the field;
//! and neither stores anything — but for what a case route audits by design before it reads an
//! upload's parts (the view of the case, and the refusal: `fixture::only_case_audit`).

use super::fixture::{
    FormIndex, SWEEPERS, ids, only_case_audit, role_for, routes_with_paths, sign_in_all, snapshot,
};
use super::writes::{Encoding, Token, plan};
use crate::common::TestApp;
use std::collections::HashMap;
use zeren_web::shared::limits::FIELD_MAX;

/// One megabyte.
const MB: usize = 1_000_000;

/// Every write route, as the roles that may use it: a 1 MB value answers 413 or 422 and a value
/// just over `FIELD_MAX` answers 422; neither stores anything. The multipart text parts of
/// uploads are counted by the shared upload reader as they arrive (`limits::chars_in`).
#[tokio::test]
async fn every_body_field_is_bounded() {
    let app = TestApp::demo().await;
    let ids = ids(&app).await;
    let roles = SWEEPERS;
    let sessions = sign_in_all(&app, &roles).await;
    let visitor = app.client();
    let mut clients: Vec<&reqwest::Client> = sessions.iter().map(|s| &s.client).collect();
    clients.push(&visitor);
    let forms = FormIndex::gather(&app, &clients, &ids).await;
    let by_role: HashMap<&str, usize> = roles.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut failures = Vec::new();
    let routes = routes_with_paths(&["POST", "PUT", "PATCH"], &ids, &mut failures);
    let huge = "x".repeat(MB);
    let over = "x".repeat(FIELD_MAX + 1);
    let mut before = snapshot(&app).await;
    let mut tried = 0;
    for (route, path) in &routes {
        let plan = match plan(route, path, &forms, &ids) {
            Ok(p) => p,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let kind = match plan.body {
            Encoding::Form(_) => "form",
            Encoding::Json(_) => "JSON",
            Encoding::Multipart(_) => "multipart",
        };
        let session = &sessions[by_role[role_for(path)]];
        for (what, value, want) in [
            ("a 1 MB value", &huge, &[413u16, 422][..]),
            ("a value of FIELD_MAX + 1 characters", &over, &[422u16][..]),
        ] {
            // A fresh sign-in for the routes that end or change the session.
            let fresh;
            let (client, csrf) = if route.path == "/logout" || route.path == "/login" {
                fresh = app.sign_in(role_for(path), crate::common::PASSWORD).await;
                before = snapshot(&app).await;
                (&fresh.client, fresh.csrf.as_str())
            } else {
                (&session.client, session.csrf.as_str())
            };
            let resp = plan
                .send(&app, client, Token::Right(csrf), Some(value))
                .await;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            tried += 1;
            let after = snapshot(&app).await;
            // A case route reads the case before its body (an upload's parts are read by the
            // handler): that view, and the refusal, are audited by design; nothing else.
            let diff = before.diff(&after);
            let case_audit = !diff.is_empty() && only_case_audit(&route.path, &diff);
            let changed: Vec<String> = if case_audit {
                Vec::new()
            } else {
                diff.iter().map(|c| c.to_string()).collect()
            };
            // Refused by the bound, the answer names the field and the bound.
            let names_it = status != 422
                || want.len() == 2
                || (text.contains(&plan.field) && text.contains(&FIELD_MAX.to_string()));
            if !want.contains(&status) || !changed.is_empty() || !names_it {
                failures.push(format!(
                    "{} {} ({path}; {kind} field `{}` from {}) with {what}: answered {status}, \
                     want {want:?}{}{}",
                    route.method,
                    route.path,
                    plan.field,
                    plan.source,
                    if names_it {
                        String::new()
                    } else {
                        format!(
                            " naming the field and the bound ({})",
                            text.chars().take(200).collect::<String>()
                        )
                    },
                    if changed.is_empty() {
                        String::new()
                    } else {
                        format!("; stored: {}", changed.join("; "))
                    }
                ));
                before = after;
            } else if case_audit {
                before = after;
            }
        }
    }
    eprintln!("bounds: {} write routes, {tried} requests", routes.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}

/// An upload over its route's limit is refused for its size (413), not as a forged form,
/// however much of it the server reads at once: on a connection that has just carried a large
/// form, the first read of the next body is large enough to pass the limit before its first
/// part (the CSRF token) is parsed. Found by the body sweep when a sysadmin form came to run
/// just before `/policies/load`.
#[tokio::test]
async fn an_upload_over_its_limit_is_refused_for_its_size_however_it_arrives() {
    let app = TestApp::demo().await;
    let s = app.sign_in("sysadmin", crate::common::PASSWORD).await;
    let huge = "x".repeat(MB);
    let form = s
        .client
        .post(app.url("/admin/notify/robot-hosts"))
        .form(&[("csrf", s.csrf.as_str()), ("hosts", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 422);
    let _ = form.text().await;
    let body = crate::common::multipart_form(
        &[("csrf", s.csrf.as_str()), ("note", huge.as_str())],
        &[("pack.toml", b"x".as_slice())],
    );
    let resp = s
        .client
        .post(app.url("/policies/load"))
        .header("content-type", body.0)
        .body(body.1)
        .send()
        .await
        .unwrap();
    assert!(
        [413, 422].contains(&resp.status().as_u16()),
        "answered {}",
        resp.status()
    );
    app.finish().await;
}
