//! `[annual_review]`: the checklist of a platform's annual review (年审), item by item, and the
//! default deadline of the rectifications a review opens; `[online_events]`: how an event held
//! on a platform is approved. Every problem is located like the rest of the pack.

use super::{Reader, Tab};
use crate::policy::model::{EventRules, ReviewChecklist, ReviewItem};
use crate::policy::problem::{Problem, Thing};
use crate::vocab::EventForm;
use std::collections::HashSet;

/// Keys of `[annual_review]`.
const REVIEW_KEYS: &[&str] = &["items", "rectification_days"];
/// Keys of an item.
const ITEM_KEYS: &[&str] = &[
    "id",
    "title",
    "title_en",
    "help",
    "help_en",
    "platform_kinds",
    "news_function_only",
];
/// Days a rectification has when the pack does not say.
const RECTIFICATION_DAYS: i64 = 30;

impl Reader<'_> {
    /// The checklist; an item with problems is left out (and reported).
    pub(super) fn annual_review(&mut self, t: &Tab<'_>) -> ReviewChecklist {
        self.keys(t, REVIEW_KEYS);
        let rectification_days = self
            .int(t, "rectification_days", false, 1, 365)
            .unwrap_or(RECTIFICATION_DAYS);
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for item in self.tables(t, "items", true) {
            let before = self.diags.len();
            self.keys(&item, ITEM_KEYS);
            let id = self.id(&item, "id");
            if let Some((id, span)) = &id {
                self.unique(&mut seen, Thing::ReviewItem, id, span);
            }
            let title = self.text(&item, "title");
            let title_en = self.text(&item, "title_en");
            let help = self.string(&item, "help", false).map(|(s, _)| s);
            let help_en = self.string(&item, "help_en", false).map(|(s, _)| s);
            let platform_kinds = self.platform_kinds(&item);
            let news_function_only = self.boolean(&item, "news_function_only");
            if let Some((id, _)) = id
                && self.diags.len() == before
            {
                items.push(ReviewItem {
                    id,
                    title,
                    title_en,
                    help,
                    help_en,
                    platform_kinds,
                    news_function_only,
                });
            }
        }
        ReviewChecklist {
            items,
            rectification_days: u32::try_from(rectification_days).unwrap_or(30),
        }
    }
}

/// Keys of `[online_events]`.
const EVENT_KEYS: &[&str] = &[
    "approval_days",
    "major_audience",
    "major_forms",
    "self_approval",
];

impl Reader<'_> {
    /// How online events are approved.
    pub(super) fn online_events(&mut self, t: &Tab<'_>) -> EventRules {
        self.keys(t, EVENT_KEYS);
        let defaults = EventRules::default();
        let approval_days = self
            .int(t, "approval_days", false, 0, 90)
            .map_or(defaults.approval_days, |n| u32::try_from(n).unwrap_or(7));
        let major_audience = self
            .int(t, "major_audience", false, 1, 10_000_000)
            .and_then(|n| u32::try_from(n).ok());
        let mut major_forms = Vec::new();
        for (v, span) in self.strings(t, "major_forms", false) {
            match EventForm::parse(&v) {
                Some(f) => major_forms.push(f),
                None => self.at(
                    &span,
                    Problem::UnknownRef {
                        what: Thing::EventForm,
                        id: v,
                    },
                ),
            }
        }
        EventRules {
            approval_days,
            major_audience,
            major_forms,
            self_approval: self.boolean(t, "self_approval"),
        }
    }
}

impl Reader<'_> {
    /// What websites' upkeep asks.
    pub(super) fn website_maintenance(
        &mut self,
        t: &Tab<'_>,
    ) -> crate::platforms::website::WebsiteRules {
        self.keys(t, &["log_days", "three_reviews"]);
        let defaults = crate::platforms::website::WebsiteRules::default();
        crate::platforms::website::WebsiteRules {
            log_days: self
                .int(t, "log_days", false, 1, 365)
                .map_or(defaults.log_days, |n| u32::try_from(n).unwrap_or(30)),
            three_reviews: self.boolean(t, "three_reviews"),
        }
    }
}
