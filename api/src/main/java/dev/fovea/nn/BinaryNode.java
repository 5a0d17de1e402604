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
final class BinaryNode extends StridedNode {
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
     * ADD sends the output's gradient to both inputs; MUL sends it times the other input. A broadcast operand (or
     * SUB, DIV) gets the backend's {@code binaryBackward}, which sums the gradient over the axes it is repeated along.
     */
    @Override
    List<Tensor> backward(Run run, List<Tensor> xs, Tensor y, Tensor dy, List<Tensor> grads, boolean[] needDx) {
        BinaryDescriptor d = descriptor.withBatch(run.batch());
        Tensor dz = dy;
        if (d.activation() != Activation.NONE) {
            if (!d.activation().hasOutputGradient()) {
                throw new UnsupportedOperationException(layer.type() + " '" + name + "': training through its fused "
                        + d.activation() + " is not supported (its gradient needs the activation's input)");
            }
            dz = run.allocate(output);
            run.engine().activationBackward(d.activation(), y, dy, dz);
        }
        Tensor[] dxs = new Tensor[2];
        if (!d.sameShapes() || (d.op() != BinaryOp.ADD && d.op() != BinaryOp.MUL)) {
            // Operands come in the model's layout, or are 2-D; their gradients are allocated alike.
            for (int i = 0; i < 2; i++) {
                if (needDx[i]) {
                    dxs[i] = run.allocateIn(i == 0 ? d.a() : d.b(), d.layout());
                }
            }
            run.engine().binaryBackward(d, xs.get(0), xs.get(1), dz, dxs[0], dxs[1]);
            return Arrays.asList(dxs);
        }
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
