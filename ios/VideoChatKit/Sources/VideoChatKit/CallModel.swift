import Foundation
import VideoChatCore
#if canImport(Combine)
import Combine
#endif

/// One call as the call screen sees it: its state in words, the buttons' states, and the actions
/// behind them. Owns the core's call object and the local media for the call's lifetime.
///
///     let model = CallModel(config: config, media: media, video: renderer, audio: player)
///     .task { await model.run() }     // returns when the call is over; cancelling leaves it
///
/// Everything here runs on the main actor; the core's callbacks arrive through a `CoreBridge`
/// stream, and remote media bypasses the model entirely.
@MainActor
public final class CallModel {
    /// Creates the core's call; tests pass a fake.
    public typealias SessionFactory = (CallConfig, CallListener) throws -> any CallSession

    /// Where the call is.
    public private(set) var state: CallState = .connecting { willSet { willChange() } }
    /// The last error worth showing, in words; cleared when the call connects.
    public private(set) var errorText: String? { willSet { willChange() } }
    /// The latest statistics, about once a second (the quality indicator and the stats view).
    public private(set) var stats: CallStats? { willSet { willChange() } }
    /// The camera in use.
    public private(set) var facing: CameraFacing { willSet { willChange() } }
    /// Whether a camera switch is under way (the button is disabled meanwhile).
    public private(set) var isSwitchingCamera = false { willSet { willChange() } }
    /// Whether the microphone is muted.
    public private(set) var isMuted = false { willSet { willChange() } }
    /// Whether our video is sent.
    public private(set) var isVideoEnabled = true { willSet { willChange() } }
    /// What the other person told us of their microphone and camera (both on until told otherwise).
    public private(set) var remoteMedia = MediaState(audio: true, video: true) { willSet { willChange() } }

    /// The room of this call.
    public var room: String { config.room }
    /// The state in words, for the status line ("Waiting for the other person").
    public var statusText: String {
        couldNotStart ? "Call failed" : StatusText.describe(state)
    }
    /// The reason or advice under it: why the call ended, else the last error, else nothing. A
    /// relay on a private address that could not be reached is explained with the Local Network
    /// permission, which a refused alert may have turned off.
    public var detailText: String? {
        if couldNotStart {
            return errorText
        }
        if case .ended(reason: .signalingLost) = state, let privateRelayHost {
            return LocalNetwork.unreachableRelayText(host: privateRelayHost)
        }
        return StatusText.detail(state) ?? errorText ?? cameraNotice
    }
    /// Whether the call is over (the screen offers to leave).
    public var isOver: Bool { couldNotStart || StatusText.isTerminal(state) }
    /// "Muted" on the remote tile while in a call with a muted person.
    public var showsRemoteMuted: Bool { isInCall && !remoteMedia.audio }
    /// An avatar with "Camera off" instead of the last remote frame.
    public var showsRemoteCameraOff: Bool { isInCall && !remoteMedia.video }
    /// The last remote frame stays, dimmed, while the call is being restored.
    public var dimsRemoteVideo: Bool { state == .reconnecting }
    private var isInCall: Bool { state == .connected || state == .reconnecting }
    /// The connection-quality indicator's verdict, `nil` to hide it: the core's verdict of the
    /// last second, in a call only (the last stats before the end may still carry one).
    public var connectionQuality: ConnectionQuality? { isInCall ? stats?.quality : nil }
    /// The stats view's lines, while there is a verdict (the numbers behind it are all zero
    /// without one).
    public var statsLines: [String]? {
        guard connectionQuality != nil, let stats else { return nil }
        return QualityText.lines(for: stats)
    }
    /// Whether the self-view is mirrored (user camera only).
    public var mirrorsSelfView: Bool { facing.mirrorsSelfView }
    /// Whether the camera may be used at all (its permission); without it the call is audio-only
    /// and the video button stays off.
    public let isCameraAllowed: Bool

    private let config: CallConfig
    /// The relay's host when it is on a private address (the Local Network permission applies).
    private let privateRelayHost: String?
    private let media: LocalMedia
    private let video: RemoteVideoSink?
    private let audio: RemoteAudioSink?
    private let makeSession: SessionFactory
    private let now: () -> ContinuousClock.Instant
    private var switcher: CameraSwitcher
    private var session: (any CallSession)?
    private var bridge: CoreBridge?
    private var isInBackground = false
    /// The core refused to start the call (a bad config): there is no state to follow.
    private var couldNotStart = false { willSet { willChange() } }

    /// A model for a call with `config` that starts with the `facing` camera, capturing through
    /// `media` and rendering remote media to `video` and `audio`. Without `cameraAllowed` the
    /// call is audio-only: our video is off from the start and the other side is told so.
    /// `makeSession` and `now` are for tests.
    public init(
        config: CallConfig,
        facing: CameraFacing = .user,
        cameraAllowed: Bool = true,
        media: LocalMedia,
        video: RemoteVideoSink?,
        audio: RemoteAudioSink?,
        makeSession: @escaping SessionFactory = { config, listener in try Call(config: config, listener: listener) },
        now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.config = config
        privateRelayHost = LocalNetwork.endpoint(ofRelay: config.relayUrl)
            .flatMap { LocalNetwork.isPrivateHost($0.host) ? $0.host : nil }
        isCameraAllowed = cameraAllowed
        isVideoEnabled = cameraAllowed
        self.media = media
        self.video = video
        self.audio = audio
        self.makeSession = makeSession
        self.now = now
        self.facing = facing
        self.switcher = CameraSwitcher(facing: facing)
    }

    /// Places the call and follows it until it is over, then frees the call and the devices.
    /// Cancelling the calling task (the screen goes away) hangs up and frees them too.
    public func run() async {
        guard session == nil, !isOver else { return }
        let bridge = CoreBridge(video: video, audio: audio)
        let session: any CallSession
        do {
            session = try makeSession(config, bridge)
        } catch {
            errorText = Self.describe(error)
            couldNotStart = true
            return
        }
        self.session = session
        self.bridge = bridge
        session.setCameraFacing(facing: facing)
        if !isCameraAllowed {
            // Before anything is sent: the other side shows "Camera off" from the start.
            session.setVideoEnabled(enabled: false)
        }
        do {
            try await media.start(sendingTo: session, facing: facing, withCamera: isCameraAllowed)
        } catch {
            // The call goes on: without a camera the other person still hears us.
            errorText = Self.describe(error)
        }
        media.setCameraRunning(isVideoEnabled && !isInBackground)
        for await event in bridge.events {
            handle(event)
        }
        release()
    }

    /// Switches between the front and rear camera, unless a switch is under way or the last tap
    /// was a moment ago. The call goes on meanwhile; the core sends a key frame after.
    public func switchCamera() async {
        guard session != nil, let target = switcher.begin(at: now()) else { return }
        isSwitchingCamera = true
        let switched = await media.switchCamera(to: target)
        switcher.finish(succeeded: switched)
        isSwitchingCamera = false
        if switched {
            facing = target
            session?.setCameraFacing(facing: target)
        } else {
            errorText = "The other camera could not be opened."
        }
    }

    /// Mutes or unmutes the microphone (the other person hears silence).
    public func toggleMute() {
        isMuted.toggle()
        session?.setMuted(muted: isMuted)
    }

    /// Turns our video off (the camera stops, its light goes out) or on again. Does nothing when
    /// the camera is not allowed.
    public func toggleVideo() {
        guard isCameraAllowed else { return }
        isVideoEnabled.toggle()
        session?.setVideoEnabled(enabled: isVideoEnabled)
        media.setCameraRunning(isVideoEnabled && !isInBackground)
    }

    /// The app went to the background or came back: the camera pauses, the call goes on.
    public func setInBackground(_ background: Bool) {
        isInBackground = background
        if session != nil {
            media.setCameraRunning(isVideoEnabled && !background)
        }
    }

    /// Ends the call. The devices are freed when the core confirms (`ended(hungUp)`).
    public func hangUp() {
        session?.hangUp()
    }

    private func handle(_ event: CallEvent) {
        switch event {
        case .stateChanged(let newState):
            state = newState
            if newState == .connected {
                errorText = nil
            }
        case .error(let error):
            errorText = StatusText.describe(error)
        case .remoteMedia(let newState):
            remoteMedia = newState
        case .stats(let newStats):
            stats = newStats
        }
    }

    /// Frees the call and the devices; hangs up first if the call is still going.
    private func release() {
        guard let session else { return }
        if !isOver {
            session.hangUp()
        }
        bridge?.finish()
        media.stop()
        self.session = nil
        bridge = nil
    }

    /// Why the other side does not see us when the camera is not allowed.
    private var cameraNotice: String? {
        isCameraAllowed || isOver ? nil : PermissionStep.cameraRefusedText
    }

    private static func describe(_ error: Error) -> String {
        if let error = error as? CallError {
            return StatusText.describe(error)
        }
        return (error as? LocalizedError)?.errorDescription ?? String(describing: error)
    }

    private func willChange() {
        #if canImport(Combine)
        objectWillChange.send()
        #endif
    }
}

#if canImport(Combine)
extension CallModel: ObservableObject {}
#endif
