// Which rule's documentation to show for the cursor, and the virtual documents
// that hold it. Pure: positions and diagnostics are plain data here.

export interface Pos {
  line: number;
  character: number;
}

export interface DiagnosticLike {
  source?: string;
  code?: string | number | { value: string | number };
  range: { start: Pos; end: Pos };
}

/** The URI scheme of the read-only rule documentation documents. */
export const DOCS_SCHEME = 'preflight-rule';

/** The server command that returns a rule's documentation as Markdown. */
export const EXPLAIN_COMMAND = 'preflight.explain';

function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function contains(range: { start: Pos; end: Pos }, at: Pos): boolean {
  // Inclusive end: a cursor right after the flagged statement still counts.
  return !before(at, range.start) && !before(range.end, at);
}

export function ruleId(d: DiagnosticLike): string | undefined {
  if (d.source !== 'preflight' || d.code === undefined) {
    return undefined;
  }
  const code = typeof d.code === 'object' ? d.code.value : d.code;
  return String(code);
}

/**
 * The rules of preflight's diagnostics under the cursor, each once in the order
 * given; when none covers it, those starting or ending on the cursor's line.
 */
export function ruleIdsAt(diagnostics: readonly DiagnosticLike[], at: Pos): string[] {
  const ours = diagnostics.filter((d) => ruleId(d) !== undefined);
  let hits = ours.filter((d) => contains(d.range, at));
  if (hits.length === 0) {
    hits = ours.filter((d) => d.range.start.line === at.line || d.range.end.line === at.line);
  }
  return [...new Set(hits.map((d) => ruleId(d) as string))];
}

/** The path of a rule's documentation document, e.g. `/drop-table.md`. */
export function docsPath(rule: string): string {
  return `/${encodeURIComponent(rule)}.md`;
}

export function ruleFromDocsPath(p: string): string | undefined {
  const m = /^\/([^/]+)\.md$/.exec(p);
  return m ? decodeURIComponent(m[1]) : undefined;
}
