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

use common::postgres::Postgres;
use common::rewrite::{Case, check_case};

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
