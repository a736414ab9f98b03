/// Something the runtime runs beside the chain, from the work queue.
public enum Delivery: Sendable, Equatable {
    /// `onEvent(event)`; the event as JSON.
    case onEvent([UInt8])
    case onSnapshot([UInt8])
    /// `exportEvents(events)`; a JSON array.
    case exportEvents([UInt8])
    /// `jobs[name](payload)`; the payload as JSON.
    case job(name: String, payload: [UInt8])
    /// `runEveryMinute`, `runEveryHour` or `runEveryDay`.
    case scheduledTask(String)
}

/// What `composeWebhook` made of an event.
public enum WebhookComposition: Sendable, Equatable {
    /// The request to send.
    case webhook(PluginHTTPRequest)
    /// It returned `null` or `undefined`: nothing to send.
    case none
    /// The call didn't return a webhook: it threw, timed out, or the config isn't there.
    case failed(DeliveryOutcome)
}

/// How a delivery went.
public enum DeliveryOutcome: Sendable, Equatable {
    case succeeded
    /// The plugin threw `RetryError`: try again later.
    case retry(String)
    /// Any other error.
    case failed(String)
    /// The call ran past the time limit. It fails like `failed`; the work queue also counts these
    /// to pause a config whose calls keep timing out.
    case timedOut(String)
    /// The config isn't loaded (disabled or removed), or the runtime has stopped.
    case unavailable(String)
    /// Not run: the config is retrying `setupPlugin`. The work queue tries again later without counting an
    /// attempt; if the retries run out, the config is disabled and the delivery is `unavailable`.
    case waitingForSetup(String)
    /// Not run: another call of the config timed out while this one waited its turn. The work queue
    /// puts it back untouched; the config's next calls come one at a time.
    case deferred(String)
}
