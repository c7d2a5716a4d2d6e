//! One platform's page: its fields, registration, responsible leader, operators, every step of
//! its life and the obligations about it; the forms for its next step and its registration.

use super::*;

/// A step as shown.
pub struct StepView {
    pub on: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

/// An obligation about the platform or one of its operators, as shown.
pub struct DutyView {
    pub href: String,
    pub duty: String,
    pub about: String,
    pub period: String,
    pub due: String,
    pub status: &'static str,
    pub status_name: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "platforms_detail.html")]
pub(super) struct PlatformPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) list_href: String,
    pub(super) name: String,
    pub(super) code: String,
    pub(super) kind: String,
    pub(super) website: bool,
    pub(super) org: String,
    pub(super) org_href: String,
    pub(super) portfolio: String,
    pub(super) leader: Option<(String, String)>,
    pub(super) who_href: Option<String>,
    pub(super) news: bool,
    pub(super) opened_on: String,
    pub(super) closed_on: Option<String>,
    pub(super) state: &'static str,
    pub(super) state_name: String,
    pub(super) since: String,
    pub(super) registration: Vec<(String, String)>,
    pub(super) operators: Vec<String>,
    pub(super) steps: Vec<StepView>,
    pub(super) duties: Vec<DutyView>,
    pub(super) version: i64,
    pub(super) can_write: bool,
    pub(super) edit_href: String,
    pub(super) step_action: String,
    pub(super) registration_action: String,
    pub(super) next: Vec<(String, String)>,
    pub(super) step: TransitionDraft,
    pub(super) reg: RegistrationDraft,
    pub(super) errors: FieldErrors,
    pub(super) review_href: Option<String>,
    pub(super) reviews: Vec<ReviewView>,
    pub(super) rectifications: Vec<RectificationView>,
    pub(super) upkeep: Option<WebsiteView>,
}

impl PlatformPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "to",
            "on",
            "reason",
            "icp",
            "account_id",
            "registered_on",
            "registering_body",
            "approver",
            "reviewers",
            "date",
            "kind",
            "note",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    pub(super) fn label(&self, field: &str) -> String {
        zeren_core::records::field_label(field, self.tr.lang()).to_string()
    }
}

/// The obligations about a platform and about its operators' training, newest year first.
pub(super) async fn duties_of(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
) -> Result<Vec<StoredObligation>, StorageError> {
    let mut out = state
        .db
        .obligations_about(SubjectKind::Platform, &p.id)
        .await?;
    let operator_duties: Vec<&str> = v
        .snap
        .pack
        .duties
        .iter()
        .filter(|d| matches!(d.subject, zeren_core::policy::Subject::Operator { .. }))
        .map(|d| d.id.as_str())
        .collect();
    for op in &p.operators {
        out.extend(
            state
                .db
                .obligations_about(SubjectKind::Person, op)
                .await?
                .into_iter()
                .filter(|o| operator_duties.contains(&o.duty.as_str())),
        );
    }
    Ok(out)
}

pub(super) fn duty_view(v: &Viewer, o: &StoredObligation, today: NaiveDate) -> DutyView {
    let tr = v.tr;
    let m = &v.snap.model;
    let status = status_of(v, o, today).as_str();
    DutyView {
        href: with_lang(&format!("/obligations/{}", encode(&o.id)), tr),
        duty: v
            .snap
            .pack
            .duty(&o.duty)
            .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
            .unwrap_or_else(|| o.duty.clone()),
        about: if o.subject_kind == "person" {
            person_name(m, &o.subject)
        } else {
            String::new()
        },
        period: if o.period == "once" {
            tr.t("platforms.period.once").to_string()
        } else {
            o.period.clone()
        },
        due: date(o.due),
        status,
        status_name: tr.t(&format!("status.{status}")).to_string(),
        note: o.completion_note.clone().unwrap_or_default(),
    }
}

/// Renders the page of `p` (read again from the database for its steps and version), with
/// the drafts and problems of a form that was refused.
pub(super) async fn platform_view(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    step: TransitionDraft,
    reg: Option<RegistrationDraft>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    let loaded = async {
        Ok::<_, StorageError>((
            state.db.platform_lifecycle(&p.id).await?,
            duties_of(state, v, p).await?,
            review_views(state, v, p).await?,
            website_view(state, v, p).await?,
        ))
    }
    .await;
    let (life, duties, (reviews, rectifications), upkeep) = match loaded {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, &p.id).page(tr),
    };
    let r = &life.registration;
    let mut registration = Vec::new();
    if let Some(icp) = &r.icp {
        registration.push((tr.t("platforms.reg.icp").to_string(), icp.clone()));
    }
    if let Some(a) = &r.account_id {
        registration.push((tr.t("platforms.reg.account_id").to_string(), a.clone()));
    }
    if let Some(d) = r.registered_on {
        registration.push((tr.t("platforms.reg.registered_on").to_string(), date(d)));
    }
    if let Some(b) = &r.registering_body {
        registration.push((
            tr.t("platforms.reg.registering_body").to_string(),
            b.clone(),
        ));
    }
    let reg = reg.unwrap_or_else(|| RegistrationDraft {
        icp: r.icp.clone().unwrap_or_default(),
        account_id: r.account_id.clone().unwrap_or_default(),
        registered_on: r.registered_on.map(date).unwrap_or_default(),
        registering_body: r.registering_body.clone().unwrap_or_default(),
    });
    let org = m.org(&p.org);
    page(
        status,
        &PlatformPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            list_href: href_with(
                "/platforms",
                &[("org", org.map(|o| o.code.as_str()).unwrap_or_default())],
                tr,
            ),
            name: p.name.clone(),
            code: p.code.clone(),
            kind: platform_kind_name(tr, &v.snap.pack, p.kind),
            website: p.kind.is_website(),
            org: org.map(|o| o.name.clone()).unwrap_or_default(),
            org_href: with_lang(&format!("/orgs/{}", encode(&p.org)), tr),
            portfolio: p
                .portfolio
                .as_deref()
                .map(|id| {
                    portfolios(v)
                        .into_iter()
                        .find(|(pid, _)| pid == id)
                        .map(|(_, n)| n)
                        .unwrap_or_else(|| id.to_string())
                })
                .unwrap_or_default(),
            leader: responsible_leader(v, p, today).map(|(_, name, post)| (name, post)),
            who_href: match (org, p.portfolio.as_deref()) {
                (Some(o), Some(portfolio)) => Some(href_with(
                    "/who",
                    &[
                        ("org", o.code.as_str()),
                        ("portfolio", portfolio),
                        ("at", &date(today)),
                    ],
                    tr,
                )),
                _ => None,
            },
            news: p.news_function,
            opened_on: date(p.opened_on),
            closed_on: p.closed_on.map(date),
            state: life.state.as_str(),
            state_name: state_name(tr, life.state),
            since: date(life.since),
            registration,
            operators: p.operators.iter().map(|o| person_name(m, o)).collect(),
            steps: life
                .steps
                .iter()
                .rev()
                .map(|s| StepView {
                    on: date(s.on),
                    from: state_name(tr, s.from),
                    to: state_name(tr, s.to),
                    reason: s.reason.clone(),
                    by: s.made_by.clone(),
                    at: minute(s.made_at),
                })
                .collect(),
            duties: duties.iter().map(|o| duty_view(v, o, today)).collect(),
            version: life.version,
            can_write: v.can(Permission::ManagePlatforms, Some(&p.org)),
            edit_href: with_lang(&format!("/platforms/{}/edit", encode(&p.id)), tr),
            step_action: with_lang(&format!("/platforms/{}/steps", encode(&p.id)), tr),
            registration_action: with_lang(
                &format!("/platforms/{}/registration", encode(&p.id)),
                tr,
            ),
            next: life
                .state
                .next()
                .iter()
                .map(|s| (s.as_str().to_string(), state_name(tr, *s)))
                .collect(),
            step: if step.on.is_empty() {
                TransitionDraft {
                    on: date(today),
                    ..step
                }
            } else {
                step
            },
            reg,
            errors,
            review_href: (v.can(Permission::ManagePlatforms, Some(&p.org))
                && p.active_from.is_some()
                && life.state != PlatformState::Closed)
                .then(|| with_lang(&format!("/platforms/{}/review", encode(&p.id)), tr)),
            reviews,
            rectifications,
            upkeep,
        },
    )
}

pub(super) async fn platform_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match id {
        Ok(Path(id)) => id,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let p = match readable(&v, &id) {
        Ok(p) => p.clone(),
        Err(r) => return r.page(tr),
    };
    platform_view(
        &state,
        &v,
        &p,
        TransitionDraft::default(),
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}
