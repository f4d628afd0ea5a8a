import ArbiterCore
import ArbiterStore
import Foundation
import Hummingbird
import Synchronization

/// The version endpoint and the OpenAPI document.
public final class MetaController: Sendable {
    let backend: String
    let instances: any InstanceRepository
    private let cachedInstance = Mutex<InstanceInfo?>(nil)

    init(backend: String, instances: any InstanceRepository) {
        self.backend = backend
        self.instances = instances
    }

    struct Version: ResponseEncodable {
        let name: String
        let version: String
        let apiVersion: String
        let database: String
        let schemaVersion: Int
        let instanceID: String
        let instanceCreatedAt: Date

        enum CodingKeys: String, CodingKey {
            case name, version, database
            case apiVersion = "api_version"
            case schemaVersion = "schema_version"
            case instanceID = "instance_id"
            case instanceCreatedAt = "instance_created_at"
        }
    }

    static let schemas: [String: JSONValue] = [
        "Version": [
            "type": "object",
            "required": ["name", "version", "api_version", "database", "schema_version", "instance_id", "instance_created_at"],
            "properties": [
                "name": ["type": "string"],
                "version": ["type": "string", "description": "Version of the arbiter binary."],
                "api_version": ["type": "string"],
                "database": ["type": "string", "enum": ["sqlite", "postgres"]],
                "schema_version": ["type": "integer", "description": "Newest migration this binary knows."],
                "instance_id": ["type": "string", "description": "Identity of this installation, made on its first start."],
                "instance_created_at": ["type": "string", "format": "date-time"],
            ],
        ]
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>, openAPIDocument: @escaping @Sendable () -> ByteBuffer) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/version", operationID: "getVersion",
                summary: "Version of the server, its API and its schema, and the installation's identity.",
                tags: ["operations"], access: .requires(.readVersion),
                responses: [
                    200: .init("Version information.", schema: .ref("Version")),
                    503: .problem("The database is unavailable."),
                ]),
            use: { _, _ in try await self.version() })
        api.on(
            RouteDocumentation(
                method: .get, path: "/openapi.json", operationID: "getOpenAPI", summary: "This API's OpenAPI 3.1 description.",
                tags: ["operations"], access: .public,
                responses: [200: .init("The OpenAPI document.", schema: ["type": "object"])]),
            use: { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: openAPIDocument()))
            })
    }

    private func version() async throws -> Version {
        let instance: InstanceInfo
        if let cached = cachedInstance.withLock({ $0 }) {
            instance = cached
        } else {
            do {
                instance = try await instances.ensureInstance()
            } catch is StoreError {
                // Most likely the schema is not migrated yet; /readyz says exactly what is wrong.
                throw Problem.unavailable("The installation's identity cannot be read from the database yet; /readyz says why.")
            }
            cachedInstance.withLock { $0 = instance }
        }
        return Version(
            name: "arbiter", version: ArbiterVersion.current, apiVersion: ArbiterVersion.api, database: backend,
            schemaVersion: Migration.all.last?.version ?? 0, instanceID: instance.instanceID,
            instanceCreatedAt: instance.createdAt)
    }
}
