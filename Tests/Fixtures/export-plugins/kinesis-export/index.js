// An exporter as PostHog's Kinesis plugins write records: one per event, JSON, by distinct id, in one putRecords.
// A failed call (after the SDK's own retries) throws RetryError, as PostHog's S3 export plugin does with its uploads.
import { Kinesis } from 'aws-sdk'
import { RetryError } from '@posthog/plugin-scaffold'

export const setupPlugin = ({ global, config }) => {
    global.kinesis = new Kinesis({
        accessKeyId: config.kinesisAccessKeyId, secretAccessKey: config.kinesisSecretAccessKey,
        region: config.kinesisRegion, endpoint: config.kinesisEndpoint,
    })
}

export const exportEvents = async (events, { global, config }) => {
    let result
    try {
        result = await global.kinesis.putRecords({
            StreamName: config.kinesisStreamName,
            Records: events.map((event) => ({ Data: JSON.stringify(event), PartitionKey: event.distinct_id })),
        }).promise()
    } catch (err) {
        console.error(`Error putting records on Kinesis: ${err.message}`)
        throw new RetryError(`Error putting records on Kinesis: ${err.message}`)
    }
    if (result.FailedRecordCount > 0) throw new RetryError(`${result.FailedRecordCount} of ${events.length} records failed`)
}
