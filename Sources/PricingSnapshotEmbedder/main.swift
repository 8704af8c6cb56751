// Build tool of the EmbedPricingSnapshot plugin: writes a text file as a Swift source file that
// declares it as a raw multi-line string literal (`EmbeddedLiteLLMSnapshot.text`).
//
// Usage: PricingSnapshotEmbedder INPUT OUTPUT.swift
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("PricingSnapshotEmbedder: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: PricingSnapshotEmbedder INPUT OUTPUT.swift") }
let input = arguments[1]
let output = arguments[2]
guard let data = FileManager.default.contents(atPath: input) else { fail("cannot read \(input)") }
guard let text = String(data: data, encoding: .utf8) else { fail("\(input) is not UTF-8") }
// A multi-line literal normalizes line endings and cannot hold other control characters.
if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
    fail("\(input) contains control character U+\(String(bad.value, radix: 16, uppercase: true))")
}
// Enough `#`s that nothing in the text closes the literal or starts an escape.
var hashes = "#"
while text.contains("\"\"\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
// The newline before the closing delimiter is not part of a multi-line literal: add one so the
// literal holds the file exactly.
let body = text + "\n"
let source = """
    // Generated from \((input as NSString).lastPathComponent) by PricingSnapshotEmbedder: do not edit.
    enum EmbeddedLiteLLMSnapshot {
        static let text: StaticString = \(hashes)\"\"\"
    \(body)\"\"\"\(hashes)
    }

    """
do {
    try source.write(toFile: output, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(output): \(error.localizedDescription)")
}
