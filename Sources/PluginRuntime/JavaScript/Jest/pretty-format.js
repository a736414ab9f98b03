() => {
  'use strict';
  // Jest's pretty-format (v29): how expect prints values in messages and diffs, and how snapshots are written.
  const toString = Object.prototype.toString;
  const toISOString = Date.prototype.toISOString;
  const errorToString = Error.prototype.toString;
  const regExpToString = RegExp.prototype.toString;
  const asymmetricMatcherTag = Symbol.for('jest.asymmetricMatcher');

  const defaults = {
    callToJSON: true,
    compareKeys: undefined,
    escapeRegex: false,
    escapeString: true,
    indent: 2,
    maxDepth: Infinity,
    maxWidth: Infinity,
    min: false,
    plugins: [],
    printBasicPrototype: true,
    printFunctionName: true,
  };

  const constructorName = (value) => {
    try {
      return (typeof value.constructor === 'function' && value.constructor.name) || 'Object';
    } catch (_) {
      return 'Object';
    }
  };
  const isArrayTag = (tag) =>
    tag === '[object Array]' || tag === '[object ArrayBuffer]' || tag === '[object DataView]' ||
    /^\[object (?:Float32|Float64|Int8|Int16|Int32|Uint8|Uint8Clamped|Uint16|Uint32|BigInt64|BigUint64)Array\]$/.test(tag);

  const printFunction = (value, printFunctionName) =>
    printFunctionName ? `[Function ${value.name || 'anonymous'}]` : '[Function]';
  const printSymbol = (value) => String(value).replace(/^Symbol\((.*)\)(.*)$/, 'Symbol($1)');
  const printError = (value) => `[${errorToString.call(value)}]`;

  const printBasicValue = (value, config) => {
    if (value === true || value === false) return `${value}`;
    if (value === undefined) return 'undefined';
    if (value === null) return 'null';
    const type = typeof value;
    if (type === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (type === 'bigint') return `${value}n`;
    if (type === 'string') return config.escapeString ? `"${value.replace(/"|\\/g, '\\$&')}"` : `"${value}"`;
    if (type === 'function') return printFunction(value, config.printFunctionName);
    if (type === 'symbol') return printSymbol(value);
    const tag = toString.call(value);
    if (tag === '[object WeakMap]') return 'WeakMap {}';
    if (tag === '[object WeakSet]') return 'WeakSet {}';
    if (tag === '[object Function]' || tag === '[object GeneratorFunction]') {
      return printFunction(value, config.printFunctionName);
    }
    if (tag === '[object Symbol]') return printSymbol(value);
    if (tag === '[object Date]') return Number.isNaN(+value) ? 'Date { NaN }' : toISOString.call(value);
    if (tag === '[object Error]') return printError(value);
    if (tag === '[object RegExp]') {
      const text = regExpToString.call(value);
      return config.escapeRegex ? text.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&') : text;
    }
    if (value instanceof Error) return printError(value);
    return null;
  };

  const keysOf = (object, compareKeys) => {
    const names = Object.keys(object);
    const keys = compareKeys === null ? names : names.sort(compareKeys);
    for (const symbol of Object.getOwnPropertySymbols(object)) {
      if (Object.getOwnPropertyDescriptor(object, symbol).enumerable) keys.push(symbol);
    }
    return keys;
  };

  const printListItems = (list, config, indentation, depth, refs, printer) => {
    const items = list instanceof ArrayBuffer ? new DataView(list) : list;
    const isDataView = items instanceof DataView;
    const length = isDataView ? items.byteLength : items.length;
    if (length === 0) return '';
    let result = config.spacingOuter;
    const next = indentation + config.indent;
    for (let index = 0; index < length; index++) {
      result += next;
      if (index === config.maxWidth) {
        result += '…';
        break;
      }
      result += printer(isDataView ? items.getInt8(index) : items[index], config, next, depth, refs);
      if (index < length - 1) result += `,${config.spacingInner}`;
      else if (!config.min) result += ',';
    }
    return result + config.spacingOuter + indentation;
  };

  const printObjectProperties = (object, config, indentation, depth, refs, printer) => {
    const keys = keysOf(object, config.compareKeys);
    if (keys.length === 0) return '';
    let result = config.spacingOuter;
    const next = indentation + config.indent;
    keys.forEach((key, index) => {
      const name = printer(key, config, next, depth, refs);
      const value = printer(object[key], config, next, depth, refs);
      result += `${next}${name}: ${value}`;
      if (index < keys.length - 1) result += `,${config.spacingInner}`;
      else if (!config.min) result += ',';
    });
    return result + config.spacingOuter + indentation;
  };

  const printIterator = (iterator, config, indentation, depth, refs, printer, entries) => {
    let current = iterator.next();
    if (current.done) return '';
    let result = config.spacingOuter;
    const next = indentation + config.indent;
    let width = 0;
    while (!current.done) {
      result += next;
      if (width++ === config.maxWidth) {
        result += '…';
        break;
      }
      result += entries
        ? `${printer(current.value[0], config, next, depth, refs)} => ${printer(current.value[1], config, next, depth, refs)}`
        : printer(current.value, config, next, depth, refs);
      current = iterator.next();
      if (!current.done) result += `,${config.spacingInner}`;
      else if (!config.min) result += ',';
    }
    return result + config.spacingOuter + indentation;
  };

  const printComplexValue = (value, config, indentation, depth, refs, hasCalledToJSON) => {
    if (refs.includes(value)) return '[Circular]';
    refs = [...refs, value];
    const hitMaxDepth = ++depth > config.maxDepth;
    const min = config.min;
    if (config.callToJSON && !hitMaxDepth && typeof value.toJSON === 'function' && !hasCalledToJSON) {
      return printer(value.toJSON(), config, indentation, depth, refs, true);
    }
    const tag = toString.call(value);
    if (tag === '[object Arguments]') {
      return hitMaxDepth
        ? '[Arguments]'
        : `${min ? '' : 'Arguments '}[${printListItems(value, config, indentation, depth, refs, printer)}]`;
    }
    if (isArrayTag(tag)) {
      const name = constructorName(value);
      if (hitMaxDepth) return `[${name}]`;
      const prefix = min || (!config.printBasicPrototype && name === 'Array') ? '' : `${name} `;
      return `${prefix}[${printListItems(value, config, indentation, depth, refs, printer)}]`;
    }
    if (tag === '[object Map]') {
      return hitMaxDepth ? '[Map]' : `Map {${printIterator(value.entries(), config, indentation, depth, refs, printer, true)}}`;
    }
    if (tag === '[object Set]') {
      return hitMaxDepth ? '[Set]' : `Set {${printIterator(value.values(), config, indentation, depth, refs, printer, false)}}`;
    }
    const name = constructorName(value);
    if (hitMaxDepth) return `[${name}]`;
    const prefix = min || (!config.printBasicPrototype && name === 'Object') ? '' : `${name} `;
    return `${prefix}{${printObjectProperties(value, config, indentation, depth, refs, printer)}}`;
  };

  function printer(value, config, indentation, depth, refs, hasCalledToJSON) {
    for (const plugin of config.plugins) {
      let matches = false;
      try {
        matches = plugin.test(value);
      } catch (_) {
        matches = false;
      }
      if (matches) {
        return plugin.serialize(value, config, indentation, depth, refs, printer);
      }
    }
    const basic = printBasicValue(value, config);
    if (basic !== null) return basic;
    return printComplexValue(value, config, indentation, depth, refs, hasCalledToJSON);
  }

  const asymmetricMatcher = {
    test: (value) => value != null && value.$$typeof === asymmetricMatcherTag,
    serialize(value, config, indentation, depth, refs, print) {
      const name = value.toString();
      if (name === 'ArrayContaining' || name === 'ArrayNotContaining') {
        if (++depth > config.maxDepth) return `[${name}]`;
        return `${name} [${printListItems(value.sample, config, indentation, depth, refs, print)}]`;
      }
      if (name === 'ObjectContaining' || name === 'ObjectNotContaining') {
        if (++depth > config.maxDepth) return `[${name}]`;
        return `${name} {${printObjectProperties(value.sample, config, indentation, depth, refs, print)}}`;
      }
      if (name === 'StringMatching' || name === 'StringNotMatching' || name === 'StringContaining' || name === 'StringNotContaining') {
        return `${name} ${print(value.sample, config, indentation, depth, refs)}`;
      }
      return value.toAsymmetricMatcher();
    },
  };

  // jest-snapshot's serializer for jest.fn(): its calls and results.
  const mockFunction = {
    test: (value) => typeof value === 'function' && value._isMockFunction === true,
    serialize(value, config, indentation, depth, refs, print) {
      const name = value.getMockName();
      const nameText = name === 'jest.fn()' ? '' : ` ${name}`;
      if (value.mock.calls.length === 0) return `[MockFunction${nameText}]`;
      const next = indentation + config.indent;
      return `[MockFunction${nameText}] {${config.spacingOuter}${next}"calls": ${print(value.mock.calls, config, next, depth, refs)}` +
        `${config.min ? ', ' : ','}${config.spacingOuter}${next}"results": ${print(value.mock.results, config, next, depth, refs)}` +
        `${config.min ? '' : ','}${config.spacingOuter}${indentation}}`;
    },
  };

  const format = (value, options = {}) => {
    const config = { ...defaults, ...options };
    config.plugins = options.plugins || [];
    config.indent = config.min ? '' : ' '.repeat(config.indent);
    config.spacingInner = config.min ? ' ' : '\n';
    config.spacingOuter = config.min ? '' : '\n';
    const basic = config.plugins.length === 0 ? printBasicValue(value, config) : null;
    if (basic !== null) return basic;
    return printer(value, config, '', 0, []);
  };

  return { format, plugins: { asymmetricMatcher, mockFunction } };
}
