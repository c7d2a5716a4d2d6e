//! The harness of the process-level stories (crash.rs, instances.rs): the real `zeren` binary
//! run as a command or as a server on 127.0.0.1, killed with SIGKILL on purpose or on drop.

#![allow(dead_code)] // Each test binary uses part of it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zeren_storage::Db;

/// The day the demo is loaded on.
pub const DEMO_DAY: &str = "2026-11-28";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Zeren@2026";

/// What a finished command said.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `zeren ARGS` on the data dir and database `url`.
pub fn zeren(data_dir: &Path, url: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_zeren"))
        .args(args)
        .env("ZEREN_DATA_DIR", data_dir)
        .env("DATABASE_URL", url)
        .env("ZEREN_LANG", "en")
        .env_remove("ZEREN_KEY")
        .env_remove("ZEREN_ARCHIVE_KEY")
        .output()
        .expect("run zeren");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// `zeren demo --clock DEMO_DAY`, which must succeed.
pub fn demo(data_dir: &Path, url: &str) {
    let r = zeren(data_dir, url, &["demo", "--clock", DEMO_DAY]);
    assert_eq!(r.code, 0, "zeren demo: {}{}", r.stdout, r.stderr);
}

/// An API token of `user`, from `zeren user token create` (the token is its last line).
pub fn token(data_dir: &Path, url: &str, user: &str) -> String {
    let r = zeren(data_dir, url, &["user", "token", "create", user]);
    assert_eq!(r.code, 0, "token of {user}: {}", r.stderr);
    r.stdout
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}

/// `zeren audit verify`, which must exit 0.
pub fn audit_verify(data_dir: &Path, url: &str, when: &str) {
    let r = zeren(data_dir, url, &["audit", "verify"]);
    assert_eq!(r.code, 0, "audit verify {when}: {}{}", r.stdout, r.stderr);
}

/// A fresh data dir.
pub fn tmpdir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zeren-{what}-{}", zeren_storage::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `zeren serve`; SIGKILLed on drop, so a failing test leaves no process behind.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Where its standard error goes.
    pub log: PathBuf,
    /// Its process id.
    pub pid: u32,
    /// What the test calls it.
    pub name: String,
}

impl Server {
    /// Starts `zeren serve --addr 127.0.0.1:0 --clock DAY` and reads the address it bound from
    /// its first lines (so no port is guessed and lost to a race). Not yet ready: see
    /// [`Server::ready`].
    pub fn start(data_dir: &Path, url: &str, day: &str, name: &str) -> Server {
        let log = data_dir.join(format!("{name}.log"));
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_zeren"))
            .args(["serve", "--addr", "127.0.0.1:0", "--clock", day])
            .env("ZEREN_DATA_DIR", data_dir)
            .env("DATABASE_URL", url)
            .env("ZEREN_LANG", "en")
            .env("ZEREN_LOG", "warn,zeren=info,zeren_web=info")
            .env_remove("ZEREN_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start zeren serve");
        let pid = child.id();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the banner, then keeps draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("running at http://").nth(1) {
                    let _ = tx.send(rest.trim_end_matches('/').to_string());
                }
            }
        });
        let mut server = Server {
            child: Some(child),
            base: String::new(),
            log,
            pid,
            name: name.to_string(),
        };
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => server.base = format!("http://{addr}"),
            Err(_) => panic!("zeren serve ({name}) did not start: {}", server.log_tail()),
        }
        server
    }

    /// Waits until `GET /api/v1/health` answers 200 (polling; bounded).
    pub async fn ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = http.get(self.url("/api/v1/health")).send().await
                && r.status() == 200
            {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("zeren serve exited ({status}): {}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "{} never became ready: {}",
                self.base,
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL (what `Child::kill` sends on unix), then reaps the process.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The end of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A plain client (no cookie store, no redirects followed, bounded waits).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `GET path` on `server` as the holder of `token`: the status and the body as JSON (a string
/// when it is not JSON).
pub async fn get_json(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
    path: &str,
) -> (u16, serde_json::Value) {
    let resp = client
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, body)
}

/// The first column of a query, as strings (cast anything else to TEXT in the SQL).
pub async fn column(db: &Db, sql: &str) -> Vec<String> {
    zeren_storage::testing::table_names(db, sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A count (the query casts it to TEXT).
pub async fn count(db: &Db, sql: &str) -> i64 {
    column(db, sql).await[0].parse().unwrap()
}

/// A small seeded generator (SplitMix64): the kill moments of a run can be replayed from the
/// seed it prints.
pub struct Rng(u64);

impl Rng {
    /// From `ZEREN_TEST_SEED` when set (a replay), else a fresh seed; returns it too.
    pub fn from_env_or_fresh() -> (Rng, u64) {
        let seed = std::env::var("ZEREN_TEST_SEED")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| {
                use std::hash::{BuildHasher, Hasher};
                // RandomState is seeded from the OS per process: a fresh seed each run.
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u32(std::process::id());
                h.finish() % 1_000_000_000
            });
        (Rng(seed), seed)
    }

    /// The generator of a known seed.
    pub fn from_seed(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// The note every PostgreSQL-only story prints when `ZEREN_TEST_POSTGRES` is unset.
pub fn postgres_skipped() {
    eprintln!(
        "note: PostgreSQL stories skipped (set {}=postgres://… to run them)",
        zeren_storage::testing::PG_ENV
    );
}
