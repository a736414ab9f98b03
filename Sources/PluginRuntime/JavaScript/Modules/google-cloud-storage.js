(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  const { Writable } = require('stream');
  const { URLSearchParams } = require('url');
  const fetch = require('node-fetch');
  const zlib = require('zlib');

  const DEFAULT_API_ENDPOINT = 'https://storage.googleapis.com';
  const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
  const SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write';
  // google-auth-library takes a new token this long before the old one expires.
  const EAGER_REFRESH_MILLISECONDS = 5 * 60 * 1000;

  // ---- Errors, as @google-cloud/common's ApiError ----

  class ApiError extends Error {
    constructor(errorBody) {
      super();
      this.code = errorBody.code;
      this.errors = errorBody.errors || [];
      this.response = errorBody.response;
      const messages = new Set();
      if (errorBody.message) messages.add(errorBody.message);
      for (const { message } of this.errors) messages.add(message);
      if (messages.size === 0) messages.add('A failure occurred during this request.');
      const list = Array.from(messages);
      this.message = list.length === 1 ? list[0] : [
        'Multiple errors occurred during the request. Please see the `errors` array for complete details.\n',
        ...list.map((message, index) => `    ${index + 1}. ${message}`), '\n',
      ].join('\n');
    }
  }
  Object.defineProperty(ApiError.prototype, 'name', { value: 'ApiError', writable: true, configurable: true });

  // Google's JSON error body when there is one (`{error: {code, message, errors}}`), else the status text.
  const apiError = (response, bytes) => {
    let body = null;
    try {
      body = JSON.parse(bytes.toString());
    } catch (error) {
      // Not JSON (an emulator answers 404 with no body): the status speaks for it.
    }
    const error = body && typeof body.error === 'object' && body.error !== null ? body.error : {};
    return new ApiError({
      code: response.status,
      message: typeof error.message === 'string' ? error.message
        : (typeof body?.error === 'string' ? body.error : response.statusText),
      errors: Array.isArray(error.errors) ? error.errors : [],
      response: { statusCode: response.status, statusMessage: response.statusText, body: bytes.toString() },
    });
  };

  // ---- Endpoints and the service account's access token ----

  // As the library's sanitizeEndpoint, but a bare host:port is http, as Google's Go and Python clients take
  // STORAGE_EMULATOR_HOST: an emulator has no TLS.
  const endpoint = (url, scheme) => (/^\w+:\/\//.test(url) ? url : `${scheme}://${url}`).replace(/\/+$/, '');

  const base64url = (text) => Buffer.from(text).toString('base64url');

  // A JWT signed RS256 with the service account's key, exchanged at its token_uri (RFC 7523) for an access token.
  const requestAccessToken = async (credentials) => {
    if (!credentials) {
      throw new Error('Could not load the default credentials: Quill has no metadata server or key files; '
        + 'pass the service account key JSON as `credentials`.');
    }
    if (!credentials.client_email) throw new Error('The incoming JSON object does not contain a client_email field');
    if (!credentials.private_key) throw new Error('The incoming JSON object does not contain a private_key field');
    const tokenURI = credentials.token_uri || DEFAULT_TOKEN_URI;
    const issuedAt = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT' };
    if (credentials.private_key_id) header.kid = credentials.private_key_id;
    const claims = { iss: credentials.client_email, scope: SCOPE, aud: tokenURI, exp: issuedAt + 3600, iat: issuedAt };
    const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = Buffer.from(native.cryptoSignRSASHA256(credentials.private_key, signed)).toString('base64url');
    const response = await fetch(tokenURI, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: `${signed}.${signature}`,
      }).toString(),
    });
    const bytes = await response.buffer();
    let body = null;
    try {
      body = JSON.parse(bytes.toString());
    } catch (error) {
      // Not JSON: reported below with the status.
    }
    if (!response.ok || typeof body?.access_token !== 'string') {
      const reason = typeof body?.error === 'string'
        ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}`
        : `${response.status} ${response.statusText}`;
      const error = new Error(`The service account's access token was refused by ${tokenURI}: ${reason}`);
      error.code = response.status;
      throw error;
    }
    const lifetime = Number(body.expires_in) > 0 ? Number(body.expires_in) : 3600;
    return { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 };
  };

  const CREDENTIALS = Symbol('credentials');
  const AUTHENTICATES = Symbol('authenticates');
  const TOKEN = Symbol('token');

  // One token per Storage, shared by the requests made while it is fetched, renewed near its expiry.
  const accessToken = (storage) => {
    if (!storage[AUTHENTICATES]) return Promise.resolve(null);
    const cached = storage[TOKEN];
    if (cached && (cached.expiresAt === null || Date.now() < cached.expiresAt - EAGER_REFRESH_MILLISECONDS)) {
      return cached.token;
    }
    const requested = requestAccessToken(storage[CREDENTIALS]);
    const entry = { token: requested.then(({ token }) => token), expiresAt: null };
    storage[TOKEN] = entry;
    requested.then(({ expiresAt }) => {
      entry.expiresAt = expiresAt;
    }, () => {
      if (storage[TOKEN] === entry) storage[TOKEN] = null;
    });
    return entry.token;
  };

  // One JSON API request; resolves to the response and its body, rejects with an ApiError for a status >= 400.
  const request = async (storage, { method = 'GET', path, query = {}, headers = {}, body = null, upload = false }) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) search.append(key, String(value));
    }
    const queryText = search.toString();
    const url = `${storage.apiEndpoint}${upload ? '/upload' : ''}/storage/v1${path}${queryText ? `?${queryText}` : ''}`;
    const token = await accessToken(storage);
    const sent = { ...headers };
    if (token !== null) sent.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { method, headers: sent, body });
    const bytes = await response.buffer();
    if (!response.ok) throw apiError(response, bytes);
    return { response, bytes };
  };

  const json = (bytes) => (bytes.length === 0 ? {} : JSON.parse(bytes.toString()));

  // The library's methods return a promise of an array, or call back `(error, ...results)` when given a callback.
  const settle = (promise, callback) => {
    if (typeof callback !== 'function') return promise;
    promise.then((results) => callback(null, ...(results || [])), (error) => callback(error));
    return undefined;
  };
  // `(options, callback)`, `(callback)` or `()`.
  const optionsAndCallback = (options, callback) => (
    typeof options === 'function' ? [{}, options] : [options || {}, callback]);

  // ---- Storage, Bucket, File ----

  class Storage {
    constructor(options = {}) {
      this.projectId = options.projectId || options.credentials?.project_id;
      let apiEndpoint = DEFAULT_API_ENDPOINT;
      let customEndpoint = false;
      if (typeof native.storageEmulatorHost === 'string' && native.storageEmulatorHost !== '') {
        apiEndpoint = endpoint(native.storageEmulatorHost, 'http');
        customEndpoint = true;
      }
      if (options.apiEndpoint && endpoint(options.apiEndpoint, 'https') !== apiEndpoint) {
        apiEndpoint = endpoint(options.apiEndpoint, 'https');
        customEndpoint = true;
      }
      this.apiEndpoint = apiEndpoint;
      this.customEndpoint = customEndpoint;
      this[CREDENTIALS] = options.credentials || null;
      // As the library: an emulator or other custom endpoint gets no token unless asked for.
      this[AUTHENTICATES] = !customEndpoint || options.useAuthWithCustomEndpoint === true;
      this[TOKEN] = null;
    }

    bucket(name) {
      if (!name) throw new Error('A bucket name is needed to use Cloud Storage.');
      return new Bucket(this, name);
    }
  }

  class Bucket {
    constructor(storage, name) {
      this.storage = storage;
      this.name = String(name).replace(/^gs:\/\//, '').replace(/\/+$/, '');
      this.metadata = {};
    }

    file(name) {
      if (!name) throw new Error('A file name must be specified.');
      return new File(this, name);
    }

    exists(options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      return settle(existence(request(this.storage, { path: `/b/${encodeURIComponent(this.name)}` })), callback);
    }

    // Every page, as the library's autoPaginate.
    getFiles(query, callback) {
      [query, callback] = optionsAndCallback(query, callback);
      const list = async () => {
        const files = [];
        let pageToken;
        do {
          const { bytes } = await request(this.storage, {
            path: `/b/${encodeURIComponent(this.name)}/o`,
            query: {
              prefix: query.prefix, delimiter: query.delimiter, startOffset: query.startOffset,
              endOffset: query.endOffset, matchGlob: query.matchGlob, pageToken,
            },
          });
          const page = json(bytes);
          for (const item of page.items || []) {
            const file = new File(this, item.name);
            file.metadata = item;
            files.push(file);
          }
          pageToken = page.nextPageToken;
        } while (pageToken);
        return [files];
      };
      return settle(list(), callback);
    }
  }

  // [true] for an answer, [false] for a 404.
  const existence = (requested) => requested.then(() => [true], (error) => {
    if (error instanceof ApiError && error.code === 404) return [false];
    throw error;
  });

  // The library's content type guess from the file name, for the types exports write.
  const CONTENT_TYPES = {
    csv: 'text/csv', json: 'application/json', txt: 'text/plain', html: 'text/html', xml: 'application/xml',
    gz: 'application/gzip', zip: 'application/zip', parquet: 'application/vnd.apache.parquet',
  };

  const bytesOf = (data) => {
    if (Buffer.isBuffer(data)) return data;
    if (typeof data === 'string') return Buffer.from(data);
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError('The data to upload must be a string, a Buffer or a Uint8Array.');
  };

  // A media upload when only the content type is set; with other metadata (or gzip's contentEncoding) a multipart
  // one, whose first part carries it.
  const upload = async (file, data, options) => {
    const metadata = { ...options.metadata };
    let bytes = bytesOf(data);
    if (options.contentType) metadata.contentType = options.contentType;
    if (!metadata.contentType) {
      const extension = /\.([^./]+)$/.exec(file.name)?.[1].toLowerCase();
      if (extension && CONTENT_TYPES[extension]) metadata.contentType = CONTENT_TYPES[extension];
    }
    if (options.gzip === true) {
      bytes = zlib.gzipSync(bytes);
      metadata.contentEncoding = 'gzip';
    }
    const contentType = metadata.contentType || 'application/octet-stream';
    const path = `/b/${encodeURIComponent(file.bucket.name)}/o`;
    let sent;
    if (Object.keys(metadata).every((key) => key === 'contentType')) {
      sent = await request(file.storage, {
        method: 'POST', path, upload: true, query: { uploadType: 'media', name: file.name },
        headers: { 'Content-Type': contentType }, body: bytes,
      });
    } else {
      const boundary = `quill-${Buffer.from(native.cryptoRandomBytes(12)).toString('hex')}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n`
          + `${JSON.stringify({ ...metadata, name: file.name, contentType })}\r\n`
          + `--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      sent = await request(file.storage, {
        method: 'POST', path, upload: true, query: { uploadType: 'multipart' },
        headers: { 'Content-Type': `multipart/related; boundary=${boundary}` }, body,
      });
    }
    file.metadata = json(sent.bytes);
  };

  const CHUNKS = Symbol('chunks');

  // A Writable whose chunks are kept and sent as one upload when it ends: 'finish' comes once the object is
  // stored, then 'close'; a failure is its 'error', then 'close'.
  class ObjectWriteStream extends Writable {
    constructor(file, options) {
      super();
      this[CHUNKS] = [];
      this.file = file;
      this.options = options;
    }

    _write(chunk, encoding, callback) {
      this[CHUNKS].push(chunk);
      callback();
    }

    _final(callback) {
      upload(this.file, Buffer.concat(this[CHUNKS]), this.options).then(() => callback(), callback);
    }
  }

  class File {
    constructor(bucket, name) {
      this.bucket = bucket;
      this.storage = bucket.storage;
      this.name = String(name);
      this.metadata = {};
    }

    save(data, options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      return settle(upload(this, data, options).then(() => []), callback);
    }

    // `resumable` and the other transfer options are accepted and ignored: every upload is one request.
    createWriteStream(options = {}) {
      return new ObjectWriteStream(this, options);
    }

    download(options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      if (options.destination) {
        return settle(Promise.reject(new Error('Quill gives plugins no file system: download() without a destination '
          + 'resolves to the contents.')), callback);
      }
      const downloaded = request(this.storage, { path: objectPath(this), query: { alt: 'media' } })
        .then(({ bytes }) => [bytes]);
      return settle(downloaded, callback);
    }

    exists(options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      return settle(existence(request(this.storage, { path: objectPath(this) })), callback);
    }

    getMetadata(options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      const read = request(this.storage, { path: objectPath(this) }).then(({ bytes }) => {
        this.metadata = json(bytes);
        return [this.metadata];
      });
      return settle(read, callback);
    }

    delete(options, callback) {
      [options, callback] = optionsAndCallback(options, callback);
      const deleted = request(this.storage, { method: 'DELETE', path: objectPath(this) }).then(({ response, bytes }) => [
        { statusCode: response.status, body: bytes.toString() },
      ]);
      return settle(deleted, callback);
    }
  }

  const objectPath = (file) => `/b/${encodeURIComponent(file.bucket.name)}/o/${encodeURIComponent(file.name)}`;

  return { Storage, Bucket, File, ApiError };
}
