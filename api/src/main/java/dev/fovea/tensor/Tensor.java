package dev.fovea.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A view of memory: a logical {@link Shape}, a storage {@link Layout}, strides in elements for each logical
 * axis, and an offset into a buffer that a {@link TensorScope} owns. Views ({@link #channelSlice},
 * {@link #batchSlice}, {@link #flatten}) share the buffer. Host tensors can be read and written from Java;
 * device tensors (from a GPU backend's {@code allocate}) only through their backend.
 *
 * <p>Not thread-safe for concurrent writes; concurrent reads are fine.
 *
 * <pre>{@code
 * Tensor x = scope.fromArray(pixels, Shape.of(1, 1, 28, 28), Layout.NHWC);
 * float v = x.get(0, 0, 3, 4); // logical (n, c, h, w)
 * }</pre>
 */
public final class Tensor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Shape shape;
    private final Layout layout;
    private final DType dtype;
    private final long[] strides;
    private final long offset;
    private final MemorySegment buffer;
    private final TensorScope scope;
    private final boolean host;

    Tensor(Shape shape, Layout layout, DType dtype, long[] strides, long offset, MemorySegment buffer,
           TensorScope scope, boolean host) {
        this.shape = shape;
        this.layout = layout;
        this.dtype = dtype;
        this.strides = strides;
        this.offset = offset;
        this.buffer = buffer;
        this.scope = scope;
        this.host = host;
    }

    /**
     * For backend authors: a dense tensor over memory the backend allocated ({@code host=false} for device
     * memory, whose segment holds the device address and is never dereferenced by the API). The memory must
     * stay valid until {@code scope} closes; register its release with {@link TensorScope#onClose}.
     */
    public static Tensor wrap(Shape shape, Layout layout, MemorySegment buffer, TensorScope scope, boolean host) {
        return new Tensor(shape, layout, DType.F32, layout.denseStrides(shape), 0, buffer, scope, host);
    }

    public Shape shape() {
        return shape;
    }

    public Layout layout() {
        return layout;
    }

    public DType dtype() {
        return dtype;
    }

    /** Stride of logical axis {@code axis}, in elements. */
    public long stride(int axis) {
        return strides[axis];
    }

    public long[] strides() {
        return strides.clone();
    }

    /** Offset of element (0, 0, ...) into {@link #buffer()}, in elements. */
    public long offset() {
        return offset;
    }

    /** True for host memory, false for a backend's device memory. */
    public boolean isHost() {
        return host;
    }

    /** True while the owning scope is open. */
    public boolean isAlive() {
        return scope.isOpen();
    }

    public TensorScope scope() {
        return scope;
    }

    /** The whole underlying buffer (not just this view). Throws {@link IllegalStateException} once freed. */
    public MemorySegment buffer() {
        checkAlive();
        return buffer;
    }

    /** True when the view covers a dense block in its layout's order (no gaps). */
    public boolean isContiguous() {
        return Arrays.equals(strides, layout.denseStrides(shape));
    }

    /** Throws {@link IllegalStateException} if the owning scope is closed. */
    public void checkAlive() {
        if (!scope.isOpen()) {
            throw new IllegalStateException("tensor " + this + " was used after its scope was closed");
        }
    }

    /** Element index into {@link #buffer()} of the logical index {@code idx}. */
    public long index(int... idx) {
        if (idx.length != strides.length) {
            throw new IllegalArgumentException("index rank " + idx.length + " != tensor rank " + strides.length);
        }
        long i = offset;
        for (int a = 0; a < idx.length; a++) {
            if (idx[a] < 0 || idx[a] >= shape.dim(a)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " outside " + shape);
            }
            i += idx[a] * strides[a];
        }
        return i;
    }

    /** The element at logical index {@code idx}. Host tensors only. */
    public float get(int... idx) {
        return hostBuffer().getAtIndex(F32, index(idx));
    }

    /** Sets the element at logical index {@code idx}. Host tensors only. */
    public void set(float value, int... idx) {
        hostBuffer().setAtIndex(F32, index(idx), value);
    }

    /** Copies {@code data}, given in this tensor's storage order (its layout), into the tensor. */
    public void copyFrom(float[] data) {
        if (data.length != shape.elementCount()) {
            throw new IllegalArgumentException("array of " + data.length + " floats does not fit tensor "
                    + this + " (" + shape.elementCount() + " elements)");
        }
        MemorySegment seg = hostBuffer();
        if (isContiguous()) {
            MemorySegment.copy(data, 0, seg, F32, offset * 4, data.length);
            return;
        }
        int[] pos = new int[shape.rank()];
        int[] ord = layout.storageOrder(shape.rank());
        for (int k = 0; k < data.length; k++) {
            seg.setAtIndex(F32, elementAt(pos), data[k]);
            advance(pos, ord);
        }
    }

    /** The elements in this tensor's storage order (its layout). */
    public float[] toArray() {
        MemorySegment seg = hostBuffer();
        float[] out = new float[Math.toIntExact(shape.elementCount())];
        if (isContiguous()) {
            MemorySegment.copy(seg, F32, offset * 4, out, 0, out.length);
            return out;
        }
        int[] pos = new int[shape.rank()];
        int[] ord = layout.storageOrder(shape.rank());
        for (int k = 0; k < out.length; k++) {
            out[k] = seg.getAtIndex(F32, elementAt(pos));
            advance(pos, ord);
        }
        return out;
    }

    /** Sets every element of this view to {@code value}. Host tensors only. */
    public void fill(float value) {
        MemorySegment seg = hostBuffer();
        if (isContiguous()) {
            for (long i = 0, n = shape.elementCount(); i < n; i++) {
                seg.setAtIndex(F32, offset + i, value);
            }
            return;
        }
        int[] pos = new int[shape.rank()];
        int[] ord = layout.storageOrder(shape.rank());
        for (long k = 0, n = shape.elementCount(); k < n; k++) {
            seg.setAtIndex(F32, elementAt(pos), value);
            advance(pos, ord);
        }
    }

    /** A view of channels {@code [start, start + count)} of a 4-D tensor; writes go to this tensor's memory. */
    public Tensor channelSlice(int start, int count) {
        return slice(1, start, count);
    }

    /** A view of batch items {@code [start, start + count)}. */
    public Tensor batchSlice(int start, int count) {
        return slice(0, start, count);
    }

    /** A view of {@code [start, start + count)} along logical axis {@code axis}. */
    public Tensor slice(int axis, int start, int count) {
        if (start < 0 || count <= 0 || start + count > shape.dim(axis)) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + (start + count) + ") of axis " + axis
                    + " outside " + shape);
        }
        return new Tensor(shape.with(axis, count), layout, dtype, strides, offset + start * strides[axis], buffer,
                scope, host);
    }

    /**
     * A view with logical axis {@code axis} split in two, {@code [.., outer, dim / outer, ..]}: element
     * {@code (.., i, j, ..)} of the view is element {@code (.., i·(dim / outer) + j, ..)} of this tensor, whatever
     * its strides (ShuffleNet's channel groups of a channels-last tensor). Writes go to this tensor's memory.
     */
    public Tensor splitAxis(int axis, int outer) {
        int rank = shape.rank();
        if (axis < 0 || axis >= rank) {
            throw new IllegalArgumentException("splitAxis: axis " + axis + " outside [0, " + rank + ") of " + shape);
        }
        int dim = shape.dim(axis);
        if (outer < 1 || dim % outer != 0) {
            throw new IllegalArgumentException("splitAxis: axis " + axis + " of " + shape + " (" + dim
                    + ") does not split into " + outer + " equal parts");
        }
        int inner = dim / outer;
        int[] dims = new int[rank + 1];
        long[] st = new long[rank + 1];
        for (int i = 0, j = 0; i < rank; i++, j++) {
            if (i == axis) {
                dims[j] = outer;
                st[j] = strides[i] * inner;
                j++;
                dims[j] = inner;
                st[j] = strides[i];
            } else {
                dims[j] = shape.dim(i);
                st[j] = strides[i];
            }
        }
        return new Tensor(Shape.of(dims), layout, dtype, st, offset, buffer, scope, host);
    }

    /**
     * A 2-D {@code [N, perItem]} view of a contiguous tensor: each item's elements in storage order
     * (so an NHWC tensor flattens in (h, w, c) order as Keras does, an NCHW one in (c, h, w) order).
     */
    public Tensor flatten() {
        if (!isContiguous()) {
            throw new IllegalStateException("flatten needs a contiguous tensor, got a strided view " + this);
        }
        Shape flat = Shape.of(shape.n(), Math.toIntExact(shape.perItem()));
        return new Tensor(flat, layout, dtype, layout.denseStrides(flat), offset, buffer, scope, host);
    }

    /** The same memory seen with another shape of the same size (contiguous tensors only). */
    public Tensor reshape(Shape newShape, Layout newLayout) {
        if (!isContiguous() || newShape.elementCount() != shape.elementCount()) {
            throw new IllegalArgumentException("cannot reshape " + this + " to " + newShape);
        }
        return new Tensor(newShape, newLayout, dtype, newLayout.denseStrides(newShape), offset, buffer, scope, host);
    }

    private MemorySegment hostBuffer() {
        checkAlive();
        if (!host) {
            throw new IllegalStateException("tensor " + this + " lives in device memory: copy it to a host tensor"
                    + " through its backend first");
        }
        return buffer;
    }

    private long elementAt(int[] pos) {
        return Positions.index(offset, strides, pos);
    }

    private void advance(int[] pos, int[] ord) {
        Positions.next(pos, shape.dims(), ord);
    }

    /** {@code Tensor[F32 NHWC (1, 28, 28, 3), host]} — never the data. */
    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + layout + " " + layout.format(shape, null) + (host ? ", host" : ", device")
                + (isContiguous() ? "" : ", strided view") + (scope.isOpen() ? "" : ", closed") + "]";
    }
}
