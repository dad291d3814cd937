import Glibc

/// The baselines directory (default `baselines/`): signed baselines, one per image id. Only manifests whose
/// signature verifies with a trusted key are considered; others are skipped and reported.
package struct BaselineStore {
    /// One verified baseline's facts.
    package struct Entry: Sendable {
        package var path: String
        package var header: ManifestHeader
    }

    package let directory: String
    package private(set) var entries: [Entry] = []
    /// Files that looked like baselines but did not verify or parse, with why.
    package private(set) var skipped: [String] = []

    /// Reads the headers of every verifiable `*.jsonl` in `directory`.
    init(directory: String, trustedKeys: [Ed25519Key]) throws(DriftCheckError) {
        self.directory = directory
        let names: [String]
        switch SystemCalls.directoryNames(atPath: directory) {
        case .success(let found): names = found.filter { $0.hasSuffix(".jsonl") && !$0.hasPrefix(".") }
        case .failure(let error):
            throw DriftCheckError(.io, path: directory, "cannot open the baselines directory: \(error)")
        }
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            do {
                let reader = try ManifestReader.open(path, trustedKeys: trustedKeys)
                guard reader.header.role != .host else {
                    skipped.append("\(path): is a host manifest, not a baseline")
                    continue
                }
                entries.append(Entry(path: path, header: reader.header))
            } catch {
                skipped.append(error.description)
            }
        }
    }

    /// The newest baseline made for `image`, if any.
    package func baseline(for image: String) -> Entry? {
        entries.filter { $0.header.image == image }.max { $0.header.time < $1.header.time }
    }

    /// The newest baseline of the same image family made after `header`, if any.
    package func newer(than header: ManifestHeader) -> Entry? {
        guard let image = header.image else { return nil }
        let family = BaselineStore.family(of: image)
        return entries.filter { entry in
            guard let other = entry.header.image, other != image else { return false }
            return BaselineStore.family(of: other) == family && entry.header.time > header.time
        }.max { $0.header.time < $1.header.time }
    }

    /// The image family: the id without its trailing version, which starts at the last `-`, `:` or `_` followed by a
    /// digit ("web-2026.11" → "web", "ubuntu-22.04-web:7" → "ubuntu-22.04-web"); the whole id when it has none.
    package static func family(of image: String) -> String {
        let characters = Array(image)
        var index = characters.count - 2
        while index >= 0 {
            if "-:_".contains(characters[index]), characters[index + 1].isNumber {
                return String(characters[..<index])
            }
            index -= 1
        }
        return image
    }

    /// Whole days between an ISO 8601 UTC time ("2026-11-22T22:41:56Z") and `now` (seconds since the epoch).
    package static func days(since time: String, now: Int) -> Int? {
        guard let seconds = UTCTime.seconds(time) else { return nil }
        return max(0, (now - seconds) / 86_400)
    }
}
