import Foundation
import XCTest
@testable import VideoChatCore

/// The repository root, found from this file's path (bindings/swift/Tests/VideoChatCoreTests/).
let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A real relay process (`videochat-server --listen 127.0.0.1:0`).
final class Relay {
    let wsUrl: String
    private let process: Process

    init() throws {
        let binary = ProcessInfo.processInfo.environment["VIDEOCHAT_SERVER"]
            ?? repoRoot.appendingPathComponent("target/debug/videochat-server").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--listen", "127.0.0.1:0"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is `listening on http://ADDR`.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "://") else {
            process.terminate()
            throw NSError(domain: "Relay", code: 1, userInfo: [NSLocalizedDescriptionKey: "unexpected relay output: \(text)"])
        }
        let address = text[range.upperBound...].prefix { !$0.isWhitespace }
        wsUrl = "ws://\(address)/ws"
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Records what a call tells it; with `throwEverywhere`, every media callback throws.
final class RecordingListener: CallListener, @unchecked Sendable {
    private let lock = NSLock()
    private let throwEverywhere: Bool
    private var _states: [CallState] = []
    private var _remoteSizes: [[UInt32]] = []
    private var _videoFrames = 0
    private var _audioChunks = 0
    private var _stats: CallStats?
    private var _problems: [String] = []

    init(throwEverywhere: Bool = false) {
        self.throwEverywhere = throwEverywhere
    }

    var states: [CallState] { lock.locked { _states } }
    var remoteSizes: [[UInt32]] { lock.locked { _remoteSizes } }
    var videoFrames: Int { lock.locked { _videoFrames } }
    var audioChunks: Int { lock.locked { _audioChunks } }
    var lastStats: CallStats? { lock.locked { _stats } }
    var problems: [String] { lock.locked { _problems } }

    struct Boom: Error {}

    func onStateChanged(state: CallState) throws {
        lock.locked { _states.append(state) }
    }

    func onRemoteVideoFrame(frame: RemoteVideoFrame) throws {
        let size = [frame.width(), frame.height()]
        let opaque = frame.withPixels { pixels in
            frame.format() != .rgba || (pixels.count >= 4 && pixels[3] == 255)
        }
        lock.locked {
            if _remoteSizes.last != size { _remoteSizes.append(size) }
            if !opaque { _problems.append("RGBA alpha is not opaque") }
            _videoFrames += 1
        }
        if throwEverywhere { throw Boom() }
    }

    func onRemoteAudio(pcm: Data) throws {
        lock.locked {
            if pcm.count != 1920 { _problems.append("audio chunk of \(pcm.count) bytes") }
            _audioChunks += 1
        }
        if throwEverywhere { throw ListenerError.Failed(reason: "speaker unplugged") }
    }

    func onError(error: CallError) throws {}

    func onRemoteMediaChanged(state: MediaState) throws {}

    func onStats(stats: CallStats) throws {
        lock.locked { _stats = stats }
    }

    func hasState(_ predicate: (CallState) -> Bool) -> Bool { states.contains(where: predicate) }
}

/// Waits up to `timeout` seconds for `condition`.
func eventually(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool,
                file: StaticString = #filePath, line: UInt = #line) {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline {
            XCTFail("timed out after \(timeout) s waiting for: \(what)", file: file, line: line)
            return
        }
        Thread.sleep(forTimeInterval: 0.01)
    }
}

/// One I420 picture: a bar that moves with the frame number.
struct I420Planes {
    let y: Data, u: Data, v: Data
    let chromaWidth: Int

    init(width: Int, height: Int, frame: Int) {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        let bar = (frame * 8) % width
        var y = Data(count: width * height)
        y.withUnsafeMutableBytes { (buf: UnsafeMutableRawBufferPointer) in
            for row in 0..<height {
                for col in 0..<width {
                    buf[row * width + col] = (bar..<bar + 16).contains(col) ? 235 : UInt8(16 + row * 200 / height)
                }
            }
        }
        self.y = y
        u = Data(repeating: 128, count: cw * ch)
        v = Data(repeating: 100, count: cw * ch)
        chromaWidth = cw
    }
}

/// A camera and microphone on a thread: ~30 fps of I420 and 20 ms chunks of a tone.
final class SyntheticCamera: @unchecked Sendable {
    private let call: Call
    private let lock = NSLock()
    private var size: (Int, Int)
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(call: Call, width: Int, height: Int) {
        self.call = call
        size = (width, height)
        Thread.detachNewThread { [self] in run() }
    }

    func resize(width: Int, height: Int) { lock.locked { size = (width, height) } }

    func stop() {
        lock.locked { running = false }
        _ = done.wait(timeout: .now() + 5)
    }

    private func run() {
        defer { done.signal() }
        var frame = 0
        var phase = 0.0
        let started = Date()
        while lock.locked({ running }) {
            let (w, h) = lock.locked { size }
            let planes = I420Planes(width: w, height: h, frame: frame)
            let timestampUs = Int64(Date().timeIntervalSince(started) * 1_000_000)
            do {
                try call.sendVideoI420(y: planes.y, u: planes.u, v: planes.v, strideY: UInt32(w),
                                       strideU: UInt32(planes.chromaWidth), strideV: UInt32(planes.chromaWidth),
                                       width: UInt32(w), height: UInt32(h), rotationDegrees: 0, timestampUs: timestampUs)
                for _ in 0..<2 {
                    var pcm = Data(capacity: 1920)
                    for _ in 0..<960 {
                        let sample = Int16(sin(phase) * 8000)
                        withUnsafeBytes(of: sample.littleEndian) { pcm.append(contentsOf: $0) }
                        phase += 2 * Double.pi * 440 / 48_000
                    }
                    try call.sendAudio(pcm: pcm)
                }
            } catch {
                return // CallEnded after a hang-up
            }
            frame += 1
            Thread.sleep(forTimeInterval: 0.033)
        }
    }
}

extension NSLock {
    /// `withLock` without depending on the SDK version that added it.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
