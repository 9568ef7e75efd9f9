package org.videochat.app

import android.Manifest
import android.app.Activity
import android.app.AlertDialog
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Color
import android.graphics.Typeface
import android.hardware.display.DisplayManager
import android.net.Uri
import android.os.Build
import android.os.Bundle
import android.provider.Settings
import android.view.Gravity
import android.view.View
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.view.WindowManager
import android.widget.Button
import android.widget.FrameLayout
import android.widget.LinearLayout
import android.widget.TextView
import org.videochat.app.logic.CallScreen
import org.videochat.app.logic.CallTarget
import org.videochat.app.logic.Edges
import org.videochat.app.logic.InsetLayout
import org.videochat.app.logic.NewIntentAction
import org.videochat.app.logic.Orientation
import org.videochat.app.logic.PermissionFlow
import org.videochat.app.logic.PermissionStatus
import org.videochat.app.logic.PermissionStep
import org.videochat.app.logic.QualityView
import org.videochat.app.logic.ScaleMode
import org.videochat.app.logic.ScreenPresence
import org.videochat.app.logic.ScreenStart
import org.videochat.core.CallException

/**
 * The call screen: views and permissions only. The call itself lives in [CallSession], which
 * survives this Activity being recreated on rotation; this screen attaches to it, shows its
 * [CallScreen] and forwards button taps. There is one (singleTask): an intent for another room
 * while a call runs is answered in [onNewIntent] ([NewIntentAction]).
 */
class CallActivity : Activity(), DisplayManager.DisplayListener {
    private lateinit var remote: VideoRenderer
    private lateinit var self: VideoRenderer
    private lateinit var status: TextView
    private lateinit var remoteVeil: View
    private lateinit var remoteCameraOff: TextView
    private lateinit var remoteMuted: TextView
    private lateinit var detail: TextView
    private lateinit var qualityBadge: TextView
    private lateinit var statsPanel: TextView
    private lateinit var switchButton: Button
    private lateinit var muteButton: Button
    private lateinit var videoButton: Button
    private lateinit var hangUpButton: Button
    private lateinit var root: FrameLayout
    private lateinit var bar: LinearLayout
    private lateinit var texts: LinearLayout
    private lateinit var cameraBox: LinearLayout
    private lateinit var cameraProblem: TextView
    private lateinit var retryButton: Button

    /** What system bars and the cutout cover (edge to edge), and the self-view picture's upright size. */
    private var safe = Edges.NONE
    private var selfPicture = 3 to 4
    private var session: CallSession? = null
    private var started = false

    /** Per permission: did the system want it explained when the dialog was shown? */
    private val rationaleWhenAsked = mutableMapOf<String, Boolean>()

    /** Permissions refused on this screen already. */
    private val refused = mutableSetOf<String>()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        buildViews()
        EdgeToEdge.apply(this, root, intoCutout = true) { layOut(InsetLayout.safe(it.systemBars, it.cutout)) }
        when (ScreenStart.of(CallSession.existing(), restoredFromSavedState = savedInstanceState != null)) {
            ScreenStart.SHOW_CALL -> attach(checkNotNull(CallSession.current))
            ScreenStart.NEW_CALL -> {
                CallSession.dropEnded()
                askPermissions()
            }
            ScreenStart.CALL_ENDED -> showStatic("Call ended", "The app was closed while the call was on.")
        }
    }

    /** Another intent for the one call screen: a share, the notification, or Join on the start screen. */
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        val running = session
        val wanted = intent.getStringExtra(EXTRA_ROOM)?.let { CallTarget(it, intent.getStringExtra(EXTRA_RELAY_URL)) }
        when (val action = NewIntentAction.of(running?.target, running?.screen()?.finished ?: false, wanted)) {
            NewIntentAction.ShowCall -> {}
            is NewIntentAction.TellCallRunning -> AlertDialog.Builder(this)
                .setMessage(action.message)
                .setPositiveButton("OK", null)
                .show()
            is NewIntentAction.StartNewCall -> {
                running?.leave()
                session = null
                setIntent(intent)
                askPermissions()
            }
        }
    }

    override fun onStart() {
        super.onStart()
        started = true
        session?.setPresence(ScreenPresence.SHOWN, displayDegrees())
        getSystemService(DisplayManager::class.java).registerDisplayListener(this, null)
    }

    override fun onStop() {
        getSystemService(DisplayManager::class.java).unregisterDisplayListener(this)
        // Hidden: release the camera (the call and its audio go on); the peer is told unless this is a rotation.
        session?.setPresence(ScreenPresence.afterStop(isChangingConfigurations), displayDegrees())
        started = false
        super.onStop()
    }

    override fun onDestroy() {
        session?.detach()
        super.onDestroy()
    }

    /** Leaving the screen (back, Leave) ends the call at once; a rotation only rebuilds the screen. */
    override fun finish() {
        session?.leave()
        session = null
        super.finish()
    }

    override fun onDisplayAdded(displayId: Int) {}

    override fun onDisplayRemoved(displayId: Int) {}

    override fun onDisplayChanged(displayId: Int) {
        session?.setDisplayDegrees(displayDegrees())
    }

    @Suppress("DEPRECATION") // Activity.display is API 30+; minSdk is 26.
    private fun displayDegrees(): Int = Orientation.displayDegrees(windowManager.defaultDisplay.rotation)

    // ---- permissions ----

    private fun askPermissions() {
        val all = listOf(PermissionFlow.MICROPHONE, PermissionFlow.CAMERA)
        val granted = all.filter { checkSelfPermission(it) == PackageManager.PERMISSION_GRANTED }.toSet()
        val rationale = all.filter { shouldShowRequestPermissionRationale(it) }.toSet()
        follow(PermissionFlow.beforeAsking(granted, rationale))
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode != PERMISSION_REQUEST) return
        fun status(permission: String): PermissionStatus {
            val granted = checkSelfPermission(permission) == PackageManager.PERMISSION_GRANTED
            val status = PermissionFlow.statusAfterAnswer(
                granted = granted,
                rationaleBefore = rationaleWhenAsked[permission] ?: false,
                rationaleAfter = shouldShowRequestPermissionRationale(permission),
                refusedBefore = permission in refused,
            )
            if (!granted) refused += permission
            return status
        }
        follow(PermissionFlow.afterAnswer(status(PermissionFlow.MICROPHONE), status(PermissionFlow.CAMERA)))
    }

    /** Shows the system dialog, noting first what the system wanted explained. */
    private fun ask(permissions: List<String>) {
        permissions.forEach { rationaleWhenAsked[it] = shouldShowRequestPermissionRationale(it) }
        requestPermissions(permissions.toTypedArray(), PERMISSION_REQUEST)
    }

    private fun follow(step: PermissionStep) {
        when (step) {
            is PermissionStep.StartCall -> startCall(step.withVideo, step.note)
            is PermissionStep.Ask -> ask(step.permissions)
            is PermissionStep.ExplainThenAsk -> AlertDialog.Builder(this)
                .setMessage(step.text)
                .setPositiveButton("Continue") { _, _ -> ask(step.permissions) }
                .setNegativeButton("Not now") { _, _ -> finish() }
                .setCancelable(false)
                .show()
            is PermissionStep.Blocked -> AlertDialog.Builder(this)
                .setMessage(step.text)
                .setPositiveButton("Open Settings") { _, _ ->
                    startActivity(Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", packageName, null)))
                    finish()
                }
                .setNegativeButton("Back") { _, _ -> finish() }
                .setCancelable(false)
                .show()
        }
    }

    private fun startCall(withVideo: Boolean, note: String?) {
        val relay = intent.getStringExtra(EXTRA_RELAY_URL).orEmpty()
        val room = intent.getStringExtra(EXTRA_ROOM).orEmpty()
        val call = try {
            CallSession.start(this, relay, room, withVideo, SavedSettings(this).iceServers())
        } catch (e: CallException) {
            showStatic("Cannot start the call", CallScreen.errorWords(e))
            return
        }
        attach(call)
        if (note != null) detail.text = note
        // After a permission dialog onStart has passed already: start the camera now.
        if (started) call.setPresence(ScreenPresence.SHOWN, displayDegrees())
        askToNotify()
    }

    /**
     * The call's notification (with Hang up) needs POST_NOTIFICATIONS on Android 13+. Asked
     * once the call runs; a refusal only hides the notification, the call goes on.
     */
    private fun askToNotify() {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU) return
        if (checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED) return
        requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), NOTIFICATION_REQUEST)
    }

    private fun attach(s: CallSession) {
        session = s
        s.attach(remote, self, ::show)
    }

    // ---- views ----

    private fun show(screen: CallScreen) {
        status.text = screen.status
        detail.text = screen.detail.orEmpty()
        detail.visibility = if (screen.detail == null) View.GONE else View.VISIBLE
        switchButton.isEnabled = screen.switchCameraEnabled
        muteButton.isEnabled = screen.muteEnabled
        muteButton.text = screen.muteLabel
        videoButton.isEnabled = screen.videoToggleEnabled
        videoButton.text = screen.videoLabel
        self.visibility = if (screen.showSelfView) View.VISIBLE else View.INVISIBLE
        remote.visibility = if (screen.showRemoteVideo) View.VISIBLE else View.INVISIBLE
        // A SurfaceView draws beneath the window: a translucent black veil over it dims the last frame.
        remoteVeil.visibility = if (screen.dimRemoteVideo) View.VISIBLE else View.GONE
        remoteCameraOff.visibility = if (screen.showRemoteCameraOff) View.VISIBLE else View.GONE
        remoteMuted.visibility = if (screen.showRemoteMuted) View.VISIBLE else View.GONE
        hangUpButton.text = if (screen.finished) "Leave" else "Hang up"
        cameraProblem.text = screen.cameraProblem.orEmpty()
        cameraBox.visibility = if (screen.cameraProblem == null) View.GONE else View.VISIBLE
        retryButton.visibility = if (screen.showCameraRetry) View.VISIBLE else View.GONE
        showQuality(screen.quality)
        if (screen.finished) window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
    }

    private fun showQuality(quality: QualityView) {
        val badge = quality.badge
        qualityBadge.visibility = if (badge == null) View.GONE else View.VISIBLE
        if (badge != null) {
            qualityBadge.text = badge.text
            qualityBadge.contentDescription = badge.words
            qualityBadge.setTextColor(badge.color)
        }
        statsPanel.text = quality.statsLines?.joinToString("\n").orEmpty()
        statsPanel.visibility = if (quality.statsLines == null) View.GONE else View.VISIBLE
    }

    private fun showStatic(title: String, text: String) {
        status.text = title
        detail.text = text
        detail.visibility = View.VISIBLE
        listOf(switchButton, muteButton, videoButton).forEach { it.isEnabled = false }
        hangUpButton.text = "Back"
    }

    /** Keeps texts, buttons and the self-view clear of the system bars and the cutout; the videos stay full-window. */
    private fun layOut(safeArea: Edges) {
        safe = safeArea
        InsetLayout.controlsPadding(safe, dp(8)).let { bar.setPadding(it.left, it.top, it.right, it.bottom) }
        val inside = InsetLayout.padded(safe, dp(16))
        texts.setPadding(inside.left, inside.top, inside.right, 0)
        for (corner in listOf<View>(self, cameraBox)) {
            corner.layoutParams = (corner.layoutParams as FrameLayout.LayoutParams).apply {
                setMargins(inside.left, inside.top, inside.right, 0)
            }
        }
        remoteMuted.layoutParams = (remoteMuted.layoutParams as FrameLayout.LayoutParams).apply {
            setMargins(inside.left, 0, inside.right, safe.bottom + dp(96))
        }
        resizeSelfView()
    }

    /** The self-view box at the picture's upright aspect, fitted between the top and the buttons. */
    private fun resizeSelfView() {
        if (root.width == 0 || root.height == 0) return
        val (width, height) = InsetLayout.selfViewSize(
            root.width, root.height, selfPicture.first, selfPicture.second, safe, dp(16), bar.height,
        )
        val params = self.layoutParams as FrameLayout.LayoutParams
        if (params.width == width && params.height == height) return
        params.width = width
        params.height = height
        self.layoutParams = params
    }

    private fun buildViews() {
        root = FrameLayout(this).apply { setBackgroundColor(Color.BLACK) }
        remote = VideoRenderer(this, ScaleMode.FIT)
        root.addView(remote, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
        remoteVeil = View(this).apply {
            setBackgroundColor(Color.argb(160, 0, 0, 0))
            visibility = View.GONE
        }
        root.addView(remoteVeil, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
        remoteCameraOff = label(18f).apply {
            text = "\uD83D\uDC64\nCamera off"
            gravity = Gravity.CENTER
            visibility = View.GONE
        }
        root.addView(remoteCameraOff, FrameLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT, Gravity.CENTER))
        remoteMuted = label(15f).apply {
            text = "Muted"
            setBackgroundColor(Color.argb(220, 217, 48, 37))
            setPadding(dp(12), dp(4), dp(12), dp(4))
            visibility = View.GONE
        }
        val mutedAt = FrameLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT, Gravity.BOTTOM or Gravity.START).apply {
            setMargins(dp(16), dp(16), dp(16), dp(96))
        }
        root.addView(remoteMuted, mutedAt)

        val pipWidth = resources.displayMetrics.widthPixels.coerceAtMost(resources.displayMetrics.heightPixels) / 3
        self = VideoRenderer(this, ScaleMode.FILL).apply { setZOrderMediaOverlay(true) }
        val pip = FrameLayout.LayoutParams(pipWidth, pipWidth * 4 / 3, Gravity.TOP or Gravity.END).apply {
            val margin = dp(16)
            setMargins(margin, margin, margin, margin)
        }
        root.addView(self, pip)
        self.onFrameSize = { w, h ->
            // Keep the corner box at the camera's upright aspect (portrait or landscape).
            runOnUiThread {
                selfPicture = w to h
                resizeSelfView()
            }
        }
        root.addOnLayoutChangeListener { _, _, _, _, _, _, _, _, _ -> resizeSelfView() }

        // Where the self-view would be: what went wrong with the camera, and Retry.
        cameraProblem = label(14f)
        retryButton = button("Retry") { session?.retryCamera() }
        cameraBox = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setBackgroundColor(Color.argb(200, 32, 32, 32))
            setPadding(dp(12), dp(12), dp(12), dp(12))
            visibility = View.GONE
            addView(cameraProblem)
            addView(retryButton, LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT))
        }
        root.addView(
            cameraBox,
            FrameLayout.LayoutParams(pipWidth, WRAP_CONTENT, Gravity.TOP or Gravity.END).apply {
                setMargins(dp(16), dp(16), dp(16), 0)
            },
        )

        status = label(20f)
        detail = label(15f)
        // Under the status, so the insets that keep the texts clear keep these clear too.
        qualityBadge = label(14f).apply {
            typeface = Typeface.DEFAULT_BOLD
            visibility = View.GONE
            setOnLongClickListener { toggleStats() }
        }
        statsPanel = label(12f).apply {
            typeface = Typeface.MONOSPACE
            setBackgroundColor(Color.argb(160, 0, 0, 0))
            setPadding(dp(8), dp(4), dp(8), dp(4))
            visibility = View.GONE
        }
        texts = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(dp(16), dp(16), dp(16), dp(16))
            addView(status)
            addView(detail)
            addView(qualityBadge)
            addView(statsPanel, LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT).apply { topMargin = dp(4) })
        }
        root.addView(texts, FrameLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT, Gravity.TOP or Gravity.START))
        // A long press on the remote video (the window behind the controls) opens the stats view.
        root.setOnLongClickListener { toggleStats() }

        switchButton = button("Switch") { session?.switchCamera() }
        muteButton = button("Mute") { session?.toggleMute() }
        videoButton = button("Video off") { session?.toggleVideo() }
        hangUpButton = button("Hang up") {
            val s = session
            if (s == null || s.screen().finished) finish() else s.hangUp()
        }
        bar = LinearLayout(this).apply {
            orientation = LinearLayout.HORIZONTAL
            gravity = Gravity.CENTER
            setPadding(dp(8), dp(8), dp(8), dp(24))
            listOf(switchButton, muteButton, videoButton, hangUpButton).forEach {
                addView(it, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f))
            }
        }
        root.addView(bar, FrameLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT, Gravity.BOTTOM))
        setContentView(root)
    }

    private fun toggleStats(): Boolean {
        session?.toggleStats()
        return session != null
    }

    private fun label(sizeSp: Float) = TextView(this).apply {
        setTextColor(Color.WHITE)
        textSize = sizeSp
        setShadowLayer(4f, 0f, 0f, Color.BLACK)
    }

    private fun button(text: String, onClick: () -> Unit) = Button(this).apply {
        this.text = text
        setOnClickListener { onClick() }
    }

    private fun dp(value: Int) = (value * resources.displayMetrics.density).toInt()

    companion object {
        private const val PERMISSION_REQUEST = 1
        private const val NOTIFICATION_REQUEST = 2
        private const val EXTRA_RELAY_URL = "relayUrl"
        private const val EXTRA_ROOM = "room"

        /** The intent that opens the call screen for [room] on the relay at [relayUrl] (a WebSocket URL). */
        fun intent(context: Context, relayUrl: String, room: String): Intent =
            Intent(context, CallActivity::class.java).putExtra(EXTRA_RELAY_URL, relayUrl).putExtra(EXTRA_ROOM, room)

        /**
         * The intent that brings the running call screen back, naming the room a share asked
         * for (if any) so that the screen can say a call is already running.
         */
        fun returnIntent(context: Context, sharedRoom: String?): Intent =
            Intent(context, CallActivity::class.java).apply { if (sharedRoom != null) putExtra(EXTRA_ROOM, sharedRoom) }
    }
}
