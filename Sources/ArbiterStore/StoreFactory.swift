import ArbiterCore
import Foundation
import Logging
import ServiceLifecycle

/// A database that also runs as a service: opened at start, closed at graceful shutdown.
public typealias ServiceDatabase = SQLDatabase & Service

/// Opens the database the configuration names.
public enum StoreFactory {
    /// Opens the embedded SQLite file (creating its folder with mode 0700) or prepares the PostgreSQL pool.
    public static func open(
        _ database: ArbiterConfiguration.Database,
        poolSize: Int,
        logger: Logger
    ) async throws(StoreError) -> any ServiceDatabase {
        switch database {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            try createPrivateFolder(folder.isEmpty ? "." : folder)
            try createPrivateFile(path)
            return try await SQLiteStore.open(path: path, readerCount: min(poolSize, 8), logger: logger)
        case .postgres(let settings):
            return try PostgresStore(settings: settings, poolSize: poolSize, logger: logger)
        }
    }

    /// Creates an empty database file readable only by its owner, so SQLite does not create it world-readable.
    static func createPrivateFile(_ path: String) throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.unavailable, "cannot create database file \(path); check the data folder's permissions")
        }
    }

    /// Creates `path` readable only by its owner when missing; leaves an existing folder as it is.
    static func createPrivateFolder(_ path: String) throws(StoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StoreError(.unavailable, "data folder \(path) exists but is not a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(.unavailable, "cannot create data folder \(path): \(error.localizedDescription)")
        }
    }
}
