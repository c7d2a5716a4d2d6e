//! Reading a policy pack from TOML, reporting every problem with its line and column.

use super::model::*;
use super::problem::{Diagnostic, Problem, Thing, line_col};
use crate::citation::Citation;
use crate::period::Cadence;
use crate::vocab::{EventKind, EvidenceKind, KindId, OrgKind, PlatformKind};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::ops::Range;
use toml_edit::{Document, Item, TableLike};

mod accountability;
mod incidents;
mod record_kinds;
mod review;

type Span = Option<Range<usize>>;

/// Parses and validates a pack. Returns every problem found, in source order.
pub fn parse_pack(src: &str) -> Result<PolicyPack, Vec<Diagnostic>> {
    let doc = match Document::parse(src) {
        Ok(d) => d,
        Err(e) => {
            let (line, col) = line_col(src, e.span().map(|s| s.start).unwrap_or(0));
            let message = e.message().trim().to_string();
            return Err(vec![Diagnostic {
                line,
                col,
                problem: Problem::Syntax(message),
            }]);
        }
    };
    let mut r = Reader {
        src,
        diags: Vec::new(),
        declared_kinds: Vec::new(),
    };
    let root = Tab {
        t: doc.as_table(),
        span: Some(0..0),
        name: "the pack".into(),
    };
    let pack = r.pack(&root);
    if r.diags.is_empty() {
        pack.ok_or_else(Vec::new)
    } else {
        r.diags.sort_by_key(|d| (d.line, d.col));
        r.diags.dedup();
        Err(r.diags)
    }
}

struct Tab<'a> {
    t: &'a dyn TableLike,
    span: Span,
    name: String,
}

struct Reader<'s> {
    src: &'s str,
    diags: Vec<Diagnostic>,
    /// The platform kinds the pack declares, once read: what `platform_kinds` lists may name
    /// beside the built-in ones.
    declared_kinds: Vec<PlatformKind>,
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn item_span(item: &Item) -> Span {
    item.span()
}

impl Reader<'_> {
    fn at(&mut self, span: &Span, problem: Problem) {
        let (line, col) = line_col(self.src, span.as_ref().map(|s| s.start).unwrap_or(0));
        self.diags.push(Diagnostic { line, col, problem });
    }

    /// Reports keys not in `allowed`.
    fn keys(&mut self, tab: &Tab<'_>, allowed: &[&str]) {
        for (key, _) in tab.t.iter() {
            if !allowed.contains(&key) {
                let span = tab.t.get_key_value(key).and_then(|(k, _)| k.span());
                self.at(
                    &span,
                    Problem::UnknownKey {
                        key: key.to_string(),
                        allowed: allowed.join(", "),
                    },
                );
            }
        }
    }

    fn get<'a>(&mut self, tab: &Tab<'a>, key: &str, required: bool) -> Option<&'a Item> {
        let item = tab.t.get(key);
        if item.is_none() && required {
            self.at(
                &tab.span,
                Problem::Missing {
                    key: key.into(),
                    table: tab.name.clone(),
                },
            );
        }
        item
    }

    fn wrong(&mut self, item: &Item, key: &str, expected: &'static str) {
        self.at(
            &item_span(item),
            Problem::WrongType {
                key: key.into(),
                expected,
            },
        );
    }

    fn string(&mut self, tab: &Tab<'_>, key: &str, required: bool) -> Option<(String, Span)> {
        let item = self.get(tab, key, required)?;
        match item.as_str() {
            Some(s) if s.trim().is_empty() => {
                self.at(&item_span(item), Problem::Empty { key: key.into() });
                None
            }
            Some(s) => Some((s.to_string(), item_span(item))),
            None => {
                self.wrong(item, key, "a string");
                None
            }
        }
    }

    fn text(&mut self, tab: &Tab<'_>, key: &str) -> String {
        self.string(tab, key, true)
            .map(|(s, _)| s)
            .unwrap_or_default()
    }

    fn id(&mut self, tab: &Tab<'_>, key: &str) -> Option<(String, Span)> {
        let (s, span) = self.string(tab, key, true)?;
        if !is_kebab(&s) {
            self.at(
                &span,
                Problem::BadValue {
                    key: key.into(),
                    value: s,
                    expected: "kebab-case: a-z, 0-9 and single hyphens".into(),
                },
            );
            return None;
        }
        Some((s, span))
    }

    fn int(&mut self, tab: &Tab<'_>, key: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let item = self.get(tab, key, required)?;
        let Some(n) = item.as_integer() else {
            self.wrong(item, key, "an integer");
            return None;
        };
        if n < min || n > max {
            self.at(
                &item_span(item),
                Problem::OutOfRange {
                    key: key.into(),
                    value: n,
                    min,
                    max,
                },
            );
            return None;
        }
        Some(n)
    }

    fn boolean(&mut self, tab: &Tab<'_>, key: &str) -> bool {
        match tab.t.get(key) {
            None => false,
            Some(item) => item.as_bool().unwrap_or_else(|| {
                self.wrong(item, key, "true or false");
                false
            }),
        }
    }

    fn date(&mut self, tab: &Tab<'_>, key: &str, required: bool) -> Option<NaiveDate> {
        let item = self.get(tab, key, required)?;
        let dt = item
            .as_datetime()
            .filter(|dt| dt.time.is_none() && dt.offset.is_none());
        let Some(d) = dt.and_then(|dt| dt.date) else {
            self.wrong(item, key, "a date such as 2021-05-13 (no quotes, no time)");
            return None;
        };
        let day = NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day));
        if day.is_none() {
            self.at(
                &item_span(item),
                Problem::BadValue {
                    key: key.into(),
                    value: d.to_string(),
                    expected: "a real calendar day".into(),
                },
            );
        }
        day
    }

    /// A list of strings with the span of each entry.
    fn strings(&mut self, tab: &Tab<'_>, key: &str, required: bool) -> Vec<(String, Span)> {
        let Some(item) = self.get(tab, key, required) else {
            return Vec::new();
        };
        let Some(arr) = item.as_array() else {
            self.wrong(item, key, "a list of strings");
            return Vec::new();
        };
        if arr.is_empty() && required {
            self.at(&item_span(item), Problem::Empty { key: key.into() });
        }
        let mut out = Vec::new();
        for v in arr.iter() {
            match v.as_str() {
                Some(s) => out.push((s.to_string(), v.span())),
                None => self.at(
                    &v.span(),
                    Problem::WrongType {
                        key: key.into(),
                        expected: "a string",
                    },
                ),
            }
        }
        out
    }

    /// An array of tables (`[[key]]`), each as a [`Tab`].
    fn tables<'a>(&mut self, tab: &Tab<'a>, key: &str, required: bool) -> Vec<Tab<'a>> {
        let Some(item) = self.get(tab, key, required) else {
            return Vec::new();
        };
        if let Some(aot) = item.as_array_of_tables() {
            return aot
                .iter()
                .map(|t| Tab {
                    t: t as &dyn TableLike,
                    span: t.span(),
                    name: format!("[[{key}]]"),
                })
                .collect();
        }
        if let Some(arr) = item.as_array() {
            let mut out = Vec::new();
            for v in arr.iter() {
                match v.as_inline_table() {
                    Some(t) => out.push(Tab {
                        t: t as &dyn TableLike,
                        span: v.span(),
                        name: format!("an entry of `{key}`"),
                    }),
                    None => self.at(
                        &v.span(),
                        Problem::WrongType {
                            key: key.into(),
                            expected: "a table",
                        },
                    ),
                }
            }
            return out;
        }
        self.wrong(item, key, "an array of tables ([[...]])");
        Vec::new()
    }

    fn table<'a>(&mut self, tab: &Tab<'a>, key: &str, required: bool) -> Option<Tab<'a>> {
        let item = self.get(tab, key, required)?;
        match item.as_table_like() {
            Some(t) => Some(Tab {
                t,
                span: item_span(item),
                name: format!("[{key}]"),
            }),
            None => {
                self.wrong(item, key, "a table");
                None
            }
        }
    }

    fn unique(&mut self, seen: &mut HashSet<String>, what: Thing, id: &str, span: &Span) {
        if !seen.insert(id.to_string()) {
            self.at(
                span,
                Problem::Duplicate {
                    what,
                    id: id.into(),
                },
            );
        }
    }

    fn pack(&mut self, root: &Tab<'_>) -> Option<PolicyPack> {
        self.keys(
            root,
            &[
                "format",
                "policy",
                "reminders",
                "topics",
                "post_kinds",
                "platform_kinds",
                "portfolios",
                "articles",
                "duties",
                "grounds",
                "assessment",
                "record_kinds",
                "annual_review",
                "online_events",
                "website_maintenance",
                "incidents",
                "risk_assessment",
                "accountability",
            ],
        );
        self.int(root, "format", true, 1, 1);
        let meta = self.table(root, "policy", true).map(|t| self.meta(&t));
        let reminders = match self.table(root, "reminders", false) {
            Some(t) => self.reminders(&t),
            None => ReminderRules::default(),
        };
        let articles = self.articles(root);
        let topics = self.named(root, "topics", Thing::Topic, None);
        let topics: Vec<Topic> = topics
            .into_iter()
            .map(|(id, name, name_en, _, _)| Topic { id, name, name_en })
            .collect();
        let portfolios: Vec<Portfolio> = self
            .named(root, "portfolios", Thing::Portfolio, Some(&articles))
            .into_iter()
            .map(|(id, name, name_en, _, established_by)| Portfolio {
                id,
                name,
                name_en,
                established_by,
            })
            .collect();
        let post_kinds = self.post_kinds(root, &articles);
        let platform_kinds = self.declared_platform_kinds(root);
        self.declared_kinds = platform_kinds.iter().map(|d| d.kind).collect();
        let record_kinds = self.record_kinds(root);
        let refs = Refs {
            record_kinds: declared_ids(root, "record_kinds"),
            topics: topics.iter().map(|t| t.id.clone()).collect(),
            portfolios: portfolios.iter().map(|t| t.id.clone()).collect(),
            posts: post_kinds.iter().map(|t| t.id.clone()).collect(),
            articles: &articles,
        };
        let (duties, duty_ids) = self.duties(root, &refs);
        let grounds = self.grounds(root, &articles);
        let assessment = self
            .table(root, "assessment", false)
            .and_then(|t| self.assessment(&t, &refs, &duty_ids));
        let annual_review = self
            .table(root, "annual_review", false)
            .map(|t| self.annual_review(&t));
        let online_events = self
            .table(root, "online_events", false)
            .map(|t| self.online_events(&t));
        let website_maintenance = self
            .table(root, "website_maintenance", false)
            .map(|t| self.website_maintenance(&t));
        let incidents = self
            .table(root, "incidents", false)
            .map(|t| self.incidents(&t));
        let risk_assessment = self
            .table(root, "risk_assessment", false)
            .map(|t| self.risk_assessment(&t));
        let accountability = self
            .table(root, "accountability", false)
            .map(|t| self.accountability(&t));
        Some(PolicyPack {
            meta: meta??,
            reminders,
            topics,
            post_kinds,
            platform_kinds,
            portfolios,
            articles,
            duties,
            grounds,
            assessment,
            record_kinds,
            annual_review,
            online_events,
            website_maintenance,
            incidents,
            risk_assessment,
            accountability,
        })
    }

    fn meta(&mut self, t: &Tab<'_>) -> Option<PolicyMeta> {
        self.keys(
            t,
            &[
                "id",
                "series",
                "version",
                "document_number",
                "title",
                "title_en",
                "issuer",
                "adopted_on",
                "adopted_by",
                "issued_on",
                "effective_from",
                "effective_until",
                "legal_basis",
                "notice",
            ],
        );
        let id = self.id(t, "id").map(|(s, _)| s);
        let series = self.id(t, "series").map(|(s, _)| s);
        let version = self.int(t, "version", true, 1, 100_000);
        let document_number = self.text(t, "document_number");
        let title = self.text(t, "title");
        let title_en = self.text(t, "title_en");
        let issuer = self.text(t, "issuer");
        let adopted_on = self.date(t, "adopted_on", true);
        let adopted_by = self.string(t, "adopted_by", false).map(|(s, _)| s);
        let issued_on = self.date(t, "issued_on", true);
        let effective_from = self.date(t, "effective_from", true);
        let effective_until = self.date(t, "effective_until", false);
        let legal_basis = self.strings(t, "legal_basis", true);
        let notice = self.string(t, "notice", false).map(|(s, _)| s);
        if let (Some(a), Some(e)) = (adopted_on, effective_from)
            && e < a
        {
            let span = t.t.get("effective_from").and_then(item_span);
            self.at(
                &span,
                Problem::DateOrder {
                    earlier: "adopted_on".into(),
                    later: "effective_from".into(),
                },
            );
        }
        if let (Some(a), Some(i)) = (adopted_on, issued_on)
            && i < a
        {
            let span = t.t.get("issued_on").and_then(item_span);
            self.at(
                &span,
                Problem::DateOrder {
                    earlier: "adopted_on".into(),
                    later: "issued_on".into(),
                },
            );
        }
        if let (Some(f), Some(u)) = (effective_from, effective_until)
            && u < f
        {
            let span = t.t.get("effective_until").and_then(item_span);
            self.at(
                &span,
                Problem::DateOrder {
                    earlier: "effective_from".into(),
                    later: "effective_until".into(),
                },
            );
        }
        Some(PolicyMeta {
            id: id?,
            series: series?,
            version: u32::try_from(version?).ok()?,
            document_number,
            title,
            title_en,
            issuer,
            adopted_on: adopted_on?,
            adopted_by,
            issued_on: issued_on?,
            effective_from: effective_from?,
            effective_until,
            legal_basis: legal_basis.into_iter().map(|(s, _)| s).collect(),
            notice,
        })
    }

    fn reminders(&mut self, t: &Tab<'_>) -> ReminderRules {
        self.keys(
            t,
            &[
                "due_soon_days",
                "days_before",
                "escalate_after_days_overdue",
            ],
        );
        let d = ReminderRules::default();
        let due_soon_days = self
            .int(t, "due_soon_days", false, 0, 366)
            .map(|n| n as u32)
            .unwrap_or(d.due_soon_days);
        let escalate = self
            .int(t, "escalate_after_days_overdue", false, 0, 366)
            .map(|n| n as u32)
            .unwrap_or(d.escalate_after_days_overdue);
        let days_before = match t.t.get("days_before") {
            None => d.days_before,
            Some(item) => {
                let mut out = Vec::new();
                match item.as_array() {
                    None => self.wrong(item, "days_before", "a list of integers"),
                    Some(arr) => {
                        for v in arr.iter() {
                            match v.as_integer() {
                                Some(n) if (1..=366).contains(&n) => out.push(n as u32),
                                Some(n) => self.at(
                                    &v.span(),
                                    Problem::OutOfRange {
                                        key: "days_before".into(),
                                        value: n,
                                        min: 1,
                                        max: 366,
                                    },
                                ),
                                None => self.at(
                                    &v.span(),
                                    Problem::WrongType {
                                        key: "days_before".into(),
                                        expected: "an integer",
                                    },
                                ),
                            }
                        }
                    }
                }
                if out.windows(2).any(|w| w[0] <= w[1]) {
                    self.at(
                        &item_span(item),
                        Problem::Order {
                            key: "days_before".into(),
                        },
                    );
                }
                out
            }
        };
        ReminderRules {
            due_soon_days,
            days_before,
            escalate_after_days_overdue: escalate,
        }
    }

    /// `[[key]]` entries of the shape `{ id, name, name_en }`.
    /// Entries with an id and names; with `articles`, each may also say which article
    /// establishes it (`established_by`).
    fn named(
        &mut self,
        root: &Tab<'_>,
        key: &str,
        what: Thing,
        articles: Option<&[Article]>,
    ) -> Vec<(String, String, String, Span, Option<Citation>)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in self.tables(root, key, false) {
            let allowed: &[&str] = match articles {
                Some(_) => &["id", "name", "name_en", "established_by"],
                None => &["id", "name", "name_en"],
            };
            self.keys(&t, allowed);
            let id = self.id(&t, "id");
            let name = self.text(&t, "name");
            let name_en = self.text(&t, "name_en");
            let established_by = articles.and_then(|a| self.established_by(&t, a));
            if let Some((id, span)) = id {
                self.unique(&mut seen, what, &id, &span);
                out.push((id, name, name_en, span, established_by));
            }
        }
        out
    }

    /// `established_by`: the article that establishes a post's or portfolio's responsibility.
    fn established_by(&mut self, t: &Tab<'_>, articles: &[Article]) -> Option<Citation> {
        self.string(t, "established_by", false)
            .and_then(|(s, span)| self.citation(&s, &span, "established_by", articles))
    }

    fn org_kinds(&mut self, t: &Tab<'_>, key: &str) -> Vec<OrgKind> {
        let mut out = Vec::new();
        for (s, span) in self.strings(t, key, true) {
            match OrgKind::parse(&s) {
                Some(k) => out.push(k),
                None => self.at(
                    &span,
                    Problem::BadValue {
                        key: key.into(),
                        value: s,
                        expected: OrgKind::expected(),
                    },
                ),
            }
        }
        out
    }

    fn post_kinds(&mut self, root: &Tab<'_>, articles: &[Article]) -> Vec<PostKind> {
        let mut seen = HashSet::new();
        let mut out: Vec<PostKind> = Vec::new();
        for t in self.tables(root, "post_kinds", false) {
            self.keys(
                &t,
                &[
                    "id",
                    "name",
                    "name_en",
                    "org_kinds",
                    "single_holder",
                    "first_responsible",
                    "leadership",
                    "established_by",
                ],
            );
            let id = self.id(&t, "id");
            let name = self.text(&t, "name");
            let name_en = self.text(&t, "name_en");
            let org_kinds = self.org_kinds(&t, "org_kinds");
            let single_holder = self.boolean(&t, "single_holder");
            let first_responsible = self.boolean(&t, "first_responsible");
            let leadership = self.boolean(&t, "leadership");
            let established_by = self.established_by(&t, articles);
            if first_responsible {
                for k in &org_kinds {
                    if out
                        .iter()
                        .any(|p| p.first_responsible && p.org_kinds.contains(k))
                    {
                        let span = t.t.get("first_responsible").and_then(item_span);
                        self.at(
                            &span,
                            Problem::TwoFirstResponsible {
                                org_kind: k.to_string(),
                            },
                        );
                    }
                }
            }
            if let Some((id, span)) = id {
                self.unique(&mut seen, Thing::PostKind, &id, &span);
                out.push(PostKind {
                    id,
                    name,
                    name_en,
                    org_kinds,
                    single_holder,
                    first_responsible,
                    leadership,
                    established_by,
                });
            }
        }
        out
    }

    /// `[[platform_kinds]]`: kinds of platform beyond the built-in ones, each with an id no
    /// built-in kind spells, of at most [`KindId::MAX`] bytes.
    fn declared_platform_kinds(&mut self, root: &Tab<'_>) -> Vec<PlatformKindDef> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in self.tables(root, "platform_kinds", false) {
            self.keys(&t, &["id", "name", "name_en"]);
            let id = self.id(&t, "id");
            let name = self.text(&t, "name");
            let name_en = self.text(&t, "name_en");
            let Some((id, span)) = id else { continue };
            self.unique(&mut seen, Thing::PlatformKind, &id, &span);
            match KindId::new(&id) {
                Some(k) => out.push(PlatformKindDef {
                    kind: PlatformKind::Declared(k),
                    name,
                    name_en,
                }),
                None => self.at(
                    &span,
                    Problem::BadValue {
                        key: "id".into(),
                        value: id,
                        expected: format!(
                            "at most {} characters, and not a kind Zeren knows ({})",
                            KindId::MAX,
                            PlatformKind::built_ins()
                                .map(|k| k.as_str().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                ),
            }
        }
        out
    }

    fn articles(&mut self, root: &Tab<'_>) -> Vec<Article> {
        let mut out = Vec::new();
        for (i, t) in self.tables(root, "articles", true).into_iter().enumerate() {
            self.keys(&t, &["number", "text", "items"]);
            let expected = i as u32 + 1;
            let number = self.numbered(&t, Thing::Article, expected);
            let text = self.text(&t, "text");
            let mut items = Vec::new();
            for (k, it) in self.tables(&t, "items", false).into_iter().enumerate() {
                self.keys(&it, &["number", "text"]);
                let n = self.numbered(&it, Thing::Item, k as u32 + 1);
                let text = self.text(&it, "text");
                items.push(ArticleItem { number: n, text });
            }
            out.push(Article {
                number,
                text,
                items,
            });
        }
        out
    }

    /// Reads `number`, which must equal `expected`; returns `expected` either way so later checks go on.
    fn numbered(&mut self, t: &Tab<'_>, what: Thing, expected: u32) -> u32 {
        if let Some(item) = self.get(t, "number", true) {
            match item.as_integer() {
                Some(n) if n == i64::from(expected) => {}
                Some(n) => self.at(
                    &item_span(item),
                    Problem::Numbering {
                        what,
                        expected,
                        found: n,
                    },
                ),
                None => self.wrong(item, "number", "an integer"),
            }
        }
        expected
    }

    fn citation(
        &mut self,
        s: &str,
        span: &Span,
        key: &str,
        articles: &[Article],
    ) -> Option<Citation> {
        let c = match s.parse::<Citation>() {
            Ok(c) => c,
            Err(_) => {
                self.at(
                    span,
                    Problem::BadValue {
                        key: key.into(),
                        value: s.into(),
                        expected: "a citation such as Art.4 or Art.4(6)".into(),
                    },
                );
                return None;
            }
        };
        let exists = articles.iter().any(|a| {
            a.number == c.article && c.item.is_none_or(|k| a.items.iter().any(|i| i.number == k))
        });
        if !exists {
            self.at(span, Problem::MissingArticle { citation: s.into() });
            return None;
        }
        Some(c)
    }

    /// The duties, and the ids of every duty entry, valid or not (so a reference to a duty
    /// with its own problem is not reported a second time as unknown).
    fn duties(&mut self, root: &Tab<'_>, refs: &Refs<'_>) -> (Vec<Duty>, HashSet<String>) {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in self.tables(root, "duties", false) {
            if let Some(d) = self.duty(&t, refs, &mut seen) {
                out.push(d);
            }
        }
        (out, seen)
    }

    fn duty(&mut self, t: &Tab<'_>, refs: &Refs<'_>, seen: &mut HashSet<String>) -> Option<Duty> {
        self.keys(
            t,
            &[
                "id",
                "title",
                "title_en",
                "articles",
                "subject",
                "org_kinds",
                "platform_kinds",
                "news_function_only",
                "posts",
                "event",
                "cadence",
                "due",
                "responsible",
                "evidence",
                "note",
            ],
        );
        let id = self.id(t, "id");
        if let Some((id, span)) = &id {
            self.unique(seen, Thing::Duty, id, span);
        }
        let title = self.text(t, "title");
        let title_en = self.text(t, "title_en");
        let mut articles = Vec::new();
        for (s, span) in self.strings(t, "articles", true) {
            if let Some(c) = self.citation(&s, &span, "articles", refs.articles) {
                articles.push(c);
            }
        }
        let subject = self.subject(t, refs);
        let cadence = self.string(t, "cadence", true).and_then(|(s, span)| {
            let c = Cadence::parse(&s);
            if c.is_none() {
                self.at(
                    &span,
                    Problem::BadValue {
                        key: "cadence".into(),
                        value: s,
                        expected: "once, annual, semiannual, quarterly, monthly, on-event".into(),
                    },
                );
            }
            c
        });
        if let (Some(c), Some(s)) = (cadence, &subject) {
            let is_event = matches!(s, Subject::Event { .. });
            if (c == Cadence::OnEvent) != is_event {
                let span = t.t.get("cadence").and_then(item_span);
                let subject =
                    t.t.get("subject")
                        .and_then(|i| i.as_str())
                        .unwrap_or("")
                        .to_string();
                self.at(
                    &span,
                    Problem::CadenceSubject {
                        cadence: c.as_str().into(),
                        subject,
                    },
                );
            }
        }
        let due = cadence.and_then(|c| self.due(t, c));
        let responsible = self.responsible(t, refs, subject.as_ref());
        let evidence = self.evidence(t, refs);
        let note = self.string(t, "note", false).map(|(s, _)| s);
        Some(Duty {
            id: id?.0,
            title,
            title_en,
            articles,
            subject: subject?,
            cadence: cadence?,
            due: due?,
            responsible: responsible?,
            evidence,
            note,
        })
    }

    fn subject(&mut self, t: &Tab<'_>, refs: &Refs<'_>) -> Option<Subject> {
        let (s, span) = self.string(t, "subject", true)?;
        let own: &[&str] = match s.as_str() {
            "org" => &["org_kinds"],
            "platform" => &["platform_kinds", "news_function_only"],
            "post" => &["posts"],
            "operator" => &["platform_kinds"],
            "event" => &["event"],
            _ => {
                self.at(
                    &span,
                    Problem::BadValue {
                        key: "subject".into(),
                        value: s,
                        expected: "org, platform, post, operator, event".into(),
                    },
                );
                return None;
            }
        };
        for key in [
            "org_kinds",
            "platform_kinds",
            "news_function_only",
            "posts",
            "event",
        ] {
            if !own.contains(&key)
                && let Some((k, _)) = t.t.get_key_value(key)
            {
                self.at(
                    &k.span(),
                    Problem::SubjectKey {
                        key: key.into(),
                        subject: s.clone(),
                    },
                );
            }
        }
        Some(match s.as_str() {
            "org" => Subject::Org {
                org_kinds: self.org_kinds(t, "org_kinds"),
            },
            "platform" => Subject::Platform {
                platform_kinds: self.platform_kinds(t),
                news_function_only: self.boolean(t, "news_function_only"),
            },
            "operator" => Subject::Operator {
                platform_kinds: self.platform_kinds(t),
            },
            "post" => {
                let mut posts = Vec::new();
                for (v, span) in self.strings(t, "posts", true) {
                    if refs.posts.contains(&v) {
                        posts.push(v);
                    } else {
                        self.at(
                            &span,
                            Problem::UnknownRef {
                                what: Thing::PostKind,
                                id: v,
                            },
                        );
                    }
                }
                Subject::Post { posts }
            }
            _ => {
                let (v, span) = self.string(t, "event", true)?;
                match EventKind::parse(&v) {
                    Some(event) => Subject::Event { event },
                    None => {
                        self.at(
                            &span,
                            Problem::UnknownRef {
                                what: Thing::EventKind,
                                id: v,
                            },
                        );
                        return None;
                    }
                }
            }
        })
    }

    /// The `platform_kinds` of a platform or operator duty (empty: all kinds).
    fn platform_kinds(&mut self, t: &Tab<'_>) -> Vec<PlatformKind> {
        let mut kinds = Vec::new();
        for (v, span) in self.strings(t, "platform_kinds", false) {
            let declared = self
                .declared_kinds
                .iter()
                .copied()
                .find(|k| k.as_str() == v);
            match PlatformKind::parse(&v).or(declared) {
                Some(k) => kinds.push(k),
                None => self.at(
                    &span,
                    Problem::UnknownRef {
                        what: Thing::PlatformKind,
                        id: v,
                    },
                ),
            }
        }
        kinds
    }

    fn due(&mut self, t: &Tab<'_>, cadence: Cadence) -> Option<DueRule> {
        let due = self.table(t, "due", true)?;
        let (allowed, max): (&[&str], i64) = match cadence {
            Cadence::Annual => (&["by", "days_after_period_end"], 365),
            Cadence::Semiannual => (&["days_after_period_end"], 180),
            Cadence::Quarterly => (&["days_after_period_end"], 90),
            Cadence::Monthly => (&["days_after_period_end"], 27),
            Cadence::Once => (&["days_after_start"], 3650),
            Cadence::OnEvent => (&["days_after_event", "days_before_event"], 366),
        };
        let keys: Vec<String> = due.t.iter().map(|(k, _)| k.to_string()).collect();
        let all = [
            "by",
            "days_after_period_end",
            "days_after_start",
            "days_after_event",
            "days_before_event",
        ];
        let mut rule = None;
        for key in &keys {
            let span = due.t.get_key_value(key).and_then(|(k, _)| k.span());
            if !all.contains(&key.as_str()) {
                self.at(
                    &span,
                    Problem::UnknownKey {
                        key: key.clone(),
                        allowed: all.join(", "),
                    },
                );
                continue;
            }
            if !allowed.contains(&key.as_str()) {
                self.at(
                    &span,
                    Problem::DueRuleMismatch {
                        cadence: cadence.as_str().into(),
                        rule: key.clone(),
                        allowed: allowed.join(", "),
                    },
                );
                continue;
            }
            if rule.is_some() {
                self.at(
                    &span,
                    Problem::DueRuleMismatch {
                        cadence: cadence.as_str().into(),
                        rule: format!("{key} (a second rule)"),
                        allowed: "exactly one of ".to_string() + &allowed.join(", "),
                    },
                );
                continue;
            }
            rule = if key == "by" {
                let (s, span) = self.string(&due, "by", true)?;
                let day = s
                    .split_once('-')
                    .filter(|(m, d)| m.len() == 2 && d.len() == 2)
                    .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
                    // 2023 is not a leap year: 02-29 is refused, it would not exist most years.
                    .filter(|(m, d)| NaiveDate::from_ymd_opt(2023, *m, *d).is_some());
                match day {
                    Some((month, day)) => Some(DueRule::By { month, day }),
                    None => {
                        self.at(
                            &span,
                            Problem::BadValue {
                                key: "due.by".into(),
                                value: s,
                                expected: "MM-DD, a day that exists every year (02-29 does not)"
                                    .into(),
                            },
                        );
                        return None;
                    }
                }
            } else {
                let n = self.int(&due, key, true, 0, max)? as u32;
                Some(match key.as_str() {
                    "days_after_period_end" => DueRule::DaysAfterPeriodEnd(n),
                    "days_after_start" => DueRule::DaysAfterStart(n),
                    "days_after_event" => DueRule::DaysAfterEvent(n),
                    _ => DueRule::DaysBeforeEvent(n),
                })
            };
        }
        if rule.is_none() && keys.is_empty() {
            self.at(&due.span, Problem::Empty { key: "due".into() });
        }
        rule
    }

    fn responsible(
        &mut self,
        t: &Tab<'_>,
        refs: &Refs<'_>,
        subject: Option<&Subject>,
    ) -> Option<Responsible> {
        let (s, span) = self.string(t, "responsible", true)?;
        let bad = |r: &mut Self, s: String| {
            r.at(
                &span,
                Problem::BadValue {
                    key: "responsible".into(),
                    value: s,
                    expected: "first-responsible, post:<id>, portfolio:<id> or portfolio:subject"
                        .into(),
                },
            );
        };
        if s == "first-responsible" {
            return Some(Responsible::FirstResponsible);
        }
        if let Some(id) = s.strip_prefix("post:") {
            if !refs.posts.contains(id) {
                self.at(
                    &span,
                    Problem::UnknownRef {
                        what: Thing::PostKind,
                        id: id.into(),
                    },
                );
                return None;
            }
            return Some(Responsible::Post(id.into()));
        }
        if let Some(id) = s.strip_prefix("portfolio:") {
            if id == "subject" {
                // Orgs and people do not belong to a portfolio; platforms and events do.
                if matches!(
                    subject,
                    Some(Subject::Org { .. })
                        | Some(Subject::Post { .. })
                        | Some(Subject::Operator { .. })
                ) {
                    bad(self, s.clone());
                    return None;
                }
                return Some(Responsible::SubjectPortfolio);
            }
            if !refs.portfolios.contains(id) {
                self.at(
                    &span,
                    Problem::UnknownRef {
                        what: Thing::Portfolio,
                        id: id.into(),
                    },
                );
                return None;
            }
            return Some(Responsible::Portfolio(id.into()));
        }
        bad(self, s);
        None
    }

    fn evidence(&mut self, t: &Tab<'_>, refs: &Refs<'_>) -> Vec<EvidenceRule> {
        let entries = self.tables(t, "evidence", true);
        if entries.is_empty()
            && let Some(item) = t.t.get("evidence")
        {
            self.at(
                &item_span(item),
                Problem::Empty {
                    key: "evidence".into(),
                },
            );
        }
        let mut out = Vec::new();
        for e in entries {
            self.keys(&e, &["kind", "topic"]);
            let Some((kind, span)) = self.string(&e, "kind", true) else {
                continue;
            };
            let kind = match EvidenceKind::parse(&kind) {
                Some(k) => EvidenceOf::Builtin(k),
                None if refs.record_kinds.contains(&kind) => EvidenceOf::Pack(kind),
                None => {
                    self.at(
                        &span,
                        Problem::UnknownRef {
                            what: Thing::EvidenceKind,
                            id: kind,
                        },
                    );
                    continue;
                }
            };
            let topic = self.string(&e, "topic", false);
            if let Some((topic, tspan)) = &topic {
                if kind != EvidenceOf::Builtin(EvidenceKind::CommitteeMeeting) {
                    self.at(
                        tspan,
                        Problem::TopicNotAllowed {
                            kind: kind.as_str().to_string(),
                        },
                    );
                } else if !refs.topics.contains(topic) {
                    self.at(
                        tspan,
                        Problem::UnknownRef {
                            what: Thing::Topic,
                            id: topic.clone(),
                        },
                    );
                }
            }
            out.push(EvidenceRule {
                kind,
                topic: topic.map(|(s, _)| s),
            });
        }
        out
    }

    fn grounds(&mut self, root: &Tab<'_>, articles: &[Article]) -> Vec<Ground> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for t in self.tables(root, "grounds", false) {
            self.keys(&t, &["id", "article", "title", "title_en"]);
            let id = self.id(&t, "id");
            let title = self.text(&t, "title");
            let title_en = self.text(&t, "title_en");
            let article = self.string(&t, "article", true).and_then(|(s, span)| {
                self.citation(&s, &span, "article", articles)
                    .map(|c| (c, span))
            });
            if let Some((c, span)) = &article
                && c.item.is_none()
            {
                self.at(
                    span,
                    Problem::BadValue {
                        key: "article".into(),
                        value: c.to_string(),
                        expected: "an article item such as Art.5(1)".into(),
                    },
                );
            }
            if let (Some((id, span)), Some((article, _))) = (id, article) {
                self.unique(&mut seen, Thing::Ground, &id, &span);
                let text = cited(articles, article).unwrap_or_default();
                out.push(Ground {
                    id,
                    article,
                    title,
                    title_en,
                    text,
                });
            }
        }
        out
    }

    fn assessment(
        &mut self,
        t: &Tab<'_>,
        refs: &Refs<'_>,
        duties: &HashSet<String>,
    ) -> Option<AssessmentScheme> {
        self.keys(t, &["article", "procedure", "indicators"]);
        let article = self
            .string(t, "article", true)
            .and_then(|(s, span)| self.citation(&s, &span, "article", refs.articles));
        let mut procedure = Vec::new();
        for (s, span) in self.strings(t, "procedure", true) {
            match AssessmentStep::parse(&s) {
                Some(step) => {
                    if procedure.last().is_some_and(|last| *last >= step) {
                        self.at(
                            &span,
                            Problem::Order {
                                key: "procedure".into(),
                            },
                        );
                    }
                    procedure.push(step);
                }
                None => self.at(
                    &span,
                    Problem::UnknownRef {
                        what: Thing::Step,
                        id: s,
                    },
                ),
            }
        }
        let mut seen = HashSet::new();
        let mut indicators = Vec::new();
        let mut sum = 0.0;
        for i in self.tables(t, "indicators", true) {
            self.keys(
                &i,
                &["id", "title", "title_en", "weight", "duties", "method"],
            );
            let id = self.id(&i, "id");
            let title = self.text(&i, "title");
            let title_en = self.text(&i, "title_en");
            let weight = self.get(&i, "weight", true).and_then(|item| {
                let w = item
                    .as_float()
                    .or_else(|| item.as_integer().map(|n| n as f64));
                match w {
                    Some(w) if w > 0.0 && w <= 100.0 => Some(w),
                    Some(_) => {
                        self.at(
                            &item_span(item),
                            Problem::BadValue {
                                key: "weight".into(),
                                value: item.to_string().trim().to_string(),
                                expected: "a number above 0 and at most 100".into(),
                            },
                        );
                        None
                    }
                    None => {
                        self.wrong(item, "weight", "a number");
                        None
                    }
                }
            });
            sum += weight.unwrap_or(0.0);
            let manual =
                i.t.get("method")
                    .and_then(|m| m.as_str())
                    .is_some_and(|m| m == "manual");
            let mut ds = Vec::new();
            for (d, span) in self.strings(&i, "duties", !manual) {
                if manual {
                    self.at(
                        &span,
                        Problem::BadValue {
                            key: "duties".into(),
                            value: d,
                            expected: "no duties: a manual indicator is scored by the reviewer"
                                .into(),
                        },
                    );
                    continue;
                }
                if duties.contains(&d) {
                    ds.push(d);
                } else {
                    self.at(
                        &span,
                        Problem::UnknownRef {
                            what: Thing::Duty,
                            id: d,
                        },
                    );
                }
            }
            let method = self
                .string(&i, "method", true)
                .and_then(|(s, span)| match s.as_str() {
                    "completion-rate" => Some(IndicatorMethod::CompletionRate),
                    "on-time-rate" => Some(IndicatorMethod::OnTimeRate),
                    "manual" => Some(IndicatorMethod::Manual),
                    _ => {
                        self.at(
                            &span,
                            Problem::BadValue {
                                key: "method".into(),
                                value: s,
                                expected: "completion-rate, on-time-rate, manual".into(),
                            },
                        );
                        None
                    }
                });
            if let (Some((id, span)), Some(weight), Some(method)) = (id, weight, method) {
                self.unique(&mut seen, Thing::Indicator, &id, &span);
                indicators.push(Indicator {
                    id,
                    title,
                    title_en,
                    weight,
                    duties: ds,
                    method,
                });
            }
        }
        if !indicators.is_empty() && (sum - 100.0).abs() > 1e-6 {
            let span = t.t.get("indicators").and_then(item_span);
            self.at(
                &span,
                Problem::WeightsSum {
                    sum: format!("{sum}"),
                },
            );
        }
        Some(AssessmentScheme {
            article: article?,
            procedure,
            indicators,
        })
    }
}

struct Refs<'a> {
    /// Ids of every `[[record_kinds]]` entry, valid or not (a duty naming one with problems of
    /// its own is not told it is unknown too).
    record_kinds: HashSet<String>,
    topics: HashSet<String>,
    portfolios: HashSet<String>,
    posts: HashSet<String>,
    articles: &'a [Article],
}

/// The `id` strings of an array of tables, whatever else is wrong with the entries.
fn declared_ids(root: &Tab<'_>, key: &str) -> HashSet<String> {
    root.t
        .get(key)
        .and_then(|i| i.as_array_of_tables())
        .map(|aot| {
            aot.iter()
                .filter_map(|t| t.get("id").and_then(|v| v.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn cited(articles: &[Article], c: Citation) -> Option<String> {
    let a = articles.iter().find(|a| a.number == c.article)?;
    match c.item {
        None => Some(a.text.clone()),
        Some(k) => a
            .items
            .iter()
            .find(|i| i.number == k)
            .map(|i| i.text.clone()),
    }
}
