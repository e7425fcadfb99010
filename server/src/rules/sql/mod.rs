//! Rules over migration operations (SQL files today; ORM migrations lower into
//! the same operations).
use super::Rule;

pub static RULES: &[&Rule] = &[];
