package dev.fovea.spi;

import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.fovea.tensor.Positions;

/** The generic strided copy between host tensors of one logical shape, used by {@link Backend#copy}'s default. */
public final class HostCopy {
    private HostCopy() {
    }

    public static void copy(Tensor src, Tensor dst) {
        if (!src.isHost() || !dst.isHost()) {
            throw new IllegalStateException("the default copy handles host tensors only: " + src + " → " + dst);
        }
        MemorySegment s = src.buffer();
        MemorySegment d = dst.buffer();
        if (src.isContiguous() && dst.isContiguous() && src.layout() == dst.layout()) {
            MemorySegment.copy(s, src.offset() * 4, d, dst.offset() * 4, src.shape().elementCount() * 4);
            return;
        }
        int rank = src.shape().rank();
        int[] dims = src.shape().dims();
        long[] ss = src.strides();
        long[] ds = dst.strides();
        // Iterate in the destination's storage order so writes are sequential.
        int[] ord = dst.layout().storageOrder(rank);
        int[] pos = new int[rank];
        long total = src.shape().elementCount();
        for (long k = 0; k < total; k++) {
            long si = Positions.index(src.offset(), ss, pos);
            long di = Positions.index(dst.offset(), ds, pos);
            d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, di, s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, si));
            Positions.next(pos, dims, ord);
        }
    }
}
