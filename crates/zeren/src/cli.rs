//! Command-line arguments.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Zeren (责任): the ledger of a responsibility system.
#[derive(Debug, Parser)]
#[command(name = "zeren", version, about, long_about = None, after_help = "\
Examples:
  zeren serve --demo                      run with demo data on embedded SQLite
  zeren who --org cqu-mse --duty annual-dedicated-study --at 2026-06-30
  zeren policy check my-pack.toml
  DATABASE_URL=postgres://root@127.0.0.1/zeren zeren init")]
pub struct Cli {
    /// Directory for the SQLite database and attachments.
    #[arg(
        long,
        global = true,
        env = "ZEREN_DATA_DIR",
        default_value = "./zeren-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB (default: SQLite in the data dir).
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web UI and API (initialises an empty database first).
    #[command(
        after_help = "Examples:\n  zeren serve --demo\n  zeren serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n  zeren serve --addr 127.0.0.1:8080 --trusted-proxy 127.0.0.1 --secure-cookies\n  zeren serve --demo --clock 2026-11-28"
    )]
    Serve(ServeArgs),
    /// Create or migrate the database, load the built-in policy pack, create the three administrators.
    #[command(
        after_help = "Examples:\n  zeren init\n  zeren init --org-code xyz --org-name 某大学\n  zeren init --admin-password 'Initial-2026!'\n  DATABASE_URL=postgres://root@127.0.0.1/zeren zeren init"
    )]
    Init {
        /// Initial password of the administrators sysadmin, secadmin and auditor (changed at first
        /// sign-in). Without it, a random password is generated for each and printed once.
        #[arg(long)]
        admin_password: Option<String>,
        /// Code of the root org (the university party committee) to create, e.g. `xyz`.
        #[arg(long, requires = "org_name", value_name = "CODE")]
        org_code: Option<String>,
        /// Name of the root org, e.g. 某大学党委.
        #[arg(long, requires = "org_code", value_name = "NAME")]
        org_name: Option<String>,
    },
    /// The org tree: list, create, rename, move, close and reopen orgs (each audited).
    #[command(subcommand)]
    Org(OrgCommand),
    /// People of an org: add them (before they are appointed to posts).
    #[command(subcommand)]
    Person(PersonCommand),
    /// Posts of an org: list them, set one up, appoint a holder, close or reopen one (each audited).
    #[command(subcommand)]
    Post(PostCommand),
    /// Platforms (阵地): list, add, edit, step through their life, register, show (each audited).
    #[command(subcommand)]
    Platform(PlatformCommand),
    /// Accounts: add, change passwords, disable and enable, API tokens, role grants. The only way
    /// to manage the three administrators' accounts (三员分立).
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo organisation (a university, three colleges, posts, platforms, a year of obligations).
    #[command(
        after_help = "Examples:\n  zeren demo\n  zeren demo --clock 2026-11-28\n  zeren demo --scale university --clock 2026-11-28\n  zeren --database-url postgres://… demo --scale province"
    )]
    Demo(DemoArgs),
    /// Check, load and show policy packs.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Who was responsible for a duty (or portfolio) in an org on a day, and why.
    #[command(
        after_help = "Examples:\n  zeren who --org cqu-mse --duty annual-dedicated-study --at 2026-06-30\n  zeren who --org cqu-mse --duty platform-annual-review --platform cqu-mse-wechat --at 2026-06-30\n  zeren who --org cqu-mse --portfolio publicity --at 2026-07-01 --json"
    )]
    Who(WhoArgs),
    /// The tamper-evident audit chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a portable backup of the whole database (restores into SQLite or PostgreSQL),
    /// signed with this installation's key (zeren.key in the data dir, or ZEREN_KEY).
    #[command(
        after_help = "Examples:\n  zeren backup zeren-2026-11-28.zbak\n\nThe key is not in the backup: keep a copy of zeren.key (or ZEREN_KEY) apart from it; restoring into another installation needs it."
    )]
    Backup {
        /// Archive to write.
        file: PathBuf,
    },
    /// Exports: the ledger (台账) as xlsx.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Imports: a roster of orgs, people, posts, holdings and portfolios.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Replace the database's contents with a backup. Only an archive signed with this
    /// installation's key (or the key given) is restored, after it has been checked whole; a
    /// damaged, forged or foreign archive is refused and nothing changes.
    #[command(
        after_help = "Examples:\n  zeren restore zeren-2026-11-28.zbak\n  DATABASE_URL=postgres://root@127.0.0.1/zeren zeren restore zeren-2026-11-28.zbak\n  zeren restore --key-file /mnt/old-server/zeren.key zeren-2026-11-28.zbak\n  ZEREN_ARCHIVE_KEY=$(cat old-zeren.key) zeren restore zeren-2026-11-28.zbak"
    )]
    Restore {
        /// Archive to read.
        file: PathBuf,
        /// Restore even though the database already holds data (it is replaced).
        #[arg(long)]
        force: bool,
        /// The key of the installation that wrote the archive (its zeren.key), when it is not
        /// this one. Its sealed secrets are sealed again under this installation's key.
        #[arg(long, value_name = "PATH")]
        key_file: Option<PathBuf>,
        /// The same key as 64 hex digits (--key-file wins when both are given); better given by
        /// the environment than on the command line, where other users of the machine can read it.
        #[arg(
            long,
            value_name = "HEX",
            env = "ZEREN_ARCHIVE_KEY",
            hide_env_values = true
        )]
        key: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Load the demo organisation when the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// A reverse proxy whose X-Forwarded-For is believed (repeat for several).
    #[arg(
        long = "trusted-proxy",
        env = "ZEREN_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP"
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mark cookies Secure although Zeren itself speaks HTTP (TLS ends at the proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// The 统一身份认证 portal, LDAP server or OIDC provider runs on this machine: let sign-in
    /// connect to loopback addresses (refused otherwise, so a setting cannot reach local
    /// services). Also used by the browser tests, whose stand-ins listen on 127.0.0.1.
    #[arg(long)]
    pub allow_local_directory: bool,
    #[command(flatten)]
    pub clock: ClockArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// A bigger demo for benchmarks: `university` grows it to 1 000 orgs, 20 000 people and
    /// 3 000 platforms with a year of obligations; `province` (PostgreSQL only) to 100 000 orgs,
    /// 1 000 000 people and 30 000 platforms with ten years of history (progress on stderr).
    #[arg(long, value_enum)]
    pub scale: Option<DemoScale>,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// Sizes of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScale {
    /// A whole university: 1 000 orgs, 20 000 people, 3 000 platforms.
    University,
    /// A province (PostgreSQL only): 100 000 orgs, 1 000 000 people, 30 000 platforms, ten
    /// years of history.
    Province,
}

#[derive(Debug, Args)]
pub struct ClockArgs {
    /// Run as if this day (YYYY-MM-DD, Asia/Shanghai) were today. For demos and tests.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub clock: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy pack: every problem as FILE:LINE:COL: message (exit 1), or a summary (exit 0).
    #[command(after_help = "Examples:\n  zeren policy check docs/example-pack.toml")]
    Check {
        /// Pack file (TOML).
        file: PathBuf,
    },
    /// Load a new policy version into the database, or with --dry-run show what it would change.
    #[command(
        after_help = "Examples:\n  zeren policy load cqu-mse-2024-3.toml --dry-run\n  zeren policy load cqu-mse-2024-3.toml"
    )]
    Load {
        /// Pack file (TOML).
        file: PathBuf,
        /// Store nothing: print what the version says differently from the one it supersedes
        /// and what it would do to the ledger (obligations added, withdrawn, replanned, kept,
        /// responsibility moves).
        #[arg(long)]
        dry_run: bool,
    },
    /// Show a loaded policy (articles, duties, grounds), or list all versions.
    #[command(after_help = "Examples:\n  zeren policy show\n  zeren policy show cqu-mse-2021-6")]
    Show {
        /// Policy id; omit to list loaded versions.
        id: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    /// Org code (e.g. cqu-mse) or id.
    #[arg(long)]
    pub org: String,
    /// Duty id from the policy (e.g. annual-dedicated-study).
    #[arg(
        long,
        conflicts_with = "portfolio",
        required_unless_present = "portfolio"
    )]
    pub duty: Option<String>,
    /// Portfolio id (e.g. publicity) instead of a duty.
    #[arg(long)]
    pub portfolio: Option<String>,
    /// For platform duties: the platform code.
    #[arg(long)]
    pub platform: Option<String>,
    /// The day, YYYY-MM-DD.
    #[arg(long)]
    pub at: String,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the whole chain: exit 0 with the count, or non-zero naming the first broken entry.
    #[command(after_help = "Examples:\n  zeren audit verify")]
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Every org, parents before children: code, kind, name, parent, closing day.
    #[command(after_help = "Examples:\n  zeren org list\n  zeren org list --json")]
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create an org under a parent (a college under the university, a branch under a college…).
    #[command(
        after_help = "Examples:\n  zeren org create xyz-cs --name 计算机学院党委 --kind college --parent xyz\n  zeren org create xyz-cs-b1 --name 计算机学院教工第一党支部 --kind branch --parent xyz-cs --established-on 2024-09-01"
    )]
    Create {
        /// Code: a-z, 0-9 and single hyphens.
        code: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// university, college, branch or unit.
        #[arg(long)]
        kind: String,
        /// The parent org (code).
        #[arg(long)]
        parent: String,
        /// Day it was established (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        established_on: Option<String>,
    },
    /// Rename an org, or move it under another parent.
    #[command(
        after_help = "Examples:\n  zeren org edit xyz-cs --name 计算机与智能学院党委\n  zeren org edit xyz-cs-b1 --parent xyz-ai"
    )]
    Edit {
        /// The org (code).
        code: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New parent (code).
        #[arg(long)]
        parent: Option<String>,
    },
    /// Close an org on a day: its holders' holdings and its platforms end that day, its
    /// obligations falling due after it are withdrawn. Its child orgs must be closed first.
    #[command(after_help = "Examples:\n  zeren org close xyz-cs-b1 --on 2026-07-01")]
    Close {
        /// The org (code).
        code: String,
        /// The closing day (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        on: String,
    },
    /// Reopen a closed org (its parent must be open; holdings ended by the closing stay ended).
    #[command(after_help = "Examples:\n  zeren org reopen xyz-cs-b1")]
    Reopen {
        /// The org (code).
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person to an org; prints the new person's id.
    #[command(
        after_help = "Examples:\n  zeren person add 周新 --org xyz-cs\n  zeren person add 周新 --org xyz-cs --staff-no T2026001 --email zhouxin@xyz.edu.cn --wecom zhouxin"
    )]
    Add {
        /// Name.
        name: String,
        /// The org (code).
        #[arg(long)]
        org: String,
        /// Staff number (工号): 1–32 letters, digits, - or _, unique.
        #[arg(long, value_name = "N")]
        staff_no: Option<String>,
        /// Email address (for reminder emails).
        #[arg(long, value_name = "E")]
        email: Option<String>,
        /// 企业微信 user id.
        #[arg(long, value_name = "ID")]
        wecom: Option<String>,
        /// 钉钉 user id.
        #[arg(long, value_name = "ID")]
        dingtalk: Option<String>,
    },
    /// Edit a person: only the options given change; an empty value ("") clears one.
    #[command(
        after_help = "Examples:\n  zeren person edit T2026001 --email zhouxin@xyz.edu.cn\n  zeren person edit 周新 --staff-no T2026009 --dingtalk \"\""
    )]
    Edit {
        /// The person: id, staff number, or a name no one else has.
        who: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// Move to this org (code).
        #[arg(long)]
        org: Option<String>,
        /// Staff number (工号).
        #[arg(long, value_name = "N")]
        staff_no: Option<String>,
        /// Email address.
        #[arg(long, value_name = "E")]
        email: Option<String>,
        /// 企业微信 user id.
        #[arg(long, value_name = "ID")]
        wecom: Option<String>,
        /// 钉钉 user id.
        #[arg(long, value_name = "ID")]
        dingtalk: Option<String>,
    },
    /// A person leaves: the day is their last; their posts and portfolios still held after it end on it.
    #[command(after_help = "Examples:\n  zeren person leave T2026001 --on 2026-12-31")]
    Leave {
        /// The person: id, staff number, or a name no one else has.
        who: String,
        /// The last day (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        on: String,
    },
    /// People: id, staff number, name, org, and the day they left.
    #[command(
        after_help = "Examples:\n  zeren person list --org xyz-cs\n  zeren person list --json"
    )]
    List {
        /// Only the people of this org's subtree (code).
        #[arg(long)]
        org: Option<String>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// An org's posts: id, kind, title, holders today.
    #[command(after_help = "Examples:\n  zeren post list --org xyz-cs")]
    List {
        /// The org (code).
        #[arg(long)]
        org: String,
    },
    /// Set up a post of a kind the policy gives the org's kind; prints the new post's id.
    #[command(
        after_help = "Examples:\n  zeren post create --org xyz-cs --kind secretary --title 学院党委书记\n  zeren post create --org xyz-cs --kind deputy-secretary --title 党委副书记（分管宣传） --portfolio publicity"
    )]
    Create {
        /// The org (code).
        #[arg(long)]
        org: String,
        /// Post kind of the policy (secretary, deputy-secretary, dean, …).
        #[arg(long)]
        kind: String,
        /// Title as the org writes it (default: the kind's name).
        #[arg(long)]
        title: Option<String>,
        /// A portfolio the post holds (leadership posts; repeat for several).
        #[arg(long = "portfolio")]
        portfolios: Vec<String>,
    },
    /// Appoint a holder from a day. POST is the post's id, or ORG/KIND when the org has one post of that kind.
    #[command(
        after_help = "Examples:\n  zeren post appoint xyz-cs/secretary --person 周新 --start 2026-09-01\n  zeren post appoint 3f0c… --person 3a9d… --start 2026-09-01 --end 2027-08-31"
    )]
    Appoint {
        /// The post: its id, or ORG/KIND.
        post: String,
        /// The person: id, or name (unique among the org's people and its parent's).
        #[arg(long)]
        person: String,
        /// First day (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        start: String,
        /// Last day (YYYY-MM-DD), when the holding has ended.
        #[arg(long, value_name = "DAY")]
        end: Option<String>,
    },
    /// Close a post on a day, its last day (today or before). Refused while someone holds it
    /// after that day: end the holding first. The post keeps its history; nobody is appointed
    /// to it afterwards.
    #[command(
        after_help = "Examples:\n  zeren post close xyz-cs/vice-dean --on 2026-06-30\n  zeren post close 3f0c… --on 2026-06-30"
    )]
    Close {
        /// The post: its id, or ORG/KIND.
        post: String,
        /// The closing day, its last day (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        on: String,
    },
    /// Reopen a closed post (in an open org): it can be held again.
    #[command(after_help = "Examples:\n  zeren post reopen xyz-cs/vice-dean")]
    Reopen {
        /// The post: its id, or ORG/KIND.
        post: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Platforms: code, kind, state, org, portfolio, operators, registration.
    #[command(
        after_help = "Examples:\n  zeren platform list\n  zeren platform list --org xyz-cs --json"
    )]
    List {
        /// Only the platforms of this org's subtree (code).
        #[arg(long)]
        org: Option<String>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Enter a platform in the registry; its duties (registration first) are owed at once.
    #[command(
        after_help = "Examples:\n  zeren platform add --code xyz-cs-wechat --name 计算机学院微信公众号 --kind wechat-official --org xyz-cs --portfolio publicity --news-function --operator T2026001\n  zeren platform add --code xyz-cs-web --name 计算机学院网站 --kind website --org xyz-cs --state active --opened-on 2020-09-01"
    )]
    Add {
        /// Code: a-z, 0-9 and single hyphens, e.g. xyz-cs-wechat.
        #[arg(long)]
        code: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Kind: website, wechat-official, weibo, douyin, bilibili, forum, … or one the policy declares ([[platform_kinds]])
        #[arg(long)]
        kind: String,
        /// The owning org (code).
        #[arg(long)]
        org: String,
        /// Portfolio id of the policy (e.g. publicity).
        #[arg(long)]
        portfolio: Option<String>,
        /// It has news / opinion functions.
        #[arg(long)]
        news_function: bool,
        /// The day it entered the registry (YYYY-MM-DD; default today).
        #[arg(long, value_name = "DAY")]
        opened_on: Option<String>,
        /// An operator: person id or staff number (repeat for several).
        #[arg(long = "operator", value_name = "PERSON")]
        operators: Vec<String>,
        /// planned (being set up; registration comes next) or active (running already).
        #[arg(long, default_value = "planned")]
        state: String,
    },
    /// Edit a platform's name, portfolio, news functions or operators, from the version seen.
    #[command(
        after_help = "Examples:\n  zeren platform edit xyz-cs-wechat --name 计算机学院官微 --version 3\n  zeren platform edit xyz-cs-wechat --operator T2026001 --operator T2026002 --version 4\n  zeren platform edit xyz-cs-wechat --portfolio \"\" --news-function false --version 5"
    )]
    Edit {
        /// The platform (code).
        code: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// Portfolio id ("" for none).
        #[arg(long)]
        portfolio: Option<String>,
        /// Whether it has news / opinion functions.
        #[arg(long, value_name = "true|false")]
        news_function: Option<bool>,
        /// Operators, replacing the list: person id or staff number (repeat for several).
        #[arg(long = "operator", value_name = "PERSON")]
        operators: Vec<String>,
        /// Remove every operator.
        #[arg(long, conflicts_with = "operators")]
        no_operators: bool,
        /// The version seen (zeren platform show); refused when it changed since.
        #[arg(long)]
        version: i64,
    },
    /// Move a platform one step of its life: planned → registered → active ⇄ suspended, closed
    /// from any state.
    #[command(
        after_help = "Examples:\n  zeren platform step xyz-cs-wechat --to registered --on 2026-09-01 --reason 已完成备案 --version 2\n  zeren platform step xyz-cs-wechat --to active --on 2026-09-10 --reason 正式上线 --version 3"
    )]
    Step {
        /// The platform (code).
        code: String,
        /// registered, active, suspended or closed.
        #[arg(long, value_name = "STATE")]
        to: String,
        /// The day it took effect (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        on: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// The version seen (zeren platform show).
        #[arg(long)]
        version: i64,
    },
    /// Record how a platform is registered: a website's ICP number, an account's id, day and
    /// registering body.
    #[command(
        after_help = "Examples:\n  zeren platform register xyz-cs-web --icp 渝ICP备05003022号-3 --version 1\n  zeren platform register xyz-cs-wechat --account-id gh_0123456789ab --registered-on 2026-08-20 --registering-body 某大学计算机学院 --version 1"
    )]
    Register {
        /// The platform (code).
        code: String,
        /// ICP 备案号 (websites), e.g. 渝ICP备05003022号-1.
        #[arg(long)]
        icp: Option<String>,
        /// Account id (公众号原始ID, 微博 UID, …).
        #[arg(long)]
        account_id: Option<String>,
        /// The day it was registered (YYYY-MM-DD).
        #[arg(long, value_name = "DAY")]
        registered_on: Option<String>,
        /// The body that registered it (注册主体).
        #[arg(long)]
        registering_body: Option<String>,
        /// The version seen (zeren platform show).
        #[arg(long)]
        version: i64,
    },
    /// A platform: its fields, registration, version and every step of its life.
    #[command(
        after_help = "Examples:\n  zeren platform show xyz-cs-wechat\n  zeren platform show xyz-cs-wechat --json"
    )]
    Show {
        /// The platform (code).
        code: String,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. Without --password-stdin a temporary password is printed, to be changed at first sign-in.
    ///
    /// Administrator accounts (--admin) are created only here, on the server: no administrator can
    /// create another one in the web pages or the API (三员分立). Recorded in the audit log as `cli`.
    #[command(
        after_help = "Examples:\n  zeren user add zhangsan --name 张三 --person-of cqu-mse\n  zeren user add audit2 --name 审计员乙 --admin audit\n  echo 'Secret-2026!' | zeren user add lisi --name 李四 --password-stdin"
    )]
    Add {
        /// Sign-in name (a-z, 0-9, - _ .).
        username: String,
        /// Name shown.
        #[arg(long)]
        name: String,
        /// Link the account to the person of this name in this org (code), so roles follow their posts.
        #[arg(long, value_name = "ORG")]
        person_of: Option<String>,
        /// The person's name, when it differs from --name.
        #[arg(long)]
        person: Option<String>,
        /// Make it one of the three administrators: system, security or audit.
        #[arg(long)]
        admin: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password, read from standard input; clears a lockout and ends the account's sessions.
    ///
    /// The way to reset an administrator's password: no administrator can reset another one in
    /// the web pages or the API (三员分立). Recorded in the audit log as `cli`.
    #[command(
        after_help = "Examples:\n  echo 'New-pass-2026' | zeren user passwd zhangsan\n  echo 'Temp-pass-2026' | zeren user passwd zhangsan --temporary"
    )]
    Passwd {
        /// Sign-in name.
        username: String,
        /// The user must change it at the next sign-in.
        #[arg(long)]
        temporary: bool,
    },
    /// Disable an account: it can no longer sign in and its sessions end.
    ///
    /// The way to disable an administrator: no administrator can disable another one in the web
    /// pages or the API (三员分立). Recorded in the audit log as `cli`.
    #[command(after_help = "Examples:\n  zeren user disable audit2")]
    Disable {
        /// Sign-in name.
        username: String,
    },
    /// Enable a disabled account again (and clear a lockout). Recorded in the audit log as `cli`.
    #[command(after_help = "Examples:\n  zeren user enable audit2")]
    Enable {
        /// Sign-in name.
        username: String,
    },
    /// Grant a business role over an org subtree.
    #[command(after_help = "Examples:\n  zeren user grant inspector --role supervisor --org cqu")]
    Grant {
        /// Sign-in name.
        username: String,
        /// secretary, leader, staff, branch, supervisor or discipline.
        #[arg(long)]
        role: String,
        /// Org code.
        #[arg(long)]
        org: String,
    },
    /// List accounts.
    #[command(after_help = "Examples:\n  zeren user list")]
    List,
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account; the token is printed alone on the last line.
    #[command(
        after_help = "Examples:\n  zeren user token create secretary\n  TOKEN=$(zeren user token create secretary | tail -n1)"
    )]
    Create {
        /// Sign-in name.
        username: String,
        /// Label.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The ledger (台账) of an org and its sub-orgs for a year: a cover sheet, then one sheet per
    /// kind (obligations, meetings, analyses, trainings, education, directives, tasks).
    #[command(
        after_help = "Examples:\n  zeren export ledger --org cqu-mse --year 2026 --out cqu-mse-2026.xlsx"
    )]
    Ledger(ExportLedgerArgs),
    /// A file of a year's annual assessment (Art.7) of an org's colleges: the results report
    /// with the ranking (Word, the default), one college's assessment report or its duty report
    /// (述职报告; Word), or the score sheet with its formulas (Excel). Word files are in the
    /// official-document layout (GB/T 9704).
    #[command(
        after_help = "Examples:\n  zeren export report --org cqu --year 2026 --out results-2026.docx\n  zeren export report --org cqu --year 2026 --college cqu-mse --out cqu-mse-2026.docx\n  zeren export report --org cqu --year 2026 --college cqu-mse --duty-report --out duty-report.docx\n  zeren export report --org cqu --year 2026 --scores --out scores-2026.xlsx"
    )]
    Report(ExportReportArgs),
    /// The roster (组织机构/人员/任职 名册) of the whole org tree, as the import template:
    /// orgs, people, posts, holdings and portfolio assignments; importing it again changes
    /// nothing.
    #[command(
        after_help = "Examples:\n  zeren export roster --out roster.xlsx\n  zeren export roster --template --out template.xlsx"
    )]
    Roster {
        /// File to write (xlsx).
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
        /// Write the empty template (Chinese headers, one example row a sheet) instead.
        #[arg(long)]
        template: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A roster (组织机构/人员/任职 名册): one xlsx workbook, or CSV files named by sheet
    /// (orgs.csv, people.csv, posts.csv, holdings.csv, assignments.csv, platforms.csv; UTF-8 or
    /// GB18030).
    /// Every problem is told at its cell and nothing is written unless the whole file is valid;
    /// importing the same file twice changes nothing.
    #[command(
        after_help = "Examples:\n  zeren import roster roster.xlsx --dry-run\n  zeren import roster people.csv holdings.csv"
    )]
    Roster {
        /// The workbook, or the CSV files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Only tell what would change.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ExportReportArgs {
    /// The org whose colleges the assessment is of (code or id), e.g. cqu.
    #[arg(long)]
    pub org: String,
    /// Year assessed (2000–2100).
    #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: i32,
    /// One college (code or id): its assessment report, or with --duty-report its duty report.
    #[arg(long, conflicts_with = "scores")]
    pub college: Option<String>,
    /// The college's duty report (述职报告) instead of its assessment report.
    #[arg(long, requires = "college")]
    pub duty_report: bool,
    /// The score sheet of every college (Excel).
    #[arg(long)]
    pub scores: bool,
    /// File to write (.docx, or .xlsx with --scores).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub clock: ClockArgs,
}

#[derive(Debug, Args)]
pub struct ExportLedgerArgs {
    /// Org code (e.g. cqu-mse) or id.
    #[arg(long)]
    pub org: String,
    /// Year (2000–2100).
    #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub year: i32,
    /// File to write (xlsx).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
    #[command(flatten)]
    pub clock: ClockArgs,
}
