// package.json against the code and the server: commands, activation, settings.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { LANGUAGES } from '../src/selector';
import { vscodeStandIn } from './vscodeClient';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extension = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');

test('every contributed command is registered, and the lens command is among them', () => {
  const commands: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
  for (const command of commands) {
    assert.ok(extension.includes(`registerCommand('${command}'`), `${command} is registered`);
  }
  const convert = fs.readFileSync(path.join(root, '..', '..', 'server', 'src', 'lsp', 'convert.rs'), 'utf8');
  const lens = /pub const SHOW_CLASSIFICATION: &str = "([^"]+)"/.exec(convert);
  assert.ok(lens, 'SHOW_CLASSIFICATION in convert.rs');
  assert.ok(commands.includes(lens[1]), `the classification lenses' command ${lens[1]} is contributed`);
  // The server's own commands are registered by vscode-languageclient; ours must not clash.
  assert.ok(!commands.includes('preflight.explain'));
});

test('activation covers every checked language and the config file', () => {
  const events: string[] = manifest.activationEvents;
  for (const language of LANGUAGES) {
    assert.ok(events.includes(`onLanguage:${language}`), language);
  }
  assert.ok(events.includes('workspaceContains:**/preflight.toml'));
});

test('the path setting is restricted in untrusted workspaces', () => {
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['preflight.path']);
  assert.equal(manifest.contributes.configuration.properties['preflight.path'].scope, 'machine-overridable');
});

test('the @types/vscode version does not exceed the engine (vsce refuses to package otherwise)', () => {
  const engine = manifest.engines.vscode.replace(/^\^/, '');
  assert.equal(manifest.devDependencies['@types/vscode'], engine);
});

test('the bundle loads with vscode as its only outside module and exports the entry points', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module');
  const original = Module._load;
  const requested: string[] = [];
  Module._load = function (request: string, ...rest: unknown[]) {
    requested.push(request);
    if (request === 'vscode') {
      return vscodeStandIn;
    }
    return original.call(this, request, ...rest);
  };
  try {
    const bundle = path.join(root, manifest.main);
    delete require.cache[bundle];
    const extension = require(bundle);
    assert.equal(typeof extension.activate, 'function');
    assert.equal(typeof extension.deactivate, 'function');
  } finally {
    Module._load = original;
  }
  const outside = requested.filter((r) => !r.startsWith('node:') && !require('module').builtinModules.includes(r) && r !== path.join(root, manifest.main));
  assert.deepEqual([...new Set(outside)], ['vscode']);
});
