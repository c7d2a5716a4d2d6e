//! The ledger (台账) of an org subtree for one year, from the database into an xlsx workbook.
//!
//! One sheet per kind: obligations, committee meetings, situation analyses, training sessions,
//! education activities, directives and supervised tasks, behind a cover sheet with the org, the
//! year, the policy's document number and the export time (Asia/Shanghai). Everything comes from
//! one consistent snapshot (storage's `LedgerReader`), obligations page by page (keyset paging).
//! Rows go in batches over a bounded channel to the workbook, written on a blocking thread beside
//! the reads in constant-memory mode, so memory stays flat however many rows there are.

use crate::xlsx::{Cell, Column, CoverFacts, ExportError, Ledger};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Seek, Write};
use std::path::Path;
use zeren_core::clock::shanghai;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::{Policies, PolicyPack};
use zeren_core::responsibility::{Target, resolve};
use zeren_storage::Db;
use zeren_storage::repo::ledger_rows::LedgerCounts;

/// Record kinds, as stored, of the record sheets.
const MEETING: &str = "committee-meeting";
const ANALYSIS: &str = "situation-analysis";
const TRAINING: &str = "training-session";
const EDUCATION: &str = "education-activity";

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
    /// Every system in force together (the snapshot's combined pack): reminders and the
    /// duties of obligations whose own version is gone.
    pub pack: &'a PolicyPack,
    /// Every loaded version: each obligation is read under its own.
    pub policies: &'a Policies,
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

/// What the reading side hands the workbook writer.
enum Part {
    /// Begin a data sheet.
    Sheet(&'static str, &'static [Column]),
    /// Rows of the current sheet.
    Rows(Vec<Vec<Cell>>),
    /// The cover's facts: save the workbook.
    Finish(CoverFacts),
}

/// Rows sent to the writer at a time.
const BATCH: usize = 512;
/// Batches in flight between the reading side and the writer (bounds memory).
const IN_FLIGHT: usize = 4;

/// The reading side's end of the pipe to the workbook writer: rows are batched, and a send
/// fails only when the writer has stopped (its error is then the export's error).
struct Sink {
    tx: tokio::sync::mpsc::Sender<Part>,
    rows: Vec<Vec<Cell>>,
}

/// The writer stopped early; its own error says why.
struct WriterGone;

impl Sink {
    async fn send(&mut self, part: Part) -> Result<(), WriterGone> {
        self.tx.send(part).await.map_err(|_| WriterGone)
    }

    async fn flush(&mut self) -> Result<(), WriterGone> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH));
        self.send(Part::Rows(rows)).await
    }

    async fn sheet(
        &mut self,
        name: &'static str,
        columns: &'static [Column],
    ) -> Result<(), WriterGone> {
        self.flush().await?;
        self.send(Part::Sheet(name, columns)).await
    }

    async fn row(&mut self, cells: Vec<Cell>) -> Result<(), WriterGone> {
        self.rows.push(cells);
        if self.rows.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }
}

/// The workbook side: runs on a blocking thread, beside the reading side, so reading the
/// database and compressing the sheets use both cores.
fn write_parts<W: Write + Seek + Send>(
    title: &str,
    tempdir: Option<&Path>,
    parts: &mut tokio::sync::mpsc::Receiver<Part>,
    writer: &mut W,
) -> Result<LedgerSummary, ExportError> {
    let mut book = Ledger::new(SHEETS[0], tempdir)?;
    book.properties(title, "Zeren");
    while let Some(part) = parts.blocking_recv() {
        match part {
            Part::Sheet(name, columns) => book.begin_sheet(name, columns)?,
            Part::Rows(rows) => {
                for cells in &rows {
                    book.row(cells)?;
                }
            }
            Part::Finish(facts) => return book.save_to_writer(title, &facts, writer),
        }
    }
    Err(ExportError::Abandoned)
}

/// Writes the ledger to `writer` and hands the writer back. The orgs of the subtree are
/// exported in tree order; orgs with nothing on a sheet are skipped without a query.
pub async fn write_ledger<W: Write + Seek + Send + 'static>(
    req: &LedgerRequest<'_>,
    mut writer: W,
) -> Result<(LedgerSummary, W), LedgerError> {
    let title = format!(
        "{}{}年度网络意识形态工作责任制落实情况台账",
        req.org.name, req.year
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel(IN_FLIGHT);
    let tempdir = req.tempdir.map(Path::to_path_buf);
    let book_title = title.clone();
    let book = tokio::task::spawn_blocking(move || {
        let written = write_parts(&book_title, tempdir.as_deref(), &mut rx, &mut writer);
        written.map(|summary| (summary, writer))
    });
    let mut sink = Sink {
        tx,
        rows: Vec::with_capacity(BATCH),
    };
    let read = read_ledger(req, &mut sink).await;
    drop(sink);
    let written = book
        .await
        .map_err(|e| LedgerError::Export(ExportError::Writer(e.to_string())));
    match read {
        // The writer's error explains why it stopped taking rows.
        Ok(Err(WriterGone)) | Ok(Ok(())) => Ok(written??),
        Err(e) => Err(e),
    }
}

/// Records read at a time (their texts may be long).
const RECORD_PAGE: i64 = 200;

/// The cells of one record after its org and date: from the model, its title and its body.
type RecordRow = fn(&OrgModel, String, &Value) -> Vec<Cell>;

/// The sheets of records: sheet, columns, record kind, and its row.
const RECORD_SHEETS: [(&str, &[Column], &str, RecordRow); 4] = [
    (SHEETS[2], &MEETING_COLUMNS, MEETING, meeting_row),
    (SHEETS[3], &ANALYSIS_COLUMNS, ANALYSIS, analysis_row),
    (SHEETS[4], &TRAINING_COLUMNS, TRAINING, training_row),
    (SHEETS[5], &EDUCATION_COLUMNS, EDUCATION, education_row),
];

fn meeting_row(model: &OrgModel, title: String, v: &Value) -> Vec<Cell> {
    let (present, n) = people(v, "attendees", model);
    let (absent, _) = people(v, "absentees", model);
    vec![
        title.into(),
        agenda(v).into(),
        present.into(),
        Cell::Number(n as f64),
        absent.into(),
        text(v, "minutes").into(),
        text(v, "decisions").into(),
    ]
}

fn analysis_row(model: &OrgModel, title: String, v: &Value) -> Vec<Cell> {
    vec![
        title.into(),
        text(v, "covers").into(),
        person_name(model, &text(v, "author")).into(),
        text(v, "findings").into(),
        text(v, "measures").into(),
    ]
}

fn training_row(model: &OrgModel, title: String, v: &Value) -> Vec<Cell> {
    let (present, n) = people(v, "attendees", model);
    let hours = v.get("hours").and_then(Value::as_f64);
    vec![
        title.into(),
        person_name(model, &text(v, "trainer")).into(),
        present.into(),
        Cell::Number(n as f64),
        hours.map(Cell::Number).unwrap_or(Cell::Empty),
    ]
}

fn education_row(_: &OrgModel, title: String, v: &Value) -> Vec<Cell> {
    let count = v.get("count").and_then(Value::as_f64);
    vec![
        title.into(),
        text(v, "audience").into(),
        count.map(Cell::Number).unwrap_or(Cell::Empty),
        text(v, "content").into(),
    ]
}

const MEETING_COLUMNS: [Column; 9] = [
    Column::text("组织"),
    Column::date("会议日期"),
    Column::text("会议名称"),
    Column::long("议题"),
    Column::long("出席人员"),
    Column::number("出席人数"),
    Column::long("缺席人员"),
    Column::long("会议纪要"),
    Column::long("决定事项"),
];
const ANALYSIS_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("标题"),
    Column::text("所涉期间"),
    Column::text("撰写人"),
    Column::long("主要情况"),
    Column::long("对策措施"),
];
const TRAINING_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("培训名称"),
    Column::text("主讲人"),
    Column::long("参训人员"),
    Column::number("人数"),
    Column::number("学时"),
];
const EDUCATION_COLUMNS: [Column; 6] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("活动名称"),
    Column::text("对象"),
    Column::number("人数"),
    Column::long("内容"),
];
const DIRECTIVE_COLUMNS: [Column; 6] = [
    Column::text("组织"),
    Column::date("收文日期"),
    Column::text("发文单位"),
    Column::text("文号"),
    Column::text("标题"),
    Column::long("部署内容"),
];
const TASK_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::text("上级部署"),
    Column::text("督办任务"),
    Column::text("责任人"),
    Column::date("截止日期"),
    Column::text("状态"),
    Column::date("完成日期"),
];

/// Reads the subtree's year and sends it to the writer, sheet by sheet. The outer error is the
/// database's; the inner one says the writer stopped (its own error tells why).
async fn read_ledger(
    req: &LedgerRequest<'_>,
    sink: &mut Sink,
) -> Result<Result<(), WriterGone>, LedgerError> {
    macro_rules! send {
        ($e:expr) => {
            if let Err(gone) = $e.await {
                return Ok(Err(gone));
            }
        };
    }
    let orgs = req.model.subtree(&req.org.id);
    let today = zeren_core::clock::shanghai_date(req.now);
    let mut db = req.db.ledger_reader().await?;
    let counts = db.counts(req.year).await?;
    let none = LedgerCounts::default();
    let count = |org: &Org| counts.get(&org.id).unwrap_or(&none);

    // 责任清单: obligations, page by page.
    send!(sink.sheet(SHEETS[1], &OBLIGATION_COLUMNS));
    // With several systems loaded, each citation names its document.
    let several = req.policies.series().len() > 1;
    let cite = |pack: &PolicyPack, c: &str| {
        let c = c
            .parse::<zeren_core::Citation>()
            .map(|c| c.to_zh())
            .unwrap_or_else(|_| c.to_string());
        if several {
            format!("{} {c}", pack.meta.document_number)
        } else {
            c
        }
    };
    for org in orgs.iter().filter(|o| count(o).obligations > 0) {
        // Who was responsible, per (duty, platform, day): one org at a time, so memory is bounded.
        let mut who: HashMap<(&str, Option<&str>, NaiveDate), String> = HashMap::new();
        let mut after = None;
        loop {
            let page = db
                .obligations(&org.id, req.year, after.take(), 2000)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.due, last.id.clone()));
            for o in page {
                let pack = req.policies.get(&o.policy).unwrap_or(req.pack);
                let duty = pack.duty(&o.duty).or_else(|| req.pack.duty(&o.duty));
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
                        .entry((duty.id.as_str(), platform.map(|p| p.id.as_str()), o.due))
                        .or_insert_with(|| {
                            resolve(pack, req.model, org, Target::Duty { duty, platform }, o.due)
                                .ok()
                                .and_then(|a| a.person)
                                .map(|p| p.name)
                                .unwrap_or_default()
                        })
                        .clone(),
                    None => String::new(),
                };
                let duty_title = duty.map_or_else(|| o.duty.clone(), |d| d.title.clone());
                let citation = cite(pack, &o.citation);
                let status = status_on(
                    o.discharge(),
                    o.due,
                    today,
                    req.pack.reminders.due_soon_days,
                );
                send!(sink.row(vec![
                    org.name.as_str().into(),
                    duty_title.into(),
                    citation.into(),
                    subject.into(),
                    o.period.into(),
                    o.due.into(),
                    status_zh(status).into(),
                    responsible.into(),
                    o.completed_on.into(),
                    o.completion_note.into(),
                    o.id.into(),
                ]));
            }
        }
    }

    // 党委会, 分析研判, 教育培训, 青年教育: records, a page at a time (a college may keep
    // thousands of meetings; their texts are long).
    for (sheet, columns, kind, row) in RECORD_SHEETS {
        send!(sink.sheet(sheet, columns));
        for org in orgs.iter().filter(|o| count(o).records_of(kind) > 0) {
            let mut after = None;
            loop {
                let page = db
                    .records(&org.id, kind, req.year, after.take(), RECORD_PAGE)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some((last.date, last.id.clone()));
                for r in page {
                    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
                    let mut cells = vec![org.name.as_str().into(), r.date.into()];
                    cells.extend(row(req.model, r.title, &v));
                    send!(sink.row(cells));
                }
            }
        }
    }
    // 上级部署
    send!(sink.sheet(SHEETS[6], &DIRECTIVE_COLUMNS));
    for org in orgs.iter().filter(|o| count(o).directives > 0) {
        for d in db.directives(&org.id, req.year).await? {
            send!(sink.row(vec![
                org.name.as_str().into(),
                d.received_on.into(),
                d.issuer.into(),
                d.document_number.into(),
                d.title.into(),
                d.content.into(),
            ]));
        }
    }
    // 督办任务
    send!(sink.sheet(SHEETS[7], &TASK_COLUMNS));
    for org in orgs.iter().filter(|o| count(o).tasks > 0) {
        for t in db.tasks(&org.id, req.year).await? {
            let status = match t.status.as_str() {
                "open" => "进行中",
                "in_progress" | "in-progress" => "推进中",
                "done" | "completed" => "已完成",
                other => other,
            }
            .to_string();
            send!(sink.row(vec![
                org.name.as_str().into(),
                t.directive.into(),
                t.title.into(),
                person_name(req.model, &t.owner).into(),
                t.deadline.into(),
                status.into(),
                t.completed_on.into(),
            ]));
        }
    }
    send!(sink.flush());
    db.finish().await?;

    let local = req.now.with_timezone(&shanghai());
    let current = req.policies.current(today);
    let facts: CoverFacts = vec![
        ("单位".into(), req.org.name.clone()),
        ("组织代码".into(), req.org.code.clone()),
        ("年度".into(), format!("{}年", req.year)),
        (
            "依据".into(),
            current
                .iter()
                .map(|p| p.meta.title.as_str())
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (
            "文号".into(),
            current
                .iter()
                .map(|p| p.meta.document_number.as_str())
                .collect::<Vec<_>>()
                .join("；"),
        ),
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
    send!(sink.send(Part::Finish(facts)));
    Ok(Ok(()))
}
