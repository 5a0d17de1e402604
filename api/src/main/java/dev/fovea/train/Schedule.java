package dev.fovea.train;

/**
 * The learning rate as a function of training progress. {@code epoch} counts from 0; {@code progress} is the
 * fraction of all training done before this step, in {@code [0, 1)}.
 */
@FunctionalInterface
public interface Schedule {
    double rate(double baseRate, int epoch, double progress);

    /** The base rate throughout. */
    static Schedule constant() {
        return (base, epoch, progress) -> base;
    }

    /** {@code base · gamma^floor(epoch / everyEpochs)} (PyTorch's {@code StepLR}). */
    static Schedule step(int everyEpochs, double gamma) {
        if (everyEpochs <= 0 || !(gamma > 0 && Double.isFinite(gamma))) {
            throw new IllegalArgumentException("step schedule: everyEpochs " + everyEpochs + " must be > 0 and gamma "
                    + gamma + " > 0");
        }
        return (base, epoch, progress) -> base * Math.pow(gamma, epoch / everyEpochs);
    }

    /**
     * Cosine annealing per step from {@code base} down to {@code base · minFraction} at the end of training:
     * {@code min + (base − min)·(1 + cos(π·progress))/2}.
     */
    static Schedule cosine(double minFraction) {
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("cosine schedule: minFraction " + minFraction + " must be in [0, 1]");
        }
        return (base, epoch, progress) -> {
            double min = base * minFraction;
            return min + (base - min) * (1 + Math.cos(Math.PI * progress)) / 2;
        };
    }
}
