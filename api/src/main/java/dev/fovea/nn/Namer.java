package dev.fovea.nn;

import dev.fovea.op.ValidationException;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Hands out Keras-style unique names: {@code conv2d}, {@code conv2d_1}, ...; rejects duplicate user names. */
final class Namer {
    private final Map<String, Integer> counters = new HashMap<>();
    private final Set<String> used = new HashSet<>();

    String name(Layer layer) {
        return name(layer, null);
    }

    /** The layer's own name, else {@code preferred} when given and free, else an automatic name. */
    String name(Layer layer, String preferred) {
        if (layer.name() == null && preferred != null && used.add(preferred)) {
            return preferred;
        }
        if (layer.name() != null) {
            if (!used.add(layer.name())) {
                throw new ValidationException(layer.type() + " '" + layer.name() + "'",
                        List.of(new ValidationException.Violation("name",
                                "layer name '" + layer.name() + "' is used twice in one model")), "");
            }
            return layer.name();
        }
        String prefix = layer.autoNamePrefix();
        while (true) {
            int k = counters.merge(prefix, 1, Integer::sum) - 1;
            String candidate = k == 0 ? prefix : prefix + "_" + k;
            if (used.add(candidate)) {
                return candidate;
            }
        }
    }
}
