//! Waivers of obligations: asked for with a reason, decided by the supervising office, each
//! step audited with the obligation's state.

use super::*;

/// Where a waiver stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// Asked for; the first responsible person has not decided.
    Pending,
    /// Approved: the obligation is waived.
    Approved,
    /// Refused: the obligation stays owed.
    Rejected,
}

impl WaiverState {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Pending => "pending",
            WaiverState::Approved => "approved",
            WaiverState::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Result<WaiverState> {
        match s {
            "pending" => Ok(WaiverState::Pending),
            "approved" => Ok(WaiverState::Approved),
            "rejected" => Ok(WaiverState::Rejected),
            other => Err(StorageError::Corrupt(format!(
                "unknown waiver state `{other}`"
            ))),
        }
    }
}

/// A waiver of an obligation: the reason, who asked, who decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    /// Storage id.
    pub id: String,
    /// The obligation.
    pub obligation: String,
    /// Why it should not be owed.
    pub reason: String,
    /// Pending, approved or rejected.
    pub state: WaiverState,
    /// User id of who asked.
    pub requested_by: String,
    /// Their display name.
    pub requested_by_name: String,
    /// When, epoch ms.
    pub requested_at: i64,
    /// User id of who decided.
    pub decided_by: Option<String>,
    /// Their display name.
    pub decided_by_name: Option<String>,
    /// When, epoch ms.
    pub decided_at: Option<i64>,
    /// Note with the decision.
    pub decision_note: Option<String>,
    /// Edit version.
    pub version: i64,
}

const WAIVER_COLS: &str = "w.id, w.obligation_id, w.reason, w.state, w.requested_by, ru.display_name AS requested_by_name, w.requested_at, w.decided_by, du.display_name AS decided_by_name, w.decided_at, w.decision_note, w.version";

fn waiver_from(r: &AnyRow) -> Result<Waiver> {
    Ok(Waiver {
        id: r.try_get("id")?,
        obligation: r.try_get("obligation_id")?,
        reason: r.try_get("reason")?,
        state: WaiverState::parse(&r.try_get::<String, _>("state")?)?,
        requested_by: r.try_get("requested_by")?,
        requested_by_name: r.try_get("requested_by_name")?,
        requested_at: r.try_get("requested_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decided_at: r.try_get("decided_at")?,
        decision_note: r.try_get("decision_note")?,
        version: r.try_get("version")?,
    })
}

/// What a waiver decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverOutcome {
    /// The obligation after the change.
    pub obligation: StoredObligation,
    /// The waiver after the change.
    pub waiver: Waiver,
}

/// Longest waiver reason or decision note, in characters.
pub const WAIVER_TEXT_MAX: usize = 2000;

impl Db {
    /// The waivers asked for an obligation, oldest first.
    pub async fn waivers_of(&self, obligation_id: &str) -> Result<Vec<Waiver>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {WAIVER_COLS} FROM obligation_waivers w \
             JOIN users ru ON ru.id = w.requested_by LEFT JOIN users du ON du.id = w.decided_by \
             WHERE w.obligation_id = $1 ORDER BY w.requested_at, w.id"
        )))
        .bind(obligation_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(waiver_from)
        .collect()
    }
}

impl Tx {
    async fn pending_waiver(&mut self, obligation_id: &str) -> Result<Option<Waiver>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {WAIVER_COLS} FROM obligation_waivers w \
             JOIN users ru ON ru.id = w.requested_by LEFT JOIN users du ON du.id = w.decided_by \
             WHERE w.obligation_id = $1 AND w.state = 'pending'"
        )))
        .bind(obligation_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .as_ref()
        .map(waiver_from)
        .transpose()
    }

    async fn waiver_row(&mut self, id: &str) -> Result<Waiver> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {WAIVER_COLS} FROM obligation_waivers w \
             JOIN users ru ON ru.id = w.requested_by LEFT JOIN users du ON du.id = w.decided_by \
             WHERE w.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "waiver",
            id: id.into(),
        })?;
        waiver_from(&row)
    }

    /// Asks for an obligation to be waived (by `user`, with `reason`). When `approve` is true
    /// the asker is the first responsible person and the waiver takes effect at once. The
    /// obligation must still be open and have no pending request; its version goes up.
    pub async fn request_waiver(
        &mut self,
        obligation_id: &str,
        expected_version: i64,
        reason: &str,
        user: &str,
        approve: bool,
    ) -> Result<WaiverOutcome> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StorageError::Invalid("the reason is empty".into()));
        }
        if reason.chars().count() > WAIVER_TEXT_MAX {
            return Err(StorageError::Invalid(format!(
                "the reason is longer than {WAIVER_TEXT_MAX} characters"
            )));
        }
        let before = self
            .obligation_for_update(obligation_id, expected_version)
            .await?;
        if before.discharge() != Discharge::Open || before.withdrawn() {
            return Err(StorageError::Invalid(format!(
                "the obligation is already {}",
                before.state
            )));
        }
        if self.pending_waiver(obligation_id).await?.is_some() {
            return Err(StorageError::Invalid(
                "a waiver request for this obligation is already pending".into(),
            ));
        }
        let id = new_id();
        let now = self.now_ms();
        let state = if approve {
            WaiverState::Approved
        } else {
            WaiverState::Pending
        };
        sqlx::query(
            "INSERT INTO obligation_waivers (id, obligation_id, reason, state, requested_by, requested_at, decided_by, decided_at, decision_note, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1, $6, $6)",
        )
        .bind(&id)
        .bind(obligation_id)
        .bind(reason)
        .bind(state.as_str())
        .bind(user)
        .bind(now)
        .bind(approve.then(|| user.to_string()))
        .bind(approve.then_some(now))
        .execute(&mut *self.tx)
        .await?;
        let waiver = self.waiver_row(&id).await?;
        self.audit(
            if approve {
                "waiver.approve"
            } else {
                "waiver.request"
            },
            "obligation_waiver",
            &id,
            None,
            Some(&serde_json::to_value(&waiver).unwrap_or_default()),
        )
        .await?;
        let new_state = if approve {
            "waived"
        } else {
            before.state.as_str()
        };
        let obligation = self
            .set_obligation_state(
                &before,
                new_state,
                if approve {
                    "obligation.waive"
                } else {
                    "obligation.waiver_request"
                },
            )
            .await?;
        Ok(WaiverOutcome { obligation, waiver })
    }

    /// Decides the pending waiver request of an obligation (by `user`, the first responsible
    /// person): approved, the obligation is waived; rejected, it stays owed. Its version goes up.
    pub async fn decide_waiver(
        &mut self,
        obligation_id: &str,
        expected_version: i64,
        user: &str,
        approve: bool,
        note: Option<&str>,
    ) -> Result<WaiverOutcome> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > WAIVER_TEXT_MAX) {
            return Err(StorageError::Invalid(format!(
                "the note is longer than {WAIVER_TEXT_MAX} characters"
            )));
        }
        let before = self
            .obligation_for_update(obligation_id, expected_version)
            .await?;
        let Some(pending) = self.pending_waiver(obligation_id).await? else {
            return Err(StorageError::Invalid(
                "there is no pending waiver request for this obligation".into(),
            ));
        };
        if approve && before.discharge() != Discharge::Open {
            return Err(StorageError::Invalid(format!(
                "the obligation is already {}",
                before.state
            )));
        }
        let state = if approve {
            WaiverState::Approved
        } else {
            WaiverState::Rejected
        };
        sqlx::query(
            "UPDATE obligation_waivers SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4, version = version + 1, updated_at = $3 WHERE id = $5 AND version = $6",
        )
        .bind(state.as_str())
        .bind(user)
        .bind(self.now_ms())
        .bind(note)
        .bind(&pending.id)
        .bind(pending.version)
        .execute(&mut *self.tx)
        .await?;
        let waiver = self.waiver_row(&pending.id).await?;
        self.audit(
            if approve {
                "waiver.approve"
            } else {
                "waiver.reject"
            },
            "obligation_waiver",
            &pending.id,
            Some(&serde_json::to_value(&pending).unwrap_or_default()),
            Some(&serde_json::to_value(&waiver).unwrap_or_default()),
        )
        .await?;
        let new_state = if approve {
            "waived"
        } else {
            before.state.as_str()
        };
        let obligation = self
            .set_obligation_state(
                &before,
                new_state,
                if approve {
                    "obligation.waive"
                } else {
                    "obligation.waiver_reject"
                },
            )
            .await?;
        Ok(WaiverOutcome { obligation, waiver })
    }
}
