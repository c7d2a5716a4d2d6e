//! Calendar tokens, the search index and the ledger rows, on every engine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use zeren_core::clock::noon_in_shanghai;
use zeren_storage::repo::feeds::{SearchQuery, search_terms};
use zeren_storage::repo::records::{AgendaDraft, RecordDraft};
use zeren_storage::testing::{engines, execute_raw};
use zeren_storage::{Actor, Db, demo, ledger};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

async fn subtree(db: &Db, code: &str) -> Vec<String> {
    let model = db.load_model().await.unwrap();
    let org = model.find_org(code).unwrap();
    model
        .subtree(&org.id)
        .iter()
        .map(|o| o.id.clone())
        .collect()
}

fn query(q: &str, orgs: Option<Vec<String>>) -> SearchQuery {
    SearchQuery {
        terms: search_terms(q),
        orgs,
        offset: 0,
        limit: 1000,
    }
}

#[tokio::test]
async fn calendar_tokens_rotate_and_only_the_live_one_opens_the_feed() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, today()).await.unwrap();
        let user = db.user_by_username("secretary").await.unwrap().unwrap();
        assert!(db.calendar_token_of(&user.id).await.unwrap().is_none());

        let mut tx = db
            .begin(&Actor::cli(), noon_in_shanghai(today()))
            .await
            .unwrap();
        let (first, tok) = tx.rotate_calendar_token(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert!(first.starts_with("zcal_") && first.len() > 60);
        let (u, found) = db.calendar_token_user(&first).await.unwrap().unwrap();
        assert_eq!(
            (u.id.as_str(), found.id.as_str()),
            (user.id.as_str(), tok.id.as_str())
        );
        assert_eq!(
            db.calendar_token_of(&user.id).await.unwrap().unwrap().id,
            tok.id
        );

        // Only the hash is stored: no table holds the secret (the token table, the audit log,
        // any other), nor does the token the repository hands back for display.
        for (table, rows) in db.dump().await.unwrap() {
            for row in rows {
                assert!(
                    !row.iter()
                        .any(|v| v.as_str().is_some_and(|t| t.contains(&first[5..]))),
                    "the feed secret is stored in clear in {table}: {row:?}"
                );
            }
        }
        let shown = db.calendar_token_of(&user.id).await.unwrap().unwrap();
        assert!(!format!("{shown:?}").contains(&first[5..]));

        let mut tx = db
            .begin(&Actor::cli(), noon_in_shanghai(today()))
            .await
            .unwrap();
        let (second, tok2) = tx.rotate_calendar_token(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert_ne!(first, second);
        assert!(
            db.calendar_token_user(&first).await.unwrap().is_none(),
            "old token still works"
        );
        assert!(db.calendar_token_user(&second).await.unwrap().is_some());
        assert_eq!(
            db.calendar_token_of(&user.id).await.unwrap().unwrap().id,
            tok2.id
        );
        assert!(
            db.calendar_token_user("zcal_nonsense")
                .await
                .unwrap()
                .is_none()
        );

        // Both changes are in the audit chain, without the secret.
        let entries = db.audit_page(0, 10_000).await.unwrap();
        let actions: Vec<&str> = entries
            .iter()
            .filter(|e| e.object_type == "calendar_token")
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(actions, ["calendar_token.create", "calendar_token.rotate"]);
        assert!(
            !entries
                .iter()
                .any(|e| e.after.as_deref().is_some_and(|a| a.contains(&second[5..])))
        );
        assert!(db.verify_audit().await.unwrap().is_ok());

        // A disabled account's feed is closed.
        execute_raw(
            db,
            &format!("UPDATE users SET disabled = 1 WHERE id = '{}'", user.id),
        )
        .await
        .unwrap();
        assert!(db.calendar_token_user(&second).await.unwrap().is_none());
        t.finish().await;
    }
}

#[tokio::test]
async fn search_finds_short_and_long_chinese_words_within_scope_and_stays_in_step() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, today()).await.unwrap();
        let kind = db.ensure_search_index().await.unwrap();
        eprintln!("{}: search index {}", t.label, kind.as_str());
        assert!(db.search_index_ready().await);
        let counts = db.search_doc_counts().await.unwrap();
        let obligations = db.obligation_count().await.unwrap();
        assert!(
            counts.contains(&("obligation".to_string(), obligations)),
            "{counts:?} vs {obligations}"
        );

        let mse = subtree(db, "cqu-mse").await;
        let cs = subtree(db, "cqu-cs").await;

        // Two characters: the LIKE path.
        let page = db.search(&query("研判", Some(mse.clone()))).await.unwrap();
        assert_eq!(page.mode, "like");
        assert!(page.total > 0);
        assert!(page.hits.iter().all(|h| mse.contains(&h.org)));
        assert!(page.hits.iter().all(|h| h.title.contains("研判")));
        assert!(page.hits.iter().any(|h| h.sub == "situation-analysis"));

        // Six characters: the trigram path.
        let page = db
            .search(&query("网络意识形态", Some(mse.clone())))
            .await
            .unwrap();
        assert_eq!(page.mode, "trigram");
        assert!(page.total > 0 && page.total as usize == page.hits.len());
        assert!(page.hits.iter().all(|h| mse.contains(&h.org)));
        assert!(page.hits.iter().any(|h| h.sub == "annual-dedicated-study"));
        // Two terms: both must match (an org name and a duty word).
        let both = db
            .search(&query("计算机学院 研判", Some(cs.clone())))
            .await
            .unwrap();
        assert!(both.total > 0);
        assert!(both.hits.iter().all(
            |h| cs.contains(&h.org) && format!("{} {}", h.title, h.body).contains("计算机学院")
        ));
        // Nothing outside the scope.
        let none = db
            .search(&query("材料科学", Some(cs.clone())))
            .await
            .unwrap();
        assert_eq!(none.total, 0, "{:?}", none.hits.first());
        assert_eq!(
            db.search(&query("研判", Some(Vec::new())))
                .await
                .unwrap()
                .total,
            0
        );
        // LIKE wildcards are literal.
        assert_eq!(db.search(&query("%", None)).await.unwrap().total, 0);
        // (An annual review's record keeps its checklist as stored, `title_en` and all: a literal
        // underscore finds it, and only what holds one.)
        let underscore = db.search(&query("_", None)).await.unwrap();
        assert!(
            underscore
                .hits
                .iter()
                .all(|h| h.body.contains('_') || h.title.contains('_')),
            "{:?}",
            underscore.hits
        );
        // Paging.
        let all = db.search(&query("网络意识形态", None)).await.unwrap();
        let mut q = query("网络意识形态", None);
        q.limit = 5;
        q.offset = 5;
        let p2 = db.search(&q).await.unwrap();
        assert_eq!(p2.total, all.total);
        assert_eq!(p2.hits, all.hits[5..10].to_vec());

        // Kept in step by triggers: next year's obligations, an org renamed.
        ledger::sync_obligations(db, &Actor::system(), 2027, noon_in_shanghai(today()))
            .await
            .unwrap();
        let counts = db.search_doc_counts().await.unwrap();
        assert!(counts.contains(&(
            "obligation".to_string(),
            db.obligation_count().await.unwrap()
        )));
        let org = db.find_org("cqu-cs").await.unwrap();
        let version = db.org_version("cqu-cs").await.unwrap();
        let mut tx = db
            .begin(&Actor::cli(), noon_in_shanghai(today()))
            .await
            .unwrap();
        tx.update_org(
            &org.id,
            version,
            zeren_storage::OrgEdit {
                name: Some("智能计算学院".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The old name is gone from the org's documents (platform names still carry it).
        let old = db.search(&query("计算机学院", None)).await.unwrap();
        assert!(
            old.hits.iter().all(|h| !h.body.starts_with("计算机学院")),
            "{:?}",
            old.hits[0]
        );
        assert!(
            db.search(&query("智能计算学院", Some(cs.clone())))
                .await
                .unwrap()
                .total
                > 0
        );

        // Records are indexed as they are written: title, minutes, decisions.
        let model = db.load_model().await.unwrap();
        let pack = db
            .policy(zeren_core::policy::BUILTIN_PACK_ID)
            .await
            .unwrap()
            .pack;
        let person = model
            .people()
            .find(|p| p.name == "李明华")
            .unwrap()
            .id
            .clone();
        let draft = RecordDraft {
            kind: "committee-meeting".into(),
            org: "cqu-mse".into(),
            date: "2026-11-20".into(),
            title: "党委会（第十二次）".into(),
            attendees: vec![person],
            agenda: vec![AgendaDraft {
                title: "专题研究网络意识形态工作".into(),
                topics: vec!["online-ideology".into()],
            }],
            minutes: "会议分析了近期校园舆情形势，部署下一阶段工作。".into(),
            ..RecordDraft::default()
        };
        let mut tx = db
            .begin(&Actor::cli(), noon_in_shanghai(today()))
            .await
            .unwrap();
        let record = tx
            .create_record(&draft, &model, &pack, zeren_core::Lang::Zh)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let found = db
            .search(&query("舆情形势", Some(mse.clone())))
            .await
            .unwrap();
        assert_eq!(found.total, 1, "{:?}", found.hits);
        assert_eq!(
            (
                found.hits[0].kind.as_str(),
                found.hits[0].sub.as_str(),
                found.hits[0].id.as_str()
            ),
            ("record", "committee-meeting", record.id.as_str())
        );
        assert_eq!(
            db.search(&query("舆情形势", Some(cs.clone())))
                .await
                .unwrap()
                .total,
            0
        );
        let org = db.find_org("cqu-mse").await.unwrap();
        let mut reader = db.ledger_reader().await.unwrap();
        let rows = reader
            .records(&org.id, "committee-meeting", 2026, None, 10)
            .await
            .unwrap();
        reader.finish().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].body.contains("舆情形势"));

        // A second start does not rebuild (and the index stays as it is).
        db.ensure_search_index().await.unwrap();
        let again = db.search(&query("智能计算学院", None)).await.unwrap();
        assert!(again.total > 0);
        t.finish().await;
    }
}

#[tokio::test]
async fn ledger_pages_by_due_date_from_one_snapshot() {
    for t in engines().await {
        let db = &t.db;
        demo::load(db, today()).await.unwrap();
        let org = db.find_org("cqu-mse").await.unwrap();
        let all = db.obligations(&org.id, 2026).await.unwrap();
        // A note the JSON page must carry through as written.
        let noted = &all[0].id;
        let note = "按期完成，材料已归档。\n第二行 \"引号\" \\ 反斜杠";
        execute_raw(
            db,
            &format!(
                "UPDATE obligations SET completion_note = '{}' WHERE id = '{noted}'",
                note.replace('\'', "''")
            ),
        )
        .await
        .unwrap();

        let mut reader = db.ledger_reader().await.unwrap();
        let counts = reader.counts(2026).await.unwrap();
        assert_eq!(counts[&org.id].obligations, all.len() as i64);
        let directives = counts[&org.id].directives;
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = reader
                .obligations(&org.id, 2026, after.clone(), 3)
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 3);
            after = page.last().map(|o| (o.due, o.id.clone()));
            seen.extend(page);
            // Written meanwhile, elsewhere: not part of this read.
            execute_raw(
                db,
                &format!("UPDATE obligations SET completion_note = '改了' WHERE id = '{noted}'"),
            )
            .await
            .unwrap();
        }
        assert_eq!(seen.len(), all.len());
        assert!(
            seen.windows(2)
                .all(|w| (w[0].due, &w[0].id) < (w[1].due, &w[1].id))
        );
        let row = seen.iter().find(|o| &o.id == noted).unwrap();
        assert_eq!(row.completion_note.as_deref(), Some(note));
        assert!(seen.iter().all(|o| o.org == org.id && !o.duty.is_empty()));
        reader.finish().await.unwrap();

        // A new read sees the change.
        let mut reader = db.ledger_reader().await.unwrap();
        let page = reader
            .obligations(&org.id, 2026, None, 10_000)
            .await
            .unwrap();
        let row = page.iter().find(|o| &o.id == noted).unwrap();
        assert_eq!(row.completion_note.as_deref(), Some("改了"));
        assert_eq!(
            reader.counts(2026).await.unwrap()[&org.id].directives,
            directives
        );
        // An org without obligations that year: an empty page, no count.
        assert!(
            reader
                .obligations(&org.id, 1999, None, 50)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(!reader.counts(1999).await.unwrap().contains_key(&org.id));
        reader.finish().await.unwrap();
        t.finish().await;
    }
}
