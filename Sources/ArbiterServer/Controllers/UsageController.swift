import ArbiterAI
import ArbiterCore
import ArbiterStore
import Foundation
import HTTPTypes
import Hummingbird

/// Model usage and cost: totals by model and by day for a period, the month's spend against the budget, and this
/// node's cache counters.
struct UsageController: Sendable {
    let ai: AIService
    let clock: any WallClock

    struct Total: Encodable {
        let key: String
        let calls: Int
        let inputTokens: Int64
        let outputTokens: Int64
        let costMicros: Int64
        let costUSD: Double

        init(_ total: UsageTotal) {
            key = total.key
            calls = total.calls
            inputTokens = total.inputTokens
            outputTokens = total.outputTokens
            costMicros = total.costMicros
            costUSD = Double(total.costMicros) / 1_000_000
        }

        enum CodingKeys: String, CodingKey {
            case key, calls, inputTokens = "input_tokens", outputTokens = "output_tokens", costMicros = "cost_micros", costUSD = "cost_usd"
        }
    }

    struct Budget: Encodable {
        let softLimit: Double?
        let hardLimit: Double?
        let monthToDate: Double
        enum CodingKeys: String, CodingKey { case softLimit = "soft_limit_usd", hardLimit = "hard_limit_usd", monthToDate = "month_to_date_usd" }
    }

    struct UsageResponse: ResponseEncodable {
        let from: String
        let to: String
        let total: Total
        let byModel: [Total]
        let byDay: [Total]
        let byActor: [Total]
        let budget: Budget
        let cache: ModelGateway.Statistics

        enum CodingKeys: String, CodingKey { case from, to, total, budget, cache, byModel = "by_model", byDay = "by_day", byActor = "by_actor" }
    }

    static let schemas: [String: JSONValue] = [
        "UsageTotal": [
            "type": "object", "required": ["key", "calls", "input_tokens", "output_tokens", "cost_micros", "cost_usd"],
            "properties": [
                "key": ["type": "string", "description": "provider/model, a day, user:<id> or api_key:<id>, or `total`."], "calls": ["type": "integer"],
                "input_tokens": ["type": "integer"], "output_tokens": ["type": "integer"],
                "cost_micros": ["type": "integer", "description": "Millionths of a US dollar."], "cost_usd": ["type": "number"],
            ],
        ],
        "Usage": [
            "type": "object", "required": ["from", "to", "total", "by_model", "by_day", "by_actor", "budget", "cache"],
            "properties": [
                "from": ["type": "string", "format": "date"], "to": ["type": "string", "format": "date"], "total": .ref("UsageTotal"),
                "by_model": ["type": "array", "items": .ref("UsageTotal")], "by_day": ["type": "array", "items": .ref("UsageTotal")],
                "by_actor": ["type": "array", "items": .ref("UsageTotal"), "description": "Per user or API key, most expensive first."],
                "budget": [
                    "type": "object", "required": ["month_to_date_usd"],
                    "properties": [
                        "soft_limit_usd": ["type": ["number", "null"]], "hard_limit_usd": ["type": ["number", "null"]],
                        "month_to_date_usd": ["type": "number"],
                    ],
                ],
                "cache": [
                    "type": "object", "description": "This node's answer-cache counters since it started.",
                    "properties": [
                        "memory_hits": ["type": "integer"], "shared_hits": ["type": "integer"], "misses": ["type": "integer"],
                        "calls": ["type": "integer"], "failed_calls": ["type": "integer"],
                    ],
                ],
            ],
        ],
    ]

    func register(on api: DocumentedRouter<ArbiterRequestContext>) {
        api.on(
            RouteDocumentation(
                method: .get, path: "/api/v1/usage", operationID: "getUsage",
                summary: "Model tokens and cost by model, by day (UTC) and by user or API key, and the month's spend against the budget.",
                tags: ["ai"], access: .requires(.readUsage),
                queryParameters: [
                    ("from", ["type": "string", "format": "date"], "First day, YYYY-MM-DD (default: the first of this month)."),
                    ("to", ["type": "string", "format": "date"], "Last day, YYYY-MM-DD (default: today)."),
                ],
                responses: [200: .init("Usage for the period.", schema: .ref("Usage")), 400: .problem("A bad date or an empty period.")]),
            use: usage)
    }

    static func day(_ request: Request, _ name: String) throws -> String? {
        guard let value = try QueryParameters.string(request, name, maximumLength: 10) else { return nil }
        let parts = value.split(separator: "-")
        guard value.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else {
            throw Problem.badRequest("Query parameter `\(name)` must be a day such as 2026-11-01.")
        }
        return value
    }

    @Sendable func usage(_ request: Request, context: ArbiterRequestContext) async throws -> UsageResponse {
        let principal = try context.requirePrincipal()
        let today = UsageRecord.day(clock.now())
        let from = try Self.day(request, "from") ?? String(today.prefix(8)) + "01"
        let to = try Self.day(request, "to") ?? today
        guard from <= to else { throw Problem.badRequest("`from` (\(from)) is after `to` (\(to)).") }
        let totals = try await ai.store.totals(organizationID: principal.organizationID, from: from, through: to)
        let byModel = totals.byModel
        let total = UsageTotal(
            key: "total", calls: byModel.reduce(0) { $0 + $1.calls }, inputTokens: byModel.reduce(0) { $0 + $1.inputTokens },
            outputTokens: byModel.reduce(0) { $0 + $1.outputTokens }, costMicros: byModel.reduce(0) { $0 + $1.costMicros })
        let budget = try await ai.configuration(organizationID: principal.organizationID)?.0.budget
        return UsageResponse(
            from: from, to: to, total: Total(total), byModel: byModel.map(Total.init), byDay: totals.byDay.map(Total.init),
            byActor: totals.byActor.map(Total.init),
            budget: Budget(
                softLimit: budget?.softLimit, hardLimit: budget?.hardLimit,
                monthToDate: Double(try await ai.monthToDate(organizationID: principal.organizationID)) / 1_000_000),
            cache: ai.gateway.statistics)
    }
}
