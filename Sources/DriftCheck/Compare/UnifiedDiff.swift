/// What changed inside a text file kept in both manifests, as a unified diff (`diff -u`, three lines of context,
/// `a/PATH` the baseline, `b/PATH` the host, so `patch -p1` applies it to an image's root), bounded in size.
package struct UnifiedDiff: Equatable, Sendable {
    /// The diff: header lines, then hunks. Valid UTF-8 (both sides are text the manifest kept); control characters
    /// are left for each renderer to escape.
    package var text: String
    /// Lines added and removed (all of them, also when the text is cut short).
    package var added: Int
    package var removed: Int
    /// True when `text` stops before the end of the diff (``maximumLines``, ``maximumBytes``).
    package var truncated: Bool

    /// Bounds on what a report carries per file.
    package static let maximumLines = 400
    package static let maximumBytes = 32 * 1024
    /// Longer lines are cut, with "…".
    static let maximumLineBytes = 512
    /// Edit distance beyond which two files count as rewritten (all old lines removed, all new ones added), so a
    /// diff costs at most about this squared in time and memory.
    static let maximumEdits = 1000
    /// Files with more lines than this (after the common prefix and suffix) count as rewritten: with
    /// ``maximumEdits``, a diff costs at most about 16 million steps.
    static let maximumMiddleLines = 8000
    static let context = 3

    /// One line of either file, without its newline.
    private struct Line {
        var bytes: ArraySlice<UInt8>
        /// The last line of a file that does not end in a newline.
        var unterminated: Bool
    }

    private enum Edit {
        case keep(old: Int, new: Int)
        case remove(old: Int)
        case add(new: Int)

        var isChange: Bool {
            if case .keep = self { return false }
            return true
        }
    }

    /// The diff of two versions of the text file at `path`: `old` nil for a new file, `new` nil for a removed one.
    /// Nil when both are nil or equal.
    package static func between(_ old: [UInt8]?, _ new: [UInt8]?, path: [UInt8]) -> UnifiedDiff? {
        guard old != nil || new != nil, old != new else { return nil }
        let a = lines(old ?? [])
        let b = lines(new ?? [])
        // Lines as numbers, equal numbers for equal lines (a missing final newline makes a line differ).
        var numbers: [[UInt8]: Int] = [:]
        func number(_ line: Line) -> Int {
            var key = Array(line.bytes)
            if line.unterminated { key.append(0) }  // no text line holds a NUL
            if let known = numbers[key] { return known }
            numbers[key] = numbers.count
            return numbers.count - 1
        }
        let edits = Self.edits(a.map(number), b.map(number))
        // Escaped: a newline in a name must not forge lines of the diff.
        let name = TerminalText.escape(Array(path.first == UInt8(ascii: "/") ? path.dropFirst() : path[...]))
        var output = Output()
        output.append(old == nil ? "--- /dev/null" : "--- a/\(name)")
        output.append(new == nil ? "+++ /dev/null" : "+++ b/\(name)")
        var added = 0
        var removed = 0
        for edit in edits {
            if case .add = edit { added += 1 }
            if case .remove = edit { removed += 1 }
        }
        // Lines of each side before each edit.
        var oldBefore: [Int] = []
        var newBefore: [Int] = []
        var (olds, news) = (0, 0)
        for edit in edits {
            oldBefore.append(olds)
            newBefore.append(news)
            if oldIndex(edit) != nil { olds += 1 }
            if newIndex(edit) != nil { news += 1 }
        }
        for hunk in hunks(edits) {
            let slice = edits[hunk]
            let (oldStart, newStart) = (oldBefore[hunk.lowerBound], newBefore[hunk.lowerBound])
            let oldCount = slice.filter { Self.oldIndex($0) != nil }.count
            let newCount = slice.filter { Self.newIndex($0) != nil }.count
            output.append(
                "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@")
            for edit in slice {
                let (marker, line): (String, Line) =
                    switch edit {
                    case .keep(let o, _): (" ", a[o])
                    case .remove(let o): ("-", a[o])
                    case .add(let n): ("+", b[n])
                    }
                output.append(marker + Self.text(line.bytes))
                if line.unterminated { output.append("\\ No newline at end of file") }
            }
        }
        return UnifiedDiff(
            text: output.text, added: added, removed: removed, truncated: output.truncated)
    }

    /// "START,COUNT" as diff writes it: START is 1-based, or the line before when COUNT is 0.
    private static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : "\(start + 1),\(count)"
    }

    private static func oldIndex(_ edit: Edit) -> Int? {
        switch edit {
        case .keep(let o, _), .remove(let o): o
        case .add: nil
        }
    }

    private static func newIndex(_ edit: Edit) -> Int? {
        switch edit {
        case .keep(_, let n), .add(let n): n
        case .remove: nil
        }
    }

    /// The diff text under construction, cut at the bounds.
    private struct Output {
        var text = ""
        var lines = 0
        var truncated = false
        var skipped = 0

        mutating func append(_ line: String) {
            if truncated {
                skipped += 1
                return
            }
            if lines >= UnifiedDiff.maximumLines || text.utf8.count + line.utf8.count + 1 > UnifiedDiff.maximumBytes {
                truncated = true
                skipped = 1
                return
            }
            text += line + "\n"
            lines += 1
        }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.count > maximumLineBytes else { return String(decoding: bytes, as: UTF8.self) }
        // Cut at a character boundary.
        var line = String(decoding: bytes.prefix(maximumLineBytes), as: UTF8.self)
        if line.last == "\u{FFFD}" { line.removeLast() }
        return line + "…"
    }

    private static func lines(_ bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            result.append(Line(bytes: bytes[start..<index], unterminated: false))
            start = index + 1
        }
        if start < bytes.count { result.append(Line(bytes: bytes[start...], unterminated: true)) }
        return result
    }

    /// The ranges of `edits` that make hunks: each change with `context` unchanged lines around it, merged when
    /// they touch.
    private static func hunks(_ edits: [Edit]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for index in edits.indices where edits[index].isChange {
            let lower = max(0, index - context)
            let upper = min(edits.count, index + context + 1)
            if let last = ranges.last, last.upperBound >= lower {
                ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, upper)
            } else {
                ranges.append(lower..<upper)
            }
        }
        return ranges
    }

    /// The shortest edit script from `a` to `b` (Myers' O(ND) algorithm) after the common prefix and suffix; when
    /// more than ``maximumEdits`` edits are needed, the middle counts as rewritten.
    private static func edits(_ a: [Int], _ b: [Int]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        var result = (0..<prefix).map { Edit.keep(old: $0, new: $0) }
        let oldMiddle = Array(a[prefix..<(a.count - suffix)])
        let newMiddle = Array(b[prefix..<(b.count - suffix)])
        if oldMiddle.count + newMiddle.count <= maximumMiddleLines * 2, let middle = myers(oldMiddle, newMiddle) {
            for edit in middle {
                switch edit {
                case .keep(let o, let n): result.append(.keep(old: o + prefix, new: n + prefix))
                case .remove(let o): result.append(.remove(old: o + prefix))
                case .add(let n): result.append(.add(new: n + prefix))
                }
            }
        } else {
            result += oldMiddle.indices.map { Edit.remove(old: $0 + prefix) }
            result += newMiddle.indices.map { Edit.add(new: $0 + prefix) }
        }
        for offset in 0..<suffix {
            result.append(.keep(old: a.count - suffix + offset, new: b.count - suffix + offset))
        }
        return result
    }

    /// Myers' algorithm with the furthest-reaching x of every diagonal kept per round for the way back; nil
    /// beyond ``maximumEdits``.
    private static func myers(_ a: [Int], _ b: [Int]) -> [Edit]? {
        let n = a.count
        let m = b.count
        if n == 0 || m == 0 {
            return a.indices.map { Edit.remove(old: $0) } + b.indices.map { Edit.add(new: $0) }
        }
        let limit = min(n + m, maximumEdits)
        // rounds[d][k + d + 1] is x on diagonal k after round d (k from -d-1 to d+1).
        var rounds: [[Int]] = []
        var previous: [Int] = []
        for d in 0...limit {
            var current = [Int](repeating: 0, count: 2 * d + 3)
            for k in stride(from: -d, through: d, by: 2) {
                let down = d == 0 || k == d ? 0 : previous[k + 1 + d]  // x on diagonal k+1 in round d-1
                let right = d == 0 || k == -d ? 0 : previous[k - 1 + d]  // x on diagonal k-1 in round d-1
                var x = (k == -d || (k != d && right < down)) ? down : right + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                current[k + d + 1] = x
                if x >= n && y >= m {
                    rounds.append(current)
                    return backtrack(rounds, n: n, m: m)
                }
            }
            rounds.append(current)
            previous = current
        }
        return nil
    }

    /// Walks the rounds back from (n, m) to (0, 0), collecting the edits in order.
    private static func backtrack(_ rounds: [[Int]], n: Int, m: Int) -> [Edit] {
        var edits: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: rounds.count - 1, through: 0, by: -1) {
            let k = x - y
            var previousX = 0
            var previousY = 0
            if d > 0 {
                let previous = rounds[d - 1]  // indexed k + (d - 1) + 1
                let down = (k + 1 >= -(d - 1) && k + 1 <= d - 1) ? previous[k + 1 + d] : -1
                let right = (k - 1 >= -(d - 1) && k - 1 <= d - 1) ? previous[k - 1 + d] : -1
                let previousK = (k == -d || (k != d && right < down)) ? k + 1 : k - 1
                previousX = previousK == k + 1 ? down : right
                previousY = previousX - previousK
            }
            while x > previousX && y > previousY {
                x -= 1
                y -= 1
                edits.append(.keep(old: x, new: y))
            }
            if d > 0 {
                if x == previousX {
                    y -= 1
                    edits.append(.add(new: y))
                } else {
                    x -= 1
                    edits.append(.remove(old: x))
                }
            }
            x = previousX
            y = previousY
        }
        return edits.reversed()
    }
}
