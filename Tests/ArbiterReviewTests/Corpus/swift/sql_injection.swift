import Foundation
import SQLite3
import GRDB
import PostgresNIO
import CoreData

final class UserStore {
    private var db: OpaquePointer?
    private let queue: DatabaseQueue

    init(queue: DatabaseQueue) {
        self.queue = queue
    }

    // Vulnerable: interpolated name straight into sqlite3_exec.
    func deleteUser(named name: String) {
        sqlite3_exec(db, "DELETE FROM users WHERE name = '\(name)'", nil, nil, nil)  // arbiter-expect: SWIFT-SQLI-001
    }

    func findUser(email: String) -> Int32 {
        var statement: OpaquePointer?
        let sql = "SELECT id FROM users WHERE email = '\(email)'"  // arbiter-expect: SWIFT-SQLI-001
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return -1 }
        defer { sqlite3_finalize(statement) }
        return sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1
    }

    func searchUsers(term: String) -> String {
        let query = "SELECT * FROM users WHERE name LIKE '%" + term + "%'"  // arbiter-expect: SWIFT-SQLI-001
        return query
    }

    func renameUser(id: Int, to newName: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE users SET name = '\(newName)' WHERE id = \(id)")  // arbiter-expect: SWIFT-SQLI-001
        }
    }

    func dropTable(_ table: String) throws {
        try queue.write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS \(table)")  // arbiter-expect: SWIFT-SQLI-001
        }
    }

    func countOrders(customer: String) -> String {
        return String(format: "SELECT count(*) FROM orders WHERE customer = '%@'", customer)  // arbiter-expect: SWIFT-SQLI-001
    }

    func searchByCity(_ city: String, country: String) -> String {
        var sql = "SELECT id FROM users WHERE 1 = 1"
        sql += " AND city = '\(city)'"  // arbiter-expect: SWIFT-SQLI-001
        sql += " AND country = '" + country + "'"  // arbiter-expect: SWIFT-SQLI-001
        return sql
    }

    // Safe: PostgresNIO's PostgresQuery turns each interpolation into a bind parameter.
    func reportQuery(region: String) -> PostgresQuery {
        let query: PostgresQuery = """
            SELECT region, sum(total) FROM orders
            WHERE region = \(region)
            GROUP BY region
            """
        return query
    }

    func deleteOrder(id: Int, executor: PostgresClient) async throws {
        let query: PostgresQuery = "DELETE FROM orders WHERE id = \(id)"
        try await executor.query(query)
    }

    func buildPageQuery(page: Int) -> String {
        var query = "https://api.example.com/users?limit=20"
        query += "&page=\(page)"
        return query
    }

    // Safe: placeholders with bound values.
    func findUserSafely(email: String) -> Int32 {
        var statement: OpaquePointer?
        let sql = "SELECT id FROM users WHERE email = ?"
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return -1 }
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, email, -1, nil)
        return sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int(statement, 0) : -1
    }

    func renameUserSafely(id: Int, to newName: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE users SET name = ? WHERE id = ?", arguments: [newName, id])
        }
    }

    func fetchNames(prefix: String) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM users WHERE name LIKE ?", arguments: [prefix + "%"])
        }
    }

    func renameWithLiteral(id: Int, to newName: String) throws {
        // GRDB SQL literals bind interpolated values as arguments.
        try queue.write { db in
            try db.execute(literal: "UPDATE users SET name = \(newName) WHERE id = \(id)")
        }
    }

    func contacts(named name: String, in context: NSManagedObjectContext) throws -> [NSManagedObject] {
        let request = NSFetchRequest<NSManagedObject>(entityName: "Contact")
        request.predicate = NSPredicate(format: "name == '\(name)'")  // arbiter-expect: SWIFT-INJ-001
        return try context.fetch(request)
    }

    func contactsSafely(named name: String, in context: NSManagedObjectContext) throws -> [NSManagedObject] {
        let request = NSFetchRequest<NSManagedObject>(entityName: "Contact")
        request.predicate = NSPredicate(format: "name == %@", name)
        return try context.fetch(request)
    }

    func createSchema() {
        sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)", nil, nil, nil)
    }

    func logDeletion(count: Int) {
        print("Deleted \(count) rows from the users table")
        print("Select a user from \(count) results")
    }
}
