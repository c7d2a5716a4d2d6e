//! Getting started (`/orgs/{code}/start`): for those who manage an org, what its subtree still
//! lacks for the policy to be carried out — colleges, holders of posts, leaders of portfolios,
//! and duties whose responsible post is vacant — each with the page that fills it.

use super::*;
use zeren_core::org::gaps;

/// Entries shown per list (the count covers them all).
const SHOWN: usize = 50;

/// A line of the page: what is missing, and where to fill it.
pub(super) struct GapLine {
    text: String,
    href: String,
}

#[derive(Template)]
#[template(path = "start.html")]
pub(super) struct StartPage {
    frame: Frame,
    tr: Tr,
    org_name: String,
    org_href: String,
    new_child: Option<String>,
    roster_href: String,
    today: String,
    complete: bool,
    no_colleges: bool,
    vacant_posts: Vec<GapLine>,
    vacant_posts_total: usize,
    portfolios: Vec<GapLine>,
    portfolios_total: usize,
    duties: Vec<GapLine>,
    duties_total: usize,
}

/// `GET /orgs/{code}/start`
pub(super) async fn start_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return forbidden_page(tr);
    }
    let Some(org) = find_visible(&v, &code) else {
        return org_not_found_page(tr, &code);
    };
    if !v.can(Permission::ManageOrg, Some(&org.id)) {
        return forbidden_page(tr);
    }
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let g = gaps(pack, m, org, today, SHOWN);
    let post_href = |o: &Org, p: &Post, verb: &str| {
        format!(
            "/orgs/{}/posts/{}/{verb}{}",
            encode(&o.code),
            encode(&p.id),
            tr.qs()
        )
    };
    let leader_post = |o: &Org| {
        let mut posts: Vec<&Post> = m
            .posts_of(&o.id)
            .filter(|p| pack.post_kind(&p.kind).is_some_and(|k| k.leadership))
            .collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        posts
            .into_iter()
            .find(|p| !m.holders_on(&p.id, today).is_empty())
    };
    page(
        StatusCode::OK,
        &StartPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            org_name: org.name.clone(),
            org_href: org_href(&org.code, tr),
            new_child: may(&v, OrgAction::NewChild, org)
                .then(|| format!("/orgs/{}/children/new{}", encode(&org.code), tr.qs())),
            roster_href: format!("/roster{}", tr.qs()),
            today: date(today),
            complete: g.is_empty(),
            no_colleges: g.no_colleges,
            vacant_posts: g
                .vacant_posts
                .iter()
                .map(|(o, p)| GapLine {
                    text: format!("{} · {}", o.name, p.title),
                    href: post_href(o, p, "appoint"),
                })
                .collect(),
            vacant_posts_total: g.vacant_posts_total,
            portfolios: g
                .unheld_portfolios
                .iter()
                .map(|(o, p)| GapLine {
                    text: format!("{} · {}", o.name, portfolio_name(tr, pack, p)),
                    href: match leader_post(o) {
                        Some(post) => post_href(o, post, "portfolios"),
                        None => org_href(&o.code, tr),
                    },
                })
                .collect(),
            portfolios_total: g.unheld_portfolios_total,
            duties: g
                .vacant_duties
                .iter()
                .map(|(o, d)| GapLine {
                    text: format!(
                        "{} · {}",
                        o.name,
                        pack.duty(d)
                            .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                            .unwrap_or_else(|| d.clone())
                    ),
                    href: href_with("/who", &[("org", &o.code), ("duty", d)], tr),
                })
                .collect(),
            duties_total: g.vacant_duties_total,
        },
    )
}
