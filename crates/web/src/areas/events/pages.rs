//! The event pages: the ledger (and its printable form), the registration and edit form, one
//! event's page with its approval and its record after the event.

use super::*;

/// Query of the ledger.
#[derive(Deserialize, Default)]
pub struct EventQuery {
    pub(super) org: Option<String>,
    pub(super) state: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) page: Option<String>,
    pub(super) print: Option<String>,
}

/// Most rows of the printable ledger.
pub const PRINT_MAX: i64 = 5000;

/// The filter a query asks for, within the viewer's scope: an org outside it is 404, a bad
/// state, day or page 422 naming it. Also the org code as typed and the page.
pub(super) fn filter_of(
    v: &Viewer,
    q: &EventQuery,
) -> Result<(EventFilter, String, i64, bool), Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let (org, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "events.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    let state = match nonempty(&q.state) {
        Some("registered") => Some(EventState::Registered),
        Some("approved") => Some(EventState::Approved),
        Some("rejected") => Some(EventState::Rejected),
        Some(s) => {
            return Err(Refusal::invalid(
                tr,
                "state",
                &tr.tf("events.error.state", &[("value", s)]),
            ));
        }
        None => None,
    };
    let day = |field: &str, s: Option<&str>| -> Result<Option<NaiveDate>, Refusal> {
        s.map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Refusal::invalid(tr, field, &tr.tf("events.error.day", &[("value", s)]))
            })
        })
        .transpose()
    };
    let from = day("from", nonempty(&q.from))?;
    let to = day("to", nonempty(&q.to))?;
    let page = page_number(nonempty(&q.page), tr, "events.error.page")? as i64;
    let print = nonempty(&q.print) == Some("1");
    let (offset, limit) = if print {
        (0, PRINT_MAX)
    } else {
        ((page - 1) * PER_PAGE, PER_PAGE)
    };
    Ok((
        EventFilter {
            orgs: unless_every_org(v, &orgs),
            state,
            from,
            to,
            offset,
            limit,
        },
        org,
        page,
        print,
    ))
}

/// One event as the ledger lists it.
pub struct EventRow {
    pub href: String,
    pub title: String,
    pub form: String,
    pub when: String,
    pub org: String,
    pub platform: String,
    pub responsible: String,
    pub speakers: String,
    pub audience: u32,
    pub major: bool,
    pub state: &'static str,
    pub state_name: String,
    pub decided: String,
    pub flag: Option<String>,
}

pub(super) fn row(v: &Viewer, e: &OnlineEvent, now: NaiveDateTime) -> EventRow {
    let tr = v.tr;
    let m = &v.snap.model;
    let f = &e.fields;
    EventRow {
        href: event_href(&e.id, tr),
        title: f.title.clone(),
        form: form_name(tr, f.form),
        when: format!("{} – {}", shown(f.starts_at), f.ends_at.format("%H:%M")),
        org: m.org(&f.org).map(|o| o.name.clone()).unwrap_or_default(),
        platform: m
            .find_platform(&f.platform)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        responsible: person_name(m, &f.responsible),
        speakers: f
            .speakers
            .iter()
            .map(|s| {
                if s.affiliation.is_empty() {
                    s.name.clone()
                } else {
                    format!("{}（{}）", s.name, s.affiliation)
                }
            })
            .collect::<Vec<_>>()
            .join(tr.lang().pick("、", ", ")),
        audience: f.audience,
        major: f.major,
        state: e.state.as_str(),
        state_name: state_name(tr, e.state),
        decided: match (&e.decided_by, e.decided_on) {
            (Some(p), Some(d)) => format!("{} {}", person_name(m, p), date(d)),
            _ => String::new(),
        },
        flag: unapproved_indicator(e, now).then(|| {
            if e.changed_after_approval {
                tr.t("events.flag.changed").to_string()
            } else {
                tr.t("events.flag.unapproved").to_string()
            }
        }),
    }
}

#[derive(Template)]
#[template(path = "events_list.html")]
pub(super) struct EventsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) print: Option<String>,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) org: String,
    pub(super) state: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) states: Vec<(String, String)>,
    pub(super) rows: Vec<EventRow>,
    pub(super) new_href: Option<String>,
    pub(super) print_href: String,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) page_label: String,
}

pub(super) async fn events_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<EventQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let (f, org, page_no, print) = match filter_of(&v, &q) {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (events, total) = match state.db.online_events(&f).await {
        Ok(x) => x,
        Err(e) => return storage_refusal(tr, e, "").page(tr),
    };
    let now = now_local(&state);
    let m = &v.snap.model;
    let kept: Vec<(&str, String)> = [
        ("org", org.clone()),
        ("state", q.state.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, val)| !val.trim().is_empty())
    .collect();
    let params = |page: i64, print: bool| -> String {
        let page = page.to_string();
        let mut refs: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if print {
            refs.push(("print", "1"));
        } else if page != "1" {
            refs.push(("page", page.as_str()));
        }
        href_with("/events", &refs, tr)
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let org_name = m.find_org(&org).map(|o| o.name.clone());
    page(
        StatusCode::OK,
        &EventsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            print: print.then(|| {
                tr.tf(
                    "events.print_title",
                    &[(
                        "org",
                        org_name.as_deref().unwrap_or(tr.t("events.all_orgs")),
                    )],
                )
            }),
            orgs: readable_orgs(&v)
                .iter()
                .filter_map(|id| m.org(id))
                .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
            org: org.clone(),
            state: q.state.clone().unwrap_or_default(),
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            states: [
                EventState::Registered,
                EventState::Approved,
                EventState::Rejected,
            ]
            .iter()
            .map(|s| (s.as_str().to_string(), state_name(tr, *s)))
            .collect(),
            rows: events.iter().map(|e| row(&v, e, now)).collect(),
            new_href: v
                .principal
                .can_somewhere(Permission::ManagePlatforms)
                .then(|| href_with("/events/new", &[("org", org.as_str())], tr)),
            print_href: params(1, true),
            prev: (!print && page_no > 1).then(|| params(page_no - 1, false)),
            next: (!print && page_no < pages).then(|| params(page_no + 1, false)),
            page_label: tr.tf(
                "events.page_label",
                &[
                    ("page", &page_no.to_string()),
                    ("pages", &pages.to_string()),
                    ("total", &total.to_string()),
                ],
            ),
        },
    )
}

// ------------------------------------------------------------------------------------------
// The form
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "events_form.html")]
pub(super) struct EventFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) editing: bool,
    pub(super) org_name: String,
    pub(super) forms: Vec<(String, String)>,
    pub(super) platforms: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) speakers: Vec<(usize, Speaker)>,
    pub(super) draft: EventDraft,
    pub(super) version: i64,
    pub(super) approval_hint: String,
    pub(super) errors: FieldErrors,
}

impl EventFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "title",
            "form",
            "org",
            "organiser",
            "responsible",
            "speakers",
            "starts_at",
            "ends_at",
            "platform",
            "audience",
            "outline",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    pub(super) fn label(&self, field: &str) -> String {
        self.tr.t(&format!("events.field.{field}")).to_string()
    }
}

/// Blank speaker rows the form offers beyond those typed in.
const BLANK_SPEAKERS: usize = 2;

fn event_form(
    state: &AppState,
    v: &Viewer,
    editing: Option<(&OnlineEvent, i64)>,
    draft: EventDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let Some(org) = m.find_org(draft.org.trim()).cloned() else {
        return Refusal::not_found(tr, "events.org_not_found", &draft.org).page(tr);
    };
    // The org's own platforms and those of the orgs above it, that run.
    let mut platforms = Vec::new();
    let mut at = Some(&org);
    while let Some(o) = at {
        for p in m.platforms_of(&o.id).filter(|p| p.state.runs()) {
            platforms.push((p.code.clone(), format!("{}（{}）", p.name, o.name)));
        }
        at = m.parent(o);
    }
    let people = m
        .people_within(&org.id)
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let rows = draft.speakers.len() + BLANK_SPEAKERS;
    let speakers = (0..rows)
        .map(|n| (n + 1, draft.speakers.get(n).cloned().unwrap_or_default()))
        .collect();
    let rules = v.snap.pack.online_events.clone().unwrap_or_default();
    let mut hint = tr.tf(
        "events.approval_hint",
        &[("days", &rules.approval_days.to_string())],
    );
    if let Some(n) = rules.major_audience {
        hint.push(' ');
        hint.push_str(&tr.tf("events.major_audience_hint", &[("n", &n.to_string())]));
    }
    page(
        status,
        &EventFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: match editing {
                Some((e, _)) => with_lang(&format!("/events/{}/edit", encode(&e.id)), tr),
                None => with_lang("/events/new", tr),
            },
            cancel: match editing {
                Some((e, _)) => event_href(&e.id, tr),
                None => with_lang("/events", tr),
            },
            editing: editing.is_some(),
            org_name: org.name.clone(),
            forms: EventForm::ALL
                .iter()
                .map(|f| (f.as_str().to_string(), form_name(tr, *f)))
                .collect(),
            platforms,
            people,
            speakers,
            version: editing.map_or(0, |(_, v)| v),
            approval_hint: hint,
            draft: EventDraft {
                org: org.code.clone(),
                ..draft
            },
            errors,
        },
    )
}

fn draft_from(pairs: &[(String, String)]) -> EventDraft {
    let mut speakers: std::collections::BTreeMap<usize, Speaker> = Default::default();
    for (k, val) in pairs {
        if let Some(rest) = k.strip_prefix("speaker.")
            && let Some((n, field)) = rest.split_once('.')
            && let Ok(n) = n.parse::<usize>()
            && (1..=zeren_core::events::SPEAKERS_MAX + BLANK_SPEAKERS).contains(&n)
        {
            let s = speakers.entry(n).or_default();
            match field {
                "name" => s.name = val.clone(),
                "affiliation" => s.affiliation = val.clone(),
                _ => {}
            }
        }
    }
    EventDraft {
        title: form_first(pairs, "title").into(),
        form: form_first(pairs, "form").into(),
        org: form_first(pairs, "org").into(),
        organiser: form_first(pairs, "organiser").into(),
        responsible: form_first(pairs, "responsible").into(),
        speakers: speakers
            .into_values()
            .filter(|s| !(s.name.trim().is_empty() && s.affiliation.trim().is_empty()))
            .collect(),
        starts_at: form_first(pairs, "starts_at").into(),
        ends_at: form_first(pairs, "ends_at").into(),
        platform: form_first(pairs, "platform").into(),
        audience: form_first(pairs, "audience").into(),
        outline: form_first(pairs, "outline").into(),
        major: !form_first(pairs, "major").is_empty(),
    }
}

#[derive(Deserialize, Default)]
pub struct OrgQuery {
    org: Option<String>,
}

pub(super) async fn new_event_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<OrgQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let asked = q.ok().and_then(|Query(q)| q.org).unwrap_or_default();
    let org = match form_org(
        &v,
        &asked,
        Permission::ManagePlatforms,
        "events.org_not_found",
    ) {
        Ok(org) => org,
        Err(r) => return r.page(tr),
    };
    let draft = EventDraft {
        org,
        responsible: v.user.person.clone().unwrap_or_default(),
        ..EventDraft::default()
    };
    event_form(&state, &v, None, draft, Vec::new(), StatusCode::OK)
}

pub(super) async fn create_event_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let draft = draft_from(&posted_pairs(body));
    let refused = match register(&state, &v, &draft).await {
        Ok(e) => return redirect(&event_href(&e.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    event_form(&state, &v, None, draft, errors, status)
}

fn draft_of(e: &OnlineEvent, code: &str) -> EventDraft {
    let f = &e.fields;
    EventDraft {
        title: f.title.clone(),
        form: f.form.as_str().into(),
        org: code.into(),
        organiser: f.organiser.clone(),
        responsible: f.responsible.clone(),
        speakers: f.speakers.clone(),
        starts_at: shown(f.starts_at),
        ends_at: shown(f.ends_at),
        platform: f.platform.clone(),
        audience: f.audience.to_string(),
        outline: f.outline.clone(),
        major: f.major,
    }
}

pub(super) async fn edit_event_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "events.not_found", "").page(tr);
    };
    let e = match writable(&state, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r.page(tr),
    };
    let code = v
        .snap
        .model
        .org(&e.fields.org)
        .map(|o| o.code.clone())
        .unwrap_or_default();
    let mut draft = draft_of(&e, &code);
    if let Some(p) = v.snap.model.find_platform(&draft.platform) {
        draft.platform = p.code.clone();
    }
    event_form(
        &state,
        &v,
        Some((&e, e.version)),
        draft,
        Vec::new(),
        StatusCode::OK,
    )
}

pub(super) async fn edit_event_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "events.not_found", "").page(tr);
    };
    let e = match writable(&state, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let mut draft = draft_from(&pairs);
    draft.org = v
        .snap
        .model
        .org(&e.fields.org)
        .map(|o| o.code.clone())
        .unwrap_or_default();
    let refused = match edit(&state, &v, &e, version, &draft).await {
        Ok(e) => return redirect(&event_href(&e.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    event_form(&state, &v, Some((&e, version)), draft, errors, status)
}

// ------------------------------------------------------------------------------------------
// One event's page
// ------------------------------------------------------------------------------------------

/// An obligation about the event as shown.
pub struct EventDuty {
    pub href: String,
    pub duty: String,
    pub due: String,
    pub status: &'static str,
    pub status_name: String,
}

#[derive(Template)]
#[template(path = "events_detail.html")]
pub(super) struct EventPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) list_href: String,
    pub(super) row: EventRow,
    pub(super) organiser: String,
    pub(super) outline: String,
    pub(super) approver: String,
    pub(super) approve_by: String,
    pub(super) decision_note: String,
    pub(super) changed_after_approval: bool,
    pub(super) held: Option<(bool, u32, String)>,
    pub(super) duties: Vec<EventDuty>,
    pub(super) version: i64,
    pub(super) edit_href: Option<String>,
    pub(super) decision_action: Option<String>,
    pub(super) held_action: Option<String>,
    pub(super) errors: FieldErrors,
}

impl EventPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        crate::shared::format::other_errors(
            &self.errors,
            &["note", "outcome", "audience", "summary"],
        )
    }
}

pub(super) async fn event_view(
    state: &AppState,
    v: &Viewer,
    e: &OnlineEvent,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let now = now_local(state);
    let today = state.today();
    let obligations = match state
        .db
        .obligations_about(zeren_core::obligation::SubjectKind::Event, &e.id)
        .await
    {
        Ok(x) => x,
        Err(err) => return storage_refusal(tr, err, &e.id).page(tr),
    };
    let expected = approver_of(state, v, &e.fields);
    let may_decide = now < e.fields.starts_at
        && v.user.person.as_deref().is_some_and(|p| {
            zeren_core::events::check_approval(&v.snap.pack, m, &e.fields, p, now).is_ok()
        });
    let keeps = v.can(Permission::ManagePlatforms, Some(&e.fields.org));
    page(
        status,
        &EventPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            list_href: with_lang("/events", tr),
            row: row(v, e, now),
            organiser: e.fields.organiser.clone(),
            outline: e.fields.outline.clone(),
            approver: expected
                .map(|(_, n)| n)
                .unwrap_or_else(|| tr.t("events.no_approver").to_string()),
            approve_by: date(approve_by(v, e.fields.day())),
            decision_note: e.decision_note.clone().unwrap_or_default(),
            changed_after_approval: e.changed_after_approval,
            held: e
                .held
                .as_ref()
                .map(|h| (h.held, h.audience, h.summary.clone())),
            duties: obligations
                .iter()
                .map(|o| {
                    let status = zeren_core::obligation::status_on(
                        o.discharge(),
                        o.due,
                        today,
                        v.snap.pack.reminders.due_soon_days,
                    )
                    .as_str();
                    EventDuty {
                        href: with_lang(&format!("/obligations/{}", encode(&o.id)), tr),
                        duty: v
                            .snap
                            .pack
                            .duty(&o.duty)
                            .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
                            .unwrap_or_else(|| o.duty.clone()),
                        due: date(o.due),
                        status,
                        status_name: tr.t(&format!("status.{status}")).to_string(),
                    }
                })
                .collect(),
            version: e.version,
            edit_href: (keeps && e.held.is_none())
                .then(|| with_lang(&format!("/events/{}/edit", encode(&e.id)), tr)),
            decision_action: may_decide
                .then(|| with_lang(&format!("/events/{}/decision", encode(&e.id)), tr)),
            held_action: (keeps && now >= e.fields.starts_at && e.held.is_none())
                .then(|| with_lang(&format!("/events/{}/held", encode(&e.id)), tr)),
            errors,
        },
    )
}

pub(super) async fn event_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "events.not_found", "").page(tr);
    };
    match readable(&state, &v, &id).await {
        Ok(e) => event_view(&state, &v, &e, Vec::new(), StatusCode::OK).await,
        Err(r) => r.page(tr),
    }
}

pub(super) async fn decision_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "events.not_found", "").page(tr);
    };
    let e = match readable(&state, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let refused = match decide(
        &state,
        &v,
        &e,
        posted_version(&pairs),
        form_first(&pairs, "decision"),
        form_first(&pairs, "note"),
    )
    .await
    {
        Ok(e) => return redirect(&event_href(&e.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    event_view(&state, &v, &e, errors, status).await
}

pub(super) async fn held_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "events.not_found", "").page(tr);
    };
    let e = match writable(&state, &v, &id).await {
        Ok(e) => e,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let draft = HeldDraft {
        outcome: form_first(&pairs, "outcome").into(),
        audience: form_first(&pairs, "audience").into(),
        summary: form_first(&pairs, "summary").into(),
    };
    let refused = match record_held(&state, &v, &e, posted_version(&pairs), &draft).await {
        Ok(e) => return redirect(&event_href(&e.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    event_view(&state, &v, &e, errors, status).await
}
