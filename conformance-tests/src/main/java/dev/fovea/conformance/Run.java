package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.spi.Plan;
import dev.fovea.spi.Support;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;

/**
 * One case's tensors on the engine under test, all freed when the case ends. Data goes in and comes out in
 * logical order through {@link Engine#copy}, so device backends work too. Every destination is filled with NaN
 * before an op runs: an element the backend does not write fails the comparison.
 */
final class Run implements AutoCloseable {
    final Engine engine;
    final TensorScope scope = new TensorScope();
    /** What destinations are filled with before an op runs. */
    private final float poison;

    Run(Engine engine) {
        this(engine, Float.NaN);
    }

    /**
     * Destinations filled with {@code poison} instead of NaN: for cases whose expected values hold NaN, so that an
     * element the backend never writes still fails.
     */
    Run(Engine engine, float poison) {
        this.engine = engine;
        this.poison = poison;
    }

    /** Skips the case, with the backend's reason, unless the backend supports {@code op}. */
    void require(OpDescriptor op) {
        require(engine, op);
    }

    static void require(Engine engine, OpDescriptor op) {
        Support s = engine.supports(op);
        if (!s.supported()) {
            throw CaseAbort.skip("backend '" + engine.name() + "' does not support this " + describe(op) + ": "
                    + s.reason());
        }
    }

    /**
     * The op as a reader of a SKIP line knows it ({@code 3×3 convolution [1, 3, 5, 5] NHWC}): the layer names the
     * cases give their descriptors are internal labels, and the line already names the case.
     */
    static String describe(OpDescriptor op) {
        return switch (op) {
            case ConvolutionDescriptor c -> c.kernelH() + "×" + c.kernelW() + " convolution " + c.input() + " "
                    + c.layout();
            case PoolingDescriptor p -> p.kernelH() + "×" + p.kernelW() + " "
                    + p.mode().name().toLowerCase(java.util.Locale.ROOT) + " pooling " + p.input() + " " + p.layout();
            case DenseDescriptor d -> "dense layer " + d.input() + " → " + d.units() + " units";
            case BinaryDescriptor b -> b.op().name().toLowerCase(java.util.Locale.ROOT) + " of " + b.a() + " and "
                    + b.b() + " " + b.layout();
            case ScaleShiftDescriptor s -> "scale-and-shift " + s.input() + " " + s.layout();
            case ClampDescriptor c -> "clamp " + c.input() + " " + c.layout();
            case LrnDescriptor l -> "local response normalization (size " + l.size() + ") " + l.input() + " "
                    + l.layout();
            case PadDescriptor p -> "pad " + p.input() + " → " + p.output() + " " + p.layout();
            case TransposeDescriptor t -> "transpose " + t.input() + " → " + t.output();
        };
    }

    /** A tensor of the engine holding {@code logical} (in [N, C, H, W] order), stored in {@code layout}. */
    Tensor input(Shape shape, Layout layout, float[] logical) {
        Tensor t = engine.allocate(shape, layout, scope);
        write(t, logical);
        return t;
    }

    /** A destination of the engine, poisoned with NaN (or this run's finite poison). */
    Tensor output(Shape shape, Layout layout) {
        return output(shape, layout, poison);
    }

    /**
     * A destination filled with {@code poison}: cases whose expected values hold NaN use a finite poison, so an
     * element the backend never writes still fails.
     */
    Tensor output(Shape shape, Layout layout, float poison) {
        Tensor t = engine.allocate(shape, layout, scope);
        fill(t, poison);
        return t;
    }

    void write(Tensor t, float[] logical) {
        engine.copy(scope.fromArray(logical, t.shape(), Layout.NCHW), t);
    }

    void fill(Tensor t, float value) {
        Tensor h = scope.allocate(t.shape(), Layout.NCHW);
        h.fill(value);
        engine.copy(h, t);
    }

    /** The elements of {@code t} in logical order. */
    float[] read(Tensor t) {
        Tensor h = scope.allocate(t.shape(), Layout.NCHW);
        engine.copy(t, h);
        return h.toArray();
    }

    /** A contiguous host tensor of this run's scope, for an op's host outputs (batch statistics). */
    Tensor scopeHost(Shape shape) {
        Tensor t = scope.allocate(shape, Layout.NCHW);
        t.fill(Float.NaN);
        return t;
    }

    /** A contiguous host tensor in logical order (weights, bias), or null for null data. */
    Tensor host(Shape shape, float[] data) {
        return data == null ? null : scope.fromArray(data, shape, Layout.NCHW);
    }

    Plan plan(ConvolutionDescriptor d, float[] w, float[] b) {
        require(d);
        return engine.planConvolution(d, host(d.weightShape(), w), host(d.biasShape(), b));
    }

    Plan plan(DenseDescriptor d, float[] w, float[] b) {
        require(d);
        return engine.planDense(d, host(d.weightShape(), w), host(Shape.of(d.units()), b));
    }

    /** Runs the convolution on fresh tensors; returns y in logical order. */
    float[] conv(ConvolutionDescriptor d, float[] x, float[] w, float[] b) {
        try (Plan p = plan(d, w, b)) {
            Tensor xt = input(d.input(), d.layout(), x);
            Tensor yt = output(d.output(), d.layout());
            p.execute(xt, yt);
            return read(yt);
        }
    }

    /**
     * Runs the convolution and the pooling reading its output as the backend's fused plan; skips the case when the
     * backend offers no fusion for them. Returns the pooled y in logical order.
     */
    float[] convPool(ConvolutionDescriptor d, PoolingDescriptor pd, float[] x, float[] w, float[] b) {
        require(d);
        require(pd);
        Plan fused = engine.planConvolutionPooled(d, pd, host(d.weightShape(), w), host(d.biasShape(), b))
                .orElseThrow(() -> CaseAbort.skip("backend '" + engine.name()
                        + "' offers no fused convolution + pooling plan for this " + describe(d) + " followed by "
                        + describe(pd)));
        try (fused) {
            Tensor xt = input(d.input(), d.layout(), x);
            Tensor yt = output(pd.output(), pd.layout());
            fused.execute(xt, yt);
            return read(yt);
        }
    }

    /** {@code y = act(a op b)} with broadcasting on fresh tensors; returns y in logical order. */
    float[] binary(BinaryDescriptor d, float[] a, float[] b) {
        require(d);
        Tensor at = input(d.a(), d.layout(), a);
        Tensor bt = input(d.b(), d.layout(), b);
        Tensor yt = output(d.output(), d.layout());
        engine.binaryForward(d, at, bt, yt);
        return read(yt);
    }

    /** Prepares a scale-and-shift from host {@code scale} and {@code shift} {@code [C]}. */
    Plan plan(ScaleShiftDescriptor d, float[] scale, float[] shift) {
        require(d);
        return engine.planScaleShift(d, host(d.parameterShape(), scale), host(d.parameterShape(), shift));
    }

    float[] scaleShift(ScaleShiftDescriptor d, float[] x, float[] scale, float[] shift) {
        try (Plan p = plan(d, scale, shift)) {
            Tensor xt = input(d.input(), d.layout(), x);
            Tensor yt = output(d.output(), d.layout());
            p.execute(xt, yt);
            return read(yt);
        }
    }

    float[] clamp(ClampDescriptor d, float[] x) {
        require(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = output(d.output(), d.layout());
        engine.clampForward(d, xt, yt);
        return read(yt);
    }

    float[] lrn(LrnDescriptor d, float[] x) {
        require(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = output(d.output(), d.layout());
        engine.lrnForward(d, xt, yt);
        return read(yt);
    }

    float[] pad(PadDescriptor d, float[] x) {
        require(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = output(d.output(), d.layout());
        engine.padForward(d, xt, yt);
        return read(yt);
    }

    float[] transpose(TransposeDescriptor d, float[] x) {
        require(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = output(d.output(), d.layout());
        engine.transposeForward(d, xt, yt);
        return read(yt);
    }

    float[] pool(PoolingDescriptor d, float[] x) {
        require(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = output(d.output(), d.layout());
        engine.poolingForward(d, xt, yt);
        return read(yt);
    }

    float[] dense(DenseDescriptor d, float[] x, float[] w, float[] b) {
        try (Plan p = plan(d, w, b)) {
            Tensor xt = input(d.input(), Layout.NCHW, x);
            Tensor yt = output(d.output(), Layout.NCHW);
            p.execute(xt, yt);
            return read(yt);
        }
    }

    float[] activation(Activation a, Shape shape, Layout layout, float[] x) {
        Tensor xt = input(shape, layout, x);
        Tensor yt = output(shape, layout);
        engine.activationForward(a, xt, yt);
        return read(yt);
    }

    float[] softmax(Shape shape, float[] x) {
        Tensor xt = input(shape, Layout.NCHW, x);
        Tensor yt = output(shape, Layout.NCHW);
        engine.softmaxForward(xt, yt);
        return read(yt);
    }

    // ---- backward ops: inputs written from logical arrays, destinations poisoned, results read back ----

    /**
     * Skips the case unless the backend lists {@link dev.fovea.spi.Capability#TRAINING} and supports {@code op}
     * (null: an op without a descriptor, such as an activation).
     */
    void requireTraining(OpDescriptor op) {
        requireTraining(engine, op);
    }

    static void requireTraining(Engine engine, OpDescriptor op) {
        if (!engine.supportsTraining()) {
            throw CaseAbort.skip("backend '" + engine.name() + "' has no backward ops (it does not list"
                    + " Capability.TRAINING)");
        }
        if (op != null) {
            require(engine, op);
        }
    }

    /** {@code dx} of a convolution from {@code dy} and the weights. */
    float[] convBackwardData(ConvolutionDescriptor d, float[] w, float[] dy) {
        requireTraining(d);
        Tensor dyt = input(d.output(), d.layout(), dy);
        Tensor dx = output(d.input(), d.layout());
        engine.convolutionBackwardData(d, host(d.weightShape(), w), dyt, dx);
        return read(dx);
    }

    /** {@code dw [K, C/g, kH, kW]} of a convolution from its input and {@code dy}. */
    float[] convBackwardFilter(ConvolutionDescriptor d, float[] x, float[] dy) {
        requireTraining(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor dyt = input(d.output(), d.layout(), dy);
        Tensor dw = output(d.weightShape(), Layout.NCHW);
        engine.convolutionBackwardFilter(d, xt, dyt, dw);
        return read(dw);
    }

    /** {@code db [K]} of a convolution from {@code dy}. */
    float[] convBackwardBias(ConvolutionDescriptor d, float[] dy) {
        requireTraining(d);
        Tensor dyt = input(d.output(), d.layout(), dy);
        Tensor db = output(d.biasShape(), Layout.NCHW);
        engine.convolutionBackwardBias(d, dyt, db);
        return read(db);
    }

    /** {@code {dw, db}} of a convolution with a bias from its input and {@code dy}, in one call. */
    float[][] convBackwardWeights(ConvolutionDescriptor d, float[] x, float[] dy) {
        requireTraining(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor dyt = input(d.output(), d.layout(), dy);
        Tensor dw = output(d.weightShape(), Layout.NCHW);
        Tensor db = output(d.biasShape(), Layout.NCHW);
        engine.convolutionBackwardWeights(d, xt, dyt, dw, db);
        return new float[][] {read(dw), read(db)};
    }

    /** {@code dx} of a pooling from the forward's input and output and {@code dy}. */
    float[] poolBackward(PoolingDescriptor d, float[] x, float[] y, float[] dy) {
        requireTraining(d);
        Tensor xt = input(d.input(), d.layout(), x);
        Tensor yt = input(d.output(), d.layout(), y);
        Tensor dyt = input(d.output(), d.layout(), dy);
        Tensor dx = output(d.input(), d.layout());
        engine.poolingBackward(d, xt, yt, dyt, dx);
        return read(dx);
    }

    /** {@code dx} of an activation from its forward output {@code y} and {@code dy}. */
    float[] activationBackward(Activation a, Shape shape, Layout layout, float[] y, float[] dy) {
        requireTraining(null);
        Tensor yt = input(shape, layout, y);
        Tensor dyt = input(shape, layout, dy);
        Tensor dx = output(shape, layout);
        engine.activationBackward(a, yt, dyt, dx);
        return read(dx);
    }

    /** {@code {dx or null, dw, db or null}} of a dense layer; {@code dx} is not requested when {@code withDx} is false. */
    float[][] denseBackward(DenseDescriptor d, float[] w, float[] x, float[] dy, boolean withDx) {
        requireTraining(d);
        Tensor xt = input(d.input(), Layout.NCHW, x);
        Tensor dyt = input(d.output(), Layout.NCHW, dy);
        Tensor dx = withDx ? output(d.input(), Layout.NCHW) : null;
        Tensor dw = output(d.weightShape(), Layout.NCHW);
        Tensor db = d.bias() ? output(Shape.of(d.units()), Layout.NCHW) : null;
        engine.denseBackward(d, host(d.weightShape(), w), xt, dyt, dx, dw, db);
        return new float[][] {dx == null ? null : read(dx), read(dw), db == null ? null : read(db)};
    }

    /** {@code dx} of a row-wise softmax from its output {@code y [N, F]} and {@code dy}. */
    float[] softmaxBackward(Shape shape, float[] y, float[] dy) {
        requireTraining(null);
        Tensor yt = input(shape, Layout.NCHW, y);
        Tensor dyt = input(shape, Layout.NCHW, dy);
        Tensor dx = output(shape, Layout.NCHW);
        engine.softmaxBackward(yt, dyt, dx);
        return read(dx);
    }

    /** The loss and (unless {@code gradient} is null) {@code dx} into {@code gradient[0]}. */
    double softmaxCrossEntropy(Shape shape, float[] z, int[] labels, float scale, float[][] gradient) {
        requireTraining(null);
        Tensor zt = input(shape, Layout.NCHW, z);
        Tensor dx = gradient == null ? null : output(shape, Layout.NCHW);
        double loss = engine.softmaxCrossEntropy(zt, labels, scale, dx);
        if (gradient != null) {
            gradient[0] = read(dx);
        }
        return loss;
    }

    @Override
    public void close() {
        scope.close();
    }
}
