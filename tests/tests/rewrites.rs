//! Every rewrite checked three ways (see `common/rewrite.rs`): re-checking no
//! longer reports the rule and reports nothing new; the rewritten files run
//! on a real PostgreSQL server where the runner puts them; they reach the
//! same end schema as the original on a seeded database. Plus the convergence
//! property over every fixture: applying all fixes and fixing again changes
//! nothing.

mod common;

use std::fs;

use common::postgres::Postgres;
use common::rewrite::SEED;
use common::rewrite::{Case, check_case};
use common::{preflight_bin, workspace_root};
use preflight::cli::fix::fix_file;
use preflight::config::Config;
use preflight::fixes::apply::Allowed;

const CASES: &[Case] = &[
    Case {
        name: "golang_set_not_null_split",
        files: &[
            (
                "db/000007_email_required.up.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
            ),
            (
                "db/000007_email_required.down.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
            ),
        ],
        cleared: &["set-not-null-requires-scan"],
        safe: false,
        data: &[],
    },
    Case {
        name: "explicit_transaction_set_not_null",
        files: &[(
            "schema/email.sql",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nCOMMIT;\n",
        )],
        cleared: &["set-not-null-requires-scan"],
        safe: false,
        data: &[],
    },
    Case {
        name: "golang_drop_index_split",
        files: &[
            (
                "db/000001_index.up.sql",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n",
            ),
            (
                "db/000001_index.down.sql",
                "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n",
            ),
            (
                "db/000002_drop_index.up.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nDROP INDEX users_email_idx;\nALTER TABLE users ADD COLUMN note text;\n",
            ),
            (
                "db/000002_drop_index.down.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users DROP COLUMN note;\n",
            ),
        ],
        cleared: &["require-concurrent-index-deletion"],
        safe: false,
        data: &[],
    },
    Case {
        name: "plain_reindex_in_place",
        files: &[(
            "schema/reindex.sql",
            "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nREINDEX INDEX users_pkey;\n",
        )],
        cleared: &["require-concurrent-reindex"],
        safe: true,
        data: &[],
    },
    Case {
        name: "golang_cic_split",
        files: &[
            (
                "db/000002_add_index.up.sql",
                "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN note text;\n",
            ),
            (
                "db/000002_add_index.down.sql",
                "DROP INDEX users_email_idx;\nALTER TABLE users DROP COLUMN note;\n",
            ),
        ],
        cleared: &["require-concurrent-index-creation"],
        safe: false,
        data: &[],
    },
    Case {
        name: "plain_cic_in_place",
        files: &[(
            "schema/add_index.sql",
            "CREATE INDEX users_org_idx ON users (org_id);\n",
        )],
        cleared: &["require-concurrent-index-creation"],
        safe: true,
        data: &[],
    },
    Case {
        name: "explicit_transaction_not_valid",
        files: &[(
            "schema/constraints.sql",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\nALTER TABLE users ADD CONSTRAINT price_positive CHECK (price > 0);\nCOMMIT;\n",
        )],
        cleared: &[
            "foreign-key-missing-not-valid",
            "constraint-missing-not-valid",
        ],
        safe: false,
        data: &[],
    },
    Case {
        name: "golang_validate_split",
        files: &[
            (
                "db/000005_price.up.sql",
                "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD CONSTRAINT price_positive CHECK (price > 0);\n",
            ),
            (
                "db/000005_price.down.sql",
                "ALTER TABLE users DROP CONSTRAINT price_positive;\n",
            ),
        ],
        cleared: &["constraint-missing-not-valid"],
        safe: false,
        data: &[],
    },
    Case {
        name: "timeout_preamble",
        files: &[(
            "schema/note.sql",
            "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\n",
        )],
        cleared: &["require-lock-timeout", "require-statement-timeout"],
        safe: true,
        data: &[],
    },
];

#[test]
fn rewrites_clear_the_rule_and_reach_the_same_schema_on_postgres() {
    let pg = Postgres::start("rewrites");
    for case in CASES {
        check_case(&pg, case);
    }
}

/// R10: the original fails on a table with rows; the fixed migration adds the
/// column with its constant default, stored once.
#[test]
fn a_required_column_gets_a_constant_default_that_works_on_a_full_table() {
    let pg = Postgres::start("required");
    let root = pg.dir().join("required");
    let up = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users ADD COLUMN is_admin boolean NOT NULL;\n";
    fs::create_dir_all(&root).expect("dir");
    fs::write(root.join("add_flag.sql"), up).expect("write");
    pg.create_db("required");
    pg.psql("required", SEED, true).expect("seed");
    let error = pg
        .psql("required", up, false)
        .expect_err("the original fails on rows");
    assert!(error.contains("contains null values"), "{error}");

    let status = std::process::Command::new(preflight_bin())
        .args(["check", "--unsafe-fixes"])
        .arg(&root)
        .output()
        .expect("preflight runs");
    assert!(status.status.code().is_some());
    let fixed = fs::read_to_string(root.join("add_flag.sql")).expect("read");
    assert!(
        fixed.contains("ADD COLUMN is_admin boolean NOT NULL DEFAULT false;"),
        "{fixed}"
    );
    pg.psql("required", &fixed, false)
        .expect("the fixed migration runs");
    let column = pg
        .psql(
            "required",
            "SELECT attnotnull, atthasmissing, count(*) FILTER (WHERE NOT is_admin) FROM pg_attribute, users WHERE attrelid = 'users'::regclass AND attname = 'is_admin' GROUP BY 1, 2;",
            false,
        )
        .expect("query");
    // NOT NULL, the default stored as a "missing" value (no rewrite), every row false.
    assert_eq!(column.trim(), "t|t|2000");
}

/// Every `.sql` fixture, fixed with every fix until nothing more applies,
/// stays put when fixed again: no fix undoes another or applies twice.
#[test]
fn fixing_every_fixture_converges() {
    let mut stack = vec![workspace_root().join("fixtures")];
    let mut fixed_files = 0;
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "sql") {
                continue;
            }
            let text = fs::read_to_string(&path).expect("read fixture");
            let config = Config::default();
            let once = fix_file(&path, text, &config, Allowed::All, None);
            if !once.changed() {
                continue;
            }
            fixed_files += 1;
            let twice = fix_file(&path, once.after.clone(), &config, Allowed::All, None);
            // A second round may only create the files a split would (they are
            // not written here); the file itself must not change again.
            assert_eq!(
                once.after,
                twice.after,
                "{}: fixing again changed the file",
                path.display()
            );
        }
    }
    assert!(fixed_files > 10, "only {fixed_files} fixtures had fixes");
}
