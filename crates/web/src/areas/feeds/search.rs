//! Search of records and obligations within the viewer's scope (page and API).

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct SearchParams {
    pub(super) q: Option<String>,
    pub(super) page: Option<String>,
}

/// A search result as shown and as the API returns it.
#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    /// `obligation`, `record`, `directive` or `task`.
    pub kind: String,
    /// Duty id, record kind or task status.
    pub sub: String,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind in words.
    #[serde(skip)]
    pub kind_label: String,
    /// Text around the first match.
    pub snippet: String,
    /// Snippet split around the match, for highlighting.
    #[serde(skip)]
    pub parts: (String, String, String),
    /// Title split around the match, for highlighting.
    #[serde(skip)]
    pub title_parts: (String, String, String),
    /// Its day.
    pub date: NaiveDate,
    /// Year.
    pub year: i64,
    /// Org.
    pub org: OrgRef,
    /// Where to open it.
    pub href: Option<String>,
}

/// An org in a result.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRef {
    /// Id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

pub(super) fn href_for(hit: &SearchHit) -> Option<String> {
    // A task has no page of its own (its directive's page lists it), and the hit does not
    // carry the directive: no link.
    match hit.kind.as_str() {
        "obligation" => Some(format!("/obligations/{}", encode(&hit.id))),
        "record" => Some(format!("/records/{}", encode(&hit.id))),
        "directive" => Some(format!("/records/directives/{}", encode(&hit.id))),
        _ => None,
    }
}

/// Readable text of a stored body (records keep JSON): the string values, ids left out.
pub(super) fn plain_text(body: &str) -> String {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => {
                let looks_like_id = s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4;
                if !looks_like_id
                    && !s.is_empty()
                    && !s.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                {
                    out.push(s.clone());
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => {
            let mut out = Vec::new();
            // A record of a pack-defined kind keeps its definition beside its values: only
            // the values are its text.
            let v = match v.get("kind").and_then(|k| k.as_str()) {
                Some("defined") => v.get("values").cloned().unwrap_or_default(),
                _ => v,
            };
            walk(&v, &mut out);
            out.join(" · ")
        }
        _ => body.to_string(),
    }
}

/// Up to ~90 characters of `text` around the first term found, split for highlighting.
pub(super) fn snippet(text: &str, terms: &[String]) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    let found = (lower.len() == chars.len())
        .then(|| {
            terms.iter().find_map(|t| {
                let t: Vec<char> = t.chars().collect();
                (0..=lower.len().saturating_sub(t.len()))
                    .find(|i| lower[*i..].starts_with(&t))
                    .map(|i| (i, t.len()))
            })
        })
        .flatten();
    let (start, len) = found.unwrap_or((0, 0));
    let from = start.saturating_sub(30);
    let to = (start + len + 60).min(chars.len());
    let pre: String = chars[from..start].iter().collect();
    let hit: String = chars[start..start + len].iter().collect();
    let post: String = chars[start + len..to].iter().collect();
    (
        format!("{}{pre}", if from > 0 { "…" } else { "" }),
        hit,
        format!("{post}{}", if to < chars.len() { "…" } else { "" }),
    )
}

/// `text` split around the first term found (whole, for titles).
pub(super) fn whole_split(text: &str, terms: &[String]) -> (String, String, String) {
    let lower = text.to_lowercase();
    if lower.len() == text.len() {
        for t in terms {
            if let Some(i) = lower.find(t.as_str()) {
                let end = i + t.len();
                if text.is_char_boundary(i) && text.is_char_boundary(end) {
                    return (text[..i].into(), text[i..end].into(), text[end..].into());
                }
            }
        }
    }
    (text.to_string(), String::new(), String::new())
}

pub(super) fn kind_label(tr: Tr, hit: &SearchHit) -> String {
    match hit.kind.as_str() {
        "obligation" => tr.t("feeds.kind.obligation").to_string(),
        "record" => match hit.sub.as_str() {
            "committee-meeting" => tr.t("feeds.kind.committee-meeting").to_string(),
            "situation-analysis" => tr.t("feeds.kind.situation-analysis").to_string(),
            "training-session" => tr.t("feeds.kind.training-session").to_string(),
            "education-activity" => tr.t("feeds.kind.education-activity").to_string(),
            _ => tr.t("feeds.kind.record").to_string(),
        },
        "directive" => tr.t("feeds.kind.directive").to_string(),
        "task" => tr.t("feeds.kind.task").to_string(),
        _ => hit.kind.clone(),
    }
}

/// What a search asked and found.
pub(super) struct Found {
    pub(super) terms: Vec<String>,
    pub(super) page: i64,
    pub(super) total: i64,
    pub(super) mode: &'static str,
    pub(super) results: Vec<ResultView>,
}

/// Why a search request is refused.
pub(super) enum SearchRefusal {
    Field(&'static str, String),
    Failed(zeren_storage::StorageError),
}

pub(super) async fn run_search(
    state: &AppState,
    v: &Viewer,
    params: &SearchParams,
) -> Result<Found, SearchRefusal> {
    let tr = v.tr;
    let q = params.q.as_deref().unwrap_or("").trim();
    let terms = search_terms(q);
    if terms.is_empty() {
        return Err(SearchRefusal::Field(
            "q",
            tr.t("feeds.search.need_q").to_string(),
        ));
    }
    let Some(page) =
        zeren_core::params::page(params.page.as_deref()).and_then(|n| i64::try_from(n).ok())
    else {
        return Err(SearchRefusal::Field(
            "page",
            tr.t("feeds.search.bad_page").to_string(),
        ));
    };
    if !state.db.search_index_ready().await
        && let Err(e) = state.db.ensure_search_index().await
        // Another request (or instance) may have built it meanwhile.
        && !state.db.search_index_ready().await
    {
        return Err(SearchRefusal::Failed(e));
    }
    let found = state
        .db
        .search(&SearchQuery {
            terms: terms.clone(),
            orgs: readable_orgs(v),
            offset: (page - 1) * SEARCH_PER_PAGE,
            limit: SEARCH_PER_PAGE,
        })
        .await
        .map_err(SearchRefusal::Failed)?;
    let m = &v.snap.model;
    let results = found
        .hits
        .iter()
        // The scope is also checked here, so a stale org list can never leak a result.
        .filter(|h| v.can(Permission::ReadOrg, Some(&h.org)))
        .map(|h| {
            let org = m.org(&h.org);
            let code = org.map(|o| o.code.clone()).unwrap_or_default();
            let duty = (h.kind == "obligation")
                .then(|| v.snap.pack.duty(&h.sub))
                .flatten();
            let text = match (h.kind.as_str(), duty) {
                ("record", _) => plain_text(&h.body),
                // The index keeps the citation as `Art.4(2)`; show it as the reader reads it.
                ("obligation", Some(d)) if !tr.is_en() => h
                    .body
                    .replace(&d.citation().to_string(), &d.citation().to_zh()),
                _ => h.body.clone(),
            };
            let parts = snippet(&text, &terms);
            let title = match duty {
                Some(d) if tr.is_en() => d.title_en.clone(),
                _ => h.title.clone(),
            };
            let title_parts = whole_split(&title, &terms);
            ResultView {
                kind: h.kind.clone(),
                sub: h.sub.clone(),
                id: h.id.clone(),
                kind_label: kind_label(tr, h),
                snippet: format!("{}{}{}", parts.0, parts.1, parts.2),
                parts,
                title_parts,
                date: h.day,
                year: h.year,
                href: href_for(h),
                org: OrgRef {
                    id: h.org.clone(),
                    code,
                    name: org.map(|o| o.name.clone()).unwrap_or_default(),
                },
                title,
            }
        })
        .collect();
    Ok(Found {
        terms,
        page,
        total: found.total,
        mode: found.mode,
        results,
    })
}

#[derive(Template)]
#[template(path = "search.html")]
pub(super) struct SearchPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) q: String,
    pub(super) error: Option<String>,
    pub(super) found: Option<FoundView>,
}

pub(super) struct FoundView {
    pub(super) total: i64,
    pub(super) page: i64,
    pub(super) pages: i64,
    pub(super) mode_key: &'static str,
    pub(super) results: Vec<ResultView>,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
}

/// `GET /search`
pub(super) async fn search_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    params: Result<Query<SearchParams>, Rejected>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadOrg) {
        return forbidden_page(tr);
    }
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let q = params.q.clone().unwrap_or_default();
    let mut tpl = SearchPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        q: q.clone(),
        error: None,
        found: None,
    };
    if params.q.is_none() && params.page.is_none() {
        return page(StatusCode::OK, &tpl);
    }
    match run_search(&state, &v, &params).await {
        Ok(f) => {
            let pages = (f.total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
            let link = |n: i64| {
                let mut s = format!("/search?q={}&page={n}", encode(&f.terms.join(" ")));
                if tr.is_explicit() {
                    s.push_str(if tr.is_en() { "&lang=en" } else { "&lang=zh" });
                }
                s
            };
            tpl.found = Some(FoundView {
                total: f.total,
                page: f.page,
                pages: pages.max(1),
                mode_key: if f.mode == "trigram" {
                    "feeds.search.mode.trigram"
                } else {
                    "feeds.search.mode.like"
                },
                prev: (f.page > 1).then(|| link(f.page - 1)),
                next: (f.page < pages).then(|| link(f.page + 1)),
                results: f.results,
            });
            page(StatusCode::OK, &tpl)
        }
        Err(SearchRefusal::Field(_, msg)) => {
            tpl.error = Some(msg);
            page(StatusCode::UNPROCESSABLE_ENTITY, &tpl)
        }
        Err(SearchRefusal::Failed(e)) => internal_page(tr, &e),
    }
}

#[derive(Serialize)]
pub(super) struct SearchAnswer {
    pub(super) q: String,
    pub(super) terms: Vec<String>,
    pub(super) page: i64,
    pub(super) per_page: i64,
    pub(super) total: i64,
    pub(super) pages: i64,
    /// `trigram` when a trigram index answered, `like` otherwise (1–2 character words).
    pub(super) mode: &'static str,
    pub(super) results: Vec<ResultView>,
}

/// `GET /api/v1/search`
pub(super) async fn api_search(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    params: Result<Query<SearchParams>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    crate::shared::access::require(&v, Permission::ReadOrg, None)?;
    let params = params.map(|Query(p)| p).unwrap_or_default();
    match run_search(&state, &v, &params).await {
        Ok(f) => Ok(Json(SearchAnswer {
            q: params.q.unwrap_or_default(),
            pages: ((f.total + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE).max(1),
            terms: f.terms,
            page: f.page,
            per_page: SEARCH_PER_PAGE,
            total: f.total,
            mode: f.mode,
            results: f.results,
        })
        .into_response()),
        Err(SearchRefusal::Field(field, msg)) => Err(ApiError::new(
            ErrorCode::Validation,
            format!("{field}: {msg}"),
        )),
        Err(SearchRefusal::Failed(e)) => Err(internal_api(tr, &e)),
    }
}
