package dev.fovea.conformance;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
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

    Run(Engine engine) {
        this.engine = engine;
    }

    /** Skips the case, with the backend's reason, unless the backend supports {@code op}. */
    void require(OpDescriptor op) {
        require(engine, op);
    }

    static void require(Engine engine, OpDescriptor op) {
        Support s = engine.supports(op);
        if (!s.supported()) {
            throw CaseAbort.skip("backend '" + engine.name() + "' does not support " + op.layer() + ": " + s.reason());
        }
    }

    /** A tensor of the engine holding {@code logical} (in [N, C, H, W] order), stored in {@code layout}. */
    Tensor input(Shape shape, Layout layout, float[] logical) {
        Tensor t = engine.allocate(shape, layout, scope);
        write(t, logical);
        return t;
    }

    /** A destination of the engine, poisoned with NaN. */
    Tensor output(Shape shape, Layout layout) {
        Tensor t = engine.allocate(shape, layout, scope);
        fill(t, Float.NaN);
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

    @Override
    public void close() {
        scope.close();
    }
}
