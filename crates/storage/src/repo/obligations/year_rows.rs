//! A year's obligations held in memory and kept up to date from the audit chain, so that list
//! pages are answered without a query per page.

use super::*;

/// A year's obligations held in memory, in due order, kept up to date from the audit chain:
/// every change to an obligation is audited as `obligation` (one row, by id) or `obligations`
/// (many rows, e.g. a year generated), so following the chain from the head this copy was read
/// at tells exactly which rows to read again. Lists page through it without a query per page.
///
/// The rows and their indexes are persistent sets: a copy brought up to date after a change
/// shares every row it did not change with the copy before (a province's year holds over a
/// hundred thousand), so following a change costs what changed.
#[derive(Debug, Clone)]
pub struct YearRows {
    year: i32,
    stamp: (i64, String),
    /// The rows, by due date, key and id.
    rows: imbl::OrdSet<Held>,
    index: imbl::HashMap<String, Held>,
    /// Each org's rows, in the same order.
    by_org: Sets,
    /// Each duty's rows, in the same order.
    by_duty: Sets,
    /// The rows done, waived and open (see [`class`]), in the same order.
    by_class: Sets,
}

/// Rows by some key, each key's in due order.
type Sets = imbl::HashMap<String, imbl::OrdSet<Held>>;

/// Where a row stands apart from the day: `done`, `waived` or `open` (its status then follows
/// from its due date alone).
fn class(o: &StoredObligation) -> &'static str {
    match o.discharge() {
        Discharge::Done(_) => "done",
        Discharge::Waived => "waived",
        Discharge::Open => "open",
    }
}

fn add_to(sets: &mut Sets, key: &str, row: &Held) {
    let mut set = sets.get(key).cloned().unwrap_or_default();
    set.insert(row.clone());
    sets.insert(key.to_string(), set);
}

fn remove_from(sets: &mut Sets, key: &str, row: &Held) {
    if let Some(set) = sets.get(key) {
        let mut set = set.clone();
        set.remove(row);
        if set.is_empty() {
            sets.remove(key);
        } else {
            sets.insert(key.to_string(), set);
        }
    }
}

/// Groups rows by `key` into [`Sets`].
fn grouped(rows: &[Held], key: impl Fn(&StoredObligation) -> String) -> Sets {
    let mut out: HashMap<String, imbl::OrdSet<Held>> = HashMap::new();
    for r in rows {
        out.entry(key(&r.0)).or_default().insert(r.clone());
    }
    out.into_iter().collect()
}

/// A row, ordered by due date, then key, then id.
#[derive(Debug, Clone)]
struct Held(Arc<StoredObligation>);

impl Held {
    fn order(&self) -> (NaiveDate, &str, &str) {
        (self.0.due, &self.0.key, &self.0.id)
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.order() == other.order()
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Held) -> std::cmp::Ordering {
        self.order().cmp(&other.order())
    }
}

/// Audit entries followed one by one before reading the whole year again is cheaper.
const FOLLOW_MAX: i64 = 1000;

impl YearRows {
    /// Reads a year's obligations (the audit head first, so nothing committed later is missed).
    pub async fn load(db: &Db, year: i32) -> Result<YearRows> {
        let stamp = db.change_stamp().await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations ob WHERE year = $1 AND {LIVE} ORDER BY due_on, obligation_key"
        )))
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| obligation_from_row(r).map(Arc::new))
        .collect::<Result<Vec<_>>>()?;
        let rows: Vec<Held> = rows.into_iter().map(Held).collect();
        Ok(YearRows {
            year,
            stamp,
            index: rows.iter().map(|r| (r.0.id.clone(), r.clone())).collect(),
            by_org: grouped(&rows, |o| o.org.clone()),
            by_duty: grouped(&rows, |o| o.duty.clone()),
            by_class: grouped(&rows, |o| class(o).to_string()),
            rows: rows.into_iter().collect(),
        })
    }

    /// Adds or replaces a row (by id).
    fn put(&mut self, o: Arc<StoredObligation>) {
        self.take(&o.id);
        let row = Held(o);
        add_to(&mut self.by_org, &row.0.org, &row);
        add_to(&mut self.by_duty, &row.0.duty, &row);
        add_to(&mut self.by_class, class(&row.0), &row);
        self.index.insert(row.0.id.clone(), row.clone());
        self.rows.insert(row);
    }

    /// Removes a row, if present.
    fn take(&mut self, id: &str) {
        let Some(row) = self.index.remove(id) else {
            return;
        };
        self.rows.remove(&row);
        remove_from(&mut self.by_org, &row.0.org, &row);
        remove_from(&mut self.by_duty, &row.0.duty, &row);
        remove_from(&mut self.by_class, class(&row.0), &row);
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The audit head (seq, hash) the rows are up to date with.
    pub fn stamp(&self) -> &(i64, String) {
        &self.stamp
    }

    /// The obligations, by due date then key.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &Arc<StoredObligation>> + '_ {
        self.rows.iter().map(|r| &r.0)
    }

    /// The rows a filter keeps, in `sort` order, with statuses computed for `clock` before
    /// filtering — the same rows, in the same order, as [`Db::list_obligations`] pages through.
    /// The orgs are `f.org_ids` (`None`: every org; `f.roots` is not read: the caller resolves
    /// subtrees from its snapshot). `org_code` names an org for [`ObligationSort::Org`].
    pub fn select<'r>(
        &'r self,
        f: &ObligationFilter,
        clock: StatusClock,
        sort: ObligationSort,
        org_code: impl Fn(&str) -> String,
    ) -> Vec<&'r StoredObligation> {
        let keeps = keeps(f, clock);
        let of_orgs = f.org_ids.as_ref().map(|ids| self.of_orgs(ids));
        let mut out: Vec<(&StoredObligation, ObligationStatus)> = self
            .walk(of_orgs.as_deref())
            .filter_map(|o| keeps(o).map(|st| (o, st)))
            .collect();
        // The rows are by due date then key: a stable sort keeps that order within each group.
        match sort {
            ObligationSort::Due => {}
            ObligationSort::DueDesc => out.reverse(),
            ObligationSort::Org => out.sort_by_cached_key(|(o, _)| org_code(&o.org)),
            ObligationSort::Duty => out.sort_by(|a, b| a.0.duty.cmp(&b.0.duty)),
            ObligationSort::Status => out.sort_by_key(|(_, st)| status_rank(*st)),
        }
        out.into_iter().map(|(o, _)| o).collect()
    }

    /// How many rows a filter keeps (what [`YearRows::select`] would give, uncounted and
    /// unsorted): a walk of the orgs' rows, or of the year's.
    pub fn count(&self, f: &ObligationFilter, clock: StatusClock) -> usize {
        let keeps = keeps(f, clock);
        let of_orgs = f.org_ids.as_ref().map(|ids| self.of_orgs(ids));
        self.walk(of_orgs.as_deref())
            .filter(|o| keeps(o).is_some())
            .count()
    }

    /// Rows `offset..offset + limit` of what [`YearRows::select`] gives, found without going
    /// through the rest where the order allows it — by due date either way, or by status (a
    /// walk in due order per status) — so a page costs the rows before it, not the year;
    /// `None` for the orders that need every row kept first (org, duty): select then.
    pub fn page<'r>(
        &'r self,
        f: &ObligationFilter,
        clock: StatusClock,
        sort: ObligationSort,
        offset: usize,
        limit: usize,
    ) -> Option<Vec<&'r StoredObligation>> {
        let keeps = keeps(f, clock);
        let of_orgs = f.org_ids.as_ref().map(|ids| self.of_orgs(ids));
        let of_orgs = of_orgs.as_deref();
        let only = match f.statuses.as_slice() {
            [st] => Some(*st),
            _ => None,
        };
        let today = clock.today;
        let page = match sort {
            ObligationSort::Due => self
                .candidates(f, of_orgs, only, today)
                .filter(|o| keeps(o).is_some())
                .skip(offset)
                .take(limit)
                .collect(),
            ObligationSort::DueDesc => self
                .candidates(f, of_orgs, only, today)
                .rev()
                .filter(|o| keeps(o).is_some())
                .skip(offset)
                .take(limit)
                .collect(),
            ObligationSort::Status => {
                let keeps = &keeps;
                let mut ranked: Vec<ObligationStatus> = STATUSES
                    .iter()
                    .copied()
                    .filter(|st| f.statuses.is_empty() || f.statuses.contains(st))
                    .collect();
                ranked.sort_by_key(|s| status_rank(*s));
                ranked
                    .into_iter()
                    .flat_map(|st| {
                        self.candidates(f, of_orgs, Some(st), today)
                            .filter(move |o| keeps(o) == Some(st))
                    })
                    .skip(offset)
                    .take(limit)
                    .collect()
            }
            ObligationSort::Org | ObligationSort::Duty => return None,
        };
        Some(page)
    }

    /// The rows a filter can keep, in due order, found by the narrowest index at hand: the
    /// orgs' rows, one duty's, or those that can be in `status` on `today` (the done, the
    /// waived, the open ones due before today for overdue, from today on for the others).
    /// A superset: the caller filters.
    fn candidates<'r: 'a, 'a>(
        &'r self,
        f: &ObligationFilter,
        of_orgs: Option<&'a [&'r Held]>,
        status: Option<ObligationStatus>,
        today: NaiveDate,
    ) -> Box<dyn DoubleEndedIterator<Item = &'r StoredObligation> + 'a> {
        let set = |s: Option<&'r imbl::OrdSet<Held>>| -> Box<dyn DoubleEndedIterator<Item = &'r StoredObligation> + 'a> {
            match s {
                Some(s) => Box::new(s.iter().map(|r| r.0.as_ref())),
                None => Box::new(std::iter::empty()),
            }
        };
        if of_orgs.is_some() {
            return self.walk(of_orgs);
        }
        if let Some([duty]) = f.duties.as_deref() {
            return set(self.by_duty.get(duty));
        }
        // The first row that can be due today: before any real row due that day.
        let from_today = || {
            Held(Arc::new(StoredObligation {
                id: String::new(),
                key: String::new(),
                policy: String::new(),
                duty: String::new(),
                subject_kind: String::new(),
                subject: String::new(),
                org: String::new(),
                period: String::new(),
                due: today,
                citation: String::new(),
                state: String::new(),
                completed_on: None,
                completion_note: None,
                version: 0,
                handler: None,
                platform: None,
            }))
        };
        let open = self.by_class.get("open");
        match status {
            None => self.walk(None),
            Some(ObligationStatus::Done) => set(self.by_class.get("done")),
            Some(ObligationStatus::Waived) => set(self.by_class.get("waived")),
            Some(ObligationStatus::Overdue) => match open {
                Some(open) => Box::new(open.range(..from_today()).map(|r| r.0.as_ref())),
                None => set(None),
            },
            Some(ObligationStatus::DueSoon | ObligationStatus::Upcoming) => match open {
                Some(open) => Box::new(open.range(from_today()..).map(|r| r.0.as_ref())),
                None => set(None),
            },
        }
    }

    /// The rows of some orgs, found by the index, in due order.
    fn of_orgs(&self, ids: &[String]) -> Vec<&Held> {
        let mut at: Vec<&Held> = ids
            .iter()
            .filter_map(|id| self.by_org.get(id))
            .flatten()
            .collect();
        at.sort_unstable();
        at.dedup();
        at
    }

    /// The rows in due order: `of_orgs`, or every row.
    fn walk<'r: 'a, 'a>(
        &'r self,
        of_orgs: Option<&'a [&'r Held]>,
    ) -> Box<dyn DoubleEndedIterator<Item = &'r StoredObligation> + 'a> {
        match of_orgs {
            Some(held) => Box::new(held.iter().map(|r| r.0.as_ref())),
            None => Box::new(self.rows.iter().map(|r| r.0.as_ref())),
        }
    }

    /// Brings the rows up to the database's current state by following the audit chain.
    /// Returns false when this copy cannot follow it (it was read from another database, the
    /// chain was replaced by a restore, or too much changed since): read the year afresh then.
    pub async fn catch_up(&mut self, db: &Db) -> Result<bool> {
        let now = db.change_stamp().await?;
        if now == self.stamp {
            return Ok(true);
        }
        let Some(changes) = db.obligation_changes(&self.stamp, &now, FOLLOW_MAX).await? else {
            return Ok(false);
        };
        if changes.whole_years.contains(&self.year) {
            *self = YearRows::load(db, self.year).await?;
            return Ok(true);
        }
        for r in db
            .obligations_by_id(&format!("{COLUMNS}, year"), &changes.ids)
            .await?
        {
            let year: i64 = r.try_get("year")?;
            let o = obligation_from_row(&r)?;
            if o.withdrawn() || year != i64::from(self.year) {
                // Withdrawn: leaves the year's rows.
                self.take(&o.id);
            } else {
                self.put(Arc::new(o));
            }
        }
        self.stamp = now;
        Ok(true)
    }
}

/// The status of a row on `clock`'s day when `f` keeps it (every filter but the orgs).
fn keeps(
    f: &ObligationFilter,
    clock: StatusClock,
) -> impl Fn(&StoredObligation) -> Option<ObligationStatus> + '_ {
    let month = |m: &Option<String>| {
        m.as_deref().and_then(|m| {
            let (y, mo) = m.split_once('-')?;
            Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?))
        })
    };
    let (due_month, done_month) = (month(&f.due_month), month(&f.done_month));
    move |o: &StoredObligation| {
        if !f.duties.as_ref().is_none_or(|d| d.contains(&o.duty)) {
            return None;
        }
        if !due_month.is_none_or(|(y, m)| o.due.year() == y && o.due.month() == m) {
            return None;
        }
        let st = o.status(clock);
        if !(f.statuses.is_empty() || f.statuses.contains(&st)) {
            return None;
        }
        let done_in = done_month.is_none_or(|(y, m)| {
            o.state == "done"
                && o.completed_on
                    .is_some_and(|d| d.year() == y && d.month() == m)
        });
        done_in.then_some(st)
    }
}

/// Where a status comes in a list sorted by status.
fn status_rank(st: ObligationStatus) -> usize {
    STATUSES
        .iter()
        .position(|x| *x == st)
        .unwrap_or(STATUSES.len())
}
