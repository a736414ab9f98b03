// A word is a run of capitals not followed by a lowercase letter (an acronym like "HTML"), an optionally
// capitalised run of lowercase letters, a run of digits, or letters without case (e.g. CJK).
const WORD = /\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{N}+|[\p{L}\p{M}]+/gu

const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1)

const CONVENTIONS = {
    camelCase: (words) => words.map((word, index) => (index === 0 ? word : capitalize(word))).join(''),
    PascalCase: (words) => words.map(capitalize).join(''),
    snake_case: (words) => words.join('_'),
    'kebab-case': (words) => words.join('-'),
    'Title Case': (words) => words.map(capitalize).join(' '),
}

function splitWords(name) {
    return (name.match(WORD) || []).map((word) => word.toLowerCase())
}

function rename(name, convention) {
    const words = splitWords(name)
    // A name without any letters or digits ("!!!") has nothing to standardize.
    return words.length > 0 ? CONVENTIONS[convention](words) : name
}

function setupPlugin({ config, global }) {
    if (!CONVENTIONS[config.namingConvention]) {
        throw new Error(`Unknown naming convention: ${config.namingConvention}`)
    }
    global.convention = config.namingConvention
}

function processEvent(event, { config, global }) {
    if (typeof event.event !== 'string' || event.event.startsWith('$')) {
        return event
    }
    const renamed = rename(event.event, global.convention)
    if (renamed !== event.event) {
        if (config.keepOriginalName === 'Yes') {
            event.properties = { ...event.properties, $original_event_name: event.event }
        }
        event.event = renamed
    }
    return event
}

module.exports = { setupPlugin, processEvent }
