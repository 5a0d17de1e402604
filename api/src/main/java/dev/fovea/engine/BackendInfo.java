package dev.fovea.engine;

import dev.fovea.spi.Availability;

/** One discovered backend: its name, priority and what its probe said. */
public record BackendInfo(String name, int priority, Availability availability) {
}
