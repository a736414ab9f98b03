import { PluginEvent, PluginMeta } from '@posthog/plugin-scaffold'

type YesNo = 'Yes' | 'No'

interface NormalizeOptions {
    /** Parameter names to drop, lowercased. */
    names: Set<string>
    /** Prefixes of parameter names to drop (from entries like `utm_*`), lowercased. */
    prefixes: string[]
    trailingSlash: boolean
    sortQuery: boolean
    stripHash: boolean
}

type NormalizerMeta = PluginMeta & {
    config: { stripParameters?: string; stripTrailingSlash: YesNo; sortQuery: YesNo; stripHash?: YesNo }
    global: { options: NormalizeOptions }
}

const URL_PROPERTIES = ['$current_url', '$referrer'] as const

export function setupPlugin({ config, global }: NormalizerMeta): void {
    const entries = (config.stripParameters ?? '')
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter((entry) => entry.length > 0)
    global.options = {
        names: new Set(entries.filter((entry) => !entry.endsWith('*'))),
        prefixes: entries.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1)),
        trailingSlash: config.stripTrailingSlash === 'Yes',
        sortQuery: config.sortQuery === 'Yes',
        stripHash: config.stripHash === 'Yes',
    }
}

function isTrackingParameter(name: string, options: NormalizeOptions): boolean {
    const key = name.toLowerCase()
    return options.names.has(key) || options.prefixes.some((prefix) => key.startsWith(prefix))
}

function withoutTrailingSlash(path: string): string {
    const trimmed = path.replace(/\/+$/, '')
    return trimmed === '' ? '/' : trimmed
}

/** The normalized form of an absolute http(s) URL; anything else (`$direct`, a relative path) comes back as it was. */
export function normalizeUrl(raw: string, options: NormalizeOptions): string {
    let url: URL
    try {
        url = new URL(raw.trim())
    } catch {
        return raw
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return raw
    }
    // The URL parser already lowercases the scheme and host and drops a default port.
    const params = new URLSearchParams(url.search)
    const kept = [...params.entries()].filter(([name]) => !isTrackingParameter(name, options))
    if (options.sortQuery) {
        // Sort by name only: the order of repeated parameters (a=2&a=1) can matter, so it stays.
        kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    }
    if (kept.length !== [...params.keys()].length || options.sortQuery) {
        url.search = new URLSearchParams(kept).toString()
    }
    if (options.stripHash) {
        url.hash = ''
    }
    if (options.trailingSlash) {
        url.pathname = withoutTrailingSlash(url.pathname)
    }
    let normalized = url.href
    // "https://example.com/" ends with the root path's slash, which `pathname` can't remove.
    if (options.trailingSlash && url.pathname === '/' && !url.search && !url.hash && normalized.endsWith('/')) {
        normalized = normalized.slice(0, -1)
    }
    return normalized
}

export function processEvent(event: PluginEvent, { global }: NormalizerMeta): PluginEvent {
    const properties = event.properties
    if (!properties) {
        return event
    }
    for (const key of URL_PROPERTIES) {
        const value = properties[key]
        if (typeof value === 'string' && value.length > 0) {
            properties[key] = normalizeUrl(value, global.options)
        }
    }
    const pathname = properties['$pathname']
    if (global.options.trailingSlash && typeof pathname === 'string' && pathname.length > 0) {
        properties['$pathname'] = withoutTrailingSlash(pathname)
    }
    return event
}
