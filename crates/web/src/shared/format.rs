//! Formatting shared by every area: days, citation anchors, and the field errors of forms.

use crate::shared::i18n::Tr;
use chrono::NaiveDate;
use zeren_core::Citation;
use zeren_core::policy::{EvidenceOf, PolicyPack};
use zeren_core::vocab::PlatformKind;

/// The fragment id of a citation on the policy page: `art-4` or `art-4-6`.
pub fn anchor(c: Citation) -> String {
    match c.item {
        Some(item) => format!("art-{}-{}", c.article, item),
        None => format!("art-{}", c.article),
    }
}

/// The link to an article (or item) of a policy version, in the viewer's language.
pub fn article_href(policy: &str, c: Option<Citation>, tr: Tr) -> String {
    format!(
        "/policies/{}{}#{}",
        crate::shared::urls::encode(policy),
        tr.qs(),
        c.map(anchor).unwrap_or_default()
    )
}

/// A day as an official document writes it: 2026年12月6日 (12/6/2026 in English).
pub fn written_day(d: NaiveDate, tr: Tr) -> String {
    use chrono::Datelike;
    tr.tf(
        "doc.day",
        &[
            ("y", &d.year().to_string()),
            ("m", &d.month().to_string()),
            ("d", &d.day().to_string()),
        ],
    )
}

/// A calendar day as shown everywhere: YYYY-MM-DD.
pub fn date(d: NaiveDate) -> String {
    zeren_core::events::day_text(d)
}

/// The message of `field` among a form's field errors (field, message).
pub fn field_error<'a, K: AsRef<str>>(errors: &'a [(K, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f.as_ref() == field)
        .map(|(_, m)| m.as_str())
}

/// Every message of `field` (e.g. `form`: the errors of the whole form).
pub fn field_errors<'a, K: AsRef<str>>(errors: &'a [(K, String)], field: &str) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|(f, _)| f.as_ref() == field)
        .map(|(_, m)| m.as_str())
        .collect()
}

/// The messages of fields a form does not show beside an input (`shown` lists those it does).
pub fn other_errors<'a, K: AsRef<str>>(errors: &'a [(K, String)], shown: &[&str]) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|(f, _)| !shown.contains(&f.as_ref()))
        .map(|(_, m)| m.as_str())
        .collect()
}

/// An instant (epoch ms) in Asia/Shanghai with `pattern` (chrono's `format`); "" when out of range.
fn shanghai_instant(ms: i64, pattern: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&zeren_core::clock::shanghai())
                .format(pattern)
                .to_string()
        })
        .unwrap_or_default()
}

/// An instant (epoch ms) as lists show it: `2026-11-28 09:30`, Asia/Shanghai.
pub fn minute(ms: i64) -> String {
    shanghai_instant(ms, "%Y-%m-%d %H:%M")
}

/// An instant (epoch ms) to the second, as the audit log shows it, Asia/Shanghai.
pub fn second(ms: i64) -> String {
    shanghai_instant(ms, "%Y-%m-%d %H:%M:%S")
}

/// An instant (epoch ms) for the API: RFC 3339 with the Shanghai offset; `None` when out of range.
pub fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zeren_core::clock::shanghai()).to_rfc3339())
}

/// A person's name from the model, or the id itself when the model has no such person.
pub fn person_name(m: &zeren_core::org::OrgModel, id: &str) -> String {
    m.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// A form page's messages: each beside its field, the others above the form.
pub trait FormMessages {
    /// The messages, by field.
    fn messages(&self) -> &[(&'static str, String)];

    /// The fields the form shows a message beside.
    fn shown(&self) -> &'static [&'static str];

    /// The message beside `field`.
    fn error_for(&self, field: &str) -> Option<&str> {
        field_error(self.messages(), field)
    }

    /// The messages of no field the form shows.
    fn general_errors(&self) -> Vec<&str> {
        other_errors(self.messages(), self.shown())
    }
}

/// The name of a kind of evidence record in the UI language: the catalogue's for the product's
/// own kinds, the pack's for a kind it defines (its id when the pack no longer has it).
pub fn evidence_name(tr: Tr, pack: &PolicyPack, kind: &EvidenceOf) -> String {
    match kind {
        EvidenceOf::Builtin(k) => tr.t(&format!("evidence.{}", k.as_str())).to_string(),
        EvidenceOf::Pack(id) => pack
            .record_kind(id)
            .map(|k| tr.lang().pick(&k.name, &k.name_en).to_string())
            .unwrap_or_else(|| id.clone()),
    }
}

/// The name of a kind of platform in the UI language: the catalogue's for the product's own
/// kinds, the pack's for a kind it declares (its id when the pack no longer has it).
pub fn platform_kind_name(tr: Tr, pack: &PolicyPack, kind: PlatformKind) -> String {
    match kind {
        PlatformKind::Declared(id) => pack
            .declared_kind_name(kind, tr.lang())
            .unwrap_or(id.as_str())
            .to_string(),
        k => tr.t(&format!("platforms.kind.{}", k.as_str())).to_string(),
    }
}
