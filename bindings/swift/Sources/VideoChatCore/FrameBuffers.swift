// Hand-written helpers next to the generated bindings: zero-copy reads of remote frames.
import Foundation

extension RemoteVideoFrame {
    /// Calls `body` with the frame's pixels in place (no copy), e.g. to fill a `CVPixelBuffer`
    /// or a Metal texture. The pointer is valid only inside `body`; the layout is in `planes()`.
    public func withPixels<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) {
            let count = Int(byteLen())
            guard count > 0, let start = UnsafeRawPointer(bitPattern: UInt(dataAddress())) else {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return try body(UnsafeRawBufferPointer(start: start, count: count))
        }
    }
}
