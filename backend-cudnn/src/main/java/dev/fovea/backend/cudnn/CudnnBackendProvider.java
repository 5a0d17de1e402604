package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code cudnn} backend: NVIDIA GPUs through cuDNN 9 and the CUDA 12 runtime, priority 200.
 *
 * <p>{@link #probe()} explains itself: which library file is missing and where it looked, which version is too
 * old, or what CUDA says about the devices (e.g. {@code cudaErrorInsufficientDriver (35)} on a machine without
 * an NVIDIA driver). It never throws and never lets cuDNN abort the JVM: every file is checked to exist before
 * the first one is opened. The constructor does nothing; the result of the first probe is kept (native
 * libraries stay loaded for the JVM's lifetime).
 *
 * <pre>{@code java -Dfovea.backend=cudnn -Dfovea.cudnn.path=/opt/cudnn/lib ...}</pre>
 */
public final class CudnnBackendProvider implements BackendProvider {
    public static final String NAME = "cudnn";
    /** Oldest cuDNN accepted ({@code cudnnGetVersion} format, 9.0.0); older ones lack {@code cudnnGetLastErrorString}. */
    public static final long MIN_CUDNN_VERSION = 90000;
    /** Oldest CUDA runtime accepted ({@code cudaRuntimeGetVersion} format, 12.0). */
    public static final int MIN_CUDART_VERSION = 12000;

    private static Availability probed;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Availability probe() {
        synchronized (CudnnBackendProvider.class) {
            if (probed == null) {
                try {
                    probed = probeOnce(CudnnLibraries.configured(System.getenv()), System.getenv(), home());
                } catch (RuntimeException | LinkageError e) {
                    probed = Availability.no("probing cuDNN failed: " + e, "report this as a bug of backend 'cudnn'");
                }
            }
            return probed;
        }
    }

    @Override
    public Backend open(BackendOptions options) {
        Availability a = probe();
        if (!a.available()) {
            throw new IllegalStateException("backend 'cudnn' is unavailable: " + a.describe());
        }
        return new CudnnBackend(device());
    }

    /** The CUDA device used: {@code -Dfovea.cudnn.device}, default 0. */
    static int device() {
        return Integer.getInteger("fovea.cudnn.device", 0);
    }

    private static Path home() {
        String h = System.getProperty("user.home");
        return h == null || h.isBlank() ? null : Path.of(h);
    }

    /**
     * The whole probe, without memoization: locate (no native code), open the host tier, check versions, ask
     * CUDA for devices, find and open cuDNN's run-time dependencies and the device tier, then run one tiny
     * convolution on the device ({@link SmokeTest}): available means "can convolve".
     */
    static Availability probeOnce(Optional<String> configured, Map<String, String> env, Path home) {
        CudnnLibraries.Located found = CudnnLibraries.locate(configured, env, home);
        if (found.location().isEmpty()) {
            return Availability.no(found.problem(), found.fix());
        }
        CudnnLibraries.Location where = found.location().get();
        try {
            CudnnLibraries.loadHostTier(where);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Availability.no("cannot load cuDNN from " + where.cudnnDir() + ": " + e.getMessage(),
                    "check that the files are cuDNN 9 for CUDA 12 on this platform");
        }
        long cudnnVersion = Cudnn.cudnnGetVersion();
        if (cudnnVersion < MIN_CUDNN_VERSION) {
            return Availability.no("cuDNN " + versionString(cudnnVersion) + " in " + where.cudnnDir()
                    + " is too old; Fovea needs cuDNN ≥ 9.0", "install cuDNN 9 for CUDA 12");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            int err = CudaRuntime.cudaRuntimeGetVersion(out);
            int runtime = err == CudaRuntime.cudaSuccess ? out.get(ValueLayout.JAVA_INT, 0) : 0;
            if (err != CudaRuntime.cudaSuccess || runtime < MIN_CUDART_VERSION) {
                return Availability.no("the CUDA runtime " + where.cudart() + " reports version " + runtime / 1000
                        + "." + runtime % 1000 / 10 + "; Fovea needs CUDA ≥ 12.0", "install the CUDA 12 runtime");
            }
            long builtFor = Cudnn.cudnnGetCudartVersion();
            if (builtFor / 1000 != runtime / 1000) {
                return Availability.no("cuDNN " + versionString(cudnnVersion) + " was built for CUDA " + builtFor / 1000
                        + " but the CUDA runtime " + where.cudart() + " is " + runtime / 1000 + "." + runtime % 1000 / 10,
                        "use a cuDNN built for the installed CUDA major version");
            }
            err = CudaRuntime.cudaGetDeviceCount(out);
            if (err != CudaRuntime.cudaSuccess) {
                return Availability.no("no GPU: CUDA reports no usable device: cudaGetDeviceCount returned "
                        + Native.cudaErrorName(err) + " (" + err + "): " + Native.cudaErrorString(err),
                        err == CudaRuntime.cudaErrorInsufficientDriver
                                ? "install an NVIDIA driver that supports CUDA " + runtime / 1000 + "." + runtime % 1000 / 10
                                : "run on a machine with an NVIDIA GPU and driver");
            }
            int count = out.get(ValueLayout.JAVA_INT, 0);
            int device = device();
            if (device < 0 || device >= count) {
                return Availability.no("CUDA device " + device + " does not exist (" + count + " found)",
                        "set -Dfovea.cudnn.device to a number below " + count);
            }
        }
        List<String> missing = CudnnLibraries.missingFiles(where.cudnnDir(), CudnnLibraries.DEVICE_TIER);
        if (!missing.isEmpty()) {
            return Availability.no("cuDNN is incomplete: " + String.join(", ", missing) + " not found in "
                    + where.cudnnDir() + " (needed to run on the GPU)",
                    "install the complete cuDNN 9 (all sub-libraries) into " + where.cudnnDir());
        }
        CudnnLibraries.RuntimeFiles runtime = CudnnLibraries.locateRuntime(where,
                CudnnLibraries.systemLibraryDirs(env, home));
        if (!runtime.complete()) {
            return Availability.no(runtime.problem(), runtime.fix());
        }
        try {
            CudnnLibraries.loadRuntime(runtime);
            CudnnLibraries.loadDeviceTier();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Availability.no("cannot load the cuDNN engines from " + where.cudnnDir() + ": " + e.getMessage(),
                    "check that the cuDNN 9 installation is complete");
        }
        try (CudnnBackend backend = new CudnnBackend(device())) {
            String wrong = SmokeTest.convolve(backend);
            if (wrong != null) {
                return Availability.no("cuDNN on CUDA device " + device() + " computed a wrong convolution: " + wrong,
                        "report this as a bug of backend 'cudnn' with the GPU, driver and cuDNN versions");
            }
        } catch (RuntimeException e) {
            return Availability.no("cuDNN cannot convolve on CUDA device " + device() + ": " + e.getMessage(),
                    "check the GPU's compute capability, the driver and that every cuDNN library is present");
        }
        return Availability.yes();
    }

    /** 90501 → "9.5.1" (cuDNN 9's {@code major·10000 + minor·100 + patch}). */
    static String versionString(long v) {
        return v >= 90000 ? v / 10000 + "." + v % 10000 / 100 + "." + v % 100 : v / 1000 + "." + v % 1000 / 100 + "."
                + v % 100;
    }
}
