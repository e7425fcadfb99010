//! `cargo bench`: the two numbers the README's Performance section reports.
//!
//! (a) a full check of a generated 20,000-statement migration (~2.5 MB), and
//! (b) a one-character edit in its middle to fresh findings, through the
//!     server's path (`Analysis::apply_changes` then `Analysis::findings`).
//!
//! A plain harness (no criterion): it prints min / median / max of repeated
//! runs, which is all the README needs.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use preflight::config::Config;
use preflight::engine::{self, Analysis};
use preflight::text::{Document, Language, Position, PositionEncoding, TextChange};

const STATEMENTS: usize = 20_000;

/// A deterministic mix of DDL, DML, comments and dollar-quoted bodies.
fn generate() -> String {
    let mut sql = String::with_capacity(2_600_000);
    sql.push_str("SET lock_timeout = '2s';\n");
    for i in 0..STATEMENTS - 1 {
        let t = i % 97;
        let stmt = match i % 10 {
            0 => format!(
                "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());\n"
            ),
            1 => format!(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS t{t}_name_{i}_idx ON t{t} (name, created_at) WHERE name <> '';\n"
            ),
            2 => format!(
                "ALTER TABLE users_{t} ADD COLUMN c{i} text, ADD COLUMN d{i} integer NOT NULL DEFAULT 0;\n"
            ),
            3 => format!(
                "UPDATE accounts_{t} SET balance = balance + {i}, note = 'batch; {i}' WHERE id BETWEEN {i} AND {};\n",
                i + 1000
            ),
            4 => format!(
                "INSERT INTO audit_{t} (actor, action, payload) VALUES ('svc-{i}', 'migrate', '{{\"step\": {i}}}');\n"
            ),
            5 => format!(
                "-- step {i}: keep the reporting view in sync\nCREATE OR REPLACE VIEW v{t} AS SELECT id, name FROM t{t} WHERE id > {i};\n"
            ),
            6 => format!("CREATE INDEX t{t}_created_{i}_idx ON users_{t} (created_at);\n"),
            7 => format!(
                "CREATE OR REPLACE FUNCTION f{i}() RETURNS trigger AS $$ BEGIN NEW.x := {i}; RETURN NEW; END; $$ LANGUAGE plpgsql;\n"
            ),
            8 => format!(
                "ALTER TABLE orders_{t} ADD CONSTRAINT o{i}_fk FOREIGN KEY (user_id) REFERENCES users_{t} (id) NOT VALID;\n"
            ),
            _ => format!(
                "DELETE FROM sessions_{t} WHERE expires_at < now() - interval '{i} minutes' AND id < {i};\n"
            ),
        };
        sql.push_str(&stmt);
    }
    sql
}

fn measure(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(name: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<46} runs {:>4}  min {:>8.3} ms  median {:>8.3} ms  max {:>8.3} ms",
        times.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
    );
}

fn main() {
    // `cargo bench -- <filter>` passes arguments; `cargo test --benches` passes
    // `--bench`-less flags too. Run everything unless asked to list.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sql = generate();
    let config = Config::default();
    let path = Path::new("bench/20000_statements.sql");
    let findings = engine::check_text(path, &sql, &config).len();
    println!(
        "input: {} statements, {:.2} MB, {findings} findings",
        STATEMENTS,
        sql.len() as f64 / 1e6
    );

    let full = measure(10, || {
        black_box(engine::check_text(path, black_box(&sql), &config));
    });
    report("(a) full check, 20k statements", &full);

    let mut analysis = Analysis::new(
        Some(path.to_path_buf()),
        Document::new(&sql, 1, Language::Sql),
    );
    analysis.findings(&config);
    // An edit inside an identifier in the middle of the file: typing, then
    // deleting, one character, alternately.
    let middle_line = (sql.lines().count() / 2) as u32;
    let at = Position::new(middle_line, 8);
    let mut version = 1;
    let edit = measure(200, || {
        version += 1;
        let change = if version % 2 == 0 {
            TextChange {
                range: Some((at, at)),
                text: "x".into(),
            }
        } else {
            TextChange {
                range: Some((at, Position::new(middle_line, 9))),
                text: String::new(),
            }
        };
        analysis
            .apply_changes(version, &[change], PositionEncoding::Utf16)
            .expect("valid edit");
        black_box(analysis.findings(&config));
    });
    report("(b) one-character edit -> fresh findings", &edit);
}
