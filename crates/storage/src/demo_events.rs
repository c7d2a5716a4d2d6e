//! The demo's online events (网上活动) and an annual review: a college's lectures and forums
//! around the demo's day — one approved and one awaiting approval ahead, one held last month
//! with approval and its record, and one forum held last week without approval (which the
//! indicators view lists under Art.5(7)) — and its Weibo account's annual review ending in
//! 整改 with one rectification task still open. Made through the same calls as by hand.

use crate::Actor;
use crate::db::Db;
use crate::error::Result;
use chrono::{Days, NaiveDate, NaiveTime};
use std::collections::BTreeMap;
use zeren_core::Lang;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::events::{EventDraft, Held, Speaker, approver, check_event};
use zeren_core::platforms::{ItemDraft, RectificationDraft, ReviewDraft, check_review};
use zeren_core::policy::PolicyPack;

/// (title, form, days from today, audience, approved, speaker, affiliation, outline).
type DemoEvent = (
    &'static str,
    &'static str,
    i64,
    u32,
    bool,
    &'static str,
    &'static str,
    &'static str,
);

const EVENTS: [DemoEvent; 4] = [
    (
        "网络安全与舆论引导直播讲座",
        "livestream",
        17,
        300,
        true,
        "李明",
        "重庆大学新闻学院",
        "网络舆论的形成与引导；高校网络阵地的安全管理。",
    ),
    (
        "新时代青年网络素养报告会",
        "report",
        10,
        500,
        false,
        "王慧",
        "重庆市委网信办",
        "青年网络行为规范与网络素养提升。",
    ),
    (
        "研究生党员网上主题讲座",
        "lecture",
        -20,
        150,
        true,
        "陈刚",
        "材料科学与工程学院",
        "学习贯彻党的创新理论，结合专业谈科研报国。",
    ),
    (
        "材料前沿学术论坛（线上）",
        "forum",
        -8,
        800,
        false,
        "周立",
        "中国科学院金属研究所",
        "先进材料研究进展与学术交流。",
    ),
];

/// Registers the demo events of `college` on `platform`, with `responsible` answering for them.
pub(crate) async fn demo_events(
    db: &Db,
    actor: &Actor,
    pack: &PolicyPack,
    college: &str,
    platform: &str,
    responsible: &str,
    today: NaiveDate,
) -> Result<()> {
    let model = db.load_model().await?;
    let set = db.policy_set().await?;
    let rules = pack.online_events.clone().unwrap_or_default();
    let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
    for (title, form, offset, audience, approved, speaker, affiliation, outline) in EVENTS {
        let day = if offset >= 0 {
            today + Days::new(offset.unsigned_abs())
        } else {
            today - Days::new(offset.unsigned_abs())
        };
        let at = |h: u32| day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default());
        let draft = EventDraft {
            title: title.into(),
            form: form.into(),
            org: college.into(),
            organiser: "材料科学与工程学院党委".into(),
            responsible: responsible.into(),
            speakers: vec![Speaker {
                name: speaker.into(),
                affiliation: affiliation.into(),
            }],
            starts_at: at(19).format("%Y-%m-%d %H:%M").to_string(),
            ends_at: at(21).format("%Y-%m-%d %H:%M").to_string(),
            platform: platform.into(),
            audience: audience.to_string(),
            outline: outline.into(),
            major: false,
        };
        let Ok(fields) = check_event(&draft, &model, &rules, Lang::Zh) else {
            continue;
        };
        let (org, platform_id, major) = (fields.org.clone(), fields.platform.clone(), fields.major);
        let e = tx.register_event(fields, &set, &model).await?;
        if approved {
            // Approved ten days ahead (or today for an event less than ten days away).
            let on = (day - Days::new(10)).min(today);
            if let Some((person, _)) = approver(pack, &model, &org, &platform_id, major, on) {
                let e = tx
                    .decide_event(&e.id, e.version, true, &person, on, "同意举办")
                    .await?;
                if day < today {
                    tx.record_held(
                        &e.id,
                        e.version,
                        Held {
                            held: true,
                            audience: audience - 12,
                            summary: "按计划举办，内容符合报备提纲。".into(),
                        },
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Records the annual review of `platform` five days ago: account security not met, so 整改
/// with one task for `owner`, due in 25 days.
pub(crate) async fn demo_review(
    db: &Db,
    actor: &Actor,
    pack: &PolicyPack,
    platform: &str,
    owner: &str,
    today: NaiveDate,
) -> Result<()> {
    let model = db.load_model().await?;
    let set = db.policy_set().await?;
    let Some(p) = model.find_platform(platform).cloned() else {
        return Ok(());
    };
    let checklist = pack.annual_review.as_ref();
    let items: BTreeMap<String, ItemDraft> = checklist
        .map(|c| c.items_for(p.kind, p.news_function))
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let met = i.id != "account-security";
            (
                i.id.clone(),
                ItemDraft {
                    result: if met { "met" } else { "not-met" }.into(),
                    note: if met {
                        String::new()
                    } else {
                        "两名管理员未开启双重认证，管理员名单未及时更新".into()
                    },
                },
            )
        })
        .collect();
    let on = today - Days::new(5);
    let draft = ReviewDraft {
        date: on.format("%Y-%m-%d").to_string(),
        reviewer: owner.into(),
        items,
        outcome: "rectify".into(),
        summary: "账号安全管理措施未完全落实，限期整改。".into(),
        rectifications: vec![RectificationDraft {
            item: "account-security".into(),
            title: "全部管理员开启双重认证并更新管理员名单".into(),
            owner: owner.into(),
            deadline: (on + Days::new(30)).format("%Y-%m-%d").to_string(),
        }],
    };
    let Ok((day, review)) = check_review(&draft, &p, checklist, &model, today, Lang::Zh) else {
        return Ok(());
    };
    let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
    tx.record_review(&p, day, review, &set, &model, Lang::Zh)
        .await?;
    tx.commit().await?;
    Ok(())
}
