import ArbiterCore
import ArbiterServer
import Foundation
import Logging

/// Sends every log line to standard output in the configured format and level.
func bootstrapLogging(_ configuration: ArbiterConfiguration) -> Logger {
    let level = Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .info
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: level, format: configuration.logFormat)
    }
    return Logger(label: "arbiter")
}

/// Command-line tools log warnings and worse, as text on standard error, unless told otherwise.
func bootstrapCommandLogging(_ configuration: ArbiterConfiguration) -> Logger {
    let explicitLevel = ProcessInfo.processInfo.environment[ConfigurationKey.logLevel.environment] != nil
    let level = explicitLevel ? Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .warning : .warning
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: level, format: .text, fileDescriptor: 2)
    }
    return Logger(label: "arbiter")
}
