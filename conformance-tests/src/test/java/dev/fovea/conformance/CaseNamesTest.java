package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Case names read as paths: '/' separates levels, so no level may be a bare number. */
class CaseNamesTest {
    @Test
    void noLevelOfANameIsABareNumber() {
        // "corner-50/4" read as a level called "4"; a division is spelled out ("corner-sum50-div4").
        for (ConformanceCase c : ConformanceSuite.cases()) {
            for (String level : c.name().split("/")) {
                assertFalse(level.matches("\\d+"), c.name());
            }
        }
    }
}
