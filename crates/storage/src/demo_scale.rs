//! The university-scale demo (`zeren demo --scale university`): the ordinary demo (with its
//! accounts) grown to a whole university — 1 000 orgs, 20 000 people, 3 000 platforms, 20 000
//! online events (see [`events`]), 50 000 incidents with their timelines (see [`incidents`]), the
//! websites' maintenance logs (see [`websites`]) — with a
//! year of obligations, a deterministic share of them done with the records that discharge them.
//! For benchmarks and load tests.
//!
//! Written with multi-row inserts in a few transactions; each batch writes one audit entry that
//! counts its rows (not one entry per row), so the audit chain stays honest about what was
//! loaded without growing by tens of thousands of entries. Deterministic: the same day gives the
//! same data (ids aside). All names of people are fictitious.

use crate::db::{Tx, new_id};
use crate::error::{Result, StorageError};
use crate::repo::date_text;
use crate::{Actor, Db, demo, demo_evidence, ledger};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;
use sqlx::AssertSqlSafe;
use zeren_core::Lang;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::policy::BUILTIN_PACK_ID;
use zeren_core::vocab::PlatformKind;

mod events;
mod incidents;
mod websites;

pub use events::EVENTS;
pub use incidents::INCIDENTS;

/// Orgs in the whole university.
pub const ORGS: usize = 1000;
/// People in the whole university.
pub const PEOPLE: usize = 20_000;
/// Platforms in the whole university.
pub const PLATFORMS: usize = 3000;
/// Colleges added to the three of the ordinary demo.
const NEW_COLLEGES: usize = 37;
/// Branches of each added college.
const BRANCHES_PER_COLLEGE: usize = 25;
/// Operators (platform-operator posts) of each added college.
const OPERATORS_PER_COLLEGE: usize = 8;

// The columns each demo at scale writes, per table (shared with the province).
pub(crate) const ORG_COLS: &[&str] = &[
    "id",
    "code",
    "name",
    "kind",
    "parent_id",
    "established_on",
    "closed_on",
    "version",
    "created_at",
    "updated_at",
];
pub(crate) const PERSON_COLS: &[&str] = &[
    "id",
    "name",
    "org_id",
    "archived",
    "version",
    "created_at",
    "updated_at",
];
pub(crate) const POST_COLS: &[&str] = &[
    "id",
    "org_id",
    "kind",
    "title",
    "portfolios",
    "archived",
    "version",
    "created_at",
    "updated_at",
];
pub(crate) const HOLDING_COLS: &[&str] = &[
    "id",
    "post_id",
    "person_id",
    "start_on",
    "end_on",
    "note",
    "version",
    "created_at",
    "updated_at",
];
pub(crate) const PLATFORM_COLS: &[&str] = &[
    "id",
    "code",
    "name",
    "kind",
    "org_id",
    "portfolio",
    "news_function",
    "opened_on",
    "closed_on",
    "version",
    "created_at",
    "updated_at",
    "state",
    "state_since",
    "active_from",
];

/// What the scale demo created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleSummary {
    /// Orgs in the database.
    pub orgs: usize,
    /// People.
    pub people: usize,
    /// Platforms.
    pub platforms: usize,
    /// Online events.
    pub events: usize,
    /// Incidents.
    pub incidents: usize,
    /// Obligations of the year.
    pub obligations: usize,
    /// Of which done.
    pub done: usize,
    /// The year.
    pub year: i32,
}

/// Reports progress: (stage, done, total).
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

const COLLEGE_NAMES: [&str; NEW_COLLEGES] = [
    "数学与统计学院",
    "物理学院",
    "化学化工学院",
    "生命科学学院",
    "经济与工商管理学院",
    "公共管理学院",
    "新闻学院",
    "外国语学院",
    "电影学院",
    "艺术学院",
    "建筑城规学院",
    "土木工程学院",
    "环境与生态学院",
    "电气工程学院",
    "能源与动力工程学院",
    "光电工程学院",
    "微电子与通信工程学院",
    "自动化学院",
    "大数据与软件学院",
    "资源与安全学院",
    "航空航天学院",
    "法学院",
    "马克思主义学院",
    "人文社会科学高等研究院",
    "博雅学院",
    "弘深学院",
    "药学院",
    "生物工程学院",
    "医学院",
    "体育学院",
    "美术学院",
    "汽车工程学院",
    "材料物理研究院",
    "国际学院",
    "继续教育学院",
    "创新创业学院",
    "未来技术学院",
];

const UNIT_NAMES: [&str; 24] = [
    "党委办公室",
    "组织部",
    "宣传部",
    "学生工作部",
    "研究生院",
    "教务处",
    "科学技术发展研究院",
    "信息化办公室",
    "图书馆",
    "档案馆",
    "后勤服务集团",
    "保卫处",
    "国际合作与交流处",
    "人事处",
    "财务处",
    "资产管理处",
    "招生就业处",
    "校团委",
    "校工会",
    "校医院",
    "出版社",
    "附属中学",
    "校友工作办公室",
    "网络信息中心",
];

const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
];
const GIVEN: [&str; 48] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "华", "建国", "晓东", "海燕", "文博", "思远", "雨桐",
    "子涵", "浩然", "欣怡", "宇轩", "梓萱", "博文", "佳怡", "俊杰", "诗涵", "志强", "丽华", "晨曦",
    "一鸣", "若曦", "嘉怡", "天佑", "明轩", "雅静", "振华",
];

/// A fictitious name for person number `i` (shared with the province demo).
pub(crate) fn name(i: usize) -> String {
    let s = SURNAMES[i % SURNAMES.len()];
    let g = GIVEN[(i / SURNAMES.len() + i * 7) % GIVEN.len()];
    format!("{s}{g}")
}

/// A value in a multi-row insert.
#[derive(Debug, Clone)]
enum Val {
    Text(String),
    Int(i64),
    /// A null text.
    Null,
    /// A null number (PostgreSQL types the parameter).
    NullInt,
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}

/// Rows waiting to be inserted into one table.
struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Val>>,
}

impl Batch {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Val>) {
        self.rows.push(row);
    }

    /// Inserts the rows, many per statement, and writes one audit entry for the batch.
    async fn write(self, tx: &mut Tx, object_type: &str, progress: Progress<'_>) -> Result<()> {
        // Small enough statements that no single one is slow (sqlx warns after 1 s).
        let per_statement = (3_000 / self.columns.len()).max(1);
        let total = self.rows.len() as u64;
        let mut done = 0u64;
        for chunk in self.rows.chunks(per_statement) {
            let mut text = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            );
            let mut n = 0usize;
            for (i, row) in chunk.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push('(');
                for j in 0..row.len() {
                    if j > 0 {
                        text.push_str(", ");
                    }
                    n += 1;
                    text.push_str(&format!("${n}"));
                }
                text.push(')');
            }
            let mut q = sqlx::query(AssertSqlSafe(text));
            for row in chunk {
                for v in row {
                    q = match v {
                        Val::Text(s) => q.bind(s.clone()),
                        Val::Int(i) => q.bind(*i),
                        Val::Null => q.bind(None::<String>),
                        Val::NullInt => q.bind(None::<i64>),
                    };
                }
            }
            q.execute(tx.conn()).await?;
            done += chunk.len() as u64;
            progress(self.table, done, total);
        }
        tx.audit(
            "demo.scale.insert",
            object_type,
            self.table,
            None,
            Some(&json!({"table": self.table, "rows": total})),
        )
        .await
    }
}

/// The standing portfolios of the posts written in bulk become their holdings' assignments, with
/// one audit entry for the lot.
pub(crate) async fn standing_assignments(tx: &mut Tx) -> Result<()> {
    let now = tx.now_ms();
    let rows = crate::repo::assignments::assign_standing_portfolios(tx.conn(), now).await?;
    tx.audit(
        "demo.scale.insert",
        "assignment",
        "portfolio_assignments",
        None,
        Some(&json!({"table": "portfolio_assignments", "rows": rows})),
    )
    .await
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| StorageError::Invalid(format!("invalid demo date {y}-{m}-{d}")))
}

/// A stable pseudo-random number from a text (shared with the province demo).
pub(crate) fn hash(s: &str) -> u32 {
    s.bytes().fold(2166136261u32, |a, b| {
        (a ^ u32::from(b)).wrapping_mul(16777619)
    })
}

/// Loads the university-scale demo into an empty database, as of `today`.
pub async fn load(db: &Db, today: NaiveDate, progress: Progress<'_>) -> Result<ScaleSummary> {
    load_with(db, today, INCIDENTS, progress).await
}

/// [`load`] with `incidents` incidents instead of [`INCIDENTS`] (a test of the loading itself
/// need not write the benchmark's fifty thousand).
pub async fn load_with(
    db: &Db,
    today: NaiveDate,
    incidents: usize,
    progress: Progress<'_>,
) -> Result<ScaleSummary> {
    progress("demo", 0, 1);
    demo::load(db, today).await?;
    progress("demo", 1, 1);
    let now = noon_in_shanghai(today);
    let ms = now.timestamp_millis();
    let year = today.year();
    let actor = Actor {
        name: "demo".into(),
        origin: "cli".into(),
    };
    let model = db.load_model().await?;
    let uni = db.find_org("cqu").await?;
    let existing_orgs = model.orgs().len();
    let existing_people = model.people_count();
    let existing_platforms = model.platforms().len();

    let mut orgs = Batch::new("orgs", ORG_COLS);
    let mut people = Batch::new("people", PERSON_COLS);
    let mut posts = Batch::new("posts", POST_COLS);
    let mut holdings = Batch::new("holdings", HOLDING_COLS);
    let mut platforms = Batch::new("platforms", PLATFORM_COLS);
    let mut operators = Batch::new("platform_operators", &["platform_id", "person_id"]);
    let mut hosts = Vec::new();
    let mut websites = Vec::new();

    let since = day(year - 4, 9, 1)?;
    let handover_day = day(year, 7, 1)?;
    let mut person_no = 0usize;
    let mut new_person = |org: &str, people: &mut Batch| -> String {
        let id = new_id();
        person_no += 1;
        people.push(vec![
            id.clone().into(),
            name(person_no).into(),
            org.into(),
            0i64.into(),
            1i64.into(),
            ms.into(),
            ms.into(),
        ]);
        id
    };
    let add_post =
        |org: &str, kind: &str, title: &str, portfolios: &str, posts: &mut Batch| -> String {
            let id = new_id();
            posts.push(vec![
                id.clone().into(),
                org.into(),
                kind.into(),
                title.into(),
                portfolios.into(),
                0i64.into(),
                1i64.into(),
                ms.into(),
                ms.into(),
            ]);
            id
        };
    let hold = |post: &str,
                person: &str,
                start: NaiveDate,
                end: Option<NaiveDate>,
                holdings: &mut Batch| {
        holdings.push(vec![
            new_id().into(),
            post.into(),
            person.into(),
            date_text(start).into(),
            end.map(|e| Val::Text(date_text(e))).unwrap_or(Val::Null),
            Val::Null,
            1i64.into(),
            ms.into(),
            ms.into(),
        ]);
    };
    let add_org = |code: &str, name: &str, kind: &str, parent: &str, orgs: &mut Batch| {
        let id = new_id();
        orgs.push(vec![
            id.clone().into(),
            code.into(),
            name.into(),
            kind.into(),
            parent.into(),
            Val::Null,
            Val::Null,
            1i64.into(),
            ms.into(),
            ms.into(),
        ]);
        id
    };

    // Colleges, each with a leadership team, operators and branches.
    let team: [(&str, &str, &str); 6] = [
        ("secretary", "党委书记", ""),
        (
            "deputy-secretary",
            "党委副书记（分管宣传思想、学生工作）",
            "publicity,student-affairs",
        ),
        ("dean", "院长", ""),
        ("vice-dean", "副院长（分管教学、科研）", "teaching,research"),
        ("vice-dean", "副院长（分管网络与信息化）", "network-it"),
        ("committee-member", "党委委员（分管组织）", "organisation"),
    ];
    // (org id, operator person ids) of every org that owns platforms.
    let mut owners: Vec<(String, Vec<String>)> = Vec::new();
    let mut college_ids = Vec::new();
    for (c, cname) in COLLEGE_NAMES.iter().enumerate() {
        let code = format!("cqu-c{:02}", c + 1);
        let college = add_org(&code, cname, "college", &uni.id, &mut orgs);
        college_ids.push(college.clone());
        for (k, (kind, title, portfolios)) in team.iter().enumerate() {
            let post = add_post(&college, kind, title, portfolios, &mut posts);
            let person = new_person(&college, &mut people);
            if k == 0 && c % 5 == 0 {
                // Every fifth college's secretary post changes hands on 1 July.
                hold(
                    &post,
                    &person,
                    since,
                    Some(handover_day - Days::new(1)),
                    &mut holdings,
                );
                let successor = new_person(&college, &mut people);
                hold(&post, &successor, handover_day, None, &mut holdings);
            } else {
                hold(&post, &person, since, None, &mut holdings);
            }
        }
        let mut ops = Vec::new();
        for _ in 0..OPERATORS_PER_COLLEGE {
            let post = add_post(
                &college,
                "platform-operator",
                "新媒体平台管理员",
                "",
                &mut posts,
            );
            let person = new_person(&college, &mut people);
            hold(&post, &person, since, None, &mut holdings);
            ops.push(person);
        }
        owners.push((college.clone(), ops));
        for b in 0..BRANCHES_PER_COLLEGE {
            let bcode = format!("{code}-b{:02}", b + 1);
            let bname = format!("{cname}第{}党支部", b + 1);
            let branch = add_org(&bcode, &bname, "branch", &college, &mut orgs);
            let post = add_post(&branch, "branch-secretary", "党支部书记", "", &mut posts);
            let person = new_person(&branch, &mut people);
            hold(&post, &person, since, None, &mut holdings);
            if b % 5 == 0 {
                let post = add_post(
                    &branch,
                    "platform-operator",
                    "新媒体平台管理员",
                    "",
                    &mut posts,
                );
                let person = new_person(&branch, &mut people);
                hold(&post, &person, since, None, &mut holdings);
            }
        }
    }
    // Functional units, each with a head.
    for (u, uname) in UNIT_NAMES.iter().enumerate() {
        let code = format!("cqu-u{:02}", u + 1);
        let unit = add_org(&code, uname, "unit", &uni.id, &mut orgs);
        let post = add_post(&unit, "unit-head", "负责人", "", &mut posts);
        let person = new_person(&unit, &mut people);
        hold(&post, &person, since, None, &mut holdings);
        let post = add_post(
            &unit,
            "platform-operator",
            "新媒体平台管理员",
            "",
            &mut posts,
        );
        let person = new_person(&unit, &mut people);
        hold(&post, &person, since, None, &mut holdings);
        owners.push((unit, vec![person]));
    }
    let org_rows: Vec<String> = orgs
        .rows
        .iter()
        .filter_map(|r| match &r[0] {
            Val::Text(id) => Some(id.clone()),
            _ => None,
        })
        .collect();
    // Members without posts, spread over the new orgs, up to the head count.
    let total_people = existing_people + people.rows.len();
    for i in 0..PEOPLE.saturating_sub(total_people) {
        let org = &org_rows[i % org_rows.len()];
        new_person(org, &mut people);
    }
    // Platforms, spread over the colleges and units that own them.
    let kinds = [
        PlatformKind::WechatOfficial,
        PlatformKind::Website,
        PlatformKind::Weibo,
        PlatformKind::Video,
        PlatformKind::Livestream,
        PlatformKind::App,
        PlatformKind::Other,
    ];
    let portfolios = ["publicity", "student-affairs", "network-it", "teaching"];
    for i in 0..PLATFORMS.saturating_sub(existing_platforms) {
        let (org, ops) = &owners[i % owners.len()];
        let kind = kinds[i % kinds.len()];
        let id = new_id();
        let opened = day(
            2012 + (i % 14) as i32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        )?;
        platforms.push(vec![
            id.clone().into(),
            format!("cqu-p{:04}", i + 1).into(),
            format!("{}平台{}", kind.name_zh(), i + 1).into(),
            kind.as_str().into(),
            org.clone().into(),
            portfolios[i % portfolios.len()].into(),
            i64::from(i % 3 != 2).into(),
            date_text(opened).into(),
            Val::Null,
            1i64.into(),
            ms.into(),
            ms.into(),
            "active".into(),
            date_text(opened).into(),
            date_text(opened).into(),
        ]);
        let operator = ops[i % ops.len()].clone();
        operators.push(vec![id.clone().into(), operator.clone().into()]);
        if kind == PlatformKind::Website {
            websites.push(id.clone());
        }
        hosts.push(events::Host {
            platform: id,
            org: org.clone(),
            operator,
        });
    }
    let new_orgs = orgs.rows.len();
    let new_people = people.rows.len();
    let new_platforms = platforms.rows.len();

    // One transaction for the org model, parents before children (colleges precede their
    // branches in the batch, and rows of one statement are checked at its end).
    let mut tx = db.begin(&actor, now).await?;
    orgs.write(&mut tx, "org", progress).await?;
    people.write(&mut tx, "person", progress).await?;
    posts.write(&mut tx, "post", progress).await?;
    holdings.write(&mut tx, "holding", progress).await?;
    standing_assignments(&mut tx).await?;
    platforms.write(&mut tx, "platform", progress).await?;
    operators.write(&mut tx, "platform", progress).await?;
    tx.commit().await?;

    // The year's online events, decided by whom the grown model says answers for them.
    let model = db.load_model().await?;
    let pack = db.policy(BUILTIN_PACK_ID).await?.pack;
    let events = events::batch(&model, &pack, &hosts, today, ms)?;
    let (incidents, timelines) = incidents::batches(&model, &pack, &hosts, incidents, today, ms)?;
    let (log, last_log) = websites::batches(&websites, today, ms);
    let mut tx = db.begin(&actor, now).await?;
    events.write(&mut tx, "event", progress).await?;
    incidents.write(&mut tx, "incident", progress).await?;
    timelines.write(&mut tx, "incident", progress).await?;
    crate::repo::incidents::tally_all(&mut tx.tx).await?;
    log.write(&mut tx, "platform", progress).await?;
    last_log.write(&mut tx, "platform", progress).await?;
    tx.commit().await?;
    // Each incident keeps its clocks, as a change by hand leaves them after the next look.
    let rules = pack.incidents.clone().unwrap_or_default();
    let noon = today.and_hms_opt(12, 0, 0).unwrap_or_default();
    db.settle_incident_clocks(&rules, noon).await?;

    progress("obligations", 0, 1);
    ledger::sync_obligations(db, &actor, year, now).await?;
    let mut tx = db.begin(&actor, now).await?;
    let approved =
        events::discharge_approved(&mut tx).await? + incidents::discharge_closed(&mut tx).await?;
    tx.commit().await?;
    progress("obligations", 1, 1);
    let done = complete_share(db, &actor, year, today, progress).await?
        + usize::try_from(approved).unwrap_or(0);
    db.analyze_obligations().await?;
    let obligations = db.obligation_keys(year).await?.len();
    let (_, events) = db
        .online_events(&crate::repo::events::EventFilter::default())
        .await?;
    let (_, incidents) = db
        .incidents(&crate::repo::incidents::IncidentFilter::default())
        .await?;
    Ok(ScaleSummary {
        orgs: existing_orgs + new_orgs,
        people: existing_people + new_people,
        platforms: existing_platforms + new_platforms,
        events: usize::try_from(events).unwrap_or(0),
        incidents: usize::try_from(incidents).unwrap_or(0),
        obligations,
        done,
        year,
    })
}

/// Transactions of this many records each, for the records the scale demo keeps.
const RECORDS_PER_TX: usize = 250;

/// Discharges a deterministic share: of the obligations already due, about four in five, a few
/// days before their due date; of those not yet due, about one in four, in the last weeks. Each
/// gets the record an office would have kept (a meeting, an analysis, a training, an activity;
/// see `demo_evidence`), filed and attached through the same validation and evidence rule as by
/// hand, with its own audit entries. Online events are left as they stand: their approval is
/// what discharges them. Kinds that cannot be recorded yet (platform registrations
/// and reviews, …) get a completion mark instead: one UPDATE per completion day and one audit
/// entry per day's batch.
async fn complete_share(
    db: &Db,
    actor: &Actor,
    year: i32,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<usize> {
    use std::collections::BTreeMap;
    let model = db.load_model().await?;
    let pack = db.policy(BUILTIN_PACK_ID).await?.pack;
    let event_duty = zeren_core::events::event_duty(&pack).map(|d| d.id.as_str());
    let mut by_day: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    let mut kept = Vec::new();
    for org in model.orgs() {
        for o in db.obligations(&org.id, year).await? {
            if o.state != "open" || Some(o.duty.as_str()) == event_duty {
                continue;
            }
            let h = hash(&demo_evidence::stable_name(&model, org, &o));
            let on = if o.due <= today {
                if h.is_multiple_of(5) {
                    continue;
                }
                o.due - Days::new(u64::from(h % 12))
            } else {
                if !h.is_multiple_of(4) {
                    continue;
                }
                today - Days::new(u64::from(h % 21))
            }
            .min(today);
            match demo_evidence::draft_for(&model, org, &o, on, h) {
                Some(draft) => kept.push((o.id, o.version, draft)),
                None => by_day.entry(on).or_default().push(o.id),
            }
        }
    }
    let total = (kept.len() + by_day.values().map(Vec::len).sum::<usize>()) as u64;
    let mut done = 0u64;
    for chunk in kept.chunks(RECORDS_PER_TX) {
        let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
        for (id, version, draft) in chunk {
            let record = tx.create_record(draft, &model, &pack, Lang::Zh).await?;
            tx.attach_evidence(id, &record.id, *version, Lang::Zh)
                .await?;
        }
        tx.commit().await?;
        done += chunk.len() as u64;
        progress("completion", done, total);
    }
    let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
    for (on, ids) in &by_day {
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let text = format!(
                "UPDATE obligations SET state = 'done', completed_on = $1, completion_note = $2, version = version + 1, updated_at = $3 WHERE state = 'open' AND id IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(text))
                .bind(date_text(*on))
                .bind("演示数据：已按期完成并归档佐证材料")
                .bind(tx.now_ms());
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.execute(tx.conn()).await?;
            done += chunk.len() as u64;
        }
        tx.audit(
            "demo.scale.complete",
            "obligations",
            &date_text(*on),
            None,
            Some(&json!({"completed_on": date_text(*on), "count": ids.len()})),
        )
        .await?;
        progress("completion", done, total);
    }
    tx.commit().await?;
    Ok(usize::try_from(done).unwrap_or(0))
}
