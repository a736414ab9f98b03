(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  /* include node-errors.js */
  const view = (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const toBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const finalized = () => nodeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');

  // A string in UTF-8 goes to Swift as is; other encodings are decoded to bytes here.
  const input = (data, encoding) => {
    if (typeof data === 'string') {
      const name = typeof encoding === 'string' ? encoding.toLowerCase() : 'utf8';
      if (name === 'utf8' || name === 'utf-8' || !Buffer.isEncoding(name)) return data;
      if (name === 'hex' && data.length % 2 !== 0) {
        throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE',
          `The argument 'encoding' is invalid for data of length ${data.length}. Received '${encoding}'`);
      }
      return Buffer.from(data, name);
    }
    if (ArrayBuffer.isView(data)) return view(data);
    throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  };
  const output = (bytes, encoding) => {
    const buffer = toBuffer(bytes);
    return encoding === undefined || encoding === 'buffer' || !Buffer.isEncoding(encoding)
      ? buffer : buffer.toString(encoding);
  };

  class Hash {
    #hasher;
    #finalized = false;
    constructor(algorithm) {
      if (typeof algorithm !== 'string') throw invalidArgType('algorithm', 'of type string', algorithm);
      const hasher = native.cryptoHasher(algorithm);
      if (hasher === null) throw new Error('Digest method not supported');
      this.#hasher = hasher;
    }
    update(data, inputEncoding) {
      if (this.#finalized) throw finalized();
      this.#hasher(input(data, inputEncoding));
      return this;
    }
    digest(outputEncoding) {
      if (this.#finalized) throw finalized();
      this.#finalized = true;
      return output(this.#hasher(), outputEncoding);
    }
  }

  class Hmac {
    #hasher;
    #finalized = false;
    constructor(hmac, key) {
      if (typeof hmac !== 'string') throw invalidArgType('hmac', 'of type string', hmac);
      let keyBytes;
      if (typeof key === 'string') keyBytes = key;
      else if (ArrayBuffer.isView(key)) keyBytes = view(key);
      else if (key instanceof ArrayBuffer) keyBytes = new Uint8Array(key);
      else {
        throw invalidArgType('key',
          'of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey', key);
      }
      const hasher = native.cryptoHasher(hmac, keyBytes);
      if (hasher === null) throw codedError(TypeError, 'ERR_CRYPTO_INVALID_DIGEST', `Invalid digest: ${hmac}`);
      this.#hasher = hasher;
    }
    update(data, inputEncoding) {
      if (this.#finalized) throw finalized();
      this.#hasher(input(data, inputEncoding));
      return this;
    }
    // As Node's: a second digest gives an empty result rather than an error.
    digest(outputEncoding) {
      if (this.#finalized) return output(new Uint8Array(0), outputEncoding);
      this.#finalized = true;
      return output(this.#hasher(), outputEncoding);
    }
  }

  const randomBytes = (size, callback) => {
    if (typeof size !== 'number') throw invalidArgType('size', 'of type number', size);
    if (!(size >= 0 && size <= 2147483647)) throw outOfRange('size', '>= 0 && <= 2147483647', size);
    if (callback !== undefined && typeof callback !== 'function') {
      throw invalidArgType('callback', 'of type function', callback);
    }
    const bytes = toBuffer(native.cryptoRandomBytes(Math.trunc(size)));
    if (callback === undefined) return bytes;
    Promise.resolve().then(() => callback(null, bytes));
  };

  const bufferSource = (value, name) => {
    if (ArrayBuffer.isView(value)) return view(value);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    throw codedError(TypeError, 'ERR_INVALID_ARG_TYPE',
      `The "${name}" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
  };
  const timingSafeEqual = (buf1, buf2) => {
    const a = bufferSource(buf1, 'buf1');
    const b = bufferSource(buf2, 'buf2');
    if (a.byteLength !== b.byteLength) {
      throw codedError(RangeError, 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length');
    }
    return native.cryptoTimingSafeEqual(a, b);
  };

  return Object.freeze({
    createHash: (algorithm) => new Hash(algorithm),
    createHmac: (hmac, key) => new Hmac(hmac, key),
    randomBytes,
    randomUUID: () => native.cryptoRandomUUID(),
    timingSafeEqual,
    getHashes: () => ['md5', 'sha1', 'sha256', 'sha384', 'sha512'],
    Hash,
    Hmac,
  });
}
