//! The records list page.

use super::*;

/// Query of the record list.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub(super) org: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) year: Option<String>,
    pub(super) page: Option<String>,
}

/// One row of the record list.
pub struct RecordRow {
    /// Link.
    pub href: String,
    /// Day.
    pub date: String,
    /// Kind in words.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Org name.
    pub org: String,
    /// Version.
    pub version: i64,
}

#[derive(Template)]
#[template(path = "records_list.html")]
pub(super) struct ListPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) org: String,
    pub(super) kind: String,
    pub(super) year: String,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) rows: Vec<RecordRow>,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) page_label: String,
    pub(super) new_links: Vec<(String, String)>,
    pub(super) training_href: String,
    pub(super) directives_href: String,
    pub(super) error: Option<String>,
}

pub(super) struct Listing {
    pub(super) orgs: Vec<String>,
    pub(super) org_code: String,
    pub(super) kind: Option<EvidenceOf>,
    pub(super) year: i32,
    pub(super) page: i64,
}

pub(super) fn listing(v: &Viewer, q: &ListQuery, today: NaiveDate) -> Result<Listing, ApiError> {
    let tr = v.tr;
    let year = parse_year(tr, q.year.as_deref(), today)?;
    let kind = parse_kind(v, q.kind.as_deref())?;
    let page = parse_page(tr, q.page.as_deref())?;
    let (orgs, org_code) = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let org = org_to_read(v, code).map_err(Refusal::api)?;
            (
                v.snap
                    .model
                    .subtree(&org.id)
                    .iter()
                    .map(|o| o.id.clone())
                    .collect(),
                org.code.clone(),
            )
        }
        None => (readable_orgs(v), String::new()),
    };
    Ok(Listing {
        orgs,
        org_code,
        kind,
        year,
        page,
    })
}

pub(super) async fn records_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ListQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = state.today();
    let (l, error) = match listing(&v, &q, today) {
        Ok(l) => (l, None),
        Err(e) if e.code == ErrorCode::NotFound => return api_error_page(tr, e),
        Err(e) => (
            Listing {
                orgs: readable_orgs(&v),
                org_code: String::new(),
                kind: None,
                year: today.year(),
                page: 1,
            },
            Some(e.message),
        ),
    };
    let filter = RecordFilter {
        orgs: l.orgs.clone(),
        kind: l.kind.as_ref().map(|k| k.as_str().to_string()),
        year: Some(l.year),
        offset: (l.page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (records, total) = match state.db.records(&filter).await {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let m = &v.snap.model;
    let rows = records
        .iter()
        .map(|r| RecordRow {
            href: record_href(&r.id, tr),
            date: date(r.date),
            kind: record_kind_name(tr, &v.snap.pack, r),
            title: r.title.clone(),
            org: org_name(m, &r.org),
            version: r.version,
        })
        .collect();
    let year = l.year.to_string();
    let kind = l
        .kind
        .as_ref()
        .map(|k| k.as_str().to_string())
        .unwrap_or_default();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        href_with(
            "/records",
            &[
                ("org", &l.org_code),
                ("kind", &kind),
                ("year", &year),
                ("page", &n.to_string()),
            ],
            tr,
        )
    };
    let new_org = if l.org_code.is_empty() {
        default_org(&v, Permission::KeepRecords)
            .map(|o| o.code.clone())
            .unwrap_or_default()
    } else {
        l.org_code.clone()
    };
    // Only the kinds the viewer keeps in that org (a handler keeps records from the obligation's
    // page instead).
    let today = state.today();
    let new_org_id = v
        .snap
        .model
        .find_org(&new_org)
        .map(|o| o.id.clone())
        .unwrap_or_default();
    let new_links = if v.principal.can_somewhere(Permission::KeepRecords) {
        recordable(&v.snap.pack)
            .iter()
            .filter(|k| writable(&v, &new_org_id, Some(k), today))
            .map(|k| {
                (
                    href_with(
                        "/records/new",
                        &[("kind", k.as_str()), ("org", &new_org)],
                        tr,
                    ),
                    kind_name(tr, &v.snap.pack, k),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    page(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ListPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            org: l.org_code.clone(),
            kinds: recordable(&v.snap.pack)
                .iter()
                .map(|k| (k.as_str().to_string(), kind_name(tr, &v.snap.pack, k)))
                .collect(),
            rows,
            prev: (l.page > 1).then(|| link(l.page - 1)),
            next: (l.page < pages).then(|| link(l.page + 1)),
            page_label: tr.tf(
                "records.page",
                &[
                    ("page", &l.page.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            new_links,
            training_href: href_with(
                "/records/training",
                &[("org", &l.org_code), ("year", &year)],
                tr,
            ),
            directives_href: href_with("/records/directives", &[("org", &l.org_code)], tr),
            kind,
            year,
            error,
        },
    )
}
