//! Charts, drawn as SVG.

use super::*;
pub(super) use crate::shared::charts::{Bar, Chart, Text, n1, short};

/// The status order of stacked bars: done first, then waived, overdue, due soon, upcoming.
pub(super) const STACK: [ObligationStatus; 5] = [
    ObligationStatus::Done,
    ObligationStatus::Waived,
    ObligationStatus::Overdue,
    ObligationStatus::DueSoon,
    ObligationStatus::Upcoming,
];

/// The completion bar: one stacked bar of the whole subtree by status.
pub(super) fn completion_chart(d: &Dashboard, org: &Org, tr: Tr) -> Chart {
    let width = 600.0;
    let counts = StatusCounts {
        total: d.total,
        upcoming: d.upcoming,
        due_soon: d.due_soon,
        overdue: d.overdue,
        done: d.done,
        waived: d.waived,
    };
    let mut bars = Vec::new();
    let mut x = 0.0;
    for s in STACK {
        let n = counts.get(s);
        if n == 0 || d.total == 0 {
            continue;
        }
        let w = width * n as f64 / d.total as f64;
        bars.push(Bar {
            x: n1(x),
            y: "0.0".into(),
            w: n1(w),
            h: "28.0".into(),
            class: format!("seg seg-{}", s.as_str()),
            href: d.list_href(
                org,
                false,
                d.year,
                &[("status", s.as_str().to_string())],
                tr,
            ),
            title: format!("{}：{n}", status_name(tr, s.as_str())),
        });
        x += w;
    }
    if bars.is_empty() {
        bars.push(Bar {
            x: "0.0".into(),
            y: "0.0".into(),
            w: n1(width),
            h: "28.0".into(),
            class: "seg seg-empty".into(),
            href: d.list_href(org, false, d.year, &[], tr),
            title: tr.t("obligations.dashboard.nothing").to_string(),
        });
    }
    Chart {
        width: n1(width),
        height: "28.0".into(),
        bars,
        texts: Vec::new(),
    }
}

/// The heat class of a cell: red by the share overdue, else green by the share done.
pub(super) fn heat_class(c: &StatusCounts) -> &'static str {
    let owed = c.total - c.waived;
    if c.total == 0 || owed <= 0 {
        return "hm hm-none";
    }
    if c.overdue > 0 {
        let share = c.overdue as f64 / owed as f64;
        return if share > 0.5 {
            "hm hm-bad3"
        } else if share > 0.2 {
            "hm hm-bad2"
        } else {
            "hm hm-bad1"
        };
    }
    let done = c.done as f64 / owed as f64;
    if done >= 0.999 {
        "hm hm-ok4"
    } else if done >= 0.75 {
        "hm hm-ok3"
    } else if done >= 0.5 {
        "hm hm-ok2"
    } else if done > 0.0 {
        "hm hm-ok1"
    } else {
        "hm hm-ok0"
    }
}

pub(super) fn counts_title(tr: Tr, c: &StatusCounts) -> String {
    STATUSES
        .iter()
        .filter(|s| c.get(**s) > 0)
        .map(|s| format!("{} {}", status_name(tr, s.as_str()), c.get(*s)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The org × duty heat map: a row per org (the org itself, then its children), a column per duty.
pub(super) fn heat_map(d: &Dashboard, org: &Org, v: &Viewer) -> Chart {
    let tr = v.tr;
    let m = &v.snap.model;
    let (label_w, head_h, cell_w, cell_h) = (190.0, 130.0, 64.0, 28.0);
    let width = label_w + cell_w * d.duties.len() as f64 + 40.0;
    let height = head_h + cell_h * d.matrix.len() as f64 + 4.0;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (j, duty) in d.duties.iter().enumerate() {
        let x = label_w + cell_w * j as f64 + cell_w / 2.0;
        let (label, full) = short(tr.lang().pick(&duty.title, &duty.title_en), 12);
        let mut t = Text::new(x, head_h - 6.0, label, "start", "hm-head").link(d.list_href(
            org,
            false,
            d.year,
            &[("duty", duty.id.clone())],
            tr,
        ));
        t.transform = Some(format!("rotate(-40 {} {})", n1(x), n1(head_h - 6.0)));
        t.title =
            Some(full.unwrap_or_else(|| tr.lang().pick(&duty.title, &duty.title_en).to_string()));
        texts.push(t);
    }
    for (i, row) in d.matrix.iter().enumerate() {
        let y = head_h + cell_h * i as f64;
        let name = if row.own {
            tr.tf("obligations.dashboard.own_row", &[("org", &row.org.name)])
        } else {
            row.org.name.clone()
        };
        let (label, full) = short(&name, 11);
        let href = if row.own {
            d.list_href(org, true, d.year, &[], tr)
        } else {
            d.dashboard_href(&row.org.code, d.year, tr)
        };
        let mut t =
            Text::new(label_w - 8.0, y + cell_h * 0.68, label, "end", "hm-label").link(href);
        t.title = full.or(Some(name));
        texts.push(t);
        let row_org = m.org(&row.org.id).unwrap_or(org);
        for (j, duty) in d.duties.iter().enumerate() {
            let Some(cell) = row.cells.iter().find(|c| c.duty == duty.id) else {
                continue;
            };
            let x = label_w + cell_w * j as f64;
            let href = d.list_href(row_org, row.own, d.year, &[("duty", duty.id.clone())], tr);
            bars.push(Bar {
                x: n1(x + 1.0),
                y: n1(y + 1.0),
                w: n1(cell_w - 2.0),
                h: n1(cell_h - 2.0),
                class: heat_class(&cell.counts).to_string(),
                href: href.clone(),
                title: format!(
                    "{} · {} · {}",
                    row.org.name,
                    tr.lang().pick(&duty.title, &duty.title_en),
                    counts_title(tr, &cell.counts)
                ),
            });
            let text = if cell.counts.overdue > 0 {
                format!("{}/{}", cell.counts.overdue, cell.counts.total)
            } else {
                format!(
                    "{}/{}",
                    cell.counts.done,
                    cell.counts.total - cell.counts.waived
                )
            };
            let class = if heat_class(&cell.counts).ends_with('3')
                || heat_class(&cell.counts).ends_with('4')
            {
                "hm-text hm-text-light"
            } else {
                "hm-text"
            };
            texts.push(
                Text::new(x + cell_w / 2.0, y + cell_h * 0.68, text, "middle", class).link(href),
            );
        }
    }
    Chart {
        width: n1(width),
        height: n1(height),
        bars,
        texts,
    }
}

/// The monthly trend: per month a bar of what fell due (by status) and a bar of what was done.
pub(super) fn trend_chart(d: &Dashboard, org: &Org, tr: Tr) -> Chart {
    let (left, top, plot_h, group_w, bar_w) = (8.0, 16.0, 160.0, 50.0, 18.0);
    let max = d
        .months
        .iter()
        .map(|m| m.due.max(m.done))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = left * 2.0 + group_w * 12.0;
    let height = top + plot_h + 24.0;
    let base = top + plot_h;
    let mut bars = Vec::new();
    let mut texts = Vec::new();
    for (i, month) in d.months.iter().enumerate() {
        let gx = left + group_w * i as f64 + 6.0;
        // What fell due this month, stacked by status.
        let mut y = base;
        for s in STACK {
            let n = month.due_by_status.get(s);
            if n == 0 {
                continue;
            }
            let h = plot_h * n as f64 / max;
            y -= h;
            bars.push(Bar {
                x: n1(gx),
                y: n1(y),
                w: n1(bar_w),
                h: n1(h),
                class: format!("seg seg-{}", s.as_str()),
                href: d.list_href(
                    org,
                    false,
                    d.year,
                    &[
                        ("month", month.month.clone()),
                        ("status", s.as_str().to_string()),
                    ],
                    tr,
                ),
                title: tr.tf(
                    "obligations.dashboard.due_in_month",
                    &[
                        ("month", &month.month),
                        ("status", &status_name(tr, s.as_str())),
                        ("n", &n.to_string()),
                    ],
                ),
            });
        }
        if month.due > 0 {
            texts.push(
                Text::new(
                    gx + bar_w / 2.0,
                    y - 3.0,
                    month.due.to_string(),
                    "middle",
                    "chart-value",
                )
                .link(d.list_href(
                    org,
                    false,
                    d.year,
                    &[("month", month.month.clone())],
                    tr,
                )),
            );
        }
        // What was done this month.
        if month.done > 0 {
            let h = plot_h * month.done as f64 / max;
            let href = d.list_href(
                org,
                false,
                d.year,
                &[
                    ("done_month", month.month.clone()),
                    ("status", "done".into()),
                ],
                tr,
            );
            bars.push(Bar {
                x: n1(gx + bar_w + 2.0),
                y: n1(base - h),
                w: n1(bar_w),
                h: n1(h),
                class: "seg seg-completed".into(),
                href: href.clone(),
                title: tr.tf(
                    "obligations.dashboard.done_in_month",
                    &[("month", &month.month), ("n", &month.done.to_string())],
                ),
            });
            texts.push(
                Text::new(
                    gx + bar_w * 1.5 + 2.0,
                    base - h - 3.0,
                    month.done.to_string(),
                    "middle",
                    "chart-value",
                )
                .link(href),
            );
        }
        texts.push(Text::new(
            gx + bar_w + 1.0,
            base + 16.0,
            tr.t(&format!("month.{}", i + 1)),
            "middle",
            "chart-label",
        ));
    }
    Chart {
        width: n1(width),
        height: n1(height),
        bars,
        texts,
    }
}

/// A figure with its drill-down link.
pub struct Figure {
    /// Status key.
    pub status: &'static str,
    /// Label.
    pub label: String,
    /// Count.
    pub count: i64,
    /// Link to the list.
    pub href: String,
}

/// A row of the numbers table under the heat map.
pub struct CountRow {
    /// Org name.
    pub name: String,
    /// Link to the org's dashboard (children) or list (own row).
    pub href: String,
    /// The numbers with their links, total first.
    pub figures: Vec<Figure>,
}

/// A link with a label.
pub struct Link {
    /// Label.
    pub label: String,
    /// Href.
    pub href: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(super) struct DashboardPage {
    pub(super) frame: Frame,
    pub(super) tr: Tr,
    pub(super) d: Dashboard,
    pub(super) org_name: String,
    pub(super) rate: String,
    pub(super) figures: Vec<Figure>,
    pub(super) total_href: String,
    pub(super) completion: Chart,
    pub(super) heat: Chart,
    pub(super) trend: Chart,
    pub(super) count_rows: Vec<CountRow>,
    pub(super) parent: Option<Link>,
    pub(super) prev_year: String,
    pub(super) next_year: String,
    pub(super) list_href: String,
    pub(super) overdue_href: String,
    /// Earlier years still overdue: (text, link to their overdue list).
    pub(super) earlier: Vec<Link>,
    pub(super) statuses: Vec<&'static str>,
    /// The systems to switch between (empty when only one is loaded), and the one shown.
    pub(super) systems: Vec<(String, String)>,
    pub(super) series: String,
    pub(super) org_code: String,
    /// The incidents of the year: how many, how many open, by month, the statistics' link.
    pub(super) incidents: Option<(i64, i64, Chart, String)>,
}

pub(super) fn figures(
    org: &Org,
    own: bool,
    year: i32,
    c: &StatusCounts,
    tr: Tr,
    extra: &[(&'static str, String)],
) -> Vec<Figure> {
    let mut out = vec![Figure {
        status: "total",
        label: tr.t("obligations.dashboard.total").to_string(),
        count: c.total,
        href: list_href(org, own, year, extra, tr),
    }];
    for s in STATUSES {
        let mut e = extra.to_vec();
        e.push(("status", s.as_str().to_string()));
        out.push(Figure {
            status: s.as_str(),
            label: status_name(tr, s.as_str()),
            count: c.get(s),
            href: list_href(org, own, year, &e, tr),
        });
    }
    out
}

/// `GET /dashboard`
pub(super) async fn dashboard_page(
    State(state): State<AppState>,
    PageViewer(v): PageViewer,
    q: Result<Query<DashboardQuery>, Rejected>,
) -> Response {
    let tr = v.tr;
    if let Err(r) = read_gate(&v) {
        return r.page(tr);
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let ask = match parse_dashboard(&v, &q, state.today()) {
        Ok(x) => x,
        Err(r) => return r.page(tr),
    };
    let (org, year) = (ask.org, ask.year);
    let d = match dashboard(&state, &v, &ask).await {
        Ok(d) => d,
        Err(r) => return r.page(tr),
    };
    let m = &v.snap.model;
    let totals = StatusCounts {
        total: d.total,
        upcoming: d.upcoming,
        due_soon: d.due_soon,
        overdue: d.overdue,
        done: d.done,
        waived: d.waived,
    };
    let count_rows = d
        .matrix
        .iter()
        .map(|r| {
            let row_org = m.org(&r.org.id).unwrap_or(org);
            CountRow {
                name: if r.own {
                    tr.tf("obligations.dashboard.own_row", &[("org", &r.org.name)])
                } else {
                    r.org.name.clone()
                },
                href: if r.own {
                    d.list_href(org, true, year, &[], tr)
                } else {
                    d.dashboard_href(&r.org.code, year, tr)
                },
                figures: figures(row_org, r.own, year, &r.counts, tr, &d.series_param()),
            }
        })
        .collect();
    let parent = m.parent(org).filter(|p| visible(&v, &p.id)).map(|p| Link {
        label: p.name.clone(),
        href: d.dashboard_href(&p.code, year, tr),
    });
    let year_href = |y: i32| d.dashboard_href(&org.code, y, tr);
    // The whole tree for the root, else the org's subtree.
    let subtree: Option<Vec<String>> = m
        .parent(org)
        .map(|_| m.subtree(&org.id).iter().map(|o| o.id.clone()).collect());
    let incidents = state
        .db
        .incident_months(subtree.as_deref(), year)
        .await
        .ok()
        .map(|(months, open)| {
            (
                months.iter().map(|(_, n)| n).sum(),
                open,
                crate::areas::incidents::month_chart(tr, &org.code, year, &months),
                crate::shared::urls::href_with(
                    "/incidents/stats",
                    &[("org", org.code.as_str()), ("year", &year.to_string())],
                    tr,
                ),
            )
        });
    let tpl = DashboardPage {
        incidents,
        systems: system_options(&v, state.today()),
        series: d.series.clone().unwrap_or_default(),
        org_code: org.code.clone(),
        frame: Frame::of(&state, Some(&v)),
        tr,
        org_name: org.name.clone(),
        rate: d
            .completion_rate
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_else(|| "—".into()),
        figures: figures(org, false, year, &totals, tr, &d.series_param())
            .into_iter()
            .skip(1)
            .collect(),
        total_href: d.list_href(org, false, year, &[], tr),
        completion: completion_chart(&d, org, tr),
        heat: heat_map(&d, org, &v),
        trend: trend_chart(&d, org, tr),
        count_rows,
        parent,
        prev_year: year_href(year - 1),
        next_year: year_href(year + 1),
        list_href: d.list_href(org, false, year, &[], tr),
        overdue_href: d.list_href(org, false, year, &[("status", "overdue".into())], tr),
        earlier: d
            .earlier_overdue
            .iter()
            .map(|e| Link {
                href: d.list_href(org, false, e.year, &[("status", "overdue".into())], tr),
                label: tr.tf(
                    "obligations.dashboard.earlier_overdue",
                    &[("year", &e.year.to_string()), ("n", &e.overdue.to_string())],
                ),
            })
            .collect(),
        statuses: STATUSES.iter().map(|s| s.as_str()).collect(),
        d,
    };
    page(StatusCode::OK, &tpl)
}
