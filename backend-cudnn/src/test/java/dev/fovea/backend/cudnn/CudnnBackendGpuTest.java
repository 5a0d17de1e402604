package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Availability;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The backend on a real GPU against the reference backend: convolutions and poolings of {@link Cases} in both
 * layouts (every padding kind, asymmetric and ceil cases included), concat into channel slices, dense, softmax,
 * activations, and copies with layout conversion. Skipped with the probe's reason where no GPU is usable.
 */
class CudnnBackendGpuTest {
    private static Engine gpu;
    private static Engine reference;

    private static Availability availability;

    @BeforeAll
    static void open() {
        availability = new CudnnBackendProvider().probe();
        if (availability.available()) {
            gpu = Engine.of(new CudnnBackendProvider().open(BackendOptions.defaults()));
            reference = Engine.open("reference");
        }
    }

    /** Per test, so each one is reported as skipped with the reason. */
    @BeforeEach
    void needsGpu() {
        if (Boolean.getBoolean("fovea.cudnn.requireGpu") && !availability.available()) {
            fail("-Dfovea.cudnn.requireGpu=true but cudnn is unavailable: " + availability.describe());
        }
        Assumptions.assumeTrue(availability.available(), "needs a CUDA GPU: cudnn is unavailable: "
                + availability.describe());
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    private static Tensor random(TensorScope scope, Random rnd, Shape shape, Layout layout) {
        Tensor t = scope.allocate(shape, layout);
        float[] v = new float[Math.toIntExact(shape.elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        t.copyFrom(v);
        return t;
    }

    private static Tensor toDevice(TensorScope scope, Tensor host) {
        Tensor d = gpu.allocate(host.shape(), host.layout(), scope);
        gpu.copy(host, d);
        return d;
    }

    private static Tensor toHost(TensorScope scope, Tensor dev) {
        Tensor h = scope.allocate(dev.shape(), dev.layout());
        gpu.copy(dev, h);
        return h;
    }

    private static void compare(String what, Tensor ref, Tensor got) {
        float[] r = ref.toArray();
        float[] g = got.toArray();
        assertEquals(r.length, g.length, what);
        for (int i = 0; i < r.length; i++) {
            if (!(Math.abs(r[i] - g[i]) <= 1e-4 + 1e-4 * Math.abs(r[i]))) {
                fail(what + ": element " + i + " is " + g[i] + ", reference " + r[i]);
            }
        }
    }

    private static ConvolutionDescriptor relayout(ConvolutionDescriptor op, Layout layout, int n, Activation act) {
        return ConvolutionDescriptor.create(op.layer(), op.input().withBatch(n), layout, new ConvolutionParams(
                op.filters(), op.kernelH(), op.kernelW(), op.strideH(), op.strideW(), op.dilationH(), op.dilationW(),
                op.groups(), op.padding(), op.bias(), act));
    }

    @Test
    void convolutions() {
        Random rnd = new Random(1);
        List<ConvolutionDescriptor> cases = Cases.convolutions();
        Activation[] acts = Activation.values();
        for (int i = 0; i < cases.size(); i += 5) {
            for (Layout layout : Layout.values()) {
                ConvolutionDescriptor op = relayout(cases.get(i), layout, 2, acts[i % acts.length]);
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = random(scope, rnd, op.input(), layout);
                    Tensor w = random(scope, rnd, op.weightShape(), Layout.NCHW);
                    Tensor b = random(scope, rnd, op.biasShape(), Layout.NCHW);
                    Tensor ref = scope.allocate(op.output(), layout);
                    try (Plan p = reference.planConvolution(op, w, b)) {
                        p.execute(x, ref);
                    }
                    Tensor y = gpu.allocate(op.output(), layout, scope);
                    try (Plan p = gpu.planConvolution(op, w, b)) {
                        p.execute(toDevice(scope, x), y);
                    }
                    compare(op.toString(), ref, toHost(scope, y));
                }
            }
        }
    }

    @Test
    void poolings() {
        Random rnd = new Random(2);
        List<PoolingDescriptor> cases = Cases.poolings();
        for (int i = 0; i < cases.size(); i += 3) {
            PoolingDescriptor base = cases.get(i);
            for (Layout layout : Layout.values()) {
                PoolingDescriptor op = PoolingDescriptor.create(base.layer(), base.input().withBatch(2), layout,
                        PoolingParams.of(base.mode(), base.kernelH(), base.kernelW())
                                .withStride(base.strideH(), base.strideW())
                                .withPadding(Padding.explicit(base.pads().top(), base.pads().left(),
                                        base.pads().bottom(), base.pads().right()))
                                .withCeilMode(base.ceilMode()).withCountIncludePad(base.countIncludePad()));
                assertEquals(base.output().withBatch(2), op.output());
                try (TensorScope scope = new TensorScope()) {
                    Tensor x = random(scope, rnd, op.input(), layout);
                    Tensor ref = scope.allocate(op.output(), layout);
                    reference.poolingForward(op, x, ref);
                    Tensor y = gpu.allocate(op.output(), layout, scope);
                    gpu.poolingForward(op, toDevice(scope, x), y);
                    compare(op.toString(), ref, toHost(scope, y));
                }
            }
        }
    }

    /** Two branches written into channel slices of one output (Inception's concat), in both layouts. */
    @Test
    void concatIntoChannelSlices() {
        Random rnd = new Random(3);
        for (Layout layout : Layout.values()) {
            Shape in = Shape.of(2, 8, 9, 9);
            ConvolutionDescriptor a = ConvolutionDescriptor.create("a", in, layout,
                    ConvolutionParams.of(5, 1, 1).withActivation(Activation.RELU));
            ConvolutionDescriptor b = ConvolutionDescriptor.create("b", in, layout,
                    ConvolutionParams.of(3, 3, 3).withPadding(Padding.SAME).withActivation(Activation.RELU));
            PoolingDescriptor pool = PoolingDescriptor.create("pool", in, layout,
                    PoolingParams.of(dev.fovea.op.PoolingMode.MAX, 3, 3).withStride(1, 1).withPadding(Padding.SAME));
            try (TensorScope scope = new TensorScope()) {
                Tensor x = random(scope, rnd, in, layout);
                Tensor wa = random(scope, rnd, a.weightShape(), Layout.NCHW);
                Tensor ba = random(scope, rnd, a.biasShape(), Layout.NCHW);
                Tensor wb = random(scope, rnd, b.weightShape(), Layout.NCHW);
                Tensor bb = random(scope, rnd, b.biasShape(), Layout.NCHW);
                Shape outShape = Shape.of(2, 16, 9, 9);
                Tensor ref = scope.allocate(outShape, layout);
                Tensor y = gpu.allocate(outShape, layout, scope);
                Tensor dx = toDevice(scope, x);
                try (Plan ra = reference.planConvolution(a, wa, ba); Plan rb = reference.planConvolution(b, wb, bb);
                     Plan ga = gpu.planConvolution(a, wa, ba); Plan gb = gpu.planConvolution(b, wb, bb)) {
                    ra.execute(x, ref.channelSlice(0, 5));
                    rb.execute(x, ref.channelSlice(5, 3));
                    reference.poolingForward(pool, x, ref.channelSlice(8, 8));
                    ga.execute(dx, y.channelSlice(0, 5));
                    gb.execute(dx, y.channelSlice(5, 3));
                    gpu.poolingForward(pool, dx, y.channelSlice(8, 8));
                }
                compare("concat " + layout, ref, toHost(scope, y));
                // A strided device view copied to the host directly.
                Tensor slice = scope.allocate(Shape.of(2, 3, 9, 9), Layout.NCHW);
                gpu.copy(y.channelSlice(5, 3), slice);
                Tensor refSlice = scope.allocate(Shape.of(2, 3, 9, 9), Layout.NCHW);
                reference.copy(ref.channelSlice(5, 3), refSlice);
                compare("slice copy " + layout, refSlice, slice);
            }
        }
    }

    @Test
    void denseSoftmaxAndActivations() {
        Random rnd = new Random(4);
        for (Activation act : Activation.values()) {
            DenseDescriptor op = DenseDescriptor.create("dense", Shape.of(3, 37), 11, true, act);
            try (TensorScope scope = new TensorScope()) {
                Tensor x = random(scope, rnd, op.input(), Layout.NCHW);
                Tensor w = random(scope, rnd, op.weightShape(), Layout.NCHW);
                Tensor b = random(scope, rnd, Shape.of(11), Layout.NCHW);
                Tensor ref = scope.allocate(op.output(), Layout.NCHW);
                try (Plan p = reference.planDense(op, w, b)) {
                    p.execute(x, ref);
                }
                Tensor y = gpu.allocate(op.output(), Layout.NCHW, scope);
                try (Plan p = gpu.planDense(op, w, b)) {
                    p.execute(toDevice(scope, x), y);
                }
                compare("dense " + act, ref, toHost(scope, y));
                Tensor sref = scope.allocate(op.output(), Layout.NCHW);
                reference.softmaxForward(ref, sref);
                Tensor sy = gpu.allocate(op.output(), Layout.NCHW, scope);
                gpu.softmaxForward(y, sy);
                compare("softmax after " + act, sref, toHost(scope, sy));
                Tensor a4 = random(scope, rnd, Shape.of(2, 3, 4, 5), Layout.NHWC);
                Tensor aref = scope.allocate(a4.shape(), Layout.NHWC);
                reference.activationForward(act, a4, aref);
                Tensor da = toDevice(scope, a4);
                gpu.activationForward(act, da, da); // in place
                compare("activation " + act, aref, toHost(scope, da));
            }
        }
        try (TensorScope scope = new TensorScope()) {
            Tensor big = scope.fromArray(new float[] {1e4f, 0f, -1e4f, 1e4f}, Shape.of(1, 4), Layout.NCHW);
            Tensor out = gpu.allocate(big.shape(), Layout.NCHW, scope);
            gpu.softmaxForward(toDevice(scope, big), out);
            float[] s = toHost(scope, out).toArray();
            assertEquals(0.5f, s[0], 1e-6f);
            assertEquals(0.5f, s[3], 1e-6f);
        }
    }

    @Test
    void copiesConvertLayouts() {
        Random rnd = new Random(5);
        try (TensorScope scope = new TensorScope()) {
            Tensor nchw = random(scope, rnd, Shape.of(2, 3, 4, 5), Layout.NCHW);
            Tensor dev = gpu.allocate(nchw.shape(), Layout.NHWC, scope);
            gpu.copy(nchw, dev);
            assertTrue(gpu.backend().isResident(dev));
            Tensor devNchw = gpu.allocate(nchw.shape(), Layout.NCHW, scope);
            gpu.copy(dev, devNchw);
            Tensor back = scope.allocate(nchw.shape(), Layout.NHWC);
            gpu.copy(devNchw, back);
            Tensor expect = scope.allocate(nchw.shape(), Layout.NHWC);
            reference.copy(nchw, expect);
            compare("copy round trip", expect, back);
        }
    }
}
