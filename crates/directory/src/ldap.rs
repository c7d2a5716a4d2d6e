//! Signing in against the university's LDAP directory: search the user with the service account
//! (or anonymously), then bind as the user with the password typed; and the settings page's
//! "test connection" check.
//!
//! The host is resolved here and every address checked against the [`OutboundPolicy`] before a
//! socket is opened; the checked TCP connection is then handed to `ldap3`, which speaks TLS
//! (`ldaps://` or StartTLS) over it while verifying the certificate against the host name of the
//! configured address — so there is no second lookup a resolver could answer differently.
//! Plain `ldap://` is spoken only to this machine's loopback addresses. One time limit
//! (`timeout_secs`) covers the whole conversation: resolving, connecting, TLS and every
//! operation.
//!
//! Failures the user sees are [`SignInFailure`]s; a wrong password, an unknown name and a name
//! matching several entries all answer [`SignInFailure::WrongPassword`], so that names cannot be
//! probed. What really happened goes to the server log, never with a password.

use ldap3::{
    Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry, SearchOptions, StdStream,
};
use std::borrow::Cow;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;
use zeren_core::Lang;
use zeren_core::directory::{LdapSettings, SignInFailure};
use zeren_core::reminders::robots::{ForbiddenRange, OutboundPolicy};

/// The longest login name taken (in characters).
pub const LOGIN_MAX: usize = 256;

/// The longest password taken (in bytes): far beyond any real one, short of a flood.
const PASSWORD_MAX: usize = 1024;

/// The most entries asked of a user search: two are enough to know a name is ambiguous.
const SEARCH_SIZE_LIMIT: i32 = 2;

/// Time given to the conversation's task beyond the limit, to end by its own timeouts (which
/// name the step) before it is cut off from outside.
const GRACE: Duration = Duration::from_millis(500);

/// What the directory says of a user who bound successfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The user's entry, as the search found it.
    pub dn: String,
    /// The first value of the key attribute (trimmed), if any.
    pub key: Option<String>,
    /// The first value of the name attribute (trimmed), if any.
    pub name: Option<String>,
    /// Every value of the group attribute.
    pub groups: Vec<String>,
}

/// Searches the user with the service account (or anonymously when bind_dn is empty), then binds
/// as the user with `password`.
pub async fn sign_in(
    settings: &LdapSettings,
    login: &str,
    password: &str,
    policy: &OutboundPolicy,
) -> Result<Bound, SignInFailure> {
    if let Err(fault) = check_settings(settings) {
        fault.log("LDAP sign-in");
        return Err(fault.failure());
    }
    // An empty password makes an "unauthenticated bind", which many servers accept as success.
    if password.is_empty() || password.len() > PASSWORD_MAX {
        tracing::info!("LDAP sign-in refused: empty or overlong password");
        return Err(SignInFailure::WrongPassword);
    }
    let login = login.trim();
    if login.is_empty() || login.chars().count() > LOGIN_MAX || login.chars().any(char::is_control)
    {
        tracing::info!("LDAP sign-in refused: empty or overlong login, or control characters");
        return Err(SignInFailure::WrongPassword);
    }
    // RFC 4515: `*`, `(`, `)`, `\` and NUL escaped, so the name typed is only ever a value.
    let filter = settings
        .user_filter
        .replace("{login}", &ldap3::ldap_escape(login));
    let work = find_and_bind(
        settings.clone(),
        filter,
        password.to_string(),
        policy.clone(),
    );
    match run(settings, work).await {
        Ok(bound) => Ok(bound),
        Err(fault) => {
            fault.log("LDAP sign-in");
            Err(fault.failure())
        }
    }
}

/// For the settings page's "test connection" button: connects, binds as the service account, and
/// searches base_dn (scope base) — Ok with a short plain description of what worked in the user's
/// language, Err with the failure and a plain description of what failed.
pub async fn test_connection(
    settings: &LdapSettings,
    policy: &OutboundPolicy,
    lang: Lang,
) -> Result<String, (SignInFailure, String)> {
    let outcome = match check_settings(settings) {
        Ok(()) => run(settings, probe(settings.clone(), policy.clone())).await,
        Err(fault) => Err(fault),
    };
    match outcome {
        Ok(done) => Ok(done.describe(settings, lang)),
        Err(fault) => {
            fault.log("LDAP connection test");
            Err((fault.failure(), fault.describe(lang)))
        }
    }
}

/// What the connection test got through.
struct Probed {
    target: String,
    mode: Mode,
}

impl Probed {
    fn describe(&self, settings: &LdapSettings, lang: Lang) -> String {
        let base = settings.base_dn.trim();
        let bind_dn = settings.bind_dn.trim();
        match lang {
            Lang::Zh => {
                let who = if bind_dn.is_empty() {
                    "以匿名方式".to_string()
                } else {
                    format!("服务账号 {bind_dn} 绑定成功，")
                };
                format!(
                    "已连接 {}（{}），{who}可以读取基准 DN {base}。",
                    self.target,
                    self.mode.label(lang)
                )
            }
            Lang::En => {
                let who = if bind_dn.is_empty() {
                    "anonymously".to_string()
                } else {
                    format!("the service account {bind_dn} bound, and")
                };
                format!(
                    "Connected to {} ({}); {who} the base DN {base} can be read.",
                    self.target,
                    self.mode.label(lang)
                )
            }
        }
    }
}

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `ldaps://`.
    Ldaps,
    /// `ldap://` upgraded with StartTLS.
    StartTls,
    /// Plain `ldap://` to this machine.
    Plain,
}

impl Mode {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            Mode::Ldaps => "TLS (ldaps)",
            Mode::StartTls => "StartTLS",
            Mode::Plain => lang.pick("明文，仅限本机", "plain, this machine only"),
        }
    }
}

/// A step of the conversation, to say where it went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Resolve,
    Connect,
    Tls,
    ServiceBind,
    Search,
    BaseRead,
    UserBind,
    Whole,
}

impl Step {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            Step::Resolve => lang.pick("解析主机名", "resolving the host name"),
            Step::Connect => lang.pick("连接服务器", "connecting"),
            Step::Tls => lang.pick("TLS 握手", "the TLS handshake"),
            Step::ServiceBind => lang.pick("服务账号绑定", "the service account's bind"),
            Step::Search => lang.pick("查找用户", "the user search"),
            Step::BaseRead => lang.pick("读取基准 DN", "reading the base DN"),
            Step::UserBind => lang.pick("用户绑定", "the user's bind"),
            Step::Whole => lang.pick("与目录服务器的交互", "the exchange with the directory"),
        }
    }
}

/// What went wrong, in detail: for the log and the connection test, never for the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fault {
    /// A required setting is missing or the filter has no `{login}`.
    NotConfigured(&'static str),
    /// Not an `ldap://` or `ldaps://` address.
    BadUrl,
    /// Plain `ldap://` to an address that is not this machine.
    PlainToRemote { target: String },
    /// Every address of the host lies in a range the policy refuses.
    Forbidden { host: String, range: ForbiddenRange },
    /// The host name did not resolve.
    Resolve { host: String },
    /// The connection was refused.
    Refused { addr: SocketAddr },
    /// No connection for another reason.
    Connect {
        target: String,
        kind: std::io::ErrorKind,
    },
    /// No answer within the limit.
    Timeout { step: Step, secs: u64 },
    /// The TLS handshake (or the StartTLS exchange) failed.
    Tls { host: String, reason: String },
    /// The server answered an operation with a result code other than success.
    Rejected { step: Step, rc: u32, text: String },
    /// The server's answer could not be read, or the client gave up on it.
    Unreadable { step: Step, reason: String },
    /// The server closed the connection.
    Dropped { step: Step },
    /// No entry matched the filter.
    NotFound,
    /// Several entries matched the filter.
    Ambiguous { count: usize },
}

/// A server that is busy or unavailable is unreachable for the user, not broken.
fn transient(rc: u32) -> bool {
    matches!(rc, 51 | 52)
}

impl Fault {
    /// What the user is told.
    fn failure(&self) -> SignInFailure {
        match self {
            Fault::NotConfigured(_) | Fault::BadUrl | Fault::PlainToRemote { .. } => {
                SignInFailure::NotConfigured
            }
            Fault::Forbidden { .. }
            | Fault::Resolve { .. }
            | Fault::Refused { .. }
            | Fault::Connect { .. }
            | Fault::Timeout { .. }
            | Fault::Tls { .. }
            | Fault::Dropped { .. } => SignInFailure::Unreachable,
            Fault::Rejected { rc, .. } if transient(*rc) => SignInFailure::Unreachable,
            // StartTLS refused: no protected connection, as good as none.
            Fault::Rejected {
                step: Step::Tls, ..
            } => SignInFailure::Unreachable,
            // 48 inappropriateAuthentication, 49 invalidCredentials (also a locked account on
            // most servers), 53 unwillingToPerform (an expired or disabled account on some).
            Fault::Rejected {
                step: Step::UserBind,
                rc: 48 | 49 | 53,
                ..
            } => SignInFailure::WrongPassword,
            Fault::Rejected { .. } | Fault::Unreadable { .. } => SignInFailure::Protocol,
            Fault::NotFound | Fault::Ambiguous { .. } => SignInFailure::WrongPassword,
        }
    }

    /// Writes the fault to the server log (`during` says what was being done).
    fn log(&self, during: &str) {
        match self {
            Fault::Forbidden { host, range } => tracing::warn!(
                host = %host,
                range = range.slug(),
                "{during}: every address of the LDAP host lies in a range the outbound policy refuses"
            ),
            Fault::Rejected {
                step: Step::ServiceBind,
                rc,
                text,
            } => tracing::error!(
                rc = *rc,
                code = %rc_name(*rc),
                server_says = %text,
                "{during}: the directory refused the service account's bind; check the bind DN and password"
            ),
            Fault::Ambiguous { count } => tracing::warn!(
                count = *count,
                "{during}: ambiguous login, the filter matched more than one entry"
            ),
            Fault::NotFound => tracing::info!("{during}: no entry matched the login"),
            Fault::Rejected {
                step: Step::UserBind,
                rc,
                text,
            } if self.failure() == SignInFailure::WrongPassword => tracing::info!(
                rc = *rc,
                code = %rc_name(*rc),
                server_says = %text,
                "{during}: the user's bind was refused"
            ),
            other => tracing::warn!(
                fault = %other.describe(Lang::En),
                "{during} failed"
            ),
        }
    }

    /// The fault in plain words, for the system administrator.
    fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Fault::NotConfigured(what) => {
                if zh {
                    format!("LDAP 设置不完整：{what}")
                } else {
                    format!("the LDAP settings are incomplete: {what}")
                }
            }
            Fault::BadUrl => lang
                .pick(
                    "LDAP 地址无效，须为 ldaps://主机:端口 或 ldap://主机:端口",
                    "the LDAP address is not valid; it must be ldaps://host:port or ldap://host:port",
                )
                .to_string(),
            Fault::PlainToRemote { target } => {
                if zh {
                    format!(
                        "{target} 不是本机地址，明文 ldap:// 只允许连接本机；请启用 StartTLS 或改用 ldaps://"
                    )
                } else {
                    format!(
                        "{target} is not this machine, and plain ldap:// goes to this machine only; turn on StartTLS or use ldaps://"
                    )
                }
            }
            Fault::Forbidden { host, range } => {
                if zh {
                    format!(
                        "{host} 的地址属于{}地址段，出站策略不允许连接",
                        range.label(lang)
                    )
                } else {
                    format!(
                        "{host} is a {} address, which the outbound policy does not allow",
                        range.label(lang)
                    )
                }
            }
            Fault::Resolve { host } => {
                if zh {
                    format!("无法解析主机名 {host}")
                } else {
                    format!("the host name {host} does not resolve")
                }
            }
            Fault::Refused { addr } => {
                if zh {
                    format!("连接 {addr} 被拒绝")
                } else {
                    format!("the connection to {addr} was refused")
                }
            }
            Fault::Connect { target, kind } => {
                if zh {
                    format!("无法连接 {target}（{}）", io_kind_zh(*kind))
                } else {
                    format!("cannot connect to {target} ({kind})")
                }
            }
            Fault::Timeout { step, secs } => {
                if zh {
                    format!("{}超时：{secs} 秒内没有应答", step.label(lang))
                } else {
                    format!("{} timed out: no answer within {secs} s", step.label(lang))
                }
            }
            Fault::Tls { host, reason } => {
                if zh {
                    format!("与 {host} 的 TLS 握手失败（{reason}）")
                } else {
                    format!("the TLS handshake with {host} failed ({reason})")
                }
            }
            Fault::Rejected { step, rc, text } => {
                let code = rc_name(*rc);
                let said = if text.is_empty() {
                    String::new()
                } else if zh {
                    format!("；服务器说明：{text}")
                } else {
                    format!("; the server says: {text}")
                };
                match (step, rc, zh) {
                    (Step::BaseRead | Step::Search, 32, true) => {
                        format!("基准 DN 不存在 ({code}){said}")
                    }
                    (Step::BaseRead | Step::Search, 32, false) => {
                        format!("the base DN does not exist ({code}){said}")
                    }
                    (Step::Tls, _, true) => format!("服务器拒绝 StartTLS ({code}){said}"),
                    (Step::Tls, _, false) => {
                        format!("the server refused StartTLS ({code}){said}")
                    }
                    (_, _, true) => format!("{}失败 ({code}){said}", step.label(lang)),
                    (_, _, false) => format!("{} failed ({code}){said}", step.label(lang)),
                }
            }
            Fault::Unreadable { step, reason } => {
                if zh {
                    format!("{}时服务器的应答无法识别（{reason}）", step.label(lang))
                } else {
                    format!(
                        "the server's answer during {} could not be read ({reason})",
                        step.label(lang)
                    )
                }
            }
            Fault::Dropped { step } => {
                if zh {
                    format!("{}时连接被服务器关闭", step.label(lang))
                } else {
                    format!("the server closed the connection during {}", step.label(lang))
                }
            }
            Fault::NotFound => lang
                .pick("没有与登录名匹配的条目", "no entry matched the login")
                .to_string(),
            Fault::Ambiguous { count } => {
                if zh {
                    format!("登录名匹配到 {count} 个以上的条目")
                } else {
                    format!("the login matched {count} or more entries")
                }
            }
        }
    }
}

/// The name RFC 4511 gives a result code.
fn rc_name(rc: u32) -> Cow<'static, str> {
    Cow::Borrowed(match rc {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        16 => "noSuchAttribute",
        17 => "undefinedAttributeType",
        18 => "inappropriateMatching",
        32 => "noSuchObject",
        34 => "invalidDNSyntax",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => return Cow::Owned(format!("result code {rc}")),
    })
}

fn io_kind_zh(kind: std::io::ErrorKind) -> Cow<'static, str> {
    use std::io::ErrorKind as K;
    Cow::Borrowed(match kind {
        K::ConnectionRefused => "连接被拒绝",
        K::ConnectionReset => "连接被重置",
        K::TimedOut => "超时",
        K::NetworkUnreachable => "网络不可达",
        K::HostUnreachable => "主机不可达",
        K::AddrNotAvailable => "地址不可用",
        other => return Cow::Owned(other.to_string()),
    })
}

/// The settings a conversation needs (the core's checks say the same on saving; this guards a
/// conversation started with settings that were never checked).
fn check_settings(s: &LdapSettings) -> Result<(), Fault> {
    let missing = if s.url.trim().is_empty() {
        Some("url")
    } else if s.base_dn.trim().is_empty() {
        Some("base_dn")
    } else if !s.user_filter.contains("{login}") {
        Some("user_filter ({login})")
    } else if s.key_attribute.trim().is_empty() {
        Some("key_attribute")
    } else {
        None
    };
    match missing {
        Some(what) => Err(Fault::NotConfigured(what)),
        None => Ok(()),
    }
}

fn limit_secs(settings: &LdapSettings) -> u64 {
    u64::from(settings.timeout_secs.clamp(1, 60))
}

/// Runs a conversation in its own task within the settings' limit. A panic inside (the LDAP
/// client panics on some malformed answers) becomes a protocol failure, not a lost request.
async fn run<T, F>(settings: &LdapSettings, work: F) -> Result<T, Fault>
where
    T: Send + 'static,
    F: Future<Output = Result<T, Fault>> + Send + 'static,
{
    let secs = limit_secs(settings);
    let mut task = tokio::spawn(work);
    match tokio::time::timeout(Duration::from_secs(secs) + GRACE, &mut task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Err(Fault::Unreadable {
            step: Step::Whole,
            reason: format!("the LDAP client stopped: {e}"),
        }),
        Err(_) => {
            task.abort();
            Err(Fault::Timeout {
                step: Step::Whole,
                secs,
            })
        }
    }
}

/// The sign-in conversation: find the user's entry, then bind as it.
async fn find_and_bind(
    settings: LdapSettings,
    filter: String,
    password: String,
    policy: OutboundPolicy,
) -> Result<Bound, Fault> {
    let mut conn = Conn::open(&settings, &policy).await?;
    conn.service_bind(&settings).await?;
    let attrs: Vec<&str> = [
        settings.key_attribute.trim(),
        settings.name_attribute.trim(),
        settings.group_attribute.trim(),
    ]
    .into_iter()
    .filter(|a| !a.is_empty())
    .collect();
    let mut entries = conn
        .search(
            Step::Search,
            settings.base_dn.trim(),
            Scope::Subtree,
            &filter,
            attrs,
        )
        .await?;
    let entry = match entries.len() {
        0 => return Err(Fault::NotFound),
        1 => entries.remove(0),
        count => return Err(Fault::Ambiguous { count }),
    };
    // An empty DN would make the user's bind an anonymous one.
    if entry.dn.trim().is_empty() {
        return Err(Fault::Unreadable {
            step: Step::Search,
            reason: "an entry without a DN".into(),
        });
    }
    conn.bind(Step::UserBind, &entry.dn, &password).await?;
    conn.close().await;
    let first = |attr: &str| values(&entry, attr).next().map(str::to_string);
    Ok(Bound {
        key: first(settings.key_attribute.trim()),
        name: first(settings.name_attribute.trim()),
        groups: values(&entry, settings.group_attribute.trim())
            .map(str::to_string)
            .collect(),
        dn: entry.dn.clone(),
    })
}

/// The connection test: connect, bind as the service account, read the base DN.
async fn probe(settings: LdapSettings, policy: OutboundPolicy) -> Result<Probed, Fault> {
    let mut conn = Conn::open(&settings, &policy).await?;
    conn.service_bind(&settings).await?;
    let found = conn
        .search(
            Step::BaseRead,
            settings.base_dn.trim(),
            Scope::Base,
            "(objectClass=*)",
            vec!["1.1"],
        )
        .await?;
    if found.is_empty() {
        // OpenLDAP answers noSuchObject when the entry is hidden; others answer nothing.
        return Err(Fault::Rejected {
            step: Step::BaseRead,
            rc: 32,
            text: String::new(),
        });
    }
    conn.close().await;
    Ok(Probed {
        target: conn.target,
        mode: conn.mode,
    })
}

/// The trimmed, non-empty values of `attr` (attribute names compare without regard to case).
fn values<'a>(entry: &'a SearchEntry, attr: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    entry
        .attrs
        .iter()
        .filter(move |(name, _)| !attr.is_empty() && name.eq_ignore_ascii_case(attr))
        .flat_map(|(_, vals)| vals.iter())
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

/// An open LDAP connection with the conversation's deadline.
struct Conn {
    ldap: Ldap,
    deadline: Instant,
    secs: u64,
    /// `host:port` as configured, and the address connected to.
    target: String,
    mode: Mode,
}

impl Conn {
    /// Resolves the host, checks its addresses, connects to a permitted one and sets up TLS.
    async fn open(settings: &LdapSettings, policy: &OutboundPolicy) -> Result<Conn, Fault> {
        let secs = limit_secs(settings);
        let deadline = Instant::now() + Duration::from_secs(secs);
        let timeout = |step| Fault::Timeout { step, secs };

        let raw = settings.url.trim();
        let url = Url::parse(raw).map_err(|_| Fault::BadUrl)?;
        let mode = match (url.scheme(), settings.starttls) {
            ("ldaps", _) => Mode::Ldaps,
            ("ldap", true) => Mode::StartTls,
            ("ldap", false) => Mode::Plain,
            _ => return Err(Fault::BadUrl),
        };
        // `ldap:` is not a special scheme to the URL parser, so an IP literal arrives as a name.
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(Fault::BadUrl)?
            .to_string();
        let port = url
            .port()
            .unwrap_or(if mode == Mode::Ldaps { 636 } else { 389 });
        let bare = host.trim_start_matches('[').trim_end_matches(']');

        let found: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => match policy.route(bare) {
                Some(addr) => vec![addr],
                None => tokio::time::timeout_at(deadline, tokio::net::lookup_host((bare, port)))
                    .await
                    .map_err(|_| timeout(Step::Resolve))?
                    .map_err(|_| Fault::Resolve { host: host.clone() })?
                    .collect(),
            },
        };
        let mut permitted =
            crate::http::permitted(found, policy).map_err(|range| Fault::Forbidden {
                host: host.clone(),
                range,
            })?;
        if permitted.is_empty() {
            return Err(Fault::Resolve { host: host.clone() });
        }
        // A password never crosses the network in clear.
        if mode == Mode::Plain {
            permitted.retain(|a| a.ip().is_loopback());
            if permitted.is_empty() {
                return Err(Fault::PlainToRemote {
                    target: format!("{host}:{port}"),
                });
            }
        }

        let mut last = None;
        let mut connected = None;
        for addr in &permitted {
            match tokio::time::timeout_at(deadline, tokio::net::TcpStream::connect(addr)).await {
                Err(_) => return Err(timeout(Step::Connect)),
                Ok(Ok(tcp)) => {
                    connected = Some((tcp, *addr));
                    break;
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last = Some(Fault::Refused { addr: *addr });
                }
                Ok(Err(e)) => {
                    last = Some(Fault::Connect {
                        target: addr.to_string(),
                        kind: e.kind(),
                    });
                }
            }
        }
        let Some((tcp, addr)) = connected else {
            return Err(last.unwrap_or(Fault::Resolve { host }));
        };
        let target = if bare.parse::<IpAddr>().is_ok() {
            addr.to_string()
        } else {
            format!("{host}:{port} ({addr})")
        };
        let std_tcp = tcp.into_std().map_err(|e| Fault::Connect {
            target: target.clone(),
            kind: e.kind(),
        })?;

        // ldap3 is given the checked connection and the configured address: it takes the TLS
        // server name (for SNI and the certificate check) from the address's host, and opens no
        // connection of its own.
        let mut conn_settings = LdapConnSettings::new()
            .set_conn_timeout(deadline.saturating_duration_since(Instant::now()))
            .set_starttls(mode == Mode::StartTls)
            .set_std_stream(StdStream::Tcp(std_tcp));
        if mode != Mode::Plain {
            let config = crate::tls::ldap().ok_or_else(|| Fault::Tls {
                host: host.clone(),
                reason: "no TLS client configuration".into(),
            })?;
            conn_settings = conn_settings.set_config(config);
        }
        let step = if mode == Mode::Plain {
            Step::Connect
        } else {
            Step::Tls
        };
        let (conn, ldap) = match tokio::time::timeout_at(
            deadline,
            LdapConnAsync::with_settings(conn_settings, raw),
        )
        .await
        {
            Err(_) => return Err(timeout(step)),
            Ok(Ok(pair)) => pair,
            Ok(Err(LdapError::LdapResult { result })) => {
                return Err(Fault::Rejected {
                    step,
                    rc: result.rc,
                    text: clean(&result.text),
                });
            }
            Ok(Err(LdapError::Timeout { .. })) => return Err(timeout(step)),
            Ok(Err(LdapError::Io { source })) if mode != Mode::Plain => {
                return Err(Fault::Tls {
                    host: host.clone(),
                    reason: clean(&source.to_string()),
                });
            }
            Ok(Err(e)) if mode != Mode::Plain => {
                return Err(Fault::Tls {
                    host: host.clone(),
                    reason: clean(&e.to_string()),
                });
            }
            Ok(Err(e)) => {
                return Err(Fault::Unreadable {
                    step,
                    reason: clean(&e.to_string()),
                });
            }
        };
        ldap3::drive!(conn);
        Ok(Conn {
            ldap,
            deadline,
            secs,
            target,
            mode,
        })
    }

    /// Binds as the service account; nothing when none is set (an anonymous search).
    async fn service_bind(&mut self, settings: &LdapSettings) -> Result<(), Fault> {
        let dn = settings.bind_dn.trim();
        if dn.is_empty() {
            return Ok(());
        }
        // A service DN without a password would be an unauthenticated bind: refused as such.
        if settings.bind_password.expose().is_empty() {
            return Err(Fault::NotConfigured("bind_password"));
        }
        self.bind(Step::ServiceBind, dn, settings.bind_password.expose())
            .await
    }

    async fn bind(&mut self, step: Step, dn: &str, password: &str) -> Result<(), Fault> {
        let result = tokio::time::timeout_at(self.deadline, self.ldap.simple_bind(dn, password))
            .await
            .map_err(|_| Fault::Timeout {
                step,
                secs: self.secs,
            })?
            .map_err(|e| lost(step, self.secs, e))?;
        if result.rc == 0 {
            Ok(())
        } else {
            Err(Fault::Rejected {
                step,
                rc: result.rc,
                text: clean(&result.text),
            })
        }
    }

    /// The entries found (referrals left aside); a size limit reached is not an error here —
    /// the caller counts.
    async fn search(
        &mut self,
        step: Step,
        base: &str,
        scope: Scope,
        filter: &str,
        attrs: Vec<&str>,
    ) -> Result<Vec<SearchEntry>, Fault> {
        let secs = i32::try_from(self.secs).unwrap_or(60);
        let ldap = self.ldap.with_search_options(
            SearchOptions::new()
                .sizelimit(SEARCH_SIZE_LIMIT)
                .timelimit(secs),
        );
        let ldap3::SearchResult(entries, result) =
            tokio::time::timeout_at(self.deadline, ldap.search(base, scope, filter, attrs))
                .await
                .map_err(|_| Fault::Timeout {
                    step,
                    secs: self.secs,
                })?
                .map_err(|e| lost(step, self.secs, e))?;
        if !matches!(result.rc, 0 | 4) {
            return Err(Fault::Rejected {
                step,
                rc: result.rc,
                text: clean(&result.text),
            });
        }
        Ok(entries
            .into_iter()
            .filter(|e| !e.is_ref() && !e.is_intermediate())
            .map(SearchEntry::construct)
            .collect())
    }

    /// Says goodbye (best effort: the connection closes when the handle is dropped anyway).
    async fn close(&mut self) {
        let _ = tokio::time::timeout_at(self.deadline, self.ldap.unbind()).await;
    }
}

/// An operation's error that is not a result code: the connection went away, or the client
/// could not read or build the message.
fn lost(step: Step, secs: u64, e: LdapError) -> Fault {
    match e {
        LdapError::Io { .. }
        | LdapError::OpSend { .. }
        | LdapError::ResultRecv { .. }
        | LdapError::EndOfStream => Fault::Dropped { step },
        LdapError::Timeout { .. } => Fault::Timeout { step, secs },
        LdapError::FilterParsing => Fault::Unreadable {
            step,
            reason: "the search filter is not valid".into(),
        },
        other => Fault::Unreadable {
            step,
            reason: clean(&other.to_string()),
        },
    }
}

/// A server's words made safe to log and show: no control characters, at most 200 characters.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}
