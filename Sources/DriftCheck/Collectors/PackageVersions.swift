/// Version ordering by each package manager's own rules, so a report can say "upgraded" or "downgraded".
package enum PackageVersions {
    /// `upgraded` or `downgraded` when two package records of the same manager differ in version; nil when the
    /// manager is unknown or the versions compare equal.
    package static func direction(from old: RecordEntry, to new: RecordEntry) -> ChangeKind? {
        guard let manager = new.text("manager"), old.text("manager") == manager,
            let before = old.text("version"), let after = new.text("version")
        else { return nil }
        let order: Int
        switch manager {
        case "dpkg": order = dpkg(before, after)
        case "rpm": order = rpm(before, after)
        case "apk": order = apk(before, after)
        default: return nil
        }
        return order < 0 ? .upgraded : order > 0 ? .downgraded : nil
    }

    // MARK: dpkg (deb-version(7): [epoch:]upstream[-revision], '~' sorts before everything, even the end)

    /// Negative, zero or positive as dpkg orders `a` before, equal to or after `b`.
    package static func dpkg(_ a: String, _ b: String) -> Int {
        let left = splitEpochVersion(a)
        let right = splitEpochVersion(b)
        if left.epoch != right.epoch { return left.epoch < right.epoch ? -1 : 1 }
        let upstream = dpkgCompareFragment(left.main, right.main)
        if upstream != 0 { return upstream }
        return dpkgCompareFragment(left.suffix, right.suffix)
    }

    /// Splits `[epoch:]main[-suffix]` — dpkg's upstream and revision, rpm's version and release: the epoch before
    /// the first colon (0 when absent), the suffix after the last dash (empty when absent).
    private static func splitEpochVersion(_ version: String) -> (epoch: Int, main: [UInt8], suffix: [UInt8]) {
        var bytes = Array(version.utf8)
        var epoch = 0
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            epoch = Int(String(decoding: bytes[..<colon], as: UTF8.self)) ?? 0
            bytes = Array(bytes[(colon + 1)...])
        }
        if let dash = bytes.lastIndex(of: UInt8(ascii: "-")) {
            return (epoch, Array(bytes[..<dash]), Array(bytes[(dash + 1)...]))
        }
        return (epoch, bytes, [])
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private static func dpkgOrder(_ byte: UInt8?) -> Int {
        guard let byte else { return 0 }
        if isDigit(byte) { return 0 }
        if isAlpha(byte) { return Int(byte) }
        if byte == UInt8(ascii: "~") { return -1 }
        return Int(byte) + 256
    }

    private static func dpkgCompareFragment(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            var firstDifference = 0
            while (i < a.count && !isDigit(a[i])) || (j < b.count && !isDigit(b[j])) {
                let left = dpkgOrder(i < a.count ? a[i] : nil)
                let right = dpkgOrder(j < b.count ? b[j] : nil)
                if left != right { return left - right }
                i += 1
                j += 1
            }
            while i < a.count && a[i] == UInt8(ascii: "0") { i += 1 }
            while j < b.count && b[j] == UInt8(ascii: "0") { j += 1 }
            while i < a.count && isDigit(a[i]) && j < b.count && isDigit(b[j]) {
                if firstDifference == 0 { firstDifference = Int(a[i]) - Int(b[j]) }
                i += 1
                j += 1
            }
            if i < a.count && isDigit(a[i]) { return 1 }
            if j < b.count && isDigit(b[j]) { return -1 }
            if firstDifference != 0 { return firstDifference }
        }
        return 0
    }

    // MARK: rpm ([epoch:]version-release, compared with rpmvercmp: '~' before everything, '^' after the end)

    /// Negative, zero or positive as rpm orders the EVR `a` before, equal to or after `b`.
    package static func rpm(_ a: String, _ b: String) -> Int {
        let left = splitEpochVersion(a)
        let right = splitEpochVersion(b)
        if left.epoch != right.epoch { return left.epoch < right.epoch ? -1 : 1 }
        let version = rpmvercmp(left.main, right.main)
        if version != 0 { return version }
        return rpmvercmp(left.suffix, right.suffix)
    }

    /// rpm's `rpmvercmp`, segment by segment.
    package static func rpmvercmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        var i = 0
        var j = 0
        let tilde = UInt8(ascii: "~")
        let caret = UInt8(ascii: "^")
        func isSeparator(_ byte: UInt8) -> Bool { !isDigit(byte) && !isAlpha(byte) && byte != tilde && byte != caret }
        while i < a.count || j < b.count {
            while i < a.count && isSeparator(a[i]) { i += 1 }
            while j < b.count && isSeparator(b[j]) { j += 1 }
            let left: UInt8? = i < a.count ? a[i] : nil
            let right: UInt8? = j < b.count ? b[j] : nil
            if left == tilde || right == tilde {
                if left != tilde { return 1 }
                if right != tilde { return -1 }
                i += 1
                j += 1
                continue
            }
            if left == caret || right == caret {
                if left == nil { return -1 }
                if right == nil { return 1 }
                if left != caret { return 1 }
                if right != caret { return -1 }
                i += 1
                j += 1
                continue
            }
            guard let first = left, right != nil else { break }
            var endA = i
            var endB = j
            let numeric = isDigit(first)
            func inSegment(_ byte: UInt8) -> Bool { numeric ? isDigit(byte) : isAlpha(byte) }
            while endA < a.count && inSegment(a[endA]) { endA += 1 }
            while endB < b.count && inSegment(b[endB]) { endB += 1 }
            if endB == j { return numeric ? 1 : -1 }
            var segmentA = Array(a[i..<endA])
            var segmentB = Array(b[j..<endB])
            if numeric {
                while segmentA.first == UInt8(ascii: "0") { segmentA.removeFirst() }
                while segmentB.first == UInt8(ascii: "0") { segmentB.removeFirst() }
                if segmentA.count != segmentB.count { return segmentA.count > segmentB.count ? 1 : -1 }
            }
            if segmentA != segmentB { return segmentA.lexicographicallyPrecedes(segmentB) ? -1 : 1 }
            i = endA
            j = endB
        }
        if i >= a.count && j >= b.count { return 0 }
        return i < a.count ? 1 : -1
    }

    // MARK: apk (digits{.digits}[letter]{_suffix[digits]}[-rN], as apk-tools orders them)

    private enum ApkToken: Equatable {
        case number(String)
        case letter(UInt8)
        case suffix(Int, String)
        case revision(String)
        case end
    }

    private static let apkPreSuffixes = ["alpha", "beta", "pre", "rc"]
    private static let apkPostSuffixes = ["cvs", "svn", "git", "hg", "p"]

    private static func apkTokens(_ version: String) -> [ApkToken] {
        let bytes = Array(version.utf8)
        var tokens: [ApkToken] = []
        var index = 0
        func digits() -> String {
            let start = index
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if isDigit(byte) {
                tokens.append(.number(digits()))
            } else if byte == UInt8(ascii: ".") {
                index += 1
            } else if isAlpha(byte) {
                tokens.append(.letter(byte))
                index += 1
            } else if byte == UInt8(ascii: "_") {
                index += 1
                let start = index
                while index < bytes.count && isAlpha(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[start..<index], as: UTF8.self)
                let rank: Int
                if let pre = apkPreSuffixes.firstIndex(of: name) {
                    rank = pre - apkPreSuffixes.count
                } else if let post = apkPostSuffixes.firstIndex(of: name) {
                    rank = post + 1
                } else {
                    rank = 0
                }
                tokens.append(.suffix(rank, digits()))
            } else if byte == UInt8(ascii: "-") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "r") {
                index += 2
                tokens.append(.revision(digits()))
            } else {
                index += 1
            }
        }
        tokens.append(.end)
        return tokens
    }

    private static func compareNumbers(_ a: String, _ b: String) -> Int {
        let left = a.drop { $0 == "0" }
        let right = b.drop { $0 == "0" }
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        return left == right ? 0 : (left < right ? -1 : 1)
    }

    /// A rank for a token kind at the same position: a pre-release suffix sorts before the end of the version,
    /// a letter or post-release suffix after it.
    private static func apkRank(_ token: ApkToken) -> Int {
        switch token {
        case .suffix(let rank, _) where rank < 0: return -1
        case .end: return 0
        case .revision: return 1
        case .suffix: return 2
        case .letter: return 3
        case .number: return 4
        }
    }

    /// Negative, zero or positive as apk orders `a` before, equal to or after `b`.
    package static func apk(_ a: String, _ b: String) -> Int {
        let left = apkTokens(a)
        let right = apkTokens(b)
        for (x, y) in zip(left, right) {
            switch (x, y) {
            case (.number(let m), .number(let n)), (.revision(let m), .revision(let n)):
                let order = compareNumbers(m, n)
                if order != 0 { return order }
            case (.letter(let m), .letter(let n)):
                if m != n { return m < n ? -1 : 1 }
            case (.suffix(let m, let p), .suffix(let n, let q)):
                if m != n { return m < n ? -1 : 1 }
                let order = compareNumbers(p, q)
                if order != 0 { return order }
            case (.end, .end):
                return 0
            default:
                return apkRank(x) < apkRank(y) ? -1 : 1
            }
        }
        return 0
    }
}
