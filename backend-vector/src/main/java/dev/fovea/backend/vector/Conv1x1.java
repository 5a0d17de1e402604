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
 * stride is 1), multiplies it with the weights packed once at plan time into panels of {@link #NR} columns, and
 * stores the tile with bias and activation applied on the way out. The micro-kernel holds a {@link #MR} ×
 * {@link #NR} tile in 24 vector registers (6 broadcasts and 4 loads per 24 FMAs); the reduction is blocked by
 * {@link #KC} so that a panel's slice stays in L1 while the tiles sweep over it.
 */
final class Conv1x1 implements Plan, WorkerPool.Body {
    /** Pixels per micro-tile. */
    static final int MR = 6;
    /** Columns of a full panel: four vectors. */
    static final int NR = 4 * V;
    /** Reduction depth per cache block: a {@code KC × NR} panel slice is 32 KiB. */
    static final int KC = 8192 / NR;
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
    private final long flops;
    /** Packed weights: panel j holds {@code B[cc][panelCol[j] + i]} at {@code panelOff[j] + cc·panelWidth[j] + i}. */
    private final float[] packed;
    private final int[] panelCol;
    private final int[] panelWidth;
    private final int[] panelOff;
    /** Chunk i holds panels {@code chunkPanel[i] .. chunkPanel[i + 1] − 1}. */
    private final int[] chunkPanel;
    /** Bias per output channel, zero-padded to the panels' width (zeros when the layer has none). */
    private final float[] bias;
    private final int rowsPerTask;
    private final int rowTasks;
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
        flops = op.flops();

        // Panels: full ones of NR columns, then the rest in panels of 2V or V.
        int full = k / NR;
        int count = full;
        for (int rest = k - full * NR; rest > 0; rest -= rest > V ? 2 * V : V) {
            count++;
        }
        panelCol = new int[count];
        panelWidth = new int[count];
        panelOff = new int[count];
        int col = 0;
        int off = 0;
        for (int j = 0; j < count; j++) {
            int width = j < full ? NR : (k - col > V ? 2 * V : V);
            panelCol[j] = col;
            panelWidth[j] = width;
            panelOff[j] = off;
            col += width;
            off += c * width;
        }
        packed = new float[off];
        for (int j = 0; j < count; j++) {
            int valid = Math.min(panelWidth[j], k - panelCol[j]);
            for (int cc = 0; cc < c; cc++) {
                for (int i = 0; i < valid; i++) {
                    packed[panelOff[j] + cc * panelWidth[j] + i] = wts[(panelCol[j] + i) * c + cc];
                }
            }
        }
        bias = new float[col];
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, k);
        }

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
        rowTasks = Math.toIntExact(Math.ceilDiv(pixels, rows));
        tasks = Math.multiplyExact(rowTasks, chunks.length - 1);
    }

    /** Panel boundaries of chunks of at most {@code columns} columns (at least one panel each). */
    private int[] chunks(int columns) {
        int[] starts = new int[panelCol.length + 1];
        int count = 0;
        int width = 0;
        for (int j = 0; j < panelCol.length; j++) {
            if (j == 0 || width + panelWidth[j] > columns) {
                starts[count++] = j;
                width = 0;
            }
            width += panelWidth[j];
        }
        starts[count] = panelCol.length;
        return java.util.Arrays.copyOf(starts, count + 1);
    }

    long flops() {
        return flops;
    }

    @Override
    public void execute(Tensor x, Tensor y) {
        Tensor[] io = {x, y};
        if (flops < 2_000_000L) {
            for (int t = 0; t < tasks; t++) {
                run(t, io);
            }
        } else {
            pool.run(tasks, this, io);
        }
    }

    @Override
    public void run(int task, Object ctx) {
        Tensor[] io = (Tensor[]) ctx;
        int chunk = task % (chunkPanel.length - 1);
        int m0 = (task / (chunkPanel.length - 1)) * rowsPerTask;
        int rows = (int) Math.min(rowsPerTask, (long) n * p * q - m0);
        int padded = Math.ceilDiv(rows, MR) * MR;
        int j0 = chunkPanel[chunk];
        int j1 = chunkPanel[chunk + 1];
        int col0 = panelCol[j0];
        int width = panelCol[j1 - 1] + panelWidth[j1 - 1] - col0;
        Scratch scratch = Scratch.get();
        // Rows past the block's last pixel are computed from whatever the buffer holds and never stored.
        float[] a = scratch.input(padded * c);
        gather(io[0], m0, rows, a);
        float[] tile = scratch.output(padded * width);
        for (int k0 = 0; k0 < c; k0 += KC) {
            int len = Math.min(KC, c - k0);
            boolean first = k0 == 0;
            for (int j = j0; j < j1; j++) {
                int pw = panelWidth[j];
                int bOff = panelOff[j] + k0 * pw;
                int tOff = panelCol[j] - col0;
                for (int i = 0; i < padded; i += MR) {
                    int aOff = i * c + k0;
                    int cOff = i * width + tOff;
                    if (pw == NR) {
                        kernel4(a, aOff, c, len, packed, bOff, tile, cOff, width, first);
                    } else if (pw == 2 * V) {
                        kernel2(a, aOff, c, len, packed, bOff, tile, cOff, width, first);
                    } else {
                        kernel1(a, aOff, c, len, packed, bOff, tile, cOff, width, first);
                    }
                }
            }
        }
        store(tile, width, rows, m0, col0, Math.min(width, k - col0), io[1]);
    }

    /** Copies the input channels of output pixels {@code m0 .. m0 + rows − 1} into {@code a} as {@code [m][c]}. */
    private void gather(Tensor x, int m0, int rows, float[] a) {
        MemorySegment xs = x.buffer();
        long s0 = x.stride(0);
        long s1 = x.stride(1);
        long s2 = x.stride(2);
        long s3 = x.stride(3);
        int img = m0 / (p * q);
        int pp = m0 % (p * q) / q;
        int qq = m0 % q;
        int m = 0;
        while (m < rows) {
            int run = Math.min(q - qq, rows - m);
            long src = x.offset() + img * s0 + (long) pp * sh * s2 + (long) qq * sw * s3;
            int dst = m * c;
            if (s1 == 1 && sw * s3 == c) {
                MemorySegment.copy(xs, FLOAT, src * 4, a, dst, run * c);
            } else if (s1 == 1) {
                for (int j = 0; j < run; j++) {
                    MemorySegment.copy(xs, FLOAT, (src + j * sw * s3) * 4, a, dst + j * c, c);
                }
            } else {
                // Channels-first: a transpose of a C × run block.
                for (int ch = 0; ch < c; ch++) {
                    long cb = src + ch * s1;
                    for (int j = 0; j < run; j++) {
                        a[dst + j * c + ch] = xs.getAtIndex(FLOAT, cb + j * sw * s3);
                    }
                }
            }
            m += run;
            qq = 0;
            if (++pp == p) {
                pp = 0;
                img++;
            }
        }
    }

    /**
     * Stores tile columns {@code [0, valid)} of rows {@code 0 .. rows − 1} ({@code ldt} floats apart) as channels
     * {@code col0 ..} of output pixels {@code m0 ..}, with bias and activation applied.
     */
    private void store(float[] tile, int ldt, int rows, int m0, int col0, int valid, Tensor y) {
        MemorySegment ys = y.buffer();
        long s0 = y.stride(0);
        long s1 = y.stride(1);
        long s2 = y.stride(2);
        long s3 = y.stride(3);
        int img = m0 / (p * q);
        int pp = m0 % (p * q) / q;
        int qq = m0 % q;
        for (int m = 0; m < rows; m++) {
            long base = y.offset() + img * s0 + pp * s2 + qq * s3 + col0 * s1;
            int t = m * ldt;
            if (s1 != 1) {
                for (int j = 0; j < valid; j++) {
                    float v = tile[t + j] + bias[col0 + j];
                    ys.setAtIndex(FLOAT, base + j * s1, Epilogue.activate(v, act));
                }
            } else if (Epilogue.inLoop(act) == act) {
                storeInLoop(tile, t, col0, valid, ys, base);
            } else {
                storeActivated(tile, t, col0, valid, ys, base);
            }
            if (++qq == q) {
                qq = 0;
                if (++pp == p) {
                    pp = 0;
                    img++;
                }
            }
        }
    }

    /** One pixel's channels, adjacent in {@code y}, with an activation the loop writes out itself. */
    private void storeInLoop(float[] tile, int t, int col0, int valid, MemorySegment ys, long base) {
        int j = 0;
        for (; j + V <= valid; j += V) {
            FloatVector v = FloatVector.fromArray(F, tile, t + j).add(FloatVector.fromArray(F, bias, col0 + j));
            v = switch (act) {
                case Epilogue.RELU -> v.max(0f);
                case Epilogue.RELU6 -> v.max(0f).min(6f);
                case Epilogue.HARD_SIGMOID -> v.fma(1f / 6, 0.5f).max(0f).min(1f);
                case Epilogue.HARD_SWISH -> v.mul(v.fma(1f / 6, 0.5f).max(0f).min(1f));
                default -> v;
            };
            v.intoMemorySegment(ys, (base + j) * 4, ORDER);
        }
        for (; j < valid; j++) {
            ys.setAtIndex(FLOAT, base + j, Epilogue.inLoop(tile[t + j] + bias[col0 + j], act));
        }
    }

    /** As {@link #storeInLoop} for the activations computed by {@link Epilogue#activate(FloatVector, int)}. */
    private void storeActivated(float[] tile, int t, int col0, int valid, MemorySegment ys, long base) {
        int j = 0;
        for (; j + V <= valid; j += V) {
            FloatVector v = FloatVector.fromArray(F, tile, t + j).add(FloatVector.fromArray(F, bias, col0 + j));
            Epilogue.activate(v, act).intoMemorySegment(ys, (base + j) * 4, ORDER);
        }
        if (j < valid) {
            VectorMask<Float> mask = F.indexInRange(j, valid);
            FloatVector v = FloatVector.fromArray(F, tile, t + j).add(FloatVector.fromArray(F, bias, col0 + j));
            Epilogue.activate(v, act).intoMemorySegment(ys, (base + j) * 4, ORDER, mask);
        }
    }

    /**
     * The main micro-kernel: {@code C[i][0, NR) (+)= Σ_{kk < len} A[i][kk] · B[kk][0, NR)} for the {@link #MR}
     * rows {@code i} of A at {@code a[aOff + i·lda]}, B the panel rows at {@code b[bOff + kk·NR]}, C at
     * {@code c[cOff + i·ldc]}; {@code first} starts from zero instead of adding to C.
     */
    static void kernel4(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        FloatVector c00;
        FloatVector c01;
        FloatVector c02;
        FloatVector c03;
        FloatVector c10;
        FloatVector c11;
        FloatVector c12;
        FloatVector c13;
        FloatVector c20;
        FloatVector c21;
        FloatVector c22;
        FloatVector c23;
        FloatVector c30;
        FloatVector c31;
        FloatVector c32;
        FloatVector c33;
        FloatVector c40;
        FloatVector c41;
        FloatVector c42;
        FloatVector c43;
        FloatVector c50;
        FloatVector c51;
        FloatVector c52;
        FloatVector c53;
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c02 = z; c03 = z;
            c10 = z; c11 = z; c12 = z; c13 = z;
            c20 = z; c21 = z; c22 = z; c23 = z;
            c30 = z; c31 = z; c32 = z; c33 = z;
            c40 = z; c41 = z; c42 = z; c43 = z;
            c50 = z; c51 = z; c52 = z; c53 = z;
        } else {
            int o = cOff;
            c00 = FloatVector.fromArray(F, c, o); c01 = FloatVector.fromArray(F, c, o + V);
            c02 = FloatVector.fromArray(F, c, o + 2 * V); c03 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c10 = FloatVector.fromArray(F, c, o); c11 = FloatVector.fromArray(F, c, o + V);
            c12 = FloatVector.fromArray(F, c, o + 2 * V); c13 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c20 = FloatVector.fromArray(F, c, o); c21 = FloatVector.fromArray(F, c, o + V);
            c22 = FloatVector.fromArray(F, c, o + 2 * V); c23 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c30 = FloatVector.fromArray(F, c, o); c31 = FloatVector.fromArray(F, c, o + V);
            c32 = FloatVector.fromArray(F, c, o + 2 * V); c33 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c40 = FloatVector.fromArray(F, c, o); c41 = FloatVector.fromArray(F, c, o + V);
            c42 = FloatVector.fromArray(F, c, o + 2 * V); c43 = FloatVector.fromArray(F, c, o + 3 * V);
            o += ldc;
            c50 = FloatVector.fromArray(F, c, o); c51 = FloatVector.fromArray(F, c, o + V);
            c52 = FloatVector.fromArray(F, c, o + 2 * V); c53 = FloatVector.fromArray(F, c, o + 3 * V);
        }
        for (int kk = 0; kk < len; kk++) {
            int bk = bOff + kk * NR;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * V);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01); c02 = s.fma(b2, c02); c03 = s.fma(b3, c03);
            s = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11); c12 = s.fma(b2, c12); c13 = s.fma(b3, c13);
            s = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21); c22 = s.fma(b2, c22); c23 = s.fma(b3, c23);
            s = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31); c32 = s.fma(b2, c32); c33 = s.fma(b3, c33);
            s = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41); c42 = s.fma(b2, c42); c43 = s.fma(b3, c43);
            s = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51); c52 = s.fma(b2, c52); c53 = s.fma(b3, c53);
        }
        int o = cOff;
        c00.intoArray(c, o); c01.intoArray(c, o + V); c02.intoArray(c, o + 2 * V); c03.intoArray(c, o + 3 * V);
        o += ldc;
        c10.intoArray(c, o); c11.intoArray(c, o + V); c12.intoArray(c, o + 2 * V); c13.intoArray(c, o + 3 * V);
        o += ldc;
        c20.intoArray(c, o); c21.intoArray(c, o + V); c22.intoArray(c, o + 2 * V); c23.intoArray(c, o + 3 * V);
        o += ldc;
        c30.intoArray(c, o); c31.intoArray(c, o + V); c32.intoArray(c, o + 2 * V); c33.intoArray(c, o + 3 * V);
        o += ldc;
        c40.intoArray(c, o); c41.intoArray(c, o + V); c42.intoArray(c, o + 2 * V); c43.intoArray(c, o + 3 * V);
        o += ldc;
        c50.intoArray(c, o); c51.intoArray(c, o + V); c52.intoArray(c, o + 2 * V); c53.intoArray(c, o + 3 * V);
    }

    /** {@link #kernel4} for a panel of two vectors (panel rows {@code 2V} floats apart). */
    static void kernel2(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
            c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        } else {
            c00 = FloatVector.fromArray(F, c, cOff); c01 = FloatVector.fromArray(F, c, cOff + V);
            c10 = FloatVector.fromArray(F, c, cOff + ldc); c11 = FloatVector.fromArray(F, c, cOff + ldc + V);
            c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + V);
            c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + V);
            c40 = FloatVector.fromArray(F, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(F, c, cOff + 4 * ldc + V);
            c50 = FloatVector.fromArray(F, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(F, c, cOff + 5 * ldc + V);
        }
        for (int kk = 0; kk < len; kk++) {
            int bk = bOff + kk * 2 * V;
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + V);
            FloatVector s;
            s = FloatVector.broadcast(F, a[a0 + kk]);
            c00 = s.fma(b0, c00); c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(F, a[a1 + kk]);
            c10 = s.fma(b0, c10); c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(F, a[a2 + kk]);
            c20 = s.fma(b0, c20); c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(F, a[a3 + kk]);
            c30 = s.fma(b0, c30); c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(F, a[a4 + kk]);
            c40 = s.fma(b0, c40); c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(F, a[a5 + kk]);
            c50 = s.fma(b0, c50); c51 = s.fma(b1, c51);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + V);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + V);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + V);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + V);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + V);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + V);
    }

    /** {@link #kernel4} for a panel of one vector. */
    static void kernel1(float[] a, int aOff, int lda, int len, float[] b, int bOff, float[] c, int cOff, int ldc,
            boolean first) {
        int a0 = aOff;
        int a1 = aOff + lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        FloatVector c0;
        FloatVector c1;
        FloatVector c2;
        FloatVector c3;
        FloatVector c4;
        FloatVector c5;
        if (first) {
            FloatVector z = FloatVector.zero(F);
            c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z;
        } else {
            c0 = FloatVector.fromArray(F, c, cOff);
            c1 = FloatVector.fromArray(F, c, cOff + ldc);
            c2 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
            c3 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
            c4 = FloatVector.fromArray(F, c, cOff + 4 * ldc);
            c5 = FloatVector.fromArray(F, c, cOff + 5 * ldc);
        }
        for (int kk = 0; kk < len; kk++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bOff + kk * V);
            c0 = FloatVector.broadcast(F, a[a0 + kk]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[a1 + kk]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[a2 + kk]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[a3 + kk]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[a4 + kk]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[a5 + kk]).fma(b0, c5);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
    }
}
