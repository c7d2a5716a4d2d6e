//! The matrix extended to who does the work (PRODUCT.md §5): each write that acts on one
//! obligation or on one record, as the demo leader (who holds the 学生工作 and 宣传 portfolios)
//! and the demo staff member, on things in their own college that lie in the leader's
//! portfolio or outside it, and that the staff member was named to handle (经办人) or not.
//!
//! Everyone here may read everything (200 on the pages); what differs is who may act. A write
//! allowed reaches the check of its body or version (422 or 409: nothing is stored); a write
//! refused is 403. So the leader acts within the portfolio held today and nowhere else, the
//! staff member only on what they were named to handle, and a handler never names another.

use crate::common::matrix::multipart_body;
use crate::common::{PASSWORD, TestApp};
use zeren_core::clock::Clock;
use zeren_storage::Actor;
use zeren_storage::repo::records::RecordDraft;

/// What a caller may do with one obligation: act on it, name its handler.
#[derive(Clone, Copy)]
struct Acts {
    act: bool,
    name: bool,
}

const OBLIGATION_CASES: &[(&str, &str, Acts, Acts)] = &[
    // (obligation, what it is, leader, staff)
    (
        "youth",
        "youth education: the leader's portfolio (学生工作)",
        Acts {
            act: true,
            name: true,
        },
        Acts {
            act: false,
            name: false,
        },
    ),
    (
        "cadres",
        "cadre training: the 组织 portfolio, not the leader's",
        Acts {
            act: false,
            name: false,
        },
        Acts {
            act: false,
            name: false,
        },
    ),
    (
        "named",
        "the first responsible person's own, the staff member named its handler",
        Acts {
            act: false,
            name: false,
        },
        Acts {
            act: true,
            name: false,
        },
    ),
    (
        "unnamed",
        "the first responsible person's own, nobody named",
        Acts {
            act: false,
            name: false,
        },
        Acts {
            act: false,
            name: false,
        },
    ),
];

const RECORD_CASES: &[(&str, &str, bool, bool)] = &[
    // (record, what it is, the leader keeps it, the staff member keeps it)
    (
        "youth",
        "an education activity: youth education, the leader's portfolio",
        true,
        false,
    ),
    (
        "cadres",
        "a training session: cadre and operator training, not the leader's",
        false,
        false,
    ),
    (
        "named",
        "a situation analysis, evidence of an obligation the staff member handles",
        false,
        true,
    ),
    (
        "unnamed",
        "a situation analysis of nobody's handling",
        false,
        false,
    ),
];

#[tokio::test]
async fn who_acts_within_the_portfolio_held_and_on_what_they_were_named_to_handle() {
    let app = TestApp::demo().await;
    let model = app.db.load_model().await.unwrap();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let college = model.find_org("cqu-mse").unwrap().id.clone();
    let staff_person = app.person_id("刘佳").await;
    let secretary = app.person_id("李明华").await;
    let open: Vec<_> = app
        .db
        .obligations(&college, 2026)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.state == "open")
        .collect();
    let first = |duty: &str| {
        open.iter()
            .find(|o| o.duty == duty)
            .unwrap_or_else(|| panic!("no open {duty} of cqu-mse"))
            .clone()
    };
    let own: Vec<_> = open
        .iter()
        .filter(|o| o.duty == "situation-analysis" || o.duty == "annual-dedicated-study")
        .cloned()
        .collect();
    assert!(
        own.len() >= 3,
        "three open obligations of the secretary's own"
    );

    // The secretary names the staff member on two of their own; a situation analysis is
    // recorded and linked as the evidence of the first.
    let lang = zeren_core::Lang::Zh;
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let linked = tx
        .set_obligation_handler(
            &own[0].id,
            own[0].version,
            Some(&staff_person),
            &model,
            lang,
        )
        .await
        .unwrap();
    let named = tx
        .set_obligation_handler(
            &own[1].id,
            own[1].version,
            Some(&staff_person),
            &model,
            lang,
        )
        .await
        .unwrap();
    let record = |kind: &str, title: &str| RecordDraft {
        kind: kind.into(),
        org: college.clone(),
        date: "2026-11-21".into(),
        title: format!("matrix: {title}"),
        ..RecordDraft::default()
    };
    let mut made = Vec::new();
    for draft in [
        RecordDraft {
            audience: "2026级本科生".into(),
            count: "30".into(),
            content: "网络文明".into(),
            ..record("education-activity", "education activity")
        },
        RecordDraft {
            trainer: "校党委组织部".into(),
            attendees: vec![secretary.clone()],
            hours: "2".into(),
            ..record("training-session", "training session")
        },
        RecordDraft {
            covers: "2026-Q3".into(),
            author: secretary.clone(),
            findings: "总体平稳".into(),
            measures: "加强研判".into(),
            ..record("situation-analysis", "situation analysis (handled)")
        },
        RecordDraft {
            covers: "2026-Q2".into(),
            author: secretary.clone(),
            findings: "总体平稳".into(),
            measures: "加强研判".into(),
            ..record("situation-analysis", "situation analysis")
        },
    ] {
        let r = tx
            .create_record(&draft, &model, &pack, lang)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", draft.title));
        made.push(r.id);
    }
    let linked_record = made[2].clone();
    tx.attach_evidence(&linked.id, &linked_record, linked.version, lang)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let obligation_of = |case: &str| match case {
        "youth" => first("youth-education"),
        "cadres" => first("cadre-training"),
        "named" => named.clone(),
        _ => own[2].clone(),
    };
    let record_of = |case: &str| match case {
        "youth" => made[0].clone(),
        "cadres" => made[1].clone(),
        "named" => made[2].clone(),
        _ => made[3].clone(),
    };

    let mut failures = Vec::new();
    let mut tried = 0;
    for caller in ["leader", "staff"] {
        let session = app.sign_in(caller, PASSWORD).await;
        let token = app.token(caller).await;
        let send = async |method: &str, path: &str, body: Option<&str>, api: bool| {
            let mut req = if api {
                app.client()
                    .request(method.parse().unwrap(), app.url(path))
                    .bearer_auth(&token)
            } else {
                session
                    .client
                    .request(method.parse().unwrap(), app.url(path))
            };
            req = match (body, api) {
                (Some(b), true) => req
                    .header("content-type", "application/json")
                    .body(b.to_string()),
                (Some(b), false) => req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf={}&{b}", session.csrf)),
                (None, _) => req,
            };
            req.send().await.unwrap().status().as_u16()
        };
        for (case, what, leader, staff) in OBLIGATION_CASES {
            let may = if caller == "leader" { leader } else { staff };
            let o = obligation_of(case);
            let id = &o.id;
            let v = o.version;
            let kind = pack.duty(&o.duty).unwrap().evidence[0].kind.as_str();
            let act = |ok: u16| if may.act { ok } else { 403 };
            let name = |ok: u16| if may.name { ok } else { 403 };
            let tries: Vec<(&str, String, Option<String>, bool, u16)> = vec![
                ("GET", format!("/obligations/{id}"), None, false, 200),
                (
                    "GET",
                    format!("/records/new?obligation={id}"),
                    None,
                    false,
                    act(200),
                ),
                (
                    "POST",
                    format!("/obligations/{id}/waiver"),
                    Some(format!("version={v}&reason=")),
                    false,
                    act(422),
                ),
                (
                    "POST",
                    format!("/api/v1/obligations/{id}/waiver"),
                    Some(format!(r#"{{"version":{v},"reason":""}}"#)),
                    true,
                    act(422),
                ),
                (
                    "POST",
                    format!("/obligations/{id}/handler"),
                    Some("version=0&handler=".into()),
                    false,
                    name(409),
                ),
                (
                    "POST",
                    format!("/api/v1/obligations/{id}/handler"),
                    Some(r#"{"version":0,"handler":null}"#.into()),
                    true,
                    name(409),
                ),
                (
                    "POST",
                    format!("/api/v1/records?obligation={id}"),
                    Some(format!(
                        r#"{{"kind":"{kind}","org":"cqu-mse","date":"not-a-date"}}"#
                    )),
                    true,
                    act(422),
                ),
                (
                    "POST",
                    format!("/api/v1/obligations/{id}/evidence"),
                    Some(format!(r#"{{"record":"{}","version":0}}"#, made[0])),
                    true,
                    act(409),
                ),
            ];
            for (method, path, body, api, want) in tries {
                let got = send(method, &path, body.as_deref(), api).await;
                tried += 1;
                if got != want {
                    failures.push(format!(
                        "{caller} · {what}: {method} {path}: got {got}, want {want}"
                    ));
                }
            }
        }
        for (case, what, leader, staff) in RECORD_CASES {
            let keeps = if caller == "leader" { *leader } else { *staff };
            let rid = record_of(case);
            let keep = |ok: u16| if keeps { ok } else { 403 };
            let mut results = vec![
                (
                    "GET /records/{id}",
                    send("GET", &format!("/records/{rid}"), None, false).await,
                    200,
                ),
                (
                    "GET /records/{id}/edit",
                    send("GET", &format!("/records/{rid}/edit"), None, false).await,
                    keep(200),
                ),
                (
                    "PATCH /api/v1/records/{id}",
                    send(
                        "PATCH",
                        &format!("/api/v1/records/{rid}"),
                        Some(r#"{"version":0}"#),
                        true,
                    )
                    .await,
                    keep(409),
                ),
            ];
            let (ct, bytes) = multipart_body(None, "MZ\u{90}\u{0}\u{3}\u{0}\u{0}\u{0}matrix");
            let got = app
                .client()
                .post(app.url(&format!("/api/v1/records/{rid}/attachments")))
                .bearer_auth(&token)
                .header("content-type", ct)
                .body(bytes)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            results.push(("POST /api/v1/records/{id}/attachments", got, keep(422)));
            for (route, got, want) in results {
                tried += 1;
                if got != want {
                    failures.push(format!(
                        "{caller} · {what}: {route}: got {got}, want {want}"
                    ));
                }
            }
        }
    }
    // Nothing was changed by any of them.
    for case in ["youth", "cadres", "named", "unnamed"] {
        let o = obligation_of(case);
        let now = app.db.obligation(&o.id).await.unwrap();
        if now.version != o.version {
            failures.push(format!(
                "{case}: the obligation changed (version {})",
                now.version
            ));
        }
        let r = app.db.record(&record_of(case)).await.unwrap();
        if r.version != 1 || !app.db.record_attachments(&r.id).await.unwrap().is_empty() {
            failures.push(format!("{case}: the record changed"));
        }
    }
    eprintln!("acting matrix: {tried} requests");
    assert!(
        failures.is_empty(),
        "{} of {tried} answered unexpectedly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}
