//! Article citations: `Art.4(6)` ↔ 第四条第（六）项.

use std::fmt;
use std::str::FromStr;

/// A reference to an article, or to one numbered item of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Citation {
    /// Article number, from 1.
    pub article: u32,
    /// Item number within the article (第（k）项), from 1.
    pub item: Option<u32>,
}

/// Why a citation could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a citation: `{0}` (expected Art.N or Art.N(k), or 第N条第（k）项)")]
pub struct CitationError(pub String);

impl Citation {
    /// A citation of a whole article.
    pub fn article(article: u32) -> Self {
        Citation {
            article,
            item: None,
        }
    }

    /// A citation of one item of an article.
    pub fn item(article: u32, item: u32) -> Self {
        Citation {
            article,
            item: Some(item),
        }
    }

    /// The Chinese citation form: 第四条 or 第四条第（六）项.
    pub fn to_zh(&self) -> String {
        let mut s = format!("第{}条", chinese_number(self.article));
        if let Some(item) = self.item {
            s.push_str(&format!("第（{}）项", chinese_number(item)));
        }
        s
    }

    /// The citation of the whole article this one belongs to.
    pub fn whole_article(&self) -> Citation {
        Citation::article(self.article)
    }
}

impl fmt::Display for Citation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(item) => write!(f, "Art.{}({})", self.article, item),
            None => write!(f, "Art.{}", self.article),
        }
    }
}

impl FromStr for Citation {
    type Err = CitationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let err = || CitationError(s.to_string());
        if let Some(rest) = t.strip_prefix("Art.") {
            let (num, item) = match rest.split_once('(') {
                Some((n, tail)) => {
                    let k = tail.strip_suffix(')').ok_or_else(err)?;
                    (n, Some(parse_positive(k).ok_or_else(err)?))
                }
                None => (rest, None),
            };
            let article = parse_positive(num).ok_or_else(err)?;
            return Ok(Citation { article, item });
        }
        if let Some(rest) = t.strip_prefix('第') {
            let (num, tail) = rest.split_once('条').ok_or_else(err)?;
            let article = parse_chinese_number(num).ok_or_else(err)?;
            if tail.is_empty() {
                return Ok(Citation::article(article));
            }
            let inner = tail
                .strip_prefix("第（")
                .or_else(|| tail.strip_prefix("第("))
                .ok_or_else(err)?;
            let inner = inner
                .strip_suffix("）项")
                .or_else(|| inner.strip_suffix(")项"))
                .ok_or_else(err)?;
            let item = parse_chinese_number(inner).ok_or_else(err)?;
            return Ok(Citation::item(article, item));
        }
        Err(err())
    }
}

fn parse_positive(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|n| *n > 0)
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Chinese numeral for 1..=999 as used in article numbering (十一, 二十, 一百零一).
pub fn chinese_number(n: u32) -> String {
    if n == 0 || n > 999 {
        return n.to_string();
    }
    let (h, t, u) = (n / 100, (n / 10) % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push(DIGITS[h as usize]);
        s.push('百');
        if t == 0 && u != 0 {
            s.push('零');
        }
    }
    if t > 0 {
        if !(t == 1 && h == 0) {
            s.push(DIGITS[t as usize]);
        }
        s.push('十');
    }
    if u > 0 {
        s.push(DIGITS[u as usize]);
    }
    s
}

/// Reads a Chinese numeral (1..=999) as written by [`chinese_number`].
pub fn parse_chinese_number(s: &str) -> Option<u32> {
    (1..=999).find(|n| chinese_number(*n) == s)
}

impl serde::Serialize for Citation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_and_writes_both_forms() {
        let c: Citation = "Art.4(6)".parse().unwrap();
        assert_eq!(c, Citation::item(4, 6));
        assert_eq!(c.to_string(), "Art.4(6)");
        assert_eq!(c.to_zh(), "第四条第（六）项");
        assert_eq!("第四条第（六）项".parse::<Citation>().unwrap(), c);
        assert_eq!("第七条".parse::<Citation>().unwrap(), Citation::article(7));
        assert_eq!(Citation::item(5, 9).to_zh(), "第五条第（九）项");
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "Art.",
            "Art.0",
            "Art.4(",
            "Art.4()",
            "Art.4(x)",
            "4(6)",
            "第条",
            "第四条第六项",
            "Art.-1",
        ] {
            assert!(bad.parse::<Citation>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(11), "十一");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
    }

    proptest! {
        #[test]
        fn round_trips(article in 1u32..200, item in proptest::option::of(1u32..50)) {
            let c = Citation { article, item };
            prop_assert_eq!(c.to_string().parse::<Citation>().unwrap(), c);
            prop_assert_eq!(c.to_zh().parse::<Citation>().unwrap(), c);
        }
    }
}
