import VideoChatCore
import XCTest
@testable import VideoChatKit

final class CameraSwitcherTests: XCTestCase {
    private let start = ContinuousClock.now

    func testATapSwitchesToTheOtherCamera() {
        var switcher = CameraSwitcher(facing: .user)
        XCTAssertEqual(switcher.begin(at: start), .environment)
        XCTAssertTrue(switcher.isSwitching)
        switcher.finish(succeeded: true)
        XCTAssertEqual(switcher.facing, .environment)
        XCTAssertFalse(switcher.isSwitching)
    }

    func testTapsDuringASwitchAreIgnored() {
        var switcher = CameraSwitcher(facing: .user, debounce: .zero)
        XCTAssertNotNil(switcher.begin(at: start))
        XCTAssertNil(switcher.begin(at: start + .seconds(5)))
        switcher.finish(succeeded: true)
        XCTAssertEqual(switcher.begin(at: start + .seconds(6)), .user)
    }

    func testASecondTapSoonAfterTheFirstIsIgnored() {
        var switcher = CameraSwitcher(facing: .user, debounce: .milliseconds(500))
        _ = switcher.begin(at: start)
        switcher.finish(succeeded: true)
        XCTAssertNil(switcher.begin(at: start + .milliseconds(200)))
        XCTAssertEqual(switcher.facing, .environment)
        XCTAssertEqual(switcher.begin(at: start + .milliseconds(600)), .user)
    }

    func testAFailedSwitchKeepsTheOldCamera() {
        var switcher = CameraSwitcher(facing: .environment)
        XCTAssertEqual(switcher.begin(at: start), .user)
        switcher.finish(succeeded: false)
        XCTAssertEqual(switcher.facing, .environment)
        XCTAssertFalse(switcher.isSwitching)
    }

    func testOnlyTheUserCamerasSelfViewIsMirrored() {
        XCTAssertTrue(CameraFacing.user.mirrorsSelfView)
        XCTAssertFalse(CameraFacing.environment.mirrorsSelfView)
        XCTAssertEqual(CameraFacing.user.toggled.toggled, .user)
    }
}
