//! The responsible leaders of the registry's rows, remembered per snapshot and day: asking the
//! responsibility engine for every row of every page (it builds the whole chain of reasons
//! each time) was a third of a page's work.

use super::*;
use crate::shared::snapshot::Snapshot;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// Who answers for a platform: (person id, name, post title), as [`responsible_leader`].
pub(super) type Leader = (String, String, String);

/// Leaders remembered for one snapshot, by day and platform id: a leader depends only on the
/// snapshot (its policy and model, which holds the platform's org and portfolio) and the day.
/// The weak reference keeps the snapshot's address from being reused while the entry lives.
struct LeaderMemo {
    snap: Weak<Snapshot>,
    by_day: HashMap<NaiveDate, HashMap<String, Option<Leader>>>,
    len: usize,
}

/// The application's remembered leaders, one memo per live snapshot (kept in the state).
#[derive(Default)]
pub(super) struct LeaderMemos(Mutex<Vec<LeaderMemo>>);

/// Leaders kept per snapshot before the memo starts afresh.
const LEADER_MEMO_MAX: usize = 100_000;

/// The responsible leader of each platform of `rows` (platforms of `v`'s snapshot) on `day`,
/// from the memo or resolved and remembered.
pub(super) fn responsible_leaders(
    state: &AppState,
    v: &Viewer,
    rows: &[&Platform],
    day: NaiveDate,
) -> Vec<Option<Leader>> {
    let memos = state.cache::<LeaderMemos>();
    let this = |m: &LeaderMemo| std::ptr::eq(m.snap.as_ptr(), Arc::as_ptr(&v.snap));
    let mut out: Vec<Option<Option<Leader>>> = vec![None; rows.len()];
    {
        let mut memo = memos.0.lock().unwrap_or_else(|e| e.into_inner());
        memo.retain(|m| m.snap.strong_count() > 0);
        if let Some(known) = memo
            .iter()
            .find(|m| this(m))
            .and_then(|m| m.by_day.get(&day))
        {
            for (slot, p) in out.iter_mut().zip(rows) {
                *slot = known.get(&p.id).cloned();
            }
        }
    }
    let mut fresh = Vec::new();
    for (slot, p) in out.iter_mut().zip(rows) {
        if slot.is_none() {
            let leader = responsible_leader(v, p, day);
            fresh.push((p.id.clone(), leader.clone()));
            *slot = Some(leader);
        }
    }
    if !fresh.is_empty() {
        let mut memo = memos.0.lock().unwrap_or_else(|e| e.into_inner());
        let i = match memo.iter().position(this) {
            Some(i) => i,
            None => {
                memo.push(LeaderMemo {
                    snap: Arc::downgrade(&v.snap),
                    by_day: HashMap::new(),
                    len: 0,
                });
                memo.len() - 1
            }
        };
        let m = &mut memo[i];
        if m.len + fresh.len() > LEADER_MEMO_MAX {
            m.by_day.clear();
            m.len = 0;
        }
        let known = m.by_day.entry(day).or_default();
        for (id, leader) in fresh {
            if known.insert(id, leader).is_none() {
                m.len += 1;
            }
        }
    }
    out.into_iter().map(Option::flatten).collect()
}
