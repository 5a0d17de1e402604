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
    /** Suffixes naming each branch layer after the concat ({@code inception_3a_3x3}); null for automatic names. */
    private final List<List<String>> roles;

    private Concat(String name, List<List<Layer>> branches, String type, String prefix, List<List<String>> roles) {
        super(name);
        this.branches = branches.stream().map(List::copyOf).toList();
        this.type = type;
        this.prefix = prefix;
        this.roles = roles;
    }

    @SafeVarargs
    public static Concat of(List<Layer>... branches) {
        return new Concat(null, List.of(branches), "Concatenate", "concatenate", null);
    }

    public static Concat of(List<List<Layer>> branches) {
        return new Concat(null, branches, "Concatenate", "concatenate", null);
    }

    /**
     * A concat shown in summaries as {@code type} with automatic names starting {@code prefix}; when the concat is
     * named, its unnamed branch layers are named {@code <concat name>_<role>}.
     */
    static Concat typed(List<List<Layer>> branches, String type, String prefix, List<List<String>> roles) {
        return new Concat(null, branches, type, prefix, roles);
    }

    public Concat name(String name) {
        return new Concat(name, branches, type, prefix, roles);
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
            for (int i = 0; i < branch.size(); i++) {
                Layer l = branch.get(i);
                String preferred = name() != null && roles != null ? nodeName + "_" + roles.get(b).get(i) : null;
                Node n = l.build(namer.name(l, preferred), s, layout, namer);
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
        /** The branches as training graphs (the training rewrite rules applied), made on first training pass. */
        private List<TrainingGraph> trainingBranches;

        ConcatNode(String name, Layer layer, Shape input, Shape output, List<List<Node>> branches) {
            super(name, layer, input, output);
            this.branches = List.copyOf(branches);
        }

        private synchronized List<TrainingGraph> trainingBranches() {
            if (trainingBranches == null) {
                trainingBranches = branches.stream().map(TrainingGraph::chain).toList();
            }
            return trainingBranches;
        }

        @Override
        List<List<Node>> branches() {
            return branches;
        }

        @Override
        Tensor forward(Run run, Tensor x, Tensor dst) {
            Tensor y = dst != null ? dst : run.allocate(output);
            if (run.isTraining()) {
                return forwardTraining(run, x, y);
            }
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

        /** Runs each branch into its channel slice of {@code y}, keeping the branches' values for backward. */
        private Tensor forwardTraining(Run run, Tensor x, Tensor y) {
            List<TrainingGraph> graphs = trainingBranches();
            List<Tensor[]> values = new ArrayList<>();
            int offset = 0;
            for (int b = 0; b < graphs.size(); b++) {
                int channels = branches.get(b).getLast().output.c();
                values.add(graphs.get(b).forward(run, List.of(x), y.channelSlice(offset, channels)));
                offset += channels;
            }
            run.save(this, values);
            return y;
        }

        /**
         * Each branch back-propagates its channel slice of {@code dy}; the input, which every branch reads, gets
         * the sum of the branches' gradients (in branch order).
         */
        @Override
        Tensor backward(Run run, Tensor x, Tensor y, Tensor dy, List<Tensor> grads, boolean needDx) {
            @SuppressWarnings("unchecked")
            List<Tensor[]> values = (List<Tensor[]>) run.saved(this);
            if (values == null) {
                throw new IllegalStateException(layer.type() + " '" + name + "': backward needs a training forward");
            }
            List<TrainingGraph> graphs = trainingBranches();
            Tensor sum = null;
            int offset = 0;
            for (int b = 0; b < graphs.size(); b++) {
                int channels = branches.get(b).getLast().output.c();
                Tensor dx = graphs.get(b).backward(run, values.get(b), dy.channelSlice(offset, channels),
                        new boolean[] {needDx})[0];
                offset += channels;
                if (needDx) {
                    sum = TrainingGraph.accumulate(run, sum, dx);
                }
            }
            return sum;
        }
    }
}
