//! The annual assessment on both engines: a round starts with the pack's scheme as a draft,
//! which is edited, published, revised and published again (the first version superseded); a
//! second round for the same scope and year is refused; each change is checked against the
//! version seen (a stale one writes nothing); colleges' and reviewers' texts are kept per
//! college with their own versions; marks are kept in the order made; the results are published
//! in one go (in chunks, however many colleges) and read back by rank, after which nothing
//! changes; the year's obligation counts are exact; the audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::HashMap;
use zeren_core::Lang;
use zeren_core::assessments::{
    Counts, MarkDraft, Scheme, Stage, check_mark, rank as rank_of, score,
};
use zeren_core::policy::{AssessmentStep, BUILTIN_PACK_ID, builtin_pack};
use zeren_storage::repo::assessments::{AssessmentResult, EntryText, SchemeState};
use zeren_storage::testing::{TestDb, engines, execute_raw, university_and_college};
use zeren_storage::{Actor, Db, StorageError, Tx, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// 2027-01-05 12:00 in Shanghai.
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 5, 4, 0, 0).unwrap()
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

struct Seeded {
    university: String,
    college: String,
    other: String,
}

async fn seed(db: &Db) -> Seeded {
    ledger::initialise(db, now()).await.unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (uni, college) = university_and_college(&mut tx).await.unwrap();
    let other = tx
        .create_org(zeren_storage::NewOrg {
            code: "cqu-cs".into(),
            name: "计算机学院".into(),
            kind: zeren_core::vocab::OrgKind::College,
            parent: Some("cqu".into()),
            established_on: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Seeded {
        university: uni.id,
        college: college.id,
        other: other.id,
    }
}

fn scheme() -> Scheme {
    Scheme::from_pack(&builtin_pack().unwrap(), 2026).unwrap()
}

fn office() -> Actor {
    Actor {
        name: "office".into(),
        origin: "127.0.0.1".into(),
    }
}

/// Runs `f` in a transaction by `actor`, committed when it succeeds and dropped when not.
async fn write<T>(
    db: &Db,
    actor: &Actor,
    f: impl AsyncFnOnce(&mut Tx) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    let mut tx = db.begin(actor, now()).await.unwrap();
    let out = f(&mut tx).await;
    if out.is_ok() {
        tx.commit().await.unwrap();
    }
    out
}

async fn actions(db: &Db) -> Vec<String> {
    db.audit_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object_type == "assessment")
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_round_runs_from_its_draft_scheme_to_frozen_results() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let s = seed(db).await;
        let generation = db.ledger_generation().await.unwrap();
        let today = d("2027-01-05");
        let first = scheme();
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.create_assessment_round(BUILTIN_PACK_ID, &s.university, 2026, &first)
                .await
        })
        .await
        .unwrap();
        assert_eq!(r.stage, Stage::Draft);
        assert_eq!(
            (
                r.scheme_version,
                r.newest_version,
                r.newest_is_draft,
                r.version
            ),
            (0, 1, true, 1)
        );
        assert_eq!(
            (r.year, r.scope_org.as_str()),
            (2026, s.university.as_str())
        );
        assert_eq!(r.created_by, "office");
        assert_eq!(db.assessment_round(&r.id).await.unwrap(), r);
        assert_eq!(
            db.assessment_round_of(&s.university, 2026).await.unwrap(),
            Some(r.clone())
        );
        assert_eq!(
            db.assessment_round_of(&s.university, 2025).await.unwrap(),
            None
        );
        assert!(matches!(
            db.assessment_round("nope").await.unwrap_err(),
            StorageError::NotFound { .. }
        ));
        // The stage is its stable spelling in JSON.
        assert_eq!(serde_json::to_value(&r).unwrap()["stage"], "draft");
        assert_eq!(r.to_json()["stage"], "draft");

        // One round per scope and year.
        let dup = write(db, &office(), async |tx: &mut Tx| {
            tx.create_assessment_round(BUILTIN_PACK_ID, &s.university, 2026, &first)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(dup, StorageError::Duplicate { .. }), "{dup:?}");
        // Another year is another round.
        let r2025 = write(db, &office(), async |tx: &mut Tx| {
            tx.create_assessment_round(BUILTIN_PACK_ID, &s.university, 2025, &first)
                .await
        })
        .await
        .unwrap();
        let years: Vec<i32> = db
            .assessment_rounds(None)
            .await
            .unwrap()
            .iter()
            .map(|r| r.year)
            .collect();
        assert_eq!(years, [2026, 2025]);
        assert_eq!(
            db.assessment_rounds(Some(std::slice::from_ref(&s.university)))
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            db.assessment_rounds(Some(std::slice::from_ref(&s.college)))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(db.assessment_rounds(Some(&[])).await.unwrap().is_empty());
        let many: Vec<String> = (0..700)
            .map(|i| format!("org-{i}"))
            .chain([s.university.clone()])
            .collect();
        assert_eq!(db.assessment_rounds(Some(&many)).await.unwrap().len(), 2);
        assert_eq!(r2025.stage, Stage::Draft);

        // The draft is edited; a stale edit is refused and writes nothing.
        let mut edited = first.clone();
        edited.indicators[0].title = "年度专题研究（修订）".into();
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.save_assessment_scheme(&r.id, 1, &edited).await
        })
        .await
        .unwrap();
        assert_eq!(
            (r.version, r.newest_version, r.newest_is_draft),
            (2, 1, true)
        );
        let mut other = first.clone();
        other.indicators[0].title = "stale".into();
        let stale = write(db, &office(), async |tx: &mut Tx| {
            tx.save_assessment_scheme(&r.id, 1, &other).await
        })
        .await
        .unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale:?}");
        let v1 = db.assessment_scheme(&r.id, 1).await.unwrap();
        assert_eq!(v1.scheme, edited);
        assert_eq!(v1.state, SchemeState::Draft);
        assert_eq!(db.assessment_round(&r.id).await.unwrap().version, 2);

        // Nothing but publishing the scheme starts the procedure.
        let early = write(db, &office(), async |tx: &mut Tx| {
            tx.advance_assessment(&r.id, 2, Stage::Step(AssessmentStep::SelfAssessment), today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(early, StorageError::Invalid(_)), "{early:?}");

        // Published: in force, the first step opens; a published version does not change.
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_scheme(
                &r.id,
                2,
                Stage::Step(AssessmentStep::SelfAssessment),
                d("2027-01-02"),
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(r.stage, Stage::Step(AssessmentStep::SelfAssessment));
        assert_eq!(
            (
                r.scheme_version,
                r.newest_version,
                r.newest_is_draft,
                r.version
            ),
            (1, 1, false, 3)
        );
        let v1 = db.assessment_scheme(&r.id, 1).await.unwrap();
        assert_eq!(v1.state, SchemeState::Published);
        assert_eq!(v1.published_on, Some(d("2027-01-02")));
        assert_eq!(v1.published_by.as_deref(), Some("office"));
        let refused = write(db, &office(), async |tx: &mut Tx| {
            tx.save_assessment_scheme(&r.id, 3, &first).await
        })
        .await
        .unwrap_err();
        assert!(matches!(refused, StorageError::Invalid(_)), "{refused:?}");
        let nothing = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_scheme(
                &r.id,
                3,
                Stage::Step(AssessmentStep::SelfAssessment),
                today,
            )
            .await
        })
        .await
        .unwrap_err();
        assert!(matches!(nothing, StorageError::Invalid(_)), "{nothing:?}");

        // Revised as version 2 (a draft; version 1 stays in force), then published.
        let mut second = edited.clone();
        second.indicators[1].title_en = "Situation analysis".into();
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.revise_assessment_scheme(&r.id, 3, &second).await
        })
        .await
        .unwrap();
        assert_eq!(
            (
                r.scheme_version,
                r.newest_version,
                r.newest_is_draft,
                r.version
            ),
            (1, 2, true, 4)
        );
        let twice = write(db, &office(), async |tx: &mut Tx| {
            tx.revise_assessment_scheme(&r.id, 4, &second).await
        })
        .await
        .unwrap_err();
        assert!(matches!(twice, StorageError::Invalid(_)), "{twice:?}");
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_scheme(&r.id, 4, r.stage, today).await
        })
        .await
        .unwrap();
        assert_eq!(
            (
                r.scheme_version,
                r.newest_version,
                r.newest_is_draft,
                r.version
            ),
            (2, 2, false, 5)
        );
        assert_eq!(r.stage, Stage::Step(AssessmentStep::SelfAssessment));
        let versions: Vec<(i64, SchemeState)> = db
            .assessment_schemes(&r.id)
            .await
            .unwrap()
            .iter()
            .map(|v| (v.version, v.state))
            .collect();
        assert_eq!(
            versions,
            [(1, SchemeState::Superseded), (2, SchemeState::Published)]
        );
        assert_eq!(db.assessment_scheme(&r.id, 2).await.unwrap().scheme, second);

        // The colleges' texts: made by the first (from version 0), then from the version seen.
        let secretary = Actor {
            name: "secretary".into(),
            origin: "127.0.0.1".into(),
        };
        let e = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(
                &r.id,
                &s.college,
                0,
                EntryText::SelfAssessment,
                "全年完成专题研究两次",
                today,
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(e.version, 1);
        assert_eq!(e.self_assessment.as_deref(), Some("全年完成专题研究两次"));
        assert_eq!(e.self_submitted_on, Some(today));
        assert_eq!(e.self_submitted_by.as_deref(), Some("secretary"));
        assert_eq!(e.review, None);
        // Version 0 once the entry exists is stale: nothing written.
        let again = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(&r.id, &s.college, 0, EntryText::SelfAssessment, "x", today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(again, StorageError::Conflict { .. }), "{again:?}");
        // A version above 0 for an entry not made yet is stale too.
        let ahead = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(&r.id, &s.other, 3, EntryText::SelfAssessment, "x", today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(ahead, StorageError::Conflict { .. }), "{ahead:?}");
        assert_eq!(db.assessment_entry(&r.id, &s.other).await.unwrap(), None);
        let e = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(
                &r.id,
                &s.college,
                1,
                EntryText::DutyReport { submit: false },
                "述职报告初稿",
                today,
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(e.version, 2);
        assert_eq!(e.duty_report.as_deref(), Some("述职报告初稿"));
        assert_eq!(e.duty_report_submitted_on, None);
        assert_eq!(
            e.self_assessment.as_deref(),
            Some("全年完成专题研究两次"),
            "other texts are kept"
        );
        let e = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(
                &r.id,
                &s.college,
                2,
                EntryText::DutyReport { submit: true },
                "述职报告",
                today,
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(e.version, 3);
        assert_eq!(e.duty_report.as_deref(), Some("述职报告"));
        assert_eq!(e.duty_report_submitted_on, Some(today));
        assert_eq!(e.duty_report_submitted_by.as_deref(), Some("secretary"));
        let submitted = write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(
                &r.id,
                &s.college,
                3,
                EntryText::DutyReport { submit: false },
                "改",
                today,
            )
            .await
        })
        .await
        .unwrap_err();
        assert!(
            matches!(submitted, StorageError::Invalid(_)),
            "{submitted:?}"
        );
        write(db, &secretary, async |tx: &mut Tx| {
            tx.save_assessment_text(&r.id, &s.other, 0, EntryText::SelfAssessment, "自评", today)
                .await
        })
        .await
        .unwrap();

        // One step at a time; a stale step is refused.
        let review = Stage::Step(AssessmentStep::Review);
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.advance_assessment(&r.id, 5, review, today).await
        })
        .await
        .unwrap();
        assert_eq!((r.stage, r.version), (review, 6));
        let stale = write(db, &office(), async |tx: &mut Tx| {
            tx.advance_assessment(&r.id, 5, Stage::Step(AssessmentStep::Scoring), today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale:?}");
        assert_eq!(db.assessment_round(&r.id).await.unwrap().stage, review);
        let e = write(db, &office(), async |tx: &mut Tx| {
            tx.save_assessment_text(&r.id, &s.college, 3, EntryText::Review, "材料齐全", today)
                .await
        })
        .await
        .unwrap();
        assert_eq!(e.version, 4);
        assert_eq!(
            (e.review.as_deref(), e.reviewed_on, e.reviewed_by.as_deref()),
            (Some("材料齐全"), Some(today), Some("office"))
        );
        let entries = db.assessment_entries(&r.id).await.unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries.windows(2).all(|w| w[0].org_id < w[1].org_id));
        let scoring = Stage::Step(AssessmentStep::Scoring);
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.advance_assessment(&r.id, 6, scoring, today).await
        })
        .await
        .unwrap();
        // Publication only comes with the results.
        let publication = Stage::Step(AssessmentStep::Publication);
        let bare = write(db, &office(), async |tx: &mut Tx| {
            tx.advance_assessment(&r.id, r.version, publication, today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(bare, StorageError::Invalid(_)), "{bare:?}");

        // Marks, in the order made, under the scheme in force only.
        let in_force = db.assessment_scheme(&r.id, r.scheme_version).await.unwrap();
        let mark = |indicator: &str, points: &str, reason: &str| {
            check_mark(
                &MarkDraft {
                    indicator: indicator.into(),
                    kind: "adjustment".into(),
                    points: points.into(),
                    reason: reason.into(),
                },
                &in_force.scheme,
                Lang::Zh,
            )
            .unwrap()
        };
        let marks = [
            (
                &s.college,
                mark("dedicated-study", "-2", "专题研究材料不全"),
            ),
            (&s.other, mark("situation-analysis", "1.5", "研判质量高")),
            (&s.college, mark("dedicated-study", "0.5", "补充材料")),
        ];
        for (org, m) in &marks {
            write(db, &office(), async |tx: &mut Tx| {
                tx.add_assessment_mark(&r.id, org, r.scheme_version, m, today)
                    .await
            })
            .await
            .unwrap();
        }
        let old = write(db, &office(), async |tx: &mut Tx| {
            tx.add_assessment_mark(&r.id, &s.college, 1, &marks[0].1, today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(old, StorageError::Invalid(_)), "{old:?}");
        let stored = db.assessment_marks(&r.id, None).await.unwrap();
        assert_eq!(
            stored
                .iter()
                .map(|m| (&m.org_id, m.mark.clone()))
                .collect::<Vec<_>>(),
            marks
                .iter()
                .map(|(o, m)| (*o, m.clone()))
                .collect::<Vec<_>>()
        );
        assert!(
            stored
                .iter()
                .all(|m| m.marked_by == "office" && m.marked_on == today && m.scheme_version == 2)
        );
        let mine = db.assessment_marks(&r.id, Some(&s.college)).await.unwrap();
        assert_eq!(
            mine.iter().map(|m| m.mark.points).collect::<Vec<_>>(),
            [-200, 50]
        );

        // Results: scored by the core, ranked, published at once; then frozen.
        let orgs = [s.college.clone(), s.other.clone()];
        let scores: Vec<_> = orgs
            .iter()
            .map(|o| {
                let m: Vec<_> = stored
                    .iter()
                    .filter(|x| &x.org_id == o)
                    .map(|x| x.mark.clone())
                    .collect();
                score(&in_force.scheme, &HashMap::new(), &m)
            })
            .collect();
        let ranks = rank_of(&scores.iter().map(|s| s.total).collect::<Vec<_>>());
        let results: Vec<AssessmentResult> = orgs
            .iter()
            .zip(scores)
            .zip(ranks)
            .map(|((o, sc), rk)| AssessmentResult {
                org_id: o.clone(),
                total: sc.total,
                rank: rk,
                score: sc,
            })
            .collect();
        let stale = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_results(&r.id, r.version - 1, &results, None, today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(stale, StorageError::Conflict { .. }), "{stale:?}");
        assert!(db.assessment_results(&r.id).await.unwrap().is_empty());
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_results(
                &r.id,
                r.version,
                &results,
                Some("重大委考〔2027〕1号"),
                today,
            )
            .await
        })
        .await
        .unwrap();
        assert_eq!(r.stage, publication);
        assert_eq!(r.published_on, Some(today));
        let back = db.assessment_results(&r.id).await.unwrap();
        let mut expected = results.clone();
        expected.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.org_id.cmp(&b.org_id)));
        assert_eq!(back, expected);
        // 100 less 2 plus 0.5 for the college; 100 (capped) for the other.
        assert_eq!(back[0].org_id, s.other);
        assert_eq!((back[0].total, back[0].rank), (10_000, 1));
        assert_eq!((back[1].total, back[1].rank), (9_850, 2));

        // Frozen: nothing of the round changes any more.
        let v = r.version;
        let frozen: Vec<StorageError> = vec![
            write(db, &office(), async |tx: &mut Tx| {
                tx.add_assessment_mark(&r.id, &s.college, 2, &marks[0].1, today)
                    .await
            })
            .await
            .unwrap_err(),
            write(db, &office(), async |tx: &mut Tx| {
                tx.save_assessment_text(&r.id, &s.college, 4, EntryText::Review, "x", today)
                    .await
            })
            .await
            .unwrap_err(),
            write(db, &office(), async |tx: &mut Tx| {
                tx.revise_assessment_scheme(&r.id, v, &first).await
            })
            .await
            .unwrap_err(),
            write(db, &office(), async |tx: &mut Tx| {
                tx.publish_assessment_results(&r.id, v, &results, None, today)
                    .await
            })
            .await
            .unwrap_err(),
        ];
        for e in &frozen {
            assert!(matches!(e, StorageError::Invalid(_)), "{e:?}");
        }

        assert_eq!(
            actions(db).await,
            [
                "assessment.create",
                "assessment.create",
                "assessment.scheme.save",
                "assessment.scheme.publish",
                "assessment.scheme.revise",
                "assessment.scheme.publish",
                "assessment.self",
                "assessment.report",
                "assessment.report.submit",
                "assessment.self",
                "assessment.advance",
                "assessment.review",
                "assessment.advance",
                "assessment.mark",
                "assessment.mark",
                "assessment.mark",
                "assessment.publish",
            ]
        );
        let publish = db
            .audit_page(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .rfind(|e| e.action == "assessment.publish")
            .unwrap();
        let after: serde_json::Value =
            serde_json::from_str(publish.after.as_deref().unwrap()).unwrap();
        assert_eq!(after["results"]["count"], 2);
        assert_eq!(after["results"]["sha256"].as_str().unwrap().len(), 64);
        // The assessment is outside the ledger: its changes do not move the ledger's figures.
        assert_eq!(db.ledger_generation().await.unwrap(), generation);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn results_of_many_colleges_are_published_in_one_change() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let s = seed(db).await;
        let today = d("2027-02-01");
        // 1 201 colleges (three statements' worth), added by hand.
        let n = 1_201;
        let ids: Vec<String> = (0..n).map(|i| format!("c-{i:05}")).collect();
        for chunk in ids.chunks(400) {
            let values: Vec<String> = chunk
                .iter()
                .map(|id| {
                    format!(
                        "('{id}', '{id}', '学院 {id}', 'college', '{}', 1, 0, 0)",
                        s.university
                    )
                })
                .collect();
            execute_raw(
                db,
                &format!(
                    "INSERT INTO orgs (id, code, name, kind, parent_id, version, created_at, updated_at) VALUES {}",
                    values.join(", ")
                ),
            )
            .await
            .unwrap();
        }
        let sc = scheme();
        let r = write(db, &office(), async |tx: &mut Tx| {
            let r = tx
                .create_assessment_round(BUILTIN_PACK_ID, &s.university, 2026, &sc)
                .await?;
            let r = tx
                .publish_assessment_scheme(
                    &r.id,
                    r.version,
                    Stage::Step(AssessmentStep::SelfAssessment),
                    today,
                )
                .await?;
            tx.advance_assessment(&r.id, r.version, Stage::Step(AssessmentStep::Scoring), today)
                .await
        })
        .await
        .unwrap();
        let one = score(&sc, &HashMap::new(), &[]);
        let results: Vec<AssessmentResult> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| AssessmentResult {
                org_id: id.clone(),
                total: 10_000 - i as i64 / 2,
                rank: 1 + (i as u32 / 2) * 2,
                score: one.clone(),
            })
            .collect();
        // Each college once.
        let twice = [results[0].clone(), results[0].clone()];
        let dup = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_results(&r.id, r.version, &twice, None, today)
                .await
        })
        .await
        .unwrap_err();
        assert!(matches!(dup, StorageError::Duplicate { .. }), "{dup:?}");
        let r = write(db, &office(), async |tx: &mut Tx| {
            tx.publish_assessment_results(&r.id, r.version, &results, Some("重大委考〔2027〕1号"), today)
                .await
        })
        .await
        .unwrap();
        assert!(r.stage.published());
        let back = db.assessment_results(&r.id).await.unwrap();
        assert_eq!(back, results);
        let entry = db
            .audit_page(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .rfind(|e| e.action == "assessment.publish")
            .unwrap();
        let after: serde_json::Value = serde_json::from_str(entry.after.as_deref().unwrap()).unwrap();
        assert_eq!(after["results"]["count"], n);
        assert_eq!(after["results"]["first"].as_array().unwrap().len(), 50);
        assert!(entry.after.as_deref().unwrap().len() < 10_000);
        assert!(db.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

/// Adds an obligation by hand: `state` and `completed_on` as a completion or waiver leaves them.
#[allow(clippy::too_many_arguments)]
async fn obligation(
    db: &Db,
    key: &str,
    org: &str,
    duty: &str,
    year: i32,
    due: &str,
    state: &str,
    completed: Option<&str>,
) {
    let completed = completed.map_or("NULL".to_string(), |c| format!("'{c}'"));
    execute_raw(
        db,
        &format!(
            "INSERT INTO obligations (id, obligation_key, policy_id, duty_id, subject_kind, subject_id, org_id, period, year, due_on, citation, state, completed_on, version, created_at, updated_at) \
             VALUES ('{key}', '{key}', '{BUILTIN_PACK_ID}', '{duty}', 'org', '{org}', '{org}', '{year}', {year}, '{due}', 'Art.4', '{state}', {completed}, 1, 0, 0)"
        ),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_years_obligations_are_counted_exactly() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let s = seed(db).await;
        let (a, b) = (s.college.as_str(), s.other.as_str());
        let study = "annual-dedicated-study";
        let analysis = "situation-analysis";
        for (key, org, duty, year, due, state, done) in [
            (
                "o1",
                a,
                study,
                2026,
                "2026-06-30",
                "done",
                Some("2026-06-30"),
            ),
            (
                "o2",
                a,
                study,
                2026,
                "2026-06-30",
                "done",
                Some("2026-07-01"),
            ),
            ("o3", a, study, 2026, "2026-09-30", "open", None),
            ("o4", a, study, 2026, "2026-12-31", "waived", None),
            // Withdrawn: no longer required, not counted at all.
            ("o5", a, study, 2026, "2026-12-31", "withdrawn", None),
            // Done without a completion day: still owed.
            ("o6", a, study, 2026, "2026-03-31", "done", None),
            (
                "o7",
                a,
                analysis,
                2026,
                "2026-03-31",
                "done",
                Some("2026-01-15"),
            ),
            (
                "o8",
                b,
                study,
                2026,
                "2026-06-30",
                "done",
                Some("2026-05-01"),
            ),
            // Another year.
            (
                "o9",
                a,
                study,
                2025,
                "2025-06-30",
                "done",
                Some("2025-06-01"),
            ),
        ] {
            obligation(db, key, org, duty, year, due, state, done).await;
        }
        let c = |owed, done, on_time, waived| Counts {
            owed,
            done,
            on_time,
            waived,
        };
        let a_study = (a.to_string(), study.to_string(), c(4, 2, 1, 1));
        let a_analysis = (a.to_string(), analysis.to_string(), c(1, 1, 1, 0));
        let b_study = (b.to_string(), study.to_string(), c(1, 1, 1, 0));
        let sorted = |mut v: Vec<(String, String, Counts)>| {
            v.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
            v
        };
        let every = sorted(vec![a_study.clone(), a_analysis.clone(), b_study.clone()]);
        assert_eq!(
            sorted(db.assessment_counts(2026, None, None, &[]).await.unwrap()),
            every
        );
        // Owed once due (o3, due 30 September, is not yet on 31 August), or once done.
        let due_by = chrono::NaiveDate::from_ymd_opt(2026, 8, 31);
        assert_eq!(
            db.assessment_counts(2026, due_by, Some(&[a.to_string()]), &[study])
                .await
                .unwrap(),
            vec![(a.to_string(), study.to_string(), c(3, 2, 1, 1))]
        );
        assert_eq!(
            sorted(
                db.assessment_counts(2026, None, Some(&[a.to_string()]), &[])
                    .await
                    .unwrap()
            ),
            sorted(vec![a_study.clone(), a_analysis.clone()])
        );
        assert_eq!(
            sorted(
                db.assessment_counts(2026, None, None, &[study])
                    .await
                    .unwrap()
            ),
            sorted(vec![a_study.clone(), b_study.clone()])
        );
        assert_eq!(
            db.assessment_counts(2026, None, Some(&[b.to_string()]), &[analysis])
                .await
                .unwrap(),
            []
        );
        assert_eq!(
            db.assessment_counts(2026, None, Some(&[]), &[])
                .await
                .unwrap(),
            []
        );
        assert_eq!(
            db.assessment_counts(2025, None, None, &[]).await.unwrap(),
            [(a.to_string(), study.to_string(), c(1, 1, 1, 0))]
        );
        // Lists of orgs named 500 at a time, and a province's, not named in the query: the
        // same counts (each org once however often it is listed).
        for n in [1_200, 6_000] {
            let many: Vec<String> = (0..n)
                .map(|i| format!("org-{i}"))
                .chain([b.to_string(), b.to_string()])
                .collect();
            assert_eq!(
                db.assessment_counts(2026, None, Some(&many), &[])
                    .await
                    .unwrap(),
                std::slice::from_ref(&b_study),
                "{n} orgs"
            );
        }
        let both = [b.to_string(), a.to_string()];
        assert_eq!(
            sorted(
                db.assessment_counts(2026, None, Some(&both), &[])
                    .await
                    .unwrap()
            ),
            every
        );
        let by_org = db
            .assessment_counts_by_org(2026, None, None, &[])
            .await
            .unwrap();
        assert_eq!(by_org[a][study], c(4, 2, 1, 1));
        assert_eq!(by_org[b].len(), 1);
    })
    .await;
}

/// A round with a superseded scheme, texts, a mark and published results.
async fn a_published_round(db: &Db, s: &Seeded) -> String {
    let today = d("2027-01-05");
    let sc = scheme();
    let mut tx = db.begin(&office(), now()).await.unwrap();
    let r = tx
        .create_assessment_round(BUILTIN_PACK_ID, &s.university, 2026, &sc)
        .await
        .unwrap();
    let first = Stage::Step(AssessmentStep::SelfAssessment);
    let r = tx
        .publish_assessment_scheme(&r.id, r.version, first, today)
        .await
        .unwrap();
    let r = tx
        .revise_assessment_scheme(&r.id, r.version, &sc)
        .await
        .unwrap();
    let r = tx
        .publish_assessment_scheme(&r.id, r.version, first, today)
        .await
        .unwrap();
    tx.save_assessment_text(
        &r.id,
        &s.college,
        0,
        EntryText::SelfAssessment,
        "自评",
        today,
    )
    .await
    .unwrap();
    tx.save_assessment_text(
        &r.id,
        &s.college,
        1,
        EntryText::DutyReport { submit: false },
        "述职",
        today,
    )
    .await
    .unwrap();
    let r = tx
        .advance_assessment(
            &r.id,
            r.version,
            Stage::Step(AssessmentStep::Scoring),
            today,
        )
        .await
        .unwrap();
    let m = check_mark(
        &MarkDraft {
            indicator: "dedicated-study".into(),
            kind: "adjustment".into(),
            points: "-1.25".into(),
            reason: "材料不全".into(),
        },
        &sc,
        Lang::Zh,
    )
    .unwrap();
    tx.add_assessment_mark(&r.id, &s.college, r.scheme_version, &m, today)
        .await
        .unwrap();
    let results: Vec<AssessmentResult> = [(&s.other, 1, vec![]), (&s.college, 2, vec![m])]
        .into_iter()
        .map(|(org, rank, marks)| {
            let sc = score(&sc, &HashMap::new(), &marks);
            AssessmentResult {
                org_id: org.clone(),
                total: sc.total,
                rank,
                score: sc,
            }
        })
        .collect();
    tx.publish_assessment_results(
        &r.id,
        r.version,
        &results,
        Some("重大委考〔2027〕1号"),
        today,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    r.id
}

#[tokio::test]
async fn a_round_travels_with_the_backup_to_every_engine() {
    let source = zeren_storage::testing::sqlite().await.unwrap();
    let s = seed(&source.db).await;
    let round = a_published_round(&source.db, &s).await;
    let original = source.db.dump().await.unwrap();
    let held = |dump: &[(&str, Vec<Vec<serde_json::Value>>)], table: &str| {
        dump.iter().find(|(t, _)| *t == table).unwrap().1.len()
    };
    assert_eq!(held(&original, "assessment_schemes"), 2);
    assert_eq!(held(&original, "assessment_results"), 2);
    let key = source.db.key().unwrap().clone();
    let archive =
        std::env::temp_dir().join(format!("zeren-{}-round.zbak", zeren_storage::new_id()));
    source.db.backup(&archive, now()).await.unwrap();
    for target in engines().await {
        target.db.restore(&archive, Some(&key)).await.unwrap();
        assert_eq!(
            target.db.dump().await.unwrap(),
            original,
            "on {}",
            target.label
        );
        let (a, b) = (&source.db, &target.db);
        assert_eq!(
            a.assessment_round(&round).await.unwrap(),
            b.assessment_round(&round).await.unwrap()
        );
        assert_eq!(
            a.assessment_schemes(&round).await.unwrap(),
            b.assessment_schemes(&round).await.unwrap()
        );
        assert_eq!(
            a.assessment_entries(&round).await.unwrap(),
            b.assessment_entries(&round).await.unwrap()
        );
        assert_eq!(
            a.assessment_marks(&round, None).await.unwrap(),
            b.assessment_marks(&round, None).await.unwrap()
        );
        assert_eq!(
            a.assessment_results(&round).await.unwrap(),
            b.assessment_results(&round).await.unwrap()
        );
        assert!(target.db.verify_audit().await.unwrap().is_ok());
        target.finish().await;
    }
    let _ = std::fs::remove_file(archive);
    source.finish().await;
}
