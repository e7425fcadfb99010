import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { LookupInput, bundledPath, findServer } from '../src/lookup';

function input(executables: string[], overrides: Partial<LookupInput> = {}): LookupInput {
  const present = new Set(executables);
  return {
    configured: '',
    trusted: true,
    extensionPath: '/ext',
    workspaceFolder: '/ws',
    envPath: '/usr/local/bin:/usr/bin',
    homeDir: '/home/u',
    platform: 'linux',
    isExecutable: (file) => present.has(file),
    ...overrides,
  };
}

test('the setting comes first', () => {
  const found = findServer(input(['/opt/preflight', '/ext/server/preflight', '/usr/bin/preflight'], { configured: '/opt/preflight' }));
  assert.deepEqual(found, { found: true, command: '/opt/preflight', source: 'setting' });
});

test('a relative or ~ setting is read against the workspace folder or the home directory', () => {
  assert.deepEqual(findServer(input(['/ws/bin/preflight'], { configured: 'bin/preflight' })), {
    found: true,
    command: '/ws/bin/preflight',
    source: 'setting',
  });
  assert.deepEqual(findServer(input(['/home/u/.cargo/bin/preflight'], { configured: '~/.cargo/bin/preflight' })), {
    found: true,
    command: '/home/u/.cargo/bin/preflight',
    source: 'setting',
  });
});

test('a setting that points nowhere is an error, not a fallback', () => {
  const found = findServer(input(['/ext/server/preflight'], { configured: '/nope/preflight' }));
  assert.equal(found.found, false);
  if (!found.found) {
    assert.match(found.message, /preflight\.path setting points to \/nope\/preflight/);
    assert.deepEqual(found.looked, ['/nope/preflight (the preflight.path setting)']);
  }
});

test('then the bundled binary, then PATH in order', () => {
  assert.deepEqual(findServer(input(['/ext/server/preflight', '/usr/bin/preflight'])), {
    found: true,
    command: '/ext/server/preflight',
    source: 'bundled',
  });
  assert.deepEqual(findServer(input(['/usr/local/bin/preflight', '/usr/bin/preflight'])), {
    found: true,
    command: '/usr/local/bin/preflight',
    source: 'path',
  });
});

test('nothing found: the error lists every place looked', () => {
  const found = findServer(input([]));
  assert.equal(found.found, false);
  if (!found.found) {
    assert.deepEqual(found.looked, [
      'the preflight.path setting (not set)',
      '/ext/server/preflight (bundled with the extension)',
      'preflight on PATH (/usr/local/bin:/usr/bin)',
    ]);
    for (const place of found.looked) {
      assert.ok(found.message.includes(place), found.message);
    }
  }
  const empty = findServer(input([], { envPath: undefined }));
  assert.ok(!empty.found && empty.looked[2] === 'preflight on PATH (PATH is empty)');
});

test('an untrusted workspace runs only the bundled binary', () => {
  const everywhere = ['/opt/preflight', '/ext/server/preflight', '/usr/bin/preflight'];
  assert.deepEqual(findServer(input(everywhere, { trusted: false, configured: '/opt/preflight' })), {
    found: true,
    command: '/ext/server/preflight',
    source: 'bundled',
  });
  const found = findServer(input(['/opt/preflight', '/usr/bin/preflight'], { trusted: false, configured: '/opt/preflight' }));
  assert.equal(found.found, false);
  if (!found.found) {
    assert.match(found.message, /not trusted/);
    assert.deepEqual(found.looked, [
      'the preflight.path setting (ignored: the workspace is not trusted)',
      '/ext/server/preflight (bundled with the extension)',
    ]);
  }
});

test('windows names and PATH separator', () => {
  assert.equal(bundledPath('/ext', 'win32').endsWith('preflight.exe'), true);
  const found = findServer(
    input(['C:\\tools/preflight.exe'], { platform: 'win32', envPath: 'C:\\nothing;C:\\tools', extensionPath: '/ext' }),
  );
  assert.equal(found.found && found.source, 'path');
});
