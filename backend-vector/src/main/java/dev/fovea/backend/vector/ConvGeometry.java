package dev.fovea.backend.vector;

import dev.fovea.op.ConvolutionDescriptor;

/**
 * A convolution's sizes in the short names its kernels use, taken once from the descriptor: the one geometry the
 * forward plan ({@link ConvPlan}) and both gradients ({@link ConvBackward}) share. Padded rows are channels-last,
 * {@code wp} cells long.
 */
abstract class ConvGeometry {
    final int n;
    final int c;
    final int h;
    final int w;
    final int k;
    final int p;
    final int q;
    final int r;
    final int s;
    final int sh;
    final int sw;
    final int dh;
    final int dw;
    final int pt;
    final int pl;
    final int wp;
    final int groups;
    final int cg;
    final int kg;
    /** Reduction depth of a group's filter: {@code R·S·cg}, in (r, s, c) order. */
    final int depth;

    ConvGeometry(ConvolutionDescriptor op) {
        n = op.input().n();
        c = op.input().c();
        h = op.input().h();
        w = op.input().w();
        k = op.filters();
        p = op.output().h();
        q = op.output().w();
        r = op.kernelH();
        s = op.kernelW();
        sh = op.strideH();
        sw = op.strideW();
        dh = op.dilationH();
        dw = op.dilationW();
        pt = op.pads().top();
        pl = op.pads().left();
        wp = w + pl + op.pads().right();
        groups = op.groups();
        cg = c / groups;
        kg = k / groups;
        depth = r * s * cg;
    }

    /** Offset of tap (r, s), channel 0 of group 0, from a pixel's corner in padded channels-last rows. */
    final int tapOffset(int i, int j) {
        return (i * dh * wp + j * dw) * c;
    }
}
