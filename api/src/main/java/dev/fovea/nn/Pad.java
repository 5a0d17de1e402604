package dev.fovea.nn;

import dev.fovea.op.PadDescriptor;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * Constant padding of the logical axes after the batch: {@code Pad.of(new int[] {0, 1, 1}, new int[] {0, 1, 1},
 * 0f)} adds a one-pixel border of zeros around each channel of {@code [N, C, H, W]} (Keras' ZeroPadding2D(1)).
 */
public final class Pad extends Layer {
    private final int[] before;
    private final int[] after;
    private final float value;

    private Pad(String name, int[] before, int[] after, float value) {
        super(name);
        this.before = before.clone();
        this.after = after.clone();
        this.value = value;
    }

    /** Pads before and after each axis but the batch, in logical order ({@code C, H, W} for images). */
    public static Pad of(int[] before, int[] after, float value) {
        return new Pad(null, before, after, value);
    }

    public Pad name(String name) {
        return new Pad(name, before, after, value);
    }

    public int[] before() {
        return before.clone();
    }

    public int[] after() {
        return after.clone();
    }

    public float value() {
        return value;
    }

    @Override
    public String type() {
        return "Pad";
    }

    @Override
    String autoNamePrefix() {
        return "pad";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        String subject = subject(type(), nodeName);
        Violations v = new Violations(subject);
        v.check(before.length == input.rank() - 1 && after.length == input.rank() - 1, "pads", "need "
                + (input.rank() - 1) + " pads before and after (every axis but the batch), got " + before.length
                + " and " + after.length);
        v.throwIfAny("input " + input);
        int[] b = new int[input.rank()];
        int[] a = new int[input.rank()];
        System.arraycopy(before, 0, b, 1, before.length);
        System.arraycopy(after, 0, a, 1, after.length);
        PadDescriptor d = PadDescriptor.create(subject, input, layout, b, a, value);
        return new StridedNode(nodeName, this, input, d.output()) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().padForward(d.withBatch(run.batch()), x, y);
                return y;
            }

            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                Tensor dx = run.allocate(input);
                run.engine().padBackward(d.withBatch(run.batch()), dy, dx);
                return dx;
            }
        };
    }
}
