package dev.fovea.cli.demo;

/**
 * One picture the demo wrote: its file name (relative to the output folder), a title and a caption for the
 * HTML page.
 */
public record Figure(String file, String title, String caption) {
}
