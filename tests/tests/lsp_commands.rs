//! `preflight lsp` features the editor packages build on: rule documentation
//! served by `workspace/executeCommand` (`preflight.explain`), and the editor's
//! trace level setting the server's log level.

mod common;
mod lsp_client;

use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use lsp_client::{LspClient, TempDir};

const INDEX_SQL: &str = "CREATE INDEX idx ON users (email);\n";

#[test]
fn explain_is_announced_and_serves_the_rule_docs_as_markdown() {
    let mut client = LspClient::spawn();
    let result = client.initialize(json!({}), None);
    assert_eq!(
        result["capabilities"]["executeCommandProvider"]["commands"],
        json!(["preflight.explain"])
    );
    let docs = client.result(
        "workspace/executeCommand",
        json!({"command": "preflight.explain", "arguments": ["require-concurrent-index-creation"]}),
    );
    let docs = docs.as_str().expect("a string");
    assert!(
        docs.starts_with("# require-concurrent-index-creation\n"),
        "{docs}"
    );
    let rule = preflight::rules::find("require-concurrent-index-creation").unwrap();
    assert!(docs.contains(&rule.docs()), "{docs}");

    // A typo is an error with a suggestion, and the server carries on.
    let response = client.request(
        "workspace/executeCommand",
        json!({"command": "preflight.explain", "arguments": ["drop-tabel"]}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `drop-table`?"),
        "{response}"
    );
    let response = client.request(
        "workspace/executeCommand",
        json!({"command": "preflight.explain"}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "{}", client.report());
}

/// The server's stderr once it has exited (the reader thread may lag).
fn final_stderr(client: &LspClient, expect: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stderr = client.stderr();
        if stderr.contains(expect) || Instant::now() > deadline {
            return stderr;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn open_and_wait(client: &mut LspClient, dir: &TempDir, name: &str) {
    let uri = dir.uri(name);
    client.open(&uri, 1, INDEX_SQL);
    client.diagnostics(&uri, 1);
}

#[test]
fn trace_level_from_initialization_options_sets_the_log_level() {
    let dir = TempDir::new();
    let mut client = LspClient::spawn_with_log(None);
    client.initialize(json!({}), Some(json!({"preflight": {"trace": "verbose"}})));
    open_and_wait(&mut client, &dir, "0001.sql");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
    let stderr = final_stderr(&client, "DEBUG");
    assert!(stderr.contains("DEBUG"), "debug lines expected:\n{stderr}");
}

#[test]
fn trace_level_follows_configuration_changes() {
    let dir = TempDir::new();
    let mut client = LspClient::spawn_with_log(None);
    client.initialize(json!({}), None);
    open_and_wait(&mut client, &dir, "0001.sql");
    assert!(
        !client.stderr().contains("DEBUG"),
        "quiet by default:\n{}",
        client.stderr()
    );
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"preflight": {"trace": "verbose"}}}),
    );
    open_and_wait(&mut client, &dir, "0002.sql");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"preflight": {"trace": "off"}}}),
    );
    open_and_wait(&mut client, &dir, "0003.sql");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
    // Debug lines name the document they are about.
    let stderr = final_stderr(&client, "0002.sql");
    assert!(
        stderr.contains("0002.sql"),
        "verbose after the change:\n{stderr}"
    );
    assert!(
        !stderr.contains("0003.sql"),
        "quiet again after `off`:\n{stderr}"
    );

    // An unknown level is a settings error the user is told about.
    let mut client = LspClient::spawn_with_log(None);
    client.initialize(json!({}), Some(json!({"trace": "loud"})));
    let warning = client.wait_method("window/showMessage", |_: &Value| true);
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("settings"),
        "{warning}"
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}
