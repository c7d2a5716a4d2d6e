//! Scope, sorting, paging.

use super::*;

/// Whether the viewer may read `org_id`.
pub(super) fn visible(v: &Viewer, org_id: &str) -> bool {
    v.can(Permission::ReadOrg, Some(org_id))
}

/// An org by code or id, if it exists and the viewer may read it.
pub(super) fn find_visible<'a>(v: &'a Viewer, code_or_id: &str) -> Option<&'a Org> {
    v.snap
        .model
        .find_org(code_or_id.trim())
        .filter(|o| visible(v, &o.id))
}

/// A post, if it exists and its org is within the viewer's scope.
pub(super) fn find_visible_post<'a>(v: &'a Viewer, id: &str) -> Option<(&'a Post, &'a Org)> {
    let m = &v.snap.model;
    let post = m.post(id.trim())?;
    let org = m.org(&post.org)?;
    visible(v, &org.id).then_some((post, org))
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sort {
    Name,
    Code,
}

impl Sort {
    pub(super) fn parse(s: Option<&str>) -> Option<Sort> {
        match s.map(str::trim) {
            Some("name") => Some(Sort::Name),
            Some("code") => Some(Sort::Code),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Code => "code",
        }
    }
}

pub(super) fn sort_orgs(orgs: &mut [&Org], sort: Sort) {
    match sort {
        Sort::Name => orgs.sort_by(|a, b| (&a.name, &a.code).cmp(&(&b.name, &b.code))),
        Sort::Code => orgs.sort_by(|a, b| a.code.cmp(&b.code)),
    }
}

/// Every org the viewer may read, parents before children, with its depth in the shown tree.
pub(super) fn visible_tree(v: &Viewer, sort: Sort) -> Vec<(usize, &Org)> {
    let m = &v.snap.model;
    let mut roots = scope_roots(v);
    sort_orgs(&mut roots, sort);
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &Org)> = roots.into_iter().rev().map(|o| (0, o)).collect();
    while let Some((depth, o)) = stack.pop() {
        out.push((depth, o));
        // A damaged tree (a cycle) must not loop for ever.
        if out.len() > m.orgs().len() {
            break;
        }
        let mut kids: Vec<&Org> = m.children(&o.id).collect();
        sort_orgs(&mut kids, sort);
        stack.extend(kids.into_iter().rev().map(|k| (depth + 1, k)));
    }
    out
}

/// The 1-based page asked for; `None` when it is not a positive number.
pub(super) fn parse_page(s: Option<&str>) -> Option<usize> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(1),
        Some(s) => s.parse::<usize>().ok().filter(|n| *n >= 1),
    }
}

/// The rows of one page.
pub(super) fn page_of<T>(all: &[T], page: usize) -> &[T] {
    let start = page
        .saturating_sub(1)
        .saturating_mul(PER_PAGE)
        .min(all.len());
    let end = start.saturating_add(PER_PAGE).min(all.len());
    &all[start..end]
}

/// Builds `path?k=v&…` from the non-empty parameters, keeping an explicit language choice.
pub(super) fn href_with(path: &str, params: &[(&str, &str)], tr: Tr) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if tr.is_explicit() {
        parts.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The link to an org's page.
pub(super) fn org_href(code: &str, tr: Tr) -> String {
    format!("/orgs/{}{}", encode(code), tr.qs())
}

/// Page navigation under a list.
pub struct Pager {
    /// This page, from 1.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Rows in the whole list.
    pub total: usize,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    pub(super) fn new(
        path: &str,
        params: &[(&str, &str)],
        page: usize,
        total: usize,
        tr: Tr,
    ) -> Pager {
        let pages = total.div_ceil(PER_PAGE).max(1);
        let link = |n: usize| {
            let n = n.to_string();
            let mut p: Vec<(&str, &str)> = params.to_vec();
            p.push(("page", &n));
            href_with(path, &p, tr)
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn several(&self) -> bool {
        self.pages > 1
    }

    /// "Page 2 of 3, 120 rows".
    pub fn label(&self, tr: &Tr) -> String {
        tr.tf(
            "orgs.page",
            &[
                ("page", &self.page.to_string()),
                ("pages", &self.pages.to_string()),
                ("total", &self.total.to_string()),
            ],
        )
    }
}
