//! Every loaded policy version together: several responsibility systems side by side, each a
//! series of versions that supersede one another.

use super::model::{Duty, PolicyMeta, PolicyPack, RecordKind};
use super::versions::{VersionError, check_new_duties, check_new_version, version_in_force};
use crate::obligation::{Event, PlannedObligation, generate_events_in, generate_in};
use crate::org::OrgModel;
use chrono::NaiveDate;

/// The loaded policy versions, of every series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policies {
    packs: Vec<PolicyPack>,
    metas: Vec<PolicyMeta>,
}

impl Policies {
    /// The set of `packs` (any order; kept by series, then version).
    pub fn new(mut packs: Vec<PolicyPack>) -> Self {
        packs.sort_by(|a, b| {
            (&a.meta.series, a.meta.version).cmp(&(&b.meta.series, b.meta.version))
        });
        let metas = packs.iter().map(|p| p.meta.clone()).collect();
        Policies { packs, metas }
    }

    /// Every version, by series then version.
    pub fn packs(&self) -> &[PolicyPack] {
        &self.packs
    }

    /// A platform kind's name in `lang`: as a version declaring it names it, the product's name
    /// for a built-in kind, the id of one no version declares any more.
    pub fn platform_kind_name(
        &self,
        kind: crate::vocab::PlatformKind,
        lang: crate::Lang,
    ) -> String {
        self.packs
            .iter()
            .rev()
            .find_map(|p| p.declared_kind_name(kind, lang))
            .map(str::to_string)
            .unwrap_or_else(|| lang.pick(kind.name_zh(), kind.as_str()).to_string())
    }

    /// Every version's identity and dates.
    pub fn metas(&self) -> &[PolicyMeta] {
        &self.metas
    }

    /// Whether `new` can join the versions loaded: its id and version number free, its dates
    /// in order with its series, its duty and record kind ids not another series'.
    pub fn admits(&self, new: &PolicyPack) -> Result<(), VersionError> {
        check_new_version(&self.metas, &new.meta).and_then(|()| check_new_duties(&self.packs, new))
    }

    /// The version with this id.
    pub fn get(&self, id: &str) -> Option<&PolicyPack> {
        self.packs.iter().find(|p| p.meta.id == id)
    }

    /// The series loaded, each once, in order.
    pub fn series(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.packs {
            if out.last() != Some(&p.meta.series.as_str()) {
                out.push(&p.meta.series);
            }
        }
        out
    }

    /// The versions of one series, oldest first.
    pub fn versions_of<'a>(&'a self, series: &'a str) -> impl Iterator<Item = &'a PolicyPack> {
        self.packs.iter().filter(move |p| p.meta.series == series)
    }

    /// The version of `series` in force on `day` (see [`version_in_force`]).
    pub fn in_force(&self, series: &str, day: NaiveDate) -> Option<&PolicyPack> {
        version_in_force(&self.metas, series, day).and_then(|m| self.get(&m.id))
    }

    /// Whether `pack` is the version of its series in force on `day` (a superseded version
    /// is not, even without an end date of its own).
    pub fn is_in_force(&self, pack: &PolicyMeta, day: NaiveDate) -> bool {
        version_in_force(&self.metas, &pack.series, day).is_some_and(|m| m.id == pack.id)
    }

    /// Whether a later version of its series has taken effect by `day`.
    pub fn is_superseded(&self, pack: &PolicyMeta, day: NaiveDate) -> bool {
        self.versions_of(&pack.series)
            .any(|p| p.meta.version > pack.version && p.meta.effective_from <= day)
    }

    /// The version in force on `day` of every series that has one.
    pub fn all_in_force(&self, day: NaiveDate) -> Vec<&PolicyPack> {
        self.series()
            .into_iter()
            .filter_map(|s| self.in_force(s, day))
            .collect()
    }

    /// The version of each series to read on `day`: the one in force, else the latest to have
    /// taken effect, else the first (a series not in force yet is still shown by its terms).
    pub fn current(&self, day: NaiveDate) -> Vec<&PolicyPack> {
        self.series()
            .into_iter()
            .filter_map(|s| {
                self.in_force(s, day).or_else(|| {
                    // Versions are kept oldest first: the latest to have taken effect, else
                    // the first.
                    let taken_effect = self.versions_of(s).filter(|p| p.meta.effective_from <= day);
                    taken_effect.last().or_else(|| self.versions_of(s).next())
                })
            })
            .collect()
    }

    /// A duty by id, as the version of its series read on `day` states it (duty ids are
    /// unique across series), else as the latest version that has it.
    pub fn duty(&self, id: &str, day: NaiveDate) -> Option<(&PolicyPack, &Duty)> {
        self.current(day)
            .into_iter()
            .find_map(|p| p.duty(id).map(|d| (p, d)))
            .or_else(|| {
                self.packs
                    .iter()
                    .rev()
                    .find_map(|p| p.duty(id).map(|d| (p, d)))
            })
    }

    /// The version to read on `day` of the first series (in order) that declares a portfolio.
    pub fn portfolio_pack(&self, id: &str, day: NaiveDate) -> Option<&PolicyPack> {
        self.current(day)
            .into_iter()
            .find(|p| p.portfolio(id).is_some())
    }

    /// One pack that reads as every system together on `day`: the version to read of
    /// `primary` (its identity, articles, reminders, grounds and assessment), with the agenda
    /// topics, post kinds, portfolios and duties of every other series' version to read added
    /// after its own. A post kind several series declare keeps the first declaration, takes
    /// the org kinds of all, and is first responsible or leadership where any says so. It is
    /// the vocabulary of the org tree, roles and lists; a duty's articles and chain of reasons
    /// are read from its own version ([`Policies::duty`]). `None` when `primary` is not loaded.
    pub fn combined(&self, primary: &str, day: NaiveDate) -> Option<PolicyPack> {
        let current = self.current(day);
        let mut out = current
            .iter()
            .find(|p| p.meta.series == primary)
            .map(|p| (*p).clone())?;
        for other in current.iter().filter(|p| p.meta.series != primary) {
            for t in &other.topics {
                if !out.topics.iter().any(|x| x.id == t.id) {
                    out.topics.push(t.clone());
                }
            }
            for k in &other.post_kinds {
                match out.post_kinds.iter_mut().find(|x| x.id == k.id) {
                    Some(x) => {
                        for kind in &k.org_kinds {
                            if !x.org_kinds.contains(kind) {
                                x.org_kinds.push(*kind);
                            }
                        }
                        x.first_responsible |= k.first_responsible;
                        x.leadership |= k.leadership;
                    }
                    None => out.post_kinds.push(k.clone()),
                }
            }
            for k in &other.platform_kinds {
                if !out.platform_kinds.iter().any(|x| x.kind == k.kind) {
                    out.platform_kinds.push(k.clone());
                }
            }
            for p in &other.portfolios {
                if !out.portfolios.iter().any(|x| x.id == p.id) {
                    out.portfolios.push(p.clone());
                }
            }
            for d in &other.duties {
                if out.duty(&d.id).is_none() {
                    out.duties.push(d.clone());
                }
            }
            for k in &other.record_kinds {
                if out.record_kind(&k.id).is_none() {
                    out.record_kinds.push(k.clone());
                }
            }
            if out.incidents.is_none() {
                out.incidents.clone_from(&other.incidents);
            }
            if out.risk_assessment.is_none() {
                out.risk_assessment.clone_from(&other.risk_assessment);
            }
            if out.accountability.is_none() {
                out.accountability.clone_from(&other.accountability);
            }
        }
        Some(out)
    }

    /// The definition of a pack-defined record kind a record made on `day` is made under: the
    /// kind as the version in force that day defines it, with that version (a kind id belongs
    /// to one series). `None` when no version in force defines it: nothing is recorded under
    /// a version before it takes effect or after it lapsed.
    pub fn record_kind(&self, id: &str, day: NaiveDate) -> Option<(&PolicyPack, &RecordKind)> {
        self.all_in_force(day)
            .into_iter()
            .find_map(|p| p.record_kind(id).map(|k| (p, k)))
    }

    /// Every duty id of a series, over all its versions, sorted.
    pub fn duties_of(&self, series: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .versions_of(series)
            .flat_map(|p| p.duties.iter().map(|d| d.id.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The version of `pack`'s series compared with it by default: the one just before it.
    pub fn previous(&self, pack: &PolicyMeta) -> Option<&PolicyPack> {
        self.packs
            .iter()
            .rev()
            .find(|p| p.meta.series == pack.series && p.meta.version < pack.version)
    }

    /// Another version `id` of `pack`'s series (not `pack` itself).
    pub fn other_version(&self, pack: &PolicyMeta, id: &str) -> Option<&PolicyPack> {
        self.get(id)
            .filter(|p| p.meta.series == pack.series && p.meta.id != pack.id)
    }

    /// The series a duty id belongs to.
    pub fn series_of_duty(&self, id: &str) -> Option<&str> {
        self.packs
            .iter()
            .find(|p| p.duty(id).is_some())
            .map(|p| p.meta.series.as_str())
    }

    /// Every obligation of `year` the loaded versions require, each governed by exactly one
    /// version of its series. Sorted by series, then key.
    pub fn generate(
        &self,
        model: &OrgModel,
        year: i32,
        events: &[Event],
    ) -> Vec<PlannedObligation> {
        self.packs
            .iter()
            .flat_map(|p| generate_in(p, &self.metas, model, year, events))
            .collect()
    }

    /// The obligations of `year` that `events` bring (the on-event duties of [`Self::generate`]
    /// alone).
    pub fn generate_for_events(
        &self,
        model: &OrgModel,
        year: i32,
        events: &[Event],
    ) -> Vec<PlannedObligation> {
        self.packs
            .iter()
            .flat_map(|p| generate_events_in(p, &self.metas, model, year, events))
            .collect()
    }
}
