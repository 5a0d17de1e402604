package dev.fovea.train;

import dev.fovea.data.Dataset;
import dev.fovea.engine.Engine;
import dev.fovea.nn.Model;
import dev.fovea.nn.Trainable;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Mini-batch training of a model on one engine: Keras' {@code fit} and {@code evaluate}.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, engine)
 *         .loss(Loss.softmaxCrossEntropy()).optimizer(Optimizer.adam()).learningRate(1e-3)
 *         .batchSize(64).epochs(5).seed(42).build();
 * List<Callback.EpochEnd> history = trainer.fit(data.train(), data.test());
 * }</pre>
 *
 * <p>Determinism: the epoch's order is a Fisher–Yates shuffle drawn from {@code seed} and the epoch number, each
 * step's dropout masks and augmentations from {@code seed} and the step number, and the optimizer is sequential;
 * so the same seed, backend and thread count give bit-identical weights (as long as the backend itself is
 * deterministic; the vector backend's results do not even depend on its thread count).
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final Engine engine;
    private final Loss loss;
    private final Optimizer optimizer;
    private final double learningRate;
    private final Schedule schedule;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final boolean shuffle;
    private final int evalBatchSize;
    private final Augmentation augmentation;
    private final List<Callback> callbacks;
    private final Trainable trainable;
    /** Host input batches, one per batch size, reused every step. */
    private final TensorScope batchScope = new TensorScope();
    private final Map<Integer, Tensor> batches = new HashMap<>();
    private final java.nio.file.Path checkpoint;
    private final boolean resume;
    private long step;
    private volatile boolean stopRequested;

    private Trainer(Builder b) {
        this.model = b.model;
        this.engine = b.engine;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.learningRate = b.learningRate;
        this.schedule = b.schedule;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.evalBatchSize = b.evalBatchSize;
        this.augmentation = b.augmentation;
        this.callbacks = List.copyOf(b.callbacks);
        this.checkpoint = b.checkpoint;
        this.resume = b.resume;
        this.trainable = Trainable.of(model, engine, b.frozen);
    }

    public static Builder builder(Model model, Engine engine) {
        return new Builder(model, engine);
    }

    /**
     * Trains for the configured epochs, evaluating on {@code test} after each (when non-null); returns one entry
     * per epoch.
     */
    public List<Callback.EpochEnd> fit(Dataset train, Dataset test) {
        Objects.requireNonNull(train, "train");
        checkData(train);
        if (test != null) {
            checkData(test);
        }
        List<Callback.EpochEnd> history = new ArrayList<>();
        int n = train.size();
        int batches = Math.ceilDiv(n, batchSize);
        long totalSteps = (long) batches * epochs;
        int startEpoch = 0;
        int startBatch = 0;
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        double secondsBefore = 0;
        if (resume) {
            Checkpoint c = restore(checkpoint, batches);
            history.addAll(c.history());
            startEpoch = c.epoch();
            startBatch = c.batch();
            lossSum = c.lossSum();
            correct = c.correct();
            seen = c.seen();
            secondsBefore = c.trainSeconds();
        }
        for (int epoch = startEpoch; epoch < epochs; epoch++) {
            int[] order = train.identityOrder();
            if (shuffle) {
                shuffle(order, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch));
            }
            long start = System.nanoTime();
            int firstBatch = epoch == startEpoch ? startBatch : 0;
            if (epoch != startEpoch) {
                lossSum = 0;
                correct = 0;
                seen = 0;
                secondsBefore = 0;
            }
            for (int b = firstBatch; b < batches; b++) {
                int from = b * batchSize;
                int count = Math.min(batchSize, n - from);
                double lr = schedule.rate(learningRate, epoch, (double) (epoch * batches + b) / totalSteps);
                double batchLoss;
                Tensor x = batch(train, order, from, count);
                int[] labels = train.labels(order, from, count);
                try (Trainable.Pass pass = trainable.forward(x, true, loss.wantsLogits(), seed * 31 + step)) {
                    Tensor d = pass.allocate(pass.output().shape());
                    batchLoss = loss.compute(engine, pass.output(), new Loss.Targets(labels, null), d);
                    correct += correct(pass.output(), labels);
                    pass.backward(d);
                }
                if (!Double.isFinite(batchLoss)) {
                    throw new IllegalStateException("training diverged: loss " + batchLoss + " at epoch " + (epoch + 1)
                            + ", batch " + (b + 1) + " (learning rate " + lr + "); try a smaller learning rate");
                }
                optimizer.step(engine, trainable.learnedWeights(), trainable.gradients(), lr);
                trainable.weightsChanged();
                step++;
                seen += count;
                lossSum += batchLoss * count;
                Callback.BatchEnd be = new Callback.BatchEnd(epoch, b, batches, seen, batchLoss, lossSum / seen,
                        (double) correct / seen, lr, System.nanoTime() - start);
                for (Callback c : callbacks) {
                    c.onBatch(be);
                }
                if (stopRequested && b + 1 < batches) {
                    double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
                    if (checkpoint != null) {
                        save(epoch, b + 1, lossSum, correct, seen, seconds, history);
                    }
                    throw new Stopped(epoch, b + 1, batches, checkpoint);
                }
            }
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            Evaluation eval = test == null ? null : evaluate(test);
            Callback.EpochEnd ee = new Callback.EpochEnd(epoch, lossSum / seen, (double) correct / seen, eval, seconds);
            history.add(ee);
            if (checkpoint != null) {
                save(epoch + 1, 0, 0, 0, 0, 0, history);
            }
            for (Callback c : callbacks) {
                c.onEpoch(ee);
            }
            if (stopRequested && epoch + 1 < epochs) {
                throw new Stopped(epoch + 1, 0, batches, checkpoint);
            }
        }
        return history;
    }

    /**
     * Asks a running {@link #fit} to stop after its current step: it writes a checkpoint (when it has a file) and
     * throws {@link Stopped}. Safe to call from any thread (a shutdown hook on Ctrl-C).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Thrown by {@link #fit} after {@link #requestStop()}: where the run stopped and the checkpoint it wrote. */
    public static final class Stopped extends RuntimeException {
        private final transient java.nio.file.Path checkpoint;

        Stopped(int epoch, int batch, int batches, java.nio.file.Path checkpoint) {
            super("training stopped at epoch " + (epoch + 1) + ", batch " + batch + " of " + batches
                    + (checkpoint == null ? " (no checkpoint file was set)" : "; checkpoint written to " + checkpoint));
            this.checkpoint = checkpoint;
        }

        /** The checkpoint written, or null when the trainer had no checkpoint file. */
        public java.nio.file.Path checkpoint() {
            return checkpoint;
        }
    }

    private void save(int epoch, int batch, double lossSum, long correct, long seen, double seconds,
                      List<Callback.EpochEnd> history) {
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        model.namedWeights().forEach((k, v) -> weights.put(k, v.toArray()));
        new Checkpoint(model.name(), seed, optimizer.toString(), batchSize, epochs, epoch, batch, step,
                optimizer.steps(), lossSum, correct, seen, seconds, List.copyOf(history), weights, optimizer.state())
                .write(checkpoint);
    }

    /** Loads {@code file} into the model and optimizer after checking it belongs to this run's settings. */
    private Checkpoint restore(java.nio.file.Path file, int batches) {
        Checkpoint c = Checkpoint.read(file);
        Violations v = new Violations("checkpoint " + file);
        v.check(c.model().equals(model.name()), "model", "it is of model '" + c.model() + "', not '" + model.name()
                + "'");
        v.check(c.seed() == seed, "seed", "it was trained with seed " + c.seed() + ", this run has " + seed);
        v.check(c.optimizer().equals(optimizer.toString()), "optimizer", "it was trained with " + c.optimizer()
                + ", this run uses " + optimizer);
        v.check(c.batchSize() == batchSize, "batchSize", "batch size " + c.batchSize() + " != " + batchSize);
        v.check(c.epochs() == epochs, "epochs", "the run had " + c.epochs() + " epochs (the schedule depends on"
                + " them), this one " + epochs);
        v.check(c.batch() <= batches, "batch", "batch " + c.batch() + " of an epoch of " + batches + " batches");
        Map<String, Tensor> weights = model.namedWeights();
        v.check(c.weights().keySet().equals(weights.keySet()), "weights", "its weights " + c.weights().keySet()
                + " differ from the model's " + weights.keySet());
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            float[] w = c.weights().get(e.getKey());
            v.check(w == null || w.length == e.getValue().shape().elementCount(), "weights", e.getKey() + " has "
                    + (w == null ? 0 : w.length) + " values, the model " + e.getValue().shape().elementCount());
        }
        v.throwIfAny("resume");
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            e.getValue().copyFrom(c.weights().get(e.getKey()));
        }
        model.weightsChanged();
        optimizer.restore(c.optimizerSteps(), c.optimizerState());
        step = c.step();
        return c;
    }

    /** Mean loss and accuracy over {@code data}, dropout off, in batches of the evaluation batch size. */
    public Evaluation evaluate(Dataset data) {
        Objects.requireNonNull(data, "data");
        return evaluate(trainable, loss, data, evalBatchSize);
    }

    /** Evaluates {@code model} on {@code engine} without training it. */
    public static Evaluation evaluate(Model model, Engine engine, Loss loss, Dataset data, int batchSize) {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(data, "data");
        try (Trainable t = Trainable.of(model, engine)) {
            return evaluate(t, loss, data, batchSize);
        }
    }

    private static Evaluation evaluate(Trainable t, Loss loss, Dataset data, int batchSize) {
        long start = System.nanoTime();
        int[] order = data.identityOrder();
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < data.size(); from += batchSize) {
            int count = Math.min(batchSize, data.size() - from);
            try (TensorScope s = new TensorScope()) {
                Tensor x = data.batch(order, from, count, s);
                int[] labels = data.labels(order, from, count);
                try (Trainable.Pass pass = t.forward(x, false, loss.wantsLogits(), 0)) {
                    lossSum += loss.compute(t.engine(), pass.output(), new Loss.Targets(labels, null), null) * count;
                    correct += correct(t.engine(), pass.output(), labels);
                }
            }
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), data.size(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * Items {@code order[from .. from + count)} of {@code data} in a host tensor kept per batch size (overwritten by
     * the next call), as {@link Dataset#batch} makes them.
     */
    private Tensor batch(Dataset data, int[] order, int from, int count) {
        Tensor t = batches.computeIfAbsent(count, c -> batchScope.allocate(
                Shape.of(c, data.channels(), data.height(), data.width()), Layout.NHWC));
        MemorySegment seg = t.buffer();
        long per = (long) data.channels() * data.height() * data.width();
        SplittableRandom random = augmentation == null ? null
                : new SplittableRandom((seed * 0x9E3779B97F4A7C15L + step) * 0xBF58476D1CE4E5B9L);
        for (int b = 0; b < count; b++) {
            float[] image = data.image(order[from + b]);
            if (random != null) {
                augmentation.apply(image, data.height(), data.width(), data.channels(), random);
            }
            MemorySegment.copy(image, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, (t.offset() + b * per) * 4,
                    image.length);
        }
        return t;
    }

    private long correct(Tensor output, int[] labels) {
        return correct(engine, output, labels);
    }

    /** How many rows' argmax (first maximum) equals the label. */
    static long correct(Engine engine, Tensor output, int[] labels) {
        float[] y;
        if (output.isHost()) {
            y = output.toArray();
        } else {
            try (TensorScope s = new TensorScope()) {
                Tensor h = s.allocate(output.shape(), output.layout());
                engine.copy(output, h);
                y = h.toArray();
            }
        }
        int f = y.length / labels.length;
        long ok = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int j = 1; j < f; j++) {
                if (y[i * f + j] > y[i * f + best]) {
                    best = j;
                }
            }
            if (best == labels[i]) {
                ok++;
            }
        }
        return ok;
    }

    private void checkData(Dataset d) {
        Violations v = new Violations("model '" + model.name() + "'");
        v.check(d.height() == model.input().height() && d.width() == model.input().width()
                && d.channels() == model.input().channels(), "data", "data set " + d + " does not match the model"
                + " input " + model.input().height() + "×" + model.input().width() + "×" + model.input().channels());
        long classes = model.outputShape(1).perItem();
        v.check(d.classes().size() == classes, "data", "data set has " + d.classes().size() + " classes, the model "
                + classes + " outputs");
        v.throwIfAny("fit");
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The trainer's gradients and plans; the model stays open (its owner closes it). */
    @Override
    public void close() {
        trainable.close();
        batchScope.close();
    }

    /** Settings of a {@link Trainer}; defaults: softmax cross-entropy, Adam, rate 1e-3 constant, batch 64, 1 epoch, seed 0. */
    public static final class Builder {
        private final Model model;
        private final Engine engine;
        private Loss loss = Loss.softmaxCrossEntropy();
        private Optimizer optimizer = Optimizer.adam();
        private double learningRate = 1e-3;
        private Schedule schedule = Schedule.constant();
        private int batchSize = 64;
        private int epochs = 1;
        private long seed;
        private boolean shuffle = true;
        private int evalBatchSize = 256;
        private Augmentation augmentation;
        private final List<Callback> callbacks = new ArrayList<>();
        private java.nio.file.Path checkpoint;
        private boolean resume;
        private java.util.Set<String> frozen = java.util.Set.of();

        private Builder(Model model, Engine engine) {
            this.model = Objects.requireNonNull(model, "model");
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        public Builder loss(Loss l) {
            this.loss = l;
            return this;
        }

        public Builder optimizer(Optimizer o) {
            this.optimizer = o;
            return this;
        }

        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        public Builder schedule(Schedule s) {
            this.schedule = s;
            return this;
        }

        public Builder batchSize(int b) {
            this.batchSize = b;
            return this;
        }

        public Builder evaluationBatchSize(int b) {
            this.evalBatchSize = b;
            return this;
        }

        public Builder epochs(int e) {
            this.epochs = e;
            return this;
        }

        /** Seed of the shuffling, the dropout masks and augmentations (the weights' seed is the model's). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Whether each epoch visits the training set in a new seeded order (default true). */
        public Builder shuffle(boolean s) {
            this.shuffle = s;
            return this;
        }

        /** Random changes of every training image each time it is used (default none); see {@link Augmentation}. */
        public Builder augmentation(Augmentation a) {
            this.augmentation = a;
            return this;
        }

        /**
         * Writes a checkpoint to {@code file} after every epoch and when {@link #requestStop()} stops the run
         * ({@link Checkpoint}: weights, optimizer state, position; atomically replaced).
         */
        public Builder checkpoint(java.nio.file.Path file) {
            this.checkpoint = file;
            return this;
        }

        /**
         * Continues from the checkpoint file ({@link #checkpoint}) instead of starting afresh: with the same seed,
         * backend and thread count, the weights at the end equal those of an uninterrupted run bit for bit.
         */
        public Builder resume(boolean r) {
            this.resume = r;
            return this;
        }

        /** Layers whose weights training leaves as they are (transfer learning); see {@link Trainable#of}. */
        public Builder freeze(java.util.Set<String> layers) {
            this.frozen = java.util.Set.copyOf(layers);
            return this;
        }

        public Builder callback(Callback c) {
            callbacks.add(Objects.requireNonNull(c, "callback"));
            return this;
        }

        /** Checks every setting (all problems at once) and prepares the model for training on the engine. */
        public Trainer build() {
            Violations v = new Violations("trainer");
            v.check(loss != null, "loss", "loss must not be null");
            v.check(optimizer != null, "optimizer", "optimizer must not be null");
            v.check(schedule != null, "schedule", "schedule must not be null");
            v.check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", "learning rate " + learningRate
                    + " must be > 0");
            v.check(batchSize > 0, "batchSize", "batch size " + batchSize + " must be > 0");
            v.check(evalBatchSize > 0, "evaluationBatchSize", "evaluation batch size " + evalBatchSize + " must be > 0");
            v.check(epochs > 0, "epochs", "epochs " + epochs + " must be > 0");
            v.check(!resume || checkpoint != null, "resume", "resuming needs the checkpoint file (checkpoint(file))");
            v.check(!resume || checkpoint == null || java.nio.file.Files.isRegularFile(checkpoint), "resume",
                    "checkpoint " + checkpoint + " does not exist");
            v.throwIfAny("");
            return new Trainer(this);
        }
    }
}
