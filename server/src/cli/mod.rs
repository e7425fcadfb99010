//! The command-line face: `preflight check` and its reporters, `preflight rules`
//! and `preflight explain`. `main.rs` parses the arguments and calls in here;
//! everything that decides what to print and which exit code to return lives here.

pub mod check;
pub mod fix;
pub mod report;
pub mod rules;

use std::path::Path;
use std::process::ExitCode;

pub use check::{CheckOptions, OutputFormat};
pub use fix::FixMode;

/// Exit code: nothing at or above `--fail-on`.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: a usage, configuration or I/O error.
pub const EXIT_ERROR: u8 = 2;

pub(crate) fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// A path as the user sees it: as given or walked, with `/` separators and
/// without leading `./` components.
pub fn display_path(path: &Path) -> String {
    let raw = path.to_string_lossy();
    let mut s: &str = &raw;
    let owned;
    if std::path::MAIN_SEPARATOR != '/' {
        owned = raw.replace(std::path::MAIN_SEPARATOR, "/");
        s = &owned;
    }
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_path_strips_leading_dot_components() {
        assert_eq!(display_path(Path::new("./a/b.sql")), "a/b.sql");
        assert_eq!(display_path(Path::new("././a.sql")), "a.sql");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("../x.sql")), "../x.sql");
        assert_eq!(display_path(Path::new("/abs/x.sql")), "/abs/x.sql");
    }
}
