import XCTest
@testable import VideoChatKit

final class PixelCopyTests: XCTestCase {
    func testRowsAreCopiedIntoAPaddedPlaneWithoutTouchingThePadding() {
        let source: [UInt8] = [1, 2, 3, 4, 5, 6] // 3 x 2, packed
        var destination = [UInt8](repeating: 0xEE, count: 8) // stride 4
        source.withUnsafeBytes { src in
            destination.withUnsafeMutableBytes { dst in
                PixelCopy.copyPlane(
                    from: src.baseAddress!, sourceStride: 3,
                    to: dst.baseAddress!, destinationStride: 4, rowBytes: 3, rows: 2)
            }
        }
        XCTAssertEqual(destination, [1, 2, 3, 0xEE, 4, 5, 6, 0xEE])
    }

    func testEqualStridesCopyThePlaneWhole() {
        let source = [UInt8](0..<12)
        var destination = [UInt8](repeating: 0, count: 12)
        source.withUnsafeBytes { src in
            destination.withUnsafeMutableBytes { dst in
                PixelCopy.copyPlane(
                    from: src.baseAddress!, sourceStride: 4,
                    to: dst.baseAddress!, destinationStride: 4, rowBytes: 4, rows: 3)
            }
        }
        XCTAssertEqual(destination, source)
    }

    func testUAndVAreInterleavedIntoNv12Pairs() {
        let u: [UInt8] = [10, 11, 12, 13] // 2 x 2
        let v: [UInt8] = [20, 21, 22, 23]
        var uv = [UInt8](repeating: 0, count: 12) // stride 6: 4 bytes of pairs + 2 padding
        u.withUnsafeBytes { u in
            v.withUnsafeBytes { v in
                uv.withUnsafeMutableBytes { dst in
                    PixelCopy.interleaveChroma(
                        u: u.baseAddress!, v: v.baseAddress!, sourceStride: 2,
                        to: dst.baseAddress!, destinationStride: 6, width: 2, rows: 2)
                }
            }
        }
        XCTAssertEqual(uv, [10, 20, 11, 21, 0, 0, 12, 22, 13, 23, 0, 0])
    }
}
