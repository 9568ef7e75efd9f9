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

final class HeldOrientationTests: XCTestCase {
    func testAnyAngleRoundsToTheNearestRightAngle() {
        let cases: [(Double, FrameRotation)] = [
            (0, .upright), (44, .upright), (46, .clockwise90), (90, .clockwise90), (179, .clockwise180),
            (270, .clockwise270), (359, .upright), (360, .upright), (450, .clockwise90),
            (-90, .clockwise270), (-1, .upright), (-180, .clockwise180),
        ]
        for (degrees, expected) in cases {
            XCTAssertEqual(FrameRotation.nearest(toDegrees: degrees), expected, "\(degrees)")
        }
        XCTAssertNil(FrameRotation.nearest(toDegrees: .nan))
        XCTAssertNil(FrameRotation.nearest(toDegrees: .infinity))
    }

    func testGravityTellsHowThePhoneIsHeld() {
        // Core Motion's device axes: x to the screen's right, y to its top; gravity in g.
        XCTAssertEqual(DeviceOrientation.fromGravity(x: 0, y: -1, z: 0, previous: nil), .portrait)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: 0, y: 1, z: 0, previous: nil), .portraitUpsideDown)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: -1, y: 0, z: 0, previous: nil), .landscapeLeft)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: 1, y: 0, z: 0, previous: nil), .landscapeRight)
    }

    func testAPhoneTiltedBackStillCounts() {
        // Portrait, leaning back 50° (as when held in front of the face, looking down at it).
        XCTAssertEqual(DeviceOrientation.fromGravity(x: 0, y: -0.64, z: -0.77, previous: nil), .portrait)
    }

    func testAPhoneLyingFlatSaysNothing() {
        XCTAssertNil(DeviceOrientation.fromGravity(x: 0.05, y: -0.1, z: -0.99, previous: .landscapeLeft))
        XCTAssertNil(DeviceOrientation.fromGravity(x: .nan, y: 0, z: 0, previous: nil))
    }

    func testNearTheDiagonalTheLastOrientationIsKept() {
        // 50° from portrait towards landscapeLeft: past the 45° line but inside the margin.
        let x = -sin(50 * Double.pi / 180), y = -cos(50 * Double.pi / 180)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: x, y: y, z: 0, previous: .portrait), .portrait)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: x, y: y, z: 0, previous: nil), .landscapeLeft)
        // 60°: clearly turned.
        let x60 = -sin(60 * Double.pi / 180), y60 = -cos(60 * Double.pi / 180)
        XCTAssertEqual(DeviceOrientation.fromGravity(x: x60, y: y60, z: 0, previous: .portrait), .landscapeLeft)
    }

    func testWithTheRotationLockOnAPhoneHeldSidewaysSendsAnUprightPicture() {
        // The lock keeps the screen portrait; gravity still says the top points left.
        let held = DeviceOrientation.fromGravity(x: -1, y: 0, z: 0, previous: .portrait)
        XCTAssertEqual(held, .landscapeLeft)
        XCTAssertEqual(FrameGeometry.captureRotation(device: held!, facing: .environment), .upright)
    }
}
