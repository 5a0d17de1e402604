package dev.fovea.op;

import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;

/**
 * An op whose shapes and attributes the API has validated: backends receive these and never re-check them.
 * Created only through each descriptor's {@code create} factory, which throws {@link ValidationException}.
 */
public sealed interface OpDescriptor permits ConvolutionDescriptor, PoolingDescriptor, DenseDescriptor,
        BinaryDescriptor, ScaleShiftDescriptor, ClampDescriptor, LrnDescriptor, PadDescriptor, TransposeDescriptor {
    /** The layer (or op) name used in messages. */
    String layer();

    /** Logical input shape, batch included. */
    Shape input();

    /** Logical output shape, batch included. */
    Shape output();

    /** Storage layout of 4-D input and output tensors. */
    Layout layout();
}
