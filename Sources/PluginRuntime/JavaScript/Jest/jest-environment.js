(parts, host, testHost, options) => {
  'use strict';
  // A test file's world: the globals a plugin VM has (module-backed ones, `require` of the same built-in
  // modules, RetryError, posthog), with a console that can be spied on, Jest's globals, `jest` with its module
  // mocks and timers, and the runner. The host evaluates the test bundle after this, then calls `run`.
  //
  // options: testPath (relative to the plugin folder, as the source map names it), testSource, absolutePath,
  // bundleURL, sourceMap (JSON text), snapshot {existing, update, format}, filter, testTimeout, clearMocks,
  // resetMocks, restoreMocks, actualModules ({package: CommonJS code} of packages the test mocks).
  const global = globalThis;
  const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const RealDate = Date;

  class RetryError extends Error {
    constructor(message) {
      super(message);
      this.name = 'RetryError';
    }
    toString() {
      return `RetryError: ${this.message}`;
    }
  }
  const native = Object.freeze(Object.assign(Object.create(null), host.native, { RetryError }));

  const prettyFormat = parts.prettyFormat();
  const jestDiff = parts.jestDiff(prettyFormat);
  const sourceMaps = parts.sourceMap();
  const bundleMap = sourceMaps.parse(options.sourceMap);
  const jestMock = parts.jestMock();
  const snapshotModule = parts.jestSnapshot(prettyFormat);

  // ---- where errors happened ----

  // The plugin's own places in a stack, through the bundle's source map: files of its node_modules last.
  const placesOf = (stack) => {
    const places = [];
    for (const frame of sourceMaps.frames(stack)) {
      if (frame.url !== options.bundleURL) continue;
      const place = bundleMap.locate(frame.line, frame.column);
      if (place && place.source) places.push({ ...place, name: frame.name });
    }
    return [...places.filter((place) => !place.source.includes('node_modules/')), ...places.filter((place) => place.source.includes('node_modules/'))];
  };

  // Babel's code frame: two lines around the place, the line marked, a caret under the column.
  const codeFrame = ({ source, line, column }) => {
    const content = bundleMap.contentOf(source);
    if (content === null) return '';
    const lines = content.split('\n');
    if (line < 1 || line > lines.length) return '';
    const first = Math.max(1, line - 2);
    const last = Math.min(lines.length, line + 3);
    const width = String(last).length;
    const frame = [];
    for (let number = first; number <= last; number++) {
      const text = lines[number - 1];
      frame.push(`${number === line ? '>' : ' '} ${String(number).padStart(width)} |${text === '' ? '' : ` ${text}`}`);
      if (number === line) {
        const before = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
        frame.push(`  ${' '.repeat(width)} | ${before}^`);
      }
    }
    return frame.join('\n');
  };

  const indent = (text, by) => text.split('\n').map((line) => (line === '' ? '' : by + line)).join('\n');

  const describeError = (error) => {
    if (error === null || error === undefined) return String(error);
    const name = String(error.name || 'Error');
    const message = String(error.message === undefined ? error : error.message);
    if (error.matcherResult !== undefined || name === 'Error') return message;
    return `${name}: ${message}`;
  };

  // `● title`, then each error's message, where it happened in the plugin's files, and that code.
  const formatFailure = (title, errors) => {
    const sections = errors.map((error) => {
      const places = placesOf(error && error.stack);
      let text = indent(describeError(error), '    ');
      if (places.length > 0) {
        text += `\n\n${places.slice(0, 6).map((place) => `      at ${place.name ? `${place.name} (` : ''}${place.source}:${place.line}:${place.column}${place.name ? ')' : ''}`).join('\n')}`;
        const frame = codeFrame(places[0]);
        if (frame !== '') text += `\n\n${indent(frame, '    ')}`;
      }
      return text;
    });
    return `● ${title}\n\n${sections.join('\n\n')}`;
  };

  // ---- expect, snapshots, timers, the runner ----

  const state = {
    assertionCalls: 0, currentTestName: null, expectedAssertionsNumber: null, isExpectingAssertions: false, testPath: options.testPath,
  };
  const snapshots = snapshotModule.create({
    existing: options.snapshot.existing,
    update: options.snapshot.update,
    format: options.snapshot.format,
    locate: (callSite) => {
      const place = placesOf(callSite && callSite.stack)[0];
      return place && place.source === options.testPath ? { line: place.line, column: place.column } : null;
    },
  });
  const expectModule = parts.jestExpect(prettyFormat, jestDiff, jestMock, snapshots, state);
  let runner = null;
  const timers = parts.jestTimers(native, (error) => runner.uncaught(error));
  runner = parts.jestCircus({
    native, host: testHost, state, expectModule, jestMock, prettyFormat, formatFailure, now: () => RealDate.now(),
    options: {
      filter: options.filter, testTimeout: options.testTimeout, clearMocks: options.clearMocks, resetMocks: options.resetMocks,
      restoreMocks: options.restoreMocks,
    },
  });

  // ---- modules ----

  // As the plugin VM names them; the scaffold's helpers also under the `.js` name its README uses.
  const moduleName = (requested) => {
    const name = String(requested).startsWith('node:') ? String(requested).slice(5) : String(requested);
    return name === '@posthog/plugin-scaffold/test/utils.js' ? '@posthog/plugin-scaffold/test/utils' : name;
  };
  const actualModules = Object.create(null);
  const mockFactories = new Map();
  const mockModules = new Map();
  const jestModules = {
    '@jest/globals': () => ({ jest, expect: expectModule.expect, ...runner.globals }),
    'jest-fetch-mock': () => parts.jestFetchMock(jest, requireActual('node-fetch'), setGlobalFetch),
  };

  const requireActual = (requested) => {
    const name = moduleName(requested);
    if (hasOwn(actualModules, name)) return actualModules[name];
    if (hasOwn(jestModules, name)) return (actualModules[name] = jestModules[name]());
    if (hasOwn(options.actualModules, name)) {
      const moduleObject = { exports: {} };
      actualModules[name] = moduleObject.exports;
      new Function('module', 'exports', 'require', options.actualModules[name])(moduleObject, moduleObject.exports, requireModule);
      return (actualModules[name] = moduleObject.exports);
    }
    const factory = host.loadModule(name);
    if (typeof factory !== 'function') throw new Error(host.moduleRefusal(name));
    const moduleObject = { exports: {} };
    actualModules[name] = moduleObject.exports;
    const returned = factory(requireModule, native, moduleObject);
    return (actualModules[name] = returned === undefined ? moduleObject.exports : returned);
  };

  function requireModule(requested) {
    const name = moduleName(requested);
    if (mockModules.has(name)) return mockModules.get(name);
    if (mockFactories.has(name)) {
      const factory = mockFactories.get(name);
      const made = factory === null ? jestMock.automock(requireActual(name)) : factory();
      mockModules.set(name, made);
      return made;
    }
    return requireActual(name);
  }

  const checkMockable = (name, method) => {
    if (name.startsWith('.') || name.startsWith('/')) {
      throw new Error(`jest.${method}('${name}'): the plugin's own files are bundled into the test, so only packages can be mocked ` +
        '(the modules Quill provides, such as node-fetch, and packages in node_modules)');
    }
  };

  // ---- jest ----

  const chained = (action) => (...args) => {
    action(...args);
    return jest;
  };
  const jest = {
    fn: jestMock.fn,
    spyOn: jestMock.spyOn,
    replaceProperty: jestMock.replaceProperty,
    isMockFunction: jestMock.isMockFunction,
    mocked: (value) => value,
    clearAllMocks: chained(jestMock.clearAllMocks),
    resetAllMocks: chained(jestMock.resetAllMocks),
    restoreAllMocks: chained(jestMock.restoreAllMocks),
    mock: chained((requested, factory) => {
      const name = moduleName(requested);
      checkMockable(name, 'mock');
      if (factory !== undefined && typeof factory !== 'function') throw new Error('The second argument of jest.mock must be a function (the module factory).');
      mockFactories.set(name, factory === undefined ? null : factory);
      mockModules.delete(name);
    }),
    unmock: chained((requested) => {
      const name = moduleName(requested);
      mockFactories.delete(name);
      mockModules.delete(name);
    }),
    setMock: chained((requested, exports) => {
      const name = moduleName(requested);
      checkMockable(name, 'setMock');
      mockFactories.set(name, () => exports);
      mockModules.set(name, exports);
    }),
    requireActual,
    requireMock: (requested) => {
      const name = moduleName(requested);
      if (mockModules.has(name) || mockFactories.has(name)) return requireModule(name);
      const made = jestMock.automock(requireActual(name));
      mockModules.set(name, made);
      return made;
    },
    createMockFromModule: (requested) => jestMock.automock(requireActual(requested)),
    resetModules: chained(() => {
      mockModules.clear();
      for (const name of Object.keys(actualModules)) delete actualModules[name];
    }),
    isolateModules: chained((fn) => fn()),
    setTimeout: chained((milliseconds) => runner.setTimeout(milliseconds)),
    ...timers.api,
    useFakeTimers: chained(timers.api.useFakeTimers),
    useRealTimers: chained(timers.api.useRealTimers),
  };
  jest.doMock = jest.mock;
  jest.dontMock = jest.unmock;
  jest.genMockFromModule = jest.createMockFromModule;

  // ---- globals ----

  const define = (name, value) => Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });

  // The plugin VM's console formatting, written to the test's output.
  /* include log-format.js */
  const consoleObject = {};
  for (const method of ['debug', 'log', 'info', 'warn', 'error']) {
    consoleObject[method] = (...args) => testHost.write(method, args.map(formatArgument).join(' '));
  }
  consoleObject.trace = consoleObject.debug;
  define('console', consoleObject);

  // Module-backed globals (Buffer, URL, …) as in the plugin VM; `fetch` follows node-fetch's mock, as the VM's
  // fetch is node-fetch, until a test assigns it.
  for (const [globalName, name, exportName] of host.moduleGlobals) {
    if (globalName === 'fetch') continue;
    Object.defineProperty(global, globalName, {
      configurable: true,
      enumerable: false,
      get() {
        const exported = requireActual(name);
        const value = exportName === null ? exported : exported[exportName];
        define(globalName, value);
        return value;
      },
      set(value) {
        define(globalName, value);
      },
    });
  }
  let assignedFetch;
  function setGlobalFetch(value) {
    assignedFetch = value;
  }
  Object.defineProperty(global, 'fetch', {
    configurable: true,
    enumerable: false,
    get: () => (assignedFetch === undefined ? requireModule('node-fetch') : assignedFetch),
    set: setGlobalFetch,
  });

  const notInTests = (name) => jestMock.fn(async () => {
    throw new Error(`${name} is not connected to a server in tests: mock it, e.g. ${name}.mockResolvedValue(…)`);
  });
  define('posthog', {
    capture: jestMock.fn(async () => undefined),
    api: {
      get: notInTests('posthog.api.get'), post: notInTests('posthog.api.post'), put: notInTests('posthog.api.put'),
      patch: notInTests('posthog.api.patch'), delete: notInTests('posthog.api.delete'),
    },
  });
  define('RetryError', RetryError);
  define('global', global);
  define('process', { env: {}, nextTick: (callback, ...args) => queueMicrotask(() => callback(...args)) });
  define('require', requireModule);
  define('module', { exports: {} });
  define('exports', global.module.exports);
  define('__filename', options.absolutePath);
  define('__dirname', options.absolutePath.replace(/\/[^/]*$/, '') || '/');
  define('jest', jest);
  define('expect', expectModule.expect);
  for (const [name, value] of Object.entries(runner.globals)) define(name, value);

  return {
    // The test bundle threw while it was evaluated (a top-level error, or a module that failed to load).
    loadError: (name, message, stack) => {
      testHost.report(JSON.stringify({ event: 'fileError', failure: formatFailure('Test suite failed to run', [{ name, message, stack }]) }));
    },
    // Runs the tests; resolves with the snapshot file and the test file's new source when they changed.
    run: async () => {
      const ranEveryTest = await runner.run();
      const { file, counts, inlineEdits } = snapshots.finish(ranEveryTest);
      let testSource = null;
      if (inlineEdits.length > 0) {
        const applied = snapshotModule.applyInlineEdits(options.testSource, inlineEdits);
        testSource = applied.source;
        counts.inlineUnwritable += applied.unplaced;
      }
      return JSON.stringify({ snapshotFile: file === undefined ? { keep: true } : { content: file }, counts, testSource });
    },
  };
}
