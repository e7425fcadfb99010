//! Alembic rewrites (the reference's "Framework forms of the top recipes"):
//! `postgresql_concurrently=True` inside `with op.get_context().autocommit_block():`
//! (R01/R02), `postgresql_not_valid=True` with its `VALIDATE CONSTRAINT` in
//! a new revision chained after this one (R04/R05), the timeout first in
//! `upgrade()` (R14), and the SQL recipes that span transactions (expand and
//! contract, batched backfills) as `op.execute(...)` in revisions of their own.

use crate::analysis::migration::OpKind;
use crate::analysis::orm::AlembicFacts;
use crate::finding::{Applicability, Edit, Fix};

use super::code::{
    indentation, insert_before, python_block_string, python_string, set_keyword, wrap_in_block,
};
use super::host::{self, Target};
use super::minimal_replace;
use super::sql::{ident, qualified};
use super::transaction::{Step, own_transaction};

const AUTOCOMMIT: &str = "with op.get_context().autocommit_block():";

/// The rewrite of an `op.*` call for `rule`.
pub fn fix(t: &Target<'_, '_>, facts: &AlembicFacts, rule: &str) -> Option<Fix> {
    let source = t.m.source();
    // `batch_op.*` calls sit in a block of their own; they are left alone.
    let on_op = t.call_text().starts_with("op.");
    let name: &str = &t.unit.name;
    match rule {
        "require-concurrent-index-creation" | "require-concurrent-index-deletion"
            if on_op && matches!(name, "create_index" | "drop_index") =>
        {
            let mut edits = vec![set_keyword(
                source,
                t.unit.span.clone(),
                "postgresql_concurrently",
                "True",
            )?];
            edits.extend(outside_transaction(t));
            let verb = if name == "create_index" {
                "Build"
            } else {
                "Drop"
            };
            Some(Fix {
                title: format!(
                    "{verb} the index with `postgresql_concurrently=True` in `autocommit_block()`"
                )
                .into(),
                // The block commits what ran before it in the revision.
                applicability: Applicability::Unsafe,
                edits,
            })
        }
        "concurrently-in-transaction"
            if !t.unit.outside_transaction && (on_op || name == "execute") =>
        {
            Some(Fix {
                title: "Run it in `with op.get_context().autocommit_block():`".into(),
                applicability: Applicability::Unsafe,
                edits: outside_transaction(t),
            })
        }
        "foreign-key-missing-not-valid" | "constraint-missing-not-valid"
            if on_op && matches!(name, "create_foreign_key" | "create_check_constraint") =>
        {
            let OpKind::AddConstraint {
                name: Some(constraint),
                ..
            } = &t.at.op.kind
            else {
                return None;
            };
            let table = t.at.op.table.as_ref()?;
            let validate = format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                qualified(table),
                ident(constraint)
            );
            let revision = Revision {
                slug: format!("validate_{constraint}"),
                message: format!("validate {constraint}"),
                upgrade: later_step(&validate, false, facts),
                downgrade: nothing_to_undo("VALIDATE CONSTRAINT changes no schema"),
            };
            let mut edits = vec![set_keyword(
                source,
                t.unit.span.clone(),
                "postgresql_not_valid",
                "True",
            )?];
            let (created, names) = new_revisions(t, facts, &[revision])?;
            edits.extend(created);
            Some(Fix {
                title: format!(
                    "Add `{constraint}` as NOT VALID and validate it in the new revision `{}`",
                    names.first()?
                )
                .into(),
                applicability: Applicability::Unsafe,
                edits,
            })
        }
        _ => None,
    }
}

/// `op.execute("SET <setting> = '<value>'")` first in `upgrade()`: session
/// level, so it lasts through `autocommit_block()`s.
pub fn timeout(
    m: &crate::analysis::migration::Migration<'_>,
    facts: &AlembicFacts,
    setting: &str,
    value: &str,
) -> Option<Fix> {
    let line = format!(
        "op.execute({})",
        python_string(&format!("SET {setting} = '{value}'"))
    );
    Some(Fix {
        title: format!("Start `upgrade()` with `{line}`").into(),
        applicability: Applicability::Safe,
        edits: vec![insert_before(m.source(), facts.upgrade_first, &[line])],
    })
}

/// Places a recipe's step: the statement's SQL rewritten in its literal (or
/// the call replaced by `op.execute` of the first phase), what must run
/// outside a transaction in `autocommit_block()`, what runs later in new
/// revisions chained after this one.
pub fn place(t: &Target<'_, '_>, facts: &AlembicFacts, title: &str, step: Step<'_>) -> Option<Fix> {
    match step {
        Step::Outside { sql, .. } => {
            let mut edits = in_literal(t, &sql)?;
            edits.extend(outside_transaction(t));
            Some(Fix {
                title: format!("{title}, in `autocommit_block()`").into(),
                applicability: Applicability::Unsafe,
                edits,
            })
        }
        Step::Later {
            keep,
            later,
            later_alone,
            down,
            suffix,
        } => {
            let mut edits = in_literal(t, &keep)?;
            let revision = Revision {
                slug: suffix.to_string(),
                message: format!("{title}: {suffix}"),
                upgrade: later_step(later_alone.as_deref().unwrap_or(&later), false, facts),
                downgrade: execute(down, "    ", false),
            };
            let (created, names) = new_revisions(t, facts, &[revision])?;
            edits.extend(created);
            Some(Fix {
                title: format!("{title}, in the new revision `{}`", names.first()?).into(),
                applicability: Applicability::Unsafe,
                edits,
            })
        }
        Step::Phases(phases) => {
            let (first, rest) = phases.split_first()?;
            let mut edits = match in_literal(t, &first.sql) {
                Some(edits) => edits,
                None => vec![call_as_execute(t, &first.sql)?],
            };
            let revisions: Vec<Revision> = rest
                .iter()
                .map(|phase| Revision {
                    slug: phase.suffix.to_string(),
                    message: format!("{title}: {}", phase.suffix),
                    upgrade: later_step(&phase.sql, phase.outside, facts),
                    downgrade: execute(&phase.down, "    ", phase.outside),
                })
                .collect();
            let (created, names) = new_revisions(t, facts, &revisions)?;
            edits.extend(created);
            Some(Fix {
                title: format!("{title}; the next steps in {}", quoted_list(&names)).into(),
                applicability: Applicability::Unsafe,
                edits,
            })
        }
    }
}

/// The unit's statement wrapped in `autocommit_block()`, unless it already is.
fn outside_transaction(t: &Target<'_, '_>) -> Vec<Edit> {
    if t.unit.outside_transaction {
        return Vec::new();
    }
    wrap_in_block(t.m.source(), t.unit.statement.clone(), AUTOCOMMIT)
}

/// The statement's SQL replaced by `sql` inside its literal: the smallest
/// change of the literal's value, written back through its map (escapes,
/// concatenated strings) in each string's quoting; `None` when the statement
/// is not SQL in a literal, or the quoting cannot hold the new text.
pub(super) fn in_literal(t: &Target<'_, '_>, sql: &str) -> Option<Vec<Edit>> {
    let literal = t.orm.origins.get(t.at.index)?.literal()?;
    let span = t.at.statement.span.clone();
    let value = literal.value_span(span.clone())?;
    // New lines follow the statement's indentation in a multi-line literal.
    let indent = indentation(t.m.source(), span.start);
    let sql = sql.replace('\n', &format!("\n{indent}"));
    let old = literal.value.get(value.clone())?;
    let change = minimal_replace(old, 0..old.len(), &sql);
    let range = value.start + change.range.start..value.start + change.range.end;
    Some(
        literal
            .edit(range, &change.replacement)?
            .into_iter()
            .map(|(range, text)| Edit::replace(range, text))
            .collect(),
    )
}

/// An `op.*` call replaced by `op.execute(sql)`, when the call is nothing
/// but this statement (else its other changes would be lost).
fn call_as_execute(t: &Target<'_, '_>, sql: &str) -> Option<Edit> {
    let unit = t.orm.origins.get(t.at.index)?.unit?;
    let statements = t
        .orm
        .origins
        .iter()
        .filter(|o| o.unit == Some(unit))
        .count();
    if statements != 1 || t.unit.statement.start != t.unit.span.start {
        return None;
    }
    let indent = indentation(t.m.source(), t.unit.statement.start);
    let code = execute(sql, indent, false);
    Some(Edit::replace(
        t.unit.statement.clone(),
        code.trim_start().to_string(),
    ))
}

/// A step of a new revision's `upgrade()`. Unless `env.py` sets
/// `transaction_per_migration=True`, Alembic runs every pending revision in
/// one transaction, so a step placed in a later revision would still run
/// under the lock the earlier one took (a VALIDATE under the ACCESS
/// EXCLUSIVE lock of its ADD CONSTRAINT): it runs in `autocommit_block()`,
/// which commits that work first, with its statements in a transaction of
/// their own.
fn later_step(sql: &str, outside: bool, facts: &AlembicFacts) -> String {
    let shared_transaction =
        facts.env.transactional_ddl != Some(false) && !facts.env.transaction_per_migration;
    if outside || !shared_transaction {
        execute(sql, "    ", outside)
    } else {
        execute(&own_transaction(sql), "    ", true)
    }
}

/// `op.execute(...)` of `sql` at `indent`: one line, or a triple-quoted
/// block; in `autocommit_block()` when it must run outside a transaction.
fn execute(sql: &str, indent: &str, outside: bool) -> String {
    let sql = sql.trim();
    if sql.is_empty() {
        return format!("{indent}pass");
    }
    let (indent, block) = if outside {
        (format!("{indent}    "), format!("{indent}{AUTOCOMMIT}\n"))
    } else {
        (indent.to_string(), String::new())
    };
    let call = if sql.contains('\n') {
        let inner = format!("{indent}    ");
        let literal = python_block_string(sql, &inner);
        format!("{indent}op.execute(\n{inner}{literal}\n{indent})")
    } else {
        format!("{indent}op.execute({})", python_string(sql))
    };
    format!("{block}{call}")
}

fn nothing_to_undo(why: &str) -> String {
    format!("    # {why}: there is nothing to undo.\n    op.execute(\"SELECT 1\")")
}

/// One new revision: its name and what its functions run (indented bodies).
struct Revision {
    slug: String,
    message: String,
    upgrade: String,
    downgrade: String,
}

/// The files of `revisions`, each revising the one before (the first this
/// one), and the edit that makes the revision that followed this one follow
/// the last of them; with the new files' names.
fn new_revisions(
    t: &Target<'_, '_>,
    facts: &AlembicFacts,
    revisions: &[Revision],
) -> Option<(Vec<Edit>, Vec<String>)> {
    let location = t.m.location()?;
    let dir = location.path.parent()?;
    let current = facts.revision.clone()?;
    let mut parent = current.clone();
    let mut edits = Vec::new();
    let mut names = Vec::new();
    for (i, revision) in revisions.iter().enumerate() {
        let id = revision_id(&current, &revision.slug, i);
        let name = format!("{id}_{}.py", file_slug(&revision.slug));
        edits.push(Edit {
            file: Some(dir.join(&name)),
            range: 0..0,
            replacement: revision_file(&id, &parent, revision),
            create: true,
        });
        names.push(name);
        parent = id;
    }
    if revisions.is_empty() {
        return Some((edits, names));
    }
    // Keep one head: the revision that revised this one now revises the last new one.
    edits.extend(host::repoint_followers(
        &location,
        dir,
        &(location.list_dir)(dir),
        |text| down_revision_of(text, &current),
        &parent,
    ));
    Some((edits, names))
}

/// Where `down_revision` names `revision` in a revision file's text.
fn down_revision_of(text: &str, revision: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("down_revision") {
            for quote in ['\'', '"'] {
                let quoted = format!("{quote}{revision}{quote}");
                if let Some(at) = line.find(&quoted) {
                    let start = offset + at + 1;
                    return Some(start..start + revision.len());
                }
            }
        }
        offset += line.len();
    }
    None
}

/// A new revision's id: twelve hex digits, like Alembic's, derived from
/// where it goes so the same fix names the same file.
fn revision_id(parent: &str, slug: &str, index: usize) -> String {
    // FNV-1a: stable across runs and platforms.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parent
        .bytes()
        .chain(slug.bytes())
        .chain(index.to_le_bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", hash & 0xffff_ffff_ffff)
}

fn file_slug(text: &str) -> String {
    let slug: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    slug.chars().take(40).collect()
}

fn revision_file(id: &str, parent: &str, revision: &Revision) -> String {
    format!(
        "\"\"\"{message}\n\nRevision ID: {id}\nRevises: {parent}\n\"\"\"\nfrom alembic import op\n\n\n# revision identifiers, used by Alembic.\nrevision = '{id}'\ndown_revision = '{parent}'\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{upgrade}\n\n\ndef downgrade():\n{downgrade}\n",
        message = revision.message.replace("\"\"\"", "'''"),
        upgrade = revision.upgrade,
        downgrade = revision.downgrade,
    )
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixes::testing::fix_with;

    const REVISION: &str = "revision = 'a1'\ndown_revision = None\n\n\ndef upgrade():\n    op.create_check_constraint('c', 'orders', 'total > 0')\n    op.execute(\"ALTER TABLE users ALTER COLUMN email SET NOT NULL\")\n\n\ndef downgrade():\n    op.drop_constraint('c', 'orders')\n";

    /// The file the fix of `rule` creates, with `env.py` configuring
    /// `configure` (no `env.py` when `None`).
    fn created(configure: Option<&str>, rule: &str) -> String {
        let env = configure.map(|c| format!("context.configure(connection=connection{c})\n"));
        let others: Vec<(&str, &str)> =
            env.iter().map(|e| ("alembic/env.py", e.as_str())).collect();
        let fixed = fix_with("alembic/versions/a1_x.py", REVISION, &others, rule).unwrap();
        assert_eq!(fixed.created.len(), 1, "{fixed:?}");
        fixed.created[0].1.clone()
    }

    #[test]
    fn later_revisions_commit_first_when_revisions_share_a_transaction() {
        let validate = "op.execute(\"ALTER TABLE orders VALIDATE CONSTRAINT c\")";
        let in_block = format!("def upgrade():\n    {AUTOCOMMIT}\n        {validate}\n");
        // Alembic's default: every pending revision in one transaction.
        for shared in [None, Some(""), Some(", transaction_per_migration=False")] {
            let created = created(shared, "constraint-missing-not-valid");
            assert!(created.contains(&in_block), "{shared:?}:\n{created}");
        }
        for own in [
            ", transaction_per_migration=True",
            ", transactional_ddl=False",
        ] {
            let created = created(Some(own), "constraint-missing-not-valid");
            assert!(
                created.contains(&format!("def upgrade():\n    {validate}\n")),
                "{own}:\n{created}"
            );
        }
        // Several statements keep their transaction inside the block.
        let created = created(None, "set-not-null-requires-scan");
        assert!(
            created.contains(AUTOCOMMIT)
                && created.contains("BEGIN;")
                && created.contains("COMMIT;"),
            "{created}"
        );
        let own = self::created(
            Some(", transaction_per_migration=True"),
            "set-not-null-requires-scan",
        );
        assert!(
            !own.contains(AUTOCOMMIT) && !own.contains("BEGIN;"),
            "{own}"
        );
    }

    #[test]
    fn down_revision_is_found_in_either_quoting() {
        let text = "revision = 'b2'\ndown_revision: Union[str, None] = \"a1\"\n";
        let range = down_revision_of(text, "a1").unwrap();
        assert_eq!(&text[range], "a1");
        assert!(down_revision_of(text, "b2").is_none());
        assert_eq!(revision_id("a1", "x", 0).len(), 12);
        assert_ne!(revision_id("a1", "x", 0), revision_id("a1", "x", 1));
        assert_eq!(file_slug("validate_Orders-FK"), "validate_orders_fk");
    }
}
