// PostHog's formatting of a console argument: objects and arrays as JSON, errors and everything else as String(x).
const formatArgument = (value) => {
  if (typeof value === 'object' && value !== null && Object.prototype.toString.call(value) !== '[object Error]') {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) return json;
    } catch (_) {}
  }
  return String(value);
};
