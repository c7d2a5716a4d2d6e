//! Accounts, grants, sessions, API tokens and settings.

use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::unique_violation;
use crate::secrets::{random_token, token_hash};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::access::{AdminRole, Role};

/// A sign-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// The person this account belongs to (roles come from their posts).
    pub person: Option<String>,
    /// One of the three administrators, if so.
    pub admin_role: Option<AdminRole>,
    /// argon2id PHC string.
    #[serde(skip)]
    pub password_hash: String,
    /// Must choose a new password before anything else.
    pub must_change_password: bool,
    /// TOTP secret (base32), if set up.
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// TOTP in use.
    pub totp_enabled: bool,
    /// Last TOTP step accepted (a code is never accepted twice).
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    /// Consecutive failed sign-ins.
    pub failed_logins: i64,
    /// Locked until (epoch ms).
    pub locked_until: Option<i64>,
    /// Disabled by the security administrator.
    pub disabled: bool,
    /// Preferred UI language tag.
    pub lang: Option<String>,
    /// Edit version.
    pub version: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Linked person.
    pub person: Option<String>,
    /// Administrator role.
    pub admin_role: Option<AdminRole>,
    /// Hash from [`crate::secrets::hash_password`].
    pub password_hash: String,
    /// Force a new password at first sign-in.
    pub must_change_password: bool,
}

/// Who changes a password, which decides what else ends with the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange<'a> {
    /// The account holder, signed in with `keep_session` (a session id, or "" from a token):
    /// every other session ends.
    Own {
        /// The session that stays.
        keep_session: &'a str,
    },
    /// A reset by the security administrator or on the server: every session ends and every
    /// API token is revoked.
    Reset {
        /// The new password is temporary.
        must_change: bool,
    },
}

/// An explicit role grant over an org subtree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Id.
    pub id: String,
    /// Account.
    pub user: String,
    /// Role.
    pub role: Role,
    /// Root of the subtree.
    pub org: String,
    /// Who granted it.
    pub granted_by: String,
}

/// A live session, with its account.
#[derive(Debug, Clone)]
pub struct Session {
    /// Id (hash of the cookie).
    pub id: String,
    /// The account.
    pub user: User,
    /// CSRF token of the session.
    pub csrf: String,
    /// Signed in with the password but the second factor is still due.
    pub second_factor_pending: bool,
    /// How the session began (`password`, `cas`, `ldap`, `oidc`, `wecom`, `dingtalk`).
    pub method: String,
    /// Last activity (epoch ms).
    pub last_seen_at: i64,
    /// The model generation at lookup time.
    pub generation: i64,
}

/// An API token as listed (the secret itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// Created (epoch ms).
    pub created_at: i64,
    /// Last used (epoch ms).
    pub last_used_at: Option<i64>,
    /// Revoked (epoch ms).
    pub revoked_at: Option<i64>,
}

pub(crate) const USER_COLS: &str = "u.id, u.username, u.display_name, u.person_id, u.admin_role, u.password_hash, u.must_change_password, u.totp_secret, u.totp_enabled, u.totp_last_step, u.failed_logins, u.locked_until, u.disabled, u.lang, u.version";

pub(crate) fn user_from(r: &AnyRow) -> Result<User> {
    let admin: Option<String> = r.try_get("admin_role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        person: r.try_get("person_id")?,
        admin_role: admin.as_deref().and_then(AdminRole::parse),
        password_hash: r.try_get("password_hash")?,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        totp_secret: r.try_get("totp_secret")?,
        totp_enabled: r.try_get::<i64, _>("totp_enabled")? != 0,
        totp_last_step: r.try_get("totp_last_step")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        lang: r.try_get("lang")?,
        version: r.try_get("version")?,
    })
}

pub(crate) fn is_username(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        })
}

impl Db {
    /// The names shown for sign-in names (each asked once; a name without an account is left
    /// out), e.g. to say who kept a record rather than their login.
    pub async fn display_names(
        &self,
        usernames: &[&str],
    ) -> Result<std::collections::HashMap<String, String>> {
        let distinct: std::collections::BTreeSet<&str> = usernames.iter().copied().collect();
        let mut out = std::collections::HashMap::new();
        for name in distinct {
            let shown: Option<String> =
                sqlx::query_scalar("SELECT display_name FROM users WHERE username = $1")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some(shown) = shown {
                out.insert(name.to_string(), shown);
            }
        }
        Ok(out)
    }

    /// An account by sign-in name.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users u WHERE u.username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// An account by id.
    pub async fn user(&self, id: &str) -> Result<User> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users u WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "user",
            id: id.into(),
        })?;
        user_from(&row)
    }

    /// Counts a sign-in attempt (password or code) before it is checked, atomically: refused
    /// while the account is locked or while `max_failures` attempts are already counted, so
    /// parallel guesses cannot outrun the lockout. A lock that has run out is cleared first.
    /// Returns whether the attempt may go on.
    pub async fn claim_login_attempt(
        &self,
        user: &str,
        now_ms: i64,
        max_failures: i64,
    ) -> Result<bool> {
        let claimed = sqlx::query(
            "UPDATE users SET \
               failed_logins = (CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 0 ELSE failed_logins END) + 1, \
               locked_until = NULL \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) \
               AND (CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 0 ELSE failed_logins END) < $3 \
             RETURNING failed_logins",
        )
        .bind(user)
        .bind(now_ms)
        .bind(max_failures)
        .fetch_optional(&self.pool)
        .await?;
        Ok(claimed.is_some())
    }

    /// Gives back an attempt counted by [`Db::claim_login_attempt`] whose password was right
    /// while the second factor is still due (only a completed sign-in clears the count).
    pub async fn release_login_attempt(&self, user: &str) -> Result<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = failed_logins - 1 WHERE id = $1 AND failed_logins > 0",
        )
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The TOTP secret of an account, opened with the installation key (`None` when the second
    /// factor is off). A secret kept in clear by an older version is read as base32.
    pub fn totp_secret(&self, user: &User) -> Result<Option<Vec<u8>>> {
        let Some(stored) = user.totp_secret.as_deref().filter(|_| user.totp_enabled) else {
            return Ok(None);
        };
        if crate::keys::is_sealed(stored) {
            return self.key()?.open(stored).map(Some);
        }
        zeren_core::totp::from_base32(stored)
            .map(Some)
            .ok_or_else(|| StorageError::Corrupt(format!("TOTP secret of `{}`", user.username)))
    }

    /// Seals the TOTP secrets an older version kept in clear (once, at start-up); returns how
    /// many were sealed. Not audited: the secrets do not change, only how they are kept.
    pub async fn seal_clear_totp_secrets(&self) -> Result<u64> {
        let key = self.key()?;
        let rows = sqlx::query("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        let mut sealed = 0;
        for r in rows {
            let id: String = r.try_get("id")?;
            let stored: String = r.try_get("totp_secret")?;
            if crate::keys::is_sealed(&stored) {
                continue;
            }
            let value = match zeren_core::totp::from_base32(&stored) {
                Some(bytes) => Some(key.seal(&bytes)?),
                None => None,
            };
            sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = CASE WHEN $1 IS NULL THEN 0 ELSE totp_enabled END WHERE id = $2 AND totp_secret = $3")
                .bind(&value)
                .bind(&id)
                .bind(&stored)
                .execute(&self.pool)
                .await?;
            sealed += 1;
        }
        Ok(sealed)
    }

    /// Every account, by sign-in name.
    pub async fn users(&self) -> Result<Vec<User>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users u ORDER BY u.username"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    /// Active grants, all accounts.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        let rows = sqlx::query("SELECT id, user_id, role, org_id, granted_by FROM grants WHERE revoked_at IS NULL ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(Grant {
                    id: r.try_get("id")?,
                    user: r.try_get("user_id")?,
                    role: Role::parse(&role)
                        .ok_or_else(|| StorageError::Corrupt(format!("role `{role}`")))?,
                    org: r.try_get("org_id")?,
                    granted_by: r.try_get("granted_by")?,
                })
            })
            .collect()
    }

    /// The session for a cookie value, with its account and the current model generation.
    pub async fn session(&self, cookie: &str) -> Result<Option<Session>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS}, s.id AS session_id, s.csrf, s.second_factor_pending, s.last_seen_at, s.method, \
             (SELECT value FROM model_generation WHERE id = 1) AS generation \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.ended_at IS NULL"
        )))
        .bind(token_hash(cookie))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Session {
            id: r.try_get("session_id")?,
            user: user_from(&r)?,
            csrf: r.try_get("csrf")?,
            second_factor_pending: r.try_get::<i64, _>("second_factor_pending")? != 0,
            method: r
                .try_get::<Option<String>, _>("method")?
                .unwrap_or_else(|| "password".into()),
            last_seen_at: r.try_get("last_seen_at")?,
            generation: r.try_get("generation")?,
        }))
    }

    /// Notes activity on a session (not audited: it changes no record of the ledger).
    pub async fn touch_session(&self, id: &str, now_ms: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The account behind an API token, with the model generation.
    pub async fn token_user(&self, token: &str) -> Result<Option<(User, i64)>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS}, (SELECT value FROM model_generation WHERE id = 1) AS generation \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        )))
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some((user_from(&r)?, r.try_get("generation")?)))
    }

    /// API tokens of an account.
    pub async fn api_tokens(&self, user: &str) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query("SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at")
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// The generation of the org model (changes whenever the model, policies or accounts change).
    pub async fn model_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM model_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// A setting, with its version; `None` when never set.
    pub async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<(T, i64)>> {
        let row = sqlx::query("SELECT value, version FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let text: String = r.try_get("value")?;
        let value = serde_json::from_str(&text)
            .map_err(|e| StorageError::Corrupt(format!("setting `{key}`: {e}")))?;
        Ok(Some((value, r.try_get("version")?)))
    }
}

impl Tx {
    /// Creates an account.
    pub async fn create_user(&mut self, new: NewUser) -> Result<User> {
        if !is_username(&new.username) {
            return Err(StorageError::Invalid(format!(
                "user name `{}` must be 2–64 characters: a-z, 0-9, - _ .",
                new.username
            )));
        }
        if new.admin_role.is_some() && new.person.is_some() {
            return Err(StorageError::Invalid("an administrator account is kept apart from business roles: it cannot be linked to a person".into()));
        }
        let id = new_id();
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, person_id, admin_role, password_hash, must_change_password, totp_secret, totp_enabled, totp_last_step, failed_logins, locked_until, disabled, lang, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0, NULL, 0, NULL, 0, NULL, 1, $8, $8)",
        )
        .bind(&id)
        .bind(&new.username)
        .bind(new.display_name.trim())
        .bind(&new.person)
        .bind(new.admin_role.map(|a| a.as_str()))
        .bind(&new.password_hash)
        .bind(i64::from(new.must_change_password))
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, "user", &new.username))?;
        let after = json!({"id": id, "username": new.username, "display_name": new.display_name, "person": new.person, "admin_role": new.admin_role.map(|a| a.as_str()), "must_change_password": new.must_change_password});
        self.audit("user.create", "user", &id, None, Some(&after))
            .await?;
        self.user_row(&id).await
    }

    async fn user_row(&mut self, id: &str) -> Result<User> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users u WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "user",
            id: id.into(),
        })?;
        user_from(&row)
    }

    /// Records a failed sign-in (password or code) whose attempt was counted by
    /// [`Db::claim_login_attempt`]; locks the account until `lock_until` when it has reached
    /// `max_failures` and is not locked already (attempts on a locked account never lengthen
    /// the lock). Returns the lock in force, if any.
    pub async fn login_failed(
        &mut self,
        user: &User,
        max_failures: i64,
        lock_until: i64,
        reason: &str,
    ) -> Result<Option<i64>> {
        sqlx::query(
            "UPDATE users SET locked_until = $1 WHERE id = $2 AND failed_logins >= $3 \
             AND locked_until IS NULL",
        )
        .bind(lock_until)
        .bind(&user.id)
        .bind(max_failures)
        .execute(&mut *self.tx)
        .await?;
        let row = sqlx::query("SELECT failed_logins, locked_until FROM users WHERE id = $1")
            .bind(&user.id)
            .fetch_one(&mut *self.tx)
            .await?;
        let failures: i64 = row.try_get("failed_logins")?;
        let locked: Option<i64> = row.try_get("locked_until")?;
        let locked = locked.filter(|_| failures >= max_failures);
        let after = json!({"reason": reason, "failed_logins": failures, "locked_until": locked});
        let action = if locked.is_some() {
            "login.lockout"
        } else {
            "login.failure"
        };
        self.audit(action, "user", &user.id, None, Some(&after))
            .await?;
        Ok(locked)
    }

    /// Records a sign-in attempt for a name that has no usable account. The name itself is not
    /// kept (it may be anything, of any length): only its first characters and a digest.
    pub async fn login_unknown(&mut self, username: &str) -> Result<()> {
        self.audit(
            "login.failure",
            "user",
            "-",
            None,
            Some(&json!({
                "username": zeren_core::access::unknown_name_label(username),
                "reason": "unknown user",
            })),
        )
        .await
    }

    /// Opens a session; returns the cookie value (shown once, kept hashed) and the CSRF token.
    /// A session that still owes the second factor leaves the failure count as it is: only a
    /// completed sign-in clears it.
    pub async fn create_session(
        &mut self,
        user: &User,
        origin: &str,
        second_factor_pending: bool,
    ) -> Result<(String, String)> {
        self.create_session_via(
            user,
            origin,
            second_factor_pending,
            "password",
            None,
            json!({}),
        )
        .await
    }

    /// Opens a session begun by `method` (`password`, `cas`, `ldap`, …), remembering `sso_ref`
    /// (the digest a portal's single logout names) and auditing `detail` with the sign-in.
    pub async fn create_session_via(
        &mut self,
        user: &User,
        origin: &str,
        second_factor_pending: bool,
        method: &str,
        sso_ref: Option<&str>,
        mut detail: serde_json::Value,
    ) -> Result<(String, String)> {
        let cookie = random_token()?;
        let csrf = random_token()?;
        let now = self.now_ms();
        let id = token_hash(&cookie);
        if !second_factor_pending {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(&user.id)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("INSERT INTO sessions (id, user_id, csrf, second_factor_pending, origin, created_at, last_seen_at, ended_at, method, sso_ref) VALUES ($1, $2, $3, $4, $5, $6, $6, NULL, $7, $8)")
            .bind(&id)
            .bind(&user.id)
            .bind(&csrf)
            .bind(i64::from(second_factor_pending))
            .bind(origin)
            .bind(now)
            .bind(method)
            .bind(sso_ref)
            .execute(&mut *self.tx)
            .await?;
        let action = if second_factor_pending {
            "login.password"
        } else {
            "login.success"
        };
        if let Some(d) = detail.as_object_mut() {
            d.insert("session".into(), json!(&id[..12]));
            if method != "password" {
                d.insert("method".into(), json!(method));
            }
        }
        self.audit(action, "user", &user.id, None, Some(&detail))
            .await?;
        Ok((cookie, csrf))
    }

    /// Marks the second factor done for a session: the sign-in is complete, the failure count
    /// cleared, and the code's step used.
    pub async fn second_factor_done(&mut self, session: &str, user: &str, step: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET second_factor_pending = 0 WHERE id = $1")
            .bind(session)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("UPDATE users SET totp_last_step = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
            .bind(step)
            .bind(user)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "login.success",
            "user",
            user,
            None,
            Some(&json!({"second_factor": "totp"})),
        )
        .await
    }

    /// Ends a session (sign-out, idle timeout, password change).
    pub async fn end_session(
        &mut self,
        session_id: &str,
        user_id: &str,
        reason: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(self.now_ms())
            .bind(session_id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "session.end",
            "user",
            user_id,
            None,
            Some(&json!({"reason": reason})),
        )
        .await
    }

    /// Sets a new password hash. The account's own change ends its other sessions; a reset
    /// (by the security administrator or on the server) ends every session and revokes every
    /// API token, and the new password must be changed at the next sign-in when `must_change`.
    pub async fn set_password(
        &mut self,
        user: &User,
        hash: &str,
        change: PasswordChange<'_>,
    ) -> Result<()> {
        let (must_change, keep, reset) = match change {
            PasswordChange::Own { keep_session } => (false, keep_session, false),
            PasswordChange::Reset { must_change } => (must_change, "", true),
        };
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(hash)
            .bind(i64::from(must_change))
            .bind(self.now_ms())
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?;
        let sessions = self.end_other_sessions(&user.id, keep).await?;
        let tokens = if reset {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(self.now_ms())
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        self.audit(
            "user.password",
            "user",
            &user.id,
            None,
            Some(&json!({
                "must_change_password": must_change,
                "reset": reset,
                "sessions_ended": sessions,
                "tokens_revoked": tokens,
            })),
        )
        .await
    }

    /// Ends every live session of an account but `keep` (a session id, or "" for none);
    /// returns how many ended.
    async fn end_other_sessions(&mut self, user: &str, keep: &str) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL AND id <> $3",
        )
        .bind(self.now_ms())
        .bind(user)
        .bind(keep)
        .execute(&mut *self.tx)
        .await?
        .rows_affected())
    }

    /// Creates an API token for an account; returns the token (shown once).
    pub async fn create_api_token(&mut self, user: &User, name: &str) -> Result<String> {
        let token = format!("zrn_{}", random_token()?);
        let id = new_id();
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL, NULL)")
            .bind(&id)
            .bind(&user.id)
            .bind(name)
            .bind(token_hash(&token))
            .bind(self.now_ms())
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "token.create",
            "api_token",
            &id,
            None,
            Some(&json!({"user": user.id, "name": name})),
        )
        .await?;
        Ok(token)
    }

    /// Revokes an API token of an account.
    pub async fn revoke_api_token(&mut self, user: &str, id: &str) -> Result<()> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(self.now_ms())
            .bind(id)
            .bind(user)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound {
                what: "api token",
                id: id.into(),
            });
        }
        self.audit("token.revoke", "api_token", id, None, None)
            .await
    }

    /// Grants a business role over an org subtree.
    pub async fn grant(&mut self, user: &User, role: Role, org: &str, by: &str) -> Result<Grant> {
        if user.admin_role.is_some() {
            return Err(StorageError::Invalid(
                "administrator accounts hold no business roles".into(),
            ));
        }
        let org_id: String = sqlx::query_scalar("SELECT id FROM orgs WHERE id = $1 OR code = $1")
            .bind(org)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StorageError::NotFound {
                what: "org",
                id: org.into(),
            })?;
        let g = Grant {
            id: new_id(),
            user: user.id.clone(),
            role,
            org: org_id,
            granted_by: by.into(),
        };
        sqlx::query("INSERT INTO grants (id, user_id, role, org_id, granted_by, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)")
            .bind(&g.id)
            .bind(&g.user)
            .bind(role.as_str())
            .bind(&g.org)
            .bind(by)
            .bind(self.now_ms())
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "grant.create",
            "grant",
            &g.id,
            None,
            Some(&serde_json::to_value(&g).unwrap_or_default()),
        )
        .await?;
        Ok(g)
    }

    /// Revokes a grant.
    pub async fn revoke_grant(&mut self, id: &str) -> Result<()> {
        let done =
            sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(self.now_ms())
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::NotFound {
                what: "grant",
                id: id.into(),
            });
        }
        self.audit("grant.revoke", "grant", id, None, None).await
    }

    /// Turns the second factor on with `secret` (sealed under the installation key before it is
    /// stored), or off with `None`. Either way the account's other sessions end: whoever was
    /// signed in elsewhere signs in again under the new rule. `keep_session` is the session that
    /// made the change ("" for a reset by the security administrator). `step` is the step of
    /// the code that confirmed a new secret: it is used, and is not accepted again at sign-in.
    pub async fn set_totp(
        &mut self,
        user: &User,
        secret: Option<(&[u8], i64)>,
        keep_session: &str,
    ) -> Result<()> {
        let (sealed, step) = match secret {
            Some((s, step)) => (Some(self.key()?.seal(s)?), Some(step)),
            None => (None, None),
        };
        let enabled = sealed.is_some();
        sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3, version = version + 1, updated_at = $4 WHERE id = $5")
            .bind(&sealed)
            .bind(i64::from(enabled))
            .bind(step)
            .bind(self.now_ms())
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?;
        let sessions = self.end_other_sessions(&user.id, keep_session).await?;
        let action = match (user.totp_enabled, enabled) {
            (false, true) => "user.totp.enable",
            (true, true) => "user.totp.replace",
            _ => "user.totp.disable",
        };
        self.audit(
            action,
            "user",
            &user.id,
            Some(&json!({"enabled": user.totp_enabled})),
            Some(&json!({"enabled": enabled, "sessions_ended": sessions})),
        )
        .await
    }

    /// Notes the last code step accepted, so that a code is never accepted twice.
    pub async fn totp_step_used(&mut self, user: &User, step: i64) -> Result<()> {
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2")
            .bind(step)
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Disables or enables an account, and unlocks it.
    pub async fn set_user_state(
        &mut self,
        user: &User,
        expected_version: i64,
        disabled: bool,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE users SET disabled = $1, failed_logins = 0, locked_until = NULL, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(i64::from(disabled))
            .bind(self.now_ms())
            .bind(&user.id)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StorageError::Conflict {
                what: "user",
                id: user.id.clone(),
                expected: expected_version,
                actual: user.version,
            });
        }
        if disabled {
            sqlx::query(
                "UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL",
            )
            .bind(self.now_ms())
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?;
        }
        self.audit(
            "user.state",
            "user",
            &user.id,
            Some(&json!({"disabled": user.disabled})),
            Some(&json!({"disabled": disabled})),
        )
        .await
    }

    /// Records the account's preferred language.
    pub async fn set_user_lang(&mut self, user: &User, lang: &str) -> Result<()> {
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(&user.id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "user.lang",
            "user",
            &user.id,
            Some(&json!({"lang": user.lang})),
            Some(&json!({"lang": lang})),
        )
        .await
    }

    /// Writes a setting if `expected_version` is current (0 when it was never set).
    pub async fn put_setting<T: Serialize>(
        &mut self,
        key: &str,
        value: &T,
        expected_version: i64,
    ) -> Result<i64> {
        let text =
            serde_json::to_string(value).map_err(|e| StorageError::Invalid(e.to_string()))?;
        let current: Option<(String, i64)> =
            sqlx::query("SELECT value, version FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("value")?, r.try_get("version")?)))
                .transpose()?;
        let actual = current.as_ref().map(|c| c.1).unwrap_or(0);
        if actual != expected_version {
            return Err(StorageError::Conflict {
                what: "setting",
                id: key.into(),
                expected: expected_version,
                actual,
            });
        }
        let now = self.now_ms();
        if current.is_some() {
            sqlx::query("UPDATE settings SET value = $1, version = version + 1, updated_at = $2 WHERE key = $3").bind(&text).bind(now).bind(key).execute(&mut *self.tx).await?;
        } else {
            sqlx::query(
                "INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3)",
            )
            .bind(key)
            .bind(&text)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        }
        let before = current.and_then(|c| serde_json::from_str::<serde_json::Value>(&c.0).ok());
        let after = serde_json::from_str::<serde_json::Value>(&text).ok();
        self.audit(
            "setting.update",
            "setting",
            key,
            before.as_ref(),
            after.as_ref(),
        )
        .await?;
        Ok(actual + 1)
    }
}
