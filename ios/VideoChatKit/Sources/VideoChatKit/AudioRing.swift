/// A fixed-size ring of mono samples between the microphone's real-time thread and the thread
/// that converts and sends them.
///
/// The audio thread writes whatever the hardware hands over (often 10-21 ms) and must never
/// allocate or wait long, so the storage is allocated once and writing is a copy; the sending
/// thread reads what has collected. When the reader falls behind by more than the capacity, the
/// oldest samples are dropped: late speech is worth less than the current word.
///
/// Not thread-safe by itself: the app holds a lock around each call (a copy of a few hundred
/// samples, so the real-time thread never waits long for it).
public struct AudioRing: Sendable {
    private var storage: [Float]
    /// Index of the oldest unread sample.
    private var start = 0
    /// Samples waiting to be read.
    public private(set) var count = 0
    /// Samples dropped because the reader fell behind, since the ring was made.
    public private(set) var droppedCount = 0

    /// A ring that holds up to `capacity` samples (at least one).
    public init(capacity: Int) {
        storage = [Float](repeating: 0, count: max(1, capacity))
    }

    /// The most samples the ring holds.
    public var capacity: Int { storage.count }

    /// Appends `frames` samples of one channel of the hardware's buffer: sample `i` is at
    /// `source[i * stride]` (`stride` is the channel count of interleaved audio, 1 otherwise).
    /// Drops the oldest samples if the ring overflows. Never allocates.
    public mutating func write(_ source: UnsafePointer<Float>, frames: Int, stride: Int = 1) {
        guard frames > 0 else { return }
        // Locals: the storage is borrowed mutably below, so nothing may read it (or `capacity`).
        let capacity = storage.count
        let step = max(1, stride)
        // More than fits: only the newest `capacity` samples can survive.
        let skipped = max(0, frames - capacity)
        let kept = frames - skipped
        let overflow = max(0, count + kept - capacity)
        if overflow > 0 {
            start = (start + overflow) % capacity
            count -= overflow
        }
        droppedCount += skipped + overflow
        var write = (start + count) % capacity
        var read = skipped * step
        storage.withUnsafeMutableBufferPointer { ring in
            for _ in 0..<kept {
                ring[write] = source[read]
                write += 1
                if write == capacity { write = 0 }
                read += step
            }
        }
        count += kept
    }

    /// Moves up to `destination.count` of the oldest samples into `destination`, in order.
    /// Returns how many were moved.
    @discardableResult
    public mutating func read(into destination: UnsafeMutableBufferPointer<Float>) -> Int {
        let moved = min(count, destination.count)
        guard moved > 0 else { return 0 }
        let start = self.start
        let capacity = storage.count
        storage.withUnsafeBufferPointer { ring in
            let firstPart = min(moved, capacity - start)
            for index in 0..<firstPart {
                destination[index] = ring[start + index]
            }
            for index in 0..<(moved - firstPart) {
                destination[firstPart + index] = ring[index]
            }
        }
        self.start = (start + moved) % capacity
        count -= moved
        return moved
    }

    /// Forgets every waiting sample (capture restarts; stale audio is worth nothing).
    public mutating func removeAll() {
        start = 0
        count = 0
    }
}

/// What the microphone hands over, checked before anything is connected to it.
public enum MicrophoneFormat {
    /// Why a microphone format of `sampleRate` Hz and `channels` channels cannot be captured, or
    /// `nil` if it can. An input node reports 0 Hz or 0 channels when there is no usable input
    /// (no microphone route, the permission refused, the session not yet active); connecting a
    /// node in that format raises an Objective-C exception, which Swift cannot catch.
    public static func problem(sampleRate: Double, channels: Int) -> String? {
        guard sampleRate.isFinite, sampleRate > 0, channels > 0 else {
            let hertz = sampleRate.isFinite ? Int(sampleRate) : 0
            return "No microphone is available (the input reports \(hertz) Hz, \(channels) channels)."
        }
        return nil
    }

    /// Whether audio at `sampleRate` must be resampled before it is cut into the core's chunks
    /// (anything but 48 kHz).
    public static func needsResampling(sampleRate: Double) -> Bool {
        sampleRate != Double(CallAudioFormat.sampleRate)
    }

    /// A ring big enough for `milliseconds` of audio at `sampleRate` (at least one 20 ms chunk).
    public static func ringCapacity(sampleRate: Double, milliseconds: Int) -> Int {
        let samples = Int((sampleRate * Double(milliseconds) / 1_000).rounded(.up))
        return max(samples, Int((sampleRate / 50).rounded(.up)), 1)
    }
}
