import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where signed-in credentials live: files of mode 0600 (`FileCredentialStore`) or the desktop
/// keyring (`KeyringCredentialStore`).
///
/// Requirements for implementers:
/// - `load` returns `nil` for a provider that is not signed in, and throws `SignInError` for a
///   credential it cannot read; it never returns a partly written one.
/// - `save` replaces the credential atomically (readers see the old or the new one) where only
///   the user can read it.
/// - `withExclusiveAccess` runs `body` while no other caller, in this process or another one on
///   this machine, runs it for the same provider: a refresh reads, exchanges and saves under it,
///   so two processes never spend the same refresh token.
/// - Nothing a store logs or throws contains the secret.
public protocol CredentialStore: Sendable {
    /// Where the credentials are, for people (`~/.config/llm-cost/credentials`, `keyring`).
    var location: String { get }
    func load(provider: String) throws(SignInError) -> StoredCredential?
    func save(_ credential: StoredCredential, provider: String) throws(SignInError)
    /// Removes the credential; `false` when there was none.
    func delete(provider: String) throws(SignInError) -> Bool
    func withExclusiveAccess<T: Sendable>(provider: String, _ body: () async throws -> T) async throws -> T
}

/// The store to use: `LLM_COST_CREDENTIAL_STORE` (`file` or `keyring`) when set; else the desktop
/// keyring when `secret-tool` is installed and a desktop session bus is running; else files.
public enum CredentialStores {
    public static func preferred(environment: [String: String]) -> any CredentialStore {
        let files = FileCredentialStore(environment: environment)
        switch environment["LLM_COST_CREDENTIAL_STORE"] {
        case "file"?: return files
        case "keyring"?: return KeyringCredentialStore(locks: files)
        default:
            let desktop = !(environment["DBUS_SESSION_BUS_ADDRESS"] ?? "").isEmpty
            if desktop, let tool = KeyringCredentialStore.secretTool(path: environment["PATH"]) {
                return KeyringCredentialStore(locks: files, tool: tool)
            }
            return files
        }
    }
}

/// Credentials as JSON files under `$XDG_CONFIG_HOME/llm-cost/credentials/` (a folder of mode
/// 0700), one per provider, each of mode 0600, replaced by rename; refreshes are serialized by
/// `flock` on a lock file beside it.
public struct FileCredentialStore: CredentialStore {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$XDG_CONFIG_HOME/llm-cost/credentials` (`~/.config/llm-cost/credentials`).
    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        self.init(directory: URL(fileURLWithPath: config + "/llm-cost/credentials", isDirectory: true))
    }

    public var location: String { directory.path }

    /// The file of `provider`: its name with anything but letters, digits, `-`, `_` and `.`
    /// percent-encoded, so no provider name can reach outside the folder.
    public func file(for provider: String) -> URL {
        directory.appendingPathComponent(Self.safeName(provider) + ".json")
    }

    static func safeName(_ provider: String) -> String {
        var name = ""
        for byte in provider.utf8 {
            let scalar = Unicode.Scalar(byte)
            let plain = (byte < 0x80) && (CharacterSet.alphanumerics.contains(scalar) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_"))
            name += plain || (byte == UInt8(ascii: ".") && !name.isEmpty) ? String(scalar) : String(format: "%%%02X", byte)
        }
        return name
    }

    public func load(provider: String) throws(SignInError) -> StoredCredential? {
        let path = file(for: provider).path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .storage(provider, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        // Like ssh with a private key: a credential others can read is not used.
        if info.st_mode & 0o077 != 0 {
            throw .storage(provider, "\(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run `chmod 600 \(path)`, or sign in again")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .storage(provider, "cannot read \(path)")
        }
        do {
            return try StoredCredential.decoded(from: data)
        } catch {
            throw .storage(provider, "\(path) is not a credential this version can read: sign in again with `llm-cost login \(provider)`")
        }
    }

    public func save(_ credential: StoredCredential, provider: String) throws(SignInError) {
        let target = file(for: provider)
        try makeDirectory(provider: provider)
        let data: Data
        do { data = try credential.encoded() } catch { throw .storage(provider, "cannot encode the credential: \(error)") }
        let temporary = directory.appendingPathComponent(".\(Self.safeName(provider)).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        // Created 0600 before a byte is written: the secret is never readable by others, even briefly.
        let fd = open(temporary.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage(provider, "cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw .storage(provider, "cannot write \(target.path): \(reason)")
        }
    }

    public func delete(provider: String) throws(SignInError) -> Bool {
        let path = file(for: provider).path
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw .storage(provider, "cannot remove \(path): \(String(cString: strerror(errno)))")
    }

    /// How long a caller waits for another process's refresh before giving up.
    static let lockTimeout: Duration = .seconds(30)

    public func withExclusiveAccess<T: Sendable>(provider: String, _ body: () async throws -> T) async throws -> T {
        try makeDirectory(provider: provider)
        let path = directory.appendingPathComponent(Self.safeName(provider) + ".lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SignInError.storage(provider, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // Polled rather than blocking, so a waiting refresh holds no thread of the concurrency pool.
        let clock = ContinuousClock()
        let deadline = clock.now + Self.lockTimeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw SignInError.storage(provider, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard clock.now < deadline else {
                throw SignInError.timedOut(provider, "another llm-cost process has held \(path) for 30 s while refreshing the token")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }

    private func makeDirectory(provider: String) throws(SignInError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage(provider, "cannot create \(directory.path): \(error.localizedDescription)")
        }
    }
}

/// Credentials in the desktop keyring (GNOME Keyring, KWallet: anything `secret-tool` reaches),
/// under the attributes `service=llm-cost provider=NAME`. Refreshes are serialized with the file
/// store's locks.
public struct KeyringCredentialStore: CredentialStore {
    let locks: FileCredentialStore
    let tool: String

    public init(locks: FileCredentialStore, tool: String = "/usr/bin/secret-tool") {
        self.locks = locks
        self.tool = tool
    }

    public var location: String { "the desktop keyring (secret-tool)" }

    /// `secret-tool` on `path` (a `PATH` value), if installed.
    static func secretTool(path: String?) -> String? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/secret-tool"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public func load(provider: String) throws(SignInError) -> StoredCredential? {
        let result = try run(["lookup", "service", "llm-cost", "provider", provider], input: nil, provider: provider)
        // secret-tool exits 1 with no output when nothing is stored.
        guard result.status == 0, !result.output.isEmpty else { return nil }
        do {
            return try StoredCredential.decoded(from: result.output)
        } catch {
            throw .storage(provider, "the keyring holds a credential this version cannot read: sign in again with `llm-cost login \(provider)`")
        }
    }

    public func save(_ credential: StoredCredential, provider: String) throws(SignInError) {
        let data: Data
        do { data = try credential.encoded() } catch { throw .storage(provider, "cannot encode the credential: \(error)") }
        let result = try run(
            ["store", "--label=llm-cost \(provider)", "service", "llm-cost", "provider", provider], input: data, provider: provider)
        guard result.status == 0 else { throw .storage(provider, "secret-tool could not store the credential (exit \(result.status))") }
    }

    public func delete(provider: String) throws(SignInError) -> Bool {
        let existed = try load(provider: provider) != nil
        let result = try run(["clear", "service", "llm-cost", "provider", provider], input: nil, provider: provider)
        guard result.status == 0 || !existed else { throw .storage(provider, "secret-tool could not remove the credential (exit \(result.status))") }
        return existed
    }

    public func withExclusiveAccess<T: Sendable>(provider: String, _ body: () async throws -> T) async throws -> T {
        try await locks.withExclusiveAccess(provider: provider, body)
    }

    private func run(_ arguments: [String], input: Data?, provider: String) throws(SignInError) -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        do { try process.run() } catch { throw .storage(provider, "cannot run \(tool): \(error.localizedDescription)") }
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
