//! The input side of the connection: frames read from stdin on a thread of
//! their own, checked, and handed to tower-lsp-server as an `AsyncRead`.
//!
//! Why not give tower-lsp-server stdin directly:
//! - Its decoder ends the whole session on the first undecodable message (the
//!   framed stream yields `None` after an error), so one malformed message from
//!   a client would kill the server. Here a malformed message is replaced by a
//!   request for [`MALFORMED_METHOD`], which the server answers with the
//!   JSON-RPC error the client should have got (`-32700` or `-32600`, id null),
//!   and the session goes on.
//! - Tokio's stdin is a blocking read on the runtime's blocking pool that cannot
//!   be cancelled; on a plain thread it never holds up the runtime's shutdown.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::Deserialize;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Stands in for a message that could not be decoded.
pub const MALFORMED_METHOD: &str = "preflight/malformedMessage";

/// What was wrong with a message, as the params of [`MALFORMED_METHOD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Malformed {
    /// Not JSON, or broken framing: JSON-RPC "Parse error".
    Parse,
    /// JSON, but not a JSON-RPC message: "Invalid Request".
    Invalid,
}

#[derive(Debug, Deserialize)]
pub struct MalformedParams {
    pub kind: Malformed,
}

/// Messages waiting on the reader thread before it blocks: enough to absorb a
/// burst of keystrokes without holding much memory.
const QUEUE: usize = 64;
/// A header block larger than this is garbage, not a header.
const MAX_HEADER: usize = 8 * 1024;
const CONTENT_LENGTH: &[u8] = b"content-length";

/// Starts the reader thread over `input` (stdin) and returns its output.
pub fn checked_input(input: impl Read + Send + 'static) -> CheckedInput {
    let (tx, rx) = mpsc::channel(QUEUE);
    let spawned = std::thread::Builder::new()
        .name("lsp-stdin".into())
        .spawn(move || {
            let mut framer = Framer::new(input);
            while let Some(frame) = framer.next_frame() {
                if tx.blocking_send(frame).is_err() {
                    break; // the server is gone
                }
            }
            tracing::debug!("end of input");
        });
    if let Err(e) = spawned {
        // Without a reader the input is simply at its end: the server stops.
        tracing::error!("cannot start the input thread: {e}");
    }
    CheckedInput {
        rx,
        pending: Vec::new(),
        at: 0,
    }
}

/// Framed, checked messages as a byte stream.
pub struct CheckedInput {
    rx: mpsc::Receiver<Vec<u8>>,
    pending: Vec<u8>,
    at: usize,
}

impl AsyncRead for CheckedInput {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at == self.pending.len() {
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(frame)) => {
                    self.pending = frame;
                    self.at = 0;
                }
                // Closed: end of input, read as zero bytes.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(self.pending.len() - self.at);
        let at = self.at;
        buf.put_slice(&self.pending[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

/// Splits a byte stream into LSP messages and re-frames each one, good or
/// replaced, so the decoder downstream only ever sees valid messages.
struct Framer<R> {
    input: R,
    buf: Vec<u8>,
    /// After a broken header: skip to the next `Content-Length`.
    resync: bool,
}

impl<R: Read> Framer<R> {
    fn new(input: R) -> Self {
        Framer {
            input,
            buf: Vec::new(),
            resync: false,
        }
    }

    /// Reads more input; `false` at its end.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        loop {
            match self.input.read(&mut chunk) {
                Ok(0) => return false,
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::error!("reading stdin: {e}");
                    return false;
                }
            }
        }
    }

    /// The next framed message, or `None` at the end of the input.
    fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            if self.resync {
                match find_ignore_case(&self.buf, CONTENT_LENGTH) {
                    Some(at) => {
                        self.buf.drain(..at);
                        self.resync = false;
                    }
                    None => {
                        // Keep a tail that may be the start of a split header name.
                        let keep = self.buf.len().min(CONTENT_LENGTH.len() - 1);
                        self.buf.drain(..self.buf.len() - keep);
                        if !self.fill() {
                            return None;
                        }
                    }
                }
                continue;
            }
            let Some(end) = find(&self.buf, b"\r\n\r\n") else {
                if self.buf.len() > MAX_HEADER {
                    return Some(self.broken_header());
                }
                if !self.fill() {
                    return None;
                }
                continue;
            };
            let Some(length) = content_length(&self.buf[..end]) else {
                self.buf.drain(..end + 4);
                return Some(self.broken_header());
            };
            let start = end + 4;
            while self.buf.len() < start + length {
                if !self.fill() {
                    return None;
                }
            }
            let body: Vec<u8> = self.buf.drain(..start + length).skip(start).collect();
            return Some(frame(checked(body)));
        }
    }

    fn broken_header(&mut self) -> Vec<u8> {
        tracing::warn!("malformed message header; skipping to the next message");
        self.resync = true;
        frame(stand_in(Malformed::Parse))
    }
}

/// The body itself when it is a JSON-RPC message, else its stand-in.
fn checked(body: Vec<u8>) -> Vec<u8> {
    if serde_json::from_slice::<Response>(&body).is_ok()
        || serde_json::from_slice::<Request>(&body).is_ok()
    {
        return body;
    }
    let kind = if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
        Malformed::Invalid
    } else {
        Malformed::Parse
    };
    tracing::warn!(
        ?kind,
        "malformed message: {}",
        String::from_utf8_lossy(&body)
    );
    stand_in(kind)
}

fn stand_in(kind: Malformed) -> Vec<u8> {
    let kind = match kind {
        Malformed::Parse => "parse",
        Malformed::Invalid => "invalid",
    };
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "method": MALFORMED_METHOD,
        "params": {"kind": kind},
    })
    .to_string()
    .into_bytes()
}

fn frame(body: Vec<u8>) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

/// The `Content-Length` of a header block (without its final blank line).
fn content_length(header: &[u8]) -> Option<usize> {
    let header = std::str::from_utf8(header).ok()?;
    let mut length = None;
    for line in header.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse().ok()?);
        }
    }
    length
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut framer = Framer::new(input);
        let mut out = Vec::new();
        while let Some(frame) = framer.next_frame() {
            let text = String::from_utf8(frame).unwrap();
            let (_, body) = text.split_once("\r\n\r\n").unwrap();
            out.push(body.to_string());
        }
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const OK: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn good_messages_pass_unchanged() {
        let input = framed(OK) + &framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        assert_eq!(
            frames(input.as_bytes()),
            [OK, r#"{"jsonrpc":"2.0","method":"exit"}"#]
        );
        let with_type = format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{OK}",
            OK.len()
        );
        assert_eq!(frames(with_type.as_bytes()), [OK]);
    }

    #[test]
    fn bad_bodies_become_stand_ins() {
        let input = framed("{not json") + &framed("[1, 2]") + &framed(OK);
        let out = frames(input.as_bytes());
        assert!(out[0].contains(MALFORMED_METHOD) && out[0].contains("parse"));
        assert!(out[1].contains("invalid"));
        assert_eq!(out[2], OK);
    }

    #[test]
    fn broken_header_resyncs_at_the_next_message() {
        let input = format!("Content-Lenght: 5\r\n\r\n{{\"a\":1}}{}", framed(OK));
        let out = frames(input.as_bytes());
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].contains("parse"));
        assert_eq!(out[1], OK);
    }

    #[test]
    fn truncated_input_ends_quietly() {
        assert!(frames(b"Content-Length: 50\r\n\r\n{\"jsonrpc\"").is_empty());
        assert!(frames(b"").is_empty());
    }
}
