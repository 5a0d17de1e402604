package dev.fovea.conformance;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * A seed's network run layer by layer on the backend, each output left on the engine and fed to the next layer.
 * Every layer's shape is checked against the seed's number and every layer's values against the oracle applied
 * to the backend's own previous output (so one layer's rounding does not leak into the next one's tolerance).
 * Weights are seeded, uniform in ±1/√fan-in, so activations stay near 1 at any depth.
 */
final class Chain {
    private final Run run;
    private final Layout layout;
    private long seed;
    private Tensor t;
    private float[] current;
    private int[] dims;
    private int step;

    Chain(Run run, Layout layout, long seed, int[] xd) {
        this.run = run;
        this.layout = layout;
        this.seed = seed;
        this.dims = xd;
        this.current = Data.uniform(seed, Data.count(xd), -1, 1);
        this.t = run.input(Shape.of(xd), layout, current);
    }

    private String layer(String kind) {
        return kind + " #" + (++step);
    }

    private float[] weights(int n, int fanIn) {
        float[] w = Data.uniform(++seed * 7919, n, -1, 1);
        float s = (float) (1 / Math.sqrt(fanIn));
        for (int i = 0; i < n; i++) {
            w[i] *= s;
        }
        return w;
    }

    Chain conv(ConvolutionParams p, int... expected) {
        String name = layer("Conv2D");
        int fanIn = dims[1] / p.groups() * p.kernelH() * p.kernelW();
        float[] w = weights(p.filters() * fanIn, fanIn);
        float[] b = p.bias() ? weights(p.filters(), 4) : null;
        ConvolutionDescriptor d = ConvolutionDescriptor.create(name, Shape.of(dims), layout, p);
        Check.shape(name + " output", d.output(), expected);
        Oracle.Result o = Oracle.conv(dims, current, p, w, b);
        Check.shape(name + " output (oracle)", d.output(), o.dims());
        Tensor y = run.output(d.output(), layout);
        try (Plan plan = run.plan(d, w, b)) {
            plan.execute(t, y);
        }
        return advance(name, y, o, Tolerance.accumulation(o.magnitude()).plus(Ops.activationTolerance(p)));
    }

    Chain pool(PoolingParams p, int... expected) {
        String name = layer(p.mode() + " pooling");
        PoolingDescriptor d = PoolingDescriptor.create(name, Shape.of(dims), layout, p);
        Check.shape(name + " output", d.output(), expected);
        Oracle.Result o = Oracle.pool(dims, current, p);
        Check.shape(name + " output (oracle)", d.output(), o.dims());
        run.require(d);
        Tensor y = run.output(d.output(), layout);
        run.engine.poolingForward(d, t, y);
        return advance(name, y, o, p.mode() == dev.fovea.op.PoolingMode.MAX ? Tolerance.EXACT
                : Tolerance.average(o.magnitude()));
    }

    /** Flattens in storage order (Keras' (h, w, c) for NHWC) and checks the feature count. */
    Chain flatten(int features) {
        Tensor f = t.flatten();
        Check.shape("Flatten output", f.shape(), dims[0], features);
        current = layout == Layout.NHWC ? Oracle.flattenNhwc(dims, current) : current;
        Check.close("Flatten (storage order)", run.read(f), new int[] {dims[0], features},
                Check.toDouble(current), Tolerance.EXACT);
        dims = new int[] {dims[0], features};
        t = f;
        return this;
    }

    Chain dense(int units, Activation a) {
        String name = layer("Dense");
        float[] w = weights(dims[1] * units, dims[1]);
        float[] b = weights(units, 4);
        DenseDescriptor d = DenseDescriptor.create(name, Shape.of(dims), units, true, a);
        Oracle.Result o = Oracle.dense(dims[0], dims[1], current, units, w, b, a);
        Check.shape(name + " output", d.output(), o.dims());
        Tensor y = run.output(d.output(), Layout.NCHW);
        try (Plan plan = run.plan(d, w, b)) {
            plan.execute(t, y);
        }
        return advance(name, y, o, Tolerance.accumulation(o.magnitude()).plus(Ops.activationTolerance(a)));
    }

    Chain softmax() {
        Tensor y = run.output(t.shape(), Layout.NCHW);
        run.engine.softmaxForward(t, y);
        return advance(layer("Softmax"), y, new Oracle.Result(dims, Oracle.softmax(dims[0], dims[1], current), 1),
                Tolerance.SOFTMAX);
    }

    private Chain advance(String name, Tensor y, Oracle.Result o, Tolerance tol) {
        float[] out = run.read(y);
        Check.close(name, out, o, tol);
        current = out;
        dims = o.dims();
        t = y;
        return this;
    }

    /** Checks the final shape. */
    Chain expect(int... d) {
        Check.that(Arrays.equals(dims, d), "final shape " + Arrays.toString(dims) + " expected " + Arrays.toString(d));
        return this;
    }
}
