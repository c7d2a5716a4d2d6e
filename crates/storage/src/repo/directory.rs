//! Directory sign-in: its settings (secrets sealed at rest with the installation key, like the
//! TOTP secrets), the people an identity may link to, single-use sign-in credentials, sessions
//! that a portal's single logout ends, and the grants a directory's groups give.

use crate::db::new_id;
use crate::error::{Result, StorageError};
use crate::repo::identity::is_username;
use crate::secrets::token_hash;
use crate::{Db, NewUser, Tx, User};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::access::Role;
use zeren_core::directory::{Candidate, DIRECTORY_SETTING, DirectorySettings, LinkKey};

impl Db {
    /// The directory settings with their secrets opened, and the version (0 when never saved).
    pub async fn directory_settings(&self) -> Result<(DirectorySettings, i64)> {
        let Some((mut settings, version)) =
            self.setting::<DirectorySettings>(DIRECTORY_SETTING).await?
        else {
            return Ok((DirectorySettings::default(), 0));
        };
        for secret in settings.secrets_mut() {
            if crate::keys::is_sealed(&secret.0) {
                let plain = self.key()?.open(&secret.0)?;
                secret.0 = String::from_utf8(plain)
                    .map_err(|_| StorageError::Corrupt("a directory secret is not text".into()))?;
            }
        }
        Ok((settings, version))
    }
}

impl Tx {
    /// Saves the directory settings if `expected_version` is current, sealing every secret.
    pub async fn put_directory_settings(
        &mut self,
        mut settings: DirectorySettings,
        expected_version: i64,
    ) -> Result<i64> {
        for secret in settings.secrets_mut() {
            if secret.is_set() && !crate::keys::is_sealed(&secret.0) {
                secret.0 = self.key()?.seal(secret.0.as_bytes())?;
            }
        }
        self.put_setting(DIRECTORY_SETTING, &settings, expected_version)
            .await
    }
}

/// A sign-in begun here, waiting for the portal or provider to send the browser back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttempt {
    /// The method (`cas`, `oidc`, `wecom`, `dingtalk`).
    pub method: String,
    /// Digest of the cookie that binds it to the browser that began it.
    pub binding: String,
    /// The OIDC nonce.
    pub nonce: Option<String>,
    /// The PKCE verifier.
    pub verifier: Option<String>,
    /// Where to go after signing in (a path of this site).
    pub next: String,
}

/// What [`Db::take_sign_in`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The attempt, now used.
    Fresh(SignInAttempt),
    /// No such attempt, used already, or too old.
    Gone,
}

impl Db {
    /// Records a sign-in begun, under the digest of its `state`.
    pub async fn begin_sign_in(
        &self,
        state: &str,
        attempt: &SignInAttempt,
        origin: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_attempts (id, method, binding, nonce, verifier, next, origin, created_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
        )
        .bind(token_hash(state))
        .bind(&attempt.method)
        .bind(&attempt.binding)
        .bind(&attempt.nonce)
        .bind(&attempt.verifier)
        .bind(&attempt.next)
        .bind(origin)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the attempt of `state` for `method` once: only if it was begun after `since_ms` and
    /// never taken. Two callbacks racing with the same state: one gets it.
    pub async fn take_sign_in(
        &self,
        method: &str,
        state: &str,
        now_ms: i64,
        since_ms: i64,
    ) -> Result<Taken> {
        let id = token_hash(state);
        let done = sqlx::query(
            "UPDATE sign_in_attempts SET used_at = $1 \
             WHERE id = $2 AND method = $3 AND used_at IS NULL AND created_at > $4",
        )
        .bind(now_ms)
        .bind(&id)
        .bind(method)
        .bind(since_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Taken::Gone);
        }
        let r = sqlx::query(
            "SELECT method, binding, nonce, verifier, next FROM sign_in_attempts WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Taken::Fresh(SignInAttempt {
            method: r.try_get("method")?,
            binding: r.try_get("binding")?,
            nonce: r.try_get("nonce")?,
            verifier: r.try_get("verifier")?,
            next: r.try_get("next")?,
        }))
    }

    /// Forgets the sign-ins begun (and CAS tickets seen) before `before_ms`: long past use, they
    /// are no record of the ledger (each sign-in and refusal is in the audit log). How many.
    pub async fn forget_sign_in_attempts(&self, before_ms: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sign_in_attempts WHERE created_at < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Notes a CAS ticket as seen: `false` when it was seen before (a replay).
    pub async fn claim_ticket(&self, ticket: &str, origin: &str, now_ms: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO sign_in_attempts (id, method, binding, nonce, verifier, next, origin, created_at, used_at) \
             VALUES ($1, 'cas-ticket', '', NULL, NULL, '', $2, $3, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(token_hash(&format!("cas-ticket:{ticket}")))
        .bind(origin)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The people whose `key` is `value`, each with their account, for linking a directory
    /// identity (`zeren_core::directory::link`). A person counts as gone when archived or when
    /// their leaving day is on or before `today`.
    pub async fn link_candidates(
        &self,
        key: LinkKey,
        value: &str,
        today: NaiveDate,
    ) -> Result<Vec<Candidate>> {
        let matched = match key {
            LinkKey::StaffNo => "p.staff_no = $1",
            LinkKey::Name => "p.name = $1",
            LinkKey::WecomId => "p.wecom_id = $1",
            LinkKey::DingtalkId => "p.dingtalk_id = $1",
            LinkKey::Email => {
                "p.id IN (SELECT person_id FROM notify_person_channels WHERE LOWER(email) = LOWER($1))"
            }
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT p.id, p.archived, p.left_on, u.id AS user_id, u.admin_role, u.disabled \
             FROM people p LEFT JOIN users u ON u.person_id = p.id \
             WHERE {matched} ORDER BY p.id, u.created_at"
        )))
        .bind(value.trim())
        .fetch_all(&self.pool)
        .await?;
        let today = today.format("%Y-%m-%d").to_string();
        let mut out: Vec<Candidate> = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            if out.last().is_some_and(|c| c.person_id == id) {
                // A person with two accounts: the first made is the one signed in to.
                continue;
            }
            let left_on: Option<String> = r.try_get("left_on")?;
            let user: Option<String> = r.try_get("user_id")?;
            let admin: Option<String> = r.try_get("admin_role")?;
            let disabled: Option<i64> = r.try_get("disabled")?;
            out.push(Candidate {
                person_id: id,
                left: r.try_get::<i64, _>("archived")? != 0 || left_on.is_some_and(|d| d <= today),
                account: user.map(|u| (u, admin.is_some(), disabled.unwrap_or(0) != 0)),
            });
        }
        Ok(out)
    }
}

impl Tx {
    /// Records a directory sign-in that ended in no session: the method, why, and what the
    /// directory said (never a password, a ticket or a token).
    pub async fn sign_in_refused(
        &mut self,
        method: &str,
        reason: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let mut after = json!({"method": method, "reason": reason});
        if let (Some(a), Some(d)) = (after.as_object_mut(), detail.as_object()) {
            for (k, v) in d {
                a.insert(k.clone(), v.clone());
            }
        }
        self.audit("login.failure", "directory", method, None, Some(&after))
            .await
    }

    /// Makes an account for `person` on their first directory sign-in (accounts made on first
    /// sign-in): no usable local password, named after the staff number where it can be.
    pub async fn provision_account(
        &mut self,
        person: &str,
        method: &str,
        unusable_hash: String,
    ) -> Result<User> {
        let row = sqlx::query("SELECT name, staff_no FROM people WHERE id = $1")
            .bind(person)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StorageError::NotFound {
                what: "person",
                id: person.into(),
            })?;
        let name: String = row.try_get("name")?;
        let staff_no: Option<String> = row.try_get("staff_no")?;
        let from_staff_no = staff_no
            .map(|s| s.trim().to_lowercase())
            .filter(|s| is_username(s));
        let mut username = from_staff_no.unwrap_or_else(|| format!("p-{}", &new_id()[..12]));
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(self.conn())
            .await?;
        if taken.is_some() {
            username = format!("{username}-{}", &new_id()[..6]).to_lowercase();
        }
        let user = self
            .create_user(NewUser {
                username,
                display_name: name,
                person: Some(person.into()),
                admin_role: None,
                password_hash: unusable_hash,
                must_change_password: false,
            })
            .await?;
        self.audit(
            "user.provision",
            "user",
            &user.id,
            None,
            Some(&json!({"person": person, "method": method})),
        )
        .await?;
        Ok(user)
    }

    /// Brings the grants a directory's groups give `user` to `wanted` (role, org id): those no
    /// longer given are revoked, new ones granted, each audited; other grants are left alone.
    /// Returns how many changed.
    pub async fn sync_directory_grants(
        &mut self,
        user: &User,
        method: &str,
        wanted: &[(Role, String)],
    ) -> Result<usize> {
        let by = format!("directory:{method}");
        let rows = sqlx::query(
            "SELECT id, role, org_id FROM grants WHERE user_id = $1 AND granted_by = $2 AND revoked_at IS NULL",
        )
        .bind(&user.id)
        .bind(&by)
        .fetch_all(self.conn())
        .await?;
        let mut held: Vec<(String, String, String)> = Vec::new();
        for r in rows {
            held.push((r.try_get("id")?, r.try_get("role")?, r.try_get("org_id")?));
        }
        let mut changed = 0;
        for (id, role, org) in &held {
            if !wanted.iter().any(|(r, o)| r.as_str() == role && o == org) {
                self.revoke_grant(id).await?;
                changed += 1;
            }
        }
        for (role, org) in wanted {
            if !held.iter().any(|(_, r, o)| r == role.as_str() && o == org) {
                self.grant(user, *role, org, &by).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Ends the sessions a portal's single logout names (by the digest of the ticket that began
    /// them); how many ended.
    pub async fn end_portal_sessions(&mut self, sso_ref: &str) -> Result<u64> {
        let rows =
            sqlx::query("SELECT id, user_id FROM sessions WHERE sso_ref = $1 AND ended_at IS NULL")
                .bind(sso_ref)
                .fetch_all(self.conn())
                .await?;
        let mut ended = 0;
        for r in rows {
            let id: String = r.try_get("id")?;
            let user: String = r.try_get("user_id")?;
            self.end_session(&id, &user, "portal logout").await?;
            ended += 1;
        }
        Ok(ended)
    }
}
