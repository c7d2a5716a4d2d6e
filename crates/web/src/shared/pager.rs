//! Page navigation under a list: which page, how many, and the links to the neighbours.

use crate::shared::i18n::Tr;
use crate::shared::urls::href_with;

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
