(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  /* include node-errors.js */
  const ERRNO = { Z_NEED_DICT: 2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5 };
  const constants = Object.freeze({
    Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3,
    Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
    Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  });

  // Node's checkRangesOrGetDefault: undefined and NaN take the default.
  const ranged = (value, name, lower, upper, fallback) => {
    if (value === undefined || Number.isNaN(value)) return fallback;
    if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
    if (!Number.isFinite(value)) throw outOfRange(name, 'a finite number', value);
    if (value < lower || value > upper) throw outOfRange(name, `>= ${lower} and <= ${upper}`, value);
    return Math.trunc(value);
  };
  // Unlike Node's 4 GiB, output is capped at 256 MiB unless asked: a plugin's zip bomb
  // would otherwise take the server's memory.
  const settings = (options) => {
    const given = options !== null && typeof options === 'object' ? options : {};
    return [
      ranged(given.level, 'options.level', -1, 9, -1),
      ranged(given.maxOutputLength, 'options.maxOutputLength', 1, 4294967296, 256 * 1024 * 1024),
    ];
  };
  const input = (buffer) => {
    if (typeof buffer === 'string') return buffer;
    if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
    return undefined;
  };
  const syncInput = (buffer) => {
    const data = input(buffer);
    if (data !== undefined) return data;
    throw invalidArgType('buffer',
      'of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer', buffer);
  };
  // Node's callback forms write the input to a stream: nothing is empty input, and the
  // error for a wrong type names a chunk.
  const asyncInput = (buffer) => {
    const data = buffer === null || buffer === undefined ? '' : input(buffer);
    if (data !== undefined) return data;
    throw invalidArgType('chunk', 'of type string or an instance of Buffer, TypedArray, or DataView', buffer);
  };
  const toBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The Swift side names its failure by Node's code; this makes Node's error of it.
  const nodeFailure = (error) => {
    if (error && error.name === 'ERR_BUFFER_TOO_LARGE') return nodeError(RangeError, error.name, error.message);
    if (error && Object.prototype.hasOwnProperty.call(ERRNO, error.name)) {
      return Object.assign(new Error(error.message), { errno: ERRNO[error.name], code: error.name });
    }
    return error;
  };

  const exports = { constants };
  for (const operation of ['gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip']) {
    exports[`${operation}Sync`] = (buffer, options) => {
      const [level, maxOutputLength] = settings(options);
      const data = syncInput(buffer);
      try {
        return toBuffer(native.zlibSync(operation, data, level, maxOutputLength));
      } catch (error) {
        throw nodeFailure(error);
      }
    };
    // The work runs off the script thread; the callback comes from a settled promise.
    exports[operation] = (buffer, options, callback) => {
      if (typeof options === 'function') {
        callback = options;
        options = {};
      }
      if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      const [level, maxOutputLength] = settings(options);
      native.zlibAsync(operation, asyncInput(buffer), level, maxOutputLength).then(
        (bytes) => callback(null, toBuffer(bytes)),
        (error) => callback(nodeFailure(error)));
    };
  }
  return Object.freeze(exports);
}
