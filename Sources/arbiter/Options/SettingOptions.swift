import ArbiterCore
import ArgumentParser
import Foundation

/// Flags for the HTTP listener.
struct HTTPOptions: ParsableArguments {
    @Option(name: .customLong(ConfigurationKey.host.flag), help: ArgumentHelp(ConfigurationKey.host.help, valueName: "address"))
    var host: String?

    @Option(name: .customLong(ConfigurationKey.port.flag), help: ArgumentHelp(ConfigurationKey.port.help, valueName: "port"))
    var port: String?

    @Option(
        name: .customLong(ConfigurationKey.shutdownTimeout.flag),
        help: ArgumentHelp(ConfigurationKey.shutdownTimeout.help, valueName: "seconds"))
    var shutdownTimeout: String?

    var flags: [ConfigurationKey: String] {
        [.host: host, .port: port, .shutdownTimeout: shutdownTimeout].compactMapValues { $0 }
    }
}

/// Flags that choose and size the database; shared by every command that opens it.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong(ConfigurationKey.dataDirectory.flag),
        help: ArgumentHelp(ConfigurationKey.dataDirectory.help, valueName: "path"))
    var dataDirectory: String?

    @Option(
        name: .customLong(ConfigurationKey.databaseURL.flag),
        help: ArgumentHelp(ConfigurationKey.databaseURL.help, valueName: "url"))
    var databaseURL: String?

    @Option(
        name: .customLong(ConfigurationKey.poolSize.flag), help: ArgumentHelp(ConfigurationKey.poolSize.help, valueName: "count"))
    var poolSize: String?

    var flags: [ConfigurationKey: String] {
        [.dataDirectory: dataDirectory, .databaseURL: databaseURL, .poolSize: poolSize].compactMapValues { $0 }
    }
}

/// Flags for log output.
struct LogOptions: ParsableArguments {
    @Option(
        name: .customLong(ConfigurationKey.logLevel.flag), help: ArgumentHelp(ConfigurationKey.logLevel.help, valueName: "level"))
    var logLevel: String?

    @Option(
        name: .customLong(ConfigurationKey.logFormat.flag),
        help: ArgumentHelp(ConfigurationKey.logFormat.help, valueName: "format"))
    var logFormat: String?

    var flags: [ConfigurationKey: String] {
        [.logLevel: logLevel, .logFormat: logFormat].compactMapValues { $0 }
    }
}

/// Reads the configuration from `flags` and the process environment, or prints every problem and exits with 2.
func resolveConfiguration(_ flags: [ConfigurationKey: String]) throws -> ArbiterConfiguration {
    do {
        return try ArbiterConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment)
    } catch {
        printError(error.description)
        throw ExitCode(2)
    }
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
