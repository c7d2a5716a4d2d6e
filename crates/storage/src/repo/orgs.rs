//! The org model: orgs, people, posts, holdings and platforms.

use super::{date_text, parse_date, parse_opt_date, unique_violation};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError, current};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zeren_core::org::{
    DateChange, Holding, HoldingError, Org, OrgModel, Person, Platform, Post, check_close,
    check_held_within, check_holding, check_move, check_place, check_post, check_post_close,
    check_post_reopen, check_reopen, plan_handover,
};
use zeren_core::policy::PolicyPack;
use zeren_core::vocab::{OrgKind, PlatformKind, PlatformState};

/// A new org.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Unique code, kebab-case.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Parent org (code or id); required except for a university at the root.
    pub parent: Option<String>,
    /// Established on.
    pub established_on: Option<NaiveDate>,
}

/// What an edit of an org changes; each `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct OrgEdit {
    /// A new name.
    pub name: Option<String>,
    /// A new parent (code or id): the org moves under it.
    pub parent: Option<String>,
    /// `Some(Some(day))` closes the org on that day; `Some(None)` reopens a closed one (an
    /// open one is refused: [`zeren_core::org::TreeError::NotClosed`]).
    pub closed_on: Option<Option<NaiveDate>>,
}

/// What an edit of a holding changes (the core's rule of an end and a correction,
/// [`zeren_core::org::DatesEdit`]).
pub type HoldingEdit = zeren_core::org::DatesEdit;

/// What an edit of a post changes; each `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct PostEdit {
    /// `Some(Some(day))` closes the post on that day; `Some(None)` reopens a closed one (an
    /// open one is refused: [`zeren_core::org::PostError::NotClosed`]).
    pub closed_on: Option<Option<NaiveDate>>,
}

/// A new platform.
#[derive(Debug, Clone)]
pub struct NewPlatform {
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PlatformKind,
    /// Owning org id.
    pub org: String,
    /// Portfolio id.
    pub portfolio: Option<String>,
    /// Has news/opinion functions.
    pub news_function: bool,
    /// Opened on.
    pub opened_on: NaiveDate,
    /// Operator person ids.
    pub operators: Vec<String>,
    /// The state it starts in: planned, or active (running from `opened_on`).
    pub state: PlatformState,
}

pub(super) fn org_from(r: &AnyRow) -> Result<Org> {
    let kind: String = r.try_get("kind")?;
    Ok(Org {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: OrgKind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("org kind `{kind}`")))?,
        parent: r.try_get("parent_id")?,
        established_on: parse_opt_date(r.try_get("established_on")?)?,
        closed_on: parse_opt_date(r.try_get("closed_on")?)?,
    })
}

pub(super) fn post_from(r: &AnyRow) -> Result<Post> {
    let portfolios: String = r.try_get("portfolios")?;
    Ok(Post {
        id: r.try_get("id")?,
        org: r.try_get("org_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        portfolios: portfolios
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        closed_on: parse_opt_date(r.try_get("closed_on")?)?,
    })
}

pub(super) fn holding_from(r: &AnyRow) -> Result<Holding> {
    Ok(Holding {
        id: r.try_get("id")?,
        post: r.try_get("post_id")?,
        person: r.try_get("person_id")?,
        start: parse_date(&r.try_get::<String, _>("start_on")?)?,
        end: parse_opt_date(r.try_get("end_on")?)?,
    })
}

pub(super) fn platform_from(r: &AnyRow, operators: Vec<String>) -> Result<Platform> {
    let kind: String = r.try_get("kind")?;
    Ok(Platform {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: PlatformKind::stored(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("platform kind `{kind}`")))?,
        org: r.try_get("org_id")?,
        portfolio: r.try_get("portfolio")?,
        news_function: r.try_get::<i64, _>("news_function")? != 0,
        opened_on: parse_date(&r.try_get::<String, _>("opened_on")?)?,
        closed_on: parse_opt_date(r.try_get("closed_on")?)?,
        operators,
        state: {
            let s: String = r.try_get("state")?;
            PlatformState::parse(&s)
                .ok_or_else(|| StorageError::Corrupt(format!("platform state `{s}`")))?
        },
        active_from: parse_opt_date(r.try_get("active_from")?)?,
    })
}

pub(crate) fn holding_json(h: &Holding) -> serde_json::Value {
    json!({"id": h.id, "post": h.post, "person": h.person, "start": date_text(h.start), "end": h.end.map(date_text)})
}

pub(super) const ORG_COLS: &str = "id, code, name, kind, parent_id, established_on, closed_on";
pub(super) const POST_COLS: &str = "id, org_id, kind, title, portfolios, closed_on";
pub(super) const HOLDING_COLS: &str = "id, post_id, person_id, start_on, end_on";
pub(super) const PLATFORM_COLS: &str = "id, code, name, kind, org_id, portfolio, news_function, opened_on, closed_on, state, active_from";

impl Db {
    /// The whole org model, indexed.
    pub async fn load_model(&self) -> Result<OrgModel> {
        let orgs = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM orgs ORDER BY code"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(org_from)
        .collect::<Result<Vec<_>>>()?;
        let people =
            sqlx::query("SELECT id, name, org_id FROM people WHERE archived = 0 ORDER BY id")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Person {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        org: r.try_get("org_id")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        let posts = sqlx::query(AssertSqlSafe(format!(
            "SELECT {POST_COLS} FROM posts WHERE archived = 0 ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(post_from)
        .collect::<Result<Vec<_>>>()?;
        let holdings = sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOLDING_COLS} FROM holdings ORDER BY post_id, start_on"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(holding_from)
        .collect::<Result<Vec<_>>>()?;
        let ops = sqlx::query(
            "SELECT platform_id, person_id FROM platform_operators ORDER BY platform_id, person_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut operators: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for r in &ops {
            operators
                .entry(r.try_get("platform_id")?)
                .or_default()
                .push(r.try_get("person_id")?);
        }
        let platforms = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PLATFORM_COLS} FROM platforms ORDER BY code"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let id: String = r.try_get("id")?;
            platform_from(r, operators.remove(&id).unwrap_or_default())
        })
        .collect::<Result<Vec<_>>>()?;
        let assignments = self.load_assignments().await?;
        Ok(OrgModel::new(
            orgs,
            people,
            posts,
            holdings,
            assignments,
            platforms,
        ))
    }

    /// An org by code or id.
    pub async fn find_org(&self, code_or_id: &str) -> Result<Org> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM orgs WHERE code = $1 OR id = $1"
        )))
        .bind(code_or_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "org",
            id: code_or_id.into(),
        })?;
        org_from(&row)
    }

    /// The stored version of a post, for a form to carry (a change made since it was shown
    /// is then refused, not overwritten).
    pub async fn post_version(&self, id: &str) -> Result<i64> {
        self.version_of("posts", "post", id).await
    }

    /// The stored version of a holding, for a form to carry.
    pub async fn holding_version(&self, id: &str) -> Result<i64> {
        self.version_of("holdings", "holding", id).await
    }

    async fn version_of(&self, table: &str, what: &'static str, id: &str) -> Result<i64> {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT version FROM {table} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what,
            id: id.into(),
        })
    }

    /// Whether any org exists.
    pub async fn has_orgs(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM orgs")
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}

impl Tx {
    pub(crate) async fn org_row(&mut self, code_or_id: &str) -> Result<(Org, i64)> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLS}, version FROM orgs WHERE code = $1 OR id = $1"
        )))
        .bind(code_or_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "org",
            id: code_or_id.into(),
        })?;
        Ok((org_from(&row)?, row.try_get("version")?))
    }

    /// Creates an org.
    pub async fn create_org(&mut self, new: NewOrg) -> Result<Org> {
        if !zeren_core::org::is_code(&new.code) {
            return Err(StorageError::Invalid(format!(
                "org code `{}` must be kebab-case (a-z, 0-9, single hyphens)",
                new.code
            )));
        }
        if new.name.trim().is_empty() {
            return Err(StorageError::Invalid("org name must not be empty".into()));
        }
        let parent = match &new.parent {
            Some(p) => Some(self.org_row(p).await?.0),
            None => None,
        };
        let root = match parent {
            Some(_) => None,
            None => self.root_org().await?,
        };
        check_place(new.kind, parent.as_ref(), root.as_ref())?;
        let org = Org {
            id: new_id(),
            code: new.code.clone(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            parent: parent.map(|p| p.id),
            established_on: new.established_on,
            closed_on: None,
        };
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO orgs (id, code, name, kind, parent_id, established_on, closed_on, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, 1, $7, $7)",
        )
        .bind(&org.id)
        .bind(&org.code)
        .bind(&org.name)
        .bind(org.kind.as_str())
        .bind(&org.parent)
        .bind(org.established_on.map(date_text))
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, "org", &new.code))?;
        self.audit(
            "org.create",
            "org",
            &org.id,
            None,
            Some(&serde_json::to_value(&org).unwrap_or_default()),
        )
        .await?;
        Ok(org)
    }

    /// The root of the tree, if there is one.
    async fn root_org(&mut self) -> Result<Option<Org>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM orgs WHERE parent_id IS NULL ORDER BY code LIMIT 1"
        )))
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(org_from).transpose()
    }

    /// The children of an org.
    async fn children_of(&mut self, id: &str) -> Result<Vec<Org>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ORG_COLS} FROM orgs WHERE parent_id = $1 ORDER BY code"
        )))
        .bind(id)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(org_from)
        .collect()
    }

    /// The orgs above `org`, its parent first (a damaged tree with a cycle is walked once round).
    async fn above(&mut self, org: &Org) -> Result<Vec<Org>> {
        let mut out: Vec<Org> = Vec::new();
        let mut next = org.parent.clone();
        while let Some(id) = next {
            if id == org.id || out.iter().any(|o| o.id == id) {
                break;
            }
            let parent = self.org_row(&id).await?.0;
            next = parent.parent.clone();
            out.push(parent);
        }
        Ok(out)
    }

    /// Edits an org — renames it, moves it under another parent, closes it on a day or reopens
    /// it — if `expected_version` is still current. Closing ends, on the closing day, the
    /// holdings of its posts and the platforms it runs that are still open then; its
    /// obligations falling due after that day are withdrawn by the next obligations sync.
    /// Returns the org as it is now with its new version (the same version when nothing changed).
    pub async fn update_org(
        &mut self,
        id: &str,
        expected_version: i64,
        edit: OrgEdit,
    ) -> Result<(Org, i64)> {
        let (before, version) = self.org_row(id).await?;
        current("org", &before.id, expected_version, version)?;
        let mut after = before.clone();
        if let Some(n) = edit.name {
            if n.trim().is_empty() {
                return Err(StorageError::Invalid("org name must not be empty".into()));
            }
            after.name = n.trim().to_string();
        }
        if let Some(p) = edit.parent {
            let parent = self.org_row(&p).await?.0;
            if before.parent.as_deref() != Some(parent.id.as_str()) {
                let above = self.above(&parent).await?;
                check_move(&before, &parent, above.iter())?;
                after.parent = Some(parent.id);
            }
        }
        let mut action = if after.parent != before.parent {
            "org.move"
        } else {
            "org.update"
        };
        match edit.closed_on {
            Some(Some(on)) => {
                let children = self.children_of(&before.id).await?;
                check_close(&before, on, self.today(), &children)?;
                after.closed_on = Some(on);
                action = "org.close";
            }
            Some(None) => {
                let parent = match &after.parent {
                    Some(p) => Some(self.org_row(p).await?.0),
                    None => None,
                };
                check_reopen(&before, parent.as_ref())?;
                after.closed_on = None;
                action = "org.reopen";
            }
            _ => {}
        }
        if after == before {
            return Ok((before, version));
        }
        let done = sqlx::query("UPDATE orgs SET name = $1, parent_id = $2, closed_on = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6")
            .bind(&after.name)
            .bind(&after.parent)
            .bind(after.closed_on.map(date_text))
            .bind(self.now_ms())
            .bind(&before.id)
            .bind(expected_version)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            current("org", &before.id, expected_version, version + 1)?;
        }
        self.audit(
            action,
            "org",
            &before.id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        if let (None, Some(on)) = (before.closed_on, after.closed_on) {
            self.end_with_org(&after.id, on).await?;
        }
        Ok((after, version + 1))
    }

    /// Ends on `on` the holdings of an org's posts and the platforms it runs that are still
    /// open after that day (the org closes on it).
    async fn end_with_org(&mut self, org_id: &str, on: NaiveDate) -> Result<()> {
        let day = date_text(on);
        let holdings: Vec<Holding> = sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOLDING_COLS} FROM holdings WHERE post_id IN (SELECT id FROM posts WHERE org_id = $1) \
             AND start_on <= $2 AND (end_on IS NULL OR end_on > $2) ORDER BY post_id, start_on"
        )))
        .bind(org_id)
        .bind(&day)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(holding_from)
        .collect::<Result<_>>()?;
        let now = self.now_ms();
        for h in holdings {
            let mut ended = h.clone();
            ended.end = Some(on);
            sqlx::query(
                "UPDATE holdings SET end_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(&day)
            .bind(now)
            .bind(&h.id)
            .execute(&mut *self.tx)
            .await?;
            self.audit(
                "holding.end",
                "holding",
                &h.id,
                Some(&holding_json(&h)),
                Some(&holding_json(&ended)),
            )
            .await?;
            self.clip_assignments(&ended).await?;
        }
        let platforms: Vec<(String, Option<String>, String)> = sqlx::query(
            "SELECT id, closed_on, state FROM platforms WHERE org_id = $1 AND opened_on <= $2 \
             AND (closed_on IS NULL OR closed_on > $2) ORDER BY code",
        )
        .bind(org_id)
        .bind(&day)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("closed_on")?,
                r.try_get("state")?,
            ))
        })
        .collect::<Result<_>>()?;
        for (id, closed_before, state) in platforms {
            sqlx::query(
                "UPDATE platforms SET closed_on = $1, state = 'closed', state_since = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(&day)
            .bind(now)
            .bind(&id)
            .execute(&mut *self.tx)
            .await?;
            if state != "closed" {
                self.record_platform_step(&id, &state, "closed", &day, "随所属组织撤销而关停")
                    .await?;
            }
            self.audit(
                "platform.close",
                "platform",
                &id,
                Some(&json!({ "closed_on": closed_before })),
                Some(&json!({ "closed_on": day, "with_org": org_id })),
            )
            .await?;
        }
        Ok(())
    }

    /// Creates a person belonging to an org, with their staff number (工号, unique), email
    /// (kept with their notification channels) and 企业微信/钉钉 user ids when given; each
    /// field is checked ([`crate::PersonError`]).
    pub async fn create_person(&mut self, new: crate::NewPerson) -> Result<Person> {
        let (org, _) = self.org_row(&new.org).await?;
        self.insert_person(new, org.id).await
    }

    /// Creates a post of a kind the pack knows, in an org of a kind the post belongs to.
    pub async fn create_post(
        &mut self,
        pack: &PolicyPack,
        org: &str,
        kind: &str,
        title: &str,
        portfolios: &[&str],
    ) -> Result<Post> {
        let (org, _) = self.org_row(org).await?;
        let same_kind: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM posts WHERE org_id = $1 AND kind = $2 AND archived = 0",
        )
        .bind(&org.id)
        .bind(kind)
        .fetch_one(&mut *self.tx)
        .await?;
        check_post(
            pack,
            &org,
            kind,
            portfolios,
            usize::try_from(same_kind).unwrap_or(usize::MAX),
        )?;
        let pk = pack.post_kind(kind).ok_or_else(|| {
            StorageError::Post(zeren_core::org::PostError::UnknownKind { kind: kind.into() })
        })?;
        let post = Post {
            id: new_id(),
            org: org.id.clone(),
            kind: kind.into(),
            title: if title.trim().is_empty() {
                pk.name.clone()
            } else {
                title.trim().to_string()
            },
            portfolios: portfolios.iter().map(|s| s.to_string()).collect(),
            closed_on: None,
        };
        let now = self.now_ms();
        sqlx::query("INSERT INTO posts (id, org_id, kind, title, portfolios, archived, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $6)")
            .bind(&post.id)
            .bind(&post.org)
            .bind(&post.kind)
            .bind(&post.title)
            .bind(post.portfolios.join(","))
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "post.create",
            "post",
            &post.id,
            None,
            Some(&serde_json::to_value(&post).unwrap_or_default()),
        )
        .await?;
        Ok(post)
    }

    pub(crate) async fn post_row(&mut self, id: &str) -> Result<Post> {
        Ok(self.post_versioned(id).await?.0)
    }

    /// A post with its version.
    async fn post_versioned(&mut self, id: &str) -> Result<(Post, i64)> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {POST_COLS}, version FROM posts WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "post",
            id: id.into(),
        })?;
        Ok((post_from(&row)?, row.try_get("version")?))
    }

    /// Closes a post on a day, or reopens it, if `expected_version` is still current (409
    /// otherwise). Closing is refused while someone holds the post after that day
    /// ([`zeren_core::org::PostError::HeldAfterClosing`]): the holding is ended first, by its
    /// own form, so that nobody loses a post as a side effect — unlike an org's closing, which
    /// ends its holdings, a post's closing is the smaller act and says what stands in its way.
    /// The post is kept with its history (`post.close`, `post.reopen` in the audit log), never
    /// deleted; reopening takes an open org. Returns the post as it is now with its version
    /// (the same version when nothing changed).
    pub async fn update_post(
        &mut self,
        id: &str,
        expected_version: i64,
        edit: PostEdit,
    ) -> Result<(Post, i64)> {
        let (before, version) = self.post_versioned(id).await?;
        current("post", &before.id, expected_version, version)?;
        let mut after = before.clone();
        let action = match edit.closed_on {
            None => return Ok((before, version)),
            Some(Some(on)) => {
                let holdings = self.holdings_of(&before.id).await?;
                check_post_close(&before, on, self.today(), &holdings)?;
                after.closed_on = Some(on);
                "post.close"
            }
            Some(None) => {
                let (org, _) = self.org_row(&before.org).await?;
                check_post_reopen(&before, &org)?;
                after.closed_on = None;
                "post.reopen"
            }
        };
        let done = sqlx::query(
            "UPDATE posts SET closed_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(after.closed_on.map(date_text))
        .bind(self.now_ms())
        .bind(&before.id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() != 1 {
            current("post", &before.id, expected_version, version + 1)?;
        }
        self.audit(
            action,
            "post",
            &before.id,
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        Ok((after, version + 1))
    }

    async fn holdings_of(&mut self, post: &str) -> Result<Vec<Holding>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {HOLDING_COLS} FROM holdings WHERE post_id = $1 ORDER BY start_on"
        )))
        .bind(post)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(holding_from)
        .collect()
    }

    async fn person_exists(&mut self, id: &str) -> Result<()> {
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM people WHERE id = $1 AND archived = 0",
        )
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await?;
        if n == 0 {
            return Err(StorageError::NotFound {
                what: "person",
                id: id.into(),
            });
        }
        Ok(())
    }

    /// Records that a person holds a post from `start` (to `end`), with the post's standing
    /// portfolios assigned over its days.
    pub async fn add_holding(
        &mut self,
        pack: &PolicyPack,
        post: &str,
        person: &str,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Result<Holding> {
        self.appoint(pack, post, person, start, end, true).await
    }

    /// Records a holding; `standing`: with the post's standing portfolios (an import gives
    /// the portfolios its file lists instead).
    pub(crate) async fn appoint(
        &mut self,
        pack: &PolicyPack,
        post: &str,
        person: &str,
        start: NaiveDate,
        end: Option<NaiveDate>,
        standing: bool,
    ) -> Result<Holding> {
        let post = self.post_row(post).await?;
        self.person_exists(person).await?;
        // No one is appointed in an org after its closing.
        if let Some(on) = self.org_row(&post.org).await?.0.closed_on
            && start > on
        {
            return Err(zeren_core::org::PostError::OrgClosed { on }.into());
        }
        check_held_within(&post, start, end)?;
        let single = pack.post_kind(&post.kind).is_some_and(|k| k.single_holder);
        let others = self.holdings_of(&post.id).await?;
        let h = Holding {
            id: new_id(),
            post: post.id.clone(),
            person: person.into(),
            start,
            end,
        };
        check_holding(single, &others, &h)?;
        self.insert_holding(&h).await?;
        self.audit(
            "holding.create",
            "holding",
            &h.id,
            None,
            Some(&holding_json(&h)),
        )
        .await?;
        if standing {
            self.assign_standing(pack, &post, &h).await?;
        }
        Ok(h)
    }

    async fn insert_holding(&mut self, h: &Holding) -> Result<()> {
        let now = self.now_ms();
        sqlx::query("INSERT INTO holdings (id, post_id, person_id, start_on, end_on, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, 1, $6, $6)")
            .bind(&h.id)
            .bind(&h.post)
            .bind(&h.person)
            .bind(date_text(h.start))
            .bind(h.end.map(date_text))
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Hands a post over on `on`: the current holding ends the day before, `person` holds it from `on`.
    pub async fn handover(
        &mut self,
        pack: &PolicyPack,
        post: &str,
        person: &str,
        on: NaiveDate,
    ) -> Result<(Holding, Holding)> {
        let post = self.post_row(post).await?;
        self.person_exists(person).await?;
        let holdings = self.holdings_of(&post.id).await?;
        let plan = plan_handover(&holdings, &post.id, person, on, new_id())?;
        check_held_within(&post, plan.incoming.start, plan.incoming.end)?;
        let before = holdings
            .iter()
            .find(|h| h.id == plan.outgoing.id)
            .map(holding_json);
        sqlx::query(
            "UPDATE holdings SET end_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(plan.outgoing.end.map(date_text))
        .bind(self.now_ms())
        .bind(&plan.outgoing.id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "holding.end",
            "holding",
            &plan.outgoing.id,
            before.as_ref(),
            Some(&holding_json(&plan.outgoing)),
        )
        .await?;
        self.insert_holding(&plan.incoming).await?;
        self.audit(
            "holding.handover",
            "holding",
            &plan.incoming.id,
            None,
            Some(&holding_json(&plan.incoming)),
        )
        .await?;
        self.carry_assignments(pack, &post, &plan.outgoing, &plan.incoming)
            .await?;
        Ok((plan.outgoing, plan.incoming))
    }

    /// Ends a holding on a day, or corrects its dates (409 on a stale version). Ending an open
    /// holding is audited as an end; any other change is a correction (`holding.correct`) and
    /// needs a reason, kept in the audit entry — a wrong date is put right, not handed over.
    /// The holding's portfolio assignments end with it.
    pub async fn update_holding(
        &mut self,
        pack: &PolicyPack,
        id: &str,
        expected_version: i64,
        edit: HoldingEdit,
    ) -> Result<(Holding, i64)> {
        let before = self.holding_row(id).await?;
        let version: i64 = sqlx::query_scalar("SELECT version FROM holdings WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        current("holding", id, expected_version, version)?;
        let mut after = before.clone();
        (after.start, after.end) = edit.applied(before.start, before.end);
        let reason = match edit
            .change(before.start, before.end)
            .map_err(|_| HoldingError::ReasonRequired)?
        {
            DateChange::Unchanged => return Ok((before, version)),
            DateChange::End => None,
            DateChange::Correction { reason } => Some(reason),
        };
        let post = self.post_row(&before.post).await?;
        let single = pack.post_kind(&post.kind).is_some_and(|k| k.single_holder);
        let others = self.holdings_of(&post.id).await?;
        check_holding(single, &others, &after)?;
        check_held_within(&post, after.start, after.end)?;
        sqlx::query(
            "UPDATE holdings SET start_on = $1, end_on = $2, note = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(date_text(after.start))
        .bind(after.end.map(date_text))
        .bind(reason)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await?;
        let mut new = holding_json(&after);
        if let Some(r) = reason {
            new["reason"] = json!(r);
        }
        self.audit(
            if reason.is_none() {
                "holding.end"
            } else {
                "holding.correct"
            },
            "holding",
            id,
            Some(&holding_json(&before)),
            Some(&new),
        )
        .await?;
        self.clip_assignments(&after).await?;
        Ok((after, version + 1))
    }

    /// Registers a platform in its simplest form.
    pub async fn create_platform(
        &mut self,
        pack: &PolicyPack,
        new: NewPlatform,
    ) -> Result<Platform> {
        if !zeren_core::org::is_code(&new.code) {
            return Err(StorageError::Invalid(format!(
                "platform code `{}` must be kebab-case",
                new.code
            )));
        }
        let (org, _) = self.org_row(&new.org).await?;
        if let Some(p) = &new.portfolio
            && pack.portfolio(p).is_none()
        {
            return Err(StorageError::Invalid(format!("unknown portfolio `{p}`")));
        }
        for op in &new.operators {
            self.person_exists(op).await?;
        }
        self.insert_platform(Platform {
            id: new_id(),
            code: new.code.clone(),
            name: new.name.trim().to_string(),
            kind: new.kind,
            org: org.id,
            portfolio: new.portfolio,
            news_function: new.news_function,
            opened_on: new.opened_on,
            closed_on: None,
            operators: new.operators,
            state: new.state,
            active_from: (new.state == PlatformState::Active).then_some(new.opened_on),
        })
        .await
    }

    /// Stores a new platform (checked by the caller) with its operators, audited.
    pub(crate) async fn insert_platform(&mut self, p: Platform) -> Result<Platform> {
        if !matches!(p.state, PlatformState::Planned | PlatformState::Active) {
            return Err(StorageError::Invalid(format!(
                "a new platform starts planned or active, not {}",
                p.state
            )));
        }
        let now = self.now_ms();
        // In its first state from the day it entered the registry.
        sqlx::query(
            "INSERT INTO platforms (id, code, name, kind, org_id, portfolio, news_function, opened_on, closed_on, version, created_at, updated_at, state, state_since, active_from) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1, $9, $9, $10, $8, $11)",
        )
        .bind(&p.id)
        .bind(&p.code)
        .bind(&p.name)
        .bind(p.kind.as_str())
        .bind(&p.org)
        .bind(&p.portfolio)
        .bind(i64::from(p.news_function))
        .bind(date_text(p.opened_on))
        .bind(now)
        .bind(p.state.as_str())
        .bind(p.active_from.map(date_text))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, "platform", &p.code))?;
        for op in &p.operators {
            sqlx::query("INSERT INTO platform_operators (platform_id, person_id) VALUES ($1, $2)")
                .bind(&p.id)
                .bind(op)
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(
            "platform.create",
            "platform",
            &p.id,
            None,
            Some(&serde_json::to_value(&p).unwrap_or_default()),
        )
        .await?;
        Ok(p)
    }
}
