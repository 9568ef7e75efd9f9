import AVFoundation
import os
import UIKit
import VideoChatCore
import VideoChatKit

/// Microphone and speaker for a call: an `AVAudioEngine` with voice processing on (Apple's echo
/// cancellation, needed on speakerphone), the session in `.playAndRecord` / `.videoChat`, which
/// routes to the speaker by default. The microphone goes to the core in exact 20 ms chunks
/// through a `MicrophonePipe`; remote audio is played through an `AVAudioPlayerNode`.
///
/// The engine, its nodes and the pipe are made anew for every run: at the start, after an
/// interruption (a phone call, Siri), after a configuration change that stopped the engine (a
/// route or format change) and after the media services were reset.
///
/// Threads: `start`, `stop` and the notification handlers run on the main thread; `play` runs
/// on the core's listener thread and reaches the player only under `shared`'s lock.
final class AudioService: RemoteAudioSink, @unchecked Sendable {
    /// Why the microphone is not sent (the other person still hears nothing, we still hear them).
    enum AudioError: LocalizedError {
        case noMicrophone(String)

        var errorDescription: String? {
            switch self {
            case .noMicrophone(let reason): return reason
            }
        }
    }

    /// Remote audio waiting to be played beyond this (200 ms) is dropped: late speech is worse
    /// than a gap.
    private static let maxQueuedChunks = 10

    /// What the core speaks: 48 kHz mono. Float, as the mixer wants. (Never nil: a standard
    /// format with a valid rate and channel count.)
    private let callFormat = AVAudioFormat(
        commonFormat: .pcmFormatFloat32, sampleRate: Double(CallAudioFormat.sampleRate), channels: 1, interleaved: false)!

    /// The call and the player of the running engine, read on the listener thread.
    private let shared = OSAllocatedUnfairLock(uncheckedState: Shared())
    private struct Shared {
        var call: (any CallSession)?
        /// Set while the engine runs; `play` schedules on it holding the lock, so the engine is
        /// never torn down under a scheduling call.
        var player: AVAudioPlayerNode?
    }
    /// Remote chunks scheduled and not yet played (its own lock: the player's completion
    /// handlers may run inside `scheduleBuffer` or `stop`).
    private let queuedChunks = OSAllocatedUnfairLock(initialState: 0)

    // The main thread's.
    private var engine: AVAudioEngine?
    private var microphone: MicrophonePipe?
    private var observers: [NSObjectProtocol] = []
    /// An interruption ended without `.shouldResume`: restart when the app is active again.
    private var restartWhenActive = false

    /// Sets the audio session up, starts the engine and sends the microphone to `call`. Throws
    /// `AudioError.noMicrophone` when only the microphone failed (remote audio then plays), or
    /// the session's or engine's error when nothing could start.
    func start(sendingTo call: any CallSession) throws {
        shared.withLockUnchecked { $0.call = call }
        try configureSession()
        observeSession()
        if let problem = try startEngine() {
            throw AudioError.noMicrophone(problem)
        }
    }

    /// Stops the engine, releases the audio session for other apps and lets go of the call.
    func stop() {
        for observer in observers {
            NotificationCenter.default.removeObserver(observer)
        }
        observers.removeAll()
        shared.withLockUnchecked { $0.call = nil }
        stopEngine()
        try? AVAudioSession.sharedInstance().setActive(false, options: .notifyOthersOnDeactivation)
    }

    func play(_ pcm: Data) {
        let samples = AVAudioFrameCount(pcm.count / 2)
        guard let buffer = AVAudioPCMBuffer(pcmFormat: callFormat, frameCapacity: samples),
              let channel = buffer.floatChannelData?[0]
        else { return }
        let written = CallAudioFormat.writeFloats(
            fromInt16LittleEndian: pcm, to: UnsafeMutableBufferPointer(start: channel, count: Int(samples)))
        buffer.frameLength = AVAudioFrameCount(written)
        shared.withLockUnchecked { state in
            guard let player = state.player else { return }
            let accepted = queuedChunks.withLock { queued -> Bool in
                guard queued < Self.maxQueuedChunks else { return false }
                queued += 1
                return true
            }
            guard accepted else { return }
            player.scheduleBuffer(buffer) { [queuedChunks] in
                queuedChunks.withLock { $0 = max(0, $0 - 1) }
            }
        }
    }

    private func configureSession() throws {
        let session = AVAudioSession.sharedInstance()
        try session.setCategory(.playAndRecord, mode: .videoChat, options: [.defaultToSpeaker, .allowBluetooth])
        try session.setPreferredSampleRate(Double(CallAudioFormat.sampleRate))
        try session.setPreferredIOBufferDuration(0.02)
        try session.setActive(true)
    }

    /// Builds and starts a new engine: voice processing, the player, and the microphone through a
    /// new pipe if the input is usable. Returns why the microphone is not captured, or `nil`.
    /// Throws if the engine itself could not start.
    private func startEngine() throws -> String? {
        let engine = AVAudioEngine()
        let player = AVAudioPlayerNode()
        let input = engine.inputNode
        var problem: String?
        do {
            // Before the engine starts; it covers input and output. It may change the input's format.
            try input.setVoiceProcessingEnabled(true)
        } catch {
            problem = "Echo cancellation could not start, so the microphone stays off: \(error.localizedDescription)"
        }
        let micFormat = input.outputFormat(forBus: 0)
        if problem == nil {
            // Connecting a 0 Hz / 0 channel format raises an exception Swift cannot catch.
            problem = MicrophoneFormat.problem(sampleRate: micFormat.sampleRate, channels: Int(micFormat.channelCount))
        }
        if problem == nil, micFormat.commonFormat != .pcmFormatFloat32 {
            problem = "The microphone delivers a sample format this app does not read."
        }
        var pipe: MicrophonePipe?
        if problem == nil {
            pipe = MicrophonePipe(sampleRate: micFormat.sampleRate) { [shared] chunk in
                let call = shared.withLockUnchecked { $0.call }
                try? call?.sendAudio(pcm: chunk) // refused only once the call has ended
            }
            if let pipe {
                engine.attach(pipe.node)
                // A sink node converts nothing: it takes the input node's own output format.
                engine.connect(input, to: pipe.node, format: micFormat)
            } else {
                problem = "The microphone's audio (\(Int(micFormat.sampleRate)) Hz) cannot be converted for the call."
            }
        }
        engine.attach(player)
        engine.connect(player, to: engine.mainMixerNode, format: callFormat)
        engine.prepare()
        try engine.start()
        player.play()
        pipe?.start()
        self.engine = engine
        microphone = pipe
        queuedChunks.withLock { $0 = 0 }
        shared.withLockUnchecked { $0.player = player }
        return problem
    }

    /// Stops and forgets the engine, its player and the microphone pipe.
    private func stopEngine() {
        // Waits for a `play` in progress; none starts after.
        shared.withLockUnchecked { $0.player = nil }
        engine?.stop()
        microphone?.stop()
        engine = nil
        microphone = nil
    }

    /// Builds the engine again, if the call is still on. A failure waits for the next
    /// notification (another app may still hold the audio hardware).
    private func restart() {
        guard shared.withLockUnchecked({ $0.call != nil }) else { return }
        stopEngine()
        do {
            try AVAudioSession.sharedInstance().setActive(true)
            _ = try startEngine()
        } catch {
            stopEngine()
        }
    }

    /// Interruptions, configuration changes that stop the engine, media services resets, and the
    /// app becoming active again after an interruption that did not say to resume.
    private func observeSession() {
        guard observers.isEmpty else { return }
        let center = NotificationCenter.default
        observers.append(center.addObserver(
            forName: AVAudioSession.interruptionNotification, object: AVAudioSession.sharedInstance(), queue: .main
        ) { [weak self] note in
            self?.handleInterruption(note)
        })
        observers.append(center.addObserver(
            forName: .AVAudioEngineConfigurationChange, object: nil, queue: .main
        ) { [weak self] note in
            // Only our current engine, and only if the change stopped it (a change that left it
            // running needs nothing, and rebuilding on every change could loop).
            guard let self, let engine = self.engine, (note.object as AnyObject?) === engine, !engine.isRunning else { return }
            self.restart()
        })
        observers.append(center.addObserver(
            forName: AVAudioSession.mediaServicesWereResetNotification, object: AVAudioSession.sharedInstance(), queue: .main
        ) { [weak self] _ in
            // Every audio object is void now: set the session up again, then a new engine.
            guard let self else { return }
            try? self.configureSession()
            self.restart()
        })
        observers.append(center.addObserver(
            forName: UIApplication.didBecomeActiveNotification, object: nil, queue: .main
        ) { [weak self] _ in
            guard let self, self.restartWhenActive else { return }
            self.restartWhenActive = false
            self.restart()
        })
    }

    private func handleInterruption(_ note: Notification) {
        guard let raw = note.userInfo?[AVAudioSessionInterruptionTypeKey] as? UInt,
              let type = AVAudioSession.InterruptionType(rawValue: raw)
        else { return }
        switch type {
        case .began:
            // The system has stopped the engine; the call goes on and sends nothing meanwhile.
            // Should no "ended" come, coming back to the app restarts the audio.
            restartWhenActive = true
            stopEngine()
        case .ended:
            let rawOptions = note.userInfo?[AVAudioSessionInterruptionOptionKey] as? UInt ?? 0
            if AVAudioSession.InterruptionOptions(rawValue: rawOptions).contains(.shouldResume) {
                restartWhenActive = false
                restart()
            } else {
                // Another app took the audio over (music, a recording): resume when the person
                // comes back to the call.
                restartWhenActive = true
            }
        @unknown default:
            break
        }
    }
}
