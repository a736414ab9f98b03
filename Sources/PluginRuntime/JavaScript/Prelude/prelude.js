(function installQuill(host) {
  'use strict';
  const global = globalThis;
  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

  class RetryError extends Error {
    constructor(message) {
      super(message);
      this.name = 'RetryError';
    }
    toString() {
      return this._attempt
        ? `RetryError (attempt ${this._attempt}/${this._maxAttempts}): ${this.message}`
        : `RetryError: ${this.message}`;
    }
  }

  /* include log-format.js */
  const consoleObject = {};
  for (const [method, type] of [['debug', 'DEBUG'], ['log', 'LOG'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR']]) {
    consoleObject[method] = (...args) => {
      // Cut here, so a huge line is never copied out of JavaScript; the host adds the marker.
      const line = args.map(formatArgument).join(' ');
      host.log(type, line.length > host.logLineLength ? line.slice(0, host.logLineLength) : line, line.length);
    };
  }
  consoleObject.trace = consoleObject.debug;

  // Built-in modules are evaluated on first require, so a VM pays only for what its plugin uses.
  // A module's factory gets `require` and `native`: the Swift functions behind it and RetryError.
  const native = Object.freeze(Object.assign(Object.create(null), host.native, { RetryError }));
  const modules = Object.create(null);
  const require = (requested) => {
    const name = String(requested).startsWith('node:') ? String(requested).slice(5) : String(requested);
    if (hasOwn(modules, name)) return modules[name];
    const factory = host.loadModule(name);
    if (typeof factory !== 'function') {
      throw new Error(host.moduleRefusal(name));
    }
    const moduleObject = { exports: {} };
    modules[name] = moduleObject.exports;
    const returned = factory(require, native, moduleObject);
    modules[name] = returned === undefined ? moduleObject.exports : returned;
    return modules[name];
  };
  // Globals backed by modules (Buffer, URL, …) are made on first use, then become plain properties.
  for (const [globalName, moduleName, exportName] of host.moduleGlobals) {
    Object.defineProperty(global, globalName, {
      configurable: true,
      enumerable: false,
      get() {
        const exported = require(moduleName);
        const value = exportName === null ? exported : exported[exportName];
        Object.defineProperty(global, globalName, { value, writable: true, configurable: true, enumerable: false });
        return value;
      },
      set(value) {
        Object.defineProperty(global, globalName, { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }

  Object.defineProperty(global, 'console', { value: Object.freeze(consoleObject), writable: false, configurable: false });
  Object.defineProperty(global, 'RetryError', { value: RetryError, writable: true, configurable: true });
  // posthog.capture sends an event back into the project's pipeline; posthog.api calls a PostHog-style
  // API, by default this Quill server with keys for the plugin's project (reference §1.14).
  const apiRequest = (method) => async (path, options) => {
    if (host.apiCall) {
      // quill plugin run: answered from its mock and written to its capture log, as the plugin called it.
      const answer = await host.apiCall(method, String(path), JSON.stringify(options == null ? {} : options));
      const { Response } = require('node-fetch');
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    const { data, host: apiHost, projectApiKey, personalApiKey } = options == null ? {} : options;
    if ((projectApiKey == null) !== (personalApiKey == null)) {
      throw new Error('posthog.api: pass both projectApiKey and personalApiKey, or neither');
    }
    const defaults = apiHost == null || projectApiKey == null ? await host.apiDefaults() : null;
    const base = String(apiHost == null ? defaults.host : apiHost).replace(/\/+$/, '');
    if (projectApiKey == null && base !== defaults.host.replace(/\/+$/, '')) {
      throw new Error(`posthog.api: pass projectApiKey and personalApiKey to call ${base}; this server's keys stay here`);
    }
    let route = String(path);
    if (!route.startsWith('/')) route = '/' + route;
    route = route.replace(/^\/api\/projects\/@current(?=\/|\?|$)/, `/api/projects/${host.teamID}`);
    const url = new URL(base + route);
    url.searchParams.set('token', projectApiKey == null ? defaults.projectApiKey : String(projectApiKey));
    const key = personalApiKey == null ? defaults.personalApiKey : String(personalApiKey);
    const init = { method, headers: { Authorization: `Bearer ${key}` } };
    if (data != null && method === 'GET') {
      for (const [name, value] of Object.entries(data)) {
        url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      }
    } else if (data != null && method !== 'DELETE') {
      init.body = JSON.stringify(data);
      init.headers['Content-Type'] = 'application/json';
    }
    return require('node-fetch')(url.toString(), init);
  };
  const posthog = Object.freeze({
    capture: (event, properties) => host.capture(String(event), JSON.stringify(properties == null ? {} : properties)),
    api: Object.freeze({
      get: apiRequest('GET'), post: apiRequest('POST'), put: apiRequest('PUT'), patch: apiRequest('PATCH'),
      delete: apiRequest('DELETE'),
    }),
  });
  Object.defineProperty(global, 'posthog', { value: posthog, writable: true, configurable: true });
  global.require = require;
  global.module = { exports: {} };
  global.exports = global.module.exports;

  const methodNames = ['setupPlugin', 'teardownPlugin', 'processEvent', 'processEventBatch', 'onEvent', 'onSnapshot', 'exportEvents', 'composeWebhook'];
  const taskNames = ['runEveryMinute', 'runEveryHour', 'runEveryDay'];

  // Exports, in DESIGN.md's order: exports, exports.default, module.exports, then top-level bindings.
  const exported = (name) => {
    const e = global.exports;
    const m = global.module && global.module.exports;
    for (const source of [e, e && e.default, m, m && m.default]) {
      if (source !== null && (typeof source === 'object' || typeof source === 'function') && source[name] !== undefined) {
        return source[name];
      }
    }
    try {
      return (0, eval)(`typeof ${name} === 'undefined' ? undefined : ${name}`);
    } catch (_) {
      return undefined;
    }
  };

  const discover = () => {
    const methods = {};
    for (const name of [...methodNames, ...taskNames]) {
      const value = exported(name);
      if (typeof value === 'function') methods[name] = value;
    }
    if (!methods.processEvent && methods.processEventBatch) {
      const processEventBatch = methods.processEventBatch;
      methods.processEvent = async (event, meta) => {
        const events = await processEventBatch([event], meta);
        return Array.isArray(events) ? events[0] : undefined;
      };
    }
    const jobsExport = exported('jobs');
    const jobs = {};
    if (jobsExport !== null && typeof jobsExport === 'object') {
      for (const [name, job] of Object.entries(jobsExport)) {
        if (typeof job === 'function') jobs[name] = job;
      }
    }
    const metricsExport = exported('metrics');
    const metrics = {};
    if (metricsExport !== null && typeof metricsExport === 'object') {
      for (const [name, kind] of Object.entries(metricsExport)) {
        const normalized = String(kind).toLowerCase();
        if (!['sum', 'max', 'min'].includes(normalized)) {
          throw new Error(`Unsupported metric type '${kind}' for metric '${name}': use 'sum', 'max' or 'min'`);
        }
        metrics[name] = normalized;
      }
    }
    return { methods, jobs, metrics };
  };

  class IllegalOperationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'IllegalOperationError';
    }
  }

  const makeMetrics = (spec, values) => {
    const metrics = {};
    const check = (value) => {
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new IllegalOperationError('Only numbers are allowed for operations on metrics');
      }
    };
    for (const [name, kind] of Object.entries(spec)) {
      if (kind === 'sum') {
        metrics[name] = { increment: (value) => { check(value); values[name] = (values[name] ?? 0) + value; } };
      } else if (kind === 'max') {
        metrics[name] = { max: (value) => { check(value); values[name] = Math.max(values[name] ?? value, value); } };
      } else {
        metrics[name] = { min: (value) => { check(value); values[name] = Math.min(values[name] ?? value, value); } };
      }
    }
    return Object.freeze(metrics);
  };

  const serialize = (value, asJSON) => {
    if (!asJSON) return String(value);
    const json = JSON.stringify(value);
    return json === undefined ? 'null' : json;
  };
  const deserialize = (raw, asJSON) => {
    if (!asJSON) return raw;
    try {
      return JSON.parse(raw);
    } catch (_) {
      return null;
    }
  };
  const wantsJSON = (options) => !(options && options.jsonSerialize === false);
  const listElements = (value) => {
    const elements = Array.isArray(value) ? value : [value];
    if (elements.length > 1000) throw new Error('cache.lpush takes at most 1000 elements at a time');
    return elements.map(String);
  };

  const cache = Object.freeze({
    set: async (key, value, ttlSeconds, options) => {
      await host.cacheSet(String(key), serialize(value, wantsJSON(options)), ttlSeconds == null ? -1 : Number(ttlSeconds));
    },
    get: async (key, defaultValue, options) => {
      const raw = await host.cacheGet(String(key));
      return raw === null ? defaultValue : deserialize(raw, wantsJSON(options));
    },
    incr: (key) => host.cacheIncr(String(key)),
    expire: (key, ttlSeconds) => host.cacheExpire(String(key), Number(ttlSeconds)),
    lpush: (key, elementOrArray) => host.cacheLpush(String(key), listElements(elementOrArray)),
    lrange: (key, startIndex, endIndex) => host.cacheLrange(String(key), Math.trunc(startIndex), Math.trunc(endIndex)),
    llen: (key) => host.cacheLlen(String(key)),
    lrem: (key, count, elementKey) => host.cacheLrem(String(key), Math.trunc(count), String(elementKey)),
    lpop: (key, count = 1) => host.cacheLpop(String(key), Math.trunc(count)),
  });

  const storage = Object.freeze({
    get: async (key, defaultValue) => {
      const raw = await host.storageGet(String(key));
      return raw === null ? defaultValue : JSON.parse(raw);
    },
    set: async (key, value) => {
      if (value === undefined) {
        await host.storageDel(String(key));
      } else {
        await host.storageSet(String(key), JSON.stringify(value));
      }
    },
    del: async (key) => {
      await host.storageDel(String(key));
    },
  });

  const utils = Object.freeze({
    cursor: Object.freeze({
      init: async (key, initialValue = 0) => {
        await host.cursorInit(String(key), Number(initialValue));
      },
      increment: (key, incrementBy = 1) => host.cursorIncrement(String(key), Number(incrementBy)),
    }),
  });

  // runIn: fixed units in milliseconds; months, quarters and years by the calendar (UTC).
  const unitMilliseconds = { millisecond: 1, second: 1000, minute: 60000, hour: 3600000, day: 86400000, week: 604800000 };
  const delayOf = (amount, unit) => {
    const count = Number(amount);
    if (!Number.isFinite(count)) throw new TypeError(`runIn needs a number, not ${amount}`);
    const base = String(unit).toLowerCase().replace(/s$/, '');
    if (hasOwn(unitMilliseconds, base)) return count * unitMilliseconds[base];
    const months = { month: 1, quarter: 3, year: 12 }[base];
    if (months === undefined) {
      throw new Error(`Unknown unit '${unit}' for runIn: use milliseconds, seconds, minutes, hours, days, weeks, months, quarters or years`);
    }
    const start = new Date();
    const target = new Date(start.getTime());
    target.setUTCMonth(target.getUTCMonth() + count * months);
    return target.getTime() - start.getTime();
  };
  const makeJobs = (names) => {
    const jobs = {};
    for (const name of names) {
      jobs[name] = (payload) => {
        const json = JSON.stringify(payload === undefined ? {} : payload);
        return Object.freeze({
          runNow: () => host.enqueueJob(name, json, 'in', 0),
          runIn: (amount, unit) => host.enqueueJob(name, json, 'in', delayOf(amount, unit)),
          runAt: (date) => {
            const time = new Date(date).getTime();
            if (Number.isNaN(time)) throw new TypeError(`runAt needs a date, not ${date}`);
            return host.enqueueJob(name, json, 'at', time);
          },
        });
      };
    }
    return Object.freeze(jobs);
  };
  const geoip = Object.freeze({ locate: async (ip) => host.geoipLocate(String(ip)) });

  const makeAttachments = (descriptions) => {
    const attachments = {};
    for (const [key, { content_type, file_name, contents, text }] of Object.entries(descriptions)) {
      if (text !== null) contents.toString = () => text;
      attachments[key] = { content_type, file_name, contents };
    }
    return attachments;
  };

  const makeMeta = (config, attachmentDescriptions, metricSpec, metricValues, jobNames) => ({
    config,
    attachments: makeAttachments(attachmentDescriptions),
    global: {},
    cache,
    storage,
    utils,
    metrics: makeMetrics(metricSpec, metricValues),
    jobs: makeJobs(jobNames),
    geoip,
  });

  // What the chain uses, taken now: the plugin's code may replace the globals later.
  const { keys, getPrototypeOf, defineProperty } = Object;
  const objectPrototype = Object.prototype;
  const { isArray } = Array;
  const { stringify, parse } = JSON;
  const { isFinite: isFiniteNumber } = Number;
  const { trunc } = Math;
  const resolved = (value) => Promise.resolve(value);

  // processEvent as the chain calls it (JavaScript/Chain/chain-driver.js). `step` checks
  // what the plugin returned and, for a plugin that a later one follows, copies it, so a later plugin
  // that throws or times out leaves the event as it was. The copy is what JSON would keep (what a
  // restore from JSON gave), made by JIT-compiled code; about its size in bytes as JSON is counted,
  // and past `maximumEventSize` the plugin fails as a throw would. A numeric timestamp must lie within
  // the milliseconds ingestion can store (`earliest` … `latest`).
  const makeChainStep = (processEvent, meta, maximumEventSize, earliest, latest) => {
    const isValidMilliseconds = (value) => isFiniteNumber(value) && trunc(value) >= earliest && trunc(value) <= latest;
    let budget = 0;
    const tooLarge = () =>
      new RangeError(`processEvent returned an event of more than ${maximumEventSize} bytes as JSON, more than allowed`);
    const throughJSON = (value) => {
      const text = stringify(value);
      if (text === undefined) return undefined;
      budget -= text.length;
      if (budget < 0) throw tooLarge();
      return parse(text);
    };
    const copy = (value, depth) => {
      switch (typeof value) {
        case 'string':
          budget -= value.length + 2;
          if (budget < 0) throw tooLarge();
          return value;
        case 'number':
          budget -= 8;
          return isFiniteNumber(value) ? value : null;
        case 'boolean':
          budget -= 5;
          return value;
        case 'object':
          break;
        case 'bigint':
          return throughJSON(value); // throws, as JSON does
        default:
          return undefined; // undefined, functions and symbols have no JSON form
      }
      if (value === null) {
        budget -= 4;
        return null;
      }
      // Deep nesting (or a cycle), toJSON and objects of other kinds are left to JSON itself.
      if (depth > 100 || typeof value.toJSON === 'function') return throughJSON(value);
      if (isArray(value)) {
        const length = value.length;
        const copied = [];
        for (let index = 0; index < length; index++) {
          budget -= 1;
          if (budget < 0) throw tooLarge();
          const item = copy(value[index], depth + 1);
          copied.push(item === undefined ? null : item);
        }
        return copied;
      }
      const prototype = getPrototypeOf(value);
      if (prototype !== objectPrototype && prototype !== null) return throughJSON(value);
      const copied = {};
      for (const key of keys(value)) {
        const item = copy(value[key], depth + 1);
        if (item === undefined) continue;
        budget -= key.length + 4;
        if (key === '__proto__') {
          defineProperty(copied, key, { value: item, enumerable: true, writable: true, configurable: true });
        } else {
          copied[key] = item;
        }
      }
      if (budget < 0) throw tooLarge();
      return copied;
    };
    const copyEvent = (event) => {
      budget = maximumEventSize;
      return copy(event, 0);
    };
    const check = (returned, teamId, keepCopy) => {
      if (returned === null || returned === undefined) return [null];
      if ((typeof returned !== 'object' && typeof returned !== 'function') || isArray(returned)) {
        const what = isArray(returned) ? 'an array' : String(returned);
        throw new TypeError(`processEvent must return an event object, null or undefined, not ${what}`);
      }
      // A changed team_id or an impossible timestamp is undone as a throw is: the event goes on as it was.
      if (returned.team_id !== teamId) throw new IllegalOperationError('Plugin tried to change event.team_id');
      const timestamp = returned.timestamp;
      if (typeof timestamp === 'number' && !isValidMilliseconds(timestamp)) {
        throw new RangeError(
          `processEvent returned an event whose timestamp ${timestamp} is not a time in the years 0000–9999`);
      }
      return keepCopy ? [returned, copyEvent(returned)] : [returned];
    };
    // An array when processEvent returned at once; a promise of one when it returned a promise.
    const step = (event, teamId, keepCopy) => {
      const returned = processEvent(event, meta);
      if (returned !== null && (typeof returned === 'object' || typeof returned === 'function') &&
          typeof returned.then === 'function') {
        return resolved(returned).then((value) => check(value, teamId, keepCopy));
      }
      return check(returned, teamId, keepCopy);
    };
    // `parse` makes events in this realm (the first plugin's), as the plugin's own JSON.parse did before it ran.
    return { step, copyEvent, parse };
  };

  // The events onEvent, exportEvents and composeWebhook get from a processed event (plugin-run.md, step 4).
  const mergedSet = (properties, event, key) => {
    if (event[key] !== null && typeof event[key] === 'object') {
      properties[key] = Object.assign({}, properties[key], event[key]);
    }
  };
  const eventProperties = (event) => {
    const given = event.properties;
    const properties = given !== null && typeof given === 'object' && !isArray(given) ? given : {};
    mergedSet(properties, event, '$set');
    mergedSet(properties, event, '$set_once');
    return properties;
  };
  const eventDate = (event) => {
    const date = event.timestamp == null ? new Date() : new Date(event.timestamp);
    return Number.isNaN(date.getTime()) ? new Date() : date;
  };
  const processedEvent = (event) => {
    const properties = eventProperties(event);
    const processed = {
      distinct_id: event.distinct_id == null ? event.distinct_id : String(event.distinct_id),
      ip: properties.$ip != null ? properties.$ip : event.ip != null ? event.ip : null,
      team_id: event.team_id,
      event: event.event,
      properties,
      timestamp: eventDate(event).toISOString(),
    };
    if (properties.$set !== undefined) processed.$set = properties.$set;
    if (properties.$set_once !== undefined) processed.$set_once = properties.$set_once;
    processed.uuid = event.uuid;
    processed.elements = [];
    return processed;
  };
  const postHogEvent = (event) => ({
    uuid: event.uuid,
    event: event.event,
    team_id: event.team_id,
    distinct_id: event.distinct_id == null ? event.distinct_id : String(event.distinct_id),
    properties: eventProperties(event),
    timestamp: eventDate(event),
  });
  // A webhook composeWebhook returned, as a request: POST and a JSON content type unless it says otherwise,
  // a string body sent as it is (anything else as its JSON). `null` for no webhook.
  const webhookRequest = (webhook) => {
    if (webhook === null || webhook === undefined) return null;
    if (typeof webhook !== 'object' || typeof webhook.url !== 'string') {
      throw new TypeError('composeWebhook must return {url, method, headers, body}, null or undefined');
    }
    const headers = webhook.headers == null ? { 'Content-Type': 'application/json' } : webhook.headers;
    const body = webhook.body == null ? null : typeof webhook.body === 'string' ? webhook.body : JSON.stringify(webhook.body);
    return {
      url: webhook.url,
      method: webhook.method == null ? 'POST' : String(webhook.method),
      headers: Object.entries(headers).map(([name, value]) => [name, String(value)]),
      body,
    };
  };
  // quill plugin run performs a webhook through the plugin's own fetch, so it is in the fetch log.
  const sendWebhook = (request) =>
    require('node-fetch')(request.url, { method: request.method, headers: request.headers, body: request.body === null ? undefined : request.body })
      .then((response) => response.status);
  const eventShapes = { processedEvent, postHogEvent, webhookRequest, sendWebhook };

  return { discover, makeMeta, makeChainStep, IllegalOperationError, RetryError, eventShapes };
})
