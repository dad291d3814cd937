import ArgumentParser
import DriftCheck
import Glibc

/// `driftcheck serve`: runs the collector, which is a program of its own (`driftcheck-collector`, in the
/// driftcheck-collector package) so that hosts never carry the HTTP server and the database clients.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the collector that hosts push their reports to (driftcheck-collector serve).",
        discussion: """
            Everything after `serve` goes to `driftcheck-collector serve`, looked for beside this program, then \
            in /usr/lib/driftcheck and on PATH. See `driftcheck-collector serve --help`; token and host \
            commands: `driftcheck-collector --help`.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "The collector's options (driftcheck-collector serve --help).")
    var arguments: [String] = []

    func run() throws {
        var candidates: [String] = []
        var own = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &own, own.count - 1)
        if length > 0 {
            let path = String(decoding: own[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = path.lastIndex(of: "/") { candidates.append(path[..<slash] + "/driftcheck-collector") }
        }
        candidates.append("/usr/lib/driftcheck/driftcheck-collector")
        for directory in (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin").split(separator: ":") {
            candidates.append("\(directory)/driftcheck-collector")
        }
        guard let program = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw DriftCheckError(
                .usage, "serve runs driftcheck-collector, which is not installed (the driftcheck-collector package)")
        }
        let argv = [program, "serve"] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        execv(program, &cArguments)
        throw DriftCheckError(.io, path: program, "cannot run: \(String(cString: strerror(errno)))")
    }
}
