import Glibc

/// Runs a helper program and captures its standard output. Used only for facts that exist solely in a running
/// system and have no file to read (systemd's active states); never with a shell, never with scanned data as input.
enum Subprocess {
    /// The program's standard output when it ran and exited 0 within `timeout` seconds (enforced by coreutils
    /// `timeout` where present); nil otherwise.
    static func output(_ executable: String, _ arguments: [String], timeout: Int = 10, limit: Int = 8 << 20) -> [UInt8]?
    {
        guard access(executable, X_OK) == 0 else { return nil }
        for watchdog in ["/usr/bin/timeout", "/bin/timeout"] where access(watchdog, X_OK) == 0 {
            return run(watchdog, ["--kill-after=2", String(timeout), executable] + arguments, limit: limit)
        }
        return run(executable, arguments, limit: limit)
    }

    private static func run(_ executable: String, _ arguments: [String], limit: Int) -> [UInt8]? {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        let readEnd = FileDescriptor(owning: pipeEnds[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), strdup("LC_ALL=C"), nil]
        defer { for pointer in environment { free(pointer) } }
        var pid: pid_t = 0
        // Our copy of the write end lives until the child is spawned and is closed right after, so that the read
        // below ends when the child exits.
        let spawned = withExtendedLifetime(FileDescriptor(owning: pipeEnds[1])) {
            posix_spawn(&pid, executable, &actions, nil, argv, environment)
        }
        guard spawned == 0 else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while output.count < limit {
            let count = buffer.withUnsafeMutableBytes { raw in
                SystemCalls.read(readEnd, into: raw.baseAddress!, count: raw.count)
            }
            guard case .success(let read) = count, read > 0 else { break }
            output += buffer[0..<read]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitedNormally = status & 0x7F == 0
        guard exitedNormally, (status >> 8) & 0xFF == 0, output.count < limit else { return nil }
        return output
    }
}
