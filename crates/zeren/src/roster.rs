//! `zeren import roster` and `zeren export roster`: the roster (组织机构/人员/任职 名册) from
//! and to a file, for scripts and first installations. The import is planned against the model
//! as stored, told sheet by sheet (or problem by problem, each at its cell), and written in one
//! audited transaction by `cli` — the whole file or nothing.

use crate::commands::combined_pack;
use crate::lang;
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeren_core::clock::shanghai_date;
use zeren_core::org::roster::{Sheet, plan_with_platforms, roster_with_platforms};
use zeren_storage::{Actor, Db};
use zeren_web::areas::roster::{problem_text, step_text};

/// Reads the files of a roster: one workbook, or CSV files named by sheet.
fn read(files: &[PathBuf]) -> Result<Result<zeren_core::org::roster::Roster, Vec<String>>> {
    let l = lang();
    let mut loaded = Vec::new();
    for f in files {
        let size = std::fs::metadata(f)
            .with_context(|| f.display().to_string())?
            .len();
        if size > zeren_roster::MAX_BYTES as u64 {
            return Ok(Err(vec![
                l.pick(
                    &format!("{}：文件超过 50 MB，未读取。", f.display()),
                    &format!("{}: the file is over 50 MB and was not read.", f.display()),
                )
                .to_string(),
            ]));
        }
        let bytes = std::fs::read(f).with_context(|| f.display().to_string())?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        loaded.push((name, bytes));
    }
    let csv = loaded
        .iter()
        .all(|(n, _)| n.to_ascii_lowercase().ends_with(".csv"));
    let read = match (csv, loaded.as_slice()) {
        (true, _) => zeren_roster::read_csv(&loaded),
        (false, [(_, bytes)]) => zeren_roster::read_xlsx(bytes),
        (false, _) => {
            return Err(anyhow!(
                "{}",
                l.pick(
                    "一次只能导入一个 Excel 工作簿（或若干 CSV 文件）。",
                    "import one Excel workbook at a time (or several CSV files)."
                )
            ));
        }
    };
    Ok(read.map_err(|problems| problems.iter().map(|p| p.message(l)).collect()))
}

/// `zeren import roster FILE… [--dry-run]`
pub async fn import(
    db: &Db,
    files: &[PathBuf],
    dry_run: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<ExitCode> {
    let l = lang();
    let roster = match read(files)? {
        Ok(r) => r,
        Err(problems) => return Ok(refused(&problems)),
    };
    let pack = combined_pack(db, shanghai_date(now)).await?;
    let model = db.load_model().await?;
    let people = db.roster_people().await?;
    let platforms = db.roster_platforms().await?;
    let planned = match plan_with_platforms(&pack, &model, &people, &platforms, &roster) {
        Ok(p) => p,
        Err(problems) => {
            let told: Vec<String> = problems.iter().map(|p| problem_text(l, &pack, p)).collect();
            return Ok(refused(&told));
        }
    };
    for s in &planned.steps {
        println!("{}", step_text(l, &pack, &model, s));
    }
    for sheet in Sheet::ALL {
        let c = planned.counts(sheet);
        println!(
            "{}",
            l.pick(
                &format!(
                    "{}：新增 {}，变更 {}，结束 {}，不变 {}",
                    sheet.title(),
                    c.created,
                    c.changed,
                    c.ended,
                    c.unchanged
                ),
                &format!(
                    "{}: {} new, {} changed, {} ended, {} unchanged",
                    sheet.title(),
                    c.created,
                    c.changed,
                    c.ended,
                    c.unchanged
                ),
            )
        );
    }
    if dry_run || planned.is_empty() {
        println!(
            "{}",
            if planned.is_empty() {
                l.pick(
                    "名册与现有数据一致，没有变更。",
                    "the roster matches what is stored: nothing to change.",
                )
            } else {
                l.pick("试运行：未写入。", "dry run: nothing written.")
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    let done = db
        .import_roster(&Actor::cli(), now, &pack, &planned)
        .await?;
    println!(
        "{}",
        l.pick(
            &format!("已导入：写入 {} 项变更。", done.steps),
            &format!("imported: {} changes written.", done.steps)
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn refused(problems: &[String]) -> ExitCode {
    let l = lang();
    for p in problems {
        eprintln!("{p}");
    }
    eprintln!(
        "{}",
        l.pick(
            &format!("名册有 {} 个问题，未写入任何内容。", problems.len()),
            &format!(
                "the roster has {} problems; nothing was written.",
                problems.len()
            )
        )
    );
    ExitCode::from(1)
}

/// `zeren export roster --out FILE [--template]`
pub async fn export(db: &Db, out: &Path, template: bool) -> Result<ExitCode> {
    let l = lang();
    if template {
        let bytes = zeren_roster::template().map_err(|e| anyhow!("{e}"))?;
        std::fs::write(out, bytes).with_context(|| out.display().to_string())?;
        println!("{}", out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let model = db.load_model().await?;
    let people = db.roster_people().await?;
    let platforms = db.roster_platforms().await?;
    let roster = roster_with_platforms(&model, &people, &platforms);
    let bytes = zeren_roster::write_xlsx(&roster).map_err(|e| anyhow!("{e}"))?;
    let partial = out.with_extension("xlsx.partial");
    std::fs::write(&partial, &bytes).with_context(|| partial.display().to_string())?;
    std::fs::rename(&partial, out).with_context(|| out.display().to_string())?;
    println!(
        "{}",
        l.pick(
            &format!(
                "已导出 {}：组织 {}，人员 {}，职务 {}，任职 {}，分管 {}",
                out.display(),
                roster.orgs.len(),
                roster.people.len(),
                roster.posts.len(),
                roster.holdings.len(),
                roster.assignments.len()
            ),
            &format!(
                "exported {}: {} orgs, {} people, {} posts, {} holdings, {} assignments",
                out.display(),
                roster.orgs.len(),
                roster.people.len(),
                roster.posts.len(),
                roster.holdings.len(),
                roster.assignments.len()
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}
