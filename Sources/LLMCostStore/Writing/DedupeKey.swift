import LLMCostCore

/// The 16-byte identity of a call, unique in the ledger, that makes writes idempotent.
///
/// With a request id: the provider and the request id (a provider's ids are unique; the same
/// id recorded again is the same call, and the first record wins). Without one: the call's
/// content (time to the millisecond, provider, model, agent, session, tags, status and token
/// counts), leaving out cost and estimates so that a priced re-import of an exported unpriced
/// row is still recognised. 128 bits make an accidental collision negligible at any size.
enum DedupeKey {
    static func make(
        for record: CallRecord, sortedTags: [(key: String, value: String)], scratch: inout [UInt8]
    ) -> (UInt64, UInt64) {
        scratch.removeAll(keepingCapacity: true)
        func add(_ text: String) {
            scratch.append(contentsOf: text.utf8)
            scratch.append(0)
        }
        func add(_ value: Int64) {
            withUnsafeBytes(of: value.littleEndian) { scratch.append(contentsOf: $0) }
        }
        if let requestID = record.requestID, !requestID.isEmpty {
            scratch.append(UInt8(ascii: "r"))
            add(record.provider)
            add(requestID)
        } else {
            scratch.append(UInt8(ascii: "c"))
            add(record.epochMilliseconds)
            add(record.provider)
            add(record.model)
            add(record.agent ?? "\u{1}")
            add(record.session ?? "\u{1}")
            for tag in sortedTags {
                add(tag.key)
                add(tag.value)
            }
            scratch.append(0xFF)
            add(record.status.rawValue)
            let usage = record.usage
            for count in [
                usage.inputTokens, usage.outputTokens, usage.cacheReadTokens, usage.cacheWrite5mTokens,
                usage.cacheWrite1hTokens, usage.reasoningTokens, usage.webSearchRequests, usage.webFetchRequests,
            ] {
                add(count)
            }
        }
        return scratch.withUnsafeBufferPointer { MurmurHash3.hash128($0) }
    }
}

/// MurmurHash3 x64 128-bit (Austin Appleby's public-domain algorithm), seed 0.
enum MurmurHash3 {
    static func hash128(_ data: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1: UInt64 = 0
        var h2: UInt64 = 0
        let blockCount = data.count / 16
        let raw = UnsafeRawBufferPointer(data)
        for block in 0..<blockCount {
            var k1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 16, as: UInt64.self))
            var k2 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 16 + 8, as: UInt64.self))
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
            h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
            h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        var k1: UInt64 = 0
        var k2: UInt64 = 0
        let tail = blockCount * 16
        let remaining = data.count & 15
        if remaining > 8 {
            for index in stride(from: remaining - 1, through: 8, by: -1) {
                k2 ^= UInt64(data[tail + index]) << (UInt64(index - 8) * 8)
            }
            k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
        }
        if remaining > 0 {
            for index in stride(from: min(remaining, 8) - 1, through: 0, by: -1) {
                k1 ^= UInt64(data[tail + index]) << (UInt64(index) * 8)
            }
            k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
        }
        h1 ^= UInt64(data.count); h2 ^= UInt64(data.count)
        h1 &+= h2; h2 &+= h1
        h1 = fmix(h1); h2 = fmix(h2)
        h1 &+= h2; h2 &+= h1
        return (h1, h2)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) private static func fmix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33; k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33; k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
