import ArgumentParser
import DriftCheck
import Glibc

/// The permissions of the files a command writes: octal, never writable by group or others.
struct FileMode: CheckedArgument {
    static let expected = "octal permissions no wider than 0755 for writing, such as 0640 or 0644"

    let mode: mode_t

    init?(argument: String) {
        guard let mode = AtomicOutput.mode(parsing: argument) else { return nil }
        self.mode = mode
    }

    var defaultValueDescription: String { "0" + String(mode, radix: 8) }
}

/// `--mode`: the permissions of the manifests, signatures and reports a command writes.
struct OutputPermissions: ParsableArguments {
    @Option(
        name: .customLong("mode"),
        help: ArgumentHelp(
            "Permissions of the files written, in octal (default 0640; never writable by group or others).",
            valueName: "OCTAL"),
        transform: FileMode.parse)
    var fileMode: FileMode?

    var mode: mode_t { fileMode?.mode ?? AtomicOutput.defaultMode }
}
