//! Entering and changing platforms: the form pages, and the operations the API shares with
//! them. Every change is checked by the core first (each problem at its field), then made in
//! one transaction that brings the obligations in step.

use super::*;

/// The platform a form of its page posts to, if the viewer may change it.
pub(super) fn target(v: &Viewer, id: Result<Path<String>, Rejected>) -> Result<Platform, Refusal> {
    let Path(id) = id.map_err(Refusal::from)?;
    writable(v, &id).cloned()
}

fn check(
    v: &Viewer,
    draft: &PlatformDraft,
    existing: Option<&Platform>,
    today: NaiveDate,
) -> Result<PlatformFields, Refused> {
    let terms = PlatformTerms::of([&v.snap.pack]);
    check_platform(draft, existing, &v.snap.model, &terms, today, v.tr.lang())
        .map_err(Refused::Fields)
}

/// Enters a new platform for an org the viewer keeps the registry of.
pub(super) async fn enter(
    state: &AppState,
    v: &Viewer,
    draft: &PlatformDraft,
) -> Result<(Platform, usize), Refused> {
    let tr = v.tr;
    let m = &v.snap.model;
    if let Some(o) = m.find_org(draft.org.trim())
        && !v.can(Permission::ManagePlatforms, Some(&o.id))
    {
        return Err(Refused::Other(if v.can(Permission::ReadOrg, Some(&o.id)) {
            Refusal::forbidden(tr)
        } else {
            Refusal::not_found(tr, "platforms.org_not_found", &draft.org)
        }));
    }
    let fields = check(v, draft, None, state.today())?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx.add_platform(&fields, &v.snap.set, m).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &fields.code)))?;
    let _ = state.caught_up().await;
    Ok((out.0, out.1.added))
}

/// Edits platform `p` from `version`.
pub(super) async fn change(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    version: i64,
    draft: &PlatformDraft,
) -> Result<Platform, Refused> {
    let tr = v.tr;
    let fields = check(v, draft, Some(p), state.today())?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx
            .edit_platform(&p.id, version, &fields, &v.snap.set, &v.snap.model)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?;
    let _ = state.caught_up().await;
    Ok(out.0)
}

/// Moves platform `p` one step from `version`.
pub(super) async fn step(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    version: i64,
    draft: &TransitionDraft,
) -> Result<PlatformLifecycle, Refused> {
    let tr = v.tr;
    let lang = tr.lang();
    let life = state
        .db
        .platform_lifecycle(&p.id)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?;
    let t = check_transition(life.state, life.since, draft, state.today(), lang)
        .map_err(Refused::Fields)?;
    if t.to == PlatformState::Registered {
        let r = &life.registration;
        let reg = RegistrationDraft {
            icp: r.icp.clone().unwrap_or_default(),
            account_id: r.account_id.clone().unwrap_or_default(),
            registered_on: r.registered_on.map(date).unwrap_or_default(),
            registering_body: r.registering_body.clone().unwrap_or_default(),
        };
        if let Err(mut errors) = check_registration(p.kind, &reg, true, state.today(), lang) {
            errors.insert(
                0,
                (
                    "to".into(),
                    tr.t("platforms.error.register_first").to_string(),
                ),
            );
            return Err(Refused::Fields(errors));
        }
    }
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx
            .move_platform(&p.id, version, draft, &v.snap.set, &v.snap.model, lang)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?;
    let _ = state.caught_up().await;
    Ok(out.0)
}

/// Saves how platform `p` is registered, from `version`.
pub(super) async fn register(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    version: i64,
    draft: &RegistrationDraft,
) -> Result<PlatformLifecycle, Refused> {
    let tr = v.tr;
    let lang = tr.lang();
    let complete = p.state != PlatformState::Planned;
    check_registration(p.kind, draft, complete, state.today(), lang).map_err(Refused::Fields)?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx
            .save_registration(&p.id, version, draft, &v.snap.set, lang)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?;
    let _ = state.caught_up().await;
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// Pages
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platforms_form.html")]
pub(super) struct PlatformFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) editing: bool,
    pub(super) org_name: String,
    pub(super) orgs: Vec<(String, String, String)>,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) portfolios: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) draft: PlatformDraft,
    pub(super) version: i64,
    pub(super) errors: FieldErrors,
}

impl PlatformFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "code",
            "name",
            "kind",
            "org",
            "portfolio",
            "opened_on",
            "operators",
            "state",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    pub(super) fn label(&self, field: &str) -> String {
        if field == "kind" {
            return self.tr.t("platforms.col.kind").to_string();
        }
        zeren_core::records::field_label(field, self.tr.lang()).to_string()
    }

    pub(super) fn operates(&self, id: &str) -> bool {
        self.draft.operators.iter().any(|o| o == id)
    }
}

/// Renders the form of a new platform (`editing` is `None`) or of an edit.
fn form(
    state: &AppState,
    v: &Viewer,
    editing: Option<(&Platform, i64)>,
    draft: PlatformDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let org_id = editing
        .map(|(p, _)| p.org.clone())
        .or_else(|| m.find_org(draft.org.trim()).map(|o| o.id.clone()))
        .unwrap_or_default();
    let people = m
        .people_within(&org_id)
        .map(|p| {
            let org = m.org(&p.org).map(|o| o.name.as_str()).unwrap_or_default();
            (p.id.clone(), format!("{}（{org}）", p.name))
        })
        .take(2000)
        .collect();
    let today = state.today();
    let (action, cancel) = match editing {
        Some((p, _)) => (
            with_lang(&format!("/platforms/{}/edit", encode(&p.id)), tr),
            platform_href(&p.id, tr),
        ),
        None => (with_lang("/platforms/new", tr), with_lang("/platforms", tr)),
    };
    page(
        status,
        &PlatformFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action,
            cancel,
            editing: editing.is_some(),
            org_name: m.org(&org_id).map(|o| o.name.clone()).unwrap_or_default(),
            orgs: managed_orgs(v, today)
                .into_iter()
                .map(|(id, name)| {
                    let code = m.org(&id).map(|o| o.code.clone()).unwrap_or_default();
                    (
                        code.clone(),
                        name,
                        href_with("/platforms/new", &[("org", code)], tr),
                    )
                })
                .collect(),
            kinds: kind_choices(v),
            portfolios: portfolios(v),
            people,
            draft,
            version: editing.map(|(_, n)| n).unwrap_or_default(),
            errors,
        },
    )
}

/// Query of the new platform form.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub(super) org: Option<String>,
}

pub(super) async fn new_platform_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let m = &v.snap.model;
    let managed = managed_orgs(&v, state.today());
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => match m.find_org(c) {
            Some(o) if managed.iter().any(|(id, _)| *id == o.id) => o.code.clone(),
            Some(o) if v.can(Permission::ReadOrg, Some(&o.id)) => {
                return Refusal::forbidden(tr).page(tr);
            }
            _ => return Refusal::not_found(tr, "platforms.org_not_found", c).page(tr),
        },
        None => managed
            .first()
            .and_then(|(id, _)| m.org(id))
            .map(|o| o.code.clone())
            .unwrap_or_default(),
    };
    let draft = PlatformDraft {
        org,
        opened_on: date(state.today()),
        state: "planned".into(),
        ..PlatformDraft::default()
    };
    form(&state, &v, None, draft, Vec::new(), StatusCode::OK)
}

fn draft_from(pairs: &[(String, String)]) -> PlatformDraft {
    PlatformDraft {
        code: form_first(pairs, "code").into(),
        name: form_first(pairs, "name").into(),
        kind: form_first(pairs, "kind").into(),
        org: form_first(pairs, "org").into(),
        portfolio: form_first(pairs, "portfolio").into(),
        news_function: form_first(pairs, "news_function") == "on",
        opened_on: form_first(pairs, "opened_on").into(),
        operators: form_all(pairs, "operators"),
        state: form_first(pairs, "state").into(),
    }
}

pub(super) async fn create_platform_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let draft = draft_from(&posted_pairs(body));
    match enter(&state, &v, &draft).await.map_err(Refused::on_page) {
        Ok((p, _)) => redirect(&platform_href(&p.id, tr)),
        Err(Ok((errors, status))) => form(&state, &v, None, draft, errors, status),
        Err(Err(r)) => r.page(tr),
    }
}

pub(super) async fn edit_platform_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let p = match target(&v, id) {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let version = match state.db.platform_lifecycle(&p.id).await {
        Ok(l) => l.version,
        Err(e) => return storage_refusal(tr, e, &p.id).page(tr),
    };
    let draft = PlatformDraft {
        code: p.code.clone(),
        name: p.name.clone(),
        kind: p.kind.as_str().into(),
        org: p.org.clone(),
        portfolio: p.portfolio.clone().unwrap_or_default(),
        news_function: p.news_function,
        opened_on: date(p.opened_on),
        operators: p.operators.clone(),
        state: p.state.as_str().into(),
    };
    form(
        &state,
        &v,
        Some((&p, version)),
        draft,
        Vec::new(),
        StatusCode::OK,
    )
}

pub(super) async fn edit_platform_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let p = match target(&v, id) {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let mut draft = draft_from(&pairs);
    draft.code = p.code.clone();
    draft.kind = p.kind.as_str().into();
    draft.org = p.org.clone();
    match change(&state, &v, &p, version, &draft)
        .await
        .map_err(Refused::on_page)
    {
        Ok(p) => redirect(&platform_href(&p.id, tr)),
        Err(Ok((errors, status))) => form(&state, &v, Some((&p, version)), draft, errors, status),
        Err(Err(r)) => r.page(tr),
    }
}

pub(super) async fn step_platform_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let p = match target(&v, id) {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let draft = TransitionDraft {
        to: form_first(&pairs, "to").into(),
        on: form_first(&pairs, "on").into(),
        reason: form_first(&pairs, "reason").into(),
    };
    let refused = match step(&state, &v, &p, posted_version(&pairs), &draft).await {
        Ok(_) => return redirect(&format!("{}#life", platform_href(&p.id, tr))),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    platform_view(&state, &v, &p, draft, None, errors, status).await
}

pub(super) async fn registration_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let p = match target(&v, id) {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let draft = RegistrationDraft {
        icp: form_first(&pairs, "icp").into(),
        account_id: form_first(&pairs, "account_id").into(),
        registered_on: form_first(&pairs, "registered_on").into(),
        registering_body: form_first(&pairs, "registering_body").into(),
    };
    let refused = match register(&state, &v, &p, posted_version(&pairs), &draft).await {
        Ok(_) => return redirect(&format!("{}#registration", platform_href(&p.id, tr))),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    platform_view(
        &state,
        &v,
        &p,
        TransitionDraft::default(),
        Some(draft),
        errors,
        status,
    )
    .await
}
