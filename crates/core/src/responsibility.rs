//! Who was responsible (Art.3): duty → post or portfolio → the holding valid on the day,
//! with the chain of reasons. A vacant post is reported, and responsibility passes up to the
//! first responsible person, never silently skipped. A post closed before the day does not
//! exist on it: the org has no such post that day (not a vacant one), and the duty passes up
//! the same way; on its closing day and before, it answers as it did.

use crate::citation::Citation;
use crate::lang::Lang;
use crate::org::{Org, OrgModel, Platform};
use crate::policy::{Duty, PolicyPack, Responsible, Subject};
use chrono::NaiveDate;
use serde::Serialize;

/// What the question is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A duty of the pack, for an org (or one of its platforms).
    Duty {
        /// The duty.
        duty: &'a Duty,
        /// The platform, for platform duties.
        platform: Option<&'a Platform>,
    },
    /// A portfolio (分管领域) of the org.
    Portfolio(&'a str),
}

/// The answer: the person, the post, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The org asked about.
    pub org: NamedRef,
    /// The day asked about.
    pub at: NaiveDate,
    /// The responsible person, if anyone holds a post up the chain.
    pub person: Option<NamedRef>,
    /// The post through which they are responsible.
    pub post: Option<NamedRef>,
    /// True when the directly responsible post was vacant and the answer passed up the chain.
    pub vacant: bool,
    /// The first responsible person of the org on that day (Art.3), when different from `person`.
    pub first_responsible: Option<NamedRef>,
    /// The chain of reasons, in order.
    pub chain: Vec<Reason>,
}

/// An id with a display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRef {
    /// Storage id.
    pub id: String,
    /// Name or code shown to users.
    pub name: String,
}

/// One link in the chain of reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// The duty is assigned by an article to a post or portfolio.
    Duty {
        /// Duty id.
        duty: String,
        /// Duty title.
        title: String,
        /// Its primary citation.
        citation: String,
        /// Who the pack makes responsible (`first-responsible`, `portfolio:publicity`, …).
        responsible: String,
        /// The same, in Chinese words.
        responsible_name: String,
        /// The same, in English words.
        responsible_name_en: String,
        /// Duty title in English.
        title_en: String,
    },
    /// The question was about a portfolio.
    Portfolio {
        /// Portfolio id.
        portfolio: String,
        /// Portfolio name.
        name: String,
        /// Portfolio name in English.
        name_en: String,
    },
    /// The platform belongs to a portfolio.
    PlatformPortfolio {
        /// Platform.
        platform: NamedRef,
        /// Its portfolio id, if it has one.
        portfolio: Option<String>,
        /// The portfolio's names (zh, en).
        portfolio_name: Option<(String, String)>,
    },
    /// The holder of this post is the first responsible person of the org, by the article
    /// the pack names for the post kind (Art.3 in the seed).
    FirstResponsiblePost {
        /// Org.
        org: NamedRef,
        /// Post.
        post: NamedRef,
        /// The article that establishes it (`established_by` of the post kind), if the pack
        /// names one.
        #[serde(skip_serializing_if = "Option::is_none")]
        citation: Option<String>,
    },
    /// The org has this post.
    Post {
        /// Org.
        org: NamedRef,
        /// Post.
        post: NamedRef,
        /// The article that establishes the post's responsibility (`established_by` of its
        /// kind), if the pack names one.
        #[serde(skip_serializing_if = "Option::is_none")]
        citation: Option<String>,
    },
    /// This post holds the portfolio (一岗双责).
    PortfolioHeldBy {
        /// Org.
        org: NamedRef,
        /// Portfolio id.
        portfolio: String,
        /// The portfolio's names (zh, en).
        portfolio_name: (String, String),
        /// Post.
        post: NamedRef,
        /// The article that establishes the portfolio's responsibility (`established_by`), if
        /// the pack names one.
        #[serde(skip_serializing_if = "Option::is_none")]
        citation: Option<String>,
    },
    /// No post of the org holds what was needed.
    NoSuchPost {
        /// Org.
        org: NamedRef,
        /// What was looked for (post kind or portfolio id).
        wanted: String,
        /// The same in words (zh, en).
        wanted_name: (String, String),
    },
    /// The holding valid on the day.
    Holding {
        /// Post.
        post: NamedRef,
        /// Person.
        person: NamedRef,
        /// First day held.
        start: NaiveDate,
        /// Last day held, if ended.
        end: Option<NaiveDate>,
    },
    /// Nobody held the post on the day.
    Vacant {
        /// Post.
        post: NamedRef,
    },
    /// Responsibility passes up to the first responsible person of this org.
    PassesTo {
        /// Org.
        org: NamedRef,
    },
}

/// "第三条：" / "Art.3: " before a reason the pack cites an article for; nothing otherwise.
fn cited_by(citation: Option<&str>, zh: bool) -> String {
    match citation {
        Some(c) if zh => format!(
            "{}：",
            c.parse::<Citation>()
                .map(|c| c.to_zh())
                .unwrap_or_else(|_| c.to_string())
        ),
        Some(c) => format!("{c}: "),
        None => String::new(),
    }
}

impl Reason {
    /// One line describing the reason.
    pub fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Reason::Duty {
                title,
                title_en,
                citation,
                responsible_name,
                responsible_name_en,
                ..
            } => {
                let c = citation
                    .parse::<Citation>()
                    .map(|c| c.to_zh())
                    .unwrap_or_else(|_| citation.clone());
                if zh {
                    format!("{c}规定「{title}」由{responsible_name}负责")
                } else {
                    format!(
                        "{citation} makes the {responsible_name_en} responsible for “{title_en}”"
                    )
                }
            }
            Reason::Portfolio { name, name_en, .. } => {
                if zh {
                    format!("分管领域：{name}")
                } else {
                    format!("portfolio: {name_en}")
                }
            }
            Reason::PlatformPortfolio {
                platform,
                portfolio_name,
                ..
            } => match (portfolio_name, zh) {
                (Some((p, _)), true) => format!("平台「{}」归口分管领域「{p}」", platform.name),
                (Some((_, p)), false) => {
                    format!("platform {} belongs to the portfolio {p}", platform.name)
                }
                (None, true) => {
                    format!("平台「{}」未指定分管领域，由第一责任人负责", platform.name)
                }
                (None, false) => format!(
                    "platform {} has no portfolio: the first responsible person answers",
                    platform.name
                ),
            },
            Reason::FirstResponsiblePost {
                org,
                post,
                citation,
            } => {
                let by = cited_by(citation.as_deref(), zh);
                if zh {
                    format!("{by}{}的{}是第一责任人", org.name, post.name)
                } else {
                    format!(
                        "{by}the {} of {} is the first responsible person",
                        post.name, org.name
                    )
                }
            }
            Reason::Post {
                org,
                post,
                citation,
            } => {
                let by = cited_by(citation.as_deref(), zh);
                if zh {
                    format!("{by}{}设有职务「{}」", org.name, post.name)
                } else {
                    format!("{by}{} has the post {}", org.name, post.name)
                }
            }
            Reason::PortfolioHeldBy {
                org,
                portfolio_name,
                post,
                citation,
                ..
            } => {
                let by = cited_by(citation.as_deref(), zh);
                if zh {
                    format!(
                        "{by}{}的「{}」分管{}（一岗双责）",
                        org.name, post.name, portfolio_name.0
                    )
                } else {
                    format!(
                        "{by}in {}, the post {} holds the portfolio {} (dual responsibility)",
                        org.name, post.name, portfolio_name.1
                    )
                }
            }
            Reason::NoSuchPost {
                org, wanted_name, ..
            } => {
                if zh {
                    format!("{}没有{}的职务", org.name, wanted_name.0)
                } else {
                    format!("{} has no post for {}", org.name, wanted_name.1)
                }
            }
            Reason::Holding {
                post,
                person,
                start,
                end,
            } => {
                let until = end.map(|e| e.to_string());
                match (zh, until) {
                    (true, Some(e)) => {
                        format!("{} 于 {start} 至 {e} 任「{}」", person.name, post.name)
                    }
                    (true, None) => format!("{} 自 {start} 起任「{}」", person.name, post.name),
                    (false, Some(e)) => {
                        format!("{} held {} from {start} to {e}", person.name, post.name)
                    }
                    (false, None) => format!("{} holds {} since {start}", person.name, post.name),
                }
            }
            Reason::Vacant { post } => {
                if zh {
                    format!("当日「{}」空缺", post.name)
                } else {
                    format!("the post {} was vacant that day", post.name)
                }
            }
            Reason::PassesTo { org } => {
                if zh {
                    format!("责任上移至{}的第一责任人", org.name)
                } else {
                    format!(
                        "responsibility passes to the first responsible person of {}",
                        org.name
                    )
                }
            }
        }
    }
}

/// Why a question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The duty does not apply to this kind of org.
    #[error("duty `{duty}` applies to {expected}, not to `{org}` ({kind})")]
    DutyNotForOrg {
        /// Duty id.
        duty: String,
        /// Org code.
        org: String,
        /// Org kind.
        kind: String,
        /// What it applies to.
        expected: String,
    },
    /// A platform duty asked without naming the platform.
    #[error(
        "duty `{duty}` is owed per platform: name one with --platform (platforms of `{org}`: {platforms})"
    )]
    PlatformNeeded {
        /// Duty id.
        duty: String,
        /// Org code.
        org: String,
        /// Codes of the org's platforms.
        platforms: String,
    },
    /// The platform is not owned by the org.
    #[error("platform `{platform}` does not belong to `{org}`")]
    PlatformNotInOrg {
        /// Platform code.
        platform: String,
        /// Org code.
        org: String,
    },
}

fn portfolio_names(pack: &PolicyPack, id: &str) -> (String, String) {
    pack.portfolio(id)
        .map(|p| (p.name.clone(), p.name_en.clone()))
        .unwrap_or_else(|| (id.to_string(), id.to_string()))
}

fn org_ref(o: &Org) -> NamedRef {
    NamedRef {
        id: o.id.clone(),
        name: format!("{}（{}）", o.name, o.code),
    }
}

/// Answers "who was responsible for `target` in `org` on `at`".
pub fn resolve(
    pack: &PolicyPack,
    model: &OrgModel,
    org: &Org,
    target: Target<'_>,
    at: NaiveDate,
) -> Result<Answer, ResolveError> {
    let mut chain = Vec::new();
    let mut r = Resolver { pack, model, at };
    let found = match target {
        Target::Duty { duty, platform } => {
            check_applies(model, org, duty, platform)?;
            let (responsible, responsible_name, responsible_name_en) = match &duty.responsible {
                Responsible::FirstResponsible => (
                    "first-responsible".into(),
                    "第一责任人".into(),
                    "first responsible person".into(),
                ),
                Responsible::Post(p) => {
                    let k = pack.post_kind(p);
                    (
                        format!("post:{p}"),
                        k.map(|k| k.name.clone()).unwrap_or_else(|| p.clone()),
                        k.map(|k| k.name_en.clone()).unwrap_or_else(|| p.clone()),
                    )
                }
                Responsible::Portfolio(p) => {
                    let (zh, en) = portfolio_names(pack, p);
                    (
                        format!("portfolio:{p}"),
                        format!("分管{zh}的班子成员"),
                        format!("leadership member in charge of {en}"),
                    )
                }
                Responsible::SubjectPortfolio => (
                    "portfolio:subject".into(),
                    "平台归口分管的班子成员".into(),
                    "leadership member in charge of the platform's portfolio".into(),
                ),
            };
            chain.push(Reason::Duty {
                duty: duty.id.clone(),
                title: duty.title.clone(),
                title_en: duty.title_en.clone(),
                citation: duty.citation().to_string(),
                responsible,
                responsible_name,
                responsible_name_en,
            });
            match &duty.responsible {
                Responsible::FirstResponsible => r.first_responsible(org, &mut chain),
                Responsible::Post(kind) => r.post_kind(org, kind, &mut chain),
                Responsible::Portfolio(p) => r.portfolio(org, p, &mut chain),
                Responsible::SubjectPortfolio => {
                    let portfolio = platform.and_then(|p| p.portfolio.clone());
                    if let Some(p) = platform {
                        chain.push(Reason::PlatformPortfolio {
                            platform: NamedRef {
                                id: p.id.clone(),
                                name: p.name.clone(),
                            },
                            portfolio_name: portfolio.as_deref().map(|x| portfolio_names(pack, x)),
                            portfolio: portfolio.clone(),
                        });
                    }
                    match portfolio {
                        Some(p) => r.portfolio(org, &p, &mut chain),
                        None => r.first_responsible(org, &mut chain),
                    }
                }
            }
        }
        Target::Portfolio(p) => {
            let (name, name_en) = portfolio_names(pack, p);
            chain.push(Reason::Portfolio {
                portfolio: p.to_string(),
                name,
                name_en,
            });
            r.portfolio(org, p, &mut chain)
        }
    };
    let vacant = chain
        .iter()
        .any(|c| matches!(c, Reason::Vacant { .. } | Reason::NoSuchPost { .. }));
    let first = r.first_responsible(org, &mut Vec::new());
    let first_responsible = match (&found, first) {
        (Some((p, _)), Some((fp, _))) if p.id == fp.id => None,
        (_, f) => f.map(|(p, _)| p),
    };
    let (person, post) = match found {
        Some((person, post)) => (Some(person), Some(post)),
        None => (None, None),
    };
    Ok(Answer {
        org: org_ref(org),
        at,
        person,
        post,
        vacant,
        first_responsible,
        chain,
    })
}

fn check_applies(
    model: &OrgModel,
    org: &Org,
    duty: &Duty,
    platform: Option<&Platform>,
) -> Result<(), ResolveError> {
    match &duty.subject {
        Subject::Org { org_kinds } if !org_kinds.contains(&org.kind) => {
            Err(ResolveError::DutyNotForOrg {
                duty: duty.id.clone(),
                org: org.code.clone(),
                kind: org.kind.to_string(),
                expected: org_kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        Subject::Platform { .. } => match platform {
            None => Err(ResolveError::PlatformNeeded {
                duty: duty.id.clone(),
                org: org.code.clone(),
                platforms: {
                    let codes: Vec<&str> = model
                        .platforms_of(&org.id)
                        .map(|p| p.code.as_str())
                        .collect();
                    if codes.is_empty() {
                        "none".into()
                    } else {
                        codes.join(", ")
                    }
                },
            }),
            Some(p) if p.org != org.id => Err(ResolveError::PlatformNotInOrg {
                platform: p.code.clone(),
                org: org.code.clone(),
            }),
            Some(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

struct Resolver<'a> {
    pack: &'a PolicyPack,
    model: &'a OrgModel,
    at: NaiveDate,
}

type Found = Option<(NamedRef, NamedRef)>;

impl Resolver<'_> {
    fn post_ref(&self, post: &crate::org::Post) -> NamedRef {
        NamedRef {
            id: post.id.clone(),
            name: post.title.clone(),
        }
    }

    /// The holder of `post` on the day, or a vacancy noted in the chain.
    fn holder(&self, post: &crate::org::Post, chain: &mut Vec<Reason>) -> Found {
        let post_ref = self.post_ref(post);
        match self.model.holders_on(&post.id, self.at).first() {
            Some(h) => Some(self.held(post_ref, h, chain)),
            None => {
                chain.push(Reason::Vacant { post: post_ref });
                None
            }
        }
    }

    /// The holder of a holding found for a duty, with the reason.
    fn held(
        &self,
        post: NamedRef,
        h: &crate::org::Holding,
        chain: &mut Vec<Reason>,
    ) -> (NamedRef, NamedRef) {
        let person = NamedRef {
            id: h.person.clone(),
            name: self
                .model
                .person(&h.person)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| h.person.clone()),
        };
        chain.push(Reason::Holding {
            post: post.clone(),
            person: person.clone(),
            start: h.start,
            end: h.end,
        });
        (person, post)
    }

    /// The first responsible person of `org`, passing up the tree while the post is vacant.
    fn first_responsible(&mut self, org: &Org, chain: &mut Vec<Reason>) -> Found {
        let mut cur = Some(org);
        let mut hops = 0;
        while let Some(o) = cur {
            let kind = self.pack.first_responsible_kind(o.kind);
            let post = kind.and_then(|k| {
                self.model
                    .posts_of(&o.id)
                    .find(|p| p.kind == k.id && p.open_on(self.at))
            });
            match post {
                Some(post) => {
                    chain.push(Reason::FirstResponsiblePost {
                        org: org_ref(o),
                        post: self.post_ref(post),
                        citation: kind.and_then(|k| k.established_by).map(|c| c.to_string()),
                    });
                    if let Some(found) = self.holder(post, chain) {
                        return Some(found);
                    }
                }
                None => chain.push(Reason::NoSuchPost {
                    org: org_ref(o),
                    wanted: kind
                        .map(|k| k.id.clone())
                        .unwrap_or_else(|| "first-responsible".into()),
                    wanted_name: kind
                        .map(|k| (k.name.clone(), k.name_en.clone()))
                        .unwrap_or_else(|| {
                            ("第一责任人".into(), "first responsible person".into())
                        }),
                }),
            }
            cur = self.model.parent(o);
            hops += 1;
            if let Some(parent) = cur {
                if hops > self.model.orgs().len() {
                    return None;
                }
                chain.push(Reason::PassesTo {
                    org: org_ref(parent),
                });
            }
        }
        None
    }

    fn post_kind(&mut self, org: &Org, kind: &str, chain: &mut Vec<Reason>) -> Found {
        let mut posts: Vec<&crate::org::Post> = self
            .model
            .posts_of(&org.id)
            .filter(|p| p.kind == kind && p.open_on(self.at))
            .collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        if posts.is_empty() {
            let wanted_name = self
                .pack
                .post_kind(kind)
                .map(|k| (k.name.clone(), k.name_en.clone()))
                .unwrap_or_else(|| (kind.to_string(), kind.to_string()));
            chain.push(Reason::NoSuchPost {
                org: org_ref(org),
                wanted: kind.to_string(),
                wanted_name,
            });
        }
        for post in posts {
            chain.push(Reason::Post {
                org: org_ref(org),
                post: self.post_ref(post),
                citation: self
                    .pack
                    .post_kind(kind)
                    .and_then(|k| k.established_by)
                    .map(|c| c.to_string()),
            });
            if let Some(found) = self.holder(post, chain) {
                return Some(found);
            }
        }
        chain.push(Reason::PassesTo { org: org_ref(org) });
        self.first_responsible(org, chain)
    }

    /// The leader holding `portfolio` in `org` on the day, through the assignment in force
    /// (一岗双责 with dates); with none, the duty passes to the first responsible person.
    fn portfolio(&mut self, org: &Org, portfolio: &str, chain: &mut Vec<Reason>) -> Found {
        let (zh, en) = portfolio_names(self.pack, portfolio);
        let citation = self
            .pack
            .portfolio(portfolio)
            .and_then(|p| p.established_by)
            .map(|c| c.to_string());
        let held = self.model.portfolio_holders_on(&org.id, portfolio, self.at);
        if let Some((post, h, _)) = held.first() {
            let post_ref = self.post_ref(post);
            chain.push(Reason::PortfolioHeldBy {
                org: org_ref(org),
                portfolio: portfolio.to_string(),
                portfolio_name: (zh, en),
                post: post_ref.clone(),
                citation,
            });
            return Some(self.held(post_ref, h, chain));
        }
        // The post whose holder held it last, when it is vacant now: say so, as for a duty of a
        // vacant post (a post with a holder who was not given the portfolio is not vacant).
        let last = self
            .model
            .posts_of(&org.id)
            .filter(|post| post.open_on(self.at))
            .filter_map(|post| {
                self.model
                    .holdings_of(&post.id)
                    .flat_map(|h| self.model.assignments_of(&h.id))
                    .filter(|a| a.portfolio == portfolio && a.start <= self.at)
                    .map(|a| a.end.unwrap_or(NaiveDate::MAX))
                    .max()
                    .map(|end| (end, post))
            });
        if let Some((_, post)) = last.max_by(|a, b| a.0.cmp(&b.0).then(b.1.id.cmp(&a.1.id)))
            && self.model.holders_on(&post.id, self.at).is_empty()
        {
            chain.push(Reason::PortfolioHeldBy {
                org: org_ref(org),
                portfolio: portfolio.to_string(),
                portfolio_name: (zh, en),
                post: self.post_ref(post),
                citation,
            });
            chain.push(Reason::Vacant {
                post: self.post_ref(post),
            });
            chain.push(Reason::PassesTo { org: org_ref(org) });
            return self.first_responsible(org, chain);
        }
        chain.push(Reason::NoSuchPost {
            org: org_ref(org),
            wanted: format!("portfolio:{portfolio}"),
            wanted_name: (format!("分管{zh}"), format!("the portfolio {en}")),
        });
        chain.push(Reason::PassesTo { org: org_ref(org) });
        self.first_responsible(org, chain)
    }
}
