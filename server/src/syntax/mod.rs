//! Front ends: one per language, each kept incrementally.

pub mod sql;
pub mod trees;
