//! The policy API: the loaded versions, and one version with its articles, duties, grounds
//! and indicators.

use super::{DiffQuery, compared};
use crate::AppState;
use crate::shared::access::require;
use crate::shared::auth::ApiViewer;
use crate::shared::error::{ApiError, ErrorCode};
use crate::shared::extract::{Input, Path, Query, Rejected};
use crate::shared::format::anchor;
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use zeren_core::access::Permission;
use zeren_core::platforms::website::WebsiteRules;
use zeren_core::policy::{
    Article, AssessmentScheme, Duty, EventRules, Ground, PlatformKindDef, Policies, PolicyMeta,
    PolicyPack, Portfolio, PostKind, RecordKind, ReminderRules, ReviewChecklist, Topic,
};
use zeren_storage::StoredPolicy;

/// One loaded policy version in a list.
#[derive(Serialize)]
struct PolicySummary<'a> {
    id: &'a str,
    series: &'a str,
    version: u32,
    document_number: &'a str,
    title: &'a str,
    title_en: &'a str,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    in_force: bool,
    /// A later version of the series has taken effect.
    superseded: bool,
    builtin: bool,
}

#[derive(Serialize)]
struct PolicyList<'a> {
    policies: Vec<PolicySummary<'a>>,
}

/// `GET /api/v1/policies`
pub(super) async fn list_policies(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Response, ApiError> {
    require(&v, Permission::ReadPolicy, None)?;
    let today = state.clock.today();
    let stored = &v.snap.policies;
    let policies = stored
        .iter()
        .map(|p| {
            let m = &p.pack.meta;
            PolicySummary {
                id: &m.id,
                series: &m.series,
                version: m.version,
                document_number: &m.document_number,
                title: &m.title,
                title_en: &m.title_en,
                effective_from: m.effective_from,
                effective_until: m.effective_until,
                in_force: v.snap.set.is_in_force(m, today),
                superseded: v.snap.set.is_superseded(m, today),
                builtin: p.builtin,
            }
        })
        .collect();
    Ok(Json(PolicyList { policies }).into_response())
}

/// An article with both citation forms and its anchor on the policy page.
#[derive(Serialize)]
struct ArticleDoc<'a> {
    number: u32,
    citation: String,
    citation_zh: String,
    anchor: String,
    text: &'a str,
    items: Vec<ItemDoc<'a>>,
}

#[derive(Serialize)]
struct ItemDoc<'a> {
    number: u32,
    citation: String,
    citation_zh: String,
    anchor: String,
    text: &'a str,
}

impl<'a> ArticleDoc<'a> {
    fn new(a: &'a Article) -> ArticleDoc<'a> {
        let c = zeren_core::Citation::article(a.number);
        ArticleDoc {
            number: a.number,
            citation: c.to_string(),
            citation_zh: c.to_zh(),
            anchor: anchor(c),
            text: &a.text,
            items: a
                .items
                .iter()
                .map(|i| {
                    let c = zeren_core::Citation::item(a.number, i.number);
                    ItemDoc {
                        number: i.number,
                        citation: c.to_string(),
                        citation_zh: c.to_zh(),
                        anchor: anchor(c),
                        text: &i.text,
                    }
                })
                .collect(),
        }
    }
}

/// A whole policy version: the pack as parsed, with articles carrying both citation forms.
#[derive(Serialize)]
struct PolicyDoc<'a> {
    meta: &'a PolicyMeta,
    builtin: bool,
    in_force: bool,
    superseded: bool,
    reminders: &'a ReminderRules,
    topics: &'a [Topic],
    post_kinds: &'a [PostKind],
    platform_kinds: &'a [PlatformKindDef],
    portfolios: &'a [Portfolio],
    articles: Vec<ArticleDoc<'a>>,
    duties: &'a [Duty],
    grounds: &'a [Ground],
    assessment: Option<&'a AssessmentScheme>,
    record_kinds: &'a [RecordKind],
    annual_review: Option<&'a ReviewChecklist>,
    online_events: Option<&'a EventRules>,
    website_maintenance: Option<&'a WebsiteRules>,
    incidents: Option<&'a zeren_core::incidents::IncidentRules>,
    risk_assessment: Option<&'a zeren_core::projects::RiskRules>,
    accountability: Option<&'a zeren_core::cases::CaseRules>,
}

impl<'a> PolicyDoc<'a> {
    fn new(stored: &'a StoredPolicy, set: &Policies, today: NaiveDate) -> PolicyDoc<'a> {
        let PolicyPack {
            meta,
            reminders,
            topics,
            post_kinds,
            platform_kinds,
            portfolios,
            articles,
            duties,
            grounds,
            assessment,
            record_kinds,
            annual_review,
            online_events,
            website_maintenance,
            incidents,
            risk_assessment,
            accountability,
        } = &stored.pack;
        PolicyDoc {
            meta,
            builtin: stored.builtin,
            in_force: set.is_in_force(&stored.pack.meta, today),
            superseded: set.is_superseded(&stored.pack.meta, today),
            reminders,
            topics,
            post_kinds,
            platform_kinds,
            portfolios,
            articles: articles.iter().map(ArticleDoc::new).collect(),
            duties,
            grounds,
            assessment: assessment.as_ref(),
            record_kinds,
            annual_review: annual_review.as_ref(),
            online_events: online_events.as_ref(),
            website_maintenance: website_maintenance.as_ref(),
            incidents: incidents.as_ref(),
            risk_assessment: risk_assessment.as_ref(),
            accountability: accountability.as_ref(),
        }
    }
}

/// `GET /api/v1/policies/{id}`
pub(super) async fn get_policy(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ReadPolicy, None)?;
    let id = id.get()?;
    let stored = v
        .snap
        .policy(&id)
        .map_err(|e| ApiError::from_storage(e, tr, ErrorCode::PolicyNotFound, &id))?;
    let today = state.clock.today();
    // The document changes only with the snapshot (a new policy version) and the day.
    let body = v
        .snap
        .rendered(&format!("policy:{id}:{today}"), || {
            serde_json::to_vec(&PolicyDoc::new(stored, &v.snap.set, today))
        })
        .map_err(|e| {
            tracing::error!(error = %e, "policy serialisation failed");
            ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
        })?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/v1/policies/{id}/diff?from=…`
pub(super) async fn get_diff(
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    q: Result<Query<DiffQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ReadPolicy, None)?;
    let id = id.get()?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let set = &v.snap.set;
    let to = set.get(&id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::PolicyNotFound,
            tr.tf("error.policy_not_found", &[("id", &id)]),
        )
    })?;
    let compared = compared(set, to, q.from.as_deref(), tr)?;
    Ok(Json(serde_json::json!({
        "id": to.meta.id,
        "from": compared.as_ref().map(|(from, _)| &from.meta.id),
        "diff": compared.as_ref().map(|(_, diff)| diff),
    }))
    .into_response())
}
