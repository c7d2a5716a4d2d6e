//! Linking an identity a directory vouches for to a person of the roster, and to the person's
//! account.

use super::{LinkKey, Method};
use crate::lang::Lang;

/// What a directory said of the person signing in. Only `key` decides who it is; the rest is
/// kept in the audit entry and, for `groups`, read against the mapped grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryIdentity {
    /// The directory's own name of the user (CAS user, LDAP DN, OIDC `sub`, app user id).
    pub subject: String,
    /// The value of the configured key (工号 by default), where the directory gave one.
    pub key: Option<String>,
    /// The name the directory gives, if any.
    pub name: Option<String>,
    /// The groups the directory lists (LDAP).
    pub groups: Vec<String>,
}

/// A person whose key matches, with their account if they have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The person's id.
    pub person_id: String,
    /// Whether the person has left (archived, or a leaving day on or before today).
    pub left: bool,
    /// The person's account: id, whether it is an administrator's, whether it is disabled.
    pub account: Option<(String, bool, bool)>,
}

/// Whom the identity signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// This account.
    Account(String),
    /// This person, who has no account yet: one is made (accounts made on first sign-in).
    Provision(String),
}

/// Why an identity signs in as no one. Each message names the key and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRefusal {
    /// The directory gave no value for the key.
    NoKey {
        /// The attribute or claim looked at.
        field: String,
    },
    /// No person has the value.
    Unknown {
        /// The value.
        value: String,
    },
    /// More than one person has it (names shared, say).
    Ambiguous {
        /// The value.
        value: String,
        /// How many.
        count: usize,
    },
    /// The person has left.
    Left {
        /// The value.
        value: String,
    },
    /// The person has no account, and accounts are not made on first sign-in.
    NoAccount {
        /// The value.
        value: String,
    },
    /// The account is disabled.
    Disabled,
    /// The account is an administrator's: administrators sign in locally only.
    Administrator,
}

impl LinkRefusal {
    /// Stable spelling (audit log).
    pub fn slug(&self) -> &'static str {
        match self {
            LinkRefusal::NoKey { .. } => "no-key",
            LinkRefusal::Unknown { .. } => "unknown-person",
            LinkRefusal::Ambiguous { .. } => "ambiguous",
            LinkRefusal::Left { .. } => "left",
            LinkRefusal::NoAccount { .. } => "no-account",
            LinkRefusal::Disabled => "disabled",
            LinkRefusal::Administrator => "administrator",
        }
    }

    /// What the user is told.
    pub fn message(&self, method: Method, key: LinkKey, lang: Lang) -> String {
        let via = method.label(lang);
        let k = key.label(lang);
        match (self, lang) {
            (LinkRefusal::NoKey { field }, Lang::Zh) => format!(
                "{via}没有提供{k}（{field}），无法确认您在本系统中的身份。请联系系统管理员。"
            ),
            (LinkRefusal::NoKey { field }, Lang::En) => format!(
                "{via} gave no {k} ({field}), so you cannot be matched to a person here. Ask the system administrator."
            ),
            (LinkRefusal::Unknown { value }, Lang::Zh) => format!(
                "{via}确认了您的身份，但本系统名册中没有{k}为「{value}」的人员。请联系组织部门在名册中登记。"
            ),
            (LinkRefusal::Unknown { value }, Lang::En) => format!(
                "{via} confirmed who you are, but no person here has the {k} `{value}`. Ask the roster keepers to record it."
            ),
            (LinkRefusal::Ambiguous { value, count }, Lang::Zh) => format!(
                "本系统名册中有 {count} 位人员的{k}为「{value}」，无法确定是哪一位。请联系系统管理员改用工号匹配。"
            ),
            (LinkRefusal::Ambiguous { value, count }, Lang::En) => format!(
                "{count} people here have the {k} `{value}`; which one is you cannot be told. Ask the system administrator to match on staff numbers."
            ),
            (LinkRefusal::Left { value }, Lang::Zh) => {
                format!("{k}为「{value}」的人员已离职或调出，不能登录。")
            }
            (LinkRefusal::Left { value }, Lang::En) => {
                format!("The person with the {k} `{value}` has left and cannot sign in.")
            }
            (LinkRefusal::NoAccount { value }, Lang::Zh) => {
                format!("{k}为「{value}」的人员尚未开通本系统账号。请联系安全管理员开通。")
            }
            (LinkRefusal::NoAccount { value }, Lang::En) => format!(
                "The person with the {k} `{value}` has no account here yet. Ask the security administrator for one."
            ),
            (LinkRefusal::Disabled, Lang::Zh) => "您的账号已停用，不能登录。".into(),
            (LinkRefusal::Disabled, Lang::En) => "Your account is disabled.".into(),
            (LinkRefusal::Administrator, Lang::Zh) => "管理员账号只能使用本地密码登录。".into(),
            (LinkRefusal::Administrator, Lang::En) => {
                "Administrator accounts sign in with their local password only.".into()
            }
        }
    }
}

/// Links `identity` by its key to one of `candidates` (the people whose key matches it).
pub fn link(
    identity: &DirectoryIdentity,
    key_field: &str,
    candidates: &[Candidate],
    auto_provision: bool,
) -> Result<Linked, LinkRefusal> {
    let Some(value) = identity
        .key
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return Err(LinkRefusal::NoKey {
            field: key_field.to_string(),
        });
    };
    let value = value.to_string();
    let current: Vec<&Candidate> = candidates.iter().filter(|c| !c.left).collect();
    let person = match current.as_slice() {
        [] if candidates.is_empty() => return Err(LinkRefusal::Unknown { value }),
        [] => return Err(LinkRefusal::Left { value }),
        [one] => *one,
        many => {
            return Err(LinkRefusal::Ambiguous {
                value,
                count: many.len(),
            });
        }
    };
    match &person.account {
        Some((_, true, _)) => Err(LinkRefusal::Administrator),
        Some((_, _, true)) => Err(LinkRefusal::Disabled),
        Some((id, false, false)) => Ok(Linked::Account(id.clone())),
        None if auto_provision => Ok(Linked::Provision(person.person_id.clone())),
        None => Err(LinkRefusal::NoAccount { value }),
    }
}

/// The grants the directory's groups give: each mapping whose group the identity lists
/// (compared without regard to case or spaces after commas).
pub fn mapped_grants<'a>(
    groups: &[String],
    mappings: &'a [super::GroupGrant],
) -> Vec<&'a super::GroupGrant> {
    let norm = |s: &str| {
        s.split(',')
            .map(|p| p.trim().to_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    let held: Vec<String> = groups.iter().map(|g| norm(g)).collect();
    mappings
        .iter()
        .filter(|m| held.contains(&norm(&m.group)))
        .collect()
}
