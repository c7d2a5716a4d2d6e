//! The registry: every platform in the viewer's scope, filtered and paged (page and API).

use super::index::registry_index;
use super::leaders::{Leader, responsible_leaders};
use super::*;

/// Query of the registry.
#[derive(Deserialize, Default)]
pub struct RegistryQuery {
    pub(super) org: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) state: Option<String>,
    pub(super) q: Option<String>,
    pub(super) page: Option<String>,
    pub(super) print: Option<String>,
}

/// The registry's filters, checked.
pub(super) struct Filter {
    /// Org code (empty: every org in scope).
    pub(super) org: String,
    /// Id of the org whose subtree's platforms are listed (`None`: every org in scope).
    pub(super) org_id: Option<String>,
    pub(super) kind: Option<PlatformKind>,
    pub(super) state: Option<PlatformState>,
    pub(super) q: String,
    pub(super) page: usize,
    /// Every row on one page, for printing (at most [`PRINT_MAX`]).
    pub(super) print: bool,
}

/// Most rows of the printable registry.
pub const PRINT_MAX: usize = 5000;

/// Checks the query: an org outside the scope is 404, a bad kind, state or page 422 naming it.
pub(super) fn filter_of(v: &Viewer, q: &RegistryQuery) -> Result<Filter, Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let (org, org_id) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "platforms.org_not_found", c))?;
            (o.code.clone(), Some(o.id.clone()))
        }
        None => (String::new(), None),
    };
    let kind = match nonempty(&q.kind) {
        Some(k) => {
            let terms = PlatformTerms::of([&v.snap.pack]);
            Some(terms.kind(k).ok_or_else(|| {
                Refusal::invalid(
                    tr,
                    "kind",
                    &tr.tf(
                        "platforms.error.kind",
                        &[("value", k), ("expected", &terms.kinds_expected())],
                    ),
                )
            })?)
        }
        None => None,
    };
    let state = match nonempty(&q.state) {
        Some(s) => Some(PlatformState::parse(s).ok_or_else(|| {
            Refusal::invalid(
                tr,
                "state",
                &tr.tf(
                    "platforms.error.state",
                    &[("value", s), ("expected", &PlatformState::expected())],
                ),
            )
        })?),
        None => None,
    };
    let page = page_number(nonempty(&q.page), tr, "platforms.error.page")?;
    Ok(Filter {
        org,
        org_id,
        kind,
        state,
        q: nonempty(&q.q)
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect(),
        page,
        print: nonempty(&q.print).is_some_and(|p| p == "1"),
    })
}

/// The platforms the filter selects within the viewer's scope, by org code then code; and
/// how many there are in all. One pass over the model's index ([`registry_index`]), which is
/// in that order already: only the rows of the page asked for are kept.
pub(super) fn select<'a>(
    state: &AppState,
    v: &'a Viewer,
    f: &Filter,
) -> (Vec<&'a Platform>, usize) {
    let m = &v.snap.model;
    let ix = registry_index(state, m);
    let platforms = m.platforms();
    let needle = f.q.to_lowercase();
    let within = f.org_id.as_deref().map(|id| ix.within(id));
    let readable = ix.readable(&v.principal, m);
    let (skip, take) = if f.print {
        (0, PRINT_MAX)
    } else {
        ((f.page - 1) * PER_PAGE, PER_PAGE)
    };
    let mut rows = Vec::new();
    let mut total = 0;
    for e in &ix.entries {
        let p = &platforms[e.platform];
        let selected = f.kind.is_none_or(|k| p.kind == k)
            && f.state.is_none_or(|s| p.state == s)
            && (needle.is_empty() || e.name(p).contains(&needle) || p.code.contains(&needle))
            && within.as_ref().is_none_or(|w| w.holds(m, e, p))
            && readable.holds(e, p);
        if selected {
            if total >= skip && rows.len() < take {
                rows.push(p);
            }
            total += 1;
        }
    }
    (rows, total)
}

/// One platform in the registry.
pub struct PlatformRow {
    pub href: String,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub org: String,
    pub portfolio: String,
    pub leader: String,
    pub state: &'static str,
    pub state_name: String,
    pub news: bool,
    pub operators: String,
}

#[derive(Template)]
#[template(path = "platforms_list.html")]
pub(super) struct RegistryPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) rows: Vec<PlatformRow>,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) states: Vec<(String, String)>,
    pub(super) org: String,
    pub(super) kind: String,
    pub(super) state: String,
    pub(super) q: String,
    pub(super) page_label: String,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) new_href: Option<String>,
    /// The whole registry on one page, to print (the 阵地台账).
    pub(super) print_href: String,
    /// This is the printable page: a title with the org and the day, no pager.
    pub(super) print: Option<String>,
}

/// A platform as the registry shows it, with its responsible leader ([`responsible_leader`]);
/// `portfolios` are the policy's, as (id, name).
pub(super) fn row(
    v: &Viewer,
    p: &Platform,
    leader: Option<Leader>,
    portfolios: &[(String, String)],
) -> PlatformRow {
    let tr = v.tr;
    let m = &v.snap.model;
    PlatformRow {
        href: platform_href(&p.id, tr),
        name: p.name.clone(),
        code: p.code.clone(),
        kind: platform_kind_name(tr, &v.snap.pack, p.kind),
        org: m.org(&p.org).map(|o| o.name.clone()).unwrap_or_default(),
        portfolio: p
            .portfolio
            .as_deref()
            .map(|id| {
                portfolios
                    .iter()
                    .find(|(pid, _)| pid == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| id.to_string())
            })
            .unwrap_or_default(),
        leader: leader.map(|(_, name, _)| name).unwrap_or_default(),
        state: p.state.as_str(),
        state_name: state_name(tr, p.state),
        news: p.news_function,
        operators: p
            .operators
            .iter()
            .map(|o| person_name(m, o))
            .collect::<Vec<_>>()
            .join(tr.lang().pick("、", ", ")),
    }
}

pub(super) async fn registry_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<RegistryQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let f = match filter_of(&v, &q) {
        Ok(f) => f,
        Err(r) => return r.page(tr),
    };
    let today = state.today();
    let (rows, total) = select(&state, &v, &f);
    let pages = total.div_ceil(PER_PAGE).max(1);
    let kind = f.kind.map(|k| k.as_str().to_string()).unwrap_or_default();
    let st = f.state.map(|s| s.as_str().to_string()).unwrap_or_default();
    let link = |n: usize| {
        href_with(
            "/platforms",
            &[
                ("org", f.org.as_str()),
                ("kind", kind.as_str()),
                ("state", st.as_str()),
                ("q", f.q.as_str()),
                ("page", &n.to_string()),
            ],
            tr,
        )
    };
    let m = &v.snap.model;
    let ix = registry_index(&state, m);
    let mut orgs: Vec<(String, String)> = crate::shared::access::scope_roots(&v)
        .into_iter()
        .flat_map(|root| ix.subtree(m, &root.id))
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect();
    orgs.dedup();
    let portfolios = portfolios(&v);
    let leaders = responsible_leaders(&state, &v, &rows, today);
    page(
        StatusCode::OK,
        &RegistryPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows: rows
                .iter()
                .zip(leaders)
                .map(|(p, leader)| row(&v, p, leader, &portfolios))
                .collect(),
            orgs,
            kinds: kind_choices(&v),
            states: PlatformState::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), state_name(tr, *s)))
                .collect(),
            org: f.org.clone(),
            kind: kind.clone(),
            state: st.clone(),
            q: f.q.clone(),
            page_label: tr.tf(
                "platforms.page",
                &[
                    ("page", &f.page.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            prev: (f.page > 1 && !f.print).then(|| link(f.page - 1)),
            next: (f.page < pages && !f.print).then(|| link(f.page + 1)),
            new_href: v
                .principal
                .can_somewhere(Permission::ManagePlatforms)
                .then(|| href_with("/platforms/new", &[("org", f.org.as_str())], tr)),
            print_href: href_with(
                "/platforms",
                &[
                    ("org", f.org.as_str()),
                    ("kind", kind.as_str()),
                    ("state", st.as_str()),
                    ("q", f.q.as_str()),
                    ("print", "1"),
                ],
                tr,
            ),
            print: f.print.then(|| {
                let org = m
                    .find_org(&f.org)
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| tr.t("platforms.filter.all_orgs").to_string());
                tr.tf(
                    "platforms.print.title",
                    &[("org", org.as_str()), ("day", &date(today))],
                )
            }),
        },
    )
}
