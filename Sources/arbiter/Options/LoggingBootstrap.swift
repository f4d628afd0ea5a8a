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

/// Logging for one-shot commands: on standard error, since standard output carries the command's answer.
/// Unless told otherwise they log warnings and worse, as text.
func bootstrapCommandLogging(level: ArbiterConfiguration.LogLevel, format: ArbiterConfiguration.LogFormat) -> Logger {
    let level = Logger.Level(rawValue: level.rawValue) ?? .warning
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, level: level, format: format, fileDescriptor: 2)
    }
    return Logger(label: "arbiter")
}
