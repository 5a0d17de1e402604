package dev.fovea.bench;

import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's limits, measured in the same run as the workloads so that ratios survive a noisy host:
 * a Vector API FMA probe (16 independent accumulators, register-resident) and a STREAM-like copy of arrays
 * well beyond the last-level cache (bytes counted as STREAM does: read + written).
 */
public final class Peak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private Peak() {
    }

    /** Best GFLOP/s of {@code threads} threads running FMAs at once, over several short trials. */
    public static double fmaGflops(int threads) {
        long iters = 2_000_000L;
        for (int i = 0; i < 20; i++) {
            fmaLoop(200_000L);
        }
        // Trials for at least a second: right after start-up the JIT's threads hold a core for a while, and a
        // 2-thread probe that only ever overlaps with them reads as one thread's peak.
        double best = 0;
        long start = System.nanoTime();
        for (int trial = 0; trial < 7 || (trial < 100 && System.nanoTime() - start < 1_000_000_000L); trial++) {
            double seconds = parallel(threads, () -> fmaLoop(iters));
            best = Math.max(best, threads * iters * 16.0 * 2 * S.length() / seconds / 1e9);
        }
        return best;
    }

    /** Best copy GB/s (read + written bytes) of {@code threads} threads, each copying its share. */
    public static double copyGbps(int threads) {
        double best = 0;
        long start = System.nanoTime();
        for (int trial = 0; trial < 6 || (trial < 60 && System.nanoTime() - start < 1_000_000_000L); trial++) {
            best = Math.max(best, copySampleGbps(threads));
        }
        return best;
    }

    /**
     * Copy GB/s right now: the best of 3 single copies (a single copy is itself noisy here, 12–26 GB/s back to
     * back). Measured between rounds of a memory-bound workload, it tells the host's bandwidth at that moment.
     */
    public static double copyGbpsNow(int threads) {
        return Math.max(copySampleGbps(threads), Math.max(copySampleGbps(threads), copySampleGbps(threads)));
    }

    /** 96 MiB per array: far beyond L3. Allocated on first use and kept for later probes. */
    private static final int COPY_FLOATS = 24 << 20;
    private static float[] copyFrom;
    private static float[] copyTo;

    /** One copy of the probe's arrays by {@code threads} threads, each copying its share: GB/s (read + written). */
    public static synchronized double copySampleGbps(int threads) {
        if (copyFrom == null) {
            copyFrom = new float[COPY_FLOATS];
            copyTo = new float[COPY_FLOATS];
            java.util.Arrays.fill(copyFrom, 1f);
        }
        float[] a = copyFrom;
        float[] b = copyTo;
        int n = COPY_FLOATS;
        double seconds = parallelIndexed(threads, t -> {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            System.arraycopy(a, from, b, from, to - from);
        });
        sink += b[n / 2];
        return 2.0 * 4 * n / seconds / 1e9;
    }

    private static void fmaLoop(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector a = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        FloatVector c8 = c0;
        FloatVector c9 = c0;
        FloatVector c10 = c0;
        FloatVector c11 = c0;
        FloatVector c12 = c0;
        FloatVector c13 = c0;
        FloatVector c14 = c0;
        FloatVector c15 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a);
            c1 = c1.fma(m, a);
            c2 = c2.fma(m, a);
            c3 = c3.fma(m, a);
            c4 = c4.fma(m, a);
            c5 = c5.fma(m, a);
            c6 = c6.fma(m, a);
            c7 = c7.fma(m, a);
            c8 = c8.fma(m, a);
            c9 = c9.fma(m, a);
            c10 = c10.fma(m, a);
            c11 = c11.fma(m, a);
            c12 = c12.fma(m, a);
            c13 = c13.fma(m, a);
            c14 = c14.fma(m, a);
            c15 = c15.fma(m, a);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10)
                .add(c11).add(c12).add(c13).add(c14).add(c15);
        sink += sum.reduceLanes(VectorOperators.ADD);
    }

    private interface Indexed {
        void run(int thread);
    }

    private static double parallel(int threads, Runnable body) {
        return parallelIndexed(threads, t -> body.run());
    }

    /** Seconds from a common start until the last thread is done. */
    private static double parallelIndexed(int threads, Indexed body) {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] end = new long[threads];
        long[] begin = new long[threads];
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                begin[id] = System.nanoTime();
                body.run(id);
                end[id] = System.nanoTime();
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        long first = Long.MAX_VALUE;
        long last = 0;
        for (int t = 0; t < threads; t++) {
            first = Math.min(first, begin[t]);
            last = Math.max(last, end[t]);
        }
        return (last - first) / 1e9;
    }
}
