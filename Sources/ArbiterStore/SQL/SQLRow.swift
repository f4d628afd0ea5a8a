/// One result row, with values addressed by column name.
public struct SQLRow: Sendable, CustomStringConvertible {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`, or `nil` when the row has no such column.
    public subscript(column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// Decodes `column` as `T`; use an optional `T` for nullable columns.
    public func decode<T: SQLValueConvertible>(_ column: String, as type: T.Type = T.self) throws(StoreError) -> T {
        guard let value = self[column] else {
            throw StoreError.decoding("result has no column '\(column)' (columns: \(columns.joined(separator: ", ")))")
        }
        guard let decoded = T(sqlValue: value) else {
            throw StoreError.decoding("column '\(column)' holds \(value.kind), which is not a \(T.self)")
        }
        return decoded
    }

    public var description: String {
        zip(columns, values).map { "\($0)=\($1)" }.joined(separator: " ")
    }
}

extension SQLValue {
    /// The value's type, for error messages that must not repeat the value.
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real number"
        case .text: "text"
        case .blob: "a blob"
        case .bool: "a boolean"
        }
    }
}
