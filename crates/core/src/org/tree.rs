//! Where an org may sit in the tree, and when it may be moved, closed or reopened.
//!
//! The rules of the org tree that every way in (forms, API, CLI, roster import) shares:
//!
//! - one root, a university-level committee (学校党委; a province puts its universities under
//!   a committee of the same level, 省委教育工委);
//! - a college (学院党委) sits under a university; a unit (机关部门、直属单位) under a
//!   university, a college or another unit; a branch (党支部) under anything but a branch;
//! - an org is never moved into its own subtree, nor under a closed org;
//! - an org closes on a day that has come, no earlier than it was established, after its
//!   children have closed; it reopens only under an open parent.

use super::Org;
use crate::vocab::OrgKind;
use chrono::NaiveDate;

/// Why an org cannot be placed, moved, closed or reopened as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// Only a university-level committee sits at the root.
    #[error("a {kind} needs a parent org; only a university sits at the root")]
    RootKind {
        /// The kind asked for.
        kind: OrgKind,
    },
    /// The tree has its root already.
    #[error("the tree already has its root, `{root}`; create the org under it")]
    RootTaken {
        /// The root's code.
        root: String,
    },
    /// This kind cannot sit under a parent of that kind.
    #[error("a {kind} cannot sit under a {parent}")]
    KindUnder {
        /// The org's kind.
        kind: OrgKind,
        /// The parent's kind.
        parent: OrgKind,
    },
    /// The root stays the root.
    #[error("the root org cannot be moved")]
    MoveRoot,
    /// The new parent lies within the org itself.
    #[error("`{parent}` lies within the org itself")]
    IntoItself {
        /// The new parent's code.
        parent: String,
    },
    /// The parent is closed.
    #[error("`{parent}` was closed on {on}")]
    ParentClosed {
        /// The parent's code.
        parent: String,
        /// Its closing day.
        on: NaiveDate,
    },
    /// Closing before the org was established.
    #[error("the org was established on {established}, after {on}")]
    CloseBeforeEstablished {
        /// The closing day asked for.
        on: NaiveDate,
        /// The day it was established.
        established: NaiveDate,
    },
    /// Children still open on the closing day.
    #[error("{count} child orgs are still open, `{first}` among them; close them first")]
    OpenChildren {
        /// How many.
        count: usize,
        /// The first one's code.
        first: String,
    },
    /// A closing day still to come: an org closes on a day that has come (today or before).
    #[error("the closing day {on} is after today ({today})")]
    CloseInFuture {
        /// The closing day asked for.
        on: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// Closed already.
    #[error("the org was closed on {on} already")]
    AlreadyClosed {
        /// Its closing day.
        on: NaiveDate,
    },
    /// Reopening an org that is open.
    #[error("the org is open")]
    NotClosed,
}

/// Whether `s` is an org (or platform) code: lower-case ASCII letters and digits in groups
/// joined by `-`, at most 64 characters (`cqu-mse-b1`).
pub fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Whether an org of `kind` may sit under a parent of `parent`.
pub fn fits_under(kind: OrgKind, parent: OrgKind) -> bool {
    match kind {
        OrgKind::University => parent == OrgKind::University,
        OrgKind::College => parent == OrgKind::University,
        OrgKind::Unit => parent != OrgKind::Branch,
        OrgKind::Branch => parent != OrgKind::Branch,
    }
}

/// Checks a new org of `kind` under `parent` (`None`: at the root); `root` is the tree's root
/// when it has one.
pub fn check_place(
    kind: OrgKind,
    parent: Option<&Org>,
    root: Option<&Org>,
) -> Result<(), TreeError> {
    let Some(p) = parent else {
        if kind != OrgKind::University {
            return Err(TreeError::RootKind { kind });
        }
        return match root {
            Some(root) => Err(TreeError::RootTaken {
                root: root.code.clone(),
            }),
            None => Ok(()),
        };
    };
    if !fits_under(kind, p.kind) {
        return Err(TreeError::KindUnder {
            kind,
            parent: p.kind,
        });
    }
    match p.closed_on {
        Some(on) => Err(TreeError::ParentClosed {
            parent: p.code.clone(),
            on,
        }),
        None => Ok(()),
    }
}

/// Checks moving `org` under `parent`; `above` is `parent` and every org above it.
pub fn check_move<'a>(
    org: &Org,
    parent: &Org,
    mut above: impl Iterator<Item = &'a Org>,
) -> Result<(), TreeError> {
    if org.parent.is_none() {
        return Err(TreeError::MoveRoot);
    }
    if parent.id == org.id || above.any(|a| a.id == org.id) {
        return Err(TreeError::IntoItself {
            parent: parent.code.clone(),
        });
    }
    check_place(org.kind, Some(parent), None)
}

/// Checks closing `org` on `on`, `today`, given its children.
pub fn check_close(
    org: &Org,
    on: NaiveDate,
    today: NaiveDate,
    children: &[Org],
) -> Result<(), TreeError> {
    if let Some(closed) = org.closed_on {
        return Err(TreeError::AlreadyClosed { on: closed });
    }
    if on > today {
        return Err(TreeError::CloseInFuture { on, today });
    }
    if let Some(established) = org.established_on
        && established > on
    {
        return Err(TreeError::CloseBeforeEstablished { on, established });
    }
    let mut open: Vec<&Org> = children
        .iter()
        .filter(|c| c.closed_on.is_none_or(|c| c > on))
        .collect();
    open.sort_by(|a, b| a.code.cmp(&b.code));
    match open.first() {
        Some(first) => Err(TreeError::OpenChildren {
            count: open.len(),
            first: first.code.clone(),
        }),
        None => Ok(()),
    }
}

/// Checks reopening `org` under its `parent`.
pub fn check_reopen(org: &Org, parent: Option<&Org>) -> Result<(), TreeError> {
    if org.closed_on.is_none() {
        return Err(TreeError::NotClosed);
    }
    match parent.and_then(|p| p.closed_on.map(|on| (p, on))) {
        Some((p, on)) => Err(TreeError::ParentClosed {
            parent: p.code.clone(),
            on,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn org(id: &str, kind: OrgKind, parent: Option<&str>) -> Org {
        Org {
            id: id.into(),
            code: id.into(),
            name: id.into(),
            kind,
            parent: parent.map(str::to_string),
            established_on: None,
            closed_on: None,
        }
    }

    #[test]
    fn one_university_at_the_root() {
        let u = org("u", OrgKind::University, None);
        assert_eq!(check_place(OrgKind::University, None, None), Ok(()));
        assert_eq!(
            check_place(OrgKind::College, None, None),
            Err(TreeError::RootKind {
                kind: OrgKind::College
            })
        );
        assert_eq!(
            check_place(OrgKind::University, None, Some(&u)),
            Err(TreeError::RootTaken { root: "u".into() })
        );
        assert_eq!(check_place(OrgKind::College, Some(&u), Some(&u)), Ok(()));
    }

    #[test]
    fn kinds_sit_where_they_belong() {
        use OrgKind::*;
        assert!(fits_under(College, University));
        assert!(!fits_under(College, College));
        assert!(!fits_under(College, Unit));
        assert!(fits_under(Unit, College));
        assert!(!fits_under(Unit, Branch));
        assert!(fits_under(Branch, Unit));
        assert!(!fits_under(Branch, Branch));
        assert!(fits_under(University, University));
        assert!(!fits_under(University, College));
    }

    #[test]
    fn moves_stay_out_of_their_own_subtree_and_under_open_parents() {
        let u = org("u", OrgKind::University, None);
        let c = org("c", OrgKind::College, Some("u"));
        let b = org("b", OrgKind::Branch, Some("c"));
        let unit = org("d", OrgKind::Unit, Some("c"));
        let mut old = org("old", OrgKind::University, Some("u"));
        old.closed_on = Some(d("2026-01-31"));
        assert_eq!(
            check_move(&u, &c, [&u].into_iter()),
            Err(TreeError::MoveRoot)
        );
        assert_eq!(
            check_move(&c, &unit, [&c, &u].into_iter()),
            Err(TreeError::IntoItself { parent: "d".into() })
        );
        assert_eq!(
            check_move(&c, &c, [&u].into_iter()),
            Err(TreeError::IntoItself { parent: "c".into() })
        );
        assert_eq!(check_move(&b, &unit, [&c, &u].into_iter()), Ok(()));
        assert_eq!(
            check_move(&c, &b, [&c, &u].into_iter()),
            Err(TreeError::IntoItself { parent: "b".into() })
        );
        assert_eq!(
            check_move(&unit, &b, std::iter::empty()),
            Err(TreeError::KindUnder {
                kind: OrgKind::Unit,
                parent: OrgKind::Branch
            })
        );
        assert_eq!(
            check_move(&unit, &old, [&u].into_iter()),
            Err(TreeError::ParentClosed {
                parent: "old".into(),
                on: d("2026-01-31")
            })
        );
    }

    #[test]
    fn closing_waits_for_the_children_and_reopening_for_the_parent() {
        let u = org("u", OrgKind::University, None);
        let mut c = org("c", OrgKind::College, Some("u"));
        c.established_on = Some(d("2020-09-01"));
        let mut b = org("b", OrgKind::Branch, Some("c"));
        b.closed_on = Some(d("2026-03-01"));
        let b2 = org("b2", OrgKind::Branch, Some("c"));
        assert_eq!(
            check_close(
                &c,
                d("2026-06-30"),
                d("2026-11-28"),
                &[b.clone(), b2.clone()]
            ),
            Err(TreeError::OpenChildren {
                count: 1,
                first: "b2".into()
            })
        );
        // A child closing after the day is still open on it.
        let mut later = c.clone();
        later.closed_on = Some(d("2026-07-01"));
        assert_eq!(
            check_close(&u, d("2026-06-30"), d("2026-11-28"), &[later]),
            Err(TreeError::OpenChildren {
                count: 1,
                first: "c".into()
            })
        );
        assert_eq!(
            check_close(&c, d("2026-06-30"), d("2026-11-28"), &[b.clone()]),
            Ok(())
        );
        assert_eq!(
            check_close(&c, d("2019-01-01"), d("2026-11-28"), &[]),
            Err(TreeError::CloseBeforeEstablished {
                on: d("2019-01-01"),
                established: d("2020-09-01")
            })
        );
        assert_eq!(
            check_close(&c, d("2026-11-29"), d("2026-11-28"), &[]),
            Err(TreeError::CloseInFuture {
                on: d("2026-11-29"),
                today: d("2026-11-28")
            })
        );
        assert_eq!(
            check_close(&b, d("2026-06-30"), d("2026-11-28"), &[]),
            Err(TreeError::AlreadyClosed {
                on: d("2026-03-01")
            })
        );
        assert_eq!(check_reopen(&b, Some(&c)), Ok(()));
        assert_eq!(check_reopen(&c, Some(&u)), Err(TreeError::NotClosed));
        let mut closed_parent = c.clone();
        closed_parent.closed_on = Some(d("2026-02-01"));
        assert_eq!(
            check_reopen(&b, Some(&closed_parent)),
            Err(TreeError::ParentClosed {
                parent: "c".into(),
                on: d("2026-02-01")
            })
        );
    }
}
