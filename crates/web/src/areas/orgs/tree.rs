//! The org tree page.

use super::*;

/// One org in the nested tree. The counts say which list tags come before it, so a page that
/// starts deep in the tree still nests correctly.
pub struct TreeRow {
    /// Close the previous item's `<li>`.
    pub close_li: bool,
    /// Levels to close (`</ul></li>`) after that.
    pub up: usize,
    /// Open a child list inside the previous item.
    pub open_ul: bool,
    /// Levels to open with an empty item, for a page starting below its first level.
    pub cont: usize,
    /// Org name.
    pub name: String,
    /// Org code.
    pub code: String,
    /// Kind, in the user's language.
    pub kind: String,
    /// Link to the org's page.
    pub href: String,
    /// Closed on, if it was.
    pub closed: Option<String>,
}

/// How the nested lists open and close around each row, for rows at these depths.
pub(super) fn nesting(depths: &[usize]) -> (Vec<(bool, usize, bool, usize)>, usize) {
    let base = depths.iter().copied().min().unwrap_or(0);
    let mut cur = 0usize;
    let mut li_open = false;
    let mut out = Vec::with_capacity(depths.len());
    for d in depths {
        let r = d - base;
        let (mut close_li, mut up, mut open_ul, mut cont) = (false, 0, false, 0);
        if li_open && r > cur {
            open_ul = true;
            cur += 1;
        } else if li_open {
            close_li = true;
            while cur > r {
                up += 1;
                cur -= 1;
            }
        }
        while cur < r {
            cont += 1;
            cur += 1;
        }
        li_open = true;
        out.push((close_li, up, open_ul, cont));
    }
    (out, cur)
}

#[derive(Template)]
#[template(path = "orgs.html")]
pub(super) struct OrgsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) rows: Vec<TreeRow>,
    pub(super) tail: usize,
    pub(super) sort: &'static str,
    pub(super) sort_name_href: String,
    pub(super) sort_code_href: String,
    pub(super) pager: Pager,
    /// The roster page, for viewers who manage orgs.
    pub(super) roster: bool,
    /// Getting started of each subtree the viewer manages: (href, org name).
    pub(super) starts: Vec<(String, String)>,
}

/// Query of the list pages.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub(super) sort: Option<String>,
    pub(super) page: Option<String>,
    pub(super) q: Option<String>,
    pub(super) org: Option<String>,
}

/// `GET /orgs` — the org tree within the viewer's scope.
pub(super) async fn orgs_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let sort = Sort::parse(q.sort.as_deref()).unwrap_or(Sort::Code);
    let page_no = parse_page(q.page.as_deref()).unwrap_or(1);
    let tree = visible_tree(&v, sort);
    let shown = page_of(&tree, page_no);
    let depths: Vec<usize> = shown.iter().map(|(d, _)| *d).collect();
    let (marks, tail) = nesting(&depths);
    let rows = shown
        .iter()
        .zip(marks)
        .map(|((_, o), (close_li, up, open_ul, cont))| TreeRow {
            close_li,
            up,
            open_ul,
            cont,
            name: o.name.clone(),
            code: o.code.clone(),
            kind: org_kind_name(tr, o.kind),
            href: org_href(&o.code, tr),
            closed: o.closed_on.map(date),
        })
        .collect();
    page(
        StatusCode::OK,
        &OrgsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows,
            tail,
            sort: sort.as_str(),
            sort_name_href: href_with("/orgs", &[("sort", "name")], tr),
            sort_code_href: href_with("/orgs", &[("sort", "code")], tr),
            roster: v.principal.can_somewhere(Permission::ManageOrg),
            starts: crate::shared::access::scope_roots(&v)
                .into_iter()
                .filter(|o| v.can(Permission::ManageOrg, Some(&o.id)))
                .map(|o| {
                    (
                        format!("/orgs/{}/start{}", encode(&o.code), tr.qs()),
                        o.name.clone(),
                    )
                })
                .collect(),
            pager: Pager::new(
                "/orgs",
                &[("sort", sort.as_str())],
                page_no,
                tree.len(),
                PER_PAGE,
                tr,
            ),
        },
    )
}
