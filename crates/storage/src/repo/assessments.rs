//! The annual assessment (年度考核, Art.7) in storage: a round a year for a scope, its scheme in
//! versions (a draft edited, then published; a change after that is a new version, and the one
//! it replaces is superseded), what each college writes (self-assessment, duty report) and the
//! reviewer's opinion, reviewers' marks (append-only), the year's obligation counts the computed
//! indicators are scored from, and the published results, frozen. The rules are the core's
//! (`assessments::Procedure`); here each change is one transaction, checked against the version
//! the caller saw, and audited as an `assessment` with the round's id.

mod counts;
mod entries;

use counts::ORGS_IN_QUERY;
pub use entries::{AssessmentEntry, EntryText, StoredMark};

use super::{check_updated, check_version, date_text, not_found, parse_opt_date};
use crate::db::{Db, Tx, new_id};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashSet;
use zeren_core::assessments::{OrgScore, Scheme, Stage};
use zeren_core::policy::AssessmentStep;

/// Where a version of a round's scheme stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeState {
    /// Being drawn up; it may still change.
    Draft,
    /// Published and in force.
    Published,
    /// Published, then replaced by a newer version.
    Superseded,
}

impl SchemeState {
    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemeState::Draft => "draft",
            SchemeState::Published => "published",
            SchemeState::Superseded => "superseded",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<SchemeState> {
        [
            SchemeState::Draft,
            SchemeState::Published,
            SchemeState::Superseded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A stage as its stable spelling (`draft`, `self-assessment`, …), in JSON as in the database.
fn stage_text<S: Serializer>(s: &Stage, ser: S) -> std::result::Result<S::Ok, S::Error> {
    ser.serialize_str(s.as_str())
}

/// A year's assessment of a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRound {
    /// Storage id.
    pub id: String,
    /// The policy version whose assessment it is.
    pub policy_id: String,
    /// The org whose colleges are assessed (the supervising office's).
    pub scope_org: String,
    /// The year assessed.
    pub year: i32,
    /// Where it stands.
    #[serde(serialize_with = "stage_text")]
    pub stage: Stage,
    /// The version of the scheme in force (0 before the first is published).
    pub scheme_version: i64,
    /// The newest version of the scheme.
    pub newest_version: i64,
    /// Whether the newest version is a draft (being drawn up, not in force).
    pub newest_is_draft: bool,
    /// The day the results were published.
    pub published_on: Option<NaiveDate>,
    /// The 发文字号 the results were published under (〔2026〕N号 form), if one was given.
    pub document_number: Option<String>,
    /// Edit version.
    pub version: i64,
    /// Who made it (user name).
    pub created_by: String,
}

impl AssessmentRound {
    /// The round as JSON (the API's, and what the audit keeps).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "policy_id": self.policy_id,
            "scope_org": self.scope_org,
            "year": self.year,
            "stage": self.stage.as_str(),
            "scheme_version": self.scheme_version,
            "newest_version": self.newest_version,
            "newest_is_draft": self.newest_is_draft,
            "published_on": self.published_on.map(date_text),
            "document_number": self.document_number,
            "version": self.version,
            "created_by": self.created_by,
        })
    }
}

/// One version of a round's scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemeVersion {
    /// The round.
    pub round_id: String,
    /// Its number, from 1.
    pub version: i64,
    /// Content, method and procedure.
    pub scheme: Scheme,
    /// Draft, published or superseded.
    pub state: SchemeState,
    /// Who drew it up (user name).
    pub created_by: String,
    /// The day it was published.
    pub published_on: Option<NaiveDate>,
    /// Who published it (user name).
    pub published_by: Option<String>,
}

impl SchemeVersion {
    /// The version as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "round_id": self.round_id,
            "version": self.version,
            "scheme": serde_json::to_value(&self.scheme).unwrap_or(Value::Null),
            "state": self.state.as_str(),
            "created_by": self.created_by,
            "published_on": self.published_on.map(date_text),
            "published_by": self.published_by,
        })
    }
}

/// A college's published result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentResult {
    /// The college.
    pub org_id: String,
    /// Its total, in hundredths of a point.
    pub total: i64,
    /// Its rank (equal totals share one).
    pub rank: u32,
    /// Each indicator's score.
    pub score: OrgScore,
}

impl AssessmentResult {
    /// The result as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "org_id": self.org_id,
            "total": self.total,
            "rank": self.rank,
            "score": serde_json::to_value(&self.score).unwrap_or(Value::Null),
        })
    }
}

const ROUND_COLS: &str = "r.id, r.policy_id, r.scope_org_id, r.year, r.stage, r.scheme_version, r.newest_version, r.published_on, r.document_number, r.version, r.created_by, s.state AS newest_state";
/// The rounds with the state of their newest scheme version.
const ROUNDS: &str = "assessment_rounds r LEFT JOIN assessment_schemes s ON s.round_id = r.id AND s.version = r.newest_version";
const SCHEME_COLS: &str = "round_id, version, body, state, created_by, published_on, published_by";

/// Results inserted by one statement: 5 arguments a row, far below both engines' limits
/// (SQLite 32 766, PostgreSQL 65 535), and statements of a bounded size.
const RESULTS_PER_INSERT: usize = 500;

/// Results named one by one in the audit entry of their publication; all of them are in its
/// digest.
const RESULTS_AUDITED: usize = 50;

fn corrupt(what: &str, id: &str, detail: &str) -> StorageError {
    StorageError::Corrupt(format!("{what} `{id}`: {detail}"))
}

fn round_from(r: &AnyRow) -> Result<AssessmentRound> {
    let id: String = r.try_get("id")?;
    let stage = Stage::parse(&r.try_get::<String, _>("stage")?)
        .ok_or_else(|| corrupt("assessment round", &id, "stage"))?;
    let year = i32::try_from(r.try_get::<i64, _>("year")?)
        .map_err(|_| corrupt("assessment round", &id, "year"))?;
    let newest_state: Option<String> = r.try_get("newest_state")?;
    Ok(AssessmentRound {
        policy_id: r.try_get("policy_id")?,
        scope_org: r.try_get("scope_org_id")?,
        year,
        stage,
        scheme_version: r.try_get("scheme_version")?,
        newest_version: r.try_get("newest_version")?,
        newest_is_draft: newest_state.as_deref() == Some(SchemeState::Draft.as_str()),
        published_on: parse_opt_date(r.try_get("published_on")?)?,
        document_number: r.try_get("document_number")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        id,
    })
}

fn scheme_from(r: &AnyRow) -> Result<SchemeVersion> {
    let round_id: String = r.try_get("round_id")?;
    let version: i64 = r.try_get("version")?;
    let key = format!("{round_id}#{version}");
    let scheme = serde_json::from_str(&r.try_get::<String, _>("body")?)
        .map_err(|_| corrupt("assessment scheme", &key, "body"))?;
    let state = SchemeState::parse(&r.try_get::<String, _>("state")?)
        .ok_or_else(|| corrupt("assessment scheme", &key, "state"))?;
    Ok(SchemeVersion {
        version,
        scheme,
        state,
        created_by: r.try_get("created_by")?,
        published_on: parse_opt_date(r.try_get("published_on")?)?,
        published_by: r.try_get("published_by")?,
        round_id,
    })
}

fn result_from(r: &AnyRow) -> Result<AssessmentResult> {
    let org_id: String = r.try_get("org_id")?;
    let rank = u32::try_from(r.try_get::<i64, _>("rank")?)
        .map_err(|_| corrupt("assessment result", &org_id, "rank"))?;
    let score = serde_json::from_str(&r.try_get::<String, _>("score")?)
        .map_err(|_| corrupt("assessment result", &org_id, "score"))?;
    Ok(AssessmentResult {
        total: r.try_get("total")?,
        rank,
        score,
        org_id,
    })
}

fn scheme_body(scheme: &Scheme) -> Result<String> {
    serde_json::to_string(scheme)
        .map_err(|e| StorageError::Invalid(format!("assessment scheme: {e}")))
}

fn scheme_json(scheme: &Scheme) -> Value {
    serde_json::to_value(scheme).unwrap_or(Value::Null)
}

/// What the audit keeps of a publication of results: how many, the first ones by rank, and a
/// SHA-256 of all of them (each `org, total, rank, score` line in rank order) — bounded however
/// many colleges there are, and enough to show the stored results were not altered.
fn results_digest(results: &[AssessmentResult]) -> Value {
    let mut ordered: Vec<&AssessmentResult> = results.iter().collect();
    ordered.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.org_id.cmp(&b.org_id)));
    let mut h = Sha256::new();
    for r in &ordered {
        let score = serde_json::to_string(&r.score).unwrap_or_default();
        h.update(format!("{}\t{}\t{}\t{score}\n", r.org_id, r.total, r.rank).as_bytes());
    }
    json!({
        "count": results.len(),
        "first": ordered
            .iter()
            .take(RESULTS_AUDITED)
            .map(|r| json!({ "org_id": r.org_id, "total": r.total, "rank": r.rank }))
            .collect::<Vec<_>>(),
        "sha256": hex::encode(h.finalize()),
    })
}

/// Refuses any change to a round whose results are published.
fn check_open(r: &AssessmentRound) -> Result<()> {
    if r.stage.published() {
        return Err(StorageError::Invalid(format!(
            "assessment round `{}`: the results are published; nothing changes any more",
            r.id
        )));
    }
    Ok(())
}

/// Refuses a stage a change of the procedure cannot move to by itself: the draft (only a new
/// round starts there), and publication (only with the results, [`Tx::publish_assessment_results`]).
fn check_target(id: &str, to: Stage) -> Result<()> {
    if to == Stage::Draft || to.published() {
        return Err(StorageError::Invalid(format!(
            "assessment round `{id}` cannot move to {} this way",
            to.as_str()
        )));
    }
    Ok(())
}

impl Db {
    /// The rounds of the scopes `scope_orgs` (every one when `None`), the latest year first, then
    /// by scope org.
    pub async fn assessment_rounds(
        &self,
        scope_orgs: Option<&[String]>,
    ) -> Result<Vec<AssessmentRound>> {
        let order = "ORDER BY r.year DESC, r.scope_org_id, r.id";
        let rows = match scope_orgs {
            Some([]) => return Ok(Vec::new()),
            Some(orgs) if orgs.len() <= ORGS_IN_QUERY => {
                let mut q = sqlx::query(AssertSqlSafe(format!(
                    "SELECT {ROUND_COLS} FROM {ROUNDS} WHERE r.scope_org_id IN ({}) {order}",
                    super::placeholders(1, orgs.len())
                )));
                for o in orgs {
                    q = q.bind(o.clone());
                }
                q.fetch_all(&self.pool).await?
            }
            // A round a year per scope: few rows, kept in Rust rather than bound one by one.
            _ => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {ROUND_COLS} FROM {ROUNDS} {order}"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        let keep: Option<HashSet<&str>> =
            scope_orgs.map(|o| o.iter().map(String::as_str).collect());
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let round = round_from(r)?;
            if keep
                .as_ref()
                .is_none_or(|k| k.contains(round.scope_org.as_str()))
            {
                out.push(round);
            }
        }
        Ok(out)
    }

    /// One round.
    pub async fn assessment_round(&self, id: &str) -> Result<AssessmentRound> {
        find_round(&self.pool, id.trim())
            .await?
            .ok_or_else(|| not_found("assessment round", id))
    }

    /// The round of `scope_org` for `year`, if there is one.
    pub async fn assessment_round_of(
        &self,
        scope_org: &str,
        year: i32,
    ) -> Result<Option<AssessmentRound>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ROUND_COLS} FROM {ROUNDS} WHERE r.scope_org_id = $1 AND r.year = $2"
        )))
        .bind(scope_org)
        .bind(i64::from(year))
        .fetch_optional(&self.pool)
        .await?
        .map(|r| round_from(&r))
        .transpose()
    }

    /// One version of a round's scheme.
    pub async fn assessment_scheme(&self, round: &str, version: i64) -> Result<SchemeVersion> {
        find_scheme(&self.pool, round, version)
            .await?
            .ok_or_else(|| not_found("assessment scheme", &format!("{round}#{version}")))
    }

    /// Every version of a round's scheme, the first first.
    pub async fn assessment_schemes(&self, round: &str) -> Result<Vec<SchemeVersion>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SCHEME_COLS} FROM assessment_schemes WHERE round_id = $1 ORDER BY version"
        )))
        .bind(round)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(scheme_from)
        .collect()
    }

    /// The published results of a round, by rank, then org.
    pub async fn assessment_results(&self, round: &str) -> Result<Vec<AssessmentResult>> {
        sqlx::query(
            "SELECT org_id, total, rank, score FROM assessment_results WHERE round_id = $1 ORDER BY rank, org_id",
        )
        .bind(round)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(result_from)
        .collect()
    }
}

async fn find_round<'c>(
    on: impl sqlx::Executor<'c, Database = sqlx::Any>,
    id: &str,
) -> Result<Option<AssessmentRound>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {ROUND_COLS} FROM {ROUNDS} WHERE r.id = $1"
    )))
    .bind(id)
    .fetch_optional(on)
    .await?
    .map(|r| round_from(&r))
    .transpose()
}

async fn find_scheme<'c>(
    on: impl sqlx::Executor<'c, Database = sqlx::Any>,
    round: &str,
    version: i64,
) -> Result<Option<SchemeVersion>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCHEME_COLS} FROM assessment_schemes WHERE round_id = $1 AND version = $2"
    )))
    .bind(round)
    .bind(version)
    .fetch_optional(on)
    .await?
    .map(|r| scheme_from(&r))
    .transpose()
}

/// What a change of a round writes on its row.
struct RoundChange {
    stage: Stage,
    scheme_version: i64,
    newest_version: i64,
    published_on: Option<NaiveDate>,
    document_number: Option<String>,
}

impl RoundChange {
    fn of(r: &AssessmentRound) -> RoundChange {
        RoundChange {
            stage: r.stage,
            scheme_version: r.scheme_version,
            newest_version: r.newest_version,
            published_on: r.published_on,
            document_number: r.document_number.clone(),
        }
    }
}

impl Tx {
    /// The round inside this transaction; [`StorageError::NotFound`] when there is none.
    async fn round_here(&mut self, id: &str) -> Result<AssessmentRound> {
        find_round(&mut *self.tx, id)
            .await?
            .ok_or_else(|| not_found("assessment round", id))
    }

    /// The round at `expected` version, still open to changes.
    async fn round_for_update(&mut self, id: &str, expected: i64) -> Result<AssessmentRound> {
        let r = self.round_here(id).await?;
        check_version("assessment round", id, expected, r.version)?;
        check_open(&r)?;
        Ok(r)
    }

    /// Writes `c` on the round at `expected` version (moving it on by one) and reads it back.
    async fn change_round(
        &mut self,
        id: &str,
        expected: i64,
        c: RoundChange,
    ) -> Result<AssessmentRound> {
        let done = sqlx::query(
            "UPDATE assessment_rounds SET stage = $1, scheme_version = $2, newest_version = $3, published_on = $4, \
             document_number = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
        )
        .bind(c.stage.as_str())
        .bind(c.scheme_version)
        .bind(c.newest_version)
        .bind(c.published_on.map(date_text))
        .bind(c.document_number)
        .bind(self.now_ms())
        .bind(id)
        .bind(expected)
        .execute(&mut *self.tx)
        .await?;
        check_updated(done.rows_affected(), "assessment round", id, expected)?;
        self.round_here(id).await
    }

    async fn insert_scheme(&mut self, round: &str, version: i64, scheme: &Scheme) -> Result<()> {
        sqlx::query(
            "INSERT INTO assessment_schemes (round_id, version, body, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(round)
        .bind(version)
        .bind(scheme_body(scheme)?)
        .bind(SchemeState::Draft.as_str())
        .bind(self.actor_name())
        .bind(self.now_ms())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Starts the assessment of `scope_org`'s colleges for `year` under the policy version
    /// `policy_id`, with `scheme` (the pack's, as `Scheme::from_pack` gives it) as the first draft
    /// of its scheme. One round per scope and year: a second is [`StorageError::Duplicate`].
    pub async fn create_assessment_round(
        &mut self,
        policy_id: &str,
        scope_org: &str,
        year: i32,
        scheme: &Scheme,
    ) -> Result<AssessmentRound> {
        let key = format!("{scope_org}/{year}");
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM assessment_rounds WHERE scope_org_id = $1 AND year = $2",
        )
        .bind(scope_org)
        .bind(i64::from(year))
        .fetch_optional(&mut *self.tx)
        .await?;
        if taken.is_some() {
            return Err(StorageError::Duplicate {
                what: "assessment round",
                key,
            });
        }
        let id = new_id();
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO assessment_rounds (id, policy_id, scope_org_id, year, stage, scheme_version, newest_version, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 1, 1, $6, $7, $7)",
        )
        .bind(&id)
        .bind(policy_id)
        .bind(scope_org)
        .bind(i64::from(year))
        .bind(Stage::Draft.as_str())
        .bind(self.actor_name())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(|e| super::unique_violation(e, "assessment round", &key))?;
        self.insert_scheme(&id, 1, scheme).await?;
        let round = self.round_here(&id).await?;
        let mut after = round.to_json();
        after["scheme"] = scheme_json(scheme);
        self.audit("assessment.create", "assessment", &id, None, Some(&after))
            .await?;
        Ok(round)
    }

    /// Replaces the newest version of the round's scheme, which must be a draft (checked by
    /// `Procedure::check_scheme_edit`), with `scheme`.
    pub async fn save_assessment_scheme(
        &mut self,
        round: &str,
        expected: i64,
        scheme: &Scheme,
    ) -> Result<AssessmentRound> {
        let before = self.round_for_update(round, expected).await?;
        let old = find_scheme(&mut *self.tx, round, before.newest_version)
            .await?
            .ok_or_else(|| corrupt("assessment round", round, "newest scheme missing"))?;
        if old.state != SchemeState::Draft {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: scheme version {} is {}; revise it as a new version",
                old.version,
                old.state.as_str()
            )));
        }
        sqlx::query(
            "UPDATE assessment_schemes SET body = $1 WHERE round_id = $2 AND version = $3 AND state = 'draft'",
        )
        .bind(scheme_body(scheme)?)
        .bind(round)
        .bind(old.version)
        .execute(&mut *self.tx)
        .await?;
        let after = self
            .change_round(round, expected, RoundChange::of(&before))
            .await?;
        let mut b = before.to_json();
        b["scheme"] = scheme_json(&old.scheme);
        let mut a = after.to_json();
        a["scheme"] = scheme_json(scheme);
        self.audit(
            "assessment.scheme.save",
            "assessment",
            round,
            Some(&b),
            Some(&a),
        )
        .await?;
        Ok(after)
    }

    /// Starts a new version of the round's published scheme, a draft holding `scheme` (checked by
    /// `Procedure::check_revise`); the version in force stays in force until it is published.
    pub async fn revise_assessment_scheme(
        &mut self,
        round: &str,
        expected: i64,
        scheme: &Scheme,
    ) -> Result<AssessmentRound> {
        let before = self.round_for_update(round, expected).await?;
        if before.newest_is_draft {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: version {} of its scheme is a draft still; edit or publish it",
                before.newest_version
            )));
        }
        let version = before.newest_version + 1;
        self.insert_scheme(round, version, scheme).await?;
        let after = self
            .change_round(
                round,
                expected,
                RoundChange {
                    newest_version: version,
                    ..RoundChange::of(&before)
                },
            )
            .await?;
        let mut a = after.to_json();
        a["scheme"] = scheme_json(scheme);
        self.audit(
            "assessment.scheme.revise",
            "assessment",
            round,
            Some(&before.to_json()),
            Some(&a),
        )
        .await?;
        Ok(after)
    }

    /// Publishes the newest version of the round's scheme (a draft) on `day`: it comes into
    /// force, the version it replaces is superseded, and the round stands at `stage` (worked out
    /// by `Procedure::check_publish_scheme`).
    pub async fn publish_assessment_scheme(
        &mut self,
        round: &str,
        expected: i64,
        stage: Stage,
        day: NaiveDate,
    ) -> Result<AssessmentRound> {
        let before = self.round_for_update(round, expected).await?;
        check_target(round, stage)?;
        if !before.newest_is_draft {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: its scheme has no draft to publish"
            )));
        }
        if before.scheme_version > 0 {
            sqlx::query(
                "UPDATE assessment_schemes SET state = $1 WHERE round_id = $2 AND version = $3",
            )
            .bind(SchemeState::Superseded.as_str())
            .bind(round)
            .bind(before.scheme_version)
            .execute(&mut *self.tx)
            .await?;
        }
        sqlx::query(
            "UPDATE assessment_schemes SET state = $1, published_on = $2, published_by = $3 \
             WHERE round_id = $4 AND version = $5",
        )
        .bind(SchemeState::Published.as_str())
        .bind(date_text(day))
        .bind(self.actor_name())
        .bind(round)
        .bind(before.newest_version)
        .execute(&mut *self.tx)
        .await?;
        let after = self
            .change_round(
                round,
                expected,
                RoundChange {
                    stage,
                    scheme_version: before.newest_version,
                    ..RoundChange::of(&before)
                },
            )
            .await?;
        let mut a = after.to_json();
        a["published_version"] = json!(before.newest_version);
        a["superseded_version"] =
            json!((before.scheme_version > 0).then_some(before.scheme_version));
        a["day"] = json!(date_text(day));
        self.audit(
            "assessment.scheme.publish",
            "assessment",
            round,
            Some(&before.to_json()),
            Some(&a),
        )
        .await?;
        Ok(after)
    }

    /// Moves the round on to `to` on `day` (checked by `Procedure::check_advance`). Publication
    /// is reached only by publishing the results ([`Tx::publish_assessment_results`]).
    pub async fn advance_assessment(
        &mut self,
        round: &str,
        expected: i64,
        to: Stage,
        day: NaiveDate,
    ) -> Result<AssessmentRound> {
        let before = self.round_for_update(round, expected).await?;
        check_target(round, to)?;
        if before.stage == Stage::Draft {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: its scheme is not published yet"
            )));
        }
        let after = self
            .change_round(
                round,
                expected,
                RoundChange {
                    stage: to,
                    ..RoundChange::of(&before)
                },
            )
            .await?;
        let mut a = after.to_json();
        a["from"] = json!(before.stage.as_str());
        a["to"] = json!(to.as_str());
        a["day"] = json!(date_text(day));
        self.audit(
            "assessment.advance",
            "assessment",
            round,
            Some(&before.to_json()),
            Some(&a),
        )
        .await?;
        Ok(after)
    }

    /// Publishes the round's results on `day` under `document_number` (checked by
    /// `Procedure::check_publish_results`):
    /// each college's total, rank and scores are stored, and the round stands at publication,
    /// frozen.
    pub async fn publish_assessment_results(
        &mut self,
        round: &str,
        expected: i64,
        results: &[AssessmentResult],
        document_number: Option<&str>,
        day: NaiveDate,
    ) -> Result<AssessmentRound> {
        let before = self.round_for_update(round, expected).await?;
        if before.stage == Stage::Draft {
            return Err(StorageError::Invalid(format!(
                "assessment round `{round}`: its scheme is not published yet"
            )));
        }
        for chunk in results.chunks(RESULTS_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO assessment_results (round_id, org_id, total, rank, score) VALUES ",
            );
            for i in 0..chunk.len() {
                let p = 5 * i;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5
                ));
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                let score = serde_json::to_string(&r.score)
                    .map_err(|e| StorageError::Invalid(format!("assessment result: {e}")))?;
                q = q
                    .bind(round)
                    .bind(r.org_id.clone())
                    .bind(r.total)
                    .bind(i64::from(r.rank))
                    .bind(score);
            }
            q.execute(&mut *self.tx)
                .await
                .map_err(|e| super::unique_violation(e, "assessment result", round))?;
        }
        let after = self
            .change_round(
                round,
                expected,
                RoundChange {
                    stage: Stage::Step(AssessmentStep::Publication),
                    published_on: Some(day),
                    document_number: document_number.map(str::to_string),
                    ..RoundChange::of(&before)
                },
            )
            .await?;
        let mut a = after.to_json();
        a["from"] = json!(before.stage.as_str());
        a["results"] = results_digest(results);
        self.audit(
            "assessment.publish",
            "assessment",
            round,
            Some(&before.to_json()),
            Some(&a),
        )
        .await?;
        Ok(after)
    }
}
