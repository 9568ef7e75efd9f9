import AVFoundation
import os
import VideoChatCore
import VideoChatKit

/// Microphone and speaker for a call: one `AVAudioEngine` with voice processing on (Apple's echo
/// cancellation, needed on speakerphone), the session in `.playAndRecord` / `.videoChat`, which
/// routes to the speaker by default. The microphone is resampled to 48 kHz mono and sent in 20 ms
/// chunks; remote audio is played through an `AVAudioPlayerNode`.
///
/// Threads: `start`, `stop` and the notification handlers run on the main thread; the tap runs on
/// the audio thread and touches only the capture state, which changes only while the tap is
/// removed; `play` runs on the core's listener thread.
final class AudioService: RemoteAudioSink, @unchecked Sendable {
    /// Remote audio waiting to be played beyond this (200 ms) is dropped: late speech is worse
    /// than a gap.
    private static let maxQueuedChunks = 10

    private let engine = AVAudioEngine()
    private let player = AVAudioPlayerNode()
    /// What the core speaks: 48 kHz mono. Float, as the mixer wants. (Never nil: a standard
    /// format with a valid rate and channel count.)
    private let callFormat = AVAudioFormat(
        commonFormat: .pcmFormatFloat32, sampleRate: Double(CallAudioFormat.sampleRate), channels: 1, interleaved: false)!

    /// The call, and how many remote chunks wait in the player; read on the audio threads.
    private let shared = OSAllocatedUnfairLock(initialState: Shared())
    private struct Shared {
        var call: (any CallSession)?
        var queuedChunks = 0
        var isPlaying = false
    }

    // Capture state: the tap's alone.
    private var converter: AVAudioConverter?
    private var chunker = AudioChunker()
    private var observers: [NSObjectProtocol] = []

    /// Sets the audio session up, starts the engine and sends the microphone to `call`.
    func start(sendingTo call: any CallSession) throws {
        let session = AVAudioSession.sharedInstance()
        try session.setCategory(.playAndRecord, mode: .videoChat, options: [.defaultToSpeaker, .allowBluetooth])
        try session.setPreferredSampleRate(Double(CallAudioFormat.sampleRate))
        try session.setPreferredIOBufferDuration(0.02)
        try session.setActive(true)

        // Voice processing goes on before the engine starts; it covers input and output.
        try engine.inputNode.setVoiceProcessingEnabled(true)
        engine.attach(player)
        engine.connect(player, to: engine.mainMixerNode, format: callFormat)
        shared.withLock { $0.call = call }
        try startEngine()
        observeSession()
    }

    /// Stops the engine, releases the audio session for other apps and lets go of the call.
    func stop() {
        for observer in observers {
            NotificationCenter.default.removeObserver(observer)
        }
        observers.removeAll()
        shared.withLock {
            $0.call = nil
            $0.isPlaying = false
        }
        engine.inputNode.removeTap(onBus: 0)
        player.stop()
        engine.stop()
        try? AVAudioSession.sharedInstance().setActive(false, options: .notifyOthersOnDeactivation)
    }

    func play(_ pcm: Data) {
        let accepted = shared.withLock { state -> Bool in
            guard state.isPlaying, state.queuedChunks < Self.maxQueuedChunks else { return false }
            state.queuedChunks += 1
            return true
        }
        guard accepted else { return }
        let samples = AVAudioFrameCount(pcm.count / 2)
        guard let buffer = AVAudioPCMBuffer(pcmFormat: callFormat, frameCapacity: samples),
              let channel = buffer.floatChannelData?[0]
        else {
            shared.withLock { $0.queuedChunks -= 1 }
            return
        }
        let written = CallAudioFormat.writeFloats(
            fromInt16LittleEndian: pcm, to: UnsafeMutableBufferPointer(start: channel, count: Int(samples)))
        buffer.frameLength = AVAudioFrameCount(written)
        player.scheduleBuffer(buffer) { [shared] in
            shared.withLock { $0.queuedChunks -= 1 }
        }
    }

    /// (Re)starts the engine with a tap in the microphone's current format.
    private func startEngine() throws {
        let input = engine.inputNode
        input.removeTap(onBus: 0)
        let micFormat = input.outputFormat(forBus: 0)
        converter = AVAudioConverter(from: micFormat, to: callFormat)
        converter?.downmix = true // voice processing may hand over several channels
        chunker.reset()
        input.installTap(onBus: 0, bufferSize: AVAudioFrameCount(micFormat.sampleRate / 50), format: micFormat) {
            [weak self] buffer, _ in self?.capture(buffer)
        }
        engine.prepare()
        try engine.start()
        player.play()
        shared.withLock { $0.isPlaying = true }
    }

    /// On the audio thread: resample to 48 kHz mono, cut into 20 ms chunks, send.
    private func capture(_ buffer: AVAudioPCMBuffer) {
        guard let converter, let call = shared.withLock({ $0.call }) else { return }
        let ratio = callFormat.sampleRate / buffer.format.sampleRate
        let capacity = AVAudioFrameCount((Double(buffer.frameLength) * ratio).rounded(.up)) + 16
        guard let converted = AVAudioPCMBuffer(pcmFormat: callFormat, frameCapacity: capacity) else { return }
        // The input block may be called more than once per conversion: hand the buffer over once.
        let pending = OneShot(buffer)
        var error: NSError?
        let status = converter.convert(to: converted, error: &error) { _, inputStatus in
            guard let next = pending.take() else {
                inputStatus.pointee = .noDataNow
                return nil
            }
            inputStatus.pointee = .haveData
            return next
        }
        guard status != .error, let samples = converted.floatChannelData?[0] else { return }
        chunker.append(UnsafeBufferPointer(start: samples, count: Int(converted.frameLength))) { chunk in
            try? call.sendAudio(pcm: chunk) // refused only once the call has ended
        }
    }

    /// A phone call or Siri interrupts us; a route or format change stops the engine.
    private func observeSession() {
        let center = NotificationCenter.default
        observers.append(center.addObserver(
            forName: AVAudioSession.interruptionNotification, object: nil, queue: .main
        ) { [weak self] note in
            self?.handleInterruption(note)
        })
        observers.append(center.addObserver(
            forName: .AVAudioEngineConfigurationChange, object: engine, queue: .main
        ) { [weak self] _ in
            self?.restart()
        })
        observers.append(center.addObserver(
            forName: AVAudioSession.mediaServicesWereResetNotification, object: nil, queue: .main
        ) { [weak self] _ in
            self?.restart()
        })
    }

    private func handleInterruption(_ note: Notification) {
        guard let raw = note.userInfo?[AVAudioSessionInterruptionTypeKey] as? UInt,
              let type = AVAudioSession.InterruptionType(rawValue: raw)
        else { return }
        switch type {
        case .began:
            // The system has stopped the engine; the call goes on and sends nothing meanwhile.
            shared.withLock { $0.isPlaying = false }
        case .ended:
            // A call app resumes whether or not `.shouldResume` is set: the call is still on.
            restart()
        @unknown default:
            break
        }
    }

    /// Restarts after an interruption or a configuration change, if the call is still on.
    private func restart() {
        guard shared.withLock({ $0.call != nil }) else { return }
        engine.stop()
        do {
            try AVAudioSession.sharedInstance().setActive(true)
            try startEngine()
        } catch {
            // Try again at the next notification (the other app may still hold the microphone).
            shared.withLock { $0.isPlaying = false }
        }
    }
}

/// A buffer handed to the converter's input block once (a reference, so the block can take it
/// without mutating a captured variable).
private final class OneShot: @unchecked Sendable {
    private var buffer: AVAudioPCMBuffer?

    init(_ buffer: AVAudioPCMBuffer) {
        self.buffer = buffer
    }

    /// The buffer the first time, `nil` after. Called on the converting thread only.
    func take() -> AVAudioPCMBuffer? {
        defer { buffer = nil }
        return buffer
    }
}
