/// `generic-pool` (v3): `createPool(factory, options)` and its `Pool`.
///
/// Offered: `acquire`, `release`, `destroy`, `use`, `drain`, `clear`, `start`, `ready`,
/// `isBorrowedResource`, `on`/`off` for `factoryCreateError`/`factoryDestroyError`, the counts
/// (`size`, `available`, `borrowed`, `pending`, `spareResourceCapacity`, `max`, `min`) and the
/// options `max`, `min`, `maxWaitingClients`, `testOnBorrow`, `testOnReturn`, `acquireTimeoutMillis`
/// (on Quill's timers), `fifo` and `autostart`. Not offered: priorities (accepted, ignored) and idle
/// eviction. One deliberate difference: when `factory.create` fails, generic-pool leaves the waiting
/// `acquire` pending forever; here the oldest waiting `acquire` is rejected with the error.
enum GenericPoolModule {
    static let module = BuiltinModule(name: "generic-pool", source: EmbeddedJavaScript.genericPool)
}
