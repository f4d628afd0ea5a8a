import ArbiterCore
import ArbiterStore
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `arbiter migrate`: inspect and apply schema migrations.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Show or apply database schema migrations.",
        discussion: """
            Uses the same database settings as `arbiter serve`. `arbiter serve` applies pending migrations on start \
            unless --no-auto-migrate is given; run `arbiter migrate up` yourself when it is.
            """,
        subcommands: [Status.self, Up.self],
        defaultSubcommand: Status.self
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every migration and whether it is applied, pending or changed.",
            discussion: "Exits 0 when the schema is current, 3 when migrations are pending, 1 when one was changed or is unknown.")

        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let states = try await withDatabase(configuration, logger: logger) { database in
                try await Migrator(database: database).status()
            }
            print("VERSION  STATE    NAME")
            for state in states {
                let version = String(state.version).padding(toLength: 8, withPad: " ", startingAt: 0)
                switch state.status {
                case .applied(let date):
                    print("\(version) applied  \(state.name) (\(date.formatted(.iso8601)))")
                case .pending:
                    print("\(version) pending  \(state.name)")
                case .changed(let recorded, let current):
                    print("\(version) CHANGED  \(state.name) (applied \(recorded.prefix(12)), this binary \(current.prefix(12)))")
                case .unknown:
                    print("\(version) UNKNOWN  \(state.name) (applied by a newer Arbiter)")
                }
            }
            if states.contains(where: { if case .changed = $0.status { true } else { $0.status == .unknown } }) {
                throw ExitCode.failure
            }
            if states.contains(where: { $0.status == .pending }) { throw ExitCode(3) }
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply every pending migration, each in its own transaction.",
            discussion: "Safe to run while servers are running and from several machines at once.")

        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let applied = try await withDatabase(configuration, logger: logger) { database in
                try await Migrator(database: database).migrate()
            }
            if applied.isEmpty {
                print("The schema is current; nothing to apply.")
            }
            for state in applied {
                print("applied \(state.version) \(state.name)")
            }
        }
    }
}

/// The settings of a command that opens the database and runs once: database and log flags.
struct DatabaseCommandOptions: ParsableArguments {
    @OptionGroup(title: "Database") var database: DatabaseOptions
    @OptionGroup(title: "Logging") var log: LogOptions

    var flags: [ConfigurationKey: String] { database.flags.merging(log.flags) { first, _ in first } }

    /// Resolves the configuration (exiting 2 when it is invalid) and sets up logging on standard error.
    func prepare(flags: [ConfigurationKey: String]? = nil) throws -> (ArbiterConfiguration, Logger) {
        let configuration = try resolveConfiguration(flags ?? self.flags)
        let environment = ProcessInfo.processInfo.environment
        let level = log.logLevel != nil || environment[ConfigurationKey.logLevel.environment] != nil ? configuration.logLevel : .warning
        let format = log.logFormat != nil || environment[ConfigurationKey.logFormat.environment] != nil ? configuration.logFormat : .text
        return (configuration, bootstrapCommandLogging(level: level, format: format))
    }
}

/// Opens the configured database, runs `body`, and closes it; store errors become a message and exit code 1.
func withDatabase<T: Sendable>(
    _ configuration: ArbiterConfiguration, logger: Logger, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
) async throws -> T {
    do {
        let store = try await StoreFactory.open(configuration.database, poolSize: 2, logger: logger)
        if let postgres = store as? PostgresStore {
            try await postgres.waitUntilReachable(timeout: .seconds(10))
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await store.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await withTimeout(.seconds(30)) { try await body(store) }
        }
    } catch let error as StoreError {
        printError("arbiter: \(error.message)")
        throw ExitCode.failure
    } catch is TimeoutError {
        printError("arbiter: the database did not answer within 30 seconds; check that it is running and reachable")
        throw ExitCode.failure
    }
}
