// swift-tools-version:5.9
// The platform-neutral half of the iOS app: the call model, the words for each state, the camera
// switching rules, the rotation, mirroring, pixel and audio arithmetic. No UIKit, no
// AVFoundation, so `swift test` runs it on macOS or Linux against the host core library.
//
// Tools version 5.9 keeps the Swift 5 language mode, which UniFFI 0.32's generated code wants.
import PackageDescription

let package = Package(
    name: "VideoChatKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "VideoChatKit", targets: ["VideoChatKit"]),
    ],
    dependencies: [
        // The generated bindings (bindings/build.sh or ios/build-xcframework.sh fill it in).
        // A path dependency's identity is its folder's name: "swift".
        .package(path: "../../bindings/swift"),
    ],
    targets: [
        .target(
            name: "VideoChatKit",
            dependencies: [.product(name: "VideoChatCore", package: "swift")]
        ),
        .testTarget(
            name: "VideoChatKitTests",
            dependencies: ["VideoChatKit", .product(name: "VideoChatCore", package: "swift")]
        ),
    ]
)
