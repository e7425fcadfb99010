// Where the preflight server binary comes from. Pure: the file system, the
// environment and the workspace's trust are passed in, so tests can drive it.

import * as path from 'path';

export interface LookupInput {
  /** The `preflight.path` setting; empty or undefined when not set. */
  configured: string | undefined;
  /** Workspace trust: an untrusted workspace runs only the bundled binary. */
  trusted: boolean;
  /** The extension's install folder, which may hold `server/preflight`. */
  extensionPath: string;
  /** The first workspace folder, against which a relative `preflight.path` is read. */
  workspaceFolder?: string;
  /** `PATH` of the extension host. */
  envPath: string | undefined;
  homeDir: string;
  platform: NodeJS.Platform;
  /** Whether a file exists and may be run. */
  isExecutable: (file: string) => boolean;
}

export type Source = 'setting' | 'bundled' | 'path';

export type LookupResult =
  | { found: true; command: string; source: Source }
  | { found: false; looked: string[]; message: string };

function exe(platform: NodeJS.Platform, name: string): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/** The bundled binary's place inside the extension. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, 'server', exe(platform, 'preflight'));
}

/** `~/x` and paths relative to the workspace folder, made absolute. */
export function expandConfigured(configured: string, homeDir: string, workspaceFolder?: string): string {
  let p = configured.trim();
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    p = path.join(homeDir, p.slice(1));
  }
  if (!path.isAbsolute(p) && workspaceFolder) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

/**
 * The server to start: the `preflight.path` setting, then the bundled binary,
 * then `preflight` on `PATH`. An explicit setting that points nowhere is an
 * error rather than a silent fallback to another binary. In an untrusted
 * workspace neither the setting (a workspace could point it anywhere) nor
 * `PATH` is used.
 */
export function findServer(input: LookupInput): LookupResult {
  const looked: string[] = [];
  const configured = input.configured?.trim();
  if (input.trusted && configured) {
    const file = expandConfigured(configured, input.homeDir, input.workspaceFolder);
    if (input.isExecutable(file)) {
      return { found: true, command: file, source: 'setting' };
    }
    looked.push(`${file} (the preflight.path setting)`);
    return {
      found: false,
      looked,
      message:
        `preflight: the preflight.path setting points to ${file}, which is not an executable file. ` +
        'Fix the setting, or clear it to use the bundled server or preflight on PATH.',
    };
  }
  if (!input.trusted && configured) {
    looked.push('the preflight.path setting (ignored: the workspace is not trusted)');
  } else if (input.trusted) {
    looked.push('the preflight.path setting (not set)');
  }

  const bundled = bundledPath(input.extensionPath, input.platform);
  if (input.isExecutable(bundled)) {
    return { found: true, command: bundled, source: 'bundled' };
  }
  looked.push(`${bundled} (bundled with the extension)`);

  if (!input.trusted) {
    return {
      found: false,
      looked,
      message:
        'preflight: no language server found. This workspace is not trusted, so only the binary ' +
        `bundled with the extension may run, and there is none. Looked in: ${looked.join('; ')}. ` +
        'Trust the workspace to use preflight.path or preflight on PATH, or install the platform build of the extension.',
    };
  }

  const name = exe(input.platform, 'preflight');
  const separator = input.platform === 'win32' ? ';' : ':';
  const dirs = (input.envPath ?? '').split(separator).filter((d) => d.length > 0);
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (input.isExecutable(file)) {
      return { found: true, command: file, source: 'path' };
    }
  }
  looked.push(dirs.length > 0 ? `${name} on PATH (${dirs.join(separator)})` : `${name} on PATH (PATH is empty)`);
  return {
    found: false,
    looked,
    message:
      `preflight: no language server found. Looked in: ${looked.join('; ')}. ` +
      'Install preflight (cargo install --path server) or set preflight.path to the binary.',
  };
}
