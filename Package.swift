// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "pcinit",
    products: [
        .executable(name: "pcinit", targets: ["pcinit"])
    ],
    targets: [
        // What Swift cannot call directly: wait-status macros, _GNU_SOURCE and _np functions.
        .target(name: "CInit"),
        // Pure Swift, no syscalls: YAML reader, config model, dependency graph, supervisor state machine.
        .target(name: "InitCore", linkerSettings: [.linkedLibrary("m")]),
        // The OS side: event loop, spawning, reaping, probes, health server, control socket, log relay.
        .target(name: "InitSystem", dependencies: ["CInit", "InitCore"]),
        .executableTarget(
            name: "pcinit",
            dependencies: ["CInit", "InitCore", "InitSystem"],
            linkerSettings: [.unsafeFlags(["-static-executable"], .when(configuration: .release))]
        ),
        .testTarget(name: "InitCoreTests", dependencies: ["InitCore"]),
        .testTarget(name: "InitSystemTests", dependencies: ["CInit", "InitSystem"]),
        .testTarget(
            name: "PCInitTests",
            dependencies: ["CInit"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
