//! Front ends: one per language, each kept incrementally.

pub mod dotenv;
pub mod literal;
pub mod queries;
pub mod shell;
pub mod sql;
pub mod trees;
pub mod yaml;
