package dev.fovea.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets that stay inside the file: a loader that reads tensors one after another, ignoring {@code data_offsets},
 * passes every test whose files were written in header order. Here the data is laid out in the other order, and
 * offsets that are off but in bounds must be refused, not read as someone else's bytes.
 */
class SafeTensorsOffsetsTest {
    @TempDir
    Path dir;

    /** Dense 2 → 3: kernel [2, 3] (6 floats), bias [3]. */
    private static Model dense() {
        return Sequential.builder(Input.image(1, 1, 2), Layout.NCHW).add(Flatten.create())
                .add(Dense.of(3).name("d")).build();
    }

    @Test
    void tensorsAreReadFromTheirOffsetsNotInHeaderOrder() throws IOException {
        // The bias first in the data, the kernel after it, while the header lists the kernel first.
        float[] kernel = {1, 2, 3, 4, 5, 6};
        float[] bias = {-1, -2, -3};
        String header = "{\"d.kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[12,36]},"
                + "\"d.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}";
        byte[] data = new byte[36];
        System.arraycopy(Samples.floatsLe(bias), 0, data, 0, 12);
        System.arraycopy(Samples.floatsLe(kernel), 0, data, 12, 24);
        Path f = Files.write(dir.resolve("swapped.safetensors"), Samples.safetensors(header, data));
        try (Model m = dense()) {
            SafeTensors.load(m, f);
            List<float[]> w = m.getWeights("d");
            assertArrayEquals(kernel, w.get(0));
            assertArrayEquals(bias, w.get(1));
        }
    }

    @Test
    void offsetsOffByOneTensorButInBoundsAreRefused() throws IOException {
        // Both tensors claim the same 12 bytes; 24 bytes then belong to no tensor, and the kernel's 24 bytes would
        // overlap the bias: the file is refused, the model keeps its weights.
        String overlapping = "{\"d.kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"d.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}}";
        Path f = Files.write(dir.resolve("overlap.safetensors"), Samples.safetensors(overlapping, new byte[36]));
        try (Model m = dense()) {
            float[] before = m.getWeights("d").get(0);
            IOException e = assertThrows(IOException.class, () -> SafeTensors.load(m, f));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertArrayEquals(before, m.getWeights("d").get(0), "unchanged");
        }
    }
}
