package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated cross-channel local response normalization (AlexNet, Caffe's GoogLeNet; ONNX {@code LRN}):
 * {@code y[n,c,h,w] = x[n,c,h,w] / (bias + alpha / size · Σ x[n,i,h,w]²)^beta}, the sum over channels
 * {@code i} in {@code [c − ⌊(size − 1)/2⌋, c + ⌈(size − 1)/2⌉]} clipped to {@code [0, C)}.
 * x and y: {@code [N, C, H, W]} in {@link #layout()}.
 */
public record LrnDescriptor(String layer, Shape input, Layout layout, int size, float alpha, float beta, float bias)
        implements OpDescriptor {

    /** Validates every attribute (all problems reported together). */
    public LrnDescriptor {
        Violations v = new Violations(layer);
        v.check(input != null && input.rank() == 4, "input", "input must be 4-D [N, C, H, W], got " + input);
        v.check(layout != null, "layout", "layout must not be null");
        v.check(size > 0, "size", "size " + size + " must be > 0");
        v.check(Float.isFinite(alpha) && Float.isFinite(beta), "alpha", "alpha " + alpha + " and beta " + beta
                + " must be finite");
        v.check(bias > 0 && Float.isFinite(bias), "bias", "bias " + bias + " must be finite and > 0");
        v.throwIfAny("input " + input + ", size " + size);
    }

    public static LrnDescriptor create(String layer, Shape input, Layout layout, int size, float alpha, float beta,
                                       float bias) {
        return new LrnDescriptor(layer, input, layout, size, alpha, beta, bias);
    }

    @Override
    public Shape output() {
        return input;
    }

    /** First channel of the window of channel {@code c} (before clipping). */
    public int windowStart(int c) {
        return c - (size - 1) / 2;
    }

    /** Last channel (inclusive) of the window of channel {@code c} (before clipping). */
    public int windowEnd(int c) {
        return c + size / 2;
    }

    public LrnDescriptor withBatch(int n) {
        return new LrnDescriptor(layer, input.withBatch(n), layout, size, alpha, beta, bias);
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LrnDescriptor d && input.equals(d.input) && layout == d.layout && size == d.size
                && Float.compare(alpha, d.alpha) == 0 && Float.compare(beta, d.beta) == 0
                && Float.compare(bias, d.bias) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(input, layout, size, alpha, beta, bias);
    }
}
