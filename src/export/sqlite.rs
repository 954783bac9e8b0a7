//! The dataset as a SQLite database: a table per record type and list, with keys, foreign keys and checks; the flat view; the codebook.
//!
//! The layout is [`TABLES`](crate::tables::TABLES)' (one table per record
//! type and per list, a child row keyed by its parent's id and its
//! `ordinal`), typed from the data package: `TEXT` for ids, codes, free
//! text and dates (ISO text, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`), `INTEGER`
//! and `REAL` for numbers, booleans as 0 or 1 with a `CHECK`. Every
//! reference is a `FOREIGN KEY`, every coded column has a `CHECK` that it
//! holds one of its codes, and each column's description is a comment in
//! its `CREATE TABLE` (which `.schema` shows) and a row of the `codebook`
//! table. Besides them: `pledge_derived` (the credibility and the contested
//! claims the library derives from each pledge), `dataset` (the manifest),
//! `codebook_tables`, `codebook`, `code_lists` and `codes`, and the view
//! `pledges_flat`, one row per pledge for reading without joins.
//!
//! The schema avoids what older SQLite libraries cannot read (`STRICT`
//! tables, `ORDER BY` inside an aggregate: lists are joined from ordered
//! subqueries), so the system SQLite of an older Python or R opens it and
//! reads the view (checked with 3.40).

use std::fmt::Write as _;
use std::path::Path;

use rusqlite::types::Null;
use rusqlite::{Connection, Statement};

use super::layout::{FLAT, FLAT_COLUMNS, Kind, SqlType, TableSpec, layout};
use crate::dataset::Dataset;
use crate::error::Error;
use crate::tables::{Cell, Row, Table};
use crate::write::codebook::code_lists;
use crate::write::{RowSink, table_rows};

/// A question the database answers in one query; the Datasette metadata
/// offers each as a canned query.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Query {
    /// Its name, e.g. `after_ceasefire` (a Datasette URL).
    pub name: &'static str,
    /// The question.
    pub title: &'static str,
    /// What the answer holds and how the query reads the data.
    pub description: &'static str,
    /// The query.
    pub sql: &'static str,
}

/// The analysts' questions, each as one query over the export's tables.
pub const QUERIES: &[Query] = &[
    Query {
        name: "after_ceasefire",
        title: "Which pledges are conditional on a ceasefire?",
        description: "Pledges with a condition of kind ceasefire, with the condition in words.",
        sql: "SELECT p.id, p.title, p.status, c.text AS condition\nFROM pledges AS p\nJOIN pledge_conditions AS c ON c.pledge_id = p.id\nWHERE c.kind = 'ceasefire' AND p.retired_reason IS NULL\nORDER BY p.id, c.ordinal",
    },
    Query {
        name: "states_pledging_troops",
        title: "Which states pledge troops?",
        description: "States among the pledgers of a pledge in the category troop_deployment (as its primary category or another), with those pledges.",
        sql: "SELECT a.id, a.name, count(DISTINCT x.pledge_id) AS pledges,\n  group_concat(DISTINCT x.pledge_id) AS pledge_ids\nFROM pledge_pledgers AS x\nJOIN actors AS a ON a.id = x.actor_id\nWHERE a.kind = 'state'\n  AND x.pledge_id IN (SELECT pledge_id FROM pledge_categories WHERE category = 'troop_deployment')\n  AND x.pledge_id IN (SELECT id FROM pledges WHERE retired_reason IS NULL)\nGROUP BY a.id, a.name\nORDER BY a.id",
    },
    Query {
        name: "quantities",
        title: "Every quantity pledged, with its unit",
        description: "Each amount of each pledge: the number (empty when the sources give none), its unit (what is counted, the currency, the unit of time, or percent for a share) and the period it recurs over.",
        sql: "SELECT q.pledge_id, p.title, q.ordinal, q.kind, q.amount,\n  coalesce(q.unit, q.currency, q.time_unit, CASE q.kind WHEN 'share' THEN 'percent' END) AS unit,\n  q.per\nFROM pledge_quantities AS q\nJOIN pledges AS p ON p.id = q.pledge_id\nWHERE p.retired_reason IS NULL\nORDER BY q.pledge_id, q.ordinal",
    },
    Query {
        name: "pledges_per_source",
        title: "How many pledges does each source attest?",
        description: "For each source, the number of pledges one of its quotes attests, and the number of its quotes; sources that attest none count 0.",
        sql: "SELECT s.id, s.title, s.reliability_grade,\n  count(DISTINCT e.pledge_id) AS pledges, count(e.pledge_id) AS quotes\nFROM sources AS s\nLEFT JOIN pledge_evidence AS e ON e.source_id = s.id\n  AND e.pledge_id IN (SELECT id FROM pledges WHERE retired_reason IS NULL)\nGROUP BY s.id, s.title, s.reliability_grade\nORDER BY pledges DESC, s.id",
    },
    Query {
        name: "relies_on_us",
        title: "What relies on the United States?",
        description: "Conditions that make a pledge depend on the United States: of kind us_backstop, or whose actor is the state with ISO code US or acts for it (as Dataset::relies_on_us and the flat view's relies_on_us decide).",
        sql: "WITH RECURSIVE us(id) AS (\n  SELECT id FROM actors WHERE iso_3166 = 'US'\n  UNION SELECT a.id FROM actors AS a JOIN us ON a.affiliation = us.id\n)\nSELECT p.id, p.title, c.ordinal, c.kind, c.text AS condition\nFROM pledge_conditions AS c\nJOIN pledges AS p ON p.id = c.pledge_id\nWHERE p.retired_reason IS NULL\n  AND (c.kind = 'us_backstop' OR c.actor_id IN (SELECT id FROM us))\nORDER BY p.id, c.ordinal",
    },
    Query {
        name: "contested",
        title: "Which pledges do the sources disagree on?",
        description: "Pledges with a contested claim (a quote supports it and another contradicts it, or the status reports differ), with those claims and the pledge's credibility.",
        sql: "SELECT p.id, p.title, d.contested_claims, d.credibility\nFROM pledges AS p\nJOIN pledge_derived AS d ON d.pledge_id = p.id\nWHERE d.contested = 1 AND p.retired_reason IS NULL\nORDER BY p.id",
    },
];

/// Writes `dataset` to `path` as a SQLite database. The database is built
/// in a temporary file beside `path` and renamed into place when complete,
/// so `path` never holds half a database; a file already at `path` is
/// replaced.
///
/// # Errors
/// [`ErrorKind::NotAFile`](crate::ErrorKind::NotAFile) when `path` is a
/// directory, a symbolic link or anything but a regular file; an I/O
/// error, or [`ErrorKind::Export`](crate::ErrorKind::Export) when SQLite
/// refuses a statement.
pub fn write(dataset: &Dataset, path: &Path) -> Result<(), Error> {
    super::replace_file(path, |temporary, _| {
        let connection = Connection::open(temporary).map_err(|e| sqlite_error(path, &e))?;
        // Nothing to roll back to: a failed build is thrown away whole.
        connection
            .execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            .and_then(|()| fill(&connection, dataset))
            .map_err(|e| sqlite_error(path, &e))?;
        connection.close().map_err(|(_, e)| sqlite_error(path, &e))
    })
}

/// The database of `dataset`, in memory (what the workbook is written from).
pub(crate) fn in_memory(dataset: &Dataset, path: &Path) -> Result<Connection, Error> {
    let connection = Connection::open_in_memory().map_err(|e| sqlite_error(path, &e))?;
    fill(&connection, dataset).map_err(|e| sqlite_error(path, &e))?;
    Ok(connection)
}

fn sqlite_error(path: &Path, error: &rusqlite::Error) -> Error {
    Error::export(path, format!("SQLite: {error}"))
}

/// An identifier, quoted.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A description as a one-line SQL comment.
fn comment(text: &str) -> String {
    format!(
        "-- {}",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The `CREATE TABLE` of `spec`, a comment on each column.
fn create_table(spec: &TableSpec) -> String {
    let mut lines = Vec::new();
    for column in &spec.columns {
        let name = quoted(&column.name);
        let mut line = format!("{name} {}", column.ty.sql());
        if column.required {
            line.push_str(" NOT NULL");
        }
        let mut checks = Vec::new();
        if column.ty == SqlType::Boolean {
            checks.push(format!("{name} IN (0, 1)"));
        }
        if !column.allowed.is_empty() {
            let values: Vec<String> = column.allowed.iter().map(|v| literal(v)).collect();
            checks.push(format!("{name} IN ({})", values.join(", ")));
        }
        if let Some(min) = column.minimum {
            checks.push(format!("{name} >= {min}"));
        }
        if let Some(max) = column.maximum {
            checks.push(format!("{name} <= {max}"));
        }
        if !checks.is_empty() {
            let _ = write!(line, " CHECK ({})", checks.join(" AND "));
        }
        if let Some(target) = column.references {
            // The codebook's tables are keyed by name, the records by id.
            let key = if matches!(target, "codebook_tables" | "code_lists") {
                "name"
            } else {
                "id"
            };
            let _ = write!(line, " REFERENCES {} ({})", quoted(target), quoted(key));
        }
        lines.push((line, comment(&column.description)));
    }
    let key: Vec<String> = spec.primary_key.iter().map(|k| quoted(k)).collect();
    lines.push((format!("PRIMARY KEY ({})", key.join(", ")), String::new()));
    let mut sql = format!(
        "CREATE TABLE {} ( {}\n",
        quoted(spec.name),
        comment(&spec.description)
    );
    let last = lines.len() - 1;
    for (i, (line, note)) in lines.into_iter().enumerate() {
        let comma = if i == last { "" } else { "," };
        let space = if note.is_empty() { "" } else { " " };
        let _ = writeln!(sql, "  {line}{comma}{space}{note}");
    }
    sql.push(')');
    sql
}

/// The `CREATE VIEW` of the flat view.
fn create_view(spec: &TableSpec) -> String {
    let mut sql = format!(
        "CREATE VIEW {} AS {}\nSELECT\n",
        quoted(FLAT),
        comment(&spec.description)
    );
    let last = FLAT_COLUMNS.len() - 1;
    for (i, column) in FLAT_COLUMNS.iter().enumerate() {
        let comma = if i == last { "" } else { "," };
        let _ = writeln!(
            sql,
            "  {} AS {}{comma} {}",
            column.sql,
            quoted(column.name),
            comment(column.description)
        );
    }
    sql.push_str(
        "FROM \"pledges\" AS p\nLEFT JOIN \"pledge_derived\" AS d ON d.pledge_id = p.id\nORDER BY p.id",
    );
    sql
}

/// The statements that make the (empty) schema: tables, then the view.
/// Indexes on the references come after the rows (see [`indexes`]).
pub(crate) fn schema(specs: &[TableSpec]) -> Vec<String> {
    let mut statements: Vec<String> = specs
        .iter()
        .filter(|s| !s.is_view())
        .map(create_table)
        .collect();
    statements.extend(specs.iter().filter(|s| s.is_view()).map(create_view));
    statements
}

/// An index on each reference that does not lead the primary key, for
/// the joins an analyst makes.
fn indexes(specs: &[TableSpec]) -> Vec<String> {
    let mut statements = Vec::new();
    for spec in specs.iter().filter(|s| !s.is_view()) {
        for column in spec.columns.iter().filter(|c| c.references.is_some()) {
            if spec.primary_key.first() == Some(&column.name.as_str()) {
                continue;
            }
            statements.push(format!(
                "CREATE INDEX {} ON {} ({})",
                quoted(&format!("{}_{}", spec.name, column.name)),
                quoted(spec.name),
                quoted(&column.name)
            ));
        }
    }
    statements
}

/// Creates the schema in `connection` and fills it from `dataset`, in one
/// transaction. The foreign keys are checked once, at the end (a record
/// may name one of a table filled later).
fn fill(connection: &Connection, dataset: &Dataset) -> rusqlite::Result<()> {
    let specs = layout();
    connection.execute_batch("PRAGMA foreign_keys = OFF; BEGIN")?;
    for statement in schema(&specs) {
        connection.execute_batch(&statement)?;
    }
    for spec in specs.iter().filter(|s| !s.is_view()) {
        let mut insert = Insert::new(connection, spec)?;
        match spec.kind {
            Kind::Data(table) => table_rows(table, dataset, &mut insert)?,
            Kind::Derived => derived_rows(dataset, &mut insert)?,
            Kind::Manifest => {
                let m = dataset.manifest();
                insert.values(&[
                    Some(m.name.as_str()),
                    Some(m.title.as_str()),
                    Some(m.description.as_str()),
                    Some(m.version.as_str()),
                    Some(m.schema_version.as_str()),
                    Some(m.license.as_str()),
                ])?;
            }
            Kind::Codebook => codebook_rows(spec.name, &specs, &mut insert)?,
            Kind::Flat => {}
        }
    }
    for statement in indexes(&specs) {
        connection.execute_batch(&statement)?;
    }
    // A valid dataset breaks none; a broken one would be a bug here.
    let broken: Option<String> = connection
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |row| row.get(0))?
        .next()
        .transpose()?;
    if let Some(table) = broken {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!("a row of {table} names a record that is not there")),
        ));
    }
    connection.execute_batch("COMMIT; PRAGMA foreign_keys = ON")
}

fn derived_rows(dataset: &Dataset, insert: &mut Insert<'_>) -> rusqlite::Result<()> {
    for pledge in dataset.pledges() {
        let contested = pledge.contested_claims();
        let count = pledge.claim_count().to_string();
        let credibility = pledge.credibility().to_string();
        let joined = contested.join(" ");
        let quantities = pledge
            .quantities
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        insert.values(&[
            Some(pledge.id.as_str()),
            Some(&count),
            Some(&credibility),
            Some(if contested.is_empty() { "0" } else { "1" }),
            (!contested.is_empty()).then_some(joined.as_str()),
            Some(if dataset.relies_on_us(pledge) {
                "1"
            } else {
                "0"
            }),
            (!quantities.is_empty()).then_some(quantities.as_str()),
        ])?;
    }
    Ok(())
}

fn codebook_rows(name: &str, specs: &[TableSpec], insert: &mut Insert<'_>) -> rusqlite::Result<()> {
    match name {
        "codebook_tables" => {
            for spec in specs {
                let kind = if spec.is_view() { "view" } else { "table" };
                insert.values(&[Some(spec.name), Some(kind), Some(&spec.description)])?;
            }
        }
        "codebook" => {
            for spec in specs {
                for (i, column) in spec.columns.iter().enumerate() {
                    let ordinal = (i + 1).to_string();
                    insert.values(&[
                        Some(spec.name),
                        Some(&ordinal),
                        Some(&column.name),
                        Some(&column.title),
                        Some(column.ty.word()),
                        Some(if column.required { "1" } else { "0" }),
                        column.code_list.as_deref(),
                        column.references,
                        Some(&column.description),
                    ])?;
                }
            }
        }
        "code_lists" => {
            for list in code_lists() {
                insert.values(&[Some(&list.name), list.description.as_deref()])?;
            }
        }
        "codes" => {
            for list in code_lists() {
                for (i, (value, meaning)) in list.codes.iter().enumerate() {
                    let ordinal = (i + 1).to_string();
                    insert.values(&[
                        Some(&list.name),
                        Some(&ordinal),
                        Some(value),
                        meaning.as_deref(),
                    ])?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The prepared insert of one table, and its columns' types.
struct Insert<'c> {
    statement: Statement<'c>,
    types: Vec<SqlType>,
    /// A buffer for cells written with `Display`.
    shown: String,
}

impl<'c> Insert<'c> {
    fn new(connection: &'c Connection, spec: &TableSpec) -> rusqlite::Result<Self> {
        let places: Vec<String> = (1..=spec.columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} VALUES ({})",
            quoted(spec.name),
            places.join(", ")
        );
        Ok(Self {
            statement: connection.prepare(&sql)?,
            types: spec.columns.iter().map(|c| c.ty).collect(),
            shown: String::new(),
        })
    }

    /// Binds `text` as parameter `index` (from 1), as the column's type.
    fn bind(&mut self, index: usize, text: &str) -> rusqlite::Result<()> {
        let ty = self.types.get(index - 1).copied().unwrap_or(SqlType::Text);
        match ty {
            SqlType::Integer | SqlType::Boolean => match text.parse::<i64>() {
                Ok(n) => self.statement.raw_bind_parameter(index, n),
                Err(_) => self.statement.raw_bind_parameter(index, text),
            },
            SqlType::Real => match text.parse::<f64>() {
                Ok(n) => self.statement.raw_bind_parameter(index, n),
                Err(_) => self.statement.raw_bind_parameter(index, text),
            },
            SqlType::Text => self.statement.raw_bind_parameter(index, text),
        }
    }

    /// Inserts one row of values given as text (`None` is null).
    fn values(&mut self, values: &[Option<&str>]) -> rusqlite::Result<()> {
        for (i, value) in values.iter().enumerate() {
            match value {
                Some(text) => self.bind(i + 1, text)?,
                None => self.statement.raw_bind_parameter(i + 1, Null)?,
            }
        }
        self.statement.raw_execute().map(drop)
    }
}

impl RowSink for Insert<'_> {
    type Error = rusqlite::Error;

    fn row<R: Row>(
        &mut self,
        table: &Table,
        key: Option<(&str, usize)>,
        row: &R,
    ) -> rusqlite::Result<()> {
        let mut index = 1;
        if let Some((parent, ordinal)) = key {
            self.statement.raw_bind_parameter(1, parent)?;
            self.statement
                .raw_bind_parameter(2, i64::try_from(ordinal).unwrap_or(i64::MAX))?;
            index = 3;
        }
        for column in 0..table.columns.len() {
            match row.cell(column) {
                Cell::Empty => self.statement.raw_bind_parameter(index, Null)?,
                Cell::Text(text) => self.bind(index, text)?,
                Cell::Shown(value) => {
                    let mut shown = std::mem::take(&mut self.shown);
                    shown.clear();
                    let _ = write!(shown, "{value}");
                    let bound = self.bind(index, &shown);
                    self.shown = shown;
                    bound?;
                }
            }
            index += 1;
        }
        self.statement.raw_execute().map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(dataset: &Dataset) -> Connection {
        in_memory(dataset, Path::new("test.db")).unwrap()
    }

    fn count(connection: &Connection, sql: &str) -> i64 {
        connection.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn every_table_of_the_layout_holds_one_row_per_csv_row() {
        let dataset = crate::generate::dataset(40, 7);
        let connection = database(&dataset);
        for (table, (_, bytes)) in crate::tables::TABLES
            .iter()
            .zip(crate::write::csv_tables(&dataset))
        {
            let rows = csv::Reader::from_reader(bytes.as_slice()).records().count();
            let sql = format!("SELECT count(*) FROM {}", quoted(table.name));
            assert_eq!(count(&connection, &sql), rows as i64, "{}", table.name);
        }
        assert_eq!(
            count(&connection, "SELECT count(*) FROM pledges_flat"),
            dataset.pledges().len() as i64
        );
    }

    #[test]
    fn foreign_keys_hold_and_the_schema_passes_an_integrity_check() {
        let dataset = crate::generate::dataset(60, 3);
        let connection = database(&dataset);
        let broken: Vec<String> = connection
            .prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(broken, Vec::<String>::new());
        let ok: String = connection
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }

    #[test]
    fn a_code_outside_its_list_is_refused_by_the_checks() {
        let dataset = crate::generate::dataset(5, 1);
        let connection = database(&dataset);
        let refused = connection.execute("UPDATE pledges SET status = 'promised'", []);
        assert!(refused.is_err(), "{refused:?}");
        let refused = connection.execute("UPDATE pledge_derived SET contested = 2", []);
        assert!(refused.is_err(), "{refused:?}");
    }

    #[test]
    fn every_canned_query_runs() {
        let dataset = crate::generate::dataset(30, 2);
        let connection = database(&dataset);
        for query in QUERIES {
            let mut statement = connection.prepare(query.sql).unwrap();
            let mut rows = statement.query([]).unwrap();
            while rows.next().unwrap().is_some() {}
        }
    }
}
