import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostSignIn

/// `llm-cost login NAME`: sign in through the browser instead of pasting an API key.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to a provider through the browser (OAuth with PKCE; OpenRouter built in).",
        discussion: """
            Opens the provider's sign-in page and waits for the browser to come back to a listener on \
            127.0.0.1. What the provider gives (an API key, or a token refreshed before it expires) is \
            stored with mode 0600 under $XDG_CONFIG_HOME/llm-cost/credentials/, or in the desktop keyring \
            when secret-tool is installed (LLM_COST_CREDENTIAL_STORE=file|keyring chooses). A signed-in \
            provider uses it instead of its key variable until `llm-cost logout NAME`.
            """)

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The provider to sign in to (`openrouter`, or one with a [providers.NAME.oauth] table).")
    var name: String

    @Flag(help: "Print the sign-in URL instead of opening a browser (a machine without one, or over SSH).")
    var noBrowser = false

    @Option(help: "Seconds to wait for the browser to come back.")
    var timeout: Int = 300

    func run() async throws {
        let registry = try CLIProviderRegistry.load(try ledger.loadConfiguration())
        let settings = try SignInCommands.settings(named: name, in: registry)
        guard let signIn = settings.signIn else { throw SignInError.noSignIn(name, type: settings.type) }
        guard let store = registry.environment.credentials else { throw CommandFailure.runtime("no credential store") }
        guard (1...86_400).contains(timeout) else {
            throw CommandFailure.usage("--timeout: expected 1...86400 seconds, found \(timeout)")
        }
        let flow = LoginFlow(
            provider: name, settings: signIn, store: store, transport: registry.environment.transport, timeout: .seconds(timeout))
        let noBrowser = noBrowser, name = name
        let credential = try await flow.run { url in
            if noBrowser || !SystemBrowser.open(url) {
                FileOutput.standardError.line("Open this URL in a browser to sign in to \(name):\n\(url.absoluteString)")
            } else {
                FileOutput.standardError.line("Opened the browser to sign in to \(name). If it did not open, visit:\n\(url.absoluteString)")
            }
        }
        FileOutput.standardOutput.line(SignInCommands.signedInLine(name, credential, location: store.location))
    }
}

/// `llm-cost logout NAME`: forget what `login` stored.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Remove a provider's stored sign-in (it goes back to its API key variable).")

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The provider to sign out of.")
    var name: String

    func run() async throws {
        let registry = try CLIProviderRegistry.load(try ledger.loadConfiguration())
        _ = try SignInCommands.settings(named: name, in: registry)
        guard let store = registry.environment.credentials else { throw CommandFailure.runtime("no credential store") }
        let removed = try await store.withExclusiveAccess(provider: name) { try store.delete(provider: name) }
        FileOutput.standardOutput.line(removed ? "Signed out of \(name)." : "\(name) was not signed in.")
    }
}

/// What `login` and `logout` share.
enum SignInCommands {
    static func settings(named name: String, in registry: ProviderRegistry) throws -> ProviderSettings {
        guard let settings = try? registry.settings(named: name) else {
            throw CommandFailure.usage("no provider named `\(name)` (configured: \(registry.allSettings.map(\.name).joined(separator: ", ")))")
        }
        return settings
    }

    static func signedInLine(_ name: String, _ credential: StoredCredential, location: String) -> String {
        switch credential.kind {
        case .apiKey:
            return "Signed in to \(name): an API key is stored in \(location)."
        case .oauth:
            let until = credential.expiresAt.map { " (the token is valid until \(ISO8601DateFormatter().string(from: $0)) and is refreshed automatically)" } ?? ""
            return "Signed in to \(name)\(until); stored in \(location)."
        }
    }
}
