async function setupPlugin({ config, global }) {
    global.welcomeEvent = config.welcomeEvent || 'signup'
}

async function processEvent(event, { global, cache, storage, jobs, utils }) {
    const count = await cache.incr(`count/${event.distinct_id}`)
    const first = await storage.get(`first/${event.distinct_id}`, null)
    if (first === null) {
        await storage.set(`first/${event.distinct_id}`, { event: event.event, at: event.timestamp })
    }
    if (event.event === global.welcomeEvent) {
        await jobs.sendWelcome({ distinct_id: event.distinct_id }).runIn(1, 'hour')
    }
    await utils.cursor.init('processed')
    const processed = await utils.cursor.increment('processed')
    return { ...event, properties: { ...event.properties, event_count: count, first_event: (first || { event: event.event }).event, processed } }
}

const jobs = {
    sendWelcome: async () => undefined,
}

module.exports = { setupPlugin, processEvent, jobs }
