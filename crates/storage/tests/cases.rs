//! Accountability cases on both engines: a case opened by the commission about a leader in their
//! post runs its whole procedure — statement invited and submitted, decision with a remediation
//! task, served, appealed within the window, the appeal decided, the task reported by its owner
//! and verified by someone else, closed — each step one transaction on the row and the case
//! file, checked against the version seen, and audited; a closed case takes only addenda; a
//! referral waits for the commission; the audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::Lang;
use zeren_core::cases::{
    Action, AppealDecisionDraft, CaseDraft, CaseRules, CaseState, DecisionDraft, FactDraft,
    FindingDraft, TaskDraft, check_appeal_decision, check_case, check_decision, check_task,
};
use zeren_core::policy::builtin_pack;
use zeren_storage::repo::cases::{CaseFilter, EntryKind, StepChange};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, StorageError, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 2026-12-06 12:00 in Shanghai.
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 4, 0, 0).unwrap()
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
    leader: String,
    post: String,
    staff: String,
}

async fn seed(db: &Db) -> Seeded {
    ledger::initialise(db, now()).await.unwrap();
    let pack = builtin_pack().unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let mut person = async |name: &str| {
        tx.create_person(zeren_storage::NewPerson::new(name, &college.id))
            .await
            .unwrap()
            .id
    };
    let leader = person("赵敏").await;
    let staff = person("刘佳").await;
    let post = tx
        .create_post(
            &pack,
            &college.id,
            "committee-member",
            "宣传委员",
            &["publicity"],
        )
        .await
        .unwrap();
    tx.add_holding(&pack, &post.id, &leader, d("2024-09-01"), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Seeded {
        college: college.id,
        leader,
        post: post.id,
        staff,
    }
}

fn grounds() -> Vec<&'static str> {
    vec!["art5-1", "art5-6", "art5-9"]
}

#[tokio::test]
async fn a_case_runs_its_procedure_to_closing_and_then_takes_only_addenda() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let s = seed(db).await;
        let model = db.load_model().await.unwrap();
        let rules = CaseRules::default();
        let today = d("2026-12-06");
        let (fields, facts) = check_case(
            &CaseDraft {
                title: "公众号年审逾期".into(),
                subject_kind: "person".into(),
                org: s.college.clone(),
                person: s.leader.clone(),
                post: s.post.clone(),
                period_from: "2026-01-01".into(),
                period_to: "2026-11-30".into(),
                grounds: vec!["art5-6".into()],
                background: "年审逾期未完成".into(),
                facts: vec![FactDraft {
                    kind: "platform".into(),
                    reference: "p-1".into(),
                    ground: "art5-6".into(),
                    note: "年审逾期 40 天".into(),
                    indicator: "review-overdue".into(),
                }],
            },
            &model,
            &grounds(),
            today,
            Lang::Zh,
        )
        .unwrap();
        let step = async |id: &str, v: i64, a: Action, to: CaseState, c: StepChange| {
            let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
            let out = tx.case_step(id, v, a, to, c, today, None).await;
            match out {
                Ok(c) => {
                    tx.commit().await.unwrap();
                    Ok(c)
                }
                Err(e) => Err(e),
            }
        };
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let c = tx
            .open_case(fields.clone(), &facts, false, today, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(c.state, CaseState::Opened);
        let due = rules.procedure.statement_due(today);
        let c = step(
            &c.id,
            1,
            Action::InviteStatement,
            CaseState::StatementInvited,
            StepChange::default()
                .set("respondent_id", s.leader.clone())
                .set("invitation", "请就公众号年审逾期作出说明")
                .day("invited_on", today)
                .day("statement_due", due)
                .text("请就公众号年审逾期作出说明"),
        )
        .await
        .unwrap();
        assert_eq!(c.statement_due, Some(d("2026-12-11")));
        // An investigation task, reported done once.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let task = tx
            .add_case_inquiry(
                &c.id,
                "调取年审记录",
                &s.staff,
                d("2026-12-10"),
                today,
                None,
            )
            .await
            .unwrap();
        assert_eq!(task.inquiry, Some((s.staff.clone(), d("2026-12-10"))));
        let done = tx
            .answer_case_inquiry(&c.id, task.seq, "年审记录缺失", today, None)
            .await
            .unwrap();
        assert_eq!(done.answers, Some(task.seq));
        tx.commit().await.unwrap();
        assert_eq!(db.open_inquiries_of(&s.staff).await.unwrap(), []);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(
            tx.answer_case_inquiry(&c.id, task.seq, "again", today, None)
                .await
                .is_err()
        );
        drop(tx);
        assert_eq!(c.respondent.as_deref(), Some(s.leader.as_str()));
        // A stale version is refused; nothing is written.
        let stale = step(
            &c.id,
            1,
            Action::SubmitStatement,
            CaseState::StatementReceived,
            StepChange::default().set("statement", "x"),
        )
        .await
        .unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale:?}");
        assert_eq!(db.case(&c.id).await.unwrap().statement, None);
        let c = step(
            &c.id,
            c.version,
            Action::SubmitStatement,
            CaseState::StatementReceived,
            StepChange::default()
                .set("statement", "年审因人员调整延误，已安排补做")
                .day("statement_on", today)
                .text("年审因人员调整延误，已安排补做"),
        )
        .await
        .unwrap();
        // The statement brings a file: on its entry (the latest), listed with it.
        let staged = db.staging_file().unwrap();
        std::fs::write(&staged, b"%PDF-1.4\n% statement\n%%EOF\n").unwrap();
        let pdf = db.store_file(&staged, "application/pdf").await.unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.attach_to_case_entry(&c.id, None, &pdf, "../陈述材料.pdf")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let files = db.case_attachments(&c.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].seq, 6, "the statement's entry");
        assert_eq!(files[0].file.filename, "陈述材料.pdf");
        let decision = check_decision(
            &DecisionDraft {
                findings: vec![FindingDraft {
                    ground: "art5-6".into(),
                    finding: "upheld".into(),
                    reason: "年审逾期属实".into(),
                }],
                forms: vec!["circular".into()],
                decided_on: "2026-12-06".into(),
                decision_text: "给予通报".into(),
                ..DecisionDraft::default()
            },
            &c.fields,
            &rules,
            c.statement_done_on().unwrap(),
            today,
            Lang::Zh,
        )
        .unwrap();
        let c = step(
            &c.id,
            c.version,
            Action::Decide,
            CaseState::Decided,
            StepChange::default().decision(&decision).text("给予通报"),
        )
        .await
        .unwrap();
        assert_eq!(c.decision.as_ref().unwrap().forms, ["circular"]);
        let task = check_task(
            &TaskDraft {
                title: "完成公众号年审".into(),
                owner: s.staff.clone(),
                deadline: "2026-12-31".into(),
            },
            &s.college,
            &model,
            today,
            Lang::Zh,
        )
        .unwrap();
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let task = tx.add_case_task(&c.id, task, None).await.unwrap();
        tx.commit().await.unwrap();
        let c = step(
            &c.id,
            c.version,
            Action::Notify,
            CaseState::Notified,
            StepChange::default().day("notified_on", today),
        )
        .await
        .unwrap();
        let c = step(
            &c.id,
            c.version,
            Action::Appeal,
            CaseState::Appealed,
            StepChange::default()
                .set("appeal", "逾期系客观原因")
                .day("appealed_on", today),
        )
        .await
        .unwrap();
        let ruling = check_appeal_decision(
            &AppealDecisionDraft {
                outcome: "upheld".into(),
                reason: "理由不成立".into(),
                forms: vec![],
                decided_on: "2026-12-06".into(),
            },
            c.fields.subject_kind,
            &rules,
            c.appealed_on.unwrap(),
            today,
            Lang::Zh,
        )
        .unwrap();
        let c = step(
            &c.id,
            c.version,
            Action::DecideAppeal,
            CaseState::AppealDecided,
            StepChange::default().appeal_decision(&ruling),
        )
        .await
        .unwrap();
        // The task: reported by its owner, returned once, reported again, verified.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let task = tx
            .report_case_task(&task.id, 1, "已完成年审", today)
            .await
            .unwrap();
        let task = tx
            .verify_case_task(&task.id, task.version, false, "缺年审记录", None, today)
            .await
            .unwrap();
        assert_eq!(task.reported_on, None);
        let task = tx
            .report_case_task(&task.id, task.version, "年审记录已上传", today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // `verified_by` is a person: an id that is no person is refused by the database.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let wrong = tx
            .verify_case_task(&task.id, task.version, true, "", Some("someone"), today)
            .await;
        assert!(wrong.is_err());
        drop(tx);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let task = tx
            .verify_case_task(
                &task.id,
                task.version,
                true,
                "核验通过",
                Some(&s.leader),
                today,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(task.verified_on, Some(today));
        assert_eq!(
            db.open_case_tasks(std::slice::from_ref(&c.id))
                .await
                .unwrap(),
            []
        );
        let c = step(
            &c.id,
            c.version,
            Action::Close,
            CaseState::Closed,
            StepChange::default().day("closed_on", today),
        )
        .await
        .unwrap();
        // Closed: no step, no note, no fact; an addendum only.
        let refused = step(
            &c.id,
            c.version,
            Action::Appeal,
            CaseState::Appealed,
            StepChange::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, StorageError::Invalid(_)), "{refused:?}");
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let closed = tx
            .attach_to_case_entry(&c.id, Some(6), &pdf, "late.pdf")
            .await
            .unwrap_err();
        assert!(matches!(closed, StorageError::Invalid(_)), "{closed:?}");
        drop(tx);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        assert!(
            tx.add_case_note(&c.id, EntryKind::Note, "x", today, None)
                .await
                .is_err()
        );
        drop(tx);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        tx.add_case_note(&c.id, EntryKind::Addendum, "更正：决定文号", today, None)
            .await
            .unwrap();
        tx.audit_case_view(&c.id, "file", false).await.unwrap();
        tx.commit().await.unwrap();
        let file = db.case_entries(&c.id).await.unwrap();
        let steps: Vec<_> = file.iter().filter_map(|e| e.step.clone()).collect();
        assert_eq!(
            steps,
            [
                "open",
                "invite-statement",
                "submit-statement",
                "decide",
                "task-set",
                "notify",
                "appeal",
                "decide-appeal",
                "task-report",
                "task-return",
                "task-report",
                "task-verify",
                "close"
            ]
        );
        assert_eq!(
            file[1].fact.as_ref().unwrap().indicator.as_deref(),
            Some("review-overdue")
        );
        assert_eq!(file.last().unwrap().kind, EntryKind::Addendum);
        let (list, n) = db
            .cases(&CaseFilter {
                orgs: Some(vec![s.college.clone()]),
                states: vec![CaseState::Closed],
                offset: 0,
                limit: 10,
            })
            .await
            .unwrap();
        assert_eq!((list.len(), n), (1, 1));
        assert_eq!(db.cases_of_respondent(&s.leader).await.unwrap().len(), 1);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_referral_waits_for_the_commission_and_its_referrer_finds_it() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let s = seed(db).await;
        let model = db.load_model().await.unwrap();
        let today = d("2026-12-06");
        let (fields, facts) = check_case(
            &CaseDraft {
                title: "学院网站内容审核不严".into(),
                subject_kind: "org".into(),
                org: s.college.clone(),
                period_from: "2026-06-01".into(),
                period_to: "2026-11-30".into(),
                grounds: vec!["art5-6".into()],
                background: "网站多次出现错误信息".into(),
                ..CaseDraft::default()
            },
            &model,
            &grounds(),
            today,
            Lang::Zh,
        )
        .unwrap();
        let secretary = Actor {
            name: "secretary".into(),
            origin: "127.0.0.1".into(),
        };
        let mut tx = db.begin(&secretary, now()).await.unwrap();
        let c = tx
            .open_case(fields, &facts, true, today, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(c.state, CaseState::Referred);
        assert_eq!(c.referred_by.as_deref(), Some("secretary"));
        assert_eq!(db.referrals_of("secretary").await.unwrap().len(), 1);
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let c = tx
            .case_step(
                &c.id,
                1,
                Action::Decline,
                CaseState::Declined,
                StepChange::default()
                    .set("decline_reason", "不属于问责情形")
                    .text("不属于问责情形"),
                today,
                None,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(c.decline_reason.as_deref(), Some("不属于问责情形"));
        // A step writes only the case's own columns.
        let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
        let bad = tx
            .case_step(
                &c.id,
                c.version,
                Action::Accept,
                CaseState::Opened,
                StepChange::default().set("org_id", "elsewhere"),
                today,
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(bad, StorageError::Invalid(_)));
    })
    .await;
}
