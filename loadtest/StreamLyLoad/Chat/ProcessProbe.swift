import Foundation

/// Reads what the chat report needs about processes from Linux's `/proc`: resident
/// memory, CPU time, the open-file limit, and which process listens on a port.
enum ProcessProbe {
    /// `VmRSS` of `pid`, in bytes.
    static func residentBytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 2 ? Int(fields[1]).map { $0 * 1_024 } : nil
        }
        return nil
    }

    /// User + system CPU seconds `pid` has used.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        stat(atPath: "/proc/\(pid)/stat")?.cpuSeconds
    }

    /// The name and the user + system CPU seconds in a `stat` file of `/proc`, a process's
    /// (`/proc/PID/stat`) or a thread's (`/proc/self/task/TID/stat`). Clock ticks are 10 ms.
    static func stat(atPath path: String) -> (name: String, cpuSeconds: Double)? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (String(stat[stat.index(after: open)..<close]), (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// The soft "Max open files" of `pid`.
    static func openFileLimit(_ pid: Int32) -> Int? {
        guard let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8) else { return nil }
        for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
        }
        return nil
    }

    /// The process with a listening TCP socket on `port` (any address), if one is visible.
    static func listener(port: Int) -> Int32? {
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // local_address is ADDR:PORT in hex; state 0A is LISTEN; inode is field 10.
                guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                      Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port else { continue }
                inodes.insert("socket:[\(fields[9])]")
            }
        }
        guard !inodes.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(),
                  let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            for fd in fds {
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                   inodes.contains(target) {
                    return pid
                }
            }
        }
        return nil
    }

    /// Raises this process's open-file limit to at least `needed` (the soft limit up to the
    /// hard one; the hard one too if privileged). Returns the soft limit in force.
    static func raiseOpenFileLimit(to needed: Int) -> Int {
        #if os(Linux)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        let want = rlim_t(needed)
        if limit.rlim_cur >= want { return Int(limit.rlim_cur) }
        if limit.rlim_max < want {
            // Only with CAP_SYS_RESOURCE; otherwise fall through to the hard limit.
            var raised = rlimit(rlim_cur: want, rlim_max: want)
            if setrlimit(resource, &raised) == 0 { return needed }
        }
        var raised = rlimit(rlim_cur: min(want, limit.rlim_max), rlim_max: limit.rlim_max)
        _ = setrlimit(resource, &raised)
        _ = getrlimit(resource, &limit)
        return Int(limit.rlim_cur)
    }

    /// The size of the ephemeral port range: connections one source address can open to one edge.
    static func ephemeralPorts() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : nil
    }
}

/// A process watched during the run: RSS and CPU at the marks the report prints.
struct WatchedProcess: Sendable {
    var name: String
    var pid: Int32
    var rss: [String: Int] = [:]
    var cpu: [String: Double] = [:]

    mutating func mark(_ label: String) {
        rss[label] = ProcessProbe.residentBytes(pid)
        cpu[label] = ProcessProbe.cpuSeconds(pid)
    }
}
