//! `preflight lsp`: the language server on stdin/stdout.
//!
//! - `transport`: stdin framing that survives malformed messages.
//! - `capabilities`: what the client supports, what we announce.
//! - `server`: the protocol handlers.
//! - `documents`: open documents and their engine state.
//! - `config_state`: config files and editor settings, per document.
//! - `convert`: findings → diagnostics, code actions, hovers; statement
//!   summaries → hover facts, code lenses, inlay hints; the only place byte
//!   offsets become LSP positions.

pub mod actions;
mod capabilities;
mod config_state;
pub mod convert;
mod documents;
mod server;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp_server::{LspService, Server};
use tracing_subscriber::EnvFilter;

pub use server::Backend;

/// The environment variable with the log filter, e.g. `PREFLIGHT_LOG=debug`.
pub const LOG_ENV: &str = "PREFLIGHT_LOG";

/// Serves the language server on stdin/stdout until `exit`. The status is 0 when
/// `shutdown` came before `exit`, 1 otherwise (client crash, closed stdin), as
/// the protocol asks.
pub fn run() -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shutdown);
    runtime.block_on(async move {
        let (service, socket) = LspService::build(move |client| Backend::new(client, flag))
            .custom_method(transport::MALFORMED_METHOD, Backend::malformed_message)
            .finish();
        let input = transport::checked_input(std::io::stdin());
        Server::new(input, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // Do not wait for analyses still running on the blocking pool: the client
    // has said `exit`, nobody will read their results.
    runtime.shutdown_background();
    if shutdown.load(Ordering::SeqCst) {
        tracing::info!("exit after shutdown");
        ExitCode::SUCCESS
    } else {
        tracing::warn!("exit without shutdown");
        ExitCode::FAILURE
    }
}

/// Logs go to stderr only: stdout carries the protocol.
fn init_logging() {
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
