#if canImport(Glibc)
import Glibc
#endif

/// Tells which agent log files changed, as the agents write them: inotify on every directory
/// under the roots (new directories joined as they appear), or, where inotify is unavailable or
/// out of watches, nothing: the caller's periodic re-scan (cheap: unchanged files are not
/// opened) then finds the changes.
public final class AgentLogWatcher {
    /// Whether changes are seen as they happen (else only by re-scanning).
    public private(set) var isLive = false
    #if canImport(Glibc)
    private var descriptor: Int32 = -1
    private var directories: [Int32: (path: String, source: AgentLogSource)] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)
    #endif

    /// Watches the directories of each source's roots (files named as roots: their directory).
    public init(roots: [(source: AgentLogSource, paths: [String])]) {
        #if canImport(Glibc)
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { return }
        isLive = true
        for (source, paths) in roots {
            for path in paths {
                var info = stat()
                guard stat(path, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    watchTree(path, source: source)
                } else if let slash = path.lastIndex(of: "/") {
                    watch(String(path[..<slash]), source: source)
                }
            }
        }
        #endif
    }

    deinit {
        #if canImport(Glibc)
        if descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// Waits up to `timeoutMilliseconds` for changes; returns the log files written, created or
    /// moved in since the last call (empty on timeout).
    public func waitForChanges(timeoutMilliseconds: Int32) -> [(path: String, source: AgentLogSource)] {
        #if canImport(Glibc)
        guard isLive else {
            usleep(UInt32(max(0, timeoutMilliseconds)) * 1000)
            return []
        }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return [] }
        var changed: [String: AgentLogSource] = [:]
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let (watchDescriptor, mask, nameLength) = buffer.withUnsafeBytes { raw in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let name = buffer.withUnsafeBytes { raw in
                    String(decoding: raw[nameStart..<min(nameStart + nameLength, count)].prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                offset = nameStart + nameLength
                guard let directory = directories[watchDescriptor], !name.isEmpty else { continue }
                let path = directory.path + "/" + name
                if mask & UInt32(IN_ISDIR) != 0 {
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        watchTree(path, source: directory.source)
                        // Files written before the watch was in place: the caller reads them.
                        var discovery = AgentLogDiscovery()
                        discovery.add(root: path, source: directory.source, explicit: false)
                        for file in discovery.files { changed[file.path] = directory.source }
                    }
                } else if directory.source.isLogFile(path: path, name: name) {
                    changed[path] = directory.source
                }
            }
        }
        return changed.map { (path: $0.key, source: $0.value) }.sorted { $0.path < $1.path }
        #else
        return []
        #endif
    }

    #if canImport(Glibc)
    private func watchTree(_ root: String, source: AgentLogSource) {
        watch(root, source: source)
        guard let handle = opendir(root) else { return }
        var subdirectories: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name != ".", name != "..", entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            subdirectories.append(root + "/" + name)
        }
        closedir(handle)
        for subdirectory in subdirectories { watchTree(subdirectory, source: source) }
    }

    private func watch(_ directory: String, source: AgentLogSource) {
        let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)
        let watchDescriptor = inotify_add_watch(descriptor, directory, mask)
        // Out of watches (fs.inotify.max_user_watches): the periodic re-scan still sees it.
        guard watchDescriptor >= 0 else { return }
        directories[watchDescriptor] = (directory, source)
    }
    #endif
}
