//! The statistics of incidents (Art.4(4)): by month noticed, by severity, by platform and by
//! time to close, for an org's subtree and a year, as SVG charts whose bars open the ledger
//! behind them, and as JSON.

use super::*;
use crate::shared::charts::{Chart, columns};
use crate::shared::memo::Memo;
use std::sync::Arc;
use zeren_storage::StorageError;
use zeren_storage::repo::incidents::{CLOSE_BUCKETS, IncidentStats};

/// Query of the statistics.
#[derive(Deserialize, Default)]
pub struct StatsQuery {
    org: Option<String>,
    year: Option<String>,
}

/// The org (code, its subtree's ids or none for every org in scope) and year asked for.
fn scope_of(
    state: &AppState,
    v: &Viewer,
    q: &StatsQuery,
) -> Result<(String, Option<Vec<String>>, i32), Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let (code, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "incidents.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    let year = match nonempty(&q.year) {
        None => chrono::Datelike::year(&state.today()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                Refusal::invalid(tr, "year", &tr.tf("incidents.error.year", &[("value", y)]))
            })?,
    };
    Ok((code, unless_every_org(v, &orgs), year))
}

/// The statistics asked for.
async fn stats_of(
    state: &AppState,
    v: &Viewer,
    q: &StatsQuery,
) -> Result<(String, i32, Arc<IncidentStats>), Refusal> {
    let (code, orgs, year) = scope_of(state, v, q)?;
    let stats = match &orgs {
        Some(o) if o.is_empty() => Arc::new(IncidentStats::default()),
        o => counted(state, o.as_deref(), year)
            .await
            .map_err(|e| storage_refusal(v.tr, e, ""))?,
    };
    Ok((code, year, stats))
}

/// The statistics read from the tallies at the latest incident generation, by scope (its
/// orgs, none: every org) and year.
type Counted = Memo<i64, (Option<Vec<String>>, i32), IncidentStats>;

/// The statistics of `orgs` (none: every org) in `year`: read once for each change of the
/// incidents (the incident generation), and kept for the readers after.
async fn counted(
    state: &AppState,
    orgs: Option<&[String]>,
    year: i32,
) -> Result<Arc<IncidentStats>, StorageError> {
    let generation = state.db.incident_generation().await?;
    state
        .cache::<Counted>()
        .get_or(
            generation,
            (orgs.map(<[String]>::to_vec), year),
            async || state.db.incident_stats(orgs, year).await,
        )
        .await
}

/// The incidents of `code`'s subtree noticed in each month of `year` (`by_month`: `YYYY-MM` and
/// count), a bar each, opening the ledger of that month. The dashboard shows it too.
pub fn month_chart(tr: Tr, code: &str, year: i32, by_month: &[(String, i64)]) -> Chart {
    let months: Vec<(String, i64, String)> = (1..=12)
        .map(|mo| {
            let key = format!("{year:04}-{mo:02}");
            let n = by_month
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0, |(_, n)| *n);
            let last = NaiveDate::from_ymd_opt(year, mo, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .and_then(|d| d.pred_opt())
                .map(date)
                .unwrap_or_default();
            let first = format!("{key}-01");
            (
                tr.tf("incidents.stats.month", &[("m", &mo.to_string())]),
                n,
                href_with(
                    "/incidents",
                    &[
                        ("org", code),
                        ("from", first.as_str()),
                        ("to", last.as_str()),
                    ],
                    tr,
                ),
            )
        })
        .collect();
    columns(&months, "bar bar-month", 48.0)
}

/// The four charts of `stats`, each with its name.
fn charts(
    v: &Viewer,
    code: &str,
    year: i32,
    s: &IncidentStats,
) -> Vec<(String, &'static str, Chart)> {
    let tr = v.tr;
    let m = &v.snap.model;
    let rules = rules(v);
    let list = |extra: &[(&str, &str)]| {
        let mut p: Vec<(&str, &str)> = vec![("org", code)];
        p.extend_from_slice(extra);
        href_with("/incidents", &p, tr)
    };
    let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let severities: Vec<(String, i64, String)> = rules
        .severities
        .iter()
        .map(|l| {
            let n = s
                .by_severity
                .iter()
                .find(|(k, _)| *k == l.id)
                .map_or(0, |(_, n)| *n);
            (
                l.name_in(tr.lang()).to_string(),
                n,
                list(&[("severity", &l.id), ("from", &from), ("to", &to)]),
            )
        })
        .collect();
    let platforms: Vec<(String, i64, String)> = s
        .by_platform
        .iter()
        .take(12)
        .map(|(p, n)| {
            let found = m.find_platform(p);
            let name = found
                .map(|p| p.name.clone())
                .unwrap_or_else(|| tr.t("incidents.no_platform").to_string());
            let href = match found {
                Some(p) => list(&[("platform", &p.code), ("from", &from), ("to", &to)]),
                None => list(&[("from", &from), ("to", &to)]),
            };
            (name, *n, href)
        })
        .collect();
    let closed = list(&[("state", "closed"), ("from", &from), ("to", &to)]);
    let close: Vec<(String, i64, String)> = s
        .time_to_close
        .iter()
        .enumerate()
        .map(|(k, (bound, n))| {
            let label = match (bound, k.checked_sub(1).map(|p| CLOSE_BUCKETS[p])) {
                (Some(b), None) => tr.tf("incidents.stats.within", &[("h", &b.to_string())]),
                (Some(b), Some(_)) => tr.tf("incidents.stats.within", &[("h", &b.to_string())]),
                (None, _) => tr.tf(
                    "incidents.stats.over",
                    &[("h", &CLOSE_BUCKETS.last().copied().unwrap_or(0).to_string())],
                ),
            };
            (label, *n, closed.clone())
        })
        .collect();
    vec![
        (
            tr.t("incidents.stats.by_month").to_string(),
            "month",
            month_chart(tr, code, year, &s.by_month),
        ),
        (
            tr.t("incidents.stats.by_severity").to_string(),
            "severity",
            columns(&severities, "bar bar-severity", 72.0),
        ),
        (
            tr.t("incidents.stats.by_platform").to_string(),
            "platform",
            columns(&platforms, "bar bar-platform", 96.0),
        ),
        (
            tr.t("incidents.stats.time_to_close").to_string(),
            "close",
            columns(&close, "bar bar-close", 108.0),
        ),
    ]
}

#[derive(Template)]
#[template(path = "incidents_stats.html")]
pub(super) struct StatsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) title: String,
    pub(super) list_href: String,
    pub(super) prev_year: String,
    pub(super) next_year: String,
    pub(super) total: i64,
    pub(super) open: i64,
    pub(super) charts: Vec<(String, &'static str, Chart)>,
}

pub(super) async fn stats_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<StatsQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let (code, year, stats) = match stats_of(&state, &v, &q).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let org_name = m
        .find_org(&code)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| tr.t("incidents.all_orgs").to_string());
    let year_href = |y: i32| {
        href_with(
            "/incidents/stats",
            &[("org", code.as_str()), ("year", &y.to_string())],
            tr,
        )
    };
    page(
        StatusCode::OK,
        &StatsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            title: tr.tf(
                "incidents.stats.title",
                &[("org", &org_name), ("year", &year.to_string())],
            ),
            list_href: href_with("/incidents", &[("org", code.as_str())], tr),
            prev_year: year_href(year - 1),
            next_year: year_href(year + 1),
            total: stats.total,
            open: stats.open,
            charts: charts(&v, &code, year, &stats),
        },
    )
}

/// `GET /api/v1/incidents/stats`
pub(super) async fn api_stats(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<StatsQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let (code, year, stats) = stats_of(&state, &v, &q).await.map_err(Refusal::api)?;
    let mut out = serde_json::to_value(&*stats).unwrap_or_default();
    out["org"] = json!(if code.is_empty() { None } else { Some(code) });
    out["year"] = json!(year);
    out["time_to_close"] = json!(
        stats
            .time_to_close
            .iter()
            .map(|(b, n)| json!({"within_hours": b, "count": n}))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}
