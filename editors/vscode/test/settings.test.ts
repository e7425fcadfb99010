import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { Get, settingsPayload, toServerSettings } from '../src/settings';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

/** A `get` over VS Code's settings: package.json defaults, then `values`. */
function settings(values: Record<string, unknown> = {}): Get {
  return (key) => (key in values ? values[key] : properties[`preflight.${key}`]?.default);
}

test('untouched settings send only the trace level', () => {
  assert.deepEqual(toServerSettings(settings()), { trace: 'off' });
  assert.deepEqual(settingsPayload(settings()), { preflight: { trace: 'off' } });
});

test('every rule setting maps onto its server key', () => {
  const mapped = toServerSettings(
    settings({
      postgresVersion: 13,
      select: ['require-lock-timeout', ' drop-table '],
      ignore: [],
      severity: { 'rename-column': 'warning', 'drop-table': 'off' },
      assumeInTransaction: false,
      'trace.server': 'verbose',
    }),
  );
  assert.deepEqual(mapped, {
    postgresVersion: 13,
    select: ['require-lock-timeout', 'drop-table'],
    ignore: [],
    severity: { 'rename-column': 'warning', 'drop-table': 'off' },
    assumeInTransaction: false,
    trace: 'verbose',
  });
});

test('values of the wrong type are left out rather than sent', () => {
  const mapped = toServerSettings(
    settings({ postgresVersion: 'fifteen', select: 'drop-table', severity: { a: 3, b: 'hint' }, 'trace.server': 'loud' }),
  );
  assert.deepEqual(mapped, { severity: { b: 'hint' }, trace: 'off' });
});

/** The camelCase fields of `Overrides` in server/src/config.rs. */
function serverKeys(): string[] {
  const source = fs.readFileSync(path.join(root, '..', '..', 'server', 'src', 'config.rs'), 'utf8');
  const body = /pub struct Overrides \{([^}]*)\}/.exec(source);
  assert.ok(body, 'Overrides in server/src/config.rs');
  return [...body[1].matchAll(/pub (\w+):/g)].map((m) => m[1].replace(/_(\w)/g, (_, c: string) => c.toUpperCase())).sort();
}

test('the settings sent are exactly the keys the server reads', () => {
  const full = toServerSettings(
    settings({ postgresVersion: 15, select: [], ignore: [], severity: { x: 'hint' }, assumeInTransaction: true }),
  );
  assert.deepEqual(Object.keys(full).sort(), serverKeys());
});

test('every preflight.* setting is either forwarded or read by the extension itself', () => {
  const forwarded = serverKeys().filter((k) => k !== 'trace');
  const own = ['preflight.path', 'preflight.trace.server'];
  assert.deepEqual(Object.keys(properties).sort(), [...own, ...forwarded.map((k) => `preflight.${k}`)].sort());
});
