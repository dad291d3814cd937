/// A change seen on hosts of one image, and what to do about it.
package struct FleetChange: Sendable {
    package var image: String
    package var change: HostChange
    package var hosts: [String]
    package var verdict: FleetVerdict
}
