//! Route × role × scope: every route in the route table, as every demo account (inside and
//! outside its subtree) and as a visitor. A route without an entry here fails the test.

mod acting;
mod admin;
pub(crate) mod assessments;
pub(crate) mod cases;
mod directory;
mod events;
mod feeds;
mod incidents;
mod notify;
mod obligations;
mod orgs;
mod platforms;
mod records;
mod risk;
mod roster;

use crate::common::matrix::*;
use crate::common::{Kind, PASSWORD, Session, TestApp, route_table};
use std::collections::HashMap;
use zeren_core::clock::Clock;
use zeren_storage::Actor;
use zeren_storage::repo::records::{DirectiveDraft, RecordDraft, TaskDraft};

/// Pages any signed-in account may use; visitors are sent to sign in (GET) or refused by the
/// CSRF guard (POST: a visitor has no session token to send back).
fn any_signed_in(ok: u16) -> fn(Caller, Scope) -> u16 {
    match ok {
        200 => |c, _| if c == Caller::Anonymous { 303 } else { 200 },
        422 => |c, _| if c == Caller::Anonymous { 403 } else { 422 },
        _ => |c, _| if c == Caller::Anonymous { 403 } else { 303 },
    }
}

/// A POST any signed-in account may make, with the status it answers.
fn any_signed_in_post(ok: u16) -> fn(Caller, Scope) -> u16 {
    match ok {
        200 => |c, _| if c == Caller::Anonymous { 403 } else { 200 },
        404 => |c, _| if c == Caller::Anonymous { 403 } else { 404 },
        422 => |c, _| if c == Caller::Anonymous { 403 } else { 422 },
        _ => |c, _| if c == Caller::Anonymous { 403 } else { 303 },
    }
}

/// The identity, home and policy routes.
fn expectations() -> Vec<Expect> {
    vec![
        Expect::plain("GET", "/", |c, _| match c {
            c if is_admin(c) => 303,
            _ => 200,
        }),
        Expect::plain("GET", "/login", |c, _| {
            if c == Caller::Anonymous { 200 } else { 303 }
        }),
        // Visitors without the sign-in form's cookie fail the CSRF check; signed-in callers post
        // an incomplete form.
        Expect::plain("POST", "/login", |c, _| {
            if c == Caller::Anonymous { 403 } else { 422 }
        })
        .body("username=x"),
        // No second factor is pending for these sessions: back home.
        Expect::plain("GET", "/login/totp", |_, _| 303),
        Expect::plain("POST", "/login/totp", any_signed_in_post(303)).body("code=000000"),
        Expect::plain("POST", "/logout", any_signed_in_post(303)).fresh(),
        // The first-run page: the demo has orgs, so it sends everyone on (to the orgs, or a
        // visitor to sign in); founding is tried in tests/web/setup.rs.
        Expect::plain("GET", "/setup", |_, _| 303),
        Expect::plain("POST", "/setup", any_signed_in_post(303)).body("code=x&name=x"),
        Expect::plain("GET", "/account", any_signed_in(200)),
        Expect::plain("GET", "/account/password", any_signed_in(200)),
        Expect::plain("POST", "/account/password", any_signed_in_post(422)).body("current=x"),
        Expect::plain("POST", "/account/lang", any_signed_in_post(422)).body("x=1"),
        Expect::plain("POST", "/account/tokens", any_signed_in_post(200)).body("name=matrix"),
        Expect::plain(
            "POST",
            "/account/tokens/{id}/revoke",
            any_signed_in_post(404),
        )
        .at("/account/tokens/{missing}/revoke"),
        Expect::plain("GET", "/account/totp", any_signed_in(200)),
        Expect::plain("POST", "/account/totp", any_signed_in_post(422))
            .body("secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&code=000000"),
        // No second factor is on for these accounts: back to the account page.
        Expect::plain("POST", "/account/totp/off", any_signed_in_post(303)).body("current=000000"),
        Expect::plain("GET", "/policies/{id}", business_read(false)).at("/policies/{policy}"),
        Expect::plain("GET", "/policies/{id}/diff", business_read(false))
            .at("/policies/{policy}/diff"),
        Expect::plain("GET", "/api/v1/health", |_, _| 200),
        Expect::plain("GET", "/api/v1/openapi.json", |_, _| 200),
        Expect::plain("GET", "/api/v1/me", |c, _| {
            if c == Caller::Anonymous { 401 } else { 200 }
        }),
        Expect::plain("GET", "/api/v1/policies", business_read(true)),
        Expect::plain("GET", "/api/v1/policies/{id}", business_read(true))
            .at("/api/v1/policies/{policy}"),
        Expect::plain("GET", "/api/v1/policies/{id}/diff", business_read(true))
            .at("/api/v1/policies/{policy}/diff"),
    ]
}

struct Fixture {
    orgs: HashMap<&'static str, OrgFacts>,
    policy: String,
    /// The university's assessment of 2026, in the scoring step (see `matrix/assessments.rs`).
    round: String,
}

struct OrgFacts {
    id: String,
    post: String,
    person: String,
    platform: String,
    /// An online event of the org (on its platform, or its college's), made for the matrix.
    event: String,
    /// An open incident of the org, made for the matrix.
    incident: String,
    /// SHA-256 of the file on the incident's first timeline entry (its content names the org).
    incident_sha: String,
    /// A planned major project of the org with one submitted assessment, made for the matrix.
    project: String,
    assessment: String,
    /// An education activity of the org, made for the matrix.
    record: String,
    /// A directive the org received, made for the matrix.
    directive: String,
    /// The directive's one supervised task.
    task: String,
    /// The directive's implementation obligation (created with it).
    obligation: String,
    /// SHA-256 of the file attached to `record` (its content names the org, so each org's is
    /// its own).
    sha: String,
    /// A decided accountability case of the org, its remediation task, the `seq` of the
    /// respondent's statement on its file and the file on it (see `matrix/cases.rs`).
    case: cases::MadeCase,
}

/// What the fixture makes in one org, through the storage layer, dated before the harness's
/// today (`TODAY`, 2026-11-28): an education activity with one attachment, and a directive with
/// one supervised task (registering it creates its implementation obligation).
struct Made {
    record: String,
    directive: String,
    task: String,
    obligation: String,
    sha: String,
}

async fn make_records(app: &TestApp, code: &str, org: &str, owner: &str) -> Made {
    let model = app.db.load_model().await.unwrap();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let lang = zeren_core::Lang::En;
    // The file first: stored by its content, outside the transaction (as an upload is).
    let staged = app.db.staging_file().unwrap();
    let content = format!("%PDF-1.4\n% matrix attachment of {code}\n%%EOF\n");
    std::fs::write(&staged, content).unwrap();
    let file = app.db.store_file(&staged, "application/pdf").await.unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let record = tx
        .create_record(
            &RecordDraft {
                kind: "education-activity".into(),
                org: org.into(),
                date: "2026-11-21".into(),
                title: format!("matrix: education activity of {code}"),
                audience: "2026级本科生".into(),
                count: "30".into(),
                content: "网络文明与网络安全".into(),
                ..RecordDraft::default()
            },
            &model,
            &pack,
            lang,
        )
        .await
        .unwrap_or_else(|e| panic!("matrix record of {code}: {e}"));
    tx.add_attachment(&record.id, &file, "matrix.pdf")
        .await
        .unwrap();
    let (directive, _) = tx
        .create_directive(
            &DirectiveDraft {
                org: org.into(),
                issuer: "校党委宣传部".into(),
                document_number: format!("matrix〔2026〕{code}"),
                received_on: "2026-11-20".into(),
                title: format!("matrix: directive to {code}"),
                content: "贯彻落实".into(),
            },
            &model,
            &zeren_core::policy::Policies::new(vec![pack.clone()]),
            lang,
        )
        .await
        .unwrap_or_else(|e| panic!("matrix directive of {code}: {e}"));
    let task = tx
        .add_task(
            &directive.id,
            &TaskDraft {
                title: "matrix: supervised task".into(),
                owner: owner.into(),
                deadline: "2026-12-31".into(),
            },
            &model,
            lang,
        )
        .await
        .unwrap_or_else(|e| panic!("matrix task of {code}: {e}"));
    tx.commit().await.unwrap();
    let obligation = app
        .db
        .obligations(org, 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.subject_kind == "event" && o.subject == directive.id)
        .unwrap_or_else(|| panic!("the directive to {code} has no implementation obligation"))
        .id;
    Made {
        record: record.id,
        directive: directive.id,
        task: task.id,
        obligation,
        sha: file.sha256,
    }
}

/// A WeChat account being set up for the branch, entered through the storage layer.
async fn branch_platform(app: &TestApp, org: &str, operator: &str) -> String {
    let model = app.db.load_model().await.unwrap();
    let set = app.db.policy_set().await.unwrap();
    let fields = zeren_core::platforms::check_platform(
        &zeren_core::platforms::PlatformDraft {
            code: "cqu-mse-b1-wechat".into(),
            name: "matrix: 第一党支部公众号".into(),
            kind: "wechat-official".into(),
            org: org.into(),
            portfolio: "publicity".into(),
            opened_on: "2026-11-20".into(),
            operators: vec![operator.into()],
            ..Default::default()
        },
        None,
        &model,
        &zeren_core::platforms::PlatformTerms::of(set.packs()),
        app.clock.today(),
        zeren_core::Lang::En,
    )
    .unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let (p, _) = tx.add_platform(&fields, &set, &model).await.unwrap();
    tx.commit().await.unwrap();
    p.code
}

/// An online event of `org` on `platform` next month, registered through the storage layer.
async fn make_event(app: &TestApp, org: &str, person: &str, platform: &str) -> String {
    let model = app.db.load_model().await.unwrap();
    let set = app.db.policy_set().await.unwrap();
    let pack = zeren_core::policy::builtin_pack().unwrap();
    let fields = zeren_core::events::check_event(
        &zeren_core::events::EventDraft {
            title: "matrix: 网上讲座".into(),
            form: "lecture".into(),
            org: org.into(),
            organiser: "matrix".into(),
            responsible: person.into(),
            speakers: vec![zeren_core::events::Speaker {
                name: "张三".into(),
                affiliation: "重庆大学".into(),
            }],
            starts_at: "2026-12-20 19:00".into(),
            ends_at: "2026-12-20 21:00".into(),
            platform: platform.into(),
            audience: "100".into(),
            outline: "matrix".into(),
            major: false,
        },
        &model,
        &pack.online_events.clone().unwrap_or_default(),
        zeren_core::Lang::En,
    )
    .unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let e = tx.register_event(fields, &set, &model).await.unwrap();
    tx.commit().await.unwrap();
    e.id
}

/// An open incident of `org` handled by `person`, with a file on its first timeline entry,
/// recorded through the storage layer: (incident id, the file's SHA-256).
async fn make_incident(app: &TestApp, org: &str, person: &str) -> (String, String) {
    let staged = app.db.staging_file().unwrap();
    std::fs::write(
        &staged,
        format!("%PDF-1.4\n% matrix incident file of {org}\n%%EOF\n"),
    )
    .unwrap();
    let file = app.db.store_file(&staged, "application/pdf").await.unwrap();
    let model = app.db.load_model().await.unwrap();
    let set = app.db.policy_set().await.unwrap();
    let rules = zeren_core::policy::builtin_pack()
        .unwrap()
        .incidents
        .unwrap_or_default();
    let fields = zeren_core::incidents::check_incident(
        &zeren_core::incidents::IncidentDraft {
            title: "matrix: 舆情事件".into(),
            org: org.into(),
            noticed_at: "2026-11-27 10:00".into(),
            channel: "self-found".into(),
            facts: "matrix".into(),
            severity: "general".into(),
            handler: person.into(),
            ..Default::default()
        },
        &model,
        &rules,
        zeren_core::events::parse_date_time("2026-11-28 12:00").unwrap(),
        zeren_core::Lang::En,
    )
    .unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let i = tx
        .record_incident(fields, Default::default(), &rules, &set, &model)
        .await
        .unwrap();
    tx.attach_to_incident_entry(&i.id, 1, &file, "matrix.pdf")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (i.id, file.sha256)
}

/// A planned major project of `org` with one assessment awaiting approval, through the storage
/// layer: (project id, assessment id).
async fn make_project(app: &TestApp, org: &str, person: &str) -> (String, String) {
    let model = app.db.load_model().await.unwrap();
    let set = app.db.policy_set().await.unwrap();
    let lang = zeren_core::Lang::En;
    let fields = zeren_core::projects::check_project(
        &zeren_core::projects::ProjectDraft {
            title: "matrix: 重大项目".into(),
            org: org.into(),
            description: "matrix".into(),
            major: true,
            launch_on: "2026-12-20".into(),
            ..Default::default()
        },
        &model,
        &[],
        lang,
    )
    .unwrap();
    let assessed = zeren_core::projects::check_assessment(
        &zeren_core::projects::AssessmentDraft {
            planned: "matrix".into(),
            affected: "matrix".into(),
            risks: "matrix".into(),
            level: "low".into(),
            measures: "matrix".into(),
            assessors: vec![person.into()],
            assessed_on: "2026-11-27".into(),
        },
        &fields,
        &model,
        &zeren_core::projects::RiskRules::default(),
        app.clock.today(),
        lang,
    )
    .unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let p = tx.register_project(fields, &set, &model).await.unwrap();
    let a = tx.submit_assessment(&p.id, assessed).await.unwrap();
    tx.commit().await.unwrap();
    (p.id, a.id)
}

async fn fixture(app: &TestApp) -> Fixture {
    let model = app.db.load_model().await.unwrap();
    let mut orgs = HashMap::new();
    for code in ["cqu", "cqu-mse", "cqu-cs", "cqu-mse-b1"] {
        let org = model.find_org(code).unwrap();
        let post = model
            .posts_of(&org.id)
            .find(|p| p.kind == "secretary" || p.kind == "branch-secretary")
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let person = model
            .people()
            .find(|p| p.org == org.id)
            .map(|p| p.id.clone())
            .unwrap_or_default();
        let college = if org.kind == zeren_core::vocab::OrgKind::Branch {
            org.parent.clone().unwrap()
        } else {
            org.id.clone()
        };
        let platform = if org.kind == zeren_core::vocab::OrgKind::Branch {
            branch_platform(app, &org.id, &person).await
        } else {
            model
                .platforms_of(&college)
                .next()
                .map(|p| p.code.clone())
                .unwrap_or_default()
        };
        let college_platform = model
            .platforms_of(&college)
            .next()
            .map(|p| p.code.clone())
            .unwrap_or_default();
        let event = if college_platform.is_empty() {
            String::new()
        } else {
            make_event(app, &org.id, &person, &college_platform).await
        };
        let (incident, incident_sha) = make_incident(app, &org.id, &person).await;
        let (project, assessment) = make_project(app, &org.id, &person).await;
        let made = make_records(app, code, &org.id, &person).await;
        // Who takes part in the org's case (see matrix/cases.rs).
        let named = |name: &str| {
            model
                .people()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("no person {name} in the demo"))
                .id
                .clone()
        };
        let parties = match code {
            "cqu-mse" => (named("赵敏"), named("刘佳"), Some("secretary")),
            "cqu-mse-b1" => (named("郑晓东"), named("郑晓东"), None),
            _ => (person.clone(), person.clone(), None),
        };
        let case = cases::make_case(
            app,
            &org.id,
            cases::Parties {
                respondent: &parties.0,
                owner: &parties.1,
                referrer: parties.2,
            },
            &format!("matrix {code}"),
        )
        .await;
        orgs.insert(
            code,
            OrgFacts {
                id: org.id.clone(),
                post,
                person,
                platform,
                event,
                incident,
                incident_sha,
                project,
                assessment,
                record: made.record,
                directive: made.directive,
                task: made.task,
                obligation: made.obligation,
                sha: made.sha,
                case,
            },
        );
    }
    Fixture {
        orgs,
        policy: zeren_core::policy::BUILTIN_PACK_ID.to_string(),
        round: assessments::make_round(app).await,
    }
}

fn fill(path: &str, fx: &Fixture, org: &str, user: &str, other_user: &str) -> String {
    let f = &fx.orgs[org];
    path.replace("{org_id}", &f.id)
        .replace("{org}", org)
        .replace("{post}", &f.post)
        .replace("{person}", &f.person)
        .replace("{platform}", &f.platform)
        .replace("{event}", &f.event)
        .replace("{incident}", &f.incident)
        .replace("{incident_sha}", &f.incident_sha)
        .replace("{project}", &f.project)
        .replace("{assessment}", &f.assessment)
        .replace("{record}", &f.record)
        .replace("{directive}", &f.directive)
        .replace("{task}", &f.task)
        .replace("{obligation}", &f.obligation)
        .replace("{sha}", &f.sha)
        .replace("{case_task}", &f.case.task)
        .replace("{case_seq}", &f.case.seq.to_string())
        .replace("{case_sha}", &f.case.sha)
        .replace("{case}", &f.case.id)
        .replace("{round}", &fx.round)
        .replace("{policy}", &fx.policy)
        .replace("{user}", user)
        .replace("{other_user}", other_user)
        .replace("{missing}", "00000000-0000-0000-0000-000000000000")
}

#[tokio::test]
async fn every_route_as_every_role_inside_and_outside_its_scope() {
    let app = TestApp::demo().await;
    let fx = fixture(&app).await;
    let mut all: Vec<Expect> = expectations();
    all.extend(orgs::expectations());
    all.extend(platforms::expectations());
    all.extend(events::expectations());
    all.extend(incidents::expectations());
    all.extend(risk::expectations());
    all.extend(admin::expectations());
    all.extend(obligations::expectations());
    all.extend(records::expectations());
    all.extend(notify::expectations());
    all.extend(directory::expectations());
    all.extend(feeds::expectations());
    all.extend(roster::expectations());
    all.extend(cases::expectations());
    all.extend(assessments::expectations());

    // Every registered route has exactly one entry.
    let table = route_table();
    let mut missing = Vec::new();
    for r in &table {
        let n = all
            .iter()
            .filter(|e| e.method == r.method && e.route == r.path)
            .count();
        if n != 1 {
            missing.push(format!("{} {} ({n} entries)", r.method, r.path));
        }
    }
    for e in &all {
        assert!(
            table
                .iter()
                .any(|r| r.method == e.method && r.path == e.route),
            "matrix entry for a route that does not exist: {} {}",
            e.method,
            e.route
        );
    }
    assert!(
        missing.is_empty(),
        "routes without exactly one matrix entry:\n{}",
        missing.join("\n")
    );

    let mut sessions: HashMap<&str, Session> = HashMap::new();
    let mut tokens: HashMap<&str, String> = HashMap::new();
    let mut users: HashMap<&str, String> = HashMap::new();
    for role in ROLES {
        sessions.insert(role, app.sign_in(role, PASSWORD).await);
        tokens.insert(role, app.token(role).await);
        users.insert(
            role,
            app.db.user_by_username(role).await.unwrap().unwrap().id,
        );
    }
    let anonymous = app.client();
    let mut failures = Vec::new();
    let mut tried = 0;
    for e in &all {
        let api = table
            .iter()
            .find(|r| r.method == e.method && r.path == e.route)
            .map(|r| r.kind == Kind::Api)
            .unwrap_or(false);
        let mut callers = vec![Caller::Anonymous];
        callers.extend(ROLES.iter().map(|r| Caller::Role(r)));
        for caller in callers {
            let role = match caller {
                Caller::Role(r) => r,
                Caller::Anonymous => "secretary",
            };
            let (inside, outside) = orgs_of(role);
            let mut scopes = vec![(if e.scoped { Scope::Inside } else { Scope::None }, inside)];
            if e.scoped
                && let Some(out) = outside
            {
                scopes.push((Scope::Outside, out));
            }
            let other = if role == "leader" { "staff" } else { "leader" };
            for (scope, org) in scopes {
                let path = fill(e.path, &fx, org, &users[role], &users[other]);
                let url = app.url(&path);
                let fresh;
                let (client, csrf, bearer) = match caller {
                    Caller::Anonymous => (&anonymous, String::new(), None),
                    Caller::Role(r) if api => (&anonymous, String::new(), Some(tokens[r].clone())),
                    Caller::Role(r) if e.fresh_session => {
                        fresh = app.sign_in(r, PASSWORD).await;
                        (&fresh.client, fresh.csrf.clone(), None)
                    }
                    Caller::Role(r) => (&sessions[r].client, sessions[r].csrf.clone(), None),
                };
                let mut req = client.request(e.method.parse().unwrap(), &url);
                if let Some(token) = &bearer {
                    req = req.bearer_auth(token);
                }
                if let Some(body) = e.body {
                    let body = fill(body, &fx, org, &users[role], &users[other]);
                    req = if e.multipart {
                        let (ct, bytes) = multipart_body((!api).then_some(csrf.as_str()), &body);
                        req.header("content-type", ct).body(bytes)
                    } else if api {
                        req.header("content-type", "application/json").body(body)
                    } else {
                        req.header("content-type", "application/x-www-form-urlencoded")
                            .body(format!("csrf={csrf}&{body}"))
                    };
                } else if e.method != "GET" && !api {
                    req = req
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(format!("csrf={csrf}"));
                }
                let got = req.send().await.unwrap().status().as_u16();
                let want = (e.status)(caller, scope);
                tried += 1;
                if got != want {
                    failures.push(format!(
                        "{} {} as {:?} {:?} ({path}): got {got}, want {want}",
                        e.method, e.route, caller, scope
                    ));
                }
            }
        }
    }
    // The writes on the fixture's own records were all refused: nothing about them changed.
    for (code, f) in &fx.orgs {
        let case = app.db.case(&f.case.id).await.unwrap();
        let entries = app.db.case_entries(&f.case.id).await.unwrap();
        let case_tasks = app.db.case_tasks(&f.case.id).await.unwrap();
        let case_files = app.db.case_attachments(&f.case.id).await.unwrap();
        if case.version != f.case.version
            || entries.len() != f.case.entries
            || case_tasks.len() != 1
            || case_tasks[0].version != 1
            || case_files.len() != 1
        {
            failures.push(format!(
                "the matrix changed the case of {code}: state {}, version {}, {} entries, {} \
                 tasks (version {:?}), {} files",
                case.state.as_str(),
                case.version,
                entries.len(),
                case_tasks.len(),
                case_tasks.first().map(|t| t.version),
                case_files.len()
            ));
        }
        let record = app.db.record(&f.record).await.unwrap();
        let files = app.db.record_attachments(&f.record).await.unwrap();
        let tasks = app.db.tasks(&f.directive).await.unwrap();
        let reports = app.db.task_reports(&f.directive).await.unwrap();
        let obligation = app.db.evidence_obligation(&f.obligation).await.unwrap();
        let evidence = app.db.evidence_of(&f.obligation).await.unwrap();
        let incident_files = app.db.incident_attachments(&f.incident).await.unwrap();
        let timeline = app.db.timeline(&f.incident).await.unwrap();
        if record.version != 1
            || incident_files.len() != 1
            || timeline.len() != 1
            || files.len() != 1
            || tasks.len() != 1
            || !reports.is_empty()
            || obligation.version != 1
            || !evidence.is_empty()
        {
            failures.push(format!(
                "the matrix changed the fixture of {code}: record version {}, {} attachments, \
                 {} tasks, {} reports, obligation version {}, {} evidence, {} incident files, \
                 {} timeline entries",
                record.version,
                files.len(),
                tasks.len(),
                reports.len(),
                obligation.version,
                evidence.len(),
                incident_files.len(),
                timeline.len()
            ));
        }
    }
    eprintln!("matrix: {} routes, {tried} requests", all.len());
    assert!(
        failures.is_empty(),
        "{} of {tried} requests answered unexpectedly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.finish().await;
}
