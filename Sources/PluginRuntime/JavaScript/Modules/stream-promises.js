(require) => require('stream').promises
