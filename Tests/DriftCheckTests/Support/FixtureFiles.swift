import Foundation
import Testing

/// The checked-in fixtures under Tests/DriftCheckTests/Fixtures (see the README there for their provenance).
enum FixtureFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    static func path(_ relative: String) -> String { directory + "/" + relative }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// Runs `tools/SCRIPT DRIFTCHECK OUT` (real-fleet.sh, real-host.sh: debootstrap, apt-get, chroots), expecting
    /// it to succeed.
    static func runTool(_ script: String, out: String) throws {
        let built = try CommandLineTool.run(
            "/bin/bash", [directory + "/tools/" + script, CommandLineTool.driftcheck, out], timeout: 1800)
        #expect(built.status == 0, "\(built.stderr)")
    }
}
