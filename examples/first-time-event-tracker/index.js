/** `Signed Up` → `signed_up`, `$pageview` → `pageview`: a property-name-friendly form of an event name. */
const slug = (eventName) => eventName.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_+|_+$/g, '')

async function setupPlugin({ config, global }) {
    global.tracked = new Set(
        config.events
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name.length > 0)
    )
    if (global.tracked.size === 0) {
        throw new Error('List at least one event to track')
    }
}

async function processEvent(event, { config, global, storage }) {
    if (!global.tracked.has(event.event)) {
        return event
    }
    const distinctId = event.distinct_id
    if (distinctId === undefined || distinctId === null || distinctId === '') {
        return event
    }
    const key = `seen/${event.event}/${distinctId}`
    const seenBefore = await storage.get(key, false)
    if (!seenBefore) {
        await storage.set(key, true)
    }
    const name = slug(event.event)
    event.properties = event.properties || {}
    event.properties[`is_first_${name}`] = !seenBefore
    if (!seenBefore && config.setPersonProperty === 'Yes' && event.timestamp) {
        event.properties.$set_once = { ...event.properties.$set_once, [`first_${name}_at`]: event.timestamp }
    }
    return event
}

module.exports = { setupPlugin, processEvent }
