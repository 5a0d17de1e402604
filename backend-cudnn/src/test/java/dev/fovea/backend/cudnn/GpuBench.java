package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.CudaRuntime;
import dev.fovea.backend.cudnn.bind.Cudnn;
import dev.fovea.engine.Engine;
import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.op.PoolingMode;
import dev.fovea.op.PoolingParams;
import dev.fovea.spi.Availability;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.Arrays;

/**
 * For gpu-check.sh on a CUDA machine: the single-op workloads of dev.fovea.bench.Workload (W2, W4, W5, W6a, W6b) timed
 * through Fovea's cudnn backend and as the bare cuDNN call the backend makes (same descriptors, algorithm and
 * workspace, no Java around it), median of 50 runs each after 10 warm-ups, synchronized with
 * {@code cudaDeviceSynchronize}. The difference is Fovea's overhead. Model workloads (W1, W3) run in
 * {@code fovea bench}. Not a unit test: run with {@code java -cp ... dev.fovea.backend.cudnn.GpuBench}.
 */
public final class GpuBench {
    private GpuBench() {
    }

    private interface Body {
        void run();
    }

    private static double medianMs(Body body) {
        for (int i = 0; i < 10; i++) {
            body.run();
        }
        Native.checkCuda(CudaRuntime.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
        double[] t = new double[50];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            body.run();
            Native.checkCuda(CudaRuntime.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    public static void main(String[] args) {
        Availability a = new CudnnBackendProvider().probe();
        if (!a.available()) {
            System.out.println("SKIP: cudnn unavailable: " + a.describe());
            return;
        }
        Layout layout = args.length > 0 ? Layout.valueOf(args[0]) : Layout.NCHW;
        System.out.printf("cuDNN %s, layout %s; median ms over 50 runs%n",
                CudnnBackendProvider.versionString(Cudnn.cudnnGetVersion()), layout);
        System.out.printf("%-5s %12s %12s %10s%n", "id", "fovea ms", "raw ms", "GFLOP/s|GB/s");
        try (Engine engine = Engine.of(new CudnnBackendProvider().open(BackendOptions.defaults()))) {
            conv(engine, "W2", Shape.of(8, 64, 56, 56), layout, ConvolutionParams.of(64, 3, 3)
                    .withPadding(Padding.explicit(1)).withActivation(Activation.RELU));
            conv(engine, "W4", Shape.of(8, 256, 56, 56), layout, ConvolutionParams.of(64, 1, 1).withBias(false));
            conv(engine, "W5", Shape.of(4, 3, 224, 224), layout, ConvolutionParams.of(64, 7, 7).withStride(2, 2)
                    .withPadding(Padding.explicit(3)).withBias(false));
            pool(engine, "W6a", layout, PoolingParams.of(PoolingMode.MAX, 3, 3).withStride(2, 2)
                    .withPadding(Padding.explicit(1)));
            pool(engine, "W6b", layout, PoolingParams.of(PoolingMode.AVERAGE, 2, 2));
        }
    }

    private static void conv(Engine engine, String id, Shape in, Layout layout, ConvolutionParams p) {
        ConvolutionDescriptor op = ConvolutionDescriptor.create(id, in, layout, p);
        try (TensorScope scope = new TensorScope()) {
            Tensor w = scope.allocate(op.weightShape(), Layout.NCHW);
            w.fill(0.01f);
            Tensor b = op.bias() ? scope.allocate(op.biasShape(), Layout.NCHW) : null;
            Tensor x = engine.allocate(in, layout, scope);
            Tensor y = engine.allocate(op.output(), layout, scope);
            try (Plan plan = engine.planConvolution(op, w, b)) {
                double fovea = medianMs(() -> plan.execute(x, y));
                ConvolutionPlan cp = (ConvolutionPlan) unwrap(engine, op, w, b);
                double raw = medianMs(() -> cp.executeRaw(x, y));
                cp.close();
                System.out.printf("%-5s %12.3f %12.3f %10.1f%n", id, fovea, raw, op.flops() / fovea / 1e6);
            }
        }
    }

    /** The backend's own plan, without the engine's checks, for the raw timing. */
    private static Object unwrap(Engine engine, ConvolutionDescriptor op, Tensor w, Tensor b) {
        return engine.backend().planConvolution(op, w, b);
    }

    private static void pool(Engine engine, String id, Layout layout, PoolingParams p) {
        PoolingDescriptor op = PoolingDescriptor.create(id, Shape.of(8, 64, 112, 112), layout, p);
        try (TensorScope scope = new TensorScope()) {
            Tensor x = engine.allocate(op.input(), layout, scope);
            Tensor y = engine.allocate(op.output(), layout, scope);
            double fovea = medianMs(() -> engine.poolingForward(op, x, y));
            double bytes = (op.input().elementCount() + op.output().elementCount()) * 4.0;
            System.out.printf("%-5s %12.3f %12s %10.1f%n", id, fovea, "-", bytes / fovea / 1e6);
        }
    }
}
