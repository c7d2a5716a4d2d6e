//! Importing a roster: the steps of a plan (`zeren_core::org::roster::plan`) applied in one
//! transaction, each through the same checked and audited writes the forms use — so the whole
//! file is written or nothing, and the org model changes once, at the commit.

use super::assignments::AssignmentEdit;
use super::orgs::holding_json;
use super::{date_text, parse_opt_date};
use crate::db::{Actor, Db, Tx};
use crate::error::{Result, StorageError};
use crate::repo::orgs::{NewOrg, OrgEdit};
use crate::repo::people::{NewPerson, PersonEdit};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::org::roster::{
    HoldingRef, PersonFacts, PersonRef, Plan, Planned, PlatformFacts, PostRef, Step,
};
use zeren_core::org::{Holding, ModelChange, OrgModel, Person};
use zeren_core::platforms::{
    PlatformDraft, PlatformTerms, Registration, RegistrationDraft, check_platform,
};
use zeren_core::policy::{Policies, PolicyPack};
use zeren_core::records::join_messages;

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

    /// How every stored platform is registered, for planning an import and writing an export.
    pub async fn roster_platforms(&self) -> Result<Vec<PlatformFacts>> {
        sqlx::query(
            "SELECT id, icp, account_id, registered_on, registering_body FROM platforms ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PlatformFacts {
                id: r.try_get("id")?,
                registration: Registration {
                    icp: r.try_get("icp")?,
                    account_id: r.try_get("account_id")?,
                    registered_on: parse_opt_date(r.try_get("registered_on")?)?,
                    registering_body: r.try_get("registering_body")?,
                },
            })
        })
        .collect()
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
        let has_platforms = plan.steps.iter().any(|s| {
            matches!(
                s.step,
                Step::CreatePlatform { .. } | Step::EditPlatform { .. }
            )
        });
        // Platforms are planned against the model as the import leaves it (their orgs and
        // operators may be new): the model before, read now, completed in the transaction.
        let mut platforms = if has_platforms {
            Some(PlatformContext {
                policies: self.policy_set().await?,
                base: self.load_model().await?,
                model: None,
            })
        } else {
            None
        };
        let mut ids = Ids::default();
        for s in &plan.steps {
            match (&s.step, platforms.as_mut()) {
                (Step::CreatePlatform { .. } | Step::EditPlatform { .. }, Some(ctx)) => {
                    tx.apply_platform(s, ctx, &ids).await?;
                }
                _ => tx.apply(pack, &s.step, &mut ids).await?,
            }
        }
        tx.commit().await?;
        Ok(Imported {
            steps: plan.steps.len(),
        })
    }
}

/// What applying platform steps needs: the policies, the model before the import, and the
/// model as the import has made it so far (read at the first platform step).
struct PlatformContext {
    policies: Policies,
    base: OrgModel,
    model: Option<OrgModel>,
}

fn registration_draft(r: &Registration) -> RegistrationDraft {
    RegistrationDraft {
        icp: r.icp.clone().unwrap_or_default(),
        account_id: r.account_id.clone().unwrap_or_default(),
        registered_on: r.registered_on.map(date_text).unwrap_or_default(),
        registering_body: r.registering_body.clone().unwrap_or_default(),
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
    /// The model as this transaction has it: orgs and people read again (an import creates,
    /// moves and renames them before its platforms), the rest as it was.
    async fn model_in_tx(&mut self, base: &OrgModel) -> Result<OrgModel> {
        let orgs = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM orgs ORDER BY code",
            super::orgs::ORG_COLS
        )))
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(super::orgs::org_from)
        .collect::<Result<Vec<_>>>()?;
        let people = sqlx::query("SELECT id, name, org_id FROM people WHERE archived = 0")
            .fetch_all(&mut *self.tx)
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
        Ok(OrgModel::new(
            orgs,
            people,
            base.posts().to_vec(),
            base.holdings().to_vec(),
            base.assignments().to_vec(),
            base.platforms().to_vec(),
        ))
    }

    /// Creates or edits a platform of the roster, checked as every way in checks it
    /// ([`check_platform`]), and records its registration when the file gives it.
    async fn apply_platform(
        &mut self,
        planned: &Planned,
        ctx: &mut PlatformContext,
        ids: &Ids,
    ) -> Result<()> {
        if ctx.model.is_none() {
            ctx.model = Some(self.model_in_tx(&ctx.base).await?);
        }
        let Some(model) = ctx.model.as_ref() else {
            return Ok(());
        };
        let lang = Lang::Zh;
        let today = shanghai_date(self.now());
        let terms = PlatformTerms::of(ctx.policies.packs());
        let at = format!("{}!{}", planned.sheet.title(), planned.row);
        let refused = |e: zeren_core::records::FieldErrors| {
            StorageError::Invalid(format!("{at}: {}", join_messages(&e, lang)))
        };
        let operator_ids = |ops: &[PersonRef]| -> Result<Vec<String>> {
            ops.iter().map(|o| ids.person(o)).collect()
        };
        let (id, registration, changed) = match &planned.step {
            Step::CreatePlatform {
                code,
                name,
                kind,
                org,
                portfolio,
                news_function,
                opened_on,
                state,
                operators,
                registration,
            } => {
                let draft = PlatformDraft {
                    code: code.clone(),
                    name: name.clone(),
                    kind: kind.as_str().to_string(),
                    org: org.clone(),
                    portfolio: portfolio.clone().unwrap_or_default(),
                    news_function: *news_function,
                    opened_on: opened_on.map(date_text).unwrap_or_default(),
                    operators: operator_ids(operators)?,
                    state: state.as_str().to_string(),
                };
                let fields =
                    check_platform(&draft, None, model, &terms, today, lang).map_err(refused)?;
                let (p, _) = self.add_platform(&fields, &ctx.policies, model).await?;
                (p.id.clone(), registration.clone(), Some(p))
            }
            Step::EditPlatform {
                id,
                name,
                portfolio,
                news_function,
                operators,
                registration,
                ..
            } => {
                let existing =
                    model
                        .find_platform(id)
                        .cloned()
                        .ok_or_else(|| StorageError::NotFound {
                            what: "platform",
                            id: id.clone(),
                        })?;
                let changed = if name.is_some()
                    || portfolio.is_some()
                    || news_function.is_some()
                    || operators.is_some()
                {
                    let draft = PlatformDraft {
                        name: name.clone().unwrap_or_else(|| existing.name.clone()),
                        portfolio: portfolio
                            .clone()
                            .unwrap_or_else(|| existing.portfolio.clone())
                            .unwrap_or_default(),
                        news_function: news_function.unwrap_or(existing.news_function),
                        operators: match operators {
                            Some(ops) => operator_ids(ops)?,
                            None => existing.operators.clone(),
                        },
                        ..PlatformDraft::default()
                    };
                    let fields =
                        check_platform(&draft, Some(&existing), model, &terms, today, lang)
                            .map_err(refused)?;
                    let version = self.version_of("platforms", id).await?;
                    let (p, _) = self
                        .edit_platform(id, version, &fields, &ctx.policies, model)
                        .await?;
                    Some(p)
                } else {
                    None
                };
                (id.clone(), registration.clone(), changed)
            }
            _ => return Ok(()),
        };
        if let Some(r) = registration {
            let version = self.version_of("platforms", &id).await?;
            self.save_registration(&id, version, &registration_draft(&r), &ctx.policies, lang)
                .await
                .map_err(|e| match e {
                    StorageError::Invalid(m) => StorageError::Invalid(format!("{at}: {m}")),
                    e => e,
                })?;
        }
        if let Some(p) = changed {
            ctx.model = Some(model.changed(ModelChange {
                platforms: vec![(p.id.clone(), Some(p))],
                ..ModelChange::default()
            }));
        }
        Ok(())
    }

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
            // Applied by `apply_platform`.
            Step::CreatePlatform { .. } | Step::EditPlatform { .. } => {}
        }
        Ok(())
    }
}
