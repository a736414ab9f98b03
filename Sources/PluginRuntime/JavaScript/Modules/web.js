(require, native) => {
  'use strict';
  /* include node-errors.js */
  const missingArgument = (name) =>
    nodeError(TypeError, 'ERR_MISSING_ARGS', `The "${name}" argument must be specified`);

  // The legacy names and codes of DOMException, in code order (code = index + 1).
  const legacyNames = [
    ['IndexSizeError', 'INDEX_SIZE_ERR'], ['DOMStringSizeError', 'DOMSTRING_SIZE_ERR'],
    ['HierarchyRequestError', 'HIERARCHY_REQUEST_ERR'], ['WrongDocumentError', 'WRONG_DOCUMENT_ERR'],
    ['InvalidCharacterError', 'INVALID_CHARACTER_ERR'], ['NoDataAllowedError', 'NO_DATA_ALLOWED_ERR'],
    ['NoModificationAllowedError', 'NO_MODIFICATION_ALLOWED_ERR'], ['NotFoundError', 'NOT_FOUND_ERR'],
    ['NotSupportedError', 'NOT_SUPPORTED_ERR'], ['InUseAttributeError', 'INUSE_ATTRIBUTE_ERR'],
    ['InvalidStateError', 'INVALID_STATE_ERR'], ['SyntaxError', 'SYNTAX_ERR'],
    ['InvalidModificationError', 'INVALID_MODIFICATION_ERR'], ['NamespaceError', 'NAMESPACE_ERR'],
    ['InvalidAccessError', 'INVALID_ACCESS_ERR'], ['ValidationError', 'VALIDATION_ERR'],
    ['TypeMismatchError', 'TYPE_MISMATCH_ERR'], ['SecurityError', 'SECURITY_ERR'], ['NetworkError', 'NETWORK_ERR'],
    ['AbortError', 'ABORT_ERR'], ['URLMismatchError', 'URL_MISMATCH_ERR'],
    ['QuotaExceededError', 'QUOTA_EXCEEDED_ERR'], ['TimeoutError', 'TIMEOUT_ERR'],
    ['InvalidNodeTypeError', 'INVALID_NODE_TYPE_ERR'], ['DataCloneError', 'DATA_CLONE_ERR'],
  ];
  // Names the Web IDL spec retired keep code 0.
  const retiredNames = new Set(['DOMStringSizeError', 'NoDataAllowedError', 'ValidationError']);

  class DOMException extends Error {
    #name;
    #message;

    constructor(message = '', options = 'Error') {
      super();
      this.#message = `${message}`;
      if (options !== null && typeof options === 'object') {
        this.#name = `${options.name}`;
        if ('cause' in options) {
          Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
        }
      } else {
        this.#name = `${options}`;
      }
    }

    get name() {
      return this.#name;
    }

    get message() {
      return this.#message;
    }

    get code() {
      const index = legacyNames.findIndex(([name]) => name === this.#name);
      return index < 0 || retiredNames.has(this.#name) ? 0 : index + 1;
    }
  }
  Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException', configurable: true });
  legacyNames.forEach(([, constant], index) => {
    for (const target of [DOMException, DOMException.prototype]) {
      Object.defineProperty(target, constant, { value: index + 1, enumerable: true });
    }
  });

  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const sextets = new Map(Array.from(alphabet, (character, index) => [character, index]));

  const btoa = function btoa(input) {
    if (arguments.length === 0) throw missingArgument('input');
    const text = `${input}`;
    let out = '';
    for (let i = 0; i < text.length; i += 3) {
      const codes = [text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2)];
      if (codes.some((code) => code > 0xff)) throw new DOMException('Invalid character', 'InvalidCharacterError');
      const [a, b, c] = codes.map((code) => (Number.isNaN(code) ? 0 : code));
      const triple = (a << 16) | (b << 8) | c;
      out += alphabet[triple >> 18] + alphabet[(triple >> 12) & 63];
      out += i + 1 < text.length ? alphabet[(triple >> 6) & 63] : '=';
      out += i + 2 < text.length ? alphabet[triple & 63] : '=';
    }
    return out;
  };

  // The forgiving-base64 decode of the HTML standard, with Node's choice of error message.
  const atob = function atob(input) {
    if (arguments.length === 0) throw missingArgument('input');
    const text = `${input}`.replace(/[\t\n\f\r ]/g, '');
    const data = text.replace(/==?$/, '');
    let out = '';
    let bits = 0;
    let bitCount = 0;
    for (const character of data) {
      const value = sextets.get(character);
      if (value === undefined) throw new DOMException('Invalid character', 'InvalidCharacterError');
      bits = ((bits << 6) | value) & 0xffffff;
      bitCount += 6;
      if (bitCount >= 8) {
        bitCount -= 8;
        out += String.fromCharCode((bits >> bitCount) & 0xff);
      }
    }
    if (data.length % 4 === 1) {
      throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    }
    if (data.length !== text.length && text.length % 4 !== 0) {
      throw new DOMException('Invalid character', 'InvalidCharacterError');
    }
    return out;
  };

  const queueMicrotask = function queueMicrotask(callback) {
    if (typeof callback !== 'function') {
      throw invalidArgType('callback', 'of type function', callback);
    }
    Promise.resolve().then(() => callback());
  };

  // structuredClone as V8's serializer does it: own enumerable properties of plain data, with
  // cycles and shared references kept; prototypes other than the built-in ones are not.
  const typedArrays = {
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array,
  };
  // The intrinsic name of a typed array (also of a Buffer), undefined for anything else.
  const typedArrayName = (value) =>
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get.call(value);
  const errorTypes = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  const uncloneable = [Promise, WeakMap, WeakSet, WeakRef, FinalizationRegistry, Symbol];
  const cannotClone = (value) => {
    const shown =
      typeof value === 'object' ? `#<${(value.constructor && value.constructor.name) || 'Object'}>` : String(value);
    return new DOMException(`${shown} could not be cloned.`, 'DataCloneError');
  };

  const cloneValue = (value, memo) => {
    if (typeof value === 'function' || typeof value === 'symbol') throw cannotClone(value);
    if (value === null || typeof value !== 'object') return value;
    if (memo.has(value)) return memo.get(value);
    const remember = (copy) => {
      memo.set(value, copy);
      return copy;
    };
    const cloneEntries = (copy) => {
      for (const key of Object.keys(value)) copy[key] = cloneValue(value[key], memo);
      return copy;
    };
    if (Array.isArray(value)) return cloneEntries(remember(new Array(value.length)));
    if (value instanceof ArrayBuffer) return remember(value.slice(0));
    if (value instanceof DataView) {
      return remember(new DataView(cloneValue(value.buffer, memo), value.byteOffset, value.byteLength));
    }
    if (ArrayBuffer.isView(value)) {
      const buffer = cloneValue(value.buffer, memo);
      return remember(new typedArrays[typedArrayName(value)](buffer, value.byteOffset, value.length));
    }
    if (value instanceof Date) return remember(new Date(value.getTime()));
    if (value instanceof RegExp) return remember(new RegExp(value.source, value.flags));
    if (value instanceof Boolean || value instanceof Number || value instanceof String || value instanceof BigInt) {
      return remember(Object(value.valueOf()));
    }
    if (value instanceof Map) {
      const copy = remember(new Map());
      for (const [key, entry] of value) copy.set(cloneValue(key, memo), cloneValue(entry, memo));
      return copy;
    }
    if (value instanceof Set) {
      const copy = remember(new Set());
      for (const entry of value) copy.add(cloneValue(entry, memo));
      return copy;
    }
    if (value instanceof Error) {
      const name = value.name;
      const copy = remember(new (Object.hasOwn(errorTypes, name) ? errorTypes[name] : Error)());
      const define = (key, property) =>
        Object.defineProperty(copy, key, { value: property, writable: true, configurable: true });
      const message = Object.getOwnPropertyDescriptor(value, 'message');
      if (message) define('message', String(message.value));
      if (typeof value.stack === 'string') define('stack', value.stack);
      if ('cause' in value) define('cause', cloneValue(value.cause, memo));
      return copy;
    }
    if (uncloneable.some((type) => value instanceof type)) throw cannotClone(value);
    return cloneEntries(remember({}));
  };

  const structuredClone = function structuredClone(value, options) {
    if (arguments.length === 0) {
      throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The value argument must be specified');
    }
    if (options !== undefined && options !== null && typeof options !== 'object') {
      throw invalidArgType('options', 'of type object', options);
    }
    const transfer = options && options.transfer !== undefined ? Array.from(options.transfer) : [];
    for (const item of transfer) {
      if (!(item instanceof ArrayBuffer)) {
        throw nodeError(TypeError, 'ERR_INVALID_TRANSFER_OBJECT', 'Found invalid object in transferList');
      }
    }
    const copy = cloneValue(value, new Map());
    // Transferred buffers leave the sender detached, as a transfer does.
    for (const buffer of transfer) buffer.transfer();
    return copy;
  };

  class Crypto {
    getRandomValues(array) {
      if (this !== crypto) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type Crypto');
      if (arguments.length === 0) {
        throw nodeError(TypeError, 'ERR_MISSING_ARGS',
          `Failed to execute 'getRandomValues' on 'Crypto': 1 argument required, but only 0 present.`);
      }
      const kind = typedArrayName(array);
      if (kind === undefined || kind === 'Float32Array' || kind === 'Float64Array') {
        throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
      }
      if (array.byteLength > 65536) {
        throw new DOMException('The requested length exceeds 65,536 bytes', 'QuotaExceededError');
      }
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(native.randomBytes(array.byteLength));
      return array;
    }

    randomUUID() {
      if (this !== crypto) throw nodeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type Crypto');
      const bytes = native.randomBytes(16);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
  Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: 'Crypto', configurable: true });
  const crypto = Object.create(Crypto.prototype);

  return { DOMException, atob, btoa, queueMicrotask, structuredClone, crypto };
}
