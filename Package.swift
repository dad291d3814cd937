// swift-tools-version:6.0
import PackageDescription

// Packaging/build-static.sh sets DRIFTCHECK_STATIC_LIBDIR to a directory holding only static archives
// (libsqlite3.a, libstdc++.a) for the host binary that needs nothing but glibc and libcrypto: SQLite is linked from
// the archive instead of through pkg-config, and the directory is searched first, so the Swift runtime's -lstdc++
// finds the archive too. Unset (swift build, swift test): SQLite links dynamically, as before.
let staticLibraryDirectory = Context.environment["DRIFTCHECK_STATIC_LIBDIR"].flatMap { $0.isEmpty ? nil : $0 }
let sqliteLinkerSettings: [LinkerSetting] =
    staticLibraryDirectory.map { directory in
        [
            .unsafeFlags([
                "-L\(directory)", "-Xlinker", "\(directory)/libsqlite3.a", "-Xlinker", "\(directory)/libz.a",
                "-Xclang-linker", "-static-libgcc",
                "-Xlinker", "-z", "-Xlinker", "now",  // full RELRO, as Debian hardens its binaries
            ])
        ]
    } ?? [.linkedLibrary("sqlite3"), .linkedLibrary("z")]

let package = Package(
    name: "driftcheck",
    products: [
        .executable(name: "driftcheck", targets: ["driftcheck"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: staticLibraryDirectory == nil ? "sqlite3" : nil,
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // zlib, for gzip-compressed image layers (baseline --image-tar).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: staticLibraryDirectory == nil ? "zlib" : nil,
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "DriftCheck",
            dependencies: ["COpenSSL", "CLinux", "CSQLite", "CZlib", .product(name: "Yams", package: "Yams")],
            linkerSettings: sqliteLinkerSettings
        ),
        .executableTarget(
            name: "driftcheck",
            dependencies: [
                "DriftCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The libFuzzer targets (Scripts/fuzz.sh); built normally, a tool that replays inputs through them.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "DriftCheckFuzz",
            dependencies: ["DriftCheck", "CLibFuzzer"]
        ),
        .testTarget(
            name: "DriftCheckTests",
            dependencies: ["DriftCheck", "driftcheck", "DriftCheckFuzz"],
            exclude: ["Fixtures"]
        ),
    ]
)
