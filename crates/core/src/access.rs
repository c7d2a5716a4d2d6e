//! Roles and access (PRODUCT.md §5): roles come from the posts a person holds on the day, plus
//! explicit grants, always scoped to an org subtree. The three administrators are kept apart and
//! never see business data.

use crate::org::OrgModel;
use crate::policy::PolicyPack;
use crate::vocab::OrgKind;
use chrono::NaiveDate;
use serde::Serialize;

mod acting;
pub use acting::{
    Act, Actor, HandlerChoice, HandlerError, check_handler, handler_choices, is_theirs,
    responsible_on,
};

/// A business role, held over an org subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// First responsible person: everything in the subtree except accountability cases.
    Secretary,
    /// Leadership member: reads the org, acts within the portfolio.
    Leader,
    /// Office staff and operators: keep the records they are assigned.
    Staff,
    /// Branch secretary or unit head: first responsible within the branch or unit subtree.
    Branch,
    /// University-level supervising office: reads across colleges, runs the assessment.
    Supervisor,
    /// Discipline commission: accountability cases, exclusively.
    Discipline,
    /// 组织部/党政办 staff who keep the rosters: the org tree, people, posts, holdings and
    /// portfolio assignments of the subtree — and no records (no duties of their own there).
    OrgAdmin,
}

/// The three administrators (三员分立), each apart from the others and from business data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdminRole {
    /// 系统管理员: configuration, backup.
    System,
    /// 安全管理员: accounts, roles, security policy.
    Security,
    /// 安全审计员: reads the audit log.
    Audit,
}

impl Role {
    /// Every business role.
    pub const ALL: [Role; 7] = [
        Role::Secretary,
        Role::Leader,
        Role::Staff,
        Role::Branch,
        Role::Supervisor,
        Role::Discipline,
        Role::OrgAdmin,
    ];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretary => "secretary",
            Role::Leader => "leader",
            Role::Staff => "staff",
            Role::Branch => "branch",
            Role::Supervisor => "supervisor",
            Role::Discipline => "discipline",
            Role::OrgAdmin => "org-admin",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl AdminRole {
    /// Every administrator role.
    pub const ALL: [AdminRole; 3] = [AdminRole::System, AdminRole::Security, AdminRole::Audit];

    /// Stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::System => "system",
            AdminRole::Security => "security",
            AdminRole::Audit => "audit",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<AdminRole> {
        AdminRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A role over an org subtree, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    /// The role.
    pub role: Role,
    /// Root of the subtree.
    pub org: String,
    /// `post:<id>` when derived from a holding, `grant:<id>` when granted explicitly.
    pub source: String,
}

/// What someone may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// Read the policy texts (any signed-in business user).
    ReadPolicy,
    /// Read an org's structure, posts, holders, obligations.
    ReadOrg,
    /// Change the org model: people, posts, handovers.
    ManageOrg,
    /// Set an org's reminder channels (企业微信/钉钉 robots) and read their delivery log: the
    /// first responsible person's call, not the roster keeper's.
    ManageReminders,
    /// Keep records (evidence) for an org.
    KeepRecords,
    /// Keep the registry of an org's platforms (阵地): enter them, edit them, record their
    /// registration and every step of their life.
    ManagePlatforms,
    /// Run the annual assessment.
    RunAssessment,
    /// Accountability cases.
    Cases,
    /// Read the audit log.
    ReadAudit,
    /// Accounts, roles, security policy.
    ManageAccounts,
    /// System settings and backups.
    ManageSystem,
    /// Load a new policy version (after seeing what it changes): the system administrator
    /// enters what the committee adopted; reading policies stays with business roles.
    LoadPolicy,
}

impl Role {
    /// Whether the role allows a business permission within its subtree.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Secretary => matches!(
                p,
                ReadPolicy | ReadOrg | ManageOrg | ManageReminders | KeepRecords | ManagePlatforms
            ),
            Role::Leader => matches!(p, ReadPolicy | ReadOrg | KeepRecords),
            Role::Staff => matches!(p, ReadPolicy | ReadOrg | KeepRecords | ManagePlatforms),
            Role::Branch => matches!(
                p,
                ReadPolicy | ReadOrg | KeepRecords | ManageOrg | ManageReminders | ManagePlatforms
            ),
            Role::Supervisor => matches!(p, ReadPolicy | ReadOrg | RunAssessment),
            Role::Discipline => matches!(p, ReadPolicy | ReadOrg | Cases),
            Role::OrgAdmin => matches!(p, ReadPolicy | ReadOrg | ManageOrg | ManagePlatforms),
        }
    }
}

impl AdminRole {
    /// Whether the administrator role allows a permission (never business data).
    pub fn allows(self, p: Permission) -> bool {
        matches!(
            (self, p),
            (
                AdminRole::System,
                Permission::ManageSystem | Permission::LoadPolicy
            ) | (AdminRole::Security, Permission::ManageAccounts)
                | (AdminRole::Audit, Permission::ReadAudit)
        )
    }
}

/// The roles a person has on `day` from the posts they hold.
pub fn roles_from_posts(
    pack: &PolicyPack,
    model: &OrgModel,
    person: &str,
    day: NaiveDate,
) -> Vec<RoleGrant> {
    let mut out = Vec::new();
    for h in model.holdings_of_person(person).filter(|h| h.covers(day)) {
        let Some(post) = model.post(&h.post) else {
            continue;
        };
        let Some(org) = model.org(&post.org) else {
            continue;
        };
        let Some(kind) = pack.post_kind(&post.kind) else {
            continue;
        };
        // A branch secretary or a unit head (e.g. of a laboratory) is first responsible within
        // their own branch or unit — not a college secretary.
        let role = match (kind.first_responsible, kind.leadership, org.kind) {
            (true, _, OrgKind::Branch | OrgKind::Unit) => Role::Branch,
            (true, _, _) => Role::Secretary,
            (false, true, _) => Role::Leader,
            (false, false, _) => Role::Staff,
        };
        out.push(RoleGrant {
            role,
            org: org.id.clone(),
            source: format!("post:{}", post.id),
        });
    }
    out
}

/// Who is asking: business roles with their scopes, or one administrator role.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Principal {
    /// User id.
    pub user: String,
    /// Business roles (empty for administrators).
    pub roles: Vec<RoleGrant>,
    /// The administrator role, if this account is one of the three.
    pub admin: Option<AdminRole>,
}

impl Principal {
    /// Whether the principal may do `p` on `org` (for org-less permissions, pass `None`).
    pub fn can(&self, p: Permission, org: Option<&str>, model: &OrgModel) -> bool {
        if let Some(a) = self.admin {
            return a.allows(p);
        }
        self.roles
            .iter()
            .any(|g| g.role.allows(p) && org.is_none_or(|o| model.is_within(o, &g.org)))
    }

    /// Whether the principal holds `p` anywhere.
    pub fn can_somewhere(&self, p: Permission) -> bool {
        match self.admin {
            Some(a) => a.allows(p),
            None => self.roles.iter().any(|g| g.role.allows(p)),
        }
    }

    /// Roots of the subtrees where the principal may do `p`.
    pub fn scopes(&self, p: Permission) -> Vec<&str> {
        self.roles
            .iter()
            .filter(|g| g.role.allows(p))
            .map(|g| g.org.as_str())
            .collect()
    }
}

/// Password rules (等保: length and character classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
    /// Minimum number of character classes (lower, upper, digit, other).
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            min_classes: 3,
        }
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Too short.
    TooShort(usize),
    /// Too few character classes.
    TooFewClasses(usize),
    /// Contains the user name.
    ContainsUsername,
}

impl PasswordPolicy {
    /// Checks a new password.
    pub fn check(&self, password: &str, username: &str) -> Result<(), PasswordProblem> {
        if password.chars().count() < self.min_length {
            return Err(PasswordProblem::TooShort(self.min_length));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(PasswordProblem::TooFewClasses(self.min_classes));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(PasswordProblem::ContainsUsername);
        }
        Ok(())
    }
}

impl PasswordProblem {
    /// The message in the user's language.
    pub fn message(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (PasswordProblem::TooShort(n), crate::Lang::Zh) => format!("密码至少需要 {n} 个字符"),
            (PasswordProblem::TooShort(n), crate::Lang::En) => {
                format!("the password needs at least {n} characters")
            }
            (PasswordProblem::TooFewClasses(n), crate::Lang::Zh) => {
                format!("密码需包含小写字母、大写字母、数字、符号中的至少 {n} 类")
            }
            (PasswordProblem::TooFewClasses(n), crate::Lang::En) => {
                format!(
                    "the password needs at least {n} of: lower-case, upper-case, digits, symbols"
                )
            }
            (PasswordProblem::ContainsUsername, crate::Lang::Zh) => "密码不能包含用户名".into(),
            (PasswordProblem::ContainsUsername, crate::Lang::En) => {
                "the password must not contain the user name".into()
            }
        }
    }
}

/// Sign-in rules: lockout and idle timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LoginPolicy {
    /// Failures before the account locks.
    pub max_failures: u32,
    /// Minutes the account stays locked.
    pub lockout_minutes: u32,
    /// Minutes without activity before a session ends.
    pub idle_minutes: u32,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lockout_minutes: 30,
            idle_minutes: 30,
        }
    }
}

/// The longest user name accepted anywhere, at sign-in too.
pub const USERNAME_MAX: usize = 64;
/// The longest password accepted: a bound that keeps every sign-in equally cheap.
pub const PASSWORD_MAX: usize = 256;
/// Failed sign-ins (passwords, codes, unknown names) one client address may make within
/// [`ADDRESS_WINDOW_MINUTES`] before it must wait for the window to pass.
pub const ADDRESS_MAX_FAILURES: u32 = 30;
/// The window of [`ADDRESS_MAX_FAILURES`].
pub const ADDRESS_WINDOW_MINUTES: u32 = 15;

/// How a sign-in name that has no account is written into the audit log. Never the name as
/// typed (it may be of any length, or a password typed into the wrong box): a digest and its
/// length, and the first characters only when it looks like a user name.
pub fn unknown_name_label(name: &str) -> String {
    use sha2::Digest;
    let digest = hex::encode(&sha2::Sha256::digest(name.as_bytes())[..6]);
    let chars = name.chars().count();
    let looks_like_name = (2..=USERNAME_MAX).contains(&chars)
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        });
    if looks_like_name {
        let head: String = name.chars().take(3).collect();
        format!("{head}… sha256:{digest} ({chars})")
    } else {
        format!("sha256:{digest} ({chars})")
    }
}

/// A sign-in form's name and password within their bounds (what is longer is refused before
/// any work is done).
pub fn sign_in_input_fits(username: &str, password: &str) -> bool {
    username.chars().count() <= USERNAME_MAX && password.chars().count() <= PASSWORD_MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Ab1", "u"), Err(PasswordProblem::TooShort(8)));
        assert_eq!(
            p.check("abcdefgh1", "u"),
            Err(PasswordProblem::TooFewClasses(3))
        );
        assert_eq!(
            p.check("Secretary1!", "secretary"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert_eq!(p.check("Zeren-2026", "secretary"), Ok(()));
        assert_eq!(p.check("责任制度Ab12", "u"), Ok(()));
    }

    #[test]
    fn unknown_names_are_never_kept_as_typed() {
        let long = "x".repeat(200_000);
        let label = unknown_name_label(&long);
        assert!(label.len() < 40, "{label}");
        assert!(label.ends_with("(200000)"));
        let label = unknown_name_label("Secret-Pass!");
        assert!(!label.contains("Sec"), "{label}");
        let label = unknown_name_label("zhangsan");
        assert!(label.starts_with("zha… sha256:"), "{label}");
        assert_ne!(
            unknown_name_label("zhangsan"),
            unknown_name_label("zhangsi")
        );
        assert!(sign_in_input_fits(&"a".repeat(64), &"p".repeat(256)));
        assert!(!sign_in_input_fits(&"a".repeat(65), "p"));
        assert!(!sign_in_input_fits("a", &"p".repeat(257)));
    }

    #[test]
    fn administrators_never_reach_business_data() {
        for a in AdminRole::ALL {
            for p in [
                Permission::ReadOrg,
                Permission::ManageOrg,
                Permission::KeepRecords,
                Permission::Cases,
                Permission::ReadPolicy,
            ] {
                assert!(!a.allows(p), "{a:?} {p:?}");
            }
        }
        assert!(AdminRole::Audit.allows(Permission::ReadAudit));
        assert!(!AdminRole::Audit.allows(Permission::ManageAccounts));
        assert!(!AdminRole::Security.allows(Permission::ReadAudit));
        assert!(!AdminRole::System.allows(Permission::ManageAccounts));
    }

    #[test]
    fn the_org_administrator_keeps_the_tree_and_no_records() {
        let r = Role::parse("org-admin").unwrap();
        assert_eq!(r, Role::OrgAdmin);
        assert!(r.allows(Permission::ManageOrg) && r.allows(Permission::ReadOrg));
        assert!(!r.allows(Permission::KeepRecords) && !r.allows(Permission::RunAssessment));
        assert!(!r.allows(Permission::ManageReminders));
    }

    #[test]
    fn only_discipline_handles_cases() {
        for r in Role::ALL {
            assert_eq!(r.allows(Permission::Cases), r == Role::Discipline, "{r:?}");
        }
    }
}

/// The security policy the security administrator keeps (等保 level 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
pub struct SecurityPolicy {
    /// Password rules.
    pub password: PasswordPolicy,
    /// Lockout and idle timeout.
    pub login: LoginPolicy,
    /// Roles (business role or administrator spelling) that must use a second factor.
    pub totp_required: Vec<String>,
}

impl SecurityPolicy {
    /// Whether a principal must use TOTP.
    pub fn requires_totp(&self, p: &Principal) -> bool {
        let names: Vec<&str> = match p.admin {
            Some(a) => vec![a.as_str()],
            None => p.roles.iter().map(|g| g.role.as_str()).collect(),
        };
        names
            .iter()
            .any(|n| self.totp_required.iter().any(|r| r == n))
    }
}
