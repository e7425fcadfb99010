use super::*;

fn keys(file: &DotenvFile) -> Vec<(&str, bool)> {
    file.entries
        .iter()
        .map(|e| (e.key.as_str(), e.commented))
        .collect()
}

fn value<'t>(text: &'t str, file: &DotenvFile, key: &str) -> &'t str {
    let entry = file.entries.iter().find(|e| e.key == key).expect(key);
    &text[entry.value_range.clone()]
}

fn kinds(file: &DotenvFile) -> Vec<ProblemKind> {
    file.problems.iter().map(|p| p.kind.clone()).collect()
}

#[test]
fn entries_comments_blank_lines_and_export() {
    let text = "# Database\n\nDATABASE_URL=postgres://localhost/app # local\nexport API_KEY=\"abc def\"\n  # SENTRY_DSN=\n# Not a key: set FOO=1 to enable\nEMPTY=\n";
    let file = DotenvFile::parse(text);
    assert_eq!(
        keys(&file),
        [
            ("DATABASE_URL", false),
            ("API_KEY", false),
            ("SENTRY_DSN", true),
            ("EMPTY", false)
        ]
    );
    assert_eq!(
        value(text, &file, "DATABASE_URL"),
        "postgres://localhost/app"
    );
    assert_eq!(value(text, &file, "API_KEY"), "abc def");
    assert_eq!(value(text, &file, "EMPTY"), "");
    let api = &file.entries[1];
    assert!(api.export);
    assert_eq!(api.quote, Some(Quote::Double));
    assert_eq!(&text[api.key_range.clone()], "API_KEY");
    assert_eq!(api.line, 3);
    assert_eq!(file.entries[2].line, 4);
    assert_eq!(file.entries[3].line, 6);
    // Whole-line comments and the one after the URL.
    assert_eq!(file.comments.len(), 4);
    assert!(file.problems.is_empty(), "{:?}", file.problems);
}

#[test]
fn crlf_line_ends_stay_out_of_values() {
    let text = "A=1\r\nB=\"two\"\r\n# C=3\r\nD=\r\n";
    let file = DotenvFile::parse(text);
    assert_eq!(
        keys(&file),
        [("A", false), ("B", false), ("C", true), ("D", false)]
    );
    assert_eq!(value(text, &file, "A"), "1");
    assert_eq!(value(text, &file, "B"), "two");
    assert_eq!(value(text, &file, "C"), "3");
    assert_eq!(value(text, &file, "D"), "");
    assert_eq!(file.entries[3].line, 3);
    assert!(file.problems.is_empty());
}

#[test]
fn multi_line_values_keep_line_numbers() {
    let text = "KEY=\"-----BEGIN\nline\n-----END\"\nNEXT='a\nb' # note\nLAST=x\n";
    let file = DotenvFile::parse(text);
    assert_eq!(
        keys(&file),
        [("KEY", false), ("NEXT", false), ("LAST", false)]
    );
    assert_eq!(value(text, &file, "KEY"), "-----BEGIN\nline\n-----END");
    assert_eq!(value(text, &file, "NEXT"), "a\nb");
    assert_eq!(file.entries[1].line, 3);
    assert_eq!(file.entries[2].line, 5);
    assert!(file.problems.is_empty());
}

#[test]
fn non_ascii_keys_and_values() {
    let text = "GREETING=\"héllo wörld\"\nÉCOLE=ü\n# NOTE=日本\n";
    let file = DotenvFile::parse(text);
    assert_eq!(value(text, &file, "GREETING"), "héllo wörld");
    assert_eq!(value(text, &file, "ÉCOLE"), "ü");
    // A commented key is a plain ASCII name.
    assert_eq!(file.entries.len(), 3);
    assert_eq!(value(text, &file, "NOTE"), "日本");
}

#[test]
fn problems_parsers_disagree_on() {
    let text = "JUST_A_KEY\nSPACED = value\n1ST=x\n-DASH=y\nMIXED=\"abc'\nOPEN=\"never closed\nB=\"x\"\nSUB=${HOST\n=nokey\n";
    let file = DotenvFile::parse(text);
    assert_eq!(
        kinds(&file),
        [
            ProblemKind::KeyWithoutEquals,
            ProblemKind::SpaceAroundEquals,
            ProblemKind::LeadingCharacter,
            ProblemKind::LeadingCharacter,
            ProblemKind::MixedQuotes,
            ProblemKind::UnclosedQuote(Quote::Double),
            ProblemKind::UnclosedSubstitution,
            ProblemKind::EmptyKey,
        ]
    );
    // The unclosed quote did not swallow the next entry.
    assert_eq!(value(text, &file, "B"), "x");
    assert_eq!(&text[file.problems[0].range.clone()], "JUST_A_KEY");
    assert_eq!(&text[file.problems[1].range.clone()], " = ");
    assert_eq!(&text[file.problems[4].range.clone()], "\"abc'");
}

#[test]
fn a_space_before_a_comment_is_no_spaced_value() {
    let file = DotenvFile::parse("EMPTY= # nothing yet\n");
    assert!(file.problems.is_empty(), "{:?}", file.problems);
    assert_eq!(file.comments.len(), 1);
}

#[test]
fn references_are_collected_outside_single_quotes() {
    let text = "URL=postgres://${PGUSER}:${PGPASSWORD:-secret}@${PGHOST}/db\nLIT='${NOT_A_REF}'\n";
    let file = DotenvFile::parse(text);
    assert_eq!(
        file.entries[0].references,
        ["PGUSER", "PGPASSWORD", "PGHOST"]
    );
    assert!(file.entries[1].references.is_empty());
}

#[test]
fn broken_input_never_panics() {
    for text in [
        "",
        "\n",
        "\r",
        "\r\n\r\n",
        "=",
        "\"",
        "A=\"",
        "A='\\",
        "A=\"\\\"",
        "export",
        "export ",
        "export =",
        "#",
        "# export",
        "# export A",
        "A=${",
        "A=\"${\"",
        "é=\"ü",
        "A=`x",
        "A=\"x\ny'",
        "\u{feff}A=1",
        "A=\"\r\nB=1\r\n\"",
    ] {
        let file = DotenvFile::parse(text);
        for entry in &file.entries {
            assert!(text.get(entry.key_range.clone()).is_some(), "{text:?}");
            assert!(text.get(entry.value_range.clone()).is_some(), "{text:?}");
            assert!(text.get(entry.range.clone()).is_some(), "{text:?}");
        }
        for problem in &file.problems {
            assert!(text.get(problem.range.clone()).is_some(), "{text:?}");
        }
    }
}

#[test]
fn many_unclosed_quotes_are_read_in_one_pass() {
    let text = "A=\"x\n".repeat(20_000);
    let file = DotenvFile::parse(&text);
    assert_eq!(file.entries.len(), 20_000);
}
