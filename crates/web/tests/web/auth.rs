//! Sign-in as a user meets it: passwords, CSRF, lockout, idle timeout, forced password change,
//! the TOTP second factor, API tokens, and escaping of stored text.

use crate::common::{PASSWORD, TestApp, browse, get_as, hidden, location, page, send_as, submit};
use chrono::Duration;
use zeren_core::clock::Clock;
use zeren_storage::secrets::hash_password;
use zeren_storage::{Actor, NewUser};

/// An account with the password `Initial-Pass-1`, made directly in the database.
async fn add_user(app: &TestApp, username: &str, display_name: &str, must_change_password: bool) {
    let hash = hash_password("Initial-Pass-1".into()).await.unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.create_user(NewUser {
        username: username.into(),
        display_name: display_name.into(),
        person: None,
        admin_role: None,
        password_hash: hash,
        must_change_password,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn sign_in_and_out_on_every_engine() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("engine: {}", app.label);
        let client = app.client();
        // The sign-in page is Chinese by default.
        let page = browse(&client, &app, "/login").await.1;
        assert!(page.contains("登录") && page.contains("用户名"), "{page}");
        // A wrong password: 401, a clear message, nothing leaked about whether the name exists.
        let resp = app
            .try_sign_in(&client, "secretary", "wrong-Password1")
            .await;
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("用户名或密码错误"));
        let resp = app.try_sign_in(&client, "nobody", "wrong-Password1").await;
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("用户名或密码错误"));
        // The right one: to the home page, with the session cookie HttpOnly and SameSite.
        let resp = app.try_sign_in(&client, "secretary", PASSWORD).await;
        assert_eq!(resp.status(), 303);
        let set_cookie: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let session = set_cookie
            .iter()
            .find(|c| c.starts_with("zeren_session="))
            .unwrap();
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );
        let home = browse(&client, &app, "/").await.1;
        assert!(home.contains("李明华"), "{home}");
        let me: serde_json::Value = client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["roles"][0]["role"], "secretary");
        assert_eq!(me["roles"][0]["org_code"], "cqu-mse");
        // Sign out: the cookie no longer works.
        let csrf = me["csrf"].as_str().unwrap().to_string();
        let resp = client
            .post(app.url("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        assert_eq!(browse(&client, &app, "/api/v1/me").await.0, 401);
        let actions = app.audit_actions().await;
        for a in ["login.failure", "login.success", "session.end"] {
            assert!(actions.iter().any(|x| x == a), "no {a} in the audit log");
        }
        assert!(app.db.verify_audit().await.unwrap().is_ok());
        app.finish().await;
    }
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_are_refused() {
    let app = TestApp::demo().await;
    let s = app.sign_in("leader", PASSWORD).await;
    // Missing token.
    let resp = s
        .client
        .post(app.url("/account/lang"))
        .form(&[("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("表单已过期或来源不明"));
    // Wrong token.
    let resp = s
        .client
        .post(app.url("/account/lang"))
        .form(&[("csrf", "0".repeat(64).as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Nothing changed.
    assert_eq!(
        app.db
            .user_by_username("leader")
            .await
            .unwrap()
            .unwrap()
            .lang,
        None
    );
    // The right token in the form, or in the header.
    let resp = submit(&s, &app, "/account/lang", &[("lang", "en")]).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.db
            .user_by_username("leader")
            .await
            .unwrap()
            .unwrap()
            .lang
            .as_deref(),
        Some("en")
    );
    let resp = s
        .client
        .post(app.url("/account/lang"))
        .header("x-csrf-token", &s.csrf)
        .form(&[("lang", "zh-CN")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    // The sign-in form itself is protected: without the form's cookie the post is refused.
    let resp = app
        .client()
        .post(app.url("/login"))
        .form(&[
            ("csrf", "x"),
            ("username", "leader"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    app.finish().await;
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_thirty_minutes() {
    let app = TestApp::demo().await;
    let client = app.client();
    // Every failure answers alike: the same words as for a name that has no account.
    let unknown = app
        .try_sign_in(&client, "nobody", "Wrong-pass-1")
        .await
        .text()
        .await
        .unwrap();
    let words = |html: &str| {
        html.split("role=\"alert\">")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(words(&unknown), "用户名或密码错误，或账号已被暂时锁定。");
    for i in 1..=5 {
        let resp = app.try_sign_in(&client, "staff", "Wrong-pass-1").await;
        assert_eq!(resp.status(), 401, "attempt {i}");
        assert_eq!(words(&resp.text().await.unwrap()), words(&unknown));
    }
    // Locked: even the right password is refused, in the same words.
    let resp = app.try_sign_in(&client, "staff", PASSWORD).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(words(&resp.text().await.unwrap()), words(&unknown));
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a == "login.lockout")
    );
    // 29 minutes later still locked; after 30 it opens.
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.try_sign_in(&client, "staff", PASSWORD).await.status(),
        401
    );
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        app.try_sign_in(&client, "staff", PASSWORD).await.status(),
        303
    );
    // A successful sign-in resets the count.
    assert_eq!(
        app.db
            .user_by_username("staff")
            .await
            .unwrap()
            .unwrap()
            .failed_logins,
        0
    );
    app.finish().await;
}

#[tokio::test]
async fn an_idle_session_ends_after_thirty_minutes() {
    let app = TestApp::demo().await;
    let s = app.sign_in("secretary", PASSWORD).await;
    // Activity keeps it alive.
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(page(&s, &app, "/account").await.0, 200);
    }
    // 31 idle minutes end it: pages send the user to sign in again, the API says why.
    app.clock.advance(Duration::minutes(31));
    let resp = s.client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert!(
        location(&resp).starts_with("/login?expired=1"),
        "{}",
        location(&resp)
    );
    let resp = s.client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["code"], "unauthenticated",
        "the session has ended for good"
    );
    let page = app
        .client()
        .get(app.url("/login?expired=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("会话已结束"));
    app.finish().await;
}

#[tokio::test]
async fn a_new_account_must_change_its_password_first() {
    let app = TestApp::demo().await;
    add_user(&app, "newbie", "新人", true).await;
    let client = app.client();
    assert_eq!(
        app.try_sign_in(&client, "newbie", "Initial-Pass-1")
            .await
            .status(),
        303
    );
    // Every page leads to the password form; the API refuses with the reason.
    let resp = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&resp), "/account/password");
    let resp = client
        .get(app.url("/api/v1/policies"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "password_change_required");
    let form = browse(&client, &app, "/account/password").await.1;
    assert!(form.contains("首次登录请先设置新密码"));
    let csrf = hidden(&form, "csrf");
    // A weak password: the field says why, in Chinese; nothing stored.
    let resp = client
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", "Initial-Pass-1"),
            ("new", "short"),
            ("confirm", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("密码至少需要 8 个字符"));
    let resp = client
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", "Initial-Pass-1"),
            ("new", "Better-Pass-2"),
            ("confirm", "Better-Pass-3"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("两次输入的新密码不一致")
    );
    assert!(
        app.db
            .user_by_username("newbie")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    let resp = client
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", "Initial-Pass-1"),
            ("new", "Better-Pass-2"),
            ("confirm", "Better-Pass-2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(browse(&client, &app, "/").await.0, 200);
    assert!(
        !app.db
            .user_by_username("newbie")
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    app.finish().await;
}

#[tokio::test]
async fn the_second_factor_is_set_up_then_required_and_not_replayable() {
    let app = TestApp::demo().await;
    let s = app.sign_in("leader", PASSWORD).await;
    let page = page(&s, &app, "/account/totp").await.1;
    let secret = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let key = zeren_core::totp::from_base32(&secret).unwrap();
    // The same secret as a QR code to scan: an inline SVG, labelled, no script, no image file.
    let qr = page.split("id=\"totp-qr\">").nth(1).unwrap();
    assert!(
        qr.starts_with("<svg role=\"img\" aria-label=\"用身份验证器应用扫描此二维码\""),
        "{qr}"
    );
    assert!(!page.contains("<?xml"));
    let code = |app: &TestApp| {
        format!(
            "{:06}",
            zeren_core::totp::code_at(&key, app.clock.now().timestamp())
        )
    };
    // Opening the page stored nothing.
    assert!(
        app.db
            .user_by_username("leader")
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .is_none()
    );
    // A wrong code does not turn it on.
    let resp = submit(
        &s,
        &app,
        "/account/totp",
        &[("secret", secret.as_str()), ("code", "000000")],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let resp = submit(
        &s,
        &app,
        "/account/totp",
        &[("secret", secret.as_str()), ("code", code(&app).as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert!(
        app.db
            .user_by_username("leader")
            .await
            .unwrap()
            .unwrap()
            .totp_enabled
    );

    // Next sign-in: the password alone leads to the code form; nothing else opens.
    app.clock.advance(Duration::seconds(60));
    let client = app.client();
    let resp = app.try_sign_in(&client, "leader", PASSWORD).await;
    assert_eq!(location(&resp), "/login/totp");
    assert_eq!(
        location(&client.get(app.url("/account")).send().await.unwrap()),
        "/login/totp"
    );
    assert_eq!(browse(&client, &app, "/api/v1/me").await.0, 401);
    let form = browse(&client, &app, "/login/totp").await.1;
    let csrf = hidden(&form, "csrf");
    let resp = client
        .post(app.url("/login/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let good = code(&app);
    let resp = client
        .post(app.url("/login/totp"))
        .form(&[("csrf", csrf.as_str()), ("code", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(browse(&client, &app, "/account").await.0, 200);

    // The same code cannot be used again.
    let other = app.client();
    app.try_sign_in(&other, "leader", PASSWORD).await;
    let form = browse(&other, &app, "/login/totp").await.1;
    let resp = other
        .post(app.url("/login/totp"))
        .form(&[
            ("csrf", hidden(&form, "csrf").as_str()),
            ("code", good.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    app.finish().await;
}

#[tokio::test]
async fn api_tokens_act_as_their_user_until_revoked() {
    let app = TestApp::demo().await;
    let s = app.sign_in("supervisor", PASSWORD).await;
    let page = submit(&s, &app, "/account/tokens", &[("name", "报表脚本")])
        .await
        .text()
        .await
        .unwrap();
    let token = page
        .split("id=\"new-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let me: serde_json::Value = get_as(&app, &token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "supervisor");
    assert_eq!(me["roles"][0]["role"], "supervisor");
    assert!(me["csrf"].is_null(), "token clients need no CSRF token");
    // Revoked: refused.
    let id = app
        .db
        .api_tokens(me["id"].as_str().unwrap())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "报表脚本")
        .unwrap()
        .id;
    let resp = submit(&s, &app, &format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(get_as(&app, &token, "/api/v1/me").await.status(), 401);
    assert_eq!(get_as(&app, "zrn_forged", "/api/v1/me").await.status(), 401);
    app.finish().await;
}

#[tokio::test]
async fn stored_text_comes_back_escaped_and_big_bodies_are_refused() {
    let app = TestApp::demo().await;
    add_user(&app, "xss", "<script>alert(1)</script>", false).await;
    let s = app.sign_in("xss", "Initial-Pass-1").await;
    let html = page(&s, &app, "/account").await.1;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );
    // A 10 MB form body is refused with 413, before anything is parsed.
    let big = "x".repeat(10 * 1024 * 1024);
    let resp = s
        .client
        .post(app.url("/account/tokens"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={}&name={big}", s.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    app.finish().await;
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let app = TestApp::demo().await;
    // The harness trusts 127.0.0.1 as a proxy: the audit records the forwarded client.
    let client = app.client();
    let form = browse(&client, &app, "/login").await.1;
    client
        .post(app.url("/login"))
        .header("x-forwarded-for", "10.1.2.3")
        .form(&[
            ("csrf", hidden(&form, "csrf").as_str()),
            ("username", "branch"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let last = app
        .db
        .audit_page(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.action == "login.success")
        .unwrap();
    assert_eq!(last.origin, "10.1.2.3");
    app.finish().await;
}

#[tokio::test]
async fn cached_credentials_never_outlive_a_change_made_here() {
    // As `zeren serve` runs it, but with a cache that would otherwise hold for a minute.
    let app = TestApp::demo_cached(std::time::Duration::from_secs(60)).await;
    let s = app.sign_in("secretary", PASSWORD).await;
    assert_eq!(page(&s, &app, "/api/v1/me").await.0, 200);
    let resp = submit(&s, &app, "/logout", &[]).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        page(&s, &app, "/api/v1/me").await.0,
        401,
        "signed out at once"
    );

    // A handover through the API is seen by the next question at once.
    let token = app.token("secretary").await;
    let reader = app.token("supervisor").await;
    let client = reqwest::Client::new();
    let ask = |at: &'static str| {
        let (client, url, token) = (
            client.clone(),
            app.url(&format!(
                "/api/v1/responsibility?org=cqu-mse&duty=annual-dedicated-study&at={at}"
            )),
            reader.clone(),
        );
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(ask("2026-11-20").await["person"]["name"], "李明华");
    let model = app.db.load_model().await.unwrap();
    let org = model.find_org("cqu-mse").unwrap();
    let post = model
        .posts_of(&org.id)
        .find(|p| p.kind == "secretary")
        .unwrap()
        .id
        .clone();
    let successor = model
        .people()
        .find(|p| p.name == "赵敏")
        .unwrap()
        .id
        .clone();
    let resp = send_as(
        &app,
        &token,
        "POST",
        &format!("/api/v1/posts/{post}/handover"),
        Some(&serde_json::json!({"person": successor, "on": "2026-11-15"})),
    )
    .await;
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    assert_eq!(ask("2026-11-20").await["person"]["name"], "赵敏");
    // And the one who handed the post over has lost the secretary's scope at once.
    let me: serde_json::Value = get_as(&app, &token, "/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        me["roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["role"] != "secretary"),
        "{me}"
    );
    app.finish().await;
}

/// Signs in as the demo secretary through the form, asking to go on to `next`.
async fn sign_in_then(app: &TestApp, next: &str) -> reqwest::Response {
    let client = app.client();
    let form = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&form, "csrf");
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "secretary"),
            ("password", PASSWORD),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

/// After sign-in only a path of this site is followed: a `next` a browser would read as another
/// host (`/\t/evil.example` becomes `//evil.example` once the tab is dropped) goes home instead;
/// and the language links of a 404 for `//evil.example/` stay on this site.
#[tokio::test]
async fn no_redirect_or_language_link_leads_off_site() {
    let app = TestApp::demo().await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
    ] {
        let resp = sign_in_then(&app, next).await;
        assert_eq!(resp.status(), 303, "{next:?}");
        assert_eq!(location(&resp), "/", "{next:?}");
    }
    // A local `next` is still followed.
    assert_eq!(
        location(&sign_in_then(&app, "/orgs/cqu-mse").await),
        "/orgs/cqu-mse"
    );

    let resp = app
        .client()
        .get(format!("{}//evil.example/", app.url("")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let html = resp.text().await.unwrap();
    assert!(html.contains("?lang=en"), "the page has its language links");
    assert!(!html.contains("href=\"//"), "a link leads off-site: {html}");
    app.finish().await;
}
