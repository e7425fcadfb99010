//! TypeORM and Knex rewrites: the migration taken out of its transaction
//! (TypeORM's `transaction = false`, Knex's `config = { transaction: false }`)
//! for what must run outside one, with the SQL rewritten in its literal, and
//! the timeout first in `up` (R14).

use crate::analysis::migration::Migration;
use crate::analysis::orm::{Framework, OrmMigration, ScriptFacts};
use crate::finding::{Applicability, Edit, Fix};

use super::alembic::in_literal;
use super::code::{insert_before, javascript_string, line_start};
use super::host::Target;
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

/// Places a step that must run outside a transaction: the SQL rewritten in
/// its literal, the migration taken out of its transaction. Steps for later
/// transactions need migration files these frameworks name by timestamp
/// and class; they are left to the author.
pub fn place(t: &Target<'_, '_>, facts: &ScriptFacts, title: &str, step: Step<'_>) -> Option<Fix> {
    let Step::Outside { sql, .. } = step else {
        return None;
    };
    let mut edits = vec![in_literal(t, &sql)?];
    let mut title = title.to_string();
    if t.orm.runner.in_transaction == Some(true) {
        edits.push(transaction_off(t.m.source(), t.orm, facts)?);
        title = format!("{title}, with {}", switch(t.orm));
    }
    Some(Fix {
        title: title.into(),
        applicability: Applicability::Unsafe,
        edits,
    })
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
