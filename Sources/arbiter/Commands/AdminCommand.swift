import ArbiterCore
import ArbiterServer
import ArbiterStore
import ArgumentParser
import Foundation
import Logging

/// `arbiter admin`: operator tasks that do not go through the API.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Create users, verify the audit log, rotate the master key, prune the audit log.",
        discussion: "Each subcommand opens the database named by the same settings as `arbiter serve`.",
        subcommands: [CreateUser.self, VerifyAudit.self, RotateKeys.self, PruneAudit.self]
    )

    /// The organization the first admin gets when none is named.
    static let defaultOrganization = "default"

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-user",
            abstract: "Create a user, reading the password from standard input.",
            discussion: """
                Applies pending migrations first, so it works on a new data folder before the first `arbiter serve`.

                Example:
                  printf '%s' "$ADMIN_PASSWORD" | arbiter admin create-user --email admin@example.com --role admin --password-stdin
                """)

        @Option(help: "The user's e-mail address, used to sign in.") var email: String
        @Option(help: "viewer, developer, reviewer, maintainer or admin.") var role: String
        @Option(name: .customLong("org"), help: "Organization to add the user to; created if missing.")
        var organization = AdminCommand.defaultOrganization
        @Flag(help: "Read the password from standard input (required: passwords never go on the command line).")
        var passwordStdin = false
        @OptionGroup var options: DatabaseCommandOptions

        func validate() throws {
            guard passwordStdin else { throw ValidationError("--password-stdin is required: pipe the password in.") }
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard SecuritySettings.isEmailAddress(email) else { throw ValidationError("--email must be an e-mail address.") }
            guard (1...100).contains(organization.count) else { throw ValidationError("--org must be 1 to 100 characters.") }
        }

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let password = readPassword()
            let email = self.email.lowercased()
            if let problem = PasswordPolicy.problem(with: password, email: email) {
                printError("arbiter: the password \(problem).")
                throw ExitCode(2)
            }
            let cipher = try masterCipher(configuration)
            let member = try await withDatabase(configuration, logger: logger) { database in
                for state in try await Migrator(database: database).migrate() {
                    print("applied migration \(state.version) \(state.name)")
                }
                let audit = try await auditLog(database, cipher: cipher)
                let identities = IdentityStore(database: database, audit: audit, ids: UUIDv7Generator(), clock: SystemWallClock())
                let hash = try PasswordHasher().hash(password)
                do {
                    return try await identities.createUser(
                        email: email, passwordHash: hash, organizationName: organization, role: Role(rawValue: role)!,
                        by: Actor(reference: "system", origin: AuditOrigin(requestID: nil, clientIP: nil, userAgent: "arbiter admin create-user")))
                } catch let error as StoreError where error.code == .duplicate {
                    printError("arbiter: an account for \(email) already exists.")
                    throw ExitCode.failure
                }
            }
            print("created \(member.role.rawValue) \(member.email) (id \(member.userID)) in organization \(member.organizationName)")
        }

        private func readPassword() -> String {
            var line = readLine(strippingNewline: true) ?? ""
            if line.hasSuffix("\r") { line.removeLast() }
            return line
        }
    }

    struct VerifyAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-audit",
            abstract: "Check every audit chain link by link.",
            discussion: "Exits 0 when the log is intact and 1 naming each changed, inserted or missing entry.")

        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            let (configuration, logger) = try options.prepare()
            let cipher = try masterCipher(configuration)
            let (breaks, counts) = try await withDatabase(configuration, logger: logger) { database in
                let audit = try await auditLog(database, cipher: cipher)
                let breaks = try await audit.verify()
                let counts = try await database.read { executor in
                    try await executor.query("SELECT chain, COUNT(*) AS total FROM audit_log GROUP BY chain").map {
                        (try $0.decode("chain", as: String.self), try $0.decode("total", as: Int.self))
                    }
                }
                return (breaks, Dictionary(counts, uniquingKeysWith: { first, _ in first }))
            }
            for chain in AuditClass.allCases {
                let problems = breaks.filter { $0.chain == chain }
                print("\(chain.rawValue): \(counts[chain.rawValue] ?? 0) entries, \(problems.isEmpty ? "intact" : "\(problems.count) problem(s)")")
                for problem in problems { print("  - entry \(problem.sequence): \(problem.problem)") }
            }
            if !breaks.isEmpty {
                printError("arbiter: the audit log has been tampered with or damaged (\(breaks.count) problem(s)).")
                throw ExitCode.failure
            }
        }
    }

    struct RotateKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-keys",
            abstract: "Re-encrypt every stored secret under the configured master key.",
            discussion: """
                Configure the new key as usual (ARBITER_MASTER_KEY or --master-key-file) and name the old one with \
                --old-master-key-file or ARBITER_OLD_MASTER_KEY. All secrets change in one transaction: on any error \
                none does. Restart the servers with the new key afterwards.
                """)

        @Option(name: .customLong("master-key-file"), help: "File with the new master key (or set ARBITER_MASTER_KEY).")
        var masterKeyFile: String?
        @Option(name: .customLong("old-master-key-file"), help: "File with the master key the secrets are sealed under now.")
        var oldMasterKeyFile: String?
        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            var flags = options.flags
            if let masterKeyFile { flags[.masterKeyFile] = masterKeyFile }
            let (configuration, logger) = try options.prepare(flags: flags)
            let environment = ProcessInfo.processInfo.environment
            guard let oldText = try oldMasterKeyFile.map({ try String(contentsOfFile: $0, encoding: .utf8) }) ?? environment["ARBITER_OLD_MASTER_KEY"]
            else {
                printError("arbiter: name the current key with --old-master-key-file or ARBITER_OLD_MASTER_KEY.")
                throw ExitCode(2)
            }
            let secrets = try SecretsLoader.load(configuration.security, dataDirectory: configuration.dataDirectory)
            let new = SecretCipher(masterKey: secrets.masterKey)
            let old = SecretCipher(masterKey: ConfiguredSecret(oldText))
            if old.keyID == new.keyID {
                printError("arbiter: the old and the new master key are the same (\(new.keyID)); configure the new key first.")
                throw ExitCode(2)
            }
            let changed = try await withDatabase(configuration, logger: logger) { database in
                // The audit key is sealed under the old master key until this transaction commits (under the new one
                // when an earlier run finished the job).
                let audit: AuditLog
                do {
                    audit = try await auditLog(database, cipher: old)
                } catch let error as StoreError where error.code == .rejected {
                    audit = try await auditLog(database, cipher: new)
                }
                let store = SecretStore(database: database, audit: audit, clock: SystemWallClock())
                return try await store.reseal(by: .system) { organizationID, name, ciphertext in
                    switch SecretCipher.keyID(of: ciphertext) {
                    case new.keyID:
                        return nil
                    case old.keyID:
                        let value = try old.open(ciphertext, organizationID: organizationID, name: name)
                        return (try new.seal(value, organizationID: organizationID, name: name), new.keyID)
                    default:
                        throw SecretCipher.Failure(
                            description: "secret \(name) of organization \(organizationID) is sealed under neither key; nothing was changed")
                    }
                }
            }
            print("re-encrypted \(changed.secrets) secret(s) and \(changed.systemKeys) system key(s) under master key \(new.keyID)")
        }
    }

    struct PruneAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune-audit",
            abstract: "Delete audit entries older than their class's retention now (the server also does it hourly).",
            discussion: "Each chain stays verifiable: its anchor records the last deleted entry's hash.")

        @Option(name: ConfigurationKey.auditRetention.optionName, help: ArgumentHelp(ConfigurationKey.auditRetention.help))
        var auditRetention: String?
        @OptionGroup var options: DatabaseCommandOptions

        func run() async throws {
            var flags = options.flags
            if let auditRetention { flags[.auditRetention] = auditRetention }
            let (configuration, logger) = try options.prepare(flags: flags)
            let cipher = try masterCipher(configuration)
            let pruned = try await withDatabase(configuration, logger: logger) { database in
                try await auditLog(database, cipher: cipher).prune(retentionDays: configuration.security.auditRetentionDays)
            }
            for chain in AuditClass.allCases {
                print("\(chain.rawValue): \(pruned[chain] ?? 0) entries deleted")
            }
        }
    }
}

/// The cipher of the configured master key (generated into the data folder in development), or exit 1 saying why.
func masterCipher(_ configuration: ArbiterConfiguration) throws -> SecretCipher {
    do {
        return SecretCipher(masterKey: try SecretsLoader.load(configuration.security, dataDirectory: configuration.dataDirectory).masterKey)
    } catch let error as SecretsError {
        printError("arbiter: \(error.problems.joined(separator: "; "))")
        throw ExitCode.failure
    }
}

/// The audit log, keyed with the installation's audit key (opened with `cipher`).
func auditLog(_ database: any SQLDatabase, cipher: SecretCipher) async throws -> AuditLog {
    let clock = SystemWallClock()
    return AuditLog(
        database: database, ids: UUIDv7Generator(clock: clock), clock: clock,
        chain: try await SystemKeys.auditChain(database: database, cipher: cipher, clock: clock))
}
