(require, native, module) => {
  'use strict';
  /* include node-errors.js */
  const EventEmitter = require('events');
  const { Buffer } = require('buffer');

  // Node's streams as PostHog's plugins and the libraries they bundle use them: Readable (flowing and
  // paused), Writable (with backpressure), Duplex, Transform, PassThrough, pipe, pipeline and finished. The
  // constructors are functions, as Node's are, so `Readable.call(this)` works. Node defers to
  // process.nextTick where this defers to a microtask: nothing else runs in between here either.
  const defer = (callback, ...args) => {
    Promise.resolve().then(() => callback(...args));
  };
  const nothing = () => {};
  const streamError = (Base, code, message) => nodeError(Base, code, message);
  const writeAfterEnd = () => streamError(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
  const destroyedError = (method) =>
    streamError(Error, 'ERR_STREAM_DESTROYED', `Cannot call ${method} after a stream was destroyed`);
  const prematureClose = () => streamError(Error, 'ERR_STREAM_PREMATURE_CLOSE', 'Premature close');
  const notImplemented = (method) =>
    streamError(Error, 'ERR_METHOD_NOT_IMPLEMENTED', `The ${method} method is not implemented`);

  const highWaterMarkOf = (options, duplexKey, objectMode) => {
    const value = options.highWaterMark ?? (duplexKey ? options[duplexKey] : undefined);
    if (value === undefined || value === null) return objectMode ? 16 : 16 * 1024;
    if (!Number.isInteger(value) || value < 0) {
      throw streamError(TypeError, 'ERR_INVALID_ARG_VALUE', `The property 'options.highWaterMark' is invalid. Received ${value}`);
    }
    return value;
  };

  // Strings become Buffers (in the encoding given), byte views Buffers over the same memory; anything else
  // is refused. A Readable takes Uint8Arrays, a Writable any typed array or DataView, as in Node.
  const chunkOf = (chunk, encoding, objectMode, anyView = false) => {
    if (objectMode) return chunk;
    if (typeof chunk === 'string') return Buffer.from(chunk, encoding || 'utf8');
    if (Buffer.isBuffer(chunk)) return chunk;
    if (chunk instanceof Uint8Array || (anyView && ArrayBuffer.isView(chunk))) {
      return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    const expected = anyView ? 'Buffer, TypedArray, or DataView' : 'Buffer or Uint8Array';
    throw invalidArgType('chunk', `of type string or an instance of ${expected}`, chunk);
  };

  // ---- Stream, the common base ----

  function Stream(options) {
    EventEmitter.call(this, options);
  }
  Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
  Object.setPrototypeOf(Stream, EventEmitter);

  // Destroys the stream; `error` is emitted, then 'close', on a later turn.
  const destroy = function destroy(error, callback) {
    const readableState = this._readableState;
    const writableState = this._writableState;
    const state = writableState || readableState;
    if (state.destroyed) {
      if (typeof callback === 'function') callback();
      return this;
    }
    if (error && !state.errored) {
      if (readableState && !readableState.errored) readableState.errored = error;
      if (writableState && !writableState.errored) writableState.errored = error;
    }
    if (readableState) readableState.destroyed = true;
    if (writableState) writableState.destroyed = true;
    let called = false;
    const onDestroyed = (failure) => {
      if (called) return;
      called = true;
      if (failure && !state.errored) {
        if (readableState) readableState.errored = failure;
        if (writableState) writableState.errored = failure;
      }
      if (readableState) readableState.closed = true;
      if (writableState) writableState.closed = true;
      if (typeof callback === 'function') callback(failure);
      defer(() => {
        if (failure && !(readableState || writableState).errorEmitted) {
          if (readableState) readableState.errorEmitted = true;
          if (writableState) writableState.errorEmitted = true;
          this.emit('error', failure);
        }
        if (readableState) readableState.closeEmitted = true;
        if (writableState) writableState.closeEmitted = true;
        if ((readableState || writableState).emitClose) this.emit('close');
      });
    };
    try {
      this._destroy(error || null, onDestroyed);
    } catch (failure) {
      onDestroyed(failure);
    }
    return this;
  };

  // An error found by the stream itself: it destroys the stream when it destroys itself on errors.
  const errorOrDestroy = (stream, error) => {
    const readableState = stream._readableState;
    const writableState = stream._writableState;
    if ((writableState && writableState.destroyed) || (readableState && readableState.destroyed)) return;
    if ((readableState && readableState.autoDestroy) || (writableState && writableState.autoDestroy)) {
      stream.destroy(error);
      return;
    }
    if (readableState) readableState.errored = readableState.errored || error;
    if (writableState) writableState.errored = writableState.errored || error;
    defer(() => {
      if ((readableState || writableState).errorEmitted) return;
      if (readableState) readableState.errorEmitted = true;
      if (writableState) writableState.errorEmitted = true;
      stream.emit('error', error);
    });
  };

  // What both sides of a stream keep of its end: whether it was destroyed, failed, closed, and told so.
  const startLifecycle = (state, options) => {
    state.emitClose = options.emitClose !== false;
    state.autoDestroy = options.autoDestroy !== false;
    state.destroyed = false;
    state.errored = null;
    state.errorEmitted = false;
    state.closed = false;
    state.closeEmitted = false;
  };

  // ---- Readable ----

  function ReadableState(options, isDuplex) {
    this.objectMode = Boolean(options.objectMode || (isDuplex && options.readableObjectMode));
    this.highWaterMark = highWaterMarkOf(options, isDuplex && 'readableHighWaterMark', this.objectMode);
    this.buffer = [];
    this.length = 0;
    this.pipes = [];
    this.flowing = null;
    this.ended = false;
    this.endEmitted = false;
    this.reading = false;
    this.sync = true;
    this.needReadable = false;
    this.emittedReadable = false;
    this.readableListening = false;
    this.resumeScheduled = false;
    this.readingMore = false;
    this.paused = null;
    startLifecycle(this, options);
    this.dataEmitted = false;
    this.awaitDrainWriters = new Set();
    this.encoding = null;
    this.decoder = null;
    if (options.encoding) this.setEncoding(options.encoding);
  }
  ReadableState.prototype.setEncoding = function setEncoding(encoding) {
    this.encoding = encoding.toLowerCase().replace('-', '') === 'utf8' ? 'utf8' : encoding;
    this.decoder = new TextDecoder(this.encoding === 'utf8' ? 'utf-8' : this.encoding);
  };

  function Readable(options) {
    if (!(this instanceof Readable)) return new Readable(options);
    options = options || {};
    this._readableState = new ReadableState(options, this instanceof Duplex);
    if (typeof options.read === 'function') this._read = options.read;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    Stream.call(this, options);
  }
  Object.setPrototypeOf(Readable.prototype, Stream.prototype);
  Object.setPrototypeOf(Readable, Stream);

  // A chunk as a reader gets it: decoded to text when the stream has an encoding.
  const decoded = (state, chunk) =>
    state.decoder && !state.objectMode && typeof chunk !== 'string' ? state.decoder.decode(chunk, { stream: true }) : chunk;

  const addChunk = (stream, state, chunk) => {
    if (state.flowing && state.length === 0 && !state.sync && stream.listenerCount('data') > 0) {
      state.awaitDrainWriters.clear();
      state.dataEmitted = true;
      stream.emit('data', chunk);
    } else {
      state.length += state.objectMode ? 1 : chunk.length;
      state.buffer.push(chunk);
      if (state.needReadable) emitReadable(stream);
    }
    maybeReadMore(stream, state);
  };

  Readable.prototype.push = function push(chunk, encoding) {
    const state = this._readableState;
    if (chunk === null) {
      state.reading = false;
      if (!state.ended) {
        if (state.decoder) {
          const rest = state.decoder.decode();
          if (rest) {
            state.buffer.push(rest);
            state.length += rest.length;
          }
        }
        state.ended = true;
        if (state.sync) emitReadable(this);
        else {
          state.needReadable = false;
          state.emittedReadable = true;
          emitReadableNow(this);
        }
      }
      return false;
    }
    if (!state.objectMode && typeof chunk === 'string' && state.encoding && encoding === state.encoding) {
      // Already text in the stream's encoding.
    } else {
      try {
        chunk = chunkOf(chunk, encoding, state.objectMode);
      } catch (error) {
        errorOrDestroy(this, error);
        return false;
      }
    }
    const canPushMore = () => !state.ended && (state.length < state.highWaterMark || state.length === 0);
    if (!state.objectMode && chunk.length === 0) {
      state.reading = false;
      maybeReadMore(this, state);
      return canPushMore();
    }
    if (state.ended) {
      errorOrDestroy(this, streamError(Error, 'ERR_STREAM_PUSH_AFTER_EOF', 'stream.push() after EOF'));
      return false;
    }
    if (state.destroyed || state.errored) return false;
    state.reading = false;
    chunk = decoded(state, chunk);
    // A decoder holds back the start of a character split between chunks.
    if (chunk.length === 0) maybeReadMore(this, state);
    else addChunk(this, state, chunk);
    return canPushMore();
  };

  Readable.prototype.unshift = function unshift(chunk, encoding) {
    const state = this._readableState;
    if (chunk === null) return this.push(null);
    chunk = decoded(state, chunkOf(chunk, encoding, state.objectMode));
    state.buffer.unshift(chunk);
    state.length += state.objectMode ? 1 : chunk.length;
    return state.length < state.highWaterMark;
  };

  Readable.prototype._read = function _read() {
    throw notImplemented('_read()');
  };
  Readable.prototype._destroy = function _destroy(error, callback) {
    callback(error);
  };
  Readable.prototype.destroy = destroy;

  const howMuchToRead = (n, state) => {
    if (n <= 0 || (state.length === 0 && state.ended)) return 0;
    if (state.objectMode) return 1;
    if (Number.isNaN(n)) return state.flowing && state.length ? state.buffer[0].length : state.length;
    if (n <= state.length) return n;
    return state.ended ? state.length : 0;
  };

  // Takes `n` units from the front of the buffer: whole chunks joined, a part of one split off.
  const fromBuffer = (n, state) => {
    if (state.length === 0) return null;
    if (state.objectMode) return state.buffer.shift();
    if (n >= state.length) {
      const all = state.buffer.length === 1 ? state.buffer[0] : state.decoder ? state.buffer.join('') : Buffer.concat(state.buffer);
      state.buffer = [];
      return all;
    }
    const parts = [];
    let taken = 0;
    while (taken < n) {
      const head = state.buffer[0];
      const wanted = n - taken;
      if (head.length <= wanted) {
        parts.push(state.buffer.shift());
        taken += head.length;
      } else {
        parts.push(head.slice(0, wanted));
        state.buffer[0] = head.slice(wanted);
        taken = n;
      }
    }
    return parts.length === 1 ? parts[0] : state.decoder ? parts.join('') : Buffer.concat(parts);
  };

  Readable.prototype.read = function read(n) {
    const state = this._readableState;
    n = n === undefined ? NaN : Number.parseInt(n, 10);
    const asked = n;
    if (n > state.highWaterMark) state.highWaterMark = 2 ** Math.ceil(Math.log2(n));
    if (n !== 0) state.emittedReadable = false;
    if (n === 0 && state.needReadable && (state.length >= state.highWaterMark || state.ended)) {
      if (state.length === 0 && state.ended) endReadable(this);
      else emitReadable(this);
      return null;
    }
    n = howMuchToRead(n, state);
    if (n === 0 && state.ended) {
      if (state.length === 0) endReadable(this);
      return null;
    }
    let doRead = state.needReadable || state.length === 0 || state.length - n < state.highWaterMark;
    if (state.ended || state.reading || state.destroyed || state.errored) doRead = false;
    if (doRead) {
      state.reading = true;
      state.sync = true;
      if (state.length === 0) state.needReadable = true;
      try {
        this._read(state.highWaterMark);
      } catch (error) {
        errorOrDestroy(this, error);
      }
      state.sync = false;
      if (!state.reading) n = howMuchToRead(asked, state);
    }
    let chunk = n > 0 ? fromBuffer(n, state) : null;
    if (chunk === null) {
      state.needReadable = state.length <= state.highWaterMark;
      n = 0;
    } else {
      state.length -= n;
      state.awaitDrainWriters.clear();
    }
    if (state.length === 0) {
      if (!state.ended) state.needReadable = true;
      if (asked !== n && state.ended) endReadable(this);
    }
    if (chunk !== null && !state.errorEmitted && !state.closeEmitted) {
      state.dataEmitted = true;
      this.emit('data', chunk);
    }
    return chunk;
  };

  const emitReadable = (stream) => {
    const state = stream._readableState;
    state.needReadable = false;
    if (state.emittedReadable) return;
    state.emittedReadable = true;
    defer(emitReadableNow, stream);
  };
  const emitReadableNow = (stream) => {
    const state = stream._readableState;
    if (!state.destroyed && !state.errored && (state.length || state.ended)) {
      stream.emit('readable');
      state.emittedReadable = false;
    }
    state.needReadable = !state.flowing && !state.ended && state.length <= state.highWaterMark;
    flow(stream);
  };

  // Asks for more data, beside a reader, until the buffer holds a high-water mark's worth.
  const maybeReadMore = (stream, state) => {
    if (state.readingMore) return;
    state.readingMore = true;
    defer(() => {
      while (
        !state.reading && !state.ended &&
        (state.length < state.highWaterMark || (state.flowing && state.length === 0))
      ) {
        const length = state.length;
        stream.read(0);
        if (length === state.length) break;
      }
      state.readingMore = false;
    });
  };

  const flow = (stream) => {
    const state = stream._readableState;
    while (state.flowing && stream.read() !== null);
  };

  const endReadable = (stream) => {
    const state = stream._readableState;
    if (state.endEmitted) return;
    state.ended = true;
    defer(() => {
      if (state.errored || state.closeEmitted || state.endEmitted || state.length !== 0) return;
      state.endEmitted = true;
      stream.emit('end');
      const writableState = stream._writableState;
      if (stream.writable && stream.allowHalfOpen === false) {
        defer(() => stream.end());
      } else if (state.autoDestroy) {
        const writableDone = !writableState || (writableState.autoDestroy && (writableState.finished || writableState.writable === false));
        if (writableDone) stream.destroy();
      }
    });
  };

  Readable.prototype.on = function on(name, listener) {
    const result = Stream.prototype.on.call(this, name, listener);
    const state = this._readableState;
    if (name === 'data') {
      state.readableListening = this.listenerCount('readable') > 0;
      if (state.flowing !== false) this.resume();
    } else if (name === 'readable' && !state.endEmitted && !state.readableListening) {
      state.readableListening = state.needReadable = true;
      state.flowing = false;
      state.emittedReadable = false;
      if (state.length) emitReadable(this);
      else if (!state.reading) defer(() => this.read(0));
    }
    return result;
  };
  Readable.prototype.addListener = Readable.prototype.on;

  Readable.prototype.removeListener = function removeListener(name, listener) {
    const result = Stream.prototype.removeListener.call(this, name, listener);
    if (name === 'readable') {
      defer(() => {
        const state = this._readableState;
        state.readableListening = this.listenerCount('readable') > 0;
        if (state.resumeScheduled && state.paused === false) state.flowing = true;
        else if (this.listenerCount('data') > 0) this.resume();
        else if (!state.readableListening) state.flowing = null;
      });
    }
    return result;
  };
  Readable.prototype.off = Readable.prototype.removeListener;

  Readable.prototype.resume = function resume() {
    const state = this._readableState;
    if (!state.flowing) {
      state.flowing = !state.readableListening;
      if (!state.resumeScheduled) {
        state.resumeScheduled = true;
        defer(() => {
          if (!state.reading) this.read(0);
          state.resumeScheduled = false;
          this.emit('resume');
          flow(this);
          if (state.flowing && !state.reading) this.read(0);
        });
      }
    }
    state.paused = false;
    return this;
  };

  Readable.prototype.pause = function pause() {
    const state = this._readableState;
    if (state.flowing !== false) {
      state.flowing = false;
      this.emit('pause');
    }
    state.paused = true;
    return this;
  };

  Readable.prototype.isPaused = function isPaused() {
    const state = this._readableState;
    return state.paused === true || state.flowing === false;
  };

  Readable.prototype.setEncoding = function setEncoding(encoding) {
    const state = this._readableState;
    state.setEncoding(encoding);
    state.buffer = state.buffer.map((chunk) => (typeof chunk === 'string' ? chunk : state.decoder.decode(chunk, { stream: true })));
    state.length = state.buffer.reduce((sum, chunk) => sum + chunk.length, 0);
    return this;
  };

  Readable.prototype.pipe = function pipe(destination, options) {
    const source = this;
    const state = this._readableState;
    state.pipes.push(destination);
    const onEnd = () => destination.end();
    const unpipe = () => source.unpipe(destination);
    const endListener = !options || options.end !== false ? onEnd : unpipe;
    if (state.endEmitted) defer(endListener);
    else source.once('end', endListener);

    let onDrain = null;
    let cleanedUp = false;
    const onData = (chunk) => {
      if (destination.write(chunk) === false) {
        if (!cleanedUp) state.awaitDrainWriters.add(destination);
        source.pause();
        if (onDrain === null) {
          onDrain = () => {
            state.awaitDrainWriters.delete(destination);
            if (state.awaitDrainWriters.size === 0 && source.listenerCount('data') > 0) source.resume();
          };
          destination.on('drain', onDrain);
        }
      }
    };
    const onError = (error) => {
      unpipe();
      destination.removeListener('error', onError);
      if (destination.listenerCount('error') === 0) {
        const destinationState = destination._writableState || destination._readableState;
        if (destinationState && !destinationState.errorEmitted) errorOrDestroy(destination, error);
        else destination.emit('error', error);
      }
    };
    const onClose = () => {
      destination.removeListener('finish', onFinish);
      unpipe();
    };
    const onFinish = () => {
      destination.removeListener('close', onClose);
      unpipe();
    };
    const onUnpipe = (readable, info) => {
      if (readable === source && info && info.hasUnpiped === false) {
        info.hasUnpiped = true;
        cleanUp();
      }
    };
    const cleanUp = () => {
      destination.removeListener('close', onClose);
      destination.removeListener('finish', onFinish);
      if (onDrain) destination.removeListener('drain', onDrain);
      destination.removeListener('error', onError);
      destination.removeListener('unpipe', onUnpipe);
      source.removeListener('end', onEnd);
      source.removeListener('end', unpipe);
      source.removeListener('data', onData);
      cleanedUp = true;
      if (onDrain && state.awaitDrainWriters.size > 0 && (!destination._writableState || destination._writableState.needDrain)) {
        onDrain();
      }
    };

    destination.on('unpipe', onUnpipe);
    source.on('data', onData);
    destination.prependListener('error', onError);
    destination.once('close', onClose);
    destination.once('finish', onFinish);
    destination.emit('pipe', source);
    if (destination.writableNeedDrain === true) source.pause();
    else if (!state.flowing) source.resume();
    return destination;
  };

  Readable.prototype.unpipe = function unpipe(destination) {
    const state = this._readableState;
    const info = { hasUnpiped: false };
    if (state.pipes.length === 0) return this;
    const targets = destination === undefined ? state.pipes.splice(0) : state.pipes.includes(destination) ? [destination] : [];
    if (targets.length === 0) return this;
    if (destination !== undefined) state.pipes.splice(state.pipes.indexOf(destination), 1);
    if (state.pipes.length === 0) this.pause();
    for (const target of targets) target.emit('unpipe', this, info.hasUnpiped ? { hasUnpiped: false } : info);
    return this;
  };

  // Yields every chunk until the end; an error is thrown; leaving the loop early destroys the stream.
  Readable.prototype[Symbol.asyncIterator] = async function* iterate() {
    let wake = nothing;
    const next = (resolve) => {
      wake = resolve;
    };
    const onReadable = () => {
      const resolve = wake;
      wake = nothing;
      resolve();
    };
    let error;
    this.on('readable', onReadable);
    const stopWatching = finished(this, { writable: false }, (failure) => {
      error = failure || null;
      onReadable();
    });
    try {
      while (true) {
        const chunk = this.destroyed ? null : this.read();
        if (chunk !== null) yield chunk;
        else if (error) throw error;
        else if (error === null) return;
        else await new Promise(next);
      }
    } catch (failure) {
      error = error || failure;
      throw failure;
    } finally {
      if (error || this._readableState.autoDestroy) {
        this.destroy(null);
      } else {
        this.off('readable', onReadable);
        stopWatching();
      }
    }
  };

  // A Readable of the values of an iterable or async iterable (or of one string or Buffer), in object mode
  // unless told otherwise.
  Readable.from = (iterable, options) => {
    if (typeof iterable === 'string' || iterable instanceof Uint8Array) {
      return new Readable({ objectMode: true, ...options, read() { this.push(iterable); this.push(null); } });
    }
    const iterator =
      iterable && typeof iterable[Symbol.asyncIterator] === 'function' ? iterable[Symbol.asyncIterator]()
        : iterable && typeof iterable[Symbol.iterator] === 'function' ? iterable[Symbol.iterator]()
          : null;
    if (iterator === null) throw invalidArgType('iterable', 'an Iterable', iterable);
    let reading = false;
    const readable = new Readable({
      objectMode: true,
      highWaterMark: 1,
      ...options,
      read() {
        if (reading) return;
        reading = true;
        (async () => {
          try {
            while (true) {
              const { value, done } = await iterator.next();
              if (done) {
                this.push(null);
                return;
              }
              const chunk = await value;
              if (chunk === null) throw streamError(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
              if (!this.push(chunk)) return;
            }
          } catch (error) {
            this.destroy(error);
          } finally {
            reading = false;
          }
        })();
      },
      destroy(error, callback) {
        const closing = typeof iterator.return === 'function' && error === null ? iterator.return() : undefined;
        Promise.resolve(closing).then(() => callback(error), (failure) => callback(failure || error));
      },
    });
    return readable;
  };

  const readableProperties = {
    readable: {
      get() {
        const state = this._readableState;
        return Boolean(state) && state.readable !== false && !state.destroyed && !state.errorEmitted && !state.endEmitted;
      },
      set(value) {
        if (this._readableState) this._readableState.readable = Boolean(value);
      },
    },
    readableEnded: { get() { return this._readableState ? this._readableState.endEmitted : false; } },
    readableFlowing: { get() { return this._readableState.flowing; }, set(value) { this._readableState.flowing = value; } },
    readableLength: { get() { return this._readableState.length; } },
    readableHighWaterMark: { get() { return this._readableState.highWaterMark; } },
    readableObjectMode: { get() { return this._readableState.objectMode; } },
    readableEncoding: { get() { return this._readableState.encoding; } },
    readableAborted: {
      get() {
        const state = this._readableState;
        return Boolean(state.readable !== false && (state.destroyed || state.errored) && !state.endEmitted);
      },
    },
    destroyed: {
      get() { return (this._writableState || this._readableState).destroyed; },
      set(value) {
        if (this._readableState) this._readableState.destroyed = value;
        if (this._writableState) this._writableState.destroyed = value;
      },
    },
    errored: { get() { return (this._readableState || this._writableState).errored; } },
    closed: { get() { return (this._readableState || this._writableState).closed; } },
  };
  Object.defineProperties(Readable.prototype, readableProperties);

  // ---- Writable ----

  function WritableState(options, isDuplex) {
    this.objectMode = Boolean(options.objectMode || (isDuplex && options.writableObjectMode));
    this.highWaterMark = highWaterMarkOf(options, isDuplex && 'writableHighWaterMark', this.objectMode);
    this.decodeStrings = options.decodeStrings !== false;
    this.defaultEncoding = options.defaultEncoding || 'utf8';
    this.length = 0;
    this.writing = false;
    this.corked = 0;
    this.sync = true;
    this.buffered = [];
    this.writeLength = 0;
    this.writeCallback = null;
    this.pendingCallbacks = 0;
    this.needDrain = false;
    this.ending = false;
    this.ended = false;
    this.finalCalled = false;
    this.prefinished = false;
    this.finished = false;
    startLifecycle(this, options);
    this.onFinished = [];
  }

  function Writable(options) {
    if (!(this instanceof Writable) && !(this instanceof Duplex)) return new Writable(options);
    options = options || {};
    this._writableState = new WritableState(options, this instanceof Duplex);
    if (typeof options.write === 'function') this._write = options.write;
    if (typeof options.writev === 'function') this._writev = options.writev;
    if (typeof options.final === 'function') this._final = options.final;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    Stream.call(this, options);
  }
  Object.setPrototypeOf(Writable.prototype, Stream.prototype);
  Object.setPrototypeOf(Writable, Stream);

  // `instanceof Writable` holds for Duplexes too, as in Node.
  Object.defineProperty(Writable, Symbol.hasInstance, {
    value(object) {
      if (Function.prototype[Symbol.hasInstance].call(this, object)) return true;
      return this === Writable && Boolean(object && object._writableState);
    },
  });

  Writable.prototype.write = function write(chunk, encoding, callback) {
    return writeChunk(this, chunk, encoding, callback) === true;
  };

  // true or false as write() answers, or the error that refused the chunk.
  const writeChunk = (stream, chunk, encoding, callback) => {
    const state = stream._writableState;
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = state.defaultEncoding;
    } else {
      encoding = encoding || state.defaultEncoding;
      if (typeof callback !== 'function') callback = nothing;
    }
    if (chunk === null) throw streamError(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
    if (!state.objectMode) {
      if (typeof chunk === 'string') {
        if (state.decodeStrings) {
          chunk = Buffer.from(chunk, encoding);
          encoding = 'buffer';
        }
      } else {
        chunk = chunkOf(chunk, encoding, false, true);
        encoding = 'buffer';
      }
    }
    const error = state.ending ? writeAfterEnd() : state.destroyed ? destroyedError('write') : null;
    if (error) {
      defer(callback, error);
      errorOrDestroy(stream, error);
      return error;
    }
    state.pendingCallbacks++;
    const length = state.objectMode ? 1 : chunk.length;
    state.length += length;
    const belowMark = state.length < state.highWaterMark;
    if (!belowMark) state.needDrain = true;
    if (state.writing || state.corked || state.errored) {
      state.buffered.push({ chunk, encoding, callback });
    } else {
      doWrite(stream, state, length, chunk, encoding, callback);
    }
    return belowMark && !state.errored && !state.destroyed;
  };

  const doWrite = (stream, state, length, chunk, encoding, callback) => {
    state.writeLength = length;
    state.writeCallback = callback;
    state.writing = true;
    state.sync = true;
    if (state.destroyed) onWrite(stream, destroyedError('write'));
    else stream._write(chunk, encoding, (error) => onWrite(stream, error));
    state.sync = false;
  };

  const onWrite = (stream, error) => {
    const state = stream._writableState;
    const callback = state.writeCallback;
    if (callback === null) {
      errorOrDestroy(stream, streamError(Error, 'ERR_MULTIPLE_CALLBACK', 'Callback called multiple times'));
      return;
    }
    state.writing = false;
    state.writeCallback = null;
    state.length -= state.writeLength;
    state.writeLength = 0;
    if (error) {
      state.errored = state.errored || error;
      defer(() => {
        state.pendingCallbacks--;
        callback(error);
      });
      errorOrDestroy(stream, error);
      return;
    }
    if (state.buffered.length > 0) clearBuffer(stream, state);
    if (state.sync) defer(afterWrite, stream, state, callback);
    else afterWrite(stream, state, callback);
  };

  const afterWrite = (stream, state, callback) => {
    if (!state.ending && !stream.destroyed && state.length === 0 && state.needDrain) {
      state.needDrain = false;
      stream.emit('drain');
    }
    state.pendingCallbacks--;
    callback(null);
    if (state.destroyed) return;
    finishMaybe(stream, state);
  };

  const clearBuffer = (stream, state) => {
    if (state.corked || state.destroyed || state.writing || state.errored) return;
    if (state.buffered.length > 1 && typeof stream._writev === 'function' && stream._writev !== Writable.prototype._writev) {
      const entries = state.buffered.splice(0);
      const callbacks = entries.map((entry) => entry.callback);
      state.pendingCallbacks -= callbacks.length - 1;
      const length = state.objectMode ? entries.length : entries.reduce((sum, entry) => sum + entry.chunk.length, 0);
      state.writeLength = length;
      state.writeCallback = (error) => callbacks.forEach((callback) => callback(error));
      state.writing = true;
      state.sync = true;
      stream._writev(entries.map(({ chunk, encoding }) => ({ chunk, encoding })), (error) => onWrite(stream, error));
      state.sync = false;
      return;
    }
    while (state.buffered.length > 0 && !state.writing) {
      const { chunk, encoding, callback } = state.buffered.shift();
      doWrite(stream, state, state.objectMode ? 1 : chunk.length, chunk, encoding, callback);
    }
  };

  Writable.prototype._write = function _write(chunk, encoding, callback) {
    if (typeof this._writev === 'function' && this._writev !== Writable.prototype._writev) {
      this._writev([{ chunk, encoding }], callback);
      return;
    }
    throw notImplemented('_write()');
  };
  Writable.prototype._writev = null;
  Writable.prototype._destroy = function _destroy(error, callback) {
    callback(error);
  };
  Writable.prototype.destroy = function destroyWritable(error, callback) {
    const state = this._writableState;
    if (!state.destroyed && (state.buffered.length > 0 || state.onFinished.length > 0)) {
      // What was still waiting learns that it won't happen.
      defer(() => {
        if (state.writing) return;
        for (const { chunk, callback: waiting } of state.buffered.splice(0)) {
          state.length -= state.objectMode ? 1 : chunk.length;
          waiting(state.errored || destroyedError('write'));
        }
        for (const waiting of state.onFinished.splice(0)) waiting(state.errored || destroyedError('end'));
      });
    }
    return destroy.call(this, error, callback);
  };

  Writable.prototype.cork = function cork() {
    this._writableState.corked++;
  };
  Writable.prototype.uncork = function uncork() {
    const state = this._writableState;
    if (state.corked) {
      state.corked--;
      if (!state.writing) clearBuffer(this, state);
    }
  };
  Writable.prototype.setDefaultEncoding = function setDefaultEncoding(encoding) {
    this._writableState.defaultEncoding = String(encoding).toLowerCase();
    return this;
  };

  Writable.prototype.end = function end(chunk, encoding, callback) {
    const state = this._writableState;
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = null;
      encoding = null;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = null;
    }
    let error = null;
    if (chunk !== null && chunk !== undefined) {
      const written = writeChunk(this, chunk, encoding);
      if (written instanceof Error) error = written;
    }
    if (state.corked) {
      state.corked = 1;
      this.uncork();
    }
    if (!error) {
      if (!state.errored && !state.ending) {
        state.ending = true;
        finishMaybe(this, state, true);
        state.ended = true;
      } else if (state.finished) {
        error = streamError(Error, 'ERR_STREAM_ALREADY_FINISHED', 'Cannot call end after a stream was finished');
      } else if (state.destroyed) {
        error = destroyedError('end');
      }
    }
    if (typeof callback === 'function') {
      if (error || state.finished) defer(callback, error);
      else state.onFinished.push(callback);
    }
    return this;
  };

  const needsFinish = (state) =>
    state.ending && !state.destroyed && state.length === 0 && !state.errored && state.buffered.length === 0 &&
    !state.finished && !state.writing && !state.errorEmitted && !state.closeEmitted;

  const prefinish = (stream, state) => {
    if (state.prefinished || state.finalCalled) return;
    if (typeof stream._final === 'function' && !state.destroyed) {
      state.finalCalled = true;
      state.sync = true;
      state.pendingCallbacks++;
      let called = false;
      const onFinal = (error) => {
        if (called) {
          errorOrDestroy(stream, streamError(Error, 'ERR_MULTIPLE_CALLBACK', 'Callback called multiple times'));
          return;
        }
        called = true;
        state.pendingCallbacks--;
        if (error) {
          for (const waiting of state.onFinished.splice(0)) waiting(error);
          errorOrDestroy(stream, error);
        } else if (needsFinish(state)) {
          state.prefinished = true;
          stream.emit('prefinish');
          state.pendingCallbacks++;
          defer(finish, stream, state);
        }
      };
      try {
        stream._final(onFinal);
      } catch (error) {
        onFinal(error);
      }
      state.sync = false;
    } else {
      state.prefinished = true;
      stream.emit('prefinish');
    }
  };

  const finishMaybe = (stream, state, sync) => {
    if (!needsFinish(state)) return;
    prefinish(stream, state);
    if (state.pendingCallbacks !== 0) return;
    if (sync) {
      state.pendingCallbacks++;
      defer(() => {
        if (needsFinish(state)) finish(stream, state);
        else state.pendingCallbacks--;
      });
    } else if (needsFinish(state)) {
      state.pendingCallbacks++;
      finish(stream, state);
    }
  };

  const finish = (stream, state) => {
    state.pendingCallbacks--;
    state.finished = true;
    for (const waiting of state.onFinished.splice(0)) waiting(null);
    stream.emit('finish');
    if (state.autoDestroy) {
      const readableState = stream._readableState;
      if (!readableState || (readableState.autoDestroy && (readableState.endEmitted || readableState.readable === false))) {
        stream.destroy();
      }
    }
  };

  const writableProperties = {
    writable: {
      get() {
        const state = this._writableState;
        return Boolean(state) && state.writable !== false && !state.destroyed && !state.errored && !state.ending && !state.ended;
      },
      set(value) {
        if (this._writableState) this._writableState.writable = Boolean(value);
      },
    },
    writableFinished: { get() { return this._writableState ? this._writableState.finished : false; } },
    writableEnded: { get() { return this._writableState ? this._writableState.ending : false; } },
    writableNeedDrain: {
      get() {
        const state = this._writableState;
        return state ? !state.destroyed && !state.ending && state.needDrain : false;
      },
    },
    writableLength: { get() { return this._writableState && this._writableState.length; } },
    writableHighWaterMark: { get() { return this._writableState && this._writableState.highWaterMark; } },
    writableObjectMode: { get() { return this._writableState ? this._writableState.objectMode : false; } },
    writableCorked: { get() { return this._writableState ? this._writableState.corked : 0; } },
  };
  Object.defineProperties(Writable.prototype, writableProperties);
  Object.defineProperties(Writable.prototype, {
    destroyed: readableProperties.destroyed,
    errored: { get() { return this._writableState.errored; } },
    closed: { get() { return this._writableState.closed; } },
  });

  // ---- Duplex, Transform, PassThrough ----

  function Duplex(options) {
    if (!(this instanceof Duplex)) return new Duplex(options);
    options = options || {};
    Readable.call(this, options);
    Writable.call(this, options);
    this.allowHalfOpen = options.allowHalfOpen !== false;
    if (options.readable === false) {
      this._readableState.readable = false;
      this._readableState.ended = true;
      this._readableState.endEmitted = true;
    }
    if (options.writable === false) {
      this._writableState.writable = false;
      this._writableState.ending = true;
      this._writableState.ended = true;
      this._writableState.finished = true;
    }
  }
  Object.setPrototypeOf(Duplex.prototype, Readable.prototype);
  Object.setPrototypeOf(Duplex, Readable);
  for (const method of ['write', 'cork', 'uncork', 'setDefaultEncoding', 'end', '_writev']) {
    Duplex.prototype[method] = Writable.prototype[method];
  }
  Duplex.prototype._write = Writable.prototype._write;
  Duplex.prototype.destroy = Writable.prototype.destroy;
  Object.defineProperties(Duplex.prototype, writableProperties);

  function Transform(options) {
    if (!(this instanceof Transform)) return new Transform(options);
    options = options || {};
    Duplex.call(this, options);
    this._readableState.sync = false;
    this._pendingWrite = null;
    if (typeof options.transform === 'function') this._transform = options.transform;
    if (typeof options.flush === 'function') this._flush = options.flush;
  }
  Object.setPrototypeOf(Transform.prototype, Duplex.prototype);
  Object.setPrototypeOf(Transform, Duplex);

  Transform.prototype._final = function _final(callback) {
    const done = (error, data) => {
      if (error) {
        callback(error);
        return;
      }
      if (data !== null && data !== undefined) this.push(data);
      this.push(null);
      callback();
    };
    if (typeof this._flush === 'function' && !this.destroyed) {
      this._flush(done);
    } else {
      this.push(null);
      callback();
    }
  };

  Transform.prototype._transform = function _transform() {
    throw notImplemented('_transform()');
  };

  Transform.prototype._write = function _write(chunk, encoding, callback) {
    const readableState = this._readableState;
    const length = readableState.length;
    this._transform(chunk, encoding, (error, data) => {
      if (error) {
        callback(error);
        return;
      }
      if (data !== null && data !== undefined) this.push(data);
      if (this._writableState.ended || length === readableState.length || readableState.length < readableState.highWaterMark) {
        callback();
      } else {
        this._pendingWrite = callback;
      }
    });
  };

  Transform.prototype._read = function _read() {
    const callback = this._pendingWrite;
    if (callback) {
      this._pendingWrite = null;
      callback();
    }
  };

  function PassThrough(options) {
    if (!(this instanceof PassThrough)) return new PassThrough(options);
    Transform.call(this, options);
  }
  Object.setPrototypeOf(PassThrough.prototype, Transform.prototype);
  Object.setPrototypeOf(PassThrough, Transform);
  PassThrough.prototype._transform = function _transform(chunk, encoding, callback) {
    callback(null, chunk);
  };

  // ---- finished and pipeline ----

  const isReadableStream = (stream) => Boolean(stream && stream._readableState && stream._readableState.readable !== false);
  const isWritableStream = (stream) => Boolean(stream && stream._writableState && stream._writableState.writable !== false);

  // Calls back once the stream has ended and/or finished (or failed, or closed too early); returns a function
  // that stops watching.
  function finished(stream, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    options = options || {};
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    const readable = options.readable ?? isReadableStream(stream);
    const writable = options.writable ?? isWritableStream(stream);
    const readableState = stream._readableState;
    const writableState = stream._writableState;
    let ended = Boolean(readableState && readableState.endEmitted);
    let finishedWriting = Boolean(writableState && writableState.finished);
    let called = false;
    const done = (error) => {
      if (called) return;
      called = true;
      callback.call(stream, error);
    };
    const onEnd = () => {
      ended = true;
      if (!writable || finishedWriting) done();
    };
    const onFinish = () => {
      finishedWriting = true;
      if (!readable || ended) done();
    };
    const onError = (error) => done(error);
    const onClose = () => {
      const errored = (readableState && readableState.errored) || (writableState && writableState.errored);
      if (errored) return done(errored);
      if ((readable && !ended) || (writable && !finishedWriting)) return done(prematureClose());
      return done();
    };
    stream.on('end', onEnd);
    stream.on('finish', onFinish);
    if (options.error !== false) stream.on('error', onError);
    stream.on('close', onClose);
    const state = writableState || readableState;
    if (state && state.closeEmitted) defer(onClose);
    else if (state && state.errorEmitted && state.errored) defer(onError, state.errored);
    else if ((!readable || ended) && (!writable || finishedWriting) && (readable || writable)) defer(done);
    return () => {
      called = true;
      stream.removeListener('end', onEnd);
      stream.removeListener('finish', onFinish);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
  }

  // Pipes each stream into the next; calls back once every stream is done, or with the first error, after
  // which every stream is destroyed with it.
  function pipeline(...streams) {
    const callback = streams.pop();
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
    if (streams.length < 2) throw streamError(TypeError, 'ERR_MISSING_ARGS', 'The "streams" argument must be specified');
    if (!(streams[0] instanceof Stream)) streams[0] = Readable.from(streams[0]);
    let settled = false;
    let remaining = streams.length;
    const settle = (error) => {
      if (settled) return;
      settled = true;
      // The watchers stay: they are the 'error' listeners of the streams destroyed here.
      if (error) for (const stream of streams) if (!stream.destroyed) stream.destroy(error);
      defer(callback, error);
    };
    streams.forEach((stream, index) => {
      finished(stream, { readable: index < streams.length - 1, writable: index > 0 }, (error) => {
        if (error) settle(error);
        else if (--remaining === 0) settle(undefined);
      });
    });
    for (let index = 0; index < streams.length - 1; index++) streams[index].pipe(streams[index + 1]);
    return streams[streams.length - 1];
  }

  const promises = {
    pipeline: (...streams) => new Promise((resolve, reject) => {
      pipeline(...streams, (error, value) => (error ? reject(error) : resolve(value)));
    }),
    finished: (stream, options) => new Promise((resolve, reject) => {
      finished(stream, options, (error) => (error ? reject(error) : resolve()));
    }),
  };

  Stream.prototype.pipe = Readable.prototype.pipe;
  Object.assign(Stream, {
    Stream, Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline, promises,
  });
  module.exports = Stream;
}
