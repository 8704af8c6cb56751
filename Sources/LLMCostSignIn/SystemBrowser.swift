import Foundation

/// Opens a URL in the user's browser: `$BROWSER` (a command; `%s` is replaced by the URL, else it
/// is appended), else `xdg-open` (Linux) or `open` (macOS). Machines without one get the URL
/// printed instead, by the caller.
public enum SystemBrowser {
    /// Starts the browser on `url`; `false` when there is none to start.
    @discardableResult
    public static func open(_ url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        var commands: [[String]] = []
        if let browser = environment["BROWSER"], !browser.isEmpty {
            // $BROWSER may list several commands separated by colons; the first that starts wins.
            for entry in browser.split(separator: ":") {
                let words = entry.split(separator: " ").map(String.init)
                guard !words.isEmpty else { continue }
                commands.append(words.contains("%s") ? words.map { $0 == "%s" ? url.absoluteString : $0 } : words + [url.absoluteString])
            }
        }
        commands.append(["xdg-open", url.absoluteString])
        commands.append(["open", url.absoluteString])
        for command in commands {
            guard let executable = resolve(command[0], path: environment["PATH"]) else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = Array(command.dropFirst())
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            if (try? process.run()) != nil { return true }
        }
        return false
    }

    private static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
