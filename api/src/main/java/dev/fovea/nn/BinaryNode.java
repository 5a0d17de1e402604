package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** The node of {@link Add} and {@link Multiply}: two inputs, broadcasting, a fused activation. */
final class BinaryNode extends Node {
    final BinaryDescriptor descriptor;

    BinaryNode(String name, Layer layer, BinaryDescriptor d) {
        super(name, layer, List.of(d.a(), d.b()), d.output());
        this.descriptor = d;
    }

    static BinaryNode build(Layer layer, String nodeName, BinaryOp op, Activation activation, List<Shape> inputs,
                            Layout layout) {
        String subject = Layer.subject(layer.type(), nodeName);
        if (inputs.size() != 2) {
            throw new dev.fovea.op.ValidationException(subject, List.of(new dev.fovea.op.ValidationException.Violation(
                    "inputs", layer.type() + " takes two inputs, got " + inputs.size() + ": " + inputs)), "");
        }
        return new BinaryNode(nodeName, layer, BinaryDescriptor.create(subject, op, inputs.get(0), inputs.get(1),
                layout, activation));
    }

    /** This node with {@code act} fused (the node a rewrite rule makes). */
    BinaryNode withActivation(Activation act) {
        return new BinaryNode(name, layer, descriptor.withActivation(act));
    }

    @Override
    Tensor forward(Run run, List<Tensor> xs, Tensor dst) {
        Tensor y = dst != null ? dst : run.allocate(output);
        run.engine().binaryForward(descriptor.withBatch(run.batch()), xs.get(0), xs.get(1), y);
        return y;
    }

    /**
     * ADD sends the output's gradient to both inputs; MUL sends it times the other input. Broadcast operands would
     * need the gradient summed over their size-1 axes, which is not implemented yet (nor MUL's broadcasting).
     */
    @Override
    List<Tensor> backward(Run run, List<Tensor> xs, Tensor y, Tensor dy, List<Tensor> grads, boolean[] needDx) {
        if (!descriptor.sameShapes()) {
            throw new UnsupportedOperationException(layer.type() + " '" + name + "' broadcasts " + descriptor.a()
                    + " and " + descriptor.b() + ": its backward pass handles inputs of the output's shape only, so it"
                    + " cannot be trained yet");
        }
        BinaryDescriptor d = descriptor.withBatch(run.batch());
        Tensor dz = dy;
        if (d.activation() != Activation.NONE) {
            dz = run.allocate(output);
            run.engine().activationBackward(d.activation(), y, dy, dz);
        }
        Tensor[] dxs = new Tensor[2];
        switch (d.op()) {
            case ADD -> {
                // d(a + b)/da = d(a + b)/db = 1: both inputs get dz itself (nothing writes into it afterwards).
                dxs[0] = needDx[0] ? dz : null;
                dxs[1] = needDx[1] ? dz : null;
            }
            case MUL -> {
                BinaryDescriptor times = BinaryDescriptor.create(d.layer(), BinaryOp.MUL, d.output(), d.output(),
                        d.layout(), Activation.NONE);
                for (int i = 0; i < 2; i++) {
                    if (needDx[i]) {
                        dxs[i] = run.allocate(inputs.get(i));
                        run.engine().binaryForward(times, dz, xs.get(1 - i), dxs[i]);
                    }
                }
            }
            default -> throw new UnsupportedOperationException(layer.type() + " '" + name + "' (" + d.op()
                    + ") has no backward pass: it cannot be trained yet");
        }
        return Arrays.asList(dxs);
    }
}
