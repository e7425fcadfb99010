//! Which migration runner executes a `.sql` file, and how: inside a
//! transaction or not, which part of the file is the "up" migration, and
//! where its down migration is (or should be). ORM migrations written in
//! Python or TypeScript get the same facts from their front ends
//! (`analysis::orm`), under the runners at the end of [`Runner`].
//!
//! Pure recognition from the path and the text: every fact about the file
//! system comes in through [`ProjectFacts`], so this module does no I/O.
//! Conventions follow `shared/reference/postgres-migration-rules.md` §2c and §4.
//!
//! Recognisers run from the most specific signal to the least: an annotation
//! inside the text (goose, dbmate) names its runner whatever the file is
//! called; then file layouts (diesel, Prisma, `.up.sql`, Flyway, Drizzle);
//! then directory markers (`atlas.sum`, a `migrations/` directory beside a
//! `Cargo.toml`); anything else is [`Runner::Unknown`].
//!
//! CRLF text is read as if it were LF: the file the runner finally reads is
//! often the LF checkout of the same text.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::syntax::sql::lexer::{Lexeme, Lexer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runner {
    GolangMigrate,
    Sqlx,
    Diesel,
    Goose,
    Dbmate,
    /// Versioned scripts run in a transaction. Flyway also notices statements
    /// PostgreSQL refuses inside one (CREATE INDEX CONCURRENTLY) and runs such a
    /// script outside a transaction, which `in_transaction` cannot express.
    Flyway,
    Prisma,
    /// Statements separated by `--> statement-breakpoint`; the splitter needs
    /// nothing special for them (the marker is a comment).
    Drizzle,
    Atlas,
    /// Alembic revisions (`versions/*.py`): the whole run in one transaction
    /// unless `env.py` says otherwise; `autocommit_block()` steps outside it.
    Alembic,
    /// Django migrations: each atomic (one transaction) unless `atomic = False`.
    Django,
    /// TypeORM migration classes: in a transaction unless `transaction = false`.
    TypeOrm,
    /// Knex migrations: each in a transaction unless `config.transaction` is false.
    Knex,
    Unknown,
}

impl Runner {
    /// The tool's own name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Runner::GolangMigrate => "golang-migrate",
            Runner::Sqlx => "sqlx",
            Runner::Diesel => "diesel",
            Runner::Goose => "goose",
            Runner::Dbmate => "dbmate",
            Runner::Flyway => "Flyway",
            Runner::Prisma => "Prisma Migrate",
            Runner::Drizzle => "Drizzle",
            Runner::Atlas => "Atlas",
            Runner::Alembic => "Alembic",
            Runner::Django => "Django",
            Runner::TypeOrm => "TypeORM",
            Runner::Knex => "Knex",
            Runner::Unknown => "unknown runner",
        }
    }
}

/// Where the down migration of a file is, or should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Down {
    /// The runner has no down migration here (Prisma, Drizzle, Atlas, Flyway
    /// community, sqlx simple migrations, plain files), or this file is itself one.
    NotApplicable,
    /// A sibling file at this path; it may not exist (see `down_missing`).
    File(PathBuf),
    /// The body of this file's down section, after its marker line; an empty
    /// range at the end of the text when the file has no such section.
    Section(Range<usize>),
    /// In the migration's own code (Alembic's `downgrade()`, TypeORM's and
    /// Knex's `down`): the range to point at, the function or, when it is
    /// missing, the up function it should follow.
    Code(Range<usize>),
}

/// Why the down migration is missing, ready to be put in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownProblem {
    /// No sibling file with this name.
    MissingFile(String),
    /// The sibling file with this name holds only comments and whitespace.
    EmptyFile(String),
    /// No section introduced by this marker.
    MissingSection(&'static str),
    /// The section introduced by this marker holds only comments and whitespace.
    EmptySection(&'static str),
    /// No function of this name (`downgrade()`, `down`).
    MissingFunction(&'static str),
    /// The function of this name does nothing (`pass`, a docstring, an empty body).
    EmptyFunction(&'static str),
    /// Operations that have no inverse (Django's `RunSQL` without `reverse_sql`).
    Irreversible(Vec<Irreversible>),
}

/// An operation that cannot be rolled back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Irreversible {
    pub range: Range<usize>,
    /// `RunSQL`.
    pub operation: &'static str,
    /// What would make it reversible: `reverse_sql`.
    pub missing: &'static str,
}

impl fmt::Display for DownProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownProblem::MissingFile(name) => write!(f, "no `{name}` beside this file"),
            DownProblem::EmptyFile(name) => write!(f, "`{name}` is empty"),
            DownProblem::MissingSection(marker) => write!(f, "no `{marker}` section"),
            DownProblem::EmptySection(marker) => write!(f, "`{marker}` section is empty"),
            DownProblem::MissingFunction(name) => write!(f, "no `{name}`"),
            DownProblem::EmptyFunction(name) => write!(f, "`{name}` does nothing"),
            DownProblem::Irreversible(operations) => {
                let names: Vec<String> = operations
                    .iter()
                    .map(|o| format!("`{}` without `{}`", o.operation, o.missing))
                    .collect();
                f.write_str(&names.join(", "))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerFacts {
    pub runner: Runner,
    /// Some(true): the runner wraps the whole file (or its up section) in one
    /// transaction; Some(false): it runs it outside a transaction; None: unknown.
    /// golang-migrate counts as Some(true): it sends the file as one
    /// multi-statement query, which PostgreSQL runs as one implicit transaction.
    pub in_transaction: Option<bool>,
    /// The runner sends the executed text to PostgreSQL as one simple-query
    /// message (golang-migrate, sqlx, diesel, dbmate). PostgreSQL runs such a
    /// message as one implicit transaction when it holds several statements, so
    /// even with `in_transaction == Some(false)` a statement that cannot run in a
    /// transaction block only works when it is the only statement; and with a
    /// single statement there is no transaction block at all, even for
    /// golang-migrate.
    pub one_query: bool,
    /// This file is itself a down migration (`.down.sql`, diesel `down.sql`,
    /// Flyway `U<ver>__*.sql`), which rules may want to skip.
    pub is_down: bool,
    /// Byte range the runner executes as the up migration: the goose or dbmate
    /// up section (after its marker line, up to the down marker), else the whole text.
    pub up: Range<usize>,
    pub down: Down,
    pub down_missing: Option<DownProblem>,
}

impl RunnerFacts {
    /// A file executed whole, with no down migration to look for.
    pub fn whole(runner: Runner, in_transaction: Option<bool>, text: &str) -> RunnerFacts {
        RunnerFacts {
            runner,
            in_transaction,
            one_query: false,
            is_down: false,
            up: 0..text.len(),
            down: Down::NotApplicable,
            down_missing: None,
        }
    }
}

/// What the caller knows about the files around the one being analysed.
#[derive(Clone, Copy)]
pub struct ProjectFacts<'a> {
    /// Whether a file exists: sibling down files, `atlas.sum`, `Cargo.toml`,
    /// Drizzle's `meta/_journal.json`, a Flyway script's `.conf`.
    pub exists: &'a dyn Fn(&Path) -> bool,
    /// Text of `metadata.toml` beside a diesel `up.sql` or `down.sql`, if present.
    pub diesel_metadata: Option<&'a str>,
    /// Text of `down.sql` beside a diesel `up.sql`, if the caller read it, so an
    /// empty one can be reported. When given, the file counts as present.
    pub diesel_down: Option<&'a str>,
}

fn nothing_exists(_: &Path) -> bool {
    false
}

impl Default for ProjectFacts<'_> {
    fn default() -> Self {
        ProjectFacts {
            exists: &nothing_exists,
            diesel_metadata: None,
            diesel_down: None,
        }
    }
}

impl fmt::Debug for ProjectFacts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectFacts")
            .field("diesel_metadata", &self.diesel_metadata)
            .field("diesel_down", &self.diesel_down)
            .finish_non_exhaustive()
    }
}

pub fn detect(path: &Path, text: &str, project: &ProjectFacts) -> RunnerFacts {
    let comments = crate::syntax::sql::SqlFile::parse(text).comments().to_vec();
    detect_with_comments(path, text, &comments, project)
}

/// [`detect`] with the text's comment spans already known (the engine has
/// them from its parse): every runner annotation is a comment, so on each
/// keystroke only the comments are searched for one, not the whole text.
pub fn detect_with_comments(
    path: &Path,
    text: &str,
    comments: &[Range<usize>],
    project: &ProjectFacts,
) -> RunnerFacts {
    let marked = |marker: &dyn Fn(&str) -> bool| {
        comments
            .iter()
            .any(|c| text.get(c.clone()).is_some_and(marker))
    };
    // Each tool reads its annotation right after the `--`, so a comment's
    // first words decide: no search through its text.
    let goose_marked = marked(&|c| {
        after_dashes(c)
            .and_then(|rest| rest.get(..6))
            .is_some_and(|word| word.eq_ignore_ascii_case("+goose"))
    });
    let dbmate_marked =
        marked(&|c| after_dashes(c).is_some_and(|rest| rest.starts_with("migrate:up")));
    let drizzle_marked = marked(&|c| c.starts_with("--> statement-breakpoint"));
    goose_marked
        .then(|| goose(text))
        .flatten()
        .or_else(|| dbmate_marked.then(|| dbmate(text)).flatten())
        .or_else(|| diesel(path, text, project))
        .or_else(|| prisma(path, text))
        .or_else(|| up_down_file(path, text, project))
        .or_else(|| flyway(path, text, project))
        .or_else(|| drizzle(path, drizzle_marked, text, project))
        .or_else(|| atlas(path, text, project))
        .or_else(|| sqlx_simple(path, text, project))
        .unwrap_or_else(|| RunnerFacts::whole(Runner::Unknown, None, text))
}

/// sqlx honours this only as the very first bytes of the file
/// (`sql.starts_with("-- no-transaction")`), so nothing looser is accepted:
/// reading a misspelt marker as "no transaction" would hide a failing
/// CREATE INDEX CONCURRENTLY.
const SQLX_NO_TRANSACTION: &str = "-- no-transaction";
const GOOSE_DOWN: &str = "-- +goose Down";
const DBMATE_DOWN: &str = "-- migrate:down";

/// goose: any file with a `-- +goose Up` annotation. goose reads annotations
/// line by line: `--` at the start of the line (no indentation), then
/// `+goose` and the command, both case-insensitive, spacing free.
/// Called only when a comment mentions `+goose`.
fn goose(text: &str) -> Option<RunnerFacts> {
    let mut up_start = None;
    let mut down_line = None;
    let mut no_transaction = false;
    for line in lines(text) {
        match goose_annotation(line.text) {
            Some(Goose::Up) if up_start.is_none() => up_start = Some(line.next),
            Some(Goose::Down) if up_start.is_some() && down_line.is_none() => {
                down_line = Some((line.start, line.next));
            }
            Some(Goose::NoTransaction) => no_transaction = true,
            _ => {}
        }
    }
    let up_start = up_start?;
    let (up_end, down_body) = match down_line {
        Some((start, next)) => (start, Some(next..text.len())),
        None => (text.len(), None),
    };
    let (down, down_missing) = section(text, down_body, GOOSE_DOWN);
    Some(RunnerFacts {
        up: up_start..up_end,
        down,
        down_missing,
        ..RunnerFacts::whole(Runner::Goose, Some(!no_transaction), text)
    })
}

enum Goose {
    Up,
    Down,
    NoTransaction,
}

fn goose_annotation(line: &str) -> Option<Goose> {
    let rest = line.strip_prefix("--")?.trim_start();
    let keyword = rest.get(..6)?;
    if !keyword.eq_ignore_ascii_case("+goose") {
        return None;
    }
    let command = rest[6..].trim();
    [
        ("up", Goose::Up),
        ("down", Goose::Down),
        ("no transaction", Goose::NoTransaction),
    ]
    .into_iter()
    .find_map(|(name, annotation)| command.eq_ignore_ascii_case(name).then_some(annotation))
}

/// dbmate: any file with a `-- migrate:up` line (dbmate's pattern:
/// `^--\s*migrate:up(\s*$|\s+\S+)`, case-sensitive). Options are
/// `key:value` words on that line; the last `transaction:` wins, and only
/// `false` turns the transaction off.
/// Called only when a comment mentions `migrate:up`.
fn dbmate(text: &str) -> Option<RunnerFacts> {
    let mut lines = lines(text);
    let (up_line, options) = lines
        .by_ref()
        .find_map(|line| dbmate_directive(line.text, "migrate:up").map(|opts| (line, opts)))?;
    let transaction = options
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("transaction:"))
        .rfind(|value| !value.contains(':'))
        != Some("false");
    let down_line = lines.find(|line| dbmate_directive(line.text, "migrate:down").is_some());
    let up_end = down_line.as_ref().map_or(text.len(), |line| line.start);
    let down_body = down_line.map(|line| line.next..text.len());
    let (down, down_missing) = section(text, down_body, DBMATE_DOWN);
    Some(RunnerFacts {
        one_query: true,
        up: up_line.next..up_end,
        down,
        down_missing,
        ..RunnerFacts::whole(Runner::Dbmate, Some(transaction), text)
    })
}

/// The options after a dbmate directive, or None if the line is not one.
fn dbmate_directive<'t>(line: &'t str, name: &str) -> Option<&'t str> {
    let rest = line.strip_prefix("--")?.trim_start().strip_prefix(name)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// diesel: `<version>_<name>/up.sql` and `down.sql` side by side. Each runs
/// in its own transaction unless `metadata.toml` says
/// `run_in_transaction = false`; diesel sends each file as one batch.
fn diesel(path: &Path, text: &str, project: &ProjectFacts) -> Option<RunnerFacts> {
    let is_down = match file_name(path)? {
        "up.sql" => false,
        "down.sql" => true,
        _ => return None,
    };
    let dir = path.parent()?;
    let dir_name = dir.file_name()?.to_str()?;
    if !(dir_name.starts_with(|c: char| c.is_ascii_digit()) && dir_name.contains('_')) {
        return None;
    }
    let in_transaction = project
        .diesel_metadata
        .map_or(Some(true), diesel_run_in_transaction);
    let (down, down_missing) = if is_down {
        (Down::NotApplicable, None)
    } else {
        let down_path = dir.join("down.sql");
        let problem = match project.diesel_down {
            Some(down) if is_blank(down) => Some(DownProblem::EmptyFile("down.sql".into())),
            Some(_) => None,
            None if (project.exists)(&down_path) => None,
            None => Some(DownProblem::MissingFile("down.sql".into())),
        };
        (Down::File(down_path), problem)
    };
    Some(RunnerFacts {
        one_query: true,
        is_down,
        down,
        down_missing,
        ..RunnerFacts::whole(Runner::Diesel, in_transaction, text)
    })
}

/// None when `metadata.toml` is not valid or `run_in_transaction` is not a
/// boolean: diesel would refuse the migration, so nothing is known.
fn diesel_run_in_transaction(metadata: &str) -> Option<bool> {
    let table: toml::Table = toml::from_str(metadata).ok()?;
    match table.get("run_in_transaction") {
        None => Some(true),
        Some(toml::Value::Boolean(run)) => Some(*run),
        Some(_) => None,
    }
}

/// Prisma Migrate: `<...>/migrations/<dir>/migration.sql`, applied in a
/// transaction; Prisma writes no down migrations.
fn prisma(path: &Path, text: &str) -> Option<RunnerFacts> {
    let migrations = path.parent()?.parent()?;
    (file_name(path)? == "migration.sql" && migrations.file_name()? == "migrations")
        .then(|| RunnerFacts::whole(Runner::Prisma, Some(true), text))
}

/// golang-migrate and sqlx reversible migrations share
/// `<digits>_<title>.up.sql` / `.down.sql`. Both run a file in one transaction
/// (golang-migrate implicitly, as one multi-statement query), so the name
/// matters only for `-- no-transaction`, which only sqlx honours. It is sqlx
/// when the file starts with that marker or sits in sqlx's default layout (a
/// `migrations/` directory beside a `Cargo.toml`), golang-migrate otherwise.
fn up_down_file(path: &Path, text: &str, project: &ProjectFacts) -> Option<RunnerFacts> {
    let name = file_name(path)?;
    let (stem, is_down) = match name.strip_suffix(".up.sql") {
        Some(stem) => (stem, false),
        None => (name.strip_suffix(".down.sql")?, true),
    };
    version_prefix(stem)?;
    let no_transaction = text.starts_with(SQLX_NO_TRANSACTION);
    let runner = if no_transaction || sqlx_layout(path, project) {
        Runner::Sqlx
    } else {
        Runner::GolangMigrate
    };
    let (down, down_missing) = if is_down {
        (Down::NotApplicable, None)
    } else {
        let down_name = format!("{stem}.down.sql");
        let down_path = path.with_file_name(&down_name);
        let problem =
            (!(project.exists)(&down_path)).then_some(DownProblem::MissingFile(down_name));
        (Down::File(down_path), problem)
    };
    Some(RunnerFacts {
        one_query: true,
        is_down,
        down,
        down_missing,
        ..RunnerFacts::whole(runner, Some(!no_transaction), text)
    })
}

/// sqlx's `migrate!()` reads `migrations/` beside the crate's `Cargo.toml`.
fn sqlx_layout(path: &Path, project: &ProjectFacts) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    dir.file_name().is_some_and(|name| name == "migrations")
        && dir
            .parent()
            .is_some_and(|root| (project.exists)(&root.join("Cargo.toml")))
}

/// Flyway: `V<version>__<desc>.sql` (versioned), `U<version>__<desc>.sql`
/// (undo, a paid feature, so no down is expected of a `V` script) and
/// `R__<desc>.sql` (repeatable). Each runs in a transaction unless its
/// `<script>.conf` says otherwise, which only the caller could read: with one
/// present the transaction is unknown.
fn flyway(path: &Path, text: &str, project: &ProjectFacts) -> Option<RunnerFacts> {
    let name = file_name(path)?;
    let stem = name.strip_suffix(".sql")?;
    let is_down = if stem.starts_with("R__") {
        false
    } else {
        let (is_down, rest) = match stem.strip_prefix('V') {
            Some(rest) => (false, rest),
            None => (true, stem.strip_prefix('U')?),
        };
        let (version, _description) = rest.split_once("__")?;
        let valid = version.starts_with(|c: char| c.is_ascii_digit())
            && version
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '_');
        if !valid {
            return None;
        }
        is_down
    };
    let has_conf = (project.exists)(&path.with_file_name(format!("{name}.conf")));
    Some(RunnerFacts {
        is_down,
        ..RunnerFacts::whole(Runner::Flyway, (!has_conf).then_some(true), text)
    })
}

/// Drizzle Kit: `<NNNN>_<name>.sql` directly in a `drizzle/` directory or
/// beside the `meta/_journal.json` Drizzle keeps in its output directory, or
/// any file split by `--> statement-breakpoint`. `migrate()` applies all
/// pending migrations in one transaction; there are no down migrations.
fn drizzle(
    path: &Path,
    has_breakpoint: bool,
    text: &str,
    project: &ProjectFacts,
) -> Option<RunnerFacts> {
    let by_layout = || -> Option<bool> {
        version_prefix(file_name(path)?.strip_suffix(".sql")?)?;
        let dir = path.parent()?;
        Some(
            dir.file_name().is_some_and(|name| name == "drizzle")
                || (project.exists)(&dir.join("meta").join("_journal.json")),
        )
    };
    (has_breakpoint || by_layout() == Some(true))
        .then(|| RunnerFacts::whole(Runner::Drizzle, Some(true), text))
}

/// Atlas: a directory with `atlas.sum`, or a file with an `atlas:txmode`
/// directive. Each file runs in its own transaction unless the directive
/// says `none` (`file` and `all` both keep it in one); an unknown mode makes
/// Atlas refuse the file, so the transaction is unknown.
fn atlas(path: &Path, text: &str, project: &ProjectFacts) -> Option<RunnerFacts> {
    let txmode = atlas_txmode(text);
    let has_sum = path
        .parent()
        .is_some_and(|dir| (project.exists)(&dir.join("atlas.sum")));
    if txmode.is_none() && !has_sum {
        return None;
    }
    let in_transaction = match txmode {
        None | Some("file" | "all") => Some(true),
        Some("none") => Some(false),
        Some(_) => None,
    };
    Some(RunnerFacts::whole(Runner::Atlas, in_transaction, text))
}

/// Atlas reads file directives only from the comment lines (`--` or `#`) that
/// open the file, and only when a blank line separates them from the rest;
/// otherwise they belong to the first statement and are ignored.
fn atlas_txmode(text: &str) -> Option<&str> {
    let mut lines = lines(text);
    let mut txmode = None;
    for line in lines.by_ref() {
        if !(line.text.starts_with("--") || line.text.starts_with('#')) {
            if !line.text.trim().is_empty() {
                return None;
            }
            break;
        }
        if txmode.is_none() {
            txmode = atlas_directive(line.text.trim(), "txmode");
        }
    }
    txmode
}

/// Atlas's pattern: `^([ -~]*)atlas:(\w+)(?: +([ -~]*))*`, whose greedy prefix
/// makes the last `atlas:` on the line the directive.
fn atlas_directive<'t>(comment: &'t str, name: &str) -> Option<&'t str> {
    let at = comment.rfind("atlas:")?;
    let rest = comment[at + "atlas:".len()..].strip_prefix(name)?;
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some(
        rest.strip_prefix(' ')
            .map_or("", |value| value.trim_start_matches(' ')),
    )
}

/// sqlx simple (irreversible) migrations: `<digits>_<desc>.sql` in sqlx's
/// layout, or any file opening with `-- no-transaction`, a marker only sqlx
/// reads.
fn sqlx_simple(path: &Path, text: &str, project: &ProjectFacts) -> Option<RunnerFacts> {
    let no_transaction = text.starts_with(SQLX_NO_TRANSACTION);
    let in_layout = || {
        file_name(path)
            .and_then(|name| name.strip_suffix(".sql"))
            .and_then(version_prefix)
            .is_some()
            && sqlx_layout(path, project)
    };
    (no_transaction || in_layout()).then(|| RunnerFacts {
        one_query: true,
        ..RunnerFacts::whole(Runner::Sqlx, Some(!no_transaction), text)
    })
}

/// The down section and what is wrong with it, from its body (None when the
/// file has no marker for it).
fn section(
    text: &str,
    body: Option<Range<usize>>,
    marker: &'static str,
) -> (Down, Option<DownProblem>) {
    match body {
        None => (
            Down::Section(text.len()..text.len()),
            Some(DownProblem::MissingSection(marker)),
        ),
        Some(body) => {
            let problem =
                is_blank(&text[body.clone()]).then_some(DownProblem::EmptySection(marker));
            (Down::Section(body), problem)
        }
    }
}

/// Only comments and whitespace: nothing for the runner to execute.
fn is_blank(sql: &str) -> bool {
    Lexer::new(sql).all(|lexeme| matches!(lexeme, Lexeme::Comment(_)))
}

/// The text after `<ascii digits>_`, or None.
fn version_prefix(name: &str) -> Option<&str> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    name[digits..].strip_prefix('_')
}

/// A `--` comment's text after the dashes and the spaces that follow them.
fn after_dashes(comment: &str) -> Option<&str> {
    comment.strip_prefix("--").map(str::trim_start)
}

/// The file name, when it is UTF-8 (every convention here is ASCII).
fn file_name(path: &Path) -> Option<&str> {
    path.file_name()?.to_str()
}

struct Line<'t> {
    /// Byte offset where the line starts.
    start: usize,
    /// The line without its `\n` or `\r\n`.
    text: &'t str,
    /// Byte offset where the next line starts (the end of the text for the last one).
    next: usize,
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let line = Line {
            start,
            text: body.strip_suffix('\r').unwrap_or(body),
            next: start + raw.len(),
        };
        start += raw.len();
        line
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Detects `text` at `path` in a project where exactly `existing` exist.
    fn detect_in(path: &str, text: &str, existing: &[&str]) -> RunnerFacts {
        let exists = |p: &Path| existing.iter().any(|e| Path::new(e) == p);
        let project = ProjectFacts {
            exists: &exists,
            ..ProjectFacts::default()
        };
        detect(Path::new(path), text, &project)
    }

    fn diesel_in(up: &str, metadata: Option<&str>, down: Option<&str>) -> RunnerFacts {
        let project = ProjectFacts {
            diesel_metadata: metadata,
            diesel_down: down,
            ..ProjectFacts::default()
        };
        detect(Path::new(up), "CREATE TABLE t ();\n", &project)
    }

    fn message(facts: &RunnerFacts) -> Option<String> {
        facts.down_missing.as_ref().map(ToString::to_string)
    }

    const SQL: &str = "CREATE INDEX i ON t (c);\n";

    #[test]
    fn golang_migrate_up_with_down_sibling() {
        let facts = detect_in(
            "db/000042_add_index.up.sql",
            SQL,
            &["db/000042_add_index.down.sql"],
        );
        assert_eq!(facts.runner, Runner::GolangMigrate);
        assert_eq!(facts.in_transaction, Some(true));
        assert!(facts.one_query);
        assert!(!facts.is_down);
        assert_eq!(facts.up, 0..SQL.len());
        assert_eq!(
            facts.down,
            Down::File(PathBuf::from("db/000042_add_index.down.sql"))
        );
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn golang_migrate_up_without_down_sibling() {
        let facts = detect_in("db/000042_add_index.up.sql", SQL, &[]);
        assert_eq!(facts.runner, Runner::GolangMigrate);
        assert_eq!(
            message(&facts).as_deref(),
            Some("no `000042_add_index.down.sql` beside this file")
        );
    }

    #[test]
    fn golang_migrate_down_file_is_a_down_migration() {
        let facts = detect_in("db/000042_add_index.down.sql", "DROP INDEX i;\n", &[]);
        assert_eq!(facts.runner, Runner::GolangMigrate);
        assert!(facts.is_down);
        assert_eq!(facts.down, Down::NotApplicable);
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn up_sql_needs_a_numeric_version() {
        assert_eq!(
            detect_in("db/add_index.up.sql", SQL, &[]).runner,
            Runner::Unknown
        );
        assert_eq!(
            detect_in("db/v1_x.up.sql", SQL, &[]).runner,
            Runner::Unknown
        );
    }

    #[test]
    fn sqlx_reversible_in_cargo_layout() {
        let facts = detect_in(
            "app/migrations/20240101000000_users.up.sql",
            SQL,
            &["app/Cargo.toml"],
        );
        assert_eq!(facts.runner, Runner::Sqlx);
        assert_eq!(facts.in_transaction, Some(true));
        assert_eq!(
            message(&facts).as_deref(),
            Some("no `20240101000000_users.down.sql` beside this file")
        );
    }

    #[test]
    fn no_transaction_marker_makes_an_up_file_sqlx_outside_a_transaction() {
        let text = "-- no-transaction\r\nCREATE INDEX CONCURRENTLY i ON t (c);\r\n";
        let facts = detect_in("db/1_idx.up.sql", text, &["db/1_idx.down.sql"]);
        assert_eq!(facts.runner, Runner::Sqlx);
        assert_eq!(facts.in_transaction, Some(false));
        assert!(facts.one_query);
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn no_transaction_marker_must_open_the_file_exactly() {
        for text in [
            "\n-- no-transaction\nSELECT 1;\n",
            " -- no-transaction\nSELECT 1;\n",
            "--no-transaction\nSELECT 1;\n",
            "-- No-Transaction\nSELECT 1;\n",
            "\u{feff}-- no-transaction\nSELECT 1;\n",
        ] {
            let facts = detect_in("db/1_idx.up.sql", text, &[]);
            assert_eq!(facts.runner, Runner::GolangMigrate, "{text:?}");
            assert_eq!(facts.in_transaction, Some(true), "{text:?}");
        }
    }

    #[test]
    fn sqlx_simple_migrations() {
        let facts = detect_in("migrations/20240101_users.sql", SQL, &["Cargo.toml"]);
        assert_eq!(facts.runner, Runner::Sqlx);
        assert_eq!(facts.in_transaction, Some(true));
        assert_eq!(facts.down, Down::NotApplicable);
        assert_eq!(facts.down_missing, None);

        let marked = detect_in("sql/7_idx.sql", "-- no-transaction\nSELECT 1;\n", &[]);
        assert_eq!(marked.runner, Runner::Sqlx);
        assert_eq!(marked.in_transaction, Some(false));

        // Without Cargo.toml the same name says nothing.
        let plain = detect_in("migrations/20240101_users.sql", SQL, &[]);
        assert_eq!(plain.runner, Runner::Unknown);
    }

    #[test]
    fn diesel_up_with_down() {
        let facts = diesel_in(
            "migrations/2024-01-01-000000_create_users/up.sql",
            None,
            Some("DROP TABLE users;\n"),
        );
        assert_eq!(facts.runner, Runner::Diesel);
        assert_eq!(facts.in_transaction, Some(true));
        assert!(facts.one_query);
        assert!(!facts.is_down);
        assert_eq!(
            facts.down,
            Down::File(PathBuf::from(
                "migrations/2024-01-01-000000_create_users/down.sql"
            ))
        );
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn diesel_down_found_through_exists() {
        let facts = detect_in(
            "migrations/00000000000000_init/up.sql",
            SQL,
            &["migrations/00000000000000_init/down.sql"],
        );
        assert_eq!(facts.runner, Runner::Diesel);
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn diesel_metadata_run_in_transaction() {
        let up = "migrations/2024-01-01-000000_idx/up.sql";
        let down = Some("DROP INDEX i;");
        for (metadata, expected) in [
            ("run_in_transaction = false\n", Some(false)),
            ("run_in_transaction=false\r\n", Some(false)),
            ("run_in_transaction = true\n", Some(true)),
            ("# nothing set\n", Some(true)),
            ("run_in_transaction = \"false\"\n", None),
            ("run_in_transaction = \n", None),
        ] {
            let facts = diesel_in(up, Some(metadata), down);
            assert_eq!(facts.in_transaction, expected, "{metadata:?}");
        }
    }

    #[test]
    fn diesel_down_missing_or_empty() {
        let up = "migrations/2024-01-01-000000_idx/up.sql";
        assert_eq!(
            message(&diesel_in(up, None, None)).as_deref(),
            Some("no `down.sql` beside this file")
        );
        for down in [
            "",
            "  \n\n",
            "-- This file should undo anything in `up.sql`\n",
            "/* nothing */\r\n-- yet\r\n",
        ] {
            assert_eq!(
                message(&diesel_in(up, None, Some(down))).as_deref(),
                Some("`down.sql` is empty"),
                "{down:?}"
            );
        }
    }

    #[test]
    fn diesel_down_file_is_a_down_migration() {
        let facts = diesel_in(
            "migrations/2024-01-01-000000_idx/down.sql",
            Some("run_in_transaction = false"),
            None,
        );
        assert_eq!(facts.runner, Runner::Diesel);
        assert!(facts.is_down);
        assert_eq!(facts.in_transaction, Some(false));
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn diesel_needs_a_versioned_directory() {
        assert_eq!(detect_in("src/up.sql", SQL, &[]).runner, Runner::Unknown);
        assert_eq!(
            detect_in("migrations/create_users/up.sql", SQL, &[]).runner,
            Runner::Unknown
        );
    }

    #[test]
    fn goose_up_and_down_sections() {
        let text = "-- +goose Up\nCREATE INDEX i ON t (c);\n-- +goose Down\nDROP INDEX i;\n";
        let facts = detect_in("db/00001_idx.sql", text, &[]);
        assert_eq!(facts.runner, Runner::Goose);
        assert_eq!(facts.in_transaction, Some(true));
        assert!(!facts.one_query);
        assert_eq!(&text[facts.up.clone()], "CREATE INDEX i ON t (c);\n");
        let Down::Section(down) = &facts.down else {
            panic!("{:?}", facts.down)
        };
        assert_eq!(&text[down.clone()], "DROP INDEX i;\n");
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn goose_annotations_with_crlf_odd_spacing_and_case() {
        let text =
            "-- comment\r\n--+GOOSE up\r\nSELECT 1;\r\n--   +goose   DOWN  \r\nSELECT 2;\r\n";
        let facts = detect_in("x.sql", text, &[]);
        assert_eq!(facts.runner, Runner::Goose);
        assert_eq!(&text[facts.up.clone()], "SELECT 1;\r\n");
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn goose_no_transaction() {
        for annotation in [
            "-- +goose NO TRANSACTION",
            "-- +goose no transaction",
            "--+Goose No Transaction\r",
        ] {
            let text =
                format!("{annotation}\n-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n");
            let facts = detect_in("1_x.sql", &text, &[]);
            assert_eq!(facts.in_transaction, Some(false), "{annotation:?}");
        }
        // Indented, it is an ordinary comment to goose.
        let text =
            "  -- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n";
        assert_eq!(detect_in("1_x.sql", text, &[]).in_transaction, Some(true));
    }

    #[test]
    fn goose_annotation_needs_line_start() {
        let text = "  -- +goose Up\nSELECT 1;\n";
        assert_eq!(detect_in("1_x.sql", text, &[]).runner, Runner::Unknown);
    }

    #[test]
    fn goose_down_missing_or_empty() {
        let text = "-- +goose Up\nSELECT 1;\n";
        let facts = detect_in("1_x.sql", text, &[]);
        assert_eq!(facts.up, 13..text.len());
        assert_eq!(facts.down, Down::Section(text.len()..text.len()));
        assert_eq!(
            message(&facts).as_deref(),
            Some("no `-- +goose Down` section")
        );

        let text = "-- +goose Up\nSELECT 1;\n-- +goose Down\n-- +goose StatementBegin\n-- +goose StatementEnd\n\n";
        let facts = detect_in("1_x.sql", text, &[]);
        assert_eq!(
            message(&facts).as_deref(),
            Some("`-- +goose Down` section is empty")
        );
    }

    #[test]
    fn dbmate_sections() {
        let text = "-- migrate:up\nCREATE TABLE t ();\n\n-- migrate:down\nDROP TABLE t;\n";
        let facts = detect_in("db/migrations/20240101000000_t.sql", text, &[]);
        assert_eq!(facts.runner, Runner::Dbmate);
        assert_eq!(facts.in_transaction, Some(true));
        assert!(facts.one_query);
        assert_eq!(&text[facts.up.clone()], "CREATE TABLE t ();\n\n");
        assert_eq!(
            facts.down,
            Down::Section(text.len() - "DROP TABLE t;\n".len()..text.len())
        );
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn dbmate_transaction_false() {
        for directive in [
            "-- migrate:up transaction:false",
            "--migrate:up   transaction:false  ",
            "-- migrate:up transaction:true transaction:false\r",
        ] {
            let text = format!(
                "{directive}\nCREATE INDEX CONCURRENTLY i ON t (c);\n-- migrate:down\nDROP INDEX i;\n"
            );
            let facts = detect_in("1_x.sql", &text, &[]);
            assert_eq!(facts.runner, Runner::Dbmate, "{directive:?}");
            assert_eq!(facts.in_transaction, Some(false), "{directive:?}");
        }
        for directive in [
            "-- migrate:up transaction:False",
            "-- migrate:up transaction:false transaction:true",
            "-- migrate:up",
        ] {
            let text = format!("{directive}\nSELECT 1;\n-- migrate:down\nSELECT 2;\n");
            assert_eq!(
                detect_in("1_x.sql", &text, &[]).in_transaction,
                Some(true),
                "{directive:?}"
            );
        }
    }

    #[test]
    fn dbmate_directive_is_case_sensitive() {
        let text = "-- Migrate:Up\nSELECT 1;\n";
        assert_eq!(detect_in("1_x.sql", text, &[]).runner, Runner::Unknown);
        let text = "-- migrate:upgrade\nSELECT 1;\n";
        assert_eq!(detect_in("1_x.sql", text, &[]).runner, Runner::Unknown);
    }

    #[test]
    fn dbmate_down_missing_or_empty() {
        let text = "-- migrate:up\r\nSELECT 1;\r\n";
        let facts = detect_in("1_x.sql", text, &[]);
        assert_eq!(&text[facts.up.clone()], "SELECT 1;\r\n");
        assert_eq!(
            message(&facts).as_deref(),
            Some("no `-- migrate:down` section")
        );

        let text = "-- migrate:up\r\nSELECT 1;\r\n-- migrate:down\r\n-- nothing to undo\r\n";
        let facts = detect_in("1_x.sql", text, &[]);
        assert_eq!(&text[facts.up.clone()], "SELECT 1;\r\n");
        assert_eq!(
            message(&facts).as_deref(),
            Some("`-- migrate:down` section is empty")
        );
    }

    #[test]
    fn flyway_versioned_undo_and_repeatable() {
        let versioned = detect_in("sql/V1_2__add_index.sql", SQL, &[]);
        assert_eq!(versioned.runner, Runner::Flyway);
        assert_eq!(versioned.in_transaction, Some(true));
        assert!(!versioned.is_down);
        assert_eq!(versioned.down, Down::NotApplicable);
        assert_eq!(versioned.down_missing, None);

        let dotted = detect_in("sql/V2024.01.01__x.sql", SQL, &[]);
        assert_eq!(dotted.runner, Runner::Flyway);

        let undo = detect_in("sql/U1_2__add_index.sql", SQL, &[]);
        assert_eq!(undo.runner, Runner::Flyway);
        assert!(undo.is_down);

        let repeatable = detect_in("sql/R__views.sql", SQL, &[]);
        assert_eq!(repeatable.runner, Runner::Flyway);
        assert!(!repeatable.is_down);
    }

    #[test]
    fn flyway_script_conf_makes_the_transaction_unknown() {
        let facts = detect_in("sql/V3__idx.sql", SQL, &["sql/V3__idx.sql.conf"]);
        assert_eq!(facts.runner, Runner::Flyway);
        assert_eq!(facts.in_transaction, None);
    }

    #[test]
    fn flyway_needs_its_exact_prefixes() {
        for name in ["V__x.sql", "v1__x.sql", "V1_x.sql", "Va__x.sql", "R_x.sql"] {
            assert_eq!(detect_in(name, SQL, &[]).runner, Runner::Unknown, "{name}");
        }
    }

    #[test]
    fn prisma_migration_sql() {
        for path in [
            "prisma/migrations/20240101000000_init/migration.sql",
            "backend/db/migrations/0_init/migration.sql",
        ] {
            let facts = detect_in(path, SQL, &[]);
            assert_eq!(facts.runner, Runner::Prisma, "{path}");
            assert_eq!(facts.in_transaction, Some(true));
            assert_eq!(facts.down, Down::NotApplicable);
        }
        assert_eq!(
            detect_in("prisma/migration.sql", SQL, &[]).runner,
            Runner::Unknown
        );
    }

    #[test]
    fn drizzle_by_directory_journal_or_breakpoint() {
        let facts = detect_in("drizzle/0000_init.sql", SQL, &[]);
        assert_eq!(facts.runner, Runner::Drizzle);
        assert_eq!(facts.in_transaction, Some(true));
        assert_eq!(facts.down, Down::NotApplicable);

        let journal = detect_in("out/0003_x.sql", SQL, &["out/meta/_journal.json"]);
        assert_eq!(journal.runner, Runner::Drizzle);

        let text = "CREATE TABLE a ();\n--> statement-breakpoint\nCREATE TABLE b ();\n";
        assert_eq!(detect_in("x.sql", text, &[]).runner, Runner::Drizzle);

        // A drizzle/ ancestor further up is not Drizzle's output directory.
        assert_eq!(
            detect_in("drizzle/app/0000_init.sql", SQL, &[]).runner,
            Runner::Unknown
        );
    }

    #[test]
    fn atlas_sum_means_a_transaction_per_file() {
        let facts = detect_in(
            "migrations/20240101000000.sql",
            SQL,
            &["migrations/atlas.sum"],
        );
        assert_eq!(facts.runner, Runner::Atlas);
        assert_eq!(facts.in_transaction, Some(true));
        assert_eq!(facts.down, Down::NotApplicable);
    }

    #[test]
    fn atlas_txmode_directive() {
        for (header, expected) in [
            ("-- atlas:txmode none\n\n", Some(false)),
            ("--atlas:txmode none\r\n\r\n", Some(false)),
            ("-- atlas:txmode   none  \n  \n", Some(false)),
            ("# atlas:txmode none\n\n", Some(false)),
            ("-- header\n-- atlas:txmode none\n\n", Some(false)),
            ("-- atlas:txmode file\n\n", Some(true)),
            ("-- atlas:txmode all\n\n", Some(true)),
            ("-- atlas:txmode NONE\n\n", None),
        ] {
            let text = format!("{header}CREATE INDEX CONCURRENTLY i ON t (c);\n");
            let facts = detect_in("m/1.sql", &text, &[]);
            assert_eq!(facts.runner, Runner::Atlas, "{header:?}");
            assert_eq!(facts.in_transaction, expected, "{header:?}");
        }
    }

    #[test]
    fn atlas_directive_outside_the_file_header_is_ignored() {
        for text in [
            // No blank line: the comment belongs to the statement.
            "-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t (c);\n",
            // Not in the opening comment lines.
            "\n-- atlas:txmode none\n\nSELECT 1;\n",
            "SELECT 1;\n-- atlas:txmode none\n\n",
            // Another directive name.
            "-- atlas:txmodes none\n\nSELECT 1;\n",
        ] {
            assert_eq!(
                detect_in("m/1.sql", text, &[]).runner,
                Runner::Unknown,
                "{text:?}"
            );
            let in_dir = detect_in("m/1.sql", text, &["m/atlas.sum"]);
            assert_eq!(in_dir.in_transaction, Some(true), "{text:?}");
        }
    }

    #[test]
    fn golang_migrate_format_in_an_atlas_directory_stays_golang_migrate() {
        let facts = detect_in("m/1_x.up.sql", SQL, &["m/atlas.sum", "m/1_x.down.sql"]);
        assert_eq!(facts.runner, Runner::GolangMigrate);
    }

    #[test]
    fn plain_sql_is_unknown() {
        let facts = detect_in("scripts/report.sql", "SELECT 1;\r\n", &[]);
        assert_eq!(facts.runner, Runner::Unknown);
        assert_eq!(facts.in_transaction, None);
        assert!(!facts.one_query);
        assert!(!facts.is_down);
        assert_eq!(facts.up, 0..11);
        assert_eq!(facts.down, Down::NotApplicable);
        assert_eq!(facts.down_missing, None);
    }

    #[test]
    fn non_ascii_paths() {
        let facts = detect_in("migrações/000001_créer_índice.up.sql", SQL, &[]);
        assert_eq!(facts.runner, Runner::GolangMigrate);
        assert_eq!(
            message(&facts).as_deref(),
            Some("no `000001_créer_índice.down.sql` beside this file")
        );

        let diesel = diesel_in("migrations/2024-01-01-000000_ajouté/up.sql", None, None);
        assert_eq!(diesel.runner, Runner::Diesel);
        assert_eq!(
            diesel.down,
            Down::File(PathBuf::from(
                "migrations/2024-01-01-000000_ajouté/down.sql"
            ))
        );

        let flyway = detect_in("数据库/V1__创建.sql", SQL, &[]);
        assert_eq!(flyway.runner, Runner::Flyway);

        let prisma = detect_in("prisma/migrations/1_初期/migration.sql", SQL, &[]);
        assert_eq!(prisma.runner, Runner::Prisma);

        // A non-ASCII digit is not a version.
        assert_eq!(detect_in("db/٤_x.up.sql", SQL, &[]).runner, Runner::Unknown);
    }

    #[test]
    fn runner_names() {
        assert_eq!(Runner::GolangMigrate.name(), "golang-migrate");
        assert_eq!(Runner::Unknown.name(), "unknown runner");
    }
}
