@testable import ArbiterReview
import Foundation
import Testing

@Suite("Choosing files")
struct FileSelectionTests {
    @Test("globs: * within a name, ** across folders, anchored and unanchored patterns")
    func globs() throws {
        #expect(try Glob("*.py").matches("a/b/c.py"))
        #expect(try !Glob("*.py").matches("a/b/c.pyc"))
        #expect(try Glob("/build").matches("build/x.o"))
        #expect(try !Glob("/build").matches("src/build"))
        #expect(try Glob("src/**/test_*.py").matches("src/a/b/test_x.py"))
        #expect(try Glob("src/**/test_*.py").matches("src/test_x.py"))
        #expect(try Glob("**/vendor/**").matches("x/vendor/lib.go"))
        #expect(try Glob("file[0-9].c").matches("file7.c"))
        #expect(throws: InvalidGlob.self) { try Glob("file[0-9.c") }
    }

    @Test("walks folders honouring nested .gitignore files, negation, include/exclude, binary and huge files")
    func collect() throws {
        try withTemporaryFolder { root in
            try write("*.log\nbuild/\nsecret_*.py\n!secret_ok.py\n", to: root.appendingPathComponent(".gitignore"))
            try write("x = 1\n", to: root.appendingPathComponent("app.py"))
            try write("x = 1\n", to: root.appendingPathComponent("secret_keys.py"))
            try write("x = 1\n", to: root.appendingPathComponent("secret_ok.py"))
            try write("x = 1\n", to: root.appendingPathComponent("build/gen.py"))
            try write("ignored.js\n", to: root.appendingPathComponent("web/.gitignore"))
            try write("let a\n", to: root.appendingPathComponent("web/ignored.js"))
            try write("let a\n", to: root.appendingPathComponent("web/kept.js"))
            try write("package x\n", to: root.appendingPathComponent("vendor/lib.go"))
            try write("notes\n", to: root.appendingPathComponent("README.md"))
            try Data([0x69, 0x00, 0x6D]).write(to: root.appendingPathComponent("blob.c"))
            try write(String(repeating: "x = 1\n", count: 100), to: root.appendingPathComponent("big.py"))

            var configuration = ReviewConfiguration()
            configuration.exclude = ["vendor/"]
            configuration.maximumFileSize = 300
            let collector = try FileCollector(configuration: configuration)
            let candidates = try collector.collect([root.path])
            let names = candidates.map { String($0.path.dropFirst(root.path.count + 1)) }
            #expect(names == ["app.py", "big.py", "blob.c", "secret_ok.py", "web/kept.js"])
            let skipped = candidates.compactMap { candidate -> String? in
                if case .failure(let skip) = collector.read(candidate) { return "\(skip.reason.rawValue)" }
                return nil
            }
            #expect(skipped == ["too-large", "binary"])

            configuration.include = ["web/**"]
            let onlyWeb = try FileCollector(configuration: configuration).collect([root.path])
            #expect(onlyWeb.map(\.language) == [.javascript])
            // A file named explicitly is reviewed even though .gitignore ignores it.
            #expect(try collector.collect([root.appendingPathComponent("secret_keys.py").path]).count == 1)
            #expect(throws: FileCollector.Missing.self) { try collector.collect([root.appendingPathComponent("nope").path]) }
        }
    }

    @Test(".arbiter.yml: settings are read; unknown keys and bad values are errors that say what to write")
    func configuration() throws {
        let folder = URL(fileURLWithPath: "/repo")
        let parsed = try ReviewConfiguration.parse(
            "include: [src/**]\nexclude: ['**/*_test.go']\nmin-severity: medium\ndisabled-rules: [PY-1]\nrules: [extra.yml]\nmax-file-size: 1000\n",
            origin: ".arbiter.yml", folder: folder)
        #expect(parsed.include == ["src/**"] && parsed.exclude == ["**/*_test.go"])
        #expect(parsed.minimumSeverity == .medium && parsed.disabledRules == ["PY-1"] && parsed.maximumFileSize == 1000)
        #expect(parsed.ruleFiles == [URL(fileURLWithPath: "/repo/extra.yml")])
        func failure(_ text: String) -> String? {
            do {
                _ = try ReviewConfiguration.parse(text, origin: ".arbiter.yml", folder: folder)
                return nil
            } catch { return "\(error)" }
        }
        #expect(failure("exclud: [a]")?.contains("unknown setting exclud") == true)
        #expect(failure("min-severity: severe")?.contains("critical") == true)
        #expect(failure("include: ['[a']")?.contains("not a valid glob") == true)
        #expect(failure("max-file-size: -1")?.contains("positive") == true)
        #expect(try ReviewConfiguration.parse("", origin: "x", folder: folder) == ReviewConfiguration())
    }
}
