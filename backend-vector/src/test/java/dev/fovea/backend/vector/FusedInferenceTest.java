package dev.fovea.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Inference;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Pooling2D;
import dev.fovea.nn.Sequential;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.nn.Dense;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code Inference.predict} runs convolution + pooling fused on this backend, with the layer-by-layer results. */
class FusedInferenceTest {
    /** Max and average pooling after convolutions with and without bias, odd sizes so windows hit the edges. */
    private static Model model(Layout layout) {
        return Sequential.builder(Input.image(27, 25, 3), layout).name("fusable").seed(11)
                .add(Conv2D.of(20, 3).activation(Activation.RELU))
                .add(Pooling2D.max(2))
                .add(Conv2D.of(17, 3).activation(Activation.TANH).useBias(false))
                .add(Pooling2D.average(3).stride(2).ceilMode(true))
                .add(Flatten.create())
                .add(Dense.of(10).softmax())
                .build();
    }

    @Test
    void theBackendOffersTheFusedPlan() {
        ConvolutionDescriptor conv = ConvolutionDescriptor.create("conv", Shape.of(2, 3, 9, 9), Layout.NHWC,
                ConvolutionParams.of(8, 3, 3));
        PoolingDescriptor pool = PoolingDescriptor.create("pool", conv.output(), Layout.NHWC, PoolingParams.of(PoolingMode.MAX, 2, 2));
        try (TensorScope s = new TensorScope()) {
            Tensor w = s.allocate(conv.weightShape(), Layout.NCHW);
            Tensor b = s.allocate(conv.biasShape(), Layout.NCHW);
            assertTrue(Oracle.VECTOR.planConvolutionPooled(conv, pool, w, b).isPresent());
            assertTrue(Oracle.REFERENCE.planConvolutionPooled(conv, pool, w, b).isEmpty());
        }
    }

    @Test
    void aNaNInTheInputReachesEveryFusedMaxWindowItTouches() {
        ConvolutionDescriptor conv = ConvolutionDescriptor.create("conv", Shape.of(1, 2, 10, 10), Layout.NHWC,
                ConvolutionParams.of(40, 3, 3).withActivation(Activation.RELU));
        PoolingDescriptor pool = PoolingDescriptor.create("pool", conv.output(), Layout.NHWC,
                PoolingParams.of(PoolingMode.MAX, 2, 2));
        try (TensorScope s = new TensorScope()) {
            float[] w = new float[Math.toIntExact(conv.weightShape().elementCount())];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) Math.cos(i);
            }
            Tensor wt = s.fromArray(w, conv.weightShape(), Layout.NCHW);
            Tensor b = s.allocate(conv.biasShape(), Layout.NCHW);
            float[] pixels = new float[200];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) Math.sin(i);
            }
            pixels[4 * 10 + 5] = Float.NaN; // channel 0, row 4, column 5
            Tensor x = s.fromArray(pixels, conv.input(), Layout.NCHW);
            Tensor xn = Oracle.VECTOR.allocate(conv.input(), Layout.NHWC, s);
            Oracle.VECTOR.copy(x, xn);
            Tensor mid = Oracle.VECTOR.allocate(conv.output(), Layout.NHWC, s);
            Tensor apart = Oracle.VECTOR.allocate(pool.output(), Layout.NHWC, s);
            Tensor fused = Oracle.VECTOR.allocate(pool.output(), Layout.NHWC, s);
            Oracle.VECTOR.planConvolution(conv, wt, b).execute(xn, mid);
            Oracle.VECTOR.poolingForward(pool, mid, apart);
            Oracle.VECTOR.planConvolutionPooled(conv, pool, wt, b).orElseThrow().execute(xn, fused);
            float[] e = apart.toArray();
            float[] a = fused.toArray();
            int nans = 0;
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.isNaN(e[i]), Float.isNaN(a[i]), "NaN at " + i);
                nans += Float.isNaN(a[i]) ? 1 : 0;
            }
            assertTrue(nans >= 40, "the NaN pixel's windows hold NaN in every channel: " + nans);
        }
    }

    @Test
    void fusedPredictEqualsTheLayerByLayerTraceAndTheReference() {
        for (Layout layout : Layout.values()) {
            try (Model m = model(layout); Inference vec = m.compile(Oracle.VECTOR);
                 Inference ref = m.compile(Oracle.REFERENCE); TensorScope s = new TensorScope()) {
                float[] pixels = new float[13 * 3 * 27 * 25];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (float) Math.sin(i * 0.37) * 2;
                }
                Tensor x = s.fromArray(pixels, m.inputShape(13), Layout.NCHW);
                float[] fused = vec.predict(x, s).toArray();
                Map<String, Tensor> layers = vec.trace(x, s);
                List<Tensor> outputs = List.copyOf(layers.values());
                float[] unfused = outputs.get(outputs.size() - 1).toArray();
                // The same sums; the average's divide may round differently from the fused multiply by 1/divisor.
                assertArrayEquals(unfused, fused, 1e-6f, layout + ": fused predict vs layer by layer");
                float[] expected = ref.predict(x, s).toArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], fused[i], 1e-5, layout + " [" + i + "] vs the reference");
                }
            }
        }
    }
}
