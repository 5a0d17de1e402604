package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.Windows.Taps;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A planned convolution: implicit GEMM over NHWC rows.
 *
 * <p>One task computes a block of output rows of one image. It gathers the input rows the block needs into a
 * per-thread buffer, zero-padded and channels-last ({@code [row][W + padL + padR][C]}, whatever the tensor's
 * layout), so the kernels never test borders. Output pixel (p, q) then reads tap (r, s) at
 * {@code rowPtr + (r·dH·Wp + s·dW)·C}. Three ways to multiply:
 * <ul>
 *   <li>implicit: the micro-kernel reads the gathered rows through per-pixel pointers; with one group and no
 *       horizontal dilation a kernel row (s, c) is one contiguous run of S·C values;</li>
 *   <li>im2col: when runs would be short (few channels per group, e.g. the first layer of a CNN), the block's
 *       patches are first copied into rows of {@code R·S·C/groups} values;</li>
 *   <li>depthwise (one input and one output channel per group): {@link Depthwise}, vectorized across channels.</li>
 * </ul>
 * A 9-element reduction (3×3 on one channel) whose filters fill one {@link Gemm#NR}-wide panel takes
 * {@link Gemm#smallDepth}, weight-stationary: the panel stays in registers across all output pixels.
 * Weights are packed at plan time ({@link Gemm.Packed}); bias and activation are fused into the store.
 *
 * <p>Filter slices: when the packed weights are large and the batch's output pixels few (ResNet's 7×7 and 14×14
 * stages at batch 1), tasks split the filters instead of the pixels. Every pixel task streams all the weights
 * (9.4 MB for 512 channels, 3×3), so four tasks over 49 pixels read them four times; a task of one filter slice
 * reads only its slice and re-gathers the few input rows instead, and with one worker one task reads them once.
 * Under a pooling, each slice pools its own channels.
 *
 * <p>With a pooling stage (a convolution planned with the pooling that reads its output), a task computes the
 * convolution rows under a block of pooled rows and pools them from the tile ({@link Pooling#fromTile}), so
 * the convolution's output never reaches memory: MNIST's first activation is 22 MB written and read back.
 */
final class ConvPlan extends ConvGeometry implements Plan, WorkerPool.Body {
    private enum Mode { IMPLICIT, IM2COL, DEPTHWISE }

    /** Output pixels a task aims at: enough to amortize the gather, few enough for its tile to stay in L2. */
    private static final int TARGET_PIXELS = 256;
    /**
     * Packed weights of at least this many floats (512 KB, beyond a core's share of L2) are worth slicing by filter
     * when there are too few pixel tasks to keep the workers busy.
     */
    static final long SLICE_WEIGHTS = 128 * 1024;
    /** Runs shorter than this are gathered into im2col rows first. */
    private static final int IM2COL_BELOW = BackendOptions.Vector.from(System.getProperties()).im2colBelow();

    private final WorkerPool pool;
    private final int act;
    private final Mode mode;
    /** The pooling that reads the convolution's output, or null; its geometry below (identity when null). */
    private final PoolingDescriptor pooling;
    private final int poolStrideH;
    /** The pooling's windows over the convolution's rows and columns (one row or column each when null). */
    private final Taps poolRows;
    private final Taps poolCols;
    /** Rows and columns of what a task stores: the pooling's output, or the convolution's. */
    private final int outP;
    private final int outQ;
    /** Output rows per task. */
    private final int rowsPerTask;
    private final int tasksPerImage;
    private final int tasks;
    /** Whole images per task (1 unless an image has fewer output pixels than a task aims at). */
    private final int imagesPerTask;
    /** Floats of gathered input per image of a task. */
    private final int imageStride;
    /** Convolution rows of the largest task (per image). */
    private final int convRows;
    /** Pixel pointers of a full task into the gathered rows. */
    private final int[] rowPtr;
    /** Pixel pointers into the im2col rows (IM2COL of several groups only). */
    private final int[] colPtr;
    /**
     * Offset of reduction element {@code (r, s, c)} from a pixel's pointer into the gathered rows (IM2COL of one
     * group: its patches are packed straight into {@link Gemm#packA}'s tiles), or null.
     */
    private final int[] tapOff;
    private final int colStride;
    /** The filter slices (one unless sliced): what a task multiplies, as packed weights and output columns. */
    private final Slice[] slices;
    private final Gemm.Runs runs;
    /** Offsets of a 9-element reduction run by {@link Gemm#smallDepth}, or null. */
    private final int[] smallOff;
    /** Whether the 9-element reduction pools in registers ({@link SmallDepthPool}: a 2×2, stride-2 max). */
    private final boolean smallPool;
    /** Its bias: {@link Gemm#NR} floats, zeros without one. */
    private final float[] smallBias;
    /** Depthwise weights {@code [r·S + s][cPad]}. */
    private final float[] dwWeights;
    private final int[] dwOff;
    /** Output tile groups as stored (1 when sliced). */
    private final int outGroups;
    private final long flops;

    /**
     * Filters {@code k0 .. k0 + kg} (all of them when unsliced): their packed weights (null for depthwise), the
     * output tile's row stride {@code ldo} (= groups · kgPad) and the bias per tile column (null for none).
     */
    private record Slice(Gemm.Packed packed, int k0, int kg, int kgPad, int ldo, float[] bias) {
    }

    /** @param pooling the pooling reading this convolution's output, run in the same tasks; null for none */
    ConvPlan(ConvolutionDescriptor op, PoolingDescriptor pooling, float[] wts, float[] b, WorkerPool pool) {
        super(op);
        this.pool = pool;
        this.pooling = pooling;
        act = Epilogue.code(op.activation());
        flops = op.flops();

        if (cg == 1 && kg == 1) {
            mode = Mode.DEPTHWISE;
        } else {
            int runLength = groups == 1 && dw == 1 ? s * c : cg;
            mode = runLength < IM2COL_BELOW && r * s * cg > runLength ? Mode.IM2COL : Mode.IMPLICIT;
        }

        poolStrideH = pooling == null ? 1 : pooling.strideH();
        poolRows = pooling == null ? Taps.of(p, p, 1, 1, 1, 0, 0) : pooling.rowTaps();
        poolCols = pooling == null ? Taps.of(q, q, 1, 1, 1, 0, 0) : pooling.colTaps();
        outP = pooling == null ? p : pooling.output().h();
        outQ = pooling == null ? q : pooling.output().w();

        // Task size: about TARGET_PIXELS convolution pixels, but at least 4 tasks per thread when the batch allows;
        // large weights get those tasks by filter slices instead (one task in all with one worker).
        int panelUnits = Math.ceilDiv(k, Gemm.NR);
        // A pooling does not stop it: each slice pools its own channels (a classifier convolution under a global
        // average pooling is one pixel task at batch 1, and was one thread's work).
        boolean sliceable = mode != Mode.DEPTHWISE && groups == 1 && panelUnits > 1
                && (long) depth * k >= SLICE_WEIGHTS;
        long wanted = sliceable && pool.threads() == 1 ? 1 : 4L * pool.threads();
        int rows = Math.max(1, Math.min(outP, (TARGET_PIXELS + q * poolStrideH - 1) / (q * poolStrideH)));
        while (!sliceable && rows > 1 && (long) n * Math.ceilDiv(outP, rows) < wanted) {
            rows = (rows + 1) / 2;
        }
        rowsPerTask = rows;
        tasksPerImage = Math.ceilDiv(outP, rows);
        int most = 0;
        for (int t = 0; t < tasksPerImage; t++) {
            int o0 = t * rows;
            most = Math.max(most, convEnd(Math.min(outP, o0 + rows)) - convStart(o0));
        }
        convRows = most;
        // Small images (late layers, MNIST): several whole images per task, so that tiles stay full.
        int images = 1;
        if (rows == outP) {
            images = Math.max(1, Math.min(n, TARGET_PIXELS / (convRows * q)));
            while (!sliceable && images > 1 && Math.ceilDiv(n, images) < wanted) {
                images = (images + 1) / 2;
            }
        }
        imagesPerTask = images;
        int pixelTasks = Math.ceilDiv(n, images) * tasksPerImage;
        int sliceCount = sliceable ? (int) Math.min(panelUnits, Math.max(1, Math.ceilDiv(wanted, pixelTasks))) : 1;
        tasks = pixelTasks * sliceCount;
        imageStride = ((convRows - 1) * sh + (r - 1) * dh + 1) * wp * c;
        int pixels = images * convRows * q;
        rowPtr = new int[pixels + Gemm.PACK_SLACK];
        for (int m = 0; m < pixels; m++) {
            int i = m % (convRows * q);
            rowPtr[m] = (m / (convRows * q)) * imageStride + ((i / q) * sh * wp + (i % q) * sw) * c;
        }

        if (mode == Mode.DEPTHWISE) {
            int cPad = roundUp(c, V);
            dwWeights = new float[r * s * cPad];
            dwOff = new int[r * s];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < s; j++) {
                    int t = i * s + j;
                    dwOff[t] = (i * dh * wp + j * dw) * c;
                    for (int ch = 0; ch < c; ch++) {
                        dwWeights[t * cPad + ch] = wts[ch * r * s + t];
                    }
                }
            }
            runs = null;
            smallOff = null;
            smallPool = false;
            smallBias = null;
            colPtr = null;
            tapOff = null;
            colStride = 0;
            outGroups = 1;
            slices = new Slice[] {new Slice(null, 0, k, cPad, cPad, tileBias(b, 0, k, 1, k, cPad))};
        } else {
            dwWeights = null;
            dwOff = null;
            // Reduction order within a group is (r, s, c) in every mode; a slice packs its filters' columns.
            int[] rowIndex = Gemm.index(depth, kk -> kk % cg * r * s + kk / cg);
            slices = new Slice[sliceCount];
            for (int i = 0; i < sliceCount; i++) {
                int k0 = (int) ((long) i * panelUnits / sliceCount) * Gemm.NR;
                int k1 = (int) ((long) (i + 1) * panelUnits / sliceCount) * Gemm.NR;
                int kn = sliceCount == 1 ? kg : Math.min(k, k1) - k0;
                Gemm.Packed packed = new Gemm.Packed(groups, depth, kn, (float[]) null);
                packed.fill(wts, kg * depth, rowIndex, Gemm.index(kn, kl -> (k0 + kl) * depth));
                int ldoSlice = groups * packed.kgPad;
                slices[i] = new Slice(packed, k0, kn, packed.kgPad, ldoSlice,
                        tileBias(b, k0, kn, groups, kg, packed.kgPad));
            }
            Gemm.Packed packed = slices[0].packed();
            tapOff = mode == Mode.IM2COL && groups == 1
                    ? Gemm.index(depth, kk -> ((kk / cg / s) * dh * wp + (kk / cg % s) * dw) * c + kk % cg) : null;
            if (mode == Mode.IM2COL) {
                colStride = groups * depth;
                colPtr = new int[pixels + Gemm.MR];
                for (int m = 0; m < pixels; m++) {
                    colPtr[m] = m * colStride;
                }
                int[] off = new int[groups];
                for (int g = 0; g < groups; g++) {
                    off[g] = g * depth;
                }
                runs = new Gemm.Runs(groups, off, new int[] {depth});
            } else {
                colPtr = null;
                colStride = 0;
                boolean merged = groups == 1 && dw == 1;
                int count = merged ? r : r * s;
                int[] off = new int[groups * count];
                int[] len = new int[count];
                for (int g = 0; g < groups; g++) {
                    for (int t = 0; t < count; t++) {
                        int i = merged ? t : t / s;
                        int j = merged ? 0 : t % s;
                        off[g * count + t] = (i * dh * wp + j * dw) * c + g * cg;
                        len[t] = merged ? s * c : cg;
                    }
                }
                runs = new Gemm.Runs(groups, off, len);
            }
            if (mode == Mode.IMPLICIT && groups == 1 && depth == Gemm.SMALL_DEPTH && sliceCount == 1
                    && packed.panels() == 1 && packed.panelWidth[0] == Gemm.NR) {
                smallOff = new int[depth];
                int d = 0;
                for (int t = 0; t < runs.perGroup; t++) {
                    for (int i = 0; i < runs.len[t]; i++) {
                        smallOff[d++] = runs.off[t] + i;
                    }
                }
            } else {
                smallOff = null;
            }
            smallPool = smallOff != null && pooling != null && pooling.mode() == PoolingMode.MAX
                    && (act == Epilogue.NONE || act == Epilogue.RELU || act == Epilogue.RELU6)
                    && !pooling.dilated() && pooling.kernelH() == 2 && pooling.kernelW() == 2
                    && pooling.strideH() == 2 && pooling.strideW() == 2 && pooling.pads().top() == 0
                    && pooling.pads().left() == 0 && outP * 2 <= p && outQ * 2 <= q;
            smallBias = new float[Gemm.NR];
            if (b != null && smallPool) {
                System.arraycopy(b, 0, smallBias, 0, k);
            }
            outGroups = groups;
        }
    }

    /**
     * The bias of filters {@code k0 .. k0 + kn} laid out as the output tile's columns ({@code groups} groups of
     * {@code kg} filters, each padded to {@code kgPad}), or null without a bias.
     */
    private static float[] tileBias(float[] b, int k0, int kn, int groups, int kg, int kgPad) {
        if (b == null) {
            return null;
        }
        float[] tile = new float[groups * kgPad];
        int perGroup = groups == 1 ? kn : kg;
        for (int ch = 0; ch < (groups == 1 ? kn : groups * kg); ch++) {
            tile[(ch / perGroup) * kgPad + ch % perGroup] = b[k0 + ch];
        }
        return tile;
    }

    long flops() {
        return flops;
    }

    /** Filter slices a pixel block is split into (1 unless the weights are large and the pixels few). */
    int sliceCount() {
        return slices.length;
    }

    /** Whether the pooling is done in registers ({@link SmallDepthPool}). */
    boolean poolsInRegisters() {
        return smallPool;
    }

    /** Tasks of one pass. */
    int taskCount() {
        return tasks;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Tensor[] io = {x, y};
        pool.run(tasks, this, io, flops);
    }

    /** First convolution row that output rows from {@code o0} need. */
    private int convStart(int o0) {
        return poolRows.start(o0);
    }

    /** One past the last convolution row that output rows before {@code o1} need. */
    private int convEnd(int o1) {
        return poolRows.end(o1 - 1);
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        Tensor x = io[0];
        Tensor y = io[1];
        Slice slice = slices[task % slices.length];
        task /= slices.length;
        Gemm.Packed packed = slice.packed();
        int ldo = slice.ldo();
        float[] bias = slice.bias();
        int img0 = (task / tasksPerImage) * imagesPerTask;
        int images = Math.min(imagesPerTask, y.shape().n() - img0);
        int o0 = (task % tasksPerImage) * rowsPerTask;
        int o1 = Math.min(outP, o0 + rowsPerTask);
        int p0 = convStart(o0);
        int rows = convEnd(o1) - p0;
        int perImage = rows * q;
        int pixels = images * perImage;
        int gRows = (rows - 1) * sh + (r - 1) * dh + 1;
        Scratch scratch = Scratch.get();
        // Slack past the end: depthwise loads whole vectors from the last pixel.
        float[] in = scratch.input(imagesPerTask * imageStride + V);
        for (int i = 0; i < images; i++) {
            Gather.paddedRows(x, img0 + i, p0 * sh - pt, gRows, h, w, c, pl, wp, in, i * imageStride);
        }
        float[] out = scratch.output(pixels * ldo + Gemm.MR * ldo);
        int outPerImage = (o1 - o0) * outQ * ldo;
        if (smallPool) {
            // Pooled in registers, then the bias and the clamp, which commute with the max.
            float[] result = scratch.pooled(images * outPerImage);
            SmallDepthPool.maxPool(packed, smallOff, in, rowPtr, images, perImage, q, 2 * o0 - p0, o1 - o0, outQ,
                    smallBias, act == Epilogue.NONE ? Float.NEGATIVE_INFINITY : 0f,
                    act == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY, result, ldo);
            store(y, slice, result, img0, images, o0, o1, outPerImage, ldo);
            return;
        }
        switch (mode) {
            case IMPLICIT -> {
                if (smallOff != null) {
                    Gemm.smallDepth(packed, smallOff, in, rowPtr, pixels, out, ldo);
                } else {
                    Gemm.multiply(packed, runs, in, rowPtr, pixels, out, ldo);
                }
            }
            case IM2COL -> {
                if (tapOff != null) {
                    float[] tiles = scratch.columns(Gemm.packedSize(pixels, packed.depth));
                    Gemm.packA(in, rowPtr, tapOff, pixels, packed.depth, tiles);
                    Gemm.multiplyPacked(packed, tiles, pixels, out, ldo);
                } else {
                    float[] cols = scratch.columns(pixels * colStride);
                    im2col(in, pixels, cols);
                    Gemm.multiply(packed, runs, cols, colPtr, pixels, out, ldo);
                }
            }
            case DEPTHWISE -> Depthwise.run(in, rowPtr, pixels, dwOff, dwWeights, c, ldo, out);
        }
        float[] result = out;
        if (pooling == null) {
            Epilogue.apply(out, pixels, ldo, bias, act);
        } else {
            // Bias and a non-decreasing activation commute with max: applied to the pooled values only (SiLU and
            // hard swish dip below zero, so they go first).
            boolean maxFirst = pooling.mode() == PoolingMode.MAX && nonDecreasing(act);
            if (!maxFirst) {
                Epilogue.apply(out, pixels, ldo, bias, act);
            }
            result = scratch.pooled(images * outPerImage);
            for (int i = 0; i < images; i++) {
                Pooling.fromTile(pooling, poolRows, poolCols, out, i * perImage * ldo, p0, ldo, o0, o1, result, i * outPerImage);
            }
            if (maxFirst) {
                Epilogue.apply(result, images * (o1 - o0) * outQ, ldo, bias, act);
            }
        }
        store(y, slice, result, img0, images, o0, o1, outPerImage, ldo);
    }

    /** Whether activation {@code act} never decreases, so that it commutes with a max. */
    private static boolean nonDecreasing(int act) {
        return act != Epilogue.SILU && act != Epilogue.HARD_SWISH;
    }

    /** Output rows {@code o0 .. o1} of {@code images} images from {@code result} into {@code y}. */
    private void store(Tensor y, Slice slice, float[] result, int img0, int images, int o0, int o1, int outPerImage,
                       int ldo) {
        MemorySegment ys = y.buffer();
        for (int i = 0; i < images; i++) {
            long rowBase = y.offset() + (img0 + i) * y.stride(0) + o0 * y.stride(2) + slice.k0() * y.stride(1);
            Epilogue.store(result, i * outPerImage, o1 - o0, outQ, ldo, outGroups, slice.kg(), slice.kgPad(), ys,
                    rowBase, y.stride(2), y.stride(3), y.stride(1));
        }
    }

    /** Patches of every pixel of the block, in (g, r, s, c) order, from the gathered rows. */
    private void im2col(float[] in, int pixels, float[] cols) {
        for (int m = 0; m < pixels; m++) {
            int src = rowPtr[m];
            int dst = m * colStride;
            for (int g = 0; g < groups; g++) {
                int d = dst + g * depth;
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < s; j++) {
                        int o = src + (i * dh * wp + j * dw) * c + g * cg;
                        for (int ch = 0; ch < cg; ch++) {
                            cols[d++] = in[o + ch];
                        }
                    }
                }
            }
        }
    }

    static int roundUp(int a, int m) {
        return Math.ceilDiv(a, m) * m;
    }
}
