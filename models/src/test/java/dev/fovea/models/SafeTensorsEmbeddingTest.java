package dev.fovea.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.tensor.Layout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an application embedding Fovea relies on when it saves and loads weights. */
class SafeTensorsEmbeddingTest {
    @TempDir
    Path dir;

    private static float[] images(Model m, int n, long seed) {
        float[] x = new float[Math.toIntExact(m.inputShape(n).elementCount())];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    /** On every available backend (the vector one packs weights into its plans and fuses conv + pooling). */
    @Test
    void loadedWeightsReachAnInferenceCompiledBeforeAtEveryBatchSize() throws IOException {
        Path newer = dir.resolve("newer.safetensors");
        try (Model m = ModelZoo.build("fashion-cnn", 2)) {
            SafeTensors.save(m, newer);
        }
        List<String> backends = Backends.list().stream().filter(b -> b.availability().available())
                .map(BackendInfo::name).toList();
        for (String backend : backends) {
            try (Engine engine = Engine.open(backend); Model model = ModelZoo.build("fashion-cnn", 1);
                 Inference net = model.compile(engine)) {
                float[] x1 = images(model, 1, 1);
                float[] x4 = images(model, 4, 4);
                float[] old1 = net.predict(x1, 1);
                float[] old4 = net.predict(x4, 4);
                SafeTensors.load(model, newer);
                float[] new1 = net.predict(x1, 1);
                float[] new4 = net.predict(x4, 4);
                assertFalse(Arrays.equals(old1, new1), backend + ": seeds 1 and 2 should predict differently");
                assertFalse(Arrays.equals(old4, new4), backend + ": seeds 1 and 2 should predict differently");
                try (Model fresh = SafeTensors.loadModel(newer); Inference freshNet = fresh.compile(engine)) {
                    assertArrayEquals(freshNet.predict(x1, 1), new1, backend + ", batch 1");
                    assertArrayEquals(freshNet.predict(x4, 4), new4, backend + ", batch 4");
                }
            }
        }
    }

    @Test
    void savedFilesGetTheUsualPermissionsAndReplacedOnesKeepTheirs() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions");
        Path plain = dir.resolve("plain.bin");
        try (OutputStream out = Files.newOutputStream(plain)) {
            out.write(1);
        }
        Path saved = dir.resolve("w.safetensors");
        try (Model m = ModelZoo.build("lenet5", 1)) {
            SafeTensors.save(m, saved);
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(saved),
                    "a new weights file gets what Files.newOutputStream gives a new file");

            Set<PosixFilePermission> chosen = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
            Files.setPosixFilePermissions(saved, chosen);
            SafeTensors.save(m, saved);
            assertEquals(chosen, Files.getPosixFilePermissions(saved), "replacing a file keeps its permissions");
        }
        try (var files = Files.list(dir)) {
            assertEquals(Set.of(plain, saved), Set.copyOf(files.toList()), "no temporary file left behind");
        }
    }

    private static Model named(String name) {
        return Sequential.builder(Input.image(8, 8, 1), Layout.NHWC).name(name).seed(3)
                .add(Conv2D.of(2, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(3).softmax())
                .build();
    }

    @Test
    void loadingAnotherModelsWeightsWarnsNamingBoth() throws IOException {
        Path file = dir.resolve("digits.safetensors");
        try (Model digits = named("digits-net")) {
            SafeTensors.save(digits, file);
        }
        Logger logger = Logger.getLogger("dev.fovea.models");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try (Model same = named("digits-net"); Model shoes = named("shoes-net")) {
            SafeTensors.load(same, file);
            assertEquals(List.of(), records.stream().filter(r -> r.getLevel() == Level.WARNING).toList(),
                    "the same model's file loads silently");
            SafeTensors.load(shoes, file);
            List<String> warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING)
                    .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.getFirst().contains("'digits-net'") && warnings.getFirst().contains("'shoes-net'")
                    && warnings.getFirst().contains(file.toString()), warnings.getFirst());
            assertArrayEquals(same.getWeights("dense").getFirst(), shoes.getWeights("dense").getFirst(),
                    "the weights are loaded all the same");
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void nullArgumentsAreNamed() {
        try (Model m = named("n")) {
            assertEquals("model", assertThrows(NullPointerException.class,
                    () -> SafeTensors.save(null, dir.resolve("x"))).getMessage());
            assertEquals("file", assertThrows(NullPointerException.class, () -> SafeTensors.save(m, null))
                    .getMessage());
            assertEquals("model", assertThrows(NullPointerException.class,
                    () -> SafeTensors.load(null, dir.resolve("x"))).getMessage());
            assertEquals("file", assertThrows(NullPointerException.class, () -> SafeTensors.load(m, null))
                    .getMessage());
            assertEquals("file", assertThrows(NullPointerException.class, () -> SafeTensors.loadModel(null))
                    .getMessage());
            assertEquals("name", assertThrows(NullPointerException.class, () -> ModelZoo.build(null, 1))
                    .getMessage());
        }
    }

    @Test
    void savingAClosedModelSaysSo() {
        Model m = named("gone");
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SafeTensors.save(m, dir.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("model 'gone' was closed"), e.getMessage());
    }
}
