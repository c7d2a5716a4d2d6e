//! One case's page, as the viewer may see it: whole with the forms of the next steps for the
//! commission; what is asked, the decision and the appeal for the respondent; their tasks for a
//! task's owner; the outcome for the secretary who referred it. And the handlers of its forms,
//! which come back here (with the problems beside the form that failed).

use super::*;

/// A fact of the case file as shown.
pub struct FactView {
    pub seq: i64,
    pub files: Vec<FileRow>,
    pub kind: String,
    pub title: String,
    pub href: String,
    pub ground: String,
    pub indicator: String,
    pub note: String,
    pub day: String,
}

/// An entry of the file (step, note, addendum) as shown.
pub struct EntryView {
    pub seq: i64,
    pub files: Vec<FileRow>,
    pub kind: &'static str,
    pub what: String,
    pub text: String,
    pub day: String,
    pub by: String,
}

/// An investigation task as shown: what, by whom, by when, and what was found.
pub struct InquiryView {
    pub seq: i64,
    pub text: String,
    pub assignee: String,
    pub due: String,
    pub overdue: bool,
    /// What was found and when, once reported done.
    pub done: Option<(String, String)>,
}

/// A remediation task as shown.
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub deadline: String,
    pub status: &'static str,
    pub status_name: String,
    pub evidence: String,
    pub note: String,
    pub verified: String,
    pub version: i64,
    pub may_report: bool,
    pub may_verify: bool,
}

/// A finding as shown: the ground, upheld or not, why.
pub struct FindingView {
    pub ground: String,
    pub upheld: bool,
    pub reason: String,
}

/// The decision as shown.
pub struct DecisionView {
    pub findings: Vec<FindingView>,
    pub forms: String,
    pub body: String,
    pub number: String,
    pub decided_on: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "cases_detail.html")]
pub(super) struct CasePage {
    pub frame: Frame,
    pub tr: Tr,
    pub csrf: String,
    pub base: String,
    pub list_href: String,
    pub part: Part,
    pub version: i64,
    pub title: String,
    pub state: &'static str,
    pub state_name: String,
    pub subject: String,
    pub period: String,
    pub grounds: Vec<(String, String)>,
    pub background: String,
    pub referred: String,
    pub decline_reason: String,
    pub respondent: String,
    pub invitation: String,
    pub invited_on: String,
    pub statement_due: String,
    pub statement: String,
    pub statement_on: String,
    pub lapsed_on: String,
    pub decision: Option<DecisionView>,
    pub notified_on: String,
    pub appeal_until: String,
    pub appeal: String,
    pub appealed_on: String,
    pub appeal_decision: String,
    pub closed_on: String,
    pub docx_href: Option<String>,
    pub actions: Vec<&'static str>,
    pub facts: Vec<FactView>,
    pub entries: Vec<EntryView>,
    pub inquiries: Vec<InquiryView>,
    /// Who may be given an investigation task: the people of the commission's own org.
    pub investigators: Vec<(String, String)>,
    /// The statement's and the appeal's files, and their entries (`seq`) where the respondent
    /// may still add to them.
    pub statement_attach: Option<i64>,
    pub statement_files: Vec<FileRow>,
    pub appeal_attach: Option<i64>,
    pub appeal_files: Vec<FileRow>,
    pub tasks: Vec<TaskView>,
    pub people: Vec<(String, String)>,
    pub forms: Vec<(String, String)>,
    pub fact_kinds: Vec<(String, String)>,
    pub org_subject: bool,
    pub today: String,
    pub errors: FieldErrors,
    pub failed: String,
    /// What was typed in the form that failed.
    pub posted: Vec<(String, String)>,
}

impl CasePage {
    /// The message of `field` when the form `form` failed.
    fn error_in(&self, form: &str, field: &str) -> Option<&str> {
        (self.failed == form)
            .then(|| crate::shared::format::field_error(&self.errors, field))
            .flatten()
    }

    /// The messages of the form `form` not shown beside a field (`shown`: the fields that are,
    /// separated by spaces).
    fn general_in(&self, form: &str, shown: &str) -> Vec<&str> {
        if self.failed == form {
            let shown: Vec<&str> = shown.split_whitespace().collect();
            crate::shared::format::other_errors(&self.errors, &shown)
        } else {
            Vec::new()
        }
    }

    /// The messages of a form that failed but is not on the page now (the case moved on, or
    /// the step is not open to the viewer): all shown at the top.
    fn orphan_errors(&self) -> Vec<&str> {
        let f = self.failed.as_str();
        let shown = match f {
            "" => false,
            "fact" => self.state != "closed" && self.state != "declined",
            "note" => self.state != "declined",
            "task" => self.decision.is_some() && self.state != "closed",
            _ if f.starts_with("task-") => self.tasks.iter().any(|t| f == format!("task-{}", t.id)),
            _ if f.starts_with("inquiry-") => {
                self.state != "closed"
                    && self
                        .inquiries
                        .iter()
                        .any(|i| i.done.is_none() && f == format!("inquiry-{}", i.seq))
            }
            _ if f.starts_with("attach-") => {
                let seq = f.trim_start_matches("attach-").parse::<i64>().ok();
                let on_file = self.part.commission
                    && self.state != "closed"
                    && (self.entries.iter().any(|e| Some(e.seq) == seq)
                        || self.facts.iter().any(|x| Some(x.seq) == seq));
                on_file
                    || self.statement_attach == seq && seq.is_some()
                    || self.appeal_attach == seq && seq.is_some()
            }
            _ => self.may(f),
        };
        if shown {
            Vec::new()
        } else {
            self.errors.iter().map(|(_, m)| m.as_str()).collect()
        }
    }

    /// The problem of the last upload to the entry `seq`, if it failed.
    fn attach_error(&self, seq: &i64) -> Option<&str> {
        (self.failed == format!("attach-{seq}"))
            .then(|| self.errors.first().map(|(_, m)| m.as_str()))
            .flatten()
    }

    /// What was typed in `field` of the form `form`, when it failed; else nothing.
    fn kept(&self, form: &str, field: &str) -> &str {
        if self.failed == form {
            form_first(&self.posted, field)
        } else {
            ""
        }
    }

    /// What was typed in `field` of the form `form` when it failed, else `default`.
    fn kept_or<'a>(&'a self, form: &str, field: &str, default: &'a str) -> &'a str {
        match self.kept(form, field) {
            "" => default,
            v => v,
        }
    }

    /// Whether `value` was chosen in `field` of the form `form` when it failed.
    fn kept_has(&self, form: &str, field: &str, value: &str) -> bool {
        self.failed == form && self.posted.iter().any(|(k, v)| k == field && v == value)
    }

    fn may(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }
}

/// A form of the page that was refused: its problems, which form, the status to answer with.
pub(super) struct Failure {
    pub(super) errors: FieldErrors,
    pub(super) form: String,
    pub(super) status: StatusCode,
    /// What was typed in it, shown again.
    pub(super) posted: Vec<(String, String)>,
}

impl Failure {
    /// Nothing failed.
    fn none() -> Failure {
        Failure {
            errors: Vec::new(),
            form: String::new(),
            status: StatusCode::OK,
            posted: Vec::new(),
        }
    }
}

/// The page of `c` for the viewer, with the problems of the form that failed, if one did.
pub(super) async fn case_view(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    tasks: &[CaseTask],
    part: Part,
    failure: Failure,
) -> Response {
    let Failure {
        errors,
        form: failed,
        status,
        posted,
    } = failure;
    let tr = v.tr;
    let lang = tr.lang();
    let m = &v.snap.model;
    let rules = rules(v);
    let today = state.today();
    let (entries, attached) = if part.commission || part.respondent {
        match (
            state.db.case_entries(&c.id).await,
            state.db.case_attachments(&c.id).await,
        ) {
            (Ok(e), Ok(f)) => (e, f),
            (Err(e), _) | (_, Err(e)) => return storage_refusal(tr, e, &c.id).page(tr),
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let mut by_entry = files_by_entry(v, part, c, &entries, &attached);
    let own = |step: &str| {
        entries
            .iter()
            .rev()
            .find(|e| e.step.as_deref() == Some(step) && may_see(v, part, e))
            .map(|e| e.seq)
    };
    let (statement_seq, appeal_seq) = (own("submit-statement"), own("appeal"));
    // Where the respondent may still add files (the commission adds on the case file).
    let addable = |seq: Option<i64>| {
        seq.filter(|s| {
            !part.commission
                && entries
                    .iter()
                    .any(|e| e.seq == *s && respondent_may_add(c, e))
        })
    };
    let (statement_attach, appeal_attach) = (addable(statement_seq), addable(appeal_seq));
    let statement_files = statement_seq
        .and_then(|s| by_entry.get(&s))
        .map(|f| f.iter().map(FileRow::clone).collect())
        .unwrap_or_default();
    let appeal_files = appeal_seq
        .and_then(|s| by_entry.get(&s))
        .map(|f| f.iter().map(FileRow::clone).collect())
        .unwrap_or_default();
    let inquiries: Vec<InquiryView> = entries
        .iter()
        .filter(|_| part.commission)
        .filter_map(|e| {
            let (assignee, due) = e.inquiry.as_ref()?;
            let done = entries
                .iter()
                .find(|a| a.answers == Some(e.seq))
                .map(|a| (a.text.clone(), date(a.day)));
            Some(InquiryView {
                seq: e.seq,
                text: e.text.clone(),
                assignee: person_name(m, assignee),
                due: date(*due),
                overdue: done.is_none() && *due < today,
                done,
            })
        })
        .collect();
    let investigators: Vec<(String, String)> = match (part.commission, v.user.person.as_deref()) {
        (true, Some(me)) => m
            .person(me)
            .map(|p| {
                m.people_of(&p.org)
                    .map(|x| (x.id.clone(), x.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut facts = Vec::new();
    let mut file = Vec::new();
    for e in entries.iter().filter(|_| part.commission) {
        let files = by_entry.remove(&e.seq).unwrap_or_default();
        let by = e
            .person
            .as_deref()
            .map(|p| person_name(m, p))
            .unwrap_or_else(|| e.created_by.clone());
        match (&e.fact, e.kind) {
            (Some(f), _) => {
                let (title, href) = match &f.reference {
                    Some(r) => match evidence_of(state, v, f.kind, r).await {
                        Some((_, t, h)) => (t, h),
                        None => (r.clone(), String::new()),
                    },
                    None => (String::new(), String::new()),
                };
                facts.push(FactView {
                    seq: e.seq,
                    files,
                    kind: tr.t(&format!("cases.fact.{}", f.kind.as_str())).to_string(),
                    title,
                    href,
                    ground: f.ground.clone().unwrap_or_default(),
                    indicator: f
                        .indicator
                        .as_deref()
                        .map(|i| tr.t(&format!("cases.indicator.{i}")).to_string())
                        .unwrap_or_default(),
                    note: f.note.clone(),
                    day: date(e.day),
                });
            }
            (None, kind) => file.push(EntryView {
                seq: e.seq,
                files,
                kind: kind.as_str(),
                what: match (&e.step, kind) {
                    (Some(s), _) => tr.t(&format!("cases.step.{s}")).to_string(),
                    (None, k) => tr.t(&format!("cases.entry.{}", k.as_str())).to_string(),
                },
                text: e.text.clone(),
                day: date(e.day),
                by,
            }),
        }
    }
    let me = v.user.person.as_deref();
    let open_tasks = tasks.iter().filter(|t| t.verified_on.is_none()).count();
    let standing = c.standing(open_tasks);
    let shown_tasks: Vec<TaskView> = tasks
        .iter()
        .filter(|t| part.commission || Some(t.fields.owner.as_str()) == me)
        .map(|t| {
            let (status, key) = match (t.verified_on, t.reported_on) {
                (Some(_), _) => ("verified", "cases.task.verified"),
                (None, Some(_)) => ("reported", "cases.task.reported"),
                (None, None) if t.overdue(today) => ("overdue", "cases.task.overdue"),
                (None, None) => ("open", "cases.task.open"),
            };
            let closed = c.state == CaseState::Closed;
            TaskView {
                id: t.id.clone(),
                title: t.fields.title.clone(),
                owner: person_name(m, &t.fields.owner),
                deadline: date(t.fields.deadline),
                status,
                status_name: tr.t(key).to_string(),
                evidence: t.evidence.clone().unwrap_or_default(),
                note: t.verification_note.clone().unwrap_or_default(),
                verified: match (t.verified_on, &t.verified_by) {
                    (Some(d), Some(p)) => format!("{} · {}", date(d), person_name(m, p)),
                    (Some(d), None) => date(d),
                    _ => String::new(),
                },
                version: t.version,
                may_report: !closed
                    && t.verified_on.is_none()
                    && t.reported_on.is_none()
                    && Some(t.fields.owner.as_str()) == me,
                may_verify: !closed
                    && part.commission
                    && t.awaiting_verification()
                    && Some(t.fields.owner.as_str()) != me,
            }
        })
        .collect();
    let actions: Vec<&'static str> = rules
        .procedure
        .actions_on(&standing, today)
        .into_iter()
        .filter(|a| {
            if respondents(*a) {
                part.respondent
            } else {
                part.commission
            }
        })
        .map(|a| a.as_str())
        .collect();
    let decision = c.decision.as_ref().map(|d| DecisionView {
        findings: d
            .findings
            .iter()
            .map(|f| FindingView {
                ground: ground_title(v, &f.ground),
                upheld: f.upheld,
                reason: f.reason.clone(),
            })
            .collect(),
        forms: d
            .forms
            .iter()
            .map(|f| rules.form_name(f, lang))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", ")),
        body: d.deciding_body.clone(),
        number: d.document_number.clone().unwrap_or_default(),
        decided_on: date(d.decided_on),
        text: d.decision_text.clone(),
    });
    let page_part = Part {
        // A respondent does not see the referral; a referrer only that.
        ..part
    };
    let base = format!("/cases/{}", encode(&c.id));
    page(
        status,
        &CasePage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            base,
            list_href: with_lang("/cases", tr),
            part: page_part,
            version: c.version,
            title: c.fields.title.clone(),
            state: c.state.as_str(),
            state_name: state_name(tr, c.state),
            subject: subject_text(v, c),
            period: format!(
                "{} – {}",
                date(c.fields.period_from),
                date(c.fields.period_to)
            ),
            grounds: c
                .fields
                .grounds
                .iter()
                .map(|g| (g.clone(), ground_title(v, g)))
                .collect(),
            background: c.fields.background.clone(),
            referred: match (&c.referred_by, c.referred_on) {
                (Some(by), Some(d)) => tr.tf(
                    "cases.referred_by",
                    &[("who", by.as_str()), ("day", &date(d))],
                ),
                _ => String::new(),
            },
            decline_reason: c.decline_reason.clone().unwrap_or_default(),
            respondent: c
                .respondent
                .as_deref()
                .map(|p| person_name(m, p))
                .unwrap_or_default(),
            invitation: c.invitation.clone().unwrap_or_default(),
            invited_on: c.invited_on.map(date).unwrap_or_default(),
            statement_due: c.statement_due.map(date).unwrap_or_default(),
            statement: c.statement.clone().unwrap_or_default(),
            statement_on: c.statement_on.map(date).unwrap_or_default(),
            lapsed_on: c.lapsed_on.map(date).unwrap_or_default(),
            decision,
            notified_on: c.notified_on.map(date).unwrap_or_default(),
            appeal_until: rules
                .procedure
                .appeal_until(&standing)
                .map(date)
                .unwrap_or_default(),
            appeal: c.appeal.clone().unwrap_or_default(),
            appealed_on: c.appealed_on.map(date).unwrap_or_default(),
            appeal_decision: c
                .appeal_decision
                .as_ref()
                .map(|a| {
                    let forms: Vec<String> =
                        a.forms.iter().map(|f| rules.form_name(f, lang)).collect();
                    let mut s = format!(
                        "{} · {} · {}",
                        date(a.decided_on),
                        a.outcome.name(lang),
                        a.reason
                    );
                    if !forms.is_empty() {
                        s.push_str(&format!(" · {}", forms.join(lang.pick("、", ", "))));
                    }
                    s
                })
                .unwrap_or_default(),
            closed_on: c.closed_on.map(date).unwrap_or_default(),
            docx_href: (c.decision.is_some() && (part.commission || part.respondent))
                .then(|| format!("/cases/{}/decision.docx", encode(&c.id))),
            actions,
            facts,
            entries: file,
            inquiries,
            investigators,
            statement_attach,
            statement_files,
            appeal_attach,
            appeal_files,
            tasks: shown_tasks,
            people: if part.commission {
                m.people_within(&c.fields.org)
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect()
            } else {
                Vec::new()
            },
            forms: rules
                .forms_for(c.fields.subject_kind)
                .map(|f| (f.id.clone(), lang.pick(&f.name, &f.name_en).to_string()))
                .collect(),
            fact_kinds: FactKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str().to_string(),
                        tr.t(&format!("cases.fact.{}", k.as_str())).to_string(),
                    )
                })
                .collect(),
            org_subject: c.fields.subject_kind == SubjectKind::Org,
            today: date(today),
            errors,
            failed,
            posted,
        },
    )
}

/// `GET /cases/{id}`
pub(super) async fn case_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    match seen(&state, &v, &id, "page").await {
        Ok((c, tasks, part)) => case_view(&state, &v, &c, &tasks, part, Failure::none()).await,
        Err(r) => r.page(tr),
    }
}

/// The case a form was posted to, and what was typed in it.
type Posted<'a> = (Result<Path<String>, Rejected>, &'a [(String, String)]);

/// Runs a posted form's change on the case `id`: back to the case (at `anchor`) when done, the
/// case again with the problems beside the form `form` when refused.
async fn act_on_page<T>(
    state: &AppState,
    v: &Viewer,
    (id, posted): Posted<'_>,
    form: &str,
    anchor: &str,
    change: impl AsyncFnOnce(&Case, &[CaseTask], Part) -> Result<T, Refused>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    let (c, tasks, part) = match seen(state, v, &id, "page-change").await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let refused = match change(&c, &tasks, part).await {
        Ok(_) => return redirect(&format!("{}#{anchor}", case_href(&c.id, tr))),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    // Shown as the case stands now (another change may have come first).
    let (c, tasks) = match (state.db.case(&id).await, state.db.case_tasks(&id).await) {
        (Ok(c), Ok(t)) => (c, t),
        (Err(e), _) | (_, Err(e)) => return storage_refusal(tr, e, &id).page(tr),
    };
    let part = part_of(v, &c, &tasks);
    let failure = Failure {
        errors,
        form: form.to_string(),
        status,
        posted: posted.to_vec(),
    };
    case_view(state, v, &c, &tasks, part, failure).await
}

/// `POST /cases/{id}/steps`: urlencoded, or multipart with the statement's or appeal's files.
pub(super) async fn step_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    req: axum::extract::Request,
) -> Response {
    use crate::shared::uploads::{FormError, read_form};
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    // The form is read first: a multipart one's token is checked before anything else (its
    // files are staged, and dropped unless the step is taken); the look at the case, audited
    // once, comes with the change.
    let (pairs, upload) = match read_form(&state, tr, req).await {
        Ok(x) => x,
        Err(FormError::Refused(r)) => return r,
        Err(FormError::Upload(e)) => {
            let (c, tasks, part) = match seen(&state, &v, &id, "page-change").await {
                Ok(x) => x,
                Err(r) => return r.page(tr),
            };
            let (status, message) = e.message(tr);
            let failure = Failure {
                errors: vec![("file".to_string(), message)],
                form: String::new(),
                status,
                posted: Vec::new(),
            };
            return case_view(&state, &v, &c, &tasks, part, failure).await;
        }
    };
    let action = form_first(&pairs, "action").trim().to_string();
    act_on_page(
        &state,
        &v,
        (Ok(Path(id)), &pairs),
        &action,
        "procedure",
        async |c, tasks, part| {
            let files = staged(&state, tr, upload).await?;
            let b = StepBody::from_form(&pairs, &c.fields.grounds);
            take_step(&state, &v, c, (part, tasks), &b, &files).await
        },
    )
    .await
}

/// `POST /cases/{id}/facts`
pub(super) async fn fact_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let p = posted_pairs(body);
    let d = FactDraft {
        kind: form_first(&p, "kind").into(),
        reference: form_first(&p, "reference").into(),
        ground: form_first(&p, "ground").into(),
        note: form_first(&p, "note").into(),
        indicator: String::new(),
    };
    act_on_page(&state, &v, (id, &p), "fact", "facts", async |c, _, part| {
        add_facts(&state, &v, c, part, std::slice::from_ref(&d)).await
    })
    .await
}

/// `POST /cases/{id}/notes`
pub(super) async fn note_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let p = posted_pairs(body);
    let d = NoteDraft {
        text: form_first(&p, "text").into(),
        assignee: form_first(&p, "assignee").into(),
        due: form_first(&p, "due").into(),
        answers: form_first(&p, "answers").trim().parse().ok(),
    };
    // A task's report comes from the task's own form.
    let form = match d.answers {
        Some(seq) => format!("inquiry-{seq}"),
        None => "note".to_string(),
    };
    act_on_page(
        &state,
        &v,
        (id, &p),
        &form,
        "inquiries",
        async |c, _, part| add_note(&state, &v, c, part, &d).await,
    )
    .await
}

/// `POST /cases/{id}/tasks`
pub(super) async fn task_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let p = posted_pairs(body);
    let d = TaskDraft {
        title: form_first(&p, "title").into(),
        owner: form_first(&p, "owner").into(),
        deadline: form_first(&p, "deadline").into(),
    };
    act_on_page(
        &state,
        &v,
        (id, &p),
        "task",
        "remediation",
        async |c, _, part| add_task(&state, &v, c, part, &d).await,
    )
    .await
}

/// `POST /cases/{id}/tasks/{task}`
pub(super) async fn task_step_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path((id, task))) = ids else {
        return not_found(tr, "").page(tr);
    };
    let p = posted_pairs(body);
    let s = TaskStep {
        act: form_first(&p, "do").into(),
        version: form_first(&p, "version").trim().parse().unwrap_or(0),
        evidence: form_first(&p, "evidence").into(),
        note: form_first(&p, "note").into(),
    };
    let form = format!("task-{task}");
    act_on_page(
        &state,
        &v,
        (Ok(Path(id)), &p),
        &form,
        &format!("task-{task}"),
        async |c, _, part| task_step(&state, &v, c, part, &task, &s).await,
    )
    .await
}
