import Foundation
import XCTest
@testable import VideoChatKit

/// Secrets in memory.
private final class MemorySecrets: SecretStore {
    var values: [String: String] = [:]
    func secret(forKey key: String) -> String? { values[key] }
    func setSecret(_ secret: String?, forKey key: String) { values[key] = secret }
}

/// Preferences in memory.
private final class MemoryPreferences: PreferenceStore {
    var values: [String: String] = [:]
    func string(forKey key: String) -> String? { values[key] }
    func setString(_ value: String, forKey key: String) { values[key] = value }
}

final class TurnServerTests: XCTestCase {
    private func parse(_ url: String, _ username: String = "", _ credential: String = "") -> Result<TurnServer?, TurnServer.Problem> {
        TurnServer.parse(url: url, username: username, credential: credential)
    }

    func testEmptyFieldsMeanNoServer() {
        XCTAssertEqual(parse(" ", "", ""), .success(nil))
    }

    func testATurnServerNeedsAllThreeFields() throws {
        let server = try XCTUnwrap(parse("turn:turn.example.org:3478", "alice", "s3cret").get())
        XCTAssertEqual(server.url, "turn:turn.example.org:3478")
        XCTAssertEqual(server.iceServer.urls, ["turn:turn.example.org:3478"])
        XCTAssertEqual(server.iceServer.username, "alice")
        XCTAssertEqual(server.iceServer.credential, "s3cret")
        XCTAssertEqual(parse("turn:turn.example.org:3478", "", "s3cret"), .failure(.missingUsername))
        XCTAssertEqual(parse("turn:turn.example.org:3478", "alice", ""), .failure(.missingCredential))
        XCTAssertEqual(parse("", "alice", "s3cret"), .failure(.missingURL))
    }

    func testTheSchemeIsWrittenTheWayTheCoreReadsIt() throws {
        let server = try XCTUnwrap(parse("TURN:turn.example.org", "a", "b").get())
        XCTAssertEqual(server.url, "turn:turn.example.org")
    }

    func testUdpIsAcceptedAndTlsOrTcpAreRefusedWithAReason() {
        XCTAssertNotNil(try? parse("turn:turn.example.org:3478?transport=udp", "a", "b").get())
        XCTAssertEqual(parse("turns:turn.example.org:5349", "a", "b"), .failure(.tlsNotSupported))
        XCTAssertEqual(parse("turn:turn.example.org:3478?transport=tcp", "a", "b"), .failure(.tcpNotSupported))
    }

    func testAStunServerTakesNoCredentials() throws {
        let server = try XCTUnwrap(parse("stun:stun.example.org:3478", "ignored", "ignored").get())
        XCTAssertNil(server.username)
        XCTAssertNil(server.credential)
    }

    func testMalformedURLsAreRefused() {
        for url in ["turn.example.org", "https://turn.example.org", "turn:", "turn:host:0", "turn:host:99999",
                    "turn:host:port", "turn:user@host", "turn:[fe80::1", "turn:host/path"] {
            XCTAssertEqual(parse(url, "a", "b"), .failure(.notATurnURL), url)
        }
    }

    func testIpv6HostsInBracketsAreAccepted() {
        XCTAssertNotNil(try? parse("turn:[2001:db8::1]:3478", "a", "b").get())
    }

    func testTheCredentialNeverShowsInDescriptions() throws {
        let server = try XCTUnwrap(parse("turn:turn.example.org:3478", "alice", "s3cret").get())
        XCTAssertFalse(String(describing: server).contains("s3cret"))
        XCTAssertFalse(String(reflecting: server).contains("s3cret"))
        XCTAssertFalse("\(server)".contains("s3cret"))
        XCTAssertTrue("\(server)".contains("turn.example.org"))
    }

    func testEveryProblemHasItsOwnSentence() {
        let problems: [TurnServer.Problem] = [.missingURL, .notATurnURL, .tlsNotSupported, .tcpNotSupported, .missingUsername, .missingCredential]
        XCTAssertEqual(Set(problems.map(\.description)).count, problems.count)
    }

    func testTheCredentialIsKeptAsASecretAndTheRestAsPreferences() throws {
        let preferences = MemoryPreferences()
        let secrets = MemorySecrets()
        let memory = TurnServerMemory(store: preferences, secrets: secrets)
        let server = try XCTUnwrap(parse("turn:turn.example.org:3478", "alice", "s3cret").get())
        memory.remember(server)
        XCTAssertFalse(preferences.values.values.contains("s3cret"))
        XCTAssertEqual(secrets.values[TurnServerMemory.credentialKey], "s3cret")
        XCTAssertEqual(memory.fields.url, "turn:turn.example.org:3478")
        XCTAssertEqual(memory.fields.username, "alice")
        XCTAssertEqual(memory.fields.credential, "s3cret")
        memory.remember(nil)
        XCTAssertNil(secrets.values[TurnServerMemory.credentialKey])
        XCTAssertEqual(memory.fields.url, "")
    }
}
