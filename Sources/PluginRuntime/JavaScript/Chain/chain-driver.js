// Runs a lane's events through a team's processEvent chain in one entry from the host, not one per plugin
// and event: evaluated once per script thread. The host hands over the events as one string (separated by
// U+001E, which JSON can't hold raw) and gets back one string of results, one status string and, only when
// something failed, short lists. A plugin that throws (or, told by the host, timed out) leaves the event as
// it was before it: the input, else the copy the plugin before it made (the prelude's chain step).
//
// The host learns which plugin runs from `state.k`; `units[0]` is bumped as each plugin's call begins, so the
// engine's watchdog holds each call, not the whole lane, to the time and memory limits.
(function chainDriver(originProperty, clock, units, bucketBounds) {
  'use strict';
  /* include utf8-length.js */
  const { isArray } = Array;
  const { stringify } = JSON;
  const isObjectLike = (value) => value !== null && (typeof value === 'object' || typeof value === 'function');
  // Only the parsed event's own fields: a plugin may have put getters on its realm's Object.prototype.
  const hasOwnProperty = Object.prototype.hasOwnProperty;
  const own = (object, key) => (isObjectLike(object) && hasOwnProperty.call(object, key) ? object[key] : undefined);

  // An event's flag, first in its status: what its result line is.
  const OUTPUT = 'o'; // the line is the event's JSON
  const UNCHANGED = 'u'; // the event is the input
  const DROPPED = 'd';
  const RECORDING = 'r'; // a session recording: it skips processEvent
  const MALFORMED = 'm'; // `messages` says why
  // Then one code per config of the chain.
  const SUCCEEDED = 's';
  const FAILED = 'f';
  const NOT_RUN = '-'; // no processEvent, or the event was dropped before it
  const EXCLUDED = 'x'; // the config captured the event itself: the event doesn't go to it at all

  // Per config in the tally: calls, seconds, errors, then the calls per duration bucket.
  const tallyWidth = 3 + bucketBounds.length + 1;
  const NEXT = 0;
  const DONE = 1;
  const PENDING = 2;

  /**
   * A lane's run, or `null` when `text` didn't arrive as `count` events (invalid UTF-8 empties it).
   * `plan`: `{ids, labels, deferred, ignored (per config: event names its exportEvents skips, or null), maxSize}`;
   * `steps[k]`: the config's chain step, `null` without processEvent, `false` when it can't run now. `parse`
   * and `copy` (or null) make events in the first plugin's realm.
   */
  const start = (text, count, plan, steps, recordLists, parse, copy) => {
    const lines = text.split('\u001e');
    if (lines.length !== count) return null;
    const width = plan.ids.length;
    return {
      lines, plan, steps, width, recordLists, parse, copy,
      index: 0, k: -1, inStep: false, started: 0, pending: null, token: 0, settled: 0, settledValue: undefined,
      event: null, line: '', teamId: undefined, origin: NaN, last: -1, restorePoint: null, unchecked: -1,
      dropped: false, codes: '',
      status: '', out: [], failures: [], messages: [], skips: [],
      tally: new Float64Array(width * tallyWidth),
    };
  };

  /** Runs until every event is done (false) or a plugin's promise must be waited for (true: `state.pending`). */
  const run = (state) => {
    const count = state.lines.length;
    while (state.index < count) {
      if (state.k < 0 && !begin(state)) {
        state.index += 1;
        continue;
      }
      while (state.k < state.width) {
        const outcome = visit(state, state.k);
        if (outcome === PENDING) return true;
        if (outcome === DONE) break;
        state.k += 1;
      }
      finish(state);
      state.index += 1;
      state.k = -1;
    }
    return false;
  };

  /**
   * Goes on after the promise of `state.k`'s plugin fulfilled with `value`, or rejected with `value` (with
   * `hostError`, the host has the error).
   */
  const resume = (state, fulfilled, value, hostError) => {
    const k = state.k;
    state.token += 1;
    state.pending = null;
    state.settledValue = undefined;
    state.inStep = false;
    count(state, k, !fulfilled);
    if (!fulfilled) fail(state, k, hostError ? null : value, hostError);
    else if (accept(state, k, value) === DONE) state.k = state.width - 1;
    state.k += 1;
    return run(state);
  };

  /** Goes on after the promise the host saw `settled`. */
  const resumeSettled = (state) => resume(state, state.settled === 1, state.settledValue, false);

  /**
   * After the host stopped the entry at a limit: the plugin that ran (if one did) failed and runs no more in
   * this lane; the event it had goes on as it was. The host records the error.
   */
  const stop = (state) => {
    state.token += 1;
    state.pending = null;
    state.settledValue = undefined;
    if (state.index >= state.lines.length) return false;
    if (state.inStep) {
      const k = state.k;
      state.inStep = false;
      state.steps[k] = false;
      fail(state, k, null, true);
      state.k = k + 1;
    } else {
      // Stopped in the driver's own work on the event (parsing or writing a huge one).
      malformed(state, 'the event could not be processed within the plugins\' limits');
      state.index += 1;
      state.k = -1;
    }
    return run(state);
  };

  const malformed = (state, message) => {
    state.status += MALFORMED + NOT_RUN.repeat(state.width);
    state.out.push('');
    state.messages.push(state.index, message);
    return false;
  };

  /** Parses and reads the event at `state.index`; false when it is done already. */
  const begin = (state) => {
    const { plan } = state;
    const line = state.lines[state.index];
    let event;
    try {
      event = state.parse(line);
    } catch (error) {
      return malformed(state, `event is not valid JSON: ${messageOf(error)}`);
    }
    if (!isObjectLike(event) || isArray(event)) return malformed(state, 'event is not a JSON object');
    const origin = own(own(event, 'properties'), originProperty);
    const originNumber = typeof origin === 'number' || typeof origin === 'string' ? Number(origin) : NaN;
    const { ids } = plan;
    const name = own(event, 'event');
    if (name === '$snapshot' || name === '$snapshot_items') {
      let codes = RECORDING;
      for (let k = 0; k < ids.length; k++) codes += ids[k] === originNumber ? EXCLUDED : NOT_RUN;
      state.status += codes;
      state.out.push('');
      return false;
    }
    // The last plugin with processEvent: its event isn't copied, its JSON form is the output.
    let last = -1;
    for (let k = 0; k < ids.length; k++) {
      if (state.steps[k] !== null && ids[k] !== originNumber) last = k;
    }
    state.event = event;
    state.line = line;
    state.teamId = own(event, 'team_id');
    state.origin = originNumber;
    state.last = last;
    state.restorePoint = null;
    state.unchecked = -1;
    state.dropped = false;
    state.codes = '';
    state.k = 0;
    return true;
  };

  const visit = (state, k) => {
    if (state.plan.ids[k] === state.origin) {
      state.codes += EXCLUDED;
      return NEXT;
    }
    const step = state.steps[k];
    if (step === null) {
      state.codes += NOT_RUN;
      return NEXT;
    }
    if (step === false) {
      state.codes += FAILED;
      return NEXT;
    }
    units[0] += 1;
    state.inStep = true;
    state.started = clock();
    let result;
    try {
      result = step(state.event, state.teamId, k !== state.last);
    } catch (error) {
      state.inStep = false;
      count(state, k, true);
      fail(state, k, error, false);
      return NEXT;
    }
    if (!isArray(result)) {
      // Most promises of async plugins have settled by the time the entry ends (JavaScriptCore runs the
      // microtasks then): the host sees `settled` and goes on at once, without waiting on the promise itself.
      const token = ++state.token;
      state.pending = result;
      state.settled = 0;
      result.then(
        (value) => {
          if (state.token !== token) return;
          state.settled = 1;
          state.settledValue = value;
        },
        (error) => {
          if (state.token !== token) return;
          state.settled = 2;
          state.settledValue = error;
        });
      return PENDING;
    }
    state.inStep = false;
    count(state, k, false);
    return accept(state, k, result);
  };

  /** The step's `[returned]` or `[returned, copy]`. */
  const accept = (state, k, result) => {
    const returned = result[0];
    if (returned === null) {
      state.codes += DROPPED;
      state.dropped = true;
      return DONE;
    }
    state.event = returned;
    if (result.length > 1) state.restorePoint = result[1];
    else state.unchecked = k;
    state.codes += SUCCEEDED;
    return NEXT;
  };

  const count = (state, k, failed) => {
    const seconds = clock() - state.started;
    const base = k * tallyWidth;
    const { tally } = state;
    tally[base] += 1;
    tally[base + 1] += seconds;
    if (failed) tally[base + 2] += 1;
    let bucket = 0;
    while (bucket < bucketBounds.length && seconds > bucketBounds[bucket]) bucket += 1;
    tally[base + 3 + bucket] += 1;
  };

  /** Config `k` failed on the event: it goes on as it was before. With `hostError`, the host has the error. */
  const fail = (state, k, error, hostError) => {
    state.codes = state.codes.slice(0, k) + FAILED;
    state.failures.push(state.index, k, error, restorePointJSON(state), hostError);
    state.event = restored(state);
  };

  const restorePointJSON = (state) => {
    if (state.restorePoint === null) return null;
    try {
      return stringify(state.restorePoint);
    } catch {
      return null;
    }
  };

  /** A fresh event as it was before the failed plugin, made in the first plugin's realm. */
  const restored = (state) => {
    const { restorePoint } = state;
    if (restorePoint !== null) {
      try {
        return state.copy !== null ? state.copy(restorePoint) : state.parse(stringify(restorePoint));
      } catch {
        // Made by the chain's own copy, so it has a JSON form; if not, the input is the next best.
      }
    }
    try {
      return state.parse(state.line);
    } catch {
      return state.event;
    }
  };

  const finish = (state) => {
    if (state.dropped) {
      state.status += DROPPED + state.codes + NOT_RUN.repeat(state.width - state.codes.length);
      state.out.push('');
      return;
    }
    const { plan } = state;
    if (state.unchecked >= 0) {
      try {
        if (isListed(state)) record(state);
        done(state, OUTPUT, jsonForm(state.event, plan.maxSize));
        return;
      } catch (error) {
        // As if the plugin had thrown: the event goes on as it was before it.
        const k = state.unchecked;
        state.codes = state.codes.slice(0, k) + FAILED + state.codes.slice(k + 1);
        state.failures.push(state.index, k, error, restorePointJSON(state), false);
        state.event = restored(state);
      }
    }
    const listed = isListed(state);
    if (!listed && state.restorePoint === null) {
      done(state, UNCHANGED, '');
      return;
    }
    let text;
    try {
      if (listed) record(state);
      text = stringify(state.event);
    } catch {
      text = undefined;
    }
    if (text === undefined) text = restorePointJSON(state);
    if (text === null) done(state, UNCHANGED, '');
    else done(state, OUTPUT, text);
  };

  const done = (state, flag, text) => {
    state.status += flag + state.codes;
    state.out.push(text);
    const { ignored } = state.plan;
    for (let k = 0; k < ignored.length; k++) {
      if (ignored[k] === null || state.codes[k] === EXCLUDED) continue;
      let name;
      try {
        name = String(state.event.event);
      } catch {
        name = '';
      }
      if (ignored[k].includes(name)) state.skips.push(state.index, k);
    }
  };

  /** The event's JSON, at most `maximumSize` bytes as UTF-8. */
  const jsonForm = (event, maximumSize) => {
    const text = stringify(event);
    if (text === undefined) throw new TypeError('processEvent returned an event that has no JSON form');
    if (text.length * 3 > maximumSize) {
      const size = utf8Length(text);
      if (size > maximumSize) {
        throw new RangeError(`processEvent returned an event of ${size} bytes as JSON, more than the ${maximumSize} allowed`);
      }
    }
    return text;
  };

  const isListed = (state) => {
    if (!state.recordLists) return false;
    const { codes } = state;
    const { deferred } = state.plan;
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k];
      if (code === SUCCEEDED || code === FAILED || (deferred[k] && code !== EXCLUDED)) return true;
    }
    return false;
  };

  /** Sets $plugins_succeeded, $plugins_failed and $plugins_deferred, in chain order. */
  const record = (state) => {
    const { codes, event } = state;
    const { labels, deferred } = state.plan;
    const succeeded = [];
    const failed = [];
    const deferredLabels = [];
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k];
      if (code === EXCLUDED) continue;
      if (code === SUCCEEDED) succeeded.push(labels[k]);
      else if (code === FAILED) failed.push(labels[k]);
      if (deferred[k]) deferredLabels.push(labels[k]);
    }
    let properties = event.properties;
    if (!isObjectLike(properties) || isArray(properties)) {
      properties = {};
      Reflect.set(event, 'properties', properties);
    }
    Reflect.set(properties, '$plugins_succeeded', succeeded);
    Reflect.set(properties, '$plugins_failed', failed);
    Reflect.set(properties, '$plugins_deferred', deferredLabels);
  };

  const messageOf = (error) => {
    try {
      return isObjectLike(error) ? String(error.message) : String(error);
    } catch {
      return 'unreadable error';
    }
  };

  /** What the host reads at the end: the results joined by newlines (JSON never holds one raw). */
  const results = (state) => [state.status, state.out.join('\n'), state.failures, state.messages, state.skips, state.tally];

  return { start, run, resume, resumeSettled, stop, results };
})
