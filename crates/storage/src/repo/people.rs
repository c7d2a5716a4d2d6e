//! Reads the web layer needs beyond the in-memory org model: the version of a record, for
//! edits that must not overwrite a change made in between (HTTP 409).

use crate::db::Db;
use crate::error::{Result, StorageError};

impl Db {
    /// The stored version of an org (by code or id), for optimistic concurrency on edits.
    pub async fn org_version(&self, code_or_id: &str) -> Result<i64> {
        sqlx::query_scalar::<_, i64>("SELECT version FROM orgs WHERE code = $1 OR id = $1")
            .bind(code_or_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StorageError::NotFound {
                what: "org",
                id: code_or_id.into(),
            })
    }

    /// Every org's version, by org id (one query; the web snapshot keeps them).
    pub async fn org_versions(&self) -> Result<std::collections::HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT id, version FROM orgs")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

// ------------------------------------------------------------------------------------------
// People as the roster keeps them: 工号, contact, leaving
// ------------------------------------------------------------------------------------------

use super::orgs::{HOLDING_COLS, holding_from};
use super::{date_text, parse_opt_date};
use crate::db::{Tx, new_id};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;
use zeren_core::org::{Holding, Person};

pub use zeren_core::org::people::*;

/// A new person.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    /// Name.
    pub name: String,
    /// The org (code or id).
    pub org: String,
    /// Staff number (工号), unique.
    pub staff_no: Option<String>,
    /// Email address (kept with the person's notification channels).
    pub email: Option<String>,
    /// 企业微信 user id.
    pub wecom_id: Option<String>,
    /// 钉钉 user id.
    pub dingtalk_id: Option<String>,
}

impl NewPerson {
    /// A person of a name in an org (code or id), with nothing else known.
    pub fn new(name: impl Into<String>, org: impl Into<String>) -> NewPerson {
        NewPerson {
            name: name.into(),
            org: org.into(),
            ..NewPerson::default()
        }
    }
}

/// What an edit of a person changes; each `None` leaves that part as it is, `Some(None)`
/// clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct PersonEdit {
    /// A new name.
    pub name: Option<String>,
    /// Another org (code or id): the person moves there.
    pub org: Option<String>,
    /// Staff number (工号).
    pub staff_no: Option<Option<String>>,
    /// Email address.
    pub email: Option<Option<String>>,
    /// 企业微信 user id.
    pub wecom_id: Option<Option<String>>,
    /// 钉钉 user id.
    pub dingtalk_id: Option<Option<String>>,
    /// `Some(Some(day))`: the person leaves, `day` being their last; every holding still held
    /// after it ends on it. `Some(None)`: the person is back (ended holdings stay ended).
    pub left_on: Option<Option<NaiveDate>>,
}

/// A person as the roster keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The org (id).
    pub org: String,
    /// Staff number (工号).
    pub staff_no: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// 企业微信 user id.
    pub wecom_id: Option<String>,
    /// 钉钉 user id.
    pub dingtalk_id: Option<String>,
    /// The last day, for a person who left.
    pub left_on: Option<NaiveDate>,
    /// Edit version.
    pub version: i64,
}

impl PersonRecord {
    /// The person as the org model knows them.
    pub fn person(&self) -> Person {
        Person {
            id: self.id.clone(),
            name: self.name.clone(),
            org: self.org.clone(),
        }
    }

    fn audit_json(&self) -> serde_json::Value {
        let mut v = json!(self);
        if let Some(o) = v.as_object_mut() {
            o.remove("version");
        }
        v
    }
}

/// One query for one person or all of them: the person's row with the email of their channels.
const RECORD_SELECT: &str = "SELECT p.id, p.name, p.org_id, p.staff_no, p.wecom_id, p.dingtalk_id, \
     p.left_on, p.version, c.email FROM people p \
     LEFT JOIN notify_person_channels c ON c.person_id = p.id WHERE p.archived = 0";

fn record_from(r: &AnyRow) -> Result<PersonRecord> {
    Ok(PersonRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org: r.try_get("org_id")?,
        staff_no: r.try_get("staff_no")?,
        email: r.try_get("email")?,
        wecom_id: r.try_get("wecom_id")?,
        dingtalk_id: r.try_get("dingtalk_id")?,
        left_on: parse_opt_date(r.try_get("left_on")?)?,
        version: r.try_get("version")?,
    })
}

impl Db {
    /// A person (not archived) with staff number, contact and version.
    pub async fn person_record(&self, id: &str) -> Result<PersonRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RECORD_SELECT} AND p.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| super::not_found("person", id))?;
        record_from(&row)
    }

    /// Every person not archived, by id: one query (the roster import and export read 20 000).
    pub async fn person_records(&self) -> Result<Vec<PersonRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RECORD_SELECT} ORDER BY p.id"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(record_from)
        .collect()
    }

    /// The person with this staff number (工号), if any (trimmed; compared exactly).
    pub async fn person_by_staff_no(&self, staff_no: &str) -> Result<Option<PersonRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RECORD_SELECT} AND p.staff_no = $1"
        )))
        .bind(staff_no.trim())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(record_from)
        .transpose()
    }
}

fn holding_json(h: &Holding) -> serde_json::Value {
    json!({"id": h.id, "post": h.post, "person": h.person, "start": date_text(h.start), "end": h.end.map(date_text)})
}

impl Tx {
    /// A person's record inside the transaction.
    pub(crate) async fn person_record_tx(&mut self, id: &str) -> Result<PersonRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{RECORD_SELECT} AND p.id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| super::not_found("person", id))?;
        record_from(&row)
    }

    /// Refuses a staff number another person has: [`StorageError::Duplicate`].
    pub(crate) async fn staff_no_free(&mut self, staff_no: &str, person: &str) -> Result<()> {
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM people WHERE staff_no = $1 AND id <> $2")
                .bind(staff_no)
                .bind(person)
                .fetch_optional(&mut *self.tx)
                .await?;
        match taken {
            Some(_) => Err(StorageError::Duplicate {
                what: "person",
                key: staff_no.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Writes a person's email into their notification channels (where reminders look for it).
    pub(crate) async fn set_person_email(
        &mut self,
        person: &str,
        email: Option<&str>,
    ) -> Result<()> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT email_enabled, version FROM notify_person_channels WHERE person_id = $1",
        )
        .bind(person)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (enabled, version) = row.map(|(e, v)| (e != 0, v)).unwrap_or((true, 0));
        self.put_person_channels(person, email, enabled, version)
            .await?;
        Ok(())
    }

    /// The org id of an org given by code or id.
    async fn org_id_of(&mut self, code_or_id: &str) -> Result<String> {
        sqlx::query_scalar::<_, String>("SELECT id FROM orgs WHERE code = $1 OR id = $1")
            .bind(code_or_id.trim())
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| super::not_found("org", code_or_id.trim()))
    }

    /// Edits a person if `expected_version` is still current: name, org, staff number, email,
    /// 企业微信/钉钉 ids, leaving. Leaving on a day ends, on that day, every holding of the
    /// person still held after it, and the portfolio assignments with them (each audited); a
    /// holding starting after that day is refused ([`PersonError::LeftBeforeHoldingStart`]).
    /// Coming back (`left_on: Some(None)`) reopens nothing. Returns the record as it is now
    /// with its new version (the same when nothing changed).
    pub async fn update_person(
        &mut self,
        id: &str,
        expected_version: i64,
        edit: PersonEdit,
    ) -> Result<(PersonRecord, i64)> {
        let before = self.person_record_tx(id).await?;
        super::check_version("person", &before.id, expected_version, before.version)?;
        let mut after = before.clone();
        if let Some(n) = &edit.name {
            after.name = check_name(n)?;
        }
        if let Some(o) = &edit.org {
            after.org = self.org_id_of(o).await?;
        }
        if let Some(s) = &edit.staff_no {
            after.staff_no = check_staff_no(s.as_deref().unwrap_or(""))?;
        }
        if let Some(e) = &edit.email {
            after.email = check_email(e.as_deref().unwrap_or(""))?;
        }
        if let Some(w) = &edit.wecom_id {
            after.wecom_id = check_wecom_id(w.as_deref().unwrap_or(""))?;
        }
        if let Some(d) = &edit.dingtalk_id {
            after.dingtalk_id = check_dingtalk_id(d.as_deref().unwrap_or(""))?;
        }
        if let Some(l) = edit.left_on {
            after.left_on = l;
        }
        if after == before {
            return Ok((before, expected_version));
        }
        if let Some(s) = &after.staff_no
            && before.staff_no.as_ref() != Some(s)
        {
            self.staff_no_free(s, &before.id).await?;
        }
        // Holdings to end, checked before anything is written.
        let leaving = match after.left_on {
            Some(day) if before.left_on != Some(day) => Some(day),
            _ => None,
        };
        let mut ending = Vec::new();
        if let Some(day) = leaving {
            let held: Vec<Holding> = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {HOLDING_COLS} FROM holdings WHERE person_id = $1 \
                 AND (end_on IS NULL OR end_on > $2) ORDER BY start_on, id"
            )))
            .bind(&before.id)
            .bind(date_text(day))
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(holding_from)
            .collect::<Result<_>>()?;
            for h in held {
                if h.start > day {
                    return Err(PersonError::LeftBeforeHoldingStart {
                        holding: h.id,
                        post: h.post,
                        start: h.start,
                        left_on: day,
                    }
                    .into());
                }
                ending.push(h);
            }
        }
        let now = self.now_ms();
        let done = sqlx::query(
            "UPDATE people SET name = $1, org_id = $2, staff_no = $3, wecom_id = $4, dingtalk_id = $5, \
             left_on = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(&after.name)
        .bind(&after.org)
        .bind(&after.staff_no)
        .bind(&after.wecom_id)
        .bind(&after.dingtalk_id)
        .bind(after.left_on.map(date_text))
        .bind(now)
        .bind(&before.id)
        .bind(expected_version)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| {
            super::unique_violation(e, "person", after.staff_no.as_deref().unwrap_or(""))
        })?;
        super::check_updated(done.rows_affected(), "person", &before.id, expected_version)?;
        if after.email != before.email {
            self.set_person_email(&before.id, after.email.as_deref())
                .await?;
        }
        after.version = expected_version + 1;
        self.audit(
            if leaving.is_some() {
                "person.leave"
            } else {
                "person.update"
            },
            "person",
            &before.id,
            Some(&before.audit_json()),
            Some(&after.audit_json()),
        )
        .await?;
        if let Some(day) = leaving {
            for h in ending {
                let mut ended = h.clone();
                ended.end = Some(day);
                sqlx::query(
                    "UPDATE holdings SET end_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                )
                .bind(date_text(day))
                .bind(now)
                .bind(&h.id)
                .execute(&mut *self.tx)
                .await?;
                let mut new = holding_json(&ended);
                new["with_person_leaving"] = json!(before.id);
                self.audit(
                    "holding.end",
                    "holding",
                    &h.id,
                    Some(&holding_json(&h)),
                    Some(&new),
                )
                .await?;
                self.clip_assignments(&ended).await?;
            }
        }
        let version = after.version;
        Ok((after, version))
    }

    /// Inserts a checked new person (the work of [`Tx::create_person`]).
    pub(crate) async fn insert_person(&mut self, new: NewPerson, org: String) -> Result<Person> {
        let name = check_name(&new.name)?;
        let staff_no = check_staff_no(new.staff_no.as_deref().unwrap_or(""))?;
        let email = check_email(new.email.as_deref().unwrap_or(""))?;
        let wecom_id = check_wecom_id(new.wecom_id.as_deref().unwrap_or(""))?;
        let dingtalk_id = check_dingtalk_id(new.dingtalk_id.as_deref().unwrap_or(""))?;
        let p = Person {
            id: new_id(),
            name,
            org,
        };
        if let Some(s) = &staff_no {
            self.staff_no_free(s, &p.id).await?;
        }
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO people (id, name, org_id, staff_no, wecom_id, dingtalk_id, left_on, archived, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, 1, $7, $7)",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(&p.org)
        .bind(&staff_no)
        .bind(&wecom_id)
        .bind(&dingtalk_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| super::unique_violation(e, "person", staff_no.as_deref().unwrap_or("")))?;
        let record = PersonRecord {
            id: p.id.clone(),
            name: p.name.clone(),
            org: p.org.clone(),
            staff_no,
            email: email.clone(),
            wecom_id,
            dingtalk_id,
            left_on: None,
            version: 1,
        };
        self.audit(
            "person.create",
            "person",
            &p.id,
            None,
            Some(&record.audit_json()),
        )
        .await?;
        if email.is_some() {
            self.set_person_email(&p.id, email.as_deref()).await?;
        }
        Ok(p)
    }
}
