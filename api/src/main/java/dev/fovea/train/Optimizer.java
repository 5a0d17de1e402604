package dev.fovea.train;

import dev.fovea.engine.Engine;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Updates weights from their gradients, on the host, one weight tensor at a time, in a fixed order, in double
 * arithmetic per element: the same inputs give bit-identical weights. State (momentum, moments) is kept per
 * weight name.
 *
 * <pre>{@code
 * Optimizer.adam()                                   // PyTorch defaults: β1 0.9, β2 0.999, ε 1e-8
 * Optimizer.sgd(0.9, true).weightDecay(5e-4)         // Nesterov momentum, L2 weight decay
 * Optimizer.adamW(0.01)                              // decoupled weight decay (Loshchilov & Hutter)
 * }</pre>
 */
public abstract class Optimizer {
    final double weightDecay;
    private final Map<String, float[]> hostGrad = new HashMap<>();
    private final Map<String, float[]> hostWeight = new HashMap<>();
    private long steps;

    Optimizer(double weightDecay) {
        // Written so that NaN fails too (NaN < 0 is false: a NaN decay once trained a network of NaN weights).
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight decay " + weightDecay + " must be a finite number ≥ 0");
        }
        this.weightDecay = weightDecay;
    }

    /** Plain SGD: {@code w −= lr·(g + wd·w)}. */
    public static Sgd sgd() {
        return new Sgd(0, false, 0);
    }

    /**
     * SGD with momentum μ, as PyTorch defines it: {@code v = μ·v + g}; {@code w −= lr·v}, or with Nesterov
     * {@code w −= lr·(g + μ·v)}. Weight decay is added to the gradient (L2).
     */
    public static Sgd sgd(double momentum, boolean nesterov) {
        return new Sgd(momentum, nesterov, 0);
    }

    /** Adam (Kingma &amp; Ba) with PyTorch's defaults; weight decay (if set) is added to the gradient (L2). */
    public static Adam adam() {
        return new Adam(0.9, 0.999, 1e-8, 0, false);
    }

    /** AdamW: Adam with decoupled weight decay {@code w −= lr·wd·w}. */
    public static Adam adamW(double weightDecay) {
        return new Adam(0.9, 0.999, 1e-8, weightDecay, true);
    }

    /** The same optimizer with weight decay {@code wd}. */
    public abstract Optimizer weightDecay(double wd);

    /** Number of steps taken. */
    public long steps() {
        return steps;
    }

    /**
     * One update of every weight in {@code weights} (host tensors, by name) from {@code gradients} (same names;
     * engine memory, copied to the host through {@code engine} when needed), with learning rate {@code lr}.
     */
    public void step(Engine engine, Map<String, Tensor> weights, Map<String, Tensor> gradients, double lr) {
        steps++;
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
            Tensor gt = gradients.get(e.getKey());
            if (gt == null) {
                throw new IllegalArgumentException("no gradient for weight '" + e.getKey() + "'");
            }
            int size = Math.toIntExact(gt.shape().elementCount());
            float[] g = hostGrad.computeIfAbsent(e.getKey(), k -> new float[size]);
            if (gt.isHost()) {
                read(gt, g);
            } else {
                try (TensorScope s = new TensorScope()) {
                    Tensor h = s.allocate(gt.shape(), Layout.NCHW);
                    engine.copy(gt, h);
                    read(h, g);
                }
            }
            Tensor wt = e.getValue();
            float[] w = hostWeight.computeIfAbsent(e.getKey(), k -> new float[size]);
            read(wt, w);
            update(e.getKey(), w, g, lr, steps);
            if (wt.isContiguous()) {
                MemorySegment.copy(w, 0, wt.buffer(), ValueLayout.JAVA_FLOAT_UNALIGNED, wt.offset() * 4, w.length);
            } else {
                wt.copyFrom(w);
            }
        }
    }

    /** {@code t}'s values in logical order into {@code out} (no allocation when it is contiguous). */
    private static void read(Tensor t, float[] out) {
        if (t.isContiguous()) {
            MemorySegment.copy(t.buffer(), ValueLayout.JAVA_FLOAT_UNALIGNED, t.offset() * 4, out, 0, out.length);
        } else {
            System.arraycopy(t.toArray(), 0, out, 0, out.length);
        }
    }

    /** Updates {@code w} in place; {@code t} is the 1-based step number. */
    abstract void update(String name, float[] w, float[] g, double lr, long t);

    /** Stochastic gradient descent, optionally with (Nesterov) momentum. */
    public static final class Sgd extends Optimizer {
        private final double momentum;
        private final boolean nesterov;
        private final Map<String, float[]> velocity = new HashMap<>();

        Sgd(double momentum, boolean nesterov, double weightDecay) {
            super(weightDecay);
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum " + momentum + " must be in [0, 1)");
            }
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
            }
            this.momentum = momentum;
            this.nesterov = nesterov;
        }

        @Override
        public Sgd weightDecay(double wd) {
            return new Sgd(momentum, nesterov, wd);
        }

        @Override
        void update(String name, float[] w, float[] g, double lr, long t) {
            float[] v = momentum > 0 ? velocity.computeIfAbsent(name, k -> new float[w.length]) : null;
            for (int i = 0; i < w.length; i++) {
                double grad = g[i] + weightDecay * w[i];
                double step = grad;
                if (v != null) {
                    double vi = t == 1 ? grad : momentum * v[i] + grad;
                    v[i] = (float) vi;
                    step = nesterov ? grad + momentum * vi : vi;
                }
                w[i] = (float) (w[i] - lr * step);
            }
        }

        @Override
        public String toString() {
            return "SGD(momentum " + momentum + (nesterov ? ", Nesterov" : "") + ", weight decay " + weightDecay + ")";
        }
    }

    /** Adam, or AdamW with decoupled weight decay. */
    public static final class Adam extends Optimizer {
        private final double beta1;
        private final double beta2;
        private final double epsilon;
        private final boolean decoupled;
        private final Map<String, float[]> m = new HashMap<>();
        private final Map<String, float[]> v = new HashMap<>();

        Adam(double beta1, double beta2, double epsilon, double weightDecay, boolean decoupled) {
            super(weightDecay);
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && Double.isFinite(epsilon))) {
                throw new IllegalArgumentException("Adam: beta1 " + beta1 + " and beta2 " + beta2
                        + " must be in [0, 1), epsilon " + epsilon + " finite and > 0");
            }
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.epsilon = epsilon;
            this.decoupled = decoupled;
        }

        public Adam betas(double b1, double b2) {
            return new Adam(b1, b2, epsilon, weightDecay, decoupled);
        }

        public Adam epsilon(double eps) {
            return new Adam(beta1, beta2, eps, weightDecay, decoupled);
        }

        @Override
        public Adam weightDecay(double wd) {
            return new Adam(beta1, beta2, epsilon, wd, decoupled);
        }

        @Override
        void update(String name, float[] w, float[] g, double lr, long t) {
            float[] mm = m.computeIfAbsent(name, k -> new float[w.length]);
            float[] vv = v.computeIfAbsent(name, k -> new float[w.length]);
            double stepSize = lr / (1 - Math.pow(beta1, t));
            double invC2 = 1 / (1 - Math.pow(beta2, t));
            double decay = decoupled ? 1 - lr * weightDecay : 1;
            double l2 = decoupled ? 0 : weightDecay;
            for (int i = 0; i < w.length; i++) {
                double wi = w[i];
                double grad = g[i] + l2 * wi;
                double mi = beta1 * mm[i] + (1 - beta1) * grad;
                double vi = beta2 * vv[i] + (1 - beta2) * grad * grad;
                mm[i] = (float) mi;
                vv[i] = (float) vi;
                w[i] = (float) (wi * decay - stepSize * mi / (Math.sqrt(vi * invC2) + epsilon));
            }
        }

        @Override
        public String toString() {
            return (decoupled ? "AdamW" : "Adam") + "(betas " + beta1 + ", " + beta2 + ", eps " + epsilon
                    + ", weight decay " + weightDecay + ")";
        }
    }
}
