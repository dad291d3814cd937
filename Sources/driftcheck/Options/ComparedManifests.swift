import ArgumentParser

/// The two manifests `compare` and `show` compare: the host's, and its image's baseline (or the baselines
/// directory's newest for the host's image).
struct ComparedManifests: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The image's signed baseline (default: found in --baselines).", valueName: "FILE"))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp("The host's signed manifest.", valueName: "FILE"))
    var host: String
}
