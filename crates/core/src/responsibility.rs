//! Who was responsible (Art.3): duty → post or portfolio → the holding valid on the day,
//! with the chain of reasons. A vacant post is reported, and responsibility passes up to the
//! first responsible person, never silently skipped.

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
        /// Who the pack makes responsible.
        responsible: String,
    },
    /// The question was about a portfolio.
    Portfolio {
        /// Portfolio id.
        portfolio: String,
        /// Portfolio name.
        name: String,
    },
    /// The platform belongs to a portfolio.
    PlatformPortfolio {
        /// Platform.
        platform: NamedRef,
        /// Its portfolio id, if it has one.
        portfolio: Option<String>,
    },
    /// Art.3: the holder of this post is the first responsible person of the org.
    FirstResponsiblePost {
        /// Org.
        org: NamedRef,
        /// Post.
        post: NamedRef,
    },
    /// The org has this post.
    Post {
        /// Org.
        org: NamedRef,
        /// Post.
        post: NamedRef,
    },
    /// This post holds the portfolio (一岗双责).
    PortfolioHeldBy {
        /// Org.
        org: NamedRef,
        /// Portfolio id.
        portfolio: String,
        /// Post.
        post: NamedRef,
    },
    /// No post of the org holds what was needed.
    NoSuchPost {
        /// Org.
        org: NamedRef,
        /// What was looked for (post kind or portfolio id).
        wanted: String,
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

impl Reason {
    /// One line describing the reason.
    pub fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Reason::Duty {
                duty,
                title,
                citation,
                responsible,
            } => {
                let c = citation
                    .parse::<Citation>()
                    .map(|c| c.to_zh())
                    .unwrap_or_else(|_| citation.clone());
                if zh {
                    format!("职责 {duty}「{title}」（{c}）由 {responsible} 承担")
                } else {
                    format!("duty {duty} ({citation}) is borne by {responsible}")
                }
            }
            Reason::Portfolio { portfolio, name } => {
                if zh {
                    format!("分管领域 {portfolio}（{name}）")
                } else {
                    format!("portfolio {portfolio} ({name})")
                }
            }
            Reason::PlatformPortfolio {
                platform,
                portfolio,
            } => match (portfolio, zh) {
                (Some(p), true) => format!("平台「{}」属于分管领域 {p}", platform.name),
                (Some(p), false) => format!("platform {} belongs to portfolio {p}", platform.name),
                (None, true) => {
                    format!("平台「{}」未指定分管领域，由第一责任人负责", platform.name)
                }
                (None, false) => format!(
                    "platform {} has no portfolio: the first responsible person answers",
                    platform.name
                ),
            },
            Reason::FirstResponsiblePost { org, post } => {
                if zh {
                    format!("第三条：{}的{}是第一责任人", org.name, post.name)
                } else {
                    format!(
                        "Art.3: the {} of {} is the first responsible person",
                        post.name, org.name
                    )
                }
            }
            Reason::Post { org, post } => {
                if zh {
                    format!("{}设有职务「{}」", org.name, post.name)
                } else {
                    format!("{} has the post {}", org.name, post.name)
                }
            }
            Reason::PortfolioHeldBy {
                org,
                portfolio,
                post,
            } => {
                if zh {
                    format!(
                        "{}由「{}」分管 {portfolio}（一岗双责）",
                        org.name, post.name
                    )
                } else {
                    format!(
                        "in {}, portfolio {portfolio} is held by the post {} (dual responsibility)",
                        org.name, post.name
                    )
                }
            }
            Reason::NoSuchPost { org, wanted } => {
                if zh {
                    format!("{}没有承担 {wanted} 的职务", org.name)
                } else {
                    format!("{} has no post for {wanted}", org.name)
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
            chain.push(Reason::Duty {
                duty: duty.id.clone(),
                title: duty.title.clone(),
                citation: duty.citation().to_string(),
                responsible: match &duty.responsible {
                    Responsible::FirstResponsible => "first-responsible".into(),
                    Responsible::Post(p) => format!("post:{p}"),
                    Responsible::Portfolio(p) => format!("portfolio:{p}"),
                    Responsible::SubjectPortfolio => "portfolio:subject".into(),
                },
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
            chain.push(Reason::Portfolio {
                portfolio: p.to_string(),
                name: pack
                    .portfolio(p)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
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
            Some(h) => {
                let person = NamedRef {
                    id: h.person.clone(),
                    name: self
                        .model
                        .person(&h.person)
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| h.person.clone()),
                };
                chain.push(Reason::Holding {
                    post: post_ref.clone(),
                    person: person.clone(),
                    start: h.start,
                    end: h.end,
                });
                Some((person, post_ref))
            }
            None => {
                chain.push(Reason::Vacant { post: post_ref });
                None
            }
        }
    }

    /// The first responsible person of `org`, passing up the tree while the post is vacant.
    fn first_responsible(&mut self, org: &Org, chain: &mut Vec<Reason>) -> Found {
        let mut cur = Some(org);
        let mut hops = 0;
        while let Some(o) = cur {
            let kind = self.pack.first_responsible_kind(o.kind);
            let post = kind.and_then(|k| self.model.posts_of(&o.id).find(|p| p.kind == k.id));
            match post {
                Some(post) => {
                    chain.push(Reason::FirstResponsiblePost {
                        org: org_ref(o),
                        post: self.post_ref(post),
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
            .filter(|p| p.kind == kind)
            .collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        if posts.is_empty() {
            chain.push(Reason::NoSuchPost {
                org: org_ref(org),
                wanted: kind.to_string(),
            });
        }
        for post in posts {
            chain.push(Reason::Post {
                org: org_ref(org),
                post: self.post_ref(post),
            });
            if let Some(found) = self.holder(post, chain) {
                return Some(found);
            }
        }
        chain.push(Reason::PassesTo { org: org_ref(org) });
        self.first_responsible(org, chain)
    }

    fn portfolio(&mut self, org: &Org, portfolio: &str, chain: &mut Vec<Reason>) -> Found {
        let mut posts: Vec<&crate::org::Post> = self
            .model
            .posts_of(&org.id)
            .filter(|p| p.portfolios.iter().any(|x| x == portfolio))
            .collect();
        posts.sort_by(|a, b| a.id.cmp(&b.id));
        if posts.is_empty() {
            chain.push(Reason::NoSuchPost {
                org: org_ref(org),
                wanted: format!("portfolio:{portfolio}"),
            });
        }
        for post in posts {
            chain.push(Reason::PortfolioHeldBy {
                org: org_ref(org),
                portfolio: portfolio.to_string(),
                post: self.post_ref(post),
            });
            if let Some(found) = self.holder(post, chain) {
                return Some(found);
            }
        }
        chain.push(Reason::PassesTo { org: org_ref(org) });
        self.first_responsible(org, chain)
    }
}
