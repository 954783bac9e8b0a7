//! The exports' tables and columns, read from the CSV layout and its data package, with the few tables only the exports have.
//!
//! Every table of [`TABLES`] becomes one table here, its columns typed,
//! required, constrained and described as the data package says (which
//! reads the JSON Schemas); the export adds the values the library derives
//! from each pledge (`pledge_derived`), the flat view (`pledges_flat`),
//! the manifest (`dataset`) and the codebook tables. The SQLite schema,
//! the Datasette metadata and the workbook's headers all come from
//! [`layout`], so a column is declared in one place.

use serde_json::Value;

use crate::schema::subschema_and_def_at;
use crate::tables::{ColumnKind, ORDINAL, Shape, TABLES, Table, collection};
use crate::write::codebook::code_lists;
use crate::write::datapackage::{pointer_of, resource};

/// The type a column holds in SQLite and in a workbook cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SqlType {
    /// Text (ids, codes, dates as ISO text, free text).
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Real,
    /// A boolean, as 0 or 1.
    Boolean,
}

impl SqlType {
    /// The SQLite declared type.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Self::Text => "TEXT",
            Self::Integer | Self::Boolean => "INTEGER",
            Self::Real => "REAL",
        }
    }

    /// The type in words, for the codebook table.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Integer => "integer",
            Self::Real => "number",
            Self::Boolean => "boolean (0 or 1)",
        }
    }
}

/// One column of an exported table or view.
#[derive(Clone, Debug)]
pub(crate) struct ColumnSpec {
    /// The column name, as in the CSV header.
    pub(crate) name: String,
    /// A title a person reads (the workbook's header).
    pub(crate) title: String,
    /// What it holds.
    pub(crate) ty: SqlType,
    /// Whether every row has a value.
    pub(crate) required: bool,
    /// What it means.
    pub(crate) description: String,
    /// The code list its values come from, by name.
    pub(crate) code_list: Option<String>,
    /// The allowed values, for a column with a code list.
    pub(crate) allowed: Vec<String>,
    /// The table whose `id` it names, for a reference.
    pub(crate) references: Option<&'static str>,
    /// The least and the greatest value, where the schema sets them.
    pub(crate) minimum: Option<f64>,
    /// See `minimum`.
    pub(crate) maximum: Option<f64>,
}

/// What an exported table is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A table of the CSV layout.
    Data(&'static Table),
    /// `pledge_derived`: what the library computes from each pledge.
    Derived,
    /// `dataset`: the manifest.
    Manifest,
    /// A codebook table.
    Codebook,
    /// `pledges_flat`, a view.
    Flat,
}

/// One exported table or view.
#[derive(Clone, Debug)]
pub(crate) struct TableSpec {
    /// Its name (a SQLite table, a Datasette table, a worksheet).
    pub(crate) name: &'static str,
    /// What a row is.
    pub(crate) description: String,
    /// Where its rows come from.
    pub(crate) kind: Kind,
    /// Its columns, in order (a child table's key columns first).
    pub(crate) columns: Vec<ColumnSpec>,
    /// The primary key's columns; empty for the view.
    pub(crate) primary_key: Vec<&'static str>,
}

impl TableSpec {
    /// Whether it is a view rather than a table.
    pub(crate) fn is_view(&self) -> bool {
        self.kind == Kind::Flat
    }
}

/// The name of the flat view.
pub(crate) const FLAT: &str = "pledges_flat";

/// A readable title for a column name: `retired_replaced_by` → `Retired
/// replaced by`, `actor_id` → `Actor ID`, `iso_3166` → `ISO 3166`.
pub(crate) fn title_of(name: &str) -> String {
    let words: Vec<String> = name
        .split('_')
        .enumerate()
        .map(|(i, word)| match word {
            "id" | "iso" | "url" => word.to_ascii_uppercase(),
            "sha256" => "SHA-256".to_owned(),
            _ if i == 0 => {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
            _ => word.to_owned(),
        })
        .collect();
    words.join(" ")
}

fn column(name: &str, ty: SqlType, required: bool, description: &str) -> ColumnSpec {
    ColumnSpec {
        name: name.to_owned(),
        title: title_of(name),
        ty,
        required,
        description: description.to_owned(),
        code_list: None,
        allowed: Vec::new(),
        references: None,
        minimum: None,
        maximum: None,
    }
}

/// The export of one table of the CSV layout, from its data-package
/// resource.
fn data_table(table: &'static Table) -> TableSpec {
    let described = resource(table);
    let root = table.kind.schema().to_value();
    let codes = code_lists();
    let fields = described["schema"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let columns = fields
        .iter()
        .map(|field| {
            let name = field["name"].as_str().unwrap_or_default();
            let declared = table.columns.iter().find(|c| c.name == name);
            let ty = match field["type"].as_str() {
                Some("integer") => SqlType::Integer,
                Some("number") => SqlType::Real,
                Some("boolean") => SqlType::Boolean,
                _ => SqlType::Text,
            };
            let constraints = &field["constraints"];
            let mut spec = column(
                name,
                ty,
                constraints["required"] == Value::Bool(true),
                field["description"].as_str().unwrap_or_default(),
            );
            spec.minimum = constraints["minimum"].as_f64();
            spec.maximum = constraints["maximum"].as_f64();
            spec.allowed = constraints["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            spec.code_list = declared
                .and_then(|c| subschema_and_def_at(&root, &pointer_of(table, c)))
                .and_then(|(_, def)| def)
                .filter(|def| codes.iter().any(|list| list.name == *def))
                .map(str::to_owned);
            spec.references = match (declared.map(|c| c.kind), table.shape) {
                (Some(ColumnKind::Reference(kind)), _) => Some(collection(kind)),
                (None, Shape::Child { parent_column, .. }) if name == parent_column => {
                    Some(collection(table.kind))
                }
                _ => None,
            };
            spec
        })
        .collect();
    let primary_key = match table.shape {
        Shape::Main => vec!["id"],
        Shape::Child { parent_column, .. } => vec![parent_column, ORDINAL],
    };
    TableSpec {
        name: table.name,
        description: table.description.to_owned(),
        kind: Kind::Data(table),
        columns,
        primary_key,
    }
}

fn boolean(name: &str, description: &str) -> ColumnSpec {
    column(name, SqlType::Boolean, true, description)
}

fn derived() -> TableSpec {
    let mut pledge = column(
        "pledge_id",
        SqlType::Text,
        true,
        "Id of the pledge (one row per pledge).",
    );
    pledge.references = Some("pledges");
    let mut credibility = column(
        "credibility",
        SqlType::Integer,
        true,
        "Credibility of the pledge's least attested claim: of each claim, the best credibility a supporting quote gives it (an inferred claim counts as 6, cannot be judged); of the pledge, the worst of those. 1 confirmed to 6 cannot be judged.",
    );
    credibility.minimum = Some(1.0);
    credibility.maximum = Some(6.0);
    TableSpec {
        name: "pledge_derived",
        description: "One row per pledge: what the library derives from its evidence (the same as `pledges list` and `pledges show` report), not stated in the data files.".to_owned(),
        kind: Kind::Derived,
        columns: vec![
            pledge,
            column("claim_count", SqlType::Integer, true, "How many claims the pledge makes: each pledger, role, category, status report, condition, link and quantity, and the beneficiary, commitment, event and date when given."),
            credibility,
            boolean("contested", "1 when the sources disagree on one of its claims (a quote supports it and another contradicts it, or the status reports differ), else 0."),
            column("contested_claims", SqlType::Text, false, "The claims the sources disagree on, as pointers into the record separated by spaces (e.g. /status /conditions/0); empty when none."),
            boolean("relies_on_us", "1 when a condition makes it depend on the United States (kind us_backstop, or a condition whose actor is the state with ISO code US or acts for it), else 0."),
            column("quantities", SqlType::Text, false, "The amounts pledged in words, in order, separated by \"; \" (e.g. 480 infantry vehicles per year; an unstated amount of EUR), as the site and `pledges show` word them; empty when none."),
        ],
        primary_key: vec!["pledge_id"],
    }
}

fn manifest() -> TableSpec {
    let text = |name, description| column(name, SqlType::Text, true, description);
    TableSpec {
        name: "dataset",
        description:
            "One row: the dataset this export was made from (its manifest, `dataset.json`)."
                .to_owned(),
        kind: Kind::Manifest,
        columns: vec![
            text("name", "Machine name of the dataset."),
            text("title", "Human title."),
            text("description", "What the dataset holds."),
            text(
                "version",
                "The dataset's semantic version (see CHANGELOG.md).",
            ),
            text(
                "schema_version",
                "The version of the schemas the data follows.",
            ),
            text("license", "SPDX licence id of the data."),
        ],
        primary_key: vec!["name"],
    }
}

fn codebook() -> [TableSpec; 4] {
    let text = |name, required, description| column(name, SqlType::Text, required, description);
    let refers = |mut spec: ColumnSpec, table| {
        spec.references = Some(table);
        spec
    };
    let mut ordinal = column(
        ORDINAL,
        SqlType::Integer,
        true,
        "Position in the table or list, from 1.",
    );
    ordinal.minimum = Some(1.0);
    [
        TableSpec {
            name: "codebook_tables",
            description: "One row per table or view of this export: what a row is.".to_owned(),
            kind: Kind::Codebook,
            columns: vec![
                text("name", true, "The table's or view's name."),
                text("type", true, "table or view."),
                text("description", true, "What a row is."),
            ],
            primary_key: vec!["name"],
        },
        TableSpec {
            name: "codebook",
            description: "One row per column of every table and view of this export: its type, whether it is required, the code list or the table its values come from, and what it means.".to_owned(),
            kind: Kind::Codebook,
            columns: vec![
                refers(text("table_name", true, "The table or view."), "codebook_tables"),
                ordinal.clone(),
                text("column_name", true, "The column's name."),
                text("title", true, "The column's title in the workbook."),
                text("type", true, "text, integer, number or boolean (0 or 1); dates are ISO text: YYYY, YYYY-MM or YYYY-MM-DD."),
                boolean("required", "1 when every row has a value, else 0 (an empty value is unknown)."),
                refers(text("code_list", false, "The code list its values come from (see codes)."), "code_lists"),
                text("references", false, "The table whose id it names."),
                text("description", true, "What the column means."),
            ],
            primary_key: vec!["table_name", ORDINAL],
        },
        TableSpec {
            name: "code_lists",
            description: "One row per code list: the closed lists of values that coded columns hold.".to_owned(),
            kind: Kind::Codebook,
            columns: vec![
                text("name", true, "The list's name, e.g. ConditionKind."),
                text("description", false, "What the list is."),
            ],
            primary_key: vec!["name"],
        },
        TableSpec {
            name: "codes",
            description: "One row per value of a code list, with its meaning.".to_owned(),
            kind: Kind::Codebook,
            columns: vec![
                refers(text("list", true, "The code list."), "code_lists"),
                ordinal,
                text("value", true, "The value, written exactly as the data holds it."),
                text("meaning", false, "What it means."),
            ],
            primary_key: vec!["list", ORDINAL],
        },
    ]
}

/// One column of the flat view: its spec and the SQL that gives it, over
/// `pledges AS p` joined to `pledge_derived AS d`.
pub(crate) struct FlatColumn {
    /// The column name.
    pub(crate) name: &'static str,
    /// The workbook's header.
    pub(crate) title: &'static str,
    /// What it holds.
    pub(crate) ty: SqlType,
    /// What it means.
    pub(crate) description: &'static str,
    /// The expression.
    pub(crate) sql: &'static str,
}

/// The columns of `pledges_flat`: one row per pledge, its lists joined
/// into text, for reading without joins.
pub(crate) const FLAT_COLUMNS: &[FlatColumn] = &[
    FlatColumn {
        name: "id",
        title: "ID",
        ty: SqlType::Text,
        description: "Stable id of the pledge.",
        sql: "p.id",
    },
    FlatColumn {
        name: "title",
        title: "Title",
        ty: SqlType::Text,
        description: "Short title.",
        sql: "p.title",
    },
    FlatColumn {
        name: "primary_category",
        title: "Primary category",
        ty: SqlType::Text,
        description: "What the pledge is mainly about: its first category.",
        sql: "(SELECT c.category FROM pledge_categories AS c WHERE c.pledge_id = p.id AND c.ordinal = 1)",
    },
    FlatColumn {
        name: "categories",
        title: "Categories",
        ty: SqlType::Text,
        description: "All its categories, the primary first, separated by \"; \".",
        sql: "(SELECT group_concat(category, '; ') FROM (SELECT c.category FROM pledge_categories AS c WHERE c.pledge_id = p.id ORDER BY c.ordinal))",
    },
    FlatColumn {
        name: "status",
        title: "Status",
        ty: SqlType::Text,
        description: "How far the pledge has got (see pledge_status_reports for each source's report).",
        sql: "p.status",
    },
    FlatColumn {
        name: "commitment",
        title: "Commitment",
        ty: SqlType::Text,
        description: "How binding the pledge is; empty when the sources do not say.",
        sql: "p.commitment",
    },
    FlatColumn {
        name: "pledgers",
        title: "Pledgers",
        ty: SqlType::Text,
        description: "The names of the actors making the pledge, in order, separated by \"; \".",
        sql: "(SELECT group_concat(name, '; ') FROM (SELECT a.name FROM pledge_pledgers AS x JOIN actors AS a ON a.id = x.actor_id WHERE x.pledge_id = p.id ORDER BY x.ordinal))",
    },
    FlatColumn {
        name: "pledger_ids",
        title: "Pledger IDs",
        ty: SqlType::Text,
        description: "Their ids, in the same order, separated by \"; \".",
        sql: "(SELECT group_concat(actor_id, '; ') FROM (SELECT x.actor_id FROM pledge_pledgers AS x WHERE x.pledge_id = p.id ORDER BY x.ordinal))",
    },
    FlatColumn {
        name: "beneficiary",
        title: "Beneficiary",
        ty: SqlType::Text,
        description: "Id of the actor the pledge is for; empty when the sources do not say.",
        sql: "p.beneficiary",
    },
    FlatColumn {
        name: "condition_kinds",
        title: "Condition kinds",
        ty: SqlType::Text,
        description: "The kinds of its conditions, in order, separated by \"; \"; empty when it has none.",
        sql: "(SELECT group_concat(kind, '; ') FROM (SELECT k.kind FROM pledge_conditions AS k WHERE k.pledge_id = p.id ORDER BY k.ordinal))",
    },
    FlatColumn {
        name: "after_ceasefire",
        title: "Conditional on a ceasefire",
        ty: SqlType::Boolean,
        description: "1 when it is conditional on a ceasefire (it has a condition of kind ceasefire; the condition's text says whether only then), else 0.",
        sql: "EXISTS (SELECT 1 FROM pledge_conditions AS k WHERE k.pledge_id = p.id AND k.kind = 'ceasefire')",
    },
    FlatColumn {
        name: "after_peace_agreement",
        title: "Conditional on a peace agreement",
        ty: SqlType::Boolean,
        description: "1 when it is conditional on a peace agreement (it has a condition of kind peace_agreement), else 0.",
        sql: "EXISTS (SELECT 1 FROM pledge_conditions AS k WHERE k.pledge_id = p.id AND k.kind = 'peace_agreement')",
    },
    FlatColumn {
        name: "relies_on_us",
        title: "Relies on the United States",
        ty: SqlType::Boolean,
        description: "1 when a condition makes it depend on the United States (kind us_backstop, or a condition whose actor is the state with ISO code US or acts for it), else 0.",
        sql: "d.relies_on_us",
    },
    FlatColumn {
        name: "quantities",
        title: "Quantities",
        ty: SqlType::Text,
        description: "The amounts pledged in words, in order, separated by \"; \" (e.g. 480 infantry vehicles per year; an unstated amount of EUR).",
        sql: "d.quantities",
    },
    FlatColumn {
        name: "event_id",
        title: "Event ID",
        ty: SqlType::Text,
        description: "Id of the event at which it was made; empty when the sources tie it to none.",
        sql: "p.event_id",
    },
    FlatColumn {
        name: "announced",
        title: "Announced",
        ty: SqlType::Text,
        description: "When announced: YYYY, YYYY-MM or YYYY-MM-DD; empty when the sources do not say.",
        sql: "p.announced",
    },
    FlatColumn {
        name: "sources",
        title: "Sources",
        ty: SqlType::Text,
        description: "Ids of the sources its quotes come from, each once, in the order first quoted, separated by \"; \".",
        sql: "(SELECT group_concat(source_id, '; ') FROM (SELECT e.source_id FROM pledge_evidence AS e WHERE e.pledge_id = p.id GROUP BY e.source_id ORDER BY min(e.ordinal)))",
    },
    FlatColumn {
        name: "evidence_count",
        title: "Quotes",
        ty: SqlType::Integer,
        description: "How many quotes attest it.",
        sql: "(SELECT count(*) FROM pledge_evidence AS e WHERE e.pledge_id = p.id)",
    },
    FlatColumn {
        name: "credibility",
        title: "Credibility (least attested claim)",
        ty: SqlType::Integer,
        description: "Credibility of its least attested claim, 1 confirmed to 6 cannot be judged (see pledge_derived).",
        sql: "d.credibility",
    },
    FlatColumn {
        name: "contested_claims",
        title: "Contested claims",
        ty: SqlType::Text,
        description: "The claims the sources disagree on, as pointers separated by spaces; empty when none.",
        sql: "d.contested_claims",
    },
    FlatColumn {
        name: "retired_reason",
        title: "Retired",
        ty: SqlType::Text,
        description: "Why the record is retired (withdrawn or superseded); empty while it is current.",
        sql: "p.retired_reason",
    },
];

fn flat() -> TableSpec {
    TableSpec {
        name: FLAT,
        description: "One row per pledge, its lists joined into text, to read without joins (a view over the tables; the tables hold each list item by item).".to_owned(),
        kind: Kind::Flat,
        columns: FLAT_COLUMNS
            .iter()
            .map(|c| {
                let mut spec = column(c.name, c.ty, false, c.description);
                c.title.clone_into(&mut spec.title);
                spec
            })
            .collect(),
        primary_key: Vec::new(),
    }
}

/// Every table and view of the exports, in order: the flat view, the
/// tables of the CSV layout, then the derived values, the manifest and the
/// codebook.
pub(crate) fn layout() -> Vec<TableSpec> {
    let mut specs = vec![flat()];
    specs.extend(TABLES.iter().map(data_table));
    specs.push(derived());
    specs.push(manifest());
    specs.extend(codebook());
    specs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_words() {
        assert_eq!(title_of("retired_replaced_by"), "Retired replaced by");
        assert_eq!(title_of("actor_id"), "Actor ID");
        assert_eq!(title_of("iso_3166"), "ISO 3166");
        assert_eq!(title_of("archive_sha256"), "Archive SHA-256");
    }

    #[test]
    fn every_table_has_a_unique_name_excel_can_take_and_described_columns() {
        let specs = layout();
        for (i, spec) in specs.iter().enumerate() {
            assert!(spec.name.len() <= 31, "{}", spec.name);
            assert!(
                specs[..i].iter().all(|s| s.name != spec.name),
                "{}",
                spec.name
            );
            assert!(!spec.description.is_empty(), "{}", spec.name);
            for column in &spec.columns {
                assert!(
                    !column.description.is_empty(),
                    "{}.{}",
                    spec.name,
                    column.name
                );
                for key in &spec.primary_key {
                    assert!(spec.columns.iter().any(|c| c.name == *key), "{key}");
                }
            }
        }
    }

    #[test]
    fn coded_columns_name_their_code_list() {
        let specs = layout();
        let conditions = specs
            .iter()
            .find(|s| s.name == "pledge_conditions")
            .unwrap();
        let kind = conditions
            .columns
            .iter()
            .find(|c| c.name == "kind")
            .unwrap();
        assert_eq!(kind.code_list.as_deref(), Some("ConditionKind"));
        assert!(kind.allowed.iter().any(|v| v == "ceasefire"));
        let actor = conditions
            .columns
            .iter()
            .find(|c| c.name == "actor_id")
            .unwrap();
        assert_eq!(actor.references, Some("actors"));
    }
}
