//! Who was responsible (page and API share the question).

use super::*;

/// The question, as asked in the query string.
#[derive(Deserialize, Default, Clone)]
pub struct WhoQuery {
    pub(super) org: Option<String>,
    pub(super) duty: Option<String>,
    pub(super) portfolio: Option<String>,
    pub(super) platform: Option<String>,
    pub(super) at: Option<String>,
}

pub(super) fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

/// Why a question has no answer: the HTTP code, the field and the message.
pub(super) struct WhoError {
    pub(super) code: ErrorCode,
    pub(super) field: &'static str,
    pub(super) message: String,
}

impl WhoError {
    pub(super) fn new(code: ErrorCode, field: &'static str, message: String) -> WhoError {
        WhoError {
            code,
            field,
            message,
        }
    }

    pub(super) fn api(self, tr: Tr) -> ApiError {
        ApiError::new(
            self.code,
            tr.tf(
                "orgs.error.field",
                &[("field", self.field), ("message", &self.message)],
            ),
        )
    }
}

pub(super) fn resolve_error(tr: Tr, e: &ResolveError, org: &Org) -> WhoError {
    match e {
        ResolveError::DutyNotForOrg { expected, .. } => {
            let kinds: Vec<String> = expected
                .split(", ")
                .map(|k| match OrgKind::parse(k) {
                    Some(k) => org_kind_name(tr, k),
                    None => k.to_string(),
                })
                .collect();
            WhoError::new(
                ErrorCode::Validation,
                "duty",
                tr.tf(
                    "who.error.duty_not_for_org",
                    &[
                        ("kinds", &kinds.join("、")),
                        ("org", &org.name),
                        ("kind", &org_kind_name(tr, org.kind)),
                    ],
                ),
            )
        }
        ResolveError::PlatformNeeded { platforms, .. } => WhoError::new(
            ErrorCode::Validation,
            "platform",
            tr.tf("who.error.platform_needed", &[("platforms", platforms)]),
        ),
        ResolveError::PlatformNotInOrg { platform, .. } => WhoError::new(
            ErrorCode::Validation,
            "platform",
            tr.tf(
                "who.error.platform_not_in_org",
                &[("platform", platform), ("org", &org.name)],
            ),
        ),
    }
}

/// Answers the question; `Ok(None)` when no org was asked about yet.
pub(super) async fn ask<'a>(
    state: &AppState,
    v: &'a Viewer,
    q: &WhoQuery,
) -> Result<Option<(Answer, &'a PolicyPack)>, WhoError> {
    let tr = v.tr;
    let org_param = trimmed(&q.org);
    if org_param.is_empty() {
        return Ok(None);
    }
    let org = find_visible(v, org_param).ok_or_else(|| {
        WhoError::new(
            ErrorCode::NotFound,
            "org",
            tr.tf("who.error.org_unknown", &[("org", org_param)]),
        )
    })?;
    let at = match trimmed(&q.at) {
        "" => state.today(),
        s => parse_day(s).ok_or_else(|| {
            WhoError::new(
                ErrorCode::Validation,
                "at",
                tr.tf("who.error.at", &[("value", s)]),
            )
        })?,
    };
    let m = &v.snap.model;
    let platform: Option<&Platform> = match trimmed(&q.platform) {
        "" => None,
        code => Some(
            m.find_platform(code)
                .filter(|p| visible(v, &p.org))
                .ok_or_else(|| {
                    WhoError::new(
                        ErrorCode::NotFound,
                        "platform",
                        tr.tf("who.error.platform_unknown", &[("platform", code)]),
                    )
                })?,
        ),
    };
    let duty_id = trimmed(&q.duty);
    let portfolio_id = trimmed(&q.portfolio);
    // Conduct is judged by the rules of the day asked about: the version of the duty's (or
    // portfolio's) own system in force then.
    let (answer, pack) = if !duty_id.is_empty() {
        let (pack, duty) = v.snap.set.duty(duty_id, at).ok_or_else(|| {
            WhoError::new(
                ErrorCode::Validation,
                "duty",
                tr.tf(
                    "who.error.duty_unknown",
                    &[("duty", duty_id), ("policy", &v.snap.pack.meta.id)],
                ),
            )
        })?;
        (
            resolve(pack, m, org, Target::Duty { duty, platform }, at),
            pack,
        )
    } else if !portfolio_id.is_empty() {
        let Some(pack) = v.snap.set.portfolio_pack(portfolio_id, at) else {
            return Err(WhoError::new(
                ErrorCode::Validation,
                "portfolio",
                tr.tf(
                    "who.error.portfolio_unknown",
                    &[("portfolio", portfolio_id)],
                ),
            ));
        };
        (
            resolve(pack, m, org, Target::Portfolio(portfolio_id), at),
            pack,
        )
    } else {
        return Err(WhoError::new(
            ErrorCode::Validation,
            "duty",
            tr.t("who.error.nothing_asked").to_string(),
        ));
    };
    let answer = answer.map_err(|e| resolve_error(tr, &e, org))?;
    Ok(Some((answer, pack)))
}

/// An option of a select.
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// One line of the chain of reasons.
pub struct ChainRow {
    /// The reason in words.
    pub text: String,
    /// For a duty: its article on the policy page.
    pub href: Option<String>,
    /// For a duty: the citation.
    pub cite: Option<String>,
}

/// The answer as shown.
pub struct AnswerView {
    /// Org asked about.
    pub org: String,
    /// Day asked about.
    pub at: String,
    /// The responsible person.
    pub person: Option<String>,
    /// Through this post.
    pub post: Option<String>,
    /// The direct post was vacant.
    pub vacant: bool,
    /// The first responsible person, when someone else.
    pub first: Option<String>,
    /// The chain of reasons.
    pub chain: Vec<ChainRow>,
    /// The policy version that was applied.
    pub policy: String,
    /// This question's shareable link.
    pub share: String,
}

#[derive(Template)]
#[template(path = "who.html")]
pub(super) struct WhoPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) orgs: Vec<Opt>,
    pub(super) duties: Vec<Opt>,
    pub(super) portfolios: Vec<Opt>,
    pub(super) platforms: Vec<Opt>,
    pub(super) at: String,
    pub(super) errors: Vec<(String, String)>,
    pub(super) answer: Option<AnswerView>,
}

impl WhoPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        crate::shared::format::field_error(&self.errors, field)
    }
}

pub(super) fn answer_view(tr: Tr, answer: &Answer, pack: &PolicyPack, share: String) -> AnswerView {
    let chain = answer
        .chain
        .iter()
        .map(|r| {
            let (href, cite) = match r {
                Reason::Duty { citation, .. } => match citation.parse::<Citation>() {
                    Ok(c) => (
                        Some(format!(
                            "/policies/{}{}#{}",
                            encode(&pack.meta.id),
                            tr.qs(),
                            anchor(c)
                        )),
                        Some(if tr.is_en() { c.to_string() } else { c.to_zh() }),
                    ),
                    Err(_) => (None, None),
                },
                _ => (None, None),
            };
            ChainRow {
                text: r.describe(tr.lang()),
                href,
                cite,
            }
        })
        .collect();
    AnswerView {
        org: answer.org.name.clone(),
        at: date(answer.at),
        person: answer.person.as_ref().map(|p| p.name.clone()),
        post: answer.post.as_ref().map(|p| p.name.clone()),
        vacant: answer.vacant,
        first: answer.first_responsible.as_ref().map(|p| p.name.clone()),
        chain,
        policy: format!("{} {}", pack.meta.document_number, pack.meta.id),
        share,
    }
}

/// `GET /who` — the question's form, and its answer when asked.
pub(super) async fn who_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<WhoQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Some(refused) = read_gate_page(&v) {
        return refused;
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let result = ask(&state, &v, &q).await;
    let (status, answer, errors) = match result {
        Ok(Some((a, pack))) => {
            let share = href_with(
                "/who",
                &[
                    ("org", trimmed(&q.org)),
                    ("duty", trimmed(&q.duty)),
                    (
                        "portfolio",
                        if trimmed(&q.duty).is_empty() {
                            trimmed(&q.portfolio)
                        } else {
                            ""
                        },
                    ),
                    ("platform", trimmed(&q.platform)),
                    ("at", &date(a.at)),
                ],
                tr,
            );
            (
                StatusCode::OK,
                Some(answer_view(tr, &a, pack, share)),
                Vec::new(),
            )
        }
        Ok(None) => (StatusCode::OK, None, Vec::new()),
        Err(e) => (
            e.code.status(),
            None,
            vec![(e.field.to_string(), e.message)],
        ),
    };
    let m = &v.snap.model;
    let pack = &v.snap.pack;
    let chosen_org = m.find_org(trimmed(&q.org)).map(|o| o.id.clone());
    let tree = visible_tree(&v, Sort::Code);
    let orgs = tree
        .iter()
        .map(|(depth, o)| Opt {
            value: o.code.clone(),
            label: format!("{}{}（{}）", "\u{3000}".repeat(*depth), o.name, o.code),
            selected: chosen_org.as_deref() == Some(o.id.as_str()),
        })
        .collect();
    let duties = pack
        .duties
        .iter()
        .map(|d| Opt {
            value: d.id.clone(),
            label: format!(
                "{}（{}）",
                tr.lang().pick(&d.title, &d.title_en),
                if tr.is_en() {
                    d.citation().to_string()
                } else {
                    d.citation().to_zh()
                }
            ),
            selected: trimmed(&q.duty) == d.id,
        })
        .collect();
    let portfolios = pack
        .portfolios
        .iter()
        .map(|p| Opt {
            value: p.id.clone(),
            label: tr.lang().pick(&p.name, &p.name_en).to_string(),
            selected: trimmed(&q.portfolio) == p.id,
        })
        .collect();
    let platforms = tree
        .iter()
        .flat_map(|(_, o)| m.platforms_of(&o.id).map(move |p| (p, *o)))
        .map(|(p, o)| Opt {
            value: p.code.clone(),
            label: format!("{}（{}）", p.name, o.name),
            selected: m.find_platform(trimmed(&q.platform)).map(|x| &x.id) == Some(&p.id),
        })
        .collect();
    let at = match trimmed(&q.at) {
        "" => date(state.today()),
        s => s.to_string(),
    };
    page(
        status,
        &WhoPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            orgs,
            duties,
            portfolios,
            platforms,
            at,
            errors,
            answer,
        },
    )
}
