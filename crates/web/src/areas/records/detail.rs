//! One record's page: its fields, history, attachments and the obligations it discharges.

use super::*;

#[derive(Template)]
#[template(path = "records_detail.html")]
pub(super) struct DetailPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) date: String,
    pub(super) org: String,
    pub(super) org_records: String,
    pub(super) version_label: String,
    pub(super) created: String,
    pub(super) fields: Vec<FieldView>,
    pub(super) attachments: Vec<AttachmentView>,
    pub(super) discharges: Vec<ObligationLink>,
    pub(super) candidates: Vec<ObligationLink>,
    pub(super) versions: Vec<VersionView>,
    pub(super) can_write: bool,
    pub(super) edit_href: String,
    pub(super) upload_action: String,
    pub(super) evidence_action: String,
    pub(super) upload_hint: String,
    pub(super) error: Option<String>,
}

/// The title of the event a report is about: a directive, a rectification task.
pub(super) async fn event_title(state: &AppState, details: &RecordDetails) -> Option<String> {
    match details {
        RecordDetails::DirectiveReport { directive, .. } => state
            .db
            .directive(directive)
            .await
            .ok()
            .map(|d| format!("{} {}", d.document_number, d.title)),
        RecordDetails::RectificationReport { rectification, .. } => state
            .db
            .rectification(rectification)
            .await
            .ok()
            .flatten()
            .map(|r| r.title),
        _ => None,
    }
}

pub(super) async fn detail_page(
    state: &AppState,
    v: &Viewer,
    record: &Record,
    error: Option<(StatusCode, String)>,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let db = &state.db;
    let loaded = async {
        Ok::<_, StorageError>((
            db.record_attachments(&record.id).await?,
            db.record_obligations(&record.id).await?,
            db.evidence_candidates(record, pack).await?,
            db.record_versions(&record.id).await?,
        ))
    }
    .await;
    let (attachments, discharges, candidates, versions) = match loaded {
        Ok(x) => x,
        Err(e) => return api_error_page(tr, storage_api(tr, e)),
    };
    let dtitle = event_title(state, &record.details).await;
    // As `keeps_record`, with the obligations already read.
    let can_write = writable(v, &record.org, Some(&record.kind), today)
        || discharges.iter().any(|o| acts_on(v, o, today));
    // Who kept it, by the names people know them by (not their sign-in names).
    let logins: Vec<&str> = std::iter::once(record.created_by.as_str())
        .chain(versions.iter().map(|v| v.changed_by.as_str()))
        .collect();
    let names = state.db.display_names(&logins).await.unwrap_or_default();
    let shown = |login: &str| {
        names
            .get(login)
            .cloned()
            .unwrap_or_else(|| login.to_string())
    };
    let mut version_views = Vec::new();
    for ver in versions.iter().skip(1) {
        // A version keeps the record as the API shows it: a pack-defined record under its own
        // kind, with its definition and values.
        let details: Option<RecordDetails> = match record.details.defined() {
            Some(_) => serde_json::from_value(ver.data.clone())
                .ok()
                .map(RecordDetails::Defined),
            None => serde_json::from_value(ver.data.clone()).ok(),
        };
        version_views.push(VersionView {
            line: tr.tf(
                "records.detail.version_line",
                &[
                    ("n", &ver.version.to_string()),
                    ("by", &shown(&ver.changed_by)),
                    ("at", &minute(ver.changed_at)),
                ],
            ),
            title: ver.data["title"].as_str().unwrap_or_default().to_string(),
            date: ver.data["date"].as_str().unwrap_or_default().to_string(),
            fields: details
                .map(|d| fields_of(tr, m, pack, &d, dtitle.as_deref(), attachments.len()))
                .unwrap_or_default(),
        });
    }
    let max = upload_limit(state).await;
    let status = error.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let org = m.org(&record.org);
    page(
        status,
        &DetailPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            kind: record_kind_name(tr, &v.snap.pack, record),
            title: record.title.clone(),
            date: date(record.date),
            org: org_name(m, &record.org),
            org_records: href_with(
                "/records",
                &[("org", org.map(|o| o.code.as_str()).unwrap_or(""))],
                tr,
            ),
            version_label: tr.tf(
                "records.detail.version",
                &[("n", &record.version.to_string())],
            ),
            created: tr.tf(
                "records.detail.created",
                &[
                    ("by", &shown(&record.created_by)),
                    ("at", &minute(record.created_at)),
                ],
            ),
            fields: fields_of(
                tr,
                m,
                pack,
                &record.details,
                dtitle.as_deref(),
                attachments.len(),
            ),
            attachments: attachments
                .iter()
                .map(|a| attachment_view(a, &record.id))
                .collect(),
            discharges: discharges
                .iter()
                .map(|o| obligation_link(o, pack, &v.snap.model, tr, today))
                .collect(),
            candidates: if can_write {
                candidates
                    .iter()
                    .filter(|o| acts_on(v, o, today))
                    .map(|o| obligation_link(o, pack, &v.snap.model, tr, today))
                    .collect()
            } else {
                Vec::new()
            },
            versions: version_views,
            can_write,
            edit_href: with_lang(&format!("/records/{}/edit", encode(&record.id)), tr),
            upload_action: with_lang(&format!("/records/{}/attachments", encode(&record.id)), tr),
            evidence_action: with_lang(&format!("/records/{}/evidence", encode(&record.id)), tr),
            upload_hint: upload_hint(tr, max),
            error: error.map(|(_, m)| m),
        },
    )
}

pub(super) async fn record_page(
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
    match visible_record(&state, &v, &id).await {
        Ok(r) => detail_page(&state, &v, &r, None).await,
        Err(e) => api_error_page(tr, e),
    }
}

/// Form of `POST /records/{id}/evidence`.
#[derive(Deserialize, Default)]
pub struct EvidenceForm {
    #[serde(default)]
    pub(super) obligation: String,
    #[serde(default, deserialize_with = "number_or_text")]
    pub(super) version: String,
}

pub(super) async fn evidence_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let record = match record_to_write(&state, &v, id).await {
        Ok(r) => r,
        Err(refused) => return refused.page(tr),
    };
    let pairs = form_pairs(&raw(form));
    let form = EvidenceForm {
        obligation: first(&pairs, "obligation").to_string(),
        version: first(&pairs, "version").to_string(),
    };
    match discharge(&state, &v, &form.obligation, &record.id, &form.version).await {
        Ok(_) => redirect(&format!("{}#evidence", record_href(&record.id, tr))),
        Err(e) => {
            let status = e.code.status();
            detail_page(&state, &v, &record, Some((status, e.message))).await
        }
    }
}

/// Links `record_id` as evidence of the obligation (checks: the obligation is visible, the
/// viewer keeps records for its org, the version is a number).
pub(super) async fn discharge(
    state: &AppState,
    v: &Viewer,
    obligation_id: &str,
    record_id: &str,
    version: &str,
) -> Result<StoredObligation, ApiError> {
    let tr = v.tr;
    let o = visible_obligation(state, v, obligation_id).await?;
    if !acts_on(v, &o, state.today()) {
        return Err(forbidden(tr));
    }
    let version = version.trim().parse::<i64>().map_err(|_| {
        ApiError::new(
            ErrorCode::Validation,
            tr.tf(
                "records.error.field_required",
                &[("field", field_label("version", tr.lang()))],
            ),
        )
    })?;
    let record = visible_record(state, v, record_id).await.map_err(|e| {
        if e.code == ErrorCode::NotFound {
            ApiError::new(ErrorCode::Validation, e.message)
        } else {
            e
        }
    })?;
    let lang = tr.lang();
    async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let after = tx.attach_evidence(&o.id, &record.id, version, lang).await?;
        tx.commit().await?;
        Ok::<StoredObligation, StorageError>(after)
    }
    .await
    .map_err(|e| storage_api(tr, e))
}
