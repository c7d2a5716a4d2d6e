//! `zeren person add` and `zeren post list|create|appoint`: the people and posts of an org from
//! the command line, for scripts. The rules are the core's (`check_post`, `check_holding`), told
//! in the user's language from the pages' catalogue.

use crate::cli::{PersonCommand, PostCommand};
use crate::commands::pack_in_force;
use crate::{lang, parse_day};
use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use zeren_core::org::{OrgModel, Person, Post};
use zeren_core::policy::PolicyPack;
use zeren_storage::{Actor, Db, StorageError};
use zeren_web::areas::orgs::{holding_message, post_message, tree_message};

/// A storage failure as the command line tells it.
fn told(pack: &PolicyPack, e: StorageError) -> anyhow::Error {
    let l = lang();
    match e {
        StorageError::Tree(t) => anyhow!("{}", tree_message(l, &t)),
        StorageError::Post(p) => anyhow!("{}", post_message(l, pack, &p)),
        StorageError::Holding(h) => anyhow!("{}", holding_message(l, &h)),
        e => anyhow!(e),
    }
}

fn unknown(what_zh: &str, what_en: &str, value: &str) -> anyhow::Error {
    anyhow!(
        "{}",
        lang().pick(
            &format!("未知的{what_zh}“{value}”"),
            &format!("unknown {what_en} `{value}`")
        )
    )
}

/// Runs `zeren person …`.
pub async fn person(db: &Db, cmd: &PersonCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let PersonCommand::Add { name, org } = cmd;
    let mut tx = db.begin(&Actor::cli(), now).await?;
    let p = tx
        .create_person(zeren_storage::NewPerson::new(name.as_str(), org.trim()))
        .await
        .map_err(|e| match e {
            StorageError::NotFound { .. } => unknown("组织", "org", org.trim()),
            e => anyhow!(e),
        })?;
    tx.commit().await?;
    println!("{}", p.id);
    Ok(ExitCode::SUCCESS)
}

/// A post by id, or by `ORG/KIND` when the org has exactly one post of that kind.
fn find_post<'a>(model: &'a OrgModel, key: &str) -> Result<&'a Post> {
    if let Some(p) = model.post(key.trim()) {
        return Ok(p);
    }
    let Some((org, kind)) = key.trim().split_once('/') else {
        return Err(unknown("职务", "post", key));
    };
    let org = model
        .find_org(org)
        .ok_or_else(|| unknown("组织", "org", org))?;
    let found: Vec<&Post> = model.posts_of(&org.id).filter(|p| p.kind == kind).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(unknown("职务", "post", key)),
        _ => bail!(
            "{}",
            lang().pick(
                &format!(
                    "“{key}”有 {} 个职务，请用职务编号（zeren post list --org {}）",
                    found.len(),
                    org.code
                ),
                &format!(
                    "`{key}` names {} posts: give the post's id (zeren post list --org {})",
                    found.len(),
                    org.code
                ),
            )
        ),
    }
}

/// A person by id, or by a name unique among the org's people and its parent's.
fn find_person<'a>(model: &'a OrgModel, post: &Post, key: &str) -> Result<&'a Person> {
    let key = key.trim();
    let org = model
        .org(&post.org)
        .ok_or_else(|| unknown("组织", "org", &post.org))?;
    let nearby = |p: &&Person| p.org == org.id || org.parent.as_deref() == Some(p.org.as_str());
    if let Some(p) = model.person(key).filter(nearby) {
        return Ok(p);
    }
    let named: Vec<&Person> = model
        .people_of(&org.id)
        .chain(org.parent.iter().flat_map(|p| model.people_of(p)))
        .filter(|p| p.name == key)
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(unknown("人员", "person", key)),
        _ => bail!(
            "{}",
            lang().pick(
                &format!("有 {} 人名为“{key}”，请用人员编号", named.len()),
                &format!(
                    "{} people are named `{key}`: give the person's id",
                    named.len()
                ),
            )
        ),
    }
}

/// Runs `zeren post …`.
pub async fn run(db: &Db, cmd: &PostCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let l = lang();
    let today = zeren_core::clock::shanghai_date(now);
    let pack = pack_in_force(db, today).await?;
    let model = db.load_model().await?;
    match cmd {
        PostCommand::List { org } => {
            let org = model
                .find_org(org.trim())
                .ok_or_else(|| unknown("组织", "org", org.trim()))?;
            for p in model.posts_of(&org.id) {
                let holders: Vec<String> = model
                    .holders_on(&p.id, today)
                    .into_iter()
                    .filter_map(|h| model.person(&h.person).map(|x| x.name.clone()))
                    .collect();
                let holders = if holders.is_empty() {
                    l.pick("（空缺）", "(vacant)").to_string()
                } else {
                    holders.join("、")
                };
                println!("{}  {}  {}  {holders}", p.id, p.kind, p.title);
            }
        }
        PostCommand::Create {
            org,
            kind,
            title,
            portfolios,
        } => {
            let portfolios: Vec<&str> = portfolios.iter().map(|p| p.trim()).collect();
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let post = tx
                .create_post(
                    &pack,
                    org.trim(),
                    kind.trim(),
                    title.as_deref().unwrap_or("").trim(),
                    &portfolios,
                )
                .await
                .map_err(|e| match e {
                    StorageError::NotFound { .. } => unknown("组织", "org", org.trim()),
                    e => told(&pack, e),
                })?;
            tx.commit().await?;
            println!("{}", post.id);
        }
        PostCommand::Appoint {
            post,
            person,
            start,
            end,
        } => {
            let post = find_post(&model, post)?;
            let person = find_person(&model, post, person)?;
            let start = parse_day(start, "--start")?;
            let end = end.as_deref().map(|e| parse_day(e, "--end")).transpose()?;
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let h = tx
                .add_holding(&pack, &post.id, &person.id, start, end)
                .await
                .map_err(|e| told(&pack, e))?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已任命 {} 为{}，自 {}", person.name, post.title, h.start),
                    &format!("{} appointed {} from {}", person.name, post.title, h.start),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
