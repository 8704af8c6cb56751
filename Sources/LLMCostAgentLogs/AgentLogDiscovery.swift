#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One agent log file found on disk, with what `stat` said of it.
public struct AgentLogFile: Sendable, Hashable {
    public var path: String
    public var source: AgentLogSource
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedNanoseconds: Int64
}

/// Finds agent log files under roots: directories walked recursively (symbolic links to
/// directories are not followed, so a link loop cannot trap the walk), files taken as given.
/// The same file reached twice (two roots, a hard link) is listed once.
public struct AgentLogDiscovery {
    /// A root that could not be read, and why (a missing default root is not a problem).
    public struct Problem: Sendable, Hashable {
        public var path: String
        public var reason: String
    }

    public private(set) var files: [AgentLogFile] = []
    public private(set) var problems: [Problem] = []
    private var seen: Set<[UInt64]> = []

    public init() {}

    /// Adds the log files of `source` under `root`. `explicit`: the user named the root, so its
    /// absence is a problem to report; a default root that does not exist is skipped quietly.
    public mutating func add(root: String, source: AgentLogSource, explicit: Bool) {
        var info = stat()
        guard stat(root, &info) == 0 else {
            if explicit { problems.append(Problem(path: root, reason: String(cString: strerror(errno)))) }
            return
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            walk(directory: root, source: source, explicit: explicit)
        } else if (info.st_mode & S_IFMT) == S_IFREG {
            take(path: root, source: source, info: info)
        } else if explicit {
            problems.append(Problem(path: root, reason: "not a file or directory"))
        }
    }

    private mutating func walk(directory: String, source: AgentLogSource, explicit: Bool) {
        // Names are looked up relative to the open directory (no path resolution per entry),
        // and only files with a log's name are stat'ed: a re-scan of an unchanged tree of ten
        // thousand files is mostly this loop.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0, let handle = fdopendir(directoryDescriptor) else {
            if directoryDescriptor >= 0 { close(directoryDescriptor) }
            problems.append(Problem(path: directory, reason: String(cString: strerror(errno))))
            return
        }
        defer { closedir(handle) }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var subdirectories: [String] = []
        // Files in name order (Codex names rollouts by their start time): which file of a fork
        // family is read first, and so which copy of a replayed request is kept, does not
        // depend on the file system's order.
        var found: [(path: String, info: stat)] = []
        while let entry = readdir(handle) {
            let kind = entry.pointee.d_type
            let isName = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                // Skip "." and ".." without making strings.
                !(raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0)))
            }
            guard isName else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if kind == UInt8(DT_DIR) {
                subdirectories.append(prefix + name)
                continue
            }
            guard kind == UInt8(DT_REG) || kind == UInt8(DT_LNK) || kind == UInt8(DT_UNKNOWN) else { continue }
            let path = prefix + name
            let isLog = source.isLogFile(path: path, name: name)
            guard isLog || kind == UInt8(DT_UNKNOWN) else { continue }
            var info = stat()
            // A link to a file is followed; a link to a directory is not walked.
            let flags = kind == UInt8(DT_LNK) ? Int32(0) : Int32(AT_SYMLINK_NOFOLLOW)
            guard fstatat(directoryDescriptor, name, &info, flags) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR where kind == UInt8(DT_UNKNOWN): subdirectories.append(path)
            case S_IFREG where isLog: found.append((path, info))
            default: break
            }
        }
        for file in found.sorted(by: { $0.path < $1.path }) { take(path: file.path, source: source, info: file.info) }
        for subdirectory in subdirectories.sorted() {
            walk(directory: subdirectory, source: source, explicit: explicit)
        }
    }

    private mutating func take(path: String, source: AgentLogSource, info: stat) {
        let identity = [UInt64(info.st_dev), UInt64(info.st_ino)]
        guard seen.insert(identity).inserted else { return }
        files.append(AgentLogFile(
            path: path, source: source, device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)))
    }
}
