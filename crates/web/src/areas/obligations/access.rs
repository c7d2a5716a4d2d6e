//! Who may see which obligations, and the list parameters read and checked.

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

/// Whether the subtrees of `roots` hold every org: one of them is the only root of the tree.
pub(super) fn covers_all(v: &Viewer, roots: &[&Org]) -> bool {
    let m = &v.snap.model;
    let mut tops = m.tops();
    match (tops.next(), tops.next()) {
        (Some(top), None) => roots.iter().any(|r| r.id == top.id),
        _ => false,
    }
}

/// The widest org of the viewer's scope (the dashboard's default).
pub(super) fn default_org(v: &Viewer) -> Option<&Org> {
    let m = &v.snap.model;
    let depth = |o: &Org| {
        let mut d = 0usize;
        let mut cur = m.parent(o);
        while let Some(p) = cur {
            d += 1;
            if d > m.orgs().len() {
                break;
            }
            cur = m.parent(p);
        }
        d
    };
    scope_roots(v)
        .into_iter()
        .min_by(|a, b| (depth(a), &a.code).cmp(&(depth(b), &b.code)))
}

/// Whether the viewer is the first responsible person of `org` (or of an org above it): holds
/// the secretary role over it (a branch secretary over their branch).
pub(super) fn first_responsible(v: &Viewer, org: &str) -> bool {
    v.principal.first_responsible_over(org, &v.snap.model)
}

/// 422 naming `field`, with the catalogue message `key`.
pub(super) fn field_refusal(tr: Tr, field: &str, key: &str) -> Refusal {
    Refusal::invalid(tr, field, tr.t(key))
}

/// 404 for an obligation that does not exist or lies outside the viewer's scope.
pub(super) fn not_found(tr: Tr, id: &str) -> Refusal {
    Refusal::not_found(tr, "obligations.error.not_found", id)
}

/// 404 for an org that does not exist or lies outside the viewer's scope.
pub(super) fn org_not_found(tr: Tr, id: &str) -> Refusal {
    Refusal::not_found(tr, "obligations.error.org_not_found", id)
}

/// The obligation a write names, after the checks every such write makes before its body is
/// read: 403 for administrators and accounts that read no org, 404 outside the viewer's scope,
/// 403 unless `allowed` (who may make this write) holds.
pub(super) async fn write_target(
    state: &AppState,
    v: &Viewer,
    id: &str,
    allowed: impl FnOnce(&StoredObligation) -> bool,
) -> Result<StoredObligation, Refusal> {
    let tr = v.tr;
    if v.principal.admin.is_some() || !v.principal.can_somewhere(Permission::ReadOrg) {
        return Err(Refusal::forbidden(tr));
    }
    let o = find_item_row(state, v, id).await?;
    if !allowed(&o) {
        return Err(Refusal::forbidden(tr));
    }
    Ok(o)
}

/// 409 unless `version` is the obligation's current one.
pub(super) fn current_version(tr: Tr, o: &StoredObligation, version: i64) -> Result<(), Refusal> {
    if version == o.version {
        return Ok(());
    }
    Err(storage_refusal(
        tr,
        StorageError::Conflict {
            what: "obligation",
            id: o.id.clone(),
            expected: version,
            actual: o.version,
        },
        &o.id,
    ))
}

/// A storage failure about the obligation `id`.
pub(super) fn storage_refusal(tr: Tr, err: StorageError, id: &str) -> Refusal {
    match err {
        // A rule checked again inside the transaction (a race with another change).
        StorageError::Invalid(_) => Refusal::new(
            ErrorCode::Validation,
            tr.t("obligations.error.changed").to_string(),
        ),
        err => Refusal::storage(tr, err, "obligations.error.conflict", || not_found(tr, id)),
    }
}

/// Query of the lists and the dashboard; every value is read by hand so a bad one is named.
#[derive(Deserialize, Default, Debug)]
pub struct ListQuery {
    pub(super) org: Option<String>,
    pub(super) own: Option<String>,
    pub(super) year: Option<String>,
    pub(super) status: Option<String>,
    pub(super) duty: Option<String>,
    pub(super) series: Option<String>,
    pub(super) month: Option<String>,
    pub(super) done_month: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) page: Option<String>,
}

pub(super) fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A list's parameters, read and checked.
pub(super) struct ListParams<'a> {
    pub(super) org: Option<&'a Org>,
    pub(super) own: bool,
    pub(super) year: i32,
    pub(super) statuses: Vec<ObligationStatus>,
    pub(super) duty: Option<String>,
    /// One system (policy series): its duties only.
    pub(super) series: Option<String>,
    /// The duties kept ([`series_duties`]); `None` for all.
    pub(super) duties: Option<Vec<String>>,
    pub(super) month: Option<String>,
    pub(super) done_month: Option<String>,
    pub(super) sort: ObligationSort,
    pub(super) page: usize,
}

pub(super) fn parse_year(tr: Tr, s: Option<&str>, today: NaiveDate) -> Result<i32, Refusal> {
    match s {
        None => Ok(today.year()),
        Some(s) => zeren_core::params::year(s)
            .ok_or_else(|| field_refusal(tr, "year", "obligations.error.year")),
    }
}

pub(super) fn parse_month(tr: Tr, field: &str, s: Option<&str>) -> Result<Option<String>, Refusal> {
    match s {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 7)
            .map(|_| Some(s.to_string()))
            .ok_or_else(|| field_refusal(tr, field, "obligations.error.month")),
    }
}

pub(super) fn parse_list<'a>(
    v: &'a Viewer,
    q: &ListQuery,
    today: NaiveDate,
) -> Result<ListParams<'a>, Refusal> {
    let tr = v.tr;
    let org = match opt(&q.org) {
        None => None,
        Some(o) => Some(find_visible(v, o).ok_or_else(|| org_not_found(tr, o))?),
    };
    let own = match opt(&q.own) {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") | Some("on") => true,
        Some(_) => return Err(field_refusal(tr, "own", "obligations.error.own")),
    };
    let year = parse_year(tr, opt(&q.year), today)?;
    let mut statuses = Vec::new();
    if let Some(s) = opt(&q.status) {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let st = parse_status(part)
                .ok_or_else(|| field_refusal(tr, "status", "obligations.error.status"))?;
            if !statuses.contains(&st) {
                statuses.push(st);
            }
        }
    }
    let set = &v.snap.set;
    let series = match opt(&q.series) {
        None => None,
        Some(s) if set.series().contains(&s) => Some(s.to_string()),
        Some(_) => return Err(field_refusal(tr, "series", "obligations.error.series")),
    };
    let duty = match opt(&q.duty) {
        None => None,
        Some(d)
            if v.snap.pack.duty(d).is_some()
                && series
                    .as_deref()
                    .is_none_or(|s| set.series_of_duty(d) == Some(s)) =>
        {
            Some(d.to_string())
        }
        Some(_) => return Err(field_refusal(tr, "duty", "obligations.error.duty")),
    };
    let sort = match opt(&q.sort) {
        None => ObligationSort::Due,
        Some(s) => ObligationSort::parse(s)
            .ok_or_else(|| field_refusal(tr, "sort", "obligations.error.sort"))?,
    };
    let page = zeren_core::params::page(opt(&q.page))
        .ok_or_else(|| field_refusal(tr, "page", "obligations.error.page"))?;
    Ok(ListParams {
        org,
        own,
        year,
        statuses,
        duties: series_duties(set, series.as_deref(), duty.as_deref()),
        duty,
        series,
        month: parse_month(tr, "month", opt(&q.month))?,
        done_month: parse_month(tr, "done_month", opt(&q.done_month))?,
        sort,
        page,
    })
}

impl ListParams<'_> {
    /// The orgs the list covers: `None` for every org of the model.
    pub(super) fn orgs<'v>(&self, v: &'v Viewer) -> Option<Vec<&'v Org>> {
        let m = &v.snap.model;
        let roots: Vec<&Org> = match self.org {
            Some(o) if self.own => return Some(m.org(&o.id).into_iter().collect()),
            Some(o) => m.org(&o.id).into_iter().collect(),
            None => scope_roots(v),
        };
        if covers_all(v, &roots) {
            return None;
        }
        let orgs: Vec<&Org> = roots.iter().flat_map(|r| m.subtree(&r.id)).collect();
        (orgs.len() < m.orgs().len()).then_some(orgs)
    }

    pub(super) fn filter(&self, orgs: Option<&[&Org]>, few: bool) -> ObligationFilter {
        ObligationFilter {
            roots: None,
            org_ids: orgs.map(|orgs| orgs.iter().map(|o| o.id.clone()).collect()),
            few,
            own_only: false,
            year: self.year,
            statuses: self.statuses.clone(),
            duties: self.duties.clone(),
            due_month: self.month.clone(),
            done_month: self.done_month.clone(),
        }
    }

    /// The parameters as a query, for links (page and sort added by the caller).
    pub(super) fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(o) = self.org {
            p.push(("org", o.code.clone()));
        }
        if self.own {
            p.push(("own", "1".into()));
        }
        p.push(("year", self.year.to_string()));
        if !self.statuses.is_empty() {
            p.push((
                "status",
                self.statuses
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if let Some(s) = &self.series {
            p.push(("series", s.clone()));
        }
        if let Some(d) = &self.duty {
            p.push(("duty", d.clone()));
        }
        if let Some(m) = &self.month {
            p.push(("month", m.clone()));
        }
        if let Some(m) = &self.done_month {
            p.push(("done_month", m.clone()));
        }
        p
    }
}

/// The duties a list or roll-up keeps: the one asked for, else every duty of the system asked
/// for (any of its versions), else all (empty).
pub(super) fn series_duties(
    set: &Policies,
    series: Option<&str>,
    duty: Option<&str>,
) -> Option<Vec<String>> {
    match (duty, series) {
        (Some(d), _) => Some(vec![d.to_string()]),
        (None, Some(s)) => Some(set.duties_of(s)),
        (None, None) => None,
    }
}

pub(super) fn status_clock(state: &AppState, v: &Viewer) -> StatusClock {
    StatusClock {
        today: state.today(),
        due_soon_days: v.snap.pack.reminders.due_soon_days,
    }
}

/// A drill-down link to the list.
pub(super) fn list_href(
    org: &Org,
    own: bool,
    year: i32,
    extra: &[(&'static str, String)],
    tr: Tr,
) -> String {
    let mut p: Vec<(&str, String)> = vec![("org", org.code.clone())];
    if own {
        p.push(("own", "1".into()));
    }
    p.push(("year", year.to_string()));
    p.extend(extra.iter().cloned());
    href_with("/obligations", &p, tr)
}
