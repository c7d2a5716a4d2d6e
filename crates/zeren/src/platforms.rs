//! `zeren platform list|add|edit|step|register|show`: the registry of platforms (阵地) from the
//! command line, for scripts. Each change is one audited transaction by `cli`; the rules are the
//! core's (`check_platform`, the lifecycle, the registration checks), every problem told in the
//! user's language with the option it is about.

use crate::cli::PlatformCommand;
use crate::lang;
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::process::ExitCode;
use zeren_core::Lang;
use zeren_core::clock::shanghai_date;
use zeren_core::org::{OrgModel, Platform};
use zeren_core::platforms::{
    PlatformDraft, PlatformFields, PlatformTerms, RegistrationDraft, TransitionDraft,
    check_platform,
};
use zeren_core::records::FieldErrors;
use zeren_storage::{Actor, Db, StorageError};

/// The option of the command line a field of the checks is given by.
fn option_of(field: &str) -> &str {
    match field {
        "operators" => "--operator",
        "news_function" => "--news-function",
        "opened_on" => "--opened-on",
        "account_id" => "--account-id",
        "registered_on" => "--registered-on",
        "registering_body" => "--registering-body",
        "code" => "--code",
        "name" => "--name",
        "kind" => "--kind",
        "org" => "--org",
        "portfolio" => "--portfolio",
        "state" => "--state",
        "icp" => "--icp",
        "to" => "--to",
        "on" => "--on",
        "reason" => "--reason",
        other => other,
    }
}

/// Tells every problem of a check on stderr, each with its option; the exit code of a refusal.
fn refused(errors: &FieldErrors) -> ExitCode {
    let prefix = lang().pick("错误", "error");
    for (field, message) in errors {
        eprintln!("{prefix}: {message} ({})", option_of(field));
    }
    ExitCode::FAILURE
}

/// A storage failure as the command line tells it.
fn told(e: StorageError) -> anyhow::Error {
    let l = lang();
    match e {
        StorageError::Conflict {
            expected, actual, ..
        } => anyhow!(
            "{}",
            l.pick(
                &format!(
                    "平台已被他人修改（现为第 {actual} 版，您依据的是第 {expected} 版），请用 zeren platform show 查看后重试"
                ),
                &format!(
                    "the platform was changed by someone else (version {actual}, you gave version {expected}); look at it again with zeren platform show"
                ),
            )
        ),
        e => anyhow!(e),
    }
}

/// A platform by code (or id), or an error naming it.
fn find<'a>(model: &'a OrgModel, code: &str) -> Result<&'a Platform> {
    let code = code.trim();
    model.find_platform(code).ok_or_else(|| {
        anyhow!(
            "{}",
            lang().pick(
                &format!("未知的平台“{code}”（zeren platform list）"),
                &format!("unknown platform `{code}` (zeren platform list)")
            )
        )
    })
}

/// Person ids of `keys` (ids or staff numbers); a key that is neither is passed on as it is,
/// for the check to tell.
async fn person_ids(db: &Db, model: &OrgModel, keys: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let key = key.trim();
        if model.person(key).is_some() {
            out.push(key.to_string());
        } else if let Some(p) = db.person_by_staff_no(key).await? {
            out.push(p.id);
        } else {
            out.push(key.to_string());
        }
    }
    Ok(out)
}

fn names(model: &OrgModel, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            model
                .person(id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.clone())
        })
        .collect()
}

fn org_code(model: &OrgModel, id: &str) -> String {
    model
        .org(id)
        .map(|o| o.code.clone())
        .unwrap_or_else(|| id.to_string())
}

fn state_name(l: Lang, s: zeren_core::vocab::PlatformState) -> &'static str {
    s.name(l)
}

/// Runs `zeren platform …`.
pub async fn run(db: &Db, cmd: &PlatformCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let l = lang();
    let model = db.load_model().await?;
    let today = shanghai_date(now);
    match cmd {
        PlatformCommand::List { org, json } => list(db, &model, org.as_deref(), *json).await?,
        PlatformCommand::Show { code, json } => show(db, &model, code, *json).await?,
        PlatformCommand::Add {
            code,
            name,
            kind,
            org,
            portfolio,
            news_function,
            opened_on,
            operators,
            state,
        } => {
            let policies = db.policy_set().await?;
            let terms = PlatformTerms::of(policies.packs());
            let draft = PlatformDraft {
                code: code.clone(),
                name: name.clone(),
                kind: kind.clone(),
                org: org.clone(),
                portfolio: portfolio.clone().unwrap_or_default(),
                news_function: *news_function,
                opened_on: opened_on.clone().unwrap_or_default(),
                operators: person_ids(db, &model, operators).await?,
                state: state.clone(),
            };
            let fields = match check_platform(&draft, None, &model, &terms, today, l) {
                Ok(f) => f,
                Err(e) => return Ok(refused(&e)),
            };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let (p, replanned) = tx
                .add_platform(&fields, &policies, &model)
                .await
                .map_err(told)?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已登记平台 {}（{}），状态：{}；新增待办事项 {} 项",
                        p.code,
                        p.name,
                        state_name(l, p.state),
                        replanned.added
                    ),
                    &format!(
                        "registered platform {} ({}), {}; {} obligations added",
                        p.code, p.name, p.state, replanned.added
                    ),
                )
            );
        }
        PlatformCommand::Edit {
            code,
            name,
            portfolio,
            news_function,
            operators,
            no_operators,
            version,
        } => {
            let existing = find(&model, code)?;
            let policies = db.policy_set().await?;
            let terms = PlatformTerms::of(policies.packs());
            let operators = if *no_operators {
                Vec::new()
            } else if operators.is_empty() {
                existing.operators.clone()
            } else {
                person_ids(db, &model, operators).await?
            };
            let draft = PlatformDraft {
                name: name.clone().unwrap_or_else(|| existing.name.clone()),
                portfolio: portfolio
                    .clone()
                    .unwrap_or_else(|| existing.portfolio.clone().unwrap_or_default()),
                news_function: news_function.unwrap_or(existing.news_function),
                operators,
                ..PlatformDraft::default()
            };
            let fields: PlatformFields =
                match check_platform(&draft, Some(existing), &model, &terms, today, l) {
                    Ok(f) => f,
                    Err(e) => return Ok(refused(&e)),
                };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let (p, replanned) = tx
                .edit_platform(&existing.id, *version, &fields, &policies, &model)
                .await
                .map_err(told)?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已更新平台 {}（{}）；待办事项新增 {} 项、撤回 {} 项、恢复 {} 项",
                        p.code, p.name, replanned.added, replanned.withdrawn, replanned.restored
                    ),
                    &format!(
                        "updated platform {} ({}); obligations: {} added, {} withdrawn, {} restored",
                        p.code, p.name, replanned.added, replanned.withdrawn, replanned.restored
                    ),
                )
            );
        }
        PlatformCommand::Step {
            code,
            to,
            on,
            reason,
            version,
        } => {
            let existing = find(&model, code)?;
            let policies = db.policy_set().await?;
            let draft = TransitionDraft {
                to: to.clone(),
                on: on.clone(),
                reason: reason.clone(),
            };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let (life, _) = tx
                .move_platform(&existing.id, *version, &draft, &policies, &model, l)
                .await
                .map_err(told)?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "平台 {} 自 {} 起为「{}」（第 {} 版）",
                        existing.code,
                        life.since,
                        state_name(l, life.state),
                        life.version
                    ),
                    &format!(
                        "platform {} is {} from {} (version {})",
                        existing.code, life.state, life.since, life.version
                    ),
                )
            );
        }
        PlatformCommand::Register {
            code,
            icp,
            account_id,
            registered_on,
            registering_body,
            version,
        } => {
            let existing = find(&model, code)?;
            let policies = db.policy_set().await?;
            let before = db.platform_lifecycle(&existing.id).await?;
            // What is not given stays as it is.
            let keep = |given: &Option<String>, stored: Option<String>| {
                given.clone().unwrap_or_else(|| stored.unwrap_or_default())
            };
            let r = &before.registration;
            let draft = RegistrationDraft {
                icp: keep(icp, r.icp.clone()),
                account_id: keep(account_id, r.account_id.clone()),
                registered_on: keep(registered_on, r.registered_on.map(|d| d.to_string())),
                registering_body: keep(registering_body, r.registering_body.clone()),
            };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let life = tx
                .save_registration(&existing.id, *version, &draft, &policies, l)
                .await
                .map_err(told)?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已记录平台 {} 的备案登记：{}（第 {} 版）",
                        existing.code,
                        registration_text(l, &life.registration),
                        life.version
                    ),
                    &format!(
                        "recorded the registration of platform {}: {} (version {})",
                        existing.code,
                        registration_text(l, &life.registration),
                        life.version
                    ),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How a platform is registered, in a few words.
fn registration_text(l: Lang, r: &zeren_core::platforms::Registration) -> String {
    let mut parts = Vec::new();
    if let Some(icp) = &r.icp {
        parts.push(icp.clone());
    }
    if let Some(a) = &r.account_id {
        parts.push(format!("{} {a}", l.pick("账号", "account")));
    }
    if let Some(d) = r.registered_on {
        parts.push(format!("{} {d}", l.pick("注册于", "registered on")));
    }
    if let Some(b) = &r.registering_body {
        parts.push(format!("{} {b}", l.pick("注册主体", "by")));
    }
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(l.pick("，", ", "))
    }
}

/// `zeren platform list`.
async fn list(db: &Db, model: &OrgModel, org: Option<&str>, json: bool) -> Result<()> {
    let l = lang();
    let within = match org {
        Some(code) => Some(
            model
                .find_org(code.trim())
                .ok_or_else(|| {
                    anyhow!(
                        "{}",
                        l.pick(
                            &format!("未知的组织“{}”", code.trim()),
                            &format!("unknown org `{}`", code.trim())
                        )
                    )
                })?
                .id
                .clone(),
        ),
        None => None,
    };
    for p in model
        .platforms()
        .iter()
        .filter(|p| within.as_deref().is_none_or(|o| model.is_within(&p.org, o)))
    {
        let life = db.platform_lifecycle(&p.id).await?;
        let r = &life.registration;
        let registration = r.icp.clone().or_else(|| r.account_id.clone());
        let operators = names(model, &p.operators);
        if json {
            println!(
                "{}",
                json!({
                    "code": p.code, "name": p.name, "kind": p.kind, "state": life.state,
                    "org": org_code(model, &p.org), "portfolio": p.portfolio,
                    "news_function": p.news_function, "operators": operators,
                    "registration": registration, "version": life.version,
                })
            );
        } else {
            println!(
                "{}  {}  {}  {}  {}  {}  {}",
                p.code,
                p.kind,
                life.state,
                org_code(model, &p.org),
                p.portfolio.as_deref().unwrap_or("-"),
                if operators.is_empty() {
                    "-".to_string()
                } else {
                    operators.join(l.pick("、", ", "))
                },
                registration.as_deref().unwrap_or("-"),
            );
        }
    }
    Ok(())
}

/// `zeren platform show`.
async fn show(db: &Db, model: &OrgModel, code: &str, json: bool) -> Result<()> {
    let l = lang();
    let policies = db.policy_set().await?;
    let p = find(model, code)?;
    let life = db.platform_lifecycle(&p.id).await?;
    let operators = names(model, &p.operators);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "id": p.id, "code": p.code, "name": p.name, "kind": p.kind,
                "org": org_code(model, &p.org), "portfolio": p.portfolio,
                "news_function": p.news_function, "opened_on": p.opened_on,
                "closed_on": p.closed_on, "operators": operators,
                "state": life.state, "since": life.since,
                "registration": life.registration, "version": life.version,
                "steps": life.steps,
            }))?
        );
        return Ok(());
    }
    let yes_no = |b: bool| {
        if b {
            l.pick("是", "yes")
        } else {
            l.pick("否", "no")
        }
    };
    let rows: Vec<(&str, &str, String)> = vec![
        ("代码", "code", p.code.clone()),
        ("名称", "name", p.name.clone()),
        ("类型", "kind", policies.platform_kind_name(p.kind, l)),
        ("所属组织", "org", org_code(model, &p.org)),
        (
            "分管领域",
            "portfolio",
            p.portfolio.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "新闻舆论功能",
            "news function",
            yes_no(p.news_function).to_string(),
        ),
        ("登记日期", "opened on", p.opened_on.to_string()),
        (
            "管理员",
            "operators",
            if operators.is_empty() {
                "-".into()
            } else {
                operators.join(l.pick("、", ", "))
            },
        ),
        (
            "状态",
            "state",
            format!(
                "{}（{} {}）",
                state_name(l, life.state),
                l.pick("自", "since"),
                life.since
            ),
        ),
        (
            "备案登记",
            "registration",
            registration_text(l, &life.registration),
        ),
        ("版本", "version", life.version.to_string()),
    ];
    for (zh, en, value) in rows {
        println!("{}: {value}", l.pick(zh, en));
    }
    if !life.steps.is_empty() {
        println!("{}:", l.pick("状态变更", "steps"));
        for s in &life.steps {
            println!(
                "  {}  {} → {}  {}  ({})",
                s.on,
                state_name(l, s.from),
                state_name(l, s.to),
                s.reason,
                s.made_by
            );
        }
    }
    Ok(())
}
