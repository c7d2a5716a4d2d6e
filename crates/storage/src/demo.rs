//! The demo organisation: a university, the seed's college and two more, leadership teams with
//! portfolios, branches, official platforms with operators, a handover of the `cqu-mse` secretary
//! post on 1 July of the current year, and last year's and this year's obligations, partly done.
//! Deterministic: the same day gives the same data. All names of people are fictitious.

use crate::error::{Result, StorageError};
use crate::secrets::hash_password;
use crate::{Actor, Db, NewOrg, NewPlatform, NewUser, Tx, demo_evidence, ledger};
use chrono::{Datelike, NaiveDate};
use zeren_core::Lang;
use zeren_core::access::{AdminRole, Role};
use zeren_core::clock::noon_in_shanghai;
use zeren_core::org::Person;
use zeren_core::platforms::RegistrationDraft;
use zeren_core::policy::{BUILTIN_PACK_ID, PolicyPack};
use zeren_core::vocab::{OrgKind, PlatformKind, PlatformState};

/// What the demo created, for the message printed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Orgs.
    pub orgs: usize,
    /// People.
    pub people: usize,
    /// Obligations of the year.
    pub obligations: usize,
    /// Of which done.
    pub done: usize,
    /// The year.
    pub year: i32,
}

struct College {
    code: &'static str,
    name: &'static str,
    /// Secretary, deputy, dean, vice-dean (teaching, research), vice-dean (network), committee member.
    team: [&'static str; 6],
    branches: &'static [(&'static str, &'static str, &'static str)],
    platforms: &'static [(&'static str, &'static str, PlatformKind, &'static str, bool)],
    operators: [&'static str; 2],
}

const COLLEGES: &[College] = &[
    College {
        code: "cqu-mse",
        name: "材料科学与工程学院",
        team: ["王建国", "赵敏", "陈立新", "周海燕", "孙浩", "吴静"],
        branches: &[
            ("cqu-mse-b1", "材料学院教工第一党支部", "郑晓东"),
            ("cqu-mse-b2", "材料学院教工第二党支部", "冯雪"),
            ("cqu-mse-b3", "材料学院研究生党支部", "韩磊"),
            ("cqu-mse-b4", "材料学院本科生党支部", "杨帆"),
        ],
        platforms: &[
            (
                "cqu-mse-website",
                "材料科学与工程学院网站",
                PlatformKind::Website,
                "network-it",
                true,
            ),
            (
                "cqu-mse-wechat",
                "重大材料学院 微信公众号",
                PlatformKind::WechatOfficial,
                "publicity",
                true,
            ),
            (
                "cqu-mse-weibo",
                "重大材料学院 官方微博",
                PlatformKind::Weibo,
                "publicity",
                true,
            ),
            (
                "cqu-mse-video",
                "重大材料学院 视频号",
                PlatformKind::Video,
                "student-affairs",
                false,
            ),
        ],
        operators: ["刘佳", "许诺"],
    },
    College {
        code: "cqu-cs",
        name: "计算机学院",
        team: ["何志强", "罗丽", "梁永", "宋晓梅", "唐军", "曹颖"],
        branches: &[
            ("cqu-cs-b1", "计算机学院教工党支部", "彭涛"),
            ("cqu-cs-b2", "计算机学院研究生党支部", "邓琳"),
            ("cqu-cs-b3", "计算机学院本科生党支部", "谢宇"),
        ],
        platforms: &[
            (
                "cqu-cs-website",
                "计算机学院网站",
                PlatformKind::Website,
                "network-it",
                true,
            ),
            (
                "cqu-cs-wechat",
                "重大计算机学院 微信公众号",
                PlatformKind::WechatOfficial,
                "publicity",
                true,
            ),
        ],
        operators: ["蒋涵", "沈悦"],
    },
    College {
        code: "cqu-me",
        name: "机械与运载工程学院",
        team: ["袁振华", "潘红", "杜伟", "苏芳", "程刚", "魏兰"],
        branches: &[
            ("cqu-me-b1", "机械学院教工党支部", "叶青"),
            ("cqu-me-b2", "机械学院研究生党支部", "吕航"),
            ("cqu-me-b3", "机械学院本科生党支部", "丁玲"),
        ],
        platforms: &[
            (
                "cqu-me-website",
                "机械与运载工程学院网站",
                PlatformKind::Website,
                "network-it",
                true,
            ),
            (
                "cqu-me-wechat",
                "重大机械学院 微信公众号",
                PlatformKind::WechatOfficial,
                "publicity",
                true,
            ),
        ],
        operators: ["任杰", "姚瑶"],
    },
];

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Zeren@2026";

/// A demo account: (user name, person's name, org code, role granted explicitly, administrator role).
pub type DemoAccount = (
    &'static str,
    &'static str,
    &'static str,
    Option<Role>,
    Option<AdminRole>,
);

/// Demo accounts, one per role.
pub const DEMO_ACCOUNTS: [DemoAccount; 10] = [
    ("secretary", NEW_SECRETARY, "cqu-mse", None, None),
    ("leader", "赵敏", "cqu-mse", None, None),
    ("staff", "刘佳", "cqu-mse", None, None),
    ("branch", "郑晓东", "cqu-mse-b1", None, None),
    ("supervisor", "马文涛", "cqu", Some(Role::Supervisor), None),
    ("discipline", "钱纪明", "cqu", Some(Role::Discipline), None),
    // The college office (党政办) member who keeps the college's roster.
    ("keeper", "陶然", "cqu-mse", Some(Role::OrgAdmin), None),
    ("sysadmin", "系统管理员", "", None, Some(AdminRole::System)),
    (
        "secadmin",
        "安全管理员",
        "",
        None,
        Some(AdminRole::Security),
    ),
    ("auditor", "安全审计员", "", None, Some(AdminRole::Audit)),
];

/// One account per role, named after it. The supervisor and the discipline commission member
/// work at the university and hold their roles by grant, as does the college's org
/// administrator (the keeper of its roster); the others by the posts they hold.
async fn accounts(db: &Db, actor: &Actor, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
    let mut tx = db.begin(actor, now).await?;
    let mut people = db.load_model().await?.people().cloned().collect::<Vec<_>>();
    for (username, name, org_code, grant, admin) in DEMO_ACCOUNTS {
        let person = match admin {
            Some(_) => None,
            None => {
                let org = db.find_org(org_code).await?;
                match people.iter().find(|p| p.name == name && p.org == org.id) {
                    Some(p) => Some(p.id.clone()),
                    None => {
                        let p = tx.demo_person(name, &org.id).await?;
                        people.push(p.clone());
                        Some(p.id)
                    }
                }
            }
        };
        let user = tx
            .create_user(NewUser {
                username: username.into(),
                display_name: name.into(),
                person,
                admin_role: admin,
                password_hash: hash.clone(),
                must_change_password: false,
            })
            .await?;
        if let Some(role) = grant {
            tx.grant(&user, role, org_code, "demo").await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Name of the person who takes over the `cqu-mse` secretary post on 1 July.
pub const NEW_SECRETARY: &str = "李明华";
/// Name of the person who held it until 30 June.
pub const OLD_SECRETARY: &str = "王建国";

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| StorageError::Invalid(format!("invalid demo date {y}-{m}-{d}")))
}

/// Loads the demo into an initialised, empty database, as of `today`.
pub async fn load(db: &Db, today: NaiveDate) -> Result<DemoSummary> {
    let now = noon_in_shanghai(today);
    ledger::initialise(db, now).await?;
    if db.has_orgs().await? {
        return Err(StorageError::Invalid(
            "the database already holds orgs; the demo loads only into an empty database".into(),
        ));
    }
    let pack = db.policy(BUILTIN_PACK_ID).await?.pack;
    let year = today.year();
    let actor = Actor {
        name: "demo".into(),
        origin: "cli".into(),
    };
    let mut tx = db.begin(&actor, now).await?;
    let mut people = 0;
    let uni = tx
        .create_org(NewOrg {
            code: "cqu".into(),
            name: "重庆大学".into(),
            kind: OrgKind::University,
            parent: None,
            established_on: None,
        })
        .await?;
    let uni_sec = tx.demo_person("高文博", &uni.id).await?;
    let post = tx
        .create_post(&pack, &uni.id, "secretary", "校党委书记", &[])
        .await?;
    tx.add_holding(&pack, &post.id, &uni_sec.id, day(2018, 3, 1)?, None)
        .await?;
    people += 1;
    let mut orgs = 1;
    for c in COLLEGES {
        people += college(&mut tx, &pack, &uni.id, c, year).await?;
        orgs += 1 + c.branches.len();
    }
    tx.commit().await?;

    // Last year too, mostly done: what was left undone then is still owed now, and the person
    // who answered for it then may have handed over since.
    ledger::sync_obligations(db, &actor, year - 1, now).await?;
    complete_some(db, &actor, &pack, year - 1, today).await?;
    ledger::sync_obligations(db, &actor, year, now).await?;
    let done = complete_some(db, &actor, &pack, year, today).await?;
    {
        let model = db.load_model().await?;
        let college = model.find_org("cqu-mse").map(|o| o.id.clone());
        let staff = model
            .people()
            .find(|p| p.name == "刘佳")
            .map(|p| p.id.clone());
        if let (Some(college), Some(staff)) = (college, staff) {
            crate::demo_events::demo_events(
                db,
                &actor,
                &pack,
                &college,
                "cqu-mse-wechat",
                &staff,
                today,
            )
            .await?;
            crate::demo_events::demo_review(db, &actor, &pack, "cqu-mse-weibo", &staff, today)
                .await?;
            crate::demo_incidents::demo_incidents(db, &actor, &pack, &college, &staff, today)
                .await?;
        }
    }
    accounts(db, &actor, now).await?;
    let obligations = db.obligation_keys(year).await?.len();
    Ok(DemoSummary {
        orgs,
        people,
        obligations,
        done,
        year,
    })
}

async fn college(
    tx: &mut Tx,
    pack: &PolicyPack,
    parent: &str,
    c: &College,
    year: i32,
) -> Result<usize> {
    let org = tx
        .create_org(NewOrg {
            code: c.code.into(),
            name: c.name.into(),
            kind: OrgKind::College,
            parent: Some(parent.into()),
            established_on: None,
        })
        .await?;
    let mut people: Vec<Person> = Vec::new();
    for name in c.team {
        people.push(tx.demo_person(name, &org.id).await?);
    }
    let since = day(year - 4, 9, 1)?;
    let posts: [(&str, &str, &[&str]); 6] = [
        ("secretary", "党委书记", &[]),
        (
            "deputy-secretary",
            "党委副书记（分管宣传思想、学生工作）",
            &["publicity", "student-affairs"],
        ),
        ("dean", "院长", &[]),
        (
            "vice-dean",
            "副院长（分管教学、科研）",
            &["teaching", "research"],
        ),
        ("vice-dean", "副院长（分管网络与信息化）", &["network-it"]),
        (
            "committee-member",
            "党委委员（分管组织）",
            &["organisation"],
        ),
    ];
    let mut secretary_post = None;
    for ((kind, title, portfolios), person) in posts.iter().zip(&people) {
        let post = tx
            .create_post(pack, &org.id, kind, title, portfolios)
            .await?;
        tx.add_holding(pack, &post.id, &person.id, since, None)
            .await?;
        if *kind == "secretary" {
            secretary_post = Some(post.id);
        }
    }
    let mut count = people.len();
    if c.code == "cqu-mse"
        && let Some(post) = &secretary_post
    {
        // The seed college's secretary post changes hands on 1 July of the current year.
        let successor = tx.demo_person(NEW_SECRETARY, &org.id).await?;
        tx.handover(pack, post, &successor.id, day(year, 7, 1)?)
            .await?;
        count += 1;
    }
    for (code, name, secretary) in c.branches {
        let branch = tx
            .create_org(NewOrg {
                code: (*code).into(),
                name: (*name).into(),
                kind: OrgKind::Branch,
                parent: Some(org.id.clone()),
                established_on: None,
            })
            .await?;
        let person = tx.demo_person(secretary, &branch.id).await?;
        let post = tx
            .create_post(pack, &branch.id, "branch-secretary", "党支部书记", &[])
            .await?;
        tx.add_holding(pack, &post.id, &person.id, since, None)
            .await?;
        count += 1;
    }
    let mut operators = Vec::new();
    for name in c.operators {
        let person = tx.demo_person(name, &org.id).await?;
        let post = tx
            .create_post(pack, &org.id, "platform-operator", "新媒体平台管理员", &[])
            .await?;
        tx.add_holding(pack, &post.id, &person.id, since, None)
            .await?;
        operators.push(person.id);
        count += 1;
    }
    for (i, (code, name, kind, portfolio, news)) in c.platforms.iter().enumerate() {
        let opened_on = day(2016 + i as i32, 3, 1)?;
        let platform = tx
            .create_platform(
                pack,
                NewPlatform {
                    code: (*code).into(),
                    name: (*name).into(),
                    kind: *kind,
                    org: org.id.clone(),
                    portfolio: Some((*portfolio).into()),
                    news_function: *news,
                    opened_on,
                    operators: vec![operators[i % operators.len()].clone()],
                    state: PlatformState::Active,
                },
            )
            .await?;
        // Registered as the university registers its sites and accounts.
        let registration = if *kind == PlatformKind::Website {
            RegistrationDraft {
                icp: format!("渝ICP备05003022号-{}", 10 + i),
                ..RegistrationDraft::default()
            }
        } else {
            RegistrationDraft {
                account_id: format!("gh_{}", code.replace('-', "")),
                registered_on: opened_on.to_string(),
                registering_body: "重庆大学".into(),
                ..RegistrationDraft::default()
            }
        };
        tx.register_platform(&platform.id, 1, &registration, Lang::Zh)
            .await?;
    }
    Ok(count)
}

/// Discharges most obligations of `year` already due, a few days before their due date, with
/// the record an office would have kept (a meeting, an analysis, a training, an activity: see
/// `demo_evidence`), filed and attached through the same validation and evidence rule as by
/// hand; kinds that cannot be recorded yet get a completion mark. Leaves a deterministic few
/// overdue, so the ledger shows both — among them `cqu-mse`'s annual dedicated study, which the
/// college never held.
async fn complete_some(
    db: &Db,
    actor: &Actor,
    pack: &PolicyPack,
    year: i32,
    today: NaiveDate,
) -> Result<usize> {
    let mut done = 0;
    let model = db.load_model().await?;
    let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
    for org in model.orgs() {
        for o in db.obligations(&org.id, year).await? {
            if o.due > today {
                continue;
            }
            // A stable pseudo-random choice, from what is the same in every demo database (ids
            // are not): about three in four are done.
            let h = demo_evidence::stable_name(&model, org, &o)
                .bytes()
                .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
            let keep_overdue =
                h % 4 == 0 || (org.code == "cqu-mse" && o.duty == "annual-dedicated-study");
            if keep_overdue {
                continue;
            }
            let on = (o.due - chrono::Days::new(u64::from(h % 10))).min(today);
            match demo_evidence::draft_for(&model, org, &o, on, h) {
                Some(draft) => {
                    let record = tx.create_record(&draft, &model, pack, Lang::Zh).await?;
                    tx.attach_evidence(&o.id, &record.id, o.version, Lang::Zh)
                        .await?;
                }
                None => {
                    tx.complete_obligation(
                        &o.id,
                        o.version,
                        on,
                        "演示数据：已按期完成并归档佐证材料",
                    )
                    .await?;
                }
            }
            done += 1;
        }
    }
    tx.commit().await?;
    Ok(done)
}

impl crate::Tx {
    /// A demo person with a staff number (工号), numbered in the order the demo enters people,
    /// so the demo's roster exports and imports like a real installation's.
    async fn demo_person(&mut self, name: &str, org: &str) -> Result<Person> {
        let n: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM people")
            .fetch_one(self.conn())
            .await?;
        let mut p = crate::NewPerson::new(name, org);
        p.staff_no = Some(format!("D{:05}", n + 1));
        self.create_person(p).await
    }
}
