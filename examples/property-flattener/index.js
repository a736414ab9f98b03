// Properties PostHog reads in their nested form: they are never flattened.
const LEAVE_NESTED = new Set([
    '$elements',
    '$elements_chain',
    '$groups',
    '$active_feature_flags',
    '$heatmap_data',
    '$web_vitals_data',
    '$exception_list',
    '$set',
    '$set_once',
    '$unset',
])

const isNonEmptyContainer = (value) => value !== null && typeof value === 'object' && Object.keys(value).length > 0

/** Writes the leaves of `value` (an object or array) into `into`, keyed `prefix<sep>key<sep>…`. */
function addLeaves(value, prefix, separator, into, existing) {
    for (const [key, child] of Object.entries(value)) {
        const name = `${prefix}${separator}${key}`
        if (isNonEmptyContainer(child)) {
            addLeaves(child, name, separator, into, existing)
        } else if (!existing.has(name)) {
            // A property the client sent with this very name wins over a flattened one.
            into[name] = child
        }
    }
}

/** A copy of `properties` with every nested property also (or only) given as flat keys. */
function flattenProperties(properties, separator, keepNested, skipped = new Set()) {
    const existing = new Set(Object.keys(properties))
    const flat = {}
    for (const [key, value] of Object.entries(properties)) {
        if (skipped.has(key) || !isNonEmptyContainer(value)) {
            flat[key] = value
            continue
        }
        if (keepNested) {
            flat[key] = value
        }
        addLeaves(value, key, separator, flat, existing)
    }
    return flat
}

/** `$set` and `$set_once` are flattened within themselves, so person properties get flat keys too. */
function flattenPersonUpdates(holder, separator, keepNested) {
    for (const key of ['$set', '$set_once']) {
        if (isNonEmptyContainer(holder[key]) && !Array.isArray(holder[key])) {
            holder[key] = flattenProperties(holder[key], separator, keepNested)
        }
    }
}

async function processEvent(event, { config }) {
    const separator = config.separator || '__'
    const keepNested = config.keepNested !== 'No'
    if (event.properties) {
        flattenPersonUpdates(event.properties, separator, keepNested)
        event.properties = flattenProperties(event.properties, separator, keepNested, LEAVE_NESTED)
    }
    flattenPersonUpdates(event, separator, keepNested)
    return event
}

module.exports = { processEvent }
