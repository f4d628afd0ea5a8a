import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// The members of the caller's organization. Admins only; nobody changes their own role.
struct UsersController: Sendable {
    let identities: IdentityStore
    let credentials: Credentials

    struct CreateUser: Decodable {
        let email: String
        let password: String
        let role: Role
    }

    struct ChangeRole: Decodable {
        let role: Role
    }

    struct UserResponse: ResponseEncodable {
        let id: String
        let email: String
        let role: String
        let disabled: Bool
        let joinedAt: Date

        init(_ member: Member) {
            id = member.userID
            email = member.email
            role = member.role.rawValue
            disabled = member.disabled
            joinedAt = member.joinedAt
        }

        enum CodingKeys: String, CodingKey { case id, email, role, disabled, joinedAt = "joined_at" }
    }

    struct UserList: ResponseEncodable {
        let items: [UserResponse]
        let nextCursor: String?

        enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    }

    static let roleSchema: JSONValue = ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })]
    static let schemas: [String: JSONValue] = [
        "User": [
            "type": "object", "required": ["id", "email", "role", "disabled", "joined_at"],
            "properties": [
                "id": ["type": "string"], "email": ["type": "string"], "role": roleSchema, "disabled": ["type": "boolean"],
                "joined_at": ["type": "string", "format": "date-time"],
            ],
        ],
        "UserList": [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": .ref("User")], "next_cursor": ["type": ["string", "null"]]],
        ],
        "CreateUser": [
            "type": "object", "required": ["email", "password", "role"],
            "properties": [
                "email": ["type": "string", "format": "email"], "password": ["type": "string", "minLength": 12, "writeOnly": true],
                "role": roleSchema,
            ],
        ],
        "ChangeRole": ["type": "object", "required": ["role"], "properties": ["role": roleSchema]],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/users", operationID: "listUsers", summary: "Members of your organization, by e-mail address.",
                tags: ["users"], access: .requires(.manageUsers),
                queryParameters: [
                    ("limit", ["type": "integer", "minimum": 1, "maximum": 100], "Page size, at most 100 (default 50)."),
                    ("cursor", ["type": "string"], "next_cursor of the previous page."),
                ],
                responses: [200: .init("A page of members.", schema: .ref("UserList")), 400: .problem("A bad query parameter.")]),
            use: list)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/users", operationID: "createUser", summary: "Add a person to your organization.",
                tags: ["users"], access: .requires(.manageUsers), requestBody: .ref("CreateUser"),
                responses: [
                    201: .init("Created.", schema: .ref("User")), 400: .problem("Invalid e-mail address, password or role."),
                    409: .problem("The e-mail address already has an account."),
                ]),
            use: create)
        api.on(
            RouteDocumentation(
                method: .patch, path: "/api/v1/users/{id}", operationID: "changeUserRole", summary: "Change a member's role.",
                tags: ["users"], access: .requires(.manageUsers), requestBody: .ref("ChangeRole"),
                responses: [
                    200: .init("The member with the new role.", schema: .ref("User")),
                    400: .problem("Invalid role."), 403: .problem("Your own role, or not allowed."),
                    404: .problem("No such member in your organization."),
                ]),
            use: changeRole)
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> UserList {
        let principal = try context.requirePrincipal()
        let limit = try QueryParameters.limit(request)
        let cursor = try QueryParameters.string(request, "cursor", maximumLength: 254)
        let members = try await identities.members(organizationID: principal.organizationID, limit: limit, after: cursor)
        return UserList(items: members.map(UserResponse.init), nextCursor: members.count == limit ? members.last?.email : nil)
    }

    @Sendable func create(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: CreateUser.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard SecuritySettings.isEmailAddress(email) else { throw Problem.badRequest("Field `email` must be an e-mail address.") }
        if let problem = PasswordPolicy.problem(with: body.password, email: email) {
            throw Problem.badRequest("Field `password` \(problem).")
        }
        let hash = try await credentials.hashPassword(body.password)
        do {
            let member = try await identities.createUser(
                email: email, passwordHash: hash, organizationID: principal.organizationID, role: body.role, by: try context.actor())
            var response = try UserResponse(member).response(from: request, context: context)
            response.status = .created
            response.headers[.location] = "/api/v1/users/\(member.userID)"
            return response
        } catch let error as StoreError where error.code == .duplicate {
            throw Problem(.conflict, slug: "conflict", title: "Conflict", detail: "An account for \(email) already exists.")
        }
    }

    @Sendable func changeRole(_ request: Request, context: ArbiterRequestContext) async throws -> UserResponse {
        let principal = try context.requirePrincipal()
        let userID = try context.parameters.require("id")
        let body = try await request.decodeJSON(as: ChangeRole.self, context: context)
        guard userID != principal.id else {
            throw Problem(.forbidden, slug: "own-role", title: "Forbidden", detail: "Nobody may change their own role; ask another admin.")
        }
        guard
            let member = try await identities.changeRole(
                userID: userID, organizationID: principal.organizationID, to: body.role, by: try context.actor())
        else {
            throw Problem.notFound("Your organization has no member \(userID).")
        }
        return UserResponse(member)
    }
}

/// Reading and checking query parameters, with 400s that say what is accepted.
enum QueryParameters {
    static func limit(_ request: Request, default defaultValue: Int = 50) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"] else { return defaultValue }
        guard let value = Int(raw), (1...100).contains(value) else {
            throw Problem.badRequest("Query parameter `limit` must be a whole number from 1 to 100.")
        }
        return value
    }

    static func string(_ request: Request, _ name: String, maximumLength: Int) throws -> String? {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return nil }
        let value = String(raw).removingPercentEncoding ?? String(raw)
        guard !value.isEmpty, value.utf8.count <= maximumLength else {
            throw Problem.badRequest("Query parameter `\(name)` must be 1 to \(maximumLength) characters long.")
        }
        return value
    }

    static func date(_ request: Request, _ name: String) throws -> Date? {
        guard let value = try string(request, name, maximumLength: 40) else { return nil }
        guard let date = ISO8601DateFormatter().date(from: value) else {
            throw Problem.badRequest("Query parameter `\(name)` must be an RFC 3339 time such as 2026-11-23T15:00:00Z.")
        }
        return date
    }
}
