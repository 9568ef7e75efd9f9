import XCTest
@testable import VideoChatKit

final class PermissionStepTests: XCTestCase {
    func testBothAllowedJoinsAtOnce() {
        XCTAssertEqual(PermissionStep.next(camera: .granted, microphone: .granted), .join)
    }

    func testOnlyWhatWasNeverAskedIsAsked() {
        XCTAssertEqual(PermissionStep.next(camera: .notDetermined, microphone: .granted), .ask([.camera]))
        XCTAssertEqual(PermissionStep.next(camera: .notDetermined, microphone: .notDetermined), .ask([.camera, .microphone]))
    }

    func testARefusalIsExplainedRatherThanAskingForTheOther() {
        XCTAssertEqual(PermissionStep.next(camera: .denied, microphone: .notDetermined), .explainRefusal([.camera]))
        XCTAssertEqual(PermissionStep.next(camera: .granted, microphone: .restricted), .explainRefusal([.microphone]))
    }

    func testTheExplanationNamesWhatWasRefused() {
        XCTAssertTrue(PermissionStep.refusalText([.camera, .microphone]).contains("camera and microphone"))
        XCTAssertTrue(PermissionStep.refusalText([.microphone]).contains("the microphone"))
        XCTAssertTrue(PermissionStep.refusalText([.camera]).contains("Settings"))
    }
}
