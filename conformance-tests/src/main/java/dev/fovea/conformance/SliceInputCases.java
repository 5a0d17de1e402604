package dev.fovea.conformance;

import static dev.fovea.op.PoolingMode.AVERAGE;
import static dev.fovea.op.PoolingMode.MAX;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Convolution, pooling and scale-and-shift reading a channel slice of a wider tensor: compiled graphs hand
 * layers such views (DenseNet's layers read the first channels of one buffer of all the block's features, and
 * values placed in a concatenation's output are read there). The channels outside the view must not be read.
 * Shapes cover each kernel family of a SIMD backend: 1×1 as a matrix product, 3×3 stride 1 with enough channels
 * and tiles for a Winograd path, strided 3×3, depthwise, convolution with its pooling, max and average pooling.
 */
final class SliceInputCases {
    private static final String R = "rule/channel-slice-input/";

    private SliceInputCases() {
    }

    static void add(CaseList c) {
        conv(c, "conv-1x1-relu-x-channels-3..18-of-24", new int[] {2, 24, 5, 6}, 3, 16,
                ConvolutionParams.of(8, 1, 1).withActivation(Activation.RELU));
        conv(c, "conv-3x3-s1-SAME-x-channels-2..17-of-20", new int[] {1, 20, 12, 12}, 2, 16,
                ConvolutionParams.of(16, 3, 3).withPadding(Padding.SAME));
        conv(c, "conv-3x3-s2-SAME-x-channels-1..4-of-6", new int[] {2, 6, 7, 7}, 1, 4,
                ConvolutionParams.of(5, 3, 3).withStride(2, 2).withPadding(Padding.SAME));
        conv(c, "depthwise-3x3-relu6-x-channels-2..6-of-9", new int[] {2, 9, 6, 5}, 2, 5,
                ConvolutionParams.of(5, 3, 3).withGroups(5).withPadding(Padding.SAME).withActivation(Activation.RELU6));
        c.layouts(R + "conv-3x3-relu-max-pool-2x2-x-channels-1..5-of-7", (e, l) -> {
            int[] all = {2, 7, 8, 8};
            int start = 1, count = 5;
            ConvolutionParams p = ConvolutionParams.of(6, 3, 3).withPadding(Padding.SAME)
                    .withActivation(Activation.RELU);
            PoolingParams pp = PoolingParams.of(MAX, 2, 2).withStride(2, 2);
            float[] xAll = Data.ints(70_840, Data.count(all), 4);
            float[] w = Data.ints(70_841, 6 * count * 9, 3);
            float[] b = Data.ints(70_842, 6, 5);
            int[] xd = view(all, count);
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'slice'", Shape.of(xd), l, p);
            PoolingDescriptor pd = PoolingDescriptor.create("MaxPooling2D 'slice'", d.output(), l, pp);
            Oracle.Result conv = Oracle.conv(xd, ImportedOpCases.channels(xAll, all, start, count), p, w, b);
            Oracle.Result o = Oracle.pool(conv.dims(), toFloat(conv.values()), pp);
            try (Run r = new Run(e)) {
                r.require(d);
                r.require(pd);
                Plan fused = e.planConvolutionPooled(d, pd, r.host(d.weightShape(), w), r.host(d.biasShape(), b))
                        .orElseThrow(() -> CaseAbort.skip("backend '" + e.name() + "' offers no fused convolution"
                                + " + pooling plan for this pair"));
                try (fused) {
                    Tensor y = r.output(pd.output(), l);
                    fused.execute(r.input(Shape.of(all), l, xAll).channelSlice(start, count), y);
                    Check.close("y", r.read(y), o, Tolerance.accumulation(conv.magnitude()));
                }
            }
            return Outcome.pass();
        });
        pool(c, "max-pool-3x3-s2-SAME-x-channels-2..4-of-7", new int[] {2, 7, 7, 7}, 2, 3,
                PoolingParams.of(MAX, 3, 3).withStride(2, 2).withPadding(Padding.SAME));
        pool(c, "avg-pool-2x2-s2-x-channels-4..19-of-21", new int[] {1, 21, 6, 6}, 4, 16,
                PoolingParams.of(AVERAGE, 2, 2).withStride(2, 2));
        c.layouts(R + "scale-shift-relu-x-channels-1..5-of-8", (e, l) -> {
            int[] all = {2, 8, 3, 4};
            int start = 1, count = 5;
            int[] xd = view(all, count);
            float[] xAll = Data.uniform(70_843, Data.count(all), -5, 5);
            float[] sc = Data.uniform(70_844, count, -2, 2), sh = Data.uniform(70_845, count, -1, 1);
            ScaleShiftDescriptor d = ScaleShiftDescriptor.create("BatchNormalization 'slice'", Shape.of(xd), l,
                    Activation.RELU);
            Run.require(e, d);
            Oracle.Result o = Oracle.scaleShift(xd, ImportedOpCases.channels(xAll, all, start, count), sc, sh,
                    Activation.RELU);
            try (Run r = new Run(e); Plan p = r.plan(d, sc, sh)) {
                Tensor y = r.output(Shape.of(xd), l);
                p.execute(r.input(Shape.of(all), l, xAll).channelSlice(start, count), y);
                Check.close("y", r.read(y), o, Ops.affineTolerance(o.magnitude(), Activation.RELU));
            }
            return Outcome.pass();
        });
    }

    private static void conv(CaseList c, String name, int[] all, int start, int count, ConvolutionParams p) {
        c.layouts(R + name, (e, l) -> {
            int[] xd = view(all, count);
            int perFilter = count / p.groups() * p.kernelH() * p.kernelW();
            float[] xAll = Data.ints(70_830 + start, Data.count(all), 4);
            float[] w = Data.ints(70_831 + start, p.filters() * perFilter, 3);
            float[] b = Data.ints(70_832 + start, p.filters(), 5);
            ConvolutionDescriptor d = ConvolutionDescriptor.create("Conv2D 'slice'", Shape.of(xd), l, p);
            Oracle.Result o = Oracle.conv(xd, ImportedOpCases.channels(xAll, all, start, count), p, w, b);
            try (Run r = new Run(e); Plan plan = r.plan(d, w, b)) {
                Tensor y = r.output(d.output(), l);
                plan.execute(r.input(Shape.of(all), l, xAll).channelSlice(start, count), y);
                Check.close("y (channels outside the view must not be read)", r.read(y), o,
                        Tolerance.accumulation(o.magnitude()).plus(Ops.activationTolerance(p)));
            }
            return Outcome.pass();
        });
    }

    private static void pool(CaseList c, String name, int[] all, int start, int count, PoolingParams p) {
        c.layouts(R + name, (e, l) -> {
            int[] xd = view(all, count);
            float[] xAll = Data.ints(70_850 + start, Data.count(all), 9);
            float[] x = ImportedOpCases.channels(xAll, all, start, count);
            PoolingDescriptor d = PoolingDescriptor.create("Pooling2D 'slice'", Shape.of(xd), l, p);
            Oracle.Result o = Oracle.pool(xd, x, p);
            try (Run r = new Run(e)) {
                r.require(d);
                Tensor y = r.output(d.output(), l);
                e.poolingForward(d, r.input(Shape.of(all), l, xAll).channelSlice(start, count), y);
                Check.close("y (channels outside the view must not be read)", r.read(y), o,
                        p.mode() == MAX ? Tolerance.EXACT : Tolerance.average(9));
            }
            return Outcome.pass();
        });
    }

    /** {@code all} with {@code count} channels. */
    private static int[] view(int[] all, int count) {
        int[] d = all.clone();
        d[1] = count;
        return d;
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
