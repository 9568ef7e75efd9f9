import XCTest
@testable import VideoChatKit

/// A `PreferenceStore` in memory.
private final class MemoryStore: PreferenceStore {
    var values: [String: String] = [:]
    func string(forKey key: String) -> String? { values[key] }
    func setString(_ value: String, forKey key: String) { values[key] = value }
}

final class RelayAddressTests: XCTestCase {
    func testABareHostMeansATlsRelayOnTheInternet() throws {
        let relay = try XCTUnwrap(RelayAddress.parse("relay.example.org"))
        XCTAssertEqual(relay.webSocketURL, "wss://relay.example.org/ws")
        XCTAssertEqual(relay.webPageURL, "https://relay.example.org/")
    }

    func testPlainHttpAndWsStayPlainWithTheirPort() {
        XCTAssertEqual(RelayAddress.parse("http://10.0.2.2:8080")?.webSocketURL, "ws://10.0.2.2:8080/ws")
        XCTAssertEqual(RelayAddress.parse("ws://192.168.1.20:8080/ws")?.webSocketURL, "ws://192.168.1.20:8080/ws")
        XCTAssertEqual(RelayAddress.parse("ws://192.168.1.20:8080/ws")?.webPageURL, "http://192.168.1.20:8080/")
    }

    func testARelayUnderAPathKeepsItsPath() throws {
        let relay = try XCTUnwrap(RelayAddress.parse("https://example.org/video/"))
        XCTAssertEqual(relay.webSocketURL, "wss://example.org/video/ws")
        XCTAssertEqual(relay.webPageURL, "https://example.org/video/")
    }

    func testIpv6LiteralsKeepTheirBrackets() {
        XCTAssertEqual(RelayAddress.parse("http://[::1]:8080")?.webSocketURL, "ws://[::1]:8080/ws")
    }

    func testTheShareLinkOpensTheRoomOnTheRelaysWebPage() {
        XCTAssertEqual(RelayAddress.parse("relay.example.org")?.roomLink("abc"), "https://relay.example.org/?room=abc")
    }

    func testTheInvitationNamesTheRoomAndTheLink() throws {
        let text = try XCTUnwrap(RelayAddress.parse("relay.example.org")).invitation(room: "kitchen")
        XCTAssertTrue(text.contains("Room: kitchen"), text)
        XCTAssertTrue(text.contains("https://relay.example.org/?room=kitchen"), text)
    }

    func testNonsenseIsRefusedRatherThanGuessed() {
        for typed in ["", "two words", "ftp://example.org", "https://"] {
            XCTAssertNil(RelayAddress.parse(typed), typed)
        }
    }

    func testTheRelayIsRememberedAsTyped() {
        let store = MemoryStore()
        let memory = RelayURLMemory(store: store)
        XCTAssertNil(memory.lastRelay)
        XCTAssertEqual(memory.remember(" http://10.0.2.2:8080 ")?.webSocketURL, "ws://10.0.2.2:8080/ws")
        XCTAssertEqual(RelayURLMemory(store: store).lastRelay, "http://10.0.2.2:8080")
    }

    func testAnUnusableRelayIsNotRemembered() {
        let memory = RelayURLMemory(store: MemoryStore())
        memory.remember("relay.example.org")
        XCTAssertNil(memory.remember("ftp://nowhere"))
        XCTAssertEqual(memory.lastRelay, "relay.example.org")
    }

    func testUserDefaultsKeepTheRelay() throws {
        let suite = "VideoChatKitTests.\(UUID().uuidString)"
        let defaults = try XCTUnwrap(UserDefaults(suiteName: suite))
        defer { defaults.removePersistentDomain(forName: suite) }
        RelayURLMemory(store: defaults).remember("relay.example.org")
        XCTAssertEqual(RelayURLMemory(store: defaults).lastRelay, "relay.example.org")
    }
}
