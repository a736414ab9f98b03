(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  const crypto = require('crypto');
  const fetch = require('node-fetch');

  // ---- Errors, shaped as the SDK's AWS.util.error makes them: the code is also the name ----

  const THROTTLING_CODES = new Set([
    'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
    'ProvisionedThroughputExceededException', 'TransactionInProgressException', 'RequestLimitExceeded',
    'BandwidthLimitExceeded', 'LimitExceededException', 'RequestThrottled', 'SlowDown', 'PriorRequestNotComplete',
    'EC2ThrottledException',
  ]);
  const awsError = (message, fields) => {
    const error = new Error(message === null || message === undefined ? '' : String(message));
    Object.assign(error, fields);
    if (message === null) error.message = null;
    Object.defineProperty(error, 'name', {
      value: String(fields.name || fields.code || 'Error'), writable: true, configurable: true, enumerable: false,
    });
    error.time = new Date();
    return error;
  };
  const responseError = (code, message, statusCode, headers, extra) => {
    const fields = {
      code, statusCode, retryable: statusCode >= 500 || statusCode === 429 || THROTTLING_CODES.has(code),
      requestId: headers.get('x-amz-request-id') || headers.get('x-amzn-requestid') || null, ...extra,
    };
    if (headers.has('x-amz-id-2')) fields.extendedRequestId = headers.get('x-amz-id-2');
    return awsError(message, fields);
  };

  // ---- Configuration: AWS.Credentials, AWS.Endpoint, AWS.Config ----

  class Credentials {
    constructor(accessKeyIdOrOptions, secretAccessKey, sessionToken) {
      const given = accessKeyIdOrOptions !== null && typeof accessKeyIdOrOptions === 'object'
        ? accessKeyIdOrOptions : { accessKeyId: accessKeyIdOrOptions, secretAccessKey, sessionToken };
      this.expired = false;
      this.expireTime = null;
      this.accessKeyId = given.accessKeyId;
      this.secretAccessKey = given.secretAccessKey;
      this.sessionToken = given.sessionToken;
    }
    get(callback) {
      if (typeof callback === 'function') callback(null);
    }
    getPromise() {
      return Promise.resolve();
    }
  }

  // The SDK's: a URL without a scheme takes https (http when sslEnabled is false); the port shows only when not the default.
  class Endpoint {
    constructor(endpoint, config) {
      let text = String(endpoint);
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
        text = `${config && config.sslEnabled === false ? 'http' : 'https'}://${text}`;
      }
      const url = new URL(text);
      this.protocol = url.protocol;
      this.hostname = url.hostname;
      this.port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
      this.host = url.host;
      this.path = url.pathname;
      this.href = url.href;
    }
  }

  // The options a config keeps, as the SDK drops keys it doesn't know; apiVersion, logger and the like change nothing here.
  const CONFIG_KEYS = [
    'credentials', 'region', 'endpoint', 'sslEnabled', 's3ForcePathStyle', 's3BucketEndpoint', 'signatureVersion',
    'maxRetries', 'httpOptions', 'apiVersion', 'computeChecksums', 'logger', 'paramValidation', 'params',
    'retryDelayOptions', 'correctClockSkew', 'useAccelerateEndpoint', 's3UsEast1RegionalEndpoint',
  ];
  // As the SDK's Config: accessKeyId, secretAccessKey and sessionToken given beside the rest become `credentials`.
  const withCredentials = (options) => {
    const given = { ...(options || {}) };
    if (given.accessKeyId !== undefined || given.secretAccessKey !== undefined) {
      given.credentials = new Credentials(given.accessKeyId, given.secretAccessKey, given.sessionToken);
    }
    delete given.accessKeyId;
    delete given.secretAccessKey;
    delete given.sessionToken;
    return given;
  };
  class Config {
    constructor(options) {
      this.credentials = null;
      this.region = undefined;
      this.sslEnabled = true;
      this.s3ForcePathStyle = false;
      this.s3BucketEndpoint = false;
      this.maxRetries = undefined;
      this.httpOptions = { timeout: 120000 };
      this.update(options);
    }
    update(options, allowUnknownKeys) {
      for (const [key, value] of Object.entries(withCredentials(options))) {
        if (allowUnknownKeys || CONFIG_KEYS.includes(key)) this[key] = value;
      }
    }
  }
  const globalConfig = new Config();

  // ---- SigV4, as the SDK's AWS.Signers.V4 ----

  const uriEscape = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const uriEscapePath = (path) => path.split('/').map(uriEscape).join('/');
  const canonicalQuery = (query) => Object.keys(query).sort()
    .map((key) => `${uriEscape(key)}=${uriEscape(query[key] === null || query[key] === undefined ? '' : String(query[key]))}`)
    .join('&');
  const sha256Hex = (data) => crypto.createHash('sha256').update(data).digest('hex');
  const hmac = (key, data, encoding) => crypto.createHmac('sha256', key).update(data, 'utf8').digest(encoding);
  const amzDate = (date) => date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  // Headers the SDK never signs: proxies and clients may change them.
  const UNSIGNABLE_HEADERS = ['authorization', 'content-type', 'content-length', 'user-agent', 'presigned-expires', 'expect', 'x-amzn-trace-id'];

  // The SDK's AWS.HttpRequest: `path` carries the query, which is signed sorted.
  class HttpRequest {
    constructor(endpoint, region) {
      this.endpoint = endpoint instanceof Endpoint ? endpoint : new Endpoint(endpoint);
      this.region = region;
      this.method = 'POST';
      this.path = this.endpoint.path || '/';
      this.headers = {};
      this.body = '';
    }
    pathname() {
      return this.path.split('?', 1)[0];
    }
    search() {
      const query = this.path.split('?', 2)[1];
      if (!query) return '';
      const pairs = {};
      for (const part of query.split('&')) {
        const [key, value] = part.split('=');
        pairs[decodeURIComponent(key)] = value === undefined ? '' : decodeURIComponent(value);
      }
      return canonicalQuery(pairs);
    }
  }

  class V4 {
    constructor(request, serviceName) {
      this.request = request;
      this.serviceName = serviceName;
    }
    addAuthorization(credentials, date) {
      const datetime = amzDate(date);
      this.request.headers['X-Amz-Date'] = datetime;
      if (credentials.sessionToken) this.request.headers['x-amz-security-token'] = credentials.sessionToken;
      this.request.headers.Authorization = this.authorization(credentials, datetime);
    }
    authorization(credentials, datetime) {
      return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${this.credentialString(datetime)}, `
        + `SignedHeaders=${this.signedHeaders()}, Signature=${this.signature(credentials, datetime)}`;
    }
    signature(credentials, datetime) {
      let key = hmac(`AWS4${credentials.secretAccessKey}`, datetime.slice(0, 8));
      for (const part of [this.request.region, this.serviceName, 'aws4_request']) key = hmac(key, part);
      return hmac(key, this.stringToSign(datetime), 'hex');
    }
    stringToSign(datetime) {
      return ['AWS4-HMAC-SHA256', datetime, this.credentialString(datetime), sha256Hex(this.canonicalString())].join('\n');
    }
    canonicalString() {
      // S3 signs its path as sent; other services escape it once more.
      const pathname = this.serviceName === 's3' ? this.request.pathname() : uriEscapePath(this.request.pathname());
      return [
        this.request.method, pathname, this.request.search(), `${this.canonicalHeaders()}\n`, this.signedHeaders(),
        this.request.headers['X-Amz-Content-Sha256'] || sha256Hex(this.request.body || ''),
      ].join('\n');
    }
    signableHeaders() {
      return Object.keys(this.request.headers).filter((name) => !UNSIGNABLE_HEADERS.includes(name.toLowerCase()))
        .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    }
    canonicalHeaders() {
      return this.signableHeaders().map((name) => {
        const value = String(this.request.headers[name]).replace(/\s+/g, ' ').trim();
        return `${name.toLowerCase()}:${value}`;
      }).join('\n');
    }
    signedHeaders() {
      return this.signableHeaders().map((name) => name.toLowerCase()).join(';');
    }
    credentialString(datetime) {
      return [datetime.slice(0, 8), this.request.region, this.serviceName, 'aws4_request'].join('/');
    }
  }

  // ---- AWS.Request: sent when a callback is given, or on `send()` / `promise()` ----

  class Request {
    #start;
    #sent = null;
    constructor(start) {
      this.#start = start;
    }
    promise() {
      if (this.#sent === null) this.#sent = this.#start();
      return this.#sent;
    }
    send(callback) {
      this.promise().then((data) => {
        if (typeof callback === 'function') callback.call(this, null, data);
      }, (error) => {
        if (typeof callback === 'function') callback.call(this, error, null);
      });
    }
  }
  const requireParams = (params, names) => {
    for (const name of names) {
      if (params[name] === undefined || params[name] === null) {
        throw awsError(`Missing required key '${name}' in params`, { code: 'MissingRequiredParameter', retryable: false });
      }
    }
  };

  // ---- A service client: endpoint, credentials, signing, sending and the SDK's retries ----

  class Service {
    constructor(options, serviceName, endpointVariable) {
      this.serviceName = serviceName;
      this.config = new Config(globalConfig);
      this.config.update(options);
      // As the SDKs: an endpoint in the code wins over the service's variable, which wins over AWS_ENDPOINT_URL.
      const overrides = native.awsEndpointOverrides();
      const endpoint = this.config.endpoint || overrides[endpointVariable] || overrides.AWS_ENDPOINT_URL;
      this.endpoint = endpoint ? new Endpoint(endpoint instanceof Endpoint ? endpoint.href : endpoint, this.config)
        : new Endpoint(this.defaultEndpoint(), this.config);
    }

    signingRegion() {
      return this.config.region || 'us-east-1';
    }

    // A client method's request: `params` over the client's bound `params` option, sent with the SDK's retries.
    request(params, callback, operation) {
      const given = { ...(this.config.params || {}), ...(params || {}) };
      const built = new Request(() => this.withRetries(() => operation(given)));
      if (typeof callback === 'function') built.send(callback);
      return built;
    }

    // As the SDK: an error it calls retryable (5xx, 429, throttling, no answer) is tried again up to `maxRetries` times.
    async withRetries(attempt) {
      const maximumRetries = Number.isInteger(this.config.maxRetries) ? this.config.maxRetries : 3;
      for (let retry = 0; ; retry += 1) {
        try {
          return await attempt();
        } catch (error) {
          if (!error.retryable || retry >= maximumRetries) throw error;
        }
        await this.waitBeforeRetry(retry);
      }
    }

    // Sends {method, endpoint, path, query, headers, body} signed; resolves to {statusCode, headers, body} whatever
    // the status, rejects with a NetworkingError when nothing came back.
    async send({ method, endpoint, path, query = {}, headers = {}, body }) {
      const credentials = this.config.credentials;
      if (!credentials || !credentials.accessKeyId || !credentials.secretAccessKey) {
        throw awsError('Missing credentials in config, if using AWS_CONFIG_FILE, set AWS_SDK_LOAD_CONFIG=1',
          { code: 'CredentialsError', retryable: false });
      }
      const search = canonicalQuery(query);
      const httpRequest = new HttpRequest(endpoint, this.signingRegion());
      httpRequest.method = method;
      httpRequest.path = search ? `${path}?${search}` : path;
      httpRequest.body = body === undefined ? '' : body;
      httpRequest.headers = { ...headers, Host: endpoint.host };
      new V4(httpRequest, this.serviceName).addAuthorization(credentials, new Date());
      // The client sets Host itself, to the value signed.
      const { Host, ...sent } = httpRequest.headers;
      let response;
      try {
        response = await fetch(`${endpoint.protocol}//${endpoint.host}${httpRequest.path}`, {
          method, headers: sent, body: method === 'GET' || method === 'HEAD' ? undefined : httpRequest.body,
          compress: false, redirect: 'manual', timeout: (this.config.httpOptions || {}).timeout || 0,
        });
      } catch (error) {
        throw awsError(error.message, {
          code: 'NetworkingError', retryable: true, region: this.config.region, hostname: endpoint.hostname,
        });
      }
      return { statusCode: response.status, headers: response.headers, body: await response.buffer() };
    }

    // The SDK's exponential back-off with full jitter, base 100 ms.
    waitBeforeRetry(retry) {
      const base = (this.config.retryDelayOptions || {}).base || 100;
      return new Promise((resolve) => native.setTimer(Math.random() * (2 ** retry) * base, resolve));
    }
  }

  // ---- S3, over its REST-XML protocol ----

  const decodeXmlText = (text) => text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-f]+|#\d+);/gi, (_, entity) => {
    const named = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity.toLowerCase()];
    if (named !== undefined) return named;
    return String.fromCodePoint(entity[1].toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
  });
  const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
  // S3's answers are simple XML: elements and text, no mixed content worth keeping.
  const parseXml = (text) => {
    const root = { name: '', children: [], text: '' };
    const open = [root];
    const token = /<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([^\s/>]+)[^>]*?(\/?)>|([^<]+)/g;
    for (let match = token.exec(text); match !== null; match = token.exec(text)) {
      const [, cdata, closing, name, selfClosing, characters] = match;
      const current = open[open.length - 1];
      if (cdata !== undefined) current.text += cdata;
      else if (characters !== undefined) current.text += decodeXmlText(characters);
      else if (name !== undefined && closing) {
        if (open.length > 1) open.pop();
      } else if (name !== undefined) {
        const element = { name: name.replace(/^.*:/, ''), children: [], text: '' };
        current.children.push(element);
        if (!selfClosing) open.push(element);
      }
    }
    return root.children[0] || root;
  };
  const childrenNamed = (element, name) => element.children.filter((child) => child.name === name);
  const textOf = (element, name) => {
    const [child] = childrenNamed(element, name);
    return child === undefined ? undefined : child.text;
  };

  // S3's error codes for answers without a body (HEAD has none).
  const S3_STATUS_CODES = { 304: 'NotModified', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound' };
  const s3Error = (answer, region) => {
    const text = answer.body.toString('utf8');
    if (text.trim() === '') {
      return responseError(S3_STATUS_CODES[answer.statusCode] || answer.statusCode, null, answer.statusCode, answer.headers, { region });
    }
    const error = parseXml(text);
    return responseError(textOf(error, 'Code') || answer.statusCode, textOf(error, 'Message') || null,
      answer.statusCode, answer.headers, { region });
  };

  const httpDate = (value) => (value instanceof Date ? value : new Date(value)).toUTCString();
  // putObject's header members: [param, header, how a value is written].
  const PUT_OBJECT_HEADERS = [
    ['ACL', 'x-amz-acl'], ['CacheControl', 'Cache-Control'], ['ContentDisposition', 'Content-Disposition'],
    ['ContentEncoding', 'Content-Encoding'], ['ContentLanguage', 'Content-Language'], ['ContentMD5', 'Content-MD5'],
    ['ContentType', 'Content-Type'], ['Expires', 'Expires', httpDate], ['ServerSideEncryption', 'x-amz-server-side-encryption'],
    ['SSEKMSKeyId', 'x-amz-server-side-encryption-aws-kms-key-id'], ['StorageClass', 'x-amz-storage-class'],
    ['Tagging', 'x-amz-tagging'], ['WebsiteRedirectLocation', 'x-amz-website-redirect-location'],
  ];
  const GET_OBJECT_HEADERS = [
    ['IfMatch', 'If-Match'], ['IfNoneMatch', 'If-None-Match'], ['IfModifiedSince', 'If-Modified-Since', httpDate],
    ['IfUnmodifiedSince', 'If-Unmodified-Since', httpDate], ['Range', 'Range'],
  ];
  // Response headers as getObject and headObject give them: [member, header, how it is read].
  const OBJECT_RESPONSE_HEADERS = [
    ['AcceptRanges', 'accept-ranges'], ['LastModified', 'last-modified', (text) => new Date(text)],
    ['ContentLength', 'content-length', Number], ['ETag', 'etag'], ['VersionId', 'x-amz-version-id'],
    ['CacheControl', 'cache-control'], ['ContentDisposition', 'content-disposition'],
    ['ContentEncoding', 'content-encoding'], ['ContentLanguage', 'content-language'], ['ContentRange', 'content-range'],
    ['ContentType', 'content-type'], ['Expires', 'expires', (text) => new Date(text)],
    ['ServerSideEncryption', 'x-amz-server-side-encryption'],
    ['SSEKMSKeyId', 'x-amz-server-side-encryption-aws-kms-key-id'], ['StorageClass', 'x-amz-storage-class'],
    ['DeleteMarker', 'x-amz-delete-marker', (text) => text === 'true'],
  ];
  const PUT_OBJECT_RESPONSE_HEADERS = [
    ['ETag', 'etag'], ['VersionId', 'x-amz-version-id'], ['ServerSideEncryption', 'x-amz-server-side-encryption'],
    ['SSEKMSKeyId', 'x-amz-server-side-encryption-aws-kms-key-id'],
  ];
  const requestHeaders = (params, table) => {
    const headers = {};
    for (const [member, header, write] of table) {
      if (params[member] !== undefined && params[member] !== null) headers[header] = write ? write(params[member]) : String(params[member]);
    }
    return headers;
  };
  const responseMembers = (headers, table) => {
    const data = {};
    for (const [member, header, read] of table) {
      const value = headers.get(header);
      if (value !== null) data[member] = read ? read(value) : value;
    }
    return data;
  };
  const metadataOf = (headers) => {
    const metadata = {};
    for (const [name, value] of headers.entries()) {
      if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    }
    return metadata;
  };
  const bodyBytes = (body) => {
    if (body === undefined || body === null) return Buffer.alloc(0);
    if (typeof body === 'string') return Buffer.from(body, 'utf8');
    if (Buffer.isBuffer(body)) return body;
    if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (body instanceof ArrayBuffer) return Buffer.from(body);
    throw awsError('Expected a string, Buffer or typed array', { code: 'InvalidParameterType', retryable: false });
  };
  // The SDK's dnsCompatibleBucketName: only such names can be a host name's first label.
  const dnsCompatibleBucketName = (bucket) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)
    && !/(\d+\.){3}\d+/.test(bucket) && !/\.\.|\.-|-\./.test(bucket);
  const isIPAddress = (hostname) => /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');

  class S3 extends Service {
    constructor(options) {
      super(options, 's3', 'AWS_ENDPOINT_URL_S3');
    }

    defaultEndpoint() {
      const region = this.config.region;
      return !region || region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`;
    }

    // Where a bucket's object is: virtual-hosted (bucket.host/key) unless path style is asked for, the name can't be a
    // host label, or the endpoint is an IP address (as the newer SDKs decide; a bucket can't be an address's subdomain).
    location(bucket, key) {
      const escapedKey = key === undefined ? '' : uriEscapePath(String(key));
      const base = this.endpoint.path === '/' ? '' : this.endpoint.path.replace(/\/$/, '');
      if (this.config.s3BucketEndpoint) return { endpoint: this.endpoint, path: `${base}/${escapedKey}` };
      const pathStyle = this.config.s3ForcePathStyle || !dnsCompatibleBucketName(bucket) || isIPAddress(this.endpoint.hostname)
        || (this.endpoint.protocol === 'https:' && bucket.includes('.'));
      if (pathStyle) return { endpoint: this.endpoint, path: `${base}/${uriEscape(bucket)}${key === undefined ? '' : `/${escapedKey}`}` };
      const endpoint = new Endpoint(`${this.endpoint.protocol}//${bucket}.${this.endpoint.host}${base}`);
      return { endpoint, path: `${base}/${escapedKey}` };
    }

    async call(params, required, { method, query, headers = {}, body }) {
      requireParams(params, required);
      const { endpoint, path } = this.location(String(params.Bucket), params.Key);
      const payload = body === undefined ? undefined : bodyBytes(body);
      const sent = { ...headers, 'X-Amz-Content-Sha256': sha256Hex(payload === undefined ? '' : payload) };
      const answer = await this.send({ method, endpoint, path, query, headers: sent, body: payload });
      if (answer.statusCode >= 300) throw s3Error(answer, this.config.region);
      return { answer, endpoint, path };
    }

    createBucket(params, callback) {
      return this.request(params, callback, async (given) => {
        const region = this.config.region;
        const body = region && region !== 'us-east-1'
          ? '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            + `<LocationConstraint>${escapeXml(region)}</LocationConstraint></CreateBucketConfiguration>` : undefined;
        const { answer } = await this.call(given, ['Bucket'], {
          method: 'PUT', headers: requestHeaders(given, [['ACL', 'x-amz-acl']]), body,
        });
        const location = answer.headers.get('location');
        return location === null ? {} : { Location: location };
      });
    }

    putObject(params, callback) {
      return this.request(params, callback, async (given) => {
        const { answer } = await this.call(given, ['Bucket', 'Key'], {
          method: 'PUT', headers: { ...requestHeaders(given, PUT_OBJECT_HEADERS), ...metadataHeaders(given.Metadata) },
          body: given.Body,
        });
        return responseMembers(answer.headers, PUT_OBJECT_RESPONSE_HEADERS);
      });
    }

    // The SDK's ManagedUpload, in one PUT: a body bigger than a part would be refused by fetch's request bound anyway.
    upload(params, options, callback) {
      const done = typeof options === 'function' ? options : callback;
      return this.request(params, done, async (given) => {
        const { answer, endpoint, path } = await this.call(given, ['Bucket', 'Key'], {
          method: 'PUT', headers: { ...requestHeaders(given, PUT_OBJECT_HEADERS), ...metadataHeaders(given.Metadata) },
          body: given.Body,
        });
        return {
          ...responseMembers(answer.headers, PUT_OBJECT_RESPONSE_HEADERS),
          Location: `${endpoint.protocol}//${endpoint.host}${path}`, key: given.Key, Key: given.Key, Bucket: given.Bucket,
        };
      });
    }

    getObject(params, callback) {
      return this.request(params, callback, async (given) => {
        const { answer } = await this.call(given, ['Bucket', 'Key'], {
          method: 'GET', query: given.VersionId === undefined ? {} : { versionId: given.VersionId },
          headers: requestHeaders(given, GET_OBJECT_HEADERS),
        });
        return { ...responseMembers(answer.headers, OBJECT_RESPONSE_HEADERS), Metadata: metadataOf(answer.headers), Body: answer.body };
      });
    }

    headObject(params, callback) {
      return this.request(params, callback, async (given) => {
        const { answer } = await this.call(given, ['Bucket', 'Key'], {
          method: 'HEAD', query: given.VersionId === undefined ? {} : { versionId: given.VersionId },
          headers: requestHeaders(given, GET_OBJECT_HEADERS),
        });
        return { ...responseMembers(answer.headers, OBJECT_RESPONSE_HEADERS), Metadata: metadataOf(answer.headers) };
      });
    }

    deleteObject(params, callback) {
      return this.request(params, callback, async (given) => {
        const { answer } = await this.call(given, ['Bucket', 'Key'], {
          method: 'DELETE', query: given.VersionId === undefined ? {} : { versionId: given.VersionId },
        });
        return responseMembers(answer.headers, [
          ['DeleteMarker', 'x-amz-delete-marker', (text) => text === 'true'], ['VersionId', 'x-amz-version-id'],
        ]);
      });
    }

    listObjectsV2(params, callback) {
      return this.request(params, callback, async (given) => {
        const query = { 'list-type': '2' };
        for (const [member, name] of [
          ['ContinuationToken', 'continuation-token'], ['Delimiter', 'delimiter'], ['EncodingType', 'encoding-type'],
          ['FetchOwner', 'fetch-owner'], ['MaxKeys', 'max-keys'], ['Prefix', 'prefix'], ['StartAfter', 'start-after'],
        ]) {
          if (given[member] !== undefined && given[member] !== null) query[name] = String(given[member]);
        }
        const { answer } = await this.call({ ...given, Key: undefined }, ['Bucket'], { method: 'GET', query });
        const result = parseXml(answer.body.toString('utf8'));
        const data = {
          IsTruncated: textOf(result, 'IsTruncated') === 'true',
          Contents: childrenNamed(result, 'Contents').map((item) => {
            const entry = {
              Key: textOf(item, 'Key'), LastModified: new Date(textOf(item, 'LastModified')), ETag: textOf(item, 'ETag'),
              Size: Number(textOf(item, 'Size')), StorageClass: textOf(item, 'StorageClass'),
            };
            const [owner] = childrenNamed(item, 'Owner');
            if (owner !== undefined) entry.Owner = { DisplayName: textOf(owner, 'DisplayName'), ID: textOf(owner, 'ID') };
            return entry;
          }),
          Name: textOf(result, 'Name'), Prefix: textOf(result, 'Prefix'),
          MaxKeys: Number(textOf(result, 'MaxKeys')),
          CommonPrefixes: childrenNamed(result, 'CommonPrefixes').map((item) => ({ Prefix: textOf(item, 'Prefix') })),
          KeyCount: Number(textOf(result, 'KeyCount')),
        };
        for (const member of ['Delimiter', 'EncodingType', 'ContinuationToken', 'NextContinuationToken', 'StartAfter']) {
          const value = textOf(result, member);
          if (value !== undefined) data[member] = value;
        }
        return data;
      });
    }
  }
  const metadataHeaders = (metadata) => {
    const headers = {};
    for (const [name, value] of Object.entries(metadata || {})) headers[`x-amz-meta-${name}`] = String(value);
    return headers;
  };

  // ---- Kinesis, over the JSON 1.1 protocol ----

  const base64Blob = (value) => bodyBytes(value).toString('base64');
  const dateFromSeconds = (seconds) => new Date(seconds * 1000);
  // What each operation's input and output carry that JSON does not: blobs (base64) and timestamps (epoch seconds).
  const KINESIS_OPERATIONS = {
    createStream: { required: ['StreamName'] },
    deleteStream: { required: ['StreamName'] },
    describeStream: {
      required: ['StreamName'],
      output: (data) => {
        const description = data.StreamDescription;
        if (description && description.StreamCreationTimestamp !== undefined) {
          description.StreamCreationTimestamp = dateFromSeconds(description.StreamCreationTimestamp);
        }
        return data;
      },
    },
    describeStreamSummary: {
      required: ['StreamName'],
      output: (data) => {
        const summary = data.StreamDescriptionSummary;
        if (summary && summary.StreamCreationTimestamp !== undefined) {
          summary.StreamCreationTimestamp = dateFromSeconds(summary.StreamCreationTimestamp);
        }
        return data;
      },
    },
    listStreams: { required: [] },
    listShards: { required: [] },
    putRecord: {
      required: ['Data', 'PartitionKey'],
      input: (params) => ({ ...params, Data: base64Blob(params.Data) }),
    },
    putRecords: {
      required: ['Records'],
      input: (params) => ({ ...params, Records: params.Records.map((record) => ({ ...record, Data: base64Blob(record.Data) })) }),
    },
    getShardIterator: {
      required: ['ShardId', 'ShardIteratorType'],
      input: (params) => (params.Timestamp instanceof Date ? { ...params, Timestamp: params.Timestamp.getTime() / 1000 } : params),
    },
    getRecords: {
      required: ['ShardIterator'],
      output: (data) => {
        for (const record of data.Records || []) {
          record.Data = Buffer.from(record.Data, 'base64');
          if (record.ApproximateArrivalTimestamp !== undefined) {
            record.ApproximateArrivalTimestamp = dateFromSeconds(record.ApproximateArrivalTimestamp);
          }
        }
        return data;
      },
    },
  };

  class Kinesis extends Service {
    constructor(options) {
      super(options, 'kinesis', 'AWS_ENDPOINT_URL_KINESIS');
    }

    defaultEndpoint() {
      return `kinesis.${this.config.region}.amazonaws.com`;
    }

    async call(operation, params) {
      const { required, input, output } = KINESIS_OPERATIONS[operation];
      requireParams(params, required);
      if (!this.config.region && !this.config.endpoint) {
        throw awsError('Missing region in config', { code: 'ConfigError', retryable: false });
      }
      const target = `Kinesis_20131202.${operation[0].toUpperCase()}${operation.slice(1)}`;
      const body = JSON.stringify(input ? input(params) : params);
      const answer = await this.send({
        method: 'POST', endpoint: this.endpoint, path: this.endpoint.path || '/',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target }, body,
      });
      const text = answer.body.toString('utf8');
      if (answer.statusCode >= 300) {
        if (text.trim() === '') throw responseError(answer.statusCode, null, answer.statusCode, answer.headers, { region: this.config.region });
        let problem;
        try {
          problem = JSON.parse(text);
        } catch (_) {
          problem = { message: text };
        }
        const code = String(problem.__type || problem.code || answer.statusCode).split('#').pop();
        throw responseError(code, problem.message || problem.Message || null, answer.statusCode, answer.headers,
          { region: this.config.region });
      }
      const data = text.trim() === '' ? {} : JSON.parse(text);
      return output ? output(data) : data;
    }
  }
  for (const operation of Object.keys(KINESIS_OPERATIONS)) {
    Kinesis.prototype[operation] = function kinesisOperation(params, callback) {
      return this.request(params, callback, (given) => this.call(operation, given));
    };
  }

  return {
    config: globalConfig, Config, Credentials, Endpoint, HttpRequest, Request, S3, Kinesis, Signers: { V4 },
  };
}
