package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import java.util.List;

/**
 * Inception modules (Szegedy et al. 2014): four branches over one input, concatenated on channels —
 * 1×1; 1×1 → 3×3; 1×1 → 5×5; 3×3/1 pool → 1×1 — every convolution with ReLU and SAME padding. A named module
 * names its layers as the Caffe model does: {@code inception_3a_1x1}, {@code _3x3_reduce}, {@code _3x3},
 * {@code _5x5_reduce}, {@code _5x5}, {@code _pool}, {@code _pool_proj}.
 *
 * <pre>{@code
 * Inception.googlenet(64, 96, 128, 16, 32, 32)                  // GoogLeNet 3a: 256 channels out
 * Inception.module(64, 96, 128, 16, 32, 32, PoolingMode.AVERAGE) // the CNN course's drawing (avg-pool branch)
 * }</pre>
 */
public final class Inception {
    private Inception() {
    }

    /** GoogLeNet's module: the pool branch is a 3×3/1 max pool. Widths in Table 1's column order. */
    public static Concat googlenet(int c1x1, int c3x3reduce, int c3x3, int c5x5reduce, int c5x5, int poolProj) {
        return module(c1x1, c3x3reduce, c3x3, c5x5reduce, c5x5, poolProj, PoolingMode.MAX);
    }

    /** A module with the given branch widths and pool type (3×3, stride 1, SAME). */
    public static Concat module(int c1x1, int c3x3reduce, int c3x3, int c5x5reduce, int c5x5, int poolProj,
                                PoolingMode poolType) {
        Pooling2D pool = (poolType == PoolingMode.MAX ? Pooling2D.max(3) : Pooling2D.average(3))
                .stride(1).padding(Padding.SAME);
        return Concat.typed(List.of(
                List.of(conv(c1x1, 1)),
                List.of(conv(c3x3reduce, 1), conv(c3x3, 3)),
                List.of(conv(c5x5reduce, 1), conv(c5x5, 5)),
                List.of(pool, conv(poolProj, 1))), "Inception", "inception",
                List.of(List.of("1x1"), List.of("3x3_reduce", "3x3"), List.of("5x5_reduce", "5x5"),
                        List.of("pool", "pool_proj")));
    }

    private static Conv2D conv(int filters, int k) {
        return Conv2D.of(filters, k).padding(Padding.SAME).activation(Activation.RELU);
    }
}
