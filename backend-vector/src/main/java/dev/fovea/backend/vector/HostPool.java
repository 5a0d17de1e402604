package dev.fovea.backend.vector;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Large activations recycled between scopes: an inference or training pass allocates the same tens of megabytes
 * every time, and fresh memory costs a page fault per 4 KiB (more than the pass's arithmetic at batch 256). A
 * tensor of at least {@link #MIN_BYTES} takes the smallest free block that holds it and is at most half as large
 * again (so that a batch of 31 reuses the blocks of a batch of 32), zero-filled like {@link TensorScope#allocate},
 * and gives the block back when its scope closes. At most {@code maxPooledBytes} are kept free, the blocks given
 * back last: with batch sizes that keep changing, older blocks are dropped for the garbage collector (each block
 * has its own automatic arena) instead of piling up.
 */
final class HostPool {
    static final long MIN_BYTES = 1 << 20;
    static final long MAX_POOLED_BYTES = 1L << 30;

    private final long maxPooledBytes;
    /** Free blocks by size, each size's most recently given first. */
    private final TreeMap<Long, ArrayDeque<MemorySegment>> free = new TreeMap<>();
    /** Every free block, the least recently given first: the order in which they are dropped. */
    private final ArrayDeque<MemorySegment> byAge = new ArrayDeque<>();
    private long pooledBytes;

    HostPool() {
        this(MAX_POOLED_BYTES);
    }

    HostPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        long bytes = shape.elementCount() * 4;
        if (bytes < MIN_BYTES) {
            return scope.allocate(shape, layout);
        }
        MemorySegment block = take(bytes);
        MemorySegment data;
        if (block == null) {
            block = Arena.ofAuto().allocate(bytes, TensorScope.ALIGNMENT);
            data = block;
        } else {
            data = block.asSlice(0, bytes);
            data.fill((byte) 0);
        }
        MemorySegment b = block;
        Tensor t = Tensor.wrap(shape, layout, data, scope, true);
        scope.onClose(() -> give(b));
        return t;
    }

    /** Bytes held free now (for tests). */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    private synchronized MemorySegment take(long bytes) {
        Map.Entry<Long, ArrayDeque<MemorySegment>> e = free.ceilingEntry(bytes);
        if (e == null || e.getKey() > bytes + bytes / 2) {
            return null;
        }
        MemorySegment s = e.getValue().pop();
        if (e.getValue().isEmpty()) {
            free.remove(e.getKey());
        }
        byAge.removeFirstOccurrence(s);
        pooledBytes -= s.byteSize();
        return s;
    }

    private synchronized void give(MemorySegment s) {
        if (s.byteSize() > maxPooledBytes) {
            return;
        }
        free.computeIfAbsent(s.byteSize(), k -> new ArrayDeque<>()).push(s);
        byAge.addLast(s);
        pooledBytes += s.byteSize();
        while (pooledBytes > maxPooledBytes) {
            MemorySegment old = byAge.pollFirst();
            ArrayDeque<MemorySegment> q = free.get(old.byteSize());
            q.removeFirstOccurrence(old);
            if (q.isEmpty()) {
                free.remove(old.byteSize());
            }
            pooledBytes -= old.byteSize();
        }
    }
}
