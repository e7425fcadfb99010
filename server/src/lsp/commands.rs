//! `workspace/executeCommand`: what the server does on an editor's request
//! rather than on a document change.
//!
//! - `preflight.explain` with one argument, a rule id: that rule's
//!   documentation as Markdown, the same text `preflight explain` prints, so
//!   an editor shows it without a web link or a copy of the docs of its own.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::ExecuteCommandOptions;

use crate::cli::rules::{self as explain, Style};
use crate::rules;

/// The command that returns a rule's documentation.
pub const EXPLAIN: &str = "preflight.explain";

/// Every command announced in `executeCommandProvider`.
pub const ALL: &[&str] = &[EXPLAIN];

/// The `executeCommandProvider` we announce.
pub fn options() -> ExecuteCommandOptions {
    ExecuteCommandOptions {
        commands: ALL.iter().map(|c| c.to_string()).collect(),
        ..ExecuteCommandOptions::default()
    }
}

/// Runs one command. Unknown commands and bad arguments are `InvalidParams`
/// errors with a message for the user, never a crash.
pub fn execute(command: &str, arguments: &[Value]) -> Result<Option<Value>> {
    match command {
        EXPLAIN => explain_rule(arguments).map(Some),
        other => Err(Error::invalid_params(format!(
            "unknown command `{other}`; preflight serves {}",
            ALL.join(", ")
        ))),
    }
}

fn explain_rule(arguments: &[Value]) -> Result<Value> {
    let [Value::String(id)] = arguments else {
        return Err(Error::invalid_params(format!(
            "{EXPLAIN} takes one argument, a rule id such as \"require-lock-timeout\""
        )));
    };
    let rule = rules::find(id).ok_or_else(|| Error::invalid_params(explain::unknown_rule(id)))?;
    Ok(Value::String(explain::explanation(rule, Style::Markdown)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn explain_returns_the_rule_docs_as_markdown() {
        let result = execute(EXPLAIN, &[json!("require-concurrent-index-creation")])
            .unwrap()
            .unwrap();
        let text = result.as_str().unwrap();
        assert!(text.starts_with("# require-concurrent-index-creation\n"));
        let docs = rules::find("require-concurrent-index-creation")
            .unwrap()
            .docs();
        assert!(text.contains(&docs));
    }

    #[test]
    fn bad_arguments_and_unknown_commands_are_invalid_params() {
        for arguments in [vec![], vec![json!(3)], vec![json!("a"), json!("b")]] {
            let error = execute(EXPLAIN, &arguments).unwrap_err();
            assert_eq!(error.code, Error::invalid_params("").code);
            assert!(error.message.contains("one argument"), "{}", error.message);
        }
        let error = execute(EXPLAIN, &[json!("drop-tabel")]).unwrap_err();
        assert!(error.message.contains("did you mean `drop-table`?"));
        let error = execute("preflight.nothing", &[]).unwrap_err();
        assert!(error.message.contains("preflight.explain"));
    }
}
