//! A website's upkeep on its page and through the API: its content-responsibility arrangements
//! (who approves publication, the three reviewers of 三审三校) and its maintenance log.

use super::*;
use zeren_core::platforms::website::{
    ContentDraft, LOG_KINDS, LogDraft, WebsiteRules, check_content, check_log, log_gap,
};

/// What the platform page shows of a website's upkeep.
pub struct WebsiteView {
    pub approver: String,
    pub reviewers: Vec<String>,
    pub content_version: i64,
    pub content: ContentDraft,
    pub log: Vec<(String, String, String, String)>,
    pub gap: Option<String>,
    pub kinds: Vec<(String, String)>,
    pub people: Vec<(String, String)>,
    pub three_reviews: bool,
    pub content_action: String,
    pub log_action: String,
    pub today: String,
}

fn rules(v: &Viewer) -> WebsiteRules {
    v.snap.pack.website_maintenance.clone().unwrap_or_default()
}

/// The upkeep of website `p`, as its page shows it (`None` for other kinds).
pub(super) async fn website_view(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
) -> Result<Option<WebsiteView>, StorageError> {
    if p.kind != PlatformKind::Website {
        return Ok(None);
    }
    let people = platform_people(v, p);
    let tr = v.tr;
    let m = &v.snap.model;
    let content = state.db.website_content(&p.id).await?;
    let log = state.db.website_log(&p.id, 20).await?;
    let today = state.today();
    let gap = log_gap(p, log.first().map(|l| l.entry.date), &rules(v), today)
        .map(|days| tr.tf("platforms.website.gap", &[("days", &days.to_string())]));
    Ok(Some(WebsiteView {
        approver: content
            .as_ref()
            .map(|c| person_name(m, &c.content.approver))
            .unwrap_or_default(),
        reviewers: content
            .as_ref()
            .map(|c| {
                c.content
                    .reviewers
                    .iter()
                    .map(|r| person_name(m, r))
                    .collect()
            })
            .unwrap_or_default(),
        content_version: content.as_ref().map_or(0, |c| c.version),
        content: content
            .map(|c| ContentDraft {
                approver: c.content.approver,
                reviewers: c.content.reviewers,
            })
            .unwrap_or_default(),
        log: log
            .into_iter()
            .map(|l| {
                (
                    date(l.entry.date),
                    tr.t(&format!("platforms.website.kind.{}", l.entry.kind))
                        .to_string(),
                    l.entry.note,
                    l.created_by,
                )
            })
            .collect(),
        gap,
        kinds: LOG_KINDS
            .iter()
            .map(|k| {
                (
                    k.to_string(),
                    tr.t(&format!("platforms.website.kind.{k}")).to_string(),
                )
            })
            .collect(),
        people,
        three_reviews: rules(v).three_reviews,
        content_action: with_lang(&format!("/platforms/{}/content", encode(&p.id)), tr),
        log_action: with_lang(&format!("/platforms/{}/maintenance", encode(&p.id)), tr),
        today: date(today),
    }))
}

/// Sets the arrangements of a website the viewer keeps.
async fn set_content(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    version: i64,
    d: &ContentDraft,
) -> Result<i64, Refused> {
    let tr = v.tr;
    let c = check_content(d, p, &rules(v), &v.snap.model, tr.lang()).map_err(Refused::Fields)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let n = tx.set_website_content(&p.id, version, &c).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(n)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))
}

/// Appends a log entry to a website the viewer keeps.
async fn add_log(state: &AppState, v: &Viewer, p: &Platform, d: &LogDraft) -> Result<(), Refused> {
    let tr = v.tr;
    let entry = check_log(d, p, state.today(), tr.lang()).map_err(Refused::Fields)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        tx.add_website_log(&p.id, &entry).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(())
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))
}

pub(super) async fn content_page(
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
    let draft = ContentDraft {
        approver: form_first(&pairs, "approver").into(),
        reviewers: (1..=3)
            .map(|n| form_first(&pairs, &format!("reviewer{n}")).to_string())
            .collect(),
    };
    let version = form_first(&pairs, "version").trim().parse().unwrap_or(-1);
    match set_content(&state, &v, &p, version, &draft).await {
        Ok(_) => redirect(&format!("{}#website", platform_href(&p.id, tr))),
        Err(r) => match r.on_page() {
            Ok((errors, status)) => {
                platform_view(
                    &state,
                    &v,
                    &p,
                    TransitionDraft::default(),
                    None,
                    errors,
                    status,
                )
                .await
            }
            Err(r) => r.page(tr),
        },
    }
}

pub(super) async fn maintenance_page(
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
    let draft = LogDraft {
        date: form_first(&pairs, "date").into(),
        kind: form_first(&pairs, "kind").into(),
        note: form_first(&pairs, "note").into(),
    };
    match add_log(&state, &v, &p, &draft).await {
        Ok(()) => redirect(&format!("{}#website", platform_href(&p.id, tr))),
        Err(r) => match r.on_page() {
            Ok((errors, status)) => {
                platform_view(
                    &state,
                    &v,
                    &p,
                    TransitionDraft::default(),
                    None,
                    errors,
                    status,
                )
                .await
            }
            Err(r) => r.page(tr),
        },
    }
}

/// `GET /api/v1/platforms/{id}/maintenance`
pub(super) async fn api_maintenance(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = readable(&v, &id).map_err(Refusal::api)?.clone();
    let (content, log) = async {
        Ok::<_, StorageError>((
            state.db.website_content(&p.id).await?,
            state.db.website_log(&p.id, 1000).await?,
        ))
    }
    .await
    .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let gap = log_gap(
        &p,
        log.first().map(|l| l.entry.date),
        &rules(&v),
        state.today(),
    );
    Ok(Json(json!({
        "platform": p.id,
        "content": content.map(|c| json!({"approver": c.content.approver, "reviewers": c.content.reviewers, "version": c.version})),
        "log": log.iter().map(|l| json!({"id": l.id, "date": date(l.entry.date), "kind": l.entry.kind, "note": l.entry.note, "by": l.created_by})).collect::<Vec<_>>(),
        "days_without_log": gap,
    }))
    .into_response())
}

/// Arrangements through the API.
#[derive(Deserialize)]
pub struct ContentBody {
    #[serde(default)]
    version: i64,
    #[serde(flatten)]
    content: ContentDraft,
}

/// `PUT /api/v1/platforms/{id}/content`
pub(super) async fn api_content(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<ContentBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(b) = body?;
    let version = set_content(&state, &v, &p, b.version, &b.content)
        .await
        .map_err(|r| r.api(tr))?;
    Ok(Json(json!({"platform": p.id, "version": version})).into_response())
}

/// `POST /api/v1/platforms/{id}/maintenance`
pub(super) async fn api_add_log(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<LogDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(d) = body?;
    add_log(&state, &v, &p, &d).await.map_err(|r| r.api(tr))?;
    Ok(StatusCode::CREATED.into_response())
}
