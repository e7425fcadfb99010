// VS Code's `preflight.*` settings → the settings object the server reads from
// `initializationOptions` and `workspace/didChangeConfiguration` (the camelCase
// keys of `Overrides` in server/src/config.rs). Pure, for tests.

export type Trace = 'off' | 'messages' | 'verbose';

/** What the server accepts; a key left out leaves the config files' value. */
export interface ServerSettings {
  postgresVersion?: number;
  select?: string[];
  ignore?: string[];
  severity?: Record<string, string>;
  assumeInTransaction?: boolean;
  trace?: Trace;
}

/** Reads one setting below `preflight.` (`workspace.getConfiguration('preflight').get`). */
export type Get = (key: string) => unknown;

const TRACES: readonly Trace[] = ['off', 'messages', 'verbose'];

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * The server settings for the current VS Code settings. `null` (the default
 * of every rule setting) means "as the config files say" and is left out: the
 * server replaces a file's list by any list it is sent, even an empty one.
 */
export function toServerSettings(get: Get): ServerSettings {
  const out: ServerSettings = {};
  const version = get('postgresVersion');
  if (typeof version === 'number' && Number.isFinite(version)) {
    // The server validates the range (10 to 19) and says so when it is wrong.
    out.postgresVersion = version;
  }
  const select = stringList(get('select'));
  if (select !== undefined) {
    out.select = select;
  }
  const ignore = stringList(get('ignore'));
  if (ignore !== undefined) {
    out.ignore = ignore;
  }
  const severity = get('severity');
  if (severity !== null && typeof severity === 'object' && !Array.isArray(severity)) {
    const levels: Record<string, string> = {};
    for (const [rule, level] of Object.entries(severity as Record<string, unknown>)) {
      if (typeof level === 'string') {
        levels[rule] = level;
      }
    }
    if (Object.keys(levels).length > 0) {
      out.severity = levels;
    }
  }
  const assume = get('assumeInTransaction');
  if (typeof assume === 'boolean') {
    out.assumeInTransaction = assume;
  }
  const trace = get('trace.server');
  out.trace = TRACES.includes(trace as Trace) ? (trace as Trace) : 'off';
  return out;
}

/** `initializationOptions` and `didChangeConfiguration.settings` share this shape. */
export function settingsPayload(get: Get): { preflight: ServerSettings } {
  return { preflight: toServerSettings(get) };
}

/** Settings whose change needs a new server process rather than a notification. */
export const RESTART_SETTINGS: readonly string[] = ['preflight.path'];
