//! Variables a project's own code need not read to use: set by the OS, a
//! CI runner, a platform or a bundler, or read by a library or tool
//! straight from the environment.

/// Set by the OS, the CI runner or the platform (`PORT` on Heroku and Cloud
/// Run), or built into a bundler (`import.meta.env.MODE`, `BASE_URL`,
/// `PROD`, `DEV`, `SSR` in Vite); and the conventional switches every
/// framework reads itself (`NODE_ENV`, `DEBUG`, `LOG_LEVEL`).
const PLATFORM: &[&str] = &[
    "PWD",
    "PATH",
    "HOME",
    "LANG",
    "TZ",
    "CI",
    "GITHUB_ACTIONS",
    "PORT",
    "NODE_ENV",
    "MODE",
    "BASE_URL",
    "PROD",
    "DEV",
    "SSR",
    "DEBUG",
    "LOG_LEVEL",
];

/// Prefixes of variables a library or tool reads itself: SDKs configured
/// from the environment (OpenAI, Anthropic, AWS, Azure, Google, Sentry,
/// Datadog, OpenTelemetry), libpq (`PGHOST`, `PGPASSWORD`), the official
/// PostgreSQL image (`POSTGRES_PASSWORD`, for docker compose), Python and
/// its tools (`PYTHONPATH`, `UV_`), npm, Docker and compose, and bundlers
/// that inline public variables into HTML and config without any read in
/// code (`VITE_`, `NEXT_`).
const LIBRARY_PREFIXES: &[&str] = &[
    "OPENAI_",
    "ANTHROPIC_",
    "AWS_",
    "AZURE_",
    "GOOGLE_",
    "SENTRY_",
    "DATADOG_",
    "DD_",
    "OTEL_",
    "PG",
    "POSTGRES_",
    "PYTHON",
    "UV_",
    "NPM_",
    "DOCKER_",
    "COMPOSE_",
    "VITE_",
    "NEXT_",
];

/// Whether the platform, not the project, sets `name`.
pub fn is_platform(name: &str) -> bool {
    PLATFORM.contains(&name)
}

/// Whether something besides the project's code reads `name`: the platform
/// or a library.
pub fn used_outside_code(name: &str) -> bool {
    is_platform(name) || LIBRARY_PREFIXES.iter().any(|p| name.starts_with(p))
}
