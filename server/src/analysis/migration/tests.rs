//! Lowering, statement by statement, and the context a migration gives each
//! operation. Every expectation is spelled out: the kind, the relation (folded
//! as PostgreSQL folds it), which path produced it (`parsed`: sqlparser's AST,
//! or the token fallback) and the exact text underlined.

use std::path::Path;

use super::ops::{ColumnDef, DmlKind, Maintenance};
use super::*;
use crate::analysis::runner::{self, ProjectFacts, RunnerFacts};
use crate::syntax::sql::SqlFile;

use LockMode::*;

/// The one statement of `sql` and its operations.
fn lower(sql: &str) -> (String, Vec<Op>) {
    let file = SqlFile::parse(sql);
    let [statement] = file.statements() else {
        panic!("expected one statement in {sql:?}");
    };
    let ops = lower_statement(&statement.parsed);
    (statement.parsed.text.to_string(), ops)
}

/// The operations of `sql`'s one statement as the token fallback lowers it,
/// whether or not sqlparser accepts it.
fn lower_tokens(sql: &str) -> Vec<Op> {
    let file = SqlFile::parse(sql);
    let [statement] = file.statements() else {
        panic!("expected one statement in {sql:?}");
    };
    let parsed = &statement.parsed;
    from_tokens::lower(
        cursor::Cursor::new(&parsed.text, &parsed.tokens),
        &parsed.text,
    )
}

/// An operation as the tests spell it: kind, table, parsed, underlined text.
type Expected<'a> = (OpKind, Option<Name>, bool, &'a str);

#[track_caller]
fn check(sql: &str, expected: &[Expected<'_>]) {
    let (text, ops) = lower(sql);
    check_ops(sql, &text, &ops, expected);
}

#[track_caller]
fn check_ops(sql: &str, text: &str, ops: &[Op], expected: &[Expected<'_>]) {
    let actual: Vec<(OpKind, Option<Name>, bool, &str)> = ops
        .iter()
        .map(|op| {
            assert!(
                text.is_char_boundary(op.span.start) && text.is_char_boundary(op.span.end),
                "{sql}: span {:?} splits a character",
                op.span
            );
            (
                op.kind.clone(),
                op.table.clone(),
                op.parsed,
                &text[op.span.clone()],
            )
        })
        .collect();
    assert_eq!(actual, expected, "{sql}");
}

/// The single operation of `sql`.
#[track_caller]
fn only_op(sql: &str) -> Op {
    let (_, mut ops) = lower(sql);
    assert_eq!(ops.len(), 1, "{sql}: {ops:?}");
    ops.remove(0)
}

fn t(name: &str) -> Option<Name> {
    Some(Name::new(None, name))
}

fn st(schema: &str, name: &str) -> Option<Name> {
    Some(Name::new(Some(schema.into()), name))
}

fn create_index(
    name: Option<&str>,
    unique: bool,
    concurrently: bool,
    if_not_exists: bool,
) -> OpKind {
    OpKind::CreateIndex {
        name: name.map(str::to_string),
        unique,
        concurrently,
        if_not_exists,
        on_only: false,
    }
}

fn add_column(
    column: &str,
    data_type: &str,
    not_null: bool,
    default: Option<&str>,
    auto_filled: bool,
) -> OpKind {
    OpKind::AddColumn(AddColumn {
        if_not_exists: false,
        column: column.into(),
        data_type: data_type.into(),
        not_null,
        default: default.map(str::to_string),
        auto_filled,
        auto_increment: false,
        stored_generated: false,
        inline_constraint: None,
        key: false,
    })
}

/// `kind`, an `AddColumn`, with its keyword facts changed by `change`.
fn with_facts(mut kind: OpKind, change: impl FnOnce(&mut AddColumn)) -> OpKind {
    if let OpKind::AddColumn(column) = &mut kind {
        change(column);
    }
    kind
}

fn constraint(name: Option<&str>, kind: ConstraintKind, not_valid: bool) -> OpKind {
    OpKind::AddConstraint {
        name: name.map(str::to_string),
        kind,
        not_valid,
    }
}

fn check_kind(not_null_columns: &[&str]) -> ConstraintKind {
    ConstraintKind::Check {
        not_null_columns: not_null_columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn other_action(what: &str, lock: LockMode) -> OpKind {
    OpKind::AlterTableOther {
        what: what.into(),
        lock,
    }
}

/// `CREATE TABLE ... (id int)`, the shape most cases use.
fn create_table(if_not_exists: bool) -> OpKind {
    OpKind::CreateTable {
        if_not_exists,
        columns: vec![ColumnDef {
            name: "id".into(),
            data_type: "int".into(),
            key: false,
            not_null: false,
        }],
        partitioned: false,
        references: Vec::new(),
        constraints: Vec::new(),
    }
}

/// `CREATE TABLE ... (LIKE u ...)`: no columns of its own.
fn create_table_like(if_not_exists: bool) -> OpKind {
    OpKind::CreateTable {
        if_not_exists,
        columns: Vec::new(),
        partitioned: false,
        references: Vec::new(),
        constraints: Vec::new(),
    }
}

fn drop_table(if_exists: bool) -> OpKind {
    OpKind::DropTable { if_exists }
}

fn drop_column(column: &str, if_exists: bool) -> OpKind {
    OpKind::DropColumn {
        column: column.into(),
        if_exists,
    }
}

/// `AddColumn` with `IF NOT EXISTS`.
fn if_not_exists(kind: OpKind) -> OpKind {
    match kind {
        OpKind::AddColumn(column) => OpKind::AddColumn(AddColumn {
            if_not_exists: true,
            ..column
        }),
        other => panic!("not an added column: {other:?}"),
    }
}

fn dml(kind: DmlKind, filtered: bool, batched: bool) -> OpKind {
    OpKind::Dml {
        kind,
        filtered,
        batched,
    }
}

fn set(name: &str, value: Option<&str>, local: bool) -> OpKind {
    OpKind::Set {
        name: name.into(),
        value: value.map(str::to_string),
        local,
    }
}

fn other(what: &str) -> OpKind {
    OpKind::Other { what: what.into() }
}

// ---------------------------------------------------------------- indexes

#[test]
fn create_index_variants() {
    check(
        "CREATE INDEX i ON t (a);",
        &[(
            create_index(Some("i"), false, false, false),
            t("t"),
            true,
            "CREATE INDEX i ON t (a)",
        )],
    );
    check(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS I ON S.T (a);",
        &[(
            create_index(Some("i"), true, true, true),
            st("s", "t"),
            true,
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS I ON S.T (a)",
        )],
    );
    check(
        "CREATE INDEX \"Ix\" ON \"My\".\"Tbl\" (a);",
        &[(
            create_index(Some("Ix"), false, false, false),
            st("My", "Tbl"),
            true,
            "CREATE INDEX \"Ix\" ON \"My\".\"Tbl\" (a)",
        )],
    );
    check(
        "create index on t(a)",
        &[(
            create_index(None, false, false, false),
            t("t"),
            true,
            "create index on t(a)",
        )],
    );
}

#[test]
fn create_index_outside_sqlparser_takes_the_token_path() {
    check(
        "CREATE INDEX i ON t (a) TABLESPACE x;",
        &[(
            create_index(Some("i"), false, false, false),
            t("t"),
            false,
            "CREATE INDEX i ON t (a) TABLESPACE x",
        )],
    );
    check(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Ix\" ON \"S\".t (a) TABLESPACE x;",
        &[(
            create_index(Some("Ix"), true, true, true),
            st("S", "t"),
            false,
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Ix\" ON \"S\".t (a) TABLESPACE x",
        )],
    );
    check(
        "CREATE INDEX CONCURRENTLY ON t (a) TABLESPACE x;",
        &[(
            create_index(None, false, true, false),
            t("t"),
            false,
            "CREATE INDEX CONCURRENTLY ON t (a) TABLESPACE x",
        )],
    );
    check(
        "CREATE INDEX i ON ONLY t (a);",
        &[(
            OpKind::CreateIndex {
                name: Some("i".into()),
                unique: false,
                concurrently: false,
                if_not_exists: false,
                on_only: true,
            },
            t("t"),
            false,
            "CREATE INDEX i ON ONLY t (a)",
        )],
    );
}

#[test]
fn drop_index() {
    check(
        "DROP INDEX i;",
        &[(
            OpKind::DropIndex {
                names: vec![Name::new(None, "i")],
                concurrently: false,
                if_exists: false,
            },
            None,
            true,
            "DROP INDEX i",
        )],
    );
    check(
        "DROP INDEX IF EXISTS \"I\" CASCADE;",
        &[(
            OpKind::DropIndex {
                names: vec![Name::new(None, "I")],
                concurrently: false,
                if_exists: true,
            },
            None,
            true,
            "DROP INDEX IF EXISTS \"I\" CASCADE",
        )],
    );
    check(
        "DROP INDEX CONCURRENTLY IF EXISTS S.i, j;",
        &[(
            OpKind::DropIndex {
                names: vec![Name::new(Some("s".into()), "i"), Name::new(None, "j")],
                concurrently: true,
                if_exists: true,
            },
            None,
            false,
            "DROP INDEX CONCURRENTLY IF EXISTS S.i, j",
        )],
    );
}

/// `IF [NOT] EXISTS` on statements, from sqlparser's AST and from the tokens
/// alike.
#[test]
fn statement_existence_flags_on_both_paths() {
    let drop_index = |names: Vec<Name>, concurrently: bool, if_exists: bool| OpKind::DropIndex {
        names,
        concurrently,
        if_exists,
    };
    let cases = [
        (
            "CREATE TABLE t (id int)",
            vec![(create_table(false), t("t"))],
        ),
        (
            "CREATE TABLE IF NOT EXISTS s.t (id int)",
            vec![(create_table(true), st("s", "t"))],
        ),
        (
            "CREATE INDEX i ON t (a)",
            vec![(create_index(Some("i"), false, false, false), t("t"))],
        ),
        (
            "CREATE INDEX IF NOT EXISTS i ON t (a)",
            vec![(create_index(Some("i"), false, false, true), t("t"))],
        ),
        (
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a)",
            vec![(create_index(Some("i"), true, false, true), t("t"))],
        ),
        (
            "DROP INDEX i",
            vec![(drop_index(vec![Name::new(None, "i")], false, false), None)],
        ),
        (
            "DROP INDEX IF EXISTS i, s.j",
            vec![(
                drop_index(
                    vec![Name::new(None, "i"), Name::new(Some("s".into()), "j")],
                    false,
                    true,
                ),
                None,
            )],
        ),
        ("DROP TABLE t", vec![(drop_table(false), t("t"))]),
        (
            "DROP TABLE IF EXISTS t, s.u CASCADE",
            vec![(drop_table(true), t("t")), (drop_table(true), st("s", "u"))],
        ),
    ];
    for (sql, ops) in cases {
        let expected = |parsed: bool| -> Vec<Expected<'_>> {
            ops.iter()
                .map(|(kind, table)| (kind.clone(), table.clone(), parsed, sql))
                .collect()
        };
        check(sql, &expected(true));
        check_ops(sql, sql, &lower_tokens(sql), &expected(false));
    }
    // Only the token path reads `DROP INDEX CONCURRENTLY` and index options
    // sqlparser does not know.
    check(
        "DROP INDEX CONCURRENTLY i",
        &[(
            drop_index(vec![Name::new(None, "i")], true, false),
            None,
            false,
            "DROP INDEX CONCURRENTLY i",
        )],
    );
    check(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) TABLESPACE x",
        &[(
            create_index(Some("i"), false, true, true),
            t("t"),
            false,
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) TABLESPACE x",
        )],
    );
    check(
        "CREATE TABLE IF NOT EXISTS t (LIKE u INCLUDING ALL)",
        &[(
            create_table_like(true),
            t("t"),
            false,
            "CREATE TABLE IF NOT EXISTS t (LIKE u INCLUDING ALL)",
        )],
    );
}

// ---------------------------------------------------------------- tables

#[test]
fn drop_table_is_one_operation_per_table() {
    check(
        "DROP TABLE a, b;",
        &[
            (drop_table(false), t("a"), true, "DROP TABLE a, b"),
            (drop_table(false), t("b"), true, "DROP TABLE a, b"),
        ],
    );
    check(
        "DROP TABLE IF EXISTS \"A\", s.b CASCADE",
        &[
            (
                drop_table(true),
                t("A"),
                true,
                "DROP TABLE IF EXISTS \"A\", s.b CASCADE",
            ),
            (
                drop_table(true),
                st("s", "b"),
                true,
                "DROP TABLE IF EXISTS \"A\", s.b CASCADE",
            ),
        ],
    );
}

#[test]
fn index_and_foreign_key_columns() {
    let columns = |sql: &str| {
        let (_, ops) = lower(sql);
        ops.into_iter().map(|op| op.columns).collect::<Vec<_>>()
    };
    assert_eq!(
        columns("CREATE INDEX i ON s.t (a, \"B\" DESC, lower(c), d text_pattern_ops);"),
        [vec!["a", "B", "lower(c)", "d"]]
    );
    assert_eq!(
        columns("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY t USING btree (a) WHERE a > 0;"),
        [vec!["a"]]
    );
    assert_eq!(
        columns(
            "ALTER TABLE t ADD COLUMN x int, ADD CONSTRAINT f FOREIGN KEY (a, b) REFERENCES p (x, y);"
        ),
        [vec![], vec!["a".to_string(), "b".to_string()]]
    );
    assert!(columns("DROP TABLE t;")[0].is_empty());
}

/// A unique or primary key constraint's own column list, not its `INCLUDE`
/// list; `USING INDEX` names none.
#[test]
fn unique_and_primary_key_columns() {
    let columns = |sql: &str| {
        let (_, ops) = lower(sql);
        ops.into_iter().map(|op| op.columns).collect::<Vec<_>>()
    };
    assert_eq!(
        columns(
            "ALTER TABLE t ADD CONSTRAINT k UNIQUE NULLS NOT DISTINCT (a, \"B\") INCLUDE (c), ADD PRIMARY KEY (\"Id\") DEFERRABLE;"
        ),
        [vec!["a", "B"], vec!["Id"]]
    );
    assert_eq!(
        columns("ALTER TABLE t ADD UNIQUE NULLS DISTINCT (a);"),
        [vec!["a"]]
    );
    assert_eq!(
        columns("ALTER TABLE t ADD CONSTRAINT unique_a UNIQUE (a);"),
        [vec!["a"]]
    );
    assert!(columns("ALTER TABLE t ADD CONSTRAINT k UNIQUE USING INDEX k;")[0].is_empty());
    assert!(columns("ALTER TABLE t ADD PRIMARY KEY USING INDEX k;")[0].is_empty());
}

#[test]
fn create_table_columns_and_partitioning() {
    let sql = "CREATE TABLE \"Events\" (id bigserial PRIMARY KEY, user_id int REFERENCES users (id), payload json, at timestamp(3) NOT NULL DEFAULT now(), CONSTRAINT events_at CHECK (at > '2020-01-01'), UNIQUE (user_id, at)) PARTITION BY RANGE (at)";
    for op in [only_op(sql), lower_tokens(sql).remove(0)] {
        let OpKind::CreateTable {
            columns,
            partitioned,
            if_not_exists,
            references,
            constraints,
        } = &op.kind
        else {
            panic!("{sql}: {op:?}");
        };
        let seen: Vec<(&str, &str, bool, bool)> = columns
            .iter()
            .map(|c| (c.name.as_str(), c.data_type.as_str(), c.key, c.not_null))
            .collect();
        assert_eq!(
            seen,
            [
                ("id", "bigserial", true, true),
                ("user_id", "int", true, false),
                ("payload", "json", false, false),
                ("at", "timestamp(3)", false, true),
            ]
        );
        assert!(*partitioned && !*if_not_exists);
        assert_eq!(references, &[Name::new(None, "users")]);
        assert_eq!(constraints, &["events_at"]);
    }
}

/// Table constraints make their columns keys (and the primary key's NOT
/// NULL); every `CONSTRAINT name` is a name the migration gives.
#[test]
fn create_table_constraints_name_and_key_columns() {
    let sql = "CREATE TABLE t (
        id int CONSTRAINT t_id_positive CHECK (id > 0),
        tenant_id integer,
        \"User_Id\" int4 NOT NULL,
        note text CONSTRAINT t_note_nn NOT NULL CONSTRAINT t_note_check CHECK (note <> ''),
        CONSTRAINT T_Pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT t_user_fk FOREIGN KEY (\"User_Id\") REFERENCES users (id),
        UNIQUE (note)
    )";
    for op in [only_op(sql), lower_tokens(sql).remove(0)] {
        let OpKind::CreateTable {
            columns,
            constraints,
            references,
            ..
        } = &op.kind
        else {
            panic!("{sql}: {op:?}");
        };
        let seen: Vec<(&str, bool, bool)> = columns
            .iter()
            .map(|c| (c.name.as_str(), c.key, c.not_null))
            .collect();
        assert_eq!(
            seen,
            [
                ("id", true, true),
                ("tenant_id", true, true),
                ("User_Id", true, true),
                ("note", false, true),
            ]
        );
        assert_eq!(
            constraints,
            &[
                "t_id_positive",
                "t_note_nn",
                "t_note_check",
                "t_pkey",
                "t_user_fk"
            ]
        );
        assert_eq!(references, &[Name::new(None, "users")]);
    }
}

#[test]
fn create_table_variants() {
    check(
        "CREATE TABLE t (id int);",
        &[(create_table(false), t("t"), true, "CREATE TABLE t (id int)")],
    );
    check(
        "CREATE TABLE IF NOT EXISTS S.T (id int);",
        &[(
            create_table(true),
            st("s", "t"),
            true,
            "CREATE TABLE IF NOT EXISTS S.T (id int)",
        )],
    );
    check(
        "CREATE UNLOGGED TABLE t (id int);",
        &[(
            create_table(false),
            t("t"),
            true,
            "CREATE UNLOGGED TABLE t (id int)",
        )],
    );
    check(
        "CREATE TEMP TABLE IF NOT EXISTS \"Q\" (id int) ON COMMIT DROP;",
        &[(
            create_table(true),
            t("Q"),
            true,
            "CREATE TEMP TABLE IF NOT EXISTS \"Q\" (id int) ON COMMIT DROP",
        )],
    );
    check(
        "CREATE TABLE t (LIKE u INCLUDING ALL);",
        &[(
            create_table_like(false),
            t("t"),
            false,
            "CREATE TABLE t (LIKE u INCLUDING ALL)",
        )],
    );
}

// ---------------------------------------------------------------- ALTER TABLE

#[test]
fn each_alter_table_action_underlines_its_own_text() {
    check(
        "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0, ALTER COLUMN b SET NOT NULL, DROP COLUMN c;",
        &[
            (
                add_column("a", "int", true, Some("0"), false),
                t("t"),
                true,
                "ADD COLUMN a int NOT NULL DEFAULT 0",
            ),
            (
                OpKind::SetNotNull { column: "b".into() },
                t("t"),
                true,
                "ALTER COLUMN b SET NOT NULL",
            ),
            (drop_column("c", false), t("t"), true, "DROP COLUMN c"),
        ],
    );
    // Whitespace, comments and the `;` around actions are never underlined.
    check(
        "ALTER TABLE IF EXISTS ONLY s.t\n  ADD COLUMN a int NOT NULL DEFAULT 0 ,\n  ALTER COLUMN b SET NOT NULL -- why\n;",
        &[
            (
                add_column("a", "int", true, Some("0"), false),
                st("s", "t"),
                true,
                "ADD COLUMN a int NOT NULL DEFAULT 0",
            ),
            (
                OpKind::SetNotNull { column: "b".into() },
                st("s", "t"),
                true,
                "ALTER COLUMN b SET NOT NULL",
            ),
        ],
    );
    // Commas inside parentheses do not split actions.
    check(
        "ALTER TABLE t ADD COLUMN a numeric(10, 2), ADD CONSTRAINT c CHECK (f(a, b) > 0);",
        &[
            (
                add_column("a", "numeric(10, 2)", false, None, false),
                t("t"),
                true,
                "ADD COLUMN a numeric(10, 2)",
            ),
            (
                constraint(Some("c"), check_kind(&[]), false),
                t("t"),
                true,
                "ADD CONSTRAINT c CHECK (f(a, b) > 0)",
            ),
        ],
    );
    // Token path, with multi-byte identifiers.
    check(
        "ALTER TABLE 表 ADD COLUMN é int, ALTER COLUMN \"🚀\" SET STATISTICS 1;",
        &[
            (
                add_column("é", "int", false, None, false),
                t("表"),
                false,
                "ADD COLUMN é int",
            ),
            (
                other_action("SET STATISTICS", ShareUpdateExclusive),
                t("表"),
                false,
                "ALTER COLUMN \"🚀\" SET STATISTICS 1",
            ),
        ],
    );
}

#[test]
fn alter_table_names_fold_like_postgres() {
    let table = |sql: &str| only_op(sql).table;
    assert_eq!(table("ALTER TABLE Users ADD COLUMN a int"), t("users"));
    assert_eq!(table("ALTER TABLE \"Users\" ADD COLUMN a int"), t("Users"));
    assert_eq!(
        table("ALTER TABLE Public.\"Users\" ADD COLUMN a int"),
        st("public", "Users")
    );
    // A database-qualified name keeps schema and table; the action's span
    // starts after the whole name.
    check(
        "ALTER TABLE db.S.t ADD COLUMN a int;",
        &[(
            add_column("a", "int", false, None, false),
            st("s", "t"),
            true,
            "ADD COLUMN a int",
        )],
    );
    // PostgreSQL folds only ASCII letters of unquoted names in UTF-8.
    assert_eq!(table("ALTER TABLE ÉtÉ ADD COLUMN a int"), t("ÉtÉ"));
    let (_, ops) = lower("ALTER TABLE ÉtÉ ADD COLUMN a int, ALTER a SET STATISTICS 1");
    assert!(!ops[0].parsed);
    assert_eq!(ops[0].table, t("ÉtÉ"));
}

#[test]
fn add_column_facts() {
    let cases = [
        (
            "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0",
            add_column("a", "int", true, Some("0"), false),
        ),
        (
            "ALTER TABLE t ADD b text",
            add_column("b", "text", false, None, false),
        ),
        (
            "ALTER TABLE t ADD COLUMN \"A\" varchar(50)",
            add_column("A", "varchar(50)", false, None, false),
        ),
        (
            "ALTER TABLE t ADD COLUMN id serial",
            with_facts(add_column("id", "serial", false, None, true), |c| {
                c.auto_increment = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN id BIGSERIAL",
            with_facts(add_column("id", "BIGSERIAL", false, None, true), |c| {
                c.auto_increment = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY",
            with_facts(add_column("id", "bigint", false, None, true), |c| {
                c.auto_increment = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY",
            with_facts(add_column("id", "bigint", false, None, true), |c| {
                c.auto_increment = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED",
            with_facts(add_column("g", "int", false, None, true), |c| {
                c.stored_generated = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN a int PRIMARY KEY",
            with_facts(add_column("a", "int", true, None, false), |c| {
                c.inline_constraint = Some("PRIMARY KEY");
                c.key = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN a int CHECK (a IS NOT NULL)",
            with_facts(add_column("a", "int", false, None, false), |c| {
                c.inline_constraint = Some("CHECK");
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL",
            with_facts(add_column("a", "int", true, None, false), |c| {
                c.inline_constraint = Some("CHECK");
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN a text UNIQUE",
            with_facts(add_column("a", "text", false, None, false), |c| {
                c.inline_constraint = Some("UNIQUE");
            }),
        ),
        // A foreign key is no inline CHECK, UNIQUE or PRIMARY KEY, but a key.
        (
            "ALTER TABLE t ADD COLUMN u_id int REFERENCES u (id)",
            with_facts(add_column("u_id", "int", false, None, false), |c| {
                c.key = true;
            }),
        ),
        (
            "ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid()",
            add_column("id", "uuid", false, Some("gen_random_uuid()"), false),
        ),
        (
            "ALTER TABLE t ADD COLUMN a int[] NOT NULL DEFAULT '{}'",
            add_column("a", "int[]", true, Some("'{}'"), false),
        ),
        (
            "ALTER TABLE t ADD COLUMN a text DEFAULT 'x'::text NOT NULL",
            add_column("a", "text", true, Some("'x'::text"), false),
        ),
        (
            "ALTER TABLE t ADD COLUMN a timestamp with time zone DEFAULT now()",
            add_column("a", "timestamp with time zone", false, Some("now()"), false),
        ),
        (
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int DEFAULT 0",
            if_not_exists(add_column("a", "int", false, Some("0"), false)),
        ),
    ];
    for (sql, kind) in cases {
        let op = only_op(sql);
        assert_eq!(op.kind, kind, "{sql}");
        assert!(op.parsed, "{sql}");
        assert_eq!(op.lock(), Some(AccessExclusive), "{sql}");
        // The token path reads the same facts.
        let tokens = lower_tokens(sql);
        assert_eq!(tokens.len(), 1, "{sql}: {tokens:?}");
        assert_eq!(tokens[0].kind, kind, "{sql}");
    }
}

/// A default that calls a volatile function gives every row its own value.
#[test]
fn volatile_defaults() {
    let cases = [
        ("uuid DEFAULT gen_random_uuid()", true),
        ("uuid DEFAULT GEN_RANDOM_UUID()", true),
        ("timestamptz DEFAULT clock_timestamp()", true),
        ("bigint DEFAULT nextval('s')", true),
        ("bigint DEFAULT nextval('s'::regclass) NOT NULL", true),
        ("float8 DEFAULT random() * 10", true),
        ("uuid DEFAULT gen_random_uuid ()", true),
        ("uuid DEFAULT public.gen_random_uuid()", true),
        ("float8 DEFAULT my_random()", false),
        ("text DEFAULT 'nextval(x)'", false),
        ("timestamptz DEFAULT now()", false),
        ("timestamptz DEFAULT CURRENT_TIMESTAMP", false),
        ("text DEFAULT 'x'", false),
        ("int DEFAULT 0", false),
        ("int", false),
        ("bigserial", false),
    ];
    for (column, volatile) in cases {
        let sql = format!("ALTER TABLE t ADD COLUMN a {column}");
        for op in [only_op(&sql), lower_tokens(&sql).remove(0)] {
            let OpKind::AddColumn(added) = &op.kind else {
                panic!("{sql}: {op:?}");
            };
            assert_eq!(added.volatile_default(), volatile, "{sql}");
        }
    }
}

/// What sqlparser and the token fallback say about an action must agree: an
/// unrelated action sqlparser rejects (`SET STATISTICS`) sends the same action
/// down the token path.
#[test]
fn both_paths_lower_an_action_alike() {
    let actions = [
        "ADD COLUMN a int NOT NULL DEFAULT 0",
        "ADD COLUMN \"A\" varchar(50)",
        "ADD b text",
        "ADD COLUMN id serial",
        "ADD COLUMN id bigserial",
        "ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY",
        "ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY",
        "ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED",
        "ADD COLUMN a int PRIMARY KEY",
        "ADD COLUMN a int CHECK (a IS NOT NULL)",
        "ADD COLUMN a int[] NOT NULL DEFAULT '{}'",
        "ADD COLUMN a text DEFAULT 'x'::text NOT NULL",
        "ADD COLUMN a timestamp with time zone DEFAULT now()",
        "ADD COLUMN id smallserial",
        "ADD COLUMN a text UNIQUE",
        "ADD COLUMN a int CONSTRAINT a_pos CHECK (a > 0) NOT NULL",
        "ADD COLUMN u_id int REFERENCES u (id)",
        "ADD COLUMN id uuid DEFAULT gen_random_uuid()",
        "ADD COLUMN a timestamptz DEFAULT clock_timestamp()",
        "ADD COLUMN a bigint DEFAULT nextval('s')",
        "ALTER COLUMN a SET NOT NULL",
        "ALTER COLUMN a TYPE bigint",
        "ALTER a TYPE varchar(50) USING a::varchar(50)",
        "ALTER COLUMN a SET DATA TYPE numeric(10, 2) USING a::numeric",
        "ALTER COLUMN a DROP NOT NULL",
        "ALTER COLUMN a SET DEFAULT 1",
        "ALTER COLUMN a DROP DEFAULT",
        "ALTER a DROP NOT NULL",
        "ALTER \"A\" DROP DEFAULT",
        "ADD CONSTRAINT c CHECK (a > 0)",
        "ADD CONSTRAINT c CHECK (a IS NOT NULL)",
        "ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID",
        "ADD CONSTRAINT c CHECK (\"A\" IS NOT NULL)",
        "ADD CONSTRAINT c CHECK (a IS NOT NULL AND b > 0)",
        "ADD CONSTRAINT c CHECK ((a IS NOT NULL) AND (b IS NOT NULL AND c BETWEEN 1 AND 2))",
        "ADD CONSTRAINT c CHECK (a IS NOT NULL OR b IS NOT NULL)",
        "ADD CONSTRAINT c CHECK (a IS NOT NULL AND b > 0 OR c > 0) NOT VALID",
        "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES S.u (id)",
        "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES \"U\" (id) NOT VALID",
        "ADD FOREIGN KEY (a) REFERENCES u",
        "ADD CONSTRAINT u UNIQUE (a)",
        "ADD CONSTRAINT u UNIQUE USING INDEX i",
        "ADD PRIMARY KEY (a)",
        "ADD CONSTRAINT pk PRIMARY KEY USING INDEX i",
        "ADD PRIMARY KEY USING INDEX \"I\"",
        "ADD CONSTRAINT x EXCLUDE USING gist (a WITH &&)",
        "VALIDATE CONSTRAINT c",
        "RENAME COLUMN a TO b",
        "RENAME a TO \"B\"",
        "RENAME TO u",
        "RENAME TO \"U\"",
        "RENAME CONSTRAINT a TO b",
        "RENAME CONSTRAINT \"A\" TO B",
        "DROP COLUMN IF EXISTS a",
        "DROP a CASCADE",
        "DROP CONSTRAINT c",
        "DROP CONSTRAINT IF EXISTS c",
        "DROP CONSTRAINT \"C\" CASCADE",
        "SET (fillfactor=70)",
        "RESET (fillfactor)",
        "ENABLE TRIGGER trg",
        "DISABLE TRIGGER ALL",
        "OWNER TO bob",
        "SET LOGGED",
        "SET UNLOGGED",
        "ATTACH PARTITION p FOR VALUES FROM (1) TO (2)",
        "DETACH PARTITION p",
        "DETACH PARTITION s.p CONCURRENTLY",
        "DETACH PARTITION p FINALIZE",
        "ADD COLUMN IF NOT EXISTS a int",
        "ADD IF NOT EXISTS a int NOT NULL DEFAULT 0",
        "DROP IF EXISTS a",
        "DROP COLUMN a",
    ];
    for action in actions {
        let (_, parsed) = lower(&format!("ALTER TABLE t {action};"));
        let (_, tokens) = lower(&format!(
            "ALTER TABLE t {action}, ALTER COLUMN z SET STATISTICS 5;"
        ));
        assert_eq!(parsed.len(), 1, "{action}: {parsed:?}");
        assert_eq!(tokens.len(), 2, "{action}: {tokens:?}");
        assert!(parsed[0].parsed, "{action} should parse");
        assert!(!tokens[0].parsed, "{action} should take the token path");
        assert_eq!(parsed[0].kind, tokens[0].kind, "{action}");
        assert_eq!(parsed[0].table, tokens[0].table, "{action}");
        assert_eq!(parsed[0].span, tokens[0].span, "{action}");
    }
}

/// `ADD COLUMN IF NOT EXISTS` and `DROP COLUMN IF EXISTS`, each path spelled
/// out (`SET STATISTICS` sends the statement down the token path).
#[test]
fn column_existence_flags_on_both_paths() {
    let cases = [
        (
            "ADD COLUMN a int",
            add_column("a", "int", false, None, false),
        ),
        (
            "ADD COLUMN IF NOT EXISTS a int",
            if_not_exists(add_column("a", "int", false, None, false)),
        ),
        (
            "ADD IF NOT EXISTS \"A\" text NOT NULL DEFAULT 'x'",
            if_not_exists(add_column("A", "text", true, Some("'x'"), false)),
        ),
        ("DROP COLUMN a", drop_column("a", false)),
        ("DROP a", drop_column("a", false)),
        ("DROP COLUMN IF EXISTS a", drop_column("a", true)),
        ("DROP IF EXISTS \"A\" CASCADE", drop_column("A", true)),
    ];
    for (action, kind) in cases {
        check(
            &format!("ALTER TABLE t {action};"),
            &[(kind.clone(), t("t"), true, action)],
        );
        check(
            &format!("ALTER TABLE t {action}, ALTER z SET STATISTICS 5;"),
            &[
                (kind, t("t"), false, action),
                (
                    other_action("SET STATISTICS", ShareUpdateExclusive),
                    t("t"),
                    false,
                    "ALTER z SET STATISTICS 5",
                ),
            ],
        );
    }
}

#[test]
fn detach_partition() {
    let cases = [
        ("DETACH PARTITION p", false, AccessExclusive),
        (
            "DETACH PARTITION s.p CONCURRENTLY",
            true,
            ShareUpdateExclusive,
        ),
        // Completes an interrupted concurrent detach, under its lock.
        ("DETACH PARTITION p FINALIZE", true, ShareUpdateExclusive),
    ];
    for (action, concurrently, lock) in cases {
        let kind = OpKind::DetachPartition { concurrently };
        let sql = format!("ALTER TABLE t {action};");
        check(&sql, &[(kind.clone(), t("t"), true, action)]);
        assert_eq!(only_op(&sql).lock(), Some(lock), "{sql}");
        let sql = format!("ALTER TABLE t {action}, ALTER z SET STATISTICS 5;");
        let (_, ops) = lower(&sql);
        assert_eq!(ops[0].kind, kind, "{sql}");
        assert!(!ops[0].parsed, "{sql}");
        assert_eq!(ops[0].lock(), Some(lock), "{sql}");
    }
}

#[test]
fn set_not_null_and_type_changes() {
    check(
        "ALTER TABLE \"T\" ALTER \"A\" SET NOT NULL;",
        &[(
            OpKind::SetNotNull { column: "A".into() },
            t("T"),
            true,
            "ALTER \"A\" SET NOT NULL",
        )],
    );
    let change = |column: &str, data_type: &str| OpKind::ChangeColumnType {
        column: column.into(),
        data_type: data_type.into(),
    };
    check(
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
        &[(
            change("a", "bigint"),
            t("t"),
            true,
            "ALTER COLUMN a TYPE bigint",
        )],
    );
    check(
        "ALTER TABLE t ALTER COLUMN a SET DATA TYPE bigint USING a::bigint;",
        &[(
            change("a", "bigint"),
            t("t"),
            true,
            "ALTER COLUMN a SET DATA TYPE bigint USING a::bigint",
        )],
    );
    check(
        "ALTER TABLE t ALTER A TYPE varchar(50) USING a::varchar(50);",
        &[(
            change("a", "varchar(50)"),
            t("t"),
            true,
            "ALTER A TYPE varchar(50) USING a::varchar(50)",
        )],
    );
    check(
        "ALTER TABLE t ALTER COLUMN a TYPE int COLLATE \"C\";",
        &[(
            change("a", "int"),
            t("t"),
            false,
            "ALTER COLUMN a TYPE int COLLATE \"C\"",
        )],
    );
}

#[test]
fn add_constraint_kinds() {
    let cases = [
        (
            "ADD CONSTRAINT c CHECK (a > 0)",
            constraint(Some("c"), check_kind(&[]), false),
        ),
        (
            "ADD CONSTRAINT c CHECK (a IS NOT NULL)",
            constraint(Some("c"), check_kind(&["a"]), false),
        ),
        (
            "ADD CONSTRAINT c CHECK ((a IS NOT NULL))",
            constraint(Some("c"), check_kind(&["a"]), false),
        ),
        (
            "ADD CONSTRAINT c CHECK (\"A\" IS NOT NULL)",
            constraint(Some("c"), check_kind(&["A"]), false),
        ),
        (
            "ADD CONSTRAINT C CHECK (a IS NOT NULL) NOT VALID",
            constraint(Some("c"), check_kind(&["a"]), true),
        ),
        (
            "ADD CHECK (a IS NOT NULL AND b > 0)",
            constraint(None, check_kind(&["a"]), false),
        ),
        (
            "ADD CHECK ((a IS NOT NULL) AND b BETWEEN 1 AND 2 AND (c IS NOT NULL AND d <> 0))",
            constraint(None, check_kind(&["a", "c"]), false),
        ),
        (
            "ADD CHECK (a IS NOT NULL OR b > 0)",
            constraint(None, check_kind(&[]), false),
        ),
        (
            "ADD CHECK (a IS NOT NULL AND b > 0 OR c > 0)",
            constraint(None, check_kind(&[]), false),
        ),
        (
            "ADD CHECK (NOT (a IS NOT NULL AND b > 0))",
            constraint(None, check_kind(&[]), false),
        ),
        (
            "ADD CHECK (a IS NOT NULL AND b IS NOT NULL) NOT VALID",
            constraint(None, check_kind(&["a", "b"]), true),
        ),
        (
            "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES s.u (id)",
            constraint(
                Some("fk"),
                ConstraintKind::ForeignKey {
                    references: Name::new(Some("s".into()), "u"),
                },
                false,
            ),
        ),
        (
            "ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES \"U\" (id) NOT VALID",
            constraint(
                Some("fk"),
                ConstraintKind::ForeignKey {
                    references: Name::new(None, "U"),
                },
                true,
            ),
        ),
        (
            "ADD CONSTRAINT u UNIQUE (a)",
            constraint(
                Some("u"),
                ConstraintKind::Unique { using_index: false },
                false,
            ),
        ),
        (
            "ADD CONSTRAINT u UNIQUE USING INDEX i",
            constraint(
                Some("u"),
                ConstraintKind::Unique { using_index: true },
                false,
            ),
        ),
        (
            "ADD PRIMARY KEY (a)",
            constraint(
                None,
                ConstraintKind::PrimaryKey { using_index: None },
                false,
            ),
        ),
        (
            "ADD CONSTRAINT pk PRIMARY KEY USING INDEX i",
            constraint(
                Some("pk"),
                ConstraintKind::PrimaryKey {
                    using_index: Some("i".into()),
                },
                false,
            ),
        ),
        (
            "ADD PRIMARY KEY USING INDEX \"Pk_Idx\" DEFERRABLE",
            constraint(
                None,
                ConstraintKind::PrimaryKey {
                    using_index: Some("Pk_Idx".into()),
                },
                false,
            ),
        ),
        (
            "ADD CONSTRAINT x EXCLUDE USING gist (a WITH &&)",
            constraint(Some("x"), ConstraintKind::Exclusion, false),
        ),
    ];
    for (action, kind) in cases {
        let sql = format!("ALTER TABLE t {action};");
        check(&sql, &[(kind, t("t"), true, action)]);
    }
}

/// Long conjunctions are read whole; parentheses nested beyond any hand-written
/// depth prove nothing, and cost neither the stack nor quadratic time.
#[test]
fn not_null_proofs_of_long_and_deep_checks() {
    let terms: Vec<String> = (0..500).map(|i| format!("c{i} IS NOT NULL")).collect();
    let sql = format!("ALTER TABLE t ADD CHECK ({});", terms.join(" AND "));
    for op in [only_op(&sql), lower_tokens(&sql).remove(0)] {
        let OpKind::AddConstraint {
            kind: ConstraintKind::Check { not_null_columns },
            ..
        } = &op.kind
        else {
            panic!("{op:?}");
        };
        assert_eq!(not_null_columns.len(), 500);
        assert_eq!(not_null_columns[0], "c0");
    }
    let deep = 100_000;
    let sql = format!(
        "ALTER TABLE t ADD CHECK ({}a IS NOT NULL{});",
        "(".repeat(deep),
        ")".repeat(deep)
    );
    assert_eq!(
        lower_tokens(&sql)[0].kind,
        constraint(None, check_kind(&[]), false)
    );
}

/// `USING INDEX TABLESPACE` after a column list places a new index; only
/// `USING INDEX` right after the keywords adopts an existing one.
#[test]
fn index_tablespace_is_not_an_existing_index() {
    let cases = [
        (
            "ADD CONSTRAINT pk PRIMARY KEY (a) USING INDEX TABLESPACE fast",
            ConstraintKind::PrimaryKey { using_index: None },
        ),
        (
            "ADD CONSTRAINT u UNIQUE (a) USING INDEX TABLESPACE fast",
            ConstraintKind::Unique { using_index: false },
        ),
        (
            "ADD CONSTRAINT pk PRIMARY KEY USING INDEX",
            ConstraintKind::PrimaryKey {
                using_index: Some(String::new()),
            },
        ),
    ];
    for (action, kind) in cases {
        let sql = format!("ALTER TABLE t {action};");
        let expected = OpKind::AddConstraint {
            name: action.split_whitespace().nth(2).map(str::to_string),
            kind,
            not_valid: false,
        };
        assert_eq!(lower_tokens(&sql)[0].kind, expected, "{sql}");
        assert_eq!(only_op(&sql).kind, expected, "{sql}");
    }
}

#[test]
fn postgres_18_not_null_constraint_takes_the_token_path() {
    check(
        "ALTER TABLE t ADD CONSTRAINT n NOT NULL c NOT VALID;",
        &[(
            constraint(
                Some("n"),
                ConstraintKind::NotNull { column: "c".into() },
                true,
            ),
            t("t"),
            false,
            "ADD CONSTRAINT n NOT NULL c NOT VALID",
        )],
    );
}

#[test]
fn validate_rename_and_drop() {
    let cases = [
        (
            "VALIDATE CONSTRAINT C",
            OpKind::ValidateConstraint { name: "c".into() },
            ShareUpdateExclusive,
        ),
        (
            "RENAME COLUMN a TO b",
            OpKind::RenameColumn {
                from: "a".into(),
                to: "b".into(),
            },
            AccessExclusive,
        ),
        (
            "RENAME a TO \"B\"",
            OpKind::RenameColumn {
                from: "a".into(),
                to: "B".into(),
            },
            AccessExclusive,
        ),
        (
            "RENAME TO u",
            OpKind::RenameTable { to: "u".into() },
            AccessExclusive,
        ),
        (
            "RENAME TO \"U\"",
            OpKind::RenameTable { to: "U".into() },
            AccessExclusive,
        ),
        (
            "RENAME CONSTRAINT a TO b",
            OpKind::RenameConstraint { to: "b".into() },
            AccessExclusive,
        ),
        (
            "RENAME CONSTRAINT \"A\" TO \"B\"",
            OpKind::RenameConstraint { to: "B".into() },
            AccessExclusive,
        ),
        (
            "DROP COLUMN IF EXISTS a",
            drop_column("a", true),
            AccessExclusive,
        ),
        (
            "DROP COLUMN \"A\" CASCADE",
            drop_column("A", false),
            AccessExclusive,
        ),
        (
            "DROP CONSTRAINT c",
            OpKind::DropConstraint {
                name: "c".into(),
                foreign_key: false,
            },
            AccessExclusive,
        ),
        (
            "DROP CONSTRAINT IF EXISTS c",
            OpKind::DropConstraint {
                name: "c".into(),
                foreign_key: false,
            },
            AccessExclusive,
        ),
        (
            "DROP CONSTRAINT \"C\" CASCADE",
            OpKind::DropConstraint {
                name: "C".into(),
                foreign_key: false,
            },
            AccessExclusive,
        ),
    ];
    for (action, kind, lock) in cases {
        let sql = format!("ALTER TABLE t {action};");
        check(&sql, &[(kind, t("t"), true, action)]);
        assert_eq!(only_op(&sql).lock(), Some(lock), "{sql}");
    }
}

#[test]
fn other_alter_table_actions_carry_their_lock() {
    let cases = [
        // sqlparser rejects SET STATISTICS: token path.
        (
            "ALTER COLUMN a SET STATISTICS 100",
            false,
            other_action("SET STATISTICS", ShareUpdateExclusive),
        ),
        (
            "ALTER COLUMN a SET (n_distinct = 5)",
            false,
            other_action("SET", ShareUpdateExclusive),
        ),
        (
            "SET (fillfactor=70)",
            true,
            other_action("SET", ShareUpdateExclusive),
        ),
        (
            "RESET (fillfactor)",
            true,
            other_action("RESET", ShareUpdateExclusive),
        ),
        (
            "CLUSTER ON i",
            false,
            other_action("CLUSTER ON", ShareUpdateExclusive),
        ),
        (
            "SET WITHOUT CLUSTER",
            false,
            other_action("SET WITHOUT", ShareUpdateExclusive),
        ),
        (
            "ENABLE TRIGGER trg",
            true,
            other_action("ENABLE TRIGGER", ShareRowExclusive),
        ),
        (
            "DISABLE TRIGGER ALL",
            true,
            other_action("DISABLE TRIGGER", ShareRowExclusive),
        ),
        (
            "OWNER TO bob",
            true,
            other_action("OWNER TO", AccessExclusive),
        ),
        (
            "ALTER COLUMN a SET DEFAULT 1",
            true,
            other_action("SET DEFAULT", AccessExclusive),
        ),
        (
            "ENABLE ROW LEVEL SECURITY",
            true,
            other_action("ENABLE ROW LEVEL SECURITY", AccessExclusive),
        ),
    ];
    for (action, parsed, kind) in cases {
        let sql = format!("ALTER TABLE t {action};");
        let lock = match &kind {
            OpKind::AlterTableOther { lock, .. } => *lock,
            _ => unreachable!(),
        };
        check(&sql, &[(kind, t("t"), parsed, action)]);
        assert_eq!(only_op(&sql).lock(), Some(lock), "{sql}");
    }
}

/// `ALTER INDEX ... RENAME TO` renames the index, which alone is locked;
/// other `ALTER INDEX` forms keep their first keyword.
#[test]
fn rename_index() {
    let rename = |to: &str| OpKind::RenameIndex { to: to.into() };
    for (sql, index, kind) in [
        ("ALTER INDEX s.i RENAME TO J;", st("s", "i"), rename("j")),
        (
            "ALTER INDEX IF EXISTS i RENAME TO \"J\";",
            t("i"),
            rename("J"),
        ),
        ("ALTER INDEX i RENAME TO", t("i"), rename("")),
        ("ALTER INDEX i SET (fillfactor = 70);", None, other("ALTER")),
    ] {
        let span = sql.strip_suffix(';').unwrap_or(sql);
        let tokens = lower_tokens(sql);
        assert_eq!(tokens.len(), 1, "{sql}");
        assert_eq!(
            (&tokens[0].kind, &tokens[0].table),
            (&kind, &index),
            "{sql}"
        );
        let op = only_op(sql);
        assert_eq!((&op.kind, &op.table), (&kind, &index), "{sql}");
        assert_eq!(&sql[op.span.clone()], span, "{sql}");
    }
    let parsed = only_op("ALTER INDEX i RENAME TO j;");
    assert!(parsed.parsed, "sqlparser's AST names it");
    assert_eq!(parsed.lock(), Some(ShareUpdateExclusive));
}

#[test]
fn views_are_relations_with_locks() {
    check(
        "DROP MATERIALIZED VIEW IF EXISTS a, s.b;",
        &[
            (
                OpKind::DropView,
                t("a"),
                false,
                "DROP MATERIALIZED VIEW IF EXISTS a, s.b",
            ),
            (
                OpKind::DropView,
                st("s", "b"),
                false,
                "DROP MATERIALIZED VIEW IF EXISTS a, s.b",
            ),
        ],
    );
    assert_eq!(only_op("DROP VIEW v;").lock(), Some(AccessExclusive));
    assert_eq!(
        only_op("CREATE OR REPLACE VIEW v AS SELECT 1;").lock(),
        Some(AccessExclusive)
    );
    assert_eq!(only_op("CREATE VIEW v AS SELECT 1;").lock(), None);
}

#[test]
fn attach_partition_names_the_partition() {
    let sql = "ALTER TABLE events ATTACH PARTITION s.events_2026 FOR VALUES FROM (1) TO (2);";
    check(
        sql,
        &[(
            OpKind::AttachPartition {
                partition: Name::new(Some("s".into()), "events_2026"),
            },
            t("events"),
            true,
            "ATTACH PARTITION s.events_2026 FOR VALUES FROM (1) TO (2)",
        )],
    );
    assert_eq!(only_op(sql).lock(), Some(ShareUpdateExclusive));
}

#[test]
fn alter_column_sub_actions_are_never_a_dropped_column() {
    // On the token path `ALTER COLUMN a DROP NOT NULL` once read as `DROP
    // COLUMN not`.
    check(
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL, ALTER a DROP DEFAULT, ALTER b SET STATISTICS 5;",
        &[
            (
                OpKind::DropNotNull { column: "a".into() },
                t("t"),
                false,
                "ALTER COLUMN a DROP NOT NULL",
            ),
            (
                OpKind::DropDefault { column: "a".into() },
                t("t"),
                false,
                "ALTER a DROP DEFAULT",
            ),
            (
                other_action("SET STATISTICS", ShareUpdateExclusive),
                t("t"),
                false,
                "ALTER b SET STATISTICS 5",
            ),
        ],
    );
}

/// The `ALTER TABLE` actions with a kind of their own, each path spelled out
/// (`SET STATISTICS` sends the statement down the token path).
#[test]
fn table_level_actions_on_both_paths() {
    let move_table = |what: &str| OpKind::MoveTable { what: what.into() };
    let cases = [
        ("RENAME TO u", OpKind::RenameTable { to: "u".into() }),
        (
            "RENAME TO \"New\"",
            OpKind::RenameTable { to: "New".into() },
        ),
        (
            "ALTER COLUMN c DROP NOT NULL",
            OpKind::DropNotNull { column: "c".into() },
        ),
        (
            "ALTER \"C\" DROP NOT NULL",
            OpKind::DropNotNull { column: "C".into() },
        ),
        (
            "ALTER COLUMN c DROP DEFAULT",
            OpKind::DropDefault { column: "c".into() },
        ),
        (
            "DROP CONSTRAINT n",
            OpKind::DropConstraint {
                name: "n".into(),
                foreign_key: false,
            },
        ),
        (
            "DROP CONSTRAINT IF EXISTS N RESTRICT",
            OpKind::DropConstraint {
                name: "n".into(),
                foreign_key: false,
            },
        ),
        ("SET LOGGED", move_table("SET LOGGED")),
        ("set unlogged", move_table("SET UNLOGGED")),
    ];
    for (action, kind) in cases {
        let sql = format!("ALTER TABLE t {action};");
        check(&sql, &[(kind.clone(), t("t"), true, action)]);
        assert_eq!(only_op(&sql).lock(), Some(AccessExclusive), "{sql}");
        let sql = format!("ALTER TABLE t {action}, ALTER z SET STATISTICS 5;");
        let (_, ops) = lower(&sql);
        check_ops(
            &sql,
            &sql,
            &ops,
            &[
                (kind, t("t"), false, action),
                (
                    other_action("SET STATISTICS", ShareUpdateExclusive),
                    t("t"),
                    false,
                    "ALTER z SET STATISTICS 5",
                ),
            ],
        );
        assert_eq!(ops[0].lock(), Some(AccessExclusive), "{sql}");
    }
    // sqlparser rejects `SET TABLESPACE`: the token path alone.
    check(
        "ALTER TABLE s.t SET TABLESPACE fast;",
        &[(
            move_table("SET TABLESPACE"),
            st("s", "t"),
            false,
            "SET TABLESPACE fast",
        )],
    );
    assert_eq!(
        only_op("ALTER TABLE t SET TABLESPACE x").lock(),
        Some(AccessExclusive)
    );
    // `SET WITHOUT CLUSTER` and `SET (...)` move nothing.
    for action in ["SET WITHOUT CLUSTER", "SET (fillfactor = 70)"] {
        let kind = only_op(&format!("ALTER TABLE t {action}")).kind;
        assert!(matches!(kind, OpKind::AlterTableOther { .. }), "{action}");
    }
}

#[test]
fn incomplete_alter_table_statements_do_not_panic() {
    for sql in [
        "ALTER TABLE",
        "ALTER TABLE t",
        "ALTER TABLE s.",
        "ALTER TABLE t ,,, ;",
        "ALTER TABLE t ADD",
        "ALTER TABLE t ADD CONSTRAINT",
        "ALTER TABLE t ADD CONSTRAINT c CHECK",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (",
        "ALTER TABLE t ADD FOREIGN KEY",
        "ALTER TABLE t ALTER COLUMN",
        "ALTER TABLE t ALTER COLUMN a TYPE",
        "ALTER TABLE t RENAME",
        "ALTER TABLE t DROP",
        "ALTER TABLE t ADD COLUMN a int,",
        "ALTER TABLE t ADD COLUMN a int DEFAULT",
        "ALTER TABLE t ADD COLUMN a int DEFAULT (",
        "ALTER TABLE \"t ADD COLUMN a int",
    ] {
        let (text, ops) = lower(sql);
        for op in &ops {
            assert!(op.span.end <= text.len(), "{sql}: {op:?}");
            assert_eq!(op.lock().is_some(), op.table.is_some(), "{sql}: {op:?}");
        }
    }
    assert!(lower("ALTER TABLE t").1.is_empty());
    assert_eq!(only_op("ALTER TABLE t ADD COLUMN a int,").span, 14..30);
}

// ---------------------------------------------------------------- types, schemas, triggers, domains

/// Statements outside `ALTER TABLE` with a kind of their own; sqlparser's AST
/// is not consulted for them, so both entry points give the token path's facts.
#[test]
fn schema_object_statements() {
    let add_value = |value: &str, positioned: bool| OpKind::AddEnumValue {
        value: value.into(),
        positioned,
    };
    let drop_schema = |what: &str, schemas: &[&str]| OpKind::DropSchema {
        what: what.into(),
        schemas: schemas.iter().map(|s| s.to_string()).collect(),
    };
    let create_schema = |name: &str, if_not_exists: bool| OpKind::CreateSchema {
        name: name.into(),
        if_not_exists,
    };
    let cases = [
        ("ALTER TYPE e ADD VALUE 'v';", t("e"), add_value("v", false)),
        (
            "ALTER TYPE s.E ADD VALUE IF NOT EXISTS 'v';",
            st("s", "e"),
            add_value("v", false),
        ),
        (
            "ALTER TYPE e ADD VALUE 'v' BEFORE 'w';",
            t("e"),
            add_value("v", true),
        ),
        (
            "ALTER TYPE e ADD VALUE IF NOT EXISTS 'v' AFTER 'w';",
            t("e"),
            add_value("v", true),
        ),
        (
            "ALTER TYPE e ADD VALUE 'it''s';",
            t("e"),
            add_value("it's", false),
        ),
        (
            "ALTER TYPE e RENAME VALUE 'a' TO 'b';",
            t("e"),
            OpKind::RenameEnumValue,
        ),
        ("ALTER TYPE e OWNER TO bob;", t("e"), other("ALTER TYPE")),
        (
            "CREATE TYPE e AS ENUM ('a', 'b');",
            t("e"),
            OpKind::CreateEnum,
        ),
        (
            "CREATE TYPE S.\"Mood\" AS ENUM ();",
            st("s", "Mood"),
            OpKind::CreateEnum,
        ),
        (
            "CREATE TYPE c AS (a int, b text);",
            t("c"),
            OpKind::CreateType,
        ),
        (
            "CREATE TYPE s.r AS RANGE (subtype = int4);",
            st("s", "r"),
            OpKind::CreateType,
        ),
        (
            "DROP SCHEMA s CASCADE;",
            None,
            drop_schema("DROP SCHEMA", &["s"]),
        ),
        (
            "DROP SCHEMA IF EXISTS a, \"B\";",
            None,
            drop_schema("DROP SCHEMA", &["a", "B"]),
        ),
        ("DROP DATABASE d;", None, drop_schema("DROP DATABASE", &[])),
        ("CREATE SCHEMA S;", None, create_schema("s", false)),
        (
            "CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION bob;",
            None,
            create_schema("s", true),
        ),
        (
            "CREATE SCHEMA AUTHORIZATION bob;",
            None,
            create_schema("bob", false),
        ),
        (
            "CREATE SEQUENCE s.seq START 1;",
            st("s", "seq"),
            OpKind::CreateSequence {
                if_not_exists: false,
            },
        ),
        (
            "CREATE TEMP SEQUENCE IF NOT EXISTS seq;",
            t("seq"),
            OpKind::CreateSequence {
                if_not_exists: true,
            },
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
            None,
            OpKind::CreateFunction { or_replace: false },
        ),
        (
            "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;",
            None,
            OpKind::CreateFunction { or_replace: true },
        ),
        ("ALTER SCHEMA s RENAME TO t;", None, OpKind::RenameSchema),
        ("ALTER SCHEMA s OWNER TO bob;", None, other("ALTER SCHEMA")),
        (
            "CREATE TRIGGER trg BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION f();",
            st("s", "t"),
            OpKind::CreateTrigger,
        ),
        (
            "CREATE OR REPLACE TRIGGER trg AFTER UPDATE OF a, b ON T FOR EACH ROW EXECUTE FUNCTION f();",
            t("t"),
            OpKind::CreateTrigger,
        ),
        (
            "CREATE CONSTRAINT TRIGGER trg AFTER INSERT ON s.t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION f();",
            st("s", "t"),
            OpKind::CreateTrigger,
        ),
        (
            "CREATE TRIGGER on_insert AFTER INSERT ON \"T\" FOR EACH ROW EXECUTE FUNCTION f();",
            t("T"),
            OpKind::CreateTrigger,
        ),
        (
            "DROP TRIGGER x ON t;",
            t("t"),
            OpKind::DropTrigger { if_exists: false },
        ),
        (
            "DROP TRIGGER IF EXISTS x ON s.t CASCADE;",
            st("s", "t"),
            OpKind::DropTrigger { if_exists: true },
        ),
        (
            "CREATE DOMAIN d AS int CHECK (VALUE > 0);",
            None,
            OpKind::DomainConstraint,
        ),
        (
            "CREATE DOMAIN d AS int CONSTRAINT pos CHECK (VALUE > 0) NOT NULL;",
            None,
            OpKind::DomainConstraint,
        ),
        (
            "CREATE DOMAIN d AS int NOT NULL;",
            None,
            other("CREATE DOMAIN"),
        ),
        (
            "ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0);",
            None,
            OpKind::DomainConstraint,
        ),
        (
            "ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;",
            None,
            // NOT VALID checks no existing column: nothing to judge.
            OpKind::Other {
                what: "ALTER DOMAIN".into(),
            },
        ),
        (
            "ALTER DOMAIN d VALIDATE CONSTRAINT pos;",
            None,
            other("ALTER DOMAIN"),
        ),
    ];
    for (sql, table, kind) in cases {
        let span = sql.strip_suffix(';').unwrap_or(sql);
        let expected = [(kind, table, false, span)];
        check(sql, &expected);
        check_ops(sql, span, &lower_tokens(sql), &expected);
    }
}

#[test]
fn lock_of_schema_object_statements() {
    let lock = |sql: &str| only_op(sql).lock();
    assert_eq!(
        lock("CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"),
        Some(ShareRowExclusive)
    );
    assert_eq!(lock("DROP TRIGGER x ON t"), Some(AccessExclusive));
    for sql in [
        "ALTER TYPE e ADD VALUE 'v'",
        "ALTER TYPE e RENAME VALUE 'a' TO 'b'",
        "CREATE TYPE e AS ENUM ('a')",
        "DROP SCHEMA s CASCADE",
        "DROP DATABASE d",
        "CREATE SCHEMA s",
        "CREATE SEQUENCE s",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TYPE c AS (a int)",
        "ALTER SCHEMA s RENAME TO t",
        "CREATE DOMAIN d AS int CHECK (VALUE > 0)",
        "ALTER DOMAIN d ADD CONSTRAINT pos CHECK (VALUE > 0)",
    ] {
        assert_eq!(lock(sql), None, "{sql}");
    }
}

#[test]
fn incomplete_schema_object_statements_keep_their_kind() {
    let cases = [
        ("ALTER TYPE e ADD VALUE", t("e"), "AddEnumValue"),
        ("ALTER TYPE", None, "Other"),
        ("CREATE TYPE e AS ENUM (", t("e"), "CreateEnum"),
        ("CREATE TRIGGER trg BEFORE INSERT", None, "CreateTrigger"),
        ("CREATE TRIGGER trg BEFORE INSERT ON", None, "CreateTrigger"),
        ("DROP TRIGGER x", None, "DropTrigger"),
        ("DROP SCHEMA", None, "DropSchema"),
        ("ALTER SCHEMA s", None, "Other"),
        ("ALTER DOMAIN d ADD", None, "DomainConstraint"),
    ];
    for (sql, table, kind) in cases {
        let (text, ops) = lower(sql);
        assert_eq!(ops.len(), 1, "{sql}: {ops:?}");
        assert!(ops[0].span.end <= text.len(), "{sql}: {ops:?}");
        assert_eq!(ops[0].table, table, "{sql}");
        assert_eq!(format!("{:?}", ops[0].kind.tag()), kind, "{sql}");
    }
}

// ---------------------------------------------------------------- settings

#[test]
fn set_and_reset() {
    let cases = [
        (
            "SET lock_timeout = '2s';",
            set("lock_timeout", Some("'2s'"), false),
            "SET lock_timeout = '2s'",
        ),
        (
            "SET LOCAL lock_timeout TO '2s';",
            set("lock_timeout", Some("'2s'"), true),
            "SET LOCAL lock_timeout TO '2s'",
        ),
        (
            "set session Lock_Timeout = 2000",
            set("lock_timeout", Some("2000"), false),
            "set session Lock_Timeout = 2000",
        ),
        (
            "SET LOCAL statement_timeout = 0;",
            set("statement_timeout", Some("0"), true),
            "SET LOCAL statement_timeout = 0",
        ),
        (
            "SET lock_timeout TO DEFAULT;",
            set("lock_timeout", None, false),
            "SET lock_timeout TO DEFAULT",
        ),
        (
            "SET lock_timeout = default;",
            set("lock_timeout", None, false),
            "SET lock_timeout = default",
        ),
        (
            "RESET lock_timeout;",
            set("lock_timeout", None, false),
            "RESET lock_timeout",
        ),
    ];
    for (sql, kind, span) in cases {
        check(sql, &[(kind, None, false, span)]);
        assert_eq!(only_op(sql).lock(), None);
    }
}

#[test]
fn set_config_calls_are_settings() {
    check(
        "SELECT set_config('lock_timeout', '2s', false);",
        &[(
            set("lock_timeout", Some("'2s'"), false),
            None,
            false,
            "set_config('lock_timeout', '2s', false)",
        )],
    );
    check(
        "select pg_catalog.set_config('Statement_Timeout', '0', TRUE), set_config('TimeZone', 'UTC', false);",
        &[
            (
                set("statement_timeout", Some("'0'"), true),
                None,
                false,
                "pg_catalog.set_config('Statement_Timeout', '0', TRUE)",
            ),
            (
                set("timezone", Some("'UTC'"), false),
                None,
                false,
                "set_config('TimeZone', 'UTC', false)",
            ),
        ],
    );
    // Arguments known only at run time, or a query around the call, say
    // nothing about the session.
    for sql in [
        "SELECT set_config('lock_timeout', v, false);",
        "SELECT set_config('lock_timeout', '2s', is_local);",
        "SELECT set_config(name, '2s', false) FROM settings;",
        "SELECT set_config('lock_timeout', '2s', false) FROM t;",
        "SELECT current_setting('lock_timeout');",
        "SELECT set_config('lock_timeout', '2s'",
    ] {
        check(
            sql,
            &[(other("SELECT"), None, false, sql.trim_end_matches(';'))],
        );
    }
}

#[test]
fn set_config_is_a_session_or_local_setting() {
    let text = "SELECT set_config('lock_timeout', '2s', false); SELECT 1;";
    assert_eq!(lock_timeouts(text, None), [false, true]);
    let text = "BEGIN; SELECT set_config('lock_timeout', '2s', true); SELECT 1; COMMIT; SELECT 2;";
    assert_eq!(lock_timeouts(text, None), [false, false, true, true, false]);
}

#[test]
fn transaction_control() {
    let cases = [
        ("BEGIN;", OpKind::Begin, "BEGIN"),
        (
            "BEGIN ISOLATION LEVEL SERIALIZABLE;",
            OpKind::Begin,
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
        ),
        ("start transaction;", OpKind::Begin, "start transaction"),
        ("COMMIT;", OpKind::Commit, "COMMIT"),
        ("END;", OpKind::Commit, "END"),
        ("ROLLBACK;", OpKind::Rollback, "ROLLBACK"),
        ("ABORT;", OpKind::Rollback, "ABORT"),
        // Stays in the transaction.
        (
            "ROLLBACK TO SAVEPOINT s;",
            other("ROLLBACK TO SAVEPOINT"),
            "ROLLBACK TO SAVEPOINT s",
        ),
        (
            "ROLLBACK WORK TO s;",
            other("ROLLBACK TO SAVEPOINT"),
            "ROLLBACK WORK TO s",
        ),
        ("SAVEPOINT s;", other("SAVEPOINT"), "SAVEPOINT s"),
    ];
    for (sql, kind, span) in cases {
        check(sql, &[(kind, None, false, span)]);
        assert_eq!(only_op(sql).lock(), None);
    }
}

// ---------------------------------------------------------------- maintenance statements

#[test]
fn maintenance_statements() {
    use Maintenance::*;
    let cases = [
        (
            "REINDEX INDEX i;",
            vec![t("i")],
            Reindex {
                concurrently: false,
            },
            Share,
            "REINDEX INDEX i",
        ),
        (
            "REINDEX TABLE CONCURRENTLY s.t;",
            vec![st("s", "t")],
            Reindex { concurrently: true },
            ShareUpdateExclusive,
            "REINDEX TABLE CONCURRENTLY s.t",
        ),
        (
            "REINDEX (VERBOSE) TABLE t;",
            vec![t("t")],
            Reindex {
                concurrently: false,
            },
            Share,
            "REINDEX (VERBOSE) TABLE t",
        ),
        (
            "VACUUM t;",
            vec![t("t")],
            Vacuum { full: false },
            ShareUpdateExclusive,
            "VACUUM t",
        ),
        (
            "VACUUM ANALYZE t (a, b), u;",
            vec![t("t"), t("u")],
            Vacuum { full: false },
            ShareUpdateExclusive,
            "VACUUM ANALYZE t (a, b), u",
        ),
        (
            "VACUUM FULL t;",
            vec![t("t")],
            Vacuum { full: true },
            AccessExclusive,
            "VACUUM FULL t",
        ),
        (
            "VACUUM (FULL) t;",
            vec![t("t")],
            Vacuum { full: true },
            AccessExclusive,
            "VACUUM (FULL) t",
        ),
        (
            "VACUUM (VERBOSE, FULL) T;",
            vec![t("t")],
            Vacuum { full: true },
            AccessExclusive,
            "VACUUM (VERBOSE, FULL) T",
        ),
        (
            "VACUUM;",
            vec![None],
            Vacuum { full: false },
            ShareUpdateExclusive,
            "VACUUM",
        ),
        (
            "CLUSTER t USING i;",
            vec![t("t")],
            Cluster,
            AccessExclusive,
            "CLUSTER t USING i",
        ),
        (
            "CLUSTER VERBOSE t;",
            vec![t("t")],
            Cluster,
            AccessExclusive,
            "CLUSTER VERBOSE t",
        ),
        (
            "TRUNCATE t;",
            vec![t("t")],
            Truncate { cascade: false },
            AccessExclusive,
            "TRUNCATE t",
        ),
        (
            "TRUNCATE a, b CASCADE;",
            vec![t("a"), t("b")],
            Truncate { cascade: true },
            AccessExclusive,
            "TRUNCATE a, b CASCADE",
        ),
        (
            "TRUNCATE TABLE ONLY s.t, ONLY u * CASCADE;",
            vec![st("s", "t"), t("u")],
            Truncate { cascade: true },
            AccessExclusive,
            "TRUNCATE TABLE ONLY s.t, ONLY u * CASCADE",
        ),
        (
            "TRUNCATE t RESTART IDENTITY RESTRICT;",
            vec![t("t")],
            Truncate { cascade: false },
            AccessExclusive,
            "TRUNCATE t RESTART IDENTITY RESTRICT",
        ),
        (
            "LOCK TABLE t IN SHARE MODE;",
            vec![t("t")],
            Lock { mode: Share },
            Share,
            "LOCK TABLE t IN SHARE MODE",
        ),
        (
            "LOCK a, b IN ROW EXCLUSIVE MODE NOWAIT;",
            vec![t("a"), t("b")],
            Lock { mode: RowExclusive },
            RowExclusive,
            "LOCK a, b IN ROW EXCLUSIVE MODE NOWAIT",
        ),
        (
            "LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE;",
            vec![t("t")],
            Lock {
                mode: ShareUpdateExclusive,
            },
            ShareUpdateExclusive,
            "LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE",
        ),
        (
            "LOCK TABLE t IN ACCESS SHARE MODE;",
            vec![t("t")],
            Lock { mode: AccessShare },
            AccessShare,
            "LOCK TABLE t IN ACCESS SHARE MODE",
        ),
        (
            "LOCK TABLE t;",
            vec![t("t")],
            Lock {
                mode: AccessExclusive,
            },
            AccessExclusive,
            "LOCK TABLE t",
        ),
        (
            "REFRESH MATERIALIZED VIEW v;",
            vec![t("v")],
            RefreshMaterializedView {
                concurrently: false,
            },
            AccessExclusive,
            "REFRESH MATERIALIZED VIEW v",
        ),
        (
            "REFRESH MATERIALIZED VIEW CONCURRENTLY s.v;",
            vec![st("s", "v")],
            RefreshMaterializedView { concurrently: true },
            Exclusive,
            "REFRESH MATERIALIZED VIEW CONCURRENTLY s.v",
        ),
    ];
    for (sql, tables, maintenance, lock, span) in cases {
        assert_eq!(maintenance.lock(), lock, "{sql}");
        let kind = OpKind::Maintenance(maintenance);
        let expected: Vec<Expected<'_>> = tables
            .into_iter()
            .map(|table| (kind.clone(), table, false, span))
            .collect();
        check(sql, &expected);
        for op in lower(sql).1 {
            assert_eq!(op.lock(), Some(lock), "{sql}");
        }
    }
}

#[test]
fn maintenance_names() {
    use Maintenance::*;
    let names = [
        (Reindex { concurrently: true }, "REINDEX"),
        (Vacuum { full: false }, "VACUUM"),
        (Vacuum { full: true }, "VACUUM FULL"),
        (Cluster, "CLUSTER"),
        (Truncate { cascade: true }, "TRUNCATE"),
        (Lock { mode: Share }, "LOCK"),
        (
            RefreshMaterializedView {
                concurrently: false,
            },
            "REFRESH MATERIALIZED VIEW",
        ),
    ];
    for (maintenance, name) in names {
        assert_eq!(maintenance.name(), name);
    }
}

// ---------------------------------------------------------------- data changes

#[test]
fn dml_statements() {
    use DmlKind::*;
    let cases = [
        ("UPDATE t SET a = 1;", t("t"), dml(Update, false, false)),
        // A WHERE inside parentheses filters nothing of `t`.
        (
            "UPDATE t SET a = (SELECT 1 WHERE true);",
            t("t"),
            dml(Update, false, false),
        ),
        (
            "UPDATE t SET a = 1 WHERE id < 10;",
            t("t"),
            dml(Update, true, false),
        ),
        (
            "update ONLY S.T set a = 1 where id < 10;",
            st("s", "t"),
            dml(Update, true, false),
        ),
        ("DELETE FROM t;", t("t"), dml(Delete, false, false)),
        (
            "DELETE FROM ONLY s.t WHERE x;",
            st("s", "t"),
            dml(Delete, true, false),
        ),
        (
            "DELETE FROM \"T\" WHERE id IN (SELECT id FROM t LIMIT 100);",
            t("T"),
            dml(Delete, true, true),
        ),
        (
            "INSERT INTO t VALUES (1);",
            t("t"),
            dml(Insert, false, false),
        ),
        (
            "INSERT INTO t (a) VALUES ((SELECT 1));",
            t("t"),
            dml(Insert, false, false),
        ),
        (
            "INSERT INTO t (a) SELECT a FROM u;",
            t("t"),
            dml(Insert, true, false),
        ),
        (
            "INSERT INTO t DEFAULT VALUES;",
            t("t"),
            dml(Insert, false, false),
        ),
        (
            "INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 1 WHERE t.b IS NULL;",
            t("t"),
            dml(Insert, false, false),
        ),
        (
            "INSERT INTO t (VALUES (1), (2));",
            t("t"),
            dml(Insert, false, false),
        ),
        // Rows from a query, however it is spelled.
        (
            "INSERT INTO t (SELECT a FROM u);",
            t("t"),
            dml(Insert, true, false),
        ),
        (
            "INSERT INTO t (a) ((SELECT a FROM u));",
            t("t"),
            dml(Insert, true, false),
        ),
        (
            "INSERT INTO t AS x (a) OVERRIDING SYSTEM VALUE SELECT a FROM u;",
            t("t"),
            dml(Insert, true, false),
        ),
        ("INSERT INTO t TABLE u;", t("t"), dml(Insert, true, false)),
        (
            "INSERT INTO t WITH x AS (SELECT 1) SELECT * FROM x;",
            t("t"),
            dml(Insert, true, false),
        ),
        (
            "INSERT INTO s.t SELECT a FROM u ORDER BY a LIMIT 10;",
            st("s", "t"),
            dml(Insert, true, true),
        ),
        // The keyset batch: the CTE picks the batch, the UPDATE joins it.
        (
            "WITH batch AS (SELECT id FROM t WHERE done IS NULL ORDER BY id LIMIT 1000 FOR NO KEY UPDATE) UPDATE t SET done = true FROM batch WHERE t.id = batch.id;",
            t("t"),
            dml(Update, true, true),
        ),
        (
            "WITH old AS (SELECT id FROM t WHERE created < now()) DELETE FROM t USING old WHERE t.id = old.id;",
            t("t"),
            dml(Delete, true, false),
        ),
        (
            "WITH x AS (SELECT 1), y AS (SELECT 2) INSERT INTO t SELECT * FROM x, y;",
            t("t"),
            dml(Insert, true, false),
        ),
    ];
    for (sql, table, kind) in cases {
        let span = sql.strip_suffix(';').unwrap_or(sql);
        check(sql, &[(kind, table, false, span)]);
        assert_eq!(only_op(sql).lock(), Some(RowExclusive), "{sql}");
    }
}

#[test]
fn incomplete_data_changes_do_not_panic() {
    for sql in [
        "UPDATE",
        "UPDATE t SET",
        "DELETE FROM",
        "INSERT INTO",
        "INSERT INTO t (",
        "INSERT INTO t AS",
        "INSERT INTO t OVERRIDING",
        "WITH",
        "WITH x AS (",
        "WITH x AS (SELECT 1)",
        "WITH x AS (UPDATE t SET a = 1",
    ] {
        let (text, ops) = lower(sql);
        assert_eq!(ops.len(), 1, "{sql}: {ops:?}");
        assert!(ops[0].span.end <= text.len(), "{sql}: {ops:?}");
    }
}

#[test]
fn a_with_query_is_dml_only_when_its_main_statement_is() {
    for (sql, span) in [
        (
            "WITH x AS (SELECT 1) SELECT * FROM x;",
            "WITH x AS (SELECT 1) SELECT * FROM x",
        ),
        (
            "WITH x AS (SELECT 1) TABLE x;",
            "WITH x AS (SELECT 1) TABLE x",
        ),
        (
            "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 5) VALUES (1);",
            "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 5) VALUES (1)",
        ),
        (
            "WITH x AS (SELECT 1) SELECT * FROM t FOR UPDATE;",
            "WITH x AS (SELECT 1) SELECT * FROM t FOR UPDATE",
        ),
        (
            "WITH x AS (SELECT 1) SELECT * FROM t FOR NO KEY UPDATE OF t SKIP LOCKED;",
            "WITH x AS (SELECT 1) SELECT * FROM t FOR NO KEY UPDATE OF t SKIP LOCKED",
        ),
    ] {
        check(sql, &[(other("WITH"), None, false, span)]);
        assert_eq!(only_op(sql).lock(), None, "{sql}");
    }
    // Without WITH, a locking SELECT is no data change either.
    check(
        "SELECT * FROM t FOR UPDATE;",
        &[(other("SELECT"), None, false, "SELECT * FROM t FOR UPDATE")],
    );
}

// ---------------------------------------------------------------- everything else

#[test]
fn anything_else_is_named_by_its_first_keyword() {
    check(
        "DO $$ BEGIN PERFORM 1; END $$;",
        &[(other("DO"), None, false, "DO $$ BEGIN PERFORM 1; END $$")],
    );
    check(
        "select 1 ;  ",
        &[(other("SELECT"), None, false, "select 1")],
    );
    check(
        "CREATE VIEW v AS SELECT 1;",
        &[(
            OpKind::CreateView {
                materialized: false,
                or_replace: false,
                if_not_exists: false,
            },
            t("v"),
            false,
            "CREATE VIEW v AS SELECT 1",
        )],
    );
    check(
        "CREATE OR REPLACE MATERIALIZED VIEW s.mv AS SELECT 1;",
        &[(
            OpKind::CreateView {
                materialized: true,
                or_replace: true,
                if_not_exists: false,
            },
            st("s", "mv"),
            false,
            "CREATE OR REPLACE MATERIALIZED VIEW s.mv AS SELECT 1",
        )],
    );
    check(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;",
        &[(
            OpKind::CreateView {
                materialized: true,
                or_replace: false,
                if_not_exists: true,
            },
            t("mv"),
            false,
            "CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1",
        )],
    );
    check(
        "garbage é 🚀 (;",
        &[(other("GARBAGE"), None, false, "garbage é 🚀 (")],
    );
    check(")(;", &[(other(")"), None, false, ")(")]);
    for op in ["DO $$ BEGIN PERFORM 1; END $$;", "select 1", "garbage"].map(only_op) {
        assert_eq!(op.lock(), None);
    }
}

/// A `DO` block is one operation, plus one for each `EXECUTE` of SQL it
/// builds at run time.
#[test]
fn do_block_with_dynamic_sql() {
    let sql =
        "DO $$ BEGIN EXECUTE 'ANALYZE t'; EXECUTE format('ALTER TABLE %I ADD a int', v); END $$;";
    check(
        sql,
        &[
            (other("DO"), None, false, &sql[..sql.len() - 1]),
            (
                OpKind::DynamicSql,
                None,
                false,
                "EXECUTE format('ALTER TABLE %I ADD a int', v)",
            ),
        ],
    );
    assert_eq!(
        only_op("DO $$ BEGIN EXECUTE 'ANALYZE t'; END $$;").kind,
        other("DO")
    );
}

#[test]
fn lock_of_each_kind() {
    let lock = |sql: &str| only_op(sql).lock();
    assert_eq!(lock("CREATE INDEX i ON t (a)"), Some(Share));
    assert_eq!(
        lock("CREATE INDEX CONCURRENTLY i ON t (a)"),
        Some(ShareUpdateExclusive)
    );
    assert_eq!(lock("DROP INDEX i"), Some(AccessExclusive));
    assert_eq!(
        lock("DROP INDEX CONCURRENTLY i"),
        Some(ShareUpdateExclusive)
    );
    assert_eq!(lock("CREATE TABLE t (a int)"), None);
    assert_eq!(lock("DROP TABLE t"), Some(AccessExclusive));
    assert_eq!(
        lock("ALTER TABLE t ADD COLUMN a int"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t ALTER a SET NOT NULL"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t ALTER a TYPE text"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t ADD CHECK (a > 0) NOT VALID"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u NOT VALID"),
        Some(ShareRowExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t VALIDATE CONSTRAINT c"),
        Some(ShareUpdateExclusive)
    );
    assert_eq!(lock("ALTER TABLE t RENAME a TO b"), Some(AccessExclusive));
    assert_eq!(lock("ALTER TABLE t DROP a"), Some(AccessExclusive));
    assert_eq!(lock("CREATE TABLE IF NOT EXISTS t (a int)"), None);
    assert_eq!(lock("DROP TABLE IF EXISTS t"), Some(AccessExclusive));
    assert_eq!(lock("DROP INDEX IF EXISTS i"), Some(AccessExclusive));
    assert_eq!(lock("CREATE INDEX IF NOT EXISTS i ON t (a)"), Some(Share));
    assert_eq!(
        lock("ALTER TABLE t DROP COLUMN IF EXISTS a"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t DETACH PARTITION p"),
        Some(AccessExclusive)
    );
    assert_eq!(
        lock("ALTER TABLE t DETACH PARTITION p CONCURRENTLY"),
        Some(ShareUpdateExclusive)
    );
    assert_eq!(lock("REINDEX TABLE t"), Some(Share));
    assert_eq!(
        lock("REINDEX TABLE CONCURRENTLY t"),
        Some(ShareUpdateExclusive)
    );
    assert_eq!(lock("VACUUM t"), Some(ShareUpdateExclusive));
    assert_eq!(lock("VACUUM FULL t"), Some(AccessExclusive));
    assert_eq!(lock("CLUSTER t"), Some(AccessExclusive));
    assert_eq!(lock("TRUNCATE t"), Some(AccessExclusive));
    assert_eq!(lock("TRUNCATE t CASCADE"), Some(AccessExclusive));
    assert_eq!(lock("LOCK t IN ROW SHARE MODE"), Some(RowShare));
    assert_eq!(lock("LOCK t IN EXCLUSIVE MODE"), Some(Exclusive));
    assert_eq!(
        lock("LOCK t IN SHARE ROW EXCLUSIVE MODE"),
        Some(ShareRowExclusive)
    );
    assert_eq!(lock("REFRESH MATERIALIZED VIEW v"), Some(AccessExclusive));
    assert_eq!(
        lock("REFRESH MATERIALIZED VIEW CONCURRENTLY v"),
        Some(Exclusive)
    );
    assert_eq!(lock("INSERT INTO t VALUES (1)"), Some(RowExclusive));
    assert_eq!(lock("UPDATE t SET a = 1"), Some(RowExclusive));
    assert_eq!(lock("DELETE FROM t"), Some(RowExclusive));
    assert_eq!(lock("WITH x AS (SELECT 1) SELECT * FROM x"), None);
    assert_eq!(lock("SET lock_timeout = '1s'"), None);
    assert_eq!(lock("BEGIN"), None);
    assert_eq!(lock("COMMIT"), None);
    assert_eq!(lock("ROLLBACK"), None);
    assert!(Share.is_dangerous() && !ShareUpdateExclusive.is_dangerous());
}

// ---------------------------------------------------------------- migration context

/// A migration's text and statements, which the migration borrows.
struct Fixture<'t> {
    text: &'t str,
    statements: Vec<MigrationStatement>,
    in_transaction: Option<bool>,
    runner: RunnerFacts,
}

impl Fixture<'_> {
    fn migration(&self) -> Migration<'_> {
        let settings = Settings {
            postgres_version: 15,
            in_transaction: self.in_transaction,
        };
        Migration::build(self.text, &self.statements, settings, &self.runner)
    }
}

fn fixture(text: &str, in_transaction: Option<bool>) -> Fixture<'_> {
    let statements = SqlFile::parse(text)
        .statements()
        .iter()
        .map(|statement| MigrationStatement {
            span: statement.span.clone(),
            ops: lower_statement(&statement.parsed).into(),
        })
        .collect();
    Fixture {
        text,
        statements,
        in_transaction,
        runner: runner::detect(Path::new(""), text, &ProjectFacts::default()),
    }
}

/// The context each statement starts in (every statement here has an op).
fn contexts(m: &Migration<'_>) -> Vec<Context> {
    let mut contexts: Vec<Context> = Vec::new();
    for at in m.ops() {
        if at.index == contexts.len() {
            contexts.push(at.context);
        }
    }
    assert_eq!(contexts.len(), m.statements().len());
    contexts
}

fn field(m: &Migration<'_>, get: fn(&Context) -> bool) -> Vec<bool> {
    contexts(m).iter().map(get).collect()
}

fn lock_timeouts(text: &str, in_transaction: Option<bool>) -> Vec<bool> {
    field(&fixture(text, in_transaction).migration(), |c| {
        c.lock_timeout
    })
}

#[test]
fn explicit_transactions() {
    let text = "SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3; START TRANSACTION; SELECT 4; ROLLBACK; SELECT 5;";
    let in_tx = |settings| field(&fixture(text, settings).migration(), |c| c.in_transaction);
    let explicit = [false, false, true, true, false, false, true, true, false];
    assert_eq!(in_tx(None), explicit);
    assert_eq!(in_tx(Some(false)), explicit);
    // The runner's transaction is open from the start; the file's COMMIT ends
    // it, as PostgreSQL does, and the file's own BEGIN starts the next.
    assert_eq!(
        in_tx(Some(true)),
        [true, true, true, true, false, false, true, true, false]
    );
    // A savepoint rollback does not leave the transaction.
    let f = fixture("BEGIN; ROLLBACK TO SAVEPOINT s; SELECT 1; COMMIT;", None);
    let m = f.migration();
    assert_eq!(field(&m, |c| c.in_transaction), [false, true, true, true]);
}

#[test]
fn session_lock_timeout() {
    assert_eq!(
        lock_timeouts("SELECT 1; SET lock_timeout = '2s'; SELECT 2;", None),
        [false, false, true]
    );
    for off in [
        "SET lock_timeout = 0",
        "SET lock_timeout = '0ms'",
        "SET lock_timeout TO DEFAULT",
        "RESET lock_timeout",
    ] {
        let text = format!("SET lock_timeout = '2s'; SELECT 1; {off}; SELECT 2;");
        assert_eq!(
            lock_timeouts(&text, None),
            [false, true, true, false],
            "{off}"
        );
    }
    // Another setting changes nothing; statement_timeout is tracked apart.
    let f = fixture(
        "SET lock_timeout = '1s'; SET search_path = x; SET statement_timeout = '5s'; SELECT 1;",
        None,
    );
    let m = f.migration();
    assert_eq!(field(&m, |c| c.lock_timeout), [false, true, true, true]);
    assert_eq!(
        field(&m, |c| c.statement_timeout),
        [false, false, false, true]
    );
}

#[test]
fn local_lock_timeout_ends_with_its_transaction() {
    let text = "BEGIN; SET LOCAL lock_timeout = '2s'; SELECT 1; COMMIT; SELECT 2;";
    assert_eq!(lock_timeouts(text, None), [false, false, true, true, false]);
    let text = "BEGIN; SET LOCAL lock_timeout = '2s'; ROLLBACK; SELECT 2;";
    assert_eq!(lock_timeouts(text, None), [false, false, true, false]);
    // A session value comes back after a local override ends.
    let text =
        "SET lock_timeout = '2s'; BEGIN; SET LOCAL lock_timeout = 0; SELECT 1; COMMIT; SELECT 2;";
    assert_eq!(
        lock_timeouts(text, None),
        [false, true, true, false, false, true]
    );
    // A plain SET inside a transaction outlives it (once committed).
    let text = "BEGIN; SET lock_timeout = '2s'; COMMIT; SELECT 1;";
    assert_eq!(lock_timeouts(text, None), [false, false, true, true]);
}

#[test]
fn rollback_undoes_session_settings_made_in_its_transaction() {
    let text = "BEGIN; SET lock_timeout = '2s'; ROLLBACK; SELECT 1;";
    assert_eq!(lock_timeouts(text, None), [false, false, true, false]);
    // The value from before the transaction comes back, whatever happened inside.
    let text = "SET lock_timeout = '2s'; BEGIN; RESET ALL; ROLLBACK; SELECT 1;";
    assert_eq!(lock_timeouts(text, None), [false, true, true, false, true]);
    // The runner's transaction counts too; the next one starts from what is kept.
    let f = fixture(
        "SET statement_timeout = '5s'; SET TIME ZONE 'UTC'; ROLLBACK; SELECT 1;",
        Some(true),
    );
    let m = f.migration();
    assert_eq!(
        field(&m, |c| c.statement_timeout),
        [false, true, true, false]
    );
    assert_eq!(field(&m, |c| c.timezone_utc), [false, false, true, false]);
    // A ROLLBACK outside any transaction changes nothing.
    let text = "SET lock_timeout = '2s'; ROLLBACK; SELECT 1;";
    assert_eq!(lock_timeouts(text, Some(false)), [false, true, true]);
}

#[test]
fn bare_set_local_depends_on_the_runner() {
    let text = "SET LOCAL lock_timeout = '2s'; SELECT 1;";
    // Unknown runner: trusted to open a transaction.
    assert_eq!(lock_timeouts(text, None), [false, true]);
    assert_eq!(lock_timeouts(text, Some(true)), [false, true]);
    // No transaction: SET LOCAL is a no-op.
    assert_eq!(lock_timeouts(text, Some(false)), [false, false]);
    // ...unless the file opens one itself.
    let text = "BEGIN; SET LOCAL lock_timeout = '2s'; SELECT 1;";
    assert_eq!(lock_timeouts(text, Some(false)), [false, false, true]);
}

#[test]
fn new_tables_and_their_indexes() {
    let f = fixture(
        "CREATE TABLE s.t (id int);
         CREATE INDEX t_idx ON t (id);
         ALTER TABLE S.T ADD COLUMN a int;
         ALTER TABLE other.t ADD COLUMN a int;
         ALTER TABLE u ADD COLUMN a int;
         DROP INDEX t_idx;
         DROP INDEX t_idx, u_idx;
         DROP INDEX u_idx;
         SELECT 1;",
        None,
    );
    let m = f.migration();
    let t = Name::new(None, "t");
    assert!(!m.is_new_table(&t, 0), "not before its own statement");
    assert!(m.is_new_table(&t, 1));
    assert!(m.is_new_table(&Name::new(Some("s".into()), "t"), 1));
    assert!(!m.is_new_table(&Name::new(Some("other".into()), "t"), 1));
    assert!(
        !m.is_new_table(&Name::new(None, "T"), 1),
        "quoted is another name"
    );
    assert!(!m.is_new_table(&Name::new(None, "u"), 5));
    let new: Vec<bool> = m.ops().map(|at| at.new_relation).collect();
    assert_eq!(
        new,
        [false, true, true, false, false, true, false, false, false]
    );
}

#[test]
fn new_schemas() {
    let f = fixture("SELECT 1; CREATE SCHEMA IF NOT EXISTS s; SELECT 2;", None);
    let m = f.migration();
    assert!(!m.is_new_schema("s", 1), "not before its own statement");
    assert!(m.is_new_schema("s", 2));
    assert!(!m.is_new_schema("S", 2), "quoted is another name");
    assert!(!m.is_new_schema("t", 2));
}

#[test]
fn not_null_proofs() {
    let t = Name::new(None, "t");
    // A valid CHECK proves from the next statement on.
    let f = fixture(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL); ALTER TABLE t ALTER a SET NOT NULL;",
        None,
    );
    let m = f.migration();
    assert!(!m.not_null_proven(&t, "a", 0));
    assert!(m.not_null_proven(&t, "a", 1));
    assert!(m.not_null_proven(&Name::new(Some("s".into()), "t"), "a", 1));
    assert!(!m.not_null_proven(&t, "b", 1));
    assert!(!m.not_null_proven(&Name::new(None, "u"), "a", 1));

    // NOT VALID proves nothing until validated.
    let f = fixture(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;
         SELECT 1;
         ALTER TABLE t VALIDATE CONSTRAINT c;
         ALTER TABLE t ALTER a SET NOT NULL;",
        None,
    );
    let m = f.migration();
    assert!(!m.not_null_proven(&t, "a", 1));
    assert!(!m.not_null_proven(&t, "a", 2));
    assert!(m.not_null_proven(&t, "a", 3));

    // Alone, or validated under another name, it never does.
    for text in [
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID; SELECT 1; SELECT 2;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT d; SELECT 2;",
        "ALTER TABLE t ADD CHECK (a IS NOT NULL) NOT VALID; SELECT 1; SELECT 2;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL OR b > 0); SELECT 1; SELECT 2;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (b > 0 OR a IS NOT NULL AND b < 0); SELECT 1; SELECT 2;",
    ] {
        let f = fixture(text, None);
        let m = f.migration();
        assert!(!m.not_null_proven(&t, "a", 3), "{text}");
    }

    // A conjunction proves each of its `IS NOT NULL` terms, once validated.
    let f = fixture(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL AND b IS NOT NULL AND a > 0) NOT VALID;
         ALTER TABLE t VALIDATE CONSTRAINT c;
         SELECT 1;",
        None,
    );
    let m = f.migration();
    assert!(!m.not_null_proven(&t, "a", 1));
    assert!(m.not_null_proven(&t, "a", 2));
    assert!(m.not_null_proven(&t, "b", 2));

    // The token path proves alike (SET STATISTICS sends the statement there).
    let f = fixture(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID, ALTER b SET STATISTICS 1;
         ALTER TABLE t VALIDATE CONSTRAINT c;
         SELECT 1;",
        None,
    );
    let m = f.migration();
    assert!(!m.not_null_proven(&t, "a", 1));
    assert!(m.not_null_proven(&t, "a", 2));
}

#[test]
fn declared_not_null_columns() {
    let t = Name::new(None, "t");
    let f = fixture(
        "CREATE TABLE t (a int NOT NULL, b int, c int PRIMARY KEY, d int, e int, PRIMARY KEY (d));
         ALTER TABLE t ADD COLUMN f int NOT NULL DEFAULT 0, ADD COLUMN g int;
         ALTER TABLE t ALTER b SET NOT NULL;
         ALTER TABLE t ADD CONSTRAINT h_nn NOT NULL h;
         ALTER TABLE t ADD CONSTRAINT i_nn NOT NULL i NOT VALID;
         ALTER TABLE t VALIDATE CONSTRAINT i_nn;
         ALTER TABLE t ADD CONSTRAINT j_nn CHECK (j IS NOT NULL);
         SELECT 1;",
        None,
    );
    let m = f.migration();
    let known = |column: &str, before: usize| m.declared_not_null(&t, column, before);
    assert!(!known("a", 0), "not before its own statement");
    for column in ["a", "c", "d"] {
        assert!(known(column, 1), "{column}");
    }
    assert!(!known("e", 7) && !known("g", 7));
    assert!(known("f", 2) && !known("b", 2) && known("b", 3));
    assert!(known("h", 4));
    assert!(!known("i", 5) && known("i", 6));
    // A CHECK proves the column non-null; it does not declare it NOT NULL.
    assert!(!known("j", 7) && m.not_null_proven(&t, "j", 7));
    assert!(!m.declared_not_null(&Name::new(None, "u"), "a", 7));
}

#[test]
fn created_indexes_by_name() {
    let f = fixture(
        "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a, \"B\");
         CREATE INDEX j ON u (lower(c));
         DROP INDEX i;
         CREATE UNIQUE INDEX i ON t (c);
         SELECT 1;",
        None,
    );
    let m = f.migration();
    let columns = |name: &str, before: usize| {
        m.created_index(name, before)
            .map(|at| at.op.columns.clone())
    };
    assert_eq!(columns("i", 0), None);
    assert_eq!(
        columns("i", 1),
        Some(vec!["a".to_string(), "B".to_string()])
    );
    assert_eq!(columns("j", 2), Some(vec!["lower(c)".to_string()]));
    assert_eq!(columns("i", 4), Some(vec!["c".to_string()]));
    assert_eq!(columns("k", 4), None);
}

#[test]
fn op_ranges_are_absolute() {
    let text = "-- é\nSELECT 1;\nALTER TABLE t ADD COLUMN a int, DROP COLUMN b;";
    let f = fixture(text, None);
    let m = f.migration();
    let ranges: Vec<&str> = m.ops().map(|at| &text[at.range()]).collect();
    assert_eq!(ranges, ["SELECT 1", "ADD COLUMN a int", "DROP COLUMN b"]);
    assert_eq!(m.source(), text);
}

#[test]
fn lines_break_where_the_editor_breaks_them() {
    let text = "SELECT 1;\r\nSELECT 2;\rSELECT 3;\nSELECT 4;";
    let f = fixture(text, None);
    let m = f.migration();
    let lines: Vec<usize> = m
        .statements()
        .iter()
        .map(|s| m.line_of(s.span.start))
        .collect();
    assert_eq!(lines, [1, 2, 3, 4]);
}

#[test]
fn blocking_locks_include_referenced_tables_and_attached_partitions() {
    let f = fixture(
        "CREATE TABLE child (id bigint, p bigint REFERENCES parent (id));
         ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);
         CREATE TABLE fresh (id bigint);
         ALTER TABLE child ADD COLUMN note text;
         ALTER TABLE events ATTACH PARTITION fresh FOR VALUES FROM (2) TO (3);",
        Some(true),
    );
    let m = f.migration();
    let locks: Vec<(usize, LockMode, String)> = m
        .blocking_locks()
        .iter()
        .map(|l| {
            (
                m.op_at(l.position).expect("a locked op").index,
                l.lock,
                l.table.map(|t| t.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        locks,
        [
            (0, ShareRowExclusive, "parent".to_string()),
            (1, AccessExclusive, "events_2026".to_string()),
            // The new table's partition is not scanned by anyone else's queries;
            // `events` itself takes only SHARE UPDATE EXCLUSIVE.
        ]
    );
    // The transaction's first write-blocking lock is the parent's; the first
    // ACCESS EXCLUSIVE is the partition's.
    let last = m.ops().last().expect("ops");
    assert_eq!(last.context.write_lock, Some(0));
    assert_eq!(last.context.access_exclusive, Some(1));
}

#[test]
fn alter_sequence_locks_by_what_it_changes() {
    let lock_of = |sql: &str| {
        let (_, ops) = lower(sql);
        ops.iter()
            .map(|op| (op.lock(), op.table.clone()))
            .collect::<Vec<_>>()
    };
    let seq = || Some(Name::new(None, "s"));
    assert_eq!(
        lock_of("ALTER SEQUENCE s RESTART WITH 10;"),
        [(Some(AccessExclusive), seq())]
    );
    assert_eq!(
        lock_of("ALTER SEQUENCE IF EXISTS s RENAME TO t;"),
        [(Some(AccessExclusive), seq())]
    );
    assert_eq!(
        lock_of("ALTER SEQUENCE s OWNED BY t.id;"),
        [(Some(ShareRowExclusive), seq())]
    );
    assert_eq!(
        lock_of("ALTER SEQUENCE s INCREMENT BY 2;"),
        [(Some(ShareRowExclusive), seq())]
    );
}
