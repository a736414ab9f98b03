import Foundation
public import Hummingbird
public import Logging
import GeoIP
import PluginPackaging
import PluginRuntime
import ServiceLifecycle
public import Storage
import StorageRedis
import StoragePostgres
import StorageSQLite

/// Builds `quill serve`: storage, the plugin runtime, the ingestion pipeline and the HTTP routes.
public enum QuillServer {
    /// - Parameters:
    ///   - configuration: The server's settings.
    ///   - logger: The server's logger.
    ///   - announce: Prints what the operator must see: the keys made on first start, the listening address.
    public static func buildApplication(
        configuration: ServerConfiguration, logger: Logger, announce: @escaping @Sendable (String) -> Void
    ) async throws -> some ApplicationProtocol {
        let storage = try await openStorage(configuration: configuration, logger: logger, announce: announce)
        let projects = storage.projects
        let ingestion = storage.ingestion
        let plugins = storage.plugins
        let pluginLogs = storage.pluginLogs
        let consoleLimiter = PluginConsoleLimiter(base: pluginLogs, limits: configuration.pluginLogLimits)
        let secrets = try ConfigSecrets.load(for: configuration)
        // Secrets stored before they were encrypted are sealed before anything reads them.
        let sealed = try await secrets.sealPlaintextSecrets(of: try await plugins.allPluginConfigs(), in: plugins)
        if sealed > 0 { logger.info("Encrypted the secret config values of \(sealed) plugin configs") }

        let ingestionMetrics = IngestionMetrics()
        let integrations = IntegrationUsage()
        let wakeups = TeamWakeups()
        let backlog = IngestionBacklog(store: ingestion, limit: configuration.maxBacklog, logger: logger)
        let catalogue = try PluginCatalogue.load(operatorFile: configuration.pluginCataloguePath)
        let liveEvents = LiveEventFeed()
        let writer = GroupCommitter<IngestionRecord> { records in
            _ = try await ingestion.append(records)
            liveEvents.logged(records)
            backlog.added(records.count)
            await wakeups.notify(teams: records.map(\.teamID))
        }
        let workQueueStore = storage.workQueue
        let hookStore = storage.hooks
        let hookMatcher = HookMatcher(store: hookStore, logger: logger)
        let workClock = SystemWorkClock()
        let workWakeup = WakeupSignal()
        let geoip: GeoIPDatabase?
        do {
            geoip = try configuration.geoipDatabasePath.map { try GeoIPDatabase(path: $0) }
        } catch {
            throw ConfigurationError(description: "QUILL_GEOIP_DATABASE: \(error)")
        }
        let apiAccess = PluginAPIAccessService(projects: projects)
        let alertSettings = storage.alerts
        let alerts = PluginAlerts(
            store: alertSettings, plugins: plugins, projects: projects, workQueue: workQueueStore,
            emailEnabled: configuration.smtpURL != nil, siteURL: configuration.siteURL, logger: logger,
            queued: { workWakeup.signal() })
        let cache = try await cacheStore(configuration: configuration)
        var runtimeConfiguration = PluginRuntimeConfiguration(
            workerCount: configuration.pluginWorkers, timeLimit: configuration.pluginTimeLimit,
            memoryLimit: configuration.pluginMemoryLimit)
        runtimeConfiguration.maximumEventSize = configuration.pluginMaximumEventSize
        let runtime = PluginRuntime(
            configuration: runtimeConfiguration,
            services: PluginHostServices(
                cache: cache,
                storage: storage.pluginStorage,
                logs: consoleLimiter, logLimits: configuration.pluginLogLimits, fetchPolicy: configuration.fetchPolicy,
                geoip: geoip,
                jobs: WorkQueueJobs(store: workQueueStore, clock: workClock, wakeup: workWakeup, limits: configuration.jobLimits),
                capture: PipelineCapture(
                    projects: projects, writer: writer, limiter: CaptureRateLimiter(limits: configuration.captureLimits), backlog: backlog),
                api: apiAccess),
            logger: logger,
            onStatusChange: { change in
                guard case .disabled(let id, let reason) = change else { return }
                Task {
                    do {
                        try await plugins.disablePluginConfig(id: id, errorMessage: reason)
                    } catch {
                        logger.error("Could not record a disabled plugin config", metadata: ["plugin_config.id": "\(id)"])
                    }
                    await alerts.raise(.disabled, pluginConfigID: id, error: reason)
                }
            })
        let loader = PluginConfigLoader(store: plugins, runtime: runtime, secrets: secrets, logs: pluginLogs, logger: logger)
        let pluginsLoaded = ReadyGate()
        let workQueue = WorkQueueService(
            store: workQueueStore, runtime: runtime, clock: workClock, logger: logger, wakeup: workWakeup,
            hooks: HookDeliveries(store: hookStore), integrations: integrations,
            alertDelivery: AlertDelivery(
                smtp: configuration.smtpURL.flatMap(SMTPClient.init(url:)), emailFrom: configuration.emailFrom, runtime: runtime),
            onDeadLetter: { item, error in await alerts.raise(.deadLetter, pluginConfigID: item.pluginConfigID, error: error) },
            ready: { await pluginsLoaded.wait() })
        let scheduler = SchedulerService(
            store: storage.schedules, runtime: runtime, clock: workClock, logger: logger,
            ready: { await pluginsLoaded.wait() })
        let pipeline = IngestionPipeline(
            store: ingestion, runtime: runtime, wakeups: wakeups,
            configuration: IngestionPipeline.Configuration(
                drainTime: configuration.drainTime,
                sharing: storage.isShared ? IngestionPipeline.Sharing(holder: storage.instanceID) : nil),
            logger: logger, hooks: hookMatcher,
            prepare: {
                await loader.loadEnabledConfigs()
                pluginsLoaded.open()
            },
            afterCommit: { outcomes in
                backlog.removed(outcomes.count)
                ingestionMetrics.countProcessed(outcomes)
                liveEvents.committed(outcomes)
                workQueue.notify()
            },
            onQuarantine: { events in
                backlog.removed(events)
                ingestionMetrics.countQuarantined(events)
            })
        let usageRecorder = PluginUsageRecorder(
            runtime: runtime, store: storage.pluginUsage, logger: logger)

        let router = Router(context: QuillRequestContext.self)
        HealthController(
            storage: storage, pluginsLoaded: pluginsLoaded, runtime: runtime, pluginTimeLimit: configuration.pluginTimeLimit
        ).addRoutes(to: router)
        MetricsController(
            ingestionMetrics: ingestionMetrics, ingestion: ingestion, workQueue: workQueueStore, runtime: runtime,
            token: configuration.metricsToken, consoleLimiter: consoleLimiter, adoption: plugins, integrations: integrations
        ).addRoutes(to: router)
        // Web pages call capture, recordings, decide and flags from their own sites.
        let browserRoutes = router.group().add(middleware: BrowserCORSMiddleware())
        let capture = CaptureController(
            projects: projects, writer: writer, maximumBodySize: configuration.maxBodySize,
            maximumRecordingBodySize: configuration.maxRecordingBodySize, metrics: ingestionMetrics, backlog: backlog,
            integrations: integrations)
        capture.addRoutes(to: browserRoutes)
        SegmentController(capture: capture).addRoutes(to: browserRoutes)
        DecideController(projects: projects, maximumBodySize: configuration.maxBodySize).addRoutes(to: browserRoutes)
        let authenticator = ManagementAuthenticator(projects: projects, pluginKeys: apiAccess)
        let eventRates = EventRateHistory(runtime: runtime)
        WebUIController().addRoutes(to: router)
        try ManagementRoute.register(
            managementRoutes(
                authenticator: authenticator, store: plugins, runtime: runtime, repositories: configuration.repositories,
                pluginFolders: configuration.pluginFolders, secrets: secrets,
                logger: logger, workQueue: workQueueStore, schedule: storage.schedules,
                usage: usageRecorder, ingestion: ingestion, wakeups: wakeups,
                afterReload: { await workQueue.flushExportBuffer(pluginConfigID: $0) }, eventRates: eventRates,
                hookStore: hookStore, hookMatcher: hookMatcher, catalogue: catalogue, liveEvents: liveEvents,
                alertSettings: alertSettings, emailConfigured: configuration.smtpURL != nil, integrations: integrations),
            on: router)

        var services: [any Service] = [
            PluginLogFlushService(store: pluginLogs, consoleLimiter: consoleLimiter), usageRecorder, runtime, backlog, pipeline,
            workQueue, scheduler, eventRates,
            ErrorRateWatch(
                runtime: runtime, alerts: alerts, threshold: configuration.alertErrorRate, window: configuration.alertErrorRateWindow),
        ]
        if storage.isShared {
            services.append(
                PluginConfigSync(
                    store: plugins,
                    reloader: PluginReloader(
                        store: plugins, runtime: runtime, secrets: secrets, logger: logger,
                        afterReload: { await workQueue.flushExportBuffer(pluginConfigID: $0) }),
                    logger: logger, ready: { await pluginsLoaded.wait() }))
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Quill"),
            // Shut down in reverse: the server stops taking requests, the work queue finishes what runs, the
            // pipeline drains the log, the runtime tears plugins down, plugin-seconds and logs are written.
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                // The address bound, not the name configured: fetch's guard knows the server by it.
                apiAccess.serverStarted(host: channel.localAddress?.ipAddress ?? configuration.host, port: port)
                alerts.serverStarted(url: "http://\(configuration.host):\(port)", configured: configuration.siteURL != nil)
                announce("Quill is listening on http://\(configuration.host):\(port)")
            },
            logger: logger)
    }

    /// The routes of the management API, the events API and the OpenAPI document that describes them all.
    static func managementRoutes(
        authenticator: ManagementAuthenticator, store: any PluginStore, runtime: PluginRuntime,
        repositories: PluginRepositorySettings, pluginFolders: AllowedPluginFolders = AllowedPluginFolders(),
        secrets: ConfigSecrets, logger: Logger, workQueue: any WorkQueueStore, schedule: any ScheduleStore,
        usage: PluginUsageRecorder, ingestion: any IngestionStore, wakeups: TeamWakeups,
        afterReload: @escaping @Sendable (Int) async -> Void = { _ in }, eventRates: EventRateHistory? = nil,
        hookStore: any HookStore, hookMatcher: HookMatcher,
        catalogue: PluginCatalogue = PluginCatalogue(entries: []), liveEvents: LiveEventFeed = LiveEventFeed(),
        alertSettings: any AlertStore, emailConfigured: Bool = false, integrations: IntegrationUsage = IntegrationUsage()
    ) throws(OpenAPIDocumentError) -> [ManagementRoute] {
        let reloader = PluginReloader(store: store, runtime: runtime, secrets: secrets, logger: logger, afterReload: afterReload)
        let compiler = PluginCompiler(providedModules: PluginRuntime.providedModules)
        let installer = PluginInstaller(compiler: compiler, runtime: runtime, dependencies: NpmDependencyInstaller(settings: repositories))
        let routes = PluginsController(
            authenticator: authenticator, store: store, installer: installer,
            repository: PluginRepository(settings: repositories), reloader: reloader, pluginFolders: pluginFolders,
            secrets: secrets
        ).routes
            + PluginConfigsController(
                authenticator: authenticator, store: store, secrets: secrets, runtime: runtime, reloader: reloader,
                workQueue: workQueue, schedule: schedule
            ).routes
            + PluginUsageController(authenticator: authenticator, recorder: usage).routes
            + OutputMetricsController(authenticator: authenticator, adoption: store, usage: usage, integrations: integrations).routes
            + CurrentUserController(authenticator: authenticator).routes
            + ProjectsController(authenticator: authenticator).routes
            + AlertSettingsController(authenticator: authenticator, store: alertSettings, emailConfigured: emailConfigured).routes
            + PluginTestRunController(authenticator: authenticator, compiler: compiler).routes
            + EventRateController(
                authenticator: authenticator, store: store,
                history: eventRates ?? EventRateHistory(runtime: runtime)
            ).routes
            + IngestionProblemsController(authenticator: authenticator, store: ingestion, wakeups: wakeups).routes
            + EventsController(authenticator: authenticator, store: ingestion).routes
            + WebUIRoutesController(authenticator: authenticator, catalogue: catalogue, liveEvents: liveEvents).routes
            + HooksController(authenticator: authenticator, store: hookStore, matcher: hookMatcher, workQueue: workQueue).routes
        return try routes + OpenAPIController(documenting: routes).routes
    }

    /// `meta.cache`: in Redis when `QUILL_REDIS_URL` is set (checked now, so a wrong address stops the start with
    /// its reason), else in memory.
    static func cacheStore(configuration: ServerConfiguration) async throws -> any PluginCacheStore {
        guard let endpoint = configuration.redisEndpoint else {
            return MemoryPluginCacheStore(limits: configuration.pluginCacheLimits)
        }
        let client = RedisClient(endpoint: endpoint)
        do {
            try await client.ping()
        } catch {
            throw ConfigurationError(description: "QUILL_REDIS_URL: \(error)")
        }
        return RedisPluginCacheStore(client: client, limits: configuration.pluginCacheLimits)
    }

    /// Opens the storage the configuration names — PostgreSQL at `QUILL_DATABASE_URL`, else the SQLite file under
    /// the data directory (created on first use) — with the default organization and project; their keys are
    /// announced when they are made.
    public static func openStorage(
        configuration: ServerConfiguration, logger: Logger = Logger(label: "quill.storage"),
        announce: @Sendable (String) -> Void
    ) async throws -> any StorageBackend {
        let limits = StoreLimits(
            pluginStorage: configuration.pluginStorageLimits,
            pluginLogEntriesPerConfig: configuration.pluginLogLimits.entriesPerConfig)
        let storage: any StorageBackend
        if let url = configuration.postgresURL {
            do {
                storage = try await PostgresBackend(url: url, limits: limits, logger: logger)
            } catch {
                throw ConfigurationError(description: "QUILL_DATABASE_URL: \(String(reflecting: error))")
            }
        } else {
            try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
            storage = try SQLiteBackend(path: configuration.databaseURL.path, limits: limits)
        }
        try await bootstrap(projects: storage.projects, location: storage.location, configuration: configuration, announce: announce)
        return storage
    }

    /// Creates another organization with a project and a personal API key, and returns the two keys.
    public static func createOrganization(
        named name: String, storage: any StorageBackend
    ) async throws -> (projectID: Int, projectAPIKey: String, personalAPIKey: String) {
        let token = APIKeys.makeProjectToken()
        let personalKey = APIKeys.makePersonalAPIKey()
        let project = try await storage.projects.createOrganization(
            name: name, projectAPIToken: token, personalAPIKeyHash: APIKeys.hash(personalAPIKey: personalKey),
            personalAPIKeyMask: APIKeys.mask(personalAPIKey: personalKey))
        return (project.id, token, personalKey)
    }

    /// Turns session recordings on or off for a project; returns whether there is such a project.
    public static func setSessionRecordingOptIn(_ optIn: Bool, projectID: Int, storage: any StorageBackend) async throws -> Bool {
        try await storage.projects.setSessionRecordingOptIn(optIn, projectID: projectID) != nil
    }

    /// Creates the default organization and project on first start and prints their keys.
    private static func bootstrap(
        projects: any ProjectStore, location: String, configuration: ServerConfiguration,
        announce: @Sendable (String) -> Void
    ) async throws {
        let token = configuration.initialProjectAPIKey ?? APIKeys.makeProjectToken()
        let personalKey = configuration.initialPersonalAPIKey ?? APIKeys.makePersonalAPIKey()
        guard
            let project = try await projects.bootstrap(
                projectAPIToken: token, personalAPIKeyHash: APIKeys.hash(personalAPIKey: personalKey),
                personalAPIKeyMask: APIKeys.mask(personalAPIKey: personalKey))
        else { return }
        announce(
            """
            Created the default project (id \(project.id)) in \(location).
              Project API key, for sending events:     \(token)
              Personal API key, for the management API: \(personalKey)
            The personal API key is stored hashed and not shown again.
            """)
    }
}
