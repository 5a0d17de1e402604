package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A layer built into a model: its name, inferred shapes (batch 1; runs substitute the real batch), parameters
 * and how it runs. Internal: users see {@link Model} and {@link LayerInfo}.
 */
abstract class Node {
    final String name;
    final Layer layer;
    /** The first input's shape (the only one of most layers). */
    final Shape input;
    final List<Shape> inputs;
    final Shape output;

    Node(String name, Layer layer, Shape input, Shape output) {
        this(name, layer, List.of(input), output);
    }

    Node(String name, Layer layer, List<Shape> inputs, Shape output) {
        this.name = name;
        this.layer = layer;
        this.input = inputs.getFirst();
        this.inputs = List.copyOf(inputs);
        this.output = output;
    }

    /** The node whose weights this node runs with: itself, or the original of a node a rewrite rule made. */
    Node weightsOwner() {
        return this;
    }

    /** Learnable tensors, in file order. */
    List<Param> params() {
        return List.of();
    }

    /** Branches of a concat node; empty for plain layers. */
    List<List<Node>> branches() {
        return List.of();
    }

    /** Window size and stride along height for the receptive-field column; (1, 1) for element-wise layers. */
    int[] window() {
        return new int[] {1, 1};
    }

    /** Whether every output depends on the whole input (flatten, dense, global pooling). */
    boolean isGlobal() {
        return false;
    }

    /**
     * Whether {@link #forward} takes inputs that are strided views (a channel slice of a wider buffer) at inference:
     * true where the layer hands its inputs to backend ops, which address activations through their strides (a
     * {@link StridedNode}). Layers that see their input's memory as one block (flatten, reshape) or pass it on as
     * their output (dropout) say no.
     */
    boolean readsStridedViews() {
        return false;
    }

    /**
     * Runs the layer on {@code x} (batch {@code run.batch()}) and returns the output: {@code dst} when it is
     * given (e.g. a channel slice of a concat output), otherwise a tensor it allocates from the run.
     */
    Tensor forward(Run run, Tensor x, Tensor dst) {
        throw new IllegalStateException(layer.type() + " '" + name + "' takes " + inputs.size() + " inputs");
    }

    /** Runs the layer on all its inputs; one-input layers implement {@link #forward(Run, Tensor, Tensor)}. */
    Tensor forward(Run run, List<Tensor> xs, Tensor dst) {
        return forward(run, xs.getFirst(), dst);
    }

    /**
     * The backward pass of a training run: from the forward's input {@code x}, output {@code y} and the loss
     * gradient {@code dy}, writes the parameters' gradients into {@code grads} (in {@link #params()} order) and
     * returns {@code dx}, or null when {@code needDx} is false (the first layer). Layers without one throw.
     */
    Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
        throw new UnsupportedOperationException(layer.type() + " '" + name + "' has no backward pass: it cannot be"
                + " trained yet");
    }

    /**
     * The backward pass of a node with several inputs: returns one gradient per input, null where
     * {@code needDx[i]} is false. One-input layers implement {@link #backward(Run, Tensor, Tensor, Tensor, List,
     * boolean)}, which this delegates to.
     */
    List<Tensor> backward(Run run, List<Tensor> xs, Tensor y, Tensor dy, List<Tensor> grads, boolean[] needDx) {
        if (xs.size() != 1) {
            throw new UnsupportedOperationException(layer.type() + " '" + name + "' has no backward pass: it cannot"
                    + " be trained yet");
        }
        // Arrays.asList, not List.of: the gradient is null when it is not needed.
        return Arrays.asList(backward(run, xs.getFirst(), y, dy, grads, needDx[0]));
    }

    /**
     * This node without its final softmax, for a loss that fuses the softmax with the cross-entropy (it takes the
     * logits, and its gradient is that of the logits); null when the node does not end in a softmax.
     */
    Node withoutSoftmax() {
        return null;
    }
}
