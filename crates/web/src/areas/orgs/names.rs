//! Names in the user's language.

use super::*;

pub(super) fn org_kind_name(tr: Tr, k: OrgKind) -> String {
    tr.t(&format!("orgs.kind.{}", k.as_str())).to_string()
}

pub(super) fn post_kind_name(tr: Tr, pack: &PolicyPack, kind: &str) -> String {
    pack.post_kind(kind)
        .map(|k| tr.lang().pick(&k.name, &k.name_en).to_string())
        .unwrap_or_else(|| kind.to_string())
}

pub(super) fn portfolio_name(tr: Tr, pack: &PolicyPack, id: &str) -> String {
    pack.portfolio(id)
        .map(|p| tr.lang().pick(&p.name, &p.name_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn single_holder(pack: &PolicyPack, post: &Post) -> bool {
    pack.post_kind(&post.kind).is_some_and(|k| k.single_holder)
}

/// Posts of an org in the pack's order of post kinds, then by title.
pub(super) fn posts_in_order<'a>(m: &'a OrgModel, pack: &PolicyPack, org: &str) -> Vec<&'a Post> {
    let rank = |kind: &str| {
        pack.post_kinds
            .iter()
            .position(|k| k.id == kind)
            .unwrap_or(usize::MAX)
    };
    let mut posts: Vec<&Post> = m.posts_of(org).collect();
    posts.sort_by(|a, b| (rank(&a.kind), &a.title, &a.id).cmp(&(rank(&b.kind), &b.title, &b.id)));
    posts
}
