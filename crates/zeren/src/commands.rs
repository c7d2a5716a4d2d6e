//! What each command does. Thin: parse, call storage and the core, print.

use crate::cli::{
    AuditCommand, Cli, Command, DemoScale, ExportCommand, ImportCommand, PolicyCommand, ServeArgs,
    WhoArgs,
};
use crate::clock::{self, SystemClock};
use crate::{accounts, lang, parse_day};
use anyhow::{Context, Result, anyhow, bail};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use zeren_core::clock::Clock;
use zeren_core::policy::{BUILTIN_PACK_ID, Policies, PolicyPack, parse_pack};
use zeren_core::responsibility::{Target, resolve};
use zeren_storage::demo;
use zeren_storage::{Actor, Db, ledger};

/// Runs a command; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Policy(PolicyCommand::Check { file }) => return policy_check(file),
        Command::Serve(args) => {
            let clock = clock::from_arg(args.clock.clock.as_deref())?;
            return serve(&cli, args, clock).await;
        }
        _ => {}
    }
    let clock = match &cli.command {
        Command::Demo(c) => clock::from_arg(c.clock.clock.as_deref())?,
        _ => SystemClock::real(),
    };
    let db = open(&cli).await?;
    let now = clock.now();
    let l = lang();
    let code = match &cli.command {
        Command::Init {
            admin_password,
            org_code,
            org_name,
        } => {
            let fresh = ledger::initialise(&db, now).await?;
            accounts::create_administrators(&db, now, admin_password.as_deref()).await?;
            println!(
                "{}",
                if fresh {
                    l.pick(
                        "数据库已初始化，已载入内置制度 cqu-mse-2021-6。",
                        "Database initialised; built-in policy cqu-mse-2021-6 loaded.",
                    )
                } else {
                    l.pick(
                        "数据库已是最新，无需初始化。",
                        "Database is up to date; nothing to do.",
                    )
                }
            );
            if let (Some(code), Some(name)) = (org_code, org_name)
                && crate::orgs::init_root(&db, now, code, name).await?
            {
                println!(
                    "{}",
                    l.pick(
                        &format!("已建立顶端组织 {}（{}）。", code.trim(), name.trim()),
                        &format!("root org {} ({}) created.", code.trim(), name.trim()),
                    )
                );
            }
            if db.load_model().await?.orgs().is_empty() {
                println!(
                    "{}",
                    l.pick(
                        "尚无任何组织。请以安全管理员 secadmin 登录，新建一个账号并勾选“首位组织管理员”，由其登录后建立顶端组织；或运行 zeren init --org-code CODE --org-name NAME。",
                        "No org exists yet. Sign in as the security administrator secadmin and create an account with “first org administrator” ticked: signed in, it creates the root org. Or run zeren init --org-code CODE --org-name NAME.",
                    )
                );
            }
            ExitCode::SUCCESS
        }
        Command::Demo(args) if args.scale == Some(DemoScale::Province) => {
            province_demo(&cli, &db, clock::today(&clock)).await?;
            ExitCode::SUCCESS
        }
        Command::Demo(args) if args.scale.is_some() => {
            scale_demo(&db, clock::today(&clock)).await?;
            ExitCode::SUCCESS
        }
        Command::Demo(_) => {
            let s = demo::load(&db, clock::today(&clock)).await?;
            println!("{}", demo_message(&s));
            ExitCode::SUCCESS
        }
        Command::Policy(PolicyCommand::Load { file, dry_run }) => {
            ledger::initialise(&db, now).await?;
            if *dry_run {
                policy_load_dry_run(&db, file, clock::today(&clock)).await?
            } else {
                let (pack, source) = read_pack(file)?;
                let mut tx = db.begin(&Actor::cli(), now).await?;
                tx.load_policy(&pack, &source, false).await?;
                tx.commit().await?;
                println!(
                    "{}",
                    l.pick(
                        &format!(
                            "已载入制度 {}（{}）",
                            pack.meta.id, pack.meta.document_number
                        ),
                        &format!(
                            "loaded policy {} ({})",
                            pack.meta.id, pack.meta.document_number
                        )
                    )
                );
                ExitCode::SUCCESS
            }
        }
        Command::Policy(PolicyCommand::Show { id }) => {
            ledger::initialise(&db, now).await?;
            policy_show(&db, id.as_deref()).await?;
            ExitCode::SUCCESS
        }
        Command::Who(args) => {
            ledger::initialise(&db, now).await?;
            who(&db, args).await?;
            ExitCode::SUCCESS
        }
        Command::Audit(AuditCommand::Verify) => match db.verify_audit().await? {
            Ok(n) => {
                println!(
                    "{}",
                    l.pick(
                        &format!("审计链完整：已校验 {n} 条记录"),
                        &format!("audit chain intact: {n} entries checked")
                    )
                );
                ExitCode::SUCCESS
            }
            Err(broken) => {
                eprintln!(
                    "{}: {broken}",
                    l.pick("审计链已被篡改", "audit chain broken")
                );
                ExitCode::from(2)
            }
        },
        Command::Backup { file } => {
            let s = db.backup(file, now).await?;
            println!(
                "{}",
                l.pick(
                    &format!(
                        "已备份 {} 条记录到 {}（以本安装密钥签名，指纹 {}）",
                        s.rows,
                        file.display(),
                        s.key
                    ),
                    &format!(
                        "backed up {} rows to {} (signed with this installation's key, fingerprint {})",
                        s.rows,
                        file.display(),
                        s.key
                    )
                )
            );
            ExitCode::SUCCESS
        }
        Command::Restore {
            file,
            force,
            key_file,
            key,
        } => {
            let archive_key = archive_key(key_file.as_deref(), key.as_deref())?;
            check_signer(&db, file, archive_key.as_ref())?;
            db.migrate().await?;
            if db.has_orgs().await? && !force {
                bail!(
                    "{}",
                    l.pick(
                        "数据库中已有数据；如需用备份覆盖，请加 --force",
                        "the database already holds data; add --force to replace it with the backup"
                    )
                );
            }
            let s = db.restore(file, archive_key.as_ref()).await?;
            tracing::info!(file = %file.display(), rows = s.rows, "restored from backup");
            println!(
                "{}",
                l.pick(
                    &format!("已从 {} 恢复 {} 条记录", file.display(), s.rows),
                    &format!("restored {} rows from {}", s.rows, file.display())
                )
            );
            ExitCode::SUCCESS
        }
        Command::Export(ExportCommand::Roster { out, template }) => {
            ledger::initialise(&db, now).await?;
            crate::roster::export(&db, out, *template).await?
        }
        Command::Export(cmd) => crate::export::run(&db, cmd).await?,
        Command::Import(ImportCommand::Roster { files, dry_run }) => {
            ledger::initialise(&db, now).await?;
            crate::roster::import(&db, files, *dry_run, now).await?
        }
        Command::User(cmd) => {
            ledger::initialise(&db, now).await?;
            accounts::run(&db, cmd, now).await?
        }
        Command::Org(cmd) => {
            ledger::initialise(&db, now).await?;
            crate::orgs::run(&db, cmd, now).await?
        }
        Command::Person(cmd) => {
            ledger::initialise(&db, now).await?;
            crate::posts::person(&db, cmd, now).await?
        }
        Command::Post(cmd) => {
            ledger::initialise(&db, now).await?;
            crate::posts::run(&db, cmd, now).await?
        }
        Command::Platform(cmd) => {
            ledger::initialise(&db, now).await?;
            crate::platforms::run(&db, cmd, now).await?
        }
        Command::Serve(_) | Command::Policy(PolicyCommand::Check { .. }) => ExitCode::SUCCESS,
    };
    db.close().await;
    Ok(code)
}

/// The key of another installation given for a restore: `--key-file` or `--key`.
fn archive_key(
    file: Option<&Path>,
    hex: Option<&str>,
) -> Result<Option<zeren_storage::InstallationKey>> {
    let l = lang();
    let bad = || {
        l.pick(
            "密钥应为 64 位十六进制数字（zeren.key 的内容）",
            "the key must be 64 hex digits (the content of a zeren.key)",
        )
        .to_string()
    };
    Ok(match (file, hex) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(
                zeren_storage::InstallationKey::from_hex(&text)
                    .map_err(|_| anyhow!("{}: {}", path.display(), bad()))?,
            )
        }
        (None, Some(hex)) => Some(
            zeren_storage::InstallationKey::from_hex(hex)
                .map_err(|_| anyhow!("--key / ZEREN_ARCHIVE_KEY: {}", bad()))?,
        ),
        (None, None) => None,
    })
}

/// Says, before anything is read further, when an archive is unsigned or signed by a key this
/// restore does not have: which key signed it, and how to give it.
fn check_signer(
    db: &Db,
    file: &Path,
    archive_key: Option<&zeren_storage::InstallationKey>,
) -> Result<()> {
    let l = lang();
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let header = zeren_storage::backup::archive_header(reader)
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let Some(signer) = header.key.filter(|_| header.version >= 2) else {
        bail!(
            "{}: {}",
            file.display(),
            l.pick(
                "这是未签名的旧版备份（格式 1），无法确认其来源，已拒绝恢复。请用本版本的 Zeren 重新备份。",
                "this is an unsigned archive of an older version (format 1): nothing proves where it comes from, so it is refused. Take a new backup with this version of Zeren."
            )
        );
    };
    let local = db.key()?.fingerprint();
    if signer == local {
        return Ok(());
    }
    match archive_key {
        Some(k) if k.fingerprint() == signer => Ok(()),
        Some(k) => bail!(
            "{}: {}",
            file.display(),
            l.pick(
                &format!(
                    "给出的密钥（指纹 {}）不是签名此备份的密钥（指纹 {signer}）。",
                    k.fingerprint()
                ),
                &format!(
                    "the key given (fingerprint {}) did not sign this archive (signed by the key with fingerprint {signer}).",
                    k.fingerprint()
                )
            )
        ),
        None => bail!(
            "{}: {}",
            file.display(),
            l.pick(
                &format!(
                    "此备份由另一安装的密钥签名（指纹 {signer}），本安装的密钥指纹为 {local}。如确要恢复，请给出那个安装的密钥：--key-file 该安装数据目录中的 zeren.key，或在环境变量 ZEREN_ARCHIVE_KEY 中给出其 64 位十六进制数字。"
                ),
                &format!(
                    "this archive was signed by another installation's key (fingerprint {signer}); this installation's key has fingerprint {local}. To restore it, give that installation's key: --key-file PATH (the zeren.key of its data dir), or its 64 hex digits in ZEREN_ARCHIVE_KEY."
                )
            )
        ),
    }
}

/// The database URL: `--database-url`/`DATABASE_URL`, or SQLite in the data dir.
fn database_url(cli: &Cli) -> Result<String> {
    if let Some(url) = &cli.database_url {
        return Ok(url.clone());
    }
    std::fs::create_dir_all(&cli.data_dir)
        .with_context(|| format!("cannot create data dir {}", cli.data_dir.display()))?;
    Ok(format!(
        "sqlite://{}",
        cli.data_dir.join("zeren.db").display()
    ))
}

async fn open(cli: &Cli) -> Result<Db> {
    // Attachments live beside the database, content-addressed, whatever the engine.
    let files = cli.data_dir.join("files");
    // The installation key lives beside the database too, never inside it nor in a backup.
    let key = zeren_storage::InstallationKey::load_or_create(&cli.data_dir)?;
    Ok(Db::connect(&database_url(cli)?)
        .await?
        .with_files_dir(files)
        .with_key(key))
}

/// `zeren demo --scale university`, with a progress bar on stderr.
async fn scale_demo(db: &Db, today: chrono::NaiveDate) -> Result<()> {
    use std::io::{IsTerminal, Write};
    let tty = std::io::stderr().is_terminal();
    let mut last = String::new();
    let mut progress = |stage: &str, done: u64, total: u64| {
        let width = 30u64;
        let filled = (done * width).checked_div(total).unwrap_or(width);
        let bar = format!(
            "[{}{}] {stage:<18} {done}/{total}",
            "#".repeat(filled as usize),
            ".".repeat((width - filled) as usize)
        );
        let mut err = std::io::stderr();
        if tty {
            let _ = write!(err, "\r{bar:<70}");
            if done >= total {
                let _ = writeln!(err);
            }
        } else if done >= total && last != stage {
            let _ = writeln!(err, "{bar}");
            last = stage.to_string();
        }
        let _ = err.flush();
    };
    let s = zeren_storage::demo_scale::load(db, today, &mut progress).await?;
    println!(
        "{}",
        lang().pick(
            &format!(
                "大规模演示数据已载入：{} 个组织，{} 人，{} 个平台，{} 场网上活动，{} 起舆情事件，{} 年待办事项 {} 项（已完成 {} 项）。演示账号同普通演示（密码 {}）。",
                s.orgs,
                s.people,
                s.platforms,
                s.events,
                s.incidents,
                s.year,
                s.obligations,
                s.done,
                demo::DEMO_PASSWORD
            ),
            &format!(
                "university-scale demo loaded: {} orgs, {} people, {} platforms, {} online events, {} incidents, {} obligations for {} ({} done). Demo accounts as in the ordinary demo (password {}).",
                s.orgs,
                s.people,
                s.platforms,
                s.events,
                s.incidents,
                s.obligations,
                s.year,
                s.done,
                demo::DEMO_PASSWORD
            ),
        )
    );
    Ok(())
}

/// `zeren demo --scale province` (PostgreSQL only): one line per stage on stderr, at most once a
/// second, with the rows done, the rate and the time left, and the stage's wall time at its end.
async fn province_demo(cli: &Cli, db: &Db, today: chrono::NaiveDate) -> Result<()> {
    use std::time::{Duration, Instant};
    use zeren_storage::demo_province::{self, ProvinceSize};
    let l = lang();
    if db.backend() != zeren_storage::Backend::Postgres {
        bail!(
            "{}",
            l.pick(
                "省级规模演示数据只能载入 PostgreSQL（用 COPY 批量载入）：请用 --database-url postgres://… 指定数据库。",
                "the province-scale demo loads only into PostgreSQL (bulk loading with COPY): name one with --database-url postgres://…",
            )
        );
    }
    let url = database_url(cli)?;
    let started = Instant::now();
    // (stage, its start, the last line printed)
    let mut current: Option<(String, Instant, Instant)> = None;
    let mut progress = |stage: &str, done: u64, total: u64| {
        let now = Instant::now();
        if current.as_ref().is_none_or(|(s, _, _)| s != stage) {
            current = Some((stage.to_string(), now, now));
        }
        let Some((_, since, last)) = current.as_mut() else {
            return;
        };
        let elapsed = now.duration_since(*since).as_secs_f64();
        if done >= total {
            eprintln!(
                "{stage:<24} {done:>10} rows  {elapsed:>7.1} s  {:>9.0} rows/s",
                done as f64 / elapsed.max(0.001)
            );
        } else if done > 0 && now.duration_since(*last) >= Duration::from_secs(1) {
            *last = now;
            let rate = done as f64 / elapsed.max(0.001);
            let eta = (total - done) as f64 / rate.max(0.001);
            eprintln!("{stage:<24} {done:>10}/{total} rows  {rate:>9.0} rows/s  ETA {eta:>6.0} s");
        }
    };
    let s = demo_province::load(db, &url, &ProvinceSize::full(), today, &mut progress).await?;
    let secs = started.elapsed().as_secs();
    println!(
        "{}",
        l.pick(
            &format!(
                "省级规模演示数据已载入（{secs} 秒）：{} 个组织，{} 人，{} 个岗位，{} 条任职记录，{} 个平台，{}–{} 年待办事项 {} 项（已完成 {} 项）。演示账号同普通演示（密码 {}）。",
                s.orgs, s.people, s.posts, s.holdings, s.platforms, s.years.0, s.years.1, s.obligations, s.done, demo::DEMO_PASSWORD
            ),
            &format!(
                "province-scale demo loaded in {secs} s: {} orgs, {} people, {} posts, {} holdings, {} platforms, {} obligations for {}–{} ({} done). Demo accounts as in the ordinary demo (password {}).",
                s.orgs, s.people, s.posts, s.holdings, s.platforms, s.obligations, s.years.0, s.years.1, s.done, demo::DEMO_PASSWORD
            ),
        )
    );
    Ok(())
}

fn demo_message(s: &demo::DemoSummary) -> String {
    let l = lang();
    let mut accounts = String::from(l.pick("\n演示账号（密码均为 ", "\nDemo accounts (password "));
    accounts.push_str(demo::DEMO_PASSWORD);
    accounts.push_str(l.pick("）：", "):"));
    for (username, name, org, _, _) in demo::DEMO_ACCOUNTS {
        accounts.push_str(&format!(
            "\n  {username:<11} {name}{}",
            if org.is_empty() {
                String::new()
            } else {
                format!(" · {org}")
            }
        ));
    }
    l
        .pick(
            &format!(
                "已载入演示数据：{} 个组织、{} 人、{} 年度义务 {} 项（已完成 {} 项）。材料学院党委书记于 {}-07-01 由{}交接给{}。",
                s.orgs, s.people, s.year, s.obligations, s.done, s.year, demo::OLD_SECRETARY, demo::NEW_SECRETARY
            ),
            &format!(
                "demo loaded: {} orgs, {} people, {} obligations for {} ({} done). The cqu-mse secretary post passes from {} to {} on {}-07-01.",
                s.orgs, s.people, s.obligations, s.year, s.done, demo::OLD_SECRETARY, demo::NEW_SECRETARY, s.year
            ),
        )
        .to_string()
        + &accounts
}

async fn serve(cli: &Cli, args: &ServeArgs, clock: SystemClock) -> Result<ExitCode> {
    let (addr, with_demo) = (args.addr.as_str(), args.demo);
    let db = open(cli).await?;
    let l = lang();
    let fresh = ledger::initialise(&db, clock.now()).await?;
    if with_demo && !db.has_orgs().await? {
        let s = demo::load(&db, clock::today(&clock)).await?;
        println!("{}", demo_message(&s));
    } else if fresh {
        println!(
            "{}",
            l.pick("新数据库已初始化。", "New database initialised.")
        );
    }
    // A database nobody can sign in to gets its three administrators, passwords printed once.
    accounts::create_administrators(&db, clock.now(), None).await?;
    // Second-factor secrets an older version kept in clear are sealed under the installation key.
    let sealed = db.seal_clear_totp_secrets().await?;
    if sealed > 0 {
        tracing::info!(sealed, "TOTP secrets sealed under the installation key");
    }
    if clock.is_shifted() {
        println!(
            "{}",
            l.pick(
                &format!("注意：时钟已设为 {}（--clock）", clock::today(&clock)),
                &format!(
                    "note: the clock is set to {} (--clock)",
                    clock::today(&clock)
                )
            )
        );
    }
    let listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let scheme = if args.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    println!(
        "{}",
        l.pick(
            &format!("Zeren 已启动：{scheme}://{local}/"),
            &format!("Zeren is running at {scheme}://{local}/")
        )
    );
    if with_demo && db.users().await?.iter().any(|u| u.username == "secretary") {
        println!(
            "{}",
            l.pick(
                &format!("用演示账号登录，例如 secretary / {}", demo::DEMO_PASSWORD),
                &format!(
                    "Sign in with a demo account, e.g. secretary / {}",
                    demo::DEMO_PASSWORD
                )
            )
        );
    } else if fresh {
        println!("{}", l.pick("首次启动：用上面的三员账号登录（安全管理员 secadmin 负责创建业务账号）。", "First start: sign in with the administrators above (secadmin creates the business accounts)."));
    }
    let mut state = zeren_web::AppState::new(db.clone(), Arc::new(clock));
    state.trusted_proxies = args.trusted_proxies.clone().into();
    // Authenticated reads need no query for a second; other instances' sign-outs, role
    // changes and records are seen within that second, this instance's at once.
    state.recent = Arc::new(zeren_web::shared::recent::RecentReads::new(
        std::time::Duration::from_secs(1),
    ));
    state.secure_cookies = args.secure_cookies;
    if args.allow_local_directory {
        state = state.with_outbound(
            zeren_core::reminders::robots::OutboundPolicy::default().allow_local_directory(),
        );
    }
    if clock.is_shifted() {
        state.clock_banner = Some(clock::today(&clock).to_string().into());
    }
    zeren_web::spawn_jobs(&state);
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => zeren_web::serve_tls(state, listener, cert, key)
            .await
            .with_context(|| format!("TLS with {} and {}", cert.display(), key.display()))?,
        _ => {
            listener.set_nonblocking(true)?;
            zeren_web::serve(state, tokio::net::TcpListener::from_std(listener)?).await?
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn read_pack(file: &Path) -> Result<(PolicyPack, String)> {
    let source = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    match parse_pack(&source) {
        Ok(pack) => Ok((pack, source)),
        Err(diags) => {
            for d in &diags {
                eprintln!("{}", d.render(&file.display().to_string(), lang()));
            }
            Err(anyhow!(
                "{}",
                lang().pick(
                    &format!("{} 有 {} 处问题", file.display(), diags.len()),
                    &format!("{} has {} problems", file.display(), diags.len())
                )
            ))
        }
    }
}

/// `zeren policy load FILE --dry-run`: what loading the pack would change, storing nothing. A
/// pack with problems is reported as `policy check` reports it (exit 1); one that loading
/// would refuse (an id taken, versions out of order, a duty of another series) is an error.
async fn policy_load_dry_run(db: &Db, file: &Path, today: chrono::NaiveDate) -> Result<ExitCode> {
    let source = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let pack = match parse_pack(&source) {
        Ok(pack) => pack,
        Err(_) => return policy_check(file),
    };
    let l = lang();
    let impact = db.policy_impact(&pack, today).await?;
    for line in impact.render(l) {
        println!("{line}");
    }
    println!(
        "{}",
        l.pick(
            "（试运行：未保存任何内容。去掉 --dry-run 即载入此版本。）",
            "(dry run: nothing stored. Run without --dry-run to load this version.)"
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn policy_check(file: &Path) -> Result<ExitCode> {
    let source = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
    let name = file.display().to_string();
    let l = lang();
    match parse_pack(&source) {
        Ok(p) => {
            println!(
                "{}",
                l.pick(
                    &format!(
                        "{name}: 有效 — {}（{}）第 {} 版：{} 条、{} 项职责、{} 种问责情形",
                        p.meta.id,
                        p.meta.document_number,
                        p.meta.version,
                        p.articles.len(),
                        p.duties.len(),
                        p.grounds.len()
                    ),
                    &format!(
                        "{name}: valid — {} ({}) version {}: {} articles, {} duties, {} grounds",
                        p.meta.id,
                        p.meta.document_number,
                        p.meta.version,
                        p.articles.len(),
                        p.duties.len(),
                        p.grounds.len()
                    ),
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            for d in &diags {
                println!("{}", d.render(&name, l));
            }
            eprintln!(
                "{}",
                l.pick(
                    &format!("{name}: 发现 {} 处问题", diags.len()),
                    &format!("{name}: {} problems", diags.len())
                )
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn policy_show(db: &Db, id: Option<&str>) -> Result<()> {
    let l = lang();
    let Some(id) = id else {
        for p in db.policies().await? {
            let m = &p.pack.meta;
            let until = m
                .effective_until
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into());
            println!(
                "{}\t{}\tv{}\t{}\t{} → {}\t{}",
                m.id, m.series, m.version, m.document_number, m.effective_from, until, m.title
            );
        }
        return Ok(());
    };
    let p = db.policy(id).await?.pack;
    let m = &p.meta;
    println!("{}", m.title);
    println!("{}", m.document_number);
    println!("{}: {}", l.pick("发文机关", "Issuer"), m.issuer);
    println!(
        "{}: {}  {}: {}  {}: {}",
        l.pick("通过", "Adopted"),
        m.adopted_on,
        l.pick("印发", "Issued"),
        m.issued_on,
        l.pick("施行", "In force from"),
        m.effective_from
    );
    println!(
        "{}: {}",
        l.pick("制定依据", "Legal basis"),
        m.legal_basis.join("；")
    );
    println!();
    for a in &p.articles {
        println!(
            "{} {}",
            zeren_core::Citation::article(a.number).to_zh(),
            a.text
        );
        for i in &a.items {
            println!(
                "  （{}）{}",
                zeren_core::citation::chinese_number(i.number),
                i.text
            );
        }
    }
    println!();
    println!("{} ({})", l.pick("职责", "Duties"), p.duties.len());
    for d in &p.duties {
        let cites: Vec<String> = d.articles.iter().map(|c| c.to_string()).collect();
        println!(
            "  {:<28} {:<10} {:<10} {}",
            d.id,
            cites.join(","),
            d.cadence.as_str(),
            l.pick(&d.title, &d.title_en)
        );
    }
    println!();
    println!("{} ({})", l.pick("问责情形", "Grounds"), p.grounds.len());
    for g in &p.grounds {
        println!(
            "  {:<8} {:<10} {}",
            g.id,
            g.article.to_string(),
            l.pick(&g.title, &g.title_en)
        );
    }
    Ok(())
}

/// Every loaded system together on `at`, the built-in series first
/// ([`zeren_core::policy::Policies::combined`]): the vocabulary of the org tree (post kinds,
/// portfolios) and the duties of all, as the web application reads them.
pub(crate) async fn combined_pack(db: &Db, at: chrono::NaiveDate) -> Result<PolicyPack> {
    combined_of(&db.policy_set().await?, at)
}

/// [`combined_pack`] of a set already read.
pub(crate) fn combined_of(set: &Policies, at: chrono::NaiveDate) -> Result<PolicyPack> {
    let builtin = set.get(BUILTIN_PACK_ID).context("built-in policy")?;
    set.combined(&builtin.meta.series, at)
        .context("built-in policy")
}

async fn who(db: &Db, args: &WhoArgs) -> Result<()> {
    let l = lang();
    let at = parse_day(&args.at, "--at")?;
    let model = db.load_model().await?;
    let org = model.find_org(&args.org).ok_or_else(|| {
        anyhow!(
            "{}",
            l.pick(
                &format!("未知的组织 `{}`", args.org),
                &format!("unknown org `{}`", args.org)
            )
        )
    })?;
    // The rules of the day asked about, of the duty's (or portfolio's) own system.
    let set = db.policy_set().await?;
    let combined = combined_of(&set, at)?;
    let platform = match &args.platform {
        Some(code) => Some(model.find_platform(code).ok_or_else(|| {
            anyhow!(
                "{}",
                l.pick(
                    &format!("未知的平台 `{code}`"),
                    &format!("unknown platform `{code}`")
                )
            )
        })?),
        None => None,
    };
    let (target, pack) = match (&args.duty, &args.portfolio) {
        (Some(d), _) => {
            let (pack, duty) = set.duty(d, at).ok_or_else(|| {
                let known: Vec<&str> = combined.duties.iter().map(|d| d.id.as_str()).collect();
                anyhow!(
                    "{}",
                    l.pick(
                        &format!("未知的职责 `{d}`（可用：{}）", known.join(", ")),
                        &format!("unknown duty `{d}` (known: {})", known.join(", "))
                    )
                )
            })?;
            (Target::Duty { duty, platform }, pack)
        }
        (None, Some(p)) => {
            let Some(pack) = set.portfolio_pack(p, at) else {
                let known: Vec<&str> = combined.portfolios.iter().map(|p| p.id.as_str()).collect();
                bail!(
                    "{}",
                    l.pick(
                        &format!("未知的分管领域 `{p}`（可用：{}）", known.join(", ")),
                        &format!("unknown portfolio `{p}` (known: {})", known.join(", "))
                    )
                );
            };
            (Target::Portfolio(p), pack)
        }
        (None, None) => bail!("--duty or --portfolio"),
    };
    let series = &pack.meta.series;
    if set.in_force(series, at).is_none() {
        bail!(
            "{}",
            l.pick(
                &format!("{at} 没有施行中的制度（{series}）"),
                &format!("no policy of series {series} was in force on {at}")
            )
        );
    }
    let answer = resolve(pack, &model, org, target, at).map_err(|e| anyhow!("{e}"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    match (&answer.person, &answer.post) {
        (Some(person), Some(post)) => println!(
            "{}",
            l.pick(
                &format!("{at} 的责任人：{}（{}）", person.name, post.name),
                &format!("responsible on {at}: {} ({})", person.name, post.name)
            )
        ),
        _ => println!(
            "{}",
            l.pick(
                &format!("{at}：岗位空缺，上级也无人在任"),
                &format!("{at}: the post was vacant and nobody up the chain held office")
            )
        ),
    }
    if answer.vacant {
        println!(
            "{}",
            l.pick(
                "（直接责任岗位空缺，责任已上移）",
                "(the directly responsible post was vacant; responsibility passed up)"
            )
        );
    }
    if let Some(f) = &answer.first_responsible {
        println!(
            "{}",
            l.pick(
                &format!("第一责任人：{}", f.name),
                &format!("first responsible person: {}", f.name)
            )
        );
    }
    println!("{}", l.pick("理由：", "because:"));
    for (i, r) in answer.chain.iter().enumerate() {
        println!("  {}. {}", i + 1, r.describe(l));
    }
    Ok(())
}
