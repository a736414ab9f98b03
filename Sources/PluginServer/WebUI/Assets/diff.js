// A line diff of two JSON values, for the test panel and live events: what the plugins changed.
import { h } from './dom.js';

/**
 * Lines of `before` and `after` (pretty JSON) as `{kind: 'same' | 'added' | 'removed', text}`, by longest common
 * subsequence. A trailing comma doesn't make a line differ, so adding a property marks only that property.
 */
export function diffLines(before, after) {
  const a = JSON.stringify(before, null, 2).split('\n');
  const b = after === null ? [] : JSON.stringify(after, null, 2).split('\n');
  const same = (i, j) => a[i].replace(/,$/, '') === b[j].replace(/,$/, '');
  const common = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = same(i, j) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(i, j)) {
      lines.push({ kind: 'same', text: b[j] });
      i++; j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      lines.push({ kind: 'removed', text: a[i++] });
    } else {
      lines.push({ kind: 'added', text: b[j++] });
    }
  }
  return lines;
}

/** The diff as a `<pre>` of lines marked `+`/`-`, styled by kind. */
export function diffBlock(before, after, label) {
  return h('pre', { className: 'diff', 'aria-label': label }, diffLines(before, after).map((line) =>
    h('span', { className: `diff-${line.kind}` }, `${{ same: ' ', added: '+', removed: '-' }[line.kind]} ${line.text}\n`)));
}
