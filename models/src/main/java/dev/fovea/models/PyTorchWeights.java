package dev.fovea.models;

import dev.fovea.models.SafeTensors.Header;
import dev.fovea.models.SafeTensors.TensorInfo;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GraphLayer;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PyTorch {@code state_dict} into a Fovea model: which module feeds which layer, and each tensor's name and
 * layout (the rules are in {@link SafeTensors#loadPyTorch(Model, Path, Map)}'s Javadoc). Everything is checked
 * and read before the first weight is written.
 */
final class PyTorchWeights {
    /** PyTorch's parameter names by Fovea's, per layer type. */
    private static final Map<String, String> CONV = Map.of("kernel", "weight", "bias", "bias");
    private static final Map<String, String> BATCH_NORM = Map.of("gamma", "weight", "beta", "bias",
            "moving_mean", "running_mean", "moving_variance", "running_var");
    /** Bookkeeping PyTorch saves that no inference needs. */
    private static final Set<String> IGNORED = Set.of("num_batches_tracked");
    private static final System.Logger LOG = System.getLogger("dev.fovea.models");

    private PyTorchWeights() {
    }

    /** A Fovea weight and the values it will get. */
    private record Staged(Tensor target, float[] values) {
    }

    static void load(Model model, Path file, MemorySegment data, Header header, Map<String, String> modules)
            throws SafeTensorsException {
        Map<String, Map<String, TensorInfo>> torch = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) {
            int dot = t.name().lastIndexOf('.');
            String module = dot < 0 ? "" : t.name().substring(0, dot);
            torch.computeIfAbsent(module, k -> new LinkedHashMap<>()).put(t.name().substring(dot + 1), t);
        }
        // The layers with weights, in the model's order, each with its tensors by parameter name.
        Map<String, Map<String, Tensor>> layers = new LinkedHashMap<>();
        model.namedWeights().forEach((name, t) -> {
            int dot = name.lastIndexOf('.');
            layers.computeIfAbsent(name.substring(0, dot), k -> new LinkedHashMap<>()).put(name.substring(dot + 1), t);
        });
        Map<String, GraphLayer> graph = new LinkedHashMap<>();
        model.graph().forEach(g -> graph.put(g.name(), g));

        List<String> problems = new ArrayList<>();
        Map<String, String> pairs = pair(layers.keySet(), torch.keySet(), modules, problems);
        List<Staged> staged = new ArrayList<>();
        for (Map.Entry<String, String> p : pairs.entrySet()) {
            GraphLayer layer = graph.get(p.getKey());
            convert(layer, layers.get(p.getKey()), p.getValue(), torch.get(p.getValue()), model, data, header, file,
                    staged, problems);
        }
        if (!problems.isEmpty()) {
            throw new SafeTensorsException(file, "PyTorch weights do not fit model '" + model.name() + "'", problems);
        }
        for (Staged s : staged) {
            s.target.copyFrom(s.values);
        }
        model.weightsChanged();
        LOG.log(System.Logger.Level.DEBUG, () -> "fovea: loaded " + file + " into model '" + model.name()
                + "', layer <- PyTorch module: " + pairs);
    }

    /**
     * Fovea layer → PyTorch module: the user's pairs first, then the rest in order by the Sequential convention.
     * Adds a problem for every layer or module left without a partner.
     */
    private static Map<String, String> pair(Set<String> layers, Set<String> modules, Map<String, String> given,
                                            List<String> problems) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Set<String> usedModules = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String layer = e.getKey();
            String module = e.getValue();
            if (layer == null || module == null) {
                problems.add("the module map has a null entry (" + layer + " -> " + module + ")");
            } else if (!layers.contains(layer)) {
                problems.add("the module map names layer '" + layer + "', which the model does not have (layers"
                        + " with weights: " + String.join(", ", layers) + ")");
            } else if (!modules.contains(module)) {
                problems.add("the module map pairs layer '" + layer + "' with module '" + module + "', which the"
                        + " file does not hold (modules: " + String.join(", ", modules) + ")");
            } else if (!usedModules.add(module)) {
                problems.add("the module map pairs module '" + module + "' with more than one layer");
            } else {
                pairs.put(layer, module);
            }
        }
        List<String> restLayers = layers.stream().filter(l -> !given.containsKey(l)).toList();
        List<String> restModules = new ArrayList<>(modules.stream()
                .filter(m -> !given.containsValue(m)).toList());
        try {
            restModules.sort(PyTorchWeights::sequentialOrder);
        } catch (Unordered e) {
            problems.add("modules '" + e.a + "' and '" + e.b + "' differ in more than their numbers, so the"
                    + " Sequential convention cannot order them: map the layers " + restLayers + " to the modules "
                    + restModules + " (Fovea layer name -> PyTorch module name)");
            return pairs;
        }
        for (int i = 0; i < Math.max(restLayers.size(), restModules.size()); i++) {
            if (i >= restModules.size()) {
                problems.add("layer '" + restLayers.get(i) + "' has no module left in the file to load from"
                        + " (the file's modules in order: " + String.join(", ", modules) + ")");
            } else if (i >= restLayers.size()) {
                problems.add("module '" + restModules.get(i) + "' has no layer left in the model to load into"
                        + " (the model's layers with weights: " + String.join(", ", layers) + ")");
            } else {
                pairs.put(restLayers.get(i), restModules.get(i));
            }
        }
        return pairs;
    }

    /** Two module names that differ in a part that is not a number. */
    private static final class Unordered extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String a;
        final String b;

        Unordered(String a, String b) {
            super(null, null, false, false);
            this.a = a;
            this.b = b;
        }
    }

    /** {@code nn.Sequential}'s order: parts compared one by one, numbers as numbers; other parts must be equal. */
    private static int sequentialOrder(String a, String b) {
        String[] pa = a.split("\\.", -1);
        String[] pb = b.split("\\.", -1);
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            if (pa[i].equals(pb[i])) {
                continue;
            }
            if (isNumber(pa[i]) && isNumber(pb[i])) {
                return Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder())
                        .compare(strip(pa[i]), strip(pb[i]));
            }
            throw new Unordered(a, b);
        }
        return Integer.compare(pa.length, pb.length);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Without leading zeros, so that digit strings compare by length, then by text. */
    private static String strip(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    /** One layer's tensors from one module: names, shapes and dtypes checked, values staged. */
    private static void convert(GraphLayer g, Map<String, Tensor> weights, String module,
                                Map<String, TensorInfo> tensors, Model model, MemorySegment data, Header header,
                                Path file, List<Staged> staged, List<String> problems) throws SafeTensorsException {
        Layer layer = g.layer();
        String where = layer.type() + " '" + g.name() + "' (from module '" + module + "')";
        Map<String, String> names;
        if (layer instanceof Conv2D || layer instanceof Dense) {
            names = CONV;
        } else if (layer instanceof BatchNormalization) {
            names = BATCH_NORM;
        } else {
            problems.add(where + ": layers of type " + layer.type() + " are not loaded from PyTorch (Conv2D, Dense"
                    + " and BatchNormalization are)");
            return;
        }
        int before = problems.size();
        // BatchNorm2d(affine=False) saves no weight and bias: it scales by 1 and shifts by 0.
        boolean affineFree = layer instanceof BatchNormalization && !tensors.containsKey("weight")
                && !tensors.containsKey("bias");
        Set<String> wanted = new LinkedHashSet<>();
        for (Map.Entry<String, Tensor> w : weights.entrySet()) {
            String torchName = names.get(w.getKey());
            wanted.add(torchName);
            long[] want = torchShape(layer, w.getValue().shape());
            TensorInfo t = tensors.get(torchName);
            String full = module.isEmpty() ? torchName : module + "." + torchName;
            if (t == null && affineFree && (torchName.equals("weight") || torchName.equals("bias"))) {
                continue;
            }
            if (t == null) {
                problems.add(where + ": missing tensor '" + full + "' " + Arrays.toString(want) + " for its "
                        + w.getKey());
                continue;
            }
            if (!SafeTensors.FLOAT_DTYPES.contains(t.dtype())) {
                problems.add(where + ": tensor '" + full + "' has dtype " + t.dtype() + "; weights are read from "
                        + String.join(", ", SafeTensors.FLOAT_DTYPES));
            }
            if (!Arrays.equals(t.shape(), want)) {
                problems.add(where + ": tensor '" + full + "' has shape " + Arrays.toString(t.shape()) + ", the"
                        + " layer's " + w.getKey() + " " + w.getValue().shape() + " needs " + Arrays.toString(want)
                        + (layer instanceof Dense && w.getKey().equals("kernel") ? " (PyTorch's [out, in])" : ""));
            }
        }
        for (Map.Entry<String, TensorInfo> t : tensors.entrySet()) {
            if (!wanted.contains(t.getKey()) && !IGNORED.contains(t.getKey())) {
                TensorInfo info = t.getValue();
                problems.add(where + ": unexpected tensor '" + info.name() + "' (" + info.dtype() + " "
                        + Arrays.toString(info.shape()) + "): the layer has " + String.join(", ", weights.keySet()));
            }
        }
        if (problems.size() > before) {
            return;
        }
        for (Map.Entry<String, Tensor> w : weights.entrySet()) {
            TensorInfo t = tensors.get(names.get(w.getKey()));
            if (t == null) {  // an affine-free batch norm's gamma or beta
                float[] identity = new float[Math.toIntExact(w.getValue().shape().elementCount())];
                Arrays.fill(identity, w.getKey().equals("gamma") ? 1f : 0f);
                staged.add(new Staged(w.getValue(), identity));
                continue;
            }
            float[] values = SafeTensors.floats(data, header, t, file);
            if (layer instanceof Dense && w.getKey().equals("kernel")) {
                values = denseKernel(values, w.getValue().shape(), flattenedFrom(g, model));
            }
            staged.add(new Staged(w.getValue(), values));
        }
    }

    /** The shape PyTorch stores a Fovea weight in: a dense kernel transposed, everything else as is. */
    private static long[] torchShape(Layer layer, Shape fovea) {
        long[] dims = Arrays.stream(fovea.dims()).asLongStream().toArray();
        if (layer instanceof Dense && dims.length == 2) {
            return new long[] {dims[1], dims[0]};
        }
        return dims;
    }

    /**
     * PyTorch's {@code [U, F]} as Fovea's {@code [F, U]}: Fovea's feature {@code f} reads PyTorch's feature
     * {@code perm[f]}, which differs from {@code f} when the features are a flattened NHWC activation.
     */
    private static float[] denseKernel(float[] torch, Shape kernel, Flattened from) {
        int f = kernel.dim(0);
        int u = kernel.dim(1);
        int[] perm = from == null ? null : from.torchIndex();
        float[] out = new float[torch.length];
        for (int i = 0; i < f; i++) {
            int src = perm == null ? i : perm[i];
            for (int j = 0; j < u; j++) {
                out[i * u + j] = torch[j * f + src];
            }
        }
        return out;
    }

    /** The logical per-item shape a {@code Flatten} read, and the layout it flattened in storage order of. */
    private record Flattened(Shape input, Layout layout) {
        /**
         * For each feature in Fovea's order (the storage order of {@code layout}), its index in PyTorch's order
         * (logical row-major, as {@code torch.flatten} of an NCHW tensor).
         */
        int[] torchIndex() {
            int rank = input.rank();
            int[] dims = input.dims();
            int[] order = layout.storageOrder(rank);
            int count = Math.toIntExact(input.perItem());
            int[] pos = new int[rank];
            int[] out = new int[count];
            for (int f = 0; f < count; f++) {
                int index = 0;
                for (int a = 1; a < rank; a++) {
                    index = index * dims[a] + pos[a];
                }
                out[f] = index;
                for (int k = rank - 1; k >= 0; k--) {  // next position in storage order, innermost axis first
                    int a = order[k];
                    if (++pos[a] < dims[a]) {
                        break;
                    }
                    pos[a] = 0;
                }
            }
            return out;
        }
    }

    /**
     * The {@code Flatten} whose features this dense layer reads, looking through layers that keep the feature
     * order (dropout, activations); null when its input comes from anything else.
     */
    private static Flattened flattenedFrom(GraphLayer dense, Model model) {
        Map<String, GraphLayer> byName = new LinkedHashMap<>();
        model.graph().forEach(g -> byName.put(g.name(), g));
        GraphLayer g = byName.get(dense.inputs().getFirst());
        while (g != null && (g.layer() instanceof Dropout || g.layer() instanceof ActivationLayer)) {
            g = byName.get(g.inputs().getFirst());
        }
        if (g != null && g.layer() instanceof Flatten) {
            return new Flattened(g.inputShapes().getFirst(), model.layout());
        }
        return null;
    }
}
