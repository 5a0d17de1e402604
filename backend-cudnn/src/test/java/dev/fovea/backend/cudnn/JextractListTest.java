package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The --include-function lists of jextract/regenerate.sh name exactly the functions the bindings hold. */
class JextractListTest {
    private static List<String> list(String file) throws IOException {
        return Files.readAllLines(Path.of("jextract", file)).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void functionListsMatchTheBindings() throws IOException {
        assertEquals(Cudnn.SYMBOLS, list("cudnn.functions"));
        assertEquals(CudaRuntime.SYMBOLS, list("cudart.functions"));
    }
}
