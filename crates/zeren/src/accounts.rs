//! `zeren user …` and the administrators created by `zeren init`. The three administrators'
//! accounts are managed only here, on the server (三员分立): the web and the API refuse to create,
//! enable, disable, unlock or reset an administrator. Every change is audited as `cli`.

use crate::cli::{TokenCommand, UserCommand};
use crate::lang;
use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use std::io::Read;
use std::process::ExitCode;
use zeren_core::access::{AdminRole, PasswordPolicy, Role, SecurityPolicy};
use zeren_storage::secrets::{hash_password, random_token};
use zeren_storage::{Actor, Db, NewUser};

/// The three administrators (三员分立), by sign-in name.
pub const ADMINISTRATORS: [(&str, &str, &str, AdminRole); 3] = [
    (
        "sysadmin",
        "系统管理员",
        "System administrator",
        AdminRole::System,
    ),
    (
        "secadmin",
        "安全管理员",
        "Security administrator",
        AdminRole::Security,
    ),
    (
        "auditor",
        "安全审计员",
        "Security auditor",
        AdminRole::Audit,
    ),
];

async fn password_policy(db: &Db) -> Result<PasswordPolicy> {
    Ok(db
        .setting::<SecurityPolicy>("security")
        .await?
        .map(|(s, _)| s.password)
        .unwrap_or_default())
}

fn temporary_password() -> Result<String> {
    // 12 hex characters plus fixed classes: meets the default policy, changed at first sign-in.
    let t = random_token()?;
    Ok(format!("Zr-{}{}", &t[..10].to_uppercase(), &t[10..14]))
}

/// Creates sysadmin, secadmin and auditor if there are no accounts yet.
pub async fn create_administrators(
    db: &Db,
    now: DateTime<Utc>,
    password: Option<&str>,
) -> Result<()> {
    if !db.users().await?.is_empty() {
        return Ok(());
    }
    let l = lang();
    let policy = password_policy(db).await?;
    if let Some(p) = password {
        for (username, ..) in ADMINISTRATORS {
            policy
                .check(p, username)
                .map_err(|e| anyhow!("--admin-password: {}", e.message(l)))?;
        }
    }
    let mut created = Vec::new();
    let mut tx = db.begin(&Actor::cli(), now).await?;
    for (username, zh, en, role) in ADMINISTRATORS {
        let pw = match password {
            Some(p) => p.to_string(),
            None => temporary_password()?,
        };
        let hash = hash_password(pw.clone()).await?;
        tx.create_user(NewUser {
            username: username.into(),
            display_name: l.pick(zh, en).into(),
            person: None,
            admin_role: Some(role),
            password_hash: hash,
            must_change_password: true,
        })
        .await?;
        created.push((username, pw));
    }
    tx.commit().await?;
    println!(
        "{}",
        l.pick(
            "已创建三员账号（首次登录须修改密码）：",
            "Created the three administrators (each must change the password at first sign-in):"
        )
    );
    for (username, pw) in created {
        if password.is_some() {
            println!("  {username}");
        } else {
            println!("  {username}  {pw}");
        }
    }
    Ok(())
}

fn read_stdin_password() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    let pw = s.lines().next().unwrap_or("").to_string();
    if pw.is_empty() {
        bail!(
            "{}",
            lang().pick("标准输入中没有密码", "no password on standard input")
        );
    }
    Ok(pw)
}

async fn find_user(db: &Db, username: &str) -> Result<zeren_storage::User> {
    db.user_by_username(username).await?.ok_or_else(|| {
        anyhow!(
            "{}",
            lang().pick(
                &format!("未知的用户 `{username}`"),
                &format!("unknown user `{username}`")
            )
        )
    })
}

/// Runs `zeren user …`.
pub async fn run(db: &Db, cmd: &UserCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let l = lang();
    match cmd {
        UserCommand::Add {
            username,
            name,
            person_of,
            person,
            admin,
            password_stdin,
        } => {
            let admin_role = match admin {
                Some(a) => Some(
                    AdminRole::parse(a)
                        .ok_or_else(|| anyhow!("--admin: `{a}` (system, security, audit)"))?,
                ),
                None => None,
            };
            let person_id = match person_of {
                Some(org_code) => {
                    let model = db.load_model().await?;
                    let org = model.find_org(org_code).ok_or_else(|| {
                        anyhow!(
                            "{}",
                            l.pick(
                                &format!("未知的组织 `{org_code}`"),
                                &format!("unknown org `{org_code}`")
                            )
                        )
                    })?;
                    let wanted = person.as_deref().unwrap_or(name);
                    let found: Vec<_> = model
                        .people()
                        .filter(|p| p.org == org.id && p.name == wanted)
                        .collect();
                    match found.as_slice() {
                        [p] => Some(p.id.clone()),
                        [] => bail!(
                            "{}",
                            l.pick(
                                &format!("{org_code} 中没有名为「{wanted}」的人员"),
                                &format!("no person named {wanted} in {org_code}")
                            )
                        ),
                        _ => bail!(
                            "{}",
                            l.pick(
                                &format!("{org_code} 中有多位「{wanted}」"),
                                &format!("several people named {wanted} in {org_code}")
                            )
                        ),
                    }
                }
                None => None,
            };
            let (pw, temporary) = if *password_stdin {
                (read_stdin_password()?, false)
            } else {
                (temporary_password()?, true)
            };
            password_policy(db)
                .await?
                .check(&pw, username)
                .map_err(|e| anyhow!("{}", e.message(l)))?;
            let hash = hash_password(pw.clone()).await?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            tx.create_user(NewUser {
                username: username.clone(),
                display_name: name.clone(),
                person: person_id,
                admin_role,
                password_hash: hash,
                must_change_password: temporary,
            })
            .await?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已创建用户 {username}"),
                    &format!("created user {username}")
                )
            );
            if temporary {
                println!(
                    "{}",
                    l.pick(
                        &format!("临时密码（首次登录须修改）：{pw}"),
                        &format!("temporary password (to be changed at first sign-in): {pw}")
                    )
                );
            }
        }
        UserCommand::Passwd {
            username,
            temporary,
        } => {
            let user = find_user(db, username).await?;
            let pw = read_stdin_password()?;
            password_policy(db)
                .await?
                .check(&pw, username)
                .map_err(|e| anyhow!("{}", e.message(l)))?;
            let hash = hash_password(pw).await?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            tx.set_password(
                &user,
                &hash,
                zeren_storage::PasswordChange::Reset {
                    must_change: *temporary,
                },
            )
            .await?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已更新 {username} 的密码"),
                    &format!("password of {username} updated")
                )
            );
        }
        UserCommand::Disable { username } | UserCommand::Enable { username } => {
            let disabled = matches!(cmd, UserCommand::Disable { .. });
            let user = find_user(db, username).await?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            tx.set_user_state(&user, user.version, disabled).await?;
            tx.commit().await?;
            let done = if disabled {
                l.pick(
                    &format!("已停用 {username}，其会话已结束"),
                    &format!("{username} disabled; its sessions have ended"),
                )
                .to_string()
            } else {
                l.pick(
                    &format!("已启用 {username}"),
                    &format!("{username} enabled"),
                )
                .to_string()
            };
            println!("{done}");
        }
        UserCommand::Grant {
            username,
            role,
            org,
        } => {
            let user = find_user(db, username).await?;
            let role = Role::parse(role).ok_or_else(|| {
                anyhow!(
                    "--role: `{role}` (secretary, leader, staff, branch, supervisor, discipline)"
                )
            })?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            tx.grant(&user, role, org, "cli").await?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已授予 {username} 角色 {} （{org}）", role.as_str()),
                    &format!("granted {} over {org} to {username}", role.as_str())
                )
            );
        }
        UserCommand::List => {
            for u in db.users().await? {
                let kind = u.admin_role.map(|a| a.as_str()).unwrap_or("-");
                println!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.display_name,
                    kind,
                    if u.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Token(TokenCommand::Create { username, name }) => {
            let user = find_user(db, username).await?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let token = tx.create_api_token(&user, name).await?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已为 {username} 创建 API 令牌（只显示这一次）："),
                    &format!("API token for {username} (shown only once):")
                )
            );
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
