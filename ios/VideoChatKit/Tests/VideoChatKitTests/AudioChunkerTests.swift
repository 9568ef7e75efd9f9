import Foundation
import XCTest
@testable import VideoChatKit

final class AudioChunkerTests: XCTestCase {
    private func append(_ samples: [Float], to chunker: inout AudioChunker) -> [Data] {
        var chunks: [Data] = []
        samples.withUnsafeBufferPointer { buffer in
            chunker.append(buffer) { chunks.append($0) }
        }
        return chunks
    }

    func testHalfChunksWaitUntilTheyMakeTwentyMilliseconds() {
        var chunker = AudioChunker()
        XCTAssertTrue(append([Float](repeating: 0.5, count: 480), to: &chunker).isEmpty)
        let chunks = append([Float](repeating: 0.5, count: 480), to: &chunker)
        XCTAssertEqual(chunks.map(\.count), [960 * 2])
        XCTAssertEqual(chunker.pendingCount, 0)
    }

    func testALargeBufferYieldsEveryWholeChunkAndKeepsTheRest() {
        var chunker = AudioChunker()
        let chunks = append([Float](repeating: 0, count: 2_000), to: &chunker)
        XCTAssertEqual(chunks.count, 2)
        XCTAssertEqual(chunker.pendingCount, 80)
    }

    func testChunksKeepTheSampleOrder() {
        var chunker = AudioChunker()
        let ramp = (0..<1_920).map { Float($0) / 2_000 }
        let chunks = append(ramp, to: &chunker)
        var decoded = [Float](repeating: 0, count: 960)
        decoded.withUnsafeMutableBufferPointer { _ = CallAudioFormat.writeFloats(fromInt16LittleEndian: chunks[1], to: $0) }
        XCTAssertEqual(decoded[0], ramp[960], accuracy: 1.0 / 16_000)
        XCTAssertEqual(decoded[959], ramp[1_919], accuracy: 1.0 / 16_000)
    }

    func testSamplesBeyondFullScaleAreClipped() {
        let pcm = [Float(2), -2, 0].withUnsafeBufferPointer(CallAudioFormat.int16LittleEndian(from:))
        XCTAssertEqual(Array(pcm), [0xFF, 0x7F, 0x01, 0x80, 0x00, 0x00]) // 32767, -32767, 0 little-endian
    }

    func testResetDropsAPartialChunk() {
        var chunker = AudioChunker()
        _ = append([Float](repeating: 0.1, count: 500), to: &chunker)
        chunker.reset()
        XCTAssertTrue(append([Float](repeating: 0.1, count: 500), to: &chunker).isEmpty)
        XCTAssertEqual(chunker.pendingCount, 500)
    }
}
