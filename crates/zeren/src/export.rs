//! `zeren export ledger`: the ledger (台账) of an org subtree for a year, as an xlsx file;
//! `zeren export report`: a file of a year's annual assessment.

use crate::cli::{ExportCommand, ExportLedgerArgs, ExportReportArgs};
use crate::clock;
use crate::lang;
use anyhow::{Context, Result, anyhow};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;
use zeren_core::clock::{Clock, shanghai_date};
use zeren_core::org::{Org, OrgModel};
use zeren_storage::{Actor, Db, ledger};

/// Runs an export command.
pub async fn run(db: &Db, cmd: &ExportCommand) -> Result<ExitCode> {
    match cmd {
        ExportCommand::Ledger(args) => export_ledger(db, args).await,
        ExportCommand::Report(args) => export_report(db, args).await,
        // Told apart by the caller (it needs the tree initialised first).
        ExportCommand::Roster { out, template } => crate::roster::export(db, out, *template).await,
    }
}

/// The org `code` (or id) of `--org`, or the error naming it.
fn org_of<'m>(model: &'m OrgModel, code: &str) -> Result<&'m Org> {
    let l = lang();
    model.find_org(code.trim()).ok_or_else(|| {
        anyhow!(
            "{}",
            l.pick(
                &format!("--org：没有代码或 id 为 `{code}` 的组织"),
                &format!("--org: there is no org with code or id `{code}`"),
            )
        )
    })
}

/// Writes `bytes` to `out` whole (through a `.partial` file beside it).
fn write_whole(out: &Path, bytes: &[u8]) -> Result<()> {
    let partial = out.with_extension("partial");
    std::fs::write(&partial, bytes).with_context(|| format!("{}", partial.display()))?;
    std::fs::rename(&partial, out).with_context(|| format!("{}", out.display()))
}

async fn export_report(db: &Db, args: &ExportReportArgs) -> Result<ExitCode> {
    use zeren_web::areas::assessments::{Export, export};
    use zeren_web::shared::auth::Viewer;
    use zeren_web::shared::i18n::Tr;
    let l = lang();
    let clock = clock::from_arg(args.clock.clock.as_deref())?;
    let now = clock.now();
    ledger::initialise(db, now).await?;
    let model = db.load_model().await?;
    let org = org_of(&model, &args.org)?;
    let what = match (&args.college, args.duty_report, args.scores) {
        (_, _, true) => Export::Scores,
        (Some(c), true, _) => Export::DutyReport(c.trim().to_string()),
        (Some(c), false, _) => Export::College(c.trim().to_string()),
        (None, ..) => Export::Results,
    };
    let state = zeren_web::AppState::new(db.clone(), std::sync::Arc::new(clock));
    let v = Viewer::operator(&state, &org.id, Tr::new(l)).await?;
    let file = export(&state, &v, &org.id, args.year, &what)
        .await
        .map_err(|r| anyhow!("{}", r.message))?;
    write_whole(&args.out, &file.bytes)?;
    let mut tx = db.begin(&Actor::cli(), now).await?;
    tx.audit(
        "assessment.export",
        "org",
        &org.id,
        None,
        Some(&json!({"year": args.year, "file": args.out.display().to_string(), "what": format!("{what:?}"), "bytes": file.bytes.len()})),
    )
    .await?;
    tx.commit().await?;
    println!(
        "{}",
        l.pick(
            &format!("已导出《{}》到 {}", file.name, args.out.display()),
            &format!("Wrote “{}” to {}", file.name, args.out.display()),
        )
    );
    Ok(ExitCode::SUCCESS)
}

async fn export_ledger(db: &Db, args: &ExportLedgerArgs) -> Result<ExitCode> {
    let l = lang();
    let clock = clock::from_arg(args.clock.clock.as_deref())?;
    let now = clock.now();
    ledger::initialise(db, now).await?;
    let model = db.load_model().await?;
    let org = org_of(&model, &args.org)?;
    let policies = db.policy_set().await?;
    let pack = crate::commands::combined_of(&policies, shanghai_date(now))?;
    let out = &args.out;
    let partial = out.with_extension("xlsx.partial");
    let file = std::fs::File::create(&partial).with_context(|| format!("{}", partial.display()))?;
    let req = zeren_exports::ledger::LedgerRequest {
        db,
        model: &model,
        pack: &pack,
        policies: &policies,
        org,
        year: args.year,
        now,
        exported_by: l.pick("命令行", "command line"),
        tempdir: None,
    };
    let written = zeren_exports::ledger::write_ledger(&req, std::io::BufWriter::new(file)).await;
    let summary = match written {
        Ok((s, _)) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("{}", out.display()))?;
    let mut tx = db.begin(&Actor::cli(), now).await?;
    tx.audit(
        "ledger.export",
        "org",
        &org.id,
        None,
        Some(&json!({"year": args.year, "file": out.display().to_string(), "rows": summary.iter().map(|(n, r)| json!([n, r])).collect::<Vec<_>>()})),
    )
    .await?;
    tx.commit().await?;
    let parts: Vec<String> = summary.iter().map(|(n, r)| format!("{n} {r}")).collect();
    println!(
        "{}",
        l.pick(
            &format!(
                "已导出 {}（{}）{} 年度台账到 {}：{}",
                org.name,
                org.code,
                args.year,
                out.display(),
                parts.join("，")
            ),
            &format!(
                "exported the {} ledger of {} ({}) to {}: {}",
                args.year,
                org.name,
                org.code,
                out.display(),
                parts.join(", ")
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}
