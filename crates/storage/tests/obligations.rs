//! The duties ledger in storage: lists and roll-ups with computed statuses, waivers, and the
//! sync that keeps the obligations in step — on SQLite always, on PostgreSQL when
//! `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use std::collections::HashMap;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::obligation::ObligationStatus;
use zeren_storage::repo::events::{EventFilter, EventState};
use zeren_storage::repo::obligations::{
    ObligationFilter, ObligationSort, STATUSES, StatusClock, StatusCounts, WaiverState, YearRows,
};
use zeren_storage::testing::engines;
use zeren_storage::{Actor, Db, StorageError, demo, demo_scale, ledger};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

fn clock() -> StatusClock {
    StatusClock {
        today: d(TODAY),
        due_soon_days: 14,
    }
}

fn year_filter() -> ObligationFilter {
    ObligationFilter {
        year: 2026,
        ..Default::default()
    }
}

async fn all_rows(db: &Db, f: &ObligationFilter) -> Vec<zeren_storage::StoredObligation> {
    db.list_obligations(f, clock(), ObligationSort::Due, 100_000, 0)
        .await
        .unwrap()
}

#[tokio::test]
async fn statuses_filters_and_rollups_agree() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let every = all_rows(db, &year_filter()).await;
        assert!(!every.is_empty(), "{}", t.label);
        let mut counted = StatusCounts::default();
        for o in &every {
            counted.add(o.status(clock()), 1);
        }
        // Which obligations the demo leaves undone depends on their ids; most are done.
        assert!(counted.done > 0, "{}: {counted:?}", t.label);
        // Filtering by a status keeps exactly the rows whose computed status it is.
        for s in STATUSES {
            let f = ObligationFilter {
                statuses: vec![s],
                ..year_filter()
            };
            let rows = all_rows(db, &f).await;
            assert!(rows.iter().all(|o| o.status(clock()) == s), "{}", t.label);
            assert_eq!(rows.len() as i64, counted.get(s), "{} {s:?}", t.label);
            assert_eq!(
                db.count_obligations(&f, clock()).await.unwrap() as i64,
                counted.get(s)
            );
        }
        // The roll-up of the whole university counts the same.
        let uni = db.find_org("cqu").await.unwrap();
        let rollup = db.obligation_rollup(&uni.id, 2026, clock()).await.unwrap();
        assert_eq!(rollup.totals, counted, "{}", t.label);
        let mut cells = StatusCounts::default();
        for c in rollup.cells.values() {
            cells.merge(c);
        }
        assert_eq!(cells, counted);
        // The per-org counts the dashboard sums from add up to the same.
        let mut by_org = StatusCounts::default();
        for a in db.obligation_aggregates(2026, clock()).await.unwrap() {
            by_org.add(a.status, a.count);
        }
        assert_eq!(by_org, counted, "{}", t.label);
        let done_in_months: i64 = rollup.done_by_month.iter().sum();
        assert!(done_in_months > 0 && done_in_months <= counted.done);
        // Subtree of one college: its own obligations and nothing from the other colleges.
        let mse = db.find_org("cqu-mse").await.unwrap();
        let model = db.load_model().await.unwrap();
        let f = ObligationFilter {
            roots: Some(vec![mse.id.clone()]),
            ..year_filter()
        };
        let rows = all_rows(db, &f).await;
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|o| model.is_within(&o.org, &mse.id)));
        let cs = db.find_org("cqu-cs").await.unwrap();
        let college = db.obligation_rollup(&mse.id, 2026, clock()).await.unwrap();
        assert_eq!(college.totals.total as usize, rows.len());
        assert!(college.cells.keys().all(|(org, _)| org == &mse.id
            || model.org(org).unwrap().parent.as_deref() == Some(mse.id.as_str())));
        assert!(!college.cells.keys().any(|(org, _)| org == &cs.id));
        // Paging after filtering, with the total of the whole list.
        let page = db
            .find_obligations(&year_filter(), clock(), ObligationSort::Due, 5, 5)
            .await
            .unwrap();
        assert_eq!(page.total, every.len());
        assert_eq!(page.rows, every[5..10].to_vec());
        // Every sort answers every row once.
        for (sort, _) in ObligationSort::ALL {
            let rows = db
                .list_obligations(&year_filter(), clock(), sort, 100_000, 0)
                .await
                .unwrap();
            assert_eq!(rows.len(), every.len(), "{} {sort:?}", t.label);
        }
        let by_status = db
            .list_obligations(&year_filter(), clock(), ObligationSort::Status, 100_000, 0)
            .await
            .unwrap();
        let first = if counted.overdue > 0 {
            ObligationStatus::Overdue
        } else {
            ObligationStatus::Upcoming
        };
        assert_eq!(by_status[0].status(clock()), first);
        // One duty, one month.
        let f = ObligationFilter {
            duties: Some(vec!["situation-analysis".into()]),
            due_month: Some("2026-04".into()),
            ..year_filter()
        };
        let rows = all_rows(db, &f).await;
        assert_eq!(rows.len(), 3, "{}: one Q1 analysis per college", t.label);
        assert!(rows.iter().all(|o| o.due == d("2026-04-15")));
        t.finish().await;
    }
}

#[tokio::test]
async fn waivers_are_asked_decided_audited_and_version_checked() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let secretary = db.user_by_username("secretary").await.unwrap().unwrap();
        let leader = db.user_by_username("leader").await.unwrap().unwrap();
        let mse = db.find_org("cqu-mse").await.unwrap();
        let list = db.obligations(&mse.id, 2026).await.unwrap();
        let open: Vec<_> = list.iter().filter(|o| o.state == "open").collect();
        assert!(open.len() >= 2);
        let now = noon_in_shanghai(d(TODAY));
        let actor = Actor {
            name: "leader".into(),
            origin: "test".into(),
        };

        // A leader asks; the obligation stays open, its version goes up.
        let o = open[0];
        let mut tx = db.begin(&actor, now).await.unwrap();
        let asked = tx
            .request_waiver(
                &o.id,
                o.version,
                " 本年度该项工作已由学校统一开展 ",
                &leader.id,
                false,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(asked.waiver.state, WaiverState::Pending);
        assert_eq!(asked.waiver.reason, "本年度该项工作已由学校统一开展");
        assert_eq!(asked.obligation.state, "open");
        assert_eq!(asked.obligation.version, o.version + 1);
        // A second request while one is pending is refused; so is a stale version.
        let mut tx = db.begin(&actor, now).await.unwrap();
        let again = tx
            .request_waiver(&o.id, o.version + 1, "x", &leader.id, false)
            .await;
        assert!(matches!(again, Err(StorageError::Invalid(_))), "{again:?}");
        drop(tx);
        let mut tx = db.begin(&actor, now).await.unwrap();
        let stale = tx
            .decide_waiver(&o.id, o.version, &secretary.id, true, None)
            .await;
        assert!(
            matches!(stale, Err(StorageError::Conflict { .. })),
            "{stale:?}"
        );
        drop(tx);
        // The first responsible person approves: waived.
        let mut tx = db.begin(&actor, now).await.unwrap();
        let approved = tx
            .decide_waiver(&o.id, o.version + 1, &secretary.id, true, Some("同意"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(approved.obligation.state, "waived");
        assert_eq!(approved.waiver.state, WaiverState::Approved);
        assert_eq!(
            approved.waiver.decided_by.as_deref(),
            Some(secretary.id.as_str())
        );
        let stored = db.obligation(&o.id).await.unwrap();
        assert_eq!(stored.status(clock()), ObligationStatus::Waived);
        assert_eq!(stored.version, o.version + 2);
        // Found by key too.
        assert_eq!(db.obligation(&o.key).await.unwrap().id, o.id);
        let waivers = db.waivers_of(&o.id).await.unwrap();
        assert_eq!(waivers.len(), 1);
        assert_eq!(waivers[0].requested_by_name, leader.display_name);
        assert_eq!(
            waivers[0].decided_by_name.as_deref(),
            Some(secretary.display_name.as_str())
        );
        // Waiving it again is refused.
        let mut tx = db.begin(&actor, now).await.unwrap();
        let twice = tx
            .request_waiver(&o.id, stored.version, "x", &secretary.id, true)
            .await;
        assert!(matches!(twice, Err(StorageError::Invalid(_))));
        drop(tx);

        // The first responsible person waives directly; an empty reason is refused first.
        let p = open[1];
        let mut tx = db.begin(&actor, now).await.unwrap();
        let empty = tx
            .request_waiver(&p.id, p.version, "  ", &secretary.id, true)
            .await;
        assert!(matches!(empty, Err(StorageError::Invalid(_))));
        drop(tx);
        let mut tx = db.begin(&actor, now).await.unwrap();
        let direct = tx
            .request_waiver(&p.id, p.version, "学院已撤并", &secretary.id, true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(direct.obligation.state, "waived");
        assert_eq!(direct.waiver.state, WaiverState::Approved);

        // A rejected request leaves the obligation owed.
        let q = open.get(2).copied().unwrap_or(open[0]);
        if q.id != o.id {
            let mut tx = db.begin(&actor, now).await.unwrap();
            let asked = tx
                .request_waiver(&q.id, q.version, "理由", &leader.id, false)
                .await
                .unwrap();
            let rejected = tx
                .decide_waiver(
                    &q.id,
                    asked.obligation.version,
                    &secretary.id,
                    false,
                    Some("不同意"),
                )
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(rejected.obligation.state, "open");
            assert_eq!(rejected.waiver.state, WaiverState::Rejected);
        }
        // Every change is in the audit chain.
        let checked = db.verify_audit().await.unwrap().unwrap();
        assert!(checked > 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn sync_keeps_step_and_next_year_from_december() {
    assert_eq!(ledger::years_kept(d("2026-11-30")), vec![2026]);
    assert_eq!(ledger::years_kept(d("2026-12-01")), vec![2026, 2027]);
    assert_eq!(ledger::years_kept(d("2027-01-01")), vec![2027]);
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let now = noon_in_shanghai(d(TODAY));
        let before = all_rows(db, &year_filter()).await;
        // The first round notes the generation (nothing is missing: the demo generated them).
        let first = ledger::sync_year(db, &Actor::system(), 2026, now)
            .await
            .unwrap();
        assert_eq!(first, Some(0), "{}", t.label);
        // In step: skipped.
        assert_eq!(
            ledger::sync_year(db, &Actor::system(), 2026, now)
                .await
                .unwrap(),
            None
        );
        // A new operator in a college: the model moves on, the next round adds their training and
        // leaves every existing row as it was.
        let mse = db.find_org("cqu-mse").await.unwrap();
        let pack = db
            .policy(zeren_core::policy::BUILTIN_PACK_ID)
            .await
            .unwrap()
            .pack;
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        let person = tx
            .create_person(zeren_storage::NewPerson::new("新管理员", &mse.id))
            .await
            .unwrap();
        let post = tx
            .create_post(&pack, &mse.id, "platform-operator", "新媒体平台管理员", &[])
            .await
            .unwrap();
        tx.add_holding(&pack, &post.id, &person.id, d("2026-09-01"), None)
            .await
            .unwrap();
        // … who operates the college's WeChat account from now on.
        let model = db.load_model().await.unwrap();
        let wechat = model.find_platform("cqu-mse-wechat").unwrap();
        let mut fields = zeren_core::platforms::PlatformFields {
            code: wechat.code.clone(),
            name: wechat.name.clone(),
            kind: wechat.kind,
            org: wechat.org.clone(),
            portfolio: wechat.portfolio.clone(),
            news_function: wechat.news_function,
            opened_on: wechat.opened_on,
            operators: wechat.operators.clone(),
            state: wechat.state,
        };
        fields.operators.push(person.id.clone());
        let version = db.platform_lifecycle(&wechat.id).await.unwrap().version;
        tx.update_platform(&wechat.id, version, &fields)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let added = ledger::sync_year(db, &Actor::system(), 2026, now)
            .await
            .unwrap();
        assert_eq!(added, Some(1), "{}", t.label);
        let after = all_rows(db, &year_filter()).await;
        assert_eq!(after.len(), before.len() + 1);
        for o in &before {
            let same = after.iter().find(|a| a.id == o.id).unwrap();
            assert_eq!(same, o, "{}: rows are never touched", t.label);
        }
        assert!(
            after
                .iter()
                .any(|o| o.subject == person.id && o.duty == "operator-training")
        );
        // Next year on its own row of the sync state.
        let next = ledger::sync_year(db, &Actor::system(), 2027, now)
            .await
            .unwrap();
        assert!(next.unwrap() > 0);
        assert!(!db.obligation_keys(2027).await.unwrap().is_empty());
        t.finish().await;
    }
}

/// The university-scale demo on both engines: the batched inserts stay inside both engines'
/// limits, the counts are as promised, and the roll-up of the root adds up.
#[tokio::test]
async fn university_scale_demo_loads() {
    for t in engines().await {
        let db = &t.db;
        let mut stages = Vec::new();
        let mut progress = |stage: &str, done: u64, total: u64| {
            assert!(done <= total);
            if stages.last() != Some(&stage.to_string()) {
                stages.push(stage.to_string());
            }
        };
        // Two thousand incidents: enough to load in several statements of each table.
        let s = demo_scale::load_with(db, d(TODAY), 2000, &mut progress)
            .await
            .unwrap();
        assert_eq!(s.orgs, demo_scale::ORGS, "{}", t.label);
        assert_eq!(s.people, demo_scale::PEOPLE);
        assert_eq!(s.platforms, demo_scale::PLATFORMS);
        // The ordinary demo's four events and the year's events at scale.
        assert_eq!(s.events, demo_scale::EVENTS + 4);
        // The ordinary demo's two incidents and the two thousand at scale.
        assert_eq!(s.incidents, 2000 + 2);
        // Their obligations are done on the day each closed; the open ones are still owed.
        let open = db.open_incident_count().await.unwrap();
        assert!(open > 0 && open < 2000, "{open}");
        // Their tallies count them all, and each keeps its clocks.
        let stats = db.incident_stats(None, 2026).await.unwrap();
        assert_eq!((stats.total, stats.open), (2000 + 2, open), "{}", t.label);
        let pack = db
            .policy(zeren_core::policy::BUILTIN_PACK_ID)
            .await
            .unwrap()
            .pack;
        let rules = pack.incidents.clone().unwrap_or_default();
        let noon = d(TODAY).and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(db.settle_incident_clocks(&rules, noon).await.unwrap(), 0);
        assert!(s.obligations > 6000, "{s:?}");
        assert!(s.done > s.obligations / 2, "{s:?}");
        assert!(stages.iter().any(|x| x == "people"));
        let model = db.load_model().await.unwrap();
        assert_eq!(model.orgs().len(), demo_scale::ORGS);
        let uni = db.find_org("cqu").await.unwrap();
        let rollup = db.obligation_rollup(&uni.id, 2026, clock()).await.unwrap();
        assert_eq!(rollup.totals.total as usize, s.obligations);
        // What is done carries the record that discharged it (a meeting, an analysis, a
        // training, an activity), kept through the ordinary path; the kinds that cannot be
        // recorded yet carry a completion mark.
        let (_, records) = db
            .records(&zeren_storage::repo::records::RecordFilter {
                orgs: model.orgs().iter().map(|o| o.id.clone()).collect(),
                year: Some(2026),
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(records > 200, "{records} records");
        let analysis = db
            .list_obligations(
                &ObligationFilter {
                    year: 2026,
                    duties: Some(vec!["situation-analysis".into()]),
                    ..Default::default()
                },
                clock(),
                ObligationSort::Due,
                100_000,
                0,
            )
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.state == "done" && o.org != uni.id)
            .expect("a done analysis");
        let evidence = db.evidence_of(&analysis.id).await.unwrap();
        assert_eq!(evidence.len(), 1, "{analysis:?}");
        // An event's approval obligation is done exactly when the event stands approved, on
        // the approval day; a few events began without approval.
        let approvals = db
            .list_obligations(
                &ObligationFilter {
                    year: 2026,
                    duties: Some(vec!["online-event-registration".into()]),
                    ..Default::default()
                },
                clock(),
                ObligationSort::Due,
                100_000,
                0,
            )
            .await
            .unwrap();
        assert_eq!(
            approvals.len(),
            s.events,
            "one approval obligation an event"
        );
        let mut events = Vec::new();
        while events.len() < s.events {
            let (page, _) = db
                .online_events(&EventFilter {
                    offset: events.len() as i64,
                    limit: 10_000,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert!(!page.is_empty());
            events.extend(page);
        }
        let state: HashMap<&str, &zeren_storage::repo::events::OnlineEvent> =
            events.iter().map(|e| (e.id.as_str(), e)).collect();
        for o in &approvals {
            let e = state[o.subject.as_str()];
            let approved = e.state == EventState::Approved;
            assert_eq!(o.state == "done", approved, "{o:?} {e:?}");
            if approved {
                assert_eq!(o.completed_on, e.decided_on);
            }
        }
        let unapproved = db
            .count_unapproved_events(None, d(TODAY).and_hms_opt(12, 0, 0).unwrap())
            .await
            .unwrap();
        assert!((100..1000).contains(&unapproved), "{unapproved} unapproved");
        // The demo accounts work as in the ordinary demo.
        assert!(db.user_by_username("supervisor").await.unwrap().is_some());
        let checked = db.verify_audit().await.unwrap().unwrap();
        assert!(checked > 0);
        t.finish().await;
    }
}

/// The year held in memory follows the audit chain: a changed obligation is read again, a
/// generated year is read whole, a copy from another database refuses to follow.
#[tokio::test]
async fn year_rows_follow_the_audit_chain() {
    let mut all = engines().await;
    for t in &all {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let mut rows = YearRows::load(db, 2026).await.unwrap();
        let every = all_rows(db, &year_filter()).await;
        assert_eq!(rows.rows().len(), every.len(), "{}", t.label);
        let held: Vec<_> = rows.rows().collect();
        assert!(
            held.windows(2)
                .all(|w| (w[0].due, &w[0].key) <= (w[1].due, &w[1].key))
        );
        assert!(rows.catch_up(db).await.unwrap());
        // One obligation changes.
        let o = every.iter().find(|o| o.state == "open").unwrap();
        let secretary = db.user_by_username("secretary").await.unwrap().unwrap();
        let now = noon_in_shanghai(d(TODAY));
        let mut tx = db.begin(&Actor::cli(), now).await.unwrap();
        tx.request_waiver(&o.id, o.version, "理由", &secretary.id, true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(rows.catch_up(db).await.unwrap());
        let after = rows.rows().find(|r| r.id == o.id).unwrap();
        assert_eq!(after.state, "waived");
        assert_eq!(rows.stamp(), &db.change_stamp().await.unwrap());
        // Next year's obligations are another year: this one is unchanged by them.
        ledger::sync_obligations(db, &Actor::system(), 2027, now)
            .await
            .unwrap();
        assert!(rows.catch_up(db).await.unwrap());
        assert_eq!(rows.rows().len(), every.len());
        let fresh = YearRows::load(db, 2026).await.unwrap();
        let ids = |r: &YearRows| {
            r.rows()
                .map(|o| (o.id.clone(), o.version))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&rows), ids(&fresh));
        // The indexes followed too: the waived one is found among the waived.
        for st in STATUSES {
            let f = ObligationFilter {
                statuses: vec![st],
                ..year_filter()
            };
            let page = |r: &YearRows| {
                r.page(&f, clock(), ObligationSort::Due, 0, 1000)
                    .unwrap()
                    .iter()
                    .map(|o| o.id.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(page(&rows), page(&fresh), "{st:?}");
        }
    }
    // A copy read from one database does not follow another's chain.
    if all.len() == 1 {
        all.push(zeren_storage::testing::sqlite().await.unwrap());
        demo::load(&all[1].db, d(TODAY)).await.unwrap();
    }
    let mut from_first = YearRows::load(&all[0].db, 2026).await.unwrap();
    assert!(!from_first.catch_up(&all[1].db).await.unwrap());
    for t in all {
        t.finish().await;
    }
}

/// Lists answered from memory and by the database are the same rows in the same order, for
/// every sort and the filters the pages use.
#[tokio::test]
async fn memory_and_database_list_alike() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let model = db.load_model().await.unwrap();
        let year = YearRows::load(db, 2026).await.unwrap();
        let mse = db.find_org("cqu-mse").await.unwrap();
        let college: Vec<String> = model
            .subtree(&mse.id)
            .iter()
            .map(|o| o.id.clone())
            .collect();
        let filters = vec![
            year_filter(),
            ObligationFilter {
                org_ids: Some(college.clone()),
                ..year_filter()
            },
            ObligationFilter {
                org_ids: Some(college.clone()),
                few: true,
                statuses: vec![ObligationStatus::Overdue, ObligationStatus::Upcoming],
                ..year_filter()
            },
            ObligationFilter {
                statuses: vec![ObligationStatus::Done],
                done_month: Some("2026-06".into()),
                ..year_filter()
            },
            ObligationFilter {
                duties: Some(vec!["situation-analysis".into()]),
                due_month: Some("2026-07".into()),
                ..year_filter()
            },
            ObligationFilter {
                org_ids: Some(vec![]),
                ..year_filter()
            },
        ];
        let code = |id: &str| model.org(id).map(|o| o.code.clone()).unwrap_or_default();
        for f in &filters {
            for (sort, name) in ObligationSort::ALL {
                let sql: Vec<String> = db
                    .list_obligations(f, clock(), sort, 100_000, 0)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|o| o.id)
                    .collect();
                let mem: Vec<String> = year
                    .select(f, clock(), sort, code)
                    .into_iter()
                    .map(|o| o.id.clone())
                    .collect();
                assert_eq!(mem, sql, "{} sort {name} filter {f:?}", t.label);
            }
        }
        t.finish().await;
    }
}

/// On-event duties: a directive that reached the database without its obligation (written by
/// an older version, or restored from an archive) gets it from the next sync, once.
#[tokio::test]
async fn sync_adds_the_obligations_of_directives_received() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let mse = db.find_org("cqu-mse").await.unwrap();
        zeren_storage::testing::execute_raw(
            db,
            &format!(
                "INSERT INTO directives (id, org_id, issuer, document_number, received_on, title, content, version, archived, created_by, created_at, updated_at) \
                 VALUES ('dir-raw-1', '{}', '校党委', '党委发〔2026〕9号', '2026-10-10', '关于加强网络阵地管理的通知', '……', 1, 0, 'cli', 0, 0)",
                mse.id
            ),
        )
        .await
        .unwrap();
        let owed = |list: Vec<zeren_storage::StoredObligation>| {
            list.into_iter()
                .filter(|o| o.duty == "directive-implementation" && o.subject == "dir-raw-1")
                .collect::<Vec<_>>()
        };
        assert!(owed(db.obligations(&mse.id, 2026).await.unwrap()).is_empty());
        let now = noon_in_shanghai(d(TODAY));
        let added = ledger::sync_obligations(db, &Actor::system(), 2026, now)
            .await
            .unwrap();
        assert_eq!(added, 1, "{}", t.label);
        let found = owed(db.obligations(&mse.id, 2026).await.unwrap());
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].due,
            d("2026-11-09"),
            "30 days after it was received"
        );
        assert_eq!(
            ledger::sync_obligations(db, &Actor::system(), 2026, now)
                .await
                .unwrap(),
            0,
            "once"
        );
        t.finish().await;
    }
}

/// Closing an org mid-year withdraws its open obligations that fall after it closed — kept,
/// audited, out of the lists and counts — and never touches what was done; reopening it
/// restores them. On every engine.
/// Closes an org on a day, or reopens it (`None`).
async fn set_closed(db: &Db, org: &str, on: Option<NaiveDate>) {
    let version = db.org_version(org).await.unwrap();
    let mut tx = db
        .begin(&Actor::system(), noon_in_shanghai(d(TODAY)))
        .await
        .unwrap();
    let edit = zeren_storage::OrgEdit {
        closed_on: Some(on),
        ..Default::default()
    };
    tx.update_org(org, version, edit).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn obligations_no_longer_required_are_withdrawn_and_restored() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, d(TODAY)).await.unwrap();
        let cs = db.find_org("cqu-cs").await.unwrap();
        let before = db.obligations(&cs.id, 2026).await.unwrap();
        let done_before: Vec<_> = before.iter().filter(|o| o.state == "done").collect();
        assert!(!done_before.is_empty(), "the demo completes some");
        let total_before = db
            .obligation_rollup(&cs.id, 2026, clock())
            .await
            .unwrap()
            .totals
            .total;
        let mut year = YearRows::load(db, 2026).await.unwrap();
        let rows_before = year.rows().len();
        let now = noon_in_shanghai(d(TODAY));
        // The college closes after its branches (the tree's rule).
        let branches: Vec<String> = db
            .load_model()
            .await
            .unwrap()
            .children(&cs.id)
            .map(|o| o.id.clone())
            .collect();
        for org in branches.iter().chain([&cs.id]) {
            set_closed(db, org, Some(d("2026-06-30"))).await;
        }
        ledger::sync_obligations(db, &Actor::system(), 2026, now)
            .await
            .unwrap();

        let after = db.obligations(&cs.id, 2026).await.unwrap();
        let gone: Vec<_> = before
            .iter()
            .filter(|o| !after.iter().any(|a| a.id == o.id))
            .collect();
        assert!(!gone.is_empty(), "on {}", t.label);
        for o in &gone {
            let stored = db.obligation(&o.id).await.unwrap();
            assert!(stored.withdrawn(), "{} on {}", o.key, t.label);
            assert_eq!(o.state, "open", "only open ones are withdrawn");
            assert!(
                o.due > d("2026-06-30"),
                "{} is due after the closing",
                o.key
            );
        }
        for o in &done_before {
            assert!(after.iter().any(|a| a.id == o.id), "done {} kept", o.key);
        }
        let total_after = db
            .obligation_rollup(&cs.id, 2026, clock())
            .await
            .unwrap()
            .totals
            .total;
        assert_eq!(total_after, total_before - gone.len() as i64);
        let audited = zeren_storage::testing::execute_raw(
            db,
            "UPDATE audit_log SET seq = seq WHERE action = 'obligation.withdraw'",
        )
        .await
        .unwrap();
        assert_eq!(audited as usize, gone.len(), "one audit entry each");
        // The copy in memory follows: the withdrawn leave it.
        assert!(year.catch_up(db).await.unwrap());
        assert_eq!(year.rows().len(), rows_before - gone.len());
        assert!(year.rows().all(|o| !o.withdrawn()));
        // A sync with nothing changed changes nothing.
        ledger::sync_obligations(db, &Actor::system(), 2026, now)
            .await
            .unwrap();
        assert_eq!(
            db.obligations(&cs.id, 2026).await.unwrap().len(),
            after.len()
        );

        // Reopened: the same obligations (same ids, their history kept) are owed again.
        for org in [&cs.id].into_iter().chain(&branches) {
            set_closed(db, org, None).await;
        }
        ledger::sync_obligations(db, &Actor::system(), 2026, now)
            .await
            .unwrap();
        let restored = db.obligations(&cs.id, 2026).await.unwrap();
        assert_eq!(restored.len(), before.len(), "on {}", t.label);
        assert!(before.iter().all(|o| restored.iter().any(|r| r.id == o.id)));
        db.verify_audit().await.unwrap().unwrap();
        t.finish().await;
    }
}

/// A page found by walking the year in memory only as far as it needs (due order either way,
/// status order) is the same page as the whole selection cut at that place, for every filter
/// and for a few orgs as for the whole year.
#[tokio::test]
async fn a_page_walked_to_is_the_page_of_the_whole_selection() {
    let t = zeren_storage::testing::sqlite().await.unwrap();
    let db = &t.db;
    demo::load(db, d(TODAY)).await.unwrap();
    let rows = YearRows::load(db, 2026).await.unwrap();
    let some_orgs: Vec<String> = rows.rows().take(40).map(|o| o.org.clone()).collect();
    let mut filters = vec![year_filter()];
    for st in STATUSES {
        filters.push(ObligationFilter {
            statuses: vec![st],
            ..year_filter()
        });
        filters.push(ObligationFilter {
            statuses: vec![st],
            duties: Some(vec!["situation-analysis".into()]),
            ..year_filter()
        });
    }
    filters.push(ObligationFilter {
        duties: Some(vec!["annual-dedicated-study".into()]),
        ..year_filter()
    });
    filters.push(ObligationFilter {
        statuses: vec![ObligationStatus::Overdue, ObligationStatus::Done],
        ..year_filter()
    });
    filters.push(ObligationFilter {
        duties: Some(vec!["situation-analysis".into()]),
        due_month: Some("2026-04".into()),
        ..year_filter()
    });
    filters.push(ObligationFilter {
        org_ids: Some(some_orgs),
        ..year_filter()
    });
    let mut pages = 0;
    for f in &filters {
        for sort in [
            ObligationSort::Due,
            ObligationSort::DueDesc,
            ObligationSort::Status,
        ] {
            let whole = rows.select(f, clock(), sort, |_| String::new());
            assert_eq!(rows.count(f, clock()), whole.len(), "{f:?}");
            for offset in [0, 7, 20, whole.len().saturating_sub(3), whole.len() + 5] {
                let page = rows.page(f, clock(), sort, offset, 20).unwrap();
                let want: Vec<_> = whole.iter().skip(offset).take(20).copied().collect();
                let ids = |v: &[&zeren_storage::StoredObligation]| {
                    v.iter().map(|o| o.id.clone()).collect::<Vec<_>>()
                };
                assert_eq!(ids(&page), ids(&want), "{f:?} {sort:?} from {offset}");
                pages += usize::from(!page.is_empty());
            }
        }
    }
    assert!(pages > 40, "most pages hold rows: {pages}");
    // The orders that need every row first are left to the selection.
    assert!(
        rows.page(&year_filter(), clock(), ObligationSort::Org, 0, 20)
            .is_none()
    );
    t.finish().await;
}
