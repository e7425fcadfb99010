"""languages.toml parses, adds preflight to every language it checks, and
restates Helix's default servers there (a user's list replaces Helix's)."""

from __future__ import annotations

import tomllib
from pathlib import Path

HELIX = Path(__file__).resolve().parent.parent

# Helix's own languages.toml lists these defaults (2025); SQL has none.
HELIX_DEFAULTS = {
    "sql": [],
    "python": ["ty", "ruff", "jedi", "pylsp", "zuban"],
    "typescript": ["typescript-language-server"],
    "tsx": ["typescript-language-server"],
    "javascript": ["typescript-language-server"],
    "jsx": ["typescript-language-server"],
    "yaml": ["yaml-language-server", "ansible-language-server"],
}


def load() -> dict:
    with open(HELIX / "languages.toml", "rb") as f:
        return tomllib.load(f)


def test_the_server_is_preflight_lsp():
    server = load()["language-server"]["preflight"]
    assert server["command"] == "preflight"
    assert server["args"] == ["lsp"]
    # `config`, when set, must be the settings object the server reads.
    assert set(server.get("config", {})) <= {"preflight"}


def test_each_language_keeps_helix_defaults_and_adds_preflight():
    entries = {entry["name"]: entry for entry in load()["language"]}
    assert set(entries) == set(HELIX_DEFAULTS)
    for name, defaults in HELIX_DEFAULTS.items():
        entry = entries[name]
        assert entry["language-servers"] == [*defaults, "preflight"], name
        # Nothing else: every other key of Helix's entry stays as Helix has it.
        assert set(entry) == {"name", "language-servers"}, name


def test_the_commented_settings_example_is_valid_toml_with_server_keys():
    text = (HELIX / "languages.toml").read_text(encoding="utf-8")
    example = next(l for l in text.splitlines() if l.startswith("# config = "))
    config = tomllib.loads(example.removeprefix("# "))["config"]
    keys = set(config["preflight"])
    assert keys <= {"postgresVersion", "select", "ignore", "severity", "assumeInTransaction", "trace"}
