package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the compiled graph's channel concatenations are built without copies: each input of a concatenation is
 * written by its producer straight into its channel slice of the concatenation's output, a view of a shared buffer.
 * Values joined so form a group with one buffer, each value at a fixed channel offset in it. DenseNet's
 * {@code Concat(x0..xi)} of a dense block all read the same features at the same offsets, so the whole block shares
 * one buffer: every feature is written once, and each concatenation is a view of the buffer's first channels.
 *
 * <p>Decided once per compiled graph, in step order. A concatenation first tries to place all its inputs (joining
 * their groups), then only the inputs not yet placed elsewhere; an input left out is copied into its slice as
 * before. A placement is kept only when it is consistent: no two values written into a buffer overlap (an input
 * placed at two offsets, or two concatenations claiming the same channels, fall back to a copy), every value seen
 * as a strided part of a buffer is read only by layers that take strided views, and no graph input or model output
 * is placed (the caller's tensors keep their contracts) — except a model output that is a concatenation read by no
 * layer: its group's buffer is then the output itself when the output spans the whole buffer
 * ({@link #outputOf}), so the branches write straight into the caller's output tensor. Every activation of a pass
 * lives until the pass ends, so lifetimes never conflict.
 */
final class ConcatPlacement {
    /** Value {@code v} is channels {@code [offset, offset + C)} of group {@code group}'s buffer. */
    record Slot(int group, int offset) {
    }

    /** The slot of each value, null for a value with a tensor of its own. */
    private final Slot[] slots;
    /** Each group's buffer at batch 1: {@code [1, channels, H, W]}. */
    private final Shape[] buffers;
    /** The concatenations (by output value) whose inputs are all in place: they copy nothing. */
    private final java.util.Set<Integer> inPlace;
    /** Per group, the model output that is the whole buffer (−1: none). */
    private final int[] outputOf;

    private ConcatPlacement(Slot[] slots, Shape[] buffers, java.util.Set<Integer> inPlace, int[] outputOf) {
        this.slots = slots;
        this.buffers = buffers;
        this.inPlace = inPlace;
        this.outputOf = outputOf;
    }

    /** Whether the concatenation writing value {@code v} finds every input in place, so copies nothing. */
    boolean copiesNothing(int v) {
        return inPlace.contains(v);
    }

    /** Where value {@code v} lives: null when it has a tensor of its own. */
    Slot slot(int v) {
        return slots[v];
    }

    int groups() {
        return buffers.length;
    }

    /** Group {@code g}'s buffer at batch 1. */
    Shape buffer(int g) {
        return buffers[g];
    }

    /**
     * The model output (a value) that spans group {@code g}'s whole buffer, or −1: the caller's tensor for that
     * output can serve as the buffer.
     */
    int outputOf(int g) {
        return outputOf[g];
    }

    /**
     * Plans the concatenations of {@code steps}.
     *
     * @param shapes  each value's shape at batch 1 (graph inputs first, then step outputs; null for values no
     *                compiled step writes)
     * @param inputs  how many values are graph inputs
     * @param outputs the values that are model outputs
     */
    static ConcatPlacement plan(List<Model.Step> steps, Shape[] shapes, int inputs, int[] outputs) {
        return new Planner(steps, shapes, inputs, outputs).run();
    }

    /** No value placed: every concatenation copies. */
    static ConcatPlacement none(int values) {
        return new ConcatPlacement(new Slot[values], new Shape[0], java.util.Set.of(), new int[0]);
    }

    private static final class Planner {
        private final List<Model.Step> steps;
        private final Shape[] shapes;
        /** Graph inputs and model outputs: values that are never placed. */
        private final boolean[] fixed;
        private final boolean[] output;
        private final List<List<Node>> readers = new ArrayList<>();
        /** Each value's group (−1: none) and its channel position in the group (any origin). */
        private final int[] groupOf;
        private final int[] pos;
        private final List<List<Integer>> members = new ArrayList<>();
        /** Planned concatenations by output value: the step and which of its inputs are placed. */
        private final Map<Integer, Model.Step> concats = new HashMap<>();
        private final Map<Integer, boolean[]> placed = new HashMap<>();

        Planner(List<Model.Step> steps, Shape[] shapes, int inputs, int[] outputs) {
            this.steps = steps;
            this.shapes = shapes;
            int values = shapes.length;
            fixed = new boolean[values];
            output = new boolean[values];
            for (int i = 0; i < inputs; i++) {
                fixed[i] = true;
            }
            for (int o : outputs) {
                fixed[o] = true;
                output[o] = true;
            }
            for (int v = 0; v < values; v++) {
                readers.add(new ArrayList<>());
            }
            for (Model.Step s : steps) {
                for (int in : s.inputs()) {
                    readers.get(in).add(s.node());
                }
            }
            groupOf = new int[values];
            java.util.Arrays.fill(groupOf, -1);
            pos = new int[values];
        }

        ConcatPlacement run() {
            for (Model.Step s : steps) {
                if (s.node() instanceof Concatenate.ConcatenateNode c && c.axis() == 1 && c.output.rank() == 4
                        && (!fixed[s.output()] || outputReadByNone(s.output()))) {
                    Candidate best = candidate(s, true);
                    if (best == null) {
                        best = candidate(s, false);
                    }
                    if (best != null) {
                        commit(s, best);
                    }
                }
            }
            return result();
        }

        /** A group proposed for a concatenation: its members' positions and which of the inputs are placed. */
        private record Candidate(Map<Integer, Integer> positions, boolean[] placed) {
        }

        /**
         * The group that places {@code s}'s inputs in its output: with {@code join}, inputs already in a group bring
         * their group along (shifted so that the input lands at its offset); without, only inputs in no group yet
         * are placed. Null when nothing is placed or the result is not consistent.
         */
        private Candidate candidate(Model.Step s, boolean join) {
            int y = s.output();
            Map<Integer, Integer> positions = new HashMap<>();
            positions.put(y, 0);
            int[] in = s.inputs();
            boolean[] flags = new boolean[in.length];
            boolean any = false;
            int offset = 0;
            for (int k = 0; k < in.length; k++) {
                int x = in[k];
                int channels = shapes[x].c();
                Integer at = positions.get(x);
                if (fixed[x] || !readersTakeViews(x)) {
                    // the caller's tensors, or read by a layer that needs dense memory: copied
                } else if (at != null) {
                    if (at == offset) {
                        flags[k] = any = true; // already there: a member of a group joined for another input
                    } else if (join) {
                        return null; // the same value wanted at two offsets
                    }
                } else if (groupOf[x] < 0) {
                    positions.put(x, offset);
                    flags[k] = any = true;
                } else if (join) {
                    int shift = offset - pos[x];
                    for (int m : members.get(groupOf[x])) {
                        positions.put(m, pos[m] + shift);
                    }
                    flags[k] = any = true;
                }
                offset += channels;
            }
            if (!any) {
                return null;
            }
            return consistent(positions, s, flags) ? new Candidate(positions, flags) : null;
        }

        /**
         * Whether a group is sound: the channels written into its buffer (each value's own, or a concatenation's
         * copied inputs) never overlap, and every value that is only part of the buffer is read by layers that take
         * strided views.
         */
        private boolean consistent(Map<Integer, Integer> positions, Model.Step concat, boolean[] newFlags) {
            int lo = Integer.MAX_VALUE;
            int hi = Integer.MIN_VALUE;
            for (var e : positions.entrySet()) {
                lo = Math.min(lo, e.getValue());
                hi = Math.max(hi, e.getValue() + shapes[e.getKey()].c());
            }
            List<int[]> written = new ArrayList<>();
            for (var e : positions.entrySet()) {
                int v = e.getKey();
                int at = e.getValue();
                int channels = shapes[v].c();
                boolean[] flags = v == concat.output() ? newFlags : placed.get(v);
                if (flags == null) {
                    written.add(new int[] {at, at + channels});
                } else {
                    int[] in = (v == concat.output() ? concat : concats.get(v)).inputs();
                    int offset = at;
                    for (int k = 0; k < in.length; k++) {
                        int c = shapes[in[k]].c();
                        if (!flags[k]) {
                            written.add(new int[] {offset, offset + c});
                        }
                        offset += c;
                    }
                }
                if ((at != lo || at + channels != hi) && !readersTakeViews(v)) {
                    return false;
                }
            }
            written.sort((a, b) -> Integer.compare(a[0], b[0]));
            for (int i = 1; i < written.size(); i++) {
                if (written.get(i)[0] < written.get(i - 1)[1]) {
                    return false;
                }
            }
            return true;
        }

        /** A model output (not a graph input) that no step reads: its concatenation may write into it in place. */
        private boolean outputReadByNone(int v) {
            return output[v] && readers.get(v).isEmpty();
        }

        private boolean readersTakeViews(int v) {
            for (Node n : readers.get(v)) {
                if (!n.readsStridedViews()) {
                    return false;
                }
            }
            return true;
        }

        private void commit(Model.Step s, Candidate c) {
            int g = members.size();
            List<Integer> group = new ArrayList<>();
            members.add(group);
            for (var e : c.positions().entrySet()) {
                int v = e.getKey();
                int old = groupOf[v];
                if (old >= 0 && old != g) {
                    members.get(old).clear(); // joined into the new group
                }
                groupOf[v] = g;
                pos[v] = e.getValue();
                group.add(v);
            }
            concats.put(s.output(), s);
            placed.put(s.output(), c.placed());
        }

        private ConcatPlacement result() {
            Slot[] slots = new Slot[shapes.length];
            List<Shape> buffers = new ArrayList<>();
            List<Integer> outputOf = new ArrayList<>();
            for (List<Integer> group : members) {
                if (group.isEmpty()) {
                    continue;
                }
                int lo = Integer.MAX_VALUE;
                int hi = Integer.MIN_VALUE;
                for (int v : group) {
                    lo = Math.min(lo, pos[v]);
                    hi = Math.max(hi, pos[v] + shapes[v].c());
                }
                int id = buffers.size();
                buffers.add(shapes[group.getFirst()].with(1, hi - lo));
                int whole = -1;
                for (int v : group) {
                    slots[v] = new Slot(id, pos[v] - lo);
                    if (output[v] && pos[v] == lo && shapes[v].c() == hi - lo) {
                        whole = v;
                    }
                }
                outputOf.add(whole);
            }
            java.util.Set<Integer> complete = new java.util.HashSet<>();
            placed.forEach((v, flags) -> {
                boolean all = true;
                for (boolean f : flags) {
                    all &= f;
                }
                if (all) {
                    complete.add(v);
                }
            });
            return new ConcatPlacement(slots, buffers.toArray(Shape[]::new), java.util.Set.copyOf(complete),
                    outputOf.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
