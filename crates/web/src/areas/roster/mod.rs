//! The roster (组织机构/人员/任职 名册): the org tree, people, posts, holdings and portfolio
//! assignments in one workbook (or CSV files), imported after a preview and exported as the
//! same template.
//!
//! - `GET /roster` — the page: the template, the export, and the upload form.
//! - `POST /roster/preview` — an upload (multipart): what importing it would create, change,
//!   end and leave alone, or every problem at its cell (`人员!B7`); nothing is written. The
//!   file is kept (by its SHA-256, under the files directory) for the confirmation.
//! - `POST /roster/import` — the confirmation: the kept file is read and planned again against
//!   the model as it is now, and written in one transaction, or nothing is.
//! - `GET /roster/template.xlsx`, `GET /roster/export.xlsx` — the template, and the roster of
//!   the orgs the viewer manages.
//! - `POST /api/v1/roster` (multipart, `?dry_run=true`) — the same for scripts.
//!
//! Only accounts that manage orgs use these (ManageOrg: a secretary, an `org-admin`), and only
//! for rows of orgs they manage; an org outside their reach reads as one that does not exist.

use crate::AppState;
use crate::shared::auth::{ApiViewer, PageViewer, Viewer, redirect};
use crate::shared::csrf::CsrfMultipart;
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{Input, Query, Rejected};
use crate::shared::frame::{Frame, error_page, forbidden_page, page};
use crate::shared::i18n::Tr;
use crate::shared::limits::{PartRefused, skip_text_part};
use crate::shared::routes::{Describe, Routes};
use askama::Template;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Multipart, State};
use axum::handler::Handler;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use zeren_core::access::Permission;
use zeren_core::org::roster::{
    At, Plan, Roster, RosterError, RosterProblem, Sheet, plan_with_platforms,
};

mod catalog;
mod messages;

pub use catalog::CATALOG;
pub use messages::{problem_message, step_line};

/// A problem of a roster told in `lang` (for the command line).
pub fn problem_text(
    lang: zeren_core::Lang,
    pack: &zeren_core::policy::PolicyPack,
    p: &RosterProblem,
) -> String {
    problem_message(Tr::preferred(lang), pack, p)
}

/// A line of an import's plan told in `lang` (for the command line).
pub fn step_text(
    lang: zeren_core::Lang,
    pack: &zeren_core::policy::PolicyPack,
    m: &zeren_core::org::OrgModel,
    p: &zeren_core::org::roster::Planned,
) -> String {
    let (what, text) = step_line(Tr::preferred(lang), pack, m, p);
    format!("{what} {text}")
}

/// Lines of a preview shown on the page (the counts cover every row).
const SHOWN_STEPS: usize = 500;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Page routes of this area.
pub fn page_routes() -> Routes {
    Routes::pages()
        .get(
            "/roster",
            Describe::auth(
                "roster",
                "The roster: template, export and the upload of a filled one",
            ),
            roster_page,
        )
        .post(
            "/roster/preview",
            Describe::auth(
                "roster",
                "Preview importing a roster (multipart: an xlsx workbook or CSV files, field `file`); writes nothing",
            )
            .multipart(),
            preview_page.layer(DefaultBodyLimit::disable()),
        )
        .post(
            "/roster/import",
            Describe::auth(
                "roster",
                "Import a previewed roster (form: the file's `sha256`), all of it or nothing",
            ),
            import_submit,
        )
        .get(
            "/roster/template.xlsx",
            Describe::auth("roster", "The roster template with one example row a sheet"),
            template_download,
        )
        .get(
            "/roster/export.xlsx",
            Describe::auth(
                "roster",
                "The roster of the orgs the caller manages, as the template",
            ),
            export_download,
        )
}

/// API routes of this area (paths relative to `/api/v1`).
pub fn api_routes() -> Routes {
    Routes::api("/api/v1").post(
        "/roster",
        Describe::auth(
            "roster",
            "Import a roster (multipart: an xlsx workbook or CSV files named by sheet, field `file`): {counts, steps} or 422 {problems}; `?dry_run=true` writes nothing",
        )
        .query(&[("dry_run", "true: only plan and answer what would change")])
        .multipart(),
        api_import.layer(DefaultBodyLimit::disable()),
    )
}

/// The files of an upload: (name, bytes).
type Files = Vec<(String, Vec<u8>)>;

/// Why an upload could not be read as a roster: messages in the user's language.
type Refused = Vec<String>;

/// Reads the `file` parts of a multipart body, refusing more than the roster crate reads.
async fn files_of(
    tr: Tr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Files, Refused> {
    let unreadable = || vec![tr.t("roster.error.upload").to_string()];
    let mut multipart = multipart.map_err(|_| unreadable())?;
    let mut files = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.file_name().is_none() {
            skip_text_part(&mut field, tr).await.map_err(|e| match e {
                PartRefused::Unreadable => unreadable(),
                PartRefused::TooLong(r) => vec![r.message],
            })?;
            continue;
        }
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("roster.xlsx").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            total += chunk.len();
            if total > zeren_roster::MAX_BYTES {
                return Err(vec![tr.tf(
                    "roster.error.too_large",
                    &[("mb", &(zeren_roster::MAX_BYTES / 1024 / 1024).to_string())],
                )]);
            }
            bytes.extend_from_slice(&chunk);
        }
        if !bytes.is_empty() {
            files.push((name, bytes));
        }
    }
    if files.is_empty() {
        return Err(vec![tr.t("roster.error.no_file").to_string()]);
    }
    Ok(files)
}

/// The roster in `files`: one xlsx workbook, or CSV files named by sheet.
fn read(tr: Tr, files: &Files) -> Result<Roster, Refused> {
    let is_csv = files
        .iter()
        .all(|(n, _)| n.to_ascii_lowercase().ends_with(".csv"));
    let read = match (is_csv, files.as_slice()) {
        (true, _) => zeren_roster::read_csv(files),
        (false, [(_, bytes)]) => zeren_roster::read_xlsx(bytes),
        (false, _) => return Err(vec![tr.t("roster.error.one_workbook").to_string()]),
    };
    read.map_err(|problems| problems.iter().map(|p| p.message(tr.lang())).collect())
}

/// The cells naming orgs the viewer does not manage, told as orgs that do not exist (an org
/// outside the viewer's reach reads as one that does not exist). A new org of the file counts
/// as managed when its parent is.
fn out_of_reach(v: &Viewer, roster: &Roster) -> Vec<RosterProblem> {
    let m = &v.snap.model;
    let new_parents: std::collections::HashMap<&str, Option<&str>> = roster
        .orgs
        .iter()
        .filter(|o| {
            m.find_org(&o.code.value)
                .is_none_or(|x| x.code != o.code.value)
        })
        .map(|o| {
            (
                o.code.value.as_str(),
                o.parent.as_ref().map(|p| p.value.as_str()),
            )
        })
        .collect();
    let managed = |code: &str| -> bool {
        let mut cur = Some(code);
        for _ in 0..=new_parents.len() {
            let Some(c) = cur else { return false };
            if let Some(o) = m.find_org(c).filter(|o| o.code == c) {
                return v.can(Permission::ManageOrg, Some(&o.id));
            }
            match new_parents.get(c) {
                Some(parent) => cur = *parent,
                // Neither stored nor in the file: the plan says it does not exist.
                None => return true,
            }
        }
        false
    };
    let mut cells: Vec<(&str, At)> = Vec::new();
    for o in &roster.orgs {
        cells.push((&o.code.value, o.code.at));
        if let Some(p) = &o.parent {
            cells.push((&p.value, p.at));
        }
    }
    cells.extend(
        roster
            .people
            .iter()
            .map(|r| (r.org.value.as_str(), r.org.at)),
    );
    cells.extend(
        roster
            .posts
            .iter()
            .map(|r| (r.org.value.as_str(), r.org.at)),
    );
    cells.extend(
        roster
            .holdings
            .iter()
            .map(|r| (r.org.value.as_str(), r.org.at)),
    );
    cells.extend(
        roster
            .assignments
            .iter()
            .map(|r| (r.org.value.as_str(), r.org.at)),
    );
    cells.extend(
        roster
            .platforms
            .iter()
            .map(|r| (r.org.value.as_str(), r.org.at)),
    );
    cells
        .into_iter()
        .filter(|(code, _)| !managed(code))
        .map(|(_, at)| RosterProblem {
            at,
            error: RosterError::UnknownOrg,
        })
        .collect()
}

/// The plan of a roster for the viewer, or its problems told.
async fn plan_for(state: &AppState, v: &Viewer, roster: &Roster) -> Result<Plan, Refused> {
    let tr = v.tr;
    let pack = &v.snap.pack;
    let tell = |problems: Vec<RosterProblem>| -> Refused {
        problems
            .iter()
            .map(|p| problem_message(tr, pack, p))
            .collect()
    };
    let mut reach = out_of_reach(v, roster);
    if !reach.is_empty() {
        reach.sort_by_key(|p| p.at);
        return Err(tell(reach));
    }
    let people = state
        .db
        .roster_people()
        .await
        .map_err(|_| vec![tr.t("roster.error.storage").to_string()])?;
    let platforms = state
        .db
        .roster_platforms()
        .await
        .map_err(|_| vec![tr.t("roster.error.storage").to_string()])?;
    plan_with_platforms(pack, &v.snap.model, &people, &platforms, roster).map_err(tell)
}

/// Whether the viewer manages any org (the roster's pages are theirs).
fn manages_some(v: &Viewer) -> bool {
    v.principal.can_somewhere(Permission::ManageOrg)
}

// ------------------------------------------------------------------------------------------
// Pages
// ------------------------------------------------------------------------------------------

/// A line of the preview's counts: (sheet title, created, changed, ended, unchanged).
pub(super) struct CountRow {
    sheet: &'static str,
    created: usize,
    changed: usize,
    ended: usize,
    unchanged: usize,
}

#[derive(Template)]
#[template(path = "roster.html")]
pub(super) struct RosterPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    /// After an import: how many changes were written.
    done: Option<usize>,
    /// A preview: the counts, the lines shown and how many more there are.
    counts: Vec<CountRow>,
    lines: Vec<(String, String)>,
    more: usize,
    /// The previewed file to confirm (its SHA-256), when it has no problems and changes something.
    confirm: Option<String>,
    /// Whether a preview was made (with no change, it says so).
    previewed: bool,
    problems: Vec<String>,
}

fn roster_view(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    view: impl FnOnce(&mut RosterPage),
) -> Response {
    let mut p = RosterPage {
        frame: Frame::of(state, Some(v)),
        tr: v.tr,
        csrf: v.csrf().to_string(),
        done: None,
        counts: Vec::new(),
        lines: Vec::new(),
        more: 0,
        confirm: None,
        previewed: false,
        problems: Vec::new(),
    };
    view(&mut p);
    page(status, &p)
}

fn counts_of(plan: &Plan) -> Vec<CountRow> {
    Sheet::ALL
        .into_iter()
        .map(|s| {
            let c = plan.counts(s);
            CountRow {
                sheet: s.title(),
                created: c.created,
                changed: c.changed,
                ended: c.ended,
                unchanged: c.unchanged,
            }
        })
        .collect()
}

/// Query of the roster page.
#[derive(Deserialize, Default)]
pub struct RosterQuery {
    done: Option<String>,
}

/// `GET /roster`
async fn roster_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<RosterQuery>, Rejected>,
) -> Response {
    if !manages_some(&v) {
        return forbidden_page(v.tr);
    }
    let done = q
        .ok()
        .and_then(|Query(q)| q.done)
        .and_then(|d| d.parse().ok());
    roster_view(&state, &v, StatusCode::OK, |p| p.done = done)
}

/// Where previewed files wait for their confirmation.
fn kept_path(state: &AppState, sha: &str) -> Option<std::path::PathBuf> {
    let ok = sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let dir = state.db.files_dir()?;
    ok.then(|| dir.join("roster").join(format!("{sha}.json")))
}

/// Keeps the files of a preview; answers their SHA-256.
async fn keep(state: &AppState, files: &Files) -> std::io::Result<String> {
    let encoded: Vec<(&str, String)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), data_encoding::BASE64.encode(b)))
        .collect();
    let body = serde_json::to_vec(&encoded).unwrap_or_default();
    let sha = hex_of(&Sha256::digest(&body));
    let Some(path) = kept_path(state, &sha) else {
        return Err(std::io::Error::other("no files directory"));
    };
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
        forget_old(dir).await;
    }
    tokio::fs::write(&path, body).await?;
    Ok(sha)
}

/// How long a previewed file waits for its confirmation.
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes the previewed files nobody confirmed within [`KEPT_FOR`], so that uploads never
/// confirmed do not fill the disk.
async fn forget_old(dir: &std::path::Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(e)) = entries.next_entry().await {
        let old = e
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > KEPT_FOR);
        if old {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn kept(state: &AppState, sha: &str) -> Option<Files> {
    let body = tokio::fs::read(kept_path(state, sha)?).await.ok()?;
    let encoded: Vec<(String, String)> = serde_json::from_slice(&body).ok()?;
    encoded
        .into_iter()
        .map(|(n, b)| {
            data_encoding::BASE64
                .decode(b.as_bytes())
                .ok()
                .map(|b| (n, b))
        })
        .collect()
}

/// `POST /roster/preview`
async fn preview_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Response {
    let tr = v.tr;
    if !manages_some(&v) {
        return forbidden_page(tr);
    }
    let refused = |problems: Refused| {
        roster_view(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, |p| {
            p.previewed = true;
            p.problems = problems;
        })
    };
    let files = match files_of(tr, multipart).await {
        Ok(f) => f,
        Err(problems) => return refused(problems),
    };
    let roster = match read(tr, &files) {
        Ok(r) => r,
        Err(problems) => return refused(problems),
    };
    let plan = match plan_for(&state, &v, &roster).await {
        Ok(p) => p,
        Err(problems) => return refused(problems),
    };
    let confirm = if plan.is_empty() {
        None
    } else {
        match keep(&state, &files).await {
            Ok(sha) => Some(sha),
            Err(e) => {
                tracing::error!(error = %e, "roster upload not kept");
                return refused(vec![tr.t("roster.error.storage").to_string()]);
            }
        }
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    roster_view(&state, &v, StatusCode::OK, |p| {
        p.previewed = true;
        p.counts = counts_of(&plan);
        p.lines = plan
            .steps
            .iter()
            .take(SHOWN_STEPS)
            .map(|s| step_line(tr, pack, m, s))
            .collect();
        p.more = plan.steps.len().saturating_sub(SHOWN_STEPS);
        p.confirm = confirm;
    })
}

/// The confirmation of a preview.
#[derive(Deserialize, Default)]
pub struct ImportForm {
    #[serde(default)]
    sha256: String,
}

/// `POST /roster/import`
async fn import_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<Form<ImportForm>, FormRejection>,
) -> Response {
    let tr = v.tr;
    if !manages_some(&v) {
        return forbidden_page(tr);
    }
    let refused = |problems: Refused| {
        roster_view(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, |p| {
            p.previewed = true;
            p.problems = problems;
        })
    };
    let sha = form.map(|Form(f)| f.sha256).unwrap_or_default();
    let Some(files) = kept(&state, sha.trim()).await else {
        return refused(vec![tr.t("roster.error.expired").to_string()]);
    };
    // Planned again: the model may have changed since the preview.
    let plan = match read(tr, &files) {
        Ok(roster) => plan_for(&state, &v, &roster).await,
        Err(problems) => Err(problems),
    };
    let plan = match plan {
        Ok(p) => p,
        Err(problems) => return refused(problems),
    };
    match state
        .db
        .import_roster(&v.actor(), state.clock.now(), &v.snap.pack, &plan)
        .await
    {
        Ok(done) => {
            if let Some(path) = kept_path(&state, sha.trim()) {
                let _ = tokio::fs::remove_file(path).await;
            }
            redirect(&format!(
                "/roster?done={}{}",
                done.steps,
                tr.qs().replace('?', "&")
            ))
        }
        Err(e) => {
            tracing::warn!(error = %e, "roster import refused");
            // A rule broken by a change made since the preview says which; a failure of the
            // database says nothing of its internals.
            let reason = match e.code() {
                "invalid" | "duplicate" | "version_conflict" | "not_found" => e.to_string(),
                _ => tr.t("roster.error.storage").to_string(),
            };
            refused(vec![tr.tf("roster.error.refused", &[("reason", &reason)])])
        }
    }
}

fn xlsx_response(bytes: Vec<u8>, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"roster.xlsx\"; filename*=UTF-8''{}",
        crate::shared::urls::encode(name)
    );
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(XLSX)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn write_failed(tr: Tr, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "roster workbook not written");
    error_page(
        tr,
        ErrorCode::Internal,
        "roster.title",
        tr.t("roster.error.write").to_string(),
    )
}

/// `GET /roster/template.xlsx`
async fn template_download(PageViewer(v): PageViewer) -> Response {
    if !manages_some(&v) {
        return forbidden_page(v.tr);
    }
    match zeren_roster::template() {
        Ok(bytes) => xlsx_response(bytes, &format!("{}.xlsx", v.tr.t("roster.template_name"))),
        Err(e) => write_failed(v.tr, e),
    }
}

/// `GET /roster/export.xlsx`: the rows of the orgs the viewer manages.
async fn export_download(State(state): State<AppState>, PageViewer(v): PageViewer) -> Response {
    let tr = v.tr;
    if !manages_some(&v) {
        return forbidden_page(tr);
    }
    let people = match state.db.roster_people().await {
        Ok(p) => p,
        Err(e) => return write_failed(tr, e),
    };
    let platforms = match state.db.roster_platforms().await {
        Ok(p) => p,
        Err(e) => return write_failed(tr, e),
    };
    let m = &v.snap.model;
    let mut roster = zeren_core::org::roster::roster_with_platforms(m, &people, &platforms);
    let managed = |code: &str| {
        m.find_org(code)
            .is_some_and(|o| v.can(Permission::ManageOrg, Some(&o.id)))
    };
    roster.orgs.retain(|r| managed(&r.code.value));
    roster.people.retain(|r| managed(&r.org.value));
    roster.posts.retain(|r| managed(&r.org.value));
    roster.holdings.retain(|r| managed(&r.org.value));
    roster.assignments.retain(|r| managed(&r.org.value));
    roster.platforms.retain(|r| managed(&r.org.value));
    match zeren_roster::write_xlsx(&roster) {
        Ok(bytes) => xlsx_response(
            bytes,
            &format!("{}{}.xlsx", tr.t("roster.export_name"), state.today()),
        ),
        Err(e) => write_failed(tr, e),
    }
}

/// Query of `POST /api/v1/roster`.
#[derive(Deserialize, Default)]
pub struct ApiImportQuery {
    #[serde(default)]
    dry_run: Option<String>,
}

/// `POST /api/v1/roster`
async fn api_import(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ApiImportQuery>, Rejected>,
    CsrfMultipart(multipart): CsrfMultipart,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    if !manages_some(&v) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            tr.t("error.forbidden").to_string(),
        ));
    }
    let q = q.get()?;
    let dry_run = match q.dry_run.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::Validation,
                tr.t("roster.error.dry_run").to_string(),
            ));
        }
    };
    let problems = |problems: Refused| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {"code": "invalid_input", "message": problems.first().cloned().unwrap_or_default()}, "problems": problems})),
        )
            .into_response()
    };
    let files = match files_of(tr, multipart).await {
        Ok(f) => f,
        Err(p) => return Ok(problems(p)),
    };
    let plan = match read(tr, &files) {
        Ok(roster) => plan_for(&state, &v, &roster).await,
        Err(p) => Err(p),
    };
    let plan = match plan {
        Ok(p) => p,
        Err(p) => return Ok(problems(p)),
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let counts: serde_json::Map<String, serde_json::Value> = Sheet::ALL
        .into_iter()
        .map(|s| {
            let c = plan.counts(s);
            (
                s.stem().to_string(),
                json!({"created": c.created, "changed": c.changed, "ended": c.ended, "unchanged": c.unchanged}),
            )
        })
        .collect();
    let steps: Vec<String> = plan
        .steps
        .iter()
        .map(|s| {
            let (what, text) = step_line(tr, pack, m, s);
            format!("{what} {text}")
        })
        .collect();
    if !dry_run && !plan.is_empty() {
        state
            .db
            .import_roster(&v.actor(), state.clock.now(), pack, &plan)
            .await
            .map_err(|e| ApiError::from_storage(e, tr, ErrorCode::NotFound, "roster"))?;
    }
    Ok(Json(json!({"dry_run": dry_run, "counts": counts, "steps": steps})).into_response())
}
