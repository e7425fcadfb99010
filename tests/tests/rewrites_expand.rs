//! The recipes that change the deploy sequence, checked on a real
//! PostgreSQL server like every rewrite (see `common/rewrite.rs`): expand and
//! contract for a column's type (R11) and name (R12a), a compatibility view
//! for a renamed table (R13), batched backfills (R15, R16). Running every
//! fixed up migration, the later deploy's contract included, must reach the
//! original's schema, and a backfill the original's data.

mod common;

/// The original migrations' down: checked too, and a down that renames or
/// retypes back would itself be flagged.
const DOWN: &str = "SELECT 1;\n";

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::postgres::Postgres;
use common::rewrite::{Case, SEED, check_case, fix_dir, migrate, up_files, write_case};

const CASES: &[Case] = &[
    // R15 where the runner wraps the file: the loop moves to a migration of
    // its own, the user's SET and WHERE kept.
    Case {
        name: "golang_update_batched",
        files: &[
            (
                "db/000002_double_prices.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nUPDATE users SET price = price * 2 + (id % 3) WHERE org_id % 3 = 0;\n",
            ),
            ("db/000002_double_prices.down.sql", "SELECT 1;\n"),
        ],
        cleared: &["unbatched-backfill"],
        safe: false,
        data: &["SELECT id, price FROM users ORDER BY id"],
    },
    // R15 in a file with its own transaction: the loop runs between COMMIT
    // and BEGIN; an alias and a FROM list of the user's own.
    Case {
        name: "explicit_update_from_batched",
        files: &[(
            "schema/emails.sql",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nUPDATE users AS u SET email = 'org' || o.id || '-' || u.id FROM orgs o WHERE u.org_id = o.id AND o.id < 40;\nCOMMIT;\n",
        )],
        cleared: &["unbatched-backfill"],
        safe: false,
        data: &["SELECT id, email FROM users ORDER BY id"],
    },
    // R16: batched DELETE, in place where statements commit one by one.
    Case {
        name: "plain_delete_batched",
        files: &[(
            "schema/prune.sql",
            "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nDELETE FROM users WHERE org_id IN (SELECT id FROM orgs WHERE id % 4 = 1);\n",
        )],
        cleared: &["unbatched-backfill"],
        safe: false,
        data: &["SELECT count(*), sum(id), sum(price) FROM users"],
    },
    // R16 without WHERE, in a sqlx migration.
    Case {
        name: "sqlx_delete_everything_batched",
        files: &[
            ("Cargo.toml", "[package]\nname = \"app\"\n"),
            (
                "migrations/20240101000000_empty_users.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nDELETE FROM users;\n",
            ),
        ],
        cleared: &["unbatched-backfill"],
        safe: false,
        data: &["SELECT count(*), 'rows left' FROM users"],
    },
    // R11 where the runner wraps each file: expand in place, then backfill,
    // switch and contract as migrations of their own. `price` is NOT NULL
    // with a default: both pass to the new column.
    Case {
        name: "golang_change_type_expand_contract",
        files: &[
            (
                "db/000002_price_bigint.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN price TYPE bigint;\n",
            ),
            ("db/000002_price_bigint.down.sql", DOWN),
        ],
        cleared: &["change-column-type"],
        safe: false,
        data: &[
            "SELECT id, price FROM users ORDER BY id",
            "INSERT INTO users (id, email) VALUES (5000, 'new@example.com') RETURNING price",
        ],
    },
    // R11 with a USING expression, as diesel migration directories.
    Case {
        name: "diesel_change_type_using",
        files: &[
            (
                "migrations/2024-01-01-000000_email_upper/up.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN email SET DATA TYPE varchar(200) USING upper(email) || '#' || users.id;\n",
            ),
            ("migrations/2024-01-01-000000_email_upper/down.sql", DOWN),
        ],
        cleared: &["change-column-type"],
        safe: false,
        data: &["SELECT id, email FROM users ORDER BY id"],
    },
    // R12a: the renamed column keeps its type, NOT NULL and default.
    Case {
        name: "golang_rename_column_expand_contract",
        files: &[
            (
                "db/000002_rename_price.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users RENAME COLUMN price TO amount;\n",
            ),
            ("db/000002_rename_price.down.sql", DOWN),
        ],
        cleared: &["rename-column"],
        safe: false,
        data: &[
            "SELECT id, amount FROM users ORDER BY id",
            "INSERT INTO users (id, email) VALUES (5000, 'new@example.com') RETURNING amount",
        ],
    },
    // R12a in a goose migration without a transaction: expand and backfill in
    // place, the contract as the next goose migration.
    Case {
        name: "goose_no_transaction_rename_column",
        files: &[(
            "db/00007_contact_email.sql",
            "-- +goose NO TRANSACTION\n-- +goose Up\nSET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users RENAME COLUMN email TO contact_email;\n\n-- +goose Down\nSELECT 1;\n",
        )],
        cleared: &["rename-column"],
        safe: false,
        data: &["SELECT id, contact_email FROM users ORDER BY id"],
    },
    // R12a in a sqlx migration sent as one query outside a transaction: the
    // expand stays, the backfill and contract get migrations of their own.
    Case {
        name: "sqlx_no_transaction_rename_column",
        files: &[
            ("Cargo.toml", "[package]\nname = \"app\"\n"),
            (
                "migrations/20240101000000_contact.sql",
                "-- no-transaction\nALTER TABLE users RENAME COLUMN email TO contact;\n",
            ),
        ],
        cleared: &["rename-column"],
        safe: false,
        data: &["SELECT id, contact FROM users ORDER BY id"],
    },
    // R12a in a dbmate migration that runs in a transaction.
    Case {
        name: "dbmate_rename_column",
        files: &[(
            "db/migrations/20240101000000_org.sql",
            "-- migrate:up\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users RENAME org_id TO organisation_id;\n\n-- migrate:down\nSELECT 1;\n",
        )],
        cleared: &["rename-column"],
        safe: false,
        data: &["SELECT id, organisation_id FROM users ORDER BY id"],
    },
    // R13: rename and a view under the old name; the view goes in the next
    // migration (a later deploy).
    Case {
        name: "golang_rename_table_view",
        files: &[
            (
                "db/000002_accounts.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users RENAME TO accounts;\n",
            ),
            ("db/000002_accounts.down.sql", DOWN),
        ],
        cleared: &["rename-table"],
        safe: false,
        data: &["SELECT count(*), sum(price) FROM accounts"],
    },
    // R13 where statements commit one by one: rename and view in one
    // transaction; the runner is unknown, so the later deploy is a comment.
    Case {
        name: "plain_rename_table_view",
        files: &[(
            "schema/orgs.sql",
            "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE orgs RENAME TO organisations;\n",
        )],
        cleared: &["rename-table"],
        safe: false,
        data: &["SELECT count(*) FROM organisations"],
    },
    // Flyway: the backfill's script says it runs outside a transaction.
    Case {
        name: "flyway_change_type",
        files: &[(
            "sql/V3__org_bigint.sql",
            "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN org_id TYPE numeric(20,0);\n",
        )],
        cleared: &["change-column-type"],
        safe: false,
        data: &["SELECT id, org_id FROM users ORDER BY id"],
    },
];

#[test]
fn expand_contract_and_batched_rewrites_reach_the_same_schema_and_data() {
    let pg = Postgres::start("rewrites-expand");
    for case in CASES {
        check_case(&pg, case);
    }
}

/// The up migrations `files` become once fixed, by path.
fn fixed(
    pg: &Postgres,
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
) -> BTreeMap<PathBuf, String> {
    let root = pg.dir().join(name);
    write_case(
        &root,
        &Case {
            name,
            files,
            cleared: &[],
            safe: false,
            data: &[],
        },
    );
    fix_dir(&root, false);
    up_files(&root)
}

/// The fixed migrations whose name has one of `parts`.
fn only(files: &BTreeMap<PathBuf, String>, parts: &[&str]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .filter(|(path, _)| parts.iter().any(|p| path.to_string_lossy().contains(p)))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect()
}

fn query(pg: &Postgres, db: &str, sql: &str) -> String {
    pg.psql(db, sql, false)
        .unwrap_or_else(|e| panic!("{db}: {sql}: {e}"))
        .trim()
        .to_string()
}

/// Between the expand and the contract, code that writes the old column and
/// code that writes the new one both leave the two in step, and afterwards
/// the new column has the old one's default and NOT NULL.
#[test]
fn old_and_new_code_both_work_between_expand_and_contract() {
    let pg = Postgres::start("expand-transition");

    // R12a, a column with a default and NOT NULL, and one without.
    let files = fixed(
        &pg,
        "rename_transition",
        &[
            (
                "db/000002_rename.up.sql",
                "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN price TO amount;\n",
            ),
            (
                "db/000003_rename_email.up.sql",
                "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN email TO contact_email;\n",
            ),
        ],
    );
    pg.create_db("rename_transition");
    let db = "rename_transition";
    pg.psql(db, SEED, true).expect("seed");
    migrate(
        &pg,
        db,
        &only(
            &files,
            &[
                "_rename.up",
                "_rename_backfill",
                "_rename_email.up",
                "_rename_email_backfill",
            ],
        ),
    )
    .expect("expand and backfill");
    for (write, check, expected) in [
        // Old code writes the old names.
        (
            "INSERT INTO users (id, email, price) VALUES (6001, 'old@x', 42)",
            "SELECT amount, contact_email FROM users WHERE id = 6001",
            "42|old@x",
        ),
        (
            "UPDATE users SET price = 7, email = 'o7' WHERE id = 1",
            "SELECT amount, contact_email FROM users WHERE id = 1",
            "7|o7",
        ),
        // New code writes the new names.
        (
            "INSERT INTO users (id, contact_email, amount) VALUES (6002, 'new@x', 43)",
            "SELECT email, amount FROM users WHERE id = 6002",
            "new@x|43",
        ),
        (
            "UPDATE users SET amount = 9, contact_email = 'n9' WHERE id = 2",
            "SELECT price, email FROM users WHERE id = 2",
            "9|n9",
        ),
        // A row written by neither name still satisfies the new NOT NULL check.
        (
            "UPDATE users SET org_id = 5 WHERE id = 3",
            "SELECT amount FROM users WHERE id = 3",
            "4",
        ),
    ] {
        query(&pg, db, write);
        assert_eq!(query(&pg, db, check), expected, "after {write}");
    }
    migrate(&pg, db, &only(&files, &["_contract"])).expect("contract");
    assert_eq!(
        query(
            &pg,
            db,
            "INSERT INTO users (id) VALUES (6003) RETURNING amount"
        ),
        "1",
        "the default moved to the new column"
    );
    assert!(
        pg.psql(
            db,
            "INSERT INTO users (id, amount) VALUES (6004, NULL)",
            false
        )
        .is_err(),
        "NOT NULL moved"
    );

    // R11 with USING: the trigger evaluates it over the new row.
    let files = fixed(
        &pg,
        "type_transition",
        &[(
            "db/000002_email.up.sql",
            "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN email TYPE varchar(200) USING upper(email);\n",
        )],
    );
    let db = "type_transition";
    pg.create_db(db);
    pg.psql(db, SEED, true).expect("seed");
    migrate(&pg, db, &only(&files, &["_email.up", "_backfill"])).expect("expand and backfill");
    query(
        &pg,
        db,
        "INSERT INTO users (id, email) VALUES (7001, 'abc@x')",
    );
    assert_eq!(
        query(&pg, db, "SELECT email_new FROM users WHERE id = 7001"),
        "ABC@X"
    );
    query(&pg, db, "UPDATE users SET email = 'def' WHERE id = 1");
    assert_eq!(
        query(&pg, db, "SELECT email_new FROM users WHERE id = 1"),
        "DEF"
    );
    migrate(&pg, db, &only(&files, &["_switch"])).expect("switch");
    // Old code keeps writing `email`, now the new column.
    query(
        &pg,
        db,
        "INSERT INTO users (id, email) VALUES (7002, 'ghi')",
    );
    assert_eq!(
        query(
            &pg,
            db,
            "SELECT email, email_old, format_type(atttypid, atttypmod) FROM users, pg_attribute WHERE id = 7001 AND attrelid = 'users'::regclass AND attname = 'email'"
        ),
        "ABC@X|abc@x|character varying(200)"
    );
}

/// The expand checks what it cannot carry over, and the batches their key,
/// before anything changes.
#[test]
fn recipes_stop_before_changing_anything_they_cannot_carry() {
    let pg = Postgres::start("expand-guards");
    let files = fixed(
        &pg,
        "guarded",
        &[
            (
                "db/000002_rename.up.sql",
                "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN email TO contact_email;\n",
            ),
            (
                "db/000003_tags.up.sql",
                "SET lock_timeout = '2s';\nUPDATE tags SET label = upper(label);\n",
            ),
        ],
    );
    let db = "guarded";
    pg.create_db(db);
    pg.psql(db, SEED, true).expect("seed");
    query(&pg, db, "CREATE INDEX users_email_idx ON users (email)");
    let error = migrate(&pg, db, &only(&files, &["_rename.up"])).unwrap_err();
    assert!(
        error.contains("users.email is used by index users_email_idx"),
        "{error}"
    );
    assert_eq!(
        query(
            &pg,
            db,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'contact_email'"
        ),
        "0"
    );
    query(
        &pg,
        db,
        "CREATE TABLE tags (label text PRIMARY KEY); INSERT INTO tags VALUES ('a')",
    );
    let error = migrate(&pg, db, &only(&files, &["_tags_batched"])).unwrap_err();
    assert!(error.contains("batches walk tags by id"), "{error}");
    assert_eq!(query(&pg, db, "SELECT label FROM tags"), "a");
}
