//! One org's page: its posts, holders, portfolios and children.

use super::*;

/// A link with a label.
pub struct Link {
    /// Label.
    pub label: String,
    /// Target.
    pub href: String,
    /// A second line (code, kind).
    pub sub: String,
}

/// One holding as shown.
pub struct HolderView {
    /// Person.
    pub name: String,
    /// From.
    pub start: String,
    /// To, if ended.
    pub end: Option<String>,
    /// The form ending it or correcting its days, for viewers who manage the org.
    pub edit: Option<String>,
}

/// One post of the org.
pub struct PostView {
    /// Post id (the `id` attribute of its row).
    pub id: String,
    /// Title as the org writes it.
    pub title: String,
    /// Kind from the pack.
    pub kind: String,
    /// Portfolios its holders hold today (a vacant post: those its next holder is given),
    /// names from the pack.
    pub portfolios: Vec<String>,
    /// The page of its portfolio assignments, for a leadership post the viewer manages.
    pub assign: Option<String>,
    /// Holders today.
    pub current: Vec<HolderView>,
    /// Earlier (and later) holders, newest first.
    pub history: Vec<HolderView>,
    /// The handover form, for viewers who manage the org.
    pub handover: Option<String>,
    /// The appointment form, for viewers who manage the org: a vacant post, or one of several holders.
    pub appoint: Option<String>,
    /// Its last day, when the post is closed.
    pub closed: Option<String>,
    /// The form closing (or, closed, reopening) it, for viewers who manage the org: (href, label).
    pub close: Option<(String, String)>,
}

/// One platform of the org.
pub struct PlatformView {
    /// Name.
    pub name: String,
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: String,
    /// Portfolio.
    pub portfolio: Option<String>,
    /// Operators' names.
    pub operators: Vec<String>,
    /// Has news/opinion functions.
    pub news: bool,
    /// Closed on, if it was.
    pub closed: Option<String>,
    /// Its page in the platform registry.
    pub href: String,
}

#[derive(Template)]
#[template(path = "org.html")]
pub(super) struct OrgPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) name: String,
    pub(super) code: String,
    pub(super) kind: String,
    pub(super) established: Option<String>,
    pub(super) closed: Option<String>,
    pub(super) parent: Option<Link>,
    pub(super) children: Vec<Link>,
    pub(super) pager: Pager,
    pub(super) posts: Vec<PostView>,
    pub(super) platforms: Vec<PlatformView>,
    pub(super) today: String,
    pub(super) who_href: String,
    pub(super) people_href: String,
    /// The changes of the tree the viewer may make here: (href, label).
    pub(super) actions: Vec<(String, String)>,
}

pub(super) fn holder_view(m: &OrgModel, h: &Holding) -> HolderView {
    HolderView {
        name: person_name(m, &h.person),
        start: date(h.start),
        end: h.end.map(date),
        edit: None,
    }
}

/// `GET /orgs/{code}` — one org.
pub(super) async fn org_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(code): Path<String>,
    q: Result<Query<ListQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let Some(org) = find_visible(&v, &code) else {
        return org_not_found_page(tr, &code);
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Code);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let manage = v.can(Permission::ManageOrg, Some(&org.id));
    let parent = m.parent(org).filter(|p| visible(&v, &p.id)).map(|p| Link {
        label: p.name.clone(),
        href: org_href(&p.code, tr),
        sub: p.code.clone(),
    });
    let mut kids: Vec<&Org> = m.children(&org.id).collect();
    sort_orgs(&mut kids, sort);
    let children = page_of(&kids, page_no)
        .iter()
        .map(|c| Link {
            label: c.name.clone(),
            href: org_href(&c.code, tr),
            sub: match c.closed_on {
                None => format!("{} · {}", c.code, org_kind_name(tr, c.kind)),
                Some(d) => format!(
                    "{} · {} · {}",
                    c.code,
                    org_kind_name(tr, c.kind),
                    tr.tf("orgs.closed", &[("day", &date(d))])
                ),
            },
        })
        .collect();
    let posts = posts_in_order(m, pack, &org.id)
        .into_iter()
        .map(|p| {
            let (current, mut history): (Vec<&Holding>, Vec<&Holding>) =
                m.holdings_of(&p.id).partition(|h| h.covers(today));
            history.reverse();
            // A closed post takes no new holder: no handover, appointment or portfolio form.
            let open = p.closed_on.is_none();
            let handover =
                (manage && open && single_holder(pack, p) && !current.is_empty()).then(|| {
                    format!(
                        "/orgs/{}/posts/{}/handover{}",
                        encode(&org.code),
                        encode(&p.id),
                        tr.qs()
                    )
                });
            let appoint = (manage
                && open
                && org.closed_on.is_none()
                && (current.is_empty() || !single_holder(pack, p)))
            .then(|| {
                format!(
                    "/orgs/{}/posts/{}/appoint{}",
                    encode(&org.code),
                    encode(&p.id),
                    tr.qs()
                )
            });
            let leadership = pack.post_kind(&p.kind).is_some_and(|k| k.leadership);
            let assign = (manage && open && leadership).then(|| {
                format!(
                    "/orgs/{}/posts/{}/portfolios{}",
                    encode(&org.code),
                    encode(&p.id),
                    tr.qs()
                )
            });
            // The portfolios held today by its holders; a vacant post shows those its next
            // holder will be given.
            let held: Vec<&str> = current
                .iter()
                .flat_map(|h| m.portfolios_on(&h.id, today))
                .collect();
            let portfolios = if current.is_empty() {
                p.portfolios.iter().map(String::as_str).collect()
            } else {
                held
            };
            PostView {
                id: p.id.clone(),
                title: p.title.clone(),
                kind: post_kind_name(tr, pack, &p.kind),
                portfolios: portfolios
                    .into_iter()
                    .map(|x| portfolio_name(tr, pack, x))
                    .collect(),
                assign,
                current: current
                    .into_iter()
                    .map(|h| holding_view(&v, org, h))
                    .collect(),
                history: history
                    .into_iter()
                    .map(|h| holding_view(&v, org, h))
                    .collect(),
                handover,
                appoint,
                closed: p.closed_on.map(date),
                close: manage.then(|| {
                    let label = match p.closed_on {
                        None => "orgs.action.post_close",
                        Some(_) => "orgs.action.post_reopen",
                    };
                    (
                        format!(
                            "/orgs/{}/posts/{}/close{}",
                            encode(&org.code),
                            encode(&p.id),
                            tr.qs()
                        ),
                        tr.t(label).to_string(),
                    )
                }),
            }
        })
        .collect();
    let platforms = m
        .platforms_of(&org.id)
        .map(|p| PlatformView {
            name: p.name.clone(),
            code: p.code.clone(),
            kind: platform_kind_name(tr, pack, p.kind),
            portfolio: p.portfolio.as_deref().map(|x| portfolio_name(tr, pack, x)),
            operators: p.operators.iter().map(|o| person_name(m, o)).collect(),
            news: p.news_function,
            closed: p.closed_on.map(date),
            href: with_lang(&format!("/platforms/{}", encode(&p.id)), tr),
        })
        .collect();
    let path = format!("/orgs/{}", encode(&org.code));
    let open = org.closed_on.is_none();
    let actions = [
        (OrgAction::NewChild, takes_children(org).is_ok()),
        (OrgAction::Edit, true),
        (OrgAction::Close, open),
        (OrgAction::Reopen, !open),
    ]
    .into_iter()
    .filter(|(action, shown)| *shown && may(&v, *action, org))
    .map(|(action, _)| {
        (
            format!("{path}/{}{}", action.path(), tr.qs()),
            tr.t(&format!("orgs.action.{}", action.key())).to_string(),
        )
    })
    .chain((manage && open).then(|| {
        (
            format!("{path}/posts/new{}", tr.qs()),
            tr.t("orgs.action.new_post").to_string(),
        )
    }))
    .collect();
    page(
        StatusCode::OK,
        &OrgPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            name: org.name.clone(),
            code: org.code.clone(),
            kind: org_kind_name(tr, org.kind),
            established: org.established_on.map(date),
            closed: org.closed_on.map(date),
            parent,
            children,
            pager: Pager::new(
                &path,
                &[("sort", sort.as_str())],
                page_no,
                kids.len(),
                PER_PAGE,
                tr,
            ),
            posts,
            platforms,
            today: date(today),
            who_href: href_with("/who", &[("org", &org.code)], tr),
            people_href: href_with("/people", &[("org", &org.code)], tr),
            actions,
        },
    )
}
