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
