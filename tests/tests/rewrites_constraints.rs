//! The recipes that build a constraint's index or a column's values without
//! blocking reads and writes, checked on a real PostgreSQL server like every
//! rewrite (see `common/rewrite.rs`): UNIQUE (R07) and PRIMARY KEY (R08) from
//! a unique index built CONCURRENTLY and attached USING INDEX, and a volatile
//! default (R09) set for new rows with the existing ones backfilled in
//! batches. The fixed migrations must reach the original's schema (and roll
//! back to the same one), and the backfill give every existing row a value
//! as the original's table rewrite does.

mod common;

use common::postgres::Postgres;
use common::rewrite::{Case, check_case};

/// A table without a primary key, its `id` nullable but filled, for R08.
const EVENTS: &str = "CREATE TABLE events (id bigint, kind text);\nINSERT INTO events SELECT g, 'k' || g % 5 FROM generate_series(1, 3000) g;\n";

/// Properties, not values: a volatile default gives each row its own.
const TOKENS: &str = "SELECT count(*), count(token), count(DISTINCT token) FROM users";
const DEFAULTS: &str = "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'users'::regclass ORDER BY 1";

const CASES: &[Case] = &[
    // R07 where the runner wraps the file: the index and the attach each get
    // a migration; the down migration's drop moves to the attach's.
    Case {
        name: "golang_unique_split",
        files: &[
            (
                "db/000002_email_unique.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n",
            ),
            (
                "db/000002_email_unique.down.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users DROP CONSTRAINT users_email_key;\n",
            ),
        ],
        cleared: &["add-unique-constraint"],
        safe: false,
        data: &[],
    },
    // R07 as golang-migrate's only statement, which it runs outside a
    // transaction: the index stays, its down drops it, and the attach gets a
    // migration of its own.
    Case {
        name: "golang_lone_unique_statement",
        files: &[
            (
                "db/000002_email_unique.up.sql",
                "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n",
            ),
            (
                "db/000002_email_unique.down.sql",
                "ALTER TABLE users DROP CONSTRAINT users_email_key;\n",
            ),
        ],
        cleared: &["add-unique-constraint"],
        safe: false,
        data: &[],
    },
    // R07 in a file with its own transaction: the index between COMMIT and
    // BEGIN, the attach first in the reopened transaction, before the
    // statement that followed it. Unnamed: PostgreSQL's name for it.
    Case {
        name: "explicit_transaction_unique",
        files: &[(
            "schema/unique.sql",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD UNIQUE (org_id, email);\nALTER TABLE users ADD COLUMN note text;\nCOMMIT;\n",
        )],
        cleared: &["add-unique-constraint"],
        safe: false,
        data: &[],
    },
    // R07 in place where statements commit one by one, with every option a
    // unique constraint takes: each lands on the index or the constraint.
    Case {
        name: "plain_unique_with_options",
        files: &[(
            "schema/unique.sql",
            "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ADD CONSTRAINT \"Users_Org_Email\" UNIQUE NULLS NOT DISTINCT (org_id, email) INCLUDE (price) WITH (fillfactor = 80) USING INDEX TABLESPACE pg_default DEFERRABLE INITIALLY DEFERRED;\n",
        )],
        cleared: &["add-unique-constraint"],
        safe: false,
        data: &[],
    },
    // R07 in a goose migration: its down section's drop moves too.
    Case {
        name: "goose_unique_split",
        files: &[(
            "db/20240102000000_unique_email.sql",
            "-- +goose Up\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n\n-- +goose Down\nALTER TABLE users DROP CONSTRAINT users_email_key;\n",
        )],
        cleared: &["add-unique-constraint"],
        safe: false,
        data: &[],
    },
    // R08 with the key column nullable: proven NOT NULL by a CHECK added now
    // and validated with the attach, after the concurrent build. Rolled
    // back, the column stays NOT NULL as it does when the key is dropped.
    Case {
        name: "golang_primary_key_nullable_column",
        files: &[
            ("db/000001_events.up.sql", EVENTS),
            (
                "db/000002_events_pk.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE events ADD PRIMARY KEY (id);\n",
            ),
            (
                "db/000002_events_pk.down.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE events DROP CONSTRAINT events_pkey;\n",
            ),
        ],
        cleared: &["add-primary-key"],
        safe: false,
        data: &[],
    },
    // R08 on a column this migration already made NOT NULL (R06 by hand):
    // straight to the concurrent build and the attach.
    Case {
        name: "plain_primary_key_column_already_not_null",
        files: &[
            ("schema/a_events.sql", EVENTS),
            (
                "schema/b_events_pk.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n\
                 ALTER TABLE events ADD CONSTRAINT events_id_present CHECK (id IS NOT NULL) NOT VALID;\n\
                 ALTER TABLE events VALIDATE CONSTRAINT events_id_present;\n\
                 ALTER TABLE events ALTER COLUMN id SET NOT NULL;\n\
                 ALTER TABLE events DROP CONSTRAINT events_id_present;\n\
                 ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id);\n",
            ),
        ],
        cleared: &["add-primary-key"],
        safe: false,
        data: &[],
    },
    // R09, nullable, in a file with its own transaction: the backfill runs
    // after its COMMIT.
    Case {
        name: "explicit_transaction_volatile_default",
        files: &[(
            "schema/token.sql",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\nCOMMIT;\n",
        )],
        cleared: &["add-column-volatile-default"],
        safe: false,
        data: &[
            TOKENS,
            DEFAULTS,
            "INSERT INTO users (id) VALUES (5000) RETURNING token IS NOT NULL",
        ],
    },
    // R09, NOT NULL, where the runner wraps each file: backfill, CHECK and
    // SET NOT NULL each in a migration of its own.
    Case {
        name: "golang_volatile_default_not_null",
        files: &[
            (
                "db/000002_token.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();\n",
            ),
            (
                "db/000002_token.down.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users DROP COLUMN token;\n",
            ),
        ],
        cleared: &["add-column-volatile-default"],
        safe: false,
        data: &[TOKENS, DEFAULTS],
    },
    // R09, NOT NULL, in place where statements commit one by one; a
    // timestamp per row.
    Case {
        name: "plain_volatile_default_not_null",
        files: &[(
            "schema/seen.sql",
            "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();\n",
        )],
        cleared: &["add-column-volatile-default"],
        safe: false,
        data: &[
            "SELECT count(*), count(seen_at), bool_and(seen_at <= clock_timestamp()) FROM users",
            DEFAULTS,
        ],
    },
];

#[test]
fn constraint_and_default_rewrites_reach_the_same_schema_and_data() {
    let pg = Postgres::start("constraints");
    for case in CASES {
        check_case(&pg, case);
    }
}
