// Fuzzing needs the library's internals (`@testable import`), which only debug builds expose.
#if DEBUG
    @testable import DriftCheck
    import Glibc

    /// A scratch root filesystem that a fuzz input describes, so that the collectors' real code (which reads files from
    /// a root) parses fuzzed bytes. The input is a sequence of `PATH NUL CONTENT NUL` records; a path ending in `@`
    /// makes a symbolic link whose target is CONTENT. Paths are relative, their components are never empty, `.` or
    /// `..`, so nothing is written outside the scratch root. The root lives in /dev/shm and is emptied before every
    /// input.
    struct FuzzRoot {
        let path: String

        init() {
            var template = Array("/dev/shm/driftcheck-fuzz-XXXXXX".utf8CString)
            guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed") }
            path = String(cString: template)
        }

        /// The records of `data`: at most 32, each a (path components, content, is-symlink) triple.
        static func records(_ data: [UInt8]) -> [(components: [[UInt8]], content: [UInt8], symlink: Bool)] {
            let fields = data.split(separator: 0, omittingEmptySubsequences: false)
            var records: [(components: [[UInt8]], content: [UInt8], symlink: Bool)] = []
            var index = 0
            while index + 1 < fields.count && records.count < 32 {
                var name = Array(fields[index])
                let content = Array(fields[index + 1])
                index += 2
                let symlink = name.last == UInt8(ascii: "@")
                if symlink { name.removeLast() }
                let components = name.split(separator: UInt8(ascii: "/")).map(Array.init)
                guard !components.isEmpty, components.count <= 12,
                    components.allSatisfy({ $0 != [UInt8(ascii: ".")] && $0 != [UInt8(ascii: "."), UInt8(ascii: ".")] })
                else { continue }
                records.append((components, content, symlink))
            }
            return records
        }

        /// Empties the root and fills it with the records of `data`.
        func populate(_ data: [UInt8]) {
            Self.removeChildren(of: path)
            for record in Self.records(data) {
                var directory = path
                for component in record.components.dropLast() {
                    directory += "/" + String(decoding: component, as: UTF8.self)
                    mkdir(directory, 0o755)
                }
                let file = directory + "/" + String(decoding: record.components.last!, as: UTF8.self)
                if record.symlink {
                    _ = symlink(String(decoding: record.content, as: UTF8.self), file)
                    continue
                }
                let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { continue }
                _ = record.content.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                close(descriptor)
            }
        }

        /// Removes everything below `directory`, never following a symbolic link.
        static func removeChildren(of directory: String) {
            for name in (try? SystemCalls.directoryNames(atPath: directory).get()) ?? [] {
                TemporaryTree.remove(directory + "/" + name)
            }
        }
    }

    /// Writes `message` to standard error.
    func say(_ message: String) {
        var bytes = Array(message.utf8)
        if bytes.last != 0x0A { bytes.append(0x0A) }
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
#endif
