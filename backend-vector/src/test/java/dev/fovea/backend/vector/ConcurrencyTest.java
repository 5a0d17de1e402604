package dev.fovea.backend.vector;

import static dev.fovea.backend.vector.Oracle.REFERENCE;
import static dev.fovea.backend.vector.Oracle.VECTOR;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.ConvolutionParams;
import dev.fovea.op.Padding;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Layout;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** One plan executed from several threads at once on distinct outputs (each using the worker pool). */
class ConcurrencyTest {
    @Test
    void concurrentExecutesOfOnePlan() throws Exception {
        ConvolutionDescriptor op = ConvolutionDescriptor.create("conv", Shape.of(2, 19, 17, 17), Layout.NHWC,
                ConvolutionParams.of(33, 3, 3).withPadding(Padding.SAME).withActivation(Activation.RELU));
        SplittableRandom rnd = new SplittableRandom(11);
        try (TensorScope scope = new TensorScope();
             ExecutorService exec = Executors.newFixedThreadPool(4)) {
            Tensor x = Oracle.tensor(scope, rnd, op.input(), Layout.NHWC);
            Tensor w = scope.fromArray(Oracle.random(rnd, op.weightShape().elementCount(), 0.5), op.weightShape(),
                    Layout.NCHW);
            Tensor b = Oracle.tensor(scope, rnd, op.biasShape(), Layout.NCHW);
            Tensor expected = Oracle.poisoned(scope, op.output(), Layout.NHWC);
            try (Plan ref = REFERENCE.planConvolution(op, w, b)) {
                ref.execute(x, expected);
            }
            try (Plan plan = VECTOR.planConvolution(op, w, b)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Tensor y = Oracle.poisoned(scope, op.output(), Layout.NHWC);
                    futures.add(exec.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            y.fill(Float.NaN);
                            plan.execute(x, y);
                            Oracle.assertClose("concurrent", expected, y);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
        }
    }
}
