/** `"a, b.c"` → `[['a'], ['b', 'c']]`. */
function parsePaths(list) {
    return list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0)
        .map((entry) => entry.split('.'))
}

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)

/** Deletes `path` from `object`; descends only through objects (not arrays or other values). */
function removePath(object, path) {
    let parent = object
    for (const key of path.slice(0, -1)) {
        if (!isPlainObject(parent[key])) {
            return
        }
        parent = parent[key]
    }
    delete parent[path[path.length - 1]]
}

function setupPlugin({ config, global }) {
    global.paths = parsePaths(config.properties || '')
    global.removesIp = global.paths.some((path) => path.length === 1 && path[0] === '$ip')
}

function processEvent(event, { global }) {
    // Where properties live: the event's, and person properties set by the event, in both places SDKs put them.
    const holders = [event.properties, event.properties?.$set, event.properties?.$set_once, event.$set, event.$set_once]
    for (const holder of holders) {
        if (!isPlainObject(holder)) {
            continue
        }
        for (const path of global.paths) {
            removePath(holder, path)
        }
    }
    if (global.removesIp && event.ip) {
        // PostHog fills $ip from the request's address after plugins run; clearing it keeps the address out.
        event.ip = null
    }
    return event
}

module.exports = { setupPlugin, processEvent }
