//! First run: a new installation without orgs is founded by the first org administrator the
//! security administrator designates — not by the security administrator, who enters no
//! business data (三员分立), and not by any other account.

use crate::common::*;
use serde_json::{Value, json};
use zeren_core::clock::Clock;
use zeren_storage::Actor;
use zeren_storage::repo::identity::PasswordChange;

/// The account's password set to [`PASSWORD`] directly, as if changed at the first sign-in.
async fn settle(app: &TestApp, username: &str) {
    let user = app.db.user_by_username(username).await.unwrap().unwrap();
    let hash = zeren_storage::secrets::hash_password(PASSWORD.to_string())
        .await
        .unwrap();
    let mut tx = app.db.begin(&Actor::cli(), app.clock.now()).await.unwrap();
    tx.set_password(&user, &hash, PasswordChange::Reset { must_change: false })
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn new_account(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    api(app, token, "POST", "/api/v1/accounts", Some(body)).await
}

#[tokio::test]
async fn a_new_installation_is_founded_by_the_designated_first_org_administrator() {
    let app = TestApp::empty().await;
    assert!(app.db.load_model().await.unwrap().orgs().is_empty());

    // The security administrator is told no org exists, and offered the founder's box.
    let sec = app.sign_in("secadmin", PASSWORD).await;
    let (status, html) = page(&sec, &app, "/admin/accounts").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"founder-note\"") && html.contains("尚未建立任何组织"),
        "{html}"
    );
    assert!(html.contains("name=\"founder\""), "{html}");
    // They cannot found it themselves: an administrator holds no business data.
    let (status, _) = page(&sec, &app, "/setup").await;
    assert_eq!(status, 403);

    // Designated by the form of the page: keeper.
    let resp = submit(
        &sec,
        &app,
        "/admin/accounts",
        &[
            ("username", "keeper"),
            ("display_name", "组织部 王老师"),
            ("founder", "1"),
        ],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    let token = app.token("secadmin").await;
    // Another account, not designated.
    let (status, r) = new_account(
        &app,
        &token,
        json!({"username": "other", "display_name": "他人"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    settle(&app, "keeper").await;
    settle(&app, "other").await;
    let (_, html) = page(&sec, &app, "/admin/accounts").await;
    assert!(html.contains("已指定 keeper 为首位组织管理员"), "{html}");

    // Anyone else is refused the first-run page, and sees the home page as it is.
    let other = app.sign_in("other", PASSWORD).await;
    let (status, html) = page(&other, &app, "/setup").await;
    assert_eq!(status, 403);
    assert!(html.contains("安全管理员指定的首位组织管理员"), "{html}");
    let resp = submit(
        &other,
        &app,
        "/setup",
        &[("code", "xyz"), ("name", "某大学党委")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(page(&other, &app, "/").await.0, 200);

    // The founder is sent there from home.
    let keeper = app.sign_in("keeper", PASSWORD).await;
    let resp = keeper.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/setup");
    let (status, html) = page(&keeper, &app, "/setup").await;
    assert_eq!(status, 200);
    assert!(html.contains("建立顶端组织"), "{html}");

    // Bad input names its field; nothing is stored.
    let resp = submit(
        &keeper,
        &app,
        "/setup",
        &[("code", "XYZ 大学"), ("name", "")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("id=\"code-error\"") && html.contains("id=\"name-error\""),
        "{html}"
    );
    assert!(app.db.load_model().await.unwrap().orgs().is_empty());
    // English too.
    let resp = submit(
        &keeper,
        &app,
        "/setup?lang=en",
        &[("code", "xyz"), ("name", "")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().await.unwrap().contains("Create the root org"));

    // Founded: the root org, the founder its org administrator, the designation spent.
    let resp = submit(
        &keeper,
        &app,
        "/setup",
        &[("code", "xyz"), ("name", "某大学党委")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/orgs/xyz/start");
    let model = app.db.load_model().await.unwrap();
    let root = model.find_org("xyz").unwrap();
    assert_eq!(root.name, "某大学党委");
    assert_eq!(root.parent, None);
    let keeper_id = app.user_id("keeper").await;
    let grants = app.db.grants().await.unwrap();
    assert!(
        grants.iter().any(|g| g.user == keeper_id
            && g.role == zeren_core::access::Role::OrgAdmin
            && g.org == root.id),
        "{grants:?}"
    );
    let (status, html) = page(&keeper, &app, "/orgs/xyz/start").await;
    assert_eq!(status, 200, "{html}");
    // Home is home now; the first-run page sends to the orgs; no second root can be made.
    assert_eq!(page(&keeper, &app, "/").await.0, 200);
    let resp = submit(
        &keeper,
        &app,
        "/setup",
        &[("code", "abc"), ("name", "另一所大学")],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/orgs");
    assert!(app.db.find_org("abc").await.is_err());
    // The keeper manages the tree: a college under the root, by the API.
    let keeper_token = app.token("keeper").await;
    let (status, r) = api(
        &app,
        &keeper_token,
        "POST",
        "/api/v1/orgs",
        Some(json!({"code": "xyz-cs", "name": "计算机学院", "kind": "college", "parent": "xyz"})),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    // And no founder can be designated any more.
    let (status, r) = new_account(
        &app,
        &token,
        json!({"username": "late", "display_name": "迟到者", "founder": true}),
    )
    .await;
    assert_eq!(status, 422, "{r}");
    assert!(
        r["error"]["message"].as_str().unwrap().contains("founder")
            || r.to_string().contains("已建立组织"),
        "{r}"
    );
    let (_, html) = page(&sec, &app, "/admin/accounts").await;
    assert!(!html.contains("id=\"founder-note\""), "{html}");
    // Audited: the designation, the founding (org, grant, designation spent).
    let actions = app.audit_actions().await;
    for want in [
        "user.create",
        "setting.update",
        "org.create",
        "grant.create",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want}: {actions:?}");
    }
    app.finish().await;
}
