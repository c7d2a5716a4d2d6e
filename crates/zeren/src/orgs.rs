//! `zeren org …` and the root org of `zeren init`: the org tree from the command line, for
//! scripts. Each change is one audited transaction by `cli`; the rules are the core's
//! (`zeren_core::org::check_place` and the others), told in the user's language.

use crate::cli::OrgCommand;
use crate::{lang, parse_day};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use std::process::ExitCode;
use zeren_core::org::Org;
use zeren_core::vocab::OrgKind;
use zeren_storage::{Actor, Db, NewOrg, OrgEdit, StorageError};

/// A storage failure as the command line tells it (a broken rule of the tree in the user's
/// language).
fn told(e: StorageError) -> anyhow::Error {
    match e {
        StorageError::Tree(t) => anyhow!("{}", zeren_web::areas::orgs::tree_message(lang(), &t)),
        e => anyhow!(e),
    }
}

/// Creates an org and commits it.
pub async fn create(db: &Db, now: chrono::DateTime<chrono::Utc>, new: NewOrg) -> Result<Org> {
    let mut tx = db.begin(&Actor::cli(), now).await?;
    let org = tx.create_org(new).await.map_err(told)?;
    tx.commit().await?;
    Ok(org)
}

/// The root org of `zeren init --org-code --org-name`: created when the tree is empty, left as
/// it is when the same root exists (init may run again), refused when another root exists.
pub async fn init_root(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    code: &str,
    name: &str,
) -> Result<bool> {
    let l = lang();
    if let Ok(existing) = db.find_org(code).await
        && existing.parent.is_none()
    {
        if existing.name != name.trim() {
            eprintln!(
                "{}",
                l.pick(
                    &format!(
                        "顶端组织 {code} 已存在，名称为“{}”；未作更改（改名请用 zeren org edit）。",
                        existing.name
                    ),
                    &format!(
                        "the root org {code} exists already, named “{}”; left as it is (rename it with zeren org edit).",
                        existing.name
                    )
                )
            );
        }
        return Ok(false);
    }
    create(
        db,
        now,
        NewOrg {
            code: code.trim().to_string(),
            name: name.trim().to_string(),
            kind: OrgKind::University,
            parent: None,
            established_on: None,
        },
    )
    .await?;
    Ok(true)
}

/// Runs `zeren org …`.
pub async fn run(
    db: &Db,
    cmd: &OrgCommand,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ExitCode> {
    let l = lang();
    match cmd {
        OrgCommand::List { json } => list(db, *json).await?,
        OrgCommand::Create {
            code,
            name,
            kind,
            parent,
            established_on,
        } => {
            let kind = OrgKind::parse(kind.trim()).ok_or_else(|| {
                anyhow!(
                    "{}",
                    l.pick(
                        &format!("--kind：组织类型应为以下之一：{}", OrgKind::expected()),
                        &format!("--kind: the kind must be one of: {}", OrgKind::expected()),
                    )
                )
            })?;
            let established_on = established_on
                .as_deref()
                .map(|d| parse_day(d, "--established-on"))
                .transpose()?;
            let org = create(
                db,
                now,
                NewOrg {
                    code: code.trim().to_string(),
                    name: name.clone(),
                    kind,
                    parent: Some(parent.trim().to_string()),
                    established_on,
                },
            )
            .await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已新建组织 {}（{}），上级 {}",
                        org.code,
                        org.name,
                        parent.trim()
                    ),
                    &format!(
                        "created {} ({}) under {}",
                        org.code,
                        org.name,
                        parent.trim()
                    )
                )
            );
        }
        OrgCommand::Edit { code, name, parent } => {
            let org = edit(
                db,
                now,
                code,
                OrgEdit {
                    name: name.clone(),
                    parent: parent.clone(),
                    closed_on: None,
                },
            )
            .await?;
            println!(
                "{}",
                l.pick(
                    &format!("已更新组织 {}（{}）", org.code, org.name),
                    &format!("updated {} ({})", org.code, org.name)
                )
            );
        }
        OrgCommand::Close { code, on } => {
            let day: NaiveDate = parse_day(on, "--on")?;
            let org = edit(
                db,
                now,
                code,
                OrgEdit {
                    closed_on: Some(Some(day)),
                    ..OrgEdit::default()
                },
            )
            .await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已撤销组织 {}（{}），撤销日期 {day}；其职务任职与平台同日终止，此后到期的待办事项将撤回。",
                        org.code, org.name
                    ),
                    &format!(
                        "closed {} ({}) on {day}; its holdings and platforms end that day, and its obligations falling due after it are withdrawn.",
                        org.code, org.name
                    )
                )
            );
        }
        OrgCommand::Reopen { code } => {
            let org = edit(
                db,
                now,
                code,
                OrgEdit {
                    closed_on: Some(None),
                    ..OrgEdit::default()
                },
            )
            .await?;
            println!(
                "{}",
                l.pick(
                    &format!("已恢复组织 {}（{}）", org.code, org.name),
                    &format!("reopened {} ({})", org.code, org.name)
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Applies an edit to the org's current version.
async fn edit(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    code: &str,
    edit: OrgEdit,
) -> Result<Org> {
    let code = code.trim();
    let version = db.org_version(code).await.map_err(told)?;
    let mut tx = db.begin(&Actor::cli(), now).await?;
    let (org, _) = tx.update_org(code, version, edit).await.map_err(told)?;
    tx.commit().await?;
    Ok(org)
}

/// `zeren org list`: parents before children.
async fn list(db: &Db, json: bool) -> Result<()> {
    let model = db.load_model().await?;
    let mut stack: Vec<(usize, &Org)> = {
        let mut tops: Vec<&Org> = model.tops().collect();
        tops.sort_by(|a, b| b.code.cmp(&a.code));
        tops.into_iter().map(|o| (0, o)).collect()
    };
    let mut seen = 0usize;
    while let Some((depth, o)) = stack.pop() {
        seen += 1;
        if seen > model.orgs().len() {
            break;
        }
        let parent = model.parent(o).map(|p| p.code.as_str());
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "code": o.code, "name": o.name, "kind": o.kind, "parent": parent,
                    "established_on": o.established_on, "closed_on": o.closed_on,
                })
            );
        } else {
            let closed = o
                .closed_on
                .map(|d| format!("  [{} {d}]", lang().pick("撤销于", "closed")))
                .unwrap_or_default();
            println!(
                "{}{}  {}  {}{closed}",
                "  ".repeat(depth),
                o.code,
                o.kind,
                o.name
            );
        }
        let mut kids: Vec<&Org> = model.children(&o.id).collect();
        kids.sort_by(|a, b| b.code.cmp(&a.code));
        stack.extend(kids.into_iter().map(|k| (depth + 1, k)));
    }
    Ok(())
}
