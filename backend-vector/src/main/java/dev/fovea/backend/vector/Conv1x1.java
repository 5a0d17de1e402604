package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Epilogue.ORDER;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * A 1×1 convolution (one group, no padding, any stride) as one GEMM over the batch's output pixels:
 * {@code Y[m, k] = Σ_c X[m, c] · W[k, c]}, m running over every output pixel of every image, so that small images
 * and small batches still split into enough tasks.
 *
 * <p>A task owns a block of pixels and a chunk of output channels. It copies its pixels' input channels into a
 * per-thread row-major block (a plain copy of one run per output row when the input is channels-last and the
 * stride is 1, only the pixels read when it is not), multiplies it with the weights packed once at plan time by
 * {@link Gemm}'s 8 × 2-vector micro-kernel (a 6 × 4-vector kernel was slower in A/B runs here), and stores the
 * tile with bias and activation applied on the way out. When the reduction is one cache block, the output's channels
 * are adjacent and the activation is a clamp (none, ReLU, ReLU6), full panels and a last one of one vector skip the
 * tile: the kernel adds the bias, clamps and stores its registers straight to the output
 * ({@link Gemm#kernel8x2Store}, {@link Gemm#kernel8x1Store} with the columns past the layer's filters masked off).
 */
final class Conv1x1 implements Plan, WorkerPool.Body {
    private static final int MR = Gemm.MR;
    /** Floats of input a task aims to gather: 512 KiB, well inside L2 with the panels and the tile. */
    private static final int A_BLOCK = 128 * 1024;
    /** Most pixels per task, and the fewest before a task's columns are split further. */
    private static final int MAX_ROWS = 32 * MR;
    private static final int MIN_ROWS = 4 * MR;
    /** Output channels per task chunk: the tile of a task ({@code rows × chunk}) stays in L2. */
    private static final int CHUNK = 256;

    private final WorkerPool pool;
    private final int n;
    private final int c;
    private final int k;
    private final int p;
    private final int q;
    private final int sh;
    private final int sw;
    private final int act;
    /** The activation as a clamp {@code [clampLo, clampHi]} (none, ReLU, ReLU6); NaN for the others. */
    private final float clampLo;
    private final float clampHi;
    private final long flops;
    private final Gemm.Packed weights;
    /** The reduction as one run of {@code c} floats per row, split into cache blocks. */
    private final Gemm.Runs runs;
    /**
     * Floats between gathered pixels: {@link Gemm#KC} when the reduction is one cache block (the row stride
     * {@link Gemm#kernel8x2Store} reads), else {@code c}.
     */
    private final int lda;
    /** Row pointers into a task's gathered block: {@code m·lda}. */
    private final int[] rowPtr;
    /** Chunk i holds panels {@code chunkPanel[i] .. chunkPanel[i + 1] − 1}. */
    private final int[] chunkPanel;
    /** Bias per output channel, zero-padded to the panels' width (zeros when the layer has none). */
    private final float[] bias;
    /** Per panel, the columns of its last vector that are filters of the layer (a one-vector panel's mask). */
    private final VectorMask<Float>[] lastValid;
    private final int rowsPerTask;
    private final int tasks;

    /** Whether {@code op} takes this plan: 1×1 kernel, one group, no padding (any stride). */
    static boolean applies(ConvolutionDescriptor op) {
        return op.kernelH() == 1 && op.kernelW() == 1 && op.groups() == 1 && op.pads().isZero();
    }

    /** @param wts weights {@code [k][c]} (a 1×1 filter per output channel); {@code b} bias or null */
    Conv1x1(ConvolutionDescriptor op, float[] wts, float[] b, WorkerPool pool) {
        if (!applies(op)) {
            throw new IllegalArgumentException("layer '" + op.layer() + "': not a 1×1 convolution of one group "
                    + "without padding");
        }
        this.pool = pool;
        n = op.input().n();
        c = op.input().c();
        k = op.filters();
        p = op.output().h();
        q = op.output().w();
        sh = op.strideH();
        sw = op.strideW();
        act = Epilogue.code(op.activation());
        clampLo = act == Epilogue.NONE ? Float.NEGATIVE_INFINITY : act == Epilogue.RELU || act == Epilogue.RELU6 ? 0f
                : Float.NaN;
        clampHi = act == Epilogue.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        flops = op.flops();

        weights = new Gemm.Packed(1, c, k, (float[]) null);
        weights.fill(wts, 0, Gemm.index(c, i -> i), Gemm.index(k, kl -> kl * c));
        runs = new Gemm.Runs(1, new int[] {0}, new int[] {c});
        bias = new float[weights.kgPad];
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, k);
        }
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] masks = new VectorMask[weights.panels()];
        for (int j = 0; j < masks.length; j++) {
            int lastCol = weights.panelCol[j] + weights.panelWidth[j] - V;
            masks[j] = F.indexInRange(lastCol, k);
        }
        lastValid = masks;

        // Tasks: pixel blocks sized to the gathered input, times column chunks; more and smaller ones when there
        // are too few for every thread to get several (dynamic claiming balances the rest).
        long pixels = (long) n * p * q;
        int want = 4 * pool.threads();
        int[] chunks = chunks(CHUNK);
        int rows = Math.clamp(A_BLOCK / c / MR * MR, MIN_ROWS, MAX_ROWS);
        while (rows > MIN_ROWS && Math.ceilDiv(pixels, rows) * (chunks.length - 1) < want) {
            rows = Math.max(MIN_ROWS, rows / 2 / MR * MR);
        }
        if (Math.ceilDiv(pixels, rows) * (chunks.length - 1) < want) {
            chunks = chunks(1); // one panel per chunk
        }
        chunkPanel = chunks;
        rowsPerTask = rows;
        lda = c <= Gemm.KC ? Gemm.KC : c;
        rowPtr = Gemm.index(rows + MR, m -> m * lda);
        tasks = Math.toIntExact(Math.ceilDiv(pixels, rows) * (chunks.length - 1));
    }

    /** Panel boundaries of chunks of at most {@code columns} columns (at least one panel each). */
    private int[] chunks(int columns) {
        int panels = weights.panels();
        int[] starts = new int[panels + 1];
        int count = 0;
        int width = 0;
        for (int j = 0; j < panels; j++) {
            if (j == 0 || width + weights.panelWidth[j] > columns) {
                starts[count++] = j;
                width = 0;
            }
            width += weights.panelWidth[j];
        }
        starts[count] = panels;
        return java.util.Arrays.copyOf(starts, count + 1);
    }

    long flops() {
        return flops;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Tensor[] io = {x, y};
        pool.run(tasks, this, io, flops);
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        int chunk = task % (chunkPanel.length - 1);
        int m0 = (task / (chunkPanel.length - 1)) * rowsPerTask;
        int rows = (int) Math.min(rowsPerTask, (long) n * p * q - m0);
        int j0 = chunkPanel[chunk];
        int j1 = chunkPanel[chunk + 1];
        int col0 = weights.panelCol[j0];
        int width = weights.panelCol[j1 - 1] + weights.panelWidth[j1 - 1] - col0;
        Scratch scratch = Scratch.get();
        // Whole 8-row tiles: the store kernel reads the rows past the last pixel too.
        float[] a = scratch.input(ConvPlan.roundUp(rows, MR) * lda);
        gather(io[0], m0, rows, a);
        int jd = directPanels(io[1], j0, j1);
        if (jd > j0) {
            multiplyInto(a, rows, j0, jd, io[1], m0, outputRows(io[1], m0, rows, scratch.pointers(rows)));
        }
        if (jd < j1) {
            int tileCol = weights.panelCol[jd];
            int tileWidth = col0 + width - tileCol;
            float[] tile = scratch.output(rows * tileWidth);
            multiply(a, rows, jd, j1, tileCol, tile, tileWidth);
            store(tile, tileWidth, rows, m0, tileCol, Math.min(tileWidth, k - tileCol), io[1]);
        }
    }

    /**
     * The end of the panels from {@code j0} that the kernels store straight to {@code y}: when the reduction is one
     * cache block (nothing to accumulate), the channels of a pixel are adjacent and the activation is a clamp (none,
     * ReLU, ReLU6), every panel but a last {@link Gemm#NR}-wide one with columns past the layer's filters (which goes
     * through the tile).
     */
    private int directPanels(Tensor y, int j0, int j1) {
        if (runs.blockStart.length != 2 || y.stride(1) != 1 || Float.isNaN(clampLo)) {
            return j0;
        }
        int j = j0;
        while (j < j1 && (weights.panelWidth[j] == V || weights.panelCol[j] + Gemm.NR <= k)) {
            j++;
        }
        return j;
    }

    /** Element offsets in {@code y} of output pixels {@code m0 .. m0 + rows − 1}, from that of pixel {@code m0}. */
    private int[] outputRows(Tensor y, int m0, int rows, int[] yRow) {
        long first = pixel(y, m0);
        for (PixelRuns r = new PixelRuns(m0, rows); r.next(); ) {
            long start = r.img * y.stride(0) + r.row * y.stride(2) + r.col * y.stride(3) - first;
            for (int i = 0; i < r.length; i++) {
                yRow[r.m + i] = Math.toIntExact(start + i * y.stride(3));
            }
        }
        return yRow;
    }

    /** Element offset of output pixel {@code m} of the batch in {@code y}, from {@code y.offset()}. */
    private long pixel(Tensor y, int m) {
        return m / (p * q) * y.stride(0) + m % (p * q) / q * y.stride(2) + m % q * y.stride(3);
    }

    /**
     * Panels {@code j0 .. j1 − 1} for {@code rows} pixels gathered into {@code a}, stored straight to {@code y} (the
     * task's pixel {@code m}, output pixel {@code m0 + m}, at element {@code yRow[m]} from that of pixel {@code m0}).
     */
    private void multiplyInto(float[] a, int rows, int j0, int j1, Tensor y, int m0, int[] yRow) {
        long yBase = y.offset() + pixel(y, m0);
        MemorySegment ys = y.buffer();
        for (int j = j0; j < j1; j++) {
            int col = weights.panelCol[j];
            int bOff = weights.panelOff[j];
            for (int m = 0; m < rows; m += MR) {
                int tileRows = Math.min(MR, rows - m);
                if (weights.panelWidth[j] == Gemm.NR) {
                    Gemm.kernel8x2Store(a, m * lda, tileRows, c, weights.data, bOff, ys, yBase + col, yRow, m, bias,
                            col, clampLo, clampHi);
                } else {
                    Gemm.kernel8x1Store(a, m * lda, tileRows, c, weights.data, bOff, ys, yBase + col, yRow, m, bias,
                            col, clampLo, clampHi, lastValid[j]);
                }
            }
        }
    }

    /** Tile columns of panels {@code j0 .. j1 − 1} ({@code width} wide from {@code col0}) for {@code rows} pixels. */
    private void multiply(float[] a, int rows, int j0, int j1, int col0, float[] tile, int width) {
        for (int blk = 0; blk + 1 < runs.blockStart.length; blk++) {
            int rs = runs.blockStart[blk];
            int re = runs.blockStart[blk + 1];
            int kk0 = runs.kkStart[rs];
            boolean accumulate = blk > 0;
            for (int j = j0; j < j1; j++) {
                int pw = weights.panelWidth[j];
                int bOff = weights.panelOff[j] + kk0 * pw;
                int tOff = weights.panelCol[j] - col0;
                for (int m = 0; m < rows; m += MR) {
                    int tileRows = Math.min(MR, rows - m);
                    if (pw == Gemm.NR) {
                        Gemm.kernel8x2(a, rowPtr, m, tileRows, runs.off, runs.len, rs, re, weights.data, bOff, tile,
                                m * width + tOff, width, accumulate);
                    } else {
                        Gemm.kernel8x1(a, rowPtr, m, tileRows, runs.off, runs.len, rs, re, weights.data, bOff, tile,
                                m * width + tOff, width, accumulate);
                    }
                }
            }
        }
    }

    /**
     * Copies the input channels of output pixels {@code m0 .. m0 + rows − 1} into {@code a} as {@code [m][c]}, pixels
     * {@link #lda} floats apart.
     */
    private void gather(Tensor x, int m0, int rows, float[] a) {
        MemorySegment xs = x.buffer();
        long s0 = x.stride(0);
        long s1 = x.stride(1);
        long s2 = x.stride(2) * sh;
        long s3 = x.stride(3) * sw;
        for (PixelRuns r = new PixelRuns(m0, rows); r.next(); ) {
            long src = x.offset() + r.img * s0 + r.row * s2 + r.col * s3;
            int dst = r.m * lda;
            if (s1 == 1 && s3 == c && lda == c) {
                MemorySegment.copy(xs, FLOAT, src * 4, a, dst, r.length * c);
            } else if (s1 == 1 && lda == Gemm.KC) {
                copyPixels(xs, src, s3, r.length, a, dst);
            } else if (s1 == 1) {
                for (int j = 0; j < r.length; j++) {
                    MemorySegment.copy(xs, FLOAT, (src + j * s3) * 4, a, dst + j * lda, c);
                }
            } else if (s3 == 1) {
                Transpose.matrix(xs, src, s1, a, dst, lda, c, r.length); // channels-first: C × length transposed
            } else {
                // Channels-first with a stride: a transpose of a C × length block, one element at a time.
                for (int ch = 0; ch < c; ch++) {
                    long cb = src + ch * s1;
                    for (int j = 0; j < r.length; j++) {
                        a[dst + j * lda + ch] = xs.getAtIndex(FLOAT, cb + j * s3);
                    }
                }
            }
        }
    }

    /**
     * {@code count} channels-last pixels from float {@code src} of {@code xs}, {@code s3} floats apart, to rows of
     * {@code a} {@link Gemm#KC} apart from {@code dst}, a vector at a time: a copy call per pixel cost more than the
     * copy at the few channels of MobileNet's early layers. Whole vectors are copied (the row holds {@code KC ≥ c}
     * floats) except where the last one would read past the segment's end.
     */
    private void copyPixels(MemorySegment xs, long src, long s3, int count, float[] a, int dst) {
        int whole = c - c % V;
        long end = xs.byteSize() / 4;
        for (int j = 0; j < count; j++) {
            long from = src + j * s3;
            int to = dst + j * Gemm.KC;
            int ch = 0;
            for (; ch < whole; ch += V) {
                FloatVector.fromMemorySegment(F, xs, (from + ch) * 4, ORDER).intoArray(a, to + ch);
            }
            if (ch < c) {
                VectorMask<Float> m = F.indexInRange(from + ch, end);
                FloatVector.fromMemorySegment(F, xs, (from + ch) * 4, ORDER, m).intoArray(a, to + ch);
            }
        }
    }

    /**
     * Output pixels {@code m0 .. m0 + rows − 1} of the batch, in order, as runs along one output row: {@link #next}
     * moves to the next run, which starts at block index {@link #m}, image {@link #img}, output row {@link #row}
     * and column {@link #col}, and holds {@link #length} pixels.
     */
    private final class PixelRuns {
        private final int end;
        int m;
        int img;
        int row;
        int col;
        int length;

        PixelRuns(int m0, int rows) {
            end = rows;
            img = m0 / (p * q);
            row = m0 % (p * q) / q;
            col = m0 % q;
            m = 0;
            length = 0;
        }

        boolean next() {
            m += length;
            if (length > 0) {
                col = 0;
                if (++row == p) {
                    row = 0;
                    img++;
                }
            }
            length = Math.min(q - col, end - m);
            return m < end;
        }
    }

    /**
     * Stores tile columns {@code [0, valid)} of rows {@code 0 .. rows − 1} ({@code ldt} floats apart) as
     * channels {@code col0 ..} of output pixels {@code m0 ..}, with bias and activation applied.
     */
    private void store(float[] tile, int ldt, int rows, int m0, int col0, int valid, Tensor y) {
        MemorySegment ys = y.buffer();
        long s0 = y.stride(0);
        long s1 = y.stride(1);
        long s2 = y.stride(2);
        long s3 = y.stride(3);
        // A run's pixels holding adjacent channels (dense channels-last, all of them here): activated in one call.
        boolean adjacent = s1 == 1 && s3 == valid;
        for (PixelRuns r = new PixelRuns(m0, rows); r.next(); ) {
            long start = y.offset() + r.img * s0 + r.row * s2 + r.col * s3 + col0 * s1;
            for (int i = 0; i < r.length; i++) {
                long base = start + i * s3;
                int t = (r.m + i) * ldt;
                if (s1 != 1) {
                    for (int j = 0; j < valid; j++) {
                        float v = tile[t + j] + bias[col0 + j];
                        ys.setAtIndex(FLOAT, base + j * s1, Epilogue.activate(v, act));
                    }
                } else if (Epilogue.inLoop(act) == act) {
                    storeInLoop(tile, t, col0, valid, ys, base);
                } else {
                    storeBiased(tile, t, col0, valid, ys, base);
                    if (!adjacent) {
                        Epilogue.activateInPlace(ys, base, valid, act);
                    }
                }
            }
            if (adjacent && Epilogue.inLoop(act) != act) {
                Epilogue.activateInPlace(ys, start, r.length * valid, act);
            }
        }
    }

    /** One pixel's channels, adjacent in {@code y}, with an activation the loop writes out itself. */
    private void storeInLoop(float[] tile, int t, int col0, int valid, MemorySegment ys, long base) {
        int j = 0;
        for (; j + V <= valid; j += V) {
            FloatVector v = FloatVector.fromArray(F, tile, t + j).add(FloatVector.fromArray(F, bias, col0 + j));
            v = switch (act) {
                case Epilogue.RELU -> Epilogue.clamp(v, 0f, Float.POSITIVE_INFINITY);
                case Epilogue.RELU6 -> Epilogue.clamp(v, 0f, 6f);
                case Epilogue.HARD_SIGMOID -> Epilogue.clamp(v.fma(1f / 6, 0.5f), 0f, 1f);
                case Epilogue.HARD_SWISH -> v.mul(Epilogue.clamp(v.fma(1f / 6, 0.5f), 0f, 1f));
                default -> v;
            };
            v.intoMemorySegment(ys, (base + j) * 4, ORDER);
        }
        for (; j < valid; j++) {
            ys.setAtIndex(FLOAT, base + j, Epilogue.inLoop(tile[t + j] + bias[col0 + j], act));
        }
    }

    /**
     * As {@link #storeInLoop} without the activation: the other activations run over the stored channels
     * ({@link Epilogue#activateInPlace}, whose loops take no vector through a call).
     */
    private void storeBiased(float[] tile, int t, int col0, int valid, MemorySegment ys, long base) {
        int j = 0;
        for (; j + V <= valid; j += V) {
            FloatVector.fromArray(F, tile, t + j).add(FloatVector.fromArray(F, bias, col0 + j))
                    .intoMemorySegment(ys, (base + j) * 4, ORDER);
        }
        for (; j < valid; j++) {
            ys.setAtIndex(FLOAT, base + j, tile[t + j] + bias[col0 + j]);
        }
    }
}
