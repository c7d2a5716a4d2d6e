//! The year's figures, counted by the database and reused until it changes.

use super::*;

/// A year's obligations counted per org, duty, status, month due and month done (for one day),
/// indexed by org. Every count of a list and every roll-up of a dashboard is summed from it in
/// memory, over the snapshot's org tree.
///
/// A change to a few obligations does not count the year again: the orgs whose obligations
/// changed (told by the audit chain) are counted again alone, and a new ledger shares the
/// whole count with the one before, with those orgs' counts in front of it (see
/// [`Ledger::patched`]).
pub struct Ledger {
    /// The ledger generation it was counted at.
    pub(super) generation: i64,
    /// The audit head it was counted at (changes after it are not in it).
    stamp: (i64, String),
    /// The whole year counted at once.
    counted: Arc<Counted>,
    /// Orgs counted again since, with what they owe now (empty: nothing any more); these
    /// stand in place of the whole count's.
    recounted: Arc<HashMap<String, Vec<OrgAggregate>>>,
    total: usize,
    /// Roll-ups summed from it, by (root org, generation at which the tree walked last changed).
    pub(super) rollups: Mutex<HashMap<(String, i64), Arc<Rollup>>>,
    /// Counts of the whole year's lists summed from it, by filter.
    counts: Mutex<HashMap<String, usize>>,
}

/// A year counted whole: the aggregates and their positions per org.
struct Counted {
    aggregates: Vec<OrgAggregate>,
    by_org: HashMap<String, Vec<usize>>,
}

impl Ledger {
    fn counted(generation: i64, stamp: (i64, String), aggregates: Vec<OrgAggregate>) -> Ledger {
        let mut by_org: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in aggregates.iter().enumerate() {
            by_org.entry(a.org.clone()).or_default().push(i);
        }
        let total = sum(aggregates.iter());
        Ledger {
            generation,
            stamp,
            counted: Arc::new(Counted { aggregates, by_org }),
            recounted: Arc::default(),
            total,
            rollups: Mutex::default(),
            counts: Mutex::default(),
        }
    }

    /// All obligations of the year.
    pub(super) fn total(&self) -> usize {
        self.total
    }

    /// Every aggregate of the year.
    pub(super) fn all(&self) -> Box<dyn Iterator<Item = &OrgAggregate> + '_> {
        if self.recounted.is_empty() {
            return Box::new(self.counted.aggregates.iter());
        }
        Box::new(
            self.counted
                .aggregates
                .iter()
                .filter(|a| !self.recounted.contains_key(&a.org))
                .chain(self.recounted.values().flatten()),
        )
    }

    pub(super) fn of_org<'a>(
        &'a self,
        org: &str,
    ) -> Box<dyn Iterator<Item = &'a OrgAggregate> + 'a> {
        if let Some(now) = self.recounted.get(org) {
            return Box::new(now.iter());
        }
        Box::new(
            self.counted
                .by_org
                .get(org)
                .into_iter()
                .flatten()
                .map(|i| &self.counted.aggregates[*i]),
        )
    }

    /// This ledger with `fresh` (the orgs counted again, each with what it owes now) in place
    /// of what it held of them, at `generation` and `stamp`. The roll-ups summed over `model`'s
    /// tree are carried over, each brought up to date by taking out the orgs' old counts and
    /// adding their new ones; the others are dropped. Costs what changed, not the year.
    fn patched(
        &self,
        generation: i64,
        stamp: (i64, String),
        fresh: HashMap<String, Vec<OrgAggregate>>,
        model: &OrgModel,
        tree_generation: i64,
        year: i32,
    ) -> Ledger {
        let mut total = self.total;
        for (org, now) in &fresh {
            total = (total + sum(now.iter())).saturating_sub(sum(self.of_org(org)));
        }
        let rollups: HashMap<(String, i64), Arc<Rollup>> = self
            .rollups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|((_, tree), _)| *tree == tree_generation)
            .map(|((root, tree), r)| {
                let mut r = (**r).clone();
                for (org, now) in &fresh {
                    if let Some(top) = top_under(model, root, org) {
                        for a in self.of_org(org) {
                            r.remove(top, a, year);
                        }
                        for a in now {
                            r.add(top, a, year);
                        }
                    }
                }
                ((root.clone(), *tree), Arc::new(r))
            })
            .collect();
        let mut recounted = (*self.recounted).clone();
        recounted.extend(fresh);
        Ledger {
            generation,
            stamp,
            counted: self.counted.clone(),
            recounted: Arc::new(recounted),
            total,
            rollups: Mutex::new(rollups),
            counts: Mutex::default(),
        }
    }
}

fn sum<'a>(aggs: impl Iterator<Item = &'a OrgAggregate>) -> usize {
    usize::try_from(aggs.map(|a| a.count).sum::<i64>()).unwrap_or(0)
}

/// The row of `root`'s roll-up that `org`'s obligations fall under: the root itself, or the
/// child of the root above `org`; `None` outside the root's subtree.
fn top_under<'a>(model: &'a OrgModel, root: &str, org: &'a str) -> Option<&'a str> {
    if org == root {
        return Some(org);
    }
    let mut at = model.org(org)?;
    // A tree is never deeper than its orgs; the bound only guards a corrupt (cyclic) parent chain.
    for _ in 0..64 {
        let parent = at.parent.as_deref()?;
        if parent == root {
            return Some(&at.id);
        }
        at = model.org(parent)?;
    }
    None
}

/// What a cached ledger was counted from: the ledger generation, the year, the day and the
/// due-soon window. The generation moves with every change, on any instance, that can move a
/// figure (not with a sign-in, a new person or a role change).
pub(super) type LedgerKey = (i64, i32, NaiveDate, u32);

/// Ledgers counted recently, by key, kept in the state, newest first. Readers never wait for a
/// count when an older ledger of the same year and day is at hand: they take it, and the new
/// one is made in the background; this process's own writes make it before the writer is
/// answered (see [`FollowsWrites`]). A new one is the older one with the orgs whose
/// obligations changed counted again, when the audit chain tells which (see
/// [`Ledger::patched`]), else the year counted again.
#[derive(Default)]
pub(super) struct LedgerCache {
    kept: Mutex<Vec<(LedgerKey, Arc<Ledger>)>>,
    /// One count at a time: a reader that misses waits for the count under way rather than
    /// running the same one again.
    counting: tokio::sync::Mutex<()>,
}
pub(super) const LEDGERS_KEPT: usize = 16;
/// Audit entries followed to tell which orgs changed before the year is counted again whole.
const FOLLOW_MAX: i64 = 2000;
/// Orgs counted again in front of a whole count before the year is counted again whole.
const RECOUNTED_MAX: usize = 2000;

impl LedgerCache {
    /// The newest ledger of the same year, day and window counted at `key`'s generation or
    /// later.
    fn find(&self, key: &LedgerKey) -> Option<Arc<Ledger>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .filter(|(k, _)| k.1 == key.1 && k.2 == key.2 && k.3 == key.3 && k.0 >= key.0)
            .max_by_key(|(k, _)| k.0)
            .map(|(_, l)| l.clone())
    }

    /// The newest ledger of the same year, day and window counted at an older generation.
    fn older(&self, key: &LedgerKey) -> Option<Arc<Ledger>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .filter(|(k, _)| k.1 == key.1 && k.2 == key.2 && k.3 == key.3 && k.0 < key.0)
            .max_by_key(|(k, _)| k.0)
            .map(|(_, l)| l.clone())
    }

    /// The ledger of `key` (or a newer one): made now unless it was while waiting for the one
    /// under way; from the older one at hand when the audit chain tells what changed.
    async fn count(&self, state: &AppState, key: LedgerKey) -> zeren_storage::Result<Arc<Ledger>> {
        let _counting = self.counting.lock().await;
        if let Some(l) = self.find(&key) {
            return Ok(l);
        }
        // Made as of the generation at its start: the writes committed while it waited are in
        // it, and their own catch-ups find them counted (many writers, one count).
        let generation = state.db.ledger_generation().await?.max(key.0);
        let key = (generation, key.1, key.2, key.3);
        let (_, year, today, due_soon_days) = key;
        let clock = StatusClock {
            today,
            due_soon_days,
        };
        let started = std::time::Instant::now();
        let fresh = match self.older(&key) {
            Some(older) => self.follow(state, &older, generation, year, clock).await?,
            None => None,
        };
        let fresh = match fresh {
            Some(l) => {
                tracing::debug!(
                    year,
                    orgs = l.recounted.len(),
                    ms = started.elapsed().as_millis(),
                    "ledger brought up to date by org"
                );
                Arc::new(l)
            }
            None => {
                // The head before the count: what commits during it is followed again later
                // (counting an org again is the same whether or not the count saw its change).
                let stamp = state.db.change_stamp().await?;
                let aggregates = state.db.obligation_aggregates(year, clock).await?;
                tracing::debug!(
                    year,
                    ms = started.elapsed().as_millis(),
                    "ledger counted whole"
                );
                Arc::new(Ledger::counted(generation, stamp, aggregates))
            }
        };
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let same = |k: &LedgerKey| k.1 == year && k.2 == today && k.3 == due_soon_days;
        // One ledger per year and day: the newest (older ones no reader needs once it is kept).
        if !kept.iter().any(|(k, _)| same(k) && k.0 > key.0) {
            kept.retain(|(k, _)| !same(k));
            kept.insert(0, (key, fresh.clone()));
            kept.truncate(LEDGERS_KEPT);
        }
        Ok(fresh)
    }

    /// `older` brought up to `generation` by counting again the orgs whose obligations of the
    /// year changed since it was counted; `None` when the chain cannot tell or too much
    /// changed (count the year whole then).
    async fn follow(
        &self,
        state: &AppState,
        older: &Ledger,
        generation: i64,
        year: i32,
        clock: StatusClock,
    ) -> zeren_storage::Result<Option<Ledger>> {
        let Some(changes) = state.db.ledger_changes(&older.stamp, FOLLOW_MAX).await? else {
            return Ok(None);
        };
        if changes.whole_years.contains(&year) {
            return Ok(None);
        }
        let orgs: Vec<String> = changes
            .orgs
            .get(&year)
            .map(|o| o.iter().cloned().collect())
            .unwrap_or_default();
        if older.recounted.len() + orgs.len() > RECOUNTED_MAX {
            return Ok(None);
        }
        let mut fresh: HashMap<String, Vec<OrgAggregate>> =
            orgs.iter().map(|o| (o.clone(), Vec::new())).collect();
        for a in state
            .db
            .obligation_aggregates_of(year, clock, &orgs)
            .await?
        {
            fresh.entry(a.org.clone()).or_default().push(a);
        }
        // The roll-ups kept are of the tree of the snapshot at hand (one of another tree is
        // dropped, summed again when asked for).
        let snap = state.snapshots.current();
        let (model, tree) = match &snap {
            Some(s) => (&s.model, s.tree_generation),
            None => return Ok(None),
        };
        Ok(Some(older.patched(
            generation,
            changes.stamp,
            fresh,
            model,
            tree,
            year,
        )))
    }
}
impl FollowsWrites for LedgerCache {
    fn catch_up<'a>(&'a self, state: &'a AppState) -> futures_util::future::BoxFuture<'a, ()> {
        Box::pin(async move {
            // Without recent reads (ttl zero) every reader counts what it needs itself.
            if !state.recent.keeps_reads() {
                return;
            }
            let generation = match state.ledger_generation().await {
                Ok(g) => g,
                Err(e) => {
                    tracing::warn!(error = %e, "ledger generation after a change unreadable");
                    return;
                }
            };
            let mut stale: Vec<LedgerKey> = Vec::new();
            {
                let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
                for (k, _) in kept.iter() {
                    let same = |o: &LedgerKey| o.1 == k.1 && o.2 == k.2 && o.3 == k.3;
                    if k.0 < generation && !stale.iter().any(same) {
                        stale.push((generation, k.1, k.2, k.3));
                    }
                }
            }
            // Every year kept is brought up to date: the generation does not tell which year a
            // change reached (a dashboard reads its year and up to three before it); a year
            // the change did not reach costs a read of the audit chain.
            for key in stale {
                if let Err(e) = self.count(state, key).await {
                    tracing::warn!(error = %e, "ledger count after a change failed; the next read retries");
                }
            }
        })
    }
}

/// The ledger of `year` on `clock`'s day: the grouped count runs only when the ledger
/// generation moved since it was last counted, and then without keeping readers waiting when
/// an older count of the same year and day is at hand (see [`LedgerCache`]).
pub async fn ledger_at(
    state: &AppState,
    year: i32,
    clock: StatusClock,
) -> zeren_storage::Result<Arc<Ledger>> {
    let key: LedgerKey = (
        state.ledger_generation().await?,
        year,
        clock.today,
        clock.due_soon_days,
    );
    let cache = state.following::<LedgerCache>();
    if let Some(l) = cache.find(&key) {
        return Ok(l);
    }
    if state.recent.keeps_reads()
        && let Some(older) = cache.older(&key)
    {
        if cache.counting.try_lock().is_ok() {
            let (state, cache) = (state.clone(), cache.clone());
            tokio::spawn(async move {
                if let Err(e) = cache.count(&state, key).await {
                    tracing::warn!(error = %e, "ledger count failed; the next read retries");
                }
            });
        }
        return Ok(older);
    }
    cache.count(state, key).await
}

/// How many obligations a list covers, from the ledger.
pub(super) fn count(ledger: &Ledger, orgs: Option<&[&Org]>, p: &ListParams<'_>) -> usize {
    let matches = |a: &OrgAggregate| {
        (p.statuses.is_empty() || p.statuses.contains(&a.status))
            && p.duties.as_ref().is_none_or(|d| d.contains(&a.duty))
            && p.month.as_ref().is_none_or(|m| *m == a.due_month)
            && p.done_month
                .as_ref()
                .is_none_or(|m| a.done_month.as_ref() == Some(m))
    };
    let sum = |aggs: &mut dyn Iterator<Item = &OrgAggregate>| -> i64 {
        aggs.filter(|a| matches(a)).map(|a| a.count).sum()
    };
    let n = match orgs {
        None => {
            // The whole year's count of a filter, summed once per ledger.
            let key = format!(
                "{:?}|{:?}|{:?}|{:?}",
                p.statuses, p.duties, p.month, p.done_month
            );
            if let Some(n) = ledger
                .counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
            {
                return *n;
            }
            let n = usize::try_from(sum(&mut ledger.all())).unwrap_or(0);
            let mut counts = ledger.counts.lock().unwrap_or_else(|e| e.into_inner());
            if counts.len() >= COUNTS_KEPT {
                counts.clear();
            }
            counts.insert(key, n);
            return n;
        }
        Some(orgs) => orgs
            .iter()
            .map(|o| sum(&mut ledger.of_org(&o.id)))
            .sum::<i64>(),
    };
    usize::try_from(n).unwrap_or(0)
}

/// Whole-year counts kept per ledger before they start over.
const COUNTS_KEPT: usize = 1024;

/// Roll-ups kept per ledger before they start over.
pub(super) const ROLLUPS_KEPT: usize = 4096;

/// The roll-up of `root`'s subtree: its own obligations under its own row, each child's
/// subtree under the child's row. Summed once per ledger and org tree.
pub(super) fn rollup(ledger: &Ledger, v: &Viewer, root: &Org, year: i32) -> Arc<Rollup> {
    let key = (root.id.clone(), v.snap.tree_generation);
    if let Some(r) = ledger
        .rollups
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
    {
        return r.clone();
    }
    let fresh = Arc::new(sum_rollup(ledger, v, root, year, None));
    let mut kept = ledger.rollups.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= ROLLUPS_KEPT {
        kept.clear();
    }
    kept.insert(key, fresh.clone());
    fresh
}

/// The roll-up of `root`'s subtree summed from the ledger's per-org counts: of every duty, or
/// of `duties` only.
pub(super) fn sum_rollup(
    ledger: &Ledger,
    v: &Viewer,
    root: &Org,
    year: i32,
    duties: Option<&[String]>,
) -> Rollup {
    let m = &v.snap.model;
    let kept = |a: &&OrgAggregate| duties.is_none_or(|d| d.contains(&a.duty));
    let mut r = Rollup::default();
    for a in ledger.of_org(&root.id).filter(kept) {
        r.add(&root.id, a, year);
    }
    for child in m.children(&root.id) {
        for o in m.subtree(&child.id) {
            for a in ledger.of_org(&o.id).filter(kept) {
                r.add(&child.id, a, year);
            }
        }
    }
    r
}

/// `GET /api/v1/obligations`
pub(super) async fn api_list(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    uri: axum::http::Uri,
    q: Result<Query<ListQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = q.get().map_err(Refusal::api)?;
    let today = state.today();
    let p = parse_list(&v, &q, today).map_err(Refusal::api)?;
    // A page of the list depends on the ledger (the change stamp), the day, the viewer's
    // rights and language and the query: the same page is answered from the snapshot's memo
    // until one of them moves (the ledger generation moves with every change to obligations,
    // records and waivers; the snapshot is a new one after a change to the model).
    let stamp = state
        .change_stamp()
        .await
        .map_err(|e| Refusal::api(storage_refusal(v.tr, e, "")))?;
    let ledger = state
        .ledger_generation()
        .await
        .map_err(|e| Refusal::api(storage_refusal(v.tr, e, "")))?;
    let key = format!(
        "obligations:{}:{ledger}:{today}:{}:{}",
        v.user.id,
        v.tr.tag(),
        uri.query().unwrap_or_default()
    );
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    if let Some(body) = v.snap.rendered_doc(&key) {
        return Ok((json, body).into_response());
    }
    let (items, total, counted_at) = load_list(&state, &v, &p, &stamp)
        .await
        .map_err(Refusal::api)?;
    let out = ListOut {
        year: p.year,
        today: date(today),
        org: p.org.map(OrgRef::of),
        items,
        page: p.page,
        per_page: PER_PAGE,
        total,
    };
    let body = serde_json::to_vec(&out).map_err(|e| {
        tracing::error!(error = %e, "obligation list serialisation failed");
        ApiError::new(ErrorCode::Internal, v.tr.t("error.internal").to_string())
    })?;
    // A page counted from an older ledger (a reader does not wait for the count under way) is
    // answered, not kept under the newer generation.
    if counted_at < ledger {
        return Ok((json, body).into_response());
    }
    Ok((json, v.snap.keep_rendered(&key, body)).into_response())
}

/// One obligation in full.
#[derive(Serialize)]
pub(super) struct ItemDetail {
    #[serde(flatten)]
    pub(super) item: Item,
    /// The first responsible person of the org on the due date, when not the one responsible.
    pub(super) first_responsible: Option<NamedRef>,
    /// The chain of reasons for `responsible`, in the caller's language.
    pub(super) chain: Vec<String>,
    pub(super) waivers: Vec<WaiverOut>,
    pub(super) evidence: Vec<EvidenceOut>,
    /// Record forms that can discharge it.
    pub(super) record_forms: Vec<RecordForm>,
    /// What the caller may do: act on it (keep its records, link evidence), name its handler,
    /// ask for a waiver or decide one.
    pub(super) can_act: bool,
    pub(super) can_name_handler: bool,
    /// The people who may be named its handler (for the form; not in the API).
    #[serde(skip)]
    pub(super) handler_choices: Vec<NamedRef>,
    pub(super) can_request_waiver: bool,
    pub(super) can_decide_waiver: bool,
    /// The caller is the first responsible person: a waiver they ask for takes effect at once.
    pub(super) direct_waiver: bool,
    /// Today (Asia/Shanghai).
    pub(super) today: String,
}

#[derive(Serialize)]
pub(super) struct WaiverOut {
    pub(super) id: String,
    pub(super) state: WaiverState,
    pub(super) reason: String,
    pub(super) requested_by: String,
    pub(super) requested_by_name: String,
    pub(super) requested_at: String,
    pub(super) decided_by_name: Option<String>,
    pub(super) decided_at: Option<String>,
    pub(super) decision_note: Option<String>,
}

impl WaiverOut {
    pub(super) fn of(w: &Waiver) -> WaiverOut {
        WaiverOut {
            id: w.id.clone(),
            state: w.state,
            reason: w.reason.clone(),
            requested_by: w.requested_by.clone(),
            requested_by_name: w.requested_by_name.clone(),
            requested_at: minute(w.requested_at),
            decided_by_name: w.decided_by_name.clone(),
            decided_at: w.decided_at.map(minute),
            decision_note: w.decision_note.clone(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct EvidenceOut {
    pub(super) record: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) date: String,
    pub(super) linked_at: String,
    /// The account that linked it.
    pub(super) linked_by: String,
    /// That account's display name.
    pub(super) linked_by_name: String,
    pub(super) href: String,
    /// The record's attachments.
    pub(super) attachments: Vec<EvidenceFile>,
}

/// An attachment of a record linked as evidence.
#[derive(Serialize)]
pub(super) struct EvidenceFile {
    pub(super) sha256: String,
    pub(super) filename: String,
    pub(super) size: i64,
    /// Type, sniffed from the content when it was uploaded.
    pub(super) mime: String,
    /// Where it is downloaded (access checked like its record).
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct RecordForm {
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) href: String,
}

pub(super) async fn detail(
    state: &AppState,
    v: &Viewer,
    o: &StoredObligation,
) -> Result<ItemDetail, Refusal> {
    let tr = v.tr;
    let clock = status_clock(state, v);
    let it = items(state, v, clock, &[o])
        .await
        .pop()
        .ok_or_else(|| not_found(tr, &o.id))?;
    let packs = Packs::of_viewer(v);
    let pack = packs.of(&o.policy);
    let answer = answer_for(v, pack, o, o.due);
    let waivers = state
        .db
        .waivers_of(&o.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let links = state
        .db
        .evidence_of(&o.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &o.id))?;
    let mut evidence = Vec::with_capacity(links.len());
    for e in links {
        let attachments = state
            .db
            .record_attachments(&e.record.id)
            .await
            .map_err(|err| storage_refusal(tr, err, &o.id))?
            .iter()
            .map(|a| EvidenceFile {
                href: format!(
                    "/attachments/{}?record={}",
                    encode(&a.sha256),
                    encode(&e.record.id)
                ),
                sha256: a.sha256.clone(),
                filename: a.filename.clone(),
                size: a.size,
                mime: a.mime.clone(),
            })
            .collect();
        evidence.push(EvidenceOut {
            href: format!("/records/{}{}", encode(&e.record.id), tr.qs()),
            record: e.record.id,
            kind: e.record.kind.as_str().to_string(),
            title: e.record.title,
            date: date(e.record.date),
            linked_at: minute(e.linked_at),
            linked_by: e.linked_by,
            linked_by_name: e.linked_by_name,
            attachments,
        });
    }
    let open = it.status != "done" && it.status != "waived" && !it.withdrawn;
    let can_act = acts_on(v, o, clock.today);
    let can_name_handler = open && names_handler(v, o, clock.today);
    let handler_choices = if can_name_handler {
        handler_choices(&v.snap.model, &o.org, clock.today)
            .into_iter()
            .map(|c| NamedRef {
                id: c.person.id.clone(),
                name: tr.tf(
                    "obligations.handler.choice",
                    &[
                        ("name", &c.person.name),
                        (
                            "posts",
                            &c.posts
                                .iter()
                                .map(|p| p.title.as_str())
                                .collect::<Vec<_>>()
                                .join(tr.lang().pick("、", ", ")),
                        ),
                    ],
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    let record_forms = match pack.duty(&o.duty) {
        Some(duty) if can_act && it.status != "waived" && !it.withdrawn => duty
            .evidence
            .iter()
            .map(|r| &r.kind)
            // Only kinds kept as records: the product's record kinds and the pack's own (the
            // others belong to areas of their own — platforms, incidents, assessments).
            .filter(|k| k.builtin().is_none_or(|b| RECORD_KINDS.contains(&b)))
            .map(|k| RecordForm {
                kind: k.as_str().to_string(),
                name: evidence_name(tr, pack, k),
                href: href_with(
                    "/records/new",
                    &[
                        ("kind", k.as_str().to_string()),
                        ("obligation", o.id.clone()),
                    ],
                    tr,
                ),
            })
            .collect(),
        _ => Vec::new(),
    };
    let pending = waivers.iter().any(|w| w.state == WaiverState::Pending);
    Ok(ItemDetail {
        first_responsible: answer.as_ref().and_then(|a| a.first_responsible.clone()),
        chain: answer
            .map(|a| a.chain.iter().map(|r| r.describe(tr.lang())).collect())
            .unwrap_or_default(),
        waivers: waivers.iter().map(WaiverOut::of).collect(),
        evidence,
        record_forms,
        can_act,
        can_name_handler,
        handler_choices,
        can_request_waiver: open && !pending && can_act,
        can_decide_waiver: open && pending && first_responsible(v, &o.org),
        direct_waiver: first_responsible(v, &o.org),
        today: date(clock.today),
        item: it,
    })
}

/// `GET /api/v1/obligations/{id}`
pub(super) async fn api_item(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let id = id.get().map_err(Refusal::api)?;
    let o = find_item_row(&state, &v, &id).await.map_err(Refusal::api)?;
    let d = detail(&state, &v, &o).await.map_err(Refusal::api)?;
    Ok(Json(d).into_response())
}
