//! What the sweeps share: real ids from the demo to put in every route's path, a snapshot of the
//! whole database to prove that nothing was stored, and the forms of the pages (to post a field
//! a route's form really has).

use crate::common::{PASSWORD, Session, TestApp, browse, route_table};
use serde_json::Value;
use std::collections::BTreeMap;
use zeren_core::clock::Clock;
use zeren_storage::Actor;
use zeren_storage::repo::records::{DirectiveDraft, RecordDraft, TaskDraft};
use zeren_web::shared::routes::RouteDoc;

/// The org every path names (a college the secretary keeps records in).
pub const ORG: &str = "cqu-mse";
/// A branch of [`ORG`] (whose parent the sweeping account manages).
pub const BRANCH: &str = "cqu-mse-b1";

/// An id that names nothing.
pub const MISSING: &str = "00000000-0000-0000-0000-000000000000";

/// Real ids of the demo, all in [`ORG`] where they belong to an org, made or looked up once per
/// app.
pub struct Ids {
    pub org_id: String,
    /// The org's secretary post.
    pub post: String,
    /// Its holding today.
    pub holding: String,
    /// A person of the org.
    pub person: String,
    pub policy: String,
    /// An education activity with one attachment, made here.
    pub record: String,
    /// The SHA-256 of its attachment (also on the first timeline entry of `incident`).
    pub sha: String,
    /// A directive to the org, made here, with one supervised task.
    pub directive: String,
    pub task: String,
    /// The directive's implementation obligation (made with it).
    pub obligation: String,
    /// An account with a grant, and the grant.
    pub user: String,
    pub grant: String,
    /// The calendar feed secret of `secretary`.
    pub feed: String,
    /// A platform of the org (its WeChat official account).
    pub platform: String,
    /// An online event of the org on that account, next month.
    pub event: String,
    /// The org's website.
    pub website: String,
    /// An open incident of the org on that account, noticed yesterday, with the record's file on
    /// its first timeline entry.
    pub incident: String,
    /// A planned major project of the org, and an assessment of it awaiting approval.
    pub project: String,
    pub assessment: String,
    /// A decided accountability case of the org, opened by the commission, its respondent
    /// 赵敏 (`leader`), who stated her case with one file (`case_sha`, on the entry
    /// `case_seq` of its file); one remediation task of hers, `case_task` (see
    /// matrix/cases.rs `make_case`).
    pub case: String,
    pub case_task: String,
    pub case_seq: String,
    pub case_sha: String,
    /// The university's assessment of 2026, in the scoring step (see matrix/assessments.rs).
    pub round: String,
}

/// Makes a record with an attachment, a directive with a task and a calendar feed in the demo
/// (through the storage layer, dated before the harness's today), and looks up the rest.
pub async fn ids(app: &TestApp) -> Ids {
    let model = app.db.load_model().await.unwrap();
    let org = model.find_org(ORG).unwrap().clone();
    let post = model
        .posts_of(&org.id)
        .find(|p| p.kind == "secretary")
        .unwrap()
        .id
        .clone();
    let person = model.people().find(|p| p.org == org.id).unwrap().id.clone();
    let holding = model
        .holders_on(&post, app.clock.today())
        .first()
        .unwrap()
        .id
        .clone();
    let pack = app
        .db
        .policy(zeren_core::policy::BUILTIN_PACK_ID)
        .await
        .unwrap()
        .pack;
    let lang = zeren_core::Lang::En;
    let staged = app.db.staging_file().unwrap();
    std::fs::write(&staged, "%PDF-1.4\n% security sweep\n%%EOF\n").unwrap();
    let file = app.db.store_file(&staged, "application/pdf").await.unwrap();
    let secretary = app.db.user_by_username("secretary").await.unwrap().unwrap();
    let mut tx = app
        .db
        .begin(&Actor::system(), app.clock.now())
        .await
        .unwrap();
    let record = tx
        .create_record(
            &RecordDraft {
                kind: "education-activity".into(),
                org: org.id.clone(),
                date: "2026-11-21".into(),
                title: "sweep: education activity".into(),
                audience: "2026级本科生".into(),
                count: "30".into(),
                content: "网络安全".into(),
                ..RecordDraft::default()
            },
            &model,
            &pack,
            lang,
        )
        .await
        .unwrap();
    tx.add_attachment(&record.id, &file, "sweep.pdf")
        .await
        .unwrap();
    let (directive, _) = tx
        .create_directive(
            &DirectiveDraft {
                org: org.id.clone(),
                issuer: "校党委宣传部".into(),
                document_number: "sweep〔2026〕1".into(),
                received_on: "2026-11-20".into(),
                title: "sweep: directive".into(),
                content: "贯彻落实".into(),
            },
            &model,
            &zeren_core::policy::Policies::new(vec![pack.clone()]),
            lang,
        )
        .await
        .unwrap();
    let task = tx
        .add_task(
            &directive.id,
            &TaskDraft {
                title: "sweep: task".into(),
                owner: person.clone(),
                deadline: "2026-12-31".into(),
            },
            &model,
            lang,
        )
        .await
        .unwrap();
    let event = tx
        .register_event(
            zeren_core::events::check_event(
                &zeren_core::events::EventDraft {
                    title: "sweep: 网上讲座".into(),
                    form: "lecture".into(),
                    org: org.id.clone(),
                    organiser: "sweep".into(),
                    responsible: person.clone(),
                    speakers: vec![zeren_core::events::Speaker {
                        name: "张三".into(),
                        affiliation: "重庆大学".into(),
                    }],
                    starts_at: "2026-12-20 19:00".into(),
                    ends_at: "2026-12-20 21:00".into(),
                    platform: "cqu-mse-wechat".into(),
                    audience: "100".into(),
                    outline: "sweep".into(),
                    major: false,
                },
                &model,
                &pack.online_events.clone().unwrap_or_default(),
                lang,
            )
            .unwrap(),
            &zeren_core::policy::Policies::new(vec![pack.clone()]),
            &model,
        )
        .await
        .unwrap();
    let rules = pack.incidents.clone().unwrap_or_default();
    let incident = tx
        .record_incident(
            zeren_core::incidents::check_incident(
                &zeren_core::incidents::IncidentDraft {
                    title: "sweep: 舆情事件".into(),
                    org: org.id.clone(),
                    platform: "cqu-mse-wechat".into(),
                    noticed_at: "2026-11-27 10:00".into(),
                    channel: "self-found".into(),
                    facts: "sweep".into(),
                    severity: "general".into(),
                    handler: person.clone(),
                    ..Default::default()
                },
                &model,
                &rules,
                zeren_core::events::parse_date_time("2026-11-28 12:00").unwrap(),
                lang,
            )
            .unwrap(),
            Default::default(),
            &rules,
            &zeren_core::policy::Policies::new(vec![pack.clone()]),
            &model,
        )
        .await
        .unwrap();
    tx.attach_to_incident_entry(&incident.id, 1, &file, "sweep.pdf")
        .await
        .unwrap();
    let project_fields = zeren_core::projects::check_project(
        &zeren_core::projects::ProjectDraft {
            title: "sweep: 重大项目".into(),
            org: org.id.clone(),
            description: "sweep".into(),
            portfolio: "publicity".into(),
            major: true,
            launch_on: "2026-12-20".into(),
        },
        &model,
        &["publicity"],
        lang,
    )
    .unwrap();
    let assessed = zeren_core::projects::check_assessment(
        &zeren_core::projects::AssessmentDraft {
            planned: "sweep".into(),
            affected: "sweep".into(),
            risks: "sweep".into(),
            level: "medium".into(),
            measures: "sweep".into(),
            assessors: vec![person.clone()],
            assessed_on: "2026-11-27".into(),
        },
        &project_fields,
        &model,
        &zeren_core::projects::RiskRules::default(),
        zeren_core::events::parse_date_time("2026-11-28 12:00")
            .unwrap()
            .date(),
        lang,
    )
    .unwrap();
    let project = tx
        .register_project(
            project_fields,
            &zeren_core::policy::Policies::new(vec![pack.clone()]),
            &model,
        )
        .await
        .unwrap();
    let assessment = tx.submit_assessment(&project.id, assessed).await.unwrap();
    let (feed, _) = tx.rotate_calendar_token(&secretary).await.unwrap();
    tx.commit().await.unwrap();
    let obligation = app
        .db
        .obligations(&org.id, 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.subject == directive.id)
        .unwrap()
        .id;
    let grant = app.db.grants().await.unwrap().into_iter().next().unwrap();
    let zhao = model
        .people()
        .find(|p| p.name == "赵敏" && p.org == org.id)
        .unwrap()
        .id
        .clone();
    let case = crate::matrix::cases::make_case(
        app,
        &org.id,
        crate::matrix::cases::Parties {
            respondent: &zhao,
            owner: &zhao,
            referrer: None,
        },
        "the security sweeps",
    )
    .await;
    Ids {
        org_id: org.id,
        post,
        holding,
        person,
        policy: zeren_core::policy::BUILTIN_PACK_ID.to_string(),
        record: record.id,
        sha: file.sha256,
        directive: directive.id,
        task: task.id,
        obligation,
        user: grant.user,
        grant: grant.id,
        feed,
        platform: model.find_platform("cqu-mse-wechat").unwrap().id.clone(),
        event: event.id,
        website: model.find_platform("cqu-mse-website").unwrap().id.clone(),
        incident: incident.id,
        project: project.id,
        assessment: assessment.id,
        case: case.id,
        case_task: case.task,
        case_seq: case.seq.to_string(),
        case_sha: case.sha,
        round: crate::matrix::assessments::make_round(app).await,
    }
}

/// The path to request for a route: its `{param}`s filled with real ids of [`Ids`] (or
/// [`MISSING`] where the demo has nothing to name, said below). `None` for a route with
/// parameters this table does not know: add it here, or every sweep fails naming it.
pub fn concrete(route: &RouteDoc, ids: &Ids) -> Option<String> {
    let feed = format!("{}.ics", ids.feed);
    let fills: Vec<(&str, &str)> = match route.path.as_str() {
        p if !p.contains('{') => vec![],
        "/admin/accounts/{id}"
        | "/admin/accounts/{id}/state"
        | "/admin/accounts/{id}/unlock"
        | "/admin/accounts/{id}/totp/reset"
        | "/admin/accounts/{id}/password"
        | "/admin/accounts/{id}/grants"
        | "/api/v1/accounts/{id}/grants" => vec![("{id}", &ids.user)],
        "/admin/accounts/{id}/grants/{grant}/revoke" => {
            vec![("{id}", &ids.user), ("{grant}", &ids.grant)]
        }
        // API tokens are shown once and never listed by id; notifications are made by the
        // reminder jobs, which do not run here: a missing one.
        "/account/tokens/{id}/revoke"
        | "/notifications/{id}/read"
        | "/api/v1/notifications/{id}/read" => vec![("{id}", MISSING)],
        // Assignment ids are not in the fixture: the sweeps try one that does not exist.
        "/api/v1/portfolio-assignments/{id}" | "/api/v1/holdings/{id}" => {
            vec![("{id}", MISSING)]
        }
        "/calendar/{feed}" => vec![("{feed}", &feed)],
        "/orgs/{code}"
        | "/orgs/{code}/ledger.xlsx"
        | "/orgs/{code}/notify"
        | "/orgs/{code}/children/new"
        | "/orgs/{code}/posts/new"
        | "/orgs/{code}/start"
        | "/orgs/{code}/people/new"
        | "/orgs/{code}/edit" => {
            vec![("{code}", ORG)]
        }
        // Closing and reopening take managing the parent: a branch of the org.
        "/orgs/{code}/close" | "/orgs/{code}/reopen" => vec![("{code}", BRANCH)],
        "/orgs/{code}/posts/{post_id}/handover"
        | "/orgs/{code}/posts/{post_id}/appoint"
        | "/orgs/{code}/posts/{post_id}/portfolios"
        | "/orgs/{code}/posts/{post_id}/portfolios/end"
        | "/orgs/{code}/posts/{post_id}/close"
        | "/orgs/{code}/posts/{post_id}/reopen" => {
            vec![("{code}", ORG), ("{post_id}", &ids.post)]
        }
        "/orgs/{code}/posts/{post_id}/holdings/{holding_id}" => vec![
            ("{code}", ORG),
            ("{post_id}", &ids.post),
            ("{holding_id}", &ids.holding),
        ],
        "/api/v1/orgs/{id}" | "/api/v1/orgs/{id}/notify" => vec![("{id}", &ids.org_id)],
        "/api/v1/posts/{id}/handover" | "/api/v1/posts/{id}" => vec![("{id}", &ids.post)],
        "/people/{id}" | "/people/{id}/edit" | "/people/{id}/leave" | "/api/v1/people/{id}" => {
            vec![("{id}", &ids.person)]
        }
        "/policies/{id}"
        | "/policies/{id}/diff"
        | "/api/v1/policies/{id}"
        | "/api/v1/policies/{id}/diff" => vec![("{id}", &ids.policy)],
        "/records/{id}"
        | "/records/{id}/edit"
        | "/records/{id}/attachments"
        | "/records/{id}/evidence"
        | "/api/v1/records/{id}"
        | "/api/v1/records/{id}/attachments" => vec![("{id}", &ids.record)],
        "/attachments/{sha}" => vec![("{sha}", &ids.sha)],
        "/records/directives/{id}"
        | "/records/directives/{id}/tasks"
        | "/api/v1/directives/{id}"
        | "/api/v1/directives/{id}/tasks" => vec![("{id}", &ids.directive)],
        "/records/tasks/{id}/reports" | "/api/v1/tasks/{id}/reports" => {
            vec![("{id}", &ids.task)]
        }
        "/platforms/{id}"
        | "/platforms/{id}/edit"
        | "/platforms/{id}/steps"
        | "/platforms/{id}/registration"
        | "/api/v1/platforms/{id}"
        | "/api/v1/platforms/{id}/steps"
        | "/api/v1/platforms/{id}/registration"
        | "/platforms/{id}/review"
        | "/api/v1/platforms/{id}/reviews" => vec![("{id}", &ids.platform)],
        "/platforms/{id}/content"
        | "/platforms/{id}/maintenance"
        | "/api/v1/platforms/{id}/maintenance"
        | "/api/v1/platforms/{id}/content" => vec![("{id}", &ids.website)],
        "/events/{id}"
        | "/events/{id}/edit"
        | "/events/{id}/decision"
        | "/events/{id}/held"
        | "/api/v1/events/{id}"
        | "/api/v1/events/{id}/decision"
        | "/api/v1/events/{id}/held" => vec![("{id}", &ids.event)],
        "/incidents/{id}"
        | "/incidents/{id}/edit"
        | "/incidents/{id}/severity"
        | "/incidents/{id}/entries"
        | "/incidents/{id}/sign-off"
        | "/incidents/{id}/pause"
        | "/incidents/{id}/resume"
        | "/incidents/{id}/close"
        | "/api/v1/incidents/{id}"
        | "/api/v1/incidents/{id}/severity"
        | "/api/v1/incidents/{id}/entries"
        | "/api/v1/incidents/{id}/sign-off"
        | "/api/v1/incidents/{id}/pause"
        | "/api/v1/incidents/{id}/resume"
        | "/api/v1/incidents/{id}/close" => vec![("{id}", &ids.incident)],
        "/incidents/{id}/entries/{seq}/attachments"
        | "/api/v1/incidents/{id}/entries/{seq}/attachments" => {
            vec![("{id}", &ids.incident), ("{seq}", "1")]
        }
        "/incidents/{id}/attachments/{sha}" => vec![("{id}", &ids.incident), ("{sha}", &ids.sha)],
        "/risk-assessments/{id}"
        | "/risk-assessments/{id}/edit"
        | "/risk-assessments/{id}/assessments"
        | "/risk-assessments/{id}/launch"
        | "/risk-assessments/{id}/cancel"
        | "/api/v1/risk-assessments/{id}"
        | "/api/v1/risk-assessments/{id}/assessments"
        | "/api/v1/risk-assessments/{id}/launch"
        | "/api/v1/risk-assessments/{id}/cancel" => vec![("{id}", &ids.project)],
        "/risk-assessments/{id}/assessments/{assessment}/decision"
        | "/api/v1/risk-assessments/{id}/assessments/{assessment}/decision" => {
            vec![("{id}", &ids.project), ("{assessment}", &ids.assessment)]
        }
        "/cases/{id}"
        | "/cases/{id}/steps"
        | "/cases/{id}/facts"
        | "/cases/{id}/notes"
        | "/cases/{id}/tasks"
        | "/cases/{id}/decision.docx"
        | "/api/v1/cases/{id}"
        | "/api/v1/cases/{id}/steps"
        | "/api/v1/cases/{id}/facts"
        | "/api/v1/cases/{id}/notes"
        | "/api/v1/cases/{id}/tasks" => vec![("{id}", &ids.case)],
        "/cases/{id}/tasks/{task}" | "/api/v1/cases/{id}/tasks/{task}" => {
            vec![("{id}", &ids.case), ("{task}", &ids.case_task)]
        }
        "/cases/{id}/entries/{seq}/attachments"
        | "/api/v1/cases/{id}/entries/{seq}/attachments" => {
            vec![("{id}", &ids.case), ("{seq}", &ids.case_seq)]
        }
        "/cases/{id}/attachments/{sha}" => vec![("{id}", &ids.case), ("{sha}", &ids.case_sha)],
        p if p.starts_with("/assessments/{id}") || p.starts_with("/api/v1/assessments/{id}") => {
            vec![
                ("{id}", &ids.round),
                ("{org}", "cqu-mse"),
                ("{indicator}", "situation-analysis"),
            ]
        }
        "/obligations/{id}"
        | "/obligations/{id}/handler"
        | "/obligations/{id}/waiver"
        | "/obligations/{id}/waiver/approve"
        | "/obligations/{id}/waiver/reject"
        | "/api/v1/obligations/{id}"
        | "/api/v1/obligations/{id}/handler"
        | "/api/v1/obligations/{id}/waiver"
        | "/api/v1/obligations/{id}/waiver/approve"
        | "/api/v1/obligations/{id}/waiver/reject"
        | "/api/v1/obligations/{id}/evidence" => vec![("{id}", &ids.obligation)],
        _ => return None,
    };
    let mut path = route.path.clone();
    for (param, value) in fills {
        path = path.replace(param, value);
    }
    // The query a read needs to show anything.
    let query = match (route.method, route.path.as_str()) {
        ("GET", "/api/v1/holdings") => format!("?post={}", ids.post),
        ("GET", "/api/v1/portfolio-assignments") => format!("?org={ORG}"),
        ("GET", "/who" | "/api/v1/responsibility") => {
            format!("?org={ORG}&portfolio=publicity&at=2026-07-01")
        }
        ("GET", "/api/v1/deliveries" | "/records" | "/api/v1/records") => format!("?org={ORG}"),
        ("GET", "/search" | "/api/v1/search") => "?q=%E7%BD%91%E7%BB%9C".to_string(),
        ("GET", "/attachments/{sha}") => format!("?record={}", ids.record),
        _ => String::new(),
    };
    (!path.contains('{')).then(|| path + &query)
}

/// The routes of the table whose method is one of `methods`, each with its concrete path; the
/// routes [`concrete`] cannot fill are pushed onto `uncovered`.
pub fn routes_with_paths(
    methods: &[&str],
    ids: &Ids,
    uncovered: &mut Vec<String>,
) -> Vec<(RouteDoc, String)> {
    let mut out = Vec::new();
    for r in route_table() {
        if !methods.contains(&r.method) {
            continue;
        }
        match concrete(&r, ids) {
            Some(p) => out.push((r, p)),
            None => uncovered.push(format!(
                "{} {}: no concrete path (add it to security/fixture.rs `concrete`)",
                r.method, r.path
            )),
        }
    }
    out
}

/// Columns that record when a credential was last used — bookkeeping every read may write (at
/// most once a minute), not state: left out of [`Snapshot`].
const BOOKKEEPING: &[(&str, &str)] = &[
    ("sessions", "last_seen_at"),
    ("api_tokens", "last_used_at"),
    ("calendar_tokens", "last_used_at"),
];

/// Every row of every table (bookkeeping columns blanked), the audit chain and its head
/// included.
#[derive(PartialEq)]
pub struct Snapshot(Vec<(&'static str, Vec<Vec<Value>>)>);

/// The database as it is now.
pub async fn snapshot(app: &TestApp) -> Snapshot {
    let mut tables = app.db.dump().await.unwrap();
    for (name, rows) in &mut tables {
        let Some(table) = zeren_storage::schema::TABLES
            .iter()
            .find(|t| t.name == *name)
        else {
            continue;
        };
        for (_, column) in BOOKKEEPING.iter().filter(|(t, _)| t == name) {
            let Some(i) = table.columns.iter().position(|(c, _)| c == column) else {
                continue;
            };
            for row in rows.iter_mut() {
                row[i] = Value::Null;
            }
        }
    }
    Snapshot(tables)
}

/// What changed in one table.
pub struct TableChange {
    pub table: &'static str,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// For the audit log: the actions of the entries added.
    pub actions: Vec<String>,
}

impl std::fmt::Display for TableChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} added, {} removed, {} changed",
            self.table, self.added, self.removed, self.changed
        )?;
        if !self.actions.is_empty() {
            write!(f, " (audit actions {})", self.actions.join(", "))?;
        }
        Ok(())
    }
}

/// Whether the changes a refused write left are only what a case route audits by design: a
/// case route reads the case before it changes it (its view audited, `case.view`, or
/// `case.view.refused` for someone with no part in it) and audits a refused change
/// (`case.refused`); nothing else, no other row.
pub fn only_case_audit(route: &str, changes: &[TableChange]) -> bool {
    const ACTIONS: [&str; 3] = ["case.view", "case.view.refused", "case.refused"];
    (route.starts_with("/cases/{id}") || route.starts_with("/api/v1/cases/{id}"))
        && changes.iter().all(|c| match c.table {
            "audit_log" => {
                c.removed == 0
                    && c.changed == 0
                    && c.actions.iter().all(|a| ACTIONS.contains(&a.as_str()))
            }
            "audit_head" => true,
            _ => false,
        })
}

impl Snapshot {
    /// What changed from `self` to `after`, table by table.
    pub fn diff(&self, after: &Snapshot) -> Vec<TableChange> {
        let mut out = Vec::new();
        for ((name, before), (_, now)) in self.0.iter().zip(&after.0) {
            if before == now {
                continue;
            }
            let key = |rows: &Vec<Vec<Value>>| -> BTreeMap<String, Vec<Value>> {
                rows.iter().map(|r| (r[0].to_string(), r.clone())).collect()
            };
            let (b, a) = (key(before), key(now));
            let added: Vec<&Vec<Value>> = a
                .iter()
                .filter(|(k, _)| !b.contains_key(*k))
                .map(|(_, v)| v)
                .collect();
            let mut actions = Vec::new();
            if *name == "audit_log" {
                let table = zeren_storage::schema::TABLES
                    .iter()
                    .find(|t| t.name == "audit_log")
                    .unwrap();
                let i = table
                    .columns
                    .iter()
                    .position(|(c, _)| *c == "action")
                    .unwrap();
                actions = added
                    .iter()
                    .map(|r| r[i].as_str().unwrap_or_default().to_string())
                    .collect();
            }
            out.push(TableChange {
                table: name,
                added: added.len(),
                removed: b.keys().filter(|k| !a.contains_key(*k)).count(),
                changed: a
                    .iter()
                    .filter(|(k, v)| b.get(*k).is_some_and(|old| old != *v))
                    .count(),
                actions,
            });
        }
        out
    }

    /// What changed from `self` to `after`, one line per table.
    pub fn changes(&self, after: &Snapshot) -> Vec<String> {
        self.diff(after).iter().map(|c| c.to_string()).collect()
    }
}

/// One field of a form: its name, its value as the page fills it, whether the user types it
/// (a text input or a text area) rather than picks or is given it, and whether it is a text
/// area.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub typed: bool,
    pub area: bool,
}

/// A form of a page.
#[derive(Debug, Clone)]
pub struct Form {
    /// Where it posts (the path, without the query).
    pub action: String,
    pub multipart: bool,
    pub fields: Vec<Field>,
}

/// The value of `attr="…"` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let rest = &tag[start..];
    Some(html_unescape(&rest[..rest.find('"')?]))
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The POST forms of the page at `page_path`, with their fields (a scan of the markup Zeren
/// renders, not an HTML parser: enough for its own templates). A form without an action posts
/// to its page.
pub fn forms(page_path: &str, html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let Some(end) = chunk.find('>') else { continue };
        let tag = &chunk[..end];
        if attr(tag, "method").is_none_or(|m| !m.eq_ignore_ascii_case("post")) {
            continue;
        }
        let action = attr(tag, "action").unwrap_or_default();
        let action = match action.split('?').next().unwrap_or("") {
            "" => page_path.split('?').next().unwrap_or("").to_string(),
            a => a.to_string(),
        };
        let multipart = attr(tag, "enctype").is_some_and(|e| e.contains("multipart"));
        let body = &chunk[end..chunk.find("</form>").unwrap_or(chunk.len())];
        let mut fields = Vec::new();
        for (i, _) in body.match_indices('<') {
            let rest = &body[i + 1..];
            let Some(close) = rest.find('>') else {
                continue;
            };
            let tag = format!(" {}", &rest[..close]);
            let element = rest.split([' ', '>', '\n']).next().unwrap_or("");
            let Some(name) = attr(&tag, "name") else {
                continue;
            };
            match element {
                "input" => {
                    let kind = attr(&tag, "type").unwrap_or_else(|| "text".into());
                    if matches!(kind.as_str(), "submit" | "button" | "file" | "reset") {
                        continue;
                    }
                    if matches!(kind.as_str(), "checkbox" | "radio") && !tag.contains(" checked") {
                        continue;
                    }
                    let typed = matches!(
                        kind.as_str(),
                        "text" | "search" | "email" | "url" | "tel" | "password"
                    );
                    let value = attr(&tag, "value").unwrap_or_else(|| {
                        if matches!(kind.as_str(), "checkbox" | "radio") {
                            "on".into()
                        } else {
                            String::new()
                        }
                    });
                    fields.push(Field {
                        name,
                        value,
                        typed,
                        area: false,
                    });
                }
                "textarea" => {
                    let text = &rest[close + 1..];
                    let value = html_unescape(&text[..text.find("</textarea>").unwrap_or(0)]);
                    fields.push(Field {
                        name,
                        value,
                        typed: true,
                        area: true,
                    });
                }
                "select" => {
                    let options = &rest[close..rest.find("</select>").unwrap_or(rest.len())];
                    let mut chosen = None;
                    for opt in options.split("<option").skip(1) {
                        let t = format!(" {}", &opt[..opt.find('>').unwrap_or(0)]);
                        let v = attr(&t, "value").unwrap_or_default();
                        if t.contains(" selected") || chosen.is_none() {
                            chosen = Some(v);
                        }
                    }
                    fields.push(Field {
                        name,
                        value: chosen.unwrap_or_default(),
                        typed: false,
                        area: false,
                    });
                }
                _ => {}
            }
        }
        out.push(Form {
            action,
            multipart,
            fields,
        });
    }
    out
}

/// The forms of every page a caller can open, gathered once: every GET page route (paths
/// filled by [`concrete`]), also with a query some pages need to show their forms.
pub struct FormIndex(Vec<Form>);

impl FormIndex {
    /// The forms the `clients` (signed in or not) see on every page.
    pub async fn gather(app: &TestApp, clients: &[&reqwest::Client], ids: &Ids) -> FormIndex {
        let mut all = Vec::new();
        let mut ignored = Vec::new();
        let pages: Vec<String> = routes_with_paths(&["GET"], ids, &mut ignored)
            .into_iter()
            .filter(|(r, _)| r.kind == crate::common::Kind::Page)
            .flat_map(|(_, p)| {
                let with_org = format!("{p}?org={ORG}&obligation={}", ids.obligation);
                [p, with_org]
            })
            .collect();
        for client in clients {
            for p in &pages {
                let (status, html) = browse(client, app, p).await;
                if status == 200 {
                    all.extend(forms(p, &html));
                }
            }
        }
        FormIndex(all)
    }

    /// The form that posts to `path`, the one with the most fields when several do.
    pub fn posting_to(&self, path: &str) -> Option<&Form> {
        self.0
            .iter()
            .filter(|f| f.action == path)
            .max_by_key(|f| f.fields.len())
    }
}

/// Signs in every account of `roles`.
pub async fn sign_in_all(app: &TestApp, roles: &[&str]) -> Vec<Session> {
    let mut out = Vec::new();
    for r in roles {
        out.push(app.sign_in(r, PASSWORD).await);
    }
    out
}

/// The accounts the write sweeps sign in: every account [`role_for`] names.
pub const SWEEPERS: [&str; 4] = ["secretary", "secadmin", "sysadmin", "discipline"];

/// The account that may use a write route, so the request would reach its handler's work: the
/// security administrator for accounts and security settings, the system administrator for
/// system settings and loading policy versions, the discipline commission for accountability
/// cases (no one else has a part in the fixture's case but its respondent), otherwise the
/// secretary of [`ORG`] (who keeps its records and settings).
pub fn role_for(path: &str) -> &'static str {
    if path.starts_with("/cases") || path.starts_with("/api/v1/cases") {
        "discipline"
    } else if path.starts_with("/admin/accounts")
        || path.starts_with("/admin/security")
        || path.starts_with("/api/v1/accounts")
        || path.starts_with("/api/v1/settings/security")
    {
        "secadmin"
    } else if path.starts_with("/admin/")
        || path.starts_with("/api/v1/settings/")
        || path == "/policies/load"
        || path == "/policies/adopt"
    {
        "sysadmin"
    } else {
        "secretary"
    }
}
