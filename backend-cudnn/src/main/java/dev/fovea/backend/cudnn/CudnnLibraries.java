package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and opens the CUDA runtime and cuDNN 9 libraries.
 *
 * <p>Search order: {@code -Dfovea.cudnn.path} / {@code FOVEA_CUDNN_PATH} (when set, the only place cuDNN is
 * taken from), then every {@code LD_LIBRARY_PATH} entry, {@code $CUDA_HOME/lib64} and {@code $CUDA_PATH/lib64},
 * {@code /usr/local/cuda/lib64}, the distribution's library directories, and the {@code nvidia/cudnn/lib} /
 * {@code nvidia/cuda_runtime/lib} folders of Python environments ({@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX},
 * {@code ~/.local}, {@code /usr/local}, {@code /usr}).
 *
 * <p>cuDNN 9 is split into sub-libraries that {@code libcudnn.so.9} opens on demand; when one is missing it
 * calls {@code abort()} and takes the JVM with it. So every file is checked to exist before anything is opened,
 * in two tiers: the {@link #HOST_TIER} (enough to load and ask CUDA for devices) and the {@link #DEVICE_TIER}
 * (the engines, needed to compute), checked once a device was found. Files are opened in dependency order.
 */
public final class CudnnLibraries {
    /** System property naming the directory holding the cuDNN libraries. */
    public static final String PROPERTY = "fovea.cudnn.path";
    /** Environment variable naming that directory (the property wins). */
    public static final String ENV = "FOVEA_CUDNN_PATH";

    public static final String CUDART = "libcudart.so.12";
    public static final String CUDNN = "libcudnn.so.9";
    /** cuDNN files needed to load and make host-only calls, in the order they are opened. */
    public static final List<String> CUDNN_HOST_TIER = List.of("libcudnn_graph.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9", CUDNN);
    /** All host-tier files: the CUDA runtime first. */
    public static final List<String> HOST_TIER = List.of(CUDART, "libcudnn_graph.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9", CUDNN);
    /** cuDNN files needed to run kernels on a device, in the order they are opened. */
    public static final List<String> DEVICE_TIER = List.of("libcudnn_heuristic.so.9",
            "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9", "libcudnn_adv.so.9");

    /**
     * A library cuDNN 9 opens by name at run time: zlib (compressed kernels), cuBLASLt (the legacy convolution
     * API's GEMM engines), NVRTC and its builtins (runtime-compiled engines). {@code file} may end in {@code *}
     * (NVRTC's builtins carry the CUDA minor version); {@code pipFolder} is the pip wheel's
     * {@code nvidia/<folder>/lib}.
     */
    public record RuntimeDependency(String what, String file, String pipFolder) {
    }

    /** In the order they are opened (dependencies first). */
    public static final List<RuntimeDependency> RUNTIME = List.of(
            new RuntimeDependency("zlib", "libz.so.1", null),
            new RuntimeDependency("cuBLASLt", "libcublasLt.so.12", "cublas"),
            new RuntimeDependency("NVRTC builtins", "libnvrtc-builtins.so.12*", "cuda_nvrtc"),
            new RuntimeDependency("NVRTC", "libnvrtc.so.12", "cuda_nvrtc"));

    /** The outcome of {@link #locateRuntime}: the files in opening order, or what is missing and where we looked. */
    public record RuntimeFiles(List<Path> files, List<String> missing, String problem, String fix) {
        public boolean complete() {
            return missing.isEmpty();
        }
    }

    private CudnnLibraries() {
    }

    /**
     * Finds the {@link #RUNTIME} dependencies without opening anything: beside the cuDNN files, beside the CUDA
     * runtime, in the sibling folders of a pip layout ({@code nvidia/cudnn/lib} → {@code nvidia/cublas/lib},
     * {@code nvidia/cuda_nvrtc/lib}), then in {@code more} (the system's library directories in the probe).
     */
    public static RuntimeFiles locateRuntime(Location where, List<Path> more) {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<Path> searched = new LinkedHashSet<>();
        for (RuntimeDependency dep : RUNTIME) {
            Set<Path> dirs = new LinkedHashSet<>();
            dirs.add(where.cudnnDir());
            if (where.cudart().getParent() != null) {
                dirs.add(where.cudart().getParent());
            }
            Path pipCudnn = where.cudnnDir().toAbsolutePath().normalize().getParent(); // .../nvidia/cudnn
            if (dep.pipFolder() != null && pipCudnn != null && pipCudnn.endsWith(Path.of("nvidia", "cudnn"))) {
                dirs.add(pipCudnn.resolveSibling(dep.pipFolder()).resolve("lib"));
            }
            dirs.addAll(more);
            searched.addAll(dirs);
            Path hit = null;
            for (Path d : dirs) {
                hit = find(d, dep.file());
                if (hit != null) {
                    break;
                }
            }
            if (hit == null) {
                missing.add(dep.file() + " (" + dep.what() + ")");
            } else {
                found.add(hit);
            }
        }
        if (missing.isEmpty()) {
            return new RuntimeFiles(List.copyOf(found), List.of(), "", "");
        }
        return new RuntimeFiles(List.copyOf(found), List.copyOf(missing), "cuDNN's run-time dependencies are missing: "
                + String.join(", ", missing) + " not found in " + searched,
                "install them beside cuDNN (pip install nvidia-cublas-cu12 nvidia-cuda-nvrtc-cu12; zlib from the"
                        + " system's zlib1g) or add their directory to LD_LIBRARY_PATH");
    }

    /** {@code dir/name}, or for a name ending in {@code *} the first matching regular file, else null. */
    private static Path find(Path dir, String name) {
        if (!name.endsWith("*")) {
            Path p = dir.resolve(name);
            return Files.isRegularFile(p) ? p : null;
        }
        if (!Files.isDirectory(dir)) {
            return null;
        }
        List<Path> hits = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name)) {
            ds.forEach(p -> {
                if (Files.isRegularFile(p)) {
                    hits.add(p);
                }
            });
        } catch (IOException | SecurityException e) {
            return null;
        }
        hits.sort(null);
        return hits.isEmpty() ? null : hits.getLast();
    }

    /** The system's library directories ({@code LD_LIBRARY_PATH}, CUDA's, the distribution's) and pip's folders. */
    public static List<Path> systemLibraryDirs(Map<String, String> env, Path home) {
        Set<Path> dirs = new LinkedHashSet<>();
        systemDirs(env, dirs);
        for (Path sp : sitePackages(env, home)) {
            dirs.add(sp.resolve("nvidia/cublas/lib"));
            dirs.add(sp.resolve("nvidia/cuda_nvrtc/lib"));
        }
        return List.copyOf(dirs);
    }

    /** Opens the run-time dependencies by full path, so cuDNN's later open by name finds them already loaded. */
    public static synchronized void loadRuntime(RuntimeFiles files) {
        if (!files.complete()) {
            throw new IllegalStateException(files.problem());
        }
        for (Path p : files.files()) {
            open(p);
        }
    }

    /** Where the files were found: the cuDNN directory and the CUDA runtime file. */
    public record Location(Path cudnnDir, Path cudart) {
    }

    /** The outcome of {@link #locate}: a location, or the problem (which file is missing, and where we looked). */
    public record Located(Optional<Location> location, String problem, String fix) {
        static Located found(Path dir, Path cudart) {
            return new Located(Optional.of(new Location(dir, cudart)), "", "");
        }

        static Located missing(String problem, String fix) {
            return new Located(Optional.empty(), problem, fix);
        }
    }

    /** The explicitly configured directory: the property, else the environment variable, else empty. */
    public static Optional<String> configured(Map<String, String> env) {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = env.get(ENV);
        }
        return p == null || p.isBlank() ? Optional.empty() : Optional.of(p.trim());
    }

    /**
     * The directories searched for cuDNN, in order, without duplicates. Pure: depends only on its arguments and
     * on which {@code python3*} folders exist under the candidate prefixes.
     */
    public static List<Path> cudnnSearchPath(Optional<String> configured, Map<String, String> env, Path home) {
        if (configured.isPresent()) {
            return List.of(Path.of(configured.get()));
        }
        Set<Path> dirs = new LinkedHashSet<>();
        systemDirs(env, dirs);
        for (Path sp : sitePackages(env, home)) {
            dirs.add(sp.resolve("nvidia/cudnn/lib"));
        }
        return List.copyOf(dirs);
    }

    /**
     * The directories searched for {@code libcudart.so.12}: the configured directory first when set, then the
     * usual places, then the Python environments' {@code nvidia/cuda_runtime/lib} (pip installs cuDNN and the
     * runtime into separate folders).
     */
    public static List<Path> cudartSearchPath(Optional<String> configured, Map<String, String> env, Path home) {
        Set<Path> dirs = new LinkedHashSet<>();
        configured.ifPresent(c -> dirs.add(Path.of(c)));
        systemDirs(env, dirs);
        for (Path sp : sitePackages(env, home)) {
            dirs.add(sp.resolve("nvidia/cuda_runtime/lib"));
            dirs.add(sp.resolve("nvidia/cudnn/lib"));
        }
        return List.copyOf(dirs);
    }

    private static void systemDirs(Map<String, String> env, Set<Path> dirs) {
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String e : ld.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    dirs.add(Path.of(e.trim()));
                }
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                dirs.add(Path.of(v.trim(), "lib64"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
    }

    /** {@code lib/python3.*}{@code /site-packages} (and Debian's {@code dist-packages}) under the usual prefixes. */
    static List<Path> sitePackages(Map<String, String> env, Path home) {
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                prefixes.add(Path.of(v.trim()));
            }
        }
        if (home != null) {
            prefixes.add(home.resolve(".local"));
        }
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/usr"));
        List<Path> out = new ArrayList<>();
        for (Path prefix : prefixes) {
            Path lib = prefix.resolve("lib");
            if (!Files.isDirectory(lib)) {
                continue;
            }
            List<Path> pythons = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "python3*")) {
                ds.forEach(pythons::add);
            } catch (IOException | SecurityException e) {
                continue;
            }
            pythons.sort(null);
            for (Path py : pythons.reversed()) {
                for (String sp : List.of("site-packages", "dist-packages")) {
                    out.add(py.resolve(sp));
                }
            }
        }
        return out;
    }

    /**
     * Checks, without opening anything, that the host tier exists: a cuDNN directory holding every
     * {@link #CUDNN_HOST_TIER} file, and a {@link #CUDART}. The first complete directory wins; if none is complete,
     * the problem names the missing files of the first directory that holds {@code libcudnn.so.9}.
     */
    public static Located locate(Optional<String> configured, Map<String, String> env, Path home) {
        List<Path> cudnnDirs = cudnnSearchPath(configured, env, home);
        Path dir = null;
        Path partial = null;
        List<String> partialMissing = List.of();
        for (Path d : cudnnDirs) {
            List<String> missing = missingFiles(d, CUDNN_HOST_TIER);
            if (missing.isEmpty()) {
                dir = d;
                break;
            }
            if (partial == null && Files.exists(d.resolve(CUDNN))) {
                partial = d;
                partialMissing = missing;
            }
        }
        String where = configured.isPresent() ? ("the configured directory " + cudnnDirs.getFirst() + " (-D"
                + PROPERTY + " / " + ENV + ")") : ("any of " + cudnnDirs);
        String fix = "install cuDNN 9 for CUDA 12 (e.g. pip install nvidia-cudnn-cu12) and point -D" + PROPERTY
                + " or " + ENV + " at the directory holding libcudnn.so.9 and all its sub-libraries";
        if (dir == null) {
            if (partial != null) {
                return Located.missing("cuDNN is incomplete: " + String.join(", ", partialMissing) + " not found in "
                        + partial + (configured.isPresent() ? " (configured by -D" + PROPERTY + " / " + ENV + ")"
                        : "; searched " + cudnnDirs), fix);
            }
            return Located.missing(CUDNN + " not found in " + where, fix);
        }
        List<Path> cudartDirs = new ArrayList<>();
        cudartDirs.add(dir);
        cudartDirs.addAll(cudartSearchPath(configured, env, home));
        for (Path d : cudartDirs) {
            if (Files.isRegularFile(d.resolve(CUDART))) {
                return Located.found(dir, d.resolve(CUDART));
            }
        }
        return Located.missing(CUDART + " (the CUDA 12 runtime) not found in " + new LinkedHashSet<>(cudartDirs),
                "install the CUDA 12 runtime (e.g. pip install nvidia-cuda-runtime-cu12) or copy " + CUDART
                        + " next to libcudnn.so.9");
    }

    /** The files of {@code names} that are not regular files in {@code dir}. */
    public static List<String> missingFiles(Path dir, List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!Files.isRegularFile(dir.resolve(n))) {
                missing.add(n);
            }
        }
        return missing;
    }

    // ---- Opening (once per JVM: native libraries cannot be unloaded) ----

    private static Location loaded;
    private static boolean deviceTierLoaded;

    /**
     * Opens the host tier of {@code where} in dependency order and installs the bindings' lookups. Idempotent for
     * one location; a second, different location is refused (the first one stays in use).
     *
     * @throws IllegalArgumentException when the dynamic loader rejects a file (message names it)
     */
    public static synchronized void loadHostTier(Location where) {
        if (loaded != null) {
            if (!loaded.equals(where)) {
                throw new IllegalStateException("cuDNN was already loaded from " + loaded.cudnnDir()
                        + "; cannot load it again from " + where.cudnnDir());
            }
            return;
        }
        List<String> missing = missingFiles(where.cudnnDir(), CUDNN_HOST_TIER);
        if (!missing.isEmpty() || !Files.isRegularFile(where.cudart())) {
            throw new IllegalStateException("refusing to load an incomplete cuDNN: missing " + missing + " in "
                    + where.cudnnDir());
        }
        SymbolLookup cudart = open(where.cudart());
        SymbolLookup cudnn = null;
        for (String name : CUDNN_HOST_TIER) {
            cudnn = open(where.cudnnDir().resolve(name));
        }
        CudaRuntime.install(cudart);
        Cudnn.install(cudnn);
        loaded = where;
    }

    /** Opens the device tier (after the host tier); the caller has checked that its files exist. */
    public static synchronized void loadDeviceTier() {
        if (deviceTierLoaded) {
            return;
        }
        if (loaded == null) {
            throw new IllegalStateException("the cuDNN host tier is not loaded");
        }
        List<String> missing = missingFiles(loaded.cudnnDir(), DEVICE_TIER);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("refusing to load an incomplete cuDNN: missing " + missing + " in "
                    + loaded.cudnnDir());
        }
        for (String name : DEVICE_TIER) {
            open(loaded.cudnnDir().resolve(name));
        }
        deviceTierLoaded = true;
    }

    /** The location the host tier was loaded from, if any. */
    public static synchronized Optional<Location> loadedFrom() {
        return Optional.ofNullable(loaded);
    }

    @SuppressWarnings("restricted") // FFM native access; the JVM runs with --enable-native-access
    private static SymbolLookup open(Path file) {
        // The global arena: a native library stays loaded for the JVM's lifetime.
        return SymbolLookup.libraryLookup(file, Arena.global());
    }
}
