// swift-tools-version: 6.0
import Foundation
import PackageDescription

// The shipped binary (`swift build -c release`) is Embedded Swift linked statically with glibc: about a quarter
// of the size of a normal static Swift binary and a fraction of its resident memory, since no runtime or
// stdlib is linked whole. Debug builds, and so `swift test`, are normal Swift: test targets cannot import a
// module built in Embedded mode. `PCINIT_EMBEDDED=0` makes a release build normal Swift too (for
// `swift test -c release`, or to compare the two); SwiftPM re-reads this file when the variable changes.
let embeddedRelease = Context.environment["PCINIT_EMBEDDED"] != "0"

/// The Embedded stdlib's own libraries (Unicode data for String) ship inside the toolchain, beside `usr/bin/swift`:
/// found on PATH, as the build itself finds `swift`.
let embeddedLibraries: String = {
    for directory in (Context.environment["PATH"] ?? "").split(separator: ":") {
        let binary = URL(fileURLWithPath: String(directory)).appendingPathComponent("swift").resolvingSymlinksInPath()
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { continue }
        let usr = binary.deletingLastPathComponent().deletingLastPathComponent()
        return usr.appendingPathComponent("lib/swift/embedded/x86_64-unknown-linux-gnu").path
    }
    return "/usr/lib/swift/embedded/x86_64-unknown-linux-gnu"
}()

let release = BuildSettingCondition.when(configuration: .release)

let swiftModes: [SwiftSetting] =
    embeddedRelease
    ? [
        // Release builds are whole-module already, as Embedded needs. Neither "-wmo" nor
        // .enableExperimentalFeature("Embedded"): SwiftPM sees those whatever their condition and then compiles
        // debug builds whole-module too (seen: a debug pcinit that crashed in config mode on null type metadata).
        .unsafeFlags(
            ["-enable-experimental-feature", "Embedded", "-Osize", "-Xfrontend", "-function-sections"], release),
    ] : []

let cModes: [CSetting] =
    embeddedRelease
    ? [.define("PCI_EMBEDDED", release), .unsafeFlags(["-ffunction-sections", "-fdata-sections"], release)] : []

let binaryLink: [LinkerSetting] =
    embeddedRelease
    ? [
        // -static-executable asks for the normal runtime, which an Embedded binary has none of. lld folds
        // identical functions and places the start path's functions together (start-path.order, made by
        // .ci/start-path-order.py; start-path.ld puts the unnamed ones in front): an idle pcinit then has a few
        // windows of its text resident, not most of it.
        .unsafeFlags(
            [
                // The driver links an Embedded binary only when told so: no Swift runtime libraries.
                "-enable-experimental-feature", "Embedded",
                "-Xclang-linker", "-static", "-Xclang-linker", "-fuse-ld=lld",
                "-Xlinker", "--gc-sections", "-Xlinker", "--icf=all",
                "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/pcinit/start-path.order",
                "-Xlinker", "--no-warn-symbol-ordering",
                "-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/Sources/pcinit/start-path.ld",
                "-L", embeddedLibraries, "-lswiftUnicodeDataTables",
            ], release)
    ]
    : [.unsafeFlags(["-static-executable"], release)]

let package = Package(
    name: "pcinit",
    products: [
        .executable(name: "pcinit", targets: ["pcinit"])
    ],
    targets: [
        // What Swift cannot call directly: wait-status macros, _GNU_SOURCE and _np functions, and the glibc
        // headers themselves (Embedded Swift has no Glibc module).
        .target(name: "CInit", cSettings: cModes),
        // Pure Swift, no syscalls: YAML reader, config model, dependency graph, supervisor state machine.
        .target(name: "InitCore", swiftSettings: swiftModes, linkerSettings: [.linkedLibrary("m")]),
        // The OS side: event loop, spawning, reaping, probes, health server, control socket, log relay.
        .target(name: "InitSystem", dependencies: ["CInit", "InitCore"], swiftSettings: swiftModes),
        .executableTarget(
            name: "pcinit",
            dependencies: ["CInit", "InitCore", "InitSystem"],
            exclude: ["start-path.order", "start-path.ld"],
            swiftSettings: swiftModes,
            linkerSettings: binaryLink
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
