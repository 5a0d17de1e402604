package dev.fovea.models;

import dev.fovea.data.Datasets;
import dev.fovea.nn.ActivationLayer;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inception;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingMode;
import dev.fovea.tensor.Layout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Named networks, each built fresh with seeded weights: {@code ModelZoo.build("mnist-cnn", 0)}.
 * Every zoo model is NHWC, so its summary reads as Keras prints it ({@code (None, H, W, C)}) and a flatten
 * orders features (h, w, c) as Keras and TensorFlow do.
 *
 * <table>
 *   <caption>The zoo</caption>
 *   <tr><th>name</th><th>input (H×W×C)</th><th>output</th><th>parameters</th><th>source</th></tr>
 *   <tr><td>mnist-cnn</td><td>28×28×1</td><td>10, softmax</td><td>93,322</td><td>the Keras course's MNIST CNN</td></tr>
 *   <tr><td>fashion-cnn</td><td>28×28×1</td><td>10, softmax</td><td>243,786</td><td>the Keras course's Fashion-MNIST CNN</td></tr>
 *   <tr><td>tf-convnet</td><td>28×28×1</td><td>10, logits</td><td>3,274,634</td><td>the TensorFlow course's {@code conv_net}</td></tr>
 *   <tr><td>cifar-simple</td><td>32×32×3</td><td>10, scores</td><td>31,066</td><td>the CIFAR-10 course's INPUT–CONV–RELU–POOL–FC</td></tr>
 *   <tr><td>lenet5</td><td>32×32×1</td><td>10, softmax</td><td>61,706</td><td>LeCun et al. 1998</td></tr>
 *   <tr><td>googlenet</td><td>224×224×3</td><td>1000, softmax</td><td>6,998,552</td><td>Szegedy et al. 2014, Table 1</td></tr>
 *   <tr><td>inception-seed</td><td>28×28×192</td><td>28×28×256</td><td>163,696</td><td>the CNN course's inception module</td></tr>
 * </table>
 *
 * <p>The ten-class models carry their data set's class names as {@link Model#labels()} (digits for the MNIST
 * models, Fashion-MNIST's and CIFAR-10's names), so {@code Inference.prediction} ranks classes by name.
 */
public final class ModelZoo {
    private static final Map<String, LongFunction<Model>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("mnist-cnn", ModelZoo::mnistCnn);
        MODELS.put("fashion-cnn", ModelZoo::fashionCnn);
        MODELS.put("tf-convnet", ModelZoo::tfConvnet);
        MODELS.put("cifar-simple", ModelZoo::cifarSimple);
        MODELS.put("lenet5", ModelZoo::lenet5);
        MODELS.put("googlenet", ModelZoo::googlenet);
        MODELS.put("inception-seed", ModelZoo::inceptionSeed);
    }

    /** CIFAR-10's classes, in label order. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");

    private ModelZoo() {
    }

    /** {@code model} with the class names of the data set it is trained on, for {@link Model#labels()}. */
    private static Model labelled(Model model, List<String> labels) {
        model.setLabels(labels);
        return model;
    }

    /** The zoo's model names, in a stable order. */
    public static Set<String> names() {
        return MODELS.keySet();
    }

    /** Builds the named model with weights initialized from {@code seed}. */
    public static Model build(String name, long seed) {
        java.util.Objects.requireNonNull(name, "name");
        LongFunction<Model> f = MODELS.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: "
                    + String.join(", ", MODELS.keySet()));
        }
        return f.apply(seed);
    }

    /** The Keras course's MNIST CNN (93,322 parameters). */
    public static Model mnistCnn(long seed) {
        return labelled(Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("mnist-cnn").seed(seed)
                .add(Conv2D.of(32, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Flatten.create())
                .add(Dense.of(64).activation(Activation.RELU))
                .add(Dense.of(10).softmax())
                .build(), Datasets.MNIST_CLASSES);
    }

    /** The Keras course's Fashion-MNIST CNN (243,786 parameters). */
    public static Model fashionCnn(long seed) {
        return labelled(Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("fashion-cnn").seed(seed)
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(64, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(128).activation(Activation.RELU))
                .add(Dense.of(10).softmax())
                .build(), Datasets.FASHION_MNIST_CLASSES);
    }

    /**
     * The TensorFlow course's {@code conv_net} for MNIST (3,274,634 parameters): 28×28×1 → 5×5 conv 32 SAME + ReLU
     * → 2×2/2 max pool SAME (14×14×32) → 5×5 conv 64 SAME + ReLU → 2×2/2 max pool SAME (7×7×64) → flatten (3,136)
     * → dense 1024 + ReLU → dropout (keep_prob 0.75, i.e. rate 0.25; identity at inference) → dense 10.
     * The output is the logits, as {@code conv_net} returns them (the seed applies softmax inside its loss).
     */
    public static Model tfConvnet(long seed) {
        return labelled(Sequential.builder(Input.image(28, 28, 1), Layout.NHWC).name("tf-convnet").seed(seed)
                .add(Conv2D.of(32, 5).padding(Padding.SAME).activation(Activation.RELU))
                .add(Pooling2D.max(2).padding(Padding.SAME))
                .add(Conv2D.of(64, 5).padding(Padding.SAME).activation(Activation.RELU))
                .add(Pooling2D.max(2).padding(Padding.SAME))
                .add(Flatten.create())
                .add(Dense.of(1024).activation(Activation.RELU))
                .add(Dropout.of(0.25))
                .add(Dense.of(10))
                .build(), Datasets.MNIST_CLASSES);
    }

    /**
     * The CIFAR-10 course's "simple ConvNet for CIFAR-10", [INPUT – CONV – RELU – POOL – FC] (31,066 parameters):
     * 32×32×3 → 12 filters 3×3, stride 1, pad 1 (32×32×12) → ReLU (its own layer, as the seed writes it) →
     * 2×2/2 max pool (16×16×12; "we assume Max pool unless stated otherwise") → flatten (3,072) → FC 10.
     * The output is the class scores, as the seed's FC layer computes them (no softmax).
     */
    public static Model cifarSimple(long seed) {
        return labelled(Sequential.builder(Input.image(32, 32, 3), Layout.NHWC).name("cifar-simple").seed(seed)
                .add(Conv2D.of(12, 3).padding(Padding.explicit(1)))
                .add(ActivationLayer.relu())
                .add(Pooling2D.max(2))
                .add(Flatten.create())
                .add(Dense.of(10))
                .build(), CIFAR10_CLASSES);
    }

    /**
     * LeNet-5 (LeCun et al. 1998) on 32×32×1 (61,706 parameters): C1 6@5×5 (28×28×6) → S2 2×2/2 (14×14×6) →
     * C3 16@5×5 (10×10×16) → S4 2×2/2 (5×5×16) → C5 120@5×5 (1×1×120) → flatten → F6 84 → 10, softmax.
     *
     * <p>Choices, where the paper differs from today's layers: activations are plain {@code tanh} (the paper
     * uses 1.7159·tanh(2/3·a)); S2/S4 are parameter-free 2×2 average pooling (the paper's subsampling also has
     * a trainable coefficient and bias per map, 12 and 32 parameters, not counted in the 61,706); C3 connects
     * every S2 map (the paper's sparse connection table has 1,516 weights instead of 2,416); the output is a
     * dense softmax layer instead of the paper's Euclidean RBF units.
     */
    public static Model lenet5(long seed) {
        return labelled(Sequential.builder(Input.image(32, 32, 1), Layout.NHWC).name("lenet5").seed(seed)
                .add(Conv2D.of(6, 5).activation(Activation.TANH).name("c1"))
                .add(Pooling2D.average(2).name("s2"))
                .add(Conv2D.of(16, 5).activation(Activation.TANH).name("c3"))
                .add(Pooling2D.average(2).name("s4"))
                .add(Conv2D.of(120, 5).activation(Activation.TANH).name("c5"))
                .add(Flatten.create())
                .add(Dense.of(84).activation(Activation.TANH).name("f6"))
                .add(Dense.of(10).softmax().name("output"))
                .build(), Datasets.MNIST_CLASSES);
    }

    /**
     * GoogLeNet (Inception v1, Szegedy et al. 2014, Table 1) on 224×224×3, without the auxiliary classifiers:
     * 6,998,552 parameters with biases. Top-level layers carry the original Caffe model's names
     * ({@code conv1_7x7_s2}, {@code inception_3a}, {@code loss3_classifier}); convolutions inside a module are
     * named automatically ({@code conv2d}, {@code conv2d_1}, ... in module order, and within a module in branch
     * order 1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool projection).
     *
     * <pre>
     * conv 7×7/2, pad 3          112×112×64
     * max pool 3×3/2, ceil        56×56×64
     * conv 1×1 (3×3 reduce 64)    56×56×64
     * conv 3×3/1, pad 1           56×56×192
     * max pool 3×3/2, ceil        28×28×192
     * inception 3a, 3b            28×28×256, 28×28×480
     * max pool 3×3/2, ceil        14×14×480
     * inception 4a … 4e           14×14×512, 512, 512, 528, 832
     * max pool 3×3/2, ceil         7×7×832
     * inception 5a, 5b             7×7×832, 7×7×1024
     * avg pool 7×7/1               1×1×1024
     * dropout 40%, linear 1000, softmax
     * </pre>
     *
     * <p>Every convolution has a bias and ReLU. The 3×3/2 max pools use {@code ceilMode} with no padding, as the
     * original Caffe model does, so 112 → 56 → 28 → 14 → 7. Local response normalization (after pool1 and after
     * conv2_3x3 in the paper) is omitted: Fovea has no LRN layer; it has no parameters, so the count is unaffected,
     * but outputs differ from a network trained with it.
     */
    public static Model googlenet(long seed) {
        return Sequential.builder(Input.image(224, 224, 3), Layout.NHWC).name("googlenet").seed(seed)
                .add(Conv2D.of(64, 7).stride(2).padding(Padding.explicit(3)).activation(Activation.RELU)
                        .name("conv1_7x7_s2"))
                .add(maxPool3x3s2("pool1_3x3_s2"))
                .add(Conv2D.pointwise(64).activation(Activation.RELU).name("conv2_3x3_reduce"))
                .add(Conv2D.of(192, 3).padding(Padding.explicit(1)).activation(Activation.RELU).name("conv2_3x3"))
                .add(maxPool3x3s2("pool2_3x3_s2"))
                .add(Inception.googlenet(64, 96, 128, 16, 32, 32).name("inception_3a"))
                .add(Inception.googlenet(128, 128, 192, 32, 96, 64).name("inception_3b"))
                .add(maxPool3x3s2("pool3_3x3_s2"))
                .add(Inception.googlenet(192, 96, 208, 16, 48, 64).name("inception_4a"))
                .add(Inception.googlenet(160, 112, 224, 24, 64, 64).name("inception_4b"))
                .add(Inception.googlenet(128, 128, 256, 24, 64, 64).name("inception_4c"))
                .add(Inception.googlenet(112, 144, 288, 32, 64, 64).name("inception_4d"))
                .add(Inception.googlenet(256, 160, 320, 32, 128, 128).name("inception_4e"))
                .add(maxPool3x3s2("pool4_3x3_s2"))
                .add(Inception.googlenet(256, 160, 320, 32, 128, 128).name("inception_5a"))
                .add(Inception.googlenet(384, 192, 384, 48, 128, 128).name("inception_5b"))
                .add(Pooling2D.average(7).stride(1).name("pool5_7x7_s1"))
                .add(Flatten.create())
                .add(Dropout.of(0.4).name("pool5_drop_7x7_s1"))
                .add(Dense.of(1000).softmax().name("loss3_classifier"))
                .build();
    }

    /**
     * One inception module as the CNN course draws it: average pooling → 1×1, a 1×1, 1×1 → 3×3, 1×1 → 5×5,
     * concatenated (163,696 parameters). The seed gives no sizes, so the input and widths are GoogLeNet's
     * module 3a (28×28×192 in; 1×1 64, 3×3 reduce 96, 3×3 128, 5×5 reduce 16, 5×5 32, pool projection 32;
     * 28×28×256 out); the pool is 3×3/1 SAME average pooling (padding not counted). The output channels are
     * concatenated in GoogLeNet's order — 1×1, 3×3, 5×5, pool branch — rather than the drawing's left-to-right
     * order (pool branch first); the order only permutes channels.
     */
    public static Model inceptionSeed(long seed) {
        return Sequential.builder(Input.image(28, 28, 192), Layout.NHWC).name("inception-seed").seed(seed)
                .add(Inception.module(64, 96, 128, 16, 32, 32, PoolingMode.AVERAGE))
                .build();
    }

    private static Pooling2D maxPool3x3s2(String name) {
        return Pooling2D.max(3).stride(2).ceilMode(true).name(name);
    }
}
