package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;
import static dev.fovea.backend.vector.Simd.F;
import static dev.fovea.backend.vector.Simd.V;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.Pads;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Convolution gradients on the packed GEMM kernels of {@link Gemm}.
 *
 * <ul>
 *   <li>{@link Filter}: {@code dW_g = dy_gᵀ · col(x)_g} per group, the reduction running over output pixels.
 *       The pixels are cut into tasks of whole images (or row blocks of large images) whose count does not depend
 *       on the thread count; each task gathers its input rows zero-padded and channels-last (as the forward),
 *       transposes its {@code dy} and multiplies into its own partial sum, and the caller adds the partial sums
 *       in task order: the result is the same for any number of threads. Asked for the bias gradient too, each
 *       task also sums the {@code dy} rows it gathered, added up in task order the same way.</li>
 *   <li>{@link Data}: for stride 1, dilation 1 and one group where {@link Winograd} applies, a forward
 *       convolution of {@code dy} with the rotated, transposed filters; otherwise {@code T = dy · W_gᵀ} for a
 *       block of output pixels (a GEMM with the reduction over the filters), then col2im: every pixel's
 *       {@code R·S·C/groups} products are added into a zero-padded channels-last copy of the image's gradient,
 *       which is finally cropped into {@code dx}. One task per image, so no two tasks write the same cell.</li>
 * </ul>
 */
final class ConvBackward {
    /** Output pixels a filter task aims at (enough to amortize its partial sum, which the caller adds up). */
    private static final int FILTER_TASK_PIXELS = 1024;
    /** Pixels per reduction block of the filter GEMM: a packed slice of {@code BLOCK × NR} floats stays in L1. */
    private static final int BLOCK = Gemm.KC;
    /** Most floats the filter tasks' partial sums may take together. */
    private static final long PARTIAL_LIMIT = 1L << 23;
    /** Output pixels per GEMM block of the data gradient. */
    private static final int DATA_BLOCK_PIXELS = 256;

    private ConvBackward() {
    }

    /**
     * The weight gradient of one convolution (prepared once per descriptor, then called any number of times). Two
     * orientations of the same GEMM, chosen by which operand is cheaper to transpose:
     * <ul>
     *   <li>{@code dW_g[kl][kk] = Σ_m dyᵀ[kl][m] · col[m][kk]} (A = {@code dyᵀ}, B = the patches packed in panels
     *       straight from the gathered rows): when the depth {@code R·S·C/groups} is at least the filter count;</li>
     *   <li>{@code dW_gᵀ[kk][kl] = Σ_m colᵀ[kk][m] · dy[m][kl]} (A = the transposed patches, B = {@code dy}
     *       packed in panels): shallow filters such as a first layer's ({@code 3·3·1} against 64 filters).</li>
     * </ul>
     */
    static final class Filter extends ConvGeometry implements WorkerPool.Body {
        /** {@code biasSums}: per task, {@code dy} summed over its pixels (null without a bias gradient). */
        private record Call(Tensor x, Tensor dy, float[] partials, double[] biasSums) {
        }

        private final int rowsPerTask;
        private final int tasksPerImage;
        private final int imagesPerTask;
        private final int tasks;
        private final int imageStride;
        private final int[] rowPtr;
        /** Whether A holds the patches (second orientation above). */
        private final boolean patchesAsRows;
        /** Column panels of the GEMM's output ({@code depth} or {@code kg} columns), laid out as {@link Gemm.Packed}. */
        private final int[] panelCol;
        private final int[] panelWidth;
        /** Rows of a group's output ({@code kg}, or {@code depth}) and their length: the panels' widths summed. */
        private final int outRows;
        private final int ldp;
        /** Per panel, the copies that pack it from a pixel's gathered input: {source offset, column, length}. */
        private final int[][] segments;
        /** Offset of patch column kk from a pixel's corner in the gathered rows (group 0). */
        private final int[] patchOffset;

        Filter(ConvolutionDescriptor op) {
            super(op);
            patchesAsRows = depth < kg;
            int rows = p;
            int images = Math.max(1, Math.min(n, FILTER_TASK_PIXELS / Math.max(1, p * q)));
            if (p * q > FILTER_TASK_PIXELS) {
                rows = Math.max(1, Math.min(p, FILTER_TASK_PIXELS / q));
                images = 1;
            }
            Gemm.Packed layout = new Gemm.Packed(1, 0, patchesAsRows ? kg : depth, new float[0]);
            panelCol = layout.panelCol;
            panelWidth = layout.panelWidth;
            ldp = layout.kgPad;
            outRows = patchesAsRows ? depth : kg;
            long partial = (long) groups * outRows * ldp;
            // Bound the memory of the partial sums: fewer, larger tasks.
            while ((long) Math.ceilDiv(n, images) * Math.ceilDiv(p, rows) * partial > PARTIAL_LIMIT
                    && (rows < p || images < n)) {
                if (rows < p) {
                    rows = Math.min(p, rows * 2);
                } else {
                    images = Math.min(n, images * 2);
                }
            }
            rowsPerTask = rows;
            imagesPerTask = images;
            tasksPerImage = Math.ceilDiv(p, rows);
            tasks = Math.ceilDiv(n, images) * tasksPerImage;
            int gatherRows = (rows - 1) * sh + (r - 1) * dh + 1;
            imageStride = gatherRows * wp * c;
            int pixels = images * rows * q;
            rowPtr = new int[pixels];
            for (int m = 0; m < pixels; m++) {
                int i = m % (rows * q);
                rowPtr[m] = (m / (rows * q)) * imageStride + ((i / q) * sh * wp + (i % q) * sw) * c;
            }
            patchOffset = Gemm.index(depth, kk -> tapOffset(kk / cg / s, kk / cg % s) + kk % cg);
            if (patchesAsRows) {
                segments = null;
                return;
            }
            // Runs of the depth in (r, s, c) order: S·C channels-last values per kernel row when they are adjacent.
            boolean merged = groups == 1 && dw == 1;
            int runs = merged ? r : r * s;
            int runLen = merged ? s * c : cg;
            segments = new int[panelCol.length][];
            for (int j = 0; j < panelCol.length; j++) {
                int lo = panelCol[j];
                int hi = Math.min(depth, lo + panelWidth[j]);
                int[] seg = new int[3 * runs];
                int count = 0;
                for (int t = 0; t < runs; t++) {
                    int kk0 = t * runLen;
                    int from = Math.max(lo, kk0);
                    int to = Math.min(hi, kk0 + runLen);
                    if (from >= to) {
                        continue;
                    }
                    int src = merged ? tapOffset(t, 0) : tapOffset(t / s, t % s);
                    seg[count++] = src + (from - kk0);
                    seg[count++] = from - lo;
                    seg[count++] = to - from;
                }
                segments[j] = Arrays.copyOf(seg, count);
            }
        }

        /**
         * {@code dwt} and, when {@code db} is not null, the bias gradient: each task sums the {@code dy} rows it has
         * gathered anyway, so {@code dy} is read once for both.
         */
        void execute(Tensor x, Tensor dy, Tensor dwt, Tensor db, WorkerPool pool) {
            int partial = groups * outRows * ldp;
            float[] partials = Scratch.get().partials(tasks * partial);
            Call call = new Call(x, dy, partials, db == null ? null : new double[tasks * k]);
            pool.run(tasks, this, call, 2L * n * p * q * k * depth);
            if (db != null) {
                // Tasks in order: the same sum for any thread count.
                for (int ch = 0; ch < k; ch++) {
                    double total = 0;
                    for (int t = 0; t < tasks; t++) {
                        total += call.biasSums[t * k + ch];
                    }
                    db.buffer().setAtIndex(FLOAT, db.offset() + ch * db.stride(0), (float) total);
                }
            }
            // Sum the partials in task order, then write dW in its logical [K, cg, R, S] order.
            MemorySegment out = dwt.buffer();
            long base = dwt.offset();
            float[] row = new float[ldp];
            int rs = r * s;
            for (int g = 0; g < groups; g++) {
                for (int i = 0; i < outRows; i++) {
                    int o = (g * outRows + i) * ldp;
                    System.arraycopy(partials, o, row, 0, ldp);
                    for (int t = 1; t < tasks; t++) {
                        add(partials, t * partial + o, row, 0, ldp);
                    }
                    for (int j = 0; j < (patchesAsRows ? kg : depth); j++) {
                        int kl = patchesAsRows ? j : i;
                        int kk = patchesAsRows ? i : j;
                        // kk = (r·S + s)·cg + c  →  dW[g·kg + kl][c][r][s]
                        out.setAtIndex(FLOAT, base + ((long) (g * kg + kl) * cg + kk % cg) * rs + kk / cg, row[j]);
                    }
                }
            }
        }

        @Override
        public void run(int task, Object ctx) {
            Call call = (Call) ctx;
            int img0 = (task / tasksPerImage) * imagesPerTask;
            int images = Math.min(imagesPerTask, n - img0);
            int p0 = (task % tasksPerImage) * rowsPerTask;
            int rows = Math.min(rowsPerTask, p - p0);
            int perImage = rows * q;
            int pixels = images * perImage;
            int gRows = (rows - 1) * sh + (r - 1) * dh + 1;
            Scratch scratch = Scratch.get();
            float[] in = scratch.input(imagesPerTask * imageStride);
            for (int i = 0; i < images; i++) {
                Gather.paddedRows(call.x, img0 + i, p0 * sh - pt, gRows, h, w, c, pl, wp, in, i * imageStride);
            }
            if (patchesAsRows) {
                patchRows(call, task, img0, images, p0, rows, pixels, in, scratch);
            } else {
                filterRows(call, task, img0, images, p0, rows, pixels, in, scratch);
            }
        }

        /** First orientation: A = dyᵀ, B = patches packed per block and panel. */
        private void filterRows(Call call, int task, int img0, int images, int p0, int rows, int pixels, float[] in,
                                Scratch scratch) {
            // dyᵀ: [K][pixels], through a row of q pixels at a time.
            float[] dyT = scratch.transposed(k * pixels);
            float[] line = scratch.output(q * k);
            for (int i = 0; i < images; i++) {
                for (int row = 0; row < rows; row++) {
                    Gather.pixels(call.dy, img0 + i, p0 + row, 1, q, k, line, 0);
                    if (call.biasSums != null) {
                        sumPixels(line, 0, q, k, call.biasSums, task * k, scratch);
                    }
                    int m0 = (i * rows + row) * q;
                    // Filter-major: each row of dyᵀ is written contiguously (the line is small and stays in L1).
                    for (int ch = 0; ch < k; ch++) {
                        int dst = ch * pixels + m0;
                        for (int j = 0; j < q; j++) {
                            dyT[dst + j] = line[j * k + ch];
                        }
                    }
                }
            }
            int[] ptr = scratch.pointers(k + Gemm.MR);
            for (int ch = 0; ch < k; ch++) {
                ptr[ch] = ch * pixels;
            }
            float[] panel = scratch.panel(BLOCK * Gemm.NR);
            int[] runOff = scratch.runOff;
            int[] runLen = scratch.runLen;
            float[] out = call.partials;
            int outBase = task * groups * outRows * ldp;
            for (int mb = 0; mb < pixels; mb += BLOCK) {
                int len = Math.min(BLOCK, pixels - mb);
                runOff[0] = mb;
                runLen[0] = len;
                for (int g = 0; g < groups; g++) {
                    for (int j = 0; j < panelCol.length; j++) {
                        int width = panelWidth[j];
                        int valid = Math.min(width, depth - panelCol[j]);
                        int[] seg = segments[j];
                        for (int m = 0; m < len; m++) {
                            int src = rowPtr[mb + m] + g * cg;
                            int dst = m * width;
                            for (int e = 0; e < seg.length; e += 3) {
                                copy(in, src + seg[e], panel, dst + seg[e + 1], seg[e + 2]);
                            }
                            if (valid < width) {
                                Arrays.fill(panel, dst + valid, dst + width, 0f);
                            }
                        }
                        tiles(dyT, ptr, g * kg, kg, runOff, runLen, width, panel, out,
                                outBase + g * outRows * ldp + panelCol[j], mb > 0);
                    }
                }
            }
        }

        /** Second orientation: A = patchesᵀ, B = dy packed per block and panel. */
        private void patchRows(Call call, int task, int img0, int images, int p0, int rows, int pixels, float[] in,
                               Scratch scratch) {
            float[] dyRows = scratch.output(pixels * k);
            for (int i = 0; i < images; i++) {
                Gather.pixels(call.dy, img0 + i, p0, rows, q, k, dyRows, i * rows * q * k);
            }
            if (call.biasSums != null) {
                for (int row = 0; row < images * rows; row++) {
                    sumPixels(dyRows, row * q * k, q, k, call.biasSums, task * k, scratch);
                }
            }
            float[] colT = scratch.transposed(groups * depth * pixels);
            for (int g = 0; g < groups; g++) {
                for (int kk = 0; kk < depth; kk++) {
                    int src = patchOffset[kk] + g * cg;
                    int dst = (g * depth + kk) * pixels;
                    for (int m = 0; m < pixels; m++) {
                        colT[dst + m] = in[rowPtr[m] + src];
                    }
                }
            }
            int[] ptr = scratch.pointers(groups * depth + Gemm.MR);
            for (int i = 0; i < groups * depth; i++) {
                ptr[i] = i * pixels;
            }
            float[] panel = scratch.panel(BLOCK * Gemm.NR);
            int[] runOff = scratch.runOff;
            int[] runLen = scratch.runLen;
            float[] out = call.partials;
            int outBase = task * groups * outRows * ldp;
            for (int mb = 0; mb < pixels; mb += BLOCK) {
                int len = Math.min(BLOCK, pixels - mb);
                runOff[0] = mb;
                runLen[0] = len;
                for (int g = 0; g < groups; g++) {
                    for (int j = 0; j < panelCol.length; j++) {
                        int width = panelWidth[j];
                        int valid = Math.min(width, kg - panelCol[j]);
                        int col = g * kg + panelCol[j];
                        for (int m = 0; m < len; m++) {
                            int dst = m * width;
                            copy(dyRows, (mb + m) * k + col, panel, dst, valid);
                            if (valid < width) {
                                Arrays.fill(panel, dst + valid, dst + width, 0f);
                            }
                        }
                        tiles(colT, ptr, g * depth, depth, runOff, runLen, width, panel, out,
                                outBase + g * outRows * ldp + panelCol[j], mb > 0);
                    }
                }
            }
        }

        /** Rows {@code row0 .. row0 + count − 1} of A against one packed panel, into rows of the partial sum. */
        private void tiles(float[] a, int[] ptr, int row0, int count, int[] runOff, int[] runLen, int width,
                           float[] panel, float[] out, int cBase, boolean accumulate) {
            for (int t = 0; t < count; t += Gemm.MR) {
                int tile = Math.min(Gemm.MR, count - t);
                int cOff = cBase + t * ldp;
                if (width == Gemm.NR) {
                    Gemm.kernel8x2(a, ptr, row0 + t, tile, runOff, runLen, 0, 1, panel, 0, out, cOff, ldp, accumulate);
                } else {
                    Gemm.kernel8x1(a, ptr, row0 + t, tile, runOff, runLen, 0, 1, panel, 0, out, cOff, ldp, accumulate);
                }
            }
        }
    }

    /** The input gradient of one convolution. */
    static final class Data extends ConvGeometry implements WorkerPool.Body {
        private record Call(Tensor dy, Tensor dx, Gemm.Packed weights) {
        }

        private final int rowsPerBlock;
        private final int accRows;
        private final int[] ptr;
        private final Gemm.Runs runs;
        /** Columns of T per group: the reduction depth padded to whole panels. */
        private final int depthPad;
        private final int ldo;
        /** Where {@code W_gᵀ[kl][kk]} is in the logical weights, relative to group g's first filter. */
        private final int[] rowIndex;
        private final int[] colIndex;
        /**
         * The gradient as a forward convolution of {@code dy} planned with {@link Winograd} (see
         * {@link #asForward}), or null: col2im below.
         */
        private final ConvolutionDescriptor forward;

        Data(ConvolutionDescriptor op) {
            super(op);
            ConvolutionDescriptor f = asForward(op);
            forward = f != null && Winograd.applies(f) ? f : null;
            rowsPerBlock = Math.max(1, Math.min(p, DATA_BLOCK_PIXELS / q));
            accRows = Math.max(pt + h, (p - 1) * sh + (r - 1) * dh + 1);
            int pixels = rowsPerBlock * q;
            ptr = new int[pixels + Gemm.MR];
            for (int m = 0; m < pixels; m++) {
                ptr[m] = m * k;
            }
            int[] off = new int[groups];
            for (int g = 0; g < groups; g++) {
                off[g] = g * kg;
            }
            runs = new Gemm.Runs(groups, off, new int[] {kg});
            depthPad = new Gemm.Packed(1, 0, depth, new float[0]).kgPad;
            ldo = groups * depthPad;
            rowIndex = Gemm.index(kg, kl -> kl * depth);
            colIndex = Gemm.index(depth, kk -> kk % cg * r * s + kk / cg);
        }

        /**
         * For stride 1, dilation 1 and one group, {@code dx} is the correlation of {@code dy} with the filters
         * rotated by 180° and transposed ({@code [C][K][R][S]}), {@code dy} padded by {@code R − 1 − pad} on each
         * side: a forward convolution with {@code C} filters whose output is {@code x}'s shape. Null otherwise
         * (or when a padding exceeds {@code R − 1}, which would need negative padding).
         */
        static ConvolutionDescriptor asForward(ConvolutionDescriptor op) {
            Pads pads = op.pads();
            int r = op.kernelH();
            int s = op.kernelW();
            if (op.strideH() != 1 || op.strideW() != 1 || op.dilationH() != 1 || op.dilationW() != 1
                    || op.groups() != 1 || Math.max(pads.top(), pads.bottom()) > r - 1
                    || Math.max(pads.left(), pads.right()) > s - 1) {
                return null;
            }
            ConvolutionParams params = new ConvolutionParams(op.input().c(), r, s, 1, 1, 1, 1, 1,
                    Padding.explicit(r - 1 - pads.top(), s - 1 - pads.left(), r - 1 - pads.bottom(),
                            s - 1 - pads.right()), false, Activation.NONE);
            ConvolutionDescriptor f = ConvolutionDescriptor.create(op.layer() + " (data gradient)", op.output(),
                    op.layout(), params);
            return f.output().equals(op.input()) ? f : null;
        }

        /** {@code [C][K][R][S]} from {@code [K][C][R][S]}, each kernel rotated by 180°. */
        static float[] flipTransposed(float[] w, int k, int c, int r, int s) {
            float[] out = new float[w.length];
            int rs = r * s;
            for (int f = 0; f < k; f++) {
                for (int ch = 0; ch < c; ch++) {
                    int src = (f * c + ch) * rs;
                    int dst = (ch * k + f) * rs;
                    for (int t = 0; t < rs; t++) {
                        out[dst + rs - 1 - t] = w[src + t];
                    }
                }
            }
            return out;
        }

        void execute(Tensor weights, Tensor dy, Tensor dx, WorkerPool pool) {
            if (forward != null) {
                // Planned per call: the weights change after every optimizer step.
                new Winograd(forward, flipTransposed(weights.toArray(), k, c, r, s), null, pool).execute(dy, dx);
                return;
            }
            // Wᵀ per group: reduction over the group's filters, columns (r, s, c); packed for this call only.
            Gemm.Packed wt = new Gemm.Packed(groups, kg, depth,
                    Scratch.get().packed(Gemm.Packed.size(groups, kg, depth)));
            wt.fill(weights.toArray(), kg * depth, rowIndex, colIndex);
            Call call = new Call(dy, dx, wt);
            pool.run(n, this, call, 2L * n * p * q * k * depth);
        }

        @Override
        public void run(int img, Object ctx) {
            Call call = (Call) ctx;
            Scratch scratch = Scratch.get();
            int accSize = accRows * wp * c;
            float[] acc = scratch.input(accSize);
            Arrays.fill(acc, 0, accSize, 0f);
            float[] a = scratch.columns(rowsPerBlock * q * k);
            float[] t = scratch.output((rowsPerBlock * q + Gemm.MR) * ldo);
            for (int p0 = 0; p0 < p; p0 += rowsPerBlock) {
                int rows = Math.min(rowsPerBlock, p - p0);
                int pixels = rows * q;
                Gather.pixels(call.dy, img, p0, rows, q, k, a, 0);
                Gemm.multiply(call.weights, runs, a, ptr, pixels, t, ldo);
                // col2im: pixel (p, q) tap (i, j) lands on padded cell (p·sh + i·dh, q·sw + j·dw).
                for (int m = 0; m < pixels; m++) {
                    int corner = ((p0 + m / q) * sh * wp + (m % q) * sw) * c;
                    for (int g = 0; g < groups; g++) {
                        int src = m * ldo + g * depthPad;
                        for (int i = 0; i < r; i++) {
                            for (int j = 0; j < s; j++) {
                                add(t, src + (i * s + j) * cg, acc, corner + tapOffset(i, j) + g * cg, cg);
                            }
                        }
                    }
                }
            }
            Gather.store(acc, (pt * wp + pl) * c, wp * c, c, h, w, c, call.dx, img, 0);
        }
    }

    /**
     * {@code db[k] = Σ dy[n, k, p, q]}: one task per image sums its rows of pixels in float and the rows in double;
     * the caller adds the images in order (the same result for any thread count).
     */
    static void bias(ConvolutionDescriptor op, Tensor dy, Tensor db, WorkerPool pool) {
        int n = op.output().n();
        int k = op.filters();
        double[] perImage = new double[n * k];
        WorkerPool.Body body = (img, ctx) -> {
            int p = op.output().h();
            int q = op.output().w();
            float[] line = Scratch.get().output(q * k + k);
            int sum = q * k;
            for (int row = 0; row < p; row++) {
                Gather.pixels(dy, img, row, 1, q, k, line, 0);
                System.arraycopy(line, 0, line, sum, k);
                for (int j = 1; j < q; j++) {
                    add(line, j * k, line, sum, k);
                }
                for (int ch = 0; ch < k; ch++) {
                    perImage[img * k + ch] += line[sum + ch];
                }
            }
        };
        pool.run(n, body, null, WorkerPool.bytesWork(4 * op.output().elementCount()));
        MemorySegment out = db.buffer();
        for (int ch = 0; ch < k; ch++) {
            double total = 0;
            for (int img = 0; img < n; img++) {
                total += perImage[img * k + ch];
            }
            out.setAtIndex(FLOAT, db.offset() + ch * db.stride(0), (float) total);
        }
    }

    /**
     * Adds to {@code sums[at .. at + k)} the {@code pixels} channels-last pixels of {@code k} channels from
     * {@code rows[from]}, summed in float (one image row at a time, as {@link #bias} sums them).
     */
    private static void sumPixels(float[] rows, int from, int pixels, int k, double[] sums, int at, Scratch scratch) {
        float[] sum = scratch.columns(k);
        System.arraycopy(rows, from, sum, 0, k);
        for (int j = 1; j < pixels; j++) {
            add(rows, from + j * k, sum, 0, k);
        }
        for (int ch = 0; ch < k; ch++) {
            sums[at + ch] += sum[ch];
        }
    }

    /** {@code dst[d .. d + len) += src[s .. s + len)}. */
    static void add(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + V <= len; i += V) {
            FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /** {@code dst[d .. d + len) = src[s .. s + len)}, in vectors. */
    static void copy(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + V <= len; i += V) {
            FloatVector.fromArray(F, src, s + i).intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] = src[s + i];
        }
    }
}
