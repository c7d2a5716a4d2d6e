//! The people list and a person's page.

use super::*;

/// One person in the list.
pub struct PersonRow {
    /// The person's page.
    pub href: String,
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
    /// The new-person form of the org the list is filtered by, when the viewer manages it.
    pub(super) new_href: Option<String>,
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
            href: person_href(&p.id, tr),
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
    let new_href = within
        .filter(|o| o.closed_on.is_none() && v.can(Permission::ManageOrg, Some(&o.id)))
        .map(|o| format!("/orgs/{}/people/new{}", encode(&o.code), tr.qs()));
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
            new_href,
        },
    )
}

/// One holding on a person's page.
pub struct HeldRow {
    /// Post title.
    pub title: String,
    /// Org name.
    pub org: String,
    /// Org link.
    pub org_href: String,
    /// First day.
    pub start: String,
    /// Last day, if it ended.
    pub end: Option<String>,
}

#[derive(Template)]
#[template(path = "person.html")]
pub(super) struct PersonPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) name: String,
    pub(super) org: String,
    pub(super) org_href: String,
    pub(super) people_href: String,
    pub(super) staff_no: Option<String>,
    pub(super) email: Option<String>,
    pub(super) wecom_id: Option<String>,
    pub(super) dingtalk_id: Option<String>,
    pub(super) left_on: Option<String>,
    pub(super) held: Vec<HeldRow>,
    /// The edit and leave forms, for a viewer who manages the person's org.
    pub(super) edit_href: Option<String>,
    pub(super) leave_href: Option<String>,
}

/// `GET /people/{id}` — a person: org, staff number, contact, posts held, leaving.
pub(super) async fn person_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let Some((person, org)) = find_visible_person(&v, &id) else {
        return person_not_found_page(tr, &id);
    };
    let record = match state.db.person_record(&person.id).await {
        Ok(r) => r,
        Err(e) => return storage_page(tr, &e),
    };
    let m = &v.snap.model;
    let manages = v.can(Permission::ManageOrg, Some(&org.id));
    let link =
        |what: &str| manages.then(|| format!("/people/{}/{what}{}", encode(&person.id), tr.qs()));
    page(
        StatusCode::OK,
        &PersonPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            name: record.name,
            org: org.name.clone(),
            org_href: org_href(&org.code, tr),
            people_href: href_with("/people", &[("org", org.code.as_str())], tr),
            staff_no: record.staff_no,
            email: record.email,
            wecom_id: record.wecom_id,
            dingtalk_id: record.dingtalk_id,
            left_on: record.left_on.map(date),
            held: holdings_of(m, &person.id)
                .into_iter()
                .map(|(h, post, o)| HeldRow {
                    title: post.title.clone(),
                    org: o.name.clone(),
                    org_href: org_href(&o.code, tr),
                    start: date(h.start),
                    end: h.end.map(date),
                })
                .collect(),
            edit_href: link("edit"),
            leave_href: link("leave"),
        },
    )
}
