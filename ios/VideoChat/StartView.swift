import SwiftUI
import UIKit
import VideoChatKit

/// What the call screen needs to place a call.
struct CallRoute: Identifiable, Hashable {
    /// The relay's WebSocket URL (`RelayAddress.webSocketURL`).
    let relayURL: String
    let room: String
    /// Whether the camera may be used (else an audio-only call).
    let withCamera: Bool
    /// A TURN server the person entered, if any.
    let turnServer: TurnServer?

    var id: String { relayURL + "#" + room }
}

/// The start screen: the relay (remembered), the room (typed, received, or new), share, join,
/// and an optional TURN server. A relay on the local network is reached out to as soon as it is
/// typed, so iOS's Local Network alert comes up here rather than during the first connect.
struct StartView: View {
    @State private var relayURL = ""
    @State private var room = ""
    @State private var turnURL = ""
    @State private var turnUsername = ""
    @State private var turnCredential = ""
    @State private var activeCall: CallRoute?
    @State private var refusal: String?
    /// What reaching out to a relay on the local network found, in words (`nil`: all well).
    @State private var networkHint: String?
    @State private var isPreparing = false
    @Environment(\.openURL) private var openURL

    private let memory = RelayURLMemory(store: UserDefaults.standard)
    private let turnMemory = TurnServerMemory(store: UserDefaults.standard, secrets: KeychainStore())

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField("Relay, e.g. relay.example.org", text: $relayURL)
                        .keyboardType(.URL)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    if let networkHint {
                        Text(networkHint)
                        Button("Open Settings", action: openSettings)
                    }
                } header: {
                    Text("Relay")
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
                    TextField("turn:turn.example.org:3478", text: $turnURL)
                        .keyboardType(.URL)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    TextField("User name", text: $turnUsername)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                    SecureField("Credential", text: $turnCredential)
                } header: {
                    Text("TURN server (optional)")
                } footer: {
                    Text(turnHint)
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
                        Button("Open Settings", action: openSettings)
                    }
                }
            }
            .navigationTitle("Video call")
        }
        .onAppear {
            if relayURL.isEmpty {
                relayURL = memory.lastRelay ?? ""
                let turn = turnMemory.fields
                turnURL = turn.url
                turnUsername = turn.username
                turnCredential = turn.credential
            }
        }
        // Restarted whenever the relay's address changes; cancelled when the screen goes.
        .task(id: localRelay?.id) {
            await probe(localRelay)
        }
        .fullScreenCover(item: $activeCall) { route in
            CallScreen(route: route)
        }
    }

    private var canJoin: Bool {
        guard case .success = turnFields else { return false }
        return RelayAddress.parse(relayURL) != nil && RoomName.normalized(room) != nil
    }

    /// The TURN fields as typed: a server, none (all empty), or what is wrong with them.
    private var turnFields: Result<TurnServer?, TurnServer.Problem> {
        TurnServer.parse(url: turnURL, username: turnUsername, credential: turnCredential)
    }

    /// What is wrong with the TURN fields, or what they are for.
    private var turnHint: String {
        if case .failure(let problem) = turnFields {
            return problem.description
        }
        return "Needed only when the two phones cannot reach each other directly (strict mobile or office networks)."
    }

    /// The relay's host and port when it sits on the local network, else `nil`.
    private var localRelay: LocalEndpoint? {
        guard let relay = RelayAddress.parse(relayURL),
              let endpoint = LocalNetwork.endpoint(ofRelay: relay.webSocketURL),
              LocalNetwork.isPrivateHost(endpoint.host)
        else { return nil }
        return LocalEndpoint(host: endpoint.host, port: endpoint.port)
    }

    /// Reaches out to `relay` (after a pause, so typing is not probed keystroke by keystroke)
    /// and keeps `networkHint` current until the screen or the address changes.
    @MainActor
    private func probe(_ relay: LocalEndpoint?) async {
        networkHint = nil
        guard let relay else { return }
        try? await Task.sleep(nanoseconds: 600_000_000)
        guard !Task.isCancelled else { return }
        for await result in LocalNetworkProbe.results(host: relay.host, port: relay.port) {
            networkHint = LocalNetwork.hint(for: result, host: relay.host)
        }
    }

    private func openSettings() {
        if let url = URL(string: UIApplication.openSettingsURLString) {
            openURL(url)
        }
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
        guard let name = RoomName.normalized(room), case .success(let turn) = turnFields,
              let relay = memory.remember(relayURL)
        else { return }
        turnMemory.remember(turn)
        isPreparing = true
        defer { isPreparing = false }
        switch await Permissions.prepareForCall() {
        case .join(let withCamera):
            refusal = nil
            activeCall = CallRoute(relayURL: relay.webSocketURL, room: name, withCamera: withCamera, turnServer: turn)
        case .explainRefusal(let devices), .ask(let devices):
            // `.ask` after asking means the prompt could not be shown: explain as for a refusal.
            refusal = PermissionStep.refusalText(devices)
        }
    }
}

/// A relay on the local network, as the probe reaches it.
private struct LocalEndpoint: Equatable {
    let host: String
    let port: Int

    var id: String { "\(host):\(port)" }
}
