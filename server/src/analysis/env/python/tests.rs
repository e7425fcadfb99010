use super::*;
use crate::syntax::trees;
use crate::text::Language;

fn env(source: &str) -> EnvFile {
    let tree = trees::parse(Language::Python, source).expect("python parses");
    read(&tree, source)
}

#[test]
fn reads_every_spelling_with_its_default() {
    let source = "import os\nfrom os import environ, getenv\n\
        a = os.getenv('A')\nb = os.environ.get(\"B\", 'x')\nc = os.environ['C']\n\
        d = environ.get('D', default=3)\ne = getenv('E')\nos.environ.setdefault('F', 'f')\n\
        os.environ['G'] = 'written'\n";
    let file = env(source);
    let names: Vec<_> = file
        .reads
        .iter()
        .map(|r| r.name.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(names, ["A", "B", "C", "D", "E", "F"]);
    let kinds: Vec<_> = file.reads.iter().map(|r| r.kind).collect();
    assert_eq!(kinds[2], ReadKind::Index);
    assert_eq!(kinds[5], ReadKind::SetDefault);
    assert_eq!(
        file.reads[1].default.as_ref().map(|d| d.kind.clone()),
        Some(ValueKind::Str("x".into()))
    );
    assert_eq!(
        file.reads[3].default.as_ref().map(|d| d.kind.clone()),
        Some(ValueKind::NotStr("a number"))
    );
    assert_eq!(&source[file.reads[0].key.clone()], "'A'");
}

#[test]
fn every_read_a_tested_name_may_hold_is_checked() {
    let source = "import os\nroot = os.getenv('A') or os.getenv('B')\nif not root:\n    raise SystemExit\n\
        url = os.environ.get('C', os.environ.get('D'))\nif url:\n    pass\n\
        mode = os.getenv('E') if fast else os.getenv('F')\nassert mode\n\
        size = len(os.getenv('G'))\nif size:\n    pass\n";
    let checked: Vec<_> = env(source)
        .reads
        .iter()
        .map(|r| (r.name.clone().unwrap_or_default(), r.checked))
        .collect();
    let expected: Vec<_> = [
        ("A", true),
        ("B", true),
        ("C", true),
        ("D", true),
        ("E", true),
        ("F", true),
        ("G", false),
    ]
    .iter()
    .map(|(n, c)| (n.to_string(), *c))
    .collect();
    // `len(os.getenv('G'))` fails before `size` is tested.
    assert_eq!(checked, expected);
}

#[test]
fn getenv_and_environ_need_the_import_from_os() {
    let file = env("getenv('A')\nenviron['B']\nenviron.get('C')\n");
    assert!(file.reads.is_empty());
}

#[test]
fn tested_reads_are_checked() {
    let source = "import os\nif os.getenv('DEBUG'):\n    pass\nx = os.getenv('X') or 'd'\n\
        y = os.getenv('Y')\nif y is None:\n    raise SystemExit\nz = os.getenv('Z')\nprint(z)\n";
    let checked: Vec<_> = env(source).reads.iter().map(|r| r.checked).collect();
    assert_eq!(checked, [true, true, true, false]);
}

#[test]
fn settings_fields_with_defaults_and_effective_names() {
    let source = r#"
from typing import Optional
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

class Base(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="app_")
    database_url: str
    debug: bool = False
    name: Optional[str] = Field(default=None)
    redis: str = Field(..., validation_alias="REDIS_URL")
    tags: list[str] = Field(default_factory=list)
    secret: SecretStr = SecretStr("changeme")
    _private: str = "x"

class Settings(Base):
    class Config:
        env_prefix = "SVC_"
        case_sensitive = True
    port: int | None
"#;
    let file = env(source);
    assert_eq!(file.schemas.len(), 2);
    let base = &file.schemas[0];
    let names: Vec<_> = base.fields.iter().map(|f| f.env_name()).collect();
    assert_eq!(
        names,
        [
            "APP_DATABASE_URL",
            "APP_DEBUG",
            "APP_NAME",
            "REDIS_URL",
            "APP_TAGS",
            "APP_SECRET"
        ]
    );
    let defaults: Vec<_> = base.fields.iter().map(|f| &f.default).collect();
    assert_eq!(defaults[0], &FieldDefault::Required);
    assert_eq!(defaults[3], &FieldDefault::Required);
    assert_eq!(defaults[4], &FieldDefault::Factory);
    assert!(matches!(
        defaults[5],
        FieldDefault::Value(Value {
            kind: ValueKind::SecretStr(_),
            ..
        })
    ));
    assert!(base.fields[2].optional);
    // The subclass's `Config` names its own fields.
    let settings = &file.schemas[1];
    assert_eq!(settings.fields.len(), 1);
    assert_eq!(settings.fields[0].env_name(), "SVC_port");
    assert!(settings.fields[0].optional);
}

#[test]
fn nothing_breaks_on_broken_input() {
    for source in [
        "os.getenv(",
        "class S(BaseSettings):\n  x: = \n",
        "os.environ[]",
        "x = os.getenv(**k)",
    ] {
        let _ = env(source);
    }
}
