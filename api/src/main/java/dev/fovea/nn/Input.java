package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * The shape of one input item, batch excluded.
 *
 * <pre>{@code Input.image(28, 28, 1)  // height, width, channels, as Keras writes input_shape }</pre>
 */
public record Input(int height, int width, int channels) {
    public Input {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("Input: height " + height + ", width " + width + ", channels "
                    + channels + " must all be > 0");
        }
    }

    /** Height, width, channels (Keras' {@code input_shape=(28, 28, 1)} order). */
    public static Input image(int height, int width, int channels) {
        return new Input(height, width, channels);
    }

    /** The logical shape {@code [n, C, H, W]}. */
    public Shape shape(int n) {
        return Shape.of(n, channels, height, width);
    }
}
