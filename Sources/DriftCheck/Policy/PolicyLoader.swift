/// Loads the effective policy: a policy file's rules first, then (unless it says `defaults: false`) the built-in
/// defaults; or the defaults alone.
package enum PolicyLoader {
    package static func load(_ path: String?) throws(DriftCheckError) -> Policy {
        guard let path else { return DefaultPolicy.policy }
        let bytes = try MappedFile.contents(of: path)
        guard TerminalText.isValidUTF8(bytes) else {
            throw DriftCheckError(.malformed, path: path, "not UTF-8 text")
        }
        var (policy, defaults) = try PolicyParser.parse(String(decoding: bytes, as: UTF8.self), path: path)
        if defaults {
            let builtIn = DefaultPolicy.policy
            policy.appendDefaults(builtIn)
        }
        return policy
    }
}
