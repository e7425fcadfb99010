//! Every env fix applied to a real schema: the result parses without error
//! nodes and a fresh check no longer reports the finding the fix was for.

use std::path::Path;

use crate::config::Config;
use crate::engine::check_text;
use crate::finding::Finding;
use crate::fixes::apply::apply_edits;
use crate::syntax::trees;
use crate::text::Language;

const PATH: &str = "src/env.ts";

fn findings(text: &str, rule: &str) -> Vec<Finding> {
    check_text(Path::new(PATH), text, &Config::default())
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// Applies fix `title` of the finding of `rule` whose range holds `at`,
/// checks the result parses, and returns it.
fn fixed(text: &str, rule: &str, at: &str, title: &str) -> String {
    let found = findings(text, rule);
    let finding = found
        .iter()
        .find(|f| text[f.range.clone()].contains(at))
        .unwrap_or_else(|| panic!("no {rule} at {at}: {found:#?}"));
    let fix = finding
        .fixes
        .iter()
        .find(|f| f.title == title)
        .unwrap_or_else(|| panic!("no fix {title:?}: {:#?}", finding.fixes));
    let out = apply_edits(text, &fix.edits);
    let tree = trees::parse(Language::TypeScript, &out).expect("parses");
    assert!(!tree.root_node().has_error(), "{out}");
    out
}

const ENVALID: &str = r#"import { cleanEnv, str, port, bool, url } from "envalid";

export const env = cleanEnv(process.env, {
  LOG_LEVEL: str(),
  PORT: port({ desc: "HTTP port" }),
  CACHE: bool({}),
  DATABASE_URL: url(),
  JWT_SECRET: str(),
  SESSION_SECRET: str({
    desc: "Signs session cookies",
    default: "keyboard cat",
  }),
});
"#;

#[test]
fn envalid_required_validators_get_defaults_of_their_type() {
    let rule = "required-setting-without-default";
    let out = fixed(ENVALID, rule, "LOG_LEVEL", "Add `default: \"\"`");
    assert!(out.contains("LOG_LEVEL: str({ default: \"\" }),"), "{out}");
    assert!(
        !findings(&out, rule)
            .iter()
            .any(|f| out[f.range.clone()].contains("LOG_LEVEL"))
    );

    let out = fixed(
        ENVALID,
        rule,
        "PORT",
        "Add `devDefault: 0` (development only)",
    );
    assert!(
        out.contains("PORT: port({ devDefault: 0, desc: \"HTTP port\" }),"),
        "{out}"
    );
    assert!(
        !findings(&out, rule)
            .iter()
            .any(|f| out[f.range.clone()] == *"PORT")
    );

    let out = fixed(ENVALID, rule, "CACHE", "Add `default: false`");
    assert!(out.contains("CACHE: bool({ default: false }),"), "{out}");
}

#[test]
fn secrets_get_no_production_default_and_lose_the_one_they_have() {
    let required = findings(ENVALID, "required-setting-without-default");
    let jwt = required
        .iter()
        .find(|f| ENVALID[f.range.clone()] == *"JWT_SECRET")
        .expect("JWT_SECRET is required");
    let titles: Vec<_> = jwt.fixes.iter().map(|f| f.title.as_ref()).collect();
    assert_eq!(titles, ["Add `devDefault: \"\"` (development only)"]);

    let rule = "secret-with-default";
    let out = fixed(
        ENVALID,
        rule,
        "keyboard cat",
        "Make it `devDefault:` (development only)",
    );
    assert!(out.contains("devDefault: \"keyboard cat\","), "{out}");
    assert!(findings(&out, rule).is_empty());
}

const T3: &str = r#"import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    DATABASE_URL: z.string().url(),
    REGION: z.enum(["eu", "us"]),
    WORKERS: z.coerce.number(),
    AUTH_SECRET: z.string().min(32).default("please-change-me-to-a-long-secret"),
  },
  runtimeEnv: {
    DATABASE_URL: process.env.DATABASE_URL,
    REGION: process.env.REGION,
    WORKERS: process.env.WORKERS,
    AUTH_SECRET: process.env.AUTH_SECRET,
  },
});
"#;

#[test]
fn zod_keys_become_optional_or_get_a_default() {
    let rule = "required-setting-without-default";
    let out = fixed(T3, rule, "DATABASE_URL", "Make it optional: `.optional()`");
    assert!(
        out.contains("DATABASE_URL: z.string().url().optional(),"),
        "{out}"
    );
    assert!(
        !findings(&out, rule)
            .iter()
            .any(|f| out[f.range.clone()] == *"DATABASE_URL")
    );
    // `.url()` rejects the empty string: no default is offered.
    let url = findings(T3, rule);
    let url = url
        .iter()
        .find(|f| T3[f.range.clone()] == *"DATABASE_URL")
        .expect("finding");
    assert_eq!(url.fixes.len(), 1);

    let out = fixed(T3, rule, "REGION", "Add `.default(\"eu\")`");
    assert!(
        out.contains("REGION: z.enum([\"eu\", \"us\"]).default(\"eu\"),"),
        "{out}"
    );
    assert!(
        !findings(&out, rule)
            .iter()
            .any(|f| out[f.range.clone()] == *"REGION")
    );

    let out = fixed(T3, rule, "WORKERS", "Add `.default(0)`");
    assert!(
        out.contains("WORKERS: z.coerce.number().default(0),"),
        "{out}"
    );
}

#[test]
fn a_zod_secret_loses_its_default() {
    let rule = "secret-with-default";
    let out = fixed(T3, rule, "please-change-me", "Remove the default");
    assert!(out.contains("AUTH_SECRET: z.string().min(32),"), "{out}");
    assert!(findings(&out, rule).is_empty());
}
