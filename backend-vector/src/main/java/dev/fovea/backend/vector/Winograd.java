package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A stride-1 3×3 convolution by Winograd's minimal filtering F(4×4, 3×3): each 4×4 block of outputs ("tile") is
 * computed from the 6×6 input block under it as {@code Y = Aᵀ [U ⊙ V] A}, with {@code U = G g Gᵀ} (the filter,
 * transformed once at plan time, in double) and {@code V = Bᵀ d B} (the input). Summed over input channels, the
 * element-wise products become 36 independent matrix products {@code M_ξ[tile, k] = Σ_c V_ξ[tile, c] · U_ξ[c, k]}
 * — 36 multiply-adds per tile and channel pair where direct convolution needs 144 (2.25× fewer), run by the
 * {@link Gemm} micro-kernels with the 36 positions ξ as groups.
 *
 * <p>A task takes {@link #TARGET_TILES} consecutive tiles of one image (row-major over the tile grid), gathers the
 * input rows under them (zero-padded, channels-last: {@link Gather#paddedRows}), transforms them into
 * {@code [tile][ξ][cPad]}, multiplies, and transforms the products back into output pixels, adding the bias and
 * applying the activation on the way; tiles that overhang the output are computed and their outside pixels
 * dropped; bias and activation follow ({@link Epilogue#apply}). The transforms are vectorized across channels (input)
 * and filters (output).
 *
 * <p>Accuracy: the transforms' coefficients (up to 5 in Bᵀ, 8 in Aᵀ, 1/24 in G) amplify float32 rounding, so the
 * result differs from direct convolution by more than a different summation order would, but stays within the
 * conformance bound for convolution ({@code 1e-5} of the output's sum of absolute terms): measured on random
 * geometries by {@code WinogradTest}, the largest error was 1.5e-6 of that sum (at 512 and 128 bits).
 *
 * <p>Non-finite inputs: the transforms would spread one NaN or infinity to every output of the tiles whose 6×6
 * input block holds it, where direct convolution touches only the outputs whose window reads it. So a pass first
 * scans its input (one read, cheap beside the products) and hands an input holding NaN or ±∞ to direct convolution,
 * keeping the documented IEEE semantics. {@code -Dfovea.vector.winograd=false} turns the algorithm off.
 */
final class Winograd extends ConvGeometry implements Plan, WorkerPool.Body {
    /** {@code -Dfovea.vector.winograd=false} plans every convolution directly ({@link ConvPlan}). */
    private static final boolean ENABLED = BackendOptions.Vector.from(System.getProperties()).winograd();
    /** Fewer channels or filters than this: the transforms cost more than the products save. */
    static final int MIN_CHANNELS = 16;
    /** Tiles per task: GEMM rows, a multiple of {@link Gemm#MR}; a block's transformed input stays in L2. */
    private static final int TARGET_TILES = 24;
    /** Output tile side, input tile side, positions per tile. */
    private static final int M = 4;
    private static final int T = 6;
    private static final int XI = T * T;

    private final WorkerPool pool;
    private final int act;
    private final int cPad;
    private final int tilesW;
    /** Output columns the tiles cover: {@code tilesW · 4}. */
    private final int qPad;
    private final int tilesPerImage;
    private final int tilesPerTask;
    private final int tasksPerImage;
    private final int tasks;
    /** Cells per gathered input row: every tile column's 6 inputs. */
    private final int wpW;
    private final int[] tilePtr;
    /** The filter slices a block of tiles is split into (one unless the filters are large and the tiles few). */
    private final Slice[] slices;
    private final Gemm.Runs runs;

    /**
     * Filters {@code k0 .. k0 + kn}: their transformed filters packed, {@code kPad} the padded width, and their bias
     * padded to it (null for none).
     */
    private record Slice(Gemm.Packed packed, int k0, int kn, int kPad, float[] bias) {
    }
    private final long flops;
    private final ConvolutionDescriptor op;
    private final float[] weights;
    private final float[] rawBias;
    /** Direct convolution for inputs holding NaN or ±∞, built on the first such pass. */
    private volatile ConvPlan direct;

    /**
     * Fewer output tiles per image than this (outputs under about 10×10, e.g. ResNet's last 7×7 stage): a task's
     * GEMM has too few rows to amortize streaming the transformed filters (36·C·K floats, 4× the direct weights),
     * and the tiles overhang the output; direct convolution was faster there (512 channels at 7×7, batch 1 and 8).
     */
    static final int MIN_TILES = 8;

    /** Whether {@code op} (without a fused pooling) is planned with this algorithm. */
    static boolean applies(ConvolutionDescriptor op) {
        int tiles = Math.ceilDiv(op.output().h(), M) * Math.ceilDiv(op.output().w(), M);
        return ENABLED && op.kernelH() == 3 && op.kernelW() == 3
                && op.strideH() == 1 && op.strideW() == 1 && op.dilationH() == 1 && op.dilationW() == 1
                && op.groups() == 1 && op.input().c() >= MIN_CHANNELS && op.filters() >= MIN_CHANNELS
                && tiles >= MIN_TILES;
    }

    /** @param wts weights {@code [K][C][3][3]}; @param b bias (K values) or null */
    Winograd(ConvolutionDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        super(op);
        this.pool = pool;
        this.op = op;
        this.weights = wts;
        this.rawBias = b;
        act = Epilogue.code(op.activation());
        flops = op.flops();
        cPad = ConvPlan.roundUp(c, V);
        int tilesH = Math.ceilDiv(p, M);
        tilesW = Math.ceilDiv(q, M);
        qPad = tilesW * M;
        tilesPerImage = tilesH * tilesW;
        wpW = tilesW * M + 2;

        // At least 4 tasks per thread when the batch allows: halve the tiles per task (in whole 8-row GEMM tiles).
        // Large transformed filters (ResNet's 14×14 stage at batch 1) get those tasks by filter slices instead, as
        // in ConvPlan: each tile task streams all of them (36·C·K floats), a slice task only its own.
        int panelUnits = Math.ceilDiv(k, Gemm.NR);
        boolean sliceable = panelUnits > 1 && (long) XI * c * k >= ConvPlan.SLICE_WEIGHTS;
        long wanted = sliceable && pool.threads() == 1 ? 1 : 4L * pool.threads();
        int per = Math.min(TARGET_TILES, tilesPerImage);
        while (!sliceable && per > Gemm.MR && (long) n * Math.ceilDiv(tilesPerImage, per) < wanted) {
            per = Math.max(Gemm.MR, per - Gemm.MR);
        }
        tilesPerTask = per;
        tasksPerImage = Math.ceilDiv(tilesPerImage, per);
        int tileTasks = n * tasksPerImage;
        int sliceCount = sliceable ? (int) Math.min(panelUnits, Math.max(1, Math.ceilDiv(wanted, tileTasks))) : 1;
        tasks = tileTasks * sliceCount;
        tilePtr = new int[per];
        for (int m = 0; m < per; m++) {
            tilePtr[m] = m * XI * cPad;
        }

        float[] u = filterTransform(wts, c, k);
        int[] rowIndex = Gemm.index(c, ch -> ch * k);
        slices = new Slice[sliceCount];
        for (int i = 0; i < sliceCount; i++) {
            int k0 = (int) ((long) i * panelUnits / sliceCount) * Gemm.NR;
            int k1 = sliceCount == 1 ? k : Math.min(k, (int) ((long) (i + 1) * panelUnits / sliceCount) * Gemm.NR);
            Gemm.Packed packed = new Gemm.Packed(XI, c, k1 - k0, (float[]) null);
            packed.fill(u, c * k, rowIndex, Gemm.index(k1 - k0, f -> k0 + f));
            float[] bias = null;
            if (b != null) {
                bias = new float[packed.kgPad];
                System.arraycopy(b, k0, bias, 0, k1 - k0);
            }
            slices[i] = new Slice(packed, k0, k1 - k0, packed.kgPad, bias);
        }
        int[] off = new int[XI];
        for (int xi = 0; xi < XI; xi++) {
            off[xi] = xi * cPad;
        }
        runs = new Gemm.Runs(XI, off, new int[] {c});
    }

    /** Filter slices a block of tiles is split into. */
    int sliceCount() {
        return slices.length;
    }

    /** Tasks of one pass. */
    int taskCount() {
        return tasks;
    }

    /** {@code U_ξ[c][k]} at {@code [ξ·C·K + c·K + k]}: {@code G g Gᵀ} of every filter, computed in double. */
    static float[] filterTransform(float[] wts, int c, int k) {
        double[][] g = {
                {1 / 4.0, 0, 0},
                {-1 / 6.0, -1 / 6.0, -1 / 6.0},
                {-1 / 6.0, 1 / 6.0, -1 / 6.0},
                {1 / 24.0, 1 / 12.0, 1 / 6.0},
                {1 / 24.0, -1 / 12.0, 1 / 6.0},
                {0, 0, 1}};
        float[] u = new float[XI * c * k];
        // One channel at a time with the filters innermost, so every loop runs over consecutive filters (the JIT
        // vectorizes it; a training step re-plans with new weights). Same operations per value as G·g·Gᵀ.
        double[] tap = new double[9 * k];
        double[] tmp = new double[T * 3 * k];
        for (int ch = 0; ch < c; ch++) {
            for (int f = 0; f < k; f++) {
                int src = (f * c + ch) * 9;
                for (int t = 0; t < 9; t++) {
                    tap[t * k + f] = wts[src + t];
                }
            }
            for (int i = 0; i < T; i++) {
                double g0 = g[i][0];
                double g1 = g[i][1];
                double g2 = g[i][2];
                for (int j = 0; j < 3; j++) {
                    int dst = (i * 3 + j) * k;
                    int a0 = j * k;
                    int a1 = (3 + j) * k;
                    int a2 = (6 + j) * k;
                    for (int f = 0; f < k; f++) {
                        tmp[dst + f] = g0 * tap[a0 + f] + g1 * tap[a1 + f] + g2 * tap[a2 + f];
                    }
                }
            }
            for (int i = 0; i < T; i++) {
                int t0 = (i * 3) * k;
                int t1 = t0 + k;
                int t2 = t1 + k;
                for (int j = 0; j < T; j++) {
                    double g0 = g[j][0];
                    double g1 = g[j][1];
                    double g2 = g[j][2];
                    int dst = ((i * T + j) * c + ch) * k;
                    for (int f = 0; f < k; f++) {
                        u[dst + f] = (float) (tmp[t0 + f] * g0 + tmp[t1 + f] * g1 + tmp[t2 + f] * g2);
                    }
                }
            }
        }
        return u;
    }

    long flops() {
        return flops;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        if (!allFinite(x)) {
            directPlan().execute(x, y);
            return;
        }
        Tensor[] io = {x, y};
        pool.run(tasks, this, io, flops);
    }

    private ConvPlan directPlan() {
        ConvPlan plan = direct;
        if (plan == null) {
            synchronized (this) {
                plan = direct;
                if (plan == null) {
                    plan = new ConvPlan(op, null, weights, rawBias, pool);
                    direct = plan;
                }
            }
        }
        return plan;
    }

    /** Whether every value of {@code x} is finite: {@code v·0} is 0 for finite v and NaN for NaN and ±∞. */
    static boolean allFinite(Tensor x) {
        MemorySegment seg = x.buffer();
        if (x.isContiguous()) {
            long n = x.shape().elementCount();
            long at = x.offset() * Float.BYTES;
            FloatVector acc = FloatVector.zero(F);
            long i = 0;
            for (; i + V <= n; i += V) {
                acc = acc.add(FloatVector.fromMemorySegment(F, seg, at + i * Float.BYTES, ByteOrder.nativeOrder())
                        .mul(0f));
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) {
                sum += seg.getAtIndex(ValueLayout.JAVA_FLOAT, x.offset() + i) * 0f;
            }
            return sum == 0f;
        }
        int[] d = x.shape().dims();
        for (int a = 0; a < d[0]; a++) {
            for (int b = 0; b < d[1]; b++) {
                for (int r = 0; r < d[2]; r++) {
                    for (int col = 0; col < d[3]; col++) {
                        if (!Float.isFinite(x.get(a, b, r, col))) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        Tensor x = io[0];
        Tensor y = io[1];
        Slice slice = slices[task % slices.length];
        task /= slices.length;
        int kPad = slice.kPad();
        int img = task / tasksPerImage;
        int t0 = (task % tasksPerImage) * tilesPerTask;
        int t1 = Math.min(tilesPerImage, t0 + tilesPerTask);
        int count = t1 - t0;
        int ty0 = t0 / tilesW;
        int ty1 = (t1 - 1) / tilesW;
        int gRows = (ty1 - ty0) * M + T;
        int rowLen = wpW * c;
        Scratch scratch = Scratch.get();
        // Slack past the end: the channel loop loads whole vectors from the last cell.
        float[] in = scratch.input(gRows * rowLen + V);
        Gather.paddedRows(x, img, ty0 * M - pt, gRows, h, w, c, pl, wpW, in, 0);

        float[] tmp = scratch.panel(XI * V);
        float[] v = scratch.columns(count * XI * cPad);
        for (int m = 0; m < count; m++) {
            int t = t0 + m;
            int base = ((t / tilesW - ty0) * M * wpW + (t % tilesW) * M) * c;
            inputTransform(in, base, rowLen, v, m * XI * cPad, tmp);
        }
        int ldo = XI * kPad;
        float[] prod = scratch.output(count * ldo);
        Gemm.multiply(slice.packed(), runs, v, tilePtr, count, prod, ldo);

        // Output rows ty0·4 .. ty1·4 + 3, as [row][qPad][kPad]; each task fills only its tiles' pixels.
        int oh0 = ty0 * M;
        float[] res = scratch.pooled((ty1 - ty0 + 1) * M * qPad * kPad);
        for (int m = 0; m < count; m++) {
            int t = t0 + m;
            outputTransform(prod, m * ldo, kPad, res, (t / tilesW) * M, (t % tilesW) * M, oh0, tmp);
        }
        // Over whole rows: the pixels of other tasks' tiles hold stale values and are not stored.
        Epilogue.apply(res, (ty1 - ty0 + 1) * M * qPad, kPad, slice.bias(), act);
        MemorySegment ys = y.buffer();
        for (int ty = ty0; ty <= ty1; ty++) {
            int col0 = (ty == ty0 ? t0 % tilesW : 0) * M;
            int col1 = Math.min(q, ((ty == ty1 ? (t1 - 1) % tilesW : tilesW - 1) + 1) * M);
            for (int a = 0; a < M && ty * M + a < p; a++) {
                int oh = ty * M + a;
                long base = y.offset() + img * y.stride(0) + oh * y.stride(2) + col0 * y.stride(3)
                        + slice.k0() * y.stride(1);
                Epilogue.store(res, ((oh - oh0) * qPad + col0) * kPad, 1, col1 - col0, kPad, 1, slice.kn(), kPad,
                        ys, base, y.stride(2), y.stride(3), y.stride(1));
            }
        }
    }

    /**
     * {@code V = Bᵀ d B} of the 6×6 cells from {@code in[base]} (rows {@code rowLen} apart, {@link #c} channels per
     * cell) into {@code v[dst + ξ·cPad + ch]}; columns first, through {@code tmp} ({@code [i][j][V]}).
     */
    private void inputTransform(float[] in, int base, int rowLen, float[] v, int dst, float[] tmp) {
        for (int ch = 0; ch < c; ch += V) {
            for (int j = 0; j < T; j++) {
                bt(in, base + j * c + ch, rowLen, tmp, j * V, T * V);
            }
            for (int i = 0; i < T; i++) {
                bt(tmp, i * T * V, V, v, dst + i * T * cPad + ch, cPad);
            }
        }
    }

    /**
     * The products {@code M[ξ][kPad]} of one tile from {@code prod[src]} to its output pixels: {@code Aᵀ M A} into
     * {@code res[((oh − oh0)·qPad + ow)·kPad + f]}, the tile's overhang included.
     */
    private void outputTransform(float[] prod, int src, int kPad, float[] res, int oh, int ow, int oh0,
                                 float[] tmp) {
        for (int f = 0; f < kPad; f += V) {
            for (int j = 0; j < T; j++) {
                at(prod, src + j * kPad + f, T * kPad, tmp, j * V, T * V);
            }
            for (int a = 0; a < M; a++) {
                at(tmp, a * T * V, V, res, ((oh + a - oh0) * qPad + ow) * kPad + f, kPad);
            }
        }
    }

    /** Six vectors {@code z_i = s[s0 + i·ss]} to {@code Bᵀ z} at {@code d[d0 + i·ds]}. */
    private static void bt(float[] s, int s0, int ss, float[] d, int d0, int ds) {
        FloatVector z0 = FloatVector.fromArray(F, s, s0);
        FloatVector z1 = FloatVector.fromArray(F, s, s0 + ss);
        FloatVector z2 = FloatVector.fromArray(F, s, s0 + 2 * ss);
        FloatVector z3 = FloatVector.fromArray(F, s, s0 + 3 * ss);
        FloatVector z4 = FloatVector.fromArray(F, s, s0 + 4 * ss);
        FloatVector z5 = FloatVector.fromArray(F, s, s0 + 5 * ss);
        // Rows of Bᵀ: [4 0 −5 0 1 0], [0 −4 −4 1 1 0], [0 4 −4 −1 1 0], [0 −2 −1 2 1 0], [0 2 −1 −2 1 0], [0 4 0 −5 0 1].
        FloatVector z4m4z2 = z2.mul(-4f).add(z4);
        FloatVector z3m4z1 = z1.mul(-4f).add(z3);
        FloatVector z4mz2 = z4.sub(z2);
        FloatVector z3mz1 = z3.sub(z1).mul(2f);
        z0.mul(4f).add(z2.mul(-5f)).add(z4).intoArray(d, d0);
        z4m4z2.add(z3m4z1).intoArray(d, d0 + ds);
        z4m4z2.sub(z3m4z1).intoArray(d, d0 + 2 * ds);
        z4mz2.add(z3mz1).intoArray(d, d0 + 3 * ds);
        z4mz2.sub(z3mz1).intoArray(d, d0 + 4 * ds);
        z1.mul(4f).add(z3.mul(-5f)).add(z5).intoArray(d, d0 + 5 * ds);
    }

    /** Six vectors {@code z_i = s[s0 + i·ss]} to {@code Aᵀ z} (four) at {@code d[d0 + i·ds]}. */
    private static void at(float[] s, int s0, int ss, float[] d, int d0, int ds) {
        FloatVector z0 = FloatVector.fromArray(F, s, s0);
        FloatVector z1 = FloatVector.fromArray(F, s, s0 + ss);
        FloatVector z2 = FloatVector.fromArray(F, s, s0 + 2 * ss);
        FloatVector z3 = FloatVector.fromArray(F, s, s0 + 3 * ss);
        FloatVector z4 = FloatVector.fromArray(F, s, s0 + 4 * ss);
        FloatVector z5 = FloatVector.fromArray(F, s, s0 + 5 * ss);
        // Rows of Aᵀ: [1 1 1 1 1 0], [0 1 −1 2 −2 0], [0 1 1 4 4 0], [0 1 −1 8 −8 1].
        FloatVector s12 = z1.add(z2);
        FloatVector d12 = z1.sub(z2);
        FloatVector s34 = z3.add(z4);
        FloatVector d34 = z3.sub(z4);
        z0.add(s12).add(s34).intoArray(d, d0);
        d12.add(d34.mul(2f)).intoArray(d, d0 + ds);
        s12.add(s34.mul(4f)).intoArray(d, d0 + 2 * ds);
        d12.add(d34.mul(8f)).add(z5).intoArray(d, d0 + 3 * ds);
    }
}
