//! One incident's page: its facts, clocks, timeline (with each entry's files), the first
//! responsible person's handling (Art.3), the forms that handle it, and its closure review; and
//! the handlers of those forms (the entry form's, which may bring files, is in `attachments`).

use super::*;

/// One timeline entry as shown.
pub struct EntryRow {
    /// Its place on the timeline (its anchor, and where its files go).
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub kind_id: &'static str,
    pub by: String,
    pub as_first: bool,
    pub detail: String,
    /// What changed, in words (severity, handler, pause reason).
    pub change: String,
    pub recorded: String,
    /// The files attached to it.
    pub files: Vec<FileRow>,
    /// The field a refused upload to it is shown under.
    pub file_field: String,
}

/// An obligation about the incident (or one of its tasks) as shown.
pub struct DutyRow {
    pub href: String,
    pub duty: String,
    pub subject: String,
    pub due: String,
    pub status: &'static str,
    pub status_name: String,
}

/// Which form on the page a refusal belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    None,
    Severity,
    Entry,
    SignOff,
    Pause,
    Close,
    /// An entry's own upload (its problems are under `file.<seq>`).
    Attach,
}

#[derive(Template)]
#[template(path = "incidents_detail.html")]
pub(super) struct IncidentPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) list_href: String,
    pub(super) row: IncidentRow,
    pub(super) channel: String,
    pub(super) source: String,
    pub(super) facts: String,
    pub(super) definition: String,
    pub(super) closure_due: String,
    pub(super) first: String,
    /// Art.3 for this incident: (instruction recorded, signed off), when its level asks.
    pub(super) personal: Option<(bool, bool)>,
    pub(super) entries: Vec<EntryRow>,
    pub(super) duties: Vec<DutyRow>,
    /// The closure's rectification tasks: (what, owner, deadline).
    pub(super) tasks: Vec<(String, String, String)>,
    pub(super) handled: String,
    pub(super) prevention: String,
    pub(super) closed_at: String,
    pub(super) version: i64,
    pub(super) base: String,
    pub(super) keeps: bool,
    pub(super) may_sign_off: bool,
    pub(super) severities: Vec<(String, String)>,
    pub(super) entry_kinds: Vec<(String, String)>,
    pub(super) pause_reasons: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) now: String,
    /// Under the file pickers: the limit and the types accepted (for those who may attach).
    pub(super) upload_hint: String,
    pub(super) failed: Failed,
    pub(super) errors: FieldErrors,
}

impl IncidentPage {
    /// The problem of `field` in the form `form`.
    pub(super) fn error_in(&self, form: Failed, field: &str) -> Option<&str> {
        (self.failed == form)
            .then(|| crate::shared::format::field_error(&self.errors, field))
            .flatten()
    }

    /// The problems of `form` no field of it shows.
    pub(super) fn general_in(&self, form: Failed) -> Vec<&str> {
        if self.failed != form {
            return Vec::new();
        }
        let shown: &[&str] = match form {
            Failed::None => &[],
            Failed::Severity => &["severity", "note"],
            Failed::Entry => &["kind", "at", "detail", "file"],
            // Each entry shows its own upload's problems.
            Failed::Attach => {
                return self
                    .errors
                    .iter()
                    .filter(|(f, _)| !f.starts_with("file."))
                    .map(|(_, m)| m.as_str())
                    .collect();
            }
            Failed::SignOff => &["detail"],
            Failed::Pause => &["reason", "note"],
            Failed::Close => &["handled", "prevention"],
        };
        crate::shared::format::other_errors(&self.errors, shown)
    }
}

/// What changed on an entry, in words.
fn change_words(v: &Viewer, e: &TimelineEntry) -> String {
    let tr = v.tr;
    let m = &v.snap.model;
    let rules = rules(v);
    match e.kind {
        zeren_core::vocab::TimelineKind::Severity | zeren_core::vocab::TimelineKind::Recorded => {
            match (&e.severity_from, &e.severity_to) {
                (Some(f), Some(t)) => format!(
                    "{} → {}",
                    rules.severity_name(f, tr.lang()),
                    rules.severity_name(t, tr.lang())
                ),
                (None, Some(t)) => rules.severity_name(t, tr.lang()),
                _ => String::new(),
            }
        }
        zeren_core::vocab::TimelineKind::Handler => match (&e.handler_from, &e.handler_to) {
            (Some(f), Some(t)) => format!("{} → {}", person_name(m, f), person_name(m, t)),
            _ => String::new(),
        },
        zeren_core::vocab::TimelineKind::Paused => e
            .reason
            .as_deref()
            .map(|r| {
                rules.pause_reason(r).map_or_else(
                    || r.to_string(),
                    |p| tr.lang().pick(&p.name, &p.name_en).to_string(),
                )
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

pub(super) async fn incident_view(
    state: &AppState,
    v: &Viewer,
    i: &Incident,
    failed: Failed,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let now = now_local(state);
    let today = state.today();
    let db = &state.db;
    let (line, tasks, files) = match tokio::try_join!(
        db.timeline(&i.id),
        db.incident_tasks(&i.id),
        db.incident_attachments(&i.id)
    ) {
        Ok(x) => x,
        Err(err) => return storage_refusal(tr, err, &i.id).page(tr),
    };
    let mut files = files_by_entry(&i.id, &files);
    let mut subjects: Vec<(String, String)> =
        vec![(i.id.clone(), tr.t("incidents.this").to_string())];
    subjects.extend(tasks.iter().map(|t| (t.id.clone(), t.title.clone())));
    let mut duties = Vec::new();
    for (subject, label) in &subjects {
        let obligations = match db
            .obligations_about(zeren_core::obligation::SubjectKind::Event, subject)
            .await
        {
            Ok(x) => x,
            Err(err) => return storage_refusal(tr, err, &i.id).page(tr),
        };
        for o in obligations {
            let st = zeren_core::obligation::status_on(
                o.discharge(),
                o.due,
                today,
                v.snap.pack.reminders.due_soon_days,
            )
            .as_str();
            duties.push(DutyRow {
                href: with_lang(&format!("/obligations/{}", encode(&o.id)), tr),
                duty: v
                    .snap
                    .pack
                    .duty(&o.duty)
                    .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                    .unwrap_or_else(|| o.duty.clone()),
                subject: label.clone(),
                due: date(o.due),
                status: st,
                status_name: tr.t(&format!("status.{st}")).to_string(),
            });
        }
    }
    let states = clocks_of(v, i, &line, now);
    let rules = rules(v);
    let level = rules.severity(&i.fields.severity);
    let first = first_of(state, v, &i.fields.org);
    let me = v.user.person.as_deref();
    let is_first = matches!((me, &first), (Some(p), Some(f)) if p == f.id);
    let rec = recorded(&line);
    let personal = level.filter(|l| l.personal_handling).map(|_| {
        let by_first = |k| rec.iter().any(|r| r.kind == k && r.as_first_responsible);
        (
            by_first(zeren_core::vocab::TimelineKind::Instruction),
            by_first(zeren_core::vocab::TimelineKind::SignOff),
        )
    });
    let keeps = !i.closed && v.can(Permission::KeepRecords, Some(&i.fields.org));
    // Offered while their handling waits for their sign-off (a new instruction asks for a new one).
    let may_sign_off = keeps
        && is_first
        && zeren_core::incidents::personal_handling(rules, &i.fields.severity, &rec)
            == zeren_core::incidents::PersonalHandling::NoSignOff;
    let entry_kinds = zeren_core::vocab::TimelineKind::ENTERED
        .iter()
        .filter(|k| is_first || **k != zeren_core::vocab::TimelineKind::Instruction)
        .map(|k| {
            (
                k.as_str().to_string(),
                tr.t(&format!("incidents.entry.{}", k.as_str())).to_string(),
            )
        })
        .collect();
    let upload_hint = if keeps {
        crate::shared::uploads::upload_hint(tr, crate::shared::uploads::upload_limit(state).await)
    } else {
        String::new()
    };
    let f = &i.fields;
    page(
        status,
        &IncidentPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            list_href: with_lang("/incidents", tr),
            row: row(v, i, &states),
            channel: tr
                .t(&format!("incidents.channel.{}", f.channel.as_str()))
                .to_string(),
            source: f.source.clone(),
            facts: f.facts.clone(),
            definition: level
                .map(|l| tr.lang().pick(&l.definition, &l.definition_en).to_string())
                .unwrap_or_default(),
            closure_due: i.closure_due.map(date).unwrap_or_default(),
            first: first
                .as_ref()
                .map(|f| f.name.clone())
                .unwrap_or_else(|| tr.t("incidents.no_first").to_string()),
            personal,
            entries: line
                .iter()
                .map(|e| EntryRow {
                    seq: e.seq,
                    at: shown(e.at),
                    kind: tr
                        .t(&format!("incidents.entry.{}", e.kind.as_str()))
                        .to_string(),
                    kind_id: e.kind.as_str(),
                    by: e
                        .person
                        .as_deref()
                        .map(|p| person_name(m, p))
                        .unwrap_or_else(|| e.created_by.clone()),
                    as_first: e.as_first_responsible,
                    detail: e.detail.clone(),
                    change: change_words(v, e),
                    recorded: crate::shared::format::minute(e.created_at),
                    files: files.remove(&e.seq).unwrap_or_default(),
                    file_field: file_field(e.seq),
                })
                .collect(),
            duties,
            tasks: tasks
                .iter()
                .map(|t| (t.title.clone(), person_name(m, &t.owner), date(t.deadline)))
                .collect(),
            handled: i.handled.clone().unwrap_or_default(),
            prevention: i.prevention.clone().unwrap_or_default(),
            closed_at: when(i.closed_at),
            version: i.version,
            base: format!("/incidents/{}", encode(&i.id)),
            keeps,
            may_sign_off,
            severities: rules
                .severities
                .iter()
                .filter(|s| s.id != f.severity)
                .map(|s| (s.id.clone(), s.name_in(tr.lang()).to_string()))
                .collect(),
            entry_kinds,
            pause_reasons: rules
                .pause_reasons
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        tr.lang().pick(&p.name, &p.name_en).to_string(),
                    )
                })
                .collect(),
            people: m
                .people_within(&f.org)
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            now: shown(now),
            upload_hint,
            failed,
            errors,
        },
    )
}

pub(super) async fn incident_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    match readable(&state, &v, &id).await {
        Ok(i) => incident_view(&state, &v, &i, Failed::None, Vec::new(), StatusCode::OK).await,
        Err(r) => r.page(tr),
    }
}

/// Runs a form's change on a writable incident: back to its page on success, the page with the
/// form's problems otherwise.
async fn act<T>(
    state: &AppState,
    v: &Viewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
    form: Failed,
    change: impl AsyncFnOnce(&Incident, &[(String, String)]) -> Result<T, Refused>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    let i = match writable(state, v, &id).await {
        Ok(i) => i,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let refused = match change(&i, &pairs).await {
        Ok(_) => return redirect(&incident_href(&i.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    // Shown against what is stored now (the change may have failed on a stale version).
    let i = state.db.incident(&i.id).await.unwrap_or(i);
    incident_view(state, v, &i, form, errors, status).await
}

pub(super) async fn severity_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    act(&state, &v, id, body, Failed::Severity, async |i, p| {
        change_severity(
            &state,
            &v,
            i,
            posted_version(p),
            form_first(p, "severity"),
            form_first(p, "note"),
        )
        .await
    })
    .await
}

pub(super) async fn sign_off_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    act(&state, &v, id, body, Failed::SignOff, async |i, p| {
        sign_off(&state, &v, i, form_first(p, "detail")).await
    })
    .await
}

pub(super) async fn pause_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    act(&state, &v, id, body, Failed::Pause, async |i, p| {
        pause(
            &state,
            &v,
            i,
            posted_version(p),
            Some(form_first(p, "reason")),
            form_first(p, "note"),
        )
        .await
    })
    .await
}

pub(super) async fn resume_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    act(&state, &v, id, body, Failed::Pause, async |i, p| {
        pause(
            &state,
            &v,
            i,
            posted_version(p),
            None,
            form_first(p, "note"),
        )
        .await
    })
    .await
}

/// The closure review as posted: `task.<n>.title|owner|deadline` rows.
pub(super) fn closure_from(p: &[(String, String)]) -> ClosureDraft {
    let mut tasks: std::collections::BTreeMap<usize, zeren_core::incidents::TaskDraft> =
        Default::default();
    for (k, val) in p {
        if let Some(rest) = k.strip_prefix("task.")
            && let Some((n, field)) = rest.split_once('.')
            && let Ok(n) = n.parse::<usize>()
            && (1..=zeren_core::incidents::TASKS_MAX).contains(&n)
        {
            let t = tasks.entry(n).or_default();
            match field {
                "title" => t.title = val.clone(),
                "owner" => t.owner = val.clone(),
                "deadline" => t.deadline = val.clone(),
                _ => {}
            }
        }
    }
    ClosureDraft {
        handled: form_first(p, "handled").into(),
        prevention: form_first(p, "prevention").into(),
        rectifications: tasks.into_values().collect(),
    }
}

pub(super) async fn close_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    act(&state, &v, id, body, Failed::Close, async |i, p| {
        close(&state, &v, i, posted_version(p), &closure_from(p)).await
    })
    .await
}
