//! The files of an assessment: the assessment report of every college (the office) and of one
//! college, and the secretary's duty report, as Word in the official layout (GB/T 9704); the
//! score sheet as Excel with its formulas.

use super::*;
use crate::shared::format::written_day;
use crate::shared::uploads::{DOCX, XLSX, made_file};
use zeren_exports::assessment::report_blocks;
use zeren_exports::docx::{Block, OfficialDoc, official_doc};

/// Colleges whose scores the results report details one by one; with more (a province's), it
/// gives the ranking of all and leaves the details to the score sheet, so that the document
/// stays one people can read (and one the server writes in bounded memory).
const DETAILED_MAX: usize = 200;

/// A file made for the asking: its name, content and type.
pub struct MadeFile {
    /// The file's name.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub content_type: &'static str,
}

impl MadeFile {
    /// As a download.
    fn response(self) -> Response {
        made_file(self.bytes, &self.name, self.content_type)
    }
}

/// 500 for a file that could not be written (logged).
fn unwritten(tr: Tr, what: &str, e: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %e, "{what} could not be written");
    Refusal::new(
        ErrorCode::Internal,
        crate::shared::error::generic_message(tr, ErrorCode::Internal),
    )
}

/// A Word file of `doc`, named after its title (on one line).
fn docx(tr: Tr, doc: &OfficialDoc) -> Result<MadeFile, Refusal> {
    match official_doc(doc) {
        Ok(bytes) => Ok(MadeFile {
            name: format!("{}.docx", doc.title.replace('\n', "")),
            bytes,
            content_type: DOCX,
        }),
        Err(e) => Err(unwritten(tr, "an assessment document", e)),
    }
}

/// Answers a file route: the file, or the refusal's page.
fn answer(tr: Tr, made: Result<MadeFile, Refusal>) -> Response {
    match made {
        Ok(f) => f.response(),
        Err(r) => r.page(tr),
    }
}

/// Which file of a year's assessment to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    /// Every college's result with the ranking (the office's report).
    Results,
    /// One college's assessment report.
    College(String),
    /// One college's duty report.
    DutyReport(String),
    /// The score sheet (Excel).
    Scores,
}

/// A file of the assessment of `year` for the org `org` (code or id), as `v` may have it — for
/// `zeren export report`, with the operator's viewer ([`Viewer::operator`]).
pub async fn export(
    state: &AppState,
    v: &Viewer,
    org: &str,
    year: i32,
    what: &Export,
) -> Result<MadeFile, Refusal> {
    let tr = v.tr;
    let missing = || not_found(tr, &format!("{org} {year}"));
    let o = v.snap.model.find_org(org).ok_or_else(missing)?;
    let r = state
        .db
        .assessment_round_of(&o.id, year)
        .await
        .map_err(|e| storage_refusal(tr, e, ""))?
        .ok_or_else(missing)?;
    file_of(state, v, &r.id, what).await
}

/// The file `what` of the round `id`, as the viewer may have it: the results report is the
/// office's (403 for others who see the year); a college's files name a college they may see.
async fn file_of(
    state: &AppState,
    v: &Viewer,
    id: &str,
    what: &Export,
) -> Result<MadeFile, Refusal> {
    let r = readable(state, v, id).await?;
    match what {
        Export::Results => {
            if !office(v, &r) {
                return Err(Refusal::forbidden(v.tr));
            }
            round_file(state, v, &r).await
        }
        Export::College(c) => college_file(state, v, &r, college_of(v, &r, c)?).await,
        Export::DutyReport(c) => duty_report_file(state, v, &r, college_of(v, &r, c)?).await,
        Export::Scores => scores_file(state, v, &r).await,
    }
}

/// `一、title` (or `1. title`).
fn heading(tr: Tr, n: usize, key: &str) -> Block {
    Block::Heading1(tr.tf(
        "assessments.doc.heading",
        &[
            ("n", &zeren_core::citation::chinese_number(n as u32)),
            ("title", tr.t(key)),
        ],
    ))
}

/// The issuer of a round's documents: its org.
fn issuer(v: &Viewer, r: &AssessmentRound) -> String {
    v.snap
        .model
        .org(&r.scope_org)
        .map(|o| o.name.clone())
        .unwrap_or_default()
}

/// The scheme's basis and procedure, in words.
fn basis(v: &Viewer, r: &AssessmentRound, scheme: &Scheme) -> Block {
    let tr = v.tr;
    let steps = scheme
        .steps
        .iter()
        .map(|s| {
            tr.tf(
                "assessments.doc.step",
                &[
                    ("step", stage_name(tr, Stage::Step(s.step))),
                    ("until", &written_day(s.until, tr)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(tr.lang().pick("，", ", "));
    let pack = &v.snap.pack;
    Block::Paragraph(tr.tf(
        "assessments.doc.basis",
        &[
            (
                "title",
                tr.lang().pick(&pack.meta.title, &pack.meta.title_en),
            ),
            ("number", &pack.meta.document_number),
            ("year", &r.year.to_string()),
            ("n", &scheme.indicators.len().to_string()),
            ("steps", &steps),
        ],
    ))
}

/// A college's scores as a table: indicator, weight, what was counted, score.
fn score_table(tr: Tr, scheme: &Scheme, s: &OrgScore) -> Block {
    let rows = s
        .indicators
        .iter()
        .map(|i| {
            let title = scheme
                .indicator(&i.indicator)
                .map(|x| x.title(tr.lang()).to_string())
                .unwrap_or_else(|| i.indicator.clone());
            let counted = match (i.counts, i.not_applicable) {
                (_, true) => tr.t("assessments.not_applicable").to_string(),
                (Some(c), false) => tr.tf(
                    "assessments.doc.counted",
                    &[
                        ("owed", &c.owed.to_string()),
                        ("done", &c.done.to_string()),
                        ("on_time", &c.on_time.to_string()),
                    ],
                ),
                (None, _) => tr.t("method.manual").to_string(),
            };
            let adjusted = if i.adjusted == 0 {
                String::new()
            } else {
                format!(
                    "（{}{}）",
                    if i.adjusted > 0 { "+" } else { "" },
                    pts(i.adjusted)
                )
            };
            vec![
                title,
                pts(i.weight),
                counted,
                format!("{}{adjusted}", pts(i.points)),
            ]
        })
        .chain(std::iter::once(vec![
            tr.t("assessments.total").to_string(),
            "100.00".to_string(),
            String::new(),
            pts(s.total),
        ]))
        .collect();
    Block::Table {
        header: vec![
            tr.t("assessments.col.indicator").into(),
            tr.t("assessments.col.weight").into(),
            tr.t("assessments.col.counted").into(),
            tr.t("assessments.col.points").into(),
        ],
        rows,
    }
}

/// The reasons of the marks, one paragraph each.
fn mark_blocks(tr: Tr, scheme: &Scheme, marks: &[&StoredMark]) -> Vec<Block> {
    marks
        .iter()
        .enumerate()
        .map(|(n, m)| {
            Block::Paragraph(
                tr.tf(
                    "assessments.doc.mark",
                    &[
                        ("n", &(n + 1).to_string()),
                        (
                            "indicator",
                            scheme
                                .indicator(&m.mark.indicator)
                                .map_or(m.mark.indicator.as_str(), |i| i.title(tr.lang())),
                        ),
                        ("kind", mark_kind_name(tr, m.mark.kind)),
                        ("points", &pts(m.mark.points)),
                        ("reason", &m.mark.reason),
                    ],
                ),
            )
        })
        .collect()
}

/// `GET /assessments/{id}/report.docx`: every college's result with the ranking (the office).
pub(super) async fn round_docx(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    answer(tr, file_of(&state, &v, &id, &Export::Results).await)
}

/// Every college's result with the ranking.
async fn round_file(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
) -> Result<MadeFile, Refusal> {
    let tr = v.tr;
    let scheme = scheme_of(state, v, r).await?;
    let all = colleges(v, r);
    let mut scored = scores(state, v, r, &scheme, &all, true).await?;
    scored.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then_with(|| a.org.code.cmp(&b.org.code))
    });
    let marks = state
        .db
        .assessment_marks(&r.id, None)
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let mut blocks = vec![basis(v, r, &scheme)];
    if !r.stage.published() {
        blocks.push(Block::Paragraph(tr.t("assessments.doc.provisional").into()));
    }
    blocks.push(heading(tr, 1, "assessments.doc.ranking"));
    blocks.push(Block::Table {
        header: vec![
            tr.t("assessments.col.rank").into(),
            tr.t("assessments.col.college").into(),
            tr.t("assessments.col.total").into(),
        ],
        rows: scored
            .iter()
            .map(|s| {
                vec![
                    s.rank.map(|k| k.to_string()).unwrap_or_default(),
                    s.org.name.clone(),
                    pts(s.score.total),
                ]
            })
            .collect(),
    });
    blocks.push(heading(tr, 2, "assessments.doc.details"));
    if scored.len() > DETAILED_MAX {
        blocks.push(Block::Paragraph(tr.tf(
            "assessments.doc.details_elsewhere",
            &[
                ("n", &scored.len().to_string()),
                ("max", &DETAILED_MAX.to_string()),
            ],
        )));
    }
    let by_college = marks_by_college(&marks);
    for (n, s) in scored.iter().enumerate().take(DETAILED_MAX) {
        blocks.push(Block::Heading2(tr.tf(
            "assessments.doc.college",
            &[
                ("n", &zeren_core::citation::chinese_number(n as u32 + 1)),
                ("name", &s.org.name),
                ("total", &pts(s.score.total)),
                ("rank", &s.rank.map(|k| k.to_string()).unwrap_or_default()),
            ],
        )));
        blocks.push(score_table(tr, &scheme, &s.score));
        if let Some(mine) = by_college.get(s.org.id.as_str()) {
            blocks.push(Block::Heading3(tr.t("assessments.doc.marks").into()));
            blocks.extend(mark_blocks(tr, &scheme, mine));
        }
    }
    let title = tr.tf(
        "assessments.doc.round_title",
        &[("year", &r.year.to_string())],
    );
    let addressee = tr.t("assessments.doc.addressee").to_string();
    docx(tr, &issued(state, v, r, title, addressee, blocks))
}

/// A document the round's org issues: under its name and the results' number, signed by it on
/// the day the results were published (today before that).
fn issued(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    title: String,
    addressee: String,
    blocks: Vec<Block>,
) -> OfficialDoc {
    OfficialDoc {
        issuer: issuer(v, r),
        number: r.document_number.clone(),
        title,
        addressee: Some(addressee),
        blocks,
        signer: Some(issuer(v, r)),
        date: Some(written_day(
            r.published_on.unwrap_or_else(|| state.today()),
            v.tr,
        )),
        ..OfficialDoc::default()
    }
}

/// `GET /assessments/{id}/orgs/{org}/report.docx`: one college's assessment report.
pub(super) async fn college_docx(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    answer(tr, file_of(&state, &v, &id, &Export::College(org)).await)
}

/// One college's assessment report.
async fn college_file(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    o: &Org,
) -> Result<MadeFile, Refusal> {
    let tr = v.tr;
    let scheme = scheme_of(state, v, r).await?;
    let scored = scores(state, v, r, &scheme, &[o], office(v, r)).await?;
    let (marks, entry) = tokio::try_join!(
        state.db.assessment_marks(&r.id, Some(&o.id)),
        state.db.assessment_entry(&r.id, &o.id)
    )
    .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let Some(s) = scored.first() else {
        return Err(not_found(tr, &r.id));
    };
    let mut blocks = vec![basis(v, r, &scheme)];
    if !r.stage.published() {
        blocks.push(Block::Paragraph(tr.t("assessments.doc.provisional").into()));
    }
    blocks.push(heading(tr, 1, "assessments.doc.result"));
    blocks.push(Block::Paragraph(match s.rank {
        Some(k) => tr.tf(
            "assessments.doc.total_rank",
            &[
                ("name", &o.name),
                ("total", &pts(s.score.total)),
                ("rank", &k.to_string()),
                ("of", &colleges(v, r).len().to_string()),
            ],
        ),
        None => tr.tf(
            "assessments.doc.total",
            &[("name", &o.name), ("total", &pts(s.score.total))],
        ),
    }));
    blocks.push(score_table(tr, &scheme, &s.score));
    let mut n = 2;
    let e = entry.as_ref();
    if let Some(text) = e.and_then(|e| e.self_assessment.as_deref()) {
        blocks.push(heading(tr, n, "assessments.doc.self"));
        blocks.extend(report_blocks(text));
        n += 1;
    }
    if let Some(text) = e.and_then(|e| e.review.as_deref()) {
        blocks.push(heading(tr, n, "assessments.doc.review"));
        blocks.extend(report_blocks(text));
        n += 1;
    }
    let mine: Vec<&StoredMark> = marks.iter().collect();
    if !mine.is_empty() {
        blocks.push(heading(tr, n, "assessments.doc.marks"));
        blocks.extend(mark_blocks(tr, &scheme, &mine));
    }
    let title = tr.tf(
        "assessments.doc.college_title",
        &[("name", &o.name), ("year", &r.year.to_string())],
    );
    let addressee = o.name.clone() + tr.lang().pick("：", ":");
    docx(tr, &issued(state, v, r, title, addressee, blocks))
}

/// `GET /assessments/{id}/orgs/{org}/duty-report.docx`: the secretary's duty report.
pub(super) async fn duty_report_docx(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    answer(tr, file_of(&state, &v, &id, &Export::DutyReport(org)).await)
}

/// The secretary's duty report.
async fn duty_report_file(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    o: &Org,
) -> Result<MadeFile, Refusal> {
    let tr = v.tr;
    let report = duty_report_of(state, v, r, o).await?;
    let doc = OfficialDoc {
        issuer: String::new(),
        number: None,
        title: tr.tf(
            "assessments.doc.duty_title",
            &[
                ("name", &o.name),
                ("secretary", &report.secretary),
                ("year", &r.year.to_string()),
            ],
        ),
        addressee: None,
        blocks: report_blocks(&report.text),
        signer: Some(report.secretary.clone()),
        date: Some(written_day(
            report.submitted_on.unwrap_or_else(|| state.today()),
            tr,
        )),
        ..OfficialDoc::default()
    };
    docx(tr, &doc)
}

/// `GET /assessments/{id}/scores.xlsx`: the score sheet with its formulas.
pub(super) async fn scores_xlsx(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    answer(tr, file_of(&state, &v, &id, &Export::Scores).await)
}

/// The score sheet of the colleges the viewer may see.
async fn scores_file(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
) -> Result<MadeFile, Refusal> {
    let tr = v.tr;
    let scheme = scheme_of(state, v, r).await?;
    let shown = visible_colleges(v, r);
    let scored = scores(state, v, r, &scheme, &shown, office(v, r)).await?;
    let marks = state
        .db
        .assessment_marks(&r.id, None)
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let name = display_names(state, marks.iter().map(|m| m.marked_by.as_str())).await;
    let sheet = score_sheet(v, r, &scheme, &scored, &marks, &name);
    match zeren_exports::assessment::score_sheet(&sheet) {
        Ok(bytes) => Ok(MadeFile {
            name: format!("{}.xlsx", round_title(v, r)),
            bytes,
            content_type: XLSX,
        }),
        Err(e) => Err(unwritten(tr, "the score sheet", e)),
    }
}

/// The score sheet of `scored` under `scheme`, in the viewer's words.
fn score_sheet(
    v: &Viewer,
    r: &AssessmentRound,
    scheme: &Scheme,
    scored: &[Scored],
    marks: &[StoredMark],
    name: &dyn Fn(&str) -> String,
) -> zeren_exports::assessment::ScoreSheet {
    use zeren_exports::assessment::{
        ScoreSheet, SheetCollege, SheetIndicator, SheetLabels, SheetMark,
    };
    let tr = v.tr;
    let by_college = marks_by_college(marks);
    let l = |k: &str| tr.t(&format!("assessments.sheet.{k}")).to_string();
    let title_of = |id: &str| {
        scheme
            .indicator(id)
            .map_or(id.to_string(), |i| i.title(tr.lang()).to_string())
    };
    ScoreSheet {
        title: round_title(v, r),
        labels: SheetLabels {
            scheme_sheet: l("scheme"),
            details_sheet: l("details"),
            summary_sheet: l("summary"),
            marks_sheet: l("marks"),
            college: tr.t("assessments.col.college").into(),
            indicator: tr.t("assessments.col.indicator").into(),
            method: tr.t("assessments.col.method").into(),
            weight: tr.t("assessments.col.weight").into(),
            owed: l("owed"),
            done: l("done"),
            on_time: l("on_time"),
            rate: l("rate"),
            computed: tr.t("assessments.col.computed").into(),
            score: tr.t("assessments.mark.score").into(),
            adjustment: tr.t("assessments.mark.adjustment").into(),
            points: tr.t("assessments.col.points").into(),
            total: tr.t("assessments.col.total").into(),
            rank: tr.t("assessments.col.rank").into(),
            unscored: tr.t("assessments.col.unscored").into(),
            kind: tr.t("assessments.col.kind").into(),
            mark_points: l("mark_points"),
            reason: tr.t("assessments.col.reason").into(),
            by: tr.t("assessments.col.by").into(),
            day: l("day"),
        },
        indicators: scheme
            .indicators
            .iter()
            .map(|i| SheetIndicator {
                id: i.id.clone(),
                title: i.title(tr.lang()).to_string(),
                weight: i.weight,
                method: i.method,
                method_name: tr.t(&format!("method.{}", i.method.as_str())).to_string(),
            })
            .collect(),
        colleges: scored
            .iter()
            .map(|s| SheetCollege {
                name: s.org.name.clone(),
                score: s.score.clone(),
                marks: by_college
                    .get(s.org.id.as_str())
                    .into_iter()
                    .flatten()
                    .map(|m| SheetMark {
                        indicator: title_of(&m.mark.indicator),
                        kind: mark_kind_name(tr, m.mark.kind).to_string(),
                        points: m.mark.points,
                        reason: m.mark.reason.clone(),
                        by: name(&m.marked_by),
                        day: date(m.marked_on),
                    })
                    .collect(),
            })
            .collect(),
    }
}
