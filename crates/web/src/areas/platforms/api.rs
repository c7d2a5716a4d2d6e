//! The registry's JSON API: `/api/v1/platforms`.

use super::leaders::{Leader, responsible_leaders};
use super::*;
use serde::Serialize;
use zeren_core::org::OrgModel;

/// A platform as the API shows it in a list. The fields are in the order of their names, the
/// order a JSON object's keys come out in once it is a [`Value`] (serde_json's map is sorted):
/// the list is written straight from these and reads exactly as [`platform_json`] does.
#[derive(Serialize)]
pub(super) struct PlatformItem<'a> {
    active_from: Option<String>,
    closed_on: Option<String>,
    code: &'a str,
    id: &'a str,
    kind: PlatformKind,
    name: &'a str,
    news_function: bool,
    opened_on: String,
    operators: Vec<OperatorItem<'a>>,
    org: OrgItem<'a>,
    portfolio: Option<&'a str>,
    responsible: Option<ResponsibleItem>,
    state: &'static str,
}

/// The org of a [`PlatformItem`].
#[derive(Serialize)]
pub(super) struct OrgItem<'a> {
    code: Option<&'a str>,
    id: &'a str,
    name: Option<&'a str>,
}

/// An operator of a [`PlatformItem`].
#[derive(Serialize)]
pub(super) struct OperatorItem<'a> {
    id: &'a str,
    name: String,
}

/// The responsible leader of a [`PlatformItem`].
#[derive(Serialize)]
pub(super) struct ResponsibleItem {
    name: String,
    person: String,
    post: String,
}

/// `p` (of the model `m`) as the API lists it, with its responsible leader.
pub(super) fn platform_item<'a>(
    m: &'a OrgModel,
    p: &'a Platform,
    leader: Option<Leader>,
) -> PlatformItem<'a> {
    let org = m.org(&p.org);
    PlatformItem {
        active_from: p.active_from.map(date),
        closed_on: p.closed_on.map(date),
        code: &p.code,
        id: &p.id,
        kind: p.kind,
        name: &p.name,
        news_function: p.news_function,
        opened_on: date(p.opened_on),
        operators: p
            .operators
            .iter()
            .map(|o| OperatorItem {
                id: o,
                name: person_name(m, o),
            })
            .collect(),
        org: OrgItem {
            code: org.map(|o| o.code.as_str()),
            id: &p.org,
            name: org.map(|o| o.name.as_str()),
        },
        portfolio: p.portfolio.as_deref(),
        responsible: leader.map(|(person, name, post)| ResponsibleItem { name, person, post }),
        state: p.state.as_str(),
    }
}

/// A platform as the API shows it in a list, as a value (what the detail adds to).
pub(super) fn platform_json(v: &Viewer, p: &Platform, today: NaiveDate) -> Value {
    let item = platform_item(&v.snap.model, p, responsible_leader(v, p, today));
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// A page of the registry as the API answers it (the fields in the order of their names, as
/// [`PlatformItem`]'s).
#[derive(Serialize)]
struct PlatformList<'a> {
    page: usize,
    per_page: usize,
    platforms: Vec<PlatformItem<'a>>,
    total: usize,
}

/// A platform with its registration, steps, version and obligations.
async fn detail_json(state: &AppState, v: &Viewer, p: &Platform) -> Result<Value, ApiError> {
    let tr = v.tr;
    let today = state.today();
    let life = state
        .db
        .platform_lifecycle(&p.id)
        .await
        .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let duties = duties_of(state, v, p)
        .await
        .map_err(|e| storage_refusal(tr, e, &p.id).api())?;
    let mut out = platform_json(v, p, today);
    out["state"] = json!(life.state.as_str());
    out["state_since"] = json!(date(life.since));
    out["registration"] = json!({
        "icp": life.registration.icp,
        "account_id": life.registration.account_id,
        "registered_on": life.registration.registered_on.map(date),
        "registering_body": life.registration.registering_body,
    });
    out["version"] = json!(life.version);
    out["steps"] = json!(
        life.steps
            .iter()
            .map(|s| json!({
                "from": s.from.as_str(),
                "to": s.to.as_str(),
                "on": date(s.on),
                "reason": s.reason,
                "made_by": s.made_by,
                "made_at": crate::shared::format::rfc3339(s.made_at),
            }))
            .collect::<Vec<_>>()
    );
    out["obligations"] = json!(
        duties
            .iter()
            .map(|o| json!({
                "id": o.id,
                "duty": o.duty,
                "subject_kind": o.subject_kind,
                "subject": o.subject,
                "period": o.period,
                "due": date(o.due),
                "citation": o.citation,
                "status": status_of(v, o, today).as_str(),
                "completed_on": o.completed_on.map(date),
                "version": o.version,
            }))
            .collect::<Vec<_>>()
    );
    Ok(out)
}

pub(super) async fn api_platforms(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<RegistryQuery>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Query(q) = q?;
    let f = filter_of(&v, &q).map_err(Refusal::api)?;
    let today = state.today();
    let (rows, total) = select(&state, &v, &f);
    let leaders = responsible_leaders(&state, &v, &rows, today);
    let m = &v.snap.model;
    Ok(Json(PlatformList {
        page: f.page,
        per_page: PER_PAGE,
        platforms: rows
            .iter()
            .zip(leaders)
            .map(|(p, leader)| platform_item(m, p, leader))
            .collect(),
        total,
    })
    .into_response())
}

pub(super) async fn api_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    read_gate(&v).map_err(Refusal::api)?;
    let Path(id) = id?;
    let p = readable(&v, &id).map_err(Refusal::api)?.clone();
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

pub(super) async fn api_create_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<PlatformDraft>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    write_gate(&v).map_err(Refusal::api)?;
    let JsonBody(draft) = body?;
    let (p, added) = enter(&state, &v, &draft).await.map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    let mut out = detail_json(&state, &v, &p).await?;
    out["obligations_added"] = json!(added);
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The edit of a platform through the API: what is given changes, the rest stays.
#[derive(Deserialize)]
pub struct PlatformPatch {
    version: i64,
    name: Option<String>,
    portfolio: Option<String>,
    news_function: Option<bool>,
    operators: Option<Vec<String>>,
}

pub(super) async fn api_edit_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<PlatformPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(patch) = body?;
    let draft = PlatformDraft {
        code: p.code.clone(),
        name: patch.name.unwrap_or_else(|| p.name.clone()),
        kind: p.kind.as_str().into(),
        org: p.org.clone(),
        portfolio: patch
            .portfolio
            .unwrap_or_else(|| p.portfolio.clone().unwrap_or_default()),
        news_function: patch.news_function.unwrap_or(p.news_function),
        opened_on: date(p.opened_on),
        operators: patch.operators.unwrap_or_else(|| p.operators.clone()),
        state: p.state.as_str().into(),
    };
    let after = change(&state, &v, &p, patch.version, &draft)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    Ok(Json(detail_json(&state, &v, &after).await?).into_response())
}

/// A lifecycle step through the API.
#[derive(Deserialize)]
pub struct StepBody {
    version: i64,
    #[serde(flatten)]
    step: TransitionDraft,
}

pub(super) async fn api_step_platform(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<StepBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(b) = body?;
    step(&state, &v, &p, b.version, &b.step)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

/// Registration details through the API.
#[derive(Deserialize)]
pub struct RegistrationBody {
    version: i64,
    #[serde(flatten)]
    registration: RegistrationDraft,
}

pub(super) async fn api_registration(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<RegistrationBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    let Path(id) = id?;
    let p = writable(&v, &id).map_err(Refusal::api)?.clone();
    let JsonBody(b) = body?;
    register(&state, &v, &p, b.version, &b.registration)
        .await
        .map_err(|r| r.api(tr))?;
    let v = refreshed(&state, v).await;
    let p = v.snap.model.find_platform(&p.id).cloned().unwrap_or(p);
    Ok(Json(detail_json(&state, &v, &p).await?).into_response())
}

/// The viewer on the snapshot that follows the change just made (so the answer shows it).
async fn refreshed(state: &AppState, mut v: Viewer) -> Viewer {
    if let Ok(snap) = state.current_snapshot().await {
        v.snap = snap;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_core::org::{Org, Person};
    use zeren_core::vocab::OrgKind;

    /// A list item written straight reads as its value does: the fields are in the order of
    /// their names, at every depth.
    #[test]
    fn a_list_item_reads_as_its_value() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        let m = OrgModel::new(
            vec![Org {
                id: "o1".into(),
                code: "cqu".into(),
                name: "大学 \"党委\"".into(),
                kind: OrgKind::University,
                parent: None,
                established_on: None,
                closed_on: None,
            }],
            vec![Person {
                id: "u1".into(),
                name: "李明".into(),
                org: "o1".into(),
            }],
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        let mut p = Platform {
            id: "p1".into(),
            code: "cqu-web".into(),
            name: "网站\n<1>".into(),
            kind: PlatformKind::Website,
            org: "o1".into(),
            portfolio: Some("network-it".into()),
            news_function: true,
            opened_on: day(1),
            closed_on: Some(day(9)),
            operators: vec!["u1".into(), "u-gone".into()],
            state: PlatformState::Closed,
            active_from: Some(day(2)),
        };
        let leader = || Some(("u1".into(), "李明".into(), "书记".into()));
        for item in [platform_item(&m, &p, leader()), platform_item(&m, &p, None)] {
            let straight = serde_json::to_string(&item).unwrap();
            let value = serde_json::to_value(&item).unwrap();
            assert_eq!(straight, serde_json::to_string(&value).unwrap());
        }
        p.org = "o-gone".into();
        p.portfolio = None;
        p.closed_on = None;
        p.active_from = None;
        let item = platform_item(&m, &p, leader());
        let value = serde_json::to_value(&item).unwrap();
        assert_eq!(serde_json::to_string(&item).unwrap(), value.to_string());
        assert_eq!(
            value["org"],
            json!({"id": "o-gone", "code": null, "name": null})
        );
        let list = PlatformList {
            page: 2,
            per_page: PER_PAGE,
            platforms: vec![item],
            total: 51,
        };
        let value = serde_json::to_value(&list).unwrap();
        assert_eq!(serde_json::to_string(&list).unwrap(), value.to_string());
    }
}
