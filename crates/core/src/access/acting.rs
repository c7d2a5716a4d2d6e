//! Who does the work (PRODUCT.md §5): on an obligation act its first responsible person (the
//! secretary over the org, a branch secretary or unit head over theirs), the person the
//! responsibility engine names for it on the day — a leader only within the portfolios held on
//! that day — and the handler (经办人) the responsible person or the secretary named on it.
//! Everyone else who may read the org reads it and no more.

use super::{Permission, Principal, Role};
use crate::Lang;
use crate::org::{OrgModel, Person, Platform, Post};
use crate::policy::{Duty, EvidenceOf, PolicyPack, Subject};
use crate::responsibility::{Target, resolve};
use chrono::NaiveDate;

/// One obligation as the rule of who acts on it sees it.
#[derive(Debug, Clone, Copy)]
pub struct Act<'a> {
    /// The org that owes it.
    pub org: &'a str,
    /// Its duty (of the policy version that required it).
    pub duty: &'a Duty,
    /// The platform it is about, for platform duties.
    pub platform: Option<&'a Platform>,
    /// The person named as its handler, if any.
    pub handler: Option<&'a str>,
}

/// Someone acting: their roles and scopes, and the person their account belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Roles and scopes on the day.
    pub principal: &'a Principal,
    /// The person of the account (none for an account not linked to a person).
    pub person: Option<&'a str>,
}

impl Principal {
    /// Whether the principal is the first responsible person over `org`: holds the secretary
    /// role over it (a branch secretary or unit head over their own branch or unit).
    pub fn first_responsible_over(&self, org: &str, model: &OrgModel) -> bool {
        self.admin.is_none()
            && self.roles.iter().any(|g| {
                matches!(g.role, Role::Secretary | Role::Branch) && model.is_within(org, &g.org)
            })
    }
}

/// The person the responsibility engine names for the obligation on `day`.
pub fn responsible_on(
    pack: &PolicyPack,
    model: &OrgModel,
    act: &Act<'_>,
    day: NaiveDate,
) -> Option<String> {
    let org = model.org(act.org)?;
    let target = Target::Duty {
        duty: act.duty,
        platform: act.platform,
    };
    resolve(pack, model, org, target, day)
        .ok()?
        .person
        .map(|p| p.id)
}

/// Whether the obligation is `person`'s own to do (their "my duties" and calendar): they were
/// named its handler, or the responsibility engine names them for it on `day`.
pub fn is_theirs(
    pack: &PolicyPack,
    model: &OrgModel,
    act: &Act<'_>,
    person: &str,
    day: NaiveDate,
) -> bool {
    act.handler == Some(person) || responsible_on(pack, model, act, day).as_deref() == Some(person)
}

impl Actor<'_> {
    /// Whether the actor may keep records in `org` at all (a role that keeps records there).
    fn keeps_in(&self, org: &str, model: &OrgModel) -> bool {
        self.principal
            .can(Permission::KeepRecords, Some(org), model)
    }

    /// Whether the actor is the person named by `who`.
    fn is(&self, who: Option<&str>) -> bool {
        matches!((self.person, who), (Some(a), Some(b)) if a == b)
    }

    /// Whether the actor may act on the obligation on `day` (keep its records, link its
    /// evidence, ask for its waiver): its first responsible person, the person responsible for
    /// it on the day, or its handler.
    pub fn may_act(
        &self,
        pack: &PolicyPack,
        model: &OrgModel,
        act: &Act<'_>,
        day: NaiveDate,
    ) -> bool {
        self.may_name_handler(pack, model, act, day)
            || (self.keeps_in(act.org, model) && self.is(act.handler))
    }

    /// Whether the actor may name (or change, or remove) the handler of the obligation: its
    /// first responsible person or the person responsible for it on the day — not a handler.
    pub fn may_name_handler(
        &self,
        pack: &PolicyPack,
        model: &OrgModel,
        act: &Act<'_>,
        day: NaiveDate,
    ) -> bool {
        self.keeps_in(act.org, model)
            && (self.principal.first_responsible_over(act.org, model)
                || self.is(responsible_on(pack, model, act, day).as_deref()))
    }

    /// Whether the actor may keep a record of `kind` in `org` that is not tied to one
    /// obligation: the first responsible person over the org, or the person responsible on the
    /// day for a duty of the org (or of one of its platforms) that such a record discharges.
    /// A handler keeps records through the obligation they were named on.
    pub fn may_keep_kind(
        &self,
        pack: &PolicyPack,
        model: &OrgModel,
        org: &str,
        kind: &EvidenceOf,
        day: NaiveDate,
    ) -> bool {
        if !self.keeps_in(org, model) {
            return false;
        }
        if self.principal.first_responsible_over(org, model) {
            return true;
        }
        if self.person.is_none() {
            return false;
        }
        let Some(o) = model.org(org) else {
            return false;
        };
        let answers = |duty: &Duty, platform: Option<&Platform>| {
            let act = Act {
                org,
                duty,
                platform,
                handler: None,
            };
            self.is(responsible_on(pack, model, &act, day).as_deref())
        };
        pack.duties
            .iter()
            .filter(|d| d.evidence.iter().any(|e| &e.kind == kind))
            .any(|d| match &d.subject {
                Subject::Org { org_kinds } => org_kinds.contains(&o.kind) && answers(d, None),
                Subject::Platform { .. } => model.platforms_of(org).any(|p| answers(d, Some(p))),
                Subject::Post { .. } | Subject::Operator { .. } => answers(d, None),
                // An event about a platform (a rectification, an online event) answers by the
                // platform's portfolio.
                Subject::Event { .. } => {
                    answers(d, None) || model.platforms_of(org).any(|p| answers(d, Some(p)))
                }
            })
    }
}

/// Why a person cannot be named the handler of an obligation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandlerError {
    /// No such person.
    #[error("no person `{0}`")]
    UnknownPerson(String),
    /// The person holds no post in the obligation's org or an org above it on the day.
    #[error("{person} holds no post in {org} or above it on {day}")]
    NoPost {
        /// The person's name.
        person: String,
        /// The org's name.
        org: String,
        /// The day.
        day: NaiveDate,
    },
}

impl HandlerError {
    /// The message in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (HandlerError::UnknownPerson(id), Lang::Zh) => format!("没有人员 `{id}`"),
            (HandlerError::UnknownPerson(id), Lang::En) => format!("no person `{id}`"),
            (HandlerError::NoPost { person, org, day }, Lang::Zh) => {
                format!("{person} 在 {day} 未在{org}或其上级组织任职，不能作为经办人")
            }
            (HandlerError::NoPost { person, org, day }, Lang::En) => format!(
                "{person} holds no post in {org} or an org above it on {day}, so cannot be the handler"
            ),
        }
    }
}

/// Checks that `person` may be named the handler of an obligation of `org` on `day`: they hold
/// a post on that day in the org or in an org above it (whose roles reach the org).
pub fn check_handler(
    model: &OrgModel,
    org: &str,
    person: &str,
    day: NaiveDate,
) -> Result<(), HandlerError> {
    let p = model.person(person).ok_or_else(|| {
        // Told back as typed only in part: an id is never long.
        let mut shown: String = person.chars().take(40).collect();
        if shown.len() < person.len() {
            shown.push('…');
        }
        HandlerError::UnknownPerson(shown)
    })?;
    let holds = model
        .holdings_of_person(&p.id)
        .filter(|h| h.covers(day))
        .filter_map(|h| model.post(&h.post))
        .any(|post| model.is_within(org, &post.org));
    if holds {
        Ok(())
    } else {
        Err(HandlerError::NoPost {
            person: p.name.clone(),
            org: model
                .org(org)
                .map(|o| o.name.clone())
                .unwrap_or_else(|| org.to_string()),
            day,
        })
    }
}

/// Someone who may be named a handler, with the posts through which (so two people of one
/// name are told apart).
#[derive(Debug, Clone)]
pub struct HandlerChoice<'m> {
    /// The person.
    pub person: &'m Person,
    /// The posts they hold on the day in the org or above it, nearest first.
    pub posts: Vec<&'m Post>,
}

/// The people who may be named the handler of an obligation of `org` on `day`, by name.
pub fn handler_choices<'m>(
    model: &'m OrgModel,
    org: &str,
    day: NaiveDate,
) -> Vec<HandlerChoice<'m>> {
    let mut out: Vec<HandlerChoice<'m>> = Vec::new();
    let mut at = model.org(org);
    let mut steps = 0;
    while let Some(o) = at {
        for post in model.posts_of(&o.id) {
            for h in model.holdings_of(&post.id).filter(|h| h.covers(day)) {
                let Some(person) = model.person(&h.person) else {
                    continue;
                };
                match out.iter_mut().find(|c| c.person.id == person.id) {
                    Some(c) => c.posts.push(post),
                    None => out.push(HandlerChoice {
                        person,
                        posts: vec![post],
                    }),
                }
            }
        }
        steps += 1;
        if steps > model.orgs().len() {
            break;
        }
        at = model.parent(o);
    }
    out.sort_by(|a, b| (&a.person.name, &a.person.id).cmp(&(&b.person.name, &b.person.id)));
    out
}
