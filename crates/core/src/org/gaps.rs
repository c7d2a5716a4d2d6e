//! What an org subtree still lacks for the policy to be carried out (the getting-started page
//! of a new installation, and a check for an old one): no colleges under the university, posts
//! nobody holds, portfolios no leader holds, and duties whose responsible post is vacant so that
//! they pass up the chain.

use crate::org::{Org, OrgModel, Post};
use crate::policy::{PolicyPack, Subject};
use crate::responsibility::{Target, resolve};
use crate::vocab::OrgKind;
use chrono::NaiveDate;

/// What is missing in a subtree on a day. Each list is in tree order, capped at `limit` entries
/// (with the full count beside it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gaps<'a> {
    /// The subtree's root is a university with no college under it.
    pub no_colleges: bool,
    /// Posts existing on the day (not closed before it) with no holder on the day.
    pub vacant_posts: Vec<(&'a Org, &'a Post)>,
    /// How many there are.
    pub vacant_posts_total: usize,
    /// Portfolios of the policy no leader of a college (or the university) holds on the day.
    pub unheld_portfolios: Vec<(&'a Org, String)>,
    /// How many there are.
    pub unheld_portfolios_total: usize,
    /// Duties owed by an org whose responsible post is vacant on the day (they pass up).
    pub vacant_duties: Vec<(&'a Org, String)>,
    /// How many there are.
    pub vacant_duties_total: usize,
}

impl Gaps<'_> {
    /// Whether nothing is missing.
    pub fn is_empty(&self) -> bool {
        !self.no_colleges
            && self.vacant_posts_total == 0
            && self.unheld_portfolios_total == 0
            && self.vacant_duties_total == 0
    }
}

fn push<T>(list: &mut Vec<T>, total: &mut usize, limit: usize, item: T) {
    *total += 1;
    if list.len() < limit {
        list.push(item);
    }
}

/// The gaps of `root`'s subtree on `day`, each list capped at `limit`.
pub fn gaps<'a>(
    pack: &PolicyPack,
    model: &'a OrgModel,
    root: &'a Org,
    day: NaiveDate,
    limit: usize,
) -> Gaps<'a> {
    let mut g = Gaps {
        no_colleges: root.kind == OrgKind::University
            && !model
                .children(&root.id)
                .any(|c| c.kind == OrgKind::College && c.closed_on.is_none()),
        ..Gaps::default()
    };
    let open = |o: &Org| o.exists_during(day, day);
    for org in model.subtree(&root.id).into_iter().filter(|o| open(o)) {
        // A post closed before the day is no vacancy: it no longer exists.
        let mut posts: Vec<&Post> = model.posts_of(&org.id).filter(|p| p.open_on(day)).collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        for p in &posts {
            if model.holders_on(&p.id, day).is_empty() {
                push(
                    &mut g.vacant_posts,
                    &mut g.vacant_posts_total,
                    limit,
                    (org, *p),
                );
            }
        }
        if matches!(org.kind, OrgKind::College | OrgKind::University) {
            for portfolio in &pack.portfolios {
                if model
                    .portfolio_holders_on(&org.id, &portfolio.id, day)
                    .is_empty()
                {
                    push(
                        &mut g.unheld_portfolios,
                        &mut g.unheld_portfolios_total,
                        limit,
                        (org, portfolio.id.clone()),
                    );
                }
            }
        }
        for duty in &pack.duties {
            let Subject::Org { org_kinds } = &duty.subject else {
                continue;
            };
            if !org_kinds.contains(&org.kind) {
                continue;
            }
            let target = Target::Duty {
                duty,
                platform: None,
            };
            if resolve(pack, model, org, target, day).is_ok_and(|a| a.vacant) {
                push(
                    &mut g.vacant_duties,
                    &mut g.vacant_duties_total,
                    limit,
                    (org, duty.id.clone()),
                );
            }
        }
    }
    g
}
