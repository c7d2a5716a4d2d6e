//! The evidence the demos keep: for an obligation they mark done, the record an office would have
//! filed for it (a committee meeting with the online-ideology topic, a situation analysis of the
//! period, a training session, an education activity), written through the same validation and
//! evidence rule as a record kept by hand. Obligations whose evidence kind cannot be recorded yet
//! (platform registrations and reviews, …) get no draft and keep a completion mark instead.
//!
//! Pure: the text is chosen from a stable hash, so the same day gives the same demo.

use crate::StoredObligation;
use crate::repo::date_text;
use crate::repo::records::{AgendaDraft, RecordDraft};
use chrono::{Datelike, NaiveDate};
use zeren_core::org::{Org, OrgModel};
use zeren_core::period::Period;

/// Post kinds of an org's leadership team (present at its committee meetings).
const LEADERSHIP: [&str; 5] = [
    "secretary",
    "deputy-secretary",
    "dean",
    "vice-dean",
    "committee-member",
];

/// The people holding `kinds` posts of `org` on `day`, each once, in post order.
fn holders(model: &OrgModel, org: &Org, kinds: &[&str], day: NaiveDate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for post in model
        .posts_of(&org.id)
        .filter(|p| kinds.contains(&p.kind.as_str()))
    {
        for h in model.holders_on(&post.id, day) {
            if !out.contains(&h.person) {
                out.push(h.person.clone());
            }
        }
    }
    out
}

/// What names an obligation the same way in every demo database (ids are not the same):
/// org code, duty, the subject's code or name, period. Pseudo-random choices hash this.
pub(crate) fn stable_name(model: &OrgModel, org: &Org, o: &StoredObligation) -> String {
    let subject = match o.subject_kind.as_str() {
        "platform" => model.find_platform(&o.subject).map(|p| p.code.as_str()),
        "person" => model.person(&o.subject).map(|p| p.name.as_str()),
        _ => model.org(&o.subject).map(|g| g.code.as_str()),
    }
    .unwrap_or_default();
    [org.code.as_str(), &o.duty, subject, &o.period].join("/")
}

/// The day the record is dated: `on`, but not before the obligation's period began.
fn record_day(o: &StoredObligation, on: NaiveDate) -> NaiveDate {
    match Period::parse(&o.period).and_then(|p| p.start()) {
        Some(start) if on < start => start,
        _ => on,
    }
}

fn pick<'a>(options: &[&'a str], h: u32) -> &'a str {
    options[h as usize % options.len()]
}

/// The record that discharges `o`, dated on or about `on`; `None` when its evidence kind cannot
/// be recorded yet or nobody holds the posts the record needs.
pub(crate) fn draft_for(
    model: &OrgModel,
    org: &Org,
    o: &StoredObligation,
    on: NaiveDate,
    h: u32,
) -> Option<RecordDraft> {
    let day = record_day(o, on);
    let leaders = holders(model, org, &LEADERSHIP, day);
    let base = RecordDraft {
        org: org.id.clone(),
        date: date_text(day),
        ..RecordDraft::default()
    };
    let draft = match o.duty.as_str() {
        "annual-dedicated-study" => RecordDraft {
            kind: "committee-meeting".into(),
            title: format!("{}党委会（{}年第{}次）", org.name, day.year(), 8 + h % 6),
            attendees: leaders,
            agenda: vec![
                AgendaDraft {
                    title: "专题研究本单位网络意识形态工作".into(),
                    topics: vec!["online-ideology".into()],
                },
                AgendaDraft {
                    title: pick(
                        &[
                            "传达学习上级关于意识形态工作的部署",
                            "听取各支部意识形态工作情况汇报",
                            "研究新媒体平台管理有关事项",
                        ],
                        h,
                    )
                    .into(),
                    topics: vec!["ideology".into()],
                },
            ],
            minutes: format!(
                "会议专题研究了{}网络意识形态工作责任制落实情况，分析了本单位网络阵地建设和管理现状，对下一阶段重点工作作出部署。",
                org.name
            ),
            decisions: "一、压实班子成员“一岗双责”；二、完善新媒体平台审核流程；三、年底前完成网络管理员培训。".into(),
            ..base
        },
        "situation-analysis" => {
            let author = holders(model, org, &["deputy-secretary", "secretary"], day)
                .into_iter()
                .next()?;
            RecordDraft {
                kind: "situation-analysis".into(),
                title: format!("{}网络意识形态领域情况分析研判报告（{}）", org.name, o.period),
                covers: o.period.clone(),
                author,
                findings: pick(
                    &[
                        "本期本单位网络阵地运行平稳，师生关注热点集中在教学安排和就业，未发现苗头性问题。",
                        "本期新媒体平台发布内容均经三审，个别平台更新不及时，已督促整改。",
                        "本期校园网络舆论总体向好，需关注考试季与毕业季的集中诉求。",
                    ],
                    h,
                )
                .into(),
                measures: "加强重点时段值守，落实平台内容三审制度，及时回应师生合理诉求。".into(),
                ..base
            }
        }
        "cadre-training" => RecordDraft {
            kind: "training-session".into(),
            title: format!("{}年度党员领导干部网络意识形态工作专题培训", day.year()),
            trainer: pick(&["校党委宣传部", "校网络信息中心", "马克思主义学院"], h).into(),
            attendees: leaders,
            hours: (2 + h % 3).to_string(),
            ..base
        },
        "operator-training" if o.subject_kind == "person" => RecordDraft {
            kind: "training-session".into(),
            title: format!("{}年度新媒体平台管理员业务培训", day.year()),
            trainer: "校党委宣传部".into(),
            attendees: vec![o.subject.clone()],
            hours: "4".into(),
            ..base
        },
        "youth-education" => RecordDraft {
            kind: "education-activity".into(),
            title: pick(
                &[
                    "网络素养与网络文明主题教育",
                    "“清朗网络·青春有我”主题团日活动",
                    "青年教师网络舆论引导能力专题辅导",
                ],
                h,
            )
            .into(),
            audience: pick(&["本科生", "研究生", "青年教职工"], h).into(),
            count: (60 + h % 240).to_string(),
            content: "围绕网络安全、网络文明和正确使用网络开展专题教育，引导青年师生自觉抵制错误思潮。"
                .into(),
            ..base
        },
        _ => return None,
    };
    if draft.attendees.is_empty()
        && matches!(
            draft.kind.as_str(),
            "committee-meeting" | "training-session"
        )
    {
        return None;
    }
    Some(draft)
}
