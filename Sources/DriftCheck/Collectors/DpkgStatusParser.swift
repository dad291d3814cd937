/// One package paragraph of dpkg's status file.
package struct DpkgPackage: Equatable, Sendable {
    package var name: String
    package var version: String
    package var architecture: String
    package var status: String
    package var multiArch: String?
    /// Conffile paths declared by the package (with their md5 and an "obsolete" flag dropped).
    package var conffiles: [String]

    /// The name dpkg itself prints: `name:arch` for Multi-Arch: same packages, else `name`.
    package var qualifiedName: String {
        multiArch == "same" ? "\(name):\(architecture)" : name
    }

    /// The third word of Status ("installed", "config-files", "half-installed" …).
    package var state: String { status.split(separator: " ").last.map(String.init) ?? "" }
}

/// Parses `var/lib/dpkg/status` as dpkg writes it (deb822 paragraphs: `Field: value`, continuation lines start with
/// a space or tab, blank lines between paragraphs). Any byte sequence gives a list of packages; malformed
/// paragraphs (no Package field) are skipped.
package enum DpkgStatusParser {
    package static func parse(_ bytes: [UInt8]) -> [DpkgPackage] {
        var packages: [DpkgPackage] = []
        var fields: [String: String] = [:]
        var conffiles: [String] = []
        var current: String? = nil
        func finish() {
            defer {
                fields = [:]
                conffiles = []
                current = nil
            }
            guard let name = fields["package"], !name.isEmpty else { return }
            packages.append(
                DpkgPackage(
                    name: name, version: fields["version"] ?? "", architecture: fields["architecture"] ?? "",
                    status: fields["status"] ?? "", multiArch: fields["multi-arch"], conffiles: conffiles))
        }
        for line in TextLines.lines(bytes) {
            if TextLines.trim(line).isEmpty {
                finish()
                continue
            }
            if line.first == " " || line.first == "\t" {
                if current == "conffiles" {
                    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                    if let path = words.first, path.hasPrefix("/") { conffiles.append(String(path)) }
                }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                current = nil
                continue
            }
            let key = line[..<colon].lowercased()
            let value = String(TextLines.trim(line[line.index(after: colon)...]))
            current = key
            fields[key] = value
        }
        finish()
        return packages
    }
}
