import ArbiterCore
import ArgumentParser
import Foundation

/// The `arbiter` command: parses flags and hands over to the layers below.
@main
struct Arbiter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arbiter",
        abstract: "Self-hosted AI code review and architecture analysis.",
        discussion: """
            Start the server with `arbiter serve`; it needs no configuration and keeps its data in ./.arbiter. \
            Every setting can be given as a flag or as the environment variable named in each command's --help.
            """,
        version: ArbiterVersion.current,
        subcommands: [ServeCommand.self, ReviewCommand.self, MigrateCommand.self, AdminCommand.self, BenchCommand.self]
    )

    /// Like the default, except that a usage error exits with status 2 (as `arbiter review` documents) rather
    /// than ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
