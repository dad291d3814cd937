import ArgumentParser
import DriftCheck

import Glibc

/// `--mode`: the permissions of the manifests, signatures and reports a command writes.
struct OutputPermissions: ParsableArguments {
    @Option(
        name: .customLong("mode"),
        help: ArgumentHelp(
            "Permissions of the files written, in octal (default 0640; never writable by group or others).",
            valueName: "OCTAL"))
    var text: String = "0640"

    func validate() throws {
        if AtomicOutput.mode(parsing: text) == nil {
            throw ValidationError("--mode must be octal permissions no wider than 0755 for writing, such as 0640 or 0644")
        }
    }

    var mode: mode_t { AtomicOutput.mode(parsing: text) ?? 0o640 }
}
