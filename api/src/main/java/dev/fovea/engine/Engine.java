package dev.fovea.engine;

import dev.fovea.op.Activation;
import dev.fovea.op.BinaryDescriptor;
import dev.fovea.op.ClampDescriptor;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.LrnDescriptor;
import dev.fovea.op.OpDescriptor;
import dev.fovea.op.PadDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.ScaleShiftDescriptor;
import dev.fovea.op.TransposeDescriptor;
import dev.fovea.op.Violations;
import dev.fovea.reference.ReferenceBackendProvider;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.spi.Support;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An open backend behind checks: every call verifies its tensors (alive, F32, resident, the descriptor's shape
 * and layout) and the backend's support before the backend runs, so a bad call throws before anything is
 * written. Models and the conformance suite use this; backend authors implement {@link Backend}.
 *
 * <pre>{@code
 * try (Engine engine = Engine.open()) {          // best available backend, or -Dfovea.backend
 *     System.out.println(engine.name());
 * }
 * }</pre>
 *
 * <p>Thread-safety: an engine and its plans may be shared between threads; each thread passes its own
 * destination tensors.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.fovea.engine");
    /** What the fallback costs, for the warning (the measurement is in bench/RESULTS.md). */
    static final String REFERENCE_SPEED = "plain scalar Java, typically 50 or more times slower than the vector"
            + " backend";

    private final Backend backend;
    private volatile boolean closed;

    private Engine(Backend backend) {
        this.backend = backend;
    }

    /**
     * The backend named by {@code -Dfovea.backend} / {@code FOVEA_BACKEND}, else the highest-priority available
     * one. The choice and every skipped backend are logged at DEBUG; a name from the environment is logged at
     * INFO, since the user may not know the setting is there. Falling back to the slow reference backend while
     * a faster backend was found but cannot run (typically the vector backend without
     * {@code --add-modules jdk.incubator.vector}) is a WARNING naming that backend's reason and fix.
     */
    public static Engine open() {
        return open(BackendOptions.defaults());
    }

    /** As {@link #open()}, with options for the backend (threads). */
    public static Engine open(BackendOptions options) {
        Objects.requireNonNull(options, "options is null; use BackendOptions.defaults()");
        Backends found = Backends.defaults();
        var request = Backends.request();
        if (request.isPresent()) {
            Engine e = open(found, request.get().name(), options);
            LOG.log(System.Logger.Level.INFO, "fovea: using backend ''{0}'' (named by {1})", e.name(),
                    request.get().source());
            return e;
        }
        return openBest(found, options);
    }

    /** The highest-priority available backend of {@code found}; the one place the automatic choice is made. */
    static Engine openBest(Backends found, BackendOptions options) {
        List<Backends.Found> available = found.availableByPriority();
        if (available.isEmpty()) {
            throw new BackendUnavailableException("no Fovea backend is available; found: " + found.foundNames());
        }
        Backends.Found chosen = available.getFirst();
        List<String> lost = new ArrayList<>();
        for (BackendInfo info : found.infos()) {
            if (info.state() != BackendInfo.State.UNAVAILABLE) {
                continue;
            }
            if (lostSpeed(chosen.info(), info)) {
                lost.add("backend '" + info.name() + "' is unavailable: " + info.availability().describe());
            } else {
                LOG.log(System.Logger.Level.DEBUG, "fovea: skipped backend ''{0}'': {1}", info.name(),
                        info.availability().describe());
            }
        }
        if (lost.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "fovea: using backend ''{0}'' (highest priority available, {1})",
                    chosen.name(), chosen.info().priority());
        } else {
            LOG.log(System.Logger.Level.WARNING, "fovea: using the reference backend, " + REFERENCE_SPEED + ": "
                    + String.join("; ", lost));
        }
        return new Engine(openChecked(chosen, options));
    }

    /**
     * True when the reference backend was {@code chosen} over the unavailable {@code skipped}, which outranks it:
     * the user loses that backend's speed, usually for want of a JVM flag, and should hear why. (Broken and
     * duplicate entries are warned about by discovery.)
     */
    private static boolean lostSpeed(BackendInfo chosen, BackendInfo skipped) {
        return chosen.name().equals(ReferenceBackendProvider.NAME) && skipped.state() == BackendInfo.State.UNAVAILABLE
                && skipped.priority() > chosen.priority();
    }

    /** Opens the backend called {@code name}, or throws with its reason and the backends found. */
    public static Engine open(String name) {
        return open(name, BackendOptions.defaults());
    }

    public static Engine open(String name, BackendOptions options) {
        Engine e = open(Backends.defaults(), name, options);
        LOG.log(System.Logger.Level.DEBUG, "fovea: using backend ''{0}'' (named)", name);
        return e;
    }

    /** The one place a backend is chosen by name: every reason it cannot be used is thrown from here. */
    static Engine open(Backends found, String name, BackendOptions options) {
        Objects.requireNonNull(name, "the backend name is null; pass one of Backends.list()'s names, or call"
                + " Engine.open() for the best available backend");
        Objects.requireNonNull(options, "options is null; use BackendOptions.defaults()");
        if (name.isBlank()) {
            throw new IllegalArgumentException("the backend name is blank; pass one of: " + found.foundNames());
        }
        List<Backends.Found> same = found.named(name);
        if (same.isEmpty()) {
            throw new BackendUnavailableException("backend '" + name + "' not found on the class path or module path;"
                    + " found: " + found.foundNames());
        }
        BackendInfo info = same.getFirst().info();
        if (info.state() != BackendInfo.State.AVAILABLE) {
            String what = info.state() == BackendInfo.State.UNAVAILABLE ? "is unavailable: " : "cannot be used: ";
            throw new BackendUnavailableException("backend '" + name + "' " + what + info.availability().describe()
                    + "; available backends: " + found.availableNames());
        }
        return new Engine(openChecked(same.getFirst(), options));
    }

    /** Opens {@code f}'s backend and holds it to the SPI's contract that it carries the provider's name. */
    private static Backend openChecked(Backends.Found f, BackendOptions options) {
        Backend b = f.provider().open(options);
        String cls = f.info().provider();
        if (b == null) {
            throw new IllegalStateException("backend '" + f.name() + "': " + cls + ".open() returned null");
        }
        String actual = b.name();
        if (!f.name().equals(actual)) {
            b.close();
            throw new IllegalStateException("backend '" + f.name() + "': " + cls + ".open() returned a backend ("
                    + b.getClass().getName() + ") whose name() is '" + actual + "'; Backend.name() must return its"
                    + " provider's name");
        }
        return b;
    }

    /** Wraps an already-open backend (tests of a backend under development). */
    public static Engine of(Backend backend) {
        return new Engine(backend);
    }

    public String name() {
        return backend.name();
    }

    public Set<Capability> capabilities() {
        return backend.capabilities();
    }

    /** Whether the backend runs {@code op}, and why not. */
    public Support supports(OpDescriptor op) {
        return backend.supports(op);
    }

    /** A tensor this backend computes on (device memory for a GPU backend), freed with {@code scope}. */
    public Tensor allocate(Shape shape, Layout layout, TensorScope scope) {
        return backend.allocate(shape, layout, scope);
    }

    /** Copies between host tensors and this backend's tensors, converting layouts; same logical shape. */
    public void copy(Tensor src, Tensor dst) {
        Violations v = new Violations("copy");
        checkTensor(v, "src", src, src.shape(), null, false);
        checkTensor(v, "dst", dst, src.shape(), null, false);
        v.throwIfAny(src + " → " + dst);
        backend.copy(src, dst);
    }

    /** Prepares a convolution; weights {@code [K, C/groups, kH, kW]} and bias {@code [K]} (or null) on the host. */
    public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkConvolutionWeights(v, op, weights, bias);
        v.throwIfAny("backend " + name());
        return checked(op.layer(), op.input(), op.output(), op.layout(), backend.planConvolution(op, weights, bias));
    }

    /**
     * A convolution and the pooling that reads its output as one plan, where the backend offers that fusion
     * ({@link Backend#planConvolutionPooled}); empty otherwise, and the caller runs the two ops apart. The
     * plan's {@code execute(x, y)} takes the convolution's input and the pooling's output.
     */
    public Optional<Plan> planConvolutionPooled(ConvolutionDescriptor conv, PoolingDescriptor pool, Tensor weights,
                                                Tensor bias) {
        String layer = conv.layer() + " + " + pool.layer();
        Violations v = new Violations(layer);
        checkSupported(conv);
        checkSupported(pool);
        v.check(pool.input().equals(conv.output()), "pool.input", "the pooling's input " + pool.input()
                + " is not the convolution's output " + conv.output());
        v.check(pool.layout() == conv.layout(), "pool.layout", "the pooling's layout " + pool.layout()
                + " differs from the convolution's " + conv.layout());
        checkConvolutionWeights(v, conv, weights, bias);
        v.throwIfAny("backend " + name());
        return backend.planConvolutionPooled(conv, pool, weights, bias)
                .map(p -> checked(layer, conv.input(), pool.output(), conv.layout(), p));
    }

    private void checkConvolutionWeights(Violations v, ConvolutionDescriptor op, Tensor weights, Tensor bias) {
        checkHost(v, "weights", weights, op.weightShape());
        if (op.bias()) {
            checkHost(v, "bias", bias, op.biasShape());
        } else {
            v.check(bias == null, "bias", "bias given but the descriptor has bias=false");
        }
    }

    /** Prepares a dense layer; weights {@code [F, U]} and bias {@code [U]} (or null) on the host. */
    public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkHost(v, "weights", weights, op.weightShape());
        if (op.bias()) {
            checkHost(v, "bias", bias, Shape.of(op.units()));
        } else {
            v.check(bias == null, "bias", "bias given but the descriptor has bias=false");
        }
        v.throwIfAny("backend " + name());
        return checked(op.layer(), op.input(), op.output(), op.layout(), backend.planDense(op, weights, bias));
    }

    public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "y", y, op.output(), op.layout(), true);
        v.throwIfAny("backend " + name());
        backend.poolingForward(op, x, y);
    }

    public void activationForward(Activation activation, Tensor x, Tensor y) {
        Violations v = new Violations("activation " + activation);
        checkTensor(v, "x", x, x.shape(), x.layout(), true);
        checkTensor(v, "y", y, x.shape(), x.layout(), true);
        v.throwIfAny("backend " + name());
        backend.activationForward(activation, x, y);
    }

    /** {@code y = act(a op b)} with broadcasting; see {@link BinaryDescriptor}. */
    public void binaryForward(BinaryDescriptor op, Tensor a, Tensor b, Tensor y) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkTensor(v, "a", a, op.a(), op.layout(), true);
        checkTensor(v, "b", b, op.b(), op.layout(), true);
        checkTensor(v, "y", y, op.output(), op.layout(), true);
        v.throwIfAny("backend " + name());
        backend.binaryForward(op, a, b, y);
    }

    /** Prepares a per-channel scale and shift; {@code scale} and {@code shift} are host tensors {@code [C]}. */
    public Plan planScaleShift(ScaleShiftDescriptor op, Tensor scale, Tensor shift) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkHost(v, "scale", scale, op.parameterShape());
        checkHost(v, "shift", shift, op.parameterShape());
        v.throwIfAny("backend " + name());
        return checked(op.layer(), op.input(), op.output(), op.layout(), backend.planScaleShift(op, scale, shift));
    }

    /** {@code y = min(max(alpha·x + beta, min), max)}; see {@link ClampDescriptor}. */
    public void clampForward(ClampDescriptor op, Tensor x, Tensor y) {
        unary(op, x, y);
        backend.clampForward(op, x, y);
    }

    /** Local response normalization; see {@link LrnDescriptor}. */
    public void lrnForward(LrnDescriptor op, Tensor x, Tensor y) {
        unary(op, x, y);
        backend.lrnForward(op, x, y);
    }

    /** Constant padding; see {@link PadDescriptor}. */
    public void padForward(PadDescriptor op, Tensor x, Tensor y) {
        unary(op, x, y);
        backend.padForward(op, x, y);
    }

    /** Axis permutation; see {@link TransposeDescriptor}. */
    public void transposeForward(TransposeDescriptor op, Tensor x, Tensor y) {
        unary(op, x, y);
        backend.transposeForward(op, x, y);
    }

    /** The checks of a one-input op: supported, x and y of the descriptor's shapes, layout and residency. */
    private void unary(OpDescriptor op, Tensor x, Tensor y) {
        Violations v = new Violations(op.layer());
        checkSupported(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "y", y, op.output(), op.layout(), true);
        v.throwIfAny("backend " + name());
    }

    public void softmaxForward(Tensor x, Tensor y) {
        Violations v = new Violations("softmax");
        v.check(x.shape().rank() == 2, "x", "softmax input must be 2-D [N, F], got " + x.shape());
        checkTensor(v, "x", x, x.shape(), null, true);
        checkTensor(v, "y", y, x.shape(), null, true);
        v.check(x.isContiguous() && y.isContiguous(), "x", "softmax needs contiguous tensors");
        v.throwIfAny("backend " + name());
        backend.softmaxForward(x, y);
    }

    // ---- Backward ops (training): same checks as the forward ops, plus Capability.TRAINING. ----

    /** Whether this backend implements the backward ops ({@link Capability#TRAINING}). */
    public boolean supportsTraining() {
        return backend.capabilities().contains(Capability.TRAINING);
    }

    /** {@code dx} of a convolution from {@code dy} (pre-activation) and the host weights; see {@link Backend}. */
    public void convolutionBackwardData(ConvolutionDescriptor op, Tensor weights, Tensor dy, Tensor dx) {
        Violations v = new Violations(op.layer() + " backward data");
        checkTraining(op);
        checkHost(v, "weights", weights, op.weightShape());
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkTensor(v, "dx", dx, op.input(), op.layout(), true);
        v.throwIfAny("backend " + name());
        backend.convolutionBackwardData(op, weights, dy, dx);
    }

    /** {@code dw [K, C/groups, kH, kW]} of a convolution from the forward's {@code x} and {@code dy}. */
    public void convolutionBackwardFilter(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        Violations v = new Violations(op.layer() + " backward filter");
        checkTraining(op);
        checkFilterGradient(v, op, x, dy, dw);
        v.throwIfAny("backend " + name());
        backend.convolutionBackwardFilter(op, x, dy, dw);
    }

    /** {@code db [K]} of a convolution: {@code dy} summed over N, P, Q. */
    public void convolutionBackwardBias(ConvolutionDescriptor op, Tensor dy, Tensor db) {
        Violations v = new Violations(op.layer() + " backward bias");
        checkTraining(op);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkBiasGradient(v, op, db);
        v.throwIfAny("backend " + name());
        backend.convolutionBackwardBias(op, dy, db);
    }

    /**
     * {@code dw} and, when {@code db} is not null, {@code db} of a convolution in one call: the checks of
     * {@link #convolutionBackwardFilter} and {@link #convolutionBackwardBias} together.
     */
    public void convolutionBackwardWeights(ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Violations v = new Violations(op.layer() + " backward weights");
        checkTraining(op);
        checkFilterGradient(v, op, x, dy, dw);
        if (db != null) {
            checkBiasGradient(v, op, db);
        }
        v.throwIfAny("backend " + name());
        backend.convolutionBackwardWeights(op, x, dy, dw, db);
    }

    /** The operands of a convolution's filter gradient: the forward's {@code x}, {@code dy} and {@code dw}. */
    private void checkFilterGradient(Violations v, ConvolutionDescriptor op, Tensor x, Tensor dy, Tensor dw) {
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkGradient(v, "dw", dw, op.weightShape());
    }

    /** A convolution's bias gradient {@code db}: the convolution must have a bias. */
    private void checkBiasGradient(Violations v, ConvolutionDescriptor op, Tensor db) {
        v.check(op.bias(), "bias", "the convolution has no bias");
        checkGradient(v, "db", db, op.biasShape());
    }

    /** {@code dx} of a pooling from the forward's {@code x}, {@code y} and {@code dy}. */
    public void poolingBackward(PoolingDescriptor op, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "y", y, op.output(), op.layout(), true);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkTensor(v, "dx", dx, op.input(), op.layout(), true);
        v.throwIfAny("backend " + name());
        backend.poolingBackward(op, x, y, dy, dx);
    }

    /** {@code dx} of an element-wise activation from its output {@code y} and {@code dy}. */
    public void activationBackward(Activation activation, Tensor y, Tensor dy, Tensor dx) {
        Violations v = new Violations("activation " + activation + " backward");
        checkTraining(null);
        if (!activation.hasOutputGradient()) {
            throw new UnsupportedOperationException("activation " + activation + ": training through it is not"
                    + " supported yet (its gradient needs the activation's input)");
        }
        checkTensor(v, "y", y, y.shape(), y.layout(), true);
        checkTensor(v, "dy", dy, y.shape(), y.layout(), true);
        checkTensor(v, "dx", dx, y.shape(), y.layout(), true);
        v.throwIfAny("backend " + name());
        backend.activationBackward(activation, y, dy, dx);
    }

    /** Gradients of a broadcasting element-wise op; {@code da} or {@code db} may be null (not needed). */
    public void binaryBackward(BinaryDescriptor op, Tensor a, Tensor b, Tensor dz, Tensor da, Tensor db) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkTensor(v, "a", a, op.a(), op.layout(), true);
        checkTensor(v, "b", b, op.b(), op.layout(), true);
        checkTensor(v, "dz", dz, op.output(), op.layout(), true);
        if (da != null) {
            checkTensor(v, "da", da, op.a(), op.layout(), true);
        }
        if (db != null) {
            checkTensor(v, "db", db, op.b(), op.layout(), true);
        }
        v.throwIfAny("backend " + name());
        backend.binaryBackward(op, a, b, dz, da, db);
    }

    /** {@code dx = dy · act'(x)} from the activation's input: every activation. */
    public void activationInputBackward(Activation activation, Tensor x, Tensor dy, Tensor dx) {
        Violations v = new Violations("activation " + activation + " backward");
        checkTraining(null);
        checkTensor(v, "x", x, x.shape(), x.layout(), true);
        checkTensor(v, "dy", dy, x.shape(), x.layout(), true);
        checkTensor(v, "dx", dx, x.shape(), x.layout(), true);
        v.throwIfAny("backend " + name());
        backend.activationInputBackward(activation, x, dy, dx);
    }

    /** Clamp gradient from the forward's input. */
    public void clampBackward(ClampDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        unaryBackward(op, x, dy, dx);
        backend.clampBackward(op, x, dy, dx);
    }

    /** Local response normalization gradient from the forward's input. */
    public void lrnBackward(LrnDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        unaryBackward(op, x, dy, dx);
        backend.lrnBackward(op, x, dy, dx);
    }

    /** Padding gradient: {@code dx} ({@code op.input()}) from {@code dy} ({@code op.output()}). */
    public void padBackward(PadDescriptor op, Tensor dy, Tensor dx) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkTensor(v, "dx", dx, op.input(), op.layout(), true);
        v.throwIfAny("backend " + name());
        backend.padBackward(op, dy, dx);
    }

    private void unaryBackward(OpDescriptor op, Tensor x, Tensor dy, Tensor dx) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkTensor(v, "dx", dx, op.input(), op.layout(), true);
        v.throwIfAny("backend " + name());
    }

    /** Batch statistics of training-mode batch normalization: host {@code mean} and {@code variance} {@code [C]}. */
    public void batchNormStatistics(ScaleShiftDescriptor op, Tensor x, Tensor mean, Tensor variance) {
        Violations v = new Violations(op.layer() + " batch statistics");
        checkTraining(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkHost(v, "mean", mean, op.parameterShape());
        checkHost(v, "variance", variance, op.parameterShape());
        v.throwIfAny("backend " + name());
        backend.batchNormStatistics(op, x, mean, variance);
    }

    /** Training-mode batch normalization gradients: {@code dx}, {@code dGamma}, {@code dBeta}. */
    public void batchNormBackward(ScaleShiftDescriptor op, Tensor x, Tensor dy, Tensor mean, Tensor invStd,
                                  Tensor gamma, Tensor dx, Tensor dGamma, Tensor dBeta) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkTensor(v, "x", x, op.input(), op.layout(), true);
        checkTensor(v, "dy", dy, op.output(), op.layout(), true);
        checkTensor(v, "dx", dx, op.input(), op.layout(), true);
        checkHost(v, "mean", mean, op.parameterShape());
        checkHost(v, "invStd", invStd, op.parameterShape());
        checkHost(v, "gamma", gamma, op.parameterShape());
        checkGradient(v, "dGamma", dGamma, op.parameterShape());
        checkGradient(v, "dBeta", dBeta, op.parameterShape());
        v.throwIfAny("backend " + name());
        backend.batchNormBackward(op, x, dy, mean, invStd, gamma, dx, dGamma, dBeta);
    }

    /** Dense gradients: {@code dx} (may be null), {@code dw [F, U]}, {@code db [U]} (null without bias). */
    public void denseBackward(DenseDescriptor op, Tensor weights, Tensor x, Tensor dy, Tensor dx, Tensor dw,
                              Tensor db) {
        Violations v = new Violations(op.layer() + " backward");
        checkTraining(op);
        checkHost(v, "weights", weights, op.weightShape());
        checkTensor(v, "x", x, op.input(), null, true);
        checkTensor(v, "dy", dy, op.output(), null, true);
        if (dx != null) {
            checkTensor(v, "dx", dx, op.input(), null, true);
        }
        checkGradient(v, "dw", dw, op.weightShape());
        if (op.bias()) {
            checkGradient(v, "db", db, Shape.of(op.units()));
        } else {
            v.check(db == null, "db", "db given but the layer has no bias");
        }
        v.throwIfAny("backend " + name());
        backend.denseBackward(op, weights, x, dy, dx, dw, db);
    }

    /** Row-wise softmax gradient for the forward's output {@code y [N, F]}. */
    public void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        Violations v = new Violations("softmax backward");
        checkTraining(null);
        v.check(y.shape().rank() == 2, "y", "softmax output must be 2-D [N, F], got " + y.shape());
        checkTensor(v, "y", y, y.shape(), null, true);
        checkTensor(v, "dy", dy, y.shape(), null, true);
        checkTensor(v, "dx", dx, y.shape(), null, true);
        v.throwIfAny("backend " + name());
        backend.softmaxBackward(y, dy, dx);
    }

    /**
     * Softmax cross-entropy of {@code logits [N, F]} against integer {@code labels}: returns the summed row
     * losses and writes {@code dx = scale·(softmax − onehot)} unless {@code dx} is null. Labels are checked
     * to lie in {@code [0, F)}.
     */
    public double softmaxCrossEntropy(Tensor logits, int[] labels, float scale, Tensor dx) {
        Violations v = new Violations("softmax cross-entropy");
        checkTraining(null);
        if (!v.check(logits != null && logits.shape().rank() == 2, "logits", "logits must be 2-D [N, F], got "
                + (logits == null ? "null" : logits.shape()))) {
            v.throwIfAny("backend " + name());
        }
        checkTensor(v, "logits", logits, logits.shape(), null, true);
        if (dx != null) {
            checkTensor(v, "dx", dx, logits.shape(), null, true);
        }
        int n = logits.shape().n();
        int f = logits.shape().c();
        if (v.check(labels != null && labels.length == n, "labels", "need " + n + " labels, got "
                + (labels == null ? "null" : labels.length))) {
            for (int i = 0; i < n; i++) {
                if (!v.check(labels[i] >= 0 && labels[i] < f, "labels", "label " + labels[i] + " of row " + i
                        + " is outside [0, " + f + ")")) {
                    break;
                }
            }
        }
        v.throwIfAny("backend " + name());
        return backend.softmaxCrossEntropy(logits, labels, scale, dx);
    }

    /** The backend behind this engine, for code that extends Fovea (training) — not for users. */
    public Backend backend() {
        return backend;
    }

    /** Whether {@link #close()} has not been called yet (models' inferences refuse a closed engine). */
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        backend.close();
    }

    private Plan checked(String layer, Shape input, Shape output, Layout layout, Plan plan) {
        return new Plan() {
            @Override
            public void execute(Tensor x, Tensor y) {
                Violations v = new Violations(layer);
                checkTensor(v, "x", x, input, layout, true);
                checkTensor(v, "y", y, output, layout, true);
                if (!v.isEmpty()) {
                    v.throwIfAny("backend " + name());
                }
                plan.execute(x, y);
            }

            @Override
            public void close() {
                plan.close();
            }
        };
    }

    private void checkSupported(OpDescriptor op) {
        Support s = backend.supports(op);
        if (!s.supported()) {
            throw new UnsupportedOperationException(op.layer() + ": backend '" + name() + "' does not support this op: "
                    + s.reason());
        }
    }

    private void checkTraining(OpDescriptor op) {
        if (!supportsTraining()) {
            throw new UnsupportedOperationException((op == null ? "" : op.layer() + ": ") + "backend '" + name()
                    + "' has no backward ops (it lacks Capability.TRAINING); train with a backend that has them,"
                    + " e.g. --backend reference");
        }
        if (op != null) {
            checkSupported(op);
        }
    }

    /** A gradient of a weight: resident, the weight's shape, contiguous in logical order, F32. */
    private void checkGradient(Violations v, String param, Tensor t, Shape expected) {
        checkTensor(v, param, t, expected, null, true);
        if (t != null) {
            v.check(t.isContiguous() && (t.shape().rank() != 4 || t.layout() == Layout.NCHW), param,
                    param + " must be contiguous in logical order, got " + t);
        }
    }

    private static void checkHost(Violations v, String param, Tensor t, Shape expected) {
        if (!v.check(t != null, param, param + " is missing")) {
            return;
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(param + ": tensor " + t + " was used after its scope was closed");
        }
        v.check(t.isHost(), param, param + " must be a host tensor, got " + t);
        v.check(t.shape().equals(expected), param, param + " shape " + t.shape() + " != expected " + expected);
        v.check(t.isContiguous() && (t.shape().rank() != 4 || t.layout() == Layout.NCHW), param,
                param + " must be contiguous in logical order, got " + t);
        v.check(t.dtype() == DType.F32, param, param + " dtype " + t.dtype() + " is not F32");
    }

    private void checkTensor(Violations v, String param, Tensor t, Shape expected, Layout layout, boolean resident) {
        if (!v.check(t != null, param, param + " is missing")) {
            return;
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(param + ": tensor " + t + " was used after its scope was closed");
        }
        // Messages are built only on failure: this runs twice per op of every pass.
        if (!t.shape().equals(expected)) {
            v.add(param, param + " shape " + t.shape() + " != expected " + expected);
        }
        if (layout != null && t.shape().rank() == 4 && t.layout() != layout) {
            v.add(param, param + " layout " + t.layout() + " != expected " + layout);
        }
        if (t.dtype() != DType.F32) {
            v.add(param, param + " dtype " + t.dtype() + " is not F32");
        }
        if (resident && !backend.isResident(t)) {
            v.add(param, param + " " + t + " is not in memory backend '" + name() + "' can use; allocate it with"
                    + " the engine");
        }
    }
}
