import Foundation
import VideoChatCore

/// A TURN (or STUN) server as the person types it in the start screen's settings: a URL, a user
/// name and a credential. Passed to the core as one more `CallConfig.iceServers` entry, beside
/// the default STUN server and any the relay hands out.
///
/// The credential is a secret: `description` (what `print`, string interpolation and most logs
/// use) never shows it, and the app keeps it in the Keychain, not in the preferences.
public struct TurnServer: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `turn:host[:port][?transport=udp]` or `stun:host[:port]`.
    public let url: String
    /// The TURN user name (`nil` for STUN).
    public let username: String?
    /// The TURN password (`nil` for STUN).
    public let credential: String?

    /// What the core takes.
    public var iceServer: IceServer {
        IceServer(urls: [url], username: username, credential: credential)
    }

    public var description: String {
        "\(url) (user \(username ?? "none"), credential \(credential == nil ? "none" : "set"))"
    }

    public var debugDescription: String { description }

    /// The server in the three fields as typed, or why it is not usable (the start screen's
    /// words). All three fields empty: no server, `.success(nil)`.
    ///
    /// The core speaks TURN over UDP only, so `turns:` and `?transport=tcp` are refused here
    /// rather than failing silently during the call.
    public static func parse(url: String, username: String, credential: String) -> Result<TurnServer?, Problem> {
        let url = url.trimmingCharacters(in: .whitespacesAndNewlines)
        let username = username.trimmingCharacters(in: .whitespacesAndNewlines)
        // A credential may legitimately contain spaces at its ends; keep it as typed.
        if url.isEmpty {
            return username.isEmpty && credential.isEmpty ? .success(nil) : .failure(.missingURL)
        }
        let lowered = url.lowercased()
        let isTurn: Bool
        let rest: Substring
        if lowered.hasPrefix("turn:") {
            isTurn = true
            rest = url.dropFirst("turn:".count)
        } else if lowered.hasPrefix("stun:") {
            isTurn = false
            rest = url.dropFirst("stun:".count)
        } else if lowered.hasPrefix("turns:") || lowered.hasPrefix("stuns:") {
            return .failure(.tlsNotSupported)
        } else {
            return .failure(.notATurnURL)
        }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            let query = parts[1].lowercased()
            guard isTurn, query == "transport=udp" else {
                return .failure(query.contains("transport=tcp") ? .tcpNotSupported : .notATurnURL)
            }
        }
        guard let hostPort = parts.first, isHostAndPort(hostPort) else {
            return .failure(.notATurnURL)
        }
        // The core matches the scheme in lower case.
        let normalized = (isTurn ? "turn:" : "stun:") + rest
        guard isTurn else {
            return .success(TurnServer(url: normalized, username: nil, credential: nil))
        }
        guard !username.isEmpty else { return .failure(.missingUsername) }
        guard !credential.isEmpty else { return .failure(.missingCredential) }
        return .success(TurnServer(url: normalized, username: username, credential: credential))
    }

    /// What is wrong with a typed server.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case missingURL
        case notATurnURL
        case tlsNotSupported
        case tcpNotSupported
        case missingUsername
        case missingCredential

        /// The start screen's words.
        public var description: String {
            switch self {
            case .missingURL:
                return "Type the TURN server's URL, e.g. turn:turn.example.org:3478, or clear the fields."
            case .notATurnURL:
                return "A TURN server's URL looks like turn:turn.example.org:3478 (or stun:host:port)."
            case .tlsNotSupported:
                return "TURN over TLS (turns:) is not supported; use a turn: URL (UDP)."
            case .tcpNotSupported:
                return "TURN over TCP is not supported; use the server's UDP port (turn:host:3478)."
            case .missingUsername:
                return "A TURN server needs a user name."
            case .missingCredential:
                return "A TURN server needs a credential (password)."
            }
        }
    }

    /// `host`, `host:port`, `[ipv6]` or `[ipv6]:port`, the port 1-65535.
    private static func isHostAndPort(_ text: Substring) -> Bool {
        var host = text
        var port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            guard host.contains(":") else { return false }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else { return false } // IPv6 needs its brackets
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else { return false }
        if let port {
            guard let number = Int(port), (1...65_535).contains(number) else { return false }
        }
        return true
    }
}

/// Where secrets are kept: the Keychain in the app, a dictionary in tests.
public protocol SecretStore: AnyObject {
    /// The secret stored under `key`, if any.
    func secret(forKey key: String) -> String?
    /// Stores `secret` under `key`, or removes it when `nil`.
    func setSecret(_ secret: String?, forKey key: String)
}

/// Remembers the TURN server the person entered: the URL and user name in the preferences, the
/// credential in a `SecretStore`.
public struct TurnServerMemory {
    /// The preference keys and the secret's key.
    public static let urlKey = "videochat.turn.url"
    public static let usernameKey = "videochat.turn.username"
    public static let credentialKey = "videochat.turn.credential"

    private let store: PreferenceStore
    private let secrets: SecretStore

    /// A memory backed by `store` (`UserDefaults.standard`) and `secrets` (the Keychain).
    public init(store: PreferenceStore, secrets: SecretStore) {
        self.store = store
        self.secrets = secrets
    }

    /// The fields as last saved (empty strings when none).
    public var fields: (url: String, username: String, credential: String) {
        (store.string(forKey: Self.urlKey) ?? "",
         store.string(forKey: Self.usernameKey) ?? "",
         secrets.secret(forKey: Self.credentialKey) ?? "")
    }

    /// Saves `server` (`nil` forgets the server and its credential).
    public func remember(_ server: TurnServer?) {
        store.setString(server?.url ?? "", forKey: Self.urlKey)
        store.setString(server?.username ?? "", forKey: Self.usernameKey)
        secrets.setSecret(server?.credential, forKey: Self.credentialKey)
    }
}
