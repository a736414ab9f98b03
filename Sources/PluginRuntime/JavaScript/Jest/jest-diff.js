(prettyFormat) => {
  'use strict';
  // jest-diff: a unified line diff of expected (-) and received (+), with Jest's header and 5 lines of context.
  const contextLines = 5;
  // Past this many cells the middle of two texts is shown as replaced whole rather than searched for common lines.
  const largestTable = 16000000;

  // The common subsequence of two line lists as pairs of indexes, compared by `same`.
  const commonLines = (a, b, same) => {
    let start = 0;
    while (start < a.length && start < b.length && same(a[start], b[start])) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && same(a[endA - 1], b[endB - 1])) {
      endA--;
      endB--;
    }
    const pairs = [];
    for (let index = 0; index < start; index++) pairs.push([index, index]);
    const rows = endA - start;
    const columns = endB - start;
    if (rows > 0 && columns > 0 && rows * columns <= largestTable) {
      // Lengths of the longest common suffixes, then walk forward along them.
      const width = columns + 1;
      const lengths = new Uint32Array((rows + 1) * width);
      for (let i = rows - 1; i >= 0; i--) {
        for (let j = columns - 1; j >= 0; j--) {
          lengths[i * width + j] = same(a[start + i], b[start + j])
            ? lengths[(i + 1) * width + j + 1] + 1
            : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1]);
        }
      }
      let i = 0;
      let j = 0;
      while (i < rows && j < columns) {
        if (same(a[start + i], b[start + j])) {
          pairs.push([start + i, start + j]);
          i++;
          j++;
        } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
          i++;
        } else {
          j++;
        }
      }
    }
    for (let offset = 0; offset < a.length - endA; offset++) pairs.push([endA + offset, endB + offset]);
    return pairs;
  };

  // Each line as [kind, text]: ' ' common, '-' only in a, '+' only in b. Common lines show b's text.
  const diffOperations = (a, b, same) => {
    const operations = [];
    let i = 0;
    let j = 0;
    for (const [commonA, commonB] of commonLines(a, b, same)) {
      while (i < commonA) operations.push(['-', a[i++]]);
      while (j < commonB) operations.push(['+', b[j++]]);
      operations.push([' ', b[j]]);
      i++;
      j++;
    }
    while (i < a.length) operations.push(['-', a[i++]]);
    while (j < b.length) operations.push(['+', b[j++]]);
    return operations;
  };

  const printLine = ([kind, text]) => (text === '' ? kind.trimEnd() : `${kind} ${text}`);

  // Jest's header: `- Expected  - 1` / `+ Received  + 1`, labels and counts padded alike.
  const header = (operations, aAnnotation, bAnnotation) => {
    const aCount = String(operations.filter(([kind]) => kind === '-').length);
    const bCount = String(operations.filter(([kind]) => kind === '+').length);
    const labelWidth = Math.max(aAnnotation.length, bAnnotation.length);
    const countWidth = Math.max(aCount.length, bCount.length);
    return `- ${aAnnotation.padEnd(labelWidth)}  - ${aCount.padStart(countWidth)}\n` +
      `+ ${bAnnotation.padEnd(labelWidth)}  + ${bCount.padStart(countWidth)}\n\n`;
  };

  // The changed lines with up to five common lines around them; omitted lines make `@@ -a,n +b,m @@` hunks.
  const printHunks = (operations) => {
    const changed = operations.map(([kind]) => kind !== ' ');
    if (!changed.includes(true)) return operations.map(printLine).join('\n');
    const keep = operations.map((_, index) => {
      for (let offset = -contextLines; offset <= contextLines; offset++) {
        if (changed[index + offset]) return true;
      }
      return false;
    });
    if (keep.every(Boolean)) return operations.map(printLine).join('\n');
    const lines = [];
    let aLine = 0;
    let bLine = 0;
    let index = 0;
    while (index < operations.length) {
      if (!keep[index]) {
        if (operations[index][0] !== '+') aLine++;
        if (operations[index][0] !== '-') bLine++;
        index++;
        continue;
      }
      const hunk = [];
      const aStart = aLine;
      const bStart = bLine;
      while (index < operations.length && keep[index]) {
        if (operations[index][0] !== '+') aLine++;
        if (operations[index][0] !== '-') bLine++;
        hunk.push(printLine(operations[index]));
        index++;
      }
      lines.push(`@@ -${aStart + 1},${aLine - aStart} +${bStart + 1},${bLine - bStart} @@`, ...hunk);
    }
    return lines.join('\n');
  };

  // A diff of two multi-line texts.
  const diffStrings = (a, b, { aAnnotation = 'Expected', bAnnotation = 'Received' } = {}) => {
    const operations = diffOperations(a.split('\n'), b.split('\n'), (x, y) => x === y);
    return header(operations, aAnnotation, bAnnotation) + printHunks(operations);
  };

  // A diff of two values as pretty-format prints them; lines are compared without their indentation, as
  // Jest does, so a value that only moved deeper shows as common.
  const diffValues = (a, b, { aAnnotation = 'Expected', bAnnotation = 'Received', plugins = [] } = {}) => {
    const print = (value) => {
      try {
        return prettyFormat.format(value, { plugins });
      } catch (_) {
        return prettyFormat.format(value, { plugins, callToJSON: false, maxDepth: 10 });
      }
    };
    const operations = diffOperations(print(a).split('\n'), print(b).split('\n'), (x, y) => x.trimStart() === y.trimStart());
    if (!operations.some(([kind]) => kind !== ' ')) return null;
    return header(operations, aAnnotation, bAnnotation) + printHunks(operations);
  };

  return { diffStrings, diffValues };
}
