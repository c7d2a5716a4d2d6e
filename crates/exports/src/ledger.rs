//! The ledger (台账) of an org subtree for one year, from the database into an xlsx workbook.
//!
//! One sheet per kind: obligations, committee meetings, situation analyses, training sessions,
//! education activities, one sheet per record kind a policy pack defines (those with records in
//! the year), directives and supervised tasks, platforms, online events, incidents and risk
//! assessments, behind a cover sheet with the org, the year, the
//! policy's document number, the export time (Asia/Shanghai) and each sheet's row count.
//! Everything comes from one consistent snapshot (storage's `LedgerReader`), obligations and
//! records page by page (keyset paging). Rows go in batches over a bounded channel to the
//! workbook, written on a blocking thread beside the reads in constant-memory mode, so memory
//! stays flat however many rows there are.
//!
//! A pack-defined kind's sheet takes its columns from the kind's newest definition (that of the
//! last record made); each record keeps the definition it was made under and fills the columns
//! by field id, a field its definition lacks left empty. An attachment field's column counts the
//! record's files.

use crate::xlsx::{Cell, Column, ColumnKind, CoverFacts, ExportError, Ledger, sheet_name};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::{Seek, Write};
use std::path::Path;
use zeren_core::Lang;
use zeren_core::clock::shanghai;
use zeren_core::events::shown;
use zeren_core::incidents::clocks;
use zeren_core::obligation::{ObligationStatus, status_on};
use zeren_core::org::{Org, OrgModel};
use zeren_core::policy::{FieldType, Policies, PolicyPack, RecordField, RecordKind};
use zeren_core::records::{DefinedRecord, RecordDetails, value_text};
use zeren_core::responsibility::{Target, resolve};
use zeren_core::vocab::{EvidenceKind, TimelineKind};
use zeren_storage::Db;
use zeren_storage::repo::ledger_rows::{LedgerCounts, LedgerRecord};
use zeren_storage::repo::projects::{AssessmentState, ProjectState};

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

/// Names of the fixed sheets, in order. The sheets of pack-defined record kinds come after
/// 青年教育, named by their kinds ([`sheet_name`] keeps them apart from these).
pub const SHEETS: [&str; 14] = [
    "封面",
    "责任清单",
    "党委会",
    "分析研判",
    "教育培训",
    "青年教育",
    "上级部署",
    "督办任务",
    "网络阵地",
    "阵地状态变化",
    "年审与整改",
    "网上活动",
    "舆情事件",
    "风险评估",
];

static OBLIGATION_COLUMNS: [Column; 11] = [
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
    /// Begin a data sheet: its name and columns (fixed, or read off a pack's definition).
    Sheet(Cow<'static, str>, Cow<'static, [Column]>),
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
        name: Cow<'static, str>,
        columns: Cow<'static, [Column]>,
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
            Part::Sheet(name, columns) => book.begin_sheet(&name, &columns)?,
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

static MEETING_COLUMNS: [Column; 9] = [
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
static ANALYSIS_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("标题"),
    Column::text("所涉期间"),
    Column::text("撰写人"),
    Column::long("主要情况"),
    Column::long("对策措施"),
];
static TRAINING_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("培训名称"),
    Column::text("主讲人"),
    Column::long("参训人员"),
    Column::number("人数"),
    Column::number("学时"),
];
static EDUCATION_COLUMNS: [Column; 6] = [
    Column::text("组织"),
    Column::date("日期"),
    Column::text("活动名称"),
    Column::text("对象"),
    Column::number("人数"),
    Column::long("内容"),
];
static DIRECTIVE_COLUMNS: [Column; 6] = [
    Column::text("组织"),
    Column::date("收文日期"),
    Column::text("发文单位"),
    Column::text("文号"),
    Column::text("标题"),
    Column::long("部署内容"),
];
static TASK_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::text("上级部署"),
    Column::text("督办任务"),
    Column::text("责任人"),
    Column::date("截止日期"),
    Column::text("状态"),
    Column::date("完成日期"),
];

static PLATFORM_COLUMNS: [Column; 16] = [
    Column::text("组织"),
    Column::text("名称"),
    Column::text("代码"),
    Column::text("类型"),
    Column::text("新闻舆论功能"),
    Column::text("分管领域"),
    Column::text("责任领导（年末或导出日）"),
    Column::text("管理员"),
    Column::text("状态"),
    Column::date("登记日期"),
    Column::date("开通运行日期"),
    Column::date("关停日期"),
    Column::text("ICP备案号"),
    Column::text("账号ID"),
    Column::date("注册日期"),
    Column::text("注册主体"),
];
static STEP_COLUMNS: [Column; 7] = [
    Column::text("组织"),
    Column::text("阵地"),
    Column::date("生效日期"),
    Column::text("原状态"),
    Column::text("新状态"),
    Column::long("原因"),
    Column::text("操作人"),
];

static REVIEW_COLUMNS: [Column; 9] = [
    Column::text("组织"),
    Column::text("阵地"),
    Column::date("年审日期"),
    Column::text("年审人"),
    Column::text("结论"),
    Column::long("不符合项"),
    Column::long("年审意见"),
    Column::long("整改任务（责任人，完成时限）"),
    Column::text("编号"),
];
static EVENT_COLUMNS: [Column; 17] = [
    Column::text("组织"),
    Column::text("活动名称"),
    Column::text("形式"),
    Column::date("日期"),
    Column::text("时间"),
    Column::text("活动平台"),
    Column::text("主办单位"),
    Column::text("活动负责人"),
    Column::long("主讲人及单位"),
    Column::number("预计受众"),
    Column::text("重大活动"),
    Column::text("审批状态"),
    Column::text("审批人"),
    Column::date("审批日期"),
    Column::text("审批后变更"),
    Column::text("举办情况"),
    Column::number("实际受众"),
];

static INCIDENT_COLUMNS: [Column; 18] = [
    Column::text("组织"),
    Column::text("事件名称"),
    Column::text("发现时间"),
    Column::text("发现渠道"),
    Column::text("涉及平台"),
    Column::text("事件等级"),
    Column::text("处置责任人"),
    Column::text("状态"),
    Column::text("首次响应"),
    Column::text("研判"),
    Column::long("第一责任人批示"),
    Column::text("第一责任人签批"),
    Column::text("结案时间"),
    Column::date("结案报告期限"),
    Column::text("超时情况"),
    Column::long("处置情况"),
    Column::long("整改与防范措施"),
    Column::text("编号"),
];

static PROJECT_COLUMNS: [Column; 15] = [
    Column::text("组织"),
    Column::text("政策、项目"),
    Column::text("重大"),
    Column::text("分管领域"),
    Column::date("计划实施日期"),
    Column::text("状态"),
    Column::date("实施日期"),
    Column::text("风险等级"),
    Column::date("评估日期"),
    Column::text("评估人"),
    Column::text("审批人"),
    Column::text("审批结果"),
    Column::date("审批日期"),
    Column::long("未经批准的评估先行实施"),
    Column::text("编号"),
];

/// The pack-defined kinds with records in the orgs counted: first those the pack in force
/// defines, in its order, then any other (a kind since dropped from the packs) by id.
fn defined_kinds<'a>(
    pack: &PolicyPack,
    counts: impl Iterator<Item = &'a LedgerCounts>,
) -> Vec<String> {
    let kinds: BTreeSet<&str> = counts.flat_map(LedgerCounts::defined_kinds).collect();
    let mut kinds: Vec<String> = kinds.into_iter().map(str::to_string).collect();
    kinds.sort_by_key(|k| {
        pack.record_kinds
            .iter()
            .position(|d| &d.id == k)
            .unwrap_or(usize::MAX)
    });
    kinds
}

/// A record's body as a record of a pack-defined kind (`None` when it is not one).
fn defined(r: &LedgerRecord) -> Option<DefinedRecord> {
    match serde_json::from_str(&r.body) {
        Ok(RecordDetails::Defined(d)) => Some(d),
        _ => None,
    }
}

/// The fields of a definition that get a column of their own: all but the date field, which
/// is the sheet's second column.
fn field_columns(kind: &RecordKind) -> impl Iterator<Item = &RecordField> {
    kind.fields.iter().filter(|f| f.id != kind.date_field)
}

/// The columns of a pack-defined kind's sheet, read off its newest definition: 组织, the date
/// (headed by the date field's label), 标题, then the other fields in form order. An
/// attachment field's column counts the record's files.
fn defined_columns(kind: &RecordKind) -> Vec<Column> {
    let date = kind.field(&kind.date_field);
    let date_kind = match date.map(|f| &f.kind) {
        Some(FieldType::DateTime) => ColumnKind::DateTime,
        _ => ColumnKind::Date,
    };
    let date_label = date.map_or("日期", |f| f.label.as_str());
    let mut columns = vec![
        Column::text("组织"),
        Column::new(date_label.to_string(), date_kind),
        Column::text("标题"),
    ];
    columns.extend(field_columns(kind).map(|f| {
        let kind = match f.kind {
            FieldType::LongText | FieldType::People => ColumnKind::LongText,
            FieldType::Date => ColumnKind::Date,
            FieldType::DateTime => ColumnKind::DateTime,
            FieldType::Number { .. } | FieldType::Attachment => ColumnKind::Number,
            FieldType::Text
            | FieldType::Choice { .. }
            | FieldType::Person
            | FieldType::Org
            | FieldType::Platform => ColumnKind::Text,
        };
        Column::new(f.label.clone(), kind)
    }));
    columns
}

/// A stored date-time value (`YYYY-MM-DDTHH:MM`).
fn date_time(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok()
}

/// One record's row on its kind's sheet, under the columns of the kind's newest definition
/// (`newest`). Each value is read by field id under the record's own definition (`own`), the
/// one it was made under: a field that definition lacks stays empty.
fn defined_row(
    model: &OrgModel,
    org: &str,
    newest: &RecordKind,
    r: &LedgerRecord,
    own: Option<&DefinedRecord>,
) -> Vec<Cell> {
    // The day, with its time when the record's date field holds one.
    let day = own
        .and_then(|d| {
            let f = d.definition.field(&d.definition.date_field)?;
            let v = d.values.get(&f.id)?.as_str()?;
            (f.kind == FieldType::DateTime)
                .then(|| date_time(v))
                .flatten()
        })
        .map_or(Cell::Date(r.date), Cell::DateTime);
    let mut cells = vec![org.into(), day, r.title.as_str().into()];
    cells.extend(field_columns(newest).map(|column| {
        let Some(d) = own else { return Cell::Empty };
        let Some(f) = d.definition.field(&column.id) else {
            return Cell::Empty;
        };
        if f.kind == FieldType::Attachment {
            return Cell::Number(r.files as f64);
        }
        d.values
            .get(&f.id)
            .map_or(Cell::Empty, |v| field_cell(model, f, v))
    }));
    cells
}

/// A value of a pack-defined field as a cell: numbers and days as Excel numbers and dates,
/// people, orgs and platforms by name, choices by their Chinese name.
fn field_cell(model: &OrgModel, f: &RecordField, v: &Value) -> Cell {
    let name_of = |id: &str| match &f.kind {
        FieldType::Person | FieldType::People => person_name(model, id),
        FieldType::Org => model
            .org(id)
            .map_or_else(|| id.to_string(), |o| o.name.clone()),
        FieldType::Platform => model
            .find_platform(id)
            .map_or_else(|| id.to_string(), |p| p.name.clone()),
        _ => id.to_string(),
    };
    match (&f.kind, v) {
        (_, Value::Null) => Cell::Empty,
        (FieldType::Number { .. }, Value::Number(n)) => {
            n.as_f64().map_or(Cell::Empty, Cell::Number)
        }
        (FieldType::Date, Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_or_else(|_| Cell::Text(s.clone()), Cell::Date),
        (FieldType::DateTime, Value::String(s)) => {
            date_time(s).map_or_else(|| value_text(f, v, Lang::Zh).into(), Cell::DateTime)
        }
        (FieldType::Person | FieldType::Org | FieldType::Platform, Value::String(id)) => {
            name_of(id).into()
        }
        (FieldType::People, Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(name_of)
            .collect::<Vec<_>>()
            .join("、")
            .into(),
        _ => value_text(f, v, Lang::Zh).into(),
    }
}

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
    send!(sink.sheet(SHEETS[1].into(), Cow::Borrowed(&OBLIGATION_COLUMNS)));
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
                let platform = o.platform_in(req.model);
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
        send!(sink.sheet(sheet.into(), Cow::Borrowed(columns)));
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
    // The kinds packs define: one sheet each, for the kinds with records in the subtree's year.
    let mut taken: Vec<String> = SHEETS.iter().map(|s| s.to_string()).collect();
    for kind in defined_kinds(req.pack, orgs.iter().map(|o| count(o))) {
        let holding: Vec<&Org> = orgs
            .iter()
            .copied()
            .filter(|o| count(o).records_of(&kind) > 0)
            .collect();
        // The columns are the newest definition's: that of the last record made.
        let mut newest: Option<((i64, String), DefinedRecord)> = None;
        for org in &holding {
            let Some(r) = db.newest_defined_record(&org.id, &kind, req.year).await? else {
                continue;
            };
            let key = (r.created_at, r.id.clone());
            if newest.as_ref().is_some_and(|(k, _)| *k >= key) {
                continue;
            }
            if let Some(d) = defined(&r) {
                newest = Some((key, d));
            }
        }
        // No record readable as one of the kind (nothing to read the columns off).
        let Some((_, newest)) = newest else { continue };
        let definition = newest.definition;
        let wanted = if definition.name.trim().is_empty() {
            kind.as_str()
        } else {
            definition.name.as_str()
        };
        let name = sheet_name(wanted, &taken);
        taken.push(name.clone());
        send!(sink.sheet(name.into(), defined_columns(&definition).into()));
        for org in &holding {
            let mut after = None;
            loop {
                let page = db
                    .records(&org.id, &kind, req.year, after.take(), RECORD_PAGE)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some((last.date, last.id.clone()));
                for r in page {
                    let own = defined(&r);
                    send!(sink.row(defined_row(
                        req.model,
                        &org.name,
                        &definition,
                        &r,
                        own.as_ref()
                    )));
                }
            }
        }
    }
    // 上级部署
    send!(sink.sheet(SHEETS[6].into(), Cow::Borrowed(&DIRECTIVE_COLUMNS)));
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
    send!(sink.sheet(SHEETS[7].into(), Cow::Borrowed(&TASK_COLUMNS)));
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
    // 网络阵地 (阵地台账): every platform of the subtree in the registry in the year, with who
    // answered for it at the year's end (or today, for the current year); then every change of
    // state made in the year.
    let (year_start, year_end) = (
        NaiveDate::from_ymd_opt(req.year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(req.year, 12, 31).unwrap_or(NaiveDate::MAX),
    );
    let answer_day = year_end.min(today);
    let mut steps = Vec::new();
    send!(sink.sheet(SHEETS[8].into(), Cow::Borrowed(&PLATFORM_COLUMNS)));
    for org in &orgs {
        for p in req
            .model
            .platforms_of(&org.id)
            .filter(|p| p.open_during(year_start, year_end))
        {
            let life = db.platform(&p.id).await?;
            let leader = match p.portfolio.as_deref() {
                Some(portfolio) => resolve(
                    req.pack,
                    req.model,
                    org,
                    Target::Portfolio(portfolio),
                    answer_day,
                )
                .ok()
                .and_then(|a| a.person)
                .map(|p| p.name)
                .unwrap_or_default(),
                None => String::new(),
            };
            let portfolio = p
                .portfolio
                .as_deref()
                .map(|id| {
                    req.pack
                        .portfolio(id)
                        .map_or_else(|| id.to_string(), |x| x.name.clone())
                })
                .unwrap_or_default();
            let operators: Vec<String> = p
                .operators
                .iter()
                .map(|o| person_name(req.model, o))
                .collect();
            let r = life.registration;
            send!(sink.row(vec![
                org.name.as_str().into(),
                p.name.as_str().into(),
                p.code.as_str().into(),
                req.pack.platform_kind_name(p.kind, zeren_core::Lang::Zh).into(),
                (if p.news_function { "是" } else { "否" }).into(),
                portfolio.into(),
                leader.into(),
                operators.join("、").into(),
                life.state.name_zh().into(),
                p.opened_on.into(),
                p.active_from.into(),
                p.closed_on.into(),
                r.icp.into(),
                r.account_id.into(),
                r.registered_on.into(),
                r.registering_body.into(),
            ]));
            steps.extend(
                life.steps
                    .into_iter()
                    .filter(|s| s.on >= year_start && s.on <= year_end)
                    .map(|s| (org.name.clone(), p.name.clone(), s)),
            );
        }
    }
    send!(sink.sheet(SHEETS[9].into(), Cow::Borrowed(&STEP_COLUMNS)));
    for (org, platform, s) in steps {
        send!(sink.row(vec![
            org.into(),
            platform.into(),
            s.on.into(),
            s.from.name_zh().into(),
            s.to.name_zh().into(),
            s.reason.into(),
            s.made_by.into(),
        ]));
    }
    // 年审与整改: each annual review of the year with what it found and the tasks it opened.
    send!(sink.sheet(SHEETS[10].into(), Cow::Borrowed(&REVIEW_COLUMNS)));
    let review_kind = EvidenceKind::AnnualReview.as_str();
    for org in orgs.iter().filter(|o| count(o).records_of(review_kind) > 0) {
        let mut after = None;
        loop {
            let page = db
                .records(&org.id, review_kind, req.year, after.take(), RECORD_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.date, last.id.clone()));
            for r in page {
                let Ok(details) = serde_json::from_str::<RecordDetails>(&r.body) else {
                    continue;
                };
                let Some(review) = details.review() else {
                    continue;
                };
                let not_met: Vec<String> = review
                    .not_met()
                    .map(|i| format!("{}：{}", i.title, i.note))
                    .collect();
                let tasks: Vec<String> = review
                    .rectifications
                    .iter()
                    .map(|t| {
                        format!(
                            "{}（{}，{}）",
                            t.title,
                            person_name(req.model, &t.owner),
                            t.deadline
                        )
                    })
                    .collect();
                send!(sink.row(vec![
                    org.name.as_str().into(),
                    req.model
                        .find_platform(&review.platform)
                        .map_or_else(|| review.platform.clone(), |p| p.name.clone())
                        .into(),
                    r.date.into(),
                    person_name(req.model, &review.reviewer).into(),
                    review.outcome.name_zh().into(),
                    not_met.join("\n").into(),
                    review.summary.as_str().into(),
                    tasks.join("\n").into(),
                    r.id.into(),
                ]));
            }
        }
    }
    // 网上活动 (活动台账): every online event of the year, with its approval and how it went.
    send!(sink.sheet(SHEETS[11].into(), Cow::Borrowed(&EVENT_COLUMNS)));
    for org in orgs.iter().filter(|o| count(o).events > 0) {
        for e in db.online_events(&org.id, req.year).await? {
            let f = &e.fields;
            let speakers: Vec<String> = f
                .speakers
                .iter()
                .map(|s| format!("{}（{}）", s.name, s.affiliation))
                .collect();
            let state = match (e.state.as_str(), e.changed_after_approval) {
                ("approved", _) => "已审批",
                ("rejected", _) => "未通过",
                (_, true) => "审批后变更，待重新审批",
                _ => "待审批",
            };
            let held = match &e.held {
                Some(h) if h.held => "已举办",
                Some(_) => "已取消",
                None => "",
            };
            send!(sink.row(vec![
                org.name.as_str().into(),
                f.title.as_str().into(),
                f.form.name_zh().into(),
                f.day().into(),
                format!("{}–{}", f.starts_at.format("%H:%M"), f.ends_at.format("%H:%M")).into(),
                req.model
                    .find_platform(&f.platform)
                    .map_or_else(String::new, |p| p.name.clone())
                    .into(),
                f.organiser.as_str().into(),
                person_name(req.model, &f.responsible).into(),
                speakers.join("\n").into(),
                Cell::Number(f64::from(f.audience)),
                (if f.major { "是" } else { "否" }).into(),
                state.into(),
                e.decided_by
                    .as_deref()
                    .map(|p| person_name(req.model, p))
                    .unwrap_or_default()
                    .into(),
                e.decided_on.into(),
                (if e.changed_after_approval { "是" } else { "否" }).into(),
                held.into(),
                e.held
                    .as_ref()
                    .map_or(Cell::Empty, |h| Cell::Number(f64::from(h.audience))),
            ]));
        }
    }
    // 舆情事件 (舆情事件台账): every incident of the year, its clocks and its handling.
    send!(sink.sheet(SHEETS[12].into(), Cow::Borrowed(&INCIDENT_COLUMNS)));
    let rules = req.pack.incidents.clone().unwrap_or_default();
    let now = req.now.with_timezone(&shanghai()).naive_local();
    for org in orgs.iter().filter(|o| count(o).incidents > 0) {
        for (i, line) in db.incidents(&org.id, req.year).await? {
            let f = &i.fields;
            let rec = zeren_storage::repo::incidents::recorded(&line);
            let first_at = |kind: TimelineKind| {
                line.iter()
                    .find(|e| e.kind == kind)
                    .map(|e| shown(e.at))
                    .unwrap_or_default()
            };
            let by_first = |kind: TimelineKind| {
                line.iter()
                    .filter(|e| e.kind == kind && e.as_first_responsible)
                    .map(|e| format!("{} {}", shown(e.at), e.detail))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let late: Vec<&str> = clocks(&rules, f.noticed_at, &rec, now)
                .iter()
                .filter(|c| c.late())
                .map(|c| c.clock.name_zh())
                .collect();
            send!(sink.row(vec![
                org.name.as_str().into(),
                f.title.as_str().into(),
                shown(f.noticed_at).into(),
                f.channel.name_zh().into(),
                f.platform
                    .as_deref()
                    .and_then(|p| req.model.find_platform(p))
                    .map_or_else(String::new, |p| p.name.clone())
                    .into(),
                rules.severity_name(&f.severity, Lang::Zh).into(),
                person_name(req.model, &f.handler).into(),
                (if i.closed { "已结案" } else { "处置中" }).into(),
                first_at(TimelineKind::Response).into(),
                first_at(TimelineKind::Assessment).into(),
                by_first(TimelineKind::Instruction).into(),
                by_first(TimelineKind::SignOff).into(),
                i.closed_at.map(shown).unwrap_or_default().into(),
                i.closure_due.into(),
                (if late.is_empty() {
                    String::new()
                } else {
                    format!("超时：{}", late.join("、"))
                })
                .into(),
                i.handled.clone().into(),
                i.prevention.clone().into(),
                i.id.into(),
            ]));
        }
    }
    // 风险评估 (重大政策、项目舆情风险评估台账): each policy or project of the year with its
    // latest assessment and its launch.
    send!(sink.sheet(SHEETS[13].into(), Cow::Borrowed(&PROJECT_COLUMNS)));
    let risk = req.pack.risk_assessment.clone().unwrap_or_default();
    for org in orgs.iter().filter(|o| count(o).projects > 0) {
        for (p, assessments) in db.projects(&org.id, req.year).await? {
            let shown_one = assessments
                .iter()
                .rev()
                .find(|a| a.state == AssessmentState::Approved)
                .or_else(|| assessments.last());
            let state = match p.state {
                ProjectState::Planned => "计划中",
                ProjectState::Launched => "已实施",
                ProjectState::Cancelled => "已取消",
            };
            let verdict = shown_one.map(|a| match a.state {
                AssessmentState::Submitted => "待审批",
                AssessmentState::Approved => "已批准",
                AssessmentState::Rejected => "未批准",
            });
            send!(sink.row(vec![
                org.name.as_str().into(),
                p.fields.title.as_str().into(),
                (if p.fields.major { "是" } else { "否" }).into(),
                p.fields
                    .portfolio
                    .as_deref()
                    .and_then(|x| req.pack.portfolio(x))
                    .map_or_else(String::new, |x| x.name.clone())
                    .into(),
                p.fields.launch_on.into(),
                state.into(),
                p.launched_on.into(),
                shown_one
                    .map(|a| risk.level_name(&a.fields.level, Lang::Zh))
                    .unwrap_or_default()
                    .into(),
                shown_one.map(|a| a.fields.assessed_on).into(),
                shown_one
                    .map(|a| {
                        a.fields
                            .assessors
                            .iter()
                            .map(|x| person_name(req.model, x))
                            .collect::<Vec<_>>()
                            .join("、")
                    })
                    .unwrap_or_default()
                    .into(),
                shown_one
                    .and_then(|a| a.decided_by.as_deref())
                    .map(|x| person_name(req.model, x))
                    .unwrap_or_default()
                    .into(),
                verdict.unwrap_or("").into(),
                shown_one.and_then(|a| a.decided_on).into(),
                p.override_by
                    .as_deref()
                    .map(|x| {
                        format!(
                            "{}：{}",
                            person_name(req.model, x),
                            p.override_reason.as_deref().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default()
                    .into(),
                p.id.into(),
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
