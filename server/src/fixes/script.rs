//! TypeORM and Knex rewrites: the migration taken out of its transaction
//! (TypeORM's `transaction = false`, Knex's `config = { transaction: false }`)
//! for what must run outside one, with the SQL rewritten in its literal;
//! what must run after this migration has committed (a `VALIDATE CONSTRAINT`,
//! the later phases of expand and contract) in new migration files; and the
//! timeout first in `up` (R14).

use crate::analysis::migration::Migration;
use crate::analysis::orm::{Framework, OrmMigration, ScriptFacts};
use crate::finding::{Applicability, Edit, Fix};

use super::alembic::in_literal;
use super::code::{insert_before, javascript_string, line_start};
use super::host::Target;
use super::next_migration::{next_name, next_version};
use super::transaction::Step;

/// The rewrite of an operation for `rule`.
pub fn fix(t: &Target<'_, '_>, facts: &ScriptFacts, rule: &str) -> Option<Fix> {
    match rule {
        "concurrently-in-transaction" if t.orm.runner.in_transaction == Some(true) => Some(Fix {
            title: format!(
                "Run the migration outside a transaction ({})",
                switch(t.orm)
            )
            .into(),
            applicability: Applicability::Unsafe,
            edits: vec![transaction_off(t.m.source(), t.orm, facts)?],
        }),
        _ => None,
    }
}

/// `await queryRunner.query("SET ...")` / `await knex.raw("SET ...")` first
/// in an `async` up.
pub fn timeout(
    m: &Migration<'_>,
    orm: &OrmMigration,
    facts: &ScriptFacts,
    setting: &str,
    value: &str,
) -> Option<Fix> {
    if !facts.up_async {
        return None;
    }
    let local = if orm.runner.in_transaction == Some(true) {
        "LOCAL "
    } else {
        ""
    };
    let sql = format!("SET {local}{setting} = '{value}'");
    let method = match orm.framework {
        Framework::TypeOrm => "query",
        _ => "raw",
    };
    let line = format!(
        "await {}.{method}({});",
        facts.runner,
        javascript_string(&sql)
    );
    Some(Fix {
        title: format!("Start `up` with `{line}`").into(),
        applicability: Applicability::Safe,
        edits: vec![insert_before(m.source(), facts.up_first, &[line])],
    })
}

/// Places a recipe's step: the statement's SQL rewritten in its literal;
/// what must run outside a transaction by taking the migration out of its
/// transaction; what runs later in new migration files after this one, named
/// by the directory's convention so they sort after it (TypeORM:
/// `<timestamp>-<Name>.ts` with its class; Knex: `<timestamp>_<name>.js`).
///
/// Knex runs each migration in a transaction of its own, so a later file
/// commits after this one; TypeORM does so with `migrationsTransactionMode`
/// `"each"` (its default `"all"` runs every pending migration in one).
pub fn place(t: &Target<'_, '_>, facts: &ScriptFacts, title: &str, step: Step<'_>) -> Option<Fix> {
    let in_transaction = t.orm.runner.in_transaction == Some(true);
    let (keep, first_outside, later) = match step {
        Step::Outside { sql, .. } => (sql, true, Vec::new()),
        Step::Later {
            keep,
            later,
            later_alone,
            down,
            suffix,
        } => (
            keep,
            false,
            vec![NewStep {
                up: later_alone.unwrap_or(later),
                down: down.to_string(),
                outside: false,
                suffix,
            }],
        ),
        Step::Phases(phases) => {
            let (first, rest) = phases.split_first()?;
            let later = rest
                .iter()
                .map(|p| NewStep {
                    up: p.alone.clone().unwrap_or_else(|| p.sql.clone()),
                    down: p.down.clone(),
                    outside: p.outside,
                    suffix: p.suffix,
                })
                .collect();
            (first.sql.clone(), first.outside, later)
        }
    };
    let mut edits = in_literal(t, &keep)?;
    let mut title = title.to_string();
    if first_outside && in_transaction {
        edits.push(transaction_off(t.m.source(), t.orm, facts)?);
        title = format!("{title}, with {}", switch(t.orm));
    }
    if !later.is_empty() {
        let (created, names) = new_migrations(t, facts, &later)?;
        edits.extend(created);
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        title = format!("{title}; the next steps in {}", names.join(", "));
    }
    Some(Fix {
        title: title.into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// A step for a migration file of its own.
struct NewStep<'s> {
    /// Its SQL, sent as one query (comments and all: a suppression written
    /// there still applies).
    up: String,
    down: String,
    /// It must run outside a transaction.
    outside: bool,
    suffix: &'s str,
}

/// The files of `steps`, one migration each, numbered past the highest in
/// the directory; with their names.
fn new_migrations(
    t: &Target<'_, '_>,
    facts: &ScriptFacts,
    steps: &[NewStep<'_>],
) -> Option<(Vec<Edit>, Vec<String>)> {
    let location = t.m.location()?;
    let dir = location.path.parent()?;
    let current = location.path.file_name()?.to_str()?;
    let (stem, extension) = current.rsplit_once('.')?;
    let mut listed = (location.list_dir)(dir);
    let mut edits = Vec::new();
    let mut names = Vec::new();
    for step in steps {
        let (name, text) = match t.orm.framework {
            Framework::TypeOrm => {
                let (version, description) = next_version(stem, &listed)?;
                let class = format!("{}{}", pascal(step.suffix), pascal(description));
                let name = format!("{version}-{class}.{extension}");
                let class = format!("{class}{version}");
                (name, typeorm_file(&class, step, extension))
            }
            _ => {
                let name = format!("{}.{extension}", next_name(stem, &listed, step.suffix)?);
                (name, knex_file(step, facts.module, extension))
            }
        };
        edits.push(Edit {
            file: Some(dir.join(&name)),
            range: 0..0,
            replacement: text,
            create: true,
        });
        // The next step is numbered past this one, as if it were on disk.
        listed.push(name.clone());
        names.push(name);
    }
    Some((edits, names))
}

/// `validate_not_null`, `-Change` → `ValidateNotNull`, `Change`.
fn pascal(words: &str) -> String {
    words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The statements of a migration function's body: the SQL sent through
/// `call` (`queryRunner.query`, `knex.raw`), or a comment when there is none.
fn body(call: &str, sql: &str, indent: &str) -> String {
    let sql = sql.trim();
    if sql.is_empty() {
        return format!("{indent}// Nothing to undo.\n");
    }
    format!("{indent}await {call}({});\n", javascript_string(sql))
}

/// A TypeORM migration class `class` running `step`; TypeScript for `.ts`,
/// a CommonJS class otherwise.
fn typeorm_file(class: &str, step: &NewStep<'_>, extension: &str) -> String {
    let transaction = if step.outside {
        "    transaction = false\n\n"
    } else {
        ""
    };
    let up = body("queryRunner.query", &step.up, "        ");
    let down = body("queryRunner.query", &step.down, "        ");
    if extension == "ts" {
        format!(
            "import {{ MigrationInterface, QueryRunner }} from \"typeorm\";\n\nexport class {class} implements MigrationInterface {{\n    name = '{class}'\n\n{transaction}    public async up(queryRunner: QueryRunner): Promise<void> {{\n{up}    }}\n\n    public async down(queryRunner: QueryRunner): Promise<void> {{\n{down}    }}\n}}\n"
        )
    } else {
        format!(
            "module.exports = class {class} {{\n    name = '{class}'\n\n{transaction}    async up(queryRunner) {{\n{up}    }}\n\n    async down(queryRunner) {{\n{down}    }}\n}};\n"
        )
    }
}

/// A Knex migration running `step`, in the module style of the current one
/// (`exports.up = ...`, or `export async function up` with types in `.ts`).
fn knex_file(step: &NewStep<'_>, module: bool, extension: &str) -> String {
    let up = body("knex.raw", &step.up, "  ");
    let down = body("knex.raw", &step.down, "  ");
    if module {
        let config = if step.outside {
            "export const config = { transaction: false };\n\n"
        } else {
            ""
        };
        let (import, param, returns) = if extension == "ts" {
            (
                "import type { Knex } from \"knex\";\n\n",
                "knex: Knex",
                ": Promise<void>",
            )
        } else {
            ("", "knex", "")
        };
        format!(
            "{import}{config}export async function up({param}){returns} {{\n{up}}}\n\nexport async function down({param}){returns} {{\n{down}}}\n"
        )
    } else {
        let config = if step.outside {
            "exports.config = { transaction: false };\n\n"
        } else {
            ""
        };
        format!(
            "{config}exports.up = async function (knex) {{\n{up}}};\n\nexports.down = async function (knex) {{\n{down}}};\n"
        )
    }
}

/// The framework's switch, for titles.
fn switch(orm: &OrmMigration) -> &'static str {
    match orm.framework {
        Framework::TypeOrm => "`transaction = false`",
        _ => "`config = { transaction: false }`",
    }
}

/// TypeORM: `transaction = false` in the class (or its value changed).
/// Knex: `transaction: false` in the exported `config` (or the export added
/// before `up`).
fn transaction_off(source: &str, orm: &OrmMigration, facts: &ScriptFacts) -> Option<Edit> {
    match (orm.framework, &facts.transaction) {
        (Framework::TypeOrm, Some(value)) => Some(Edit::replace(value.clone(), "false")),
        (Framework::TypeOrm, None) => {
            let body = facts.class_body.clone()?;
            let after_brace = source[body.clone()]
                .find('\n')
                .map(|i| body.start + i + 1)?;
            // The members' indentation, from the first of them.
            let member = source[after_brace..body.end]
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("    ");
            let indent = &member[..member.len() - member.trim_start().len()];
            Some(Edit::insert(
                after_brace,
                format!("{indent}transaction = false\n\n"),
            ))
        }
        (_, Some(config)) => {
            let text = source.get(config.clone())?;
            match text.find("transaction") {
                Some(key) => {
                    let colon = text[key..].find(':')? + key + 1;
                    let end = text[colon..]
                        .find([',', '}'])
                        .map_or(text.len(), |i| colon + i);
                    Some(Edit::replace(
                        config.start + colon..config.start + end,
                        " false",
                    ))
                }
                None => Some(Edit::insert(config.start + 1, " transaction: false,")),
            }
        }
        (_, None) => {
            let export = if facts.module {
                "export const config = { transaction: false };"
            } else {
                "exports.config = { transaction: false };"
            };
            Some(Edit::insert(
                line_start(source, facts.up_statement.start),
                format!("{export}\n\n"),
            ))
        }
    }
}
