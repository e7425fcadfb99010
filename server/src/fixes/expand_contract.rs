//! Recipes R11 and R12a: change a column's type, or rename it, by expand and
//! contract. A new column is added beside the old one and kept in step by a
//! trigger on every write, the existing rows are copied in batches, and the
//! old column goes in a later deploy, once no running code uses it.
//!
//! The statement does not say what else the old column carries, so the
//! recipe reads it from the catalog when it runs: its default and NOT NULL
//! pass to the new column (NOT NULL through a `NOT VALID` check validated
//! after the backfill, so no scan under ACCESS EXCLUSIVE; its type too, for a
//! rename). What cannot be rebuilt without blocking writes (an index, a
//! constraint, a view, an owned sequence, an identity) stops the expand with
//! an error naming it, before anything changed.

use crate::analysis::migration::{Migration, Name, OpAt, OpKind};
use crate::finding::Fix;

use super::backfill::{self, KeysetUpdate};
use super::preamble::local_timeouts;
use super::sql::{Clauses, dollar_quoted, ident, literal, object_name, qualified};
use super::transaction::{self, Phase, Step};

/// The fix for `ALTER COLUMN c TYPE t [USING e]` (R11): `c_new` of type `t`,
/// synced and backfilled; the switch renames `c` to `c_old` and `c_new` to
/// `c`; the contract drops `c_old`.
pub fn change_type(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::ChangeColumnType { column, .. } = &at.op.kind else {
        return None;
    };
    // Another action of the same statement would be lost with it.
    if at.statement.ops.len() != 1 {
        return None;
    }
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let (data_type, using) = type_and_using(statement)?;
    let c = Column::new(at.op.table.as_ref()?, column, object_name(&[column, "new"]));
    let old = ident(column);
    let new = ident(&c.new);
    let table = ident(&c.table.name);
    // The new value from the row's columns: PostgreSQL's own cast, or the
    // USING expression (evaluated over the new row in the trigger).
    let (from_new_row, from_columns) = match using {
        None => (
            format!("NEW.{old}::{data_type}"),
            format!("{old}::{data_type}"),
        ),
        Some(using) => (
            format!("(SELECT {using} FROM (SELECT NEW.*) AS {table})"),
            format!("({using})"),
        ),
    };
    let sync = format!("  NEW.{new} := {from_new_row};");
    let renamed = object_name(&[column, "old"]);
    let renamed = ident(&renamed);
    let t = qualified(c.table);
    let rename_back = format!(
        "-- preflight: ignore[rename-column] undoing the switch of expand/contract\n\
         ALTER TABLE {t} RENAME COLUMN {old} TO {new};\n\
         -- preflight: ignore[rename-column] undoing the switch, in one short transaction\n\
         ALTER TABLE {t} RENAME COLUMN {renamed} TO {old};"
    );
    let phases = vec![
        Phase {
            sql: c.expand(Some(data_type), &sync),
            alone: None,
            down: String::new(),
            outside: false,
            later_deploy: false,
            suffix: "expand",
        },
        c.backfill(&format!("{new} = {from_columns}"), &from_columns),
        Phase {
            sql: format!(
                "{timeouts}\n-- Switch: `{column}` becomes the new column; the old one stays as `{renamed_plain}` until the contract.\n\
                 {drop_sync}\n{take_over}\n\
                 -- preflight: ignore[rename-column] running code keeps the name `{column}`, now of the new type\n\
                 ALTER TABLE {t} RENAME COLUMN {old} TO {renamed};\n\
                 -- preflight: ignore[rename-column] the new column takes the old one's name\n\
                 ALTER TABLE {t} RENAME COLUMN {new} TO {old};",
                timeouts = local_timeouts(m, at),
                renamed_plain = object_name(&[column, "old"]),
                drop_sync = c.drop_sync(),
                take_over = c.take_over(),
            ),
            alone: None,
            down: format!(
                "{}\n{rename_back}\n{}",
                local_timeouts(m, at),
                c.create_sync(&sync)
            ),
            outside: false,
            later_deploy: false,
            suffix: "switch",
        },
        contract(format!(
            "{}\n-- Contract: deploy once no running code uses `{}`.\n\
             -- preflight: ignore[drop-column] the old column of expand/contract, unused since the switch\n\
             ALTER TABLE {t} DROP COLUMN {renamed};",
            local_timeouts(m, at),
            object_name(&[column, "old"]),
        )),
    ];
    transaction::split(
        m,
        at,
        &format!("Change the type of `{column}` by expand/contract"),
        Step::Phases(phases),
    )
}

/// The fix for `RENAME COLUMN a TO b` (R12a): `b` beside `a`, each written
/// through the other by a trigger, backfilled; the contract drops `a`.
pub fn rename_column(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::RenameColumn { from, to } = &at.op.kind else {
        return None;
    };
    if at.statement.ops.len() != 1 || from.is_empty() || to.is_empty() || from == to {
        return None;
    }
    let c = Column::new(at.op.table.as_ref()?, from, to.clone());
    let (old, new) = (ident(from), ident(to));
    // Whichever name a writer used wins; an insert through either fills both.
    // An update that sets neither (a row not backfilled yet) copies the old
    // one, so the NOT NULL check holds for it.
    let sync = format!(
        "  IF TG_OP = 'INSERT' THEN
    NEW.{new} := COALESCE(NEW.{new}, NEW.{old});
    NEW.{old} := COALESCE(NEW.{old}, NEW.{new});
  ELSIF NEW.{new} IS DISTINCT FROM OLD.{new} THEN
    NEW.{old} := NEW.{new};
  ELSE
    NEW.{new} := NEW.{old};
  END IF;"
    );
    let t = qualified(c.table);
    let phases = vec![
        Phase {
            sql: c.expand(None, &sync),
            alone: None,
            down: String::new(),
            outside: false,
            later_deploy: false,
            suffix: "expand",
        },
        c.backfill(&format!("{new} = {old}"), &old),
        contract(format!(
            "{}\n-- Contract: deploy once no running code uses `{from}`.\n{}\n{}\n\
             -- preflight: ignore[drop-column] the old name of expand/contract, unused by then\n\
             ALTER TABLE {t} DROP COLUMN {old};",
            local_timeouts(m, at),
            c.drop_sync(),
            c.take_over(),
        )),
    ];
    transaction::split(
        m,
        at,
        &format!("Rename `{from}` to `{to}` by expand/contract"),
        Step::Phases(phases),
    )
}

const NOT_UNDONE: &str =
    "-- The contract dropped a column: its data is gone, restore it from a backup.\nSELECT 1;";

/// `ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE <type> [USING <expr>]`:
/// the type and the expression as written.
fn type_and_using(statement: &str) -> Option<(&str, Option<&str>)> {
    let c = Clauses::new(statement);
    let end = c.end();
    let mut i = c.find(1, &["ALTER"])? + 1;
    if c.is_word(i, "COLUMN") {
        i += 1;
    }
    i += 1;
    if c.is_word(i, "SET") && c.is_word(i + 1, "DATA") {
        i += 2;
    }
    if !c.is_word(i, "TYPE") {
        return None;
    }
    // One action only: a `,` would start another.
    if c.split_commas(i..end).len() != 1 {
        return None;
    }
    let using = c.find(i + 1, &["USING"]);
    let data_type = c.text(i + 1..using.unwrap_or(end));
    let using = match using {
        Some(u) => Some(c.text(u + 1..end)).filter(|e| !e.is_empty()),
        None => None,
    };
    (!data_type.is_empty()).then_some((data_type, using))
}

/// The column being replaced and its replacement.
struct Column<'a> {
    table: &'a Name,
    old: &'a str,
    new: String,
    /// The sync function and its trigger.
    sync_name: String,
    /// The check that holds the new column to the old one's NOT NULL until
    /// it is proven.
    not_null: String,
}

impl<'a> Column<'a> {
    fn new(table: &'a Name, old: &'a str, new: String) -> Self {
        Column {
            sync_name: object_name(&[&table.name, "sync", &new]),
            not_null: object_name(&[&table.name, &new, "not_null"]),
            table,
            old,
            new,
        }
    }

    fn function(&self) -> String {
        qualified(&Name::new(
            self.table.schema.clone(),
            self.sync_name.as_str(),
        ))
    }

    fn regclass(&self) -> String {
        format!("{}::regclass", literal(&qualified(self.table)))
    }

    /// The sync function and its trigger on every insert and update.
    fn create_sync(&self, body: &str) -> String {
        let function = self.function();
        format!(
            "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {};\n\
             -- preflight: ignore[create-trigger] keeps both columns in step until the old one goes\n\
             CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {}\n  FOR EACH ROW EXECUTE FUNCTION {function}();",
            dollar_quoted(&format!("\nBEGIN\n{body}\n  RETURN NEW;\nEND ")),
            ident(&self.sync_name),
            qualified(self.table),
        )
    }

    fn drop_sync(&self) -> String {
        format!(
            "DROP TRIGGER {} ON {};\nDROP FUNCTION {}();",
            ident(&self.sync_name),
            qualified(self.table),
            self.function()
        )
    }

    /// The new column (of `data_type`, or of the old column's own type),
    /// after checking that nothing the recipe cannot rebuild uses the old
    /// one; then the trigger that fills it on every write.
    fn expand(&self, data_type: Option<&str>, sync: &str) -> String {
        let t = qualified(self.table);
        let new = ident(&self.new);
        let regclass = self.regclass();
        let add = match data_type {
            Some(data_type) => format!("  ALTER TABLE {t} ADD COLUMN {new} {data_type};"),
            // A rename keeps the type and collation the catalog has.
            None => format!(
                "  EXECUTE {} || format_type(old_column.atttypid, old_column.atttypmod)
    || coalesce((SELECT ' COLLATE ' || quote_ident(n.nspname) || '.' || quote_ident(c.collname)
                   FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
                  WHERE c.oid = old_column.attcollation
                    AND c.oid <> (SELECT typcollation FROM pg_type WHERE oid = old_column.atttypid)), '');",
                literal(&format!("ALTER TABLE {t} ADD COLUMN {new} "))
            ),
        };
        // RAISE reads `%` as a placeholder: the names' own are doubled.
        let raised = |name: &str| name.replace('%', "%%");
        let missing = literal(&format!(
            "column {} of {} does not exist",
            raised(self.old),
            raised(&t)
        ));
        let blocked = literal(&format!(
            "{}.{} is used by %: rebuild that on {} by hand (an index with CREATE INDEX CONCURRENTLY), then drop it here",
            raised(&t),
            raised(self.old),
            raised(&self.new)
        ));
        let body = format!(
            "
DECLARE
  old_column pg_attribute;
  used_by text;
BEGIN
{guard}
  SELECT * INTO old_column FROM pg_attribute
   WHERE attrelid = {regclass} AND attname = {old} AND NOT attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION {missing};
  END IF;
  -- What uses the old column would go with it: indexes, constraints, views, sequences.
  SELECT string_agg(pg_describe_object(classid, objid, objsubid), ', ') INTO used_by
    FROM pg_depend
   WHERE refclassid = 'pg_class'::regclass AND refobjid = {regclass} AND refobjsubid = old_column.attnum
     AND classid <> 'pg_attrdef'::regclass
     AND NOT EXISTS (SELECT FROM pg_constraint n WHERE classid = 'pg_constraint'::regclass AND n.oid = objid AND n.contype = 'n');
  IF used_by IS NOT NULL OR old_column.attidentity <> '' OR old_column.attgenerated <> '' THEN
    RAISE EXCEPTION {blocked}, coalesce(used_by, 'an identity or generated column');
  END IF;
{add}
  -- NOT NULL holds for new rows at once; the rows before are proven after the backfill.
  IF old_column.attnotnull THEN
    ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({new} IS NOT NULL) NOT VALID;
  END IF;
END ",
            guard = backfill::key_guard(self.table),
            old = literal(self.old),
            check = ident(&self.not_null),
        );
        // A rename reads the old column's type from the catalog and runs the
        // ADD COLUMN it builds: say so rather than have preflight flag its
        // own rewrite.
        let built_at_run_time = if data_type.is_none() {
            "-- preflight: ignore[unanalyzable-raw-sql] adds the new column with the old one's type, read from the catalog\n"
        } else {
            ""
        };
        format!(
            "-- Expand: `{}` beside `{}`, written by a trigger on every insert and update.\n{}\n{built_at_run_time}DO {};",
            self.new,
            self.old,
            self.create_sync(sync),
            dollar_quoted(&body)
        )
    }

    /// The batched copy `set` of the rows where the new column is not yet
    /// `value`, then the proof of NOT NULL (a scan that blocks no writes).
    fn backfill(&self, set: &str, value: &str) -> Phase<'static> {
        let new = ident(&self.new);
        let validate = format!(
            "-- Every row is filled: prove NOT NULL while reads and writes go on.\n\
             IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = {} AND conname = {}) THEN\n  \
             ALTER TABLE {} VALIDATE CONSTRAINT {};\nEND IF;",
            self.regclass(),
            literal(&self.not_null),
            qualified(self.table),
            ident(&self.not_null),
        );
        let filter = format!("{new} IS DISTINCT FROM {value}");
        let row = ident(&self.table.name);
        let target = qualified(self.table);
        Phase {
            sql: backfill::keyset_update(&KeysetUpdate {
                table: self.table,
                target: &target,
                row: &row,
                set,
                from: None,
                filter: Some(&filter),
                then: &validate,
            }),
            alone: None,
            down: backfill::FILLED_ONLY.into(),
            outside: true,
            later_deploy: false,
            suffix: "backfill",
        }
    }

    /// The new column takes over the old one's default, and its NOT NULL
    /// (proven by the validated check, so `SET NOT NULL` scans nothing on
    /// PostgreSQL 12+). It follows `drop_sync`, whose ACCESS EXCLUSIVE it
    /// runs under.
    fn take_over(&self) -> String {
        let t = qualified(self.table);
        let new = ident(&self.new);
        let check = ident(&self.not_null);
        let body = format!(
            "
DECLARE old_default text;
BEGIN
  SELECT pg_get_expr(d.adbin, d.adrelid) INTO old_default
    FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   WHERE a.attrelid = {regclass} AND a.attname = {old};
  IF old_default IS NOT NULL THEN
    EXECUTE {set_default} || old_default;
  END IF;
  IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = {regclass} AND conname = {check_name}) THEN
    ALTER TABLE {t} ALTER COLUMN {new} SET NOT NULL;
    ALTER TABLE {t} DROP CONSTRAINT {check};
  END IF;
END ",
            regclass = self.regclass(),
            old = literal(self.old),
            set_default = literal(&format!("ALTER TABLE {t} ALTER COLUMN {new} SET DEFAULT ")),
            check_name = literal(&self.not_null),
        );
        format!(
            "-- preflight: ignore[statement-after-access-exclusive, unanalyzable-raw-sql] catalog changes only, in one short transaction; the default is the old column's, read from the catalog\n\
             DO {};",
            dollar_quoted(&body)
        )
    }
}

/// The contract step: a migration of its own, for a later deploy, whose
/// down cannot bring back what it drops.
fn contract(sql: String) -> Phase<'static> {
    Phase {
        sql,
        alone: None,
        down: NOT_UNDONE.to_string(),
        outside: false,
        later_deploy: true,
        suffix: "contract",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::fix;
    use crate::finding::Applicability;

    const TIMEOUTS: &str = "SET lock_timeout = '3s';\nSET statement_timeout = '90s';\n";

    #[test]
    fn change_type_where_the_runner_wraps_each_file() {
        let text = format!("{TIMEOUTS}ALTER TABLE users ALTER COLUMN price TYPE bigint;\n");
        let fixed = fix("db/000002_price.up.sql", &text, "change-column-type").unwrap();
        assert_eq!(fixed.applicability, Applicability::Unsafe);
        assert_eq!(
            fixed.title,
            "Change the type of `price` by expand/contract; backfill in `000003_price_backfill.up.sql`, \
             switch in `000004_price_switch.up.sql`, contract (a later deploy) in `000005_price_contract.up.sql`"
        );
        // Expand in place, after the user's own settings.
        assert!(fixed.text.starts_with(TIMEOUTS), "{}", fixed.text);
        assert!(
            fixed
                .text
                .contains("  NEW.price_new := NEW.price::bigint;\n")
        );
        assert!(
            fixed
                .text
                .contains("  ALTER TABLE users ADD COLUMN price_new bigint;\n")
        );
        assert!(fixed.text.contains(
            "CREATE TRIGGER users_sync_price_new BEFORE INSERT OR UPDATE ON users\n  FOR EACH ROW EXECUTE FUNCTION users_sync_price_new();"
        ));
        assert!(!fixed.text.contains("TYPE bigint;"));
        let backfill = fixed.created("db/000003_price_backfill.up.sql");
        assert!(backfill.contains(
            "UPDATE users SET price_new = price::bigint\n      FROM batch WHERE users.id = batch.batch_id AND (price_new IS DISTINCT FROM price::bigint)"
        ), "{backfill}");
        assert!(
            backfill.contains("ALTER TABLE users VALIDATE CONSTRAINT users_price_new_not_null;")
        );
        // Each new transaction keeps the timeouts the migration had set.
        let switch = fixed.created("db/000004_price_switch.up.sql");
        assert!(
            switch.starts_with(
                "SET LOCAL lock_timeout = '3s';\nSET LOCAL statement_timeout = '90s';\n"
            )
        );
        assert!(switch.contains(
            "DROP TRIGGER users_sync_price_new ON users;\nDROP FUNCTION users_sync_price_new();"
        ));
        assert!(
            switch.ends_with(
                "ALTER TABLE users RENAME COLUMN price TO price_old;\n\
             -- preflight: ignore[rename-column] the new column takes the old one's name\n\
             ALTER TABLE users RENAME COLUMN price_new TO price;\n"
            ),
            "{switch}"
        );
        let down = fixed.created("db/000004_price_switch.down.sql");
        assert!(
            down.contains("ALTER TABLE users RENAME COLUMN price_old TO price;\nCREATE FUNCTION")
        );
        let contract = fixed.created("db/000005_price_contract.up.sql");
        assert!(contract.ends_with("ALTER TABLE users DROP COLUMN price_old;\n"));
        assert!(
            fixed
                .created("db/000005_price_contract.down.sql")
                .contains("backup")
        );
    }

    #[test]
    fn change_type_with_using_evaluates_it_over_the_new_row() {
        let text = "ALTER TABLE app.events ALTER COLUMN payload SET DATA TYPE jsonb USING payload::jsonb;\n";
        let fixed = fix("m/0001_payload.up.sql", text, "change-column-type").unwrap();
        assert!(
            fixed.text.contains(
                "  NEW.payload_new := (SELECT payload::jsonb FROM (SELECT NEW.*) AS events);\n"
            ),
            "{}",
            fixed.text
        );
        assert!(
            fixed
                .text
                .contains("CREATE FUNCTION app.events_sync_payload_new()")
        );
        assert!(fixed.text.contains("'app.events'::regclass"));
        let backfill = fixed.created("m/0002_payload_backfill.up.sql");
        assert!(backfill.contains("UPDATE app.events SET payload_new = (payload::jsonb)"));
        assert!(backfill.contains("WHERE events.id = batch.batch_id"));
    }

    #[test]
    fn change_type_refuses_what_it_would_lose() {
        // A second action of the same statement.
        let both = "ALTER TABLE users ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE text;\n";
        assert!(fix("db/000002_x.up.sql", both, "change-column-type").is_none());
        // A down migration rolls back: no later deploy.
        let down = "ALTER TABLE users ALTER COLUMN a TYPE int;\n";
        assert!(fix("db/000002_x.down.sql", down, "change-column-type").is_none());
        // Prisma runs every migration in a transaction: no batches.
        assert!(
            fix(
                "prisma/migrations/20240101000000_x/migration.sql",
                down,
                "change-column-type"
            )
            .is_none()
        );
    }

    #[test]
    fn rename_where_statements_commit_one_by_one() {
        let text =
            format!("{TIMEOUTS}ALTER TABLE users RENAME COLUMN name TO full_name;\nSELECT 1;\n");
        let fixed = fix("schema/rename.sql", &text, "rename-column").unwrap();
        assert!(fixed.created.is_empty());
        let expand_at = fixed
            .text
            .find("BEGIN;\n-- Expand: `full_name` beside `name`")
            .unwrap();
        let commit_at = fixed.text.find("END $$;\nCOMMIT;\n-- Batched").unwrap();
        let contract_at = fixed.text.find("\n-- contract: a later deploy").unwrap();
        assert!(
            expand_at < commit_at && commit_at < contract_at,
            "{}",
            fixed.text
        );
        assert!(
            fixed
                .text
                .contains("  ELSE\n    NEW.full_name := NEW.name;\n")
        );
        assert!(fixed.text.contains("UPDATE users SET full_name = name\n"));
        // The type comes from the catalog.
        assert!(fixed.text.contains(
            "  EXECUTE 'ALTER TABLE users ADD COLUMN full_name ' || format_type(old_column.atttypid, old_column.atttypmod)"
        ));
        // The contract is left to move, commented out.
        assert!(
            fixed
                .text
                .contains("\n-- ALTER TABLE users DROP COLUMN name;\nSELECT 1;\n"),
            "{}",
            fixed.text
        );
        assert!(
            fixed
                .title
                .ends_with("; contract (a later deploy) as a comment")
        );
    }

    #[test]
    fn rename_in_an_explicit_transaction_continues_after_its_commit() {
        let text = "BEGIN;\nALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users ADD COLUMN x int;\nCOMMIT;\n";
        let fixed = fix("schema/rename.sql", text, "rename-column").unwrap();
        let expand = fixed.text.find("-- Expand").unwrap();
        let add = fixed
            .text
            .find("ADD COLUMN x int;\nCOMMIT;\n-- Batched")
            .unwrap();
        assert!(expand < add, "{}", fixed.text);
    }

    #[test]
    fn rename_where_one_query_outside_a_transaction_gets_files_for_the_rest() {
        // sqlx sends the file as one query: a second statement in it would
        // make an implicit transaction, where the batches cannot commit.
        let text = "-- no-transaction\nALTER TABLE users RENAME COLUMN name TO full_name;\n";
        let fixed = fix("migrations/20240101000000_x.sql", text, "rename-column").unwrap();
        assert!(
            fixed.text.starts_with("-- no-transaction\n-- Expand"),
            "{}",
            fixed.text
        );
        assert!(!fixed.text.contains("BEGIN;\n"));
        let backfill = fixed.created("migrations/20240101000001_x_backfill.sql");
        assert!(backfill.starts_with("-- no-transaction\n-- Batched"));
        let contract = fixed.created("migrations/20240101000002_x_contract.sql");
        assert!(contract.starts_with("SET LOCAL lock_timeout"));
    }

    #[test]
    fn rename_quotes_what_needs_quoting() {
        let text = "ALTER TABLE \"App\".\"Users\" RENAME COLUMN \"Name\" TO \"user\";\n";
        let fixed = fix("db/000002_x.up.sql", text, "rename-column").unwrap();
        assert!(
            fixed
                .text
                .contains("CREATE FUNCTION \"App\".\"Users_sync_user\"()"),
            "{}",
            fixed.text
        );
        assert!(
            fixed
                .text
                .contains("NEW.\"user\" := COALESCE(NEW.\"user\", NEW.\"Name\");")
        );
        assert!(
            fixed
                .text
                .contains("'\"App\".\"Users\"'::regclass AND attname = 'Name'")
        );
        let contract = fixed.created("db/000004_x_contract.up.sql");
        assert!(contract.ends_with("ALTER TABLE \"App\".\"Users\" DROP COLUMN \"Name\";\n"));
    }
}
