import Foundation
import XCTest
@testable import VideoChatKit

final class AudioRingTests: XCTestCase {
    private func write(_ samples: [Float], to ring: inout AudioRing, stride: Int = 1) {
        samples.withUnsafeBufferPointer { buffer in
            ring.write(buffer.baseAddress!, frames: samples.count / stride, stride: stride)
        }
    }

    private func read(_ count: Int, from ring: inout AudioRing) -> [Float] {
        var out = [Float](repeating: -1, count: count)
        let moved = out.withUnsafeMutableBufferPointer { ring.read(into: $0) }
        return Array(out.prefix(moved))
    }

    func testSamplesComeOutInTheOrderTheyWentIn() {
        var ring = AudioRing(capacity: 8)
        write([1, 2, 3], to: &ring)
        write([4, 5], to: &ring)
        XCTAssertEqual(ring.count, 5)
        XCTAssertEqual(read(10, from: &ring), [1, 2, 3, 4, 5])
        XCTAssertEqual(ring.count, 0)
    }

    func testReadingAroundTheEndOfTheStorageKeepsTheOrder() {
        var ring = AudioRing(capacity: 4)
        write([1, 2, 3], to: &ring)
        XCTAssertEqual(read(2, from: &ring), [1, 2])
        write([4, 5, 6], to: &ring) // wraps
        XCTAssertEqual(read(4, from: &ring), [3, 4, 5, 6])
    }

    func testAReaderThatFallsBehindLosesTheOldestSamples() {
        var ring = AudioRing(capacity: 4)
        write([1, 2, 3], to: &ring)
        write([4, 5, 6], to: &ring)
        XCTAssertEqual(ring.droppedCount, 2)
        XCTAssertEqual(read(4, from: &ring), [3, 4, 5, 6])
    }

    func testABufferLargerThanTheRingKeepsItsNewestSamples() {
        var ring = AudioRing(capacity: 3)
        write([9], to: &ring)
        write([1, 2, 3, 4, 5], to: &ring)
        XCTAssertEqual(ring.droppedCount, 3)
        XCTAssertEqual(read(3, from: &ring), [3, 4, 5])
    }

    func testTheFirstChannelOfInterleavedAudioIsTaken() {
        var ring = AudioRing(capacity: 8)
        write([1, -1, 2, -2, 3, -3], to: &ring, stride: 2)
        XCTAssertEqual(read(8, from: &ring), [1, 2, 3])
    }

    func testRemoveAllForgetsWhatWaits() {
        var ring = AudioRing(capacity: 4)
        write([1, 2, 3], to: &ring)
        ring.removeAll()
        XCTAssertEqual(read(4, from: &ring), [])
        write([7], to: &ring)
        XCTAssertEqual(read(4, from: &ring), [7])
    }

    func testHardwareBuffersOfAnySizeBecomeExactTwentyMillisecondChunks() {
        // 10.67 ms hardware buffers (512 frames at 48 kHz), drained into the chunker as they come.
        var ring = AudioRing(capacity: MicrophoneFormat.ringCapacity(sampleRate: 48_000, milliseconds: 200))
        var chunker = AudioChunker()
        var chunks: [Data] = []
        var scratch = [Float](repeating: 0, count: 4_096)
        let buffer = [Float](repeating: 0.25, count: 512)
        for _ in 0..<15 { // 7 680 samples: 8 chunks
            write(buffer, to: &ring)
            let moved = scratch.withUnsafeMutableBufferPointer { ring.read(into: $0) }
            scratch.withUnsafeBufferPointer { all in
                chunker.append(UnsafeBufferPointer(rebasing: all[0..<moved])) { chunks.append($0) }
            }
        }
        XCTAssertEqual(chunks.count, 8)
        XCTAssertTrue(chunks.allSatisfy { $0.count == CallAudioFormat.samplesPerChunk * 2 })
        XCTAssertEqual(chunker.pendingCount, 0)
    }

    func testAMicrophoneWithoutRateOrChannelsIsRefusedBeforeAnythingIsConnected() {
        XCTAssertNotNil(MicrophoneFormat.problem(sampleRate: 0, channels: 1))
        XCTAssertNotNil(MicrophoneFormat.problem(sampleRate: 48_000, channels: 0))
        XCTAssertNotNil(MicrophoneFormat.problem(sampleRate: .nan, channels: 1))
        XCTAssertNil(MicrophoneFormat.problem(sampleRate: 24_000, channels: 1))
    }

    func testOnlyFortyEightKilohertzGoesStraightToTheChunker() {
        XCTAssertFalse(MicrophoneFormat.needsResampling(sampleRate: 48_000))
        XCTAssertTrue(MicrophoneFormat.needsResampling(sampleRate: 44_100))
        XCTAssertTrue(MicrophoneFormat.needsResampling(sampleRate: 16_000))
    }

    func testTheRingHoldsAtLeastOneChunk() {
        XCTAssertEqual(MicrophoneFormat.ringCapacity(sampleRate: 48_000, milliseconds: 200), 9_600)
        XCTAssertEqual(MicrophoneFormat.ringCapacity(sampleRate: 16_000, milliseconds: 5), 320)
    }
}
