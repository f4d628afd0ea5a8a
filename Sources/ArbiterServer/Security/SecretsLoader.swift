import ArbiterCore
import Foundation
import Logging

/// The secrets the server runs with, read from configuration or, in development, generated once into the data
/// folder.
public struct LoadedSecrets: Sendable {
    public let jwtSecret: [UInt8]
    public let masterKey: ConfiguredSecret
    /// Files this start created, to tell the operator.
    public let generated: [String]

    public init(jwtSecret: [UInt8], masterKey: ConfiguredSecret, generated: [String]) {
        self.jwtSecret = jwtSecret
        self.masterKey = masterKey
        self.generated = generated
    }
}

/// Why the secrets could not be loaded.
public struct SecretsError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

public enum SecretsLoader {
    static let jwtFileName = "jwt-secret"
    static let masterKeyFileName = "master-key"

    /// Reads both secrets. In production each must be configured and strong; in development a missing one is
    /// generated (32 random bytes, mode 0600) into `dataDirectory` on the first start and reused afterwards.
    public static func load(_ settings: SecuritySettings, dataDirectory: String) throws -> LoadedSecrets {
        var problems: [String] = []
        var generated: [String] = []
        func resolve(_ source: SecretSource, key: ConfigurationKey, fileKey: ConfigurationKey, fileName: String) -> ConfiguredSecret? {
            switch source {
            case .value(let text):
                return ConfiguredSecret(text)
            case .file(let path):
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    problems.append("\(fileKey.environment): cannot read \(path)")
                    return nil
                }
                let secret = ConfiguredSecret(text)
                if settings.mode == .production, let weakness = secret.weakness {
                    problems.append("\(fileKey.environment): the key in \(path) is too weak for production: \(weakness)")
                }
                return secret
            case .unset:
                guard settings.mode == .development else {
                    problems.append("\(key.environment) (or \(fileKey.environment)) is required with ARBITER_ENV=production")
                    return nil
                }
                let path = (dataDirectory as NSString).appendingPathComponent(fileName)
                if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                    return ConfiguredSecret(text)
                }
                do {
                    let text = "base64:" + Data(Credentials.randomBytes(32)).base64EncodedString()
                    try FileManager.default.createDirectory(
                        atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
                    else { throw CocoaError(.fileWriteUnknown) }
                    generated.append(path)
                    return ConfiguredSecret(text)
                } catch {
                    problems.append("\(key.environment) is not set and \(path) cannot be written: \(error.localizedDescription)")
                    return nil
                }
            }
        }
        let jwt = resolve(settings.jwtSecret, key: .jwtSecret, fileKey: .jwtSecretFile, fileName: jwtFileName)
        let master = resolve(settings.masterKey, key: .masterKey, fileKey: .masterKeyFile, fileName: masterKeyFileName)
        guard let jwt, let master, problems.isEmpty else { throw SecretsError(problems: problems) }
        return LoadedSecrets(jwtSecret: jwt.bytes, masterKey: master, generated: generated)
    }
}

extension Credentials {
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
