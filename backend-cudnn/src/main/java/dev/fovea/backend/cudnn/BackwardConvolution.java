package dev.fovea.backend.cudnn;

import static dev.fovea.backend.cudnn.Native.ONE;
import static dev.fovea.backend.cudnn.Native.ZERO;
import static dev.fovea.backend.cudnn.Native.check;
import static dev.fovea.backend.cudnn.Native.ptr;

import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.tensor.Layout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backward convolution calls of one geometry, always in NCHW with KCRS filters (the order the SPI's weights
 * and weight gradients use, so no filter repacking): descriptors set once, the algorithms to try for
 * {@code cudnnConvolutionBackwardData} and {@code cudnnConvolutionBackwardFilter} ordered by
 * {@link AlgorithmChoice} (fixed, deterministic order; workspace sizes asked per geometry; the first that runs is
 * remembered). Callers stage NHWC or padded tensors through dense NCHW scratch buffers.
 */
final class BackwardConvolution implements AutoCloseable {
    /** Geometry in cuDNN's terms: x is the (explicitly padded) input, cuDNN's own symmetric pad is padH/padW. */
    record Key(int n, int c, int h, int w, int k, int kh, int kw, int padH, int padW, int sh, int sw, int dh, int dw,
               int groups, int p, int q, int mathType) {
    }

    private final Key key;
    private final Descriptors descriptors = new Descriptors();
    final MemorySegment xDesc;
    final MemorySegment wDesc;
    final MemorySegment convDesc;
    final MemorySegment dyDesc;
    private final List<AlgorithmChoice.Candidate> dataAlgos;
    private final List<AlgorithmChoice.Candidate> filterAlgos;
    private final AtomicInteger dataStart = new AtomicInteger();
    private final AtomicInteger filterStart = new AtomicInteger();

    BackwardConvolution(MemorySegment handle, Key key, long workspaceLimit) {
        this.key = key;
        try {
            xDesc = descriptors.tensor(Dims4.dense(key.n(), key.c(), key.h(), key.w(), Layout.NCHW));
            wDesc = descriptors.filter(Cudnn.CUDNN_TENSOR_NCHW, key.k(), key.c() / key.groups(), key.kh(), key.kw());
            convDesc = descriptors.convolution(key.padH(), key.padW(), key.sh(), key.sw(), key.dh(), key.dw(),
                    key.groups(), key.mathType());
            dyDesc = descriptors.tensor(Dims4.dense(key.n(), key.k(), key.p(), key.q(), Layout.NCHW));
            dataAlgos = candidates(handle, true, workspaceLimit);
            filterAlgos = candidates(handle, false, workspaceLimit);
        } catch (RuntimeException | Error e) {
            descriptors.close();
            throw e;
        }
    }

    Dims4 xDims() {
        return Dims4.dense(key.n(), key.c(), key.h(), key.w(), Layout.NCHW);
    }

    Dims4 dyDims() {
        return Dims4.dense(key.n(), key.k(), key.p(), key.q(), Layout.NCHW);
    }

    private List<AlgorithmChoice.Candidate> candidates(MemorySegment handle, boolean data, long limit) {
        List<AlgorithmChoice.Candidate> ranked = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
            for (int algo : data ? AlgorithmChoice.BACKWARD_DATA_ORDER : AlgorithmChoice.BACKWARD_FILTER_ORDER) {
                int st = data
                        ? Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wDesc, dyDesc, convDesc, xDesc,
                                algo, size)
                        : Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xDesc, dyDesc, convDesc, wDesc,
                                algo, size);
                if (st == Cudnn.CUDNN_STATUS_SUCCESS) {
                    ranked.add(new AlgorithmChoice.Candidate(algo, size.get(ValueLayout.JAVA_LONG, 0), key.mathType()));
                }
            }
        }
        return AlgorithmChoice.order(ranked, data ? AlgorithmChoice.EXCLUDED_BACKWARD_DATA
                : AlgorithmChoice.EXCLUDED_BACKWARD_FILTER, limit);
    }

    /** {@code dx} (dense NCHW, padded geometry) from {@code dy} (dense NCHW) and device filters {@code w}. */
    void data(CudnnContext ctx, long w, long dy, long dx) {
        run(ctx, dataAlgos, dataStart, "cudnnConvolutionBackwardData", c -> {
            long ws = c.workspace() == 0 ? 0 : ctx.buffer(CudnnContext.WORKSPACE, c.workspace());
            return Cudnn.cudnnConvolutionBackwardData(ctx.handle(), ONE, wDesc, ptr(w), dyDesc, ptr(dy), convDesc,
                    c.algo(), ptr(ws), c.workspace(), ZERO, xDesc, ptr(dx));
        });
    }

    /** {@code dw} (KCRS, dense) from {@code x} (dense NCHW, padded geometry) and {@code dy} (dense NCHW). */
    void filter(CudnnContext ctx, long x, long dy, long dw) {
        run(ctx, filterAlgos, filterStart, "cudnnConvolutionBackwardFilter", c -> {
            long ws = c.workspace() == 0 ? 0 : ctx.buffer(CudnnContext.WORKSPACE, c.workspace());
            return Cudnn.cudnnConvolutionBackwardFilter(ctx.handle(), ONE, xDesc, ptr(x), dyDesc, ptr(dy), convDesc,
                    c.algo(), ptr(ws), c.workspace(), ZERO, wDesc, ptr(dw));
        });
    }

    private void run(CudnnContext ctx, List<AlgorithmChoice.Candidate> algos, AtomicInteger start, String fn,
                     AlgorithmChoice.Attempt attempt) {
        if (algos.isEmpty()) {
            throw new UnsupportedOperationException(fn + ": no algorithm of cuDNN fits " + key
                    + " within the workspace limit (-Dfovea.cudnn.workspaceLimitMB)");
        }
        int from = start.get();
        AlgorithmChoice.Outcome o = AlgorithmChoice.firstWorking(algos, from, attempt);
        if (o.index() != from && o.index() < algos.size()) {
            start.set(o.index());
        }
        check(o.status(), fn);
    }

    @Override
    public void close() {
        descriptors.close();
    }
}
