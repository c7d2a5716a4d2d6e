//! The policy as its pages show it: articles, duties, grounds and the assessment scheme,
//! computed from the pack; the templates only lay it out.

use crate::shared::format::{anchor, date, evidence_name};
use crate::shared::i18n::{Tr, days};
use chrono::NaiveDate;
use zeren_core::policy::{
    AssessmentStep, ChangeKind, DiffOp, DueRule, Duty, EntryChange, IndicatorMethod, PackDiff,
    Policies, PolicyMeta, PolicyPack, Responsible,
};
use zeren_core::{Citation, Lang};
use zeren_storage::StoredPolicy;

/// The URL of a policy's page.
pub fn policy_href(id: &str, tr: Tr) -> String {
    format!(
        "/policies/{}{}",
        crate::shared::urls::encode_component(id),
        tr.qs()
    )
}

/// A citation rendered as a link to its anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteLink {
    /// `#art-4-6`.
    pub href: String,
    /// `第四条第（六）项` or `Art.4(6)`, by UI language.
    pub label: String,
}

impl CiteLink {
    fn new(c: Citation, tr: Tr) -> CiteLink {
        CiteLink {
            href: format!("#{}", anchor(c)),
            label: cite_label(c, tr),
        }
    }
}

fn cite_label(c: Citation, tr: Tr) -> String {
    match tr.lang() {
        Lang::Zh => c.to_zh(),
        Lang::En => c.to_string(),
    }
}

/// One row of the policy list on the landing page.
#[derive(Debug, Clone)]
pub struct PolicyRow {
    /// Page URL.
    pub href: String,
    /// 发文字号.
    pub document_number: String,
    /// Title (Chinese, as issued).
    pub title: String,
    /// English title, shown under the Chinese one in the English UI.
    pub title_en: String,
    /// First day in force.
    pub effective_from: String,
    /// Version number within its series.
    pub version: u32,
    /// In force today.
    pub in_force: bool,
    /// A later version of its series has taken effect.
    pub superseded: bool,
    /// The version the page shows (in a page's list of versions).
    pub current: bool,
    /// Policy id.
    pub id: String,
}

impl PolicyRow {
    /// The row for a stored policy.
    pub fn new(p: &StoredPolicy, set: &Policies, today: NaiveDate, tr: Tr) -> PolicyRow {
        Self::of(&p.pack.meta, set, today, tr)
    }

    /// The row for a version.
    pub fn of(m: &PolicyMeta, set: &Policies, today: NaiveDate, tr: Tr) -> PolicyRow {
        PolicyRow {
            href: policy_href(&m.id, tr),
            document_number: m.document_number.clone(),
            title: m.title.clone(),
            title_en: m.title_en.clone(),
            effective_from: date(m.effective_from),
            version: m.version,
            in_force: set.is_in_force(m, today),
            superseded: set.is_superseded(m, today),
            current: false,
            id: m.id.clone(),
        }
    }
}

/// A policy version laid out for its page.
#[derive(Debug, Clone)]
pub struct PolicyView {
    /// Policy id.
    pub id: String,
    /// Version number within the series.
    pub number: u32,
    /// 发文字号.
    pub document_number: String,
    /// Title as issued.
    pub title: String,
    /// English title.
    pub title_en: String,
    /// 发文机关.
    pub issuer: String,
    /// Adoption date, with the adopting body.
    pub adopted: String,
    /// Issue date.
    pub issued_on: String,
    /// First day in force.
    pub effective_from: String,
    /// Last day in force, or how long it lasts.
    pub effective_until: String,
    /// "Version 1 (series …)".
    pub version: String,
    /// Whether it is in force today.
    pub in_force: bool,
    /// Whether a later version has taken effect.
    pub superseded: bool,
    /// Every version of its series, oldest first, this one marked.
    pub versions: Vec<PolicyRow>,
    /// Legal basis documents.
    pub legal_basis: Vec<String>,
    /// The articles, verbatim.
    pub articles: Vec<ArticleView>,
    /// Duties table.
    pub duties: Vec<DutyView>,
    /// Grounds table.
    pub grounds: Vec<GroundView>,
    /// Assessment scheme.
    pub assessment: Option<AssessmentView>,
    /// Issuing notice, verbatim.
    pub notice: Option<String>,
}

/// An article on the page.
#[derive(Debug, Clone)]
pub struct ArticleView {
    /// Fragment id.
    pub id: String,
    /// Heading (第四条 / Art.4).
    pub heading: String,
    /// The other citation form, shown small.
    pub heading_alt: String,
    /// Text (lead sentence when it has items).
    pub text: String,
    /// Numbered items.
    pub items: Vec<ItemView>,
}

/// A numbered item of an article.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// Fragment id.
    pub id: String,
    /// （六）
    pub marker: String,
    /// Text.
    pub text: String,
}

/// A row of the duties table.
#[derive(Debug, Clone)]
pub struct DutyView {
    /// Duty id (also the row's fragment id, prefixed `duty-`).
    pub id: String,
    /// Title in the UI language.
    pub title: String,
    /// Citations.
    pub articles: Vec<CiteLink>,
    /// Cadence.
    pub cadence: String,
    /// Due rule in words.
    pub due: String,
    /// Who answers for it.
    pub responsible: String,
    /// Evidence kinds.
    pub evidence: Vec<String>,
}

/// A row of the grounds table.
#[derive(Debug, Clone)]
pub struct GroundView {
    /// Ground id, e.g. `art5-9`.
    pub id: String,
    /// Short label in the UI language.
    pub label: String,
    /// The article item that states it.
    pub article: CiteLink,
    /// The item's text, verbatim.
    pub text: String,
}

/// The assessment scheme.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    /// The article that requires it.
    pub article: CiteLink,
    /// Procedure steps in order.
    pub procedure: Vec<&'static str>,
    /// Indicators.
    pub indicators: Vec<IndicatorView>,
    /// Sum of weights.
    pub total_weight: String,
}

/// A row of the indicators table.
#[derive(Debug, Clone)]
pub struct IndicatorView {
    /// Indicator id.
    pub id: String,
    /// Title in the UI language.
    pub title: String,
    /// Weight out of 100.
    pub weight: String,
    /// Scoring method.
    pub method: &'static str,
    /// Duties it scores, linking to their rows.
    pub duties: Vec<(String, String)>,
}

fn pick(tr: Tr, zh: &str, en: &str) -> String {
    // Packs may leave an English name empty; fall back to the Chinese.
    if tr.is_en() && !en.trim().is_empty() {
        en.to_string()
    } else {
        zh.to_string()
    }
}

/// A weight without trailing zeros: 15, 7.5.
fn weight(w: f64) -> String {
    let s = format!("{w:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl PolicyView {
    /// Lays out a stored policy in the UI language.
    pub fn new(p: &StoredPolicy, set: &Policies, today: NaiveDate, tr: Tr) -> PolicyView {
        let pack = &p.pack;
        let m = &pack.meta;
        let mut adopted = date(m.adopted_on);
        if let Some(body) = &m.adopted_by {
            adopted.push_str(&tr.tf("meta.adopted_by", &[("body", body)]));
        }
        PolicyView {
            id: m.id.clone(),
            number: m.version,
            document_number: m.document_number.clone(),
            title: m.title.clone(),
            title_en: m.title_en.clone(),
            issuer: m.issuer.clone(),
            adopted,
            issued_on: date(m.issued_on),
            effective_from: date(m.effective_from),
            effective_until: match m.effective_until {
                Some(d) => date(d),
                None => tr.t("meta.open_ended").to_string(),
            },
            version: tr.tf(
                "meta.version_value",
                &[("n", &m.version.to_string()), ("series", &m.series)],
            ),
            in_force: set.is_in_force(&pack.meta, today),
            superseded: set.is_superseded(&pack.meta, today),
            versions: set
                .versions_of(&m.series)
                .map(|v| PolicyRow {
                    current: v.meta.id == m.id,
                    ..PolicyRow::of(&v.meta, set, today, tr)
                })
                .collect(),
            legal_basis: m.legal_basis.clone(),
            articles: pack
                .articles
                .iter()
                .map(|a| {
                    let c = Citation::article(a.number);
                    ArticleView {
                        id: anchor(c),
                        heading: cite_label(c, tr),
                        heading_alt: match tr.lang() {
                            Lang::Zh => c.to_string(),
                            Lang::En => c.to_zh(),
                        },
                        text: a.text.clone(),
                        items: a
                            .items
                            .iter()
                            .map(|i| ItemView {
                                id: anchor(Citation::item(a.number, i.number)),
                                marker: format!(
                                    "（{}）",
                                    zeren_core::citation::chinese_number(i.number)
                                ),
                                text: i.text.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
            duties: pack.duties.iter().map(|d| duty_view(pack, d, tr)).collect(),
            grounds: pack
                .grounds
                .iter()
                .map(|g| GroundView {
                    id: g.id.clone(),
                    label: pick(tr, &g.title, &g.title_en),
                    article: CiteLink::new(g.article, tr),
                    text: g.text.clone(),
                })
                .collect(),
            assessment: pack.assessment.as_ref().map(|a| AssessmentView {
                article: CiteLink::new(a.article, tr),
                procedure: a.procedure.iter().map(|s| step(tr, *s)).collect(),
                indicators: a
                    .indicators
                    .iter()
                    .map(|i| IndicatorView {
                        id: i.id.clone(),
                        title: pick(tr, &i.title, &i.title_en),
                        weight: weight(i.weight),
                        method: method(tr, i.method),
                        duties: i
                            .duties
                            .iter()
                            .map(|d| {
                                let label = pack
                                    .duty(d)
                                    .map(|duty| pick(tr, &duty.title, &duty.title_en))
                                    .unwrap_or_else(|| d.clone());
                                (format!("#duty-{d}"), label)
                            })
                            .collect(),
                    })
                    .collect(),
                total_weight: weight(a.indicators.iter().map(|i| i.weight).sum()),
            }),
            notice: m.notice.clone(),
        }
    }
}

fn step(tr: Tr, s: AssessmentStep) -> &'static str {
    match s {
        AssessmentStep::SelfAssessment => tr.t("step.self-assessment"),
        AssessmentStep::Review => tr.t("step.review"),
        AssessmentStep::Scoring => tr.t("step.scoring"),
        AssessmentStep::Publication => tr.t("step.publication"),
    }
}

fn method(tr: Tr, m: IndicatorMethod) -> &'static str {
    match m {
        IndicatorMethod::CompletionRate => tr.t("method.completion-rate"),
        IndicatorMethod::OnTimeRate => tr.t("method.on-time-rate"),
        IndicatorMethod::Manual => tr.t("method.manual"),
    }
}

fn duty_view(pack: &PolicyPack, d: &Duty, tr: Tr) -> DutyView {
    let lang = tr.lang();
    let due = match d.due {
        DueRule::By { month, day } => tr.tf(
            "due.by",
            &[
                ("month", tr.t(&format!("month.{month}"))),
                ("day", &day.to_string()),
            ],
        ),
        DueRule::DaysAfterPeriodEnd(n) => {
            tr.tf("due.days_after_period_end", &[("days", &days(lang, n))])
        }
        DueRule::DaysAfterStart(n) => tr.tf("due.days_after_start", &[("days", &days(lang, n))]),
        DueRule::DaysAfterEvent(n) => tr.tf("due.days_after_event", &[("days", &days(lang, n))]),
        DueRule::DaysBeforeEvent(n) => tr.tf("due.days_before_event", &[("days", &days(lang, n))]),
    };
    let responsible = match &d.responsible {
        Responsible::FirstResponsible => tr.t("resp.first").to_string(),
        Responsible::Post(id) => pack
            .post_kind(id)
            .map(|p| pick(tr, &p.name, &p.name_en))
            .unwrap_or_else(|| id.clone()),
        Responsible::Portfolio(id) => {
            let name = pack
                .portfolio(id)
                .map(|p| pick(tr, &p.name, &p.name_en))
                .unwrap_or_else(|| id.clone());
            tr.tf("resp.portfolio", &[("portfolio", &name)])
        }
        Responsible::SubjectPortfolio => tr.t("resp.subject_portfolio").to_string(),
    };
    let evidence = d
        .evidence
        .iter()
        .map(|e| {
            let mut s = evidence_name(tr, pack, &e.kind);
            if let Some(topic) = &e.topic {
                let name = pack
                    .topics
                    .iter()
                    .find(|t| &t.id == topic)
                    .map(|t| pick(tr, &t.name, &t.name_en))
                    .unwrap_or_else(|| topic.clone());
                s.push_str(&tr.tf("evidence.topic", &[("topic", &name)]));
            }
            s
        })
        .collect();
    DutyView {
        id: d.id.clone(),
        title: pick(tr, &d.title, &d.title_en),
        articles: d.articles.iter().map(|c| CiteLink::new(*c, tr)).collect(),
        cadence: tr.t(&format!("cadence.{}", d.cadence.as_str())).to_string(),
        due,
        responsible,
        evidence,
    }
}

/// Two versions of a series side by side: what the later one says differently.
#[derive(Debug, Clone)]
pub struct DiffView {
    /// The version compared from.
    pub from: PolicyRow,
    /// The version compared to (the page's).
    pub to: PolicyRow,
    /// The page's version id (the form's action).
    pub id: String,
    /// The other versions of the series to compare with: (id, label, chosen).
    pub choices: Vec<(String, String, bool)>,
    /// Article texts and items added, removed or changed.
    pub articles: Vec<ArticleDiff>,
    /// Duties, post kinds, portfolios and grounds changed, each a section.
    pub sections: Vec<EntrySection>,
}

/// One article or item of the comparison.
#[derive(Debug, Clone)]
pub struct ArticleDiff {
    /// Citation in the UI language.
    pub cite: String,
    /// Added, removed, changed (in words).
    pub kind: String,
    /// `added`, `removed`, `changed` (for styling).
    pub class: &'static str,
    /// The text as spans: (`ins`, `del` or empty, text).
    pub spans: Vec<(&'static str, String)>,
}

/// Entries of one kind that changed.
#[derive(Debug, Clone)]
pub struct EntrySection {
    /// Catalogue key of the heading.
    pub title: &'static str,
    /// The entries.
    pub entries: Vec<EntryDiff>,
}

/// One duty, post kind, portfolio or ground that changed.
#[derive(Debug, Clone)]
pub struct EntryDiff {
    /// Id.
    pub id: String,
    /// Name in the UI language.
    pub name: String,
    /// Added, removed, changed (in words).
    pub kind: String,
    /// `added`, `removed`, `changed`.
    pub class: &'static str,
    /// Each field stated differently: (label, before, after).
    pub fields: Vec<(String, String, String)>,
}

fn change_class(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    }
}

impl DiffView {
    /// Lays out `diff` (from `from` to `to`) in the UI language; `others` are the versions of
    /// the series other than `to`.
    pub fn new(
        diff: &PackDiff,
        from: &PolicyMeta,
        to: &PolicyMeta,
        set: &Policies,
        today: NaiveDate,
        tr: Tr,
    ) -> DiffView {
        let lang = tr.lang();
        let entries = |list: &[EntryChange]| -> Vec<EntryDiff> {
            list.iter()
                .map(|e| EntryDiff {
                    id: e.id.clone(),
                    name: e.name_in(lang).to_string(),
                    kind: e.kind.label(lang).to_string(),
                    class: change_class(e.kind),
                    fields: e
                        .fields
                        .iter()
                        .map(|f| {
                            (
                                f.field.label(lang).to_string(),
                                f.old.clone(),
                                f.new.clone(),
                            )
                        })
                        .collect(),
                })
                .collect()
        };
        let sections = [
            ("policy.diff.duties", &diff.duties),
            ("policy.diff.post_kinds", &diff.post_kinds),
            ("policy.diff.portfolios", &diff.portfolios),
            ("policy.diff.grounds", &diff.grounds),
            ("policy.diff.record_kinds", &diff.record_kinds),
        ]
        .into_iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(title, list)| EntrySection {
            title,
            entries: entries(list),
        })
        .collect();
        DiffView {
            from: PolicyRow::of(from, set, today, tr),
            to: PolicyRow::of(to, set, today, tr),
            id: to.id.clone(),
            choices: set
                .versions_of(&to.series)
                .filter(|p| p.meta.id != to.id)
                .map(|p| {
                    (
                        p.meta.id.clone(),
                        tr.tf(
                            "policy.diff.version",
                            &[
                                ("n", &p.meta.version.to_string()),
                                ("doc", &p.meta.document_number),
                            ],
                        ),
                        p.meta.id == from.id,
                    )
                })
                .collect(),
            articles: diff
                .articles
                .iter()
                .map(|a| ArticleDiff {
                    cite: a.cited(lang),
                    kind: a.kind.label(lang).to_string(),
                    class: change_class(a.kind),
                    spans: match a.kind {
                        ChangeKind::Changed => a
                            .diff
                            .iter()
                            .map(|d| {
                                let op = match d.op {
                                    DiffOp::Equal => "",
                                    DiffOp::Insert => "ins",
                                    DiffOp::Delete => "del",
                                };
                                (op, d.text.clone())
                            })
                            .collect(),
                        ChangeKind::Added => vec![("ins", a.new.clone().unwrap_or_default())],
                        ChangeKind::Removed => vec![("del", a.old.clone().unwrap_or_default())],
                    },
                })
                .collect(),
            sections,
        }
    }

    /// Whether the two versions say the same.
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty() && self.sections.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeren_core::policy::builtin_pack;

    fn stored() -> StoredPolicy {
        StoredPolicy {
            pack: builtin_pack().unwrap(),
            builtin: true,
            loaded_at: 0,
        }
    }

    fn set() -> Policies {
        Policies::new(vec![builtin_pack().unwrap()])
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn anchors_and_labels() {
        assert_eq!(anchor(Citation::item(4, 6)), "art-4-6");
        assert_eq!(anchor(Citation::article(8)), "art-8");
        let zh = CiteLink::new(Citation::item(4, 6), Tr::new(Lang::Zh));
        assert_eq!(zh.href, "#art-4-6");
        assert_eq!(zh.label, "第四条第（六）项");
        assert_eq!(
            CiteLink::new(Citation::item(4, 6), Tr::new(Lang::En)).label,
            "Art.4(6)"
        );
    }

    #[test]
    fn builtin_pack_in_chinese() {
        let v = PolicyView::new(&stored(), &set(), day("2026-06-30"), Tr::new(Lang::Zh));
        assert!(v.in_force);
        assert_eq!(v.adopted, "2021-05-12（党委会通过）");
        assert_eq!(v.effective_from, "2021-05-13");
        assert_eq!(v.articles.len(), 8);
        assert_eq!(v.articles[3].items[5].id, "art-4-6");
        assert_eq!(v.articles[3].items[5].marker, "（六）");
        let study = &v.duties[0];
        assert_eq!(study.id, "annual-dedicated-study");
        assert_eq!(study.due, "每年12月31日前");
        assert_eq!(study.cadence, "每年");
        assert_eq!(study.responsible, "第一责任人");
        assert_eq!(study.evidence, ["党委会会议记录（议题：网络意识形态工作）"]);
        let training = v.duties.iter().find(|d| d.id == "cadre-training").unwrap();
        assert_eq!(training.responsible, "分管“组织”的班子成员");
        assert_eq!(v.grounds.len(), 9);
        assert_eq!(v.grounds[8].article.href, "#art-5-9");
        let a = v.assessment.unwrap();
        assert_eq!(a.total_weight, "100");
        assert_eq!(a.procedure, ["自评", "审核", "评分", "公布"]);
    }

    #[test]
    fn builtin_pack_in_english() {
        let v = PolicyView::new(&stored(), &set(), day("2020-01-01"), Tr::new(Lang::En));
        assert!(!v.in_force);
        assert_eq!(v.articles[0].heading, "Art.1");
        assert_eq!(v.articles[0].heading_alt, "第一条");
        let analysis = &v.duties[1];
        assert_eq!(analysis.due, "Within 15 days after each period");
        assert_eq!(analysis.cadence, "Quarterly");
        let incident = v
            .duties
            .iter()
            .find(|d| d.id == "incident-handling")
            .unwrap();
        assert_eq!(incident.due, "Within 1 day after the event");
        assert_eq!(incident.articles.len(), 2);
    }

    #[test]
    fn weights_and_paths() {
        assert_eq!(weight(15.0), "15");
        assert_eq!(weight(7.5), "7.5");
        assert_eq!(weight(100.0), "100");
        assert_eq!(
            policy_href("a b/<c>", Tr::new(Lang::En)),
            "/policies/a%20b%2F%3Cc%3E?lang=en"
        );
    }
}
