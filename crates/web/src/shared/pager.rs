//! Page navigation under a list: which page, how many, and the links to the neighbours.

use crate::shared::access::Refusal;
use crate::shared::i18n::Tr;
use crate::shared::urls::href_with;

/// The highest page number a list is asked for.
pub const PAGE_MAX: usize = 100_000;

/// The page asked for in the query (`page`, from 1; 1 when absent): a number from 1 to
/// [`PAGE_MAX`], else refused naming `page` with the message of `key` (`{value}` the input).
pub fn page_number(raw: Option<&str>, tr: Tr, key: &str) -> Result<usize, Refusal> {
    match raw {
        None => Ok(1),
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=PAGE_MAX).contains(n))
            .ok_or_else(|| Refusal::invalid(tr, "page", &tr.tf(key, &[("value", p)]))),
    }
}

/// Page navigation under a list.
pub struct Pager {
    /// This page, from 1.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// Rows in the whole list.
    pub total: usize,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    /// Page `page` of a list of `total` rows, `per_page` a page, at `path` with `params`.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(
        path: &str,
        params: &[(K, V)],
        page: usize,
        total: usize,
        per_page: usize,
        tr: Tr,
    ) -> Pager {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        let link = |n: usize| {
            let n = n.to_string();
            let mut p: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect();
            p.push(("page", &n));
            href_with(path, &p, tr)
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn several(&self) -> bool {
        self.pages > 1
    }
}
