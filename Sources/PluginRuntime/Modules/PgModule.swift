/// `pg` (node-postgres 8), for PostHog's PostgreSQL and Redshift plugins: `Client` and `Pool` (pg-pool) over
/// postgres-nio, written after node-postgres's own code where plugins can see it: connection options and
/// connection strings, `prepareValue` for parameters (sent as text of no declared type, bytes as binary),
/// the default type parsers for results, `DatabaseError`s with the server's fields, promise and callback forms.
/// Each connect, query and end is ``PgBindings``' native call; connections obey the operator's ``FetchPolicy``
/// and close with the plugin's VM.
///
/// Not offered: several statements in one query text (postgres-nio has only the extended protocol, which takes
/// one), `fields` of a query that returned no rows, submittable queries (pg-cursor, pg-query-stream), `LISTEN`
/// notifications, `COPY`, custom type parsers (`types`), client certificates, and pg-pool's idle time-out.
enum PgModule {
    static let module = BuiltinModule(name: "pg", source: EmbeddedJavaScript.pg)
}
