import ArbiterCore
import ArgumentParser

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
        subcommands: [ServeCommand.self, MigrateCommand.self, AdminCommand.self, BenchCommand.self]
    )
}
