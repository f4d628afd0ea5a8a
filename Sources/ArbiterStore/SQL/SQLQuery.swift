/// The SQL spelling differences the store cares about.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// A SQL statement whose interpolated values are always bound as parameters, never spliced into the text.
///
/// ```swift
/// let query: SQLQuery = "SELECT id FROM users WHERE email = \(email) AND org_id = \(orgID)"
/// ```
/// Only ``StringInterpolation/appendInterpolation(unsafeRaw:)`` inserts text, and it must never carry input.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Fragment: Sendable {
        case text(String)
        case bind(SQLValue)
    }

    var fragments: [Fragment]

    public init(stringLiteral value: String) {
        self.fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        self.fragments = stringInterpolation.fragments
    }

    /// The statement text with placeholders, as sent to `dialect`, and the values bound to them in order.
    public func render(for dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        for fragment in fragments {
            switch fragment {
            case .text(let text):
                sql += text
            case .bind(let value):
                binds.append(value)
                switch dialect {
                case .sqlite: sql += "?"
                case .postgres: sql += "$\(binds.count)"
                }
            }
        }
        return (sql, binds)
    }

    /// The statement as PostgreSQL sees it, for logs; values are not shown.
    public var description: String { render(for: .postgres).sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            fragments.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            fragments.append(.text(literal))
        }

        /// Binds `value` as a parameter.
        public mutating func appendInterpolation(_ value: some SQLValueConvertible) {
            fragments.append(.bind(value.sqlValue))
        }

        /// Binds `value`, or NULL when it is `nil`.
        public mutating func appendInterpolation<Value: SQLValueConvertible>(_ value: Value?) {
            fragments.append(.bind(value?.sqlValue ?? .null))
        }

        /// Binds each value, separated by commas: `IN (\(list: ids))`.
        public mutating func appendInterpolation(list values: [some SQLValueConvertible]) {
            for (index, value) in values.enumerated() {
                if index > 0 { fragments.append(.text(", ")) }
                fragments.append(.bind(value.sqlValue))
            }
        }

        /// Embeds another query, keeping its values bound: for statements assembled from parts.
        public mutating func appendInterpolation(_ query: SQLQuery) {
            fragments.append(contentsOf: query.fragments)
        }

        /// Inserts `text` verbatim. Only for identifiers and keywords written in code, never for input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            fragments.append(.text(text))
        }
    }
}
