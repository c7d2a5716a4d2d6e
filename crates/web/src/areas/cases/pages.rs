//! The case pages: the commission's workbench (cases by state with their deadlines, referrals
//! waiting), what cases ask of anyone else and their referrals' outcome; the form a case is
//! opened or referred with (prefilled from an indicator); one case as the viewer may see it,
//! with the forms of the steps they may take; and the handlers of those forms.

use super::*;
use chrono::NaiveDate;

/// Something a case asks of the viewer, by a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The case.
    pub case: String,
    /// `statement`, `appeal`, `remediation` or `referral` (one waiting for the commission).
    pub what: &'static str,
    /// What, in words.
    pub title: String,
    /// By when (`YYYY-MM-DD`), if there is a day.
    pub due: String,
    /// The case's page.
    pub href: String,
}

/// What cases ask of the viewer: their statement while invited, their appeal while its window
/// runs, remediation tasks they own not yet reported; and for the commission, the referrals
/// waiting. Nothing when the database does not answer (the home page still shows).
pub async fn asked_of(state: &AppState, v: &Viewer) -> Vec<Asked> {
    let tr = v.tr;
    let today = state.today();
    let rules = rules(v);
    let mut out = Vec::new();
    if let Some(me) = v.user.person.as_deref() {
        for c in state.db.cases_of_respondent(me).await.unwrap_or_default() {
            let standing = c.standing(0);
            let (what, due) = match c.state {
                CaseState::StatementInvited => ("statement", c.statement_due),
                CaseState::Decided | CaseState::Notified => {
                    match rules.procedure.appeal_until(&standing) {
                        Some(until) if until >= today => ("appeal", Some(until)),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            out.push(Asked {
                case: c.id.clone(),
                what,
                title: tr.tf(
                    &format!("cases.asked.{what}"),
                    &[("title", &c.fields.title)],
                ),
                due: due.map(date).unwrap_or_default(),
                href: case_href(&c.id, tr),
            });
        }
        for t in state.db.case_tasks_of_owner(me).await.unwrap_or_default() {
            if t.reported_on.is_none() {
                out.push(Asked {
                    case: t.case.clone(),
                    what: "remediation",
                    title: tr.tf("cases.asked.remediation", &[("title", &t.fields.title)]),
                    due: date(t.fields.deadline),
                    href: format!("{}#task-{}", case_href(&t.case, tr), t.id),
                });
            }
        }
    }
    if v.principal.can_somewhere(Permission::Cases)
        && let Some(me) = v.user.person.as_deref()
    {
        for e in state.db.open_inquiries_of(me).await.unwrap_or_default() {
            // Only where the viewer is still the commission of the case.
            let Ok(c) = state.db.case(&e.case).await else {
                continue;
            };
            if !v.can(Permission::Cases, Some(&c.fields.org)) {
                continue;
            }
            out.push(Asked {
                case: c.id.clone(),
                what: "inquiry",
                title: tr.tf("cases.asked.inquiry", &[("title", &e.text)]),
                due: e.inquiry.map(|(_, d)| date(d)).unwrap_or_default(),
                href: format!("{}#inquiry-{}", case_href(&c.id, tr), e.seq),
            });
        }
    }
    if v.principal.can_somewhere(Permission::Cases) {
        let f = CaseFilter {
            orgs: unless_every_org(v, &commission_orgs(v)),
            states: vec![CaseState::Referred],
            offset: 0,
            limit: 20,
        };
        for c in state.db.cases(&f).await.map(|x| x.0).unwrap_or_default() {
            out.push(Asked {
                case: c.id.clone(),
                what: "referral",
                title: tr.tf("cases.asked.referral", &[("title", &c.fields.title)]),
                due: c.referred_on.map(date).unwrap_or_default(),
                href: case_href(&c.id, tr),
            });
        }
    }
    out.sort_by(|a, b| a.due.cmp(&b.due));
    out
}

/// The orgs whose cases the viewer keeps (the commission's scope).
fn commission_orgs(v: &Viewer) -> Vec<String> {
    readable_orgs(v)
        .into_iter()
        .filter(|o| v.can(Permission::Cases, Some(o)))
        .collect()
}

/// One case as the commission's list shows it.
pub struct CaseRow {
    pub href: String,
    pub title: String,
    pub subject: String,
    pub grounds: String,
    pub state: &'static str,
    pub state_name: String,
    /// The deadline that runs now (the statement's, the appeal window's), in words.
    pub deadline: String,
    pub late: bool,
    pub opened: String,
}

fn row(v: &Viewer, c: &Case, today: NaiveDate) -> CaseRow {
    let tr = v.tr;
    let rules = rules(v);
    let (deadline, late) = match c.state {
        CaseState::StatementInvited => match c.statement_due {
            Some(d) => (
                tr.tf("cases.deadline.statement", &[("day", &date(d))]),
                d < today,
            ),
            None => (String::new(), false),
        },
        CaseState::Decided | CaseState::Notified => {
            match rules.procedure.appeal_until(&c.standing(0)) {
                Some(d) => (tr.tf("cases.deadline.appeal", &[("day", &date(d))]), false),
                None => (String::new(), false),
            }
        }
        _ => (String::new(), false),
    };
    CaseRow {
        href: case_href(&c.id, tr),
        title: c.fields.title.clone(),
        subject: subject_text(v, c),
        grounds: c.fields.grounds.join(", "),
        state: c.state.as_str(),
        state_name: state_name(tr, c.state),
        deadline,
        late,
        opened: c.opened_on.or(c.referred_on).map(date).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "cases_list.html")]
struct CasesPage {
    frame: Frame,
    tr: Tr,
    commission: bool,
    asked: Vec<Asked>,
    referrals: Vec<(String, String, String, String)>,
    orgs: Vec<(String, String)>,
    org: String,
    state: String,
    states: Vec<(String, String)>,
    counts: Vec<(String, String, i64)>,
    rows: Vec<CaseRow>,
    new_href: Option<String>,
    refer_href: Option<String>,
    indicators_href: String,
    prev: Option<String>,
    next: Option<String>,
    page_label: String,
}

/// `GET /cases`
pub(super) async fn cases_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<CaseQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return Refusal::from(r).page(tr),
    };
    let commission = v.principal.can_somewhere(Permission::Cases);
    let asked = asked_of(&state, &v).await;
    let referrals = match state.db.referrals_of(&v.user.username).await {
        Ok(r) => r
            .iter()
            .map(|c| {
                let outcome = match c.state {
                    CaseState::Referred => tr.t("cases.referral.waiting").to_string(),
                    CaseState::Declined => tr.tf(
                        "cases.referral.declined",
                        &[("reason", c.decline_reason.as_deref().unwrap_or_default())],
                    ),
                    _ => tr.t("cases.referral.accepted").to_string(),
                };
                (
                    case_href(&c.id, tr),
                    c.fields.title.clone(),
                    c.referred_on.map(date).unwrap_or_default(),
                    outcome,
                )
            })
            .collect(),
        Err(e) => return storage_refusal(tr, e, "").page(tr),
    };
    let m = &v.snap.model;
    let today = state.today();
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    let (mut prev, mut next, mut page_label, mut org) = (None, None, String::new(), String::new());
    if commission {
        let (f, org_code, page_no) = match filter_of(&v, &q) {
            Ok(x) => x,
            Err(r) => return r.page(tr),
        };
        org = org_code;
        let (cases, total) = match state.db.cases(&f).await {
            Ok(x) => x,
            Err(e) => return storage_refusal(tr, e, "").page(tr),
        };
        rows = cases.iter().map(|c| row(&v, c, today)).collect();
        counts = match state.db.case_counts(f.orgs.as_deref()).await {
            Ok(c) => c
                .into_iter()
                .map(|(s, n)| (s.as_str().to_string(), state_name(tr, s), n))
                .collect(),
            Err(e) => return storage_refusal(tr, e, "").page(tr),
        };
        let kept: Vec<(&str, String)> = [
            ("org", org.clone()),
            ("state", q.state.clone().unwrap_or_default()),
        ]
        .into_iter()
        .filter(|(_, val)| !val.trim().is_empty())
        .collect();
        let params = |page: i64| -> String {
            let page = page.to_string();
            let mut refs: Vec<(&str, &str)> = kept.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if page != "1" {
                refs.push(("page", page.as_str()));
            }
            href_with("/cases", &refs, tr)
        };
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        prev = (page_no > 1).then(|| params(page_no - 1));
        next = (page_no < pages).then(|| params(page_no + 1));
        page_label = tr.tf(
            "cases.page_label",
            &[
                ("page", &page_no.to_string()),
                ("pages", &pages.to_string()),
                ("total", &total.to_string()),
            ],
        );
    }
    let mut states: Vec<(String, String)> = vec![("open".into(), tr.t("cases.filter.open").into())];
    states.extend(
        CaseState::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), state_name(tr, *s))),
    );
    let refers = v.principal.roles.iter().any(|g| g.role == Role::Secretary);
    page(
        StatusCode::OK,
        &CasesPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            commission,
            asked,
            referrals,
            orgs: commission_orgs(&v)
                .iter()
                .filter_map(|id| m.org(id))
                .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
                .map(|o| (o.code.clone(), o.name.clone()))
                .collect(),
            org,
            state: q.state.clone().unwrap_or_default(),
            states,
            counts,
            rows,
            new_href: commission.then(|| with_lang("/cases/new", tr)),
            refer_href: (refers && !commission).then(|| with_lang("/cases/new", tr)),
            indicators_href: with_lang("/indicators", tr),
            prev,
            next,
            page_label,
        },
    )
}

// ------------------------------------------------------------------------------------------
// The form a case is opened or referred with
// ------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cases_form.html")]
struct CaseFormPage {
    frame: Frame,
    tr: Tr,
    csrf: String,
    referring: bool,
    orgs: Vec<(String, String)>,
    people: Vec<(String, String)>,
    posts: Vec<(String, String)>,
    grounds: Vec<(String, String)>,
    draft: CaseDraft,
    /// The facts attached (from an indicator), each with its evidence in words and its link.
    evidence: Vec<EvidenceRow>,
    errors: FieldErrors,
}

/// A fact the form carries, with its evidence in words and its link.
struct EvidenceRow {
    fact: FactDraft,
    label: String,
    href: String,
}

impl CaseFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }

    fn general_errors(&self) -> Vec<&str> {
        const SHOWN: &[&str] = &[
            "title",
            "subject_kind",
            "org",
            "person",
            "post",
            "period_from",
            "period_to",
            "grounds",
            "background",
        ];
        crate::shared::format::other_errors(&self.errors, SHOWN)
    }

    fn grounded(&self, g: &str) -> bool {
        self.draft.grounds.iter().any(|x| x == g)
    }
}

/// The orgs the viewer may open (the commission) or refer (a secretary) cases for.
fn form_orgs(v: &Viewer) -> Vec<(String, String)> {
    let m = &v.snap.model;
    readable_orgs(v)
        .iter()
        .filter(|o| v.can(Permission::Cases, Some(o)) || refers_for(v, o))
        .filter_map(|id| m.org(id))
        .filter(|o| o.kind != zeren_core::vocab::OrgKind::Branch)
        .map(|o| (o.code.clone(), o.name.clone()))
        .collect()
}

async fn case_form(
    state: &AppState,
    v: &Viewer,
    mut draft: CaseDraft,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let tr = v.tr;
    let m = &v.snap.model;
    let orgs = form_orgs(v);
    if orgs.is_empty() {
        return Refusal::forbidden(tr).page(tr);
    }
    if draft.org.trim().is_empty()
        && let Some((code, _)) = orgs.first()
    {
        draft.org = code.clone();
    }
    let org = m.find_org(draft.org.trim());
    let referring = org.is_some_and(|o| !v.can(Permission::Cases, Some(&o.id)));
    let (people, posts) = match org {
        Some(o) => (
            m.people_within(&o.id)
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect(),
            m.subtree(&o.id)
                .iter()
                .flat_map(|x| m.posts_of(&x.id))
                .map(|p| {
                    let org_name = m.org(&p.org).map(|x| x.name.as_str()).unwrap_or_default();
                    (p.id.clone(), format!("{} · {org_name}", p.title))
                })
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let mut evidence = Vec::new();
    for f in &draft.facts {
        let (label, href) = match FactKind::parse(&f.kind) {
            Some(k) => match evidence_of(state, v, k, &f.reference).await {
                Some((_, title, href)) => (
                    format!("{} · {title}", tr.t(&format!("cases.fact.{}", k.as_str()))),
                    href,
                ),
                None => (format!("{}:{}", f.kind, f.reference), String::new()),
            },
            None => (format!("{}:{}", f.kind, f.reference), String::new()),
        };
        evidence.push(EvidenceRow {
            fact: f.clone(),
            label,
            href,
        });
    }
    page(
        status,
        &CaseFormPage {
            frame: Frame::of(state, Some(v)),
            tr,
            csrf: v.csrf().to_string(),
            referring,
            orgs,
            people,
            posts,
            grounds: v
                .snap
                .pack
                .grounds
                .iter()
                .map(|g| (g.id.clone(), ground_title(v, &g.id)))
                .collect(),
            draft,
            evidence,
            errors,
        },
    )
}

/// What an indicator passes to the form.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    org: Option<String>,
    fact: Option<String>,
    indicator: Option<String>,
    ground: Option<String>,
    person: Option<String>,
    day: Option<String>,
}

/// `GET /cases/new`
pub(super) async fn new_case_form(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<NewQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let m = &v.snap.model;
    let mut draft = CaseDraft {
        org: nonempty(&q.org).unwrap_or_default().to_string(),
        subject_kind: "org".into(),
        ..CaseDraft::default()
    };
    if let Some(o) = m.find_org(draft.org.trim()) {
        if !v.can(Permission::Cases, Some(&o.id)) && !refers_for(&v, &o.id) {
            return if v.can(Permission::ReadOrg, Some(&o.id)) {
                Refusal::forbidden(tr).page(tr)
            } else {
                Refusal::not_found(tr, "cases.org_not_found", &draft.org).page(tr)
            };
        }
        draft.org = o.code.clone();
    }
    let ground = nonempty(&q.ground).unwrap_or_default().to_string();
    if !ground.is_empty() {
        draft.grounds = vec![ground.clone()];
    }
    if let Some((kind, reference)) = nonempty(&q.fact).and_then(|f| f.split_once(':')) {
        draft.facts.push(FactDraft {
            kind: kind.to_string(),
            reference: reference.to_string(),
            ground: ground.clone(),
            note: String::new(),
            indicator: nonempty(&q.indicator).unwrap_or_default().to_string(),
        });
    }
    let day = nonempty(&q.day).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    if let Some(p) = nonempty(&q.person).and_then(|p| m.person(p)) {
        draft.subject_kind = "person".into();
        draft.person = p.id.clone();
        // The post the person held on the indicator's day, in the org.
        let on = day.unwrap_or_else(|| state.today());
        if let Some(h) = m
            .holdings_of_person(&p.id)
            .find(|h| h.covers(on) && m.post(&h.post).is_some())
        {
            draft.post = h.post.clone();
        }
    }
    let today = state.today();
    let from = day.unwrap_or(today).min(today);
    draft.period_from =
        date(NaiveDate::from_ymd_opt(chrono::Datelike::year(&from), 1, 1).unwrap_or(from));
    draft.period_to = date(today);
    case_form(&state, &v, draft, Vec::new(), StatusCode::OK).await
}

/// A case draft from a posted form (facts as `fact.kind`, `fact.reference`, … in order).
fn draft_from(p: &[(String, String)]) -> CaseDraft {
    let all = |k: &str| -> Vec<String> {
        p.iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let kinds = all("fact.kind");
    let refs = all("fact.reference");
    let grounds = all("fact.ground");
    let notes = all("fact.note");
    let indicators = all("fact.indicator");
    let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    CaseDraft {
        title: form_first(p, "title").into(),
        subject_kind: form_first(p, "subject_kind").into(),
        org: form_first(p, "org").into(),
        person: form_first(p, "person").into(),
        post: form_first(p, "post").into(),
        period_from: form_first(p, "period_from").into(),
        period_to: form_first(p, "period_to").into(),
        grounds: form_all(p, "grounds"),
        background: form_first(p, "background").into(),
        facts: (0..kinds.len())
            .map(|i| FactDraft {
                kind: at(&kinds, i),
                reference: at(&refs, i),
                ground: at(&grounds, i),
                note: at(&notes, i),
                indicator: at(&indicators, i),
            })
            .collect(),
    }
}

/// `POST /cases/new`
pub(super) async fn create_case_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    body: Result<RawForm, RawFormRejection>,
) -> Response {
    let tr = v.tr;
    let mut draft = draft_from(&posted_pairs(body));
    if draft.subject_kind == "org" {
        draft.person.clear();
        draft.post.clear();
    }
    let refused = match open(&state, &v, &draft).await {
        Ok(c) => return redirect(&case_href(&c.id, tr)),
        Err(r) => r,
    };
    let (errors, status) = match refused.on_page() {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    case_form(&state, &v, draft, errors, status).await
}
