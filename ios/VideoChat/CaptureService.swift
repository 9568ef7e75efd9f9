import AVFoundation
import os
import VideoChatCore
import VideoChatKit

/// The camera: one `AVCaptureSession` at up to 1280x720, 30 fps, whose NV12 frames go to the
/// core as they come, in the sensor's orientation with the rotation that makes them upright
/// (the core rotates while it converts, so no extra pass happens here).
///
/// The rotation follows how the phone is held, orientation lock or not: on iOS 17 and later from
/// the camera's `AVCaptureDevice.RotationCoordinator` (made anew for each camera), before that
/// from the device orientation `setDeviceOrientation` is given (Core Motion's gravity).
///
/// Threads: the session is configured, started and stopped on `sessionQueue` (`startRunning`
/// blocks); frames arrive on `frameQueue`. What both read (the call, the facing, the device
/// orientation) sits behind a lock. The async methods may be called from any thread.
final class CaptureService: NSObject, @unchecked Sendable {
    /// Why the camera could not start.
    enum CaptureError: LocalizedError {
        case noCamera(CameraFacing)
        case cannotAddInput
        case cannotAddOutput

        var errorDescription: String? {
            switch self {
            case .noCamera(let facing):
                return facing == .user ? "This device has no front camera." : "This device has no rear camera."
            case .cannotAddInput, .cannotAddOutput:
                return "The camera could not be started."
            }
        }
    }

    /// What the frame callback needs, written from the session queue and the main thread.
    private struct FrameTarget {
        var call: (any CallSession)?
        var facing: CameraFacing = .user
        var orientation: DeviceOrientation = .portrait
        /// The rotation coordinator's angle for the camera in use (iOS 17+); wins over
        /// `orientation` when set.
        var coordinatorRotation: FrameRotation?

        /// The clockwise rotation that makes the next frame upright.
        var rotation: FrameRotation {
            coordinatorRotation ?? FrameGeometry.captureRotation(device: orientation, facing: facing)
        }
    }

    /// The capture session, for the self-view's preview layer.
    let session = AVCaptureSession()

    private let sessionQueue = DispatchQueue(label: "videochat.capture.session")
    private let frameQueue = DispatchQueue(label: "videochat.capture.frames", qos: .userInteractive)
    private let output = AVCaptureVideoDataOutput()
    private let target = OSAllocatedUnfairLock(initialState: FrameTarget())
    /// The camera input in use; touched on `sessionQueue` only.
    private var input: AVCaptureDeviceInput?
    /// The camera's rotation coordinator (an `AVCaptureDevice.RotationCoordinator` on iOS 17+)
    /// and the observation of its capture angle; touched on `sessionQueue` only.
    private var rotationCoordinator: AnyObject?
    private var rotationObservation: NSKeyValueObservation?

    /// Sets the session up with the `facing` camera and starts sending its frames to `call`.
    func start(sendingTo call: any CallSession, facing: CameraFacing) async throws {
        try await onSessionQueue {
            let device = try self.reconfigure {
                let device = try self.useCamera(facing)
                guard self.session.canAddOutput(self.output) else { throw CaptureError.cannotAddOutput }
                self.output.videoSettings = [
                    kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange,
                ]
                // A late frame is worth less than the next one: never queue behind the encoder.
                self.output.alwaysDiscardsLateVideoFrames = true
                self.output.setSampleBufferDelegate(self, queue: self.frameQueue)
                self.session.addOutput(self.output)
                return device
            }
            self.target.withLock { $0.facing = facing }
            self.followRotation(of: device)
        }
        target.withLock { $0.call = call }
    }

    /// Runs or pauses the camera; the session keeps its configuration meanwhile.
    func setRunning(_ running: Bool) {
        sessionQueue.async {
            if running, !self.session.isRunning {
                self.session.startRunning()
            } else if !running, self.session.isRunning {
                self.session.stopRunning()
            }
        }
    }

    /// Swaps the camera inside one configuration change, so frames stop only for the moment the
    /// new camera needs to start; the call is not touched. If the new camera cannot be added the
    /// old input goes back in. Returns whether the switch happened.
    func switchCamera(to facing: CameraFacing) async -> Bool {
        (try? await onSessionQueue {
            let device = try self.reconfigure { try self.useCamera(facing) }
            // Right after the commit, on the same queue: the new camera's frames get its facing
            // and its own coordinator's angle.
            self.target.withLock { $0.facing = facing }
            self.followRotation(of: device)
        }) != nil
    }

    /// Records how the device is held, for the rotation of the next frames.
    func setDeviceOrientation(_ orientation: DeviceOrientation) {
        target.withLock { $0.orientation = orientation }
    }

    /// Stops the camera and lets go of the call. Safe to call twice.
    func stop() {
        target.withLock { $0.call = nil }
        sessionQueue.async {
            self.rotationObservation?.invalidate()
            self.rotationObservation = nil
            self.rotationCoordinator = nil
            self.session.stopRunning()
            self.session.beginConfiguration()
            for input in self.session.inputs {
                self.session.removeInput(input)
            }
            for output in self.session.outputs {
                self.session.removeOutput(output)
            }
            self.session.commitConfiguration()
            self.input = nil
        }
    }

    /// Follows how the phone is held through `device`'s rotation coordinator (iOS 17+): its
    /// horizon-level capture angle is the clockwise rotation that makes this camera's frames
    /// upright, from gravity, so the orientation lock does not matter. Below iOS 17 the frames
    /// follow `setDeviceOrientation`. On `sessionQueue`, after the camera changed.
    private func followRotation(of device: AVCaptureDevice) {
        rotationObservation?.invalidate()
        rotationObservation = nil
        rotationCoordinator = nil
        target.withLock { $0.coordinatorRotation = nil }
        guard #available(iOS 17.0, *) else { return }
        let coordinator = AVCaptureDevice.RotationCoordinator(device: device, previewLayer: nil)
        rotationCoordinator = coordinator
        // `.initial` sets the angle at once; later changes arrive on the main queue.
        rotationObservation = coordinator.observe(
            \.videoRotationAngleForHorizonLevelCapture, options: [.initial, .new]
        ) { [target] coordinator, _ in
            let rotation = FrameRotation.nearest(toDegrees: Double(coordinator.videoRotationAngleForHorizonLevelCapture))
            target.withLock { $0.coordinatorRotation = rotation }
        }
    }

    /// Runs `change` inside one begin/commitConfiguration on `sessionQueue`, then caps the frame
    /// rate of the camera it returns (after the commit, which resets the device's frame rate).
    /// Returns that camera.
    @discardableResult
    private func reconfigure(_ change: () throws -> AVCaptureDevice) throws -> AVCaptureDevice {
        session.beginConfiguration()
        let device: AVCaptureDevice
        do {
            device = try change()
        } catch {
            session.commitConfiguration()
            throw error
        }
        session.commitConfiguration()
        limitFrameRate(of: device, to: 30)
        return device
    }

    /// Replaces the camera input (or adds the first one), putting the old one back on failure.
    /// Returns the new camera. Call inside a configuration change, on `sessionQueue`.
    private func useCamera(_ facing: CameraFacing) throws -> AVCaptureDevice {
        let position: AVCaptureDevice.Position = facing == .user ? .front : .back
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: position) else {
            throw CaptureError.noCamera(facing)
        }
        let newInput = try AVCaptureDeviceInput(device: device)
        let oldInput = input
        if let oldInput {
            session.removeInput(oldInput)
        }
        // 1280x720 where the camera has it (the call's ceiling), else the next smaller size.
        let presets: [AVCaptureSession.Preset] = [.hd1280x720, .vga640x480, .medium]
        session.sessionPreset = presets.first(where: device.supportsSessionPreset) ?? .high
        guard session.canAddInput(newInput) else {
            if let oldInput, session.canAddInput(oldInput) {
                session.addInput(oldInput)
            }
            throw CaptureError.cannotAddInput
        }
        session.addInput(newInput)
        input = newInput
        return device
    }

    /// Caps the camera at `fps` where its current format allows it (most run at 30 already).
    private func limitFrameRate(of device: AVCaptureDevice, to fps: Int32) {
        let supported = device.activeFormat.videoSupportedFrameRateRanges.contains { $0.maxFrameRate >= Double(fps) }
        guard supported, (try? device.lockForConfiguration()) != nil else { return }
        device.activeVideoMinFrameDuration = CMTime(value: 1, timescale: fps)
        device.unlockForConfiguration()
    }

    /// Runs `work` on the session queue and waits for it without blocking the caller's thread.
    private func onSessionQueue(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            sessionQueue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

extension CaptureService: AVCaptureVideoDataOutputSampleBufferDelegate {
    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        // Read for every frame: the phone turns, and the camera may just have been switched.
        let (call, rotation) = target.withLock { ($0.call, $0.rotation) }
        guard let call, let pixels = CMSampleBufferGetImageBuffer(sampleBuffer),
              CVPixelBufferGetPlaneCount(pixels) == 2
        else { return }
        let time = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let timestampUs = Int64(max(0, CMTimeGetSeconds(time)) * 1_000_000)

        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        let width = CVPixelBufferGetWidth(pixels)
        let height = CVPixelBufferGetHeight(pixels)
        guard let y = plane(0, of: pixels, rowBytes: width),
              let uv = plane(1, of: pixels, rowBytes: 2 * ((width + 1) / 2))
        else { return }
        // The core reads the planes in place and copies once while making the frame upright;
        // it returns before the buffer is unlocked. A refused frame (the call just ended) is
        // simply not sent.
        try? call.sendVideoNv12(
            y: y.bytes, uv: uv.bytes, strideY: y.stride, strideUv: uv.stride,
            width: UInt32(width), height: UInt32(height),
            rotationDegrees: rotation.rawValue, timestampUs: timestampUs)
    }

    /// One plane of a locked pixel buffer as `Data` over its memory (no copy), covering every
    /// row up to the last one's `rowBytes` (the padding after the last row may not exist).
    private func plane(_ index: Int, of pixels: CVPixelBuffer, rowBytes: Int) -> (bytes: Data, stride: UInt32)? {
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pixels, index) else { return nil }
        let stride = CVPixelBufferGetBytesPerRowOfPlane(pixels, index)
        let rows = CVPixelBufferGetHeightOfPlane(pixels, index)
        guard rows > 0 else { return nil }
        let length = stride * (rows - 1) + rowBytes
        return (Data(bytesNoCopy: base, count: length, deallocator: .none), UInt32(stride))
    }
}
