//! What a file is and what surrounds it: the migration-operation model every
//! front end lowers into, and the context each operation runs in; the
//! pipeline model of CI files and the workload model of Kubernetes manifests.

pub mod deploy_env;
pub mod env;
pub mod manifest;
pub mod migration;
pub mod orm;
pub mod pipeline;
pub mod runner;
pub mod suppression;
pub mod yaml_kind;
