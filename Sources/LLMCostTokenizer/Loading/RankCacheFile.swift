import Foundation

/// The compact binary cache of a rank table: the `RankTable` block written out verbatim, so a
/// later load is one read, a checksum and no parsing (o200k: a few milliseconds instead of the
/// base64 parse, hash-table build and sha256 of the 3.6 MB text file).
///
/// The 192-byte header records the sha256 of the verified source file plus its size and
/// modification time; a cache is used only when those still match (or the source is gone), and
/// its payload checksum catches a truncated or damaged cache, which is then rebuilt.
enum RankCacheFile {
    private static let magic: UInt64 = 0x384B_4E52_434D_4C4C  // "LLMCRNK8" little-endian

    struct SourceStamp: Equatable {
        var size: UInt64
        var modificationNanoseconds: Int64

        static func of(path: String) -> SourceStamp? {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            #if canImport(Darwin)
            let nanos = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
            #else
            let nanos = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            #endif
            return SourceStamp(size: UInt64(info.st_size), modificationNanoseconds: nanos)
        }
    }

    /// Reads the cache at `path` if it is intact and matches `sha256` and `source`.
    static func read(path: String, sha256: String, source: SourceStamp?) -> RankTable? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) > RankTable.headerSize else { return nil }
        let size = Int(info.st_size)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        var filled = 0
        while filled < size {
            let got = Foundation.read(descriptor, block.baseAddress! + filled, size - filled)
            if got <= 0 { break }
            filled += got
        }
        func field(_ index: Int) -> UInt64 { block.load(fromByteOffset: index * 8, as: UInt64.self) }
        let hashBytes = UnsafeRawBufferPointer(rebasing: block[64..<128])
        guard filled == size, field(0) == magic,
            String(decoding: hashBytes, as: UTF8.self) == sha256
        else {
            block.deallocate()
            return nil
        }
        let shape = RankTable.Shape(rankCount: Int(field(1)), slotCount: Int(field(2)), byteCount: Int(field(3)), pairSlotCount: Int(field(16)))
        let stamp = SourceStamp(size: field(5), modificationNanoseconds: Int64(bitPattern: field(6)))
        guard shape.rankCount < 10_000_000, shape.slotCount < 100_000_000, shape.byteCount < 1_000_000_000,
            shape.pairSlotCount < 100_000_000, shape.blockSize == size,
            source == nil || source == stamp,
            checksum(UnsafeRawBufferPointer(rebasing: block[RankTable.headerSize...])) == field(7)
        else {
            block.deallocate()
            return nil
        }
        return RankTable(block: block, shape: shape, maxTokenLength: Int(field(4)))
    }

    /// Writes `table` to `path` atomically (temporary file, then rename). Best effort: a
    /// read-only cache folder only costs speed, so failures are reported, not thrown.
    @discardableResult
    static func write(_ table: RankTable, to path: String, sha256: String, source: SourceStamp?) -> Bool {
        let block = table.block
        func setField(_ index: Int, _ value: UInt64) { block.storeBytes(of: value, toByteOffset: index * 8, as: UInt64.self) }
        setField(0, magic)
        setField(1, UInt64(table.shape.rankCount))
        setField(2, UInt64(table.shape.slotCount))
        setField(3, UInt64(table.shape.byteCount))
        setField(16, UInt64(table.shape.pairSlotCount))
        setField(4, UInt64(table.maxTokenLength))
        setField(5, source?.size ?? 0)
        setField(6, UInt64(bitPattern: source?.modificationNanoseconds ?? 0))
        setField(7, checksum(UnsafeRawBufferPointer(rebasing: block[RankTable.headerSize...])))
        let hash = Array(sha256.utf8.prefix(64))
        for (index, byte) in hash.enumerated() { block[64 + index] = byte }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).tmp"
        let data = Data(bytesNoCopy: block.baseAddress!, count: block.count, deallocator: .none)
        guard (try? data.write(to: URL(fileURLWithPath: temporary))) != nil else { return false }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// A fast 64-bit checksum over 8-byte words, four lanes so the multiplies overlap.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        let prime: UInt64 = 0x0000_0100_0000_01B3
        let words = bytes.count / 8
        var index = 0
        while index + 4 <= words {
            lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* prime
            lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: index * 8 + 8, as: UInt64.self)) &* prime
            lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: index * 8 + 16, as: UInt64.self)) &* prime
            lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: index * 8 + 24, as: UInt64.self)) &* prime
            index += 4
        }
        var result = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7)
        for offset in (index * 8)..<bytes.count { result = (result ^ UInt64(bytes[offset])) &* prime }
        return result
    }
}
