package org.videochat.app.logic

/** What the system says about one permission right now. */
enum class PermissionStatus {
    GRANTED,

    /** Not granted; asking again shows the system dialog. */
    DENIED,

    /** Refused with "don't ask again" (or by policy): only the Settings app can grant it now. */
    DENIED_PERMANENTLY,
}

/** The next step of the permission flow before or after a call starts. */
sealed class PermissionStep {
    /** Everything needed is granted: start the call (audio-only when [withVideo] is false). */
    data class StartCall(val withVideo: Boolean, val note: String?) : PermissionStep()

    /** Show the system dialog for [permissions]. */
    data class Ask(val permissions: List<String>) : PermissionStep()

    /** Explain why first ([text]), then ask for [permissions] when the person agrees. */
    data class ExplainThenAsk(val text: String, val permissions: List<String>) : PermissionStep()

    /** No call is possible: say why ([text]) and offer the app's settings page. */
    data class Blocked(val text: String) : PermissionStep()
}

/**
 * Camera and microphone permission decisions, without Android: the microphone is required, the
 * camera is not (without it the call is audio-only, said in words rather than refused).
 *
 * Android cannot tell "never asked" from "denied for good" before asking: `shouldShowRationale`
 * is false for both. So [beforeAsking] only ever asks or explains, and "denied for good" is
 * decided from the answer in [afterAnswer].
 */
object PermissionFlow {
    const val CAMERA = "android.permission.CAMERA"
    const val MICROPHONE = "android.permission.RECORD_AUDIO"

    /** The rationale shown when the system says a previous refusal deserves an explanation. */
    const val RATIONALE =
        "A video call needs the microphone so the other person can hear you, and the camera so they can see you. " +
            "Nothing is recorded; audio and video go straight to the other person, encrypted."

    /**
     * Before the call: [granted] lists what is granted, [showRationale] what the system says
     * deserves an explanation (`shouldShowRequestPermissionRationale`).
     */
    fun beforeAsking(granted: Set<String>, showRationale: Set<String>): PermissionStep {
        val missing = listOf(MICROPHONE, CAMERA).filter { it !in granted }
        return when {
            missing.isEmpty() -> PermissionStep.StartCall(withVideo = true, note = null)
            missing.any { it in showRationale } -> PermissionStep.ExplainThenAsk(RATIONALE, missing)
            else -> PermissionStep.Ask(missing)
        }
    }

    /** After the system dialog: the status of each permission as it now stands. */
    fun afterAnswer(microphone: PermissionStatus, camera: PermissionStatus): PermissionStep = when (microphone) {
        PermissionStatus.GRANTED -> when (camera) {
            PermissionStatus.GRANTED -> PermissionStep.StartCall(withVideo = true, note = null)
            else -> PermissionStep.StartCall(
                withVideo = false,
                note = "Camera not allowed: the call is audio-only." +
                    if (camera == PermissionStatus.DENIED_PERMANENTLY) " Allow the camera in Settings to be seen." else "",
            )
        }
        PermissionStatus.DENIED -> PermissionStep.ExplainThenAsk(RATIONALE, listOf(MICROPHONE) + missingCamera(camera))
        PermissionStatus.DENIED_PERMANENTLY -> PermissionStep.Blocked(
            "The microphone is turned off for this app, so a call is not possible. " +
                "Open Settings > Permissions and allow the microphone.",
        )
    }

    /**
     * A permission's status from the dialog's answer. A dismissed dialog (back, a tap outside)
     * also comes back "not granted, no rationale", so that alone does not prove "don't ask again":
     * a refusal is for good only when the rationale flag flipped from shown to not shown across
     * the dialog ([rationaleBefore] to [rationaleAfter]: the second "Deny" on Android 11+), or
     * when it is the second refusal in a row ([refusedBefore]: the system no longer shows a dialog).
     */
    fun statusAfterAnswer(
        granted: Boolean,
        rationaleBefore: Boolean,
        rationaleAfter: Boolean,
        refusedBefore: Boolean,
    ): PermissionStatus = when {
        granted -> PermissionStatus.GRANTED
        rationaleAfter -> PermissionStatus.DENIED
        rationaleBefore || refusedBefore -> PermissionStatus.DENIED_PERMANENTLY
        else -> PermissionStatus.DENIED
    }

    private fun missingCamera(camera: PermissionStatus) =
        if (camera == PermissionStatus.DENIED) listOf(CAMERA) else emptyList()
}
