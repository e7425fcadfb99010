//! The next migration file beside the current one, named and laid out by its
//! runner's conventions: what a split fix creates when a step must run in a
//! transaction of its own, or outside any.

use std::path::{Path, PathBuf};

use crate::analysis::runner::Runner;
use crate::finding::Edit;

/// A step moved into a migration of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStep<'s> {
    /// The statements of the new migration, each ending in `;`.
    pub up: &'s str,
    /// What undoes them, for runners with down migrations.
    pub down: &'s str,
    /// It must run outside a transaction block.
    pub outside: bool,
    /// Appended to the current migration's name: `add_index` → `add_index_concurrently`.
    pub suffix: &'s str,
}

/// The files that create the new migration, or `None` when the runner has no
/// way to run `step` as asked (Prisma and Drizzle cannot run one migration
/// outside their transaction) or the current file is not named by its
/// convention. `neighbours` lists the directory the new migration goes into.
pub fn create(
    runner: Runner,
    path: &Path,
    neighbours: &[String],
    step: &NewStep<'_>,
) -> Option<Vec<Edit>> {
    let file = path.file_name()?.to_str()?;
    let dir = path.parent()?;
    let files: Vec<(PathBuf, String)> = match runner {
        Runner::GolangMigrate | Runner::Sqlx if file.ends_with(".up.sql") => {
            let stem = file.strip_suffix(".up.sql")?;
            let name = next_name(stem, neighbours, step.suffix)?;
            let marker = no_transaction_marker(runner, step);
            vec![
                (
                    dir.join(format!("{name}.up.sql")),
                    format!("{marker}{}\n", step.up),
                ),
                (
                    dir.join(format!("{name}.down.sql")),
                    format!("{marker}{}\n", step.down),
                ),
            ]
        }
        Runner::Sqlx => {
            let name = next_name(file.strip_suffix(".sql")?, neighbours, step.suffix)?;
            let marker = no_transaction_marker(runner, step);
            vec![(
                dir.join(format!("{name}.sql")),
                format!("{marker}{}\n", step.up),
            )]
        }
        Runner::Diesel => {
            let migration = dir.file_name()?.to_str()?;
            let name = next_name(migration, neighbours, step.suffix)?;
            let new_dir = dir.parent()?.join(name);
            let mut files = vec![
                (new_dir.join("up.sql"), format!("{}\n", step.up)),
                (new_dir.join("down.sql"), format!("{}\n", step.down)),
            ];
            if step.outside {
                files.push((
                    new_dir.join("metadata.toml"),
                    "run_in_transaction = false\n".to_string(),
                ));
            }
            files
        }
        Runner::Goose => {
            let name = next_name(file.strip_suffix(".sql")?, neighbours, step.suffix)?;
            let no_transaction = if step.outside {
                "-- +goose NO TRANSACTION\n"
            } else {
                ""
            };
            vec![(
                dir.join(format!("{name}.sql")),
                format!(
                    "{no_transaction}-- +goose Up\n{}\n\n-- +goose Down\n{}\n",
                    step.up, step.down
                ),
            )]
        }
        Runner::Dbmate => {
            let name = next_name(file.strip_suffix(".sql")?, neighbours, step.suffix)?;
            let options = if step.outside {
                " transaction:false"
            } else {
                ""
            };
            vec![(
                dir.join(format!("{name}.sql")),
                format!(
                    "-- migrate:up{options}\n{}\n\n-- migrate:down{options}\n{}\n",
                    step.up, step.down
                ),
            )]
        }
        // Flyway runs a script holding only statements PostgreSQL refuses in a
        // transaction outside one by itself, but it cannot see a `COMMIT`
        // inside `DO`: the script's `.conf` says so.
        Runner::Flyway => {
            let rest = file.strip_prefix('V')?;
            let (version, description) = rest.split_once("__")?;
            let description = description.strip_suffix(".sql")?;
            let next = next_flyway_version(version, neighbours)?;
            let script = dir.join(format!("V{next}__{description}_{}.sql", step.suffix));
            let mut files = vec![(script.clone(), format!("{}\n", step.up))];
            if step.outside {
                let mut conf = script.into_os_string();
                conf.push(".conf");
                files.push((conf.into(), "executeInTransaction=false\n".to_string()));
            }
            files
        }
        Runner::Atlas => {
            let name = next_name(file.strip_suffix(".sql")?, neighbours, step.suffix)?;
            let txmode = if step.outside {
                "-- atlas:txmode none\n\n"
            } else {
                ""
            };
            vec![(
                dir.join(format!("{name}.sql")),
                format!("{txmode}{}\n", step.up),
            )]
        }
        // ORM migrations get their next migration from their own builders
        // (`fixes::alembic`, `fixes::django`), in their own language.
        Runner::GolangMigrate
        | Runner::Prisma
        | Runner::Drizzle
        | Runner::Alembic
        | Runner::Django
        | Runner::TypeOrm
        | Runner::Knex
        | Runner::Unknown => return None,
    };
    Some(
        files
            .into_iter()
            .map(|(path, text)| Edit {
                file: Some(path),
                range: 0..0,
                replacement: text,
                create: true,
            })
            .collect(),
    )
}

/// The files of several new migrations, one after the other in `steps`' order
/// (each numbered past the one before), or `None` when any cannot be created.
pub fn create_all(
    runner: Runner,
    path: &Path,
    neighbours: &[String],
    steps: &[NewStep<'_>],
) -> Option<Vec<Vec<Edit>>> {
    let mut listed = neighbours.to_vec();
    let mut all = Vec::with_capacity(steps.len());
    for step in steps {
        let files = create(runner, path, &listed, step)?;
        // The next step is numbered past this one, as if it were on disk.
        listed.push(listed_name(&files)?);
        all.push(files);
    }
    Some(all)
}

/// The name a new migration has in its directory's listing: its first file,
/// or diesel's directory.
pub fn listed_name(created: &[Edit]) -> Option<String> {
    let path = created.first()?.file.as_deref()?;
    let file = path.file_name()?.to_str()?;
    if file == "up.sql" {
        return Some(path.parent()?.file_name()?.to_str()?.to_string());
    }
    Some(file.to_string())
}

/// sqlx reads `-- no-transaction` only as the very first bytes of the file.
fn no_transaction_marker(runner: Runner, step: &NewStep<'_>) -> &'static str {
    if runner == Runner::Sqlx && step.outside {
        "-- no-transaction\n"
    } else {
        ""
    }
}

/// `<next version>_<description>_<suffix>`, the version one past the highest
/// of `neighbours` in the current name's format.
pub(super) fn next_name(current: &str, neighbours: &[String], suffix: &str) -> Option<String> {
    let (version, description) = next_version(current, neighbours)?;
    let description = description.trim_start_matches('_');
    Some(if description.is_empty() {
        format!("{version}_{suffix}")
    } else {
        format!("{version}_{description}_{suffix}")
    })
}

/// The version one past the highest of `neighbours` in the format of the
/// version `current` starts with (a timestamp, a sequence number), and what
/// follows that version in `current`.
pub(super) fn next_version<'c>(
    current: &'c str,
    neighbours: &[String],
) -> Option<(String, &'c str)> {
    let format = VersionFormat::of(current)?;
    let highest = neighbours
        .iter()
        .filter_map(|name| format.read(name))
        .chain(format.read(current))
        .max()?;
    let version = format.write(format.next(highest)?);
    Some((version, &current[format.len()..]))
}

/// How a runner's version prefix is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VersionFormat {
    /// `20240101120000`: a UTC timestamp to the second.
    Timestamp,
    /// diesel's `2024-01-01-120000`.
    DieselTimestamp,
    /// `0001`, `42`: a sequence number, zero-padded to this width.
    Sequence(usize),
}

impl VersionFormat {
    fn of(name: &str) -> Option<Self> {
        let digits = name.bytes().take_while(u8::is_ascii_digit).count();
        if is_diesel_timestamp(name) {
            Some(VersionFormat::DieselTimestamp)
        } else if digits == 14 {
            Some(VersionFormat::Timestamp)
        } else if digits > 0 {
            Some(VersionFormat::Sequence(digits))
        } else {
            None
        }
    }

    fn len(self) -> usize {
        match self {
            VersionFormat::Timestamp => 14,
            VersionFormat::DieselTimestamp => 17,
            VersionFormat::Sequence(width) => width,
        }
    }

    /// The version a name starts with, as a number that orders like it.
    fn read(self, name: &str) -> Option<u64> {
        match self {
            VersionFormat::DieselTimestamp => {
                if !is_diesel_timestamp(name) {
                    return None;
                }
                name[..17].replace('-', "").parse().ok()
            }
            VersionFormat::Timestamp | VersionFormat::Sequence(_) => {
                let digits = name.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return None;
                }
                name[..digits].parse().ok()
            }
        }
    }

    fn next(self, version: u64) -> Option<u64> {
        match self {
            VersionFormat::Sequence(_) => version.checked_add(1),
            VersionFormat::Timestamp | VersionFormat::DieselTimestamp => {
                Timestamp::from_digits(version)?.next_second().to_digits()
            }
        }
    }

    fn write(self, version: u64) -> String {
        match self {
            VersionFormat::Timestamp => format!("{version:014}"),
            VersionFormat::Sequence(width) => format!("{version:0width$}"),
            VersionFormat::DieselTimestamp => {
                let digits = format!("{version:014}");
                format!(
                    "{}-{}-{}-{}",
                    &digits[..4],
                    &digits[4..6],
                    &digits[6..8],
                    &digits[8..]
                )
            }
        }
    }
}

/// `YYYY-MM-DD-HHMMSS` at the start of `name`.
fn is_diesel_timestamp(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() >= 17
        && bytes[..17].iter().enumerate().all(|(i, b)| match i {
            4 | 7 | 10 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// A calendar time to the second, enough to add one second to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timestamp {
    year: u64,
    month: u64,
    day: u64,
    hour: u64,
    minute: u64,
    second: u64,
}

impl Timestamp {
    fn from_digits(v: u64) -> Option<Self> {
        let t = Timestamp {
            year: v / 10_000_000_000,
            month: v / 100_000_000 % 100,
            day: v / 1_000_000 % 100,
            hour: v / 10_000 % 100,
            minute: v / 100 % 100,
            second: v % 100,
        };
        let valid = (1..=12).contains(&t.month)
            && (1..=days_in_month(t.year, t.month)).contains(&t.day)
            && t.hour < 24
            && t.minute < 60
            && t.second < 60;
        valid.then_some(t)
    }

    fn to_digits(self) -> Option<u64> {
        let v = self.year.checked_mul(10_000_000_000)?
            + self.month * 100_000_000
            + self.day * 1_000_000
            + self.hour * 10_000
            + self.minute * 100
            + self.second;
        (self.year < 10_000).then_some(v)
    }

    fn next_second(mut self) -> Self {
        self.second += 1;
        if self.second == 60 {
            self.second = 0;
            self.minute += 1;
        }
        if self.minute == 60 {
            self.minute = 0;
            self.hour += 1;
        }
        if self.hour == 24 {
            self.hour = 0;
            self.day += 1;
        }
        if self.day > days_in_month(self.year, self.month) {
            self.day = 1;
            self.month += 1;
        }
        if self.month == 13 {
            self.month = 1;
            self.year += 1;
        }
        self
    }
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// One past the highest Flyway version: `3` → `4`, `1.2` → `1.3` (the last
/// component counts up, as teams number point releases).
fn next_flyway_version(current: &str, neighbours: &[String]) -> Option<String> {
    let parse = |v: &str| -> Option<Vec<u64>> {
        v.split(['.', '_'])
            .map(|part| part.parse().ok())
            .collect::<Option<Vec<u64>>>()
    };
    let highest = neighbours
        .iter()
        .filter_map(|name| name.strip_prefix('V')?.split_once("__").map(|(v, _)| v))
        .chain(std::iter::once(current))
        .filter_map(parse)
        .max()?;
    let (last, init) = highest.split_last()?;
    let mut next: Vec<String> = init.iter().map(u64::to_string).collect();
    next.push(last.checked_add(1)?.to_string());
    Some(next.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn created(edits: &[Edit]) -> Vec<(String, &str)> {
        edits
            .iter()
            .map(|e| {
                (
                    e.file.as_ref().unwrap().display().to_string(),
                    e.replacement.as_str(),
                )
            })
            .collect()
    }

    const CIC: NewStep<'static> = NewStep {
        up: "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);",
        down: "DROP INDEX CONCURRENTLY IF EXISTS i;",
        outside: true,
        suffix: "concurrently",
    };

    #[test]
    fn golang_migrate_sequence_after_the_highest_neighbour() {
        let edits = create(
            Runner::GolangMigrate,
            Path::new("db/000002_add_index.up.sql"),
            &names(&[
                "000001_init.up.sql",
                "000002_add_index.up.sql",
                "000003_more.down.sql",
            ]),
            &CIC,
        )
        .unwrap();
        assert_eq!(
            created(&edits),
            [
                (
                    "db/000004_add_index_concurrently.up.sql".to_string(),
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n"
                ),
                (
                    "db/000004_add_index_concurrently.down.sql".to_string(),
                    "DROP INDEX CONCURRENTLY IF EXISTS i;\n"
                ),
            ]
        );
    }

    #[test]
    fn sqlx_marks_a_non_transactional_file_first_thing() {
        let edits = create(
            Runner::Sqlx,
            Path::new("migrations/20241231235959_idx.sql"),
            &[],
            &CIC,
        )
        .unwrap();
        assert_eq!(
            created(&edits),
            [(
                "migrations/20250101000000_idx_concurrently.sql".to_string(),
                "-- no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n"
            )]
        );
    }

    #[test]
    fn diesel_gets_a_directory_with_metadata() {
        let edits = create(
            Runner::Diesel,
            Path::new("migrations/2024-02-28-235959_add_index/up.sql"),
            &names(&[
                "2024-02-28-235959_add_index",
                "00000000000000_diesel_initial_setup",
            ]),
            &CIC,
        )
        .unwrap();
        let files: Vec<String> = created(&edits).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            files,
            [
                "migrations/2024-02-29-000000_add_index_concurrently/up.sql",
                "migrations/2024-02-29-000000_add_index_concurrently/down.sql",
                "migrations/2024-02-29-000000_add_index_concurrently/metadata.toml",
            ]
        );
        assert_eq!(edits[2].replacement, "run_in_transaction = false\n");
    }

    #[test]
    fn goose_dbmate_flyway_and_atlas_layouts() {
        let goose = create(Runner::Goose, Path::new("m/00007_idx.sql"), &[], &CIC).unwrap();
        assert_eq!(
            goose[0].file.as_deref(),
            Some(Path::new("m/00008_idx_concurrently.sql"))
        );
        assert!(
            goose[0]
                .replacement
                .starts_with("-- +goose NO TRANSACTION\n-- +goose Up\n")
        );
        assert!(goose[0].replacement.contains("-- +goose Down\nDROP INDEX"));

        let dbmate = create(
            Runner::Dbmate,
            Path::new("db/20240101000000_x.sql"),
            &[],
            &CIC,
        )
        .unwrap();
        assert!(
            dbmate[0]
                .replacement
                .starts_with("-- migrate:up transaction:false\n")
        );

        let flyway = create(
            Runner::Flyway,
            Path::new("sql/V1.9__idx.sql"),
            &names(&["V1.10__later.sql", "V1.9__idx.sql"]),
            &CIC,
        )
        .unwrap();
        assert_eq!(
            flyway[0].file.as_deref(),
            Some(Path::new("sql/V1.11__idx_concurrently.sql"))
        );

        let atlas = create(Runner::Atlas, Path::new("m/20240101000000.sql"), &[], &CIC).unwrap();
        assert_eq!(
            atlas[0].file.as_deref(),
            Some(Path::new("m/20240101000001_concurrently.sql"))
        );
        assert!(atlas[0].replacement.starts_with("-- atlas:txmode none\n"));
    }

    #[test]
    fn several_steps_are_numbered_one_after_the_other() {
        let later = NewStep {
            outside: false,
            suffix: "contract",
            ..CIC
        };
        let golang = create_all(
            Runner::GolangMigrate,
            Path::new("db/000002_x.up.sql"),
            &names(&["000002_x.up.sql"]),
            &[CIC, later.clone()],
        )
        .unwrap();
        let files: Vec<_> = golang
            .iter()
            .map(|edits| listed_name(edits).unwrap())
            .collect();
        assert_eq!(
            files,
            ["000003_x_concurrently.up.sql", "000004_x_contract.up.sql"]
        );
        let diesel = create_all(
            Runner::Diesel,
            Path::new("m/2024-01-01-000000_x/up.sql"),
            &[],
            &[CIC, later.clone()],
        )
        .unwrap();
        assert_eq!(
            listed_name(&diesel[1]).unwrap(),
            "2024-01-01-000002_x_contract"
        );
        let flyway = create_all(
            Runner::Flyway,
            Path::new("sql/V7__x.sql"),
            &[],
            &[CIC, later],
        )
        .unwrap();
        assert_eq!(
            created(&flyway[0])[1],
            (
                "sql/V8__x_concurrently.sql.conf".to_string(),
                "executeInTransaction=false\n"
            )
        );
        assert_eq!(created(&flyway[1])[0].0, "sql/V9__x_contract.sql");
        assert_eq!(flyway[1].len(), 1);
        assert!(create_all(Runner::Prisma, Path::new("m/1_x.sql"), &[], &[CIC]).is_none());
    }

    #[test]
    fn a_transactional_step_has_no_markers() {
        let step = NewStep {
            outside: false,
            ..CIC
        };
        let goose = create(Runner::Goose, Path::new("m/1_x.sql"), &[], &step).unwrap();
        assert!(goose[0].replacement.starts_with("-- +goose Up\n"));
        let diesel = create(Runner::Diesel, Path::new("m/0001_x/up.sql"), &[], &step).unwrap();
        assert_eq!(diesel.len(), 2);
    }

    #[test]
    fn runners_that_cannot_split_and_odd_names() {
        for runner in [Runner::Prisma, Runner::Drizzle, Runner::Unknown] {
            assert!(create(runner, Path::new("m/1_x.sql"), &[], &CIC).is_none());
        }
        assert!(create(Runner::Goose, Path::new("m/init.sql"), &[], &CIC).is_none());
        assert!(create(Runner::Sqlx, Path::new("m/99999999999999_x.sql"), &[], &CIC).is_none());
    }
}
