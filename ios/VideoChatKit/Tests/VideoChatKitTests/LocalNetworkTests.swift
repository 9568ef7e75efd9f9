import XCTest
@testable import VideoChatKit

final class LocalNetworkTests: XCTestCase {
    func testPrivateAndLinkLocalIpv4AddressesAreTheLocalNetwork() {
        for host in ["10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.20", "169.254.10.1"] {
            XCTAssertTrue(LocalNetwork.isPrivateHost(host), host)
        }
    }

    func testPublicLoopbackAndCarrierAddressesAreNot() {
        for host in ["8.8.8.8", "172.15.0.1", "172.32.0.1", "192.169.1.1", "127.0.0.1", "100.64.0.1", "11.0.0.1"] {
            XCTAssertFalse(LocalNetwork.isPrivateHost(host), host)
        }
    }

    func testSomethingThatOnlyLooksLikeAnAddressIsNot() {
        for host in ["192.168.1", "192.168.1.256", "192.168.1.20.5", "10.0.0.x", "", "1922.168.1.1"] {
            XCTAssertFalse(LocalNetwork.isPrivateHost(host), host)
        }
    }

    func testIpv6UniqueLocalAndLinkLocalAreTheLocalNetwork() {
        XCTAssertTrue(LocalNetwork.isPrivateHost("fd12:3456::1"))
        XCTAssertTrue(LocalNetwork.isPrivateHost("[fe80::1]"))
        XCTAssertTrue(LocalNetwork.isPrivateHost("fe80::1%en0"))
        XCTAssertFalse(LocalNetwork.isPrivateHost("2001:db8::1"))
        XCTAssertFalse(LocalNetwork.isPrivateHost("::1"))
    }

    func testMdnsNamesAreTheLocalNetworkButOtherNamesCannotBeKnown() {
        XCTAssertTrue(LocalNetwork.isPrivateHost("my-mac.local"))
        XCTAssertTrue(LocalNetwork.isPrivateHost("My-Mac.LOCAL"))
        XCTAssertFalse(LocalNetwork.isPrivateHost("relay.example.org"))
        XCTAssertFalse(LocalNetwork.isPrivateHost("localhost"))
    }

    func testTheRelaysEndpointComesFromItsWebSocketURL() throws {
        let lan = try XCTUnwrap(LocalNetwork.endpoint(ofRelay: "ws://192.168.1.20:8080/ws"))
        XCTAssertEqual(lan.host, "192.168.1.20")
        XCTAssertEqual(lan.port, 8080)
        XCTAssertEqual(LocalNetwork.endpoint(ofRelay: "wss://relay.example.org/ws")?.port, 443)
        XCTAssertEqual(LocalNetwork.endpoint(ofRelay: "ws://relay.lan/ws")?.port, 80)
        XCTAssertEqual(LocalNetwork.endpoint(ofRelay: "ws://[fd00::2]:8080/ws")?.host, "fd00::2")
        XCTAssertNil(LocalNetwork.endpoint(ofRelay: "nonsense"))
    }

    func testWhatRelayAddressMakesIsRecognisedAsPrivate() throws {
        let lan = try XCTUnwrap(RelayAddress.parse("http://192.168.1.20:8080"))
        let internet = try XCTUnwrap(RelayAddress.parse("relay.example.org"))
        XCTAssertTrue(LocalNetwork.isPrivateRelay(lan.webSocketURL))
        XCTAssertFalse(LocalNetwork.isPrivateRelay(internet.webSocketURL))
    }

    func testARefusedPermissionIsExplainedWithItsPlaceInSettings() throws {
        let hint = try XCTUnwrap(LocalNetwork.hint(for: .denied, host: "192.168.1.20"))
        XCTAssertTrue(hint.contains("Settings > Privacy & Security > Local Network"), hint)
        XCTAssertTrue(hint.contains("192.168.1.20"), hint)
    }

    func testAReachableRelayNeedsNoHintAndASilentOneSaysSo() throws {
        XCTAssertNil(LocalNetwork.hint(for: .reachable, host: "192.168.1.20"))
        let hint = try XCTUnwrap(LocalNetwork.hint(for: .unreachable, host: "192.168.1.20"))
        XCTAssertTrue(hint.contains("same network"), hint)
    }

    func testTheEndOfCallMessageNamesTheSetting() {
        let text = LocalNetwork.unreachableRelayText(host: "10.0.0.2")
        XCTAssertTrue(text.contains("10.0.0.2"))
        XCTAssertTrue(text.contains(LocalNetwork.settingsPath))
    }
}
