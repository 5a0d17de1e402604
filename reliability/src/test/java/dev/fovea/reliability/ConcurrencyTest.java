package dev.fovea.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 32 threads sharing one {@link Inference} of the zoo's Fashion-MNIST CNN, on each CPU backend: every result is
 * bit-identical to the same call made serially, and closing the Inference, the model or the engine while the threads
 * run ends each of them with a result or an {@link IllegalStateException} saying what was closed — no other
 * exception, no crash, no thread left hanging.
 */
class ConcurrencyTest {
    static final int THREADS = 32;
    static final int SIDE = 28;

    /** The input of call {@code call} of thread {@code thread}: a fixed integer seed, a batch of 1 to {@code max}. */
    static float[] input(int thread, int call, int max) {
        SplittableRandom r = new SplittableRandom(1000L * thread + call);
        int batch = 1 + r.nextInt(max);
        float[] x = new float[batch * SIDE * SIDE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "vector"})
    void thirtyTwoThreadsGetWhatOneThreadGets(String backend) throws Exception {
        // The reference backend is plain loops: fewer and smaller calls keep it within seconds.
        int calls = backend.equals("reference") ? 2 : 12;
        int max = backend.equals("reference") ? 2 : 8;
        try (Engine engine = Engine.open(backend); Model model = ModelZoo.fashionCnn(5);
             Inference net = model.compile(engine)) {
            float[][][] serial = new float[THREADS][calls][];
            for (int t = 0; t < THREADS; t++) {
                for (int c = 0; c < calls; c++) {
                    float[] x = input(t, c, max);
                    serial[t][c] = net.predict(x, x.length / (SIDE * SIDE));
                }
            }
            float[][][] parallel = new float[THREADS][calls][];
            List<Throwable> errors = run(t -> {
                for (int c = 0; c < calls; c++) {
                    float[] x = input(t, c, max);
                    parallel[t][c] = net.predict(x, x.length / (SIDE * SIDE));
                }
            });
            assertEquals(List.of(), errors);
            for (int t = 0; t < THREADS; t++) {
                for (int c = 0; c < calls; c++) {
                    assertArrayEquals(bits(serial[t][c]), bits(parallel[t][c]), "thread " + t + " call " + c);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inference", "model", "engine"})
    void closingWhileThirtyTwoThreadsPredictEndsEachCleanly(String what) throws Exception {
        Engine engine = Engine.open("vector");
        Model model = ModelZoo.fashionCnn(5);
        Inference net = model.compile(engine);
        float[] x = input(0, 0, 8);
        int batch = x.length / (SIDE * SIDE);
        float[] expected = net.predict(x, batch);
        AtomicInteger results = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(THREADS);
        Map<String, Integer> messages = new ConcurrentHashMap<>();
        List<Throwable> errors;
        try {
            errors = run(t -> {
                started.countDown();
                for (int c = 0; c < 1000; c++) {
                    float[] y;
                    try {
                        y = net.predict(x, batch);
                    } catch (IllegalStateException closed) {
                        messages.merge(closed.getMessage(), 1, Integer::sum);
                        return;
                    }
                    assertArrayEquals(bits(expected), bits(y), "a result while closing");
                    results.incrementAndGet();
                }
            }, () -> {
                started.await();
                Thread.sleep(50);
                switch (what) {
                    case "inference" -> net.close();
                    case "model" -> model.close();
                    default -> engine.close();
                }
            });
        } finally {
            net.close();
            model.close();
            engine.close();
        }
        assertEquals(List.of(), errors);
        assertTrue(!messages.isEmpty(), "the close was seen (after " + results + " results)");
        String word = switch (what) {
            case "inference" -> "Inference";
            case "model" -> "model";
            default -> "engine";
        };
        for (String m : messages.keySet()) {
            assertTrue(m.contains(word) && m.contains("'fashion-cnn'") && m.contains("closed"),
                    "says what was closed: " + m);
            assertTrue(!m.equals("Already closed"), m);
        }
    }

    @FunctionalInterface
    interface Body {
        void run(int thread) throws Exception;
    }

    @FunctionalInterface
    interface Side {
        void run() throws Exception;
    }

    /** Runs {@code body} on {@link #THREADS} threads (and {@code side} on one more); returns what they threw. */
    static List<Throwable> run(Body body, Side... side) throws InterruptedException {
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("predict-" + t).start(() -> {
                try {
                    body.run(id);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Side s : side) {
            threads.add(Thread.ofPlatform().name("closer").start(() -> {
                try {
                    s.run();
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                fail(t.getName() + " still runs after 3 minutes: a hang");
            }
        }
        return errors;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
