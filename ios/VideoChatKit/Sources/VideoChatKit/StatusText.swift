import VideoChatCore

/// The words the call screen shows: a status line for the call state, and a detail line with the
/// reason or advice.
///
/// The sentences are the Android app's (`CallScreen.words` and friends), so both platforms tell a
/// person the same thing at the same moment.
public enum StatusText {
    /// The status line for `state`, e.g. "Waiting for the other person".
    public static func describe(_ state: CallState) -> String {
        switch state {
        case .connecting: return "Connecting to the relay"
        case .waitingForPeer: return "Waiting for the other person"
        case .negotiating: return "Connecting"
        case .connected: return "Connected"
        case .reconnecting: return "Reconnecting..."
        case .ended: return "Call ended"
        case .failed: return "Call failed"
        }
    }

    /// The detail line for `state`: why the call ended or failed, or advice; `nil` if none.
    public static func detail(_ state: CallState) -> String? {
        switch state {
        case .waitingForPeer: return "Share the room name so they can join."
        case .reconnecting: return "The connection was interrupted; trying to restore it."
        case .ended(let reason): return describe(reason)
        case .failed(let failure): return describe(failure)
        case .connecting, .negotiating, .connected: return nil
        }
    }

    /// Why a call ended, said to the person.
    public static func describe(_ reason: EndReason) -> String {
        switch reason {
        case .hungUp: return "You hung up."
        case .peerLeft: return "The other person left."
        case .roomFull: return "This room is full: two people are already in it."
        case .iceFailed: return "The connection to the other person was lost (network changed or blocked)."
        case .signalingLost: return "No network: the relay could not be reached."
        case .peerUnresponsive: return "The other person's app stopped responding."
        }
    }

    /// What broke, said to the person (the developer detail goes to the log).
    public static func describe(_ failure: CallFailure) -> String {
        switch failure {
        case .badRoom:
            return "The relay refused this room name."
        case .malformedMessage:
            return "The other app sent something this app does not understand (update both apps)."
        case .incompatiblePeer:
            return "The other app cannot take this call (update both apps)."
        case .internal:
            return "This phone could not set the call up. Try again."
        }
    }

    /// An error the core reported, in words.
    public static func describe(_ error: CallError) -> String {
        switch error {
        case .InvalidConfig(let reason): return "The relay address or room is not valid: \(reason)."
        case .InvalidFrame: return "The camera delivered a picture the call cannot use."
        case .CallEnded: return "The call has ended."
        case .Failed(let failure): return describe(failure)
        case .Internal: return "Something went wrong inside the app."
        }
    }

    /// Whether `state` is the last one a call reaches.
    public static func isTerminal(_ state: CallState) -> Bool {
        switch state {
        case .ended, .failed: return true
        case .connecting, .waitingForPeer, .negotiating, .connected, .reconnecting: return false
        }
    }
}
