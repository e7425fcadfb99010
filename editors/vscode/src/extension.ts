// The VS Code side of preflight: finds and starts `preflight lsp`, forwards the
// settings, and adds a few commands. Everything the user sees as findings,
// fixes, hovers and lenses comes from the server.

import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { bundledPath, findServer } from './lookup';
import { DOCS_SCHEME, EXPLAIN_COMMAND, docsPath, ruleFromDocsPath, ruleIdsAt } from './ruleDocs';
import { DOCUMENT_SELECTOR } from './selector';
import { RESTART_SETTINGS, settingsPayload } from './settings';

/** Shown when a classification code lens is clicked: the lenses carry no arguments. */
const CLASSIFICATION_HELP =
  'preflight classifies each statement of a migration: additive (adds something; existing data and code keep working), ' +
  'transformative (changes existing data or its layout; watch locks and table rewrites), ' +
  'destructive (removes or renames what running code may still use). The first line counts them for the file. ' +
  'Hover a statement for the locks it takes.';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function settings() {
  const config = vscode.workspace.getConfiguration('preflight');
  return settingsPayload((key) => config.get(key));
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const bundled = bundledPath(context.extensionPath, process.platform);
  // Some unpackers drop the executable bit of the bundled binary.
  if (fs.existsSync(bundled) && !isExecutable(bundled)) {
    try {
      fs.chmodSync(bundled, 0o755);
    } catch (e) {
      output.appendLine(`cannot make ${bundled} executable: ${e}`);
    }
  }
  const found = findServer({
    configured: vscode.workspace.getConfiguration('preflight').get<string>('path'),
    trusted: vscode.workspace.isTrusted,
    extensionPath: context.extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    envPath: process.env.PATH,
    homeDir: os.homedir(),
    platform: process.platform,
    isExecutable,
  });
  if (!found.found) {
    output.appendLine(found.message);
    for (const place of found.looked) {
      output.appendLine(`  looked in: ${place}`);
    }
    const choice = await vscode.window.showErrorMessage(found.message, 'Open Settings', 'Show Output');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'preflight.path');
    } else if (choice === 'Show Output') {
      output.show(true);
    }
    return;
  }
  output.appendLine(`starting ${found.command} lsp (${found.source})`);
  const serverOptions: ServerOptions = { command: found.command, args: ['lsp'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...DOCUMENT_SELECTOR],
    outputChannel: output,
    initializationOptions: () => settings(),
  };
  // The id `preflight` makes the client read `preflight.trace.server`.
  client = new LanguageClient('preflight', 'preflight', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    output.appendLine(`the server did not start: ${e}`);
    void vscode.window.showErrorMessage(`preflight: the server (${found.command}) did not start: ${e}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (e) {
      output.appendLine(`stopping the server failed: ${e}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function showRuleDocumentation(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('preflight: open a file and put the cursor on a finding.');
    return;
  }
  const diagnostics = vscode.languages.getDiagnostics(editor.document.uri);
  const ids = ruleIdsAt(diagnostics, editor.selection.active);
  let rule: string | undefined = ids[0];
  if (ids.length > 1) {
    rule = await vscode.window.showQuickPick(ids, { placeHolder: 'Which rule?' });
  }
  if (rule === undefined) {
    if (ids.length === 0) {
      void vscode.window.showInformationMessage('preflight: no preflight finding under the cursor.');
    }
    return;
  }
  const uri = vscode.Uri.from({ scheme: DOCS_SCHEME, path: docsPath(rule) });
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}

/** Rule documentation, fetched from the server each time it is opened. */
const docsProvider: vscode.TextDocumentContentProvider = {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const rule = ruleFromDocsPath(uri.path);
    if (rule === undefined) {
      return `Not a preflight rule: ${uri.path}`;
    }
    if (client === undefined || client.state !== State.Running) {
      return `# ${rule}\n\nThe preflight server is not running: run "preflight: Restart Server".`;
    }
    try {
      const docs = await client.sendRequest(ExecuteCommandRequest.type, {
        command: EXPLAIN_COMMAND,
        arguments: [rule],
      });
      return typeof docs === 'string' ? docs : `# ${rule}\n\nThe server sent no documentation.`;
    } catch (e) {
      return `# ${rule}\n\nThe server could not explain this rule: ${e}`;
    }
  },
};

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('preflight');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('preflight.restartServer', () => restart(context)),
    vscode.commands.registerCommand('preflight.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('preflight.showRuleDocumentation', showRuleDocumentation),
    vscode.commands.registerCommand('preflight.showClassification', () => {
      void vscode.window.showInformationMessage(CLASSIFICATION_HELP);
    }),
    vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, docsProvider),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('preflight')) {
        return;
      }
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) {
        await restart(context);
      } else if (client?.state === State.Running) {
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings: settings() });
      }
    }),
    // Trust unlocks preflight.path and PATH.
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart(context)),
  );
  await start(context);
}

export function deactivate(): Promise<void> {
  return stop();
}
