import ArbiterCore
import ArbiterOntology
import Testing

@Suite("Search indexer")
struct SearchIndexerTests {
    @Test("texts are indexed whole and word by word, in lower case")
    func terms() {
        #expect(SearchIndexer.terms("Employee Record") == ["employee record", "employee", "record"])
        #expect(SearchIndexer.terms("member-of") == ["member-of", "member", "of"])
        #expect(SearchIndexer.terms("  Übersicht  ") == ["übersicht"])
        #expect(SearchIndexer.terms("").isEmpty)
        let long = String(repeating: "word ", count: 100)
        #expect(SearchIndexer.terms(long) == ["word"])
    }

    @Test("names, properties and link ends become entries of their field")
    func entries() {
        let type: JSONValue = [
            "id": "employee", "display_name": "Employee", "plural_display_name": "Employees",
            "properties": [["id": "salary", "display_name": "Annual salary"]],
        ]
        let entries = SearchIndexer.entries(ResourceKey(.objectTypes, "employee"), type)
        #expect(Set(entries.filter { $0.field == .name }.map(\.term)) == ["employee", "employees"])
        #expect(Set(entries.filter { $0.field == .property }.map(\.term)) == ["salary", "annual salary", "annual"])
        #expect(entries.allSatisfy { $0.resource == ResourceKey(.objectTypes, "employee") })
        let link: JSONValue = ["id": "member-of", "display_name": "Member of", "source": "employee", "target": "team"]
        let links = SearchIndexer.entries(ResourceKey(.linkTypes, "member-of"), link).filter { $0.field == .link }
        #expect(Set(links.map(\.term)) == ["employee", "team"])
        let interface: JSONValue = ["id": "named", "display_name": "Named", "properties": ["owner"]]
        #expect(SearchIndexer.entries(ResourceKey(.interfaces, "named"), interface).contains { $0.field == .property && $0.term == "owner" })
        // A prefix's range contains exactly the terms that start with it.
        let upper = SearchIndexer.upperBound(forPrefix: "emp")
        #expect("employee" >= "emp" && "employee" < upper)
        #expect(!("en" < upper && "en" >= "emp"))
    }
}
