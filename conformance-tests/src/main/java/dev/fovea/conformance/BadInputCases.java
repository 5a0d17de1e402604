package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
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
        importedOpDescriptors(c);
        execution(c);
        importedOpExecution(c);
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

    private static BinaryDescriptor binary(BinaryOp op, Shape a, Shape b, Activation act) {
        return BinaryDescriptor.create("Add 'bad'", op, a, b, Layout.NCHW, act);
    }

    private static LrnDescriptor lrn(Shape x, int size, float alpha, float beta, float bias) {
        return LrnDescriptor.create("LRN 'bad'", x, Layout.NCHW, size, alpha, beta, bias);
    }

    private static ClampDescriptor clamp(float alpha, float beta, float min, float max) {
        return ClampDescriptor.create("Clip 'bad'", Shape.of(X), Layout.NCHW, alpha, beta, min, max);
    }

    private static PadDescriptor pad(int[] before, int[] after) {
        return PadDescriptor.create("Pad 'bad'", Shape.of(X), Layout.NCHW, before, after, 0);
    }

    private static TransposeDescriptor transpose(int... perm) {
        return TransposeDescriptor.create("Transpose 'bad'", Shape.of(X), Layout.NCHW, perm);
    }

    /** The ops of imported networks: rejected by their factories, each problem naming its parameter. */
    private static void importedOpDescriptors(CaseList c) {
        String r = "bad/descriptor/";
        Shape x = Shape.of(X);
        c.add(r + "binary-1x3x5x5-and-1x2x5x5-do-not-broadcast-on-axis-1", e -> ok(() -> rejects(() -> binary(
                BinaryOp.ADD, x, Shape.of(1, 2, 5, 5), Activation.NONE), "inputs", "axis 1", "3", "2")));
        c.add(r + "binary-2x3x5x5-and-3x3x1x1-do-not-broadcast-on-axis-0", e -> ok(() -> rejects(() -> binary(
                BinaryOp.MUL, Shape.of(2, 3, 5, 5), Shape.of(3, 3, 1, 1), Activation.NONE), "inputs", "axis 0", "2",
                "3")));
        c.add(r + "binary-rank-4-and-rank-3", e -> ok(() -> rejects(() -> binary(BinaryOp.SUB, x, Shape.of(3, 5, 5),
                Activation.NONE), "inputs", "4 axes", "[3, 5, 5]")));
        c.add(r + "binary-op-null", e -> ok(() -> rejects(() -> binary(null, x, x, Activation.NONE), "op")));
        c.add(r + "binary-activation-null", e -> ok(() -> rejects(() -> binary(BinaryOp.DIV, x, x, null),
                "activation")));
        c.add(r + "scale-shift-input-rank-3", e -> ok(() -> rejects(() -> ScaleShiftDescriptor.create(
                "BatchNormalization 'bad'", Shape.of(2, 3, 4), Layout.NCHW, Activation.NONE), "input", "[2, 3, 4]")));
        c.add(r + "scale-shift-activation-null", e -> ok(() -> rejects(() -> ScaleShiftDescriptor.create(
                "BatchNormalization 'bad'", x, Layout.NCHW, null), "activation")));
        c.add(r + "clamp-min-6-greater-than-max-0", e -> ok(() -> rejects(() -> clamp(1, 0, 6, 0), "min", "6.0",
                "0.0")));
        c.add(r + "clamp-min-nan", e -> ok(() -> rejects(() -> clamp(1, 0, Float.NaN, 6), "min", "NaN")));
        c.add(r + "clamp-alpha-infinite", e -> ok(() -> rejects(() -> clamp(Float.POSITIVE_INFINITY, 0, 0, 6), "alpha",
                "Infinity")));
        c.add(r + "lrn-size-0", e -> ok(() -> rejects(() -> lrn(x, 0, 1e-4f, 0.75f, 1), "size", "0")));
        c.add(r + "lrn-size-negative", e -> ok(() -> rejects(() -> lrn(x, -3, 1e-4f, 0.75f, 1), "size", "-3")));
        c.add(r + "lrn-bias-0", e -> ok(() -> rejects(() -> lrn(x, 5, 1e-4f, 0.75f, 0), "bias", "0.0")));
        c.add(r + "lrn-bias-negative", e -> ok(() -> rejects(() -> lrn(x, 5, 1e-4f, 0.75f, -1), "bias", "-1.0")));
        c.add(r + "lrn-bias-nan", e -> ok(() -> rejects(() -> lrn(x, 5, 1e-4f, 0.75f, Float.NaN), "bias", "NaN")));
        c.add(r + "lrn-alpha-nan", e -> ok(() -> rejects(() -> lrn(x, 5, Float.NaN, 0.75f, 1), "alpha", "NaN")));
        c.add(r + "lrn-beta-infinite", e -> ok(() -> rejectsAny(() -> lrn(x, 5, 1e-4f, Float.POSITIVE_INFINITY, 1),
                "beta", "Infinity")));
        c.add(r + "lrn-input-rank-2", e -> ok(() -> rejects(() -> lrn(Shape.of(2, 3), 3, 1e-4f, 0.75f, 1), "input",
                "[2, 3]")));
        c.add(r + "pad-before-negative", e -> ok(() -> rejects(() -> pad(new int[] {0, 0, -1, 0}, new int[4]),
                "pads", "-1")));
        c.add(r + "pad-after-negative", e -> ok(() -> rejects(() -> pad(new int[4], new int[] {0, 0, 0, -2}),
                "pads", "-2")));
        c.add(r + "pad-pads-for-3-axes-input-4-D", e -> ok(() -> rejects(() -> pad(new int[] {0, 1, 1},
                new int[] {0, 1, 1}), "pads", "[0, 1, 1]", "[1, 3, 5, 5]")));
        c.add(r + "pad-padded-size-2147483652-overflows-int", e -> ok(() -> rejects(() -> pad(
                new int[] {0, 0, Integer.MAX_VALUE, 0}, new int[4]), "pads", "2147483652")));
        c.add(r + "transpose-perm-0,1,1,3-repeats-an-axis", e -> ok(() -> rejects(() -> transpose(0, 1, 1, 3),
                "perm", "[0, 1, 1, 3]")));
        c.add(r + "transpose-perm-0,1,2,4-axis-out-of-range", e -> ok(() -> rejects(() -> transpose(0, 1, 2, 4),
                "perm", "[0, 1, 2, 4]")));
        c.add(r + "transpose-perm-minus-1,1,2,3", e -> ok(() -> rejects(() -> transpose(-1, 1, 2, 3), "perm",
                "[-1, 1, 2, 3]")));
        c.add(r + "transpose-perm-of-3-axes-input-4-D", e -> ok(() -> rejects(() -> transpose(0, 2, 1), "perm",
                "[0, 2, 1]")));
        c.add(r + "pool-dilation-height-0", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withDilation(0, 1)), "dilationH", "0")));
        c.add(r + "pool-dilation-width-negative", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.AVERAGE, 2, 2).withDilation(1, -1)), "dilationW", "-1")));
        c.add(r + "pool-dilated-window-7-larger-than-input-5", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1).withDilation(3, 1)), "kernel", "7", "5")));
        c.add(r + "pool-padding-3-not-smaller-than-dilated-window-3", e -> ok(() -> rejects(() -> pool(X, Layout.NCHW,
                PoolingParams.of(PoolingMode.MAX, 2, 2).withDilation(2, 2).withPadding(Padding.explicit(3, 0, 0, 0))),
                "padding", "3", "dilated")));
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

    /**
     * The ops of imported networks given tensors that do not match their descriptor: rejected by the engine before
     * the backend runs, the destination left as it was.
     */
    private static void importedOpExecution(CaseList c) {
        String r = "bad/execution/";
        c.layouts(r + "binary-b-is-1x3x5x5-descriptor-1x3x1x1", (e, l) -> {
            BinaryDescriptor d = BinaryDescriptor.create("Mul 'bad'", BinaryOp.MUL, Shape.of(X), Shape.of(1, 3, 1, 1),
                    l, Activation.NONE);
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor a = run.input(d.a(), l, Data.ints(310, 75, 3));
                Tensor b = run.input(Shape.of(X), l, Data.ints(311, 75, 3));
                Tensor y = run.input(d.output(), l, sentinel(75));
                rejects(() -> e.binaryForward(d, a, b, y), "b", "[1, 3, 5, 5]", "[1, 3, 1, 1]");
                Check.untouched("y", run.read(y), sentinel(75), X);
            }
            return Outcome.pass();
        });
        c.layouts(r + "binary-y-in-the-other-layout", (e, l) -> {
            BinaryDescriptor d = BinaryDescriptor.create("Add 'bad'", BinaryOp.ADD, Shape.of(X), Shape.of(X), l,
                    Activation.NONE);
            Layout other = l == Layout.NCHW ? Layout.NHWC : Layout.NCHW;
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor a = run.input(d.a(), l, Data.ints(312, 75, 3));
                Tensor y = run.input(d.output(), other, sentinel(75));
                rejects(() -> e.binaryForward(d, a, a, y), "y", other.name(), l.name());
                Check.untouched("y", run.read(y), sentinel(75), X);
            }
            return Outcome.pass();
        });
        c.layouts(r + "scale-shift-scale-has-2-values-descriptor-3-channels", (e, l) -> {
            ScaleShiftDescriptor d = ScaleShiftDescriptor.create("BatchNormalization 'bad'", Shape.of(X), l,
                    Activation.NONE);
            try (Run run = new Run(e)) {
                run.require(d);
                rejects(() -> e.planScaleShift(d, run.host(Shape.of(2), new float[2]), run.host(Shape.of(3),
                        new float[3])), "scale", "[2]", "[3]");
            }
            return Outcome.pass();
        });
        c.layouts(r + "clamp-y-shape-differs", (e, l) -> {
            ClampDescriptor d = ClampDescriptor.create("Clip 'bad'", Shape.of(X), l, 1, 0, 0, 6);
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor x = run.input(d.input(), l, Data.ints(313, 75, 9));
                Tensor y = run.input(Shape.of(1, 3, 5, 4), l, sentinel(60));
                rejects(() -> e.clampForward(d, x, y), "y", "[1, 3, 5, 4]", "[1, 3, 5, 5]");
                Check.untouched("y", run.read(y), sentinel(60), new int[] {1, 3, 5, 4});
            }
            return Outcome.pass();
        });
        c.layouts(r + "lrn-x-has-4-channels-descriptor-3", (e, l) -> {
            LrnDescriptor d = LrnDescriptor.create("LRN 'bad'", Shape.of(X), l, 3, 1e-4f, 0.75f, 1);
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor x = run.input(Shape.of(1, 4, 5, 5), l, new float[100]);
                Tensor y = run.input(d.output(), l, sentinel(75));
                rejects(() -> e.lrnForward(d, x, y), "x", "[1, 4, 5, 5]", "[1, 3, 5, 5]");
                Check.untouched("y", run.read(y), sentinel(75), X);
            }
            return Outcome.pass();
        });
        c.layouts(r + "pad-y-has-the-unpadded-shape", (e, l) -> {
            PadDescriptor d = PadDescriptor.create("Pad 'bad'", Shape.of(X), l, new int[] {0, 0, 1, 1},
                    new int[] {0, 0, 1, 1}, 0);
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor x = run.input(d.input(), l, Data.ints(314, 75, 9));
                Tensor y = run.input(Shape.of(X), l, sentinel(75));
                rejects(() -> e.padForward(d, x, y), "y", "[1, 3, 5, 5]", "[1, 3, 7, 7]");
                Check.untouched("y", run.read(y), sentinel(75), X);
            }
            return Outcome.pass();
        });
        c.add(r + "transpose-y-not-permuted", e -> {
            TransposeDescriptor d = TransposeDescriptor.create("Transpose 'bad'", Shape.of(2, 3, 4), Layout.NCHW,
                    new int[] {2, 0, 1});
            try (Run run = new Run(e)) {
                run.require(d);
                Tensor x = run.input(d.input(), Layout.NCHW, Data.ints(315, 24, 9));
                Tensor y = run.input(Shape.of(2, 3, 4), Layout.NCHW, sentinel(24));
                rejects(() -> e.transposeForward(d, x, y), "y", "[2, 3, 4]", "[4, 2, 3]");
                Check.untouched("y", run.read(y), sentinel(24), new int[] {2, 3, 4});
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
