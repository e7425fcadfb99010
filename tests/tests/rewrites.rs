//! Every rewrite checked three ways (see `common/rewrite.rs`): re-checking no
//! longer reports the rule and reports nothing new; the rewritten files run
//! on a real PostgreSQL server where the runner puts them; they reach the
//! same end schema as the original on a seeded database. Plus the convergence
//! property over every fixture: applying all fixes and fixing again changes
//! nothing.

mod common;

use std::fs;

use common::postgres::Postgres;
use common::rewrite::{Case, check_case};
use common::workspace_root;
use preflight::cli::fix::fix_file;
use preflight::config::Config;
use preflight::fixes::apply::Allowed;

const CASES: &[Case] = &[
    Case {
        name: "golang_cic_split",
        files: &[
            (
                "db/000002_add_index.up.sql",
                "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN note text;\n",
            ),
            (
                "db/000002_add_index.down.sql",
                "ALTER TABLE users DROP COLUMN note;\n",
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
            let once = fix_file(&path, text, &config, Allowed::All);
            if !once.changed() {
                continue;
            }
            fixed_files += 1;
            let twice = fix_file(&path, once.after.clone(), &config, Allowed::All);
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
