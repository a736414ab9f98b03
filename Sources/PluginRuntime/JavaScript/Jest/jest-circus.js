(environment) => {
  'use strict';
  const { native, host, state, expectModule, jestMock, prettyFormat, formatFailure, options, now } = environment;
  // The test runner (after jest-circus): describe/test/it with .each/.skip/.only/.todo, hooks scoped to their
  // describe block, async tests and `done`, time-outs. Each test is reported to the host as it finishes.
  const makeBlock = (name, parent, mode) => ({
    kind: 'describe', name, parent, mode, children: [],
    hooks: { beforeAll: [], beforeEach: [], afterEach: [], afterAll: [] },
  });
  const root = makeBlock(null, null, undefined);
  let current = root;
  let started = false;
  let hasFocus = false;
  let defaultTimeout = options.testTimeout;
  // The function (test or hook) running now, to fail it with an error thrown where it can't be caught.
  let running = null;
  const fileErrors = [];

  const ancestorsOf = (node) => {
    const chain = [];
    for (let block = node.parent; block !== null && block !== root; block = block.parent) chain.unshift(block);
    return chain;
  };
  const namesOf = (node) => [...ancestorsOf(node).map((block) => block.name), ...(node.kind === 'test' ? [node.name] : [])];

  const titleOf = (name) => {
    if (typeof name === 'string') return name;
    if (typeof name === 'function' && name.name) return name.name;
    if (typeof name === 'number' || typeof name === 'bigint' || typeof name === 'boolean') return String(name);
    throw new Error(`Invalid first argument, ${String(name)}. It must be a named class, named function, number, or string.`);
  };

  // ---- registration ----

  const describeWith = (mode) => (name, fn) => {
    const title = titleOf(name);
    if (started) {
      throw new Error(state.currentTestName !== null
        ? `Cannot nest a describe inside a test. Describe block "${title}" cannot run because it is nested within "${state.currentTestName}".`
        : 'Cannot add a describe block after tests have started running. Describe blocks must be defined synchronously.');
    }
    if (fn === undefined) throw new Error('Missing second argument. It must be a callback function.');
    if (typeof fn !== 'function') throw new Error(`Invalid second argument, ${String(fn)}. It must be a callback function.`);
    const block = makeBlock(title, current, mode);
    if (mode === 'only') hasFocus = true;
    current.children.push(block);
    current = block;
    try {
      const returned = fn();
      if (returned && typeof returned.then === 'function') {
        fileErrors.push({ title: `describe ${title}`, error: new Error('Returning a Promise from "describe" is not supported. Tests must be defined synchronously.') });
      }
    } catch (error) {
      fileErrors.push({ title: `describe ${title}`, error });
    } finally {
      current = block.parent;
    }
  };

  const testWith = (mode) => (name, fn, timeout) => {
    const title = titleOf(name);
    if (started) {
      if (state.currentTestName !== null) {
        throw new Error(`Tests cannot be nested. Test "${title}" cannot run because it is nested within "${state.currentTestName}".`);
      }
      throw new Error('Cannot add a test after tests have started running. Tests must be defined synchronously.');
    }
    if (mode === 'todo') {
      if (fn !== undefined) throw new Error('Todo must be called with only a description.');
    } else if (typeof fn !== 'function') {
      throw new Error(fn === undefined ? 'Missing second argument. It must be a callback function.'
        : `Invalid second argument, ${String(fn)}. It must be a callback function.`);
    }
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) {
      throw new Error(`Invalid timeout, ${String(timeout)}. It must be a positive number of milliseconds.`);
    }
    if (mode === 'only') hasFocus = true;
    current.children.push({ kind: 'test', name: title, fn, timeout, mode, parent: current, callSite: new Error('test') });
  };

  const hookWith = (kind) => (fn, timeout) => {
    if (started) throw new Error(`Hooks cannot be defined inside tests. Hook of type "${kind}" is nested within "${state.currentTestName}".`);
    if (typeof fn !== 'function') throw new Error(`Invalid first argument. It must be a callback function.`);
    current.hooks[kind].push({ fn, timeout, kind });
  };

  // ---- .each ----

  const printValue = (value) => prettyFormat.format(value, { maxDepth: 1, min: true });
  const formatPlaceholder = (placeholder, value) => {
    switch (placeholder) {
      case '%s': return typeof value === 'string' ? value : printValue(value);
      case '%d': return typeof value === 'bigint' ? `${value}n` : String(Number(value));
      case '%i': return String(Number.parseInt(value, 10));
      case '%f': return String(Number.parseFloat(value));
      case '%j':
        try {
          return JSON.stringify(value);
        } catch (_) {
          return '[Circular]';
        }
      default: return printValue(value);
    }
  };
  const formatArrayTitle = (title, args, index) => {
    let rest = [...args];
    let text = title.replace(/%#/g, String(index)).replace(/%\$/g, String(index + 1));
    text = text.replace(/%([sdifjoOp%])/g, (placeholder, letter) => {
      if (letter === '%') return '%';
      if (rest.length === 0) return placeholder;
      const [value] = rest;
      rest = rest.slice(1);
      return formatPlaceholder(placeholder, value);
    });
    return text;
  };
  const formatObjectTitle = (title, row, index) => title.replace(/%#/g, String(index)).replace(/%\$/g, String(index + 1))
    .replace(/\$([\w$]+(?:\.[\w$]+)*)/g, (match, path) => {
      let value = row;
      for (const part of path.split('.')) {
        if (value == null || !(part in Object(value))) return match;
        value = value[part];
      }
      return printValue(value);
    });

  // `table` is an array of rows (each an array of arguments, or one argument), or a tagged template's strings.
  const each = (register) => (table, ...templateValues) => (title, fn, timeout) => {
    const name = titleOf(title);
    if (Array.isArray(table) && Array.isArray(table.raw)) {
      const headings = table[0].split('|').map((heading) => heading.trim()).filter((heading) => heading !== '');
      if (headings.length === 0 || templateValues.length % headings.length !== 0) {
        throw new Error(`Tagged Template Literal test error: Not enough arguments supplied for given headings:\n${headings.join(' | ')}\n\nReceived:\n${printValue(templateValues)}\n\nMissing ${headings.length - (templateValues.length % headings.length)} argument(s)`);
      }
      for (let index = 0; index * headings.length < templateValues.length; index++) {
        const row = {};
        headings.forEach((heading, column) => { row[heading] = templateValues[index * headings.length + column]; });
        register(formatObjectTitle(name, row, index), fn && ((...rest) => fn(row, ...rest)), timeout, fn && fn.length > 1);
      }
      return;
    }
    if (!Array.isArray(table)) {
      throw new Error(`\`.each\` must be called with an Array or Tagged Template Literal.\n\nInstead was called with: ${printValue(table)}`);
    }
    if (table.length === 0) throw new Error('Error: `.each` called with an empty Array of table data.');
    const rows = table.every(Array.isArray) ? table : table.map((entry) => [entry]);
    rows.forEach((args, index) => {
      const single = args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0]);
      const text = single && /\$[\w$]/.test(name) && !/%[sdifjoOp]/.test(name) ? formatObjectTitle(name, args[0], index) : formatArrayTitle(name, args, index);
      register(text, fn && ((...rest) => fn(...args, ...rest)), timeout, fn && fn.length > args.length);
    });
  };

  // A test function of an `.each` row takes `done` when it has a parameter past the row's arguments.
  const eachTest = (mode) => (title, fn, timeout, takesDone) => {
    const wrapped = fn && takesDone ? (done) => fn(done) : fn;
    testWith(mode)(title, wrapped, timeout);
  };
  const eachDescribe = (mode) => (title, fn) => describeWith(mode)(title, fn);

  const makeTest = () => {
    const test = testWith(undefined);
    test.only = testWith('only');
    test.skip = testWith('skip');
    test.todo = testWith('todo');
    test.each = each(eachTest(undefined));
    test.only.each = each(eachTest('only'));
    test.skip.each = each(eachTest('skip'));
    test.concurrent = test;
    return test;
  };
  const test = makeTest();
  const describe = describeWith(undefined);
  describe.only = describeWith('only');
  describe.skip = describeWith('skip');
  describe.each = each(eachDescribe(undefined));
  describe.only.each = each(eachDescribe('only'));
  describe.skip.each = each(eachDescribe('skip'));

  const globals = {
    describe, fdescribe: describe.only, xdescribe: describe.skip,
    test, it: test, fit: test.only, xit: test.skip, xtest: test.skip,
    beforeAll: hookWith('beforeAll'), beforeEach: hookWith('beforeEach'),
    afterEach: hookWith('afterEach'), afterAll: hookWith('afterAll'),
  };

  // ---- running ----

  const filter = options.filter ? options.filter.toLowerCase() : null;
  const isRunnable = (node) => {
    if (node.mode === 'todo') return false;
    const chain = [...ancestorsOf(node), node];
    if (chain.some((item) => item.mode === 'skip')) return false;
    if (hasFocus && !chain.some((item) => item.mode === 'only')) return false;
    return filter === null || namesOf(node).join(' ').toLowerCase().includes(filter);
  };
  const hasRunnable = (block) => block.children.some((child) => (child.kind === 'test' ? isRunnable(child) : hasRunnable(child)));
  let skippedAny = false;

  const errorFrom = (thrown) => {
    if (thrown instanceof Error || Object.prototype.toString.call(thrown) === '[object Error]') return thrown;
    const error = new Error(`thrown: ${prettyFormat.format(thrown, { maxDepth: 3, min: true })}`);
    error.stack = '';
    return error;
  };

  const timeoutError = (kind, milliseconds, callSite) => {
    const error = new Error(`Exceeded timeout of ${milliseconds} ms for a ${kind}.\n` +
      `Add a timeout value to this ${kind} to increase the timeout, if this is a long-running ${kind}.`);
    error.stack = callSite ? callSite.stack : '';
    return error;
  };

  // Runs a test or hook function with its time limit; resolves with its error, or null. The function starts in
  // an entry into JavaScript of its own (a host timer's), so when the engine stops a synchronous loop in it at
  // the time limit (the host's `callStarts`) only that entry ends, and the time-out still settles the call.
  const call = (fn, timeout, kind, callSite) => new Promise((resolve) => {
    let settled = false;
    let timer = null;
    const settle = (error) => {
      if (settled) return;
      settled = true;
      running = null;
      if (timer !== null) native.clearTimer(timer);
      host.callEnds();
      resolve(error);
    };
    running = settle;
    host.callStarts(timeout);
    timer = native.setTimer(timeout, () => settle(timeoutError(kind, timeout, callSite)));
    native.setTimer(0, () => {
      if (settled) return;
      try {
        if (fn.length > 0) {
          let calls = 0;
          const done = (reason) => {
            calls++;
            if (calls > 1) {
              fileErrors.push({ title: state.currentTestName || kind, error: new Error('Expected done to be called once, but it was called multiple times.') });
              return;
            }
            if (reason === undefined || reason === null) settle(null);
            else settle(errorFrom(typeof reason === 'string' ? new Error(`Failed: ${JSON.stringify(reason)}`) : reason));
          };
          done.fail = (reason) => settle(errorFrom(reason === undefined ? new Error('Failed') : reason));
          const returned = fn.call({}, done);
          if (returned && typeof returned.then === 'function') {
            settle(new Error("Test functions cannot both take a 'done' callback and return something. Either use a 'done' callback, or return a promise."));
          }
          return;
        }
        const returned = fn.call({});
        if (returned && typeof returned.then === 'function') {
          returned.then(() => settle(null), (reason) => settle(reason === undefined ? new Error('Failed: undefined') : errorFrom(reason)));
        } else {
          settle(null);
        }
      } catch (error) {
        settle(errorFrom(error));
      }
    });
  });

  const resetState = (testName) => {
    state.assertionCalls = 0;
    state.expectedAssertionsNumber = null;
    state.isExpectingAssertions = false;
    state.currentTestName = testName;
  };

  const runTest = async (node, blockError) => {
    const names = namesOf(node);
    const report = (status, extra = {}) => host.report(JSON.stringify({ event: 'test', status, names, ...extra }));
    if (node.mode === 'todo') {
      report('todo');
      return;
    }
    if (!isRunnable(node)) {
      skippedAny = true;
      report('skipped');
      return;
    }
    const start = now();
    resetState(names.join(' '));
    const errors = [];
    if (blockError) {
      errors.push(blockError);
    } else {
      if (options.restoreMocks) jestMock.restoreAllMocks();
      if (options.resetMocks) jestMock.resetAllMocks();
      if (options.clearMocks) jestMock.clearAllMocks();
      const chain = [root, ...ancestorsOf(node)];
      let beforeFailed = false;
      for (const block of chain) {
        for (const hook of block.hooks.beforeEach) {
          if (beforeFailed) break;
          const error = await call(hook.fn, hook.timeout || defaultTimeout, 'hook', node.callSite);
          if (error) {
            errors.push(error);
            beforeFailed = true;
          }
        }
      }
      if (!beforeFailed) {
        const error = await call(node.fn, node.timeout || defaultTimeout, 'test', node.callSite);
        if (error) errors.push(error);
      }
      for (const block of chain.reverse()) {
        for (const hook of block.hooks.afterEach) {
          const error = await call(hook.fn, hook.timeout || defaultTimeout, 'hook', node.callSite);
          if (error) errors.push(error);
        }
      }
      if (errors.length === 0) errors.push(...expectModule.assertionCountErrors());
    }
    state.currentTestName = null;
    const duration = Math.round(now() - start);
    if (errors.length === 0) report('passed', { duration });
    else report('failed', { duration, failure: formatFailure(names.join(' › '), errors) });
  };

  const runBlock = async (block, inheritedError) => {
    const runnable = hasRunnable(block);
    let blockError = inheritedError;
    if (runnable && !blockError) {
      for (const hook of block.hooks.beforeAll) {
        const error = await call(hook.fn, hook.timeout || defaultTimeout, 'hook', null);
        if (error) {
          blockError = error;
          break;
        }
      }
    }
    for (const child of block.children) {
      if (child.kind === 'describe') await runBlock(child, blockError);
      else await runTest(child, blockError);
    }
    if (runnable) {
      for (const hook of block.hooks.afterAll) {
        const error = await call(hook.fn, hook.timeout || defaultTimeout, 'hook', null);
        if (error) fileErrors.push({ title: [...namesOf(block), block === root ? '' : block.name, 'afterAll'].filter(Boolean).join(' › '), error });
      }
    }
  };

  // Runs the collected tests; returns whether every test of the file ran (none skipped, filtered or focused away).
  const run = async () => {
    started = true;
    if (fileErrors.length === 0) await runBlock(root, null);
    for (const { title, error } of fileErrors) {
      host.report(JSON.stringify({ event: 'fileError', failure: formatFailure(title, [errorFrom(error)]) }));
    }
    return !skippedAny && fileErrors.length === 0;
  };

  return {
    globals,
    run,
    setTimeout: (milliseconds) => {
      defaultTimeout = milliseconds;
    },
    // An error thrown where nothing could catch it (a timer's callback): it fails what runs now, or the file.
    uncaught: (error) => {
      if (running !== null) running(errorFrom(error));
      else fileErrors.push({ title: 'uncaught error', error });
    },
  };
}
