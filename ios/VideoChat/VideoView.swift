import AVFoundation
import os
import SwiftUI
import UIKit
import VideoChatCore
import VideoChatKit

/// Draws the remote video: the core's upright I420 frames, copied once into NV12 pixel buffers
/// from a pool and shown by an `AVSampleBufferDisplayLayer`, which scales them to fit (correct
/// aspect ratio, letterboxed) on the GPU.
///
/// `render` runs on the core's listener thread; the layer is fed on the main thread.
final class RemoteVideoRenderer: RemoteVideoSink, @unchecked Sendable {
    /// The layer the video view shows.
    let layer = AVSampleBufferDisplayLayer()

    /// The pool and its size; touched on the listener thread only.
    private var pool: CVPixelBufferPool?
    private var poolWidth = 0
    private var poolHeight = 0

    init() {
        layer.videoGravity = .resizeAspect
        layer.backgroundColor = CGColor(gray: 0, alpha: 1)
    }

    func render(_ frame: RemoteVideoFrame) {
        guard frame.format() == .i420, let pixels = makePixelBuffer(from: frame),
              let sample = makeSampleBuffer(from: pixels)
        else { return }
        DispatchQueue.main.async { [layer] in
            if #available(iOS 17.0, *) {
                if layer.sampleBufferRenderer.status == .failed {
                    layer.sampleBufferRenderer.flush()
                }
                layer.sampleBufferRenderer.enqueue(sample)
            } else {
                if layer.status == .failed {
                    layer.flush()
                }
                layer.enqueue(sample)
            }
        }
    }

    /// Forgets the last picture (the call is over).
    func clear() {
        DispatchQueue.main.async { [layer] in
            if #available(iOS 17.0, *) {
                layer.sampleBufferRenderer.flush(removingDisplayedImage: true, completionHandler: nil)
            } else {
                layer.flushAndRemoveImage()
            }
        }
    }

    /// Copies `frame` into an NV12 buffer: the Y plane row by row, U and V interleaved.
    private func makePixelBuffer(from frame: RemoteVideoFrame) -> CVPixelBuffer? {
        let width = Int(frame.width())
        let height = Int(frame.height())
        let planes = frame.planes()
        guard planes.count == 3, let pool = pool(width: width, height: height),
              let source = UnsafeRawPointer(bitPattern: UInt(frame.dataAddress()))
        else { return nil }
        var created: CVPixelBuffer?
        guard CVPixelBufferPoolCreatePixelBuffer(nil, pool, &created) == kCVReturnSuccess,
              let pixels = created
        else { return nil }

        CVPixelBufferLockBaseAddress(pixels, [])
        defer { CVPixelBufferUnlockBaseAddress(pixels, []) }
        guard let yDestination = CVPixelBufferGetBaseAddressOfPlane(pixels, 0),
              let uvDestination = CVPixelBufferGetBaseAddressOfPlane(pixels, 1)
        else { return nil }
        // The frame's pixels live in Rust until `frame` is released, which is after this call.
        let (y, u, v) = (planes[0], planes[1], planes[2])
        PixelCopy.copyPlane(
            from: source + Int(y.offset), sourceStride: Int(y.stride),
            to: yDestination, destinationStride: CVPixelBufferGetBytesPerRowOfPlane(pixels, 0),
            rowBytes: width, rows: Int(y.rows))
        PixelCopy.interleaveChroma(
            u: source + Int(u.offset), v: source + Int(v.offset), sourceStride: Int(u.stride),
            to: uvDestination, destinationStride: CVPixelBufferGetBytesPerRowOfPlane(pixels, 1),
            width: (width + 1) / 2, rows: Int(u.rows))
        return pixels
    }

    /// A pool of NV12 buffers of the frame's size, made anew when the size changes (the other
    /// side switched camera or turned its phone).
    private func pool(width: Int, height: Int) -> CVPixelBufferPool? {
        if let pool, poolWidth == width, poolHeight == height {
            return pool
        }
        let attributes: [String: Any] = [
            kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
            kCVPixelBufferWidthKey as String: width,
            kCVPixelBufferHeightKey as String: height,
            kCVPixelBufferIOSurfacePropertiesKey as String: [String: Any](),
        ]
        var created: CVPixelBufferPool?
        CVPixelBufferPoolCreate(nil, nil, attributes as CFDictionary, &created)
        pool = created
        poolWidth = width
        poolHeight = height
        return created
    }

    /// Wraps `pixels` for the display layer, to be shown as soon as it arrives.
    private func makeSampleBuffer(from pixels: CVPixelBuffer) -> CMSampleBuffer? {
        var format: CMVideoFormatDescription?
        guard CMVideoFormatDescriptionCreateForImageBuffer(
            allocator: nil, imageBuffer: pixels, formatDescriptionOut: &format) == noErr,
            let format
        else { return nil }
        var timing = CMSampleTimingInfo(duration: .invalid, presentationTimeStamp: .invalid, decodeTimeStamp: .invalid)
        var sample: CMSampleBuffer?
        guard CMSampleBufferCreateReadyWithImageBuffer(
            allocator: nil, imageBuffer: pixels, formatDescription: format,
            sampleTiming: &timing, sampleBufferOut: &sample) == noErr,
            let sample
        else { return nil }
        if let attachments = CMSampleBufferGetSampleAttachmentsArray(sample, createIfNecessary: true),
           CFArrayGetCount(attachments) > 0 {
            let first = unsafeBitCast(CFArrayGetValueAtIndex(attachments, 0), to: CFMutableDictionary.self)
            CFDictionarySetValue(
                first,
                Unmanaged.passUnretained(kCMSampleAttachmentKey_DisplayImmediately).toOpaque(),
                Unmanaged.passUnretained(kCFBooleanTrue).toOpaque())
        }
        return sample
    }
}

/// The remote video, full screen: hosts the renderer's display layer.
struct VideoView: UIViewRepresentable {
    let renderer: RemoteVideoRenderer

    func makeUIView(context: Context) -> LayerHostView {
        LayerHostView(hosting: renderer.layer)
    }

    func updateUIView(_ view: LayerHostView, context: Context) {}
}

/// The self-view: the capture session's own preview (no CPU per frame), mirrored for the user
/// camera only.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession
    let mirrored: Bool

    func makeUIView(context: Context) -> LayerHostView {
        let layer = AVCaptureVideoPreviewLayer(session: session)
        layer.videoGravity = .resizeAspectFill
        return LayerHostView(hosting: layer)
    }

    func updateUIView(_ view: LayerHostView, context: Context) {
        // The connection is made anew when the camera changes: set it up every time.
        guard let connection = (view.hosted as? AVCaptureVideoPreviewLayer)?.connection else { return }
        if connection.isVideoMirroringSupported {
            connection.automaticallyAdjustsVideoMirroring = false
            connection.isVideoMirrored = mirrored
        }
        if #available(iOS 17.0, *) {
            if connection.isVideoRotationAngleSupported(90) {
                connection.videoRotationAngle = 90 // the app's screen is portrait
            }
        } else if connection.isVideoOrientationSupported {
            connection.videoOrientation = .portrait
        }
    }
}

/// A view whose only content is one layer, kept at the view's size.
final class LayerHostView: UIView {
    let hosted: CALayer

    init(hosting layer: CALayer) {
        hosted = layer
        super.init(frame: .zero)
        self.layer.addSublayer(layer)
        backgroundColor = .black
    }

    @available(*, unavailable)
    required init?(coder: NSCoder) {
        fatalError("not used from storyboards")
    }

    override func layoutSubviews() {
        super.layoutSubviews()
        CATransaction.begin()
        CATransaction.setDisableActions(true)
        hosted.frame = bounds
        CATransaction.commit()
    }
}
