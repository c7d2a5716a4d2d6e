//! My channels.

use super::*;

#[derive(Template)]
#[template(path = "notify_settings.html")]
pub(super) struct SettingsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) linked: bool,
    pub(super) email: String,
    pub(super) email_enabled: bool,
    pub(super) version: i64,
    pub(super) saved: bool,
    pub(super) errors: Vec<(String, String)>,
}

impl SettingsPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        crate::shared::format::field_errors(&self.errors, "form")
    }
}

/// The settings form.
#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub(super) email: String,
    pub(super) email_enabled: Option<String>,
    #[serde(default)]
    pub(super) version: String,
}

/// Query of the settings page.
#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub(super) saved: Option<String>,
}

/// `GET /notifications/settings`.
pub(super) async fn settings_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<SavedQuery>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let current = match &v.user.person {
        Some(p) => match state.db.person_channels(p).await {
            Ok(c) => Some(c),
            Err(e) => return storage_page(tr, &e),
        },
        None => None,
    };
    page(
        StatusCode::OK,
        &SettingsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            csrf: v.csrf().to_string(),
            linked: current.is_some(),
            email: current
                .as_ref()
                .and_then(|c| c.email.clone())
                .unwrap_or_default(),
            email_enabled: current.as_ref().is_none_or(|c| c.email_enabled),
            version: current.as_ref().map(|c| c.version).unwrap_or(0),
            saved: q.saved.is_some(),
            errors: Vec::new(),
        },
    )
}

/// Saves a person's channels; the error names the field.
pub(super) async fn save_settings(
    state: &AppState,
    v: &Viewer,
    email: &str,
    enabled: bool,
    version: i64,
) -> Result<zeren_storage::repo::notify::PersonChannels, (String, ApiError)> {
    let tr = v.tr;
    let Some(person) = &v.user.person else {
        return Err((
            "form".into(),
            ApiError::new(ErrorCode::Validation, tr.t("notify.error.no_person").into()),
        ));
    };
    let email = check_email(tr, email).map_err(|e| ("email".to_string(), e))?;
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    let saved = tx
        .put_person_channels(person, email.as_deref(), enabled, version)
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    tx.commit()
        .await
        .map_err(|e| ("form".to_string(), storage_api(tr, e)))?;
    Ok(saved)
}

/// `POST /notifications/settings`.
pub(super) async fn settings_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let f = form.map(|Form(f)| f).unwrap_or_default();
    let enabled = f.email_enabled.is_some();
    let render = |status: StatusCode, errors: Vec<(String, String)>, f: &SettingsForm| {
        page(
            status,
            &SettingsPage {
                frame: Frame::of(&state, Some(&v)),
                tr,
                csrf: v.csrf().to_string(),
                linked: v.user.person.is_some(),
                email: f.email.clone(),
                email_enabled: enabled,
                version: f.version.trim().parse().unwrap_or(0),
                saved: false,
                errors,
            },
        )
    };
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let msg = tr.tf(
            "notify.error.field",
            &[
                ("field", "version"),
                ("message", tr.t("notify.error.version")),
            ],
        );
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("form".into(), msg)],
            &f,
        );
    };
    match save_settings(&state, &v, &f.email, enabled, version).await {
        Ok(_) => redirect("/notifications/settings?saved=1"),
        Err((field, e)) => render(e.code.status(), vec![(field, e.message)], &f),
    }
}

/// `GET /api/v1/notifications/settings`.
pub(super) async fn api_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(Refusal::api)?;
    let Some(person) = &v.user.person else {
        return Ok(Json(
            json!({"email": null, "email_enabled": false, "version": 0, "linked": false}),
        ));
    };
    let c = state
        .db
        .person_channels(person)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(
        json!({"email": c.email, "email_enabled": c.email_enabled, "version": c.version, "linked": true}),
    ))
}

/// Body of `PUT /api/v1/notifications/settings`.
#[derive(Deserialize)]
pub struct SettingsBody {
    pub(super) email: Option<String>,
    pub(super) email_enabled: bool,
    pub(super) version: i64,
}

/// `PUT /api/v1/notifications/settings`.
pub(super) async fn api_put_settings(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<SettingsBody>, Rejected>,
) -> Result<Json<Value>, ApiError> {
    business(&v).map_err(Refusal::api)?;
    let b = body.get()?;
    let c = save_settings(
        &state,
        &v,
        b.email.as_deref().unwrap_or(""),
        b.email_enabled,
        b.version,
    )
    .await
    .map_err(|(_, e)| e)?;
    Ok(Json(
        json!({"email": c.email, "email_enabled": c.email_enabled, "version": c.version, "linked": true}),
    ))
}
