import Foundation

/// The package's own TOML: the pricing files and the README's config examples.
enum RepositoryFiles {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `pricing/*.toml`, by name.
    static func pricingFiles() throws -> [(name: String, bytes: [UInt8])] {
        let folder = packageRoot.appendingPathComponent("pricing")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted().map {
            ($0, [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))))
        }
    }

    /// Every ```toml block of README.md.
    static func readmeExamples() throws -> [[UInt8]] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        return readme.components(separatedBy: "```toml\n").dropFirst().compactMap { block in
            block.components(separatedBy: "```").first.map { Array($0.utf8) }
        }
    }
}

/// Runs `scripts/toml-differential.py` (Python's tomllib) once over many documents.
enum ReferenceParser {
    /// The script's verdict on each document, in order: canonical JSON, or `!error ...`.
    static func verdicts(for documents: [[UInt8]]) throws -> [String] {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("toml-differential-\(UUID().uuidString)")
        let bundle = base.appendingPathExtension("bundle")
        let output = base.appendingPathExtension("out")
        // One file for all documents: thousands of small files cost seconds on a busy disk.
        var data: [UInt8] = []
        for (index, document) in documents.enumerated() {
            data += Array("\(index) \(document.count)\n".utf8) + document + [0x0A]
        }
        try Data(data).write(to: bundle)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: bundle)
            try? FileManager.default.removeItem(at: output)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", RepositoryFiles.packageRoot.appendingPathComponent("scripts/toml-differential.py").path, "--bundle", bundle.path,
        ]
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        guard process.terminationStatus == 0 else {
            throw ReferenceFailure(message: "scripts/toml-differential.py exited \(process.terminationStatus) (python3 3.11+ with tomllib is needed)")
        }
        var verdicts = Array(repeating: "(no verdict)", count: documents.count)
        for line in try String(contentsOf: output, encoding: .utf8).split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t"), let index = Int(line[..<tab]), verdicts.indices.contains(index) else { continue }
            verdicts[index] = String(line[line.index(after: tab)...])
        }
        return verdicts
    }

    struct ReferenceFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
