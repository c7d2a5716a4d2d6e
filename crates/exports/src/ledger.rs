//! The ledger (台账) of an org subtree for one year, from the database into an xlsx workbook.
//!
//! One sheet per kind: obligations, committee meetings, situation analyses, training sessions,
//! education activities, directives and supervised tasks, behind a cover sheet with the org, the
//! year, the policy's document number and the export time (Asia/Shanghai). Obligations are read
//! page by page (keyset paging) and written row by row in constant-memory mode, so memory stays
//! flat however many rows there are.

use crate::xlsx::{Cell, Column, CoverFacts, ExportError, Ledger};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::Path;
use zeren_core::clock::shanghai;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::PolicyPack;
use zeren_core::responsibility::{Target, resolve};
use zeren_storage::Db;

/// Why the ledger could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Reading the database failed.
    #[error(transparent)]
    Storage(#[from] zeren_storage::StorageError),
    /// Writing the workbook failed.
    #[error(transparent)]
    Export(#[from] ExportError),
}

/// What to export.
pub struct LedgerRequest<'a> {
    /// The database.
    pub db: &'a Db,
    /// The org model (for names, the subtree and who was responsible).
    pub model: &'a OrgModel,
    /// The policy in force.
    pub pack: &'a PolicyPack,
    /// The org whose subtree is exported.
    pub org: &'a Org,
    /// The year.
    pub year: i32,
    /// Export time (from the injected clock).
    pub now: DateTime<Utc>,
    /// Who exported it (shown on the cover).
    pub exported_by: &'a str,
    /// Where constant-memory sheets are spooled (default: the system temp dir).
    pub tempdir: Option<&'a Path>,
}

/// What was written: (sheet name, rows) per data sheet.
pub type LedgerSummary = Vec<(String, u32)>;

/// Sheet names, in order.
pub const SHEETS: [&str; 8] = [
    "封面",
    "责任清单",
    "党委会",
    "分析研判",
    "教育培训",
    "青年教育",
    "上级部署",
    "督办任务",
];

const OBLIGATION_COLUMNS: [Column; 11] = [
    Column::text("组织"),
    Column::text("职责"),
    Column::text("条款"),
    Column::text("对象"),
    Column::text("周期"),
    Column::date("截止日期"),
    Column::text("状态"),
    Column::text("责任人（截止日）"),
    Column::date("完成日期"),
    Column::long("完成说明"),
    Column::text("编号"),
];

/// Chinese name of a status.
pub fn status_zh(s: ObligationStatus) -> &'static str {
    match s {
        ObligationStatus::Upcoming => "未到期",
        ObligationStatus::DueSoon => "即将到期",
        ObligationStatus::Overdue => "已逾期",
        ObligationStatus::Done => "已完成",
        ObligationStatus::Waived => "已豁免",
    }
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn people(v: &Value, key: &str, model: &OrgModel) -> (String, usize) {
    let list: Vec<String> = v
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|id| person_name(model, id))
                .collect()
        })
        .unwrap_or_default();
    (list.join("、"), list.len())
}

fn person_name(model: &OrgModel, id_or_name: &str) -> String {
    model
        .person(id_or_name)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id_or_name.to_string())
}

fn agenda(v: &Value) -> String {
    v.get("agenda")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| format!("{}. {}", i + 1, text(item, "title")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// Writes the ledger to `writer`. The orgs of the subtree are exported in tree order.
pub async fn write_ledger<W: Write + Seek + Send>(
    req: &LedgerRequest<'_>,
    writer: W,
) -> Result<LedgerSummary, LedgerError> {
    let mut book = Ledger::new(SHEETS[0], req.tempdir)?;
    let title = format!(
        "{}{}年度网络意识形态工作责任制落实情况台账",
        req.org.name, req.year
    );
    book.properties(&title, "Zeren");
    let orgs = req.model.subtree(&req.org.id);
    let today = zeren_core::clock::shanghai_date(req.now);

    // 责任清单: obligations, page by page.
    book.begin_sheet(SHEETS[1], &OBLIGATION_COLUMNS)?;
    for org in &orgs {
        // Who was responsible, per (duty, platform, day): one org at a time, so memory is bounded.
        let mut who: HashMap<(String, Option<String>, NaiveDate), String> = HashMap::new();
        let mut after = None;
        loop {
            let page = req
                .db
                .ledger_obligations(&org.id, req.year, after.clone(), 2000)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.due, last.id.clone()));
            for o in &page {
                let duty = req.pack.duty(&o.duty);
                let platform = (o.subject_kind == "platform")
                    .then(|| req.model.find_platform(&o.subject))
                    .flatten();
                let subject = match (o.subject_kind.as_str(), platform) {
                    ("platform", Some(p)) => p.name.clone(),
                    ("person", _) => person_name(req.model, &o.subject),
                    _ => org.name.clone(),
                };
                let responsible = match duty {
                    Some(duty) => who
                        .entry((duty.id.clone(), platform.map(|p| p.id.clone()), o.due))
                        .or_insert_with(|| {
                            resolve(
                                req.pack,
                                req.model,
                                org,
                                Target::Duty { duty, platform },
                                o.due,
                            )
                            .ok()
                            .and_then(|a| a.person)
                            .map(|p| p.name)
                            .unwrap_or_default()
                        })
                        .clone(),
                    None => String::new(),
                };
                let citation = duty
                    .map(|d| d.citation().to_zh())
                    .unwrap_or_else(|| o.citation.clone());
                let status = status_on(
                    o.discharge(),
                    o.due,
                    today,
                    req.pack.reminders.due_soon_days,
                );
                book.row(&[
                    org.name.as_str().into(),
                    duty.map(|d| d.title.clone())
                        .unwrap_or_else(|| o.duty.clone())
                        .into(),
                    citation.into(),
                    subject.into(),
                    o.period.as_str().into(),
                    o.due.into(),
                    status_zh(status).into(),
                    responsible.into(),
                    o.completed_on.into(),
                    o.completion_note.clone().into(),
                    o.id.as_str().into(),
                ])?;
            }
        }
    }

    let records = req.db.has_records_tables().await?;
    // 党委会
    book.begin_sheet(
        SHEETS[2],
        &[
            Column::text("组织"),
            Column::date("会议日期"),
            Column::text("会议名称"),
            Column::long("议题"),
            Column::long("出席人员"),
            Column::number("出席人数"),
            Column::long("缺席人员"),
            Column::long("会议纪要"),
            Column::long("决定事项"),
        ],
    )?;
    if records {
        for org in &orgs {
            for r in req
                .db
                .ledger_records(&org.id, "committee-meeting", req.year)
                .await?
            {
                let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                let (present, n) = people(&v, "attendees", req.model);
                let (absent, _) = people(&v, "absentees", req.model);
                book.row(&[
                    org.name.as_str().into(),
                    r.date.into(),
                    r.title.into(),
                    agenda(&v).into(),
                    present.into(),
                    Cell::Number(n as f64),
                    absent.into(),
                    text(&v, "minutes").into(),
                    text(&v, "decisions").into(),
                ])?;
            }
        }
    }
    // 分析研判
    book.begin_sheet(
        SHEETS[3],
        &[
            Column::text("组织"),
            Column::date("日期"),
            Column::text("标题"),
            Column::text("所涉期间"),
            Column::text("撰写人"),
            Column::long("主要情况"),
            Column::long("对策措施"),
        ],
    )?;
    if records {
        for org in &orgs {
            for r in req
                .db
                .ledger_records(&org.id, "situation-analysis", req.year)
                .await?
            {
                let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                book.row(&[
                    org.name.as_str().into(),
                    r.date.into(),
                    r.title.into(),
                    text(&v, "covers").into(),
                    person_name(req.model, &text(&v, "author")).into(),
                    text(&v, "findings").into(),
                    text(&v, "measures").into(),
                ])?;
            }
        }
    }
    // 教育培训
    book.begin_sheet(
        SHEETS[4],
        &[
            Column::text("组织"),
            Column::date("日期"),
            Column::text("培训名称"),
            Column::text("主讲人"),
            Column::long("参训人员"),
            Column::number("人数"),
            Column::number("学时"),
        ],
    )?;
    if records {
        for org in &orgs {
            for r in req
                .db
                .ledger_records(&org.id, "training-session", req.year)
                .await?
            {
                let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                let (present, n) = people(&v, "attendees", req.model);
                let hours = v.get("hours").and_then(Value::as_f64);
                book.row(&[
                    org.name.as_str().into(),
                    r.date.into(),
                    r.title.into(),
                    person_name(req.model, &text(&v, "trainer")).into(),
                    present.into(),
                    Cell::Number(n as f64),
                    hours.map(Cell::Number).unwrap_or(Cell::Empty),
                ])?;
            }
        }
    }
    // 青年教育
    book.begin_sheet(
        SHEETS[5],
        &[
            Column::text("组织"),
            Column::date("日期"),
            Column::text("活动名称"),
            Column::text("对象"),
            Column::number("人数"),
            Column::long("内容"),
        ],
    )?;
    if records {
        for org in &orgs {
            for r in req
                .db
                .ledger_records(&org.id, "education-activity", req.year)
                .await?
            {
                let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                let count = v.get("count").and_then(Value::as_f64);
                book.row(&[
                    org.name.as_str().into(),
                    r.date.into(),
                    r.title.into(),
                    text(&v, "audience").into(),
                    count.map(Cell::Number).unwrap_or(Cell::Empty),
                    text(&v, "content").into(),
                ])?;
            }
        }
    }
    // 上级部署
    book.begin_sheet(
        SHEETS[6],
        &[
            Column::text("组织"),
            Column::date("收文日期"),
            Column::text("发文单位"),
            Column::text("文号"),
            Column::text("标题"),
            Column::long("部署内容"),
        ],
    )?;
    if records {
        for org in &orgs {
            for d in req.db.ledger_directives(&org.id, req.year).await? {
                book.row(&[
                    org.name.as_str().into(),
                    d.received_on.into(),
                    d.issuer.into(),
                    d.document_number.into(),
                    d.title.into(),
                    d.content.into(),
                ])?;
            }
        }
    }
    // 督办任务
    book.begin_sheet(
        SHEETS[7],
        &[
            Column::text("组织"),
            Column::text("上级部署"),
            Column::text("督办任务"),
            Column::text("责任人"),
            Column::date("截止日期"),
            Column::text("状态"),
            Column::date("完成日期"),
        ],
    )?;
    if records {
        for org in &orgs {
            for t in req.db.ledger_tasks(&org.id, req.year).await? {
                let status = match t.status.as_str() {
                    "open" => "进行中",
                    "in_progress" | "in-progress" => "推进中",
                    "done" | "completed" => "已完成",
                    other => other,
                }
                .to_string();
                book.row(&[
                    org.name.as_str().into(),
                    t.directive.into(),
                    t.title.into(),
                    person_name(req.model, &t.owner).into(),
                    t.deadline.into(),
                    status.into(),
                    t.completed_on.into(),
                ])?;
            }
        }
    }

    let local = req.now.with_timezone(&shanghai());
    let facts: CoverFacts = vec![
        ("单位".into(), req.org.name.clone()),
        ("组织代码".into(), req.org.code.clone()),
        ("年度".into(), format!("{}年", req.year)),
        ("依据".into(), req.pack.meta.title.clone()),
        ("文号".into(), req.pack.meta.document_number.clone()),
        (
            "导出时间".into(),
            local.format("%Y-%m-%d %H:%M（北京时间）").to_string(),
        ),
        ("导出人".into(), req.exported_by.to_string()),
        (
            "范围".into(),
            format!("{}及其下属组织，共 {} 个", req.org.name, orgs.len()),
        ),
    ];
    Ok(book.save_to_writer(&title, &facts, writer)?)
}
