import ArbiterReview
import Foundation

/// Reviews sources with the model chain: splits them into prompts that fit the smallest context window of the chain,
/// sends each down the chain, and turns the answers into findings (source `ai:<provider>/<model>`).
public struct ModelReviewer: Sendable {
    public let gateway: ModelGateway

    public init(gateway: ModelGateway) {
        self.gateway = gateway
    }

    /// The model half of one review.
    public struct Result: Sendable, Codable, Equatable {
        public var findings: [Finding]
        /// Every attempt of every prompt, in order.
        public var attempts: [Attempt]
        /// Prompts the sources were split into.
        public var prompts: Int
        /// Prompts some model answered (the rest were left to the analyzer).
        public var answered: Int
        /// Findings in model answers that were unusable (bad path or line, missing fields) and dropped.
        public var dropped: Int
        /// Answers that were cut or malformed and repaired.
        public var repaired: Int

        public static let empty = Result(findings: [], attempts: [], prompts: 0, answered: 0, dropped: 0, repaired: 0)

        public var costMicros: Int64 { attempts.reduce(0) { $0 + $1.costMicros } }
    }

    /// What streaming clients see.
    public enum Event: Sendable {
        case gateway(ModelGateway.Event, prompt: Int)
        case finding(Finding)
    }

    /// The sources can never be sent: one line alone is larger than the smallest window leaves for code.
    public struct CannotFit: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let tokens: Int
        public let budget: Int

        public var description: String {
            "line \(line) of \(path) is about \(tokens) tokens, more than the \(budget) tokens the smallest context window in the "
                + "reviewer configuration leaves for code; raise context_window, lower max_output_tokens or leave the file out"
        }
    }

    /// Tokens for code in each prompt: the smallest window, less the answer and the template, less room for line numbers.
    public static func codeBudget(_ tiers: [ResolvedTier], template: PromptTemplate) -> Int {
        let smallest = tiers.map { $0.tier.contextWindow - $0.tier.maxOutputTokens - template.overheadTokens }.min() ?? 0
        return max(64, Int(Double(smallest) / 1.3))
    }

    /// The prompts `sources` become; throws ``CannotFit`` when one line can never fit.
    public static func prompts(_ sources: [Analyzer.Source], tiers: [ResolvedTier], template: PromptTemplate) throws -> [ReviewChunk] {
        let files = sources.map {
            ChunkFile(path: $0.path, language: $0.language.rawValue, firstLine: $0.firstLine, text: $0.text.replacingOccurrences(of: "\r\n", with: "\n"))
        }
        let budget = codeBudget(tiers, template: template)
        do {
            return try Chunker.chunks(files, budget: budget)
        } catch {
            throw CannotFit(path: error.path, line: error.line, tokens: error.tokens, budget: error.budget)
        }
    }

    /// Reviews `sources` for organization `scope`. Failures of models are attempts in the result, never errors;
    /// only cancellation and ``CannotFit`` are thrown.
    public func review(
        _ sources: [Analyzer.Source], configuration: ReviewerConfiguration, tiers: [ResolvedTier], scope: String, paidAllowed: Bool,
        onEvent: @escaping @Sendable (Event) async throws -> Void = { _ in }
    ) async throws -> Result {
        guard !tiers.isEmpty, !sources.isEmpty else { return .empty }
        let template = PromptTemplate.named(configuration.promptVersion) ?? .current
        let chunks = try Self.prompts(sources, tiers: tiers, template: template)
        let reported = Dictionary(sources.map { ($0.path, $0.reportedLines) }, uniquingKeysWith: { lhs, rhs in
            guard let lhs, let rhs else { return nil }
            return lhs.union(rhs)
        })
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(configuration.modelDeadlineMilliseconds))
        let runPrompt: @Sendable (Int) async throws -> (Int, PromptOutcome) = { index in
            let outcome = try await self.run(
                chunks[index], number: index + 1, template: template, configuration: configuration, tiers: tiers, scope: scope,
                paidAllowed: paidAllowed, deadline: deadline, reported: reported, onEvent: onEvent)
            return (index, outcome)
        }
        // Prompts run side by side (each tier's own limit still applies), results are kept in prompt order.
        let outcomes = try await withThrowingTaskGroup(of: (Int, PromptOutcome).self) { group in
            var next = 0
            var outcomes = [PromptOutcome?](repeating: nil, count: chunks.count)
            while next < min(Self.parallelPrompts, chunks.count) {
                let index = next
                group.addTask { try await runPrompt(index) }
                next += 1
            }
            while let (index, outcome) = try await group.next() {
                outcomes[index] = outcome
                if next < chunks.count {
                    let index = next
                    group.addTask { try await runPrompt(index) }
                    next += 1
                }
            }
            return outcomes.compactMap { $0 }
        }
        var result = Result(findings: [], attempts: [], prompts: chunks.count, answered: 0, dropped: 0, repaired: 0)
        for outcome in outcomes {
            result.attempts += outcome.attempts
            result.findings += outcome.findings
            result.dropped += outcome.dropped
            if outcome.answered { result.answered += 1 }
            if outcome.repaired { result.repaired += 1 }
        }
        return result
    }

    /// Prompts of one review in flight at once.
    static let parallelPrompts = 4
    /// Findings kept from one answer; more are dropped and counted.
    static let maximumFindingsPerAnswer = 200

    struct PromptOutcome: Sendable {
        var attempts: [Attempt] = []
        var findings: [Finding] = []
        var answered = false
        var dropped = 0
        var repaired = false
    }

    private func run(
        _ chunk: ReviewChunk, number: Int, template: PromptTemplate, configuration: ReviewerConfiguration, tiers: [ResolvedTier], scope: String,
        paidAllowed: Bool, deadline: ContinuousClock.Instant, reported: [String: Set<Int>?],
        onEvent: @escaping @Sendable (Event) async throws -> Void
    ) async throws -> PromptOutcome {
        let prompt = ModelGateway.Prompt(system: template.system, user: template.render(chunk.files), promptVersion: template.version, cacheScope: scope)
        let answer = try await gateway.answer(
            prompt, tiers: tiers, paidAllowed: paidAllowed, streaming: configuration.streaming, deadline: deadline
        ) { event in
            try await onEvent(.gateway(event, prompt: number))
        }
        var outcome = PromptOutcome(attempts: answer.attempts)
        guard let text = answer.text, let by = answer.answeredBy else { return outcome }
        outcome.answered = true
        let lines = Self.lineIndex(chunk.files)
        var ranges: [String: ClosedRange<Int>] = [:]
        for file in chunk.files {
            let last = file.firstLine + max(Self.lineCount(file.text), 1) - 1
            let range = file.firstLine...last
            ranges[file.path] = ranges[file.path].map { min($0.lowerBound, range.lowerBound)...max($0.upperBound, range.upperBound) } ?? range
        }
        let parsed = FindingParser.parse(text, files: ranges)
        outcome.dropped = parsed.dropped + max(0, parsed.findings.count - Self.maximumFindingsPerAnswer)
        outcome.repaired = parsed.repaired
        for model in parsed.findings.prefix(Self.maximumFindingsPerAnswer) {
            if let only = reported[model.path] ?? nil, !only.contains(model.line) { continue }
            let finding = Self.finding(model, snippet: lines[LineKey(path: model.path, line: model.line)] ?? "", source: "ai:\(by.provider)/\(by.model)")
            outcome.findings.append(finding)
            try await onEvent(.finding(finding))
        }
        return outcome
    }

    struct LineKey: Hashable {
        let path: String
        let line: Int
    }

    static func lineCount(_ text: String) -> Int {
        let count = text.split(separator: "\n", omittingEmptySubsequences: false).count
        return text.hasSuffix("\n") ? count - 1 : count
    }

    static func lineIndex(_ files: [ChunkFile]) -> [LineKey: String] {
        var index: [LineKey: String] = [:]
        for file in files {
            for (offset, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                index[LineKey(path: file.path, line: file.firstLine + offset)] = String(line)
            }
        }
        return index
    }

    static func finding(_ model: ModelFinding, snippet: String, source: String) -> Finding {
        let category = Category(rawValue: model.category) ?? .quality
        let title = model.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let message = title.isEmpty ? model.message : "\(title): \(model.message)"
        return Finding(
            ruleID: "AI-\(category.rawValue.uppercased())", path: model.path, line: model.line, column: 1,
            endColumn: snippet.utf16.count + 1, severity: Severity(rawValue: model.severity) ?? .medium, category: category,
            confidence: Confidence(rawValue: model.confidence) ?? .medium, message: message, fix: model.fix, cwe: model.cwe, owasp: nil,
            snippet: snippet, source: source)
    }

    /// The analyzer's findings plus the models', without a model finding where the analyzer already reported the same
    /// kind of problem on the same line (the analyzer's is kept: it is deterministic and carries a rule id).
    public static func merge(analyzer: [Finding], models: [Finding]) -> [Finding] {
        struct Place: Hashable {
            let path: String
            let line: Int
            let category: Category
        }
        var seen = Set(analyzer.map { Place(path: $0.path, line: $0.line, category: $0.category) })
        var merged = analyzer
        for finding in models where seen.insert(Place(path: finding.path, line: finding.line, category: finding.category)).inserted {
            merged.append(finding)
        }
        return merged.sorted(by: Finding.reportOrder)
    }
}
