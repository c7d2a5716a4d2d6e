//! Which orgs the viewer sees, in which order, a page at a time.

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
    zeren_core::params::page(s)
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

/// The link to an org's page.
pub(super) fn org_href(code: &str, tr: Tr) -> String {
    format!("/orgs/{}{}", encode(code), tr.qs())
}
