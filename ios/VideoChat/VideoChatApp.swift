import SwiftUI
import VideoChatCore

/// The app: a start screen, and the call screen over it while a call runs.
@main
struct VideoChatApp: App {
    init() {
        // The core's logs go to the unified log (Console.app, subsystem of the app).
        initLogging(level: .info)
    }

    var body: some Scene {
        WindowGroup {
            StartView()
        }
    }
}
