import Foundation

/// The relay as a person types it (`relay.example.org`, `https://relay.example.org`,
/// `ws://10.0.2.2:8080/ws`), turned into the two addresses the app needs: the WebSocket URL the
/// core connects to, and the web page a browser opens to join the same room. The same rules as
/// the Android app's `RelayAddress`.
public struct RelayAddress: Equatable, Sendable {
    /// The relay's WebSocket path (the protocol crate's `WS_PATH`).
    public static let webSocketPath = "/ws"

    /// `ws://host[:port]/ws` or `wss://host[:port]/ws`.
    public let webSocketURL: String
    /// `http(s)://host[:port]/`, the relay's web client.
    public let webPageURL: String

    /// The link that opens `room` in a browser (the web client reads `?room=`).
    public func roomLink(_ room: String) -> String {
        "\(webPageURL)?room=\(room)"
    }

    /// What the share sheet sends: the room name for the app and the link for a browser.
    public func invitation(room: String) -> String {
        "Join my video call. Room: \(room)\n\(roomLink(room))"
    }

    /// Parses what was typed. No scheme means TLS (`wss`/`https`), since phones reach relays over
    /// the internet; `http`/`ws` stay plain (a LAN). A path other than the WebSocket's is where
    /// the web page lives (a relay behind a proxy at `/video/`), and the WebSocket sits under it.
    /// `nil` for anything that is not a host with an optional port and path.
    public static func parse(_ typed: String) -> RelayAddress? {
        let text = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else { return nil }
        let withScheme = text.contains("://") ? text : "https://" + text
        guard let url = URLComponents(string: withScheme),
              let host = url.host, !host.isEmpty
        else { return nil }
        let secure: Bool
        switch url.scheme?.lowercased() {
        case "https", "wss": secure = true
        case "http", "ws": secure = false
        default: return nil
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let authority = url.port.map { "\(hostPart):\($0)" } ?? hostPart
        var base = url.percentEncodedPath
        if base.hasSuffix(webSocketPath) {
            base.removeLast(webSocketPath.count)
        }
        while base.hasSuffix("/") {
            base.removeLast()
        }
        return RelayAddress(
            webSocketURL: "\(secure ? "wss" : "ws")://\(authority)\(base)\(webSocketPath)",
            webPageURL: "\(secure ? "https" : "http")://\(authority)\(base)/")
    }
}

/// Where small settings are kept. `UserDefaults` is one; tests use a dictionary.
public protocol PreferenceStore: AnyObject {
    /// The string stored under `key`, if any.
    func string(forKey key: String) -> String?
    /// Stores `value` under `key`.
    func setString(_ value: String, forKey key: String)
}

extension UserDefaults: PreferenceStore {
    public func setString(_ value: String, forKey key: String) {
        set(value, forKey: key)
    }
}

/// Remembers the relay last joined through, as typed, so the start screen offers it again.
public struct RelayURLMemory {
    /// The key under which the relay is stored.
    public static let key = "videochat.relay"

    private let store: PreferenceStore

    /// A memory backed by `store` (`UserDefaults.standard` in the app).
    public init(store: PreferenceStore) {
        self.store = store
    }

    /// The relay remembered last, or `nil` on first launch.
    public var lastRelay: String? {
        store.string(forKey: Self.key)
    }

    /// Remembers `typed` if it is a relay address, and returns that address; remembers nothing
    /// and returns `nil` otherwise.
    @discardableResult
    public func remember(_ typed: String) -> RelayAddress? {
        guard let address = RelayAddress.parse(typed) else { return nil }
        store.setString(typed.trimmingCharacters(in: .whitespacesAndNewlines), forKey: Self.key)
        return address
    }
}
