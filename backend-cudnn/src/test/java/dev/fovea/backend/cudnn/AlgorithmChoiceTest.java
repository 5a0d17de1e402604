package dev.fovea.backend.cudnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.backend.cudnn.AlgorithmChoice.Candidate;
import dev.fovea.backend.cudnn.bind.Cudnn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordering, exclusion and run-time fallback of convolution algorithms, on fake rankings. */
class AlgorithmChoiceTest {
    private static Candidate c(int algo, long ws) {
        return new Candidate(algo, ws, Cudnn.CUDNN_FMA_MATH);
    }

    @Test
    void inaccurateAlgorithmsAndOversizedWorkspacesAreDroppedInRankOrder() {
        List<Candidate> ranked = List.of(c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT, 10),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, 10), c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_GEMM, 5000),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 100),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, 0), c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, 200),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 100),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, 0));
        List<Candidate> order = AlgorithmChoice.order(ranked, AlgorithmChoice.EXCLUDED_FORWARD, 1000);
        assertEquals(List.of(c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 100),
                c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, 200), c(Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, 0)),
                order);
    }

    @Test
    void everyFftAndNonFusedWinogradIsExcludedInAllThreeDirections() {
        assertTrue(AlgorithmChoice.EXCLUDED_BACKWARD_DATA.contains(Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT));
        assertTrue(AlgorithmChoice.EXCLUDED_BACKWARD_FILTER.contains(
                Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED));
        for (int a : AlgorithmChoice.BACKWARD_DATA_ORDER) {
            assertFalse(AlgorithmChoice.EXCLUDED_BACKWARD_DATA.contains(a), "data algo " + a);
        }
        for (int a : AlgorithmChoice.BACKWARD_FILTER_ORDER) {
            assertFalse(AlgorithmChoice.EXCLUDED_BACKWARD_FILTER.contains(a), "filter algo " + a);
        }
    }

    @Test
    void aFailingAlgorithmFallsBackToTheNextAndTheChoiceIsRemembered() {
        List<Candidate> cands = List.of(c(1, 0), c(6, 0), c(0, 0));
        List<Integer> tried = new ArrayList<>();
        AlgorithmChoice.Outcome o = AlgorithmChoice.firstWorking(cands, 0, cand -> {
            tried.add(cand.algo());
            return cand.algo() == 1 ? 3000 : cand.algo() == 6 ? 5003 : 0;
        });
        assertEquals(List.of(1, 6, 0), tried);
        assertTrue(o.succeeded());
        assertEquals(2, o.index());
        tried.clear();
        AlgorithmChoice.Outcome again = AlgorithmChoice.firstWorking(cands, o.index(), cand -> {
            tried.add(cand.algo());
            return 0;
        });
        assertEquals(List.of(0), tried, "the next run starts from the one that worked");
        assertEquals(2, again.index());
    }

    @Test
    void badParametersAreNotRetriedAndExhaustionReportsTheLastStatus() {
        List<Candidate> cands = List.of(c(1, 0), c(0, 0));
        List<Integer> tried = new ArrayList<>();
        AlgorithmChoice.Outcome bad = AlgorithmChoice.firstWorking(cands, 0, cand -> {
            tried.add(cand.algo());
            return Cudnn.CUDNN_STATUS_BAD_PARAM;
        });
        assertEquals(List.of(1), tried);
        assertEquals(Cudnn.CUDNN_STATUS_BAD_PARAM, bad.status());
        AlgorithmChoice.Outcome none = AlgorithmChoice.firstWorking(cands, 0, cand -> 3001);
        assertFalse(none.succeeded());
        assertEquals(2, none.index());
        assertEquals(3001, none.status());
        assertFalse(AlgorithmChoice.isRetryable(Cudnn.CUDNN_STATUS_INTERNAL_ERROR));
        assertTrue(AlgorithmChoice.isRetryable(Cudnn.CUDNN_STATUS_EXECUTION_FAILED));
    }
}
