// Remembers a user for an hour in the cache.
async function processEvent(event, { cache }) {
    const seen = await cache.get(`seen/${event.distinct_id}`, false)
    await cache.set(`seen/${event.distinct_id}`, true, 3600)
    return { ...event, properties: { ...event.properties, returning: seen } }
}

module.exports = { processEvent }
