// PostHog's PostgreSQL export plugin (posthog-postgres-plugin), its host/port settings left out: a connection per
// query, a multi-row INSERT with $1… parameters into a jsonb table. A failed query throws RetryError; a failed
// connection throws what connect() threw, which sits outside the plugin's try.
import { Client } from 'pg'
import { RetryError } from '@posthog/plugin-scaffold'

const executeQuery = async (query, values, config) => {
    const pgClient = new Client({
        connectionString: config.databaseUrl,
        ssl: { rejectUnauthorized: config.hasSelfSignedCert === 'No' },
    })
    await pgClient.connect()
    let error = null
    try {
        await pgClient.query(query, values)
    } catch (err) {
        error = err
    }
    await pgClient.end()
    return error
}

export const setupPlugin = async ({ global, config }) => {
    global.sanitizedTableName = config.tableName.replace(/[^a-zA-Z0-9_]/g, '')
    const queryError = await executeQuery(
        `CREATE TABLE IF NOT EXISTS public.${global.sanitizedTableName} (
            uuid varchar(200), event varchar(200), properties jsonb, elements jsonb, set jsonb, set_once jsonb,
            timestamp timestamp with time zone, distinct_id varchar(200), team_id integer, ip varchar(200),
            site_url varchar(200)
        );`, [], config)
    if (queryError) {
        throw new Error(`Unable to connect to PostgreSQL instance and create table with error: ${queryError.message}`)
    }
    global.eventsToIgnore = new Set(config.eventsToIgnore ? config.eventsToIgnore.split(',').map((event) => event.trim()) : null)
}

export const exportEvents = async (events, { global, config }) => {
    const batch = []
    for (const event of events) {
        const { event: eventName, properties, $set, $set_once, distinct_id, team_id, site_url, now, sent_at, uuid } = event
        const ip = properties?.['$ip'] || event.ip
        const timestamp = event.timestamp || properties?.timestamp || now || sent_at
        let ingestedProperties = properties
        let elements = []
        // only move prop to elements for the $autocapture action
        if (eventName === '$autocapture' && properties && '$elements' in properties) {
            const { $elements, ...props } = properties
            ingestedProperties = props
            elements = $elements
        }
        const parsedEvent = {
            uuid, eventName, properties: JSON.stringify(ingestedProperties || {}), elements: JSON.stringify(elements || {}),
            set: JSON.stringify($set || {}), set_once: JSON.stringify($set_once || {}), distinct_id, team_id, ip, site_url,
            timestamp: new Date(timestamp).toISOString(),
        }
        if (!global.eventsToIgnore.has(eventName)) {
            batch.push(parsedEvent)
        }
    }
    if (batch.length > 0) {
        await insertBatchIntoPostgres(batch, { global, config })
    }
}

const insertBatchIntoPostgres = async (batch, { global, config }) => {
    let values = []
    let valuesString = ''
    for (let i = 0; i < batch.length; ++i) {
        const { uuid, eventName, properties, elements, set, set_once, distinct_id, team_id, ip, site_url, timestamp } = batch[i]
        // Creates format: ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11), ($12, $13, …
        valuesString += ' ('
        for (let j = 1; j <= 11; ++j) {
            valuesString += `$${11 * i + j}${j === 11 ? '' : ', '}`
        }
        valuesString += `)${i === batch.length - 1 ? '' : ','}`
        values = values.concat([uuid, eventName, properties, elements, set, set_once, distinct_id, team_id, ip, site_url, timestamp])
    }
    console.log(`Flushing ${batch.length} event${batch.length > 1 ? 's' : ''} to Postgres instance`)
    const queryError = await executeQuery(
        `INSERT INTO ${global.sanitizedTableName} (uuid, event, properties, elements, set, set_once, distinct_id, team_id, ip, site_url, timestamp)
        VALUES ${valuesString}`, values, config)
    if (queryError) {
        console.error(`Error uploading to Postgres: ${queryError.message}`)
        throw new RetryError(`Error uploading to Postgres: ${queryError.message}`)
    }
}
