(require, native, module) => {
  'use strict';
  /* include node-errors.js */

  // Node's EventEmitter, a function (not a class) as Node's is, so the `EventEmitter.call(this)` of older
  // libraries works. Listeners are kept in `_events` by name, each list an array, and called with the
  // emitter as `this`, in the order they were added, over a copy so that changes during an emit apply
  // from the next one.
  const errorMonitor = Symbol('events.errorMonitor');
  let defaultMaxListeners = 10;

  const checkListener = (listener) => {
    if (typeof listener !== 'function') throw invalidArgType('listener', 'of type function', listener);
  };
  const checkCount = (name, count) => {
    if (typeof count !== 'number' || count < 0 || Number.isNaN(count)) {
      throw outOfRange(name, 'a non-negative number', count);
    }
  };

  function EventEmitter(options) {
    EventEmitter.init.call(this, options);
  }

  EventEmitter.init = function init() {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
  };

  const addListener = (target, name, listener, prepend) => {
    checkListener(listener);
    if (target._events === undefined) EventEmitter.init.call(target);
    if (target._events.newListener !== undefined) {
      target.emit('newListener', name, listener.listener ? listener.listener : listener);
    }
    const list = target._events[name];
    if (list === undefined) {
      target._events[name] = [listener];
      target._eventsCount++;
    } else if (prepend) {
      list.unshift(listener);
    } else {
      list.push(listener);
    }
    return target;
  };

  const onceWrapper = (target, name, listener) => {
    const state = { fired: false };
    const wrapped = function (...args) {
      if (state.fired) return undefined;
      state.fired = true;
      target.removeListener(name, wrapped);
      return listener.apply(target, args);
    };
    wrapped.listener = listener;
    return wrapped;
  };

  Object.assign(EventEmitter.prototype, {
    _events: undefined,
    _eventsCount: 0,
    _maxListeners: undefined,

    setMaxListeners(count) {
      checkCount('n', count);
      this._maxListeners = count;
      return this;
    },

    getMaxListeners() {
      return this._maxListeners === undefined ? defaultMaxListeners : this._maxListeners;
    },

    emit(name, ...args) {
      const events = this._events;
      if (name === 'error' && events !== undefined && events[errorMonitor] !== undefined) {
        this.emit(errorMonitor, ...args);
      }
      const list = events === undefined ? undefined : events[name];
      if (list === undefined) {
        if (name !== 'error') return false;
        const error = args[0];
        if (error instanceof Error) throw error;
        const shown = typeof error === 'string' ? `'${error}'` : String(error);
        const unhandled = nodeError(Error, 'ERR_UNHANDLED_ERROR', `Unhandled error. (${shown})`);
        unhandled.context = error;
        throw unhandled;
      }
      for (const listener of list.slice()) listener.apply(this, args);
      return true;
    },

    addListener(name, listener) {
      return addListener(this, name, listener, false);
    },

    prependListener(name, listener) {
      return addListener(this, name, listener, true);
    },

    once(name, listener) {
      checkListener(listener);
      return this.on(name, onceWrapper(this, name, listener));
    },

    prependOnceListener(name, listener) {
      checkListener(listener);
      return this.prependListener(name, onceWrapper(this, name, listener));
    },

    removeListener(name, listener) {
      checkListener(listener);
      const list = this._events === undefined ? undefined : this._events[name];
      if (list === undefined) return this;
      for (let index = list.length - 1; index >= 0; index--) {
        if (list[index] !== listener && list[index].listener !== listener) continue;
        const removed = list[index];
        if (list.length === 1) {
          delete this._events[name];
          this._eventsCount--;
        } else {
          list.splice(index, 1);
        }
        if (this._events.removeListener !== undefined) this.emit('removeListener', name, removed.listener || removed);
        break;
      }
      return this;
    },

    removeAllListeners(name) {
      const events = this._events;
      if (events === undefined) return this;
      if (events.removeListener === undefined) {
        if (arguments.length === 0) {
          this._events = Object.create(null);
          this._eventsCount = 0;
        } else if (events[name] !== undefined) {
          delete events[name];
          this._eventsCount--;
        }
        return this;
      }
      // Someone listens for removals: each is removed in turn, last added first, that listener last of all.
      if (arguments.length === 0) {
        for (const key of Reflect.ownKeys(events)) if (key !== 'removeListener') this.removeAllListeners(key);
        this.removeAllListeners('removeListener');
        this._events = Object.create(null);
        this._eventsCount = 0;
        return this;
      }
      const list = events[name];
      if (list !== undefined) for (let index = list.length - 1; index >= 0; index--) this.removeListener(name, list[index]);
      return this;
    },

    listeners(name) {
      const list = this._events === undefined ? undefined : this._events[name];
      return list === undefined ? [] : list.map((listener) => listener.listener || listener);
    },

    rawListeners(name) {
      const list = this._events === undefined ? undefined : this._events[name];
      return list === undefined ? [] : list.slice();
    },

    listenerCount(name, listener) {
      const list = this._events === undefined ? undefined : this._events[name];
      if (list === undefined) return 0;
      if (listener === undefined || listener === null) return list.length;
      return list.filter((each) => each === listener || each.listener === listener).length;
    },

    eventNames() {
      return this._events === undefined || this._eventsCount === 0 ? [] : Reflect.ownKeys(this._events);
    },
  });
  EventEmitter.prototype.on = EventEmitter.prototype.addListener;
  EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

  Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get: () => defaultMaxListeners,
    set(count) {
      checkCount('defaultMaxListeners', count);
      defaultMaxListeners = count;
    },
  });

  // Resolves with the arguments of the next `name` event; rejects on an 'error' that comes first.
  EventEmitter.once = (emitter, name) =>
    new Promise((resolve, reject) => {
      const onError = (error) => {
        emitter.removeListener(name, onEvent);
        reject(error);
      };
      const onEvent = (...args) => {
        if (name !== 'error') emitter.removeListener('error', onError);
        resolve(args);
      };
      emitter.once(name, onEvent);
      if (name !== 'error') emitter.once('error', onError);
    });

  EventEmitter.listenerCount = (emitter, name) => emitter.listenerCount(name);
  EventEmitter.errorMonitor = errorMonitor;
  EventEmitter.EventEmitter = EventEmitter;
  module.exports = EventEmitter;
}
