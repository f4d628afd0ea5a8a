import ArbiterReview
import ArgumentParser
import Foundation

extension BenchCommand {
    /// Times the analyzer over a folder of code, as `arbiter review` would read it.
    struct ReviewBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Time the built-in analyzer over a folder of code: MB/s, files/s and peak memory.",
            discussion: "scripts/bench-review builds a corpus of at least 50 MB and runs this with one core and with all cores.")

        @Argument(help: "The folder of code to review.") var corpus: String
        @Option(help: "Files reviewed in parallel.") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
        @Option(help: "How many timed passes (the first pass also warms the file cache).") var rounds = 3

        func run() async throws {
            let configuration = ReviewConfiguration()
            let reviewer = try Reviewer(configuration: configuration)
            var unlimited = configuration
            unlimited.maximumFileSize = 50_000_000
            let collector = try FileCollector(configuration: unlimited)
            let candidates = try collector.collect([corpus])
            var best: (seconds: Double, report: ReviewReport)?
            for round in 0...max(1, rounds) {
                let started = ContinuousClock.now
                let report = await reviewer.review(candidates, collector: collector, jobs: max(1, jobs))
                let elapsed = ContinuousClock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                // Round 0 only warms the page cache.
                if round > 0, best == nil || seconds < best!.seconds { best = (seconds, report) }
            }
            guard let best else { return }
            let megabytes = Double(best.report.bytesReviewed) / 1_000_000
            print(
                String(
                    format: "jobs %d: %d files, %.1f MB in %.3f s = %.1f MB/s, %.0f files/s, %d findings, peak RSS %.1f MB",
                    jobs, best.report.filesReviewed, megabytes, best.seconds, megabytes / best.seconds,
                    Double(best.report.filesReviewed) / best.seconds, best.report.findings.count, Self.peakResidentMegabytes()))
        }

        /// VmHWM from /proc: the most resident memory this process has had.
        static func peakResidentMegabytes() -> Double {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return 0 }
            return kilobytes / 1024
        }
    }
}
