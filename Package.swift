// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "driftcheck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "driftcheck", targets: ["driftcheck"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
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
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "DriftCheck",
            dependencies: ["COpenSSL", "CLinux", "CSQLite", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "driftcheck",
            dependencies: [
                "DriftCheck",
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
