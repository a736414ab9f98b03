import fetch from 'node-fetch'
import { createHash } from 'crypto'

export async function setupPlugin({ config, global }) {
    const response = await fetch(`https://api.example.com/plans/${config.team}`)
    global.plan = (await response.json()).plan
}

export function processEvent(event, { global }) {
    console.log('processing', event.event)
    const hash = createHash('sha256').update(String(event.distinct_id)).digest('hex').slice(0, 8)
    return { ...event, properties: { ...event.properties, plan: global.plan, user_hash: hash } }
}
