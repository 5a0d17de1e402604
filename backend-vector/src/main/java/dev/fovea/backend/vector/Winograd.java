package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A stride-1 3×3 convolution by Winograd's minimal filtering F(4×4, 3×3): each 4×4 block of outputs ("tile") is
 * computed from the 6×6 input block under it as {@code Y = Aᵀ [U ⊙ V] A}, with {@code U = G g Gᵀ} (the filter,
 * transformed once at plan time, in double) and {@code V = Bᵀ d B} (the input). Summed over input channels, the
 * element-wise products become 36 independent matrix products {@code M_ξ[tile, k] = Σ_c V_ξ[tile, c] · U_ξ[c, k]}
 * — 36 multiply-adds per tile and channel pair where direct convolution needs 16 · 9 = 144 (4× fewer), run by
 * {@link WinogradGemm}'s 6-row kernels.
 *
 * <p>A task takes up to {@link #BLOCK} consecutive tiles of the batch (image by image, row-major over each image's
 * tile grid, so that small images share a task), gathers the input rows under them (zero-padded, channels-last:
 * {@link Gather#paddedRows}), transforms them into {@code [ξ][tile][cPad]} (each product's rows contiguous),
 * multiplies into {@code [ξ][tile][kPad]}, and transforms the products back into output pixels, adding the bias and
 * clamping (ReLU, ReLU6) in the same loop; tiles wholly inside a dense channels-last output are written there
 * directly, the others (and other activations) go through a 4×4 buffer whose overhang is dropped. The transforms
 * are vectorized across channels (input) and filters (output). With a 2×2, stride-2 pooling after the convolution
 * ({@link #applies(ConvolutionDescriptor, PoolingDescriptor)}), each tile is pooled into its 2×2 pooled pixels
 * before the store.
 *
 * <p>Accuracy: the transforms' coefficients (up to 5 in Bᵀ, 8 in Aᵀ, 1/24 in G) amplify float32 rounding, so the
 * result differs from direct convolution by more than a different summation order would, but stays within the
 * conformance bound for convolution ({@code 1e-5} of the output's sum of absolute terms): measured on random
 * geometries by {@code WinogradTest}, the largest error was 1.6e-6 of that sum (at 512, 256 and 128 bits).
 *
 * <p>Non-finite inputs: the transforms would spread one NaN or infinity to every output of the tiles whose 6×6
 * input block holds it, where direct convolution touches only the outputs whose window reads it. Such a value
 * reaches at least one output of every tile whose block holds it (every row and column of Aᵀ and Bᵀ has a nonzero
 * coefficient), so the output transform also sums its values times zero; a pass where that sum is not zero (NaN or
 * ±∞ in the input, or an overflow) is done again by direct convolution, keeping the documented IEEE semantics.
 * {@code -Dfovea.vector.winograd=false} turns the algorithm off.
 */
final class Winograd extends ConvGeometry implements Plan, WorkerPool.Body {
    /** {@code -Dfovea.vector.winograd=false} plans every convolution directly ({@link ConvPlan}). */
    private static final boolean ENABLED = BackendOptions.Vector.from(System.getProperties()).winograd();
    /** Fewer channels or filters than this: the transforms cost more than the products save. */
    static final int MIN_CHANNELS = 16;
    /**
     * Tiles per task at most: GEMM rows, a multiple of {@link WinogradGemm#ROWS}. A block's transformed inputs and
     * products ({@code 36 · 18 · 64} floats each for 64 channels) stay in L2 beside the transformed filters, and
     * 18 rows of 64 channels put the 36 groups 4.5 KiB apart rather than on multiples of 4 KiB.
     */
    private static final int BLOCK = 18;
    /** Output tile side, input tile side, positions per tile. */
    private static final int M = 4;
    private static final int T = 6;
    private static final int XI = T * T;
    private static final int ROWS = WinogradGemm.ROWS;
    /** Where a task's finite check accumulates in its transform buffer (after the 36 vectors of a tile). */
    private static final int CHECK = XI * Simd.V;

    private final WorkerPool pool;
    private final int act;
    /** The activation applied in the output transform (a clamp), or NONE when a second pass applies it. */
    private final boolean clampInLoop;
    private final float lo;
    private final float hi;
    private final int cPad;
    private final int tilesW;
    private final int tilesPerImage;
    /** Tiles per task: a range of the batch's tiles (image-major, then row-major over each image's grid). */
    private final int tilesPerTask;
    private final int tileTasks;
    private final int tasks;
    /** Cells per gathered input row: every tile column's 6 inputs. */
    private final int wpW;
    /** Floats of gathered input the largest task needs. */
    private final int inSize;
    /** The filter slices a block of tiles is split into (one unless the filters are large and the tiles few). */
    private final Slice[] slices;

    /**
     * Filters {@code k0 .. k0 + kn}: their transformed filters packed as {@code [ξ][panel][c][width]} (panel j of
     * position ξ at {@code off[ξ · panels + j]}, {@code col[j]} its first column, {@code width[j]} 4, 2 or 1
     * vectors), {@code kPad} the padded width, and their bias padded to it (zeros for none).
     */
    private record Slice(float[] u, int[] off, int[] col, int[] width, int k0, int kn, int kPad, float[] bias) {
    }
    private final long flops;
    private final ConvolutionDescriptor op;
    /** The 2×2 pooling done from each tile, or null. */
    private final PoolingDescriptor pooling;
    private final float[] weights;
    private final float[] rawBias;
    /** Direct convolution for inputs holding NaN or ±∞, built on the first such pass. */
    private volatile ConvPlan direct;

    /**
     * Fewer output tiles per image than this (outputs under about 10×10, e.g. ResNet's last 7×7 stage): a task's
     * GEMM has too few rows to amortize streaming the transformed filters (36·C·K floats, 4× the direct weights),
     * and the tiles overhang the output; direct convolution was faster there (512 channels at 7×7, batch 1 and 8).
     * Unless the batch brings {@link #BATCH_TILES} tiles and the transformed filters stay in L2
     * ({@link #CACHED_FILTERS}): MNIST's third layer (64 channels at 5×5, one tile per image, batch 256) ran faster.
     */
    static final int MIN_TILES = 8;
    static final int BATCH_TILES = 4 * BLOCK;
    static final long CACHED_FILTERS = 256 * 1024;

    /**
     * Whether {@code op} followed by {@code pooling} is planned with this algorithm, the pooling done from each
     * tile: 2×2 windows with stride 2 and no padding, every window wholly inside the convolution's output, lie
     * inside one 4×4 tile.
     */
    static boolean applies(ConvolutionDescriptor op, PoolingDescriptor pooling) {
        return applies(op) && !pooling.dilated() && pooling.kernelH() == 2 && pooling.kernelW() == 2
                && pooling.strideH() == 2 && pooling.strideW() == 2
                && pooling.pads().equals(new Pads(0, 0, 0, 0))
                && (pooling.mode() == PoolingMode.MAX || pooling.mode() == PoolingMode.AVERAGE)
                && pooling.output().h() * 2 <= op.output().h() && pooling.output().w() * 2 <= op.output().w();
    }

    /** Whether {@code op} (without a fused pooling) is planned with this algorithm. */
    static boolean applies(ConvolutionDescriptor op) {
        int tiles = Math.ceilDiv(op.output().h(), M) * Math.ceilDiv(op.output().w(), M);
        return ENABLED && op.kernelH() == 3 && op.kernelW() == 3
                && op.strideH() == 1 && op.strideW() == 1 && op.dilationH() == 1 && op.dilationW() == 1
                && op.groups() == 1 && op.input().c() >= MIN_CHANNELS && op.filters() >= MIN_CHANNELS
                && (tiles >= MIN_TILES || (long) op.input().n() * tiles >= BATCH_TILES
                        && (long) XI * op.input().c() * op.filters() <= CACHED_FILTERS);
    }

    /** @param wts weights {@code [K][C][3][3]}; @param b bias (K values) or null */
    Winograd(ConvolutionDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        this(op, null, wts, b, pool);
    }

    /** @param pooling the 2×2 pooling reading this convolution's output ({@link #applies(ConvolutionDescriptor,
     *        PoolingDescriptor)}), done in the same tasks; null for none */
    Winograd(ConvolutionDescriptor op, PoolingDescriptor pooling, float[] wts, float[] b, WorkerPool pool) {
        super(op);
        this.pool = pool;
        this.pooling = pooling;
        this.op = op;
        this.weights = wts;
        this.rawBias = b;
        act = Epilogue.code(op.activation());
        clampInLoop = act == Epilogue.NONE || act == Epilogue.RELU || act == Epilogue.RELU6;
        lo = act == Epilogue.RELU || act == Epilogue.RELU6 ? 0f : Float.NEGATIVE_INFINITY;
        hi = act == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        flops = op.flops();
        cPad = ConvPlan.roundUp(c, V);
        int tilesH = Math.ceilDiv(p, M);
        tilesW = Math.ceilDiv(q, M);
        tilesPerImage = tilesH * tilesW;
        wpW = tilesW * M + 2;

        // At least 4 tasks per thread when the batch allows: fewer tiles per task (in whole kernel rows). Large
        // transformed filters (ResNet's 14×14 stage at batch 1) get those tasks by filter slices instead, as in
        // ConvPlan: each tile task streams all of them (36·C·K floats), a slice task only its own.
        long total = (long) n * tilesPerImage;
        // Slices split the filters in units of 2 vectors.
        int kVec = Math.ceilDiv(k, V);
        int units = Math.ceilDiv(kVec, 2);
        boolean sliceable = units > 1 && (long) XI * c * k >= ConvPlan.SLICE_WEIGHTS;
        long wanted = sliceable && pool.threads() == 1 ? 1 : 4L * pool.threads();
        int per = (int) Math.min(BLOCK, ConvPlan.roundUp((int) Math.min(total, BLOCK), ROWS));
        while (!sliceable && per > ROWS && Math.ceilDiv(total, per) < wanted) {
            per -= ROWS;
        }
        tilesPerTask = per;
        tileTasks = (int) Math.ceilDiv(total, per);
        int sliceCount = sliceable ? (int) Math.min(units, Math.max(1, Math.ceilDiv(wanted, tileTasks))) : 1;
        tasks = tileTasks * sliceCount;

        // Scratch size: the largest task's gathered rows over the images it touches.
        int most = 0;
        for (int t = 0; t < tileTasks; t++) {
            int in = 0;
            long t0 = (long) t * per;
            long t1 = Math.min(total, t0 + per);
            for (long img = t0 / tilesPerImage; img * tilesPerImage < t1; img++) {
                int s0 = (int) (Math.max(t0, img * tilesPerImage) - img * tilesPerImage);
                int s1 = (int) (Math.min(t1, (img + 1) * tilesPerImage) - img * tilesPerImage);
                int tileRows = (s1 - 1) / tilesW - s0 / tilesW;
                in += (tileRows * M + T) * wpW * c;
            }
            most = Math.max(most, in);
        }
        inSize = most;

        float[] u = filterTransform(wts, c, k);
        slices = new Slice[sliceCount];
        for (int i = 0; i < sliceCount; i++) {
            int v0 = (int) ((long) i * units / sliceCount) * 2;
            int v1 = Math.min(kVec, (int) ((long) (i + 1) * units / sliceCount) * 2);
            int k0 = v0 * V;
            int kn = Math.min(k, v1 * V) - k0;
            // Panels of 4 vectors; a remainder of 3 vectors is padded to 4, one of 1 or 2 gets its own kernel.
            int vecs = v1 - v0;
            int np = vecs / 4 + (vecs % 4 == 0 ? 0 : 1);
            int[] col = new int[np];
            int[] width = new int[np];
            int[] off = new int[XI * np];
            int kPad = 0;
            for (int j = 0; j < np; j++) {
                int left = vecs - j * 4;
                col[j] = kPad;
                width[j] = (left >= 3 ? 4 : left) * V;
                kPad += width[j];
            }
            float[] packed = new float[XI * c * kPad];
            int at = 0;
            for (int xi = 0; xi < XI; xi++) {
                for (int j = 0; j < np; j++) {
                    off[xi * np + j] = at;
                    for (int ch = 0; ch < c; ch++) {
                        for (int f = 0; f < width[j]; f++) {
                            int kk = k0 + col[j] + f;
                            packed[at++] = kk < k ? u[(xi * c + ch) * k + kk] : 0f;
                        }
                    }
                }
            }
            float[] bias = new float[kPad];
            if (b != null) {
                System.arraycopy(b, k0, bias, 0, kn);
            }
            slices[i] = new Slice(packed, off, col, width, k0, kn, kPad, bias);
        }
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

    /** One pass: its tensors, and whether a task found NaN or ±∞ in the input. */
    private static final class Pass {
        final Tensor x;
        final Tensor y;
        volatile boolean nonFinite;

        Pass(Tensor x, Tensor y) {
            this.x = x;
            this.y = y;
        }
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Pass pass = new Pass(x, y);
        pool.run(tasks, this, pass, flops);
        if (pass.nonFinite) {
            // Every task reads part of the input; the direct convolution overwrites whatever the others wrote.
            directPlan().execute(x, y);
        }
    }

    private ConvPlan directPlan() {
        ConvPlan plan = direct;
        if (plan == null) {
            synchronized (this) {
                plan = direct;
                if (plan == null) {
                    plan = new ConvPlan(op, pooling, weights, rawBias, pool);
                    direct = plan;
                }
            }
        }
        return plan;
    }

    /** Whether {@code a[from .. to)} are all finite: {@code v·0} is 0 for finite v and NaN for NaN and ±∞. */
    static boolean allFinite(float[] a, int from, int to) {
        FloatVector acc = FloatVector.zero(F);
        int i = from;
        for (; i + V <= to; i += V) {
            acc = acc.add(FloatVector.fromArray(F, a, i).mul(0f));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            sum += a[i] * 0f;
        }
        return sum == 0f;
    }

    @Override
    public void run(int task, Object ctx) {
        Pass pass = (Pass) ctx;
        if (pass.nonFinite) {
            return;
        }
        Tensor x = pass.x;
        Tensor y = pass.y;
        Slice slice = slices[task % slices.length];
        task /= slices.length;
        int kPad = slice.kPad();
        long total = (long) n * tilesPerImage;
        long t0 = (long) task * tilesPerTask;
        long t1 = Math.min(total, t0 + tilesPerTask);
        int count = (int) (t1 - t0);
        int rowLen = wpW * c;
        Scratch scratch = Scratch.get();
        // Slack past the end: the channel loop loads whole vectors from the last cell.
        float[] in = scratch.input(inSize + V);
        int vXi = tilesPerTask * cPad;
        float[] v = scratch.columns(XI * vXi);
        float[] tmp = scratch.panel(CHECK + V);

        // Gather and transform the input under the task's tiles, image by image.
        int at = 0;
        int m = 0;
        for (long img = t0 / tilesPerImage; img * tilesPerImage < t1; img++) {
            int s0 = (int) (Math.max(t0, img * tilesPerImage) - img * tilesPerImage);
            int s1 = (int) (Math.min(t1, (img + 1) * tilesPerImage) - img * tilesPerImage);
            int ty0 = s0 / tilesW;
            int gRows = ((s1 - 1) / tilesW - ty0) * M + T;
            Gather.paddedRows(x, (int) img, ty0 * M - pt, gRows, h, w, c, pl, wpW, in, at);
            for (int t = s0; t < s1; t++, m++) {
                int base = at + ((t / tilesW - ty0) * M * wpW + (t % tilesW) * M) * c;
                inputTransform(in, base, rowLen, v, m * cPad, vXi, tmp);
            }
            at += gRows * rowLen;
        }

        // 36 products [rows × C]·[C × kPad], rows rounded up to whole kernel calls (the extra rows are not read).
        int pXi = tilesPerTask * kPad;
        float[] prod = scratch.output(XI * pXi);
        int rows = ConvPlan.roundUp(count, ROWS);
        int np = slice.col().length;
        float[] u = slice.u();
        for (int xi = 0; xi < XI; xi++) {
            for (int j = 0; j < np; j++) {
                int width = slice.width()[j];
                int bOff = slice.off()[xi * np + j];
                for (int r0 = 0; r0 < rows; r0 += ROWS) {
                    WinogradGemm.kernel(width, v, xi * vXi + r0 * cPad, cPad, c, u, bOff, prod,
                            xi * pXi + r0 * kPad + slice.col()[j], kPad);
                }
            }
        }

        // Back to pixels with bias and activation; tiles wholly inside a dense channels-last output are written in
        // place, the others through a 4×4 buffer that is stored without their overhang.
        float[] res = scratch.pooled(M * M * kPad + 4 * kPad);
        int pooled = M * M * kPad;
        java.util.Arrays.fill(tmp, CHECK, CHECK + V, 0f);
        MemorySegment ys = y.buffer();
        boolean inPlace = clampInLoop && pooling == null && y.stride(1) == 1 && slice.kn() == kPad;
        m = 0;
        for (long img = t0 / tilesPerImage; img * tilesPerImage < t1; img++) {
            int s0 = (int) (Math.max(t0, img * tilesPerImage) - img * tilesPerImage);
            int s1 = (int) (Math.min(t1, (img + 1) * tilesPerImage) - img * tilesPerImage);
            for (int t = s0; t < s1; t++, m++) {
                int oh = (t / tilesW) * M;
                int ow = (t % tilesW) * M;
                if (pooling != null) {
                    outputTransform(prod, m * kPad, pXi, kPad, slice.bias(), res, null, 0, M * kPad, kPad, tmp);
                    if (!clampInLoop) {
                        Epilogue.apply(res, M * M, kPad, null, act);
                    }
                    poolTile(res, kPad, pooled, img, oh / 2, ow / 2, slice, y, ys);
                    continue;
                }
                long base = y.offset() + img * y.stride(0) + oh * y.stride(2) + ow * y.stride(3)
                        + slice.k0() * y.stride(1);
                if (inPlace && oh + M <= p && ow + M <= q) {
                    outputTransform(prod, m * kPad, pXi, kPad, slice.bias(), null, ys, base, y.stride(2), y.stride(3),
                            tmp);
                    continue;
                }
                outputTransform(prod, m * kPad, pXi, kPad, slice.bias(), res, null, 0, M * kPad, kPad, tmp);
                if (!clampInLoop) {
                    Epilogue.apply(res, M * M, kPad, null, act);
                }
                for (int a = 0; a < M && oh + a < p; a++) {
                    Epilogue.store(res, a * M * kPad, 1, Math.min(M, q - ow), kPad, 1, slice.kn(), kPad, ys,
                            base + a * y.stride(2), y.stride(2), y.stride(3), y.stride(1));
                }
            }
        }
        if (!allFinite(tmp, CHECK, CHECK + V)) {
            pass.nonFinite = true;
        }
    }

    /**
     * The 2×2 pooling of a finished 4×4 tile in {@code res} into its 2×2 pooled pixels (at {@code res[at ..]}),
     * pooled row {@code ph} and column {@code pw} first, and the store of those inside the pooled output. The
     * values are finite here (a pass that met NaN or ±∞ is redone directly), so a plain max is the max.
     */
    private void poolTile(float[] res, int kPad, int at, long img, int ph, int pw, Slice slice, Tensor y,
                          MemorySegment ys) {
        boolean max = pooling.mode() == PoolingMode.MAX;
        int rowLen = M * kPad;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                int src = (2 * i * M + 2 * j) * kPad;
                int dst = at + (i * 2 + j) * kPad;
                for (int f = 0; f < kPad; f += V) {
                    FloatVector t00 = FloatVector.fromArray(F, res, src + f);
                    FloatVector t01 = FloatVector.fromArray(F, res, src + kPad + f);
                    FloatVector t10 = FloatVector.fromArray(F, res, src + rowLen + f);
                    FloatVector t11 = FloatVector.fromArray(F, res, src + rowLen + kPad + f);
                    // The same additions in the same order as the pooling on its own (Pooling.fromTile).
                    FloatVector r = max ? t00.max(t01).max(t10).max(t11) : t00.add(t01).add(t10).add(t11).mul(0.25f);
                    r.intoArray(res, dst + f);
                }
            }
        }
        int rows = Math.min(2, pooling.output().h() - ph);
        int cols = Math.min(2, pooling.output().w() - pw);
        for (int i = 0; i < rows; i++) {
            if (cols <= 0) {
                break;
            }
            long base = y.offset() + img * y.stride(0) + (ph + i) * y.stride(2) + pw * y.stride(3)
                    + slice.k0() * y.stride(1);
            Epilogue.store(res, at + i * 2 * kPad, 1, cols, kPad, 1, slice.kn(), kPad, ys, base, y.stride(2),
                    y.stride(3), y.stride(1));
        }
    }

    /**
     * {@code V = Bᵀ d B} of the 6×6 cells from {@code in[base]} (rows {@code rowLen} apart, {@link #c} channels per
     * cell) into {@code v[dst + ξ·vXi + ch]}; columns first, through {@code tmp} ({@code [i][j][V]}).
     */
    private void inputTransform(float[] in, int base, int rowLen, float[] v, int dst, int vXi, float[] tmp) {
        for (int ch = 0; ch < c; ch += V) {
            for (int j = 0; j < T; j++) {
                bt(in, base + j * c + ch, rowLen, tmp, j * V, T * V);
            }
            for (int i = 0; i < T; i++) {
                bt(tmp, i * T * V, V, v, dst + i * T * vXi + ch, vXi);
            }
        }
    }

    /**
     * The products of one tile, {@code prod[src + ξ·pXi + f]}, to its 4×4 output pixels: {@code Aᵀ M A} plus the
     * bias, clamped when the activation is one, into {@code res[dst + a·rs + b·cs + f]} or, when {@code res} is null,
     * into the floats {@code ys[dst + a·rs + b·cs + f]}. {@code tmp[CHECK ..]} ({@link Simd#V} floats) gains the
     * unclamped values times zero: NaN from then on if any was NaN or ±∞.
     */
    private void outputTransform(float[] prod, int src, int pXi, int kPad, float[] bias, float[] res, MemorySegment ys,
                                 long dst, long rs, long cs, float[] tmp) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc = FloatVector.fromArray(F, tmp, CHECK);
        for (int f = 0; f < kPad; f += V) {
            for (int j = 0; j < T; j++) {
                at(prod, src + j * pXi + f, T * pXi, tmp, j * V, T * V);
            }
            FloatVector bv = FloatVector.fromArray(F, bias, f);
            for (int a = 0; a < M; a++) {
                int s0 = a * T * V;
                FloatVector z0 = FloatVector.fromArray(F, tmp, s0);
                FloatVector z1 = FloatVector.fromArray(F, tmp, s0 + V);
                FloatVector z2 = FloatVector.fromArray(F, tmp, s0 + 2 * V);
                FloatVector z3 = FloatVector.fromArray(F, tmp, s0 + 3 * V);
                FloatVector z4 = FloatVector.fromArray(F, tmp, s0 + 4 * V);
                FloatVector z5 = FloatVector.fromArray(F, tmp, s0 + 5 * V);
                FloatVector s12 = z1.add(z2);
                FloatVector d12 = z1.sub(z2);
                FloatVector s34 = z3.add(z4);
                FloatVector d34 = z3.sub(z4);
                FloatVector y0 = z0.add(s12).add(s34).add(bv);
                FloatVector y1 = d12.add(d34.mul(2f)).add(bv);
                FloatVector y2 = s12.add(s34.mul(4f)).add(bv);
                FloatVector y3 = d12.add(d34.mul(8f)).add(z5).add(bv);
                acc = y0.fma(zero, acc).add(y1.fma(zero, y2.mul(zero))).add(y3.mul(zero));
                // Clamped as Epilogue.clamp does, written out: a call here was not inlined and boxed the vectors.
                y0 = y0.blend(lo, y0.compare(LE, lo));
                y1 = y1.blend(lo, y1.compare(LE, lo));
                y2 = y2.blend(lo, y2.compare(LE, lo));
                y3 = y3.blend(lo, y3.compare(LE, lo));
                y0 = y0.blend(hi, y0.compare(GE, hi));
                y1 = y1.blend(hi, y1.compare(GE, hi));
                y2 = y2.blend(hi, y2.compare(GE, hi));
                y3 = y3.blend(hi, y3.compare(GE, hi));
                long o = dst + a * rs + f;
                if (res != null) {
                    int i = (int) o;
                    y0.intoArray(res, i);
                    y1.intoArray(res, i + (int) cs);
                    y2.intoArray(res, i + 2 * (int) cs);
                    y3.intoArray(res, i + 3 * (int) cs);
                } else {
                    y0.intoMemorySegment(ys, o * 4, Epilogue.ORDER);
                    y1.intoMemorySegment(ys, (o + cs) * 4, Epilogue.ORDER);
                    y2.intoMemorySegment(ys, (o + 2 * cs) * 4, Epilogue.ORDER);
                    y3.intoMemorySegment(ys, (o + 3 * cs) * 4, Epilogue.ORDER);
                }
            }
        }
        acc.intoArray(tmp, CHECK);
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
