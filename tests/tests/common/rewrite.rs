//! The rewrite checks shared by the recipe tests: write a migration, fix it
//! with the CLI, and compare what the original and the fixed migration do on
//! a real PostgreSQL server.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use preflight::analysis::runner::{self, ProjectFacts};
use preflight::syntax::sql::SqlFile;

use super::postgres::Postgres;
use super::preflight_bin;

pub const SEED: &str = "
CREATE TABLE orgs (id bigint PRIMARY KEY);
INSERT INTO orgs SELECT g FROM generate_series(1, 100) g;
CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, price int NOT NULL DEFAULT 1);
INSERT INTO users (id, email, org_id, price)
  SELECT g, 'u' || g || '@example.com', 1 + g % 100, 1 + g % 7 FROM generate_series(1, 2000) g;
";

/// Columns, constraints (with whether they are valid) and indexes (with
/// whether they are valid) of the public schema: what "same end schema" means.
pub const SCHEMA: &str = "
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
pub struct Case {
    pub name: &'static str,
    pub files: &'static [(&'static str, &'static str)],
    pub cleared: &'static [&'static str],
    /// `--fix` (safe fixes only) rather than `--unsafe-fixes`.
    pub safe: bool,
    /// Queries whose rows must be the same after the original and the fixed
    /// migrations: the data a backfill writes.
    pub data: &'static [&'static str],
}

pub fn write_case(root: &Path, case: &Case) {
    for (relative, text) in case.files {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        fs::write(path, text).expect("write migration");
    }
}

/// golang-migrate's `.down.sql` and diesel's `down.sql`.
fn is_down(name: &str) -> bool {
    name.ends_with(".down.sql") || name == "down.sql"
}

/// Every up migration under `root`, in the order a runner applies them.
pub fn up_files(root: &Path) -> BTreeMap<PathBuf, String> {
    migration_files(root, false)
}

/// Every down migration under `root`, sorted by name (rolled back last
/// first).
pub fn down_files(root: &Path) -> BTreeMap<PathBuf, String> {
    migration_files(root, true)
}

fn migration_files(root: &Path, down: bool) -> BTreeMap<PathBuf, String> {
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
            } else if name.ends_with(".sql") && is_down(name) == down {
                let text = fs::read_to_string(&path).expect("read migration");
                files.insert(path, text);
            }
        }
    }
    files
}

/// Runs the migrations as their runner would (as preflight reads the runner's
/// conventions): a down file whole, else only the up section, in one transaction when the runner
/// wraps the file or sends several statements as one query, else statement
/// by statement.
pub fn migrate<'f>(
    pg: &Postgres,
    db: &str,
    files: impl IntoIterator<Item = (&'f PathBuf, &'f String)>,
) -> Result<(), String> {
    for (path, text) in files {
        let metadata = path
            .parent()
            .and_then(|dir| fs::read_to_string(dir.join("metadata.toml")).ok());
        let exists = |p: &Path| p.is_file();
        let project = ProjectFacts {
            exists: &exists,
            diesel_metadata: metadata.as_deref(),
            diesel_down: None,
        };
        let runner = runner::detect(path, text, &project);
        // A down file runs whole; a goose or dbmate file, its up section.
        let up = if runner.is_down {
            text.as_str()
        } else {
            &text[runner.up.clone()]
        };
        let several = SqlFile::parse(up).statements().len() > 1;
        let single = match runner.in_transaction {
            Some(true) => several || !runner.one_query,
            Some(false) => several && runner.one_query,
            None => false,
        };
        pg.psql(db, up, single)
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

/// `preflight check --fix` (or `--unsafe-fixes`) on `root`.
pub fn fix_dir(root: &Path, safe: bool) {
    let flag = if safe { "--fix" } else { "--unsafe-fixes" };
    let status = Command::new(preflight_bin())
        .args(["check", flag, "--fail-on", "error"])
        .arg(root)
        .output()
        .expect("preflight runs");
    assert!(
        status.status.code().is_some(),
        "{}: preflight crashed",
        root.display()
    );
}

/// Writes `case` under the server's directory, fixes it with the CLI and
/// checks the three properties; panics naming the case.
pub fn check_case(pg: &Postgres, case: &Case) {
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
    let original_down = down_files(&root);

    fix_dir(&root, case.safe);
    let fixed = up_files(&root);
    let fixed_down = down_files(&root);
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
    let mut data = Vec::new();
    for (db, files) in [(&a, &original), (&b, &fixed)] {
        pg.create_db(db);
        pg.psql(db, SEED, true).expect("seed");
        migrate(pg, db, files.iter()).unwrap_or_else(|e| panic!("{}: {db}: {e}", case.name));
        schemas.push(pg.psql(db, SCHEMA, false).expect("schema query"));
        data.push(
            case.data
                .iter()
                .map(|q| {
                    pg.psql(db, q, false)
                        .unwrap_or_else(|e| panic!("{}: {db}: {q}: {e}", case.name))
                })
                .collect::<Vec<_>>(),
        );
    }
    for (query, (original, fixed)) in case.data.iter().zip(data[0].iter().zip(&data[1])) {
        assert!(
            !original.is_empty(),
            "{}: {query} returned nothing",
            case.name
        );
        assert_eq!(
            original, fixed,
            "{}: {query} differs after the fixed migration",
            case.name
        );
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

    // Rolling back, last migration first, ends where the original's
    // rollback does: a moved step's undo moved with it.
    // A contract step (a later deploy of expand/contract) drops the old
    // column with its data: no down migration brings that back, so rolling
    // back through it is not expected to match.
    let contracts = fixed
        .keys()
        .any(|p| p.to_string_lossy().contains("_contract"));
    if original_down.is_empty() || contracts {
        return;
    }
    let mut rolled_back = Vec::new();
    for (db, files) in [(&a, &original_down), (&b, &fixed_down)] {
        migrate(pg, db, files.iter().rev())
            .unwrap_or_else(|e| panic!("{}: rolling back {db}: {e}", case.name));
        rolled_back.push(pg.psql(db, SCHEMA, false).expect("schema query"));
    }
    assert_eq!(
        rolled_back[0], rolled_back[1],
        "{}: the fixed migration rolls back to another schema",
        case.name
    );
}
