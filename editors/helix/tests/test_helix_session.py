"""One Helix editing session against the real `preflight lsp`, through
pytest-lsp (a real LSP client library), with Helix's client capabilities.

Helix cannot be installed here, so `helix_client_capabilities.json` holds what
Helix sends in `initialize` (helix-lsp's `Client::initialize`, release 25.01:
UTF-8 offered first, inlay hints but no code lenses, and no pull diagnostics,
so preflight pushes). The server command and its settings come from this
folder's languages.toml, as Helix would read them.
"""

from __future__ import annotations

import asyncio
import json
import os
import tomllib
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient

HERE = Path(__file__).resolve().parent
HELIX = HERE.parent
REPO = HELIX.parent.parent
TIMEOUT = 20

INDEX_RULE = "require-concurrent-index-creation"
FIX_TITLE = "Build the index with CONCURRENTLY"
TEXT = (
    "-- Index für die Nutzer-E-Mail 📧 (ユーザー)\n"
    "/* é🚀ユ */ CREATE INDEX idx_users_email ON users (email);\n"
)
# `/* é🚀ユ */ ` is 16 bytes: Helix offers UTF-8 first and preflight takes it.
START = 16
END = START + len("CREATE INDEX idx_users_email ON users (email)")


def server_binary() -> str:
    binary = os.environ.get("PREFLIGHT_BIN") or str(REPO / "target" / "debug" / "preflight")
    if not Path(binary).is_file():
        pytest.fail(f"no preflight binary at {binary}: run `cargo build -p preflight` or set PREFLIGHT_BIN")
    return binary


def languages() -> dict:
    with open(HELIX / "languages.toml", "rb") as f:
        return tomllib.load(f)


def server_command() -> list[str]:
    """languages.toml's command for preflight, pointed at the binary under test."""
    server = languages()["language-server"]["preflight"]
    assert server["command"] == "preflight"
    return [server_binary(), *server["args"]]


def helix_capabilities() -> types.ClientCapabilities:
    with open(HERE / "helix_client_capabilities.json", encoding="utf-8") as f:
        raw = json.load(f)
    return default_converter().structure(raw, types.ClientCapabilities)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=server_command(), server_env={"PREFLIGHT_LOG": "warn"}))
async def client(lsp_client: LanguageClient):
    # Helix accepts file watcher registrations; keep them for the test.
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    yield
    # The test shuts the server down itself and checks how it ended; after a
    # failure the server is still running, and would keep the client waiting.
    server = lsp_client._server
    if server is not None and server.returncode is None:
        server.kill()
        await server.wait()


def offset(text: str, line: int, character: int) -> int:
    """A UTF-8 LSP position as an index into `text`."""
    lines = text.split("\n")
    before = sum(len(l) + 1 for l in lines[:line])
    column = len(lines[line].encode("utf-8")[:character].decode("utf-8"))
    return before + column


def apply(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offset(text, edit.range.start.line, edit.range.start.character)
        end = offset(text, edit.range.end.line, edit.range.end.character)
        text = text[:start] + edit.new_text + text[end:]
    return text


async def diagnostics_until(client: LanguageClient, uri: str, what: str, predicate) -> list[types.Diagnostic]:
    """Waits for pushed diagnostics of `uri` that satisfy `predicate`."""

    async def wait():
        while True:
            current = client.diagnostics.get(uri)
            if current is not None and predicate(current):
                return list(current)
            await client.wait_for_notification("textDocument/publishDiagnostics")

    try:
        return await asyncio.wait_for(wait(), TIMEOUT)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}; last diagnostics: {client.diagnostics.get(uri)}")


def codes(diagnostics) -> list[str]:
    return [d.code for d in diagnostics]


def at(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def test_a_helix_session(client: LanguageClient, tmp_path: Path):
    folder = tmp_path / "migrations" / "20240101000000_add_index"
    folder.mkdir(parents=True)
    (folder / "metadata.toml").write_text("run_in_transaction = false\n")
    (folder / "down.sql").write_text("DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n")
    path = folder / "up.sql"
    path.write_text(TEXT, encoding="utf-8")
    uri = path.as_uri()
    root = tmp_path.as_uri()
    settings = languages()["language-server"]["preflight"].get("config")

    # initialize, as Helix sends it (languages.toml's `config` goes in initializationOptions).
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=helix_capabilities(),
            root_uri=root,
            root_path=str(tmp_path),
            workspace_folders=[types.WorkspaceFolder(uri=root, name=tmp_path.name)],
            initialization_options=settings,
            client_info=types.ClientInfo(name="helix", version="25.01"),
        )
    )
    caps = result.capabilities
    assert caps.position_encoding == types.PositionEncodingKind.Utf8
    assert caps.diagnostic_provider is None, "no pull diagnostics: Helix is pushed"
    assert caps.inlay_hint_provider, "statement classes as inlay hints: Helix shows no code lenses"
    assert list(caps.execute_command_provider.commands) == ["preflight.explain"]

    # Helix watches files for the server: preflight asks for its config files.
    async def registered():
        while not client.registrations:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(registered(), TIMEOUT)
    assert client.registrations[0].method == "workspace/didChangeWatchedFiles"

    # open → pushed diagnostics at UTF-8 positions on the non-ASCII line.
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="sql", version=1, text=TEXT)
        )
    )
    diagnostics = await diagnostics_until(client, uri, "the index finding", lambda ds: INDEX_RULE in codes(ds))
    index = next(d for d in diagnostics if d.code == INDEX_RULE)
    assert index.range == types.Range(start=at(1, START), end=at(1, END))
    assert index.source == "preflight"
    assert index.severity == types.DiagnosticSeverity.Error
    assert "require-lock-timeout" in codes(diagnostics)

    # change: a non-ASCII line above moves every finding down; nothing stays behind.
    inserted = "-- 変更 ✓\n"
    text = inserted + TEXT
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=types.Range(start=at(0, 0), end=at(0, 0)), text=inserted)
            ],
        )
    )
    diagnostics = await diagnostics_until(
        client, uri, "diagnostics on line 3", lambda ds: any(d.code == INDEX_RULE and d.range.start.line == 2 for d in ds)
    )
    assert all(d.range.start == at(2, START) for d in diagnostics), diagnostics

    # code action: Helix sends its one-character selection and the diagnostics under it.
    selection = types.Range(start=at(2, START + 5), end=at(2, START + 6))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=selection,
            context=types.CodeActionContext(
                diagnostics=diagnostics, trigger_kind=types.CodeActionTriggerKind.Invoked
            ),
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == FIX_TITLE)
    assert fix.kind == types.CodeActionKind.QuickFix
    (document_edit,) = fix.edit.document_changes
    assert document_edit.text_document.uri == uri
    assert document_edit.text_document.version == 2
    text = apply(text, document_edit.edits)
    assert "/* é🚀ユ */ CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email" in text
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in document_edit.edits
            ],
        )
    )
    diagnostics = await diagnostics_until(
        client, uri, "the index finding to clear", lambda ds: INDEX_RULE not in codes(ds)
    )
    assert "require-lock-timeout" not in codes(diagnostics)

    # hover over the statement: its class, over its range in UTF-8.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at(2, START + 5))
    )
    assert hover is not None
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "statement class: **additive**" in hover.contents.value
    assert hover.range.start == at(2, START)

    # statement classes as inlay hints at the end of the statement's line.
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=at(0, 0), end=at(4, 0)),
        )
    )
    line = text.split("\n")[2]
    assert any(
        h.label == "additive" and h.position == at(2, len(line.encode("utf-8"))) for h in hints or []
    ), hints

    # rule documentation, for a `:lsp-workspace-command preflight.explain ...`.
    docs = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="preflight.explain", arguments=[INDEX_RULE])
    )
    assert docs.startswith("# require-concurrent-index-creation\n")

    # shutdown and exit: a clean end.
    await client.shutdown_async(None)
    client.exit(None)
    server = client._server
    await asyncio.wait_for(server.wait(), TIMEOUT)
    assert server.returncode == 0
