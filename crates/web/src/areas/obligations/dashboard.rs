//! The dashboard: the year's roll-up for an org's subtree (page and API).

use super::*;

#[derive(Deserialize, Default, Debug)]
pub struct DashboardQuery {
    pub(super) org: Option<String>,
    pub(super) year: Option<String>,
    pub(super) series: Option<String>,
}

/// One duty column of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct DutyCol {
    /// Duty id.
    pub id: String,
    /// Title (Chinese).
    pub title: String,
    /// Title (English).
    pub title_en: String,
    /// `Art.4(2)`.
    pub citation: String,
}

/// One cell of the matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Duty id.
    pub duty: String,
    /// Counts by status.
    #[serde(flatten)]
    pub counts: StatusCounts,
}

/// One row of the matrix: the org itself (its own obligations) or one of its children (with
/// everything below it).
#[derive(Debug, Clone, Serialize)]
pub struct MatrixRow {
    /// The org.
    pub org: OrgRef,
    /// True for the row of the dashboard's org itself.
    pub own: bool,
    /// Counts by status over the row.
    pub counts: StatusCounts,
    /// Cells with obligations, in the order of `duties`.
    pub cells: Vec<Cell>,
}

/// One month of the trend.
#[derive(Debug, Clone, Serialize)]
pub struct MonthOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Obligations due that month.
    pub due: i64,
    /// Obligations done that month.
    pub done: i64,
    /// Of those due that month: still overdue.
    pub overdue: i64,
    /// Of those due that month: by status.
    pub due_by_status: StatusCounts,
}

/// The dashboard's figures, as the API answers and the page draws them.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub(super) org: OrgRef,
    pub(super) year: i32,
    /// The one responsibility system counted (its series), or null for all of them.
    pub(super) series: Option<String>,
    pub(super) today: String,
    pub(super) total: i64,
    pub(super) upcoming: i64,
    pub(super) due_soon: i64,
    pub(super) overdue: i64,
    pub(super) done: i64,
    pub(super) waived: i64,
    /// Done as a share of what is owed (waived ones are not owed); null when nothing is.
    pub(super) completion_rate: Option<f64>,
    pub(super) overdue_list: Vec<Item>,
    /// Earlier years with obligations still overdue in the subtree (they stay owed after their
    /// year ends), newest first; not part of this year's counts.
    pub(super) earlier_overdue: Vec<EarlierYear>,
    pub(super) duties: Vec<DutyCol>,
    pub(super) matrix: Vec<MatrixRow>,
    pub(super) months: Vec<MonthOut>,
}

impl Dashboard {
    /// `("series", …)` when the dashboard counts one system: what its links carry on.
    pub(super) fn series_param(&self) -> Vec<(&'static str, String)> {
        self.series.iter().map(|s| ("series", s.clone())).collect()
    }

    /// A link to the list behind a figure, of the same system.
    pub(super) fn list_href(
        &self,
        org: &Org,
        own: bool,
        year: i32,
        extra: &[(&'static str, String)],
        tr: Tr,
    ) -> String {
        let mut e = extra.to_vec();
        e.extend(self.series_param());
        list_href(org, own, year, &e, tr)
    }

    /// A link to another org's or year's dashboard, of the same system.
    pub(super) fn dashboard_href(&self, org_code: &str, year: i32, tr: Tr) -> String {
        let mut p = vec![("org", org_code.to_string()), ("year", year.to_string())];
        p.extend(self.series_param());
        href_with("/dashboard", &p, tr)
    }
}

/// Obligations of an earlier year still overdue.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierYear {
    /// The year they belong to.
    pub year: i32,
    /// How many are overdue.
    pub overdue: i64,
}

/// Years before the dashboard's that are looked at for obligations still overdue.
pub(super) const EARLIER_YEARS: i32 = 3;

/// The earlier years (at most [`EARLIER_YEARS`]) whose obligations in `org`'s subtree are still
/// overdue, from the cached yearly ledgers; stops at the first year with no obligations at all.
pub(super) async fn earlier_overdue(
    state: &AppState,
    v: &Viewer,
    org: &Org,
    year: i32,
    clock: StatusClock,
    duties: Option<&[String]>,
) -> zeren_storage::Result<Vec<EarlierYear>> {
    let mut out = Vec::new();
    for y in (year - EARLIER_YEARS..year).rev() {
        let ledger = ledger_at(state, y, clock).await?;
        if ledger.total() == 0 {
            break;
        }
        let overdue = rollup_of(&ledger, v, org, y, duties).totals.overdue;
        if overdue > 0 {
            out.push(EarlierYear { year: y, overdue });
        }
    }
    Ok(out)
}

/// The dashboard asked for: org, year and, optionally, one system (series).
pub(super) struct DashboardAsk<'a> {
    pub(super) org: &'a Org,
    pub(super) year: i32,
    pub(super) series: Option<String>,
}

pub(super) fn parse_dashboard<'a>(
    v: &'a Viewer,
    q: &DashboardQuery,
    today: NaiveDate,
) -> Result<DashboardAsk<'a>, Refusal> {
    let tr = v.tr;
    let org = match opt(&q.org) {
        Some(o) => find_visible(v, o).ok_or_else(|| org_not_found(tr, o))?,
        None => default_org(v).ok_or_else(|| Refusal::forbidden(tr))?,
    };
    let series = match opt(&q.series) {
        None => None,
        Some(s) if v.snap.set.series().contains(&s) => Some(s.to_string()),
        Some(_) => return Err(field_refusal(tr, "series", "obligations.error.series")),
    };
    Ok(DashboardAsk {
        org,
        year: parse_year(tr, opt(&q.year), today)?,
        series,
    })
}

/// The roll-up of `root`'s subtree, of every duty (kept with the ledger) or of some (summed
/// afresh from the ledger's per-org counts: a system's share of the year).
pub(super) fn rollup_of(
    ledger: &Ledger,
    v: &Viewer,
    root: &Org,
    year: i32,
    duties: Option<&[String]>,
) -> Arc<Rollup> {
    match duties {
        None => rollup(ledger, v, root, year),
        Some(d) => Arc::new(sum_rollup(ledger, v, root, year, Some(d))),
    }
}

pub(super) async fn dashboard(
    state: &AppState,
    v: &Viewer,
    ask: &DashboardAsk<'_>,
) -> Result<Dashboard, Refusal> {
    let (org, year) = (ask.org, ask.year);
    let duties = series_duties(&v.snap.set, ask.series.as_deref(), None);
    let tr = v.tr;
    let clock = status_clock(state, v);
    let stamp = state
        .change_stamp()
        .await
        .map_err(|e| storage_refusal(tr, e, &org.id))?;
    let ledger = ledger_at(state, year, clock)
        .await
        .map_err(|e| storage_refusal(tr, e, &org.id))?;
    let rollup = rollup_of(&ledger, v, org, year, duties.as_deref());
    let earlier = earlier_overdue(state, v, org, year, clock, duties.as_deref())
        .await
        .map_err(|e| storage_refusal(tr, e, &org.id))?;
    if rollup.totals.overdue > 0
        && let Some(rows) = year_rows_at(state, &stamp, year, ledger.total())
            .await
            .map_err(|e| storage_refusal(tr, e, &org.id))?
    {
        // The first overdue ones in due order: the subtree's rows through the org index (a
        // college's few), or the year's open ones due before today (the walk stops early).
        let filter = ObligationFilter {
            org_ids: (!covers_all(v, &[org])).then(|| {
                v.snap
                    .model
                    .subtree(&org.id)
                    .into_iter()
                    .map(|o| o.id.clone())
                    .collect()
            }),
            year,
            statuses: vec![ObligationStatus::Overdue],
            duties: duties.clone(),
            ..Default::default()
        };
        let overdue = rows
            .page(&filter, clock, ObligationSort::Due, 0, OVERDUE_LIST)
            .unwrap_or_default();
        let overdue_list = items(state, v, clock, &overdue).await;
        return Ok(assemble(
            v,
            ask,
            clock.today,
            &rollup,
            overdue_list,
            earlier,
        ));
    }
    let m = &v.snap.model;
    let org_ids: Option<Vec<String>> =
        (!covers_all(v, &[org])).then(|| m.subtree(&org.id).iter().map(|o| o.id.clone()).collect());
    let overdue = usize::try_from(rollup.totals.overdue).unwrap_or(0);
    let overdue_rows = if overdue > 0 {
        state
            .db
            .list_obligations(
                &ObligationFilter {
                    few: org_ids.is_some() && overdue.saturating_mul(4) < ledger.total(),
                    org_ids,
                    year,
                    statuses: vec![ObligationStatus::Overdue],
                    duties: duties.clone(),
                    ..Default::default()
                },
                clock,
                ObligationSort::Due,
                OVERDUE_LIST,
                0,
            )
            .await
            .map_err(|e| storage_refusal(tr, e, &org.id))?
    } else {
        Vec::new()
    };
    let refs: Vec<&StoredObligation> = overdue_rows.iter().collect();
    let overdue_list = items(state, v, clock, &refs).await;
    Ok(assemble(
        v,
        ask,
        clock.today,
        &rollup,
        overdue_list,
        earlier,
    ))
}

pub(super) fn assemble(
    v: &Viewer,
    ask: &DashboardAsk<'_>,
    today: NaiveDate,
    r: &Rollup,
    overdue_list: Vec<Item>,
    earlier_overdue: Vec<EarlierYear>,
) -> Dashboard {
    let (org, year) = (ask.org, ask.year);
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    // Duties with obligations, in the pack's order (unknown ones after, by id).
    let mut duty_ids: Vec<&str> = r.cells.keys().map(|(_, d)| d.as_str()).collect();
    duty_ids.sort();
    duty_ids.dedup();
    let rank = |id: &str| {
        pack.duties
            .iter()
            .position(|d| d.id == id)
            .unwrap_or(usize::MAX)
    };
    duty_ids.sort_by(|a, b| (rank(a), *a).cmp(&(rank(b), *b)));
    let duties: Vec<DutyCol> = duty_ids
        .iter()
        .map(|id| {
            let d = pack.duty(id);
            DutyCol {
                id: id.to_string(),
                title: d.map(|d| d.title.clone()).unwrap_or_else(|| id.to_string()),
                title_en: d
                    .map(|d| d.title_en.clone())
                    .unwrap_or_else(|| id.to_string()),
                citation: d.map(|d| d.citation().to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let mut rows: Vec<MatrixRow> = Vec::new();
    let mut tops: Vec<&str> = r.cells.keys().map(|(o, _)| o.as_str()).collect();
    tops.dedup();
    let mut tops: Vec<&Org> = tops.into_iter().filter_map(|id| m.org(id)).collect();
    tops.sort_by(|a, b| ((a.id != org.id), &a.code).cmp(&((b.id != org.id), &b.code)));
    tops.dedup_by(|a, b| a.id == b.id);
    for t in tops {
        let mut counts = StatusCounts::default();
        let cells = duties
            .iter()
            .filter_map(|d| {
                r.cells.get(&(t.id.clone(), d.id.clone())).map(|c| {
                    counts.merge(c);
                    Cell {
                        duty: d.id.clone(),
                        counts: *c,
                    }
                })
            })
            .collect();
        rows.push(MatrixRow {
            org: OrgRef::of(t),
            own: t.id == org.id,
            counts,
            cells,
        });
    }
    let months = (0..12)
        .map(|i| MonthOut {
            month: format!("{year:04}-{:02}", i + 1),
            due: r.due_by_month[i].total,
            done: r.done_by_month[i],
            overdue: r.due_by_month[i].overdue,
            due_by_status: r.due_by_month[i],
        })
        .collect();
    let t = r.totals;
    Dashboard {
        org: OrgRef::of(org),
        year,
        series: ask.series.clone(),
        today: date(today),
        total: t.total,
        upcoming: t.upcoming,
        due_soon: t.due_soon,
        overdue: t.overdue,
        done: t.done,
        waived: t.waived,
        completion_rate: t.completion_rate(),
        overdue_list,
        earlier_overdue,
        duties,
        matrix: rows,
        months,
    }
}

/// `GET /api/v1/dashboard`
pub(super) async fn api_dashboard(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<DashboardQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = q.get().map_err(Refusal::api)?;
    let ask = parse_dashboard(&v, &q, state.today()).map_err(Refusal::api)?;
    let d = dashboard(&state, &v, &ask).await.map_err(Refusal::api)?;
    Ok(Json(d).into_response())
}
