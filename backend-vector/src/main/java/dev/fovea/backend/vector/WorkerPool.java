package dev.fovea.backend.vector;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads owned by one backend. {@link #run} splits {@code tasks} indices between the
 * calling thread and up to {@code threads − 1} helpers, which claim indices one at a time (dynamic balancing:
 * on a shared 2-core host one core is often slower). Several callers may run jobs at once; each job is
 * finished before its {@code run} returns.
 *
 * <p>Every kernel states its work, and {@link #run} alone decides from it whether the job is worth handing to
 * the helpers: work is counted in FLOPs, and a kernel that moves data rather than computes on it converts its
 * bytes with {@link #bytesWork}.
 */
final class WorkerPool implements AutoCloseable {
    /** The work of one index of a job; {@code ctx} carries the call's tensors, so plans need no lambda per call. */
    interface Body {
        void run(int task, Object ctx);
    }

    private static final class Job {
        final Body body;
        final Object ctx;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final Thread owner;
        volatile Throwable failure;

        Job(Body body, Object ctx, int tasks, Thread owner) {
            this.body = body;
            this.ctx = ctx;
            this.tasks = tasks;
            this.owner = owner;
        }

        /** Claims and runs indices until none is left. */
        void work() {
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                try {
                    if (failure == null) {
                        body.run(t, ctx);
                    }
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    if (done.incrementAndGet() == tasks) {
                        LockSupport.unpark(owner);
                    }
                }
            }
        }
    }

    /**
     * Work, in FLOPs, below which a job runs on the calling thread: waking helpers and waiting for the last one
     * costs tens of microseconds, what one core needs for about a million FLOPs of these kernels.
     */
    static final long INLINE_WORK = 1_000_000L;

    /**
     * FLOPs that one byte read or written counts for in a kernel that moves data (copies, pooling, padding,
     * element-wise ops): such loops stream a few bytes per cycle where the GEMM kernels do about four times as
     * many FLOPs.
     */
    static final long WORK_PER_BYTE = 4;

    /** Polls of an empty queue before a helper blocks (about 20 µs). */
    private static final int SPINS = 2000;

    private static final Job STOP = new Job((t, c) -> { }, null, 0, null);

    private final int threads;
    private final Thread[] helpers;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /** @param threads total threads working on a job, the caller included (≥ 1) */
    WorkerPool(int threads) {
        this.threads = Math.max(1, threads);
        this.helpers = new Thread[this.threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            Thread t = new Thread(this::loop, "fovea-vector-" + (i + 1));
            t.setDaemon(true);
            helpers[i] = t;
            t.start();
        }
    }

    /** Total threads per job, the caller included. */
    int threads() {
        return threads;
    }

    /** The work, in FLOPs ({@link #INLINE_WORK}), of a kernel that reads and writes {@code bytes} in all. */
    static long bytesWork(long bytes) {
        return bytes * WORK_PER_BYTE;
    }

    /**
     * Runs {@code body} for every index in {@code [0, tasks)}, on the calling thread alone when {@code work} (FLOPs,
     * or {@link #bytesWork} of the bytes moved) is below {@link #INLINE_WORK}, else shared with the helpers;
     * returns when all are done; rethrows a failure.
     */
    void run(int tasks, Body body, Object ctx, long work) {
        if (work < INLINE_WORK) {
            for (int t = 0; t < tasks; t++) {
                body.run(t, ctx);
            }
            return;
        }
        spread(tasks, body, ctx);
    }

    private void spread(int tasks, Body body, Object ctx) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || helpers.length == 0 || closed) {
            for (int t = 0; t < tasks; t++) {
                body.run(t, ctx);
            }
            return;
        }
        Job job = new Job(body, ctx, tasks, Thread.currentThread());
        int tickets = Math.min(helpers.length, tasks - 1);
        for (int i = 0; i < tickets; i++) {
            queue.offer(job);
        }
        job.work();
        // Helpers may still be finishing their last index: spin briefly, then park.
        int spins = 0;
        while (job.done.get() < tasks) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(job, 100_000L);
            }
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void loop() {
        try {
            while (true) {
                // Jobs come in bursts (a training step runs dozens back to back): poll a few microseconds before
                // blocking, which costs a wake-up of tens of microseconds.
                Job job = queue.poll();
                for (int spins = 0; job == null && spins < SPINS; spins++) {
                    Thread.onSpinWait();
                    job = queue.poll();
                }
                if (job == null) {
                    job = queue.take();
                }
                if (job == STOP) {
                    return;
                }
                job.work();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < helpers.length; i++) {
            queue.offer(STOP);
        }
    }
}
