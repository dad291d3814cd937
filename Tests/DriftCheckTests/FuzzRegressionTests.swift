import Foundation
import Testing

/// The fuzzers' seeds and every input that once crashed a fuzz target (Fixtures/fuzz/crashes/TARGET/) replayed
/// through the same target code, built without sanitizers: none may crash or trip a property check again.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let targets = [
        "manifest", "keys", "policy", "rpm", "procfs", "dpkg", "apk", "accounts", "cron", "services", "fleet", "tar",
    ]

    static var replayTool: String {
        URL(fileURLWithPath: CommandLineTool.driftcheck).deletingLastPathComponent()
            .appendingPathComponent("DriftCheckFuzz").path
    }

    static func inputs(_ target: String) -> [String] {
        ["seeds", "crashes"].flatMap { folder -> [String] in
            let directory = FixtureFiles.path("fuzz/\(folder)/\(target)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().map { directory + "/" + $0 }
        }
    }

    @Test("every committed seed and past crash input runs through its fuzz target cleanly", arguments: targets)
    func replay(target: String) throws {
        let inputs = Self.inputs(target)
        let result = try CommandLineTool.run(Self.replayTool, [target] + inputs, timeout: 120)
        #expect(result.status == 0, "\(target): \(result.stderr)")
    }

    @Test("the replay tool rejects an unknown target with a usage message")
    func unknownTarget() throws {
        let result = try CommandLineTool.run(Self.replayTool, ["no-such-target"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("targets: manifest keys policy"))
    }
}
