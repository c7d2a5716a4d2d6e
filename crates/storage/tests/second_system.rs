//! A second responsibility system side by side with the built-in one: the example pack
//! `docs/examples/cqu-mse-clean-government-2025-2.toml` (党风廉政建设责任制) loaded next to the
//! seed, on SQLite always and on PostgreSQL when `ZEREN_TEST_POSTGRES` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use zeren_core::Lang;
use zeren_core::policy::{BUILTIN_PACK_ID, EvidenceOf, PolicyPack, builtin_pack, parse_pack};
use zeren_core::responsibility::{Answer, Target, resolve};
use zeren_storage::repo::records::{RecordDraft, sniff};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, StorageError, StoredObligation, ledger};

const EXAMPLE_SOURCE: &str =
    include_str!("../../../docs/examples/cqu-mse-clean-government-2025-2.toml");
const EXAMPLE_ID: &str = "cqu-mse-2025-2";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 4, 0, 0).unwrap()
}

fn example_pack() -> PolicyPack {
    parse_pack(EXAMPLE_SOURCE).unwrap_or_else(|d| panic!("example pack: {d:?}"))
}

async fn each(story: impl AsyncFn(&TestDb)) {
    for t in engines().await {
        eprintln!("story on {}", t.label);
        story(&t).await;
        t.finish().await;
    }
}

struct Seed {
    college: String,
    secretary: String,
    deputy: String,
    discipline_member: String,
}

/// The built-in pack, a university and the college cqu-mse: a secretary, a deputy secretary
/// holding publicity (a standing portfolio of the post, the seed's) and discipline (assigned
/// from the example's effective date, the example's), and a discipline inspection member (a post
/// kind only the example pack knows). The example pack is not loaded yet.
async fn seed(db: &Db) -> Seed {
    ledger::initialise(db, now()).await.unwrap();
    let builtin = builtin_pack().unwrap();
    let example = example_pack();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    let (_, college) = university_and_college(&mut tx).await.unwrap();
    let person = async |tx: &mut zeren_storage::Tx, name: &str| {
        tx.create_person(zeren_storage::NewPerson::new(name, &college.id))
            .await
            .unwrap()
            .id
    };
    let secretary = person(&mut tx, "王建国").await;
    let deputy = person(&mut tx, "赵敏").await;
    let discipline_member = person(&mut tx, "陈静").await;
    let sec = tx
        .create_post(&builtin, &college.id, "secretary", "党委书记", &[])
        .await
        .unwrap();
    tx.add_holding(&builtin, &sec.id, &secretary, d("2019-09-01"), None)
        .await
        .unwrap();
    let dep = tx
        .create_post(
            &builtin,
            &college.id,
            "deputy-secretary",
            "党委副书记",
            &["publicity"],
        )
        .await
        .unwrap();
    let dep_holding = tx
        .add_holding(&builtin, &dep.id, &deputy, d("2019-09-01"), None)
        .await
        .unwrap();
    tx.assign_portfolio(
        &example,
        &dep_holding.id,
        "discipline",
        d("2025-03-01"),
        None,
    )
    .await
    .unwrap();
    // The built-in pack has no such post kind; the example pack has.
    assert!(
        tx.create_post(&builtin, &college.id, "discipline-member", "", &[])
            .await
            .is_err()
    );
    let dm = tx
        .create_post(&example, &college.id, "discipline-member", "", &[])
        .await
        .unwrap();
    tx.add_holding(&example, &dm.id, &discipline_member, d("2024-01-01"), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Seed {
        college: college.id,
        secretary,
        deputy,
        discipline_member,
    }
}

async fn load_example(db: &Db) {
    let pack = example_pack();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    tx.load_policy(&pack, EXAMPLE_SOURCE, false).await.unwrap();
    tx.commit().await.unwrap();
}

/// Due dates of each duty's obligations, in order.
fn due_by_duty(obs: &[StoredObligation], prefix: &str) -> BTreeMap<String, Vec<NaiveDate>> {
    let mut out: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for o in obs.iter().filter(|o| o.duty.starts_with(prefix)) {
        out.entry(o.duty.clone()).or_default().push(o.due);
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn chain_zh(a: &Answer) -> String {
    a.chain
        .iter()
        .map(|r| r.describe(Lang::Zh))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_example_pack_is_a_second_series_beside_the_builtin_one() {
    each(async |t| {
        let s = seed(&t.db).await;
        load_example(&t.db).await;
        let series: Vec<String> =
            t.db.policies()
                .await
                .unwrap()
                .iter()
                .map(|p| p.pack.meta.series.clone())
                .collect();
        assert_eq!(
            series,
            ["cqu-mse-clean-government", "cqu-mse-online-ideology"]
        );
        let stored = t.db.policy(EXAMPLE_ID).await.unwrap();
        assert!(!stored.builtin);
        assert_eq!(stored.pack.meta.document_number, "重大材料委〔2025〕2号");

        ledger::sync_obligations(&t.db, &Actor::cli(), 2026, now())
            .await
            .unwrap();
        let obs = t.db.obligations(&s.college, 2026).await.unwrap();

        // Every obligation names the pack of its own series.
        for o in &obs {
            let want = if o.duty.starts_with("cg-") {
                EXAMPLE_ID
            } else {
                BUILTIN_PACK_ID
            };
            assert_eq!(o.policy, want, "{}", o.key);
        }

        // The seed's duties, as without the example.
        let seed_duties = due_by_duty(&obs, "");
        let seed_count: usize = seed_duties
            .iter()
            .filter(|(k, _)| !k.starts_with("cg-"))
            .map(|(_, v)| v.len())
            .sum();
        assert_eq!(seed_count, 9, "{seed_duties:?}");
        assert_eq!(seed_duties["annual-dedicated-study"], vec![d("2026-12-31")]);
        assert_eq!(seed_duties["situation-analysis"].len(), 4);

        // The example's duties, each with its own due dates.
        let cg = due_by_duty(&obs, "cg-");
        let want: BTreeMap<String, Vec<NaiveDate>> = [
            ("cg-annual-study", vec!["2026-06-30"]),
            ("cg-discipline-training", vec!["2026-12-31"]),
            // The deputy secretary and the discipline inspection member; not the secretary.
            ("cg-integrity-talks", vec!["2026-11-30", "2026-11-30"]),
            ("cg-report", vec!["2027-01-31"]),
            ("cg-risk-review", vec!["2026-03-31"]),
            (
                "cg-situation-analysis",
                vec!["2026-04-15", "2026-07-15", "2026-10-15", "2027-01-15"],
            ),
            ("cg-warning-education", vec!["2026-07-15", "2027-01-15"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(d).collect()))
        .collect();
        assert_eq!(cg, want);
        assert_eq!(obs.len(), 9 + 12);

        // The per-person duties are owed for the right people.
        let talks: Vec<&str> = obs
            .iter()
            .filter(|o| o.duty == "cg-integrity-talks")
            .map(|o| o.subject.as_str())
            .collect();
        assert!(talks.contains(&s.deputy.as_str()), "{talks:?}");
        assert!(talks.contains(&s.discipline_member.as_str()), "{talks:?}");
        assert!(!talks.contains(&s.secretary.as_str()), "{talks:?}");
        let training: Vec<&str> = obs
            .iter()
            .filter(|o| o.duty == "cg-discipline-training")
            .map(|o| o.subject.as_str())
            .collect();
        assert_eq!(training, [s.discipline_member.as_str()]);

        // Citations are the example's articles.
        let cite = |duty: &str| {
            obs.iter()
                .find(|o| o.duty == duty)
                .map(|o| o.citation.clone())
                .unwrap()
        };
        assert_eq!(cite("cg-annual-study"), "Art.4(1)");
        assert_eq!(cite("cg-risk-review"), "Art.5(1)");
        assert_eq!(cite("annual-dedicated-study"), "Art.4(2)");

        // Syncing again adds nothing.
        assert_eq!(
            ledger::sync_obligations(&t.db, &Actor::cli(), 2026, now())
                .await
                .unwrap(),
            0
        );
    })
    .await;
}

#[tokio::test]
async fn chains_cite_the_example_packs_own_articles() {
    each(async |t| {
        let s = seed(&t.db).await;
        load_example(&t.db).await;
        let pack = t.db.policy(EXAMPLE_ID).await.unwrap().pack;
        let builtin = builtin_pack().unwrap();
        let model = t.db.load_model().await.unwrap();
        let college = model.org(&s.college).unwrap();
        let at = d("2026-05-01");
        let ask = |pack: &PolicyPack, duty: &str| {
            resolve(
                pack,
                &model,
                college,
                Target::Duty {
                    duty: pack.duty(duty).unwrap(),
                    platform: None,
                },
                at,
            )
            .unwrap()
        };

        // First responsible by Art.2 of the example (the seed says so in Art.3).
        let study = ask(&pack, "cg-annual-study");
        let zh = chain_zh(&study);
        assert_eq!(
            study.person.as_ref().map(|p| p.id.as_str()),
            Some(s.secretary.as_str())
        );
        assert!(!study.vacant);
        assert!(zh.contains("第二条："), "{zh}");
        assert!(!zh.contains("第三条"), "{zh}");
        assert!(zh.contains("第四条第（一）项"), "{zh}");
        let seed_study = ask(&builtin, "annual-dedicated-study");
        let seed_zh = chain_zh(&seed_study);
        assert_eq!(seed_study.person, study.person);
        assert!(seed_zh.contains("第三条："), "{seed_zh}");
        assert!(!seed_zh.contains("第二条"), "{seed_zh}");

        // The discipline portfolio, assigned to the deputy, by Art.5 of the example.
        let risk = ask(&pack, "cg-risk-review");
        let zh = chain_zh(&risk);
        assert_eq!(
            risk.person.as_ref().map(|p| p.id.as_str()),
            Some(s.deputy.as_str())
        );
        assert!(!risk.vacant);
        assert_eq!(
            risk.first_responsible.as_ref().map(|p| p.id.as_str()),
            Some(s.secretary.as_str())
        );
        assert!(
            zh.contains("第五条：") && zh.contains("分管纪检监察"),
            "{zh}"
        );
        assert!(!zh.contains("第三条") && !zh.contains("第二条"), "{zh}");
        let en = risk
            .chain
            .iter()
            .map(|r| r.describe(Lang::En))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(en.contains("Art.5: "), "{en}");

        // Before the assignment began (and before the example was in force) nobody held
        // discipline: the duty passes to the first responsible person.
        let before = resolve(
            &pack,
            &model,
            college,
            Target::Duty {
                duty: pack.duty("cg-risk-review").unwrap(),
                platform: None,
            },
            d("2025-01-15"),
        )
        .unwrap();
        assert_eq!(
            before.person.as_ref().map(|p| p.id.as_str()),
            Some(s.secretary.as_str())
        );
        assert!(chain_zh(&before).contains("第二条："));
    })
    .await;
}

#[tokio::test]
async fn a_duty_id_of_another_series_is_refused() {
    each(async |t| {
        ledger::initialise(&t.db, now()).await.unwrap();
        load_example(&t.db).await;
        let before = t.db.policies().await.unwrap().len();
        assert_eq!(before, 2);

        // A third system that reuses the seed's `annual-dedicated-study`.
        let src = EXAMPLE_SOURCE
            .replacen("id = \"cqu-mse-2025-2\"", "id = \"cqu-mse-2025-9\"", 1)
            .replacen(
                "series = \"cqu-mse-clean-government\"",
                "series = \"cqu-mse-other-system\"",
                1,
            )
            .replace("cg-", "other-")
            .replacen(
                "id = \"other-annual-study\"",
                "id = \"annual-dedicated-study\"",
                1,
            )
            .replacen(
                "duties = [\"other-annual-study\"]",
                "duties = [\"annual-dedicated-study\"]",
                1,
            );
        let pack = parse_pack(&src).unwrap_or_else(|d| panic!("{d:?}"));
        assert!(pack.duty("annual-dedicated-study").is_some());
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx.load_policy(&pack, &src, false).await.unwrap_err();
        match &err {
            StorageError::Invalid(msg) => {
                assert!(msg.contains("annual-dedicated-study"), "{msg}");
                assert!(msg.contains("cqu-mse-online-ideology"), "{msg}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        drop(tx);
        assert_eq!(t.db.policies().await.unwrap().len(), before);
        assert!(t.db.policy("cqu-mse-2025-9").await.is_err());

        // Reusing one of the example's own ids from a third series is refused the same way.
        let src2 = EXAMPLE_SOURCE
            .replacen("id = \"cqu-mse-2025-2\"", "id = \"cqu-mse-2025-8\"", 1)
            .replacen(
                "series = \"cqu-mse-clean-government\"",
                "series = \"cqu-mse-third-system\"",
                1,
            );
        let pack2 = parse_pack(&src2).unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let err = tx.load_policy(&pack2, &src2, false).await.unwrap_err();
        assert!(
            matches!(&err, StorageError::Invalid(m) if m.contains("cg-") && m.contains("cqu-mse-clean-government")),
            "{err}"
        );
        drop(tx);
        assert_eq!(t.db.policies().await.unwrap().len(), before);
    })
    .await;
}

/// A 廉政谈话记录 of the college: the secretary talked with `with` on `on`.
fn integrity_talk(s: &Seed, on: &str, with: &[&str]) -> RecordDraft {
    RecordDraft {
        kind: "integrity-talk".into(),
        org: s.college.clone(),
        title: "2026年度廉政谈话".into(),
        values: [
            ("talked-on", json!(on)),
            ("talker", json!(s.secretary)),
            ("talked-with", json!(with)),
            ("talk-kind", json!("annual")),
            (
                "content",
                json!(
                    "围绕分管领域廉政风险、八项规定精神落实情况谈话，提醒严格执行“三重一大”制度。"
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        ..RecordDraft::default()
    }
}

/// The message of a refusal.
fn refusal<T: std::fmt::Debug>(r: Result<T, StorageError>) -> String {
    match r {
        Err(StorageError::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_integrity_talk_record_of_the_examples_own_kind_discharges_its_obligation() {
    each(async |t| {
        let s = seed(&t.db).await;
        load_example(&t.db).await;
        for year in [2025, 2026] {
            ledger::sync_obligations(&t.db, &Actor::cli(), year, now())
                .await
                .unwrap();
        }
        let model = t.db.load_model().await.unwrap();
        let pack = t.db.policy(EXAMPLE_ID).await.unwrap().pack;
        assert!(pack.record_kind("integrity-talk").is_some());
        assert!(pack.record_kind("risk-point-review").is_some());
        let talk_of = |obs: &[StoredObligation], person: &str| {
            obs.iter()
                .find(|o| o.duty == "cg-integrity-talks" && o.subject == person)
                .cloned()
                .unwrap_or_else(|| panic!("no talk obligation for {person}"))
        };
        let obs_2026 = t.db.obligations(&s.college, 2026).await.unwrap();
        let obs_2025 = t.db.obligations(&s.college, 2025).await.unwrap();
        let deputy_2026 = talk_of(&obs_2026, &s.deputy);
        let deputy_2025 = talk_of(&obs_2025, &s.deputy);
        let member_2026 = talk_of(&obs_2026, &s.discipline_member);
        assert_eq!(deputy_2026.policy, EXAMPLE_ID);
        assert_eq!(deputy_2026.period, "2026");
        assert_eq!(deputy_2025.period, "2025");

        // A draft missing a required field is refused, naming the field.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let mut missing = integrity_talk(&s, "2026-11-20", &[&s.deputy]);
        missing.values.remove("talk-kind");
        let msg = refusal(tx.create_record(&missing, &model, &pack, Lang::Zh).await);
        assert!(msg.contains("谈话类型不能为空"), "{msg}");
        let msg = refusal(tx.create_record(&missing, &model, &pack, Lang::En).await);
        assert!(msg.contains("Kind of talk is required"), "{msg}");
        drop(tx);

        // The talk with the deputy secretary, recorded under the example's definition.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let talk = tx
            .create_record(
                &integrity_talk(&s, "2026-11-20", &[&s.deputy]),
                &model,
                &pack,
                Lang::Zh,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(talk.kind, EvidenceOf::Pack("integrity-talk".into()));
        assert_eq!(talk.date, d("2026-11-20"));

        // Without the scanned record the kind's `present` check refuses it.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let msg = refusal(
            tx.attach_evidence(&deputy_2026.id, &talk.id, deputy_2026.version, Lang::Zh)
                .await,
        );
        assert!(msg.contains("「谈话记录扫描件」不能为空"), "{msg}");
        drop(tx);

        // The scan attached through the attachments API, the record discharges the obligation.
        let staged = t.db.staging_file().unwrap();
        std::fs::write(&staged, b"%PDF-1.4\n% integrity talk\n%%EOF\n").unwrap();
        let mime = sniff(&staged, "谈话记录.pdf").unwrap().unwrap();
        let file = t.db.store_file(&staged, mime).await.unwrap();
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        tx.add_attachment(&talk.id, &file, "谈话记录.pdf")
            .await
            .unwrap();
        let done = tx
            .attach_evidence(&deputy_2026.id, &talk.id, deputy_2026.version, Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(done.state, "done");
        assert_eq!(done.completed_on, Some(d("2026-11-20")));
        let obs_2026 = t.db.obligations(&s.college, 2026).await.unwrap();
        assert_eq!(talk_of(&obs_2026, &s.deputy).state, "done");

        // A talk of 2026 does not discharge the obligation of 2025: refused naming the field.
        let mut tx = t.db.begin(&Actor::cli(), now()).await.unwrap();
        let msg = refusal(
            tx.attach_evidence(&deputy_2025.id, &talk.id, deputy_2025.version, Lang::Zh)
                .await,
        );
        assert!(msg.contains("「谈话日期」不在本期（2025）内"), "{msg}");
        let msg = refusal(
            tx.attach_evidence(&deputy_2025.id, &talk.id, deputy_2025.version, Lang::En)
                .await,
        );
        assert!(
            msg.contains("Date of the talk is not within the period 2025"),
            "{msg}"
        );
        // Nor the discipline inspection member's, who was not talked with.
        refusal(
            tx.attach_evidence(&member_2026.id, &talk.id, member_2026.version, Lang::Zh)
                .await,
        );
        drop(tx);
        let obs_2025 = t.db.obligations(&s.college, 2025).await.unwrap();
        assert_ne!(talk_of(&obs_2025, &s.deputy).state, "done");

        // Read back, the record keeps the definition it was made under.
        let stored = t.db.record(&talk.id).await.unwrap();
        assert_eq!(stored.kind, EvidenceOf::Pack("integrity-talk".into()));
        let defined = stored.details.defined().unwrap();
        assert_eq!(defined.policy, EXAMPLE_ID);
        assert_eq!(
            &defined.definition,
            pack.record_kind("integrity-talk").unwrap()
        );
        assert_eq!(defined.values["talked-on"], json!("2026-11-20"));
        assert_eq!(defined.values["talker"], json!(s.secretary));
        assert_eq!(defined.values["talked-with"], json!([s.deputy]));
        assert_eq!(defined.values["talk-kind"], json!("annual"));
        assert!(!defined.values.contains_key("scan"));
        assert_eq!(t.db.record_attachments(&talk.id).await.unwrap().len(), 1);
    })
    .await;
}
