() => {
  'use strict';
  /* include node-errors.js */
  /* include utf8-length.js */

  // Builds strings from code units in chunks: String.fromCharCode takes only so many arguments.
  const fromCodeUnits = (units) => {
    let text = '';
    for (let start = 0; start < units.length; start += 8192) {
      text += String.fromCharCode.apply(null, units.subarray(start, start + 8192));
    }
    return text;
  };

  // UTF-8 encoding of a string; lone surrogates become U+FFFD, as in Node.
  const encodeUTF8 = (string, target, limit) => {
    let written = 0;
    let read = 0;
    for (let i = 0; i < string.length; i++) {
      let code = string.charCodeAt(i);
      let units = 1;
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = string.charCodeAt(i + 1);
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          units = 2;
        } else {
          code = 0xfffd;
        }
      }
      const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      if (written + size > limit) break;
      if (size === 1) {
        target[written] = code;
      } else if (size === 2) {
        target[written] = 0xc0 | (code >> 6);
        target[written + 1] = 0x80 | (code & 0x3f);
      } else if (size === 3) {
        target[written] = 0xe0 | (code >> 12);
        target[written + 1] = 0x80 | ((code >> 6) & 0x3f);
        target[written + 2] = 0x80 | (code & 0x3f);
      } else {
        target[written] = 0xf0 | (code >> 18);
        target[written + 1] = 0x80 | ((code >> 12) & 0x3f);
        target[written + 2] = 0x80 | ((code >> 6) & 0x3f);
        target[written + 3] = 0x80 | (code & 0x3f);
      }
      written += size;
      read += units;
      i += units - 1;
    }
    return { read, written };
  };

  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }

    encode(input = '') {
      const string = `${input}`;
      const bytes = new Uint8Array(utf8Length(string));
      encodeUTF8(string, bytes, bytes.length);
      return bytes;
    }

    encodeInto(source, destination) {
      if (typeof source !== 'string') throw invalidArgType('src', 'of type string', source);
      if (!(destination instanceof Uint8Array)) {
        throw invalidArgType('dest', 'an instance of Uint8Array', destination);
      }
      return encodeUTF8(source, destination, destination.length);
    }

    get [Symbol.toStringTag]() {
      return 'TextEncoder';
    }
  }

  // Decoders keep their state between `stream: true` calls, as the WHATWG Encoding Standard's do.
  // Each writes UTF-16 code units into `out` (room for every byte, plus three) and returns how
  // many, with U+FFFD for each error; `out.error` tells whether there was one.
  const utf8Decoder = () => {
    let codePoint = 0;
    let needed = 0;
    let seen = 0;
    let lower = 0x80;
    let upper = 0xbf;
    return (bytes, flush, out) => {
      let length = 0;
      const fail = () => {
        out.error = true;
        out[length++] = 0xfffd;
      };
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i];
        if (needed === 0) {
          if (byte <= 0x7f) {
            out[length++] = byte;
          } else if (byte >= 0xc2 && byte <= 0xdf) {
            needed = 1;
            codePoint = byte & 0x1f;
          } else if (byte >= 0xe0 && byte <= 0xef) {
            if (byte === 0xe0) lower = 0xa0;
            if (byte === 0xed) upper = 0x9f;
            needed = 2;
            codePoint = byte & 0xf;
          } else if (byte >= 0xf0 && byte <= 0xf4) {
            if (byte === 0xf0) lower = 0x90;
            if (byte === 0xf4) upper = 0x8f;
            needed = 3;
            codePoint = byte & 0x7;
          } else {
            fail();
          }
          continue;
        }
        if (byte < lower || byte > upper) {
          codePoint = needed = seen = 0;
          lower = 0x80;
          upper = 0xbf;
          fail();
          i--;
          continue;
        }
        lower = 0x80;
        upper = 0xbf;
        codePoint = (codePoint << 6) | (byte & 0x3f);
        if (++seen === needed) {
          if (codePoint > 0xffff) {
            out[length++] = 0xd800 + ((codePoint - 0x10000) >> 10);
            out[length++] = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
          } else {
            out[length++] = codePoint;
          }
          codePoint = needed = seen = 0;
        }
      }
      if (flush && needed !== 0) {
        codePoint = needed = seen = 0;
        fail();
      }
      return length;
    };
  };

  const utf16Decoder = (littleEndian) => {
    let pendingByte = null;
    let pendingSurrogate = null;
    return (bytes, flush, out) => {
      let length = 0;
      const fail = () => {
        out.error = true;
        out[length++] = 0xfffd;
      };
      for (let i = 0; i < bytes.length; i++) {
        if (pendingByte === null) {
          pendingByte = bytes[i];
          continue;
        }
        const unit = littleEndian ? pendingByte | (bytes[i] << 8) : (pendingByte << 8) | bytes[i];
        pendingByte = null;
        if (pendingSurrogate !== null) {
          const lead = pendingSurrogate;
          pendingSurrogate = null;
          if (unit >= 0xdc00 && unit <= 0xdfff) {
            out[length++] = lead;
            out[length++] = unit;
            continue;
          }
          fail();
        }
        if (unit >= 0xd800 && unit <= 0xdbff) pendingSurrogate = unit;
        else if (unit >= 0xdc00 && unit <= 0xdfff) fail();
        else out[length++] = unit;
      }
      if (flush && (pendingByte !== null || pendingSurrogate !== null)) {
        pendingByte = pendingSurrogate = null;
        fail();
      }
      return length;
    };
  };

  // Node 20 decodes windows-1252 as ISO-8859-1: each byte is its code point.
  const latin1Decoder = () => (bytes, flush, out) => {
    out.set(bytes);
    return bytes.length;
  };

  const decoders = {
    'utf-8': utf8Decoder,
    'utf-16le': () => utf16Decoder(true),
    'utf-16be': () => utf16Decoder(false),
    'windows-1252': latin1Decoder,
  };

  // The WHATWG labels of the encodings above.
  const labels = new Map();
  for (const [encoding, names] of [
    ['utf-8', ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8']],
    ['utf-16le', ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le']],
    ['utf-16be', ['unicodefffe', 'utf-16be']],
    ['windows-1252', [
      'ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100', 'iso8859-1',
      'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252',
    ]],
  ]) {
    for (const name of names) labels.set(name, encoding);
  }

  const checkOptions = (options) => {
    if (options !== null && typeof options !== 'object' && typeof options !== 'function') {
      throw invalidArgType('options', 'of type object', options);
    }
    return options ?? {};
  };

  const viewBytes = (input) => {
    const shared = typeof SharedArrayBuffer === 'function' && input instanceof SharedArrayBuffer;
    if (input instanceof ArrayBuffer || shared) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw invalidArgType('input', 'an instance of SharedArrayBuffer, ArrayBuffer or ArrayBufferView', input);
  };

  class TextDecoder {
    #encoding;
    #fatal;
    #ignoreBOM;
    #decoder;
    #bomChecked = false;

    constructor(label = 'utf-8', options = {}) {
      const name = `${label}`;
      options = checkOptions(options);
      const encoding = labels.get(name) ?? labels.get(name.toLowerCase().replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, ''));
      if (encoding === undefined) {
        throw nodeError(RangeError, 'ERR_ENCODING_NOT_SUPPORTED', `The "${name}" encoding is not supported`);
      }
      this.#encoding = encoding;
      this.#fatal = Boolean(options.fatal);
      this.#ignoreBOM = Boolean(options.ignoreBOM);
      this.#decoder = decoders[encoding]();
    }

    get encoding() {
      return this.#encoding;
    }

    get fatal() {
      return this.#fatal;
    }

    get ignoreBOM() {
      return this.#ignoreBOM;
    }

    decode(input = new Uint8Array(0), options = {}) {
      const bytes = viewBytes(input);
      const stream = Boolean(checkOptions(options).stream);
      const out = new Uint16Array(bytes.length + 3);
      const length = this.#decoder(bytes, !stream, out);
      let start = 0;
      if (!this.#bomChecked && length > 0) {
        this.#bomChecked = true;
        if (!this.#ignoreBOM && out[0] === 0xfeff && this.#encoding !== 'windows-1252') start = 1;
      }
      if (!stream) {
        this.#bomChecked = false;
        this.#decoder = decoders[this.#encoding]();
      }
      if (out.error && this.#fatal) {
        throw nodeError(
          TypeError, 'ERR_ENCODING_INVALID_ENCODED_DATA', `The encoded data was not valid for encoding ${this.#encoding}`);
      }
      return fromCodeUnits(out.subarray(start, length));
    }

    get [Symbol.toStringTag]() {
      return 'TextDecoder';
    }
  }

  return { TextEncoder, TextDecoder };
}
