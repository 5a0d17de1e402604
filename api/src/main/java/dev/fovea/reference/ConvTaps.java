package dev.fovea.reference;

import dev.fovea.op.ConvolutionDescriptor;

/**
 * The reference's one walk over a convolution, straight from the definition in {@link ConvolutionDescriptor}:
 * every (image, filter, output pixel, channel of the filter's group, kernel tap) whose input pixel lies inside the
 * input, in that nesting order. The forward pass and both gradients differ only in what they do at each tap.
 */
final class ConvTaps {
    private ConvTaps() {
    }

    interface Visitor {
        /**
         * @param ic input channel ({@code c} of group {@code k / (K / groups)})
         * @param c  channel within the filter's group (the weight's second index)
         */
        void tap(int n, int k, int p, int q, int ic, int c, int r, int s, int ih, int iw);
    }

    static void forEach(ConvolutionDescriptor op, Visitor v) {
        int h = op.input().h();
        int wd = op.input().w();
        int cPerGroup = op.input().c() / op.groups();
        int kPerGroup = op.filters() / op.groups();
        for (int n = 0; n < op.input().n(); n++) {
            for (int k = 0; k < op.filters(); k++) {
                int g = k / kPerGroup;
                for (int p = 0; p < op.output().h(); p++) {
                    for (int q = 0; q < op.output().w(); q++) {
                        for (int c = 0; c < cPerGroup; c++) {
                            for (int r = 0; r < op.kernelH(); r++) {
                                int ih = p * op.strideH() - op.pads().top() + r * op.dilationH();
                                if (ih < 0 || ih >= h) {
                                    continue;
                                }
                                for (int s = 0; s < op.kernelW(); s++) {
                                    int iw = q * op.strideW() - op.pads().left() + s * op.dilationW();
                                    if (iw >= 0 && iw < wd) {
                                        v.tap(n, k, p, q, g * cPerGroup + c, c, r, s, ih, iw);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
