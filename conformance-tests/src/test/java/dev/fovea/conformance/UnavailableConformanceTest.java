package dev.fovea.conformance;

import java.util.regex.Pattern;

/** The one-class form on an unavailable backend: JUnit reports the cases as skipped (aborted) with the reason. */
class UnavailableConformanceTest extends BackendConformance {
    UnavailableConformanceTest() {
        super(UnavailableProvider.NAME);
    }

    @Override
    protected Pattern filter() {
        return Pattern.compile("^convolution-arithmetic/");
    }
}
