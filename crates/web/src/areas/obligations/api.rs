//! The obligations API: lists and one obligation.

use super::*;

#[derive(Serialize)]
pub(super) struct ListOut {
    pub(super) year: i32,
    pub(super) today: String,
    pub(super) org: Option<OrgRef>,
    pub(super) items: Vec<Item>,
    pub(super) page: usize,
    pub(super) per_page: usize,
    pub(super) total: usize,
}

/// The page of a list as the API and the list page use it, its total, and the ledger
/// generation it was counted at.
pub(super) async fn load_list(
    state: &AppState,
    v: &Viewer,
    p: &ListParams<'_>,
    stamp: &(i64, String),
) -> Result<(Vec<Item>, usize, i64), Refusal> {
    let tr = v.tr;
    let clock = status_clock(state, v);
    let ledger = ledger_at(state, p.year, clock)
        .await
        .map_err(|e| storage_refusal(tr, e, ""))?;
    let orgs = p.orgs(v);
    let offset = (p.page - 1).saturating_mul(PER_PAGE);
    if let Some(year) = year_rows_at(state, stamp, p.year, ledger.total())
        .await
        .map_err(|e| storage_refusal(tr, e, ""))?
    {
        let filter = p.filter(orgs.as_deref(), false);
        // In due or status order the page is found without walking the rest of the year, and
        // the total comes from the counted ledger — unless that is still being counted again
        // after a change (readers are served the count of before meanwhile): then from the
        // rows, which are up to date, so the total never disagrees with the rows shown.
        if let Some(page) = year.page(&filter, clock, p.sort, offset, PER_PAGE) {
            let behind = state
                .ledger_generation()
                .await
                .is_ok_and(|now| now > ledger.generation);
            let total = if behind {
                year.count(&filter, clock)
            } else {
                count(&ledger, orgs.as_deref(), p)
            };
            return Ok((
                items(state, v, clock, &page).await,
                total,
                ledger.generation,
            ));
        }
        let m = &v.snap.model;
        let picked = year.select(&filter, clock, p.sort, |id| {
            m.org(id).map(|o| o.code.clone()).unwrap_or_default()
        });
        let page: Vec<&StoredObligation> =
            picked.iter().skip(offset).take(PER_PAGE).copied().collect();
        return Ok((
            items(state, v, clock, &page).await,
            picked.len(),
            ledger.generation,
        ));
    }
    // A year too big to hold in memory: the database filters, sorts and pages.
    let total = count(&ledger, orgs.as_deref(), p);
    let rows = if offset >= total {
        Vec::new()
    } else {
        // Fewer than a quarter of the year's rows: found by org and sorted, not walked in due order.
        let few = orgs.is_some() && total.saturating_mul(4) < ledger.total();
        state
            .db
            .list_obligations(
                &p.filter(orgs.as_deref(), few),
                clock,
                p.sort,
                PER_PAGE,
                offset,
            )
            .await
            .map_err(|e| storage_refusal(tr, e, ""))?
    };
    let refs: Vec<&StoredObligation> = rows.iter().collect();
    Ok((
        items(state, v, clock, &refs).await,
        total,
        ledger.generation,
    ))
}

/// The year's obligations of the orgs in `orgs` (ids) as of the change stamp `stamp`, in due
/// order: from the copy held in memory when the year fits there (no query once it is up to
/// date), else from the database.
pub(crate) async fn obligations_of(
    state: &AppState,
    v: &Viewer,
    stamp: &(i64, String),
    year: i32,
    orgs: &std::collections::HashSet<&str>,
) -> zeren_storage::Result<Vec<Arc<StoredObligation>>> {
    let stamp = stamp.clone();
    let ledger = ledger_at(state, year, status_clock(state, v)).await?;
    if let Some(rows) = year_rows_at(state, &stamp, year, ledger.total()).await? {
        return Ok(rows
            .rows()
            .filter(|o| orgs.contains(o.org.as_str()))
            .cloned()
            .collect());
    }
    let mut out = Vec::new();
    for org in orgs {
        out.extend(
            state
                .db
                .obligations(org, year)
                .await?
                .into_iter()
                .map(Arc::new),
        );
    }
    out.sort_by(|a, b| (a.due, &a.key).cmp(&(b.due, &b.key)));
    Ok(out)
}

/// Years of obligations held in memory (a few), kept in the state.
#[derive(Default)]
pub(super) struct YearRowsCache(tokio::sync::Mutex<Vec<Arc<YearRows>>>);
pub(super) const YEARS_KEPT: usize = 8;
/// A year with more obligations than this is paged by the database instead of in memory.
pub(super) const ROWS_IN_MEMORY_MAX: usize = 300_000;

/// The year's obligations in memory, as of the audit head `stamp` (or later): a copy already up
/// to date, else one brought up to date by following the audit chain, else read afresh. `None`
/// when the year is too big to hold.
pub(super) async fn year_rows_at(
    state: &AppState,
    stamp: &(i64, String),
    year: i32,
    size: usize,
) -> zeren_storage::Result<Option<Arc<YearRows>>> {
    if size > ROWS_IN_MEMORY_MAX {
        return Ok(None);
    }
    let kept = state.cache::<YearRowsCache>();
    let mut cache = kept.0.lock().await;
    if let Some(hit) = cache
        .iter()
        .find(|r| r.year() == year && r.stamp() == stamp)
    {
        return Ok(Some(hit.clone()));
    }
    // A copy read earlier from this database follows the audit chain up to now (a copy already
    // past `stamp` is simply newer); a copy from another database (tests run several) refuses to.
    for i in 0..cache.len() {
        if cache[i].year() != year {
            continue;
        }
        let mut copy = (*cache[i]).clone();
        if copy.catch_up(&state.db).await? {
            let fresh = Arc::new(copy);
            cache.remove(i);
            cache.insert(0, fresh.clone());
            return Ok(Some(fresh));
        }
    }
    let fresh = Arc::new(YearRows::load(&state.db, year).await?);
    cache.insert(0, fresh.clone());
    cache.truncate(YEARS_KEPT);
    Ok(Some(fresh))
}
