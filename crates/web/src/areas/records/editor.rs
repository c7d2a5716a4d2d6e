//! The record form: new records (with their attachments) and amendments.

use super::*;

/// One agenda row of the meeting form.
pub struct AgendaRow {
    /// Row number from 1.
    pub n: usize,
    /// "Item n".
    pub label: String,
    /// Title typed.
    pub title: String,
    /// (topic id, name, checked).
    pub topics: Vec<(String, String, bool)>,
}

/// The obligation a new record is for.
pub struct ObligationNote {
    /// Id.
    pub id: String,
    /// Version seen.
    pub version: i64,
    /// Duty, citation, period, due as one line.
    pub line: String,
    /// Link, when the obligations area serves one.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "records_form.html")]
pub(super) struct FormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) heading: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) kind: String,
    pub(super) kind_name: String,
    pub(super) org_id: String,
    pub(super) org_name: String,
    pub(super) version: Option<i64>,
    pub(super) obligation: Option<ObligationNote>,
    pub(super) draft: RecordDraft,
    pub(super) people: Vec<(String, String)>,
    pub(super) agenda: Vec<AgendaRow>,
    pub(super) directives: Vec<(String, String)>,
    /// The org's open rectification tasks, as (id, label) (rectification reports).
    pub(super) rectifications: Vec<(String, String)>,
    pub(super) errors: FieldErrors,
    pub(super) choose: Vec<(String, String)>,
    /// The largest attachment, as shown (`50 MB`).
    pub(super) max_size: String,
    /// The inputs of a pack-defined kind (empty for the product's kinds).
    pub(super) defined: Vec<DefinedInput>,
}

impl FormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    /// Errors of the agenda rows and of fields the form does not show.
    pub(super) fn general_errors(&self) -> Vec<&str> {
        let defined: Vec<&str> = self.defined.iter().map(|i| i.name.as_str()).collect();
        let shown: Vec<&str> = [
            "date",
            "title",
            "attendees",
            "absentees",
            "minutes",
            "decisions",
            "covers",
            "author",
            "findings",
            "measures",
            "trainer",
            "hours",
            "audience",
            "count",
            "content",
            "directive",
            "text",
            "files",
        ]
        .into_iter()
        .chain(defined)
        .collect();
        crate::shared::format::other_errors(&self.errors, &shown)
    }

    pub(super) fn attending(&self, id: &str) -> bool {
        self.draft.attendees.iter().any(|a| a == id)
    }

    pub(super) fn absent(&self, id: &str) -> bool {
        self.draft.absentees.iter().any(|a| a == id)
    }

    pub(super) fn label(&self, field: &str) -> String {
        label(field, self.tr)
    }

    /// Whether a pack-defined kind takes the record's files as one of its fields.
    pub(super) fn defined_takes_files(&self) -> bool {
        self.defined.iter().any(|i| i.widget == "file")
    }
}

pub(super) struct FormSetup<'a> {
    pub(super) org: &'a Org,
    pub(super) kind: Option<EvidenceOf>,
    /// The definition of a pack-defined kind: (pack version id, definition).
    pub(super) definition: Option<(String, RecordKind)>,
    pub(super) obligation: Option<StoredObligation>,
    pub(super) version: Option<i64>,
    pub(super) record_id: Option<String>,
}

pub(super) async fn form_page(
    state: &AppState,
    v: &Viewer,
    s: &FormSetup<'_>,
    draft: RecordDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let today = state.today();
    let obligation = s.obligation.as_ref().map(|o| {
        let l = obligation_link(o, pack, &v.snap.model, tr, today);
        ObligationNote {
            id: o.id.clone(),
            version: o.version,
            line: tr.tf(
                "records.form.for_obligation",
                &[
                    ("duty", &l.duty),
                    ("citation", &l.citation),
                    ("period", &l.period),
                    ("due", &l.due),
                ],
            ),
            href: l.href,
        }
    });
    let (action, heading, cancel) = match &s.record_id {
        Some(id) => (
            with_lang(&format!("/records/{}/edit", encode(id)), tr),
            tr.t("records.form.amend").to_string(),
            record_href(id, tr),
        ),
        None => (
            match &s.obligation {
                Some(o) => href_with("/records/new", &[("obligation", &o.id)], tr),
                None => with_lang("/records/new", tr),
            },
            tr.t("records.form.new").to_string(),
            match &s.obligation {
                Some(o) => obligation_href(&o.id, tr),
                None => href_with("/records", &[("org", &s.org.code)], tr),
            },
        ),
    };
    let choose = if s.kind.is_none() {
        recordable(pack)
            .iter()
            .map(|k| {
                let mut params = vec![("kind", k.as_str()), ("org", s.org.code.as_str())];
                if let Some(o) = &s.obligation {
                    params.push(("obligation", o.id.as_str()));
                }
                (
                    href_with("/records/new", &params, tr),
                    kind_name(tr, pack, k),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows = draft.agenda.len().max(2) + 1;
    let agenda = (0..rows.min(AGENDA_MAX))
        .map(|i| {
            let item = draft.agenda.get(i);
            AgendaRow {
                n: i + 1,
                label: tr.tf("records.form.agenda_item", &[("n", &(i + 1).to_string())]),
                title: item.map(|a| a.title.clone()).unwrap_or_default(),
                topics: pack
                    .topics
                    .iter()
                    .map(|t| {
                        (
                            t.id.clone(),
                            tr.lang().pick(&t.name, &t.name_en).to_string(),
                            item.is_some_and(|a| a.topics.contains(&t.id)),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let directives = if s.kind == Some(EvidenceOf::Builtin(EvidenceKind::DirectiveReport)) {
        match state
            .db
            .directives(std::slice::from_ref(&s.org.id), 0, 200)
            .await
        {
            Ok((list, _)) => list
                .iter()
                .map(|d| {
                    (
                        d.id.clone(),
                        format!(
                            "{} {}（{}）",
                            d.document_number,
                            d.title,
                            date(d.received_on)
                        ),
                    )
                })
                .collect(),
            Err(e) => return api_error_page(tr, storage_api(tr, e)),
        }
    } else {
        Vec::new()
    };
    let rectifications = if s.kind == Some(EvidenceOf::Builtin(EvidenceKind::RectificationReport)) {
        match state.db.open_rectifications(&s.org.id).await {
            Ok(list) => list
                .iter()
                .map(|r| {
                    (
                        r.id.clone(),
                        format!(
                            "{}（{} {}）",
                            r.title,
                            tr.t("records.form.deadline"),
                            date(r.deadline)
                        ),
                    )
                })
                .collect(),
            Err(e) => return api_error_page(tr, storage_api(tr, e)),
        }
    } else {
        Vec::new()
    };
    page(
        status,
        &FormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            heading,
            action,
            cancel,
            kind: s
                .kind
                .as_ref()
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
            kind_name: match (&s.definition, &s.kind) {
                (Some((_, d)), _) => tr.lang().pick(&d.name, &d.name_en).to_string(),
                (None, Some(k)) => kind_name(tr, pack, k),
                (None, None) => String::new(),
            },
            defined: s
                .definition
                .as_ref()
                .map(|(_, d)| inputs(tr, m, d, &s.org.id, &draft))
                .unwrap_or_default(),
            org_id: s.org.id.clone(),
            org_name: s.org.name.clone(),
            version: s.version,
            obligation,
            draft,
            people: people_of(m, &s.org.id),
            agenda,
            directives,
            rectifications,
            errors,
            choose,
            max_size: file_size(upload_limit(state).await as i64),
        },
    )
}

/// Query of the new-record form.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub(super) kind: Option<String>,
    pub(super) org: Option<String>,
    pub(super) obligation: Option<String>,
}

/// What a form for an obligation starts with: its org, the first kind its duty accepts, and the
/// fields its rule asks for.
pub(super) fn draft_for_obligation(
    o: &StoredObligation,
    pack: &PolicyPack,
    tr: Tr,
    today: NaiveDate,
    kind: Option<EvidenceOf>,
) -> (Option<EvidenceOf>, RecordDraft) {
    let duty = pack.duty(&o.duty);
    let kept = recordable(pack);
    let accepted: Vec<EvidenceOf> = duty
        .map(|d| {
            d.evidence
                .iter()
                .map(|r| r.kind.clone())
                .filter(|k| kept.contains(k))
                .collect()
        })
        .unwrap_or_default();
    let kind = kind
        .filter(|k| accepted.contains(k))
        .or_else(|| accepted.first().cloned());
    let mut d = RecordDraft {
        org: o.org.clone(),
        date: date(today),
        ..RecordDraft::default()
    };
    if let (Some(k), Some(duty)) = (&kind, duty) {
        d.kind = k.as_str().into();
        d.title = tr.lang().pick(&duty.title, &duty.title_en).to_string();
        let topics: Vec<String> = duty
            .evidence
            .iter()
            .filter(|r| &r.kind == k)
            .filter_map(|r| r.topic.clone())
            .collect();
        let Some(k) = k.builtin() else {
            return (kind, d);
        };
        match k {
            EvidenceKind::CommitteeMeeting => {
                d.agenda = vec![AgendaDraft {
                    title: d.title.clone(),
                    topics,
                }];
            }
            EvidenceKind::SituationAnalysis => d.covers = o.period.clone(),
            EvidenceKind::DirectiveReport => d.directive = o.subject.clone(),
            EvidenceKind::RectificationReport => d.rectification = o.subject.clone(),
            _ => {}
        }
    }
    (kind, d)
}

pub(super) async fn new_record_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let today = state.today();
    let asked_kind = q.kind.as_deref().and_then(|k| kind_of(&v.snap.pack, k));
    if let Some(oid) = q.obligation.as_deref().filter(|s| !s.trim().is_empty()) {
        let o = match visible_obligation(&state, &v, oid).await {
            Ok(o) => o,
            Err(e) => return api_error_page(tr, e),
        };
        if !acts_on(&v, &o, today) {
            return Refusal::forbidden(tr).page(tr);
        }
        let org = match org_to_read(&v, &o.org) {
            Ok(org) => org,
            Err(r) => return r.page(tr),
        };
        let (kind, draft) = draft_for_obligation(&o, &v.snap.pack, tr, today, asked_kind);
        let definition = definition_of(&v, kind.as_ref(), None, today);
        if kind.is_none() {
            // The duty asks for records other areas keep (annual reviews, incident records, …).
            let names: Vec<String> = v
                .snap
                .pack
                .duty(&o.duty)
                .map(|d| {
                    d.evidence
                        .iter()
                        .map(|r| evidence_name(tr, &v.snap.pack, &r.kind))
                        .collect()
                })
                .unwrap_or_default();
            return error_page(
                tr,
                ErrorCode::Validation,
                "records.error.title",
                tr.tf(
                    "records.error.kind_elsewhere",
                    &[("kinds", &names.join(tr.lang().pick("、", ", ")))],
                ),
            );
        }
        let setup = FormSetup {
            org,
            kind,
            definition,
            obligation: Some(o),
            version: None,
            record_id: None,
        };
        return form_page(&state, &v, &setup, draft, Vec::new(), StatusCode::OK).await;
    }
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => match org_to_write(&v, code, asked_kind.as_ref(), today) {
            Ok(o) => o,
            Err(r) => return r.page(tr),
        },
        None => match default_org(&v, Permission::KeepRecords) {
            Some(o) => o,
            None => return Refusal::forbidden(tr).page(tr),
        },
    };
    let draft = RecordDraft {
        kind: asked_kind
            .as_ref()
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        org: org.id.clone(),
        date: date(today),
        ..RecordDraft::default()
    };
    let setup = FormSetup {
        org,
        definition: definition_of(&v, asked_kind.as_ref(), None, today),
        kind: asked_kind,
        obligation: None,
        version: None,
        record_id: None,
    };
    form_page(&state, &v, &setup, draft, Vec::new(), StatusCode::OK).await
}

pub(super) async fn record_context<'a>(
    state: &AppState,
    v: &'a Viewer,
    draft: &RecordDraft,
    definition: Option<&'a (String, RecordKind)>,
) -> Result<RecordContext<'a>, StorageError> {
    Ok(RecordContext {
        model: &v.snap.model,
        pack: &v.snap.pack,
        today: state.today(),
        directive: state.db.directive_facts(&draft.directive).await?,
        rectification: state
            .db
            .rectification(&draft.rectification)
            .await?
            .map(|r| (r.org, r.opened_on)),
        defined: definition.map(|(p, k)| (p.as_str(), k)),
    })
}

/// What saving a record produced.
pub(super) enum Saved {
    Record(Box<Record>),
    /// Field problems (422).
    Invalid(FieldErrors),
    /// A storage refusal (a rule, a conflict, …).
    Refused(ApiError),
}

/// Validates and stores a record; with an obligation, links it as evidence in the same
/// transaction (all or nothing).
pub(super) async fn save_record(
    state: &AppState,
    v: &Viewer,
    draft: &RecordDraft,
    obligation: Option<(&str, i64)>,
    upload: Option<Upload>,
) -> Saved {
    let tr = v.tr;
    let lang = tr.lang();
    let mut draft = draft.clone();
    // What a pack-defined kind's attachment field holds: the files that come with it.
    draft.files = upload.as_ref().map_or(0, Upload::count);
    let draft = &draft;
    let definition = definition_of(
        v,
        kind_of(&v.snap.pack, &draft.kind).as_ref(),
        None,
        state.today(),
    );
    let ctx = match record_context(state, v, draft, definition.as_ref()).await {
        Ok(c) => c,
        Err(e) => {
            if let Some(up) = upload {
                up.discard();
            }
            return Saved::Refused(storage_api(tr, e));
        }
    };
    if let Err(errors) = validate_record(draft, &ctx, lang) {
        if let Some(up) = upload {
            up.discard();
        }
        return Saved::Invalid(errors);
    }
    let files = match upload {
        Some(up) => match up.store(state).await {
            Ok(files) => files,
            Err(e) => return Saved::Refused(upload_refusal(tr, e)),
        },
        None => Vec::new(),
    };
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let r = tx
            .create_record(draft, &v.snap.model, &v.snap.pack, lang)
            .await?;
        // Files first: the evidence rule may ask for them.
        for (file, name) in &files {
            tx.add_attachment(&r.id, file, name).await?;
        }
        if let Some((oid, version)) = obligation {
            tx.attach_evidence(oid, &r.id, version, lang).await?;
        }
        tx.commit().await?;
        Ok::<Record, StorageError>(r)
    }
    .await;
    match done {
        Ok(r) => Saved::Record(Box::new(r)),
        Err(e) => Saved::Refused(storage_api(tr, e)),
    }
}

pub(super) async fn create_record_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, Rejected>,
    req: axum::extract::Request,
) -> Response {
    let tr = v.tr;
    if let Err(r) = write_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    // The form is multipart when files come with it (then they are staged until the record
    // is saved, and attached in its transaction); urlencoded otherwise.
    let (pairs, mut upload) = match read_form(&state, tr, req).await {
        Ok(x) => x,
        Err(FormError::Refused(r)) => return r,
        Err(FormError::Upload(e @ UploadError::TooLarge(_))) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, e.message(tr).1).into_response();
        }
        Err(FormError::Upload(e)) => return api_error_page(tr, upload_refusal(tr, e)),
    };
    let mut draft = draft_from_form(&pairs);
    let file_error = upload.as_mut().and_then(|u| u.refused.take());
    let oid = q
        .obligation
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| Some(first(&pairs, "obligation").to_string()).filter(|s| !s.trim().is_empty()));
    let obligation = match &oid {
        Some(id) => match visible_obligation(&state, &v, id).await {
            Ok(o) => Some(o),
            Err(e) => return api_error_page(tr, e),
        },
        None => None,
    };
    if let Some(o) = &obligation {
        draft.org = o.org.clone();
    }
    let kind = kind_of(&v.snap.pack, &draft.kind);
    let today = state.today();
    let org = match &obligation {
        // Kept through the obligation, by whoever acts on it.
        Some(o) if !acts_on(&v, o, today) => return Refusal::forbidden(tr).page(tr),
        Some(o) => match org_to_read(&v, &o.org) {
            Ok(org) => org,
            Err(r) => return r.page(tr),
        },
        None => match org_to_write(&v, &draft.org, kind.as_ref(), today) {
            Ok(o) => o,
            Err(r) if r.code == ErrorCode::NotFound && draft.org.trim().is_empty() => {
                match default_org(&v, Permission::KeepRecords)
                    .filter(|o| writable(&v, &o.id, kind.as_ref(), today))
                {
                    Some(o) => {
                        draft.org = o.id.clone();
                        o
                    }
                    None => return Refusal::forbidden(tr).page(tr),
                }
            }
            Err(r) => return r.page(tr),
        },
    };
    let expected = first(&pairs, "obligation_version")
        .trim()
        .parse::<i64>()
        .ok();
    let setup = FormSetup {
        org,
        definition: definition_of(&v, kind.as_ref(), None, today),
        kind,
        obligation: obligation.clone(),
        version: None,
        record_id: None,
    };
    let link = match (&obligation, expected) {
        (Some(o), Some(ver)) => Some((o.id.as_str(), ver)),
        (Some(o), None) => Some((o.id.as_str(), o.version)),
        (None, _) => None,
    };
    if let Some(e) = file_error {
        if let Some(up) = upload {
            up.discard();
        }
        let (status, message) = e.message(tr);
        let errors = vec![("files".to_string(), message)];
        return form_page(&state, &v, &setup, draft, errors, status).await;
    }
    match save_record(&state, &v, &draft, link, upload).await {
        Saved::Record(r) => match &obligation {
            Some(o) => redirect(&obligation_href(&o.id, tr)),
            None => redirect(&record_href(&r.id, tr)),
        },
        Saved::Invalid(errors) => {
            form_page(
                &state,
                &v,
                &setup,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Saved::Refused(e) => {
            let status = e.code.status();
            let errors = vec![("form".to_string(), e.message)];
            form_page(&state, &v, &setup, draft, errors, status).await
        }
    }
}

pub(super) async fn edit_record_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let record = match record_to_write(&state, &v, id).await {
        Ok(r) => r,
        Err(r) => return r.page(tr),
    };
    let org = match org_to_read(&v, &record.org) {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let setup = FormSetup {
        org,
        definition: definition_of(&v, None, Some(&record), state.today()),
        kind: Some(record.kind.clone()),
        obligation: None,
        version: Some(record.version),
        record_id: Some(record.id.clone()),
    };
    form_page(
        &state,
        &v,
        &setup,
        record.draft(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub(super) async fn amend_record_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    form: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let record = match record_to_write(&state, &v, id).await {
        Ok(r) => r,
        Err(r) => return r.page(tr),
    };
    let org = match org_to_read(&v, &record.org) {
        Ok(o) => o,
        Err(r) => return r.page(tr),
    };
    let pairs = form_pairs(&raw(form));
    let mut draft = draft_from_form(&pairs);
    draft.kind = record.kind.as_str().into();
    draft.org = record.org.clone();
    let version = first(&pairs, "version").trim().parse::<i64>().ok();
    let setup = FormSetup {
        org,
        definition: definition_of(&v, None, Some(&record), state.today()),
        kind: Some(record.kind.clone()),
        obligation: None,
        version: Some(version.unwrap_or(record.version)),
        record_id: Some(record.id.clone()),
    };
    let Some(version) = version else {
        let errors = vec![(
            "version".to_string(),
            tr.tf(
                "records.error.field_required",
                &[("field", field_label("version", tr.lang()))],
            ),
        )];
        return form_page(
            &state,
            &v,
            &setup,
            draft,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match amend(&state, &v, &record, version, &draft).await {
        Saved::Record(r) => redirect(&record_href(&r.id, tr)),
        Saved::Invalid(errors) => {
            form_page(
                &state,
                &v,
                &setup,
                draft,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Saved::Refused(e) => {
            let status = e.code.status();
            let errors = vec![("form".to_string(), e.message)];
            form_page(&state, &v, &setup, draft, errors, status).await
        }
    }
}

pub(super) async fn amend(
    state: &AppState,
    v: &Viewer,
    record: &Record,
    version: i64,
    draft: &RecordDraft,
) -> Saved {
    let tr = v.tr;
    let lang = tr.lang();
    let id = record.id.as_str();
    let files = match state.db.record_attachments(id).await {
        Ok(list) => list.len(),
        Err(e) => return Saved::Refused(storage_api(tr, e)),
    };
    let mut draft = draft.clone();
    draft.files = files;
    let draft = &draft;
    // A record keeps the definition it was made under.
    let definition = definition_of(v, None, Some(record), state.today());
    let ctx = match record_context(state, v, draft, definition.as_ref()).await {
        Ok(c) => c,
        Err(e) => return Saved::Refused(storage_api(tr, e)),
    };
    if let Err(errors) = validate_record(draft, &ctx, lang) {
        return Saved::Invalid(errors);
    }
    let done = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let r = tx
            .amend_record(id, version, draft, &v.snap.model, &v.snap.pack, lang)
            .await?;
        tx.commit().await?;
        Ok::<Record, StorageError>(r)
    }
    .await;
    match done {
        Ok(r) => Saved::Record(Box::new(r)),
        Err(e) => Saved::Refused(storage_api(tr, e)),
    }
}
