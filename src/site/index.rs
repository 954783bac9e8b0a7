//! The index of pledges (the home page and its further pages, the filter form, and the filter data in script files), and the paged lists of the other records.

use maud::{Markup, html};
use serde_json::{Value, json};

use crate::error::Error;
use crate::model::{Category, ConditionKind, Status};

use super::layout::{Kind, Section, list_path, record_path, script_json, stem};
use super::pages::words;
use super::{CHUNK_SIZE, PAGE_SIZE, Site, Writer};

/// Every value of a code list, in the schema's order.
pub(crate) const CATEGORIES: [Category; 15] = [
    Category::TroopDeployment,
    Category::CeasefireMonitoring,
    Category::SecurityGuarantee,
    Category::AirDefence,
    Category::MilitaryAid,
    Category::Training,
    Category::IntelligenceSharing,
    Category::DefenceIndustry,
    Category::Financing,
    Category::Sanctions,
    Category::LegalGuarantee,
    Category::PoliticalDeclaration,
    Category::Reconstruction,
    Category::HumanitarianAid,
    Category::SecurityCooperation,
];
/// Every status, in order of progress.
pub(crate) const STATUSES: [Status; 6] = [
    Status::Proposed,
    Status::UnderDiscussion,
    Status::Announced,
    Status::Committed,
    Status::Delivered,
    Status::Withdrawn,
];
/// Every kind of condition.
pub(crate) const CONDITIONS: [ConditionKind; 6] = [
    ConditionKind::Ceasefire,
    ConditionKind::PeaceAgreement,
    ConditionKind::ParliamentaryApproval,
    ConditionKind::PoliticalApproval,
    ConditionKind::UsBackstop,
    ConditionKind::RenewedAggression,
];

fn position<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}

/// How many pages `rows` rows fill (at least one).
fn pages(rows: usize) -> usize {
    rows.div_ceil(PAGE_SIZE).max(1)
}

/// Links to the other pages of a list: first, previous, a few around
/// this one, next, last.
fn pager(kind: Kind, page: usize, total: usize, root: &str, place: &str) -> Markup {
    let near: Vec<usize> = (page.saturating_sub(2).max(1)..=(page + 2).min(total)).collect();
    html! {
        @if total > 1 {
            nav class="pager" aria-label={ "Pages of the list, " (place) } {
                ul {
                    @if page > 1 {
                        li { a href={ (root) (list_path(kind, 1)) } { "First" } }
                        li { a href={ (root) (list_path(kind, page - 1)) } rel="prev" { "Previous" } }
                    }
                    @for n in near {
                        li {
                            @if n == page {
                                a href={ (root) (list_path(kind, n)) } aria-current="page" { "Page " (n) }
                            } @else {
                                a href={ (root) (list_path(kind, n)) } { "Page " (n) }
                            }
                        }
                    }
                    @if page < total {
                        li { a href={ (root) (list_path(kind, page + 1)) } rel="next" { "Next" } }
                        li { a href={ (root) (list_path(kind, total)) } { "Last (" (total) ")" } }
                    }
                }
            }
        }
    }
}

/// Writes the pledge index, its filter data and the other lists.
pub(crate) fn write(site: &Site, out: &mut Writer) -> Result<(), Error> {
    write_pledge_pages(site, out)?;
    write_filter_data(site, out)?;
    let data = site.data;
    let actors: Vec<(String, String, String)> = data
        .actors()
        .iter()
        .map(|a| {
            let n = site.actors.get(a.id.as_str()).map_or(0, |l| l.made.len());
            (
                a.id.to_string(),
                a.name.to_string(),
                format!(
                    "{} · {n} pledge{}",
                    words(a.kind.as_str()),
                    if n == 1 { "" } else { "s" }
                ),
            )
        })
        .collect();
    write_list(site, out, Kind::Actor, &actors, "Kind and pledges made")?;
    let sources: Vec<(String, String, String)> = data
        .sources()
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                s.title.to_string(),
                format!(
                    "{} · reliability {}",
                    words(s.kind.as_str()),
                    s.reliability.grade.as_str()
                ),
            )
        })
        .collect();
    write_list(site, out, Kind::Source, &sources, "Kind and reliability")?;
    let events: Vec<(String, String, String)> = data
        .events()
        .iter()
        .map(|e| {
            (
                e.id.to_string(),
                e.name.to_string(),
                format!(
                    "{} · {}",
                    e.kind.as_str(),
                    e.date
                        .map_or_else(|| "date not stated".to_owned(), |d| d.to_string())
                ),
            )
        })
        .collect();
    write_list(site, out, Kind::Event, &events, "Kind and date")?;
    let statements: Vec<(String, String, String)> = data
        .statements()
        .iter()
        .map(|s| {
            let holders: Vec<&str> = s
                .holders
                .iter()
                .map(|h| site.actor_name(h.as_str()))
                .collect();
            (
                s.id.to_string(),
                s.title.to_string(),
                format!("{} · held by {}", s.kind.as_str(), holders.join(", ")),
            )
        })
        .collect();
    write_list(site, out, Kind::Statement, &statements, "Kind and holders")
}

/// A paged list of records: id, title and one more column.
fn write_list(
    site: &Site,
    out: &mut Writer,
    kind: Kind,
    rows: &[(String, String, String)],
    about: &str,
) -> Result<(), Error> {
    let total = pages(rows.len());
    for page in 1..=total {
        let from = (page - 1) * PAGE_SIZE;
        let chunk = &rows[from.min(rows.len())..(from + PAGE_SIZE).min(rows.len())];
        let body = html! {
            p { (rows.len()) " in all, in order of id" @if total > 1 { "; page " (page) " of " (total) } "." }
            (pager(kind, page, total, "../", "above it"))
            div class="scroll" {
                table class="list" {
                    caption class="visually-hidden" { (kind.plural()) @if total > 1 { ", page " (page) } }
                    thead { tr { th scope="col" { "Name" } th scope="col" { (about) } } }
                    tbody {
                        @for (id, title, more) in chunk {
                            tr { th scope="row" { a href={ "../" (record_path(kind, id)) } { (title) } } td { (more) } }
                        }
                    }
                }
            }
            (pager(kind, page, total, "../", "below it"))
        };
        let title = if total > 1 {
            format!("{}, page {page}", kind.plural())
        } else {
            kind.plural().to_owned()
        };
        let section = if page == 1 {
            Some(Section::List(kind))
        } else {
            None
        };
        let html = site.shell.page("../", section, &title, &body, &[]);
        out.write(&list_path(kind, page), html.as_bytes())?;
    }
    Ok(())
}

/// The pledge table of one page: rows `from..to`, links relative to `root`.
fn pledge_table(site: &Site, from: usize, to: usize, root: &str, caption: &str) -> Markup {
    let pledges = site.data.pledges();
    html! {
        div class="scroll" {
            table class="list pledges" {
                caption class="visually-hidden" { (caption) }
                thead {
                    tr {
                        th scope="col" { "Pledge" }
                        th scope="col" { "Status" }
                        th scope="col" { "Categories" }
                        th scope="col" { "Conditions" }
                        th scope="col" { "Pledged by" }
                        th scope="col" { abbr title="credibility of its least attested claim, 1 confirmed to 6 cannot be judged" { "Cred." } }
                    }
                }
                tbody {
                    @for i in from..to {
                        @let p = &pledges[i];
                        tr {
                            th scope="row" {
                                a href={ (root) (record_path(Kind::Pledge, p.id.as_str())) } { (p.title) }
                                @if !site.contested[i].is_empty() { " " strong class="badge contested" { "contested" } }
                                @if p.retired.is_some() { " " strong class="badge" { "retired" } }
                            }
                            td { (words(p.status.as_str())) }
                            td { @for (k, c) in p.categories.iter().enumerate() { @if k > 0 { ", " } (words(c.as_str())) } }
                            td { @if p.conditions.is_empty() { "none" } @for (k, c) in p.conditions.iter().enumerate() { @if k > 0 { ", " } (words(c.kind.as_str())) } }
                            td { @for (k, a) in p.pledgers.iter().enumerate() { @if k > 0 { ", " } (site.actor_name(a.as_str())) } }
                            td { (site.credibility[i].get()) }
                        }
                    }
                }
            }
        }
    }
}

/// The filter form (hidden until the script shows it) and where its
/// results go.
fn filter_form(site: &Site, chunks: usize) -> Markup {
    let data = site.data;
    let mut pledgers: Vec<&str> = data
        .pledges()
        .iter()
        .flat_map(|p| p.pledgers.iter().map(|a| a.as_str()))
        .collect();
    pledgers.sort_unstable();
    pledgers.dedup();
    let few = pledgers.len() <= 500;
    html! {
        noscript { p class="note" { "The filters need JavaScript; every pledge is listed below, a page at a time." } }
        form id="filters" class="filters" hidden data-chunks=(chunks) data-total=(data.pledges().len()) aria-describedby="filters-help" {
            h2 { "Filter the pledges" }
            p id="filters-help" class="note" { "Every filter narrows the list; leave one at “any” to ignore it." }
            div class="fields" {
                div class="field" {
                    label for="f-category" { "Category" }
                    select id="f-category" name="category" {
                        option value="" { "any" }
                        @for (i, c) in CATEGORIES.iter().enumerate() { option value=(i) { (words(c.as_str())) } }
                    }
                }
                div class="field" {
                    label for="f-status" { "Status" }
                    select id="f-status" name="status" {
                        option value="" { "any" }
                        @for (i, s) in STATUSES.iter().enumerate() { option value=(i) { (words(s.as_str())) } }
                    }
                }
                div class="field" {
                    label for="f-condition" { "Condition" }
                    select id="f-condition" name="condition" {
                        option value="" { "any" }
                        option value="none" { "no condition" }
                        @for (i, c) in CONDITIONS.iter().enumerate() { option value=(i) { (words(c.as_str())) } }
                    }
                }
                div class="field" {
                    label for="f-pledger" { "Pledged by (name or id)" }
                    @if few {
                        input id="f-pledger" name="pledger" type="search" autocomplete="off" list="f-pledgers";
                        datalist id="f-pledgers" { @for a in &pledgers { option value=(site.actor_name(a)) {} } }
                    } @else {
                        input id="f-pledger" name="pledger" type="search" autocomplete="off";
                    }
                }
                div class="field" {
                    label for="f-credibility" { "Credibility at least" }
                    select id="f-credibility" name="credibility" {
                        option value="" { "any" }
                        @for n in 1u8..=6 {
                            @let c = crate::model::Credibility::new(n).unwrap_or(crate::model::Credibility::CANNOT_BE_JUDGED);
                            option value=(n) { (n) " – " (c.meaning()) }
                        }
                    }
                }
                div class="field check" {
                    input id="f-contested" name="contested" type="checkbox" value="1";
                    label for="f-contested" { "Only pledges with a contested claim" }
                }
            }
            div class="actions" {
                button type="submit" { "Apply filters" }
                " "
                button type="reset" { "Clear" }
            }
            p id="filter-status" class="status-line" role="status" aria-live="polite" {}
        }
        section id="results" aria-labelledby="results-heading" hidden {
            h2 id="results-heading" tabindex="-1" { "Matching pledges" }
            div id="results-table" {}
            nav class="pager" aria-label="Pages of the matching pledges" {
                ul {
                    li { button type="button" id="results-prev" { "Previous" } }
                    li { button type="button" id="results-next" { "Next" } }
                }
            }
        }
    }
}

fn write_pledge_pages(site: &Site, out: &mut Writer) -> Result<(), Error> {
    let data = site.data;
    let n = data.pledges().len();
    let total = pages(n);
    let chunks = n.div_ceil(CHUNK_SIZE).max(1);
    for page in 1..=total {
        let from = (page - 1) * PAGE_SIZE;
        let to = (from + PAGE_SIZE).min(n);
        let root = if page == 1 { "" } else { "../" };
        let caption = format!("Pledges {}–{to} of {n}, in order of id", from + 1);
        let body = html! {
            @if page == 1 {
                p class="lede" { (data.manifest().description) }
                ul class="counts" {
                    li { strong { (n) } " pledges" }
                    li { a href={ (list_path(Kind::Actor, 1)) } { strong { (data.actors().len()) } " actors" } }
                    li { a href={ (list_path(Kind::Source, 1)) } { strong { (data.sources().len()) } " sources" } }
                    li { a href={ (list_path(Kind::Event, 1)) } { strong { (data.events().len()) } " events" } }
                    li { a href={ (list_path(Kind::Statement, 1)) } { strong { (data.statements().len()) } " statements" } }
                    li { a href="charts.html" { "Charts" } }
                }
                (filter_form(site, chunks))
            }
            section id="all-pledges" aria-labelledby="all-heading" {
                h2 id="all-heading" { "All pledges" @if total > 1 { ", page " (page) " of " (total) } }
                p class="note" { (caption) ". " abbr title="credibility" { "Cred." } " is how credible the least attested claim is: 1 confirmed by other sources to 6 cannot be judged." }
                (pager(Kind::Pledge, page, total, root, "above it"))
                (pledge_table(site, from, to, root, &caption))
                (pager(Kind::Pledge, page, total, root, "below it"))
            }
        };
        let (title, section, scripts): (String, _, &[&str]) = if page == 1 {
            (
                data.manifest().title.to_string(),
                Some(Section::Pledges),
                &["assets/site.js"],
            )
        } else {
            (format!("Pledges, page {page} of {total}"), None, &[])
        };
        let html = site.shell.page(root, section, &title, &body, scripts);
        out.write(&list_path(Kind::Pledge, page), html.as_bytes())?;
    }
    Ok(())
}

/// `data/meta.js` (the code lists and the pledgers' names) and
/// `data/pledges-N.js`, [`CHUNK_SIZE`] pledges each, as calls the script
/// receives: a page on `file://` can load a script but not fetch a file.
fn write_filter_data(site: &Site, out: &mut Writer) -> Result<(), Error> {
    let data = site.data;
    let mut actor_ix: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut actors: Vec<Value> = Vec::new();
    for p in data.pledges() {
        for a in &p.pledgers {
            actor_ix.entry(a.as_str()).or_insert_with(|| {
                actors.push(json!([a.as_str(), site.actor_name(a.as_str())]));
                actors.len() - 1
            });
        }
    }
    let n = data.pledges().len();
    let chunks = n.div_ceil(CHUNK_SIZE).max(1);
    let meta = json!({
        "chunks": chunks,
        "total": n,
        "pageSize": PAGE_SIZE,
        "categories": CATEGORIES.iter().map(|c| words(c.as_str())).collect::<Vec<_>>(),
        "statuses": STATUSES.iter().map(|s| words(s.as_str())).collect::<Vec<_>>(),
        "conditions": CONDITIONS.iter().map(|c| words(c.as_str())).collect::<Vec<_>>(),
        "actors": actors,
    });
    out.write(
        "data/meta.js",
        format!("window.PLEDGES_DATA.meta({});\n", script_json(&meta)).as_bytes(),
    )?;
    for chunk in 0..chunks {
        let from = chunk * CHUNK_SIZE;
        let rows: Vec<Value> = data.pledges()[from.min(n)..(from + CHUNK_SIZE).min(n)]
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let i = from + k;
                json!([
                    stem(p.id.as_str()),
                    p.title.as_str(),
                    position(&STATUSES, &p.status),
                    p.categories
                        .iter()
                        .map(|c| position(&CATEGORIES, c))
                        .collect::<Vec<_>>(),
                    p.conditions
                        .iter()
                        .map(|c| position(&CONDITIONS, &c.kind))
                        .collect::<Vec<_>>(),
                    p.pledgers
                        .iter()
                        .map(|a| actor_ix.get(a.as_str()).copied().unwrap_or(0))
                        .collect::<Vec<_>>(),
                    site.credibility[i].get(),
                    u8::from(!site.contested[i].is_empty()),
                ])
            })
            .collect();
        out.write(
            &format!("data/pledges-{chunk}.js"),
            format!(
                "window.PLEDGES_DATA.chunk({chunk}, {});\n",
                script_json(&Value::from(rows))
            )
            .as_bytes(),
        )?;
    }
    Ok(())
}
