//! Where a group robot may be reached: the rules for a 企业微信 or 钉钉 robot's webhook address,
//! the hosts the system administrator allows besides the providers' own, and which network
//! addresses an outbound request may connect to.
//!
//! An org's secretary types a robot address; the server then posts to it. Left open, that is a
//! way to make the server knock on its own loopback, the intranet or the cloud's metadata
//! service. So an address must be `https` on the provider's host and webhook path
//! ([`Robot::host`], [`Robot::path`]) or on a host the system administrator allows
//! ([`AllowedHost`]); and the sender, after resolving the host itself, connects only to an
//! address that [`OutboundPolicy::permits`] — never loopback, private, shared (CGNAT),
//! link-local, unique-local, multicast, unspecified, broadcast or reserved space, nor those
//! ranges written as IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 addresses.

use crate::Lang;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::{Host, Url};

/// The longest robot address taken.
pub const ROBOT_URL_MAX: usize = 1000;

/// The most extra robot hosts the system administrator may allow.
pub const ALLOWED_HOSTS_MAX: usize = 20;

/// The longest allowed-host entry (a DNS name of 253 characters and a port).
const HOST_ENTRY_MAX: usize = 260;

/// The group robots reminders go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Robot {
    /// 企业微信 group robot.
    Wecom,
    /// 钉钉 custom robot.
    Dingtalk,
}

impl Robot {
    /// The robot of a delivery channel (`wecom`, `dingtalk`).
    pub fn from_channel(channel: &str) -> Option<Robot> {
        match channel {
            "wecom" => Some(Robot::Wecom),
            "dingtalk" => Some(Robot::Dingtalk),
            _ => None,
        }
    }

    /// The provider's webhook host.
    pub fn host(self) -> &'static str {
        match self {
            Robot::Wecom => "qyapi.weixin.qq.com",
            Robot::Dingtalk => "oapi.dingtalk.com",
        }
    }

    /// The provider's webhook path.
    pub fn path(self) -> &'static str {
        match self {
            Robot::Wecom => "/cgi-bin/webhook/send",
            Robot::Dingtalk => "/robot/send",
        }
    }

    /// The provider's name, in the user's language.
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Robot::Wecom => lang.pick("企业微信", "WeCom (企业微信)"),
            Robot::Dingtalk => lang.pick("钉钉", "DingTalk (钉钉)"),
        }
    }
}

/// Why a robot address or an allowed host is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RobotAddressProblem {
    /// Not a complete address (or too long, or with spaces).
    Malformed,
    /// Not `https`.
    NotHttps,
    /// A user name or password in the address.
    Credentials,
    /// Neither the provider's host nor one the system administrator allows.
    Host(Robot),
    /// A port on the provider's host.
    Port(Robot),
    /// Another path on the provider's host.
    Path(Robot),
    /// An allowed-host entry that is not a host name with an optional port.
    HostEntry(String),
    /// An allowed-host entry that is an address no request may go to.
    InternalHost(String),
    /// More allowed hosts than [`ALLOWED_HOSTS_MAX`].
    TooManyHosts,
}

impl RobotAddressProblem {
    /// The message in the user's language (the caller names the field).
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            RobotAddressProblem::Malformed => lang
                .pick(
                    "不是完整的网址（以 https:// 开头，不含空格）",
                    "not a complete address (starting with https://, no spaces)",
                )
                .into(),
            RobotAddressProblem::NotHttps => lang
                .pick(
                    "机器人地址须以 https:// 开头",
                    "a robot address must start with https://",
                )
                .into(),
            RobotAddressProblem::Credentials => lang
                .pick(
                    "地址中不能含用户名或密码",
                    "the address must not carry a user name or password",
                )
                .into(),
            RobotAddressProblem::Host(r) => {
                let example = format!("https://{}{}?…", r.host(), r.path());
                if zh {
                    format!(
                        "须为{}机器人的官方地址（{example}），或系统管理员允许的主机上的地址",
                        r.name(lang)
                    )
                } else {
                    format!(
                        "must be the official {} robot address ({example}) or an address on a host the system administrator allows",
                        r.name(lang)
                    )
                }
            }
            RobotAddressProblem::Port(r) => {
                if zh {
                    format!("{} 的地址不能指定端口", r.host())
                } else {
                    format!("an address on {} takes no port", r.host())
                }
            }
            RobotAddressProblem::Path(r) => {
                if zh {
                    format!("{} 的机器人地址路径须为 {}", r.host(), r.path())
                } else {
                    format!("a robot address on {} has the path {}", r.host(), r.path())
                }
            }
            RobotAddressProblem::HostEntry(e) => {
                if zh {
                    format!(
                        "“{e}”不是主机名，请只写主机名（可带端口），例如 robot.example.edu.cn 或 robot.example.edu.cn:8443"
                    )
                } else {
                    format!(
                        "“{e}” is not a host name; write the host name only (a port may follow), e.g. robot.example.edu.cn or robot.example.edu.cn:8443"
                    )
                }
            }
            RobotAddressProblem::InternalHost(e) => {
                if zh {
                    format!("“{e}”是本机、内网或保留地址，不能作为机器人主机")
                } else {
                    format!(
                        "“{e}” is a loopback, private or reserved address and cannot be a robot host"
                    )
                }
            }
            RobotAddressProblem::TooManyHosts => {
                if zh {
                    format!("最多允许 {ALLOWED_HOSTS_MAX} 个主机")
                } else {
                    format!("at most {ALLOWED_HOSTS_MAX} hosts")
                }
            }
        }
    }
}

/// A host the system administrator allows robot addresses on, besides the providers' own: a
/// host name (or a public address) and a port, 443 unless written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    host: String,
    port: u16,
}

impl AllowedHost {
    /// Reads `host` or `host:port` (the host lower-cased, as a URL spells it).
    pub fn parse(entry: &str) -> Result<AllowedHost, RobotAddressProblem> {
        let entry = entry.trim();
        let bad = || RobotAddressProblem::HostEntry(entry.chars().take(80).collect());
        if entry.is_empty()
            || entry.len() > HOST_ENTRY_MAX
            || entry
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "/\\@?#".contains(c))
        {
            return Err(bad());
        }
        let url = Url::parse(&format!("https://{entry}/")).map_err(|_| bad())?;
        if url.path() != "/" || !url.username().is_empty() || url.password().is_some() {
            return Err(bad());
        }
        let literal = match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => None,
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => return Err(bad()),
        };
        if literal.and_then(forbidden_range).is_some() {
            return Err(RobotAddressProblem::InternalHost(
                entry.chars().take(80).collect(),
            ));
        }
        Ok(AllowedHost {
            host: url.host_str().unwrap_or_default().to_string(),
            port: url.port_or_known_default().unwrap_or(443),
        })
    }

    /// Reads a list of entries, each checked; duplicates kept once, in order.
    pub fn parse_all<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<AllowedHost>, RobotAddressProblem> {
        let mut out: Vec<AllowedHost> = Vec::new();
        for e in entries {
            if e.trim().is_empty() {
                continue;
            }
            let h = AllowedHost::parse(e)?;
            if !out.contains(&h) {
                out.push(h);
            }
            if out.len() > ALLOWED_HOSTS_MAX {
                return Err(RobotAddressProblem::TooManyHosts);
            }
        }
        Ok(out)
    }

    /// Whether `url` is on this host and port.
    fn holds(&self, url: &Url) -> bool {
        url.host_str() == Some(self.host.as_str()) && url.port_or_known_default() == Some(self.port)
    }
}

impl std::fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.port == 443 {
            f.write_str(&self.host)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Checks a robot's webhook address: `https`, no credentials, and either the provider's host
/// (default port, the webhook path) or a host in `allowed` (any path). The address as it will
/// be used (host lower-cased, IPv4 forms normalised).
pub fn check_robot_url(
    robot: Robot,
    s: &str,
    allowed: &[AllowedHost],
) -> Result<Url, RobotAddressProblem> {
    let s = s.trim();
    if s.is_empty()
        || s.len() > ROBOT_URL_MAX
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(RobotAddressProblem::Malformed);
    }
    let url = Url::parse(s).map_err(|_| RobotAddressProblem::Malformed)?;
    if url.scheme() != "https" {
        return Err(if url.scheme() == "http" {
            RobotAddressProblem::NotHttps
        } else {
            RobotAddressProblem::Malformed
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RobotAddressProblem::Credentials);
    }
    if url.fragment().is_some() || url.host_str().is_none_or(str::is_empty) {
        return Err(RobotAddressProblem::Malformed);
    }
    if url.host_str() == Some(robot.host()) {
        if url.port().is_some() {
            return Err(RobotAddressProblem::Port(robot));
        }
        if url.path() != robot.path() {
            return Err(RobotAddressProblem::Path(robot));
        }
        return Ok(url);
    }
    if allowed.iter().any(|h| h.holds(&url)) {
        return Ok(url);
    }
    Err(RobotAddressProblem::Host(robot))
}

// ------------------------------------------------------------------------------------------
// Network addresses
// ------------------------------------------------------------------------------------------

/// A range no outbound request may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForbiddenRange {
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 10/8, 172.16/12, 192.168/16; fec0::/10 (site-local).
    Private,
    /// 100.64/10, the carrier-grade NAT's shared space.
    Shared,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// fc00::/7.
    UniqueLocal,
    /// 224/4, ff00::/8.
    Multicast,
    /// 0.0.0.0/8, ::.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// Reserved, documentation and benchmarking space (240/4, 192.0.0/24, 192.0.2/24,
    /// 198.18/15, 198.51.100/24, 203.0.113/24; 100::/64, 2001:db8::/32, 2001::/23).
    Reserved,
}

impl ForbiddenRange {
    /// Stable spelling (kept in the delivery log).
    pub fn slug(self) -> &'static str {
        match self {
            ForbiddenRange::Loopback => "loopback",
            ForbiddenRange::Private => "private",
            ForbiddenRange::Shared => "shared",
            ForbiddenRange::LinkLocal => "link-local",
            ForbiddenRange::UniqueLocal => "unique-local",
            ForbiddenRange::Multicast => "multicast",
            ForbiddenRange::Unspecified => "unspecified",
            ForbiddenRange::Broadcast => "broadcast",
            ForbiddenRange::Reserved => "reserved",
        }
    }

    /// Reads the stable spelling.
    pub fn parse(s: &str) -> Option<ForbiddenRange> {
        ALL_RANGES.iter().copied().find(|r| r.slug() == s)
    }

    /// The range in words, in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ForbiddenRange::Loopback => lang.pick("本机（回环）", "loopback"),
            ForbiddenRange::Private => lang.pick("内网", "private"),
            ForbiddenRange::Shared => lang.pick("运营商内网（CGNAT）", "shared (CGNAT)"),
            ForbiddenRange::LinkLocal => lang.pick("链路本地", "link-local"),
            ForbiddenRange::UniqueLocal => lang.pick("内网（IPv6 唯一本地）", "unique-local"),
            ForbiddenRange::Multicast => lang.pick("组播", "multicast"),
            ForbiddenRange::Unspecified => lang.pick("未指定", "unspecified"),
            ForbiddenRange::Broadcast => lang.pick("广播", "broadcast"),
            ForbiddenRange::Reserved => lang.pick("保留", "reserved"),
        }
    }
}

const ALL_RANGES: [ForbiddenRange; 9] = [
    ForbiddenRange::Loopback,
    ForbiddenRange::Private,
    ForbiddenRange::Shared,
    ForbiddenRange::LinkLocal,
    ForbiddenRange::UniqueLocal,
    ForbiddenRange::Multicast,
    ForbiddenRange::Unspecified,
    ForbiddenRange::Broadcast,
    ForbiddenRange::Reserved,
];

/// The forbidden range `ip` lies in, or `None` for a public unicast address. IPv6 forms that
/// carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64
/// `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) are judged by the IPv4 address they carry.
pub fn forbidden_range(ip: IpAddr) -> Option<ForbiddenRange> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<ForbiddenRange> {
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        (0, ..) => ForbiddenRange::Unspecified,
        (127, ..) => ForbiddenRange::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => ForbiddenRange::Private,
        (100, 64..=127, _) => ForbiddenRange::Shared,
        (169, 254, _) => ForbiddenRange::LinkLocal,
        (224..=239, ..) => ForbiddenRange::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => ForbiddenRange::Broadcast,
        (240..=255, ..) | (192, 0, 0 | 2) | (198, 18 | 19, _) | (198, 51, 100) | (203, 0, 113) => {
            ForbiddenRange::Reserved
        }
        _ => return None,
    };
    Some(range)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<ForbiddenRange> {
    if ip.is_unspecified() {
        return Some(ForbiddenRange::Unspecified);
    }
    if ip.is_loopback() {
        return Some(ForbiddenRange::Loopback);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // IPv4-mapped ::ffff:0:0/96 and the deprecated IPv4-compatible ::/96.
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return forbidden_v4(embedded(s[6], s[7]));
    }
    // NAT64, well-known prefix 64:ff9b::/96 (and the local-use 64:ff9b:1::/48).
    if s[0] == 0x64 && s[1] == 0xff9b {
        return forbidden_v4(embedded(s[6], s[7]));
    }
    // 6to4 2002::/16 carries the IPv4 address in the next 32 bits.
    if s[0] == 0x2002 {
        return forbidden_v4(embedded(s[1], s[2]));
    }
    let range = match s[0] {
        0xff00..=0xffff => ForbiddenRange::Multicast,
        0xfe80..=0xfebf => ForbiddenRange::LinkLocal,
        0xfec0..=0xfeff => ForbiddenRange::Private,
        0xfc00..=0xfdff => ForbiddenRange::UniqueLocal,
        // 100::/64 discard, 2001:db8::/32 documentation, 2001::/23 IETF protocol assignments
        // (Teredo among them).
        0x0100 if s[1..4] == [0; 3] => ForbiddenRange::Reserved,
        0x2001 if s[1] == 0x0db8 || s[1] < 0x0200 => ForbiddenRange::Reserved,
        // Everything outside 2000::/3 is unassigned or reserved.
        x if !(0x2000..=0x3fff).contains(&x) => ForbiddenRange::Reserved,
        _ => return None,
    };
    Some(range)
}

/// Which addresses the server's outbound requests may connect to. The default refuses every
/// [`ForbiddenRange`] (robot webhooks go to the providers' public hosts). Requests to the
/// university's own directories use [`OutboundPolicy::for_directories`]: the intranet's
/// private ranges too, and this machine only where the operator said so when starting the
/// server. Tests, whose peers are local servers, use [`OutboundPolicy::allow_loopback_for_tests`];
/// nothing in a setting makes one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow_loopback: bool,
    plain_loopback: bool,
    allow_private: bool,
    local_directory: bool,
    routes: Vec<(String, SocketAddr)>,
}

impl OutboundPolicy {
    /// For tests only: loopback addresses may be connected to, and spoken to in plain HTTP
    /// (a local stand-in has no certificate a client would trust).
    pub fn allow_loopback_for_tests() -> OutboundPolicy {
        OutboundPolicy {
            allow_loopback: true,
            plain_loopback: true,
            allow_private: false,
            local_directory: false,
            routes: Vec::new(),
        }
    }

    /// The directories' requests may connect to this machine's loopback addresses (in TLS
    /// unless the address says `http://`): a portal or directory running on the same host
    /// (`zeren serve --allow-local-directory`). Robot webhooks still may not.
    pub fn allow_local_directory(mut self) -> OutboundPolicy {
        self.local_directory = true;
        self
    }

    /// The policy for the university's directories and the office apps: besides what `self`
    /// permits, the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), where a
    /// 统一身份认证 portal or an LDAP server usually lives. Link-local (cloud metadata),
    /// multicast and reserved space stay refused.
    pub fn for_directories(&self) -> OutboundPolicy {
        OutboundPolicy {
            allow_private: true,
            allow_loopback: self.allow_loopback || self.local_directory,
            ..self.clone()
        }
    }

    /// For tests only: `host` resolves to `addr` instead of asking DNS (as a resolver under
    /// someone else's control could answer). The answer is still checked like any other.
    pub fn route_for_tests(mut self, host: &str, addr: SocketAddr) -> OutboundPolicy {
        self.routes.push((host.to_ascii_lowercase(), addr));
        self
    }

    /// The address `host` resolves to under this policy instead of DNS, if any.
    pub fn route(&self, host: &str) -> Option<SocketAddr> {
        self.routes
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, a)| *a)
    }

    /// Whether a request may connect to `ip`: the range that forbids it otherwise.
    pub fn permits(&self, ip: IpAddr) -> Result<(), ForbiddenRange> {
        match forbidden_range(ip) {
            None => Ok(()),
            Some(ForbiddenRange::Loopback) if self.allow_loopback => Ok(()),
            Some(
                ForbiddenRange::Private | ForbiddenRange::Shared | ForbiddenRange::UniqueLocal,
            ) if self.allow_private => Ok(()),
            Some(r) => Err(r),
        }
    }

    /// Whether the connection to `ip` is made without TLS (only a loopback stand-in in tests).
    pub fn plain_http_to(&self, ip: IpAddr) -> bool {
        self.plain_loopback && forbidden_range(ip) == Some(ForbiddenRange::Loopback)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forbidden_ranges_are_classified() {
        use ForbiddenRange::*;
        let cases: &[(&str, Option<ForbiddenRange>)] = &[
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("10.0.0.1", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.1", None),
            ("172.15.255.255", None),
            ("192.168.1.1", Some(Private)),
            ("100.64.0.1", Some(Shared)),
            ("100.127.255.255", Some(Shared)),
            ("100.128.0.1", None),
            ("169.254.169.254", Some(LinkLocal)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("255.255.255.255", Some(Broadcast)),
            ("240.0.0.1", Some(Reserved)),
            ("192.0.2.1", Some(Reserved)),
            ("198.18.0.1", Some(Reserved)),
            ("203.0.113.9", Some(Reserved)),
            ("1.1.1.1", None),
            ("101.226.129.166", None),
            ("8.8.8.8", None),
            ("::1", Some(Loopback)),
            ("::", Some(Unspecified)),
            ("fe80::1", Some(LinkLocal)),
            ("febf::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("fc00::1", Some(UniqueLocal)),
            ("fd12:3456::1", Some(UniqueLocal)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Reserved)),
            ("100::1", Some(Reserved)),
            ("2400:da00::6666", None),
            ("2408:8000::1", None),
            // IPv4 inside IPv6: judged by the IPv4 address.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:169.254.169.254", Some(LinkLocal)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Loopback)),
            ("::10.0.0.1", Some(Private)),
            ("64:ff9b::7f00:1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(LinkLocal)),
            ("64:ff9b::808:808", None),
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:c0a8:101::1", Some(Private)),
            ("2002:808:808::1", None),
        ];
        for (s, want) in cases {
            assert_eq!(forbidden_range(ip(s)), *want, "{s}");
        }
    }

    #[test]
    fn range_slugs_round_trip() {
        for r in ALL_RANGES {
            assert_eq!(ForbiddenRange::parse(r.slug()), Some(r));
            assert!(!r.label(Lang::Zh).is_empty() && !r.label(Lang::En).is_empty());
        }
        assert_eq!(ForbiddenRange::parse("public"), None);
    }

    #[test]
    fn the_default_policy_refuses_loopback_and_the_test_allowance_only_loopback() {
        let strict = OutboundPolicy::default();
        assert_eq!(
            strict.permits(ip("127.0.0.1")),
            Err(ForbiddenRange::Loopback)
        );
        assert_eq!(
            strict.permits(ip("::ffff:127.0.0.1")),
            Err(ForbiddenRange::Loopback)
        );
        assert!(strict.permits(ip("1.1.1.1")).is_ok());
        assert!(!strict.plain_http_to(ip("127.0.0.1")));
        let tests = OutboundPolicy::allow_loopback_for_tests();
        assert!(tests.permits(ip("127.0.0.1")).is_ok());
        assert!(tests.permits(ip("::1")).is_ok());
        assert_eq!(tests.permits(ip("10.0.0.1")), Err(ForbiddenRange::Private));
        assert_eq!(
            tests.permits(ip("169.254.169.254")),
            Err(ForbiddenRange::LinkLocal)
        );
        assert!(tests.plain_http_to(ip("127.0.0.1")));
        assert!(!tests.plain_http_to(ip("1.1.1.1")));
        // The directories' policy reaches the intranet, never link-local space (cloud metadata)
        // nor this machine unless the operator allowed it, and then in TLS.
        let dirs = strict.for_directories();
        assert!(dirs.permits(ip("10.8.0.5")).is_ok());
        assert!(dirs.permits(ip("192.168.1.2")).is_ok());
        assert!(dirs.permits(ip("fd00::1")).is_ok());
        assert_eq!(dirs.permits(ip("127.0.0.1")), Err(ForbiddenRange::Loopback));
        assert_eq!(
            dirs.permits(ip("169.254.169.254")),
            Err(ForbiddenRange::LinkLocal)
        );
        let server = OutboundPolicy::default().allow_local_directory();
        assert_eq!(
            server.permits(ip("127.0.0.1")),
            Err(ForbiddenRange::Loopback)
        );
        let local = server.for_directories();
        assert!(local.permits(ip("127.0.0.1")).is_ok());
        assert!(!local.plain_http_to(ip("127.0.0.1")));
        let routed = OutboundPolicy::default()
            .route_for_tests("Robots.Example.Test", "127.0.0.1:9".parse().unwrap());
        assert_eq!(
            routed.route("robots.example.test"),
            Some("127.0.0.1:9".parse().unwrap())
        );
        assert_eq!(routed.route("other.example.test"), None);
        // A route does not make its address acceptable.
        assert!(routed.permits(ip("127.0.0.1")).is_err());
    }

    #[test]
    fn provider_addresses_are_taken() {
        let u = check_robot_url(
            Robot::Wecom,
            " https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc ",
            &[],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
        );
        let u = check_robot_url(
            Robot::Dingtalk,
            "HTTPS://OAPI.DINGTALK.COM:443/robot/send?access_token=t",
            &[],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://oapi.dingtalk.com/robot/send?access_token=t"
        );
    }

    #[test]
    fn other_addresses_are_refused() {
        use RobotAddressProblem::*;
        let w = Robot::Wecom;
        let cases: &[(&str, RobotAddressProblem)] = &[
            ("", Malformed),
            ("qyapi/send", Malformed),
            ("https://", Malformed),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a b",
                Malformed,
            ),
            ("ftp://qyapi.weixin.qq.com/cgi-bin/webhook/send", Malformed),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send#x",
                Malformed,
            ),
            (
                "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
                NotHttps,
            ),
            ("http://127.0.0.1:8080/cgi-bin/webhook/send?key=a", NotHttps),
            (
                "https://u:p@qyapi.weixin.qq.com/cgi-bin/webhook/send",
                Credentials,
            ),
            (
                "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send",
                Port(w),
            ),
            ("https://qyapi.weixin.qq.com/cgi-bin/other", Path(w)),
            (
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send/../x",
                Path(w),
            ),
            (
                "https://oapi.dingtalk.com/robot/send?access_token=t",
                Host(w),
            ),
            ("https://evil.example/cgi-bin/webhook/send", Host(w)),
            (
                "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send",
                Host(w),
            ),
            ("https://10.0.0.1/cgi-bin/webhook/send", Host(w)),
            ("https://127.0.0.1/cgi-bin/webhook/send", Host(w)),
            ("https://0x7f.1/cgi-bin/webhook/send", Host(w)),
            ("https://2130706433/cgi-bin/webhook/send", Host(w)),
            ("https://[::1]/cgi-bin/webhook/send", Host(w)),
            ("https://localhost/cgi-bin/webhook/send", Host(w)),
        ];
        for (s, want) in cases {
            assert_eq!(check_robot_url(w, s, &[]).unwrap_err(), *want, "{s}");
        }
        let long = format!(
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={}",
            "k".repeat(ROBOT_URL_MAX)
        );
        assert_eq!(check_robot_url(w, &long, &[]).unwrap_err(), Malformed);
        // Every problem has words in both languages.
        for (_, p) in cases {
            assert!(!p.message(Lang::Zh).is_empty() && !p.message(Lang::En).is_empty());
        }
    }

    #[test]
    fn allowed_hosts_take_any_https_path_on_their_port() {
        let allowed =
            AllowedHost::parse_all(["Robots.Example.EDU.cn", "gw.example.test:8443"]).unwrap();
        assert_eq!(allowed[0].to_string(), "robots.example.edu.cn");
        assert_eq!(allowed[1].to_string(), "gw.example.test:8443");
        for s in [
            "https://robots.example.edu.cn/any/path?key=1",
            "https://robots.example.edu.cn:443/hook",
            "https://gw.example.test:8443/cgi-bin/webhook/send?key=x",
        ] {
            assert!(check_robot_url(Robot::Wecom, s, &allowed).is_ok(), "{s}");
            assert!(check_robot_url(Robot::Dingtalk, s, &allowed).is_ok(), "{s}");
        }
        for s in [
            "http://robots.example.edu.cn/hook",
            "https://robots.example.edu.cn:8443/hook",
            "https://gw.example.test/hook",
            "https://sub.robots.example.edu.cn/hook",
        ] {
            assert!(check_robot_url(Robot::Wecom, s, &allowed).is_err(), "{s}");
        }
    }

    #[test]
    fn allowed_host_entries_are_host_names() {
        for e in [
            "https://x.example",
            "x.example/path",
            "u@x.example",
            "x.example?q",
            "x .example",
            "x.example:0x50",
            "x.example:99999",
            ":443",
        ] {
            assert!(
                matches!(
                    AllowedHost::parse(e),
                    Err(RobotAddressProblem::HostEntry(_))
                ),
                "{e}: {:?}",
                AllowedHost::parse(e)
            );
        }
        for e in [
            "127.0.0.1",
            "10.0.0.1:8443",
            "[::1]",
            "[fd00::1]",
            "169.254.169.254",
        ] {
            assert!(
                matches!(
                    AllowedHost::parse(e),
                    Err(RobotAddressProblem::InternalHost(_))
                ),
                "{e}"
            );
        }
        assert_eq!(
            AllowedHost::parse("203.0.114.7:8443").unwrap().to_string(),
            "203.0.114.7:8443"
        );
        assert_eq!(
            AllowedHost::parse("[2400:da00::1]").unwrap().to_string(),
            "[2400:da00::1]"
        );
        let many: Vec<String> = (0..=ALLOWED_HOSTS_MAX)
            .map(|i| format!("h{i}.example"))
            .collect();
        assert_eq!(
            AllowedHost::parse_all(many.iter().map(String::as_str)).unwrap_err(),
            RobotAddressProblem::TooManyHosts
        );
        assert_eq!(
            AllowedHost::parse_all(["a.example", "A.example", " "])
                .unwrap()
                .len(),
            1
        );
    }
}
