//! Charts as inline SVG drawn from the data (no script, no library): pledges by category and by status, what they depend on, and the strength of the evidence by pledger; each with a title, a text alternative and its numbers in a table.

use maud::{Markup, html};

use crate::error::Error;
use crate::model::{ConditionKind, RoleKind};

use super::index::{CATEGORIES, STATUSES};
use super::layout::{Kind, Section, record_path};
use super::pages::words;
use super::{Site, Writer};

/// One chart: bars of one or more stacked series.
pub(crate) struct Chart {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) about: String,
    /// The series' names and colours (each at least 3:1 against white).
    pub(crate) series: Vec<(String, &'static str)>,
    pub(crate) rows: Vec<Row>,
}

/// One bar: its label, the page it is about (from the root), its values.
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) href: Option<String>,
    pub(crate) values: Vec<usize>,
}

/// The credibility grades' colours, 1 (confirmed) to 6 (cannot be judged).
const GRADES: [&str; 6] = [
    "#14532d", "#15803d", "#a16207", "#c2410c", "#b91c1c", "#4b5563",
];

/// How many pledgers the evidence chart shows.
pub(crate) const TOP_PLEDGERS: usize = 20;

/// The charts of `site`'s data.
pub(crate) fn charts(site: &Site) -> Vec<Chart> {
    let data = site.data;
    // Retired records (withdrawn duplicates and misreadings, or replaced)
    // are not pledges any more: the charts count the current ones.
    let pledges = data.pledges();
    let current = |p: &&crate::model::Pledge| p.retired.is_none();
    let n = pledges.iter().filter(current).count();
    let mut category = Chart {
        id: "by-category",
        title: "Pledges by category".to_owned(),
        about: format!(
            "Each of the {n} pledges counts once under each of its categories: under its primary category (the first it lists) and under any other. Categories no pledge has are left out."
        ),
        series: vec![
            ("as its primary category".to_owned(), "#1d4ed8"),
            ("as another category".to_owned(), "#b45309"),
        ],
        rows: Vec::new(),
    };
    for c in CATEGORIES {
        let primary = pledges
            .iter()
            .filter(current)
            .filter(|p| p.categories.first() == Some(&c))
            .count();
        let other = pledges
            .iter()
            .filter(current)
            .filter(|p| p.categories.iter().skip(1).any(|x| *x == c))
            .count();
        if primary + other > 0 {
            category.rows.push(Row {
                label: words(c.as_str()),
                href: None,
                values: vec![primary, other],
            });
        }
    }
    let status = Chart {
        id: "by-status",
        title: "Pledges by status".to_owned(),
        about: format!(
            "Each of the {n} pledges under its status: its latest source's report, or the one its status note says it follows. {} of them have status reports that disagree, and are counted under the status the record takes.",
            pledges
                .iter()
                .filter(current)
                .filter(|p| p.status_reports_disagree())
                .count()
        ),
        series: vec![("pledges".to_owned(), "#1d4ed8")],
        rows: STATUSES
            .iter()
            .map(|s| Row {
                label: words(s.as_str()),
                href: None,
                values: vec![
                    pledges
                        .iter()
                        .filter(current)
                        .filter(|p| p.status == *s)
                        .count(),
                ],
            })
            .collect(),
    };
    // The United States: the state with the code US (any actor acting for
    // it counts as it).
    let us = data.united_states();
    let is_us = |id: &str| us.is_some_and(|us| data.acts_for(id, us.id.as_str()));
    let has = |p: &&crate::model::Pledge, kind| p.conditions.iter().any(|c| c.kind == kind);
    let ceasefire = pledges
        .iter()
        .filter(current)
        .filter(|p| has(p, ConditionKind::Ceasefire))
        .count();
    let peace = pledges
        .iter()
        .filter(current)
        .filter(|p| has(p, ConditionKind::PeaceAgreement))
        .count();
    let either = pledges
        .iter()
        .filter(current)
        .filter(|p| has(p, ConditionKind::Ceasefire) || has(p, ConditionKind::PeaceAgreement))
        .count();
    let contested_ceasefire = pledges
        .iter()
        .enumerate()
        .filter(|(_, p)| p.retired.is_none())
        .filter(|(i, p)| {
            p.conditions.iter().enumerate().any(|(k, c)| {
                c.kind == ConditionKind::Ceasefire
                    && site.contested[*i].contains(&format!("/conditions/{k}"))
            })
        })
        .count();
    let us_condition = pledges
        .iter()
        .filter(current)
        .filter(|p| data.relies_on_us(p))
        .count();
    let us_made = pledges
        .iter()
        .filter(current)
        .filter(|p| {
            p.pledgers.iter().any(|a| is_us(a.as_str()))
                || p.roles
                    .iter()
                    .any(|r| r.role == RoleKind::Lead && is_us(r.actor.as_str()))
        })
        .count();
    let unconditional = pledges
        .iter()
        .filter(current)
        .filter(|p| p.conditions.is_empty())
        .count();
    let dependence = Chart {
        id: "dependence",
        title: "What the pledges depend on: a ceasefire, the United States".to_owned(),
        about: format!(
            "Counted from the coded conditions and roles of the {n} pledges, nothing inferred beyond them. A ceasefire condition and a peace-agreement condition are different triggers and are kept apart (a pledge with both counts in each, and once in “either”){}. “Conditional on US backing” is a pledge with a US-backstop condition or a condition that depends on the United States (or an actor acting for it); “made or led by the United States” is a pledge the United States makes or leads — it depends on the United States in another sense, and is not counted as conditional.",
            if contested_ceasefire > 0 {
                format!(
                    "; for {contested_ceasefire} of the pledges with a ceasefire condition the sources disagree on that condition (it is contested)"
                )
            } else {
                String::new()
            }
        ),
        series: vec![("pledges".to_owned(), "#1d4ed8")],
        rows: vec![
            Row {
                label: "conditional on a ceasefire".to_owned(),
                href: None,
                values: vec![ceasefire],
            },
            Row {
                label: "conditional on a peace agreement".to_owned(),
                href: None,
                values: vec![peace],
            },
            Row {
                label: "either of the two".to_owned(),
                href: None,
                values: vec![either],
            },
            Row {
                label: "conditional on US backing".to_owned(),
                href: None,
                values: vec![us_condition],
            },
            Row {
                label: "made or led by the United States".to_owned(),
                href: None,
                values: vec![us_made],
            },
            Row {
                label: "no condition reported".to_owned(),
                href: None,
                values: vec![unconditional],
            },
        ],
    };
    let mut by_pledger: std::collections::HashMap<&str, [usize; 6]> =
        std::collections::HashMap::new();
    for (i, p) in pledges
        .iter()
        .enumerate()
        .filter(|(_, p)| p.retired.is_none())
    {
        let grade = usize::from(site.credibility[i].get()).clamp(1, 6) - 1;
        let mut seen: Vec<&str> = p.pledgers.iter().map(|a| a.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for a in seen {
            by_pledger.entry(a).or_default()[grade] += 1;
        }
    }
    let mut ranked: Vec<(&str, [usize; 6])> = by_pledger.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum::<usize>())
            .then(a.0.cmp(b.0))
    });
    let all_pledgers = ranked.len();
    ranked.truncate(TOP_PLEDGERS);
    let evidence = Chart {
        id: "credibility-by-pledger",
        title: "Evidence strength by pledger".to_owned(),
        about: format!(
            "For each pledger, its pledges by credibility: how credible each pledge's least attested claim is, from 1 (confirmed by other sources) to 6 (cannot be judged; a claim only the editors infer counts as 6). A pledge with several pledgers counts for each. {}",
            if all_pledgers > TOP_PLEDGERS {
                format!(
                    "The {TOP_PLEDGERS} pledgers with the most pledges of {all_pledgers} are shown."
                )
            } else {
                format!("All {all_pledgers} pledgers are shown.")
            }
        ),
        series: (1u8..=6)
            .zip(GRADES)
            .map(|(g, colour)| {
                let c = crate::model::Credibility::new(g)
                    .unwrap_or(crate::model::Credibility::CANNOT_BE_JUDGED);
                (format!("{} (credibility {g})", c.meaning()), colour)
            })
            .collect(),
        rows: ranked
            .into_iter()
            .map(|(a, counts)| Row {
                label: site.actor_name(a).to_owned(),
                href: Some(record_path(Kind::Actor, a)),
                values: counts.to_vec(),
            })
            .collect(),
    };
    vec![category, status, dependence, evidence]
}

/// `label` cut to `max` characters, with an ellipsis when cut.
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// A chart as a figure: the SVG, then its numbers as a table.
fn figure(chart: &Chart, root: &str) -> Markup {
    const WIDTH: usize = 760;
    const LABEL: usize = 250;
    const BAR: usize = 420;
    const ROW: usize = 28;
    let legend = if chart.series.len() > 1 {
        26 * chart.series.len().div_ceil(3) + 8
    } else {
        0
    };
    let height = legend + ROW * chart.rows.len().max(1) + 8;
    let max = chart
        .rows
        .iter()
        .map(|r| r.values.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let desc: Vec<String> = chart
        .rows
        .iter()
        .map(|r| {
            let total: usize = r.values.iter().sum();
            if chart.series.len() > 1 {
                let parts: Vec<String> = chart
                    .series
                    .iter()
                    .zip(&r.values)
                    .filter(|(_, v)| **v > 0)
                    .map(|((name, _), v)| format!("{v} {name}"))
                    .collect();
                format!("{}: {total} ({})", r.label, parts.join(", "))
            } else {
                format!("{}: {total}", r.label)
            }
        })
        .collect();
    let id = chart.id;
    html! {
        figure class="chart" id=(id) aria-labelledby={ (id) "-caption" } {
            figcaption id={ (id) "-caption" } { h2 { (chart.title) } p class="note" { (chart.about) } }
            svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox={ "0 0 " (WIDTH) " " (height) }
                aria-labelledby={ (id) "-title" } aria-describedby={ (id) "-desc" } class="bars" {
                title id={ (id) "-title" } { (chart.title) }
                desc id={ (id) "-desc" } { (desc.join("; ")) "." }
                @if chart.series.len() > 1 {
                    @for (k, (name, colour)) in chart.series.iter().enumerate() {
                        @let x = 8 + (k % 3) * 250;
                        @let y = 8 + (k / 3) * 26;
                        rect x=(x) y=(y) width="16" height="16" fill=(colour) {}
                        text x=(x + 22) y=(y + 13) class="legend" { (name) }
                    }
                }
                @for (r, row) in chart.rows.iter().enumerate() {
                    @let y = legend + r * ROW;
                    @let total: usize = row.values.iter().sum();
                    text x=(LABEL - 8) y=(y + 19) text-anchor="end" class="label" { (short(&row.label, 32)) }
                    @for (k, v) in row.values.iter().enumerate() {
                        @let x = LABEL + row.values[..k].iter().sum::<usize>() * BAR / max;
                        @let w = (row.values[..=k].iter().sum::<usize>() * BAR / max).saturating_sub(x - LABEL);
                        @if *v > 0 {
                            rect x=(x) y=(y + 4) width=(w.max(2)) height=(ROW - 8) fill=(chart.series[k].1) stroke="#fff" stroke-width="1" {
                                title { (row.label) ": " (v) " " (chart.series[k].0) }
                            }
                        }
                    }
                    text x=(LABEL + total * BAR / max + 6) y=(y + 19) class="value" { (total) }
                }
            }
            div class="scroll" {
                table id={ (id) "-table" } class="chart-data" {
                    caption { "The numbers: " (chart.title) }
                    thead {
                        tr {
                            th scope="col" { "" }
                            @if chart.series.len() > 1 { @for (name, _) in &chart.series { th scope="col" { (name) } } }
                            th scope="col" { "Total" }
                        }
                    }
                    tbody {
                        @for row in &chart.rows {
                            tr {
                                th scope="row" {
                                    @match &row.href { Some(h) => a href={ (root) (h) } { (row.label) }, None => (row.label) }
                                }
                                @if chart.series.len() > 1 { @for v in &row.values { td { (v) } } }
                                td { (row.values.iter().sum::<usize>()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Writes `charts.html`.
pub(crate) fn write(site: &Site, out: &mut Writer) -> Result<(), Error> {
    let charts = charts(site);
    let body = html! {
        p class="lede" { "Drawn from the data when the site was built. Each chart's numbers are in the table under it." }
        nav aria-label="Charts on this page" {
            ul class="inline" { @for c in &charts { li { a href={ "#" (c.id) } { (c.title) } } } }
        }
        @for c in &charts { (figure(c, "")) }
    };
    let page = site
        .shell
        .page("", Some(Section::Charts), "Charts", &body, &[]);
    out.write("charts.html", page.as_bytes())
}
