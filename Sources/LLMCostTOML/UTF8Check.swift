/// Strict UTF-8 validation (no overlong forms, surrogates or values above U+10FFFF), run once
/// over the whole input so the parser can slice strings out of it without checking again.
enum UTF8Check {
    /// The offset of the first byte that does not start a valid sequence, or `nil`.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            func continuation(_ at: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
                at < count && range.contains(bytes[at])
            }
            switch lead {
            case 0xC2...0xDF:
                guard continuation(index + 1) else { return index }
                index += 2
            case 0xE0...0xEF:
                let second: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
                guard continuation(index + 1, second), continuation(index + 2) else { return index }
                index += 3
            case 0xF0...0xF4:
                let second: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
                guard continuation(index + 1, second), continuation(index + 2), continuation(index + 3) else { return index }
                index += 4
            default:
                return index
            }
        }
        return nil
    }

    /// The line and column of `target`, counting from the start (columns up to it are counted
    /// as lead bytes, valid or not).
    static func position(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> TOMLPosition {
        var line = 1
        var column = 1
        for index in 0..<target {
            if bytes[index] == Byte.lineFeed {
                line += 1
                column = 1
            } else if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return TOMLPosition(line: line, column: column)
    }
}
