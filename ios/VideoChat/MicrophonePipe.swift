import AVFoundation
import os
import VideoChatCore
import VideoChatKit

/// The microphone's way to the core: an `AVAudioSinkNode` hands each hardware buffer (10-21 ms)
/// over on the real-time audio thread, which only copies it into a ring; a thread of its own
/// drains the ring, resamples to 48 kHz when the hardware runs at another rate, and sends exact
/// 20 ms chunks as soon as they are whole. (An `installTap` delivers 100-400 ms at a time, so
/// chunks left in bursts, about 100 ms late.)
///
/// One pipe per engine run: made for the input format of that run, stopped when it ends.
final class MicrophonePipe: @unchecked Sendable {
    /// The node to connect the input node to, in the input node's output format.
    private(set) var node: AVAudioSinkNode!

    /// Up to 200 ms waits in the ring; a sending thread that stalls longer loses the oldest.
    private let ring: OSAllocatedUnfairLock<AudioRing>
    private let wake = DispatchSemaphore(value: 0)
    private let isStopped = OSAllocatedUnfairLock(initialState: false)
    private let send: (Data) -> Void

    // The sending thread's alone.
    private let input: AVAudioPCMBuffer
    private let output: AVAudioPCMBuffer
    private let converter: AVAudioConverter?
    private var chunker = AudioChunker()

    /// A pipe for microphone audio at `sampleRate` (the input node's output rate) that calls
    /// `send` with each 20 ms chunk, on its own thread. `nil` if the buffers or the resampler
    /// cannot be made for that rate.
    init?(sampleRate: Double, send: @escaping (Data) -> Void) {
        let capacity = MicrophoneFormat.ringCapacity(sampleRate: sampleRate, milliseconds: 200)
        guard let monoInput = AVAudioFormat(
                commonFormat: .pcmFormatFloat32, sampleRate: sampleRate, channels: 1, interleaved: false),
              let callFormat = AVAudioFormat(
                commonFormat: .pcmFormatFloat32, sampleRate: Double(CallAudioFormat.sampleRate), channels: 1, interleaved: false),
              let input = AVAudioPCMBuffer(pcmFormat: monoInput, frameCapacity: AVAudioFrameCount(capacity)),
              let output = AVAudioPCMBuffer(
                pcmFormat: callFormat,
                frameCapacity: AVAudioFrameCount(Double(capacity) * callFormat.sampleRate / sampleRate) + 64)
        else { return nil }
        var converter: AVAudioConverter?
        if MicrophoneFormat.needsResampling(sampleRate: sampleRate) {
            guard let made = AVAudioConverter(from: monoInput, to: callFormat) else { return nil }
            converter = made
        }
        self.ring = OSAllocatedUnfairLock(initialState: AudioRing(capacity: capacity))
        self.send = send
        self.input = input
        self.output = output
        self.converter = converter
        // On the real-time thread: copy the first channel into the ring and wake the sender.
        // No allocation, no waiting beyond the ring's lock (held for a copy on either side).
        node = AVAudioSinkNode { [ring, wake] _, frameCount, audioBufferList in
            let buffers = UnsafeMutableAudioBufferListPointer(UnsafeMutablePointer(mutating: audioBufferList))
            guard let first = buffers.first, let data = first.mData else { return noErr }
            let stride = Int(max(1, first.mNumberChannels))
            let frames = min(Int(frameCount), Int(first.mDataByteSize) / (MemoryLayout<Float>.size * stride))
            let samples = UnsafePointer(data.assumingMemoryBound(to: Float.self))
            ring.withLockUnchecked { $0.write(samples, frames: frames, stride: stride) }
            wake.signal()
            return noErr
        }
    }

    /// Starts the sending thread.
    func start() {
        let thread = Thread { [self] in
            run()
        }
        thread.name = "videochat-microphone"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    /// Stops the sending thread (after the engine stopped calling the node). Safe to call twice.
    func stop() {
        isStopped.withLock { $0 = true }
        wake.signal()
    }

    private func run() {
        while true {
            wake.wait()
            if isStopped.withLock({ $0 }) {
                return
            }
            drain()
        }
    }

    /// Takes what the ring holds, resamples it if needed, and sends every whole 20 ms chunk.
    private func drain() {
        guard let channel = input.floatChannelData?[0] else { return }
        let room = UnsafeMutableBufferPointer(start: channel, count: Int(input.frameCapacity))
        let moved = ring.withLockUnchecked { $0.read(into: room) }
        guard moved > 0 else { return }
        input.frameLength = AVAudioFrameCount(moved)
        guard let converter else {
            chunker.append(UnsafeBufferPointer(start: channel, count: moved), emit: send)
            return
        }
        // The input block may be called more than once per conversion: hand the buffer over once
        // (then "no data now", so the converter keeps its state for the next drain).
        let pending = OneShot(input)
        var error: NSError?
        let status = converter.convert(to: output, error: &error) { _, inputStatus in
            guard let next = pending.take() else {
                inputStatus.pointee = .noDataNow
                return nil
            }
            inputStatus.pointee = .haveData
            return next
        }
        guard status != .error, let samples = output.floatChannelData?[0] else { return }
        chunker.append(UnsafeBufferPointer(start: samples, count: Int(output.frameLength)), emit: send)
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
