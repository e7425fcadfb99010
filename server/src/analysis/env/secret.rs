//! Which variable names hold secrets, and which values are real ones.
//! Matching whole `_`-separated words keeps `TOKEN_URL` and
//! `ACCESS_TOKEN_EXPIRE_MINUTES` (a URL, a duration) apart from `API_TOKEN`.

const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "token",
    "credentials",
    "dsn",
];
const SECRET_PAIRS: &[[&str; 2]] = &[["api", "key"], ["private", "key"], ["secret", "key"]];
/// A last word that makes the name describe the secret rather than hold it.
const DESCRIPTIVE: &[&str] = &[
    "url",
    "uri",
    "endpoint",
    "expire",
    "expires",
    "expiry",
    "minutes",
    "seconds",
    "hours",
    "days",
    "ttl",
    "lifetime",
    "length",
    "len",
    "path",
    "file",
    "name",
    "header",
    "type",
    "algorithm",
    "prefix",
    "env",
    "var",
    "field",
];

/// Whether a variable or field called `name` holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.last().is_some_and(|w| DESCRIPTIVE.contains(w)) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(w))
        || words.windows(2).any(|pair| {
            SECRET_PAIRS
                .iter()
                .any(|p| p[0] == pair[0] && p[1] == pair[1])
        })
}

/// Credential formats recognised by their prefix, with the shortest token
/// after it that a real one has (so `sk-` alone, or `sk-...`, is no key).
const PREFIXES: &[(&str, &str, usize)] = &[
    ("sk_live_", "a Stripe live secret key", 16),
    ("rk_live_", "a Stripe restricted key", 16),
    ("sk-ant-", "an Anthropic API key", 20),
    ("sk-", "an OpenAI-style secret key", 20),
    ("github_pat_", "a GitHub fine-grained token", 20),
    ("ghp_", "a GitHub personal access token", 30),
    ("gho_", "a GitHub OAuth token", 30),
    ("ghs_", "a GitHub app token", 30),
    ("glpat-", "a GitLab personal access token", 20),
    ("xoxb-", "a Slack bot token", 20),
    ("xoxp-", "a Slack user token", 20),
    ("AKIA", "an AWS access key id", 16),
    ("AIza", "a Google API key", 35),
];

/// Words that mark a value as made up for the example.
const PLACEHOLDER_WORDS: &[&str] = &[
    "change",
    "your",
    "example",
    "placeholder",
    "replace",
    "xxx",
    "todo",
    "dummy",
    "fake",
    "sample",
    "insert",
    "here",
    "insecure",
    "secret",
    "password",
    "test",
    "local",
    "dev",
    "redacted",
    "fill",
    "<",
    "...",
];

/// Why `value` of the variable `name` looks like a real credential, or
/// `None` for a placeholder (`changeme`, `your-key-here`, `<token>`, `xxx`,
/// empty) or anything else.
pub fn real_secret(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if is_placeholder(value) {
        return None;
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        // A header alone (or with `...`) shows the format; a body is a key.
        // Its lines may be written as `\n` escapes in a quoted value.
        let body = value
            .replace("\\n", "\n")
            .lines()
            .filter(|l| !l.contains("-----"))
            .map(str::trim)
            .collect::<String>();
        return (body.len() >= 32).then_some("a PEM private key");
    }
    for (prefix, what, min) in PREFIXES {
        if let Some(token) = value.strip_prefix(prefix) {
            let well_formed = token.len() >= *min
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            return well_formed.then_some(what);
        }
    }
    // A URL's password is a secret whatever the variable is called
    // (`DATABASE_URL`); the rest of a URL is not.
    let random = match url_password(value) {
        Some(password) => looks_random(password),
        None if value.contains("://") => false,
        None => is_secret_name(name) && looks_random(value),
    };
    random.then_some("a generated secret")
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    first.is_none()
        || value.starts_with("${")
        || chars.all(|c| Some(c) == first)
        || PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// The password of `scheme://user:password@host`.
fn url_password(value: &str) -> Option<&str> {
    let rest = value.split_once("://")?.1;
    let userinfo = rest.split(['/', '?', '#']).next()?.rsplit_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty() && !is_placeholder(password)).then_some(password)
}

/// A generated token: long, no spaces, mixed character classes and enough
/// Shannon entropy per character (a made-up phrase has little).
fn looks_random(value: &str) -> bool {
    if value.chars().count() < 16 || value.chars().any(char::is_whitespace) {
        return false;
    }
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ];
    classes.iter().filter(|c| **c).count() >= 2 && entropy(value) >= 3.5
}

fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = value.chars().count() as f64;
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_secrets_by_prefix_and_by_entropy() {
        let real = [
            ("OPENAI_API_KEY", "sk-proj-4fQ9xZ2LmN8vB1cD7eR3tY6uI0oP5aS"),
            ("STRIPE_KEY", "sk_live_51HqLyjWDarjtT1zdp7dc"),
            ("GITHUB_TOKEN", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            ("AWS_ACCESS_KEY_ID", "AKIAZ7VRSQ2KJ4PLMN3X"),
            (
                "SLACK",
                "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1",
            ),
            ("SECRET_KEY", "q8Vx2mP9LrT4nZ7wK3bY6cF1"),
            ("DATABASE_URL", "postgres://app:Zx8qP2mL9vR4tK7w@db/app"),
            (
                "TLS_KEY",
                "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----",
            ),
        ];
        for (name, value) in real {
            assert!(real_secret(name, value).is_some(), "{name}={value}");
        }
        let fine = [
            ("OPENAI_API_KEY", ""),
            ("OPENAI_API_KEY", "sk-your-key-here"),
            ("OPENAI_API_KEY", "sk-..."),
            ("STRIPE_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxx"),
            ("SECRET_KEY", "changeme"),
            ("SECRET_KEY", "<generate with openssl rand -hex 32>"),
            ("SECRET_KEY", "django-insecure-q8Vx2mP9LrT4nZ7wK3bY6cF1"),
            ("SECRET_KEY", "********"),
            ("SECRET_KEY", "${VAULT_SECRET}"),
            // Random, but no secret's name: a build id, a UUID.
            ("BUILD_ID", "q8Vx2mP9LrT4nZ7wK3bY6cF1"),
            (
                "DATABASE_URL",
                "postgres://postgres:postgres@localhost:5432/app",
            ),
            (
                "SENTRY_DSN",
                "https://examplePublicKey@o0.ingest.sentry.io/0",
            ),
            ("API_TOKEN", "aaaaaaaaaaaaaaaaaaaa"),
            ("JWT_SECRET", "not so secret but long enough"),
            (
                "TLS_KEY",
                "-----BEGIN PRIVATE KEY-----...-----END PRIVATE KEY-----",
            ),
        ];
        for (name, value) in fine {
            assert!(real_secret(name, value).is_none(), "{name}={value}");
        }
    }

    #[test]
    fn secrets_are_whole_words_not_descriptions() {
        for name in [
            "SECRET_KEY",
            "db_password",
            "API_KEY",
            "GITHUB_TOKEN",
            "SENTRY_DSN",
            "stripe_private_key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "TOKEN_URL",
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "PROJECT_NAME",
            "tokens_used2",
            "KEYBOARD",
            "PASSWORD_FILE",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
