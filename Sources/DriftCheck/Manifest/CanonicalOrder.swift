/// The manifest's canonical order of names: component by component, each compared as raw bytes.
///
/// `a/b` sorts with its directory `a`, before `a.b`. Because no name holds a NUL byte, this is byte order with
/// `/` counted as lower than every other byte, which is exactly the order of a depth-first walk that visits
/// each directory's children sorted by their bytes.
package enum CanonicalOrder {
    /// True when `lhs` sorts strictly before `rhs`.
    package static func precedes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Negative, zero or positive as `lhs` sorts before, equal to or after `rhs`.
    package static func compare(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        lhs.withUnsafeBufferPointer { left in
            rhs.withUnsafeBufferPointer { right in
                let count = min(left.count, right.count)
                var index = 0
                while index < count {
                    let a = left[index]
                    let b = right[index]
                    if a != b {
                        let rankA = a == UInt8(ascii: "/") ? 0 : Int(a)
                        let rankB = b == UInt8(ascii: "/") ? 0 : Int(b)
                        return rankA - rankB
                    }
                    index += 1
                }
                return left.count - right.count
            }
        }
    }

    /// Plain byte order, used to sort the names inside one directory.
    package static func bytesPrecede(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.lexicographicallyPrecedes(rhs)
    }
}
