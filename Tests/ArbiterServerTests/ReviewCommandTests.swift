import ArbiterTestSupport
import Foundation
import Testing

/// `arbiter review` as a user runs it: the built binary, real files, a real git repository.
@Suite("arbiter review", .timeLimit(.minutes(3)))
struct ReviewCommandTests {
    static let vulnerable = "import os\n\ndef run(cmd):\n    os.system(cmd)\n"
    static let safe = "import subprocess\n\ndef run(args):\n    subprocess.run(args, check=True)\n"

    static func findings(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try #require(object?["findings"] as? [[String: Any]])
    }

    @Test("exit status 0 when clean, 1 at or above --fail-on, 2 for a usage or input error")
    func exitCodes() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.vulnerable.write(toFile: folder + "/bad.py", atomically: true, encoding: .utf8)
        try Self.safe.write(toFile: folder + "/good.py", atomically: true, encoding: .utf8)
        let bad = try await ArbiterProcess.run(["review", folder + "/bad.py"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("bad.py:4:5"))
        #expect(try await ArbiterProcess.run(["review", folder + "/good.py"]).status == 0)
        #expect(try await ArbiterProcess.run(["review", "--fail-on", "none", folder + "/bad.py"]).status == 0)
        let missing = try await ArbiterProcess.run(["review", folder + "/nope.py"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        #expect(try await ArbiterProcess.run(["review", "--format", "xml", folder]).status == 2)
        try "exclud: [x]\n".write(toFile: folder + "/bad.yml", atomically: true, encoding: .utf8)
        let config = try await ArbiterProcess.run(["review", "--config", folder + "/bad.yml", folder])
        #expect(config.status == 2 && config.stderr.contains("unknown setting exclud"))
    }

    @Test("--diff - reads a diff from standard input and reports only its added lines")
    func diffFromStandardInput() async throws {
        let diff = """
            --- a/app.py
            +++ b/app.py
            @@ -1,3 +1,4 @@
             import os
            +os.system(user_command)
             os.system(legacy_command)
             print("done")

            """
        let result = try await ArbiterProcess.run(["review", "--diff", "-", "--format", "json"], input: diff)
        #expect(result.status == 1)
        let lines = try Self.findings(result.stdout).filter { $0["rule_id"] as? String == "PY-CMDI-001" }.map { $0["line"] as? Int }
        #expect(lines == [2])
        let broken = try await ArbiterProcess.run(["review", "--diff", "-"], input: "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n")
        #expect(broken.status == 2 && broken.stderr.contains("diff line 3"))
    }

    @Test("--git-range and --changed review only what changed, with line numbers of the new files")
    func git() async throws {
        let repository = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: repository) }
        let git = "git -C '\(repository)' -c user.name=t -c user.email=t@example.com"
        try shell("\(git) init -q")
        try (Self.vulnerable).write(toFile: repository + "/old.py", atomically: true, encoding: .utf8)
        try shell("\(git) add . && \(git) commit -q -m first")
        // A second commit adds a function with a vulnerable call to old.py (line 7) and a new file.
        try (Self.vulnerable + "\ndef again(cmd):\n    os.system(cmd)\n").write(toFile: repository + "/old.py", atomically: true, encoding: .utf8)
        try (Self.vulnerable).write(toFile: repository + "/new.py", atomically: true, encoding: .utf8)
        try shell("\(git) add . && \(git) commit -q -m second")

        let range = try await ArbiterProcess.run(["review", "--git-range", "HEAD~1..HEAD", "--format", "json"], workingDirectory: repository)
        #expect(range.status == 1, "\(range.stderr)")
        let found = try Self.findings(range.stdout).map { "\($0["path"] as? String ?? ""):\($0["line"] as? Int ?? 0)" }.sorted()
        #expect(found == ["new.py:4", "old.py:7"])

        // Working-tree changes: an edited tracked file and an untracked one; committed lines stay out.
        try (Self.safe).write(toFile: repository + "/new.py", atomically: true, encoding: .utf8)
        try (Self.vulnerable).write(toFile: repository + "/untracked.py", atomically: true, encoding: .utf8)
        let changed = try await ArbiterProcess.run(["review", "--changed", "--format", "json"], workingDirectory: repository)
        let paths = try Self.findings(changed.stdout).map { $0["path"] as? String ?? "" }
        #expect(paths == ["untracked.py"])

        let outside = try await ArbiterProcess.run(["review", "--git-range", "HEAD~1..HEAD"], workingDirectory: try temporaryFolder())
        #expect(outside.status == 2 && outside.stderr.contains("git"))
    }
}
