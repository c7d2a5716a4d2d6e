//! The organisation model: org tree, people, posts, portfolios, platforms and holdings over time.

use crate::period::sub_days;
use crate::vocab::{OrgKind, PlatformKind, PlatformState};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

mod dates;
mod gaps;
pub mod people;
mod posts;
pub mod roster;
mod tree;
pub use dates::{DateChange, DatesEdit, ReasonRequired};
pub use gaps::{Gaps, gaps};
pub use posts::{
    PostError, check_held_within, check_post, check_post_close, check_post_reopen, post_kinds_of,
};
pub use tree::{
    TreeError, check_close, check_move, check_place, check_reopen, fits_under, is_code,
};

/// An organisation in the tree (学校党委 → 学院党委 → 党支部, and units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Storage id.
    pub id: String,
    /// Stable short code, e.g. `cqu-mse`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Kind of org.
    pub kind: OrgKind,
    /// Parent org id; `None` for the root.
    pub parent: Option<String>,
    /// Day the org was established, if known.
    pub established_on: Option<NaiveDate>,
    /// Day the org was closed, if it was.
    pub closed_on: Option<NaiveDate>,
}

impl Org {
    /// Whether the org exists on some day of `[from, to]`.
    pub fn exists_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.established_on.is_none_or(|e| e <= to) && self.closed_on.is_none_or(|c| c >= from)
    }
}

/// A person who can hold posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Storage id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The org the person belongs to.
    pub org: String,
}

/// A post (职务) in one org, e.g. the secretary of `cqu-mse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Post {
    /// Storage id.
    pub id: String,
    /// The org.
    pub org: String,
    /// Post kind id from the policy pack.
    pub kind: String,
    /// Title as the org writes it (e.g. 党委副书记（分管学生工作）).
    pub title: String,
    /// Portfolios (分管领域) this post holds.
    pub portfolios: Vec<String>,
    /// Day the post was closed (its last day), if it was.
    pub closed_on: Option<NaiveDate>,
}

impl Post {
    /// Whether the post exists on `day` (a closed post exists up to its closing day).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.closed_on.is_none_or(|c| day <= c)
    }
}

/// A person holding a post from `start` to `end` (both inclusive; `None` = still holding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// Storage id.
    pub id: String,
    /// The post.
    pub post: String,
    /// The person.
    pub person: String,
    /// First day held.
    pub start: NaiveDate,
    /// Last day held.
    pub end: Option<NaiveDate>,
}

impl Holding {
    /// Whether the holding is valid on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// Whether the holding overlaps `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: Option<NaiveDate>) -> bool {
        self.start <= to.unwrap_or(NaiveDate::MAX) && self.end.is_none_or(|e| e >= from)
    }
}

/// A portfolio (分管领域) held by the holder of a leadership post over some days (一岗双责 with
/// dates): who answers for a portfolio on a day is the person whose holding has an assignment
/// of it in force that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortfolioAssignment {
    /// Storage id.
    pub id: String,
    /// The holding (a person in a leadership post).
    pub holding: String,
    /// Portfolio id from the policy pack.
    pub portfolio: String,
    /// First day held.
    pub start: NaiveDate,
    /// Last day held.
    pub end: Option<NaiveDate>,
}

impl PortfolioAssignment {
    /// Whether the assignment is in force on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// The assignments a post's standing portfolios give its holdings: each holding of a post
    /// holds the portfolios written on the post over all its days, with ids derived from the
    /// holding's (`pa-{holding}-{portfolio}`). The rule an installation that kept portfolios on
    /// posts is carried over by, and the one tests and benchmarks build their models with.
    pub fn standing(posts: &[Post], holdings: &[Holding]) -> Vec<PortfolioAssignment> {
        let by_id: HashMap<&str, &Post> = posts.iter().map(|p| (p.id.as_str(), p)).collect();
        holdings
            .iter()
            .flat_map(|h| {
                by_id
                    .get(h.post.as_str())
                    .into_iter()
                    .flat_map(|p| p.portfolios.iter())
                    .map(|portfolio| PortfolioAssignment {
                        id: standing_id(&h.id, portfolio),
                        holding: h.id.clone(),
                        portfolio: portfolio.clone(),
                        start: h.start,
                        end: h.end,
                    })
            })
            .collect()
    }
}

/// The id of the assignment of `portfolio` a holding gets from its post's standing portfolios.
pub fn standing_id(holding: &str, portfolio: &str) -> String {
    format!("pa-{holding}-{portfolio}")
}

/// Why a portfolio assignment cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    /// End before start.
    #[error("the assignment ends ({end}) before it starts ({start})")]
    EndBeforeStart {
        /// Start.
        start: NaiveDate,
        /// End.
        end: NaiveDate,
    },
    /// The post is not a leadership post: its holder holds no portfolios.
    #[error("post kind `{0}` is not a leadership post; only leaders hold portfolios")]
    NotLeadership(String),
    /// The portfolio is not one of the policy pack's.
    #[error("unknown portfolio `{0}`")]
    UnknownPortfolio(String),
    /// The assignment falls outside the holding it belongs to.
    #[error("the assignment must lie within the holding ({start} to {})", end.map(|d| d.to_string()).unwrap_or_else(|| "now".into()))]
    OutsideHolding {
        /// Holding start.
        start: NaiveDate,
        /// Holding end.
        end: Option<NaiveDate>,
    },
    /// Someone in the same org holds the portfolio on one of the days.
    #[error("the portfolio is already held in this org from {start} to {}", end.map(|d| d.to_string()).unwrap_or_else(|| "now".into()))]
    Overlap {
        /// The assignment it collides with.
        other: String,
        /// Its start.
        start: NaiveDate,
        /// Its end.
        end: Option<NaiveDate>,
    },
    /// A date of an assignment is corrected without saying why.
    #[error("say why the dates are corrected")]
    ReasonRequired,
}

/// Checks a new (or changed) assignment of a portfolio to `holding`, against the other
/// assignments of the same portfolio in the same org (`others`, each with the holding it
/// belongs to): one leader answers for a portfolio of an org on a day.
pub fn check_assignment(
    holding: &Holding,
    others: &[&PortfolioAssignment],
    new: &PortfolioAssignment,
) -> Result<(), AssignmentError> {
    if let Some(end) = new.end
        && end < new.start
    {
        return Err(AssignmentError::EndBeforeStart {
            start: new.start,
            end,
        });
    }
    let within = new.start >= holding.start
        && match (new.end, holding.end) {
            (_, None) => true,
            (Some(e), Some(he)) => e <= he,
            (None, Some(_)) => false,
        };
    if !within {
        return Err(AssignmentError::OutsideHolding {
            start: holding.start,
            end: holding.end,
        });
    }
    let new_end = new.end.unwrap_or(NaiveDate::MAX);
    for a in others
        .iter()
        .filter(|a| a.id != new.id && a.portfolio == new.portfolio)
    {
        if a.start <= new_end && a.end.is_none_or(|e| e >= new.start) {
            return Err(AssignmentError::Overlap {
                other: a.id.clone(),
                start: a.start,
                end: a.end,
            });
        }
    }
    Ok(())
}

/// An official online platform (阵地) in its simplest form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    /// Storage id.
    pub id: String,
    /// Stable short code, e.g. `cqu-mse-wechat`.
    pub code: String,
    /// Name, e.g. 重大材料学院 微信公众号.
    pub name: String,
    /// Kind.
    pub kind: PlatformKind,
    /// Owning org.
    pub org: String,
    /// Portfolio it belongs to (the responsible leader is found through it).
    pub portfolio: Option<String>,
    /// Has news / opinion functions (stricter rules).
    pub news_function: bool,
    /// Day it opened.
    pub opened_on: NaiveDate,
    /// Day it closed, if it did.
    pub closed_on: Option<NaiveDate>,
    /// People who operate it.
    pub operators: Vec<String>,
    /// Where it is in its life (planned, registered, active, suspended, closed).
    pub state: PlatformState,
    /// The day it first went active (began to run), if it has.
    pub active_from: Option<NaiveDate>,
}

impl Platform {
    /// Whether the platform is in the registry on some day of `[from, to]` (entered on
    /// `opened_on`, out from its closing day).
    pub fn open_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.opened_on <= to && self.closed_on.is_none_or(|c| c >= from)
    }

    /// Whether the platform runs on some day of `[from, to]`: it went active by `to` and was
    /// not closed before `from` (a suspended platform still runs: its duties are owed).
    pub fn runs_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.active_from.is_some_and(|a| a <= to) && self.open_during(from, to)
    }
}

/// Why a holding cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoldingError {
    /// End before start.
    #[error("the holding ends ({end}) before it starts ({start})")]
    EndBeforeStart {
        /// Start.
        start: NaiveDate,
        /// End.
        end: NaiveDate,
    },
    /// A single-holder post would have two holders on one day.
    #[error("the post already has a holder from {start} to {}", end.map(|d| d.to_string()).unwrap_or_else(|| "now".into()))]
    Overlap {
        /// The holding it collides with.
        other: String,
        /// Its start.
        start: NaiveDate,
        /// Its end.
        end: Option<NaiveDate>,
    },
    /// The same person would hold the same post twice on one day.
    #[error("this person already holds the post from {start}")]
    SamePerson {
        /// The holding it collides with.
        other: String,
        /// Its start.
        start: NaiveDate,
    },
    /// The handover date does not fall inside the outgoing holding.
    #[error(
        "the handover date {on} must be after the outgoing holding starts ({start}) and within it"
    )]
    HandoverOutside {
        /// Handover day.
        on: NaiveDate,
        /// Outgoing start.
        start: NaiveDate,
    },
    /// No one holds the post on the day before the handover.
    #[error(
        "no one holds the post on {0}, so there is nothing to hand over; record a new holding instead"
    )]
    NothingToHandOver(NaiveDate),
    /// A recorded date is corrected without saying why.
    #[error("say why the dates of the holding are corrected")]
    ReasonRequired,
}

/// Checks a new (or changed) holding against the post's other holdings.
pub fn check_holding(
    single_holder: bool,
    others: &[Holding],
    new: &Holding,
) -> Result<(), HoldingError> {
    if let Some(end) = new.end
        && end < new.start
    {
        return Err(HoldingError::EndBeforeStart {
            start: new.start,
            end,
        });
    }
    for h in others
        .iter()
        .filter(|h| h.id != new.id && h.post == new.post)
    {
        if !h.overlaps(new.start, new.end) {
            continue;
        }
        if h.person == new.person {
            return Err(HoldingError::SamePerson {
                other: h.id.clone(),
                start: h.start,
            });
        }
        if single_holder {
            return Err(HoldingError::Overlap {
                other: h.id.clone(),
                start: h.start,
                end: h.end,
            });
        }
    }
    Ok(())
}

/// A handover (交接) planned on a day: the outgoing holding ends the day before, the new one starts that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The outgoing holding with its new end date.
    pub outgoing: Holding,
    /// The incoming holding.
    pub incoming: Holding,
}

/// Plans a handover of a single-holder post on `on` to `person`.
pub fn plan_handover(
    holdings: &[Holding],
    post: &str,
    person: &str,
    on: NaiveDate,
    incoming_id: String,
) -> Result<Handover, HoldingError> {
    let eve = sub_days(on, 1);
    let current = holdings
        .iter()
        .find(|h| h.post == post && h.covers(eve))
        .ok_or(HoldingError::NothingToHandOver(eve))?;
    if current.start >= on {
        return Err(HoldingError::HandoverOutside {
            on,
            start: current.start,
        });
    }
    let mut outgoing = current.clone();
    outgoing.end = Some(eve);
    let incoming = Holding {
        id: incoming_id,
        post: post.to_string(),
        person: person.to_string(),
        start: on,
        end: current.end.filter(|e| *e >= on),
    };
    let others: Vec<Holding> = holdings
        .iter()
        .filter(|h| h.id != current.id)
        .cloned()
        .chain(std::iter::once(outgoing.clone()))
        .collect();
    check_holding(true, &others, &incoming)?;
    Ok(Handover { outgoing, incoming })
}

/// The whole org model at one moment, indexed for fast questions. Each kind of object is a part
/// of its own, shared between models: a model built from a change ([`OrgModel::changed`])
/// builds again only the parts of the kinds that changed and shares the others, so a write of
/// one person costs the people, not the orgs, posts, holdings and platforms.
#[derive(Debug, Clone, Default)]
pub struct OrgModel {
    orgs: Arc<Orgs>,
    people: Arc<People>,
    posts: Arc<Posts>,
    holdings: Arc<Holdings>,
    assignments: Arc<Assignments>,
    platforms: Arc<Platforms>,
}

/// Orgs by code, with their indexes.
#[derive(Debug, Default)]
struct Orgs {
    list: Vec<Org>,
    by_id: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    children: HashMap<String, Vec<usize>>,
    /// The orgs without a parent.
    tops: Vec<usize>,
}

impl Orgs {
    fn new(mut list: Vec<Org>) -> Orgs {
        list.sort_by(|a, b| a.code.cmp(&b.code));
        let mut part = Orgs {
            by_id: HashMap::with_capacity(list.len()),
            by_code: HashMap::with_capacity(list.len()),
            ..Orgs::default()
        };
        for (i, o) in list.iter().enumerate() {
            part.by_id.insert(o.id.clone(), i);
            part.by_code.insert(o.code.clone(), i);
            match &o.parent {
                Some(p) => part.children.entry(p.clone()).or_default().push(i),
                None => part.tops.push(i),
            }
        }
        part.list = list;
        part
    }
}

/// People by id, and the ids of each org's people: persistent maps, so a model with one person
/// changed shares all the rest with the model before (a province holds a million people).
#[derive(Debug, Default, Clone)]
struct People {
    by_id: imbl::OrdMap<String, Person>,
    by_org: imbl::HashMap<String, imbl::OrdSet<String>>,
}

impl People {
    fn new(list: Vec<Person>) -> People {
        let mut by_org: HashMap<String, imbl::OrdSet<String>> = HashMap::new();
        for p in &list {
            by_org
                .entry(p.org.clone())
                .or_default()
                .insert(p.id.clone());
        }
        People {
            by_id: list.into_iter().map(|p| (p.id.clone(), p)).collect(),
            by_org: by_org.into_iter().collect(),
        }
    }

    /// Adds or replaces a person.
    fn put(&mut self, p: Person) {
        self.take(&p.id);
        let mut ids = self.by_org.get(&p.org).cloned().unwrap_or_default();
        ids.insert(p.id.clone());
        self.by_org.insert(p.org.clone(), ids);
        self.by_id.insert(p.id.clone(), p);
    }

    /// Removes a person, if present.
    fn take(&mut self, id: &str) {
        let Some(old) = self.by_id.remove(id) else {
            return;
        };
        if let Some(ids) = self.by_org.get(&old.org) {
            let mut ids = ids.clone();
            ids.remove(id);
            if ids.is_empty() {
                self.by_org.remove(&old.org);
            } else {
                self.by_org.insert(old.org, ids);
            }
        }
    }
}

/// Posts by id, and per org.
#[derive(Debug, Default)]
struct Posts {
    list: Vec<Post>,
    by_id: HashMap<String, usize>,
    by_org: HashMap<String, Vec<usize>>,
}

impl Posts {
    fn new(mut list: Vec<Post>) -> Posts {
        list.sort_by(|a, b| a.id.cmp(&b.id));
        let mut part = Posts {
            by_id: HashMap::with_capacity(list.len()),
            ..Posts::default()
        };
        for (i, p) in list.iter().enumerate() {
            part.by_id.insert(p.id.clone(), i);
            part.by_org.entry(p.org.clone()).or_default().push(i);
        }
        part.list = list;
        part
    }
}

/// Holdings by post and start, and per post.
#[derive(Debug, Default)]
struct Holdings {
    list: Vec<Holding>,
    /// Holdings per post, sorted by start.
    by_post: HashMap<String, Vec<usize>>,
    /// Holdings per person.
    by_person: HashMap<String, Vec<usize>>,
}

impl Holdings {
    fn new(mut list: Vec<Holding>) -> Holdings {
        list.sort_by(|a, b| (&a.post, a.start, &a.id).cmp(&(&b.post, b.start, &b.id)));
        let mut by_post: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_person: HashMap<String, Vec<usize>> = HashMap::new();
        // Sorted by post, start and id: each post's list comes out in order of start.
        for (i, h) in list.iter().enumerate() {
            by_post.entry(h.post.clone()).or_default().push(i);
            by_person.entry(h.person.clone()).or_default().push(i);
        }
        Holdings {
            list,
            by_post,
            by_person,
        }
    }
}

/// Portfolio assignments, per holding in order of start.
#[derive(Debug, Default)]
struct Assignments {
    list: Vec<PortfolioAssignment>,
    by_holding: HashMap<String, Vec<usize>>,
}

impl Assignments {
    fn new(mut list: Vec<PortfolioAssignment>) -> Assignments {
        list.sort_by(|a, b| (&a.holding, a.start, &a.id).cmp(&(&b.holding, b.start, &b.id)));
        let mut by_holding: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in list.iter().enumerate() {
            by_holding.entry(a.holding.clone()).or_default().push(i);
        }
        Assignments { list, by_holding }
    }
}

/// Platforms by code, with their indexes.
#[derive(Debug, Default)]
struct Platforms {
    list: Vec<Platform>,
    by_id: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    by_org: HashMap<String, Vec<usize>>,
}

impl Platforms {
    fn new(mut list: Vec<Platform>) -> Platforms {
        list.sort_by(|a, b| a.code.cmp(&b.code));
        let mut part = Platforms {
            by_id: HashMap::with_capacity(list.len()),
            by_code: HashMap::with_capacity(list.len()),
            ..Platforms::default()
        };
        for (i, p) in list.iter().enumerate() {
            part.by_id.insert(p.id.clone(), i);
            part.by_code.insert(p.code.clone(), i);
            part.by_org.entry(p.org.clone()).or_default().push(i);
        }
        part.list = list;
        part
    }
}

/// Objects of a model that changed, each by id with its new state, or `None` when it is gone
/// (archived or deleted): what [`OrgModel::changed`] applies.
#[derive(Debug, Clone, Default)]
pub struct ModelChange {
    /// Orgs by id.
    pub orgs: Vec<(String, Option<Org>)>,
    /// People by id.
    pub people: Vec<(String, Option<Person>)>,
    /// Posts by id.
    pub posts: Vec<(String, Option<Post>)>,
    /// Holdings by id.
    pub holdings: Vec<(String, Option<Holding>)>,
    /// Portfolio assignments by id.
    pub assignments: Vec<(String, Option<PortfolioAssignment>)>,
    /// Platforms by id.
    pub platforms: Vec<(String, Option<Platform>)>,
}

impl ModelChange {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.orgs.is_empty()
            && self.people.is_empty()
            && self.posts.is_empty()
            && self.holdings.is_empty()
            && self.assignments.is_empty()
            && self.platforms.is_empty()
    }
}

/// `list` with `changes` applied: an object by id replaced, removed, or added at the end.
fn apply<T: Clone>(
    list: &[T],
    changes: Vec<(String, Option<T>)>,
    id: impl Fn(&T) -> &str,
) -> Vec<T> {
    let mut changes: HashMap<String, Option<T>> = changes.into_iter().collect();
    let mut out: Vec<T> = list
        .iter()
        .filter_map(|x| match changes.remove(id(x)) {
            Some(new) => new,
            None => Some(x.clone()),
        })
        .collect();
    out.extend(changes.into_values().flatten());
    out
}

impl OrgModel {
    /// Builds the indexes. Each list is put in one order whatever order it came in (orgs and
    /// platforms by code, people and posts by id, holdings by post and start, assignments by
    /// holding and start), so a model built from a change ([`OrgModel::changed`]) is the model a
    /// whole load would build.
    pub fn new(
        orgs: Vec<Org>,
        people: Vec<Person>,
        posts: Vec<Post>,
        holdings: Vec<Holding>,
        assignments: Vec<PortfolioAssignment>,
        platforms: Vec<Platform>,
    ) -> Self {
        OrgModel {
            orgs: Arc::new(Orgs::new(orgs)),
            people: Arc::new(People::new(people)),
            posts: Arc::new(Posts::new(posts)),
            holdings: Arc::new(Holdings::new(holdings)),
            assignments: Arc::new(Assignments::new(assignments)),
            platforms: Arc::new(Platforms::new(platforms)),
        }
    }

    /// This model with `change` applied: the parts of the kinds that changed are built again
    /// (a copy of their list with the change, and their indexes), the others are shared;
    /// nothing is read or parsed.
    pub fn changed(&self, change: ModelChange) -> OrgModel {
        /// The part again with `changes` applied, or the same part when there are none.
        fn part<T: Clone, P>(
            current: &Arc<P>,
            list: impl Fn(&P) -> &[T],
            changes: Vec<(String, Option<T>)>,
            id: impl Fn(&T) -> &str,
            build: impl Fn(Vec<T>) -> P,
        ) -> Arc<P> {
            if changes.is_empty() {
                Arc::clone(current)
            } else {
                Arc::new(build(apply(list(current), changes, id)))
            }
        }
        OrgModel {
            orgs: part(&self.orgs, |p| &p.list, change.orgs, |o| &o.id, Orgs::new),
            people: if change.people.is_empty() {
                Arc::clone(&self.people)
            } else {
                let mut people = (*self.people).clone();
                for (id, now) in change.people {
                    match now {
                        Some(p) => people.put(p),
                        None => people.take(&id),
                    }
                }
                Arc::new(people)
            },
            posts: part(
                &self.posts,
                |p| &p.list,
                change.posts,
                |p| &p.id,
                Posts::new,
            ),
            holdings: part(
                &self.holdings,
                |p| &p.list,
                change.holdings,
                |h| &h.id,
                Holdings::new,
            ),
            assignments: part(
                &self.assignments,
                |p| &p.list,
                change.assignments,
                |a| &a.id,
                Assignments::new,
            ),
            platforms: part(
                &self.platforms,
                |p| &p.list,
                change.platforms,
                |p| &p.id,
                Platforms::new,
            ),
        }
    }

    /// All orgs.
    pub fn orgs(&self) -> &[Org] {
        &self.orgs.list
    }
    /// All people, by id.
    pub fn people(&self) -> impl ExactSizeIterator<Item = &Person> + '_ {
        self.people.by_id.values()
    }

    /// How many people there are.
    pub fn people_count(&self) -> usize {
        self.people.by_id.len()
    }

    /// The people of an org (not of the orgs below it), by id.
    pub fn people_of<'a>(&'a self, org_id: &str) -> impl Iterator<Item = &'a Person> + 'a {
        self.people
            .by_org
            .get(org_id)
            .into_iter()
            .flat_map(|ids| ids.iter())
            .filter_map(|id| self.people.by_id.get(id))
    }

    /// The people of an org's subtree, org by org.
    pub fn people_within<'a>(&'a self, org_id: &str) -> impl Iterator<Item = &'a Person> + 'a {
        self.subtree(org_id)
            .into_iter()
            .flat_map(|o| self.people_of(&o.id))
    }
    /// All posts.
    pub fn posts(&self) -> &[Post] {
        &self.posts.list
    }
    /// All holdings.
    pub fn holdings(&self) -> &[Holding] {
        &self.holdings.list
    }
    /// All portfolio assignments.
    pub fn assignments(&self) -> &[PortfolioAssignment] {
        &self.assignments.list
    }

    /// The portfolio assignments of a holding, in order of start.
    pub fn assignments_of(&self, holding_id: &str) -> impl Iterator<Item = &PortfolioAssignment> {
        self.assignments
            .by_holding
            .get(holding_id)
            .into_iter()
            .flatten()
            .map(|i| &self.assignments.list[*i])
    }

    /// The holdings of an org's posts that hold `portfolio` on `day`, with the assignment (by
    /// post id, then start): normally one.
    pub fn portfolio_holders_on(
        &self,
        org_id: &str,
        portfolio: &str,
        day: NaiveDate,
    ) -> Vec<(&Post, &Holding, &PortfolioAssignment)> {
        let mut posts: Vec<&Post> = self.posts_of(org_id).collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut out = Vec::new();
        for post in posts {
            for h in self.holders_on(&post.id, day) {
                if let Some(a) = self
                    .assignments_of(&h.id)
                    .find(|a| a.portfolio == portfolio && a.covers(day))
                {
                    out.push((post, h, a));
                }
            }
        }
        out
    }

    /// The portfolios a holding holds on `day`.
    pub fn portfolios_on(&self, holding_id: &str, day: NaiveDate) -> Vec<&str> {
        self.assignments_of(holding_id)
            .filter(|a| a.covers(day))
            .map(|a| a.portfolio.as_str())
            .collect()
    }

    /// All platforms.
    pub fn platforms(&self) -> &[Platform] {
        &self.platforms.list
    }

    /// The org with this id.
    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.by_id.get(id).map(|i| &self.orgs.list[*i])
    }

    /// The org with this code, or else this id.
    pub fn find_org(&self, code_or_id: &str) -> Option<&Org> {
        self.orgs
            .by_code
            .get(code_or_id)
            .map(|i| &self.orgs.list[*i])
            .or_else(|| self.org(code_or_id))
    }

    /// The person with this id.
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.by_id.get(id)
    }

    /// The post with this id.
    pub fn post(&self, id: &str) -> Option<&Post> {
        self.posts.by_id.get(id).map(|i| &self.posts.list[*i])
    }

    /// The platform with this code, or else this id.
    pub fn find_platform(&self, code_or_id: &str) -> Option<&Platform> {
        self.platforms
            .by_code
            .get(code_or_id)
            .or_else(|| self.platforms.by_id.get(code_or_id))
            .map(|i| &self.platforms.list[*i])
    }

    /// The org's parent.
    pub fn parent(&self, org: &Org) -> Option<&Org> {
        org.parent.as_deref().and_then(|p| self.org(p))
    }

    /// Direct children of an org.
    pub fn children(&self, org_id: &str) -> impl Iterator<Item = &Org> {
        self.orgs
            .children
            .get(org_id)
            .into_iter()
            .flatten()
            .map(|i| &self.orgs.list[*i])
    }

    /// How many orgs `org_id`'s subtree holds (itself included), counted up to `cap` only: a
    /// province's tree is not walked to tell that it is bigger than a few hundred.
    pub fn subtree_len_up_to(&self, org_id: &str, cap: usize) -> usize {
        let mut n = 0;
        let mut stack: Vec<&Org> = self.org(org_id).into_iter().collect();
        while let Some(o) = stack.pop() {
            n += 1;
            if n >= cap {
                break;
            }
            stack.extend(self.children(&o.id));
        }
        n
    }

    /// The org and everything below it, parents before children.
    pub fn subtree(&self, org_id: &str) -> Vec<&Org> {
        let mut out = Vec::new();
        let mut stack: Vec<&Org> = self.org(org_id).into_iter().collect();
        while let Some(o) = stack.pop() {
            out.push(o);
            let mut kids: Vec<&Org> = self.children(&o.id).collect();
            kids.sort_by(|a, b| b.code.cmp(&a.code));
            stack.extend(kids);
        }
        out
    }

    /// Whether `org_id` is `ancestor_id` or lies below it.
    pub fn is_within(&self, org_id: &str, ancestor_id: &str) -> bool {
        let mut cur = self.org(org_id);
        let mut steps = 0;
        while let Some(o) = cur {
            if o.id == ancestor_id {
                return true;
            }
            steps += 1;
            if steps > self.orgs.list.len() {
                return false;
            }
            cur = self.parent(o);
        }
        false
    }

    /// Posts of an org.
    pub fn posts_of(&self, org_id: &str) -> impl Iterator<Item = &Post> {
        self.posts
            .by_org
            .get(org_id)
            .into_iter()
            .flatten()
            .map(|i| &self.posts.list[*i])
    }

    /// Platforms owned by an org.
    pub fn platforms_of(&self, org_id: &str) -> impl Iterator<Item = &Platform> {
        self.platforms
            .by_org
            .get(org_id)
            .into_iter()
            .flatten()
            .map(|i| &self.platforms.list[*i])
    }

    /// Holdings of a person, by post and start.
    pub fn holdings_of_person(&self, person_id: &str) -> impl Iterator<Item = &Holding> {
        self.holdings
            .by_person
            .get(person_id)
            .into_iter()
            .flatten()
            .map(|i| &self.holdings.list[*i])
    }

    /// The orgs at the top of the tree (without a parent).
    pub fn tops(&self) -> impl Iterator<Item = &Org> {
        self.orgs.tops.iter().map(|i| &self.orgs.list[*i])
    }

    /// Holdings of a post, oldest first.
    pub fn holdings_of(&self, post_id: &str) -> impl Iterator<Item = &Holding> {
        self.holdings
            .by_post
            .get(post_id)
            .into_iter()
            .flatten()
            .map(|i| &self.holdings.list[*i])
    }

    /// Holdings of a post valid on `day`, earliest start first.
    pub fn holders_on(&self, post_id: &str, day: NaiveDate) -> Vec<&Holding> {
        let Some(list) = self.holdings.by_post.get(post_id) else {
            return Vec::new();
        };
        // Holdings are sorted by start: skip those starting after `day`.
        let all = &self.holdings.list;
        let cut = list.partition_point(|i| all[*i].start <= day);
        list[..cut]
            .iter()
            .map(|i| &all[*i])
            .filter(|h| h.covers(day))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn h(id: &str, person: &str, start: &str, end: Option<&str>) -> Holding {
        Holding {
            id: id.into(),
            post: "p".into(),
            person: person.into(),
            start: d(start),
            end: end.map(d),
        }
    }

    #[test]
    fn single_holder_posts_never_have_two_holders() {
        let others = vec![h("a", "x", "2020-01-01", None)];
        let err = check_holding(true, &others, &h("b", "y", "2026-07-01", None));
        assert!(matches!(err, Err(HoldingError::Overlap { .. })));
        assert!(check_holding(false, &others, &h("b", "y", "2026-07-01", None)).is_ok());
        let closed = vec![h("a", "x", "2020-01-01", Some("2026-06-30"))];
        assert!(check_holding(true, &closed, &h("b", "y", "2026-07-01", None)).is_ok());
        assert!(check_holding(true, &closed, &h("b", "y", "2026-06-30", None)).is_err());
    }

    #[test]
    fn end_not_before_start() {
        let err = check_holding(true, &[], &h("a", "x", "2026-07-01", Some("2026-06-30")));
        assert!(matches!(err, Err(HoldingError::EndBeforeStart { .. })));
        assert!(check_holding(true, &[], &h("a", "x", "2026-07-01", Some("2026-07-01"))).is_ok());
    }

    #[test]
    fn handover_ends_one_and_starts_the_next() {
        let hs = vec![h("a", "x", "2020-01-01", None)];
        let plan = plan_handover(&hs, "p", "y", d("2026-07-01"), "b".into()).unwrap();
        assert_eq!(plan.outgoing.end, Some(d("2026-06-30")));
        assert_eq!(plan.incoming.start, d("2026-07-01"));
        assert_eq!(plan.incoming.person, "y");
        assert!(plan_handover(&hs, "p", "y", d("2020-01-01"), "b".into()).is_err());
        assert!(plan_handover(&hs, "p", "y", d("2019-01-01"), "b".into()).is_err());
    }

    #[test]
    fn subtree_sizes_are_counted_up_to_a_cap_and_tops_and_holdings_per_person_are_indexed() {
        let org = |id: &str, parent: Option<&str>| Org {
            id: id.into(),
            code: id.into(),
            name: id.into(),
            kind: crate::vocab::OrgKind::College,
            parent: parent.map(str::to_string),
            established_on: None,
            closed_on: None,
        };
        let mut orgs = vec![org("root", None), org("other", None)];
        for i in 0..10 {
            orgs.push(org(&format!("c{i}"), Some("root")));
        }
        let m = OrgModel::new(
            orgs,
            vec![],
            vec![],
            vec![
                h("a", "x", "2020-01-01", Some("2026-06-30")),
                h("b", "y", "2026-07-01", None),
            ],
            vec![],
            vec![],
        );
        assert_eq!(m.subtree_len_up_to("root", 100), 11);
        assert_eq!(m.subtree_len_up_to("root", 5), 5);
        assert_eq!(m.subtree_len_up_to("c3", 100), 1);
        assert_eq!(m.subtree_len_up_to("nowhere", 100), 0);
        let tops: Vec<&str> = m.tops().map(|o| o.id.as_str()).collect();
        assert_eq!(tops, ["other", "root"]);
        let of_x: Vec<&str> = m.holdings_of_person("x").map(|h| h.id.as_str()).collect();
        assert_eq!(of_x, ["a"]);
        assert_eq!(m.holdings_of_person("z").count(), 0);
    }

    #[test]
    fn holders_on_a_day() {
        let m = OrgModel::new(
            vec![],
            vec![],
            vec![],
            vec![
                h("a", "x", "2020-01-01", Some("2026-06-30")),
                h("b", "y", "2026-07-01", None),
            ],
            vec![],
            vec![],
        );
        assert_eq!(m.holders_on("p", d("2026-06-30"))[0].person, "x");
        assert_eq!(m.holders_on("p", d("2026-07-01"))[0].person, "y");
        assert!(m.holders_on("p", d("2019-12-31")).is_empty());
    }
}
