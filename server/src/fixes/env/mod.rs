//! Fixes of the env rules, one module per language: Python reads and
//! pydantic-settings fields (`python.rs`), TypeScript env schemas — envalid
//! validators and zod chains (`typescript.rs`).

pub mod python;
pub mod typescript;
