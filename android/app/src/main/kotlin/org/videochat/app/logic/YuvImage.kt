package org.videochat.app.logic

import java.nio.ByteBuffer

/**
 * One camera picture as Camera2's `YUV_420_888` describes it: three planes, each with a row
 * stride, the two chroma planes sharing a pixel stride (1: planar I420; 2: interleaved, NV12 or
 * NV21 depending on the device). The buffers are the image's own direct buffers, handed to the
 * core as they are (`Call.sendVideoYuv420`).
 */
class YuvImage(
    val width: Int,
    val height: Int,
    val y: ByteBuffer,
    val u: ByteBuffer,
    val v: ByteBuffer,
    val yRowStride: Int,
    val uvRowStride: Int,
    val uvPixelStride: Int,
)
