import Foundation

/// A review for people reading a terminal: `file:line:col`, severity, message, the line with a caret under the
/// finding, and the fix. Colour only when asked (a terminal that is not `NO_COLOR`).
public enum TextReport {
    public static func render(_ report: ReviewReport, colour: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func severityColour(_ severity: Severity) -> String {
            switch severity {
            case .critical: "1;35"
            case .high: "1;31"
            case .medium: "33"
            case .low: "36"
            case .info: "2"
            }
        }
        var output = ""
        for finding in report.findings {
            output += paint("\(finding.path):\(finding.line):\(finding.column)", "1") + ": "
            output += paint(finding.severity.rawValue, severityColour(finding.severity))
            output += " [\(finding.ruleID)\(finding.cwe.map { ", \($0)" } ?? "")] \(finding.message)\n"
            let line = finding.snippet.replacingOccurrences(of: "\t", with: " ")
            output += "    \(line)\n"
            // The caret goes under the column counted in UTF-16 units; count that many characters of the line.
            var units = 0
            var padding = 0
            for character in line {
                if units >= finding.column - 1 { break }
                units += character.utf16.count
                padding += 1
            }
            let width = max(1, min(finding.endColumn - finding.column, line.count - padding))
            output += "    " + String(repeating: " ", count: padding) + paint("^" + String(repeating: "~", count: width - 1), severityColour(finding.severity)) + "\n"
            if let fix = finding.fix { output += "    " + paint("fix:", "2") + " \(fix)\n" }
            output += "\n"
        }
        let counts = Severity.allCases.reversed().compactMap { severity -> String? in
            let count = report.summary.bySeverity[severity.rawValue] ?? 0
            return count > 0 ? "\(count) \(severity.rawValue)" : nil
        }
        let summary = report.findings.isEmpty ? "no findings" : "\(report.summary.total) finding\(report.summary.total == 1 ? "" : "s") (\(counts.joined(separator: ", ")))"
        output += "\(summary) in \(report.filesReviewed) file\(report.filesReviewed == 1 ? "" : "s")"
        if !report.skipped.isEmpty { output += "; skipped \(report.skipped.count) (\(report.skipped.map { "\($0.path): \($0.reason.rawValue)" }.prefix(5).joined(separator: ", ")))" }
        output += "\n"
        return output
    }
}
