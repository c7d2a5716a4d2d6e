//! The roster's platform sheet (阵地) on both engines: new platforms created with their
//! operators (people and orgs of the same file included) and registration, owing their duties
//! at once; an export imported again changes nothing; a stored platform edited only when the
//! file changes it; every problem at its cell; and nothing written when any platform is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use zeren_core::obligation::SubjectKind;
use zeren_core::org::roster::{
    At, Cell, OrgRow, PersonRow, PlatformRow, Roster, RosterError, Sheet, Step,
    plan_with_platforms, roster_with_platforms,
};
use zeren_core::policy::{PolicyPack, builtin_pack};
use zeren_storage::testing::{TestDb, engines, university_and_college};
use zeren_storage::{Actor, Db, ledger};

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

fn at(sheet: Sheet, row: u32, col: u16) -> At {
    At { sheet, row, col }
}

fn text(sheet: Sheet, row: u32, col: u16, v: &str) -> Cell<String> {
    Cell {
        value: v.to_string(),
        at: at(sheet, row, col),
    }
}

fn opt(sheet: Sheet, row: u32, col: u16, v: &str) -> Option<Cell<String>> {
    (!v.is_empty()).then(|| text(sheet, row, col, v))
}

fn day(sheet: Sheet, row: u32, col: u16, v: &str) -> Option<Cell<NaiveDate>> {
    (!v.is_empty()).then(|| Cell {
        value: d(v),
        at: at(sheet, row, col),
    })
}

fn person(row: u32, staff_no: &str, name: &str, org: &str) -> PersonRow {
    let s = Sheet::People;
    PersonRow {
        staff_no: text(s, row, 0, staff_no),
        name: text(s, row, 1, name),
        org: text(s, row, 2, org),
        email: None,
        wecom: None,
        dingtalk: None,
        left_on: None,
    }
}

/// A platform row: code, name, kind, org, portfolio, news, opened, state, operators, icp,
/// account id, registered on, registering body (empty: not given).
fn platform(row: u32, v: [&str; 13]) -> PlatformRow {
    let s = Sheet::Platforms;
    PlatformRow {
        code: text(s, row, 0, v[0]),
        name: text(s, row, 1, v[1]),
        kind: text(s, row, 2, v[2]),
        org: text(s, row, 3, v[3]),
        portfolio: opt(s, row, 4, v[4]),
        news_function: opt(s, row, 5, v[5]),
        opened_on: day(s, row, 6, v[6]),
        state: opt(s, row, 7, v[7]),
        operators: opt(s, row, 8, v[8]),
        icp: opt(s, row, 9, v[9]),
        account_id: opt(s, row, 10, v[10]),
        registered_on: day(s, row, 11, v[11]),
        registering_body: opt(s, row, 12, v[12]),
    }
}

/// The roster of a new college, two people and two platforms: a planned website of cqu-mse and
/// a running account of the new college, registered.
fn first_roster() -> Roster {
    let o = Sheet::Orgs;
    Roster {
        orgs: vec![OrgRow {
            code: text(o, 2, 0, "cqu-che"),
            name: text(o, 2, 1, "化学化工学院"),
            kind: text(o, 2, 2, "college"),
            parent: opt(o, 2, 3, "cqu"),
            established_on: None,
            closed_on: None,
        }],
        people: vec![
            person(2, "T001", "王一", "cqu-mse"),
            person(3, "T002", "李二", "cqu-che"),
        ],
        platforms: vec![
            platform(
                2,
                [
                    "cqu-mse-web",
                    "材料学院网站",
                    "网站",
                    "cqu-mse",
                    "publicity",
                    "是",
                    "2026-03-01",
                    "筹建",
                    "T001",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
            platform(
                3,
                [
                    "cqu-che-wechat",
                    "化工学院公众号",
                    "wechat-official",
                    "cqu-che",
                    "",
                    "否",
                    "2026-01-10",
                    "",
                    "T002",
                    "",
                    "gh_0123456789ab",
                    "2026-01-05",
                    "某大学化学化工学院",
                ],
            ),
        ],
        ..Roster::default()
    }
}

async fn seed(db: &Db) -> PolicyPack {
    ledger::initialise(db, now()).await.unwrap();
    let mut tx = db.begin(&Actor::cli(), now()).await.unwrap();
    university_and_college(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    builtin_pack().unwrap()
}

async fn plan_of(
    db: &Db,
    pack: &PolicyPack,
    roster: &Roster,
) -> Result<zeren_core::org::roster::Plan, Vec<zeren_core::org::roster::RosterProblem>> {
    let model = db.load_model().await.unwrap();
    let people = db.roster_people().await.unwrap();
    let platforms = db.roster_platforms().await.unwrap();
    plan_with_platforms(pack, &model, &people, &platforms, roster)
}

#[tokio::test]
async fn platforms_come_in_with_the_roster() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let pack = seed(db).await;
        let plan = plan_of(db, &pack, &first_roster()).await.unwrap();
        assert_eq!(plan.counts(Sheet::Platforms).created, 2);
        db.import_roster(&Actor::cli(), now(), &pack, &plan)
            .await
            .unwrap();

        let model = db.load_model().await.unwrap();
        let people = db.roster_people().await.unwrap();
        let staff = |n: &str| {
            people
                .iter()
                .find(|p| p.staff_no.as_deref() == Some(n))
                .unwrap()
                .id
                .clone()
        };
        let web = model.find_platform("cqu-mse-web").unwrap().clone();
        assert_eq!(web.state.as_str(), "planned");
        assert_eq!(web.operators, vec![staff("T001")]);
        assert!(web.news_function);
        assert_eq!(web.portfolio.as_deref(), Some("publicity"));
        let owed = db
            .obligations_about(SubjectKind::Platform, &web.id)
            .await
            .unwrap();
        let reg = owed
            .iter()
            .find(|o| o.duty == "platform-registration")
            .unwrap();
        assert_eq!(reg.state, "open");

        // The account of the new college: running, registered, its registration duty done.
        let wechat = model.find_platform("cqu-che-wechat").unwrap().clone();
        assert_eq!(wechat.state.as_str(), "active");
        assert_eq!(wechat.operators, vec![staff("T002")]);
        let life = db.platform_lifecycle(&wechat.id).await.unwrap();
        assert_eq!(
            life.registration.account_id.as_deref(),
            Some("gh_0123456789ab")
        );
        assert_eq!(life.registration.registered_on, Some(d("2026-01-05")));
        let owed = db
            .obligations_about(SubjectKind::Platform, &wechat.id)
            .await
            .unwrap();
        let reg = owed
            .iter()
            .find(|o| o.duty == "platform-registration")
            .unwrap();
        assert_eq!(reg.state, "done", "{reg:?}");

        // The export imported again changes nothing.
        let facts = db.roster_platforms().await.unwrap();
        let again = roster_with_platforms(&model, &people, &facts);
        assert_eq!(again.platforms.len(), 2);
        let plan = plan_of(db, &pack, &again).await.unwrap();
        assert!(plan.is_empty(), "{:?}", plan.steps);
        assert_eq!(plan.counts(Sheet::Platforms).unchanged, 2);

        // A stored platform edited only in what the file changes.
        let mut edit = again.clone();
        let row = edit
            .platforms
            .iter_mut()
            .find(|r| r.code.value == "cqu-mse-web")
            .unwrap();
        row.name.value = "材料学院门户网站".into();
        row.portfolio = None;
        let plan = plan_of(db, &pack, &edit).await.unwrap();
        assert_eq!(plan.steps.len(), 1, "{:?}", plan.steps);
        match &plan.steps[0].step {
            Step::EditPlatform {
                name,
                portfolio,
                news_function,
                operators,
                registration,
                ..
            } => {
                assert_eq!(name.as_deref(), Some("材料学院门户网站"));
                assert_eq!(portfolio, &Some(None));
                assert!(news_function.is_none() && operators.is_none() && registration.is_none());
            }
            s => panic!("{s:?}"),
        }
        db.import_roster(&Actor::cli(), now(), &pack, &plan)
            .await
            .unwrap();
        let p = db.platform(&web.id).await.unwrap();
        assert_eq!(p.name, "材料学院门户网站");
        assert_eq!(p.portfolio, None);
        assert_eq!(p.operators, vec![staff("T001")]);
    })
    .await;
}

#[tokio::test]
async fn platform_rows_are_refused_at_their_cells_and_nothing_is_written() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let pack = seed(db).await;
        let mut roster = first_roster();
        roster.platforms = vec![
            // Unknown org; an operator who does not exist.
            platform(
                2,
                [
                    "cqu-x-web",
                    "网站",
                    "website",
                    "cqu-x",
                    "",
                    "",
                    "",
                    "",
                    "T999",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
            // An operator of another college; a kind that is none; a bad ICP number; 也许.
            platform(
                3,
                [
                    "cqu-mse-site",
                    "材料学院网站",
                    "wechat",
                    "cqu-mse",
                    "",
                    "也许",
                    "",
                    "",
                    "T002",
                    "ICP12345",
                    "",
                    "",
                    "",
                ],
            ),
            // Running website registered without its ICP number; a state a new one cannot have.
            platform(
                4,
                [
                    "cqu-mse-wb",
                    "材料学院网站2",
                    "website",
                    "cqu-mse",
                    "",
                    "",
                    "",
                    "closed",
                    "",
                    "",
                    "gh_1",
                    "",
                    "",
                ],
            ),
        ];
        let problems = plan_of(db, &pack, &roster).await.unwrap_err();
        let p = Sheet::Platforms;
        let found: Vec<(At, RosterError)> =
            problems.iter().map(|x| (x.at, x.error.clone())).collect();
        for want in [
            (at(p, 2, 3), RosterError::UnknownOrg),
            (at(p, 2, 8), RosterError::UnknownStaffNo),
            (at(p, 3, 2), RosterError::UnknownPlatformKind),
            (at(p, 3, 5), RosterError::NotYesNo),
            (at(p, 3, 8), RosterError::OperatorOutside),
            (at(p, 3, 9), RosterError::BadIcp),
            (at(p, 4, 7), RosterError::PlatformStartState),
        ] {
            assert!(found.contains(&want), "{want:?} not in {found:?}");
        }

        // A roster valid for the plan but refused when written (a platform entered tomorrow):
        // nothing of it is written, not the org nor the people before it.
        let mut roster = first_roster();
        roster.platforms[1].opened_on = day(Sheet::Platforms, 3, 6, "2026-11-29");
        let plan = plan_of(db, &pack, &roster).await.unwrap();
        let e = db
            .import_roster(&Actor::cli(), now(), &pack, &plan)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("阵地!3"), "{e}");
        let model = db.load_model().await.unwrap();
        assert!(model.find_platform("cqu-mse-web").is_none());
        assert!(model.find_org("cqu-che").is_none());
        assert!(db.person_by_staff_no("T001").await.unwrap().is_none());
    })
    .await;
}

/// A kind the pack declares (小红书号) comes in by its Chinese name or its id and goes out by its
/// id, so the export imported again changes nothing; a kind no pack declares (快手号) is refused
/// at its cell.
#[tokio::test]
async fn a_declared_platform_kind_comes_in_by_name_and_round_trips() {
    each(async |t: &TestDb| {
        let db = &t.db;
        let pack = seed(db).await;
        let row = |kind: &str| {
            platform(
                2,
                [
                    "cqu-mse-xhs",
                    "材料学院小红书号",
                    kind,
                    "cqu-mse",
                    "publicity",
                    "否",
                    "2026-03-01",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            )
        };
        let mut roster = Roster {
            platforms: vec![row("快手号")],
            ..Roster::default()
        };
        let problems = plan_of(db, &pack, &roster).await.unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].at, at(Sheet::Platforms, 2, 2));
        assert_eq!(problems[0].error, RosterError::UnknownPlatformKind);

        roster.platforms = vec![row("小红书号")];
        let plan = plan_of(db, &pack, &roster).await.unwrap();
        db.import_roster(&Actor::cli(), now(), &pack, &plan)
            .await
            .unwrap();
        let model = db.load_model().await.unwrap();
        let xhs = model.find_platform("cqu-mse-xhs").unwrap();
        assert_eq!(xhs.kind, pack.platform_kind("xiaohongshu").unwrap());
        let people = db.roster_people().await.unwrap();
        let facts = db.roster_platforms().await.unwrap();
        let again = roster_with_platforms(&model, &people, &facts);
        assert_eq!(again.platforms[0].kind.value, "xiaohongshu");
        assert!(plan_of(db, &pack, &again).await.unwrap().is_empty());
    })
    .await;
}
