//! Matrix entries of the accountability cases, and the case the fixtures make. A case is
//! confidential: who reaches it depends on the part the caller has in it, not on their scope
//! alone — the commission (`discipline`, over the whole university) sees it whole; its
//! respondent what is asked of them and the decision; a remediation task's owner their task;
//! the secretary who referred it the outcome of the referral; anyone else 404, as if it did not
//! exist (administrators 403, as everywhere in business data).
//!
//! `{case}` is a decided case of the org (about the org, ground art5-6, 通报) with one
//! remediation task `{case_task}` and one file `{case_sha}` on the respondent's statement,
//! entry `{case_seq}` of its file. In `cqu-mse` it was referred by `secretary`, its respondent
//! is 赵敏 (`leader`) and its task is 刘佳's (`staff`); in `cqu-mse-b1` the respondent and the
//! task's owner are 郑晓东 (`branch`); elsewhere people without an account. So, inside and
//! outside their scope: `secretary` is the referrer of the `cqu-mse` case and has no part in
//! the `cqu-cs` one, `leader` the respondent of one and nothing of the other, `staff` the owner
//! of one and nothing of the other, `branch` the respondent (and owner) of the `cqu-mse-b1`
//! case and nothing of the `cqu-mse` one; `supervisor` and `keeper` have no part anywhere.
//!
//! Writes are tried with bodies that fail a check or a rule, so the matrix checks who reaches
//! each write without changing the case (the matrix checks afterwards that nothing about it
//! changed).

use crate::common::TestApp;
use crate::common::matrix::{Caller, Expect, Scope, business_read, is_admin};
use zeren_core::Lang;
use zeren_core::cases::{
    Action, CaseDraft, CaseState, DecisionDraft, FindingDraft, TaskDraft, check_case,
    check_decision, check_task,
};
use zeren_core::clock::Clock;
use zeren_storage::Actor;
use zeren_storage::repo::cases::StepChange;

/// An upload whose file's type is refused (read from its content): 422 where it is reached.
const REFUSED_FILE: &str = "MZ\u{90}\u{0}\u{3}\u{0}\u{0}\u{0}matrix";

/// A case made for the sweeps: its id, version and number of entries on its file, its one
/// remediation task, the `seq` of the respondent's statement on its file and the SHA-256 of the
/// file attached to it.
pub struct MadeCase {
    pub id: String,
    pub version: i64,
    pub entries: usize,
    pub task: String,
    pub seq: i64,
    pub sha: String,
}

/// Who takes part in a case the fixtures make.
pub struct Parties<'a> {
    /// The person invited to state their case (and who states it).
    pub respondent: &'a str,
    /// The owner of its remediation task.
    pub owner: &'a str,
    /// The user who referred it, if a secretary did (the commission accepted it); otherwise
    /// the commission opened it.
    pub referrer: Option<&'a str>,
}

/// A case about the org `org` (id) on ground art5-6, through the storage layer as the web
/// layer would write it, dated the harness's today: opened by the commission (or referred by
/// `referrer` and accepted), the respondent invited and their statement in with a file
/// (`file_note` makes its content the org's own), decided (通报), and one remediation task set.
pub async fn make_case(app: &TestApp, org: &str, who: Parties<'_>, file_note: &str) -> MadeCase {
    let model = app.db.load_model().await.unwrap();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let grounds: Vec<&str> = pack.grounds.iter().map(|g| g.id.as_str()).collect();
    let rules = pack.accountability.clone().unwrap_or_default();
    let today = app.clock.today();
    let (fields, facts) = check_case(
        &CaseDraft {
            title: "sweep: 网络阵地管理不力".into(),
            subject_kind: "org".into(),
            org: org.into(),
            period_from: "2026-01-01".into(),
            period_to: "2026-11-27".into(),
            grounds: vec!["art5-6".into()],
            background: "sweep: 年审逾期未完成".into(),
            ..CaseDraft::default()
        },
        &model,
        &grounds,
        today,
        Lang::Zh,
    )
    .unwrap_or_else(|e| panic!("the sweep's case of {org}: {e:?}"));
    let actor = |name: &str| Actor {
        name: name.into(),
        origin: "127.0.0.1".into(),
    };
    let mut tx = app
        .db
        .begin(
            &actor(who.referrer.unwrap_or("discipline")),
            app.clock.now(),
        )
        .await
        .unwrap();
    let mut c = tx
        .open_case(fields, &facts, who.referrer.is_some(), today, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let id = c.id.clone();
    let step = async |by: &str, version: i64, a: Action, to: CaseState, change: StepChange| {
        let mut tx = app.db.begin(&actor(by), app.clock.now()).await.unwrap();
        let person = (a == Action::SubmitStatement).then_some(who.respondent);
        let c = tx
            .case_step(&id, version, a, to, change, today, person)
            .await
            .unwrap_or_else(|e| panic!("the sweep's case of {org}, {}: {e}", a.as_str()));
        tx.commit().await.unwrap();
        c
    };
    if who.referrer.is_some() {
        c = step(
            "discipline",
            c.version,
            Action::Accept,
            CaseState::Opened,
            StepChange::default().day("opened_on", today).text("受理"),
        )
        .await;
    }
    c = step(
        "discipline",
        c.version,
        Action::InviteStatement,
        CaseState::StatementInvited,
        StepChange::default()
            .set("respondent_id", who.respondent)
            .set("invitation", "请就年审逾期作出说明")
            .day("invited_on", today)
            .day("statement_due", rules.procedure.statement_due(today))
            .text("请就年审逾期作出说明"),
    )
    .await;
    c = step(
        "respondent",
        c.version,
        Action::SubmitStatement,
        CaseState::StatementReceived,
        StepChange::default()
            .set("statement", "年审因人员调整延误")
            .day("statement_on", today)
            .text("年审因人员调整延误"),
    )
    .await;
    let seq = app
        .db
        .case_entries(&c.id)
        .await
        .unwrap()
        .iter()
        .find(|e| e.step.as_deref() == Some("submit-statement"))
        .unwrap()
        .seq;
    let decision = check_decision(
        &DecisionDraft {
            findings: vec![FindingDraft {
                ground: "art5-6".into(),
                finding: "upheld".into(),
                reason: "年审逾期属实".into(),
            }],
            forms: vec!["circular".into()],
            decided_on: today.to_string(),
            decision_text: "给予通报".into(),
            ..DecisionDraft::default()
        },
        &c.fields,
        &rules,
        today,
        today,
        Lang::Zh,
    )
    .unwrap();
    c = step(
        "discipline",
        c.version,
        Action::Decide,
        CaseState::Decided,
        StepChange::default().decision(&decision).text("给予通报"),
    )
    .await;
    let task = check_task(
        &TaskDraft {
            title: "sweep: 完成年审".into(),
            owner: who.owner.into(),
            deadline: "2026-12-31".into(),
        },
        org,
        &model,
        today,
        Lang::Zh,
    )
    .unwrap_or_else(|e| panic!("the sweep's task of {org}: {e:?}"));
    let staged = app.db.staging_file().unwrap();
    std::fs::write(
        &staged,
        format!("%PDF-1.4\n% statement of {file_note}\n%%EOF\n"),
    )
    .unwrap();
    let file = app.db.store_file(&staged, "application/pdf").await.unwrap();
    let mut tx = app
        .db
        .begin(&actor("discipline"), app.clock.now())
        .await
        .unwrap();
    let task = tx.add_case_task(&c.id, task, None).await.unwrap();
    tx.attach_to_case_entry(&c.id, Some(seq), &file, "statement.pdf")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    MadeCase {
        entries: app.db.case_entries(&c.id).await.unwrap().len(),
        version: c.version,
        id: c.id,
        task: task.id,
        seq,
        sha: file.sha256,
    }
}

/// The part a caller has in the case of the org in `scope` (see the module's comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Commission,
    Respondent,
    Owner,
    Referrer,
    None,
}

pub fn part(c: Caller, s: Scope) -> Part {
    match (c, s) {
        (Caller::Role("discipline"), _) => Part::Commission,
        (Caller::Role("secretary"), Scope::Inside) => Part::Referrer,
        (Caller::Role("leader" | "branch"), Scope::Inside) => Part::Respondent,
        (Caller::Role("staff"), Scope::Inside) => Part::Owner,
        _ => Part::None,
    }
}

/// A route of one case: a visitor is sent to sign in (a page's GET), refused by the CSRF guard
/// (a page's write) or 401 (the API); an administrator 403; anyone with no part in the case
/// 404; the others as `by_part` says.
fn on_case(api: bool, get: bool, c: Caller, s: Scope, by_part: fn(Part) -> u16) -> u16 {
    match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous if get => 303,
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        _ => match part(c, s) {
            Part::None => 404,
            p => by_part(p),
        },
    }
}

macro_rules! case {
    ($api:expr, $get:expr, $by_part:expr) => {{
        fn f(c: Caller, s: Scope) -> u16 {
            on_case($api, $get, c, s, $by_part)
        }
        f
    }};
}

/// Anyone with a part sees the case (each their part of it).
fn seen(_: Part) -> u16 {
    200
}

/// The decision document and the statement's file: the commission and the respondent only.
fn theirs(p: Part) -> u16 {
    match p {
        Part::Commission | Part::Respondent => 200,
        _ => 404,
    }
}

/// A change only the commission makes, reaching its check (`inside`); a part that is not the
/// commission's is refused 403.
fn commission_422(p: Part) -> u16 {
    if p == Part::Commission { 422 } else { 403 }
}

/// Closing a decided case that was not served, or verifying a task not reported done: the
/// commission reaches the rule (409); the others are refused 403.
fn commission_409(p: Part) -> u16 {
    if p == Part::Commission { 409 } else { 403 }
}

/// Files on the statement's entry: the commission reaches the upload's check (a refused file
/// type, 422); the respondent is refused (409: the case is decided, the statement takes no
/// more); to anyone else the entry is not theirs (404).
fn attach(p: Part) -> u16 {
    match p {
        Part::Commission => 422,
        // The case is decided: the respondent's statement takes no more files (409), before
        // the file itself is read.
        Part::Respondent => 409,
        _ => 404,
    }
}

/// The form to open a case (the commission) or refer one (a secretary of the org or above):
/// `ok` where they reach it, 403 to anyone else who reads the org, 404 outside their scope.
fn opening(api: bool, get: bool, ok: u16, c: Caller, s: Scope) -> u16 {
    match c {
        Caller::Anonymous if api => 401,
        Caller::Anonymous if get => 303,
        Caller::Anonymous => 403,
        c if is_admin(c) => 403,
        Caller::Role("discipline") => ok,
        _ if s == Scope::Outside => 404,
        Caller::Role("secretary") => ok,
        _ => 403,
    }
}

macro_rules! opening {
    ($api:expr, $get:expr, $ok:expr) => {{
        fn f(c: Caller, s: Scope) -> u16 {
            opening($api, $get, $ok, c, s)
        }
        f
    }};
}

pub fn expectations() -> Vec<Expect> {
    vec![
        // The workbench for the commission; for anyone else what cases ask of them.
        Expect::plain("GET", "/cases", business_read(false)),
        Expect::scoped(
            "GET",
            "/cases/new",
            "/cases/new?org={org}",
            opening!(false, true, 200),
        ),
        Expect::scoped(
            "POST",
            "/cases/new",
            "/cases/new",
            opening!(false, false, 422),
        )
        .body("org={org}&title=&subject_kind=bogus&grounds=art5-6"),
        Expect::scoped(
            "GET",
            "/cases/{id}",
            "/cases/{case}",
            case!(false, true, seen),
        ),
        Expect::scoped(
            "POST",
            "/cases/{id}/steps",
            "/cases/{case}/steps",
            case!(false, false, commission_409),
        )
        .body("action=close&version=0"),
        Expect::scoped(
            "POST",
            "/cases/{id}/entries/{seq}/attachments",
            "/cases/{case}/entries/{case_seq}/attachments",
            case!(false, false, attach),
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "GET",
            "/cases/{id}/attachments/{sha}",
            "/cases/{case}/attachments/{case_sha}",
            case!(false, true, theirs),
        ),
        Expect::scoped(
            "POST",
            "/cases/{id}/facts",
            "/cases/{case}/facts",
            case!(false, false, commission_422),
        )
        .body("kind=bogus&reference=x&note="),
        Expect::scoped(
            "POST",
            "/cases/{id}/notes",
            "/cases/{case}/notes",
            case!(false, false, commission_422),
        )
        .body("text="),
        Expect::scoped(
            "POST",
            "/cases/{id}/tasks",
            "/cases/{case}/tasks",
            case!(false, false, commission_422),
        )
        .body("title=&owner=&deadline="),
        Expect::scoped(
            "POST",
            "/cases/{id}/tasks/{task}",
            "/cases/{case}/tasks/{case_task}",
            case!(false, false, commission_409),
        )
        .body("do=verify&version=0"),
        Expect::scoped(
            "GET",
            "/cases/{id}/decision.docx",
            "/cases/{case}/decision.docx",
            case!(false, true, theirs),
        ),
        // The API: the list is the commission's only.
        Expect::plain("GET", "/api/v1/cases", |c, _| match c {
            Caller::Anonymous => 401,
            Caller::Role("discipline") => 200,
            _ => 403,
        }),
        Expect::plain("GET", "/api/v1/cases/mine", business_read(true)),
        Expect::scoped(
            "POST",
            "/api/v1/cases",
            "/api/v1/cases",
            opening!(true, false, 422),
        )
        .body(r#"{"org":"{org}","title":"","subject_kind":"bogus","grounds":["art5-6"]}"#),
        Expect::scoped(
            "GET",
            "/api/v1/cases/{id}",
            "/api/v1/cases/{case}",
            case!(true, true, seen),
        ),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/steps",
            "/api/v1/cases/{case}/steps",
            case!(true, false, commission_409),
        )
        .body(r#"{"action":"close","version":0}"#),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/entries/{seq}/attachments",
            "/api/v1/cases/{case}/entries/{case_seq}/attachments",
            case!(true, false, attach),
        )
        .upload(REFUSED_FILE),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/facts",
            "/api/v1/cases/{case}/facts",
            case!(true, false, commission_422),
        )
        .body(r#"{"facts":[{"kind":"bogus","reference":"x"}]}"#),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/notes",
            "/api/v1/cases/{case}/notes",
            case!(true, false, commission_422),
        )
        .body(r#"{"text":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/tasks",
            "/api/v1/cases/{case}/tasks",
            case!(true, false, commission_422),
        )
        .body(r#"{"title":"","owner":"","deadline":""}"#),
        Expect::scoped(
            "POST",
            "/api/v1/cases/{id}/tasks/{task}",
            "/api/v1/cases/{case}/tasks/{case_task}",
            case!(true, false, commission_409),
        )
        .body(r#"{"do":"verify","version":0}"#),
    ]
}
