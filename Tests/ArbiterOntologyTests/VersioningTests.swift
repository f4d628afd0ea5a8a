import ArbiterCore
import ArbiterOntology
import Testing

@Suite("Diffs and commits")
struct VersioningTests {
    @Test("a diff lists added, removed and modified resources, and each changed field with both values")
    func diff() {
        var new = Fixture.editing(Fixture.base, Fixture.key("employee")) {
            $0["properties"] = .array([Fixture.property("name"), Fixture.property("salary", "decimal"), Fixture.property("email")])
        }
        new[Fixture.key("team")] = nil
        new[Fixture.key("office")] = Fixture.objectType("office")
        let diff = SnapshotDiff(from: Fixture.base, to: new)
        #expect(diff.changes.map { "\($0.key) \($0.change)" } == ["object-types/employee modified", "object-types/office added", "object-types/team removed"])
        let fields = diff.changes[0].fields
        #expect(fields.map(\.path).contains("properties[salary].data_type"))
        #expect(fields.first { $0.path == "properties[salary].data_type" }.map { $0.before == "double" && $0.after == "decimal" } == true)
        #expect(fields.contains { $0.path == "properties[email].data_type" && $0.before == nil && $0.after == "string" })
        #expect(SnapshotDiff(from: Fixture.base, to: Fixture.base).changes.isEmpty)
    }

    @Test("tree hashes depend on content only; commit ids on every field, and detect tampering")
    func hashing() {
        let reordered = Snapshot(Dictionary(uniqueKeysWithValues: Fixture.base.resources.reversed()))
        #expect(reordered.treeHash == Fixture.base.treeHash)
        let changed = Fixture.editing(Fixture.base, Fixture.key("team")) { $0["status"] = "deprecated" }
        #expect(changed.treeHash != Fixture.base.treeHash)

        let commit = Commit(tree: Fixture.base.treeHash, parents: [], author: "user:1", message: "first", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"])
        #expect(commit.isIntact)
        #expect(commit.id.count == 64)
        let variants = [
            Commit(tree: changed.treeHash, parents: [], author: "user:1", message: "first", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"]),
            Commit(tree: Fixture.base.treeHash, parents: [commit.id], author: "user:1", message: "first", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"]),
            Commit(tree: Fixture.base.treeHash, parents: [], author: "user:2", message: "first", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"]),
            Commit(tree: Fixture.base.treeHash, parents: [], author: "user:1", message: "first!", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"]),
            Commit(tree: Fixture.base.treeHash, parents: [], author: "user:1", message: "first", createdAt: 1_700_000_000_001, issueReferences: ["ABC-1"]),
            Commit(tree: Fixture.base.treeHash, parents: [], author: "user:1", message: "first", createdAt: 1_700_000_000_000, issueReferences: []),
            // Field boundaries matter: moving text between fields changes the id.
            Commit(tree: Fixture.base.treeHash, parents: [], author: "user:1first", message: "", createdAt: 1_700_000_000_000, issueReferences: ["ABC-1"]),
        ]
        #expect(Set(variants.map(\.id) + [commit.id]).count == variants.count + 1)
    }
}

@Suite("Issue references")
struct IssueReferenceTests {
    @Test("every tracker format is found, in order, without repeats")
    func formats() {
        let text = "Fixes ABC-123 and #45, see GH-46, GL-7, !8, https://linear.app/acme/issue/ENG-9/title and ABC-123 again"
        #expect(IssueReference.all(in: text).map(\.key) == ["ABC-123", "#45", "#46", "!7", "!8", "ENG-9"])
        #expect(IssueReference.all(in: text).map(\.tracker) == [.jira, .github, .github, .gitlab, .gitlab, .linear])
    }

    @Test("look-alikes are not references")
    func lookAlikes() {
        for text in ["abc-123", "A-1", "UTF-8", "x#12", "color: #fff", "version 1.2-3", "&#39;", "TOOLONGPROJECT-1", "hello world", "sha256-abc"] {
            #expect(IssueReference.all(in: text).isEmpty, "\(text)")
        }
    }

    @Test("a header is comma-separated references; the items that are not are named")
    func header() {
        let parsed = IssueReference.header("ABC-1, #2 ,GL-3, nonsense, ")
        #expect(parsed.references.map(\.key) == ["ABC-1", "#2", "!3"])
        #expect(parsed.invalid == ["nonsense"])
    }
}
