// Turns a case's result into JSON that compares the same in Node and in Quill: bytes as hex,
// and the values JSON can't hold (undefined, NaN, -0, bigint, errors) spelled out.
(function normalize(value, seen = new Set()) {
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  if (value === undefined) return { $undefined: true };
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $number: 'NaN' };
    if (!Number.isFinite(value)) return { $number: String(value) };
    if (Object.is(value, -0)) return { $number: '-0' };
    return value;
  }
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (typeof value === 'function') return { $function: typeof value.name === 'string' ? value.name : '' };
  if (typeof value === 'symbol') return { $symbol: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return { $circular: true };
  seen.add(value);
  try {
    if (Object.prototype.toString.call(value) === '[object Error]') return { $error: value.name, message: value.message };
    if (value instanceof ArrayBuffer) return { $arraybuffer: hex(new Uint8Array(value)) };
    if (ArrayBuffer.isView(value)) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return { $bytes: hex(bytes), $type: value.constructor && value.constructor.name === 'Buffer' ? 'Buffer' : value.constructor.name };
    }
    if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
    if (value instanceof Map) return { $map: Array.from(value, ([k, v]) => [normalize(k, seen), normalize(v, seen)]) };
    if (value instanceof Set) return { $set: Array.from(value, (v) => normalize(v, seen)) };
    if (Array.isArray(value)) return value.map((v) => normalize(v, seen));
    const out = {};
    for (const key of Object.keys(value)) out[key] = normalize(value[key], seen);
    return out;
  } finally {
    seen.delete(value);
  }
})
