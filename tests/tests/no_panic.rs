//! Properties of the public engine on generated input: it never panics, every
//! range it reports lies inside the text on character boundaries, and the
//! incremental path (LSP edits applied to an open document) reports exactly
//! what a one-shot check of the same text reports. For `.sql` files and for
//! migrations written in Python and TypeScript alike.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use preflight::config::Config;
use preflight::engine::{self, Analysis};
use preflight::finding::Finding;
use preflight::lsp::convert;
use preflight::text::{ByteEdit, Document, Language, Position, PositionEncoding, TextChange};
use proptest::prelude::*;

/// Where each language's documents are checked from.
const SQL: &str = "m.sql";
const PYTHON: &str = "alembic/versions/r.py";
const TYPESCRIPT: &str = "src/migration/1700000000000-M.ts";

fn check(text: &str) -> Vec<Finding> {
    check_at(SQL, text)
}

fn check_at(path: &str, text: &str) -> Vec<Finding> {
    engine::check_text(Path::new(path), text, &Config::default())
}

/// Every finding's range, and every edit of the checked file its fixes make,
/// lies within `text` on character boundaries.
fn ranges_are_valid(text: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    let valid = |range: &std::ops::Range<usize>| {
        range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end)
    };
    for finding in findings {
        prop_assert!(
            valid(&finding.range),
            "{} at {:?} in {:?}",
            finding.rule,
            finding.range,
            text
        );
        for fix in &finding.fixes {
            for edit in fix.edits.iter().filter(|e| e.file.is_none()) {
                prop_assert!(
                    valid(&edit.range),
                    "fix {:?} of {} edits {:?} in {:?}",
                    fix.title,
                    finding.rule,
                    edit.range,
                    text
                );
            }
        }
    }
    Ok(())
}

const FRAGMENTS: &[&str] = &[
    // Keywords.
    "ALTER",
    "TABLE",
    "ADD",
    "COLUMN",
    "CREATE",
    "INDEX",
    "CONCURRENTLY",
    "DROP",
    "SET",
    "LOCAL",
    "lock_timeout",
    "NOT",
    "NULL",
    "VALID",
    "VALIDATE",
    "CONSTRAINT",
    "CHECK",
    "FOREIGN",
    "KEY",
    "REFERENCES",
    "RENAME",
    "TO",
    "TYPE",
    "BEGIN",
    "COMMIT",
    "ON",
    "IS",
    "DEFAULT",
    "int",
    "=",
    "'2s'",
    "0",
    // Identifiers.
    "t",
    "users",
    "Users",
    "s.t",
    "a",
    "\"é\"",
    "\"🚀\"",
    "\"表\"",
    "\"a\"\"b\"",
    "\"unterminated",
    "é",
    "表",
    // Strings, dollar quotes.
    "'it''s;'",
    "'",
    "E'\\';'",
    "E'",
    "$$ ; $$",
    "$tag$ ; $$ $tag$",
    "$$",
    "$t$",
    // Comments.
    "-- c ; \n",
    "-- preflight: ignore[require-lock-timeout] reason\n",
    "-- preflight: ignore[require-concurrent-index-creation, no-such-rule]\r\n",
    "-- preflight: ignore-file[drop-table]\n",
    "-- preflight: ignore[\n",
    "--",
    "/* a ; /* nested */ b */",
    "/*",
    // Punctuation and line ends.
    "(",
    ")",
    ",",
    ";",
    ";",
    ".",
    "\r\n",
    "\n",
    "\r",
    // Whole statements, so that rules fire often.
    "CREATE INDEX i ON t (a);",
    "ALTER TABLE t ADD COLUMN a int NOT NULL;",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;",
    "ALTER TABLE t VALIDATE CONSTRAINT c;",
    "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id);",
    "ALTER TABLE t RENAME COLUMN a TO b;",
    "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
    "ALTER TABLE \"🚀\" DROP COLUMN \"é\";",
    "DROP TABLE t;",
    "CREATE TABLE t (a int);",
    "SET lock_timeout = '2s';",
    "SET LOCAL lock_timeout = '2s';",
];

/// Pieces of Alembic revisions: the markers that make a file one, calls with
/// their arguments, blocks, strings of every quoting, SQL inside them.
const PYTHON_FRAGMENTS: &[&str] = &[
    "revision = 'a1'\n",
    "down_revision = None\n",
    "def upgrade():\n",
    "def downgrade():\n",
    "    ",
    "        ",
    "pass",
    "raise NotImplementedError()",
    "op.create_index('i', 't', ['c'])",
    "op.create_index('i', 't', ['c'], postgresql_concurrently=True)",
    "op.drop_index('i', table_name='t')",
    "op.add_column('t', sa.Column('c', sa.Integer(), nullable=False))",
    "op.add_column('t', sa.Column('c', sa.UUID(), server_default=sa.text('gen_random_uuid()')))",
    "op.alter_column('t', 'c', nullable=False, type_=sa.Text(), new_column_name='d')",
    "op.create_foreign_key('fk', 't', 'u', ['a'], ['id'])",
    "op.create_check_constraint('ck', 't', 'c IS NOT NULL', postgresql_not_valid=True)",
    "op.drop_constraint('fk', 't', type_='foreignkey')",
    "op.drop_table('t')",
    "op.execute(",
    "op.execute(sa.text(",
    "conn.execute(",
    "with op.get_context().autocommit_block():\n",
    "with op.batch_alter_table('t') as batch_op:\n",
    "with op.batch_alter_table('t', recreate='always') as b:\n",
    "batch_op.add_column(sa.Column('x', sa.Text()))",
    "b.drop_column('x')",
    "op.bulk_insert(t, [])",
    "t = sa.table('t')\n",
    "'CREATE INDEX i ON t (c)'",
    "\"ALTER TABLE t ADD COLUMN c int NOT NULL\"",
    "\"UPDATE t SET a = 1\"",
    "'''\nDROP TABLE t;\nSET lock_timeout = 0;\n'''",
    "\"\"\"",
    "r'\\n'",
    "f'x {y}'",
    "f'{{x}}'",
    "b'x'",
    "'\\'",
    "'\\x4'",
    "'\\N{BULLET}'",
    "'\\u00e9'",
    "\"é🚀\"",
    "'",
    "\"",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "\\\n",
    "# preflight: ignore[drop-table] reason\n",
    "# preflight: ignore-file[require-lock-timeout]\n",
    "# preflight: ignore[\n",
    "#",
    "sql",
    "True",
    "None",
];

/// Pieces of TypeORM and Knex migrations.
const TYPESCRIPT_FRAGMENTS: &[&str] = &[
    "export class M1700000000000 implements MigrationInterface {\n",
    "transaction = false\n",
    "public async up(queryRunner: QueryRunner): Promise<void> {\n",
    "public async down(queryRunner: QueryRunner): Promise<void> {\n",
    "await queryRunner.query(",
    "exports.up = function (knex) {\n",
    "exports.down = async (knex) => {\n",
    "exports.config = { transaction: false };\n",
    "return knex.schema.alterTable('t', (table) => {\n",
    "table.index(['c'])",
    "table.string('c').notNullable()",
    "knex.raw(",
    "`CREATE INDEX i ON t (c)`",
    "`ALTER TABLE t ADD ${c}`",
    "'DROP TABLE t'",
    "\"UPDATE t SET a = 1\"",
    "'\\u{1F680}'",
    "'\\x'",
    "`",
    "${",
    "'",
    "\"",
    " + ",
    "(",
    ")",
    "{",
    "}",
    ";",
    ",",
    "=>",
    "// preflight: ignore[drop-table] reason\n",
    "/* c */",
];

const SEPARATORS: &[&str] = &[" ", " ", " ", "", "\n", "\r\n", "\t"];

/// Fragments joined by whitespace (or nothing).
fn joined(
    fragments: &'static [&'static str],
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(fragments),
            prop::sample::select(SEPARATORS),
        ),
        count,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(fragment, separator)| [fragment, separator])
            .collect()
    })
}

/// Text of `fragments` after `prefix`, which makes most of it a migration
/// the front end reads.
fn migration_like(
    prefix: &'static str,
    fragments: &'static [&'static str],
) -> impl Strategy<Value = String> {
    joined(fragments, 0..60).prop_map(move |body| format!("{prefix}{body}"))
}

/// A settings module outside any migrations directory: the env path.
const SETTINGS: &str = "app/core/config.py";
const SETTINGS_PREFIX: &str =
    "import os\nfrom os import environ, getenv\nfrom pydantic_settings import BaseSettings\n\n";

const ENV_FRAGMENTS: &[&str] = &[
    "os.getenv(",
    "os.environ.get(",
    "os.environ[",
    "os.environ.setdefault(",
    "environ.get(",
    "getenv(",
    "'SECRET_KEY'",
    "\"PORT\"",
    "8000",
    "Path('/x')",
    "SecretStr('x')",
    "'changeme'",
    ")",
    "]",
    ",",
    " = ",
    ": ",
    "x",
    "if ",
    "not ",
    " or ",
    "\n",
    "    ",
    "class S(BaseSettings):\n",
    "class T(S):\n",
    "    model_config = SettingsConfigDict(env_prefix='A_')\n",
    "    class Config:\n",
    "        env_prefix = 'B_'\n",
    "    token: str",
    "    port: Optional[int]",
    "Field(",
    "default=",
    "default_factory=list",
    "validation_alias='X'",
    "...",
    "None",
    "# preflight: ignore[getenv-unvalidated] r\n",
    "'''",
    "'",
    "\\",
];

/// An env example file: the dotenv path.
const ENV_EXAMPLE: &str = ".env.example";
const DOTENV_FRAGMENTS: &[&str] = &[
    "KEY",
    "SECRET_KEY",
    "=",
    " = ",
    "export ",
    "# ",
    "#",
    "\"",
    "'",
    "`",
    "${",
    "}",
    "\\",
    "value",
    "sk-ant-api03-Qx7vR2mK9pL4tW8nZ3bY6cF1hJ5dG0sA",
    "-----BEGIN PRIVATE KEY-----",
    "é",
    "\n",
    "\r\n",
    "\r",
    " ",
    "1",
];

/// A TypeScript env module outside any migrations directory.
const TS_ENV: &str = "src/env.ts";
const TS_ENV_PREFIX: &str =
    "import { cleanEnv, str, port } from 'envalid';\nimport { z } from 'zod';\n\n";

const TS_ENV_FRAGMENTS: &[&str] = &[
    "process.env.",
    "process.env[",
    "import.meta.env.",
    "const { A, B = 'b' } = process.env;\n",
    "SECRET_KEY",
    "NEXT_PUBLIC_API_TOKEN",
    "'PORT'",
    "!",
    " ?? ",
    " || ",
    " === ",
    "if (",
    "export const env = cleanEnv(process.env, {\n",
    "export const env = createEnv({\n",
    "z.object({",
    ").parse(process.env)",
    "server: {",
    "client: {",
    "runtimeEnv: {",
    "skipValidation: true,",
    "reporter: ({ errors }) => { console.log(errors) },",
    "KEY: str({ default: 'changeme', devDefault: '' }),",
    "port()",
    "z.string().url().optional()",
    ".default(",
    "z.enum(['a', 'b'])",
    "z.coerce.number()",
    "`${",
    "'",
    "\"",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    ";",
    "\n",
    "// preflight: ignore[getenv-unvalidated] r\n",
];

const REVISION: &str = "revision = 'a1'\n\ndef upgrade():\n    ";
const TYPEORM_CLASS: &str =
    "export class M implements MigrationInterface {\n  async up(queryRunner: QueryRunner) {\n    ";

/// SQL-like text.
fn sql_like() -> impl Strategy<Value = String> {
    joined(FRAGMENTS, 0..40)
}

/// A position that may lie past its line or past the text, or inside a
/// surrogate pair (an emoji is two UTF-16 units).
fn position() -> impl Strategy<Value = Position> {
    (0u32..8, prop_oneof![0u32..24, 0u32..200])
        .prop_map(|(line, character)| Position { line, character })
}

/// One `contentChanges` entry made of `fragments`: mostly ranged edits
/// (a few fragments, or nothing: a deletion), sometimes a full replacement,
/// and now and then an inverted range the document rejects.
fn change(fragments: &'static [&'static str]) -> impl Strategy<Value = TextChange> {
    prop_oneof![
        12 => (position(), position(), joined(fragments, 0..4)).prop_map(|(a, b, text)| TextChange {
            range: Some((a.min(b), a.max(b))),
            text,
        }),
        1 => joined(fragments, 0..40).prop_map(|text| TextChange { range: None, text }),
        1 => (position(), position(), joined(fragments, 0..4)).prop_map(|(a, b, text)| TextChange {
            range: Some((a, b)),
            text,
        }),
    ]
}

fn open(path: &str, text: &str) -> Analysis {
    let path = PathBuf::from(path);
    let language = Language::from_path(&path);
    Analysis::new(Some(path), Document::new(text, 0, language))
}

/// Whether a fresh check of `text` at `path` must equal the incremental one.
/// tree-sitter recovers from syntax errors differently when it re-parses
/// with the old tree than when it parses afresh, so for a Python or
/// TypeScript text that does not parse the two may see different code (the
/// editor catches up once the text parses again); for text that parses, and
/// for SQL, they must agree exactly.
fn comparable(path: &str, text: &str) -> bool {
    let language = Language::from_path(Path::new(path));
    match language {
        Language::Python | Language::TypeScript | Language::JavaScript => {
            preflight::syntax::trees::parse(language, text)
                .is_some_and(|tree| !tree.root_node().has_error())
        }
        _ => true,
    }
}

/// After any sequence of `didChange` notifications the open document at
/// `path` reports exactly what a fresh check of its text reports (see
/// [`comparable`] for text that does not parse).
fn incremental_matches_fresh(
    path: &str,
    initial: &str,
    notifications: Vec<(Vec<TextChange>, bool)>,
) -> Result<(), TestCaseError> {
    let config = Config::default();
    let mut analysis = open(path, initial);
    prop_assert_eq!(analysis.findings(&config), check_at(path, initial));
    for (version, (changes, look)) in (1..).zip(notifications) {
        // An inverted range stops the notification; the changes before it
        // stay applied, which the comparison below covers.
        if analysis
            .apply_changes(version, &changes, PositionEncoding::Utf16)
            .is_ok()
        {
            prop_assert_eq!(analysis.document().version(), version);
        }
        // Sometimes several notifications pile up before anyone asks.
        if look {
            let text = analysis.document().text();
            let findings = analysis.findings(&config);
            ranges_are_valid(&text, &findings)?;
            if comparable(path, &text) {
                prop_assert_eq!(findings, check_at(path, &text), "text: {:?}", text);
            }
        }
    }
    let text = analysis.document().text();
    let findings = analysis.findings(&config);
    ranges_are_valid(&text, &findings)?;
    if comparable(path, &text) {
        prop_assert_eq!(findings, check_at(path, &text), "text: {:?}", text);
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let findings = check(&text);
        ranges_are_valid(&text, &findings)?;
    }

    #[test]
    fn ascii_and_line_ends_never_panic(text in "[ -~\t\r\n]{0,200}") {
        let findings = check(&text);
        ranges_are_valid(&text, &findings)?;
    }

    #[test]
    fn sql_like_text_never_panics(text in sql_like()) {
        let findings = check(&text);
        ranges_are_valid(&text, &findings)?;
    }

    /// The incremental path end to end.
    #[test]
    fn edits_then_findings_match_a_fresh_check(
        initial in sql_like(),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
    ) {
        incremental_matches_fresh(SQL, &initial, notifications)?;
    }

    #[test]
    fn python_and_typescript_text_never_panics(text in any::<String>()) {
        for path in [PYTHON, TYPESCRIPT] {
            ranges_are_valid(&text, &check_at(path, &text))?;
        }
    }

    #[test]
    fn migration_like_python_never_panics(text in migration_like(REVISION, PYTHON_FRAGMENTS)) {
        ranges_are_valid(&text, &check_at(PYTHON, &text))?;
    }

    #[test]
    fn settings_like_python_never_panics(text in migration_like(SETTINGS_PREFIX, ENV_FRAGMENTS)) {
        ranges_are_valid(&text, &check_at(SETTINGS, &text))?;
    }

    #[test]
    fn dotenv_like_text_never_panics(text in migration_like("", DOTENV_FRAGMENTS)) {
        ranges_are_valid(&text, &check_at(ENV_EXAMPLE, &text))?;
    }

    #[test]
    fn settings_edits_then_findings_match_a_fresh_check(
        initial in migration_like(SETTINGS_PREFIX, ENV_FRAGMENTS),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(ENV_FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
    ) {
        incremental_matches_fresh(SETTINGS, &initial, notifications)?;
    }

    #[test]
    fn env_like_typescript_never_panics(text in migration_like(TS_ENV_PREFIX, TS_ENV_FRAGMENTS)) {
        ranges_are_valid(&text, &check_at(TS_ENV, &text))?;
    }

    #[test]
    fn typescript_env_edits_then_findings_match_a_fresh_check(
        initial in migration_like(TS_ENV_PREFIX, TS_ENV_FRAGMENTS),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(TS_ENV_FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
    ) {
        incremental_matches_fresh(TS_ENV, &initial, notifications)?;
    }

    #[test]
    fn migration_like_typescript_never_panics(text in migration_like(TYPEORM_CLASS, TYPESCRIPT_FRAGMENTS)) {
        ranges_are_valid(&text, &check_at(TYPESCRIPT, &text))?;
    }

    #[test]
    fn python_edits_then_findings_match_a_fresh_check(
        initial in migration_like(REVISION, PYTHON_FRAGMENTS),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(PYTHON_FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
    ) {
        incremental_matches_fresh(PYTHON, &initial, notifications)?;
    }

    #[test]
    fn typescript_edits_then_findings_match_a_fresh_check(
        initial in migration_like(TYPEORM_CLASS, TYPESCRIPT_FRAGMENTS),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(TYPESCRIPT_FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
    ) {
        incremental_matches_fresh(TYPESCRIPT, &initial, notifications)?;
    }

    /// The server's diagnostics path: positions carried over from the last
    /// conversion across any edits equal the positions computed afresh, in
    /// every encoding.
    #[test]
    fn carried_diagnostics_match_fresh_ones(
        initial in sql_like(),
        notifications in prop::collection::vec(
            (prop::collection::vec(change(FRAGMENTS), 1..4), any::<bool>()),
            1..6,
        ),
        encoding in prop_oneof![
            Just(PositionEncoding::Utf8),
            Just(PositionEncoding::Utf16),
            Just(PositionEncoding::Utf32),
        ],
    ) {
        let config = Config::default();
        let mut analysis = open("m.sql", &initial);
        let findings = Arc::new(analysis.diagnose(&config));
        let (_, mut converted) =
            convert::diagnostics_after_edit(analysis.document(), findings, None, encoding);
        let mut since: Option<ByteEdit> = None;
        for (version, (changes, look)) in (1..).zip(notifications) {
            match analysis.apply_changes(version, &changes, PositionEncoding::Utf16) {
                Ok(Some(edit)) => since = Some(since.map_or(edit, |s| s.then(edit))),
                Ok(None) => {}
                // Some changes may have landed: start over, as the server does.
                Err(_) => {
                    let findings = Arc::new(analysis.diagnose(&config));
                    converted =
                        convert::diagnostics_after_edit(analysis.document(), findings, None, encoding).1;
                    since = None;
                    continue;
                }
            }
            if look {
                let findings = Arc::new(analysis.diagnose(&config));
                let fresh = convert::diagnostics(analysis.document(), &findings, encoding);
                let previous = Some((converted, since.take().unwrap_or(ByteEdit::NONE)));
                let (carried, next) =
                    convert::diagnostics_after_edit(analysis.document(), findings, previous, encoding);
                prop_assert_eq!(carried, fresh, "text: {:?}", analysis.document().text());
                converted = next;
            }
        }
    }
}

// ------------------------------------------------------------------- YAML

/// Pieces of workflows, GitLab CI files and manifests, with the indentation,
/// quoting and block scalars that make YAML hard to slice.
const YAML_FRAGMENTS: &[&str] = &[
    "on: push\n",
    "on: [push, pull_request_target]\n",
    "jobs:\n",
    "  test:\n",
    "  deploy:\n",
    "    runs-on: ubuntu-latest\n",
    "    needs: [test]\n",
    "    environment: production\n",
    "    continue-on-error: true\n",
    "    steps:\n",
    "      - uses: actions/checkout@v4\n",
    "        with:\n",
    "          ref: ${{ github.event.pull_request.head.sha }}\n",
    "      - run: npm test || true\n",
    "      - run: |\n",
    "          set +e\n",
    "          pytest | tee log\n",
    "          git push --force origin main\n",
    "      - run: \"echo \\\"${{ github.event.issue.title }}\\\"\"\n",
    "      - run: 'docker push app:latest'\n",
    "---\n",
    "apiVersion: apps/v1\n",
    "kind: Deployment\n",
    "kind: PodDisruptionBudget\n",
    "metadata: {name: api}\n",
    "spec:\n",
    "  replicas: 3\n",
    "  strategy: {type: Recreate}\n",
    "  template:\n",
    "    metadata: {labels: {app: api}}\n",
    "    spec:\n",
    "      containers:\n",
    "        - name: api\n",
    "          ports: [{containerPort: 80}]\n",
    "  selector:\n",
    "    matchLabels: {app: api}\n",
    "stages: [test, deploy]\n",
    "unit:\n",
    "  script:\n",
    "    - pytest || exit 0\n",
    "  allow_failure: true\n",
    "base: &base\n",
    "  <<: *base\n",
    "  <<: *missing\n",
    "# preflight: ignore[test-failure-masked] why\n",
    "# preflight: ignore-file[no-pdb]\n",
    "key: >-\n",
    "  folded é 🚀\n",
    "\t\n",
    "[",
    "{",
    "- ",
    ": ",
    "'",
    "\"",
    "\r\n",
];

fn yaml_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(YAML_FRAGMENTS), 0..30)
        .prop_map(|parts| parts.concat())
}

/// Where each shape of YAML file is recognised.
const YAML_PATHS: &[&str] = &[".github/workflows/ci.yml", ".gitlab-ci.yml", "k8s/app.yaml"];

fn check_yaml(path: &str, text: &str) -> Vec<Finding> {
    engine::check_text(Path::new(path), text, &Config::default())
}

fn yaml_change() -> impl Strategy<Value = TextChange> {
    (
        position(),
        position(),
        prop::collection::vec(prop::sample::select(YAML_FRAGMENTS), 0..3),
    )
        .prop_map(|(a, b, parts)| TextChange {
            range: Some((a.min(b), a.max(b))),
            text: parts.concat(),
        })
}

proptest! {
    #[test]
    fn arbitrary_yaml_never_panics(text in yaml_like(), path in prop::sample::select(YAML_PATHS)) {
        let findings = check_yaml(path, &text);
        ranges_are_valid(&text, &findings)?;
    }

    #[test]
    fn arbitrary_text_as_yaml_never_panics(text in any::<String>(), path in prop::sample::select(YAML_PATHS)) {
        let findings = check_yaml(path, &text);
        ranges_are_valid(&text, &findings)?;
    }

    /// The YAML tree edited in place reports what a fresh parse reports.
    #[test]
    fn yaml_edits_then_findings_match_a_fresh_check(
        initial in yaml_like(),
        path in prop::sample::select(YAML_PATHS),
        notifications in prop::collection::vec(prop::collection::vec(yaml_change(), 1..3), 1..5),
    ) {
        let config = Config::default();
        let mut analysis = Analysis::new(Some(PathBuf::from(path)), Document::new(&initial, 0, Language::Yaml));
        prop_assert_eq!(analysis.findings(&config), check_yaml(path, &initial));
        for (version, changes) in (1..).zip(notifications) {
            let _ = analysis.apply_changes(version, &changes, PositionEncoding::Utf16);
            let text = analysis.document().text();
            let findings = analysis.findings(&config);
            ranges_are_valid(&text, &findings)?;
            prop_assert_eq!(findings, check_yaml(path, &text), "text: {:?}", text);
        }
    }
}
