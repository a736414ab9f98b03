// rrweb's EventType.FullSnapshot: the whole page, sent when recording starts and after navigation.
const FULL_SNAPSHOT = 2

async function setupPlugin({ config, global }) {
    const hours = Number(config.sessionHours || '24')
    if (!Number.isFinite(hours) || hours <= 0) {
        throw new Error('Hours to remember a session must be a number above 0')
    }
    global.sessionSeconds = Math.round(hours * 3600)
}

async function onSnapshot(event, { cache, global }) {
    const properties = event.properties || {}
    const sessionId = properties.$session_id
    if (typeof sessionId !== 'string' || sessionId === '') {
        return
    }
    // posthog-js sends one rrweb event per $snapshot (older versions) or a batch of them (newer ones);
    // PostHog's newer $snapshot_items batches carry theirs in $snapshot_items.
    const data = event.event === '$snapshot_items' ? properties.$snapshot_items : properties.$snapshot_data
    const items = Array.isArray(data) ? data : data ? [data] : []
    const fullSnapshots = items.filter((item) => item && item.type === FULL_SNAPSHOT).length

    const key = `recording-batches/${sessionId}`
    const batches = await cache.incr(key)
    await cache.expire(key, global.sessionSeconds)
    console.log(
        `Session ${sessionId}: recording batch ${batches} with ${count(items.length, 'rrweb event')}` +
            ` (${count(fullSnapshots, 'full snapshot')})` +
            (properties.$window_id ? ` from window ${properties.$window_id}` : '')
    )
}

const count = (number, noun) => `${number} ${noun}${number === 1 ? '' : 's'}`

module.exports = { setupPlugin, onSnapshot }
