(prettyFormat) => {
  'use strict';
  // jest-snapshot: `__snapshots__/<file>.snap` files in Jest's format, and inline snapshots written into the test file.
  const header = '// Jest Snapshot v1, https://goo.gl/fbAQLP';
  // Jest 29's snapshot format, then the one older Jest versions wrote (`Object {`, escaped strings): a
  // snapshot a plugin committed with either still matches; new ones are written in the first.
  const currentFormat = { escapeString: false, printBasicPrototype: false };
  const legacyFormat = { escapeString: true, printBasicPrototype: true };

  const normalizeNewlines = (text) => text.replace(/\r\n|\r/g, '\n');
  const addExtraLineBreaks = (text) => (text.includes('\n') ? `\n${text}\n` : text);
  const removeExtraLineBreaks = (text) => (text.length > 2 && text.startsWith('\n') && text.endsWith('\n') ? text.slice(1, -1) : text);
  const printBacktickString = (text) => `\`${text.replace(/`|\\|\${/g, '\\$&')}\``;

  // natural-compare, as Jest sorts a snapshot file's keys: runs of digits compare as numbers.
  const naturalCompare = (a, b) => {
    const chunks = (text) => text.match(/(\d+|\D+)/g) || [];
    const x = chunks(a);
    const y = chunks(b);
    for (let index = 0; index < Math.min(x.length, y.length); index++) {
      if (x[index] === y[index]) continue;
      const numeric = /^\d/.test(x[index]) && /^\d/.test(y[index]);
      if (numeric && Number(x[index]) !== Number(y[index])) return Number(x[index]) - Number(y[index]);
      return x[index] < y[index] ? -1 : 1;
    }
    return x.length - y.length;
  };

  // An inline snapshot as written in the source, less the indentation it was given to line up with the code.
  const stripAddedIndentation = (snapshot) => {
    const match = /^([^\S\n]*)\S/m.exec(snapshot);
    if (!match || !match[1]) return snapshot;
    const indentation = match[1];
    const lines = snapshot.split('\n');
    if (lines.length <= 2 || lines[0].trim() !== '' || lines[lines.length - 1].trim() !== '') return snapshot;
    for (let index = 1; index < lines.length - 1; index++) {
      if (lines[index] === '') continue;
      if (!lines[index].startsWith(indentation)) return snapshot;
      lines[index] = lines[index].slice(indentation.length);
    }
    lines[lines.length - 1] = '';
    return lines.join('\n');
  };

  // Reads a .snap file by running it, as Jest does: it assigns `exports[name] = text`.
  const parseSnapshotFile = (content) => {
    const data = Object.create(null);
    if (content === null) return data;
    new Function('exports', content)(data);
    for (const key of Object.keys(data)) data[key] = normalizeNewlines(String(data[key]));
    return data;
  };

  /**
   * One test file's snapshots.
   * - existing: the .snap file's text, or null.
   * - update: 'new' (write missing ones), 'all' (also rewrite failing ones) or 'none'.
   * - format: the config's snapshotFormat, or null for Jest 29's with older files still matching.
   * - locate(callSite): where a matcher was called in the test file, {line, column}, or null.
   */
  const create = ({ existing, update, format, locate }) => {
    const data = parseSnapshotFile(existing);
    const formats = format ? [{ ...currentFormat, ...format }] : [currentFormat, legacyFormat];
    const serializers = [];
    const counters = new Map();
    const unchecked = new Set(Object.keys(data));
    const inlineEdits = [];
    const counts = { added: 0, updated: 0, matched: 0, unmatched: 0, inlineUnwritable: 0 };
    let dirty = false;

    const serialize = (value, snapshotFormat) => addExtraLineBreaks(normalizeNewlines(prettyFormat.format(value, {
      escapeRegex: true,
      indent: 2,
      printFunctionName: false,
      ...snapshotFormat,
      plugins: [...serializers, prettyFormat.plugins.mockFunction, prettyFormat.plugins.asymmetricMatcher],
    })));

    const write = (key, serialized, inline, callSite) => {
      if (!inline) {
        data[key] = serialized;
        dirty = true;
        return;
      }
      const place = locate(callSite);
      if (place === null) counts.inlineUnwritable++;
      else inlineEdits.push({ ...place, snapshot: serialized });
    };

    const match = ({ testName, received, hint, inline, inlineSnapshot, callSite }) => {
      const name = hint ? `${testName}: ${hint}` : testName;
      const count = (counters.get(name) || 0) + 1;
      counters.set(name, count);
      const key = `${name} ${count}`;
      if (!(inline && data[key] !== undefined)) unchecked.delete(key);
      const candidates = formats.map((snapshotFormat) => serialize(received, snapshotFormat));
      const expected = inline ? (inlineSnapshot === undefined ? undefined : stripAddedIndentation(normalizeNewlines(String(inlineSnapshot)))) : data[key];
      const matching = candidates.find((candidate) => candidate === expected);
      const pass = matching !== undefined;
      const hasSnapshot = expected !== undefined;
      if (pass && !inline) data[key] = matching;
      if ((hasSnapshot && update === 'all') || (!hasSnapshot && update !== 'none')) {
        if (update === 'all' && pass) {
          counts.matched++;
        } else {
          if (hasSnapshot) counts.updated++;
          else counts.added++;
          write(key, candidates[0], inline, callSite);
        }
        return { pass: true, key };
      }
      if (!pass) {
        counts.unmatched++;
        return {
          pass: false, key, actual: removeExtraLineBreaks(candidates[0]),
          expected: expected === undefined ? undefined : removeExtraLineBreaks(expected),
        };
      }
      counts.matched++;
      return { pass: true, key };
    };

    /**
     * After the file's tests: the .snap text to write (`null` to delete the file, `undefined` to leave it) and
     * the counts. `ranEveryTest` says whether unchecked snapshots are obsolete and `update: 'all'` may drop them.
     */
    const finish = (ranEveryTest) => {
      let removed = 0;
      if (update === 'all' && ranEveryTest) {
        for (const key of unchecked) {
          delete data[key];
          removed++;
        }
        if (removed > 0) dirty = true;
      }
      const keys = Object.keys(data).sort(naturalCompare);
      let file;
      if (keys.length === 0) {
        file = existing !== null && dirty ? null : undefined;
      } else if (dirty) {
        file = `${header}\n\n${keys.map((key) => `exports[${printBacktickString(key)}] = ${printBacktickString(data[key])};`).join('\n\n')}\n`;
      }
      return { file, counts: { ...counts, removed, obsolete: ranEveryTest ? unchecked.size - removed : 0 }, inlineEdits };
    };

    return { match, finish, addSerializer: (serializer) => serializers.unshift(serializer) };
  };

  // The first inline snapshot matcher called at or after `line` and `column` (where its `expect(` is), with the
  // indentation of the line it is on.
  const findCall = (source, line, column, names) => {
    let offset = 0;
    for (let current = 1; current < line; current++) {
      offset = source.indexOf('\n', offset) + 1;
      if (offset === 0) return null;
    }
    offset += Math.max(0, column - 1);
    let best = null;
    for (const name of names) {
      const at = source.indexOf(`${name}(`, offset);
      if (at !== -1 && (best === null || at < best.at)) best = { at, name };
    }
    if (best === null) return null;
    const lineStart = source.lastIndexOf('\n', best.at) + 1;
    return { open: best.at + best.name.length, indentation: /^[ \t]*/.exec(source.slice(lineStart))[0] };
  };

  // The end of the JavaScript value starting at `index` (an object literal or a template), or -1.
  const skipValue = (source, index) => {
    const opening = source[index];
    if (opening === '`') {
      for (let at = index + 1; at < source.length; at++) {
        if (source[at] === '\\') at++;
        else if (source[at] === '$' && source[at + 1] === '{') return -1;
        else if (source[at] === '`') return at + 1;
      }
      return -1;
    }
    if (opening !== '{' && opening !== '[') return -1;
    let depth = 0;
    for (let at = index; at < source.length; at++) {
      const character = source[at];
      if (character === '"' || character === "'") {
        for (at++; at < source.length && source[at] !== character; at++) if (source[at] === '\\') at++;
      } else if (character === '`') {
        const end = skipValue(source, at);
        if (end === -1) return -1;
        at = end - 1;
      } else if (character === '{' || character === '[' || character === '(') {
        depth++;
      } else if (character === '}' || character === ']' || character === ')') {
        depth--;
        if (depth === 0) return at + 1;
      }
    }
    return -1;
  };
  const skipSpace = (source, index) => {
    let at = index;
    while (at < source.length && /\s/.test(source[at])) at++;
    return at;
  };

  // Jest's layout of an inline snapshot: its lines one level deeper than the call, the closing backtick level with it.
  const inlineLiteral = (snapshot, indentation) => {
    const lines = snapshot.split('\n');
    if (lines.length === 1) return printBacktickString(snapshot);
    const indented = lines.map((line, index) => {
      if (index === lines.length - 1) return indentation + line;
      return index === 0 || line === '' ? line : `${indentation}  ${line}`;
    });
    return printBacktickString(indented.join('\n'));
  };

  /**
   * Writes inline snapshots into the test file's source. Returns the new source and how many edits could not be
   * placed (a call not found at its line, or a snapshot argument that is not a plain template).
   */
  const applyInlineEdits = (source, edits) => {
    const names = ['toMatchInlineSnapshot', 'toThrowErrorMatchingInlineSnapshot'];
    const replacements = [];
    let unplaced = 0;
    for (const edit of edits) {
      const call = findCall(source, edit.line, edit.column, names);
      if (call === null) {
        unplaced++;
        continue;
      }
      let at = skipSpace(source, call.open + 1);
      let prefix = '';
      if (source[at] === '{') {
        const end = skipValue(source, at);
        if (end === -1) {
          unplaced++;
          continue;
        }
        at = skipSpace(source, end);
        if (source[at] === ',') at = skipSpace(source, at + 1);
        else prefix = ', ';
      }
      const literal = inlineLiteral(edit.snapshot, call.indentation);
      if (source[at] === ')') {
        replacements.push({ start: at, end: at, text: prefix + literal });
      } else if (source[at] === '`') {
        const end = skipValue(source, at);
        if (end === -1) {
          unplaced++;
          continue;
        }
        replacements.push({ start: at, end, text: literal });
      } else {
        unplaced++;
      }
    }
    replacements.sort((a, b) => b.start - a.start);
    let result = source;
    let previousStart = Infinity;
    for (const replacement of replacements) {
      // Two snapshots for one call (a matcher in a loop) can't both be written.
      if (replacement.end > previousStart || replacement.start === previousStart) {
        unplaced++;
        continue;
      }
      result = result.slice(0, replacement.start) + replacement.text + result.slice(replacement.end);
      previousStart = replacement.start;
    }
    return { source: result, unplaced };
  };

  return { create, applyInlineEdits };
}
