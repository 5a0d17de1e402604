package dev.fovea.backend.vector;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * Run in a child JVM by {@link C1CompilationTest}: every convolution plan of the backend on small shapes that take
 * each of its kernels (1×1 stored from registers, masked and through a tile, reductions of several cache blocks,
 * Winograd's three panel widths, depthwise rows 3, 5 and 7 wide, the general plan with 8- and 7-row tiles,
 * sigmoid-based activations).
 */
public final class KernelsMain {
    private KernelsMain() {
    }

    public static void main(String[] args) {
        ConvolutionParams one = ConvolutionParams.of(40, 1, 1).withBias(true);
        run(one.withActivation(Activation.RELU), Shape.of(1, 24, 3, 5), Layout.NHWC);
        run(ConvolutionParams.of(24, 1, 1).withActivation(Activation.RELU6), Shape.of(1, 24, 3, 5), Layout.NHWC);
        run(ConvolutionParams.of(17, 1, 1).withActivation(Activation.SILU), Shape.of(1, 520, 3, 3), Layout.NCHW);
        ConvolutionParams same = ConvolutionParams.of(64, 3, 3).withPadding(Padding.SAME).withBias(true);
        run(same, Shape.of(1, 16, 9, 9), Layout.NHWC);
        run(ConvolutionParams.of(32, 3, 3).withPadding(Padding.SAME), Shape.of(1, 16, 9, 9), Layout.NHWC);
        run(ConvolutionParams.of(16, 3, 3).withPadding(Padding.SAME), Shape.of(1, 16, 9, 9), Layout.NHWC);
        for (int kernel : new int[] {3, 5, 7}) {
            run(ConvolutionParams.of(32, kernel, kernel).withGroups(32).withPadding(Padding.SAME)
                    .withActivation(kernel == 5 ? Activation.SILU : Activation.RELU6), Shape.of(1, 32, 9, 9),
                    Layout.NHWC);
        }
        run(ConvolutionParams.of(32, 3, 3).withStride(2, 2).withActivation(Activation.SIGMOID), Shape.of(1, 3, 9, 9),
                Layout.NHWC);
        // 7×7 output pixels: 49 rows, seven 7-row tiles.
        run(ConvolutionParams.of(32, 3, 3).withStride(2, 2).withPadding(Padding.SAME), Shape.of(1, 16, 13, 13),
                Layout.NHWC);
        System.out.println("kernels ran");
    }

    /** Plans {@code p} on {@code input} as the backend would and runs it twice. */
    private static void run(ConvolutionParams p, Shape input, Layout layout) {
        ConvolutionDescriptor op = ConvolutionDescriptor.create("c", input, layout, p);
        try (ConvCase c = new ConvCase(op, false, 1);
             Plan plan = plan(op, c.weights, c.bias)) {
            c.run(op.toString(), plan);
        }
    }

    private static Plan plan(ConvolutionDescriptor op, float[] w, float[] b) {
        if (DepthwisePlan.applies(op)) {
            return new DepthwisePlan(op, w, b, ConvCase.ONE);
        } else if (Conv1x1.applies(op)) {
            return new Conv1x1(op, w, b, ConvCase.ONE);
        } else if (Winograd.applies(op)) {
            return new Winograd(op, w, b, ConvCase.ONE);
        }
        return new ConvPlan(op, null, w, b, ConvCase.ONE);
    }
}
