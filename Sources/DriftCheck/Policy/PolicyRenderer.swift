/// Prints a policy as YAML that `PolicyParser` reads back (what `driftcheck policy show` prints), and digests it.
package enum PolicyRenderer {
    private static func quote(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default:
                // YAML allows none of these raw in a double-quoted scalar (C0, DEL, C1, line and paragraph
                // separators, the byte-order mark, non-characters): escape them so the output reads back.
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                    || value == 0xFEFF || value == 0xFFFE || value == 0xFFFF
                {
                    let hex = String(value, radix: 16, uppercase: true)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(escaped)\""
    }

    private static func list(_ items: [String]) -> String {
        "[" + items.map(quote).joined(separator: ", ") + "]"
    }

    /// The effective policy as YAML, rules in evaluation order, each with a comment saying where it came from.
    package static func yaml(_ policy: Policy, annotated: Bool = true) -> String {
        var lines = ["version: 1", "defaults: false", "rules:"]
        if annotated {
            lines.insert(
                contentsOf: [
                    "# effective driftcheck policy; sources: \(policy.sources.map(quote).joined(separator: ", "))",
                    "# rules: first match wins",
                ], at: 0)
        }
        for rule in policy.rules {
            var parts: [String] = []
            if let path = rule.path { parts.append("path: \(quote(path.pattern))") }
            if let kind = rule.kind { parts.append("kind: \(kind)") }
            if let name = rule.name { parts.append("name: \(quote(name.pattern))") }
            if !rule.changes.isEmpty { parts.append("changes: \(list(rule.changes.map(\.rawValue)))") }
            if let quiets = rule.quiets { parts.append("quiets: \(list(quiets.map(\.rawValue)))") }
            if rule.data { parts.append("data: true") }
            if !rule.allowedPrivileges.isEmpty {
                parts.append("allow_privilege: \(list(rule.allowedPrivileges.map(\.rawValue)))")
            }
            if rule.ignore { parts.append("ignore: true") }
            if let watch = rule.watch { parts.append("watch: \(list(watch))") }
            if let severity = rule.severity { parts.append("severity: \(severity.name)") }
            lines.append("  - {\(parts.joined(separator: ", "))}" + (annotated ? "  # \(rule.origin)" : ""))
        }
        if policy.rules.isEmpty { lines[lines.count - 1] = "rules: []" }
        if !policy.managed.isEmpty {
            lines.append("managed:")
            for declaration in policy.managed {
                var parts = ["tool: \(quote(declaration.tool))"]
                if !declaration.paths.isEmpty { parts.append("paths: \(list(declaration.paths.map(\.pattern)))") }
                if !declaration.packages.isEmpty {
                    parts.append("packages: \(list(declaration.packages.map(\.pattern)))")
                }
                if !declaration.services.isEmpty {
                    parts.append("services: \(list(declaration.services.map(\.pattern)))")
                }
                lines.append("  - {\(parts.joined(separator: ", "))}")
            }
        }
        lines.append("allow:")
        lines.append("  port: \(list(policy.allowedPorts))")
        lines.append("  module: \(list(policy.allowedModules))")
        lines.append("rebuild:")
        lines.append("  on: \(policy.rebuild.severity.name)")
        lines.append("  max_age_days: \(policy.rebuild.maximumAgeDays)")
        lines.append("  when_superseded: \(policy.rebuild.whenSuperseded)")
        let content = policy.effectiveContent
        lines.append("content:")
        lines.append("  paths: \(list(content.paths.map(\.pattern)))")
        lines.append("  max_size: \(content.maximumSize)")
        lines.append("  never: \(list(content.never.map(\.pattern)))")
        lines.append("full_rehash:")
        lines.append("  every_runs: \(policy.fullRehashEveryRuns)")
        lines.append("  every_days: \(policy.fullRehashEveryDays)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// SHA-256 (hex) of the effective policy's rules and settings (origins and comments excluded), recorded in
    /// manifests and reports so a report says which policy judged it.
    package static func digest(_ policy: Policy) -> String {
        Array(yaml(policy, annotated: false).utf8).withUnsafeBytes { Hex.encode(SHA256Hasher.digest($0)) }
    }
}
