//! The records API: records, evidence, directives, tasks and reports.

use super::*;

pub(super) async fn api_records(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ListQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let q = q.get()?;
    let l = listing(&v, &q, state.today())?;
    let (records, total) = state
        .db
        .records(&RecordFilter {
            orgs: l.orgs,
            kind: l.kind.map(|k| k.as_str().to_string()),
            year: Some(l.year),
            offset: (l.page - 1) * PER_PAGE,
            limit: PER_PAGE,
        })
        .await
        .map_err(|e| storage_api(tr, e))?;
    Ok(Json(json!({
        "year": l.year,
        "page": l.page,
        "per_page": PER_PAGE,
        "total": total,
        "records": records,
    }))
    .into_response())
}

/// Query of `POST /api/v1/records`.
#[derive(Deserialize, Default)]
pub struct CreateQuery {
    pub(super) obligation: Option<String>,
    pub(super) version: Option<String>,
}

pub(super) async fn api_create_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<CreateQuery>, Rejected>,
    body: Result<JsonBody<RecordDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let q = q.get()?;
    let obligation = match q
        .obligation
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => {
            let o = visible_obligation(&state, &v, id).await?;
            if !acts_on(&v, &o, state.today()) {
                return Err(forbidden(tr));
            }
            let version = match q.version.as_deref().map(str::trim) {
                None | Some("") => o.version,
                Some(s) => s.parse::<i64>().map_err(|_| {
                    ApiError::new(
                        ErrorCode::Validation,
                        tr.tf(
                            "records.error.field_required",
                            &[("field", field_label("version", tr.lang()))],
                        ),
                    )
                })?,
            };
            Some((o, version))
        }
        None => None,
    };
    let draft = body.get()?;
    let kind = kind_of(&v.snap.pack, &draft.kind);
    let org = draft.org.trim();
    let in_its_org = |o: &StoredObligation| {
        org.is_empty() || v.snap.model.find_org(org).is_some_and(|x| x.id == o.org)
    };
    match &obligation {
        // Kept through the obligation: in its org, by whoever acts on it.
        Some((o, _)) if in_its_org(o) => {}
        _ if org.is_empty() => {}
        _ => {
            org_to_write(&v, org, kind.as_ref(), state.today()).map_err(Refusal::api)?;
        }
    }
    let link = obligation.as_ref().map(|(o, ver)| (o.id.as_str(), *ver));
    match save_record(&state, &v, &draft, link, None).await {
        Saved::Record(r) => Ok((StatusCode::CREATED, Json(r.to_json())).into_response()),
        Saved::Invalid(errors) => Err(invalid(&errors, tr)),
        Saved::Refused(e) => Err(e),
    }
}

pub(super) async fn api_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let record = visible_record(&state, &v, &id).await?;
    let today = state.today();
    let pack = &v.snap.pack;
    let db = &state.db;
    let (versions, attachments, obligations) = async {
        Ok::<_, StorageError>((
            db.record_versions(&record.id).await?,
            db.record_attachments(&record.id).await?,
            db.record_obligations(&record.id).await?,
        ))
    }
    .await
    .map_err(|e| storage_api(tr, e))?;
    let mut out = record.to_json();
    out["versions"] = json!(versions);
    out["attachments"] = json!(
        attachments
            .iter()
            .map(|a| attachment_json(a, &record.id))
            .collect::<Vec<_>>()
    );
    out["discharges"] = json!(
        obligations
            .iter()
            .map(|o| obligation_json(o, pack, today))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

pub(super) async fn api_amend_record(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<Value>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let record = visible_record(&state, &v, &id).await?;
    if !keeps_record(&state, &v, &record).await? {
        return Err(forbidden(tr));
    }
    let body = body.get()?;
    let Value::Object(changes) = body else {
        return Err(ApiError::new(
            ErrorCode::Validation,
            tr.tf(
                "records.error.body",
                &[("detail", "expected a JSON object")],
            ),
        ));
    };
    let version = changes
        .get("version")
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                tr.tf(
                    "records.error.field_required",
                    &[("field", field_label("version", tr.lang()))],
                ),
            )
        })?;
    let mut merged = serde_json::to_value(record.draft()).unwrap_or_default();
    for (k, val) in changes {
        match (k.as_str(), val, merged.get_mut("values")) {
            ("version", _, _) => {}
            // Values of a pack-defined record change one field at a time.
            ("values", Value::Object(fields), Some(Value::Object(values))) => {
                values.extend(fields);
            }
            (_, val, _) => merged[k] = val,
        }
    }
    let mut draft: RecordDraft = serde_json::from_value(merged).map_err(|e| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.body", &[("detail", &e.to_string())]),
        )
    })?;
    if draft.kind.trim() != record.kind.as_str() || draft.org.trim() != record.org {
        let same_org = v
            .snap
            .model
            .find_org(draft.org.trim())
            .is_some_and(|o| o.id == record.org);
        if draft.kind.trim() != record.kind.as_str() || !same_org {
            return Err(ApiError::new(
                ErrorCode::Validation,
                tr.t("records.error.fixed").to_string(),
            ));
        }
        draft.org = record.org.clone();
    }
    match amend(&state, &v, &record, version, &draft).await {
        Saved::Record(r) => Ok(Json(r.to_json()).into_response()),
        Saved::Invalid(errors) => Err(invalid(&errors, tr)),
        Saved::Refused(e) => Err(e),
    }
}

pub(super) async fn api_training(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<TrainingQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = q.get()?;
    let t = training(&state, &v, &q).await?;
    Ok(Json(json!({
        "org": t.org.id,
        "org_code": t.org.code,
        "year": t.year,
        "people": t.rows.iter().map(|(id, name, org, sessions, hours)| json!({
            "person": id, "name": name, "org": org, "sessions": sessions, "hours": hours,
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// Body of `POST /api/v1/obligations/{id}/evidence`.
#[derive(Deserialize, Default)]
pub struct EvidenceBody {
    #[serde(default)]
    pub(super) record: String,
    #[serde(default, deserialize_with = "number_or_text")]
    pub(super) version: String,
}

pub(super) async fn api_attach_evidence(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<EvidenceBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let o = visible_obligation(&state, &v, &id).await?;
    if !acts_on(&v, &o, state.today()) {
        return Err(forbidden(tr));
    }
    let b = body.get()?;
    if b.record.trim().is_empty() {
        return Err(ApiError::new(
            ErrorCode::Validation,
            tr.tf("records.error.field_required", &[("field", "record")]),
        ));
    }
    let after = discharge(&state, &v, &o.id, &b.record, &b.version).await?;
    let evidence = state
        .db
        .evidence_of(&after.id)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let mut out = obligation_json(&after, &v.snap.pack, state.today());
    out["evidence"] = json!(
        evidence
            .iter()
            .map(|e| json!({
                "record": e.record.id, "kind": e.record.kind.as_str(), "title": e.record.title,
                "date": date(e.record.date), "linked_at": e.linked_at, "linked_by": e.linked_by,
            }))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

pub(super) async fn api_directives(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<DirectivesQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let q = q.get()?;
    let (list, total, page_no, _) = directive_list(&state, &v, &q).await?;
    Ok(Json(json!({
        "page": page_no, "per_page": PER_PAGE, "total": total, "directives": list,
    }))
    .into_response())
}

pub(super) async fn api_create_directive(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<DirectiveDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let draft = body.get()?;
    match register_directive(&state, &v, &draft).await {
        Ok((d, added)) => {
            let obligations = directive_obligations(&state, &d)
                .await
                .map_err(|e| storage_api(tr, e))?;
            let today = state.today();
            let mut out = json!(d);
            out["obligations_added"] = json!(added);
            out["obligations"] = json!(
                obligations
                    .iter()
                    .map(|o| obligation_json(o, &v.snap.pack, today))
                    .collect::<Vec<_>>()
            );
            Ok((StatusCode::CREATED, Json(out)).into_response())
        }
        Err(Ok(errors)) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}

pub(super) async fn api_directive(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let d = visible_directive(&state, &v, &id).await?;
    let today = state.today();
    let (tasks, reports, obligations) = async {
        Ok::<_, StorageError>((
            state.db.tasks(&d.id).await?,
            state.db.task_reports(&d.id).await?,
            directive_obligations(&state, &d).await?,
        ))
    }
    .await
    .map_err(|e| storage_api(tr, e))?;
    let mut out = json!(d);
    out["tasks"] = json!(
        tasks
            .iter()
            .map(|t| {
                let rs: Vec<&TaskReport> = reports.iter().filter(|r| r.task == t.id).collect();
                task_json(t, &rs, today)
            })
            .collect::<Vec<_>>()
    );
    out["obligations"] = json!(
        obligations
            .iter()
            .map(|o| obligation_json(o, &v.snap.pack, today))
            .collect::<Vec<_>>()
    );
    Ok(Json(out).into_response())
}

pub(super) async fn api_add_task(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<TaskDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    let d = visible_directive(&state, &v, &id).await?;
    if !keeps_directive(&state, &v, &d).await? {
        return Err(forbidden(tr));
    }
    let draft = body.get()?;
    match add_task_to(&state, &v, &d, &draft).await {
        Ok(t) => Ok((StatusCode::CREATED, Json(task_json(&t, &[], state.today()))).into_response()),
        Err(Ok(errors)) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}

pub(super) async fn api_add_report(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<ReportDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let id = id.get()?;
    // Scope first (404/403), then the body.
    let task = match state.db.task(id.trim()).await {
        Ok(t) => t,
        Err(StorageError::NotFound { .. }) => {
            return Err(missing(tr, "records.error.task_not_found", id.trim()).api());
        }
        Err(e) => return Err(storage_api(tr, e)),
    };
    let d = visible_directive(&state, &v, &task.directive)
        .await
        .map_err(|e| {
            if e.code == ErrorCode::NotFound {
                missing(tr, "records.error.task_not_found", id.trim()).api()
            } else {
                e
            }
        })?;
    if !reports_on(&state, &v, &d, &task).await? {
        return Err(forbidden(tr));
    }
    let draft = body.get()?;
    match report_on(&state, &v, &task.id, &draft).await {
        Ok((report, task, _)) => {
            let today = state.today();
            Ok((
                StatusCode::CREATED,
                Json(json!({
                    "report": report,
                    "task": task_json(&task, &[], today),
                })),
            )
                .into_response())
        }
        Err(Ok((_, errors))) => Err(invalid(&errors, tr)),
        Err(Err(e)) => Err(e),
    }
}
