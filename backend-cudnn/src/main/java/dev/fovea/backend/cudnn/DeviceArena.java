package dev.fovea.backend.cudnn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Device memory for tensors, reused across passes, on the vector backend's host-pool design: a request takes the
 * smallest free block that holds it and is at most half as large again (so a batch of 31 reuses the blocks of a
 * batch of 32), else a new {@code cudaMalloc}; a released block goes back to the free lists. A network run pass
 * after pass thus allocates device memory on its first pass only. At most {@code maxCachedBytes} are kept free,
 * the blocks released last: older ones are freed first. When the device is out of memory every free block is
 * freed and the allocation retried once. Pure bookkeeping over the injected {@code malloc}/{@code free}
 * ({@code cudaMalloc}/{@code cudaFree} in the backend), thread-safe, tested on the host.
 */
final class DeviceArena {
    static final long MIB = 1 << 20;
    /** Sizes are rounded up to this (cudaMalloc's alignment), so near-equal requests share blocks. */
    static final long GRANULE = 256;

    /** Thrown by the injected malloc when the device is out of memory (the arena then frees its cache). */
    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String message) {
            super(message);
        }
    }

    private record Block(long address, long size) {
    }

    private final LongUnaryOperator malloc;
    private final LongConsumer free;
    private final long maxCachedBytes;
    /** Free blocks by size, each size's most recently released first. */
    private final TreeMap<Long, ArrayDeque<Block>> cached = new TreeMap<>();
    /** Every free block, the least recently released first: the order in which they are freed. */
    private final ArrayDeque<Block> byAge = new ArrayDeque<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long mallocs;
    private boolean closed;

    DeviceArena(LongUnaryOperator malloc, LongConsumer free, long maxCachedBytes) {
        this.malloc = malloc;
        this.free = free;
        this.maxCachedBytes = maxCachedBytes;
    }

    static long rounded(long bytes) {
        return Math.max(GRANULE, Math.ceilDiv(bytes, GRANULE) * GRANULE);
    }

    /** A device block of at least {@code bytes}: a cached one at most half as large again, else a new one. */
    long allocate(long bytes) {
        long size = rounded(bytes);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the cuDNN backend was closed");
            }
            var e = cached.ceilingEntry(size);
            if (e != null && e.getKey() <= size + size / 2) {
                Block b = e.getValue().pop();
                if (e.getValue().isEmpty()) {
                    cached.remove(e.getKey());
                }
                byAge.remove(b);
                cachedBytes -= b.size();
                liveBytes += b.size();
                sizeOf.put(b.address(), b.size());
                return b.address();
            }
        }
        long address;
        try {
            address = malloc.applyAsLong(size);
        } catch (OutOfMemory e) {
            trim();
            address = malloc.applyAsLong(size);
        }
        synchronized (this) {
            mallocs++;
            liveBytes += size;
            sizeOf.put(address, size);
        }
        return address;
    }

    /** Returns a block from {@link #allocate} (freed at once after {@link #close}, or when over the cap). */
    void release(long address) {
        List<Long> out = new ArrayList<>();
        synchronized (this) {
            Long size = sizeOf.remove(address);
            if (size == null) {
                throw new IllegalStateException("device block 0x" + Long.toHexString(address)
                        + " was not allocated by this arena or was released twice");
            }
            liveBytes -= size;
            if (closed) {
                out.add(address);
            } else {
                Block b = new Block(address, size);
                cached.computeIfAbsent(size, s -> new ArrayDeque<>()).push(b);
                byAge.addLast(b);
                cachedBytes += size;
                while (cachedBytes > maxCachedBytes) {
                    Block old = byAge.pollFirst();
                    ArrayDeque<Block> list = cached.get(old.size());
                    list.remove(old);
                    if (list.isEmpty()) {
                        cached.remove(old.size());
                    }
                    cachedBytes -= old.size();
                    out.add(old.address());
                }
            }
        }
        out.forEach(free::accept);
    }

    /** Frees every cached block; blocks in use are untouched. */
    void trim() {
        List<Long> out = new ArrayList<>();
        synchronized (this) {
            byAge.forEach(b -> out.add(b.address()));
            byAge.clear();
            cached.clear();
            cachedBytes = 0;
        }
        out.forEach(free::accept);
    }

    /** Frees the cache; blocks still in use are freed when released. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        trim();
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** Calls of the injected malloc that succeeded. */
    synchronized long mallocs() {
        return mallocs;
    }
}
