(require, native) => {
  'use strict';
  const clone = (object) => JSON.parse(JSON.stringify(object));
  const createEvent = (changes = {}) => ({
    distinct_id: '007',
    ip: '127.0.0.1',
    site_url: 'http://localhost',
    team_id: 13,
    now: '2020-11-26T12:58:58.453Z',
    event: 'EVENT_TYPE',
    sent_at: '2020-11-26T12:58:58.453Z',
    timestamp: '2020-11-26T12:58:58.453Z',
    uuid: '00000000-0000-4000-8000-000000000007',
    properties: {},
    ...changes,
  });
  const createPageview = () => createEvent({
    event: '$pageview',
    properties: {
      $os: 'Mac OS X',
      $browser: 'Chrome',
      $device_type: 'Desktop',
      $current_url: 'https://posthog.com/docs',
      $host: 'posthog.com',
      $pathname: '/docs',
      $browser_version: 86,
      $screen_height: 1120,
      $screen_width: 1792,
      $viewport_height: 1067,
      $viewport_width: 1790,
      $lib: 'web',
      $lib_version: '1.7.0',
      $insert_id: 'hgu2p36uvlc1b9dg',
      $time: 1606395538.453,
      distinct_id: '007',
      $device_id: '1760f9fa1ff4ff-0b8ed4a8ee0fc2-1f3d6354-1c00-1760f9fa20088',
      $referrer: '$direct',
      $referring_domain: '$direct',
      token: 'mre13a_SMBv9EwHAtdtTyutyy6AfO00OTPwaalaHPGgKLS',
    },
  });
  const createIdentify = () => createEvent({
    event: '$identify',
    properties: {
      $os: 'Mac OS X',
      $browser: 'Chrome',
      $lib: 'web',
      $lib_version: '1.7.0',
      distinct_id: '007',
      $anon_distinct_id: '1760f9fa1ff4ff-0b8ed4a8ee0fc2-1f3d6354-1c00-1760f9fa20088',
      $set: { email: 'test@posthog.com' },
    },
    $set: { email: 'test@posthog.com' },
  });
  return Object.freeze({ RetryError: native.RetryError, createEvent, createPageview, createIdentify, clone });
}
