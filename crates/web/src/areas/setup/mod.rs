//! First run: on an installation without orgs, the account the security administrator
//! designated as the first org administrator (the founder) creates the root org — the
//! university party committee — and becomes its org administrator, in one transaction. The
//! security administrator enters no business data (三员分立); `zeren init --org-code` does the
//! same from the command line.

use crate::AppState;
use crate::shared::access::Refusal;
use crate::shared::auth::{FOUNDER_SETTING, Founder, PageViewer, Viewer, redirect};
use crate::shared::error::ErrorCode;
use crate::shared::frame::{Frame, page};
use crate::shared::i18n::Tr;
use crate::shared::routes::{Describe, Routes};
use crate::shared::urls::encode;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use zeren_core::access::Role;
use zeren_core::org::is_code;
use zeren_core::vocab::OrgKind;
use zeren_storage::{NewOrg, StorageError};

mod catalog;

pub use catalog::CATALOG;

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/setup",
            Describe::auth(
                "setup",
                "First run: the designated first org administrator creates the root org (only while no org exists)",
            ),
            setup_page,
        )
        .post(
            "/setup",
            Describe::auth(
                "setup",
                "Create the root org and become its org administrator (the designated founder, while no org exists)",
            ),
            setup_submit,
        )
}

/// The form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

type FieldErrors = Vec<(&'static str, String)>;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    form: SetupForm,
    errors: FieldErrors,
}

impl SetupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// What answers instead of the page, unless the viewer may found the tree now: once an org
/// exists the page has done its work (to the orgs); anyone but the founder is refused.
fn turned_away(v: &Viewer) -> Option<Response> {
    let tr = v.tr;
    if !v.snap.model.orgs().is_empty() {
        return Some(redirect(&format!("/orgs{}", tr.qs())));
    }
    if !v.snap.may_found(&v.user.id) {
        return Some(
            Refusal::new(
                ErrorCode::Forbidden,
                tr.t("setup.error.not_founder").to_string(),
            )
            .page(tr),
        );
    }
    None
}

fn render(
    state: &AppState,
    v: &Viewer,
    form: SetupForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    page(
        status,
        &SetupPage {
            frame: Frame::of(state, Some(v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            form,
            errors,
        },
    )
}

/// `GET /setup`
async fn setup_page(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    if let Some(r) = turned_away(&v) {
        return r;
    }
    render(&state, &v, SetupForm::default(), Vec::new(), StatusCode::OK)
}

/// The root org asked for, or the fields' errors.
fn check(tr: Tr, form: &SetupForm) -> Result<NewOrg, FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = form.code.trim();
    if !is_code(code) {
        errors.push(("code", tr.tf("orgs.error.code", &[("code", code)])));
    }
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(("name", tr.t("orgs.error.name").to_string()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewOrg {
        code: code.to_string(),
        name: name.to_string(),
        kind: OrgKind::University,
        parent: None,
        established_on: None,
    })
}

/// `POST /setup`: the root org, the founder's org-admin grant on it, the designation spent —
/// one transaction; a second founding (two tabs) finds the designation changed and stops.
async fn setup_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<SetupForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if let Some(r) = turned_away(&v) {
        return r;
    }
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let new = match check(tr, &form) {
        Ok(n) => n,
        Err(errors) => return render(&state, &v, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let founded = async {
        let version = state
            .db
            .setting::<Founder>(FOUNDER_SETTING)
            .await?
            .map_or(0, |(_, version)| version);
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let root = tx.create_org(new).await?;
        tx.grant(&v.user, Role::OrgAdmin, &root.id, &v.user.username)
            .await?;
        tx.put_setting(FOUNDER_SETTING, &Founder { user: None }, version)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(root)
    }
    .await;
    match founded {
        Ok(root) => redirect(&format!("/orgs/{}/start{}", encode(&root.code), tr.qs())),
        Err(StorageError::Duplicate { key, .. }) => render(
            &state,
            &v,
            form,
            vec![("code", tr.tf("orgs.error.duplicate", &[("key", &key)]))],
            StatusCode::CONFLICT,
        ),
        // Founded meanwhile (another tab): the tree is there.
        Err(StorageError::Conflict { .. }) => redirect(&format!("/orgs{}", tr.qs())),
        Err(e) => {
            Refusal::storage(tr, e, "setup.error.conflict", || Refusal::forbidden(tr)).page(tr)
        }
    }
}
