package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of the backend compiles with C1. A method too large for C1 ("out of virtual registers") is left at a
 * tier without the Vector API's intrinsics until C2 takes it, and in some runs C2 never did: a kernel ran boxed, 15×
 * slower, for the whole run. Checked in a child JVM that compiles each of the backend's methods on first call
 * ({@code -Xcomp}), with C1's profiling tier first as the JVM compiles hot code, then C2.
 */
class C1CompilationTest {
    @Test
    void everyKernelCompilesWithC1() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xcomp", "-XX:CompileCommand=quiet", "-XX:CompileCommand=compileonly,dev.fovea.backend.vector.*::*",
                "-XX:+PrintCompilation", "-cp", System.getProperty("java.class.path"), KernelsMain.class.getName());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), out);
        assertTrue(out.contains("kernels ran"), out);
        List<String> skipped = out.lines().filter(l -> l.contains("dev.fovea") && l.contains("SKIPPED")).toList();
        assertTrue(skipped.isEmpty(), String.join("\n", skipped));
        assertTrue(out.lines().anyMatch(l -> l.contains("Gemm::kernel8x2Store")), "kernel8x2Store was not compiled");
        assertTrue(out.lines().anyMatch(l -> l.contains("Gemm::kernel7x2")), "kernel7x2 was not compiled");
    }
}
