(native, onUncaughtError) => {
  'use strict';
  // setTimeout and friends for tests: real ones on Quill's host timers, and Jest's "modern" fake timers
  // (after @sinonjs/fake-timers), which also fake Date.
  const RealDate = Date;
  const defaultTimerLimit = 100000;

  const checkCallback = (callback) => {
    if (typeof callback !== 'function') {
      const error = new TypeError(`The "callback" argument must be of type function. Received ${callback === null ? 'null' : typeof callback}`);
      error.code = 'ERR_INVALID_ARG_TYPE';
      throw error;
    }
  };
  const delayOf = (milliseconds) => {
    const delay = Number(milliseconds);
    return Number.isFinite(delay) && delay >= 1 ? Math.min(delay, 2147483647) : 1;
  };

  // Node's Timeout: clearTimeout takes it or its number (`+timeout`).
  class Timeout {
    constructor(id, clear) {
      this.id = id;
      Object.defineProperty(this, 'clear', { value: clear });
    }
    ref() { return this; }
    unref() { return this; }
    hasRef() { return true; }
    [Symbol.toPrimitive]() { return this.id; }
  }
  const idOf = (timer) => (timer instanceof Timeout ? timer.id : Number(timer));

  // The real timers: each due callback runs in its own entry into JavaScript; a throw fails the running test.
  const real = (() => {
    const pending = new Map();
    let nextID = 1;
    const run = (callback, args) => {
      try {
        callback(...args);
      } catch (error) {
        onUncaughtError(error);
      }
    };
    const schedule = (callback, milliseconds, args, repeat) => {
      checkCallback(callback);
      const id = nextID++;
      const delay = delayOf(milliseconds);
      const arm = () => {
        pending.set(id, native.setTimer(delay, () => {
          if (repeat) arm();
          else pending.delete(id);
          run(callback, args);
        }));
      };
      arm();
      return new Timeout(id, clear);
    };
    const clear = (timer) => {
      const id = idOf(timer);
      if (pending.has(id)) {
        native.clearTimer(pending.get(id));
        pending.delete(id);
      }
    };
    return {
      setTimeout: (callback, milliseconds, ...args) => schedule(callback, milliseconds, args, false),
      setInterval: (callback, milliseconds, ...args) => schedule(callback, milliseconds, args, true),
      setImmediate: (callback, ...args) => schedule(callback, 0, args, false),
      clearTimeout: (timer) => timer != null && clear(timer),
      clearInterval: (timer) => timer != null && clear(timer),
      clearImmediate: (timer) => timer != null && clear(timer),
      // A turn of the host's loop: every microtask queued before it has run.
      nextTurn: () => new Promise((resolve) => native.setTimer(0, resolve)),
      Date: RealDate,
    };
  })();

  const createFakeClock = (start, timerLimit) => {
    const timers = new Map();
    let nextID = 1;
    const clock = { now: start };
    const add = (callback, milliseconds, args, interval) => {
      checkCallback(callback);
      const id = nextID++;
      const delay = interval === null ? Math.max(0, Math.trunc(Number(milliseconds)) || 0) : delayOf(milliseconds);
      timers.set(id, { id, callback, args, callAt: clock.now + delay, interval: interval === null ? null : delay });
      return new Timeout(id, clear);
    };
    const clear = (timer) => {
      if (timer != null) timers.delete(idOf(timer));
    };
    const firstDue = (limit) => {
      let first = null;
      for (const timer of timers.values()) {
        if (timer.callAt <= limit && (first === null || timer.callAt < first.callAt)) first = timer;
      }
      return first;
    };
    const fire = (timer) => {
      clock.now = timer.callAt;
      if (timer.interval === null) timers.delete(timer.id);
      else timer.callAt += timer.interval;
      timer.callback(...timer.args);
    };
    const tooMany = () => new Error(`Aborting after running ${timerLimit} timers, assuming an infinite loop!`);
    const FakeDate = function Date(...args) {
      if (!new.target) return new RealDate(clock.now).toString();
      return args.length === 0 ? new RealDate(clock.now) : new RealDate(...args);
    };
    FakeDate.prototype = RealDate.prototype;
    FakeDate.now = () => clock.now;
    FakeDate.parse = RealDate.parse;
    FakeDate.UTC = RealDate.UTC;
    FakeDate.toString = () => RealDate.toString();

    Object.assign(clock, {
      Date: FakeDate,
      setTimeout: (callback, milliseconds, ...args) => add(callback, milliseconds, args, null),
      setInterval: (callback, milliseconds, ...args) => add(callback, milliseconds, args, milliseconds),
      setImmediate: (callback, ...args) => add(callback, 0, args, null),
      clearTimeout: clear,
      clearInterval: clear,
      clearImmediate: clear,
      advanceTimersByTime(milliseconds) {
        const target = clock.now + Math.max(0, Number(milliseconds) || 0);
        for (let count = 0; ; count++) {
          if (count >= timerLimit) throw tooMany();
          const timer = firstDue(target);
          if (timer === null) break;
          fire(timer);
        }
        clock.now = target;
      },
      async advanceTimersByTimeAsync(milliseconds) {
        const target = clock.now + Math.max(0, Number(milliseconds) || 0);
        for (let count = 0; ; count++) {
          if (count >= timerLimit) throw tooMany();
          await real.nextTurn();
          const timer = firstDue(target);
          if (timer === null) break;
          fire(timer);
        }
        clock.now = target;
      },
      runAllTimers() {
        for (let count = 0; count < timerLimit; count++) {
          const timer = firstDue(Infinity);
          if (timer === null) return;
          fire(timer);
        }
        throw tooMany();
      },
      async runAllTimersAsync() {
        for (let count = 0; count < timerLimit; count++) {
          await real.nextTurn();
          const timer = firstDue(Infinity);
          if (timer === null) return;
          fire(timer);
        }
        throw tooMany();
      },
      runOnlyPendingTimers() {
        const last = Math.max(clock.now, ...[...timers.values()].map((timer) => timer.callAt));
        clock.advanceTimersByTime(last - clock.now);
      },
      async runOnlyPendingTimersAsync() {
        const last = Math.max(clock.now, ...[...timers.values()].map((timer) => timer.callAt));
        await clock.advanceTimersByTimeAsync(last - clock.now);
      },
      advanceTimersToNextTimer(steps = 1) {
        for (let step = 0; step < steps; step++) {
          const timer = firstDue(Infinity);
          if (timer === null) return;
          clock.advanceTimersByTime(timer.callAt - clock.now);
        }
      },
      clearAllTimers: () => timers.clear(),
      getTimerCount: () => timers.size,
      setSystemTime: (now) => {
        clock.now = now === undefined ? RealDate.now() : +new RealDate(now);
      },
    });
    return clock;
  };

  const fakeableNames = ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'];
  let fake = null;

  const install = (source, names) => {
    for (const name of fakeableNames) {
      Object.defineProperty(globalThis, name, {
        value: names.includes(name) ? source[name] : real[name], writable: true, configurable: true, enumerable: false,
      });
    }
  };

  const requireFake = (name) => {
    if (fake === null) {
      throw new Error(`A function to advance timers was called but the timers APIs are not replaced with fake timers. Call \`jest.useFakeTimers()\` in this test file or enable fake timers for all tests by setting 'fakeTimers': {'enableGlobally': true} in Jest configuration file.\n\n(jest.${name})`);
    }
    return fake;
  };

  // `jest.useFakeTimers(config)`: {now, doNotFake, timerLimit, legacyFakeTimers}; 'legacy' keeps the real Date.
  const useFakeTimers = (config = {}) => {
    const options = typeof config === 'string' ? { legacyFakeTimers: config === 'legacy' } : config || {};
    const doNotFake = new Set(options.doNotFake || []);
    if (options.legacyFakeTimers) doNotFake.add('Date');
    const start = options.now === undefined ? RealDate.now() : +new RealDate(options.now);
    fake = createFakeClock(start, options.timerLimit || defaultTimerLimit);
    install(fake, fakeableNames.filter((name) => !doNotFake.has(name)));
  };
  const useRealTimers = () => {
    fake = null;
    install(real, []);
  };
  install(real, []);

  const forward = (name) => (...args) => requireFake(name)[name](...args);
  return {
    real,
    api: {
      useFakeTimers,
      useRealTimers,
      isFakeTimers: () => fake !== null,
      advanceTimersByTime: forward('advanceTimersByTime'),
      advanceTimersByTimeAsync: forward('advanceTimersByTimeAsync'),
      advanceTimersToNextTimer: forward('advanceTimersToNextTimer'),
      runAllTimers: forward('runAllTimers'),
      runAllTimersAsync: forward('runAllTimersAsync'),
      runOnlyPendingTimers: forward('runOnlyPendingTimers'),
      runOnlyPendingTimersAsync: forward('runOnlyPendingTimersAsync'),
      runAllTicks: () => undefined,
      clearAllTimers: () => fake && fake.clearAllTimers(),
      getTimerCount: () => (fake ? fake.getTimerCount() : 0),
      setSystemTime: forward('setSystemTime'),
      now: () => (fake ? fake.now : RealDate.now()),
      getRealSystemTime: () => RealDate.now(),
    },
  };
}
