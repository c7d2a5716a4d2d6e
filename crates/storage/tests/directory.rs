//! Directory sign-in's storage on both engines: the settings' secrets sealed at rest and sealed
//! again under the new key when a backup is restored into another installation; a sign-in
//! attempt taken once and only while fresh; a CAS ticket taken once; the people an identity may
//! link to, by each key, with who has left; the grants a directory's groups give, brought up to
//! date (added, revoked, others left alone); the sessions a portal's logout names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::access::Role;
use zeren_core::directory::{DirectorySettings, LdapSettings, LinkKey, OidcSettings, Secret};
use zeren_storage::repo::directory::{SignInAttempt, Taken};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewPerson, NewUser, ledger};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

fn settings() -> DirectorySettings {
    DirectorySettings {
        public_url: "https://zeren.example.edu.cn".into(),
        ldap: Some(LdapSettings {
            url: "ldaps://ldap.example.edu.cn".into(),
            bind_dn: "cn=zeren".into(),
            bind_password: Secret("bind-pass".into()),
            base_dn: "dc=x".into(),
            user_filter: "(uid={login})".into(),
            key_attribute: "employeeNumber".into(),
            timeout_secs: 5,
            ..Default::default()
        }),
        oidc: Some(OidcSettings {
            issuer: "https://idp.example.edu.cn".into(),
            client_id: "zeren".into(),
            client_secret: Secret("client-secret".into()),
            key_claim: "employee_number".into(),
            label: String::new(),
        }),
        ..Default::default()
    }
}

async fn save(db: &Db, s: DirectorySettings) {
    let (_, version) = db.directory_settings().await.unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    tx.put_directory_settings(s, version).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_settings_secrets_are_sealed_and_travel_to_another_installation() {
    let source = zeren_storage::testing::sqlite().await.unwrap();
    ledger::initialise(&source.db, now()).await.unwrap();
    save(&source.db, settings()).await;
    let (raw, _): (DirectorySettings, i64) = source.db.setting("directory").await.unwrap().unwrap();
    let text = serde_json::to_string(&raw).unwrap();
    assert!(!text.contains("bind-pass") && !text.contains("client-secret"));
    assert_eq!(text.matches("sealed:v1:").count(), 2);
    assert_eq!(source.db.directory_settings().await.unwrap().0, settings());

    // Saving again with the secrets as read keeps them (sealed once, not twice).
    save(&source.db, source.db.directory_settings().await.unwrap().0).await;
    assert_eq!(source.db.directory_settings().await.unwrap().0, settings());

    let key = source.db.key().unwrap().clone();
    let archive = std::env::temp_dir().join(format!("zeren-{}-dir.zbak", zeren_storage::new_id()));
    source.db.backup(&archive, now()).await.unwrap();
    for target in engines().await {
        // Another installation (its own key) restores with the source's key given.
        assert_ne!(target.db.key().unwrap().fingerprint(), key.fingerprint());
        target.db.restore(&archive, Some(&key)).await.unwrap();
        assert_eq!(
            target.db.directory_settings().await.unwrap().0,
            settings(),
            "opened with the new installation's key on {}",
            target.label
        );
        target.finish().await;
    }
    let _ = std::fs::remove_file(&archive);
    source.finish().await;
}

#[tokio::test]
async fn an_attempt_and_a_ticket_are_taken_once() {
    each(async |t| {
        let db = &t.db;
        ledger::initialise(db, now()).await.unwrap();
        let attempt = SignInAttempt {
            method: "oidc".into(),
            binding: "b".into(),
            nonce: Some("n".into()),
            verifier: Some("v".into()),
            next: "/records".into(),
        };
        let at = now().timestamp_millis();
        db.begin_sign_in("state-1", &attempt, "10.0.0.1", at)
            .await
            .unwrap();
        db.begin_sign_in("state-2", &attempt, "10.0.0.1", at)
            .await
            .unwrap();
        // Another method's state is not this one's.
        assert_eq!(
            db.take_sign_in("cas", "state-1", at + 1, at - 1)
                .await
                .unwrap(),
            Taken::Gone
        );
        assert_eq!(
            db.take_sign_in("oidc", "state-1", at + 1, at - 1)
                .await
                .unwrap(),
            Taken::Fresh(attempt.clone())
        );
        assert_eq!(
            db.take_sign_in("oidc", "state-1", at + 2, at - 1)
                .await
                .unwrap(),
            Taken::Gone
        );
        // Too old.
        assert_eq!(
            db.take_sign_in("oidc", "state-2", at + 1, at)
                .await
                .unwrap(),
            Taken::Gone
        );
        assert_eq!(
            db.take_sign_in("oidc", "nothing", at, 0).await.unwrap(),
            Taken::Gone
        );

        assert!(db.claim_ticket("ST-1", "10.0.0.1", at).await.unwrap());
        assert!(!db.claim_ticket("ST-1", "10.0.0.2", at + 5).await.unwrap());
        assert!(db.claim_ticket("ST-2", "10.0.0.1", at).await.unwrap());
        // A day later they are forgotten, and only those begun before the cut.
        assert_eq!(db.forget_sign_in_attempts(at).await.unwrap(), 0);
        assert_eq!(db.forget_sign_in_attempts(at + 1).await.unwrap(), 4);
    })
    .await;
}

#[tokio::test]
async fn identities_link_by_each_key_and_groups_grant_what_is_mapped() {
    each(async |t| {
        let db = &t.db;
        ledger::initialise(db, now()).await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let (uni, college) = university_and_college(&mut tx).await.unwrap();
        let (uni, college) = (uni.id, college.id);
        let mut p = NewPerson::new("张三", &college);
        p.staff_no = Some("T10001".into());
        p.wecom_id = Some("zhangsan".into());
        let zhang = tx.create_person(p).await.unwrap();
        let mut p = NewPerson::new("王伟", &college);
        p.staff_no = Some("T10002".into());
        tx.create_person(p).await.unwrap();
        let mut p = NewPerson::new("王伟", &college);
        p.staff_no = Some("T10003".into());
        p.email = Some("wangwei@example.edu.cn".into());
        let gone = tx.create_person(p).await.unwrap();
        let edit = zeren_storage::repo::people::PersonEdit {
            left_on: Some(Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap())),
            ..Default::default()
        };
        tx.update_person(&gone.id, 1, edit).await.unwrap();
        let user = tx
            .create_user(NewUser {
                username: "zhang".into(),
                display_name: "张三".into(),
                person: Some(zhang.id.clone()),
                admin_role: None,
                password_hash: "x".into(),
                must_change_password: false,
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let by = |k: LinkKey, v: &'static str| async move {
            db.link_candidates(k, v, today()).await.unwrap()
        };
        let found = by(LinkKey::StaffNo, " T10001 ").await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].account, Some((user.id.clone(), false, false)));
        assert_eq!(
            by(LinkKey::WecomId, "zhangsan").await[0].person_id,
            zhang.id
        );
        let twins = by(LinkKey::Name, "王伟").await;
        assert_eq!(twins.len(), 2);
        assert_eq!(twins.iter().filter(|c| c.left).count(), 1);
        assert!(by(LinkKey::StaffNo, "T99999").await.is_empty());
        assert!(by(LinkKey::Email, "nobody@example.edu.cn").await.is_empty());
        let by_mail = by(LinkKey::Email, "WangWei@example.edu.cn").await;
        assert_eq!((by_mail.len(), by_mail[0].left), (1, true));

        // Grants of groups: added, kept, revoked; a grant made by hand is left alone.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let by_hand = tx
            .grant(&user, Role::Staff, &college, "secadmin")
            .await
            .unwrap();
        let wanted = vec![
            (Role::Supervisor, uni.clone()),
            (Role::Leader, college.clone()),
        ];
        assert_eq!(
            tx.sync_directory_grants(&user, "ldap", &wanted)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            tx.sync_directory_grants(&user, "ldap", &wanted)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            tx.sync_directory_grants(&user, "ldap", &wanted[..1])
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        let grants: Vec<_> = db
            .grants()
            .await
            .unwrap()
            .into_iter()
            .filter(|g| g.user == user.id)
            .map(|g| (g.role, g.granted_by))
            .collect();
        assert_eq!(grants.len(), 2, "{grants:?}");
        assert!(grants.contains(&(Role::Supervisor, "directory:ldap".into())));
        assert!(grants.contains(&(by_hand.role, "secadmin".into())));

        // The portal's logout ends the sessions its ticket began, and only those.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let (a, _) = tx
            .create_session_via(
                &user,
                "o",
                false,
                "cas",
                Some("ref-1"),
                serde_json::json!({}),
            )
            .await
            .unwrap();
        let (b, _) = tx.create_session(&user, "o", false).await.unwrap();
        assert_eq!(tx.end_portal_sessions("ref-1").await.unwrap(), 1);
        assert_eq!(tx.end_portal_sessions("ref-1").await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert!(db.session(&a).await.unwrap().is_none());
        let live = db.session(&b).await.unwrap().unwrap();
        assert_eq!(live.method, "password");
        db.verify_audit().await.unwrap().unwrap();
    })
    .await;
}
