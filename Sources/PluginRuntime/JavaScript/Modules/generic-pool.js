(require, native) => {
  'use strict';
  class TimeoutError extends Error {
    constructor(message) {
      super(message);
      this.name = 'TimeoutError';
    }
  }
  const deferred = () => {
    const handle = {};
    handle.promise = new Promise((resolve, reject) => Object.assign(handle, { resolve, reject }));
    return handle;
  };
  const integer = (value, fallback) => {
    const parsed = parseInt(value, 10);
    return Number.isNaN(parsed) ? fallback : parsed;
  };

  class Pool {
    #factory;
    #config;
    #all = new Set();
    #available = [];
    #loans = new Map();
    #waiting = [];
    #creating = new Set();
    #validating = 0;
    #operations = new Set();
    #listeners = new Map();
    #started = false;
    #draining = false;

    constructor(factory, options = {}) {
      if (typeof factory !== 'object' || factory === null) throw new TypeError('factory must be an object');
      if (typeof factory.create !== 'function') throw new TypeError('factory.create must be a function');
      if (typeof factory.destroy !== 'function') throw new TypeError('factory.destroy must be a function');
      const given = options || {};
      const max = Math.max(integer(given.max, 1), 1);
      this.#config = {
        max,
        min: Math.min(Math.max(integer(given.min, 0), 0), max),
        maxWaitingClients: given.maxWaitingClients === undefined ? undefined : integer(given.maxWaitingClients),
        testOnBorrow: given.testOnBorrow === true,
        testOnReturn: given.testOnReturn === true,
        acquireTimeoutMillis: given.acquireTimeoutMillis > 0 ? integer(given.acquireTimeoutMillis) : undefined,
        fifo: given.fifo !== false,
        autostart: given.autostart !== false,
      };
      if ((this.#config.testOnBorrow || this.#config.testOnReturn) && typeof factory.validate !== 'function') {
        throw new TypeError('factory.validate must be a function if testOnBorrow or testOnReturn is true');
      }
      this.#factory = factory;
      if (this.#config.autostart) this.start();
    }

    get max() { return this.#config.max; }
    get min() { return this.#config.min; }
    get size() { return this.#all.size + this.#creating.size; }
    get available() { return this.#available.length; }
    get borrowed() { return this.#loans.size; }
    get pending() { return this.#waiting.length; }
    get spareResourceCapacity() { return this.#config.max - this.size; }

    on(event, listener) {
      if (!this.#listeners.has(event)) this.#listeners.set(event, []);
      this.#listeners.get(event).push(listener);
      return this;
    }
    off(event, listener) {
      const listeners = this.#listeners.get(event) || [];
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
      return this;
    }
    #emit(event, value) {
      for (const listener of [...(this.#listeners.get(event) || [])]) listener(value);
    }

    start() {
      if (this.#draining || this.#started) return;
      this.#started = true;
      this.#ensureMinimum();
    }
    ready() {
      return Promise.all([...this.#creating]).then(() => undefined);
    }

    acquire() {
      if (!this.#started && !this.#config.autostart) this.start();
      if (this.#draining) return Promise.reject(new Error('pool is draining and cannot accept work'));
      const { maxWaitingClients } = this.#config;
      if (this.spareResourceCapacity < 1 && this.#available.length < 1 && maxWaitingClients !== undefined
          && this.#waiting.length >= maxWaitingClients) {
        return Promise.reject(new Error('max waitingClients count exceeded'));
      }
      const request = deferred();
      if (this.#config.acquireTimeoutMillis !== undefined) {
        request.timer = native.setTimer(this.#config.acquireTimeoutMillis, () => {
          request.timer = undefined;
          const index = this.#waiting.indexOf(request);
          if (index >= 0) this.#waiting.splice(index, 1);
          request.reject(new TimeoutError('ResourceRequest timed out'));
        });
      }
      this.#waiting.push(request);
      this.#dispense();
      return request.promise;
    }

    release(resource) {
      const loan = this.#loans.get(resource);
      if (loan === undefined) return Promise.reject(new Error('Resource not currently part of this pool'));
      this.#loans.delete(resource);
      loan.resolve();
      if (this.#config.testOnReturn) {
        this.#validate(resource, () => this.#makeAvailable(resource));
      } else {
        this.#makeAvailable(resource);
      }
      return Promise.resolve();
    }

    destroy(resource) {
      const loan = this.#loans.get(resource);
      if (loan === undefined) return Promise.reject(new Error('Resource not currently part of this pool'));
      this.#loans.delete(resource);
      loan.resolve();
      this.#destroy(resource);
      this.#dispense();
      return Promise.resolve();
    }

    use(work) {
      return this.acquire().then((resource) => Promise.resolve().then(() => work(resource)).then(
        (result) => {
          this.release(resource);
          return result;
        },
        (error) => {
          this.destroy(resource);
          throw error;
        }));
    }

    isBorrowedResource(resource) {
      return this.#loans.has(resource);
    }

    // Refuses new work, then waits for the waiting requests and the loans to end.
    drain() {
      this.#draining = true;
      const requests = this.#waiting.map((request) => request.promise.then(() => {}, () => {}));
      return Promise.all(requests)
        .then(() => Promise.all([...this.#loans.values()].map((loan) => loan.promise)))
        .then(() => undefined);
    }

    // Destroys the idle resources once the creations under way have finished.
    clear() {
      return Promise.all([...this.#creating]).then(() => {
        const idle = this.#available;
        this.#available = [];
        for (const resource of idle) this.#destroy(resource);
        return Promise.all([...this.#operations]);
      }).then(() => undefined);
    }

    #track(operation) {
      this.#operations.add(operation);
      const settled = () => this.#operations.delete(operation);
      operation.then(settled, settled);
      return operation;
    }

    #dispense() {
      if (this.#waiting.length === 0) return;
      const shortfall = this.#waiting.length - this.#available.length - this.#creating.size - this.#validating;
      const toCreate = Math.min(this.spareResourceCapacity, shortfall);
      for (let i = 0; i < toCreate; i++) this.#create();
      while (this.#available.length > 0 && this.#waiting.length > this.#validating) {
        const resource = this.#available.shift();
        if (this.#config.testOnBorrow) {
          this.#validate(resource, () => this.#lend(resource));
        } else {
          this.#lend(resource);
        }
      }
    }

    // Runs factory.validate; a valid resource goes to `next`, an invalid one is destroyed.
    #validate(resource, next) {
      this.#validating++;
      this.#track(Promise.resolve().then(() => this.#factory.validate(resource)).then(
        (valid) => valid,
        () => false,
      ).then((valid) => {
        this.#validating--;
        if (valid) {
          next();
        } else {
          this.#destroy(resource);
          this.#dispense();
        }
      }));
    }

    #lend(resource) {
      const request = this.#waiting.shift();
      if (request === undefined) {
        this.#makeAvailable(resource);
        return;
      }
      if (request.timer !== undefined) native.clearTimer(request.timer);
      this.#loans.set(resource, deferred());
      request.resolve(resource);
    }

    #makeAvailable(resource) {
      if (this.#config.fifo) this.#available.push(resource);
      else this.#available.unshift(resource);
      this.#dispense();
    }

    #create() {
      const creation = this.#track(Promise.resolve().then(() => this.#factory.create()).then(
        (resource) => {
          this.#creating.delete(creation);
          this.#all.add(resource);
          this.#makeAvailable(resource);
        },
        (error) => {
          this.#creating.delete(creation);
          this.#emit('factoryCreateError', error);
          const request = this.#waiting.shift();
          if (request !== undefined) {
            if (request.timer !== undefined) native.clearTimer(request.timer);
            request.reject(error);
          }
          this.#dispense();
        }));
      this.#creating.add(creation);
    }

    #destroy(resource) {
      this.#all.delete(resource);
      this.#track(Promise.resolve().then(() => this.#factory.destroy(resource)).then(
        () => {},
        (error) => this.#emit('factoryDestroyError', error)));
      this.#ensureMinimum();
    }

    #ensureMinimum() {
      if (this.#draining) return;
      for (let count = this.size; count < this.#config.min; count++) this.#create();
    }
  }

  return Object.freeze({ Pool, TimeoutError, createPool: (factory, options) => new Pool(factory, options) });
}
