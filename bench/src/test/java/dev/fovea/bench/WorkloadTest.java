package dev.fovea.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The workloads build and run on the vector backend (a functional check; timing lives in the bench only). */
class WorkloadTest {
    @Test
    void everyWorkloadRunsOnce() {
        try (Engine engine = Engine.open("vector", new BackendOptions(2))) {
            for (String id : Workload.IDS) {
                Workload w = Workload.create(id);
                try (TensorScope scope = new TensorScope()) {
                    w.setUp(engine, scope);
                    w.run();
                    assertTrue(w.memoryBound() ? w.bytes() > 0 : w.flops() > 0, id);
                    w.tearDown();
                }
            }
        }
    }

    @Test
    void flopsFollowTheWorkloadDefinitions() {
        try (Engine engine = Engine.open("vector", new BackendOptions(1)); TensorScope scope = new TensorScope()) {
            Workload w2 = Workload.create("W2");
            w2.setUp(engine, scope);
            assertEquals(2L * 8 * 64 * 64 * 9 * 56 * 56, w2.flops());
            Workload w6a = Workload.create("w6a");
            w6a.setUp(engine, scope);
            assertEquals(4L * 8 * 64 * (112 * 112 + 56 * 56), w6a.bytes());
            w2.tearDown();
        }
    }

    @Test
    void aForkedMeasurementReportsTheWorkloadsFigures() {
        Bench.Result r = Bench.measureForked("vector", "W6b", 1, 100, 10, 2);
        assertEquals("W6b", r.id());
        assertEquals(2, r.forks());
        assertTrue(r.lowMs() <= r.medianMs() && r.medianMs() <= r.highMs(), r.toString());
        assertEquals("GB/s", r.unit());
        assertTrue(r.medianMs() > 0, r.toString());
        assertEquals(r.rate() * 10, r.percentOfPeak(), 1e-6 * r.percentOfPeak(), "% of the parent's copy peak");
    }

    @Test
    void unknownWorkloadIsRefused() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Bench.run(new PrintStream(buf, true, StandardCharsets.UTF_8), null, "W9", 1, false, false);
        assertEquals(2, rc);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("W9"));
    }
}
