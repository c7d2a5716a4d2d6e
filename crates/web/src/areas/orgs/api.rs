//! The org model API: orgs, people, posts, holdings and portfolio assignments.

use super::*;

pub(super) fn read_gate(v: &Viewer) -> Result<(), ApiError> {
    require(v, Permission::ReadOrg, None)
}

/// Query of the org list.
#[derive(Deserialize, Default)]
pub struct OrgListQuery {
    pub(super) q: Option<String>,
    pub(super) sort: Option<String>,
    pub(super) page: Option<String>,
}

/// `GET /api/v1/orgs`
pub(super) async fn api_orgs(
    ApiViewer(v): ApiViewer,
    q: Result<Query<OrgListQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    let page = api_page(tr, q.page.as_deref())?;
    let sort = api_sort(tr, q.sort.as_deref(), Sort::Code)?;
    let needle = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let tree: Vec<&Org> = visible_tree(&v, sort)
        .into_iter()
        .map(|(_, o)| o)
        .filter(|o| {
            needle.is_empty() || o.name.to_lowercase().contains(&needle) || o.code.contains(&needle)
        })
        .collect();
    Ok(list(&tree, page, |o| org_out(&v, o)).into_response())
}

/// Body of `POST /api/v1/orgs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrgBody {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) parent: String,
    #[serde(default)]
    pub(super) established_on: Option<String>,
}

/// `POST /api/v1/orgs`
pub(super) async fn api_create_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<NewOrgBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageOrg, None)?;
    let b = body.get()?;
    let parent =
        find_visible(&v, &b.parent).ok_or_else(|| not_found(tr, "parent", b.parent.trim()))?;
    require(&v, Permission::ManageOrg, Some(&parent.id))?;
    let code = b.code.trim();
    if !is_code(code) {
        return Err(invalid(
            tr,
            "code",
            &tr.tf("orgs.error.code", &[("code", code)]),
        ));
    }
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(invalid(tr, "name", tr.t("orgs.error.name")));
    }
    let kind = OrgKind::parse(b.kind.trim()).ok_or_else(|| {
        invalid(
            tr,
            "kind",
            &tr.tf("orgs.error.kind", &[("expected", &OrgKind::expected())]),
        )
    })?;
    let established_on = match b.established_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(parse_day(s).ok_or_else(|| {
            invalid(
                tr,
                "established_on",
                &tr.tf("orgs.error.date", &[("value", s)]),
            )
        })?),
    };
    let created = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let org = tx
            .create_org(NewOrg {
                code: code.to_string(),
                name: name.to_string(),
                kind,
                parent: Some(parent.id.clone()),
                established_on,
            })
            .await?;
        tx.commit().await?;
        Ok::<Org, StorageError>(org)
    }
    .await
    .map_err(|e| from_storage_in(tr, e, true))?;
    let out = OrgDetail {
        org: OrgOut {
            parent_code: Some(&parent.code),
            ..org_out(&v, &created)
        },
        version: 1,
        children: Vec::new(),
        posts: Vec::new(),
        platforms: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// An org with its version, children, posts (with today's holders) and platforms.
pub(super) fn org_detail<'a>(
    v: &'a Viewer,
    today: NaiveDate,
    org: &'a Org,
    head: OrgOut<'a>,
    version: i64,
) -> OrgDetail<'a> {
    let m = &v.snap.model;
    let mut kids: Vec<&Org> = m.children(&org.id).collect();
    sort_orgs(&mut kids, Sort::Code);
    OrgDetail {
        org: head,
        version,
        children: kids.into_iter().map(|c| org_out(v, c)).collect(),
        posts: posts_in_order(m, &v.snap.pack, &org.id)
            .into_iter()
            .map(|p| post_out(v, today, p, org))
            .collect(),
        platforms: m
            .platforms_of(&org.id)
            .map(|p| PlatformOut {
                id: &p.id,
                code: &p.code,
                name: &p.name,
                kind: p.kind,
                portfolio: p.portfolio.as_deref(),
                news_function: p.news_function,
                opened_on: p.opened_on,
                closed_on: p.closed_on,
                operators: &p.operators,
            })
            .collect(),
    }
}

/// `GET /api/v1/orgs/{id}` — by id or code.
pub(super) async fn api_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let org = find_visible(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    // Everything in the answer comes from the snapshot (org edits move the model generation,
    // so its versions are the stored ones), the viewer's rights and the day: it is rendered
    // once per snapshot for each viewer and day.
    let today = state.today();
    let key = format!("org:{}:{}:{today}:{}", org.id, v.user.id, tr.tag());
    let body = v
        .snap
        .rendered(&key, || {
            let version = v.snap.org_versions.get(&org.id).copied().unwrap_or(1);
            serde_json::to_vec(&org_detail(&v, today, org, org_out(&v, org), version))
        })
        .map_err(|e| {
            tracing::error!(error = %e, "org serialisation failed");
            ApiError::new(ErrorCode::Internal, tr.t("error.internal").to_string())
        })?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

/// `null` and absent told apart: `Some(None)` for `null`.
pub(super) fn double_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Body of `PATCH /api/v1/orgs/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub(super) version: i64,
    #[serde(default)]
    pub(super) name: Option<String>,
    /// A parent org (code or id): the org moves under it.
    #[serde(default)]
    pub(super) parent: Option<String>,
    /// A day closes the org; `null` reopens it; absent leaves it.
    #[serde(default, deserialize_with = "double_option")]
    pub(super) closed_on: Option<Option<String>>,
}

/// `PATCH /api/v1/orgs/{id}`
pub(super) async fn api_update_org(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<OrgPatch>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let org = find_visible(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = body.get()?;
    // Moving, closing and reopening take the right to manage the parent (the pages' rule).
    let action = match (&b.parent, &b.closed_on) {
        (None, None) => OrgAction::Edit,
        _ => OrgAction::Close,
    };
    if !may(&v, action, org) {
        return Err(Refusal::forbidden(tr).api());
    }
    let name = match b.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > 200 => {
            return Err(invalid(tr, "name", tr.t("orgs.error.name")));
        }
        other => other,
    };
    let closed_on = match b.closed_on {
        None => None,
        // `null` on an open org leaves it open (a PATCH states the wanted value).
        Some(None) if org.closed_on.is_none() => None,
        Some(None) => Some(None),
        Some(Some(s)) => match parse_day(&s) {
            Some(d) => Some(Some(d)),
            None => {
                return Err(invalid(
                    tr,
                    "closed_on",
                    &tr.tf("orgs.error.date", &[("value", s.trim())]),
                ));
            }
        },
    };
    // A new parent must be one the viewer manages too (an org outside the scope answers as
    // one that does not exist).
    let parent = match b.parent.as_deref().map(str::trim) {
        None => None,
        Some(p) => {
            let parent = find_visible(&v, p).ok_or_else(|| not_found(tr, "parent", p))?;
            require(&v, Permission::ManageOrg, Some(&parent.id))?;
            Some(parent.id.clone())
        }
    };
    let (updated, version) = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let edit = OrgEdit {
            name,
            parent,
            closed_on,
        };
        let out = tx.update_org(&org.id, b.version, edit).await?;
        tx.commit().await?;
        Ok::<(Org, i64), StorageError>(out)
    }
    .await
    .map_err(|e| from_storage(tr, e))?;
    // The snapshot predates the change: the org's own fields come from storage.
    let out = org_detail(&v, state.today(), org, org_out(&v, &updated), version);
    Ok(Json(out).into_response())
}

/// `GET /api/v1/people`
pub(super) async fn api_people(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<ListQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    let page = api_page(tr, q.page.as_deref())?;
    let sort = api_sort(tr, q.sort.as_deref(), Sort::Name)?;
    let within = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Some(find_visible(&v, o).ok_or_else(|| not_found(tr, "org", o))?),
    };
    let all = people_in_scope(&v, within, q.q.as_deref().unwrap_or(""), sort);
    let m = &v.snap.model;
    let held = posts_held(m, state.today());
    Ok(list(&all, page, |(p, o)| PersonOut {
        id: &p.id,
        name: &p.name,
        org: &o.id,
        org_code: &o.code,
        org_name: &o.name,
        posts: held
            .get(p.id.as_str())
            .map(|l| {
                l.iter()
                    .map(|(post, org)| PersonPostOut {
                        post: &post.id,
                        title: &post.title,
                        org: &org.id,
                        org_code: &org.code,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    })
    .into_response())
}

/// Body of `POST /api/v1/people`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPersonBody {
    pub(super) name: String,
    pub(super) org: String,
    #[serde(default)]
    pub(super) staff_no: Option<String>,
    #[serde(default)]
    pub(super) email: Option<String>,
    #[serde(default)]
    pub(super) wecom_id: Option<String>,
    #[serde(default)]
    pub(super) dingtalk_id: Option<String>,
}

/// `POST /api/v1/people`
pub(super) async fn api_create_person(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    body: Result<JsonBody<NewPersonBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    require(&v, Permission::ManageOrg, None)?;
    let b = body.get()?;
    let org = find_visible(&v, &b.org).ok_or_else(|| not_found(tr, "org", b.org.trim()))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let m = &v.snap.model;
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let (name, [staff_no, email, wecom_id, dingtalk_id]) = new_person_fields(
        tr,
        m,
        &b.name,
        &opt(&b.staff_no),
        &opt(&b.email),
        &opt(&b.wecom_id),
        &opt(&b.dingtalk_id),
    )
    .map_err(|errors| {
        let (field, message) = errors.into_iter().next().unwrap_or_default();
        invalid(tr, field, &message)
    })?;
    let new = zeren_storage::NewPerson {
        name,
        org: org.id.clone(),
        staff_no,
        email,
        wecom_id,
        dingtalk_id,
    };
    let person = create(&state, &v, new)
        .await
        .map_err(|e| person_api_refused(tr, m, e))?;
    let out = PersonOut {
        id: &person.id,
        name: &person.name,
        org: &org.id,
        org_code: &org.code,
        org_name: &org.name,
        posts: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Query of the post list.
#[derive(Deserialize, Default)]
pub struct PostsQuery {
    pub(super) org: Option<String>,
    pub(super) post: Option<String>,
    pub(super) page: Option<String>,
}

/// `GET /api/v1/posts`
pub(super) async fn api_posts(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<PostsQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    let page = api_page(tr, q.page.as_deref())?;
    let m = &v.snap.model;
    let orgs: Vec<&Org> = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => vec![find_visible(&v, o).ok_or_else(|| not_found(tr, "org", o))?],
        None => visible_tree(&v, Sort::Code)
            .into_iter()
            .map(|(_, o)| o)
            .collect(),
    };
    let posts: Vec<(&Post, &Org)> = orgs
        .into_iter()
        .flat_map(|o| {
            posts_in_order(m, &v.snap.pack, &o.id)
                .into_iter()
                .map(move |p| (p, o))
        })
        .collect();
    let today = state.today();
    Ok(list(&posts, page, |(p, o)| post_out(&v, today, p, o)).into_response())
}

/// `GET /api/v1/holdings?post=`
pub(super) async fn api_holdings(
    ApiViewer(v): ApiViewer,
    q: Result<Query<PostsQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    let page = api_page(tr, q.page.as_deref())?;
    let post_id = q.post.as_deref().map(str::trim).unwrap_or("");
    if post_id.is_empty() {
        return Err(invalid(tr, "post", tr.t("orgs.error.post_missing")));
    }
    let (post, _) = find_visible_post(&v, post_id).ok_or_else(|| not_found(tr, "post", post_id))?;
    let m = &v.snap.model;
    let all: Vec<&Holding> = m.holdings_of(&post.id).collect();
    Ok(list(&all, page, |h| holding_out(m, h)).into_response())
}

/// Body of `POST /api/v1/posts/{id}/handover`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverBody {
    pub(super) person: String,
    pub(super) on: String,
}

#[derive(Serialize)]
pub(super) struct HandoverOut<'a> {
    pub(super) outgoing: HoldingOut<'a>,
    pub(super) incoming: HoldingOut<'a>,
}

/// `POST /api/v1/posts/{id}/handover`
pub(super) async fn api_handover(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    id: Result<Path<String>, Rejected>,
    body: Result<JsonBody<HandoverBody>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let id = id.get()?;
    let (post, org) = find_visible_post(&v, &id).ok_or_else(|| not_found(tr, "id", &id))?;
    require(&v, Permission::ManageOrg, Some(&org.id))?;
    let b = body.get()?;
    if !single_holder(&v.snap.pack, post) {
        return Err(invalid(tr, "id", tr.t("handover.error.not_single")));
    }
    let m = &v.snap.model;
    let person_id = b.person.trim();
    // A person out of the caller's scope answers like one that does not exist.
    let known = person_id.is_empty()
        || m.person(person_id)
            .is_some_and(|p| visible(&v, &p.org) || org.parent.as_deref() == Some(p.org.as_str()));
    if !known {
        return Err(not_found(tr, "person", person_id));
    }
    let day = check_handover(tr, m, post, person_id, true, &b.on).map_err(|errors| {
        let (field, message) = errors.into_iter().next().unwrap_or_default();
        invalid(tr, field, &message)
    })?;
    let (outgoing, incoming) = do_handover(&state, &v, &post.id, person_id, day)
        .await
        .map_err(|e| refused(tr, &v.snap.pack, e))?;
    // The snapshot predates the change: names come from it, holdings from storage.
    Ok(Json(HandoverOut {
        outgoing: holding_out(m, &outgoing),
        incoming: holding_out(m, &incoming),
    })
    .into_response())
}

/// `GET /api/v1/responsibility`
pub(super) async fn api_responsibility(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    q: Result<Query<WhoQuery>, Rejected>,
) -> Result<Response, ApiError> {
    let tr = v.tr;
    read_gate(&v)?;
    let q = q.get()?;
    if trimmed(&q.org).is_empty() {
        return Err(invalid(tr, "org", tr.t("who.error.org_missing")));
    }
    match ask(&state, &v, &q).await {
        Ok(Some((answer, _))) => Ok(Json(answer).into_response()),
        Ok(None) => Err(invalid(tr, "org", tr.t("who.error.org_missing"))),
        Err(e) => Err(e.api(tr)),
    }
}
