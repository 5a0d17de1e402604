package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Epilogue.FLOAT;

import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Copies between tensors of any layout and per-thread working buffers that are channels-last. */
final class Gather {
    private Gather() {
    }

    /**
     * Copies input rows {@code ih0 .. ih0 + rows − 1} of image {@code img} of {@code x} ({@code [N, c, h, w]}) into
     * {@code in} from {@code at} as {@code [row][pl + w + pr][c]} ({@code wp} cells per row), zero outside the image.
     */
    static void paddedRows(Tensor x, int img, int ih0, int rows, int h, int w, int c, int pl, int wp, float[] in,
                           int at) {
        int rowLen = wp * c;
        for (int i = 0; i < rows; i++) {
            int ih = ih0 + i;
            int o = at + i * rowLen;
            if (ih < 0 || ih >= h) {
                Arrays.fill(in, o, o + rowLen, 0f);
                continue;
            }
            Arrays.fill(in, o, o + pl * c, 0f);
            Arrays.fill(in, o + (pl + w) * c, o + rowLen, 0f);
            pixels(x, img, ih, 1, w, c, in, o + pl * c);
        }
    }

    /** {@link #paddedRows} into native memory: {@code out} from float 0. */
    static void paddedRows(Tensor x, int img, int ih0, int rows, int h, int w, int c, int pl, int wp,
                           MemorySegment out) {
        long rowLen = (long) wp * c;
        MemorySegment xs = x.buffer();
        long s1 = x.stride(1);
        long s3 = x.stride(3);
        for (int i = 0; i < rows; i++) {
            int ih = ih0 + i;
            long o = i * rowLen;
            if (ih < 0 || ih >= h) {
                out.asSlice(o * 4, rowLen * 4).fill((byte) 0);
                continue;
            }
            out.asSlice(o * 4, (long) pl * c * 4).fill((byte) 0);
            out.asSlice((o + (long) (pl + w) * c) * 4, (rowLen - (long) (pl + w) * c) * 4).fill((byte) 0);
            long src = x.offset() + img * x.stride(0) + ih * x.stride(2);
            long dst = o + (long) pl * c;
            if (s1 == 1 && s3 == c) {
                MemorySegment.copy(xs, src * 4, out, dst * 4, (long) w * c * 4);
            } else if (s1 == 1) {
                for (int j = 0; j < w; j++) {
                    MemorySegment.copy(xs, (src + j * s3) * 4, out, (dst + (long) j * c) * 4, (long) c * 4);
                }
            } else {
                for (int j = 0; j < w; j++) {
                    for (int ch = 0; ch < c; ch++) {
                        out.setAtIndex(FLOAT, dst + (long) j * c + ch, xs.getAtIndex(FLOAT, src + j * s3 + ch * s1));
                    }
                }
            }
        }
    }

    /**
     * Copies {@code rows} rows of {@code w} pixels of image {@code img} of {@code t} from row {@code row0} into
     * {@code out} from {@code at} as {@code [pixel][c]}.
     */
    static void pixels(Tensor t, int img, int row0, int rows, int w, int c, float[] out, int at) {
        MemorySegment ts = t.buffer();
        long s1 = t.stride(1);
        long s3 = t.stride(3);
        for (int i = 0; i < rows; i++) {
            long src = t.offset() + img * t.stride(0) + (row0 + i) * t.stride(2);
            int dst = at + i * w * c;
            if (s1 == 1 && s3 == c) {
                MemorySegment.copy(ts, FLOAT, src * 4, out, dst, w * c);
            } else if (s1 == 1) {
                for (int j = 0; j < w; j++) {
                    MemorySegment.copy(ts, FLOAT, (src + j * s3) * 4, out, dst + j * c, c);
                }
            } else if (s3 == 1) {
                Transpose.matrix(ts, src, s1, out, dst, c, c, w); // channels-first: a C × W block transposed
            } else {
                for (int ch = 0; ch < c; ch++) {
                    long cb = src + ch * s1;
                    int d = dst + ch;
                    for (int j = 0; j < w; j++) {
                        out[d + j * c] = ts.getAtIndex(FLOAT, cb + j * s3);
                    }
                }
            }
        }
    }

    /**
     * The inverse of {@link #pixels}: {@code rows} rows of {@code w} pixels of {@code c} channels, row {@code i}
     * at {@code src[at + i·rowStride]}, pixels {@code cellStride} apart, into image {@code img} of {@code t} from
     * row {@code row0}.
     */
    static void store(float[] src, int at, int rowStride, int cellStride, int rows, int w, int c, Tensor t, int img,
                      int row0) {
        MemorySegment ts = t.buffer();
        long s1 = t.stride(1);
        long s3 = t.stride(3);
        for (int i = 0; i < rows; i++) {
            long dst = t.offset() + img * t.stride(0) + (row0 + i) * t.stride(2);
            int o = at + i * rowStride;
            if (s1 == 1 && s3 == c && cellStride == c) {
                MemorySegment.copy(src, o, ts, FLOAT, dst * 4, w * c);
            } else if (s1 == 1) {
                for (int j = 0; j < w; j++) {
                    MemorySegment.copy(src, o + j * cellStride, ts, FLOAT, (dst + j * s3) * 4, c);
                }
            } else {
                for (int ch = 0; ch < c; ch++) {
                    long cb = dst + ch * s1;
                    for (int j = 0; j < w; j++) {
                        ts.setAtIndex(FLOAT, cb + j * s3, src[o + j * cellStride + ch]);
                    }
                }
            }
        }
    }
}
