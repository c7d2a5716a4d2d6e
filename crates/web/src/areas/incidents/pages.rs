//! The incident ledger (and its printable form), and the form an incident is recorded or
//! changed with.

use super::*;
use crate::shared::memo::Memo;
use zeren_storage::repo::incidents::IncidentFilter;

/// Query of the ledger.
#[derive(Deserialize, Default)]
pub struct IncidentQuery {
    pub(super) org: Option<String>,
    pub(super) state: Option<String>,
    pub(super) severity: Option<String>,
    pub(super) platform: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) page: Option<String>,
    pub(super) print: Option<String>,
}

/// Most rows of the printable ledger (and of the overdue list).
pub const PRINT_MAX: i64 = 5000;

/// What the ledger lists.
pub(super) struct Listing {
    pub(super) filter: zeren_storage::repo::incidents::IncidentFilter,
    pub(super) org: String,
    pub(super) page: i64,
    pub(super) print: bool,
    /// Only the open incidents with a clock run out.
    pub(super) overdue: bool,
}

/// The filter a query asks for at `now`, within the viewer's scope: an org or platform outside it is
/// 404, a bad state, severity, day or page 422 naming it.
pub(super) fn filter_of(
    v: &Viewer,
    q: &IncidentQuery,
    now: NaiveDateTime,
) -> Result<Listing, Refusal> {
    let tr = v.tr;
    let m = &v.snap.model;
    let (org, orgs) = match nonempty(&q.org) {
        Some(c) => {
            let o = m
                .find_org(c)
                .filter(|o| v.can(Permission::ReadOrg, Some(&o.id)))
                .ok_or_else(|| Refusal::not_found(tr, "incidents.org_not_found", c))?;
            (
                o.code.clone(),
                m.subtree(&o.id).iter().map(|o| o.id.clone()).collect(),
            )
        }
        None => (String::new(), readable_orgs(v)),
    };
    let (open, overdue) = match nonempty(&q.state) {
        Some("open") => (Some(true), false),
        Some("closed") => (Some(false), false),
        Some("overdue") => (Some(true), true),
        Some(s) => {
            return Err(Refusal::invalid(
                tr,
                "state",
                &tr.tf("incidents.error.state", &[("value", s)]),
            ));
        }
        None => (None, false),
    };
    let rules = rules(v);
    let severity = match nonempty(&q.severity) {
        Some(s) if rules.severity(s).is_some() => Some(s.to_string()),
        Some(s) => {
            return Err(Refusal::invalid(
                tr,
                "severity",
                &tr.tf(
                    "incidents.error.severity",
                    &[("value", s), ("expected", &rules.expected())],
                ),
            ));
        }
        None => None,
    };
    let platform = match nonempty(&q.platform) {
        Some(c) => Some(
            m.find_platform(c)
                .filter(|p| v.can(Permission::ReadOrg, Some(&p.org)))
                .map(|p| p.id.clone())
                .ok_or_else(|| Refusal::not_found(tr, "incidents.platform_not_found", c))?,
        ),
        None => None,
    };
    let from = day_param(tr, "from", nonempty(&q.from))?;
    let to = day_param(tr, "to", nonempty(&q.to))?;
    let page = page_number(nonempty(&q.page), tr, "incidents.error.page")? as i64;
    let print = nonempty(&q.print) == Some("1");
    let (offset, limit) = if print || overdue {
        (0, PRINT_MAX)
    } else {
        ((page - 1) * PER_PAGE, PER_PAGE)
    };
    Ok(Listing {
        filter: zeren_storage::repo::incidents::IncidentFilter {
            orgs: unless_every_org(v, &orgs),
            open,
            severity,
            platform,
            from,
            to,
            late_by: overdue.then(|| (now, rules.clock_terms())),
            offset,
            limit,
        },
        org,
        page,
        print,
        overdue,
    })
}

/// The incidents a listing asks for, each with its clocks now, and how many match. The overdue
/// listing keeps the open ones with a clock run out, a page of them.
pub(super) async fn listed(
    state: &AppState,
    v: &Viewer,
    l: &Listing,
) -> Result<(Vec<(Incident, Vec<ClockState>)>, i64), Refusal> {
    let tr = v.tr;
    let db = &state.db;
    let rules = rules(v);
    let now = now_local(state);
    let (incidents, total) = tokio::try_join!(db.incident_page(&l.filter), counted(state, l))
        .map_err(|e| storage_refusal(tr, e, ""))?;
    let mut out = db
        .clocks_now(incidents, rules, now)
        .await
        .map_err(|e| storage_refusal(tr, e, ""))?;
    if !l.overdue {
        return Ok((out, total));
    }
    out.retain(|(_, c)| c.iter().any(ClockState::overdue));
    let total = out.len() as i64;
    let out = if l.print {
        out
    } else {
        out.into_iter()
            .skip(((l.page - 1) * PER_PAGE) as usize)
            .take(PER_PAGE as usize)
            .collect()
    };
    Ok((out, total))
}

/// How many incidents match a filter (its page aside), at the latest incident generation.
type Counted = Memo<i64, IncidentFilter, i64>;

/// How many incidents the listing `l` matches: counted once for each change of the incidents
/// (the incident generation) and kept for the readers of its other pages. The overdue listing
/// counts those its clocks keep, not these.
async fn counted(state: &AppState, l: &Listing) -> Result<i64, StorageError> {
    if l.filter.late_by.is_some() {
        return Ok(0);
    }
    let generation = state.db.incident_generation().await?;
    let key = IncidentFilter {
        offset: 0,
        limit: 0,
        ..l.filter.clone()
    };
    let n = state
        .cache::<Counted>()
        .get_or(generation, key, async || {
            state.db.incident_count(&l.filter).await
        })
        .await?;
    Ok(*n)
}

/// One clock as the ledger and the page show it.
pub struct ClockRow {
    pub name: String,
    /// `met`, `late` (met after it ran out), `overdue`, `running`, `stopped`.
    pub status: &'static str,
    pub status_name: String,
    pub limit: String,
    pub due: String,
    pub met: String,
}

pub(super) fn clock_row(tr: Tr, c: &ClockState) -> ClockRow {
    let status = match (c.met.is_some(), c.late(), c.stopped) {
        (true, true, _) => "late",
        (true, false, _) => "met",
        (false, true, _) => "overdue",
        (false, false, true) => "stopped",
        (false, false, false) => "running",
    };
    ClockRow {
        name: clock_name(tr, c.clock),
        status,
        status_name: tr
            .t(&format!("incidents.clock_status.{status}"))
            .to_string(),
        limit: c
            .limit
            .map(|m| zeren_core::incidents::duration_text(m, tr.lang()))
            .unwrap_or_default(),
        due: when(c.breached.or(c.due)),
        met: when(c.met),
    }
}

/// One incident as the ledger lists it.
pub struct IncidentRow {
    pub href: String,
    pub title: String,
    pub noticed: String,
    pub org: String,
    pub platform: String,
    pub severity: String,
    pub severity_id: String,
    pub personal: bool,
    pub handler: String,
    pub closed: bool,
    pub paused: bool,
    pub state_name: String,
    pub clocks: Vec<ClockRow>,
    /// Some clock has run out and is not met.
    pub overdue: bool,
}

pub(super) fn row(v: &Viewer, i: &Incident, states: &[ClockState]) -> IncidentRow {
    let tr = v.tr;
    let m = &v.snap.model;
    let f = &i.fields;
    let rules = rules(v);
    IncidentRow {
        href: incident_href(&i.id, tr),
        title: f.title.clone(),
        noticed: shown(f.noticed_at),
        org: m.org(&f.org).map(|o| o.name.clone()).unwrap_or_default(),
        platform: f
            .platform
            .as_deref()
            .and_then(|p| m.find_platform(p))
            .map(|p| p.name.clone())
            .unwrap_or_else(|| tr.t("incidents.no_platform").to_string()),
        severity: severity_name(v, &f.severity),
        severity_id: f.severity.clone(),
        personal: rules
            .severity(&f.severity)
            .is_some_and(|s| s.personal_handling),
        handler: person_name(m, &f.handler),
        closed: i.closed,
        paused: i.paused,
        state_name: tr
            .t(if i.closed {
                "incidents.state.closed"
            } else if i.paused {
                "incidents.state.paused"
            } else {
                "incidents.state.open"
            })
            .to_string(),
        clocks: states.iter().map(|c| clock_row(tr, c)).collect(),
        overdue: states.iter().any(ClockState::overdue),
    }
}

#[derive(Template)]
#[template(path = "incidents_list.html")]
pub(super) struct IncidentsPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) print: Option<String>,
    pub(super) orgs: Vec<(String, String)>,
    pub(super) org: String,
    pub(super) state: String,
    pub(super) severity: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) states: Vec<(String, String)>,
    pub(super) severities: Vec<(String, String)>,
    pub(super) rows: Vec<IncidentRow>,
    pub(super) new_href: Option<String>,
    pub(super) stats_href: String,
    pub(super) print_href: String,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    pub(super) page_label: String,
}

pub(super) async fn incidents_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<IncidentQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let l = match filter_of(&v, &q, now_local(&state)) {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (items, total) = match listed(&state, &v, &l).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let kept: Vec<(&str, String)> = [
        ("org", l.org.clone()),
        ("state", q.state.clone().unwrap_or_default()),
        ("severity", q.severity.clone().unwrap_or_default()),
        ("platform", q.platform.clone().unwrap_or_default()),
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
        href_with("/incidents", &refs, tr)
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let org_name = m.find_org(&l.org).map(|o| o.name.clone());
    let rules = rules(&v);
    page(
        StatusCode::OK,
        &IncidentsPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            print: l.print.then(|| {
                tr.tf(
                    "incidents.print_title",
                    &[(
                        "org",
                        org_name.as_deref().unwrap_or(tr.t("incidents.all_orgs")),
                    )],
                )
            }),
            orgs: readable_orgs(&v)
                .iter()
                .filter_map(|id| m.org(id))
                .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
            org: l.org.clone(),
            state: q.state.clone().unwrap_or_default(),
            severity: q.severity.clone().unwrap_or_default(),
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            states: ["open", "overdue", "closed"]
                .iter()
                .map(|s| {
                    (
                        s.to_string(),
                        tr.t(&format!("incidents.filter.state.{s}")).to_string(),
                    )
                })
                .collect(),
            severities: rules
                .severities
                .iter()
                .map(|s| (s.id.clone(), s.name_in(tr.lang()).to_string()))
                .collect(),
            rows: items.iter().map(|(i, c)| row(&v, i, c)).collect(),
            new_href: v
                .principal
                .can_somewhere(Permission::KeepRecords)
                .then(|| href_with("/incidents/new", &[("org", l.org.as_str())], tr)),
            stats_href: href_with("/incidents/stats", &[("org", l.org.as_str())], tr),
            print_href: params(1, true),
            prev: (!l.print && l.page > 1).then(|| params(l.page - 1, false)),
            next: (!l.print && l.page < pages).then(|| params(l.page + 1, false)),
            page_label: tr.tf(
                "incidents.page_label",
                &[
                    ("page", &l.page.to_string()),
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
#[template(path = "incidents_form.html")]
pub(super) struct IncidentFormPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) csrf: String,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) editing: bool,
    pub(super) org_name: String,
    pub(super) channels: Vec<(String, String)>,
    /// (id, name, definition, personal handling, clocks in words).
    pub(super) severities: Vec<(String, String, String, bool, String)>,
    pub(super) platforms: Vec<(String, String)>,
    pub(super) people: Vec<(String, String)>,
    pub(super) draft: IncidentDraft,
    pub(super) note: String,
    pub(super) version: i64,
    pub(super) errors: FieldErrors,
}

impl IncidentFormPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    pub(super) fn has_error(&self, field: &str) -> bool {
        self.error_for(field).is_some()
    }

    pub(super) fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "title",
            "org",
            "platform",
            "noticed_at",
            "channel",
            "source",
            "facts",
            "severity",
            "handler",
            "note",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    pub(super) fn label(&self, field: &str) -> String {
        self.tr.t(&format!("incidents.field.{field}")).to_string()
    }
}

/// The clocks of a level, in words: `首次响应 1 小时 · 研判 24 小时 · 结案报告 7 天`.
pub(super) fn clocks_text(tr: Tr, s: &zeren_core::incidents::Severity) -> String {
    s.clocks
        .iter()
        .map(|(c, m)| {
            format!(
                "{} {}",
                clock_name(tr, *c),
                zeren_core::incidents::duration_text(*m, tr.lang())
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(super) fn incident_form(
    state: &AppState,
    v: &Viewer,
    editing: Option<(&Incident, i64)>,
    draft: IncidentDraft,
    note: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let Some(org) = m.find_org(draft.org.trim()).cloned() else {
        return Refusal::not_found(tr, "incidents.org_not_found", &draft.org).page(tr);
    };
    // The org's own platforms, those of the orgs above it and those below it.
    let mut platforms = Vec::new();
    for o in m.subtree(&org.id) {
        for p in m.platforms_of(&o.id) {
            platforms.push((p.code.clone(), format!("{}（{}）", p.name, o.name)));
        }
    }
    let mut at = m.parent(&org);
    while let Some(o) = at {
        for p in m.platforms_of(&o.id) {
            platforms.push((p.code.clone(), format!("{}（{}）", p.name, o.name)));
        }
        at = m.parent(o);
    }
    let people = m
        .people_within(&org.id)
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let rules = rules(v);
    page(
        status,
        &IncidentFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            action: match editing {
                Some((i, _)) => with_lang(&format!("/incidents/{}/edit", encode(&i.id)), tr),
                None => with_lang("/incidents/new", tr),
            },
            cancel: match editing {
                Some((i, _)) => incident_href(&i.id, tr),
                None => with_lang("/incidents", tr),
            },
            editing: editing.is_some(),
            org_name: org.name.clone(),
            channels: zeren_core::vocab::IncidentChannel::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_string(),
                        tr.t(&format!("incidents.channel.{}", c.as_str()))
                            .to_string(),
                    )
                })
                .collect(),
            severities: rules
                .severities
                .iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.name_in(tr.lang()).to_string(),
                        tr.lang().pick(&s.definition, &s.definition_en).to_string(),
                        s.personal_handling,
                        clocks_text(tr, s),
                    )
                })
                .collect(),
            platforms,
            people,
            draft: IncidentDraft {
                org: org.code.clone(),
                ..draft
            },
            note,
            version: editing.map_or(0, |(_, v)| v),
            errors,
        },
    )
}

pub(super) fn draft_from(pairs: &[(String, String)]) -> IncidentDraft {
    IncidentDraft {
        title: form_first(pairs, "title").into(),
        org: form_first(pairs, "org").into(),
        platform: form_first(pairs, "platform").into(),
        noticed_at: form_first(pairs, "noticed_at").into(),
        channel: form_first(pairs, "channel").into(),
        source: form_first(pairs, "source").into(),
        facts: form_first(pairs, "facts").into(),
        severity: form_first(pairs, "severity").into(),
        handler: form_first(pairs, "handler").into(),
    }
}

#[derive(Deserialize, Default)]
pub struct OrgQuery {
    org: Option<String>,
}

pub(super) async fn new_incident_form(
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
        Permission::KeepRecords,
        "incidents.org_not_found",
    ) {
        Ok(org) => org,
        Err(r) => return r.page(tr),
    };
    let draft = IncidentDraft {
        org,
        handler: v.user.person.clone().unwrap_or_default(),
        noticed_at: shown(now_local(&state)),
        ..IncidentDraft::default()
    };
    incident_form(
        &state,
        &v,
        None,
        draft,
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
}

pub(super) async fn create_incident_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let draft = draft_from(&posted_pairs(body));
    let refused = match record(&state, &v, &draft).await {
        Ok(i) => return redirect(&incident_href(&i.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    incident_form(&state, &v, None, draft, String::new(), errors, status)
}

pub(super) fn draft_of(v: &Viewer, i: &Incident) -> IncidentDraft {
    let m = &v.snap.model;
    let f = &i.fields;
    IncidentDraft {
        title: f.title.clone(),
        org: m.org(&f.org).map(|o| o.code.clone()).unwrap_or_default(),
        platform: f
            .platform
            .as_deref()
            .and_then(|p| m.find_platform(p))
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        noticed_at: shown(f.noticed_at),
        channel: f.channel.as_str().into(),
        source: f.source.clone(),
        facts: f.facts.clone(),
        severity: f.severity.clone(),
        handler: f.handler.clone(),
    }
}

pub(super) async fn edit_incident_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    let i = match writable(&state, &v, &id).await {
        Ok(i) => i,
        Err(r) => return r.page(tr),
    };
    let draft = draft_of(&v, &i);
    incident_form(
        &state,
        &v,
        Some((&i, i.version)),
        draft,
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
}

pub(super) async fn edit_incident_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return Refusal::not_found(tr, "incidents.not_found", "").page(tr);
    };
    let i = match writable(&state, &v, &id).await {
        Ok(i) => i,
        Err(r) => return r.page(tr),
    };
    let pairs = posted_pairs(body);
    let version = posted_version(&pairs);
    let mut draft = draft_from(&pairs);
    draft.org = draft_of(&v, &i).org;
    draft.severity = i.fields.severity.clone();
    let note = form_first(&pairs, "note").to_string();
    let refused = match edit(&state, &v, &i, version, &draft, &note).await {
        Ok(i) => return redirect(&incident_href(&i.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    incident_form(&state, &v, Some((&i, version)), draft, note, errors, status)
}
