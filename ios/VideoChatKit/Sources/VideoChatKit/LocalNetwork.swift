import Foundation

/// iOS's local network privacy as it touches the relay: whether reaching the relay needs the
/// person's "Local Network" permission, and what to tell them when the relay cannot be reached.
///
/// iOS asks for the permission the first time an app talks to a device on the local network, and
/// blocks the connection while its alert is up. So the start screen reaches out to a relay on a
/// private address as soon as one is typed (the alert then comes up there, not during the call's
/// first connect), and a relay on a private address that cannot be reached is explained with the
/// place in Settings where the permission lives.
///
/// Only the address decides here: a host name (other than `.local`) may resolve to a private
/// address, which this cannot know without a lookup; the call then still works, and the end-of-call
/// message is the general one.
public enum LocalNetwork {
    /// Where the permission is switched, in the Settings app's words.
    public static let settingsPath = "Settings > Privacy & Security > Local Network"

    /// What the start screen learnt from reaching out to the relay.
    public enum ProbeResult: Equatable, Sendable {
        /// A connection to the relay's port was made.
        case reachable
        /// iOS refused the connection: the Local Network permission is off (or its alert is up).
        case denied
        /// Nothing answered (the relay is not running, or this phone is on another network).
        case unreachable
    }

    /// Whether talking to `host` is local network access as iOS counts it: an IPv4 address in
    /// 10/8, 172.16/12, 192.168/16 or the link-local 169.254/16; an IPv6 unique-local (fc00::/7)
    /// or link-local (fe80::/10) address; or an mDNS name ending in `.local`. Loopback, carrier
    /// NAT (100.64/10) and public addresses are not. Square brackets around IPv6 are ignored.
    public static func isPrivateHost(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") {
            name = String(name.dropFirst().dropLast())
        }
        if name.hasSuffix(".local") || name.hasSuffix(".local.") {
            return true
        }
        if let octets = ipv4Octets(name) {
            switch (octets[0], octets[1]) {
            case (10, _), (192, 168), (169, 254): return true
            case (172, 16...31): return true
            default: return false
            }
        }
        if let first = ipv6FirstGroup(name) {
            return first & 0xFE00 == 0xFC00 || first & 0xFFC0 == 0xFE80
        }
        return false
    }

    /// The host and port a relay's WebSocket URL (`ws://192.168.1.20:8080/ws`) connects to: the
    /// port from the URL, else 80 for `ws` and 443 for `wss`. `nil` for anything else.
    public static func endpoint(ofRelay webSocketURL: String) -> (host: String, port: Int)? {
        guard let url = URLComponents(string: webSocketURL), var host = url.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        let port: Int
        switch (url.port, url.scheme?.lowercased()) {
        case (let explicit?, _): port = explicit
        case (nil, "ws"), (nil, "http"): port = 80
        case (nil, "wss"), (nil, "https"): port = 443
        default: return nil
        }
        return (host, port)
    }

    /// Whether the relay at `webSocketURL` sits on a private address (see `isPrivateHost`).
    public static func isPrivateRelay(_ webSocketURL: String) -> Bool {
        endpoint(ofRelay: webSocketURL).map { isPrivateHost($0.host) } ?? false
    }

    /// The start screen's line after reaching out to the relay at `host`, or `nil` when all is well.
    public static func hint(for result: ProbeResult, host: String) -> String? {
        switch result {
        case .reachable:
            return nil
        case .denied:
            return "This phone does not let the app reach \(host) on your network. "
                + "Allow it in \(settingsPath), then try again."
        case .unreachable:
            return "Nothing answers at \(host). Check that the relay is running and that this phone "
                + "is on the same network."
        }
    }

    /// Why a call through a relay on a private address ended without reaching it: the usual
    /// causes, the permission first (a refused alert leaves no other trace).
    public static func unreachableRelayText(host: String) -> String {
        "The relay at \(host) could not be reached. If the app may not use the local network, "
            + "allow it in \(settingsPath); otherwise check that the relay is running and that "
            + "this phone is on the same network."
    }

    /// The four numbers of a dotted-quad IPv4 address, or `nil`.
    private static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit),
                  let value = Int(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The first 16-bit group of an IPv6 address (`fe80::1%en0` gives 0xFE80), or `nil` if
    /// `text` is not one. `::`-leading addresses (loopback, IPv4-mapped) give 0.
    private static func ipv6FirstGroup(_ text: String) -> UInt16? {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        guard address.contains(":"),
              address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })
        else { return nil }
        if address.hasPrefix(":") {
            return 0
        }
        let first = address.split(separator: ":", maxSplits: 1).first ?? ""
        guard (1...4).contains(first.count) else { return nil }
        return UInt16(first, radix: 16)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
