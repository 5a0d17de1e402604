package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model runs forward on the reference backend, and on every other available backend with the same
 * result within tolerance. Reference outputs are computed once per model and shared by both tests:
 * googlenet runs on the reference backend exactly once (one 224×224×3 image, about 1.6 GFLOP in plain Java
 * loops, a few seconds); the other models use a batch of 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardTest {
    private static final String REFERENCE = "reference";
    /** Models whose last layer is a softmax. */
    private static final Set<String> SOFTMAX = Set.of("mnist-cnn", "fashion-cnn", "lenet5", "googlenet");
    /** End-to-end tolerance: |x − ref| ≤ ATOL·max|ref| + RTOL·|ref| (several float32 layers deep). */
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    private record Run(float[] input, float[] output, int batch) {
    }

    private Engine reference;
    private final Map<String, Run> referenceRuns = new ConcurrentHashMap<>();

    static List<String> models() {
        return List.copyOf(ModelZoo.names());
    }

    private static int batch(String model) {
        return model.equals("googlenet") ? 1 : 2;
    }

    @BeforeAll
    void openReference() {
        reference = Engine.open(REFERENCE);
    }

    @AfterAll
    void close() {
        reference.close();
    }

    /**
     * The model with weights from seed 42, kernels rescaled from Glorot to He variance (2 / fan-in). With Glorot
     * weights the ReLU activations shrink layer after layer and googlenet's softmax comes out nearly uniform,
     * which would hide a backend's errors; He scaling keeps the activations' size through every layer.
     */
    private static Model build(String name) {
        Model m = ModelZoo.build(name, 42);
        m.namedWeights().forEach((weight, t) -> {
            if (!weight.endsWith(".kernel")) {
                return;
            }
            int[] d = t.shape().dims();  // conv [K, C, kH, kW], dense [F, U]
            boolean conv = d.length == 4;
            double taps = conv ? (double) d[2] * d[3] : 1;
            double fanIn = conv ? d[1] * taps : d[0];
            double fanOut = conv ? d[0] * taps : d[1];
            double factor = Math.sqrt((fanIn + fanOut) / fanIn);
            float[] v = t.toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) factor;
            }
            t.copyFrom(v);
        });
        return m;
    }

    /** The reference run of {@code name} (see {@link #build}), inputs uniform in [0, 1) from seed 7. */
    private Run referenceRun(String name) {
        return referenceRuns.computeIfAbsent(name, n -> {
            try (Model m = build(n); Inference net = m.compile(reference)) {
                int b = batch(n);
                float[] x = new float[Math.toIntExact(m.inputShape(b).elementCount())];
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextDouble();
                }
                return new Run(x, net.predict(x, b), b);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("models")
    void referenceForwardIsFiniteAndSoftmaxRowsSumToOne(String name) {
        Run run = referenceRun(name);
        long perItem;
        try (Model m = ModelZoo.build(name, 0)) {
            perItem = m.outputShape(1).elementCount();
        }
        assertEquals(perItem * run.batch, run.output.length);
        for (int i = 0; i < run.output.length; i++) {
            assertTrue(Float.isFinite(run.output[i]), name + " output " + i + " = " + run.output[i]);
        }
        int k = (int) perItem;
        for (int item = 0; item < run.batch; item++) {
            float[] row = Arrays.copyOfRange(run.output, item * k, (item + 1) * k);
            assertFalse(allEqual(row), name + ": item " + item + " output is constant " + row[0]);
            if (SOFTMAX.contains(name)) {
                double sum = 0;
                for (float p : row) {
                    assertTrue(p >= 0 && p <= 1, name + ": probability " + p);
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-5, name + ": item " + item + " probabilities sum");
            }
        }
        if (run.batch > 1) {
            assertFalse(Arrays.equals(Arrays.copyOfRange(run.output, 0, k), Arrays.copyOfRange(run.output, k, 2 * k)),
                    name + ": two different inputs gave the same output");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyOtherAvailableBackendMatchesReference(String name) {
        List<BackendInfo> all = Backends.list();
        List<String> others = all.stream().filter(b -> b.availability().available() && !b.name().equals(REFERENCE))
                .map(BackendInfo::name).toList();
        assumeTrue(!others.isEmpty(), () -> "no backend other than reference is available to compare: "
                + all.stream().map(b -> b.name() + " (" + b.availability().describe() + ")")
                .collect(Collectors.joining(", ")));
        Run ref = referenceRun(name);
        for (String backend : others) {
            try (Engine engine = Engine.open(backend); Model m = build(name);
                 Inference net = m.compile(engine)) {
                float[] y = net.predict(ref.input, ref.batch);
                assertEquals(ref.output.length, y.length);
                double scale = 0;
                for (float v : ref.output) {
                    scale = Math.max(scale, Math.abs(v));
                }
                double worst = 0;
                int worstAt = -1;
                for (int i = 0; i < y.length; i++) {
                    double excess = Math.abs(y[i] - ref.output[i]) - (ATOL * scale + RTOL * Math.abs(ref.output[i]));
                    if (!(excess <= worst)) {  // NaN counts as a failure
                        worst = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                        worstAt = i;
                    }
                }
                int at = worstAt;
                double maxRef = scale;
                assertTrue(worstAt < 0, () -> name + " on " + backend + ": output " + at + " = " + y[at]
                        + ", reference " + ref.output[at] + " (tolerance atol " + ATOL + "·max|ref|, rtol "
                        + RTOL + ", max|ref| " + maxRef + ")");
            }
        }
    }

    private static boolean allEqual(float[] a) {
        for (float v : a) {
            if (v != a[0]) {
                return false;
            }
        }
        return true;
    }
}
