/**
 * What a backend implements: a {@link dev.fovea.spi.BackendProvider} (name, priority, probe, open) and the
 * {@link dev.fovea.spi.Backend} it opens, whose plans ({@link dev.fovea.spi.Plan}) run the ops.
 *
 * <h2>What the ops mean</h2>
 * The op descriptors of {@code dev.fovea.op} are the specification: each one's Javadoc gives its shapes, its
 * parameters and how they combine ({@link dev.fovea.op.Padding} and {@link dev.fovea.op.Windows} the padding
 * modes and output sizes, {@link dev.fovea.op.PoolingDescriptor} the average-pooling divisor and ceil mode).
 * A descriptor reaches a backend only after it was validated, so a backend never checks parameters again; it
 * declines a configuration it does not compute through {@link dev.fovea.spi.Backend#supports}, with a reason.
 * The conformance suite ({@code dev.fovea:fovea-conformance-tests}) checks a backend against these rules and
 * against the reference backend.
 *
 * <h2>What a plan must copy</h2>
 * Weights, biases and the other per-op parameters (batch-normalization scale and shift) arrive as contiguous
 * F32 <em>host</em> tensors in logical order (convolution filters {@code [K, C/groups, kH, kW]}, dense weights
 * {@code [F, U]}), whatever the activations' layout and wherever the backend computes. The caller may change or
 * free them as soon as a {@code plan...} method returns: the plan copies, converts or uploads what it needs
 * while it is being made, and never keeps a reference to them. Activations, on the other hand, are passed to each
 * {@link dev.fovea.spi.Plan#execute} call and must not be retained after it returns.
 *
 * <h2>Registering a provider</h2>
 * {@link java.util.ServiceLoader} finds providers in two ways, and which one applies depends on how the
 * application runs: for a jar on the <em>module path</em> it reads only the {@code provides} clause of
 * {@code module-info.java} (a named module's {@code META-INF/services} files are ignored); for a jar on the
 * <em>class path</em>, and for the fat jars most applications ship, it reads only
 * {@code META-INF/services/dev.fovea.spi.BackendProvider}. A backend that should work both ways declares both,
 * as Fovea's own backends do:
 * <pre>{@code
 * module com.example.mine {
 *     requires dev.fovea.api;
 *     provides dev.fovea.spi.BackendProvider with com.example.mine.MineProvider;
 * }
 * }</pre>
 * and a file {@code META-INF/services/dev.fovea.spi.BackendProvider} whose one line is
 * {@code com.example.mine.MineProvider}. A jar without {@code module-info.class} needs only the services file
 * (on the module path it becomes an automatic module, and the services file is read for those too).
 */
package dev.fovea.spi;
