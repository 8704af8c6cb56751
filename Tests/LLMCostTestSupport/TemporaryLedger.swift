import Foundation
import LLMCostStore

/// A ledger in a fresh temporary folder, removed when the value goes.
public final class TemporaryLedger {
    public let folder: URL
    public let ledger: Ledger
    public var path: String { ledger.path }

    public init(options: Ledger.Options = Ledger.Options()) throws {
        folder = try temporaryFolder("ledger-test")
        ledger = try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path, options: options)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

/// A ledger in a fresh temporary folder; the caller removes the folder.
public func temporaryLedger() throws -> (Ledger, URL) {
    let folder = try temporaryFolder("ledger")
    return (try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path), folder)
}

/// A fresh, empty temporary folder; the caller removes it.
public func temporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
