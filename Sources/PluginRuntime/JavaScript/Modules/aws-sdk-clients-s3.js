(require) => require('aws-sdk').S3
