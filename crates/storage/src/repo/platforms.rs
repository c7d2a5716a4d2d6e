//! Platforms' lifecycle and registration (Art.4(4), Art.4(6)): the state a platform is in and
//! since when, every step it took (day, reason, who), and how it is registered. The rules are
//! [`zeren_core::platforms`]; each change is one transaction, checked against the version the
//! caller saw, and audited. Nothing is deleted: a platform is closed.

use super::{check_updated, check_version, date_text, not_found, parse_date, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::platforms::{
    Registration, RegistrationDraft, TransitionDraft, check_registration, check_transition,
};
use zeren_core::records::join_messages;
use zeren_core::vocab::{PlatformKind, PlatformState};

/// Where a platform stands: its state, since when, its registration and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformLifecycle {
    /// Platform id.
    pub id: String,
    /// Its kind (what it is registered by).
    pub kind: PlatformKind,
    /// Its state.
    pub state: PlatformState,
    /// The day it entered that state.
    pub since: NaiveDate,
    /// How it is registered.
    pub registration: Registration,
    /// Edit version (every change moves it).
    pub version: i64,
    /// Every step, oldest first.
    pub steps: Vec<PlatformStep>,
}

/// One step a platform took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformStep {
    /// From.
    pub from: PlatformState,
    /// To.
    pub to: PlatformState,
    /// The day it took effect.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
    /// Who made it (account name).
    pub made_by: String,
    /// When it was recorded, epoch ms.
    pub made_at: i64,
}

fn state_of(s: &str) -> Result<PlatformState> {
    PlatformState::parse(s).ok_or_else(|| StorageError::Corrupt(format!("platform state `{s}`")))
}

/// Reads the lifecycle of platform `id` on `conn`.
async fn lifecycle(conn: &mut sqlx::AnyConnection, id: &str) -> Result<PlatformLifecycle> {
    let r = sqlx::query(
        "SELECT id, kind, state, state_since, opened_on, icp, account_id, registered_on, registering_body, version \
         FROM platforms WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found("platform", id))?;
    let kind: String = r.try_get("kind")?;
    let since: Option<String> = r.try_get("state_since")?;
    let opened: String = r.try_get("opened_on")?;
    let steps = sqlx::query(
        "SELECT from_state, to_state, on_date, reason, made_by, made_at FROM platform_steps \
         WHERE platform_id = $1 ORDER BY on_date, made_at, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|s| {
        Ok(PlatformStep {
            from: state_of(&s.try_get::<String, _>("from_state")?)?,
            to: state_of(&s.try_get::<String, _>("to_state")?)?,
            on: parse_date(&s.try_get::<String, _>("on_date")?)?,
            reason: s.try_get("reason")?,
            made_by: s.try_get("made_by")?,
            made_at: s.try_get("made_at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(PlatformLifecycle {
        id: r.try_get("id")?,
        kind: PlatformKind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("platform kind `{kind}`")))?,
        state: state_of(&r.try_get::<String, _>("state")?)?,
        since: parse_date(since.as_deref().unwrap_or(&opened))?,
        registration: Registration {
            icp: r.try_get("icp")?,
            account_id: r.try_get("account_id")?,
            registered_on: parse_opt_date(r.try_get("registered_on")?)?,
            registering_body: r.try_get("registering_body")?,
        },
        version: r.try_get("version")?,
        steps,
    })
}

/// The draft that gives `r` back.
fn draft_of(r: &Registration) -> RegistrationDraft {
    RegistrationDraft {
        icp: r.icp.clone().unwrap_or_default(),
        account_id: r.account_id.clone().unwrap_or_default(),
        registered_on: r.registered_on.map(date_text).unwrap_or_default(),
        registering_body: r.registering_body.clone().unwrap_or_default(),
    }
}

impl Db {
    /// Where platform `id` stands, with every step it took.
    pub async fn platform_lifecycle(&self, id: &str) -> Result<PlatformLifecycle> {
        let mut conn = self.pool.acquire().await?;
        lifecycle(&mut conn, id).await
    }
}

impl Tx {
    /// Records one step of a platform (the state is set by the caller).
    pub(crate) async fn record_platform_step(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        on: &str,
        reason: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO platform_steps (id, platform_id, from_state, to_state, on_date, reason, made_by, made_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(on)
        .bind(reason)
        .bind(self.actor_name())
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves platform `id` one step of its life, from the version the caller saw. Refused (with
    /// every problem by its field, in `lang`) when the step skips a state, is dated before the
    /// last one or after today, gives no reason — or makes it registered without what its kind
    /// is registered by. Closing it sets its closing day: its duties end with it.
    pub async fn step_platform(
        &mut self,
        id: &str,
        expected_version: i64,
        draft: &TransitionDraft,
        lang: Lang,
    ) -> Result<PlatformLifecycle> {
        let before = lifecycle(&mut self.tx, id).await?;
        check_version("platform", id, expected_version, before.version)?;
        let today = shanghai_date(self.now());
        let step = check_transition(before.state, before.since, draft, today, lang)
            .map_err(|e| StorageError::Invalid(join_messages(&e, lang)))?;
        if step.to == PlatformState::Registered {
            check_registration(
                before.kind,
                &draft_of(&before.registration),
                true,
                today,
                lang,
            )
            .map_err(|e| StorageError::Invalid(join_messages(&e, lang)))?;
        }
        let on = date_text(step.on);
        let closed_on = (step.to == PlatformState::Closed).then(|| on.clone());
        let done = sqlx::query(
            "UPDATE platforms SET state = $1, state_since = $2, closed_on = COALESCE($3, closed_on), \
             version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(step.to.as_str())
        .bind(&on)
        .bind(closed_on)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "platform", id, expected_version)?;
        self.record_platform_step(id, step.from.as_str(), step.to.as_str(), &on, &step.reason)
            .await?;
        let after = lifecycle(&mut self.tx, id).await?;
        self.audit(
            "platform.step",
            "platform",
            id,
            Some(&json!({"state": before.state, "since": before.since})),
            Some(&json!({"state": after.state, "since": after.since, "reason": step.reason})),
        )
        .await?;
        Ok(after)
    }

    /// Records how platform `id` is registered, from the version the caller saw. Once it is
    /// registered (or later), everything its kind is registered by is required; before, what is
    /// given is checked.
    pub async fn register_platform(
        &mut self,
        id: &str,
        expected_version: i64,
        draft: &RegistrationDraft,
        lang: Lang,
    ) -> Result<PlatformLifecycle> {
        let before = lifecycle(&mut self.tx, id).await?;
        check_version("platform", id, expected_version, before.version)?;
        let today = shanghai_date(self.now());
        let complete = before.state != PlatformState::Planned;
        let r = check_registration(before.kind, draft, complete, today, lang)
            .map_err(|e| StorageError::Invalid(join_messages(&e, lang)))?;
        let done = sqlx::query(
            "UPDATE platforms SET icp = $1, account_id = $2, registered_on = $3, registering_body = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
        )
        .bind(&r.icp)
        .bind(&r.account_id)
        .bind(r.registered_on.map(date_text))
        .bind(&r.registering_body)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "platform", id, expected_version)?;
        let after = lifecycle(&mut self.tx, id).await?;
        self.audit(
            "platform.register",
            "platform",
            id,
            Some(&serde_json::to_value(&before.registration).unwrap_or_default()),
            Some(&serde_json::to_value(&after.registration).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }
}
