@testable import ArbiterReview
import Testing

@Suite("Unified diffs")
struct UnifiedDiffTests {
    static let gitDiff = """
        commit 1234
        Author: someone

        diff --git a/src/app.py b/src/app.py
        index 83db48f..bf269f4 100644
        --- a/src/app.py
        +++ b/src/app.py
        @@ -1,4 +1,5 @@
         import os
        -import sys
        +import subprocess
        +import shlex
         
         def main():
        @@ -20,2 +21,3 @@ def other():
             a = 1
        +    b = 2
             return a
        diff --git a/old.py b/old.py
        deleted file mode 100644
        --- a/old.py
        +++ /dev/null
        @@ -1,1 +0,0 @@
        -x = 1
        diff --git a/new.go b/new.go
        new file mode 100644
        --- /dev/null
        +++ b/new.go
        @@ -0,0 +1,2 @@
        +package main
        +func main() {}
        \\ No newline at end of file
        """

    @Test("files, hunks and added line numbers in the new file")
    func parse() throws {
        let diff = try UnifiedDiff(parsing: Self.gitDiff)
        #expect(diff.files.map(\.path) == ["src/app.py", "old.py", "new.go"])
        let app = diff.files[0]
        #expect(app.addedLines == [2, 3, 22])
        #expect(app.hunks[0].lines == ["import os", "import subprocess", "import shlex", "", "def main():"])
        #expect(app.hunks[1].newStart == 21)
        #expect(diff.files[1].deleted)
        #expect(diff.files[2].addedLines == [1, 2])
    }

    @Test("plain diff -u output without git headers")
    func plain() throws {
        let diff = try UnifiedDiff(parsing: "--- a.c\t2024-01-01\n+++ b.c\t2024-01-02\n@@ -3 +3 @@\n-int x;\n+long x;\n")
        #expect(diff.files.map(\.path) == ["b.c"])
        #expect(diff.files[0].addedLines == [3])
    }

    @Test("a truncated hunk, a bad header or a stray line is an error naming the line")
    func malformed() {
        #expect(throws: UnifiedDiff.ParseError.self) { try UnifiedDiff(parsing: "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n") }
        #expect(throws: UnifiedDiff.ParseError.self) { try UnifiedDiff(parsing: "--- a/x\n+++ b/x\n@@ -a +b @@\n") }
        #expect(throws: UnifiedDiff.ParseError.self) { try UnifiedDiff(parsing: "@@ -1 +1 @@\n+x\n") }
        #expect(throws: UnifiedDiff.ParseError.self) { try UnifiedDiff(parsing: "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n?b\n") }
        do {
            _ = try UnifiedDiff(parsing: "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test("the analyzer sees each hunk with context and reports only added lines")
    func sources() throws {
        let sources = Reviewer.sources(from: try UnifiedDiff(parsing: Self.gitDiff))
        #expect(sources.map(\.path) == ["src/app.py", "src/app.py", "new.go"])
        #expect(sources[1].firstLine == 21)
        #expect(sources[1].reportedLines == [22])
    }
}
