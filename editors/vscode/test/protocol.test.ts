// The real `preflight lsp`, driven through vscode-languageserver-protocol (the
// layer vscode-languageclient sits on) with the capabilities VS Code sends:
// UTF-16 positions, pull diagnostics, code lenses, versioned workspace edits.
// One session as a user has it: open, diagnostics, change, code action,
// hover, lenses, rule docs, a settings change, shutdown.

import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';

import {
  CodeAction,
  CodeActionRequest,
  CodeLensRequest,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticReport,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  ExitNotification,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  MarkupContent,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentEdit,
  TextEdit,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';

import { settingsPayload } from '../src/settings';
import { vscodeClientCapabilities } from './vscodeClient';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const INDEX_RULE = 'require-concurrent-index-creation';
const FIX_TITLE = 'Build the index with CONCURRENTLY';

/** The server binary: `PREFLIGHT_BIN` (set by the cargo test that runs this suite) or the debug build. */
function serverBinary(): string {
  const bin = process.env.PREFLIGHT_BIN ?? path.join(repo, 'target', 'debug', 'preflight');
  assert.ok(
    fs.existsSync(bin),
    `no preflight binary at ${bin}: build it with \`cargo build -p preflight\` or set PREFLIGHT_BIN`,
  );
  return bin;
}

/** Rejects after `ms` so that a silent server fails the test instead of hanging it. */
function within<T>(what: string, promise: Thenable<T>, ms = 20000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Offset of an LSP position in a JS string, whose indices are UTF-16 units as VS Code's are. */
function offsetAt(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    offset = text.indexOf('\n', offset) + 1;
  }
  return offset + character;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort(
    (a, b) => offsetAt(text, b.range.start.line, b.range.start.character) - offsetAt(text, a.range.start.line, a.range.start.character),
  );
  for (const edit of sorted) {
    const start = offsetAt(text, edit.range.start.line, edit.range.start.character);
    const end = offsetAt(text, edit.range.end.line, edit.range.end.character);
    text = text.slice(0, start) + edit.newText + text.slice(end);
  }
  return text;
}

interface Session {
  connection: ProtocolConnection;
  server: ChildProcess;
  exited: Promise<number | null>;
  pushed: { uri: string; count: number }[];
  refreshes: number;
  stderr: string[];
}

function startServer(): Session {
  const server = spawn(serverBinary(), ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  const session: Session = {
    connection,
    server,
    exited: new Promise((resolve) => server.on('exit', (code) => resolve(code))),
    pushed: [],
    refreshes: 0,
    stderr: [],
  };
  server.stderr!.on('data', (chunk: Buffer) => session.stderr.push(chunk.toString()));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    session.pushed.push({ uri: params.uri, count: params.diagnostics.length });
  });
  // Requests from the server, answered as VS Code does.
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => {
    session.refreshes += 1;
    return null;
  });
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  return session;
}

async function pull(session: Session, uri: string): Promise<Diagnostic[]> {
  const report: DocumentDiagnosticReport = await within(
    'textDocument/diagnostic',
    session.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri }, identifier: 'preflight' }),
  );
  assert.equal(report.kind, 'full');
  return report.kind === 'full' ? report.items : [];
}

function withCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

function migration(): { dir: string; file: string; uri: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-vscode-'));
  const folder = path.join(dir, 'migrations', '20240101000000_add_index');
  fs.mkdirSync(folder, { recursive: true });
  // diesel, outside a transaction: the fix then leaves nothing to block it.
  fs.writeFileSync(path.join(folder, 'metadata.toml'), 'run_in_transaction = false\n');
  fs.writeFileSync(path.join(folder, 'down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;\n');
  const file = path.join(folder, 'up.sql');
  return { dir, file, uri: pathToFileURL(file).href };
}

// `/* é🚀ユ */ ` is 11 UTF-16 units (the emoji is two), 16 bytes, 10 characters.
const TEXT = '-- Index für die Nutzer-E-Mail 📧 (ユーザー)\n/* é🚀ユ */ CREATE INDEX idx_users_email ON users (email);\n';
const STATEMENT_START = 11;
const STATEMENT_END = STATEMENT_START + 'CREATE INDEX idx_users_email ON users (email)'.length;

test('a VS Code session against the real server', { timeout: 120000 }, async () => {
  const { dir, file, uri } = migration();
  fs.writeFileSync(file, TEXT);
  const session = startServer();
  const { connection } = session;
  try {
    // initialize, as vscode-languageclient sends it.
    const capabilities = vscodeClientCapabilities();
    assert.deepEqual(capabilities.general.positionEncodings, ['utf-16']);
    assert.ok(capabilities.textDocument.diagnostic, 'VS Code pulls diagnostics');
    const initializationOptions = settingsPayload(() => undefined);
    const result = await within(
      'initialize',
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: 'Visual Studio Code', version: '1.95.0' },
        locale: 'en',
        rootPath: dir,
        rootUri: pathToFileURL(dir).href,
        capabilities: capabilities as any,
        initializationOptions,
        trace: 'off',
        workspaceFolders: [{ uri: pathToFileURL(dir).href, name: path.basename(dir) }],
      }),
    );
    const caps = result.capabilities;
    assert.ok(caps.positionEncoding === undefined || caps.positionEncoding === 'utf-16', `${caps.positionEncoding}`);
    assert.ok(caps.diagnosticProvider, 'pull diagnostics for a pulling client');
    assert.deepEqual(caps.executeCommandProvider?.commands, ['preflight.explain']);
    assert.ok(caps.codeLensProvider);
    await connection.sendNotification(InitializedNotification.type, {});

    // open → diagnostics at UTF-16 positions on the non-ASCII line.
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'sql', version: 1, text: TEXT },
    });
    let diagnostics = await pull(session, uri);
    const [index] = withCode(diagnostics, INDEX_RULE);
    assert.ok(index, JSON.stringify(diagnostics));
    assert.deepEqual(index.range, {
      start: { line: 1, character: STATEMENT_START },
      end: { line: 1, character: STATEMENT_END },
    });
    assert.equal(index.source, 'preflight');
    assert.ok(withCode(diagnostics, 'require-lock-timeout').length === 1);

    // change: a line above moves every finding down one line.
    let text = applyEdits(TEXT, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: '-- 変更 ✓\n' }]);
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '-- 変更 ✓\n' }],
    });
    diagnostics = await pull(session, uri);
    const moved = withCode(diagnostics, INDEX_RULE);
    assert.equal(moved.length, 1, JSON.stringify(diagnostics));
    assert.deepEqual(moved[0].range.start, { line: 2, character: STATEMENT_START });
    assert.ok(diagnostics.every((d) => d.range.start.line === 2), 'nothing left at the old line');

    // code action at the cursor inside the statement, with the diagnostic in context.
    const cursor = { line: 2, character: STATEMENT_START + 5 };
    const actions = await within(
      'textDocument/codeAction',
      connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: cursor, end: cursor },
        context: { diagnostics: moved, triggerKind: 1 },
      }),
    );
    const fix = (actions ?? []).find((a) => 'title' in a && a.title === FIX_TITLE) as CodeAction | undefined;
    assert.ok(fix?.edit, JSON.stringify(actions));
    assert.equal(fix.kind, 'quickfix');
    // VS Code takes versioned document changes: the fix names the version it was computed for.
    const changes = fix.edit.documentChanges ?? [];
    assert.equal(changes.length, 1, JSON.stringify(fix.edit));
    const edit = changes[0] as TextDocumentEdit;
    assert.equal(edit.textDocument.uri, uri);
    assert.equal(edit.textDocument.version, 2);
    const edits = edit.edits as TextEdit[];
    text = applyEdits(text, edits);
    assert.ok(text.includes('/* é🚀ユ */ CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email'), text);
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })),
    });
    diagnostics = await pull(session, uri);
    assert.deepEqual(withCode(diagnostics, INDEX_RULE), [], 'the fixed finding is gone');
    assert.deepEqual(withCode(diagnostics, 'require-lock-timeout'), [], 'CONCURRENTLY blocks no writes');

    // hover: the statement's facts, over its range in UTF-16.
    const hover = await within('textDocument/hover', connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: cursor }));
    assert.ok(hover, 'a hover');
    const markdown = (hover.contents as MarkupContent).value;
    assert.equal((hover.contents as MarkupContent).kind, 'markdown');
    assert.match(markdown, /statement class: \*\*additive\*\*/);
    assert.deepEqual(hover.range?.start, { line: 2, character: STATEMENT_START });

    // lenses: the command they carry is the one the extension registers.
    const lenses = await within('textDocument/codeLens', connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } }));
    assert.ok(lenses && lenses.length >= 2, JSON.stringify(lenses));
    assert.ok(lenses.every((l) => l.command?.command === 'preflight.showClassification'));
    assert.ok(lenses.some((l) => l.range.start.line === 2 && l.range.start.character === STATEMENT_START));

    // rule documentation, served by the server.
    const docs = await within(
      'workspace/executeCommand',
      connection.sendRequest(ExecuteCommandRequest.type, { command: 'preflight.explain', arguments: [INDEX_RULE] }),
    );
    assert.equal(typeof docs, 'string');
    assert.match(docs as string, /^# require-concurrent-index-creation\n/);

    // a settings change, mapped as the extension maps it: the server asks VS Code to pull again.
    // The fixed text has no finding left: undo the fix to have some to turn off.
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 4 },
      contentChanges: [{ text: TEXT }],
    });
    diagnostics = await pull(session, uri);
    const remaining = diagnostics.map((d) => String(d.code));
    assert.ok(remaining.length > 0, 'a finding left to turn off');
    const severity = Object.fromEntries(remaining.map((code) => [code, 'off']));
    const before = session.refreshes;
    await connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: settingsPayload((key) => (key === 'severity' ? severity : undefined)),
    });
    const deadline = Date.now() + 20000;
    while (session.refreshes === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(session.refreshes > before, 'workspace/diagnostic/refresh after the settings change');
    assert.deepEqual(await pull(session, uri), []);

    // A pulling client is never pushed the document's diagnostics as well.
    assert.deepEqual(
      session.pushed.filter((p) => p.uri === uri),
      [],
    );

    await within('shutdown', connection.sendRequest(ShutdownRequest.type));
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await within('the server to exit', session.exited), 0);
  } catch (error) {
    session.server.kill();
    throw new Error(`${error instanceof Error ? error.stack : error}\n--- server stderr ---\n${session.stderr.join('')}`);
  } finally {
    connection.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
