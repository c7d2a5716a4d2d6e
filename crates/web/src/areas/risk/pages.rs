//! The project pages: the ledger, the registration and edit form, one project's page with its
//! assessments, their decisions and its launch; and the handlers of its forms.

use super::*;

/// Query of the ledger.
#[derive(Deserialize, Default)]
pub struct ProjectQuery {
    pub(super) org: Option<String>,
    pub(super) state: Option<String>,
    pub(super) major: Option<String>,
    pub(super) page: Option<String>,
}

/// The filter a query asks for, within the viewer's scope: an org outside it is 404, a bad
/// state or page 422 naming it. Also the org code and the page.
pub(super) fn filter_of(
    v: &Viewer,
    q: &ProjectQuery,
) -> Result<(ProjectFilter, String, i64), Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let (org, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "risk.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    let state = match nonempty(&q.state) {
        None => None,
        Some(s) => Some(ProjectState::parse(s).ok_or_else(|| {
            Refusal::invalid(tr, "state", &tr.tf("risk.error.state", &[("value", s)]))
        })?),
    };
    let page = page_number(nonempty(&q.page), tr, "risk.error.page")? as i64;
    Ok((
        ProjectFilter {
            orgs: unless_every_org(v, &orgs),
            state,
            major_only: nonempty(&q.major) == Some("1"),
            offset: (page - 1) * PER_PAGE,
            limit: PER_PAGE,
        },
        org,
        page,
    ))
}

/// One project as the ledger lists it.
pub struct ProjectRow {
    pub href: String,
    pub title: String,
    pub org: String,
    pub launch_on: String,
    pub major: bool,
    pub state: &'static str,
    pub state_name: String,
    /// The latest assessment: its state and level, in words.
    pub assessment: String,
    /// Launched past the gate (without an approved assessment), by whom.
    pub override_by: Option<String>,
}

pub(super) fn row(v: &Viewer, p: &Project, assessments: &[RiskAssessment]) -> ProjectRow {
    let tr = v.tr;
    let m = &v.snap.model;
    let rules = rules(v);
    let approved = assessments
        .iter()
        .rev()
        .find(|a| a.state == AssessmentState::Approved);
    let shown = approved.or_else(|| assessments.last());
    ProjectRow {
        href: project_href(&p.id, tr),
        title: p.fields.title.clone(),
        org: m
            .org(&p.fields.org)
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        launch_on: p
            .launched_on
            .map(date)
            .unwrap_or_else(|| date(p.fields.launch_on)),
        major: p.fields.major,
        state: p.state.as_str(),
        state_name: state_name(tr, p.state),
        assessment: shown
            .map(|a| {
                format!(
                    "{} · {}",
                    assessment_state_name(tr, a.state),
                    rules.level_name(&a.fields.level, tr.lang())
                )
            })
            .unwrap_or_else(|| tr.t("risk.no_assessment").to_string()),
        override_by: p.override_by.as_deref().map(|x| person_name(m, x)),
    }
}

#[derive(Template)]
#[template(path = "risk_list.html")]
pub(super) struct ProjectsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) org: String,
    pub(super) state: String,
    pub(super) major: bool,
    pub(super) states: Vec<(String, String)>,
    pub(super) rows: Vec<ProjectRow>,
    pub(super) new_href: Option<String>,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) page_label: String,
}

/// The assessments of each project listed, by project id.
pub(super) async fn assessments_of_all(
    state: &AppState,
    projects: &[Project],
) -> zeren_storage::Result<std::collections::HashMap<String, Vec<RiskAssessment>>> {
    let mut out = std::collections::HashMap::new();
    for p in projects {
        out.insert(p.id.clone(), state.db.assessments_of(&p.id).await?);
    }
    Ok(out)
}

pub(super) async fn projects_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<ProjectQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let (f, org, page_no) = match filter_of(&v, &q) {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (projects, total) = match state.db.projects(&f).await {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, "").page(tr),
    };
    let assessments = match assessments_of_all(&state, &projects).await {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, "").page(tr),
    };
    let m = &v.snap.model;
    let kept: Vec<(&str, String)> = [
        ("org", org.clone()),
        ("state", q.state.clone().unwrap_or_default()),
        ("major", q.major.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, val)| !val.trim().is_empty())
    .collect();
    let params = |page: i64| -> String {
        let page = page.to_string();
        let mut refs: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if page != "1" {
            refs.push(("page", page.as_str()));
        }
        href_with("/risk-assessments", &refs, tr)
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    page(
        StatusCode::OK,
        &ProjectsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            orgs: readable_orgs(&v)
                .iter()
                .filter_map(|id| m.org(id))
                .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
            org: org.clone(),
            state: q.state.clone().unwrap_or_default(),
            major: nonempty(&q.major) == Some("1"),
            states: [
                ProjectState::Planned,
                ProjectState::Launched,
                ProjectState::Cancelled,
            ]
            .iter()
            .map(|s| (s.as_str().to_string(), state_name(tr, *s)))
            .collect(),
            rows: projects
                .iter()
                .map(|p| row(&v, p, assessments.get(&p.id).map_or(&[], Vec::as_slice)))
                .collect(),
            new_href: v
                .principal
                .can_somewhere(Permission::KeepRecords)
                .then(|| href_with("/risk-assessments/new", &[("org", org.as_str())], tr)),
            prev: (page_no > 1).then(|| params(page_no - 1)),
            next: (page_no < pages).then(|| params(page_no + 1)),
            page_label: tr.tf(
                "risk.page_label",
                &[
                    ("page", &page_no.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
        },
    )
}

// ------------------------------------------------------------------------------------------
// The form
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "risk_form.html")]
pub(super) struct ProjectFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) editing: bool,
    pub(super) org_name: String,
    pub(super) portfolios: Vec<(String, String)>,
    pub(super) draft: ProjectDraft,
    pub(super) version: i64,
    pub(super) days: String,
    pub(super) errors: FieldErrors,
}

impl ProjectFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &["title", "description", "portfolio", "launch_on"];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }
}

fn project_form(
    state: &AppState,
    v: &Viewer,
    editing: Option<(&Project, i64)>,
    draft: ProjectDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let Some(org) = m.find_org(draft.org.trim()).cloned() else {
        return Refusal::not_found(tr, "risk.org_not_found", &draft.org).page(tr);
    };
    let days = v
        .snap
        .pack
        .duties
        .iter()
        .find(|d| {
            matches!(
                d.subject,
                zeren_core::policy::Subject::Event {
                    event: zeren_core::vocab::EventKind::MajorProject
                }
            )
        })
        .and_then(|d| match d.due {
            zeren_core::policy::DueRule::DaysBeforeEvent(n) => Some(n.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    page(
        status,
        &ProjectFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: match editing {
                Some((p, _)) => with_lang(&format!("/risk-assessments/{}/edit", encode(&p.id)), tr),
                None => with_lang("/risk-assessments/new", tr),
            },
            cancel: match editing {
                Some((p, _)) => project_href(&p.id, tr),
                None => with_lang("/risk-assessments", tr),
            },
            editing: editing.is_some(),
            org_name: org.name.clone(),
            portfolios: v
                .snap
                .pack
                .portfolios
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        tr.lang().pick(&p.name, &p.name_en).to_string(),
                    )
                })
                .collect(),
            draft: ProjectDraft {
                org: org.code.clone(),
                ..draft
            },
            version: editing.map_or(0, |(_, v)| v),
            days,
            errors,
        },
    )
}

fn draft_from(p: &[(String, String)]) -> ProjectDraft {
    ProjectDraft {
        title: form_first(p, "title").into(),
        org: form_first(p, "org").into(),
        description: form_first(p, "description").into(),
        portfolio: form_first(p, "portfolio").into(),
        major: !form_first(p, "major").is_empty(),
        launch_on: form_first(p, "launch_on").into(),
    }
}

#[derive(Deserialize, Default)]
pub struct OrgQuery {
    org: Option<String>,
}

pub(super) async fn new_project_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<OrgQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let asked = q.ok().and_then(|Query(q)| q.org).unwrap_or_default();
    let org = match form_org(&v, &asked, Permission::KeepRecords, "risk.org_not_found") {
        Ok(org) => org,
        Err(r) => return r.page(tr),
    };
    let draft = ProjectDraft {
        org,
        major: true,
        ..ProjectDraft::default()
    };
    project_form(&state, &v, None, draft, Vec::new(), StatusCode::OK)
}

pub(super) async fn create_project_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let draft = draft_from(&posted_pairs(body));
    let refused = match register(&state, &v, &draft).await {
        Ok(p) => return redirect(&project_href(&p.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    project_form(&state, &v, None, draft, errors, status)
}

fn draft_of(v: &Viewer, p: &Project) -> ProjectDraft {
    ProjectDraft {
        title: p.fields.title.clone(),
        org: v
            .snap
            .model
            .org(&p.fields.org)
            .map(|o| o.code.clone())
            .unwrap_or_default(),
        description: p.fields.description.clone(),
        portfolio: p.fields.portfolio.clone().unwrap_or_default(),
        major: p.fields.major,
        launch_on: date(p.fields.launch_on),
    }
}

pub(super) async fn edit_project_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "risk.not_found", "").page(tr);
    };
    let p = match writable(&state, &v, &id).await {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let draft = draft_of(&v, &p);
    project_form(
        &state,
        &v,
        Some((&p, p.version)),
        draft,
        Vec::new(),
        StatusCode::OK,
    )
}

pub(super) async fn edit_project_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "risk.not_found", "").page(tr);
    };
    let p = match writable(&state, &v, &id).await {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let mut draft = draft_from(&pairs);
    draft.org = draft_of(&v, &p).org;
    let refused = match edit(&state, &v, &p, version, &draft).await {
        Ok(p) => return redirect(&project_href(&p.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    project_form(&state, &v, Some((&p, version)), draft, errors, status)
}

// ------------------------------------------------------------------------------------------
// One project's page
// ------------------------------------------------------------------------------------------

/// One assessment as shown.
pub struct AssessmentRow {
    pub id: String,
    pub level: String,
    pub state: &'static str,
    pub state_name: String,
    pub planned: String,
    pub affected: String,
    pub risks: String,
    pub measures: String,
    pub assessors: String,
    pub assessed_on: String,
    pub approver: String,
    pub decided: String,
    pub note: String,
    /// The decision form's action, for the person the rules name.
    pub decide: Option<String>,
}

/// An obligation about the project as shown.
pub struct DutyRow {
    pub href: String,
    pub duty: String,
    pub due: String,
    pub status: &'static str,
    pub status_name: String,
}

/// Which form a refusal belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    None,
    Assess,
    Decide,
    Launch,
    Cancel,
}

#[derive(Template)]
#[template(path = "risk_detail.html")]
pub(super) struct ProjectPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) list_href: String,
    pub(super) row: ProjectRow,
    pub(super) description: String,
    pub(super) portfolio: String,
    pub(super) override_reason: String,
    pub(super) assessments: Vec<AssessmentRow>,
    pub(super) approved: bool,
    pub(super) duties: Vec<DutyRow>,
    pub(super) version: i64,
    pub(super) base: String,
    /// Planned, and the viewer keeps it: edit, launch and cancel are offered.
    pub(super) planned: bool,
    /// Not cancelled, and the viewer keeps it: an assessment may be submitted (late, after a
    /// launch past the gate, too).
    pub(super) may_assess: bool,
    pub(super) cancel_reason: String,
    /// The assessment and launch forms' values (what was typed, after a refusal).
    pub(super) assess: AssessmentDraft,
    pub(super) launch: LaunchDraft,
    pub(super) is_first: bool,
    pub(super) first: String,
    pub(super) levels: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) failed: Failed,
    pub(super) errors: FieldErrors,
}

impl ProjectPage {
    /// The problem of `field` in the form `form`.
    pub(super) fn error_in(&self, form: Failed, field: &str) -> Option<&str> {
        (self.failed == form)
            .then(|| crate::shared::format::field_error(&self.errors, field))
            .flatten()
    }

    /// The assessment form's text fields: (name, rows, value).
    pub(super) fn assess_fields(&self) -> [(&'static str, usize, &str); 4] {
        let a = &self.assess;
        [
            ("planned", 3, a.planned.as_str()),
            ("affected", 2, a.affected.as_str()),
            ("risks", 4, a.risks.as_str()),
            ("measures", 4, a.measures.as_str()),
        ]
    }

    /// The problems of `form` no field of it shows.
    pub(super) fn general_in(&self, form: Failed) -> Vec<&str> {
        let shown: &[&str] = match form {
            Failed::None => &[],
            Failed::Assess => &[
                "planned",
                "affected",
                "risks",
                "level",
                "measures",
                "assessors",
                "assessed_on",
            ],
            Failed::Decide => &["note"],
            Failed::Launch => &["launched_on", "reason"],
            Failed::Cancel => &["reason"],
        };
        if self.failed != form {
            return Vec::new();
        }
        crate::shared::format::other_errors(&self.errors, shown)
    }
}

pub(super) async fn project_view(
    state: &AppState,
    v: &Viewer,
    p: &Project,
    failed: Failed,
    errors: FieldErrors,
    status: StatusCode,
    posted: &[(String, String)],
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    let db = &state.db;
    let assessments = match db.assessments_of(&p.id).await {
        Ok(x) => x,
        Err(err) => return storage_refusal(tr, err, &p.id).page(tr),
    };
    let obligations = match db
        .obligations_about(zeren_core::obligation::SubjectKind::Event, &p.id)
        .await
    {
        Ok(x) => x,
        Err(err) => return storage_refusal(tr, err, &p.id).page(tr),
    };
    let rules = rules(v);
    let me = v.user.person.as_deref();
    let first = first_of(state, v, &p.fields.org);
    let is_first = matches!((me, &first), (Some(x), Some(f)) if x == f.id);
    let base = format!("/risk-assessments/{}", encode(&p.id));
    let planned = p.state == ProjectState::Planned;
    let open = p.state != ProjectState::Cancelled;
    let keeps = v.can(Permission::KeepRecords, Some(&p.fields.org));
    let rows = assessments
        .iter()
        .map(|a| {
            let expected = approver_of(state, v, p, &a.fields.level);
            let may = open
                && a.state == AssessmentState::Submitted
                && me.is_some_and(|me| {
                    check_decision(&v.snap.pack, m, &rules, &p.fields, &a.fields, me, today).is_ok()
                });
            AssessmentRow {
                id: a.id.clone(),
                level: rules.level_name(&a.fields.level, tr.lang()),
                state: a.state.as_str(),
                state_name: assessment_state_name(tr, a.state),
                planned: a.fields.planned.clone(),
                affected: a.fields.affected.clone(),
                risks: a.fields.risks.clone(),
                measures: a.fields.measures.clone(),
                assessors: a
                    .fields
                    .assessors
                    .iter()
                    .map(|x| person_name(m, x))
                    .collect::<Vec<_>>()
                    .join(tr.lang().pick("、", ", ")),
                assessed_on: date(a.fields.assessed_on),
                approver: expected
                    .map(|e| e.name)
                    .unwrap_or_else(|| tr.t("risk.no_approver").to_string()),
                decided: match (&a.decided_by, a.decided_on) {
                    (Some(x), Some(d)) => format!("{} {}", person_name(m, x), date(d)),
                    _ => String::new(),
                },
                note: a.decision_note.clone().unwrap_or_default(),
                decide: may.then(|| format!("{base}/assessments/{}/decision", encode(&a.id))),
            }
        })
        .collect();
    page(
        status,
        &ProjectPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            list_href: with_lang("/risk-assessments", tr),
            row: row(v, p, &assessments),
            description: p.fields.description.clone(),
            portfolio: p
                .fields
                .portfolio
                .as_deref()
                .and_then(|x| v.snap.pack.portfolio(x))
                .map(|x| tr.lang().pick(&x.name, &x.name_en).to_string())
                .unwrap_or_else(|| tr.t("risk.no_portfolio").to_string()),
            override_reason: p.override_reason.clone().unwrap_or_default(),
            approved: assessments
                .iter()
                .any(|a| a.state == AssessmentState::Approved),
            assessments: rows,
            duties: obligations
                .iter()
                .map(|o| {
                    let st = zeren_core::obligation::status_on(
                        o.discharge(),
                        o.due,
                        today,
                        v.snap.pack.reminders.due_soon_days,
                    )
                    .as_str();
                    DutyRow {
                        href: with_lang(&format!("/obligations/{}", encode(&o.id)), tr),
                        duty: v
                            .snap
                            .pack
                            .duty(&o.duty)
                            .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                            .unwrap_or_else(|| o.duty.clone()),
                        due: date(o.due),
                        status: st,
                        status_name: tr.t(&format!("status.{st}")).to_string(),
                    }
                })
                .collect(),
            version: p.version,
            base,
            planned: planned && keeps,
            // Planned, or launched past the gate (the assessment is still owed, late).
            may_assess: keeps && (planned || (open && p.override_by.is_some())),
            cancel_reason: p.cancel_reason.clone().unwrap_or_default(),
            assess: match failed {
                Failed::Assess => assessment_from(posted),
                _ => AssessmentDraft {
                    assessed_on: date(today),
                    ..AssessmentDraft::default()
                },
            },
            launch: match failed {
                Failed::Launch => launch_from(posted),
                _ => LaunchDraft {
                    launched_on: date(today),
                    ..LaunchDraft::default()
                },
            },
            is_first,
            first: first
                .map(|f| f.name)
                .unwrap_or_else(|| tr.t("risk.no_approver").to_string()),
            levels: rules
                .levels
                .iter()
                .map(|l| {
                    let mut name = tr.lang().pick(&l.name, &l.name_en).to_string();
                    if l.first_responsible_approval {
                        name.push_str(tr.t("risk.level.first"));
                    }
                    (l.id.clone(), name)
                })
                .collect(),
            people: m
                .people_within(&p.fields.org)
                .map(|x| (x.id.clone(), x.name.clone()))
                .collect(),
            failed,
            errors,
        },
    )
}

pub(super) async fn project_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "risk.not_found", "").page(tr);
    };
    match readable(&state, &v, &id).await {
        Ok(p) => {
            project_view(
                &state,
                &v,
                &p,
                Failed::None,
                Vec::new(),
                StatusCode::OK,
                &[],
            )
            .await
        }
        Err(r) => r.page(tr),
    }
}

/// Runs a form's change on the project `id` (writable when `keep`, readable otherwise): back to
/// its page on success, the page with the form's problems otherwise.
async fn act<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    keep: bool,
    body: Result<RawForm, RawFormRejection>,
    form: Failed,
    change: impl AsyncFnOnce(&Project, &[(String, String)]) -> Result<T, Refused>,
) -> Response {
    let tr = v.tr;
    let p = match if keep {
        writable(state, v, id).await
    } else {
        readable(state, v, id).await
    } {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let refused = match change(&p, &pairs).await {
        Ok(_) => return redirect(&project_href(&p.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let p = state.db.project(&p.id).await.unwrap_or(p);
    project_view(state, v, &p, form, errors, status, &pairs).await
}

/// An assessment as posted.
fn assessment_from(p: &[(String, String)]) -> AssessmentDraft {
    AssessmentDraft {
        planned: form_first(p, "planned").into(),
        affected: form_first(p, "affected").into(),
        risks: form_first(p, "risks").into(),
        level: form_first(p, "level").into(),
        measures: form_first(p, "measures").into(),
        assessors: form_all(p, "assessors"),
        assessed_on: form_first(p, "assessed_on").into(),
    }
}

pub(super) async fn assess_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return Refusal::not_found(v.tr, "risk.not_found", "").page(v.tr);
    };
    act(&state, &v, &id, true, body, Failed::Assess, async |p, f| {
        assess(&state, &v, p, &assessment_from(f)).await
    })
    .await
}

pub(super) async fn decision_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let Ok(Path((id, assessment))) = ids else {
        return Refusal::not_found(v.tr, "risk.not_found", "").page(v.tr);
    };
    act(
        &state,
        &v,
        &id,
        false,
        body,
        Failed::Decide,
        async |p, f| {
            decide(
                &state,
                &v,
                p,
                &assessment,
                form_first(f, "decision"),
                form_first(f, "note"),
            )
            .await
        },
    )
    .await
}

/// A launch as posted.
fn launch_from(p: &[(String, String)]) -> LaunchDraft {
    LaunchDraft {
        launched_on: form_first(p, "launched_on").into(),
        override_gate: !form_first(p, "override_gate").is_empty(),
        reason: form_first(p, "reason").into(),
    }
}

pub(super) async fn launch_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return Refusal::not_found(v.tr, "risk.not_found", "").page(v.tr);
    };
    act(&state, &v, &id, true, body, Failed::Launch, async |p, f| {
        launch(&state, &v, p, posted_version(f), &launch_from(f)).await
    })
    .await
}

pub(super) async fn cancel_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return Refusal::not_found(v.tr, "risk.not_found", "").page(v.tr);
    };
    act(&state, &v, &id, true, body, Failed::Cancel, async |p, f| {
        cancel(&state, &v, p, posted_version(f), form_first(f, "reason")).await
    })
    .await
}
