/// A container image's filesystem built in memory from tar layers, as a scan of the unpacked tree would record it:
/// layers are applied in order, OCI whiteouts (`.wh.NAME`) and opaque markers (`.wh..wh..opq`) hide lower-layer
/// entries, hard links share their target's content. Nothing is written to disk, so no root is needed.
///
/// What extractors disagree on, or what would be written through a link, is refused rather than guessed: a `..`
/// component, a member below a symbolic link, a member whose parent was never created, a hard link to a missing
/// path or a directory, a whiteout of a path the same layer created.
final class ImageTree {
    struct Node {
        var entry: FileEntry
        /// Hard links share a group; the group's size is each member's link count.
        var linkGroup: Int? = nil
        /// The layer that last wrote this path (whiteouts affect lower layers only).
        var layer: Int
    }

    private(set) var nodes: [[UInt8]: Node] = [:]
    /// Content kept for the collectors (package databases, accounts, units …), by path.
    private(set) var contents: [[UInt8]: [UInt8]] = [:]
    private var linkGroups: [Int: Int] = [:]
    private var nextLinkGroup = 0
    private var layer = 0
    private let source: String
    /// Which paths' content the collectors need.
    private let keepContent: ([UInt8], Int64) -> Bool
    static let slash = UInt8(ascii: "/")
    static let keptContentLimit = 64 << 20
    /// All kept content together: a hostile image cannot make the reader hold more than this.
    static let keptTotalLimit = 256 << 20
    private var keptTotal = 0

    init(source: String, keepContent: @escaping ([UInt8], Int64) -> Bool) {
        self.source = source
        self.keepContent = keepContent
        var root = FileEntry(
            path: [Self.slash], type: .dir, permissions: 0o755, uid: 0, gid: 0, size: 0,
            modified: Timestamp(seconds: 0, nanoseconds: 0), changed: Timestamp(seconds: 0, nanoseconds: 0))
        root.linkCount = 2
        nodes[[Self.slash]] = Node(entry: root, layer: 0)
    }

    private func refuse(_ name: [UInt8], _ why: String) -> DriftCheckError {
        DriftCheckError(.malformed, path: source, "\(TerminalText.escape(name)): \(why)")
    }

    /// "/etc/passwd" for "./etc/passwd", "etc/passwd/", "/etc//passwd"; refuses `..`.
    func normalize(_ name: [UInt8]) throws(DriftCheckError) -> [UInt8] {
        guard !name.contains(0) else { throw refuse(name, "a NUL byte in the name") }
        var path: [UInt8] = []
        for component in name.split(separator: Self.slash) where component != [UInt8(ascii: ".")] {
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                throw refuse(name, "a '..' component")
            }
            path.append(Self.slash)
            path.append(contentsOf: component)
        }
        return path.isEmpty ? [Self.slash] : path
    }

    static func parent(of path: [UInt8]) -> [UInt8] {
        guard let slash = path.lastIndex(of: slash), slash > 0 else { return [Self.slash] }
        return Array(path[..<slash])
    }

    /// Reads one layer (or a flat export) and applies it.
    func apply(_ reader: TarReader) throws(DriftCheckError) {
        layer += 1
        while let member = try reader.next() {
            try apply(member, from: reader)
        }
    }

    private func apply(_ member: TarMember, from reader: TarReader) throws(DriftCheckError) {
        let path = try normalize(member.name)
        let parent = Self.parent(of: path)
        let base = Array(path[(path.lastIndex(of: Self.slash)! + 1)...])
        let whiteout = Array(".wh.".utf8)
        let opaque = Array(".wh..wh..opq".utf8)
        // AUFS bookkeeping (.wh..wh.plnk/, .wh..wh.aufs …) is never part of the filesystem.
        let components = path.split(separator: Self.slash)
        if components.contains(where: { $0.starts(with: Array(".wh..wh.".utf8)) && !$0.elementsEqual(opaque) }) {
            return  // its data, if any, is skipped by the next read
        }
        if base.starts(with: whiteout) {
            try applyWhiteout(member, path: path, parent: parent, base: base)
            return
        }
        if path != [Self.slash] {
            switch nodes[parent]?.entry.type {
            case .dir?: break
            case .symlink?: throw refuse(member.name, "below a symbolic link (it would be written through the link)")
            case nil: throw refuse(member.name, "its parent directory was never created")
            default: throw refuse(member.name, "its parent is not a directory")
            }
        }
        var entry = FileEntry(
            path: path, type: .file, permissions: member.permissions, uid: member.uid, gid: member.gid, size: 0,
            modified: member.modified, changed: member.modified)
        if FileEntry.recordsCapabilities(permissions: member.permissions) {
            entry.capabilities = member.extendedAttributes["security.capability"]
        }
        var group: Int? = nil
        var content: [UInt8]? = nil
        switch member.kind {
        case .directory: entry.type = .dir
        case .symlink:
            entry.type = .symlink
            entry.target = member.linkName
            entry.size = Int64(member.linkName.count)
        case .fifo: entry.type = .fifo
        case .char, .block:
            entry.type = member.kind == .char ? .char : .block
            entry.deviceNumber = Self.deviceNumber(major: member.deviceMajor, minor: member.deviceMinor)
        case .hardLink:
            let targetPath = try normalize(member.linkName)
            guard let target = nodes[targetPath] else { throw refuse(member.name, "a hard link to a missing path") }
            guard target.entry.type == .file else { throw refuse(member.name, "a hard link to a non-file") }
            if targetPath == path { return }
            entry = target.entry
            entry.path = path
            group = target.linkGroup ?? newLinkGroup(for: targetPath)
            linkGroups[group!, default: 1] += 1
            content = contents[targetPath]
        case .file:
            entry.size = member.size
            let digest = StreamDigest(size: member.size)
            let keep = member.size <= Int64(Self.keptContentLimit) && keepContent(path, member.size)
            var kept: [UInt8] = []
            try reader.readContent { chunk in
                digest.update(chunk)
                if keep { kept.append(contentsOf: chunk) }
            }
            entry.sha256 = digest.finish()
            entry.blockDigest = digest.isBlockDigest
            if keep {
                keptTotal += kept.count
                guard keptTotal <= Self.keptTotalLimit else {
                    throw refuse(member.name, "the files the collectors read exceed \(Self.keptTotalLimit >> 20) MiB")
                }
                content = kept
            }
        }
        if path == [Self.slash] && entry.type != .dir { throw refuse(member.name, "the root is not a directory") }
        if let existing = nodes[path] {
            // A directory over a directory keeps its children; anything else replaces the whole subtree.
            if !(existing.entry.type == .dir && entry.type == .dir) { removeSubtree(path) } else { release(existing) }
        }
        nodes[path] = Node(entry: entry, linkGroup: group, layer: layer)
        contents[path] = content
    }

    /// A whiteout hides a lower layer's path; an opaque marker empties its directory of lower layers' entries.
    /// Both act on lower layers only, so their place in the layer does not matter, except in the two cases where
    /// extractors disagree, which are refused.
    private func applyWhiteout(_ member: TarMember, path: [UInt8], parent: [UInt8], base: [UInt8])
        throws(DriftCheckError)
    {
        if base.elementsEqual(Array(".wh..wh..opq".utf8)) {
            guard nodes[parent]?.entry.type == .dir else { return }
            hideLowerLayers(below: parent)
            return
        }
        let name = Array(base.dropFirst(4))
        let hidden = parent == [Self.slash] ? [Self.slash] + name : parent + [Self.slash] + name
        if let node = nodes[hidden], node.layer == layer {
            throw refuse(member.name, "a whiteout of a path the same layer created (extractors disagree)")
        }
        // Below a symbolic link, a whiteout names nothing in the tree; extractors that apply it through the
        // filesystem would delete the link's target instead, so one that would hit something is refused.
        if let resolved = resolve(parent), resolved.crossedLink {
            let target = resolved.path == [Self.slash] ? [Self.slash] + name : resolved.path + [Self.slash] + name
            if nodes[target] != nil {
                throw refuse(member.name, "a whiteout below a symbolic link (extractors would delete its target)")
            }
            return
        }
        removeSubtree(hidden)
    }

    /// `path` with symbolic links followed inside the tree (absolute targets from the image's root), and whether a
    /// link was crossed; nil when it dangles or loops.
    private func resolve(_ path: [UInt8]) -> (path: [UInt8], crossedLink: Bool)? {
        var done: [UInt8] = []
        var rest = path.split(separator: Self.slash).map(Array.init)
        var crossed = false
        var hops = 40
        while !rest.isEmpty {
            let part = rest.removeFirst()
            if part == [UInt8(ascii: ".")] { continue }
            if part == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                if let slash = done.lastIndex(of: Self.slash) { done = Array(done[..<slash]) }
                continue
            }
            let next = done + [Self.slash] + part
            guard let node = nodes[next] else { return nil }
            if node.entry.type == .symlink, let target = node.entry.target {
                hops -= 1
                if hops < 0 { return nil }
                if target.first == Self.slash { done = [] }
                rest = target.split(separator: Self.slash).map(Array.init) + rest
                crossed = true
                continue
            }
            done = next
        }
        return (done.isEmpty ? [Self.slash] : done, crossed)
    }

    private func newLinkGroup(for path: [UInt8]) -> Int {
        nextLinkGroup += 1
        nodes[path]?.linkGroup = nextLinkGroup
        linkGroups[nextLinkGroup] = 1
        return nextLinkGroup
    }

    private func release(_ node: Node) {
        if let group = node.linkGroup { linkGroups[group, default: 1] -= 1 }
    }

    /// An opaque directory: every lower layer's entry below it goes, at any depth, except the directories that hold
    /// this layer's own entries (whatever their place in the layer relative to the marker).
    private func hideLowerLayers(below directory: [UInt8]) {
        let prefix = directory == [Self.slash] ? [Self.slash] : directory + [Self.slash]
        let below = nodes.keys.filter { $0.count > prefix.count && $0.starts(with: prefix) }
        let current = below.filter { nodes[$0]?.layer == layer }
        for key in below where nodes[key]?.layer != layer {
            let holdsCurrent =
                nodes[key]?.entry.type == .dir && current.contains { $0.starts(with: key + [Self.slash]) }
            if !holdsCurrent, let node = nodes.removeValue(forKey: key) {
                release(node)
                contents[key] = nil
            }
        }
    }

    private func removeSubtree(_ path: [UInt8]) {
        guard path != [Self.slash] else { return }
        // Only a directory has anything below it: a file is one key, not a walk over the whole tree.
        if let node = nodes[path], node.entry.type != .dir {
            nodes[path] = nil
            release(node)
            contents[path] = nil
            return
        }
        let prefix = path + [Self.slash]
        for key in nodes.keys where key == path || key.starts(with: prefix) {
            if let node = nodes.removeValue(forKey: key) { release(node) }
            contents[key] = nil
        }
    }

    /// `makedev` as glibc encodes it.
    static func deviceNumber(major: UInt64, minor: UInt64) -> UInt64 {
        (major & 0xFFF) << 8 | (major & ~0xFFF) << 32 | (minor & 0xFF) | (minor & ~0xFF) << 12
    }

    /// Every entry in canonical order, with link counts as Linux reports them (a directory: 2 plus its
    /// subdirectories; a file: the size of its hard-link group) and inode numbers standing for identity.
    func entries() -> [FileEntry] {
        var subdirectories: [[UInt8]: UInt64] = [:]
        for (path, node) in nodes where node.entry.type == .dir && path != [Self.slash] {
            subdirectories[Self.parent(of: path), default: 0] += 1
        }
        let sorted = nodes.keys.sorted { CanonicalOrder.precedes($0, $1) }
        var groupInodes: [Int: UInt64] = [:]
        var result: [FileEntry] = []
        result.reserveCapacity(sorted.count)
        for (index, path) in sorted.enumerated() {
            let node = nodes[path]!
            var entry = node.entry
            entry.device = 0
            entry.inode = UInt64(index + 1)
            switch entry.type {
            case .dir: entry.linkCount = 2 + (subdirectories[path] ?? 0)
            default: entry.linkCount = 1
            }
            if let group = node.linkGroup {
                entry.linkCount = UInt64(max(1, linkGroups[group] ?? 1))
                if let inode = groupInodes[group] { entry.inode = inode } else { groupInodes[group] = entry.inode }
            }
            result.append(entry)
        }
        return result
    }
}
