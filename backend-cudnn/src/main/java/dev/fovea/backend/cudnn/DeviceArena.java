package dev.fovea.backend.cudnn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * Device memory for tensors, reused across passes: a released block goes to a free list of its size class and
 * the next request of that class takes it back, so a network run again and again (same shapes every pass)
 * allocates device memory only on its first pass. Size classes are powers of two up to 1 MiB, then multiples of
 * 1 MiB, so a block wastes at most half (small) or 1 MiB (large). When the device is out of memory the cached
 * blocks are freed and the allocation retried once. Pure bookkeeping over the injected {@code malloc}/{@code free}
 * ({@code cudaMalloc}/{@code cudaFree} in the backend), thread-safe, tested on the host.
 */
final class DeviceArena {
    static final long MIB = 1 << 20;
    private static final long MIN_CLASS = 256;

    /** Thrown by the injected malloc when the device is out of memory (the arena then frees its cache). */
    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String message) {
            super(message);
        }
    }

    private final LongUnaryOperator malloc;
    private final LongConsumer free;
    private final Map<Long, Deque<Long>> cached = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long mallocs;
    private boolean closed;

    DeviceArena(LongUnaryOperator malloc, LongConsumer free) {
        this.malloc = malloc;
        this.free = free;
    }

    /** The size class of a request of {@code bytes}. */
    static long sizeClass(long bytes) {
        if (bytes <= MIN_CLASS) {
            return MIN_CLASS;
        }
        if (bytes <= MIB) {
            return Long.highestOneBit(bytes - 1) << 1;
        }
        return (bytes + MIB - 1) / MIB * MIB;
    }

    /** A device block of at least {@code bytes}, from the cache when one of its class is free. */
    long allocate(long bytes) {
        long size = sizeClass(bytes);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the cuDNN backend was closed");
            }
            Deque<Long> free = cached.get(size);
            if (free != null && !free.isEmpty()) {
                long address = free.pop();
                cachedBytes -= size;
                liveBytes += size;
                sizeOf.put(address, size);
                return address;
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

    /** Returns a block from {@link #allocate} to the cache (freed at once after {@link #close}). */
    void release(long address) {
        boolean freeNow;
        synchronized (this) {
            Long size = sizeOf.remove(address);
            if (size == null) {
                throw new IllegalStateException("device block 0x" + Long.toHexString(address)
                        + " was not allocated by this arena or was released twice");
            }
            liveBytes -= size;
            freeNow = closed;
            if (!closed) {
                cached.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
                cachedBytes += size;
            }
        }
        if (freeNow) {
            free.accept(address);
        }
    }

    /** Frees every cached block; blocks in use are untouched. */
    void trim() {
        List<Long> out = new ArrayList<>();
        synchronized (this) {
            cached.values().forEach(out::addAll);
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
