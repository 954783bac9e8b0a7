//! The committed schemas are exactly what the data model generates.

use ukraine_pledges::schema::{FileKind, to_file_text};

use crate::helpers::root;

#[test]
fn committed_schemas_match_the_data_model() {
    for kind in FileKind::ALL {
        let path = root().join("schema").join(kind.schema_file_name());
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == to_file_text(&kind.schema()),
            "{} is stale: run `cargo run -- schema --write schema`",
            path.display()
        );
    }
}

#[test]
fn generated_schemas_are_valid_draft_2020_12() {
    for kind in FileKind::ALL {
        let schema = kind.schema().to_value();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(jsonschema::meta::is_valid(&schema), "{kind:?}");
    }
}
