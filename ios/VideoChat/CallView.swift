import AVFoundation
import SwiftUI
import UIKit
import VideoChatCore
import VideoChatKit

/// Everything one call screen owns, made once per call and freed when the screen goes.
@MainActor
final class CallObjects: ObservableObject {
    let media: CallMedia
    let renderer: RemoteVideoRenderer
    let model: CallModel

    init(route: CallRoute) {
        let media = CallMedia()
        let renderer = RemoteVideoRenderer()
        // Google's STUN server, then the person's TURN server if any (the relay may add more).
        let config = CallConfig(
            relayUrl: route.relayURL, room: route.room,
            iceServers: defaultIceServers() + (route.turnServer.map { [$0.iceServer] } ?? []),
            remoteVideoFormat: .i420)
        self.media = media
        self.renderer = renderer
        model = CallModel(
            config: config, cameraAllowed: route.withCamera, media: media, video: renderer, audio: media.audio)
    }
}

/// The call screen as presented: runs the call while it is shown, pauses the camera in the
/// background, keeps the screen awake.
struct CallScreen: View {
    @StateObject private var objects: CallObjects
    @Environment(\.dismiss) private var dismiss
    @Environment(\.scenePhase) private var scenePhase

    init(route: CallRoute) {
        _objects = StateObject(wrappedValue: CallObjects(route: route))
    }

    var body: some View {
        CallView(model: objects.model, renderer: objects.renderer, previewSession: objects.media.capture.session) {
            objects.model.hangUp()
            dismiss()
        }
        // Returns when the call is over; cancelled (hang up, free everything) when dismissed.
        .task { await objects.model.run() }
        .onChange(of: scenePhase) { phase in
            objects.model.setInBackground(phase == .background)
        }
        .onAppear { UIApplication.shared.isIdleTimerDisabled = true }
        .onDisappear {
            UIApplication.shared.isIdleTimerDisabled = false
            objects.renderer.clear()
        }
    }
}

/// The remote video full screen, the self-view in a corner, the state in words, the buttons.
struct CallView: View {
    @ObservedObject var model: CallModel
    let renderer: RemoteVideoRenderer
    let previewSession: AVCaptureSession?
    let leave: () -> Void
    /// Whether the numbers behind the quality indicator are shown (a long press on the remote
    /// video, or a tap on the indicator).
    @State private var showsStats = false

    /// The self-view's longer side, in points; its shape is a portrait 720p picture's.
    private static let selfViewSize = FrameGeometry.selfViewSize(picture: CGSize(width: 720, height: 1280), longSide: 176)

    var body: some View {
        ZStack {
            ZStack {
                Color.black.ignoresSafeArea()
                VideoView(renderer: renderer).ignoresSafeArea()
                    // Reconnecting keeps the last frame, dimmed; camera off hides it behind an avatar.
                    .opacity(model.showsRemoteCameraOff ? 0 : (model.dimsRemoteVideo ? 0.4 : 1))
                if model.showsRemoteCameraOff {
                    VStack(spacing: 8) {
                        Image(systemName: "person.crop.circle.fill").font(.system(size: 72))
                        Text("Camera off")
                    }
                    .foregroundStyle(.white)
                }
            }
            // On the whole remote area, not the video alone: a view at opacity 0 (camera off)
            // takes no touches.
            .contentShape(Rectangle())
            .onLongPressGesture { showsStats.toggle() }
            VStack(spacing: 12) {
                status
                qualityIndicator
                Spacer()
                if model.isOver {
                    Button("Close", action: leave)
                        .buttonStyle(.borderedProminent)
                } else {
                    controls
                }
            }
            .padding()
        }
        .overlay(alignment: .bottomLeading) {
            if model.showsRemoteMuted {
                Text("Muted")
                    .font(.caption.bold())
                    .padding(.horizontal, 12).padding(.vertical, 4)
                    .background(Capsule().fill(Color.red.opacity(0.9)))
                    .foregroundStyle(.white)
                    .padding(.bottom, 96).padding(.leading)
            }
        }
        .overlay(alignment: .topTrailing) {
            selfView
                .frame(width: Self.selfViewSize.width, height: Self.selfViewSize.height)
                .clipShape(RoundedRectangle(cornerRadius: 12))
                .padding()
        }
    }

    @ViewBuilder
    private var status: some View {
        VStack(spacing: 4) {
            Text(model.statusText).font(.headline)
            if let detail = model.detailText {
                Text(detail).font(.subheadline)
            }
        }
        .foregroundStyle(.white)
        .multilineTextAlignment(.center)
        .shadow(radius: 2)
        .padding(.trailing, Self.selfViewSize.width) // clear of the self-view
    }

    /// The quality indicator and, when asked for, the stats under it; nothing while the core has
    /// no verdict (not in a call, or nothing measured yet).
    @ViewBuilder
    private var qualityIndicator: some View {
        if let quality = model.connectionQuality {
            VStack(spacing: 8) {
                Button {
                    showsStats.toggle()
                } label: {
                    QualityBadge(quality: quality)
                }
                .buttonStyle(.plain)
                .accessibilityHint(showsStats ? "Hides the call statistics" : "Shows the call statistics")
                if showsStats, let lines = model.statsLines {
                    Text(lines.joined(separator: "\n"))
                        .font(.caption.monospaced())
                        .multilineTextAlignment(.leading)
                        .foregroundStyle(.white)
                        .padding(8)
                        .background(RoundedRectangle(cornerRadius: 8).fill(Color.black.opacity(0.6)))
                }
            }
            .padding(.trailing, Self.selfViewSize.width) // clear of the self-view, like the status
        }
    }

    @ViewBuilder
    private var selfView: some View {
        if let previewSession, model.isVideoEnabled, !model.isOver {
            CameraPreview(session: previewSession, mirrored: model.mirrorsSelfView)
        } else {
            ZStack {
                Color(white: 0.15)
                Image(systemName: "video.slash").foregroundStyle(.white)
            }
        }
    }

    private var controls: some View {
        HStack(spacing: 20) {
            roundButton(
                "arrow.triangle.2.circlepath.camera", label: "Switch camera",
                disabled: model.isSwitchingCamera || !model.isVideoEnabled
            ) {
                Task { await model.switchCamera() }
            }
            roundButton(model.isMuted ? "mic.slash.fill" : "mic.fill", label: model.isMuted ? "Unmute" : "Mute") {
                model.toggleMute()
            }
            roundButton(
                model.isVideoEnabled ? "video.fill" : "video.slash.fill",
                label: model.isCameraAllowed
                    ? (model.isVideoEnabled ? "Turn video off" : "Turn video on")
                    : "Camera not allowed",
                disabled: !model.isCameraAllowed
            ) {
                model.toggleVideo()
            }
            roundButton("phone.down.fill", label: "Hang up", tint: .red, action: leave)
        }
    }

    private func roundButton(
        _ symbol: String, label: String, tint: Color = Color(white: 0.25), disabled: Bool = false,
        action: @escaping () -> Void
    ) -> some View {
        Button(action: action) {
            Image(systemName: symbol)
                .font(.title2)
                .frame(width: 56, height: 56)
                .background(Circle().fill(tint))
                .foregroundStyle(.white)
        }
        .disabled(disabled)
        .opacity(disabled ? 0.5 : 1)
        .accessibilityLabel(label)
    }
}

/// The connection quality as three bars, as many lit as the connection is good, and in words,
/// in the web client's colours.
private struct QualityBadge: View {
    let quality: ConnectionQuality

    var body: some View {
        HStack(spacing: 6) {
            HStack(alignment: .bottom, spacing: 2) {
                ForEach(1...QualityText.barCount, id: \.self) { bar in
                    RoundedRectangle(cornerRadius: 1)
                        .fill(bar <= QualityText.litBars(for: quality) ? color : Color.white.opacity(0.3))
                        .frame(width: 4, height: CGFloat(4 + 4 * bar))
                }
            }
            Text(QualityText.describe(quality))
        }
        .font(.caption.bold())
        .foregroundStyle(color)
        .padding(.horizontal, 10).padding(.vertical, 4)
        // Dark behind it: the colours must read on any picture.
        .background(Capsule().fill(Color.black.opacity(0.5)))
        .accessibilityElement(children: .ignore)
        .accessibilityLabel(QualityText.describe(quality))
    }

    /// server/static/style.css: #81c995, #fdd663, #f28b82.
    private var color: Color {
        switch quality {
        case .good: return Color(red: 0x81 / 255, green: 0xC9 / 255, blue: 0x95 / 255)
        case .weak: return Color(red: 0xFD / 255, green: 0xD6 / 255, blue: 0x63 / 255)
        case .poor: return Color(red: 0xF2 / 255, green: 0x8B / 255, blue: 0x82 / 255)
        }
    }
}

#if DEBUG
/// A call that never connects, for SwiftUI previews.
private final class PreviewSession: CallSession, @unchecked Sendable {
    func setCameraFacing(facing: CameraFacing) {}
    func setMuted(muted: Bool) {}
    func setVideoEnabled(enabled: Bool) {}
    func hangUp() {}
    func sendVideoNv12(
        y: Data, uv: Data, strideY: UInt32, strideUv: UInt32,
        width: UInt32, height: UInt32, rotationDegrees: UInt32, timestampUs: Int64
    ) throws {}
    func sendAudio(pcm: Data) throws {}
}

@MainActor
private final class PreviewMedia: LocalMedia {
    func start(sendingTo session: any CallSession, facing: CameraFacing, withCamera: Bool) async throws {}
    func switchCamera(to facing: CameraFacing) async -> Bool { true }
    func setCameraRunning(_ running: Bool) {}
    func stop() {}
}

#Preview("Waiting") {
    let model = CallModel(
        config: CallConfig(relayUrl: "wss://relay.example/ws", room: "kitchen", remoteVideoFormat: .i420),
        media: PreviewMedia(), video: nil, audio: nil,
        makeSession: { _, _ in PreviewSession() })
    return CallView(model: model, renderer: RemoteVideoRenderer(), previewSession: nil) {}
        .task { await model.run() }
}
#endif
