/// One package of apk's installed database.
package struct ApkPackage: Equatable, Sendable {
    package var name: String
    package var version: String
    package var architecture: String
    /// Installed paths, absolute ("/usr/bin/busybox").
    package var files: [String]
}

/// Parses `lib/apk/db/installed` as apk-tools writes it: one `X:value` line per field, packages separated by blank
/// lines; `P` name, `V` version, `A` arch, `F` a directory, `R` a file in the last `F` directory.
package enum ApkInstalledParser {
    package static func parse(_ bytes: [UInt8]) -> [ApkPackage] {
        var packages: [ApkPackage] = []
        var current = ApkPackage(name: "", version: "", architecture: "", files: [])
        var directory = ""
        func finish() {
            if !current.name.isEmpty { packages.append(current) }
            current = ApkPackage(name: "", version: "", architecture: "", files: [])
            directory = ""
        }
        for line in TextLines.lines(bytes) {
            if line.isEmpty {
                finish()
                continue
            }
            guard line.count >= 2, line.dropFirst().first == ":" else { continue }
            let value = String(line.dropFirst(2))
            switch line.first {
            case "P": current.name = value
            case "V": current.version = value
            case "A": current.architecture = value
            case "F":
                directory = value
                current.files.append("/" + value)
            case "R": current.files.append(directory.isEmpty ? "/" + value : "/\(directory)/\(value)")
            default: break
            }
        }
        finish()
        return packages
    }
}
