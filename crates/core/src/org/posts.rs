//! Which posts an org may have: the policy's post kinds of its kind, one first-responsible
//! post, portfolios only on leadership posts, nothing new in a closed org; and when a post
//! closes (on a day that has come, once nobody holds it after that day) or reopens (in an open
//! org). A closed post is kept with its history, never deleted; nobody holds it after its
//! closing day.

use super::{Holding, Org, Post};
use crate::policy::PolicyPack;
use crate::vocab::OrgKind;
use chrono::NaiveDate;

/// Why a post cannot be created as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    /// The policy has no such post kind.
    #[error("unknown post kind `{kind}`")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
    },
    /// The post kind is not one of this kind of org.
    #[error("a {kind} is not a post of a {org_kind}")]
    NotOfOrg {
        /// The post kind.
        kind: String,
        /// The org's kind.
        org_kind: OrgKind,
    },
    /// The policy has no such portfolio.
    #[error("unknown portfolio `{portfolio}`")]
    UnknownPortfolio {
        /// The portfolio asked for.
        portfolio: String,
    },
    /// Portfolios belong to leadership posts only.
    #[error("a {kind} is not a leadership post and holds no portfolio")]
    NotLeadership {
        /// The post kind.
        kind: String,
    },
    /// The org has its first-responsible post already.
    #[error("the org has its {kind} post already")]
    FirstResponsibleTaken {
        /// The post kind.
        kind: String,
    },
    /// The org is closed.
    #[error("the org was closed on {on}")]
    OrgClosed {
        /// Its closing day.
        on: NaiveDate,
    },
    /// The post is closed: nobody holds it after its closing day.
    #[error("the post was closed on {on}; nobody holds it after that day")]
    PostClosed {
        /// Its closing day.
        on: NaiveDate,
    },
    /// Someone still holds the post after the closing day: the holding is ended first (a
    /// closing never ends a holding by itself, so that no one loses a post unnoticed).
    #[error(
        "the post is held after {on} (holding `{holding}` from {start}); end the holding first"
    )]
    HeldAfterClosing {
        /// The closing day asked for.
        on: NaiveDate,
        /// The first such holding.
        holding: String,
        /// Its holder.
        person: String,
        /// Its first day.
        start: NaiveDate,
        /// Its last day, if it has one.
        end: Option<NaiveDate>,
    },
    /// A closing day still to come: a post closes on a day that has come (today or before).
    #[error("the closing day {on} is after today ({today})")]
    CloseInFuture {
        /// The closing day asked for.
        on: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// Closed already.
    #[error("the post was closed on {on} already")]
    AlreadyClosed {
        /// Its closing day.
        on: NaiveDate,
    },
    /// Reopening a post that is open.
    #[error("the post is open")]
    NotClosed,
}

/// Checks a new post of `kind` in `org` holding `portfolios`, where the org has `same_kind`
/// open posts of that kind already.
pub fn check_post(
    pack: &PolicyPack,
    org: &Org,
    kind: &str,
    portfolios: &[&str],
    same_kind: usize,
) -> Result<(), PostError> {
    if let Some(on) = org.closed_on {
        return Err(PostError::OrgClosed { on });
    }
    let pk = pack.post_kind(kind).ok_or_else(|| PostError::UnknownKind {
        kind: kind.to_string(),
    })?;
    if !pk.org_kinds.contains(&org.kind) {
        return Err(PostError::NotOfOrg {
            kind: kind.to_string(),
            org_kind: org.kind,
        });
    }
    if let Some(p) = portfolios.iter().find(|p| pack.portfolio(p).is_none()) {
        return Err(PostError::UnknownPortfolio {
            portfolio: p.to_string(),
        });
    }
    if !portfolios.is_empty() && !pk.leadership {
        return Err(PostError::NotLeadership {
            kind: kind.to_string(),
        });
    }
    if pk.first_responsible && same_kind > 0 {
        return Err(PostError::FirstResponsibleTaken {
            kind: kind.to_string(),
        });
    }
    Ok(())
}

/// Checks closing `post` on `on`, `today`, given the post's holdings: refused while one of
/// them runs past `on` (or starts after it) — the holding is ended first, on purpose, by
/// whoever closes the post.
pub fn check_post_close(
    post: &Post,
    on: NaiveDate,
    today: NaiveDate,
    holdings: &[Holding],
) -> Result<(), PostError> {
    if let Some(closed) = post.closed_on {
        return Err(PostError::AlreadyClosed { on: closed });
    }
    if on > today {
        return Err(PostError::CloseInFuture { on, today });
    }
    let mut after: Vec<&Holding> = holdings
        .iter()
        .filter(|h| h.post == post.id && h.end.is_none_or(|e| e > on))
        .collect();
    after.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    match after.first() {
        Some(h) => Err(PostError::HeldAfterClosing {
            on,
            holding: h.id.clone(),
            person: h.person.clone(),
            start: h.start,
            end: h.end,
        }),
        None => Ok(()),
    }
}

/// Checks reopening `post` of `org`: a closed post, in an open org.
pub fn check_post_reopen(post: &Post, org: &Org) -> Result<(), PostError> {
    if post.closed_on.is_none() {
        return Err(PostError::NotClosed);
    }
    match org.closed_on {
        Some(on) => Err(PostError::OrgClosed { on }),
        None => Ok(()),
    }
}

/// Checks that a holding from `start` to `end` lies within the post's days: nobody holds a
/// closed post after its closing day.
pub fn check_held_within(
    post: &Post,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<(), PostError> {
    match post.closed_on {
        Some(on) if start > on || end.is_none_or(|e| e > on) => Err(PostError::PostClosed { on }),
        _ => Ok(()),
    }
}

/// The post kinds an org of `kind` may have, in the policy's order.
pub fn post_kinds_of(
    pack: &PolicyPack,
    kind: OrgKind,
) -> impl Iterator<Item = &crate::policy::PostKind> {
    pack.post_kinds
        .iter()
        .filter(move |pk| pk.org_kinds.contains(&kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin_pack;

    fn college(closed: Option<&str>) -> Org {
        Org {
            id: "c".into(),
            code: "c".into(),
            name: "c".into(),
            kind: OrgKind::College,
            parent: Some("u".into()),
            established_on: None,
            closed_on: closed.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn posts_follow_the_policy() {
        let pack = builtin_pack().unwrap();
        let c = college(None);
        assert_eq!(check_post(&pack, &c, "secretary", &[], 0), Ok(()));
        assert_eq!(
            check_post(&pack, &c, "secretary", &[], 1),
            Err(PostError::FirstResponsibleTaken {
                kind: "secretary".into()
            })
        );
        assert_eq!(
            check_post(&pack, &c, "pope", &[], 0),
            Err(PostError::UnknownKind {
                kind: "pope".into()
            })
        );
        assert_eq!(
            check_post(&pack, &c, "branch-secretary", &[], 0),
            Err(PostError::NotOfOrg {
                kind: "branch-secretary".into(),
                org_kind: OrgKind::College
            })
        );
        assert_eq!(
            check_post(&pack, &c, "deputy-secretary", &["weather"], 0),
            Err(PostError::UnknownPortfolio {
                portfolio: "weather".into()
            })
        );
        assert_eq!(
            check_post(&pack, &c, "platform-operator", &["publicity"], 0),
            Err(PostError::NotLeadership {
                kind: "platform-operator".into()
            })
        );
        assert_eq!(
            check_post(&pack, &c, "deputy-secretary", &["publicity"], 3),
            Ok(())
        );
        assert_eq!(
            check_post(
                &pack,
                &college(Some("2026-01-01")),
                "deputy-secretary",
                &[],
                0
            ),
            Err(PostError::OrgClosed {
                on: "2026-01-01".parse().unwrap()
            })
        );
        let kinds: Vec<&str> = post_kinds_of(&pack, OrgKind::College)
            .map(|k| k.id.as_str())
            .collect();
        assert!(kinds.contains(&"secretary") && !kinds.contains(&"branch-secretary"));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn holding(id: &str, start: &str, end: Option<&str>) -> Holding {
        Holding {
            id: id.into(),
            post: "p".into(),
            person: format!("person-{id}"),
            start: d(start),
            end: end.map(d),
        }
    }

    fn post(closed: Option<&str>) -> Post {
        Post {
            id: "p".into(),
            org: "c".into(),
            kind: "deputy-secretary".into(),
            title: "副书记".into(),
            portfolios: vec![],
            closed_on: closed.map(d),
        }
    }

    #[test]
    fn a_post_closes_once_nobody_holds_it_after_the_day_and_reopens_in_an_open_org() {
        let today = d("2026-11-28");
        let on = d("2026-06-30");
        let ended = holding("a", "2020-01-01", Some("2026-06-30"));
        assert_eq!(
            check_post_close(&post(None), on, today, std::slice::from_ref(&ended)),
            Ok(())
        );
        let open = holding("b", "2026-07-01", None);
        assert_eq!(
            check_post_close(&post(None), on, today, &[ended.clone(), open]),
            Err(PostError::HeldAfterClosing {
                on,
                holding: "b".into(),
                person: "person-b".into(),
                start: d("2026-07-01"),
                end: None
            })
        );
        // A holding of another post does not count.
        let mut elsewhere = holding("c", "2020-01-01", None);
        elsewhere.post = "q".into();
        assert_eq!(
            check_post_close(&post(None), on, today, &[elsewhere]),
            Ok(())
        );
        assert_eq!(
            check_post_close(&post(None), d("2026-11-29"), today, &[]),
            Err(PostError::CloseInFuture {
                on: d("2026-11-29"),
                today
            })
        );
        assert_eq!(
            check_post_close(&post(Some("2026-01-31")), on, today, &[]),
            Err(PostError::AlreadyClosed {
                on: d("2026-01-31")
            })
        );
        let c = college(None);
        assert_eq!(check_post_reopen(&post(Some("2026-01-31")), &c), Ok(()));
        assert_eq!(
            check_post_reopen(&post(None), &c),
            Err(PostError::NotClosed)
        );
        assert_eq!(
            check_post_reopen(&post(Some("2026-01-31")), &college(Some("2026-02-01"))),
            Err(PostError::OrgClosed {
                on: d("2026-02-01")
            })
        );
    }

    #[test]
    fn nobody_holds_a_closed_post_after_its_closing_day() {
        let closed = post(Some("2026-06-30"));
        assert_eq!(
            check_held_within(&closed, d("2020-01-01"), Some(d("2026-06-30"))),
            Ok(())
        );
        for (start, end) in [
            ("2020-01-01", None),
            ("2020-01-01", Some("2026-07-01")),
            ("2026-07-01", Some("2026-08-01")),
        ] {
            assert_eq!(
                check_held_within(&closed, d(start), end.map(d)),
                Err(PostError::PostClosed {
                    on: d("2026-06-30")
                })
            );
        }
        assert_eq!(
            check_held_within(&post(None), d("2030-01-01"), None),
            Ok(())
        );
        assert!(closed.open_on(d("2026-06-30")) && !closed.open_on(d("2026-07-01")));
    }
}
