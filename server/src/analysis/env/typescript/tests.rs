use super::*;
use crate::syntax::trees;
use crate::text::Language;

fn env_in(language: Language, source: &str) -> EnvFile {
    let tree = trees::parse(language, source).expect("grammar loads");
    read(&tree, source)
}

fn env(source: &str) -> EnvFile {
    env_in(Language::TypeScript, source)
}

fn names(file: &EnvFile) -> Vec<&str> {
    file.reads
        .iter()
        .map(|r| r.name.as_deref().unwrap_or("?"))
        .collect()
}

#[test]
fn reads_every_spelling_with_its_default() {
    let source = "const a = process.env.A;\nconst b = process.env[\"B\"] ?? \"b\";\n\
        const c = import.meta.env.VITE_C || 'c';\nconst d = process.env.D!;\n\
        const { E, F = \"f\", G: g } = process.env;\nprocess.env.H = 'written';\n\
        delete process.env.I;\nconst k = process.env[key];\n";
    let file = env(source);
    assert_eq!(file.dialect, Dialect::JavaScript);
    assert_eq!(names(&file), ["A", "B", "VITE_C", "D", "E", "F", "G", "?"]);
    let default = |i: usize| file.reads[i].default.as_ref().map(|d| d.kind.clone());
    assert_eq!(default(0), None);
    assert_eq!(default(1), Some(ValueKind::Str("b".into())));
    assert_eq!(default(2), Some(ValueKind::Str("c".into())));
    assert_eq!(default(5), Some(ValueKind::Str("f".into())));
    assert_eq!(file.reads[3].kind, ReadKind::Asserted);
    assert_eq!(&source[file.reads[1].key.clone()], "\"B\"");
    assert_eq!(&source[file.reads[4].range.clone()], "E");
    assert_eq!(file.reads[6].line, 4);
}

#[test]
fn tested_defaulted_and_validated_reads_are_checked() {
    let source = "if (!process.env.A) throw new Error('A');\n\
        const b = process.env.B === 'true';\nconst c = process.env.C;\nif (!c) process.exit(1);\n\
        const d = process.env.D;\nconsole.log(d);\nassert(process.env.E);\n\
        const f = z.string().url().parse(process.env.F);\nconst g = process.env.G?.split(',');\n\
        const h = `${process.env.H}`;\nconst i = typeof process.env.I === 'string' ? 1 : 2;\n\
        const j = process.env.J!;\n";
    let file = env(source);
    let checked: Vec<_> = file
        .reads
        .iter()
        .map(|r| (r.name.as_deref().unwrap_or("?"), r.checked))
        .collect();
    assert_eq!(
        checked,
        [
            ("A", true),
            ("B", true),
            ("C", true),
            ("D", false),
            ("E", true),
            ("F", true),
            ("G", true),
            ("H", false),
            ("I", true),
            ("J", false),
        ]
    );
}

#[test]
fn destructured_bindings_tested_later_are_checked() {
    let file = env(
        "const { A, B: b } = process.env;\nif (!A || !b) throw new Error();\n\
         const { C } = process.env;\nuse(C);\n",
    );
    let checked: Vec<_> = file.reads.iter().map(|r| r.checked).collect();
    assert_eq!(checked, [true, true, false]);
}

#[test]
fn envalid_schema_fields() {
    let source = r#"import { cleanEnv, str, num, bool, port, url } from "envalid";

export const env = cleanEnv(process.env, {
  NODE_ENV: str({ choices: ["development", "test", "production"] }),
  PORT: port({ default: 3000 }),
  DATABASE_URL: url({ desc: "Postgres connection string" }),
  JWT_SECRET: str({ devDefault: "dev-secret" }),
  SESSION_SECRET: str({ default: "keyboard cat" }),
  SENTRY_DSN: str({ default: undefined }),
  "QUOTED": bool(),
});
"#;
    let file = env(source);
    assert_eq!(file.schemas.len(), 1);
    let schema = &file.schemas[0];
    assert_eq!(schema.name, "env");
    assert!(schema.case_sensitive);
    let fields: Vec<_> = schema
        .fields
        .iter()
        .map(|f| (f.env_name(), f.annotation.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("NODE_ENV", "str"),
            ("PORT", "port"),
            ("DATABASE_URL", "url"),
            ("JWT_SECRET", "str"),
            ("SESSION_SECRET", "str"),
            ("SENTRY_DSN", "str"),
            ("QUOTED", "bool"),
        ]
    );
    let f = &schema.fields;
    assert_eq!(f[0].default, FieldDefault::Required);
    assert!(
        matches!(&f[1].default, FieldDefault::Value(v) if v.kind == ValueKind::NotStr("a number"))
    );
    assert_eq!(
        f[2].description.as_deref(),
        Some("Postgres connection string")
    );
    assert!(
        matches!(&f[3].default, FieldDefault::Development(v) if v.kind == ValueKind::Str("dev-secret".into()))
    );
    assert!(
        matches!(&f[4].default, FieldDefault::Value(v) if v.kind == ValueKind::Str("keyboard cat".into()))
    );
    assert!(f[5].optional);
    assert_eq!(&source[f[6].name_range.clone()], "\"QUOTED\"");
    let Some(Validator::Envalid {
        default_key,
        options,
        ..
    }) = &f[4].validator
    else {
        panic!("envalid validator: {:?}", f[4].validator);
    };
    assert_eq!(
        &source[default_key.clone().expect("default key")],
        "default"
    );
    assert_eq!(
        &source[options.clone().expect("options")],
        "{ default: \"keyboard cat\" }"
    );
    assert_eq!(file.validations.len(), 1);
    assert_eq!(file.validations[0].library, Library::Envalid);
    assert_eq!(file.validations[0].lenient_reporter, None);
    // The reads handed to `cleanEnv` are no reads of variables.
    assert!(file.reads.is_empty());
}

#[test]
fn envalid_reporters_that_neither_throw_nor_exit_are_lenient() {
    let lenient = "cleanEnv(process.env, { A: str() }, { reporter: ({ errors }) => { console.warn(errors) } });";
    let strict = "cleanEnv(process.env, { A: str() }, { reporter: ({ errors }) => { if (Object.keys(errors).length) process.exit(1) } });";
    let throws = "cleanEnv(process.env, { A: str() }, { reporter: function ({ errors }) { throw new Error(String(errors)) } });";
    assert!(env(lenient).validations[0].lenient_reporter.is_some());
    assert!(env(strict).validations[0].lenient_reporter.is_none());
    assert!(env(throws).validations[0].lenient_reporter.is_none());
}

#[test]
fn t3_env_schema_with_client_fields_and_runtime_env() {
    let source = r#"import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    DATABASE_URL: z.string().url(),
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: z.coerce.number().default(3000),
    AUTH_SECRET: z.string().optional(),
  },
  client: {
    NEXT_PUBLIC_APP_URL: z.string().url(),
  },
  runtimeEnv: {
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: process.env.NODE_ENV,
    PORT: process.env.PORT,
    AUTH_SECRET: process.env.NEXTAUTH_SECRET,
    NEXT_PUBLIC_APP_URL: process.env.NEXT_PUBLIC_APP_URL,
  },
  skipValidation: true,
});
"#;
    let file = env_in(Language::JavaScript, source);
    let schema = &file.schemas[0];
    let fields: Vec<_> = schema
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.client))
        .collect();
    assert_eq!(
        fields,
        [
            ("DATABASE_URL", false),
            ("NODE_ENV", false),
            ("PORT", false),
            ("AUTH_SECRET", false),
            ("NEXT_PUBLIC_APP_URL", true),
        ]
    );
    let f = &schema.fields;
    assert_eq!(f[0].default, FieldDefault::Required);
    assert!(
        matches!(&f[1].default, FieldDefault::Value(v) if v.kind == ValueKind::Str("development".into()))
    );
    assert!(
        matches!(&f[2].default, FieldDefault::Value(v) if v.kind == ValueKind::NotStr("a number"))
    );
    assert!(f[3].optional);
    assert!(matches!(&f[3].default, FieldDefault::Value(v) if v.kind == ValueKind::None));
    let Some(Validator::Zod {
        base,
        methods,
        first_choice,
        default_call,
        ..
    }) = &f[1].validator
    else {
        panic!("zod validator");
    };
    assert_eq!(base, "enum");
    assert_eq!(methods, &["default"]);
    assert_eq!(first_choice.as_deref(), Some("\"development\""));
    assert_eq!(
        &source[default_call.clone().expect("default")],
        ".default(\"development\")"
    );
    let Some(Validator::Zod { base, .. }) = &f[2].validator else {
        panic!("zod validator");
    };
    assert_eq!(base, "coerce.number");
    let validation = &file.validations[0];
    assert_eq!(validation.library, Library::T3);
    assert!(validation.skipped.is_some());
    let runtime = validation.runtime_env.as_ref().expect("runtimeEnv");
    assert!(!runtime.strict);
    let mismatched: Vec<_> = runtime
        .entries
        .iter()
        .filter(|e| e.reads.as_deref() != Some(e.key.as_str()))
        .map(|e| (e.key.as_str(), e.reads.as_deref()))
        .collect();
    assert_eq!(mismatched, [("AUTH_SECRET", Some("NEXTAUTH_SECRET"))]);
    // Every read sits in `createEnv`'s arguments: validated.
    assert!(file.reads.iter().all(|r| r.checked));
}

#[test]
fn zod_object_parsed_from_the_environment() {
    let source = "const schema = z.object({\n  DATABASE_URL: z.string().url(),\n  DEBUG: z.coerce.boolean().default(false),\n}).strict();\n\
        export const env = schema.parse(process.env);\n\
        const other = z.object({ name: z.string() });\nother.parse(body);\n";
    let file = env(source);
    assert_eq!(file.schemas.len(), 1);
    assert_eq!(file.schemas[0].name, "env");
    let names: Vec<_> = file.schemas[0]
        .fields
        .iter()
        .map(|f| f.env_name())
        .collect();
    assert_eq!(names, ["DATABASE_URL", "DEBUG"]);
    assert_eq!(file.validations[0].library, Library::Zod);
    let inline = env("export const env = z.object({ A: z.string() }).safeParse(process.env);\n");
    assert_eq!(inline.schemas[0].fields[0].name, "A");
}

#[test]
fn comments_and_entries_are_suppression_targets() {
    let source = "// preflight: ignore[x]\nconst a = process.env.A;\ncleanEnv(process.env, {\n  // c\n  B: str(),\n});\n";
    let file = env(source);
    assert_eq!(file.comments.len(), 2);
    assert!(
        file.statements
            .iter()
            .any(|s| &source[s.clone()] == "B: str()")
    );
}

#[test]
fn mentions_env_is_a_cheap_filter() {
    assert!(mentions_env("const a = process.env.A"));
    assert!(mentions_env("import.meta.env.VITE_A"));
    assert!(mentions_env("createEnv({})"));
    assert!(!mentions_env("export const x = 1"));
}

#[test]
fn broken_input_never_panics() {
    for source in [
        "process.env.",
        "process.env[",
        "const { A = } = process.env",
        "cleanEnv(process.env, { A: str({ default: }) ",
        "createEnv({ server: { A: z.string().default( }, runtimeEnv: { A: process.env. } })",
        "z.object({ A: z. }).parse(process.env",
        "process.env.A ?? ",
        "const { ...rest } = process.env; if (",
        "import.meta.env[`X${y}`]!",
        "cleanEnv(process.env, { A: str() }, { reporter: ",
        "\u{1F680} process.env.\u{e9}",
    ] {
        for language in [Language::TypeScript, Language::JavaScript] {
            let file = env_in(language, source);
            for read in &file.reads {
                assert!(read.range.end <= source.len());
            }
        }
    }
}
