import ArbiterCore
import ArbiterOntology
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Locks on the ontology: a branch, a resource type on a branch, or one resource, for indexing, migrations,
/// maintenance or by hand. A write that meets someone else's lock is `423 Locked`, naming the lock, its scope,
/// progress, expected end and what stays editable.
struct LocksController: Sendable {
    let locks: LockRepository
    let audit: AuditLog
    let clock: any WallClock

    struct AcquireLock: Decodable {
        let branch: String
        let resourceType: String?
        let resourceID: String?
        let kind: String?
        let ttlSeconds: Int?
        let reason: String?
        enum CodingKeys: String, CodingKey {
            case branch, kind, reason
            case resourceType = "resource_type", resourceID = "resource_id", ttlSeconds = "ttl_seconds"
        }
    }

    struct Heartbeat: Decodable {
        let fencingToken: Int64
        let ttlSeconds: Int?
        let progress: Int?
        let estimatedCompletion: Date?
        enum CodingKeys: String, CodingKey {
            case progress
            case fencingToken = "fencing_token", ttlSeconds = "ttl_seconds", estimatedCompletion = "eta"
        }
    }

    struct LockResponse: ResponseEncodable {
        let lock: Lock
        func encode(to encoder: any Encoder) throws { try LocksController.json(lock).encode(to: encoder) }
    }

    struct LockList: ResponseEncodable { let items: [LockResponse] }

    static func json(_ lock: Lock) -> JSONValue {
        var scope: [String: JSONValue] = ["branch": .string(lock.scope.branch), "description": .string(lock.scope.description)]
        switch lock.scope {
        case .branch: scope["type"] = "branch"
        case .resourceType(_, let kind):
            scope["type"] = "resource_type"
            scope["resource_type"] = .string(kind.rawValue)
        case .resource(_, let key):
            scope["type"] = "resource"
            scope["resource_type"] = .string(key.kind.rawValue)
            scope["resource_id"] = .string(key.id)
        }
        let format = ISO8601DateFormatter()
        var object: [String: JSONValue] = [
            "id": .string(lock.id), "scope": .object(scope), "kind": .string(lock.kind.rawValue), "holder": .string(lock.holder),
            "fencing_token": .number(Double(lock.fencingToken)), "acquired_at": .string(format.string(from: lock.acquiredAt)),
            "expires_at": .string(format.string(from: lock.expiresAt)), "editable": .string(lock.scope.editableElsewhere),
        ]
        if let progress = lock.progress { object["progress"] = .number(Double(progress)) }
        if let eta = lock.estimatedCompletion { object["eta"] = .string(format.string(from: eta)) }
        if let reason = lock.reason { object["reason"] = .string(reason) }
        return .object(object)
    }

    /// The `423` for a write or a lock request that meets `lock`.
    static func locked(_ lock: Lock, now: Date) -> Problem {
        let until = min(lock.estimatedCompletion ?? lock.expiresAt, lock.expiresAt)
        let retry = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(
            HTTPResponse.Status(code: 423, reasonPhrase: "Locked"), slug: "locked", title: "Locked",
            detail: "\(lock.scope.description) is locked for \(lock.kind.rawValue) by \(lock.holder)"
                + (lock.progress.map { " (\($0)% done)" } ?? "") + "; retry in about \(retry) s. Still editable: \(lock.scope.editableElsewhere).",
            headers: [.retryAfter: String(retry)], extensions: ["lock": json(lock)])
    }

    static let schemas: [String: JSONValue] = [
        "AcquireLock": [
            "type": "object", "required": ["branch"],
            "properties": [
                "branch": ["type": "string"], "resource_type": ["type": "string", "enum": .array(ResourceKind.allCases.map { .string($0.rawValue) })],
                "resource_id": ["type": "string"], "kind": ["type": "string", "enum": .array(LockKind.allCases.map { .string($0.rawValue) })],
                "ttl_seconds": ["type": "integer", "minimum": 1, "maximum": 3600], "reason": ["type": "string", "maxLength": 500],
            ],
        ],
        "LockHeartbeat": [
            "type": "object", "required": ["fencing_token"],
            "properties": [
                "fencing_token": ["type": "integer"], "ttl_seconds": ["type": "integer", "minimum": 1, "maximum": 3600],
                "progress": ["type": "integer", "minimum": 0, "maximum": 100], "eta": ["type": "string", "format": "date-time"],
            ],
        ],
        "Lock": [
            "type": "object", "required": ["id", "scope", "kind", "holder", "fencing_token", "acquired_at", "expires_at", "editable"],
            "properties": [
                "id": ["type": "string"], "scope": ["type": "object"], "kind": ["type": "string"], "holder": ["type": "string"],
                "fencing_token": ["type": "integer"], "acquired_at": ["type": "string"], "expires_at": ["type": "string"],
                "editable": ["type": "string"], "progress": ["type": "integer"], "eta": ["type": "string"], "reason": ["type": "string"],
            ],
        ],
        "LockList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": .ref("Lock")]]],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/locks", operationID: "acquireLock",
                summary: "Lock a branch, a resource type on it, or one resource. The answer carries the fencing token to send with writes (X-Lock-Token).",
                tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("AcquireLock"),
                responses: [
                    201: .init("Held.", schema: .ref("Lock")), 400: .problem("Bad body."),
                    423: .problem("Something overlapping is locked; the problem names it."),
                ]),
            use: acquire)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/locks", operationID: "listLocks", summary: "Live locks, oldest first.", tags: ["ontology"],
                access: .requires(.readOntology), queryParameters: [("branch", ["type": "string"], "Only this branch.")],
                responses: [200: .init("Locks.", schema: .ref("LockList")), 400: .problem("Bad branch name.")]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/locks/{id}/heartbeat", operationID: "heartbeatLock",
                summary: "Extend your lock and report progress.", tags: ["ontology"], access: .requires(.writeOntology), requestBody: .ref("LockHeartbeat"),
                responses: [
                    200: .init("Extended.", schema: .ref("Lock")), 400: .problem("Bad body."), 404: .problem("Expired or released."),
                    409: .problem("Not your lock, or another token."),
                ]),
            use: heartbeat)
        api.on(
            RouteDocumentation(
                method: .delete, path: "/api/v1/locks/{id}", operationID: "releaseLock",
                summary: "Release your lock (with ?fencing_token=), or, as an admin, anyone's (?force=true, audited).", tags: ["ontology"],
                access: .requires(.writeOntology),
                queryParameters: [
                    ("fencing_token", ["type": "integer"], "Your lock's token."), ("force", ["type": "boolean"], "Release anyone's lock (admins)."),
                ],
                responses: [
                    204: .init("Released.", contentType: nil), 400: .problem("Neither a token nor force."), 404: .problem("No such live lock of yours."),
                ]),
            use: release)
    }

    @Sendable func acquire(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: AcquireLock.self, context: context)
        try OntologyController.validateBranchName(body.branch)
        let scope: LockScope
        switch (body.resourceType, body.resourceID) {
        case (nil, nil): scope = .branch(body.branch)
        case (let type?, nil):
            guard let kind = ResourceKind(rawValue: type) else { throw Problem.badRequest("`resource_type` must be one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")).") }
            scope = .resourceType(branch: body.branch, kind: kind)
        case (let type?, let id?):
            guard let kind = ResourceKind(rawValue: type), OntologyValidator.isValidID(id) else {
                throw Problem.badRequest("`resource_type` must be a resource kind and `resource_id` a resource id.")
            }
            scope = .resource(branch: body.branch, key: ResourceKey(kind, id))
        case (nil, .some):
            throw Problem.badRequest("`resource_id` needs `resource_type`.")
        }
        guard let kind = LockKind(rawValue: body.kind ?? "manual") else {
            throw Problem.badRequest("`kind` must be one of \(LockKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let ttl = body.ttlSeconds ?? 300
        guard (1...3600).contains(ttl), (body.reason ?? "").count <= 500 else { throw Problem.badRequest("`ttl_seconds` is 1 to 3600, `reason` at most 500 characters.") }
        do {
            let lock = try await locks.acquire(
                organizationID: principal.organizationID, scope: scope, kind: kind, holder: try context.actor().reference, ttl: .seconds(ttl),
                reason: body.reason)
            var response = try LockResponse(lock: lock).response(from: request, context: context)
            response.status = .created
            return response
        } catch LockError.conflict(let blocking) {
            throw Self.locked(blocking, now: clock.now())
        }
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> LockList {
        let principal = try context.requirePrincipal()
        let branch = try QueryParameters.string(request, "branch", maximumLength: 100)
        if let branch { try OntologyController.validateBranchName(branch) }
        return LockList(items: try await locks.locks(organizationID: principal.organizationID, branch: branch).map(LockResponse.init))
    }

    @Sendable func heartbeat(_ request: Request, context: ArbiterRequestContext) async throws -> LockResponse {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(as: Heartbeat.self, context: context)
        let ttl = body.ttlSeconds ?? 300
        guard (1...3600).contains(ttl), (0...100).contains(body.progress ?? 0) else { throw Problem.badRequest("`ttl_seconds` is 1 to 3600, `progress` 0 to 100.") }
        do {
            return LockResponse(
                lock: try await locks.heartbeat(
                    organizationID: principal.organizationID, id: id, holder: try context.actor().reference, fencingToken: body.fencingToken,
                    ttl: .seconds(ttl), progress: body.progress, estimatedCompletion: body.estimatedCompletion))
        } catch LockError.notHeld {
            throw Problem.notFound("Lock \(id.prefix(64)) has expired or was released; acquire a new one.")
        } catch LockError.fenced(_, let presented, _) {
            throw Problem(.conflict, slug: "lock-fenced", title: "Not your lock", detail: "Lock \(id.prefix(64)) is not held by you under token \(presented).")
        }
    }

    @Sendable func release(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        let actor = try context.actor()
        if request.uri.queryParameters["force"] == "true" {
            guard AccessPolicy.decide(principal, .forceReleaseLocks) == .allow else {
                throw Problem(.forbidden, slug: "forbidden", title: "Forbidden", detail: "Releasing someone else's lock takes an admin.")
            }
            guard let lock = try await locks.forceRelease(organizationID: principal.organizationID, id: id) else {
                throw Problem.notFound("Your organization has no lock \(id.prefix(64)).")
            }
            try await audit.record(
                AuditEvent(
                    .admin, action: "ontology.lock.force_release", actor: actor.reference, organizationID: principal.organizationID, target: "lock:\(id)",
                    details: ["holder": lock.holder, "scope": lock.scope.description], origin: actor.origin))
            return Response(status: .noContent)
        }
        guard let raw = request.uri.queryParameters["fencing_token"], let token = Int64(raw) else {
            throw Problem.badRequest("Send ?fencing_token= with your lock's token, or ?force=true as an admin.")
        }
        guard try await locks.release(organizationID: principal.organizationID, id: id, holder: actor.reference, fencingToken: token) else {
            throw Problem.notFound("You hold no live lock \(id.prefix(64)) with token \(token).")
        }
        return Response(status: .noContent)
    }
}
