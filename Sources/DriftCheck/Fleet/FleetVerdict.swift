/// What to do about a change that hosts of one image made.
package enum FleetVerdict: String, Sendable {
    /// Most hosts of the image made it: bake it into the next image.
    case promote
    /// Only a few hosts made it: rebuild those hosts.
    case snowflake
}
