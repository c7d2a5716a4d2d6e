//! Loading a new policy version from the browser: upload the pack, see what it would change —
//! its text against the version it supersedes, and the ledger's obligations added, withdrawn,
//! replanned and moved to another person, per org and duty — and only then adopt it. Nothing is
//! stored before "adopt"; what is adopted is parsed and checked again, as `zeren policy load`.

use super::views::{DiffView, PolicyRow};
use crate::AppState;
use crate::shared::auth::{PageViewer, Viewer, redirect};
use crate::shared::csrf::CsrfMultipart;
use crate::shared::error::{ErrorCode, classify};
use crate::shared::extract::{Query, Rejected};
use crate::shared::frame::{Frame, forbidden_page, page, storage_error_page};
use crate::shared::i18n::Tr;
use crate::shared::limits::{PartRefused, skip_text_part};
use crate::shared::urls::{form_pairs, href_with};
use askama::Template;
use axum::extract::rejection::RawFormRejection;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::Response;
use sha2::{Digest, Sha256};
use zeren_core::access::Permission;
use zeren_core::policy::{Action, Impact, PolicyPack, parse_pack};
use zeren_storage::StorageError;

/// The largest pack taken, in bytes (a pack is some tens of kilobytes): what one form field
/// carries back to "adopt".
pub const PACK_MAX: usize = crate::shared::limits::FIELD_MAX;

#[derive(Template)]
#[template(path = "policy_load.html")]
struct LoadPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    /// Why the upload cannot be loaded, each located (`FILE:LINE:COL: message`).
    problems: Vec<String>,
    preview: Option<Preview>,
    /// The version just loaded: (title, document number, version).
    loaded: Option<(String, String, u32)>,
    /// Every version loaded, as the landing page lists them.
    policies: Vec<PolicyRow>,
}

/// What adopting an uploaded version would do.
struct Preview {
    id: String,
    title: String,
    document_number: String,
    version: u32,
    effective_from: String,
    /// The version it supersedes, as shown; `None` for a new system.
    supersedes: Option<String>,
    /// Its text and entries against that version.
    d: Option<DiffView>,
    /// The years the ledger keeps.
    years: String,
    /// Per org and duty: what happens to the obligations.
    ledger: Vec<ImpactRow>,
    /// Some changes happen at the next synchronisation whether or not it is adopted.
    pending: bool,
    /// The pack, carried to "adopt" (checked again there).
    source: String,
    /// Its SHA-256, shown so the committee can tell it is the file they voted on.
    sha256: String,
}

/// What one duty's obligations in one org undergo.
struct ImpactRow {
    org: String,
    duty: String,
    /// (action, how many), only actions that happen.
    counts: Vec<(String, usize)>,
    /// One line per obligation changed and per responsibility moved.
    lines: Vec<String>,
}

fn may_load(v: &Viewer) -> bool {
    v.principal.can_somewhere(Permission::LoadPolicy)
}

fn view(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    problems: Vec<String>,
    preview: Option<Preview>,
) -> Response {
    page(
        status,
        &LoadPage {
            frame: Frame::of(state, Some(v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            problems,
            preview,
            loaded: None,
            policies: Vec::new(),
        },
    )
}

/// `?loaded=`: the version just loaded, to confirm.
#[derive(serde::Deserialize, Default)]
pub struct LoadedQuery {
    loaded: Option<String>,
}

/// `GET /policies/load[?loaded=ID]` — the upload form (after loading, with its confirmation).
pub async fn load_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<LoadedQuery>, Rejected>,
) -> Response {
    if !may_load(&v) {
        return forbidden_page(v.tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    // Only a version that is loaded is confirmed.
    let loaded = q
        .loaded
        .as_deref()
        .and_then(|id| v.snap.set.get(id))
        .map(|p| {
            (
                p.meta.title.clone(),
                p.meta.document_number.clone(),
                p.meta.version,
            )
        });
    page(
        StatusCode::OK,
        &LoadPage {
            frame: Frame::of(&state, Some(&v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            problems: Vec::new(),
            preview: None,
            loaded,
            policies: v
                .snap
                .policies
                .iter()
                .map(|p| PolicyRow::new(p, &v.snap.set, state.clock.today(), v.tr))
                .collect(),
        },
    )
}

/// The uploaded pack: (file name, text), or why it cannot be read.
async fn uploaded(tr: Tr, form: CsrfMultipart) -> Result<(String, String), String> {
    let unreadable = || tr.t("policy.load.unreadable").to_string();
    let mut multipart = form.0.map_err(|_| unreadable())?;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.file_name().is_none() {
            skip_text_part(&mut field, tr).await.map_err(|e| match e {
                PartRefused::Unreadable => unreadable(),
                PartRefused::TooLong(r) => r.message,
            })?;
            continue;
        }
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("policy.toml").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > PACK_MAX {
                return Err(tr.tf(
                    "policy.load.too_large",
                    &[("kb", &(PACK_MAX / 1024).to_string())],
                ));
            }
        }
        if bytes.is_empty() {
            break;
        }
        let text =
            String::from_utf8(bytes).map_err(|_| tr.t("policy.load.not_utf8").to_string())?;
        return Ok((name, normalised(&text)));
    }
    Err(tr.t("policy.load.no_file").to_string())
}

/// The pack, or each of its problems located in `name`.
fn parsed(tr: Tr, name: &str, source: &str) -> Result<PolicyPack, Vec<String>> {
    parse_pack(source).map_err(|diags| diags.iter().map(|d| d.render(name, tr.lang())).collect())
}

/// `POST /policies/load` — the preview of an uploaded version; stores nothing.
pub async fn preview(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: CsrfMultipart,
) -> Response {
    let tr = v.tr;
    if !may_load(&v) {
        return forbidden_page(tr);
    }
    let refused = |problems| view(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, problems, None);
    let (name, source) = match uploaded(tr, form).await {
        Ok(x) => x,
        Err(problem) => return refused(vec![problem]),
    };
    let pack = match parsed(tr, &name, &source) {
        Ok(p) => p,
        Err(problems) => return refused(problems),
    };
    // Told in the user's language here; loading checks again against what is stored.
    if let Err(e) = v.snap.set.admits(&pack) {
        return refused(vec![e.message(tr.lang())]);
    }
    let today = state.clock.today();
    let impact = match state.db.policy_impact(&pack, today).await {
        Ok(i) => i,
        Err(StorageError::Invalid(message)) => return refused(vec![message]),
        Err(e) => return storage_error_page(tr, classify(&e, ErrorCode::Internal)),
    };
    let preview = preview_of(&v, &pack, &impact, source, today);
    view(&state, &v, StatusCode::OK, Vec::new(), Some(preview))
}

fn preview_of(
    v: &Viewer,
    pack: &PolicyPack,
    impact: &Impact,
    source: String,
    today: chrono::NaiveDate,
) -> Preview {
    let tr = v.tr;
    let lang = tr.lang();
    let set = &v.snap.set;
    let d = match (&impact.diff, Impact::superseded(set, pack)) {
        (Some(diff), Some(old)) => Some(DiffView::new(diff, &old.meta, &pack.meta, set, today, tr)),
        _ => None,
    };
    let ledger = impact
        .ledger
        .duties
        .iter()
        .map(|di| ImpactRow {
            org: di.org_name.clone(),
            duty: format!("{}（{}）", di.title_in(lang), di.duty),
            counts: Action::ALL
                .iter()
                .map(|a| (a.label(lang).to_string(), di.count(*a)))
                .filter(|(_, n)| *n > 0)
                .chain(
                    (!di.moves.is_empty())
                        .then(|| (tr.t("policy.load.moves").to_string(), di.moves.len())),
                )
                .collect(),
            lines: di
                .changes
                .iter()
                .map(|c| c.describe(lang))
                .chain(di.moves.iter().map(|m| m.describe(lang)))
                .collect(),
        })
        .collect();
    Preview {
        id: pack.meta.id.clone(),
        title: pack.meta.title.clone(),
        document_number: pack.meta.document_number.clone(),
        version: pack.meta.version,
        effective_from: pack.meta.effective_from.to_string(),
        supersedes: impact
            .supersedes
            .as_ref()
            .map(|s| format!("{} {}（{}）", s.document_number, s.id, s.effective_from)),
        d,
        years: impact
            .ledger
            .years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
        pending: impact
            .ledger
            .duties
            .iter()
            .any(|d| d.changes.iter().any(|c| c.pending)),
        sha256: hex(&Sha256::digest(source.as_bytes())),
        source,
        ledger,
    }
}

/// The text with LF line ends: a form sends its fields back with CRLF, so what is previewed and
/// what is adopted are compared (and stored) this way.
fn normalised(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /policies/adopt` — loads the version previewed (form: `source`, `sha256`): parsed
/// and checked again; the obligations follow at the next synchronisation (seconds).
pub async fn adopt(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if !may_load(&v) {
        return forbidden_page(tr);
    }
    let refused = |problems| view(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, problems, None);
    let Ok(RawForm(body)) = form else {
        return refused(vec![tr.t("policy.load.no_file").to_string()]);
    };
    let pairs = form_pairs(&body);
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let source = normalised(&field("source"));
    if source.trim().is_empty() {
        return refused(vec![tr.t("policy.load.no_file").to_string()]);
    }
    // The file the committee saw: a changed text is previewed again, not adopted blind.
    if hex(&Sha256::digest(source.as_bytes())) != field("sha256") {
        return refused(vec![tr.t("policy.load.changed").to_string()]);
    }
    let pack = match parsed(tr, "policy.toml", &source) {
        Ok(p) => p,
        Err(problems) => return refused(problems),
    };
    // Told in the user's language here; loading checks again against what is stored.
    if let Err(e) = v.snap.set.admits(&pack) {
        return refused(vec![e.message(tr.lang())]);
    }
    let loaded = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.load_policy(&pack, &source, false).await?;
        tx.commit().await?;
        // The confirmation (and every page after it) sees the new version.
        state.caught_up().await
    }
    .await;
    match loaded {
        Ok(()) => redirect(&href_with(
            "/policies/load",
            &[("loaded", pack.meta.id.as_str())],
            tr,
        )),
        Err(StorageError::Invalid(message)) => refused(vec![message]),
        Err(e) => storage_error_page(tr, classify(&e, ErrorCode::Internal)),
    }
}
