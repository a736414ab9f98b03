(require) => {
  'use strict';
  const { TextEncoder, TextDecoder } = require('quill:text-coding');
  const { atob, btoa } = require('quill:web');
  const utf8Encoder = new TextEncoder();
  const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const kMaxLength = 2 ** 32;
  const kStringMaxLength = 2 ** 29 - 24;

  /* include node-errors.js */
  const outOfBounds = (name) =>
    nodeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS',
      name ? `"${name}" is outside of buffer bounds` : 'Attempt to access memory outside buffer bounds');
  const unknownEncoding = (encoding) => nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${encoding}`);

  const validateNumber = (value, name, min, max) => {
    if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
    const bounded = min !== undefined || max !== undefined;
    if (bounded && (value < min || value > max || Number.isNaN(value))) {
      throw outOfRange(name, `>= ${min} && <= ${max}`, value);
    }
  };
  const validateInteger = (value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
    if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
  };
  const validateOffset = (value, name, min = 0, max = kMaxLength) => validateInteger(value, name, min, max);
  const isUint8Array = (value) => value instanceof Uint8Array;
  const isAnyArrayBuffer = (value) =>
    value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer);

  // ---- Encodings: each turns a string into bytes and a range of bytes into a string ----

  const hexDigits = '0123456789abcdef';
  const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // Node reads both alphabets whatever the encoding, skips other characters and stops at '='.
  const sextets = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) {
    sextets[base64Alphabet.charCodeAt(i)] = i;
    sextets[base64urlAlphabet.charCodeAt(i)] = i;
  }
  const hexValue = (code) =>
    code >= 0x30 && code <= 0x39 ? code - 0x30
      : code >= 0x61 && code <= 0x66 ? code - 0x57
      : code >= 0x41 && code <= 0x46 ? code - 0x37
      : -1;

  const fromCodeUnits = (units) => {
    let text = '';
    for (let start = 0; start < units.length; start += 8192) {
      text += String.fromCharCode.apply(null, units.subarray(start, start + 8192));
    }
    return text;
  };

  // Node reads a string's characters as bytes (keeping the low byte) for latin1, ascii, hex and base64.
  const latin1Bytes = (string) => {
    const bytes = new Uint8Array(string.length);
    for (let i = 0; i < string.length; i++) bytes[i] = string.charCodeAt(i);
    return bytes;
  };

  const decodeBase64 = (string) => {
    const bytes = new Uint8Array((string.length * 3) >>> 2);
    let length = 0;
    let bits = 0;
    let count = 0;
    for (let i = 0; i < string.length; i++) {
      const code = string.charCodeAt(i) & 0xff;
      if (code === 0x3d) break;
      const value = sextets[code];
      if (value < 0) continue;
      bits = (bits << 6) | value;
      if (++count === 4) {
        bytes[length++] = bits >> 16;
        bytes[length++] = (bits >> 8) & 0xff;
        bytes[length++] = bits & 0xff;
        bits = count = 0;
      }
    }
    if (count === 2) {
      bytes[length++] = bits >> 4;
    } else if (count === 3) {
      bytes[length++] = bits >> 10;
      bytes[length++] = (bits >> 2) & 0xff;
    }
    return bytes.subarray(0, length);
  };

  const encodeBase64 = (bytes, alphabet, pad) => {
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const triple = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      out += alphabet[triple >> 18] + alphabet[(triple >> 12) & 63];
      if (i + 1 < bytes.length) out += alphabet[(triple >> 6) & 63];
      else if (pad) out += '=';
      if (i + 2 < bytes.length) out += alphabet[triple & 63];
      else if (pad) out += '=';
    }
    return out;
  };

  const base64ByteLength = (string) => {
    let length = string.length;
    if (string.charCodeAt(length - 1) === 0x3d) length--;
    if (length > 1 && string.charCodeAt(length - 1) === 0x3d) length--;
    return (length * 3) >>> 2;
  };

  const encodings = {
    utf8: {
      encode: (string) => utf8Encoder.encode(string),
      decode: (bytes) => utf8Decoder.decode(bytes),
      byteLength: (string) => utf8Encoder.encode(string).length,
    },
    utf16le: {
      encode: (string) => {
        const bytes = new Uint8Array(string.length * 2);
        for (let i = 0; i < string.length; i++) {
          const unit = string.charCodeAt(i);
          bytes[i * 2] = unit & 0xff;
          bytes[i * 2 + 1] = unit >> 8;
        }
        return bytes;
      },
      decode: (bytes) => {
        const units = new Uint16Array(bytes.length >> 1);
        for (let i = 0; i < units.length; i++) units[i] = bytes[i * 2] | (bytes[i * 2 + 1] << 8);
        return fromCodeUnits(units);
      },
      byteLength: (string) => string.length * 2,
      // A partial code unit is never written.
      unit: 2,
    },
    latin1: {
      encode: latin1Bytes,
      decode: (bytes) => fromCodeUnits(bytes),
      byteLength: (string) => string.length,
    },
    ascii: {
      encode: latin1Bytes,
      decode: (bytes) => fromCodeUnits(bytes.map((byte) => byte & 0x7f)),
      byteLength: (string) => string.length,
    },
    base64: {
      encode: decodeBase64,
      decode: (bytes) => encodeBase64(bytes, base64Alphabet, true),
      byteLength: base64ByteLength,
    },
    base64url: {
      encode: decodeBase64,
      decode: (bytes) => encodeBase64(bytes, base64urlAlphabet, false),
      byteLength: base64ByteLength,
    },
    hex: {
      encode: (string) => {
        const bytes = new Uint8Array(string.length >>> 1);
        for (let i = 0; i < bytes.length; i++) {
          const high = hexValue(string.charCodeAt(i * 2) & 0xff);
          const low = hexValue(string.charCodeAt(i * 2 + 1) & 0xff);
          if (high < 0 || low < 0) return bytes.subarray(0, i);
          bytes[i] = (high << 4) | low;
        }
        return bytes;
      },
      decode: (bytes) => {
        let out = '';
        for (let i = 0; i < bytes.length; i++) out += hexDigits[bytes[i] >> 4] + hexDigits[bytes[i] & 15];
        return out;
      },
      byteLength: (string) => string.length >>> 1,
    },
  };

  const encodingNames = {
    utf8: 'utf8', 'utf-8': 'utf8', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le',
    latin1: 'latin1', binary: 'latin1', ascii: 'ascii', base64: 'base64', base64url: 'base64url', hex: 'hex',
  };
  const lookupEncoding = (encoding) => {
    const name = `${encoding}`;
    if (Object.hasOwn(encodingNames, name)) return encodingNames[name];
    return Object.hasOwn(encodingNames, name.toLowerCase()) ? encodingNames[name.toLowerCase()] : undefined;
  };
  const normalizeEncoding = (encoding) =>
    (encoding === undefined || encoding === null || encoding === '' ? 'utf8' : lookupEncoding(encoding));
  // The encoding of an explicit encoding argument: an unknown one is an error.
  const encodingFor = (encoding) => {
    const name = lookupEncoding(encoding);
    if (name === undefined) throw unknownEncoding(encoding);
    return encodings[name];
  };

  // ---- Buffer: a Uint8Array whose prototype adds Node's methods ----

  class FastBuffer extends Uint8Array {}

  // Callable without `new`, as Node's (deprecated) Buffer(arg) is.
  function Buffer(arg, encodingOrOffset, length) {
    if (typeof arg === 'number') {
      if (typeof encodingOrOffset === 'string') throw invalidArgType('string', 'of type string', arg);
      return Buffer.alloc(arg);
    }
    return Buffer.from(arg, encodingOrOffset, length);
  }
  Object.setPrototypeOf(Buffer, Uint8Array);
  Buffer.prototype = FastBuffer.prototype;
  Object.defineProperty(FastBuffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
  Object.defineProperty(Buffer, Symbol.species, { get: () => FastBuffer, configurable: true });
  Buffer.poolSize = 8192;

  const fromBytes = (bytes) => {
    const buffer = new FastBuffer(bytes.length);
    buffer.set(bytes);
    return buffer;
  };

  const fromString = (string, encoding) => {
    const ops = typeof encoding === 'string' && encoding !== '' ? encodingFor(encoding) : encodings.utf8;
    return string.length === 0 ? new FastBuffer() : fromBytes(ops.encode(string));
  };

  const fromArrayBuffer = (arrayBuffer, byteOffset, length) => {
    byteOffset = byteOffset === undefined ? 0 : +byteOffset || 0;
    const maxLength = arrayBuffer.byteLength - byteOffset;
    if (maxLength < 0) throw outOfBounds('offset');
    if (length === undefined) {
      length = maxLength;
    } else {
      length = +length;
      if (length > 0) {
        if (length > maxLength) throw outOfBounds('length');
      } else {
        length = 0;
      }
    }
    return new FastBuffer(arrayBuffer, byteOffset, length);
  };

  const fromArrayLike = (object) => {
    if (object.length <= 0) return new FastBuffer();
    const buffer = new FastBuffer(object.length);
    buffer.set(object);
    return buffer;
  };

  Buffer.from = function from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return fromString(value, encodingOrOffset);
    if (typeof value === 'object' && value !== null) {
      if (isAnyArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
      const valueOf = value.valueOf && value.valueOf();
      if (valueOf != null && valueOf !== value && (typeof valueOf === 'string' || typeof valueOf === 'object')) {
        return from(valueOf, encodingOrOffset, length);
      }
      if (value.length !== undefined || isAnyArrayBuffer(value.buffer)) {
        return typeof value.length !== 'number' ? new FastBuffer() : fromArrayLike(value);
      }
      if (value.type === 'Buffer' && Array.isArray(value.data)) return fromArrayLike(value.data);
      if (typeof value[Symbol.toPrimitive] === 'function') {
        const primitive = value[Symbol.toPrimitive]('string');
        if (typeof primitive === 'string') return fromString(primitive, encodingOrOffset);
      }
    }
    throw invalidArgType(
      'first argument', 'of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object', value);
  };

  Buffer.of = (...items) => fromArrayLike(items);

  Buffer.copyBytesFrom = function copyBytesFrom(view, offset, length) {
    if (!ArrayBuffer.isView(view) || view instanceof DataView) {
      throw invalidArgType('view', 'an instance of TypedArray', view);
    }
    if (view.length === 0) return new FastBuffer();
    if (offset !== undefined || length !== undefined) {
      if (offset !== undefined) {
        validateInteger(offset, 'offset', 0);
        if (offset >= view.length) return new FastBuffer();
      } else {
        offset = 0;
      }
      let end = view.length;
      if (length !== undefined) {
        validateInteger(length, 'length', 0);
        end = offset + length;
      }
      view = view.slice(offset, end);
    }
    return fromBytes(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  };

  Buffer.alloc = function alloc(size, fill, encoding) {
    validateNumber(size, 'size', 0, kMaxLength);
    const buffer = new FastBuffer(size);
    if (fill !== undefined && fill !== 0 && size > 0) fillBuffer(buffer, fill, 0, buffer.length, encoding);
    return buffer;
  };

  // Quill has no pool of uninitialized memory: these are zero-filled too.
  Buffer.allocUnsafe = function allocUnsafe(size) {
    validateNumber(size, 'size', 0, kMaxLength);
    return new FastBuffer(size);
  };
  Buffer.allocUnsafeSlow = Buffer.allocUnsafe;

  Buffer.isBuffer = function isBuffer(value) {
    return value instanceof Buffer;
  };

  Buffer.isEncoding = function isEncoding(encoding) {
    return typeof encoding === 'string' && encoding.length !== 0 && normalizeEncoding(encoding) !== undefined;
  };

  Buffer.byteLength = function byteLength(string, encoding) {
    if (typeof string !== 'string') {
      if (ArrayBuffer.isView(string) || isAnyArrayBuffer(string)) return string.byteLength;
      throw invalidArgType('string', 'of type string or an instance of Buffer or ArrayBuffer', string);
    }
    if (string.length === 0) return 0;
    return encodings[normalizeEncoding(encoding) ?? 'utf8'].byteLength(string);
  };

  const compareBytes = (a, aStart, aEnd, b, bStart, bEnd) => {
    const count = Math.min(aEnd - aStart, bEnd - bStart);
    for (let i = 0; i < count; i++) {
      if (a[aStart + i] !== b[bStart + i]) return a[aStart + i] < b[bStart + i] ? -1 : 1;
    }
    return Math.sign(aEnd - aStart - (bEnd - bStart));
  };

  Buffer.compare = function compare(a, b) {
    if (!isUint8Array(a)) throw invalidArgType('buf1', 'an instance of Buffer or Uint8Array', a);
    if (!isUint8Array(b)) throw invalidArgType('buf2', 'an instance of Buffer or Uint8Array', b);
    return a === b ? 0 : compareBytes(a, 0, a.length, b, 0, b.length);
  };

  Buffer.concat = function concat(list, length) {
    if (!Array.isArray(list)) throw invalidArgType('list', 'an instance of Array', list);
    if (list.length === 0) return new FastBuffer();
    if (length === undefined) {
      length = 0;
      for (const item of list) if (item.length) length += item.length;
    } else {
      validateOffset(length, 'length');
    }
    const buffer = new FastBuffer(length);
    let position = 0;
    list.forEach((item, index) => {
      if (!isUint8Array(item)) throw invalidArgType(`list[${index}]`, 'an instance of Buffer or Uint8Array', item);
      position += copyBytes(item, buffer, position, 0, item.length);
    });
    return buffer;
  };

  const copyBytes = (source, target, targetStart, sourceStart, sourceEnd) => {
    if (sourceEnd - sourceStart > target.length - targetStart) sourceEnd = sourceStart + target.length - targetStart;
    const count = Math.min(sourceEnd - sourceStart, source.length - sourceStart);
    if (count <= 0) return 0;
    target.set(source.subarray(sourceStart, sourceStart + count), targetStart);
    return count;
  };

  const toInteger = (value, fallback) => {
    if (Number.isInteger(value)) return value;
    const number = +value;
    const safe = number >= Number.MIN_SAFE_INTEGER && number <= Number.MAX_SAFE_INTEGER;
    return safe ? Math.floor(number) : fallback;
  };

  const fillBuffer = (buffer, value, offset, end, encoding) => {
    let pattern;
    if (typeof value === 'string') {
      if (offset === undefined || typeof offset === 'string') {
        encoding = offset;
        offset = 0;
        end = buffer.length;
      } else if (typeof end === 'string') {
        encoding = end;
        end = buffer.length;
      }
      if (normalizeEncoding(encoding) === undefined) {
        if (typeof encoding !== 'string') throw invalidArgType('encoding', 'of type string', encoding);
        throw unknownEncoding(encoding);
      }
      pattern = value.length === 0 ? 0 : encodings[normalizeEncoding(encoding)].encode(value);
    } else if (ArrayBuffer.isView(value)) {
      pattern = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    } else {
      pattern = Number(value);
    }
    if (offset === undefined) {
      offset = 0;
      end = buffer.length;
    } else {
      validateOffset(offset, 'offset');
      if (end === undefined) end = buffer.length;
      else validateOffset(end, 'end', 0, buffer.length);
      if (offset >= end) return buffer;
    }
    if (typeof pattern === 'number') {
      Uint8Array.prototype.fill.call(buffer, pattern, offset, end);
    } else if (pattern.length === 0) {
      throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'value' is invalid. Received ${value}`);
    } else {
      for (let i = offset; i < end; i++) buffer[i] = pattern[(i - offset) % pattern.length];
    }
    return buffer;
  };

  // Node's offset rules for indexOf and lastIndexOf: where the search starts, or -1 for none.
  const searchStart = (length, offset, needleLength, forward) => {
    if (offset < 0) {
      if (offset + length >= 0) return length + offset;
      return forward || needleLength === 0 ? 0 : -1;
    }
    if (offset + needleLength <= length) return offset;
    if (needleLength === 0) return length;
    return forward ? -1 : length - 1;
  };

  const indexOf = (buffer, value, byteOffset, encoding, forward) => {
    if (typeof byteOffset === 'string') {
      encoding = byteOffset;
      byteOffset = undefined;
    } else if (byteOffset > 0x7fffffff) {
      byteOffset = 0x7fffffff;
    } else if (byteOffset < -0x80000000) {
      byteOffset = -0x80000000;
    }
    byteOffset = +byteOffset;
    if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buffer.length;
    byteOffset = Math.trunc(byteOffset);
    let needle;
    if (typeof value === 'number') {
      needle = [(value >>> 0) & 0xff];
    } else if (typeof value === 'string') {
      needle = (encoding === undefined ? encodings.utf8 : encodingFor(encoding)).encode(value);
    } else if (isUint8Array(value)) {
      needle = value;
    } else {
      throw invalidArgType('value', 'one of type number or string or an instance of Buffer or Uint8Array', value);
    }
    let start = searchStart(buffer.length, byteOffset, needle.length, forward);
    if (needle.length === 0) return start;
    if (buffer.length === 0 || start < 0) return -1;
    const matchesAt = (position) => {
      for (let j = 0; j < needle.length; j++) if (buffer[position + j] !== needle[j]) return false;
      return true;
    };
    if (forward) {
      for (let i = start; i + needle.length <= buffer.length; i++) if (matchesAt(i)) return i;
    } else {
      for (let i = Math.min(start, buffer.length - needle.length); i >= 0; i--) if (matchesAt(i)) return i;
    }
    return -1;
  };

  const methods = {
    toString(encoding, start, end) {
      if (arguments.length === 0) return utf8Decoder.decode(this);
      const length = this.length;
      if (start <= 0) start = 0;
      else if (start >= length) return '';
      else start = Math.trunc(start) || 0;
      if (end === undefined || end > length) end = length;
      else end = Math.trunc(end) || 0;
      if (end <= start) return '';
      return (encoding === undefined ? encodings.utf8 : encodingFor(encoding)).decode(this.subarray(start, end));
    },

    equals(other) {
      if (!isUint8Array(other)) throw invalidArgType('otherBuffer', 'an instance of Buffer or Uint8Array', other);
      if (this === other) return true;
      return this.byteLength === other.byteLength && compareBytes(this, 0, this.length, other, 0, other.length) === 0;
    },

    compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
      if (!isUint8Array(target)) throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
      if (arguments.length === 1) return compareBytes(this, 0, this.length, target, 0, target.length);
      if (targetStart === undefined) targetStart = 0;
      else validateOffset(targetStart, 'targetStart');
      if (targetEnd === undefined) targetEnd = target.length;
      else validateOffset(targetEnd, 'targetEnd', 0, target.length);
      if (sourceStart === undefined) sourceStart = 0;
      else validateOffset(sourceStart, 'sourceStart');
      if (sourceEnd === undefined) sourceEnd = this.length;
      else validateOffset(sourceEnd, 'sourceEnd', 0, this.length);
      if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
      if (targetStart >= targetEnd) return 1;
      if (sourceStart > this.length) throw outOfRange('sourceStart', `<= ${this.length}`, sourceStart);
      if (targetStart > target.length) throw outOfRange('targetStart', `<= ${target.length}`, targetStart);
      return compareBytes(this, sourceStart, Math.min(sourceEnd, this.length), target, targetStart, targetEnd);
    },

    indexOf(value, byteOffset, encoding) {
      return indexOf(this, value, byteOffset, encoding, true);
    },

    lastIndexOf(value, byteOffset, encoding) {
      return indexOf(this, value, byteOffset, encoding, false);
    },

    includes(value, byteOffset, encoding) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    },

    fill(value, offset, end, encoding) {
      return fillBuffer(this, value, offset, end, encoding);
    },

    write(string, offset, length, encoding) {
      if (typeof string !== 'string') throw invalidArgType('argument', 'of type string', string);
      if (offset === undefined) {
        offset = 0;
        length = this.length;
      } else if (length === undefined && typeof offset === 'string') {
        encoding = offset;
        length = this.length;
        offset = 0;
      } else {
        validateOffset(offset, 'offset', 0, this.length);
        const remaining = this.length - offset;
        if (length === undefined) {
          length = remaining;
        } else if (typeof length === 'string') {
          encoding = length;
          length = remaining;
        } else {
          validateOffset(length, 'length', 0, this.length);
          if (length > remaining) length = remaining;
        }
      }
      const ops = !encoding ? encodings.utf8 : encodingFor(encoding);
      if (ops === encodings.utf8) {
        return utf8Encoder.encodeInto(string, this.subarray(offset, offset + length)).written;
      }
      const bytes = ops.encode(string);
      const count = Math.min(bytes.length, length - (length % (ops.unit ?? 1)));
      this.set(bytes.subarray(0, count), offset);
      return count;
    },

    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    },

    copy(target, targetStart, sourceStart, sourceEnd) {
      if (!isUint8Array(target)) throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
      targetStart = targetStart === undefined ? 0 : toInteger(targetStart, 0);
      if (targetStart < 0) throw outOfRange('targetStart', '>= 0', targetStart);
      sourceStart = sourceStart === undefined ? 0 : toInteger(sourceStart, 0);
      if (sourceStart < 0 || sourceStart > this.length) {
        throw outOfRange('sourceStart', `>= 0 && <= ${this.length}`, sourceStart);
      }
      sourceEnd = sourceEnd === undefined ? this.length : toInteger(sourceEnd, 0);
      if (sourceEnd < 0) throw outOfRange('sourceEnd', '>= 0', sourceEnd);
      if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
      return copyBytes(this, target, targetStart, sourceStart, sourceEnd);
    },

    // Views of the same memory, unlike Uint8Array's slice.
    subarray(start, end) {
      const length = this.length;
      const adjust = (offset) => {
        offset = Math.trunc(offset);
        if (offset === 0 || Number.isNaN(offset)) return 0;
        if (offset < 0) return Math.max(offset + length, 0);
        return Math.min(offset, length);
      };
      const from = adjust(start);
      const to = end === undefined ? length : adjust(end);
      return new FastBuffer(this.buffer, this.byteOffset + from, Math.max(to - from, 0));
    },

    slice(start, end) {
      return this.subarray(start, end);
    },
  };

  for (const [size, name] of [[2, 'swap16'], [4, 'swap32'], [8, 'swap64']]) {
    methods[name] = function () {
      if (this.length % size !== 0) {
        throw nodeError(RangeError, 'ERR_INVALID_BUFFER_SIZE', `Buffer size must be a multiple of ${size * 8}-bits`);
      }
      for (let i = 0; i < this.length; i += size) this.subarray(i, i + size).reverse();
      return this;
    };
  }

  // ---- Reading and writing numbers ----

  const checkBounds = (buffer, offset, byteLength) => {
    validateNumber(offset, 'offset');
    if (buffer[offset] === undefined || buffer[offset + byteLength - 1] === undefined) {
      if (Math.floor(offset) !== offset) throw outOfRange('offset', 'an integer', offset);
      if (buffer.length - byteLength < 0) throw outOfBounds();
      throw outOfRange('offset', `>= 0 and <= ${buffer.length - byteLength}`, offset);
    }
  };
  const checkByteLength = (byteLength) => {
    if (byteLength === undefined) throw invalidArgType('byteLength', 'of type number', byteLength);
    validateNumber(byteLength, 'byteLength');
    if (!Number.isInteger(byteLength)) throw outOfRange('byteLength', 'an integer', byteLength);
    if (byteLength < 1 || byteLength > 6) throw outOfRange('byteLength', '>= 1 and <= 6', byteLength);
  };
  const view = (buffer) => new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);

  const readUnsigned = (buffer, offset, size, littleEndian) => {
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + buffer[offset + (littleEndian ? size - 1 - i : i)];
    return value;
  };
  const writeUnsigned = (buffer, value, offset, size, littleEndian) => {
    // Beyond 32 bits, the high part is written separately, as Node does.
    let low = value;
    let high = Math.floor(value * 2 ** -32);
    for (let i = 0; i < size; i++) {
      const position = offset + (littleEndian ? i : size - 1 - i);
      if (i < 4) {
        buffer[position] = low;
        low = low >>> 8;
      } else {
        buffer[position] = high;
        high = high >>> 8;
      }
    }
    return offset + size;
  };
  const checkValue = (value, min, max, size) => {
    if (value > max || value < min) {
      const range = size > 3
        ? min === 0 ? `>= 0 and < 2 ** ${size * 8}` : `>= -(2 ** ${size * 8 - 1}) and < 2 ** ${size * 8 - 1}`
        : `>= ${min} and <= ${max}`;
      throw outOfRange('value', range, value);
    }
  };

  const defineIntegerMethods = (suffix, size, endians) => {
    for (const endian of endians) {
      const littleEndian = endian !== 'BE';
      const unsignedMax = 2 ** (size * 8) - 1;
      const signedMax = 2 ** (size * 8 - 1) - 1;
      const readU = function (offset = 0) {
        checkBounds(this, offset, size);
        return readUnsigned(this, offset, size, littleEndian);
      };
      const readS = function (offset = 0) {
        checkBounds(this, offset, size);
        const value = readUnsigned(this, offset, size, littleEndian);
        return value > signedMax ? value - unsignedMax - 1 : value;
      };
      const writeU = function (value, offset = 0) {
        checkValue(value, 0, unsignedMax, size);
        checkBounds(this, offset, size);
        return writeUnsigned(this, +value, offset, size, littleEndian);
      };
      const writeS = function (value, offset = 0) {
        checkValue(value, -signedMax - 1, signedMax, size);
        checkBounds(this, offset, size);
        return writeUnsigned(this, +value, offset, size, littleEndian);
      };
      for (const spelling of ['UInt', 'Uint']) {
        methods[`read${spelling}${suffix}${endian}`] = readU;
        methods[`write${spelling}${suffix}${endian}`] = writeU;
      }
      methods[`readInt${suffix}${endian}`] = readS;
      methods[`writeInt${suffix}${endian}`] = writeS;
    }
  };
  defineIntegerMethods('8', 1, ['']);
  defineIntegerMethods('16', 2, ['LE', 'BE']);
  defineIntegerMethods('32', 4, ['LE', 'BE']);

  for (const endian of ['LE', 'BE']) {
    const littleEndian = endian === 'LE';
    const readU = function (offset, byteLength) {
      checkByteLength(byteLength);
      checkBounds(this, offset, byteLength);
      return readUnsigned(this, offset, byteLength, littleEndian);
    };
    const readS = function (offset, byteLength) {
      checkByteLength(byteLength);
      checkBounds(this, offset, byteLength);
      const value = readUnsigned(this, offset, byteLength, littleEndian);
      return value >= 2 ** (byteLength * 8 - 1) ? value - 2 ** (byteLength * 8) : value;
    };
    const writeU = function (value, offset, byteLength) {
      checkByteLength(byteLength);
      checkValue(value, 0, 2 ** (byteLength * 8) - 1, byteLength);
      checkBounds(this, offset, byteLength);
      return writeUnsigned(this, +value, offset, byteLength, littleEndian);
    };
    const writeS = function (value, offset, byteLength) {
      checkByteLength(byteLength);
      checkValue(value, -(2 ** (byteLength * 8 - 1)), 2 ** (byteLength * 8 - 1) - 1, byteLength);
      checkBounds(this, offset, byteLength);
      return writeUnsigned(this, +value, offset, byteLength, littleEndian);
    };
    for (const spelling of ['UInt', 'Uint']) {
      methods[`read${spelling}${endian}`] = readU;
      methods[`write${spelling}${endian}`] = writeU;
    }
    methods[`readInt${endian}`] = readS;
    methods[`writeInt${endian}`] = writeS;

    for (const [kind, size, get, set] of [
      ['Float', 4, 'getFloat32', 'setFloat32'],
      ['Double', 8, 'getFloat64', 'setFloat64'],
      ['BigInt64', 8, 'getBigInt64', 'setBigInt64'],
      ['BigUInt64', 8, 'getBigUint64', 'setBigUint64'],
    ]) {
      const bigint = kind.startsWith('Big');
      const read = function (offset = 0) {
        checkBounds(this, offset, size);
        return view(this)[get](offset, littleEndian);
      };
      const write = function (value, offset = 0) {
        if (bigint) {
          const [min, max] = kind === 'BigInt64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
          if (value > max || value < min) {
            const range = kind === 'BigInt64' ? '>= -(2n ** 63n) and < 2n ** 63n' : '>= 0n and < 2n ** 64n';
            throw outOfRange('value', range, `${value}n`);
          }
        }
        checkBounds(this, offset, size);
        view(this)[set](offset, bigint ? value : +value, littleEndian);
        return offset + size;
      };
      methods[`read${kind}${endian}`] = read;
      methods[`write${kind}${endian}`] = write;
      if (kind === 'BigUInt64') {
        methods[`readBigUint64${endian}`] = read;
        methods[`writeBigUint64${endian}`] = write;
      }
    }
  }

  for (const [name, method] of Object.entries(methods)) {
    Object.defineProperty(Buffer.prototype, name, { value: method, writable: true, configurable: true });
  }
  Buffer.prototype.toLocaleString = Buffer.prototype.toString;

  const isUtf8 = (input) => {
    if (!ArrayBuffer.isView(input) && !isAnyArrayBuffer(input)) {
      throw invalidArgType('input', 'an instance of ArrayBuffer, Buffer, or TypedArray', input);
    }
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
      return true;
    } catch (_) {
      return false;
    }
  };
  const isAscii = (input) => {
    if (!ArrayBuffer.isView(input) && !isAnyArrayBuffer(input)) {
      throw invalidArgType('input', 'an instance of ArrayBuffer, Buffer, or TypedArray', input);
    }
    const bytes = isAnyArrayBuffer(input)
      ? new Uint8Array(input)
      : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    return bytes.every((byte) => byte < 0x80);
  };

  return {
    Buffer, atob, btoa, isUtf8, isAscii, kMaxLength, kStringMaxLength,
    constants: Object.freeze({ MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength }),
  };
}
