import Foundation
import Network
import VideoChatKit

/// Reaches out to a relay on the local network from the start screen, so iOS shows its "find
/// and connect to devices on your local network" alert there (the call's first connect would
/// fail while the alert is up), and says whether the permission stands.
///
/// A plain TCP connection to the relay's port: any outgoing connection to a local address
/// triggers the alert, so no Bonjour browsing (and no `NSBonjourServices` entry) is needed.
enum LocalNetworkProbe {
    /// Connects to `host`:`port` and reports what happened, as it changes: `.reachable` once
    /// connected (the probe then ends), `.denied` while iOS refuses for want of the permission
    /// (also while its alert is up; allowing it turns the connection ready), `.unreachable` while
    /// nothing answers. Cancelling the consuming task closes the connection.
    static func results(host: String, port: Int) -> AsyncStream<LocalNetwork.ProbeResult> {
        AsyncStream { continuation in
            guard let port = NWEndpoint.Port(rawValue: UInt16(clamping: port)) else {
                continuation.finish()
                return
            }
            let connection = NWConnection(host: NWEndpoint.Host(host), port: port, using: .tcp)
            connection.stateUpdateHandler = { [weak connection] state in
                switch state {
                case .ready:
                    continuation.yield(.reachable)
                    continuation.finish()
                case .waiting(let error), .failed(let error):
                    let denied = connection?.currentPath?.unsatisfiedReason == .localNetworkDenied
                        || Self.isPolicyDenied(error)
                    continuation.yield(denied ? .denied : .unreachable)
                    if case .failed = state {
                        continuation.finish()
                    }
                default:
                    break
                }
            }
            continuation.onTermination = { _ in
                connection.cancel()
            }
            connection.start(queue: .main)
        }
    }

    /// The DNS-level form of the refusal (`kDNSServiceErr_PolicyDenied`, -65570), which
    /// connections to `.local` names report.
    private static func isPolicyDenied(_ error: NWError) -> Bool {
        if case .dns(let code) = error {
            return code == -65_570
        }
        return false
    }
}
