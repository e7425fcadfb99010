//! SQL a `DO` block builds at run time: each PL/pgSQL `EXECUTE` whose command
//! string is not a literal runs statements that no lowering can see.

use std::ops::Range;

use crate::syntax::sql::lexer::lex;
use crate::syntax::sql::{Token, TokenKind};

use super::ops::{Op, OpKind};

/// One [`OpKind::DynamicSql`] per non-literal `EXECUTE` in the body of the
/// `DO` statement `text` (PL/pgSQL, dollar-quoted), underlining the `EXECUTE`
/// and its command string; nothing for any other statement.
pub fn lower(text: &str, tokens: &[Token]) -> Vec<Op> {
    let Some((offset, body)) = plpgsql_body(text, tokens) else {
        return Vec::new();
    };
    let body_tokens = lex(body).tokens;
    executes(body, &body_tokens)
        .into_iter()
        .map(|span| Op {
            span: offset + span.start..offset + span.end,
            table: None,
            kind: OpKind::DynamicSql,
            parsed: false,
            columns: Vec::new(),
        })
        .collect()
}

fn is_word(text: &str, token: &Token, word: &str) -> bool {
    token.kind == TokenKind::Word && text[token.span.clone()].eq_ignore_ascii_case(word)
}

/// The inside of a `DO` block's dollar-quoted body and where it starts, when
/// its language is PL/pgSQL (the default). A body in single quotes is not
/// looked into: its doubled quotes would have to be undone first.
fn plpgsql_body<'t>(text: &'t str, tokens: &[Token]) -> Option<(usize, &'t str)> {
    let (first, rest) = tokens.split_first()?;
    if !is_word(text, first, "DO") {
        return None;
    }
    let language = rest
        .windows(2)
        .find(|pair| is_word(text, &pair[0], "LANGUAGE"))
        .map(|pair| text[pair[1].span.clone()].trim_matches(['\'', '"']));
    if language.is_some_and(|l| !l.eq_ignore_ascii_case("plpgsql")) {
        return None;
    }
    let body = rest.iter().find(|t| t.kind == TokenKind::String)?;
    let quoted = &text[body.span.clone()];
    // `$tag$ ... $tag$`; an unterminated one runs to the end of the statement.
    let tag_len = quoted.strip_prefix('$')?.find('$')? + 2;
    let tag = &quoted[..tag_len];
    let inner = &quoted[tag_len..];
    let inner = inner.strip_suffix(tag).unwrap_or(inner);
    Some((body.span.start + tag_len, inner))
}

/// The spans of the `EXECUTE` statements of a PL/pgSQL body whose command
/// string is not a literal: `EXECUTE format(...)`, `EXECUTE 'ALTER ' || t`,
/// `EXECUTE v_sql`. `EXECUTE FUNCTION` (a trigger's) and `GRANT EXECUTE ON`
/// are no dynamic SQL.
fn executes(body: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !is_word(body, token, "EXECUTE") {
            continue;
        }
        let command = command_string(body, &tokens[i + 1..]);
        let static_use = command.first().is_some_and(|next| {
            ["FUNCTION", "PROCEDURE", "ON"]
                .iter()
                .any(|word| is_word(body, next, word))
        });
        if static_use || is_literal(body, command) {
            continue;
        }
        let end = command.last().unwrap_or(token).span.end;
        found.push(token.span.start..end);
    }
    found
}

/// The tokens of `EXECUTE`'s command string: up to its `INTO` or `USING`
/// clause, the `LOOP` of `FOR ... IN EXECUTE`, or the `;` that ends it.
fn command_string<'k>(body: &str, tokens: &'k [Token]) -> &'k [Token] {
    let mut depth = 0usize;
    let end = tokens.iter().position(|token| {
        let text = &body[token.span.clone()];
        if token.kind == TokenKind::Punct {
            match text {
                "(" => depth += 1,
                ")" => depth = depth.saturating_sub(1),
                ";" => return depth == 0,
                _ => {}
            }
        }
        depth == 0
            && ["INTO", "USING", "LOOP"]
                .iter()
                .any(|word| is_word(body, token, word))
    });
    &tokens[..end.unwrap_or(tokens.len())]
}

/// String literals, possibly joined with `||`: the statement is in the text.
fn is_literal(body: &str, command: &[Token]) -> bool {
    !command.is_empty()
        && command.iter().enumerate().all(|(i, token)| match i % 2 {
            0 => token.kind == TokenKind::String,
            _ => token.kind == TokenKind::Operator && &body[token.span.clone()] == "||",
        })
        && command.len() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The underlined texts of `sql`'s dynamic `EXECUTE`s.
    fn dynamic(sql: &str) -> Vec<&str> {
        lower(sql, &lex(sql).tokens)
            .into_iter()
            .map(|op| &sql[op.span])
            .collect()
    }

    #[test]
    fn non_literal_command_strings_are_dynamic() {
        let sql = "DO $$
DECLARE
  t text;
  v_sql text := 'ANALYZE users';
BEGIN
  FOR t IN SELECT tablename FROM pg_tables LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN note text', t);
    EXECUTE 'ALTER TABLE ' || quote_ident(t) || ' SET (fillfactor = 70)';
  END LOOP;
  execute v_sql;
  EXECUTE format('SELECT count(*) FROM %I', 'users') INTO t USING 1;
  FOR t IN EXECUTE 'SELECT ' || 'x' || v_sql LOOP END LOOP;
END $$;";
        assert_eq!(
            dynamic(sql),
            [
                "EXECUTE format('ALTER TABLE %I ADD COLUMN note text', t)",
                "EXECUTE 'ALTER TABLE ' || quote_ident(t) || ' SET (fillfactor = 70)'",
                "execute v_sql",
                "EXECUTE format('SELECT count(*) FROM %I', 'users')",
                "EXECUTE 'SELECT ' || 'x' || v_sql",
            ]
        );
    }

    #[test]
    fn literal_and_static_uses_are_not() {
        for sql in [
            "DO $$ BEGIN EXECUTE 'ANALYZE users'; END $$;",
            "DO $$ BEGIN EXECUTE 'ALTER TABLE users ' || 'ADD COLUMN a int'; END $$;",
            "DO $body$ BEGIN EXECUTE $q$VACUUM users$q$ INTO x; END $body$;",
            "DO $$ BEGIN ALTER TABLE users ADD COLUMN a int; UPDATE users SET a = 1; END $$;",
            "DO $$ BEGIN CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); END $$;",
            "DO $$ BEGIN GRANT EXECUTE ON FUNCTION f() TO app; END $$;",
            // A function created by the block is not run by the migration.
            "DO $$ BEGIN CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN EXECUTE v; END $f$; END $$;",
            // Another language, a body in single quotes: not read.
            "DO LANGUAGE plpython3u $$ plpy.execute(sql) $$;",
            "DO $$ BEGIN EXECUTE v; END $$ LANGUAGE 'plperl';",
            "DO 'BEGIN EXECUTE v; END';",
            // Not a DO block at all.
            "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE v; END $$;",
            "EXECUTE prepared_statement;",
        ] {
            assert_eq!(dynamic(sql), Vec::<&str>::new(), "{sql}");
        }
    }

    #[test]
    fn odd_blocks_do_not_panic() {
        assert_eq!(dynamic("DO LANGUAGE plpgsql $$ BEGIN EXECUTE"), ["EXECUTE"]);
        assert_eq!(dynamic("DO $tag$ EXECUTE é || 🚀"), ["EXECUTE é || 🚀"]);
        for sql in ["DO", "DO $", "DO $$", "DO $$$$", "DO LANGUAGE", "do $a"] {
            assert_eq!(dynamic(sql), Vec::<&str>::new(), "{sql}");
        }
    }
}
