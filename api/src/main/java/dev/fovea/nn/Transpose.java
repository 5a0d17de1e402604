package dev.fovea.nn;

import dev.fovea.op.TransposeDescriptor;
import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;

/**
 * Permutes logical axes (ONNX's {@code Transpose}); the batch axis stays first: {@code Transpose.of(0, 2, 1, 3, 4)}
 * is ShuffleNet's channel shuffle between two reshapes.
 */
public final class Transpose extends Layer {
    private final int[] perm;

    private Transpose(String name, int[] perm) {
        super(name);
        this.perm = perm.clone();
    }

    /** Output axis i is input axis {@code perm[i]}; {@code perm[0]} must be 0. */
    public static Transpose of(int... perm) {
        return new Transpose(null, perm);
    }

    public Transpose name(String name) {
        return new Transpose(name, perm);
    }

    public int[] perm() {
        return perm.clone();
    }

    @Override
    public String type() {
        return "Transpose";
    }

    @Override
    String autoNamePrefix() {
        return "transpose";
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        String subject = subject(type(), nodeName);
        Violations v = new Violations(subject);
        v.check(perm.length > 0 && perm[0] == 0, "perm", "perm " + Arrays.toString(perm)
                + " must keep the batch axis first (perm[0] = 0)");
        v.throwIfAny("input " + input);
        TransposeDescriptor d = TransposeDescriptor.create(subject, input, layout, perm);
        return new Node(nodeName, this, input, d.output()) {
            @Override
            Tensor forward(Run run, Tensor x, Tensor dst) {
                Tensor y = dst != null ? dst : run.allocate(output);
                run.engine().transposeForward(d.withBatch(run.batch()), x, y);
                return y;
            }

            /** The gradient goes back through the inverse permutation. */
            @Override
            Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, java.util.List<Tensor> grads, boolean needDx) {
                if (!needDx) {
                    return null;
                }
                int[] inverse = new int[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    inverse[perm[i]] = i;
                }
                Tensor dx = run.allocate(input);
                run.engine().transposeForward(TransposeDescriptor.create(d.layer() + " backward",
                        d.output().withBatch(run.batch()), d.layout(), inverse), dy, dx);
                return dx;
            }
        };
    }
}
