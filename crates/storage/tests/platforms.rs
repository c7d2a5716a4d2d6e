//! Platforms' lifecycle and registration on both engines: each step recorded with its day,
//! reason and who; a skipped step, a stale version, a website without its ICP number refused
//! with nothing stored; closing sets the closing day; the audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::Lang;
use zeren_core::platforms::{RegistrationDraft, TransitionDraft};
use zeren_core::policy::builtin_pack;
use zeren_core::vocab::{PlatformKind, PlatformState};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewPlatform, OrgEdit, StorageError, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

/// A college with a WeChat account and a website, both running since 2025.
async fn seed(db: &Db) -> (String, String) {
    ledger::initialise(db, now()).await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let mut ids = Vec::new();
    for (code, kind) in [
        ("cqu-mse-wechat", PlatformKind::WechatOfficial),
        ("cqu-mse-site", PlatformKind::Website),
    ] {
        let p = tx
            .create_platform(
                &pack,
                NewPlatform {
                    code: code.into(),
                    name: code.into(),
                    kind,
                    org: college.id.clone(),
                    portfolio: Some("publicity".into()),
                    news_function: true,
                    opened_on: d("2025-09-01"),
                    operators: Vec::new(),
                    state: zeren_core::vocab::PlatformState::Active,
                },
            )
            .await
            .unwrap();
        ids.push(p.id);
    }
    tx.commit().await.unwrap();
    (ids[0].clone(), ids[1].clone())
}

fn step(to: &str, on: &str, reason: &str) -> TransitionDraft {
    TransitionDraft {
        to: to.into(),
        on: on.into(),
        reason: reason.into(),
    }
}

#[tokio::test]
async fn a_platform_steps_through_its_life_each_step_recorded() {
    each(async |t| {
        let db = &t.db;
        let (wechat, site) = seed(db).await;
        let l = db.platform_lifecycle(&wechat).await.unwrap();
        assert_eq!((l.state, l.since), (PlatformState::Active, d("2025-09-01")));
        assert!(l.steps.is_empty());

        // Suspended for rectification, then running again.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let l = tx
            .step_platform(&wechat, l.version, &step("suspended", "2026-03-01", "账号安全整改"), Lang::Zh)
            .await
            .unwrap();
        let l = tx
            .step_platform(&wechat, l.version, &step("active", "2026-03-20", "整改完成"), Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((l.state, l.since), (PlatformState::Active, d("2026-03-20")));
        let steps: Vec<(PlatformState, PlatformState, &str)> = l
            .steps
            .iter()
            .map(|s| (s.from, s.to, s.reason.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (PlatformState::Active, PlatformState::Suspended, "账号安全整改"),
                (PlatformState::Suspended, PlatformState::Active, "整改完成"),
            ]
        );
        assert_eq!(l.steps[0].made_by, "cli");

        // A stale version: 409, nothing stored.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let stale = tx
            .step_platform(&wechat, l.version - 1, &step("closed", "2026-04-01", "撤并"), Lang::Zh)
            .await
            .unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale:?}");
        drop(tx);
        // A skipped step and a step dated before the last: refused by their fields.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx
            .step_platform(&wechat, l.version, &step("registered", "2026-03-10", "补备案"), Lang::Zh)
            .await
            .unwrap_err();
        let StorageError::Invalid(m) = err else { panic!("{err:?}") };
        assert_eq!(
            m,
            "平台处于「运行」，不能直接改为「已备案」，下一步只能是：暂停、关停；日期 2026-03-10 早于平台进入当前状态的日期 2026-03-20"
        );
        drop(tx);
        assert_eq!(db.platform_lifecycle(&wechat).await.unwrap(), l);

        // Closed: its closing day is set (its duties end with it), and it moves no more.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let closed = tx
            .step_platform(&wechat, l.version, &step("closed", "2026-10-31", "公众号注销"), Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(closed.state, PlatformState::Closed);
        let model = db.load_model().await.unwrap();
        let p = model.platforms().iter().find(|p| p.id == wechat).unwrap();
        assert_eq!(p.closed_on, Some(d("2026-10-31")));
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx
            .step_platform(&wechat, closed.version, &step("active", "2026-11-01", "重开"), Lang::En)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StorageError::Invalid(m) if m == "the platform is closed; its state cannot change any more"),
            "{err:?}"
        );
        drop(tx);

        // The website's registration: its ICP number, checked by its form.
        let s = db.platform_lifecycle(&site).await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx
            .register_platform(
                &site,
                s.version,
                &RegistrationDraft {
                    icp: "渝ICP备123号".into(),
                    ..Default::default()
                },
                Lang::Zh,
            )
            .await
            .unwrap_err();
        assert!(matches!(&err, StorageError::Invalid(m) if m.contains("ICP 备案号「渝ICP备123号」格式不正确")), "{err:?}");
        // A running website must keep its number.
        let err = tx
            .register_platform(&site, s.version, &RegistrationDraft::default(), Lang::Zh)
            .await
            .unwrap_err();
        assert!(matches!(&err, StorageError::Invalid(m) if m == "网站须填写 ICP 备案号"), "{err:?}");
        let s = tx
            .register_platform(
                &site,
                s.version,
                &RegistrationDraft {
                    icp: "渝ICP备05003022号-1".into(),
                    ..Default::default()
                },
                Lang::Zh,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.registration.icp.as_deref(), Some("渝ICP备05003022号-1"));

        // The college closes: its running website closes with it, the step recorded.
        let college = db.load_model().await.unwrap().find_org("cqu-mse").unwrap().id.clone();
        let version = db.org_version(&college).await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.update_org(
            &college,
            version,
            OrgEdit {
                closed_on: Some(Some(d("2026-11-15"))),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let s = db.platform_lifecycle(&site).await.unwrap();
        assert_eq!((s.state, s.since), (PlatformState::Closed, d("2026-11-15")));
        let last = s.steps.last().unwrap();
        assert_eq!(
            (last.from, last.to, last.reason.as_str()),
            (PlatformState::Active, PlatformState::Closed, "随所属组织撤销而关停")
        );
        // The account closed before keeps its own step.
        assert_eq!(db.platform_lifecycle(&wechat).await.unwrap().steps.len(), 3);

        assert!(db.verify_audit().await.unwrap().is_ok());
        let actions: Vec<String> = db
            .audit_page(0, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        let count = |a: &str| actions.iter().filter(|x| *x == a).count();
        assert_eq!(count("platform.step"), 3, "{actions:?}");
        assert_eq!(count("platform.close"), 1, "{actions:?}");
        assert_eq!(count("platform.register"), 1, "{actions:?}");
    })
    .await;
}

/// The policy set as loaded.
async fn policies(db: &Db) -> zeren_core::policy::Policies {
    db.policy_set().await.unwrap()
}

/// The open obligations about `subject` in 2026, as `duty@due`.
async fn owed(db: &Db, subject: &str) -> Vec<String> {
    let mut all = db
        .obligations_about(zeren_core::obligation::SubjectKind::Platform, subject)
        .await
        .unwrap();
    all.extend(
        db.obligations_about(zeren_core::obligation::SubjectKind::Person, subject)
            .await
            .unwrap(),
    );
    let mut out: Vec<String> = all
        .into_iter()
        .filter(|o| o.key.ends_with("/2026") || o.key.ends_with("/once"))
        .map(|o| format!("{}@{}:{}", o.duty, o.due, o.state))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_new_platform_and_its_operators_owe_their_duties_at_once() {
    use zeren_core::platforms::{PlatformDraft, PlatformTerms, check_platform};
    each(async |t| {
        let db = &t.db;
        seed(db).await;
        let set = policies(db).await;
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let liu = tx
            .create_person(zeren_storage::NewPerson {
                name: "刘佳".into(),
                org: "cqu-mse".into(),
                staff_no: None,
                email: None,
                wecom_id: None,
                dingtalk_id: None,
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let model = db.load_model().await.unwrap();
        let draft = PlatformDraft {
            code: "cqu-mse-live".into(),
            name: "材料学院直播间".into(),
            kind: "livestream".into(),
            org: "cqu-mse".into(),
            portfolio: "publicity".into(),
            news_function: true,
            opened_on: "2026-11-20".into(),
            operators: vec![liu.id.clone()],
            state: String::new(),
        };
        let fields = check_platform(
            &draft,
            None,
            &model,
            &PlatformTerms::of([&builtin_pack().unwrap()]),
            d("2026-11-28"),
            Lang::Zh,
        )
        .unwrap();
        let pack = builtin_pack().unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let p = tx
            .create_platform(
                &pack,
                NewPlatform {
                    code: fields.code.clone(),
                    name: fields.name.clone(),
                    kind: fields.kind,
                    org: fields.org.clone(),
                    portfolio: fields.portfolio.clone(),
                    news_function: fields.news_function,
                    opened_on: fields.opened_on,
                    operators: fields.operators.clone(),
                    state: fields.state,
                },
            )
            .await
            .unwrap();
        let r = tx.replan_platform(&set, &model, &p.id, &[]).await.unwrap();
        tx.commit().await.unwrap();
        // Planned: registration due 30 days after it entered the registry; no review, no
        // training yet (it does not run).
        assert_eq!(r.added, 1, "{r:?}");
        assert_eq!(
            owed(db, &p.id).await,
            vec!["platform-registration@2026-12-20:open"]
        );
        assert!(owed(db, &liu.id).await.is_empty());

        // Registered: the registration obligation is discharged by the registry itself.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let draft = RegistrationDraft {
            account_id: "gh_msealive".into(),
            registered_on: "2026-11-25".into(),
            registering_body: "重庆大学".into(),
            ..RegistrationDraft::default()
        };
        let l = tx
            .register_platform(&p.id, 1, &draft, Lang::Zh)
            .await
            .unwrap();
        let l = tx
            .step_platform(
                &p.id,
                l.version,
                &step("registered", "2026-11-25", "已注册"),
                Lang::Zh,
            )
            .await
            .unwrap();
        assert_eq!(
            tx.discharge_registration(&set, &p.id, d("2026-11-25"))
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert_eq!(
            owed(db, &p.id).await,
            vec!["platform-registration@2026-12-20:done"]
        );

        // Active: the annual review and the operator's training are owed at once.
        let model = db.load_model().await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.step_platform(
            &p.id,
            l.version,
            &step("active", "2026-11-26", "开通运行"),
            Lang::Zh,
        )
        .await
        .unwrap();
        let r = tx
            .replan_platform(&set, &model, &p.id, std::slice::from_ref(&liu.id))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(r.added, 2, "{r:?}");
        assert_eq!(
            owed(db, &p.id).await,
            vec![
                "platform-annual-review@2026-12-31:open",
                "platform-registration@2026-12-20:done"
            ]
        );
        assert_eq!(
            owed(db, &liu.id).await,
            vec!["operator-training@2026-12-31:open"]
        );

        // The operator leaves the platform: their training is withdrawn at once (kept, out of
        // the lists); a stale version is refused with nothing stored.
        let model = db.load_model().await.unwrap();
        let platform = db.platform(&p.id).await.unwrap();
        let mut fields = fields.clone();
        fields.operators.clear();
        fields.name = "材料学院直播间（新）".into();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let stale = tx.update_platform(&p.id, 1, &fields).await.unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale}");
        drop(tx);
        let version = db.platform_lifecycle(&p.id).await.unwrap().version;
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let after = tx.update_platform(&p.id, version, &fields).await.unwrap();
        let r = tx
            .replan_platform(&set, &model, &p.id, &platform.operators)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.name, "材料学院直播间（新）");
        assert!(after.operators.is_empty());
        assert_eq!(r.withdrawn, 1, "{r:?}");
        assert!(owed(db, &liu.id).await.is_empty());
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}
