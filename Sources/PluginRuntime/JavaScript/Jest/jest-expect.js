(prettyFormat, jestDiff, jestMock, snapshots, state) => {
  'use strict';
  // expect: Jest's matchers, asymmetric matchers and equality (after expect and @jest/expect-utils v29), with
  // Jest's messages. `state` is the runner's per-test record: assertion counts, the test's name, snapshots.
  const asymmetricMatcherTag = Symbol.for('jest.asymmetricMatcher');
  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const tagOf = (value) => Object.prototype.toString.call(value);
  const isA = (typeName, value) => tagOf(value) === `[object ${typeName}]`;
  const isPromise = (value) => value != null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
  const isAsymmetric = (value) => value != null && value.$$typeof === asymmetricMatcherTag && typeof value.asymmetricMatch === 'function';
  const isError = (value) => value instanceof Error || isA('Error', value);

  // ---- equality ----

  const hasKey = (object, key) => hasOwn(object, key);
  const hasDefinedKey = (object, key) => hasKey(object, key) && object[key] !== undefined;
  const keysOf = (object, keyTest) => {
    const keys = [];
    for (const key in object) {
      if (keyTest(object, key)) keys.push(key);
    }
    for (const symbol of Object.getOwnPropertySymbols(object)) {
      if (Object.getOwnPropertyDescriptor(object, symbol).enumerable) keys.push(symbol);
    }
    return keys;
  };

  const asymmetricMatch = (a, b) => {
    const asymmetricA = isAsymmetric(a);
    const asymmetricB = isAsymmetric(b);
    if (asymmetricA && asymmetricB) return undefined;
    if (asymmetricA) return a.asymmetricMatch(b);
    if (asymmetricB) return b.asymmetricMatch(a);
    return undefined;
  };

  const eq = (a, b, aStack, bStack, testers, keyTest) => {
    const asymmetric = asymmetricMatch(a, b);
    if (asymmetric !== undefined) return asymmetric;
    for (const tester of testers) {
      const result = tester.call(testerContext, a, b, testers);
      if (result !== undefined) return result;
    }
    if (a instanceof Error && b instanceof Error) return a.message == b.message;
    if (Object.is(a, b)) return true;
    if (a === null || b === null) return a === b;
    const className = tagOf(a);
    if (className !== tagOf(b)) return false;
    switch (className) {
      case '[object Boolean]':
      case '[object String]':
      case '[object Number]':
        if (typeof a !== typeof b) return false;
        if (typeof a !== 'object' && typeof b !== 'object') return Object.is(a, b);
        return Object.is(a.valueOf(), b.valueOf());
      case '[object Date]':
        return +a === +b || (Number.isNaN(+a) && Number.isNaN(+b));
      case '[object RegExp]':
        return a.source === b.source && a.flags === b.flags;
      default:
    }
    if (typeof a !== 'object' || typeof b !== 'object') return false;
    for (let index = aStack.length - 1; index >= 0; index--) {
      if (aStack[index] === a) return bStack[index] === b;
      if (bStack[index] === b) return false;
    }
    aStack.push(a);
    bStack.push(b);
    if (keyTest === hasKey && className === '[object Array]' && a.length !== b.length) return false;
    const aKeys = keysOf(a, keyTest);
    if (keysOf(b, keyTest).length !== aKeys.length) return false;
    for (const key of aKeys) {
      if (!keyTest(b, key) || !eq(a[key], b[key], aStack, bStack, testers, keyTest)) return false;
    }
    aStack.pop();
    bStack.pop();
    return true;
  };

  const equals = (a, b, testers = [], strict = false) => eq(a, b, [], [], testers, strict ? hasKey : hasDefinedKey);
  const testerContext = { equals };

  const iterableEquality = (a, b, testers = [], aStack = [], bStack = []) => {
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) || Array.isArray(b) ||
      typeof a[Symbol.iterator] !== 'function' || typeof b[Symbol.iterator] !== 'function') {
      return undefined;
    }
    if (a.constructor !== b.constructor) return false;
    for (let index = aStack.length - 1; index >= 0; index--) {
      if (aStack[index] === a) return bStack[index] === b;
    }
    aStack.push(a);
    bStack.push(b);
    const withStack = (x, y) => iterableEquality(x, y, [...testers], [...aStack], [...bStack]);
    const inner = [...testers.filter((tester) => tester !== iterableEquality), withStack];
    const done = (result) => {
      aStack.pop();
      bStack.pop();
      return result;
    };
    if (a.size !== undefined) {
      if (a.size !== b.size) return done(false);
      if (isA('Set', a)) {
        for (const value of a) {
          if (!b.has(value) && ![...b].some((other) => equals(value, other, inner))) return done(false);
        }
        return done(true);
      }
      if (isA('Map', a)) {
        for (const [key, value] of a) {
          if (b.has(key) && equals(value, b.get(key), inner)) continue;
          if (![...b].some(([otherKey, otherValue]) => equals(key, otherKey, inner) && equals(value, otherValue, inner))) {
            return done(false);
          }
        }
        return done(true);
      }
    }
    const bIterator = b[Symbol.iterator]();
    for (const value of a) {
      const next = bIterator.next();
      if (next.done || !equals(value, next.value, inner)) return done(false);
    }
    if (!bIterator.next().done) return done(false);
    return done(true);
  };

  const isObjectWithKeys = (value) =>
    value !== null && typeof value === 'object' && !(value instanceof Error) && !Array.isArray(value) && !(value instanceof Date);
  const hasProperty = (object, key) => {
    if (!object || (typeof object !== 'object' && typeof object !== 'function') || object === Object.prototype) return false;
    return hasOwn(object, key) || hasProperty(Object.getPrototypeOf(object), key);
  };
  const subsetEquality = (object, subset, testers = []) => {
    const inner = testers.filter((tester) => tester !== subsetEquality);
    const withSeen = (seen = new WeakMap()) => (actual, expected) => {
      if (!isObjectWithKeys(expected)) return undefined;
      return [...Object.keys(expected), ...Object.getOwnPropertySymbols(expected)].every((key) => {
        if (isObjectWithKeys(expected[key])) {
          if (seen.has(expected[key])) return equals(actual[key], expected[key], inner);
          seen.set(expected[key], true);
        }
        const result = actual != null && hasProperty(actual, key) && equals(actual[key], expected[key], [...inner, withSeen(seen)]);
        seen.delete(expected[key]);
        return result;
      });
    };
    return withSeen()(object, subset);
  };
  const typeEquality = (a, b) => {
    if (a == null || b == null || a.constructor === b.constructor || (Array.isArray(a) && Array.isArray(b))) return undefined;
    return false;
  };
  const sparseArrayEquality = (a, b) => {
    if (!Array.isArray(a) || !Array.isArray(b)) return undefined;
    return equals(a, b, [iterableEquality, typeEquality], true) && equals(Object.keys(a), Object.keys(b));
  };
  const arrayBufferEquality = (a, b) => {
    const view = (value) => (value instanceof ArrayBuffer ? new DataView(value) : value instanceof DataView ? value : null);
    const x = view(a);
    const y = view(b);
    if (x === null || y === null) return undefined;
    if (x.byteLength !== y.byteLength) return false;
    for (let index = 0; index < x.byteLength; index++) {
      if (x.getUint8(index) !== y.getUint8(index)) return false;
    }
    return true;
  };
  const strictTesters = [iterableEquality, typeEquality, sparseArrayEquality, arrayBufferEquality];

  // The part of `object` that `subset` talks about, for toMatchObject's diff.
  const objectSubset = (object, subset, seen = new WeakMap()) => {
    if (Array.isArray(object) && Array.isArray(subset) && subset.length === object.length) {
      return subset.map((item, index) => objectSubset(object[index], item, seen));
    }
    if (object instanceof Date || !isObjectWithKeys(object) || !isObjectWithKeys(subset)) return object;
    if (equals(object, subset, [iterableEquality, subsetEquality])) return subset;
    if (seen.has(object)) return seen.get(object);
    const trimmed = {};
    seen.set(object, trimmed);
    for (const key of Object.keys(object)) {
      if (hasProperty(subset, key)) trimmed[key] = objectSubset(object[key], subset[key], seen);
    }
    return Object.keys(trimmed).length > 0 ? trimmed : object;
  };

  // ---- printing ----

  const stringify = (value, maxDepth = 10, maxWidth = 10) => {
    const options = { maxDepth, maxWidth, min: true, plugins: [prettyFormat.plugins.asymmetricMatcher] };
    let result;
    try {
      result = prettyFormat.format(value, options);
    } catch (_) {
      result = prettyFormat.format(value, { ...options, callToJSON: false });
    }
    if (result.length >= 10000 && maxDepth > 1) return stringify(value, Math.floor(maxDepth / 2), maxWidth);
    if (result.length >= 10000 && maxWidth > 1) return stringify(value, maxDepth, Math.floor(maxWidth / 2));
    return result;
  };
  const printReceived = (value) => stringify(value);
  const printExpected = (value) => stringify(value);

  const matcherHint = (name, received = 'received', expected = 'expected', options = {}) => {
    const { isNot = false, promise = '', secondArgument = '', comment = '', isDirectExpectCall = false } = options;
    let hint = isDirectExpectCall ? 'expect' : `expect(${received})`;
    if (promise) hint += `.${promise}`;
    if (isNot) hint += '.not';
    hint += name.startsWith('.') ? name : `.${name}`;
    hint += expected === '' ? '()' : `(${expected}${secondArgument ? `, ${secondArgument}` : ''})`;
    if (comment) hint += ` // ${comment}`;
    return hint;
  };

  const typeOf = (value) => {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (value instanceof Date) return 'date';
    if (value instanceof RegExp) return 'regexp';
    if (value instanceof Map) return 'map';
    if (value instanceof Set) return 'set';
    return typeof value;
  };

  // Swaps received values that an asymmetric matcher in `expected` accepts for that matcher, so the diff
  // shows only what really differs.
  const replaceMatched = (expected, received, seen = new Set()) => {
    const isReplaceable = (value) => value !== null && typeof value === 'object' && (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype);
    if (!isReplaceable(expected) || !isReplaceable(received) || seen.has(expected) || seen.has(received)) return { expected, received };
    seen.add(expected);
    seen.add(received);
    const copiedExpected = Array.isArray(expected) ? [...expected] : { ...expected };
    const copiedReceived = Array.isArray(received) ? [...received] : { ...received };
    for (const key of Object.keys(copiedExpected)) {
      const expectedValue = copiedExpected[key];
      if (!hasOwn(copiedReceived, key)) continue;
      if (isAsymmetric(expectedValue)) {
        if (expectedValue.asymmetricMatch(copiedReceived[key])) copiedReceived[key] = expectedValue;
      } else {
        const replaced = replaceMatched(expectedValue, copiedReceived[key], seen);
        copiedExpected[key] = replaced.expected;
        copiedReceived[key] = replaced.received;
      }
    }
    return { expected: copiedExpected, received: copiedReceived };
  };

  const printDiffOrStringify = (expected, received, expectedLabel = 'Expected', receivedLabel = 'Received') => {
    if (typeof expected === 'string' && typeof received === 'string' && expected !== received &&
      (expected.includes('\n') || received.includes('\n'))) {
      return jestDiff.diffStrings(expected, received, { aAnnotation: expectedLabel, bAnnotation: receivedLabel });
    }
    const kind = typeOf(expected);
    const lineDiffable = kind === typeOf(received) && (kind === 'object' || kind === 'array' || kind === 'map' || kind === 'set') &&
      !(isError(expected) && isError(received)) && !isAsymmetric(received);
    if (lineDiffable) {
      const replaced = replaceMatched(expected, received);
      const difference = jestDiff.diffValues(replaced.expected, replaced.received, {
        aAnnotation: expectedLabel, bAnnotation: receivedLabel, plugins: [prettyFormat.plugins.asymmetricMatcher],
      });
      if (difference !== null) return difference;
    }
    const width = Math.max(expectedLabel.length, receivedLabel.length) + 2;
    const receivedText = stringify(expected) === stringify(received) ? 'serializes to the same string' : printReceived(received);
    return `${`${expectedLabel}: `.padEnd(width)}${printExpected(expected)}\n${`${receivedLabel}: `.padEnd(width)}${receivedText}`;
  };

  // A message's aligned `Label: value` lines.
  const labelled = (...pairs) => {
    const width = Math.max(...pairs.map(([label]) => label.length)) + 2;
    return pairs.map(([label, value]) => `${`${label}: `.padEnd(width)}${value}`).join('\n');
  };

  class JestAssertionError extends Error {
    constructor(message, matcherResult) {
      super(message);
      this.name = 'Error';
      this.matcherResult = matcherResult;
    }
  }

  // A mistake in using a matcher (a wrong argument), reported as Jest does.
  const matcherError = (hint, generic, specific) =>
    new Error(`${hint}\n\nMatcher error: ${generic}${specific ? `\n\n${specific}` : ''}`);
  const printWithType = (name, value) => {
    const type = typeOf(value);
    return type === 'null' || type === 'undefined' ? `${name} has value: ${printReceived(value)}`
      : `${name} has type:  ${type}\n${name} has value: ${printReceived(value)}`;
  };
  const ensureNumbers = (received, expected, name, options) => {
    const isNumber = (value) => typeof value === 'number' || typeof value === 'bigint';
    if (!isNumber(received)) {
      throw matcherError(matcherHint(name, undefined, undefined, options), 'received value must be a number or bigint', printWithType('Received', received));
    }
    if (!isNumber(expected)) {
      throw matcherError(matcherHint(name, undefined, undefined, options), 'expected value must be a number or bigint', printWithType('Expected', expected));
    }
  };
  const ensureNoExpected = (expected, name, options) => {
    if (expected !== undefined) {
      throw matcherError(matcherHint(name, undefined, '', options), 'this matcher must not have an expected argument', printWithType('Expected', expected));
    }
  };

  // ---- asymmetric matchers ----

  class AsymmetricMatcher {
    constructor(sample, inverse = false) {
      this.sample = sample;
      this.inverse = inverse;
      this.$$typeof = asymmetricMatcherTag;
    }
  }
  const functionName = (value) => (value && value.name) || 'anonymous';
  class Any extends AsymmetricMatcher {
    constructor(sample) {
      if (sample === undefined) {
        throw new TypeError('any() expects to be passed a constructor function. Please pass one or use anything() to match any object.');
      }
      super(sample);
    }
    asymmetricMatch(other) {
      const primitives = [[String, 'string'], [Number, 'number'], [Function, 'function'], [Boolean, 'boolean'], [BigInt, 'bigint'], [Symbol, 'symbol']];
      for (const [constructor, type] of primitives) {
        if (this.sample === constructor) return typeof other === type || other instanceof constructor;
      }
      if (this.sample === Object) return typeof other === 'object';
      return other instanceof this.sample;
    }
    toString() { return 'Any'; }
    toAsymmetricMatcher() { return `Any<${functionName(this.sample)}>`; }
  }
  class Anything extends AsymmetricMatcher {
    asymmetricMatch(other) { return other !== null && other !== undefined; }
    toString() { return 'Anything'; }
    toAsymmetricMatcher() { return 'Anything'; }
  }
  class ArrayContaining extends AsymmetricMatcher {
    asymmetricMatch(other) {
      if (!Array.isArray(this.sample)) throw new Error(`You must provide an array to ${this.toString()}, not '${typeof this.sample}'.`);
      const result = this.sample.length === 0 ||
        (Array.isArray(other) && this.sample.every((item) => other.some((another) => equals(item, another))));
      return this.inverse ? !result : result;
    }
    toString() { return `Array${this.inverse ? 'Not' : ''}Containing`; }
  }
  class ObjectContaining extends AsymmetricMatcher {
    asymmetricMatch(other) {
      if (typeof this.sample !== 'object') throw new Error(`You must provide an object to ${this.toString()}, not '${typeof this.sample}'.`);
      let result = true;
      for (const key of Object.keys(this.sample)) {
        if (!hasProperty(other, key) || !equals(this.sample[key], other[key])) {
          result = false;
          break;
        }
      }
      return this.inverse ? !result : result;
    }
    toString() { return `Object${this.inverse ? 'Not' : ''}Containing`; }
  }
  class StringContaining extends AsymmetricMatcher {
    constructor(sample, inverse) {
      if (!isA('String', sample)) throw new Error('Expected is not a string');
      super(sample, inverse);
    }
    asymmetricMatch(other) {
      const result = isA('String', other) && other.includes(this.sample);
      return this.inverse ? !result : result;
    }
    toString() { return `String${this.inverse ? 'Not' : ''}Containing`; }
  }
  class StringMatching extends AsymmetricMatcher {
    constructor(sample, inverse) {
      if (!isA('String', sample) && !isA('RegExp', sample)) throw new Error('Expected is not a String or a RegExp');
      super(new RegExp(sample), inverse);
    }
    asymmetricMatch(other) {
      const result = isA('String', other) && this.sample.test(other);
      return this.inverse ? !result : result;
    }
    toString() { return `String${this.inverse ? 'Not' : ''}Matching`; }
  }
  class CloseTo extends AsymmetricMatcher {
    constructor(sample, precision = 2, inverse = false) {
      if (!isA('Number', sample)) throw new Error('Expected is not a Number');
      if (!isA('Number', precision)) throw new Error('Precision is not a Number');
      super(sample, inverse);
      this.precision = precision;
    }
    asymmetricMatch(other) {
      if (!isA('Number', other)) return false;
      const result = (other === Infinity && this.sample === Infinity) || (other === -Infinity && this.sample === -Infinity) ||
        Math.abs(this.sample - other) < 10 ** -this.precision / 2;
      return this.inverse ? !result : result;
    }
    toString() { return `Number${this.inverse ? 'Not' : ''}CloseTo`; }
    toAsymmetricMatcher() {
      return `${this.toString()} ${prettyFormat.format(this.sample)} (${this.precision} digit${this.precision === 1 ? '' : 's'})`;
    }
  }

  // ---- matchers ----

  const pathParts = (path) => {
    if (Array.isArray(path)) return path.map(String);
    return String(path).split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== '');
  };

  const thrownOf = (value) => ({
    value,
    isError: isError(value),
    message: isError(value) ? value.message : value != null && typeof value.message === 'string' ? value.message : String(value),
  });

  const ensureMock = (received, name, options, expected = 'expected') => {
    if (!jestMock.isMockFunction(received)) {
      throw matcherError(matcherHint(name, undefined, expected, options), 'received value must be a mock or spy function', printWithType('Received', received));
    }
  };
  const printArguments = (args) => args.map(printExpected).join(', ');
  const printCalls = (calls) => calls.map((args, index) => `${String(index + 1).padStart(6)}: ${args.length ? printArguments(args) : 'called with 0 arguments'}`).join('\n');
  const callsTail = (calls) => `\n\nNumber of calls: ${calls.length}`;
  const printResult = (result) => (result.type === 'throw' ? 'function call threw an error'
    : result.type === 'incomplete' ? 'function call has not returned yet' : printReceived(result.value));

  const matchers = {
    toBe(received, expected) {
      const options = { comment: 'Object.is equality', isNot: this.isNot, promise: this.promise };
      const pass = Object.is(received, expected);
      return {
        pass,
        message: () => {
          const hint = matcherHint('toBe', undefined, undefined, options);
          if (pass) return `${hint}\n\nExpected: not ${printExpected(expected)}`;
          let deep = '';
          if (typeOf(expected) !== 'map' && typeOf(expected) !== 'set') {
            if (equals(received, expected, strictTesters, true)) deep = 'toStrictEqual';
            else if (equals(received, expected, [iterableEquality])) deep = 'toEqual';
          }
          const advice = deep ? `If it should pass with deep equality, replace "toBe" with "${deep}"\n\n` : '';
          return `${hint}\n\n${advice}${printDiffOrStringify(expected, received)}`;
        },
      };
    },
    toEqual(received, expected) {
      const options = { comment: 'deep equality', isNot: this.isNot, promise: this.promise };
      const pass = equals(received, expected, [iterableEquality]);
      return { pass, message: () => deepMessage('toEqual', options, pass, received, expected) };
    },
    toStrictEqual(received, expected) {
      const options = { comment: 'deep equality', isNot: this.isNot, promise: this.promise };
      const pass = equals(received, expected, strictTesters, true);
      return { pass, message: () => deepMessage('toStrictEqual', options, pass, received, expected) };
    },
    toMatchObject(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (typeof received !== 'object' || received === null) {
        throw matcherError(matcherHint('toMatchObject', undefined, undefined, options), 'received value must be a non-null object', printWithType('Received', received));
      }
      if (typeof expected !== 'object' || expected === null) {
        throw matcherError(matcherHint('toMatchObject', undefined, undefined, options), 'expected value must be a non-null object', printWithType('Expected', expected));
      }
      const pass = equals(received, expected, [iterableEquality, subsetEquality]);
      return {
        pass,
        message: () => `${matcherHint('toMatchObject', undefined, undefined, options)}\n\n` + (pass
          ? `Expected: not ${printExpected(expected)}${stringify(expected) !== stringify(received) ? `\nReceived:     ${printReceived(received)}` : ''}`
          : printDiffOrStringify(expected, objectSubset(received, expected))),
      };
    },
    toBeTruthy(received, expected) { return truthiness.call(this, 'toBeTruthy', received, expected, Boolean(received)); },
    toBeFalsy(received, expected) { return truthiness.call(this, 'toBeFalsy', received, expected, !received); },
    toBeNull(received, expected) { return truthiness.call(this, 'toBeNull', received, expected, received === null); },
    toBeUndefined(received, expected) { return truthiness.call(this, 'toBeUndefined', received, expected, received === undefined); },
    toBeDefined(received, expected) { return truthiness.call(this, 'toBeDefined', received, expected, received !== undefined); },
    toBeNaN(received, expected) { return truthiness.call(this, 'toBeNaN', received, expected, Number.isNaN(received)); },
    toBeGreaterThan(received, expected) { return comparison.call(this, 'toBeGreaterThan', '>', received, expected, received > expected); },
    toBeGreaterThanOrEqual(received, expected) { return comparison.call(this, 'toBeGreaterThanOrEqual', '>=', received, expected, received >= expected); },
    toBeLessThan(received, expected) { return comparison.call(this, 'toBeLessThan', '<', received, expected, received < expected); },
    toBeLessThanOrEqual(received, expected) { return comparison.call(this, 'toBeLessThanOrEqual', '<=', received, expected, received <= expected); },
    toBeCloseTo(received, expected, precision = 2) {
      const options = { isNot: this.isNot, promise: this.promise, secondArgument: arguments.length > 2 ? 'precision' : '' };
      if (typeof received !== 'number') {
        throw matcherError(matcherHint('toBeCloseTo', undefined, undefined, options), 'received value must be a number', printWithType('Received', received));
      }
      if (typeof expected !== 'number') {
        throw matcherError(matcherHint('toBeCloseTo', undefined, undefined, options), 'expected value must be a number', printWithType('Expected', expected));
      }
      let pass = false;
      let expectedDifference = 0;
      let receivedDifference = 0;
      if (received === Infinity && expected === Infinity) pass = true;
      else if (received === -Infinity && expected === -Infinity) pass = true;
      else {
        expectedDifference = 10 ** -precision / 2;
        receivedDifference = Math.abs(expected - received);
        pass = receivedDifference < expectedDifference;
      }
      return {
        pass,
        message: () => `${matcherHint('toBeCloseTo', undefined, undefined, options)}\n\n` + (pass
          ? `Expected: not ${printExpected(expected)}` + (receivedDifference === 0 ? '' : `\nReceived:     ${printReceived(received)}\n\n` +
            labelled(['Expected precision', `    ${printExpected(precision)}`], ['Expected difference', `not < ${printExpected(expectedDifference)}`], ['Received difference', `    ${printReceived(receivedDifference)}`]))
          : `${labelled(['Expected', printExpected(expected)], ['Received', printReceived(received)])}\n\n` +
            labelled(['Expected precision', `  ${printExpected(precision)}`], ['Expected difference', `< ${printExpected(expectedDifference)}`], ['Received difference', `  ${printReceived(receivedDifference)}`])),
      };
    },
    toMatch(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (typeof received !== 'string') {
        throw matcherError(matcherHint('toMatch', undefined, undefined, options), 'received value must be a string', printWithType('Received', received));
      }
      if (typeof expected !== 'string' && !(expected instanceof RegExp)) {
        throw matcherError(matcherHint('toMatch', undefined, undefined, options), 'expected value must be a string or regular expression', printWithType('Expected', expected));
      }
      const pass = typeof expected === 'string' ? received.includes(expected) : new RegExp(expected).test(received);
      const label = typeof expected === 'string' ? 'substring' : 'pattern';
      return {
        pass,
        message: () => `${matcherHint('toMatch', undefined, undefined, options)}\n\n` + labelled(
          [`Expected ${label}`, `${pass ? 'not ' : ''}${printExpected(expected)}`], ['Received string', printReceived(received)]),
      };
    },
    toContain(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (received == null) {
        throw matcherError(matcherHint('toContain', undefined, undefined, options), 'received value must not be null nor undefined', printWithType('Received', received));
      }
      if (typeof received === 'string') {
        if (typeof expected !== 'string') {
          throw matcherError(matcherHint('toContain', undefined, undefined, options), 'expected value must be a string if received value is a string', printWithType('Expected', expected));
        }
        const pass = received.includes(expected);
        return {
          pass,
          message: () => `${matcherHint('toContain', undefined, undefined, options)}\n\n` +
            labelled(['Expected substring', `${pass ? 'not ' : ''}${printExpected(expected)}`], ['Received string', printReceived(received)]),
        };
      }
      if (typeof received[Symbol.iterator] !== 'function') {
        throw matcherError(matcherHint('toContain', undefined, undefined, options), 'received value must not be null nor undefined', printWithType('Received', received));
      }
      const items = Array.from(received);
      const index = items.findIndex((item) => item === expected);
      const pass = index !== -1;
      return {
        pass,
        message: () => `${matcherHint('toContain', undefined, undefined, options)}\n\n` +
          labelled(['Expected value', `${pass ? 'not ' : ''}${printExpected(expected)}`], [`Received ${typeOf(received)}`, printReceived(received)]) +
          (!pass && items.findIndex((item) => equals(item, expected, [iterableEquality])) !== -1
            ? '\n\nLooks like you wanted to test for object/array equality with the stricter `toContain` matcher. You probably need to use `toContainEqual` instead.'
            : ''),
      };
    },
    toContainEqual(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (received == null || typeof received[Symbol.iterator] !== 'function') {
        throw matcherError(matcherHint('toContainEqual', undefined, undefined, options), 'received value must not be null nor undefined', printWithType('Received', received));
      }
      const pass = Array.from(received).findIndex((item) => equals(item, expected, [iterableEquality])) !== -1;
      return {
        pass,
        message: () => `${matcherHint('toContainEqual', undefined, undefined, options)}\n\n` +
          labelled(['Expected value', `${pass ? 'not ' : ''}${printExpected(expected)}`], [`Received ${typeOf(received)}`, printReceived(received)]),
      };
    },
    toHaveLength(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (received == null || typeof received.length !== 'number') {
        throw matcherError(matcherHint('toHaveLength', undefined, undefined, options), 'received value must have a length property whose value must be a number', printWithType('Received', received));
      }
      if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) {
        throw matcherError(matcherHint('toHaveLength', undefined, undefined, options), 'expected value must be a non-negative integer', printWithType('Expected', expected));
      }
      const pass = received.length === expected;
      return {
        pass,
        message: () => `${matcherHint('toHaveLength', undefined, undefined, options)}\n\n` + labelled(
          ['Expected length', `${pass ? 'not ' : ''}${printExpected(expected)}`],
          ...(pass ? [] : [['Received length', printReceived(received.length)]]),
          [`Received ${typeOf(received)}`, printReceived(received)]),
      };
    },
    toHaveProperty(received, path, expectedValue) {
      const hasValue = arguments.length === 3;
      const options = { isNot: this.isNot, promise: this.promise, secondArgument: hasValue ? 'value' : '' };
      if (received == null) {
        throw matcherError(matcherHint('toHaveProperty', undefined, 'path', options), 'received value must not be null nor undefined', printWithType('Received', received));
      }
      const parts = pathParts(path);
      if (parts.length === 0) {
        throw matcherError(matcherHint('toHaveProperty', undefined, 'path', options), 'expected path must not be an empty array', printWithType('Expected', path));
      }
      let current = received;
      let reached = 0;
      let found = true;
      for (const part of parts) {
        if (current != null && (typeof current === 'object' || typeof current === 'function' || typeof current === 'string') && part in Object(current)) {
          current = current[part];
          reached++;
        } else {
          found = false;
          break;
        }
      }
      const pass = found && (!hasValue || equals(current, expectedValue, [iterableEquality]));
      return {
        pass,
        message: () => {
          const hint = matcherHint('toHaveProperty', undefined, 'path', options);
          if (pass) {
            return `${hint}\n\n` + labelled(['Expected path', `not ${printExpected(path)}`],
              ...(hasValue ? [['Expected value', `not ${printExpected(expectedValue)}`]] : []), ['Received value', printReceived(current)]);
          }
          if (found) {
            return `${hint}\n\n${labelled(['Expected path', printExpected(path)])}\n\n${printDiffOrStringify(expectedValue, current, 'Expected value', 'Received value')}`;
          }
          return `${hint}\n\n` + labelled(['Expected path', printExpected(path)], ['Received path', printReceived(Array.isArray(path) ? parts.slice(0, reached) : parts.slice(0, reached).join('.'))],
            ...(hasValue ? [['Expected value', printExpected(expectedValue)]] : []), ['Received value', printReceived(current)]);
        },
      };
    },
    toBeInstanceOf(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (typeof expected !== 'function') {
        throw matcherError(matcherHint('toBeInstanceOf', undefined, undefined, options), 'expected value must be a function', printWithType('Expected', expected));
      }
      const pass = received instanceof expected;
      const receivedConstructor = received == null ? null : Object.getPrototypeOf(Object(received))?.constructor;
      return {
        pass,
        message: () => `${matcherHint('toBeInstanceOf', undefined, undefined, options)}\n\n` + labelled(
          ['Expected constructor', `${pass ? 'not ' : ''}${functionName(expected)}`],
          receivedConstructor ? ['Received constructor', functionName(receivedConstructor)] : ['Received value', printReceived(received)]),
      };
    },
    toThrow(received, expected) { return throwMatcher.call(this, 'toThrow', received, expected); },
    toThrowError(received, expected) { return throwMatcher.call(this, 'toThrowError', received, expected); },

    toHaveBeenCalled(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureNoExpected(expected, 'toHaveBeenCalled', options);
      ensureMock(received, 'toHaveBeenCalled', options, '');
      const calls = received.mock.calls;
      const pass = calls.length > 0;
      return {
        pass,
        message: () => `${matcherHint('toHaveBeenCalled', undefined, '', options)}\n\n` + (pass
          ? `${labelled(['Expected number of calls', '0'], ['Received number of calls', String(calls.length)])}\n\n${printCalls(calls)}`
          : labelled(['Expected number of calls', '>= 1'], ['Received number of calls', '   0'])),
      };
    },
    toHaveBeenCalledTimes(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) {
        throw matcherError(matcherHint('toHaveBeenCalledTimes', undefined, 'expected', options), 'expected value must be a non-negative integer', printWithType('Expected', expected));
      }
      ensureMock(received, 'toHaveBeenCalledTimes', options);
      const count = received.mock.calls.length;
      const pass = count === expected;
      return {
        pass,
        message: () => `${matcherHint('toHaveBeenCalledTimes', undefined, 'expected', options)}\n\n` +
          labelled(['Expected number of calls', `${pass ? 'not ' : ''}${printExpected(expected)}`], ['Received number of calls', printReceived(count)]),
      };
    },
    toHaveBeenCalledWith(received, ...expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveBeenCalledWith', options, '...expected');
      const calls = received.mock.calls;
      const pass = calls.some((call) => equals(call, expected, [iterableEquality]));
      return {
        pass,
        message: () => `${matcherHint('toHaveBeenCalledWith', undefined, '...expected', options)}\n\n` +
          `Expected: ${pass ? 'not ' : ''}${printArguments(expected)}\n` +
          (calls.length === 1 && !pass ? `Received: ${printArguments(calls[0])}` : `Received\n${printCalls(calls)}`) + callsTail(calls),
      };
    },
    toHaveBeenLastCalledWith(received, ...expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveBeenLastCalledWith', options, '...expected');
      const calls = received.mock.calls;
      const last = calls[calls.length - 1];
      const pass = calls.length > 0 && equals(last, expected, [iterableEquality]);
      return {
        pass,
        message: () => `${matcherHint('toHaveBeenLastCalledWith', undefined, '...expected', options)}\n\n` +
          `Expected: ${pass ? 'not ' : ''}${printArguments(expected)}\n` +
          `Received: ${calls.length === 0 ? '(no calls)' : printArguments(last)}` + callsTail(calls),
      };
    },
    toHaveBeenNthCalledWith(received, nth, ...expected) {
      const options = { isNot: this.isNot, promise: this.promise, expectedColor: 'n' };
      if (!Number.isInteger(nth) || nth < 1) {
        throw matcherError(matcherHint('toHaveBeenNthCalledWith', undefined, 'n', options), 'n must be a positive integer', printWithType('n', nth));
      }
      ensureMock(received, 'toHaveBeenNthCalledWith', options, 'n');
      const calls = received.mock.calls;
      const pass = nth <= calls.length && equals(calls[nth - 1], expected, [iterableEquality]);
      return {
        pass,
        message: () => `${matcherHint('toHaveBeenNthCalledWith', undefined, 'n', { ...options, secondArgument: '...expected' })}\n\n` +
          `n: ${nth}\nExpected: ${pass ? 'not ' : ''}${printArguments(expected)}\n` +
          `Received: ${nth <= calls.length ? printArguments(calls[nth - 1]) : '(no such call)'}` + callsTail(calls),
      };
    },
    toHaveReturned(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureNoExpected(expected, 'toHaveReturned', options);
      ensureMock(received, 'toHaveReturned', options, '');
      const count = received.mock.results.filter((result) => result.type === 'return').length;
      const pass = count > 0;
      return {
        pass,
        message: () => `${matcherHint('toHaveReturned', undefined, '', options)}\n\n` +
          labelled(['Expected number of returns', pass ? '0' : '>= 1'], ['Received number of returns', pass ? String(count) : '   0']) +
          `\nReceived number of calls:   ${received.mock.calls.length}`,
      };
    },
    toHaveReturnedTimes(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveReturnedTimes', options);
      const count = received.mock.results.filter((result) => result.type === 'return').length;
      const pass = count === expected;
      return {
        pass,
        message: () => `${matcherHint('toHaveReturnedTimes', undefined, 'expected', options)}\n\n` +
          labelled(['Expected number of returns', `${pass ? 'not ' : ''}${printExpected(expected)}`], ['Received number of returns', printReceived(count)]),
      };
    },
    toHaveReturnedWith(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveReturnedWith', options);
      const results = received.mock.results;
      const pass = results.some((result) => result.type === 'return' && equals(result.value, expected, [iterableEquality]));
      return {
        pass,
        message: () => `${matcherHint('toHaveReturnedWith', undefined, 'expected', options)}\n\n` +
          `Expected: ${pass ? 'not ' : ''}${printExpected(expected)}\nReceived\n` +
          results.map((result, index) => `${String(index + 1).padStart(6)}: ${printResult(result)}`).join('\n') +
          `\n\nNumber of returns: ${results.filter((result) => result.type === 'return').length}`,
      };
    },
    toHaveLastReturnedWith(received, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveLastReturnedWith', options);
      const results = received.mock.results;
      const last = results[results.length - 1];
      const pass = last !== undefined && last.type === 'return' && equals(last.value, expected, [iterableEquality]);
      return {
        pass,
        message: () => `${matcherHint('toHaveLastReturnedWith', undefined, 'expected', options)}\n\n` +
          `Expected: ${pass ? 'not ' : ''}${printExpected(expected)}\nReceived: ${last === undefined ? '(no calls)' : printResult(last)}`,
      };
    },
    toHaveNthReturnedWith(received, nth, expected) {
      const options = { isNot: this.isNot, promise: this.promise };
      ensureMock(received, 'toHaveNthReturnedWith', options, 'n');
      const result = received.mock.results[nth - 1];
      const pass = result !== undefined && result.type === 'return' && equals(result.value, expected, [iterableEquality]);
      return {
        pass,
        message: () => `${matcherHint('toHaveNthReturnedWith', undefined, 'n', { ...options, secondArgument: 'expected' })}\n\n` +
          `n: ${nth}\nExpected: ${pass ? 'not ' : ''}${printExpected(expected)}\nReceived: ${result === undefined ? '(no such call)' : printResult(result)}`,
      };
    },

    toMatchSnapshot(received, propertiesOrHint, hint) {
      const [properties, name] = typeof propertiesOrHint === 'object' && propertiesOrHint !== null ? [propertiesOrHint, hint] : [undefined, propertiesOrHint];
      return snapshotMatch.call(this, 'toMatchSnapshot', received, { properties, hint: name, inline: false });
    },
    toMatchInlineSnapshot(received, propertiesOrSnapshot, snapshot) {
      const [properties, inlineSnapshot] = typeof propertiesOrSnapshot === 'object' && propertiesOrSnapshot !== null
        ? [propertiesOrSnapshot, snapshot] : [undefined, propertiesOrSnapshot];
      return snapshotMatch.call(this, 'toMatchInlineSnapshot', received, { properties, inline: true, inlineSnapshot });
    },
    toThrowErrorMatchingSnapshot(received, hint) {
      return snapshotMatch.call(this, 'toThrowErrorMatchingSnapshot', thrownMessage.call(this, 'toThrowErrorMatchingSnapshot', received), { hint, inline: false });
    },
    toThrowErrorMatchingInlineSnapshot(received, inlineSnapshot) {
      return snapshotMatch.call(this, 'toThrowErrorMatchingInlineSnapshot', thrownMessage.call(this, 'toThrowErrorMatchingInlineSnapshot', received), { inline: true, inlineSnapshot });
    },
  };
  const aliases = {
    toBeCalled: 'toHaveBeenCalled', toBeCalledTimes: 'toHaveBeenCalledTimes', toBeCalledWith: 'toHaveBeenCalledWith',
    lastCalledWith: 'toHaveBeenLastCalledWith', nthCalledWith: 'toHaveBeenNthCalledWith', toReturn: 'toHaveReturned',
    toReturnTimes: 'toHaveReturnedTimes', toReturnWith: 'toHaveReturnedWith', lastReturnedWith: 'toHaveLastReturnedWith',
    nthReturnedWith: 'toHaveNthReturnedWith',
  };
  for (const [alias, name] of Object.entries(aliases)) matchers[alias] = matchers[name];

  function deepMessage(name, options, pass, received, expected) {
    const hint = matcherHint(name, undefined, undefined, options);
    if (pass) {
      return `${hint}\n\nExpected: not ${printExpected(expected)}` +
        (stringify(expected) !== stringify(received) ? `\nReceived:     ${printReceived(received)}` : '');
    }
    return `${hint}\n\n${printDiffOrStringify(expected, received)}`;
  }

  function truthiness(name, received, expected, pass) {
    const options = { isNot: this.isNot, promise: this.promise };
    ensureNoExpected(expected, name, options);
    return { pass, message: () => `${matcherHint(name, undefined, '', options)}\n\nReceived: ${printReceived(received)}` };
  }

  function comparison(name, operator, received, expected, pass) {
    const options = { isNot: this.isNot, promise: this.promise };
    ensureNumbers(received, expected, name, options);
    return {
      pass,
      message: () => `${matcherHint(name, undefined, undefined, options)}\n\n` +
        `Expected:${this.isNot ? ' not' : ''} ${operator} ${printExpected(expected)}\n` +
        `Received:${this.isNot ? '    ' : ''} ${' '.repeat(operator.length)} ${printReceived(received)}`,
    };
  }

  function throwMatcher(name, received, expected) {
    const options = { isNot: this.isNot, promise: this.promise };
    const fromPromise = this.promise === 'rejects' || this.promise === 'resolves';
    let thrown = null;
    if (fromPromise) {
      thrown = thrownOf(received);
    } else if (typeof received === 'function') {
      try {
        received();
      } catch (error) {
        thrown = thrownOf(error);
      }
    } else {
      throw matcherError(matcherHint(name, undefined, undefined, options), 'received value must be a function', printWithType('Received', received));
    }
    const hint = matcherHint(name, undefined, expected === undefined ? '' : 'expected', options);
    const describeThrown = () => (thrown === null ? 'Received function did not throw'
      : thrown.isError ? labelled(['Error name', printReceived(thrown.value.name)], ['Error message', printReceived(thrown.message)])
      : `Thrown value: ${printReceived(thrown.value)}`);
    if (expected === undefined) {
      const pass = thrown !== null;
      return { pass, message: () => `${hint}\n\n${describeThrown()}` };
    }
    if (typeof expected === 'function') {
      const pass = thrown !== null && thrown.value instanceof expected;
      return {
        pass,
        message: () => `${hint}\n\n${labelled(['Expected constructor', `${pass ? 'not ' : ''}${functionName(expected)}`])}\n` +
          (thrown === null ? '\nReceived function did not throw'
            : `${labelled(['Received constructor', functionName(thrown.value && thrown.value.constructor)])}\n\n${describeThrown()}`),
      };
    }
    if (isAsymmetric(expected)) {
      const pass = thrown !== null && expected.asymmetricMatch(thrown.value);
      return { pass, message: () => `${hint}\n\nExpected asymmetric matcher: ${pass ? 'not ' : ''}${printExpected(expected)}\n\n${describeThrown()}` };
    }
    if (typeof expected === 'string' || expected instanceof RegExp) {
      const pass = thrown !== null && (typeof expected === 'string' ? thrown.message.includes(expected) : new RegExp(expected).test(thrown.message));
      const label = typeof expected === 'string' ? 'Expected substring' : 'Expected pattern';
      return {
        pass,
        message: () => `${hint}\n\n${labelled([label, `${pass ? 'not ' : ''}${printExpected(expected)}`], ...(thrown === null ? [] : [['Received message', printReceived(thrown.message)]]))}` +
          (thrown === null ? '\n\nReceived function did not throw' : ''),
      };
    }
    if (expected !== null && typeof expected === 'object') {
      const pass = thrown !== null && thrown.message === expected.message;
      return {
        pass,
        message: () => `${hint}\n\n${labelled(['Expected message', `${pass ? 'not ' : ''}${printExpected(expected.message)}`], ...(thrown === null ? [] : [['Received message', printReceived(thrown.message)]]))}` +
          (thrown === null ? '\n\nReceived function did not throw' : ''),
      };
    }
    throw matcherError(hint, 'expected value must be a string or regular expression or class or error', printWithType('Expected', expected));
  }

  function thrownMessage(name, received) {
    const options = { isNot: this.isNot, promise: this.promise };
    if (this.promise === 'rejects') return isError(received) ? received.message : String(received);
    if (typeof received !== 'function') {
      throw matcherError(matcherHint(name, undefined, '', options), 'received value must be a function', printWithType('Received', received));
    }
    try {
      received();
    } catch (error) {
      return isError(error) ? error.message : String(error);
    }
    throw new JestAssertionError(`${matcherHint(name, undefined, '', options)}\n\nReceived function did not throw`);
  }

  function snapshotMatch(name, received, { properties, hint, inline, inlineSnapshot }) {
    const options = { isNot: this.isNot, promise: this.promise };
    if (this.isNot) throw matcherError(matcherHint(name, undefined, '', options), 'Snapshot matchers cannot be used with not');
    if (state.currentTestName === null) throw new Error(`${name} can only be used inside a test`);
    if (properties !== undefined) {
      if (received === null || typeof received !== 'object') {
        throw matcherError(matcherHint(name, undefined, 'properties', options), 'received value must be an object when the matcher has properties', printWithType('Received', received));
      }
      if (!equals(received, properties, [iterableEquality, subsetEquality])) {
        return {
          pass: false,
          message: () => `${matcherHint(name, undefined, 'properties', options)}\n\n${printDiffOrStringify(properties, objectSubset(received, properties))}`,
        };
      }
    }
    const result = snapshots.match({
      testName: state.currentTestName, received: properties === undefined ? received : mergeProperties(received, properties),
      hint, inline, inlineSnapshot, callSite: this.callSite,
    });
    return {
      pass: result.pass,
      message: () => `${matcherHint(name, undefined, properties === undefined ? '' : 'properties', options)}\n\n` +
        (result.expected === undefined ? `New snapshot was not written. The update flag must be explicitly passed to write a new snapshot.\n\nSnapshot name: \`${result.key}\``
          : `Snapshot name: \`${result.key}\`\n\n${jestDiff.diffStrings(result.expected, result.actual, { aAnnotation: 'Snapshot', bAnnotation: 'Received' })}`),
    };
  }

  // The received object with the property matchers put in, as jest-snapshot writes it.
  const mergeProperties = (target, properties) => {
    if (Array.isArray(target) && Array.isArray(properties)) {
      return target.map((item, index) => (index in properties ? mergeProperties(item, properties[index]) : item));
    }
    if (!isObjectWithKeys(target) || !isObjectWithKeys(properties) || isAsymmetric(properties)) return properties;
    const merged = { ...target };
    for (const key of Object.keys(properties)) merged[key] = key in target ? mergeProperties(target[key], properties[key]) : properties[key];
    return merged;
  };

  // ---- expect ----

  const customMatchers = {};
  const utils = { matcherHint, printReceived, printExpected, stringify, printDiffOrStringify, diff: (a, b) => jestDiff.diffValues(a, b), printWithType };

  // Calls a matcher as Jest does and throws its failure; `callSite` is an error made where `expect` was called.
  const applyMatcher = (name, matcher, received, args, isNot, promise, callSite) => {
    state.assertionCalls++;
    const context = { isNot, promise, equals, utils, callSite, expand: false, currentTestName: state.currentTestName };
    const fail = (result) => {
      const error = new JestAssertionError(result.message ? String(result.message()) : `expect(received).${name}(expected)`, result);
      error.stack = `Error: ${error.message}\n${callSite.stack || ''}`;
      throw error;
    };
    const check = (result) => {
      if (result === null || typeof result !== 'object' || typeof result.pass !== 'boolean') {
        throw new Error(`Unexpected return from a matcher function.\nMatcher functions should return an object in the following format:\n  {message?: string | function, pass: boolean}\n'${stringify(result)}' was returned`);
      }
      if (result.pass === isNot) fail(result);
    };
    const result = matcher.call(context, received, ...args);
    if (isPromise(result)) return result.then(check);
    check(result);
    return undefined;
  };

  const matcherNames = () => [...Object.keys(matchers), ...Object.keys(customMatchers)];
  const matcherFor = (name) => customMatchers[name] || matchers[name];

  const expect = (received, ...rest) => {
    if (rest.length !== 0) throw new Error('Expect takes at most one argument.');
    const callSite = new Error('expect');
    const build = (isNot, promise, value) => {
      const object = {};
      for (const name of matcherNames()) {
        object[name] = (...args) => applyMatcher(name, matcherFor(name), value, args, isNot, promise, callSite);
      }
      return object;
    };
    const settled = (promise, isNot) => {
      const object = {};
      for (const name of matcherNames()) {
        object[name] = (...args) => {
          // A failure of the promise itself, before any matcher: it counts as an assertion, as in Jest.
          const failure = (detail) => {
            state.assertionCalls++;
            const error = new JestAssertionError(`${matcherHint(name, undefined, '', { isNot, promise })}\n\n${detail}`);
            error.stack = `Error: ${error.message}\n${callSite.stack || ''}`;
            return error;
          };
          const actual = typeof received === 'function' ? received() : received;
          if (!isPromise(actual)) {
            return Promise.reject(failure(`Matcher error: received value must be a promise or a function returning a promise\n\n${printWithType('Received', actual)}`));
          }
          return actual.then(
            (value) => {
              if (promise === 'rejects') throw failure(`Received promise resolved instead of rejected\nResolved to value: ${printReceived(value)}`);
              return applyMatcher(name, matcherFor(name), value, args, isNot, promise, callSite);
            },
            (reason) => {
              if (promise === 'resolves') throw failure(`Received promise rejected instead of resolved\nRejected to value: ${printReceived(reason)}`);
              return applyMatcher(name, matcherFor(name), reason, args, isNot, promise, callSite);
            });
        };
      }
      return object;
    };
    const expectation = build(false, '', received);
    expectation.not = build(true, '', received);
    expectation.resolves = settled('resolves', false);
    expectation.resolves.not = settled('resolves', true);
    expectation.rejects = settled('rejects', false);
    expectation.rejects.not = settled('rejects', true);
    return expectation;
  };

  expect.any = (sample) => new Any(sample);
  expect.anything = () => new Anything();
  expect.arrayContaining = (sample) => new ArrayContaining(sample);
  expect.objectContaining = (sample) => new ObjectContaining(sample);
  expect.stringContaining = (sample) => new StringContaining(sample);
  expect.stringMatching = (sample) => new StringMatching(sample);
  expect.closeTo = (sample, precision) => new CloseTo(sample, precision);
  expect.not = {
    arrayContaining: (sample) => new ArrayContaining(sample, true),
    objectContaining: (sample) => new ObjectContaining(sample, true),
    stringContaining: (sample) => new StringContaining(sample, true),
    stringMatching: (sample) => new StringMatching(sample, true),
    closeTo: (sample, precision) => new CloseTo(sample, precision, true),
  };
  expect.assertions = (count) => {
    state.expectedAssertionsNumber = count;
    state.expectedAssertionsError = new Error('expect.assertions');
  };
  expect.hasAssertions = (...args) => {
    if (args.length !== 0) throw new Error('expect.hasAssertions() does not accept any arguments');
    state.isExpectingAssertions = true;
    state.isExpectingAssertionsError = new Error('expect.hasAssertions');
  };
  expect.getState = () => ({
    assertionCalls: state.assertionCalls,
    currentTestName: state.currentTestName,
    expectedAssertionsNumber: state.expectedAssertionsNumber,
    isExpectingAssertions: state.isExpectingAssertions,
    testPath: state.testPath,
  });
  expect.setState = (changes) => Object.assign(state, changes);
  expect.addSnapshotSerializer = (serializer) => snapshots.addSerializer(serializer);
  // Custom matchers, also as asymmetric matchers (`expect.myMatcher(...)`, `expect.not.myMatcher(...)`).
  expect.extend = (added) => {
    for (const [name, matcher] of Object.entries(added)) {
      if (typeof matcher !== 'function') throw new Error(`expect.extend: \`${name}\` is not a valid matcher. Must be a function, is "${typeof matcher}"`);
      customMatchers[name] = matcher;
      class CustomMatcher extends AsymmetricMatcher {
        constructor(inverse, ...sample) {
          super(sample, inverse);
        }
        asymmetricMatch(other) {
          const { pass } = matcher.call({ isNot: this.inverse, promise: '', equals, utils }, other, ...this.sample);
          return this.inverse ? !pass : pass;
        }
        toString() { return `${this.inverse ? 'not.' : ''}${name}`; }
        toAsymmetricMatcher() { return `${this.toString()}<${this.sample.map((item) => stringify(item)).join(', ')}>`; }
      }
      expect[name] = (...sample) => new CustomMatcher(false, ...sample);
      expect.not[name] = (...sample) => new CustomMatcher(true, ...sample);
    }
  };

  // After a test: what expect.assertions / hasAssertions asked for, as errors.
  const assertionCountErrors = () => {
    const errors = [];
    const count = state.assertionCalls;
    const numbers = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen'];
    const plural = (n) => `${numbers[n] || n} assertion${n === 1 ? '' : 's'}`;
    if (typeof state.expectedAssertionsNumber === 'number' && count !== state.expectedAssertionsNumber) {
      const error = new JestAssertionError(`${matcherHint('assertions', '', String(state.expectedAssertionsNumber), { isDirectExpectCall: true })}\n\n` +
        `Expected ${plural(state.expectedAssertionsNumber)} to be called but received ${plural(count)} call${count === 1 ? '' : 's'}.`);
      error.stack = `Error: ${error.message}\n${state.expectedAssertionsError.stack || ''}`;
      errors.push(error);
    }
    if (state.isExpectingAssertions && count === 0) {
      const error = new JestAssertionError(`${matcherHint('hasAssertions', '', '', { isDirectExpectCall: true })}\n\nExpected at least one assertion to be called but received none.`);
      error.stack = `Error: ${error.message}\n${state.isExpectingAssertionsError.stack || ''}`;
      errors.push(error);
    }
    return errors;
  };

  return { expect, equals, assertionCountErrors, JestAssertionError };
}
