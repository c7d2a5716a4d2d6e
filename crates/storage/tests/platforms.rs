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
