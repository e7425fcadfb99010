//! Django rewrites (the reference's "Framework forms of the top recipes"):
//! `AddIndex` → `AddIndexConcurrently` and `RemoveIndex` →
//! `RemoveIndexConcurrently` in a migration with `atomic = False` (R01/R02),
//! `AddConstraint` of a check → `AddConstraintNotValid` with its
//! `ValidateConstraint` in a new migration that depends on this one (R05),
//! the timeout first in `operations` (R14), and the SQL recipes that span
//! transactions as `RunSQL` (in `SeparateDatabaseAndState` when they replace
//! an operation, so Django's model state is kept).

use std::ops::Range;

use crate::analysis::migration::{ConstraintKind, Migration, OpKind};
use crate::analysis::orm::{DjangoFacts, OrmMigration, string_argument};
use crate::finding::{Applicability, Edit, Fix};

use super::alembic::in_literal;
use super::code::{indentation, insert_before, line_start, python_block_string, python_string};
use super::host::{self, Target};
use super::transaction::Step;

/// The rewrite of a Django operation for `rule`.
pub fn fix(t: &Target<'_, '_>, facts: &DjangoFacts, rule: &str) -> Option<Fix> {
    let name: &str = &t.unit.name;
    match rule {
        "require-concurrent-index-creation" if name == "AddIndex" => {
            concurrently(t, facts, "AddIndexConcurrently")
        }
        "require-concurrent-index-deletion" if name == "RemoveIndex" => {
            concurrently(t, facts, "RemoveIndexConcurrently")
        }
        "concurrently-in-transaction" => Some(Fix {
            title: "Set `atomic = False` on the migration".into(),
            applicability: Applicability::Unsafe,
            edits: vec![non_atomic(t.m.source(), facts)],
        }),
        "constraint-missing-not-valid" if name == "AddConstraint" => not_valid(t, facts),
        _ => None,
    }
}

/// `RunSQL("SET LOCAL <setting> = '<value>'", RunSQL.noop)` first in
/// `operations` (`SET` for a migration that is not atomic).
pub fn timeout(
    m: &Migration<'_>,
    orm: &OrmMigration,
    facts: &DjangoFacts,
    setting: &str,
    value: &str,
) -> Option<Fix> {
    let local = if orm.runner.in_transaction == Some(true) {
        "LOCAL "
    } else {
        ""
    };
    let sql = format!("SET {local}{setting} = '{value}'");
    let line = format!(
        "migrations.RunSQL({}, migrations.RunSQL.noop),",
        python_string(&sql)
    );
    Some(Fix {
        title: format!("Run `{sql}` first").into(),
        applicability: Applicability::Safe,
        edits: vec![insert_before(m.source(), facts.first_operation?, &[line])],
    })
}

/// The operation renamed to its concurrent form (imported from
/// `django.contrib.postgres.operations`) in a migration made non-atomic.
fn concurrently(t: &Target<'_, '_>, facts: &DjangoFacts, operation: &str) -> Option<Fix> {
    let source = t.m.source();
    let mut edits = vec![rename_operation(t, operation)?];
    edits.extend(import(source, facts, operation));
    if t.orm.runner.in_transaction == Some(true) {
        edits.push(non_atomic(source, facts));
    }
    Some(Fix {
        title: format!("Use `{operation}` in a migration with `atomic = False`").into(),
        // The other operations lose their transaction too.
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// `AddConstraintNotValid` here, `ValidateConstraint` in a new migration.
fn not_valid(t: &Target<'_, '_>, facts: &DjangoFacts) -> Option<Fix> {
    let OpKind::AddConstraint {
        name: Some(constraint),
        kind: ConstraintKind::Check { .. },
        ..
    } = &t.at.op.kind
    else {
        return None;
    };
    let source = t.m.source();
    let model = string_argument(source, t.unit.span.clone(), 0, "model_name")?;
    let mut edits = vec![rename_operation(t, "AddConstraintNotValid")?];
    edits.extend(import(source, facts, "AddConstraintNotValid"));
    let validate = NewMigration {
        slug: format!("validate_{constraint}"),
        operations: vec![format!(
            "ValidateConstraint(\n            model_name={},\n            name={},\n        ),",
            python_string(&model),
            python_string(constraint)
        )],
        imports: vec!["from django.contrib.postgres.operations import ValidateConstraint".into()],
        atomic: true,
    };
    let (created, names) = new_migrations(t, facts, &[validate])?;
    edits.extend(created);
    Some(Fix {
        title: format!(
            "Add `{constraint}` with `AddConstraintNotValid` and validate it in the new migration `{}`",
            names.first()?
        )
        .into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// Places a recipe's step: the statement's SQL rewritten in its `RunSQL`
/// literal (or the operation wrapped in `SeparateDatabaseAndState` with the
/// first phase as its database operation), the rest as `RunSQL` in new
/// migrations, each depending on the one before.
pub fn place(t: &Target<'_, '_>, facts: &DjangoFacts, title: &str, step: Step<'_>) -> Option<Fix> {
    let (mut edits, migrations) = match step {
        Step::Outside { sql, down, suffix } => (
            // The statement leaves this migration for one that is not atomic.
            in_literal(t, "")?,
            vec![NewMigration::run_sql(suffix, &sql, down, false)],
        ),
        Step::Later {
            keep,
            later,
            later_alone,
            down,
            suffix,
        } => (
            in_literal(t, &keep)?,
            vec![NewMigration::run_sql(
                suffix,
                later_alone.as_deref().unwrap_or(&later),
                down,
                true,
            )],
        ),
        Step::Phases(phases) => {
            let (first, rest) = phases.split_first()?;
            let edits = match in_literal(t, &first.sql) {
                Some(edits) => edits,
                None => vec![database_operation(t, &first.sql, &first.down)?],
            };
            let later = rest
                .iter()
                .map(|p| NewMigration::run_sql(p.suffix, &p.sql, &p.down, !p.outside))
                .collect();
            (edits, later)
        }
    };
    let (created, names) = new_migrations(t, facts, &migrations)?;
    edits.extend(created);
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    Some(Fix {
        title: format!("{title}; the next steps in {}", names.join(", ")).into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// The operation kept for Django's model state, its SQL replaced:
/// `SeparateDatabaseAndState(database_operations=[RunSQL(...)], state_operations=[<it>])`.
fn database_operation(t: &Target<'_, '_>, sql: &str, down: &str) -> Option<Edit> {
    let unit = t.orm.origins.get(t.at.index)?.unit?;
    if t.orm
        .origins
        .iter()
        .filter(|o| o.unit == Some(unit))
        .count()
        != 1
    {
        return None;
    }
    let source = t.m.source();
    let original = source.get(t.unit.span.clone())?;
    let indent = indentation(source, t.unit.span.start);
    let run_sql = run_sql(sql, down, &format!("{indent}        "));
    Some(Edit::replace(
        t.unit.span.clone(),
        format!(
            "migrations.SeparateDatabaseAndState(\n{indent}    database_operations=[\n{indent}        {run_sql},\n{indent}    ],\n{indent}    state_operations=[\n{indent}        {original},\n{indent}    ],\n{indent})"
        ),
    ))
}

/// `migrations.RunSQL(sql=..., reverse_sql=...)` at `indent`.
fn run_sql(sql: &str, down: &str, indent: &str) -> String {
    let inner = format!("{indent}    ");
    format!(
        "migrations.RunSQL(\n{inner}sql={},\n{inner}reverse_sql={},\n{indent})",
        python_block_string(sql, &inner),
        python_block_string(down, &inner)
    )
}

/// The operation's callee (`migrations.AddIndex`) replaced by `operation`.
fn rename_operation(t: &Target<'_, '_>, operation: &str) -> Option<Edit> {
    let text = t.call_text();
    let open = text.find('(')?;
    Some(Edit::replace(
        t.unit.span.start..t.unit.span.start + open,
        operation,
    ))
}

/// `from django.contrib.postgres.operations import <name>` after the last
/// import above the migration class, unless it is imported already.
fn import(source: &str, facts: &DjangoFacts, name: &str) -> Option<Edit> {
    let head = source.get(..facts.class.start)?;
    let imported = head.lines().any(|l| {
        l.contains("import")
            && l.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == name)
    });
    if imported {
        return None;
    }
    let mut offset = 0;
    let mut after_imports = 0;
    for line in head.split_inclusive('\n') {
        offset += line.len();
        if line.starts_with("import ") || line.starts_with("from ") {
            after_imports = offset;
        }
    }
    Some(Edit::insert(
        after_imports,
        format!("from django.contrib.postgres.operations import {name}\n"),
    ))
}

/// `atomic = False` on the migration class: its `atomic = True` changed, or
/// the attribute added first in the class body.
fn non_atomic(source: &str, facts: &DjangoFacts) -> Edit {
    match &facts.atomic {
        Some(assignment) => Edit::replace(assignment.clone(), "atomic = False"),
        None => {
            let indent = indentation(source, facts.body.start);
            Edit::insert(
                line_start(source, facts.body.start),
                format!("{indent}atomic = False\n\n"),
            )
        }
    }
}

/// A migration to create after this one.
struct NewMigration {
    slug: String,
    /// Its operations, each as written in `operations = [...]`.
    operations: Vec<String>,
    imports: Vec<String>,
    atomic: bool,
}

impl NewMigration {
    fn run_sql(suffix: &str, sql: &str, down: &str, atomic: bool) -> NewMigration {
        NewMigration {
            slug: suffix.to_string(),
            operations: vec![format!("{},", run_sql(sql, down, "        "))],
            imports: Vec::new(),
            atomic,
        }
    }
}

/// The files of `migrations`, numbered after the app's last one, each
/// depending on the one before (the first on this one); the migrations that
/// depended on this one depend on the last new one instead, so the app keeps
/// one leaf. With the new migrations' names.
fn new_migrations(
    t: &Target<'_, '_>,
    facts: &DjangoFacts,
    migrations: &[NewMigration],
) -> Option<(Vec<Edit>, Vec<String>)> {
    let location = t.m.location()?;
    let dir = location.path.parent()?;
    let current = facts.name.clone()?;
    let neighbours = (location.list_dir)(dir);
    let last = neighbours
        .iter()
        .filter_map(|n| n.split('_').next()?.parse::<u32>().ok())
        .chain(current.split('_').next()?.parse::<u32>().ok())
        .max()?;
    let mut parent = current.clone();
    let mut edits = Vec::new();
    let mut names = Vec::new();
    for (i, migration) in (1..).zip(migrations) {
        let name = format!("{:04}_{}", last + i, slug(&migration.slug));
        edits.push(Edit {
            file: Some(dir.join(format!("{name}.py"))),
            range: 0..0,
            replacement: migration_file(&facts.app, &parent, migration),
            create: true,
        });
        names.push(name.clone());
        parent = name;
    }
    edits.extend(host::repoint_followers(
        &location,
        dir,
        &neighbours,
        |text| dependency_on(text, &facts.app, &current),
        &parent,
    ));
    Some((edits, names))
}

/// Where a migration's text names `(app, name)` as a dependency: the name.
fn dependency_on(text: &str, app: &str, name: &str) -> Option<Range<usize>> {
    for quote in ['\'', '"'] {
        let dependency = format!("({quote}{app}{quote}, {quote}{name}{quote})");
        if let Some(at) = text.find(&dependency) {
            let start = at + dependency.len() - name.len() - 2;
            return Some(start..start + name.len());
        }
    }
    None
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect()
}

fn migration_file(app: &str, parent: &str, migration: &NewMigration) -> String {
    let imports: String = migration.imports.iter().map(|i| format!("{i}\n")).collect();
    let atomic = if migration.atomic {
        String::new()
    } else {
        "    atomic = False\n\n".to_string()
    };
    let operations: String = migration
        .operations
        .iter()
        .map(|o| format!("        {o}\n"))
        .collect();
    format!(
        "{imports}from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n\n{atomic}    dependencies = [\n        ({app}, {parent}),\n    ]\n\n    operations = [\n{operations}    ]\n",
        app = python_string(app),
        parent = python_string(parent),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_found_in_either_quoting() {
        let text = "    dependencies = [\n        (\"billing\", \"0002_status\"),\n    ]\n";
        let range = dependency_on(text, "billing", "0002_status").unwrap();
        assert_eq!(&text[range], "0002_status");
        assert!(dependency_on(text, "crm", "0002_status").is_none());
    }
}
