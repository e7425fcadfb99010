//! Lowers a statement into operations from its tokens alone. Used for what
//! sqlparser rejects (`DROP INDEX CONCURRENTLY`, `REINDEX`, `CLUSTER`, `DO`,
//! `ALTER COLUMN ... SET STATISTICS`, PostgreSQL 18 syntax, ...) so that one
//! statement outside sqlparser's grammar never hides what it does.

use super::COLUMN_CLAUSES;
use super::cursor::Cursor;
use super::ops::{
    AddColumn, ColumnDef, ConstraintKind, DmlKind, LockMode, Maintenance, Name, Op, OpKind,
};

/// Operations of one statement, facts marked as not from a full parse.
pub fn lower(mut c: Cursor<'_>, text: &str) -> Vec<Op> {
    let op = |table: Option<Name>, kind: OpKind| Op::on_statement(text, table, kind, false);
    if c.eat(&["ALTER", "TABLE"]) {
        return alter_table(c);
    }
    if c.eat(&["CREATE"]) {
        return create(c).into_iter().map(|(t, k)| op(t, k)).collect();
    }
    if c.eat(&["DROP", "INDEX"]) {
        let concurrently = c.eat(&["CONCURRENTLY"]);
        let if_exists = c.eat(&["IF", "EXISTS"]);
        let names = c.names();
        return vec![op(
            None,
            OpKind::DropIndex {
                names,
                concurrently,
                if_exists,
            },
        )];
    }
    if c.eat(&["DROP", "VIEW"]) || c.eat(&["DROP", "MATERIALIZED", "VIEW"]) {
        c.eat(&["IF", "EXISTS"]);
        return c
            .names()
            .into_iter()
            .map(|view| op(Some(view), OpKind::DropView))
            .collect();
    }
    if c.eat(&["DROP", "TABLE"]) {
        let if_exists = c.eat(&["IF", "EXISTS"]);
        return c
            .names()
            .into_iter()
            .map(|t| op(Some(t), OpKind::DropTable { if_exists }))
            .collect();
    }
    if let Some((table, kind)) = dml(c.clone()) {
        return vec![op(table, kind)];
    }
    let settings = set_config_calls(c.clone());
    if !settings.is_empty() {
        return settings;
    }
    let (tables, kind) = other(c);
    if tables.is_empty() {
        return vec![op(None, kind)];
    }
    tables
        .into_iter()
        .map(|table| op(Some(table), kind.clone()))
        .collect()
}

fn create(mut c: Cursor<'_>) -> Option<(Option<Name>, OpKind)> {
    let or_replace = c.eat(&["OR", "REPLACE"]);
    c.eat(&["CONSTRAINT"]);
    if c.eat(&["TRIGGER"]) {
        // Half-typed, without its `ON` yet, it is still a trigger.
        let table = c.after_top_level(&["ON"]).and_then(|mut on| {
            on.eat(&["ON"]);
            on.name()
        });
        return Some((table, OpKind::CreateTrigger));
    }
    if c.eat(&["FUNCTION"]) || c.eat(&["PROCEDURE"]) {
        return Some((None, OpKind::CreateFunction { or_replace }));
    }
    let materialized = c.eat(&["MATERIALIZED"]);
    if c.eat(&["VIEW"]) {
        let kind = OpKind::CreateView {
            materialized,
            or_replace,
            if_not_exists: c.eat(&["IF", "NOT", "EXISTS"]),
        };
        return Some((c.name(), kind));
    }
    if c.eat(&["TYPE"]) {
        let name = c.name();
        let kind = if c.eat(&["AS", "ENUM"]) {
            OpKind::CreateEnum
        } else {
            OpKind::CreateType
        };
        return Some((name, kind));
    }
    if c.eat(&["SCHEMA"]) {
        let if_not_exists = c.eat(&["IF", "NOT", "EXISTS"]);
        c.eat(&["AUTHORIZATION"]);
        let name = c.ident().unwrap_or_default();
        return Some((
            None,
            OpKind::CreateSchema {
                name,
                if_not_exists,
            },
        ));
    }
    if c.eat(&["DOMAIN"]) {
        let kind = if c.contains(&["CHECK"]) {
            OpKind::DomainConstraint
        } else {
            OpKind::Other {
                what: "CREATE DOMAIN".into(),
            }
        };
        return Some((None, kind));
    }
    let unique = c.eat(&["UNIQUE"]);
    if c.eat(&["INDEX"]) {
        let concurrently = c.eat(&["CONCURRENTLY"]);
        let if_not_exists = c.eat(&["IF", "NOT", "EXISTS"]);
        let name = if c.at_word("ON") { None } else { c.ident() };
        c.eat(&["ON"]);
        let on_only = c.eat(&["ONLY"]);
        let table = c.name();
        let kind = OpKind::CreateIndex {
            name,
            unique,
            concurrently,
            if_not_exists,
            on_only,
        };
        return Some((table, kind));
    }
    for modifier in ["TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL"] {
        c.eat(&[modifier]);
    }
    if c.eat(&["TABLE"]) {
        let if_not_exists = c.eat(&["IF", "NOT", "EXISTS"]);
        let name = c.name();
        return Some((name, create_table(c, if_not_exists)));
    }
    if c.eat(&["SEQUENCE"]) {
        let if_not_exists = c.eat(&["IF", "NOT", "EXISTS"]);
        return Some((c.name(), OpKind::CreateSequence { if_not_exists }));
    }
    Some((
        None,
        OpKind::Other {
            what: "CREATE".into(),
        },
    ))
}

/// The rest of `CREATE TABLE name ...`: its column list and partitioning.
pub fn create_table(c: Cursor<'_>, if_not_exists: bool) -> OpKind {
    let pieces: Vec<_> = c
        .parenthesized_span()
        .map(|inner| c.within(inner).comma_separated_spans())
        .unwrap_or_default();
    let mut columns: Vec<ColumnDef> = pieces
        .iter()
        .filter_map(|piece| column_def(c.within(piece.clone())))
        .collect();
    for (primary, keyed) in pieces
        .iter()
        .filter_map(|piece| table_key(c.within(piece.clone())))
    {
        for column in columns.iter_mut().filter(|col| keyed.contains(&col.name)) {
            column.key = true;
            column.not_null |= primary;
        }
    }
    let constraints = pieces
        .iter()
        .flat_map(|piece| constraint_names(c.within(piece.clone())))
        .collect();
    let references = pieces
        .iter()
        .filter_map(|piece| {
            let mut after = c.within(piece.clone()).after_top_level(&["REFERENCES"])?;
            after.eat(&["REFERENCES"]);
            after.name()
        })
        .collect();
    OpKind::CreateTable {
        if_not_exists,
        columns,
        partitioned: c.contains_top_level(&["PARTITION", "BY"]),
        references,
        constraints,
    }
}

/// A table constraint `[CONSTRAINT name] PRIMARY KEY (a, b)` or `FOREIGN KEY
/// (a) REFERENCES ...`: whether it is the primary key, and its columns.
fn table_key(mut c: Cursor<'_>) -> Option<(bool, Vec<String>)> {
    if c.eat(&["CONSTRAINT"]) {
        c.ident();
    }
    let primary = if c.eat(&["PRIMARY", "KEY"]) {
        true
    } else if c.eat(&["FOREIGN", "KEY"]) {
        false
    } else {
        return None;
    };
    let list = c.eat_parenthesized()?;
    Some((primary, column_list(&c, list)))
}

/// The names `CONSTRAINT name` gives in one element of a `CREATE TABLE` list.
fn constraint_names(c: Cursor<'_>) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = c;
    while let Some(mut at) = rest.after_top_level(&["CONSTRAINT"]) {
        at.eat(&["CONSTRAINT"]);
        names.extend(at.ident());
        rest = at;
    }
    names
}

/// A column declared `PRIMARY KEY` or `REFERENCES` inline.
fn declared_key(c: &Cursor<'_>) -> bool {
    c.contains_top_level(&["PRIMARY", "KEY"]) || c.contains_top_level(&["REFERENCES"])
}

/// A column declared `NOT NULL` or `PRIMARY KEY` inline.
fn declared_not_null(c: &Cursor<'_>) -> bool {
    c.contains_top_level(&["NOT", "NULL"]) || c.contains_top_level(&["PRIMARY", "KEY"])
}

/// One element of a `CREATE TABLE` list, if it is a column (not a table
/// constraint or `LIKE`).
fn column_def(mut c: Cursor<'_>) -> Option<ColumnDef> {
    const NOT_COLUMNS: [&str; 7] = [
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "CHECK",
        "FOREIGN",
        "EXCLUDE",
        "LIKE",
    ];
    if NOT_COLUMNS.iter().any(|word| c.at_word(word)) {
        return None;
    }
    let name = c.ident()?;
    let data_type = type_text(&c);
    Some(ColumnDef {
        name,
        data_type,
        key: declared_key(&c),
        not_null: declared_not_null(&c),
    })
}

/// Statements whose interest is the lock they take, transaction control and
/// settings: the relations they work on (one operation each) and what they do.
fn other(mut c: Cursor<'_>) -> (Vec<Name>, OpKind) {
    let maintenance = OpKind::Maintenance;
    if c.eat(&["REINDEX"]) {
        skip_parenthesized(&mut c);
        for target in ["INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"] {
            c.eat(&[target]);
        }
        let concurrently = c.eat(&["CONCURRENTLY"]);
        let target = c.name().into_iter().collect();
        return (target, maintenance(Maintenance::Reindex { concurrently }));
    }
    if c.eat(&["VACUUM"]) {
        let full = c.eat(&["FULL"]) || c.contains(&["FULL"]);
        skip_parenthesized(&mut c);
        for word in ["FULL", "FREEZE", "VERBOSE", "ANALYZE"] {
            c.eat(&[word]);
        }
        return (relations(&mut c), maintenance(Maintenance::Vacuum { full }));
    }
    if c.eat(&["CLUSTER"]) {
        c.eat(&["VERBOSE"]);
        let table = c.name().into_iter().collect();
        return (table, maintenance(Maintenance::Cluster));
    }
    if c.eat(&["TRUNCATE"]) {
        c.eat(&["TABLE"]);
        let tables = relations(&mut c);
        let cascade = c.contains(&["CASCADE"]);
        return (tables, maintenance(Maintenance::Truncate { cascade }));
    }
    if c.eat(&["LOCK"]) {
        c.eat(&["TABLE"]);
        let tables = relations(&mut c);
        let mode = explicit_lock_mode(&c);
        return (tables, maintenance(Maintenance::Lock { mode }));
    }
    if c.eat(&["REFRESH", "MATERIALIZED", "VIEW"]) {
        let concurrently = c.eat(&["CONCURRENTLY"]);
        let view = c.name().into_iter().collect();
        let kind = Maintenance::RefreshMaterializedView { concurrently };
        return (view, maintenance(kind));
    }
    if c.eat(&["ALTER", "TYPE"]) {
        let name = c.name().into_iter().collect();
        if c.eat(&["ADD", "VALUE"]) {
            c.eat(&["IF", "NOT", "EXISTS"]);
            let value = string_literal(c.bump().unwrap_or_default());
            let positioned = c.at_word("BEFORE") || c.at_word("AFTER");
            return (name, OpKind::AddEnumValue { value, positioned });
        }
        if c.eat(&["RENAME", "VALUE"]) {
            return (name, OpKind::RenameEnumValue);
        }
        return (
            name,
            OpKind::Other {
                what: "ALTER TYPE".into(),
            },
        );
    }
    if let Some((index, to)) = rename_index(c.clone()) {
        return (index.into_iter().collect(), OpKind::RenameIndex { to });
    }
    if c.eat(&["ALTER", "SEQUENCE"]) {
        c.eat(&["IF", "EXISTS"]);
        let sequence = c.name();
        // A new relfilenode or a new name: nothing may use the sequence meanwhile.
        let exclusive =
            c.contains(&["RESTART"]) || c.contains(&["RENAME"]) || c.contains(&["SET", "SCHEMA"]);
        let lock = if exclusive {
            LockMode::AccessExclusive
        } else {
            LockMode::ShareRowExclusive
        };
        return (
            sequence.into_iter().collect(),
            OpKind::AlterSequence { lock },
        );
    }
    if c.eat(&["ALTER", "DOMAIN"]) {
        c.name();
        // `NOT VALID` leaves the columns using the domain unchecked.
        if c.eat(&["ADD"]) && !c.contains(&["NOT", "VALID"]) {
            return (Vec::new(), OpKind::DomainConstraint);
        }
        return (
            Vec::new(),
            OpKind::Other {
                what: "ALTER DOMAIN".into(),
            },
        );
    }
    if c.eat(&["ALTER", "SCHEMA"]) {
        c.name();
        if c.eat(&["RENAME", "TO"]) {
            return (Vec::new(), OpKind::RenameSchema);
        }
        return (
            Vec::new(),
            OpKind::Other {
                what: "ALTER SCHEMA".into(),
            },
        );
    }
    for what in ["SCHEMA", "DATABASE"] {
        if c.eat(&["DROP", what]) {
            c.eat(&["IF", "EXISTS"]);
            let schemas = match what {
                "SCHEMA" => c.names().into_iter().map(|n| n.name).collect(),
                _ => Vec::new(),
            };
            let kind = OpKind::DropSchema {
                what: format!("DROP {what}"),
                schemas,
            };
            return (Vec::new(), kind);
        }
    }
    if c.eat(&["DROP", "TRIGGER"]) {
        let kind = OpKind::DropTrigger {
            if_exists: c.eat(&["IF", "EXISTS"]),
        };
        let Some(mut on) = c.after_top_level(&["ON"]) else {
            return (Vec::new(), kind);
        };
        on.eat(&["ON"]);
        return (on.name().into_iter().collect(), kind);
    }
    if c.eat(&["BEGIN"]) || c.eat(&["START", "TRANSACTION"]) {
        return (Vec::new(), OpKind::Begin);
    }
    if c.eat(&["COMMIT"]) || c.eat(&["END"]) {
        return (Vec::new(), OpKind::Commit);
    }
    if c.eat(&["ROLLBACK"]) || c.eat(&["ABORT"]) {
        // `ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] s` stays in the transaction.
        let mut probe = c.clone();
        probe.eat(&["WORK"]);
        probe.eat(&["TRANSACTION"]);
        if probe.at_word("TO") {
            let what = "ROLLBACK TO SAVEPOINT".into();
            return (Vec::new(), OpKind::Other { what });
        }
        return (Vec::new(), OpKind::Rollback);
    }
    if c.eat(&["SET"]) {
        return (Vec::new(), set(c));
    }
    if c.eat(&["RESET"]) {
        let name = c.ident().unwrap_or_default();
        return (
            Vec::new(),
            OpKind::Set {
                name,
                value: None,
                local: false,
            },
        );
    }
    let what = c.bump().unwrap_or_default().to_uppercase();
    (Vec::new(), OpKind::Other { what })
}

/// `ALTER INDEX [IF EXISTS] i RENAME TO to`: the index and its new name.
fn rename_index(mut c: Cursor<'_>) -> Option<(Option<Name>, String)> {
    if !c.eat(&["ALTER", "INDEX"]) {
        return None;
    }
    c.eat(&["IF", "EXISTS"]);
    let index = c.name();
    c.eat(&["RENAME", "TO"])
        .then(|| (index, c.ident().unwrap_or_default()))
}

/// `INSERT INTO t`, `UPDATE [ONLY] t`, `DELETE FROM [ONLY] t`, also after a
/// leading `WITH` (the keyset-batch form): the target and its filters.
fn dml(c: Cursor<'_>) -> Option<(Option<Name>, OpKind)> {
    // A `LIMIT` (keyset loop) or a `BETWEEN` key range bounds one batch.
    let batched = c.contains(&["LIMIT"]) || c.contains(&["BETWEEN"]);
    let mut main = c.clone();
    if main.at_word("WITH") {
        // The main statement is the first of these outside the parenthesized
        // CTE bodies; a `WITH ... SELECT ... FOR UPDATE` changes no data.
        main = main.after_top_level(&[
            "SELECT", "VALUES", "TABLE", "MERGE", "INSERT", "UPDATE", "DELETE",
        ])?;
    }
    let kind = if main.eat(&["INSERT", "INTO"]) {
        DmlKind::Insert
    } else if main.eat(&["UPDATE"]) {
        DmlKind::Update
    } else if main.eat(&["DELETE", "FROM"]) {
        DmlKind::Delete
    } else {
        return None;
    };
    main.eat(&["ONLY"]);
    let table = main.name();
    let filtered = match kind {
        DmlKind::Insert => inserts_from_query(main),
        DmlKind::Update | DmlKind::Delete => main.contains_top_level(&["WHERE"]),
    };
    let kind = OpKind::Dml {
        kind,
        filtered,
        batched,
    };
    Some((table, kind))
}

/// After `INSERT INTO t`: `[AS alias] [(columns)] [OVERRIDING ... VALUE]` and
/// whether the rows come from a query (`SELECT`, `TABLE`, `WITH`, possibly
/// parenthesized) rather than from `VALUES` or `DEFAULT VALUES`.
fn inserts_from_query(mut c: Cursor<'_>) -> bool {
    let starts_query =
        |c: &Cursor<'_>| c.at_word("SELECT") || c.at_word("WITH") || c.at_word("TABLE");
    if c.eat(&["AS"]) {
        c.ident();
    }
    let mut inside = c.clone();
    if inside.eat_punct("(") && !starts_query(&inside) && !inside.at_word("VALUES") {
        skip_parenthesized(&mut c);
    }
    if c.eat(&["OVERRIDING"]) {
        c.bump();
        c.eat(&["VALUE"]);
    }
    while c.eat_punct("(") {}
    starts_query(&c)
}

/// `[ONLY] name [*] [(columns)]`, comma-separated: the relations of `TRUNCATE`,
/// `LOCK` and `VACUUM`.
fn relations(c: &mut Cursor<'_>) -> Vec<Name> {
    let mut names = Vec::new();
    loop {
        c.eat(&["ONLY"]);
        let Some(name) = c.name() else { break };
        names.push(name);
        c.eat_symbol("*");
        skip_parenthesized(c);
        if !c.eat_punct(",") {
            break;
        }
    }
    names
}

fn set(mut c: Cursor<'_>) -> OpKind {
    let local = c.eat(&["LOCAL"]);
    c.eat(&["SESSION"]);
    let name = c.ident().unwrap_or_default();
    if !c.eat(&["TO"]) {
        c.bump();
    }
    let value = c.rest_text();
    let value = (!value.eq_ignore_ascii_case("default")).then(|| value.to_string());
    OpKind::Set { name, value, local }
}

/// `SELECT set_config('lock_timeout', '2s', false), ...`: each call with
/// literal arguments changes a setting as `SET` does (`SET LOCAL` when the
/// third argument is true), underlining the call.
fn set_config_calls(mut c: Cursor<'_>) -> Vec<Op> {
    if !c.eat(&["SELECT"]) {
        return Vec::new();
    }
    c.clone()
        .comma_separated_spans()
        .into_iter()
        .filter_map(|span| {
            let kind = set_config(c.within(span.clone()))?;
            Some(Op {
                span,
                table: None,
                kind,
                parsed: false,
                columns: Vec::new(),
            })
        })
        .collect()
}

/// `[pg_catalog.]set_config('name', 'value', true | false)` exactly.
fn set_config(mut c: Cursor<'_>) -> Option<OpKind> {
    if c.eat(&["PG_CATALOG"]) && !c.eat_punct(".") {
        return None;
    }
    if !(c.eat(&["SET_CONFIG"]) && c.eat_punct("(")) {
        return None;
    }
    let name = string_literal(c.string()?).to_ascii_lowercase();
    c.eat_punct(",").then_some(())?;
    let value = c.string()?.to_string();
    c.eat_punct(",").then_some(())?;
    let local = if c.eat(&["TRUE"]) {
        true
    } else if c.eat(&["FALSE"]) {
        false
    } else {
        return None;
    };
    (c.eat_punct(")") && c.at_end()).then_some(OpKind::Set {
        name,
        value: Some(value),
        local,
    })
}

/// `LOCK t IN <mode> MODE`; without `IN`, PostgreSQL takes ACCESS EXCLUSIVE.
fn explicit_lock_mode(c: &Cursor<'_>) -> LockMode {
    const MODES: [(&[&str], LockMode); 8] = [
        (&["ACCESS", "SHARE"], LockMode::AccessShare),
        (&["ROW", "SHARE"], LockMode::RowShare),
        (&["ROW", "EXCLUSIVE"], LockMode::RowExclusive),
        (
            &["SHARE", "UPDATE", "EXCLUSIVE"],
            LockMode::ShareUpdateExclusive,
        ),
        (&["SHARE", "ROW", "EXCLUSIVE"], LockMode::ShareRowExclusive),
        (&["ACCESS", "EXCLUSIVE"], LockMode::AccessExclusive),
        (&["SHARE"], LockMode::Share),
        (&["EXCLUSIVE"], LockMode::Exclusive),
    ];
    let mut c = c.clone();
    if !c.eat(&["IN"]) {
        return LockMode::AccessExclusive;
    }
    MODES
        .iter()
        .find(|(words, _)| c.clone().eat(words))
        .map_or(LockMode::AccessExclusive, |(_, mode)| *mode)
}

/// `'it''s'` → `it's`; anything else (unterminated) without its quotes.
fn string_literal(raw: &str) -> String {
    match raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Some(inner) => inner.replace("''", "'"),
        None => raw.trim_matches('\'').to_string(),
    }
}

fn skip_parenthesized(c: &mut Cursor<'_>) {
    if c.eat_punct("(") {
        while !c.at_end() && !c.eat_punct(")") {
            c.bump();
        }
    }
}

/// Skips `[IF EXISTS] [ONLY] name [*]` after `ALTER TABLE`, leaving the cursor on
/// the first action. Shared with the sqlparser path, which needs the actions'
/// byte spans that its AST does not keep.
pub fn alter_table_header(c: &mut Cursor<'_>) -> Option<Name> {
    c.eat(&["IF", "EXISTS"]);
    c.eat(&["ONLY"]);
    let name = c.name();
    c.eat_symbol("*");
    name
}

fn alter_table(mut c: Cursor<'_>) -> Vec<Op> {
    let table = alter_table_header(&mut c);
    c.clone()
        .comma_separated_spans()
        .into_iter()
        .map(|span| {
            let action = c.within(span.clone());
            Op {
                span,
                table: table.clone(),
                kind: alter_action(action),
                parsed: false,
                columns: Vec::new(),
            }
        })
        .collect()
}

/// One action of an `ALTER TABLE`. The sqlparser path asks it for what its AST
/// does not keep as written (types, defaults, sub-action names).
pub fn alter_action(mut c: Cursor<'_>) -> OpKind {
    if c.eat(&["ADD"]) {
        return add(c);
    }
    if c.eat(&["ALTER"]) {
        c.eat(&["COLUMN"]);
        let column = c.ident().unwrap_or_default();
        if c.eat(&["SET", "NOT", "NULL"]) {
            return OpKind::SetNotNull { column };
        }
        if c.eat(&["SET", "DATA", "TYPE"]) || c.eat(&["TYPE"]) {
            let data_type = type_text(&c);
            return OpKind::ChangeColumnType { column, data_type };
        }
        if c.eat(&["DROP", "NOT", "NULL"]) {
            return OpKind::DropNotNull { column };
        }
        if c.eat(&["DROP", "DEFAULT"]) {
            return OpKind::DropDefault { column };
        }
        // `DROP NOT NULL`, `SET DEFAULT`, `SET STATISTICS`...: named by what
        // follows the column, never mistaken for the table-level `DROP` below.
        return unclassified_action(c.rest_text(), None);
    }
    if c.eat(&["DROP", "CONSTRAINT"]) {
        c.eat(&["IF", "EXISTS"]);
        let name = c.ident().unwrap_or_default();
        return OpKind::DropConstraint {
            name,
            foreign_key: false,
        };
    }
    if c.eat(&["RENAME", "TO"]) {
        let to = c.ident().unwrap_or_default();
        return OpKind::RenameTable { to };
    }
    for what in [
        &["SET", "TABLESPACE"][..],
        &["SET", "LOGGED"],
        &["SET", "UNLOGGED"],
    ] {
        if c.clone().eat(what) {
            return OpKind::MoveTable {
                what: what.join(" "),
            };
        }
    }
    if c.eat(&["DROP"]) {
        c.eat(&["COLUMN"]);
        let if_exists = c.eat(&["IF", "EXISTS"]);
        let column = c.ident().unwrap_or_default();
        return OpKind::DropColumn { column, if_exists };
    }
    if c.eat(&["ATTACH", "PARTITION"]) {
        if let Some(partition) = c.name() {
            return OpKind::AttachPartition { partition };
        }
        return unclassified_action(c.rest_text(), Some("ATTACH PARTITION"));
    }
    if c.eat(&["DETACH", "PARTITION"]) {
        // `FINALIZE` completes an interrupted `DETACH ... CONCURRENTLY` and
        // takes its SHARE UPDATE EXCLUSIVE lock.
        let concurrently = c.contains(&["CONCURRENTLY"]) || c.contains(&["FINALIZE"]);
        return OpKind::DetachPartition { concurrently };
    }
    if c.eat(&["RENAME", "CONSTRAINT"]) {
        c.ident();
        c.eat(&["TO"]);
        return match c.ident() {
            Some(to) => OpKind::RenameConstraint { to },
            None => unclassified_action(c.rest_text(), Some("RENAME CONSTRAINT")),
        };
    }
    if c.eat(&["RENAME", "COLUMN"]) || (c.clone().eat(&["RENAME"]) && !renames_other(&c)) {
        c.eat(&["RENAME"]);
        let from = c.ident().unwrap_or_default();
        c.eat(&["TO"]);
        if let Some(to) = c.ident().filter(|_| !from.is_empty()) {
            return OpKind::RenameColumn { from, to };
        }
        // Half-typed: `ALTER TABLE t RENAME` says nothing yet.
        return unclassified_action(c.rest_text(), Some("RENAME"));
    }
    if c.eat(&["VALIDATE", "CONSTRAINT"]) {
        let name = c.ident().unwrap_or_default();
        return OpKind::ValidateConstraint { name };
    }
    unclassified_action(c.rest_text(), None)
}

/// `RENAME TO` and `RENAME CONSTRAINT` rename something other than a column.
fn renames_other(c: &Cursor<'_>) -> bool {
    let mut probe = c.clone();
    probe.eat(&["RENAME"]);
    probe.at_word("TO") || probe.at_word("CONSTRAINT")
}

fn add(mut c: Cursor<'_>) -> OpKind {
    let constraint_name = c.eat(&["CONSTRAINT"]).then(|| c.ident()).flatten();
    let not_valid = c.contains(&["NOT", "VALID"]);
    let kind = if c.eat(&["CHECK"]) {
        Some(ConstraintKind::Check {
            not_null_columns: not_null_check(c.clone()),
        })
    } else if c.eat(&["FOREIGN", "KEY"]) {
        let mut refs = c.clone();
        while !refs.at_end() && !refs.eat(&["REFERENCES"]) {
            refs.bump();
        }
        refs.name()
            .map(|references| ConstraintKind::ForeignKey { references })
    } else if c.eat(&["UNIQUE"]) {
        // Right after the keyword: `UNIQUE (a) USING INDEX TABLESPACE s` builds
        // a new index.
        Some(ConstraintKind::Unique {
            using_index: c.eat(&["USING", "INDEX"]),
        })
    } else if c.eat(&["PRIMARY", "KEY"]) {
        Some(ConstraintKind::PrimaryKey {
            using_index: c
                .eat(&["USING", "INDEX"])
                .then(|| c.ident().unwrap_or_default()),
        })
    } else if c.eat(&["EXCLUDE"]) {
        Some(ConstraintKind::Exclusion)
    } else if c.eat(&["NOT", "NULL"]) {
        c.ident().map(|column| ConstraintKind::NotNull { column })
    } else {
        None
    };
    match kind {
        Some(kind) => OpKind::AddConstraint {
            name: constraint_name,
            kind,
            not_valid,
        },
        None => add_column(c),
    }
}

fn add_column(mut c: Cursor<'_>) -> OpKind {
    c.eat(&["COLUMN"]);
    let if_not_exists = c.eat(&["IF", "NOT", "EXISTS"]);
    let column = c.ident().unwrap_or_default();
    let data_type = type_text(&c);
    let auto_filled = is_serial(&data_type)
        || c.contains_top_level(&["GENERATED"])
        || c.contains_top_level(&["IDENTITY"]);
    let default = default_text(&c);
    let auto_increment = is_serial(&data_type) || c.contains_top_level(&["IDENTITY"]);
    let stored_generated =
        c.contains_top_level(&["GENERATED", "ALWAYS", "AS"]) && c.contains_top_level(&["STORED"]);
    let inline_constraint = [
        ("CHECK", "CHECK"),
        ("UNIQUE", "UNIQUE"),
        ("PRIMARY", "PRIMARY KEY"),
    ]
    .into_iter()
    .find(|(word, _)| c.contains_top_level(&[word]))
    .map(|(_, name)| name);
    OpKind::AddColumn(AddColumn {
        if_not_exists,
        column,
        data_type,
        not_null: declared_not_null(&c),
        default,
        auto_filled,
        auto_increment,
        stored_generated,
        inline_constraint,
        key: declared_key(&c),
    })
}

fn type_text(c: &Cursor<'_>) -> String {
    c.text_until(&COLUMN_CLAUSES).to_string()
}

/// The `DEFAULT` clause's expression; `GENERATED BY DEFAULT AS IDENTITY` is not one.
fn default_text(c: &Cursor<'_>) -> Option<String> {
    let mut probe = c.clone();
    let mut depth = 0usize;
    while !probe.at_end() {
        if depth == 0 && probe.eat(&["BY", "DEFAULT"]) {
            continue;
        }
        if depth == 0 && probe.eat(&["DEFAULT"]) {
            return Some(probe.text_until(&COLUMN_CLAUSES).to_string());
        }
        if probe.eat_punct("(") {
            depth += 1;
        } else if probe.eat_punct(")") {
            depth = depth.saturating_sub(1);
        } else {
            probe.bump();
        }
    }
    None
}

/// The columns `CHECK (...) [NOT VALID] [NO INHERIT]` proves non-null.
fn not_null_check(mut c: Cursor<'_>) -> Vec<String> {
    let Some(expression) = c.eat_parenthesized() else {
        return Vec::new();
    };
    while c.eat(&["NOT", "VALID"]) || c.eat(&["NO", "INHERIT"]) {}
    if !c.at_end() {
        return Vec::new();
    }
    proven_not_null(c.within(expression))
}

/// The columns a boolean expression proves non-null: it is `col IS NOT NULL`,
/// or a conjunction with such terms; a disjunction proves nothing.
fn proven_not_null(expression: Cursor<'_>) -> Vec<String> {
    // Each unwrapped parenthesis rescans what it encloses: hostile nesting
    // must cost neither the stack nor quadratic time, so it proves nothing
    // past a depth no one writes by hand.
    const MAX_DEPTH: usize = 32;
    let mut columns = Vec::new();
    // Terms still to read, last one first, with how deep in parentheses.
    let mut terms = vec![(expression, 0)];
    while let Some((c, depth)) = terms.pop() {
        let Some(conjuncts) = c.clone().conjunct_spans() else {
            continue;
        };
        if conjuncts.len() > 1 {
            terms.extend(conjuncts.into_iter().rev().map(|s| (c.within(s), depth)));
            continue;
        }
        let mut term = c.clone();
        if let Some(inner) = term.eat_parenthesized()
            && term.at_end()
        {
            if depth < MAX_DEPTH {
                terms.push((c.within(inner), depth + 1));
            }
            continue;
        }
        let mut term = c;
        if let Some(column) = term.ident()
            && term.eat(&["IS", "NOT", "NULL"])
            && term.at_end()
        {
            columns.push(column);
        }
    }
    columns
}

pub fn is_serial(data_type: &str) -> bool {
    matches!(
        data_type.to_ascii_lowercase().as_str(),
        "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
    )
}

/// An `ALTER TABLE` action no rule looks into: named by `what` or by its
/// leading keywords, with the lock it takes.
pub fn unclassified_action(text: &str, what: Option<&str>) -> OpKind {
    OpKind::AlterTableOther {
        lock: alter_action_lock(text),
        what: what.map_or_else(|| leading_words(text), str::to_string),
    }
}

/// Up to two leading keywords: `SET STATISTICS`, `SET` for `SET (fillfactor=70)`.
fn leading_words(text: &str) -> String {
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|word| word.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .take(4)
        .collect();
    // `ENABLE ROW LEVEL SECURITY` needs all four words to mean anything.
    let count = if words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("ROW")) {
        4
    } else {
        2
    };
    words[..count.min(words.len())]
        .join(" ")
        .to_ascii_uppercase()
}

/// The lock an `ALTER TABLE` action takes (PostgreSQL 15, measured); everything
/// not listed takes ACCESS EXCLUSIVE.
fn alter_action_lock(action: &str) -> LockMode {
    let upper = action.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|ch: char| ch.is_whitespace() || ch == '(')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |seq: &[&str]| words.windows(seq.len()).any(|w| w == seq);
    let sets_storage_parameters = ["SET", "RESET"].iter().any(|kw| {
        upper
            .trim_start()
            .strip_prefix(kw)
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    });
    if has(&["SET", "STATISTICS"])
        || sets_storage_parameters
        // Measured: SHARE UPDATE EXCLUSIVE on the parent since PostgreSQL 12.
        || has(&["ATTACH", "PARTITION"])
        || has(&["CLUSTER", "ON"])
        || has(&["SET", "WITHOUT", "CLUSTER"])
        || has(&["VALIDATE", "CONSTRAINT"])
    {
        LockMode::ShareUpdateExclusive
    } else if has(&["ENABLE", "TRIGGER"])
        || has(&["DISABLE", "TRIGGER"])
        || has(&["FOREIGN", "KEY"])
    {
        LockMode::ShareRowExclusive
    } else {
        LockMode::AccessExclusive
    }
}

/// The columns an index, a foreign key (its referencing columns) or a unique
/// or primary key constraint names, from the operation's tokens.
pub fn named_columns(mut c: Cursor<'_>, kind: &OpKind) -> Vec<String> {
    let list = match kind {
        OpKind::CreateIndex { .. } => c.after_top_level(&["ON"]).and_then(|after_on| {
            let mut after_on = after_on;
            after_on.eat(&["ON"]);
            after_on.eat(&["ONLY"]);
            after_on.name();
            after_on.parenthesized_span()
        }),
        OpKind::AddConstraint {
            kind: ConstraintKind::ForeignKey { .. },
            ..
        } => {
            while !c.at_end() && !c.eat(&["FOREIGN", "KEY"]) {
                c.bump();
            }
            c.parenthesized_span()
        }
        // `USING INDEX i` names no columns: the index has them.
        OpKind::AddConstraint {
            kind: ConstraintKind::Unique { using_index: false },
            ..
        }
        | OpKind::AddConstraint {
            kind: ConstraintKind::PrimaryKey { using_index: None },
            ..
        } => {
            while !c.at_end() && !c.eat(&["UNIQUE"]) && !c.eat(&["PRIMARY", "KEY"]) {
                c.bump();
            }
            // PostgreSQL 15's `UNIQUE NULLS [NOT] DISTINCT (...)`.
            let _ = c.eat(&["NULLS", "NOT", "DISTINCT"]) || c.eat(&["NULLS", "DISTINCT"]);
            c.eat_parenthesized()
        }
        _ => None,
    };
    list.map_or_else(Vec::new, |list| column_list(&c, list))
}

/// The columns of a parenthesized list such as an index's: each folded, or
/// an expression such as `lower(email)` as written.
fn column_list(c: &Cursor<'_>, list: std::ops::Range<usize>) -> Vec<String> {
    c.within(list)
        .comma_separated_spans()
        .into_iter()
        .map(|piece| {
            let mut column = c.within(piece.clone());
            let whole = column.rest_text();
            match column.ident() {
                // `a`, `a DESC`, `a text_pattern_ops`: the column itself.
                Some(name) if !whole.contains('(') => name,
                // An expression such as `lower(email)` stays as written.
                _ => whole.to_string(),
            }
        })
        .collect()
}
