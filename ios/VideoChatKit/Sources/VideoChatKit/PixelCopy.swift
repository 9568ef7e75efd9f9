/// Row copies between the core's tightly packed I420 frames and the NV12 pixel buffers the
/// display layer draws, whose rows are padded (`bytesPerRow` is often wider than the picture).
///
/// Plain pointer loops, no platform types, so the arithmetic is tested on any machine.
public enum PixelCopy {
    /// Copies `rows` rows of `rowBytes` bytes from `source` (rows `sourceStride` apart) to
    /// `destination` (rows `destinationStride` apart).
    public static func copyPlane(
        from source: UnsafeRawPointer,
        sourceStride: Int,
        to destination: UnsafeMutableRawPointer,
        destinationStride: Int,
        rowBytes: Int,
        rows: Int
    ) {
        precondition(rowBytes <= sourceStride && rowBytes <= destinationStride, "a row is wider than its stride")
        guard rows > 0 else { return }
        if sourceStride == destinationStride {
            destination.copyMemory(from: source, byteCount: sourceStride * (rows - 1) + rowBytes)
            return
        }
        for row in 0..<rows {
            (destination + row * destinationStride)
                .copyMemory(from: source + row * sourceStride, byteCount: rowBytes)
        }
    }

    /// Interleaves an I420 frame's U and V planes (`width` x `rows` samples each, rows
    /// `sourceStride` apart) into an NV12 chroma plane (U,V pairs, rows `destinationStride` apart).
    public static func interleaveChroma(
        u: UnsafeRawPointer,
        v: UnsafeRawPointer,
        sourceStride: Int,
        to destination: UnsafeMutableRawPointer,
        destinationStride: Int,
        width: Int,
        rows: Int
    ) {
        precondition(width <= sourceStride && 2 * width <= destinationStride, "a row is wider than its stride")
        let u = u.assumingMemoryBound(to: UInt8.self)
        let v = v.assumingMemoryBound(to: UInt8.self)
        let uv = destination.assumingMemoryBound(to: UInt8.self)
        for row in 0..<rows {
            let sourceRow = row * sourceStride
            let destinationRow = row * destinationStride
            for column in 0..<width {
                uv[destinationRow + 2 * column] = u[sourceRow + column]
                uv[destinationRow + 2 * column + 1] = v[sourceRow + column]
            }
        }
    }
}
