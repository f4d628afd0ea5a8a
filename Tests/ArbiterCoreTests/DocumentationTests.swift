import ArbiterCore
import Foundation
import Testing

@Suite("Documentation")
struct DocumentationTests {
    @Test("the README's configuration table names every key, flag, environment variable and default")
    func readmeListsEverySetting() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for key in ConfigurationKey.all {
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(key.name)` |") }
            let line = try #require(row.map(String.init), "README has no row for \(key.name)")
            if let flag = key.flag {
                #expect(line.contains("`--\(flag)`"), "\(key.name): flag missing")
            } else {
                #expect(line.contains("| — |"), "\(key.name): a secret has no flag, and the table should say so")
            }
            #expect(line.contains("`\(key.environment)`"), "\(key.name): environment variable missing")
            if let defaultValue = key.defaultValue {
                #expect(line.contains("`\(defaultValue)`"), "\(key.name): default missing")
            }
        }
    }
}
