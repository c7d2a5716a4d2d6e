//! Matrix entries of the annual assessment, and the year the fixtures start. `{round}` is the
//! university's (`cqu`) assessment of 2026, its scheme (the pack's) published and the year in
//! the scoring step. The supervising office (`supervisor`, over the whole university) runs it;
//! anyone who may read an org of the university sees the year; a college's page is for those
//! who may read the college (a branch is no college: 404); the duty report is the college
//! secretary's and the office's. Writes are tried with bodies that fail a check or a rule, so
//! the matrix checks who reaches each write without changing the year.

use crate::common::TestApp;
use crate::common::matrix::{Caller, Expect, Scope, is_admin};
use zeren_core::assessments::{Scheme, Stage};
use zeren_core::clock::Clock;
use zeren_core::policy::AssessmentStep;
use zeren_storage::Actor;

/// Starts 2026's assessment of `cqu` through the storage layer, as the office would, and takes
/// it to the scoring step: its id.
pub async fn make_round(app: &TestApp) -> String {
    let model = app.db.load_model().await.unwrap();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let cqu = model.find_org("cqu").unwrap().id.clone();
    let scheme = Scheme::from_pack(&pack, 2026).unwrap();
    let today = app.clock.today();
    let actor = Actor {
        name: "supervisor".into(),
        origin: "127.0.0.1".into(),
    };
    let mut tx = app.db.begin(&actor, app.clock.now()).await.unwrap();
    let r = tx
        .create_assessment_round(&pack.meta.id, &cqu, 2026, &scheme)
        .await
        .unwrap();
    let r = tx
        .publish_assessment_scheme(
            &r.id,
            r.version,
            Stage::Step(AssessmentStep::SelfAssessment),
            today,
        )
        .await
        .unwrap();
    let r = tx
        .advance_assessment(&r.id, r.version, Stage::Step(AssessmentStep::Review), today)
        .await
        .unwrap();
    let r = tx
        .advance_assessment(
            &r.id,
            r.version,
            Stage::Step(AssessmentStep::Scoring),
            today,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    r.id
}

fn office(c: Caller) -> bool {
    c == Caller::Role("supervisor")
}

/// A page or API read of the year: every business account (the year is published).
fn year_read(api: bool) -> fn(Caller, Scope) -> u16 {
    if api {
        |c, _| match c {
            Caller::Anonymous => 401,
            c if is_admin(c) => 403,
            _ => 200,
        }
    } else {
        |c, _| match c {
            Caller::Anonymous => 303,
            c if is_admin(c) => 403,
            _ => 200,
        }
    }
}

/// The office's own: `ok` for it, 403 for anyone else who may see the year.
fn office_only(api: bool, get: bool, ok: u16, c: Caller) -> u16 {
    match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous if get => 303,
        Caller::Anonymous => 403,
        c if office(c) => ok,
        _ => 403,
    }
}

macro_rules! office {
    ($api:expr, $get:expr, $ok:expr) => {{
        fn f(c: Caller, _: Scope) -> u16 {
            office_only($api, $get, $ok, c)
        }
        f
    }};
}

/// Whether the caller reaches a college page at `s`: the office everywhere, others where they
/// may read the college (a branch's own org is no college).
fn reaches_college(c: Caller, s: Scope) -> bool {
    office(c) || (s == Scope::Inside && c != Caller::Role("branch"))
}

/// A route of one college: `ok` for those `who` selects among those who reach the college,
/// 403 for the others who do, 404 for those who do not.
fn college(api: bool, get: bool, c: Caller, s: Scope, who: fn(Caller) -> bool, ok: u16) -> u16 {
    match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous if get => 303,
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        c if !reaches_college(c, s) => 404,
        c if who(c) => ok,
        _ => 403,
    }
}

fn anyone(_: Caller) -> bool {
    true
}

fn the_office(c: Caller) -> bool {
    office(c)
}

fn the_secretary(c: Caller) -> bool {
    c == Caller::Role("secretary")
}

fn secretary_or_office(c: Caller) -> bool {
    the_secretary(c) || office(c)
}

macro_rules! college {
    ($api:expr, $get:expr, $who:expr, $ok:expr) => {{
        fn f(c: Caller, s: Scope) -> u16 {
            college($api, $get, c, s, $who, $ok)
        }
        f
    }};
}

pub fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/assessments", year_read(false)),
        Expect::plain("POST", "/assessments", office!(false, false, 422)).body("year=x&org=cqu"),
        Expect::plain("GET", "/assessments/{id}", year_read(false)).at("/assessments/{round}"),
        Expect::plain("POST", "/assessments/{id}/advance", office!(false, false, 422))
            .at("/assessments/{round}/advance")
            .body("version=1&to=nowhere"),
        Expect::plain("GET", "/assessments/{id}/scheme", year_read(false))
            .at("/assessments/{round}/scheme"),
        // The scheme in force is published: a change is refused (409), nothing written.
        Expect::plain("POST", "/assessments/{id}/scheme", office!(false, false, 409))
            .at("/assessments/{round}/scheme")
            .body("do=save&version=1"),
        Expect::plain("GET", "/assessments/{id}/scores.xlsx", year_read(false))
            .at("/assessments/{round}/scores.xlsx"),
        Expect::plain("GET", "/assessments/{id}/report.docx", office!(false, true, 200))
            .at("/assessments/{round}/report.docx"),
        Expect::scoped(
            "GET",
            "/assessments/{id}/orgs/{org}",
            "/assessments/{round}/orgs/{org}",
            college!(false, true, anyone, 200),
        ),
        // A mark without a reason: 422 for the office, 403 for the others who see the college.
        Expect::scoped(
            "POST",
            "/assessments/{id}/orgs/{org}",
            "/assessments/{round}/orgs/{org}",
            college!(false, false, the_office, 422),
        )
        .body("do=mark&indicator=situation-analysis&kind=adjustment&points=-1&reason="),
        Expect::scoped(
            "GET",
            "/assessments/{id}/orgs/{org}/indicators/{indicator}",
            "/assessments/{round}/orgs/{org}/indicators/situation-analysis",
            college!(false, true, anyone, 200),
        ),
        Expect::scoped(
            "GET",
            "/assessments/{id}/orgs/{org}/duty-report",
            "/assessments/{round}/orgs/{org}/duty-report",
            college!(false, true, secretary_or_office, 200),
        ),
        // An empty report: 422 for the college's secretary, 403 for everyone else.
        Expect::scoped(
            "POST",
            "/assessments/{id}/orgs/{org}/duty-report",
            "/assessments/{round}/orgs/{org}/duty-report",
            college!(false, false, the_secretary, 422),
        )
        .body("do=save&version=0&text="),
        Expect::scoped(
            "GET",
            "/assessments/{id}/orgs/{org}/duty-report.docx",
            "/assessments/{round}/orgs/{org}/duty-report.docx",
            college!(false, true, secretary_or_office, 200),
        ),
        Expect::scoped(
            "GET",
            "/assessments/{id}/orgs/{org}/report.docx",
            "/assessments/{round}/orgs/{org}/report.docx",
            college!(false, true, anyone, 200),
        ),
        Expect::plain("GET", "/api/v1/assessments", year_read(true)),
        Expect::plain("POST", "/api/v1/assessments", office!(true, false, 422))
            .body(r#"{"year": "x", "org": "cqu"}"#),
        Expect::plain("GET", "/api/v1/assessments/{id}", year_read(true))
            .at("/api/v1/assessments/{round}"),
        Expect::plain("PUT", "/api/v1/assessments/{id}/scheme", office!(true, false, 409))
            .at("/api/v1/assessments/{round}/scheme")
            .body(r#"{"version": 1}"#),
        // An empty scheme: 422 naming what it lacks.
        Expect::plain(
            "POST",
            "/api/v1/assessments/{id}/scheme/revise",
            office!(true, false, 422),
        )
        .at("/api/v1/assessments/{round}/scheme/revise")
        .body(r#"{"version": 1, "scheme": {}}"#),
        // No draft to publish: 409.
        Expect::plain(
            "POST",
            "/api/v1/assessments/{id}/scheme/publish",
            office!(true, false, 409),
        )
        .at("/api/v1/assessments/{round}/scheme/publish")
        .body(r#"{"version": 1}"#),
        Expect::plain("POST", "/api/v1/assessments/{id}/advance", office!(true, false, 422))
            .at("/api/v1/assessments/{round}/advance")
            .body(r#"{"version": 1, "to": "nowhere"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/assessments/{id}/orgs/{org}",
            "/api/v1/assessments/{round}/orgs/{org}",
            college!(true, true, anyone, 200),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/assessments/{id}/orgs/{org}/marks",
            "/api/v1/assessments/{round}/orgs/{org}/marks",
            college!(true, false, the_office, 422),
        )
        .body(r#"{"indicator": "situation-analysis", "kind": "adjustment", "points": "-1", "reason": ""}"#),
        // Not the self-assessment step: 409 for the secretary.
        Expect::scoped(
            "PUT",
            "/api/v1/assessments/{id}/orgs/{org}/self-assessment",
            "/api/v1/assessments/{round}/orgs/{org}/self-assessment",
            college!(true, false, the_secretary, 409),
        )
        .body(r#"{"version": 0, "text": "自评"}"#),
        // Not the review step: 409 for the office.
        Expect::scoped(
            "PUT",
            "/api/v1/assessments/{id}/orgs/{org}/review",
            "/api/v1/assessments/{round}/orgs/{org}/review",
            college!(true, false, the_office, 409),
        )
        .body(r#"{"version": 0, "text": "审核"}"#),
        Expect::scoped(
            "GET",
            "/api/v1/assessments/{id}/orgs/{org}/duty-report",
            "/api/v1/assessments/{round}/orgs/{org}/duty-report",
            college!(true, true, secretary_or_office, 200),
        ),
        Expect::scoped(
            "PUT",
            "/api/v1/assessments/{id}/orgs/{org}/duty-report",
            "/api/v1/assessments/{round}/orgs/{org}/duty-report",
            college!(true, false, the_secretary, 422),
        )
        .body(r#"{"version": 0, "text": ""}"#),
    ]
}
