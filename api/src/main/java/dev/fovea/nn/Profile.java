package dev.fovea.nn;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.tensor.Shape;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a compiled model spends its time: each step of the graph {@code predict} runs (after the rewrite rules, so
 * a convolution with its folded batch normalization and fused activation is one row), timed over many passes.
 *
 * <pre>{@code
 * Profile p = Profile.measure(net, pixels, 1, 50);
 * p.print(out);   // one line per layer: median ms, share, op, output shape, GFLOP/s
 * }</pre>
 *
 * <p>A step's time is the wall time of its {@code forward} call, taken on the calling thread, so it includes the
 * hand-off to the backend's workers and any per-call work outside the kernel. On a backend whose ops run
 * asynchronously on a device, a step's time is the time to issue it, not to run it. {@link #passMs()} is the median
 * time of a whole pass; what it has beyond the sum of the steps' medians is the per-call work around them (the
 * input copied in, the output copied out) and the passes' variation.
 *
 * @param model  the model's name
 * @param batch  images per pass
 * @param passes passes timed (after one untimed pass that makes the plans)
 * @param layers one row per compiled step, in the order they run
 * @param passMs the median wall time of a whole pass, in ms
 * @param passMeanMs the mean wall time of a whole pass, in ms
 */
public record Profile(String model, int batch, int passes, List<Layer> layers, double passMs, double passMeanMs) {
    public Profile {
        layers = List.copyOf(layers);
    }

    /**
     * One compiled step.
     *
     * @param name     the layer's name (a fused step is named by its last layer, as the graph's value it writes)
     * @param kind     what it computes, in a few words, e.g. {@code conv 3×3 s2 depthwise relu6}; steps of one kind
     *                 are summed by {@link #byKind()}
     * @param detail   channels and the fused parts, e.g. {@code 32→32 +bias}
     * @param output   its output shape, batch included
     * @param flops    floating-point operations (multiply-adds count two) of convolutions and dense layers, else 0
     * @param medianMs the median of its times over the passes
     * @param meanMs   their mean: above the median when some passes were interrupted (a busy host)
     * @param cpuMs    the median CPU time of the calling thread: with one worker thread all of the layer's work,
     *                 and unlike the wall time not inflated when other processes share the cores
     */
    public record Layer(String name, String kind, String detail, Shape output, long flops, double medianMs,
                        double meanMs, double cpuMs) {
        /** GFLOP/s at the median time, NaN for a layer without a FLOP count. */
        public double gflops() {
            return flops == 0 ? Double.NaN : flops / (medianMs * 1e6);
        }
    }

    /** The time of all steps of one kind: how many, their total median ms, FLOPs and calling-thread CPU ms. */
    public record Kind(String kind, int count, double ms, long flops, double cpuMs) {
        public double gflops() {
            return flops == 0 ? Double.NaN : flops / (ms * 1e6);
        }
    }

    /**
     * Runs {@code net} on {@code x} ({@code batch} items in the model's layout order, as {@link Inference#predict}
     * takes them) once to make its plans, then {@code passes} times, timing each step of every pass.
     */
    public static Profile measure(Inference net, float[] x, int batch, int passes) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(x, "x");
        if (passes < 1) {
            throw new IllegalArgumentException("passes " + passes + " must be at least 1");
        }
        List<Model.Step> steps = net.compiledSteps();
        int n = steps.size();
        net.timedPass(x, batch, new long[2 * n]);
        double[][] ms = new double[n][passes];
        double[][] cpu = new double[n][passes];
        double[] pass = new double[passes];
        long[] nanos = new long[2 * n];
        for (int r = 0; r < passes; r++) {
            Arrays.fill(nanos, 0);
            long t0 = System.nanoTime();
            net.timedPass(x, batch, nanos);
            pass[r] = (System.nanoTime() - t0) / 1e6;
            for (int i = 0; i < n; i++) {
                ms[i][r] = nanos[2 * i] / 1e6;
                cpu[i][r] = nanos[2 * i + 1] / 1e6;
            }
        }
        List<Layer> layers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Node node = steps.get(i).node();
            // A concatenation whose inputs were written into its output copies nothing: its row says so.
            String kind = net.placement().copiesNothing(steps.get(i).output()) ? kind(node) + " in place" : kind(node);
            layers.add(new Layer(node.name, kind, detail(node), node.output.withBatch(batch),
                    flops(node, batch), median(ms[i]), Arrays.stream(ms[i]).average().orElseThrow(),
                    median(cpu[i])));
        }
        return new Profile(net.model().name(), batch, passes, layers, median(pass),
                Arrays.stream(pass).average().orElseThrow());
    }

    /** The sum of the steps' median times, in ms. */
    public double stepsMs() {
        return layers.stream().mapToDouble(Layer::medianMs).sum();
    }

    /** The steps summed by {@link Layer#kind()}, the most time first. */
    public List<Kind> byKind() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Layer l : layers) {
            double[] s = sums.computeIfAbsent(l.kind(), k -> new double[4]);
            s[0]++;
            s[1] += l.medianMs();
            s[2] += l.flops();
            s[3] += l.cpuMs();
        }
        List<Kind> kinds = new ArrayList<>();
        sums.forEach((k, s) -> kinds.add(new Kind(k, (int) s[0], s[1], (long) s[2], s[3])));
        kinds.sort(Comparator.comparingDouble(Kind::ms).reversed());
        return kinds;
    }

    /** The {@code count} slowest steps, slowest first. */
    public List<Layer> slowest(int count) {
        return layers.stream().sorted(Comparator.comparingDouble(Layer::medianMs).reversed()).limit(count).toList();
    }

    /** The table for a reader: every step in order, then the kinds by time, then the ten slowest steps. */
    public void print(PrintWriter out) {
        double total = stepsMs();
        out.printf(Locale.ROOT, "profile of '%s', batch %d, %d passes: pass median %.3f ms (mean %.3f), steps' "
                + "medians sum to %.3f ms (means %.3f; calling thread's CPU %.3f)%n", model, batch, passes, passMs,
                passMeanMs, total, layers.stream().mapToDouble(Layer::meanMs).sum(),
                layers.stream().mapToDouble(Layer::cpuMs).sum());
        out.printf(Locale.ROOT, "%4s  %-28s %-36s %-22s %-18s %9s %6s %8s %9s%n", "#", "layer", "kind", "detail",
                "output", "ms", "share", "GFLOP/s", "cpu ms");
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            out.printf(Locale.ROOT, "%4d  %-28s %-36s %-22s %-18s %9.3f %5.1f%% %8s %9.3f%n", i + 1,
                    clip(l.name(), 28), l.kind(), clip(l.detail(), 22),
                    Arrays.toString(l.output().dims()).replace(" ", ""), l.medianMs(), 100 * l.medianMs() / total,
                    gf(l.gflops()), l.cpuMs());
        }
        out.println();
        out.printf(Locale.ROOT, "%-36s %5s %9s %6s %8s %9s%n", "by kind", "count", "ms", "share", "GFLOP/s",
                "cpu ms");
        for (Kind k : byKind()) {
            out.printf(Locale.ROOT, "%-36s %5d %9.3f %5.1f%% %8s %9.3f%n", k.kind(), k.count(), k.ms(),
                    100 * k.ms() / total, gf(k.gflops()), k.cpuMs());
        }
        out.println();
        out.println("slowest steps:");
        for (Layer l : slowest(10)) {
            out.printf(Locale.ROOT, "  %-28s %-36s %-18s %9.3f ms %5.1f%% %8s GFLOP/s%n", clip(l.name(), 28),
                    l.kind(), Arrays.toString(l.output().dims()).replace(" ", ""), l.medianMs(),
                    100 * l.medianMs() / total, gf(l.gflops()));
        }
        out.flush();
    }

    private static String gf(double g) {
        return Double.isNaN(g) ? "" : String.format(Locale.ROOT, "%.1f", g);
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    /** Short kinds: convolutions by window, stride and grouping, the fused pooling or activation included. */
    static String kind(Node node) {
        return switch (node) {
            case Conv2D.ConvNode c -> conv(c.descriptor);
            case Fusions.FoldedConv f -> conv(f.descriptor);
            case Fusions.ConvPool cp -> kind(cp.conv) + " + " + pool(cp.pool.descriptor);
            case Dense.DenseNode d -> "dense" + act(d.descriptor.activation());
            case Pooling2D.PoolNode p -> pool(p.descriptor);
            case BinaryNode b -> b.descriptor.op().name().toLowerCase(Locale.ROOT)
                    + (Arrays.equals(b.descriptor.a().dims(), b.descriptor.b().dims()) ? "" : " broadcast")
                    + act(b.descriptor.activation());
            case BatchNormalization.BatchNormNode b -> "batch norm" + act(b.descriptor.activation());
            case ActivationLayer.ActivationNode a -> a.activation().name().toLowerCase(Locale.ROOT);
            default -> node.layer.type().toLowerCase(Locale.ROOT);
        };
    }

    private static String conv(ConvolutionDescriptor d) {
        int cg = d.input().c() / d.groups();
        String grouping = d.groups() == 1 ? "" : cg == 1 && d.filters() == d.groups() ? " depthwise"
                : " groups";
        return "conv " + d.kernelH() + "×" + d.kernelW() + " s" + d.strideH()
                + (d.dilationH() > 1 ? " d" + d.dilationH() : "") + grouping + act(d.activation());
    }

    private static String pool(PoolingDescriptor d) {
        String mode = d.mode() == PoolingMode.MAX ? "max pool" : "avg pool";
        boolean global = d.output().h() == 1 && d.output().w() == 1 && d.kernelH() == d.input().h()
                && d.kernelW() == d.input().w();
        return global ? "global " + mode : mode + " " + d.kernelH() + "×" + d.kernelW() + " s" + d.strideH();
    }

    private static String act(Activation a) {
        return a == Activation.NONE ? "" : " " + a.name().toLowerCase(Locale.ROOT);
    }

    private static String detail(Node node) {
        return switch (node) {
            case Conv2D.ConvNode c -> channels(c.descriptor) + (c.descriptor.bias() ? " +bias" : "");
            case Fusions.FoldedConv f -> channels(f.descriptor) + " +bn";
            case Fusions.ConvPool cp -> detail(cp.conv);
            case Dense.DenseNode d -> d.descriptor.input().c() + "→" + d.descriptor.units();
            default -> node.branches().isEmpty() ? "" : node.branches().size() + " branches";
        };
    }

    private static String channels(ConvolutionDescriptor d) {
        return d.input().c() + "→" + d.filters() + (d.groups() > 1 ? " g" + d.groups() : "");
    }

    /** Convolutions' and dense layers' FLOPs at {@code batch}, a concat's summed over its branches; else 0. */
    static long flops(Node node, int batch) {
        return switch (node) {
            case Conv2D.ConvNode c -> c.descriptor.withBatch(batch).flops();
            case Fusions.FoldedConv f -> f.descriptor.withBatch(batch).flops();
            case Fusions.ConvPool cp -> flops(cp.conv, batch);
            case Dense.DenseNode d -> d.descriptor.withBatch(batch).flops();
            default -> node.branches().stream().flatMap(List::stream).mapToLong(b -> flops(b, batch)).sum();
        };
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
