//! LDAP sign-in against a real OpenLDAP server: each test that needs one starts its own slapd
//! (tests/directory/slapd.sh, seeded with tests/directory/seed.ldif) on a free loopback port in a
//! temporary directory, and stops it when the test ends, failed or not. The tests about refusing
//! before any conversation, dead and hanging servers and the outbound policy need no slapd.
//!
//! Without Debian's `slapd` and `ldap-utils` the slapd stories are skipped with a message,
//! unless `ZEREN_TEST_LDAP` is set (CI sets it): then a missing slapd is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use zeren_core::Lang;
use zeren_core::directory::{LdapSettings, Secret, SignInFailure};
use zeren_core::reminders::robots::OutboundPolicy;
use zeren_directory::ldap::{Bound, sign_in, test_connection};

const BASE: &str = "dc=example,dc=edu,dc=cn";
const PEOPLE: &str = "ou=people,dc=example,dc=edu,dc=cn";
const SERVICE: &str = "cn=zeren,ou=services,dc=example,dc=edu,dc=cn";
const PASSWORD: &str = "Ldap@2026";
const PARTY_OFFICE: &str = "cn=party-office,ou=groups,dc=example,dc=edu,dc=cn";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/directory/slapd.sh")
}

fn installed(name: &str) -> bool {
    let in_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    in_path
        || ["/usr/sbin", "/usr/bin"]
            .iter()
            .any(|d| Path::new(d).join(name).is_file())
}

/// A slapd of this test's own, stopped when dropped.
struct Slapd {
    dir: tempfile::TempDir,
    port: u16,
}

impl Slapd {
    /// Starts and seeds one; `None` (after saying so) when slapd is not installed and
    /// `ZEREN_TEST_LDAP` is unset.
    fn start() -> Option<Slapd> {
        if !(installed("slapd") && installed("ldapadd") && installed("ldapsearch")) {
            if std::env::var_os("ZEREN_TEST_LDAP").is_some() {
                panic!(
                    "ZEREN_TEST_LDAP is set but slapd or ldap-utils is not installed \
                     (apt-get install -y --no-install-recommends slapd ldap-utils)"
                );
            }
            eprintln!(
                "LDAP stories skipped: slapd and ldap-utils are not installed \
                 (apt-get install -y --no-install-recommends slapd ldap-utils; \
                 set ZEREN_TEST_LDAP=1 to make a missing slapd a failure)"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut last_error = String::new();
        // A free port can be taken by someone else before slapd binds it: try a few.
        for _ in 0..3 {
            let port = free_port();
            let out = Command::new("bash")
                .arg(script())
                .arg("start")
                .arg(dir.path())
                .arg(port.to_string())
                .env("SLAPD_PARENT_PID", std::process::id().to_string())
                .output()
                .unwrap();
            if out.status.success() {
                return Some(Slapd { dir, port });
            }
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        panic!("slapd did not start:\n{last_error}");
    }

    fn settings(&self) -> LdapSettings {
        settings(&format!("ldap://127.0.0.1:{}", self.port))
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn settings(url: &str) -> LdapSettings {
    LdapSettings {
        url: url.to_string(),
        starttls: false,
        bind_dn: SERVICE.into(),
        bind_password: Secret("Service@2026".into()),
        base_dn: PEOPLE.into(),
        user_filter: "(uid={login})".into(),
        key_attribute: "employeeNumber".into(),
        name_attribute: "cn".into(),
        group_attribute: "memberOf".into(),
        groups: Vec::new(),
        timeout_secs: 5,
    }
}

fn local() -> OutboundPolicy {
    OutboundPolicy::allow_loopback_for_tests()
}

/// A listener that accepts connections and never says a word; how many it accepted.
async fn silent_listener() -> (SocketAddr, tokio::sync::watch::Receiver<usize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::watch::channel(0usize);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
            let _ = tx.send(held.len());
        }
    });
    (addr, rx)
}

fn closed_port() -> u16 {
    // Bound and dropped: nothing listens there now.
    free_port()
}

// ---- refused before any conversation -------------------------------------------------------

#[tokio::test]
async fn an_empty_password_is_refused_before_any_connection() {
    let (addr, accepted) = silent_listener().await;
    let s = settings(&format!("ldap://{addr}"));
    let started = Instant::now();
    assert_eq!(
        sign_in(&s, "zhangsan", "", &local()).await,
        Err(SignInFailure::WrongPassword)
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        *accepted.borrow(),
        0,
        "no connection is made for an empty password"
    );
}

#[tokio::test]
async fn overlong_or_control_character_logins_are_refused_without_a_search() {
    let (addr, accepted) = silent_listener().await;
    let s = settings(&format!("ldap://{addr}"));
    let long = "a".repeat(257);
    for login in [
        long.as_str(),
        "zhang\nsan",
        "zhang\0san",
        "zhang\u{7f}san",
        "",
        "   ",
    ] {
        assert_eq!(
            sign_in(&s, login, PASSWORD, &local()).await,
            Err(SignInFailure::WrongPassword),
            "{login:?}"
        );
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        *accepted.borrow(),
        0,
        "no connection is made for a refused login"
    );
}

#[tokio::test]
async fn incomplete_settings_are_not_configured() {
    let mut s = settings("ldap://127.0.0.1:9");
    s.user_filter = "(uid=zhangsan)".into();
    assert_eq!(
        sign_in(&s, "lisi", PASSWORD, &local()).await,
        Err(SignInFailure::NotConfigured),
        "a filter without {{login}} would sign everyone in as one user"
    );
    let mut s = settings("");
    s.url.clear();
    assert_eq!(
        sign_in(&s, "lisi", PASSWORD, &local()).await,
        Err(SignInFailure::NotConfigured)
    );
    let s = settings("http://127.0.0.1:9");
    let (failure, detail) = test_connection(&s, &local(), Lang::Zh).await.unwrap_err();
    assert_eq!(failure, SignInFailure::NotConfigured);
    assert!(detail.contains("LDAP 地址无效"), "{detail}");
}

#[tokio::test]
async fn plain_ldap_goes_to_this_machine_only() {
    // A name the policy resolves to an intranet address, which the directories' policy permits:
    // still no plain LDAP to it, and no connection is tried.
    let policy = OutboundPolicy::default()
        .for_directories()
        .route_for_tests("ldap.example.edu.cn", "10.1.2.3:389".parse().unwrap());
    let s = settings("ldap://ldap.example.edu.cn:389");
    let started = Instant::now();
    assert_eq!(
        sign_in(&s, "zhangsan", PASSWORD, &policy).await,
        Err(SignInFailure::NotConfigured)
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    let (_, detail) = test_connection(&s, &policy, Lang::Zh).await.unwrap_err();
    assert!(detail.contains("明文 ldap:// 只允许连接本机"), "{detail}");
}

// ---- servers that are down, hanging or forbidden -------------------------------------------

#[tokio::test]
async fn a_closed_port_is_unreachable_and_said_so() {
    let port = closed_port();
    let s = settings(&format!("ldap://127.0.0.1:{port}"));
    assert_eq!(
        sign_in(&s, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Unreachable)
    );
    let (failure, detail) = test_connection(&s, &local(), Lang::Zh).await.unwrap_err();
    assert_eq!(failure, SignInFailure::Unreachable);
    assert_eq!(detail, format!("连接 127.0.0.1:{port} 被拒绝"));
    let (_, detail) = test_connection(&s, &local(), Lang::En).await.unwrap_err();
    assert_eq!(
        detail,
        format!("the connection to 127.0.0.1:{port} was refused")
    );
}

#[tokio::test]
async fn a_hanging_server_is_unreachable_within_the_time_limit() {
    let (addr, accepted) = silent_listener().await;
    let mut s = settings(&format!("ldap://{addr}"));
    s.timeout_secs = 1;
    let started = Instant::now();
    assert_eq!(
        sign_in(&s, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Unreachable)
    );
    let took = started.elapsed();
    assert!(*accepted.borrow() >= 1, "the connection was made");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_millis(1800), "{took:?}");

    let started = Instant::now();
    let (failure, detail) = test_connection(&s, &local(), Lang::Zh).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1800));
    assert_eq!(failure, SignInFailure::Unreachable);
    assert_eq!(detail, "服务账号绑定超时：1 秒内没有应答");

    // With ldaps the wait is in the TLS handshake, and it is just as bounded.
    s.url = format!("ldaps://{addr}");
    let started = Instant::now();
    let (failure, detail) = test_connection(&s, &local(), Lang::En).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1800));
    assert_eq!(failure, SignInFailure::Unreachable);
    assert_eq!(detail, "the TLS handshake timed out: no answer within 1 s");
}

#[tokio::test]
async fn the_default_policy_refuses_loopback() {
    let (addr, accepted) = silent_listener().await;
    let s = settings(&format!("ldap://{addr}"));
    assert_eq!(
        sign_in(&s, "zhangsan", PASSWORD, &OutboundPolicy::default()).await,
        Err(SignInFailure::Unreachable)
    );
    // A name resolving to loopback is refused alike, and so under the directories' policy.
    let routed = settings(&format!("ldap://ldap.example.edu.cn:{}", addr.port()));
    let policy = OutboundPolicy::default()
        .for_directories()
        .route_for_tests("ldap.example.edu.cn", addr);
    assert_eq!(
        sign_in(&routed, "zhangsan", PASSWORD, &policy).await,
        Err(SignInFailure::Unreachable)
    );
    let (failure, detail) = test_connection(&routed, &policy, Lang::Zh)
        .await
        .unwrap_err();
    assert_eq!(failure, SignInFailure::Unreachable);
    assert_eq!(
        detail,
        "ldap.example.edu.cn 的地址属于本机（回环）地址段，出站策略不允许连接"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        *accepted.borrow(),
        0,
        "a refused address is never connected to"
    );
}

// ---- against slapd --------------------------------------------------------------------------

#[tokio::test]
async fn a_user_signs_in_with_key_name_and_groups() {
    let Some(slapd) = Slapd::start() else { return };
    let s = slapd.settings();
    assert_eq!(
        sign_in(&s, "lisi", PASSWORD, &local()).await,
        Ok(Bound {
            dn: format!("uid=lisi,{PEOPLE}"),
            key: Some("T10002".into()),
            name: Some("李四".into()),
            groups: vec![PARTY_OFFICE.into()],
        })
    );
    // The name typed is trimmed; a person in no group has none.
    assert_eq!(
        sign_in(&s, " zhangsan ", PASSWORD, &local()).await,
        Ok(Bound {
            dn: format!("uid=zhangsan,{PEOPLE}"),
            key: Some("T10001".into()),
            name: Some("张三".into()),
            groups: Vec::new(),
        })
    );
    // A person without the key attribute signs in; the key is absent.
    let nobody = sign_in(&s, "nobody", PASSWORD, &local()).await.unwrap();
    assert_eq!(nobody.key, None);
    assert_eq!(nobody.name.as_deref(), Some("无名"));
}

#[tokio::test]
async fn the_user_binds_as_the_entry_the_search_found() {
    let Some(slapd) = Slapd::start() else { return };
    let mut s = slapd.settings();
    // Signing in with the staff number; attribute names match without regard to case.
    s.user_filter = "(&(objectClass=inetOrgPerson)(employeeNumber={login}))".into();
    s.key_attribute = "employeenumber".into();
    s.name_attribute = "CN".into();
    let bound = sign_in(&s, "T10001", PASSWORD, &local()).await.unwrap();
    assert_eq!(bound.dn, format!("uid=zhangsan,{PEOPLE}"));
    assert_eq!(bound.key.as_deref(), Some("T10001"));
    assert_eq!(bound.name.as_deref(), Some("张三"));
    // The host may be a name: localhost resolves (perhaps to ::1 first, where nothing listens).
    s.url = format!("ldap://localhost:{}", slapd.port);
    assert!(sign_in(&s, "T10001", PASSWORD, &local()).await.is_ok());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_answer_alike() {
    let Some(slapd) = Slapd::start() else { return };
    let s = slapd.settings();
    let wrong = sign_in(&s, "zhangsan", "not-the-password", &local()).await;
    let unknown = sign_in(&s, "wangwu", PASSWORD, &local()).await;
    assert_eq!(wrong, Err(SignInFailure::WrongPassword));
    assert_eq!(unknown, wrong);
    // The service account's password is no user's.
    assert_eq!(
        sign_in(&s, "zhangsan", "Service@2026", &local()).await,
        Err(SignInFailure::WrongPassword)
    );
    assert_eq!(
        sign_in(&s, "zhangsan", "", &local()).await,
        Err(SignInFailure::WrongPassword)
    );
}

#[tokio::test]
async fn the_login_cannot_change_the_filter() {
    let Some(slapd) = Slapd::start() else { return };
    let s = slapd.settings();
    // Unescaped, `zhang*` would find zhangsan alone and sign in with his password.
    for login in [
        "zhang*",
        "*",
        "*)(uid=*",
        "zhangsan)(uid=*",
        "zhangsan)",
        "zhang\\san",
    ] {
        assert_eq!(
            sign_in(&s, login, PASSWORD, &local()).await,
            Err(SignInFailure::WrongPassword),
            "{login}"
        );
    }
    let mut wide = slapd.settings();
    wide.user_filter = "(|(uid={login})(mail={login}))".into();
    assert_eq!(
        sign_in(&wide, "*", PASSWORD, &local()).await,
        Err(SignInFailure::WrongPassword)
    );
    assert!(
        sign_in(&wide, "lisi@example.edu.cn", PASSWORD, &local())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_ambiguous_login_is_refused() {
    let Some(slapd) = Slapd::start() else { return };
    let mut s = slapd.settings();
    s.user_filter = "(cn={login})".into();
    // twin1 and twin2 are both 王伟, with the same password: neither signs in by the name.
    assert_eq!(
        sign_in(&s, "王伟", PASSWORD, &local()).await,
        Err(SignInFailure::WrongPassword)
    );
    // A name held once still works through the same filter.
    assert_eq!(
        sign_in(&s, "李四", PASSWORD, &local())
            .await
            .unwrap()
            .key
            .as_deref(),
        Some("T10002")
    );
}

#[tokio::test]
async fn the_connection_test_says_what_worked_and_what_failed() {
    let Some(slapd) = Slapd::start() else { return };
    let s = slapd.settings();
    let port = slapd.port;
    assert_eq!(
        test_connection(&s, &local(), Lang::Zh).await,
        Ok(format!(
            "已连接 127.0.0.1:{port}（明文，仅限本机），服务账号 {SERVICE} 绑定成功，可以读取基准 DN {PEOPLE}。"
        ))
    );
    assert_eq!(
        test_connection(&s, &local(), Lang::En).await,
        Ok(format!(
            "Connected to 127.0.0.1:{port} (plain, this machine only); the service account {SERVICE} bound, and the base DN {PEOPLE} can be read."
        ))
    );

    let mut wrong = slapd.settings();
    wrong.bind_password = Secret("wrong".into());
    assert_eq!(
        sign_in(&wrong, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Protocol)
    );
    let (failure, detail) = test_connection(&wrong, &local(), Lang::Zh)
        .await
        .unwrap_err();
    assert_eq!(failure, SignInFailure::Protocol);
    assert_eq!(detail, "服务账号绑定失败 (invalidCredentials)");
    let (_, detail) = test_connection(&wrong, &local(), Lang::En)
        .await
        .unwrap_err();
    assert_eq!(
        detail,
        "the service account's bind failed (invalidCredentials)"
    );

    let mut nowhere = slapd.settings();
    nowhere.base_dn = format!("ou=nowhere,{BASE}");
    let (failure, detail) = test_connection(&nowhere, &local(), Lang::Zh)
        .await
        .unwrap_err();
    assert_eq!(failure, SignInFailure::Protocol);
    assert!(
        detail.starts_with("基准 DN 不存在 (noSuchObject)"),
        "{detail}"
    );
    assert_eq!(
        sign_in(&nowhere, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Protocol)
    );

    // The default policy refuses this machine, whatever answers there.
    let (failure, detail) = test_connection(&s, &OutboundPolicy::default(), Lang::En)
        .await
        .unwrap_err();
    assert_eq!(failure, SignInFailure::Unreachable);
    assert_eq!(
        detail,
        "127.0.0.1 is a loopback address, which the outbound policy does not allow"
    );
}

#[tokio::test]
async fn tls_that_does_not_happen_is_unreachable() {
    let Some(slapd) = Slapd::start() else { return };
    // ldaps:// to a server speaking plain LDAP: the handshake fails.
    let mut ldaps = slapd.settings();
    ldaps.url = format!("ldaps://127.0.0.1:{}", slapd.port);
    assert_eq!(
        sign_in(&ldaps, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Unreachable)
    );
    let (_, detail) = test_connection(&ldaps, &local(), Lang::Zh)
        .await
        .unwrap_err();
    assert!(detail.contains("TLS"), "{detail}");
    // StartTLS to a server without a certificate: refused, never carried on in clear.
    let mut starttls = slapd.settings();
    starttls.starttls = true;
    assert_eq!(
        sign_in(&starttls, "zhangsan", PASSWORD, &local()).await,
        Err(SignInFailure::Unreachable)
    );
    let (_, detail) = test_connection(&starttls, &local(), Lang::Zh)
        .await
        .unwrap_err();
    assert!(detail.contains("StartTLS"), "{detail}");
}
