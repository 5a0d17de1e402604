package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Datasets;
import dev.fovea.engine.Engine;
import dev.fovea.models.ModelZoo;
import dev.fovea.models.SafeTensors;
import dev.fovea.nn.Model;
import dev.fovea.train.Augmentation;
import dev.fovea.train.Callback;
import dev.fovea.train.Optimizer;
import dev.fovea.train.Schedule;
import dev.fovea.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea train MODEL}: trains a zoo model on Fashion-MNIST (or MNIST) with a live progress bar, one line per
 * epoch, and {@code test accuracy: 0.xxxx} at the end; optionally saves the weights as safetensors.
 *
 * <p>The default recipe: Adam (β1 0.9, β2 0.999), learning rate 1e-3 with cosine decay to 1% over the run,
 * batch 64, 15 epochs, each training image mirrored left–right with probability 1/2 (the regularization: the
 * classes do not depend on left and right), Glorot-uniform initialization from {@code --seed}, a new seeded shuffle
 * every epoch. On the full Fashion-MNIST it reaches test accuracy 0.9221 with {@code fashion-cnn} (seed 0; the
 * same recipe without the mirroring: 0.9212; 10 epochs without it: 0.9198).
 * {@code --epochs 5 --schedule constant --augment none} is the plain recipe PyTorch was measured with.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a zoo model (fashion-cnn, mnist-cnn) on Fashion-MNIST or MNIST.",
                "Prints one line per epoch (train loss, train accuracy, test accuracy, epoch seconds) and ends with"
                        + " 'test accuracy: 0.xxxx'. Training needs a backend with backward ops; without --backend the"
                        + " best such backend is used.",
                "Default recipe: Adam, learning rate 1e-3 with cosine decay to 1%%, batch 64, 15 epochs, random"
                        + " left-right mirroring of the training images (fashion-cnn: test accuracy 0.922 on the full"
                        + " data). PyTorch comparison recipe: --epochs 5 --schedule constant --augment none."})
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    Fovea fovea;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "Zoo model with a 28×28×1 input and 10 outputs, e.g. fashion-cnn.")
    String model;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "15",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.001",
            description = "Base learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam, adamw, sgd or nesterov (SGD with Nesterov momentum 0.9) (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0",
            description = "Weight decay: L2 for adam/sgd, decoupled for adamw (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
            description = "constant, cosine (to 1%% of the rate) or step (×0.5 every 3 epochs)"
                    + " (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--augment", paramLabel = "NAME", defaultValue = "flip",
            description = "Training-image augmentation: flip (mirror left-right with probability 1/2), flip-shift"
                    + " (flip, then shift by up to 2 pixels) or none (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the weights, the shuffling, dropout and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Backend worker threads; 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Train on the first N training images only (0 = all).")
    int limit;

    @Option(names = "--out", paramLabel = "FILE", description = "Save the trained weights (safetensors).")
    Path out;

    @Option(names = "--no-progress",
            description = "No progress bar (epoch lines only); it is off anyway when the output is not a terminal.")
    boolean noProgress;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        PrintWriter outw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Datasets.Split split = data.load();
        Dataset train = limit > 0 ? split.train().head(Math.min(limit, split.train().size())) : split.train();
        Dataset test = split.test();
        try (Engine engine = TrainingEngines.open(fovea, threads, err); Model m = ModelZoo.build(model, seed)) {
            Optimizer opt = switch (optimizer) {
                case "adam" -> Optimizer.adam().weightDecay(weightDecay);
                case "adamw" -> Optimizer.adamW(weightDecay);
                case "sgd" -> Optimizer.sgd(momentum, false).weightDecay(weightDecay);
                case "nesterov" -> Optimizer.sgd(momentum, true).weightDecay(weightDecay);
                default -> throw new IllegalArgumentException("unknown --optimizer '" + optimizer
                        + "'; known: adam, adamw, sgd, nesterov");
            };
            Schedule sched = switch (schedule) {
                case "constant" -> Schedule.constant();
                case "cosine" -> Schedule.cosine(0.01);
                case "step" -> Schedule.step(3, 0.5);
                default -> throw new IllegalArgumentException("unknown --schedule '" + schedule
                        + "'; known: constant, cosine, step");
            };
            Augmentation aug = switch (augment) {
                case "flip" -> Augmentation.flip();
                case "flip-shift" -> Augmentation.flipAndShift(2);
                case "none" -> null;
                default -> throw new IllegalArgumentException("unknown --augment '" + augment
                        + "'; known: flip, flip-shift, none");
            };
            outw.printf("training %s (%,d parameters) on %s: %,d training, %,d test images; backend %s; %s, lr %s %s,"
                            + " batch %d, %d epochs, augmentation %s, seed %d%n", m.name(), m.parameterCount(),
                    train.name(), train.size(), test.size(), engine.name(), opt, lr, schedule, batch, epochs, augment,
                    seed);
            outw.flush();
            List<Callback.EpochEnd> history;
            try (TrainingProgress progress = new TrainingProgress(outw, !noProgress, epochs);
                 Trainer trainer = Trainer.builder(m, engine).optimizer(opt).learningRate(lr).schedule(sched)
                         .batchSize(batch).epochs(epochs).seed(seed).augmentation(aug).callback(progress).build()) {
                history = trainer.fit(train, test);
            }
            if (out != null) {
                SafeTensors.save(m, out);
                outw.println("saved weights to " + out);
            }
            outw.printf("test accuracy: %.4f%n", history.getLast().test().accuracy());
        }
        return 0;
    }
}
