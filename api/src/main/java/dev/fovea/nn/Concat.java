package dev.fovea.nn;

import dev.fovea.op.Violations;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Parallel branches over one input, concatenated on channels: the branching part of a model (an Inception
 * module is one). Each branch's last layer writes straight into its channel slice of the output, so the
 * concatenation copies nothing.
 *
 * <pre>{@code
 * Concat.of(List.of(Conv2D.pointwise(64)),
 *           List.of(Conv2D.pointwise(96), Conv2D.of(128, 3).padding(Padding.SAME)))
 * }</pre>
 */
public final class Concat extends Layer {
    private final List<List<Layer>> branches;
    private final String type;
    private final String prefix;

    private Concat(String name, List<List<Layer>> branches, String type, String prefix) {
        super(name);
        this.branches = branches.stream().map(List::copyOf).toList();
        this.type = type;
        this.prefix = prefix;
    }

    @SafeVarargs
    public static Concat of(List<Layer>... branches) {
        return new Concat(null, List.of(branches), "Concatenate", "concatenate");
    }

    public static Concat of(List<List<Layer>> branches) {
        return new Concat(null, branches, "Concatenate", "concatenate");
    }

    /** A concat shown in summaries as {@code type} with automatic names starting {@code prefix}. */
    static Concat typed(List<List<Layer>> branches, String type, String prefix) {
        return new Concat(null, branches, type, prefix);
    }

    public Concat name(String name) {
        return new Concat(name, branches, type, prefix);
    }

    public List<List<Layer>> branches() {
        return branches;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    String autoNamePrefix() {
        return prefix;
    }

    @Override
    Node build(String nodeName, Shape input, Layout layout, Namer namer) {
        String subject = subject(type, nodeName);
        Violations v = new Violations(subject);
        v.check(!branches.isEmpty(), "branches", "needs at least one branch");
        v.check(input.rank() == 4, "input", "input must be 4-D [N, C, H, W], got " + input);
        v.throwIfAny("input " + input);
        List<List<Node>> built = new ArrayList<>();
        int channels = 0;
        Shape first = null;
        for (int b = 0; b < branches.size(); b++) {
            List<Layer> branch = branches.get(b);
            if (!v.check(!branch.isEmpty(), "branches", "branch " + b + " is empty")) {
                continue;
            }
            List<Node> nodes = new ArrayList<>();
            Shape s = input;
            for (Layer l : branch) {
                Node n = l.build(namer.name(l), s, layout, namer);
                nodes.add(n);
                s = n.output;
            }
            built.add(nodes);
            if (!v.check(s.rank() == 4, "branches", "branch " + b + " output " + s + " is not 4-D")) {
                continue;
            }
            if (first == null) {
                first = s;
            } else {
                v.check(s.h() == first.h() && s.w() == first.w(), "branches", "branch " + b + " output "
                        + s.h() + "×" + s.w() + " != branch 0 output " + first.h() + "×" + first.w());
            }
            channels += s.c();
        }
        v.throwIfAny("input " + input);
        Shape out = Shape.of(input.n(), channels, first.h(), first.w());
        return new ConcatNode(nodeName, this, input, out, built);
    }

    static final class ConcatNode extends Node {
        private final List<List<Node>> branches;

        ConcatNode(String name, Layer layer, Shape input, Shape output, List<List<Node>> branches) {
            super(name, layer, input, output);
            this.branches = List.copyOf(branches);
        }

        @Override
        List<List<Node>> branches() {
            return branches;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            int offset = 0;
            for (List<Node> branch : branches) {
                Tensor t = x;
                for (int i = 0; i < branch.size(); i++) {
                    Node n = branch.get(i);
                    Tensor slice = i == branch.size() - 1 ? y.channelSlice(offset, n.output.c()) : null;
                    t = n.forward(run, t, slice);
                }
                offset += branch.getLast().output.c();
            }
            return y;
        }
    }
}
