//! Per-person training status.

use super::*;

/// Query of the training status.
#[derive(Deserialize, Default)]
pub struct TrainingQuery {
    pub(super) org: Option<String>,
    pub(super) year: Option<String>,
}

/// One person's training in a year.
pub struct TrainingRow {
    /// Name.
    pub name: String,
    /// Their org.
    pub org: String,
    /// Sessions.
    pub sessions: u32,
    /// Hours.
    pub hours: String,
    /// No training yet.
    pub none: bool,
}

pub(super) struct Training {
    pub(super) org: Org,
    pub(super) year: i32,
    pub(super) rows: Vec<(String, String, String, u32, f64)>,
}

pub(super) async fn training(
    state: &AppState,
    v: &Viewer,
    q: &TrainingQuery,
) -> Result<Training, ApiError> {
    let tr = v.tr;
    let year = parse_year(tr, q.year.as_deref(), state.today())?;
    let org = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => org_to_read(v, code).map_err(Refusal::api)?,
        None => default_org(v, Permission::ReadOrg).ok_or_else(|| forbidden(tr))?,
    };
    let m = &v.snap.model;
    // Sessions held by the org's subtree and by the orgs above it (a university training).
    let mut orgs: Vec<String> = m.subtree(&org.id).iter().map(|o| o.id.clone()).collect();
    let mut up = m.parent(org);
    while let Some(p) = up {
        if orgs.contains(&p.id) {
            break;
        }
        orgs.push(p.id.clone());
        up = m.parent(p);
    }
    let status = state
        .db
        .training_status(&orgs, year)
        .await
        .map_err(|e| storage_api(tr, e))?;
    let mut rows: Vec<(String, String, String, u32, f64)> = m
        .people_within(&org.id)
        .map(|p| {
            let s = status.get(&p.id);
            (
                p.id.clone(),
                p.name.clone(),
                org_name(m, &p.org),
                s.map(|s| s.sessions).unwrap_or(0),
                s.map(|s| s.hours).unwrap_or(0.0),
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.2, &a.1).cmp(&(&b.2, &b.1)));
    Ok(Training {
        org: org.clone(),
        year,
        rows,
    })
}

#[derive(Template)]
#[template(path = "records_training.html")]
pub(super) struct TrainingPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) org: String,
    pub(super) org_code: String,
    pub(super) year: String,
    pub(super) lead: String,
    pub(super) rows: Vec<TrainingRow>,
    pub(super) untrained_label: String,
    pub(super) records_href: String,
}

pub(super) async fn training_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<TrainingQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let t = match training(&state, &v, &q).await {
        Ok(t) => t,
        Err(e) => return api_error_page(tr, e),
    };
    let rows: Vec<TrainingRow> = t
        .rows
        .iter()
        .map(|(_, name, org, sessions, hours)| TrainingRow {
            name: name.clone(),
            org: org.clone(),
            sessions: *sessions,
            hours: format_hours(*hours),
            none: *sessions == 0,
        })
        .collect();
    page(
        StatusCode::OK,
        &TrainingPage {
            frame: Frame::of(&state, Some(&v)),
            tr,
            org: t.org.name.clone(),
            org_code: t.org.code.clone(),
            year: t.year.to_string(),
            lead: tr.tf(
                "records.training.lead",
                &[("org", &t.org.name), ("year", &t.year.to_string())],
            ),
            untrained_label: tr.tf(
                "records.training.untrained",
                &[("n", &rows.iter().filter(|r| r.none).count().to_string())],
            ),
            rows,
            records_href: href_with(
                "/records",
                &[
                    ("org", t.org.code.as_str()),
                    ("kind", "training-session"),
                    ("year", t.year.to_string().as_str()),
                ],
                tr,
            ),
        },
    )
}
