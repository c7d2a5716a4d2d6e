//! The university's online events at scale: 20 000 lectures, reports, forums and livestreams
//! over the year, run through the platforms written in bulk, each registered by its platform's
//! operator. Most were approved by the person who answers for them (computed as by hand: the
//! portfolio's leader, the first responsible person for a major one) a week or more ahead, and
//! recorded after they took place; a deterministic few were held without approval, changed
//! after approval and held anyway, or rejected and not held — the facts the indicators view
//! lists under Art.5(7). Events ahead are partly still waiting for approval.

use super::{Batch, Val, day, hash, name};
use crate::db::{Tx, new_id};
use crate::error::Result;
use crate::repo::date_text;
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use serde_json::json;
use zeren_core::events::{approver, date_time_text, is_major};
use zeren_core::org::OrgModel;
use zeren_core::policy::PolicyPack;
use zeren_core::vocab::EventForm;

/// Online events of the year in the whole university.
pub const EVENTS: usize = 20_000;

const COLS: &[&str] = &[
    "id",
    "org_id",
    "platform_id",
    "title",
    "form",
    "organiser",
    "responsible_id",
    "speakers",
    "starts_at",
    "ends_at",
    "event_day",
    "audience",
    "outline",
    "major",
    "state",
    "decided_by",
    "decided_on",
    "decision_note",
    "changed_after_approval",
    "held",
    "held_audience",
    "held_summary",
    "version",
    "created_by",
    "created_at",
    "updated_at",
];

const TOPICS: [&str; 12] = [
    "学习贯彻党的二十大精神",
    "网络安全与个人信息保护",
    "学术诚信与科研伦理",
    "青年网络素养提升",
    "前沿科技进展",
    "新时代思想政治教育",
    "校园文化与传统艺术",
    "就业形势与职业发展",
    "国家安全教育",
    "心理健康与成长",
    "国际学术交流",
    "创新创业实践",
];

const AFFILIATIONS: [&str; 6] = [
    "重庆大学",
    "中国科学院",
    "重庆市委网信办",
    "西南大学",
    "清华大学",
    "四川大学",
];

/// A platform written in bulk, with the org that owns it and the operator who runs it.
pub(super) struct Host {
    /// Platform id.
    pub platform: String,
    /// Owning org id.
    pub org: String,
    /// The operator's person id (the events' responsible person).
    pub operator: String,
}

/// The rows of the year's events on `hosts`, as of `today`; `ms` stamps them.
pub(super) fn batch(
    model: &OrgModel,
    pack: &PolicyPack,
    hosts: &[Host],
    today: NaiveDate,
    ms: i64,
) -> Result<Batch> {
    let mut rows = Batch::new("online_events", COLS);
    if hosts.is_empty() {
        return Ok(rows);
    }
    let rules = pack.online_events.clone().unwrap_or_default();
    let lead = u64::from(rules.approval_days.max(1));
    let year = today.year();
    let first = day(year, 1, 1)?;
    let days_in_year = (day(year, 12, 31)? - first).num_days() + 1;
    let starts = [(9, 0), (14, 30), (19, 0)];
    for i in 0..EVENTS {
        let host = &hosts[(i * 7919) % hosts.len()];
        let h = hash(&format!("event-{i}"));
        let form = EventForm::ALL[i % EventForm::ALL.len()];
        let on = first + Days::new(((i as i64 * 37) % days_in_year) as u64);
        let (hour, minute) = starts[i % starts.len()];
        let start = on.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
        let end = start + chrono::Duration::hours(2);
        let audience = 50 + h % 1200;
        let major = is_major(&rules, form, audience, false);
        let decider = approver(pack, model, &host.org, &host.platform, major, on);
        let past = on <= today;
        // What became of it: (state, changed after approval, held).
        let (state, changed, held) = match (past, h % 50, &decider) {
            (_, _, None) => ("registered", false, None),
            (true, 0, _) => ("registered", false, Some(true)),
            (true, 1, _) => ("registered", true, Some(true)),
            (true, 2, _) => ("rejected", false, Some(false)),
            (true, n, _) => ("approved", false, (n % 5 != 0).then_some(true)),
            (false, n, _) if n % 3 == 0 => ("registered", false, None),
            (false, _, _) => ("approved", false, None),
        };
        let decided_on = (state != "registered" || changed)
            .then(|| (on - Days::new(lead + u64::from(h % 10))).min(today));
        let organiser = model
            .org(&host.org)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let speakers = json!([{
            "name": name(i * 13 + 5),
            "affiliation": AFFILIATIONS[i % AFFILIATIONS.len()],
        }]);
        let text = |s: Option<String>| s.map(Val::Text).unwrap_or(Val::Null);
        rows.push(vec![
            new_id().into(),
            host.org.clone().into(),
            host.platform.clone().into(),
            format!("{}：{}", TOPICS[(i / 7) % TOPICS.len()], form.name_zh()).into(),
            form.as_str().into(),
            organiser.into(),
            host.operator.clone().into(),
            speakers.to_string().into(),
            date_time_text(start).into(),
            date_time_text(end).into(),
            date_text(on).into(),
            i64::from(audience).into(),
            format!("围绕“{}”开展交流。", TOPICS[(i / 7) % TOPICS.len()]).into(),
            i64::from(major).into(),
            state.into(),
            text(decided_on.and(decider.as_ref().map(|(id, _)| id.clone()))),
            text(decided_on.map(date_text)),
            text((state == "rejected").then(|| "主讲人资质材料不全".to_string())),
            i64::from(changed).into(),
            held.map(|h| Val::Int(i64::from(h))).unwrap_or(Val::NullInt),
            held.map(|h| Val::Int(if h { i64::from(audience * 9 / 10) } else { 0 }))
                .unwrap_or(Val::NullInt),
            text(held.map(|h| {
                if h {
                    "活动按计划举办，内容符合要求。".to_string()
                } else {
                    "未获审批，活动未举办。".to_string()
                }
            })),
            1i64.into(),
            "demo".into(),
            ms.into(),
            ms.into(),
        ]);
    }
    Ok(rows)
}

/// Discharges the approval obligations of the events that stand approved, on their approval
/// day, as an approval by hand would: one UPDATE and one audit entry for the lot. Gives how
/// many were discharged.
pub(super) async fn discharge_approved(tx: &mut Tx) -> Result<u64> {
    let decided = "(SELECT e.decided_on FROM online_events e WHERE e.id = obligations.subject_id)";
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE obligations SET state = 'done', completed_on = {decided}, \
         completion_note = '活动已审批（' || {decided} || '）', version = version + 1, updated_at = $1 \
         WHERE state = 'open' AND subject_kind = 'event' \
         AND subject_id IN (SELECT id FROM online_events WHERE state = 'approved')"
    )))
    .bind(tx.now_ms())
    .execute(tx.conn())
    .await?;
    tx.audit(
        "demo.scale.complete",
        "obligations",
        "online_events",
        None,
        Some(&json!({"approved_events": done.rows_affected()})),
    )
    .await?;
    Ok(done.rows_affected())
}
