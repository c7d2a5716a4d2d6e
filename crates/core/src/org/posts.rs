//! Which posts an org may have: the policy's post kinds of its kind, one first-responsible
//! post, portfolios only on leadership posts, nothing new in a closed org.

use super::Org;
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
}
