//! The obligations pages: the list and one obligation.

use super::*;

/// The values of the filter form as typed.
pub struct FilterForm {
    /// Org code.
    pub org: String,
    /// Only the org itself.
    pub own: bool,
    /// Year.
    pub year: String,
    /// Status.
    pub status: String,
    /// Duty id.
    pub duty: String,
    /// System (policy series).
    pub series: String,
    /// Sort.
    pub sort: String,
    /// Due month.
    pub month: String,
    /// Done month.
    pub done_month: String,
}

/// A sortable column header.
pub struct SortLink {
    /// Link.
    pub href: String,
    /// This column orders the list now.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "obligations.html")]
pub(super) struct ListPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) lead: String,
    pub(super) form: FilterForm,
    pub(super) duties: Vec<(String, String)>,
    pub(super) systems: Vec<(String, String)>,
    pub(super) statuses: Vec<(&'static str, String)>,
    pub(super) sorts: Vec<(&'static str, String)>,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) rows: Vec<Item>,
    pub(super) pager: Pager,
    pub(super) sort_due: SortLink,
    pub(super) sort_org: SortLink,
    pub(super) sort_duty: SortLink,
    pub(super) sort_status: SortLink,
    pub(super) error: Option<String>,
    pub(super) dashboard_href: String,
}

/// The orgs offered in the filter: all of the scope when it is small, else the roots and the
/// chosen org's children.
pub(super) fn org_options(v: &Viewer, chosen: Option<&Org>) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = Vec::new();
    let roots = scope_roots(v);
    const ALL_UP_TO: usize = 300;
    let total: usize = roots
        .iter()
        .map(|r| m.subtree_len_up_to(&r.id, ALL_UP_TO + 1))
        .sum();
    if total <= ALL_UP_TO {
        for r in roots {
            for o in m.subtree(&r.id) {
                out.push((o.code.clone(), o.name.clone()));
            }
        }
    } else {
        for r in roots {
            out.push((r.code.clone(), r.name.clone()));
        }
        if let Some(c) = chosen {
            out.push((c.code.clone(), c.name.clone()));
            for k in m.children(&c.id) {
                out.push((k.code.clone(), k.name.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

pub(super) fn duty_options(v: &Viewer) -> Vec<(String, String)> {
    let tr = v.tr;
    v.snap
        .pack
        .duties
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                tr.lang().pick(&d.title, &d.title_en).to_string(),
            )
        })
        .collect()
}

/// The systems (policy series) offered in a filter, by the title of the version read today;
/// empty when only one is loaded (nothing to choose).
pub(super) fn system_options(v: &Viewer, today: NaiveDate) -> Vec<(String, String)> {
    let current = v.snap.set.current(today);
    if current.len() < 2 {
        return Vec::new();
    }
    current
        .into_iter()
        .map(|p| {
            (
                p.meta.series.clone(),
                v.tr.lang()
                    .pick(&p.meta.title, &p.meta.title_en)
                    .to_string(),
            )
        })
        .collect()
}

pub(super) fn status_name(tr: Tr, s: &str) -> String {
    tr.t(&format!("status.{s}")).to_string()
}

/// `GET /obligations`
pub(super) async fn list_page(
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
    let form = FilterForm {
        org: opt(&q.org).unwrap_or("").to_string(),
        own: matches!(opt(&q.own), Some("1" | "true" | "on")),
        year: opt(&q.year).unwrap_or("").to_string(),
        status: opt(&q.status).unwrap_or("").to_string(),
        duty: opt(&q.duty).unwrap_or("").to_string(),
        series: opt(&q.series).unwrap_or("").to_string(),
        sort: opt(&q.sort).unwrap_or("due").to_string(),
        month: opt(&q.month).unwrap_or("").to_string(),
        done_month: opt(&q.done_month).unwrap_or("").to_string(),
    };
    let (status, error, p) = match parse_list(&v, &q, today) {
        Ok(p) => (StatusCode::OK, None, Some(p)),
        Err(r) if r.code == ErrorCode::NotFound => return r.page(tr),
        Err(r) => (r.code.status(), Some(r.message), None),
    };
    let stamp = match state.change_stamp().await {
        Ok(s) => s,
        Err(e) => return storage_refusal(tr, e, "").page(tr),
    };
    let (rows, total) = match &p {
        Some(p) => match load_list(&state, &v, p, &stamp).await {
            Ok((rows, total, _)) => (rows, total),
            Err(r) => return r.page(tr),
        },
        None => (Vec::new(), 0),
    };
    let params = p.as_ref().map(|p| p.params()).unwrap_or_default();
    let current_sort = p.as_ref().map(|p| p.sort).unwrap_or_default();
    let sort_link = |s: ObligationSort| {
        // The due column toggles between earliest and latest first.
        let target = match (s, current_sort) {
            (ObligationSort::Due, ObligationSort::Due) => ObligationSort::DueDesc,
            (x, _) => x,
        };
        let mut ps = params.clone();
        ps.push(("sort", target.as_str().to_string()));
        SortLink {
            href: href_with("/obligations", &ps, tr),
            current: current_sort == s
                || (s == ObligationSort::Due && current_sort == ObligationSort::DueDesc),
        }
    };
    let year = p.as_ref().map(|p| p.year).unwrap_or(today.year());
    let chosen = p.as_ref().and_then(|p| p.org);
    let scope_name = match chosen {
        Some(o) if p.as_ref().is_some_and(|p| p.own) => {
            tr.tf("obligations.lead.own", &[("org", &o.name)])
        }
        Some(o) => tr.tf("obligations.lead.subtree", &[("org", &o.name)]),
        None => tr.t("obligations.lead.scope").to_string(),
    };
    let lead = tr.tf(
        "obligations.lead",
        &[
            ("year", &year.to_string()),
            ("scope", &scope_name),
            ("total", &total.to_string()),
        ],
    );
    let dashboard_href = href_with(
        "/dashboard",
        &[
            ("org", chosen.map(|o| o.code.clone()).unwrap_or_default()),
            ("year", year.to_string()),
        ],
        tr,
    );
    let mut pager_params = params.clone();
    pager_params.push(("sort", current_sort.as_str().to_string()));
    let tpl = ListPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        lead,
        duties: duty_options(&v),
        systems: system_options(&v, state.today()),
        statuses: STATUSES
            .iter()
            .map(|s| (s.as_str(), status_name(tr, s.as_str())))
            .collect(),
        sorts: ObligationSort::ALL
            .iter()
            .map(|(_, n)| (*n, tr.t(&format!("obligations.sort.{n}")).to_string()))
            .collect(),
        orgs: org_options(&v, chosen),
        pager: Pager::new(
            "/obligations",
            &pager_params,
            p.as_ref().map(|p| p.page).unwrap_or(1),
            total,
            PER_PAGE,
            tr,
        ),
        sort_due: sort_link(ObligationSort::Due),
        sort_org: sort_link(ObligationSort::Org),
        sort_duty: sort_link(ObligationSort::Duty),
        sort_status: sort_link(ObligationSort::Status),
        rows,
        error,
        dashboard_href,
        form,
    };
    page(status, &tpl)
}

#[derive(Template)]
#[template(path = "obligations_item.html")]
pub(super) struct ItemPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) d: ItemDetail,
    pub(super) csrf: String,
    pub(super) list_href: String,
    /// The page of the event the obligation hangs on.
    pub(super) subject_href: Option<String>,
    pub(super) error: Option<String>,
    pub(super) reason: String,
}

/// `GET /obligations/{id}`
pub(super) async fn item_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match id.get() {
        Ok(id) => id,
        Err(r) => return r.page(tr),
    };
    match find_item_row(&state, &v, &id).await {
        Ok(o) => item_page_with(&state, &v, &o, None).await,
        Err(r) => r.page(tr),
    }
}

/// The obligation's page, with a form error (and what was typed) after a refused change.
pub(super) async fn item_page_with(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
    refused: Option<(Refusal, String)>,
) -> Response {
    let tr = v.tr;
    // Show the obligation as it is now (a refused change may have met a newer version).
    let current = state
        .db
        .obligation(&o.id)
        .await
        .unwrap_or_else(|_| o.clone());
    let mut d = match detail(state, v, &current).await {
        Ok(d) => d,
        Err(r) => return r.page(tr),
    };
    // An event's obligation names the event by its title, and links its page.
    let mut subject_href = None;
    if current.subject_kind == "event"
        && let Ok(Some((kind, title, page_id))) = state.db.event_subject(&current.subject).await
    {
        d.item.subject.name = title;
        let path = match kind.as_str() {
            "directive" => Some(format!("/records/directives/{}", encode(&page_id))),
            "online-event" => Some(format!("/events/{}", encode(&page_id))),
            "rectification" => Some(format!("/platforms/{}", encode(&page_id))),
            "incident" => Some(format!("/incidents/{}", encode(&page_id))),
            "project" => Some(format!("/risk-assessments/{}", encode(&page_id))),
            _ => None,
        };
        subject_href = path.map(|p| with_lang(&p, tr));
    }
    let (status, error, reason) = match refused {
        Some((r, reason)) => (r.code.status(), Some(r.message), reason),
        None => (StatusCode::OK, None, String::new()),
    };
    let list_href = match v.snap.model.org(&o.org) {
        Some(org) => list_href(org, false, o.due.year(), &[], tr),
        None => "/obligations".into(),
    };
    page(
        status,
        &ItemPage {
            frame: Frame::of(state, Some(v)),
            tr,
            d,
            csrf: v.csrf().to_string(),
            list_href,
            subject_href,
            error,
            reason,
        },
    )
}
