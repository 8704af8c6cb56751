import Foundation

/// Debian's `chromium`, headless, as the HTML report's reader: it draws pages to PNG, dumps the
/// DOM after the page's script ran, and reports what the page wrote to its console.
///
/// `LLM_COST_CHROMIUM` names another browser binary. A machine without one fails the tests
/// that need it, with a message saying so (`.ci/run` installs it).
struct HeadlessBrowser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one run of the browser gave.
    struct Output {
        var stdout: String
        /// The page's console lines (`console.*` calls and uncaught errors).
        var consoleLines: [String]
    }

    let executable: URL
    private let profile: URL

    init() throws {
        let candidates = [ProcessInfo.processInfo.environment["LLM_COST_CHROMIUM"]].compactMap { $0 }
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "no headless browser: install Debian's chromium (apt-get install -y chromium) or set LLM_COST_CHROMIUM")
        }
        executable = URL(fileURLWithPath: path)
        profile = try CLIRunner.temporaryDirectory()
    }

    /// Draws `page` into a PNG `width` × `height` pixels, light or dark (`prefers-color-scheme`).
    func screenshot(_ page: URL, to png: URL, width: Int = 1200, height: Int = 2000, dark: Bool = false) throws -> Output {
        try run([
            "--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(png.path)",
            // Blink's preferred colour scheme: 0 is dark, 1 light.
            "--blink-settings=preferredColorScheme=\(dark ? 0 : 1)", page.absoluteString,
        ])
    }

    /// The DOM once the page has loaded and its script has run.
    func dumpDOM(_ page: URL) throws -> Output {
        try run(["--dump-dom", page.absoluteString])
    }

    private func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--v=0",
        ] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        process.environment = environment
        let result = try CLIRunner.capture(process, home: profile)
        guard result.status == 0, result.exitedNormally else {
            throw Failure(description: "\(executable.path) exited \(result.status): \(result.stderr.suffix(2000))")
        }
        let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Output(stdout: result.stdout, consoleLines: console)
    }

    func close() {
        try? FileManager.default.removeItem(at: profile)
    }
}
