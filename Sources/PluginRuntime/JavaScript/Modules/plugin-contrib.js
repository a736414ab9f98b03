(require, native) => {
  'use strict';
  const createBuffer = (options = {}) => {
    let timer = null;
    const background = (flushing) => {
      flushing.catch((error) => console.error('createBuffer: onFlush failed:', error));
    };
    const buffer = {
      limit: options.limit || 10,
      timeoutSeconds: options.timeoutSeconds || 60,
      onFlush: options.onFlush,
      items: [],
      points: 0,
      // plugin-contrib's own name for the items.
      get buffer() {
        return buffer.items;
      },
      add(item, points = 1) {
        // Flush what is there first if this item would take the buffer over its limit.
        if (buffer.points && buffer.points + points > buffer.limit) background(buffer.flush());
        buffer.items.push(item);
        buffer.points += points;
        if (buffer.points >= buffer.limit) {
          background(buffer.flush());
        } else if (timer === null) {
          timer = native.setTimer(buffer.timeoutSeconds * 1000, () => {
            timer = null;
            background(buffer.flush());
          });
        }
      },
      async flush() {
        if (timer !== null) {
          native.clearTimer(timer);
          timer = null;
        }
        if (buffer.items.length === 0 && buffer.points === 0) return;
        const items = buffer.items;
        const points = buffer.points;
        buffer.items = [];
        buffer.points = 0;
        if (typeof buffer.onFlush === 'function') await buffer.onFlush(items, points);
      },
    };
    return buffer;
  };
  return Object.freeze({ createBuffer });
}
