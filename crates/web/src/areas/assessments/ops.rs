//! The changes of an assessment, as the API and the pages both make them: each checked against
//! the viewer's standing and the procedure's rules (the core's), then written in one
//! transaction, or refused with nothing written.

use super::*;
use chrono::Datelike;
use zeren_core::assessments::MarkKind;

/// Runs `f` in one transaction as the viewer; a storage failure becomes a refusal.
pub(super) async fn in_tx<T>(
    state: &AppState,
    v: &Viewer,
    id: &str,
    f: impl AsyncFnOnce(&mut zeren_storage::Tx) -> zeren_storage::Result<T>,
) -> Result<T, Refused> {
    let out = async {
        let mut tx = state.db.begin(&v.actor(), state.clock.now()).await?;
        let out = f(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(out)
    }
    .await;
    out.map_err(|e| Refused::Other(storage_refusal(v.tr, e, id)))
}

fn field(field: &str, message: String) -> Refused {
    Refused::Fields(vec![(field.into(), message)])
}

/// Starts the assessment of `year` for the org `org` (code or id): the office of that org
/// only; one a year; its scheme drafted from the pack.
pub(super) async fn create_round(
    state: &AppState,
    v: &Viewer,
    year: &str,
    org: &str,
) -> Result<AssessmentRound, Refused> {
    let tr = v.tr;
    if !v.principal.can_somewhere(Permission::RunAssessment) {
        return Err(Refused::Other(Refusal::forbidden(tr)));
    }
    let m = &v.snap.model;
    let o = match nonempty_str(org) {
        None => v
            .principal
            .scopes(Permission::RunAssessment)
            .first()
            .and_then(|id| m.org(id)),
        Some(c) => m.find_org(c),
    };
    let o = match o {
        Some(o) if v.can(Permission::RunAssessment, Some(&o.id)) => o,
        Some(o) if v.can(Permission::ReadOrg, Some(&o.id)) => {
            return Err(Refused::Other(Refusal::forbidden(tr)));
        }
        _ => {
            return Err(field(
                "org",
                tr.tf("assessments.error.org", &[("org", org)]),
            ));
        }
    };
    let this_year = state.today().year();
    let year = match year.trim().parse::<i32>() {
        Ok(y) if (2000..=this_year + 1).contains(&y) => y,
        _ => {
            return Err(field(
                "year",
                tr.tf(
                    "assessments.error.year",
                    &[
                        ("value", year.trim()),
                        ("max", &(this_year + 1).to_string()),
                    ],
                ),
            ));
        }
    };
    let pack = &v.snap.pack;
    let Some(scheme) = zeren_core::assessments::Scheme::from_pack(pack, year) else {
        return Err(field("year", tr.t("assessments.error.no_scheme").into()));
    };
    match state.db.assessment_round_of(&o.id, year).await {
        Ok(Some(_)) => {
            return Err(Refused::Other(Refusal::new(
                ErrorCode::Conflict,
                tr.tf(
                    "assessments.error.exists",
                    &[("year", &year.to_string()), ("org", &o.name)],
                ),
            )));
        }
        Ok(None) => {}
        Err(e) => return Err(Refused::Other(storage_refusal(tr, e, ""))),
    }
    in_tx(state, v, "", async |tx| {
        tx.create_assessment_round(&pack.meta.id, &o.id, year, &scheme)
            .await
    })
    .await
}

fn nonempty_str(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// The procedure the round's scheme sets.
fn procedure(v: &Viewer) -> Procedure {
    v.snap
        .pack
        .assessment
        .as_ref()
        .map(|a| Procedure::new(&a.procedure))
        .unwrap_or_default()
}

/// Saves the draft scheme (the newest version, still a draft).
pub(super) async fn save_scheme(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    version: i64,
    d: &SchemeDraft,
) -> Result<AssessmentRound, Refused> {
    let tr = v.tr;
    procedure(v)
        .check_scheme_edit(r.stage, r.newest_is_draft)
        .map_err(|e| stage_refusal(tr, e))?;
    let scheme = check_scheme(d, &v.snap.pack, r.year, tr.lang()).map_err(Refused::Fields)?;
    in_tx(state, v, &r.id, async |tx| {
        tx.save_assessment_scheme(&r.id, version, &scheme).await
    })
    .await
}

/// Starts a new version of the published scheme: `d`, or a copy of the scheme in force.
pub(super) async fn revise_scheme(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    version: i64,
    d: Option<&SchemeDraft>,
) -> Result<AssessmentRound, Refused> {
    let tr = v.tr;
    procedure(v)
        .check_revise(r.stage, r.newest_is_draft)
        .map_err(|e| stage_refusal(tr, e))?;
    let scheme = match d {
        Some(d) => check_scheme(d, &v.snap.pack, r.year, tr.lang()).map_err(Refused::Fields)?,
        None => scheme_of(state, v, r).await.map_err(Refused::Other)?,
    };
    in_tx(state, v, &r.id, async |tx| {
        tx.revise_assessment_scheme(&r.id, version, &scheme).await
    })
    .await
}

/// Publishes the draft scheme, checked again against the policy in force; the first
/// publication opens the first step.
pub(super) async fn publish_scheme(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    version: i64,
) -> Result<AssessmentRound, Refused> {
    let tr = v.tr;
    let stage = procedure(v)
        .check_publish_scheme(r.stage, r.newest_is_draft)
        .map_err(|e| stage_refusal(tr, e))?;
    let draft = state
        .db
        .assessment_scheme(&r.id, r.newest_version)
        .await
        .map_err(|e| Refused::Other(storage_refusal(tr, e, &r.id)))?;
    check_scheme(&draft.scheme.to_draft(), &v.snap.pack, r.year, tr.lang())
        .map_err(Refused::Fields)?;
    let today = state.today();
    in_tx(state, v, &r.id, async |tx| {
        tx.publish_assessment_scheme(&r.id, version, stage, today)
            .await
    })
    .await
}

/// Moves to the next step `to`; the publication step freezes every college's result with its
/// rank, once every manual indicator is scored.
pub(super) async fn advance(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    version: i64,
    to: &str,
    document_number: &str,
) -> Result<AssessmentRound, Refused> {
    let tr = v.tr;
    let Some(to) = Stage::parse(to.trim()) else {
        return Err(field(
            "to",
            tr.tf("assessments.error.to", &[("value", to.trim())]),
        ));
    };
    let scheme = scheme_of(state, v, r).await.map_err(Refused::Other)?;
    let procedure = scheme.procedure();
    let today = state.today();
    if !to.published() {
        procedure
            .check_advance(r.stage, to)
            .map_err(|e| stage_refusal(tr, e))?;
        return in_tx(state, v, &r.id, async |tx| {
            tx.advance_assessment(&r.id, version, to, today).await
        })
        .await;
    }
    procedure
        .check_advance(r.stage, to)
        .map_err(|e| stage_refusal(tr, e))?;
    let number = zeren_core::assessments::check_document_number(document_number, tr.lang())
        .map_err(Refused::Fields)?;
    let results = results_to_freeze(state, v, r, &scheme)
        .await
        .map_err(Refused::Other)?;
    let m = &v.snap.model;
    let scheme = &scheme;
    let unscored: Vec<(String, String)> = results
        .iter()
        .flat_map(|x| {
            let college = m.org(&x.org_id).map(|o| o.name.clone()).unwrap_or_default();
            x.score.unscored.iter().map(move |i| {
                let title = scheme
                    .indicator(i)
                    .map(|ind| ind.title(tr.lang()).to_string())
                    .unwrap_or_else(|| i.clone());
                (college.clone(), title)
            })
        })
        .collect();
    procedure
        .check_publish_results(r.stage, unscored)
        .map_err(|e| stage_refusal(tr, e))?;
    in_tx(state, v, &r.id, async |tx| {
        tx.publish_assessment_results(&r.id, version, &results, number.as_deref(), today)
            .await
    })
    .await
}

/// Writes one of a college's texts: its self-assessment (its secretary, in the self-assessment
/// step), the review opinion (the office, in the review step), or the duty report (its
/// secretary, until submitted).
pub(super) async fn write_text(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    which: EntryText,
    version: i64,
    text: &str,
) -> Result<AssessmentEntry, Refused> {
    let tr = v.tr;
    let procedure = procedure(v);
    let (allowed, checked, field_name) = match which {
        EntryText::SelfAssessment => (
            secretary_of(v, &college.id),
            procedure.check_step("self-assessment", r.stage),
            "self_assessment",
        ),
        EntryText::Review => (
            office(v, r),
            procedure.check_step("review", r.stage),
            "review",
        ),
        EntryText::DutyReport { .. } => {
            let entry = state
                .db
                .assessment_entry(&r.id, &college.id)
                .await
                .map_err(|e| Refused::Other(storage_refusal(tr, e, &r.id)))?;
            let submitted = entry.is_some_and(|e| e.duty_report_submitted_on.is_some());
            (
                secretary_of(v, &college.id),
                procedure.check_duty_report(r.stage, submitted),
                "duty_report",
            )
        }
    };
    if !allowed {
        return Err(Refused::Other(Refusal::forbidden(tr)));
    }
    checked.map_err(|e| stage_refusal(tr, e))?;
    let text = check_text(field_name, text, tr.lang()).map_err(Refused::Fields)?;
    let today = state.today();
    in_tx(state, v, &r.id, async |tx| {
        tx.save_assessment_text(&r.id, &college.id, version, which, &text, today)
            .await
    })
    .await
}

/// Scores a manual indicator or adjusts a computed one for a college (the office, in the
/// scoring step), with a reason.
pub(super) async fn mark(
    state: &AppState,
    v: &Viewer,
    r: &AssessmentRound,
    college: &Org,
    d: &MarkDraft,
) -> Result<StoredMark, Refused> {
    let tr = v.tr;
    if !office(v, r) {
        return Err(Refused::Other(Refusal::forbidden(tr)));
    }
    let scheme = scheme_of(state, v, r).await.map_err(Refused::Other)?;
    scheme
        .procedure()
        .check_step("mark", r.stage)
        .map_err(|e| stage_refusal(tr, e))?;
    let mark = check_mark(d, &scheme, tr.lang()).map_err(Refused::Fields)?;
    let today = state.today();
    in_tx(state, v, &r.id, async |tx| {
        tx.add_assessment_mark(&r.id, &college.id, r.scheme_version, &mark, today)
            .await
    })
    .await
}

/// A kind of mark's name.
pub(super) fn mark_kind_name(tr: Tr, k: MarkKind) -> &'static str {
    match k {
        MarkKind::Score => tr.t("assessments.mark.score"),
        MarkKind::Adjustment => tr.t("assessments.mark.adjustment"),
    }
}
