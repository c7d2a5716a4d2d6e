//! The test harness: the real application on a free port over a fresh database with the demo
//! loaded, a clock the test moves, and clients that sign in as a user would.

#![allow(dead_code)]

pub mod matrix;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use reqwest::redirect::Policy;
use std::sync::{Arc, Mutex};
use zeren_core::clock::{Clock, noon_in_shanghai};
use zeren_storage::testing::{self, TestDb};
use zeren_storage::{Actor, Db, demo};
use zeren_web::{AppState, serve_until};

/// The demo's "today".
pub const TODAY: &str = "2026-11-28";
/// The demo accounts' password.
pub const PASSWORD: &str = demo::DEMO_PASSWORD;

/// A clock the test moves.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
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
        Self::start(testing::sqlite().await.unwrap(), ttl).await
    }

    /// The demo on a given test database.
    pub async fn demo_on(t: TestDb) -> TestApp {
        Self::start(t, std::time::Duration::ZERO).await
    }

    async fn start(t: TestDb, ttl: std::time::Duration) -> TestApp {
        let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
        demo::load(&t.db, today).await.unwrap();
        let clock = TestClock(Arc::new(Mutex::new(noon_in_shanghai(today))));
        let mut state = AppState::new(t.db.clone(), Arc::new(clock.clone()));
        state.trusted_proxies = Arc::new(["127.0.0.1".parse().unwrap()]);
        state.recent = Arc::new(zeren_web::recent::RecentReads::new(ttl));
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
            db: t.db.clone(),
            clock,
            label: t.label,
            test_db: Some(t),
            stop: Some(stop),
            server: Some(server),
        }
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

    /// Stops the server and removes the database.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(t) = self.test_db.take() {
            t.finish().await;
        }
    }
}

/// A signed-in browser-like client.
pub struct Session {
    /// The client with the session cookie.
    pub client: reqwest::Client,
    /// The session's CSRF token.
    pub csrf: String,
}

/// The value of a hidden input in a form.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
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
