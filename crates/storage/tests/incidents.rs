//! Incidents and risk assessments on both engines: an incident owes the incident duty at once,
//! due by its severity's closure-report clock; raising it moves that deadline and is kept on the
//! timeline; a major one closes only after the secretary's own handling and sign-off, and its
//! closure discharges the duty and opens rectification tasks that survive the year's replanning;
//! a major project owes its assessment before launch, is launched only with an approved one or
//! past the gate by the secretary with a reason; every change is audited and the chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::Lang;
use zeren_core::events::parse_date_time;
use zeren_core::incidents::{
    ClosureDraft, EntryDraft, IncidentDraft, TaskDraft, check_close, check_entry, check_incident,
    clocks, first_responsible,
};
use zeren_core::obligation::SubjectKind;
use zeren_core::policy::builtin_pack;
use zeren_core::projects::{
    AssessmentDraft, LaunchDraft, LaunchError, ProjectDraft, check_assessment, check_decision,
    check_launch, check_project,
};
use zeren_core::vocab::{IncidentClock, PlatformKind, TimelineKind};
use zeren_storage::repo::incidents::{ClosedFacts, RecordedBy, recorded};
use zeren_storage::repo::projects::AssessmentState;
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, NewPlatform, StorageError, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 2026-11-28 12:00 in Shanghai.
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

struct Seeded {
    college: String,
    platform: String,
    secretary: String,
    member: String,
}

/// A college with its secretary (the first responsible person), a committee member who holds
/// the publicity portfolio, and the college's WeChat account under that portfolio.
async fn seed(db: &Db) -> Seeded {
    ledger::initialise(db, now()).await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let p = tx
        .create_platform(
            &pack,
            NewPlatform {
                code: "cqu-mse-wechat".into(),
                name: "材料学院公众号".into(),
                kind: PlatformKind::WechatOfficial,
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
    let mut person = async |name: &str, kind: &str, title: &str, portfolios: &[&str]| {
        let who = tx
            .create_person(zeren_storage::NewPerson::new(name, &college.id))
            .await
            .unwrap();
        let post = tx
            .create_post(&pack, &college.id, kind, title, portfolios)
            .await
            .unwrap();
        tx.add_holding(&pack, &post.id, &who.id, d("2024-09-01"), None)
            .await
            .unwrap();
        who.id
    };
    let secretary = person("李书记", "secretary", "党委书记", &[]).await;
    let member = person("王建国", "committee-member", "宣传委员", &["publicity"]).await;
    tx.commit().await.unwrap();
    ledger::sync_obligations(db, &Actor::cli(), 2026, now())
        .await
        .unwrap();
    Seeded {
        college: college.id,
        platform: p.id,
        secretary,
        member,
    }
}

fn t(s: &str) -> chrono::NaiveDateTime {
    parse_date_time(s).unwrap()
}

/// A general incident on the college's WeChat account, noticed at 09:00, handled by the member.
fn wechat_incident(s: &Seeded) -> IncidentDraft {
    IncidentDraft {
        title: "公众号推文评论区出现不实信息".into(),
        org: "cqu-mse".into(),
        platform: "cqu-mse-wechat".into(),
        noticed_at: "2026-11-28 09:00".into(),
        channel: "self-found".into(),
        source: "公众号后台留言".into(),
        facts: "推文评论区出现关于招生政策的不实说法。".into(),
        severity: "general".into(),
        handler: s.member.clone(),
    }
}

#[tokio::test]
async fn an_incident_is_raised_signed_off_by_the_secretary_and_closed_with_its_review() {
    each(async |tdb| {
        let db = &tdb.db;
        let s = seed(db).await;
        let pack = builtin_pack().unwrap();
        let rules = pack.incidents.clone().unwrap();
        let model = db.load_model().await.unwrap();
        let set = db.policy_set().await.unwrap();
        let at_noon = t("2026-11-28 12:00");
        let draft = wechat_incident(&s);
        let fields = check_incident(&draft, &model, &rules, at_noon, Lang::Zh).unwrap();
        assert_eq!(fields.platform.as_deref(), Some(s.platform.as_str()));
        let by_member = RecordedBy {
            person: Some(&s.member),
            first_responsible: false,
        };
        let before = db.change_stamp().await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let i = tx
            .record_incident(fields.clone(), by_member, &rules, &set, &model)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Owed at once, due by the general closure clock (30 days).
        let owed = db
            .obligations_about(SubjectKind::Event, &i.id)
            .await
            .unwrap();
        assert_eq!(owed.len(), 1);
        // Audited by its id: what follows the ledger reads that one row, not the year again.
        let changes = db
            .obligation_changes(&before, &db.change_stamp().await.unwrap(), 100)
            .await
            .unwrap()
            .expect("the chain tells what changed");
        assert_eq!(changes.ids, vec![owed[0].id.clone()], "{}", tdb.label);
        assert!(changes.whole_years.is_empty(), "{:?}", changes.whole_years);
        assert_eq!(
            (owed[0].duty.as_str(), owed[0].due, owed[0].state.as_str()),
            ("incident-handling", d("2026-12-28"), "open")
        );

        // Raised to major: the timeline keeps it, the deadline moves to 7 days.
        let mut raised = fields.clone();
        raised.severity = "major".into();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let stale = tx
            .edit_incident(
                &i.id,
                7,
                raised.clone(),
                "",
                by_member,
                &rules,
                &set,
                &model,
            )
            .await;
        assert!(
            matches!(stale, Err(StorageError::Conflict { .. })),
            "{stale:?}"
        );
        drop(tx);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let i = tx
            .edit_incident(
                &i.id,
                i.version,
                raised,
                "已有校外媒体转载",
                by_member,
                &rules,
                &set,
                &model,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(i.closure_due, Some(d("2026-12-05")));
        let owed = db
            .obligations_about(SubjectKind::Event, &i.id)
            .await
            .unwrap();
        assert_eq!(owed[0].due, d("2026-12-05"));
        let line = db.timeline(&i.id).await.unwrap();
        let kinds: Vec<TimelineKind> = line.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [TimelineKind::Recorded, TimelineKind::Severity]);
        assert_eq!(
            (
                line[1].severity_from.as_deref(),
                line[1].severity_to.as_deref()
            ),
            (Some("general"), Some("major"))
        );
        assert_eq!(line[1].at, at_noon);
        // Raised at noon to a 1-hour first response: it runs out at 13:00.
        let states = clocks(&rules, i.fields.noticed_at, &recorded(&line), at_noon);
        let first = states
            .iter()
            .find(|c| c.clock == IncidentClock::FirstResponse)
            .unwrap();
        assert_eq!(first.due, Some(t("2026-11-28 13:00")));

        // The member responds and assesses; the secretary is the first responsible person.
        let secretary = first_responsible(&pack, &model, &s.college, d("2026-11-28")).unwrap();
        assert_eq!(secretary.id, s.secretary);
        for (kind, at, detail) in [
            ("response", "2026-11-28 09:30", "联系作者核实并隐藏不实评论"),
            (
                "assessment",
                "2026-11-28 11:00",
                "研判：系误读招生政策，已有转载",
            ),
        ] {
            let entry = check_entry(
                &EntryDraft {
                    kind: kind.into(),
                    at: at.into(),
                    detail: detail.into(),
                },
                &i.fields,
                Some(&s.member),
                Some(&secretary),
                at_noon,
                Lang::Zh,
            )
            .unwrap();
            let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
            tx.add_incident_entry(&i.id, &entry, by_member)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let review = ClosureDraft {
            handled: "发布招生政策说明，删除不实评论".into(),
            prevention: "完善评论区审核制度".into(),
            rectifications: vec![TaskDraft {
                title: "修订公众号评论审核流程".into(),
                owner: s.member.clone(),
                deadline: "2026-12-31".into(),
            }],
        };
        let close = |line: &[zeren_storage::repo::incidents::TimelineEntry],
                     i: &zeren_storage::repo::incidents::Incident| {
            let rec = recorded(line);
            let states = clocks(&rules, i.fields.noticed_at, &rec, at_noon);
            check_close(
                &rules,
                &i.fields,
                &states,
                &rec,
                Some(&secretary),
                &model,
                &review,
                at_noon,
                Lang::Zh,
            )
        };
        let line = db.timeline(&i.id).await.unwrap();
        let refused = close(&line, &i).unwrap_err();
        assert!(refused.message(Lang::Zh).contains("李书记"), "{refused:?}");

        // The secretary records their own instruction and signs off.
        let by_secretary = RecordedBy {
            person: Some(&s.secretary),
            first_responsible: true,
        };
        let instruction = check_entry(
            &EntryDraft {
                kind: "instruction".into(),
                at: "2026-11-28 11:30".into(),
                detail: "由宣传委员牵头，统一口径答复".into(),
            },
            &i.fields,
            Some(&s.secretary),
            Some(&secretary),
            at_noon,
            Lang::Zh,
        )
        .unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.add_incident_entry(&i.id, &instruction, by_secretary)
            .await
            .unwrap();
        tx.sign_off_incident(&i.id, "同意处置方案", by_secretary)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let i = db.incident(&i.id).await.unwrap();
        let line = db.timeline(&i.id).await.unwrap();
        let closure = close(&line, &i).unwrap().unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let closed = tx
            .close_incident(
                &i.id,
                i.version,
                closure,
                ClosedFacts {
                    late: vec![IncidentClock::FirstResponse],
                    personal_done: true,
                },
                by_member,
                &set,
                &model,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(closed.closed);

        // The duty is done by the closure; the task is an obligation due on its deadline.
        let owed = db
            .obligations_about(SubjectKind::Event, &i.id)
            .await
            .unwrap();
        assert_eq!(
            (owed[0].state.as_str(), owed[0].completed_on),
            ("done", Some(d("2026-11-28")))
        );
        let tasks = db.incident_tasks(&i.id).await.unwrap();
        assert_eq!(tasks.len(), 1);
        let task_ob = db
            .obligations_about(SubjectKind::Event, &tasks[0].id)
            .await
            .unwrap();
        assert_eq!(
            (task_ob[0].duty.as_str(), task_ob[0].due),
            ("platform-rectification", d("2026-12-31"))
        );
        assert_eq!(
            task_ob[0].handler.as_deref(),
            Some(s.member.as_str()),
            "the task's owner handles it"
        );
        // Their obligations name them by title, and link the incident's page.
        let (kind, title, page) = db.event_subject(&tasks[0].id).await.unwrap().unwrap();
        assert_eq!(
            (kind.as_str(), title.as_str(), page.as_str()),
            ("incident", "修订公众号评论审核流程", i.id.as_str())
        );
        let (_, title, _) = db.event_subject(&i.id).await.unwrap().unwrap();
        assert_eq!(title, "公众号推文评论区出现不实信息");
        assert_eq!(db.event_subject("nothing").await.unwrap(), None);
        // The year's replanning keeps both.
        ledger::sync_obligations(db, &Actor::cli(), 2026, now())
            .await
            .unwrap();
        let again = db
            .obligations_about(SubjectKind::Event, &tasks[0].id)
            .await
            .unwrap();
        assert_eq!(again[0].state, "open");
        assert_eq!(again[0].due, d("2026-12-31"));

        // A closed incident takes no more entries; the statistics count it.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(
            tx.add_incident_entry(&i.id, &instruction, by_secretary)
                .await
                .is_err()
        );
        drop(tx);
        let stats = db.incident_stats(None, 2026).await.unwrap();
        assert_eq!((stats.total, stats.open), (1, 0));
        assert_eq!(stats.by_month, vec![("2026-11".to_string(), 1)]);
        assert_eq!(stats.by_severity, vec![("major".to_string(), 1)]);
        assert_eq!(stats.time_to_close[0], (Some(24), 1));
        assert_eq!(db.open_incident_count().await.unwrap(), 0);
        let late = db
            .closed_incident_indicators(None, &["major".to_string()])
            .await
            .unwrap();
        assert_eq!(late.len(), 1);
        assert_eq!(late[0].late, vec![IncidentClock::FirstResponse]);
        assert!(late[0].personal_done);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_major_project_launches_only_with_an_approved_assessment_or_past_the_gate_by_the_secretary()
 {
    each(async |tdb| {
        let db = &tdb.db;
        let s = seed(db).await;
        let pack = builtin_pack().unwrap();
        let risk = pack.risk_assessment.clone().unwrap_or_default();
        let model = db.load_model().await.unwrap();
        let set = db.policy_set().await.unwrap();
        let today = d("2026-11-28");
        let draft = |title: &str| ProjectDraft {
            title: title.into(),
            org: "cqu-mse".into(),
            description: "调整本科招生宣传口径与渠道".into(),
            portfolio: "publicity".into(),
            major: true,
            launch_on: "2026-12-20".into(),
        };
        let fields =
            check_project(&draft("招生宣传改版"), &model, &["publicity"], Lang::Zh).unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let p = tx.register_project(fields, &set, &model).await.unwrap();
        let q_fields =
            check_project(&draft("实验室开放日直播"), &model, &["publicity"], Lang::Zh).unwrap();
        let q = tx.register_project(q_fields, &set, &model).await.unwrap();
        tx.commit().await.unwrap();
        // Owed 15 days before launch.
        let owed = db
            .obligations_about(SubjectKind::Event, &p.id)
            .await
            .unwrap();
        assert_eq!(
            (owed[0].duty.as_str(), owed[0].due),
            ("risk-assessment", d("2026-12-05"))
        );

        // Without an approved assessment the launch is refused.
        let launch = LaunchDraft {
            launched_on: "2026-11-28".into(),
            override_gate: false,
            reason: String::new(),
        };
        let first = first_responsible(&pack, &model, &s.college, today);
        assert_eq!(
            check_launch(
                &p.fields,
                true,
                false,
                &launch,
                Some(&s.member),
                first.as_ref(),
                today,
                Lang::Zh
            )
            .unwrap_err(),
            LaunchError::NoApprovedAssessment
        );

        // A medium-risk assessment is approved by the publicity leader, not by an assessor.
        let a = check_assessment(
            &AssessmentDraft {
                planned: "改版招生宣传".into(),
                affected: "考生及家长".into(),
                risks: "口径不一引发误读".into(),
                level: "medium".into(),
                measures: "统一口径，专人答复".into(),
                assessors: vec![s.secretary.clone()],
                assessed_on: "2026-11-27".into(),
            },
            &p.fields,
            &model,
            &risk,
            today,
            Lang::Zh,
        )
        .unwrap();
        assert!(check_decision(&pack, &model, &risk, &p.fields, &a, &s.secretary, today).is_err());
        check_decision(&pack, &model, &risk, &p.fields, &a, &s.member, today).unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let stored = tx.submit_assessment(&p.id, a).await.unwrap();
        let decided = tx
            .decide_assessment(&stored.id, true, &s.member, today, "同意")
            .await
            .unwrap();
        assert!(
            tx.decide_assessment(&stored.id, false, &s.member, today, "x")
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        assert_eq!(decided.state, AssessmentState::Approved);
        let owed = db
            .obligations_about(SubjectKind::Event, &p.id)
            .await
            .unwrap();
        assert_eq!(owed[0].state, "done");
        let approved = db
            .assessments_of(&p.id)
            .await
            .unwrap()
            .iter()
            .any(|a| a.state == AssessmentState::Approved);
        let ok = check_launch(
            &p.fields,
            true,
            approved,
            &launch,
            Some(&s.member),
            first.as_ref(),
            today,
            Lang::Zh,
        )
        .unwrap()
        .unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let launched = tx
            .launch_project(&p.id, p.version, &ok, Some(&s.member))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(launched.launched_on, Some(today));
        assert_eq!(launched.override_by, None);

        // The other passes the gate only by the secretary, with a reason, audited apart.
        let past = LaunchDraft {
            override_gate: true,
            reason: "上级要求本周内启动".into(),
            ..launch.clone()
        };
        assert!(matches!(
            check_launch(
                &q.fields,
                true,
                false,
                &past,
                Some(&s.member),
                first.as_ref(),
                today,
                Lang::Zh
            ),
            Err(LaunchError::OverrideNotFirstResponsible { .. })
        ));
        let ok = check_launch(
            &q.fields,
            true,
            false,
            &past,
            Some(&s.secretary),
            first.as_ref(),
            today,
            Lang::Zh,
        )
        .unwrap()
        .unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let q = tx
            .launch_project(&q.id, q.version, &ok, Some(&s.secretary))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(q.override_by.as_deref(), Some(s.secretary.as_str()));
        assert_eq!(q.override_reason.as_deref(), Some("上级要求本周内启动"));
        let trail = db
            .audit_search(
                &zeren_storage::repo::audit_query::AuditFilter {
                    object_type: Some("project".into()),
                    object_id: Some(q.id.clone()),
                    ..Default::default()
                },
                0,
                50,
            )
            .await
            .unwrap();
        assert!(trail.iter().any(|e| e.action == "project.launch_override"));
        let past = db.launched_past_the_gate(None).await.unwrap();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].id, q.id);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn the_kept_clocks_and_the_tallies_follow_every_change() {
    each(async |tdb| {
        let db = &tdb.db;
        let s = seed(db).await;
        let pack = builtin_pack().unwrap();
        let rules = pack.incidents.clone().unwrap();
        let model = db.load_model().await.unwrap();
        let set = db.policy_set().await.unwrap();
        let at_noon = t("2026-11-28 12:00");
        let draft = wechat_incident(&s);
        let fields = check_incident(&draft, &model, &rules, at_noon, Lang::Zh).unwrap();
        let by = RecordedBy {
            person: Some(&s.member),
            first_responsible: false,
        };
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let i = tx
            .record_incident(fields.clone(), by, &rules, &set, &model)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let stats = db.incident_stats(None, 2026).await.unwrap();
        assert_eq!((stats.total, stats.open), (1, 1));
        assert_eq!(stats.by_severity, vec![("general".to_string(), 1)]);
        assert_eq!(stats.by_platform, vec![(s.platform.clone(), 1)]);
        assert_eq!(stats.by_month, vec![("2026-11".to_string(), 1)]);
        assert_eq!(db.incident_stats(None, 2025).await.unwrap().total, 0);
        let (months, open) = db
            .incident_months(Some(std::slice::from_ref(&s.college)), 2026)
            .await
            .unwrap();
        assert_eq!((months, open), (vec![("2026-11".to_string(), 1)], 1));

        // Not kept until the next look; read from the timeline meanwhile, as kept after it.
        let line = db.timeline(&i.id).await.unwrap();
        let fresh = clocks(&rules, i.fields.noticed_at, &recorded(&line), at_noon);
        assert!(db.incident(&i.id).await.unwrap().kept.is_none());
        let read = db
            .clocks_now(vec![i.clone()], &rules, at_noon)
            .await
            .unwrap();
        assert_eq!(read[0].1, fresh);
        assert_eq!(db.settle_incident_clocks(&rules, at_noon).await.unwrap(), 1);
        assert_eq!(db.settle_incident_clocks(&rules, at_noon).await.unwrap(), 0);
        let kept = db.incident(&i.id).await.unwrap();
        assert_eq!(kept.kept_clocks(&rules.clock_terms(), at_noon), Some(fresh));
        // The general first response is due in 24 hours: late only after that.
        assert!(
            db.late_incidents(None, &rules, at_noon)
                .await
                .unwrap()
                .is_empty()
        );
        let next_day = t("2026-11-29 09:01");
        let late = db.late_incidents(None, &rules, next_day).await.unwrap();
        assert_eq!(late.len(), 1);
        let line = db.timeline(&i.id).await.unwrap();
        assert_eq!(
            late[0].1,
            clocks(&rules, i.fields.noticed_at, &recorded(&line), next_day)
        );
        assert!(
            db.late_incidents(Some(&["elsewhere".to_string()]), &rules, next_day)
                .await
                .unwrap()
                .is_empty()
        );

        // Raised to major at noon: the kept clocks no longer stand, the tallies move.
        let mut raised = fields.clone();
        raised.severity = "major".into();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let i = tx
            .edit_incident(
                &i.id,
                kept.version,
                raised,
                "校外转载",
                by,
                &rules,
                &set,
                &model,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(db.incident(&i.id).await.unwrap().kept.is_none());
        let stats = db.incident_stats(None, 2026).await.unwrap();
        assert_eq!(stats.by_severity, vec![("major".to_string(), 1)]);
        assert_eq!(stats.total, 1);
        // Found late at 13:01 (an hour from the raise) before the next look and after it.
        let past = t("2026-11-28 13:01");
        assert!(
            db.late_incidents(None, &rules, t("2026-11-28 12:59"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.late_incidents(None, &rules, past).await.unwrap().len(),
            1
        );
        assert_eq!(db.settle_incident_clocks(&rules, at_noon).await.unwrap(), 1);
        assert!(
            db.late_incidents(None, &rules, t("2026-11-28 12:59"))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            db.late_incidents(None, &rules, past).await.unwrap().len(),
            1
        );

        // Other rules: the clocks kept under the old ones are stale and worked out anew.
        let mut other = rules.clone();
        for l in &mut other.severities {
            for (_, m) in &mut l.clocks {
                *m *= 2;
            }
        }
        assert_ne!(other.clock_terms(), rules.clock_terms());
        let i = db.incident(&i.id).await.unwrap();
        assert!(i.kept_clocks(&other.clock_terms(), past).is_none());
        let line = db.timeline(&i.id).await.unwrap();
        let read = db.clocks_now(vec![i.clone()], &other, past).await.unwrap();
        assert_eq!(
            read[0].1,
            clocks(&other, i.fields.noticed_at, &recorded(&line), past)
        );
        assert!(
            db.late_incidents(None, &other, past)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(db.settle_incident_clocks(&other, past).await.unwrap(), 1);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}
