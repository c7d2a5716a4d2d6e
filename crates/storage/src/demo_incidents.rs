//! The demo's incidents and major projects, in one college: an incident on its website last
//! week, handled within every clock and closed today with its review and a rectification task;
//! one on its WeChat account this morning, answered, its assessment clock running; a major
//! project assessed, approved by the leader of its portfolio and launched; and a major project
//! planned that owes its risk assessment (the gate stands before its launch). Made through the
//! same checks and calls as by hand, so nothing here is an indicator.

use crate::Actor;
use crate::db::Db;
use crate::error::{Result, StorageError};
use crate::repo::incidents::{ClosedFacts, RecordedBy, recorded};
use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use zeren_core::Lang;
use zeren_core::clock::noon_in_shanghai;
use zeren_core::incidents::{
    ClosureDraft, EntryDraft, IncidentDraft, PersonalHandling, TaskDraft, check_close, check_entry,
    check_incident, clocks, first_responsible, personal_handling,
};
use zeren_core::org::OrgModel;
use zeren_core::policy::PolicyPack;
use zeren_core::projects::{
    AssessmentDraft, LaunchDraft, ProjectDraft, approver, check_assessment, check_launch,
    check_project,
};

/// An incident of the demo, as the form types it: `noticed` is (days before today, hour,
/// minute), each entry (kind, days before today, hour, minute, detail).
struct DemoIncident {
    title: &'static str,
    platform: &'static str,
    severity: &'static str,
    noticed: (u64, u32, u32),
    channel: &'static str,
    source: &'static str,
    facts: &'static str,
    entries: &'static [(&'static str, u64, u32, u32, &'static str)],
    /// Closed today with this review (what was done, what changes, a rectification task).
    closure: Option<(&'static str, &'static str, &'static str)>,
}

const INCIDENTS: [DemoIncident; 2] = [
    DemoIncident {
        title: "学院官网新闻稿数据有误引发留言质疑",
        platform: "cqu-mse-website",
        severity: "general",
        noticed: (6, 10, 20),
        channel: "self-found",
        source: "学院官网新闻栏目留言区",
        facts: "学院官网发布的就业质量新闻稿中一项统计数据与学校公布数据不一致，留言区出现数条质疑。",
        entries: &[
            (
                "response",
                6,
                11,
                0,
                "网页暂时下线，联系学生工作办公室核实数据。",
            ),
            (
                "assessment",
                5,
                15,
                0,
                "研判为一般：影响限于本院，未在校外传播。",
            ),
            (
                "action",
                5,
                17,
                30,
                "更正数据后重新发布，并在留言区说明更正情况。",
            ),
        ],
        closure: Some((
            "已更正数据并重新发布，留言区已说明，相关留言已回复。",
            "新闻稿中的统计数据发布前须经数据提供部门书面确认。",
            "建立新闻稿数据二次核对制度并印发",
        )),
    },
    DemoIncident {
        title: "学院微信公众号推文评论区出现不实说法",
        platform: "cqu-mse-wechat",
        severity: "considerable",
        noticed: (0, 8, 30),
        channel: "reported",
        source: "学生向学院党政办公室反映",
        facts: "学院公众号关于奖学金评定结果的推文下，多条评论称评定过程不公开，已在校内引起较多关注。",
        entries: &[(
            "response",
            0,
            9,
            15,
            "暂停评论精选，调取评定会议记录和公示材料核实。",
        )],
        closure: None,
    },
];

/// A day and time `days` before `today`.
fn at(today: NaiveDate, days: u64, h: u32, m: u32) -> Result<NaiveDateTime> {
    let day = today
        .checked_sub_days(Days::new(days))
        .ok_or_else(|| StorageError::Invalid("demo day out of range".into()))?;
    let time = NaiveTime::from_hms_opt(h, m, 0)
        .ok_or_else(|| StorageError::Invalid("demo time out of range".into()))?;
    Ok(day.and_time(time))
}

/// `YYYY-MM-DD HH:MM`, as a form types it.
fn typed(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A rule of the demo data the checks refused: a defect of this module.
fn refused(what: &str, e: impl std::fmt::Debug) -> StorageError {
    StorageError::Invalid(format!("demo {what} refused: {e:?}"))
}

/// Records the demo's incidents and projects in `college`, with `staff` (a person of its
/// office) handling, recording and assessing.
pub(crate) async fn demo_incidents(
    db: &Db,
    actor: &Actor,
    pack: &PolicyPack,
    college: &str,
    staff: &str,
    today: NaiveDate,
) -> Result<()> {
    let model = db.load_model().await?;
    let set = db.policy_set().await?;
    let rules = pack.incidents.clone().unwrap_or_default();
    let now = noon_in_shanghai(today);
    let local_now = today.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    let first = first_responsible(pack, &model, college, today);
    let by = RecordedBy {
        person: Some(staff),
        first_responsible: first.as_ref().is_some_and(|f| f.id == staff),
    };
    for d in &INCIDENTS {
        let draft = IncidentDraft {
            title: d.title.into(),
            org: college.into(),
            platform: d.platform.into(),
            noticed_at: typed(at(today, d.noticed.0, d.noticed.1, d.noticed.2)?),
            channel: d.channel.into(),
            source: d.source.into(),
            facts: d.facts.into(),
            severity: d.severity.into(),
            handler: staff.into(),
        };
        let fields = check_incident(&draft, &model, &rules, local_now, Lang::Zh)
            .map_err(|e| refused("incident", e))?;
        let mut tx = db.begin(actor, now).await?;
        let incident = tx.record_incident(fields, by, &rules, &set, &model).await?;
        for (kind, days, h, m, detail) in d.entries {
            let entry = EntryDraft {
                kind: (*kind).into(),
                at: typed(at(today, *days, *h, *m)?),
                detail: (*detail).into(),
            };
            let entry = check_entry(
                &entry,
                &incident.fields,
                Some(staff),
                first.as_ref(),
                local_now,
                Lang::Zh,
            )
            .map_err(|e| refused("timeline entry", e))?;
            tx.add_incident_entry(&incident.id, &entry, by).await?;
        }
        tx.commit().await?;
        let Some((handled, prevention, task)) = d.closure else {
            continue;
        };
        // Closed as the close form closes it: on the clocks and the timeline as kept.
        let incident = db.incident(&incident.id).await?;
        let line = db.timeline(&incident.id).await?;
        let states = clocks(
            &rules,
            incident.fields.noticed_at,
            &recorded(&line),
            local_now,
        );
        let draft = ClosureDraft {
            handled: handled.into(),
            prevention: prevention.into(),
            rectifications: vec![TaskDraft {
                title: task.into(),
                owner: staff.into(),
                deadline: (today + Days::new(30)).format("%Y-%m-%d").to_string(),
            }],
        };
        let closure = check_close(
            &rules,
            &incident.fields,
            &states,
            &recorded(&line),
            first.as_ref(),
            &model,
            &draft,
            local_now,
            Lang::Zh,
        )
        .map_err(|e| refused("closure", e))?
        .map_err(|e| refused("closure", e))?;
        let facts = ClosedFacts {
            late: states
                .iter()
                .filter(|c| c.late())
                .map(|c| c.clock)
                .collect(),
            personal_done: personal_handling(&rules, &incident.fields.severity, &recorded(&line))
                == PersonalHandling::Done,
        };
        let mut tx = db.begin(actor, now).await?;
        tx.close_incident(
            &incident.id,
            incident.version,
            closure,
            facts,
            by,
            &set,
            &model,
        )
        .await?;
        tx.commit().await?;
    }
    demo_projects(db, actor, pack, &model, college, staff, today).await
}

/// A major project assessed (level medium), approved by its portfolio's leader and launched;
/// and a major project planned, owing its assessment.
async fn demo_projects(
    db: &Db,
    actor: &Actor,
    pack: &PolicyPack,
    model: &OrgModel,
    college: &str,
    staff: &str,
    today: NaiveDate,
) -> Result<()> {
    let set = db.policy_set().await?;
    let rules = pack.risk_assessment.clone().unwrap_or_default();
    let portfolios: Vec<&str> = pack.portfolios.iter().map(|p| p.id.as_str()).collect();
    let day = |n: i64| today.checked_add_signed(chrono::Duration::days(n));
    let text = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let mut tx = db.begin(actor, noon_in_shanghai(today)).await?;
    let launched = check_project(
        &ProjectDraft {
            title: "学院新媒体矩阵整合上线".into(),
            org: college.into(),
            description: "将学院官网、微信公众号、微博等账号统一纳入新媒体中心管理，统一内容审核流程后上线新版矩阵。".into(),
            portfolio: "publicity".into(),
            major: true,
            launch_on: text(day(-3)).unwrap_or_default(),
        },
        model,
        &portfolios,
        Lang::Zh,
    )
    .map_err(|e| refused("project", e))?;
    let project = tx.register_project(launched, &set, model).await?;
    let assessment = check_assessment(
        &AssessmentDraft {
            planned: "整合后各账号停更一周并统一更名，原有关注者迁移至新账号。".into(),
            affected: "本院师生、校友及关注学院账号的社会公众。".into(),
            risks: "停更和更名可能被误读为账号被封；迁移期间可能出现仿冒账号。".into(),
            level: "medium".into(),
            measures: "提前一周发布整合公告；向学校报备新账号名称；安排专人每日巡查仿冒账号。"
                .into(),
            assessors: vec![staff.into()],
            assessed_on: text(day(-12)).unwrap_or_default(),
        },
        &project.fields,
        model,
        &rules,
        today,
        Lang::Zh,
    )
    .map_err(|e| refused("assessment", e))?;
    let decided_on = day(-10).unwrap_or(today);
    let a = tx.submit_assessment(&project.id, assessment).await?;
    let Some(leader) = approver(pack, model, &rules, &project.fields, "medium", decided_on) else {
        return Err(refused("assessment", "no approver"));
    };
    tx.decide_assessment(&a.id, true, &leader.id, decided_on, "同意，按措施落实")
        .await?;
    let launch = check_launch(
        &project.fields,
        true,
        true,
        &LaunchDraft {
            launched_on: text(day(-3)).unwrap_or_default(),
            ..LaunchDraft::default()
        },
        Some(staff),
        None,
        today,
        Lang::Zh,
    )
    .map_err(|e| refused("launch", e))?
    .map_err(|e| refused("launch", e))?;
    tx.launch_project(&project.id, project.version, &launch, Some(staff))
        .await?;
    let planned = check_project(
        &ProjectDraft {
            title: "本科生学业导师制改革方案".into(),
            org: college.into(),
            description: "调整导师配比和考核办法，涉及全院本科生和导师的切身利益。".into(),
            portfolio: "student-affairs".into(),
            major: true,
            launch_on: text(day(20)).unwrap_or_default(),
        },
        model,
        &portfolios,
        Lang::Zh,
    )
    .map_err(|e| refused("project", e))?;
    tx.register_project(planned, &set, model).await?;
    tx.commit().await
}
