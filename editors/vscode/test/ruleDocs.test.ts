import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { DiagnosticLike, docsPath, ruleFromDocsPath, ruleIdsAt } from '../src/ruleDocs';

function d(code: DiagnosticLike['code'], line: number, start: number, end: number, source = 'preflight'): DiagnosticLike {
  return { source, code, range: { start: { line, character: start }, end: { line, character: end } } };
}

const at = (line: number, character: number) => ({ line, character });

test('the rules of preflight diagnostics under the cursor, each once', () => {
  const diagnostics = [
    d('require-concurrent-index-creation', 1, 11, 56),
    d('require-lock-timeout', 1, 11, 56),
    d('require-concurrent-index-creation', 1, 11, 56),
    d('E501', 1, 0, 80, 'other-linter'),
    d('drop-table', 3, 0, 10),
  ];
  assert.deepEqual(ruleIdsAt(diagnostics, at(1, 20)), ['require-concurrent-index-creation', 'require-lock-timeout']);
  // Right after the statement still counts; so does a code given as an object.
  assert.deepEqual(ruleIdsAt([d({ value: 'drop-table' }, 3, 0, 10)], at(3, 10)), ['drop-table']);
});

test('nothing under the cursor: the findings on its line', () => {
  const diagnostics = [d('drop-table', 3, 4, 10), d('rename-column', 5, 0, 3)];
  assert.deepEqual(ruleIdsAt(diagnostics, at(3, 0)), ['drop-table']);
  assert.deepEqual(ruleIdsAt(diagnostics, at(4, 0)), []);
  assert.deepEqual(ruleIdsAt([d('E1', 0, 0, 5, 'other')], at(0, 1)), []);
});

test('documentation documents are named after their rule', () => {
  assert.equal(docsPath('drop-table'), '/drop-table.md');
  assert.equal(ruleFromDocsPath(docsPath('drop-table')), 'drop-table');
  assert.equal(ruleFromDocsPath('/a/b.md'), undefined);
});
