//! What importing a roster would do: each row compared with the org model by its key (an org by
//! code, a person by staff number, a post by org and title, a holding by post, person and first
//! day, an assignment by holding, portfolio and first day) and planned as a creation, a change,
//! an ending or nothing; or every problem, each at its cell. Nothing is planned while any row
//! has a problem: an import writes the whole file or nothing.
//!
//! A row the file leaves out is left alone (a roster need not repeat history), with one
//! exception: a single-holder post given a new holder from a day ends the holding that runs
//! past the day before — a handover with the file's dates.

use super::{At, Cell, Day, Roster, Sheet, Text};
use crate::org::{Holding, OrgModel, PortfolioAssignment, fits_under};
use crate::period::sub_days;
use crate::platforms::{DETAIL_MAX, NAME_MAX, OPERATORS_MAX, Registration, is_icp};
use crate::policy::PolicyPack;
use crate::vocab::{OrgKind, PlatformKind, PlatformState};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// What the model does not hold of a person, read beside it for an import.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonFacts {
    /// Storage id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Org id.
    pub org: String,
    /// 工号.
    pub staff_no: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// 企业微信 userid.
    pub wecom_id: Option<String>,
    /// 钉钉 userid.
    pub dingtalk_id: Option<String>,
    /// Left on.
    pub left_on: Option<NaiveDate>,
}

/// What the model does not hold of a platform, read beside it for an import: how it is
/// registered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlatformFacts {
    /// Storage id.
    pub id: String,
    /// Its registration.
    pub registration: Registration,
}

/// A person a step is about: one stored, or one the import creates (by staff number).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PersonRef {
    /// Stored, by id.
    Stored(String),
    /// Created by this import, by staff number.
    New(String),
}

/// A post a step is about: one stored, or one the import creates (by org code and title).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PostRef {
    /// Stored, by id.
    Stored(String),
    /// Created by this import.
    New {
        /// Org code.
        org: String,
        /// Title.
        title: String,
    },
}

/// A holding a step is about: one stored, or one the import creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HoldingRef {
    /// Stored, by id.
    Stored(String),
    /// Created by this import: its post, person and first day.
    New(PostRef, PersonRef, NaiveDate),
}

/// One change an import makes, with the row it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A new org.
    CreateOrg {
        /// Code.
        code: String,
        /// Name.
        name: String,
        /// Kind.
        kind: OrgKind,
        /// Parent code; `None` for the root.
        parent: Option<String>,
        /// Established on.
        established_on: Option<NaiveDate>,
    },
    /// An org renamed, moved, closed or reopened.
    EditOrg {
        /// Storage id.
        id: String,
        /// Code.
        code: String,
        /// A new name.
        name: Option<String>,
        /// A new parent (code).
        parent: Option<String>,
        /// Closed on a day, or reopened.
        closed_on: Option<Option<NaiveDate>>,
    },
    /// A new person.
    CreatePerson {
        /// 工号.
        staff_no: String,
        /// Name.
        name: String,
        /// Org code.
        org: String,
        /// Email.
        email: Option<String>,
        /// 企业微信 userid.
        wecom_id: Option<String>,
        /// 钉钉 userid.
        dingtalk_id: Option<String>,
        /// Left on (a person entered after leaving).
        left_on: Option<NaiveDate>,
    },
    /// A stored person changed; each `Some` is a change.
    EditPerson {
        /// Storage id.
        id: String,
        /// 工号 (set on a person stored without one).
        staff_no: Option<String>,
        /// Name.
        name: Option<String>,
        /// Org code.
        org: Option<String>,
        /// Email.
        email: Option<Option<String>>,
        /// 企业微信 userid.
        wecom_id: Option<Option<String>>,
        /// 钉钉 userid.
        dingtalk_id: Option<Option<String>>,
        /// Left on, or returned.
        left_on: Option<Option<NaiveDate>>,
    },
    /// A new post.
    CreatePost {
        /// Org code.
        org: String,
        /// Post kind id.
        kind: String,
        /// Title.
        title: String,
    },
    /// A new holding.
    Appoint {
        /// The post.
        post: PostRef,
        /// The person.
        person: PersonRef,
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: Option<NaiveDate>,
    },
    /// A stored holding ends on a day (or its end is corrected).
    EndHolding {
        /// Storage id.
        id: String,
        /// Last day.
        end: NaiveDate,
        /// Ended because the file gives the post a new holder (a handover).
        handover: bool,
    },
    /// A new portfolio assignment.
    Assign {
        /// The holding.
        holding: HoldingRef,
        /// Portfolio id.
        portfolio: String,
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: Option<NaiveDate>,
    },
    /// A stored assignment ends on a day (or its end is corrected).
    EndAssignment {
        /// Storage id.
        id: String,
        /// Last day.
        end: NaiveDate,
    },
    /// A new platform, owing its duties at once; registered as the file says when it says.
    CreatePlatform {
        /// Code.
        code: String,
        /// Name.
        name: String,
        /// Kind.
        kind: PlatformKind,
        /// Owning org (code).
        org: String,
        /// Portfolio id.
        portfolio: Option<String>,
        /// News / opinion functions.
        news_function: bool,
        /// The day it entered the registry (`None`: the day of the import).
        opened_on: Option<NaiveDate>,
        /// The state it starts in (planned or active).
        state: PlatformState,
        /// Operators.
        operators: Vec<PersonRef>,
        /// How it is registered, when the file says.
        registration: Option<Registration>,
    },
    /// A stored platform changed; each `Some` is a change.
    EditPlatform {
        /// Storage id.
        id: String,
        /// Code.
        code: String,
        /// Name.
        name: Option<String>,
        /// Portfolio id, or none.
        portfolio: Option<Option<String>>,
        /// News / opinion functions.
        news_function: Option<bool>,
        /// Operators, the whole list.
        operators: Option<Vec<PersonRef>>,
        /// How it is registered.
        registration: Option<Registration>,
    },
}

/// A step with the sheet and row it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Sheet.
    pub sheet: Sheet,
    /// Row (1-based).
    pub row: u32,
    /// What it does.
    pub step: Step,
}

/// How many rows of a sheet the import creates, changes, ends and leaves as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Created.
    pub created: usize,
    /// Changed.
    pub changed: usize,
    /// Ended (holdings and assignments; people who leave).
    pub ended: usize,
    /// Already as the file says.
    pub unchanged: usize,
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The steps, in the order they are applied (orgs, people, posts, holdings, assignments;
    /// parents before children; endings before what starts after them).
    pub steps: Vec<Planned>,
    /// Counts per sheet, in [`Sheet::ALL`] order.
    pub counts: [Counts; 6],
}

impl Plan {
    /// Whether importing changes nothing.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The counts of a sheet.
    pub fn counts(&self, sheet: Sheet) -> Counts {
        self.counts[sheet_index(sheet)]
    }
}

fn sheet_index(sheet: Sheet) -> usize {
    Sheet::ALL.iter().position(|s| *s == sheet).unwrap_or(0)
}

/// Why a row cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterError {
    /// The key is on an earlier row of the sheet too.
    Duplicate {
        /// The earlier cell.
        first: At,
    },
    /// An org code that is not kebab-case.
    BadCode,
    /// Not an org kind.
    UnknownOrgKind,
    /// An org that is neither in the file nor stored.
    UnknownOrg,
    /// An org of this kind cannot sit under the parent's kind.
    KindUnder {
        /// The org's kind.
        kind: OrgKind,
        /// The parent's kind.
        parent: OrgKind,
    },
    /// The tree already has a root (its code).
    SecondRoot(String),
    /// Only a university sits at the root.
    RootKind,
    /// The parents named form a loop.
    Cycle,
    /// A stored org's kind differs from the file's.
    KindChanged {
        /// Stored kind.
        stored: OrgKind,
    },
    /// Closed before established.
    ClosedBeforeEstablished,
    /// Not a post kind of the policy.
    UnknownPostKind,
    /// A post kind the org's kind does not have.
    PostNotOfOrg {
        /// Post kind id.
        kind: String,
        /// Org kind.
        org_kind: OrgKind,
    },
    /// A second first-responsible post in an org.
    FirstResponsibleTaken,
    /// A stored post's kind differs from the file's.
    PostKindChanged {
        /// Stored kind id.
        stored: String,
    },
    /// Closing a post from the roster (not supported: close it where it is kept).
    PostClosing,
    /// A post neither in the file nor stored.
    UnknownPost,
    /// A staff number neither in the file nor stored.
    UnknownStaffNo,
    /// Two stored people share the name in the org and neither has a staff number.
    AmbiguousPerson,
    /// Ends before it starts.
    EndBeforeStart,
    /// A single-holder post would have two holders on a day.
    Overlap {
        /// The other holding's first day.
        start: NaiveDate,
        /// Its last day.
        end: Option<NaiveDate>,
    },
    /// The same person would hold the post twice on a day.
    SamePerson,
    /// A stored holding that has ended is given no end (reopening is not done by import).
    HoldingReopened,
    /// A person's field that breaks the rules of people fields.
    Person(crate::org::people::PersonError),
    /// Not a portfolio of the policy.
    UnknownPortfolio,
    /// The post is not a leadership post.
    NotLeadership,
    /// The person holds the post on none of the days (no holding covers the first day).
    NoHolding,
    /// The assignment runs past the holding.
    OutsideHolding {
        /// Holding's first day.
        start: NaiveDate,
        /// Its last day.
        end: Option<NaiveDate>,
    },
    /// Another leader of the org holds the portfolio on one of the days.
    PortfolioTaken {
        /// The other assignment's first day.
        start: NaiveDate,
        /// Its last day.
        end: Option<NaiveDate>,
    },
    /// Not a platform kind.
    UnknownPlatformKind,
    /// Neither 是 nor 否.
    NotYesNo,
    /// A new platform starts planned or active.
    PlatformStartState,
    /// Not a platform state.
    UnknownPlatformState,
    /// A stored platform's kind differs from the file's.
    PlatformKindChanged {
        /// Stored kind.
        stored: PlatformKind,
    },
    /// A stored platform's owning org differs from the file's.
    PlatformOrgChanged {
        /// Stored org's code.
        stored: String,
    },
    /// A stored platform's state differs from the file's (states move by steps).
    PlatformStateChanged {
        /// Stored state.
        stored: PlatformState,
    },
    /// An operator who is not of the platform's org or below it.
    OperatorOutside,
    /// More operators than a platform may list.
    TooManyOperators,
    /// Longer than the field allows.
    TooLong {
        /// Most characters.
        max: usize,
    },
    /// Not an ICP 备案号.
    BadIcp,
    /// A website registered (or running) is registered by its ICP number.
    IcpRequired,
    /// An account registered (or running) needs its id, day and registering body.
    AccountDetailsRequired,
}

/// A problem of a row, at its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterProblem {
    /// The cell.
    pub at: At,
    /// What is wrong.
    pub error: RosterError,
}

/// An org as the file (or the store) has it after the import.
#[derive(Clone)]
struct OrgAfter {
    code: String,
    kind: OrgKind,
    parent: Option<String>,
    stored: Option<String>,
}

/// An assignment of a portfolio in an org after the import: first and last day, its id when
/// stored, and the cell of the row naming it.
type Held = (NaiveDate, Option<NaiveDate>, Option<String>, Option<At>);

/// A holding as the post will have it after the import.
#[derive(Clone)]
struct HoldingAfter {
    r: HoldingRef,
    person: PersonRef,
    start: NaiveDate,
    end: Option<NaiveDate>,
    at: Option<At>,
}

struct Planner<'a> {
    pack: &'a PolicyPack,
    model: &'a OrgModel,
    plan: Plan,
    problems: Vec<RosterProblem>,
    orgs: HashMap<String, OrgAfter>,
    people: HashMap<String, PersonRef>,
    /// The org (code) of each staff number after the import.
    person_orgs: HashMap<String, String>,
    posts: HashMap<(String, String), (PostRef, String)>,
}

fn kebab(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn org_kind(text: &str) -> Option<OrgKind> {
    let t = text.trim();
    OrgKind::parse(t).or_else(|| {
        OrgKind::ALL.iter().copied().find(|k| {
            t == k.name_zh()
                || (*k == OrgKind::University && (t == "学校党委" || t == "大学"))
                || (*k == OrgKind::College && t == "学院党委")
        })
    })
}

fn opt_text(c: &Option<Text>) -> Option<String> {
    c.as_ref().map(|c| c.value.clone())
}

fn opt_day(c: &Option<Day>) -> Option<NaiveDate> {
    c.as_ref().map(|c| c.value)
}

fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.0 <= b.1.unwrap_or(NaiveDate::MAX) && b.0 <= a.1.unwrap_or(NaiveDate::MAX)
}

impl<'a> Planner<'a> {
    fn problem(&mut self, at: At, error: RosterError) {
        self.problems.push(RosterProblem { at, error });
    }

    fn push(&mut self, sheet: Sheet, row: u32, step: Step) {
        let c = &mut self.plan.counts[sheet_index(sheet)];
        match &step {
            Step::CreateOrg { .. }
            | Step::CreatePerson { .. }
            | Step::CreatePost { .. }
            | Step::Appoint { .. }
            | Step::Assign { .. }
            | Step::CreatePlatform { .. } => c.created += 1,
            Step::EndHolding { handover: true, .. } => {}
            Step::EndHolding { .. } | Step::EndAssignment { .. } => c.ended += 1,
            Step::EditPerson {
                left_on: Some(Some(_)),
                ..
            } => c.ended += 1,
            Step::EditOrg { .. } | Step::EditPerson { .. } | Step::EditPlatform { .. } => {
                c.changed += 1
            }
        }
        self.plan.steps.push(Planned { sheet, row, step });
    }

    fn same(&mut self, sheet: Sheet) {
        self.plan.counts[sheet_index(sheet)].unchanged += 1;
    }

    /// The org of a cell: in the file or stored.
    fn org_of(&mut self, cell: &Text) -> Option<OrgAfter> {
        let found = self.orgs.get(&cell.value).cloned();
        if found.is_none() {
            self.problem(cell.at, RosterError::UnknownOrg);
        }
        found
    }

    fn orgs(&mut self, roster: &Roster) {
        for o in self.model.orgs() {
            self.orgs.insert(
                o.code.clone(),
                OrgAfter {
                    code: o.code.clone(),
                    kind: o.kind,
                    parent: o
                        .parent
                        .as_deref()
                        .and_then(|p| self.model.org(p))
                        .map(|p| p.code.clone()),
                    stored: Some(o.id.clone()),
                },
            );
        }
        let mut first: HashMap<&str, At> = HashMap::new();
        let mut rows = Vec::new();
        for r in &roster.orgs {
            if let Some(at) = first.get(r.code.value.as_str()) {
                self.problem(r.code.at, RosterError::Duplicate { first: *at });
                continue;
            }
            first.insert(&r.code.value, r.code.at);
            if !kebab(&r.code.value) {
                self.problem(r.code.at, RosterError::BadCode);
                continue;
            }
            let Some(kind) = org_kind(&r.kind.value) else {
                self.problem(r.kind.at, RosterError::UnknownOrgKind);
                continue;
            };
            if let (Some(e), Some(c)) = (&r.established_on, &r.closed_on)
                && c.value < e.value
            {
                self.problem(c.at, RosterError::ClosedBeforeEstablished);
            }
            let stored = self
                .model
                .find_org(&r.code.value)
                .filter(|o| o.code == r.code.value);
            if let Some(o) = stored
                && o.kind != kind
            {
                self.problem(r.kind.at, RosterError::KindChanged { stored: o.kind });
                continue;
            }
            self.orgs.insert(
                r.code.value.clone(),
                OrgAfter {
                    code: r.code.value.clone(),
                    kind,
                    parent: opt_text(&r.parent),
                    stored: stored.map(|o| o.id.clone()),
                },
            );
            rows.push((r, kind));
        }
        // Parents: known, of a fitting kind, one root, no loops.
        let root = self.model.tops().next().map(|o| o.code.clone());
        for (r, kind) in &rows {
            match &r.parent {
                None => {
                    if *kind != OrgKind::University {
                        self.problem(r.kind.at, RosterError::RootKind);
                    } else if let Some(root) = &root
                        && *root != r.code.value
                    {
                        self.problem(r.code.at, RosterError::SecondRoot(root.clone()));
                    }
                }
                Some(p) => match self.orgs.get(&p.value).map(|o| o.kind) {
                    None => self.problem(p.at, RosterError::UnknownOrg),
                    Some(pk) if !fits_under(*kind, pk) => self.problem(
                        p.at,
                        RosterError::KindUnder {
                            kind: *kind,
                            parent: pk,
                        },
                    ),
                    Some(_) => {
                        let mut seen = HashSet::new();
                        let mut cur = Some(p.value.clone());
                        while let Some(c) = cur {
                            if c == r.code.value || !seen.insert(c.clone()) {
                                self.problem(p.at, RosterError::Cycle);
                                break;
                            }
                            cur = self.orgs.get(&c).and_then(|o| o.parent.clone());
                        }
                    }
                },
            }
        }
        if !self.problems.is_empty() {
            return;
        }
        // Parents before children: an org is created once its parent exists.
        let mut done: HashSet<String> = self
            .orgs
            .values()
            .filter(|o| o.stored.is_some())
            .map(|o| o.code.clone())
            .collect();
        let mut pending: Vec<_> = rows;
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for (r, kind) in pending {
                let ready = r.parent.as_ref().is_none_or(|p| done.contains(&p.value));
                if !ready {
                    rest.push((r, kind));
                    continue;
                }
                done.insert(r.code.value.clone());
                self.org_step(r, kind);
            }
            if rest.len() == before {
                // Only a loop leaves rows waiting, and loops were refused above.
                break;
            }
            pending = rest;
        }
    }

    fn org_step(&mut self, r: &super::OrgRow, kind: OrgKind) {
        let row = r.code.at.row;
        let parent = opt_text(&r.parent);
        match self
            .model
            .find_org(&r.code.value)
            .filter(|o| o.code == r.code.value)
        {
            None => self.push(
                Sheet::Orgs,
                row,
                Step::CreateOrg {
                    code: r.code.value.clone(),
                    name: r.name.value.clone(),
                    kind,
                    parent,
                    established_on: opt_day(&r.established_on),
                },
            ),
            Some(o) => {
                let stored_parent = o
                    .parent
                    .as_deref()
                    .and_then(|p| self.model.org(p))
                    .map(|p| p.code.clone());
                let name = (o.name != r.name.value).then(|| r.name.value.clone());
                let moved = (stored_parent != parent).then_some(parent).flatten();
                let closed = opt_day(&r.closed_on);
                let closed_on = (o.closed_on != closed).then_some(closed);
                if name.is_none() && moved.is_none() && closed_on.is_none() {
                    self.same(Sheet::Orgs);
                } else {
                    self.push(
                        Sheet::Orgs,
                        row,
                        Step::EditOrg {
                            id: o.id.clone(),
                            code: o.code.clone(),
                            name,
                            parent: moved,
                            closed_on,
                        },
                    );
                }
            }
        }
    }

    fn people(&mut self, roster: &Roster, stored: &[PersonFacts]) {
        let by_staff: HashMap<&str, &PersonFacts> = stored
            .iter()
            .filter_map(|p| p.staff_no.as_deref().map(|s| (s, p)))
            .collect();
        let mut by_name: HashMap<(&str, &str), Vec<&PersonFacts>> = HashMap::new();
        for p in stored.iter().filter(|p| p.staff_no.is_none()) {
            by_name.entry((&p.name, &p.org)).or_default().push(p);
        }
        for p in stored {
            if let Some(s) = &p.staff_no {
                self.people
                    .insert(s.clone(), PersonRef::Stored(p.id.clone()));
                if let Some(o) = self.model.org(&p.org) {
                    self.person_orgs.insert(s.clone(), o.code.clone());
                }
            }
        }
        let mut first: HashMap<&str, At> = HashMap::new();
        let mut claimed: HashSet<&str> = HashSet::new();
        for r in &roster.people {
            if let Some(at) = first.get(r.staff_no.value.as_str()) {
                self.problem(r.staff_no.at, RosterError::Duplicate { first: *at });
                continue;
            }
            first.insert(&r.staff_no.value, r.staff_no.at);
            if !self.person_fields(r) {
                continue;
            }
            let Some(org) = self.org_of(&r.org) else {
                continue;
            };
            self.person_orgs
                .insert(r.staff_no.value.clone(), org.code.clone());
            let row = r.staff_no.at.row;
            let email = opt_text(&r.email);
            let wecom_id = opt_text(&r.wecom);
            let dingtalk_id = opt_text(&r.dingtalk);
            let left_on = opt_day(&r.left_on);
            // By staff number; else a stored person of the same name in the same org who has
            // none yet (people entered before staff numbers were kept).
            let found = match by_staff.get(r.staff_no.value.as_str()) {
                Some(p) => Some(*p),
                None => match org
                    .stored
                    .as_deref()
                    .and_then(|o| by_name.get(&(r.name.value.as_str(), o)))
                {
                    Some(list) if list.len() > 1 => {
                        self.problem(r.name.at, RosterError::AmbiguousPerson);
                        continue;
                    }
                    Some(list) => list.first().copied().filter(|p| claimed.insert(&p.id)),
                    None => None,
                },
            };
            match found {
                None => {
                    self.people.insert(
                        r.staff_no.value.clone(),
                        PersonRef::New(r.staff_no.value.clone()),
                    );
                    self.push(
                        Sheet::People,
                        row,
                        Step::CreatePerson {
                            staff_no: r.staff_no.value.clone(),
                            name: r.name.value.clone(),
                            org: org.code.clone(),
                            email,
                            wecom_id,
                            dingtalk_id,
                            left_on,
                        },
                    );
                }
                Some(p) => {
                    self.people
                        .insert(r.staff_no.value.clone(), PersonRef::Stored(p.id.clone()));
                    let changed = |a: &Option<String>, b: Option<String>| (*a != b).then_some(b);
                    let step = Step::EditPerson {
                        id: p.id.clone(),
                        staff_no: p.staff_no.is_none().then(|| r.staff_no.value.clone()),
                        name: (p.name != r.name.value).then(|| r.name.value.clone()),
                        org: (org.stored.as_deref() != Some(p.org.as_str()))
                            .then(|| org.code.clone()),
                        email: changed(&p.email, email),
                        wecom_id: changed(&p.wecom_id, wecom_id),
                        dingtalk_id: changed(&p.dingtalk_id, dingtalk_id),
                        left_on: (p.left_on != left_on).then_some(left_on),
                    };
                    if let Step::EditPerson {
                        staff_no: None,
                        name: None,
                        org: None,
                        email: None,
                        wecom_id: None,
                        dingtalk_id: None,
                        left_on: None,
                        ..
                    } = step
                    {
                        self.same(Sheet::People);
                    } else {
                        self.push(Sheet::People, row, step);
                    }
                }
            }
        }
    }

    /// Checks a person's fields as every way in does; false when one is refused.
    fn person_fields(&mut self, r: &super::PersonRow) -> bool {
        use crate::org::people::{
            check_dingtalk_id, check_email, check_name, check_staff_no, check_wecom_id,
        };
        let mut ok = true;
        let mut check = |at: At, result: Result<(), crate::org::people::PersonError>| {
            if let Err(e) = result {
                self.problems.push(RosterProblem {
                    at,
                    error: RosterError::Person(e),
                });
                ok = false;
            }
        };
        check(r.staff_no.at, check_staff_no(&r.staff_no.value).map(drop));
        check(r.name.at, check_name(&r.name.value).map(drop));
        if let Some(c) = &r.email {
            check(c.at, check_email(&c.value).map(drop));
        }
        if let Some(c) = &r.wecom {
            check(c.at, check_wecom_id(&c.value).map(drop));
        }
        if let Some(c) = &r.dingtalk {
            check(c.at, check_dingtalk_id(&c.value).map(drop));
        }
        ok
    }

    fn person_of(&mut self, cell: &Text) -> Option<PersonRef> {
        let found = self.people.get(&cell.value).cloned();
        if found.is_none() {
            self.problem(cell.at, RosterError::UnknownStaffNo);
        }
        found
    }

    fn posts(&mut self, roster: &Roster) {
        for p in self.model.posts() {
            if let Some(o) = self.model.org(&p.org) {
                self.posts.insert(
                    (o.code.clone(), p.title.clone()),
                    (PostRef::Stored(p.id.clone()), p.kind.clone()),
                );
            }
        }
        let mut first: HashMap<(&str, &str), At> = HashMap::new();
        for r in &roster.posts {
            let key = (r.org.value.as_str(), r.title.value.as_str());
            if let Some(at) = first.get(&key) {
                self.problem(r.title.at, RosterError::Duplicate { first: *at });
                continue;
            }
            first.insert(key, r.title.at);
            let Some(org) = self.org_of(&r.org) else {
                continue;
            };
            let kind = self
                .pack
                .post_kinds
                .iter()
                .find(|k| k.id == r.kind.value.trim() || k.name == r.kind.value.trim());
            let Some(kind) = kind else {
                self.problem(r.kind.at, RosterError::UnknownPostKind);
                continue;
            };
            if !kind.org_kinds.contains(&org.kind) {
                self.problem(
                    r.kind.at,
                    RosterError::PostNotOfOrg {
                        kind: kind.id.clone(),
                        org_kind: org.kind,
                    },
                );
                continue;
            }
            if let Some(c) = &r.closed_on {
                self.problem(c.at, RosterError::PostClosing);
                continue;
            }
            let k = (org.code.clone(), r.title.value.clone());
            match self.posts.get(&k) {
                Some((_, stored)) if *stored != kind.id => {
                    let stored = stored.clone();
                    self.problem(r.kind.at, RosterError::PostKindChanged { stored });
                }
                Some(_) => self.same(Sheet::Posts),
                None => {
                    if kind.first_responsible
                        && self
                            .posts
                            .iter()
                            .any(|((o, _), (_, pk))| *o == org.code && *pk == kind.id)
                    {
                        self.problem(r.kind.at, RosterError::FirstResponsibleTaken);
                        continue;
                    }
                    self.posts.insert(
                        k.clone(),
                        (
                            PostRef::New {
                                org: k.0.clone(),
                                title: k.1.clone(),
                            },
                            kind.id.clone(),
                        ),
                    );
                    self.push(
                        Sheet::Posts,
                        r.title.at.row,
                        Step::CreatePost {
                            org: org.code.clone(),
                            kind: kind.id.clone(),
                            title: r.title.value.clone(),
                        },
                    );
                }
            }
        }
    }

    fn post_of(&mut self, org: &Text, title: &Text) -> Option<(PostRef, String)> {
        self.org_of(org)?;
        let found = self
            .posts
            .get(&(org.value.clone(), title.value.clone()))
            .cloned();
        if found.is_none() {
            self.problem(title.at, RosterError::UnknownPost);
        }
        found
    }

    /// The stored holdings of a post, as they will be after the import.
    fn stored_holdings(&self, post: &PostRef) -> Vec<HoldingAfter> {
        let PostRef::Stored(id) = post else {
            return Vec::new();
        };
        self.model
            .holdings_of(id)
            .map(|h| HoldingAfter {
                r: HoldingRef::Stored(h.id.clone()),
                person: PersonRef::Stored(h.person.clone()),
                start: h.start,
                end: h.end,
                at: None,
            })
            .collect()
    }

    /// Plans the holdings; answers every post's holdings after the import.
    fn holdings(&mut self, roster: &Roster) -> HashMap<PostRef, Vec<HoldingAfter>> {
        let mut after: HashMap<PostRef, Vec<HoldingAfter>> = HashMap::new();
        let mut ends = Vec::new();
        let mut appoints = Vec::new();
        for r in &roster.holdings {
            let post = self.post_of(&r.org, &r.post);
            let person = self.person_of(&r.staff_no);
            let end = opt_day(&r.end);
            let backwards = r.end.as_ref().filter(|e| e.value < r.start.value);
            if let Some(e) = backwards {
                self.problem(e.at, RosterError::EndBeforeStart);
            }
            let (Some((post, kind)), Some(person), None) = (post, person, backwards) else {
                continue;
            };
            let single = self.pack.post_kind(&kind).is_some_and(|k| k.single_holder);
            if !after.contains_key(&post) {
                let stored = self.stored_holdings(&post);
                after.insert(post.clone(), stored);
            }
            let list = after.entry(post.clone()).or_default();
            let start = r.start.value;
            let row = r.start.at.row;
            if let Some(h) = list
                .iter_mut()
                .find(|h| h.person == person && h.start == start)
            {
                if let Some(at) = h.at {
                    self.problems.push(RosterProblem {
                        at: r.start.at,
                        error: RosterError::Duplicate { first: at },
                    });
                    continue;
                }
                h.at = Some(r.start.at);
                if h.end == end {
                    self.plan.counts[sheet_index(Sheet::Holdings)].unchanged += 1;
                    continue;
                }
                h.end = end;
                match (&h.r, end) {
                    (HoldingRef::Stored(id), Some(e)) => ends.push((row, id.clone(), e, false)),
                    _ => {
                        // Reopening an ended holding is a correction the roster does not make.
                        self.problems.push(RosterProblem {
                            at: r.start.at,
                            error: RosterError::HoldingReopened,
                        });
                    }
                }
                continue;
            }
            // A new holding: a stored one of a single-holder post running past the eve is
            // handed over; any other overlap is refused.
            let mut problem = None;
            for h in list.iter_mut() {
                if !overlaps((h.start, h.end), (start, end)) {
                    continue;
                }
                if h.person == person {
                    problem = Some(RosterError::SamePerson);
                    break;
                }
                if !single {
                    continue;
                }
                match (&h.r, h.at) {
                    (HoldingRef::Stored(id), None) if h.start < start => {
                        let eve = sub_days(start, 1);
                        h.end = Some(eve);
                        ends.push((row, id.clone(), eve, true));
                    }
                    _ => {
                        problem = Some(RosterError::Overlap {
                            start: h.start,
                            end: h.end,
                        });
                        break;
                    }
                }
            }
            if let Some(e) = problem {
                self.problem(r.start.at, e);
                continue;
            }
            list.push(HoldingAfter {
                r: HoldingRef::New(post.clone(), person.clone(), start),
                person: person.clone(),
                start,
                end,
                at: Some(r.start.at),
            });
            appoints.push((
                row,
                Step::Appoint {
                    post,
                    person,
                    start,
                    end,
                },
            ));
        }
        for (row, id, end, handover) in ends {
            self.push(Sheet::Holdings, row, Step::EndHolding { id, end, handover });
        }
        for (row, step) in appoints {
            self.push(Sheet::Holdings, row, step);
        }
        after
    }

    fn assignments(&mut self, roster: &Roster, holdings: &HashMap<PostRef, Vec<HoldingAfter>>) {
        let mut in_org: HashMap<(String, String), Vec<Held>> = HashMap::new();
        let mut ends = Vec::new();
        let mut assigns = Vec::new();
        for r in &roster.assignments {
            let post = self.post_of(&r.org, &r.post);
            let person = self.person_of(&r.staff_no);
            let portfolio = self
                .pack
                .portfolios
                .iter()
                .find(|p| p.id == r.portfolio.value.trim() || p.name == r.portfolio.value.trim())
                .map(|p| p.id.clone());
            if portfolio.is_none() {
                self.problem(r.portfolio.at, RosterError::UnknownPortfolio);
            }
            let backwards = r.end.as_ref().filter(|e| e.value < r.start.value);
            if let Some(e) = backwards {
                self.problem(e.at, RosterError::EndBeforeStart);
            }
            let (Some((post, kind)), Some(person), Some(portfolio), None) =
                (post, person, portfolio, backwards)
            else {
                continue;
            };
            if !self.pack.post_kind(&kind).is_some_and(|k| k.leadership) {
                self.problem(r.post.at, RosterError::NotLeadership);
                continue;
            }
            let start = r.start.value;
            let end = opt_day(&r.end);
            let stored_list;
            let list = match holdings.get(&post) {
                Some(l) => l,
                None => {
                    stored_list = self.stored_holdings(&post);
                    &stored_list
                }
            };
            let Some(h) = list.iter().find(|h| {
                h.person == person && h.start <= start && h.end.is_none_or(|e| e >= start)
            }) else {
                self.problem(r.start.at, RosterError::NoHolding);
                continue;
            };
            if h.end.is_some_and(|he| end.is_none_or(|e| e > he)) {
                self.problem(
                    r.end.as_ref().map(|e| e.at).unwrap_or(r.start.at),
                    RosterError::OutsideHolding {
                        start: h.start,
                        end: h.end,
                    },
                );
                continue;
            }
            let key = (r.org.value.clone(), portfolio.clone());
            if !in_org.contains_key(&key) {
                let stored = self.stored_assignments(&r.org.value, &portfolio, holdings);
                in_org.insert(key.clone(), stored);
            }
            let held = in_org.entry(key).or_default();
            // The same assignment stored: unchanged, or ended.
            let stored_same = match &h.r {
                HoldingRef::Stored(hid) => self
                    .model
                    .assignments_of(hid)
                    .find(|a| a.portfolio == portfolio && a.start == start)
                    .cloned(),
                HoldingRef::New(..) => None,
            };
            if let Some(a) = stored_same {
                let entry = held
                    .iter_mut()
                    .find(|x| x.2.as_deref() == Some(a.id.as_str()));
                if let Some(x) = entry {
                    if let Some(first) = x.3 {
                        self.problems.push(RosterProblem {
                            at: r.start.at,
                            error: RosterError::Duplicate { first },
                        });
                        continue;
                    }
                    x.3 = Some(r.start.at);
                    x.1 = end;
                }
                match (a.end == end, end) {
                    (true, _) => self.same(Sheet::Assignments),
                    (false, Some(e)) => ends.push((r.start.at.row, a.id.clone(), e)),
                    (false, None) => self.problem(
                        r.start.at,
                        RosterError::PortfolioTaken {
                            start: a.start,
                            end: a.end,
                        },
                    ),
                }
                continue;
            }
            if let Some(x) = held.iter().find(|x| overlaps((x.0, x.1), (start, end))) {
                let (s, e) = (x.0, x.1);
                self.problem(r.start.at, RosterError::PortfolioTaken { start: s, end: e });
                continue;
            }
            held.push((start, end, None, Some(r.start.at)));
            assigns.push((
                r.start.at.row,
                Step::Assign {
                    holding: h.r.clone(),
                    portfolio,
                    start,
                    end,
                },
            ));
        }
        for (row, id, end) in ends {
            self.push(Sheet::Assignments, row, Step::EndAssignment { id, end });
        }
        for (row, step) in assigns {
            self.push(Sheet::Assignments, row, step);
        }
    }

    /// The stored assignments of a portfolio in an org (by code), with their holdings' ends
    /// as the import leaves them (a handover ends the outgoing holder's portfolios with it).
    fn stored_assignments(
        &self,
        org_code: &str,
        portfolio: &str,
        holdings: &HashMap<PostRef, Vec<HoldingAfter>>,
    ) -> Vec<Held> {
        let Some(org) = self.model.find_org(org_code).filter(|o| o.code == org_code) else {
            return Vec::new();
        };
        let ends: HashMap<&str, Option<NaiveDate>> = holdings
            .values()
            .flatten()
            .filter_map(|h| match &h.r {
                HoldingRef::Stored(id) => Some((id.as_str(), h.end)),
                HoldingRef::New(..) => None,
            })
            .collect();
        let clip = |a: &PortfolioAssignment, h: &Holding| {
            let hend = ends.get(h.id.as_str()).copied().unwrap_or(h.end);
            match (a.end, hend) {
                (_, None) => a.end,
                (None, Some(he)) => Some(he),
                (Some(e), Some(he)) => Some(e.min(he)),
            }
        };
        self.model
            .posts_of(&org.id)
            .flat_map(|p| self.model.holdings_of(&p.id))
            .flat_map(|h| {
                self.model
                    .assignments_of(&h.id)
                    .filter(|a| a.portfolio == portfolio)
                    .map(move |a| (a, h))
            })
            .map(|(a, h)| (a.start, clip(a, h), Some(a.id.clone()), None))
            .filter(|(s, e, _, _)| e.is_none_or(|e| e >= *s))
            .collect()
    }
}

fn platform_state(text: &str) -> Option<PlatformState> {
    let t = text.trim();
    PlatformState::parse(t).or_else(|| {
        PlatformState::ALL
            .iter()
            .copied()
            .find(|s| t == s.name_zh())
    })
}

/// 是/否 (and the spellings scripts write).
fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "是" | "有" | "yes" | "y" | "true" | "1" => Some(true),
        "否" | "无" | "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// The staff numbers of an operators cell: separated by `、`, `,`, `，`, `;` or `；`.
fn staff_numbers(text: &str) -> Vec<&str> {
    text.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

impl Planner<'_> {
    /// Whether org `code` is `ancestor` or below it, after the import.
    fn org_within(&self, code: &str, ancestor: &str) -> bool {
        let mut cur = Some(code.to_string());
        for _ in 0..=self.orgs.len() {
            let Some(c) = cur else { return false };
            if c == ancestor {
                return true;
            }
            cur = self.orgs.get(&c).and_then(|o| o.parent.clone());
        }
        false
    }

    fn platforms(&mut self, roster: &Roster, facts: &[PlatformFacts]) {
        let facts: HashMap<&str, &Registration> = facts
            .iter()
            .map(|f| (f.id.as_str(), &f.registration))
            .collect();
        let mut first: HashMap<&str, At> = HashMap::new();
        for r in &roster.platforms {
            if let Some(at) = first.get(r.code.value.as_str()) {
                self.problem(r.code.at, RosterError::Duplicate { first: *at });
                continue;
            }
            first.insert(&r.code.value, r.code.at);
            let before = self.problems.len();
            if !kebab(&r.code.value) {
                self.problem(r.code.at, RosterError::BadCode);
            }
            if r.name.value.chars().count() > NAME_MAX {
                self.problem(r.name.at, RosterError::TooLong { max: NAME_MAX });
            }
            let kind = self.pack.platform_kind(&r.kind.value);
            if kind.is_none() {
                self.problem(r.kind.at, RosterError::UnknownPlatformKind);
            }
            let org = self.org_of(&r.org);
            let portfolio = match &r.portfolio {
                None => None,
                Some(c) => {
                    let v = c.value.trim();
                    let found = self
                        .pack
                        .portfolios
                        .iter()
                        .find(|p| p.id == v || p.name == v)
                        .map(|p| p.id.clone());
                    if found.is_none() {
                        self.problem(c.at, RosterError::UnknownPortfolio);
                    }
                    found
                }
            };
            let news_function = match &r.news_function {
                None => false,
                Some(c) => yes_no(&c.value).unwrap_or_else(|| {
                    self.problem(c.at, RosterError::NotYesNo);
                    false
                }),
            };
            let mut operators = Vec::new();
            if let Some(c) = &r.operators {
                let numbers = staff_numbers(&c.value);
                if numbers.len() > OPERATORS_MAX {
                    self.problem(c.at, RosterError::TooManyOperators);
                }
                let mut outside = false;
                for n in numbers {
                    let Some(person) = self.people.get(n).cloned() else {
                        self.problem(c.at, RosterError::UnknownStaffNo);
                        continue;
                    };
                    if let (Some(o), Some(po)) = (&org, self.person_orgs.get(n))
                        && !self.org_within(po, &o.code)
                    {
                        outside = true;
                    }
                    if !operators.contains(&person) {
                        operators.push(person);
                    }
                }
                if outside {
                    self.problem(c.at, RosterError::OperatorOutside);
                }
            }
            for c in [&r.account_id, &r.registering_body].into_iter().flatten() {
                if c.value.chars().count() > DETAIL_MAX {
                    self.problem(c.at, RosterError::TooLong { max: DETAIL_MAX });
                }
            }
            if let Some(c) = &r.icp
                && !is_icp(c.value.trim())
            {
                self.problem(c.at, RosterError::BadIcp);
            }
            let registration = Registration {
                icp: opt_text(&r.icp),
                account_id: opt_text(&r.account_id),
                registered_on: opt_day(&r.registered_on),
                registering_body: opt_text(&r.registering_body),
            };
            let registered = registration != Registration::default();
            let stored = self
                .model
                .find_platform(&r.code.value)
                .filter(|p| p.code == r.code.value);
            let state = match (&r.state, stored) {
                (None, Some(p)) => Some(p.state),
                (None, None) => Some(PlatformState::Active),
                (Some(c), _) => {
                    let s = platform_state(&c.value);
                    match (s, stored) {
                        (None, _) => {
                            self.problem(c.at, RosterError::UnknownPlatformState);
                        }
                        (Some(s), Some(p)) if s != p.state => {
                            self.problem(
                                c.at,
                                RosterError::PlatformStateChanged { stored: p.state },
                            );
                        }
                        (Some(PlatformState::Planned | PlatformState::Active), None) => {}
                        (Some(_), None) => self.problem(c.at, RosterError::PlatformStartState),
                        _ => {}
                    }
                    s
                }
            };
            if let Some(p) = stored {
                if kind.is_some_and(|k| k != p.kind) {
                    self.problem(
                        r.kind.at,
                        RosterError::PlatformKindChanged { stored: p.kind },
                    );
                }
                if let Some(o) = &org
                    && o.stored.as_deref() != Some(p.org.as_str())
                {
                    let code = self
                        .model
                        .org(&p.org)
                        .map(|o| o.code.clone())
                        .unwrap_or_default();
                    self.problem(r.org.at, RosterError::PlatformOrgChanged { stored: code });
                }
            }
            // Once registered or running, a registration given is given whole.
            if let (Some(kind), Some(state)) = (kind, state)
                && registered
                && state != PlatformState::Planned
            {
                if kind == PlatformKind::Website {
                    if registration.icp.is_none() {
                        self.problem(r.code.at, RosterError::IcpRequired);
                    }
                } else if registration.account_id.is_none()
                    || registration.registered_on.is_none()
                    || registration.registering_body.is_none()
                {
                    self.problem(r.code.at, RosterError::AccountDetailsRequired);
                }
            }
            if self.problems.len() > before {
                continue;
            }
            let (Some(kind), Some(org), Some(state)) = (kind, org, state) else {
                continue;
            };
            let row = r.code.at.row;
            match stored {
                None => self.push(
                    Sheet::Platforms,
                    row,
                    Step::CreatePlatform {
                        code: r.code.value.clone(),
                        name: r.name.value.clone(),
                        kind,
                        org: org.code.clone(),
                        portfolio,
                        news_function,
                        opened_on: opt_day(&r.opened_on),
                        state,
                        operators,
                        registration: registered.then_some(registration),
                    },
                ),
                Some(p) => {
                    let mut stored_ops = p.operators.clone();
                    stored_ops.sort();
                    let mut file_ops: Vec<Option<&str>> = operators
                        .iter()
                        .map(|o| match o {
                            PersonRef::Stored(id) => Some(id.as_str()),
                            PersonRef::New(_) => None,
                        })
                        .collect();
                    file_ops.sort();
                    let same_ops = file_ops.len() == stored_ops.len()
                        && file_ops
                            .iter()
                            .zip(&stored_ops)
                            .all(|(a, b)| *a == Some(b.as_str()));
                    let reg_changed =
                        registered && facts.get(p.id.as_str()).is_none_or(|f| **f != registration);
                    let name = (p.name != r.name.value).then(|| r.name.value.clone());
                    let portfolio = (p.portfolio != portfolio).then_some(portfolio);
                    let news = (p.news_function != news_function).then_some(news_function);
                    let ops = (!same_ops).then_some(operators);
                    let reg = reg_changed.then_some(registration);
                    if name.is_none()
                        && portfolio.is_none()
                        && news.is_none()
                        && ops.is_none()
                        && reg.is_none()
                    {
                        self.same(Sheet::Platforms);
                    } else {
                        self.push(
                            Sheet::Platforms,
                            row,
                            Step::EditPlatform {
                                id: p.id.clone(),
                                code: p.code.clone(),
                                name,
                                portfolio,
                                news_function: news,
                                operators: ops,
                                registration: reg,
                            },
                        );
                    }
                }
            }
        }
    }
}

/// Plans importing `roster` into the model (with `people`'s stored facts): the steps, or
/// every problem, sheet by sheet and row by row. Without the platforms' stored facts
/// ([`plan_with_platforms`]), registration columns given for a stored platform are taken as a
/// change.
pub fn plan(
    pack: &PolicyPack,
    model: &OrgModel,
    people: &[PersonFacts],
    roster: &Roster,
) -> Result<Plan, Vec<RosterProblem>> {
    plan_with_platforms(pack, model, people, &[], roster)
}

/// [`plan`] with the stored registration of platforms (`platforms`), so a roster that repeats
/// it changes nothing.
pub fn plan_with_platforms(
    pack: &PolicyPack,
    model: &OrgModel,
    people: &[PersonFacts],
    platforms: &[PlatformFacts],
    roster: &Roster,
) -> Result<Plan, Vec<RosterProblem>> {
    let mut p = Planner {
        pack,
        model,
        plan: Plan::default(),
        problems: Vec::new(),
        orgs: HashMap::new(),
        people: HashMap::new(),
        person_orgs: HashMap::new(),
        posts: HashMap::new(),
    };
    p.orgs(roster);
    if p.problems.is_empty() {
        p.people(roster, people);
        p.posts(roster);
        let holdings = p.holdings(roster);
        p.assignments(roster, &holdings);
        p.platforms(roster, platforms);
    }
    if p.problems.is_empty() {
        Ok(p.plan)
    } else {
        p.problems.sort_by_key(|x| x.at);
        Err(p.problems)
    }
}

/// The roster of the model as it stands: every org, every person with their facts, every post,
/// holding, assignment and platform — what `zeren export roster` writes, and what importing it
/// again leaves as it is. Cells are numbered as the workbook will have them. Without the
/// platforms' facts ([`roster_with_platforms`]) their registration columns are left empty
/// (which an import reads as "leave it as it is").
pub fn roster_of(model: &OrgModel, people: &[PersonFacts]) -> Roster {
    roster_with_platforms(model, people, &[])
}

/// [`roster_of`] with the platforms' registration (`platforms`).
pub fn roster_with_platforms(
    model: &OrgModel,
    people: &[PersonFacts],
    platforms: &[PlatformFacts],
) -> Roster {
    fn cell<T>(value: T, sheet: Sheet, row: u32, col: u16) -> Cell<T> {
        Cell {
            value,
            at: At { sheet, row, col },
        }
    }
    let code = |id: &str| model.org(id).map(|o| o.code.clone()).unwrap_or_default();
    let staff: HashMap<&str, &str> = people
        .iter()
        .filter_map(|p| p.staff_no.as_deref().map(|s| (p.id.as_str(), s)))
        .collect();
    let staff_no = |id: &str| staff.get(id).map(|s| s.to_string()).unwrap_or_default();
    let mut r = Roster::default();
    for (i, o) in model.orgs().iter().enumerate() {
        let row = i as u32 + 2;
        let s = Sheet::Orgs;
        r.orgs.push(super::OrgRow {
            code: cell(o.code.clone(), s, row, 0),
            name: cell(o.name.clone(), s, row, 1),
            kind: cell(o.kind.as_str().to_string(), s, row, 2),
            parent: o.parent.as_deref().map(|p| cell(code(p), s, row, 3)),
            established_on: o.established_on.map(|d| cell(d, s, row, 4)),
            closed_on: o.closed_on.map(|d| cell(d, s, row, 5)),
        });
    }
    let mut sorted: Vec<&PersonFacts> = people.iter().collect();
    sorted.sort_by(|a, b| (&a.staff_no, &a.id).cmp(&(&b.staff_no, &b.id)));
    for (i, p) in sorted.iter().enumerate() {
        let row = i as u32 + 2;
        let s = Sheet::People;
        r.people.push(super::PersonRow {
            staff_no: cell(p.staff_no.clone().unwrap_or_default(), s, row, 0),
            name: cell(p.name.clone(), s, row, 1),
            org: cell(code(&p.org), s, row, 2),
            email: p.email.clone().map(|v| cell(v, s, row, 3)),
            wecom: p.wecom_id.clone().map(|v| cell(v, s, row, 4)),
            dingtalk: p.dingtalk_id.clone().map(|v| cell(v, s, row, 5)),
            left_on: p.left_on.map(|d| cell(d, s, row, 6)),
        });
    }
    let mut posts: Vec<_> = model.posts().iter().collect();
    posts.sort_by(|a, b| (code(&a.org), &a.title, &a.id).cmp(&(code(&b.org), &b.title, &b.id)));
    for (i, p) in posts.iter().enumerate() {
        let row = i as u32 + 2;
        let s = Sheet::Posts;
        r.posts.push(super::PostRow {
            org: cell(code(&p.org), s, row, 0),
            kind: cell(p.kind.clone(), s, row, 1),
            title: cell(p.title.clone(), s, row, 2),
            closed_on: None,
        });
    }
    for p in &posts {
        for h in model.holdings_of(&p.id) {
            let row = r.holdings.len() as u32 + 2;
            let s = Sheet::Holdings;
            r.holdings.push(super::HoldingRow {
                org: cell(code(&p.org), s, row, 0),
                post: cell(p.title.clone(), s, row, 1),
                staff_no: cell(staff_no(&h.person), s, row, 2),
                start: cell(h.start, s, row, 3),
                end: h.end.map(|d| cell(d, s, row, 4)),
            });
            for a in model.assignments_of(&h.id) {
                let row = r.assignments.len() as u32 + 2;
                let s = Sheet::Assignments;
                r.assignments.push(super::AssignmentRow {
                    org: cell(code(&p.org), s, row, 0),
                    post: cell(p.title.clone(), s, row, 1),
                    staff_no: cell(staff_no(&h.person), s, row, 2),
                    portfolio: cell(a.portfolio.clone(), s, row, 3),
                    start: cell(a.start, s, row, 4),
                    end: a.end.map(|d| cell(d, s, row, 5)),
                });
            }
        }
    }
    let registration: HashMap<&str, &Registration> = platforms
        .iter()
        .map(|f| (f.id.as_str(), &f.registration))
        .collect();
    for (i, p) in model.platforms().iter().enumerate() {
        let row = i as u32 + 2;
        let s = Sheet::Platforms;
        let operators: Vec<&str> = p
            .operators
            .iter()
            .filter_map(|id| staff.get(id.as_str()).copied())
            .collect();
        let reg = registration.get(p.id.as_str());
        r.platforms.push(super::PlatformRow {
            code: cell(p.code.clone(), s, row, 0),
            name: cell(p.name.clone(), s, row, 1),
            kind: cell(p.kind.as_str().to_string(), s, row, 2),
            org: cell(code(&p.org), s, row, 3),
            portfolio: p.portfolio.clone().map(|v| cell(v, s, row, 4)),
            news_function: Some(cell(
                if p.news_function { "是" } else { "否" }.to_string(),
                s,
                row,
                5,
            )),
            opened_on: Some(cell(p.opened_on, s, row, 6)),
            state: Some(cell(p.state.as_str().to_string(), s, row, 7)),
            operators: (!operators.is_empty()).then(|| cell(operators.join("、"), s, row, 8)),
            icp: reg.and_then(|g| g.icp.clone()).map(|v| cell(v, s, row, 9)),
            account_id: reg
                .and_then(|g| g.account_id.clone())
                .map(|v| cell(v, s, row, 10)),
            registered_on: reg
                .and_then(|g| g.registered_on)
                .map(|d| cell(d, s, row, 11)),
            registering_body: reg
                .and_then(|g| g.registering_body.clone())
                .map(|v| cell(v, s, row, 12)),
        });
    }
    r
}
