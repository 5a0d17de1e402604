package dev.fovea.train;

import java.util.SplittableRandom;

/**
 * A random change of a training image, drawn afresh every time the image is used (the test set is never
 * augmented): more variety from the same data, a regularizer. Applied on the host to the normalized values in
 * (h, w, c) order. {@link Trainer} draws each image's changes from the training seed, the step and the image's place
 * in the batch, so augmented training stays deterministic.
 *
 * <pre>{@code
 * Trainer.builder(model, engine).augmentation(Augmentation.flipAndShift(2))
 * }</pre>
 */
@FunctionalInterface
public interface Augmentation {
    /** Changes {@code image} ({@code h × w × c} values) in place. */
    void apply(float[] image, int h, int w, int c, SplittableRandom random);

    /** No change. */
    static Augmentation none() {
        return (image, h, w, c, random) -> {
        };
    }

    /** A mirror image (left–right) with probability 1/2: {@code flipAndShift(0)}. */
    static Augmentation flip() {
        return flipAndShift(0);
    }

    /**
     * A mirror image (left–right) with probability 1/2, then a translation by up to {@code maxShift} pixels in each
     * direction, uncovered cells taking the value of the top-left pixel (the background of centered images such as
     * Fashion-MNIST's). Suits data whose classes do not depend on left and right.
     */
    static Augmentation flipAndShift(int maxShift) {
        if (maxShift < 0) {
            throw new IllegalArgumentException("flipAndShift: maxShift " + maxShift + " must be ≥ 0");
        }
        return (image, h, w, c, random) -> {
            boolean flip = random.nextBoolean();
            int dy = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
            int dx = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
            if (!flip && dy == 0 && dx == 0) {
                return;
            }
            float[] src = image.clone();
            float background = src[0];
            for (int i = 0; i < h; i++) {
                int si = i - dy;
                for (int j = 0; j < w; j++) {
                    int sj = j - dx;
                    if (flip && sj >= 0 && sj < w) {
                        sj = w - 1 - sj;
                    }
                    boolean inside = si >= 0 && si < h && sj >= 0 && sj < w;
                    for (int k = 0; k < c; k++) {
                        image[(i * w + j) * c + k] = inside ? src[(si * w + sj) * c + k] : background;
                    }
                }
            }
        };
    }
}
