//! A tiny LSP client for black-box tests: spawns `preflight lsp`, frames JSON-RPC
//! with `Content-Length` headers over its stdio, and reads with a timeout so a
//! broken server fails the test instead of hanging it.
//!
//! Messages the test is not waiting for are kept in a backlog and matched by
//! later waits, so the order in which the server interleaves notifications and
//! responses does not matter. Requests from the server (registerCapability,
//! diagnostic refresh) are answered with `null` as they arrive and kept too.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::preflight_bin;

/// Long enough for a debug build on a loaded CI machine; only reached on failure.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    backlog: VecDeque<Value>,
    /// Every message received, for failure reports.
    seen: Vec<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
}

impl LspClient {
    pub fn spawn() -> Self {
        Self::spawn_with_log(Some("debug"))
    }

    /// A server whose `PREFLIGHT_LOG` is `log` (`None`: unset, so the editor's
    /// trace level decides).
    pub fn spawn_with_log(log: Option<&str>) -> Self {
        let mut command = Command::new(preflight_bin());
        match log {
            Some(filter) => command.env("PREFLIGHT_LOG", filter),
            None => command.env_remove("PREFLIGHT_LOG"),
        };
        let mut child = command
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn preflight lsp");
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, incoming) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr piped");
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        LspClient {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: VecDeque::new(),
            seen: Vec::new(),
            next_id: 1,
            stderr,
        }
    }

    /// `initialize` with these client capabilities (and options), then
    /// `initialized`. Returns the `InitializeResult`.
    pub fn initialize(&mut self, capabilities: Value, options: Option<Value>) -> Value {
        let mut params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
        });
        if let Some(options) = options {
            params["initializationOptions"] = options;
        }
        let result = self.result("initialize", params);
        self.notify("initialized", json!({}));
        result
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush to server");
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The whole response message (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response to request {id}"), |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        })
    }

    /// A request's `result`; panics on an error response.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}\n{}", self.report());
        }
        response["result"].clone()
    }

    /// The first message (backlog first, then new ones) that matches.
    pub fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for {what}\n{}", self.report())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "server closed stdout while waiting for {what}\n{}",
                        self.report()
                    )
                }
            };
            self.seen.push(message.clone());
            if message.get("method").is_some() && message.get("id").is_some() {
                // A request from the server: answer so it never waits on us.
                let id = message["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if matches(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// A notification or server request with this method (and matching params).
    pub fn wait_method(&mut self, method: &str, matches: impl Fn(&Value) -> bool) -> Value {
        self.wait_for(method, |m| m["method"] == method && matches(&m["params"]))
    }

    /// The `publishDiagnostics` params for this document version.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        let what = format!("publishDiagnostics for {uri} version {version}");
        self.wait_for(&what, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })["params"]
            .clone()
    }

    /// Opens a document with the client's language id for it.
    pub fn open_as(&mut self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.open_as(uri, "sql", version, text);
    }

    /// One incremental change replacing `[start, end)` (line, character) with `text`.
    pub fn change(
        &mut self,
        uri: &str,
        version: i64,
        start: (u32, u32),
        end: (u32, u32),
        text: &str,
    ) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(start, end), "text": text}],
            }),
        );
    }

    /// `shutdown`, `exit`, and the process's exit status. Messages the server
    /// sent before exiting stay readable through [`Self::drain`].
    pub fn shutdown_and_exit(&mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.exit()
    }

    pub fn exit(&mut self) -> ExitStatus {
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll server") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit\n{}", self.report());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every message not consumed yet, up to the end of the server's output.
    /// Only after the server exited.
    pub fn drain(&mut self) -> Vec<Value> {
        let mut rest: Vec<Value> = self.backlog.drain(..).collect();
        while let Ok(message) = self.incoming.recv_timeout(TIMEOUT) {
            rest.push(message);
        }
        rest
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn report(&self) -> String {
        let seen: Vec<String> = self.seen.iter().map(Value::to_string).collect();
        format!(
            "--- messages received ---\n{}\n--- server stderr ---\n{}",
            seen.join("\n"),
            self.stderr.lock().unwrap()
        )
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One framed message, or `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("server sent invalid JSON"))
}

pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1},
    })
}

/// The diagnostics in a `publishDiagnostics` params or a pull report with this code.
pub fn with_code<'a>(diagnostics: &'a Value, code: &str) -> Vec<&'a Value> {
    let list = diagnostics
        .get("diagnostics")
        .or_else(|| diagnostics.get("items"))
        .and_then(Value::as_array)
        .expect("a diagnostics list");
    list.iter().filter(|d| d["code"] == code).collect()
}

/// A directory under the system temp dir, removed on drop: config discovery walks
/// up from each document, so tests keep their files away from the repository.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "preflight-lsp-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create temp dir");
        // Canonical, so URIs built here match the ones the server builds.
        let path = path.canonicalize().expect("canonical temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create temp dirs");
        }
        std::fs::write(&path, text).expect("write temp file");
        path
    }

    /// The `file:` URI of a file in this directory (need not exist).
    pub fn uri(&self, name: &str) -> String {
        file_uri(&self.path.join(name))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A `file:` URI for a path made of URI-safe characters (temp dirs are).
pub fn file_uri(path: &Path) -> String {
    let path = path.to_string_lossy().replace('\\', "/");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        format!("file:///{path}")
    }
}
