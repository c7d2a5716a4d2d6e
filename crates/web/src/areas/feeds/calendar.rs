//! The personal calendar feed: its page, its address, and the `.ics` it serves.

use super::*;

/// The calendar feed of an account, for the home page and `GET /api/v1/me`: whether an address
/// exists, when it was made and last read — never the address itself, which only the answer
/// that made it shows (its secret is not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedStatus {
    /// Whether a feed address exists.
    pub active: bool,
    /// The id of the live address (not its secret): changes with every new address.
    pub id: Option<String>,
    /// When the current address was made (Asia/Shanghai, `YYYY-MM-DD HH:MM`).
    pub created_at: Option<String>,
    /// When a calendar last fetched it.
    pub last_used_at: Option<String>,
    /// The page that explains it and makes a new address.
    pub manage: &'static str,
    /// The API call that makes a new address (returned once).
    pub rotate: &'static str,
}

/// The account's calendar feed: whether one is live, and when it was made and read.
pub async fn feed_status(state: &AppState, user: &User) -> FeedStatus {
    let recent = &state.recent;
    let token = recent
        .get_or_read(
            &recent.feeds,
            &user.id,
            |_| true,
            || state.db.calendar_token_of(&user.id),
        )
        .await
        .ok()
        .flatten();
    FeedStatus {
        active: token.is_some(),
        id: token.as_ref().map(|t| t.id.clone()),
        created_at: token.as_ref().map(|t| minute(t.created_at)),
        last_used_at: token.as_ref().and_then(|t| t.last_used_at).map(minute),
        manage: "/calendar",
        rotate: "/api/v1/calendar/token",
    }
}

/// One obligation of a person's feed.
pub(super) struct FeedItem {
    pub(super) id: String,
    pub(super) duty: String,
    pub(super) org_code: String,
    pub(super) due: NaiveDate,
    pub(super) title: String,
    pub(super) org: String,
    pub(super) subject: Option<String>,
    pub(super) citation: String,
    /// 发文字号 of the version that governs it.
    pub(super) document_number: String,
    pub(super) status: ObligationStatus,
}

/// The obligations of `years` for which `person` is the responsible person on the due date.
/// Candidates come from the subtrees of the orgs where the person holds (or held) a post in
/// those years: responsibility never reaches outside them.
pub(super) async fn person_obligations(
    state: &AppState,
    snap: &Snapshot,
    person: &str,
    years: &[i32],
    lang: Lang,
) -> zeren_storage::Result<Vec<FeedItem>> {
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return Ok(Vec::new());
    };
    let (model, pack) = (&*snap.model, &snap.pack);
    let from = NaiveDate::from_ymd_opt(*first, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(*last, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut orgs: BTreeSet<String> = BTreeSet::new();
    for h in model
        .holdings()
        .iter()
        .filter(|h| h.person == person && h.overlaps(from, Some(to)))
    {
        if let Some(post) = model.post(&h.post) {
            for o in model.subtree(&post.org) {
                orgs.insert(o.id.clone());
            }
        }
    }
    let today = state.today();
    let mut out = Vec::new();
    for org_id in &orgs {
        let Some(org) = model.org(org_id) else {
            continue;
        };
        for year in years {
            for o in state.db.obligations(org_id, *year).await? {
                // Its title and article as the version that governs it states them.
                let governing = snap.set.get(&o.policy);
                let Some(duty) = governing
                    .and_then(|p| p.duty(&o.duty))
                    .or_else(|| pack.duty(&o.duty))
                else {
                    continue;
                };
                let platform = o.platform_in(model);
                let act = Act {
                    org: &org.id,
                    duty,
                    platform,
                    handler: o.handler.as_deref(),
                };
                if !is_theirs(pack, model, &act, person, o.due) {
                    continue;
                }
                let citation = duty.citation();
                out.push(FeedItem {
                    id: o.id.clone(),
                    duty: duty.id.clone(),
                    org_code: org.code.clone(),
                    due: o.due,
                    title: lang.pick(&duty.title, &duty.title_en).to_string(),
                    org: org.name.clone(),
                    subject: platform.map(|p| p.name.clone()),
                    citation: match lang {
                        Lang::Zh => citation.to_zh(),
                        Lang::En => citation.to_string(),
                    },
                    document_number: governing.unwrap_or(pack).meta.document_number.clone(),
                    status: status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    Ok(out)
}

/// `GET /calendar/{token}.ics`
pub(super) async fn calendar_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(feed): Path<String>,
) -> Response {
    let tr = Tr::new(Lang::Zh);
    let Some(secret) = feed.strip_suffix(".ics").filter(|s| !s.is_empty()) else {
        return not_found_page(tr);
    };
    let (user, token) = match state.db.calendar_token_user(secret).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found_page(tr),
        Err(e) => return internal_page(tr, &e),
    };
    let lang = user.lang.as_deref().map(Lang::from_tag).unwrap_or_default();
    let tr = Tr::preferred(lang);
    let snap = match state.current_snapshot().await {
        Ok(s) => s,
        Err(e) => return internal_page(tr, &e),
    };
    let year = state.today().year();
    let items = match &user.person {
        Some(person) if user.admin_role.is_none() => {
            match person_obligations(&state, &snap, person, &[year, year + 1], lang).await {
                Ok(items) => items,
                Err(e) => return internal_page(tr, &e),
            }
        }
        _ => Vec::new(),
    };
    let origin = origin_of(&state, &headers);
    let now = state.clock.now();
    let events = items
        .into_iter()
        .map(|it| {
            let status = tr.t(status_key(it.status));
            let summary = match (&it.subject, it.status) {
                (Some(s), ObligationStatus::Done | ObligationStatus::Waived) => {
                    format!("[{status}] {}（{s}）", it.title)
                }
                (Some(s), _) => format!("{}（{s}）", it.title),
                (None, ObligationStatus::Done | ObligationStatus::Waived) => {
                    format!("[{status}] {}", it.title)
                }
                (None, _) => it.title.clone(),
            };
            let description = [
                tr.tf(
                    "feeds.ics.citation",
                    &[("citation", &it.citation), ("number", &it.document_number)],
                ),
                tr.tf("feeds.ics.org", &[("org", &it.org)]),
                tr.tf("feeds.ics.status", &[("status", status)]),
                tr.tf("feeds.ics.due", &[("due", &it.due.to_string())]),
            ]
            .join("\n");
            let open = matches!(
                it.status,
                ObligationStatus::Upcoming | ObligationStatus::DueSoon | ObligationStatus::Overdue
            );
            ics::Event {
                uid: format!("obligation-{}@zeren", it.id),
                stamp: now,
                day: it.due,
                summary,
                description,
                url: Some(format!(
                    "{origin}/who?org={}&duty={}&at={}",
                    encode(&it.org_code),
                    encode(&it.duty),
                    it.due
                )),
                categories: vec![it.citation.clone()],
                // Done or waived obligations stay in the calendar (the summary says so); they are
                // not "cancelled" events.
                status: Some("CONFIRMED"),
                alarms_days_before: if open && it.due >= state.today() {
                    ALARM_DAYS.to_vec()
                } else {
                    Vec::new()
                },
                alarm_text: tr.tf(
                    "feeds.ics.alarm",
                    &[("title", &it.title), ("due", &it.due.to_string())],
                ),
            }
        })
        .collect();
    let cal = ics::Calendar {
        prodid: format!("-//Zeren//Zeren {}//ZH", env!("CARGO_PKG_VERSION")),
        name: tr.tf("feeds.ics.name", &[("name", &user.display_name)]),
        // Every system in force.
        description: Some(
            snap.set
                .current(state.today())
                .iter()
                .map(|p| p.meta.title.as_str())
                .collect::<Vec<_>>()
                .join(lang.pick("；", "; ")),
        ),
        refresh: chrono::Duration::hours(4),
        events,
    };
    let _ = state
        .db
        .touch_calendar_token(&token.id, state.now_ms())
        .await;
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"zeren.ics\""),
            ),
        ],
        cal.to_ics(),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "feeds_calendar.html")]
pub(super) struct CalendarPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) status: FeedStatus,
    /// The new address, shown once right after it is made.
    pub(super) new_url: Option<String>,
    pub(super) webcal_url: Option<String>,
    pub(super) count: usize,
    pub(super) year: i32,
}

pub(super) async fn render_calendar(
    state: &AppState,
    v: &Viewer,
    fresh: Option<String>,
    status: StatusCode,
) -> Response {
    let year = state.today().year();
    let count = match &v.user.person {
        Some(p) => person_obligations(state, &v.snap, p, &[year, year + 1], v.tr.lang())
            .await
            .map(|l| l.len())
            .unwrap_or(0),
        None => 0,
    };
    let webcal_url = fresh.as_ref().map(|u| {
        u.replacen("https://", "webcal://", 1)
            .replacen("http://", "webcal://", 1)
    });
    page(
        status,
        &CalendarPage {
            frame: Frame::of(state, Some(v)),
            tr: v.tr,
            csrf: v.csrf().to_string(),
            status: feed_status(state, &v.user).await,
            new_url: fresh,
            webcal_url,
            count,
            year,
        },
    )
}

/// `GET /calendar`
pub(super) async fn calendar_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
) -> Response {
    if v.principal.admin.is_some() {
        return forbidden_page(v.tr);
    }
    render_calendar(&state, &v, None, StatusCode::OK).await
}

pub(super) async fn rotate(state: &AppState, v: &Viewer) -> zeren_storage::Result<String> {
    let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
    let (secret, _) = tx.rotate_calendar_token(&v.user).await?;
    tx.commit().await?;
    Ok(secret)
}

/// `POST /calendar` — a new address, shown once on the page that answers.
pub(super) async fn calendar_rotate(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    headers: HeaderMap,
) -> Response {
    if v.principal.admin.is_some() {
        return forbidden_page(v.tr);
    }
    match rotate(&state, &v).await {
        Ok(secret) => {
            let url = format!("{}{}", origin_of(&state, &headers), feed_path(&secret));
            render_calendar(&state, &v, Some(url), StatusCode::OK).await
        }
        Err(e) => internal_page(v.tr, &e),
    }
}

#[derive(Serialize)]
pub(super) struct RotateAnswer {
    pub(super) url: String,
    pub(super) webcal: String,
    pub(super) created_at: String,
    pub(super) note: String,
}

/// `POST /api/v1/calendar/token`
pub(super) async fn api_rotate(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    if v.principal.admin.is_some() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            tr.t("error.forbidden").to_string(),
        ));
    }
    let secret = rotate(&state, &v).await.map_err(|e| internal_api(tr, &e))?;
    let url = format!("{}{}", origin_of(&state, &headers), feed_path(&secret));
    let webcal = url
        .replacen("https://", "webcal://", 1)
        .replacen("http://", "webcal://", 1);
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(RotateAnswer {
            url,
            webcal,
            created_at: minute(state.now_ms()),
            note: tr.t("feeds.calendar.once").to_string(),
        }),
    )
        .into_response())
}
