//! A small shell tokenizer for CI scripts (`run:`, `script:`): words with
//! their byte ranges, split into simple commands by the operators that join
//! them (`|`, `||`, `&&`, `;`, `&`, line breaks). Quotes, escapes, `$(...)`,
//! backquotes, GitHub `${{ ... }}` expressions, comments, redirections and
//! here-documents are read as a shell reads them, so a `||` inside a string or
//! a here-document is not an operator. No expansion is performed: a word's
//! text is its value with quotes removed.
//!
//! Scripts inside scripts are read too: the commands of a substitution
//! (`$(...)`, backquotes) and the script handed to a shell (`bash -c '...'`,
//! `docker run img sh -c "..."`) are tokenized like the top level, with byte
//! ranges in the enclosing script's text, so `echo $(pytest || true)` is
//! judged like `pytest || true`.

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

/// The script argument of a shell in a command: `bash -c 'x'`, `sh -ec "x"`,
/// `bash -o pipefail -c x`, also after a program that runs its arguments
/// (`docker run img sh -c x`, `kubectl exec pod -- sh -c x`). Not when the
/// words are only printed (`echo bash -c x`).
fn shell_argument(words: &[Word]) -> Option<&Word> {
    let first = words.iter().find(|w| !is_assignment(&w.text))?;
    if matches!(first.text.as_str(), "echo" | "printf") {
        return None;
    }
    let shell = words
        .iter()
        .position(|w| SHELLS.contains(&w.text.rsplit('/').next().unwrap_or(&w.text)))?;
    let mut script = false;
    let mut rest = words[shell + 1..].iter();
    while let Some(word) = rest.next() {
        let text = word.text.as_str();
        match text.as_bytes() {
            // `-o pipefail`: the option's name is the next word.
            [b'-' | b'+', b'o'] => {
                rest.next();
            }
            [b'-', b'-', ..] => {}
            [b'-' | b'+', flags @ ..] => script |= text.starts_with('-') && flags.contains(&b'c'),
            _ => return script.then_some(word),
        }
    }
    None
}

/// How the shell reads the text at a point of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Outside quotes: a variable there needs `"..."` against word splitting.
    Bare,
    /// Inside `"..."`: variables expand.
    Double,
    /// Inside `'...'`: nothing expands.
    Single,
}

/// How the shell reads `offset` of `script`; `None` where the answer is not
/// simple: inside backquotes or a here-document (whose quoting depends on
/// its delimiter), or past one.
pub fn quoting_at(script: &str, offset: usize) -> Option<Quoting> {
    #[derive(Clone, Copy, PartialEq)]
    enum Frame {
        Code,
        Substitution,
        Double,
        Single,
    }
    let mut stack = vec![Frame::Code];
    let mut chars = script.char_indices().peekable();
    let mut word_start = true;
    while let Some((i, c)) = chars.next() {
        if i >= offset {
            break;
        }
        let rest = &script[i..];
        let top = *stack.last()?;
        if rest.starts_with("${{") {
            // A GitHub expression, quotes and all: replaced before the shell
            // runs.
            let end = rest.find("}}").map_or(script.len(), |e| i + e + 2);
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
            continue;
        }
        match (top, c) {
            (Frame::Single, '\'') | (Frame::Double, '"') => {
                stack.pop();
            }
            (Frame::Single, _) => {}
            (_, '\\') => {
                chars.next();
            }
            (_, '`') => return None,
            (_, '$') if rest.starts_with("$(") => {
                chars.next();
                stack.push(Frame::Substitution);
            }
            (Frame::Double, _) => {}
            (_, '\'') => stack.push(Frame::Single),
            (_, '"') => stack.push(Frame::Double),
            (Frame::Substitution, ')') => {
                stack.pop();
            }
            (_, '<') if rest.starts_with("<<") && !rest.starts_with("<<<") => return None,
            (_, '#') if word_start => {
                while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                    chars.next();
                }
            }
            _ => {}
        }
        word_start = c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(');
    }
    Some(match stack.last()? {
        Frame::Code | Frame::Substitution => Quoting::Bare,
        Frame::Double => Quoting::Double,
        Frame::Single => Quoting::Single,
    })
}

/// Reserved words that start or end compound commands; dropped from the front
/// of a simple command so `then pytest` is `pytest`.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
];

/// How deep scripts nest inside scripts before the rest is left unread (so a
/// hostile `$($($(...)))` costs nothing).
const MAX_DEPTH: usize = 8;

/// Shells whose `-c` argument is a script.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh"];

/// A script's commands in order, and the scripts nested in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// Scripts run by this script's commands, in the order they were met;
    /// their ranges are in this script's text.
    pub nested: Vec<Nested>,
}

/// A script inside a command: a substitution or a shell's `-c` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nested {
    pub script: Script,
    /// Where its text was written.
    pub range: Range<usize>,
    /// The command whose exit status is this script's (`bash -c '...'`):
    /// what follows that command (`|| true`) follows this script's last one.
    /// `None` for a substitution, whose status the command discards.
    pub status_of: Option<usize>,
}

/// One script of a tree, and the command that hands its status on.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'s> {
    pub script: &'s Script,
    /// The enclosing script and the index of the command whose status is
    /// this script's.
    pub host: Option<(&'s Script, usize)>,
}

impl Script {
    pub fn parse(text: &str) -> Script {
        Tokenizer::new(text, 0).run()
    }

    /// Every command, at any depth: the top level's, then each nested
    /// script's.
    pub fn all_commands(&self) -> Box<dyn Iterator<Item = &Command> + '_> {
        Box::new(
            self.commands
                .iter()
                .chain(self.nested.iter().flat_map(|n| n.script.all_commands())),
        )
    }

    /// This script and every script nested in it, outermost first.
    pub fn scopes(&self) -> Vec<Scope<'_>> {
        let mut out = vec![Scope {
            script: self,
            host: None,
        }];
        let mut i = 0;
        while let Some(scope) = out.get(i).copied() {
            out.extend(scope.script.nested.iter().map(|n| Scope {
                script: &n.script,
                host: n.status_of.map(|index| (scope.script, index)),
            }));
            i += 1;
        }
        out
    }

    /// Moves every range through `map` (from the text this script was parsed
    /// from to the text it is part of).
    fn remap(&mut self, map: &dyn Fn(Range<usize>) -> Range<usize>) {
        for command in &mut self.commands {
            for word in &mut command.words {
                word.range = map(word.range.clone());
            }
            command.range = map(command.range.clone());
            command.after_range = command.after_range.clone().map(map);
        }
        for nested in &mut self.nested {
            nested.range = map(nested.range.clone());
            nested.script.remap(map);
        }
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
    /// How many scripts enclose this one.
    depth: usize,
    commands: Vec<Command>,
    nested: Vec<Nested>,
    /// While decoding a shell's `-c` argument: the source offset of each
    /// byte of the word's text.
    offsets: Option<Vec<usize>>,
    words: Vec<Word>,
    start: Option<usize>,
    before: Sep,
    /// Delimiters of here-documents whose bodies start at the next line.
    heredocs: Vec<(String, bool)>,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str, depth: usize) -> Self {
        Tokenizer {
            text,
            pos: 0,
            depth,
            commands: Vec::new(),
            nested: Vec::new(),
            offsets: None,
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
            nested: self.nested,
        }
    }

    /// Reads the script between `range` (the inside of `$(...)` or
    /// backquotes) as a substitution of the command being read.
    fn substitution(&mut self, range: Range<usize>) {
        if self.offsets.is_some() || self.depth >= MAX_DEPTH {
            return;
        }
        let Some(inner) = self.text.get(range.clone()) else {
            return;
        };
        let mut script = Tokenizer::new(inner, self.depth + 1).run();
        let shift = range.start;
        script.remap(&|r| r.start + shift..r.end + shift);
        self.nested.push(Nested {
            script,
            range,
            status_of: None,
        });
    }

    /// For a shell given a script (`bash -c '...'`, `sh -ec "..."`), reads
    /// that script as part of the command `host` about to be pushed.
    fn shell_script(&mut self, words: &[Word], host: usize) {
        if self.offsets.is_some() || self.depth >= MAX_DEPTH {
            return;
        }
        let Some(word) = shell_argument(words) else {
            return;
        };
        // Decode the word again, noting where each byte came from.
        let mut decoder = Tokenizer::new(self.text, self.depth + 1);
        decoder.pos = word.range.start;
        decoder.offsets = Some(Vec::new());
        let decoded = decoder.word();
        let offsets = decoder.offsets.unwrap_or_default();
        let end = word.range.end;
        let source = |i: usize| offsets.get(i).copied().unwrap_or(end);
        let map = |r: Range<usize>| {
            let start = source(r.start);
            let stop = match r.end.checked_sub(1) {
                Some(last) if r.end > r.start => source(last) + 1,
                _ => start,
            };
            start..stop.max(start)
        };
        let mut script = Tokenizer::new(&decoded.text, self.depth + 1).run();
        script.remap(&map);
        self.nested.push(Nested {
            script,
            range: word.range.clone(),
            status_of: Some(host),
        });
    }

    /// Notes that decoded text is growing by `len` bytes from source offset
    /// `at` (only while decoding a shell's argument).
    fn note(&mut self, at: usize, len: usize) {
        if let Some(offsets) = &mut self.offsets {
            offsets.extend(at..at + len);
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
            self.shell_script(&words, self.commands.len());
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
                    self.copy(&mut text, self.pos..end);
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
                        Some(escaped) => self.take(&mut text, escaped),
                        None => {}
                    }
                }
                '$' if self.rest().starts_with("${{") => {
                    let end = self
                        .rest()
                        .find("}}")
                        .map_or(self.text.len(), |i| self.pos + i + 2);
                    self.copy(&mut text, self.pos..end);
                    self.pos = end;
                }
                '$' if self.rest().starts_with("$(") => self.command_substitution(&mut text),
                '$' if self.rest().starts_with("${") => {
                    let end = self.balanced(self.pos + 1, '{', '}');
                    self.copy(&mut text, self.pos..end);
                    self.pos = end;
                }
                '`' => {
                    let close = self.text[self.pos + 1..]
                        .find('`')
                        .map(|i| self.pos + 1 + i);
                    let end = close.map_or(self.text.len(), |i| i + 1);
                    self.substitution(self.pos + 1..close.unwrap_or(end));
                    self.expansion(&mut text, self.pos..end);
                }
                _ => self.take(&mut text, c),
            }
        }
        Word {
            text,
            range: start..self.pos,
        }
    }

    /// `$(...)` at the position: kept whole in the word, its inside read as a
    /// substitution.
    fn command_substitution(&mut self, text: &mut String) {
        let end = self.balanced(self.pos + 1, '(', ')');
        let inner_end = if end >= self.pos + 3 && self.text[..end].ends_with(')') {
            end - 1
        } else {
            end
        };
        self.substitution(self.pos + 2..inner_end);
        self.expansion(text, self.pos..end);
    }

    /// A substitution's source, kept in a word as written; when decoding a
    /// shell's argument, left out: this shell runs it (it was read as this
    /// script's substitution), and the shell given the argument sees only
    /// its output.
    fn expansion(&mut self, text: &mut String, range: Range<usize>) {
        if self.offsets.is_none() {
            self.copy(text, range.clone());
        }
        self.pos = range.end;
    }

    /// Appends the source at `range` to a word's text as it is.
    fn copy(&mut self, text: &mut String, range: Range<usize>) {
        text.push_str(&self.text[range.clone()]);
        self.note(range.start, range.len());
    }

    /// Appends `c`, which is at the position, and moves past it.
    fn take(&mut self, text: &mut String, c: char) {
        text.push(c);
        self.note(self.pos, c.len_utf8());
        self.pos += c.len_utf8();
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
                            self.note(self.pos - 1, 1);
                        }
                        if escaped == '\n' {
                            self.pos += 1;
                        } else {
                            self.take(text, escaped);
                        }
                    }
                }
                '$' if self.rest().starts_with("$(") => self.command_substitution(text),
                _ => self.take(text, c),
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

    /// Each command at any depth: its argv and the source of its range.
    fn everywhere(source: &str) -> Vec<(Vec<String>, String)> {
        Script::parse(source)
            .all_commands()
            .map(|c| {
                let argv = c.argv().iter().map(|w| w.text.clone()).collect();
                (argv, source[c.range.clone()].to_string())
            })
            .collect()
    }

    #[test]
    fn substitutions_are_read_as_scripts_in_place() {
        let source = "echo \"out: $(pytest -q || true)\" `npm test || :`\n";
        let script = Script::parse(source);
        assert_eq!(
            argvs(&script),
            [vec!["echo", "out: $(pytest -q || true)", "`npm test || :`"]]
        );
        assert_eq!(script.nested.len(), 2);
        let inner = &script.nested[0].script;
        assert_eq!(argvs(inner), [vec!["pytest", "-q"], vec!["true"]]);
        assert_eq!(inner.commands[0].after, Sep::Or);
        assert_eq!(
            &source[inner.commands[0].after_range.clone().unwrap()],
            "||"
        );
        assert_eq!(&source[script.nested[0].range.clone()], "pytest -q || true");
        assert_eq!(script.nested[0].status_of, None);
        assert_eq!(
            &source[script.nested[1].script.commands[1].range.clone()],
            ":"
        );
    }

    #[test]
    fn a_shells_script_argument_is_read_with_ranges_in_the_source() {
        let source = "bash -c \"pytest || true\"\nsh -ec 'git push --force origin main' || true\n";
        let script = Script::parse(source);
        assert_eq!(script.nested.len(), 2);
        let first = &script.nested[0];
        assert_eq!(first.status_of, Some(0));
        assert_eq!(argvs(&first.script), [vec!["pytest"], vec!["true"]]);
        assert_eq!(&source[first.script.commands[1].range.clone()], "true");
        let push = &script.nested[1].script.commands[0];
        assert_eq!(script.nested[1].status_of, Some(1));
        assert_eq!(&source[push.words[2].range.clone()], "--force");
        let scopes = script.scopes();
        assert_eq!(scopes.len(), 3);
        assert_eq!(
            scopes[2].host.map(|(s, i)| s.commands[i].after),
            Some(Sep::Or)
        );
    }

    #[test]
    fn nested_quotes_and_escapes_map_back_to_their_own_bytes() {
        let source = "docker run --rm api sh -c \"echo \\\"a b\\\" && pytest || exit 0\"\n";
        let found = everywhere(source);
        assert_eq!(found[0].0[..4], ["docker", "run", "--rm", "api"]);
        assert_eq!(
            found[1],
            (vec!["echo".into(), "a b".into()], "echo \\\"a b\\\"".into())
        );
        assert_eq!(found[2], (vec!["pytest".into()], "pytest".into()));
        assert_eq!(found[3], (vec!["exit".into(), "0".into()], "exit 0".into()));
        // A substitution is read once: by the inner shell inside single
        // quotes, by the outer one inside double quotes (the inner shell
        // gets its output). `bash -o pipefail -c` still takes the script.
        for source in [
            "bash -o pipefail -c 'echo $(npm test || true)'\n",
            "bash -c \"echo $(npm test || true)\"\n",
        ] {
            let found = everywhere(source);
            assert_eq!(
                found.iter().filter(|(argv, _)| argv[0] == "npm").count(),
                1,
                "{source}"
            );
            assert!(found.iter().any(|(_, at)| at == "true"));
        }
        let source = "bash -c \"echo '$(git push -f)'\"\n";
        let push = Script::parse(source).nested.remove(0).script;
        assert_eq!(&source[push.commands[0].words[2].range.clone()], "-f");
        // Printed, not run.
        assert!(
            Script::parse("echo bash -c 'pytest || true'\n")
                .nested
                .is_empty()
        );
        assert!(Script::parse("bash deploy.sh -c x\n").nested.is_empty());
    }

    #[test]
    fn deep_or_broken_nesting_stops_quietly() {
        let deep = format!("{}pytest{}", "$(".repeat(200), ")".repeat(200));
        let script = Script::parse(&deep);
        assert!(script.all_commands().count() <= MAX_DEPTH + 1);
        for broken in [
            "echo $(pytest",
            "bash -c \"pytest",
            "sh -c",
            "echo `x",
            "bash -c '$(",
            "$()",
        ] {
            let script = Script::parse(broken);
            for command in script.all_commands() {
                assert!(command.range.end <= broken.len(), "{broken}");
            }
        }
    }

    #[test]
    fn quoting_follows_quotes_substitutions_and_expressions() {
        let at = |script: &str| quoting_at(script, script.find("${{ x }}").unwrap());
        assert_eq!(at("echo ${{ x }}"), Some(Quoting::Bare));
        assert_eq!(at("echo \"a ${{ x }}\""), Some(Quoting::Double));
        assert_eq!(at("echo 'a ${{ x }}'"), Some(Quoting::Single));
        assert_eq!(at("echo \"it's\" ${{ x }}"), Some(Quoting::Bare));
        assert_eq!(at("echo \"$(printf '%s' \"${{ x }}"), Some(Quoting::Double));
        assert_eq!(at("echo \"$(cat ${{ x }}"), Some(Quoting::Bare));
        assert_eq!(
            at("echo '${{ format('{0}', y) }}' \\' ${{ x }}"),
            Some(Quoting::Bare)
        );
        assert_eq!(at("# it's\necho ${{ x }}"), Some(Quoting::Bare));
        assert_eq!(at("cat <<'EOF'\n${{ x }}\nEOF"), None);
        assert_eq!(at("echo `echo ${{ x }}`"), None);
    }
}
