//! Black-box tests of the command line: `preflight check`, `rules` and `explain`,
//! run as the real binary. Inputs live in `tests/data/cli/`; cases that need
//! ignored, hidden or broken files build them in a fresh temporary directory.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{preflight_bin, workspace_root};
use serde_json::Value;

const INDEX_LINE: &str = "CREATE INDEX idx ON users (email);";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(preflight_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("PREFLIGHT_LOG")
        .output()
        .expect("the preflight binary runs");
    Run {
        code: output
            .status
            .code()
            .expect("exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn data() -> PathBuf {
    workspace_root().join("tests/data/cli")
}

fn run(args: &[&str]) -> Run {
    run_in(&data(), args)
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON object ({e}):\n{}", run.stdout))
}

fn findings(json: &Value) -> &Vec<Value> {
    json["findings"].as_array().expect("`findings` is an array")
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("preflight-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.0.join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("create dirs");
        fs::write(path, contents).expect("write file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// 1-based line and 1-based character column of a byte offset, computed
/// independently of the binary. `\r\n`, `\n` and a lone `\r` end lines.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let mut line = 1;
    let mut column = 1;
    let mut chars = before.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                line += 1;
                column = 1;
            }
            _ => column += 1,
        }
    }
    (line, column)
}

/// Every field of every finding has the documented type, and `range` agrees
/// with `offset` in the file's text.
fn check_schema(json: &Value, dir: &Path) {
    assert_eq!(json["version"], 1);
    let list = findings(json);
    assert_eq!(
        json["summary"]["findings"].as_u64(),
        Some(list.len() as u64)
    );
    assert!(json["summary"]["files"].is_u64());
    for finding in list {
        let path = finding["path"].as_str().expect("path is a string");
        assert!(!path.contains('\\') && !path.starts_with("./"), "{path}");
        assert!(finding["rule"].is_string());
        let severity = finding["severity"].as_str().unwrap();
        assert!(
            ["error", "warning", "info", "hint"].contains(&severity),
            "{severity}"
        );
        let class = finding["class"].as_str().unwrap();
        assert!(
            ["additive", "transformative", "destructive", "any"].contains(&class),
            "{class}"
        );
        assert!(finding["message"].is_string());
        assert!(finding["help"].is_string() || finding["help"].is_null());
        let start = finding["offset"]["start"].as_u64().unwrap() as usize;
        let end = finding["offset"]["end"].as_u64().unwrap() as usize;
        assert!(start <= end);
        let text = fs::read_to_string(dir.join(path)).unwrap();
        for (key, offset) in [("start", start), ("end", end)] {
            let (line, column) = line_col(&text, offset);
            let pos = &finding["range"][key];
            assert_eq!(pos["line"].as_u64(), Some(line), "{key} line of {finding}");
            assert_eq!(
                pos["column"].as_u64(),
                Some(column),
                "{key} column of {finding}"
            );
        }
        for fix in finding["fixes"].as_array().expect("fixes is an array") {
            assert!(fix["title"].is_string());
            let applicability = fix["applicability"].as_str().unwrap();
            assert!(["safe", "unsafe"].contains(&applicability));
            for edit in fix["edits"].as_array().unwrap() {
                assert!(edit["path"].is_string() || edit["path"].is_null());
                assert!(edit["offset"]["start"].as_u64() <= edit["offset"]["end"].as_u64());
                assert!(edit["replacement"].is_string());
                assert!(edit["create"].is_boolean());
            }
        }
    }
}

fn rule_ids(json: &Value) -> Vec<&str> {
    findings(json)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------- text output

#[test]
fn text_output_points_at_the_statement_with_a_caret_line_and_help() {
    let text = run(&["check", "index.sql"]);
    let json = json_of(&run(&["check", "--format", "json", "index.sql"]));
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    assert_eq!(rule_ids(&json), ["require-concurrent-index-creation"]);
    let finding = &findings(&json)[0];

    let lines: Vec<&str> = text.stdout.lines().collect();
    let header = format!(
        "index.sql:2:1: error[require-concurrent-index-creation] {}",
        finding["message"].as_str().unwrap()
    );
    assert_eq!(lines[0], header);
    assert_eq!(lines[1], "  |");
    assert_eq!(lines[2], format!("2 | {INDEX_LINE}"));
    // The underline covers the finding's range on its first line.
    let end = &finding["range"]["end"];
    let width = if end["line"] == 2 {
        end["column"].as_u64().unwrap() as usize - 1
    } else {
        INDEX_LINE.len()
    };
    assert_eq!(lines[3], format!("  | {}", "^".repeat(width.max(1))));
    let mut next = 4;
    if let Some(help) = finding["help"].as_str() {
        assert_eq!(
            lines[4],
            format!("  = help: {}", help.lines().next().unwrap())
        );
        next += help.lines().count();
    }
    for fix in finding["fixes"].as_array().unwrap() {
        let label = if fix["applicability"] == "safe" {
            "fix"
        } else {
            "fix (unsafe)"
        };
        assert_eq!(
            lines[next],
            format!("  = {label}: {}", fix["title"].as_str().unwrap())
        );
        next += 1;
    }
    assert_eq!(
        lines[next..],
        [
            "",
            "Found 1 finding (1 error) in 1 file.",
            "Statements: 1 additive, 0 transformative, 0 destructive."
        ]
    );
    assert!(text.stderr.is_empty(), "{}", text.stderr);
}

#[test]
fn text_caret_line_accounts_for_wide_characters() {
    let out = run(&["check", "unicode.sql"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("unicode.sql:2:19: warning[drop-column] "),
        "{}",
        lines[0]
    );
    assert_eq!(lines[2], "2 | ALTER TABLE \"é🚀表\" DROP COLUMN c;");
    // `ALTER TABLE ` (12) + `"é🚀表"` (1 + 1 + 2 + 2 + 1 terminal columns) + ` ` = 20.
    let carets = lines[3].strip_prefix("  | ").expect("caret line");
    assert!(
        carets.starts_with(&format!("{}^", " ".repeat(20))),
        "{carets:?}"
    );
    assert_eq!(
        lines[lines.len() - 2..],
        [
            "Found 1 finding (1 warning) in 1 file.",
            "Statements: 0 additive, 0 transformative, 1 destructive."
        ]
    );
}

#[test]
fn clean_file_says_no_findings_and_exits_0() {
    let out = run(&["check", "clean.sql"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout,
        "No findings in 1 file.\nStatements: 0 additive, 0 transformative, 0 destructive.\n"
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

// ---------------------------------------------------------------- JSON output

#[test]
fn json_output_fields_for_a_warning() {
    let out = run(&["check", "--format", "json", "drop_column.sql"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let json = json_of(&out);
    check_schema(&json, &data());
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["findings"], 1);
    let finding = &findings(&json)[0];
    assert_eq!(finding["path"], "drop_column.sql");
    assert_eq!(finding["rule"], "drop-column");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["class"], "destructive");
    assert!(!finding["message"].as_str().unwrap().is_empty());
    let text = fs::read_to_string(data().join("drop_column.sql")).unwrap();
    let drop = text.find("DROP COLUMN").unwrap() as u64;
    assert_eq!(finding["offset"]["start"], drop);
    assert_eq!(finding["range"]["start"]["line"], 2);
    assert_eq!(finding["range"]["start"]["column"], 19);
    assert_eq!(finding["range"]["end"]["line"], 2);
    assert!(finding["fixes"].is_array());
}

#[test]
fn json_columns_count_characters_after_non_ascii_text() {
    let out = run(&["check", "--format", "json", "unicode.sql"]);
    let json = json_of(&out);
    check_schema(&json, &data());
    assert_eq!(rule_ids(&json), ["drop-column"]);
    let finding = &findings(&json)[0];
    let text = fs::read_to_string(data().join("unicode.sql")).unwrap();
    let drop = text.find("DROP COLUMN").unwrap();
    // é is 2 bytes, 🚀 4 and 表 3, but each is one character: the column is the
    // same as with an ASCII table name of five characters, the offset is not.
    assert_eq!(finding["offset"]["start"].as_u64(), Some(drop as u64));
    assert_eq!(drop, "SET lock_timeout = '2s';\n".len() + 12 + 11 + 1);
    assert_eq!(finding["range"]["start"]["line"], 2);
    assert_eq!(finding["range"]["start"]["column"], 19);
}

#[test]
fn json_lines_and_offsets_in_a_crlf_file() {
    let bytes = fs::read(data().join("crlf.sql")).unwrap();
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "crlf.sql lost its CRLF line endings (see tests/data/cli/.gitattributes)"
    );
    let out = run(&["check", "--format", "json", "crlf.sql"]);
    let json = json_of(&out);
    check_schema(&json, &data());
    assert_eq!(rule_ids(&json), ["drop-column"]);
    let finding = &findings(&json)[0];
    assert_eq!(
        finding["offset"]["start"].as_u64(),
        Some("SET lock_timeout = '2s';\r\nALTER TABLE users ".len() as u64)
    );
    assert_eq!(finding["range"]["start"]["line"], 2);
    assert_eq!(finding["range"]["start"]["column"], 19);
}

#[test]
fn walking_the_current_directory_sorts_by_path_then_offset() {
    let out = run(&["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let json = json_of(&out);
    check_schema(&json, &data());
    assert_eq!(json["summary"]["files"], 7);
    let keys: Vec<(String, u64)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["offset"]["start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let paths: Vec<&str> = keys.iter().map(|(p, _)| p.as_str()).collect();
    for path in ["crlf.sql", "drop_column.sql", "index.sql", "unicode.sql"] {
        assert!(paths.contains(&path), "{path} in {paths:?}");
    }
    assert!(!paths.contains(&"clean.sql"));
}

#[test]
fn json_on_a_clean_file_is_an_empty_list() {
    let out = run(&["check", "--format", "json", "clean.sql"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let json = json_of(&out);
    assert_eq!(
        json,
        serde_json::json!({
            "version": 1,
            "findings": [],
            "files": [{
                "path": "clean.sql",
                "classes": {"additive": 0, "transformative": 0, "destructive": 0}
            }],
            "summary": {"files": 1, "findings": 0}
        })
    );
}

// ---------------------------------------------------------------- classification

/// Two additive statements (one flagged, one not), one transformative, two
/// destructive, and a `SET` that has no class.
const MIXED_SQL: &str = "SET lock_timeout = '2s';\n\
CREATE TABLE accounts (id bigint PRIMARY KEY);\n\
CREATE INDEX CONCURRENTLY accounts_id_idx ON accounts (id);\n\
UPDATE users SET plan = 'free' WHERE plan IS NULL;\n\
ALTER TABLE users DROP COLUMN legacy;\n\
DROP TABLE sessions;\n";

fn classified_dir(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("mixed.sql", MIXED_SQL);
    dir.write("clean.sql", "SET lock_timeout = '2s';\nSELECT 1;\n");
    dir.write("notes.txt", format!("{INDEX_LINE}\n"));
    dir
}

#[test]
fn json_files_count_each_sql_file_statements_by_class() {
    let dir = classified_dir("classes-json");
    // notes.txt is checked because it is named, but it is not SQL.
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "mixed.sql", ".", "notes.txt"],
    );
    let json = json_of(&out);
    check_schema(&json, dir.path());
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["files"], 3, "{}", out.stdout);
    assert_eq!(
        json["files"],
        serde_json::json!([
            {"path": "clean.sql", "classes": {"additive": 0, "transformative": 0, "destructive": 0}},
            {"path": "mixed.sql", "classes": {"additive": 2, "transformative": 1, "destructive": 2}},
        ])
    );
}

#[test]
fn json_files_list_files_without_findings_too() {
    let out = run(&["check", "--format", "json"]);
    let json = json_of(&out);
    let files = json["files"].as_array().expect("`files` is an array");
    assert_eq!(json["summary"]["files"].as_u64(), Some(files.len() as u64));
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert!(paths.contains(&"clean.sql"), "{paths:?}");
    for file in files {
        for class in ["additive", "transformative", "destructive"] {
            assert!(file["classes"][class].is_u64(), "{file}");
        }
    }
}

#[test]
fn text_summary_ends_with_the_statement_counts() {
    let dir = classified_dir("classes-text");
    let out = run_in(dir.path(), &["check", "notes.txt", "."]);
    let json = json_of(&run_in(
        dir.path(),
        &["check", "--format", "json", "notes.txt", "."],
    ));
    let found = findings(&json).len();
    assert!(found > 0, "mixed.sql has findings: {json}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    let [found_line, statements_line] = lines[lines.len() - 2..] else {
        panic!("two summary lines: {}", out.stdout)
    };
    assert!(
        found_line.starts_with(&format!("Found {found} findings ("))
            && found_line.ends_with(") in 1 file."),
        "{found_line}"
    );
    assert_eq!(
        statements_line,
        "Statements: 2 additive, 1 transformative, 2 destructive."
    );
    // Nothing else about the statements anywhere in the report.
    assert_eq!(out.stdout.matches("Statements:").count(), 1);
    // Only a file that is not SQL: no statements to count, no line.
    let out = run_in(dir.path(), &["check", "notes.txt"]);
    assert_eq!(out.stdout, "No findings in 1 file.\n");
}

// ---------------------------------------------------------------- exit codes

#[test]
fn fail_on_decides_between_0_and_1() {
    assert_eq!(run(&["check", "drop_column.sql"]).code, 1);
    assert_eq!(
        run(&["check", "--fail-on", "warning", "drop_column.sql"]).code,
        1
    );
    assert_eq!(
        run(&["check", "--fail-on", "error", "drop_column.sql"]).code,
        0
    );
    assert_eq!(run(&["check", "--fail-on", "error", "index.sql"]).code, 1);
    assert_eq!(run(&["check", "--fail-on", "hint", "clean.sql"]).code, 0);
    let bad = run(&["check", "--fail-on", "fatal", "clean.sql"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("fatal"), "{}", bad.stderr);
}

#[test]
fn nonexistent_path_exits_2_but_other_files_are_reported() {
    let out = run(&["check", "--format", "json", "missing.sql", "index.sql"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("preflight: cannot read missing.sql: "),
        "{}",
        out.stderr
    );
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(rule_ids(&json), ["require-concurrent-index-creation"]);

    let text = run(&["check", "index.sql", "missing.sql"]);
    assert_eq!(text.code, 2);
    assert!(
        text.stdout
            .starts_with("index.sql:2:1: error[require-concurrent-index-creation]"),
        "{}",
        text.stdout
    );
}

#[test]
fn non_utf8_file_exits_2_but_other_files_are_reported() {
    let dir = TempDir::new("non-utf8");
    dir.write("bad.sql", b"SELECT '\xff\xfe';\n");
    dir.write(
        "good.sql",
        format!("SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n{INDEX_LINE}\n"),
    );
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("bad.sql is not valid UTF-8"),
        "{}",
        out.stderr
    );
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(rule_ids(&json), ["require-concurrent-index-creation"]);
    assert_eq!(findings(&json)[0]["path"], "good.sql");
}

#[cfg(unix)]
#[test]
fn unreadable_file_exits_2_but_other_files_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unreadable");
    dir.write("locked.sql", "SELECT 1;\n");
    dir.write("open.sql", "SET lock_timeout = '2s';\nSELECT 1;\n");
    let locked = dir.path().join("locked.sql");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reads, nothing to test.
        return;
    }
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("preflight: cannot read locked.sql: "),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stdout,
        "No findings in 1 file.\nStatements: 0 additive, 0 transformative, 0 destructive.\n"
    );
}

#[test]
fn invalid_config_exits_2_naming_file_line_and_key() {
    let dir = TempDir::new("bad-config");
    dir.write(
        "bad/preflight.toml",
        "postgres-version = 15\nfrobnicate = true\n",
    );
    dir.write("bad/a.sql", format!("{INDEX_LINE}\n"));
    dir.write("good/preflight.toml", "postgres-version = 15\n");
    dir.write("good/b.sql", "SET lock_timeout = '2s';\nSELECT 1;\n");
    let out = run_in(dir.path(), &["check", "bad", "good"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let message = out
        .stderr
        .lines()
        .find(|l| l.contains("frobnicate"))
        .unwrap_or_else(|| {
            panic!("no message names the key:\n{}", out.stderr);
        });
    assert!(message.starts_with("preflight: "), "{message}");
    assert!(message.contains("preflight.toml:2:1: "), "{message}");
    // Reported once, however many files the config governs.
    assert_eq!(
        out.stderr.matches("frobnicate").count(),
        1,
        "{}",
        out.stderr
    );
    // Files under a valid config are still checked.
    assert_eq!(
        out.stdout,
        "No findings in 1 file.\nStatements: 0 additive, 0 transformative, 0 destructive.\n"
    );
}

#[test]
fn unknown_subcommand_or_flag_is_a_usage_error() {
    assert_eq!(run(&["frobnicate"]).code, 2);
    assert_eq!(run(&["check", "--no-such-flag"]).code, 2);
    assert_eq!(run(&["check", "--format", "xml"]).code, 2);
}

// ---------------------------------------------------------------- walking

#[test]
fn walking_respects_gitignore_hidden_dirs_and_config_excludes_outside_git() {
    let dir = TempDir::new("walk");
    let finding =
        format!("SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n{INDEX_LINE}\n");
    dir.write(".gitignore", "ignored.sql\nbuild/\n");
    dir.write("preflight.toml", "exclude = [\"vendor\"]\n");
    dir.write("a.sql", &finding);
    dir.write("ignored.sql", &finding);
    dir.write("build/b.sql", &finding);
    dir.write(".hidden/c.sql", &finding);
    dir.write("vendor/d.sql", &finding);
    dir.write("notes.txt", "CREATE INDEX idx ON users (email);\n");
    dir.write("sub/e.sql", &finding);
    assert!(!dir.path().join(".git").exists());

    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 2, "{}", out.stdout);
    let paths: Vec<&str> = findings(&json)
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a.sql", "sub/e.sql"]);

    // Explicitly named files are checked whatever the walk would do, and a
    // file named twice (directly and through its directory) is checked once.
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "ignored.sql",
            ".hidden/c.sql",
            "vendor/d.sql",
            "sub",
            "sub/e.sql",
        ],
    );
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 4, "{}", out.stdout);
    let paths: Vec<&str> = findings(&json)
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [".hidden/c.sql", "ignored.sql", "sub/e.sql", "vendor/d.sql"]
    );
}

#[test]
fn empty_directory_has_no_findings() {
    let dir = TempDir::new("empty");
    let out = run_in(dir.path(), &["check"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "No findings in 0 files.\n");
}

// ---------------------------------------------------------------- rules, explain

#[test]
fn rules_lists_every_registry_rule_in_aligned_columns() {
    let out = run(&["rules"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let registry = preflight::rules::all();
    assert!(!registry.is_empty());
    assert_eq!(lines.len(), registry.len());
    let summary_column = lines[0]
        .find(registry[0].summary)
        .expect("summary on the line");
    for (line, rule) in lines.iter().zip(registry) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[0], rule.id);
        let severity = if rule.default_enabled {
            rule.severity.as_str()
        } else {
            "off"
        };
        assert_eq!(cells[1], severity, "{line}");
        assert_eq!(cells[2], rule.class.as_str(), "{line}");
        assert!(line.ends_with(rule.summary), "{line}");
        assert_eq!(
            line.find(rule.summary),
            Some(summary_column),
            "aligned: {line}"
        );
    }
}

#[test]
fn explain_prints_header_and_docs_for_every_rule() {
    for rule in preflight::rules::all() {
        let out = run(&["explain", rule.id]);
        assert_eq!(out.code, 0, "{}: {}", rule.id, out.stderr);
        assert_eq!(out.stdout.lines().next(), Some(rule.id));
        assert!(
            out.stdout.contains(&format!("Severity: {}", rule.severity)),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(&format!("Class: {}", rule.class)),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains(rule.docs().trim()), "{}", out.stdout);
    }
}

#[test]
fn explain_sql_rule_has_documentation() {
    let out = run(&["explain", "require-concurrent-index-creation"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs = preflight::rules::find("require-concurrent-index-creation")
        .unwrap()
        .docs();
    assert!(!docs.is_empty());
    assert!(out.stdout.contains(&docs));
}

#[test]
fn explain_unknown_id_exits_2_and_suggests_the_closest() {
    let out = run(&["explain", "no-such-rule-at-all-xyz"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("unknown rule `no-such-rule-at-all-xyz`"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());

    let id = preflight::rules::all()[0].id;
    let typo = &id[..id.len() - 1];
    let out = run(&["explain", typo]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!("did you mean `{id}`?")),
        "{}",
        out.stderr
    );
}

/// One example of each of the first ten rules, each reported where it starts;
/// the safe counterpart of the same migration reports nothing.
#[test]
fn ten_rules_each_at_their_line_and_column_and_nothing_on_the_safe_version() {
    let unsafe_run = run(&["check", "--format", "json", "ten_rules.sql"]);
    assert_eq!(unsafe_run.code, 1, "{}", unsafe_run.stderr);
    let json = json_of(&unsafe_run);
    let mut found: Vec<(String, u64, u64)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["range"]["start"]["line"].as_u64().expect("line"),
                f["range"]["start"]["column"].as_u64().expect("column"),
            )
        })
        .collect();
    found.sort();
    let mut expected: Vec<(String, u64, u64)> = [
        ("require-concurrent-index-creation", 1, 1),
        ("require-lock-timeout", 1, 1),
        ("add-column-required", 2, 19),
        ("set-not-null-requires-scan", 3, 19),
        ("constraint-missing-not-valid", 4, 20),
        ("foreign-key-missing-not-valid", 5, 20),
        ("change-column-type", 6, 20),
        ("rename-column", 7, 19),
        ("drop-column", 8, 19),
        ("drop-table", 9, 1),
    ]
    .iter()
    .map(|(rule, line, column)| (rule.to_string(), *line, *column))
    .collect();
    expected.sort();
    assert_eq!(found, expected);

    let safe_run = run(&["check", "--format", "json", "ten_rules_safe.sql"]);
    assert_eq!(safe_run.code, 0, "{}", safe_run.stdout);
    assert!(findings(&json_of(&safe_run)).is_empty());
}

const SPLIT_UP: &str = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN note text;\n";

fn golang_dir(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("db/000002_add_index.up.sql", SPLIT_UP);
    dir.write(
        "db/000002_add_index.down.sql",
        "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nALTER TABLE users DROP COLUMN note;\n",
    );
    dir
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = golang_dir("diff");
    let safe = run_in(dir.path(), &["check", "--diff", "db"]);
    // The only fix here is a split, which is not safe.
    assert_eq!(safe.code, 0, "{}{}", safe.stdout, safe.stderr);
    assert_eq!(safe.stdout, "");
    let all = run_in(dir.path(), &["check", "--diff", "--unsafe-fixes", "db"]);
    assert_eq!(all.code, 1, "{}", all.stderr);
    assert!(
        all.stdout
            .contains("--- a/db/000002_add_index.up.sql\n+++ b/db/000002_add_index.up.sql\n"),
        "{}",
        all.stdout
    );
    assert!(
        all.stdout
            .contains("-CREATE INDEX users_email_idx ON users (email);\n")
    );
    assert!(all.stdout.contains("--- /dev/null\n+++ b/db/000003_add_index_concurrently.up.sql\n@@ -0,0 +1 @@\n+CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n"), "{}", all.stdout);
    assert_eq!(
        fs::read_to_string(dir.path().join("db/000002_add_index.up.sql")).unwrap(),
        SPLIT_UP
    );
    assert!(
        !dir.path()
            .join("db/000003_add_index_concurrently.up.sql")
            .exists()
    );
}

#[test]
fn fix_applies_safe_fixes_and_unsafe_fixes_split() {
    let dir = golang_dir("fix");
    dir.write(
        "plain/index.sql",
        "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nCREATE INDEX users_org_idx ON users (org_id);\n",
    );
    let safe = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "plain", "db"],
    );
    assert!(safe.stderr.contains("applied 1 fix"), "{}", safe.stderr);
    assert_eq!(
        fs::read_to_string(dir.path().join("plain/index.sql")).unwrap(),
        "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_org_idx ON users (org_id);\n"
    );
    // The report is of what is left: the split still waits for a person.
    let left: Vec<String> = findings(&json_of(&safe))
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        left.contains(&"db/000002_add_index.up.sql:require-concurrent-index-creation".to_string()),
        "{left:?}"
    );
    assert!(
        !left
            .iter()
            .any(|l| l.starts_with("plain/index.sql:require-concurrent")),
        "{left:?}"
    );

    let unsafe_run = run_in(dir.path(), &["check", "--unsafe-fixes", "db"]);
    assert!(
        unsafe_run.stderr.contains("applied 1 fix"),
        "{}",
        unsafe_run.stderr
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("db/000003_add_index_concurrently.down.sql")).unwrap(),
        "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n"
    );
    assert!(
        !unsafe_run
            .stdout
            .contains("require-concurrent-index-creation"),
        "{}",
        unsafe_run.stdout
    );
}

#[test]
fn json_fixes_carry_applicability_and_created_files() {
    let dir = golang_dir("json-fixes");
    let run = run_in(dir.path(), &["check", "--format", "json", "db"]);
    let json = json_of(&run);
    let index = findings(&json)
        .iter()
        .find(|f| f["rule"] == "require-concurrent-index-creation")
        .expect("the index finding");
    let fix = &index["fixes"][0];
    assert_eq!(fix["applicability"], "unsafe");
    let edits = fix["edits"].as_array().expect("edits");
    assert_eq!(edits[0]["path"], Value::Null);
    assert_eq!(edits[0]["create"], false);
    assert!(
        edits[1]["path"]
            .as_str()
            .unwrap()
            .ends_with("db/000003_add_index_concurrently.up.sql"),
        "{edits:?}"
    );
    assert_eq!(edits[1]["create"], true);
}

/// A repository with CI, manifests, compose and unrelated YAML: workflows
/// under the hidden `.github/` are checked, a Deployment's PDB is found in a
/// sibling file, a compose file is checked for the environment it sets, and
/// YAML that is none of these is not checked at all.
#[test]
fn pipelines_and_manifests_are_checked_across_files() {
    let dir = TempDir::new("pipelines");
    dir.write(
        ".github/workflows/deploy.yml",
        "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: pytest || true}]\n  deploy:\n    runs-on: ubuntu-latest\n    steps: [{run: kubectl apply -f k8s/}]\n",
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  strategy: {rollingUpdate: {maxUnavailable: 0}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      terminationGracePeriodSeconds: 30\n      containers:\n        - name: api\n          readinessProbe: {exec: {command: [ready]}}\n          livenessProbe: {exec: {command: [live]}}\n";
    dir.write("k8s/deployment.yaml", deployment);
    dir.write(
        "k8s/pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: api}}\n",
    );
    dir.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    dir.write("mkdocs.yml", "site_name: docs\nnav: []\n");
    let run = run_in(dir.path(), &["check", "--format", "json", "."]);
    let json = json_of(&run);
    assert_eq!(run.code, 1, "{}", run.stdout);
    check_schema(&json, dir.path());
    assert_eq!(
        json["summary"]["files"], 4,
        "mkdocs.yml checked, or compose skipped: {}",
        run.stdout
    );
    let rules = rule_ids(&json);
    for expected in ["test-failure-masked", "deploy-without-needs"] {
        assert!(rules.contains(&expected), "{expected}: {rules:?}");
    }
    assert!(
        !rules.contains(&"no-pdb"),
        "the PDB is in k8s/pdb.yaml: {rules:?}"
    );
    // Named alone, the Deployment still finds its PDB beside it.
    let alone = run_in(
        dir.path(),
        &["check", "--format", "json", "k8s/deployment.yaml"],
    );
    assert!(
        !rule_ids(&json_of(&alone)).contains(&"no-pdb"),
        "{}",
        alone.stdout
    );
    // Without the PDB the rule fires.
    std::fs::remove_file(dir.path().join("k8s/pdb.yaml")).unwrap();
    let without = run_in(dir.path(), &["check", "--format", "json", "k8s"]);
    assert!(
        rule_ids(&json_of(&without)).contains(&"no-pdb"),
        "{}",
        without.stdout
    );
}

/// An Alembic project that keeps its scripts elsewhere than `alembic/`:
/// `alembic.ini`'s `script_location` (with `%(here)s`) names the directory of
/// `env.py`, and `version_locations` a revisions directory that no name
/// marks as one. The revision is found and judged with that environment.
#[test]
fn alembic_ini_script_location_finds_revisions_and_env() {
    let dir = TempDir::new("alembic-ini");
    dir.write(
        "alembic.ini",
        "[alembic]\nscript_location = %(here)s/db/schema\nversion_locations = %(here)s/db/revisions\nsqlalchemy.url = postgresql://localhost/app\n",
    );
    dir.write(
        "db/schema/env.py",
        "from alembic import context\ncontext.configure(connect_args={'options': '-c lock_timeout=2s -c statement_timeout=60s'})\n",
    );
    let revision = "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n    op.add_column('users', sa.Column('email', sa.Text(), nullable=True))\n\n\ndef downgrade():\n    op.drop_column('users', 'email')\n";
    dir.write("db/revisions/0001_add_email.py", revision);
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1, "{}", out.stdout);
    // env.py's timeouts count: nothing to report.
    assert!(findings(&json).is_empty(), "{}", out.stdout);
    // Without the ini the directory is not a migrations directory.
    std::fs::remove_file(dir.path().join("alembic.ini")).unwrap();
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(json_of(&out)["summary"]["files"], 0, "{}", out.stdout);
    // The default layout under a script_location of another name: env.py
    // beside `versions/` is read as before.
    dir.write("alembic.ini", "[alembic]\nscript_location = db/schema\n");
    dir.write("db/schema/versions/0001_add_email.py", revision);
    let out = run_in(dir.path(), &["check", "--format", "json", "db/schema"]);
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1, "{}", out.stdout);
    assert!(findings(&json).is_empty(), "{}", out.stdout);
}

/// An Alembic project: `env.py` sets the lock timeout for every revision,
/// and the walk reads only the revisions (not `env.py`, not `__init__.py`).
#[test]
fn alembic_revisions_are_checked_with_their_environment() {
    let dir = TempDir::new("alembic");
    dir.write(
        "alembic/env.py",
        "from alembic import context\ncontext.configure(connect_args={'options': '-c lock_timeout=2s'})\n",
    );
    dir.write("alembic/versions/__init__.py", "");
    dir.write(
        "alembic/versions/0001_add_email.py",
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n    op.execute(\"SET statement_timeout = '60s'\")\n    op.add_column('users', sa.Column('email', sa.Text(), nullable=False))\n    op.execute('''\n        CREATE INDEX users_email_idx ON users (email)\n    ''')\n\n\ndef downgrade():\n    pass\n",
    );
    dir.write(
        "app/models.py",
        "revision = 1\ndef upgrade(): op.drop_table('t')\n",
    );
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let json = json_of(&out);
    assert_eq!(json["summary"]["files"], 1, "{}", out.stdout);
    let found: Vec<(String, u64, u64)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("add-column-required".to_string(), 10, 5),
            ("require-concurrent-index-creation".to_string(), 12, 9),
            ("statement-after-access-exclusive".to_string(), 12, 9),
            ("missing-down-migration".to_string(), 16, 1),
        ],
        "{}",
        out.stdout
    );
    let help = findings(&json)[1]["help"].as_str().unwrap();
    assert!(help.contains("autocommit_block"), "{help}");
}

/// `--fix` documents every variable two modules read in the one
/// `.env.example` above them, each once, and the hidden example file is
/// itself checked by the walk.
#[test]
fn fix_appends_missing_keys_to_the_env_example_once() {
    let dir = TempDir::new("env-example");
    dir.write(
        ".env.example",
        "# Local settings\nDATABASE_URL=postgres://localhost/app\nSTALE_FLAG=1",
    );
    dir.write(
        "app/config.py",
        "import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nBROKER_URL = os.environ['BROKER_URL']\n",
    );
    dir.write(
        "app/worker.py",
        "import os\n\nBROKER = os.environ['BROKER_URL']\nQUEUE = os.environ['QUEUE_NAME']\n",
    );
    let fixed = run_in(dir.path(), &["check", "--fix", "--format", "json", "."]);
    assert_eq!(
        fixed.stderr.trim(),
        "preflight: applied 2 fixes",
        "{}",
        fixed.stdout
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".env.example")).expect("example"),
        "# Local settings\nDATABASE_URL=postgres://localhost/app\nSTALE_FLAG=1\nBROKER_URL=\nQUEUE_NAME=\n"
    );
    // What is left: the key no code reads, reported in the example file.
    let json = json_of(&fixed);
    let left: Vec<_> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(left, [(".env.example", "env-example-unused")], "{json:#}");
}

#[test]
fn settings_fields_new_since_the_base_branch_are_errors() {
    let dir = TempDir::new("base-branch");
    let settings = "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    database_url: str\n";
    dir.write("app/settings.py", settings);
    common::branch_off_main(dir.path());
    dir.write(
        "app/settings.py",
        format!("{settings}    stripe_key: str\n"),
    );
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let json = json_of(&out);
    let found: Vec<(&str, &str, u64)> = findings(&json)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("required-setting-without-default", "info", 5),
            ("new-required-setting", "error", 6),
        ],
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1, "an error fails the check");
    // Against a base branch that does not exist: nothing new, nothing guessed.
    dir.write("preflight.toml", "base-branch = \"release\"\n");
    let out = run_in(dir.path(), &["check", "--format", "json"]);
    let json = json_of(&out);
    let rules: Vec<&str> = findings(&json)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules, ["required-setting-without-default"; 2],
        "{}",
        out.stdout
    );
}
