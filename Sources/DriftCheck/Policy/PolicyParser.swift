import Yams

/// Reads a policy file (YAML, parsed by Yams). Every error names the file and the line it is on.
package enum PolicyParser {
    private struct Failure: Error {
        let line: Int?
        let message: String
    }

    private static let topKeys: Set<String> = [
        "version", "rules", "allow", "rebuild", "full_rehash", "defaults", "managed", "content",
    ]
    private static let ruleKeys: Set<String> = [
        "path", "kind", "name", "changes", "quiets", "data", "allow_privilege", "ignore", "watch", "severity",
    ]
    private static let managedKeys: Set<String> = ["tool", "paths", "packages", "services"]
    /// The kinds a rule may select: every kind this version knows.
    private static let kinds = Set(EntryKind.reportOrder.map(\.name))

    /// Parses policy text. `defaults` receives whether the file asks for the built-in rules after its own.
    package static func parse(_ text: String, path: String) throws(DriftCheckError) -> (policy: Policy, defaults: Bool)
    {
        do {
            return try parseOrFail(text, path: path)
        } catch let failure as Failure {
            let location = failure.line.map { "line \($0): " } ?? ""
            throw DriftCheckError(.malformed, path: path, location + failure.message)
        } catch let error as YamlError {
            throw DriftCheckError(.malformed, path: path, describe(error))
        } catch {
            throw DriftCheckError(.malformed, path: path, "not YAML: \(error)")
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "line \(mark.line): not valid YAML: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "line \(context.mark.line): duplicated key \(duplicates.joined(separator: ", "))"
        default:
            return "not valid YAML: \(error)"
        }
    }

    private static func line(_ node: Node) -> Int? { node.mark?.line }

    private static func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw Failure(line: line(node), message: "\(what) must be a string")
        }
        return scalar.string
    }

    private static func strings(_ node: Node, _ what: String) throws -> [String] {
        if case .scalar = node { return [try string(node, what)] }
        guard case .sequence(let sequence) = node else {
            throw Failure(line: line(node), message: "\(what) must be a list of strings")
        }
        return try sequence.map { try string($0, what) }
    }

    private static func bool(_ node: Node, _ what: String) throws -> Bool {
        guard let value = node.bool else { throw Failure(line: line(node), message: "\(what) must be true or false") }
        return value
    }

    private static func severity(_ node: Node, _ what: String) throws -> Severity {
        let text = try string(node, what)
        guard let value = Severity(name: text) else {
            throw Failure(
                line: line(node), message: "\(what) \"\(text)\" is not one of critical, high, medium, low, info")
        }
        return value
    }

    private static func mapping(_ node: Node, _ what: String) throws -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw Failure(line: line(node), message: "\(what) must be a mapping")
        }
        return mapping
    }

    private static func parseOrFail(_ text: String, path: String) throws -> (policy: Policy, defaults: Bool) {
        var policy = Policy()
        policy.sources = [path]
        var defaults = true
        guard let root = try Yams.compose(yaml: text) else { return (policy, defaults) }
        for (keyNode, value) in try mapping(root, "the policy") {
            let key = try string(keyNode, "a key")
            switch key {
            case "version":
                guard try string(value, "version") == "1" else {
                    throw Failure(line: line(value), message: "version must be 1")
                }
            case "defaults":
                defaults = try bool(value, "defaults")
            case "rules":
                guard case .sequence(let rules) = value else {
                    throw Failure(line: line(value), message: "rules must be a list")
                }
                for node in rules { policy.rules.append(try rule(node, path: path)) }
            case "managed":
                guard case .sequence(let declarations) = value else {
                    throw Failure(line: line(value), message: "managed must be a list")
                }
                for node in declarations { policy.managed.append(try managed(node)) }
            case "allow":
                for (kindNode, patterns) in try mapping(value, "allow") {
                    let kind = try string(kindNode, "an allow key")
                    switch kind {
                    case "port": policy.allowedPorts += try strings(patterns, "allow.port")
                    case "module": policy.allowedModules += try strings(patterns, "allow.module")
                    default:
                        throw Failure(line: line(kindNode), message: "allow takes port and module, not \"\(kind)\"")
                    }
                }
            case "content":
                policy.content = try content(value)
            case "full_rehash":
                for (settingNode, setting) in try mapping(value, "full_rehash") {
                    let name = try string(settingNode, "a full_rehash key")
                    guard let number = setting.int, number >= 1 else {
                        throw Failure(line: line(setting), message: "full_rehash.\(name) must be a whole number ≥ 1")
                    }
                    switch name {
                    case "every_runs": policy.fullRehashEveryRuns = number
                    case "every_days": policy.fullRehashEveryDays = number
                    default:
                        throw Failure(
                            line: line(settingNode),
                            message: "unknown full_rehash setting \"\(name)\" (every_runs, every_days)")
                    }
                }
            case "rebuild":
                for (settingNode, setting) in try mapping(value, "rebuild") {
                    let name = try string(settingNode, "a rebuild key")
                    switch name {
                    case "on": policy.rebuild.severity = try severity(setting, "rebuild.on")
                    case "max_age_days":
                        guard let days = setting.int, days >= 0 else {
                            throw Failure(
                                line: line(setting), message: "rebuild.max_age_days must be a whole number ≥ 0")
                        }
                        policy.rebuild.maximumAgeDays = days
                    case "when_superseded": policy.rebuild.whenSuperseded = try bool(setting, "rebuild.when_superseded")
                    default:
                        throw Failure(
                            line: line(settingNode),
                            message: "unknown rebuild setting \"\(name)\" (on, max_age_days, when_superseded)")
                    }
                }
            default:
                throw Failure(
                    line: line(keyNode),
                    message: "unknown key \"\(key)\" (expected \(topKeys.sorted().joined(separator: ", ")))")
            }
        }
        return (policy, defaults)
    }

    private static func rule(_ node: Node, path: String) throws -> PolicyRule {
        var rule = PolicyRule(origin: "\(path):\(line(node) ?? 0)")
        for (keyNode, value) in try mapping(node, "a rule") {
            let key = try string(keyNode, "a rule key")
            switch key {
            case "path":
                let pattern = try string(value, "path")
                guard pattern.hasPrefix("/") else {
                    throw Failure(line: line(value), message: "path \"\(pattern)\" must start with /")
                }
                rule.path = PathGlob(pattern)
            case "kind":
                let kind = try string(value, "kind")
                guard kinds.contains(kind) else {
                    throw Failure(
                        line: line(value),
                        message: "unknown kind \"\(kind)\" (\(kinds.sorted().joined(separator: ", ")))")
                }
                rule.kind = EntryKind(kind)
            case "name": rule.name = PathGlob(try string(value, "name"))
            case "changes":
                rule.changes = try strings(value, "changes").map { text in
                    guard let change = ChangeKind(rawValue: text) else {
                        throw Failure(line: line(value), message: "unknown change \"\(text)\"")
                    }
                    return change
                }
            case "quiets":
                rule.quiets = try strings(value, "quiets").map { text in
                    guard let field = DriftField(rawValue: text) else {
                        let known = DriftField.allCases.map(\.rawValue).joined(separator: ", ")
                        throw Failure(line: line(value), message: "quiets: unknown file field \"\(text)\" (\(known))")
                    }
                    return field
                }
            case "data": rule.data = try bool(value, "data")
            case "allow_privilege":
                rule.allowedPrivileges = try strings(value, "allow_privilege").map { text in
                    guard let privilege = PolicyRule.Privilege(rawValue: text) else {
                        throw Failure(
                            line: line(value),
                            message: "allow_privilege: unknown privilege \"\(text)\" (setuid, setgid, capabilities)")
                    }
                    return privilege
                }
            case "ignore": rule.ignore = try bool(value, "ignore")
            case "watch":
                let fields = try strings(value, "watch")
                if let unknown = fields.first(where: { !Policy.watchableFields.contains($0) }) {
                    throw Failure(
                        line: line(value),
                        message:
                            "cannot watch \"\(unknown)\" (\(Policy.watchableFields.sorted().joined(separator: ", ")))")
                }
                rule.watch = fields
            case "severity": rule.severity = try severity(value, "severity")
            default:
                throw Failure(
                    line: line(keyNode),
                    message: "unknown rule key \"\(key)\" (expected \(ruleKeys.sorted().joined(separator: ", ")))")
            }
        }
        guard rule.path != nil || rule.kind != nil || rule.name != nil else {
            throw Failure(line: line(node), message: "a rule needs path, kind or name to select something")
        }
        guard rule.ignore || rule.watch != nil || rule.severity != nil else {
            throw Failure(line: line(node), message: "a rule needs ignore, watch or severity to do something")
        }
        if !rule.allowedPrivileges.isEmpty,
            rule.path.map({ $0.pattern.contains(where: { "*?[".contains($0) }) }) ?? true
        {
            throw Failure(
                line: line(node), message: "allow_privilege needs a path that names one file (no wildcard)")
        }
        if (rule.quiets != nil || rule.data) && rule.kind != nil && rule.kind != .file {
            throw Failure(line: line(node), message: "quiets and data apply to files; not to kind \(rule.kind!)")
        }
        if rule.path != nil, let kind = rule.kind, kind != .file {
            throw Failure(line: line(node), message: "path selects files; it cannot be combined with kind \(kind)")
        }
        return rule
    }
}

extension PolicyParser {
    /// `content: {paths: [...], max_size: N, never: [...]}`: which files' content manifests keep.
    private static func content(_ node: Node) throws -> ContentPolicy {
        var content = ContentPolicy()
        for (keyNode, value) in try mapping(node, "content") {
            let key = try string(keyNode, "a content key")
            switch key {
            case "paths": content.paths = try strings(value, "content.paths").map { PathGlob($0) }
            case "never": content.never = try strings(value, "content.never").map { PathGlob($0) }
            case "max_size":
                guard let size = value.int, (0...ContentPolicy.sizeLimit).contains(size) else {
                    throw Failure(
                        line: line(value),
                        message: "content.max_size must be a whole number of bytes from 0 to \(ContentPolicy.sizeLimit)"
                    )
                }
                content.maximumSize = size
            default:
                throw Failure(
                    line: line(keyNode), message: "unknown content setting \"\(key)\" (paths, max_size, never)")
            }
        }
        return content
    }

    private static func managed(_ node: Node) throws -> ManagedDeclaration {
        var declaration = ManagedDeclaration(tool: "")
        for (keyNode, value) in try mapping(node, "a managed entry") {
            let key = try string(keyNode, "a managed key")
            switch key {
            case "tool": declaration.tool = try string(value, "tool")
            case "paths":
                declaration.paths = try strings(value, "paths").map { pattern in
                    guard pattern.hasPrefix("/") else {
                        throw Failure(line: line(value), message: "path \"\(pattern)\" must start with /")
                    }
                    return PathGlob(pattern)
                }
            case "packages": declaration.packages = try strings(value, "packages").map { PathGlob($0) }
            case "services": declaration.services = try strings(value, "services").map { PathGlob($0) }
            default:
                throw Failure(
                    line: line(keyNode),
                    message: "unknown managed key \"\(key)\" (expected \(managedKeys.sorted().joined(separator: ", ")))"
                )
            }
        }
        guard !declaration.tool.isEmpty,
            declaration.tool.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw Failure(line: line(node), message: "a managed entry needs a tool name (letters, digits, - _ .)")
        }
        guard !(declaration.paths.isEmpty && declaration.packages.isEmpty && declaration.services.isEmpty) else {
            throw Failure(line: line(node), message: "a managed entry needs paths, packages or services")
        }
        return declaration
    }
}

extension Policy {
    /// Field names a `watch` list may hold: the file fields and the record fields collectors write.
    package static let watchableFields: Set<String> = Set(DriftField.allCases.map(\.rawValue)).union([
        "version", "arch", "status", "enabled", "wanted_by", "masked", "unit", "dropins", "active", "script", "links",
        "uid", "gid", "home", "shell", "password", "password_changed", "members", "jobs", "sha256", "process",
    ])
}
