import ArbiterAI
import ArbiterCore
import ArbiterReview
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Code reviews by the built-in analyzer and the organization's model chain: submit files or a diff, read them
/// back, list them.
struct ReviewsController: Sendable {
    let service: ReviewService

    /// At most this many files in one request.
    static let maximumFiles = 1000
    /// At most this many bytes of file contents or diff text in one request.
    static let maximumContentBytes = 1 << 20
    static let maximumPathLength = 1024

    struct CreateReview: Decodable {
        struct File: Decodable {
            let path: String
            let content: String
        }
        let files: [File]?
        let diff: String?
        let language: String?
        let minSeverity: String?
        let models: String?

        enum CodingKeys: String, CodingKey {
            case files, diff, language, models
            case minSeverity = "min_severity"
        }
    }

    /// A review as the API shows it.
    struct ReviewResponse: ResponseEncodable {
        let id: String
        let createdAt: Date
        let createdBy: String
        let cached: Bool
        let analyzerVersion: String
        let summary: ReviewReport.Summary
        let filesReviewed: Int
        let bytesReviewed: Int
        let durationMilliseconds: Double
        let skipped: [FileCollector.Skipped]
        let models: ReviewService.ModelSummary?
        let findings: [Finding]?

        init(_ outcome: ReviewService.Outcome, includeFindings: Bool = true) {
            let review = outcome.review
            id = review.id
            createdAt = review.createdAt
            createdBy = review.createdBy
            cached = outcome.cached
            analyzerVersion = review.analyzerVersion
            summary = ReviewReport.Summary(outcome.findings)
            filesReviewed = review.fileCount
            bytesReviewed = review.byteCount
            durationMilliseconds = review.durationMilliseconds
            skipped = outcome.skipped
            models = outcome.models
            findings = includeFindings ? outcome.findings : nil
        }

        enum CodingKeys: String, CodingKey {
            case id, cached, summary, skipped, findings, models
            case createdAt = "created_at", createdBy = "created_by", analyzerVersion = "analyzer_version"
            case filesReviewed = "files_reviewed", bytesReviewed = "bytes_reviewed", durationMilliseconds = "duration_ms"
        }
    }

    struct ListItem: Encodable {
        let id: String
        let createdAt: Date
        let createdBy: String
        let analyzerVersion: String
        let filesReviewed: Int
        let findingCount: Int
        let durationMilliseconds: Double

        init(_ review: StoredReview) {
            id = review.id
            createdAt = review.createdAt
            createdBy = review.createdBy
            analyzerVersion = review.analyzerVersion
            filesReviewed = review.fileCount
            findingCount = review.findingCount
            durationMilliseconds = review.durationMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case id
            case createdAt = "created_at", createdBy = "created_by", analyzerVersion = "analyzer_version"
            case filesReviewed = "files_reviewed", findingCount = "finding_count", durationMilliseconds = "duration_ms"
        }
    }

    struct Page: ResponseEncodable {
        let items: [ListItem]
        let nextCursor: String?
        enum CodingKeys: String, CodingKey { case items, nextCursor = "next_cursor" }
    }

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .post, path: "/api/v1/reviews", operationID: "createReview",
                summary: "Review files or a unified diff with the built-in analyzer and, when configured, the model chain. With "
                    + "Accept: text/event-stream the progress streams as Server-Sent Events (file_started, finding, file_done, "
                    + "model_started, model_progress, model_attempt, summary).",
                tags: ["reviews"], access: .requires(.createReview), rateLimiting: .review, requestBody: .ref("CreateReview"),
                responses: [
                    201: .init("A new review.", schema: .ref("Review")),
                    200: .init("An earlier review of the same input (cached: true).", schema: .ref("Review")),
                    400: .problem("The body is not the JSON this route takes."),
                    413: .problem("The request or its contents exceed the size limit."),
                    422: .problem("The input cannot be reviewed as given: the detail names the field and the limit."),
                    503: .problem("`models: required` and no model could answer; see Retry-After."),
                ]),
            use: create)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/reviews/{id}", operationID: "getReview", summary: "One of your organization's reviews, with its findings.",
                tags: ["reviews"], access: .requires(.readReviews),
                responses: [200: .init("The review.", schema: .ref("Review")), 404: .problem("No such review in your organization.")]),
            use: get)
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/reviews", operationID: "listReviews", summary: "Your organization's reviews, newest first.",
                tags: ["reviews"], access: .requires(.readReviews),
                queryParameters: [
                    ("limit", ["type": "integer", "minimum": 1, "maximum": 100], "Page size, at most 100 (default 50)."),
                    ("cursor", ["type": "string"], "next_cursor of the previous page."),
                ],
                responses: [200: .init("A page of reviews, without findings.", schema: .ref("ReviewPage")), 400: .problem("A bad query parameter.")]),
            use: list)
    }

    static func unprocessable(_ detail: String) -> Problem {
        Problem(.unprocessableContent, slug: "unprocessable-review", title: "Cannot review this input", detail: detail)
    }

    /// Checks a request and turns it into what the service reviews.
    func input(from body: CreateReview) throws -> ReviewService.Input {
        let language: Language?
        if let name = body.language {
            guard let known = Language.named(name) else {
                throw Self.unprocessable("Field `language` is '\(name.prefix(40))'; use one of \(Language.choices), or leave it out to detect from file names.")
            }
            language = known
        } else {
            language = nil
        }
        let minimum: Severity
        if let name = body.minSeverity {
            guard let severity = Severity(rawValue: name.lowercased()) else {
                throw Self.unprocessable("Field `min_severity` is '\(name.prefix(40))'; use one of \(Severity.choices).")
            }
            minimum = severity
        } else {
            minimum = .info
        }
        let models: ReviewService.ModelMode
        if let name = body.models {
            guard let mode = ReviewService.ModelMode(rawValue: name) else {
                throw Self.unprocessable(
                    "Field `models` is '\(name.prefix(40))'; use one of \(ReviewService.ModelMode.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            models = mode
        } else {
            models = .auto
        }
        var input = try sources(from: body, language: language, minimum: minimum)
        input.models = models
        return input
    }

    func sources(from body: CreateReview, language: Language?, minimum: Severity) throws -> ReviewService.Input {
        switch (body.files, body.diff) {
        case (nil, nil), (.some, .some):
            throw Self.unprocessable("Send exactly one of `files` (an array of {path, content}) and `diff` (a unified diff).")
        case (let files?, nil):
            guard !files.isEmpty else { throw Self.unprocessable("Field `files` is empty; send at least one {path, content}.") }
            guard files.count <= Self.maximumFiles else {
                throw Problem(
                    .contentTooLarge, slug: "too-many-files", title: "Too many files",
                    detail: "The request has \(files.count) files; the limit is \(Self.maximumFiles) per review. Split it into several reviews.")
            }
            try Self.checkSize(files.reduce(0) { $0 + $1.content.utf8.count })
            var sources: [Analyzer.Source] = []
            var skipped: [FileCollector.Skipped] = []
            var seen = Set<String>()
            for (index, file) in files.enumerated() {
                guard !file.path.isEmpty, file.path.utf8.count <= Self.maximumPathLength,
                    !file.path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
                else {
                    throw Self.unprocessable("`files[\(index)].path` must be 1 to \(Self.maximumPathLength) bytes without control characters.")
                }
                guard seen.insert(file.path).inserted else {
                    throw Self.unprocessable("`files[\(index)].path` repeats '\(file.path.prefix(100))'; each path may appear once.")
                }
                guard let fileLanguage = language ?? Language.detect(path: file.path) else {
                    skipped.append(FileCollector.Skipped(path: file.path, reason: .unsupportedLanguage))
                    continue
                }
                sources.append(Analyzer.Source(path: file.path, text: file.content, language: fileLanguage))
            }
            return ReviewService.Input(sources: sources, skipped: skipped, minimumSeverity: minimum, variant: "files:\(language?.rawValue ?? "")")
        case (nil, let diff?):
            try Self.checkSize(diff.utf8.count)
            let parsed: UnifiedDiff
            do { parsed = try UnifiedDiff(parsing: diff) } catch {
                throw Self.unprocessable("Field `diff` is not a unified diff: \(error.description).")
            }
            guard !parsed.files.isEmpty else {
                throw Self.unprocessable("Field `diff` holds no file changes; send the output of `git diff` or `diff -u`.")
            }
            let skipped = parsed.files.filter { !$0.deleted && language == nil && Language.detect(path: $0.path) == nil }
                .map { FileCollector.Skipped(path: $0.path, reason: .unsupportedLanguage) }
            return ReviewService.Input(
                sources: Reviewer.sources(from: parsed, language: language), skipped: skipped, minimumSeverity: minimum,
                variant: "diff:\(language?.rawValue ?? "")")
        }
    }

    static func checkSize(_ bytes: Int) throws {
        guard bytes <= maximumContentBytes else {
            throw Problem(
                .contentTooLarge, slug: "review-too-large", title: "Review too large",
                detail: "The contents add up to \(bytes) bytes; the limit is \(maximumContentBytes) bytes per review. Split it into several reviews.")
        }
    }

    @Sendable func create(_ request: Request, context: ArbiterRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(as: CreateReview.self, context: context)
        let input = try input(from: body)
        if request.headers[.accept]?.contains("text/event-stream") == true {
            return stream(input, principal: principal)
        }
        let outcome = try await service.review(input, for: principal)
        var response = try ReviewResponse(outcome).response(from: request, context: context)
        response.status = outcome.cached ? .ok : .created
        response.headers[.location] = "/api/v1/reviews/\(outcome.review.id)"
        return response
    }

    /// The review as Server-Sent Events; a failure after the stream began arrives as an `error` event. The review
    /// runs beside the writer and hands it events through a stream; a client that goes away cancels it.
    func stream(_ input: ReviewService.Input, principal: Principal) -> Response {
        let service = service
        let body = ResponseBody { writer in
            let (events, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { continuation.finish() }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    encoder.dateEncodingStrategy = .iso8601
                    @Sendable func send(_ name: String, _ value: some Encodable) throws {
                        var buffer = ByteBuffer()
                        buffer.writeString("event: \(name)\ndata: ")
                        buffer.writeBytes(try encoder.encode(value))
                        buffer.writeString("\n\n")
                        continuation.yield(buffer)
                    }
                    do {
                        let outcome = try await service.review(input, for: principal) { event in
                            switch event {
                            case .fileStarted(let path): try send("file_started", FileProgress(path: path, findings: nil))
                            case .finding(let finding): try send("finding", finding)
                            case .fileDone(let path, let count): try send("file_done", FileProgress(path: path, findings: count))
                            case .model(.finding(let finding)): try send("finding", finding)
                            case .model(.gateway(.attemptStarted(let tier, let provider, let model), let prompt)):
                                try send("model_started", ModelProgress(prompt: prompt, tier: tier, provider: provider, model: model))
                            case .model(.gateway(.progress(let tier, let characters), let prompt)):
                                try send("model_progress", ModelProgress(prompt: prompt, tier: tier, characters: characters))
                            case .model(.gateway(.attemptFinished(let attempt), let prompt)):
                                try send("model_attempt", ModelAttempt(prompt: prompt, attempt: attempt))
                            }
                        }
                        try send("summary", ReviewResponse(outcome, includeFindings: false))
                    } catch is CancellationError {
                        return
                    } catch {
                        try send("error", ["detail": (error as? Problem)?.detail ?? "The review failed on the server."])
                    }
                }
                for await buffer in events { try await writer.write(buffer) }
                try await group.waitForAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"], body: body)
    }

    struct FileProgress: Encodable {
        let path: String
        let findings: Int?
    }

    struct ModelProgress: Encodable {
        let prompt: Int
        let tier: Int
        var provider: String? = nil
        var model: String? = nil
        var characters: Int? = nil
    }

    struct ModelAttempt: Encodable {
        let prompt: Int
        let attempt: Attempt

        func encode(to encoder: any Encoder) throws {
            try attempt.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(prompt, forKey: .prompt)
        }

        enum CodingKeys: String, CodingKey { case prompt }
    }

    @Sendable func get(_ request: Request, context: ArbiterRequestContext) async throws -> ReviewResponse {
        let principal = try context.requirePrincipal()
        let id = try context.parameters.require("id")
        guard id.utf8.count <= 64, let outcome = try await service.find(organizationID: principal.organizationID, id: id) else {
            throw Problem.notFound("Your organization has no review \(id.prefix(64)).")
        }
        return ReviewResponse(outcome)
    }

    @Sendable func list(_ request: Request, context: ArbiterRequestContext) async throws -> Page {
        let principal = try context.requirePrincipal()
        let cursor = try QueryParameters.string(request, "cursor", maximumLength: 400)
        if let cursor, PageCursor(cursor) == nil {
            throw Problem.badRequest("Query parameter `cursor` must be a next_cursor value from an earlier page.")
        }
        let page = try await service.list(organizationID: principal.organizationID, limit: try QueryParameters.limit(request), cursor: cursor)
        return Page(items: page.reviews.map(ListItem.init), nextCursor: page.nextCursor)
    }
}
