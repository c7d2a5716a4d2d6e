//! The `zeren` command line as a new user meets it: on SQLite always, and on PostgreSQL when
//! `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zeren_storage::testing::{self, TestDb};

const DEMO_DAY: &str = "2026-11-28";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn zeren(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Run {
    zeren_with(data_dir, url, args, &[])
}

/// [`zeren`] with more environment variables.
fn zeren_with(data_dir: &Path, url: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zeren"));
    cmd.args(args)
        .env("ZEREN_DATA_DIR", data_dir)
        .env("ZEREN_LANG", "zh-CN")
        .env_remove("DATABASE_URL")
        .env_remove("ZEREN_KEY")
        .env_remove("ZEREN_ARCHIVE_KEY");
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.envs(env.iter().copied());
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run zeren");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into(),
        stderr: String::from_utf8_lossy(&stderr).into(),
    }
}

/// Runs `zeren` with `input` on standard input.
fn zeren_stdin(data_dir: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(args)
        .env("ZEREN_DATA_DIR", data_dir)
        .env("ZEREN_LANG", "zh-CN")
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run zeren");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for zeren");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn tmpdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-cli-{}", zeren_storage::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Each engine: (label, URL or None for the default SQLite file in the data dir, cleanup).
async fn engines() -> Vec<(&'static str, Option<String>, Option<TestDb>)> {
    let mut out: Vec<(&'static str, Option<String>, Option<TestDb>)> = vec![("sqlite", None, None)];
    match testing::postgres().await {
        Some(pg) => out.push(("postgres", Some(pg.url.clone()), Some(pg))),
        None => eprintln!(
            "note: PostgreSQL stories skipped (set {}=postgres://… to run them)",
            testing::PG_ENV
        ),
    }
    out
}

#[tokio::test]
async fn who_answers_the_demo_handover_on_both_engines() {
    for (label, url, pg) in engines().await {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        let r = zeren(&dir, url, &["demo", "--clock", DEMO_DAY]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("李明华"), "{}", r.stdout);

        let before = zeren(
            &dir,
            url,
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2026-06-30",
            ],
        );
        assert_eq!(before.code, 0, "{}", before.stderr);
        assert!(before.stdout.contains("王建国"), "{}", before.stdout);
        assert!(
            before.stdout.contains("第四条第（二）项"),
            "{}",
            before.stdout
        );
        let after = zeren(
            &dir,
            url,
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2026-07-01",
            ],
        );
        assert!(after.stdout.contains("李明华"), "{}", after.stdout);
        assert!(!after.stdout.contains("王建国"), "{}", after.stdout);

        let json = zeren(
            &dir,
            url,
            &[
                "who",
                "--org",
                "cqu-mse",
                "--portfolio",
                "publicity",
                "--at",
                "2026-07-01",
                "--json",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(v["person"]["name"], "赵敏");
        assert_eq!(v["first_responsible"]["name"], "李明华");

        let platform = zeren(
            &dir,
            url,
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "platform-annual-review",
                "--platform",
                "cqu-mse-wechat",
                "--at",
                "2026-06-30",
            ],
        );
        assert!(platform.stdout.contains("赵敏"), "{}", platform.stdout);

        let verify = zeren(&dir, url, &["audit", "verify"]);
        assert_eq!(verify.code, 0, "{}", verify.stderr);
        assert!(verify.stdout.contains("审计链完整"), "{}", verify.stdout);

        let show = zeren(&dir, url, &["policy", "show", "cqu-mse-2021-6"]);
        assert_eq!(show.code, 0);
        for needle in [
            "重大材料委〔2021〕6号",
            "第一条",
            "第八条",
            "本细则自印发之日起施行",
            "art5-1",
            "art5-9",
        ] {
            assert!(show.stdout.contains(needle), "missing {needle}");
        }
        let _ = std::fs::remove_dir_all(dir);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
}

#[test]
fn who_refuses_bad_questions_clearly() {
    let dir = tmpdir();
    assert_eq!(zeren(&dir, None, &["demo", "--clock", DEMO_DAY]).code, 0);
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "who",
                "--org",
                "nope",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2026-06-30",
            ],
            "未知的组织 `nope`",
        ),
        (
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "nope",
                "--at",
                "2026-06-30",
            ],
            "未知的职责 `nope`",
        ),
        (
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2026-13-01",
            ],
            "--at 的日期 `2026-13-01` 无效",
        ),
        (
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2020-01-01",
            ],
            "没有施行中的制度",
        ),
        (
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "platform-annual-review",
                "--at",
                "2026-06-30",
            ],
            "cqu-mse-wechat",
        ),
    ];
    for (args, message) in cases {
        let r = zeren(&dir, None, args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn policy_check_lists_every_problem() {
    let dir = tmpdir();
    let pack = dir.join("broken.toml");
    std::fs::write(
        &pack,
        "format = 2\n[policy]\nid = \"x\"\nbogus = 1\n[[articles]]\nnumber = 2\ntext = \"t\"\n",
    )
    .unwrap();
    let r = zeren(&dir, None, &["policy", "check", pack.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let name = pack.display().to_string();
    for at in [":1:10:", ":2:1:", ":4:1:", ":6:10:"] {
        assert!(
            r.stdout.contains(&format!("{name}{at}")),
            "{at} in {}",
            r.stdout
        );
    }
    let ok = zeren(
        &dir,
        None,
        &[
            "policy",
            "check",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../core/packs/cqu-mse-2021-6.toml"
            ),
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(ok.stdout.trim().lines().count(), 1);
    let syntax = dir.join("syntax.toml");
    std::fs::write(&syntax, "format = 1\n[policy\n").unwrap();
    let r = zeren(&dir, None, &["policy", "check", syntax.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("{}:2:", syntax.display())),
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_database_urls_are_one_clear_line() {
    let dir = tmpdir();
    let r = zeren(&dir, Some("mysql://root@127.0.0.1/zeren"), &["init"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("unsupported database URL"),
        "{}",
        r.stderr
    );
    // Nothing listens on port 1.
    let r = zeren(
        &dir,
        Some("postgres://root:secret@127.0.0.1:1/zeren"),
        &["init"],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("cannot connect"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("secret"),
        "the password must not be printed: {}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn audit_verify_catches_a_hand_edited_row() {
    let dir = tmpdir();
    assert_eq!(zeren(&dir, None, &["demo", "--clock", DEMO_DAY]).code, 0);
    let url = format!("sqlite://{}/zeren.db", dir.display());
    let db = zeren_storage::Db::connect(&url).await.unwrap();
    testing::execute_raw(
        &db,
        "UPDATE audit_log SET after_json = '{\"name\":\"篡改\"}' WHERE seq = 7",
    )
    .await
    .unwrap();
    db.close().await;
    let r = zeren(&dir, None, &["audit", "verify"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("7"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_sqlite_backup_restores_into_postgres_identically() {
    let dir = tmpdir();
    assert_eq!(zeren(&dir, None, &["demo", "--clock", DEMO_DAY]).code, 0);
    let file = dir.join("demo.zbak");
    let r = zeren(&dir, None, &["backup", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sqlite_url = format!("sqlite://{}/zeren.db", dir.display());
    let source = zeren_storage::Db::connect(&sqlite_url).await.unwrap();
    let original = source.dump().await.unwrap();
    source.close().await;

    // Restoring over existing data needs --force.
    let r = zeren(&dir, None, &["restore", file.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);

    // A damaged archive is refused.
    let damaged = dir.join("damaged.zbak");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() - 40]).unwrap();
    let other = tmpdir();
    let key_file = dir.join("zeren.key");
    let r = zeren(
        &other,
        None,
        &[
            "restore",
            "--key-file",
            key_file.to_str().unwrap(),
            damaged.to_str().unwrap(),
        ],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("backup"), "{}", r.stderr);

    // Another installation (its own key): refused, naming the key that signed the archive and
    // how to give it; accepted with that key.
    let fingerprint =
        zeren_storage::InstallationKey::from_hex(&std::fs::read_to_string(&key_file).unwrap())
            .unwrap()
            .fingerprint();
    let r = zeren(&other, None, &["restore", file.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains(&fingerprint), "{}", r.stderr);
    assert!(r.stderr.contains("--key-file"), "{}", r.stderr);
    let r = zeren(
        &other,
        None,
        &["restore", "--key", &"ab".repeat(32), file.to_str().unwrap()],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains(&fingerprint), "{}", r.stderr);
    // The key in the environment (kept off the command line) serves as well.
    let third = tmpdir();
    let hex_key = std::fs::read_to_string(&key_file).unwrap();
    let r = zeren_with(
        &third,
        None,
        &["restore", file.to_str().unwrap()],
        &[("ZEREN_ARCHIVE_KEY", hex_key.trim())],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let _ = std::fs::remove_dir_all(third);

    let mut targets: Vec<(String, Option<TestDb>)> =
        vec![(format!("sqlite://{}/zeren.db", other.display()), None)];
    match testing::postgres().await {
        Some(pg) => targets.push((pg.url.clone(), Some(pg))),
        None => eprintln!(
            "note: PostgreSQL stories skipped (set {}=postgres://… to run them)",
            testing::PG_ENV
        ),
    }
    for (url, pg) in targets {
        let r = zeren(
            &other,
            Some(&url),
            &[
                "restore",
                "--key-file",
                key_file.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let db = zeren_storage::Db::connect(&url).await.unwrap();
        assert_eq!(db.dump().await.unwrap(), original, "restored into {url}");
        db.close().await;
        let who = zeren(
            &other,
            Some(&url),
            &[
                "who",
                "--org",
                "cqu-mse",
                "--duty",
                "annual-dedicated-study",
                "--at",
                "2026-07-01",
            ],
        );
        assert!(who.stdout.contains("李明华"), "{}", who.stdout);
        assert_eq!(zeren(&other, Some(&url), &["audit", "verify"]).code, 0);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(other);
}

#[tokio::test]
async fn restore_refuses_unsigned_and_altered_archives_and_changes_nothing() {
    use std::io::{Read, Write};
    let dir = tmpdir();
    assert_eq!(zeren(&dir, None, &["demo", "--clock", DEMO_DAY]).code, 0);
    let file = dir.join("demo.zbak");
    let r = zeren(&dir, None, &["backup", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = format!("sqlite://{}/zeren.db", dir.display());
    let db = zeren_storage::Db::connect(&url).await.unwrap();
    let before = db.dump().await.unwrap();
    db.close().await;

    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&file).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let gz = |name: &str, text: &str| {
        let path = dir.join(name);
        let mut w = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::default(),
        );
        w.write_all(text.as_bytes()).unwrap();
        w.finish().unwrap();
        path
    };
    // An administrator account added by hand, the old way: the unsigned format with its
    // SHA-256 computed again.
    let altered = text.replacen("\"secretary\"", "\"intruder\"", 1);
    assert_ne!(altered, text);
    let mut body = String::new();
    for line in altered.lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v.get("end").is_some() {
            continue;
        }
        if v.get("format").is_some() {
            v["version"] = 1.into();
        }
        body.push_str(&v.to_string());
        body.push('\n');
    }
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
    let v1 = gz(
        "v1.zbak",
        &format!(
            "{body}{}\n",
            serde_json::json!({"end": true, "sha256": sha})
        ),
    );
    let r = zeren(&dir, None, &["restore", "--force", v1.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("未签名"), "{}", r.stderr);
    // The signed format, altered without the key.
    let forged = gz("forged.zbak", &altered);
    let r = zeren(
        &dir,
        None,
        &["restore", "--force", forged.to_str().unwrap()],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("signature"), "{}", r.stderr);

    let db = zeren_storage::Db::connect(&url).await.unwrap();
    assert_eq!(db.dump().await.unwrap(), before);
    db.close().await;
    // The genuine archive still restores over it.
    let r = zeren(&dir, None, &["restore", "--force", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_command_has_help_with_examples() {
    let dir = tmpdir();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["init", "--help"],
        vec!["demo", "--help"],
        vec!["policy", "check", "--help"],
        vec!["policy", "load", "--help"],
        vec!["policy", "show", "--help"],
        vec!["who", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "passwd", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["user", "grant", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "token", "create", "--help"],
        vec!["org", "list", "--help"],
        vec!["org", "create", "--help"],
        vec!["org", "edit", "--help"],
        vec!["org", "close", "--help"],
        vec!["org", "reopen", "--help"],
        vec!["person", "add", "--help"],
        vec!["post", "list", "--help"],
        vec!["post", "create", "--help"],
        vec!["post", "appoint", "--help"],
        vec!["post", "close", "--help"],
        vec!["post", "reopen", "--help"],
    ] {
        let r = zeren(&dir, None, &args);
        assert_eq!(r.code, 0, "{args:?}");
        assert!(r.stdout.contains("Examples:"), "{args:?}: {}", r.stdout);
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `zeren serve` in the background; killed on drop.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl").args(args).output().expect("curl");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for(url: &str, insecure: bool) -> String {
    for _ in 0..100 {
        let mut args = vec!["-s", "-D", "-", url];
        if insecure {
            args.insert(0, "-k");
        }
        let out = curl(&args);
        if out.contains("200") {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{url} did not answer");
}

#[test]
fn serve_terminates_tls_with_secure_cookies() {
    let dir = tmpdir();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl")
        .status
        .success();
    assert!(ok, "openssl could not make a certificate");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_zeren"))
            .args([
                "serve",
                "--addr",
                &addr,
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ])
            .env("ZEREN_DATA_DIR", &dir)
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let health = wait_for(&format!("https://{addr}/api/v1/health"), true);
    assert!(health.contains("strict-transport-security"), "{health}");
    assert!(health.contains("\"database\":\"sqlite\""), "{health}");
    let login = curl(&[
        "-sk",
        "-D",
        "-",
        "-o",
        "/dev/null",
        &format!("https://{addr}/login"),
    ]);
    let cookie = login
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie: zeren_pre"))
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{login}"
    );
    // Plain HTTP to the TLS port is not served.
    assert!(!curl(&["-s", &format!("http://{addr}/api/v1/health")]).contains("\"ok\""));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn accounts_from_the_command_line() {
    let dir = tmpdir();
    // A weak initial administrator password is refused, and nothing is created.
    let r = zeren(&dir, None, &["init", "--admin-password", "short"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--admin-password"), "{}", r.stderr);
    let r = zeren(&dir, None, &["init", "--admin-password", "Initial-2026!"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("sysadmin")
            && r.stdout.contains("secadmin")
            && r.stdout.contains("auditor")
    );
    // Without --org-code, it says how the root org comes to be.
    assert!(
        r.stdout.contains("first org administrator") || r.stdout.contains("首位组织管理员"),
        "{}",
        r.stdout
    );
    let list = zeren(&dir, None, &["user", "list"]);
    assert_eq!(list.stdout.lines().count(), 3, "{}", list.stdout);
    // A new account gets a temporary password; a token is printed alone on the last line.
    let r = zeren(&dir, None, &["user", "add", "zhangsan", "--name", "张三"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("临时密码"));
    let r = zeren(&dir, None, &["user", "token", "create", "zhangsan"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let last = r.stdout.trim_end().lines().last().unwrap();
    assert!(last.starts_with("zrn_") && !last.contains(' '), "{last}");
    let r = zeren(&dir, None, &["user", "token", "create", "nobody"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("未知的用户 `nobody`"));
    // passwd reads the password from standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(["user", "passwd", "zhangsan"])
        .env("ZEREN_DATA_DIR", &dir)
        .env("ZEREN_LANG", "zh-CN")
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"New-Secret-2026\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = zeren(
        &dir,
        None,
        &[
            "user", "grant", "zhangsan", "--role", "pope", "--org", "cqu",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--role"));
    assert_eq!(zeren(&dir, None, &["audit", "verify"]).code, 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// 三员分立: the administrators' accounts are created, reset, disabled and enabled only on the
/// server, with `zeren user …`; the help says so, and every change is audited as `cli`.
#[tokio::test]
async fn administrators_are_managed_on_the_server() {
    let dir = tmpdir();
    let r = zeren(&dir, None, &["init", "--admin-password", "Initial-2026!"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for cmd in ["add", "passwd", "disable"] {
        let help = zeren(&dir, None, &["user", cmd, "--help"]);
        assert!(help.stdout.contains("三员分立"), "{cmd}: {}", help.stdout);
        assert!(help.stdout.contains("audit log"), "{cmd}: {}", help.stdout);
    }

    // A second auditor, with a temporary password.
    let r = zeren(
        &dir,
        None,
        &[
            "user",
            "add",
            "audit2",
            "--name",
            "审计员乙",
            "--admin",
            "audit",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("临时密码"), "{}", r.stdout);
    let r = zeren(
        &dir,
        None,
        &["user", "add", "x", "--name", "x", "--admin", "root"],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--admin"), "{}", r.stderr);
    // The system administrator's password, reset: the only way to recover it.
    let r = zeren_stdin(
        &dir,
        &["user", "passwd", "sysadmin", "--temporary"],
        "Recovered-2026!\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sysadmin"), "{}", r.stdout);
    // Disabled, then enabled again.
    let r = zeren(&dir, None, &["user", "disable", "audit2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = zeren(&dir, None, &["user", "list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("audit2\t") && l.ends_with("disabled")),
        "{}",
        list.stdout
    );
    let r = zeren(&dir, None, &["user", "enable", "audit2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = zeren(&dir, None, &["user", "disable", "nobody"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("未知的用户 `nobody`"), "{}", r.stderr);

    let db = zeren_storage::Db::connect(&format!("sqlite://{}", dir.join("zeren.db").display()))
        .await
        .unwrap();
    let audit2 = db.user_by_username("audit2").await.unwrap().unwrap();
    assert_eq!(audit2.admin_role.map(|a| a.as_str()), Some("audit"));
    assert!(!audit2.disabled);
    let sysadmin = db.user_by_username("sysadmin").await.unwrap().unwrap();
    assert!(sysadmin.must_change_password);
    let entries = db.audit_page(0, 100_000).await.unwrap();
    let by_cli = |action: &str, id: &str| {
        entries
            .iter()
            .filter(|e| {
                e.action == action && e.object_id == id && e.actor == "cli" && e.origin == "cli"
            })
            .count()
    };
    assert_eq!(by_cli("user.create", &audit2.id), 1);
    assert_eq!(by_cli("user.password", &sysadmin.id), 1);
    assert_eq!(by_cli("user.state", &audit2.id), 2);
    assert!(db.verify_audit().await.unwrap().is_ok());
    db.close().await;
    assert_eq!(zeren(&dir, None, &["audit", "verify"]).code, 0);
    let _ = std::fs::remove_dir_all(dir);
}

/// A new installation with no demo: the root org from `zeren init`, the tree from `zeren org`,
/// its rules told in the user's language with nothing stored, and `who` answering for an org
/// entered this way (no responsible post yet).
#[tokio::test]
async fn a_new_installation_enters_its_org_tree_from_the_command_line() {
    for (label, url, pg) in engines().await {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        let ok = |args: &[&str]| {
            let r = zeren(&dir, url, args);
            assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
            r.stdout
        };
        let out = ok(&[
            "init",
            "--org-code",
            "xyz",
            "--org-name",
            "某大学党委",
            "--admin-password",
            "Initial-2026!",
        ]);
        assert!(out.contains("已建立顶端组织 xyz（某大学党委）"), "{out}");
        // Again: nothing to do, the same root kept; another root is refused.
        let out = ok(&["init", "--org-code", "xyz", "--org-name", "某大学党委"]);
        assert!(!out.contains("已建立"), "{out}");
        let r = zeren(
            &dir,
            url,
            &["init", "--org-code", "abc", "--org-name", "别的大学"],
        );
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("组织树已有顶端组织“xyz”"), "{}", r.stderr);

        ok(&[
            "org",
            "create",
            "xyz-cs",
            "--name",
            "计算机学院党委",
            "--kind",
            "college",
            "--parent",
            "xyz",
        ]);
        ok(&[
            "org",
            "create",
            "xyz-ai",
            "--name",
            "人工智能学院党委",
            "--kind",
            "college",
            "--parent",
            "xyz",
        ]);
        ok(&[
            "org",
            "create",
            "xyz-cs-b1",
            "--name",
            "教工第一党支部",
            "--kind",
            "branch",
            "--parent",
            "xyz-cs",
            "--established-on",
            "2024-09-01",
        ]);
        for (args, message) in [
            (
                vec![
                    "org", "create", "xyz-cs-x", "--name", "x", "--kind", "college", "--parent",
                    "xyz-cs",
                ],
                "学院不能设在学院之下",
            ),
            (
                vec![
                    "org",
                    "create",
                    "xyz-y",
                    "--name",
                    "y",
                    "--kind",
                    "committee",
                    "--parent",
                    "xyz",
                ],
                "--kind",
            ),
            (
                vec!["org", "close", "xyz-cs", "--on", "2026-07-01"],
                "尚有 1 个下级组织未撤销",
            ),
            (
                vec!["org", "close", "xyz-cs-b1", "--on", "2024-01-01"],
                "撤销日期不能早于成立日期（2024-09-01）",
            ),
            (
                vec!["org", "edit", "xyz-cs", "--parent", "xyz-cs-b1"],
                "在本组织之内",
            ),
            (
                vec!["org", "close", "xyz-cs-b1", "--on", "2026-7-1"],
                "YYYY-MM-DD",
            ),
        ] {
            let r = zeren(&dir, url, &args);
            assert_ne!(r.code, 0, "{args:?}");
            assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        }
        ok(&[
            "org",
            "edit",
            "xyz-cs-b1",
            "--parent",
            "xyz-ai",
            "--name",
            "人工智能学院教工第一党支部",
        ]);
        ok(&["org", "close", "xyz-cs", "--on", "2026-07-01"]);
        let r = zeren_with(
            &dir,
            url,
            &["org", "reopen", "xyz-ai"],
            &[("ZEREN_LANG", "en")],
        );
        assert!(r.stderr.contains("The org is open"), "{}", r.stderr);
        let list = ok(&["org", "list"]);
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines[0], "xyz  university  某大学党委", "{list}");
        assert!(list.contains("  xyz-ai  college  人工智能学院党委\n    xyz-cs-b1  branch  人工智能学院教工第一党支部"), "{list}");
        assert!(
            list.contains("xyz-cs  college  计算机学院党委  [撤销于 2026-07-01]"),
            "{list}"
        );
        let json = ok(&["org", "list", "--json"]);
        let b1: serde_json::Value =
            serde_json::from_str(json.lines().find(|l| l.contains("xyz-cs-b1")).unwrap()).unwrap();
        assert_eq!(
            (b1["parent"].as_str(), b1["established_on"].as_str()),
            (Some("xyz-ai"), Some("2024-09-01"))
        );
        // Its people and posts: a secretary appointed, and who answers for the college.
        ok(&["person", "add", "周新", "--org", "xyz-ai"]);
        let r = zeren(
            &dir,
            url,
            &[
                "post",
                "create",
                "--org",
                "xyz-ai",
                "--kind",
                "branch-secretary",
            ],
        );
        assert!(
            r.code != 0 && r.stderr.contains("学院不设党支部书记"),
            "{}",
            r.stderr
        );
        let post = ok(&[
            "post",
            "create",
            "--org",
            "xyz-ai",
            "--kind",
            "secretary",
            "--title",
            "学院党委书记",
        ]);
        assert_eq!(post.trim().len(), 36, "the new post's id: {post}");
        let r = zeren(
            &dir,
            url,
            &[
                "post",
                "appoint",
                "xyz-ai/secretary",
                "--person",
                "周新",
                "--start",
                "2026-09-01",
                "--end",
                "2026-08-01",
            ],
        );
        assert!(r.code != 0 && r.stderr.contains("end"), "{}", r.stderr);
        let out = ok(&[
            "post",
            "appoint",
            "xyz-ai/secretary",
            "--person",
            "周新",
            "--start",
            "2026-09-01",
        ]);
        assert!(
            out.contains("已任命 周新 为学院党委书记，自 2026-09-01"),
            "{out}"
        );
        let list = ok(&["post", "list", "--org", "xyz-ai"]);
        assert!(
            list.contains(post.trim()) && list.contains("周新"),
            "{list}"
        );
        // A post closes on a day once nobody holds it after that day, and reopens.
        let r = zeren(
            &dir,
            url,
            &["post", "close", "xyz-ai/secretary", "--on", "2026-10-31"],
        );
        assert!(
            r.code != 0 && r.stderr.contains("请先结束该任职再撤销职务"),
            "{}",
            r.stderr
        );
        ok(&[
            "post",
            "create",
            "--org",
            "xyz-ai",
            "--kind",
            "vice-dean",
            "--title",
            "副院长",
        ]);
        let out = ok(&["post", "close", "xyz-ai/vice-dean", "--on", "2026-10-31"]);
        assert!(
            out.contains("已撤销职务 副院长，最后一天为 2026-10-31"),
            "{out}"
        );
        let list = ok(&["post", "list", "--org", "xyz-ai"]);
        assert!(list.contains("（2026-10-31 撤销）"), "{list}");
        let r = zeren(
            &dir,
            url,
            &[
                "post",
                "appoint",
                "xyz-ai/vice-dean",
                "--person",
                "周新",
                "--start",
                "2026-11-01",
            ],
        );
        assert!(
            r.code != 0 && r.stderr.contains("该职务已于 2026-10-31 撤销"),
            "{}",
            r.stderr
        );
        let out = ok(&["post", "reopen", "xyz-ai/vice-dean"]);
        assert!(out.contains("已恢复职务 副院长"), "{out}");
        let r = zeren(&dir, url, &["post", "reopen", "xyz-ai/vice-dean"]);
        assert!(
            r.code != 0 && r.stderr.contains("该职务未撤销"),
            "{}",
            r.stderr
        );
        let who = ok(&[
            "who",
            "--org",
            "xyz-ai",
            "--duty",
            "annual-dedicated-study",
            "--at",
            "2026-10-01",
        ]);
        assert!(who.contains("周新"), "{who}");
        assert!(ok(&["audit", "verify"]).contains("审计链完整"));
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
}

/// A new installation takes its roster from a file: the template imported after a dry run,
/// again with no change; a GB18030 CSV of next term's holdings hands the post over, and one with
/// an unknown staff number is refused at its cell with nothing written; the export imports as
/// no change.
#[tokio::test]
async fn a_new_installation_imports_its_roster_and_next_terms() {
    for (label, url, pg) in engines().await {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        let ok = |args: &[&str]| {
            let r = zeren(&dir, url, args);
            assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
            r.stdout
        };
        ok(&[
            "init",
            "--org-code",
            "xyz",
            "--org-name",
            "某大学党委",
            "--admin-password",
            "Initial-2026!",
        ]);
        let template = dir.join("template.xlsx");
        ok(&[
            "export",
            "roster",
            "--template",
            "--out",
            template.to_str().unwrap(),
        ]);
        let out = ok(&["import", "roster", template.to_str().unwrap(), "--dry-run"]);
        assert!(
            out.contains("试运行：未写入") && out.contains("任职：新增 1"),
            "{out}"
        );
        let out = ok(&[
            "who",
            "--org",
            "xyz",
            "--portfolio",
            "publicity",
            "--at",
            "2026-11-28",
        ]);
        assert!(!out.contains("张三"), "the dry run wrote nothing: {out}");
        let out = ok(&["import", "roster", template.to_str().unwrap()]);
        assert!(out.contains("已导入：写入 6 项变更"), "{out}");
        let out = ok(&["import", "roster", template.to_str().unwrap()]);
        assert!(out.contains("没有变更"), "{out}");
        let out = ok(&[
            "who",
            "--org",
            "xyz-chem",
            "--portfolio",
            "publicity",
            "--at",
            "2026-11-28",
        ]);
        assert!(out.contains("张三"), "{out}");

        // Next term: 李四 takes the deputy's post over on 2027-09-01 (a GB18030 CSV pair).
        let gb = |text: &str| encoding_rs::GB18030.encode(text).0.into_owned();
        let people = dir.join("people.csv");
        std::fs::write(
            &people,
            gb("工号,姓名,所属组织代码\n20230002,李四,xyz-chem\n"),
        )
        .unwrap();
        let holdings = dir.join("holdings.csv");
        std::fs::write(
            &holdings,
            gb("组织代码,职务名称,工号,任职开始,任职结束\nxyz-chem,党委副书记,20230009,2027-09-01,\n"),
        )
        .unwrap();
        let r = zeren(
            &dir,
            url,
            &[
                "import",
                "roster",
                people.to_str().unwrap(),
                holdings.to_str().unwrap(),
            ],
        );
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("任职!C2: 工号不存在"), "{}", r.stderr);
        assert!(r.stderr.contains("未写入任何内容"), "{}", r.stderr);
        std::fs::write(
            &holdings,
            gb("组织代码,职务名称,工号,任职开始,任职结束\nxyz-chem,党委副书记,20230002,2027-09-01,\n"),
        )
        .unwrap();
        let out = ok(&[
            "import",
            "roster",
            people.to_str().unwrap(),
            holdings.to_str().unwrap(),
        ]);
        assert!(
            out.contains("人员：新增 1") && out.contains("任职：新增 1"),
            "{out}"
        );
        // The deputy-secretary post has several holders: the new one is added, not handed over.
        let exported = dir.join("roster.xlsx");
        let out = ok(&["export", "roster", "--out", exported.to_str().unwrap()]);
        assert!(out.contains("人员 2") && out.contains("任职 2"), "{out}");
        let out = ok(&["import", "roster", exported.to_str().unwrap()]);
        assert!(out.contains("没有变更"), "{out}");
        let out = ok(&["audit", "verify"]);
        assert!(out.contains("审计链完整"), "{out}");
        drop(pg);
    }
}

/// `zeren person add|edit|leave|list`: a person with a staff number, found again by it, edited,
/// leaving on a day (their post ends that day), listed as JSON; bad fields told in Chinese.
#[test]
fn people_are_added_edited_and_leave_from_the_command_line() {
    let dir = tmpdir();
    assert_eq!(zeren(&dir, None, &["demo", "--clock", DEMO_DAY]).code, 0);
    let ok = |args: &[&str]| {
        let r = zeren(&dir, None, args);
        assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
        r.stdout
    };
    let id = ok(&[
        "person",
        "add",
        "周新",
        "--org",
        "cqu-mse",
        "--staff-no",
        "T2026001",
        "--email",
        "zhouxin@cqu.edu.cn",
        "--wecom",
        "zhouxin",
    ]);
    assert_eq!(id.trim().len(), 36, "{id}");
    // The same staff number again, or a bad one: refused, in Chinese.
    let r = zeren(
        &dir,
        None,
        &[
            "person",
            "add",
            "周二",
            "--org",
            "cqu-mse",
            "--staff-no",
            "T2026001",
        ],
    );
    assert!(
        r.code != 0 && r.stderr.contains("工号“T2026001”已被他人使用"),
        "{}",
        r.stderr
    );
    let r = zeren(
        &dir,
        None,
        &[
            "person", "add", "周二", "--org", "cqu-mse", "--email", "zhou",
        ],
    );
    assert!(
        r.code != 0 && r.stderr.contains("email: 电子邮箱格式不正确"),
        "{}",
        r.stderr
    );
    // Edited by staff number: a DingTalk id added, the WeCom id cleared.
    let out = ok(&[
        "person",
        "edit",
        "T2026001",
        "--dingtalk",
        "ding-zhou",
        "--wecom",
        "",
    ]);
    assert!(out.contains("已修改人员 周新"), "{out}");
    // A post for them, then leaving ends it.
    ok(&[
        "post",
        "appoint",
        "cqu-mse/committee-member",
        "--person",
        id.trim(),
        "--start",
        "2026-09-01",
    ]);
    let r = zeren(
        &dir,
        None,
        &["person", "leave", "周新", "--on", "2026-13-01"],
    );
    assert!(r.code != 0 && r.stderr.contains("--on"), "{}", r.stderr);
    let out = ok(&["person", "leave", "周新", "--on", "2026-11-30"]);
    assert!(
        out.contains("周新 于 2026-11-30 离职，1 项任职于当日结束"),
        "{out}"
    );
    let json = ok(&["person", "list", "--org", "cqu-mse", "--json"]);
    let me: serde_json::Value =
        serde_json::from_str(json.lines().find(|l| l.contains("T2026001")).unwrap()).unwrap();
    assert_eq!(me["id"], id.trim());
    assert_eq!(me["name"], "周新");
    assert_eq!(me["org_code"], "cqu-mse");
    assert_eq!(me["email"], "zhouxin@cqu.edu.cn");
    assert_eq!(me["wecom_id"], serde_json::Value::Null);
    assert_eq!(me["dingtalk_id"], "ding-zhou");
    assert_eq!(me["left_on"], "2026-11-30");
    // Others of the college are listed, those of another college are not.
    assert!(json.contains("王建国") && !json.contains("唐军"), "{json}");
    let list = ok(&["person", "list", "--org", "cqu-mse"]);
    assert!(
        list.contains("T2026001  周新  cqu-mse（2026-11-30 离职）"),
        "{list}"
    );
    let holdings = ok(&["post", "list", "--org", "cqu-mse"]);
    assert!(!holdings.contains("周新"), "{holdings}");
    assert!(ok(&["audit", "verify"]).contains("审计链完整"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The built-in pack as version 2 from 1 July 2026: the situation analysis monthly, Art.4(2)
/// worded 每月, cadre training answered for by the leader in charge of publicity.
fn version_2_source() -> String {
    zeren_core::policy::builtin_source_as("cqu-mse-2026-4", 2, "2026-07-01")
        .replacen(
            "cadence = \"quarterly\"                    # college's choice",
            "cadence = \"monthly\"                    # college's choice",
            1,
        )
        .replacen(
            "定期分析研判网络意识形态领域情况",
            "每月分析研判网络意识形态领域情况",
            1,
        )
        .replacen(
            "responsible = \"portfolio:organisation\"",
            "responsible = \"portfolio:publicity\"",
            1,
        )
}

#[tokio::test]
async fn policy_load_dry_run_shows_the_impact_and_stores_nothing() {
    for (label, url, pg) in engines().await {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        let r = zeren(&dir, url, &["demo", "--clock", DEMO_DAY]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        let pack = dir.join("cqu-mse-2026-4.toml");
        std::fs::write(&pack, version_2_source()).unwrap();
        let pack = pack.to_str().unwrap();
        let audit = zeren(&dir, url, &["audit", "verify"]).stdout;

        let zh = zeren(&dir, url, &["policy", "load", pack, "--dry-run"]);
        assert_eq!(zh.code, 0, "{}{}", zh.stdout, zh.stderr);
        for needle in [
            "制度 cqu-mse-2026-4（重大材料委〔2021〕6号，第 2 版，自 2026-07-01 施行）取代 cqu-mse-2021-6（第 1 版）",
            "~ 第四条第（二）项：…",
            "[-定期-]{+每月+}",
            "~ situation-analysis 网络意识形态领域情况分析研判（修改）",
            "周期：quarterly → monthly",
            "负责人：portfolio:organisation → portfolio:publicity",
            "台账影响（年度：",
            "cqu-mse 材料科学与工程学院",
            "试运行：未保存任何内容",
        ] {
            assert!(
                zh.stdout.contains(needle),
                "missing {needle} in {}",
                zh.stdout
            );
        }
        let en = zeren_with(
            &dir,
            url,
            &["policy", "load", pack, "--dry-run"],
            &[("ZEREN_LANG", "en")],
        );
        assert_eq!(en.code, 0, "{}{}", en.stdout, en.stderr);
        for needle in [
            "supersedes cqu-mse-2021-6 (version 1)",
            "~ Art.4(2): …",
            "cadence: quarterly → monthly",
            "responsible: portfolio:organisation → portfolio:publicity",
            "Ledger impact (years ",
            "dry run: nothing stored",
        ] {
            assert!(
                en.stdout.contains(needle),
                "missing {needle} in {}",
                en.stdout
            );
        }
        // Nothing stored: one version, the same audit chain.
        let list = zeren(&dir, url, &["policy", "show"]);
        assert_eq!(list.stdout.lines().count(), 1, "{}", list.stdout);
        assert_eq!(zeren(&dir, url, &["audit", "verify"]).stdout, audit);

        // A pack with problems is reported as `policy check` reports it.
        let broken = dir.join("broken.toml");
        std::fs::write(&broken, "format = 1\n[policy]\nid = \"x\"\n").unwrap();
        let bad = zeren(
            &dir,
            url,
            &["policy", "load", broken.to_str().unwrap(), "--dry-run"],
        );
        assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
        assert!(
            bad.stdout.contains(&format!("{}:", broken.display())),
            "{}",
            bad.stdout
        );
        // A version loading would refuse is refused the same way.
        let taken = zeren(
            &dir,
            url,
            &[
                "policy",
                "load",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../core/packs/cqu-mse-2021-6.toml"
                ),
                "--dry-run",
            ],
        );
        assert_ne!(taken.code, 0);
        assert!(taken.stderr.contains("cqu-mse-2021-6"), "{}", taken.stderr);

        // Loading it for real then works, and lists two versions.
        let load = zeren(&dir, url, &["policy", "load", pack]);
        assert_eq!(load.code, 0, "{}{}", load.stdout, load.stderr);
        assert_eq!(
            zeren(&dir, url, &["policy", "show"]).stdout.lines().count(),
            2
        );
        let _ = std::fs::remove_dir_all(dir);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
}
