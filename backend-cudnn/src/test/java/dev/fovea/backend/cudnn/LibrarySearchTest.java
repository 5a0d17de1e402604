package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.spi.Availability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Search order and missing-file messages; existence checks only, nothing is opened (no native code). */
class LibrarySearchTest {
    @TempDir
    Path tmp;

    private Path dirWith(String name, List<String> files) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String f : files) {
            Files.createFile(d.resolve(f));
        }
        return d;
    }

    @Test
    void configuredDirectoryIsTheOnlyPlaceForCudnnAndFirstForCudart() {
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/a:/b");
        List<Path> cudnn = CudnnLibraries.cudnnSearchPath(Optional.of("/opt/x"), env, tmp);
        assertEquals(List.of(Path.of("/opt/x")), cudnn);
        List<Path> cudart = CudnnLibraries.cudartSearchPath(Optional.of("/opt/x"), env, tmp);
        assertEquals(Path.of("/opt/x"), cudart.getFirst());
        assertTrue(cudart.indexOf(Path.of("/a")) > 0);
    }

    @Test
    void searchOrderLdLibraryPathThenCudaThenPythonEnvironments() throws IOException {
        Path venv = tmp.resolve("venv");
        Files.createDirectories(venv.resolve("lib/python3.12/site-packages"));
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/first:/second", "CUDA_HOME", "/cuda-home",
                "VIRTUAL_ENV", venv.toString());
        List<Path> dirs = CudnnLibraries.cudnnSearchPath(Optional.empty(), env, tmp.resolve("home"));
        int first = dirs.indexOf(Path.of("/first"));
        int second = dirs.indexOf(Path.of("/second"));
        int cudaHome = dirs.indexOf(Path.of("/cuda-home/lib64"));
        int toolkit = dirs.indexOf(Path.of("/usr/local/cuda/lib64"));
        int pip = dirs.indexOf(venv.resolve("lib/python3.12/site-packages/nvidia/cudnn/lib"));
        assertEquals(0, first, dirs.toString());
        assertTrue(first < second && second < cudaHome && cudaHome < toolkit && toolkit < pip, dirs.toString());
        List<Path> cudart = CudnnLibraries.cudartSearchPath(Optional.empty(), env, tmp.resolve("home"));
        assertTrue(cudart.contains(venv.resolve("lib/python3.12/site-packages/nvidia/cuda_runtime/lib")), cudart.toString());
    }

    @Test
    void completeHostTierIsFound() throws IOException {
        Path d = dirWith("complete", CudnnLibraries.HOST_TIER);
        CudnnLibraries.Located l = CudnnLibraries.locate(Optional.of(d.toString()), Map.of(), tmp);
        assertTrue(l.location().isPresent(), l.problem());
        assertEquals(d, l.location().get().cudnnDir());
        assertEquals(d.resolve("libcudart.so.12"), l.location().get().cudart());
    }

    @Test
    void everyMissingHostSubLibraryIsNamedWithTheDirectory() throws IOException {
        for (String missing : CudnnLibraries.CUDNN_HOST_TIER) {
            List<String> files = CudnnLibraries.HOST_TIER.stream().filter(f -> !f.equals(missing)).toList();
            Path d = dirWith("without-" + missing, files);
            CudnnLibraries.Located l = CudnnLibraries.locate(Optional.of(d.toString()), Map.of(), tmp);
            assertFalse(l.location().isPresent());
            assertTrue(l.problem().contains(missing) && l.problem().contains(d.toString()), l.problem());
            assertTrue(l.fix().contains("fovea.cudnn.path"), l.fix());
        }
    }

    @Test
    void firstCompleteDirectoryWinsOverAPartialOne() throws IOException {
        Path partial = dirWith("partial", List.of("libcudnn.so.9", "libcudart.so.12"));
        Path complete = dirWith("full", CudnnLibraries.HOST_TIER);
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", partial + ":" + complete);
        CudnnLibraries.Located l = CudnnLibraries.locate(Optional.empty(), env, tmp);
        assertEquals(complete, l.location().orElseThrow().cudnnDir());
    }

    @Test
    void partialDirectoryIsReportedWhenNothingIsComplete() throws IOException {
        Assumptions.assumeTrue(CudnnLibraries.locate(Optional.empty(), Map.of(), tmp).location().isEmpty(),
                "this machine has a cuDNN installation in a system directory");
        Path partial = dirWith("partial2", List.of("libcudnn.so.9", "libcudnn_graph.so.9"));
        CudnnLibraries.Located l = CudnnLibraries.locate(Optional.empty(),
                Map.of("LD_LIBRARY_PATH", partial.toString()), tmp);
        assertTrue(l.problem().contains("libcudnn_ops.so.9, libcudnn_cnn.so.9 not found in " + partial),
                l.problem());
    }

    @Test
    void nothingFoundNamesLibcudnnAndTheSearchedPlaces() throws IOException {
        Path empty = dirWith("empty", List.of());
        CudnnLibraries.Located l = CudnnLibraries.locate(Optional.of(empty.toString()), Map.of(), tmp);
        assertTrue(l.problem().startsWith("libcudnn.so.9 not found in the configured directory " + empty),
                l.problem());
        Assumptions.assumeTrue(CudnnLibraries.locate(Optional.empty(), Map.of(), tmp).location().isEmpty(),
                "this machine has a cuDNN installation in a system directory");
        CudnnLibraries.Located none = CudnnLibraries.locate(Optional.empty(), Map.of("LD_LIBRARY_PATH", "/nowhere"),
                tmp);
        assertTrue(none.problem().contains("libcudnn.so.9 not found in any of [/nowhere, "), none.problem());
        assertTrue(none.problem().contains("/usr/local/cuda/lib64"), none.problem());
    }

    @Test
    void missingCudartIsNamed() throws IOException {
        Path d = dirWith("nocudart", CudnnLibraries.CUDNN_HOST_TIER);
        CudnnLibraries.Located l = CudnnLibraries.locate(Optional.of(d.toString()), Map.of(), tmp);
        Assumptions.assumeTrue(l.location().isEmpty(), "this machine has libcudart.so.12 in a system directory");
        assertTrue(l.problem().startsWith("libcudart.so.12 (the CUDA 12 runtime) not found in [" + d), l.problem());
    }

    @Test
    void probeOfAnIncompleteDirectoryIsUnavailableBeforeAnythingIsOpened() throws IOException {
        List<String> files = CudnnLibraries.HOST_TIER.stream().filter(f -> !f.equals("libcudnn_cnn.so.9")).toList();
        Path d = dirWith("probe-incomplete", files); // empty files: opening one would fail, so none may be opened
        Availability a = CudnnBackendProvider.probeOnce(Optional.of(d.toString()), Map.of(), tmp);
        assertFalse(a.available());
        assertTrue(a.reason().contains("libcudnn_cnn.so.9") && a.reason().contains(d.toString()), a.reason());
    }

    @Test
    void versionStrings() {
        assertEquals("9.5.1", CudnnBackendProvider.versionString(90501));
        assertEquals("9.10.2", CudnnBackendProvider.versionString(91002));
        assertEquals("8.9.7", CudnnBackendProvider.versionString(8907));
    }
}
