(require, native) => {
  'use strict';
  const { Buffer } = require('buffer');
  const { URL } = require('url');
  const EventEmitter = require('events');

  // ---- Options, as node-postgres's ConnectionParameters and pg-connection-string read them ----

  const defaults = {
    host: 'localhost', user: undefined, database: undefined, password: null, port: 5432, ssl: false,
    application_name: undefined, statement_timeout: false, lock_timeout: false,
    idle_in_transaction_session_timeout: false, options: undefined, max: 10,
  };

  const parseConnectionString = (text) => {
    if (text.charAt(0) === '/') {
      const [host, database] = text.split(' ');
      return { host, database };
    }
    let source = text;
    if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(source)) source = encodeURI(source).replace(/%25(\d\d)/g, '%$1');
    let url;
    let dummyHost = false;
    try {
      url = new URL(source, 'postgres://base');
    } catch (error) {
      url = new URL(source.replace('@/', '@___DUMMY___/'), 'postgres://base');
      dummyHost = true;
    }
    const config = {};
    for (const [key, value] of url.searchParams.entries()) config[key] = value;
    config.user = config.user || decodeURIComponent(url.username);
    config.password = config.password || decodeURIComponent(url.password);
    const hostname = dummyHost ? '' : url.hostname;
    if (!config.host) config.host = decodeURIComponent(hostname);
    if (!config.port) config.port = url.port;
    const pathname = url.pathname.slice(1) || null;
    config.database = pathname ? decodeURI(pathname) : null;
    if (config.ssl === 'true' || config.ssl === '1') config.ssl = true;
    if (config.ssl === '0') config.ssl = false;
    if (config.sslcert || config.sslkey || config.sslrootcert || config.sslmode) config.ssl = {};
    if (config.sslmode === 'disable') config.ssl = false;
    if (config.sslmode === 'no-verify') config.ssl.rejectUnauthorized = false;
    return config;
  };

  const connectionParameters = (given) => {
    let config = typeof given === 'string' ? parseConnectionString(given) : given || {};
    if (config.connectionString) config = Object.assign({}, config, parseConnectionString(config.connectionString));
    const value = (key) => config[key] || defaults[key];
    let ssl = config.ssl === undefined ? defaults.ssl : config.ssl;
    if (ssl === 'true') ssl = true;
    if (ssl === 'no-verify') ssl = { rejectUnauthorized: false };
    const parameters = [];
    for (const [key, name] of [['application_name', 'application_name'], ['fallback_application_name', 'application_name'],
      ['statement_timeout', 'statement_timeout'], ['lock_timeout', 'lock_timeout'],
      ['idle_in_transaction_session_timeout', 'idle_in_transaction_session_timeout'], ['options', 'options']]) {
      const setting = value(key);
      if (setting !== undefined && setting !== false && !parameters.some(([taken]) => taken === name)) {
        parameters.push([name, String(setting)]);
      }
    }
    const user = value('user');
    return {
      host: String(value('host')),
      port: parseInt(value('port'), 10),
      user: user === undefined ? '' : String(user),
      password: value('password') ?? null,
      database: value('database') ?? null,
      // `ssl: true` or an object asks for TLS, verified unless rejectUnauthorized is false.
      ssl: ssl ? {
        rejectUnauthorized: ssl.rejectUnauthorized !== false,
        ca: ssl.ca === undefined || ssl.ca === null ? null : (Array.isArray(ssl.ca) ? ssl.ca.join('\n') : ssl.ca),
      } : null,
      parameters,
    };
  };

  // ---- Values sent, as node-postgres's prepareValue makes them ----

  const pad = (number, digits) => String(number).padStart(digits, '0');

  const dateToString = (date) => {
    let offset = -date.getTimezoneOffset();
    let year = date.getFullYear();
    const isBCYear = year < 1;
    if (isBCYear) year = Math.abs(year) + 1;
    let text = `${pad(year, 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}T${pad(date.getHours(), 2)}:` +
      `${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
    if (offset < 0) {
      text += '-';
      offset *= -1;
    } else {
      text += '+';
    }
    text += `${pad(Math.floor(offset / 60), 2)}:${pad(offset % 60, 2)}`;
    return isBCYear ? `${text} BC` : text;
  };

  const escapeElement = (text) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

  const arrayString = (values) => {
    const parts = values.map((element) => {
      if (element === null || element === undefined) return 'NULL';
      if (Array.isArray(element)) return arrayString(element);
      if (ArrayBuffer.isView(element)) {
        return `\\\\x${Buffer.from(element.buffer, element.byteOffset, element.byteLength).toString('hex')}`;
      }
      return escapeElement(prepareValue(element));
    });
    return `{${parts.join(',')}}`;
  };

  const prepareValue = (value, seen) => {
    if (value === null || value === undefined) return null;
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (value instanceof Date) return dateToString(value);
    if (Array.isArray(value)) return arrayString(value);
    if (typeof value === 'object') {
      if (typeof value.toPostgres === 'function') {
        const visited = seen || [];
        if (visited.includes(value)) throw new Error(`circular reference detected while preparing "${value}" for query`);
        visited.push(value);
        return prepareValue(value.toPostgres(prepareValue), visited);
      }
      return JSON.stringify(value);
    }
    return value.toString();
  };

  // ---- Values received, as node-postgres's default type parsers leave them ----

  // timestamp and date have no time zone: node-postgres reads their wall clock as local time.
  const localDate = (milliseconds) => {
    if (!Number.isFinite(milliseconds)) return milliseconds;
    const utc = new Date(milliseconds);
    const date = new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(),
      utc.getUTCMinutes(), utc.getUTCSeconds(), utc.getUTCMilliseconds());
    date.setFullYear(utc.getUTCFullYear());
    return date;
  };
  const toBuffer = (value) => (value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value);
  const json = (value) => (typeof value === 'string' ? JSON.parse(value) : value);
  // postgres-interval's fields, each only when not zero: [months, days, microseconds] from Swift.
  const interval = ([months, days, microseconds]) => {
    const fields = {
      years: Math.trunc(months / 12), months: months % 12, days, hours: Math.trunc(microseconds / 3600e6),
      minutes: Math.trunc((microseconds % 3600e6) / 60e6), seconds: Math.trunc((microseconds % 60e6) / 1e6),
      milliseconds: (microseconds % 1e6) / 1000,
    };
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== 0));
  };
  const parsers = {
    17: toBuffer, 114: json, 3802: json, 1082: localDate, 1114: localDate,
    1184: (value) => (Number.isFinite(value) ? new Date(value) : value), 1186: interval,
  };
  const arrayElementTypes = {
    1000: 16, 1001: 17, 1005: 21, 1007: 23, 1016: 20, 1009: 25, 1015: 1043, 1014: 1042, 1021: 700, 1022: 701,
    1231: 1700, 199: 114, 3807: 3802, 1115: 1114, 1185: 1184, 1182: 1082, 2951: 2950,
  };
  const parserFor = (type) => {
    if (arrayElementTypes[type] !== undefined) {
      const element = parserFor(arrayElementTypes[type]);
      const parseArray = (value) => (Array.isArray(value) ? value.map(parseArray) : value === null ? null : element(value));
      return parseArray;
    }
    return parsers[type] || toBuffer;
  };

  // ---- Errors, as node-postgres and Node shape them ----

  class DatabaseError extends Error {
    constructor(message, length, name) {
      super(message);
      this.length = length;
      this.name = name;
    }
  }

  const errorFrom = ({ message, code, server }) => {
    if (server) {
      const error = new DatabaseError(message, undefined, 'error');
      for (const field of ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where',
        'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine']) {
        error[field] = server[field];
      }
      return error;
    }
    const error = new Error(message);
    if (code) error.code = code;
    if (message.startsWith('connect ')) error.syscall = 'connect';
    return error;
  };

  // ---- Client ----

  // A promise, or the same outcome handed to a Node-style callback (then nothing is returned).
  const settle = (promise, callback) => {
    if (typeof callback !== 'function') return promise;
    promise.then((value) => callback(null, value), (error) => callback(error));
    return undefined;
  };

  const resultOf = (answer, rowMode) => {
    const fields = answer.fields.map(([name, dataTypeID]) => ({ name, dataTypeID, format: 'text' }));
    const columnParsers = fields.map((field) => parserFor(field.dataTypeID));
    const rows = answer.rows.map((cells) => {
      const values = cells.map((cell, index) => (cell === null ? null : columnParsers[index](cell)));
      if (rowMode === 'array') return values;
      const row = {};
      fields.forEach((field, index) => {
        row[field.name] = values[index];
      });
      return row;
    });
    return { command: answer.command, rowCount: answer.rowCount, oid: null, rows, fields, rowAsArray: rowMode === 'array' };
  };

  class Client extends EventEmitter {
    #parameters;
    // null until connect(); then a promise of the connection's id.
    #connection = null;
    #ended = false;

    constructor(config) {
      super();
      this.#parameters = connectionParameters(config);
      for (const key of ['user', 'database', 'port', 'host']) this[key] = this.#parameters[key];
      // As node-postgres has it: not enumerable, so logging a client doesn't print the password.
      Object.defineProperty(this, 'password', { value: this.#parameters.password, writable: true, configurable: true });
      this.ssl = this.#parameters.ssl !== null;
    }

    connect(callback) {
      if (this.#connection) {
        const error = new Error('Client has already been connected. You cannot reuse a client.');
        return settle(Promise.reject(error), callback);
      }
      this.#connection = native.pgConnect(this.#parameters).then((answer) => {
        if (answer.error) throw errorFrom(answer.error);
        return answer.id;
      });
      const connected = this.#connection.then(() => {
        this.emit('connect');
        return this;
      });
      return typeof callback === 'function' ? settle(connected, callback) : connected.then(() => undefined);
    }

    query(config, values, callback) {
      if (config === null || config === undefined) throw new TypeError('Client was passed a null or undefined query');
      if (typeof config.submit === 'function') {
        throw new Error("Quill's pg does not run submittable queries (pg-cursor, pg-query-stream): pass text and values");
      }
      const query = typeof config === 'object' ? { ...config } : { text: config };
      if (typeof values === 'function') {
        callback = values;
      } else if (values !== undefined) {
        query.values = values;
      }
      if (typeof query.callback === 'function' && callback === undefined) callback = query.callback;
      // Asked for before end(), a query still runs. Queries and end() go to Swift in the order they were asked for
      // (each waits for the same connection), and run there one at a time in that order.
      const ended = this.#ended;
      const run = async () => {
        if (ended) throw new Error('Client was closed and is not queryable');
        if (!this.#connection) throw new Error('Client has not been connected: call connect() first');
        let id;
        try {
          id = await this.#connection;
        } catch (error) {
          throw new Error('Client has encountered a connection error and is not queryable');
        }
        const text = String(query.text);
        const parameters = (query.values || []).map((value) => prepareValue(value));
        const answer = await native.pgQuery(id, text, parameters);
        if (answer.error) throw errorFrom(answer.error);
        return resultOf(answer, query.rowMode);
      };
      return settle(run(), callback);
    }

    end(callback) {
      const connection = this.#connection;
      const ended = this.#ended;
      this.#ended = true;
      const closing = (async () => {
        if (ended || !connection) return;
        const id = await connection.catch(() => null);
        if (id !== null) await native.pgEnd(id);
        this.emit('end');
      })();
      return settle(closing, callback);
    }

    escapeIdentifier(text) {
      return escapeIdentifier(text);
    }

    escapeLiteral(text) {
      return escapeLiteral(text);
    }
  }

  const escapeIdentifier = (text) => `"${String(text).replace(/"/g, '""')}"`;
  const escapeLiteral = (text) => {
    let hasBackslash = false;
    let escaped = "'";
    for (const character of String(text)) {
      if (character === "'") {
        escaped += "''";
      } else if (character === '\\') {
        escaped += '\\\\';
        hasBackslash = true;
      } else {
        escaped += character;
      }
    }
    escaped += "'";
    return hasBackslash ? ` E${escaped}` : escaped;
  };

  // ---- Pool (pg-pool): up to `max` clients, handed out by connect() and given back by release() ----

  class Pool extends EventEmitter {
    #idle = [];
    #clients = new Set();
    #waiting = [];
    #ending = false;

    constructor(options) {
      super();
      this.options = Object.assign({}, options);
      this.options.max = this.options.max || defaults.max;
      this.ending = false;
      this.ended = false;
    }

    get totalCount() {
      return this.#clients.size;
    }

    get idleCount() {
      return this.#idle.length;
    }

    get waitingCount() {
      return this.#waiting.length;
    }

    get expiredCount() {
      return 0;
    }

    connect(callback) {
      if (this.#ending) return settle(Promise.reject(new Error('Cannot use a pool after calling end on the pool')), callback);
      const acquired = this.#acquire().then((client) => {
        this.emit('acquire', client);
        return client;
      });
      if (typeof callback !== 'function') return acquired;
      acquired.then((client) => callback(null, client, client.release), (error) => callback(error, undefined, () => {}));
      return undefined;
    }

    query(text, values, callback) {
      if (typeof values === 'function') {
        callback = values;
        values = undefined;
      }
      const result = this.connect().then(async (client) => {
        try {
          const answer = await client.query(text, values);
          client.release();
          return answer;
        } catch (error) {
          // pg-pool gives up a client whose query failed.
          client.release(error);
          throw error;
        }
      });
      return settle(result, callback);
    }

    end(callback) {
      if (this.#ending) return settle(Promise.reject(new Error('Called end on pool more than once')), callback);
      this.#ending = true;
      this.ending = true;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('Cannot use a pool after calling end on the pool'));
      const closing = Promise.all([...this.#idle.splice(0)].map((client) => this.#remove(client))).then(() => {
        this.ended = true;
        this.emit('end');
      });
      return settle(closing, callback);
    }

    async #acquire() {
      if (this.#idle.length > 0) return this.#checkOut(this.#idle.pop());
      if (this.#clients.size >= this.options.max) {
        return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
      }
      const client = new Client(this.options);
      this.#clients.add(client);
      try {
        await client.connect();
      } catch (error) {
        this.#clients.delete(client);
        this.#handOnSpareCapacity();
        throw error;
      }
      this.emit('connect', client);
      return this.#checkOut(client);
    }

    // Lends `client` out with a release() good for this loan only.
    #checkOut(client) {
      let released = false;
      client.release = (error) => {
        if (released) throw new Error('Release called on client which has already been released to the pool.');
        released = true;
        this.emit('release', error, client);
        if (error || this.#ending) {
          this.#remove(client);
          this.#handOnSpareCapacity();
          return;
        }
        const waiter = this.#waiting.shift();
        if (waiter) waiter.resolve(this.#checkOut(client));
        else this.#idle.push(client);
      };
      return client;
    }

    // A client went away: a waiting connect() may make a new one in its place.
    #handOnSpareCapacity() {
      const waiter = this.#waiting.shift();
      if (waiter) this.#acquire().then(waiter.resolve, waiter.reject);
    }

    async #remove(client) {
      this.#clients.delete(client);
      await client.end();
      this.emit('remove', client);
    }
  }

  return Object.freeze({
    Client, Pool, DatabaseError, defaults, escapeIdentifier, escapeLiteral,
    // pg-native is never there.
    native: null,
  });
}
