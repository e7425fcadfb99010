//! ## What it does
//! Flags SQL the migration builds at run time, which preflight cannot read. In
//! `.sql` files: an `EXECUTE` in a `DO` block (PL/pgSQL, dollar-quoted) whose
//! command string is not a literal, such as `EXECUTE format(...)`, `EXECUTE
//! 'ALTER TABLE ' || t` or `EXECUTE v_sql`. The `EXECUTE` and its command
//! string are underlined. A `DO` block with only static statements, `EXECUTE
//! 'literal'`, and `EXECUTE` inside a function body (`CREATE FUNCTION`, which
//! the migration defines but does not run) are not flagged. `info`.
//!
//! In ORM migrations: SQL passed as anything but a literal, such as Alembic
//! `op.execute(sql)` with a variable or an f-string with fields, Django
//! `RunSQL(sql)` with a variable, TypeORM ``queryRunner.query(`...${x}`)`` and
//! Knex `knex.raw(x)`; the argument is underlined. Literals, concatenated
//! literals and templates without substitutions are checked like `.sql` files.
//!
//! ## Why it matters
//! Every other rule judges the statements it can see. The statements a loop
//! generates (`ALTER TABLE` on every partition, an index on each tenant's
//! table) take the same locks and do the same rewrites, unchecked: a migration
//! with no findings can still lock every table it touches.
//!
//! ## Example
//! ```sql
//! DO $$
//! DECLARE t text;
//! BEGIN
//!   FOR t IN SELECT tablename FROM pg_tables WHERE tablename LIKE 'events_%' LOOP
//!     EXECUTE format('ALTER TABLE %I ADD COLUMN source text DEFAULT gen_random_uuid()', t);
//!   END LOOP;
//! END $$;
//! ```
//!
//! ## Safe alternative
//! Write the statements out when they are few, so they are checked. Otherwise
//! review the generated statements by hand (print them with `RAISE NOTICE`
//! against a staging database), then record the review:
//! ```sql
//! -- preflight: ignore[unanalyzable-raw-sql] adds a nullable column to each partition, reviewed
//! DO $$ ... $$;
//! ```
//! (`# preflight: ignore[...]` in Python, `// preflight: ignore[...]` in
//! TypeScript and JavaScript.)

use crate::analysis::migration::{Migration, OpTag};
use crate::finding::{Finding, MigrationClass, Severity};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    id: "unanalyzable-raw-sql",
    severity: Severity::Info,
    class: MigrationClass::Any,
    default_enabled: true,
    summary: "SQL built at run time cannot be checked",
    source: include_str!("unanalyzable_raw_sql.rs"),
    check: Check::Migration(check),
};

fn check(m: &Migration, out: &mut Vec<Finding>) {
    for at in m.ops_of(OpTag::DynamicSql) {
        out.push(
            RULE.finding(
                at.range(),
                "This runs SQL built at run time: preflight cannot see the statements, so their locks, rewrites and scans on production tables go unchecked",
            )
            .with_help("Write the statements out if you can; otherwise review what it generates and suppress with a `preflight: ignore[unanalyzable-raw-sql] <why>` comment."),
        );
    }
}
