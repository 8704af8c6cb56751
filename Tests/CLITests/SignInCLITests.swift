import Foundation
import LLMCostSimulator
import LLMCostTestSupport
import Testing

/// `llm-cost login`, `logout`, `providers list` and calls with a signed-in provider, run as a user
/// would against the simulator's authorization server. The browser is `curl -L`.
@Suite struct SignInCLITests {
    private func configure(_ scene: SimulatedHome) throws {
        let base = scene.simulator.baseURL.absoluteString
        let folder = scene.home.appendingPathComponent("config/llm-cost")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            [providers.sim]
            type = "openai-compatible"
            base_url = "\(base)/v1"
            model = "gpt-4o-mini"
            max_retries = 0

            [providers.sim.oauth]
            authorize_url = "\(base)/oauth/authorize"
            token_url = "\(base)/oauth/token"
            client_id = "\(scene.simulator.authorization?.clientID ?? "")"
            scopes = ["inference"]
            """.write(to: folder.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8)
    }

    private var credentialFile: (SimulatedHome) -> URL {
        { $0.home.appendingPathComponent("config/llm-cost/credentials/sim.json") }
    }

    /// `llm-cost login sim --no-browser`: reads the URL it prints, visits it, waits for the exit.
    private func login(_ scene: SimulatedHome) async throws -> CLIRunner.Result {
        let process = CLIRunner.process(["login", "sim", "--no-browser", "--timeout", "300"], home: scene.home,
                                        environment: ["LLM_COST_CREDENTIAL_STORE": "file"])
        let errors = PrintedLines.standardError(of: process)
        let output = PrintedLines.standardOutput(of: process)
        try process.run()
        let url = try await onOwnThread { () throws -> String in
            // Generous: on a loaded 2-core machine a process can take many seconds to start.
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, process.isRunning || errors.text.contains("http://") {
                // Only whole lines: the pipe may hand over half of the URL's line first.
                let printed = errors.text
                let complete = printed.lastIndex(of: "\n").map { printed[..<$0] } ?? ""
                if let line = complete.split(separator: "\n").first(where: { $0.hasPrefix("http://") }) { return String(line) }
                Thread.sleep(forTimeInterval: 0.02)
            }
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "login printed no URL: \(errors.text)"])
        }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        browser.arguments = ["-s", "-S", "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", url]
        let visited = PrintedLines.standardOutput(of: browser)
        let browserErrors = PrintedLines.standardError(of: browser)
        try browser.run()
        await onOwnThread {
            process.waitUntilExit()
            browser.waitUntilExit()
        }
        // What the browser saw goes with the login's own output, for a failure's message.
        let browserLine = "browser: exit \(browser.terminationStatus), \(visited.text) \(browserErrors.text)"
        return CLIRunner.Result(status: process.terminationStatus, stdout: output.text, stderr: errors.text + browserLine)
    }

    @Test func loginThenCallsThenProvidersListThenLogout() async throws {
        let authorization = SimulatedAuthorization()
        let scene = try SimulatedHome(authorization: authorization)
        defer { scene.close() }
        try configure(scene)
        let unsigned = try await CLIRunner.run(["prompt", "--provider", "sim", "hello"], home: scene.home)
        #expect(unsigned.status == 1)

        let login = try await login(scene)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.hasPrefix("Signed in to sim (the token is valid until "), "\(login.stdout)")
        #expect(authorization.grants == ["authorization_code"])
        let file = credentialFile(scene)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let stored = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let token = try #require(stored["secret"] as? String)
        let refreshToken = try #require(stored["refresh_token"] as? String)

        let listed = try await CLIRunner.run(["providers", "list"], home: scene.home)
        let line = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("sim ") })
        #expect(line.contains("signed in until 20"), "\(listed.stdout)")

        let call = try await CLIRunner.run(["prompt", "--provider", "sim", "hello"], home: scene.home)
        #expect(call.status == 0, "\(call.stderr)")
        #expect(call.stdout == "Simulated reply to: hello\n")
        let sent = try #require(scene.simulator.requests.last { $0.path.hasSuffix("/chat/completions") })
        #expect(sent.headers["authorization"] == "Bearer \(token)")
        // The secrets are nowhere but in the credential file.
        let exported = try await CLIRunner.run(["export"], home: scene.home)
        for text in [login.stdout, login.stderr, listed.stdout, call.stdout, call.stderr, exported.stdout] {
            #expect(!text.contains(token) && !text.contains(refreshToken))
        }

        let logout = try await CLIRunner.run(["logout", "sim"], home: scene.home)
        #expect(logout.status == 0 && logout.stdout == "Signed out of sim.\n", "\(logout.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file.path))
        let again = try await CLIRunner.run(["logout", "sim"], home: scene.home)
        #expect(again.stdout == "sim was not signed in.\n")
        let afterwards = try await CLIRunner.run(["prompt", "--provider", "sim", "hello"], home: scene.home)
        #expect(afterwards.status == 1)

        let unknown = try await CLIRunner.run(["login", "nope"], home: scene.home)
        #expect(unknown.status == 2 && unknown.stderr.contains("no provider named `nope`"))
        let keyOnly = try await CLIRunner.run(["login", "openai"], home: scene.home)
        #expect(keyOnly.status == 1 && keyOnly.stderr.contains("has no built-in sign-in"), "\(keyOnly.stderr)")
    }

    @Test func processesRefreshingAtOnceSpendTheRefreshTokenOnce() async throws {
        // Tokens issued for 30 s are inside the refresh margin: every process wants a new one.
        let authorization = SimulatedAuthorization(accessTokenLifetime: 30)
        let scene = try SimulatedHome(authorization: authorization)
        defer { scene.close() }
        try configure(scene)
        let login = try await login(scene)
        #expect(login.status == 0, "\(login.stderr)")
        authorization.accessTokenLifetime = 3600
        let processes = (0..<8).map { index in
            CLIRunner.process(["prompt", "--provider", "sim", "hello \(index)"], home: scene.home)
        }
        for process in processes { try process.run() }
        await onOwnThread { for process in processes { process.waitUntilExit() } }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        // One refresh: the others waited for it and used its token. With a refresh each, the
        // rotated refresh token would have been refused to all but one.
        #expect(authorization.grants == ["authorization_code", "refresh_token"])
        let calls = scene.simulator.requests.filter { $0.path.hasSuffix("/chat/completions") }
        #expect(calls.count == 8)
        #expect(Set(calls.compactMap { $0.headers["authorization"] }).count == 1)
    }

    @Test func aRevokedSignInSaysToSignInAgain() async throws {
        let authorization = SimulatedAuthorization()
        let scene = try SimulatedHome(authorization: authorization)
        defer { scene.close() }
        try configure(scene)
        let login = try await login(scene)
        #expect(login.status == 0, "\(login.stderr)")
        authorization.invalidateAccessTokens()
        authorization.revokeRefreshTokens()
        let call = try await CLIRunner.run(["prompt", "--provider", "sim", "hello"], home: scene.home)
        #expect(call.status == 1)
        #expect(call.stderr.contains("sign in again with `llm-cost login sim`"), "\(call.stderr)")
    }
}
