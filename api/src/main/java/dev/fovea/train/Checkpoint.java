package dev.fovea.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Trainer} needs to continue a run exactly where it stopped: the model's weights (batch
 * normalization's moving statistics included), the optimizer's moments and step count, the position in the run
 * (epoch, batch, global step: the schedule's position and, with the seed, every random draw's) and the epoch's
 * running totals. The shuffles, dropout masks and augmentations are drawn from the seed and the epoch or step
 * number, so the position is the whole random state.
 *
 * <p>Files are written to a temporary file in the same folder, flushed to the disk and renamed over the old one,
 * so a run killed at any moment leaves either the previous checkpoint or the new one, never half of one.
 * The format is Fovea's own (big-endian, versioned) and not meant for other programs.
 */
record Checkpoint(String model, long seed, String optimizer, int batchSize, int epochs, int epoch, int batch,
                  long step, long optimizerSteps, double lossSum, long correct, long seen, double trainSeconds,
                  List<Callback.EpochEnd> history, Map<String, float[]> weights, Map<String, float[]> optimizerState) {
    private static final String MAGIC = "fovea-checkpoint";
    private static final int VERSION = 1;

    /** Writes this checkpoint to {@code file} atomically (temporary file, sync, rename). */
    void write(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fos, 1 << 16))) {
                out.writeUTF(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(model);
                out.writeLong(seed);
                out.writeUTF(optimizer);
                out.writeInt(batchSize);
                out.writeInt(epochs);
                out.writeInt(epoch);
                out.writeInt(batch);
                out.writeLong(step);
                out.writeLong(optimizerSteps);
                out.writeDouble(lossSum);
                out.writeLong(correct);
                out.writeLong(seen);
                out.writeDouble(trainSeconds);
                out.writeInt(history.size());
                for (Callback.EpochEnd e : history) {
                    out.writeInt(e.epoch());
                    out.writeDouble(e.trainLoss());
                    out.writeDouble(e.trainAccuracy());
                    out.writeDouble(e.trainSeconds());
                    out.writeBoolean(e.test() != null);
                    if (e.test() != null) {
                        out.writeDouble(e.test().loss());
                        out.writeDouble(e.test().accuracy());
                        out.writeLong(e.test().count());
                        out.writeDouble(e.test().seconds());
                    }
                }
                writeTensors(out, weights);
                writeTensors(out, optimizerState);
                out.flush();
                fos.getFD().sync();
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a checkpoint; a file that is not one, or is cut short, throws naming the file. */
    static Checkpoint read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            String magic = in.readUTF();
            if (!magic.equals(MAGIC)) {
                throw new IllegalArgumentException("checkpoint " + file + ": not a Fovea checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("checkpoint " + file + ": format version " + version
                        + ", this Fovea reads version " + VERSION);
            }
            String model = in.readUTF();
            long seed = in.readLong();
            String optimizer = in.readUTF();
            int batchSize = in.readInt();
            int epochs = in.readInt();
            int epoch = in.readInt();
            int batch = in.readInt();
            long step = in.readLong();
            long optimizerSteps = in.readLong();
            double lossSum = in.readDouble();
            long correct = in.readLong();
            long seen = in.readLong();
            double trainSeconds = in.readDouble();
            int n = in.readInt();
            List<Callback.EpochEnd> history = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int e = in.readInt();
                double loss = in.readDouble();
                double accuracy = in.readDouble();
                double seconds = in.readDouble();
                Evaluation test = null;
                if (in.readBoolean()) {
                    test = new Evaluation(in.readDouble(), in.readDouble(), in.readLong(), in.readDouble());
                }
                history.add(new Callback.EpochEnd(e, loss, accuracy, test, seconds));
            }
            Map<String, float[]> weights = readTensors(in);
            Map<String, float[]> state = readTensors(in);
            return new Checkpoint(model, seed, optimizer, batchSize, epochs, epoch, batch, step, optimizerSteps,
                    lossSum, correct, seen, trainSeconds, history, weights, state);
        } catch (EOFException e) {
            throw new IllegalArgumentException("checkpoint " + file + " is cut short", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeTensors(DataOutputStream out, Map<String, float[]> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            out.writeUTF(e.getKey());
            float[] v = e.getValue();
            out.writeInt(v.length);
            for (float f : v) {
                out.writeInt(Float.floatToRawIntBits(f));
            }
        }
    }

    private static Map<String, float[]> readTensors(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            float[] v = new float[in.readInt()];
            for (int k = 0; k < v.length; k++) {
                v[k] = Float.intBitsToFloat(in.readInt());
            }
            out.put(name, v);
        }
        return out;
    }
}
