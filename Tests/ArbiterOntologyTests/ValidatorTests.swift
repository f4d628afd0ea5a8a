import ArbiterCore
import ArbiterOntology
import Testing

@Suite("Ontology validation")
struct ValidatorTests {
    static func valid() -> Snapshot {
        Snapshot([
            ResourceKey(.objectTypes, "employee"): [
                "id": "employee", "display_name": "Employee", "status": "active",
                "properties": [
                    ["id": "employee_id", "display_name": "Id", "data_type": "string", "primary_key": true, "required": true, "unique": true],
                    ["id": "level", "display_name": "Level", "data_type": "string", "enum_values": ["junior", "senior"]],
                ],
            ],
            ResourceKey(.objectTypes, "team"): [
                "id": "team", "display_name": "Team",
                "properties": [["id": "code", "display_name": "Code", "data_type": "string", "primary_key": true, "required": true, "unique": true]],
            ],
            ResourceKey(.linkTypes, "member-of"): [
                "id": "member-of", "display_name": "Member of", "source": "employee", "target": "team", "cardinality": "one_to_many",
            ],
            ResourceKey(.sharedProperties, "owner"): ["id": "owner", "display_name": "Owner", "data_type": "string"],
            ResourceKey(.interfaces, "owned"): ["id": "owned", "display_name": "Owned", "properties": ["owner"]],
        ])
    }

    @Test("a well-formed ontology has no issues")
    func valid() {
        #expect(OntologyValidator.validate(Self.valid()).isEmpty)
    }

    @Test("each mistake is reported precisely, all at once")
    func mistakes() {
        var snapshot = Self.valid()
        snapshot[ResourceKey(.objectTypes, "team")] = [
            "id": "team", "display_name": "Team", "status": "retired",
            "properties": [
                ["id": "code", "display_name": "Code", "data_type": "strng", "primary_key": true, "required": true, "unique": true],
                ["id": "name", "display_name": "Name", "data_type": "string", "primary_key": true, "required": true, "unique": true],
                ["id": "name", "display_name": "Again", "data_type": "integer", "enum_values": ["a"]],
            ],
        ]
        snapshot[ResourceKey(.linkTypes, "member-of")] = [
            "id": "member-of", "display_name": "Member of", "source": "employee", "target": "squad", "cardinality": "1-N",
        ]
        snapshot[ResourceKey(.interfaces, "owned")] = ["id": "owned", "display_name": "Owned", "properties": ["owner", "missing"], "extends": ["owned"]]
        let issues = OntologyValidator.validate(snapshot).map(\.description)
        #expect(
            Set(issues) == [
                "interfaces/owned extends: forms a cycle back to 'owned'",
                "interfaces/owned properties: shared property 'missing' does not exist",
                "link-types/member-of cardinality: '1-N' is not one of many_to_many, one_to_many, one_to_one",
                "link-types/member-of target: object type 'squad' does not exist",
                "object-types/team status: 'retired' is not one of active, deprecated, experimental",
                "object-types/team properties[code].data_type: 'strng' is not one of attachment, boolean, byte, date, decimal, double, float, geopoint, geoshape, integer, long, marking, short, string, timestamp, vector",
                "object-types/team properties[name].id: repeats; each property id appears once",
                "object-types/team properties[name].enum_values: are only allowed on string properties",
                "object-types/team properties: need exactly one primary key; code and name are both marked",
            ], "\(issues)")
        #expect(issues.count == 9, "\(issues)")
        #expect(issues.contains("object-types/team properties: need exactly one primary key; code and name are both marked"))
        #expect(issues.contains("link-types/member-of target: object type 'squad' does not exist"))
        #expect(issues.contains { $0.contains("'strng' is not one of") })
    }

    @Test("a primary key must be required, unique and single-valued; a type needs one; ids must match their path")
    func primaryKeys() {
        let snapshot = Snapshot([
            ResourceKey(.objectTypes, "a"): [
                "id": "a", "display_name": "A", "properties": [["id": "k", "display_name": "K", "data_type": "string", "primary_key": true, "array": true]],
            ],
            ResourceKey(.objectTypes, "b"): ["id": "b", "display_name": "B", "properties": []],
            ResourceKey(.objectTypes, "C"): ["id": "c", "display_name": "", "properties": []],
        ])
        let issues = OntologyValidator.validate(snapshot).map(\.description)
        for expected in [
            "object-types/a properties[k].required: must be true for the primary key", "object-types/a properties[k].unique: must be true for the primary key",
            "object-types/a properties[k].array: must be false for the primary key",
            "object-types/b properties: need exactly one primary key (`primary_key: true`); there is none",
            "object-types/C id: must be \"C\", the id in the path", "object-types/C display_name: must be 1 to 200 characters",
        ] {
            #expect(issues.contains(expected), "\(expected) missing from \(issues)")
        }
    }

    @Test("validating only changed resources still checks them against the whole snapshot")
    func scoped() {
        var snapshot = Self.valid()
        snapshot[ResourceKey(.objectTypes, "team")] = nil
        #expect(OntologyValidator.validate(snapshot, only: [ResourceKey(.objectTypes, "employee")]).isEmpty)
        #expect(OntologyValidator.validate(snapshot, only: [ResourceKey(.linkTypes, "member-of")]).map(\.field) == ["target"])
    }
}

@Suite("Dangling references")
struct DanglingReferenceTests {
    @Test("resources that stay and point at deleted ones are reported with the field; changed or deleted referrers are not")
    func dangling() {
        let referrers: [ResourceKey: JSONValue] = [
            ResourceKey(.linkTypes, "member-of"): ["id": "member-of", "source": "employee", "target": "team"],
            ResourceKey(.linkTypes, "leads"): ["id": "leads", "source": "employee", "target": "employee"],
            ResourceKey(.interfaces, "named"): ["id": "named", "properties": ["owner", "label"], "extends": ["base"]],
            ResourceKey(.interfaces, "base"): ["id": "base", "properties": ["label"]],
        ]
        let deleted: Set<ResourceKey> = [ResourceKey(.objectTypes, "team"), ResourceKey(.sharedProperties, "owner"), ResourceKey(.interfaces, "base")]
        let issues = OntologyValidator.dangling(referrers: referrers, deleted: deleted)
        #expect(issues.map { "\($0.resource) \($0.field)" } == ["interfaces/named properties", "interfaces/named extends", "link-types/member-of target"])
        #expect(OntologyValidator.referrerKinds(of: .objectTypes) == [.linkTypes])
        #expect(OntologyValidator.referrerKinds(of: .linkTypes).isEmpty)
    }
}
