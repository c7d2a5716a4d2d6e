//! Platforms' lifecycle and registration (Art.4(4), Art.4(6)): the state a platform is in and
//! since when, every step it took (day, reason, who), and how it is registered. The rules are
//! [`zeren_core::platforms`]; each change is one transaction, checked against the version the
//! caller saw, and audited. Nothing is deleted: a platform is closed.

use super::orgs::{PLATFORM_COLS, platform_from};
use super::{check_updated, check_version, date_text, not_found, parse_date, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::ledger::years_kept;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::AssertSqlSafe;
use sqlx::Row;
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::obligation::SubjectKind;
use zeren_core::org::{OrgModel, Platform};
use zeren_core::platforms::{
    PlatformFields, Registration, RegistrationDraft, TransitionDraft, check_registration,
    check_transition,
};
use zeren_core::policy::{EvidenceOf, Policies, Subject};
use zeren_core::records::join_messages;
use zeren_core::vocab::{EvidenceKind, PlatformKind, PlatformState};

/// What a platform's change did to the obligations of the years kept: about the platform
/// itself (registration, annual review) and about its operators (training).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Replanned {
    /// Obligations added.
    pub added: usize,
    /// Open obligations no longer owed, withdrawn.
    pub withdrawn: usize,
    /// Withdrawn obligations owed again, restored.
    pub restored: usize,
}

/// A platform with its operators, as the model has it.
async fn platform_row(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Platform> {
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT {PLATFORM_COLS} FROM platforms WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found("platform", id))?;
    let operators = sqlx::query_scalar::<_, String>(
        "SELECT person_id FROM platform_operators WHERE platform_id = $1 ORDER BY person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    platform_from(&r, operators)
}

/// The ids of the duties about operators in any loaded version.
fn operator_duties(policies: &Policies) -> Vec<String> {
    policies
        .packs()
        .iter()
        .flat_map(|p| &p.duties)
        .filter(|d| matches!(d.subject, Subject::Operator { .. }))
        .map(|d| d.id.clone())
        .collect()
}

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
pub(crate) async fn lifecycle(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<PlatformLifecycle> {
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
        kind: PlatformKind::stored(&kind)
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
    /// Platform `id` with its operators, as stored now.
    pub async fn platform(&self, id: &str) -> Result<Platform> {
        let mut conn = self.pool.acquire().await?;
        platform_row(&mut conn, id).await
    }

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
             active_from = COALESCE(active_from, $7), version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(step.to.as_str())
        .bind(&on)
        .bind(closed_on)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .bind((step.to == PlatformState::Active).then(|| on.clone()))
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

    /// Edits platform `id` from the version the caller saw: its name, portfolio, news/opinion
    /// functions and operators (its code, kind, owning org and opening day stay; its state
    /// moves by steps). One audit entry with before and after.
    pub async fn update_platform(
        &mut self,
        id: &str,
        expected_version: i64,
        fields: &PlatformFields,
    ) -> Result<Platform> {
        let before = platform_row(&mut self.tx, id).await?;
        let version: i64 = sqlx::query_scalar("SELECT version FROM platforms WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        check_version("platform", id, expected_version, version)?;
        let done = sqlx::query(
            "UPDATE platforms SET name = $1, portfolio = $2, news_function = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(fields.name.trim())
        .bind(&fields.portfolio)
        .bind(i64::from(fields.news_function))
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "platform", id, expected_version)?;
        if before.operators != sorted(&fields.operators) {
            sqlx::query("DELETE FROM platform_operators WHERE platform_id = $1")
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
            for op in sorted(&fields.operators) {
                sqlx::query(
                    "INSERT INTO platform_operators (platform_id, person_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(op)
                .execute(&mut *self.tx)
                .await?;
            }
        }
        let after = platform_row(&mut self.tx, id).await?;
        self.audit(
            "platform.update",
            "platform",
            id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok(after)
    }

    /// Brings the obligations about platform `id` and its operators (those of before the
    /// change, `operators_before`, and of now) in step with the platform as it is now in this
    /// transaction, for the years kept: a new platform owes its registration at once, a new
    /// operator their training, a closed platform's open duties not yet owed are withdrawn.
    /// Costs the platform and its operators' platforms, not the model: `model` (the model before
    /// the change) only gives the other platforms those operators run.
    pub async fn replan_platform(
        &mut self,
        policies: &Policies,
        model: &OrgModel,
        id: &str,
        operators_before: &[String],
    ) -> Result<Replanned> {
        let now = platform_row(&mut self.tx, id).await?;
        let mut people: Vec<String> = operators_before.to_vec();
        people.extend(now.operators.iter().cloned());
        people.sort();
        people.dedup();
        let org = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM orgs WHERE id = $1",
            super::orgs::ORG_COLS
        )))
        .bind(&now.org)
        .fetch_one(&mut *self.tx)
        .await?;
        let org = super::orgs::org_from(&org)?;
        // The platform as it is now, and the other platforms its operators run.
        let mut platforms = vec![now.clone()];
        platforms.extend(
            model
                .platforms()
                .iter()
                .filter(|p| p.id != now.id && p.operators.iter().any(|o| people.contains(o)))
                .cloned(),
        );
        let small = OrgModel::new(vec![org], vec![], vec![], vec![], vec![], platforms);
        let operator_duties = operator_duties(policies);
        let mut out = Replanned::default();
        for year in years_kept(shanghai_date(self.now())) {
            let planned: Vec<_> = policies
                .generate(&small, year, &[])
                .into_iter()
                .filter(|p| {
                    (p.subject_kind == SubjectKind::Platform && p.subject == now.id)
                        || (p.subject_kind == SubjectKind::Person
                            && people.contains(&p.subject)
                            && operator_duties.contains(&p.duty))
                })
                .collect();
            out.added += self.add_obligations(&planned, year).await?;
            let mine: Vec<_> = planned
                .iter()
                .filter(|p| p.subject_kind == SubjectKind::Platform)
                .cloned()
                .collect();
            let r = self
                .reconcile_subject(&mine, year, SubjectKind::Platform, &now.id, &[])
                .await?;
            out.withdrawn += r.withdrawn;
            out.restored += r.restored;
            if operator_duties.is_empty() {
                continue;
            }
            for person in &people {
                let theirs: Vec<_> = planned
                    .iter()
                    .filter(|p| p.subject_kind == SubjectKind::Person && &p.subject == person)
                    .cloned()
                    .collect();
                let r = self
                    .reconcile_subject(&theirs, year, SubjectKind::Person, person, &operator_duties)
                    .await?;
                out.withdrawn += r.withdrawn;
                out.restored += r.restored;
            }
        }
        Ok(out)
    }

    /// Marks done, on `on`, the open obligations about platform `id` that its registration
    /// discharges (duties asking for a `platform-registration` record), with a note naming
    /// how it is registered. Returns how many.
    pub async fn discharge_registration(
        &mut self,
        policies: &Policies,
        id: &str,
        on: NaiveDate,
    ) -> Result<usize> {
        let life = lifecycle(&mut self.tx, id).await?;
        let r = &life.registration;
        let how = match (&r.icp, &r.account_id) {
            (Some(icp), _) => format!("ICP 备案号 {icp}"),
            (None, Some(account)) => format!(
                "账号 {account}{}",
                r.registering_body
                    .as_deref()
                    .map(|b| format!("（注册主体 {b}）"))
                    .unwrap_or_default()
            ),
            (None, None) => return Ok(0),
        };
        let duties: Vec<String> = policies
            .packs()
            .iter()
            .flat_map(|p| &p.duties)
            .filter(|d| {
                d.evidence
                    .iter()
                    .any(|e| e.kind == EvidenceOf::Builtin(EvidenceKind::PlatformRegistration))
            })
            .map(|d| d.id.clone())
            .collect();
        let open = sqlx::query(
            "SELECT id, duty_id, version FROM obligations WHERE subject_kind = 'platform' AND subject_id = $1 AND state = 'open'",
        )
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?;
        let today = shanghai_date(self.now());
        let mut done = 0;
        for row in open {
            let duty: String = row.try_get("duty_id")?;
            if !duties.contains(&duty) {
                continue;
            }
            let oid: String = row.try_get("id")?;
            let version: i64 = row.try_get("version")?;
            let note = format!("平台已备案登记：{how}（见平台登记簿）");
            self.complete_obligation(&oid, version, on.min(today), &note)
                .await?;
            done += 1;
        }
        Ok(done)
    }

    /// Enters a new platform (fields checked by [`zeren_core::platforms::check_platform`]) and
    /// owes its duties at once: see [`Tx::replan_platform`].
    pub async fn add_platform(
        &mut self,
        fields: &PlatformFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<(Platform, Replanned)> {
        let p = self
            .insert_platform(Platform {
                id: new_id(),
                code: fields.code.clone(),
                name: fields.name.trim().to_string(),
                kind: fields.kind,
                org: fields.org.clone(),
                portfolio: fields.portfolio.clone(),
                news_function: fields.news_function,
                opened_on: fields.opened_on,
                closed_on: None,
                operators: sorted(&fields.operators),
                state: fields.state,
                active_from: (fields.state == PlatformState::Active).then_some(fields.opened_on),
            })
            .await?;
        let r = self.replan_platform(policies, model, &p.id, &[]).await?;
        Ok((p, r))
    }

    /// Edits a platform ([`Tx::update_platform`]) and replans its and its operators' duties.
    pub async fn edit_platform(
        &mut self,
        id: &str,
        expected_version: i64,
        fields: &PlatformFields,
        policies: &Policies,
        model: &OrgModel,
    ) -> Result<(Platform, Replanned)> {
        let before = platform_row(&mut self.tx, id).await?;
        let p = self.update_platform(id, expected_version, fields).await?;
        let r = self
            .replan_platform(policies, model, id, &before.operators)
            .await?;
        Ok((p, r))
    }

    /// Moves a platform one step ([`Tx::step_platform`]), replans its duties, and when it
    /// becomes registered discharges its registration duty on the step's day.
    pub async fn move_platform(
        &mut self,
        id: &str,
        expected_version: i64,
        draft: &TransitionDraft,
        policies: &Policies,
        model: &OrgModel,
        lang: Lang,
    ) -> Result<(PlatformLifecycle, Replanned)> {
        let before = platform_row(&mut self.tx, id).await?;
        let life = self
            .step_platform(id, expected_version, draft, lang)
            .await?;
        let r = self
            .replan_platform(policies, model, id, &before.operators)
            .await?;
        if life.state == PlatformState::Registered {
            self.discharge_registration(policies, id, life.since)
                .await?;
        }
        Ok((life, r))
    }

    /// Saves how a platform is registered ([`Tx::register_platform`]); on a platform already
    /// registered or running, its open registration duty is discharged too (the registry
    /// holds what it asks for).
    pub async fn save_registration(
        &mut self,
        id: &str,
        expected_version: i64,
        draft: &RegistrationDraft,
        policies: &Policies,
        lang: Lang,
    ) -> Result<PlatformLifecycle> {
        let life = self
            .register_platform(id, expected_version, draft, lang)
            .await?;
        if life.state != PlatformState::Planned && life.state != PlatformState::Closed {
            let on = life
                .registration
                .registered_on
                .unwrap_or_else(|| shanghai_date(self.now()));
            self.discharge_registration(policies, id, on).await?;
        }
        Ok(life)
    }
}

/// Person ids sorted, each once.
fn sorted(ids: &[String]) -> Vec<String> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    v
}
