//! `zeren platform …`: the registry of platforms (阵地) from the command line, on SQLite always
//! and on PostgreSQL when `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zeren_core::obligation::SubjectKind;
use zeren_storage::testing::{self, TestDb};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn zeren(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Run {
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

fn tmpdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-cli-platform-{}", zeren_storage::new_id()));
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

/// The version `zeren platform show --json` gives.
fn version(dir: &Path, url: Option<&str>, code: &str) -> String {
    let r = zeren(dir, url, &["platform", "show", code, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["version"].as_i64().unwrap().to_string()
}

#[tokio::test]
async fn platforms_are_kept_from_the_command_line() {
    for (label, url, pg) in engines().await {
        eprintln!("engine: {label}");
        let dir = tmpdir();
        let url = url.as_deref();
        // Days of this year (the obligations owed are this year's), none after today.
        // The binary dates its changes by the real clock (only `demo` and `serve` take --clock).
        #[allow(clippy::disallowed_methods)]
        let today = zeren_core::clock::shanghai_date(chrono::Utc::now());
        let first = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1)
            .unwrap()
            .to_string();
        let today = today.to_string();
        let ok = |args: &[&str]| {
            let r = zeren(&dir, url, args);
            assert_eq!(r.code, 0, "{args:?}: {}{}", r.stdout, r.stderr);
            r.stdout
        };
        ok(&["init", "--org-code", "xyz", "--org-name", "某大学党委"]);
        for (code, name) in [("xyz-cs", "计算机学院党委"), ("xyz-ai", "人工智能学院党委")]
        {
            ok(&[
                "org", "create", code, "--name", name, "--kind", "college", "--parent", "xyz",
            ]);
        }
        let zhou = ok(&[
            "person",
            "add",
            "周新",
            "--org",
            "xyz-cs",
            "--staff-no",
            "T2026001",
        ]);
        let zhou = zhou.trim().to_string();
        ok(&[
            "person",
            "add",
            "李华",
            "--org",
            "xyz-ai",
            "--staff-no",
            "T2026002",
        ]);

        // A planned website, its operator by staff number: it owes its registration at once.
        let out = ok(&[
            "platform",
            "add",
            "--code",
            "xyz-cs-web",
            "--name",
            "计算机学院网站",
            "--kind",
            "website",
            "--org",
            "xyz-cs",
            "--portfolio",
            "publicity",
            "--news-function",
            "--opened-on",
            &first,
            "--operator",
            "T2026001",
        ]);
        assert!(out.contains("已登记平台 xyz-cs-web"), "{out}");
        assert!(out.contains("新增待办事项"), "{out}");
        let list = ok(&["platform", "list"]);
        assert!(
            list.contains("xyz-cs-web  website  planned  xyz-cs  publicity  周新  -"),
            "{list}"
        );
        let json = ok(&["platform", "list", "--org", "xyz-ai", "--json"]);
        assert!(json.trim().is_empty(), "{json}");

        let db_url = url
            .map(str::to_string)
            .unwrap_or_else(|| format!("sqlite://{}", dir.join("zeren.db").display()));
        let db = zeren_storage::Db::connect(&db_url).await.unwrap();
        let model = db.load_model().await.unwrap();
        let web = model.find_platform("xyz-cs-web").unwrap().clone();
        assert_eq!(web.operators, vec![zhou.clone()]);
        let owed = db
            .obligations_about(SubjectKind::Platform, &web.id)
            .await
            .unwrap();
        let registration: Vec<_> = owed
            .iter()
            .filter(|o| o.duty == "platform-registration")
            .collect();
        assert_eq!(registration.len(), 1, "{owed:?}");
        assert_eq!(registration[0].state, "open");

        // Refused, each problem with its option, and nothing stored: an operator of another
        // college; a wrong kind.
        let r = zeren(
            &dir,
            url,
            &[
                "platform",
                "add",
                "--code",
                "xyz-cs-wechat",
                "--name",
                "计算机学院公众号",
                "--kind",
                "wechat",
                "--org",
                "xyz-cs",
                "--operator",
                "T2026002",
            ],
        );
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("(--operator)"), "{}", r.stderr);
        assert!(r.stderr.contains("(--kind)"), "{}", r.stderr);
        assert!(
            db.load_model()
                .await
                .unwrap()
                .find_platform("xyz-cs-wechat")
                .is_none()
        );

        // A bad ICP number is refused, naming it; nothing changes.
        let v = version(&dir, url, "xyz-cs-web");
        let r = zeren(
            &dir,
            url,
            &[
                "platform",
                "register",
                "xyz-cs-web",
                "--icp",
                "ICP12345",
                "--version",
                &v,
            ],
        );
        assert_ne!(r.code, 0);
        assert!(
            r.stderr.contains("ICP 备案号「ICP12345」格式不正确"),
            "{}",
            r.stderr
        );
        assert_eq!(version(&dir, url, "xyz-cs-web"), v);

        // Registered, stepped: the registration duty is done.
        let out = ok(&[
            "platform",
            "register",
            "xyz-cs-web",
            "--icp",
            "渝ICP备05003022号-3",
            "--version",
            &v,
        ]);
        assert!(out.contains("渝ICP备05003022号-3"), "{out}");
        let v = version(&dir, url, "xyz-cs-web");
        let out = ok(&[
            "platform",
            "step",
            "xyz-cs-web",
            "--to",
            "registered",
            "--on",
            &first,
            "--reason",
            "已完成 ICP 备案",
            "--version",
            &v,
        ]);
        assert!(out.contains("已备案"), "{out}");
        let owed = db
            .obligations_about(SubjectKind::Platform, &web.id)
            .await
            .unwrap();
        let done = owed
            .iter()
            .find(|o| o.duty == "platform-registration")
            .unwrap();
        assert_eq!(done.state, "done", "{done:?}");

        // A step that skips one is refused; so is a stale version.
        let v = version(&dir, url, "xyz-cs-web");
        let r = zeren(
            &dir,
            url,
            &[
                "platform",
                "step",
                "xyz-cs-web",
                "--to",
                "suspended",
                "--on",
                &today,
                "--reason",
                "整改",
                "--version",
                &v,
            ],
        );
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("下一步只能是"), "{}", r.stderr);
        let r = zeren(
            &dir,
            url,
            &[
                "platform",
                "edit",
                "xyz-cs-web",
                "--name",
                "计算机学院门户网站",
                "--version",
                "1",
            ],
        );
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("已被他人修改"), "{}", r.stderr);
        assert_eq!(db.platform(&web.id).await.unwrap().name, "计算机学院网站");

        // An edit from the version seen; the operators replaced.
        let out = ok(&[
            "platform",
            "edit",
            "xyz-cs-web",
            "--name",
            "计算机学院门户网站",
            "--no-operators",
            "--version",
            &v,
        ]);
        assert!(
            out.contains("已更新平台 xyz-cs-web（计算机学院门户网站）"),
            "{out}"
        );
        let p = db.platform(&web.id).await.unwrap();
        assert!(p.operators.is_empty());
        let v = version(&dir, url, "xyz-cs-web");
        ok(&[
            "platform",
            "step",
            "xyz-cs-web",
            "--to",
            "active",
            "--on",
            &today,
            "--reason",
            "正式上线",
            "--version",
            &v,
        ]);

        // Every step, with its day, reason and who.
        let show = ok(&["platform", "show", "xyz-cs-web"]);
        assert!(
            show.contains(&format!("{first}  筹建 → 已备案  已完成 ICP 备案  (cli)")),
            "{show}"
        );
        assert!(
            show.contains(&format!("{today}  已备案 → 运行  正式上线  (cli)")),
            "{show}"
        );
        assert!(show.contains("渝ICP备05003022号-3"), "{show}");

        // An active account entered late, with its registration given: nothing owed to register.
        ok(&[
            "platform",
            "add",
            "--code",
            "xyz-ai-wechat",
            "--name",
            "人工智能学院公众号",
            "--kind",
            "wechat-official",
            "--org",
            "xyz-ai",
            "--state",
            "active",
            "--opened-on",
            "2024-03-01",
            "--operator",
            "T2026002",
        ]);
        let list = ok(&["platform", "list", "--org", "xyz-ai"]);
        assert!(
            list.contains("xyz-ai-wechat  wechat-official  active  xyz-ai  -  李华  -"),
            "{list}"
        );

        // A kind the loaded pack declares is taken and shown by the pack's name.
        ok(&[
            "platform",
            "add",
            "--code",
            "xyz-ai-xhs",
            "--name",
            "人工智能学院小红书号",
            "--kind",
            "xiaohongshu",
            "--org",
            "xyz-ai",
        ]);
        let show = ok(&["platform", "show", "xyz-ai-xhs"]);
        assert!(show.contains("小红书号"), "{show}");

        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(pg) = pg {
            pg.finish().await;
        }
    }
}

#[test]
fn platform_commands_have_help_with_examples() {
    let dir = tmpdir();
    for sub in ["list", "add", "edit", "step", "register", "show"] {
        let r = zeren(&dir, None, &["platform", sub, "--help"]);
        assert_eq!(r.code, 0, "{sub}");
        assert!(r.stdout.contains("Examples:"), "{sub}: {}", r.stdout);
    }
    let _ = std::fs::remove_dir_all(dir);
}
