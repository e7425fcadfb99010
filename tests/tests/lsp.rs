//! `preflight lsp` over real stdio: initialize, open, edit, diagnostics (push and
//! pull), code actions, hover, configuration, robustness, shutdown.

mod common;
mod lsp_client;

use serde_json::{Value, json};

use lsp_client::{LspClient, TempDir, file_uri, range, with_code};

const INDEX_RULE: &str = "require-concurrent-index-creation";
const INDEX_SQL: &str = "CREATE INDEX idx ON users (email);\n";
/// `CREATE INDEX idx ON users (email)`: the finding, up to the `;`.
const INDEX_LEN: u32 = 33;

fn at(d: &Value) -> ((u64, u64), (u64, u64)) {
    let r = &d["range"];
    let p = |p: &Value| {
        (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        )
    };
    (p(&r["start"]), p(&r["end"]))
}

/// A client that says nothing about encodings or pull diagnostics.
fn plain_client() -> LspClient {
    let mut client = LspClient::spawn();
    client.initialize(json!({}), None);
    client
}

fn assert_clean_exit(client: &mut LspClient) {
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "{}", client.report());
}

#[test]
fn initialize_negotiates_utf16_for_a_plain_client() {
    let mut client = LspClient::spawn();
    let result = client.initialize(json!({}), None);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.preflight"])
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push only: {caps}"
    );
    assert_eq!(result["serverInfo"]["name"], "preflight");
    assert_clean_exit(&mut client);
}

#[test]
fn initialize_picks_utf8_when_offered() {
    let mut client = LspClient::spawn();
    let result = client.initialize(
        json!({"general": {"positionEncodings": ["utf-16", "utf-8", "utf-32"]}}),
        None,
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_clean_exit(&mut client);

    let mut client = LspClient::spawn();
    let result = client.initialize(
        json!({"general": {"positionEncodings": ["utf-32", "utf-16"]}}),
        None,
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-32");
    assert_clean_exit(&mut client);
}

#[test]
fn open_publishes_diagnostics_with_code_range_and_version() {
    let dir = TempDir::new();
    let uri = dir.uri("0001_add_index.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, INDEX_RULE);
    assert_eq!(found.len(), 1, "{published}");
    let d = found[0];
    assert_eq!(d["source"], "preflight");
    assert_eq!(d["severity"], 1, "error");
    assert_eq!(at(d), ((0, 0), (0, INDEX_LEN as u64)));
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("CONCURRENTLY"), "{message}");
    assert!(message.contains("\n\nhelp: "), "help appended: {message}");
    assert_clean_exit(&mut client);
}

#[test]
fn incremental_edits_clear_and_bring_back_the_finding() {
    let dir = TempDir::new();
    let uri = dir.uri("0002.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    assert_eq!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).len(), 1);

    // "CREATE INDEX |idx" ← "CONCURRENTLY "
    client.change(&uri, 2, (0, 13), (0, 13), "CONCURRENTLY ");
    let v2 = client.diagnostics(&uri, 2);
    assert!(with_code(&v2, INDEX_RULE).is_empty(), "{v2}");

    client.change(&uri, 3, (0, 13), (0, 26), "");
    let v3 = client.diagnostics(&uri, 3);
    let found = with_code(&v3, INDEX_RULE);
    assert_eq!(found.len(), 1, "{v3}");
    assert_eq!(at(found[0]), ((0, 0), (0, INDEX_LEN as u64)));
    assert_clean_exit(&mut client);
}

#[test]
fn rapid_edits_apply_in_order_and_the_last_version_wins() {
    let dir = TempDir::new();
    let uri = dir.uri("0003.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    // Type "_by_email" into the index name, one character per change, without
    // waiting for anything in between.
    let typed = "_by_email";
    for (i, ch) in typed.chars().enumerate() {
        let column = 16 + i as u32;
        client.change(
            &uri,
            2 + i as i64,
            (0, column),
            (0, column),
            &ch.to_string(),
        );
    }
    let last = 1 + typed.len() as i64;
    let published = client.diagnostics(&uri, last);
    let found = with_code(&published, INDEX_RULE);
    assert_eq!(found.len(), 1, "{published}");
    let end = (INDEX_LEN + typed.len() as u32) as u64;
    assert_eq!(at(found[0]), ((0, 0), (0, end)));
    // The text is what the edits make, in order: hover on the new name's end works.
    let hover = client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": end - 1}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains(INDEX_RULE)
    );
    assert_clean_exit(&mut client);
}

/// Line 1: `SELECT '🚀'; CREATE INDEX ...`: 12 characters before CREATE, which are
/// 13 UTF-16 code units and 15 bytes.
const EMOJI_SQL: &str = "-- 🚀 note\nSELECT '🚀'; CREATE INDEX idx ON users (email);\n";

#[test]
fn utf16_positions_after_an_emoji() {
    let dir = TempDir::new();
    let uri = dir.uri("0004.sql");
    let mut client = plain_client();
    client.open(&uri, 1, EMOJI_SQL);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, INDEX_RULE);
    assert_eq!(found.len(), 1, "{published}");
    assert_eq!(at(found[0]), ((1, 13), (1, 13 + INDEX_LEN as u64)));

    // An edit in UTF-16 columns lands right after "CREATE INDEX".
    client.change(&uri, 2, (1, 25), (1, 25), " CONCURRENTLY");
    assert!(with_code(&client.diagnostics(&uri, 2), INDEX_RULE).is_empty());
    // Replacing the emoji in the comment (two UTF-16 units) shifts nothing on line 1.
    client.change(&uri, 3, (0, 3), (0, 5), "x");
    client.change(&uri, 4, (1, 25), (1, 38), "");
    let found = client.diagnostics(&uri, 4);
    assert_eq!(
        at(with_code(&found, INDEX_RULE)[0]),
        ((1, 13), (1, 13 + INDEX_LEN as u64))
    );
    assert_clean_exit(&mut client);
}

#[test]
fn utf8_positions_after_an_emoji() {
    let dir = TempDir::new();
    let uri = dir.uri("0005.sql");
    let mut client = LspClient::spawn();
    client.initialize(json!({"general": {"positionEncodings": ["utf-8"]}}), None);
    client.open(&uri, 1, EMOJI_SQL);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, INDEX_RULE);
    assert_eq!(at(found[0]), ((1, 15), (1, 15 + INDEX_LEN as u64)));
    client.change(&uri, 2, (1, 27), (1, 27), " CONCURRENTLY");
    assert!(with_code(&client.diagnostics(&uri, 2), INDEX_RULE).is_empty());
    assert_clean_exit(&mut client);
}

#[test]
fn hover_over_a_finding_shows_the_rule_docs() {
    let dir = TempDir::new();
    let uri = dir.uri("0006.sql");
    let mut client = plain_client();
    client.open(&uri, 1, EMOJI_SQL);
    client.diagnostics(&uri, 1);
    let hover = client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 20}}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let docs = preflight::rules::find(INDEX_RULE).unwrap().docs();
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains(&docs), "{value}");
    assert_eq!(hover["range"]["start"], json!({"line": 1, "character": 13}));
    // On the comment line there is nothing to say.
    let nothing = client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
    );
    assert_eq!(nothing, Value::Null);
    assert_clean_exit(&mut client);
}

#[test]
fn code_action_offers_the_fix_as_a_quickfix() {
    let dir = TempDir::new();
    let uri = dir.uri("0007.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    client.diagnostics(&uri, 1);
    let params = |r: Value| json!({"textDocument": {"uri": uri}, "range": r, "context": {"diagnostics": []}});
    let actions = client.result("textDocument/codeAction", params(range((0, 5), (0, 5))));
    let actions = actions.as_array().expect("a list of actions");
    let action = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == INDEX_RULE)
        .unwrap_or_else(|| panic!("no quick fix for {INDEX_RULE}: {actions:?}"));
    assert_eq!(action["kind"], "quickfix");
    assert!(action["title"].as_str().unwrap().contains("CONCURRENTLY"));
    let edits = &action["edit"]["changes"][uri.as_str()];
    assert_eq!(edits[0]["range"], range((0, 13), (0, 13)));
    assert_eq!(edits[0]["newText"], "CONCURRENTLY IF NOT EXISTS ");
    assert!(action["isPreferred"].is_boolean());

    // Past the statement: nothing.
    let none = client.result("textDocument/codeAction", params(range((1, 0), (1, 0))));
    assert_eq!(none, json!([]));
    assert_clean_exit(&mut client);
}

#[test]
fn code_action_uses_versioned_document_changes_when_supported() {
    let dir = TempDir::new();
    let uri = dir.uri("0008.sql");
    let mut client = LspClient::spawn();
    client.initialize(
        json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}),
        None,
    );
    client.open(&uri, 7, INDEX_SQL);
    let actions = client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range((0, 0), (0, 33)), "context": {"diagnostics": []}}),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == INDEX_RULE)
        .expect("a quick fix")
        .clone();
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"], json!({"uri": uri, "version": 7}));
    assert_eq!(change["edits"][0]["newText"], "CONCURRENTLY IF NOT EXISTS ");
    assert_clean_exit(&mut client);
}

#[test]
fn pull_diagnostics_replace_push_when_the_client_supports_them() {
    let dir = TempDir::new();
    let uri = dir.uri("0009.sql");
    let mut client = LspClient::spawn();
    let result = client.initialize(
        json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": false}},
            "workspace": {"diagnostics": {"refreshSupport": true}},
        }),
        None,
    );
    let provider = &result["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["interFileDependencies"], false);
    assert_eq!(provider["workspaceDiagnostics"], false);

    client.open(&uri, 1, INDEX_SQL);
    let pull = |client: &mut LspClient| {
        client.result(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
    };
    let report = pull(&mut client);
    assert_eq!(report["kind"], "full");
    let found = with_code(&report, INDEX_RULE);
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(at(found[0]), ((0, 0), (0, INDEX_LEN as u64)));
    assert_eq!(found[0]["source"], "preflight");

    client.change(&uri, 2, (0, 13), (0, 13), "CONCURRENTLY ");
    assert!(with_code(&pull(&mut client), INDEX_RULE).is_empty());

    // A settings change makes the server ask the client to pull again.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"preflight": {"postgresVersion": 14}}}),
    );
    client.wait_method("workspace/diagnostic/refresh", |_| true);

    assert_clean_exit(&mut client);
    let pushed: Vec<Value> = client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .collect();
    assert!(pushed.is_empty(), "pushed as well as pulled: {pushed:?}");
}

#[test]
fn malformed_json_and_unknown_methods_do_not_kill_the_server() {
    let mut client = plain_client();
    let send_body = |client: &mut LspClient, body: &[u8]| {
        client.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        client.send_raw(body);
    };
    // Not JSON: Parse error, id null.
    send_body(&mut client, b"{\"jsonrpc\": \"2.0\", \"id\": ");
    let parse_error = client.wait_for("a parse error response", |m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    // JSON, but not a JSON-RPC message: Invalid Request.
    send_body(&mut client, b"{\"hello\": \"world\"}");
    let invalid = client.wait_for("an invalid request response", |m| {
        m["error"]["code"] == -32600
    });
    assert_eq!(invalid["id"], Value::Null);
    // A broken header: the server skips to the next message.
    client.send_raw(b"Content-Lenght: 2\r\n\r\n{}");
    client.wait_for("a parse error for the header", |m| {
        m["error"]["code"] == -32700
    });

    let unknown = client.request("preflight/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // An unknown notification is ignored without an answer.
    client.notify("$/noSuchNotification", json!({}));
    // A known method with wrong params is an error, not a crash.
    let bad = client.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");

    // Still alive and useful.
    let dir = TempDir::new();
    let uri = dir.uri("0010.sql");
    client.open(&uri, 1, INDEX_SQL);
    assert_eq!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).len(), 1);
    assert_clean_exit(&mut client);
}

#[test]
fn an_impossible_edit_is_reported_not_fatal() {
    let dir = TempDir::new();
    let uri = dir.uri("0011.sql");
    let other = dir.uri("0012.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    client.diagnostics(&uri, 1);
    // End before start.
    client.change(&uri, 2, (0, 10), (0, 2), "x");
    let message = client.wait_method("window/showMessage", |p| p["type"] == 2);
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("reopen")
    );
    // Edits to a document never opened are ignored.
    client.change(&other, 5, (0, 0), (0, 0), "x");
    // The server goes on serving other documents.
    client.open(&other, 1, INDEX_SQL);
    assert_eq!(
        with_code(&client.diagnostics(&other, 1), INDEX_RULE).len(),
        1
    );
    assert_clean_exit(&mut client);
}

#[test]
fn shutdown_then_exit_ends_with_status_zero() {
    let mut client = plain_client();
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none());
    assert_eq!(client.exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_ends_with_status_one() {
    let mut client = plain_client();
    assert_eq!(client.exit().code(), Some(1));
}

#[test]
fn editor_settings_override_the_config() {
    let dir = TempDir::new();
    let uri = dir.uri("0013.sql");
    let mut client = LspClient::spawn();
    client.initialize(
        json!({}),
        Some(json!({"preflight": {"ignore": [INDEX_RULE]}})),
    );
    client.open(&uri, 1, INDEX_SQL);
    assert!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).is_empty());

    // The settings object itself (no "preflight" wrapper) is accepted too.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ignore": []}}),
    );
    let back = client.wait_for("diagnostics after the settings change", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && !with_code(&m["params"], INDEX_RULE).is_empty()
    });
    assert_eq!(back["params"]["version"], 1);

    // Bad settings: a warning, and the config files apply alone.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"preflight": {"postgresVersion": "fifteen"}}}),
    );
    let warning = client.wait_method("window/showMessage", |p| p["type"] == 2);
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("settings")
    );
    assert_clean_exit(&mut client);
}

#[test]
fn invalid_config_is_reported_and_the_defaults_apply_until_it_is_fixed() {
    let dir = TempDir::new();
    let config = dir.write(
        "preflight.toml",
        "postgres-version = 15\nselekt = [\"x\"]\n",
    );
    let config_uri = file_uri(&config);
    let uri = dir.uri("0014.sql");
    let mut client = LspClient::spawn();
    client.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        None,
    );
    let registration = client.wait_method("client/registerCapability", |_| true);
    let registration = &registration["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert!(
        registration["registerOptions"]
            .to_string()
            .contains("preflight.toml")
    );

    client.open(&uri, 1, INDEX_SQL);
    // The defaults apply: the index rule still fires.
    assert_eq!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).len(), 1);
    let shown = client.wait_method("window/showMessage", |p| p["type"] == 1);
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("preflight.toml:2"), "{text}");
    assert!(text.contains("selekt"), "{text}");
    let on_config = client.wait_method("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri.as_str() && !p["diagnostics"].as_array().unwrap().is_empty()
    });
    let problem = &on_config["params"]["diagnostics"][0];
    assert_eq!(problem["code"], "invalid-config");
    assert_eq!(problem["severity"], 1);
    assert_eq!(problem["range"]["start"]["line"], 1);

    // Fixed on disk: the problem goes away and the file's settings apply.
    std::fs::write(&config, format!("ignore = [\"{INDEX_RULE}\"]\n")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    client.wait_method("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri.as_str() && p["diagnostics"] == json!([])
    });
    client.wait_method("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str() && p["version"] == 1 && with_code(p, INDEX_RULE).is_empty()
    });
    assert_clean_exit(&mut client);
}

#[test]
fn saving_a_config_file_reloads_it() {
    let dir = TempDir::new();
    let uri = dir.uri("0015.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    assert_eq!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).len(), 1);
    let config = dir.write(
        "pyproject.toml",
        &format!("[project]\nname = \"x\"\n\n[tool.preflight]\nignore = [\"{INDEX_RULE}\"]\n"),
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    client.wait_method("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str() && with_code(p, INDEX_RULE).is_empty()
    });
    assert_clean_exit(&mut client);
}

// ------------------------------------------------- statement facts and classes

/// Three classified statements after a comment and a `SET`: an additive
/// `CREATE TABLE` on line 2, a transformative `UPDATE` over lines 3 and 4, a
/// destructive `DROP COLUMN` on line 5 (which `SET` makes unflagged: it is a
/// finding, but not of the index rule).
const CLASSES_SQL: &str = "-- 0042: plans\nSET lock_timeout = '2s';\nCREATE TABLE accounts (id bigint PRIMARY KEY);\nUPDATE users\n   SET plan = 'free' WHERE plan IS NULL;\nALTER TABLE users DROP COLUMN legacy;\n";

fn hover_text(client: &mut LspClient, uri: &str, line: u32, character: u32) -> Value {
    client.result(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    )
}

#[test]
fn hover_on_an_unflagged_statement_shows_its_lock_facts() {
    let dir = TempDir::new();
    let uri = dir.uri("0016.sql");
    let text =
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY idx ON users (email);\nSELECT 1;\n";
    let mut client = plain_client();
    client.open(&uri, 1, text);
    let published = client.diagnostics(&uri, 1);
    let on_index: Vec<&Value> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| at(d).0.0 == 1)
        .collect();
    assert!(
        on_index.is_empty(),
        "the statement is not flagged: {published}"
    );

    // Anywhere inside the statement, its `;` included.
    for character in [0, 20, 46] {
        let hover = hover_text(&mut client, &uri, 1, character);
        assert_eq!(hover["contents"]["kind"], "markdown");
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(
            value.contains("SHARE UPDATE EXCLUSIVE on `users`"),
            "{value}"
        );
        assert!(
            value.contains("cannot run inside a transaction block"),
            "{value}"
        );
        assert!(value.contains("additive"), "{value}");
        assert!(!value.contains("**preflight** `"), "no rule docs: {value}");
        assert_eq!(hover["range"], range((1, 0), (1, 46)));
    }
    assert_clean_exit(&mut client);
}

#[test]
fn hover_on_a_flagged_statement_shows_the_rule_docs_then_the_facts() {
    let dir = TempDir::new();
    let uri = dir.uri("0017.sql");
    let mut client = plain_client();
    client.open(&uri, 1, INDEX_SQL);
    assert_eq!(with_code(&client.diagnostics(&uri, 1), INDEX_RULE).len(), 1);
    let hover = hover_text(&mut client, &uri, 0, 15);
    let value = hover["contents"]["value"].as_str().unwrap();
    let docs = preflight::rules::find(INDEX_RULE).unwrap().docs();
    let docs_at = value
        .find(&docs)
        .unwrap_or_else(|| panic!("docs in {value}"));
    let facts_at = value
        .find("statement class: **additive**")
        .unwrap_or_else(|| panic!("facts in {value}"));
    assert!(docs_at < facts_at, "docs first: {value}");
    assert!(value[facts_at..].contains("on `users`"), "{value}");
    assert!(value.contains("\n\n---\n\n"), "sections apart: {value}");
    assert_eq!(hover["range"], range((0, 0), (0, INDEX_LEN)));
    assert_clean_exit(&mut client);
}

/// `(line, title)` of every lens, in order, checking each is a plain-text lens.
fn lens_titles(lenses: &Value) -> Vec<(u64, String)> {
    lenses
        .as_array()
        .expect("a list of lenses")
        .iter()
        .map(|lens| {
            let command = &lens["command"];
            assert_eq!(command["command"], "preflight.showClassification");
            assert!(command.get("arguments").is_none(), "{lens}");
            assert_eq!(lens["range"]["start"]["line"], lens["range"]["end"]["line"]);
            (
                lens["range"]["start"]["line"].as_u64().unwrap(),
                command["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn code_lenses_classify_each_statement_and_summarise_the_file() {
    let dir = TempDir::new();
    let uri = dir.uri("0018.sql");
    let mut client = LspClient::spawn();
    let result = client.initialize(
        json!({"textDocument": {"codeLens": {}, "inlayHint": {}}}),
        None,
    );
    assert_eq!(
        result["capabilities"]["codeLensProvider"],
        json!({"resolveProvider": false})
    );
    assert!(
        result["capabilities"].get("inlayHintProvider").is_none(),
        "lenses already show the classes: {result}"
    );
    client.open(&uri, 1, CLASSES_SQL);
    let lenses = client.result(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let expected: Vec<(u64, String)> = [
        (0, "1 additive, 1 transformative, 1 destructive"),
        (2, "additive"),
        (3, "transformative"),
        (5, "destructive"),
    ]
    .iter()
    .map(|(line, title)| (*line, title.to_string()))
    .collect();
    assert_eq!(lens_titles(&lenses), expected);

    // After an edit the lenses follow the text.
    client.change(&uri, 2, (5, 0), (6, 0), "");
    let lenses = client.result(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(
        lens_titles(&lenses),
        [
            (0, "1 additive, 1 transformative, 0 destructive".to_string()),
            (2, "additive".to_string()),
            (3, "transformative".to_string()),
        ]
    );
    assert_clean_exit(&mut client);
}

#[test]
fn a_client_without_code_lenses_gets_inlay_hints() {
    let dir = TempDir::new();
    let uri = dir.uri("0019.sql");
    let mut client = LspClient::spawn();
    let result = client.initialize(
        json!({
            "textDocument": {"inlayHint": {}},
            "workspace": {"inlayHint": {"refreshSupport": true}},
        }),
        None,
    );
    assert_eq!(result["capabilities"]["inlayHintProvider"], true);
    client.open(&uri, 1, CLASSES_SQL);
    let hints = client.result(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range((0, 0), (6, 0))}),
    );
    let shown: Vec<(Value, &str)> = hints
        .as_array()
        .expect("a list of hints")
        .iter()
        .map(|h| {
            assert_eq!(h["paddingLeft"], true);
            (h["position"].clone(), h["label"].as_str().unwrap())
        })
        .collect();
    let pos = |line: u32, character: u32| json!({"line": line, "character": character});
    assert_eq!(
        shown,
        [
            (pos(2, 46), "additive"),
            (pos(3, 12), "transformative"),
            (pos(5, 37), "destructive"),
            (pos(0, 14), "1 additive, 1 transformative, 1 destructive"),
        ]
    );
    // Only the requested lines.
    let hints = client.result(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range((3, 0), (4, 0))}),
    );
    assert_eq!(hints.as_array().unwrap().len(), 1, "{hints}");
    assert_eq!(hints[0]["label"], "transformative");

    // A configuration change asks the client to fetch the hints again.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"preflight": {"postgresVersion": 14}}}),
    );
    client.wait_method("workspace/inlayHint/refresh", |_| true);
    assert_clean_exit(&mut client);
}

#[test]
fn code_lens_refresh_only_for_clients_that_support_it() {
    let settings = json!({"settings": {"preflight": {"postgresVersion": 14}}});
    let mut client = LspClient::spawn();
    client.initialize(
        json!({
            "textDocument": {"codeLens": {}},
            "workspace": {"codeLens": {"refreshSupport": true}},
        }),
        None,
    );
    client.notify("workspace/didChangeConfiguration", settings.clone());
    client.wait_method("workspace/codeLens/refresh", |_| true);
    assert_clean_exit(&mut client);

    // Without refresh support: the diagnostic refresh, sent from the same
    // place right after where a lens refresh would go, comes alone.
    let mut client = LspClient::spawn();
    client.initialize(
        json!({
            "textDocument": {"codeLens": {}, "diagnostic": {}},
            "workspace": {"diagnostics": {"refreshSupport": true}},
        }),
        None,
    );
    client.notify("workspace/didChangeConfiguration", settings);
    client.wait_method("workspace/diagnostic/refresh", |_| true);
    assert_clean_exit(&mut client);
    let refreshes: Vec<Value> = client
        .drain()
        .into_iter()
        .filter(|m| m["method"] == "workspace/codeLens/refresh")
        .collect();
    assert!(refreshes.is_empty(), "{refreshes:?}");
}

/// Applies LSP text edits to ASCII text (character = byte column).
fn apply_text_edits(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().expect("line") as usize;
        let character = p["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

#[test]
fn a_split_fix_creates_the_next_migration_and_clears_the_finding() {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("db")).expect("db dir");
    let text = "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN note text;\n";
    dir.write("db/000002_add_index.up.sql", text);
    dir.write(
        "db/000002_add_index.down.sql",
        "ALTER TABLE users DROP COLUMN note;\n",
    );
    let uri = dir.uri("db/000002_add_index.up.sql");
    let mut client = LspClient::spawn();
    client.initialize(
        json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}}),
        None,
    );
    client.open(&uri, 1, text);
    let published = client.diagnostics(&uri, 1);
    assert_eq!(with_code(&published, INDEX_RULE).len(), 1);

    let actions = client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range((1, 3), (1, 3)), "context": {"diagnostics": []}}),
    );
    let split = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("new migration"))
        })
        .unwrap_or_else(|| panic!("no split among {actions:#}"))
        .clone();
    assert_eq!(split["kind"], "quickfix");
    let new_up = dir.uri("db/000003_add_index_concurrently.up.sql");
    let new_down = dir.uri("db/000003_add_index_concurrently.down.sql");
    let mut current = text.to_string();
    let mut created = Vec::new();
    for change in split["edit"]["documentChanges"]
        .as_array()
        .expect("operations")
    {
        if change["kind"] == "create" {
            created.push(change["uri"].as_str().expect("uri").to_string());
            continue;
        }
        let target = change["textDocument"]["uri"].as_str().expect("uri");
        if target == uri {
            assert_eq!(change["textDocument"]["version"], 1);
            current = apply_text_edits(&current, &change["edits"]);
        } else {
            let path = target.strip_prefix("file://").expect("file uri");
            let before = std::fs::read_to_string(path).unwrap_or_default();
            std::fs::write(path, apply_text_edits(&before, &change["edits"])).expect("write");
        }
    }
    assert_eq!(created, [new_up.clone(), new_down]);
    let up_path = new_up.strip_prefix("file://").expect("file uri");
    assert_eq!(
        std::fs::read_to_string(up_path).expect("created"),
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n"
    );
    assert_eq!(
        current,
        "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\n"
    );

    // The editor applies the edit to the open document: the finding is gone.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": current}]}),
    );
    let published = client.diagnostics(&uri, 2);
    assert!(
        with_code(&published, INDEX_RULE).is_empty(),
        "{published:#}"
    );
    assert_clean_exit(&mut client);
}

const WORKFLOW: &str = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - run: ./deploy.sh production\n";

#[test]
fn a_workflow_gets_pipeline_diagnostics_and_a_needs_fix() {
    let dir = TempDir::new();
    let uri = dir.uri(".github/workflows/ci.yml");
    let mut client = plain_client();
    client.open_as(&uri, "yaml", 1, WORKFLOW);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, "deploy-without-needs");
    assert_eq!(found.len(), 1, "{published}");
    // At the job's key, `deploy` on line 10.
    assert_eq!(at(found[0]), ((10, 2), (10, 8)));
    let actions = client.result(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": range((10, 3), (10, 3)),
            "context": {"diagnostics": []},
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add `needs: [test]`")
        .unwrap_or_else(|| panic!("{actions}"));
    let edit = &fix["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "    needs: [test]\n");
    assert_eq!(edit["range"]["start"], json!({"line": 12, "character": 0}));
    // An ignore directive is a `#` comment above the job.
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"] == "Ignore `deploy-without-needs` here"),
        "{actions}"
    );
    assert_clean_exit(&mut client);
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n";
const PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: api}\n";

#[test]
fn no_pdb_sees_a_pdb_in_another_open_document() {
    let dir = TempDir::new();
    let deployment = dir.uri("k8s/deployment.yaml");
    let pdb = dir.uri("k8s/pdb.yaml");
    let mut client = plain_client();
    client.open_as(&deployment, "yaml", 1, DEPLOYMENT);
    let first = client.diagnostics(&deployment, 1);
    assert_eq!(with_code(&first, "no-pdb").len(), 1, "{first}");
    // Unsaved: only the editor knows this PDB.
    client.open_as(&pdb, "yaml", 1, PDB);
    let again = client.wait_for("the Deployment re-checked", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == deployment
            && with_code(&m["params"], "no-pdb").is_empty()
    });
    assert!(with_code(&again["params"], "single-replica").is_empty());
    assert_clean_exit(&mut client);
}

#[test]
fn no_pdb_sees_a_pdb_on_disk_in_the_workspace() {
    let dir = TempDir::new();
    dir.write("k8s/pdb.yaml", PDB);
    let deployment = dir.uri("k8s/deployment.yaml");
    let mut client = LspClient::spawn();
    client.result(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(dir.path()), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.open_as(&deployment, "yaml", 1, DEPLOYMENT);
    // The scan may finish after the first check: wait for a clean one.
    client.wait_for("diagnostics without no-pdb", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == deployment
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty())
            && with_code(&m["params"], "no-pdb").is_empty()
    });
    assert_clean_exit(&mut client);
}

const REVISION: &str = "from alembic import op\n\nrevision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n    op.execute(\"SET lock_timeout = '2s'\")\n    op.execute(\"SET statement_timeout = '60s'\")\n    op.execute('''\n        ALTER TABLE users ADD CONSTRAINT users_age CHECK (age > 0)\n    ''')\n\n\ndef downgrade():\n    op.drop_constraint('users_age', 'users')\n";

/// An Alembic revision: the finding points into the SQL literal, an edit of
/// the literal clears it, and "ignore here" goes above the `op.execute`
/// statement rather than into the SQL.
#[test]
fn alembic_revision_diagnostics_edits_and_ignore_action() {
    let dir = TempDir::new();
    let uri = dir.uri("alembic/versions/0001_age_check.py");
    let mut client = plain_client();
    client.open_as(&uri, "python", 1, REVISION);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, "constraint-missing-not-valid");
    assert_eq!(found.len(), 1, "{published}");
    // `ADD CONSTRAINT users_age CHECK (age > 0)` on line 10 (0-based), inside the literal.
    assert_eq!(at(found[0]), ((10, 26), (10, 66)));

    let params = json!({"textDocument": {"uri": uri}, "range": range((10, 30), (10, 30)), "context": {"diagnostics": []}});
    let actions = client.result("textDocument/codeAction", params);
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore `constraint-missing-not-valid` here")
        .unwrap_or_else(|| panic!("{actions}"));
    let edit = &ignore["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["range"], range((9, 0), (9, 0)));
    assert!(
        edit["newText"]
            .as_str()
            .unwrap()
            .starts_with("    # preflight: ignore[constraint-missing-not-valid]"),
        "{edit}"
    );

    // `CHECK (age > 0)|` ← " NOT VALID"
    client.change(&uri, 2, (10, 66), (10, 66), " NOT VALID");
    let v2 = client.diagnostics(&uri, 2);
    assert!(
        with_code(&v2, "constraint-missing-not-valid").is_empty(),
        "{v2}"
    );
    assert_clean_exit(&mut client);
}

/// The quick fix for an Alembic operation is Alembic code.
#[test]
fn alembic_quick_fix_is_written_in_python() {
    let dir = TempDir::new();
    let uri = dir.uri("alembic/versions/0002_index.py");
    let text = "from alembic import op\n\nrevision = '0002'\ndown_revision = '0001'\n\n\ndef upgrade():\n    op.execute(\"SET lock_timeout = '2s'\")\n    op.create_index('ix_users_email', 'users', ['email'])\n\n\ndef downgrade():\n    op.drop_index('ix_users_email', table_name='users')\n";
    let mut client = plain_client();
    client.open_as(&uri, "python", 1, text);
    client.diagnostics(&uri, 1);
    let params = json!({"textDocument": {"uri": uri}, "range": range((8, 8), (8, 8)), "context": {"diagnostics": []}});
    let actions = client.result("textDocument/codeAction", params);
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["diagnostics"][0]["code"] == INDEX_RULE
                && a["kind"] == "quickfix"
                && !a["title"].as_str().unwrap().starts_with("Ignore")
        })
        .unwrap_or_else(|| panic!("{actions}"));
    assert!(
        fix["title"]
            .as_str()
            .unwrap()
            .contains("postgresql_concurrently=True"),
        "{fix}"
    );
    let edits = fix["edit"]["changes"][uri.as_str()].as_array().unwrap();
    let inserted: Vec<&str> = edits
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert!(
        inserted.contains(&", postgresql_concurrently=True"),
        "{inserted:?}"
    );
    assert!(
        inserted.contains(&"    with op.get_context().autocommit_block():\n"),
        "{inserted:?}"
    );
    assert_clean_exit(&mut client);
}

const MIXIN: &str = "from pydantic import BaseModel\n\n\nclass DatabaseMixin(BaseModel):\n    database_url: str\n    pool_size: int = 5\n";
const SETTINGS_PACKAGE: &str = "from pydantic_settings import BaseSettings, SettingsConfigDict\n\nfrom .database import DatabaseMixin\n\n\nclass Settings(DatabaseMixin, BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='SHOP_')\n";

/// A mixin's field becomes a required setting once a settings class in
/// another open document includes it, and stops being one when that class
/// drops it: the mixin is re-checked after each change of the other file.
#[test]
fn a_mixin_is_judged_by_the_settings_class_in_another_document() {
    let dir = TempDir::new();
    let mixin = dir.uri("app/settings/database.py");
    let package = dir.uri("app/settings/__init__.py");
    let mut client = plain_client();
    client.open_as(&mixin, "python", 1, MIXIN);
    let alone = client.diagnostics(&mixin, 1);
    assert!(
        with_code(&alone, "required-setting-without-default").is_empty(),
        "{alone}"
    );
    client.open_as(&package, "python", 1, SETTINGS_PACKAGE);
    let included = client.wait_for("the mixin re-checked with its settings class", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == mixin
            && !with_code(&m["params"], "required-setting-without-default").is_empty()
    });
    let finding = &with_code(&included["params"], "required-setting-without-default")[0];
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("SHOP_DATABASE_URL")),
        "named with the including class's prefix: {finding}"
    );
    assert_eq!(at(finding), ((4, 4), (4, 16)));
    // `DatabaseMixin, ` removed from the bases (line 5, characters 15..30).
    client.change(&package, 2, (5, 15), (5, 30), "");
    client.wait_for("the mixin re-checked without it", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == mixin
            && with_code(&m["params"], "required-setting-without-default").is_empty()
    });
    assert_clean_exit(&mut client);
}

const ENV_SETTINGS: &str = "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n    debug: bool = False\n    database_url: str = Field(description='Primary database.')\n";

/// A settings field missing from the workspace's `.env.example`: the quick
/// fix edits the example file (not the open document), and once the file
/// changes on disk the finding goes away.
#[test]
fn missing_from_env_example_fix_edits_the_example_file() {
    let dir = TempDir::new();
    let example = dir.write(".env.example", "APP_DEBUG=false\n");
    let uri = dir.uri("app/settings.py");
    let mut client = LspClient::spawn();
    client.result(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(dir.path()), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.open_as(&uri, "python", 1, ENV_SETTINGS);
    // The scan may finish after the first check: wait for the finding.
    client.wait_for("missing-from-env-example", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && with_code(&m["params"], "missing-from-env-example").len() == 1
    });
    let actions = client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range((7, 6), (7, 6)), "context": {"diagnostics": []}}),
    );
    let add = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == "Add `APP_DATABASE_URL=` to .env.example")
        .unwrap_or_else(|| panic!("no fix among {actions:#}"))
        .clone();
    let example_uri = file_uri(&example);
    let changes = add["edit"]["changes"].as_object().expect("changes");
    assert_eq!(changes.keys().collect::<Vec<_>>(), [&example_uri]);
    let before = std::fs::read_to_string(&example).expect("example");
    let after = apply_text_edits(&before, &changes[&example_uri]);
    assert_eq!(
        after,
        "APP_DEBUG=false\n# Primary database.\nAPP_DATABASE_URL=\n"
    );
    std::fs::write(&example, &after).expect("write example");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": example_uri, "type": 2}]}),
    );
    client.wait_for("the settings re-checked", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && with_code(&m["params"], "missing-from-env-example").is_empty()
    });
    assert_clean_exit(&mut client);
}

/// A field new since `main` is an error in the editor, and typing in the
/// settings module runs no git: the log names every git run.
#[test]
fn new_required_settings_are_found_without_git_per_keystroke() {
    let dir = TempDir::new();
    let settings = "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    database_url: str\n";
    dir.write("settings.py", settings);
    common::branch_off_main(dir.path());
    let text = format!("{settings}    stripe_key: str\n");
    let uri = dir.uri("settings.py");
    let mut client = plain_client();
    client.open_as(&uri, "python", 1, &text);
    let published = client.diagnostics(&uri, 1);
    let found = with_code(&published, "new-required-setting");
    assert_eq!(found.len(), 1, "{published}");
    assert_eq!(found[0]["severity"], 1, "error");
    assert_eq!(at(found[0]), ((5, 4), (5, 14)));
    let info = with_code(&published, "required-setting-without-default");
    assert_eq!(info.len(), 1, "{published}");
    assert_eq!(at(info[0]).0, (4, 4));
    let git_runs = |client: &LspClient| {
        client
            .stderr()
            .lines()
            .filter(|l| l.contains("engine::git") && l.contains("runs="))
            .count()
    };
    let after_open = git_runs(&client);
    assert!(after_open > 0, "{}", client.stderr());
    // Type `    region: str` one character at a time.
    let field = "    region: str";
    for (i, ch) in field.chars().enumerate() {
        let at = (6, i as u32);
        client.change(&uri, 2 + i as i64, at, at, &ch.to_string());
    }
    let last = 1 + field.len() as i64;
    let published = client.diagnostics(&uri, last);
    let found = with_code(&published, "new-required-setting");
    assert_eq!(found.len(), 2, "{published}");
    assert_eq!(at(found[1]).0, (6, 4));
    assert_eq!(git_runs(&client), after_open, "{}", client.stderr());
    assert_clean_exit(&mut client);
}

const SETTINGS_PY: &str = "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    DATABASE_URL: str\n\n\nsettings = Settings()\n";

/// Hover over an environment variable read in Python, with non-ASCII text
/// before it on its line (UTF-16 positions), shows the settings field declared
/// in a file on disk; the fix reading the settings object imports it.
#[test]
fn hover_over_an_env_read_shows_its_settings_field() {
    let dir = TempDir::new();
    dir.write("app/__init__.py", "");
    dir.write("app/config.py", SETTINGS_PY);
    let uri = dir.uri("app/db.py");
    let line = "pair = (\"🚀é\", os.getenv(\"DATABASE_URL\"))";
    let text = format!("import os\n\n{line}\n");
    let mut client = LspClient::spawn();
    client.result(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(dir.path()), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.open_as(&uri, "python", 1, &text);
    let call = line.find("os.getenv").unwrap();
    let start = line[..call].encode_utf16().count() as u32;
    // The hover covers the name and the finding around it: the whole call.
    let end = start + "os.getenv(\"DATABASE_URL\")".len() as u32;
    let on_name = start + "os.getenv(\"DA".len() as u32;
    // The workspace scan runs after `initialized`: ask until it has landed.
    let mut hover = Value::Null;
    for _ in 0..100 {
        hover = hover_text(&mut client, &uri, 2, on_name);
        if hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("Settings.DATABASE_URL"))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("`Settings.DATABASE_URL` (`config.py:5`)"),
        "{hover}"
    );
    assert!(value.contains("**required**"), "{value}");
    assert!(value.contains("Read at `db.py:3`"), "{value}");
    // `app/config.py` governs `app/`: the read bypasses the settings.
    assert!(value.contains("`env-read-outside-settings`"), "{value}");
    assert_eq!(
        hover["range"]["start"],
        json!({"line": 2, "character": start})
    );
    assert_eq!(hover["range"]["end"]["character"], json!(end));

    let params = json!({"textDocument": {"uri": uri}, "range": range((2, on_name), (2, on_name)), "context": {"diagnostics": []}});
    let actions = client.result("textDocument/codeAction", params);
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    let use_setting = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                == "Read `settings.DATABASE_URL` (validated at startup) instead of `DATABASE_URL`"
        })
        .unwrap_or_else(|| panic!("{titles:?}"));
    let edits = use_setting["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap();
    let new_texts: Vec<&str> = edits.iter().filter_map(|e| e["newText"].as_str()).collect();
    assert!(
        new_texts.contains(&"\nfrom app.config import settings"),
        "{new_texts:?}"
    );
    assert!(
        new_texts.contains(&"settings.DATABASE_URL"),
        "{new_texts:?}"
    );
    // Beside the settings, the remedy is the settings, not failing fast.
    assert!(
        !titles.contains(&"Read `DATABASE_URL` with `os.environ[...]`: fail fast when unset"),
        "{titles:?}"
    );
    assert_clean_exit(&mut client);
}
