package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * A validated 2-D pooling: x {@code [N, C, H, W]} → y {@code [N, C, P, Q]}, both in {@link #layout()}.
 * The window of output (p, q) starts at {@code h0 = p·strideH − pads.top}; it covers rows
 * {@code h0 + r·dilationH} for {@code r} in {@code [0, kernelH)}, clipped to the padded input
 * {@code [−pads.top, H + pads.bottom)} (and likewise for columns).
 * <ul>
 *   <li>MAX: the maximum over the cells inside the input (padding acts as −∞; validation guarantees every
 *       window holds at least one input cell).</li>
 *   <li>AVERAGE: the sum over cells inside the input, divided by the number of those cells, or with
 *       {@link #countIncludePad()} by the number of cells of the window clipped to the padded input (a
 *       ceil-mode overhang beyond the padding is never counted).</li>
 * </ul>
 */
public record PoolingDescriptor(String layer, PoolingMode mode, Shape input, Layout layout, int kernelH, int kernelW,
                                int strideH, int strideW, Pads pads, boolean ceilMode, boolean countIncludePad,
                                Shape output, int dilationH, int dilationW) implements OpDescriptor {

    /** Validates every attribute; the output must be the one they give (with the pads as explicit padding). */
    public PoolingDescriptor {
        if (pads == null) {
            throw new ValidationException(layer, java.util.List.of(new ValidationException.Violation("pads",
                    "pads must not be null")), "forged descriptor");
        }
        PoolingParams params = new PoolingParams(mode, kernelH, kernelW, strideH, strideW,
                Padding.explicit(pads.top(), pads.left(), pads.bottom(), pads.right()), ceilMode, countIncludePad,
                false, dilationH, dilationW);
        Violations.requireDerived(layer, "output", output, derive(layer, input, layout, params).output());
    }

    /** An undilated pooling. */
    public PoolingDescriptor(String layer, PoolingMode mode, Shape input, Layout layout, int kernelH, int kernelW,
                             int strideH, int strideW, Pads pads, boolean ceilMode, boolean countIncludePad,
                             Shape output) {
        this(layer, mode, input, layout, kernelH, kernelW, strideH, strideW, pads, ceilMode, countIncludePad, output,
                1, 1);
    }

    /** Whether any window skips rows or columns ({@code dilation > 1}). */
    public boolean dilated() {
        return dilationH > 1 || dilationW > 1;
    }

    /** The windows along the height: the rows each output row reads ({@link Windows.Taps}). */
    public Windows.Taps rowTaps() {
        return Windows.Taps.of(input.h(), output.h(), kernelH, strideH, dilationH, pads.top(), pads.bottom());
    }

    /** The windows along the width: the columns each output column reads ({@link Windows.Taps}). */
    public Windows.Taps colTaps() {
        return Windows.Taps.of(input.w(), output.w(), kernelW, strideW, dilationW, pads.left(), pads.right());
    }

    /** Validates {@code params} against {@code input}; all problems reported together. */
    public static PoolingDescriptor create(String layer, Shape input, Layout layout, PoolingParams params) {
        Derived d = derive(layer, input, layout, params);
        return new PoolingDescriptor(layer, params.mode(), input, layout, d.kernelH(), d.kernelW(), d.strideH(),
                d.strideW(), d.pads(), params.ceilMode(), params.countIncludePad(), d.output(), params.dilationH(),
                params.dilationW());
    }

    /** What a descriptor takes from {@code params} after resolving (global pooling: the whole plane). */
    private record Derived(int kernelH, int kernelW, int strideH, int strideW, Pads pads, Shape output) {
    }

    /** Every check, all problems reported together; then the window, pads and output shape. */
    private static Derived derive(String layer, Shape input, Layout layout, PoolingParams params) {
        Violations v = new Violations(layer);
        String ctx = "input " + (input == null ? "null" : input + " " + layout) + (params.global() ? ", global"
                : ", window " + params.kernelH() + "×" + params.kernelW() + ", stride " + params.strideH() + "×"
                + params.strideW() + (params.dilationH() * params.dilationW() == 1 ? "" : ", dilation "
                + params.dilationH() + "×" + params.dilationW()) + ", " + params.padding() + (params.ceilMode() ? ", ceilMode" : ""));
        if (!v.check(input != null && input.rank() == 4, "input",
                "input must be 4-D [N, C, H, W], got " + (input == null ? "null" : input.rank() + "-D " + input))) {
            v.throwIfAny(ctx);
        }
        v.check(layout != null, "layout", "layout must not be null");
        if (params.global()) {
            v.throwIfAny(ctx);
            return new Derived(input.h(), input.w(), 1, 1, new Pads(0, 0, 0, 0), Shape.of(input.n(), input.c(), 1, 1));
        }
        Padding p = params.padding();
        Windows.check(v, "pool", params.kernelH(), params.kernelW(), params.strideH(), params.strideW(),
                params.dilationH(), params.dilationW(), p);
        v.check(!params.ceilMode() || p.mode() == Padding.Mode.VALID || p.mode() == Padding.Mode.EXPLICIT,
                "ceilMode", "ceilMode needs VALID or explicit padding; " + p.mode() + " already fixes the output size");
        v.throwIfAny(ctx);
        Windows.Axis h = Windows.resolve(v, "height", input.h(), params.kernelH(), params.strideH(), params.dilationH(), p, p.top(),
                p.bottom(), params.ceilMode());
        Windows.Axis w = Windows.resolve(v, "width", input.w(), params.kernelW(), params.strideW(), params.dilationW(), p, p.left(),
                p.right(), params.ceilMode());
        v.throwIfAny(ctx);
        // A window lying wholly in the padding would have no input cell: max would be −∞, the average 0/0.
        long extentH = (long) (params.kernelH() - 1) * params.dilationH() + 1;
        long extentW = (long) (params.kernelW() - 1) * params.dilationW() + 1;
        v.check(h.before() < extentH && h.after() < extentH, "padding",
                "padding (" + h.before() + ", " + h.after() + ") must be smaller than the pool height "
                        + extentH + (params.dilationH() > 1 ? " (dilated)" : ""));
        v.check(w.before() < extentW && w.after() < extentW, "padding",
                "padding (" + w.before() + ", " + w.after() + ") must be smaller than the pool width "
                        + extentW + (params.dilationW() > 1 ? " (dilated)" : ""));
        v.throwIfAny(ctx);
        return new Derived(params.kernelH(), params.kernelW(), params.strideH(), params.strideW(),
                new Pads(h.before(), w.before(), h.after(), w.after()), Shape.of(input.n(), input.c(), h.out(), w.out()));
    }

    /** The same pooling for another batch size. */
    public PoolingDescriptor withBatch(int n) {
        return new PoolingDescriptor(layer, mode, input.withBatch(n), layout, kernelH, kernelW, strideH, strideW,
                pads, ceilMode, countIncludePad, output.withBatch(n), dilationH, dilationW);
    }

    /** Identity without the layer name: descriptors are plan-cache keys, and equal ops share a plan. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PoolingDescriptor d && mode == d.mode && input.equals(d.input) && layout == d.layout
                && kernelH == d.kernelH && kernelW == d.kernelW && strideH == d.strideH && strideW == d.strideW
                && pads.equals(d.pads) && ceilMode == d.ceilMode && countIncludePad == d.countIncludePad
                && output.equals(d.output) && dilationH == d.dilationH && dilationW == d.dilationW;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(mode, input, layout, kernelH, kernelW, strideH, strideW, pads, ceilMode,
                countIncludePad, output, dilationH, dilationW);
    }
}
