//! A platform's annual review (年审): the form that answers the pack's checklist item by item,
//! the outcome, and — for "rectify" — the rectification tasks with their owners and deadlines;
//! the API that takes the same; what the platform's page shows of its reviews and tasks.

use super::*;
use zeren_core::platforms::{ItemDraft, RectificationDraft, ReviewDraft, TASKS_MAX, check_review};
use zeren_core::policy::ReviewItem;
use zeren_core::vocab::ReviewOutcome;
use zeren_storage::repo::records::Record;
use zeren_storage::repo::reviews::Rectification;

/// Blank task rows the form offers beyond those typed in.
const BLANK_TASKS: usize = 3;

/// Records a review of `p` checked by the core; the record.
pub(super) async fn review(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    draft: &ReviewDraft,
) -> Result<Record, Refused> {
    let tr = v.tr;
    let lang = tr.lang();
    let today = state.today();
    let (day, checked) = check_review(
        draft,
        p,
        v.snap.pack.annual_review.as_ref(),
        &v.snap.model,
        today,
        lang,
    )
    .map_err(Refused::Fields)?;
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let r = tx
            .record_review(p, day, checked, &v.snap.set, &v.snap.model, lang)
            .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(r)
    }
    .await
    .map_err(|e| Refused::Other(storage_refusal(tr, e, &p.id)))?;
    let _ = state.caught_up().await;
    Ok(out)
}

// ------------------------------------------------------------------------------------------
// The form
// ------------------------------------------------------------------------------------------

/// One checklist item on the form.
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub help: String,
    pub result: String,
    pub note: String,
}

/// One task row on the form.
pub struct TaskRow {
    pub n: usize,
    pub draft: RectificationDraft,
}

#[derive(Template)]
#[template(path = "platforms_review.html")]
pub(super) struct ReviewFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) platform: String,
    pub(super) items: Vec<ItemRow>,
    pub(super) outcomes: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) tasks: Vec<TaskRow>,
    pub(super) draft: ReviewDraft,
    pub(super) default_deadline: String,
    pub(super) errors: FieldErrors,
}

impl ReviewFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    /// Problems of fields the form shows nowhere else (a task's, an unknown item's, a refusal).
    pub(super) fn general_errors(&self) -> Vec<&str> {
        let shown: Vec<String> = ["date", "reviewer", "outcome", "summary"]
            .iter()
            .map(|s| s.to_string())
            .chain(self.items.iter().map(|i| format!("items.{}", i.id)))
            .collect();
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        crate::shared::format::other_errors(&self.errors, &shown)
    }

    pub(super) fn label(&self, field: &str) -> String {
        zeren_core::records::field_label(field, self.tr.lang()).to_string()
    }
}

/// People who may review the platform or own a task: of its org, below it and above it.
pub(super) fn platform_people(v: &Viewer, p: &Platform) -> Vec<(String, String)> {
    let m = &v.snap.model;
    let mut orgs = Vec::new();
    let mut at = m.org(&p.org);
    while let Some(o) = at {
        orgs.push(o.id.clone());
        at = m.parent(o);
    }
    let mut out: Vec<(String, String)> = orgs
        .iter()
        .skip(1)
        .rev()
        .flat_map(|o| m.people_of(o))
        .chain(m.people_within(&p.org))
        .map(|person| {
            let org = m.org(&person.org).map(|o| o.name.as_str()).unwrap_or("");
            (person.id.clone(), format!("{}（{org}）", person.name))
        })
        .collect();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The pack's items asked of `p`.
fn asked<'a>(v: &'a Viewer, p: &Platform) -> Vec<&'a ReviewItem> {
    v.snap
        .pack
        .annual_review
        .as_ref()
        .map(|c| c.items_for(p.kind, p.news_function))
        .unwrap_or_default()
}

fn review_form(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
    mut draft: ReviewDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let lang = tr.lang();
    let today = state.today();
    if draft.date.is_empty() {
        draft.date = date(today);
    }
    let days = v
        .snap
        .pack
        .annual_review
        .as_ref()
        .map_or(30, |c| c.rectification_days);
    let items = asked(v, p)
        .into_iter()
        .map(|i| {
            let answer = draft.items.get(&i.id).cloned().unwrap_or_default();
            ItemRow {
                id: i.id.clone(),
                title: lang.pick(&i.title, &i.title_en).to_string(),
                help: match (&i.help, &i.help_en) {
                    (Some(zh), Some(en)) => lang.pick(zh, en).to_string(),
                    (Some(h), None) | (None, Some(h)) => h.clone(),
                    (None, None) => String::new(),
                },
                result: answer.result,
                note: answer.note,
            }
        })
        .collect();
    let rows = (draft.rectifications.len() + BLANK_TASKS).min(TASKS_MAX);
    let tasks = (0..rows)
        .map(|n| TaskRow {
            n: n + 1,
            draft: draft.rectifications.get(n).cloned().unwrap_or_default(),
        })
        .collect();
    page(
        status,
        &ReviewFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: with_lang(&format!("/platforms/{}/review", encode(&p.id)), tr),
            cancel: platform_href(&p.id, tr),
            platform: p.name.clone(),
            items,
            outcomes: [
                ReviewOutcome::Pass,
                ReviewOutcome::Rectify,
                ReviewOutcome::Close,
            ]
            .iter()
            .map(|o| (o.as_str().to_string(), outcome_name(tr, *o)))
            .collect(),
            people: platform_people(v, p),
            tasks,
            default_deadline: tr
                .tf(
                    "platforms.review.deadline_hint",
                    &[("days", days.to_string().as_str())],
                )
                .to_string(),
            draft,
            errors,
        },
    )
}

/// An outcome's name in the user's language.
pub(super) fn outcome_name(tr: Tr, o: ReviewOutcome) -> String {
    tr.t(&format!("platforms.review.outcome.{}", o.as_str()))
        .to_string()
}

/// The review as typed into the form: `item.<id>`, `note.<id>` for each item, `task.<n>.<field>`
/// for each task row (a row left wholly empty is no task).
fn draft_from(pairs: &[(String, String)]) -> ReviewDraft {
    let mut items: std::collections::BTreeMap<String, ItemDraft> = Default::default();
    let mut tasks: std::collections::BTreeMap<usize, RectificationDraft> = Default::default();
    for (k, val) in pairs {
        if let Some(id) = k.strip_prefix("item.") {
            items.entry(id.to_string()).or_default().result = val.clone();
        } else if let Some(id) = k.strip_prefix("note.") {
            items.entry(id.to_string()).or_default().note = val.clone();
        } else if let Some(rest) = k.strip_prefix("task.")
            && let Some((n, field)) = rest.split_once('.')
            && let Ok(n) = n.parse::<usize>()
            && (1..=TASKS_MAX + BLANK_TASKS).contains(&n)
        {
            let t = tasks.entry(n).or_default();
            match field {
                "item" => t.item = val.clone(),
                "title" => t.title = val.clone(),
                "owner" => t.owner = val.clone(),
                "deadline" => t.deadline = val.clone(),
                _ => {}
            }
        }
    }
    // An answer with neither result nor note was not given.
    items.retain(|_, i| !(i.result.trim().is_empty() && i.note.trim().is_empty()));
    ReviewDraft {
        date: form_first(pairs, "date").into(),
        reviewer: form_first(pairs, "reviewer").into(),
        items,
        outcome: form_first(pairs, "outcome").into(),
        summary: form_first(pairs, "summary").into(),
        rectifications: tasks
            .into_values()
            .filter(|t| {
                !(t.title.trim().is_empty()
                    && t.owner.trim().is_empty()
                    && t.deadline.trim().is_empty())
            })
            .collect(),
    }
}

pub(super) async fn new_review_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let p = match target(&v, id) {
        Ok(p) => p,
        Err(r) => return r.page(tr),
    };
    let draft = ReviewDraft {
        reviewer: v.user.person.clone().unwrap_or_default(),
        ..ReviewDraft::default()
    };
    review_form(&state, &v, &p, draft, Vec::new(), StatusCode::OK)
}

pub(super) async fn review_page(
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
    let draft = draft_from(&posted_pairs(body));
    let refused = match review(&state, &v, &p, &draft).await {
        Ok(r) => return redirect(&with_lang(&format!("/records/{}", encode(&r.id)), tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    review_form(&state, &v, &p, draft, errors, status)
}

// ------------------------------------------------------------------------------------------
// The API
// ------------------------------------------------------------------------------------------

/// A review as the API shows it.
fn review_json(r: &Record) -> Value {
    r.to_json()
}

/// `GET /api/v1/platforms/{id}/reviews`
pub(super) async fn api_reviews(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = readable(&v, &id).map_err(Refusal::api)?.clone();
    let (reviews, tasks) = async {
        Ok::<_, StorageError>((
            state.db.reviews_of(&p.id).await?,
            state.db.rectification_obligations(&p.id).await?,
        ))
    }
    .await
    .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let rects = state
        .db
        .rectifications_of(&p.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let today = state.today();
    Ok(Json(json!({
        "platform": p.id,
        "reviews": reviews.iter().map(review_json).collect::<Vec<_>>(),
        "rectifications": rects.iter().map(|r| rectification_json(&v, r, &tasks, today)).collect::<Vec<_>>(),
    }))
    .into_response())
}

fn rectification_json(
    v: &Viewer,
    r: &Rectification,
    obligations: &[StoredObligation],
    today: NaiveDate,
) -> Value {
    let o = obligations.iter().find(|o| o.subject == r.id);
    json!({
        "id": r.id,
        "review": r.review,
        "item": r.item,
        "title": r.title,
        "owner": {"id": r.owner, "name": person_name(&v.snap.model, &r.owner)},
        "opened_on": date(r.opened_on),
        "deadline": date(r.deadline),
        "obligation": o.map(|o| o.id.clone()),
        "status": o.map(|o| status_of(v, o, today).as_str()),
        "completed_on": o.and_then(|o| o.completed_on).map(date),
    })
}

/// `POST /api/v1/platforms/{id}/reviews`
pub(super) async fn api_create_review(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<ReviewDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(draft) = body?;
    let r = review(&state, &v, &p, &draft)
        .await
        .map_err(|r| r.api(tr))?;
    Ok((StatusCode::CREATED, Json(review_json(&r))).into_response())
}

// ------------------------------------------------------------------------------------------
// On the platform's page
// ------------------------------------------------------------------------------------------

/// A review as the platform's page lists it.
pub struct ReviewView {
    pub href: String,
    pub date: String,
    pub outcome: &'static str,
    pub outcome_name: String,
    pub reviewer: String,
    pub not_met: usize,
}

/// A rectification task as the platform's page lists it.
pub struct RectificationView {
    pub title: String,
    pub owner: String,
    pub deadline: String,
    pub status: &'static str,
    pub status_name: String,
    pub href: Option<String>,
    pub report_href: Option<String>,
}

/// The reviews and tasks of `p` as its page shows them.
pub(super) async fn review_views(
    state: &AppState,
    v: &Viewer,
    p: &Platform,
) -> Result<(Vec<ReviewView>, Vec<RectificationView>), StorageError> {
    let tr = v.tr;
    let m = &v.snap.model;
    let today = state.today();
    let reviews = state.db.reviews_of(&p.id).await?;
    let obligations = state.db.rectification_obligations(&p.id).await?;
    let rects = state.db.rectifications_of(&p.id).await?;
    let reviews = reviews
        .iter()
        .filter_map(|r| {
            let rv = r.details.review()?;
            Some(ReviewView {
                href: with_lang(&format!("/records/{}", encode(&r.id)), tr),
                date: date(r.date),
                outcome: rv.outcome.as_str(),
                outcome_name: outcome_name(tr, rv.outcome),
                reviewer: person_name(m, &rv.reviewer),
                not_met: rv.not_met().count(),
            })
        })
        .collect();
    let tasks = rects
        .iter()
        .map(|r| {
            let o = obligations.iter().find(|o| o.subject == r.id);
            let status = o.map_or("none", |o| status_of(v, o, today).as_str());
            RectificationView {
                title: r.title.clone(),
                owner: person_name(m, &r.owner),
                deadline: date(r.deadline),
                status,
                status_name: match o {
                    Some(_) => tr.t(&format!("status.{status}")).to_string(),
                    None => tr.t("platforms.review.no_obligation").to_string(),
                },
                href: o.map(|o| with_lang(&format!("/obligations/{}", encode(&o.id)), tr)),
                report_href: o.filter(|o| o.state == "open").map(|o| {
                    href_with(
                        "/records/new",
                        &[
                            ("kind", "rectification-report"),
                            ("obligation", o.id.as_str()),
                        ],
                        tr,
                    )
                }),
            }
        })
        .collect();
    Ok((reviews, tasks))
}
