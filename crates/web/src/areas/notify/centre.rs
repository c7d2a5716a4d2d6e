//! The notification centre.

use super::*;

#[derive(Template)]
#[template(path = "notify.html")]
pub(super) struct CentrePage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) linked: bool,
    pub(super) rows: Vec<NoteRow>,
    pub(super) unread: i64,
    pub(super) only_unread: bool,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) manage: Vec<(String, String)>,
}

/// Query of the centre.
#[derive(Deserialize, Default)]
pub struct CentreQuery {
    pub(super) unread: Option<String>,
    pub(super) page: Option<String>,
}

pub(super) fn pager_href(base: &str, only_unread: bool, page: i64, tr: Tr) -> String {
    let mut q = vec![format!("page={page}")];
    if only_unread {
        q.push("unread=1".into());
    }
    if tr.is_explicit() {
        q.push(format!("lang={}", if tr.is_en() { "en" } else { "zh" }));
    }
    format!("{base}?{}", q.join("&"))
}

/// The orgs whose robots and delivery log the viewer manages (the roots of their scopes).
pub(super) fn managed_roots(v: &Viewer) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .principal
        .scopes(Permission::ManageReminders)
        .into_iter()
        .filter_map(|id| v.snap.model.org(id))
        .map(|o| (format!("/orgs/{}/notify", o.code), o.name.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `GET /notifications` — my notifications.
pub(super) async fn centre_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Query(q): Query<CentreQuery>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    let only_unread = q.unread.as_deref() == Some("1");
    let page_no = page_number(q.page.as_deref()).unwrap_or(1);
    let (rows, unread, total) = match &v.user.person {
        Some(person) => {
            let db = &state.db;
            let list = db
                .notifications(person, only_unread, PER_PAGE, (page_no - 1) * PER_PAGE)
                .await;
            let unread = db.notification_count(person, true).await;
            let total = db.notification_count(person, only_unread).await;
            match (list, unread, total) {
                (Ok(l), Ok(u), Ok(t)) => (l.iter().map(|n| note_row(tr, n)).collect(), u, t),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_page(tr, &e),
            }
        }
        None => (Vec::new(), 0, 0),
    };
    let prev = (page_no > 1).then(|| pager_href("/notifications", only_unread, page_no - 1, tr));
    let next = (page_no * PER_PAGE < total)
        .then(|| pager_href("/notifications", only_unread, page_no + 1, tr));
    page(
        StatusCode::OK,
        &CentrePage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            csrf: v.csrf().to_string(),
            linked: v.user.person.is_some(),
            rows,
            unread,
            only_unread,
            prev,
            next,
            manage: managed_roots(&v),
        },
    )
}

/// `POST /notifications/{id}/read`.
pub(super) async fn read_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    Path(id): Path<String>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    match mark_read(&state, &v, &id).await {
        Ok(()) => redirect("/notifications"),
        Err(e) if e.code == ErrorCode::NotFound => error_page(
            tr,
            ErrorCode::NotFound,
            "notify.error.not_found_title",
            e.message,
        ),
        Err(e) => error_page(tr, e.code, "error.internal.title", e.message),
    }
}

/// `POST /notifications/read-all`.
pub(super) async fn read_all_submit(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
) -> Response {
    let tr = v.tr;
    if let Err(r) = business(&v) {
        return r.page(tr);
    }
    match mark_all(&state, &v).await {
        Ok(_) => redirect("/notifications"),
        Err(e) => error_page(tr, e.code, "error.internal.title", e.message),
    }
}

pub(super) async fn mark_read(state: &AppState, v: &Viewer, id: &str) -> Result<(), ApiError> {
    let tr = v.tr;
    let not_found = || {
        ApiError::new(
            ErrorCode::NotFound,
            tr.t("notify.error.note_not_found").into(),
        )
    };
    let Some(person) = &v.user.person else {
        return Err(not_found());
    };
    let note = state
        .db
        .notification(person, id)
        .await
        .map_err(|e| storage_api(tr, e))?
        .ok_or_else(not_found)?;
    if note.read_at.is_some() {
        return Ok(());
    }
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.mark_read(person, id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))
}

pub(super) async fn mark_all(state: &AppState, v: &Viewer) -> Result<u64, ApiError> {
    let tr = v.tr;
    let Some(person) = &v.user.person else {
        return Ok(0);
    };
    let mut tx = state
        .db
        .begin(&v.actor(), state.clock.now())
        .await
        .map_err(|e| storage_api(tr, e))?;
    let n = tx
        .mark_all_read(person)
        .await
        .map_err(|e| storage_api(tr, e))?;
    tx.commit().await.map_err(|e| storage_api(tr, e))?;
    Ok(n)
}

/// `GET /api/v1/notifications`.
pub(super) async fn api_notifications(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Query(q): Query<CentreQuery>,
) -> Result<Json<Value>, ApiError> {
    let tr = v.tr;
    business(&v).map_err(Refusal::api)?;
    let only_unread = match q.unread.as_deref().map(str::trim) {
        None | Some("") | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(invalid(tr, "unread", tr.t("notify.error.unread"))),
    };
    let page_no = page_number(q.page.as_deref())
        .ok_or_else(|| invalid(tr, "page", tr.t("notify.error.page")))?;
    let Some(person) = &v.user.person else {
        return Ok(Json(
            json!({"unread": 0, "total": 0, "page": page_no, "items": []}),
        ));
    };
    let db = &state.db;
    let list = db
        .notifications(person, only_unread, PER_PAGE, (page_no - 1) * PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let unread = db
        .notification_count(person, true)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let total = db
        .notification_count(person, only_unread)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(json!({
        "unread": unread,
        "total": total,
        "page": page_no,
        "items": list.iter().map(|n| note_json(tr, n)).collect::<Vec<_>>(),
    })))
}

/// `POST /api/v1/notifications/{id}/read`.
pub(super) async fn api_read(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    business(&v).map_err(Refusal::api)?;
    mark_read(&state, &v, &id).await?;
    Ok(Json(json!({"id": id, "unread": false})))
}

/// `POST /api/v1/notifications/read-all`.
pub(super) async fn api_read_all(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    business(&v).map_err(Refusal::api)?;
    let n = mark_all(&state, &v).await?;
    Ok(Json(json!({"read": n})))
}
