//! Recipes R09 and R10, a new column's default without a table rewrite. R10:
//! a required column gets a constant default, which PostgreSQL 11+ stores
//! once in the catalog instead of writing it to every row. R09: a volatile
//! default (a value per row) applies to new rows only, and the existing rows
//! are filled in batches.

use crate::analysis::migration::{COLUMN_CLAUSES, Migration, OpAt, OpKind, base_type};
use crate::finding::{Applicability, Edit, Fix};

use super::backfill::{self, KeysetUpdate};
use super::not_null::Proof;
use super::preamble::local_timeouts;
use super::sql::{Clauses, ident, qualified};
use super::transaction::{self, Phase, Step};

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

/// The fix for `ADD COLUMN c <type> DEFAULT <volatile> [NOT NULL]` (R09): the
/// column is added without its default (catalog only), `SET DEFAULT` gives
/// new rows their value, a batched backfill outside any transaction gives
/// the existing rows theirs, and a NOT NULL column is then proven NOT NULL
/// as R06 does (a constraint added `NOT VALID` after the backfill, not
/// before: it would fail the updates of rows not filled yet).
///
/// The backfill fills the rows whose column is NULL: a NULL a writer stores
/// in between is filled too, where the original statement would have kept
/// it. `None` for a column that carries more than a collation, a default and
/// NULL or NOT NULL (a constraint, identity, generation), which the bare
/// column could not carry over as is, and before PostgreSQL 11 (no `COMMIT`
/// in a `DO` block for the batches).
pub fn volatile_default(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::AddColumn(column) = &at.op.kind else {
        return None;
    };
    let version = m.settings().postgres_version;
    if version < 11
        || column.default.is_none()
        || column.auto_filled
        || column.key
        || column.inline_constraint.is_some()
    {
        return None;
    }
    let table = at.op.table.as_ref()?;
    let (statement, op_span) = m.statement_sql(at)?;
    let statement: &str = &statement;
    // `ALTER TABLE IF EXISTS` does nothing without the table; the steps after
    // it would fail.
    if Clauses::new(statement).is_word(2, "IF") {
        return None;
    }
    let clause = statement.get(op_span.clone())?;
    let bare = BareColumn::read(clause)?;
    let (t, c) = (qualified(table), ident(&column.column));
    let mut add = format!(
        "{}{}{}",
        statement.get(..op_span.start)?,
        bare.clause,
        statement.get(op_span.end..)?
    );
    if !add.trim_end().ends_with(';') {
        add = format!("{};", add.trim_end());
    }
    let default = bare.default;
    let row = ident(&table.name);
    let set = format!("{c} = {default}");
    let filter = format!("{c} IS NULL");
    let mut phases = vec![
        Phase {
            sql: format!("{add}\nALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default};"),
            alone: None,
            down: String::new(),
            outside: false,
            later_deploy: false,
            suffix: "add",
        },
        Phase {
            sql: backfill::keyset_update(&KeysetUpdate {
                table,
                target: &t,
                row: &row,
                set: &set,
                from: None,
                filter: Some(&filter),
                then: "",
            }),
            alone: None,
            down: backfill::FILLED_ONLY.into(),
            outside: true,
            later_deploy: false,
            suffix: "backfill",
        },
    ];
    if bare.not_null {
        let proof = Proof::new(m, at, table, &column.column)?;
        let timeouts = local_timeouts(m, at);
        let proofs = std::slice::from_ref(&proof);
        let (in_place, alone) = (Proof::finish(proofs, false), Proof::finish(proofs, true));
        phases.push(Phase {
            sql: format!("{timeouts}\n{}", proof.add()),
            alone: None,
            down: format!("{timeouts}\n{}", proof.remove()),
            outside: false,
            later_deploy: false,
            suffix: "not_null_check",
        });
        phases.push(Phase {
            alone: (alone != in_place).then_some(alone),
            sql: in_place,
            // NOT NULL goes with the column, when the migration that added
            // it is rolled back; a DROP NOT NULL here would be flagged for
            // the NULLs it lets in.
            down: format!(
                "-- `{}` stays NOT NULL until the migration that added it is rolled back.\nSELECT 1;",
                column.column
            ),
            outside: false,
            later_deploy: false,
            suffix: "set_not_null",
        });
    }
    let then = if bare.not_null {
        ", then prove it NOT NULL"
    } else {
        ""
    };
    transaction::split(
        m,
        at,
        &format!(
            "Add `{}` without its default, SET DEFAULT for new rows, backfill the others in batches{then}",
            column.column
        ),
        Step::Phases(phases),
    )
}

/// An `ADD COLUMN` clause without its `DEFAULT` and `[NOT] NULL`.
struct BareColumn<'a> {
    /// `ADD [COLUMN] [IF NOT EXISTS] name type [COLLATE collation]`.
    clause: String,
    /// The default's expression, as written.
    default: &'a str,
    not_null: bool,
}

impl<'a> BareColumn<'a> {
    /// `None` unless the column's constraints are only `DEFAULT <expr>`,
    /// `NOT NULL`, `NULL` and `COLLATE <name>`.
    fn read(clause: &'a str) -> Option<Self> {
        let c = Clauses::new(clause);
        let end = c.end();
        if !c.is_word(0, "ADD") {
            return None;
        }
        let mut i = 1;
        if c.is_word(i, "COLUMN") {
            i += 1;
        }
        if c.is_word(i, "IF") {
            i += 3;
        }
        // The name, then the type up to the first constraint.
        let type_start = i + 1;
        let mut i = c.find(type_start, &COLUMN_CLAUSES).unwrap_or(end).min(end);
        if i <= type_start {
            return None;
        }
        let mut bare = c.text(0..i).to_string();
        let (mut default, mut not_null) = (None, false);
        while i < end {
            if c.is_word(i, "DEFAULT") && default.is_none() {
                let stop = c.find(i + 2, &COLUMN_CLAUSES).unwrap_or(end).min(end);
                default = Some(c.text(i + 1..stop)).filter(|d| !d.is_empty());
                i = stop;
            } else if c.is_word(i, "NOT") && c.is_word(i + 1, "NULL") {
                not_null = true;
                i += 2;
            } else if c.is_word(i, "NULL") {
                i += 1;
            } else if c.is_word(i, "COLLATE") {
                // `COLLATE name` or `COLLATE schema.name`.
                let mut stop = i + 2;
                while c.is_symbol(stop, ".") {
                    stop += 2;
                }
                let collation = c.text(i..stop.min(end));
                if collation.is_empty() || stop > end {
                    return None;
                }
                bare.push(' ');
                bare.push_str(collation);
                i = stop;
            } else {
                return None;
            }
        }
        Some(BareColumn {
            clause: bare,
            default: default?,
            not_null,
        })
    }
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
    use super::super::testing::fix;
    use super::{BareColumn, zero_value};
    use crate::finding::Applicability;

    const TIMEOUTS: &str = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n";

    #[test]
    fn volatile_default_where_the_runner_wraps_each_file() {
        let text = format!(
            "{TIMEOUTS}ALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n"
        );
        let fixed = fix(
            "db/000002_token.up.sql",
            &text,
            "add-column-volatile-default",
        )
        .unwrap();
        assert_eq!(fixed.applicability, Applicability::Unsafe);
        assert_eq!(
            fixed.title,
            "Add `token` without its default, SET DEFAULT for new rows, backfill the others in batches, \
             then prove it NOT NULL; backfill in `000003_token_backfill.up.sql`, \
             not_null_check in `000004_token_not_null_check.up.sql`, set_not_null in `000005_token_set_not_null.up.sql`"
        );
        assert_eq!(
            fixed.text,
            format!(
                "{TIMEOUTS}ALTER TABLE users ADD COLUMN token uuid;\n\
                 ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n"
            )
        );
        let backfill = fixed.created("db/000003_token_backfill.up.sql");
        assert!(
            backfill.contains(
                "      UPDATE users SET token = gen_random_uuid()\n      FROM batch WHERE users.id = batch.batch_id AND (token IS NULL)\n"
            ),
            "{backfill}"
        );
        // NOT NULL after the backfill, as R06 proves it.
        assert_eq!(
            fixed.created("db/000004_token_not_null_check.up.sql"),
            "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n\
             ALTER TABLE users ADD CONSTRAINT users_token_not_null CHECK (token IS NOT NULL) NOT VALID;\n"
        );
        let set = fixed.created("db/000005_token_set_not_null.up.sql");
        assert!(
            set.contains("ignore[set-not-null-requires-scan] users_token_not_null, validated above")
                && set.ends_with("ALTER TABLE users ALTER COLUMN token SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_token_not_null;\n"),
            "{set}"
        );
    }

    #[test]
    fn volatile_default_in_place_keeps_the_statement_s_other_actions() {
        let text = format!(
            "{TIMEOUTS}ALTER TABLE app.profiles ADD COLUMN a int, ADD COLUMN \"Seed\" double precision COLLATE \"C\" NULL DEFAULT random()\n"
        );
        let fixed = fix("schema/seed.sql", &text, "add-column-volatile-default").unwrap();
        // Nullable: no NOT NULL steps. A missing `;` is added before what follows.
        assert!(
            fixed.text.starts_with(&format!(
                "{TIMEOUTS}BEGIN;\nALTER TABLE app.profiles ADD COLUMN a int, ADD COLUMN \"Seed\" double precision COLLATE \"C\";\n\
                 ALTER TABLE app.profiles ALTER COLUMN \"Seed\" SET DEFAULT random();\nCOMMIT;\n-- Batched"
            )),
            "{}",
            fixed.text
        );
        assert!(fixed.text.contains("UPDATE app.profiles SET \"Seed\" = random()\n      FROM batch WHERE profiles.id = batch.batch_id AND (\"Seed\" IS NULL)"));
        assert!(!fixed.text.contains("NOT NULL;"));
    }

    #[test]
    fn volatile_default_s_later_transactions_keep_the_migration_s_timeouts() {
        let text = "SET lock_timeout = '1500ms';\nALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n";
        let fixed = fix("schema/token.sql", text, "add-column-volatile-default").unwrap();
        assert!(
            fixed.text.contains(
                "BEGIN;\nSET LOCAL lock_timeout = '1500ms';\nSET LOCAL statement_timeout = '60s';\n\
                 ALTER TABLE users ADD CONSTRAINT users_token_not_null CHECK (token IS NOT NULL) NOT VALID;\nCOMMIT;\n\
                 BEGIN;\nSET LOCAL lock_timeout = '1500ms';\nALTER TABLE users VALIDATE CONSTRAINT users_token_not_null;\n\
                 SET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN token SET NOT NULL;\n"
            ),
            "{}",
            fixed.text
        );
    }

    #[test]
    fn volatile_default_refuses_what_the_bare_column_would_lose() {
        for sql in [
            "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid() UNIQUE;",
            "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid() CHECK (c IS NOT NULL);",
            "ALTER TABLE t ADD COLUMN c uuid CONSTRAINT d DEFAULT gen_random_uuid();",
            "ALTER TABLE t ADD COLUMN c bigint DEFAULT nextval('s') REFERENCES u (id);",
            "ALTER TABLE IF EXISTS t ADD COLUMN c uuid DEFAULT gen_random_uuid();",
        ] {
            assert!(
                fix("schema/x.sql", sql, "add-column-volatile-default").is_none(),
                "{sql}"
            );
        }
        for clause in [
            "ADD COLUMN c DEFAULT random()",
            "ADD COLUMN c int",
            "ADD c int COLLATE",
            "",
        ] {
            assert!(BareColumn::read(clause).is_none(), "{clause}");
        }
        let bare = BareColumn::read("add column if not exists c text default md5(random()::text) not null collate pg_catalog.\"C\"").unwrap();
        assert_eq!(
            bare.clause,
            "add column if not exists c text collate pg_catalog.\"C\""
        );
        assert_eq!(bare.default, "md5(random()::text)");
        assert!(bare.not_null);
    }

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
