// Hand-written helpers next to the generated bindings (same package): zero-copy access to
// frames in both directions. The Android app compiles this file with the generated code.
package org.videochat.core

import com.sun.jna.Pointer
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The frame's pixels in place, as a read-only direct [ByteBuffer] over Rust's memory: no copy.
 * Valid only until the frame is closed; read it (e.g. `bitmap.copyPixelsFromBuffer(frame.pixels())`)
 * inside `frame.use { }`. Plane offsets and strides are in [RemoteVideoFrame.planes].
 */
fun RemoteVideoFrame.pixels(): ByteBuffer =
    Pointer(dataAddress().toLong()).getByteBuffer(0, byteLen().toLong()).asReadOnlyBuffer()

/**
 * A direct buffer for camera planes or audio, in native byte order: what `Call.sendVideoI420`,
 * `sendVideoNv12` and `sendAudio` need to pass their bytes without a copy. Allocate once and reuse.
 * The bytes passed are those from position 0 to the limit; keep the position at 0.
 */
fun directBuffer(bytes: Int): ByteBuffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())
