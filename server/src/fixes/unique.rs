//! Recipes R07 and R08: a UNIQUE or PRIMARY KEY constraint from a unique
//! index built `CONCURRENTLY` (outside any transaction, writes go on), then
//! attached with `USING INDEX` in a transaction of its own (a brief lock, no
//! scan). A primary key's columns are made NOT NULL first, without a scan
//! under ACCESS EXCLUSIVE, as R06 does.

use crate::analysis::migration::{ConstraintKind, Migration, Name, OpAt, OpKind};
use crate::finding::Fix;

use super::down::{self, Taken};
use super::not_null::Proof;
use super::preamble::local_timeouts;
use super::sql::{Clauses, default_constraint_name, ident, qualified};
use super::transaction::{self, Phase, Step};

/// The fix for `ADD [CONSTRAINT name] UNIQUE (...)` (R07) or `ADD [CONSTRAINT
/// name] PRIMARY KEY (...)` (R08) as the statement's only action.
pub fn from_concurrent_index(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::AddConstraint {
        name,
        kind,
        not_valid: false,
    } = &at.op.kind
    else {
        return None;
    };
    let primary = match kind {
        ConstraintKind::Unique { using_index: false } => false,
        ConstraintKind::PrimaryKey { using_index: None } => true,
        _ => return None,
    };
    let table = at.op.table.as_ref()?;
    let (statement, op_span) = m.statement_sql(at)?;
    let statement: &str = &statement;
    // Another action of the same statement would be lost with it; `ALTER
    // TABLE IF EXISTS` does nothing without the table, where the index build
    // would fail; `ONLY` (inheritance) has no counterpart in the index build,
    // and R06's CHECKs would reach the children it leaves out.
    let head = Clauses::new(statement);
    if at.statement.ops.len() != 1
        || head.is_word(2, "IF")
        || head.is_word(2, "ONLY")
        || at.op.columns.is_empty()
    {
        return None;
    }
    let clause = KeyClause::read(statement.get(op_span.clone())?)?;
    // The constraint takes the index's name: the user's, or the one
    // PostgreSQL would have given the constraint.
    let index = match name {
        Some(name) => name.clone(),
        None if primary => default_constraint_name(&table.name, &[], "pkey"),
        None => {
            let columns: Vec<&str> = at.op.columns.iter().map(String::as_str).collect();
            default_constraint_name(&table.name, &columns, "key")
        }
    };
    let t = qualified(table);
    let i = ident(&index);
    let create = format!(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {i} ON {t} ({}){};",
        clause.columns,
        clause.index_options()
    );
    let keyword = if primary { "PRIMARY KEY" } else { "UNIQUE" };
    let attach = format!(
        "ALTER TABLE {t} ADD CONSTRAINT {i} {keyword} USING INDEX {i}{};",
        clause.attributes
    );
    // The index lives in its table's schema.
    let drop_index = format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {};",
        qualified(&Name::new(table.schema.clone(), index.as_str()))
    );
    // Rolling back the attach drops the constraint (and its index with it):
    // the current down migration's own drop moves there.
    let taken = down::take(m, |op| {
        matches!(&op.kind, OpKind::DropConstraint { name, .. } if *name == index)
            && op.table.as_ref().is_some_and(|t| t.name == table.name)
    });
    let undo_attach = match &taken {
        Some(taken) => taken.text.clone(),
        None => format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {i};"),
    };
    let timeouts = local_timeouts(m, at);
    let index_phase = Phase {
        sql: create,
        alone: None,
        down: drop_index,
        outside: true,
        later_deploy: false,
        suffix: "unique_index",
    };

    // The key's columns not known to be NOT NULL: proven by a constraint
    // added now and validated later, as R06 does. Known ones (the migration
    // made them NOT NULL, or proved them) need nothing: attaching the key
    // sets them NOT NULL without a scan.
    let unproven: Vec<&String> = at
        .op
        .columns
        .iter()
        .filter(|c| primary && !m.known_not_null(table, c, at.index))
        .collect();
    // Where the index is built in the current migration (a file that does
    // not run in a transaction), its down migration drops it: concurrently,
    // so only where that drop is all the down migration holds, or a
    // one-query runner would send it in an implicit transaction.
    let index_stays = transaction::keeps_first_phase(m, at, true)
        && taken.as_ref().is_some_and(|taken| taken.alone);
    let (title, phases, current_down) = if unproven.is_empty() {
        let attach_phase = Phase {
            sql: format!("{timeouts}\n{attach}"),
            alone: None,
            down: format!("{timeouts}\n{undo_attach}"),
            outside: false,
            later_deploy: false,
            suffix: if primary { "primary_key" } else { "unique" },
        };
        let current_down = index_stays.then(|| index_phase.down.clone());
        (
            format!("Build the index CONCURRENTLY, then add the {keyword} USING INDEX"),
            vec![index_phase, attach_phase],
            current_down,
        )
    } else {
        let proofs = unproven
            .iter()
            .map(|c| Proof::new(m, at, table, c))
            .collect::<Option<Vec<_>>>()?;
        let adds: Vec<String> = proofs.iter().map(Proof::add).collect();
        let removes: Vec<String> = proofs.iter().map(Proof::remove).collect();
        let finish = |alone| format!("{}\n{attach}", Proof::finish(&proofs, alone));
        let prove = Phase {
            sql: adds.join("\n"),
            alone: None,
            down: removes.join("\n"),
            outside: false,
            later_deploy: false,
            suffix: "not_null",
        };
        let (in_place, alone) = (finish(false), finish(true));
        let attach_phase = Phase {
            alone: (alone != in_place).then_some(alone),
            sql: in_place,
            // Dropping a primary key leaves its columns NOT NULL: so does
            // rolling this back.
            down: format!("{timeouts}\n{undo_attach}"),
            outside: false,
            later_deploy: false,
            suffix: "primary_key",
        };
        (
            "Prove the key's columns NOT NULL, build the index CONCURRENTLY, then add the PRIMARY KEY USING INDEX".to_string(),
            vec![prove, index_phase, attach_phase],
            Some(removes.join("\n")),
        )
    };
    let fix = transaction::split(m, at, &title, Step::Phases(phases))?;
    Some(with_down_moved(fix, taken, current_down))
}

/// The fix, plus the current down migration's drop of the constraint taken
/// out of it when the fix created the migration it moved to; replaced by
/// `current_down` (what undoes the steps left in the current migration), if
/// any.
fn with_down_moved(mut fix: Fix, taken: Option<Taken>, current_down: Option<String>) -> Fix {
    if let Some(mut taken) = taken
        && fix.edits.iter().any(|e| e.create)
    {
        if let Some(current_down) = current_down {
            taken.removal.replacement = format!("{current_down}\n");
        }
        fix.edits.push(taken.removal);
    }
    fix
}

/// `ADD [CONSTRAINT name] {UNIQUE [NULLS [NOT] DISTINCT] | PRIMARY KEY}
/// (columns) [INCLUDE (...)] [WITH (...)] [USING INDEX TABLESPACE ts]
/// [[NOT] DEFERRABLE] [INITIALLY {DEFERRED | IMMEDIATE}]`, its parts as
/// written. Each carries over to the index or to the attached constraint
/// (measured on PostgreSQL 15: the same constraint and index definitions);
/// anything else (`NOT VALID`, `NO INHERIT`, PostgreSQL 18's `WITHOUT
/// OVERLAPS`, which needs a GiST index) makes it `None`.
struct KeyClause<'a> {
    /// The column list, inside its parentheses.
    columns: &'a str,
    /// `NULLS [NOT] DISTINCT`.
    nulls: Option<&'a str>,
    include: Option<&'a str>,
    with: Option<&'a str>,
    tablespace: Option<&'a str>,
    /// The deferrability clauses, with a leading space, or empty.
    attributes: String,
}

impl<'a> KeyClause<'a> {
    fn read(clause: &'a str) -> Option<Self> {
        let c = Clauses::new(clause);
        let end = c.end();
        if !c.is_word(0, "ADD") {
            return None;
        }
        let mut i = 1;
        if c.is_word(i, "CONSTRAINT") {
            i += 2;
        }
        let mut nulls = None;
        if c.is_word(i, "UNIQUE") {
            i += 1;
            let start = i;
            if c.is_word(i, "NULLS") && c.is_word(i + 1, "NOT") && c.is_word(i + 2, "DISTINCT") {
                i += 3;
            } else if c.is_word(i, "NULLS") && c.is_word(i + 1, "DISTINCT") {
                i += 2;
            }
            nulls = (i > start).then(|| c.text(start..i));
        } else if c.is_word(i, "PRIMARY") && c.is_word(i + 1, "KEY") {
            i += 2;
        } else {
            return None;
        }
        let close = c.closing(i)?;
        // Plain column names only: a name, then `,` and a name...
        let is_name = |k: usize| {
            c.token(k).is_some_and(|t| {
                t.starts_with(|ch: char| ch == '"' || ch == '_' || ch.is_alphabetic())
            })
        };
        let listed = (i + 1..close).all(|k| {
            if (k - i) % 2 == 1 {
                is_name(k)
            } else {
                c.is_symbol(k, ",")
            }
        });
        if !listed || (close - i) % 2 != 0 {
            return None;
        }
        let columns = c.text(i + 1..close);
        i = close + 1;
        let mut clause = KeyClause {
            columns,
            nulls,
            include: None,
            with: None,
            tablespace: None,
            attributes: String::new(),
        };
        let inside = |i: usize| -> Option<(&'a str, usize)> {
            let close = c.closing(i)?;
            Some((c.text(i + 1..close), close + 1))
        };
        while i < end {
            if c.is_word(i, "INCLUDE") && clause.include.is_none() {
                let (list, next) = inside(i + 1)?;
                clause.include = Some(list);
                i = next;
            } else if c.is_word(i, "WITH") && clause.with.is_none() {
                let (list, next) = inside(i + 1)?;
                clause.with = Some(list);
                i = next;
            } else if c.is_word(i, "USING")
                && c.is_word(i + 1, "INDEX")
                && c.is_word(i + 2, "TABLESPACE")
                && clause.tablespace.is_none()
            {
                clause.tablespace = Some(c.token(i + 3)?);
                i += 4;
            } else {
                let two_words = (c.is_word(i, "NOT") && c.is_word(i + 1, "DEFERRABLE"))
                    || (c.is_word(i, "INITIALLY")
                        && (c.is_word(i + 1, "DEFERRED") || c.is_word(i + 1, "IMMEDIATE")));
                let taken = if two_words {
                    2
                } else if c.is_word(i, "DEFERRABLE") {
                    1
                } else {
                    return None;
                };
                clause.attributes.push(' ');
                clause.attributes.push_str(c.text(i..i + taken));
                i += taken;
            }
        }
        Some(clause)
    }

    /// What follows the index's column list, in `CREATE INDEX`'s order.
    fn index_options(&self) -> String {
        let mut options = String::new();
        if let Some(include) = self.include {
            options.push_str(&format!(" INCLUDE ({include})"));
        }
        if let Some(nulls) = self.nulls {
            options.push_str(&format!(" {nulls}"));
        }
        if let Some(with) = self.with {
            options.push_str(&format!(" WITH ({with})"));
        }
        if let Some(tablespace) = self.tablespace {
            options.push_str(&format!(" TABLESPACE {tablespace}"));
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::fix;
    use super::KeyClause;
    use crate::finding::Applicability;

    const TIMEOUTS: &str = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n";
    const LOCAL: &str = "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\n";

    #[test]
    fn unique_where_the_runner_wraps_each_file() {
        let text =
            format!("{TIMEOUTS}ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n");
        let fixed = fix("db/000002_email.up.sql", &text, "add-unique-constraint").unwrap();
        assert_eq!(fixed.applicability, Applicability::Unsafe);
        assert_eq!(
            fixed.title,
            "Build the index CONCURRENTLY, then add the UNIQUE USING INDEX; \
             unique_index in `000003_email_unique_index.up.sql`, unique in `000004_email_unique.up.sql`"
        );
        // The statement leaves the runner's transaction for files of its own.
        assert_eq!(fixed.text, TIMEOUTS);
        assert_eq!(
            fixed.created("db/000003_email_unique_index.up.sql"),
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);\n"
        );
        assert_eq!(
            fixed.created("db/000003_email_unique_index.down.sql"),
            "DROP INDEX CONCURRENTLY IF EXISTS users_email_key;\n"
        );
        assert_eq!(
            fixed.created("db/000004_email_unique.up.sql"),
            format!(
                "{LOCAL}ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;\n"
            )
        );
        assert_eq!(
            fixed.created("db/000004_email_unique.down.sql"),
            format!("{LOCAL}ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key;\n")
        );
    }

    #[test]
    fn unique_in_an_explicit_transaction_keeps_its_place() {
        let text = "BEGIN;\nSET LOCAL lock_timeout = '3s';\nALTER TABLE app.users ADD UNIQUE (\"Email\", org_id);\nALTER TABLE app.users ADD COLUMN note text;\nCOMMIT;\n";
        let fixed = fix("schema/unique.sql", text, "add-unique-constraint").unwrap();
        // Unnamed: PostgreSQL's own name for it. The attach reopens the
        // transaction, before the statements that followed, with the
        // migration's timeouts.
        assert_eq!(
            fixed.text,
            "BEGIN;\nSET LOCAL lock_timeout = '3s';\nCOMMIT;\n\
             CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"users_Email_org_id_key\" ON app.users (\"Email\", org_id);\n\
             BEGIN;\nSET LOCAL lock_timeout = '3s';\nSET LOCAL statement_timeout = '60s';\n\
             ALTER TABLE app.users ADD CONSTRAINT \"users_Email_org_id_key\" UNIQUE USING INDEX \"users_Email_org_id_key\";\n\
             ALTER TABLE app.users ADD COLUMN note text;\nCOMMIT;\n"
        );
        assert!(fixed.created.is_empty());
    }

    #[test]
    fn unique_in_place_where_statements_commit_one_by_one() {
        let text = format!(
            "{TIMEOUTS}ALTER TABLE users ADD CONSTRAINT k UNIQUE NULLS NOT DISTINCT (email) INCLUDE (org_id) WITH (fillfactor = 70) USING INDEX TABLESPACE pg_default DEFERRABLE INITIALLY DEFERRED;\n"
        );
        let fixed = fix("schema/unique.sql", &text, "add-unique-constraint").unwrap();
        // Each option goes where it belongs: the index, or the constraint.
        assert_eq!(
            fixed.text,
            format!(
                "{TIMEOUTS}CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k ON users (email) INCLUDE (org_id) NULLS NOT DISTINCT WITH (fillfactor = 70) TABLESPACE pg_default;\n\
                 BEGIN;\n{LOCAL}ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX k DEFERRABLE INITIALLY DEFERRED;\nCOMMIT;\n"
            )
        );
    }

    #[test]
    fn primary_key_proves_unknown_columns_first() {
        let text = format!("{TIMEOUTS}ALTER TABLE events ADD PRIMARY KEY (id);\n");
        let fixed = fix("db/000002_events_pk.up.sql", &text, "add-primary-key").unwrap();
        assert_eq!(
            fixed.text,
            format!(
                "{TIMEOUTS}ALTER TABLE events ADD CONSTRAINT events_id_not_null CHECK (id IS NOT NULL) NOT VALID;\n"
            )
        );
        assert_eq!(
            fixed.created("db/000003_events_pk_unique_index.up.sql"),
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON events (id);\n"
        );
        // In a file of its own, the CHECK added before is out of sight: it
        // says why SET NOT NULL scans nothing.
        assert_eq!(
            fixed.created("db/000004_events_pk_primary_key.up.sql"),
            "SET LOCAL lock_timeout = '2s';\n\
             ALTER TABLE events VALIDATE CONSTRAINT events_id_not_null;\n\
             SET LOCAL statement_timeout = '60s';\n\
             -- preflight: ignore[set-not-null-requires-scan] events_id_not_null, validated above, proves the column: no scan\n\
             ALTER TABLE events ALTER COLUMN id SET NOT NULL;\n\
             ALTER TABLE events DROP CONSTRAINT events_id_not_null;\n\
             ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;\n"
        );
    }

    #[test]
    fn primary_key_on_columns_known_not_null_goes_straight_to_the_index() {
        let text = format!(
            "{TIMEOUTS}ALTER TABLE events ADD CONSTRAINT events_id_check CHECK (id IS NOT NULL) NOT VALID;\n\
             ALTER TABLE events VALIDATE CONSTRAINT events_id_check;\n\
             ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id);\n"
        );
        let fixed = fix("schema/pk.sql", &text, "add-primary-key").unwrap();
        assert!(
            fixed.text.ends_with(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pk ON events (id);\n\
                 BEGIN;\n{LOCAL}ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY USING INDEX events_pk;\nCOMMIT;\n"
                    .replace("{LOCAL}", LOCAL)
                    .as_str()
            ),
            "{}",
            fixed.text
        );
    }

    #[test]
    fn composite_primary_key_sets_its_columns_in_one_statement() {
        let text = "ALTER TABLE \"LineItems\" ADD PRIMARY KEY (\"OrderId\", \"Position\");\n";
        let fixed = fix("schema/pk.sql", text, "add-primary-key").unwrap();
        assert!(
            fixed.text.contains(
                "ALTER TABLE \"LineItems\" ALTER COLUMN \"OrderId\" SET NOT NULL, ALTER COLUMN \"Position\" SET NOT NULL;\n\
                 ALTER TABLE \"LineItems\" DROP CONSTRAINT \"LineItems_OrderId_not_null\", DROP CONSTRAINT \"LineItems_Position_not_null\";\n\
                 ALTER TABLE \"LineItems\" ADD CONSTRAINT \"LineItems_pkey\" PRIMARY KEY USING INDEX \"LineItems_pkey\";"
            ),
            "{}",
            fixed.text
        );
    }

    #[test]
    fn the_down_migration_s_drop_moves_with_the_constraint() {
        let text = format!("{TIMEOUTS}ALTER TABLE events ADD PRIMARY KEY (id);\n");
        let down = "ALTER TABLE events DROP CONSTRAINT events_pkey;\n";
        let fixed = super::super::testing::fix_with(
            "db/000002_pk.up.sql",
            &text,
            &[("db/000002_pk.down.sql", down)],
            "add-primary-key",
        )
        .unwrap();
        assert_eq!(
            fixed.created("db/000004_pk_primary_key.down.sql"),
            format!("{LOCAL}ALTER TABLE events DROP CONSTRAINT events_pkey;\n")
        );
        // The current down migration now drops what its up leaves: the CHECK.
        assert_eq!(
            fixed.edited("db/000002_pk.down.sql"),
            "ALTER TABLE events DROP CONSTRAINT IF EXISTS events_id_not_null;\n"
        );
    }

    #[test]
    fn a_lone_statement_builds_the_index_in_place_and_its_down_drops_it() {
        // One statement: golang-migrate sends it outside any transaction.
        let fixed = super::super::testing::fix_with(
            "db/000002_u.up.sql",
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n",
            &[(
                "db/000002_u.down.sql",
                "ALTER TABLE users DROP CONSTRAINT users_email_key;\n",
            )],
            "add-unique-constraint",
        )
        .unwrap();
        assert_eq!(
            fixed.text,
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (email);\n"
        );
        assert_eq!(
            fixed.edited("db/000002_u.down.sql"),
            "DROP INDEX CONCURRENTLY IF EXISTS users_email_key;\n"
        );
        assert_eq!(
            fixed.created("db/000003_u_unique.down.sql"),
            format!("{LOCAL}ALTER TABLE users DROP CONSTRAINT users_email_key;\n")
        );
    }

    #[test]
    fn refuses_what_it_cannot_carry_over() {
        for sql in [
            // Another action would be lost with it.
            "ALTER TABLE t ADD UNIQUE (a), ADD COLUMN b int;",
            "ALTER TABLE IF EXISTS t ADD UNIQUE (a);",
            "ALTER TABLE ONLY t ADD PRIMARY KEY (a);",
            // PostgreSQL 18's temporal keys need a GiST index.
            "ALTER TABLE t ADD UNIQUE (a, during WITHOUT OVERLAPS);",
        ] {
            assert!(
                fix("schema/x.sql", sql, "add-unique-constraint").is_none(),
                "{sql}"
            );
        }
        for clause in [
            "ADD UNIQUE (lower(a))",
            "ADD UNIQUE (a) NOT VALID",
            "ADD UNIQUE (a) NO INHERIT",
            "ADD UNIQUE (a,)",
            "ADD UNIQUE a",
            "ADD CHECK (a)",
            "",
        ] {
            assert!(KeyClause::read(clause).is_none(), "{clause}");
        }
        // A down migration rolls back: no later step.
        assert!(
            fix(
                "db/000002_x.down.sql",
                "ALTER TABLE t ADD UNIQUE (a);",
                "add-unique-constraint"
            )
            .is_none()
        );
    }
}
