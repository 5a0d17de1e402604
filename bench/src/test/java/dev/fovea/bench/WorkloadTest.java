package dev.fovea.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.engine.Engine;
import dev.fovea.spi.BackendOptions;
import dev.fovea.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
    @Timeout(120)
    void forkedJvmsAreTakenInRoundsOverTheWorkloads() {
        java.util.List<Bench.Result> rs = Bench.measureForked("vector", java.util.List.of("W6a", "W6b"), 1, 100, 10, 2);
        assertEquals(java.util.List.of("W6a", "W6b"), rs.stream().map(Bench.Result::id).toList());
        for (Bench.Result r : rs) {
            assertEquals(2, r.forks(), r.toString());
            assertTrue(r.lowMs() <= r.medianMs() && r.medianMs() <= r.highMs(), r.toString());
        }
    }

    @Test
    void tsvOutputHasAHeaderThePeaksAndOneLinePerWorkload() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Bench.run(new PrintStream(buf, true, StandardCharsets.UTF_8), "vector", "W6b", 1, true, false, 0);
        assertEquals(0, rc);
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertTrue(lines[0].startsWith("workload\tthreads\tmedian_ms"), lines[0]);
        assertTrue(lines[1].startsWith("peak-fma\t1\t"), lines[1]);
        assertTrue(lines[2].startsWith("peak-copy\t1\t"), lines[2]);
        String[] f = lines[3].split("\t");
        assertEquals(11, f.length, lines[3]);
        assertEquals(11, lines[0].split("\t").length, lines[0]);
        assertEquals("W6b", f[0]);
        assertEquals("GB/s", f[4]);
        double rate = Double.parseDouble(f[3]);
        double peak = Double.parseDouble(f[6]);
        // The printed figures are rounded (the peak to 0.1 GB/s): agreement within a percentage point.
        assertEquals(100 * rate / peak, Double.parseDouble(f[5]), 1.0, "% of the copy peak printed on the line");
    }

    @Test
    void unknownWorkloadIsRefused() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Bench.run(new PrintStream(buf, true, StandardCharsets.UTF_8), null, "W9", 1, false, false);
        assertEquals(2, rc);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("W9"));
    }

    /**
     * Each workload's graph model, exported to ONNX, gives ONNX Runtime's values (one short round each, this JVM):
     * every workload with tensors made once, two of them (a dense and a 4-D output) with arrays in and out.
     */
    @Test
    @Timeout(300)
    void everyWorkloadGraphAgreesWithOnnxRuntime() throws Exception {
        List<String> runs = new ArrayList<>();
        Workload.IDS.forEach(id -> runs.add(id + " tensor"));
        runs.addAll(List.of("W1 host", "W6b host"));
        for (String run : runs) {
            String id = run.split(" ")[0];
            ModelBench.Io io = ModelBench.Io.parse(run.split(" ")[1]);
            Bench.Versus v = Bench.versus(id, "vector", 1, 1, 0.02, io, new java.io.PrintWriter(System.err, true));
            assertEquals(id, v.id());
            assertEquals(1, v.foveaRoundsMs().length);
            assertEquals(1, v.ortRoundsMs().length);
            assertTrue(v.maxAbsOrt() > 0, id + ": outputs are not all zero");
            assertTrue(v.maxAbsDiff() <= 1e-4 * v.maxAbsOrt(), id + ": max |fovea − ort| " + v.maxAbsDiff()
                    + " against max |ort| " + v.maxAbsOrt());
            assertTrue(v.memoryBound() ? v.bytes() > 0 : v.flops() > 0, id);
        }
    }
}
