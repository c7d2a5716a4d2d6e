//! The pages of a year's assessment: the list of years, a year with its procedure and every
//! college's score, and the scheme (a form while it is a draft).

use super::*;
use crate::shared::urls::form_all;
use chrono::Datelike;
use zeren_core::assessments::{IndicatorDraft, StepDraft};
use zeren_core::policy::IndicatorMethod;

/// The rounds the viewer may see, newest year first.
pub(super) async fn visible_rounds(
    state: &AppState,
    v: &Viewer,
) -> Result<Vec<AssessmentRound>, Refusal> {
    read_gate(v)?;
    let all = state
        .db
        .assessment_rounds(None)
        .await
        .map_err(|e| storage_refusal(v.tr, e, ""))?;
    let m = &v.snap.model;
    let scopes = v.principal.scopes(Permission::ReadOrg);
    Ok(all
        .into_iter()
        .filter(|r| {
            office(v, r)
                || (r.stage != Stage::Draft
                    && scopes
                        .iter()
                        .any(|s| m.is_within(s, &r.scope_org) || m.is_within(&r.scope_org, s)))
        })
        .collect())
}

/// A round as listed.
pub(super) struct RoundRow {
    pub(super) href: String,
    pub(super) year: i32,
    pub(super) org: String,
    pub(super) stage: &'static str,
    pub(super) stage_name: &'static str,
    pub(super) published_on: String,
}

#[derive(Template)]
#[template(path = "assessments_list.html")]
pub(super) struct RoundsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) rows: Vec<RoundRow>,
    /// Orgs the viewer may start an assessment for: (code, name).
    pub(super) orgs: Vec<(String, String)>,
    pub(super) year: String,
    pub(super) errors: FieldErrors,
}

impl RoundsPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    fn general(&self) -> Vec<&str> {
        crate::shared::format::other_errors(&self.errors, &["year", "org"])
    }
}

async fn rounds_view(
    state: &AppState,
    v: &Viewer,
    errors: FieldErrors,
    status: StatusCode,
    year: String,
) -> Response {
    let tr = v.tr;
    let rounds = match visible_rounds(state, v).await {
        Ok(r) => r,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let rows = rounds
        .iter()
        .map(|r| RoundRow {
            href: round_href(&r.id, tr),
            year: r.year,
            org: m
                .org(&r.scope_org)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            stage: r.stage.as_str(),
            stage_name: stage_name(tr, r.stage),
            published_on: r.published_on.map(date).unwrap_or_default(),
        })
        .collect();
    let orgs = v
        .principal
        .scopes(Permission::RunAssessment)
        .into_iter()
        .filter_map(|id| m.org(id))
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect();
    page(
        status,
        &RoundsPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            rows,
            orgs,
            year,
            errors,
        },
    )
}

pub(super) async fn rounds_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
) -> Response {
    let year = state.today().year().to_string();
    rounds_view(&state, &v, Vec::new(), StatusCode::OK, year).await
}

pub(super) async fn create_round_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let pairs = posted_pairs(body);
    let year = form_first(&pairs, "year").to_string();
    match create_round(&state, &v, &year, form_first(&pairs, "org")).await {
        Ok(r) => redirect(&with_lang(
            &format!("/assessments/{}/scheme", encode(&r.id)),
            tr,
        )),
        Err(refused) => match refused.on_page() {
            Ok((errors, status)) => rounds_view(&state, &v, errors, status, year).await,
            Err(r) => r.page(tr),
        },
    }
}

/// A step of the procedure as shown.
pub(super) struct StepRow {
    pub(super) name: &'static str,
    pub(super) until: String,
    pub(super) current: bool,
    pub(super) done: bool,
}

/// A college's line in the table of a round.
pub(super) struct CollegeRow {
    pub(super) href: Option<String>,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) total: String,
    pub(super) rank: String,
    pub(super) unscored: usize,
    pub(super) self_submitted: bool,
}

#[derive(Template)]
#[template(path = "assessments_round.html")]
pub(super) struct RoundPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) stage: &'static str,
    pub(super) stage_name: &'static str,
    pub(super) steps: Vec<StepRow>,
    pub(super) office: bool,
    pub(super) published: bool,
    pub(super) published_on: String,
    /// The 发文字号 the results were published under.
    pub(super) document_number: String,
    pub(super) draft: bool,
    /// The next step the office may move to: (stage, name).
    pub(super) next: Option<(&'static str, &'static str)>,
    pub(super) version: i64,
    pub(super) rows: Vec<CollegeRow>,
    pub(super) ranked: bool,
    pub(super) errors: FieldErrors,
    pub(super) scheme_href: String,
    pub(super) xlsx_href: String,
    pub(super) docx_href: String,
}

/// The title of a round: 2026年度 … 考核 (重庆大学).
pub(super) fn round_title(v: &Viewer, r: &AssessmentRound) -> String {
    let org = v
        .snap
        .model
        .org(&r.scope_org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    v.tr.tf(
        "assessments.round.title",
        &[("year", &r.year.to_string()), ("org", &org)],
    )
}

async fn round_view(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let scheme = match scheme_of(state, v, r).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let is_office = office(v, r);
    let mine = visible_colleges(v, r);
    let shown = if is_office || r.stage.published() {
        colleges(v, r)
    } else {
        mine.clone()
    };
    let scored = match scores(state, v, r, &scheme, &shown, is_office).await {
        Ok(s) => s,
        Err(e) => return e.page(tr),
    };
    let entries = match state.db.assessment_entries(&r.id).await {
        Ok(e) => e,
        Err(e) => return storage_refusal(tr, e, &r.id).page(tr),
    };
    let mut rows: Vec<CollegeRow> = scored
        .iter()
        .map(|s| {
            let full = is_office || mine.iter().any(|o| o.id == s.org.id);
            CollegeRow {
                href: full.then(|| college_href(&r.id, &s.org, tr)),
                code: s.org.code.clone(),
                name: s.org.name.clone(),
                total: pts(s.score.total),
                rank: s.rank.map(|k| k.to_string()).unwrap_or_default(),
                unscored: s.score.unscored.len(),
                self_submitted: entries
                    .iter()
                    .any(|e| e.org_id == s.org.id && e.self_submitted_on.is_some()),
            }
        })
        .collect();
    let ranked = scored.iter().any(|s| s.rank.is_some());
    if ranked {
        rows.sort_by(|a, b| {
            let k = |x: &CollegeRow| x.rank.parse::<u32>().unwrap_or(u32::MAX);
            k(a).cmp(&k(b)).then_with(|| a.code.cmp(&b.code))
        });
    }
    let procedure = scheme.procedure();
    let position = |s: Stage| match s {
        Stage::Draft => 0,
        Stage::Step(st) => 1 + procedure.steps().iter().position(|x| *x == st).unwrap_or(0),
    };
    let at = position(r.stage);
    let steps = scheme
        .steps
        .iter()
        .map(|s| {
            let p = position(Stage::Step(s.step));
            StepRow {
                name: stage_name(tr, Stage::Step(s.step)),
                until: date(s.until),
                current: p == at,
                done: p < at || (r.stage.published() && p == at),
            }
        })
        .collect();
    let next = match r.stage {
        Stage::Draft => None,
        s => procedure.next(s).map(|n| (n.as_str(), stage_name(tr, n))),
    };
    let base = format!("/assessments/{}", encode(&r.id));
    page(
        status,
        &RoundPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            id: r.id.clone(),
            title: round_title(v, r),
            stage: r.stage.as_str(),
            stage_name: stage_name(tr, r.stage),
            steps,
            office: is_office,
            published: r.stage.published(),
            published_on: r.published_on.map(date).unwrap_or_default(),
            document_number: r.document_number.clone().unwrap_or_default(),
            draft: r.stage == Stage::Draft,
            next,
            version: r.version,
            rows,
            ranked,
            errors,
            scheme_href: with_lang(&format!("{base}/scheme"), tr),
            xlsx_href: format!("{base}/scores.xlsx"),
            docx_href: format!("{base}/report.docx"),
        },
    )
}

impl RoundPage {
    fn general(&self) -> Vec<&str> {
        self.errors.iter().map(|(_, m)| m.as_str()).collect()
    }
}

pub(super) async fn round_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    match readable(&state, &v, &id).await {
        Ok(r) => round_view(&state, &v, &r, Vec::new(), StatusCode::OK).await,
        Err(r) => r.page(tr),
    }
}

pub(super) async fn advance_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    let r = match run_by_office(&state, &v, &id).await {
        Ok(r) => r,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    match advance(
        &state,
        &v,
        &r,
        posted_version(&pairs),
        form_first(&pairs, "to"),
        form_first(&pairs, "document_number"),
    )
    .await
    {
        Ok(r) => redirect(&round_href(&r.id, tr)),
        Err(refused) => match refused.on_page() {
            Ok((errors, status)) => {
                let r = state.db.assessment_round(&r.id).await.unwrap_or(r);
                round_view(&state, &v, &r, errors, status).await
            }
            Err(x) => x.page(tr),
        },
    }
}

/// An indicator row of the scheme form.
pub(super) struct IndicatorRow {
    pub(super) n: usize,
    pub(super) d: IndicatorDraft,
}

/// A version of the scheme as listed.
pub(super) struct VersionRow {
    pub(super) version: i64,
    pub(super) state: &'static str,
    pub(super) state_name: String,
    pub(super) published: String,
}

#[derive(Template)]
#[template(path = "assessments_scheme.html")]
pub(super) struct SchemePage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) round_href: String,
    pub(super) title: String,
    pub(super) action: String,
    pub(super) version: i64,
    /// The office may edit the newest version (a draft).
    pub(super) editable: bool,
    /// The office may start a new version.
    pub(super) revisable: bool,
    /// The scheme shown: the newest version to the office, else the version in force.
    pub(super) shown_version: i64,
    pub(super) shown_is_draft: bool,
    pub(super) rows: Vec<IndicatorRow>,
    pub(super) steps: Vec<(String, &'static str, String)>,
    pub(super) methods: Vec<(&'static str, String)>,
    pub(super) duties: Vec<(String, String)>,
    pub(super) weight_sum: String,
    pub(super) versions: Vec<VersionRow>,
    pub(super) errors: FieldErrors,
}

impl SchemePage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    fn row_error(&self, n: &usize, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, &format!("indicators[{n}].{field}"))
    }

    fn step_error(&self, n: &usize) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, &format!("steps[{n}].until"))
    }

    fn general(&self) -> Vec<&str> {
        self.errors
            .iter()
            // The weights' sum and an empty scheme are told under the indicators.
            .filter(|(f, _)| {
                !f.starts_with("indicators") && !f.starts_with("steps[") && f != "weights"
            })
            .map(|(_, m)| m.as_str())
            .collect()
    }

    fn method_name<'a>(&'a self, m: &'a str) -> &'a str {
        self.methods
            .iter()
            .find(|(id, _)| *id == m)
            .map_or(m, |(_, n)| n.as_str())
    }

    fn duty_names(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|d| {
                self.duties
                    .iter()
                    .find(|(id, _)| id == d)
                    .map_or(d.as_str(), |(_, n)| n.as_str())
            })
            .collect::<Vec<_>>()
            .join(self.tr.lang().pick("、", "; "))
    }
}

/// Blank rows offered under the indicators, to add some.
const BLANK_ROWS: usize = 2;

/// The scheme as posted: rows `id_N` … and the steps' `until_STEP`; a row left blank (or marked
/// for removal) is not part of it.
fn scheme_from(pairs: &[(String, String)]) -> SchemeDraft {
    let mut n_max = 0;
    for (k, _) in pairs {
        if let Some(n) = k.strip_prefix("id_").and_then(|n| n.parse::<usize>().ok()) {
            n_max = n_max.max(n + 1);
        }
    }
    let mut indicators = Vec::new();
    for n in 0..n_max.min(zeren_core::assessments::INDICATORS_MAX * 2) {
        let get = |f: &str| form_first(pairs, &format!("{f}_{n}")).to_string();
        let d = IndicatorDraft {
            id: get("id"),
            title: get("title"),
            title_en: get("title_en"),
            weight: get("weight"),
            method: get("method"),
            duties: form_all(pairs, &format!("duties_{n}")),
        };
        let blank =
            d.id.trim().is_empty() && d.title.trim().is_empty() && d.weight.trim().is_empty();
        if blank || !get("remove").is_empty() {
            continue;
        }
        indicators.push(d);
    }
    let steps = [
        AssessmentStep::SelfAssessment,
        AssessmentStep::Review,
        AssessmentStep::Scoring,
        AssessmentStep::Publication,
    ]
    .iter()
    .filter_map(|s| {
        let until = form_first(pairs, &format!("until_{}", s.as_str()));
        pairs
            .iter()
            .any(|(k, _)| k == &format!("until_{}", s.as_str()))
            .then(|| StepDraft {
                step: s.as_str().into(),
                until: until.into(),
            })
    })
    .collect();
    SchemeDraft { indicators, steps }
}

async fn scheme_view(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    posted: Option<SchemeDraft>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let is_office = office(v, r);
    let versions = match state.db.assessment_schemes(&r.id).await {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, &r.id).page(tr),
    };
    let shown = versions
        .iter()
        .rev()
        .find(|s| {
            if is_office {
                s.version == r.newest_version
            } else {
                s.version == r.scheme_version
            }
        })
        .or_else(|| versions.last());
    let Some(shown) = shown else {
        return not_found(tr, &r.id).page(tr);
    };
    let editable = is_office && r.newest_is_draft && !r.stage.published();
    let draft = posted.unwrap_or_else(|| shown.scheme.to_draft());
    let mut rows: Vec<IndicatorRow> = draft
        .indicators
        .into_iter()
        .enumerate()
        .map(|(n, d)| IndicatorRow { n, d })
        .collect();
    if editable {
        let start = rows.len();
        for n in start..start + BLANK_ROWS {
            rows.push(IndicatorRow {
                n,
                d: IndicatorDraft {
                    method: IndicatorMethod::CompletionRate.as_str().into(),
                    ..IndicatorDraft::default()
                },
            });
        }
    }
    let weight_sum: i64 = shown.scheme.indicators.iter().map(|i| i.weight).sum();
    let name = display_names(
        state,
        versions.iter().filter_map(|s| s.published_by.as_deref()),
    )
    .await;
    let methods = [
        IndicatorMethod::CompletionRate,
        IndicatorMethod::OnTimeRate,
        IndicatorMethod::Manual,
    ]
    .iter()
    .map(|m| {
        (
            m.as_str(),
            tr.t(&format!("method.{}", m.as_str())).to_string(),
        )
    })
    .collect();
    let pack = &v.snap.pack;
    let steps = shown
        .scheme
        .procedure()
        .steps()
        .iter()
        .map(|s| {
            let until = draft
                .steps
                .iter()
                .find(|d| d.step == s.as_str())
                .map(|d| d.until.clone())
                .unwrap_or_default();
            (
                s.as_str().to_string(),
                stage_name(tr, Stage::Step(*s)),
                until,
            )
        })
        .collect();
    page(
        status,
        &SchemePage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            round_href: round_href(&r.id, tr),
            title: round_title(v, r),
            action: format!("/assessments/{}/scheme", encode(&r.id)),
            version: r.version,
            editable,
            revisable: is_office && !r.newest_is_draft && !r.stage.published(),
            shown_version: shown.version,
            shown_is_draft: shown.state == zeren_storage::repo::assessments::SchemeState::Draft,
            rows,
            steps,
            methods,
            duties: pack
                .duties
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        tr.lang().pick(&d.title, &d.title_en).to_string(),
                    )
                })
                .collect(),
            weight_sum: pts(weight_sum),
            versions: versions
                .iter()
                .map(|s| VersionRow {
                    version: s.version,
                    state: s.state.as_str(),
                    state_name: tr
                        .t(&format!("assessments.scheme.state.{}", s.state.as_str()))
                        .to_string(),
                    published: match (&s.published_by, s.published_on) {
                        (Some(by), Some(on)) => format!("{} {}", name(by), date(on)),
                        _ => String::new(),
                    },
                })
                .collect(),
            errors,
        },
    )
}

pub(super) async fn scheme_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    match readable(&state, &v, &id).await {
        Ok(r) => scheme_view(&state, &v, &r, None, Vec::new(), StatusCode::OK).await,
        Err(r) => r.page(tr),
    }
}

pub(super) async fn scheme_post(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    let r = match run_by_office(&state, &v, &id).await {
        Ok(r) => r,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let (done, posted) = match form_first(&pairs, "do") {
        "publish" => (publish_scheme(&state, &v, &r, version).await, None),
        "revise" => (revise_scheme(&state, &v, &r, version, None).await, None),
        _ => {
            let d = scheme_from(&pairs);
            (save_scheme(&state, &v, &r, version, &d).await, Some(d))
        }
    };
    match done {
        Ok(after) if after.stage != r.stage => redirect(&round_href(&r.id, tr)),
        Ok(_) => redirect(&with_lang(
            &format!("/assessments/{}/scheme", encode(&r.id)),
            tr,
        )),
        Err(refused) => match refused.on_page() {
            Ok((errors, status)) => {
                let r = state.db.assessment_round(&r.id).await.unwrap_or(r);
                scheme_view(&state, &v, &r, posted, errors, status).await
            }
            Err(x) => x.page(tr),
        },
    }
}
