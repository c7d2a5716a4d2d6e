//! Charts drawn as SVG (rendered by `dashboard_chart.html`): rectangles that link to the list
//! behind them, and texts.

/// A rectangle of a chart, a link when `href` is set.
pub struct Bar {
    /// Left.
    pub x: String,
    /// Top.
    pub y: String,
    /// Width.
    pub w: String,
    /// Height.
    pub h: String,
    /// CSS class (its fill).
    pub class: String,
    /// Drill-down link.
    pub href: String,
    /// Tooltip.
    pub title: String,
}

/// A text of a chart.
pub struct Text {
    /// Anchor x.
    pub x: String,
    /// Baseline y.
    pub y: String,
    /// The text.
    pub text: String,
    /// start, middle or end.
    pub anchor: &'static str,
    /// CSS class.
    pub class: &'static str,
    /// Link, if any.
    pub href: Option<String>,
    /// SVG transform, if any.
    pub transform: Option<String>,
    /// Tooltip (the full text of a shortened label).
    pub title: Option<String>,
}

/// A chart: its size, rectangles and texts.
pub struct Chart {
    /// Width of the view box.
    pub width: String,
    /// Height of the view box.
    pub height: String,
    /// Rectangles.
    pub bars: Vec<Bar>,
    /// Texts.
    pub texts: Vec<Text>,
}

pub fn n1(x: f64) -> String {
    format!("{:.1}", x)
}

impl Text {
    pub fn new(
        x: f64,
        y: f64,
        text: impl Into<String>,
        anchor: &'static str,
        class: &'static str,
    ) -> Text {
        Text {
            x: n1(x),
            y: n1(y),
            text: text.into(),
            anchor,
            class,
            href: None,
            transform: None,
            title: None,
        }
    }

    pub fn link(mut self, href: String) -> Text {
        self.href = Some(href);
        self
    }
}

/// A label cut to `n` characters, with the full text when cut.
pub fn short(s: &str, n: usize) -> (String, Option<String>) {
    if s.chars().count() <= n {
        (s.to_string(), None)
    } else {
        (
            format!(
                "{}…",
                s.chars().take(n.saturating_sub(1)).collect::<String>()
            ),
            Some(s.to_string()),
        )
    }
}

/// A bar per (label, count, link), `w` wide, as high as the largest count allows; labels cut to
/// what the width holds.
pub fn columns(items: &[(String, i64, String)], class: &str, w: f64) -> Chart {
    let (h, top, base) = (180.0, 18.0, 150.0);
    let max = items.iter().map(|(_, n, _)| *n).max().unwrap_or(0).max(1) as f64;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (k, (label, n, href)) in items.iter().enumerate() {
        let x = 8.0 + k as f64 * w;
        let bh = (base - top) * *n as f64 / max;
        bars.push(Bar {
            x: n1(x + 6.0),
            y: n1(base - bh),
            w: n1(w - 12.0),
            h: n1(bh),
            class: class.to_string(),
            href: href.clone(),
            title: format!("{label}：{n}"),
        });
        texts.push(Text::new(
            x + w / 2.0,
            base - bh - 4.0,
            n.to_string(),
            "middle",
            "chart-n",
        ));
        let (text, full) = short(label, (w / 12.0) as usize);
        let mut t =
            Text::new(x + w / 2.0, base + 16.0, text, "middle", "chart-label").link(href.clone());
        t.title = full;
        texts.push(t);
    }
    Chart {
        width: n1(16.0 + items.len().max(1) as f64 * w),
        height: n1(h),
        bars,
        texts,
    }
}
