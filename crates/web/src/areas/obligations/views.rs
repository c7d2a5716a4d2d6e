//! Obligations as the API and the pages show them.

use super::*;

/// An org as obligations name it.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRef {
    /// Storage id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

impl OrgRef {
    pub(super) fn of(o: &Org) -> OrgRef {
        OrgRef {
            id: o.id.clone(),
            code: o.code.clone(),
            name: o.name.clone(),
        }
    }
}

/// What an obligation is about.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectRef {
    /// org, platform, person or event.
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// One obligation with its status and who is responsible.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Storage id.
    pub id: String,
    /// Stable key (duty/subject kind/subject/period).
    pub key: String,
    /// Duty id.
    pub duty: String,
    /// Duty title (Chinese).
    pub duty_title: String,
    /// Duty title (English).
    pub duty_title_en: String,
    /// upcoming, due_soon, overdue, done or waived.
    pub status: &'static str,
    /// Due date.
    pub due: String,
    /// `Art.4(2)`.
    pub citation: String,
    /// 第四条第（二）项.
    pub citation_zh: String,
    /// What it is about.
    pub subject: SubjectRef,
    /// The org that owes it.
    pub org: OrgRef,
    /// Period key.
    pub period: String,
    /// Policy version that requires it.
    pub policy: String,
    /// Day it was done.
    pub completed_on: Option<String>,
    /// No longer required (its subject closed, a holding corrected…): kept with its history,
    /// out of every list and count. Only an obligation asked for by id can be withdrawn.
    pub withdrawn: bool,
    /// Edit version (send it back with changes).
    pub version: i64,
    /// The person responsible on the due date (for an overdue one: when it fell due).
    pub responsible: Option<NamedRef>,
    /// The post through which they are responsible.
    pub responsible_post: Option<NamedRef>,
    /// The directly responsible post was vacant on the due date.
    pub responsible_vacant: bool,
    /// For an overdue obligation: the person responsible today.
    pub responsible_today: Option<NamedRef>,
    /// The handler (经办人) the responsible person or the secretary named, who keeps its records.
    pub handler: Option<NamedRef>,
    /// Its page.
    pub href: String,
    /// The article on the policy page.
    pub article_href: String,
}

impl Item {
    /// Duty title in the UI language.
    pub fn title(&self, tr: &Tr) -> &str {
        tr.lang().pick(&self.duty_title, &self.duty_title_en)
    }

    /// Citation in the UI language.
    pub fn cite(&self, tr: &Tr) -> &str {
        tr.lang().pick(&self.citation_zh, &self.citation)
    }

    /// Name of the person responsible today, when it differs (overdue obligations).
    pub fn today_name(&self) -> Option<&str> {
        match (&self.responsible_today, &self.responsible) {
            (Some(t), Some(r)) if t.id == r.id => None,
            (Some(t), _) => Some(t.name.as_str()),
            _ => None,
        }
    }
}

/// The policy versions obligations name: each obligation is read under the version it was
/// made under (any system), the snapshot's combined pack when that version is gone.
pub(super) struct Packs<'a> {
    current: &'a PolicyPack,
    set: &'a Policies,
}

impl<'a> Packs<'a> {
    pub(super) fn of_viewer(v: &'a Viewer) -> Packs<'a> {
        Packs {
            current: &v.snap.pack,
            set: &v.snap.set,
        }
    }

    pub(super) fn of(&self, id: &str) -> &'a PolicyPack {
        self.set.get(id).unwrap_or(self.current)
    }
}

/// Who was responsible for an obligation on `at`.
pub(super) fn answer_for(
    v: &Viewer,
    pack: &PolicyPack,
    o: &StoredObligation,
    at: NaiveDate,
) -> Option<Answer> {
    let m = &v.snap.model;
    let org = m.org(&o.org)?;
    let duty = pack.duty(&o.duty)?;
    let platform = o.platform_in(m);
    resolve(pack, m, org, Target::Duty { duty, platform }, at).ok()
}

/// Who was responsible for an obligation on a day, without the chain of reasons.
#[derive(Debug, Clone, Default)]
pub(super) struct Resp {
    pub(super) person: Option<NamedRef>,
    pub(super) post: Option<NamedRef>,
    pub(super) vacant: bool,
}

/// Answers remembered for one snapshot of the org model: an answer depends only on the
/// snapshot, the obligation (its policy version, duty, org and subject never change) and the day.
/// The weak reference keeps the snapshot's address from being reused while the entry lives.
pub(super) struct RespMemo {
    pub(super) snap: Weak<Snapshot>,
    pub(super) answers: HashMap<(String, NaiveDate), Resp>,
}

/// The application's responsibility answers, one memo per live snapshot (kept in the state).
#[derive(Default)]
pub(super) struct RespMemos(Mutex<Vec<RespMemo>>);
/// Answers kept per snapshot before the memo starts afresh.
pub(super) const RESP_MEMO_MAX: usize = 200_000;

/// The answers for `asks` (obligation, day), from the memo or resolved and remembered.
pub(super) fn responsible_many(
    state: &AppState,
    v: &Viewer,
    packs: &Packs<'_>,
    asks: &[(&StoredObligation, NaiveDate)],
) -> Vec<Resp> {
    let memos = state.cache::<RespMemos>();
    let mut out: Vec<Option<Resp>> = vec![None; asks.len()];
    {
        let mut memo = memos.0.lock().unwrap_or_else(|e| e.into_inner());
        memo.retain(|m| m.snap.strong_count() > 0);
        if let Some(m) = memo
            .iter()
            .find(|m| std::ptr::eq(m.snap.as_ptr(), Arc::as_ptr(&v.snap)))
        {
            for (slot, (o, day)) in out.iter_mut().zip(asks) {
                *slot = m.answers.get(&(o.id.clone(), *day)).cloned();
            }
        }
    }
    let mut fresh = Vec::new();
    for (slot, (o, day)) in out.iter_mut().zip(asks) {
        if slot.is_none() {
            let r = answer_for(v, packs.of(&o.policy), o, *day)
                .map(|a| Resp {
                    person: a.person,
                    post: a.post,
                    vacant: a.vacant,
                })
                .unwrap_or_default();
            fresh.push(((o.id.clone(), *day), r.clone()));
            *slot = Some(r);
        }
    }
    if !fresh.is_empty() {
        let mut memo = memos.0.lock().unwrap_or_else(|e| e.into_inner());
        let i = match memo
            .iter()
            .position(|m| std::ptr::eq(m.snap.as_ptr(), Arc::as_ptr(&v.snap)))
        {
            Some(i) => i,
            None => {
                memo.push(RespMemo {
                    snap: Arc::downgrade(&v.snap),
                    answers: HashMap::new(),
                });
                memo.len() - 1
            }
        };
        let answers = &mut memo[i].answers;
        if answers.len() + fresh.len() > RESP_MEMO_MAX {
            answers.clear();
        }
        answers.extend(fresh);
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

pub(super) fn item(
    v: &Viewer,
    packs: &Packs<'_>,
    clock: StatusClock,
    o: &StoredObligation,
    at_due: Resp,
    today: Option<Resp>,
) -> Item {
    let m = &v.snap.model;
    let pack = packs.of(&o.policy);
    let duty = pack.duty(&o.duty);
    let status = o.status(clock);
    let citation: Option<Citation> = o.citation.parse().ok();
    let org = m.org(&o.org);
    let subject_name = match o.subject_kind.as_str() {
        "org" => m.org(&o.subject).map(|x| x.name.clone()),
        "platform" => m.find_platform(&o.subject).map(|x| x.name.clone()),
        "person" => m.person(&o.subject).map(|x| x.name.clone()),
        _ => None,
    }
    .unwrap_or_else(|| o.subject.clone());
    let today = today.and_then(|a| a.person);
    Item {
        id: o.id.clone(),
        key: o.key.clone(),
        duty: o.duty.clone(),
        duty_title: duty
            .map(|d| d.title.clone())
            .unwrap_or_else(|| o.duty.clone()),
        duty_title_en: duty
            .map(|d| d.title_en.clone())
            .unwrap_or_else(|| o.duty.clone()),
        status: status.as_str(),
        due: date(o.due),
        citation: o.citation.clone(),
        citation_zh: citation
            .map(|c| c.to_zh())
            .unwrap_or_else(|| o.citation.clone()),
        subject: SubjectRef {
            kind: o.subject_kind.clone(),
            id: o.subject.clone(),
            name: subject_name,
        },
        org: org.map(OrgRef::of).unwrap_or_else(|| OrgRef {
            id: o.org.clone(),
            code: o.org.clone(),
            name: o.org.clone(),
        }),
        period: o.period.clone(),
        policy: o.policy.clone(),
        completed_on: o.completed_on.map(date),
        withdrawn: o.withdrawn(),
        version: o.version,
        responsible_vacant: at_due.vacant,
        responsible_post: at_due.post,
        responsible: at_due.person,
        responsible_today: today,
        handler: o.handler.as_ref().map(|id| NamedRef {
            id: id.clone(),
            name: person_name(&v.snap.model, id),
        }),
        href: format!("/obligations/{}{}", encode(&o.id), v.tr.qs()),
        article_href: article_href(&o.policy, citation, v.tr),
    }
}

pub(super) async fn items(
    state: &AppState,
    v: &Viewer,
    clock: StatusClock,
    rows: &[&StoredObligation],
) -> Vec<Item> {
    let packs = Packs::of_viewer(v);
    // The day each is asked about: the due date, and today for the overdue ones.
    let overdue: Vec<bool> = rows
        .iter()
        .map(|o| o.status(clock) == ObligationStatus::Overdue)
        .collect();
    let mut asks: Vec<(&StoredObligation, NaiveDate)> = rows.iter().map(|o| (*o, o.due)).collect();
    asks.extend(
        rows.iter()
            .zip(&overdue)
            .filter(|(_, od)| **od)
            .map(|(o, _)| (*o, clock.today)),
    );
    let mut answers = responsible_many(state, v, &packs, &asks).into_iter();
    let at_due: Vec<Resp> = answers.by_ref().take(rows.len()).collect();
    rows.iter()
        .zip(at_due)
        .zip(&overdue)
        .map(|((o, due), od)| {
            let today = if *od { answers.next() } else { None };
            item(v, &packs, clock, o, due, today)
        })
        .collect()
}

/// An obligation by id or key, if the viewer may read its org.
pub(super) async fn find_item_row(
    state: &AppState,
    v: &Viewer,
    id: &str,
) -> Result<StoredObligation, Refusal> {
    let tr = v.tr;
    match state.db.obligation(id.trim()).await {
        Ok(o) if visible(v, &o.org) => Ok(o),
        Ok(_) => Err(not_found(tr, id)),
        Err(e) => Err(storage_refusal(tr, e, id)),
    }
}
