package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The handle pool's bookkeeping, with counters standing in for cuDNN handles and a hand-driven clock. */
class PoolTest {
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentLinkedQueue<Integer> destroyed = new ConcurrentLinkedQueue<>();
    private final AtomicLong now = new AtomicLong();

    private Pool<Integer> pool(int max) {
        return new Pool<>(max, 1_000, next::incrementAndGet, destroyed::add, now::get);
    }

    @Test
    void virtualThreadChurnNeverHoldsMoreThanTheBound() throws Exception {
        Pool<Integer> p = pool(3);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                fs.add(exec.submit(() -> {
                    Integer h = p.acquire();
                    peak.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                    Thread.yield();
                    inUse.decrementAndGet();
                    p.release(h);
                }));
            }
            for (var f : fs) {
                f.get();
            }
        }
        assertTrue(peak.get() <= 3, "peak " + peak.get());
        assertTrue(p.created() <= 3, "created " + p.created() + " handles for 2000 threads");
        assertEquals(p.created(), p.live());
        assertEquals(p.live(), p.idle());
        p.close();
        assertEquals(0, p.live());
        assertEquals(p.created(), destroyed.size());
    }

    @Test
    void idleEntriesAreReleasedAfterTheIdleTime() {
        Pool<Integer> p = pool(4);
        Integer a = p.acquire();
        Integer b = p.acquire();
        p.release(a);
        now.addAndGet(600);
        p.release(b);
        assertEquals(2, p.idle());
        now.addAndGet(600); // a idle 1200 > 1000, b idle 600
        Integer again = p.acquire();
        assertEquals(b, again, "the most recently used entry comes back first");
        assertEquals(List.of(a), List.copyOf(destroyed));
        assertEquals(1, p.live());
        p.release(again);
    }

    @Test
    void aFailedCreationDoesNotLeakASlot() {
        AtomicInteger calls = new AtomicInteger();
        Pool<Integer> p = new Pool<>(1, 1_000, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("cudnnCreate failed");
            }
            return 7;
        }, destroyed::add, now::get);
        assertThrows(IllegalStateException.class, p::acquire);
        assertEquals(0, p.live());
        assertEquals(7, p.acquire());
    }

    @Test
    void afterCloseAcquireFailsAndReleasedEntriesAreDestroyed() {
        Pool<Integer> p = pool(2);
        Integer held = p.acquire();
        p.close();
        assertThrows(IllegalStateException.class, p::acquire);
        assertTrue(destroyed.isEmpty(), "an entry in use is not destroyed under its user");
        p.release(held);
        assertEquals(List.of(held), List.copyOf(destroyed));
        assertEquals(0, p.live());
    }

    @Test
    void poolSizeFollowsFreeMemoryAndCpus() {
        long gib = 1L << 30;
        assertEquals(8, CudnnBackend.poolSize(80 * gib, gib, 16));
        assertEquals(4, CudnnBackend.poolSize(80 * gib, gib, 4));
        assertEquals(1, CudnnBackend.poolSize(2 * gib, gib, 16));
    }
}
