package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe in a fresh JVM, as a user meets it: with the real host tier it loads and reports CUDA's reason; with
 * one sub-library removed it reports the file without loading anything (cuDNN would abort() the JVM: exit 134).
 */
class ForkedProbeTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    private static Run probe(Path dir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dfovea.cudnn.path=" + dir);
        cmd.add(ProbeMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("FOVEA_CUDNN_PATH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void missingSubLibraryIsReportedNotAborted() throws Exception {
        CudnnLibraries.Location real = NativeLibs.location();
        for (String missing : List.of("libcudnn_cnn.so.9", "libcudnn_graph.so.9")) {
            Path dir = Files.createDirectories(tmp.resolve("without-" + missing));
            for (String f : CudnnLibraries.HOST_TIER) {
                Path src = f.equals(CudnnLibraries.CUDART) ? real.cudart() : real.cudnnDir().resolve(f);
                if (!f.equals(missing)) {
                    Files.createSymbolicLink(dir.resolve(f), src.toAbsolutePath());
                }
            }
            Run r = probe(dir);
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("available=false"), r.output());
            assertTrue(r.output().contains(missing + " not found in " + dir), r.output());
            assertTrue(r.output().contains("loaded-after-probe=false"), r.output());
        }
    }

    @Test
    void completeHostTierLoadsAndReportsCudasReason() throws Exception {
        CudnnLibraries.Location real = NativeLibs.location();
        Path dir = real.cudnnDir();
        if (!real.cudart().getParent().equals(dir)) {
            dir = Files.createDirectories(tmp.resolve("together"));
            for (String f : CudnnLibraries.HOST_TIER) {
                Path src = f.equals(CudnnLibraries.CUDART) ? real.cudart() : real.cudnnDir().resolve(f);
                Files.createSymbolicLink(dir.resolve(f), src.toAbsolutePath());
            }
        }
        Run r = probe(dir);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("name=cudnn priority=200"), r.output());
        assertTrue(r.output().contains("loaded-before-probe=false"), r.output()); // the constructor ran no native code
        assertTrue(r.output().contains("loaded-after-probe=true"), r.output());
        if (r.output().contains("available=false")) {
            assertTrue(r.output().contains("no GPU: CUDA reports no usable device: cudaGetDeviceCount returned cuda")
                    || r.output().contains("not found in"), r.output());
        }
        System.out.println("forked probe: " + r.output().lines().filter(l -> l.startsWith("describe=")).findFirst()
                .orElse(r.output()));
    }
}
