//! The org model as the API writes it (JSON shapes).

use super::*;

/// A page of a list.
#[derive(Serialize)]
pub(super) struct ListOut<T: Serialize> {
    pub(super) items: Vec<T>,
    pub(super) page: usize,
    pub(super) per_page: usize,
    pub(super) total: usize,
}

pub(super) fn list<S, T: Serialize>(
    all: &[S],
    page: usize,
    f: impl Fn(&S) -> T,
) -> Json<ListOut<T>> {
    Json(ListOut {
        items: page_of(all, page).iter().map(f).collect(),
        page,
        per_page: PER_PAGE,
        total: all.len(),
    })
}

#[derive(Serialize)]
pub(super) struct OrgOut<'a> {
    pub(super) id: &'a str,
    pub(super) code: &'a str,
    pub(super) name: &'a str,
    pub(super) kind: OrgKind,
    /// Parent org id (`null` at the root).
    pub(super) parent: Option<&'a str>,
    /// Parent org code, when the caller may read the parent.
    pub(super) parent_code: Option<&'a str>,
    pub(super) established_on: Option<NaiveDate>,
    pub(super) closed_on: Option<NaiveDate>,
}

pub(super) fn org_out<'a>(v: &'a Viewer, o: &'a Org) -> OrgOut<'a> {
    OrgOut {
        id: &o.id,
        code: &o.code,
        name: &o.name,
        kind: o.kind,
        parent: o.parent.as_deref(),
        parent_code: v
            .snap
            .model
            .parent(o)
            .filter(|p| visible(v, &p.id))
            .map(|p| p.code.as_str()),
        established_on: o.established_on,
        closed_on: o.closed_on,
    }
}

#[derive(Serialize)]
pub(super) struct HolderOut<'a> {
    pub(super) holding: &'a str,
    pub(super) person: &'a str,
    pub(super) person_name: String,
    pub(super) start: NaiveDate,
    pub(super) end: Option<NaiveDate>,
    /// Portfolios held on the day asked about (一岗双责).
    pub(super) portfolios: Vec<&'a str>,
}

pub(super) fn holder_out<'a>(m: &'a OrgModel, h: &'a Holding, day: NaiveDate) -> HolderOut<'a> {
    HolderOut {
        holding: &h.id,
        person: &h.person,
        person_name: person_name(m, &h.person),
        start: h.start,
        end: h.end,
        portfolios: m.portfolios_on(&h.id, day),
    }
}

#[derive(Serialize)]
pub(super) struct PostOut<'a> {
    pub(super) id: &'a str,
    pub(super) org: &'a str,
    pub(super) org_code: &'a str,
    pub(super) kind: &'a str,
    pub(super) kind_name: String,
    pub(super) title: &'a str,
    /// The post's standing portfolios, given to each new holder.
    pub(super) portfolios: &'a [String],
    pub(super) single_holder: bool,
    /// Its last day, when the post is closed.
    pub(super) closed_on: Option<NaiveDate>,
    /// Holders today.
    pub(super) holders: Vec<HolderOut<'a>>,
}

pub(super) fn post_out<'a>(
    v: &'a Viewer,
    today: NaiveDate,
    p: &'a Post,
    org: &'a Org,
) -> PostOut<'a> {
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    PostOut {
        id: &p.id,
        org: &org.id,
        org_code: &org.code,
        kind: &p.kind,
        kind_name: post_kind_name(v.tr, pack, &p.kind),
        title: &p.title,
        portfolios: &p.portfolios,
        single_holder: single_holder(pack, p),
        closed_on: p.closed_on,
        holders: m
            .holders_on(&p.id, today)
            .into_iter()
            .map(|h| holder_out(m, h, today))
            .collect(),
    }
}

#[derive(Serialize)]
pub(super) struct PlatformOut<'a> {
    pub(super) id: &'a str,
    pub(super) code: &'a str,
    pub(super) name: &'a str,
    pub(super) kind: PlatformKind,
    pub(super) portfolio: Option<&'a str>,
    pub(super) news_function: bool,
    pub(super) opened_on: NaiveDate,
    pub(super) closed_on: Option<NaiveDate>,
    pub(super) operators: &'a [String],
}

#[derive(Serialize)]
pub(super) struct OrgDetail<'a> {
    #[serde(flatten)]
    pub(super) org: OrgOut<'a>,
    pub(super) version: i64,
    pub(super) children: Vec<OrgOut<'a>>,
    pub(super) posts: Vec<PostOut<'a>>,
    pub(super) platforms: Vec<PlatformOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct PersonOut<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) org: &'a str,
    pub(super) org_code: &'a str,
    pub(super) org_name: &'a str,
    /// Posts held today.
    pub(super) posts: Vec<PersonPostOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct PersonPostOut<'a> {
    pub(super) post: &'a str,
    pub(super) title: &'a str,
    pub(super) org: &'a str,
    pub(super) org_code: &'a str,
}

#[derive(Serialize)]
pub(super) struct HoldingOut<'a> {
    pub(super) id: &'a str,
    pub(super) post: &'a str,
    pub(super) person: &'a str,
    pub(super) person_name: String,
    pub(super) start: NaiveDate,
    pub(super) end: Option<NaiveDate>,
}

pub(super) fn holding_out<'a>(m: &OrgModel, h: &'a Holding) -> HoldingOut<'a> {
    HoldingOut {
        id: &h.id,
        post: &h.post,
        person: &h.person,
        person_name: person_name(m, &h.person),
        start: h.start,
        end: h.end,
    }
}
