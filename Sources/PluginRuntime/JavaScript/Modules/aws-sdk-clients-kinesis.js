(require) => require('aws-sdk').Kinesis
