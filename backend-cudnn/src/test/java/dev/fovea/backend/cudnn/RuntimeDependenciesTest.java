package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's search for cuDNN's run-time dependencies (cuBLASLt, NVRTC, zlib); nothing is opened. */
class RuntimeDependenciesTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryLackingThemNamesEachMissingLibrary() {
        CudnnLibraries.Location where = new CudnnLibraries.Location(tmp, tmp.resolve(CudnnLibraries.CUDART));
        CudnnLibraries.RuntimeFiles r = CudnnLibraries.locateRuntime(where, List.of());
        assertFalse(r.complete());
        assertEquals(List.of("libz.so.1 (zlib)", "libcublasLt.so.12 (cuBLASLt)",
                "libnvrtc-builtins.so.12* (NVRTC builtins)", "libnvrtc.so.12 (NVRTC)"), r.missing());
        assertTrue(r.problem().contains("libcublasLt.so.12 (cuBLASLt)") && r.problem().contains(tmp.toString()),
                r.problem());
        assertTrue(r.fix().contains("nvidia-cublas-cu12"), r.fix());
    }

    /**
     * The real cuDNN directory: -Pcudnn-libs unpacks cuDNN and the CUDA runtime only, so the probe would name
     * cuBLASLt and NVRTC; a complete installation (a GPU machine's) has them, and then they are found.
     */
    @Test
    void theRealCudnnDirectoryIsJudgedByWhatItHolds() {
        CudnnLibraries.Location where = NativeLibs.location();
        CudnnLibraries.RuntimeFiles r = CudnnLibraries.locateRuntime(where, List.of());
        for (String[] dep : new String[][] {{"libcublasLt.so.12", "cuBLASLt"}, {"libnvrtc.so.12", "NVRTC"}}) {
            boolean beside = Files.isRegularFile(where.cudnnDir().resolve(dep[0]));
            String named = dep[0] + " (" + dep[1] + ")";
            if (beside) {
                assertFalse(r.missing().contains(named), r.problem());
            }
            if (CudnnLibraries.missingFiles(where.cudnnDir(), CudnnLibraries.DEVICE_TIER).size()
                    == CudnnLibraries.DEVICE_TIER.size()) {
                // The host tier alone (what -Pcudnn-libs unpacks): nothing else is there.
                assertTrue(r.missing().contains(named), r.problem());
            }
        }
    }

    /** pip keeps each library in its own nvidia/<package>/lib folder; they are found beside nvidia/cudnn/lib. */
    @Test
    void pipSiblingFoldersAreSearchedAndTheOpeningOrderIsKept() throws IOException {
        Path nvidia = tmp.resolve("site-packages/nvidia");
        Path cudnn = Files.createDirectories(nvidia.resolve("cudnn/lib"));
        Path cublas = Files.createDirectories(nvidia.resolve("cublas/lib"));
        Path nvrtc = Files.createDirectories(nvidia.resolve("cuda_nvrtc/lib"));
        Path system = Files.createDirectories(tmp.resolve("usr-lib"));
        Files.createFile(cublas.resolve("libcublasLt.so.12"));
        Files.createFile(nvrtc.resolve("libnvrtc.so.12"));
        Files.createFile(nvrtc.resolve("libnvrtc-builtins.so.12.4"));
        Files.createFile(nvrtc.resolve("libnvrtc-builtins.so.12.6"));
        Files.createFile(system.resolve("libz.so.1"));
        CudnnLibraries.Location where = new CudnnLibraries.Location(cudnn, cudnn.resolve(CudnnLibraries.CUDART));
        CudnnLibraries.RuntimeFiles r = CudnnLibraries.locateRuntime(where, List.of(system));
        assertTrue(r.complete(), r.problem());
        assertEquals(List.of(system.resolve("libz.so.1"), cublas.resolve("libcublasLt.so.12"),
                nvrtc.resolve("libnvrtc-builtins.so.12.6"), nvrtc.resolve("libnvrtc.so.12")), r.files());
    }
}
