//! preflight: a production-deploy checklist as a language server and a CLI.
//!
//! Layers, lowest first; a layer uses only those below it:
//! `text` → `syntax` → `analysis` → `fixes` → `rules` → `engine` → `lsp`, `cli`.
//! `finding` and `config` are plain data every layer from `analysis` up may use.
//! See `docs/dev/architecture.md` for the map.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod engine;
pub mod finding;
pub mod fixes;
pub mod lsp;
pub mod rules;
pub mod syntax;
pub mod text;
