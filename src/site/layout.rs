//! The page shell (head, skip link, navigation, footer), file names and links from ids, and JSON made safe inside a script.

use std::fmt::Write as _;

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The kinds of record that have a page, and the folder their pages are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Pledge,
    Actor,
    Source,
    Event,
    Statement,
}

impl Kind {
    pub(crate) const ALL: [Kind; 5] = [
        Kind::Pledge,
        Kind::Actor,
        Kind::Source,
        Kind::Event,
        Kind::Statement,
    ];

    /// The folder of the record pages, and the stem of the list pages.
    pub(crate) fn dir(self) -> &'static str {
        match self {
            Kind::Pledge => "pledges",
            Kind::Actor => "actors",
            Kind::Source => "sources",
            Kind::Event => "events",
            Kind::Statement => "statements",
        }
    }

    /// The plural, for headings.
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Kind::Pledge => "Pledges",
            Kind::Actor => "Actors",
            Kind::Source => "Sources",
            Kind::Event => "Events",
            Kind::Statement => "Statements",
        }
    }
}

/// The file stem for `id`: ids are slugs (`a-z`, `0-9`, `-`), kept as they
/// are; any other byte is written `_XX` (and `_` itself `_5F`), so the stem
/// is unique per id and safe both as a file name and inside a URL.
pub(crate) fn stem(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

/// The path of a record page from the site's root.
pub(crate) fn record_path(kind: Kind, id: &str) -> String {
    format!("{}/{}.html", kind.dir(), stem(id))
}

/// The path of page `page` (from 1) of the list of `kind`, from the root:
/// the pledges' first page is the home page.
pub(crate) fn list_path(kind: Kind, page: usize) -> String {
    if kind == Kind::Pledge && page == 1 {
        "index.html".to_owned()
    } else {
        format!("lists/{}-{page}.html", kind.dir())
    }
}

/// The anchor id of a claim (`/conditions/1` → `claim-conditions-1`).
pub(crate) fn claim_anchor(claim: &str) -> String {
    let mut out = String::from("claim");
    for part in claim.split('/').filter(|p| !p.is_empty()) {
        out.push('-');
        out.push_str(&stem(part));
    }
    out
}

/// JSON for a `<script>`: `<`, `>`, `&`, U+2028 and U+2029 written as
/// `\u` escapes (which only occur inside JSON strings, where the escape
/// means the same), so no text of the data can end the script or be read
/// as markup.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// What the shell of every page needs.
pub(crate) struct Shell<'a> {
    /// The dataset's title, for the header and `<title>`.
    pub(crate) site_title: &'a str,
    /// The dataset's version, for the footer.
    pub(crate) version: &'a str,
    /// Its licence.
    pub(crate) license: &'a str,
}

/// The current section, for `aria-current` in the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Pledges,
    Charts,
    List(Kind),
}

impl Shell<'_> {
    /// A whole page: `root` is the way back to the site's root from the
    /// page (`""` or `"../"`), `title` its one `h1` and `<title>`.
    pub(crate) fn page(
        &self,
        root: &str,
        section: Option<Section>,
        title: &str,
        body: &Markup,
        scripts: &[&str],
    ) -> String {
        let nav: [(Section, String, &str); 6] = [
            (Section::Pledges, list_path(Kind::Pledge, 1), "Pledges"),
            (Section::Charts, "charts.html".to_owned(), "Charts"),
            (
                Section::List(Kind::Actor),
                list_path(Kind::Actor, 1),
                "Actors",
            ),
            (
                Section::List(Kind::Source),
                list_path(Kind::Source, 1),
                "Sources",
            ),
            (
                Section::List(Kind::Event),
                list_path(Kind::Event, 1),
                "Events",
            ),
            (
                Section::List(Kind::Statement),
                list_path(Kind::Statement, 1),
                "Statements",
            ),
        ];
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " – " (self.site_title) }
                    link rel="stylesheet" href={ (root) "assets/site.css" };
                }
                body {
                    a class="skip" href="#main" { "Skip to the content" }
                    header class="site" {
                        p class="site-name" { a href={ (root) "index.html" } { (self.site_title) } }
                        nav aria-label="Sections" {
                            ul {
                                @for (s, href, label) in &nav {
                                    li {
                                        @if section == Some(*s) {
                                            a href={ (root) (href) } aria-current="page" { (label) }
                                        } @else {
                                            a href={ (root) (href) } { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    main id="main" tabindex="-1" {
                        h1 { (title) }
                        (body)
                    }
                    footer class="site" {
                        p {
                            "Dataset version " (self.version) ", data licence " (self.license)
                            ". Built by " code { "pledges site" } " from the canonical JSON; every claim carries a verbatim quote from an archived source."
                        }
                    }
                    @for src in scripts {
                        script src={ (root) (src) } {}
                    }
                }
            }
        }
        .into_string()
    }
}

/// Markup already escaped (built by the highlighter), to embed.
pub(crate) fn raw(html: String) -> PreEscaped<String> {
    PreEscaped(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_injective_and_url_safe() {
        assert_eq!(stem("paris-summit"), "paris-summit");
        assert_eq!(stem("a_b"), "a_5Fb");
        assert_eq!(stem("a/../b"), "a_2F_2E_2E_2Fb");
        assert_eq!(stem("\"<x>"), "_22_3Cx_3E");
        assert_ne!(stem("a_2F"), stem("a/"));
        assert_eq!(claim_anchor("/conditions/1"), "claim-conditions-1");
    }

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let v = serde_json::json!(["</script><!--", "a & b", "\u{2028}\u{2029}", "'\""]);
        let s = script_json(&v);
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!s.contains(bad), "{s}");
        }
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}
