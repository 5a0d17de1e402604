package dev.fovea.bench;

import dev.fovea.engine.Engine;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Graph;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Value;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark workloads W1–W6 (figures in {@code bench/RESULTS.md}), built directly from op descriptors and
 * plans on NHWC tensors (the layout is the backend's choice there). {@link #setUp} plans and allocates,
 * {@link #run} executes one forward pass; the same objects drive {@link Bench} and the JMH benchmarks.
 *
 * <pre>{@code
 * try (Engine e = Engine.open("vector"); TensorScope s = new TensorScope()) {
 *     Workload w = Workload.create("W2");
 *     w.setUp(e, s);
 *     w.run();
 * }
 * }</pre>
 */
public abstract class Workload {
    /** Every workload id, in report order. */
    public static final List<String> IDS = List.of("W1", "W2", "W3", "W4", "W5", "W6a", "W6b");

    static final Layout LAYOUT = Layout.NHWC;

    private final String id;
    private final String description;
    final List<Plan> plans = new ArrayList<>();
    long flops;
    long bytes;

    Workload(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** True for pooling: report GB/s against the copy bandwidth instead of GFLOP/s against the FMA peak. */
    public boolean memoryBound() {
        return bytes > 0;
    }

    /** FLOPs of one run (convolutions and dense layers: 2 per multiply-add). */
    public long flops() {
        return flops;
    }

    /** Bytes read and written by one run (pooling). */
    public long bytes() {
        return bytes;
    }

    /** Plans every op and allocates every tensor in {@code scope}. */
    public abstract void setUp(Engine engine, TensorScope scope);

    /** One forward pass. */
    public abstract void run();

    /** Closes the plans. */
    public void tearDown() {
        plans.forEach(Plan::close);
        plans.clear();
    }

    private static final Shape W2_INPUT = Shape.of(8, 64, 56, 56);
    private static final ConvolutionParams W2 = ConvolutionParams.of(64, 3, 3).withPadding(Padding.explicit(1))
            .withActivation(Activation.RELU);
    private static final Shape W4_INPUT = Shape.of(8, 256, 56, 56);
    private static final ConvolutionParams W4 = ConvolutionParams.of(64, 1, 1).withBias(false);
    private static final Shape W5_INPUT = Shape.of(4, 3, 224, 224);
    private static final ConvolutionParams W5 = ConvolutionParams.of(64, 7, 7).withStride(2, 2)
            .withPadding(Padding.explicit(3)).withBias(false);
    private static final Shape W6_INPUT = Shape.of(8, 64, 112, 112);
    private static final PoolingParams W6A = PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2)
            .withPadding(Padding.explicit(1));
    private static final PoolingParams W6B = PoolingParams.of(PoolingMode.AVERAGE, 2, 2);
    private static final int W1_BATCH = 256;
    private static final int W3_BATCH = 8;

    /** The workload called {@code id} (case-insensitive: w2, W6a ...). */
    public static Workload create(String id) {
        return switch (canonical(id)) {
            case "W1" -> new Mnist();
            case "W2" -> new SingleConv("W2", "conv 3x3 64->64 56x56 pad 1 N=8 +bias ReLU", W2_INPUT, W2);
            case "W3" -> new Inception();
            case "W4" -> new SingleConv("W4", "conv 1x1 256->64 56x56 N=8", W4_INPUT, W4);
            case "W5" -> new SingleConv("W5", "conv 7x7 s2 pad 3 3->64 224x224 N=4", W5_INPUT, W5);
            case "W6a" -> new Pool("W6a", "max pool 3x3 s2 pad 1 on 64x112x112 N=8", W6A);
            case "W6b" -> new Pool("W6b", "avg pool 2x2 s2 on 64x112x112 N=8", W6B);
            default -> throw new IllegalArgumentException("unknown workload '" + id + "'; known: " + IDS);
        };
    }

    /** The id of {@link #IDS} that {@code id} names, ignoring case; {@code id} itself when it names none. */
    static String canonical(String id) {
        return IDS.stream().filter(w -> w.equalsIgnoreCase(id)).findFirst().orElse(id);
    }

    /** Images per call of workload {@code id}. */
    public static int batch(String id) {
        return switch (canonical(id)) {
            case "W1" -> W1_BATCH;
            case "W2" -> W2_INPUT.n();
            case "W3" -> W3_BATCH;
            case "W4" -> W4_INPUT.n();
            case "W5" -> W5_INPUT.n();
            case "W6a", "W6b" -> W6_INPUT.n();
            default -> throw new IllegalArgumentException("unknown workload '" + id + "'; known: " + IDS);
        };
    }

    /**
     * Workload {@code id} as a graph model (weights from seed 1, biases zero) computing what {@link #run} computes,
     * activations stored in {@code layout}: what {@code fovea bench --vs ort} runs in Fovea and, exported to ONNX,
     * in ONNX Runtime.
     */
    public static Model model(String id, Layout layout) {
        String w = canonical(id);
        Graph g = Graph.builder(w, layout);
        Value out = switch (w) {
            case "W1" -> {
                Value x = g.input("image", Input.image(28, 28, 1));
                Value y = Conv2D.of(32, 3).activation(Activation.RELU).apply(x);
                y = Pooling2D.max(2).apply(y);
                y = Conv2D.of(64, 3).activation(Activation.RELU).apply(y);
                y = Pooling2D.max(2).apply(y);
                y = Conv2D.of(64, 3).activation(Activation.RELU).apply(y);
                y = Flatten.create().apply(y);
                y = Dense.of(64).activation(Activation.RELU).apply(y);
                yield Dense.of(10).softmax().apply(y);
            }
            case "W2" -> Conv2D.of(W2).apply(g.input("x", image(W2_INPUT)));
            case "W3" -> {
                Value x = g.input("x", Input.image(28, 28, 192));
                Value b1 = Conv2D.pointwise(64).activation(Activation.RELU).apply(x);
                Value b2 = Conv2D.pointwise(96).activation(Activation.RELU).apply(x);
                b2 = Conv2D.of(128, 3).padding(Padding.explicit(1)).activation(Activation.RELU).apply(b2);
                Value b3 = Conv2D.pointwise(16).activation(Activation.RELU).apply(x);
                b3 = Conv2D.of(32, 5).padding(Padding.explicit(2)).activation(Activation.RELU).apply(b3);
                Value b4 = Pooling2D.of(PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1)
                        .withPadding(Padding.explicit(1))).apply(x);
                b4 = Conv2D.pointwise(32).activation(Activation.RELU).apply(b4);
                yield Concatenate.create().apply(b1, b2, b3, b4);
            }
            case "W4" -> Conv2D.of(W4).apply(g.input("x", image(W4_INPUT)));
            case "W5" -> Conv2D.of(W5).apply(g.input("x", image(W5_INPUT)));
            case "W6a" -> Pooling2D.of(W6A).apply(g.input("x", image(W6_INPUT)));
            case "W6b" -> Pooling2D.of(W6B).apply(g.input("x", image(W6_INPUT)));
            default -> throw new IllegalArgumentException("unknown workload '" + id + "'; known: " + IDS);
        };
        return g.outputs(out).seed(1).build();
    }

    private static Input image(Shape s) {
        return Input.image(s.h(), s.w(), s.c());
    }

    static Tensor random(TensorScope scope, Shape shape, Layout layout, long seed, double scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(shape.elementCount())];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return scope.fromArray(a, shape, layout);
    }

    /**
     * A random input in engine memory, filled from the host as {@code Inference.predict} fills its input: the
     * backend owns the memory its ops stream through.
     */
    static Tensor input(Engine engine, TensorScope scope, Shape shape, long seed) {
        Tensor t = engine.allocate(shape, LAYOUT, scope);
        engine.copy(random(scope, shape, LAYOUT, seed, 1), t);
        return t;
    }

    /** Plans {@code op} with random weights (Glorot-like scale) and bias. */
    Plan plan(Engine engine, TensorScope scope, ConvolutionDescriptor op) {
        Plan p = engine.planConvolution(op, weights(scope, op), bias(scope, op));
        plans.add(p);
        flops += op.flops();
        return p;
    }

    /**
     * Plans {@code op} and the pooling {@code pool} that reads its output, as the model runner does: one fused plan
     * where the backend offers it, else the two ops through an intermediate tensor.
     */
    Plan plan(Engine engine, TensorScope scope, ConvolutionDescriptor op, PoolingDescriptor pool) {
        Tensor w = weights(scope, op);
        Tensor b = bias(scope, op);
        Plan p = engine.planConvolutionPooled(op, pool, w, b).orElseGet(() -> {
            Plan conv = engine.planConvolution(op, w, b);
            Tensor between = engine.allocate(op.output(), LAYOUT, scope);
            return new Plan() {
                @Override
                public void execute(Tensor x, Tensor y) {
                    conv.execute(x, between);
                    engine.poolingForward(pool, between, y);
                }

                @Override
                public void close() {
                    conv.close();
                }
            };
        });
        plans.add(p);
        flops += op.flops();
        return p;
    }

    private static Tensor weights(TensorScope scope, ConvolutionDescriptor op) {
        double scale = Math.sqrt(6.0 / (op.weightShape().perItem() + op.filters()));
        return random(scope, op.weightShape(), Layout.NCHW, op.hashCode(), scale);
    }

    private static Tensor bias(TensorScope scope, ConvolutionDescriptor op) {
        return op.bias() ? random(scope, op.biasShape(), Layout.NCHW, 1, 0.1) : null;
    }

    Plan plan(Engine engine, TensorScope scope, DenseDescriptor op) {
        double scale = Math.sqrt(6.0 / (op.input().c() + op.units()));
        Tensor w = random(scope, op.weightShape(), Layout.NCHW, op.hashCode(), scale);
        Tensor b = op.bias() ? random(scope, Shape.of(op.units()), Layout.NCHW, 1, 0.1) : null;
        Plan p = engine.planDense(op, w, b);
        plans.add(p);
        flops += op.flops();
        return p;
    }

    /** W2, W4, W5: one convolution. */
    static final class SingleConv extends Workload {
        private final Shape input;
        private final ConvolutionParams params;
        private Plan plan;
        private Tensor x;
        private Tensor y;

        SingleConv(String id, String description, Shape input, ConvolutionParams params) {
            super(id, description);
            this.input = input;
            this.params = params;
        }

        @Override
        public void setUp(Engine engine, TensorScope scope) {
            ConvolutionDescriptor op = ConvolutionDescriptor.create(id(), input, LAYOUT, params);
            plan = plan(engine, scope, op);
            x = input(engine, scope, input, 2);
            y = engine.allocate(op.output(), LAYOUT, scope);
        }

        @Override
        public void run() {
            plan.execute(x, y);
        }
    }

    /** W6: one pooling. */
    static final class Pool extends Workload {
        private final PoolingParams params;
        private Engine engine;
        private PoolingDescriptor op;
        private Tensor x;
        private Tensor y;

        Pool(String id, String description, PoolingParams params) {
            super(id, description);
            this.params = params;
        }

        @Override
        public void setUp(Engine engine, TensorScope scope) {
            this.engine = engine;
            op = PoolingDescriptor.create(id(), W6_INPUT, LAYOUT, params);
            x = input(engine, scope, op.input(), 3);
            y = engine.allocate(op.output(), LAYOUT, scope);
            bytes = 4 * (op.input().elementCount() + op.output().elementCount());
        }

        @Override
        public void run() {
            engine.poolingForward(op, x, y);
        }
    }

    /** W1: the Keras course's MNIST CNN forward, N=256. */
    static final class Mnist extends Workload {
        private Engine engine;
        private Plan conv1;
        private Plan conv2;
        private Plan conv3;
        private Plan dense1;
        private Plan dense2;
        private Tensor x;
        private Tensor p1;
        private Tensor p2;
        private Tensor c3;
        private Tensor d1;
        private Tensor d2;
        private Tensor probs;
        private Tensor flat;

        Mnist() {
            super("W1", "MNIST CNN forward N=256 (3 conv, 2 maxpool, 2 dense, softmax)");
        }

        @Override
        public void setUp(Engine engine, TensorScope scope) {
            this.engine = engine;
            int n = W1_BATCH;
            ConvolutionParams relu3x3 = ConvolutionParams.of(32, 3, 3).withActivation(Activation.RELU);
            ConvolutionDescriptor k1 = ConvolutionDescriptor.create("conv1", Shape.of(n, 1, 28, 28), LAYOUT, relu3x3);
            PoolingDescriptor pool1 = PoolingDescriptor.create("pool1", k1.output(), LAYOUT, PoolingParams.of(PoolingMode.MAX, 2, 2));
            ConvolutionDescriptor k2 = ConvolutionDescriptor.create("conv2", pool1.output(), LAYOUT,
                    ConvolutionParams.of(64, 3, 3).withActivation(Activation.RELU));
            PoolingDescriptor pool2 = PoolingDescriptor.create("pool2", k2.output(), LAYOUT, PoolingParams.of(PoolingMode.MAX, 2, 2));
            ConvolutionDescriptor k3 = ConvolutionDescriptor.create("conv3", pool2.output(), LAYOUT,
                    ConvolutionParams.of(64, 3, 3).withActivation(Activation.RELU));
            DenseDescriptor f1 = DenseDescriptor.create("dense1", Shape.of(n, (int) k3.output().perItem()), 64, true,
                    Activation.RELU);
            DenseDescriptor f2 = DenseDescriptor.create("dense2", f1.output(), 10, true, Activation.NONE);
            conv1 = plan(engine, scope, k1, pool1);
            conv2 = plan(engine, scope, k2, pool2);
            conv3 = plan(engine, scope, k3);
            dense1 = plan(engine, scope, f1);
            dense2 = plan(engine, scope, f2);
            x = input(engine, scope, k1.input(), 4);
            p1 = engine.allocate(pool1.output(), LAYOUT, scope);
            p2 = engine.allocate(pool2.output(), LAYOUT, scope);
            c3 = engine.allocate(k3.output(), LAYOUT, scope);
            d1 = engine.allocate(f1.output(), LAYOUT, scope);
            d2 = engine.allocate(f2.output(), LAYOUT, scope);
            probs = engine.allocate(f2.output(), LAYOUT, scope);
            flat = c3.flatten();
        }

        @Override
        public void run() {
            conv1.execute(x, p1);
            conv2.execute(p1, p2);
            conv3.execute(p2, c3);
            dense1.execute(flat, d1);
            dense2.execute(d1, d2);
            engine.softmaxForward(d2, probs);
        }
    }

    /** W3: GoogLeNet Inception 3a, N=8; every branch writes into its channel slice of the concat output. */
    static final class Inception extends Workload {
        private Plan b1;
        private Plan b2a;
        private Plan b2b;
        private Plan b3a;
        private Plan b3b;
        private Plan b4;
        private Engine engine;
        private PoolingDescriptor pool;
        private Tensor x;
        private Tensor t2;
        private Tensor t3;
        private Tensor t4;
        private Tensor o1;
        private Tensor o2;
        private Tensor o3;
        private Tensor o4;

        Inception() {
            super("W3", "GoogLeNet Inception 3a N=8 192x28x28 -> 256 (concat by channel slices)");
        }

        @Override
        public void setUp(Engine engine, TensorScope scope) {
            this.engine = engine;
            Shape in = Shape.of(W3_BATCH, 192, 28, 28);
            ConvolutionParams relu = ConvolutionParams.of(1, 1, 1).withActivation(Activation.RELU);
            ConvolutionDescriptor c1 = conv("3a/1x1", in, relu, 64, 1, 0);
            ConvolutionDescriptor c2a = conv("3a/3x3_reduce", in, relu, 96, 1, 0);
            ConvolutionDescriptor c2b = conv("3a/3x3", c2a.output(), relu, 128, 3, 1);
            ConvolutionDescriptor c3a = conv("3a/5x5_reduce", in, relu, 16, 1, 0);
            ConvolutionDescriptor c3b = conv("3a/5x5", c3a.output(), relu, 32, 5, 2);
            pool = PoolingDescriptor.create("3a/pool", in, LAYOUT,
                    PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(1, 1).withPadding(Padding.explicit(1)));
            ConvolutionDescriptor c4 = conv("3a/pool_proj", pool.output(), relu, 32, 1, 0);
            b1 = plan(engine, scope, c1);
            b2a = plan(engine, scope, c2a);
            b2b = plan(engine, scope, c2b);
            b3a = plan(engine, scope, c3a);
            b3b = plan(engine, scope, c3b);
            b4 = plan(engine, scope, c4);
            x = input(engine, scope, in, 5);
            t2 = engine.allocate(c2a.output(), LAYOUT, scope);
            t3 = engine.allocate(c3a.output(), LAYOUT, scope);
            t4 = engine.allocate(pool.output(), LAYOUT, scope);
            Tensor out = engine.allocate(Shape.of(8, 256, 28, 28), LAYOUT, scope);
            o1 = out.channelSlice(0, 64);
            o2 = out.channelSlice(64, 128);
            o3 = out.channelSlice(192, 32);
            o4 = out.channelSlice(224, 32);
        }

        private static ConvolutionDescriptor conv(String name, Shape in, ConvolutionParams base, int k, int size,
                                                  int pad) {
            return ConvolutionDescriptor.create(name, in, LAYOUT, ConvolutionParams.of(k, size, size)
                    .withActivation(base.activation()).withPadding(Padding.explicit(pad)));
        }

        @Override
        public void run() {
            b1.execute(x, o1);
            b2a.execute(x, t2);
            b2b.execute(t2, o2);
            b3a.execute(x, t3);
            b3b.execute(t3, o3);
            engine.poolingForward(pool, x, t4);
            b4.execute(t4, o4);
        }
    }
}
