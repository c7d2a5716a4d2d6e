//! The clocks each incident keeps: worked out at its last change and kept with the terms of
//! the rules they were worked out under, so that a list, the overdue incidents and the look of
//! the clocks read them rather than every timeline. A change of the incident or its timeline
//! clears them ([`super::Tx::append`]); [`Db::settle_incident_clocks`] works them out again, and
//! until it has, a reader works them out from the timeline ([`Db::clocks_now`]).

use super::{COLS, Incident, incident_from, recorded};
use crate::db::Db;
use crate::error::Result;
use chrono::NaiveDateTime;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::events::date_time_text;
use zeren_core::incidents::{ClockState, IncidentRules, clocks, clocks_at, late_from};

/// Clocks an incident keeps: as worked out at its last change, under rules of these terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptClocks {
    /// [`IncidentRules::clock_terms`] of the rules they were worked out under.
    pub terms: String,
    /// The clocks then.
    pub states: Vec<ClockState>,
}

impl KeptClocks {
    /// As stored: the terms, and the clocks as JSON (none when either is missing or unreadable:
    /// they are worked out again).
    pub(super) fn read(terms: Option<String>, clocks: Option<String>) -> Option<KeptClocks> {
        Some(KeptClocks {
            terms: terms?,
            states: serde_json::from_str(&clocks?).ok()?,
        })
    }
}

impl Incident {
    /// Its clocks at `now` as kept, when they were worked out under rules of `terms`.
    pub fn kept_clocks(&self, terms: &str, now: NaiveDateTime) -> Option<Vec<ClockState>> {
        self.kept
            .as_ref()
            .filter(|k| k.terms == terms)
            .map(|k| clocks_at(&k.states, now))
    }
}

/// How many incidents one settling transaction works out.
const SETTLE_BATCH: i64 = 500;

impl Db {
    /// `incidents` each with its clocks at `now` under `rules`: as kept where they are, worked
    /// out from the timelines of the others (read at once).
    pub async fn clocks_now(
        &self,
        incidents: Vec<Incident>,
        rules: &IncidentRules,
        now: NaiveDateTime,
    ) -> Result<Vec<(Incident, Vec<ClockState>)>> {
        let terms = rules.clock_terms();
        let unsettled: Vec<String> = incidents
            .iter()
            .filter(|i| i.kept.as_ref().is_none_or(|k| k.terms != terms))
            .map(|i| i.id.clone())
            .collect();
        let mut lines = if unsettled.is_empty() {
            Default::default()
        } else {
            self.timelines(&unsettled).await?
        };
        Ok(incidents
            .into_iter()
            .map(|i| {
                let states = i.kept_clocks(&terms, now).unwrap_or_else(|| {
                    let line = lines.remove(&i.id).unwrap_or_default();
                    clocks(rules, i.fields.noticed_at, &recorded(&line), now)
                });
                (i, states)
            })
            .collect())
    }

    /// The open incidents with a clock late at `now` (run out, met since or not) under
    /// `rules`, in the order they came to notice, each with its clocks now; `orgs` limits them
    /// (none: every org).
    pub async fn late_incidents(
        &self,
        orgs: Option<&[String]>,
        rules: &IncidentRules,
        now: NaiveDateTime,
    ) -> Result<Vec<(Incident, Vec<ClockState>)>> {
        let f = super::IncidentFilter {
            orgs: orgs.map(<[String]>::to_vec),
            late_by: Some((now, rules.clock_terms())),
            ..super::IncidentFilter::default()
        };
        let Some((cond, args)) = f.clause() else {
            return Ok(Vec::new());
        };
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM incidents WHERE {cond} ORDER BY noticed_at, id"
        )));
        for a in &args {
            q = q.bind(a.clone());
        }
        let found: Vec<Incident> = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(incident_from)
            .collect::<Result<_>>()?;
        let mut out = self.clocks_now(found, rules, now).await?;
        out.retain(|(_, c)| c.iter().any(ClockState::late));
        Ok(out)
    }

    /// How many incidents are open.
    pub async fn open_incident_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM incidents WHERE state = 'open'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Works out anew, at `now` under `rules`, the clocks of the incidents that keep none or
    /// keep them under other terms, and keeps them; a few hundred at a time, each batch its own
    /// transaction, with a pause as long as it between batches for the other writers. An
    /// incident changed meanwhile is left for the next look (and the rest with
    /// it). Returns how many were settled.
    pub async fn settle_incident_clocks(
        &self,
        rules: &IncidentRules,
        now: NaiveDateTime,
    ) -> Result<usize> {
        let terms = rules.clock_terms();
        let mut settled = 0;
        loop {
            let found: Vec<(Incident, i64)> = sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLS}, entries FROM incidents \
                 WHERE clock_terms IS NULL OR clock_terms < $1 OR clock_terms > $1 LIMIT {SETTLE_BATCH}"
            )))
            .bind(&terms)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((incident_from(r)?, r.try_get::<i64, _>("entries")?)))
            .collect::<Result<_>>()?;
            if found.is_empty() {
                break;
            }
            let ids: Vec<String> = found.iter().map(|(i, _)| i.id.clone()).collect();
            let mut lines = self.timelines(&ids).await?;
            let started = std::time::Instant::now();
            let mut tx = self.pool.begin().await?;
            let mut batch = 0;
            for (i, entries) in &found {
                let line = lines.remove(&i.id).unwrap_or_default();
                let states = clocks(rules, i.fields.noticed_at, &recorded(&line), now);
                let done = sqlx::query(
                    "UPDATE incidents SET clocks = $1, clock_terms = $2, late_from = $3 \
                     WHERE id = $4 AND version = $5 AND entries = $6",
                )
                .bind(serde_json::to_string(&states).unwrap_or_default())
                .bind(&terms)
                .bind(late_from(&states).map(date_time_text))
                .bind(&i.id)
                .bind(i.version)
                .bind(entries)
                .execute(&mut *tx)
                .await?;
                batch += done.rows_affected() as usize;
            }
            tx.commit().await?;
            settled += batch;
            // A batch not all settled (an incident changed meanwhile) or not full: the rest is
            // for the next look.
            if batch < found.len() || (found.len() as i64) < SETTLE_BATCH {
                break;
            }
            // Another batch follows: first the writers waiting meanwhile have the database for
            // as long as this one held it (on SQLite, one writer at a time; a run of batches
            // back to back would keep them waiting past their busy timeout).
            tokio::time::sleep(started.elapsed()).await;
        }
        Ok(settled)
    }
}
