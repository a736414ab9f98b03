import { parse } from 'ua-lite'

const DETAILS = ['$browser', '$browser_version', '$os', '$device_type']

export function processEvent(event, { config }) {
    const properties = event.properties
    if (!properties) {
        return event
    }
    let userAgent = properties.$useragent
    if (!userAgent && config.enableSegmentAnalyticsJs !== 'No') {
        userAgent = properties.userAgent
    }
    if (typeof userAgent !== 'string' || userAgent.trim() === '') {
        return event
    }
    if (config.overrideUserAgentDetails !== 'Yes' && DETAILS.some((key) => key in properties)) {
        return event
    }
    const agent = parse(userAgent)
    const details = {
        $browser: agent.browser,
        $browser_version: agent.browserVersion,
        $os: agent.os,
        $device_type: agent.deviceType,
    }
    for (const [key, value] of Object.entries(details)) {
        if (value !== undefined) {
            properties[key] = value
        }
    }
    return event
}
