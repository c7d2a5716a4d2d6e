//! One college in a year's assessment: its scores with their counts, the obligations behind a
//! computed score, the self-assessment, the review opinion, the marks with their reasons, and
//! the secretary's duty report.

use super::*;
use zeren_core::assessments::{
    Counts, DutyFigures, DutyReportFacts, IndicatorScore, MarkKind, Standing, duty_report_draft,
};
use zeren_core::policy::{IndicatorMethod, Subject};
use zeren_core::vocab::EventKind;
use zeren_storage::repo::obligations::{ObligationFilter, ObligationSort, StatusClock};

/// Most obligations listed behind one indicator (a college owes a few dozen a year).
const DRILL_MAX: usize = 2_000;

/// An indicator's line on a college's page.
pub(super) struct IndicatorLine {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) method: String,
    pub(super) weight: String,
    pub(super) counts: Option<Counts>,
    pub(super) computed: String,
    pub(super) not_applicable: bool,
    pub(super) scored: String,
    pub(super) adjusted: String,
    pub(super) points: String,
    pub(super) drill: Option<String>,
    pub(super) manual: bool,
}

/// A mark on a college's page.
pub(super) struct MarkLine {
    pub(super) indicator: String,
    pub(super) kind: &'static str,
    pub(super) points: String,
    pub(super) reason: String,
    pub(super) by: String,
    pub(super) on: String,
}

/// Which form of the college page failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    None,
    SelfAssessment,
    Review,
    Mark,
}

#[derive(Template)]
#[template(path = "assessments_college.html")]
pub(super) struct CollegePage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) round_href: String,
    pub(super) round_title: String,
    pub(super) name: String,
    pub(super) action: String,
    pub(super) stage_name: &'static str,
    pub(super) total: String,
    pub(super) rank: String,
    pub(super) lines: Vec<IndicatorLine>,
    pub(super) marks: Vec<MarkLine>,
    pub(super) self_assessment: String,
    pub(super) self_submitted: String,
    pub(super) review: String,
    pub(super) reviewed: String,
    pub(super) entry_version: i64,
    pub(super) may_self: bool,
    pub(super) may_review: bool,
    pub(super) may_mark: bool,
    pub(super) report_href: Option<String>,
    pub(super) docx_href: String,
    pub(super) form: Form,
    pub(super) posted: Vec<(String, String)>,
    pub(super) errors: FieldErrors,
}

impl CollegePage {
    fn error_in(&self, form: Form, field: &str) -> Option<&str> {
        (self.form == form)
            .then(|| crate::shared::format::field_error(&self.errors, field))
            .flatten()
    }

    fn general_in(&self, form: Form, shown: &[&str]) -> Vec<&str> {
        if self.form != form {
            return Vec::new();
        }
        crate::shared::format::other_errors(&self.errors, shown)
    }

    fn posted_in(&self, form: Form, field: &str) -> &str {
        if self.form != form {
            return "";
        }
        form_first(&self.posted, field)
    }
}

/// A form of the college page that was refused: which, its problems, the status to answer
/// with, and what was posted.
struct Failed {
    form: Form,
    errors: FieldErrors,
    status: StatusCode,
    posted: Vec<(String, String)>,
}

impl Failed {
    /// Nothing refused: the page as it stands.
    fn none() -> Failed {
        Failed {
            form: Form::None,
            errors: Vec::new(),
            status: StatusCode::OK,
            posted: Vec::new(),
        }
    }
}

async fn college_view(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    failed: Failed,
) -> Response {
    let tr = v.tr;
    let Failed {
        form,
        errors,
        status,
        posted,
    } = failed;
    let scheme = match scheme_of(state, v, r).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let is_office = office(v, r);
    let scored = match scores(state, v, r, &scheme, &[college], is_office).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let (marks, entry) = match tokio::try_join!(
        state.db.assessment_marks(&r.id, Some(&college.id)),
        state.db.assessment_entry(&r.id, &college.id)
    ) {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, &r.id).page(tr),
    };
    let title_of = |id: &str| {
        scheme
            .indicator(id)
            .map(|i| i.title(tr.lang()).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let lines = scored
        .first()
        .map(|s| {
            s.score
                .indicators
                .iter()
                .map(|i| indicator_line(tr, r, &scheme, college, i))
                .collect()
        })
        .unwrap_or_default();
    let procedure = scheme.procedure();
    let secretary = secretary_of(v, &college.id);
    let e = entry.as_ref();
    let name = display_names(
        state,
        marks
            .iter()
            .map(|m| m.marked_by.as_str())
            .chain(e.and_then(|e| e.self_submitted_by.as_deref()))
            .chain(e.and_then(|e| e.reviewed_by.as_deref())),
    )
    .await;
    let base = format!(
        "/assessments/{}/orgs/{}",
        encode(&r.id),
        encode(&college.code)
    );
    page(
        status,
        &CollegePage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            round_href: round_href(&r.id, tr),
            round_title: round_title(v, r),
            name: college.name.clone(),
            action: base.clone(),
            stage_name: stage_name(tr, r.stage),
            total: scored
                .first()
                .map(|s| pts(s.score.total))
                .unwrap_or_default(),
            rank: scored
                .first()
                .and_then(|s| s.rank)
                .map(|k| k.to_string())
                .unwrap_or_default(),
            lines,
            marks: marks
                .iter()
                .map(|m| MarkLine {
                    indicator: title_of(&m.mark.indicator),
                    kind: mark_kind_name(tr, m.mark.kind),
                    points: if m.mark.kind == MarkKind::Adjustment && m.mark.points > 0 {
                        format!("+{}", pts(m.mark.points))
                    } else {
                        pts(m.mark.points)
                    },
                    reason: m.mark.reason.clone(),
                    by: name(&m.marked_by),
                    on: date(m.marked_on),
                })
                .collect(),
            self_assessment: e
                .and_then(|e| e.self_assessment.clone())
                .unwrap_or_default(),
            self_submitted: e
                .and_then(|e| {
                    e.self_submitted_on.map(|d| {
                        format!(
                            "{} {}",
                            name(e.self_submitted_by.as_deref().unwrap_or_default()),
                            date(d)
                        )
                    })
                })
                .unwrap_or_default(),
            review: e.and_then(|e| e.review.clone()).unwrap_or_default(),
            reviewed: e
                .and_then(|e| {
                    e.reviewed_on.map(|d| {
                        format!(
                            "{} {}",
                            name(e.reviewed_by.as_deref().unwrap_or_default()),
                            date(d)
                        )
                    })
                })
                .unwrap_or_default(),
            entry_version: e.map_or(0, |e| e.version),
            may_self: secretary && procedure.check_step("self-assessment", r.stage).is_ok(),
            may_review: is_office && procedure.check_step("review", r.stage).is_ok(),
            may_mark: is_office && procedure.check_step("mark", r.stage).is_ok(),
            report_href: (secretary || is_office)
                .then(|| with_lang(&format!("{base}/duty-report"), tr)),
            docx_href: format!("{base}/report.docx"),
            form,
            posted,
            errors,
        },
    )
}

fn indicator_line(
    tr: Tr,
    r: &AssessmentRound,
    scheme: &Scheme,
    college: &Org,
    i: &IndicatorScore,
) -> IndicatorLine {
    let ind = scheme.indicator(&i.indicator);
    let manual = ind.is_some_and(|x| !x.computed());
    IndicatorLine {
        id: i.indicator.clone(),
        title: ind
            .map(|x| x.title(tr.lang()).to_string())
            .unwrap_or_else(|| i.indicator.clone()),
        method: ind.map_or(String::new(), |x| {
            tr.t(&format!("method.{}", x.method.as_str())).to_string()
        }),
        weight: pts(i.weight),
        counts: i.counts,
        computed: i.computed.map(pts).unwrap_or_default(),
        not_applicable: i.not_applicable,
        scored: i.scored.map(pts).unwrap_or_default(),
        adjusted: if i.adjusted == 0 {
            String::new()
        } else if i.adjusted > 0 {
            format!("+{}", pts(i.adjusted))
        } else {
            pts(i.adjusted)
        },
        points: pts(i.points),
        drill: (!manual).then(|| {
            with_lang(
                &format!(
                    "/assessments/{}/orgs/{}/indicators/{}",
                    encode(&r.id),
                    encode(&college.code),
                    encode(&i.indicator)
                ),
                tr,
            )
        }),
        manual,
    }
}

pub(super) async fn college_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    match round_and_college(&state, &v, &id, &org).await {
        Ok((r, o)) => college_view(&state, &v, &r, o, Failed::none()).await,
        Err(r) => r.page(tr),
    }
}

pub(super) async fn college_post(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let (r, o) = match round_and_college(&state, &v, &id, &org).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let text = form_first(&pairs, "text");
    let (form, done) = match form_first(&pairs, "do") {
        "review" => (
            Form::Review,
            write_text(&state, &v, &r, o, EntryText::Review, version, text)
                .await
                .map(|_| ()),
        ),
        "mark" => {
            let d = MarkDraft {
                indicator: form_first(&pairs, "indicator").into(),
                kind: form_first(&pairs, "kind").into(),
                points: form_first(&pairs, "points").into(),
                reason: form_first(&pairs, "reason").into(),
            };
            (Form::Mark, mark(&state, &v, &r, o, &d).await.map(|_| ()))
        }
        _ => (
            Form::SelfAssessment,
            write_text(&state, &v, &r, o, EntryText::SelfAssessment, version, text)
                .await
                .map(|_| ()),
        ),
    };
    match done {
        Ok(()) => redirect(&college_href(&r.id, o, tr)),
        Err(refused) => match refused.on_page() {
            Ok((errors, status)) => {
                college_view(
                    &state,
                    &v,
                    &r,
                    o,
                    Failed {
                        form,
                        errors,
                        status,
                        posted: pairs,
                    },
                )
                .await
            }
            Err(x) => x.page(tr),
        },
    }
}

/// An obligation behind an indicator.
pub(super) struct ObligationLine {
    pub(super) href: String,
    pub(super) duty: String,
    pub(super) org: String,
    pub(super) period: String,
    pub(super) due: String,
    pub(super) completed_on: String,
    /// `on-time`, `late`, `open`, `waived`.
    pub(super) standing: &'static str,
    pub(super) standing_name: String,
}

#[derive(Template)]
#[template(path = "assessments_indicator.html")]
pub(super) struct IndicatorPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) round_href: String,
    pub(super) college_href: String,
    pub(super) round_title: String,
    pub(super) name: String,
    pub(super) line: IndicatorLine,
    pub(super) rule: String,
    pub(super) rows: Vec<ObligationLine>,
    pub(super) frozen: bool,
}

/// The obligations of a year behind `duties` in `college`'s subtree.
async fn obligations_behind(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    duties: &[String],
) -> Result<Vec<zeren_storage::StoredObligation>, Refusal> {
    let f = ObligationFilter {
        roots: Some(vec![college.id.clone()]),
        org_ids: None,
        few: true,
        own_only: false,
        year: r.year,
        statuses: Vec::new(),
        duties: Some(duties.to_vec()),
        due_month: None,
        done_month: None,
    };
    let clock = StatusClock {
        today: state.today(),
        due_soon_days: v.snap.pack.reminders.due_soon_days,
    };
    state
        .db
        .list_obligations(&f, clock, ObligationSort::Due, DRILL_MAX, 0)
        .await
        .map_err(|e| storage_refusal(v.tr, e, &r.id))
}

/// How an obligation counts on `today` (the core's rule).
fn standing(o: &zeren_storage::StoredObligation, today: chrono::NaiveDate) -> Standing {
    Standing::of(&o.state, o.completed_on, o.due, today)
}

pub(super) async fn indicator_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org, indicator))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let (r, o) = match round_and_college(&state, &v, &id, &org).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let scheme = match scheme_of(&state, &v, &r).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let missing = || {
        Refusal::not_found(tr, "assessments.indicator_not_found", &indicator)
            .titled("assessments.not_found.title")
            .page(tr)
    };
    let Some(ind) = scheme.indicator(&indicator).filter(|i| i.computed()) else {
        return missing();
    };
    let scored = match scores(&state, &v, &r, &scheme, &[o], office(&v, &r)).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let Some(line) = scored.first().and_then(|s| {
        s.score
            .indicators
            .iter()
            .find(|i| i.indicator == ind.id)
            .map(|i| indicator_line(tr, &r, &scheme, o, i))
    }) else {
        return missing();
    };
    let obligations = match obligations_behind(&state, &v, &r, o, &ind.duties).await {
        Ok(x) => x,
        Err(e) => return e.page(tr),
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let rows = obligations
        .iter()
        .map(|ob| {
            let s = standing(ob, today).as_str();
            ObligationLine {
                href: with_lang(&format!("/obligations/{}", encode(&ob.id)), tr),
                duty: pack
                    .duty(&ob.duty)
                    .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                    .unwrap_or_else(|| ob.duty.clone()),
                org: m.org(&ob.org).map(|x| x.name.clone()).unwrap_or_default(),
                period: ob.period.clone(),
                due: date(ob.due),
                completed_on: ob.completed_on.map(date).unwrap_or_default(),
                standing: s,
                standing_name: tr.t(&format!("assessments.standing.{s}")).to_string(),
            }
        })
        .collect();
    let rule = match ind.method {
        IndicatorMethod::OnTimeRate => {
            tr.tf("assessments.rule.on-time", &[("weight", &pts(ind.weight))])
        }
        _ => tr.tf(
            "assessments.rule.completion",
            &[("weight", &pts(ind.weight))],
        ),
    };
    page(
        StatusCode::OK,
        &IndicatorPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            round_href: round_href(&r.id, tr),
            college_href: college_href(&r.id, o, tr),
            round_title: round_title(&v, &r),
            name: o.name.clone(),
            line,
            rule,
            rows,
            frozen: r.stage.published(),
        },
    )
}

/// A duty report as shown: saved, or drafted from the ledger.
pub(super) struct DutyReport {
    pub(super) text: String,
    pub(super) drafted: bool,
    pub(super) submitted_on: Option<chrono::NaiveDate>,
    pub(super) submitted_by: Option<String>,
    pub(super) version: i64,
    pub(super) secretary: String,
}

/// The duty report of `college`: for its secretary and the office only (403 for others who may
/// see the college).
pub(super) async fn duty_report_of(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
) -> Result<DutyReport, Refusal> {
    let tr = v.tr;
    if !(secretary_of(v, &college.id) || office(v, r)) {
        return Err(Refusal::forbidden(tr));
    }
    let entry = state
        .db
        .assessment_entry(&r.id, &college.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &r.id))?;
    let (_, last) = year_bounds(r.year);
    let day = last.min(state.today());
    let secretary =
        zeren_core::reminders::first_responsible_of(&v.snap.pack, &v.snap.model, college, day)
            .map(|n| n.name)
            .unwrap_or_default();
    if let Some(e) = entry.as_ref()
        && let Some(text) = &e.duty_report
    {
        return Ok(DutyReport {
            text: text.clone(),
            drafted: false,
            submitted_on: e.duty_report_submitted_on,
            submitted_by: e.duty_report_submitted_by.clone(),
            version: e.version,
            secretary,
        });
    }
    let facts = report_facts(state, v, r, college, &secretary).await?;
    Ok(DutyReport {
        text: duty_report_draft(&facts, tr.lang()),
        drafted: true,
        submitted_on: None,
        submitted_by: None,
        version: entry.map_or(0, |e| e.version),
        secretary,
    })
}

/// What the ledger says of `college`'s year: each duty it owed, with what was missed or late.
async fn report_facts(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    secretary: &str,
) -> Result<DutyReportFacts, Refusal> {
    let tr = v.tr;
    let pack = &v.snap.pack;
    let all: Vec<String> = pack.duties.iter().map(|d| d.id.clone()).collect();
    let obligations = obligations_behind(state, v, r, college, &all).await?;
    let today = state.today();
    let m = &v.snap.model;
    // The period, and the platform or org it is about when that is not the college itself.
    let what = |o: &zeren_storage::StoredObligation| match o.platform_in(m) {
        Some(p) => format!("{}「{}」", o.period, p.name),
        None if o.org != college.id => format!(
            "{}（{}）",
            o.period,
            m.org(&o.org).map_or(o.org.as_str(), |x| x.name.as_str())
        ),
        None => o.period.clone(),
    };
    let mut duties = Vec::new();
    let mut remediation = (0, 0);
    for d in &pack.duties {
        let mine: Vec<_> = obligations.iter().filter(|o| o.duty == d.id).collect();
        if mine.is_empty() {
            continue;
        }
        let mut c = Counts::default();
        let mut missed = Vec::new();
        for o in &mine {
            let s = standing(o, today);
            c.count(s);
            match s {
                Standing::Late => missed.push(tr.tf(
                    "assessments.report.late",
                    &[
                        ("period", &what(o)),
                        ("due", &date(o.due)),
                        ("done", &o.completed_on.map(date).unwrap_or_default()),
                    ],
                )),
                Standing::Open => missed.push(tr.tf(
                    "assessments.report.open",
                    &[("period", &what(o)), ("due", &date(o.due))],
                )),
                _ => {}
            }
        }
        // A duty with nothing owed yet (all of it due later) has nothing to report.
        if c.owed == 0 && c.waived == 0 {
            continue;
        }
        if matches!(&d.subject, Subject::Event { event } if *event == EventKind::Rectification) {
            remediation.0 += c.owed;
            remediation.1 += c.done;
        }
        let article = d.citation();
        duties.push(DutyFigures {
            article: tr
                .lang()
                .pick(&article.to_zh(), &article.to_string())
                .to_string(),
            duty: tr.lang().pick(&d.title, &d.title_en).to_string(),
            counts: c,
            missed,
        });
    }
    duties.sort_by_key(|d| {
        pack.duties
            .iter()
            .find(|x| tr.lang().pick(&x.title, &x.title_en) == d.duty)
            .map(|x| x.citation())
    });
    Ok(DutyReportFacts {
        org: college.name.clone(),
        secretary: secretary.to_string(),
        year: r.year,
        policy: tr.tf(
            "assessments.report.policy",
            &[
                (
                    "title",
                    tr.lang().pick(&pack.meta.title, &pack.meta.title_en),
                ),
                ("number", &pack.meta.document_number),
            ],
        ),
        duties,
        remediation,
    })
}

#[derive(Template)]
#[template(path = "assessments_report.html")]
pub(super) struct ReportPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) round_href: String,
    pub(super) college_href: String,
    pub(super) round_title: String,
    pub(super) name: String,
    pub(super) action: String,
    pub(super) docx_href: String,
    pub(super) report: DutyReport,
    /// Submitted on which day, as shown ("" while not submitted).
    pub(super) submitted: String,
    pub(super) editable: bool,
    pub(super) errors: FieldErrors,
}

impl ReportPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    fn general(&self) -> Vec<&str> {
        crate::shared::format::other_errors(&self.errors, &["duty_report"])
    }
}

async fn report_view(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    posted: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let mut report = match duty_report_of(state, v, r, college).await {
        Ok(x) => x,
        Err(e) => return e.page(tr),
    };
    if let Some(text) = posted {
        report.text = text;
    }
    let base = format!(
        "/assessments/{}/orgs/{}",
        encode(&r.id),
        encode(&college.code)
    );
    let editable = secretary_of(v, &college.id)
        && Procedure::default()
            .check_duty_report(r.stage, report.submitted_on.is_some())
            .is_ok();
    page(
        status,
        &ReportPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            round_href: round_href(&r.id, tr),
            college_href: college_href(&r.id, college, tr),
            round_title: round_title(v, r),
            name: college.name.clone(),
            action: format!("{base}/duty-report"),
            docx_href: format!("{base}/duty-report.docx"),
            submitted: report.submitted_on.map(date).unwrap_or_default(),
            report,
            editable,
            errors,
        },
    )
}

pub(super) async fn duty_report_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    match round_and_college(&state, &v, &id, &org).await {
        Ok((r, o)) => report_view(&state, &v, &r, o, None, Vec::new(), StatusCode::OK).await,
        Err(r) => r.page(tr),
    }
}

pub(super) async fn duty_report_post(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, org))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let (r, o) = match round_and_college(&state, &v, &id, &org).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let text = form_first(&pairs, "text").to_string();
    let which = EntryText::DutyReport {
        submit: form_first(&pairs, "do") == "submit",
    };
    match write_text(&state, &v, &r, o, which, posted_version(&pairs), &text).await {
        Ok(_) => redirect(&with_lang(
            &format!(
                "/assessments/{}/orgs/{}/duty-report",
                encode(&r.id),
                encode(&o.code)
            ),
            tr,
        )),
        Err(refused) => match refused.on_page() {
            Ok((errors, status)) => {
                report_view(&state, &v, &r, o, Some(text), errors, status).await
            }
            Err(x) => x.page(tr),
        },
    }
}
