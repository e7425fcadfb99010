//! The recipes that change the deploy sequence, checked on a real
//! PostgreSQL server like every rewrite (see `common/rewrite.rs`): expand and
//! contract for a column's type (R11) and name (R12a), a compatibility view
//! for a renamed table (R13), batched backfills (R15, R16). Running every
//! fixed up migration, the later deploy's contract included, must reach the
//! original's schema, and a backfill the original's data.

mod common;

use common::postgres::Postgres;
use common::rewrite::{Case, check_case};

const TIMEOUTS: &str = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n";

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
];

#[test]
fn expand_contract_and_batched_rewrites_reach_the_same_schema_and_data() {
    let _ = TIMEOUTS;
    let pg = Postgres::start("rewrites-expand");
    for case in CASES {
        check_case(&pg, case);
    }
}
