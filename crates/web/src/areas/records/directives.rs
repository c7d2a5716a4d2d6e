//! Directives from higher levels and their supervised tasks (pages).

use super::*;

/// Query of the directive list.
#[derive(Deserialize, Default)]
pub struct DirectivesQuery {
    pub(super) org: Option<String>,
    pub(super) page: Option<String>,
}

/// One directive in a list.
pub struct DirectiveRow {
    /// Link.
    pub href: String,
    /// Received.
    pub received: String,
    /// 文号.
    pub number: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Org name.
    pub org: String,
}

#[derive(Template)]
#[template(path = "records_directives.html")]
pub(super) struct DirectivesPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) rows: Vec<DirectiveRow>,
    pub(super) page_label: String,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) new_href: Option<String>,
}

pub(super) async fn directive_list(
    state: &AppState,
    v: &Viewer,
    q: &DirectivesQuery,
) -> Result<(Vec<Directive>, i64, i64, String), ApiError> {
    let tr = v.tr;
    let page_no = parse_page(tr, q.page.as_deref())?;
    let (orgs, code) = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => {
            let org = org_to_read(v, c).map_err(Refusal::api)?;
            (
                v.snap
                    .model
                    .subtree(&org.id)
                    .iter()
                    .map(|o| o.id.clone())
                    .collect::<Vec<_>>(),
                org.code.clone(),
            )
        }
        None => (readable_orgs(v), String::new()),
    };
    let (list, total) = state
        .db
        .directives(&orgs, (page_no - 1) * PER_PAGE, PER_PAGE)
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok((list, total, page_no, code))
}

pub(super) async fn directives_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DirectivesQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (list, total, page_no, code) = match directive_list(&state, &v, &q).await {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, e),
    };
    let m = &v.snap.model;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        href_with(
            "/records/directives",
            &[("org", &code), ("page", &n.to_string())],
            tr,
        )
    };
    page(
        StatusCode::OK,
        &DirectivesPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            rows: list
                .iter()
                .map(|d| DirectiveRow {
                    href: directive_href(&d.id, tr),
                    received: date(d.received_on),
                    number: d.document_number.clone(),
                    title: d.title.clone(),
                    issuer: d.issuer.clone(),
                    org: org_name(m, &d.org),
                })
                .collect(),
            page_label: tr.tf(
                "records.page",
                &[
                    ("page", &page_no.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: (page_no < pages).then(|| link(page_no + 1)),
            new_href: v
                .principal
                .can_somewhere(Permission::KeepRecords)
                .then(|| href_with("/records/directives/new", &[("org", &code)], tr)),
        },
    )
}

#[derive(Template)]
#[template(path = "records_directive_form.html")]
pub(super) struct DirectiveFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) draft: DirectiveDraft,
    pub(super) errors: FieldErrors,
}

impl DirectiveFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "org",
            "issuer",
            "document_number",
            "received_on",
            "title",
            "content",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    pub(super) fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }
}

/// Orgs the viewer registers directives for, as (id, name), parents first.
pub(super) fn writable_orgs(v: &Viewer, today: NaiveDate) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut out: Vec<(String, String)> = Vec::new();
    for root in v.principal.scopes(Permission::KeepRecords) {
        for o in m.subtree(root) {
            if keeps_directives(v, &o.id, today) && !out.iter().any(|(id, _)| *id == o.id) {
                out.push((o.id.clone(), o.name.clone()));
            }
        }
    }
    out
}

pub(super) fn directive_form(
    state: &AppState,
    v: &Viewer,
    draft: DirectiveDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    page(
        status,
        &DirectiveFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: with_lang("/records/directives/new", tr),
            cancel: with_lang("/records/directives", tr),
            orgs: writable_orgs(v, state.today()),
            draft,
            errors,
        },
    )
}

pub(super) async fn new_directive_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DirectivesQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            match org_to_write(
                &v,
                code,
                Some(&EvidenceOf::Builtin(EvidenceKind::DirectiveReport)),
                state.today(),
            ) {
                Ok(o) => o.id.clone(),
                Err(r) => return r.page(tr),
            }
        }
        None => default_org(&v, Permission::KeepRecords)
            .map(|o| o.id.clone())
            .unwrap_or_default(),
    };
    let draft = DirectiveDraft {
        org,
        received_on: date(state.today()),
        ..DirectiveDraft::default()
    };
    directive_form(&state, &v, draft, Vec::new(), StatusCode::OK)
}

pub(super) fn directive_from_form(pairs: &[(String, String)]) -> DirectiveDraft {
    DirectiveDraft {
        org: first(pairs, "org").into(),
        issuer: first(pairs, "issuer").into(),
        document_number: first(pairs, "document_number").into(),
        received_on: first(pairs, "received_on").into(),
        title: first(pairs, "title").into(),
        content: first(pairs, "content").into(),
    }
}

/// Registers a directive: the org must be one the viewer keeps records for.
pub(super) async fn register_directive(
    state: &AppState,
    v: &Viewer,
    draft: &DirectiveDraft,
) -> Result<(Directive, usize), Result<FieldErrors, ApiError>> {
    let tr = v.tr;
    let lang = tr.lang();
    if !draft.org.trim().is_empty() {
        org_to_write(
            v,
            &draft.org,
            Some(&EvidenceOf::Builtin(EvidenceKind::DirectiveReport)),
            state.today(),
        )
        .map_err(|r| Err(r.api()))?;
    }
    validate_directive(draft, &v.snap.model, state.today(), lang).map_err(Ok)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx
            .create_directive(draft, &v.snap.model, &v.snap.set, lang)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))
}

pub(super) async fn create_directive_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let draft = directive_from_form(&form_pairs(&raw(form)));
    match register_directive(&state, &v, &draft).await {
        Ok((d, _)) => redirect(&directive_href(&d.id, tr)),
        Err(Ok(errors)) => {
            directive_form(&state, &v, draft, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(Err(e)) if matches!(e.code, ErrorCode::Forbidden | ErrorCode::NotFound) => {
            api_error_page(tr, e)
        }
        Err(Err(e)) => {
            let status = e.code.status();
            directive_form(&state, &v, draft, vec![("form".into(), e.message)], status)
        }
    }
}

/// A task as shown.
pub struct TaskView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner's name.
    pub owner: String,
    /// Deadline.
    pub deadline: String,
    /// `open`, `overdue` or `done`.
    pub status: &'static str,
    /// Status in words.
    pub status_name: String,
    /// Reports, oldest first.
    pub reports: Vec<ReportView>,
    /// Where its report form posts.
    pub report_action: String,
}

/// A report as shown.
pub struct ReportView {
    /// Kind in words.
    pub kind: String,
    /// Day.
    pub date: String,
    /// Text.
    pub content: String,
    /// Who wrote it.
    pub by: String,
}

#[derive(Template)]
#[template(path = "records_directive.html")]
pub(super) struct DirectivePage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) d: Directive,
    pub(super) org: String,
    pub(super) received: String,
    pub(super) obligations: Vec<ObligationLink>,
    pub(super) report_href: Option<String>,
    pub(super) tasks: Vec<TaskView>,
    pub(super) can_write: bool,
    pub(super) task_action: String,
    pub(super) people: Vec<(String, String)>,
    pub(super) today: String,
    pub(super) task_draft: TaskDraft,
    pub(super) errors: FieldErrors,
    pub(super) list_href: String,
}

impl DirectivePage {
    pub(super) fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }
}

pub(super) fn task_status(t: &Task, today: NaiveDate) -> &'static str {
    match t.status.as_str() {
        "done" => "done",
        _ if t.deadline < today => "overdue",
        _ => "open",
    }
}

pub(super) fn task_json(t: &Task, reports: &[&TaskReport], today: NaiveDate) -> Value {
    json!({
        "id": t.id,
        "directive": t.directive,
        "title": t.title,
        "owner": t.owner,
        "deadline": date(t.deadline),
        "status": task_status(t, today),
        "completed_on": t.completed_on.map(date),
        "version": t.version,
        "reports": reports.iter().map(|r| json!({
            "id": r.id, "kind": r.kind, "date": date(r.date), "content": r.content,
            "created_by": r.created_by, "created_at": r.created_at,
        })).collect::<Vec<_>>(),
    })
}

/// The obligations hanging on a directive (its implementation duty).
pub(super) async fn directive_obligations(
    state: &AppState,
    d: &Directive,
) -> Result<Vec<StoredObligation>, StorageError> {
    Ok(state
        .db
        .obligations(&d.org, d.received_on.year())
        .await?
        .into_iter()
        .filter(|o| o.subject_kind == "event" && o.subject == d.id)
        .collect())
}

pub(super) async fn directive_view(
    state: &AppState,
    v: &Viewer,
    d: Directive,
    task_draft: TaskDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let loaded = async {
        Ok::<_, StorageError>((
            state.db.tasks(&d.id).await?,
            state.db.task_reports(&d.id).await?,
            directive_obligations(state, &d).await?,
        ))
    }
    .await;
    let (tasks, reports, obligations) = match loaded {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let can_write = match keeps_directive(state, v, &d).await {
        Ok(b) => b,
        Err(e) => return api_error_page(tr, e),
    };
    let tasks = tasks
        .iter()
        .map(|t| {
            let st = task_status(t, today);
            TaskView {
                id: t.id.clone(),
                title: t.title.clone(),
                owner: person_name(m, &t.owner),
                deadline: date(t.deadline),
                status: st,
                status_name: tr.t(&format!("records.task.{st}")).to_string(),
                reports: reports
                    .iter()
                    .filter(|r| r.task == t.id)
                    .map(|r| ReportView {
                        kind: tr.t(&format!("records.report.{}", r.kind)).to_string(),
                        date: date(r.date),
                        content: r.content.clone(),
                        by: r.created_by.clone(),
                    })
                    .collect(),
                report_action: with_lang(&format!("/records/tasks/{}/reports", encode(&t.id)), tr),
            }
        })
        .collect();
    let report_href = obligations
        .iter()
        .find(|o| o.state == "open")
        .filter(|_| can_write)
        .map(|o| new_evidence_href(&o.id, tr));
    page(
        status,
        &DirectivePage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            org: org_name(m, &d.org),
            received: date(d.received_on),
            obligations: obligations
                .iter()
                .map(|o| obligation_link(o, pack, &v.snap.model, tr, today))
                .collect(),
            report_href,
            tasks,
            can_write,
            task_action: with_lang(&format!("/records/directives/{}/tasks", encode(&d.id)), tr),
            people: people_of(m, &d.org),
            today: date(today),
            task_draft,
            errors,
            list_href: with_lang("/records/directives", tr),
            d,
        },
    )
}

pub(super) async fn directive_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let id = match id.get() {
        Ok(id) => id,
        Err(e) => return e.page(tr),
    };
    match visible_directive(&state, &v, &id).await {
        Ok(d) => {
            directive_view(
                &state,
                &v,
                d,
                TaskDraft::default(),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => api_error_page(tr, e),
    }
}

pub(super) async fn add_task_to(
    state: &AppState,
    v: &Viewer,
    d: &Directive,
    draft: &TaskDraft,
) -> Result<Task, Result<FieldErrors, ApiError>> {
    let tr = v.tr;
    if !keeps_directive(state, v, d).await.map_err(Err)? {
        return Err(Err(forbidden(tr)));
    }
    validate_task(draft, d, &v.snap.model, tr.lang()).map_err(Ok)?;
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let t = tx.add_task(&d.id, draft, &v.snap.model, tr.lang()).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(t)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))
}

pub(super) async fn add_task_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match id.get() {
        Ok(id) => id,
        Err(e) => return e.page(tr),
    };
    let d = match visible_directive(&state, &v, &id).await {
        Ok(d) => d,
        Err(e) => return api_error_page(tr, e),
    };
    let pairs = form_pairs(&raw(form));
    let draft = TaskDraft {
        title: first(&pairs, "title").into(),
        owner: first(&pairs, "owner").into(),
        deadline: first(&pairs, "deadline").into(),
    };
    match add_task_to(&state, &v, &d, &draft).await {
        Ok(_) => redirect(&format!("{}#tasks", directive_href(&d.id, tr))),
        Err(Ok(errors)) => {
            directive_view(
                &state,
                &v,
                d,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Err(e)) if e.code == ErrorCode::Forbidden => api_error_page(tr, e),
        Err(Err(e)) => {
            let status = e.code.status();
            directive_view(
                &state,
                &v,
                d,
                draft,
                vec![("form".into(), e.message)],
                status,
            )
            .await
        }
    }
}

pub(super) async fn report_on(
    state: &AppState,
    v: &Viewer,
    task_id: &str,
    draft: &ReportDraft,
) -> Result<(TaskReport, Task, Directive), Result<(Directive, FieldErrors), ApiError>> {
    let tr = v.tr;
    let task = match state.db.task(task_id.trim()).await {
        Ok(t) => t,
        Err(StorageError::NotFound { .. }) => {
            return Err(Err(missing(
                tr,
                "records.error.task_not_found",
                task_id.trim(),
            )
            .api()));
        }
        Err(e) => return Err(Err(storage_api(tr, e))),
    };
    let d = visible_directive(state, v, &task.directive)
        .await
        .map_err(|e| {
            if e.code == ErrorCode::NotFound {
                missing(tr, "records.error.task_not_found", task_id.trim()).api()
            } else {
                e
            }
        })
        .map_err(Err)?;
    if !reports_on(state, v, &d, &task).await.map_err(Err)? {
        return Err(Err(forbidden(tr)));
    }
    if let Err(errors) = validate_report(draft, &task, &d, state.today(), tr.lang()) {
        return Err(Ok((d, errors)));
    }
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = tx.add_task_report(&task.id, draft, tr.lang()).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await
    .map_err(|e| Err(storage_api(tr, e)))?;
    Ok((out.0, out.1, d))
}

pub(super) async fn add_report_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let id = match id.get() {
        Ok(id) => id,
        Err(e) => return e.page(tr),
    };
    let pairs = form_pairs(&raw(form));
    let draft = ReportDraft {
        kind: first(&pairs, "kind").into(),
        date: first(&pairs, "date").into(),
        content: first(&pairs, "content").into(),
    };
    match report_on(&state, &v, &id, &draft).await {
        Ok((_, _, d)) => redirect(&format!("{}#tasks", directive_href(&d.id, tr))),
        Err(Ok((d, errors))) => {
            directive_view(
                &state,
                &v,
                d,
                TaskDraft::default(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Err(e)) => api_error_page(tr, e),
    }
}
