/// `@google-cloud/storage` (v7), for PostHog's Google Cloud Storage export plugin: `Storage`, `bucket()`, `file()`,
/// `file.save()`, `file.createWriteStream()` (a `stream` Writable sent as one upload when it ends, so a PassThrough
/// can be piped into it), `download()`, `exists()`, `getMetadata()`, `delete()`, `bucket.exists()` and
/// `bucket.getFiles()`, promise and callback forms, failures as the library's `ApiError` (`code` the HTTP status). Written in JavaScript over
/// `node-fetch`, so every request obeys the operator's ``FetchPolicy``: uploads are one JSON API request (media, or
/// multipart when there is metadata besides the content type), authenticated by a service account's access token
/// (a JWT signed RS256 by ``CryptoBindings``, exchanged at the key's `token_uri`, kept per `Storage` until five
/// minutes before it expires). `STORAGE_EMULATOR_HOST` (``PluginHostServices/storageEmulatorHost``) sends every
/// request to an emulator, unauthenticated, as Google's clients do.
///
/// Not offered: resumable uploads (`resumable` is ignored), key files, application default credentials,
/// `destination` files, signed URLs, ACLs, bucket management and `userProject`.
enum GoogleCloudStorageModule {
    static let module = BuiltinModule(name: "@google-cloud/storage", source: EmbeddedJavaScript.googleCloudStorage)
}
