//! Where reminders go: each person's channels (email, and the office apps' user ids where the
//! apps send reminders) and each org's group robots, read and saved with their versions.

use super::*;

/// A person's channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonChannels {
    /// Person id.
    pub person: String,
    /// Email address, if given.
    pub email: Option<String>,
    /// Whether the person wants reminders by email.
    pub email_enabled: bool,
    /// Edit version (0 when never saved).
    pub version: i64,
    /// The 企业微信 user id an app message goes to: the person's, while the directory
    /// settings send reminders through the 企业微信 app (its `messages` on, its secret set).
    /// Read from the person, not saved with these channels.
    #[serde(skip)]
    pub wecom_app: Option<String>,
    /// The 钉钉 user id a work notification goes to, likewise.
    #[serde(skip)]
    pub dingtalk_app: Option<String>,
}

/// An org's group robots. The webhook URLs carry access tokens and the 钉钉 secret signs
/// messages: none of them is ever serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgChannels {
    /// Org id.
    pub org: String,
    /// 企业微信 group robot webhook URL.
    #[serde(skip)]
    pub wecom_url: Option<String>,
    /// 钉钉 custom robot webhook URL.
    #[serde(skip)]
    pub dingtalk_url: Option<String>,
    /// 钉钉 signing secret (`SEC…`).
    #[serde(skip)]
    pub dingtalk_secret: Option<String>,
    /// Edit version (0 when never saved).
    pub version: i64,
}

impl PersonChannels {
    /// A person's channels never saved: no address, email wanted, version 0.
    pub fn unsaved(person: &str) -> PersonChannels {
        PersonChannels {
            person: person.to_string(),
            email: None,
            email_enabled: true,
            version: 0,
            wecom_app: None,
            dingtalk_app: None,
        }
    }
}

impl OrgChannels {
    /// No robot configured, version 0.
    pub fn empty(org: &str) -> OrgChannels {
        OrgChannels {
            org: org.to_string(),
            wecom_url: None,
            dingtalk_url: None,
            dingtalk_secret: None,
            version: 0,
        }
    }

    /// What the audit log and API may show: which robots are set, never their URLs or secret.
    pub fn redacted(&self) -> Value {
        json!({
            "org": self.org,
            "wecom": self.wecom_url.as_deref().map(redact_url),
            "dingtalk": self.dingtalk_url.as_deref().map(redact_url),
            "dingtalk_signed": self.dingtalk_secret.is_some(),
            "version": self.version,
        })
    }
}

/// A webhook URL with its query (the access token) hidden: `https://host/path?…`.
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

/// How to change the 钉钉 secret: a form that leaves it empty keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretUpdate {
    /// Keep what is stored.
    Keep,
    /// Store this.
    Set(String),
    /// Remove it.
    Clear,
}

fn person_channels_from(r: &AnyRow) -> Result<PersonChannels> {
    Ok(PersonChannels {
        person: r.try_get("person_id")?,
        email: r.try_get("email")?,
        email_enabled: r.try_get::<i64, _>("email_enabled")? != 0,
        version: r.try_get("version")?,
        wecom_app: None,
        dingtalk_app: None,
    })
}

/// Which office apps send reminders to people, as the directory settings say: `messages` on
/// and a secret set (sealed or not, it is only looked at, never opened here).
fn apps_sending(settings: Option<&DirectorySettings>) -> (bool, bool) {
    let Some(s) = settings else {
        return (false, false);
    };
    (
        s.wecom
            .as_ref()
            .is_some_and(|w| w.messages && w.secret.is_set()),
        s.dingtalk
            .as_ref()
            .is_some_and(|d| d.messages && d.app_secret.is_set()),
    )
}

/// A user id as kept on the person, if there is one to send to.
fn app_user(on: bool, id: Option<String>) -> Option<String> {
    id.filter(|i| on && !i.trim().is_empty())
}

fn org_channels_from(r: &AnyRow) -> Result<OrgChannels> {
    Ok(OrgChannels {
        org: r.try_get("org_id")?,
        wecom_url: r.try_get("wecom_url")?,
        dingtalk_url: r.try_get("dingtalk_url")?,
        dingtalk_secret: r.try_get("dingtalk_secret")?,
        version: r.try_get("version")?,
    })
}

impl Db {
    /// A person's channels (version 0 and no address when never saved), with their app user
    /// ids where the apps send reminders.
    pub async fn person_channels(&self, person: &str) -> Result<PersonChannels> {
        let row = sqlx::query("SELECT person_id, email, email_enabled, version FROM notify_person_channels WHERE person_id = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?;
        let mut channels = match row {
            Some(r) => person_channels_from(&r)?,
            None => PersonChannels::unsaved(person),
        };
        let (wecom, dingtalk) = self.apps_sending().await?;
        if wecom || dingtalk {
            let ids = sqlx::query("SELECT wecom_id, dingtalk_id FROM people WHERE id = $1")
                .bind(person)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = ids {
                channels.wecom_app = app_user(wecom, r.try_get("wecom_id")?);
                channels.dingtalk_app = app_user(dingtalk, r.try_get("dingtalk_id")?);
            }
        }
        Ok(channels)
    }

    /// Every person's channels, by person id: those saved, and everyone with a user id of an
    /// app that sends reminders (the planners' one read of where reminders can go).
    pub async fn all_person_channels(&self) -> Result<HashMap<String, PersonChannels>> {
        let rows = sqlx::query(
            "SELECT person_id, email, email_enabled, version FROM notify_person_channels",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| person_channels_from(r).map(|c| (c.person.clone(), c)))
            .collect::<Result<HashMap<_, _>>>()?;
        let (wecom, dingtalk) = self.apps_sending().await?;
        if wecom || dingtalk {
            let rows = sqlx::query("SELECT id, wecom_id, dingtalk_id FROM people WHERE archived = 0 AND (wecom_id IS NOT NULL OR dingtalk_id IS NOT NULL)")
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                let id: String = r.try_get("id")?;
                let wecom_app = app_user(wecom, r.try_get("wecom_id")?);
                let dingtalk_app = app_user(dingtalk, r.try_get("dingtalk_id")?);
                if wecom_app.is_none() && dingtalk_app.is_none() {
                    continue;
                }
                let c = out
                    .entry(id.clone())
                    .or_insert_with(|| PersonChannels::unsaved(&id));
                c.wecom_app = wecom_app;
                c.dingtalk_app = dingtalk_app;
            }
        }
        Ok(out)
    }

    /// Which office apps send reminders (企业微信, 钉钉), from the directory settings.
    async fn apps_sending(&self) -> Result<(bool, bool)> {
        let settings = self
            .setting::<DirectorySettings>(DIRECTORY_SETTING)
            .await?
            .map(|(s, _)| s);
        Ok(apps_sending(settings.as_ref()))
    }

    /// An org's robots (none and version 0 when never saved).
    pub async fn org_channels(&self, org: &str) -> Result<OrgChannels> {
        let row = sqlx::query("SELECT org_id, wecom_url, dingtalk_url, dingtalk_secret, version FROM notify_org_channels WHERE org_id = $1")
            .bind(org)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => org_channels_from(&r),
            None => Ok(OrgChannels::empty(org)),
        }
    }

    /// Every org's saved robots, by org id.
    pub async fn all_org_channels(&self) -> Result<HashMap<String, OrgChannels>> {
        let rows = sqlx::query(
            "SELECT org_id, wecom_url, dingtalk_url, dingtalk_secret, version FROM notify_org_channels",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| org_channels_from(r).map(|c| (c.org.clone(), c)))
            .collect()
    }
}

impl Tx {
    /// Saves a person's channels if `expected_version` is current (0 when never saved).
    pub async fn put_person_channels(
        &mut self,
        person: &str,
        email: Option<&str>,
        email_enabled: bool,
        expected_version: i64,
    ) -> Result<PersonChannels> {
        let row = sqlx::query("SELECT person_id, email, email_enabled, version FROM notify_person_channels WHERE person_id = $1")
            .bind(person)
            .fetch_optional(&mut *self.tx)
            .await?;
        let before = row.as_ref().map(person_channels_from).transpose()?;
        let actual = before.as_ref().map(|b| b.version).unwrap_or(0);
        if actual != expected_version {
            return Err(StorageError::Conflict {
                what: "notification settings",
                id: person.into(),
                expected: expected_version,
                actual,
            });
        }
        let now = self.now_ms();
        let enabled = i64::from(email_enabled);
        if before.is_some() {
            sqlx::query("UPDATE notify_person_channels SET email = $1, email_enabled = $2, version = version + 1, updated_at = $3 WHERE person_id = $4")
                .bind(email)
                .bind(enabled)
                .bind(now)
                .bind(person)
                .execute(&mut *self.tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO notify_person_channels (person_id, email, email_enabled, version, updated_at) VALUES ($1, $2, $3, 1, $4)")
                .bind(person)
                .bind(email)
                .bind(enabled)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
        }
        let after = PersonChannels {
            person: person.to_string(),
            email: email.map(str::to_string),
            email_enabled,
            version: actual + 1,
            wecom_app: None,
            dingtalk_app: None,
        };
        self.audit(
            "notify.person_channels",
            "person",
            person,
            before.as_ref().map(|b| json!(b)).as_ref(),
            Some(&json!(after)),
        )
        .await?;
        Ok(after)
    }

    /// Saves an org's robots if `expected_version` is current (0 when never saved). The audit
    /// keeps which robots are set, never their URLs' tokens or the secret.
    pub async fn put_org_channels(
        &mut self,
        org: &str,
        wecom_url: Option<&str>,
        dingtalk_url: Option<&str>,
        secret: SecretUpdate,
        expected_version: i64,
    ) -> Result<OrgChannels> {
        let row = sqlx::query("SELECT org_id, wecom_url, dingtalk_url, dingtalk_secret, version FROM notify_org_channels WHERE org_id = $1")
            .bind(org)
            .fetch_optional(&mut *self.tx)
            .await?;
        let before = row.as_ref().map(org_channels_from).transpose()?;
        let actual = before.as_ref().map(|b| b.version).unwrap_or(0);
        if actual != expected_version {
            return Err(StorageError::Conflict {
                what: "robot settings",
                id: org.into(),
                expected: expected_version,
                actual,
            });
        }
        let secret = match secret {
            SecretUpdate::Keep => before.as_ref().and_then(|b| b.dingtalk_secret.clone()),
            SecretUpdate::Set(s) => Some(s),
            SecretUpdate::Clear => None,
        };
        let now = self.now_ms();
        if before.is_some() {
            sqlx::query("UPDATE notify_org_channels SET wecom_url = $1, dingtalk_url = $2, dingtalk_secret = $3, version = version + 1, updated_at = $4 WHERE org_id = $5")
                .bind(wecom_url)
                .bind(dingtalk_url)
                .bind(&secret)
                .bind(now)
                .bind(org)
                .execute(&mut *self.tx)
                .await?;
        } else {
            sqlx::query("INSERT INTO notify_org_channels (org_id, wecom_url, dingtalk_url, dingtalk_secret, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5)")
                .bind(org)
                .bind(wecom_url)
                .bind(dingtalk_url)
                .bind(&secret)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
        }
        let after = OrgChannels {
            org: org.to_string(),
            wecom_url: wecom_url.map(str::to_string),
            dingtalk_url: dingtalk_url.map(str::to_string),
            dingtalk_secret: secret,
            version: actual + 1,
        };
        self.audit(
            "notify.org_channels",
            "org",
            org,
            before.as_ref().map(OrgChannels::redacted).as_ref(),
            Some(&after.redacted()),
        )
        .await?;
        Ok(after)
    }
}
