//! Keeping the stored obligations in step with what the policy requires now: a year's whole
//! plan (the background sync) or one subject's (a platform and its operators, replanned in the
//! transaction that changed them) — withdrawn, restored, replanned, each audited.

use super::*;

impl Tx {
    /// Keeps a year's stored obligations in step with what the policy requires now (`planned`,
    /// the whole plan of the year): an open obligation no longer planned — its platform or org
    /// closed, a holding corrected, a directive withdrawn, a policy version replaced — is
    /// withdrawn (kept with its history, audited, out of every list, count, reminder and
    /// feed); a withdrawn one planned again is restored. Done and waived obligations are never
    /// touched, and an empty plan withdraws nothing. An open one whose governing version now
    /// states it otherwise (due date, article) is replanned.
    pub async fn reconcile_obligations(
        &mut self,
        planned: &[PlannedObligation],
        year: i32,
    ) -> Result<Reconciled> {
        if planned.is_empty() {
            return Ok(Reconciled::default());
        }
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations WHERE year = $1 AND state IN ('open', '{WITHDRAWN}') ORDER BY obligation_key"
        )))
        .bind(i64::from(year))
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(obligation_from_row)
        .collect::<Result<Vec<_>>>()?;
        self.reconcile_rows(planned, rows).await
    }

    /// [`Tx::reconcile_obligations`] for one subject only: the open and withdrawn obligations of
    /// `year` about `subject` (of duties `duties`, or any duty when empty) follow `planned`,
    /// the whole plan for that subject — an empty plan withdraws them all (a platform closed
    /// before its duties fell due, an operator no longer operating). Costs the subject's
    /// obligations, not the year's.
    pub async fn reconcile_subject(
        &mut self,
        planned: &[PlannedObligation],
        year: i32,
        subject_kind: SubjectKind,
        subject: &str,
        duties: &[String],
    ) -> Result<Reconciled> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM obligations WHERE year = $1 AND subject_kind = $2 AND subject_id = $3 \
             AND state IN ('open', '{WITHDRAWN}') ORDER BY obligation_key"
        )))
        .bind(i64::from(year))
        .bind(subject_kind.as_str())
        .bind(subject)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(obligation_from_row)
        .filter(|o| {
            o.as_ref()
                .map_or(true, |o| duties.is_empty() || duties.contains(&o.duty))
        })
        .collect::<Result<Vec<_>>>()?;
        self.reconcile_rows(planned, rows).await
    }

    /// Withdraws, restores and replans `rows` (open and withdrawn obligations) by `planned`.
    async fn reconcile_rows(
        &mut self,
        planned: &[PlannedObligation],
        rows: Vec<StoredObligation>,
    ) -> Result<Reconciled> {
        let keys: std::collections::HashMap<&str, &PlannedObligation> =
            planned.iter().map(|p| (p.key.as_str(), p)).collect();
        let mut out = Reconciled::default();
        for o in rows {
            let plan = keys.get(o.key.as_str());
            let o = match (o.withdrawn(), plan) {
                (false, None) => {
                    self.set_obligation_state(&o, WITHDRAWN, "obligation.withdraw")
                        .await?;
                    out.withdrawn += 1;
                    continue;
                }
                (true, Some(_)) => {
                    out.restored += 1;
                    self.set_obligation_state(&o, "open", "obligation.restore")
                        .await?
                }
                (true, None) => continue,
                (false, Some(_)) => o,
            };
            if let Some(p) = plan
                && (o.policy != p.policy || o.due != p.due || o.citation != p.citation.to_string())
            {
                self.replan_obligation(&o, p).await?;
                out.replanned += 1;
            }
        }
        Ok(out)
    }

    /// Puts an open obligation under the version that governs it now (a new version of its
    /// policy changed its due rule or its article): policy, due date and citation follow the
    /// plan, audited with before and after. Done and waived ones are never replanned.
    async fn replan_obligation(
        &mut self,
        before: &StoredObligation,
        plan: &PlannedObligation,
    ) -> Result<()> {
        let citation = plan.citation.to_string();
        let done = sqlx::query(
            "UPDATE obligations SET policy_id = $1, due_on = $2, citation = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6 AND state = 'open'",
        )
        .bind(&plan.policy)
        .bind(date_text(plan.due))
        .bind(&citation)
        .bind(self.now_ms())
        .bind(&before.id)
        .bind(before.version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(
            done.rows_affected(),
            "obligation",
            &before.id,
            before.version,
        )?;
        let mut after = before.clone();
        after.policy = plan.policy.clone();
        after.due = plan.due;
        after.citation = citation;
        after.version += 1;
        self.audit(
            "obligation.replan",
            "obligation",
            &before.id,
            Some(&serde_json::to_value(before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await
    }
}
