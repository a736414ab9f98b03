(require, native) => {
  'use strict';
  const clone = (object) => JSON.parse(JSON.stringify(object));
  const createEvent = (changes = {}) => ({
    distinct_id: '007',
    ip: '127.0.0.1',
    site_url: 'http://localhost',
    team_id: 13,
    now: '2020-11-26T12:58:58.453Z',
    event: 'EVENT_TYPE',
    sent_at: '2020-11-26T12:58:58.453Z',
    timestamp: '2020-11-26T12:58:58.453Z',
    uuid: '00000000-0000-4000-8000-000000000007',
    properties: {},
    ...changes,
  });
  const createPageview = () => createEvent({
    event: '$pageview',
    properties: {
      $os: 'Mac OS X',
      $browser: 'Chrome',
      $device_type: 'Desktop',
      $current_url: 'https://posthog.com/docs',
      $host: 'posthog.com',
      $pathname: '/docs',
      $browser_version: 86,
      $screen_height: 1120,
      $screen_width: 1792,
      $viewport_height: 1067,
      $viewport_width: 1790,
      $lib: 'web',
      $lib_version: '1.7.0',
      $insert_id: 'hgu2p36uvlc1b9dg',
      $time: 1606395538.453,
      distinct_id: '007',
      $device_id: '1760f9fa1ff4ff-0b8ed4a8ee0fc2-1f3d6354-1c00-1760f9fa20088',
      $referrer: '$direct',
      $referring_domain: '$direct',
      token: 'mre13a_SMBv9EwHAtdtTyutyy6AfO00OTPwaalaHPGgKLS',
    },
  });
  const createIdentify = () => createEvent({
    event: '$identify',
    properties: {
      $os: 'Mac OS X',
      $browser: 'Chrome',
      $lib: 'web',
      $lib_version: '1.7.0',
      distinct_id: '007',
      $anon_distinct_id: '1760f9fa1ff4ff-0b8ed4a8ee0fc2-1f3d6354-1c00-1760f9fa20088',
      $set: { email: 'test@posthog.com' },
    },
    $set: { email: 'test@posthog.com' },
  });

  // The helpers' meta keeps cache and storage in memory, with the server's semantics: values go through
  // JSON (unless `jsonSerialize: false`), a missing key gives the default, TTLs expire by `Date.now()` (so
  // Jest's fake timers move them), lists are Redis lists, and an emptied list is gone.
  const serialize = (value, options) => {
    if (options && options.jsonSerialize === false) return String(value);
    const json = JSON.stringify(value);
    return json === undefined ? 'null' : json;
  };
  const deserialize = (raw, options) => {
    if (options && options.jsonSerialize === false) return raw;
    try {
      return JSON.parse(raw);
    } catch (_) {
      return null;
    }
  };
  const wrongType = (key) => new Error(`cache key '${key}' holds the wrong kind of value for this operation`);
  const createCache = () => {
    const entries = new Map();
    const live = (key) => {
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry;
    };
    const list = (key) => {
      const entry = live(key);
      if (entry === undefined) return [];
      if (!Array.isArray(entry.value)) throw wrongType(key);
      return entry.value;
    };
    const storeList = (key, elements) => {
      const entry = live(key);
      if (elements.length === 0) entries.delete(key);
      else entries.set(key, { value: elements, expiresAt: entry === undefined ? null : entry.expiresAt });
    };
    return {
      set: async (key, value, ttlSeconds, options) => {
        const ttl = ttlSeconds == null ? null : Number(ttlSeconds);
        entries.set(String(key), { value: serialize(value, options), expiresAt: ttl === null ? null : Date.now() + ttl * 1000 });
      },
      get: async (key, defaultValue, options) => {
        const entry = live(String(key));
        if (entry === undefined) return defaultValue;
        if (Array.isArray(entry.value)) throw wrongType(key);
        return deserialize(entry.value, options);
      },
      incr: async (key) => {
        const name = String(key);
        const entry = live(name);
        const text = entry === undefined ? '0' : entry.value;
        if (Array.isArray(text) || !/^-?\d+$/.test(text)) throw new Error(`cache value at '${name}' is not an integer`);
        const value = Number(text) + 1;
        entries.set(name, { value: String(value), expiresAt: entry === undefined ? null : entry.expiresAt });
        return value;
      },
      expire: async (key, ttlSeconds) => {
        const name = String(key);
        const entry = live(name);
        if (entry === undefined) return false;
        if (Number(ttlSeconds) <= 0) entries.delete(name);
        else entry.expiresAt = Date.now() + Number(ttlSeconds) * 1000;
        return true;
      },
      // Head first: lpush puts each element at the head, as Redis does.
      lpush: async (key, elementOrArray) => {
        const name = String(key);
        const elements = (Array.isArray(elementOrArray) ? elementOrArray : [elementOrArray]).map(String);
        if (elements.length > 1000) throw new Error('cache.lpush takes at most 1000 elements at a time');
        const updated = [...elements.reverse(), ...list(name)];
        storeList(name, updated);
        return updated.length;
      },
      lrange: async (key, startIndex, endIndex) => {
        const elements = list(String(key));
        const count = elements.length;
        const start = Math.trunc(startIndex);
        const end = Math.trunc(endIndex);
        const lower = Math.max(start < 0 ? count + start : start, 0);
        const upper = Math.min(end < 0 ? count + end : end, count - 1);
        return lower <= upper ? elements.slice(lower, upper + 1) : [];
      },
      llen: async (key) => list(String(key)).length,
      lrem: async (key, count, elementKey) => {
        const name = String(key);
        const elements = list(name);
        const wanted = String(elementKey);
        const limit = Math.trunc(count) === 0 ? Infinity : Math.abs(Math.trunc(count));
        const order = count < 0 ? [...elements.keys()].reverse() : [...elements.keys()];
        const doomed = new Set();
        for (const index of order) {
          if (doomed.size < limit && elements[index] === wanted) doomed.add(index);
        }
        storeList(name, elements.filter((_, index) => !doomed.has(index)));
        return doomed.size;
      },
      lpop: async (key, count = 1) => {
        const name = String(key);
        const elements = list(name);
        const taken = Math.min(Math.max(Math.trunc(count), 0), elements.length);
        storeList(name, elements.slice(taken));
        return elements.slice(0, taken);
      },
    };
  };
  const createStorage = () => {
    const values = new Map();
    return {
      get: async (key, defaultValue) => {
        const json = values.get(String(key));
        return json === undefined ? defaultValue : JSON.parse(json);
      },
      set: async (key, value) => {
        if (value === undefined) values.delete(String(key));
        else values.set(String(key), JSON.stringify(value));
      },
      del: async (key) => {
        values.delete(String(key));
      },
    };
  };
  const createUtils = () => {
    const cursors = new Map();
    return {
      cursor: {
        init: async (key, initialValue = 0) => {
          if (!cursors.has(String(key))) cursors.set(String(key), Math.trunc(Number(initialValue)));
        },
        increment: async (key, incrementBy = 1) => {
          const value = (cursors.get(String(key)) || 0) + Math.trunc(Number(incrementBy));
          cursors.set(String(key), value);
          return value;
        },
      },
    };
  };
  // meta.jobs.NAME(payload).runNow() / runIn(n, unit) / runAt(date), checked as the server checks them; the
  // jobs wait in `meta.jobs` (not enumerable) as `queued`: {type, payload, runAt} (a Date).
  // Any name makes a job or metric, except those that tools probe objects for (await, JSON, Jest's printing).
  const probedNames = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', '_isMockFunction', '__esModule']);
  const namedBy = (target, make) => new Proxy(target, {
    get: (object, name) => (typeof name === 'symbol' || name in object || probedNames.has(name) ? object[name] : make(name)),
  });
  const units = { millisecond: 1, second: 1000, minute: 60000, hour: 3600000, day: 86400000, week: 604800000 };
  const createJobs = () => {
    const queued = [];
    const enqueue = (type, payload, runAt) => {
      queued.push({ type, payload: JSON.parse(JSON.stringify(payload === undefined ? {} : payload)), runAt: new Date(runAt) });
      return Promise.resolve();
    };
    const job = (type) => (payload) => Object.freeze({
      runNow: () => enqueue(type, payload, Date.now()),
      runIn: (amount, unit) => {
        const base = String(unit).toLowerCase().replace(/s$/, '');
        const count = Number(amount);
        if (!Number.isFinite(count)) throw new TypeError(`runIn needs a number, not ${amount}`);
        if (Object.prototype.hasOwnProperty.call(units, base)) return enqueue(type, payload, Date.now() + count * units[base]);
        const months = { month: 1, quarter: 3, year: 12 }[base];
        if (months === undefined) {
          throw new Error(`Unknown unit '${unit}' for runIn: use milliseconds, seconds, minutes, hours, days, weeks, months, quarters or years`);
        }
        const target = new Date();
        target.setUTCMonth(target.getUTCMonth() + count * months);
        return enqueue(type, payload, target.getTime());
      },
      runAt: (date) => {
        const time = new Date(date).getTime();
        if (Number.isNaN(time)) throw new TypeError(`runAt needs a date, not ${date}`);
        return enqueue(type, payload, time);
      },
    });
    return namedBy(Object.defineProperty({}, 'queued', { value: queued }), job);
  };
  // meta.metrics.NAME.increment/max/min(value); the values are in `meta.metrics` (not enumerable) as `values`.
  const createMetrics = () => {
    const values = {};
    const check = (value) => {
      if (typeof value !== 'number' || Number.isNaN(value)) throw new Error('Only numbers are allowed for operations on metrics');
    };
    const metric = (name) => Object.freeze({
      increment: (value) => { check(value); values[name] = (values[name] ?? 0) + value; },
      max: (value) => { check(value); values[name] = Math.max(values[name] ?? value, value); },
      min: (value) => { check(value); values[name] = Math.min(values[name] ?? value, value); },
    });
    return namedBy(Object.defineProperty({}, 'values', { value: values }), metric);
  };
  const createMeta = (changes = {}) => ({
    config: {},
    attachments: {},
    global: {},
    cache: createCache(),
    storage: createStorage(),
    utils: createUtils(),
    jobs: createJobs(),
    metrics: createMetrics(),
    geoip: {
      locate: async () => {
        throw new Error('meta.geoip.locate() is not available: geoip is not configured (set QUILL_GEOIP_DATABASE)');
      },
    },
    ...changes,
  });
  let meta = createMeta();
  const getMeta = () => meta;
  const resetMeta = (changes = {}) => {
    meta = createMeta(changes);
    return meta;
  };

  return Object.freeze({
    RetryError: native.RetryError, createEvent, createPageview, createIdentify, clone, createCache, getMeta, resetMeta,
  });
}
