const describeReceived = (value) => {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name}`;
  if (typeof value === 'object') {
    const constructorName = value.constructor && value.constructor.name;
    return constructorName ? ` Received an instance of ${constructorName}` : ' Received an object';
  }
  let shown = typeof value === 'string' ? `'${value}'` : typeof value === 'bigint' ? `${value}n` : String(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
};
// Errors Node throws from C++ carry a code that their String() doesn't show.
const codedError = (Base, code, message) => Object.assign(new Base(message), { code });
const nodeError = (Base, code, message) => {
  const error = codedError(Base, code, message);
  Object.defineProperty(error, 'toString', {
    value() { return `${this.name} [${code}]: ${this.message}`; },
    writable: true, configurable: true, enumerable: false,
  });
  return error;
};
const invalidArgType = (name, expected, value) => nodeError(TypeError, 'ERR_INVALID_ARG_TYPE',
  `The "${name}" ${name.includes('.') ? 'property' : 'argument'} must be ${expected}.${describeReceived(value)}`);
const outOfRange = (name, range, value) => nodeError(RangeError, 'ERR_OUT_OF_RANGE',
  `The value of "${name}" is out of range. It must be ${range}. Received ${value}`);
