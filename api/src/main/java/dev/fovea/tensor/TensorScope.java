package dev.fovea.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Owns memory: every tensor allocated from a scope is freed when the scope closes. Closing twice is
 * harmless; a tensor used after its scope closed throws {@link IllegalStateException}.
 * The memory is shared (any thread may read and write it), so backend worker threads can use it.
 *
 * <pre>{@code
 * try (TensorScope scope = new TensorScope()) {
 *     Tensor x = scope.allocate(Shape.of(1, 1, 28, 28), Layout.NHWC);
 *     ...
 * } // x is freed here
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    /** Alignment of every host allocation, in bytes: a cache line and a 512-bit vector. */
    public static final long ALIGNMENT = 64;

    private final Arena arena = Arena.ofShared();
    private final Deque<Runnable> cleanups = new ArrayDeque<>();
    private volatile boolean open = true;

    /** A zero-filled host tensor with dense strides for {@code layout}. */
    public Tensor allocate(Shape shape, Layout layout) {
        return allocate(shape, layout, DType.F32);
    }

    /** A zero-filled host tensor of the given element type. */
    public Tensor allocate(Shape shape, Layout layout, DType dtype) {
        MemorySegment seg = allocateBytes(shape.elementCount() * dtype.byteSize());
        return new Tensor(shape, layout, dtype, layout.denseStrides(shape), 0, seg, this, true);
    }

    /** A host tensor holding a copy of {@code data}, which is in {@code layout}'s storage order. */
    public Tensor fromArray(float[] data, Shape shape, Layout layout) {
        Tensor t = allocate(shape, layout);
        t.copyFrom(data);
        return t;
    }

    /** Raw zero-filled, 64-byte aligned host memory owned by this scope. */
    public MemorySegment allocateBytes(long bytes) {
        checkOpen();
        return arena.allocate(Math.max(bytes, 1), ALIGNMENT);
    }

    /**
     * Registers an action run when the scope closes, before its host memory is freed, in reverse order of
     * registration. Backends use it to free device memory they tied to this scope.
     */
    public synchronized void onClose(Runnable cleanup) {
        checkOpen();
        cleanups.push(cleanup);
    }

    /** The arena behind the host memory, for backends that tie native resources to this scope. */
    public Arena arena() {
        checkOpen();
        return arena;
    }

    public boolean isOpen() {
        return open;
    }

    void checkOpen() {
        if (!open) {
            throw new IllegalStateException("tensor scope is closed: its tensors were freed");
        }
    }

    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        RuntimeException failure = null;
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }
}
