import Foundation
import VideoChatCore

/// Something the call model hears from the core.
public enum CallEvent: Sendable {
    case stateChanged(CallState)
    case error(CallError)
    case remoteMedia(MediaState)
    case stats(CallStats)
}

/// Draws remote video. Called on the core's listener thread, one frame at a time; it must not
/// block (hand the frame to the display layer and return).
public protocol RemoteVideoSink: AnyObject, Sendable {
    /// Shows `frame` (upright, in the format the call was configured with).
    func render(_ frame: RemoteVideoFrame)
}

/// Plays remote audio. Called on the core's listener thread every 20 ms; it must not block.
public protocol RemoteAudioSink: AnyObject, Sendable {
    /// Schedules 20 ms of 48 kHz mono, 16-bit little-endian PCM.
    func play(_ pcm: Data)
}

/// The core's listener: turns its callbacks into an `AsyncStream` of events for the
/// `@MainActor` call model, and passes media straight to the sinks on the listener thread, so
/// video and audio never wait for the main thread.
///
/// The core calls it from one `videochat-listener` thread per call, in order. The stream ends
/// after a terminal state (`ended` or `failed`), the last callback a call makes.
public final class CoreBridge: CallListener {
    /// State changes, errors and stats, in the order the core sent them.
    public let events: AsyncStream<CallEvent>

    private let continuation: AsyncStream<CallEvent>.Continuation
    private let video: RemoteVideoSink?
    private let audio: RemoteAudioSink?

    /// A bridge that hands remote media to `video` and `audio` (either may be `nil` in tests).
    public init(video: RemoteVideoSink?, audio: RemoteAudioSink?) {
        // Unbounded is safe here: media never goes through the stream, and the core sends at
        // most a few states and one stats record a second.
        let (events, continuation) = AsyncStream.makeStream(of: CallEvent.self)
        self.events = events
        self.continuation = continuation
        self.video = video
        self.audio = audio
    }

    /// Ends the event stream early (the model stops listening before the call has ended).
    public func finish() {
        continuation.finish()
    }

    public func onStateChanged(state: CallState) throws {
        continuation.yield(.stateChanged(state))
        if StatusText.isTerminal(state) {
            continuation.finish()
        }
    }

    public func onRemoteVideoFrame(frame: RemoteVideoFrame) throws {
        video?.render(frame)
    }

    public func onRemoteAudio(pcm: Data) throws {
        audio?.play(pcm)
    }

    public func onError(error: CallError) throws {
        continuation.yield(.error(error))
    }

    public func onRemoteMediaChanged(state: MediaState) throws {
        continuation.yield(.remoteMedia(state))
    }

    public func onStats(stats: CallStats) throws {
        continuation.yield(.stats(stats))
    }
}
