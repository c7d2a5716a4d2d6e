//! The university's incidents at scale: 50 000 over the year, each on one of the platforms
//! written in bulk (one in five about the unit itself), graded on the pack's scale (most 一般, a
//! few 重大 and above), handled by the platform's operator with a timeline of four to six
//! entries — recorded, first response, assessment, the first responsible person's instruction
//! and sign-off for a level handled personally, the closure — and closed within days; those of
//! the last weeks partly still open, a deterministic few past a clock. Their obligations are
//! discharged on the day they closed, as a closure by hand would.

use super::events::Host;
use super::{Batch, Val, day, hash};
use crate::db::{Tx, new_id};
use crate::error::Result;
use crate::repo::date_text;
use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::json;
use zeren_core::events::date_time_text;
use zeren_core::incidents::{IncidentRules, first_responsible};
use zeren_core::org::OrgModel;
use zeren_core::policy::PolicyPack;
use zeren_core::vocab::{IncidentChannel, IncidentClock};

/// Incidents of the year in the whole university.
pub const INCIDENTS: usize = 50_000;

const COLS: &[&str] = &[
    "id",
    "org_id",
    "platform_id",
    "title",
    "noticed_at",
    "noticed_day",
    "channel",
    "source",
    "facts",
    "severity",
    "handler_id",
    "state",
    "paused",
    "entries",
    "closure_due",
    "closed_at",
    "handled",
    "prevention",
    "late",
    "personal_done",
    "version",
    "created_by",
    "created_at",
    "updated_at",
];

const ENTRY_COLS: &[&str] = &[
    "id",
    "incident_id",
    "seq",
    "kind",
    "happened_at",
    "person_id",
    "as_first_responsible",
    "detail",
    "severity_from",
    "severity_to",
    "handler_from",
    "handler_to",
    "reason",
    "created_by",
    "created_at",
];

const SUBJECTS: [&str; 8] = [
    "推文评论区出现不实信息",
    "转发内容被指断章取义",
    "活动报道引发学生质疑",
    "招生宣传口径引发误读",
    "校园事件在社交平台传播",
    "网站页面被指信息过时",
    "直播中出现不当言论",
    "校友群转发未经核实消息",
];

/// The severity of the `i`th incident by its hash: about 70 % the lowest level, 20 % the
/// second, the rest spread over the levels above.
fn level(rules: &IncidentRules, h: u32) -> usize {
    let n = rules.severities.len().max(1);
    match h % 100 {
        0..70 => 0,
        70..90 => 1.min(n - 1),
        x => (2 + (x as usize % 2)).min(n - 1),
    }
}

/// The rows of `count` incidents and their timelines, as of `today`; `ms` stamps them.
pub(super) fn batches(
    model: &OrgModel,
    pack: &PolicyPack,
    hosts: &[Host],
    count: usize,
    today: NaiveDate,
    ms: i64,
) -> Result<(Batch, Batch)> {
    let mut rows = Batch::new("incidents", COLS);
    let mut entries = Batch::new("incident_timeline", ENTRY_COLS);
    if hosts.is_empty() {
        return Ok((rows, entries));
    }
    let rules = pack.incidents.clone().unwrap_or_default();
    let year = today.year();
    let first = day(year, 1, 1)?;
    let days = (today - first).num_days().max(1);
    let mut firsts = std::collections::HashMap::new();
    for i in 0..count {
        let host = &hosts[(i * 104_729) % hosts.len()];
        let h = hash(&format!("incident-{i}"));
        let on = first + Days::new(((i as i64 * 7) % days) as u64);
        let noticed =
            on.and_time(NaiveTime::from_hms_opt(8 + h % 12, (h / 7) % 60, 0).unwrap_or_default());
        let l = level(&rules, h);
        let Some(severity) = rules.severities.get(l) else {
            continue;
        };
        let limit = |c: IncidentClock| i64::from(severity.limit(c).unwrap_or(24 * 60));
        let first_responsible = firsts
            .entry(host.org.clone())
            .or_insert_with(|| first_responsible(pack, model, &host.org, on))
            .clone();
        let id = new_id();
        let minutes = |m: i64| noticed + Duration::minutes(m);
        // Most clocks are met well in time; one in forty first responses comes late.
        let late_response = h.is_multiple_of(40);
        let respond = if late_response {
            limit(IncidentClock::FirstResponse) + 30
        } else {
            limit(IncidentClock::FirstResponse) / 3
        };
        let assess = limit(IncidentClock::Assessment) / 2;
        let close = limit(IncidentClock::ClosureReport) * 2 / 3;
        let now = today.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
        let closed_at = minutes(close);
        let closed = closed_at <= now && !h.is_multiple_of(97);
        let mut line: Vec<(&str, NaiveDateTime, Option<String>, bool, &str)> =
            vec![("recorded", noticed, Some(host.operator.clone()), false, "")];
        for (kind, at, detail) in [
            (
                "response",
                minutes(respond),
                "联系发布人核实，暂时隐藏相关内容",
            ),
            (
                "assessment",
                minutes(assess),
                "研判：影响有限，按一般程序处置",
            ),
        ] {
            if at <= now {
                line.push((kind, at, Some(host.operator.clone()), false, detail));
            }
        }
        let personal = severity.personal_handling;
        let first_id = first_responsible.as_ref().map(|p| p.id.clone());
        if personal && first_id.is_some() && minutes(assess + 30) <= now {
            line.push((
                "instruction",
                minutes(assess + 30),
                first_id.clone(),
                true,
                "统一口径，及时回应关切",
            ));
            line.push((
                "sign-off",
                minutes(assess + 60),
                first_id,
                true,
                "同意处置方案",
            ));
        }
        if closed {
            line.push((
                "closed",
                closed_at,
                Some(host.operator.clone()),
                false,
                "已处置完毕，发布说明",
            ));
        }
        let personal_done = !personal || line.iter().any(|e| e.0 == "sign-off");
        let late = (closed && late_response).then(|| "first-response".to_string());
        let text = |s: Option<String>| s.map(Val::Text).unwrap_or(Val::Null);
        let subject = SUBJECTS[(i / 3) % SUBJECTS.len()];
        rows.push(vec![
            id.clone().into(),
            host.org.clone().into(),
            if h.is_multiple_of(5) {
                Val::Null
            } else {
                host.platform.clone().into()
            },
            format!("{subject}（{}）", i + 1).into(),
            date_time_text(noticed).into(),
            date_text(on).into(),
            IncidentChannel::ALL[i % IncidentChannel::ALL.len()]
                .as_str()
                .into(),
            "平台后台".into(),
            format!("{subject}，已核实有关情况。").into(),
            severity.id.clone().into(),
            host.operator.clone().into(),
            if closed { "closed" } else { "open" }.into(),
            0i64.into(),
            (line.len() as i64).into(),
            date_text(minutes(limit(IncidentClock::ClosureReport)).date()).into(),
            text(closed.then(|| date_time_text(closed_at))),
            text(closed.then(|| "已处置完毕，发布说明".to_string())),
            text(closed.then(|| "完善内容审核流程".to_string())),
            text(late),
            if closed {
                Val::Int(i64::from(personal_done))
            } else {
                Val::NullInt
            },
            (line.len() as i64).into(),
            "demo".into(),
            ms.into(),
            ms.into(),
        ]);
        for (seq, (kind, at, person, as_first, detail)) in line.into_iter().enumerate() {
            let recorded = kind == "recorded";
            entries.push(vec![
                new_id().into(),
                id.clone().into(),
                (seq as i64 + 1).into(),
                kind.into(),
                date_time_text(at).into(),
                text(person),
                i64::from(as_first).into(),
                detail.into(),
                Val::Null,
                text(recorded.then(|| severity.id.clone())),
                if recorded {
                    Val::Text(String::new())
                } else {
                    Val::Null
                },
                text(recorded.then(|| host.operator.clone())),
                Val::Null,
                "demo".into(),
                ms.into(),
            ]);
        }
    }
    Ok((rows, entries))
}

/// Discharges the obligations of the closed incidents on the day each closed, as a closure by
/// hand would: one UPDATE and one audit entry for the lot. Gives how many were discharged.
pub(super) async fn discharge_closed(tx: &mut Tx) -> Result<u64> {
    let closed =
        "(SELECT SUBSTR(i.closed_at, 1, 10) FROM incidents i WHERE i.id = obligations.subject_id)";
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE obligations SET state = 'done', completed_on = {closed}, \
         completion_note = '舆情事件已结案（' || {closed} || '）', version = version + 1, updated_at = $1 \
         WHERE state = 'open' AND subject_kind = 'event' \
         AND subject_id IN (SELECT id FROM incidents WHERE state = 'closed')"
    )))
    .bind(tx.now_ms())
    .execute(tx.conn())
    .await?;
    tx.audit(
        "demo.scale.complete",
        "obligations",
        "incidents",
        None,
        Some(&json!({"closed_incidents": done.rows_affected()})),
    )
    .await?;
    Ok(done.rows_affected())
}
