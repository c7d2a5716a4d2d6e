//! Words and links.

use super::*;

/// A field's name as a label: capitalised in English.
pub(super) fn label(field: &str, tr: Tr) -> String {
    let l = field_label(field, tr.lang());
    let mut chars = l.chars();
    match chars.next() {
        Some(c) if tr.is_en() => c.to_uppercase().chain(chars).collect(),
        _ => l.to_string(),
    }
}

pub(super) fn kind_name(tr: Tr, pack: &PolicyPack, k: &EvidenceOf) -> String {
    evidence_name(tr, pack, k)
}

/// The name of a record's kind: a pack-defined record is named as the definition it was made
/// under names it.
pub(super) fn record_kind_name(tr: Tr, pack: &PolicyPack, r: &Record) -> String {
    match r.details.defined() {
        Some(d) => tr
            .lang()
            .pick(&d.definition.name, &d.definition.name_en)
            .to_string(),
        None => kind_name(tr, pack, &r.kind),
    }
}

pub(super) fn org_name(m: &OrgModel, id: &str) -> String {
    m.org(id)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn topic_name(tr: Tr, pack: &PolicyPack, id: &str) -> String {
    pack.topics
        .iter()
        .find(|t| t.id == id)
        .map(|t| tr.lang().pick(&t.name, &t.name_en).to_string())
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn record_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/records/{}", encode(id)), tr)
}

pub(super) fn directive_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/records/directives/{}", encode(id)), tr)
}

/// The page of an obligation (the obligations area).
pub(super) fn obligation_href(id: &str, tr: Tr) -> String {
    with_lang(&format!("/obligations/{}", encode(id)), tr)
}

/// The link that records a new piece of evidence for an obligation (for the obligation's page).
pub fn new_evidence_href(obligation_id: &str, tr: Tr) -> String {
    href_with("/records/new", &[("obligation", obligation_id)], tr)
}

/// People of an org's subtree as (id, "name（org）"), by org then name.
pub(super) fn people_of(m: &OrgModel, org: &str) -> Vec<(String, String)> {
    let mut out: Vec<(&str, &str, &str)> = m
        .people_within(org)
        .map(|p| {
            (
                p.id.as_str(),
                p.name.as_str(),
                m.org(&p.org).map(|o| o.name.as_str()).unwrap_or(""),
            )
        })
        .collect();
    let own = m.org(org).map(|o| o.name.as_str()).unwrap_or("");
    out.sort_by(|a, b| (a.2 != own, a.2, a.1).cmp(&(b.2 != own, b.2, b.1)));
    out.into_iter()
        .map(|(id, name, o)| (id.to_string(), format!("{name}（{o}）")))
        .collect()
}

/// Status of an obligation today, as its API spelling.
pub(super) fn status_of(
    o: &StoredObligation,
    pack: &PolicyPack,
    today: NaiveDate,
) -> ObligationStatus {
    status_on(o.discharge(), o.due, today, pack.reminders.due_soon_days)
}

/// An obligation as a record's page shows it.
pub struct ObligationLink {
    /// Id.
    pub id: String,
    /// Its page, once the obligations area serves one.
    pub href: Option<String>,
    /// Duty title.
    pub duty: String,
    /// Article citation.
    pub citation: String,
    /// Period key.
    pub period: String,
    /// Due date.
    pub due: String,
    /// Status spelling (`done`, …).
    pub status: &'static str,
    /// Status in words.
    pub status_name: String,
    /// Version (for linking evidence).
    pub version: i64,
}

pub(super) fn obligation_link(
    o: &StoredObligation,
    pack: &PolicyPack,
    m: &OrgModel,
    tr: Tr,
    today: NaiveDate,
) -> ObligationLink {
    let status = status_of(o, pack, today).as_str();
    let title = pack
        .duty(&o.duty)
        .map(|d| tr.lang().pick(&d.title, &d.title_en).to_string())
        .unwrap_or_else(|| o.duty.clone());
    // Obligations about one person or platform are told apart by it.
    let about = match o.subject_kind.as_str() {
        "person" => m.person(&o.subject).map(|p| p.name.clone()),
        "platform" => m
            .platforms()
            .iter()
            .find(|p| p.id == o.subject)
            .map(|p| p.name.clone()),
        _ => None,
    };
    let duty = match about {
        Some(name) => format!(
            "{title}{}",
            tr.lang()
                .pick(&format!("（{name}）"), &format!(" ({name})"))
        ),
        None => title,
    };
    let citation = pack
        .duty(&o.duty)
        .map(|d| {
            if tr.is_en() {
                d.citation().to_string()
            } else {
                d.citation().to_zh()
            }
        })
        .unwrap_or_else(|| o.citation.clone());
    ObligationLink {
        id: o.id.clone(),
        href: Some(obligation_href(&o.id, tr)),
        duty,
        citation,
        period: o.period.clone(),
        due: date(o.due),
        status,
        status_name: tr.t(&format!("status.{status}")).to_string(),
        version: o.version,
    }
}

pub(super) fn obligation_json(o: &StoredObligation, pack: &PolicyPack, today: NaiveDate) -> Value {
    json!({
        "id": o.id,
        "duty": o.duty,
        "org": o.org,
        "subject_kind": o.subject_kind,
        "subject": o.subject,
        "period": o.period,
        "due": date(o.due),
        "citation": o.citation,
        "status": status_of(o, pack, today).as_str(),
        "completed_on": o.completed_on.map(date),
        "version": o.version,
    })
}
