/// A policy's `managed:` entry: the paths, packages and services a configuration-management tool (Salt, Ansible,
/// Puppet …) owns on the hosts. Their changes are that tool's work: reported as managed, at info level.
package struct ManagedDeclaration: Equatable, Sendable {
    /// The tool's name, as reports print it.
    package var tool: String
    package var paths: [PathGlob] = []
    package var packages: [PathGlob] = []
    package var services: [PathGlob] = []

    package init(tool: String) {
        self.tool = tool
    }

    /// True when `item` is one of the declared paths, packages or services.
    func owns(_ item: DriftItem) -> Bool {
        switch item.kind {
        case .file: paths.contains { $0.matches(item.name) }
        case .package: packages.contains { $0.matches(item.name) }
        case .service: services.contains { $0.matches(item.name) }
        default: false
        }
    }
}
