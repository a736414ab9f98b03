(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  const { URL } = require('url');

  // Node's http.STATUS_CODES, for the statusText of a Response made by hand.
  const STATUS_CODES = {
    100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created',
    202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content', 205: 'Reset Content',
    206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used', 300: 'Multiple Choices',
    301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 305: 'Use Proxy',
    307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
    402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
    407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required',
    412: 'Precondition Failed', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type',
    416: 'Range Not Satisfiable', 417: 'Expectation Failed', 418: "I'm a Teapot", 421: 'Misdirected Request',
    422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required',
    428: 'Precondition Required', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
    451: 'Unavailable For Legal Reasons', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
    503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
    507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
    511: 'Network Authentication Required',
  };

  class FetchError extends Error {
    constructor(message, type, systemError) {
      super(message);
      this.type = type;
      if (systemError) this.code = this.errno = systemError.code;
    }
  }
  Object.defineProperty(FetchError.prototype, 'name', { value: 'FetchError', writable: true, configurable: true });

  class AbortError extends Error {
    constructor(message) {
      super(message);
      this.type = 'aborted';
    }
  }
  Object.defineProperty(AbortError.prototype, 'name', { value: 'AbortError', writable: true, configurable: true });

  // ---- Headers ----

  const invalidTokenRegex = /[^\^_`a-zA-Z\-0-9!#$%&'*+.|~]/;
  const invalidHeaderCharRegex = /[^\t\x20-\x7e\x80-\xff]/;
  const validateName = (name) => {
    if (invalidTokenRegex.test(name) || name === '') throw new TypeError(`${name} is not a legal HTTP header name`);
  };
  const validateValue = (value) => {
    if (invalidHeaderCharRegex.test(value)) throw new TypeError(`${value} is not a legal HTTP header value`);
  };
  const find = (map, name) => {
    const lower = name.toLowerCase();
    for (const key in map) {
      if (key.toLowerCase() === lower) return key;
    }
    return undefined;
  };

  const MAP = Symbol('map');
  // node-fetch iterates headers sorted by name, lowercased, each with its values joined.
  const headerPairs = (headers, kind) => Object.keys(headers[MAP]).sort().map(
    kind === 'key' ? (k) => k.toLowerCase()
      : kind === 'value' ? (k) => headers[MAP][k].join(', ')
      : (k) => [k.toLowerCase(), headers[MAP][k].join(', ')]);

  const INTERNAL = Symbol('internal');
  const HeadersIteratorPrototype = Object.setPrototypeOf({
    next() {
      const { target, kind, index } = this[INTERNAL];
      const values = headerPairs(target, kind);
      if (index >= values.length) return { value: undefined, done: true };
      this[INTERNAL].index = index + 1;
      return { value: values[index], done: false };
    },
  }, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  Object.defineProperty(HeadersIteratorPrototype, Symbol.toStringTag, { value: 'HeadersIterator', configurable: true });
  const headersIterator = (target, kind) => {
    const iterator = Object.create(HeadersIteratorPrototype);
    iterator[INTERNAL] = { target, kind, index: 0 };
    return iterator;
  };

  class Headers {
    constructor(init = undefined) {
      this[MAP] = Object.create(null);
      if (init instanceof Headers) {
        const raw = init.raw();
        for (const name of Object.keys(raw)) {
          for (const value of raw[name]) this.append(name, value);
        }
        return;
      }
      if (init == null) return;
      if (typeof init !== 'object') throw new TypeError('Provided initializer must be an object');
      const method = init[Symbol.iterator];
      if (method == null) {
        for (const key of Object.keys(init)) this.append(key, init[key]);
        return;
      }
      if (typeof method !== 'function') throw new TypeError('Header pairs must be iterable');
      const pairs = [];
      for (const pair of init) {
        if (typeof pair !== 'object' || pair === null || typeof pair[Symbol.iterator] !== 'function') {
          throw new TypeError('Each header pair must be iterable');
        }
        pairs.push(Array.from(pair));
      }
      for (const pair of pairs) {
        if (pair.length !== 2) throw new TypeError('Each header pair must be a name/value tuple');
        this.append(pair[0], pair[1]);
      }
    }

    get(name) {
      name = `${name}`;
      validateName(name);
      const key = find(this[MAP], name);
      return key === undefined ? null : this[MAP][key].join(', ');
    }

    forEach(callback, thisArg = undefined) {
      let pairs = headerPairs(this);
      for (let i = 0; i < pairs.length; i++) {
        const [name, value] = pairs[i];
        callback.call(thisArg, value, name, this);
        pairs = headerPairs(this);
      }
    }

    set(name, value) {
      name = `${name}`;
      value = `${value}`;
      validateName(name);
      validateValue(value);
      const key = find(this[MAP], name);
      this[MAP][key !== undefined ? key : name] = [value];
    }

    append(name, value) {
      name = `${name}`;
      value = `${value}`;
      validateName(name);
      validateValue(value);
      const key = find(this[MAP], name);
      if (key !== undefined) this[MAP][key].push(value);
      else this[MAP][name] = [value];
    }

    has(name) {
      name = `${name}`;
      validateName(name);
      return find(this[MAP], name) !== undefined;
    }

    delete(name) {
      name = `${name}`;
      validateName(name);
      const key = find(this[MAP], name);
      if (key !== undefined) delete this[MAP][key];
    }

    raw() {
      return this[MAP];
    }

    keys() {
      return headersIterator(this, 'key');
    }

    values() {
      return headersIterator(this, 'value');
    }

    entries() {
      return headersIterator(this, 'key+value');
    }

    [Symbol.iterator]() {
      return headersIterator(this, 'key+value');
    }
  }
  Object.defineProperty(Headers.prototype, Symbol.toStringTag, { value: 'Headers', configurable: true });

  // Node's http parser keeps the first of these when repeated, and joins other repeats
  // (set-cookie stays a list); node-fetch then drops what isn't a legal header.
  const singleValued = new Set([
    'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
    'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
    'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
  ]);
  const responseHeaders = (pairs) => {
    const headers = new Headers();
    const map = headers[MAP];
    for (const [name, value] of pairs) {
      if (invalidTokenRegex.test(name) || invalidHeaderCharRegex.test(value)) continue;
      if (!(name in map)) map[name] = [value];
      else if (name === 'set-cookie') map[name].push(value);
      else if (!singleValued.has(name)) map[name][0] += (name === 'cookie' ? '; ' : ', ') + value;
    }
    return headers;
  };

  // ---- Body ----

  const BODY = Symbol('Body internals');
  const isURLSearchParams = (object) => typeof object === 'object' && object !== null &&
    typeof object.append === 'function' && typeof object.delete === 'function' &&
    typeof object.get === 'function' && typeof object.getAll === 'function' &&
    typeof object.has === 'function' && typeof object.set === 'function' &&
    (object.constructor.name === 'URLSearchParams' ||
      Object.prototype.toString.call(object) === '[object URLSearchParams]' || typeof object.sort === 'function');

  const toBuffer = (body) => {
    if (body == null) return null;
    if (isURLSearchParams(body)) return Buffer.from(body.toString());
    if (Buffer.isBuffer(body)) return body;
    if (Object.prototype.toString.call(body) === '[object ArrayBuffer]') return Buffer.from(body);
    if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return Buffer.from(String(body));
  };

  const extractContentType = (body) => {
    if (body === null) return null;
    if (typeof body === 'string') return 'text/plain;charset=UTF-8';
    if (isURLSearchParams(body)) return 'application/x-www-form-urlencoded;charset=UTF-8';
    if (Buffer.isBuffer(body) || Object.prototype.toString.call(body) === '[object ArrayBuffer]' || ArrayBuffer.isView(body)) {
      return null;
    }
    return 'text/plain;charset=UTF-8';
  };

  const initBody = (target, body, { size = 0, timeout = 0 } = {}) => {
    target[BODY] = { body: toBuffer(body), disturbed: false };
    target.size = size;
    target.timeout = timeout;
  };

  const consumeBody = (target) => {
    if (target[BODY].disturbed) return Promise.reject(new TypeError(`body used already for: ${target.url}`));
    target[BODY].disturbed = true;
    return Promise.resolve(target[BODY].body === null ? Buffer.alloc(0) : target[BODY].body);
  };

  const bodyMethods = {
    get body() {
      return this[BODY].body;
    },
    get bodyUsed() {
      return this[BODY].disturbed;
    },
    arrayBuffer() {
      return consumeBody(this).then((buffer) => buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
    },
    json() {
      return consumeBody(this).then((buffer) => {
        try {
          return JSON.parse(buffer.toString());
        } catch (error) {
          throw new FetchError(`invalid json response body at ${this.url} reason: ${error.message}`, 'invalid-json');
        }
      });
    },
    text() {
      return consumeBody(this).then((buffer) => buffer.toString());
    },
    buffer() {
      return consumeBody(this);
    },
  };
  const mixInBody = (Class) => {
    for (const name of Object.getOwnPropertyNames(bodyMethods)) {
      Object.defineProperty(Class.prototype, name, { ...Object.getOwnPropertyDescriptor(bodyMethods, name), enumerable: true });
    }
  };
  const cloneBody = (instance) => {
    if (instance.bodyUsed) throw new Error('cannot clone body after it is used');
    return instance[BODY].body;
  };

  // ---- Request ----

  const REQUEST = Symbol('Request internals');
  const isRequest = (input) => typeof input === 'object' && input !== null && typeof input[REQUEST] === 'object';
  const isAbortSignal = (signal) => {
    const proto = signal && typeof signal === 'object' && Object.getPrototypeOf(signal);
    return !!(proto && proto.constructor.name === 'AbortSignal');
  };
  // A relative URL stays unparsed: fetch then refuses it as node-fetch does.
  const parseURL = (text) => /^[a-zA-Z][a-zA-Z\d+\-.]*:/.test(text) ? new URL(text) : { href: text, protocol: null, hostname: null };

  class Request {
    constructor(input, init = {}) {
      let parsedURL;
      // The URL as the plugin gave it, for quill plugin run's mock, which tries it after the normalised one.
      const rawURL = isRequest(input) ? input[REQUEST].rawURL : `${input && input.href ? input.href : input}`;
      if (!isRequest(input)) {
        parsedURL = parseURL(input && input.href ? input.href : `${input}`);
        input = {};
      } else {
        parsedURL = parseURL(input.url);
      }
      const method = `${init.method || input.method || 'GET'}`.toUpperCase();
      if ((init.body != null || (isRequest(input) && input.body !== null)) && (method === 'GET' || method === 'HEAD')) {
        throw new TypeError('Request with GET/HEAD method cannot have body');
      }
      const inputBody = init.body != null ? init.body : isRequest(input) && input.body !== null ? cloneBody(input) : null;
      initBody(this, inputBody, { timeout: init.timeout || input.timeout || 0, size: init.size || input.size || 0 });
      const headers = new Headers(init.headers || input.headers || {});
      if (inputBody != null && !headers.has('Content-Type')) {
        const contentType = extractContentType(inputBody);
        if (contentType) headers.append('Content-Type', contentType);
      }
      let signal = isRequest(input) ? input.signal : null;
      if ('signal' in init) signal = init.signal;
      if (signal != null && !isAbortSignal(signal)) throw new TypeError('Expected signal to be an instanceof AbortSignal');
      this[REQUEST] = { method, redirect: init.redirect || input.redirect || 'follow', headers, parsedURL, signal, rawURL };
      this.follow = init.follow !== undefined ? init.follow : input.follow !== undefined ? input.follow : 20;
      this.compress = init.compress !== undefined ? init.compress : input.compress !== undefined ? input.compress : true;
      this.counter = init.counter || input.counter || 0;
      this.agent = init.agent || input.agent;
    }

    get method() {
      return this[REQUEST].method;
    }

    get url() {
      return this[REQUEST].parsedURL.href;
    }

    get headers() {
      return this[REQUEST].headers;
    }

    get redirect() {
      return this[REQUEST].redirect;
    }

    get signal() {
      return this[REQUEST].signal;
    }

    clone() {
      return new Request(this);
    }
  }
  mixInBody(Request);
  Object.defineProperty(Request.prototype, Symbol.toStringTag, { value: 'Request', configurable: true });

  // ---- Response ----

  const RESPONSE = Symbol('Response internals');

  class Response {
    constructor(body = null, options = {}) {
      initBody(this, body, options);
      const status = options.status || 200;
      const headers = new Headers(options.headers);
      if (body != null && !headers.has('Content-Type')) {
        const contentType = extractContentType(body);
        if (contentType) headers.append('Content-Type', contentType);
      }
      this[RESPONSE] = {
        url: options.url, status, statusText: options.statusText || STATUS_CODES[status], headers, counter: options.counter,
      };
    }

    get url() {
      return this[RESPONSE].url || '';
    }

    get status() {
      return this[RESPONSE].status;
    }

    get ok() {
      return this[RESPONSE].status >= 200 && this[RESPONSE].status < 300;
    }

    get redirected() {
      return this[RESPONSE].counter > 0;
    }

    get statusText() {
      return this[RESPONSE].statusText;
    }

    get headers() {
      return this[RESPONSE].headers;
    }

    clone() {
      return new Response(cloneBody(this), {
        url: this.url, status: this.status, statusText: this.statusText, headers: this.headers, counter: this[RESPONSE].counter,
      });
    }
  }
  mixInBody(Response);
  Object.defineProperty(Response.prototype, Symbol.toStringTag, { value: 'Response', configurable: true });

  // ---- fetch ----

  // The headers node-fetch adds, and the checks it makes before sending.
  const exchangeOptions = (request) => {
    const { parsedURL } = request[REQUEST];
    const headers = new Headers(request.headers);
    // What the plugin set (and the content type its body implies), before node-fetch's own additions.
    const pluginHeaders = [];
    for (const name of Object.keys(headers[MAP])) {
      for (const value of headers[MAP][name]) pluginHeaders.push([name, value]);
    }
    if (!headers.has('Accept')) headers.set('Accept', '*/*');
    if (!parsedURL.protocol || !parsedURL.hostname) throw new TypeError('Only absolute URLs are supported');
    if (!/^https?:$/.test(parsedURL.protocol)) throw new TypeError('Only HTTP(S) protocols are supported');
    const body = request[BODY].body;
    if (body === null && /^(POST|PUT)$/i.test(request.method)) headers.set('Content-Length', '0');
    if (body !== null) headers.set('Content-Length', String(body.length));
    if (!headers.has('User-Agent')) headers.set('User-Agent', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)');
    if (request.compress && !headers.has('Accept-Encoding')) headers.set('Accept-Encoding', 'gzip,deflate');
    if (!headers.has('Connection') && !request.agent) headers.set('Connection', 'close');
    const pairs = [];
    for (const name of Object.keys(headers[MAP])) {
      for (const value of headers[MAP][name]) pairs.push([name, value]);
    }
    return { headers: pairs, pluginHeaders, body };
  };

  const isRedirect = (code) => code === 301 || code === 302 || code === 303 || code === 307 || code === 308;
  // Credentials go along a redirect only to the same host or a subdomain of it, on the same protocol.
  const keepsCredentials = (from, to) => {
    const original = new URL(to);
    const destination = new URL(from);
    const sameDomain = original.hostname === destination.hostname ||
      (original.hostname[original.hostname.length - destination.hostname.length - 1] === '.' &&
        original.hostname.endsWith(destination.hostname));
    return sameDomain && original.protocol === destination.protocol;
  };

  const fetch = function fetch(url, options) {
    return new Promise((resolve, reject) => {
      const request = new Request(url, options);
      const { headers, pluginHeaders, body } = exchangeOptions(request);
      const { signal } = request;
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settle();
        reject(new AbortError('The user aborted a request.'));
      };
      const settle = () => {
        settled = true;
        if (signal) signal.removeEventListener('abort', onAbort);
      };
      if (signal && signal.aborted) {
        onAbort();
        return;
      }
      if (signal) signal.addEventListener('abort', onAbort);

      const limits = { timeout: Number(request.timeout) || 0, size: Number(request.size) || 0, compress: !!request.compress };
      native.fetch(request.url, request.method, headers, body, limits, pluginHeaders, request[REQUEST].rawURL).then((result) => {
        if (settled) return;
        settle();
        if (result.error) {
          const { name, message, type, code } = result.error;
          reject(name === 'TypeError' ? new TypeError(message) : new FetchError(message, type, code ? { code } : undefined));
          return;
        }
        const responseHeaderList = responseHeaders(result.headers);
        if (isRedirect(result.status)) {
          const location = responseHeaderList.get('Location');
          let locationURL = null;
          try {
            locationURL = location === null ? null : new URL(location, request.url).toString();
          } catch (_) {
            if (request.redirect !== 'manual') {
              reject(new FetchError(`uri requested responds with an invalid redirect URL: ${location}`, 'invalid-redirect'));
              return;
            }
          }
          if (request.redirect === 'error') {
            const message = `uri requested responds with a redirect, redirect mode is set to error: ${request.url}`;
            reject(new FetchError(message, 'no-redirect'));
            return;
          }
          if (request.redirect === 'manual' && locationURL !== null) {
            responseHeaderList.set('Location', locationURL);
          }
          if (request.redirect === 'follow' && locationURL !== null) {
            if (request.counter >= request.follow) {
              reject(new FetchError(`maximum redirect reached at: ${request.url}`, 'max-redirect'));
              return;
            }
            const next = {
              headers: new Headers(request.headers), follow: request.follow, counter: request.counter + 1, agent: request.agent,
              compress: request.compress, method: request.method, body: request[BODY].body, signal: request.signal,
              timeout: request.timeout, size: request.size,
            };
            if (!keepsCredentials(request.url, locationURL)) {
              for (const name of ['authorization', 'www-authenticate', 'cookie', 'cookie2']) next.headers.delete(name);
            }
            if (result.status === 303 || ((result.status === 301 || result.status === 302) && request.method === 'POST')) {
              next.method = 'GET';
              next.body = undefined;
              next.headers.delete('content-length');
            }
            resolve(fetch(new Request(locationURL, next)));
            return;
          }
        }
        const bytes = result.body;
        resolve(new Response(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
          url: request.url, status: result.status, statusText: result.statusText, headers: responseHeaderList,
          size: request.size, timeout: request.timeout, counter: request.counter,
        }));
      }, (error) => {
        if (settled) return;
        settle();
        reject(new FetchError(`request to ${request.url} failed, reason: ${error.message}`, 'system', error));
      });
    });
  };

  fetch.isRedirect = isRedirect;
  fetch.Promise = Promise;
  fetch.default = fetch;
  fetch.Headers = Headers;
  fetch.Request = Request;
  fetch.Response = Response;
  fetch.FetchError = FetchError;
  fetch.AbortError = AbortError;
  Object.defineProperty(fetch, '__esModule', { value: true });
  return fetch;
}
