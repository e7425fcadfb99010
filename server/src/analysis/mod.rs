//! What a file is and what surrounds it: the migration-operation model every
//! front end lowers into, and the context each operation runs in.

pub mod migration;
pub mod orm;
pub mod runner;
pub mod suppression;
