import ArgumentParser
import Foundation

extension AsyncParsableCommand {
    /// Parses the command line as this root command, runs the command it names and exits: 0 ok,
    /// 1 runtime error, 2 usage error (with the failing command's usage; ArgumentParser alone
    /// would exit 64 for a parse error), 3 budget refused. See `CommandFailure`.
    public static func runAsRoot() async -> Never {
        unblockStopSignals()
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitParsing(error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch where exitCode(for: error) == .success {
            exitParsing(error)  // `llm-cost help X` runs a command that "fails" with the help
        } catch {
            exit(CommandFailure(error), commandType: type(of: command))
        }
        exit(withError: nil)
    }

    /// Help and --version are "errors" that exit 0; every other parse error is usage (2, where
    /// ArgumentParser would exit 64), with the usage of the command being parsed.
    private static func exitParsing(_ error: any Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        let text = fullMessage(for: error)
        FileOutput.standardError.write((text.hasPrefix("Error: ") ? "error: " + text.dropFirst(7) : text[...]) + "\n")
        exit(withError: ExitCode(2))
    }

    /// Prints `failure` (a usage error with the usage of the command that failed) and exits
    /// with its status.
    private static func exit(_ failure: CommandFailure, commandType: any ParsableCommand.Type) -> Never {
        if let message = failure.message {
            var text = "error: \(message)\n"
            if failure.isUsage {
                let path = (commandPath(to: commandType) ?? [commandName]).joined(separator: " ")
                text += "Usage: \(usageString(for: commandType))\n  See '\(path) --help' for more information.\n"
            }
            FileOutput.standardError.write(text)
        }
        exit(withError: ExitCode(failure.exitStatus))
    }

    /// The words that name `target` on the command line (`llm-cost pricing list`).
    private static func commandPath(to target: any ParsableCommand.Type, from root: any ParsableCommand.Type = Self.self) -> [String]? {
        let name = root.configuration.commandName ?? root._commandName
        if root == target { return [name] }
        for subcommand in root.configuration.subcommands {
            if let rest = commandPath(to: target, from: subcommand) { return [name] + rest }
        }
        return nil
    }

    private static var commandName: String { configuration.commandName ?? _commandName }

    /// A signal mask is inherited across exec, and Foundation's `Process` can spawn from a
    /// thread that blocks every signal; a child started that way would ignore SIGTERM and
    /// outlive its parent (a `--watch` import or a proxy never stopping). Start clean.
    private static func unblockStopSignals() {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            sigaddset(&stopSignals, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
