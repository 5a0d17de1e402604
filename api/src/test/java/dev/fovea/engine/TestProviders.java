package dev.fovea.engine;

import dev.fovea.op.Activation;
import dev.fovea.op.ConvolutionDescriptor;
import dev.fovea.op.DenseDescriptor;
import dev.fovea.op.PoolingDescriptor;
import dev.fovea.spi.Availability;
import dev.fovea.spi.Backend;
import dev.fovea.spi.BackendOptions;
import dev.fovea.spi.BackendProvider;
import dev.fovea.spi.Capability;
import dev.fovea.spi.Plan;
import dev.fovea.tensor.Tensor;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Misbehaving providers for {@link BrokenDiscoveryTest}, listed in a services file only that test's loader sees. */
final class TestProviders {
    static final String PROBE_MESSAGE = "probe exploded";

    private TestProviders() {
    }

    /** Its probe throws: the backend must be listed unavailable with the exception. */
    public static final class ThrowingProbe extends Base {
        public ThrowingProbe() {
            super("test-probe-throws");
        }

        @Override
        public Availability probe() {
            throw new IllegalStateException(PROBE_MESSAGE);
        }
    }

    /** Two classes claiming one name: both listed, neither used. */
    public static final class TwinA extends Base {
        public TwinA() {
            super("test-twin");
        }
    }

    public static final class TwinB extends Base {
        public TwinB() {
            super("test-twin");
        }
    }

    /** Opens a backend whose name differs from the provider's. */
    public static final class Misnamed extends Base {
        static final AtomicInteger CLOSED = new AtomicInteger();

        public Misnamed() {
            super("test-misnamed");
        }

        @Override
        public Backend open(BackendOptions options) {
            return new NamedBackend("something-else", CLOSED);
        }
    }

    /** name() throws: listed as broken under its class name. */
    public static final class NameThrows extends Base {
        public NameThrows() {
            super(null);
        }

        @Override
        public String name() {
            throw new UnsupportedOperationException("no name yet");
        }
    }

    /** Its constructor throws: ServiceLoader cannot instantiate it, so it is listed as broken. */
    public static final class ConstructorThrows extends Base {
        public ConstructorThrows() {
            super("test-constructor-throws");
            throw new IllegalStateException("native library missing");
        }
    }

    /** Available, opens a backend of its own name. */
    /** Outranks the reference backend but cannot run: choosing the reference over it must be a warning. */
    public static final class FastButUnavailable extends Base {
        static final String REASON = "the fast path needs a flag";
        static final String FIX = "add --enable-fast-path to the JVM flags";

        public FastButUnavailable() {
            super("test-fast-unavailable");
        }

        @Override
        public int priority() {
            return 50;
        }

        @Override
        public Availability probe() {
            return Availability.no(REASON, FIX);
        }
    }

    public static final class Fine extends Base {
        public Fine() {
            super("test-fine");
        }
    }

    abstract static class Base implements BackendProvider {
        private final String name;

        Base(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return -100; // below the reference backend: never chosen automatically by other tests
        }

        @Override
        public Availability probe() {
            return Availability.yes();
        }

        @Override
        public Backend open(BackendOptions options) {
            return new NamedBackend(name, new AtomicInteger());
        }
    }

    /** A backend that runs nothing; it only has a name and counts its closes. */
    static final class NamedBackend implements Backend {
        private final String name;
        private final AtomicInteger closed;

        NamedBackend(String name, AtomicInteger closed) {
            this.name = name;
            this.closed = closed;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public Plan planConvolution(ConvolutionDescriptor op, Tensor weights, Tensor bias) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Plan planDense(DenseDescriptor op, Tensor weights, Tensor bias) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void poolingForward(PoolingDescriptor op, Tensor x, Tensor y) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void activationForward(Activation activation, Tensor x, Tensor y) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void softmaxForward(Tensor x, Tensor y) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
