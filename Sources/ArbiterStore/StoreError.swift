/// A failure from the store, in terms the rest of Arbiter can act on.
///
/// Backend errors (SQLite result codes, PostgreSQL SQLSTATEs) are translated into these codes in one place per
/// backend, so callers never see driver types. Messages never contain bound values.
public struct StoreError: Error, CustomStringConvertible {
    /// What kind of failure this is; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case duplicate, foreignKey, constraint, notFound, unavailable, rejected, decoding, migration, backend
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A unique constraint rejected the write.
        public static let duplicate = Code(.duplicate)
        /// A foreign key rejected the write.
        public static let foreignKey = Code(.foreignKey)
        /// A NOT NULL or CHECK constraint rejected the write.
        public static let constraint = Code(.constraint)
        /// The requested row does not exist.
        public static let notFound = Code(.notFound)
        /// The database could not be reached or is shutting down.
        public static let unavailable = Code(.unavailable)
        /// The database refused Arbiter: wrong credentials, a missing database, missing privileges or bad TLS settings.
        /// Waiting will not help; the configuration must change.
        public static let rejected = Code(.rejected)
        /// A result could not be read as the expected type.
        public static let decoding = Code(.decoding)
        /// The schema is not in a state this binary can run with.
        public static let migration = Code(.migration)
        /// Anything else the database reported.
        public static let backend = Code(.backend)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What happened, for logs and operators; never includes bound values.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func decoding(_ message: String) -> StoreError { StoreError(.decoding, message) }
    static func migration(_ message: String) -> StoreError { StoreError(.migration, message) }
}
