package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ValidationException;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;

/**
 * Invalid configurations: each must throw the API's exception ({@link ValidationException} naming the parameter
 * and the numbers, {@link IllegalStateException} for a closed tensor) before any work, leaving the destination
 * exactly as it was (it holds a sentinel pattern that is compared bit for bit afterwards).
 */
final class BadInputCases {
    private BadInputCases() {
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call}; it must throw a ValidationException with a violation of {@code parameter} whose message holds every {@code numbers} string. */
    private static void rejects(Call call, String parameter, String... numbers) throws Exception {
        try {
            call.run();
        } catch (ValidationException e) {
            boolean named = e.violations().stream().anyMatch(v -> v.parameter().equals(parameter)
                    && containsAll(v.message() + " " + e.context(), numbers));
            Check.that(named, "ValidationException does not name parameter '" + parameter + "' with "
                    + String.join(", ", numbers) + ": " + e.getMessage() + " " + e.violations().stream()
                    .map(v -> v.parameter() + "=" + v.message()).toList());
            return;
        }
        throw CaseAbort.fail("no ValidationException for bad '" + parameter + "'");
    }

    /** Like {@link #rejects} for a problem several parameters could be blamed for: any parameter, with the numbers. */
    private static void rejectsAny(Call call, String... numbers) throws Exception {
        try {
            call.run();
        } catch (ValidationException e) {
            Check.that(containsAll(e.getMessage(), numbers), "ValidationException without " + String.join(", ", numbers)
                    + ": " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            throw CaseAbort.thrown("expected a ValidationException, got", e);
        }
        throw CaseAbort.fail("no ValidationException: the configuration was accepted");
    }

    private static boolean containsAll(String s, String... parts) {
        for (String p : parts) {
            if (!s.contains(p)) {
                return false;
            }
        }
        return true;
    }

    private static ConvolutionDescriptor conv(int[] xd, Layout l, ConvolutionParams p) {
        return ConvolutionDescriptor.create("Conv2D 'bad'", Shape.of(xd), l, p);
    }

    private static PoolingDescriptor pool(int[] xd, Layout l, PoolingParams p) {
        return PoolingDescriptor.create("MaxPooling2D 'bad'", Shape.of(xd), l, p);
    }

    private static final int[] X = {1, 3, 5, 5};

    static void add(CaseList c) {
        descriptors(c);
        execution(c);
    }

    /** Rejected by the descriptor factories, before any backend is involved. */
    private static void descriptors(CaseList c) {
        String r = "bad/descriptor/";
        c.add(r + "conv-filters-0", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW, ConvolutionParams.of(0, 3, 3)),
                "filters", "0")));
        c.add(r + "conv-kernel-height-negative", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, -1, 3)), "kernelH", "-1")));
        c.add(r + "conv-kernel-width-0", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW, ConvolutionParams.of(4, 3, 0)),
                "kernelW", "0")));
        c.add(r + "conv-stride-0", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 3, 3).withStride(0, 1)), "strideH", "0")));
        c.add(r + "conv-stride-width-negative", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 3, 3).withStride(1, -2)), "strideW", "-2")));
        c.add(r + "conv-dilation-0", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 3, 3).withDilation(0, 1)), "dilationH", "0")));
        c.add(r + "conv-negative-explicit-pad", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 3, 3).withPadding(Padding.explicit(0, -1, 0, 0))), "padding", "-1")));
        c.add(r + "conv-groups-2-do-not-divide-3-channels", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 3, 3).withGroups(2)), "groups", "3", "2")));
        c.add(r + "conv-groups-2-do-not-divide-5-filters", e -> ok(() -> rejects(() -> conv(new int[] {1, 4, 5, 5},
                Layout.NCHW, ConvolutionParams.of(5, 3, 3).withGroups(2)), "groups", "5", "2")));
        c.add(r + "conv-kernel-7-larger-than-input-5", e -> ok(() -> rejects(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, 7, 3)), "kernel", "7", "5")));
        c.add(r + "conv-dilated-kernel-9-larger-than-padded-input-7", e -> ok(() -> rejects(() -> conv(X, Layout.NHWC,
                ConvolutionParams.of(4, 3, 3).withDilation(1, 4).withPadding(Padding.explicit(1))), "kernel", "9", "7")));
        c.add(r + "conv-input-rank-3", e -> ok(() -> rejects(() -> ConvolutionDescriptor.create("Conv2D 'bad'",
                Shape.of(3, 5, 5), Layout.NCHW, ConvolutionParams.of(4, 3, 3)), "input", "3-D")));
        c.add(r + "pool-kernel-0", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 0, 2)), "kernelH", "0")));
        c.add(r + "pool-stride-0", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.AVERAGE, 2, 2).withStride(2, 0)), "strideW", "0")));
        c.add(r + "pool-window-6-larger-than-input-5", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 6, 2)), "kernel", "6", "5")));
        c.add(r + "pool-padding-2-not-smaller-than-window-2", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withPadding(Padding.explicit(2, 0, 0, 0))), "padding", "2")));
        c.add(r + "pool-ceil-mode-with-SAME", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withPadding(Padding.SAME).withCeilMode(true)), "ceilMode",
                "SAME")));
        c.add(r + "pool-input-rank-2", e -> ok(() -> rejects(() -> PoolingDescriptor.create("pool", Shape.of(3, 25),
                Layout.NCHW, PoolingParams.of(PoolingMode.MAX, 2, 2)), "input", "2-D")));
        c.add(r + "dense-units-0", e -> ok(() -> rejects(() -> DenseDescriptor.create("Dense 'bad'", Shape.of(2, 8), 0,
                true, Activation.NONE), "units", "0")));
        c.add(r + "dense-input-rank-4", e -> ok(() -> rejects(() -> DenseDescriptor.create("Dense 'bad'", Shape.of(X), 4,
                true, Activation.NONE), "input", "4-D")));
        // Sizes near Integer.MAX_VALUE must be rejected by validation too, not overflow into a wrong shape.
        c.add(r + "conv-dilation-2^30-effective-kernel-overflows-int", e -> ok(() -> rejectsAny(() -> conv(X,
                Layout.NCHW, ConvolutionParams.of(4, 3, 3).withDilation(1 << 30, 1)), "1073741824")));
        c.add(r + "conv-kernel-2147483647-FULL-overflows-int", e -> ok(() -> rejectsAny(() -> conv(X, Layout.NCHW,
                ConvolutionParams.of(4, Integer.MAX_VALUE, 3).withPadding(Padding.FULL)), "2147483647")));
        c.add(r + "conv-explicit-pads-2147483647-output-overflows-int", e -> ok(() -> rejectsAny(() -> conv(X,
                Layout.NCHW, ConvolutionParams.of(4, 3, 3).withPadding(Padding.explicit(Integer.MAX_VALUE, 0,
                        Integer.MAX_VALUE, 0))), "2147483647")));
        c.add(r + "shape-with-zero-dimension", e -> {
            try {
                Shape.of(1, 0, 5, 5);
            } catch (IllegalArgumentException ex) {
                Check.that(ex.getMessage().contains("[1, 0, 5, 5]"), "message does not give the dims: " + ex.getMessage());
                return Outcome.pass();
            }
            return Outcome.fail("Shape.of(1, 0, 5, 5) accepted a zero dimension");
        });
        c.add(r + "shape-with-negative-dimension", e -> {
            try {
                Shape.of(1, 3, -5, 5);
            } catch (IllegalArgumentException ex) {
                Check.that(ex.getMessage().contains("-5"), "message does not give the dims: " + ex.getMessage());
                return Outcome.pass();
            }
            return Outcome.fail("Shape.of(1, 3, -5, 5) accepted a negative dimension");
        });
    }

    private static Outcome ok(Call call) throws Exception {
        call.run();
        return Outcome.pass();
    }

    /** A destination filled with a recognizable pattern; compared bit for bit after the failed call. */
    private static float[] sentinel(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = -1000 - i;
        }
        return v;
    }

    /** Rejected by the engine when a prepared op meets the wrong tensors; the destination must stay untouched. */
    private static void execution(CaseList c) {
        String r = "bad/execution/";
        ConvolutionParams p = ConvolutionParams.of(4, 3, 3).withPadding(Padding.SAME);
        float[] w = Data.ints(300, 4 * 3 * 9, 3);
        float[] b = Data.ints(301, 4, 3);

        c.layouts(r + "conv-x-has-4-channels-descriptor-3", (e, l) -> withConv(e, l, p, w, b, (run, plan, d, y) -> {
            Tensor x = run.input(Shape.of(1, 4, 5, 5), l, new float[100]);
            rejects(() -> plan.execute(x, y), "x", "[1, 4, 5, 5]", "[1, 3, 5, 5]");
        }));
        c.layouts(r + "conv-y-has-wrong-spatial-size", (e, l) -> {
            ConvolutionDescriptor d = conv(X, l, p);
            try (Run run = new Run(e); Plan plan = run.plan(d, w, b)) {
                Tensor x = run.input(d.input(), l, Data.ints(302, 75, 3));
                Tensor y = run.input(Shape.of(1, 4, 4, 5), l, sentinel(80));
                rejects(() -> plan.execute(x, y), "y", "[1, 4, 4, 5]", "[1, 4, 5, 5]");
                Check.untouched("y", run.read(y), sentinel(80), new int[] {1, 4, 4, 5});
            }
            return Outcome.pass();
        });
        c.layouts(r + "conv-x-rank-2", (e, l) -> withConv(e, l, p, w, b, (run, plan, d, y) -> {
            Tensor x = run.input(Shape.of(1, 75), l, new float[75]);
            rejects(() -> plan.execute(x, y), "x", "[1, 75]");
        }));
        c.layouts(r + "conv-x-in-the-other-layout", (e, l) -> withConv(e, l, p, w, b, (run, plan, d, y) -> {
            Layout other = l == Layout.NCHW ? Layout.NHWC : Layout.NCHW;
            Tensor x = run.input(d.input(), other, Data.ints(303, 75, 3));
            rejects(() -> plan.execute(x, y), "x", other.name(), l.name());
        }));
        c.layouts(r + "conv-y-in-the-other-layout", (e, l) -> {
            ConvolutionDescriptor d = conv(X, l, p);
            Layout other = l == Layout.NCHW ? Layout.NHWC : Layout.NCHW;
            try (Run run = new Run(e); Plan plan = run.plan(d, w, b)) {
                Tensor x = run.input(d.input(), l, Data.ints(304, 75, 3));
                Tensor y = run.input(d.output(), other, sentinel(100));
                rejects(() -> plan.execute(x, y), "y", other.name(), l.name());
                Check.untouched("y", run.read(y), sentinel(100), d.output().dims());
            }
            return Outcome.pass();
        });
        c.layouts(r + "conv-x-from-a-closed-scope", (e, l) -> withConv(e, l, p, w, b, (run, plan, d, y) -> {
            Tensor x;
            try (TensorScope closed = new TensorScope()) {
                x = e.allocate(d.input(), l, closed);
            }
            try {
                plan.execute(x, y);
            } catch (IllegalStateException ex) {
                Check.that(ex.getMessage() != null && ex.getMessage().contains("closed"),
                        "IllegalStateException does not say the scope was closed: " + ex.getMessage());
                return;
            }
            throw CaseAbort.fail("no IllegalStateException for a tensor of a closed scope");
        }));
        c.layouts(r + "conv-weights-for-2-channels-descriptor-3", (e, l) -> {
            ConvolutionDescriptor d = conv(X, l, p);
            try (Run run = new Run(e)) {
                run.require(d);
                rejects(() -> e.planConvolution(d, run.host(Shape.of(4, 2, 3, 3), new float[72]),
                        run.host(Shape.of(4), b)), "weights", "[4, 2, 3, 3]", "[4, 3, 3, 3]");
            }
            return Outcome.pass();
        });
        c.layouts(r + "conv-bias-missing", (e, l) -> {
            ConvolutionDescriptor d = conv(X, l, p);
            try (Run run = new Run(e)) {
                run.require(d);
                rejects(() -> e.planConvolution(d, run.host(d.weightShape(), w), null), "bias");
            }
            return Outcome.pass();
        });
        c.layouts(r + "pool-x-has-4-channels-descriptor-3", (e, l) -> withPool(e, l, (run, d, y) -> {
            Tensor x = run.input(Shape.of(1, 4, 5, 5), l, new float[100]);
            rejects(() -> e.poolingForward(d, x, y), "x", "[1, 4, 5, 5]", "[1, 3, 5, 5]");
        }));
        c.layouts(r + "pool-x-in-the-other-layout", (e, l) -> withPool(e, l, (run, d, y) -> {
            Layout other = l == Layout.NCHW ? Layout.NHWC : Layout.NCHW;
            Tensor x = run.input(d.input(), other, new float[75]);
            rejects(() -> e.poolingForward(d, x, y), "x", other.name(), l.name());
        }));
        c.layouts(r + "pool-x-from-a-closed-scope", (e, l) -> withPool(e, l, (run, d, y) -> {
            Tensor x;
            try (TensorScope closed = new TensorScope()) {
                x = e.allocate(d.input(), l, closed);
            }
            try {
                e.poolingForward(d, x, y);
            } catch (IllegalStateException ex) {
                Check.that(ex.getMessage() != null && ex.getMessage().contains("closed"),
                        "IllegalStateException does not say the scope was closed: " + ex.getMessage());
                return;
            }
            throw CaseAbort.fail("no IllegalStateException for a tensor of a closed scope");
        }));
        c.layouts(r + "activation-y-shape-differs", (e, l) -> {
            try (Run run = new Run(e)) {
                Tensor x = run.input(Shape.of(1, 3, 4, 4), l, new float[48]);
                Tensor y = run.input(Shape.of(1, 3, 4, 5), l, sentinel(60));
                rejects(() -> e.activationForward(Activation.RELU, x, y), "y", "[1, 3, 4, 5]", "[1, 3, 4, 4]");
                Check.untouched("y", run.read(y), sentinel(60), new int[] {1, 3, 4, 5});
            }
            return Outcome.pass();
        });
        c.add(r + "dense-x-has-9-features-descriptor-8", e -> {
            DenseDescriptor d = DenseDescriptor.create("Dense 'bad'", Shape.of(2, 8), 3, true, Activation.NONE);
            try (Run run = new Run(e); Plan plan = run.plan(d, new float[24], new float[3])) {
                Tensor x = run.input(Shape.of(2, 9), Layout.NCHW, new float[18]);
                Tensor y = run.input(d.output(), Layout.NCHW, sentinel(6));
                rejects(() -> plan.execute(x, y), "x", "[2, 9]", "[2, 8]");
                Check.untouched("y", run.read(y), sentinel(6), new int[] {2, 3});
            }
            return Outcome.pass();
        });
        c.add(r + "softmax-x-rank-4", e -> {
            try (Run run = new Run(e)) {
                Tensor x = run.input(Shape.of(1, 2, 2, 2), Layout.NCHW, new float[8]);
                Tensor y = run.input(Shape.of(1, 2, 2, 2), Layout.NCHW, sentinel(8));
                rejects(() -> e.softmaxForward(x, y), "x", "[1, 2, 2, 2]");
                Check.untouched("y", run.read(y), sentinel(8), new int[] {1, 2, 2, 2});
            }
            return Outcome.pass();
        });
        c.add(r + "softmax-y-shape-differs", e -> {
            try (Run run = new Run(e)) {
                Tensor x = run.input(Shape.of(2, 5), Layout.NCHW, new float[10]);
                Tensor y = run.input(Shape.of(2, 4), Layout.NCHW, sentinel(8));
                rejects(() -> e.softmaxForward(x, y), "y", "[2, 4]", "[2, 5]");
                Check.untouched("y", run.read(y), sentinel(8), new int[] {2, 4});
            }
            return Outcome.pass();
        });
    }

    private interface ConvBody {
        void run(Run run, Plan plan, ConvolutionDescriptor d, Tensor y) throws Exception;
    }

    /** A valid convolution plan and a sentinel-filled destination; after {@code body}, y must be untouched. */
    private static Outcome withConv(Engine e, Layout l, ConvolutionParams p, float[] w, float[] b, ConvBody body)
            throws Exception {
        ConvolutionDescriptor d = conv(X, l, p);
        try (Run run = new Run(e); Plan plan = run.plan(d, w, b)) {
            float[] before = sentinel(Data.count(d.output().dims()));
            Tensor y = run.input(d.output(), l, before);
            body.run(run, plan, d, y);
            Check.untouched("y", run.read(y), before, d.output().dims());
        }
        return Outcome.pass();
    }

    private interface PoolBody {
        void run(Run run, PoolingDescriptor d, Tensor y) throws Exception;
    }

    private static Outcome withPool(Engine e, Layout l, PoolBody body) throws Exception {
        PoolingDescriptor d = pool(X, l, PoolingParams.of(PoolingMode.MAX, 2, 2).withPadding(Padding.SAME));
        try (Run run = new Run(e)) {
            run.require(d);
            float[] before = sentinel(Data.count(d.output().dims()));
            Tensor y = run.input(d.output(), l, before);
            body.run(run, d, y);
            Check.untouched("y", run.read(y), before, d.output().dims());
        }
        return Outcome.pass();
    }
}
