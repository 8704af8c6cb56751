#if canImport(Glibc)
import Glibc
#endif

/// Memory for a rank table block (20 MB for o200k), backed by huge pages where the system
/// allows it.
///
/// Lookups land all over the block: with 4 KiB pages the hash and pair tables span thousands
/// of pages, more than the TLB holds, so many lookups also pay a page walk. On Linux the block
/// is an anonymous mapping aligned to 2 MiB and advised for transparent huge pages (`enabled`
/// is often `madvise`); elsewhere, or if mapping fails, it is ordinary heap memory.
enum TableMemory {
    struct Block {
        let buffer: UnsafeMutableRawBufferPointer
        /// Whether `buffer` is a mapping (freed with munmap) rather than heap memory.
        let isMapped: Bool
    }

    static let hugePageSize = 2 << 20

    /// `byteCount` bytes, aligned to at least 16, contents unspecified.
    static func allocate(byteCount: Int) -> Block {
        #if os(Linux)
        let length = mappedLength(byteCount)
        // Map one huge page more than needed, then trim to a 2 MiB-aligned range.
        let mapped = mmap(nil, length + hugePageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let mapped, mapped != MAP_FAILED {
            let address = Int(bitPattern: mapped)
            let aligned = (address + hugePageSize - 1) & ~(hugePageSize - 1)
            if aligned > address { munmap(mapped, aligned - address) }
            let tail = address + length + hugePageSize - (aligned + length)
            if tail > 0, let tailStart = UnsafeMutableRawPointer(bitPattern: aligned + length) { munmap(tailStart, tail) }
            if let base = UnsafeMutableRawPointer(bitPattern: aligned) {
                _ = madvise(base, length, Int32(MADV_HUGEPAGE))
                return Block(buffer: UnsafeMutableRawBufferPointer(start: base, count: byteCount), isMapped: true)
            }
        }
        #endif
        return Block(buffer: .allocate(byteCount: byteCount, alignment: 16), isMapped: false)
    }

    static func deallocate(_ block: Block) {
        #if os(Linux)
        if block.isMapped {
            munmap(block.buffer.baseAddress, mappedLength(block.buffer.count))
            return
        }
        #endif
        block.buffer.deallocate()
    }

    private static func mappedLength(_ byteCount: Int) -> Int {
        (max(byteCount, 1) + hugePageSize - 1) & ~(hugePageSize - 1)
    }
}
