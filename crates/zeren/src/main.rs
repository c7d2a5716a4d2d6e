//! `zeren`: the server and the command line in one binary.

mod accounts;
mod cli;
mod clock;
mod commands;
mod export;
mod orgs;
mod platforms;
mod posts;
mod roster;

use clap::Parser;
use std::process::ExitCode;
use zeren_core::Lang;

/// The language of messages: `ZEREN_LANG`, then `LANG`; Chinese unless English is asked for.
pub fn lang() -> Lang {
    std::env::var("ZEREN_LANG")
        .or_else(|_| std::env::var("LANG"))
        .map(|t| Lang::from_tag(&t))
        .unwrap_or_default()
}

/// Reads a `YYYY-MM-DD` argument.
pub fn parse_day(s: &str, what: &str) -> anyhow::Result<chrono::NaiveDate> {
    zeren_core::params::day(s).ok_or_else(|| {
        anyhow::anyhow!(
            "{}",
            lang().pick(
                &format!("{what} 的日期 `{s}` 无效，应为 YYYY-MM-DD（例如 2026-07-01）"),
                &format!("{what}: `{s}` is not a date; use YYYY-MM-DD (e.g. 2026-07-01)"),
            )
        )
    })
}

/// mimalloc rather than the system allocator (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZEREN_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,zeren=info,zeren_web=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("zeren: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let prefix = lang().pick("错误", "error");
            eprintln!("{prefix}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
