package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.engine.BackendInfo;
import dev.fovea.engine.Backends;
import dev.fovea.spi.Availability;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The probe with the real libraries: CUDA's own reason when no device is usable. */
class ProbeTest {
    @Test
    void probeReportsCudasErrorNameAndString() {
        NativeLibs.load();
        int err;
        int count;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            err = CudaRuntime.cudaGetDeviceCount(out);
            count = out.get(ValueLayout.JAVA_INT, 0);
        }
        Availability a = new CudnnBackendProvider().probe();
        if (err == CudaRuntime.cudaSuccess && count > 0) {
            System.out.println("cudnn probe on a machine with " + count + " CUDA device(s): " + a.describe());
            return;
        }
        assertFalse(a.available());
        String expected = "no GPU: CUDA reports no usable device: cudaGetDeviceCount returned "
                + Native.cudaErrorName(err) + " (" + err + "): " + Native.cudaErrorString(err);
        assertEquals(expected, a.reason());
        if (err == CudaRuntime.cudaErrorInsufficientDriver) {
            assertTrue(a.fix().startsWith("install an NVIDIA driver that supports CUDA 12."), a.fix());
        }
        // Discovery shows it the same way (what `fovea backends` prints).
        BackendInfo info = Backends.list().stream().filter(b -> b.name().equals("cudnn")).findFirst().orElseThrow();
        assertEquals(200, info.priority());
        assertEquals(a, info.availability());
        System.out.println("cudnn probe: " + a.describe());
    }
}
