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
        DeviceArena arena = new DeviceArena(this::malloc, this::free);
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
    void sizeClassesBoundTheWaste() {
        assertEquals(256, DeviceArena.sizeClass(1));
        assertEquals(1024, DeviceArena.sizeClass(1000));
        assertEquals(1024, DeviceArena.sizeClass(1024));
        assertEquals(DeviceArena.MIB, DeviceArena.sizeClass(DeviceArena.MIB));
        assertEquals(3 * DeviceArena.MIB, DeviceArena.sizeClass(2 * DeviceArena.MIB + 1));
        for (long b = 1; b < 50_000_000; b = b * 3 + 7) {
            long c = DeviceArena.sizeClass(b);
            assertTrue(c >= b && c - b < Math.max(b, DeviceArena.MIB), b + " → " + c);
        }
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetries() {
        capacity = 4 * DeviceArena.MIB;
        DeviceArena arena = new DeviceArena(this::malloc, this::free);
        long a = arena.allocate(3 * DeviceArena.MIB);
        arena.release(a);
        long b = arena.allocate(2 * DeviceArena.MIB); // another class: the cached 3 MiB must go first
        assertEquals(List.of(a), freed);
        assertEquals(2 * DeviceArena.MIB, arena.liveBytes());
        arena.release(b);
    }

    @Test
    void foreignOrDoubleReleaseIsRefusedAndBlocksInUseAreFreedAfterClose() {
        DeviceArena arena = new DeviceArena(this::malloc, this::free);
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
