//! The test harness: the real application on a free port over a fresh database (the demo
//! loaded, or a bare ledger), a clock the test moves, clients that sign in as a user would, and
//! the request and assertion helpers every area's stories share.

pub mod matrix;
mod requests;

pub use requests::*;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use reqwest::redirect::Policy;
use std::sync::{Arc, Mutex, Once};
use zeren_core::access::Role;
use zeren_core::clock::{Clock, noon_in_shanghai};
use zeren_core::vocab::OrgKind;
use zeren_storage::testing::{self, TestDb};
use zeren_storage::{Actor, Db, NewOrg, NewUser, demo, ledger};

// Everything the tests take from the web crate is named here and only here: when a path in
// `zeren_web` moves, this is the one place to follow it.
pub use zeren_web::jobs::reminders::{SMTP_SETTING, SmtpSettings, SmtpTls, planner, sender};
pub use zeren_web::jobs::sync::Syncer;
pub use zeren_web::shared::recent::RecentReads;
pub use zeren_web::shared::routes::Kind;
pub use zeren_web::{AppState, route_table, serve_until};

/// The demo's "today".
pub const TODAY: &str = "2026-11-28";
/// The demo accounts' password.
pub const PASSWORD: &str = demo::DEMO_PASSWORD;
/// The one account of a bare ledger ([`TestApp::bare`]): a supervisor over the university, so
/// it reads everything; ask [`TestApp::token`] for its API token.
pub const READER: &str = "reader";

/// A date written `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A clock the test moves; clones share the time (several instances can run on one clock).
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    /// Noon in Shanghai on `day` (`YYYY-MM-DD`).
    pub fn at(day: &str) -> TestClock {
        TestClock(Arc::new(Mutex::new(noon_in_shanghai(date(day)))))
    }

    /// Moves the clock to noon in Shanghai on `day`.
    pub fn set_day(&self, day: &str) {
        *self.0.lock().unwrap() = noon_in_shanghai(date(day));
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap();
        *t += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// An application state over `db` and `clock` with nothing served: for driving the background
/// jobs (planner, sender, syncer) directly, as one instance of `zeren serve` would.
pub fn state(db: &Db, clock: &TestClock) -> AppState {
    AppState::new(db.clone(), Arc::new(clock.clone()))
        .with_outbound(zeren_core::reminders::robots::OutboundPolicy::allow_loopback_for_tests())
}

/// Loads the demo into `db`, dated [`TODAY`].
pub async fn load_demo(db: &Db) {
    demo::load(db, date(TODAY)).await.unwrap();
}

/// Installs the process's default TLS provider, once. The clients here speak plain HTTP, but
/// rustls is built without a default provider; every app the harness starts installs it
/// first, so no story depends on whether another story in this process ran before it.
fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// What a test app starts with.
enum Setup {
    /// The demo, on [`TODAY`].
    Demo,
    /// A fresh ledger with only the university `cqu` and the [`READER`] account.
    Bare,
    /// A new installation as `zeren init` leaves it without `--org-code`: no org at all, the
    /// security administrator `secadmin` (password [`PASSWORD`], already changed).
    Empty,
}

/// A running application.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database.
    pub db: Db,
    /// The clock.
    pub clock: TestClock,
    /// Engine label.
    pub label: &'static str,
    test_db: Option<TestDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// The demo on SQLite.
    pub async fn demo() -> TestApp {
        Self::demo_on(testing::sqlite().await.unwrap()).await
    }

    /// The demo on every engine configured (SQLite; PostgreSQL with `ZEREN_TEST_POSTGRES`).
    pub async fn demo_on_engines() -> Vec<TestApp> {
        let mut out = Vec::new();
        for t in testing::engines().await {
            out.push(Self::demo_on(t).await);
        }
        out
    }

    /// The demo on SQLite, with credentials cached for `ttl` as `zeren serve` does.
    pub async fn demo_cached(ttl: std::time::Duration) -> TestApp {
        Self::start(testing::sqlite().await.unwrap(), Setup::Demo, ttl).await
    }

    /// The demo on a given test database.
    pub async fn demo_on(t: TestDb) -> TestApp {
        Self::start(t, Setup::Demo, std::time::Duration::ZERO).await
    }

    /// A bare ledger on SQLite: initialised, with the university and the [`READER`] only, at
    /// noon on 2026-06-30 in Shanghai.
    pub async fn bare() -> TestApp {
        Self::bare_on(testing::sqlite().await.unwrap()).await
    }

    /// A bare ledger on every engine configured.
    pub async fn bare_on_engines() -> Vec<TestApp> {
        let mut out = Vec::new();
        for t in testing::engines().await {
            out.push(Self::bare_on(t).await);
        }
        out
    }

    /// A new installation with no org (see [`Setup::Empty`]), on SQLite, at noon on 2026-06-30.
    pub async fn empty() -> TestApp {
        Self::start(
            testing::sqlite().await.unwrap(),
            Setup::Empty,
            std::time::Duration::ZERO,
        )
        .await
    }

    /// A bare ledger on a given test database.
    pub async fn bare_on(t: TestDb) -> TestApp {
        Self::start(t, Setup::Bare, std::time::Duration::ZERO).await
    }

    async fn start(t: TestDb, setup: Setup, ttl: std::time::Duration) -> TestApp {
        install_crypto();
        let clock = match setup {
            Setup::Demo => {
                load_demo(&t.db).await;
                TestClock::at(TODAY)
            }
            Setup::Bare => {
                let clock = TestClock::at("2026-06-30");
                load_bare(&t.db, clock.now()).await;
                clock
            }
            Setup::Empty => {
                let clock = TestClock::at("2026-06-30");
                load_empty(&t.db, clock.now()).await;
                clock
            }
        };
        let mut app = Self::serve(&t.db, clock, t.label, ttl).await;
        app.test_db = Some(t);
        app
    }

    /// Serves `db` on a free loopback port, reads kept for `ttl`.
    async fn serve(
        db: &Db,
        clock: TestClock,
        label: &'static str,
        ttl: std::time::Duration,
    ) -> TestApp {
        let mut state = state(db, &clock);
        state.trusted_proxies = Arc::new(["127.0.0.1".parse().unwrap()]);
        state.recent = Arc::new(RecentReads::new(ttl));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            serve_until(state, listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        TestApp {
            base,
            db: db.clone(),
            clock,
            label,
            test_db: None,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// A second instance over this app's database and clock that keeps nothing between reads:
    /// every figure it answers is counted from the database as it is now. Finishing it leaves
    /// the database to this app.
    pub async fn uncached_beside(&self) -> TestApp {
        Self::serve(
            &self.db,
            self.clock.clone(),
            self.label,
            std::time::Duration::ZERO,
        )
        .await
    }

    /// A URL on the app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the form, as a browser would; returns the client and its CSRF token.
    pub async fn sign_in(&self, username: &str, password: &str) -> Session {
        let client = self.client();
        let resp = self.try_sign_in(&client, username, password).await;
        assert_eq!(
            resp.status(),
            303,
            "sign-in of {username} failed: {}",
            resp.text().await.unwrap_or_default()
        );
        self.session_of(client).await
    }

    /// Signs in an account whose second factor is on: the password, then the current code of
    /// `key` (the clock moves on half a minute first, so a code is never reused).
    pub async fn sign_in_with_code(&self, username: &str, key: &[u8]) -> Session {
        self.clock.advance(Duration::seconds(31));
        let client = self.client();
        let resp = self.try_sign_in(&client, username, PASSWORD).await;
        assert_eq!(requests::location(&resp), "/login/totp");
        let form = requests::browse(&client, self, "/login/totp").await.1;
        let csrf = hidden(&form, "csrf");
        let code = format!(
            "{:06}",
            zeren_core::totp::code_at(key, self.clock.now().timestamp())
        );
        let resp = client
            .post(self.url("/login/totp"))
            .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "second factor of {username}");
        self.session_of(client).await
    }

    /// The session of a signed-in client, with its CSRF token (as `/api/v1/me` tells it).
    async fn session_of(&self, client: reqwest::Client) -> Session {
        let me: serde_json::Value = client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let csrf = me["csrf"].as_str().unwrap_or_default().to_string();
        Session { client, csrf }
    }

    /// Posts the sign-in form; returns the raw response.
    pub async fn try_sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let form = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&form, "csrf");
        client
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// An API token for a user, made directly in the database.
    pub async fn token(&self, username: &str) -> String {
        let user = self.db.user_by_username(username).await.unwrap().unwrap();
        let mut tx = self
            .db
            .begin(&Actor::cli(), self.clock.now())
            .await
            .unwrap();
        let token = tx.create_api_token(&user, "test").await.unwrap();
        tx.commit().await.unwrap();
        token
    }

    /// The id of an org by code.
    pub async fn org_id(&self, code: &str) -> String {
        self.db.find_org(code).await.unwrap().id
    }

    /// The id of a user by user name.
    pub async fn user_id(&self, username: &str) -> String {
        self.db
            .user_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// The id of the person called `name`.
    pub async fn person_id(&self, name: &str) -> String {
        let model = self.db.load_model().await.unwrap();
        model
            .people()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no person {name}"))
            .id
            .clone()
    }

    /// The id of the post of `kind` in the org `code`.
    pub async fn post_id(&self, code: &str, kind: &str) -> String {
        let model = self.db.load_model().await.unwrap();
        let org = model.find_org(code).unwrap();
        model
            .posts_of(&org.id)
            .find(|p| p.kind == kind)
            .unwrap()
            .id
            .clone()
    }

    /// The actions in the audit log, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        self.db
            .audit_page(0, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    /// How many entries the audit log holds.
    pub async fn audit_len(&self) -> usize {
        self.db.audit_page(0, 1_000_000).await.unwrap().len()
    }

    /// The application's state over this app's database and clock (see [`state`]).
    pub fn state(&self) -> AppState {
        state(&self.db, &self.clock)
    }

    /// Stops the server and removes the database.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
        if let Some(t) = self.test_db.take() {
            t.finish().await;
        }
    }
}

/// Initialises the ledger in `db` and adds the university `cqu` with the [`READER`] account, a
/// supervisor over it.
async fn load_bare(db: &Db, now: DateTime<Utc>) {
    ledger::initialise(db, now).await.unwrap();
    let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
    tx.create_org(NewOrg {
        code: "cqu".into(),
        name: "重庆大学".into(),
        kind: OrgKind::University,
        parent: None,
        established_on: None,
    })
    .await
    .unwrap();
    let user = tx
        .create_user(NewUser {
            username: READER.into(),
            display_name: "督导".into(),
            person: None,
            admin_role: None,
            password_hash: "unused".into(),
            must_change_password: false,
        })
        .await
        .unwrap();
    tx.grant(&user, Role::Supervisor, "cqu", "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn load_empty(db: &Db, now: DateTime<Utc>) {
    ledger::initialise(db, now).await.unwrap();
    let hash = zeren_storage::secrets::hash_password(PASSWORD.to_string())
        .await
        .unwrap();
    let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
    tx.create_user(NewUser {
        username: "secadmin".into(),
        display_name: "安全管理员".into(),
        person: None,
        admin_role: Some(zeren_core::access::AdminRole::Security),
        password_hash: hash,
        must_change_password: false,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// A signed-in browser-like client.
pub struct Session {
    /// The client with the session cookie.
    pub client: reqwest::Client,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A `multipart/form-data` body: the fields in order, then each file in the field `file`:
/// (content type, body).
pub fn multipart_form<K: AsRef<str>, V: AsRef<str>>(
    fields: &[(K, V)],
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----zeren-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        let (k, v) = (k.as_ref(), v.as_ref());
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
