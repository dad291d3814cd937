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
        .executable(name: "driftcheck", targets: ["driftcheck"]),
        // The collector hosts push their reports to (`driftcheck serve` runs it): a second executable, so that the
        // host agent never carries the HTTP server, SwiftNIO or the PostgreSQL client.
        .executable(name: "driftcheck-collector", targets: ["driftcheck-collector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
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
        // The collector: HTTP service (Hummingbird), enrollment, and the report store (SQLite or PostgreSQL).
        .target(
            name: "DriftCheckCollector",
            dependencies: [
                "DriftCheck", "CSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "driftcheck-collector",
            dependencies: [
                "DriftCheckCollector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
