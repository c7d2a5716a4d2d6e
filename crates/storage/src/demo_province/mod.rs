//! The province-scale demo (`zeren demo --scale province`, PostgreSQL only): the ordinary demo
//! (with its accounts) under a provincial committee with a hundred universities, their colleges,
//! units and branches — about 100 000 orgs, 1 000 000 people, 30 000 platforms — and ten years
//! of history: every post held by a chain of holders whose holdings end and are followed by the
//! next (handovers), and the obligations of every year the policy was in force in, computed by
//! the engine (`zeren_core::policy::Policies::generate`, as `ledger::sync_year` does), a
//! deterministic share of the past ones done.
//!
//! Bulk-loaded with PostgreSQL `COPY … FROM STDIN` on a connection of its own. Each table (and
//! each year of obligations) is one `COPY` in a transaction that stays open until the audit
//! entry counting its rows is committed on the audit chain, so the chain stays honest about what
//! was loaded (one entry per batch, not one per row). Every year loaded is noted as in step with
//! the model generation, so `zeren serve` does not generate ten years again when it starts.
//! Deterministic: the same day gives the same data (ids aside). All names are fictitious.

mod copy;

use crate::demo_scale::{
    HOLDING_COLS, ORG_COLS, PERSON_COLS, PLATFORM_COLS, POST_COLS, Progress, day, hash, name,
};
use crate::error::{Result, StorageError};
use crate::repo::date_text;
use crate::{Actor, Backend, Db, demo, ledger, new_id};
use chrono::{Datelike, Days, NaiveDate};
use copy::{CopyRows, Loader, Note};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};
use zeren_core::clock::noon_in_shanghai;
use zeren_core::obligation::{PlannedObligation, SubjectKind};
use zeren_core::org::OrgModel;
use zeren_core::period::Period;
use zeren_core::vocab::PlatformKind;

/// How big the province is. [`ProvinceSize::full`] for benchmarks, [`ProvinceSize::tiny`] for
/// tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceSize {
    /// Universities under the provincial committee (the demo's own university comes on top).
    pub universities: usize,
    /// Colleges of each university.
    pub colleges: usize,
    /// Functional units of each university.
    pub units: usize,
    /// Branches of each college.
    pub branches_per_college: usize,
    /// Branches of each unit.
    pub branches_per_unit: usize,
    /// Platform-operator posts of each college.
    pub operators_per_college: usize,
    /// People in the whole province (holders and members without posts).
    pub people: usize,
    /// Platforms in the whole province.
    pub platforms: usize,
    /// Years of history, the current one included.
    pub years: i32,
}

impl ProvinceSize {
    /// A province: 1 + 100 × (1 + 60 + 20 + 60 × 14 + 20 × 4) ≈ 100 000 orgs, 1 000 000
    /// people, 30 000 platforms, ten years.
    pub fn full() -> ProvinceSize {
        ProvinceSize {
            universities: 100,
            colleges: 60,
            units: 20,
            branches_per_college: 14,
            branches_per_unit: 4,
            operators_per_college: 3,
            people: 1_000_000,
            platforms: 30_000,
            years: 10,
        }
    }

    /// A few hundred rows of everything, for tests.
    pub fn tiny() -> ProvinceSize {
        ProvinceSize {
            universities: 3,
            colleges: 3,
            units: 2,
            branches_per_college: 2,
            branches_per_unit: 1,
            operators_per_college: 2,
            people: 600,
            platforms: 40,
            years: 10,
        }
    }
}

/// What the province demo created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceSummary {
    /// Orgs in the database.
    pub orgs: usize,
    /// People.
    pub people: usize,
    /// Posts.
    pub posts: usize,
    /// Holdings (handovers included).
    pub holdings: usize,
    /// Platforms.
    pub platforms: usize,
    /// Obligations of all the years loaded.
    pub obligations: usize,
    /// Of which done.
    pub done: usize,
    /// First and last year loaded.
    pub years: (i32, i32),
}

const OBLIGATION_COLS: &[&str] = &[
    "id",
    "obligation_key",
    "policy_id",
    "duty_id",
    "subject_kind",
    "subject_id",
    "org_id",
    "period",
    "year",
    "due_on",
    "citation",
    "state",
    "completed_on",
    "completion_note",
    "version",
    "created_at",
    "updated_at",
    "platform_id",
];

/// A college's leadership team: (post kind, title, portfolios).
const TEAM: [(&str, &str, &str); 6] = [
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

const COLLEGE_FIELDS: [&str; 12] = [
    "马克思主义",
    "文学",
    "理学",
    "工学",
    "经济管理",
    "法学",
    "医学",
    "艺术",
    "外国语",
    "信息",
    "教育",
    "农学",
];
const UNIT_FIELDS: [&str; 8] = [
    "党委办公室",
    "组织部",
    "宣传部",
    "学生工作部",
    "教务处",
    "信息化办公室",
    "图书馆",
    "后勤服务集团",
];

/// The org model being written: rows of each table, and who the people are.
struct Model {
    orgs: CopyRows,
    people: CopyRows,
    posts: CopyRows,
    holdings: CopyRows,
    platforms: CopyRows,
    operators: CopyRows,
    person_no: usize,
    ms: i64,
    first_day: NaiveDate,
    today: NaiveDate,
}

impl Model {
    fn org(&mut self, code: &str, name: &str, kind: &str, parent: Option<&str>) -> String {
        let id = new_id();
        let ms = self.ms;
        self.orgs
            .text(&id)
            .text(code)
            .text(name)
            .text(kind)
            .opt(parent)
            .null()
            .null()
            .int(1)
            .int(ms)
            .int(ms)
            .end();
        id
    }

    fn person(&mut self, org: &str) -> String {
        let id = new_id();
        self.person_no += 1;
        let ms = self.ms;
        self.people
            .text(&id)
            .text(&name(self.person_no))
            .text(org)
            .int(0)
            .int(1)
            .int(ms)
            .int(ms)
            .end();
        id
    }

    /// A post of `org` and its holders since the first day of the history, each term two to
    /// six years, the last one open. Returns the current holder.
    fn post(&mut self, org: &str, code: &str, kind: &str, title: &str, portfolios: &str) -> String {
        let id = new_id();
        let ms = self.ms;
        self.posts
            .text(&id)
            .text(org)
            .text(kind)
            .text(title)
            .text(portfolios)
            .int(0)
            .int(1)
            .int(ms)
            .int(ms)
            .end();
        let mut start = self.first_day;
        let mut term = 0u32;
        loop {
            let holder = self.person(org);
            let h = hash(&format!("{code}/{kind}/{title}/{term}"));
            let end = start + Days::new(730 + u64::from(h % 1461));
            let open = end >= self.today;
            self.holdings
                .text(&new_id())
                .text(&id)
                .text(&holder)
                .text(&date_text(start));
            if open {
                self.holdings.null();
            } else {
                self.holdings.text(&date_text(end));
            }
            self.holdings.null().int(1).int(ms).int(ms).end();
            if open {
                return holder;
            }
            start = end + Days::new(1);
            term += 1;
        }
    }
}

/// Loads the province-scale demo into an empty PostgreSQL database at `url` (which `db` is
/// connected to), as of `today`. Refused on SQLite.
pub async fn load(
    db: &Db,
    url: &str,
    size: &ProvinceSize,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ProvinceSummary> {
    if db.backend() != Backend::Postgres {
        return Err(StorageError::Invalid(
            "the province-scale demo needs PostgreSQL (bulk loading with COPY); use --database-url postgres://…".into(),
        ));
    }
    progress("demo", 0, 1);
    demo::load(db, today).await?;
    progress("demo", 1, 1);
    let now = noon_in_shanghai(today);
    let actor = Actor {
        name: "demo".into(),
        origin: "cli".into(),
    };
    let cqu = db.find_org("cqu").await?;
    let mut loader = Loader {
        db,
        pg: PgConnection::connect(url).await?,
        actor,
        now,
    };
    let first_year = today.year() - (size.years - 1).max(0);
    let mut m = Model {
        orgs: CopyRows::new("orgs", ORG_COLS),
        people: CopyRows::new("people", PERSON_COLS),
        posts: CopyRows::new("posts", POST_COLS),
        holdings: CopyRows::new("holdings", HOLDING_COLS),
        platforms: CopyRows::new("platforms", PLATFORM_COLS),
        operators: CopyRows::new("platform_operators", &["platform_id", "person_id"]),
        person_no: 0,
        ms: now.timestamp_millis(),
        first_day: day(first_year, 1, 1)?,
        today,
    };
    let province = build(&mut m, size)?;

    // One COPY per table, the tables others refer to first.
    loader
        .copy(m.orgs, Note::model("org", "orgs"), progress)
        .await?;
    // The demo's own university becomes one of the province's.
    let mut tx = db.begin(&loader.actor, now).await?;
    sqlx::query(
        "UPDATE orgs SET parent_id = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(Some(&province))
    .bind(tx.now_ms())
    .bind(&cqu.id)
    .execute(tx.conn())
    .await?;
    tx.audit(
        "org.update",
        "org",
        &cqu.id,
        Some(&json!({"parent": null})),
        Some(&json!({"parent": province})),
    )
    .await?;
    tx.commit().await?;
    loader
        .copy(m.people, Note::model("person", "people"), progress)
        .await?;
    loader
        .copy(m.posts, Note::model("post", "posts"), progress)
        .await?;
    loader
        .copy(m.holdings, Note::model("holding", "holdings"), progress)
        .await?;
    let mut tx = db.begin(&loader.actor, now).await?;
    crate::demo_scale::standing_assignments(&mut tx).await?;
    tx.commit().await?;
    loader
        .copy(m.platforms, Note::model("platform", "platforms"), progress)
        .await?;
    loader
        .copy(
            m.operators,
            Note::model("platform", "platform_operators"),
            progress,
        )
        .await?;
    loader.pg.execute("ANALYZE").await?;

    // Obligations of every year, computed by the engine from the model as stored, as the
    // ledger's sync does; the generation is read before the model, as `sync_year` does.
    let generation = db.model_generation().await?;
    progress("model", 0, 1);
    let model = db.load_model().await?;
    progress("model", 1, 1);
    let policies = db.policy_set().await?;
    let last_year = ledger::years_kept(today)
        .into_iter()
        .max()
        .unwrap_or(today.year());
    let mut obligations = 0usize;
    let mut done = 0usize;
    // Keys are unique across years: a once-only duty is planned again every year after it fell
    // due and stored only the first time (the sync's insert skips keys already stored).
    let mut stored = std::collections::HashSet::new();
    for year in first_year..=last_year {
        let existing = db.obligation_keys(year).await?;
        obligations += existing.len();
        stored.extend(existing);
    }
    for year in first_year..=last_year {
        let events = db.events_of_year(year).await?;
        let planned = policies.generate(&model, year, &events);
        let mut rows = CopyRows::new("obligations", OBLIGATION_COLS);
        let mut year_done = 0usize;
        for p in &planned {
            if !stored.insert(p.key.clone()) {
                continue;
            }
            if obligation_row(&mut rows, &model, p, year, today, m.ms) {
                year_done += 1;
            }
        }
        let added = rows.rows;
        loader
            .copy(
                rows,
                Note {
                    action: "demo.province.obligations",
                    object_type: "obligations",
                    object_id: year.to_string(),
                    extra: json!({"year": year, "done": year_done, "planned": planned.len()}),
                    sync: Some((year, generation)),
                },
                progress,
            )
            .await?;
        obligations += usize::try_from(added).unwrap_or(0);
        done += year_done;
    }
    db.analyze_obligations().await?;
    loader.pg.close().await?;
    Ok(ProvinceSummary {
        orgs: model.orgs().len(),
        people: model.people_count(),
        posts: model.posts().len(),
        holdings: model.holdings().len(),
        platforms: model.platforms().len(),
        obligations,
        done,
        years: (first_year, last_year),
    })
}

/// Writes the org model of the province into `m`. Returns the province's org id.
fn build(m: &mut Model, size: &ProvinceSize) -> Result<String> {
    let province = m.org("prov", "省委教育工委", "university", None);
    // (org id, operator person ids) of every org that owns platforms.
    let mut owners: Vec<(String, Vec<String>)> = Vec::new();
    let mut all_orgs: Vec<String> = Vec::new();
    for u in 0..size.universities {
        let ucode = format!("u{:03}", u + 1);
        let uname = format!("省属第{}大学", u + 1);
        let uni = m.org(&ucode, &uname, "university", Some(&province));
        all_orgs.push(uni.clone());
        m.post(&uni, &ucode, "secretary", "校党委书记", "");
        for c in 0..size.colleges {
            let code = format!("{ucode}-c{:02}", c + 1);
            let cname = format!(
                "{uname}{}学院（{}）",
                COLLEGE_FIELDS[c % COLLEGE_FIELDS.len()],
                c + 1
            );
            let college = m.org(&code, &cname, "college", Some(&uni));
            all_orgs.push(college.clone());
            for (kind, title, portfolios) in TEAM {
                m.post(&college, &code, kind, title, portfolios);
            }
            let mut ops = Vec::new();
            for k in 0..size.operators_per_college {
                let title = format!("新媒体平台管理员{}", k + 1);
                ops.push(m.post(&college, &code, "platform-operator", &title, ""));
            }
            owners.push((college.clone(), ops));
            for b in 0..size.branches_per_college {
                let bcode = format!("{code}-b{:02}", b + 1);
                let branch = m.org(
                    &bcode,
                    &format!("{cname}第{}党支部", b + 1),
                    "branch",
                    Some(&college),
                );
                all_orgs.push(branch.clone());
                m.post(&branch, &bcode, "branch-secretary", "党支部书记", "");
            }
        }
        for d in 0..size.units {
            let code = format!("{ucode}-d{:02}", d + 1);
            let dname = format!("{uname}{}（{}）", UNIT_FIELDS[d % UNIT_FIELDS.len()], d + 1);
            let unit = m.org(&code, &dname, "unit", Some(&uni));
            all_orgs.push(unit.clone());
            m.post(&unit, &code, "unit-head", "负责人", "");
            let op = m.post(&unit, &code, "platform-operator", "新媒体平台管理员", "");
            owners.push((unit.clone(), vec![op]));
            for b in 0..size.branches_per_unit {
                let bcode = format!("{code}-b{:02}", b + 1);
                let branch = m.org(
                    &bcode,
                    &format!("{dname}第{}党支部", b + 1),
                    "branch",
                    Some(&unit),
                );
                all_orgs.push(branch.clone());
                m.post(&branch, &bcode, "branch-secretary", "党支部书记", "");
            }
        }
    }
    // Members without posts, spread over the orgs, up to the head count.
    let held = m.person_no;
    if !all_orgs.is_empty() {
        for i in 0..size.people.saturating_sub(held) {
            let org = all_orgs[i % all_orgs.len()].clone();
            m.person(&org);
        }
    }
    // Platforms, spread over the colleges and units, each run by one of their operators.
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
    let last_year = m.today.year();
    for i in 0..size.platforms {
        let Some((org, ops)) = owners.get(i % owners.len().max(1)) else {
            break;
        };
        let kind = kinds[i % kinds.len()];
        let id = new_id();
        // Opened over the twenty years before today, none after it.
        let opened = day(
            last_year - 19 + (i % 20) as i32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        )?
        .min(m.today);
        let ms = m.ms;
        m.platforms
            .text(&id)
            .text(&format!("p{:05}", i + 1))
            .text(&format!("{}平台{}", kind.name_zh(), i + 1))
            .text(kind.as_str())
            .text(org)
            .text(portfolios[i % portfolios.len()])
            .int(i64::from(i % 3 != 2))
            .text(&date_text(opened))
            .null()
            .int(1)
            .int(ms)
            .int(ms)
            .text("active")
            .text(&date_text(opened))
            .text(&date_text(opened))
            .end();
        if let Some(op) = ops.get(i % ops.len().max(1)) {
            m.operators.text(&id).text(op).end();
        }
    }
    Ok(province)
}

/// What names an obligation the same way in every demo database (ids are not the same).
fn stable_name(model: &OrgModel, p: &PlannedObligation) -> String {
    let subject = match p.subject_kind {
        SubjectKind::Platform => model.find_platform(&p.subject).map(|x| x.code.as_str()),
        SubjectKind::Person => model.person(&p.subject).map(|x| x.name.as_str()),
        SubjectKind::Org => model.org(&p.subject).map(|x| x.code.as_str()),
        _ => None,
    }
    .unwrap_or_default();
    let org = model
        .org(&p.org)
        .map(|o| o.code.as_str())
        .unwrap_or_default();
    [org, &p.duty, subject, &p.period].join("/")
}

/// Writes the row of `p`; a deterministic share is done: of those already due, about four in
/// five, a few days before their due date; of those not yet due whose period has begun, about
/// one in four, in the last weeks (as the university demo). Returns whether it is done.
fn obligation_row(
    rows: &mut CopyRows,
    model: &OrgModel,
    p: &PlannedObligation,
    year: i32,
    today: NaiveDate,
    ms: i64,
) -> bool {
    let h = hash(&stable_name(model, p));
    let start = Period::parse(&p.period).and_then(|x| x.start());
    let completed = if p.due <= today {
        (!h.is_multiple_of(5)).then(|| p.due - Days::new(u64::from(h % 12)))
    } else if h.is_multiple_of(4) && start.is_none_or(|s| s <= today) {
        Some(today - Days::new(u64::from(h % 21)))
    } else {
        None
    }
    .map(|on| {
        let on = on.min(today);
        start.map_or(on, |s| on.max(s))
    });
    rows.text(&new_id())
        .text(&p.key)
        .text(&p.policy)
        .text(&p.duty)
        .text(p.subject_kind.as_str())
        .text(&p.subject)
        .text(&p.org)
        .text(&p.period)
        .int(i64::from(year))
        .text(&date_text(p.due))
        .text(&p.citation.to_string());
    match completed {
        Some(on) => rows
            .text("done")
            .text(&date_text(on))
            .text("演示数据：已按期完成")
            .int(2),
        None => rows.text("open").null().null().int(1),
    };
    rows.int(ms).int(ms);
    match &p.platform {
        Some(id) => rows.text(id),
        None => rows.null(),
    };
    rows.end();
    completed.is_some()
}
