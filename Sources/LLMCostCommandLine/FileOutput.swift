import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and error, and what the CLI needs to know about the terminal.
public struct FileOutput: Sendable {
    public let descriptor: Int32

    public init(descriptor: Int32) { self.descriptor = descriptor }

    public static let standardOutput = FileOutput(descriptor: 1)
    public static let standardError = FileOutput(descriptor: 2)

    public func write(_ text: String) {
        try? writeOrThrow(text)
    }

    /// `text` and a newline: the CLI's `print`.
    public func line(_ text: String) {
        write(text + "\n")
    }

    /// Writes everything or throws: for output that must not be silently cut short (export).
    public func writeOrThrow(_ text: String) throws {
        // A native string's UTF-8 is written where it lies: a report of hundreds of megabytes
        // is not copied first.
        var text = text
        try text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += written
            }
        }
    }

    /// `path` created or truncated, readable by its owner only (a report or export can name
    /// projects and sessions), for the output `option` names; a path that cannot be written is
    /// a runtime failure naming it.
    public static func creating(_ path: String, for option: String = "--output") throws -> FileOutput {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CommandFailure.runtime("\(option): cannot write \(path): \(String(cString: strerror(errno)))") }
        return FileOutput(descriptor: descriptor)
    }

    /// Closes a file from `creating`; a failure (a full disk can show only here) throws.
    public func close() throws {
        if Foundation.close(descriptor) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Writes a whole document to `path` (`nil` or `-`: standard output): what commands with
    /// `-o FILE` print. A write that fails is a runtime failure naming the file.
    public static func writeDocument(_ text: String, to path: String?, option: String = "--output") throws {
        guard let path, path != "-" else {
            // As every command prints: a closed pipe (`| head`) is not an error.
            standardOutput.write(text)
            return
        }
        let file = try creating(path, for: option)
        do {
            try file.writeOrThrow(text)
            try file.close()
        } catch {
            throw CommandFailure.runtime("\(option): writing \(path) failed: \(error.localizedDescription); the file is incomplete")
        }
    }

    public var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Colours only on a terminal and only when `NO_COLOR` is not set (https://no-color.org).
    public var usesColor: Bool {
        isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// The terminal's width, else `$COLUMNS`, else 80.
    public var width: Int {
        var size = winsize()
        if isTerminal, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        return 80
    }
}
