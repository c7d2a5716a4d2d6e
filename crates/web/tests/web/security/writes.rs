//! A plausible request for every state-changing route: for a page, the fields of the form that
//! posts to it (scraped from the pages, as a browser would fill them), else a field named here;
//! for the API, a JSON body named here; for an upload, its form's fields and a small PDF. One
//! field of each is the one the sweeps fill with a long value.

use super::fixture::{FormIndex, Ids, ORG};
use crate::common::{Kind, TestApp, multipart_form};
use serde_json::{Value, json};
use zeren_web::shared::routes::RouteDoc;

/// How a request is encoded.
#[derive(Debug, Clone)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` (pages).
    Form(Vec<(String, String)>),
    /// JSON (the API).
    Json(Value),
    /// `multipart/form-data`: text fields in order, then one PDF in the field `file`.
    Multipart(Vec<(String, String)>),
}

/// A request that would reach a write route's handler.
#[derive(Debug, Clone)]
pub struct Plan {
    pub method: &'static str,
    pub path: String,
    pub api: bool,
    pub body: Encoding,
    /// The field filled with a long value: a form field, a top-level JSON key.
    pub field: String,
    /// Where the fields came from (the form of a page, or this file).
    pub source: &'static str,
}

/// The CSRF token a request brings.
#[derive(Debug, Clone, Copy)]
pub enum Token<'a> {
    /// The session's own.
    Right(&'a str),
    /// None at all.
    Missing,
    /// Another live session's.
    Wrong(&'a str),
}

/// The field added to a body whose form has none of its own.
const EXTRA: &str = "note";

/// Page routes whose form is not on any page the sweeps open (it shows only in a state the
/// demo is not in, or names a thing that does not exist), and the field they take.
const PAGE_FIELDS: &[(&str, &str)] = &[
    // Shown beside an API token, a notification or a pending waiver; the demo has none.
    ("/account/tokens/{id}/revoke", "note"),
    ("/notifications/{id}/read", "note"),
    ("/notifications/read-all", "note"),
    ("/obligations/{id}/waiver/approve", "note"),
    ("/obligations/{id}/waiver/reject", "note"),
    // Shown for a locked account only.
    ("/admin/accounts/{id}/unlock", "version"),
    // Shown to a session owing its second factor only.
    ("/login/totp", "code"),
    // Shown when an LDAP directory is set up only; posted by the portal itself, not a page.
    ("/login/ldap", "username"),
    ("/login/cas/return", "logoutRequest"),
    // Shown when the second factor is on only.
    ("/account/totp/off", "current"),
    ("/admin/accounts/{id}/totp/reset", "version"),
    // Shown for a post with an assignment that may end; the fixture's secretary post has none.
    ("/orgs/{code}/posts/{post_id}/portfolios/end", "reason"),
    // Shown for a closed post only; the demo's are open.
    ("/orgs/{code}/posts/{post_id}/reopen", "version"),
    // Shown after a preview with changes only.
    ("/roster/import", "sha256"),
    // Shown after the preview of an uploaded policy version only.
    ("/policies/adopt", "source"),
    // Shown on an installation without orgs, to its designated founder only.
    ("/setup", "name"),
    // Shown on a website's page only; the sweeps' platform page is an account's.
    ("/platforms/{id}/content", "approver"),
    ("/platforms/{id}/maintenance", "note"),
    // Shown to an event's approver before it starts, and once it began, only.
    ("/events/{id}/decision", "note"),
    ("/events/{id}/held", "summary"),
    // Shown to the first responsible person after their own instruction, and while the clocks
    // are stopped, only.
    ("/incidents/{id}/sign-off", "detail"),
    ("/incidents/{id}/resume", "note"),
    // Shown to the assessment's approver only (the leader of publicity, not the sweeper).
    (
        "/risk-assessments/{id}/assessments/{assessment}/decision",
        "note",
    ),
    // Shown to the commission for a task reported done only; the fixture's task is not.
    ("/cases/{id}/tasks/{task}", "note"),
    // Shown to the supervising office only (not the sweeper, a college secretary): starting a
    // year, moving it on, its scheme while a draft, and the marks.
    ("/assessments", "year"),
    ("/assessments/{id}/advance", "document_number"),
    ("/assessments/{id}/scheme", "title_0"),
    // Shown to the college's secretary in the self-assessment step only; the fixture's year is
    // scoring.
    ("/assessments/{id}/orgs/{org}", "text"),
];

/// The JSON body of each API write route, with `"{long}"` where the long value goes.
fn json_body(route: &RouteDoc, ids: &Ids) -> Option<Value> {
    let long = "{long}";
    Some(match (route.method, route.path.as_str()) {
        ("POST", "/api/v1/accounts") => json!({"username": long, "display_name": "sweep"}),
        ("POST", "/api/v1/accounts/{id}/grants") => json!({"role": "staff", "org": long}),
        ("PUT", "/api/v1/settings/security") => json!({"totp_required": [long], "version": 1}),
        ("PUT", "/api/v1/settings/robot-hosts") => json!({"hosts": [long], "version": 0}),
        ("PUT", "/api/v1/settings/directory") => {
            json!({"settings": {"public_url": long}, "version": 0})
        }
        ("POST", "/api/v1/calendar/token") => json!({"note": long}),
        ("POST", "/api/v1/notifications/read-all") => json!({"note": long}),
        ("POST", "/api/v1/notifications/{id}/read") => json!({"note": long}),
        ("PUT", "/api/v1/notifications/settings") => {
            json!({"email": long, "email_enabled": true, "version": 1})
        }
        ("PUT", "/api/v1/orgs/{id}/notify") => {
            json!({"wecom_url": long, "dingtalk_url": null, "version": 1})
        }
        ("PUT", "/api/v1/settings/smtp") => json!({
            "host": long, "port": 25, "tls": "none", "username": "", "from": "a@b.c", "version": 0
        }),
        ("POST", "/api/v1/obligations/{id}/waiver") => json!({"version": 1, "reason": long}),
        ("POST", "/api/v1/obligations/{id}/handler") => json!({"version": 1, "handler": long}),
        (
            "POST",
            "/api/v1/obligations/{id}/waiver/approve" | "/api/v1/obligations/{id}/waiver/reject",
        ) => {
            json!({"version": 1, "note": long})
        }
        ("POST", "/api/v1/orgs") => {
            json!({"code": "sweep", "name": long, "kind": "department", "parent": ORG})
        }
        ("PATCH", "/api/v1/orgs/{id}") => json!({"version": 1, "name": long}),
        ("POST", "/api/v1/portfolio-assignments") => {
            json!({"holding": long, "portfolio": long, "start": "2026-11-28"})
        }
        ("PATCH", "/api/v1/holdings/{id}") => json!({"version": 1, "reason": long}),
        ("PATCH", "/api/v1/posts/{id}") => json!({"version": 1, "closed_on": long}),
        ("PATCH", "/api/v1/portfolio-assignments/{id}") => {
            json!({"version": 1, "reason": long})
        }
        ("POST", "/api/v1/people") => json!({"name": long, "org": ORG}),
        ("PATCH", "/api/v1/people/{id}") => json!({"version": 1, "name": long}),
        ("POST", "/api/v1/posts") => {
            json!({"org": ORG, "kind": "committee-member", "title": long})
        }
        ("POST", "/api/v1/holdings") => {
            json!({"post": ids.post, "person": long, "start": "2026-11-28"})
        }
        ("POST", "/api/v1/posts/{id}/handover") => {
            json!({"person": long, "on": "2026-11-28"})
        }
        ("POST", "/api/v1/records") => json!({
            "kind": "education-activity", "org": ORG, "date": "2026-11-21", "title": long,
            "audience": "sweep", "count": "1", "content": "sweep"
        }),
        ("PATCH", "/api/v1/records/{id}") => json!({"version": 1, "title": long}),
        ("POST", "/api/v1/obligations/{id}/evidence") => {
            json!({"record": long, "version": "1"})
        }
        ("POST", "/api/v1/directives") => json!({
            "org": ORG, "issuer": long, "document_number": "sweep〔2026〕2",
            "received_on": "2026-11-20", "title": "sweep", "content": "sweep"
        }),
        ("POST", "/api/v1/directives/{id}/tasks") => {
            json!({"title": long, "owner": ids.person, "deadline": "2026-12-31"})
        }
        ("POST", "/api/v1/tasks/{id}/reports") => {
            json!({"kind": "progress", "date": "2026-11-28", "content": long})
        }
        ("POST", "/api/v1/platforms") => json!({
            "code": "sweep-platform", "name": long, "kind": "weibo", "org": ORG
        }),
        ("PATCH", "/api/v1/platforms/{id}") => json!({"version": 1, "name": long}),
        ("POST", "/api/v1/platforms/{id}/steps") => {
            json!({"version": 1, "to": "suspended", "on": "2026-11-28", "reason": long})
        }
        ("POST", "/api/v1/platforms/{id}/maintenance") => {
            json!({"date": "2026-11-28", "kind": "check", "note": long})
        }
        ("PUT", "/api/v1/platforms/{id}/content") => {
            json!({"version": 0, "approver": long, "reviewers": []})
        }
        ("POST", "/api/v1/events") => json!({
            "title": long, "form": "lecture", "org": ORG, "organiser": "sweep",
            "responsible": ids.person, "speakers": [{"name": "张三", "affiliation": "重庆大学"}],
            "starts_at": "2026-12-21 19:00", "ends_at": "2026-12-21 20:00",
            "platform": "cqu-mse-wechat", "audience": 10, "outline": "sweep"
        }),
        ("PATCH", "/api/v1/events/{id}") => json!({
            "version": 1, "title": long, "form": "lecture", "organiser": "sweep",
            "responsible": ids.person, "speakers": [{"name": "张三", "affiliation": "重庆大学"}],
            "starts_at": "2026-12-21 19:00", "ends_at": "2026-12-21 20:00",
            "platform": "cqu-mse-wechat", "audience": 10, "outline": "sweep"
        }),
        ("POST", "/api/v1/events/{id}/decision") => {
            json!({"version": 1, "decision": "reject", "note": long})
        }
        ("POST", "/api/v1/events/{id}/held") => {
            json!({"version": 1, "outcome": "held", "audience": 10, "summary": long})
        }
        ("POST", "/api/v1/incidents") => json!({
            "title": long, "org": ORG, "platform": "cqu-mse-wechat",
            "noticed_at": "2026-11-28 09:00", "channel": "self-found", "source": "sweep",
            "facts": "sweep", "severity": "general", "handler": ids.person
        }),
        ("PATCH", "/api/v1/incidents/{id}") => json!({
            "version": 1, "title": long, "platform": "cqu-mse-wechat",
            "noticed_at": "2026-11-27 10:00", "channel": "self-found", "facts": "sweep",
            "handler": ids.person
        }),
        ("POST", "/api/v1/incidents/{id}/severity") => {
            json!({"version": 1, "severity": "considerable", "note": long})
        }
        ("POST", "/api/v1/incidents/{id}/entries") => {
            json!({"kind": "note", "at": "2026-11-28 09:00", "detail": long})
        }
        ("POST", "/api/v1/incidents/{id}/sign-off") => json!({"detail": long}),
        ("POST", "/api/v1/incidents/{id}/pause") => {
            json!({"version": 1, "reason": "higher-level", "note": long})
        }
        ("POST", "/api/v1/incidents/{id}/resume") => json!({"version": 1, "note": long}),
        ("POST", "/api/v1/incidents/{id}/close") => {
            json!({"version": 1, "handled": long, "prevention": "sweep"})
        }
        ("POST", "/api/v1/risk-assessments") => json!({
            "title": long, "org": ORG, "description": "sweep", "portfolio": "publicity",
            "major": true, "launch_on": "2026-12-20"
        }),
        ("PATCH", "/api/v1/risk-assessments/{id}") => json!({
            "version": 1, "title": long, "description": "sweep", "portfolio": "publicity",
            "major": true, "launch_on": "2026-12-20"
        }),
        ("POST", "/api/v1/risk-assessments/{id}/assessments") => json!({
            "planned": long, "affected": "sweep", "risks": "sweep", "level": "low",
            "measures": "sweep", "assessors": [ids.person], "assessed_on": "2026-11-27"
        }),
        ("POST", "/api/v1/risk-assessments/{id}/assessments/{assessment}/decision") => {
            json!({"decision": "reject", "note": long})
        }
        ("POST", "/api/v1/risk-assessments/{id}/launch") => {
            json!({"version": 1, "launched_on": "2026-11-28", "override_gate": true, "reason": long})
        }
        ("POST", "/api/v1/risk-assessments/{id}/cancel") => json!({"version": 1, "reason": long}),
        ("POST", "/api/v1/platforms/{id}/reviews") => json!({
            "date": "2026-11-28", "reviewer": ids.person, "outcome": "rectify", "summary": long
        }),
        ("POST", "/api/v1/cases") => json!({
            "title": long, "subject_kind": "org", "org": ORG, "period_from": "2026-01-01",
            "period_to": "2026-11-27", "grounds": ["art5-6"], "background": "sweep"
        }),
        ("POST", "/api/v1/cases/{id}/steps") => {
            json!({"action": "notify", "version": 1, "reason": long})
        }
        ("POST", "/api/v1/cases/{id}/facts") => {
            json!({"facts": [{"kind": "document", "ground": "art5-6", "note": long}]})
        }
        ("POST", "/api/v1/cases/{id}/notes") => json!({"text": long}),
        ("POST", "/api/v1/cases/{id}/tasks") => {
            json!({"title": long, "owner": ids.person, "deadline": "2026-12-31"})
        }
        ("POST", "/api/v1/cases/{id}/tasks/{task}") => {
            json!({"do": "report", "version": 1, "evidence": long})
        }
        ("POST", "/api/v1/assessments") => json!({"year": long, "org": "cqu"}),
        ("PUT", "/api/v1/assessments/{id}/scheme") => {
            json!({"version": 1, "scheme": {"indicators": [{"id": "x", "title": long, "weight": "100", "method": "manual"}]}})
        }
        ("POST", "/api/v1/assessments/{id}/scheme/revise") => {
            json!({"version": 1, "scheme": {"indicators": [{"id": "x", "title": long, "weight": "100", "method": "manual"}]}})
        }
        ("POST", "/api/v1/assessments/{id}/scheme/publish") => json!({"version": long}),
        ("POST", "/api/v1/assessments/{id}/advance") => json!({"version": 1, "to": long}),
        ("POST", "/api/v1/assessments/{id}/orgs/{org}/marks") => json!({
            "indicator": "situation-analysis", "kind": "adjustment", "points": "-1", "reason": long
        }),
        ("PUT", "/api/v1/assessments/{id}/orgs/{org}/self-assessment")
        | ("PUT", "/api/v1/assessments/{id}/orgs/{org}/review")
        | ("PUT", "/api/v1/assessments/{id}/orgs/{org}/duty-report") => {
            json!({"version": 0, "text": long})
        }
        ("PUT", "/api/v1/platforms/{id}/registration") => {
            json!({"version": 1, "account_id": long, "registered_on": "2026-01-01", "registering_body": "sweep"})
        }
        _ => return None,
    })
}

/// The top-level key holding `"{long}"` (directly, or anywhere within its value: the gate names
/// a nested field by its path from that key, `facts[0].note`).
fn long_key(v: &Value) -> Option<String> {
    fn holds(v: &Value) -> bool {
        match v {
            Value::String(s) => s == "{long}",
            Value::Array(a) => a.iter().any(holds),
            Value::Object(o) => o.values().any(holds),
            _ => false,
        }
    }
    v.as_object()?
        .iter()
        .find(|(_, v)| holds(v))
        .map(|(k, _)| k.clone())
}

/// The request to try for `route` at `path`, or why there is none (the sweeps fail naming it).
pub fn plan(route: &RouteDoc, path: &str, forms: &FormIndex, ids: &Ids) -> Result<Plan, String> {
    let api = route.kind == Kind::Api;
    let base = |body, field: String, source| Plan {
        method: route.method,
        path: path.to_string(),
        api,
        body,
        field,
        source,
    };
    if api && route.multipart {
        return Ok(base(
            Encoding::Multipart(vec![("note".into(), "{long}".into())]),
            "note".into(),
            "security/writes.rs",
        ));
    }
    if api {
        let body = json_body(route, ids).ok_or_else(|| {
            format!(
                "{} {}: no JSON body (add one to security/writes.rs `json_body`)",
                route.method, route.path
            )
        })?;
        let field = long_key(&body).unwrap();
        return Ok(base(Encoding::Json(body), field, "security/writes.rs"));
    }
    if let Some(form) = forms.posting_to(path) {
        let mut fields: Vec<(String, String)> = form
            .fields
            .iter()
            .filter(|f| f.name != "csrf")
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect();
        // The field a person types most into: a text area, else a text input, else any.
        let own = || form.fields.iter().filter(|f| f.name != "csrf");
        let typed = own()
            .find(|f| f.typed && f.area)
            .or_else(|| own().find(|f| f.typed))
            .or_else(|| own().next())
            .map(|f| f.name.clone());
        // A form of a button alone (sign-out, a backup, an upload of files only): its body
        // still goes through the bound, in a field of its own.
        let (field, source) = match typed {
            Some(f) => (f, "the page's form"),
            None => {
                fields.push((EXTRA.into(), String::new()));
                (
                    EXTRA.into(),
                    "the page's form (a button alone; field added)",
                )
            }
        };
        let body = if route.multipart || form.multipart {
            Encoding::Multipart(fields)
        } else {
            Encoding::Form(fields)
        };
        return Ok(base(body, field, source));
    }
    let field = PAGE_FIELDS
        .iter()
        .find(|(r, _)| *r == route.path)
        .map(|(_, f)| f.to_string())
        .ok_or_else(|| {
            format!(
                "{} {} ({path}): no page shows a form posting here and no field is named for it \
                 (add one to security/writes.rs `PAGE_FIELDS`)",
                route.method, route.path
            )
        })?;
    let fields = vec![(field.clone(), String::new())];
    let body = if route.multipart {
        Encoding::Multipart(fields)
    } else {
        Encoding::Form(fields)
    };
    Ok(base(body, field, "security/writes.rs"))
}

/// A small PDF, accepted by the upload sniffing.
const PDF: &[u8] = b"%PDF-1.4\n% security sweep upload\n%%EOF\n";

impl Plan {
    /// Sends the plan on `client` (a cookie session) with `token`, the field holding `value`
    /// (or its plausible value when `None`).
    pub async fn send(
        &self,
        app: &TestApp,
        client: &reqwest::Client,
        token: Token<'_>,
        value: Option<&str>,
    ) -> reqwest::Response {
        let mut req = client.request(self.method.parse().unwrap(), app.url(&self.path));
        let token_value = match token {
            Token::Right(t) | Token::Wrong(t) => Some(t),
            Token::Missing => None,
        };
        let fill = |name: &str, v: &str| -> String {
            if name == self.field {
                value
                    .unwrap_or(if v == "{long}" { "sweep" } else { v })
                    .to_string()
            } else {
                v.to_string()
            }
        };
        match &self.body {
            Encoding::Json(template) => {
                if let Some(t) = token_value {
                    req = req.header("x-csrf-token", t);
                }
                let filler = serde_json::to_string(value.unwrap_or("sweep")).unwrap();
                let body = template.to_string().replace("\"{long}\"", &filler);
                req = req.header("content-type", "application/json").body(body);
            }
            Encoding::Form(fields) => {
                let mut pairs: Vec<(String, String)> = Vec::new();
                if let Some(t) = token_value {
                    pairs.push(("csrf".into(), t.into()));
                }
                pairs.extend(fields.iter().map(|(k, v)| (k.clone(), fill(k, v))));
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
            }
            Encoding::Multipart(fields) => {
                let mut pairs: Vec<(String, String)> = Vec::new();
                // A page's upload brings its token as the first part; the API's in the header.
                if let Some(t) = token_value {
                    if self.api {
                        req = req.header("x-csrf-token", t);
                    } else {
                        pairs.push(("csrf".into(), t.into()));
                    }
                }
                pairs.extend(fields.iter().map(|(k, v)| (k.clone(), fill(k, v))));
                let (ct, bytes) = multipart_form(&pairs, &[("sweep.pdf", PDF)]);
                req = req.header("content-type", ct).body(bytes);
            }
        }
        req.send().await.unwrap()
    }
}
