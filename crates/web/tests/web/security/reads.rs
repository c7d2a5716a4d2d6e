//! Sweep: no route changes anything on GET or HEAD — as every demo account and as a visitor,
//! every GET route of the table (its path filled with real ids) leaves every table as it was.

use super::fixture::{Snapshot, TableChange, ids, routes_with_paths, snapshot};
use crate::common::TestApp;
use crate::common::matrix::ROLES;

/// Reads that are themselves audited: the only change they may make is to append audit entries
/// with the actions listed for their route (and move the chain's head) — no other row, not the
/// model generation. Taking a whole ledger out of Zeren is recorded (who, which org, when, from
/// where); so is every view of an accountability case, its decision document and its files
/// (`case.view`), and every attempt by someone with no part in it, who gets 404
/// (`case.view.refused`).
const AUDITED_READS: &[(&str, &[&str])] = &[
    ("/orgs/{code}/ledger.xlsx", &["ledger.export"]),
    ("/cases/{id}", CASE_VIEW),
    ("/api/v1/cases/{id}", CASE_VIEW),
    ("/cases/{id}/decision.docx", CASE_VIEW),
    ("/cases/{id}/attachments/{sha}", CASE_VIEW),
];

/// What a read of a case audits.
const CASE_VIEW: &[&str] = &["case.view", "case.view.refused"];

/// Whether the changes of a read are only the audit entries its route may write.
fn only_audited(route: &str, changes: &[TableChange]) -> bool {
    let Some((_, actions)) = AUDITED_READS.iter().find(|(r, _)| *r == route) else {
        return false;
    };
    changes.iter().all(|c| match c.table {
        "audit_log" => {
            c.removed == 0
                && c.changed == 0
                && c.actions.iter().all(|a| actions.contains(&a.as_str()))
        }
        "audit_head" => true,
        _ => false,
    })
}

/// GET routes that answer 200 only to a session owing its second factor, which the pending
/// sweep (security/pending.rs) reads and checks.
/// (And the first-run page, which answers 200 only on an installation without orgs, to its
/// designated founder: `tests/web/setup.rs`.)
const PENDING_ONLY: &[&str] = &["/login/totp", "/setup"];

/// The steps of signing in through a portal or provider, which answer 404 while it is not set
/// up (as in this sweep, where they change nothing); their writes — the attempt, the session,
/// the audit entry — are the sign-in itself, read in `tests/web/directory.rs`.
const SIGN_IN_STEPS: &[&str] = &[
    "/login/cas",
    "/login/cas/return",
    "/login/oidc",
    "/login/oidc/return",
    "/login/wecom",
    "/login/wecom/return",
    "/login/dingtalk",
    "/login/dingtalk/return",
];

/// Every GET route, as every role and a visitor (HEAD too, as the secretary), changes nothing:
/// no table, no audit entry, no model generation — but for the audited reads above, which may
/// append their own entry (an export is audited without moving the model).
#[tokio::test]
async fn no_get_or_head_changes_state() {
    let app = TestApp::demo().await;
    let ids = ids(&app).await;
    let mut failures = Vec::new();
    let routes = routes_with_paths(&["GET"], &ids, &mut failures);
    let mut callers: Vec<Option<&str>> = vec![None];
    callers.extend(ROLES.iter().map(|r| Some(*r)));
    let mut tried = 0;
    // Routes that answered 200 to someone: the sweep reached their handlers' work.
    let mut reached = std::collections::HashSet::new();
    for caller in callers {
        let (client, who) = match caller {
            Some(role) => (
                app.sign_in(role, crate::common::PASSWORD).await.client,
                role,
            ),
            None => (app.client(), "a visitor"),
        };
        let mut before: Snapshot = snapshot(&app).await;
        for (route, path) in &routes {
            // HEAD runs the GET handler; one account tries it, the rest GET only (time).
            let methods: &[&str] = if caller == Some("secretary") {
                &["GET", "HEAD"]
            } else {
                &["GET"]
            };
            for method in methods {
                let resp = client
                    .request(method.parse().unwrap(), app.url(path))
                    .send()
                    .await
                    .unwrap();
                let status = resp.status().as_u16();
                drop(resp.bytes().await);
                if status == 200 {
                    reached.insert(route.path.clone());
                }
                tried += 1;
                let after = snapshot(&app).await;
                // A case read that reached the case (its part shown, or 404 to someone with no
                // part) is audited: the confidential file is never read unrecorded.
                let audited = AUDITED_READS
                    .iter()
                    .any(|(r, a)| *r == route.path && *a == CASE_VIEW);
                if audited && caller.is_some() && matches!(status, 200 | 404) && after == before {
                    failures.push(format!(
                        "{method} {} ({path}) as {who} ({status}) read a case unaudited",
                        route.path
                    ));
                }
                if after != before {
                    let diff = before.diff(&after);
                    if !only_audited(&route.path, &diff) {
                        let lines: Vec<String> = diff.iter().map(|c| c.to_string()).collect();
                        failures.push(format!(
                            "{method} {} ({path}) as {who} ({status}) changed: {}",
                            route.path,
                            lines.join("; ")
                        ));
                    }
                    before = after;
                }
            }
        }
    }
    for (route, path) in &routes {
        if !reached.contains(&route.path)
            && !PENDING_ONLY.contains(&route.path.as_str())
            && !SIGN_IN_STEPS.contains(&route.path.as_str())
        {
            failures.push(format!(
                "GET {} ({path}) answered 200 to no one: its path names nothing real (see \
                 security/fixture.rs `concrete`)",
                route.path
            ));
        }
    }
    eprintln!("reads: {} GET routes, {tried} requests", routes.len());
    assert!(
        failures.is_empty(),
        "GET/HEAD must change nothing; {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}
