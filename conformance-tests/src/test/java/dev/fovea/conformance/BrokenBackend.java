package dev.fovea.conformance;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.Padding;
import dev.fovea.op.Pads;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.op.Windows;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.spi.Support;
import dev.fovea.tensor.Positions;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The reference backend with one rule deliberately broken, to show that the suite catches each mistake backends
 * commonly make. Only for the suite's own tests.
 */
final class BrokenBackend implements Backend {
    enum Bug {
        /** TF SAME with an odd total: the extra pixel goes before (top/left) instead of after. */
        SAME_EXTRA_PIXEL_BEFORE,
        /** Max pooling treats padded cells as 0 instead of −∞. */
        MAX_PADDING_AS_ZERO,
        /** Average pooling with countIncludePad counts a ceil-mode overhang beyond the padding in the divisor. */
        CEIL_OVERHANG_COUNTED,
        /** Convolution leaves its last output channel unwritten (caught by the NaN poisoning). */
        LAST_CHANNEL_UNWRITTEN,
        /** Not a bug: reports dilated convolutions unsupported, so their cases must be skipped, never passed. */
        DILATION_UNSUPPORTED,
        /** Max pooling backward sends a window's gradient to the last maximal cell instead of the first. */
        MAX_BACKWARD_LAST_TIE,
        /** Convolution backward filter ignores dilation (reads the input as if the kernel were dense). */
        FILTER_IGNORES_DILATION,
        /** Not a bug: an inference-only backend (no Capability.TRAINING), so every backward case is skipped. */
        NO_TRAINING,
        /** Lists Capability.TRAINING but has no convolutionBackwardFilter: those cases must fail, not skip. */
        TRAINING_CLAIMED_FILTER_MISSING,
        /** An even LRN window reaches one channel further before c than after it (the mirror of the rule). */
        LRN_EVEN_WINDOW_MIRRORED,
        /** Max pooling lets any number win over NaN ({@code v > max}), so NaN survives only when alone. */
        MAX_POOL_SKIPS_NAN,
        /** Clamp maps NaN to min (what a SIMD max(x, min) returning its second operand on NaN does). */
        CLAMP_NAN_TO_MIN,
        /** A broadcast first operand swaps the operands: b op a, wrong for subtract and divide. */
        BINARY_SWAPS_BROADCAST_OPERAND,
        /** Pad copies the input but leaves the padding cells unwritten (caught by the poison, NaN or finite). */
        PAD_CELLS_UNWRITTEN,
        /** Not a bug: reports dilated pooling unsupported, so its cases must be skipped, never passed. */
        POOLING_DILATION_UNSUPPORTED
    }

    private final Backend reference = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("reference")).findFirst().orElseThrow().open(BackendOptions.defaults());
    private final Bug bug;

    BrokenBackend(Bug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return "broken-" + bug.name().toLowerCase().replace('_', '-');
    }

    @Override
    public Set<Capability> capabilities() {
        return bug == Bug.NO_TRAINING ? Set.of() : Set.of(Capability.TRAINING);
    }

    @Override
    public Support supports(OpDescriptor op) {
        if (bug == Bug.DILATION_UNSUPPORTED && op instanceof ConvolutionDescriptor c
                && (c.dilationH() > 1 || c.dilationW() > 1)) {
            return Support.no("dilation " + c.dilationH() + "×" + c.dilationW() + " is not implemented");
        }
        if (bug == Bug.POOLING_DILATION_UNSUPPORTED && op instanceof PoolingDescriptor p && p.dilated()) {
            return Support.no("pooling dilation " + p.dilationH() + "×" + p.dilationW() + " is not implemented");
        }
        return Support.YES;
    }

    @Override
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        if (bug == Bug.SAME_EXTRA_PIXEL_BEFORE && op.padding().mode() == Padding.Mode.SAME) {
            Pads p = op.pads();
            // The same totals, so the same output: the extra pixel moves from the end to the start.
            op = ConvolutionDescriptor.create(op.layer(), op.input(), op.layout(), new ConvolutionParams(op.filters(),
                    op.kernelH(), op.kernelW(), op.strideH(), op.strideW(), op.dilationH(), op.dilationW(),
                    op.groups(), Padding.explicit(p.bottom(), p.right(), p.top(), p.left()), op.bias(),
                    op.activation()));
        }
        Plan plan = reference.planConvolution(op, weights, bias);
        if (bug == Bug.LAST_CHANNEL_UNWRITTEN && op.filters() > 1) {
            ConvolutionDescriptor d = op;
            return (x, y) -> {
                try (TensorScope s = new TensorScope()) {
                    Tensor full = s.allocate(d.output(), d.layout());
                    plan.execute(x, full);
                    int k = d.filters() - 1;
                    reference.copy(full.channelSlice(0, k), y.channelSlice(0, k));
                }
            };
        }
        return plan;
    }

    @Override
    public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
        return reference.planDense(op, weights, bias);
    }

    @Override
    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        Pads p = op.pads();
        if (bug == Bug.MAX_POOL_SKIPS_NAN && op.mode() == PoolingMode.MAX) {
            // NaN read as −∞: any number in the window wins over it.
            try (TensorScope scope = new TensorScope()) {
                Tensor z = scope.allocate(op.input(), op.layout());
                reference.copy(x, z);
                float[] v = z.toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.isNaN(v[i]) ? Float.NEGATIVE_INFINITY : v[i];
                }
                z.copyFrom(v);
                reference.poolingForward(op, z, y);
            }
            return;
        }
        if (bug == Bug.MAX_PADDING_AS_ZERO && op.mode() == PoolingMode.MAX && !p.isZero()) {
            // Pool a zero-padded copy with no padding: padded cells become real zeros.
            Shape in = op.input();
            Shape padded = Shape.of(in.n(), in.c(), in.h() + p.top() + p.bottom(), in.w() + p.left() + p.right());
            try (TensorScope scope = new TensorScope()) {
                Tensor z = scope.allocate(padded, op.layout());
                reference.copy(x, z.slice(2, p.top(), in.h()).slice(3, p.left(), in.w()));
                // Unpadded, ceil mode may keep one more window than the op: pool into a larger tensor, keep the op's.
                PoolingDescriptor unpadded = PoolingDescriptor.create(op.layer(), padded, op.layout(),
                        new PoolingParams(op.mode(), op.kernelH(), op.kernelW(), op.strideH(), op.strideW(),
                                Padding.VALID, op.ceilMode(), op.countIncludePad(), false));
                Tensor all = scope.allocate(unpadded.output(), op.layout());
                reference.poolingForward(unpadded, z, all);
                reference.copy(all.slice(2, 0, op.output().h()).slice(3, 0, op.output().w()), y);
            }
            return;
        }
        if (bug == Bug.CEIL_OVERHANG_COUNTED && op.mode() == PoolingMode.AVERAGE && op.countIncludePad()
                && op.ceilMode()) {
            // Divide every window by the whole kernel, its overhang beyond the padding included.
            reference.poolingForward(op, x, y);
            Windows.Taps rows = op.rowTaps();
            Windows.Taps cols = op.colTaps();
            MemorySegment ys = y.buffer();
            int[] dims = op.output().dims();
            int[] pos = new int[4];
            for (long k = 0; k < op.output().elementCount(); k++) {
                long i = Positions.index(y, pos);
                float counted = (float) rows.padded(pos[2]) * cols.padded(pos[3]) / (op.kernelH() * op.kernelW());
                ys.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i,
                        ys.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i) * counted);
                Positions.next(pos, dims);
            }
            return;
        }
        reference.poolingForward(op, x, y);
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        reference.activationForward(activation, x, y);
    }

    @Override
    public void binaryForward(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        if (bug == Bug.BINARY_SWAPS_BROADCAST_OPERAND && !op.a().equals(op.output())) {
            reference.binaryForward(BinaryDescriptor.create(op.layer(), op.op(), op.b(), op.a(), op.layout(),
                    op.activation()), b, a, y);
            return;
        }
        reference.binaryForward(op, a, b, y);
    }

    @Override
    public void clampForward(ClampDescriptor op, Tensor x, Tensor y) {
        reference.clampForward(op, x, y);
        if (bug == Bug.CLAMP_NAN_TO_MIN && op.input().rank() == 4) {
            Shape s = op.input();
            for (int n = 0; n < s.n(); n++) {
                for (int c = 0; c < s.c(); c++) {
                    for (int h = 0; h < s.h(); h++) {
                        for (int w = 0; w < s.w(); w++) {
                            if (Float.isNaN(y.get(n, c, h, w))) {
                                y.set(op.min(), n, c, h, w);
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void lrnForward(LrnDescriptor op, Tensor x, Tensor y) {
        if (bug != Bug.LRN_EVEN_WINDOW_MIRRORED) {
            reference.lrnForward(op, x, y);
            return;
        }
        Shape s = op.input();
        for (int n = 0; n < s.n(); n++) {
            for (int c = 0; c < s.c(); c++) {
                for (int h = 0; h < s.h(); h++) {
                    for (int w = 0; w < s.w(); w++) {
                        double sum = 0;
                        // The bug: [c − ⌈(size−1)/2⌉, c + ⌊(size−1)/2⌋]; the rule is the other way round.
                        for (int i = Math.max(0, c - op.size() / 2); i <= Math.min(s.c() - 1, c + (op.size() - 1) / 2);
                             i++) {
                            double v = x.get(n, i, h, w);
                            sum += v * v;
                        }
                        y.set((float) (x.get(n, c, h, w) / Math.pow(op.bias() + op.alpha() / op.size() * sum,
                                op.beta())), n, c, h, w);
                    }
                }
            }
        }
    }

    @Override
    public void padForward(PadDescriptor op, Tensor x, Tensor y) {
        if (bug != Bug.PAD_CELLS_UNWRITTEN) {
            reference.padForward(op, x, y);
            return;
        }
        Tensor inside = y;
        for (int a = 0; a < op.input().rank(); a++) {
            inside = inside.slice(a, op.before()[a], op.input().dim(a));
        }
        reference.copy(x, inside);
    }

    @Override
    public void softmaxForward(Tensor x, Tensor y) {
        reference.softmaxForward(x, y);
    }

    // ---- backward: the reference's, except where a bug says otherwise ----

    @Override
    public void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        reference.convolutionBackwardData(op, weights, dy, dx);
    }

    @Override
    public void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        if (bug == Bug.TRAINING_CLAIMED_FILTER_MISSING) {
            Backend.super.convolutionBackwardFilter(op, x, dy, dw); // the SPI's default: throws
            return;
        }
        if (bug == Bug.FILTER_IGNORES_DILATION && (op.dilationH() > 1 || op.dilationW() > 1)) {
            // Undilated, the output grows: dy goes into its first rows and columns, zeros elsewhere.
            Pads p = op.pads();
            ConvolutionDescriptor undilated = ConvolutionDescriptor.create(op.layer(), op.input(), op.layout(),
                    new ConvolutionParams(op.filters(), op.kernelH(), op.kernelW(), op.strideH(), op.strideW(), 1, 1,
                            op.groups(), Padding.explicit(p.top(), p.left(), p.bottom(), p.right()), op.bias(),
                            op.activation()));
            try (TensorScope scope = new TensorScope()) {
                Tensor all = scope.allocate(undilated.output(), dy.layout());
                all.fill(0f);
                reference.copy(dy, all.slice(2, 0, op.output().h()).slice(3, 0, op.output().w()));
                reference.convolutionBackwardFilter(undilated, x, all, dw);
            }
            return;
        }
        reference.convolutionBackwardFilter(op, x, dy, dw);
    }

    @Override
    public void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        reference.convolutionBackwardBias(op, dy, db);
    }

    @Override
    public void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        if (bug != Bug.MAX_BACKWARD_LAST_TIE || op.mode() != PoolingMode.MAX) {
            reference.poolingBackward(op, x, y, dy, dx);
            return;
        }
        Shape in = op.input();
        dx.fill(0);
        for (int n = 0; n < in.n(); n++) {
            for (int c = 0; c < in.c(); c++) {
                for (int p = 0; p < op.output().h(); p++) {
                    for (int q = 0; q < op.output().w(); q++) {
                        int h0 = p * op.strideH() - op.pads().top();
                        int w0 = q * op.strideW() - op.pads().left();
                        int bh = -1;
                        int bw = -1;
                        for (int r = Math.max(h0, 0); r < Math.min(h0 + op.kernelH(), in.h()); r++) {
                            for (int s = Math.max(w0, 0); s < Math.min(w0 + op.kernelW(), in.w()); s++) {
                                if (bh < 0 || x.get(n, c, r, s) >= x.get(n, c, bh, bw)) { // the bug: >= keeps the last
                                    bh = r;
                                    bw = s;
                                }
                            }
                        }
                        dx.set(dx.get(n, c, bh, bw) + dy.get(n, c, p, q), n, c, bh, bw);
                    }
                }
            }
        }
    }

    @Override
    public void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        reference.activationBackward(activation, y, dy, dx);
    }

    @Override
    public void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                              Tensor db) {
        reference.denseBackward(op, weights, x, dy, dx, dw, db);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        reference.softmaxBackward(y, dy, dx);
    }

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        return reference.softmaxCrossEntropy(logits, labels, scale, dx);
    }

    @Override
    public void close() {
    }
}
