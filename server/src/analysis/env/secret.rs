//! Which variable names hold secrets. Matching whole `_`-separated words
//! keeps `TOKEN_URL` and `ACCESS_TOKEN_EXPIRE_MINUTES` (a URL, a duration)
//! apart from `API_TOKEN`.

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

#[cfg(test)]
mod tests {
    use super::*;

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
