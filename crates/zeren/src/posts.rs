//! `zeren person add|edit|leave|list` and `zeren post list|create|appoint|close|reopen`: the people and posts
//! of an org from the command line, for scripts. The rules are the core's (`check_post`, `check_holding`), told
//! in the user's language from the pages' catalogue.

use crate::cli::{PersonCommand, PostCommand};
use crate::commands::combined_pack;
use crate::{lang, parse_day};
use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use zeren_core::org::{OrgModel, Person, Post};
use zeren_core::policy::PolicyPack;
use zeren_storage::{Actor, Db, NewPerson, PersonEdit, PersonRecord, PostEdit, StorageError};
use zeren_web::areas::orgs::{
    holding_message, person_message, post_message, staff_no_taken_message, tree_message,
};

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

/// A person's change refused, as the command line tells it.
fn person_told(model: &OrgModel, org: Option<&str>, e: StorageError) -> anyhow::Error {
    let l = lang();
    match e {
        StorageError::Person(p) => anyhow!("{}", person_message(l, model, &p)),
        StorageError::Duplicate { key, .. } => anyhow!("{}", staff_no_taken_message(l, &key)),
        StorageError::NotFound { what: "org", .. } => {
            unknown("组织", "org", org.unwrap_or_default())
        }
        e => anyhow!(e),
    }
}

/// A person by id, staff number, or a name no one else has.
async fn find_someone(db: &Db, model: &OrgModel, key: &str) -> Result<PersonRecord> {
    let key = key.trim();
    if model.person(key).is_some() {
        return Ok(db.person_record(key).await?);
    }
    if let Some(r) = db.person_by_staff_no(key).await? {
        return Ok(r);
    }
    let named: Vec<&Person> = model.people().filter(|p| p.name == key).collect();
    match named.as_slice() {
        [one] => Ok(db.person_record(&one.id).await?),
        [] => Err(unknown("人员", "person", key)),
        _ => bail!(
            "{}",
            lang().pick(
                &format!(
                    "有 {} 人名为“{key}”，请用人员编号或工号（zeren person list）",
                    named.len()
                ),
                &format!(
                    "{} people are named `{key}`: give the person's id or staff number (zeren person list)",
                    named.len()
                ),
            )
        ),
    }
}

/// An option that clears its field when given empty.
fn clearing(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref()
        .map(|s| Some(s.trim().to_string()).filter(|s| !s.is_empty()))
}

/// Runs `zeren person …`.
pub async fn person(db: &Db, cmd: &PersonCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let l = lang();
    let model = db.load_model().await?;
    match cmd {
        PersonCommand::Add {
            name,
            org,
            staff_no,
            email,
            wecom,
            dingtalk,
        } => {
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let p = tx
                .create_person(NewPerson {
                    name: name.clone(),
                    org: org.trim().to_string(),
                    staff_no: staff_no.clone(),
                    email: email.clone(),
                    wecom_id: wecom.clone(),
                    dingtalk_id: dingtalk.clone(),
                })
                .await
                .map_err(|e| person_told(&model, Some(org.trim()), e))?;
            tx.commit().await?;
            println!("{}", p.id);
        }
        PersonCommand::Edit {
            who,
            name,
            org,
            staff_no,
            email,
            wecom,
            dingtalk,
        } => {
            let before = find_someone(db, &model, who).await?;
            let edit = PersonEdit {
                name: name.clone(),
                org: org.as_deref().map(|o| o.trim().to_string()),
                staff_no: clearing(staff_no),
                email: clearing(email),
                wecom_id: clearing(wecom),
                dingtalk_id: clearing(dingtalk),
                left_on: None,
            };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            let (after, _) = tx
                .update_person(&before.id, before.version, edit)
                .await
                .map_err(|e| person_told(&model, org.as_deref().map(str::trim), e))?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("已修改人员 {}", after.name),
                    &format!("{} updated", after.name)
                )
            );
        }
        PersonCommand::Leave { who, on } => {
            let day = parse_day(on, "--on")?;
            let before = find_someone(db, &model, who).await?;
            let ending = model
                .holdings_of_person(&before.id)
                .filter(|h| h.end.is_none_or(|e| e > day))
                .count();
            let edit = PersonEdit {
                left_on: Some(Some(day)),
                ..PersonEdit::default()
            };
            let mut tx = db.begin(&Actor::cli(), now).await?;
            tx.update_person(&before.id, before.version, edit)
                .await
                .map_err(|e| person_told(&model, None, e))?;
            tx.commit().await?;
            println!(
                "{}",
                l.pick(
                    &format!("{} 于 {day} 离职，{ending} 项任职于当日结束", before.name),
                    &format!(
                        "{} left on {day}; {ending} holding(s) ended that day",
                        before.name
                    ),
                )
            );
        }
        PersonCommand::List { org, json } => {
            let within = match org.as_deref().map(str::trim) {
                None => None,
                Some(o) => Some(
                    model
                        .find_org(o)
                        .ok_or_else(|| unknown("组织", "org", o))?
                        .id
                        .clone(),
                ),
            };
            let records = db.person_records().await?;
            let mut rows: Vec<&PersonRecord> = records
                .iter()
                .filter(|r| within.as_deref().is_none_or(|w| model.is_within(&r.org, w)))
                .collect();
            let code = |r: &PersonRecord| {
                model
                    .org(&r.org)
                    .map(|o| o.code.clone())
                    .unwrap_or_default()
            };
            rows.sort_by_key(|r| (code(r), r.name.clone(), r.id.clone()));
            for r in rows {
                if *json {
                    let mut v = serde_json::to_value(r)?;
                    v["org_code"] = serde_json::json!(code(r));
                    println!("{v}");
                } else {
                    let left = r
                        .left_on
                        .map(|d| {
                            l.pick(&format!("（{d} 离职）"), &format!(" (left {d})"))
                                .to_string()
                        })
                        .unwrap_or_default();
                    println!(
                        "{}  {}  {}  {}{left}",
                        r.id,
                        r.staff_no.as_deref().unwrap_or("-"),
                        r.name,
                        code(r)
                    );
                }
            }
        }
    }
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
    let pack = combined_pack(db, today).await?;
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
                let holders = match p.closed_on {
                    Some(d) if holders.is_empty() || d < today => l
                        .pick(&format!("（{d} 撤销）"), &format!("(closed {d})"))
                        .to_string(),
                    _ => holders,
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
        PostCommand::Close { post, on } => {
            let post = find_post(&model, post)?;
            let day = parse_day(on, "--on")?;
            close_or_reopen(db, &pack, post, Some(day), now).await?;
            println!(
                "{}",
                l.pick(
                    &format!("已撤销职务 {}，最后一天为 {}", post.title, day),
                    &format!("{} closed; its last day is {}", post.title, day),
                )
            );
        }
        PostCommand::Reopen { post } => {
            let post = find_post(&model, post)?;
            close_or_reopen(db, &pack, post, None, now).await?;
            println!(
                "{}",
                l.pick(
                    &format!("已恢复职务 {}", post.title),
                    &format!("{} reopened", post.title),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Closes `post` on `on`, or reopens it (`None`), at the version stored now.
async fn close_or_reopen(
    db: &Db,
    pack: &PolicyPack,
    post: &Post,
    on: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> Result<()> {
    let version = db.post_version(&post.id).await?;
    let mut tx = db.begin(&Actor::cli(), now).await?;
    tx.update_post(
        &post.id,
        version,
        PostEdit {
            closed_on: Some(on),
        },
    )
    .await
    .map_err(|e| told(pack, e))?;
    tx.commit().await?;
    Ok(())
}
