//! The `preflight` binary: `lsp`, `check`, `rules`, `explain`. Argument parsing
//! only; the work happens in `preflight::cli` and `preflight::lsp`.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use preflight::cli::{self, CheckOptions, FixMode, OutputFormat};
use preflight::finding::Severity;
use preflight::fixes::apply::Allowed;

#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version,
    about = "A production-deploy checklist for migrations, settings and pipelines"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Check files and directories and report findings.
    Check {
        /// Files and directories to check; directories are walked, respecting .gitignore.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 1 when there is a finding at or above this severity.
        #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = Level::Warning)]
        fail_on: Level,
        /// Apply the safe fixes (behaviour-preserving, this file only), then report what is left.
        #[arg(long)]
        fix: bool,
        /// Apply every fix, including splits into new migration files; implies --fix.
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print the changes the fixes would make as a unified diff, without writing.
        #[arg(long)]
        diff: bool,
    },
    /// List every rule: id, default severity, class and summary.
    Rules,
    /// Show a rule's documentation.
    Explain {
        /// The rule id, e.g. require-concurrent-index-creation.
        rule_id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Level {
    Error,
    Warning,
    Info,
    Hint,
}

impl From<Level> for Severity {
    fn from(level: Level) -> Self {
        match level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
            Level::Hint => Severity::Hint,
        }
    }
}

fn main() -> ExitCode {
    match Args::parse().command {
        Command::Lsp => preflight::lsp::run(),
        Command::Check {
            paths,
            format,
            fail_on,
            fix,
            unsafe_fixes,
            diff,
        } => cli::check::run(&CheckOptions {
            fix: (fix || unsafe_fixes || diff).then_some(FixMode {
                allowed: if unsafe_fixes {
                    Allowed::All
                } else {
                    Allowed::SafeOnly
                },
                diff,
            }),
            paths,
            format: match format {
                Format::Text => OutputFormat::Text,
                Format::Json => OutputFormat::Json,
            },
            fail_on: fail_on.into(),
        }),
        Command::Rules => {
            let mut out = io::stdout().lock();
            match cli::rules::list(&mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(cli::EXIT_ERROR),
            }
        }
        Command::Explain { rule_id } => {
            let result =
                cli::rules::explain(&mut io::stdout().lock(), &mut io::stderr().lock(), &rule_id);
            result.unwrap_or(ExitCode::from(cli::EXIT_ERROR))
        }
    }
}
