import { S3 } from 'aws-sdk'
import { gzipSync } from 'zlib'

export function setupPlugin({ config, global }) {
    global.s3 = new S3({
        endpoint: config.endpoint, s3ForcePathStyle: true, region: 'us-east-1',
        accessKeyId: 'bench', secretAccessKey: 'bench',
    })
}

export async function exportEvents(events, { config, global }) {
    const day = new Date().toISOString().slice(0, 10)
    const key = `events/${day}/${Date.now()}-${Math.random().toString(16).slice(2)}.jsonl.gz`
    const body = gzipSync(events.map((event) => JSON.stringify(event)).join('\n'))
    await global.s3.upload({ Bucket: config.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }).promise()
}
