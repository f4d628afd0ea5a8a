import ArbiterAI
import ArbiterCore
import ArbiterReview
import ArbiterStore
import Crypto
import Foundation
import HTTPTypes
import Synchronization

/// Runs reviews for the API: the analyzer, then the organization's model chain when it has one; answers a repeated
/// request from the stored result (per organization, keyed by a content hash), computes identical requests that
/// arrive together only once, and stores every new review.
///
/// A review whose models did not all answer is stored under a hash no request can match, so a later identical
/// request tries the models again instead of inheriting the degraded result.
public final class ReviewService: Sendable {
    public let reviewer: Reviewer
    let store: ReviewStore
    let ai: AIService?
    let ids: any IDGenerator
    let clock: any WallClock
    private let inFlight = Mutex<[String: Task<Outcome, any Error>]>([:])

    public init(reviewer: Reviewer, store: ReviewStore, ai: AIService? = nil, ids: any IDGenerator, clock: any WallClock) {
        self.reviewer = reviewer
        self.store = store
        self.ai = ai
        self.ids = ids
        self.clock = clock
    }

    /// Whether a review uses the organization's models.
    public enum ModelMode: String, Sendable, CaseIterable {
        /// Models when configured; when they cannot answer, the analyzer's findings alone.
        case auto
        /// The analyzer only.
        case off
        /// Fail with `503` unless a model answered every part of the input.
        case required
    }

    /// The model half of a review, as stored and shown.
    public struct ModelSummary: Codable, Sendable, Equatable {
        public var mode: String
        public var configurationRevision: Int64
        public var promptVersion: String
        public var prompts: Int
        public var answered: Int
        public var dropped: Int
        public var repaired: Int
        public var costMicros: Int64
        public var warnings: [String]
        public var attempts: [Attempt]

        enum CodingKeys: String, CodingKey {
            case mode, prompts, answered, dropped, repaired, warnings, attempts
            case configurationRevision = "configuration_revision", promptVersion = "prompt_version", costMicros = "cost_micros"
        }
    }

    /// What to review, already validated.
    public struct Input: Sendable {
        public var sources: [Analyzer.Source]
        /// Files passed over, with why.
        public var skipped: [FileCollector.Skipped]
        public var minimumSeverity: Severity
        /// Distinguishes inputs that would otherwise hash alike (files or diff, language override).
        public var variant: String
        public var models: ModelMode = .auto
    }

    /// A stored review and whether it was an earlier result for the same input.
    public struct Outcome: Sendable {
        public let review: StoredReview
        public let findings: [Finding]
        public let skipped: [FileCollector.Skipped]
        public let models: ModelSummary?
        public let cached: Bool
    }

    /// Progress of a review being computed, for streaming.
    public enum Event: Sendable {
        case fileStarted(String)
        case finding(Finding)
        case fileDone(String, findings: Int)
        case model(ModelReviewer.Event)
    }

    /// The SHA-256 of everything that decides a review's result: analyzer and rules, options and every source.
    public func contentHash(_ input: Input, plan: AIService.Plan? = nil) -> String {
        var hasher = SHA256()
        func add(_ text: String) {
            hasher.update(data: Data(text.utf8))
            hasher.update(data: [0])
        }
        add(reviewer.analyzer.version)
        add(input.minimumSeverity.rawValue)
        add(input.variant)
        add("models:\(input.models.rawValue):\(plan.map { "\($0.revision):\($0.configuration.promptVersion):\($0.paidAllowed)" } ?? "none")")
        for source in input.sources {
            add(source.path)
            add(source.language.rawValue)
            add(String(source.firstLine))
            add(source.reportedLines.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "*")
            add(source.text)
        }
        for skip in input.skipped { add("skip:\(skip.path):\(skip.reason.rawValue)") }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Reviews `input` for `principal`. `progress` sees each file and finding as they are found, or, for an earlier
    /// result, replayed from it. Identical requests without `progress` that arrive together are computed once.
    public func review(
        _ input: Input, for principal: Principal, progress: (@Sendable (Event) async throws -> Void)? = nil
    ) async throws -> Outcome {
        let plan = input.models == .off ? nil : try await ai?.plan(organizationID: principal.organizationID)
        if input.models == .required, plan?.tiers.isEmpty ?? true {
            throw Problem(
                .unprocessableContent, slug: "models-not-configured", title: "No model is configured",
                detail: plan == nil
                    ? "Your organization has no reviewer configuration with model tiers (PUT /api/v1/reviewer-config); send `models: auto` or `off`."
                    : "No tier of your reviewer configuration can be used: \(plan?.warnings.joined(separator: "; ") ?? "")")
        }
        let hash = contentHash(input, plan: plan)
        let key = "\(principal.organizationID):\(hash)"
        if let earlier = try await store.latest(organizationID: principal.organizationID, contentHash: hash) {
            let outcome = try Self.outcome(earlier, cached: true)
            try await replay(outcome, to: progress)
            return outcome
        }
        // A streamed review writes to its own client as it goes, so it is computed for that client alone.
        if progress != nil { return try await compute(input, hash: hash, plan: plan, principal: principal, progress: progress) }
        var leader = false
        let task = inFlight.withLock { running -> Task<Outcome, any Error> in
            if let task = running[key] { return task }
            leader = true
            let task = Task { try await self.compute(input, hash: hash, plan: plan, principal: principal, progress: nil) }
            running[key] = task
            return task
        }
        defer { if leader { _ = inFlight.withLock { $0.removeValue(forKey: key) } } }
        let outcome = try await task.value
        return leader
            ? outcome : Outcome(review: outcome.review, findings: outcome.findings, skipped: outcome.skipped, models: outcome.models, cached: true)
    }

    static func modelsUnavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, slug: "models-unavailable", title: "No model could answer", detail: detail, headers: [.retryAfter: "30"])
    }

    private func compute(
        _ input: Input, hash: String, plan: AIService.Plan?, principal: Principal, progress: (@Sendable (Event) async throws -> Void)?
    ) async throws -> Outcome {
        let started = ContinuousClock.now
        var findings: [Finding] = []
        var announced = Set<String>()
        for (index, source) in input.sources.enumerated() {
            try Task.checkCancellation()
            if announced.insert(source.path).inserted { try await progress?(.fileStarted(source.path)) }
            let found = reviewer.findings(in: source).filter { $0.severity >= input.minimumSeverity }
            for finding in found { try await progress?(.finding(finding)) }
            findings += found
            let lastOfFile = index + 1 == input.sources.count || input.sources[index + 1].path != source.path
            if lastOfFile {
                try await progress?(.fileDone(source.path, findings: findings.count { $0.path == source.path }))
            }
        }
        findings.sort(by: Finding.reportOrder)
        var models: ModelSummary?
        if let plan, let ai {
            let known = findings
            let result: ModelReviewer.Result
            do {
                result = try await ModelReviewer(gateway: ai.gateway).review(
                    input.sources, configuration: plan.configuration, tiers: plan.tiers, scope: principal.organizationID,
                    paidAllowed: plan.paidAllowed
                ) { event in
                    // Stream only what the review will keep: above the floor, and not a repeat of the analyzer.
                    if case .finding(let finding) = event,
                        finding.severity < input.minimumSeverity || ModelReviewer.merge(analyzer: known, models: [finding]).count == known.count
                    {
                        return
                    }
                    try await progress?(.model(event))
                }
            } catch let error as ModelReviewer.CannotFit {
                throw Problem(.unprocessableContent, slug: "input-exceeds-context", title: "Input too large for the models", detail: error.description)
            }
            if input.models == .required, result.answered < result.prompts || plan.tiers.isEmpty {
                throw Self.modelsUnavailable(
                    "\(result.prompts - result.answered) of \(result.prompts) parts got no model answer: "
                        + Set(result.attempts.compactMap(\.reason)).sorted().joined(separator: ", ") + ". Try again later or send `models: auto`.")
            }
            findings = ModelReviewer.merge(analyzer: findings, models: result.findings.filter { $0.severity >= input.minimumSeverity })
            models = ModelSummary(
                mode: input.models.rawValue, configurationRevision: plan.revision, promptVersion: plan.configuration.promptVersion,
                prompts: result.prompts, answered: result.answered, dropped: result.dropped, repaired: result.repaired,
                costMicros: result.costMicros, warnings: plan.warnings, attempts: result.attempts)
        }
        let complete = models.map { $0.answered == $0.prompts && plan?.unusableTiers == 0 } ?? true
        let report = ReviewReport(
            analyzerVersion: reviewer.analyzer.version, findings: findings, filesReviewed: Set(input.sources.map(\.path)).count,
            skipped: input.skipped, bytesReviewed: input.sources.reduce(0) { $0 + $1.text.utf8.count }, duration: ContinuousClock.now - started)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let stored = StoredReview(
            id: ids.next(), organizationID: principal.organizationID, createdBy: "\(principal.kind == .user ? "user" : "api_key"):\(principal.id)",
            createdAt: clock.now(), contentHash: complete ? hash : "partial:\(hash)", analyzerVersion: report.analyzerVersion, fileCount: report.filesReviewed,
            byteCount: report.bytesReviewed, findingCount: findings.count, durationMilliseconds: report.durationMilliseconds,
            summaryJSON: String(decoding: try encoder.encode(StoredSummary(summary: report.summary, skipped: input.skipped, models: models)), as: UTF8.self),
            findingsJSON: String(decoding: try encoder.encode(findings), as: UTF8.self))
        try await store.insert(stored)
        if let models, let ai {
            try await ai.recordUsage(
                models.attempts, organizationID: principal.organizationID, reviewID: stored.id, actor: stored.createdBy,
                promptVersion: models.promptVersion)
        }
        return Outcome(review: stored, findings: findings, skipped: input.skipped, models: models, cached: false)
    }

    private func replay(_ outcome: Outcome, to progress: (@Sendable (Event) async throws -> Void)?) async throws {
        guard let progress else { return }
        var order: [String] = []
        var byPath: [String: [Finding]] = [:]
        for finding in outcome.findings {
            if byPath[finding.path] == nil { order.append(finding.path) }
            byPath[finding.path, default: []].append(finding)
        }
        for path in order {
            try await progress(.fileStarted(path))
            for finding in byPath[path] ?? [] { try await progress(.finding(finding)) }
            try await progress(.fileDone(path, findings: byPath[path]?.count ?? 0))
        }
    }

    /// The summary column: counts and skipped files.
    struct StoredSummary: Codable {
        let summary: ReviewReport.Summary
        let skipped: [FileCollector.Skipped]
        let models: ModelSummary?
    }

    /// A stored review with its findings decoded.
    public static func outcome(_ review: StoredReview, cached: Bool) throws -> Outcome {
        let decoder = JSONDecoder()
        let findings = review.findingsJSON.isEmpty ? [] : try decoder.decode([Finding].self, from: Data(review.findingsJSON.utf8))
        let summary = try decoder.decode(StoredSummary.self, from: Data(review.summaryJSON.utf8))
        return Outcome(review: review, findings: findings, skipped: summary.skipped, models: summary.models, cached: cached)
    }

    public func find(organizationID: String, id: String) async throws -> Outcome? {
        try await store.find(organizationID: organizationID, id: id).map { try Self.outcome($0, cached: false) }
    }

    public func list(organizationID: String, limit: Int, cursor: String?) async throws -> ReviewStore.Page {
        try await store.list(organizationID: organizationID, limit: limit, cursor: cursor)
    }
}
