package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.op.Activation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The activation and LRN descriptors the backend builds, read back from the real libcudnn through the
 * {@code cudnnGet...Descriptor} calls (host-only; no GPU needed).
 */
class ActivationAndLrnDescriptorTest {
    @BeforeEach
    void load() {
        NativeLibs.load();
    }

    private record Read(int mode, int nan, double coef) {
    }

    private static Read read(Activation a) {
        try (Descriptors d = new Descriptors(); Arena arena = Arena.ofConfined()) {
            MemorySegment desc = d.activation(a);
            MemorySegment mode = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment nan = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment coef = arena.allocate(ValueLayout.JAVA_DOUBLE);
            Native.check(Cudnn.cudnnGetActivationDescriptor(desc, mode, nan, coef), "cudnnGetActivationDescriptor");
            return new Read(mode.get(ValueLayout.JAVA_INT, 0), nan.get(ValueLayout.JAVA_INT, 0),
                    coef.get(ValueLayout.JAVA_DOUBLE, 0));
        }
    }

    /** The fused bias + ReLU call reads coef as the ReLU's upper bound: it must not be 0 (which clips to 0). */
    @Test
    void reluCoefIsTheLargestDoubleAsTheFusedCallRequires() {
        Read r = read(Activation.RELU);
        assertEquals(Cudnn.CUDNN_ACTIVATION_RELU, r.mode());
        assertEquals(Double.MAX_VALUE, r.coef());
        assertEquals(Cudnn.CUDNN_PROPAGATE_NAN, r.nan(), "Fovea's ReLU keeps NaN");
    }

    @Test
    void relu6IsClippedReluAtSixAndSiluIsSwish() {
        Read r6 = read(Activation.RELU6);
        assertEquals(Cudnn.CUDNN_ACTIVATION_CLIPPED_RELU, r6.mode());
        assertEquals(6.0, r6.coef());
        assertEquals(Cudnn.CUDNN_ACTIVATION_SWISH, read(Activation.SILU).mode());
        assertEquals(Cudnn.CUDNN_ACTIVATION_SIGMOID, read(Activation.SIGMOID).mode());
        assertEquals(Cudnn.CUDNN_ACTIVATION_TANH, read(Activation.TANH).mode());
    }

    @Test
    void lrnDescriptorKeepsTheWindowAndConstants() {
        try (Descriptors d = new Descriptors(); Arena arena = Arena.ofConfined()) {
            MemorySegment desc = d.lrn(5, 1e-4, 0.75, 2.0);
            MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment alpha = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment beta = arena.allocate(ValueLayout.JAVA_DOUBLE);
            MemorySegment k = arena.allocate(ValueLayout.JAVA_DOUBLE);
            Native.check(Cudnn.cudnnGetLRNDescriptor(desc, n, alpha, beta, k), "cudnnGetLRNDescriptor");
            assertEquals(5, n.get(ValueLayout.JAVA_INT, 0));
            assertEquals(1e-4, alpha.get(ValueLayout.JAVA_DOUBLE, 0), 1e-12);
            assertEquals(0.75, beta.get(ValueLayout.JAVA_DOUBLE, 0), 1e-12);
            assertEquals(2.0, k.get(ValueLayout.JAVA_DOUBLE, 0), 1e-12);
        }
    }
}
