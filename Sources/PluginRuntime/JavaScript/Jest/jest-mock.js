() => {
  'use strict';
  // jest-mock: jest.fn, jest.spyOn, jest.replaceProperty and automatic mocks of whole modules.
  const mocks = new Set();
  const restorers = new Set();
  let invocationCallCounter = 1;

  const isClass = (value) => {
    try {
      return /^class\b/.test(Function.prototype.toString.call(value));
    } catch (_) {
      return false;
    }
  };
  const isMockFunction = (value) => typeof value === 'function' && value._isMockFunction === true;

  const freshState = () => ({ calls: [], instances: [], contexts: [], invocationCallOrder: [], results: [], lastCall: undefined });
  const freshConfig = () => ({ implementation: undefined, onceImplementations: [], name: 'jest.fn()' });

  // A mock function; `original` is what a spy calls through to, `restore` puts the spied property back.
  const makeMock = ({ implementation, length = 0, restore }) => {
    let state = freshState();
    let config = freshConfig();
    const mock = function (...args) {
      state.calls.push(args);
      state.instances.push(this);
      state.contexts.push(this);
      state.invocationCallOrder.push(invocationCallCounter++);
      state.lastCall = args;
      const result = { type: 'incomplete', value: undefined };
      state.results.push(result);
      const chosen = config.onceImplementations.length > 0
        ? config.onceImplementations.shift()
        : config.implementation !== undefined ? config.implementation : implementation;
      try {
        let value;
        if (chosen !== undefined) {
          value = new.target && isClass(chosen) ? Reflect.construct(chosen, args, new.target) : chosen.apply(this, args);
        }
        result.type = 'return';
        result.value = value;
        return value;
      } catch (error) {
        result.type = 'throw';
        result.value = error;
        throw error;
      }
    };
    Object.defineProperty(mock, 'length', { value: length, configurable: true });
    Object.defineProperty(mock, 'mock', { get: () => state, set: (value) => { state = value; }, configurable: true });
    Object.defineProperty(mock, '_isMockFunction', { value: true, configurable: true });
    const chain = (change) => (...args) => {
      change(...args);
      return mock;
    };
    Object.assign(mock, {
      getMockImplementation: () => config.implementation,
      getMockName: () => config.name,
      mockName: chain((name) => { config.name = name; }),
      mockClear: chain(() => { state = freshState(); }),
      mockReset: chain(() => {
        state = freshState();
        config = freshConfig();
      }),
      mockRestore: chain(() => {
        state = freshState();
        config = freshConfig();
        if (restore) restore();
      }),
      mockImplementation: chain((replacement) => { config.implementation = replacement; }),
      mockImplementationOnce: chain((replacement) => { config.onceImplementations.push(replacement); }),
      mockReturnValue: chain((value) => { config.implementation = () => value; }),
      mockReturnValueOnce: chain((value) => { config.onceImplementations.push(() => value); }),
      mockResolvedValue: chain((value) => { config.implementation = () => Promise.resolve(value); }),
      mockResolvedValueOnce: chain((value) => { config.onceImplementations.push(() => Promise.resolve(value)); }),
      mockRejectedValue: chain((value) => { config.implementation = () => Promise.reject(value); }),
      mockRejectedValueOnce: chain((value) => { config.onceImplementations.push(() => Promise.reject(value)); }),
      mockReturnThis: chain(() => { config.implementation = function () { return this; }; }),
      withImplementation(replacement, callback) {
        const previous = config.implementation;
        config.implementation = replacement;
        const returned = callback();
        if (returned && typeof returned.then === 'function') {
          return returned.then(() => { config.implementation = previous; });
        }
        config.implementation = previous;
        return undefined;
      },
    });
    mocks.add(mock);
    if (restore) restorers.add(mock);
    return mock;
  };

  const fn = (implementation) => makeMock({ implementation, length: implementation ? implementation.length : 0 });

  const describeKey = (key) => (typeof key === 'symbol' ? key.toString() : String(key));

  const spyOn = (object, key, accessType) => {
    if (object === null || (typeof object !== 'object' && typeof object !== 'function')) {
      throw new Error(`Cannot use spyOn on a primitive value; ${object === null ? 'null' : typeof object} given`);
    }
    if (accessType === 'get' || accessType === 'set') return spyOnAccessor(object, key, accessType);
    const original = object[key];
    if (isMockFunction(original)) return original;
    if (typeof original !== 'function') {
      throw new Error(`Cannot spy the ${describeKey(key)} property because it is not a function; ${original === null ? 'null' : typeof original} given instead`);
    }
    const own = Object.getOwnPropertyDescriptor(object, key);
    const restore = () => {
      if (own) Object.defineProperty(object, key, own);
      else delete object[key];
      restorers.delete(spy);
    };
    const spy = makeMock({
      implementation: function (...args) {
        return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
      },
      length: original.length,
      restore,
    });
    Object.defineProperty(object, key, {
      value: spy, writable: true, configurable: true, enumerable: own ? own.enumerable : false,
    });
    return spy;
  };

  const spyOnAccessor = (object, key, accessType) => {
    let owner = object;
    let descriptor;
    while (owner !== null && !(descriptor = Object.getOwnPropertyDescriptor(owner, key))) owner = Object.getPrototypeOf(owner);
    if (!descriptor) throw new Error(`${describeKey(key)} property does not exist`);
    if (!descriptor.configurable) throw new Error(`${describeKey(key)} is not declared configurable`);
    if (!descriptor[accessType]) throw new Error(`Property ${describeKey(key)} does not have access type ${accessType}`);
    const own = Object.getOwnPropertyDescriptor(object, key);
    const original = descriptor[accessType];
    const restore = () => {
      if (own) Object.defineProperty(object, key, own);
      else delete object[key];
      restorers.delete(spy);
    };
    const spy = makeMock({ implementation: function (...args) { return original.apply(this, args); }, length: original.length, restore });
    Object.defineProperty(object, key, { ...descriptor, [accessType]: spy });
    return spy;
  };

  const replaceProperty = (object, key, value) => {
    const own = Object.getOwnPropertyDescriptor(object, key);
    if (!own) throw new Error(`Property \`${describeKey(key)}\` does not exist in the provided object`);
    if (!own.configurable) throw new Error(`Property \`${describeKey(key)}\` is not declared configurable`);
    if (typeof own.get === 'function' || typeof own.set === 'function') {
      throw new Error(`Cannot replace the \`${describeKey(key)}\` property because it has a getter or setter. Use \`jest.spyOn\` instead.`);
    }
    const replaced = {
      replaceValue(next) {
        Object.defineProperty(object, key, { ...own, value: next });
        return replaced;
      },
      restore() {
        Object.defineProperty(object, key, own);
        restorers.delete(replaced);
      },
    };
    restorers.add(replaced);
    return replaced.replaceValue(value);
  };

  // The names jest-mock leaves out of a function's or regular expression's mock.
  const readOnlyNames = new Set(['arguments', 'caller', 'callee', 'name', 'length', 'source', 'global', 'ignoreCase', 'multiline']);
  const builtinPrototypes = new Set([Object.prototype, Function.prototype, RegExp.prototype]);
  const slotsOf = (value) => {
    const slots = new Set();
    for (let owner = value; owner !== null && !builtinPrototypes.has(owner); owner = Object.getPrototypeOf(owner)) {
      for (const name of Object.getOwnPropertyNames(owner)) {
        if (name !== '__proto__' && !readOnlyNames.has(name)) slots.add(name);
      }
    }
    return [...slots];
  };

  // What jest.mock(name) without a factory gives: the module's shape with every function a jest.fn() that
  // returns undefined, classes with mocked methods, other values kept; shared references stay shared.
  const automock = (actual) => {
    const made = new Map();
    const mockOf = (value) => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
      if (made.has(value)) return made.get(value);
      let result;
      if (typeof value === 'function') {
        result = makeMock({ length: value.length });
      } else if (Array.isArray(value)) {
        result = [];
      } else if (value instanceof RegExp) {
        made.set(value, new RegExp(value));
        return made.get(value);
      } else {
        result = {};
      }
      made.set(value, result);
      for (const slot of slotsOf(value)) {
        let member;
        try {
          member = value[slot];
        } catch (_) {
          continue;
        }
        try {
          result[slot] = mockOf(member);
        } catch (_) {
          // A read-only slot of the mock (a function's own non-writable property) keeps its value.
        }
      }
      return result;
    };
    return mockOf(actual);
  };

  return {
    fn,
    spyOn,
    replaceProperty,
    isMockFunction,
    automock,
    clearAllMocks: () => mocks.forEach((mock) => mock.mockClear()),
    resetAllMocks: () => mocks.forEach((mock) => mock.mockReset()),
    restoreAllMocks: () => [...restorers].forEach((restorer) => ('mockRestore' in restorer ? restorer.mockRestore() : restorer.restore())),
  };
}
