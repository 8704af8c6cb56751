import Foundation

/// A coding agent whose local logs record the usage of every request it makes.
public enum AgentLogSource: String, Sendable, Hashable, CaseIterable, Comparable {
    case claudeCode = "claude-code"
    case codex
    case gemini

    /// The agent name its calls are recorded under.
    public var agentName: String {
        switch self {
        case .claudeCode: "claude-code"
        case .codex: "codex"
        case .gemini: "gemini-cli"
        }
    }

    /// The provider its requests are billed by (and priced as).
    public var provider: String {
        switch self {
        case .claudeCode: "anthropic"
        case .codex: "openai"
        case .gemini: "google"
        }
    }

    public static func < (lhs: AgentLogSource, rhs: AgentLogSource) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Where the agent writes its logs when no path is given, in the order searched:
    ///
    /// - Claude Code: each directory of `$CLAUDE_CONFIG_DIR` (comma-separated; when set it
    ///   replaces the defaults), else `$XDG_CONFIG_HOME/claude` (`~/.config/claude`) and
    ///   `~/.claude`; the transcripts are under `projects/` of each.
    /// - Codex: each directory of `$CODEX_HOME` (comma-separated) else `~/.codex`; its
    ///   `sessions/` and `archived_sessions/`.
    /// - Gemini CLI: `~/.gemini/tmp` (one folder per project, sessions under `chats/`).
    public func defaultRoots(environment: [String: String]) -> [String] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        func list(_ variable: String) -> [String]? {
            guard let value = environment[variable]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            let entries = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return entries.isEmpty ? nil : entries.map { Self.expandTilde($0, home: home) }
        }
        switch self {
        case .claudeCode:
            let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            let bases = list("CLAUDE_CONFIG_DIR") ?? [configHome + "/claude", home + "/.claude"]
            return bases.map { $0 + "/projects" }
        case .codex:
            let bases = list("CODEX_HOME") ?? [home + "/.codex"]
            return bases.flatMap { [$0 + "/sessions", $0 + "/archived_sessions"] }
        case .gemini:
            return [home + "/.gemini/tmp"]
        }
    }

    /// Whether a file found under a root is one of this agent's logs.
    /// Gemini CLI writes `chats/session-*.jsonl` (append-only, current versions; sub-agents in
    /// `chats/<parent>/<id>.jsonl`) or `chats/session-*.json` (one document rewritten whole,
    /// older versions).
    func isLogFile(path: String, name: String) -> Bool {
        switch self {
        case .claudeCode, .codex: name.hasSuffix(".jsonl")
        case .gemini: (name.hasSuffix(".jsonl") || name.hasSuffix(".json")) && path.contains("/chats/")
        }
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }
}
