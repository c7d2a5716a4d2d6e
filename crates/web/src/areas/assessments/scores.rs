//! The scores: each college's obligations of the year counted by duty (one grouped query, the
//! orgs below a college counted with it), kept until the ledger or the org tree changes; then
//! the core's rules over those counts and the reviewers' marks; the ranking. Published results
//! are read as frozen instead.

use super::*;
use crate::shared::memo::Memo;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use zeren_core::assessments::{Counts, rank, score};

/// Counts by college and duty, for (scope org, year, day), valid at (ledger generation, tree
/// generation).
#[derive(Default)]
pub(super) struct CountsMemo(Memo<(i64, i64), (String, i32, NaiveDate), CollegeCounts, 16>);

/// A year's counts per college, by duty.
pub(super) type CollegeCounts = HashMap<String, HashMap<String, Counts>>;

/// The scheme of `r` the scores follow: the version in force, or the draft before the first
/// publication.
pub(super) async fn scheme_of(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
) -> Result<Scheme, Refusal> {
    let version = if r.scheme_version > 0 {
        r.scheme_version
    } else {
        r.newest_version
    };
    state
        .db
        .assessment_scheme(&r.id, version)
        .await
        .map(|s| s.scheme)
        .map_err(|e| storage_refusal(v.tr, e, &r.id))
}

/// The year's counts of every college of `r`, by duty, as they stand today (an obligation not
/// yet due and not done is not owed yet): the orgs of each college's subtree counted with it.
pub(super) async fn college_counts(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
) -> Result<Arc<CollegeCounts>, Refusal> {
    let tr = v.tr;
    let generation = state
        .db
        .ledger_generation()
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let stamp = (generation, v.snap.tree_generation);
    let memo = state.cache::<CountsMemo>();
    // Every duty is counted, so that one count serves every version of the scheme.
    let today = state.today();
    memo.0
        .get_or(stamp, (r.scope_org.clone(), r.year, today), async || {
            let m = &v.snap.model;
            let mut college_of: HashMap<&str, &str> = HashMap::new();
            for c in colleges(v, r) {
                for o in m.subtree(&c.id) {
                    college_of.insert(o.id.as_str(), c.id.as_str());
                }
            }
            let orgs: Vec<String> = college_of.keys().map(|s| s.to_string()).collect();
            let rows = state
                .db
                .assessment_counts(r.year, Some(today), Some(&orgs), &[])
                .await?;
            let mut out: CollegeCounts = HashMap::new();
            for (org, duty, c) in rows {
                if let Some(college) = college_of.get(org.as_str()) {
                    out.entry(college.to_string())
                        .or_default()
                        .entry(duty)
                        .or_default()
                        .add(&c);
                }
            }
            Ok::<_, StorageError>(out)
        })
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))
}

/// A college's scores as shown: live, or as frozen at publication.
#[derive(Debug, Clone)]
pub(super) struct Scored {
    /// The college.
    pub org: Org,
    /// Its scores.
    pub score: OrgScore,
    /// Its rank among the round's colleges (live ranks for the office only).
    pub rank: Option<u32>,
}

/// The scores of `of` (colleges of `r`): frozen when the results are published, else computed
/// now from the counts and the marks; ranked across every college of the round when
/// `ranked`.
pub(super) async fn scores(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    scheme: &Scheme,
    of: &[&Org],
    ranked: bool,
) -> Result<Vec<Scored>, Refusal> {
    let tr = v.tr;
    if r.stage.published() {
        let results = state
            .db
            .assessment_results(&r.id)
            .await
            .map_err(|e| storage_refusal(tr, e, &r.id))?;
        let by: HashMap<&str, &AssessmentResult> =
            results.iter().map(|x| (x.org_id.as_str(), x)).collect();
        return Ok(of
            .iter()
            .filter_map(|o| {
                by.get(o.id.as_str()).map(|x| Scored {
                    org: (*o).clone(),
                    score: x.score.clone(),
                    rank: Some(x.rank),
                })
            })
            .collect());
    }
    let counts = college_counts(state, v, r).await?;
    let marks = state
        .db
        .assessment_marks(&r.id, None)
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let mut by_org: HashMap<&str, Vec<zeren_core::assessments::Mark>> = HashMap::new();
    for m in &marks {
        by_org
            .entry(m.org_id.as_str())
            .or_default()
            .push(m.mark.clone());
    }
    let empty = HashMap::new();
    let score_of = |o: &Org| {
        score(
            scheme,
            counts.get(&o.id).unwrap_or(&empty),
            by_org.get(o.id.as_str()).map_or(&[][..], Vec::as_slice),
        )
    };
    if !ranked {
        return Ok(of
            .iter()
            .map(|o| Scored {
                org: (*o).clone(),
                score: score_of(o),
                rank: None,
            })
            .collect());
    }
    // Ranked among every college of the round: each scored once.
    let all = colleges(v, r);
    let mut scored: HashMap<&str, OrgScore> =
        all.iter().map(|o| (o.id.as_str(), score_of(o))).collect();
    let totals: Vec<i64> = all.iter().map(|o| scored[o.id.as_str()].total).collect();
    let ranks: HashMap<&str, u32> = all
        .iter()
        .zip(rank(&totals))
        .map(|(o, k)| (o.id.as_str(), k))
        .collect();
    Ok(of
        .iter()
        .map(|o| Scored {
            org: (*o).clone(),
            score: scored.remove(o.id.as_str()).unwrap_or_else(|| score_of(o)),
            rank: ranks.get(o.id.as_str()).copied(),
        })
        .collect())
}

/// Every college's result at publication, ranked: what is frozen.
pub(super) async fn results_to_freeze(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    scheme: &Scheme,
) -> Result<Vec<AssessmentResult>, Refusal> {
    let all = colleges(v, r);
    let scored = scores(state, v, r, scheme, &all, true).await?;
    Ok(scored
        .into_iter()
        .map(|s| AssessmentResult {
            org_id: s.org.id.clone(),
            total: s.score.total,
            rank: s.rank.unwrap_or(0),
            score: s.score,
        })
        .collect())
}

/// The marks by college, each college's in the order made.
pub(super) fn marks_by_college(marks: &[StoredMark]) -> HashMap<&str, Vec<&StoredMark>> {
    let mut out: HashMap<&str, Vec<&StoredMark>> = HashMap::new();
    for m in marks {
        out.entry(m.org_id.as_str()).or_default().push(m);
    }
    out
}
