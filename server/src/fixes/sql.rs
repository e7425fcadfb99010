//! Keyword-level rewrites of SQL statements, and SQL text for identifiers.

use std::borrow::Cow;
use std::ops::Range;

use crate::analysis::migration::Name;
use crate::syntax::sql::lexer;
use crate::syntax::sql::{Token, TokenKind};

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

/// `text` as an SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `body` between dollar quotes whose tag it does not contain, so a function
/// or `DO` body may hold the user's own dollar-quoted text.
pub fn dollar_quoted(body: &str) -> String {
    let mut tag = String::new();
    let mut n = 0u32;
    loop {
        let delimiter = format!("${tag}$");
        // The body ends where the delimiter is first found after it opens
        // (the end of the body may make one with the closing delimiter).
        let closed = format!("{body}{delimiter}");
        if closed.find(&delimiter) == Some(body.len()) {
            return format!("{delimiter}{closed}");
        }
        n += 1;
        tag = format!("q{n}");
    }
}

/// PostgreSQL keeps the first 63 bytes of an identifier.
const MAX_IDENT: usize = 63;

/// `parts` joined by `_`, for an object a recipe creates, with the longest
/// part shortened until the whole fits in an identifier: truncated by
/// PostgreSQL instead, two names could lose the parts that tell them apart.
pub fn object_name(parts: &[&str]) -> String {
    let mut parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    let len = |parts: &[String]| parts.iter().map(String::len).sum::<usize>() + parts.len() - 1;
    while !parts.is_empty() && len(&parts) > MAX_IDENT {
        let longest = (0..parts.len())
            .max_by_key(|&i| (parts[i].len(), std::cmp::Reverse(i)))
            .unwrap_or(0);
        if parts[longest].pop().is_none() {
            break;
        }
    }
    parts.join("_")
}

/// The name PostgreSQL gives a constraint (or index) of `table` that the
/// statement leaves unnamed: `<table>_<columns joined by _>_<label>`, or
/// `<table>_<label>` without columns (`users_email_key`, `users_pkey`), cut
/// to fit an identifier the way PostgreSQL cuts it (`makeObjectName`: the
/// longer of the two parts loses a byte at a time, the columns on a tie).
/// PostgreSQL appends a number when the name is taken; that cannot be known
/// here.
pub fn default_constraint_name(table: &str, columns: &[&str], label: &str) -> String {
    // The columns' part as `ChooseIndexNameAddition` builds it: names are
    // added until it reaches an identifier's length.
    let mut addition = String::new();
    for column in columns {
        if !addition.is_empty() {
            addition.push('_');
        }
        addition.push_str(column);
        if addition.len() > MAX_IDENT {
            break;
        }
    }
    let overhead = label.len() + 1 + usize::from(!addition.is_empty());
    let available = MAX_IDENT.saturating_sub(overhead);
    let (mut table_len, mut addition_len) = (table.len(), addition.len());
    while table_len + addition_len > available {
        if table_len > addition_len {
            table_len -= 1;
        } else {
            addition_len -= 1;
        }
    }
    let clip = |text: &str, mut len: usize| {
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        text[..len].to_string()
    };
    let mut name = clip(table, table_len);
    if !addition.is_empty() {
        name.push('_');
        name.push_str(&clip(&addition, addition_len));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// A statement's tokens with their parenthesis depth, to find its clauses'
/// keywords where they are the statement's own (not in a subquery or call).
pub struct Clauses<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    depth: Vec<u32>,
}

impl<'a> Clauses<'a> {
    pub fn new(text: &'a str) -> Self {
        let tokens = lexer::lex(text).tokens;
        let mut depth = Vec::with_capacity(tokens.len());
        let mut level = 0u32;
        for token in &tokens {
            let t = &text[token.span.clone()];
            if token.kind == TokenKind::Punct && (t == ")" || t == "]") {
                level = level.saturating_sub(1);
            }
            depth.push(level);
            if token.kind == TokenKind::Punct && (t == "(" || t == "[") {
                level += 1;
            }
        }
        Clauses {
            text,
            tokens,
            depth,
        }
    }

    /// The text of token `i`.
    pub fn token(&self, i: usize) -> Option<&'a str> {
        self.text.get(self.tokens.get(i)?.span.clone())
    }

    /// Token `i` is the keyword `word` (any case).
    pub fn is_word(&self, i: usize, word: &str) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Word)
            && self.token(i).is_some_and(|t| t.eq_ignore_ascii_case(word))
    }

    /// Token `i` is the punctuation or operator `symbol`.
    pub fn is_symbol(&self, i: usize, symbol: &str) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| matches!(t.kind, TokenKind::Punct | TokenKind::Operator))
            && self.token(i) == Some(symbol)
    }

    /// The first top-level token from `from` on that is one of `words`.
    pub fn find(&self, from: usize, words: &[&str]) -> Option<usize> {
        (from..self.tokens.len())
            .find(|&i| self.depth[i] == 0 && words.iter().any(|w| self.is_word(i, w)))
    }

    /// The token that closes the `(` at token `open`, at its own depth.
    pub fn closing(&self, open: usize) -> Option<usize> {
        if !self.is_symbol(open, "(") {
            return None;
        }
        let depth = self.depth[open];
        (open + 1..self.tokens.len()).find(|&i| self.depth[i] == depth && self.is_symbol(i, ")"))
    }

    /// Each top-level `,`-separated part of tokens `range`, as token ranges.
    pub fn split_commas(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut parts = Vec::new();
        let mut start = range.start;
        for i in range.start..range.end.min(self.tokens.len()) {
            if self.depth[i] == 0 && self.is_symbol(i, ",") {
                parts.push(start..i);
                start = i + 1;
            }
        }
        parts.push(start..range.end);
        parts
    }

    /// The text from token `range.start` to the end of token `range.end - 1`
    /// (comments inside included), or `""` for no tokens.
    pub fn text(&self, range: Range<usize>) -> &'a str {
        match (self.tokens.get(range.start), range.end.checked_sub(1)) {
            (Some(first), Some(last)) if last >= range.start => self
                .tokens
                .get(last)
                .and_then(|last| self.text.get(first.span.start..last.span.end))
                .unwrap_or(""),
            _ => "",
        }
    }

    /// The number of tokens before the statement's closing `;`, if any.
    pub fn end(&self) -> usize {
        let n = self.tokens.len();
        if n > 0 && self.is_symbol(n - 1, ";") {
            n - 1
        } else {
            n
        }
    }
}

/// `word` occurs in `text` as a whole word (any case), so a name made up for
/// a recipe would clash with one the user's text uses.
pub fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let lower = text.to_lowercase();
    lower
        .match_indices(&word.to_lowercase())
        .any(|(at, found)| {
            !lower[..at].ends_with(is_ident) && !lower[at + found.len()..].starts_with(is_ident)
        })
}

/// `base`, or `base_2`, `base_3`... : the first that `text` does not mention.
pub fn fresh(base: &str, text: &str) -> String {
    let mut name = base.to_string();
    let mut n = 1;
    while mentions(text, &name) {
        n += 1;
        name = format!("{base}_{n}");
    }
    name
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
    fn literals_dollar_quotes_and_made_up_names() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(dollar_quoted("\nBEGIN END "), "$$\nBEGIN END $$");
        assert_eq!(dollar_quoted(" $$x$$ "), "$q1$ $$x$$ $q1$");
        assert_eq!(dollar_quoted("a$"), "$q1$a$$q1$");
        assert_eq!(
            object_name(&["users", "sync", "price_new"]),
            "users_sync_price_new"
        );
        let long = "é".repeat(40);
        let name = object_name(&[&long, "sync", "price_new"]);
        assert!(
            name.len() <= 63 && name.ends_with("_sync_price_new"),
            "{name}"
        );
        assert!(mentions("SET Last_Id = 1", "last_id"));
        assert!(!mentions("SET last_ids = 1", "last_id"));
        assert_eq!(fresh("batch", "batch, batch_2"), "batch_3");
    }

    #[test]
    fn default_names_are_cut_as_postgres_cuts_them() {
        assert_eq!(
            default_constraint_name("users", &["email"], "key"),
            "users_email_key"
        );
        assert_eq!(default_constraint_name("users", &[], "pkey"), "users_pkey");
        assert_eq!(
            default_constraint_name("T", &["Col", "x y"], "key"),
            "T_Col_x y_key"
        );
        // Measured on PostgreSQL 15.
        let table = "a_very_long_table_name_that_goes_on_and_on_for_a_while_xx";
        let (first, second) = (
            "first_column_with_long_name",
            "second_column_name_also_long",
        );
        assert_eq!(
            default_constraint_name(table, &[first, second], "key"),
            "a_very_long_table_name_that_g_first_column_with_long_name_s_key"
        );
        assert_eq!(
            default_constraint_name(table, &[first], "key"),
            "a_very_long_table_name_that_goe_first_column_with_long_name_key"
        );
        assert_eq!(
            default_constraint_name(table, &[], "pkey"),
            "a_very_long_table_name_that_goes_on_and_on_for_a_while_xx_pkey"
        );
        let wide = default_constraint_name(&"é".repeat(40), &["c"], "key");
        assert!(wide.len() <= 63 && wide.ends_with("_c_key"), "{wide}");
        let many = ["c"; 200];
        assert!(default_constraint_name("t", &many, "key").len() <= 63);
    }

    #[test]
    fn clauses_are_found_at_the_top_level() {
        let text = "UPDATE t SET a = (SELECT b FROM u WHERE c), d = 1 WHERE e;";
        let c = Clauses::new(text);
        let set = c.find(0, &["SET"]).unwrap();
        let where_at = c.find(0, &["WHERE"]).unwrap();
        assert_eq!(
            c.text(set + 1..where_at),
            "a = (SELECT b FROM u WHERE c), d = 1"
        );
        let parts = c.split_commas(set + 1..where_at);
        assert_eq!(c.text(parts[1].clone()), "d = 1");
        assert_eq!(c.text(where_at + 1..c.end()), "e");
        assert_eq!(c.text(3..3), "");
        assert!(c.find(0, &["FROM"]).is_none());
        let open = (0..20).find(|&i| c.is_symbol(i, "(")).unwrap();
        assert_eq!(
            c.text(open..c.closing(open).unwrap() + 1),
            "(SELECT b FROM u WHERE c)"
        );
        assert_eq!(c.closing(0), None);
    }

    #[test]
    fn refuses_other_shapes() {
        assert!(concurrent_create_index("op.create_index('i', 't')", false).is_none());
        assert!(concurrent_create_index("CREATE INDEXES", false).is_none());
    }
}
