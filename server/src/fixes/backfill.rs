//! Recipes R15 and R16: an `UPDATE` or `DELETE` over many rows as a loop of
//! small batches, each committed on its own (`COMMIT` inside `DO`,
//! PostgreSQL 11+), with a pause between them so replicas and autovacuum keep
//! up. The loop walks the table by its integer key `id`; it checks that first
//! and stops before changing anything when the key is not one.

use crate::analysis::migration::{DmlKind, Migration, Name, OpAt, OpKind};
use crate::finding::{Applicability, Fix};

use super::sql::{Clauses, dollar_quoted, fresh, ident, literal, mentions, qualified};
use super::transaction::{self, Step};

/// The column batches are walked by.
pub const KEY: &str = "id";
/// Rows per batch: short row locks, small WAL bursts.
const BATCH: u32 = 1000;
/// Seconds between batches.
const PAUSE: &str = "0.05";
/// The down migration of a backfill that only filled a column the migration
/// before it added: rolling that one back drops the column.
pub const FILLED_ONLY: &str =
    "-- The backfill only filled the new column: nothing to undo.\nSELECT 1;";

/// The fix for an unbatched `UPDATE` or `DELETE`: the same statement as a
/// batched loop, in a migration that runs outside a transaction block.
pub fn batched(m: &Migration<'_>, at: &OpAt<'_>) -> Option<Fix> {
    let OpKind::Dml { kind, .. } = at.op.kind else {
        return None;
    };
    let table = at.op.table.as_ref()?;
    let (statement, _) = m.statement_sql(at)?;
    let statement: &str = &statement;
    let dml = Dml::read(statement, kind)?;
    let sql = match kind {
        DmlKind::Update => keyset_update(&KeysetUpdate {
            table,
            target: dml.target,
            row: &dml.row,
            set: dml.set,
            from: dml.from,
            filter: dml.filter,
            then: "",
        }),
        DmlKind::Delete => batched_delete(table, &dml),
        DmlKind::Insert => return None,
    };
    let fix = transaction::split(
        m,
        at,
        "Run it in batches, committing each",
        Step::Outside {
            sql,
            down: "-- A data change: restore the rows from a backup to undo it.\nSELECT 1;",
            suffix: "batched",
        },
    )?;
    // Batches commit one by one: others see the change half done, and a
    // failure stops it half done. Someone must look before applying it.
    Some(Fix {
        applicability: Applicability::Unsafe,
        ..fix
    })
}

/// A keyset-batched `UPDATE`: each batch is the next `BATCH` keys of the
/// table, and the user's `SET` and `WHERE` apply to the rows among them.
pub struct KeysetUpdate<'a> {
    pub table: &'a Name,
    /// The updated table as written after `UPDATE`, alias included.
    pub target: &'a str,
    /// How the `SET` list and `WHERE` name the updated row: its alias, or the
    /// table's name.
    pub row: &'a str,
    pub set: &'a str,
    /// The user's own `FROM` list.
    pub from: Option<&'a str>,
    pub filter: Option<&'a str>,
    /// PL/pgSQL run after the last batch.
    pub then: &'a str,
}

/// `DO` running `update` batch after batch.
pub fn keyset_update(update: &KeysetUpdate<'_>) -> String {
    // Names of the loop's own, unlike any the user's text uses.
    let used = [
        update.set,
        update.from.unwrap_or(""),
        update.filter.unwrap_or(""),
    ]
    .join(" ");
    let last = fresh("last_id", &used);
    let max = fresh("max_id", &used);
    let batch = fresh("batch", &used);
    let upd = fresh("upd", &used);
    // The batch's own column, which the user's unqualified names must not hit.
    let batch_key = fresh("batch_id", &used);
    let table = qualified(update.table);
    let key = ident(KEY);
    let from = match update.from {
        Some(from) => format!("{batch}, {from}"),
        None => batch.clone(),
    };
    let filter = match update.filter {
        Some(filter) => format!(" AND ({filter})"),
        None => String::new(),
    };
    let then = if update.then.is_empty() {
        String::new()
    } else {
        format!("  {}\n", update.then.replace('\n', "\n  "))
    };
    let body = format!(
        "
DECLARE {last} bigint; {max} bigint;
BEGIN
{guard}
  SELECT min({key}) - 1 INTO {last} FROM {table};
  LOOP
    WITH {batch} ({batch_key}) AS (
      SELECT {key} FROM {table} WHERE {key} > {last} ORDER BY {key} LIMIT {BATCH}
    ), {upd} AS (
      UPDATE {target} SET {set}
      FROM {from} WHERE {row}.{key} = {batch}.{batch_key}{filter}
    )
    SELECT max({batch_key}) INTO {max} FROM {batch};
    EXIT WHEN {max} IS NULL;
    {last} := {max};
    COMMIT;                      -- release the batch's row locks
    PERFORM pg_sleep({PAUSE});      -- let replicas and autovacuum keep up
  END LOOP;
{then}END ",
        guard = key_guard(update.table),
        target = update.target,
        set = update.set,
        row = update.row,
    );
    format!(
        "-- Batched: runs outside a transaction block (COMMIT inside DO, PostgreSQL 11+).\nDO {};",
        dollar_quoted(&body)
    )
}

/// R16: delete the next `BATCH` matching rows until none is left.
fn batched_delete(table: &Name, dml: &Dml<'_>) -> String {
    let used = [dml.from.unwrap_or(""), dml.filter.unwrap_or("")].join(" ");
    let n = fresh("n", &used);
    let key = ident(KEY);
    let alias = match &dml.alias {
        Some(alias) => format!(" {alias}"),
        None => String::new(),
    };
    let using = match dml.from {
        Some(using) => format!(", {using}"),
        None => String::new(),
    };
    let filter = match dml.filter {
        Some(filter) => format!(" WHERE {filter}"),
        None => String::new(),
    };
    let body = format!(
        "
DECLARE {n} bigint;
BEGIN
{guard}
  LOOP
    DELETE FROM {relation} WHERE {key} IN (
      SELECT {row}.{key} FROM {relation}{alias}{using}{filter} ORDER BY {row}.{key} LIMIT {BATCH}
    );
    GET DIAGNOSTICS {n} = ROW_COUNT;
    EXIT WHEN {n} = 0;
    COMMIT;
    PERFORM pg_sleep({PAUSE});
  END LOOP;
END ",
        guard = key_guard(table),
        relation = dml.relation,
        row = dml.row,
    );
    format!(
        "-- Batched: runs outside a transaction block (COMMIT inside DO, PostgreSQL 11+).\nDO {};",
        dollar_quoted(&body)
    )
}

/// PL/pgSQL that stops with an error unless `KEY` is a unique, non-null
/// integer key of `table`: batches walked by another column could skip or
/// repeat rows.
pub fn key_guard(table: &Name) -> String {
    let regclass = literal(&qualified(table));
    let key = literal(KEY);
    let message = literal(&format!(
        "batches walk {} by {KEY}, which is not a unique, non-null integer key: change the key this migration uses",
        qualified(table).replace('%', "%%")
    ));
    format!(
        "  PERFORM FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
   WHERE i.indrelid = {regclass}::regclass AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL
     AND a.attname = {key} AND a.attnotnull AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype);
  IF NOT FOUND THEN
    RAISE EXCEPTION {message};
  END IF;"
    )
}

/// An `UPDATE` or `DELETE` cut into the parts a batched loop reuses, as
/// written.
struct Dml<'a> {
    /// `UPDATE`: the table as written with its alias; `DELETE`: without it.
    target: &'a str,
    /// The table as written, without alias.
    relation: &'a str,
    alias: Option<&'a str>,
    /// How the statement's expressions name the changed row.
    row: String,
    /// `UPDATE`'s `SET` list.
    set: &'a str,
    /// `UPDATE`'s `FROM` list, `DELETE`'s `USING` list.
    from: Option<&'a str>,
    filter: Option<&'a str>,
}

impl<'a> Dml<'a> {
    /// `UPDATE target SET ... [FROM ...] [WHERE ...]` or `DELETE FROM target
    /// [USING ...] [WHERE ...]`; `None` for anything else (a leading `WITH`,
    /// `RETURNING`, `WHERE CURRENT OF`, an `UPDATE` of the key itself).
    fn read(statement: &'a str, kind: DmlKind) -> Option<Self> {
        let c = Clauses::new(statement);
        let end = c.end();
        let (target_start, clauses) = match kind {
            DmlKind::Update if c.is_word(0, "UPDATE") => (1, &["SET"][..]),
            DmlKind::Delete if c.is_word(0, "DELETE") && c.is_word(1, "FROM") => {
                (2, &["USING", "WHERE", "RETURNING"][..])
            }
            _ => return None,
        };
        if c.find(0, &["RETURNING"]).is_some() {
            return None;
        }
        let target_end = c.find(target_start, clauses).unwrap_or(end);
        let (relation_end, alias) = relation(&c, target_start..target_end)?;
        let where_at = c.find(target_end, &["WHERE"]);
        if where_at.is_some_and(|w| c.is_word(w + 1, "CURRENT") && c.is_word(w + 2, "OF")) {
            return None;
        }
        let filter = where_at
            .map(|w| c.text(w + 1..end))
            .filter(|t| !t.is_empty());
        let before_where = where_at.unwrap_or(end);
        let (set, from) = match kind {
            DmlKind::Update => {
                // `IS DISTINCT FROM` in a SET expression is not the FROM list.
                let mut from_at = c.find(target_end + 1, &["FROM"]);
                while let Some(f) = from_at.filter(|&f| f > 0 && c.is_word(f - 1, "DISTINCT")) {
                    from_at = c.find(f + 1, &["FROM"]);
                }
                let from_at = from_at.filter(|&f| f < before_where);
                let set_end = from_at.unwrap_or(before_where);
                let set = c.text(target_end + 1..set_end);
                // Batches walk the key: an UPDATE that changes it would move
                // rows under the walk.
                let assigns_key = c.split_commas(target_end + 1..set_end).iter().any(|part| {
                    let target = (part.clone())
                        .find(|&i| c.is_symbol(i, "="))
                        .map_or(part.end, |eq| eq);
                    mentions(c.text(part.start..target), KEY)
                });
                if set.is_empty() || assigns_key {
                    return None;
                }
                (set, from_at.map(|f| c.text(f + 1..before_where)))
            }
            _ => {
                let using = (target_end < before_where && c.is_word(target_end, "USING"))
                    .then(|| c.text(target_end + 1..before_where));
                if using.is_none() && target_end != before_where {
                    return None;
                }
                ("", using)
            }
        };
        let relation_text = c.text(target_start..relation_end);
        let row = match alias {
            Some(alias) => alias.to_string(),
            None => {
                let last = (target_start..relation_end)
                    .rev()
                    .find(|&i| !c.is_symbol(i, "*"))?;
                c.token(last)?.to_string()
            }
        };
        Some(Dml {
            target: c.text(target_start..target_end),
            relation: relation_text,
            alias,
            row,
            set,
            from: from.filter(|f| !f.is_empty()),
            filter,
        })
    }
}

/// `[ONLY] name[.name...] [*] [[AS] alias]` filling tokens `range`: where the
/// relation ends, and its alias.
fn relation<'a>(
    c: &Clauses<'a>,
    range: std::ops::Range<usize>,
) -> Option<(usize, Option<&'a str>)> {
    let mut i = range.start;
    if c.is_word(i, "ONLY") {
        i += 1;
    }
    let is_name = |i: usize| {
        c.token(i)
            .is_some_and(|t| t.starts_with(|ch: char| ch == '"' || ch == '_' || ch.is_alphabetic()))
    };
    if !is_name(i) {
        return None;
    }
    i += 1;
    while c.is_symbol(i, ".") && is_name(i + 1) {
        i += 2;
    }
    if c.is_symbol(i, "*") {
        i += 1;
    }
    let relation_end = i;
    if c.is_word(i, "AS") {
        i += 1;
    }
    let alias = if i < range.end && is_name(i) {
        i += 1;
        c.token(i - 1)
    } else {
        None
    };
    (i == range.end).then_some((relation_end, alias))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_update_parts_as_written() {
        let d = Dml::read(
            "update ONLY app.users AS u SET plan = o.plan, score = score IS DISTINCT FROM 1 FROM orgs o WHERE u.org_id = o.id;",
            DmlKind::Update,
        )
        .unwrap();
        assert_eq!(d.target, "ONLY app.users AS u");
        assert_eq!(d.relation, "ONLY app.users");
        assert_eq!(d.row, "u");
        assert_eq!(d.set, "plan = o.plan, score = score IS DISTINCT FROM 1");
        assert_eq!(d.from, Some("orgs o"));
        assert_eq!(d.filter, Some("u.org_id = o.id"));

        let d = Dml::read(
            "UPDATE \"Users\" SET a = (SELECT 1 FROM t WHERE x)",
            DmlKind::Update,
        )
        .unwrap();
        assert_eq!(d.row, "\"Users\"");
        assert_eq!(d.set, "a = (SELECT 1 FROM t WHERE x)");
        assert_eq!((d.from, d.filter), (None, None));
    }

    #[test]
    fn reads_delete_parts() {
        let d = Dml::read(
            "DELETE FROM users x USING orgs WHERE x.org_id = orgs.id AND orgs.id > 3;",
            DmlKind::Delete,
        )
        .unwrap();
        assert_eq!(
            (d.relation, d.alias, d.row.as_str()),
            ("users", Some("x"), "x")
        );
        assert_eq!(d.from, Some("orgs"));
        assert_eq!(d.filter, Some("x.org_id = orgs.id AND orgs.id > 3"));
        let d = Dml::read("DELETE FROM sessions", DmlKind::Delete).unwrap();
        assert_eq!((d.row.as_str(), d.filter), ("sessions", None));
    }

    #[test]
    fn refuses_what_a_loop_cannot_repeat() {
        for (sql, kind) in [
            ("UPDATE users SET id = id + 1", DmlKind::Update),
            ("UPDATE users SET (\"id\", a) = (1, 2)", DmlKind::Update),
            ("UPDATE users SET a = 1 RETURNING id", DmlKind::Update),
            (
                "WITH x AS (SELECT 1) UPDATE users SET a = 1",
                DmlKind::Update,
            ),
            ("UPDATE users SET a = 1 WHERE CURRENT OF c", DmlKind::Update),
            ("UPDATE users", DmlKind::Update),
            ("UPDATE SET a = 1", DmlKind::Update),
            ("DELETE FROM users RETURNING *", DmlKind::Delete),
            ("DELETE FROM users a b", DmlKind::Delete),
            ("DELETE users", DmlKind::Delete),
            ("", DmlKind::Delete),
        ] {
            assert!(Dml::read(sql, kind).is_none(), "{sql}");
        }
    }

    #[test]
    fn where_the_loop_goes_and_that_it_is_unsafe() {
        use super::super::testing::fix;
        let text = "SET lock_timeout = '2s';\nDELETE FROM sessions WHERE expires_at < now();\n";
        let plain = fix("schema/prune.sql", text, "unbatched-backfill").unwrap();
        assert_eq!(plain.applicability, Applicability::Unsafe);
        assert!(plain.text.contains(
            "    DELETE FROM sessions WHERE id IN (\n      SELECT sessions.id FROM sessions WHERE expires_at < now() ORDER BY sessions.id LIMIT 1000\n    );"
        ), "{}", plain.text);
        let golang = fix("db/000003_prune.up.sql", text, "unbatched-backfill").unwrap();
        assert_eq!(golang.text, "SET lock_timeout = '2s';\n");
        assert!(
            golang
                .created("db/000004_prune_batched.up.sql")
                .starts_with("-- Batched")
        );
        // Prisma and Drizzle cannot run a migration outside a transaction.
        assert!(
            fix(
                "prisma/migrations/20240101000000_x/migration.sql",
                text,
                "unbatched-backfill"
            )
            .is_none()
        );
    }

    #[test]
    fn the_loop_keeps_the_users_text_and_avoids_its_names() {
        let table = Name::new(None, "users");
        let sql = keyset_update(&KeysetUpdate {
            table: &table,
            target: "users",
            row: "users",
            set: "last_id = 0",
            from: None,
            filter: Some("batch IS NULL"),
            then: "",
        });
        assert!(sql.contains("UPDATE users SET last_id = 0\n      FROM batch_2 WHERE users.id = batch_2.batch_id AND (batch IS NULL)"), "{sql}");
        assert!(
            sql.contains("DECLARE last_id_2 bigint; max_id bigint;"),
            "{sql}"
        );
        assert!(sql.starts_with("-- Batched"));
        assert!(sql.ends_with("END $$;"));
    }
}
