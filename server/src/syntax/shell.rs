//! A small shell tokenizer for CI scripts (`run:`, `script:`): words with
//! their byte ranges, split into simple commands by the operators that join
//! them (`|`, `||`, `&&`, `;`, `&`, line breaks). Quotes, escapes, `$(...)`,
//! backquotes, GitHub `${{ ... }}` expressions, comments, redirections and
//! here-documents are read as a shell reads them, so a `||` inside a string or
//! a here-document is not an operator. No expansion is performed: a word's
//! text is its value with quotes removed.

use std::ops::Range;

/// What joins a command to its neighbour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sep {
    /// The start or the end of the script.
    Edge,
    Pipe,
    Or,
    And,
    /// `;` or a line break.
    Then,
    /// `&`.
    Background,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes and escapes removed.
    pub text: String,
    /// Where it was written in the script.
    pub range: Range<usize>,
}

/// One simple command: `words[0]` is what runs, after shell keywords
/// (`if`, `then`, `!`, ...) are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    pub range: Range<usize>,
    pub before: Sep,
    pub after: Sep,
    /// The operator after this command, when there is one.
    pub after_range: Option<Range<usize>>,
}

impl Command {
    /// The words after leading `VAR=value` assignments and wrappers that run
    /// their arguments (`sudo`, `env`, `time`, ...).
    pub fn argv(&self) -> &[Word] {
        let mut words = &self.words[..];
        loop {
            match words.first().map(|w| w.text.as_str()) {
                Some(w) if is_assignment(w) => words = &words[1..],
                Some("sudo" | "env" | "time" | "exec" | "command" | "nohup" | "xargs") => {
                    words = &words[1..];
                    // Their own options (`sudo -E`, `env -i`).
                    while words.first().is_some_and(|w| w.text.starts_with('-')) {
                        words = &words[1..];
                    }
                }
                _ => return words,
            }
        }
    }

    /// Whether the argv starts with these words (`["git", "push"]`).
    pub fn starts_with(&self, prefix: &[&str]) -> bool {
        let argv = self.argv();
        argv.len() >= prefix.len() && argv.iter().zip(prefix).all(|(w, p)| w.text == *p)
    }

    /// The program's name without its directory (`./node_modules/.bin/jest` is
    /// `jest`).
    pub fn program(&self) -> Option<&str> {
        let first = self.argv().first()?;
        Some(first.text.rsplit('/').next().unwrap_or(&first.text))
    }

    pub fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|w| w.text == word)
    }
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Reserved words that start or end compound commands; dropped from the front
/// of a simple command so `then pytest` is `pytest`.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
];

/// A script's commands in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
}

impl Script {
    pub fn parse(text: &str) -> Script {
        Tokenizer::new(text).run()
    }

    /// Whether errexit is off where command `index` runs: a `set +e` (or
    /// `set +o errexit`) before it, not turned back on.
    pub fn errexit_off_at(&self, index: usize) -> bool {
        let mut off = false;
        for command in &self.commands[..index.min(self.commands.len())] {
            if command.program() == Some("set") {
                for (i, word) in command.argv().iter().enumerate().skip(1) {
                    let next = command.argv().get(i + 1).map(|w| w.text.as_str());
                    match (word.text.as_str(), next) {
                        ("+o", Some("errexit")) => off = true,
                        ("-o", Some("errexit")) => off = false,
                        (flags, _) if flags.starts_with('+') && flags.contains('e') => off = true,
                        (flags, _) if flags.starts_with('-') && flags.contains('e') => off = false,
                        _ => {}
                    }
                }
            }
        }
        off
    }

    /// Whether `set -o pipefail` (or `-eo pipefail`) is in effect before
    /// command `index`.
    pub fn pipefail_at(&self, index: usize) -> bool {
        self.commands[..index.min(self.commands.len())]
            .iter()
            .filter(|c| c.program() == Some("set"))
            .fold(false, |on, c| {
                let words: Vec<&str> = c.argv().iter().map(|w| w.text.as_str()).collect();
                match words.windows(2).rev().find(|w| w[1] == "pipefail") {
                    Some(w) if w[0].starts_with('-') => true,
                    Some(w) if w[0].starts_with('+') => false,
                    _ => on,
                }
            })
    }
}

struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
    commands: Vec<Command>,
    words: Vec<Word>,
    start: Option<usize>,
    before: Sep,
    /// Delimiters of here-documents whose bodies start at the next line.
    heredocs: Vec<(String, bool)>,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str) -> Self {
        Tokenizer {
            text,
            pos: 0,
            commands: Vec::new(),
            words: Vec::new(),
            start: None,
            before: Sep::Edge,
            heredocs: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn run(mut self) -> Script {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => self.pos += 1,
                '\\' if self.rest().starts_with("\\\n") => self.pos += 2,
                '\n' => {
                    self.end_command(Sep::Then, self.pos..self.pos + 1);
                    self.pos += 1;
                    self.skip_heredocs();
                }
                '#' => {
                    let end = self
                        .rest()
                        .find('\n')
                        .map_or(self.text.len(), |i| self.pos + i);
                    self.pos = end;
                }
                ';' | '&' | '|' | '(' | ')' => self.operator(),
                '<' | '>' => self.redirection(),
                _ => {
                    let word = self.word();
                    self.push_word(word);
                }
            }
        }
        self.end_command(Sep::Edge, self.pos..self.pos);
        Script {
            commands: self.commands,
        }
    }

    fn operator(&mut self) {
        let rest = self.rest();
        let (sep, len) = if rest.starts_with("||") {
            (Sep::Or, 2)
        } else if rest.starts_with("&&") {
            (Sep::And, 2)
        } else if rest.starts_with(";;") {
            (Sep::Then, 2)
        } else if rest.starts_with("|&") {
            (Sep::Pipe, 2)
        } else if rest.starts_with('|') {
            (Sep::Pipe, 1)
        } else if rest.starts_with('&') {
            (Sep::Background, 1)
        } else {
            (Sep::Then, 1)
        };
        let at = self.pos;
        self.end_command(sep, at..at + len);
        self.pos += len;
    }

    /// `>file`, `2>&1`, `<<EOF`: kept out of the words. A here-document's
    /// body is skipped when its line ends.
    fn redirection(&mut self) {
        if let Some(heredoc) = self.rest().strip_prefix("<<") {
            let strip_tabs = heredoc.starts_with('-');
            self.pos += 2 + usize::from(strip_tabs);
            if self.rest().starts_with('<') {
                // `<<<` here-string: its word is data, not a delimiter.
                self.pos += 1;
                self.skip_blanks();
                self.word();
                return;
            }
            self.skip_blanks();
            let delimiter = self.word();
            self.heredocs.push((delimiter.text, strip_tabs));
            return;
        }
        while matches!(self.peek(), Some('<' | '>' | '&' | '|')) {
            self.pos += 1;
        }
        self.skip_blanks();
        if !matches!(self.peek(), None | Some('\n' | ';' | '|' | '&' | '(' | ')')) {
            self.word();
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn skip_heredocs(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.pos < self.text.len() {
                let end = self
                    .rest()
                    .find('\n')
                    .map_or(self.text.len(), |i| self.pos + i);
                let line = &self.text[self.pos..end];
                let line = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                self.pos = (end + 1).min(self.text.len());
                if line.trim_end_matches('\r') == delimiter {
                    break;
                }
            }
        }
    }

    fn push_word(&mut self, word: Word) {
        if word.range.is_empty() {
            // Nothing readable here (a lone quote at the end): move on.
            self.pos += self.peek().map_or(1, char::len_utf8);
            return;
        }
        if self.words.is_empty() && KEYWORDS.contains(&word.text.as_str()) {
            return;
        }
        // A digit-only word right before a redirection is its file descriptor.
        if matches!(self.peek(), Some('<' | '>'))
            && !word.text.is_empty()
            && word.text.chars().all(|c| c.is_ascii_digit())
        {
            return;
        }
        self.start.get_or_insert(word.range.start);
        self.words.push(word);
    }

    fn end_command(&mut self, after: Sep, operator: Range<usize>) {
        let words = std::mem::take(&mut self.words);
        if let Some(start) = self.start.take() {
            let end = words.last().map_or(start, |w| w.range.end);
            self.commands.push(Command {
                words,
                range: start..end,
                before: self.before,
                after,
                after_range: (after != Sep::Edge).then_some(operator),
            });
            self.before = after;
        } else if after != Sep::Then && after != Sep::Edge {
            // `a || \n b`: an operator continues over a line break; an
            // operator with nothing before it still joins what follows.
            self.before = after;
        } else if after == Sep::Then && !matches!(self.before, Sep::Or | Sep::And | Sep::Pipe) {
            self.before = Sep::Then;
        }
    }

    /// One word: runs of unquoted text, quoted strings, `$(...)`, backquotes
    /// and `${{ }}` up to an unquoted blank or operator.
    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\'' => {
                    self.pos += 1;
                    let end = self
                        .rest()
                        .find('\'')
                        .map_or(self.text.len(), |i| self.pos + i);
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = (end + 1).min(self.text.len());
                }
                '"' => {
                    self.pos += 1;
                    self.double_quoted(&mut text);
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(escaped) => {
                            text.push(escaped);
                            self.pos += escaped.len_utf8();
                        }
                        None => {}
                    }
                }
                '$' if self.rest().starts_with("${{") => {
                    let end = self
                        .rest()
                        .find("}}")
                        .map_or(self.text.len(), |i| self.pos + i + 2);
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
                '$' if self.rest().starts_with("$(") => {
                    let end = self.balanced(self.pos + 1, '(', ')');
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
                '$' if self.rest().starts_with("${") => {
                    let end = self.balanced(self.pos + 1, '{', '}');
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
                '`' => {
                    let end = self.text[self.pos + 1..]
                        .find('`')
                        .map_or(self.text.len(), |i| self.pos + 1 + i + 1);
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
                _ => {
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        Word {
            text,
            range: start..self.pos,
        }
    }

    /// After an opening `"`: its contents into `text`, the position after the
    /// closing one.
    fn double_quoted(&mut self, text: &mut String) {
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    self.pos += 1;
                    return;
                }
                '\\' => {
                    self.pos += 1;
                    if let Some(escaped) = self.peek() {
                        if !matches!(escaped, '"' | '\\' | '$' | '`' | '\n') {
                            text.push('\\');
                        }
                        if escaped != '\n' {
                            text.push(escaped);
                        }
                        self.pos += escaped.len_utf8();
                    }
                }
                '$' if self.rest().starts_with("$(") => {
                    let end = self.balanced(self.pos + 1, '(', ')');
                    text.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
                _ => {
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// The offset after the bracket that closes the one at `open_at`.
    fn balanced(&self, open_at: usize, open: char, close: char) -> usize {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (i, c) in self.text[open_at..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, c) if c == open => depth += 1,
                (None, c) if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return open_at + i + c.len_utf8();
                    }
                }
                _ => {}
            }
        }
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(script: &Script) -> Vec<Vec<String>> {
        script
            .commands
            .iter()
            .map(|c| c.argv().iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn commands_split_on_operators_not_inside_quotes() {
        let script = Script::parse(
            "set +e\nCI=1 pytest -q || true\necho \"a || b\" | tee out.log; git push --force origin 'main' 2>&1\n",
        );
        assert_eq!(
            argvs(&script),
            [
                vec!["set", "+e"],
                vec!["pytest", "-q"],
                vec!["true"],
                vec!["echo", "a || b"],
                vec!["tee", "out.log"],
                vec!["git", "push", "--force", "origin", "main"],
            ]
        );
        assert_eq!(script.commands[1].after, Sep::Or);
        assert_eq!(script.commands[2].before, Sep::Or);
        assert_eq!(script.commands[3].after, Sep::Pipe);
        assert!(script.errexit_off_at(1));
        let push = &script.commands[5];
        assert_eq!(push.words[4].text, "main");
        let source = "set +e\nCI=1 pytest -q || true\necho \"a || b\" | tee out.log; git push --force origin 'main' 2>&1\n";
        assert_eq!(&source[push.words[4].range.clone()], "'main'");
    }

    #[test]
    fn heredocs_comments_and_expressions_are_not_commands() {
        let script = Script::parse(
            "cat <<EOF > notes.txt\npytest || true\nEOF\n# npm test || true\nif npm test; then echo ${{ github.sha }}; fi\nfoo && \\\n  bar\n",
        );
        assert_eq!(
            argvs(&script),
            [
                vec!["cat"],
                vec!["npm", "test"],
                vec!["echo", "${{ github.sha }}"],
                vec!["foo"],
                vec!["bar"],
            ]
        );
        assert_eq!(script.commands[4].before, Sep::And);
    }

    #[test]
    fn pipefail_and_errexit_follow_set() {
        let script = Script::parse("set -eo pipefail\na | b\nset +o pipefail\nc | d\n");
        assert!(script.pipefail_at(1));
        assert!(!script.pipefail_at(4));
        assert!(!script.errexit_off_at(1));
    }
}
