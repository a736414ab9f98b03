// What the chain reads from and writes on events, evaluated once per script thread: each is one entry
// from the host instead of one per property.
(function chainEvents(originProperty) {
  'use strict';
  const { isArray } = Array;
  const isObjectLike = (value) => value !== null && (typeof value === 'object' || typeof value === 'function');
  // Only the parsed event's own fields: a plugin may have put getters on its realm's Object.prototype.
  const hasOwnProperty = Object.prototype.hasOwnProperty;
  const own = (object, key) => (isObjectLike(object) && hasOwnProperty.call(object, key) ? object[key] : undefined);

  return {
    // [team_id, whether it is a recording, the config that captured it with posthog.capture (NaN if none)].
    describe(event) {
      const origin = own(own(event, 'properties'), originProperty);
      const name = own(event, 'event');
      const originNumber = typeof origin === 'number' || typeof origin === 'string' ? Number(origin) : NaN;
      return [own(event, 'team_id'), name === '$snapshot' || name === '$snapshot_items', originNumber];
    },

    // Sets $plugins_succeeded, $plugins_failed and $plugins_deferred from the labels, in that order.
    record(event, succeededCount, failedCount, ...labels) {
      let properties = event.properties;
      if (!isObjectLike(properties) || isArray(properties)) {
        properties = {};
        Reflect.set(event, 'properties', properties);
      }
      Reflect.set(properties, '$plugins_succeeded', labels.slice(0, succeededCount));
      Reflect.set(properties, '$plugins_failed', labels.slice(succeededCount, succeededCount + failedCount));
      Reflect.set(properties, '$plugins_deferred', labels.slice(succeededCount + failedCount));
    },
  };
})
