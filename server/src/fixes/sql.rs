//! Keyword-level rewrites of SQL statements, and SQL text for identifiers.

use std::borrow::Cow;

use crate::analysis::migration::Name;

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] ...` → `CREATE [UNIQUE] INDEX
/// CONCURRENTLY IF NOT EXISTS ...`, so a retry after a failed build does not
/// trip over the invalid index left behind. `statement` starts at `CREATE`;
/// `IF NOT EXISTS` is added only to a named index (PostgreSQL requires a name
/// with it).
pub fn concurrent_create_index(statement: &str, add_if_not_exists: bool) -> Option<String> {
    let mut at = keyword_end(statement, &["CREATE", "UNIQUE", "INDEX"])
        .or_else(|| keyword_end(statement, &["CREATE", "INDEX"]))?;
    let mut out = String::with_capacity(statement.len() + 30);
    out.push_str(&statement[..at]);
    match keyword_end(&statement[at..], &["CONCURRENTLY"]) {
        Some(end) => {
            out.push_str(&statement[at..at + end]);
            at += end;
        }
        None => out.push_str(" CONCURRENTLY"),
    }
    let has_if_not_exists = keyword_end(&statement[at..], &["IF", "NOT", "EXISTS"]).is_some();
    if add_if_not_exists && !has_if_not_exists {
        out.push_str(" IF NOT EXISTS");
    }
    out.push_str(&statement[at..]);
    Some(out)
}

/// `REINDEX [(options)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM name` with
/// `CONCURRENTLY` after the object kind; `None` when it is there already or
/// the statement is not a plain REINDEX (SYSTEM cannot be concurrent).
pub fn concurrent_reindex(statement: &str) -> Option<String> {
    let after_reindex = keyword_end(statement, &["REINDEX"])?;
    let rest = &statement[after_reindex..];
    let options = rest.trim_start();
    let skipped = rest.len() - options.len();
    // `REINDEX (VERBOSE) INDEX ...`: the parenthesised options come first.
    let after_options = if options.starts_with('(') {
        skipped + options.find(')')? + 1
    } else {
        0
    };
    let kind_at = after_reindex + after_options;
    let after_kind = ["INDEX", "TABLE", "SCHEMA", "DATABASE"]
        .iter()
        .find_map(|kind| keyword_end(&statement[kind_at..], &[kind]))?;
    let at = kind_at + after_kind;
    if keyword_end(&statement[at..], &["CONCURRENTLY"]).is_some() {
        return None;
    }
    Some(format!(
        "{} CONCURRENTLY{}",
        &statement[..at],
        &statement[at..]
    ))
}

/// Whether `text` has `word` as a whole word, ignoring ASCII case.
pub fn contains_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    (0..bytes.len().saturating_sub(word.len()) + 1).any(|i| {
        bytes[i..].len() >= word.len()
            && bytes[i..i + word.len()].eq_ignore_ascii_case(word.as_bytes())
            && (i == 0 || !is_word(bytes[i - 1]))
            && bytes.get(i + word.len()).is_none_or(|&b| !is_word(b))
    })
}

/// An identifier as SQL text: quoted when PostgreSQL would otherwise fold
/// its case or read it as a reserved word.
pub fn ident(name: &str) -> Cow<'_, str> {
    let plain = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$')
        && !RESERVED.contains(&name);
    if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("\"{}\"", name.replace('"', "\"\"")))
    }
}

/// `schema.name`, each part quoted as needed.
pub fn qualified(name: &Name) -> String {
    match &name.schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(&name.name)),
        None => ident(&name.name).into_owned(),
    }
}

/// PostgreSQL's reserved key words (Appendix C of its manual): never plain
/// identifiers.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// Byte offset just past the keyword sequence `words` at the start of `text`,
/// separated by whitespace (any case).
fn keyword_end(text: &str, words: &[&str]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut offset = 0;
    for word in words {
        while bytes.get(offset).is_some_and(u8::is_ascii_whitespace) {
            offset += 1;
        }
        let candidate = bytes.get(offset..offset + word.len())?;
        if !candidate.eq_ignore_ascii_case(word.as_bytes()) {
            return None;
        }
        offset += word.len();
        // A keyword must end here: `INDEXES` is not `INDEX`.
        if bytes
            .get(offset)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii())
        {
            return None;
        }
    }
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_after_index_keyword() {
        assert_eq!(
            concurrent_create_index("create unique\n  index i on t (a);", true).unwrap(),
            "create unique\n  index CONCURRENTLY IF NOT EXISTS i on t (a);"
        );
        assert_eq!(
            concurrent_create_index("CREATE INDEX ON t (a);", false).unwrap(),
            "CREATE INDEX CONCURRENTLY ON t (a);"
        );
        // Already concurrent, or already IF NOT EXISTS: nothing doubled.
        assert_eq!(
            concurrent_create_index("CREATE INDEX CONCURRENTLY i ON t (a);", true).unwrap(),
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"
        );
        assert_eq!(
            concurrent_create_index("CREATE INDEX IF NOT EXISTS i ON t (a);", true).unwrap(),
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"
        );
    }

    #[test]
    fn identifiers_quoted_only_when_needed() {
        assert_eq!(ident("users_email_idx"), "users_email_idx");
        assert_eq!(ident("Users"), "\"Users\"");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("café"), "\"café\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            qualified(&Name::new(Some("app".into()), "Order")),
            "app.\"Order\""
        );
    }

    #[test]
    fn reindex_gets_concurrently_after_its_object_kind() {
        assert_eq!(
            concurrent_reindex("REINDEX INDEX users_pkey;").unwrap(),
            "REINDEX INDEX CONCURRENTLY users_pkey;"
        );
        assert_eq!(
            concurrent_reindex("reindex (verbose) table t;").unwrap(),
            "reindex (verbose) table CONCURRENTLY t;"
        );
        assert!(concurrent_reindex("REINDEX INDEX CONCURRENTLY i;").is_none());
        assert!(concurrent_reindex("REINDEX SYSTEM db;").is_none());
    }

    #[test]
    fn words_are_whole() {
        assert!(contains_word("DROP INDEX i cascade;", "CASCADE"));
        assert!(!contains_word("DROP INDEX cascade_idx;", "CASCADE"));
        assert!(!contains_word("", "CASCADE"));
    }

    #[test]
    fn refuses_other_shapes() {
        assert!(concurrent_create_index("op.create_index('i', 't')", false).is_none());
        assert!(concurrent_create_index("CREATE INDEXES", false).is_none());
    }
}
