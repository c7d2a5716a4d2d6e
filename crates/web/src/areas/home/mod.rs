//! The signed-in home page: my duties, my posts, my org.

use crate::AppState;
use crate::shared::auth::{MaybeViewer, Viewer, redirect};
use crate::shared::format::article_href;
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zeren_core::access::{Act, is_theirs};
use zeren_core::access::{AdminRole, Permission};
use zeren_core::obligation::status_on;

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages().get(
        "/",
        Describe::public("home", "Home page when signed in; what Zeren is otherwise"),
        home,
    )
}

/// One of my duties.
#[derive(Clone)]
pub struct DutyRow {
    /// Duty title.
    pub title: String,
    /// Citation, Chinese form.
    pub citation: String,
    /// Anchor in the policy page.
    pub href: String,
    /// What it is about.
    pub subject: String,
    /// Due date.
    pub due: String,
    /// Status key.
    pub status: &'static str,
    /// The obligation's page, where it is done.
    pub obligation_href: String,
}

/// One of my posts.
pub struct PostRow {
    /// Org name.
    pub org: String,
    /// Org link.
    pub org_href: String,
    /// Post title.
    pub title: String,
    /// From.
    pub start: String,
    /// To, if ended.
    pub end: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    tr: Tr,
    name: String,
    roles: Vec<(String, String)>,
    /// What each role allows.
    role_help: Vec<(String, String)>,
    duties: Arc<Vec<DutyRow>>,
    posts: Vec<PostRow>,
    year: i32,
    feed: crate::areas::feeds::FeedStatus,
    /// What accountability cases ask of the viewer (their statement, appeal, remediation; the
    /// commission's referrals waiting).
    asked: Vec<crate::areas::cases::Asked>,
    /// What the year's assessment asks of the viewer (self-assessment, duty report; the
    /// office's step under way).
    assessing: Vec<crate::areas::assessments::Asked>,
    /// For the form that makes a new feed address.
    csrf: String,
}

/// `GET /` — the home page when signed in, the landing page otherwise.
pub async fn home(
    State(state): State<AppState>,
    tr: Tr,
    MaybeViewer(viewer): MaybeViewer,
) -> Response {
    let Some(v) = viewer else {
        return crate::areas::policies::index(State(state), tr).await;
    };
    match v.principal.admin {
        Some(AdminRole::Audit) => return redirect("/audit"),
        Some(AdminRole::Security) => return redirect("/admin/accounts"),
        Some(AdminRole::System) => return redirect("/admin/system"),
        None => {}
    }
    // A new installation: the designated founder creates the root org first.
    if v.snap.may_found(&v.user.id) {
        return redirect(&format!("/setup{}", v.tr.qs()));
    }
    let year = state.today().year();
    let feed = crate::areas::feeds::feed_status(&state, &v.user).await;
    let duties = my_duties(&state, &v, year).await;
    let asked = crate::areas::cases::asked_of(&state, &v).await;
    let assessing = crate::areas::assessments::asked_of(&state, &v).await;
    let build = |duties, feed| HomePage {
        frame: Frame::of(&state, Some(&v)),
        tr: v.tr,
        name: v.user.display_name.clone(),
        roles: role_rows(&v),
        role_help: role_help(&v),
        duties,
        posts: my_posts(&v),
        year,
        feed,
        asked: asked.clone(),
        assessing: assessing.clone(),
        csrf: v.csrf().to_string(),
    };
    let Ok(ledger) = state.ledger_generation().await else {
        return page(StatusCode::OK, &build(duties, feed));
    };
    // Everything the page shows comes from the snapshot (account, roles, posts, navigation),
    // the ledger as of its generation, the day, the language, the address (its language
    // links), the session (the sign-out form's token) and the feed: rendered once for each.
    let frame = Frame::new();
    let asked_key: String = asked
        .iter()
        .map(|a| format!("{}|{}|{}|", a.href, a.title, a.due))
        .chain(
            assessing
                .iter()
                .map(|a| format!("{}|{}|{}|", a.href, a.title, a.due)),
        )
        .collect();
    let key = format!(
        "home:{}:{}:{}:{}:{}:{}:{}:{}:{:?}:{:?}:{}",
        v.user.id,
        v.csrf(),
        ledger,
        state.today(),
        v.tr.tag(),
        v.tr.is_explicit(),
        frame.here,
        frame.banner.as_deref().unwrap_or(""),
        feed.id,
        feed.last_used_at,
        asked_key,
    );
    let rendered = v.snap.rendered(&key, || {
        crate::shared::frame::render(&build(duties.clone(), feed.clone())).map(String::into_bytes)
    });
    match rendered {
        Ok(html) => crate::shared::frame::html_page(StatusCode::OK, html),
        Err(_) => page(StatusCode::OK, &build(duties, feed)),
    }
}

/// What each of the viewer's roles allows (PRODUCT.md §5), once per role: (name, help).
pub fn role_help(v: &Viewer) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    for g in &v.principal.roles {
        if !seen.contains(&g.role) {
            seen.push(g.role);
        }
    }
    seen.iter()
        .map(|r| {
            (
                v.tr.t(&format!("role.{}", r.as_str())).to_string(),
                v.tr.t(&format!("role.help.{}", r.as_str())).to_string(),
            )
        })
        .collect()
}

/// The viewer's roles as (role name, org name).
pub fn role_rows(v: &Viewer) -> Vec<(String, String)> {
    v.principal
        .roles
        .iter()
        .map(|g| {
            let org = v
                .snap
                .model
                .org(&g.org)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            (
                v.tr.t(&format!("role.{}", g.role.as_str())).to_string(),
                org,
            )
        })
        .collect()
}

fn my_posts(v: &Viewer) -> Vec<PostRow> {
    let Some(person) = &v.user.person else {
        return Vec::new();
    };
    let m = &v.snap.model;
    let mut rows: Vec<PostRow> = m
        .holdings()
        .iter()
        .filter(|h| &h.person == person)
        .filter_map(|h| {
            let post = m.post(&h.post)?;
            let org = m.org(&post.org)?;
            Some(PostRow {
                org: org.name.clone(),
                org_href: format!("/orgs/{}", org.code),
                title: post.title.clone(),
                start: h.start.to_string(),
                end: h.end.map(|e| e.to_string()),
            })
        })
        .collect();
    rows.sort_by(|a, b| (a.end.is_some(), &b.start).cmp(&(b.end.is_some(), &a.start)));
    rows
}

/// "My duties" worked out recently, by account, snapshot, change stamp, day and language: the
/// list changes only with them.
#[derive(Default)]
struct MyDuties(Mutex<HashMap<String, Arc<Vec<DutyRow>>>>);
/// Lists kept before the cache starts over.
const MY_DUTIES_KEPT: usize = 4096;

/// Obligations of this year, in the orgs the viewer can see, for which the viewer is the
/// responsible person on the due date; worked out once for each change of the ledger.
async fn my_duties(state: &AppState, v: &Viewer, year: i32) -> Arc<Vec<DutyRow>> {
    if v.user.person.is_none() {
        return Arc::default();
    }
    let stamp = match state.change_stamp().await {
        Ok(stamp) => stamp,
        Err(e) => {
            tracing::error!(error = %e, "reading my duties failed");
            return Arc::default();
        }
    };
    let ledger = match state.ledger_generation().await {
        Ok(g) => g,
        Err(e) => {
            tracing::error!(error = %e, "reading my duties failed");
            return Arc::default();
        }
    };
    let key = format!(
        "{}:{}:{ledger}:{}:{year}:{}",
        v.user.id,
        v.snap.generation,
        state.today(),
        v.tr.tag()
    );
    let kept = state.cache::<MyDuties>();
    if let Some(hit) = kept.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hit.clone();
    }
    let rows = Arc::new(work_out_my_duties(state, v, &stamp, year).await);
    let mut kept = kept.0.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= MY_DUTIES_KEPT {
        kept.clear();
    }
    kept.insert(key, rows.clone());
    rows
}

async fn work_out_my_duties(
    state: &AppState,
    v: &Viewer,
    stamp: &(i64, String),
    year: i32,
) -> Vec<DutyRow> {
    let Some(person) = &v.user.person else {
        return Vec::new();
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let orgs: std::collections::HashSet<&str> = v
        .principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .collect();
    let list = match crate::areas::obligations::obligations_of(state, v, stamp, year, &orgs).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e, "reading my duties failed");
            Vec::new()
        }
    };
    let mut rows = Vec::new();
    for o in list {
        let Some(org) = m.org(&o.org) else { continue };
        // Its title and article as the version that governs it states them.
        let Some(duty) = v
            .snap
            .set
            .get(&o.policy)
            .and_then(|p| p.duty(&o.duty))
            .or_else(|| pack.duty(&o.duty))
        else {
            continue;
        };
        let platform = o.platform_in(m);
        let act = Act {
            org: &org.id,
            duty,
            platform,
            handler: o.handler.as_deref(),
        };
        if !is_theirs(pack, m, &act, person, o.due) {
            continue;
        }
        let citation = duty.citation();
        rows.push(DutyRow {
            title: if v.tr.is_en() {
                duty.title_en.clone()
            } else {
                duty.title.clone()
            },
            citation: if v.tr.is_en() {
                citation.to_string()
            } else {
                citation.to_zh()
            },
            href: article_href(&o.policy, Some(citation), v.tr),
            subject: match (&o.subject_kind[..], platform) {
                ("platform", Some(p)) => p.name.clone(),
                _ => org.name.clone(),
            },
            due: o.due.to_string(),
            status: status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days).as_str(),
            obligation_href: format!(
                "/obligations/{}{}",
                crate::shared::urls::encode(&o.id),
                v.tr.qs()
            ),
        });
    }
    rows.sort_by(|a, b| a.due.cmp(&b.due));
    rows
}
