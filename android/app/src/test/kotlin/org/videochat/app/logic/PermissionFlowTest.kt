package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.videochat.app.logic.PermissionFlow.CAMERA
import org.videochat.app.logic.PermissionFlow.MICROPHONE
import org.videochat.app.logic.PermissionStatus.DENIED
import org.videochat.app.logic.PermissionStatus.DENIED_PERMANENTLY
import org.videochat.app.logic.PermissionStatus.GRANTED

class PermissionFlowTest {
    @Test
    fun `with everything granted the call starts with video`() {
        assertEquals(PermissionStep.StartCall(true, null), PermissionFlow.beforeAsking(setOf(MICROPHONE, CAMERA), emptySet()))
    }

    @Test
    fun `the first time only what is missing is asked for`() {
        assertEquals(PermissionStep.Ask(listOf(CAMERA)), PermissionFlow.beforeAsking(setOf(MICROPHONE), emptySet()))
        assertEquals(PermissionStep.Ask(listOf(MICROPHONE, CAMERA)), PermissionFlow.beforeAsking(emptySet(), emptySet()))
    }

    @Test
    fun `after an earlier refusal the reason comes before the question`() {
        val step = PermissionFlow.beforeAsking(emptySet(), setOf(CAMERA))
        assertEquals(PermissionStep.ExplainThenAsk(PermissionFlow.RATIONALE, listOf(MICROPHONE, CAMERA)), step)
    }

    @Test
    fun `a refused camera means an audio-only call, said in words`() {
        val step = PermissionFlow.afterAnswer(microphone = GRANTED, camera = DENIED)
        assertTrue(step is PermissionStep.StartCall && !step.withVideo && step.note!!.contains("audio-only"))
        val forGood = PermissionFlow.afterAnswer(microphone = GRANTED, camera = DENIED_PERMANENTLY)
        assertTrue(forGood is PermissionStep.StartCall && forGood.note!!.contains("Settings"))
    }

    @Test
    fun `a refused microphone is explained and asked again`() {
        assertEquals(
            PermissionStep.ExplainThenAsk(PermissionFlow.RATIONALE, listOf(MICROPHONE, CAMERA)),
            PermissionFlow.afterAnswer(microphone = DENIED, camera = DENIED),
        )
        assertEquals(
            PermissionStep.ExplainThenAsk(PermissionFlow.RATIONALE, listOf(MICROPHONE)),
            PermissionFlow.afterAnswer(microphone = DENIED, camera = GRANTED),
        )
    }

    @Test
    fun `a microphone refused for good blocks the call and points to Settings`() {
        val step = PermissionFlow.afterAnswer(microphone = DENIED_PERMANENTLY, camera = GRANTED)
        assertTrue(step is PermissionStep.Blocked && step.text.contains("Settings"))
    }

    private fun answer(granted: Boolean, before: Boolean, after: Boolean, refusedBefore: Boolean = false) =
        PermissionFlow.statusAfterAnswer(granted, rationaleBefore = before, rationaleAfter = after, refusedBefore = refusedBefore)

    @Test
    fun `a refusal the system stops explaining is for good`() {
        assertEquals(GRANTED, answer(granted = true, before = false, after = false))
        assertEquals(DENIED, answer(granted = false, before = false, after = true))
        // The second "Deny": the flag the first one set is cleared.
        assertEquals(DENIED_PERMANENTLY, answer(granted = false, before = true, after = false))
    }

    @Test
    fun `a dismissed dialog is not a refusal for good, a second one is`() {
        // Back or a tap outside the first dialog: no rationale before or after.
        assertEquals(DENIED, answer(granted = false, before = false, after = false))
        // Asked again and again nothing: the system has stopped showing the dialog.
        assertEquals(DENIED_PERMANENTLY, answer(granted = false, before = false, after = false, refusedBefore = true))
    }
}
