package dev.fovea.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The size rules of docs/semantics.md, one axis at a time: the table's cases by hand, then every small combination
 * against an independent oracle that counts window positions.
 */
class WindowsTest {

    private static Windows.Axis resolve(int in, int k, int s, int d, Padding p, boolean ceil) {
        Violations v = new Violations("test");
        Windows.Axis a = Windows.resolve(v, "height", in, k, s, d, p, p.top(), p.bottom(), ceil);
        v.throwIfAny("");
        return a;
    }

    @Test
    void effectiveKernelIsDilatedExtent() {
        assertEquals(3, Windows.effectiveKernel(3, 1));
        assertEquals(5, Windows.effectiveKernel(3, 2));
        assertEquals(1, Windows.effectiveKernel(1, 5));
        assertEquals(13, Windows.effectiveKernel(5, 3));
    }

    @ParameterizedTest(name = "VALID in={0} k={1} s={2} d={3} -> {4}")
    @CsvSource({
            "28, 3, 1, 1, 26",   // the Keras MNIST course: 28x28, 3x3, no padding
            "28, 3, 2, 1, 13",   // 12.5 floors
            "32, 8, 2, 1, 13",   // the CNN course VALID
            "32, 7, 1, 1, 26",   // the CIFAR-10 course: 32 -> 26
            "26, 5, 2, 1, 11",   // the CIFAR-10 course: 26 -> 11 (11.5 floors)
            "55, 3, 2, 1, 27",   // overlapping pool 55 -> 27 -> 13 -> 6
            "27, 3, 2, 1, 13",
            "13, 3, 2, 1, 6",
            "6, 3, 1, 1, 4",     // 6x6, 3x3 -> 4x4
            "7, 3, 1, 2, 3",     // dilation 2: e = 5
            "9, 3, 2, 3, 2",     // dilation 3: e = 7, (9-7)/2+1
            "5, 5, 1, 1, 1",     // kernel exactly the input
            "1, 1, 1, 1, 1"})
    void valid(int in, int k, int s, int d, int out) {
        Windows.Axis a = resolve(in, k, s, d, Padding.VALID, false);
        assertEquals(new Windows.Axis(0, 0, out), a);
    }

    @ParameterizedTest(name = "SAME in={0} k={1} s={2} d={3} -> pads ({4}, {5}), out {6}")
    @CsvSource({
            "28, 3, 1, 1, 1, 1, 28",    // the Keras MNIST course: SAME keeps 28
            "28, 3, 2, 1, 0, 1, 14",    // odd total at stride 2: extra pixel after (TF)
            "32, 8, 2, 1, 3, 3, 16",    // the CNN course: TF SAME -> 16x16
            "10, 5, 2, 1, 1, 2, 5",     // the CNN course: 10x10, 5x5, s2 SAME -> 5x5, total 3 -> (1, 2)
            "128, 5, 1, 1, 2, 2, 128",  // the convolution-arithmetic course
            "4, 2, 2, 1, 0, 0, 2",      // the CNN course pooling 4x4 -> 2x2
            "5, 2, 2, 1, 0, 1, 3",
            "7, 3, 1, 2, 2, 2, 7",      // dilated e = 5
            "1, 3, 2, 1, 1, 1, 1",
            "6, 1, 2, 1, 0, 0, 3",      // total would be negative: clamped to 0
            "3, 7, 1, 1, 3, 3, 3"})     // kernel larger than the input is fine with SAME
    void sameTensorFlowRule(int in, int k, int s, int d, int before, int after, int out) {
        assertEquals(new Windows.Axis(before, after, out), resolve(in, k, s, d, Padding.SAME, false));
    }

    @ParameterizedTest(name = "SAME_LOWER in={0} k={1} s={2} -> pads ({3}, {4}), out {5}")
    @CsvSource({
            "28, 3, 2, 1, 0, 14",  // the odd pixel goes before (ONNX SAME_LOWER)
            "10, 5, 2, 2, 1, 5",
            "28, 3, 1, 1, 1, 28",
            "5, 2, 2, 1, 0, 3"})
    void sameLowerPutsOddPixelBefore(int in, int k, int s, int before, int after, int out) {
        assertEquals(new Windows.Axis(before, after, out), resolve(in, k, s, 1, Padding.SAME_LOWER, false));
    }

    @ParameterizedTest(name = "FULL in={0} k={1} s={2} d={3} -> pad {4}, out {5}")
    @CsvSource({
            "5, 3, 1, 1, 2, 7",    // the Keras MNIST course: full padding, 5x5 3x3 -> 7x7
            "3, 3, 1, 2, 4, 7",    // dilated: pads e - 1 = 4
            "4, 2, 2, 1, 1, 3",
            "1, 1, 1, 1, 0, 1"})
    void full(int in, int k, int s, int d, int pad, int out) {
        assertEquals(new Windows.Axis(pad, pad, out), resolve(in, k, s, d, Padding.FULL, false));
    }

    @ParameterizedTest(name = "explicit in={0} k={1} s={2} pads ({3}, {4}) -> {5}")
    @CsvSource({
            "32, 8, 2, 1, 1, 14",  // the CNN course: S=2, P=1 -> 14
            "32, 5, 1, 2, 2, 32",  // the CIFAR-10 course: 10 5x5 filters, pad 2 -> 32
            "6, 3, 1, 1, 1, 6",    // P=1 keeps 6
            "5, 3, 1, 2, 0, 5",    // asymmetric
            "6, 3, 1, 2, 1, 7",
            "28, 3, 2, 0, 1, 14",  // = TF SAME
            "7, 3, 2, 1, 0, 3"})   // (7+1-3)/2 + 1 = 3.5 floors
    void explicitAsymmetric(int in, int k, int s, int before, int after, int out) {
        Padding p = Padding.explicit(before, 0, after, 0);
        assertEquals(new Windows.Axis(before, after, out), resolve(in, k, s, 1, p, false));
    }

    @ParameterizedTest(name = "ceil in={0} k={1} s={2} pads ({3}, {4}) -> {5} (floor {6})")
    @CsvSource({
            "2, 1, 2, 0, 0, 1, 1",      // the dropped last window: 2x2, k1, s2 -> 1x1
            "55, 3, 2, 0, 0, 27, 27",   // exact: no change
            "4, 3, 2, 0, 0, 2, 1",      // overhang window kept
            "4, 3, 2, 1, 1, 3, 2",
            "6, 3, 2, 1, 1, 4, 3",
            "5, 2, 2, 0, 0, 3, 2",
            "5, 2, 2, 1, 1, 3, 3",      // ceil gives 4, last window would start in the end padding: dropped
            "112, 3, 2, 0, 0, 56, 55"}) // GoogLeNet's 3x3/2 max pool with ceil: 112 -> 56
    void ceilMode(int in, int k, int s, int before, int after, int out, int floorOut) {
        Padding p = before == 0 && after == 0 ? Padding.VALID : Padding.explicit(before, 0, after, 0);
        assertEquals(out, resolve(in, k, s, 1, p, true).out());
        assertEquals(floorOut, resolve(in, k, s, 1, p, false).out());
    }

    @Test
    void outputSizeBelowOneIsAViolationNamingAxisAndNumbers() {
        Violations v = new Violations("Conv2D 'c'");
        assertNull(Windows.resolve(v, "width", 5, 7, 1, 1, Padding.VALID, 0, 0, false));
        assertFalse(v.isEmpty());
        ValidationException e = org.junit.jupiter.api.Assertions.assertThrows(ValidationException.class,
                () -> v.throwIfAny("ctx"));
        assertEquals("Conv2D 'c': output width -1 ≤ 0: dilated kernel 7 is larger than the padded input 5"
                + " (input 5 + pads 0+0) (ctx)", e.getMessage());
    }

    /** Independent oracle: the number of window start positions p·s with the window inside the padded input. */
    @Test
    void everySmallCaseMatchesWindowCounting() {
        int checked = 0;
        for (int in = 1; in <= 13; in++) {
            for (int k = 1; k <= 5; k++) {
                for (int s = 1; s <= 4; s++) {
                    for (int d = 1; d <= 3; d++) {
                        int e = d * (k - 1) + 1;
                        for (int b = 0; b <= 2; b++) {
                            for (int a = 0; a <= 2; a++) {
                                Padding p = Padding.explicit(b, 0, a, 0);
                                int floorCount = 0;
                                for (int start = 0; start + e <= in + b + a; start += s) {
                                    floorCount++;
                                }
                                Violations v = new Violations("t");
                                Windows.Axis got = Windows.resolve(v, "height", in, k, s, d, p, b, a, false);
                                String at = "in=" + in + " k=" + k + " s=" + s + " d=" + d + " pads=" + b + "," + a;
                                if (floorCount == 0) {
                                    assertNull(got, at);
                                    assertFalse(v.isEmpty(), at);
                                    continue;
                                }
                                assertEquals(floorCount, got.out(), at);
                                if (a < e) {
                                    // ceil: windows that start no later than one stride past the last full one
                                    // and not inside the end padding (PyTorch / ONNX >= 1.16)
                                    int span = in + b + a - e;
                                    int ceilCount = 0;
                                    for (int start = 0; start < span + s && start < in + b; start += s) {
                                        ceilCount++;
                                    }
                                    Windows.Axis c = Windows.resolve(new Violations("t"), "height", in, k, s, d, p,
                                            b, a, true);
                                    assertEquals(ceilCount, c.out(), "ceil " + at);
                                    assertTrue(c.out() >= got.out(), at);
                                }
                                checked++;
                            }
                        }
                    }
                    // SAME and SAME_LOWER: out = ceil(in/s) with the smallest total padding that gives it
                    for (int d = 1; d <= 3; d++) {
                        int e = d * (k - 1) + 1;
                        int out = (in + s - 1) / s;
                        Windows.Axis same = resolve(in, k, s, d, Padding.SAME, false);
                        Windows.Axis lower = resolve(in, k, s, d, Padding.SAME_LOWER, false);
                        int total = same.before() + same.after();
                        String at = "SAME in=" + in + " k=" + k + " s=" + s + " d=" + d;
                        assertEquals(out, same.out(), at);
                        assertEquals((in + total - e) / s + 1, out, at);
                        assertTrue(total == 0 || (in + total - 1 - e) < 0 || (in + total - 1 - e) / s + 1 < out, at);
                        assertTrue(same.after() - same.before() == 0 || same.after() - same.before() == 1, at);
                        assertEquals(new Windows.Axis(same.after(), same.before(), out), lower, at);
                        // FULL: e - 1 both sides
                        Windows.Axis full = resolve(in, k, s, d, Padding.FULL, false);
                        assertEquals(new Windows.Axis(e - 1, e - 1, (in + e - 2) / s + 1), full, at);
                    }
                }
            }
        }
        assertTrue(checked > 1000);
    }
}
