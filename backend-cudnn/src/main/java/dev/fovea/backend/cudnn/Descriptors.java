package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.check;

import dev.fovea.backend.cudnn.bind.Cudnn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Creates cuDNN descriptors and destroys them all on {@link #close()} (in reverse order). A plan keeps one
 * open for its lifetime; a one-off call uses one in try-with-resources. Not thread-safe; descriptors are
 * read-only once set, so cuDNN calls from several threads may share them.
 */
final class Descriptors implements AutoCloseable {
    private record Created(MemorySegment handle, int kind) {
    }

    private static final int TENSOR = 0;
    private static final int FILTER = 1;
    private static final int CONVOLUTION = 2;
    private static final int POOLING = 3;
    private static final int ACTIVATION = 4;
    private static final int OP_TENSOR = 5;
    private static final int LRN = 6;

    private final Deque<Created> created = new ArrayDeque<>();

    /** A 4-D float tensor descriptor with explicit strides ({@code cudnnSetTensor4dDescriptorEx}). */
    MemorySegment tensor(Dims4 d) {
        MemorySegment desc = create(TENSOR);
        check(Cudnn.cudnnSetTensor4dDescriptorEx(desc, Cudnn.CUDNN_DATA_FLOAT, d.n(), d.c(), d.h(), d.w(),
                toInt(d.ns(), "n stride"), toInt(d.cs(), "c stride"), toInt(d.hs(), "h stride"),
                toInt(d.ws(), "w stride")), "cudnnSetTensor4dDescriptorEx");
        return desc;
    }

    /** A float filter descriptor {@code [k, c, h, w]} stored as {@code format} (NCHW = KCRS, NHWC = KRSC). */
    MemorySegment filter(int format, int k, int c, int h, int w) {
        MemorySegment desc = create(FILTER);
        check(Cudnn.cudnnSetFilter4dDescriptor(desc, Cudnn.CUDNN_DATA_FLOAT, format, k, c, h, w),
                "cudnnSetFilter4dDescriptor");
        return desc;
    }

    /** A cross-correlation (what CNN layers compute) with float accumulation. */
    MemorySegment convolution(int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
                              int groups, int mathType) {
        MemorySegment desc = create(CONVOLUTION);
        check(Cudnn.cudnnSetConvolution2dDescriptor(desc, padH, padW, strideH, strideW, dilationH, dilationW,
                Cudnn.CUDNN_CROSS_CORRELATION, Cudnn.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
        check(Cudnn.cudnnSetConvolutionGroupCount(desc, groups), "cudnnSetConvolutionGroupCount");
        check(Cudnn.cudnnSetConvolutionMathType(desc, mathType), "cudnnSetConvolutionMathType");
        return desc;
    }

    MemorySegment pooling(int mode, int nanOpt, int windowH, int windowW, int padH, int padW, int strideH,
                          int strideW) {
        MemorySegment desc = create(POOLING);
        check(Cudnn.cudnnSetPooling2dDescriptor(desc, mode, nanOpt, windowH, windowW, padH, padW, strideH, strideW),
                "cudnnSetPooling2dDescriptor");
        return desc;
    }

    MemorySegment activation(int mode, int nanOpt, double coef) {
        MemorySegment desc = create(ACTIVATION);
        check(Cudnn.cudnnSetActivationDescriptor(desc, mode, nanOpt, coef), "cudnnSetActivationDescriptor");
        return desc;
    }

    /** The descriptor of {@code a} ({@link ActivationMapping}: mode, coef, NaN propagated, swish beta). */
    MemorySegment activation(dev.fovea.op.Activation a) {
        MemorySegment desc = activation(ActivationMapping.mode(a), Cudnn.CUDNN_PROPAGATE_NAN,
                ActivationMapping.coef(a));
        if (a == dev.fovea.op.Activation.SILU) {
            check(Cudnn.cudnnSetActivationDescriptorSwishBeta(desc, ActivationMapping.SWISH_BETA),
                    "cudnnSetActivationDescriptorSwishBeta");
        }
        return desc;
    }

    /** A cross-channel LRN window of {@code n} channels: {@code x / (k + alpha/n · Σx²)^beta}. */
    MemorySegment lrn(int n, double alpha, double beta, double k) {
        MemorySegment desc = create(LRN);
        check(Cudnn.cudnnSetLRNDescriptor(desc, n, alpha, beta, k), "cudnnSetLRNDescriptor");
        return desc;
    }

    MemorySegment opTensor(int op) {
        MemorySegment desc = create(OP_TENSOR);
        check(Cudnn.cudnnSetOpTensorDescriptor(desc, op, Cudnn.CUDNN_DATA_FLOAT, Cudnn.CUDNN_PROPAGATE_NAN),
                "cudnnSetOpTensorDescriptor");
        return desc;
    }

    private MemorySegment create(int kind) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            createInto(kind, out);
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
            created.push(new Created(handle, kind));
            return handle;
        }
    }

    private static void createInto(int kind, MemorySegment out) {
        switch (kind) {
            case TENSOR -> check(Cudnn.cudnnCreateTensorDescriptor(out), "cudnnCreateTensorDescriptor");
            case FILTER -> check(Cudnn.cudnnCreateFilterDescriptor(out), "cudnnCreateFilterDescriptor");
            case CONVOLUTION -> check(Cudnn.cudnnCreateConvolutionDescriptor(out), "cudnnCreateConvolutionDescriptor");
            case POOLING -> check(Cudnn.cudnnCreatePoolingDescriptor(out), "cudnnCreatePoolingDescriptor");
            case ACTIVATION -> check(Cudnn.cudnnCreateActivationDescriptor(out), "cudnnCreateActivationDescriptor");
            case OP_TENSOR -> check(Cudnn.cudnnCreateOpTensorDescriptor(out), "cudnnCreateOpTensorDescriptor");
            case LRN -> check(Cudnn.cudnnCreateLRNDescriptor(out), "cudnnCreateLRNDescriptor");
            default -> throw new IllegalArgumentException("descriptor kind " + kind);
        }
    }

    static int toInt(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("cuDNN backend: " + what + " " + v
                    + " does not fit cuDNN's 32-bit descriptor fields");
        }
        return (int) v;
    }

    /** Destroys every descriptor; statuses are ignored (nothing useful can be done about a failed destroy). */
    @Override
    public void close() {
        while (!created.isEmpty()) {
            Created c = created.pop();
            switch (c.kind) {
                case TENSOR -> Cudnn.cudnnDestroyTensorDescriptor(c.handle);
                case FILTER -> Cudnn.cudnnDestroyFilterDescriptor(c.handle);
                case CONVOLUTION -> Cudnn.cudnnDestroyConvolutionDescriptor(c.handle);
                case POOLING -> Cudnn.cudnnDestroyPoolingDescriptor(c.handle);
                case ACTIVATION -> Cudnn.cudnnDestroyActivationDescriptor(c.handle);
                case LRN -> Cudnn.cudnnDestroyLRNDescriptor(c.handle);
                default -> Cudnn.cudnnDestroyOpTensorDescriptor(c.handle);
            }
        }
    }
}
