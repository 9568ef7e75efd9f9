import SwiftUI
import UIKit
import VideoChatKit

/// What the call screen needs to place a call.
struct CallRoute: Identifiable, Hashable {
    /// The relay's WebSocket URL (`RelayAddress.webSocketURL`).
    let relayURL: String
    let room: String

    var id: String { relayURL + "#" + room }
}

/// The start screen: the relay (remembered), the room (typed, received, or new), share, join.
struct StartView: View {
    @State private var relayURL = ""
    @State private var room = ""
    @State private var activeCall: CallRoute?
    @State private var refusal: String?
    @State private var isPreparing = false
    @Environment(\.openURL) private var openURL

    private let memory = RelayURLMemory(store: UserDefaults.standard)

    var body: some View {
        NavigationStack {
            Form {
                Section("Relay") {
                    TextField("Relay, e.g. relay.example.org", text: $relayURL)
                        .keyboardType(.URL)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                }
                Section {
                    TextField("Room name", text: $room)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    Button("New room") { room = RoomName.random() }
                    if let invitation {
                        ShareLink(item: invitation) {
                            Label("Share the room", systemImage: "square.and.arrow.up")
                        }
                    }
                } header: {
                    Text("Room")
                } footer: {
                    Text(hint)
                }
                Section {
                    Button("Join") {
                        Task { await join() }
                    }
                    .disabled(!canJoin || isPreparing)
                }
                if let refusal {
                    Section {
                        Text(refusal)
                        Button("Open Settings") {
                            if let url = URL(string: UIApplication.openSettingsURLString) {
                                openURL(url)
                            }
                        }
                    }
                }
            }
            .navigationTitle("Video call")
        }
        .onAppear {
            if relayURL.isEmpty {
                relayURL = memory.lastRelay ?? ""
            }
        }
        .fullScreenCover(item: $activeCall) { route in
            CallScreen(route: route)
        }
    }

    private var canJoin: Bool {
        RelayAddress.parse(relayURL) != nil && RoomName.normalized(room) != nil
    }

    /// What the share sheet sends, once both the relay and the room are usable.
    private var invitation: String? {
        guard let relay = RelayAddress.parse(relayURL), let name = RoomName.normalized(room) else { return nil }
        return relay.invitation(room: name)
    }

    /// What is wrong with what was typed (the Android app's words), or how rooms work.
    private var hint: String {
        if !relayURL.isEmpty, RelayAddress.parse(relayURL) == nil {
            return "Type the relay's address, e.g. relay.example.org or http://192.168.1.20:8080."
        }
        if !room.isEmpty, let problem = RoomName.problem(room) {
            return problem
        }
        return "Both people enter the same room. New room makes one nobody can guess."
    }

    /// Checks the camera and microphone permissions (asking once), then opens the call screen.
    @MainActor
    private func join() async {
        guard let name = RoomName.normalized(room), let relay = memory.remember(relayURL) else { return }
        isPreparing = true
        defer { isPreparing = false }
        switch await Permissions.prepareForCall() {
        case .join:
            refusal = nil
            activeCall = CallRoute(relayURL: relay.webSocketURL, room: name)
        case .explainRefusal(let devices), .ask(let devices):
            // `.ask` after asking means the prompt could not be shown: explain as for a refusal.
            refusal = PermissionStep.refusalText(devices)
        }
    }
}
