//! The registry's order and the org tree's spans, worked out once per org model: a page of the
//! registry then costs one pass of integer checks over the platforms and the rows it shows,
//! instead of a scope check walking up the tree, a subtree membership test and a sort for
//! every platform on every request.
//!
//! The index depends on nothing but the org model (its orgs and platforms), so it is kept per
//! model (a snapshot whose model did not change shares it) and never outlives what it was
//! built from: a new model gets a new index.

use crate::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use zeren_core::access::{Permission, Principal};
use zeren_core::org::{Org, OrgModel, Platform};

/// The place of an org that no walk down from the tops reaches: one whose parents turn in a
/// cycle (a broken tree), or a platform's org that is missing. Checks on such orgs are made
/// the slow way, as before the index.
const NOWHERE: u32 = u32::MAX;

/// Every platform in registry order, and where each org lies in the tree.
pub(super) struct RegistryIndex {
    /// Orgs (their index in [`OrgModel::orgs`]) in preorder: each top (and each org whose
    /// parent is missing) followed by its subtree as [`OrgModel::subtree`] lists it (parents
    /// before children, children by code), so that an org's subtree is one slice.
    preorder: Vec<usize>,
    /// Each org reached from a top, by id: its place in `preorder` and one past the last org
    /// of its subtree.
    spans: HashMap<String, (u32, u32)>,
    /// Every platform, by its org's code then its code (the registry's order).
    pub(super) entries: Vec<Entry>,
}

/// One platform of the index.
pub(super) struct Entry {
    /// Its index in [`OrgModel::platforms`].
    pub(super) platform: usize,
    /// Its org's place in the preorder, or [`NOWHERE`].
    pub(super) org: u32,
    /// Its name in lower case, when that is not the name itself (as a Chinese name is).
    lower: Option<String>,
}

impl Entry {
    /// The name of `p` (the platform of the entry) in lower case: what the words of a search
    /// are looked for in.
    pub(super) fn name<'p>(&'p self, p: &'p Platform) -> &'p str {
        self.lower.as_deref().unwrap_or(&p.name)
    }
}

impl RegistryIndex {
    /// The index of a model.
    pub(super) fn of(m: &OrgModel) -> RegistryIndex {
        let orgs = m.orgs();
        let at: HashMap<&str, usize> = orgs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        let mut preorder: Vec<usize> = Vec::with_capacity(orgs.len());
        for o in orgs {
            if o.parent.as_deref().is_none_or(|p| m.org(p).is_none()) {
                preorder.extend(m.subtree(&o.id).iter().map(|s| at[s.id.as_str()]));
            }
        }
        let place: HashMap<&str, u32> = preorder
            .iter()
            .enumerate()
            .map(|(k, i)| (orgs[*i].id.as_str(), k as u32))
            .collect();
        // Subtree sizes, children before parents: the preorder read backwards.
        let mut size = vec![1u32; preorder.len()];
        for k in (0..preorder.len()).rev() {
            if let Some(up) = orgs[preorder[k]]
                .parent
                .as_deref()
                .and_then(|p| place.get(p))
            {
                size[*up as usize] += size[k];
            }
        }
        let spans = preorder
            .iter()
            .enumerate()
            .map(|(k, i)| (orgs[*i].id.clone(), (k as u32, k as u32 + size[k])))
            .collect();
        let platforms = m.platforms();
        let mut order: Vec<usize> = (0..platforms.len()).collect();
        // Stable, as the sort of the rows selected was: platforms of one code keep their order.
        order.sort_by_cached_key(|i| {
            let p = &platforms[*i];
            let org = m.org(&p.org).map(|o| o.code.as_str()).unwrap_or_default();
            (org, p.code.as_str())
        });
        let entries = order
            .into_iter()
            .map(|i| {
                let p = &platforms[i];
                let lower = p.name.to_lowercase();
                Entry {
                    platform: i,
                    org: place.get(p.org.as_str()).copied().unwrap_or(NOWHERE),
                    lower: (lower != p.name).then_some(lower),
                }
            })
            .collect();
        RegistryIndex {
            preorder,
            spans,
            entries,
        }
    }

    /// The org and everything below it, parents before children (as [`OrgModel::subtree`]).
    pub(super) fn subtree<'m>(&self, m: &'m OrgModel, org_id: &str) -> Vec<&'m Org> {
        match self.spans.get(org_id) {
            Some((from, to)) => self.preorder[*from as usize..*to as usize]
                .iter()
                .map(|i| &m.orgs()[*i])
                .collect(),
            None => m.subtree(org_id),
        }
    }

    /// The subtree of `org_id` as a test on entries: whether a platform lies within it.
    pub(super) fn within<'i>(&'i self, org_id: &'i str) -> Within<'i> {
        Within {
            span: self.spans.get(org_id).copied(),
            org_id,
        }
    }

    /// Where `who` may read (the subtrees of their read scopes), as a test on entries.
    pub(super) fn readable<'i>(&'i self, who: &'i Principal, m: &'i OrgModel) -> Readable<'i> {
        // As `Principal::can`: an administrator's role says yes or no everywhere alike; anyone
        // else may read within the subtree of each grant whose role allows reading. A scope not
        // reached from the tops (missing, or in a cycle) holds no org that is.
        let spans = if who.admin.is_some() {
            None
        } else {
            Some(
                who.scopes(Permission::ReadOrg)
                    .into_iter()
                    .filter_map(|root| self.spans.get(root).copied())
                    .collect(),
            )
        };
        Readable {
            everywhere: who.can(Permission::ReadOrg, None, m),
            spans,
            who,
            m,
        }
    }
}

/// Whether a platform lies within one org's subtree.
pub(super) struct Within<'i> {
    span: Option<(u32, u32)>,
    org_id: &'i str,
}

impl Within<'_> {
    /// Whether `p` (the platform of `e`) lies within the subtree.
    pub(super) fn holds(&self, m: &OrgModel, e: &Entry, p: &Platform) -> bool {
        let fast = if e.org == NOWHERE {
            m.is_within(&p.org, self.org_id)
        } else {
            self.span
                .is_some_and(|(from, to)| from <= e.org && e.org < to)
        };
        debug_assert_eq!(fast, m.is_within(&p.org, self.org_id), "{}", p.code);
        fast
    }
}

/// Whether someone may read a platform's org.
pub(super) struct Readable<'i> {
    /// Whether they may read anywhere at all.
    everywhere: bool,
    /// The spans of their read scopes; `None` for an administrator (`everywhere` decides).
    spans: Option<Vec<(u32, u32)>>,
    who: &'i Principal,
    m: &'i OrgModel,
}

impl Readable<'_> {
    /// Whether they may read `p` (the platform of `e`): `Principal::can` with `ReadOrg`.
    pub(super) fn holds(&self, e: &Entry, p: &Platform) -> bool {
        let slow = || self.who.can(Permission::ReadOrg, Some(&p.org), self.m);
        let fast = match &self.spans {
            _ if e.org == NOWHERE => slow(),
            None => self.everywhere,
            Some(spans) => spans.iter().any(|(from, to)| *from <= e.org && e.org < *to),
        };
        debug_assert_eq!(fast, slow(), "{}", p.code);
        fast
    }
}

/// The registry indexes of the application's live models (kept in the state). The weak
/// reference keeps a model's address from being reused while its entry lives.
#[derive(Default)]
pub(super) struct RegistryIndexes(Mutex<Vec<(Weak<OrgModel>, IndexCell)>>);

/// The index of one model, once it is built.
type IndexCell = Arc<OnceLock<Arc<RegistryIndex>>>;

/// The index of `model`, built by the first request that needs it (the others wait for it).
pub(super) fn registry_index(state: &AppState, model: &Arc<OrgModel>) -> Arc<RegistryIndex> {
    let cell = {
        let kept = state.cache::<RegistryIndexes>();
        let mut kept = kept.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(m, _)| m.strong_count() > 0);
        match kept
            .iter()
            .find(|(m, _)| std::ptr::eq(m.as_ptr(), Arc::as_ptr(model)))
        {
            Some((_, cell)) => cell.clone(),
            None => {
                let cell = Arc::new(OnceLock::new());
                kept.push((Arc::downgrade(model), cell.clone()));
                cell
            }
        }
    };
    cell.get_or_init(|| Arc::new(RegistryIndex::of(model)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use zeren_core::vocab::{OrgKind, PlatformKind, PlatformState};

    fn org(id: &str, code: &str, parent: Option<&str>) -> Org {
        Org {
            id: id.into(),
            code: code.into(),
            name: format!("{code} name"),
            kind: OrgKind::Unit,
            parent: parent.map(str::to_string),
            established_on: None,
            closed_on: None,
        }
    }

    fn platform(id: &str, code: &str, org: &str) -> Platform {
        Platform {
            id: id.into(),
            code: code.into(),
            name: format!("平台 {code} ABC"),
            kind: PlatformKind::Website,
            org: org.into(),
            portfolio: None,
            news_function: false,
            opened_on: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            closed_on: None,
            operators: Vec::new(),
            state: PlatformState::Active,
            active_from: None,
        }
    }

    /// A tree whose codes do not follow its shape, a second top, an org whose parent is
    /// missing, and two orgs whose parents turn in a cycle; platforms in every one of them
    /// and one of a missing org.
    fn model() -> OrgModel {
        let orgs = vec![
            org("o-root", "m-root", None),
            org("o-b", "a-b", Some("o-root")),
            org("o-a", "z-a", Some("o-root")),
            org("o-a1", "b-a1", Some("o-a")),
            org("o-a2", "a-a2", Some("o-a")),
            org("o-b1", "y-b1", Some("o-b")),
            org("o-top2", "c-top2", None),
            org("o-orphan", "d-orphan", Some("o-gone")),
            org("o-orphan1", "e-orphan1", Some("o-orphan")),
            org("o-cyc1", "f-cyc1", Some("o-cyc2")),
            org("o-cyc2", "g-cyc2", Some("o-cyc1")),
        ];
        let ids: Vec<String> = orgs.iter().map(|o| o.id.clone()).collect();
        let mut platforms = Vec::new();
        for (n, id) in ids.iter().chain([&"o-missing".to_string()]).enumerate() {
            for k in 0..3 {
                let code = format!("p{}-{k}", 40 - n);
                platforms.push(platform(&format!("id-{code}"), &code, id));
            }
        }
        OrgModel::new(
            orgs,
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            platforms,
        )
    }

    #[test]
    fn within_and_subtree_agree_with_the_model_for_every_org() {
        let m = model();
        let ix = RegistryIndex::of(&m);
        let mut ids: Vec<&str> = m.orgs().iter().map(|o| o.id.as_str()).collect();
        ids.push("o-missing");
        for a in &ids {
            let w = ix.within(a);
            for e in &ix.entries {
                let p = &m.platforms()[e.platform];
                assert_eq!(
                    w.holds(&m, e, p),
                    m.is_within(&p.org, a),
                    "{} in {a}",
                    p.code
                );
            }
            if !a.starts_with("o-cyc") {
                let fast: Vec<&str> = ix.subtree(&m, a).iter().map(|o| o.id.as_str()).collect();
                let slow: Vec<&str> = m.subtree(a).iter().map(|o| o.id.as_str()).collect();
                assert_eq!(fast, slow, "subtree of {a}");
            }
        }
        // The orgs in a cycle are reached from no top: checked the slow way.
        let cyc = ix.entries.iter().filter(|e| e.org == NOWHERE).count();
        assert_eq!(cyc, 9, "the cycle's and the missing org's platforms");
    }

    #[test]
    fn readable_agrees_with_the_principal_for_every_scope() {
        use zeren_core::access::{AdminRole, Role, RoleGrant};
        let m = model();
        let ix = RegistryIndex::of(&m);
        let grant = |role, org: &str| RoleGrant {
            role,
            org: org.into(),
            source: "test".into(),
        };
        let mut principals: Vec<Principal> =
            [AdminRole::System, AdminRole::Security, AdminRole::Audit]
                .into_iter()
                .map(|a| Principal {
                    user: "admin".into(),
                    roles: Vec::new(),
                    admin: Some(a),
                })
                .collect();
        let mut scopes: Vec<&str> = m.orgs().iter().map(|o| o.id.as_str()).collect();
        scopes.push("o-missing");
        for (n, org) in scopes.iter().enumerate() {
            for role in [Role::Supervisor, Role::Leader, Role::Secretary] {
                principals.push(Principal {
                    user: "u".into(),
                    roles: vec![grant(role, org)],
                    admin: None,
                });
            }
            // Two scopes at once, one of them maybe inside the other.
            principals.push(Principal {
                user: "u".into(),
                roles: vec![
                    grant(Role::Leader, org),
                    grant(Role::Discipline, scopes[(n * 7 + 3) % scopes.len()]),
                ],
                admin: None,
            });
        }
        principals.push(Principal {
            user: "nobody".into(),
            roles: Vec::new(),
            admin: None,
        });
        for who in &principals {
            let r = ix.readable(who, &m);
            for e in &ix.entries {
                let p = &m.platforms()[e.platform];
                assert_eq!(
                    r.holds(e, p),
                    who.can(Permission::ReadOrg, Some(&p.org), &m),
                    "{} for {:?}",
                    p.code,
                    who.roles
                );
            }
        }
    }

    #[test]
    fn entries_are_in_registry_order_with_names_in_lower_case() {
        let m = model();
        let ix = RegistryIndex::of(&m);
        let mut want: Vec<&Platform> = m.platforms().iter().collect();
        let org_code = |p: &Platform| m.org(&p.org).map(|o| o.code.clone()).unwrap_or_default();
        want.sort_by_cached_key(|p| (org_code(p), p.code.clone()));
        let got: Vec<&str> = ix
            .entries
            .iter()
            .map(|e| m.platforms()[e.platform].code.as_str())
            .collect();
        let want: Vec<&str> = want.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(got, want);
        for e in &ix.entries {
            let p = &m.platforms()[e.platform];
            assert_eq!(e.name(p), p.name.to_lowercase());
            assert!(e.name(p).ends_with(" abc"));
        }
    }
}
