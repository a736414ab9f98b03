() => {
  'use strict';
  // Reads esbuild's source map of a test bundle, to show failures at the plugin's own file, line and column.
  const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const digitValues = new Map([...base64].map((character, index) => [character, index]));

  // Each generated line's segments as [generatedColumn, sourceIndex, sourceLine, sourceColumn], all 0-based.
  const decodeMappings = (mappings) => {
    const lines = [];
    let sourceIndex = 0;
    let sourceLine = 0;
    let sourceColumn = 0;
    for (const lineText of mappings.split(';')) {
      const segments = [];
      let generatedColumn = 0;
      for (const segmentText of lineText.split(',')) {
        if (segmentText === '') continue;
        const values = [];
        let value = 0;
        let shift = 0;
        for (const character of segmentText) {
          const digit = digitValues.get(character);
          if (digit === undefined) throw new Error(`Invalid source map character '${character}'`);
          value += (digit & 31) << shift;
          if (digit & 32) {
            shift += 5;
          } else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        generatedColumn += values[0];
        if (values.length >= 4) {
          sourceIndex += values[1];
          sourceLine += values[2];
          sourceColumn += values[3];
          segments.push([generatedColumn, sourceIndex, sourceLine, sourceColumn]);
        }
      }
      lines.push(segments);
    }
    return lines;
  };

  // `map` is the source map's JSON text, its sources already relative to the plugin folder.
  const parse = (map) => {
    const { sources = [], sourcesContent = [], mappings = '' } = JSON.parse(map);
    const lines = decodeMappings(mappings);
    return {
      // 1-based line and column in the bundle → {source, line, column}, 1-based, or null.
      locate(line, column) {
        const segments = lines[line - 1];
        if (!segments || segments.length === 0) return null;
        let found = segments[0];
        for (const segment of segments) {
          if (segment[0] <= column - 1) found = segment;
          else break;
        }
        return { source: sources[found[1]], line: found[2] + 1, column: found[3] + 1 };
      },
      contentOf: (source) => {
        const index = sources.indexOf(source);
        return index < 0 ? null : sourcesContent[index] ?? null;
      },
    };
  };

  // The frames of a stack, in JavaScriptCore's `name@url:line:column` form.
  const frames = (stack) => String(stack || '').split('\n').map((line) => {
    const match = /^(?:(.*)@)?(.+?):(\d+):(\d+)$/.exec(line.trim());
    return match ? { name: match[1] || '', url: match[2], line: Number(match[3]), column: Number(match[4]) } : null;
  }).filter((frame) => frame !== null);

  return { parse, frames };
}
