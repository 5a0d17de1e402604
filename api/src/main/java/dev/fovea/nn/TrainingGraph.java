package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.BinaryOp;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * A graph of steps prepared for training (the training rewrite rules of {@link Fusions} applied): the forward
 * pass keeps every value, which is what the nodes' backward passes read (their inputs and output), and the
 * backward pass walks the steps in reverse, handing each node the gradient of its output and summing the
 * gradients of values that several steps read. A model is one such graph with one output; each branch of a
 * {@link Concat} is another (a chain).
 */
final class TrainingGraph {
    private final List<Model.Step> steps;
    private final int inputCount;
    private final int output;
    /** Values are numbered as in the model; the values of steps a rule merged stay unused. */
    private final int valueCount;
    /** Layers whose weights stay as they are (transfer learning). */
    private final java.util.Set<Node> frozen;

    TrainingGraph(List<Model.Step> steps, int inputCount, int output) {
        this(steps, inputCount, output, java.util.Set.of());
    }

    TrainingGraph(List<Model.Step> steps, int inputCount, int output, java.util.Set<Node> frozen) {
        this.steps = Fusions.apply(steps, new int[] {output}, Fusions.TRAINING);
        this.inputCount = inputCount;
        this.output = output;
        this.frozen = frozen;
        int max = Math.max(inputCount - 1, output);
        for (Model.Step s : steps) {
            max = Math.max(max, s.output());
        }
        this.valueCount = max + 1;
    }

    /**
     * Per value: whether its gradient is needed — an input whose gradient the caller wants, or a layer with learned
     * weights, lies upstream of it. Backward stops where none does (below a frozen base only the head is
     * differentiated).
     */
    private boolean[] needsGradient(boolean[] needInput) {
        boolean[] need = new boolean[valueCount];
        System.arraycopy(needInput, 0, need, 0, inputCount);
        for (Model.Step s : steps) {
            boolean n = learns(s.node());
            for (int i : s.inputs()) {
                n |= need[i];
            }
            need[s.output()] = n;
        }
        return need;
    }

    /** Whether {@code node} (or a layer of its branches) has weights the optimizer learns. */
    private boolean learns(Node node) {
        if (!frozen.contains(node.weightsOwner())) {
            for (Param p : node.weightsOwner().params()) {
                if (p.trainable()) {
                    return true;
                }
            }
        }
        for (List<Node> branch : node.branches()) {
            for (Node n : branch) {
                if (learns(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A chain of nodes reading one input: node k reads value k and writes value k + 1. */
    static TrainingGraph chain(List<Node> nodes) {
        List<Model.Step> steps = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            steps.add(new Model.Step(nodes.get(k), new int[] {k}, k + 1));
        }
        return new TrainingGraph(steps, 1, nodes.size());
    }

    /** The graph's output value. */
    int output() {
        return output;
    }

    /**
     * Runs the steps on {@code xs} and returns every value (the output at {@link #output()}); the output is written
     * into {@code dst} when it is given (a concat's channel slice).
     */
    Tensor[] forward(Run run, List<Tensor> xs, Tensor dst) {
        Tensor[] values = new Tensor[valueCount];
        for (int i = 0; i < inputCount; i++) {
            values[i] = xs.get(i);
        }
        for (Model.Step step : steps) {
            values[step.output()] = step.node().forward(run, args(step, values), step.output() == output ? dst : null);
        }
        return values;
    }

    /**
     * Back-propagates {@code dOutput} through the values of one {@link #forward}: writes every parameter's gradient
     * (through {@link Run#gradients(Node)}) and returns the gradients of the inputs, null where
     * {@code needInput[i]} is false.
     */
    Tensor[] backward(Run run, Tensor[] values, Tensor dOutput, boolean[] needInput) {
        Tensor[] grads = new Tensor[valueCount];
        grads[output] = dOutput;
        boolean[] needsGradient = needsGradient(needInput);
        for (int k = steps.size() - 1; k >= 0; k--) {
            Model.Step step = steps.get(k);
            Node node = step.node();
            Tensor dy = grads[step.output()];
            if (dy == null) {
                // The output does not depend on this step: its weights get a zero gradient, not the last pass's.
                zeroGradients(run, node);
                continue;
            }
            int[] in = step.inputs();
            boolean[] needDx = new boolean[in.length];
            boolean any = learns(node);
            for (int j = 0; j < in.length; j++) {
                needDx[j] = needsGradient[in[j]];
                any |= needDx[j];
            }
            if (!any) {
                continue;
            }
            List<Tensor> dxs = node.backward(run, args(step, values), values[step.output()], dy, run.gradients(node),
                    needDx);
            for (int j = 0; j < in.length; j++) {
                if (needDx[j]) {
                    grads[in[j]] = accumulate(run, grads[in[j]], dxs.get(j));
                }
            }
        }
        Tensor[] out = new Tensor[inputCount];
        System.arraycopy(grads, 0, out, 0, inputCount);
        return out;
    }

    private static List<Tensor> args(Model.Step step, Tensor[] values) {
        List<Tensor> xs = new ArrayList<>(step.inputs().length);
        for (int i : step.inputs()) {
            xs.add(values[i]);
        }
        return xs;
    }

    /**
     * The gradient of a value read by several steps is the sum of what each reader sends back: {@code sum} so far
     * (null for none) plus {@code dx}, in a new tensor, since a backward may hand back a view of its own {@code dy}
     * that must not change.
     */
    static Tensor accumulate(Run run, Tensor sum, Tensor dx) {
        if (sum == null) {
            return dx;
        }
        Tensor a = inModelLayout(run, sum);
        Tensor b = inModelLayout(run, dx);
        BinaryDescriptor d = BinaryDescriptor.create("gradient sum", BinaryOp.ADD, a.shape(), a.shape(),
                run.layout(), Activation.NONE);
        Tensor y = run.allocate(a.shape().withBatch(1));
        run.engine().binaryForward(d, a, b, y);
        return y;
    }

    /** {@code t}, or a copy of it in the model's layout when it is 4-D in another (the element-wise op's layout). */
    private static Tensor inModelLayout(Run run, Tensor t) {
        if (t.shape().rank() != 4 || t.layout() == run.layout()) {
            return t;
        }
        Tensor c = run.allocate(t.shape().withBatch(1));
        run.engine().copy(t, c);
        return c;
    }

    /** Sets {@code t} (engine memory) to zero: a copy from zeroed host memory, since there is no fill op. */
    static void zero(Run run, Tensor t) {
        try (TensorScope s = new TensorScope()) {
            Tensor z = s.allocate(t.shape(), t.layout() == null ? Layout.NCHW : t.layout());
            z.fill(0);
            run.engine().copy(z, t);
        }
    }

    private static void zeroGradients(Run run, Node node) {
        for (Tensor g : run.gradients(node)) {
            zero(run, g);
        }
        for (List<Node> branch : node.branches()) {
            for (Node n : branch) {
                zeroGradients(run, n);
            }
        }
    }
}
