//! The people list.

use super::*;

/// One person in the list.
pub struct PersonRow {
    /// Name.
    pub name: String,
    /// Org name.
    pub org: String,
    /// Org link.
    pub org_href: String,
    /// Posts held today: (title, org name).
    pub posts: Vec<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
pub(super) struct PeoplePage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) rows: Vec<PersonRow>,
    pub(super) q: String,
    pub(super) org: String,
    pub(super) org_name: Option<String>,
    pub(super) sort: &'static str,
    pub(super) sort_name_href: String,
    pub(super) sort_code_href: String,
    pub(super) pager: Pager,
}

/// People the viewer may see (in `within`'s subtree when given), filtered by `q`, sorted.
pub(super) fn people_in_scope<'a>(
    v: &'a Viewer,
    within: Option<&Org>,
    q: &str,
    sort: Sort,
) -> Vec<(&'a Person, &'a Org)> {
    let m = &v.snap.model;
    let needle = q.trim().to_lowercase();
    let mut visible_cache: HashMap<&str, bool> = HashMap::new();
    // Within an org: its subtree's people only, not the whole model's.
    let people: Box<dyn Iterator<Item = &Person>> = match within {
        Some(w) => Box::new(m.people_within(&w.id)),
        None => Box::new(m.people()),
    };
    let mut rows: Vec<(&Person, &Org)> = people
        .filter(|p| needle.is_empty() || p.name.to_lowercase().contains(&needle))
        .filter_map(|p| {
            let org = m.org(&p.org)?;
            let ok = *visible_cache
                .entry(org.id.as_str())
                .or_insert_with(|| visible(v, &org.id));
            ok.then_some((p, org))
        })
        .collect();
    match sort {
        Sort::Name => rows
            .sort_by(|a, b| (&a.0.name, &a.1.code, &a.0.id).cmp(&(&b.0.name, &b.1.code, &b.0.id))),
        Sort::Code => rows
            .sort_by(|a, b| (&a.1.code, &a.0.name, &a.0.id).cmp(&(&b.1.code, &b.0.name, &b.0.id))),
    }
    rows
}

/// Posts each person holds on `day`: person id → [(post, org)].
pub(super) fn posts_held(m: &OrgModel, day: NaiveDate) -> HashMap<&str, Vec<(&Post, &Org)>> {
    let mut out: HashMap<&str, Vec<(&Post, &Org)>> = HashMap::new();
    for h in m.holdings().iter().filter(|h| h.covers(day)) {
        if let Some(post) = m.post(&h.post)
            && let Some(org) = m.org(&post.org)
        {
            out.entry(h.person.as_str()).or_default().push((post, org));
        }
    }
    out
}

/// `GET /people` — people within scope.
pub(super) async fn people_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Name);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let text = q.q.unwrap_or_default().trim().to_string();
    let org_param = q.org.unwrap_or_default().trim().to_string();
    let within = if org_param.is_empty() {
        None
    } else {
        match find_visible(&v, &org_param) {
            Some(o) => Some(o),
            None => return org_not_found_page(tr, &org_param),
        }
    };
    let m = &v.snap.model;
    let all = people_in_scope(&v, within, &text, sort);
    let held = posts_held(m, state.today());
    let rows = page_of(&all, page_no)
        .iter()
        .map(|(p, o)| PersonRow {
            name: p.name.clone(),
            org: o.name.clone(),
            org_href: org_href(&o.code, tr),
            posts: held
                .get(p.id.as_str())
                .map(|list| {
                    list.iter()
                        .map(|(post, org)| {
                            if org.id == o.id {
                                post.title.clone()
                            } else {
                                format!("{} · {}", org.name, post.title)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let org_code = within.map(|o| o.code.clone()).unwrap_or_default();
    page(
        StatusCode::OK,
        &PeoplePage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows,
            org_name: within.map(|o| o.name.clone()),
            sort: sort.as_str(),
            sort_name_href: href_with(
                "/people",
                &[
                    ("q", text.as_str()),
                    ("org", org_code.as_str()),
                    ("sort", "name"),
                ],
                tr,
            ),
            sort_code_href: href_with(
                "/people",
                &[
                    ("q", text.as_str()),
                    ("org", org_code.as_str()),
                    ("sort", "code"),
                ],
                tr,
            ),
            pager: Pager::new(
                "/people",
                &[
                    ("q", text.as_str()),
                    ("org", org_code.as_str()),
                    ("sort", sort.as_str()),
                ],
                page_no,
                all.len(),
                PER_PAGE,
                tr,
            ),
            q: text,
            org: org_code,
        },
    )
}
