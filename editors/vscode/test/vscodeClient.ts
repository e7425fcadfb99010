// VS Code's side of `initialize`, as vscode-languageclient (the library the
// extension runs on) computes it. The library needs the `vscode` module only
// for things `computeClientCapabilities` does not touch, so a stand-in that
// answers every property is enough outside VS Code.

import Module = require('module');

/** The VS Code version the stand-in claims; the client refuses versions below its engine. */
export const VSCODE_VERSION = '1.95.0';

function anything(name: string): unknown {
  const fn = function () {
    return anything(`${name}()`);
  };
  return new Proxy(fn, {
    get(_target, property) {
      if (property === 'then') {
        return undefined; // not a promise
      }
      if (property === Symbol.toPrimitive) {
        return () => name;
      }
      return anything(`${name}.${String(property)}`);
    },
    construct() {
      return anything(`new ${name}`) as object;
    },
  });
}

/** A `vscode` module that answers every property (with `version` and `env` filled in). */
export const vscodeStandIn = new Proxy(
  {},
  {
    get(_target, property) {
      if (property === 'version') {
        return VSCODE_VERSION;
      }
      if (property === 'env') {
        return { appName: 'Visual Studio Code', language: 'en' };
      }
      return anything(`vscode.${String(property)}`);
    },
  },
);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** The `capabilities` of VS Code's `initialize` request, from vscode-languageclient itself. */
export function vscodeClientCapabilities(): Record<string, any> {
  const loader = Module as unknown as { _load: Load };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') {
      return vscodeStandIn;
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { LanguageClient } = require('vscode-languageclient/node');
    const client = new LanguageClient('preflight', 'preflight', { command: 'preflight', args: ['lsp'] }, {
      documentSelector: [{ scheme: 'file', language: 'sql' }],
    });
    return JSON.parse(JSON.stringify(client.computeClientCapabilities()));
  } finally {
    loader._load = original;
  }
}
