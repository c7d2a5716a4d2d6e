//! What a record shows.

use super::*;

/// One field of a record as shown.
pub struct FieldView {
    /// Label.
    pub label: String,
    /// Text (may be long; shown with its line breaks).
    pub value: String,
}

/// A platform's name, or its id when the model no longer has it.
fn platform_name(m: &OrgModel, id: &str) -> String {
    m.find_platform(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn fields_of(
    tr: Tr,
    m: &OrgModel,
    pack: &PolicyPack,
    details: &RecordDetails,
    event_title: Option<&str>,
    files: usize,
) -> Vec<FieldView> {
    let lang = tr.lang();
    let names = |ids: &[String]| -> String {
        if ids.is_empty() {
            tr.t("records.none").to_string()
        } else {
            ids.iter()
                .map(|p| person_name(m, p))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        }
    };
    let f = |field: &str, value: String| FieldView {
        label: label(field, tr),
        value,
    };
    match details {
        RecordDetails::Defined(d) => defined_fields(tr, m, d, files),
        RecordDetails::CommitteeMeeting {
            attendees,
            absentees,
            agenda,
            minutes,
            decisions,
        } => {
            let agenda_text = agenda
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let topics: Vec<String> =
                        a.topics.iter().map(|t| topic_name(tr, pack, t)).collect();
                    if topics.is_empty() {
                        format!("{}. {}", i + 1, a.title)
                    } else {
                        format!(
                            "{}. {}（{}）",
                            i + 1,
                            a.title,
                            topics.join(lang.pick("、", ", "))
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            vec![
                f("attendees", names(attendees)),
                f("absentees", names(absentees)),
                f("agenda", agenda_text),
                f("minutes", minutes.clone()),
                f(
                    "decisions",
                    if decisions.is_empty() {
                        tr.t("records.none").into()
                    } else {
                        decisions.clone()
                    },
                ),
            ]
        }
        RecordDetails::SituationAnalysis {
            covers,
            author,
            findings,
            measures,
        } => vec![
            f("covers", covers.clone()),
            f("author", person_name(m, author)),
            f("findings", findings.clone()),
            f("measures", measures.clone()),
        ],
        RecordDetails::TrainingSession {
            trainer,
            attendees,
            hours,
        } => vec![
            f("trainer", trainer.clone()),
            f("hours", format_hours(*hours)),
            f("attendees", names(attendees)),
        ],
        RecordDetails::EducationActivity {
            audience,
            count,
            content,
        } => vec![
            f("audience", audience.clone()),
            f("count", count.to_string()),
            f("content", content.clone()),
        ],
        RecordDetails::DirectiveReport { directive, text } => vec![
            f(
                "directive",
                event_title
                    .map(str::to_string)
                    .unwrap_or_else(|| directive.clone()),
            ),
            f("text", text.clone()),
        ],
        RecordDetails::RectificationReport {
            rectification,
            text,
        } => vec![
            f(
                "rectification",
                event_title
                    .map(str::to_string)
                    .unwrap_or_else(|| rectification.clone()),
            ),
            f("text", text.clone()),
        ],
        RecordDetails::AnnualReview(r) => {
            let checklist = r
                .items
                .iter()
                .map(|i| {
                    let result = tr.t(if i.met {
                        "platforms.review.met"
                    } else {
                        "platforms.review.not_met"
                    });
                    let title = lang.pick(&i.title, &i.title_en);
                    match i.note.as_str() {
                        "" => format!("{result} · {title}"),
                        note => format!("{result} · {title}{}{note}", lang.pick("：", ": ")),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            let tasks = r
                .rectifications
                .iter()
                .enumerate()
                .map(|(n, t)| {
                    format!(
                        "{}. {} · {} · {}",
                        n + 1,
                        t.title,
                        person_name(m, &t.owner),
                        date(t.deadline)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            vec![
                f("platform", platform_name(m, &r.platform)),
                f("reviewer", person_name(m, &r.reviewer)),
                f(
                    "outcome",
                    tr.t(&format!("platforms.review.outcome.{}", r.outcome.as_str()))
                        .to_string(),
                ),
                f(
                    "checklist",
                    if checklist.is_empty() {
                        tr.t("records.none").into()
                    } else {
                        checklist
                    },
                ),
                f(
                    "summary",
                    if r.summary.is_empty() {
                        tr.t("records.none").into()
                    } else {
                        r.summary.clone()
                    },
                ),
                f(
                    "rectifications",
                    if tasks.is_empty() {
                        tr.t("records.none").into()
                    } else {
                        tasks
                    },
                ),
            ]
        }
    }
}

/// One version in a record's history.
pub struct VersionView {
    /// "version n · by · at".
    pub line: String,
    /// Title then.
    pub title: String,
    /// Date then.
    pub date: String,
    /// The fields then.
    pub fields: Vec<FieldView>,
}

/// One attachment as listed.
pub struct AttachmentView {
    /// Download link.
    pub href: String,
    /// File name.
    pub filename: String,
    /// Size in words.
    pub size: String,
    /// Content type.
    pub mime: String,
    /// Who attached it, when.
    pub added: String,
}

pub(super) fn attachment_view(a: &Attachment, record_id: &str) -> AttachmentView {
    AttachmentView {
        href: format!(
            "/attachments/{}?record={}",
            encode(&a.sha256),
            encode(record_id)
        ),
        filename: a.filename.clone(),
        size: file_size(a.size),
        mime: a.mime.clone(),
        added: format!("{} · {}", a.added_by, minute(a.added_at)),
    }
}

pub(super) fn attachment_json(a: &Attachment, record_id: &str) -> Value {
    json!({
        "sha256": a.sha256,
        "filename": a.filename,
        "size": a.size,
        "mime": a.mime,
        "added_at": a.added_at,
        "added_by": a.added_by,
        "href": format!("/attachments/{}?record={}", a.sha256, encode(record_id)),
    })
}
