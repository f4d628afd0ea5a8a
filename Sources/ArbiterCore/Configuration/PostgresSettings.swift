import Foundation

/// How to reach a PostgreSQL server, parsed from a `postgres://` URL.
///
/// Accepted form: `postgres://user:password@host:port/database?sslmode=…`, with optional query parameters
/// `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`), `sslrootcert` (a CA file),
/// `host` (a unix socket folder, as libpq accepts) and `application_name`.
public struct PostgresSettings: Equatable, Sendable, CustomStringConvertible {
    /// How TLS is negotiated, with libpq's meanings.
    public enum TLSMode: String, CaseIterable, Sendable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, without verifying the certificate.
        case prefer
        /// TLS always, without verifying the certificate.
        case require
        /// TLS always; the certificate must chain to a trusted CA.
        case verifyCA = "verify-ca"
        /// TLS always; the certificate must chain to a trusted CA and name the host.
        case verifyFull = "verify-full"
    }

    /// Where the server listens.
    public enum Endpoint: Equatable, Sendable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// A PEM file of CA certificates to trust instead of the system store.
    public var rootCertificatePath: String?
    public var applicationName: String

    /// The URL with the password replaced, safe for logs and error messages.
    public var description: String {
        let user = password == nil ? username : "\(username):***"
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(user)@\(shownHost):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
        case .unixSocket(let path):
            return "postgres://\(user)@/\(database)?host=\(path)"
        }
    }

    private static let knownParameters: Set<String> = ["sslmode", "sslrootcert", "host", "application_name"]

    /// Parses a `postgres://` or `postgresql://` URL, returning every problem found.
    public static func parse(_ text: String) -> Result<PostgresSettings, PostgresURLError> {
        var problems: [String] = []
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return .failure(PostgresURLError(problems: ["not a URL; expected postgres://user:password@host:5432/database"]))
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            return .failure(PostgresURLError(problems: ["scheme must be postgres:// or postgresql://, not \(scheme)://"]))
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            if knownParameters.contains(item.name) {
                parameters[item.name] = item.value ?? ""
            } else {
                problems.append(
                    "unknown parameter '\(item.name)'; supported: \(knownParameters.sorted().joined(separator: ", "))")
            }
        }

        let tlsMode: TLSMode
        if let rawMode = parameters["sslmode"] {
            if let mode = TLSMode(rawValue: rawMode) {
                tlsMode = mode
            } else {
                tlsMode = .prefer
                problems.append(
                    "sslmode '\(rawMode)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            tlsMode = .prefer
        }

        let port: Int
        if let rawPort = components.port {
            port = rawPort
            if !(1...65535).contains(rawPort) { problems.append("port \(rawPort) is outside 1-65535") }
        } else {
            port = 5432
        }

        let username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        if username.isEmpty { problems.append("a user name is required, as in postgres://arbiter@localhost/arbiter") }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }

        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        database = database.removingPercentEncoding ?? database
        if database.isEmpty { database = username }
        if database.contains("/") { problems.append("database name '\(database)' may not contain '/'") }

        let host = (components.percentEncodedHost ?? "").removingPercentEncoding ?? ""
        let endpoint: Endpoint
        if let socketFolder = parameters["host"], socketFolder.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(socketFolder)/.s.PGSQL.\(port)")
        } else if host.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(host)/.s.PGSQL.\(port)")
        } else if host.isEmpty {
            endpoint = .tcp(host: "localhost", port: port)
            if parameters["host"] != nil { problems.append("the host parameter must be an absolute unix socket folder") }
        } else {
            endpoint = .tcp(host: host, port: port)
        }

        let settings = PostgresSettings(
            endpoint: endpoint,
            username: username,
            password: password,
            database: database,
            tlsMode: tlsMode,
            rootCertificatePath: parameters["sslrootcert"],
            applicationName: parameters["application_name"] ?? "arbiter"
        )
        return problems.isEmpty ? .success(settings) : .failure(PostgresURLError(problems: problems))
    }
}

/// Everything wrong with a PostgreSQL URL.
public struct PostgresURLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problems: [String]

    public var description: String { problems.joined(separator: "; ") }
}
