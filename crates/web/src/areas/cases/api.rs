//! The JSON API of cases: `/api/v1/cases`. A case is answered as the caller may see it: whole
//! for the commission, the respondent's part, a task owner's tasks, a referrer's outcome.

use super::*;

/// The list's query.
#[derive(Deserialize, Default)]
pub struct CaseQuery {
    pub(super) org: Option<String>,
    pub(super) state: Option<String>,
    pub(super) page: Option<String>,
}

/// The filter a query asks for within the commission's scope: an org outside it 404, a bad
/// state or page 422 naming it. Also the org code and the page.
pub(super) fn filter_of(v: &Viewer, q: &CaseQuery) -> Result<(CaseFilter, String, i64), Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let scope: Vec<String> = readable_orgs(v)
        .into_iter()
        .filter(|o| v.can(Permission::Cases, Some(o)))
        .collect();
    let (org, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::Cases, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "cases.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), scope),
    };
    let states = match nonempty(&q.state) {
        None => Vec::new(),
        Some("open") => CaseState::ALL.into_iter().filter(|s| s.open()).collect(),
        Some(s) => vec![CaseState::parse(s).ok_or_else(|| {
            Refusal::invalid(tr, "state", &tr.tf("cases.error.state", &[("value", s)]))
        })?],
    };
    let page = page_number(nonempty(&q.page), tr, "cases.error.page")? as i64;
    Ok((
        CaseFilter {
            orgs: unless_every_org(v, &orgs),
            states,
            offset: (page - 1) * PER_PAGE,
            limit: PER_PAGE,
        },
        org,
        page,
    ))
}

/// `{id, name}` of a person.
fn person_json(v: &Viewer, id: Option<&str>) -> Value {
    id.map_or(
        Value::Null,
        |p| json!({"id": p, "name": person_name(&v.snap.model, p)}),
    )
}

/// The grounds with their titles.
fn grounds_json(v: &Viewer, c: &Case) -> Value {
    json!(
        c.fields
            .grounds
            .iter()
            .map(|g| json!({"id": g, "title": ground_title(v, g)}))
            .collect::<Vec<_>>()
    )
}

/// The decision with its forms named.
fn decision_json(v: &Viewer, c: &Case) -> Value {
    let rules = rules(v);
    let lang = v.tr.lang();
    c.decision.as_ref().map_or(Value::Null, |d| {
        let mut j = zeren_storage::repo::cases::decision_json(d);
        j["forms"] = json!(
            d.forms
                .iter()
                .map(|f| json!({"id": f, "name": rules.form_name(f, lang)}))
                .collect::<Vec<_>>()
        );
        j
    })
}

/// The case as the commission sees it: whole, with its file, tasks and what may be done next.
pub(super) async fn whole_json(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    tasks: &[CaseTask],
) -> Result<Value, Refusal> {
    let tr = v.tr;
    let entries = state
        .db
        .case_entries(&c.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &c.id))?;
    let mut out = c.to_json();
    let m = &v.snap.model;
    let org = m.org(&c.fields.org);
    out["org"] = json!({"id": c.fields.org, "code": org.map(|o| o.code.as_str()), "name": org.map(|o| o.name.as_str())});
    out["person"] = person_json(v, c.fields.person.as_deref());
    out["respondent"] = person_json(v, c.respondent.as_deref());
    out["post"] = c
        .fields
        .post
        .as_deref()
        .and_then(|p| m.post(p))
        .map_or(Value::Null, |p| json!({"id": p.id, "title": p.title}));
    out["subject"] = json!(subject_text(v, c));
    out["grounds"] = grounds_json(v, c);
    out["decision"] = decision_json(v, c);
    let attached = state
        .db
        .case_attachments(&c.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &c.id))?;
    let mut file = Vec::new();
    for e in &entries {
        let mut j = e.to_json();
        j["files"] = json!(
            attached
                .iter()
                .filter(|f| f.seq == e.seq)
                .map(|f| file_json(&c.id, f))
                .collect::<Vec<_>>()
        );
        if let Some(f) = &e.fact
            && let Some(r) = &f.reference
            && let Some((_, title, href)) = evidence_of(state, v, f.kind, r).await
        {
            j["evidence"] = json!({"title": title, "href": href});
        }
        file.push(j);
    }
    out["file"] = json!(file);
    out["tasks"] = json!(tasks.iter().map(|t| task_json(v, t)).collect::<Vec<_>>());
    let open = tasks.iter().filter(|t| t.verified_on.is_none()).count();
    let standing = c.standing(open);
    let rules = rules(v);
    let today = state.today();
    out["appeal_until"] = json!(rules.procedure.appeal_until(&standing).map(date));
    out["actions"] = json!(
        rules
            .procedure
            .actions_on(&standing, today)
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
    );
    out["decision_document"] = json!(
        c.decision
            .as_ref()
            .map(|_| format!("/cases/{}/decision.docx", encode(&c.id)))
    );
    Ok(out)
}

/// A task as JSON, its owner named.
pub(super) fn task_json(v: &Viewer, t: &CaseTask) -> Value {
    let mut j = t.to_json();
    j["owner"] = person_json(v, Some(&t.fields.owner));
    j["verified_by"] = person_json(v, t.verified_by.as_deref());
    j
}

/// The case as someone with a part in it other than the commission sees it (`files`: those of
/// the respondent's own statement and appeal).
pub(super) fn part_json(
    v: &Viewer,
    c: &Case,
    tasks: &[CaseTask],
    part: Part,
    files: &[Value],
    today: chrono::NaiveDate,
) -> Value {
    let mut out = json!({"id": c.id, "version": c.version});
    if part.referrer {
        out["referral"] = json!({
            "title": c.fields.title,
            "referred_on": c.referred_on.map(date),
            "outcome": match c.state {
                CaseState::Referred => "waiting",
                CaseState::Declined => "declined",
                _ => "accepted",
            },
            "decline_reason": c.decline_reason,
        });
    }
    if part.respondent {
        let rules = rules(v);
        let open = tasks.iter().filter(|t| t.verified_on.is_none()).count();
        out["title"] = json!(c.fields.title);
        out["subject"] = json!(subject_text(v, c));
        out["grounds"] = grounds_json(v, c);
        out["state"] = json!(c.state.as_str());
        out["invitation"] = json!(c.invitation);
        out["invited_on"] = json!(c.invited_on.map(date));
        out["statement_due"] = json!(c.statement_due.map(date));
        out["statement"] = json!(c.statement);
        out["statement_on"] = json!(c.statement_on.map(date));
        out["decision"] = decision_json(v, c);
        out["notified_on"] = json!(c.notified_on.map(date));
        out["appeal_until"] = json!(rules.procedure.appeal_until(&c.standing(open)).map(date));
        out["appeal"] = json!(c.appeal);
        out["appealed_on"] = json!(c.appealed_on.map(date));
        out["files"] = json!(files);
        out["appeal_decision"] = c
            .appeal_decision
            .as_ref()
            .map_or(Value::Null, zeren_storage::repo::cases::appeal_json);
        out["actions"] = json!(
            rules
                .procedure
                .actions_on(&c.standing(open), today)
                .into_iter()
                .filter(|a| respondents(*a))
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
        );
        out["decision_document"] = json!(
            c.decision
                .as_ref()
                .map(|_| format!("/cases/{}/decision.docx", encode(&c.id)))
        );
    }
    if part.owner {
        let me = v.user.person.as_deref();
        out["tasks"] = json!(
            tasks
                .iter()
                .filter(|t| Some(t.fields.owner.as_str()) == me)
                .map(|t| task_json(v, t))
                .collect::<Vec<_>>()
        );
    }
    out
}

/// The case as `part` may see it.
async fn as_seen(
    state: &AppState,
    v: &Viewer,
    c: &Case,
    tasks: &[CaseTask],
    part: Part,
) -> Result<Value, ApiError> {
    if part.commission {
        return whole_json(state, v, c, tasks).await.map_err(Refusal::api);
    }
    let mut files = Vec::new();
    if part.respondent {
        let tr = v.tr;
        let (entries, attached) = match (
            state.db.case_entries(&c.id).await,
            state.db.case_attachments(&c.id).await,
        ) {
            (Ok(e), Ok(f)) => (e, f),
            (Err(e), _) | (_, Err(e)) => return Err(storage_refusal(tr, e, &c.id).api()),
        };
        files = attached
            .iter()
            .filter(|f| {
                entries
                    .iter()
                    .any(|e| e.seq == f.seq && may_see(v, part, e))
            })
            .map(|f| file_json(&c.id, f))
            .collect();
    }
    Ok(part_json(v, c, tasks, part, &files, state.today()))
}

/// `GET /api/v1/cases`
pub(super) async fn api_cases(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<CaseQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::Cases) {
        return Err(Refusal::forbidden(tr).api());
    }
    let Query(q) = q?;
    let (f, _, page) = filter_of(&v, &q).map_err(Refusal::api)?;
    let (cases, total) = state
        .db
        .cases(&f)
        .await
        .map_err(|e| storage_refusal(tr, e, "").api())?;
    let items: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut j = json!({
                "id": c.id, "title": c.fields.title, "state": c.state.as_str(),
                "subject": subject_text(&v, c), "grounds": c.fields.grounds,
                "org": c.fields.org, "statement_due": c.statement_due.map(date),
                "referred_by": c.referred_by, "version": c.version,
            });
            j["decided_on"] = json!(c.decision.as_ref().map(|d| date(d.decided_on)));
            j
        })
        .collect();
    Ok(
        Json(json!({"total": total, "page": page, "per_page": f.limit, "items": items}))
            .into_response(),
    )
}

/// `GET /api/v1/cases/mine`
pub(super) async fn api_mine(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let asked = asked_of(&state, &v).await;
    let tr = v.tr;
    let referrals = state
        .db
        .referrals_of(&v.user.username)
        .await
        .map_err(|e| storage_refusal(tr, e, "").api())?;
    Ok(Json(json!({
        "asked": asked.iter().map(|a| json!({
            "case": a.case, "what": a.what, "title": a.title, "due": a.due, "href": a.href,
        })).collect::<Vec<_>>(),
        "referrals": referrals.iter().map(|c| part_json(&v, c, &[], Part { referrer: true, ..Part::default() }, &[], state.today())).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `POST /api/v1/cases`
pub(super) async fn api_open(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<CaseDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let JsonBody(d) = body?;
    let c = open(&state, &v, &d).await.map_err(|r| r.api(tr))?;
    let tasks = Vec::new();
    let part = part_of(&v, &c, &tasks);
    Ok((
        StatusCode::CREATED,
        Json(as_seen(&state, &v, &c, &tasks, part).await?),
    )
        .into_response())
}

/// `GET /api/v1/cases/{id}`
pub(super) async fn api_case(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let (c, tasks, part) = seen(&state, &v, &id, "api").await.map_err(Refusal::api)?;
    Ok(Json(as_seen(&state, &v, &c, &tasks, part).await?).into_response())
}

/// Runs `change` on the case `id` as the caller may see it, and answers with the case after.
async fn api_act<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    change: impl AsyncFnOnce(&Case, &[CaseTask], Part) -> Result<T, Refused>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let (c, tasks, part) = seen(state, v, id, "api-change")
        .await
        .map_err(Refusal::api)?;
    change(&c, &tasks, part).await.map_err(|r| r.api(tr))?;
    let c = state
        .db
        .case(id)
        .await
        .map_err(|e| storage_refusal(tr, e, id).api())?;
    let tasks = state
        .db
        .case_tasks(id)
        .await
        .map_err(|e| storage_refusal(tr, e, id).api())?;
    let part = part_of(v, &c, &tasks);
    Ok(Json(as_seen(state, v, &c, &tasks, part).await?).into_response())
}

/// `POST /api/v1/cases/{id}/steps`
pub(super) async fn api_step(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<StepBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, async |c, tasks, part| {
        take_step(&state, &v, c, (part, tasks), &b, &[]).await
    })
    .await
}

/// Facts through the API.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FactsBody {
    facts: Vec<FactDraft>,
}

/// `POST /api/v1/cases/{id}/facts`
pub(super) async fn api_facts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<FactsBody>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, async |c, _, part| {
        add_facts(&state, &v, c, part, &b.facts).await
    })
    .await
}

/// `POST /api/v1/cases/{id}/notes`
pub(super) async fn api_note(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<NoteDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(b) = body?;
    api_act(&state, &v, &id, async |c, _, part| {
        add_note(&state, &v, c, part, &b).await
    })
    .await
}

/// `POST /api/v1/cases/{id}/tasks`
pub(super) async fn api_task(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<TaskDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let JsonBody(d) = body?;
    api_act(&state, &v, &id, async |c, _, part| {
        add_task(&state, &v, c, part, &d).await
    })
    .await
}

/// `POST /api/v1/cases/{id}/tasks/{task}`
pub(super) async fn api_task_step(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ids: Result<Path<(String, String)>, Rejected>,
    body: Result<JsonBody<TaskStep>, Rejected>,
) -> Result<Response, ApiError> {
    let Path((id, task)) = ids?;
    let JsonBody(s) = body?;
    api_act(&state, &v, &id, async |c, _, part| {
        task_step(&state, &v, c, part, &task, &s).await
    })
    .await
}
