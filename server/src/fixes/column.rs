//! Recipe R10: a required column gets a constant default, which PostgreSQL
//! 11+ stores once in the catalog instead of writing it to every row.

use crate::analysis::migration::{Migration, OpAt, OpKind, base_type};
use crate::finding::{Applicability, Edit, Fix};

/// `ADD COLUMN c <type> NOT NULL` → `... NOT NULL DEFAULT <the type's zero>`,
/// for the types that have an obvious one. Unsafe: the value is a choice the
/// author must confirm.
pub fn constant_default(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::AddColumn(column) = &at.op.kind else {
        return None;
    };
    if m.settings().postgres_version < 11 || column.default.is_some() {
        return None;
    }
    let zero = zero_value(&column.data_type)?;
    let end = at.statement.span.start + at.op.span.end;
    Some(Fix {
        title: format!("Add `DEFAULT {zero}` (stored once, no rewrite)").into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::insert(end, format!(" DEFAULT {zero}"))],
    })
}

/// The constant a new row of this type would most plausibly start from.
fn zero_value(data_type: &str) -> Option<&'static str> {
    if data_type.trim_end().ends_with("[]") {
        return Some("'{}'");
    }
    let base = base_type(data_type).to_ascii_lowercase();
    Some(match base.as_str() {
        "bool" | "boolean" => "false",
        "smallint" | "int2" | "integer" | "int" | "int4" | "bigint" | "int8" | "numeric"
        | "decimal" | "real" | "float4" | "double precision" | "float8" | "money" => "0",
        "text" | "varchar" | "character varying" | "char" | "character" | "citext" | "bpchar" => {
            "''"
        }
        "json" | "jsonb" => "'{}'",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::zero_value;

    #[test]
    fn zeros_by_type() {
        assert_eq!(zero_value("boolean"), Some("false"));
        assert_eq!(zero_value("BIGINT"), Some("0"));
        assert_eq!(zero_value("varchar(20)"), Some("''"));
        assert_eq!(zero_value("text[]"), Some("'{}'"));
        assert_eq!(zero_value("jsonb"), Some("'{}'"));
        assert_eq!(zero_value("uuid"), None);
        assert_eq!(zero_value("timestamptz"), None);
    }
}
