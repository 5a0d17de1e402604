package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.ValidationException;
import dev.fovea.reference.ReferenceBackendProvider;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.spi.Support;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Compiled inferences follow weight changes, keep a bounded plan cache, and refuse to run once closed. */
class InferenceLifecycleTest {
    /** A small network with two planned layers (conv, dense) per batch size. */
    private static Model small(long seed) {
        return Sequential.builder(Input.image(8, 8, 1), Layout.NHWC).name("small").seed(seed)
                .add(Conv2D.of(4, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(5).softmax())
                .build();
    }

    private static float[] images(int n, long seed) {
        float[] x = new float[n * 64];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    private static float[] freshPrediction(Model weightsFrom, float[] x, int n) {
        try (Model fresh = small(0); Engine engine = Engine.open("reference");
             Inference net = fresh.compile(engine)) {
            copyWeights(weightsFrom, fresh);
            return net.predict(x, n);
        }
    }

    private static void copyWeights(Model from, Model to) {
        for (LayerInfo l : from.layers()) {
            if (l.params() > 0) {
                to.setWeights(l.name(), from.getWeights(l.name()));
            }
        }
    }

    @Test
    void newWeightsReachEveryBatchSizeAlreadyPlanned() {
        float[] x1 = images(1, 1);
        float[] x4 = images(4, 2);
        try (Model model = small(1); Model other = small(2); Engine engine = Engine.open("reference");
             Inference net = model.compile(engine)) {
            float[] before1 = net.predict(x1, 1);
            float[] before4 = net.predict(x4, 4);
            copyWeights(other, model);
            float[] after1 = net.predict(x1, 1);
            float[] after4 = net.predict(x4, 4);
            assertFalse(java.util.Arrays.equals(before1, after1), "seeds 1 and 2 should predict differently");
            assertFalse(java.util.Arrays.equals(before4, after4), "seeds 1 and 2 should predict differently");
            assertArrayEquals(freshPrediction(other, x1, 1), after1);
            assertArrayEquals(freshPrediction(other, x4, 4), after4);
        }
    }

    @Test
    void directWritesCountOnceWeightsChangedIsCalled() {
        float[] x = images(2, 3);
        try (Model model = small(1); Model other = small(3); Engine engine = Engine.open("reference");
             Inference net = model.compile(engine)) {
            net.predict(x, 2);
            Map<String, Tensor> from = other.namedWeights();
            model.namedWeights().forEach((name, t) -> t.copyFrom(from.get(name).toArray()));
            model.weightsChanged();
            assertArrayEquals(freshPrediction(other, x, 2), net.predict(x, 2));
            model.initialize(1);
            assertArrayEquals(freshPrediction(model, x, 2), net.predict(x, 2));
        }
    }

    @Test
    void trainingStepsReachInferencesCompiledBefore() {
        float[] x = images(2, 4);
        try (Model model = small(1); Engine engine = Engine.open("reference");
             Inference net = model.compile(engine); Trainable t = Trainable.of(model, engine)) {
            float[] before = net.predict(x, 2);
            Tensor w = model.namedWeights().get("dense.bias");
            w.set(w.get(0) + 1f, 0);   // what an optimizer step does, followed by the call the Trainer makes
            t.weightsChanged();
            float[] after = net.predict(x, 2);
            assertFalse(java.util.Arrays.equals(before, after));
            assertArrayEquals(freshPrediction(model, x, 2), after);
        }
    }

    @Test
    void planCacheIsBoundedAndEvictedBatchSizesStillPredict() {
        CountingBackend backend = new CountingBackend();
        int limit = 3;
        try (Model model = small(5); Engine engine = Engine.of(backend);
             Inference net = model.compile(engine, limit)) {
            assertEquals(limit, net.cachedBatchSizeLimit());
            Map<Integer, float[]> first = new java.util.HashMap<>();
            SplittableRandom r = new SplittableRandom(7);
            int maxOpen = 0;
            for (int i = 0; i < 40; i++) {
                int n = 1 + r.nextInt(12);
                float[] x = images(n, n);
                float[] y = net.predict(x, n);
                float[] seen = first.putIfAbsent(n, y);
                if (seen != null) {
                    assertArrayEquals(seen, y, "batch " + n + " after re-planning");
                }
                assertTrue(net.cachedBatchSizes().size() <= limit, "cached " + net.cachedBatchSizes());
                assertEquals(n, net.cachedBatchSizes().getLast(), "the batch size just used is the most recent");
                maxOpen = Math.max(maxOpen, backend.open.get());
            }
            assertTrue(first.size() > limit, "the sequence should use more batch sizes than the limit");
            // Two planned layers per batch size: evicted plans were closed, not just forgotten.
            assertTrue(maxOpen <= 2 * limit, "open plans peaked at " + maxOpen);
            assertTrue(backend.made.get() > 2 * limit, "evicted batch sizes were planned again");
        }
        assertEquals(0, backend.open.get(), "closing the Inference closes every plan");
    }

    @Test
    void weightChangeClosesTheOldPlans() {
        CountingBackend backend = new CountingBackend();
        try (Model model = small(5); Engine engine = Engine.of(backend); Inference net = model.compile(engine)) {
            net.predict(images(1, 1), 1);
            net.predict(images(2, 1), 2);
            assertEquals(4, backend.open.get());
            model.initialize(6);
            net.predict(images(1, 1), 1);
            assertEquals(2, backend.open.get(), "the batch-2 plans of the old weights were closed too");
            assertEquals(List.of(1), net.cachedBatchSizes());
        }
    }

    @Test
    void concurrentPredictionsWithEvictionsAgreeWithSerialOnes() throws Exception {
        CountingBackend backend = new CountingBackend();
        try (Model model = small(8); Engine engine = Engine.of(backend); Inference net = model.compile(engine, 2)) {
            Map<Integer, float[]> expected = new java.util.HashMap<>();
            try (Model copy = small(8); Engine ref = Engine.open("reference"); Inference serial = copy.compile(ref)) {
                for (int n = 1; n <= 6; n++) {
                    expected.put(n, serial.predict(images(n, n), n));
                }
            }
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 30; i++) {
                            int n = 1 + (i * 7 + id) % 6;
                            assertArrayEquals(expected.get(n), net.predict(images(n, n), n));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), failures);
            assertFalse(backend.executedClosed.get(), "a plan was executed after it was closed");
        }
    }

    @Test
    void closedInferenceEngineOrModelIsNamed() {
        float[] x = images(1, 1);
        Model model = small(1);
        Engine engine = Engine.open("reference");
        Inference net = model.compile(engine);
        net.predict(x, 1);
        net.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.predict(x, 1));
        assertTrue(e.getMessage().contains("Inference") && e.getMessage().contains("'small'")
                && e.getMessage().contains("closed"), e.getMessage());

        Inference second = model.compile(engine);
        second.predict(x, 1);
        engine.close();
        e = assertThrows(IllegalStateException.class, () -> second.predict(x, 1));
        assertTrue(e.getMessage().contains("engine") && e.getMessage().contains("closed"), e.getMessage());

        Engine engine2 = Engine.open("reference");
        Inference third = model.compile(engine2);
        third.predict(x, 1);
        model.close();
        e = assertThrows(IllegalStateException.class, () -> third.predict(x, 1));
        assertTrue(e.getMessage().contains("model 'small'") && e.getMessage().contains("closed"), e.getMessage());
        for (Runnable use : List.<Runnable>of(() -> model.getWeights("conv2d"), model::namedWeights,
                () -> model.initialize(3), () -> model.compile(engine2))) {
            e = assertThrows(IllegalStateException.class, use::run);
            assertTrue(e.getMessage().contains("model 'small' was closed"), e.getMessage());
        }
        third.close();
        engine2.close();
    }

    @Test
    void nullArgumentsAreNamed() {
        try (Model model = small(1); Engine engine = Engine.open("reference"); Inference net = model.compile(engine);
             TensorScope s = new TensorScope()) {
            assertEquals("engine", assertThrows(NullPointerException.class, () -> model.compile(null)).getMessage());
            assertEquals("engine", assertThrows(NullPointerException.class, () -> model.compile(null, 2))
                    .getMessage());
            assertEquals("x", assertThrows(NullPointerException.class, () -> net.predict((float[]) null, 1))
                    .getMessage());
            assertEquals("x", assertThrows(NullPointerException.class, () -> net.predict((Tensor) null, s))
                    .getMessage());
            Tensor in = s.allocate(model.inputShape(1), Layout.NHWC);
            assertEquals("out", assertThrows(NullPointerException.class, () -> net.predict(in, null)).getMessage());
            assertEquals("layer", assertThrows(NullPointerException.class, () -> model.getWeights(null))
                    .getMessage());
            assertEquals("values", assertThrows(NullPointerException.class, () -> model.setWeights("conv2d", null))
                    .getMessage());
            assertEquals("input", assertThrows(NullPointerException.class,
                    () -> Sequential.builder(null, Layout.NHWC)).getMessage());
            assertEquals("layer", assertThrows(NullPointerException.class,
                    () -> Sequential.builder(Input.image(8, 8, 1), Layout.NHWC).add(null)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.compile(engine, 0));
        }
    }

    @Test
    void sizeMismatchNamesModelShapeBatchAndLength() {
        try (Model model = small(1); Engine engine = Engine.open("reference"); Inference net = model.compile(engine)) {
            Shape item = model.inputShape(1);
            int perImage = Math.toIntExact(item.perItem());
            String perShape = "[" + item.c() + ", " + item.h() + ", " + item.w() + "]";
            ValidationException e = assertThrows(ValidationException.class,
                    () -> net.predict(new float[4 * perImage - 5], 4));
            assertTrue(e.getMessage().startsWith("model 'small': predict expects 4 × " + perShape + " = "
                    + 4 * perImage + " floats, got " + (4 * perImage - 5)), e.getMessage());
            for (int batch : new int[] {0, -3}) {
                e = assertThrows(ValidationException.class, () -> net.predict(new float[perImage], batch));
                assertTrue(e.getMessage().contains("model 'small'") && e.getMessage().contains("batch " + batch),
                        e.getMessage());
            }
        }
    }

    /** The reference backend, counting the plans it makes and closes. */
    private static final class CountingBackend implements Backend {
        private final Backend inner = new ReferenceBackendProvider().open(BackendOptions.defaults());
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger made = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean executedClosed = new java.util.concurrent.atomic.AtomicBoolean();

        private Plan counted(Plan p) {
            open.incrementAndGet();
            made.incrementAndGet();
            return new Plan() {
                private volatile boolean closed;

                @Override
                public void execute(Tensor x, Tensor y) {
                    if (closed) {
                        executedClosed.set(true);
                    }
                    p.execute(x, y);
                }

                @Override
                public synchronized void close() {
                    if (!closed) {
                        closed = true;
                        open.decrementAndGet();
                        p.close();
                    }
                }
            };
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Set<Capability> capabilities() {
            return inner.capabilities();
        }

        @Override
        public Support supports(OpDescriptor op) {
            return inner.supports(op);
        }

        @Override
        public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
            return counted(inner.planConvolution(op, weights, bias));
        }

        @Override
        public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
            return counted(inner.planDense(op, weights, bias));
        }

        @Override
        public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
            inner.poolingForward(op, x, y);
        }

        @Override
        public void activationForward(Activation activation, Tensor x, Tensor y) {
            inner.activationForward(activation, x, y);
        }

        @Override
        public void softmaxForward(Tensor x, Tensor y) {
            inner.softmaxForward(x, y);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * Passes reuse the previous pass's activations (the arena): alternating inputs and batch sizes, from one
     * thread and from several at once, every result equals that of a freshly compiled model.
     */
    @Test
    void reusedActivationsGiveFreshResults() throws Exception {
        try (Model m = small(3); Engine engine = Engine.open("reference"); Inference net = m.compile(engine)) {
            float[] a = images(2, 1);
            float[] b = images(2, 2);
            float[] c = images(3, 3);
            float[] expectA = freshPrediction(m, a, 2);
            float[] expectB = freshPrediction(m, b, 2);
            float[] expectC = freshPrediction(m, c, 3);
            for (int round = 0; round < 3; round++) {
                assertArrayEquals(expectA, net.predict(a, 2));
                assertArrayEquals(expectB, net.predict(b, 2));
                assertArrayEquals(expectC, net.predict(c, 3));
            }
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                boolean even = t % 2 == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 20; i++) {
                            assertArrayEquals(even ? expectA : expectB, net.predict(even ? a : b, 2));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), failures.toString());
        }
    }
}
