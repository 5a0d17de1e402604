package dev.fovea.backend.cudnn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A bounded pool of expensive per-call state (cuDNN handles with their device workspaces): at most {@code max}
 * exist at once whatever the number of threads (a churning thread pool or virtual threads would otherwise create
 * one per thread and exhaust device memory). {@link #acquire} hands out an idle one, creates one below the bound,
 * or waits; {@link #release} returns it. Entries idle longer than {@code idleNanos} are destroyed at the next
 * acquire or release, so a burst's extra state does not stay. Thread-safe; pure bookkeeping (the factory and
 * destructor do the native work), so it is tested on the host.
 */
final class Pool<T> {
    private record Idle<T>(T item, long since) {
    }

    private final int max;
    private final long idleNanos;
    private final Supplier<T> create;
    private final Consumer<T> destroy;
    private final LongSupplier clock;
    private final Deque<Idle<T>> idle = new ArrayDeque<>();
    private int live;
    private int created;
    private boolean closed;

    Pool(int max, long idleNanos, Supplier<T> create, Consumer<T> destroy, LongSupplier clock) {
        if (max < 1) {
            throw new IllegalArgumentException("pool size " + max + " must be at least 1");
        }
        this.max = max;
        this.idleNanos = idleNanos;
        this.create = create;
        this.destroy = destroy;
        this.clock = clock;
    }

    /** An entry for the caller's exclusive use until {@link #release}; waits while {@code max} are in use. */
    T acquire() {
        List<T> expired;
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the cuDNN backend was closed");
                }
                expired = expire();
                if (!idle.isEmpty()) {
                    // Most recently used first: its buffers are the ones already grown for the current work.
                    T item = idle.pop().item();
                    destroyAll(expired);
                    return item;
                }
                if (live < max) {
                    live++;
                    created++;
                    break;
                }
                destroyAll(expired);
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a cuDNN handle", e);
                }
            }
        }
        destroyAll(expired);
        try {
            return create.get();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                live--;
                notifyAll();
            }
            throw e;
        }
    }

    /** Returns an entry taken by {@link #acquire}. */
    void release(T item) {
        List<T> expired;
        boolean destroyNow = false;
        synchronized (this) {
            if (closed) {
                live--;
                destroyNow = true;
                expired = List.of();
            } else {
                idle.push(new Idle<>(item, clock.getAsLong()));
                expired = expire();
                notifyAll();
            }
        }
        if (destroyNow) {
            destroy.accept(item);
        }
        destroyAll(expired);
    }

    /** Removes the idle entries older than the idle limit (oldest are at the bottom of the stack). */
    private List<T> expire() {
        List<T> out = new ArrayList<>();
        long now = clock.getAsLong();
        while (!idle.isEmpty() && now - idle.peekLast().since() > idleNanos) {
            out.add(idle.pollLast().item());
            live--;
        }
        return out;
    }

    private void destroyAll(List<T> items) {
        for (T t : items) {
            destroy.accept(t);
        }
    }

    /** Destroys the idle entries now; entries in use are destroyed when released. Idempotent. */
    void close() {
        List<T> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            while (!idle.isEmpty()) {
                all.add(idle.pop().item());
                live--;
            }
            notifyAll();
        }
        destroyAll(all);
    }

    /** Entries that exist now (idle or in use). */
    synchronized int live() {
        return live;
    }

    synchronized int idle() {
        return idle.size();
    }

    /** Entries created since the pool was made. */
    synchronized int created() {
        return created;
    }

    int max() {
        return max;
    }
}
