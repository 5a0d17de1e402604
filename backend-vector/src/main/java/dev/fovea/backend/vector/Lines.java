package dev.fovea.backend.vector;

/**
 * The index space of an element-wise op: a destination and operands that share its logical shape (an operand
 * repeated along an axis has stride 0 there), walked in the destination's storage order as lines along the
 * innermost axis. Adjacent axes along which every operand steps evenly are merged first, so dense tensors of one
 * layout form a single line, and an NCHW plane read against a per-channel operand is one line too. Work goes out
 * in units of about {@code SEGMENT} elements: a segment of a long line (one dense tensor still spreads over the
 * threads), or a block of consecutive short lines (NHWC lines of 64 channels: one call per pixel cost as much as
 * the work).
 */
final class Lines {
    /** The work of a block of lines. */
    interface Kernel {
        /**
         * {@code rows} lines of {@code count} elements: operand {@code k}'s first element of line {@code r} is at
         * {@code at[k] + r·step[k]}, the next ones {@link #inner} apart.
         */
        void lines(long[] at, long[] step, int rows, int count);
    }

    /** Elements of one segment: long lines are split so that tasks stay small. */
    private static final int SEGMENT = 1 << 14;
    /** Elements per task, about: large enough to pay for a hand-off, small enough to balance. */
    private static final int TASK = 1 << 15;

    /** Merged axes, outer to inner; the last is the line. */
    private final int[] dims;
    /** {@code strides[k][i]}: operand k's stride along merged axis i. */
    private final long[][] strides;
    private final long[] base;
    private final long total;

    /**
     * @param dims    the logical shape of the destination
     * @param order   its storage order, outer to inner ({@link dev.fovea.tensor.Layout#storageOrder})
     * @param strides per operand, its stride along each logical axis (0 where it is repeated)
     * @param base    per operand, the index of its element (0, …, 0)
     */
    Lines(int[] dims, int[] order, long[][] strides, long[] base) {
        int ops = strides.length;
        int[] md = new int[dims.length];
        long[][] ms = new long[ops][dims.length];
        int m = 0; // merged axes so far, filled from the inner end
        long t = 1;
        for (int j = order.length - 1; j >= 0; j--) {
            int a = order[j];
            t *= dims[a];
            if (dims[a] == 1) {
                continue; // a size-1 axis never moves, whatever its strides
            }
            if (m > 0 && mergeable(strides, ms, a, m - 1, md[m - 1], dims[a])) {
                md[m - 1] *= dims[a];
                continue;
            }
            md[m] = dims[a];
            for (int k = 0; k < ops; k++) {
                ms[k][m] = strides[k][a];
            }
            m++;
        }
        if (m == 0) {
            md[0] = 1;
            m = 1;
        }
        // Stored inner-first above; flip to outer-first.
        this.dims = new int[m];
        this.strides = new long[ops][m];
        for (int i = 0; i < m; i++) {
            this.dims[i] = md[m - 1 - i];
            for (int k = 0; k < ops; k++) {
                this.strides[k][i] = ms[k][m - 1 - i];
            }
        }
        this.base = base.clone();
        this.total = t;
    }

    /** Whether logical axis {@code a} continues merged axis {@code i} (of {@code size} cells) for every operand. */
    private static boolean mergeable(long[][] strides, long[][] ms, int a, int i, int size, int next) {
        if ((long) size * next > Integer.MAX_VALUE) {
            return false; // a line's length is an int
        }
        for (int k = 0; k < strides.length; k++) {
            if (strides[k][a] != ms[k][i] * size) {
                return false;
            }
        }
        return true;
    }

    /** Elements per line (after merging). */
    int lineLength() {
        return dims[dims.length - 1];
    }

    /** Operand {@code k}'s stride along the lines. */
    long inner(int k) {
        return strides[k][dims.length - 1];
    }

    /** Runs {@code kernel} over every element, on the pool's threads when there is enough work. */
    void run(WorkerPool pool, Kernel kernel) {
        int last = dims.length - 1;
        int len = dims[last];
        int rowDim = last > 0 ? dims[last - 1] : 1;
        int seg = Math.min(len, SEGMENT);
        int segs = Math.ceilDiv(len, seg);
        int block = segs > 1 ? 1 : Math.min(rowDim, Math.max(1, SEGMENT / len));
        int blocks = Math.ceilDiv(rowDim, block);
        long units = total / len / rowDim * blocks * segs;
        long perTask = Math.max(1, TASK / ((long) seg * block));
        long tasks = Math.ceilDiv(units, perTask);
        Geometry g = new Geometry(seg, segs, block, blocks, rowDim, len);
        if (tasks <= 1 || pool.threads() == 1 || tasks > Integer.MAX_VALUE) {
            range(kernel, 0, units, g);
            return;
        }
        // Every operand is read (or written) once per element, at most.
        pool.run((int) tasks, (task, ctx) -> range(kernel, task * perTask, Math.min(units, (task + 1) * perTask), g),
                null, WorkerPool.bytesWork(4 * total * strides.length));
    }

    /** How the lines are cut: {@code segs} segments of {@code seg} per line, blocks of {@code block} rows. */
    private record Geometry(int seg, int segs, int block, int blocks, int rowDim, int len) {
    }

    /** Units {@code [u0, u1)}; unit {@code u} is segment {@code u % segs} of row block {@code u / segs}. */
    private void range(Kernel kernel, long u0, long u1, Geometry g) {
        int ops = base.length;
        int last = dims.length - 1;
        long[] at = new long[ops];
        long[] step = new long[ops];
        for (int k = 0; k < ops; k++) {
            step[k] = last > 0 ? strides[k][last - 1] : 0;
        }
        for (long u = u0; u < u1; u++) {
            int from = (int) (u % g.segs) * g.seg;
            long t = u / g.segs;
            int r0 = (int) (t % g.blocks) * g.block;
            long outer = t / g.blocks;
            for (int k = 0; k < ops; k++) {
                at[k] = base[k] + from * strides[k][last] + r0 * step[k];
            }
            for (int i = last - 2; i >= 0 && outer > 0; i--) {
                long p = outer % dims[i];
                outer /= dims[i];
                for (int k = 0; k < ops; k++) {
                    at[k] += p * strides[k][i];
                }
            }
            kernel.lines(at, step, Math.min(g.block, g.rowDim - r0), Math.min(g.seg, g.len - from));
        }
    }
}
