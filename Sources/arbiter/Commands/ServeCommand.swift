import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `arbiter serve`: the HTTP API on the configured database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API.",
        discussion: """
            With no settings, Arbiter listens on http://127.0.0.1:8080 and keeps an SQLite database in ./.arbiter. \
            Set --database-url (or ARBITER_DATABASE_URL) to a postgres:// URL to run on PostgreSQL instead; any \
            number of replicas may share one PostgreSQL database. Flags win over environment variables, which win \
            over defaults. SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish and exits 0.

            Examples:
              arbiter serve
              arbiter serve --port 9000 --data-dir /var/lib/arbiter
              ARBITER_DATABASE_URL=postgres://arbiter@db:5432/arbiter?sslmode=verify-full arbiter serve --host 0.0.0.0
            """
    )

    @OptionGroup(title: "HTTP") var http: HTTPOptions
    @OptionGroup(title: "Database") var database: DatabaseOptions

    @Flag(
        name: ConfigurationKey.autoMigrate.optionName, inversion: .prefixedNo,
        help: ArgumentHelp(ConfigurationKey.autoMigrate.help))
    var autoMigrate: Bool?

    @OptionGroup(title: "Logging") var log: LogOptions
    @OptionGroup(title: "Security") var security: SecurityOptions

    /// How long start-up waits for the database before giving up.
    static let startupTimeout: Duration = .seconds(30)

    func run() async throws {
        var flags = http.flags.merging(database.flags) { first, _ in first }.merging(log.flags) { first, _ in first }
            .merging(security.flags) { first, _ in first }
        if let autoMigrate { flags[.autoMigrate] = String(autoMigrate) }
        let configuration = try resolveConfiguration(flags)
        let logger = bootstrapLogging(configuration)

        do {
            try await serve(configuration, logger: logger)
        } catch let error as StartupError {
            logger.critical("start-up failed", metadata: ["error": .string(error.message)])
            printError("arbiter: cannot start: \(error.message)")
            throw ExitCode.failure
        } catch is CancellationError {
            // Stopped by a signal before the server was up.
            logger.notice("stopped during start-up")
        } catch let error as ExitCode {
            throw error
        } catch {
            logger.critical("stopped by an unexpected error", metadata: ["error": .string("\(error)")])
            printError("arbiter: \(error)")
            throw ExitCode.failure
        }
    }

    private func serve(_ configuration: ArbiterConfiguration, logger: Logger) async throws {
        let secrets: LoadedSecrets
        do {
            secrets = try SecretsLoader.load(configuration.security, dataDirectory: configuration.dataDirectory)
        } catch let error as SecretsError {
            throw StartupError(message: error.problems.joined(separator: "; "))
        }
        for path in secrets.generated {
            logger.notice("generated a secret for development; set ARBITER_ENV=production and configure secrets for real use", metadata: ["file": .string(path)])
        }
        let store: any ServiceDatabase
        do {
            store = try await StoreFactory.open(configuration.database, poolSize: configuration.poolSize, logger: logger)
        } catch {
            throw StartupError(message: error.message)
        }
        let dependencies: ServerDependencies
        do {
            dependencies = try await ServerDependencies.make(database: store, settings: configuration.security, secrets: secrets)
        } catch {
            await (store as? SQLiteStore)?.close()
            throw error
        }
        let location = databaseDescription(configuration)
        let app = buildApplication(
            configuration: configuration, dependencies: dependencies, logger: logger,
            beforeServerStarts: {
                // A signal during start-up stops the wait for the database instead of queueing behind it.
                try await cancelWhenGracefulShutdown {
                    try await prepareDatabase(dependencies, configuration: configuration, location: location, logger: logger)
                }
            },
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let url = "http://\(urlHost(configuration.host)):\(port)"
                logger.notice("serving", metadata: ["url": .string(url), "database": .string(location)])
                printError("Arbiter \(ArbiterVersion.current) is serving \(url) (database: \(location))")
            })

        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: store), .init(service: MaintenanceService(dependencies: dependencies, logger: logger)),
                .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        groupConfiguration.maximumCancellationDuration = .seconds(10)
        let outcome: Result<Void, any Error>
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await dependencies.shutdown()
        do {
            try outcome.get()
        } catch let error as StartupError {
            throw error
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupError(
                message: "\(configuration.host):\(configuration.port) is already in use; stop the other process or choose another --port")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            throw StartupError(message: "cannot listen on \(configuration.host):\(configuration.port): \(error.description)")
        }
        logger.notice("stopped")
    }
}

/// Why the server could not start, in words for the operator.
struct StartupError: Error {
    let message: String
}

/// Applies or checks migrations before the server accepts connections.
private func prepareDatabase(
    _ dependencies: ServerDependencies, configuration: ArbiterConfiguration, location: String, logger: Logger
) async throws {
    let migrator = dependencies.migrator
    do {
        if let postgres = dependencies.database as? PostgresStore {
            try await postgres.waitUntilReachable(timeout: ServeCommand.startupTimeout)
        }
        if configuration.autoMigrate {
            let applied = try await withTimeout(ServeCommand.startupTimeout) { try await migrator.migrate() }
            for state in applied {
                logger.notice("applied migration", metadata: ["version": "\(state.version)", "name": .string(state.name)])
            }
        } else {
            let pending = try await withTimeout(ServeCommand.startupTimeout) { try await migrator.pendingVersions() }
            if !pending.isEmpty {
                logger.warning(
                    "migrations pending and --no-auto-migrate is set; /readyz answers 503 until `arbiter migrate up` runs",
                    metadata: ["pending": .string(pending.map(String.init).joined(separator: ","))])
                return
            }
        }
        try await dependencies.audit.prepare()
        let instance = try await dependencies.instances.ensureInstance()
        logger.notice("database ready", metadata: ["database": .string(location), "instance_id": .string(instance.instanceID)])
        try await bootstrapAdministrator(dependencies, configuration: configuration, logger: logger)
    } catch where Task.isCancelled {
        throw CancellationError()
    } catch is TimeoutError {
        throw StartupError(
            message: "the database (\(location)) did not answer within \(ServeCommand.startupTimeout); check that it is running and reachable")
    } catch let error as StoreError {
        throw StartupError(message: error.message)
    }
}


/// Creates the first admin from ARBITER_BOOTSTRAP_ADMIN_* when there are no users yet, and otherwise says how to.
private func bootstrapAdministrator(_ dependencies: ServerDependencies, configuration: ArbiterConfiguration, logger: Logger) async throws {
    guard try await dependencies.identities.userCount() == 0 else { return }
    guard let admin = configuration.security.bootstrapAdmin else {
        logger.notice(
            "no users yet: create the first admin with `arbiter admin create-user --email you@example.com --role admin --password-stdin`, or set ARBITER_BOOTSTRAP_ADMIN_EMAIL and ARBITER_BOOTSTRAP_ADMIN_PASSWORD")
        return
    }
    let hash = try await dependencies.credentials.hashPassword(admin.password)
    do {
        let member = try await dependencies.identities.createUser(
            email: admin.email, passwordHash: hash, organizationName: AdminCommand.defaultOrganization, role: .admin, by: .system)
        logger.notice("created the bootstrap admin", metadata: ["email": .string(member.email), "organization": .string(member.organizationName)])
    } catch let error as StoreError where error.code == .duplicate {
        // Another replica created it first.
    }
}

private func databaseDescription(_ configuration: ArbiterConfiguration) -> String {
    switch configuration.database {
    case .sqlite(let path):
        "SQLite at \(URL(fileURLWithPath: path).standardizedFileURL.path)"
    case .postgres(let settings):
        "PostgreSQL at \(settings)"
    }
}

private func urlHost(_ host: String) -> String {
    host.contains(":") ? "[\(host)]" : host
}
