package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
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
}
