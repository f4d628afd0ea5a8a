import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Sign-in, refresh, sign-out and "who am I".
struct AuthController: Sendable {
    let auth: AuthService
    let tokens: TokenService
    let settings: SecuritySettings
    let origins: OriginPolicy

    struct LoginRequest: Decodable {
        let email: String
        let password: String
        let organization: String?
        /// `token` (the default) returns tokens in the body; `cookie` sets HttpOnly cookies for a browser.
        let session: String?
    }

    struct RefreshRequest: Decodable {
        let refreshToken: String?

        enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
    }

    struct TokenResponse: ResponseEncodable {
        let accessToken: String
        let refreshToken: String
        let tokenType = "Bearer"
        let expiresIn: Int
        let organizationID: String
        let role: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", refreshToken = "refresh_token", tokenType = "token_type", expiresIn = "expires_in"
            case organizationID = "organization_id", role
        }
    }

    struct CookieSessionResponse: ResponseEncodable {
        let tokenType = "cookie"
        let expiresIn: Int
        let csrfToken: String
        let organizationID: String
        let role: String

        enum CodingKeys: String, CodingKey {
            case tokenType = "token_type", expiresIn = "expires_in", csrfToken = "csrf_token", organizationID = "organization_id", role
        }
    }

    /// The caller, written straight to bytes: `/me` is the endpoint clients call most.
    struct MeResponse: ResponseGenerator {
        let principal: Principal

        func response(from request: Request, context: some RequestContext) throws -> Response {
            let permissions = Permission.allCases.filter { AccessPolicy.decide(principal, $0) == .allow }
            var body: [UInt8] = []
            body.reserveCapacity(256)
            let fields: [(String, String)] = [
                ("id", principal.id), ("name", principal.name), ("kind", principal.kind.rawValue),
                ("organization_id", principal.organizationID), ("role", principal.role.rawValue),
                ("authentication", principal.method.rawValue),
            ]
            body.append(UInt8(ascii: "{"))
            for (key, value) in fields {
                LineLogHandler.appendJSONString(key, to: &body)
                body.append(UInt8(ascii: ":"))
                LineLogHandler.appendJSONString(value, to: &body)
                body.append(UInt8(ascii: ","))
            }
            body.append(contentsOf: #""permissions":["#.utf8)
            for (index, permission) in permissions.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                LineLogHandler.appendJSONString(permission.rawValue, to: &body)
            }
            body.append(contentsOf: "]}".utf8)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static let schemas: [String: JSONValue] = [
        "LoginRequest": [
            "type": "object", "required": ["email", "password"],
            "properties": [
                "email": ["type": "string", "format": "email"],
                "password": ["type": "string", "writeOnly": true],
                "organization": ["type": "string", "description": "Name or id; needed when you belong to several."],
                "session": ["type": "string", "enum": ["token", "cookie"], "description": "cookie: HttpOnly cookies for a browser."],
            ],
        ],
        "RefreshRequest": [
            "type": "object",
            "properties": ["refresh_token": ["type": "string", "description": "Omit in cookie sessions: the cookie is used."]],
        ],
        "TokenResponse": [
            "type": "object", "required": ["access_token", "refresh_token", "token_type", "expires_in"],
            "properties": [
                "access_token": ["type": "string"], "refresh_token": ["type": "string"], "token_type": ["type": "string", "enum": ["Bearer", "cookie"]],
                "expires_in": ["type": "integer"], "csrf_token": ["type": "string"], "organization_id": ["type": "string"],
                "role": ["type": "string"],
            ],
        ],
        "Me": [
            "type": "object", "required": ["id", "name", "kind", "organization_id", "role", "authentication", "permissions"],
            "properties": [
                "id": ["type": "string"], "name": ["type": "string"], "kind": ["type": "string", "enum": ["user", "service_account"]],
                "organization_id": ["type": "string"], "role": ["type": "string"],
                "authentication": ["type": "string", "enum": ["bearer", "cookie", "api_key"]],
                "permissions": ["type": "array", "items": ["type": "string"]],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/auth/login", operationID: "login", summary: "Sign in with e-mail address and password.",
                tags: ["auth"], access: .public, rateLimiting: .auth, requestBody: .ref("LoginRequest"),
                responses: [
                    200: .init("Signed in: tokens, or cookies and a CSRF token.", schema: .ref("TokenResponse")),
                    400: .problem("The body is malformed, or you belong to several organizations and named none."),
                    401: .problem("Wrong e-mail address or password."),
                    403: .problem("Not a member of the named organization."),
                ]),
            use: login)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/auth/refresh", operationID: "refresh",
                summary: "Spend a refresh token for a new token pair. Reusing a spent token ends its session.",
                tags: ["auth"], access: .public, rateLimiting: .auth, requestBody: .ref("RefreshRequest"),
                responses: [
                    200: .init("New tokens.", schema: .ref("TokenResponse")),
                    401: .problem("The refresh token is unknown, expired, revoked or spent."),
                ]),
            use: refresh)
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/auth/logout", operationID: "logout",
                summary: "End the current session: its refresh tokens stop working now, access tokens at expiry.",
                tags: ["auth"], access: .requires(.readSelf),
                responses: [204: .init("Signed out.", contentType: nil)]),
            use: logout)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/me", operationID: "getMe", summary: "Who you are, in which organization, with what role.",
                tags: ["auth"], access: .requires(.readSelf), responses: [200: .init("The caller.", schema: .ref("Me"))]),
            use: me)
    }

    @Sendable func login(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        let cookieMode: Bool
        switch body.session ?? "token" {
        case "token": cookieMode = false
        case "cookie": cookieMode = true
        default: throw Problem.badRequest("Field `session` must be token or cookie.")
        }
        let session = try await auth.login(
            email: body.email, password: body.password, organization: body.organization, origin: context.auditOrigin,
            clientBucket: context.clientBucket)
        return try respond(with: session, cookieMode: cookieMode, request: request, context: context)
    }

    @Sendable func refresh(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let presented: String
        let cookieMode: Bool
        if request.headers[.contentLength].map({ $0 != "0" }) ?? false || request.headers[.transferEncoding] != nil,
            let token = try await request.decodeJSON(as: RefreshRequest.self, context: context).refreshToken
        {
            presented = token
            cookieMode = false
        } else if let token = request.cookies[SessionCookies.refresh]?.value {
            // Cookies are sent by the browser on its own: the request must prove it comes from Arbiter's own pages.
            let family = try await auth.sessions.familyID(ofToken: Credentials.fingerprint(token))
            guard let header = request.headers[.xCSRFToken], let cookie = request.cookies[SessionCookies.csrf]?.value,
                constantTimeEquals(Array(header.utf8), Array(cookie.utf8)),
                // The token must be the one minted for this very session, not any value the page could set.
                family.map({ constantTimeEquals(Array(header.utf8), Array(tokens.csrfToken(sessionID: $0).utf8)) }) ?? true,
                let origin = request.headers[.origin] ?? request.headers[.referer].flatMap(OriginPolicy.origin(ofURL:)),
                origins.accepts(origin: origin, host: request.head.authority, secure: context.isSecure)
            else {
                throw AccessControlMiddleware.csrf("Cookie refresh needs X-CSRF-Token matching the arbiter_csrf cookie, from an allowed origin.")
            }
            presented = token
            cookieMode = true
        } else {
            throw Problem.badRequest("Send {\"refresh_token\": \"…\"}, or the arbiter_refresh cookie of a browser session.")
        }
        let session = try await auth.refresh(presented, origin: context.auditOrigin)
        return try respond(with: session, cookieMode: cookieMode, request: request, context: context)
    }

    @Sendable func logout(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await auth.logout(principal, origin: context.auditOrigin)
        var response = Response(status: .noContent)
        if principal.method == .cookie {
            for (name, path) in [(SessionCookies.access, "/"), (SessionCookies.refresh, "/api/v1/auth"), (SessionCookies.csrf, "/")] {
                response.setCookie(cookie(name, "", maxAge: 0, path: path, httpOnly: name != SessionCookies.csrf, secure: context.isSecure))
            }
        }
        return response
    }

    @Sendable func me(_ request: Request, context: ArbiterRequestContext) async throws -> MeResponse {
        MeResponse(principal: try context.requirePrincipal())
    }

    private func respond(
        with session: AuthService.Session, cookieMode: Bool, request: Request, context: ArbiterRequestContext
    ) throws -> Response {
        guard cookieMode else {
            return try TokenResponse(
                accessToken: session.accessToken, refreshToken: session.refreshToken, expiresIn: session.expiresIn,
                organizationID: session.member.organizationID, role: session.member.role.rawValue
            ).response(from: request, context: context)
        }
        let csrf = tokens.csrfToken(sessionID: session.sessionID)
        var response = try CookieSessionResponse(
            expiresIn: session.expiresIn, csrfToken: csrf, organizationID: session.member.organizationID,
            role: session.member.role.rawValue
        ).response(from: request, context: context)
        let refreshSeconds = Int(settings.refreshTokenTTL.components.seconds)
        response.setCookie(cookie(SessionCookies.access, session.accessToken, maxAge: session.expiresIn, path: "/", httpOnly: true, secure: context.isSecure))
        response.setCookie(
            cookie(SessionCookies.refresh, session.refreshToken, maxAge: refreshSeconds, path: "/api/v1/auth", httpOnly: true, secure: context.isSecure))
        response.setCookie(cookie(SessionCookies.csrf, csrf, maxAge: refreshSeconds, path: "/", httpOnly: false, secure: context.isSecure))
        return response
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int, path: String, httpOnly: Bool, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: httpOnly, sameSite: .strict)
    }
}
