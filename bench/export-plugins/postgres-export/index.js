import { Client } from 'pg'

export async function setupPlugin({ config, global }) {
    global.client = new Client({ connectionString: config.databaseUrl })
    await global.client.connect()
    await global.client.query(`CREATE TABLE IF NOT EXISTS posthog_event (
        uuid varchar(200), event text, properties jsonb, distinct_id text, timestamp timestamptz)`)
}

export async function exportEvents(events, { global }) {
    const values = []
    const rows = events.map((event, index) => {
        values.push(event.uuid, event.event, JSON.stringify(event.properties || {}), event.distinct_id, event.timestamp)
        const at = index * 5
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`
    })
    await global.client.query(
        `INSERT INTO posthog_event (uuid, event, properties, distinct_id, timestamp) VALUES ${rows.join(', ')}`, values)
}

export async function teardownPlugin({ global }) {
    await global.client.end()
}
