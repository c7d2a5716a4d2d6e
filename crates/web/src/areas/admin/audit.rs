//! The audit log: its page, its API, and the chain's verification.

use super::*;

/// Query of the audit log. Everything arrives as text and is checked here, so a bad value is
/// answered field by field rather than with a bare 400.
#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub(super) actor: Option<String>,
    pub(super) object_type: Option<String>,
    pub(super) object_id: Option<String>,
    pub(super) action: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) page: Option<String>,
    pub(super) before: Option<String>,
}

/// The filter form's values, as typed.
#[derive(Default, Clone)]
pub struct AuditValues {
    /// User name.
    pub actor: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Action prefix.
    pub action: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

pub(super) struct AuditRequest {
    pub(super) values: AuditValues,
    pub(super) filter: AuditFilter,
    pub(super) page: i64,
    pub(super) before: Option<i64>,
    pub(super) errors: FieldErrors,
}

pub(super) fn parse_day(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    zeren_core::params::day(s).map(Some).ok_or(())
}

pub(super) fn parse_positive(s: Option<&str>, max: i64) -> Result<Option<i64>, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(s.to_string()),
        },
    }
}

pub(super) fn parse_audit(q: AuditQuery, tr: Tr) -> AuditRequest {
    let clean = |s: Option<String>| -> String {
        s.map(|s| s.trim().chars().take(200).collect())
            .unwrap_or_default()
    };
    let values = AuditValues {
        actor: clean(q.actor),
        object_type: clean(q.object_type),
        object_id: clean(q.object_id),
        action: clean(q.action),
        from: clean(q.from),
        to: clean(q.to),
    };
    let mut errors = FieldErrors::new();
    let from = parse_day(&values.from).unwrap_or_else(|()| {
        errors.push((
            "from",
            tr.tf("audit.error.date", &[("value", &values.from)]),
        ));
        None
    });
    let to = parse_day(&values.to).unwrap_or_else(|()| {
        errors.push(("to", tr.tf("audit.error.date", &[("value", &values.to)])));
        None
    });
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.push(("to", tr.t("audit.error.range").to_string()));
    }
    let page = parse_positive(q.page.as_deref(), 1_000_000).unwrap_or_else(|v| {
        errors.push(("page", tr.tf("audit.error.number", &[("value", &v)])));
        None
    });
    let before = parse_positive(q.before.as_deref(), i64::MAX).unwrap_or_else(|v| {
        errors.push(("before", tr.tf("audit.error.number", &[("value", &v)])));
        None
    });
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let filter = AuditFilter {
        actor: opt(&values.actor),
        object_type: opt(&values.object_type),
        object_id: opt(&values.object_id),
        action_prefix: opt(&values.action),
        from_ms: from.and_then(day_start_ms),
        to_ms: to.and_then(|d| d.succ_opt()).and_then(day_start_ms),
        before_seq: None,
    };
    AuditRequest {
        values,
        filter,
        page: page.unwrap_or(1),
        before,
        errors,
    }
}

pub(super) struct AuditResult {
    pub(super) entries: Vec<AuditEntry>,
    pub(super) total: i64,
    pub(super) more: bool,
}

pub(super) async fn search_audit(
    state: &AppState,
    req: &AuditRequest,
) -> Result<AuditResult, StorageError> {
    let mut filter = req.filter.clone();
    filter.before_seq = req.before;
    let offset = match req.before {
        Some(_) => 0,
        None => (req.page - 1) * PER_PAGE,
    };
    let mut entries = state.db.audit_search(&filter, offset, PER_PAGE + 1).await?;
    let more = entries.len() as i64 > PER_PAGE;
    entries.truncate(PER_PAGE as usize);
    let total = state.db.audit_count(&req.filter).await?;
    Ok(AuditResult {
        entries,
        total,
        more,
    })
}

/// The chain's state: intact with its length, or where it first breaks.
pub struct ChainView {
    /// Every entry checked out.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: u64,
    /// The first broken entry.
    pub broken_at: Option<i64>,
    /// What to tell the auditor.
    pub text: String,
}

pub(super) async fn chain_view(state: &AppState, tr: Tr) -> Result<ChainView, StorageError> {
    Ok(match state.db.verify_audit().await? {
        Ok(n) => ChainView {
            intact: true,
            entries: n,
            broken_at: None,
            text: tr.tf("audit.chain.intact", &[("count", &n.to_string())]),
        },
        Err(e) => {
            let (seq, text) = match e {
                ChainError::Altered { seq } => (
                    seq,
                    tr.tf("audit.chain.altered", &[("seq", &seq.to_string())]),
                ),
                ChainError::Broken { seq, prev } => (
                    seq,
                    tr.tf(
                        "audit.chain.broken",
                        &[("seq", &seq.to_string()), ("prev", &prev.to_string())],
                    ),
                ),
                ChainError::Truncated { last, head } => (
                    last + 1,
                    tr.tf(
                        "audit.chain.truncated",
                        &[("last", &last.to_string()), ("head", &head.to_string())],
                    ),
                ),
            };
            ChainView {
                intact: false,
                entries: 0,
                broken_at: Some(seq),
                text,
            }
        }
    })
}

/// The digest of a change whose content the auditor does not see.
pub struct DigestRow {
    /// Hash function, as named in the chain (`sm3`, `sha256`).
    pub algorithm: &'static str,
    /// Shortened digest before.
    pub before: Option<String>,
    /// Shortened digest after.
    pub after: Option<String>,
    /// Names of the fields that changed, comma-separated.
    pub fields: String,
}

/// One audit entry as shown.
pub struct EntryRow {
    /// Sequence number.
    pub seq: i64,
    /// When, Asia/Shanghai.
    pub at: String,
    /// Who.
    pub actor: String,
    /// From where.
    pub origin: String,
    /// What.
    pub action: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// State before, pretty JSON (administrative entries only).
    pub before: Option<String>,
    /// State after, pretty JSON (administrative entries only).
    pub after: Option<String>,
    /// The digest of a change to business content, shown instead of it.
    pub digest: Option<DigestRow>,
    /// The entry where the chain breaks.
    pub broken: bool,
}

pub(super) fn pretty(json: &str) -> String {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_string())
}

impl EntryRow {
    pub(super) fn new(e: &AuditEntry, broken_at: Option<i64>) -> EntryRow {
        let (before, after, digest) = match e.shown_change() {
            ShownChange::Detail { before, after } => (
                before.as_deref().map(pretty),
                after.as_deref().map(pretty),
                None,
            ),
            ShownChange::Digest(d) => (
                None,
                None,
                Some(DigestRow {
                    algorithm: d.algorithm.as_str(),
                    before: d.before,
                    after: d.after,
                    fields: d.fields.join(", "),
                }),
            ),
        };
        EntryRow {
            seq: e.seq,
            at: second(e.at_ms),
            actor: e.actor.clone(),
            origin: e.origin.clone(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id.clone(),
            before,
            after,
            digest,
            broken: broken_at == Some(e.seq),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) chain: ChainView,
    pub(super) f: AuditValues,
    pub(super) errors: FieldErrors,
    pub(super) rows: Vec<EntryRow>,
    pub(super) total: i64,
    pub(super) page: i64,
    pub(super) pages: i64,
    pub(super) cursor: bool,
    pub(super) newer_href: Option<String>,
    pub(super) older_href: Option<String>,
    pub(super) newest_href: Option<String>,
}

impl AuditPage {
    pub(super) fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub(super) fn audit_href(values: &AuditValues, tr: Tr, extra: Option<(&str, i64)>) -> String {
    let mut parts: Vec<String> = [
        ("actor", &values.actor),
        ("object_type", &values.object_type),
        ("object_id", &values.object_id),
        ("action", &values.action),
        ("from", &values.from),
        ("to", &values.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect();
    if let Some((k, n)) = extra {
        parts.push(format!("{k}={n}"));
    }
    if let Some(l) = lang_param(tr) {
        parts.push(l.to_string());
    }
    if parts.is_empty() {
        "/audit".to_string()
    } else {
        format!("/audit?{}", parts.join("&"))
    }
}

/// `GET /audit` — the audit log for the security auditor: who, when, from where, which action
/// on which object; the before/after of administrative entries, a digest of any other change
/// (never business content). Reading it changes nothing, so it is not itself recorded.
pub async fn audit_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<AuditQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::ReadAudit) {
        return forbidden_page(tr);
    }
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => {
            return Refusal::from(e)
                .titled("admin.error.bad_form_title")
                .page(tr);
        }
    };
    let req = parse_audit(q, tr);
    let chain = match chain_view(&state, tr).await {
        Ok(c) => c,
        Err(e) => return failure_page(tr, &e),
    };
    let mut view = AuditPage {
        frame: Frame::of(&state, Some(&v)),
        tr,
        chain,
        f: req.values.clone(),
        errors: Vec::new(),
        rows: Vec::new(),
        total: 0,
        page: req.page,
        pages: 1,
        cursor: req.before.is_some(),
        newer_href: None,
        older_href: None,
        newest_href: None,
    };
    if !req.errors.is_empty() {
        view.errors = req.errors;
        return page(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let found = match search_audit(&state, &req).await {
        Ok(r) => r,
        Err(e) => return failure_page(tr, &e),
    };
    view.rows = found
        .entries
        .iter()
        .map(|e| EntryRow::new(e, view.chain.broken_at))
        .collect();
    view.total = found.total;
    view.pages = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let last = found.entries.last().map(|e| e.seq);
    match req.before {
        Some(_) => {
            view.newest_href = Some(audit_href(&req.values, tr, None));
            if found.more
                && let Some(seq) = last
            {
                view.older_href = Some(audit_href(&req.values, tr, Some(("before", seq))));
            }
        }
        None => {
            if req.page > 1 {
                view.newer_href = Some(audit_href(&req.values, tr, Some(("page", req.page - 1))));
            }
            if found.more {
                view.older_href = Some(audit_href(&req.values, tr, Some(("page", req.page + 1))));
            }
        }
    }
    page(StatusCode::OK, &view)
}

#[derive(Serialize)]
pub(super) struct EntryJson<'a> {
    pub(super) seq: i64,
    pub(super) at: String,
    pub(super) at_ms: i64,
    pub(super) actor: &'a str,
    pub(super) origin: &'a str,
    pub(super) action: &'a str,
    pub(super) object_type: &'a str,
    pub(super) object_id: &'a str,
    /// The content is withheld: `before` and `after` are null and `digest` stands for them.
    pub(super) redacted: bool,
    pub(super) before: Option<Value>,
    pub(super) after: Option<Value>,
    pub(super) digest: Option<ChangeDigest>,
    pub(super) hash: &'a str,
}

impl<'a> EntryJson<'a> {
    /// An entry as the API answers it: administrative detail in full, business content as a
    /// digest only (the rule is `AuditEntry::shown_change`).
    pub(super) fn new(e: &'a AuditEntry) -> EntryJson<'a> {
        let (redacted, before, after, digest) = match e.shown_change() {
            ShownChange::Detail { before, after } => (
                false,
                parse_json(before.as_deref()),
                parse_json(after.as_deref()),
                None,
            ),
            ShownChange::Digest(d) => (true, None, None, Some(d)),
        };
        EntryJson {
            seq: e.seq,
            at: rfc3339(e.at_ms).unwrap_or_default(),
            at_ms: e.at_ms,
            actor: &e.actor,
            origin: &e.origin,
            action: &e.action,
            object_type: &e.object_type,
            object_id: &e.object_id,
            redacted,
            before,
            after,
            digest,
            hash: &e.hash,
        }
    }
}

pub(super) fn parse_json(s: Option<&str>) -> Option<Value> {
    s.map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())))
}

/// `GET /api/v1/audit` — the same entries as the page, as JSON, withheld the same way.
pub async fn api_audit(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<AuditQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ReadAudit, None)?;
    let q = q.get()?;
    let req = parse_audit(q, tr);
    if !req.errors.is_empty() {
        return Err(api_fields(tr, &req.errors));
    }
    let chain = chain_view(&state, tr)
        .await
        .map_err(|e| api_storage(tr, e))?;
    let found = search_audit(&state, &req)
        .await
        .map_err(|e| api_storage(tr, e))?;
    let entries: Vec<EntryJson> = found.entries.iter().map(EntryJson::new).collect();
    let next_before = found
        .more
        .then(|| found.entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(json!({
        "chain": {
            "intact": chain.intact,
            "entries": chain.intact.then_some(chain.entries),
            "broken_at": chain.broken_at,
            "message": chain.text,
        },
        "total": found.total,
        "page": if req.before.is_some() { None } else { Some(req.page) },
        "per_page": PER_PAGE,
        "next_before": next_before,
        "entries": entries,
    }))
    .into_response())
}
