package dev.fovea.backend.cudnn;

import dev.fovea.backend.cudnn.bind.Cudnn;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which convolution algorithms to try, in which order: cuDNN's ranking minus the algorithms whose float32 error
 * can exceed the conformance tolerance, minus those needing more workspace than allowed. The plan runs the first;
 * when cuDNN refuses it at run time ({@link #isRetryable}) it moves to the next and remembers that choice.
 *
 * <p>Excluded (their rounding error grows with the transform size, not with the sum of products the tolerance is
 * built on): forward {@code FFT}, {@code FFT_TILING}, {@code WINOGRAD_NONFUSED}; backward data {@code FFT},
 * {@code FFT_TILING}, {@code WINOGRAD_NONFUSED}; backward filter {@code FFT}, {@code FFT_TILING},
 * {@code WINOGRAD_NONFUSED}. The fused Winograd kernels (3×3, small tiles) and the GEMM/direct ones stay.
 */
final class AlgorithmChoice {
    private AlgorithmChoice() {
    }

    /** One algorithm cuDNN offered, with its workspace in bytes and its math type. */
    record Candidate(int algo, long workspace, int mathType) {
    }

    static final Set<Integer> EXCLUDED_FORWARD = Set.of(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT,
            Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED);
    static final Set<Integer> EXCLUDED_BACKWARD_DATA = Set.of(Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT,
            Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING, Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED);
    static final Set<Integer> EXCLUDED_BACKWARD_FILTER = Set.of(Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT,
            Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING,
            Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED);

    /** Backward algorithms tried in this order (deterministic ones first); workspace sizes are asked per geometry. */
    static final List<Integer> BACKWARD_DATA_ORDER = List.of(Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
            Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD);
    static final List<Integer> BACKWARD_FILTER_ORDER = List.of(Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1,
            Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3);

    /**
     * The candidates to try, best first: {@code ranked} (cuDNN's order, entries with a failed status already
     * dropped) without the {@code excluded} algorithms, without those needing more than {@code workspaceLimit}
     * bytes, each algorithm once.
     */
    static List<Candidate> order(List<Candidate> ranked, Set<Integer> excluded, long workspaceLimit) {
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : ranked) {
            if (excluded.contains(c.algo()) || c.workspace() > workspaceLimit) {
                continue;
            }
            if (out.stream().noneMatch(o -> o.algo() == c.algo())) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Statuses after which the next algorithm is worth trying: cuDNN 9's NOT_SUPPORTED family (3000–3999: not
     * supported for these descriptors, shape, layout, architecture) and EXECUTION_FAILED family (5000–5999: the
     * launch failed). Bad parameters (2xxx) and internal errors (4xxx) are bugs and propagate.
     */
    static boolean isRetryable(int status) {
        int family = status / 1000 * 1000;
        return family == Cudnn.CUDNN_STATUS_NOT_SUPPORTED || family == Cudnn.CUDNN_STATUS_EXECUTION_FAILED;
    }

    /** Runs one candidate; returns cuDNN's status. */
    interface Attempt {
        int run(Candidate c);
    }

    /** What {@link #firstWorking} found: the index of the candidate that succeeded, or the last failure. */
    record Outcome(int index, int status) {
        boolean succeeded() {
            return status == Cudnn.CUDNN_STATUS_SUCCESS;
        }
    }

    /**
     * Tries {@code candidates} from {@code start} on until one succeeds or a status is not retryable; the
     * returned index is the one to start from next time (the same geometry fails the same way).
     */
    static Outcome firstWorking(List<Candidate> candidates, int start, Attempt attempt) {
        int status = Cudnn.CUDNN_STATUS_NOT_SUPPORTED;
        for (int i = start; i < candidates.size(); i++) {
            status = attempt.run(candidates.get(i));
            if (status == Cudnn.CUDNN_STATUS_SUCCESS || !isRetryable(status)) {
                return new Outcome(i, status);
            }
        }
        return new Outcome(candidates.size(), status);
    }
}
