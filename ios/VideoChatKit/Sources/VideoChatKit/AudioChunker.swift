import Foundation

/// The core's audio unit: 20 ms of 48 kHz mono, 16-bit samples, in and out.
public enum CallAudioFormat {
    /// Samples a second.
    public static let sampleRate = 48_000
    /// Samples in one 20 ms chunk.
    public static let samplesPerChunk = 960

    /// `samples` (-1...1, clipped outside) as 16-bit little-endian PCM, what the core takes.
    public static func int16LittleEndian(from samples: UnsafeBufferPointer<Float>) -> Data {
        var data = Data(count: samples.count * 2)
        data.withUnsafeMutableBytes { bytes in
            for (index, sample) in samples.enumerated() {
                let clipped = max(-1, min(1, sample))
                let value = Int16((clipped * Float(Int16.max)).rounded())
                bytes.storeBytes(of: value.littleEndian, toByteOffset: 2 * index, as: Int16.self)
            }
        }
        return data
    }

    /// Writes 16-bit little-endian PCM from the core into `destination` as floats in -1...1.
    /// Returns how many samples were written (at most `destination.count`).
    @discardableResult
    public static func writeFloats(fromInt16LittleEndian pcm: Data, to destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let count = min(pcm.count / 2, destination.count)
        pcm.withUnsafeBytes { bytes in
            for index in 0..<count {
                let value = Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self))
                destination[index] = Float(value) / 32_768
            }
        }
        return count
    }
}

/// Cuts microphone audio, which arrives in buffers of whatever size the hardware picks, into the
/// 20 ms chunks the core encodes.
public struct AudioChunker {
    private var pending: [Float] = []

    /// An empty chunker.
    public init() {
        pending.reserveCapacity(2 * CallAudioFormat.samplesPerChunk)
    }

    /// Samples waiting for a full chunk.
    public var pendingCount: Int {
        pending.count
    }

    /// Adds `samples` (48 kHz mono) and calls `emit` with each whole chunk now available, as
    /// 16-bit little-endian PCM. The remainder waits for the next call.
    public mutating func append(_ samples: UnsafeBufferPointer<Float>, emit: (Data) -> Void) {
        pending.append(contentsOf: samples)
        let size = CallAudioFormat.samplesPerChunk
        var start = 0
        while pending.count - start >= size {
            pending.withUnsafeBufferPointer { all in
                emit(CallAudioFormat.int16LittleEndian(from: UnsafeBufferPointer(rebasing: all[start..<start + size])))
            }
            start += size
        }
        pending.removeFirst(start)
    }

    /// Forgets any partial chunk (after an interruption, stale audio is worth nothing).
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
    }
}
