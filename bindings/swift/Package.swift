// swift-tools-version:5.9
// (Swift 5 language mode: UniFFI 0.32's generated code is written for it.)
//
// VideoChatCore: the generated Swift bindings of the videochat core plus small helpers.
// Generate the sources first (they are not committed): `bindings/build.sh` from the repo root.
//
// The native core comes one of two ways:
//  - Apple devices and simulators: VideoChatCoreFFI.xcframework in this folder, built on a Mac by
//    `ios/build-xcframework.sh` (static libraries for iOS, the simulator and macOS).
//  - `swift test` on Linux or macOS without the XCFramework: the host library cargo built
//    (target/debug/libvideochat_ffi.{so,dylib}), linked as a system library through
//    Sources/VideoChatCoreFFI/module.modulemap. `bindings/swift/test.sh` passes the linker path.
//    Set VIDEOCHAT_HOST_LIBRARY=1 to use this path on a Mac that also has the XCFramework.
import Foundation
import PackageDescription

let xcframeworkPath = "VideoChatCoreFFI.xcframework"

let useXCFramework: Bool = {
    #if os(Linux)
    return false
    #else
    if ProcessInfo.processInfo.environment["VIDEOCHAT_HOST_LIBRARY"] != nil { return false }
    return FileManager.default.fileExists(atPath: Context.packageDirectory + "/" + xcframeworkPath)
    #endif
}()

let ffiTarget: Target = useXCFramework
    ? .binaryTarget(name: "VideoChatCoreFFI", path: xcframeworkPath)
    : .systemLibrary(name: "VideoChatCoreFFI", path: "Sources/VideoChatCoreFFI")

let package = Package(
    name: "VideoChatCore",
    platforms: [.iOS(.v16), .macOS(.v13)], // as ios/build-xcframework.sh builds the libraries
    products: [
        .library(name: "VideoChatCore", targets: ["VideoChatCore"]),
    ],
    targets: [
        ffiTarget,
        .target(
            name: "VideoChatCore",
            dependencies: ["VideoChatCoreFFI"],
            path: "Sources/VideoChatCore",
            linkerSettings: [
                // The static core contains openh264 (C++) and uses the system random source.
                .linkedLibrary("c++", .when(platforms: [.iOS, .macOS])),
                .linkedFramework("Security", .when(platforms: [.iOS, .macOS])),
            ]
        ),
        .testTarget(
            name: "VideoChatCoreTests",
            dependencies: ["VideoChatCore"],
            path: "Tests/VideoChatCoreTests"
        ),
    ]
)
