//! The signed-in home page: my duties, my posts, my org.

use crate::AppState;
use crate::auth::{MaybeViewer, Viewer, redirect};
use crate::i18n::Tr;
use crate::pages::{Frame, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use zeren_core::access::{AdminRole, Permission};
use zeren_core::obligation::status_on;
use zeren_core::responsibility::{Target, resolve};

/// One of my duties.
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
    duties: Vec<DutyRow>,
    posts: Vec<PostRow>,
    year: i32,
    feed: crate::feeds::FeedStatus,
}

/// `GET /` — the home page when signed in, the landing page otherwise.
pub async fn home(
    State(state): State<AppState>,
    tr: Tr,
    MaybeViewer(viewer): MaybeViewer,
) -> Response {
    let Some(v) = viewer else {
        return crate::pages::index(State(state), tr).await;
    };
    match v.principal.admin {
        Some(AdminRole::Audit) => return redirect("/audit"),
        Some(AdminRole::Security) => return redirect("/admin/accounts"),
        Some(AdminRole::System) => return redirect("/admin/system"),
        None => {}
    }
    let year = state.today().year();
    let duties = my_duties(&state, &v, year).await;
    let posts = my_posts(&v);
    let feed = crate::feeds::feed_status(&state, &v.user).await;
    page(
        StatusCode::OK,
        &HomePage {
            frame: Frame::of(&state, Some(&v)),
            tr: v.tr,
            name: v.user.display_name.clone(),
            roles: role_rows(&v),
            duties,
            posts,
            year,
            feed,
        },
    )
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

/// Obligations of this year, in the orgs the viewer can see, for which the viewer is the
/// responsible person on the due date.
async fn my_duties(state: &AppState, v: &Viewer, year: i32) -> Vec<DutyRow> {
    let Some(person) = &v.user.person else {
        return Vec::new();
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let mut orgs: Vec<String> = v
        .principal
        .scopes(Permission::ReadOrg)
        .into_iter()
        .map(str::to_string)
        .collect();
    orgs.sort();
    orgs.dedup();
    let mut rows = Vec::new();
    for org_id in orgs {
        let Some(org) = m.org(&org_id) else { continue };
        let Ok(list) = state.db.obligations(&org.id, year).await else {
            continue;
        };
        for o in list {
            let Some(duty) = pack.duty(&o.duty) else {
                continue;
            };
            let platform = (o.subject_kind == "platform")
                .then(|| m.find_platform(&o.subject))
                .flatten();
            let Ok(answer) = resolve(pack, m, org, Target::Duty { duty, platform }, o.due) else {
                continue;
            };
            if answer.person.as_ref().is_none_or(|p| &p.id != person) {
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
                href: format!(
                    "/policies/{}#art-{}{}",
                    pack.meta.id,
                    citation.article,
                    citation.item.map(|i| format!("-{i}")).unwrap_or_default()
                ),
                subject: match (&o.subject_kind[..], platform) {
                    ("platform", Some(p)) => p.name.clone(),
                    _ => org.name.clone(),
                },
                due: o.due.to_string(),
                status: status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days)
                    .as_str(),
            });
        }
    }
    rows.sort_by(|a, b| a.due.cmp(&b.due));
    rows
}
