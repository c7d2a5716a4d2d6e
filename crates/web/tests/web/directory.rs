//! Signing in through directories (issue 18), end to end against stand-ins on 127.0.0.1 that
//! speak the protocols ([`stand_ins`]): the 统一身份认证 portal (CAS 3.0 and 2.0) and an
//! OpenID Connect provider; LDAP against a real OpenLDAP in `zeren-directory`'s own tests and the
//! browser tests. Each way: the person linked by the staff number lands with the roles of their
//! posts; each failure (a bad, replayed or foreign ticket, a wrong service, an expired or forged
//! token, a portal that is down, a person not in the roster) answers with its message, opens no
//! session and leaves an audit entry; the administrators still sign in locally.

mod stand_ins;

use crate::common::{PASSWORD, TestApp, api, browse, location, session_api, submit};
use serde_json::{Value, json};
use stand_ins::{CLIENT_ID, CLIENT_SECRET, Cas, CasUser, Issue, Provider, logout_request};
use zeren_core::clock::Clock;
use zeren_core::directory::{
    CasSettings, CasVersion, DirectorySettings, LinkKey, OidcSettings, Secret,
};
use zeren_storage::Actor;

/// Saves the directory settings as the system administrator would.
async fn configure(app: &TestApp, settings: DirectorySettings) {
    let (_, version) = app.db.directory_settings().await.unwrap();
    let actor = Actor {
        name: "sysadmin".into(),
        origin: "test".into(),
    };
    let mut tx = app.db.begin(&actor, app.clock.now()).await.unwrap();
    tx.put_directory_settings(settings, version).await.unwrap();
    tx.commit().await.unwrap();
}

/// A person's staff number, as the people API gives it.
async fn staff_no(app: &TestApp, name: &str) -> String {
    let token = app.token("secretary").await;
    let id = app.person_id(name).await;
    let (status, body) = api(app, &token, "GET", &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(status, 200, "{body}");
    body["staff_no"].as_str().unwrap().to_string()
}

/// Who the client is signed in as: `/api/v1/me`, or `None` without a session.
async fn me(app: &TestApp, client: &reqwest::Client) -> Option<Value> {
    let resp = client.get(app.url("/api/v1/me")).send().await.unwrap();
    match resp.status().as_u16() {
        200 => Some(resp.json().await.unwrap()),
        401 => None,
        s => panic!("/api/v1/me answered {s}"),
    }
}

fn has_role(me: &Value, role: &str, org_code: &str) -> bool {
    me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["role"] == role && r["org_code"] == org_code)
}

fn query_of(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{url} has no {name}"))
}

/// Begins a CAS sign-in on `client`: the service address Zeren sent to the portal.
async fn cas_begin(app: &TestApp, client: &reqwest::Client, next: &str) -> String {
    let resp = client
        .get(app.url(&format!("/login/cas?next={next}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(to.contains("/cas/login?service="), "{to}");
    query_of(&to, "service")
}

/// Comes back from the portal with `ticket` for `service`: the answer.
async fn cas_return(client: &reqwest::Client, service: &str, ticket: &str) -> reqwest::Response {
    client
        .get(format!("{service}&ticket={ticket}"))
        .send()
        .await
        .unwrap()
}

fn cas_settings(app: &TestApp, cas: &Cas, version: CasVersion) -> DirectorySettings {
    DirectorySettings {
        public_url: app.base.clone(),
        cas: Some(CasSettings {
            base_url: cas.base.clone(),
            version,
            key_attribute: if version == CasVersion::V3 {
                "employeeNumber".into()
            } else {
                String::new()
            },
            label: String::new(),
        }),
        ..Default::default()
    }
}

/// The directory's refusals in the audit log: (reason, detail).
async fn refusals(app: &TestApp) -> Vec<String> {
    let entries = app
        .db
        .audit_search(
            &zeren_storage::repo::audit_query::AuditFilter {
                action_prefix: Some("login.failure".into()),
                object_type: Some("directory".into()),
                ..Default::default()
            },
            0,
            200,
        )
        .await
        .unwrap();
    entries
        .iter()
        .filter(|e| e.object_type == "directory")
        .map(|e| {
            e.after
                .as_deref()
                .and_then(|a| serde_json::from_str::<Value>(a).ok())
                .map(|a| a["reason"].as_str().unwrap_or_default().to_string())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn cas_signs_in_by_staff_number_and_refuses_every_bad_ticket_without_a_session() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("engine: {}", app.label);
        let cas = Cas::start().await;
        configure(&app, cas_settings(&app, &cas, CasVersion::V3)).await;
        let number = staff_no(&app, "李明华").await;
        let li = CasUser {
            user: "liminghua".into(),
            employee_number: Some(number.clone()),
            name: "李明华".into(),
        };

        // The sign-in page offers the portal.
        let (_, login) = browse(&app.client(), &app, "/login").await;
        assert!(login.contains("统一身份认证登录") && login.contains("href=\"/login/cas\""));

        // The story: to the portal and back, landing where the person was going.
        let client = app.client();
        let service = cas_begin(&app, &client, "/obligations").await;
        assert!(service.starts_with(&format!("{}/login/cas/return?state=", app.base)));
        let ticket = cas.issue(&service, &li);
        let resp = cas_return(&client, &service, &ticket).await;
        assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
        assert_eq!(location(&resp), "/obligations");
        let who = me(&app, &client).await.expect("signed in");
        assert_eq!(who["username"], "secretary");
        assert!(has_role(&who, "secretary", "cqu-mse"), "{who}");
        // Validated at /p3/serviceValidate with the service exactly as sent.
        let asked = cas.asked.lock().unwrap().last().cloned().unwrap();
        assert_eq!(
            asked,
            (
                "/cas/p3/serviceValidate".into(),
                service.clone(),
                ticket.clone()
            )
        );

        // A `next` that leaves the site is not followed.
        let away = app.client();
        let service = cas_begin(&app, &away, "//evil.example/x").await;
        let resp = cas_return(&away, &service, &cas.issue(&service, &li)).await;
        assert_eq!(location(&resp), "/");

        // A replayed ticket: refused before the portal is asked again.
        let other = app.client();
        let again = cas_begin(&app, &other, "/").await;
        let asked_before = cas.asked.lock().unwrap().len();
        let resp = cas_return(&other, &again, &ticket).await;
        assert_eq!(resp.status(), 401);
        let body = resp.text().await.unwrap();
        assert!(body.contains("已使用过或已过期"), "{body}");
        assert_eq!(cas.asked.lock().unwrap().len(), asked_before);
        assert!(me(&app, &other).await.is_none());

        // A ticket the portal never issued.
        let service = cas_begin(&app, &other, "/").await;
        let resp = cas_return(&other, &service, "ST-bogus-1").await;
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("INVALID_TICKET"));
        assert!(me(&app, &other).await.is_none());

        // A ticket issued for another service: the portal's exact-service rule.
        let service = cas_begin(&app, &other, "/").await;
        let foreign = cas.issue("https://elsewhere.example.edu.cn/login", &li);
        let resp = cas_return(&other, &service, &foreign).await;
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("INVALID_SERVICE"));
        assert!(me(&app, &other).await.is_none());

        // A sign-in begun in another browser (someone else's link): the binding cookie is not
        // there, nothing is validated, nobody is signed in.
        let victim = app.client();
        let attacker = app.client();
        let service = cas_begin(&app, &attacker, "/").await;
        let planted = cas.issue(&service, &li);
        let resp = cas_return(&victim, &service, &planted).await;
        assert_eq!(resp.status(), 401);
        assert!(me(&app, &victim).await.is_none());
        // …and the attacker's own sign-in is spent too.
        let resp = cas_return(&attacker, &service, &cas.issue(&service, &li)).await;
        assert_eq!(resp.status(), 401);
        assert!(me(&app, &attacker).await.is_none());

        // A person the roster does not know: named by the key and the value.
        let stranger = CasUser {
            user: "visitor".into(),
            employee_number: Some("X99999".into()),
            name: "访客".into(),
        };
        let service = cas_begin(&app, &other, "/").await;
        let resp = cas_return(&other, &service, &cas.issue(&service, &stranger)).await;
        assert_eq!(resp.status(), 403);
        let body = resp.text().await.unwrap();
        assert!(body.contains("工号为「X99999」"), "{body}");
        assert!(me(&app, &other).await.is_none());

        // The portal's attribute missing: named too.
        let bare = CasUser {
            user: "nobody".into(),
            employee_number: None,
            name: "无名".into(),
        };
        let service = cas_begin(&app, &other, "/").await;
        let resp = cas_return(&other, &service, &cas.issue(&service, &bare)).await;
        assert_eq!(resp.status(), 403);
        assert!(resp.text().await.unwrap().contains("employeeNumber"));

        // Every failure left its audit entry, with why.
        let reasons = refusals(&app).await;
        for r in ["replayed", "refused", "unknown-person", "no-key"] {
            assert!(reasons.iter().any(|x| x == r), "{r} in {reasons:?}");
        }

        // Signing out of a portal session goes on to the portal's logout, back to sign-in.
        let leaving = app.client();
        let service = cas_begin(&app, &leaving, "/").await;
        cas_return(&leaving, &service, &cas.issue(&service, &li)).await;
        let who = me(&app, &leaving).await.unwrap();
        let resp = leaving
            .post(app.url("/logout"))
            .form(&[("csrf", who["csrf"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let to = location(&resp);
        assert!(
            to.starts_with(&format!("{}/logout?service=", cas.base)),
            "{to}"
        );
        assert_eq!(query_of(&to, "service"), app.url("/login"));
        assert!(me(&app, &leaving).await.is_none());

        // The portal's single logout ends the session that ticket began, and only it.
        let bystander = app.sign_in("leader", PASSWORD).await;
        let resp = app
            .client()
            .post(app.url("/login/cas/return?state=anything"))
            .form(&[("logoutRequest", logout_request(&ticket))])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            me(&app, &client).await.is_none(),
            "the portal's logout ended it"
        );
        assert!(me(&app, &bystander.client).await.is_some());
        let resp = app
            .client()
            .post(app.url("/login/cas/return"))
            .form(&[("logoutRequest", "<x/>")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);

        // CAS 2.0: the user itself is the key.
        configure(&app, cas_settings(&app, &cas, CasVersion::V2)).await;
        let by_user = CasUser {
            user: number.clone(),
            employee_number: None,
            name: "李明华".into(),
        };
        let fresh = app.client();
        let service = cas_begin(&app, &fresh, "/").await;
        let resp = cas_return(&fresh, &service, &cas.issue(&service, &by_user)).await;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            cas.asked.lock().unwrap().last().unwrap().0,
            "/cas/serviceValidate"
        );
        assert_eq!(me(&app, &fresh).await.unwrap()["username"], "secretary");

        // The portal down: its message, no session; the administrators still sign in locally.
        let mut down = cas_settings(&app, &cas, CasVersion::V3);
        down.cas.as_mut().unwrap().base_url = "http://127.0.0.1:9/cas".into();
        configure(&app, down).await;
        let c = app.client();
        let service = cas_begin(&app, &c, "/").await;
        let resp = cas_return(&c, &service, "ST-1-abc").await;
        assert_eq!(resp.status(), 502);
        assert!(resp.text().await.unwrap().contains("暂时无法连接"));
        assert!(me(&app, &c).await.is_none());
        let admin = app.sign_in("secadmin", PASSWORD).await;
        assert_eq!(
            me(&app, &admin.client).await.unwrap()["admin_role"],
            "security"
        );
        app.finish().await;
    }
}

fn oidc_settings(app: &TestApp, p: &Provider) -> DirectorySettings {
    DirectorySettings {
        public_url: app.base.clone(),
        oidc: Some(OidcSettings {
            issuer: p.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Secret(CLIENT_SECRET.into()),
            key_claim: "preferred_username".into(),
            label: "校园账号登录".into(),
        }),
        ..Default::default()
    }
}

/// Begins an OIDC sign-in: the provider's authorization address.
async fn oidc_begin(app: &TestApp, client: &reqwest::Client) -> String {
    let resp = client
        .get(app.url("/login/oidc?next=/records"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    location(&resp)
}

#[tokio::test]
async fn oidc_signs_in_with_pkce_and_refuses_expired_and_forged_tokens() {
    for app in TestApp::demo_on_engines().await {
        eprintln!("engine: {}", app.label);
        let provider = Provider::start(app.clock.now()).await;
        configure(&app, oidc_settings(&app, &provider)).await;
        let number = staff_no(&app, "刘佳").await;
        let (_, login) = browse(&app.client(), &app, "/login").await;
        assert!(login.contains("校园账号登录"));

        let client = app.client();
        let to = oidc_begin(&app, &client).await;
        assert!(
            to.starts_with(&format!("{}/authorize?", provider.issuer)),
            "{to}"
        );
        assert_eq!(
            query_of(&to, "redirect_uri"),
            format!("{}/login/oidc/return", app.base)
        );
        let back = provider.authorize(&to, &number);
        let resp = client.get(&back).send().await.unwrap();
        assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
        assert_eq!(location(&resp), "/records");
        let who = me(&app, &client).await.unwrap();
        assert_eq!(who["username"], "staff");
        assert!(has_role(&who, "staff", "cqu-mse"), "{who}");

        // The same return twice: the state is spent.
        let resp = client.get(&back).send().await.unwrap();
        assert_eq!(resp.status(), 401);

        for (issue, words) in [
            (Issue::Expired, "未通过校验"),
            (Issue::Forged, "未通过校验"),
            (Issue::OtherAudience, "未通过校验"),
        ] {
            *provider.issue.lock().unwrap() = issue;
            let c = app.client();
            let to = oidc_begin(&app, &c).await;
            let resp = c
                .get(provider.authorize(&to, &number))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 401, "{issue:?}");
            let body = resp.text().await.unwrap();
            assert!(body.contains(words), "{issue:?}: {body}");
            assert!(me(&app, &c).await.is_none(), "{issue:?}");
        }
        *provider.issue.lock().unwrap() = Issue::Good;

        // A code that is not the provider's; the provider's own refusal.
        let c = app.client();
        let to = oidc_begin(&app, &c).await;
        let state = query_of(&to, "state");
        let resp = c
            .get(app.url(&format!("/login/oidc/return?code=stolen&state={state}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("invalid_grant"));
        let to = oidc_begin(&app, &c).await;
        let state = query_of(&to, "state");
        let resp = c
            .get(app.url(&format!(
                "/login/oidc/return?error=access_denied&state={state}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        assert!(resp.text().await.unwrap().contains("access_denied"));
        assert!(me(&app, &c).await.is_none());

        // An unknown staff number; and accounts made on first sign-in, when set.
        let c = app.client();
        let to = oidc_begin(&app, &c).await;
        let resp = c
            .get(provider.authorize(&to, "Z0000"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
        assert!(resp.text().await.unwrap().contains("「Z0000」"));
        let (person, no_account) = person_without_account(&app).await;
        let c = app.client();
        let to = oidc_begin(&app, &c).await;
        let resp = c
            .get(provider.authorize(&to, &no_account))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
        assert!(resp.text().await.unwrap().contains("尚未开通"));
        let mut provisioning = oidc_settings(&app, &provider);
        provisioning.auto_provision = true;
        configure(&app, provisioning).await;
        let c = app.client();
        let to = oidc_begin(&app, &c).await;
        let resp = c
            .get(provider.authorize(&to, &no_account))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let who = me(&app, &c).await.unwrap();
        assert_eq!(who["person"], person);
        assert!(
            app.audit_actions()
                .await
                .iter()
                .any(|a| a == "user.provision")
        );

        // The provider down.
        let mut down = oidc_settings(&app, &provider);
        down.oidc.as_mut().unwrap().issuer = "http://127.0.0.1:9".into();
        configure(&app, down).await;
        let resp = app
            .client()
            .get(app.url("/login/oidc"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 502);
        app.finish().await;
    }
}

/// A person of the demo who has a staff number and no account: (id, staff number).
async fn person_without_account(app: &TestApp) -> (String, String) {
    let id = app.person_id("孙浩").await;
    (id, staff_no(app, "孙浩").await)
}

#[tokio::test]
async fn the_settings_are_the_system_administrators_sealed_checked_and_version_checked() {
    let app = TestApp::demo().await;
    let cas = Cas::start().await;
    let sys = app.sign_in("sysadmin", PASSWORD).await;
    let (status, page) = browse(&sys.client, &app, "/admin/directory").await;
    assert_eq!(status, 200);
    assert!(page.contains("统一身份认证与办公应用"));
    let version = crate::common::hidden(&page, "version");

    // Bad input: each field named, nothing stored.
    let resp = submit(
        &sys,
        &app,
        "/admin/directory",
        &[
            ("version", &version),
            ("public_url", "ftp://x"),
            ("link", "staff-no"),
            ("cas.enabled", "1"),
            ("cas.base_url", "http://portal.example.edu.cn/cas"),
            ("ldap.enabled", "1"),
            ("ldap.url", "ldap://ldap.example.edu.cn"),
            ("ldap.base_dn", "dc=x"),
            ("ldap.user_filter", "(uid={login})"),
            ("ldap.key_attribute", "employeeNumber"),
            ("ldap.group_attribute", "memberOf"),
            ("ldap.timeout_secs", "5"),
            ("ldap.groups", "cn=a,dc=x => king @ cqu\nnot a mapping"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    let body = resp.text().await.unwrap();
    for words in [
        "须以 https:// 开头",
        "明文 http 只允许本机地址",
        "须启用 StartTLS",
        "第 2 行应写作",
        "第 1 行：未知角色「king」",
    ] {
        assert!(body.contains(words), "{words}");
    }
    assert_eq!(app.db.directory_settings().await.unwrap().1, 0);

    // Saved: the secret sealed at rest, never shown back.
    let resp = submit(
        &sys,
        &app,
        "/admin/directory",
        &[
            ("version", &version),
            ("public_url", &app.base),
            ("link", "staff-no"),
            ("cas.enabled", "1"),
            ("cas.base_url", &cas.base),
            ("cas.version", "3.0"),
            ("cas.key_attribute", "employeeNumber"),
            ("oidc.enabled", "1"),
            ("oidc.issuer", "https://idp.example.edu.cn"),
            ("oidc.client_id", "zeren"),
            ("oidc.client_secret", "s3cret-value"),
            ("oidc.key_claim", "employee_number"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let raw: (DirectorySettings, i64) = app.db.setting("directory").await.unwrap().unwrap();
    let stored = raw.0.oidc.unwrap().client_secret;
    assert!(stored.expose().starts_with("sealed:v1:"), "sealed at rest");
    assert_eq!(
        app.db
            .directory_settings()
            .await
            .unwrap()
            .0
            .oidc
            .unwrap()
            .client_secret
            .expose(),
        "s3cret-value"
    );
    let (_, page) = browse(&sys.client, &app, "/admin/directory").await;
    assert!(!page.contains("s3cret-value"));
    assert!(page.contains("已保存（加密存储）"));

    // The API: secrets never shown; an empty secret keeps the saved one; a stale version is 409.
    let (status, body) = session_api(&sys, &app, "GET", "/api/v1/settings/directory", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["settings"]["oidc"]["client_secret"], "");
    assert_eq!(body["secrets_set"], json!(["oidc.client_secret"]));
    assert!(!body.to_string().contains("s3cret"));
    let mut put = body["settings"].clone();
    put["oidc"]["label"] = json!("校园账号");
    let (status, saved) = session_api(
        &sys,
        &app,
        "PUT",
        "/api/v1/settings/directory",
        Some(json!({"settings": put, "version": body["version"]})),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        app.db
            .directory_settings()
            .await
            .unwrap()
            .0
            .oidc
            .unwrap()
            .client_secret
            .expose(),
        "s3cret-value"
    );
    let (status, stale) = session_api(
        &sys,
        &app,
        "PUT",
        "/api/v1/settings/directory",
        Some(json!({"settings": put, "version": body["version"]})),
    )
    .await;
    assert_eq!(status, 409, "{stale}");

    // Test connection: the portal answers in its protocol.
    let resp = submit(&sys, &app, "/admin/directory/test", &[("what", "cas")]).await;
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("连接正常") && body.contains("INVALID_TICKET"),
        "{body}"
    );
    let resp = submit(&sys, &app, "/admin/directory/test", &[("what", "oidc")]).await;
    let body = resp.text().await.unwrap();
    assert!(body.contains("连接失败"), "{body}");

    // Nobody else reads or writes them.
    for name in ["secadmin", "auditor", "secretary", "supervisor"] {
        let s = app.sign_in(name, PASSWORD).await;
        let (status, _) = browse(&s.client, &app, "/admin/directory").await;
        assert_eq!(status, 403, "{name}");
        let (status, _) = session_api(&s, &app, "GET", "/api/v1/settings/directory", None).await;
        assert_eq!(status, 403, "{name}");
    }
    // The link key is a choice of three.
    assert_eq!(LinkKey::ALL.len(), 3);
    app.finish().await;
}

#[tokio::test]
async fn the_accounts_own_second_factor_is_asked_only_when_set_and_local_rules_do_not_apply() {
    let app = TestApp::demo().await;
    let cas = Cas::start().await;
    let number = staff_no(&app, "李明华").await;
    let li = CasUser {
        user: "liminghua".into(),
        employee_number: Some(number),
        name: "李明华".into(),
    };
    // The account has a second factor and must change its password locally.
    let user = app.db.user_by_username("secretary").await.unwrap().unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    let secret = zeren_core::totp::from_base32("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").unwrap();
    tx.set_totp(&user, Some((&secret, 0)), "").await.unwrap();
    tx.commit().await.unwrap();
    flag_must_change(&app).await;

    // Not asked by default: the portal's sign-in is complete, and the local password rule
    // (change it first) does not stand in the way of a directory session.
    configure(&app, cas_settings(&app, &cas, CasVersion::V3)).await;
    let c = app.client();
    let service = cas_begin(&app, &c, "/").await;
    let resp = cas_return(&c, &service, &cas.issue(&service, &li)).await;
    assert_eq!(location(&resp), "/");
    let (status, _) = browse(&c, &app, "/obligations").await;
    assert_eq!(status, 200);

    // Asked when set: the session owes the code before anything else.
    let mut asking = cas_settings(&app, &cas, CasVersion::V3);
    asking.ask_second_factor = true;
    configure(&app, asking).await;
    let c = app.client();
    let service = cas_begin(&app, &c, "/").await;
    let resp = cas_return(&c, &service, &cas.issue(&service, &li)).await;
    assert_eq!(location(&resp), "/login/totp");
    assert!(
        me(&app, &c).await.is_none(),
        "nothing but the code form yet"
    );
    app.finish().await;
}

/// Marks the secretary's account as owing a new local password.
async fn flag_must_change(app: &TestApp) {
    let user = app.db.user_by_username("secretary").await.unwrap().unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.set_password(
        &user,
        &user.password_hash,
        zeren_storage::PasswordChange::Reset { must_change: true },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}
