import ArbiterCore
import ArgumentParser
import Foundation

/// Flags for the HTTP listener.
struct HTTPOptions: ParsableArguments {
    @Option(name: ConfigurationKey.host.optionName, help: ArgumentHelp(ConfigurationKey.host.help, valueName: "address"))
    var host: String?

    @Option(name: ConfigurationKey.port.optionName, help: ArgumentHelp(ConfigurationKey.port.help, valueName: "port"))
    var port: String?

    @Option(
        name: ConfigurationKey.shutdownTimeout.optionName,
        help: ArgumentHelp(ConfigurationKey.shutdownTimeout.help, valueName: "seconds"))
    var shutdownTimeout: String?

    var flags: [ConfigurationKey: String] {
        [.host: host, .port: port, .shutdownTimeout: shutdownTimeout].compactMapValues { $0 }
    }
}

/// Flags that choose and size the database; shared by every command that opens it.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: ConfigurationKey.dataDirectory.optionName,
        help: ArgumentHelp(ConfigurationKey.dataDirectory.help, valueName: "path"))
    var dataDirectory: String?

    @Option(
        name: ConfigurationKey.databaseURL.optionName,
        help: ArgumentHelp(ConfigurationKey.databaseURL.help, valueName: "url"))
    var databaseURL: String?

    @Option(
        name: ConfigurationKey.poolSize.optionName, help: ArgumentHelp(ConfigurationKey.poolSize.help, valueName: "count"))
    var poolSize: String?

    var flags: [ConfigurationKey: String] {
        [.dataDirectory: dataDirectory, .databaseURL: databaseURL, .poolSize: poolSize].compactMapValues { $0 }
    }
}

/// Flags for log output.
struct LogOptions: ParsableArguments {
    @Option(
        name: ConfigurationKey.logLevel.optionName, help: ArgumentHelp(ConfigurationKey.logLevel.help, valueName: "level"))
    var logLevel: String?

    @Option(
        name: ConfigurationKey.logFormat.optionName,
        help: ArgumentHelp(ConfigurationKey.logFormat.help, valueName: "format"))
    var logFormat: String?

    var flags: [ConfigurationKey: String] {
        [.logLevel: logLevel, .logFormat: logFormat].compactMapValues { $0 }
    }
}

/// Flags for secrets (from files only), sessions, limits and audit retention.
struct SecurityOptions: ParsableArguments {
    @Option(name: ConfigurationKey.environmentMode.optionName, help: ArgumentHelp(ConfigurationKey.environmentMode.help, valueName: "mode"))
    var environmentMode: String?

    @Option(name: ConfigurationKey.jwtSecretFile.optionName, help: ArgumentHelp(ConfigurationKey.jwtSecretFile.help, valueName: "path"))
    var jwtSecretFile: String?

    @Option(name: ConfigurationKey.masterKeyFile.optionName, help: ArgumentHelp(ConfigurationKey.masterKeyFile.help, valueName: "path"))
    var masterKeyFile: String?

    @Option(name: ConfigurationKey.accessTokenTTL.optionName, help: ArgumentHelp(ConfigurationKey.accessTokenTTL.help, valueName: "seconds"))
    var accessTokenTTL: String?

    @Option(name: ConfigurationKey.refreshTokenTTL.optionName, help: ArgumentHelp(ConfigurationKey.refreshTokenTTL.help, valueName: "seconds"))
    var refreshTokenTTL: String?

    @Option(name: ConfigurationKey.loginLockout.optionName, help: ArgumentHelp(ConfigurationKey.loginLockout.help, valueName: "N/window"))
    var loginLockout: String?

    @Option(name: ConfigurationKey.allowedOrigins.optionName, help: ArgumentHelp(ConfigurationKey.allowedOrigins.help, valueName: "origins"))
    var allowedOrigins: String?

    @Option(
        name: ConfigurationKey.trustForwardedHeaders.optionName,
        help: ArgumentHelp(ConfigurationKey.trustForwardedHeaders.help, valueName: "true|false"))
    var trustForwardedHeaders: String?

    @Option(name: ConfigurationKey.maxBodySize.optionName, help: ArgumentHelp(ConfigurationKey.maxBodySize.help, valueName: "bytes"))
    var maxBodySize: String?

    @Option(name: ConfigurationKey.rateLimitAuth.optionName, help: ArgumentHelp(ConfigurationKey.rateLimitAuth.help, valueName: "N/window"))
    var rateLimitAuth: String?

    @Option(name: ConfigurationKey.rateLimitRead.optionName, help: ArgumentHelp(ConfigurationKey.rateLimitRead.help, valueName: "N/window"))
    var rateLimitRead: String?

    @Option(name: ConfigurationKey.rateLimitWrite.optionName, help: ArgumentHelp(ConfigurationKey.rateLimitWrite.help, valueName: "N/window"))
    var rateLimitWrite: String?

    @Option(
        name: ConfigurationKey.rateLimitReview.optionName, help: ArgumentHelp(ConfigurationKey.rateLimitReview.help, valueName: "N/window"))
    var rateLimitReview: String?

    @Option(name: ConfigurationKey.auditRetention.optionName, help: ArgumentHelp(ConfigurationKey.auditRetention.help, valueName: "class=days,…"))
    var auditRetention: String?

    var flags: [ConfigurationKey: String] {
        [
            .environmentMode: environmentMode, .jwtSecretFile: jwtSecretFile, .masterKeyFile: masterKeyFile,
            .accessTokenTTL: accessTokenTTL, .refreshTokenTTL: refreshTokenTTL, .loginLockout: loginLockout,
            .allowedOrigins: allowedOrigins, .trustForwardedHeaders: trustForwardedHeaders, .maxBodySize: maxBodySize,
            .rateLimitAuth: rateLimitAuth, .rateLimitRead: rateLimitRead, .rateLimitWrite: rateLimitWrite,
            .rateLimitReview: rateLimitReview, .auditRetention: auditRetention,
        ].compactMapValues { $0 }
    }
}

extension ConfigurationKey {
    /// The `--flag` of a key that has one.
    var optionName: NameSpecification {
        guard let flag else { preconditionFailure("\(name) is read from the environment only") }
        return .customLong(flag)
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
