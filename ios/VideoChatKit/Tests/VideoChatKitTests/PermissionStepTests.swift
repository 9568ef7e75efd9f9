import XCTest
@testable import VideoChatKit

final class PermissionStepTests: XCTestCase {
    func testBothAllowedJoinsWithTheCamera() {
        XCTAssertEqual(PermissionStep.next(camera: .granted, microphone: .granted), .join(withCamera: true))
    }

    func testOnlyWhatWasNeverAskedIsAsked() {
        XCTAssertEqual(PermissionStep.next(camera: .notDetermined, microphone: .granted), .ask([.camera]))
        XCTAssertEqual(PermissionStep.next(camera: .notDetermined, microphone: .notDetermined), .ask([.camera, .microphone]))
    }

    func testARefusedCameraMakesAnAudioOnlyCall() {
        XCTAssertEqual(PermissionStep.next(camera: .denied, microphone: .granted), .join(withCamera: false))
        XCTAssertEqual(PermissionStep.next(camera: .restricted, microphone: .granted), .join(withCamera: false))
    }

    func testARefusedCameraStillAsksForTheMicrophone() {
        XCTAssertEqual(PermissionStep.next(camera: .denied, microphone: .notDetermined), .ask([.microphone]))
    }

    func testARefusedMicrophoneIsExplainedRatherThanAskingForTheCamera() {
        XCTAssertEqual(PermissionStep.next(camera: .granted, microphone: .restricted), .explainRefusal([.microphone]))
        XCTAssertEqual(PermissionStep.next(camera: .notDetermined, microphone: .denied), .explainRefusal([.microphone]))
        XCTAssertEqual(PermissionStep.next(camera: .denied, microphone: .denied), .explainRefusal([.camera, .microphone]))
    }

    func testTheExplanationNamesWhatWasRefused() {
        XCTAssertTrue(PermissionStep.refusalText([.camera, .microphone]).contains("camera and microphone"))
        XCTAssertTrue(PermissionStep.refusalText([.microphone]).contains("the microphone"))
        XCTAssertTrue(PermissionStep.refusalText([.camera]).contains("Settings"))
    }
}
