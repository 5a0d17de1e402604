package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device arena's bookkeeping over a fake malloc/free (addresses from a counter). */
class DeviceArenaTest {
    private long nextAddress = 0x1000;
    private final java.util.Map<Long, Long> live = new java.util.HashMap<>();
    private final List<Long> freed = new ArrayList<>();
    private long capacity = Long.MAX_VALUE;
    private long used;

    private long malloc(long bytes) {
        if (used + bytes > capacity) {
            throw new DeviceArena.OutOfMemory("fake device full");
        }
        used += bytes;
        long a = nextAddress;
        nextAddress += bytes;
        live.put(a, bytes);
        return a;
    }

    private void free(long a) {
        Long bytes = live.remove(a);
        assertTrue(bytes != null, "double or foreign free of " + a);
        used -= bytes;
        freed.add(a);
    }

    @Test
    void aRepeatedPassAllocatesOnlyOnce() {
        DeviceArena arena = new DeviceArena(this::malloc, this::free, Long.MAX_VALUE);
        long[] sizes = {28 * 28 * 64 * 4, 26 * 26 * 64 * 4, 13 * 13 * 64 * 4, 1600 * 4, 128 * 4, 10 * 4};
        for (int pass = 0; pass < 5; pass++) {
            List<Long> blocks = new ArrayList<>();
            for (long s : sizes) {
                blocks.add(arena.allocate(s * 64));
            }
            blocks.forEach(arena::release);
        }
        assertEquals(sizes.length, arena.mallocs());
        assertEquals(0, arena.liveBytes());
        arena.close();
        assertTrue(live.isEmpty(), "close frees the cache");
    }

    @Test
    void aSmallerRequestReusesABlockAtMostHalfAsLargeAgain() {
        DeviceArena arena = new DeviceArena(this::malloc, this::free, Long.MAX_VALUE);
        long batch32 = arena.allocate(32 * 4096);
        arena.release(batch32);
        assertEquals(batch32, arena.allocate(31 * 4096), "batch 31 takes batch 32's block");
        long small = arena.allocate(10 * 4096); // 32/10 is more than half as large again: a new block
        assertTrue(small != batch32);
        assertEquals(2, arena.mallocs());
        assertEquals(256, DeviceArena.rounded(1));
        assertEquals(512, DeviceArena.rounded(257));
    }

    @Test
    void theCacheIsCappedAndTheOldestBlocksGoFirst() {
        DeviceArena arena = new DeviceArena(this::malloc, this::free, 3 * DeviceArena.MIB);
        long a = arena.allocate(DeviceArena.MIB);
        long b = arena.allocate(DeviceArena.MIB);
        long c = arena.allocate(2 * DeviceArena.MIB);
        arena.release(a);
        arena.release(b);
        assertTrue(freed.isEmpty());
        arena.release(c); // 4 MiB cached > 3 MiB: a, released first, is freed
        assertEquals(List.of(a), freed);
        assertEquals(3 * DeviceArena.MIB, arena.cachedBytes());
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetries() {
        capacity = 4 * DeviceArena.MIB;
        DeviceArena arena = new DeviceArena(this::malloc, this::free, Long.MAX_VALUE);
        long a = arena.allocate(3 * DeviceArena.MIB);
        arena.release(a);
        // 3 MiB is more than half as large again as 1.5 MiB: not reused, and both do not fit: the cache goes first.
        long b = arena.allocate(3 * DeviceArena.MIB / 2);
        assertEquals(List.of(a), freed);
        assertEquals(3 * DeviceArena.MIB / 2, arena.liveBytes());
        arena.release(b);
    }

    @Test
    void foreignOrDoubleReleaseIsRefusedAndBlocksInUseAreFreedAfterClose() {
        DeviceArena arena = new DeviceArena(this::malloc, this::free, Long.MAX_VALUE);
        long a = arena.allocate(100);
        assertThrows(IllegalStateException.class, () -> arena.release(a + 4));
        arena.close();
        assertTrue(live.containsKey(a), "a block in use is not freed under its tensor");
        arena.release(a);
        assertTrue(live.isEmpty());
        assertThrows(IllegalStateException.class, () -> arena.release(a));
        assertThrows(IllegalStateException.class, () -> arena.allocate(8));
    }
}
