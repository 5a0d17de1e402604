package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A backend with one broken rule fails the cases pinning that rule, and passes the others. */
class BrokenBackendTest {
    private static List<String> run(BrokenBackend.Bug bug, String filter, int expectedExit) {
        StringWriter text = new StringWriter();
        int exit;
        try (Engine e = Engine.of(new BrokenBackend(bug));
             PrintWriter out = new PrintWriter(text)) {
            exit = ConformanceRunner.run(e, ConformanceSuite.cases(Pattern.compile(filter)), out);
        }
        assertEquals(expectedExit, exit, text.toString());
        return Arrays.asList(text.toString().split("\n"));
    }

    private static void assertLine(List<String> lines, String prefix) {
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix)), "no line starting with '" + prefix + "' in\n"
                + String.join("\n", lines));
    }

    @Test
    void sameWithTheExtraPixelBeforeFails() {
        List<String> lines = run(BrokenBackend.Bug.SAME_EXTRA_PIXEL_BEFORE, "^rule/same-odd-padding-stride2/conv-", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/same-odd-padding-stride2/conv-1x3x6x6-k3x3-s2-SAME-pads(0,0,1,1)/" + layout
                    + ": y: index ");
            assertLine(lines, "PASS rule/same-odd-padding-stride2/conv-1x3x6x6-k3x3-s2-SAME_LOWER-pads(1,1,0,0)/"
                    + layout);
        }
        List<String> diff = run(BrokenBackend.Bug.SAME_EXTRA_PIXEL_BEFORE, "^diff/conv/.*-SAME-", 1);
        assertTrue(diff.stream().filter(l -> l.startsWith("FAIL")).count() >= 10, String.join("\n", diff));
    }

    @Test
    void maxPaddingAsZeroFails() {
        List<String> lines = run(BrokenBackend.Bug.MAX_PADDING_AS_ZERO,
                "^rule/max-pooling-padding-is-minus-infinity/|^cnn-course/pooling-practice/max", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/max-pooling-padding-is-minus-infinity/all-negative-1x3x5x5-k3-s1-pads(1,1,1,1)"
                    + "-to-5x5/" + layout);
            assertLine(lines, "PASS cnn-course/pooling-practice/max-2x2-s2-to-2.5,10,15,6/" + layout);
        }
    }

    @Test
    void ceilOverhangCountedFails() {
        List<String> lines = run(BrokenBackend.Bug.CEIL_OVERHANG_COUNTED, "^rule/average-pooling-divisor/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/average-pooling-divisor/4x4-values-0..15-k3-s2-ceil-overhang-countIncludePad-"
                    + "true-corner-sum50-div4/" + layout + ": y: index 1 [0, 0, 0, 1] expected 6.5 actual 4.33");
            assertLine(lines, "PASS rule/average-pooling-divisor/4x4-values-0..15-k3-s2-ceil-overhang-countIncludePad-"
                    + "false-corner-sum50-div4/" + layout);
        }
    }

    @Test
    void unwrittenOutputFailsThroughThePoison() {
        List<String> more = run(BrokenBackend.Bug.LAST_CHANNEL_UNWRITTEN, "^cnn-course/feature-map-sizes/", 1);
        assertLine(more, "FAIL cnn-course/feature-map-sizes/28x28x3-8x3x3-SAME-s1-to-28x28x8/NCHW: y: index 5488 "
                + "[0, 7, 0, 0] expected ");
        assertTrue(more.stream().filter(l -> l.startsWith("FAIL")).allMatch(l -> l.endsWith("actual NaN")),
                String.join("\n", more));
    }

    @Test
    void unsupportedOpsAreSkippedWithTheBackendsReason() {
        List<String> lines = run(BrokenBackend.Bug.DILATION_UNSUPPORTED, "^rule/dilation/", 0);
        assertEquals(12, lines.stream().filter(l -> l.startsWith("SKIP rule/dilation/")
                && l.matches(".*does not support this \\d+×\\d+ convolution \\[.*")
                && l.contains("is not implemented")).count(),
                String.join("\n", lines));
        assertEquals("0 passed, 0 failed, 12 skipped", lines.getLast());
        // Backward too: the backend lists TRAINING but declines dilated convolutions through supports().
        List<String> backward = run(BrokenBackend.Bug.DILATION_UNSUPPORTED, "^backward/fd/conv-", 0);
        assertLine(backward, "SKIP backward/fd/conv-filter/n1-c2-5x5-f2-k2x2-s1x1-d2x2-g1-pads(1,0,2,1)-bias-NONE"
                + "/seed=60004/NHWC: backend 'broken-dilation-unsupported' does not support this 2×2 convolution "
                + "[1, 2, 5, 5] NHWC: dilation 2×2 is not implemented");
        // Skip reasons name the op, never the internal labels the cases give their descriptors.
        assertTrue(backward.stream().filter(l -> l.startsWith("SKIP")).noneMatch(l -> l.contains("'backward fd'")),
                String.join("\n", backward));
        assertLine(backward, "PASS backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NHWC");
    }

    @Test
    void maxBackwardToTheLastTieFails() {
        List<String> lines = run(BrokenBackend.Bug.MAX_BACKWARD_LAST_TIE, "^backward/(rule|fd)/max-pool", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL backward/rule/max-pool-ties-go-to-first-in-window-order/4x4-all-5-k3-s1-dy-1,2,4,8/"
                    + layout + ": dx: index 0 [0, 0, 0, 0] expected 1.0 actual 0.0");
            assertLine(lines, "FAIL backward/rule/max-pool-ties-go-to-first-in-window-order/4x4-all-5-k2-s2-dy-1,2,4,8/"
                    + layout + ": dx: index 0 [0, 0, 0, 0] expected 1.0 actual 0.0");
            // Without ties the first and the last maximum are the same cell.
            assertLine(lines, "PASS backward/fd/max-pool/n2-c2-7x7-k3x3-s2-VALID/seed=62005/" + layout);
        }
    }

    @Test
    void filterGradientIgnoringDilationFails() {
        List<String> lines = run(BrokenBackend.Bug.FILTER_IGNORES_DILATION, "^backward/(fd|diff)/conv-filter/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL backward/fd/conv-filter/n1-c2-5x5-f2-k2x2-s1x1-d2x2-g1-pads(1,0,2,1)-bias-NONE"
                    + "/seed=60004/" + layout + ": dw vs finite differences: index ");
            assertLine(lines, "PASS backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/"
                    + layout);
        }
        // Only dilated configurations fail, and most of them do (a dilated axis with a 1-wide kernel reads the same).
        long dilatedFails = 0;
        for (String l : lines) {
            if (l.startsWith("FAIL ")) {
                assertTrue(!l.contains("-d1x1-"), l);
                dilatedFails++;
            }
        }
        assertTrue(dilatedFails >= 100, dilatedFails + " dilated cases failed");
    }

    @Test
    void backendWithoutTrainingSkipsEveryBackwardCase() {
        List<String> lines = run(BrokenBackend.Bug.NO_TRAINING, "^backward/", 0);
        int cases = ConformanceSuite.cases(Pattern.compile("^backward/")).size();
        assertTrue(cases > 1000, "backward cases: " + cases);
        assertEquals(cases, lines.stream().filter(l -> l.startsWith("SKIP backward/")
                && l.endsWith("has no backward ops (it does not list Capability.TRAINING)")).count(),
                String.join("\n", lines));
        assertEquals("0 passed, 0 failed, " + cases + " skipped", lines.getLast());
    }

    @Test
    void claimedTrainingWithAMissingOpFails() {
        List<String> lines = run(BrokenBackend.Bug.TRAINING_CLAIMED_FILTER_MISSING, "^backward/fd/conv-", 1);
        assertLine(lines, "FAIL backward/fd/conv-filter/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NCHW: "
                + "backend 'broken-training-claimed-filter-missing' lists Capability.TRAINING but a backward op threw "
                + "java.lang.UnsupportedOperationException");
        assertLine(lines, "PASS backward/fd/conv-data/n1-c3-5x6-f2-k3x3-s1x1-d1x1-g1-VALID-bias-NONE/seed=60001/NCHW");
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("SKIP")), String.join("\n", lines));
    }
    // ---- the ops of imported networks ----

    @Test
    void lrnEvenWindowMirroredFails() {
        List<String> lines = run(BrokenBackend.Bug.LRN_EVEN_WINDOW_MIRRORED, "^rule/lrn/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/lrn/even-size-4-window-c-minus-1-to-c-plus-2-hand-worked/" + layout
                    + ": y: index 0 [0, 0, 0, 0] expected 0.0666");
            assertLine(lines, "FAIL rule/lrn/even-size-2-window-c-to-c-plus-1-hand-worked/" + layout + ": y: index 0 ");
            // Odd sizes have one window: the mirror is the same.
            assertLine(lines, "PASS rule/lrn/5-channels-size-3-window-clipped-at-both-edges-hand-worked/" + layout);
            assertLine(lines, "PASS rule/lrn/alexnet-size-5-alpha-1e-4-beta-0.75-bias-2-values-10..50/" + layout);
        }
        List<String> diff = run(BrokenBackend.Bug.LRN_EVEN_WINDOW_MIRRORED, "^diff/lrn/", 1);
        for (String l : diff) {
            if (l.startsWith("FAIL ")) {
                assertTrue(l.matches("FAIL diff/lrn/[0-9x]+-size-(2|4)-.*"), l);
            }
        }
        assertTrue(diff.stream().filter(l -> l.startsWith("FAIL")).count() >= 6, String.join("\n", diff));
    }

    @Test
    void maxPoolingThatSkipsNanFails() {
        List<String> lines = run(BrokenBackend.Bug.MAX_POOL_SKIPS_NAN, "^rule/non-finite/max-pool/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/non-finite/max-pool/nan-first-or-later-in-the-window-gives-nan-inf-wins/"
                    + layout + ": y: index 0 [0, 0, 0, 0] expected NaN actual 4.0");
            assertLine(lines, "FAIL rule/non-finite/max-pool/global-nan-gives-nan/" + layout);
            assertLine(lines, "PASS rule/non-finite/max-pool/all-minus-inf-with-padding-stays-minus-inf/" + layout);
        }
    }

    @Test
    void clampMappingNanToMinFails() {
        List<String> lines = run(BrokenBackend.Bug.CLAMP_NAN_TO_MIN, "^rule/(non-finite/)?clamp/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            assertLine(lines, "FAIL rule/non-finite/clamp/min-0-max-6-nan-stays-nan-inf-to-6-minus-inf-to-0/" + layout
                    + ": y: index 0 [0, 0, 0, 0] expected NaN actual 0.0");
            assertLine(lines, "PASS rule/clamp/relu6-min-0-max-6-boundaries-at-exactly-0-and-6/" + layout);
        }
    }

    @Test
    void swappedBroadcastOperandsFail() {
        List<String> lines = run(BrokenBackend.Bug.BINARY_SWAPS_BROADCAST_OPERAND, "^rule/(broadcast|binary)/", 1);
        for (String layout : new String[] {"NCHW", "NHWC"}) {
            for (int axis = 0; axis < 4; axis++) {
                assertLine(lines, "FAIL rule/broadcast/div-a-size-1-on-axis-" + axis + "-");
                assertLine(lines, "PASS rule/broadcast/sub-b-size-1-on-axis-" + axis + "-");
            }
            assertLine(lines, "FAIL rule/binary/sub-row-1x1x1x3-1,2,3-minus-column-1x1x2x1-10,20-both-broadcast-to-"
                    + "1x1x2x3/" + layout + ": y: index 0 [0, 0, 0, 0] expected -9.0 actual 9.0");
            // Commutative ops give the same result swapped.
            assertLine(lines, "PASS rule/broadcast/add-2x3x1x1-and-1x1x4x5/" + layout);
        }
    }

    @Test
    void unwrittenPadCellsFailThroughThePoison() {
        List<String> lines = run(BrokenBackend.Bug.PAD_CELLS_UNWRITTEN, "^rule/(non-finite/)?pad/", 1);
        assertLine(lines, "FAIL rule/pad/asymmetric-1x1x2x3-top-1-right-2-value-minus-1-to-1x1x3x5/NCHW: y: index 0 "
                + "[0, 0, 0, 0] expected -1.0 actual NaN");
        // Where NaN is expected the poison is finite, so an unwritten cell still fails.
        assertLine(lines, "FAIL rule/non-finite/pad/pad-value-nan: y: index 0 [0, 0] expected NaN actual "
                + Ops.FINITE_POISON);
        assertLine(lines, "PASS rule/pad/no-pads-is-a-copy-2x3x4x5/NHWC");
    }

    @Test
    void unsupportedPoolingDilationIsSkippedWithTheBackendsReason() {
        List<String> lines = run(BrokenBackend.Bug.POOLING_DILATION_UNSUPPORTED,
                "^rule/pooling-dilation/|^diff/(max|avg)-pool/.*-d[0-9]+x[0-9]+-", 0);
        long skipped = lines.stream().filter(l -> l.startsWith("SKIP ") && l.matches(".*does not support this \\d+×"
                + "\\d+ (max|average) pooling \\[.*: pooling dilation \\d+×\\d+ is not implemented")).count();
        assertEquals(lines.size() - 1, skipped, String.join("\n", lines));
        assertTrue(skipped >= 100, "skipped " + skipped);
        assertEquals("0 passed, 0 failed, " + skipped + " skipped", lines.getLast());
    }
}
