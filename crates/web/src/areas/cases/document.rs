//! The decision document (问责决定书) as a Word file in the official-document layout: the
//! deciding body and its number, whom it concerns, the facts found, the finding on each ground
//! with its reason, the respondent's statement, the decision and its forms of accountability,
//! the remediation asked for, the right to appeal and, once decided, the appeal's outcome. For
//! the commission and the respondent only; every download is audited as a view.

use super::*;
use crate::shared::format::written_day;
use zeren_exports::docx::{Block, OfficialDoc, official_doc};

/// The document of `c`'s decision.
pub(super) fn decision_document(
    v: &Viewer,
    c: &Case,
    entries: &[CaseEntry],
    tasks: &[CaseTask],
) -> Option<OfficialDoc> {
    let tr = v.tr;
    let lang = tr.lang();
    let d = c.decision.as_ref()?;
    let rules = rules(v);
    let m = &v.snap.model;
    let subject = subject_text(v, c);
    let numbered = |n: usize, key: &str| {
        tr.tf(
            "cases.doc.heading",
            &[
                ("n", tr.t(&format!("cases.doc.n{n}"))),
                ("title", tr.t(key)),
            ],
        )
    };
    let mut blocks = vec![Block::Paragraph(tr.tf(
        "cases.doc.opening",
        &[
            ("subject", &subject),
            ("from", &date(c.fields.period_from)),
            ("to", &date(c.fields.period_to)),
        ],
    ))];
    let mut n = 1;
    blocks.push(Block::Heading1(numbered(n, "cases.doc.facts")));
    blocks.push(Block::Paragraph(c.fields.background.clone()));
    for e in entries.iter().filter(|e| e.kind == EntryKind::Fact) {
        if !e.text.trim().is_empty() {
            blocks.push(Block::Paragraph(e.text.clone()));
        }
    }
    n += 1;
    blocks.push(Block::Heading1(numbered(n, "cases.doc.findings")));
    for (i, f) in d.findings.iter().enumerate() {
        let verdict = tr.t(if f.upheld {
            "cases.finding.upheld"
        } else {
            "cases.finding.not-upheld"
        });
        blocks.push(Block::Heading2(tr.tf(
            "cases.doc.finding",
            &[
                ("n", tr.t(&format!("cases.doc.n{}", i + 1))),
                ("ground", &ground_title(v, &f.ground)),
                ("verdict", verdict),
            ],
        )));
        blocks.push(Block::Paragraph(f.reason.clone()));
    }
    n += 1;
    blocks.push(Block::Heading1(numbered(n, "cases.doc.statement")));
    blocks.push(Block::Paragraph(match (&c.statement, c.statement_on) {
        (Some(s), Some(day)) => tr.tf(
            "cases.doc.statement_text",
            &[("day", &written_day(day, tr)), ("text", s)],
        ),
        _ => tr.t("cases.doc.statement_lapsed").to_string(),
    }));
    n += 1;
    blocks.push(Block::Heading1(numbered(n, "cases.doc.decision")));
    blocks.push(Block::Paragraph(d.decision_text.clone()));
    if !d.forms.is_empty() {
        let forms: Vec<String> = d.forms.iter().map(|f| rules.form_name(f, lang)).collect();
        blocks.push(Block::Paragraph(tr.tf(
            "cases.doc.forms",
            &[("forms", &forms.join(lang.pick("、", ", ")))],
        )));
    }
    if !tasks.is_empty() {
        n += 1;
        blocks.push(Block::Heading1(numbered(n, "cases.doc.remediation")));
        blocks.push(Block::Table {
            header: vec![
                tr.t("cases.task.title").to_string(),
                tr.t("cases.task.owner").to_string(),
                tr.t("cases.task.deadline").to_string(),
            ],
            rows: tasks
                .iter()
                .map(|t| {
                    vec![
                        t.fields.title.clone(),
                        person_name(m, &t.fields.owner),
                        written_day(t.fields.deadline, tr),
                    ]
                })
                .collect(),
        });
    }
    n += 1;
    blocks.push(Block::Heading1(numbered(n, "cases.doc.appeal")));
    blocks.push(Block::Paragraph(tr.tf(
        "cases.doc.appeal_right",
        &[
            ("days", &rules.procedure.appeal_days.to_string()),
            ("body", &d.deciding_body),
        ],
    )));
    if let Some(a) = &c.appeal_decision {
        blocks.push(Block::Paragraph(tr.tf(
            "cases.doc.appeal_decided",
            &[
                ("day", &written_day(a.decided_on, tr)),
                ("outcome", a.outcome.name(lang)),
                ("reason", &a.reason),
            ],
        )));
    }
    let addressee = c
        .respondent
        .as_deref()
        .map(|p| person_name(m, p))
        .or_else(|| m.org(&c.fields.org).map(|o| o.name.clone()))
        .map(|a| format!("{a}{}", lang.pick("：", ":")));
    Some(OfficialDoc {
        issuer: d.deciding_body.clone(),
        number: d.document_number.clone(),
        title: match (c.fields.subject_kind, &c.fields.person) {
            (SubjectKind::Person, Some(p)) => {
                tr.tf("cases.doc.title_person", &[("name", &person_name(m, p))])
            }
            _ => tr.tf(
                "cases.doc.title",
                &[(
                    "subject",
                    &m.org(&c.fields.org)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                )],
            ),
        },
        addressee,
        blocks,
        signer: Some(d.deciding_body.clone()),
        date: Some(written_day(d.decided_on, tr)),
        attachments_note: None,
        footer_note: None,
    })
}

/// `GET /cases/{id}/decision.docx`
pub(super) async fn decision_docx(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    id: Result<Path<String>, Rejected>,
) -> Response {
    let tr = v.tr;
    let Ok(Path(id)) = id else {
        return not_found(tr, "").page(tr);
    };
    let (c, tasks, part) = match look(&state, &v, &id).await {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    // The document is the commission's and the respondent's; anyone else's look is refused.
    let allowed = part.commission || part.respondent;
    if let Err(r) = judge(&state, &v, &c, "decision-document", part, allowed).await {
        return r.page(tr);
    }
    let entries = match state.db.case_entries(&c.id).await {
        Ok(e) => e,
        Err(e) => return storage_refusal(tr, e, &id).page(tr),
    };
    let Some(doc) = decision_document(&v, &c, &entries, &tasks) else {
        return Refusal::not_found(tr, "cases.error.no_decision", &id).page(tr);
    };
    let bytes = match official_doc(&doc) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "the decision document could not be written");
            return Refusal::new(
                ErrorCode::Internal,
                crate::shared::error::generic_message(tr, ErrorCode::Internal),
            )
            .page(tr);
        }
    };
    crate::shared::uploads::made_file(
        bytes,
        &format!("{}.docx", doc.title),
        crate::shared::uploads::DOCX,
    )
}
