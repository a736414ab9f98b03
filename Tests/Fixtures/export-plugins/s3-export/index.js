// PostHog's S3 export plugin (posthog-s3-export-plugin): one object per batch, JSON lines gzip'd, keyed by the
// day and time with a random suffix; any failed upload (after the SDK's own retries) throws RetryError.
import { S3 } from 'aws-sdk'
import { randomBytes } from 'crypto'
import { gzipSync } from 'zlib'
import { RetryError } from '@posthog/plugin-scaffold'

export const setupPlugin = ({ global, config }) => {
    if (!config.awsAccessKey) throw new Error('AWS access key missing!')
    if (!config.awsSecretAccessKey) throw new Error('AWS secret access key missing!')
    if (!config.awsRegion) throw new Error('AWS region missing!')
    if (!config.s3BucketName) throw new Error('S3 bucket name missing!')
    const s3Config = {
        credentials: { accessKeyId: config.awsAccessKey, secretAccessKey: config.awsSecretAccessKey },
        region: config.awsRegion,
    }
    if (config.s3BucketEndpoint) {
        s3Config.s3BucketEndpoint = true
        s3Config.endpoint = config.s3BucketEndpoint
    }
    global.s3 = new S3(s3Config)
}

export const exportEvents = async (events, { global, config }) => {
    const date = new Date().toISOString()
    const [day, time] = date.split('T')
    const dayTime = `${day.split('-').join('')}-${time.split(':').join('')}`
    const suffix = randomBytes(8).toString('hex')
    const params = {
        Bucket: config.s3BucketName,
        Key: `${config.prefix || ''}${day}/${dayTime}-${suffix}.jsonl`,
        Body: Buffer.from(events.map((event) => JSON.stringify(event)).join('\n'), 'utf8'),
    }
    if (config.compression === 'gzip') {
        params.Key = `${params.Key}.gz`
        params.Body = gzipSync(params.Body)
    }
    if (config.sse !== 'disabled') {
        params.ServerSideEncryption = config.sse
    }
    try {
        await global.s3.upload(params).promise()
        console.log(`Uploaded ${events.length} event${events.length === 1 ? '' : 's'} to bucket ${config.s3BucketName}`)
    } catch (err) {
        console.error(`Error uploading to S3: ${err.message}`)
        throw new RetryError(`Error uploading to S3: ${err.message}`)
    }
}
