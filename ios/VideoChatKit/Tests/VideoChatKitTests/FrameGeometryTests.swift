import Foundation
import VideoChatCore
import XCTest
@testable import VideoChatKit

final class FrameGeometryTests: XCTestCase {
    func testPortraitFramesTurnAQuarterWithEitherCamera() {
        for facing: CameraFacing in [.user, .environment] {
            XCTAssertEqual(FrameGeometry.captureRotation(device: .portrait, facing: facing), .clockwise90)
            XCTAssertEqual(FrameGeometry.captureRotation(device: .portraitUpsideDown, facing: facing), .clockwise270)
        }
    }

    func testLandscapeFramesTurnOppositeWaysForTheTwoCameras() {
        XCTAssertEqual(FrameGeometry.captureRotation(device: .landscapeLeft, facing: .environment), .upright)
        XCTAssertEqual(FrameGeometry.captureRotation(device: .landscapeLeft, facing: .user), .clockwise180)
        XCTAssertEqual(FrameGeometry.captureRotation(device: .landscapeRight, facing: .environment), .clockwise180)
        XCTAssertEqual(FrameGeometry.captureRotation(device: .landscapeRight, facing: .user), .upright)
    }

    func testTurningTheDeviceHalfWayTurnsTheFrameHalfWay() {
        let pairs: [(DeviceOrientation, DeviceOrientation)] = [(.portrait, .portraitUpsideDown), (.landscapeLeft, .landscapeRight)]
        for facing: CameraFacing in [.user, .environment] {
            for (a, b) in pairs {
                let first = FrameGeometry.captureRotation(device: a, facing: facing).rawValue
                let second = FrameGeometry.captureRotation(device: b, facing: facing).rawValue
                XCTAssertEqual((first + 180) % 360, second, "\(facing) \(a) \(b)")
            }
        }
    }

    func testQuarterTurnsSwapWidthAndHeight() {
        XCTAssertEqual(FrameGeometry.uprightSize(width: 1280, height: 720, rotation: .clockwise90), CGSize(width: 720, height: 1280))
        XCTAssertEqual(FrameGeometry.uprightSize(width: 1280, height: 720, rotation: .clockwise180), CGSize(width: 1280, height: 720))
    }

    func testAPortraitPictureIsLetterboxedInALandscapeScreen() {
        let fitted = FrameGeometry.aspectFit(CGSize(width: 720, height: 1280), in: CGSize(width: 800, height: 400))
        XCTAssertEqual(fitted.height, 400, accuracy: 0.001)
        XCTAssertEqual(fitted.width, 225, accuracy: 0.001)
    }

    func testAnEmptyPictureFitsNowhere() {
        XCTAssertEqual(FrameGeometry.aspectFit(.zero, in: CGSize(width: 10, height: 10)), .zero)
    }

    func testTheSelfViewKeepsThePicturesShape() {
        let size = FrameGeometry.selfViewSize(picture: CGSize(width: 720, height: 1280), longSide: 160)
        XCTAssertEqual(size.height, 160, accuracy: 0.001)
        XCTAssertEqual(size.width, 90, accuracy: 0.001)
    }
}
