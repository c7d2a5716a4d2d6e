//! Impact before adoption: what a new policy version changes, before it is loaded. Two parts,
//! both pure: [`PackDiff`] (what the text and the duties say differently from the version it
//! supersedes) and [`LedgerImpact`] (what the next synchronisation of the ledger will do once
//! it is loaded: obligations added, withdrawn, replanned, kept, and who answers now).

use super::model::{
    Article, DueRule, Duty, EvidenceRule, FieldType, Ground, PolicyPack, Portfolio, PostKind,
    RecordCheck, RecordKind, Responsible, Subject,
};
use super::set::Policies;
use crate::citation::Citation;
use crate::lang::Lang;
use crate::obligation::{PlannedObligation, SubjectKind};
use crate::org::OrgModel;
use crate::responsibility::{NamedRef, Target, resolve};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

// ------------------------------------------------------------------------------------------
// The pack diff
// ------------------------------------------------------------------------------------------

/// Whether something was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, stated differently.
    Changed,
}

impl ChangeKind {
    /// The sign shown before a line: `+`, `-`, `~`.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        }
    }

    /// The word, in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ChangeKind::Added => lang.pick("新增", "added"),
            ChangeKind::Removed => lang.pick("删除", "removed"),
            ChangeKind::Changed => lang.pick("修改", "changed"),
        }
    }
}

/// One span of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffSpan {
    /// What the span is.
    pub op: DiffOp,
    /// Its text.
    pub text: String,
}

/// Kind of a diff span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffOp {
    /// In both texts.
    Equal,
    /// Only in the new text.
    Insert,
    /// Only in the old text.
    Delete,
}

/// A character diff of `old` and `new` (article text is Chinese prose, one line a paragraph,
/// so characters, not lines, are the unit), adjacent spans of one kind merged.
pub fn text_diff(old: &str, new: &str) -> Vec<DiffSpan> {
    let diff = similar::TextDiff::from_chars(old, new);
    let mut out: Vec<DiffSpan> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            similar::ChangeTag::Equal => DiffOp::Equal,
            similar::ChangeTag::Insert => DiffOp::Insert,
            similar::ChangeTag::Delete => DiffOp::Delete,
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffSpan {
                op,
                text: change.value().to_string(),
            }),
        }
    }
    out
}

/// The diff as one line: deleted text in `[-…-]`, inserted text in `{+…+}`, long unchanged
/// stretches shortened to their ends around `…`.
pub fn render_diff(spans: &[DiffSpan]) -> String {
    const KEEP: usize = 12;
    let mut s = String::new();
    let last = spans.len().saturating_sub(1);
    for (i, span) in spans.iter().enumerate() {
        match span.op {
            DiffOp::Delete => s.push_str(&format!("[-{}-]", span.text)),
            DiffOp::Insert => s.push_str(&format!("{{+{}+}}", span.text)),
            DiffOp::Equal => {
                let chars: Vec<char> = span.text.chars().collect();
                let head = if i == 0 { 0 } else { KEEP };
                let tail = if i == last { 0 } else { KEEP };
                if chars.len() > head + tail + 1 {
                    s.extend(&chars[..head]);
                    s.push('…');
                    s.extend(&chars[chars.len() - tail..]);
                } else {
                    s.push_str(&span.text);
                }
            }
        }
    }
    s
}

/// A change to the text of an article (its lead sentence) or of one of its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextChange {
    /// `Art.N` for the article's own text, `Art.N(k)` for an item.
    pub citation: Citation,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The text before (none when added).
    pub old: Option<String>,
    /// The text after (none when removed).
    pub new: Option<String>,
    /// Character diff of old and new (changed only).
    pub diff: Vec<DiffSpan>,
}

impl TextChange {
    /// The citation in the user's language: `Art.4(2)` or 第四条第（二）项.
    pub fn cited(&self, lang: Lang) -> String {
        cite(self.citation, lang)
    }
}

/// An aspect of a duty, post kind, portfolio or ground that a version can state differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// Chinese title or name.
    Title,
    /// English title or name.
    TitleEn,
    /// The articles that require a duty, or the item that states a ground.
    Articles,
    /// What each obligation of a duty is about.
    Subject,
    /// How often a duty recurs.
    Cadence,
    /// When each obligation is due.
    Due,
    /// Who answers for a duty.
    Responsible,
    /// The records that discharge a duty.
    Evidence,
    /// The pack author's note.
    Note,
    /// Org kinds that have a post.
    OrgKinds,
    /// At most one holder.
    SingleHolder,
    /// The holder is first responsible.
    FirstResponsible,
    /// A leadership-team post.
    Leadership,
    /// The article that establishes a post's or portfolio's responsibility.
    EstablishedBy,
    /// A ground's full text.
    Text,
    /// The field that dates a record of a kind.
    DateField,
    /// A record kind's fields (id, type, required).
    RecordFields,
    /// What a record kind's evidence checks ask.
    Checks,
}

impl Field {
    /// The field's name in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        use Field::*;
        let (zh, en) = match self {
            Title => ("名称", "title"),
            TitleEn => ("英文名称", "English title"),
            Articles => ("依据条款", "articles"),
            Subject => ("对象", "subject"),
            Cadence => ("周期", "cadence"),
            Due => ("期限", "due rule"),
            Responsible => ("负责人", "responsible"),
            Evidence => ("佐证材料", "evidence"),
            Note => ("说明", "note"),
            OrgKinds => ("组织类型", "org kinds"),
            SingleHolder => ("单人任职", "single holder"),
            FirstResponsible => ("第一责任人", "first responsible"),
            Leadership => ("班子成员", "leadership"),
            EstablishedBy => ("确立条款", "established by"),
            Text => ("条文", "text"),
            DateField => ("日期字段", "date field"),
            RecordFields => ("字段", "fields"),
            Checks => ("佐证检查", "checks"),
        };
        lang.pick(zh, en)
    }
}

/// One field stated differently, old and new value as the pack spells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Which field.
    pub field: Field,
    /// Old value (pack spelling; empty when absent).
    pub old: String,
    /// New value.
    pub new: String,
}

/// A duty, post kind, portfolio or ground added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    /// Its id.
    pub id: String,
    /// Chinese name (the new version's, or the old one's when removed).
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// For a changed entry, each field stated differently, in the pack's order.
    pub fields: Vec<FieldChange>,
}

impl EntryChange {
    /// The name in the user's language.
    pub fn name_in(&self, lang: Lang) -> &str {
        lang.pick(&self.name, &self.name_en)
    }
}

/// The identity of a policy version, as the impact names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRef {
    /// Policy id.
    pub id: String,
    /// Series.
    pub series: String,
    /// Version number.
    pub version: u32,
    /// 发文字号.
    pub document_number: String,
    /// First day in force.
    pub effective_from: NaiveDate,
}

impl VersionRef {
    /// The identity of `pack`.
    pub fn of(pack: &PolicyPack) -> Self {
        VersionRef {
            id: pack.meta.id.clone(),
            series: pack.meta.series.clone(),
            version: pack.meta.version,
            document_number: pack.meta.document_number.clone(),
            effective_from: pack.meta.effective_from,
        }
    }
}

/// What a new version says differently from an old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackDiff {
    /// The old version.
    pub old: VersionRef,
    /// The new version.
    pub new: VersionRef,
    /// Article texts and items added, removed or changed, by citation.
    pub articles: Vec<TextChange>,
    /// Duties added, removed or changed, by id.
    pub duties: Vec<EntryChange>,
    /// Post kinds added, removed or changed, by id.
    pub post_kinds: Vec<EntryChange>,
    /// Portfolios added, removed or changed, by id.
    pub portfolios: Vec<EntryChange>,
    /// Grounds added, removed or changed, by id.
    pub grounds: Vec<EntryChange>,
    /// Record kinds added, removed or changed, by id (records made before keep their
    /// definition).
    pub record_kinds: Vec<EntryChange>,
}

impl PackDiff {
    /// What `new` says differently from `old`.
    pub fn between(old: &PolicyPack, new: &PolicyPack) -> PackDiff {
        PackDiff {
            old: VersionRef::of(old),
            new: VersionRef::of(new),
            articles: article_changes(&old.articles, &new.articles),
            duties: entries(
                &old.duties,
                &new.duties,
                |d| &d.id,
                duty_fields,
                |d| (d.title.clone(), d.title_en.clone()),
            ),
            post_kinds: entries(
                &old.post_kinds,
                &new.post_kinds,
                |p| &p.id,
                post_fields,
                |p| (p.name.clone(), p.name_en.clone()),
            ),
            portfolios: entries(
                &old.portfolios,
                &new.portfolios,
                |p| &p.id,
                portfolio_fields,
                |p| (p.name.clone(), p.name_en.clone()),
            ),
            grounds: entries(
                &old.grounds,
                &new.grounds,
                |g| &g.id,
                ground_fields,
                |g| (g.title.clone(), g.title_en.clone()),
            ),
            record_kinds: entries(
                &old.record_kinds,
                &new.record_kinds,
                |k| &k.id,
                record_kind_fields,
                |k| (k.name.clone(), k.name_en.clone()),
            ),
        }
    }

    /// Whether the two versions say the same (dates and identity aside).
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
            && self.duties.is_empty()
            && self.post_kinds.is_empty()
            && self.portfolios.is_empty()
            && self.grounds.is_empty()
            && self.record_kinds.is_empty()
    }

    /// The diff as text lines in the user's language.
    pub fn render(&self, lang: Lang) -> Vec<String> {
        let mut out = Vec::new();
        out.push(lang.pick("条款", "Articles").to_string());
        if self.articles.is_empty() {
            out.push(format!("  {}", lang.pick("（无变化）", "(unchanged)")));
        }
        for a in &self.articles {
            let body = match (a.kind, &a.old, &a.new) {
                (ChangeKind::Changed, _, _) => render_diff(&a.diff),
                (_, _, Some(t)) | (_, Some(t), None) => t.clone(),
                _ => String::new(),
            };
            out.push(format!(
                "  {} {}{}{body}",
                a.kind.sign(),
                a.cited(lang),
                lang.pick("：", ": ")
            ));
        }
        for (title, list) in [
            (lang.pick("职责", "Duties"), &self.duties),
            (lang.pick("职务", "Post kinds"), &self.post_kinds),
            (lang.pick("分管领域", "Portfolios"), &self.portfolios),
            (lang.pick("问责情形", "Grounds"), &self.grounds),
            (lang.pick("记录类型", "Record kinds"), &self.record_kinds),
        ] {
            out.push(title.to_string());
            if list.is_empty() {
                out.push(format!("  {}", lang.pick("（无变化）", "(unchanged)")));
            }
            for e in list {
                let kind = match lang {
                    Lang::Zh => format!("（{}）", e.kind.label(lang)),
                    Lang::En => format!(" ({})", e.kind.label(lang)),
                };
                out.push(format!(
                    "  {} {} {}{kind}",
                    e.kind.sign(),
                    e.id,
                    e.name_in(lang),
                ));
                for f in &e.fields {
                    out.push(format!(
                        "      {}{}{} → {}",
                        f.field.label(lang),
                        lang.pick("：", ": "),
                        or_dash(&f.old),
                        or_dash(&f.new)
                    ));
                }
            }
        }
        out
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "—" } else { s }
}

fn cite(c: Citation, lang: Lang) -> String {
    match lang {
        Lang::Zh => c.to_zh(),
        Lang::En => c.to_string(),
    }
}

fn text_change(citation: Citation, old: Option<&str>, new: Option<&str>) -> Option<TextChange> {
    let kind = match (old, new) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        (Some(o), Some(n)) if o != n => ChangeKind::Changed,
        _ => return None,
    };
    let diff = match (kind, old, new) {
        (ChangeKind::Changed, Some(o), Some(n)) => text_diff(o, n),
        _ => Vec::new(),
    };
    Some(TextChange {
        citation,
        kind,
        old: old.map(str::to_string),
        new: new.map(str::to_string),
        diff,
    })
}

fn article_changes(old: &[Article], new: &[Article]) -> Vec<TextChange> {
    let numbers: std::collections::BTreeSet<u32> =
        old.iter().chain(new).map(|a| a.number).collect();
    let mut out = Vec::new();
    for n in numbers {
        let o = old.iter().find(|a| a.number == n);
        let w = new.iter().find(|a| a.number == n);
        out.extend(text_change(
            Citation::article(n),
            o.map(|a| a.text.as_str()),
            w.map(|a| a.text.as_str()),
        ));
        let items: std::collections::BTreeSet<u32> = o
            .into_iter()
            .chain(w)
            .flat_map(|a| a.items.iter().map(|i| i.number))
            .collect();
        for k in items {
            out.extend(text_change(
                Citation::item(n, k),
                item_text(o, k),
                item_text(w, k),
            ));
        }
    }
    out
}

fn item_text(a: Option<&Article>, k: u32) -> Option<&str> {
    a.and_then(|a| a.items.iter().find(|i| i.number == k))
        .map(|i| i.text.as_str())
}

/// Entries added (in the new order), removed and changed (each where it stands), by id.
fn entries<T>(
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &String,
    fields: impl Fn(&T, &T) -> Vec<FieldChange>,
    names: impl Fn(&T) -> (String, String),
) -> Vec<EntryChange> {
    let mut out = Vec::new();
    let entry = |t: &T, kind, fields| {
        let (name, name_en) = names(t);
        EntryChange {
            id: id(t).clone(),
            name,
            name_en,
            kind,
            fields,
        }
    };
    for n in new {
        match old.iter().find(|o| id(o) == id(n)) {
            None => out.push(entry(n, ChangeKind::Added, Vec::new())),
            Some(o) => {
                let f = fields(o, n);
                if !f.is_empty() {
                    out.push(entry(n, ChangeKind::Changed, f));
                }
            }
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| id(n) == id(o))) {
        out.push(entry(o, ChangeKind::Removed, Vec::new()));
    }
    out
}

fn push_field(out: &mut Vec<FieldChange>, field: Field, old: String, new: String) {
    if old != new {
        out.push(FieldChange { field, old, new });
    }
}

fn citations(list: &[Citation]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt_citation(c: Option<Citation>) -> String {
    c.map(|c| c.to_string()).unwrap_or_default()
}

/// A subject as the pack spells it: `org (college)`, `platform (wechat-official; news)`, ….
pub fn subject_spelling(s: &Subject) -> String {
    match s {
        Subject::Org { org_kinds } => format!(
            "org ({})",
            org_kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Subject::Platform {
            platform_kinds,
            news_function_only,
        } => {
            let mut parts: Vec<&str> = platform_kinds.iter().map(|k| k.as_str()).collect();
            if parts.is_empty() {
                parts.push("all");
            }
            let news = if *news_function_only {
                "; news_function_only"
            } else {
                ""
            };
            format!("platform ({}{news})", parts.join(", "))
        }
        Subject::Post { posts } => format!("post ({})", posts.join(", ")),
        Subject::Operator { platform_kinds } => {
            let kinds: Vec<&str> = platform_kinds.iter().map(|k| k.as_str()).collect();
            if kinds.is_empty() {
                "operator (all)".to_string()
            } else {
                format!("operator ({})", kinds.join(", "))
            }
        }
        Subject::Event { event } => format!("event ({})", event.as_str()),
    }
}

/// A due rule as the pack spells it: `by = "12-31"`, `days_after_period_end = 15`, ….
pub fn due_spelling(d: DueRule) -> String {
    match d {
        DueRule::By { month, day } => format!("by = \"{month:02}-{day:02}\""),
        DueRule::DaysAfterPeriodEnd(n) => format!("days_after_period_end = {n}"),
        DueRule::DaysAfterStart(n) => format!("days_after_start = {n}"),
        DueRule::DaysAfterEvent(n) => format!("days_after_event = {n}"),
        DueRule::DaysBeforeEvent(n) => format!("days_before_event = {n}"),
    }
}

/// Who answers, as the pack spells it: `first-responsible`, `post:KIND`, `portfolio:ID`,
/// `portfolio:subject`.
pub fn responsible_spelling(r: &Responsible) -> String {
    match r {
        Responsible::FirstResponsible => "first-responsible".into(),
        Responsible::Post(p) => format!("post:{p}"),
        Responsible::Portfolio(p) => format!("portfolio:{p}"),
        Responsible::SubjectPortfolio => "portfolio:subject".into(),
    }
}

fn evidence_spelling(list: &[EvidenceRule]) -> String {
    list.iter()
        .map(|e| match &e.topic {
            Some(t) => format!("{} (topic {t})", e.kind.as_str()),
            None => e.kind.as_str().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn duty_fields(o: &Duty, n: &Duty) -> Vec<FieldChange> {
    let mut f = Vec::new();
    push_field(&mut f, Field::Title, o.title.clone(), n.title.clone());
    push_field(
        &mut f,
        Field::TitleEn,
        o.title_en.clone(),
        n.title_en.clone(),
    );
    push_field(
        &mut f,
        Field::Articles,
        citations(&o.articles),
        citations(&n.articles),
    );
    push_field(
        &mut f,
        Field::Subject,
        subject_spelling(&o.subject),
        subject_spelling(&n.subject),
    );
    push_field(
        &mut f,
        Field::Cadence,
        o.cadence.as_str().into(),
        n.cadence.as_str().into(),
    );
    push_field(&mut f, Field::Due, due_spelling(o.due), due_spelling(n.due));
    push_field(
        &mut f,
        Field::Responsible,
        responsible_spelling(&o.responsible),
        responsible_spelling(&n.responsible),
    );
    push_field(
        &mut f,
        Field::Evidence,
        evidence_spelling(&o.evidence),
        evidence_spelling(&n.evidence),
    );
    push_field(
        &mut f,
        Field::Note,
        o.note.clone().unwrap_or_default(),
        n.note.clone().unwrap_or_default(),
    );
    f
}

fn post_fields(o: &PostKind, n: &PostKind) -> Vec<FieldChange> {
    let kinds = |p: &PostKind| {
        p.org_kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut f = Vec::new();
    push_field(&mut f, Field::Title, o.name.clone(), n.name.clone());
    push_field(&mut f, Field::TitleEn, o.name_en.clone(), n.name_en.clone());
    push_field(&mut f, Field::OrgKinds, kinds(o), kinds(n));
    push_field(
        &mut f,
        Field::SingleHolder,
        o.single_holder.to_string(),
        n.single_holder.to_string(),
    );
    push_field(
        &mut f,
        Field::FirstResponsible,
        o.first_responsible.to_string(),
        n.first_responsible.to_string(),
    );
    push_field(
        &mut f,
        Field::Leadership,
        o.leadership.to_string(),
        n.leadership.to_string(),
    );
    push_field(
        &mut f,
        Field::EstablishedBy,
        opt_citation(o.established_by),
        opt_citation(n.established_by),
    );
    f
}

fn record_kind_fields(o: &RecordKind, n: &RecordKind) -> Vec<FieldChange> {
    let fields = |k: &RecordKind| {
        k.fields
            .iter()
            .map(|f| {
                let required = if f.required { "*" } else { "" };
                let extra = match &f.kind {
                    FieldType::Choice { choices } => format!(
                        "[{}]",
                        choices
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join("|")
                    ),
                    FieldType::Number { min, max } => format!(
                        "[{}..{}]",
                        min.map(|x| x.to_string()).unwrap_or_default(),
                        max.map(|x| x.to_string()).unwrap_or_default()
                    ),
                    _ => String::new(),
                };
                format!("{}:{}{extra}{required} {}", f.id, f.kind.as_str(), f.label)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let checks = |k: &RecordKind| {
        k.checks
            .iter()
            .map(|c| match c {
                RecordCheck::DateInPeriod { field } => format!("date-in-period {field}"),
                RecordCheck::AtLeast { field, count } => format!("at-least {count} {field}"),
                RecordCheck::Present { field } => format!("present {field}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut f = Vec::new();
    push_field(&mut f, Field::Title, o.name.clone(), n.name.clone());
    push_field(&mut f, Field::TitleEn, o.name_en.clone(), n.name_en.clone());
    push_field(
        &mut f,
        Field::DateField,
        o.date_field.clone(),
        n.date_field.clone(),
    );
    push_field(&mut f, Field::RecordFields, fields(o), fields(n));
    push_field(&mut f, Field::Checks, checks(o), checks(n));
    f
}

fn portfolio_fields(o: &Portfolio, n: &Portfolio) -> Vec<FieldChange> {
    let mut f = Vec::new();
    push_field(&mut f, Field::Title, o.name.clone(), n.name.clone());
    push_field(&mut f, Field::TitleEn, o.name_en.clone(), n.name_en.clone());
    push_field(
        &mut f,
        Field::EstablishedBy,
        opt_citation(o.established_by),
        opt_citation(n.established_by),
    );
    f
}

fn ground_fields(o: &Ground, n: &Ground) -> Vec<FieldChange> {
    let mut f = Vec::new();
    push_field(
        &mut f,
        Field::Articles,
        o.article.to_string(),
        n.article.to_string(),
    );
    push_field(&mut f, Field::Title, o.title.clone(), n.title.clone());
    push_field(
        &mut f,
        Field::TitleEn,
        o.title_en.clone(),
        n.title_en.clone(),
    );
    push_field(&mut f, Field::Text, o.text.clone(), n.text.clone());
    f
}

// ------------------------------------------------------------------------------------------
// The ledger impact
// ------------------------------------------------------------------------------------------

/// The state of a stored obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoredState {
    /// Still owed.
    Open,
    /// No longer required (kept with its history).
    Withdrawn,
    /// Done.
    Done,
    /// Waived.
    Waived,
}

impl StoredState {
    /// Reads the stored spelling (`open`, `withdrawn`, `done`, `waived`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(StoredState::Open),
            "withdrawn" => Some(StoredState::Withdrawn),
            "done" => Some(StoredState::Done),
            "waived" => Some(StoredState::Waived),
            _ => None,
        }
    }
}

/// A stored obligation, as much of it as the impact needs (no storage types in the core).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    /// Stable key.
    pub key: String,
    /// The year it is stored under.
    pub year: i32,
    /// Its state.
    pub state: StoredState,
    /// The org that owes it.
    pub org: String,
    /// Duty id.
    pub duty: String,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Subject id.
    pub subject: String,
    /// Period key.
    pub period: String,
    /// Policy version it is stored under.
    pub policy: String,
    /// Due date.
    pub due: NaiveDate,
    /// Article citation as stored.
    pub citation: String,
}

/// The plans of one year the ledger keeps: under the versions loaded now, and with the new one.
#[derive(Debug, Clone, Copy)]
pub struct YearPlans<'a> {
    /// The year.
    pub year: i32,
    /// The plan under the versions loaded now.
    pub current: &'a [PlannedObligation],
    /// The plan with the new version loaded too.
    pub after: &'a [PlannedObligation],
}

/// What the next synchronisation does to one obligation once the new version is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Required and not stored: added.
    Added,
    /// Withdrawn before, required again: restored.
    Restored,
    /// Open and no longer required: withdrawn.
    Withdrawn,
    /// Open and now stated otherwise (policy, due date, article): replanned.
    Replanned,
    /// Done under an older version, its period now governed by the new one: kept as it is.
    KeptDone,
    /// Waived under an older version, its period now governed by the new one: kept as it is.
    KeptWaived,
}

impl Action {
    /// Every action, in the order they are shown.
    pub const ALL: [Action; 6] = [
        Action::Added,
        Action::Restored,
        Action::Withdrawn,
        Action::Replanned,
        Action::KeptDone,
        Action::KeptWaived,
    ];

    /// The word, in the user's language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Action::Added => lang.pick("新增", "added"),
            Action::Restored => lang.pick("恢复", "restored"),
            Action::Withdrawn => lang.pick("撤销", "withdrawn"),
            Action::Replanned => lang.pick("重新计划", "replanned"),
            Action::KeptDone => {
                lang.pick("保留（已按旧版本完成）", "kept, done under the old version")
            }
            Action::KeptWaived => lang.pick(
                "保留（已按旧版本免除）",
                "kept, waived under the old version",
            ),
        }
    }

    fn sign(self) -> char {
        match self {
            Action::Added | Action::Restored => '+',
            Action::Withdrawn => '-',
            Action::Replanned => '~',
            Action::KeptDone | Action::KeptWaived => '=',
        }
    }
}

/// One obligation the new version changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObligationChange {
    /// Stable key.
    pub key: String,
    /// The year it belongs to.
    pub year: i32,
    /// Period key.
    pub period: String,
    /// The platform or person it is about, by name (none for the org itself, or an event).
    pub subject_name: Option<String>,
    /// What happens to it.
    pub action: Action,
    /// Policy, due date and article before (none when added).
    pub before: Option<Stated>,
    /// Policy, due date and article after (none when withdrawn).
    pub after: Option<Stated>,
    /// The ledger is behind the versions loaded now: the next synchronisation does this
    /// whether or not the new version is loaded.
    pub pending: bool,
}

/// How an obligation is stated: governing version, due date, article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stated {
    /// Policy version id.
    pub policy: String,
    /// Due date.
    pub due: NaiveDate,
    /// Article citation (`Art.4(2)`).
    pub citation: String,
}

impl Stated {
    fn of_row(r: &StoredRow) -> Stated {
        Stated {
            policy: r.policy.clone(),
            due: r.due,
            citation: r.citation.clone(),
        }
    }

    fn of_plan(p: &PlannedObligation) -> Stated {
        Stated {
            policy: p.policy.clone(),
            due: p.due,
            citation: p.citation.to_string(),
        }
    }

    /// The citation in the user's language.
    pub fn cited(&self, lang: Lang) -> String {
        match (lang, self.citation.parse::<Citation>()) {
            (Lang::Zh, Ok(c)) => c.to_zh(),
            _ => self.citation.clone(),
        }
    }
}

/// Who answers for an obligation: the person and the post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// The person, if anyone holds a post up the chain.
    pub person: Option<NamedRef>,
    /// The post through which they answer.
    pub post: Option<NamedRef>,
}

impl Holder {
    fn describe(&self, lang: Lang) -> String {
        let none = lang.pick("无人", "nobody");
        let person = self.person.as_ref().map_or(none, |p| p.name.as_str());
        match (&self.post, lang) {
            (Some(post), Lang::Zh) => format!("{person}（{}）", post.name),
            (Some(post), Lang::En) => format!("{person} ({})", post.name),
            (None, _) => person.to_string(),
        }
    }
}

/// An open obligation kept whose responsible person or post changes with the new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponsibilityMove {
    /// Stable key.
    pub key: String,
    /// Period key.
    pub period: String,
    /// The due date (under the new version) on which both are resolved.
    pub due: NaiveDate,
    /// Who answers under the version it is stored under.
    pub before: Holder,
    /// Who answers under the version that governs it now.
    pub after: Holder,
}

/// What the new version does to one duty's obligations in one org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyImpact {
    /// Org id.
    pub org: String,
    /// Org code.
    pub org_code: String,
    /// Org name.
    pub org_name: String,
    /// Duty id.
    pub duty: String,
    /// Duty title (as the version governing the changes states it).
    pub title: String,
    /// Duty title in English.
    pub title_en: String,
    /// The obligations changed, by key.
    pub changes: Vec<ObligationChange>,
    /// Responsibility moves, by key.
    pub moves: Vec<ResponsibilityMove>,
}

impl DutyImpact {
    /// How many obligations undergo `action`.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// The obligations that undergo `action`.
    pub fn with(&self, action: Action) -> impl Iterator<Item = &ObligationChange> {
        self.changes.iter().filter(move |c| c.action == action)
    }

    /// The duty title in the user's language.
    pub fn title_in(&self, lang: Lang) -> &str {
        lang.pick(&self.title, &self.title_en)
    }
}

/// What the next synchronisation of the ledger does once the new version is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LedgerImpact {
    /// The years the ledger keeps.
    pub years: Vec<i32>,
    /// Per org and duty (by org code, then duty id), only those with a change or a move.
    pub duties: Vec<DutyImpact>,
}

#[derive(Default)]
struct Draft {
    changes: Vec<ObligationChange>,
    moves: Vec<ResponsibilityMove>,
}

impl LedgerImpact {
    /// The impact of loading `new`, given the obligations stored now (every year; each
    /// obligation key once), the plans of each year kept (in order), `after` (the versions
    /// loaded now and `new`) and the org model. Follows what synchronising does, year by
    /// year: planned obligations not stored are added; of the year's stored ones, an open one
    /// no longer planned is withdrawn, a withdrawn one planned again is restored, an open one
    /// stated otherwise is replanned (an empty plan withdraws nothing); done and waived ones
    /// are never touched, and listed as kept when their period is now governed by `new`.
    /// Open obligations kept under another version are resolved under both on their (new)
    /// due date; a different person or post is a responsibility move.
    pub fn compute(
        stored: &[StoredRow],
        years: &[YearPlans<'_>],
        after: &Policies,
        new: &PolicyPack,
        model: &OrgModel,
    ) -> LedgerImpact {
        let mut known: HashSet<&str> = stored.iter().map(|r| r.key.as_str()).collect();
        let mut groups: BTreeMap<(String, String), Draft> = BTreeMap::new();
        let org_code = |id: &str| model.org(id).map_or(id.to_string(), |o| o.code.clone());
        fn group<'g>(
            groups: &'g mut BTreeMap<(String, String), Draft>,
            org: &str,
            duty: &str,
        ) -> &'g mut Draft {
            groups
                .entry((org.to_string(), duty.to_string()))
                .or_default()
        }
        for y in years {
            let current: HashMap<&str, &PlannedObligation> =
                y.current.iter().map(|p| (p.key.as_str(), p)).collect();
            let planned: HashMap<&str, &PlannedObligation> =
                y.after.iter().map(|p| (p.key.as_str(), p)).collect();
            for p in y.after {
                if known.insert(p.key.as_str()) {
                    group(&mut groups, &p.org, &p.duty)
                        .changes
                        .push(ObligationChange {
                            key: p.key.clone(),
                            year: y.year,
                            period: p.period.clone(),
                            subject_name: subject_name(model, p.subject_kind, &p.subject),
                            action: Action::Added,
                            before: None,
                            after: Some(Stated::of_plan(p)),
                            pending: current.contains_key(p.key.as_str()),
                        });
                }
            }
            for r in stored.iter().filter(|r| r.year == y.year) {
                let plan = planned.get(r.key.as_str()).copied();
                let now = current.get(r.key.as_str()).copied();
                let change =
                    |action, after: Option<&PlannedObligation>, pending| ObligationChange {
                        key: r.key.clone(),
                        year: y.year,
                        period: r.period.clone(),
                        subject_name: subject_name(model, r.subject_kind, &r.subject),
                        action,
                        before: Some(Stated::of_row(r)),
                        after: after.map(Stated::of_plan),
                        pending,
                    };
                let differs = |p: &PlannedObligation| {
                    r.policy != p.policy || r.due != p.due || r.citation != p.citation.to_string()
                };
                let same_plan = |a: Option<&PlannedObligation>, b: Option<&PlannedObligation>| {
                    a.map(Stated::of_plan) == b.map(Stated::of_plan)
                };
                match (r.state, plan) {
                    (StoredState::Open, None) if !y.after.is_empty() => {
                        let pending = !y.current.is_empty() && now.is_none();
                        group(&mut groups, &r.org, &r.duty).changes.push(change(
                            Action::Withdrawn,
                            None,
                            pending,
                        ));
                    }
                    (StoredState::Withdrawn, Some(p)) => {
                        let pending = same_plan(now, plan);
                        group(&mut groups, &r.org, &r.duty).changes.push(change(
                            Action::Restored,
                            Some(p),
                            pending,
                        ));
                    }
                    (StoredState::Open, Some(p)) if differs(p) => {
                        let pending = same_plan(now, plan);
                        group(&mut groups, &r.org, &r.duty).changes.push(change(
                            Action::Replanned,
                            Some(p),
                            pending,
                        ));
                    }
                    // Done or waived, its period now governed by the new version: either
                    // planned under it, or no longer planned where it was before.
                    (StoredState::Done | StoredState::Waived, _)
                        if r.policy != new.meta.id
                            && plan.map_or(now.is_some() && !y.after.is_empty(), |p| {
                                p.policy == new.meta.id
                            }) =>
                    {
                        let action = if r.state == StoredState::Done {
                            Action::KeptDone
                        } else {
                            Action::KeptWaived
                        };
                        group(&mut groups, &r.org, &r.duty)
                            .changes
                            .push(change(action, plan, false));
                    }
                    _ => {}
                }
                // Responsibility moves: open (or restored) obligations kept, now governed by
                // another version.
                if let (StoredState::Open | StoredState::Withdrawn, Some(p)) = (r.state, plan)
                    && p.policy != r.policy
                    && let Some(m) = responsibility_move(r, p, after, model)
                {
                    group(&mut groups, &r.org, &r.duty).moves.push(m);
                }
            }
        }
        let title = |policy: Option<&str>, duty: &str| {
            policy
                .and_then(|id| after.get(id))
                .and_then(|p| p.duty(duty))
                .or_else(|| new.duty(duty))
                .or_else(|| after.packs().iter().rev().find_map(|p| p.duty(duty)))
                .map(|d| (d.title.clone(), d.title_en.clone()))
        };
        let mut duties: Vec<DutyImpact> = groups
            .into_iter()
            .map(|((org, duty), mut g)| {
                g.changes.sort_by(|a, b| a.key.cmp(&b.key));
                g.moves.sort_by(|a, b| a.key.cmp(&b.key));
                let policy = g
                    .changes
                    .iter()
                    .find_map(|c| c.after.as_ref().or(c.before.as_ref()))
                    .map(|s| s.policy.clone());
                let (t, t_en) =
                    title(policy.as_deref(), &duty).unwrap_or_else(|| (duty.clone(), duty.clone()));
                DutyImpact {
                    org_code: org_code(&org),
                    org_name: model.org(&org).map_or(org.clone(), |o| o.name.clone()),
                    org,
                    duty,
                    title: t,
                    title_en: t_en,
                    changes: g.changes,
                    moves: g.moves,
                }
            })
            .collect();
        duties.sort_by(|a, b| (&a.org_code, &a.duty).cmp(&(&b.org_code, &b.duty)));
        LedgerImpact {
            years: years.iter().map(|y| y.year).collect(),
            duties,
        }
    }

    /// How many obligations undergo `action`, over every org and duty.
    pub fn count(&self, action: Action) -> usize {
        self.duties.iter().map(|d| d.count(action)).sum()
    }

    /// How many responsibility moves, over every org and duty.
    pub fn moves(&self) -> usize {
        self.duties.iter().map(|d| d.moves.len()).sum()
    }

    /// Whether nothing changes in the ledger.
    pub fn is_empty(&self) -> bool {
        self.duties.is_empty()
    }

    /// The impact as text lines in the user's language.
    pub fn render(&self, lang: Lang) -> Vec<String> {
        let years = self
            .years
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = vec![format!(
            "{}{years}{}",
            lang.pick("台账影响（年度：", "Ledger impact (years "),
            lang.pick("）", ")")
        )];
        let totals = Action::ALL
            .iter()
            .filter(|a| self.count(**a) > 0)
            .map(|a| format!("{} {}", a.label(lang), self.count(*a)))
            .chain((self.moves() > 0).then(|| {
                format!(
                    "{} {}",
                    lang.pick("责任人变更", "responsibility moves"),
                    self.moves()
                )
            }))
            .collect::<Vec<_>>();
        if totals.is_empty() {
            out.push(format!(
                "  {}",
                lang.pick("（台账无变化）", "(the ledger is unchanged)")
            ));
            return out;
        }
        out.push(format!(
            "  {}{}",
            lang.pick("合计：", "total: "),
            totals.join(lang.pick("，", ", "))
        ));
        let mut org = None;
        for d in &self.duties {
            if org != Some(&d.org) {
                out.push(format!("  {} {}", d.org_code, d.org_name));
                org = Some(&d.org);
            }
            let counts = Action::ALL
                .iter()
                .filter(|a| d.count(**a) > 0)
                .map(|a| format!("{} {}", a.label(lang), d.count(*a)))
                .chain((!d.moves.is_empty()).then(|| {
                    format!(
                        "{} {}",
                        lang.pick("责任人变更", "responsibility moves"),
                        d.moves.len()
                    )
                }))
                .collect::<Vec<_>>()
                .join(lang.pick("，", ", "));
            out.push(format!(
                "    {} {}{}{counts}",
                d.duty,
                d.title_in(lang),
                lang.pick("：", ": ")
            ));
            for c in &d.changes {
                out.push(format!("      {}", c.describe(lang)));
            }
            for m in &d.moves {
                out.push(format!("      {}", m.describe(lang)));
            }
        }
        if self
            .duties
            .iter()
            .flat_map(|d| &d.changes)
            .any(|c| c.pending)
        {
            out.push(format!(
                "  * {}",
                lang.pick(
                    "台账尚未与现行版本同步：下次同步时无论是否载入新版本都会发生。",
                    "the ledger is behind the versions loaded now: the next synchronisation does this whether or not the new version is loaded."
                )
            ));
        }
        out
    }
}

impl ResponsibilityMove {
    /// One line: the period and who answers before and after.
    pub fn describe(&self, lang: Lang) -> String {
        format!(
            "» {} {}{}{} → {}",
            self.period,
            lang.pick("责任人", "responsible"),
            lang.pick("：", ": "),
            self.before.describe(lang),
            self.after.describe(lang)
        )
    }
}

impl ObligationChange {
    /// One line: sign, period, action and what it was and becomes.
    pub fn describe(&self, lang: Lang) -> String {
        let stated = |s: &Stated| {
            format!(
                "{} {} {} {}",
                s.policy,
                lang.pick("到期", "due"),
                s.due,
                s.cited(lang)
            )
        };
        let detail = match (self.action, &self.before, &self.after) {
            (Action::Added | Action::Restored, _, Some(a)) => stated(a),
            (Action::Withdrawn, Some(b), _) => stated(b),
            (Action::Replanned, Some(b), Some(a)) => {
                format!("{} → {}", stated(b), stated(a))
            }
            (Action::KeptDone | Action::KeptWaived, Some(b), Some(a)) => format!(
                "{}{} {}{}",
                stated(b),
                lang.pick("；现由", "; now governed by"),
                a.policy,
                lang.pick(" 规定", "")
            ),
            (Action::KeptDone | Action::KeptWaived, Some(b), None) => format!(
                "{}{}",
                stated(b),
                lang.pick(
                    "；新版本不再要求",
                    "; no longer required by the new version"
                )
            ),
            _ => String::new(),
        };
        let subject = self
            .subject_name
            .as_ref()
            .map(|n| match lang {
                Lang::Zh => format!("「{n}」"),
                Lang::En => format!(" “{n}”"),
            })
            .unwrap_or_default();
        format!(
            "{} {}{subject} {}{}{detail}{}",
            self.action.sign(),
            self.period,
            self.action.label(lang),
            lang.pick("：", ": "),
            if self.pending { " *" } else { "" }
        )
    }
}

/// The name of a platform or person an obligation is about.
fn subject_name(model: &OrgModel, kind: SubjectKind, id: &str) -> Option<String> {
    match kind {
        SubjectKind::Platform => model
            .platforms()
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone()),
        SubjectKind::Person => model.person(id).map(|p| p.name.clone()),
        SubjectKind::Org | SubjectKind::Event => None,
    }
}

fn responsibility_move(
    r: &StoredRow,
    p: &PlannedObligation,
    after: &Policies,
    model: &OrgModel,
) -> Option<ResponsibilityMove> {
    let old_pack = after.get(&r.policy)?;
    let new_pack = after.get(&p.policy)?;
    let old_duty = old_pack.duty(&r.duty)?;
    let new_duty = new_pack.duty(&p.duty)?;
    let org = model.org(&p.org)?;
    let platform = p.platform.as_deref().and_then(|x| model.find_platform(x));
    let holder = |pack: &PolicyPack, duty: &Duty| {
        resolve(pack, model, org, Target::Duty { duty, platform }, p.due)
            .map(|a| Holder {
                person: a.person,
                post: a.post,
            })
            .unwrap_or(Holder {
                person: None,
                post: None,
            })
    };
    let before = holder(old_pack, old_duty);
    let after = holder(new_pack, new_duty);
    let id = |n: &Option<NamedRef>| n.as_ref().map(|n| n.id.clone());
    (id(&before.person) != id(&after.person) || id(&before.post) != id(&after.post)).then(|| {
        ResponsibilityMove {
            key: r.key.clone(),
            period: r.period.clone(),
            due: p.due,
            before,
            after,
        }
    })
}

// ------------------------------------------------------------------------------------------
// The whole impact
// ------------------------------------------------------------------------------------------

/// Everything a committee sees before a new version is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// The new version.
    pub new: VersionRef,
    /// The version of its series it supersedes (the latest to take effect before it), if any.
    pub supersedes: Option<VersionRef>,
    /// What it says differently from the version it supersedes (none for a new series).
    pub diff: Option<PackDiff>,
    /// What it does to the ledger.
    pub ledger: LedgerImpact,
}

impl Impact {
    /// The version of `new`'s series that `new` supersedes among `loaded`: the latest to take
    /// effect before it.
    pub fn superseded<'a>(loaded: &'a Policies, new: &PolicyPack) -> Option<&'a PolicyPack> {
        loaded
            .packs()
            .iter()
            .filter(|p| {
                p.meta.series == new.meta.series && p.meta.effective_from < new.meta.effective_from
            })
            .max_by_key(|p| p.meta.effective_from)
    }

    /// The impact of loading `new` into `loaded`, given the ledger impact already computed.
    pub fn new(loaded: &Policies, new: &PolicyPack, ledger: LedgerImpact) -> Impact {
        let old = Self::superseded(loaded, new);
        Impact {
            new: VersionRef::of(new),
            supersedes: old.map(VersionRef::of),
            diff: old.map(|o| PackDiff::between(o, new)),
            ledger,
        }
    }

    /// The whole impact as text lines in the user's language.
    pub fn render(&self, lang: Lang) -> Vec<String> {
        let n = &self.new;
        let mut out = vec![match (&self.supersedes, lang) {
            (Some(o), Lang::Zh) => format!(
                "制度 {}（{}，第 {} 版，自 {} 施行）取代 {}（第 {} 版）",
                n.id, n.document_number, n.version, n.effective_from, o.id, o.version
            ),
            (Some(o), Lang::En) => format!(
                "policy {} ({}, version {}, in force from {}) supersedes {} (version {})",
                n.id, n.document_number, n.version, n.effective_from, o.id, o.version
            ),
            (None, Lang::Zh) => format!(
                "制度 {}（{}，第 {} 版，自 {} 施行）是新的制度系列 {}",
                n.id, n.document_number, n.version, n.effective_from, n.series
            ),
            (None, Lang::En) => format!(
                "policy {} ({}, version {}, in force from {}) starts the new series {}",
                n.id, n.document_number, n.version, n.effective_from, n.series
            ),
        }];
        if let Some(d) = &self.diff {
            out.extend(d.render(lang));
        }
        out.extend(self.ledger.render(lang));
        out
    }
}
