//! Every rewrite checked three ways: re-checking the rewritten migration no
//! longer reports the rule; the rewritten files run on a real PostgreSQL
//! server (so they parse and are legal where the runner puts them); and they
//! reach the same end schema as the original migration on a seeded database.
//! Plus the convergence property over every fixture: applying all fixes and
//! fixing again changes nothing.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::postgres::Postgres;
use common::{preflight_bin, workspace_root};
use preflight::cli::fix::fix_file;
use preflight::config::Config;
use preflight::fixes::apply::Allowed;
use preflight::syntax::sql::SqlFile;

const SEED: &str = "
CREATE TABLE orgs (id bigint PRIMARY KEY);
INSERT INTO orgs SELECT g FROM generate_series(1, 100) g;
CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, price int NOT NULL DEFAULT 1);
INSERT INTO users (id, email, org_id, price)
  SELECT g, 'u' || g || '@example.com', 1 + g % 100, 1 + g % 7 FROM generate_series(1, 2000) g;
";

/// Columns, constraints (with whether they are valid) and indexes (with
/// whether they are valid) of the public schema: what "same end schema" means.
const SCHEMA: &str = "
SELECT 'column', c.relname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index', i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'public'::regnamespace
ORDER BY 1, 2, 3;
";

/// A migration directory before the fix, and the rules the fix must clear.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    cleared: &'static [&'static str],
    /// `--fix` (safe fixes only) rather than `--unsafe-fixes`.
    safe: bool,
}

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
    },
    Case {
        name: "plain_cic_in_place",
        files: &[(
            "schema/add_index.sql",
            "CREATE INDEX users_org_idx ON users (org_id);\n",
        )],
        cleared: &["require-concurrent-index-creation"],
        safe: true,
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
    },
    Case {
        name: "timeout_preamble",
        files: &[(
            "schema/note.sql",
            "BEGIN;\nALTER TABLE users ADD COLUMN nickname text;\nCOMMIT;\n",
        )],
        cleared: &["require-lock-timeout", "require-statement-timeout"],
        safe: true,
    },
];

fn write_case(root: &Path, case: &Case) {
    for (relative, text) in case.files {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        fs::write(path, text).expect("write migration");
    }
}

/// Every up migration under `root`, in the order a runner applies them.
fn up_files(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".sql") && !name.ends_with(".down.sql") {
                let text = fs::read_to_string(&path).expect("read migration");
                files.insert(path, text);
            }
        }
    }
    files
}

/// Runs the migrations as their runner would: a golang-migrate file of
/// several statements is one implicit transaction; a single statement or a
/// plain file runs statement by statement.
fn migrate(pg: &Postgres, db: &str, files: &BTreeMap<PathBuf, String>) -> Result<(), String> {
    for (path, text) in files {
        let golang = path.to_string_lossy().ends_with(".up.sql");
        let single = golang && SqlFile::parse(text).statements().len() > 1;
        pg.psql(db, text, single)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn rules_reported(root: &Path) -> Vec<String> {
    let output = Command::new(preflight_bin())
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .expect("preflight runs");
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the JSON report parses");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn rewrites_clear_the_rule_and_reach_the_same_schema_on_postgres() {
    let pg = Postgres::start("rewrites");
    for case in CASES {
        let root = pg.dir().join(case.name);
        write_case(&root, case);
        let before = rules_reported(&root);
        for rule in case.cleared {
            assert!(
                before.iter().any(|r| r == rule),
                "{}: {rule} not reported before the fix: {before:?}",
                case.name
            );
        }
        let original = up_files(&root);

        let flag = if case.safe { "--fix" } else { "--unsafe-fixes" };
        let status = Command::new(preflight_bin())
            .args(["check", flag, "--fail-on", "error"])
            .arg(&root)
            .output()
            .expect("preflight runs");
        assert!(
            status.status.code().is_some(),
            "{}: preflight crashed",
            case.name
        );
        let fixed = up_files(&root);
        assert_ne!(original, fixed, "{}: the fix changed nothing", case.name);

        let after = rules_reported(&root);
        for rule in case.cleared {
            assert!(
                !after.iter().any(|r| r == rule),
                "{}: {rule} still reported after the fix: {after:?}",
                case.name
            );
        }
        let new: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
        assert!(new.is_empty(), "{}: the fix introduced {new:?}", case.name);

        let (a, b) = (
            format!("{}_original", case.name),
            format!("{}_fixed", case.name),
        );
        let mut schemas = Vec::new();
        for (db, files) in [(&a, &original), (&b, &fixed)] {
            pg.create_db(db);
            pg.psql(db, SEED, true).expect("seed");
            migrate(&pg, db, files).unwrap_or_else(|e| panic!("{}: {db}: {e}", case.name));
            schemas.push(pg.psql(db, SCHEMA, false).expect("schema query"));
        }
        assert_eq!(
            schemas[0], schemas[1],
            "{}: the fixed migration ends in another schema",
            case.name
        );
        assert!(
            schemas[1].contains("valid=true"),
            "{}: {}",
            case.name,
            schemas[1]
        );
        assert!(
            !schemas[1].contains("valid=false"),
            "{}: something left invalid: {}",
            case.name,
            schemas[1]
        );
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
