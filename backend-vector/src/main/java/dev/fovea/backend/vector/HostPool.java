package dev.fovea.backend.vector;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Large activations recycled between scopes: an inference or training pass allocates the same tens of megabytes
 * every time, and fresh memory costs a page fault per 4 KiB (more than the pass's arithmetic at batch 256). A
 * tensor of at least {@link #MIN_BYTES} takes a free block of its exact size, zero-filled like
 * {@link TensorScope#allocate}, and gives it back when its scope closes. At most {@link #MAX_POOLED_BYTES} are kept
 * free; blocks past that are left to the garbage collector (each block has its own automatic arena).
 */
final class HostPool {
    static final long MIN_BYTES = 1 << 20;
    static final long MAX_POOLED_BYTES = 1L << 30;

    private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
    private long pooledBytes;

    Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        long bytes = shape.elementCount() * 4;
        if (bytes < MIN_BYTES) {
            return scope.allocate(shape, layout);
        }
        MemorySegment block = take(bytes);
        if (block == null) {
            block = Arena.ofAuto().allocate(bytes, TensorScope.ALIGNMENT);
        } else {
            block.fill((byte) 0);
        }
        MemorySegment b = block;
        Tensor t = Tensor.wrap(shape, layout, b, scope, true);
        scope.onClose(() -> give(b));
        return t;
    }

    private synchronized MemorySegment take(long bytes) {
        ArrayDeque<MemorySegment> q = free.get(bytes);
        MemorySegment s = q == null ? null : q.poll();
        if (s != null) {
            pooledBytes -= bytes;
        }
        return s;
    }

    private synchronized void give(MemorySegment s) {
        if (pooledBytes + s.byteSize() > MAX_POOLED_BYTES) {
            return;
        }
        free.computeIfAbsent(s.byteSize(), k -> new ArrayDeque<>()).push(s);
        pooledBytes += s.byteSize();
    }
}
