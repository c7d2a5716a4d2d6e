//! Importing a roster: the steps of a plan (`zeren_core::org::roster::plan`) applied in one
//! transaction, each through the same checked and audited writes the forms use — so the whole
//! file is written or nothing, and the org model changes once, at the commit.

use super::assignments::AssignmentEdit;
use super::date_text;
use super::orgs::holding_json;
use crate::db::{Actor, Db, Tx};
use crate::error::{Result, StorageError};
use crate::repo::orgs::{NewOrg, OrgEdit};
use crate::repo::people::{NewPerson, PersonEdit};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use zeren_core::org::Holding;
use zeren_core::org::roster::{HoldingRef, PersonFacts, PersonRef, Plan, PostRef, Step};
use zeren_core::policy::PolicyPack;

/// The note kept with a date an import corrects.
const IMPORT_REASON: &str = "名册导入 (roster import)";

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    /// Steps applied.
    pub steps: usize,
}

impl Db {
    /// Every stored person with what the model does not hold (staff number, contact, leaving),
    /// for planning an import and writing an export.
    pub async fn roster_people(&self) -> Result<Vec<PersonFacts>> {
        Ok(self
            .person_records()
            .await?
            .into_iter()
            .map(|p| PersonFacts {
                id: p.id,
                name: p.name,
                org: p.org,
                staff_no: p.staff_no,
                email: p.email,
                wecom_id: p.wecom_id,
                dingtalk_id: p.dingtalk_id,
                left_on: p.left_on,
            })
            .collect())
    }

    /// Applies `plan` as `actor` at `now`, in one transaction.
    pub async fn import_roster(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        pack: &PolicyPack,
        plan: &Plan,
    ) -> Result<Imported> {
        let mut tx = self.begin(actor, now).await?;
        tx.audit(
            "roster.import",
            "roster",
            "roster",
            None,
            Some(&serde_json::json!({
                "steps": plan.steps.len(),
                "counts": plan.counts.iter().map(|c| [c.created, c.changed, c.ended, c.unchanged]).collect::<Vec<_>>(),
            })),
        )
        .await?;
        let mut ids = Ids::default();
        for s in &plan.steps {
            tx.apply(pack, &s.step, &mut ids).await?;
        }
        tx.commit().await?;
        Ok(Imported {
            steps: plan.steps.len(),
        })
    }
}

/// Ids of what the import created, by the keys the plan names them with.
#[derive(Default)]
struct Ids {
    people: HashMap<String, String>,
    posts: HashMap<(String, String), String>,
    holdings: HashMap<(String, String, NaiveDate), String>,
}

impl Ids {
    fn person(&self, r: &PersonRef) -> Result<String> {
        match r {
            PersonRef::Stored(id) => Ok(id.clone()),
            PersonRef::New(staff_no) => self.people.get(staff_no).cloned().ok_or_else(|| {
                StorageError::Invalid(format!("roster: person {staff_no} not created"))
            }),
        }
    }

    fn post(&self, r: &PostRef) -> Result<String> {
        match r {
            PostRef::Stored(id) => Ok(id.clone()),
            PostRef::New { org, title } => self
                .posts
                .get(&(org.clone(), title.clone()))
                .cloned()
                .ok_or_else(|| {
                    StorageError::Invalid(format!("roster: post {org}/{title} not created"))
                }),
        }
    }
}

impl Tx {
    async fn version_of(&mut self, table: &str, id: &str) -> Result<i64> {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT version FROM {table} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StorageError::NotFound {
            what: "row",
            id: id.into(),
        })
    }

    /// Ends (or corrects the end of) a holding on `end`, with its portfolio assignments.
    pub(crate) async fn end_holding(
        &mut self,
        id: &str,
        end: NaiveDate,
        action: &str,
    ) -> Result<()> {
        let before: Holding = self.holding_row(id).await?;
        if before.end == Some(end) {
            return Ok(());
        }
        if end < before.start {
            return Err(zeren_core::org::HoldingError::EndBeforeStart {
                start: before.start,
                end,
            }
            .into());
        }
        let mut after = before.clone();
        after.end = Some(end);
        sqlx::query(
            "UPDATE holdings SET end_on = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(date_text(end))
        .bind(self.now_ms())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            action,
            "holding",
            id,
            Some(&holding_json(&before)),
            Some(&holding_json(&after)),
        )
        .await?;
        self.clip_assignments(&after).await
    }

    async fn apply(&mut self, pack: &PolicyPack, step: &Step, ids: &mut Ids) -> Result<()> {
        match step {
            Step::CreateOrg {
                code,
                name,
                kind,
                parent,
                established_on,
            } => {
                self.create_org(NewOrg {
                    code: code.clone(),
                    name: name.clone(),
                    kind: *kind,
                    parent: parent.clone(),
                    established_on: *established_on,
                })
                .await?;
            }
            Step::EditOrg {
                id,
                name,
                parent,
                closed_on,
                ..
            } => {
                let version = self.version_of("orgs", id).await?;
                self.update_org(
                    id,
                    version,
                    OrgEdit {
                        name: name.clone(),
                        parent: parent.clone(),
                        closed_on: *closed_on,
                    },
                )
                .await?;
            }
            Step::CreatePerson {
                staff_no,
                name,
                org,
                email,
                wecom_id,
                dingtalk_id,
                left_on,
            } => {
                let p = self
                    .create_person(NewPerson {
                        name: name.clone(),
                        org: org.clone(),
                        staff_no: Some(staff_no.clone()),
                        email: email.clone(),
                        wecom_id: wecom_id.clone(),
                        dingtalk_id: dingtalk_id.clone(),
                    })
                    .await?;
                if left_on.is_some() {
                    let version = self.version_of("people", &p.id).await?;
                    let edit = PersonEdit {
                        left_on: Some(*left_on),
                        ..PersonEdit::default()
                    };
                    self.update_person(&p.id, version, edit).await?;
                }
                ids.people.insert(staff_no.clone(), p.id);
            }
            Step::EditPerson {
                id,
                staff_no,
                name,
                org,
                email,
                wecom_id,
                dingtalk_id,
                left_on,
            } => {
                let version = self.version_of("people", id).await?;
                let edit = PersonEdit {
                    name: name.clone(),
                    org: org.clone(),
                    staff_no: staff_no.clone().map(Some),
                    email: email.clone(),
                    wecom_id: wecom_id.clone(),
                    dingtalk_id: dingtalk_id.clone(),
                    left_on: *left_on,
                };
                self.update_person(id, version, edit).await?;
            }
            Step::CreatePost { org, kind, title } => {
                let post = self.create_post(pack, org, kind, title, &[]).await?;
                ids.posts.insert((org.clone(), title.clone()), post.id);
            }
            Step::Appoint {
                post,
                person,
                start,
                end,
            } => {
                let post_id = ids.post(post)?;
                let person_id = ids.person(person)?;
                let h = self
                    .appoint(pack, &post_id, &person_id, *start, *end, false)
                    .await?;
                ids.holdings.insert((post_id, person_id, *start), h.id);
            }
            Step::EndHolding { id, end, handover } => {
                let action = if *handover {
                    "holding.handover_end"
                } else {
                    "holding.end"
                };
                self.end_holding(id, *end, action).await?;
            }
            Step::Assign {
                holding,
                portfolio,
                start,
                end,
            } => {
                let holding = match holding {
                    HoldingRef::Stored(id) => id.clone(),
                    HoldingRef::New(post, person, day) => {
                        let key = (ids.post(post)?, ids.person(person)?, *day);
                        ids.holdings.get(&key).cloned().ok_or_else(|| {
                            StorageError::Invalid("roster: holding not created".into())
                        })?
                    }
                };
                self.assign_portfolio(pack, &holding, portfolio, *start, *end)
                    .await?;
            }
            Step::EndAssignment { id, end } => {
                let version = self.version_of("portfolio_assignments", id).await?;
                let edit = AssignmentEdit {
                    end: Some(Some(*end)),
                    reason: Some(IMPORT_REASON.into()),
                    ..AssignmentEdit::default()
                };
                self.update_assignment(pack, id, version, edit).await?;
            }
        }
        Ok(())
    }
}
