package dev.fovea.conformance;

import java.util.SplittableRandom;

/** Seeded test data: the same seed gives the same numbers on every JVM. */
final class Data {
    private Data() {
    }

    /** {@code n} floats uniform in {@code [lo, hi)}. */
    static float[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /**
     * {@code n} small non-zero integers in {@code [−m, m]}: sums are exact in float, and a tap read from the wrong
     * place (or a padded cell read as non-zero) changes the result by at least 1.
     */
    static float[] ints(long seed, int n, int m) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(1, m + 1);
            v[i] = r.nextBoolean() ? k : -k;
        }
        return v;
    }

    /** {@code n} negative values in {@code [−hi, −lo)}: max pooling must never produce a padded 0 from them. */
    static float[] negative(long seed, int n) {
        return uniform(seed, n, -9.0, -0.5);
    }

    /** 0, 1, 2, ... as floats. */
    static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    /** 1, 2, ..., n as floats. */
    static float[] iota1(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }

    static int[] dims(int... d) {
        return d;
    }

    static int count(int[] d) {
        int n = 1;
        for (int x : d) {
            n *= x;
        }
        return n;
    }
}
