package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real cuDNN libraries for tests: from {@code -Dfovea.cudnn.path} (set by {@code -Pcudnn-libs}) or the usual
 * places. Missing: the test is skipped with the reason, or fails when {@code -Dfovea.cudnn.required=true}.
 */
final class NativeLibs {
    private NativeLibs() {
    }

    static CudnnLibraries.Location location() {
        String home = System.getProperty("user.home");
        CudnnLibraries.Located l = CudnnLibraries.locate(CudnnLibraries.configured(System.getenv()), System.getenv(),
                home == null ? null : Path.of(home));
        if (l.location().isEmpty()) {
            String msg = "needs the cuDNN 9 host libraries (" + l.problem() + "); run mvn -Pcudnn-libs -pl"
                    + " backend-cudnn -am verify";
            if (Boolean.getBoolean("fovea.cudnn.required")) {
                Assertions.fail(msg);
            }
            Assumptions.abort(msg);
        }
        return l.location().get();
    }

    /** Locates and opens the host tier (once per JVM). */
    static CudnnLibraries.Location load() {
        CudnnLibraries.Location where = location();
        CudnnLibraries.loadHostTier(where);
        Assertions.assertTrue(Cudnn.installed());
        return where;
    }
}
