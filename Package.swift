// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Lineage",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Lineage", targets: ["Lineage"]),
        .executable(name: "lineage", targets: ["lineage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // BLAS and LAPACK through their generic Debian names: the implementation
        // (OpenBLAS, reference BLAS) is chosen at run time by the system's alternatives.
        .systemLibrary(
            name: "CLinearAlgebra",
            path: "Sources/CLinearAlgebra",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "Lineage",
            dependencies: [
                "CLinearAlgebra",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "lineage",
            dependencies: [
                "Lineage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (release builds only): `scripts/benchmark` runs them beside the Python peers.
        .executableTarget(
            name: "lineage-benchmarks",
            dependencies: [
                "Lineage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LineageTests",
            dependencies: [
                "Lineage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
