//! `zeren export ledger`: the ledger (台账) of an org subtree for a year, as an xlsx file.

use crate::cli::{ExportCommand, ExportLedgerArgs};
use crate::clock;
use crate::lang;
use anyhow::{Context, Result, anyhow};
use serde_json::json;
use std::process::ExitCode;
use zeren_core::clock::{Clock, shanghai_date};
use zeren_storage::{Actor, Db, ledger};

/// Runs an export command.
pub async fn run(db: &Db, cmd: &ExportCommand) -> Result<ExitCode> {
    match cmd {
        ExportCommand::Ledger(args) => export_ledger(db, args).await,
        // Told apart by the caller (it needs the tree initialised first).
        ExportCommand::Roster { out, template } => crate::roster::export(db, out, *template).await,
    }
}

async fn export_ledger(db: &Db, args: &ExportLedgerArgs) -> Result<ExitCode> {
    let l = lang();
    let clock = clock::from_arg(args.clock.clock.as_deref())?;
    let now = clock.now();
    ledger::initialise(db, now).await?;
    let model = db.load_model().await?;
    let Some(org) = model.find_org(args.org.trim()) else {
        return Err(anyhow!(
            "{}",
            l.pick(
                &format!("--org：没有代码或 id 为 `{}` 的组织", args.org),
                &format!("--org: there is no org with code or id `{}`", args.org),
            )
        ));
    };
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
